#!/bin/sh
# t-demo.sh - the README's first command, scripts/demo, as a newcomer
# runs it: exit status 0, the introduction printed, and nothing left
# behind (no passalong-milter, Postfix or smtp-sink of its own, no
# /tmp/passalong-demo.* folder). It uses the build under test
# (PA_BUILDDIR) rather than building its own. Skips (77) unless root
# with Postfix and swaks installed.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
[ "$(id -u)" = 0 ] || { echo "SKIP: the demo needs root"; exit 77; }
for c in postfix swaks python3; do
	command -v $c >/dev/null 2>&1 || { echo "SKIP: no $c"; exit 77; }
done
fail=0
no() { echo "FAIL: $*"; fail=1; }
out=$(mktemp "${TMPDIR:-/tmp}/t-demo-out.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT INT TERM

before=$(ls -d /tmp/passalong-demo.* 2>/dev/null | sort)
PA_BUILDDIR=$builddir timeout 300 sh "$srcdir/scripts/demo" >"$out" 2>&1
rc=$?
after=$(ls -d /tmp/passalong-demo.* 2>/dev/null | sort)

[ $rc -eq 0 ] || no "scripts/demo exited $rc"
grep -q "^subject: .* thinks you'd be great for this: " "$out" || no "no consent request printed"
grep -q "^subject: .*, meet .*: " "$out" || no "no introduction printed"
grep -q "feel free to move me to Bcc" "$out" || no "no introduction text printed"
grep -q "^subject: Your week: 1 shared" "$out" || no "no digest preview printed"
new=$(printf '%s\n' "$after" | grep -vxF -e "$before" -e '' || true)
[ -z "$new" ] || no "folders left behind: $new"
# what the demo starts names its folder on its command line (the milter)
# or in its environment (Postfix's master: MAIL_CONFIG)
left=$(pgrep -af 'passalong-demo\.' | grep -v "pgrep" || true)
for p in $(pgrep -x master); do
	{ tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null |
	    grep -q '^MAIL_CONFIG=/tmp/passalong-demo\.' &&
	    left="$left master:$p"
done
if [ -n "$left" ]; then
	no "processes left behind: $left"
	for d in $new; do
		postfix -c "$d/postfix" stop >/dev/null 2>&1
		for p in $(pgrep -f "$d/"); do kill -KILL "$p" 2>/dev/null; done
		rm -rf "$d"
	done
fi
if [ $fail -ne 0 ]; then
	echo "--- demo output (last 40 lines) ---"
	tail -n 40 "$out"
fi
[ $fail -eq 0 ] && echo "PASS: scripts/demo exits 0, prints the introduction, leaves nothing behind"
exit $fail
