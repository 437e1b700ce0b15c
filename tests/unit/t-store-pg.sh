#!/bin/sh
# t-store-pg.sh - the store's contract suite (test_store), the
# sender's (test_sender) and the digest pass's (test_digest) again, on a
# real PostgreSQL this test starts (tests/pg-lib.sh: initdb in a temp
# dir, a unix socket, no TCP port) and stops. Exit 77 (skip) when
# PostgreSQL is not installed.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
. "$srcdir/tests/pg-lib.sh"

pg_scratch pa-pg
dir=$PG_SCRATCH

PA_TEST_PG=$PG_CONNINFO
export PA_TEST_PG
status=0
for t in test_store test_sender test_digest; do
	[ -x "$builddir/tests/unit/$t" ] || continue
	if ! "$builddir/tests/unit/$t" >"$dir/$t.out" 2>&1; then
		echo "FAIL: $t on PostgreSQL"
		grep -E '^(not ok|Bail out|\*\*|ERROR)' "$dir/$t.out" | head -n 20
		status=1
	else
		echo "ok: $t on PostgreSQL ($(grep -c '^ok' "$dir/$t.out") tests)"
	fi
done
exit $status
