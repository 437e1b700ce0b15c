#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - build the parser's libFuzzer harness with
# clang 14 (-fsanitize=fuzzer,address,undefined), straight from the
# sources (no automake build needed), and run it for SECONDS (default 60).
#
# Seeds: tests/fixtures/parser/*.eml, tests/fixtures/replies/*.eml,
# tests/fuzz/regressions/*, and
# ../shared/corpus/crisp/eml/*.eml when present (read in place). Inputs
# libFuzzer finds go to $FUZZ_WORK/corpus (default: a new directory under
# /tmp), never into the repository; crashes to $FUZZ_WORK/artifacts/.
#
# FUZZ_TARGET=authres builds tests/fuzz/fuzz_authres.c (the
# Authentication-Results parser, common/authres.c) instead; its seeds are
# tests/fuzz/seeds-authres/* and the same regressions/.
# FUZZ_TARGET=mimescan builds tests/fuzz/fuzz_mimescan.c (the MIME
# structure scanner, common/mimescan.c, checked against GMime) on the
# parser's seeds.
#
# Environment: FUZZ_CC (default clang-14, else clang), FUZZ_WORK,
# FUZZ_JOBS (processes, default 1), FUZZ_SEED (libFuzzer -seed, default
# random), FUZZ_SKIP_REGRESSIONS, FUZZ_ARGS (more libFuzzer flags).
# Exit: 0 nothing found, 77 no clang/libFuzzer, else libFuzzer's status
# (-error_exitcode=1: libFuzzer's own default, 77, would read as a skip).
set -eu

secs=${1:-60}
case $secs in
'' | *[!0-9]* | 0)
	# libFuzzer takes -max_total_time=0 as "no limit": never that here
	echo "fuzz: seconds must be a positive number, not '$secs'" >&2
	exit 2
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang-14 clang; do
		if command -v "$c" >/dev/null 2>&1; then
			cc=$c
			break
		fi
	done
fi
if [ -z "$cc" ]; then
	echo "fuzz: no clang found; skipped" >&2
	exit 77
fi

target=${FUZZ_TARGET:-parser}
case $target in
parser) sources="$top/parser/*.c $top/common/*.c" ;;
authres) sources="$top/common/authres.c" ;;
mimescan) sources="$top/common/mimescan.c" ;;
*)
	echo "fuzz: FUZZ_TARGET must be parser, authres or mimescan, not '$target'" >&2
	exit 2
	;;
esac

work=${FUZZ_WORK:-$(mktemp -d /tmp/passalong-fuzz.XXXXXX)}
mkdir -p "$work/corpus" "$work/artifacts" "$work/seeds" "$work/include"

# The sources include "config.h"; a configure run is not needed for them.
cat >"$work/include/config.h" <<'EOC'
#define _GNU_SOURCE 1
#define PACKAGE "passalong"
#define PACKAGE_VERSION "fuzz"
#define VERSION "fuzz"
EOC

# Can this clang build a fuzzer at all (runtime installed)?
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' \
	>"$work/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$work/probe" \
	"$work/probe.c" >"$work/probe.log" 2>&1; then
	cat "$work/probe.log" >&2
	echo "fuzz: $cc cannot build a libFuzzer binary; skipped" >&2
	exit 77
fi

# shellcheck disable=SC2046,SC2086 # word splitting wanted
"$cc" -g -O1 -std=c11 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$work/include" -I"$top" \
	$(pkg-config --cflags glib-2.0 gmime-3.0 json-glib-1.0) \
	-o "$work/fuzz_$target" "$here/fuzz_$target.c" $sources \
	$(pkg-config --libs glib-2.0 gmime-3.0 json-glib-1.0)

if [ "$target" = parser ] || [ "$target" = mimescan ]; then
	seeds="$top/tests/fixtures/parser/*.eml $top/tests/fixtures/replies/*.eml $top/../shared/corpus/crisp/eml/*.eml"
else
	seeds="$here/seeds-$target/*"
fi
# Seeds are linked, not copied: the corpus stays where it is.
# shellcheck disable=SC2086 # the globs in $seeds
for f in $seeds "$here"/regressions/*; do
	[ -f "$f" ] || continue
	ln -sf "$f" "$work/seeds/$(echo "$f" | tr '/' '_')"
done

# Known crashers first, once each: a regression fails fast
# (FUZZ_SKIP_REGRESSIONS=1 skips them, to fuzz on while one is open).
if [ -z "${FUZZ_SKIP_REGRESSIONS:-}" ] &&
	ls "$here"/regressions/* >/dev/null 2>&1; then
	"$work/fuzz_$target" -rss_limit_mb=2048 -error_exitcode=1 \
		"$here"/regressions/*
fi

flags=
[ -n "${FUZZ_SEED:-}" ] && flags="-seed=$FUZZ_SEED"
# several processes: libFuzzer's fork mode (it also goes on past a crash
# with FUZZ_ARGS=-ignore_crashes=1)
[ "${FUZZ_JOBS:-1}" -gt 1 ] && flags="$flags -fork=$FUZZ_JOBS"
echo "fuzz: $target, $secs s, work directory $work" >&2
# shellcheck disable=SC2086 # optional flags
"$work/fuzz_$target" -max_total_time="$secs" -timeout=10 \
	-rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
	-error_exitcode=1 \
	-artifact_prefix="$work/artifacts/" $flags ${FUZZ_ARGS:-} \
	"$work/corpus" "$work/seeds"
