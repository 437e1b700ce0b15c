#!/bin/bash
# t-faults.sh - the fault harness: a few hundred unique shares through a
# throw-away real Postfix while one fault at a time is injected, then every
# message accounted for (tests/faults/account.py).
#
#   front smtpd (no milter) --Postfix queue, real retries--> gateway smtpd
#   (passalong-milter) --outbox--> relay.py (a relay the harness controls)
#
# Phases, in order (FAULT_N scales them; default 50 gives 300 shares):
#   baseline     no fault
#   kill9        passalong-milter killed with SIGKILL 3 times under load,
#                restarted each time; once while its worker waits for the
#                relay's 250 (the one window SMTP leaves: that recipient
#                gets a second copy, which account.py must see explained)
#   disk-full    the store's file system (a tmpfs mounted here) filled up
#                while shares arrive, then freed
#   db-lock      an exclusive lock held on the database past busy_timeout
#   relay-4xx    the relay down, then answering 451 to every RCPT, then
#                recovered
#   relay-5xx    the relay refusing one recipient of each introduction
#                with 550 (the requester's mailbox is gone)
# The invariant, checked by account.py: nothing accepted by SMTP is lost,
# nothing is recorded twice, nothing delivered twice, every introduction
# reaches every recipient that exists, every refused recipient is reported
# to the member. Every wait is bounded; everything started is stopped.
# Needs root (Postfix, mount); skips (77) without it. FAULT_KEEP=1 keeps
# its folder (logs, the relay's dump, the store) for a look afterwards.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PA_BUILDDIR=${top_builddir:-$srcdir}
export PA_BUILDDIR
here=$srcdir/tests/faults
N=${FAULT_N:-50}

[ "$N" -gt 0 ] 2>/dev/null || { echo "FAULT_N=$N: skipped"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in postfix postqueue python3 sqlite3; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
id postfix >/dev/null 2>&1 || { echo "no postfix user: skipped"; exit 77; }

. "$srcdir/tests/e2e/postfix-lib.sh"
. "$here/lib.sh"
dir=$(mktemp -d /tmp/passalong-faults.XXXXXX)
LOCK_PID=
cleanup() {
	[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
	[ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null
	pf_stop
	wait 2>/dev/null
	mountpoint -q "$dir/store" 2>/dev/null && umount "$dir/store"
	if [ -n "${FAULT_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pf_setup "$dir"
RELAY_PORT=$(pf_free_port)
cli="$PA_BUILDDIR/passalong -c $PA_CONF"
log() { fl_log "$@"; }
# mark/exercised: a phase must have met its fault, or it proved nothing
unexercised=0
mark() { grep -c -- "$1" "$dir/milter.log" 2>/dev/null; }
exercised() { # exercised PHASE WHAT BEFORE PATTERN
	local now
	now=$(mark "$4")
	if [ "${now:-0}" -le "${3:-0}" ]; then
		log "$1: FAULT NOT MET: no new '$4' ($2)"
		unexercised=$((unexercised + 1))
	else
		log "$1: $2: $((now - ${3:-0})) times"
	fi
}

# the store on a small file system of its own, so that it can be filled
mkdir -p "$dir/store" "$dir/relay"
mount -t tmpfs -o size=24m,mode=0755 tmpfs "$dir/store" ||
	{ echo "cannot mount a tmpfs: skipped"; exit 77; }
echo ok >"$dir/relay.mode"

# the front: no milter; every 4xx of the gateway is retried by Postfix
fl_front_setup

cat >"$PA_CONF" <<PA
[gateway]
domain = intro.example.org

[milter]
socket = inet:$PF_MILTER_PORT@127.0.0.1
sender_auth = any

[limits]
shares_per_hour = 0
shares_per_day = 0
intros_per_friend_per_week = 0
consent_requests_per_friend_per_week = 0

[store]
path = $dir/store/passalong.db
busy_timeout = 300

# the reliability of share -> introduction: no consent step
[consent]
mode = direct

[sender]
enabled = true
smtp_url = smtp://127.0.0.1:$RELAY_PORT
poll_interval = 1
retry_min = 1
retry_max = 2
max_attempts = 200
PA
# a short lease, when this build has one: a killed worker's rows come back
echo "lease = 30" >>"$PA_CONF"
if "$PA_BUILDDIR/passalong-milter" -n -c "$PA_CONF" 2>&1 | grep -q "lease: unknown key"; then
	sed -i '/^lease = /d' "$PA_CONF"	# a build from before leases
fi

$cli init >/dev/null || exit 99
$cli member add chris@members.example --name "Chris Member" --handle chris >/dev/null || exit 99

milter_kill9() {
	kill -9 "$PF_MILTER_PID" 2>/dev/null
	wait "$PF_MILTER_PID" 2>/dev/null
	log "killed passalong-milter (SIGKILL)"
}

# send PHASE COUNT [gone]: COUNT new forwards, numbered on from the last
next=1
send() {
	python3 "$here/client.py" "$PF_PORT_FRONT" "$1" "$next" "$2" ${3:-} \
	    >>"$dir/accepted.tsv" 2>>"$dir/client.err" ||
		log "the front refused some mail (see below)"
	next=$((next + $2))
}
send_bg() {
	send "$@" &
	SEND_PID=$!
	next=$((next + $2))
}

# drained - Postfix's queue empty and every outbox row finished
drained() {
	fl_queue_empty "$PF_CONF" || return 1
	$cli outbox list --json 2>/dev/null | python3 -c '
import json, sys
rows = json.load(sys.stdin)
sys.exit(0 if all(r["status"] in ("sent", "failed") for r in rows) else 1)'
}
# drain PHASE: wait (bounded) until everything has settled
drain() { fl_drain "$1" drained "$PF_CONF"; }

relay_start || exit 99
pf_milter_start || exit 99
pf_postfix_start || exit 99
undrained=0

log "baseline: $((N / 2)) shares"
send baseline $((N / 2))
drain baseline || undrained=$((undrained + 1))

log "kill9: $((N * 2)) shares (and 3 more for the aimed kill), passalong-milter killed 3 times"
send_bg kill9 $((N * 2))
for k in 1 2 3; do
	sleep 1.5
	if [ "$k" = 2 ]; then
		# once at the worst moment: the relay has taken a message and
		# the worker waits for its 250 (a slow relay holds it there)
		echo slow >"$dir/relay.mode"
		# a few more shares, so that the worker has mail to deliver
		# even when it has caught up with the load
		send kill9 3
		for _ in $(seq 200); do
			[ -e "$dir/relay.mode.holding" ] && break
			sleep 0.05
		done
	fi
	milter_kill9
	echo ok >"$dir/relay.mode"
	sleep 0.5
	pf_milter_start || exit 99
done
wait "$SEND_PID"
drain kill9 || undrained=$((undrained + 1))

log "disk-full: $N shares while the store's file system is full"
m_store=$(mark "store failed")
# SQLite reuses the space of its write-ahead log: empty it first, so that
# the next commits must grow it into a full file system
sqlite3 "$dir/store/passalong.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
dd if=/dev/zero of="$dir/store/filler" bs=64k >/dev/null 2>&1
log "store file system: $(df -h --output=avail "$dir/store" | tail -n 1) free"
send disk-full "$N"
sleep 3
rm -f "$dir/store/filler"
log "disk-full: space freed"
drain disk-full || undrained=$((undrained + 1))
exercised disk-full "shares answered 451 by a failing store" "$m_store" "store failed"

log "db-lock: $N shares; an exclusive lock held for 6 s, taken while the worker is mid-delivery"
m_store=$(mark "store failed")
m_kept=$(mark "record deferred")
# a slow relay, so that the worker is waiting for the relay's 250 when the
# lock is taken: the outcome must then be kept until the store takes it
echo slow >"$dir/relay.mode"
send db-lock $((N / 2))
for _ in $(seq 300); do
	$cli outbox list --json 2>/dev/null | grep -q '"sending"' && break
	sleep 0.1
done
python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(6)
c.execute("ROLLBACK")' "$dir/store/passalong.db" >"$dir/lock.log" 2>&1 &
LOCK_PID=$!
for _ in $(seq 100); do grep -q locked "$dir/lock.log" && break; sleep 0.1; done
log "db-lock: locked"
echo ok >"$dir/relay.mode"
send db-lock $((N - N / 2))
wait "$LOCK_PID"
LOCK_PID=
drain db-lock || undrained=$((undrained + 1))
exercised db-lock "shares answered 451 by a locked store" "$m_store" "store failed"
exercised db-lock "delivered outcomes kept until the store took them" "$m_kept" "record deferred"

log "relay-4xx: $N shares; the relay down for 4 s, then 451 for 4 s"
m_defer=$(mark "outbox: deferred id=")
relay_stop
send relay-4xx "$N"
sleep 4
echo tempfail >"$dir/relay.mode"
relay_start || exit 99
sleep 4
echo ok >"$dir/relay.mode"
drain relay-4xx || undrained=$((undrained + 1))
exercised relay-4xx "deliveries deferred by a down or 451 relay" "$m_defer" "outbox: deferred id="

log "relay-5xx: $((N / 2)) shares whose requester's mailbox is gone"
send relay-5xx $((N / 2)) gone
drain relay-5xx || undrained=$((undrained + 1))

$cli share list --json >"$dir/shares.json" || exit 99
$cli outbox list --json >"$dir/outbox.json" || exit 99
echo "--- accounting (front accepted -> store -> relay) ---"
python3 "$here/account.py" "$dir/accepted.tsv" "$dir/shares.json" "$dir/relay" \
    --crash-window kill9
rc=$?
[ -s "$dir/client.err" ] && { echo "--- client ---"; head -n 20 "$dir/client.err"; rc=1; }
st=$(python3 -c '
import collections, json, sys
c = collections.Counter(r["status"] for r in json.load(open(sys.argv[1])))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$dir/outbox.json")
echo "outbox: $st"
echo "milter: $(grep -c '451' "$dir/milter.log") lines with 451, $(grep -c 'starting version' "$dir/milter.log") starts"
[ "$undrained" -eq 0 ] || { echo "FAIL: $undrained phases did not drain"; rc=1; }
[ "$unexercised" -eq 0 ] || { echo "FAIL: $unexercised faults were not met"; rc=1; }
starts=$(mark "starting version")
[ "$starts" -eq 4 ] || { echo "FAIL: passalong-milter started $starts times, expected 4"; rc=1; }
if [ "$rc" -ne 0 ]; then
	echo "--- milter log (tail) ---"; tail -n 40 "$dir/milter.log"
	echo "--- maillog (tail) ---"; tail -n 20 "$dir/maillog" 2>/dev/null
	exit 1
fi
echo "PASS: fault harness: nothing lost, nothing twice, every refusal reported"
exit 0
