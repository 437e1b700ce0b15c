#!/bin/sh
# t-milter-pg.sh - every miltertest scenario again, on PostgreSQL: one
# throw-away server (tests/pg-lib.sh) for the lot, a database of its own
# for each scenario (run-lua.sh, PA_TEST_PG). Skips (77) without
# PostgreSQL or miltertest.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir=$srcdir
command -v miltertest >/dev/null 2>&1 || { echo "miltertest not installed"; exit 77; }
. "$srcdir/tests/pg-lib.sh"

pg_scratch pa-mtpg
dir=$PG_SCRATCH
PA_TEST_PG=$PG_CONNINFO
export PA_TEST_PG

pass=0 fail=0
for t in "$srcdir"/tests/milter/t-*.lua; do
	name=$(basename "$t" .lua)
	if sh "$srcdir/tests/milter/run-lua.sh" "$t" >"$dir/$name.out" 2>&1; then
		pass=$((pass + 1))
		echo "ok: $name on PostgreSQL"
	else
		fail=$((fail + 1))
		echo "FAIL: $name on PostgreSQL"
		tail -n 30 "$dir/$name.out"
	fi
done
echo "$pass passed, $fail failed on PostgreSQL"
[ "$pass" -gt 0 ] && [ "$fail" = 0 ]
