#!/bin/sh
# t-micro.sh - every micro benchmark of tier 3 runs to the end on a tiny
# input and prints its section (bench/README.md): the parser, the
# store's transaction, the templates, the weekly digest (50 members),
# the outbox worker (20 intros, skipped without smtp-sink). A test of
# the tools, not a measurement: no number is read.
set -u
builddir=${top_builddir:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/passalong-micro.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT INT TERM
n=0
failed=0
# run NAME HEADING ARGS...: exit 0 and the heading on stdout
run() {
	name=$1 heading=$2
	shift 2
	n=$((n + 1))
	"$builddir/bench/$name" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 77 ]; then
		echo "ok $n - $name # SKIP $(tail -n 1 "$T/err")"
	elif [ "$rc" = 0 ] && grep -qF -- "$heading" "$T/out"; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name: exit $rc"
		tail -n 5 "$T/err" "$T/out" | sed 's/^/# /'
	fi
}
run bench_parser "### Tier 3: micro — parser" 1 inline
run bench_store "### Tier 3: micro — store" 1 "$T"
run bench_tmpl "### Tier 3: micro — templates" 1
run bench_digest "### Tier 3: micro — the weekly digest" 50 500
run bench_worker "intros/s" 20 1
echo "1..$n"
[ "$failed" = 0 ]
