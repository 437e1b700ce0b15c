#!/bin/sh
# t-postfix.sh - end to end through a real Postfix on loopback: a member's
# forward goes in with swaks, the introduction comes out in the friend's,
# the requester's and the member's Maildirs, and is checked header by
# header as GMime reads it. Refusals show up in the SMTP dialogue.
# Needs root (Postfix), postfix, swaks; skips (77) without them.
# PA_MILTER and PA_PASSALONG run other programs than the build's (the
# installed package's, tests/deploy/t-deb.sh); mailcheck is the build's.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PA_BUILDDIR=${top_builddir:-$srcdir}
PA_MILTER=${PA_MILTER:-$PA_BUILDDIR/passalong-milter}
PA_PASSALONG=${PA_PASSALONG:-$PA_BUILDDIR/passalong}
export PA_BUILDDIR PA_MILTER

[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in postfix swaks python3; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
id postfix >/dev/null 2>&1 || { echo "no postfix user: skipped"; exit 77; }

. "$srcdir/tests/e2e/postfix-lib.sh"
dir=$(mktemp -d /tmp/passalong-e2e.XXXXXX)
trap 'pf_stop; rm -rf "$dir"' EXIT INT TERM
pf_setup "$dir"
cli="$PA_PASSALONG -c $PA_CONF"
echo "programs: $PA_MILTER $PA_PASSALONG"
check="$PA_BUILDDIR/tests/e2e/mailcheck"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # expect FILE FIELD VALUE: a mailcheck line equals VALUE
	got=$(grep -m1 "^$2: " "$1" | cut -d' ' -f2-)
	[ "$got" = "$3" ] || fail "$2: expected '$3', got '$got'"
}

$cli init >/dev/null || exit 99
$cli member add chris@members.example --name "Chris Member" --handle chris >/dev/null || exit 99
$cli member add jane@friends.example --name "Jane Friend" --handle jane >/dev/null || exit 99
pf_start || exit 99

swaks() { command swaks --server 127.0.0.1 --port "$PF_PORT_IN" --timeout 30 "$@"; }

# 1. a share: 250, then an introduction in three mailboxes
swaks --from chris@members.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks1.log" 2>&1 ||
	fail "share not accepted: $(grep -E '^<[~*]' "$dir/swaks1.log" | tail -n 2)"
jane=$(pf_wait_mail "$dir/mail/friends.example/jane") || fail "no intro for jane"
dana=$(pf_wait_mail "$dir/mail/confs.example/dana") || fail "no intro for dana"
chris=$(pf_wait_mail "$dir/mail/members.example/chris") || fail "no intro for chris"
if [ -n "$jane" ]; then
	"$check" "$jane" >"$dir/intro.txt" || fail "intro not a message"
	expect "$dir/intro.txt" from-name "Chris Member via passalong"
	expect "$dir/intro.txt" from-address "intros@intro.example.org"
	expect "$dir/intro.txt" to "jane@friends.example, dana@confs.example"
	expect "$dir/intro.txt" cc "chris@members.example"
	expect "$dir/intro.txt" reply-to "jane@friends.example, dana@confs.example"
	expect "$dir/intro.txt" auto-submitted "auto-generated"
	expect "$dir/intro.txt" in-reply-to "<fwd-0001@members.example>"
	grep -q "^subject: Dana, meet Jane: Speaker for our March meetup?" "$dir/intro.txt" ||
		fail "subject does not name both people and the topic: $(grep '^subject' "$dir/intro.txt")"
	grep -q "^message-id: <.*@intro.example.org>" "$dir/intro.txt" || fail "no Message-ID of ours"
	grep -q "^date: ." "$dir/intro.txt" || fail "no Date"
	grep -q "^part: text/plain" "$dir/intro.txt" || fail "no text/plain part"
	grep -q "^part: text/html" "$dir/intro.txt" || fail "no text/html part"
	max=$(grep '^header-max: ' "$dir/intro.txt" | cut -d' ' -f2)
	[ "$max" -le 998 ] || fail "a header line of $max octets"
	grep -q "Postfix at scale" "$dir/intro.txt" || fail "the opportunity is not quoted"
	grep -q "You'd be great" "$dir/intro.txt" || fail "the member's note is missing"
	grep -qi "Bcc" "$dir/intro.txt" || fail "no 'move me to Bcc' line"
fi
ls "$dir/mail/intro.example.org/share/new/"* >/dev/null 2>&1 &&
	fail "the share itself was delivered to the share address"

# 2. the MTA sends the same message again: nothing new
swaks --from chris@members.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks2.log" 2>&1 ||
	fail "repeated share not accepted"
n=$($cli outbox list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 1 ] || fail "outbox has $n items after a repeat, expected 1"

# 3. a stranger: 550 5.7.1 in the SMTP dialogue
swaks --from mallory@strangers.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks3.log" 2>&1
grep -q "^<\*\* *550 5.7.1 " "$dir/swaks3.log" || fail "stranger not refused with 550 5.7.1: $(grep '^<\*' "$dir/swaks3.log")"

# 4. an unknown handle: 550 5.1.1 at RCPT
swaks --from chris@members.example --to share+nobody@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks4.log" 2>&1
grep -q "^<\*\* *550 5.1.1 " "$dir/swaks4.log" || fail "unknown handle not refused with 550 5.1.1"

# 5. no forward: 550 5.6.0
swaks --from chris@members.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/plain-note.eml" >"$dir/swaks5.log" 2>&1
grep -q "^<\*\* *550 5.6.0 " "$dir/swaks5.log" || fail "non-forward not refused with 550 5.6.0"

# 6. ordinary mail through the milter port is delivered untouched
swaks --from someone@elsewhere.example --to bob@elsewhere.example \
    --header "Subject: hello bob" --body "just mail" >"$dir/swaks6.log" 2>&1 ||
	fail "ordinary mail not accepted"
bob=$(pf_wait_mail "$dir/mail/elsewhere.example/bob") || fail "ordinary mail not delivered"

n=$($cli share list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 1 ] || fail "expected 1 share, found $n"
st=$($cli outbox list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
[ "$st" = sent ] || fail "outbox item is $st, expected sent"

if [ $failures -ne 0 ]; then
	echo "--- milter log ---"; cat "$dir/milter.log"
	echo "--- maillog ---"; tail -n 40 "$dir/maillog" 2>/dev/null
	exit 1
fi
echo "PASS: share -> intro through Postfix, header by header; refusals 5.7.1 5.1.1 5.6.0; duplicate; ordinary mail"
exit 0
