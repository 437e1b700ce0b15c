#!/bin/sh
# t-postfix-pg.sh - the end-to-end Postfix test (t-postfix.sh) again, its
# store a database on a throw-away PostgreSQL (tests/pg-lib.sh) that this
# test starts and stops. Skips (77) as t-postfix.sh does, or without
# PostgreSQL. The test also checks that the store it ran on really was
# PostgreSQL: the shares it made are read back with psql.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
. "$srcdir/tests/pg-lib.sh"

pg_scratch pa-e2epg
PA_TEST_PG=$PG_CONNINFO
export PA_TEST_PG

sh "$srcdir/tests/e2e/t-postfix.sh"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
# the e2e made its shares in a database of its own (e2e_...): find them
n=$(pg_psql -At -c "SELECT datname FROM pg_database WHERE datname LIKE 'e2e_%'" |
	while read -r db; do
		psql -X -At "$(pg_url "$db")" -c "SELECT COUNT(*) FROM shares WHERE status = 'introduced'"
	done | awk '{s += $1} END {print s + 0}')
echo "introduced shares found on PostgreSQL: $n"
[ "$n" -gt 0 ] || { echo "FAIL: the end-to-end test did not run on PostgreSQL"; exit 1; }
exit 0
