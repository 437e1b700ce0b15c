#!/bin/sh
# t-postfix-consent.sh - consent first, end to end through a real Postfix
# on loopback: a member's forward goes in; the consent request reaches
# the friend's Maildir alone (the requester's mailbox stays empty);
# the friend's reply goes back through Postfix to intro+TOKEN@; the
# introduction then reaches the friend's and the requester's Maildirs,
# each checked header by header as GMime reads it. Needs root, postfix,
# swaks; skips (77) without them. PA_TEST_PG runs it on PostgreSQL.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PA_BUILDDIR=${top_builddir:-$srcdir}
export PA_BUILDDIR

[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in postfix swaks python3; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
id postfix >/dev/null 2>&1 || { echo "no postfix user: skipped"; exit 77; }

. "$srcdir/tests/e2e/postfix-lib.sh"
dir=$(mktemp -d /tmp/passalong-e2ec.XXXXXX)
trap 'pf_stop; rm -rf "$dir"' EXIT INT TERM
PF_CONSENT=ask
export PF_CONSENT
pf_setup "$dir"
cli="$PA_BUILDDIR/passalong -c $PA_CONF"
check="$PA_BUILDDIR/tests/e2e/mailcheck"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # expect FILE FIELD VALUE: one header as mailcheck prints it
	got=$(grep "^$2: " "$1" | head -n 1 | cut -d' ' -f2-)
	[ "$got" = "$3" ] || fail "$(basename "$1") $2: expected '$3', got '$got'"
}
$cli init >/dev/null || exit 99
$cli member add chris@members.example --name "Chris Member" --handle chris >/dev/null || exit 99
$cli member add jane@friends.example --name "Jane Friend" --handle jane >/dev/null || exit 99
pf_start || exit 99
swaks() { command swaks --server 127.0.0.1 --port "$PF_PORT_IN" --timeout 30 "$@"; }

# 1. the share: the question reaches Jane alone, the member gets a note
swaks --from chris@members.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks1.log" 2>&1 ||
	fail "share not accepted: $(grep -E '^<[~*]' "$dir/swaks1.log" | tail -n 2)"
ask=$(pf_wait_mail "$dir/mail/friends.example/jane") || fail "no consent request for jane"
note=$(pf_wait_mail "$dir/mail/members.example/chris") || fail "no confirmation for chris"
ls "$dir/mail/confs.example/dana/new/"* >/dev/null 2>&1 &&
	fail "the requester heard of the share before the friend said yes"
[ -n "$ask" ] || { cat "$dir/milter.log"; exit 1; }
"$check" "$ask" >"$dir/ask.txt" || fail "consent request not a message"
expect "$dir/ask.txt" from-name "Chris Member via passalong"
expect "$dir/ask.txt" from-address "intros@intro.example.org"
expect "$dir/ask.txt" to "jane@friends.example"
expect "$dir/ask.txt" auto-submitted "auto-generated"
grep -q "^subject: Chris thinks you'd be great for this: Speaker for our March meetup?" "$dir/ask.txt" ||
	fail "consent subject: $(grep '^subject' "$dir/ask.txt")"
grep -q "dana@confs.example" "$dir/ask.txt" && fail "the requester's address is in the consent request"
grep -qi "yes or no" "$dir/ask.txt" || fail "the request does not say how to answer"
token=$(grep '^reply-to: ' "$dir/ask.txt" | sed -n 's/.*intro+\([a-z2-7]*\)@intro\.example\.org.*/\1/p')
[ -n "$token" ] || fail "no intro+TOKEN Reply-To: $(grep '^reply-to' "$dir/ask.txt")"

# 2. Jane answers through Postfix, from her own address
cat >"$dir/yes.eml" <<MSG
From: Jane Friend <jane@friends.example>
To: intro+$token@intro.example.org
Subject: Re: Chris thinks you'd be great for this
Message-ID: <yes-1@friends.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Yes, happy to talk to them!

Jane

On Mon, Chris Member via passalong wrote:
> Reply with yes or no on the first line.
MSG
swaks --from jane@friends.example --to "intro+$token@intro.example.org" \
    --data "$dir/yes.eml" >"$dir/swaks2.log" 2>&1 ||
	fail "the answer was not accepted: $(grep -E '^<[~*]' "$dir/swaks2.log" | tail -n 2)"

# 3. the introduction reaches both, the member in Cc
dana=$(pf_wait_mail "$dir/mail/confs.example/dana") || fail "no introduction for dana"
if [ -n "$dana" ]; then
	"$check" "$dana" >"$dir/intro.txt" || fail "intro not a message"
	expect "$dir/intro.txt" from-name "Chris Member via passalong"
	expect "$dir/intro.txt" to "jane@friends.example, dana@confs.example"
	expect "$dir/intro.txt" cc "chris@members.example"
	expect "$dir/intro.txt" reply-to "jane@friends.example, dana@confs.example"
	expect "$dir/intro.txt" in-reply-to "<fwd-0001@members.example>"
	grep -q "^subject: Dana, meet Jane: Speaker for our March meetup?" "$dir/intro.txt" ||
		fail "intro subject: $(grep '^subject' "$dir/intro.txt")"
	grep -qi "said yes" "$dir/intro.txt" || fail "the intro does not say Jane said yes"
	grep -qi "Bcc" "$dir/intro.txt" || fail "no 'move me to Bcc' line"
fi
n=$(ls "$dir/mail/friends.example/jane/new/" | wc -l)
[ "$n" -ge 2 ] || fail "jane got $n messages, expected the request and the intro"
st=$($cli share list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
i=0
while [ "$st" != introduced ] && [ $i -lt 100 ]; do
	sleep 0.2; i=$((i + 1))
	st=$($cli share list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
done
[ "$st" = introduced ] || fail "share is $st, expected introduced"
# what went out is what the store kept
$cli outbox show 1 | grep -q "intro+$token@" || fail "outbox show 1 is not the request sent"

if [ $failures -ne 0 ]; then
	echo "--- milter log ---"; cat "$dir/milter.log"
	echo "--- maillog ---"; tail -n 40 "$dir/maillog" 2>/dev/null
	exit 1
fi
echo "PASS: share -> consent request -> yes by mail -> introduction, through Postfix, header by header"
exit 0
