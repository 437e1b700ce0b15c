#!/bin/sh
# tests/fuzz-short.sh - make check's bounded fuzzing run: the parser's
# libFuzzer harness for FUZZ_SECONDS (default 60), then the
# Authentication-Results parser's for FUZZ_AUTHRES_SECONDS (default 15),
# the MIME structure scanner's for FUZZ_MIMESCAN_SECONDS (default 15),
# under ASan + UBSan, fixed seed, each in a throw-away directory (kept,
# and named, on a finding).
# FUZZ_SECONDS=0 skips them all (scripts/test runs it in one build only).
# Skipped (77) when clang or its libFuzzer runtime is missing.
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
secs=${FUZZ_SECONDS:-60}
if [ "$secs" = 0 ]; then
	echo "fuzz-short: FUZZ_SECONDS=0, skipped"
	exit 77
fi

# short TARGET SECONDS - one bounded run; its exit status
short() {
	work=$(mktemp -d /tmp/passalong-fuzz-short.XXXXXX) || return 99
	FUZZ_TARGET=$1 FUZZ_WORK=$work FUZZ_SEED=${FUZZ_SEED:-1} \
		sh "$top/tests/fuzz/run.sh" "$2"
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$work"
	else
		echo "fuzz-short: $1: finding kept in $work/artifacts" >&2
	fi
	return "$rc"
}

short parser "$secs"
rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
short authres "${FUZZ_AUTHRES_SECONDS:-15}"
rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
short mimescan "${FUZZ_MIMESCAN_SECONDS:-15}"
