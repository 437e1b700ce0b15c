#!/bin/sh
# parser-corpus.sh - the crisp corpus through `passalong parse`
#
# Runs ../shared/tools/forward-score over ../shared/corpus/crisp (206
# forwards from 13 clients in 23 languages, see its README) with the
# built `passalong parse`, prints the score line and the failing cases,
# and fails when fewer than THRESHOLD percent of the cases are fully
# right. Skips (77) when ../shared or python3 is not there, so the
# project builds and tests on its own too.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
THRESHOLD=100 # percent of cases fully right; measured: 206/206

shared="$top_srcdir/../shared"
tool="$shared/tools/forward-score"
corpus="$shared/corpus/crisp"

if [ ! -f "$tool" ] || [ ! -d "$corpus" ]; then
	echo "SKIP: $shared (forward-score and the crisp corpus) is absent"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is missing"
	exit 77
fi
if [ ! -x "$top_builddir/passalong" ]; then
	echo "FAIL: $top_builddir/passalong was not built"
	exit 1
fi

out=$(python3 "$tool" --verbose --parser "'$top_builddir/passalong' parse" \
	"$corpus")
status=$?
printf '%s\n' "$out" | grep '^FAIL' | head -n 40
line=$(printf '%s\n' "$out" | grep '^forward-score:' | tail -n 1)
echo "$line"
if [ $status -ne 0 ] || [ -z "$line" ]; then
	echo "FAIL: forward-score did not run (status $status)"
	exit 1
fi

right=$(echo "$line" | sed -n 's/^forward-score: \([0-9]*\)\/\([0-9]*\) cases.*/\1/p')
total=$(echo "$line" | sed -n 's/^forward-score: \([0-9]*\)\/\([0-9]*\) cases.*/\2/p')
if [ -z "$right" ] || [ -z "$total" ] || [ "$total" -eq 0 ]; then
	echo "FAIL: cannot read the score line"
	exit 1
fi
if [ $((right * 100)) -lt $((total * THRESHOLD)) ]; then
	echo "FAIL: $right/$total cases fully right, below $THRESHOLD%"
	exit 1
fi
echo "PASS: $right/$total cases fully right (threshold $THRESHOLD%)"
exit 0
