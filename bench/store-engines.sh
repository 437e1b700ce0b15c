#!/bin/sh
# store-engines.sh - bench_store_engines against a throw-away PostgreSQL
# with fsync on (issue 9, "Speed"); prints its markdown section
#
#   bench/store-engines.sh [BUILDDIR]     (bench/run calls it, tier 3)
#
# Starts PostgreSQL through tests/pg-lib.sh with PG_FSYNC=on (fsync and
# full_page_writes at their defaults, synchronous_commit on) on a unix
# socket in a mktemp folder, runs bench/bench_store_engines on it and on
# SQLite files in the same folder, then stops the server and removes the
# folder, also when interrupted. Without PostgreSQL installed only the
# SQLite rows are measured. Put TMPDIR on the disk the stores would live
# on: fsync is most of what is measured.
#
# Environment: BENCH_SHARES (2000 share transactions per run),
# BENCH_CLAIMS (200 claims of 10 per run), BENCH_ROUNDS (3 runs; the
# best counts), BENCH_KEEP=1 keeps the folder (server log included).
set -u
builddir=$(cd "${1:-.}" && pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
prog=$builddir/bench/bench_store_engines
[ -x "$prog" ] || { echo "no $prog (make bench)" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/passalong-engines.XXXXXX") || exit 2
chmod 755 "$T"
. "$srcdir/tests/pg-lib.sh"
cleanup() {
	pg_stop
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$T/sqlite" && chmod 755 "$T/sqlite" || exit 2
set -- -n "${BENCH_SHARES:-2000}" -c "${BENCH_CLAIMS:-200}" -x \
    -r "${BENCH_ROUNDS:-3}" -d "$T/sqlite"
PG_FSYNC=on pg_start "$T/pg" >&2
case $? in
0) set -- "$@" -p "host=$PG_DIR/s user=passalong connect_timeout=5" \
	-l "$PG_DIR/server.log" ;;
77) echo "bench: PostgreSQL not installed, SQLite only" >&2 ;;
*) echo "bench: PostgreSQL did not start" >&2; exit 1 ;;
esac
"$prog" "$@"
