#!/bin/sh
# t-config-check.sh - passalong-milter -n checks a configuration: 0 and
# "configuration OK" for a good file; 78 and one "file:line: [group] key:
# problem" line per problem for a bad one; -V prints the version.
set -u
builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
milter=$builddir/passalong-milter
dir=$(mktemp -d "${TMPDIR:-/tmp}/passalong-n.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT INT TERM
fail=0
no() { echo "FAIL: $*"; fail=1; }

cat > "$dir/good.conf" <<'CONF'
[gateway]
domain = intro.example.org   # comment after a value
[milter]
socket = inet:8891@127.0.0.1
sender_auth = auth
[limits]                     # comment after a group
shares_per_hour = 0
CONF
out=$("$milter" -n -c "$dir/good.conf" 2>&1); rc=$?
[ $rc -eq 0 ] || no "good config: exit $rc ($out)"
echo "$out" | grep -q "configuration OK" || no "good config: no OK line: $out"

cat > "$dir/bad.conf" <<'CONF'
[gateway]
domain = intro.example.org
domian = typo.example
[milter]
max_message_size = big
sender_auth = auth,secret
CONF
out=$("$milter" -n -c "$dir/bad.conf" 2>&1); rc=$?
[ $rc -eq 78 ] || no "bad config: exit $rc, expected 78"
echo "$out" | grep -q "bad.conf:3: \[gateway\] domian: unknown key" || no "no line 3 error: $out"
echo "$out" | grep -q "bad.conf:5: \[milter\] max_message_size:" || no "no line 5 error: $out"
echo "$out" | grep -q "secret addresses are not supported" || no "secret not refused: $out"

out=$("$milter" -n -c "$dir/missing.conf" 2>&1); rc=$?
[ $rc -eq 78 ] || no "missing config: exit $rc, expected 78"

out=$("$milter" -V); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "^passalong-milter [0-9]" || no "-V: $out"
"$milter" -x >/dev/null 2>&1; rc=$?
[ $rc -eq 64 ] || no "unknown flag: exit $rc, expected 64"

[ $fail -eq 0 ] && echo "PASS: passalong-milter -n, -V, usage"
exit $fail
