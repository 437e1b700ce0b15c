#!/bin/sh
# t-sendmail.sh - end to end through a real Sendmail on loopback, with the
# README's Sendmail lines as written: the test reads them from README.md,
# builds a .cf from them with m4 and Sendmail's cf/ files (a generic .mc
# head, as sendmail.org ships it), and checks the .cf keeps the MTA
# daemon on port 25 beside the 10025 relay and the 587 MSA. Then it runs
# that Sendmail (ports moved to free loopback ones, the MSA left out) with
# passalong-milter attached by INPUT_MAIL_FILTER: a member's forward goes
# in with swaks, the share is consumed, and the introduction comes back
# through the README's filterless relay daemon and leaves by the smart
# host, a small SMTP sink (tests/faults/relay.py) that keeps each message.
#
# Sendmail is not installed (sendmail-bin conflicts with postfix):
# tests/e2e/sendmail-fetch.sh unpacks Debian's packages into
# /var/cache/passalong-test/sendmail. Needs root (Sendmail's daemon),
# m4, swaks, python3, unshare(1); skips (77) without them or without the
# packages.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PA_BUILDDIR=${top_builddir:-$srcdir}

[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in m4 swaks python3 unshare; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
unshare -u true 2>/dev/null || { echo "unshare -u fails: skipped"; exit 77; }
root=$("$srcdir/tests/e2e/sendmail-fetch.sh" "${SENDMAIL_CACHE:-/var/cache/passalong-test/sendmail}") ||
	{ echo "no Sendmail packages: skipped"; exit 77; }
cfdir=$root/usr/share/sendmail/cf
sendmail=$root/usr/libexec/sendmail/sendmail
LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH

dir=$(mktemp -d /tmp/passalong-sendmail.XXXXXX)
chmod 755 "$dir"
sm_pid= milter_pid= sink_pid=
stop() {
	for p in $sm_pid $milter_pid $sink_pid; do kill -TERM "$p" 2>/dev/null; done
	for p in $sm_pid $milter_pid $sink_pid; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
}
# SM_KEEP=1 keeps the folder to look at
trap 'stop; [ -n "${SM_KEEP:-}" ] || rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# 1. the README's lines: the first block after "### Sendmail"
awk '/^### Sendmail/ { s = 1; next }
	s == 1 && /^```/ { s = 2; next }
	s == 2 && /^```/ { exit }
	s == 2 { print }' "$srcdir/README.md" >"$dir/readme.mc"
[ -s "$dir/readme.mc" ] || { echo "FAIL: no Sendmail lines in README.md"; exit 1; }
grep -q "INPUT_MAIL_FILTER(\`passalong'" "$dir/readme.mc" ||
	fail "the README's Sendmail lines attach no passalong filter"

# mc_head - a generic .mc's head (sendmail.org's generic-linux.mc), on
# Debian's cf/ files
mc_head() {
	cat <<MC
divert(-1)
define(\`_CF_DIR_', \`$cfdir/')
divert(0)dnl
include(\`$cfdir/m4/cf.m4')dnl
VERSIONID(\`passalong t-sendmail')dnl
OSTYPE(\`linux')dnl
MC
}
mc_tail() {
	printf "MAILER(\`local')dnl\nMAILER(\`smtp')dnl\n"
}
{ mc_head; cat "$dir/readme.mc"; mc_tail; } >"$dir/as-written.mc"
m4 "$dir/as-written.mc" >"$dir/as-written.cf" 2>"$dir/m4.err" ||
	fail "m4 failed on the README's lines: $(cat "$dir/m4.err")"
[ -s "$dir/m4.err" ] && fail "m4 complained: $(cat "$dir/m4.err")"
daemons=$(grep '^O DaemonPortOptions=' "$dir/as-written.cf")
echo "$daemons" | grep -q 'Port=smtp' ||
	fail "the README's lines remove the port-25 daemon: $daemons"
echo "$daemons" | grep -q 'Port=10025, Addr=127.0.0.1.*InputMailFilters=$' ||
	fail "no filterless loopback relay daemon on 10025: $daemons"
echo "$daemons" | grep -q 'Port=587' || fail "the MSA daemon is gone: $daemons"
grep -q '^Xpassalong, S=inet:8891@127.0.0.1, F=T' "$dir/as-written.cf" ||
	fail "no passalong filter in the .cf"
grep -q '^O InputMailFilters=passalong$' "$dir/as-written.cf" ||
	fail "the filter is not on by default: $(grep InputMailFilters "$dir/as-written.cf")"

# 2. the same lines, on free loopback ports, in a Sendmail of our own
port_in=$(free_port) port_relay=$(free_port) port_milter=$(free_port)
port_sink=$(free_port)
mkdir -p "$dir/queue" "$dir/sink"
chmod 700 "$dir/queue"
sed -e "s/Port=smtp\([,']\)/Port=$port_in, Addr=127.0.0.1\1/" \
    -e "s/Port=10025,/Port=$port_relay,/" \
    -e "s/inet:8891@127.0.0.1/inet:$port_milter@127.0.0.1/" \
    "$dir/readme.mc" >"$dir/local.mc"
{
	mc_head
	cat <<MC
dnl loopback only: no MSA on 587; everything leaves by the sink
FEATURE(\`no_default_msa')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`nocanonify')dnl
define(\`confDOMAIN_NAME', \`mx.intro.example.org')dnl
define(\`QUEUE_DIR', \`$dir/queue')dnl
define(\`STATUS_FILE', \`$dir/statistics')dnl
define(\`confPID_FILE', \`$dir/sendmail.pid')dnl
define(\`ALIAS_FILE', \`$dir/aliases')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confLOG_LEVEL', \`14')dnl
define(\`SMART_HOST', \`[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $port_sink')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $port_sink')dnl
define(\`SMTP_MAILER_ARGS', \`TCP \$h $port_sink')dnl
MC
	cat "$dir/local.mc"
	mc_tail
} >"$dir/sendmail.mc"
m4 "$dir/sendmail.mc" >"$dir/sendmail.cf" 2>"$dir/m4-local.err" ||
	{ cat "$dir/m4-local.err"; echo "FAIL: m4"; exit 1; }
: >"$dir/aliases"
: >"$dir/statistics"
grep '^O DaemonPortOptions=' "$dir/sendmail.cf"

cat >"$dir/passalong.conf" <<PA
[gateway]
domain = intro.example.org

[milter]
socket = inet:$port_milter@127.0.0.1
# no SASL here: trust a member's envelope sender
sender_auth = any

[store]
path = $dir/passalong.db

# the reliability of share -> introduction: no consent step
[consent]
mode = direct

[sender]
enabled = true
smtp_url = smtp://127.0.0.1:$port_relay
poll_interval = 1
retry_min = 1
PA
cli="$PA_BUILDDIR/passalong -c $dir/passalong.conf"
$cli init >/dev/null || exit 99
$cli member add chris@members.example --name "Chris Member" --handle chris >/dev/null || exit 99
$cli member add jane@friends.example --name "Jane Friend" --handle jane >/dev/null || exit 99

echo ok >"$dir/sink.mode"
python3 "$srcdir/tests/faults/relay.py" "$port_sink" "$dir/sink" "$dir/sink.mode" \
	>"$dir/sink.log" 2>&1 &
sink_pid=$!
"$PA_BUILDDIR/passalong-milter" -f -c "$dir/passalong.conf" >"$dir/milter.log" 2>&1 &
milter_pid=$!
# -bD: the daemon in the foreground, so its pid is ours. Sendmail wants
# a qualified name for its host before it reads the .cf (else it sleeps a
# minute and asks DNS): a host name of its own, in a UTS namespace.
unshare -u sh -c 'hostname mx.intro.example.org && exec "$@"' sh \
	"$sendmail" -C "$dir/sendmail.cf" -bD -L sm-passalong \
	>"$dir/sendmail.log" 2>&1 &
sm_pid=$!

wait_port() { # wait_port PORT WHAT
	i=0
	while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "FAIL: $2 does not listen"; return 1; }
		sleep 0.1
	done
}
wait_port "$port_sink" sink && wait_port "$port_milter" passalong-milter &&
	wait_port "$port_in" "sendmail (MTA)" &&
	wait_port "$port_relay" "sendmail (passalong-relay)" || {
	echo "--- sendmail ---"; cat "$dir/sendmail.log"
	echo "--- milter ---"; cat "$dir/milter.log"
	exit 1
}

swaks() { command swaks --server 127.0.0.1 --port "$port_in" --timeout 30 "$@"; }
# sink_wait RCPT - the first message the sink kept for RCPT, bounded
sink_wait() {
	i=0
	while [ $i -lt 600 ]; do
		f=$(grep -l "^X-Relay-Rcpt: $1.\{0,1\}\$" "$dir/sink/"*.eml 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# 3. a share: accepted, consumed, an introduction to three people
swaks --from chris@members.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks1.log" 2>&1 ||
	fail "share not accepted: $(grep -E '^<[~*]' "$dir/swaks1.log" | tail -n 2)"
if intro=$(sink_wait jane@friends.example); then
	for r in dana@confs.example chris@members.example; do
		sink_wait $r >/dev/null || fail "no introduction for $r"
	done
else
	fail "no introduction for jane"
fi
if [ -n "$intro" ]; then
	sed '/^X-Relay-Rcpt: /d' "$intro" >"$dir/intro.eml"
	"$PA_BUILDDIR/tests/e2e/mailcheck" "$dir/intro.eml" >"$dir/intro.txt" ||
		fail "the introduction is not a message"
	grep -q '^from-address: intros@intro.example.org$' "$dir/intro.txt" ||
		fail "From: $(grep '^from' "$dir/intro.txt")"
	grep -q '^to: jane@friends.example, dana@confs.example$' "$dir/intro.txt" ||
		fail "To: $(grep '^to:' "$dir/intro.txt")"
	grep -q '^in-reply-to: <fwd-0001@members.example>$' "$dir/intro.txt" ||
		fail "In-Reply-To: $(grep '^in-reply-to' "$dir/intro.txt")"
	grep -q '^	by mx.intro.example.org (8\.' "$intro" ||
		fail "the introduction did not pass through Sendmail"
fi
grep -l -i '^X-Relay-Rcpt: share' "$dir/sink/"*.eml >/dev/null 2>&1 &&
	fail "the share itself went on to the share address"
n=$($cli share list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 1 ] || fail "expected 1 share, found $n"
st=$($cli outbox list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
[ "$st" = sent ] || fail "the introduction is $st in the outbox, expected sent"

# 4. a stranger: 550 5.7.1 in Sendmail's SMTP dialogue
swaks --from mallory@strangers.example --to share+jane@intro.example.org \
    --data "$srcdir/tests/milter/forward-gmail.eml" >"$dir/swaks2.log" 2>&1
grep -q "^<\*\* *550 5.7.1 " "$dir/swaks2.log" ||
	fail "stranger not refused with 550 5.7.1: $(grep '^<\*' "$dir/swaks2.log")"

# 5. ordinary mail passes the milter untouched
swaks --from someone@elsewhere.example --to bob@elsewhere.example \
    --header "Subject: hello bob" --body "just mail" >"$dir/swaks3.log" 2>&1 ||
	fail "ordinary mail not accepted: $(grep -E '^<[~*]' "$dir/swaks3.log" | tail -n 2)"
sink_wait bob@elsewhere.example >/dev/null || fail "ordinary mail not delivered"

if [ $failures -ne 0 ]; then
	echo "--- sendmail.cf daemons ---"; grep -E '^O (DaemonPortOptions|InputMailFilters)|^X' "$dir/sendmail.cf"
	echo "--- sendmail ---"; cat "$dir/sendmail.log"
	echo "--- milter log ---"; cat "$dir/milter.log"
	echo "--- sink ---"; cat "$dir/sink.log"; ls -l "$dir/sink"
	exit 1
fi
echo "PASS: README's Sendmail lines keep port 25; share -> intro through Sendmail; 5.7.1; ordinary mail"
exit 0
