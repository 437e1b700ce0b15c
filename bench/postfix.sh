#!/bin/bash
# postfix.sh - tier 2 of `make bench`: mail through a real Postfix with no
# milter, with a null milter and with passalong-milter, side by side.
#
# Usage: bench/postfix.sh BUILDDIR        (as root; bench/run calls it)
#
# One throw-away Postfix (postfix -c, a mktemp folder, 127.0.0.1 only)
# has three smtpd listeners: "none" (no milter), "null" (BUILDDIR/bench/
# null-milter: every stage it can negotiated away, accepts at DATA) and
# "passalong" (BUILDDIR/passalong-milter, sender disabled, no rate
# limits). Everything Postfix relays goes to one smtp-sink on loopback
# (relayhost): nothing is delivered locally. Two kinds of mail go to each
# mode in interleaved rounds (for round: for mail: for mode):
#   ordinary  smtp-source, 5 KB messages from x@ to bob@elsewhere.example
#   share     bench/smtp-blast, unique 20 KB inline forwards from the member
#             chris@ to share+jane@intro.example.org: none and null relay
#             them to the sink, passalong records a share and discards them
# A run's time runs from the client's start until the client has exited
# and Postfix's queue (incoming, active, deferred, maildrop) is empty,
# polled every 20 ms; msg/s = messages / time. Each run is checked: the
# client had every message accepted, the sink received them all (none,
# null; passalong's ordinary mail) or the store holds that many more
# shares and the sink got none (passalong's share mail); a run that fails
# its check fails the bench (exit 1) instead of printing a number.
#
# Postfix's flow control is off (in_flow_delay = 0) in every mode: with
# it on, cleanup(8) waits up to in_flow_delay for a token before taking a
# message when arrivals outrun deliveries, and only a delivered message
# gives a token back. A share that passalong consumes is discarded, never
# delivered, so share mail through passalong would run at about SESSIONS
# / in_flow_delay msg/s (20/s here), measuring the bench's session count
# rather than the milter. BENCH_IN_FLOW_DELAY=1s shows that behaviour.
#
# Prints ONE markdown section on stdout, progress on stderr. Exit 77 (with
# the reason) when not root or Postfix's programs are missing. Below the
# table, the milters' CPU time per message (utime + stime from /proc).
#
# Environment: BENCH_MESSAGES (2000) per run, BENCH_SESSIONS (20) in
# parallel, BENCH_ROUNDS (3), BENCH_CALIBRATE (1: also smtp-blast's plain
# mail against smtp-source in mode none; 0: not), BENCH_KEEP=1 keeps the
# temporary folder (its path is printed), BENCH_IN_FLOW_DELAY (0; Postfix's
# default is 1s). BENCH_MODES (none null
# passalong) narrows the modes while developing; none must stay.
set -u

me=postfix.sh
[ $# -eq 1 ] && [ -d "$1" ] || {
	echo "usage: $me BUILDDIR" >&2
	exit 64
}
builddir=$(cd "$1" && pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_MESSAGES:-2000}
S=${BENCH_SESSIONS:-20}
R=${BENCH_ROUNDS:-3}
CALIBRATE=${BENCH_CALIBRATE:-1}
ORD_SIZE=5120
SHARE_SIZE=20480
CLIENT_LIMIT=600 # seconds a client may run (its own timeouts come first)
QUEUE_LIMIT=120  # seconds for the queue to empty once the client is done
WARM=$((S * 4)) # untimed messages to each mode before round 1
IN_FLOW_DELAY=${BENCH_IN_FLOW_DELAY:-0} # Postfix's default is 1s: see above
MODES=${BENCH_MODES:-none null passalong}
case " $MODES " in
*" none "*) ;;
*) echo "$me: BENCH_MODES must include none (the baseline)" >&2; exit 64 ;;
esac
has_null() { case " $MODES " in *" null "*) return 0 ;; esac; return 1; }

skip() {
	echo "$me: skipped: $*" >&2
	exit 77
}
die() {
	echo "$me: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || skip "not root (Postfix needs it)"
for t in postfix postconf smtp-source smtp-sink python3 timeout; do
	command -v $t >/dev/null 2>&1 || skip "$t is missing"
done
id postfix >/dev/null 2>&1 || skip "no postfix user"
progs="passalong passalong-milter bench/smtp-blast"
has_null && progs="$progs bench/null-milter"
for f in $progs; do
	[ -x "$builddir/$f" ] ||
		die "$builddir/$f is missing (make $f)"
done

. "$srcdir/tests/e2e/postfix-lib.sh" # pf_free_port, pf_master_services

dir=$(mktemp -d /tmp/passalong-bench.XXXXXX) || die "mktemp failed"
pids=""
master=""
client="" # the load generator running now
declare -A mpid # the milters' process ids by mode
cleanup() {
	if [ -n "$client" ]; then
		kill -TERM "$client" 2>/dev/null
		wait "$client" 2>/dev/null
	fi
	if [ -n "$master" ]; then
		postfix -c "$dir/postfix" stop >/dev/null 2>&1
		i=0
		while kill -0 "$master" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$master" 2>/dev/null
	fi
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "$me: kept $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# listening PORT - is something accepting connections on 127.0.0.1:PORT
listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_port PORT PID WHAT - wait (10 s) until PORT listens while PID lives
wait_port() {
	i=0
	until listening "$1"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || { [ -n "$2" ] && ! kill -0 "$2" 2>/dev/null; }; then
			die "$3 does not listen on port $1"
		fi
		sleep 0.1
	done
}

# now - microseconds since the epoch (bash 5, no process started)
now() {
	echo "${EPOCHREALTIME/./}"
}


# ---- the instance -----------------------------------------------------
setup() {
	P_NONE=$(pf_free_port)
	P_NULL=$(pf_free_port)
	P_PA=$(pf_free_port)
	P_SINK=$(pf_free_port)
	M_NULL=$(pf_free_port)
	M_PA=$(pf_free_port)
	CONF=$dir/passalong.conf
	mkdir -p "$dir/postfix" "$dir/queue" "$dir/data"
	# Postfix's own processes must reach everything below $dir
	chmod 755 "$dir"
	d=$dir
	while [ "$d" != / ]; do
		chmod o+x "$d" 2>/dev/null
		d=$(dirname "$d")
	done
	chown postfix "$dir/data"
	cat >"$dir/postfix/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mx.intro.example.org
mydomain = intro.example.org
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
# nothing is delivered here: every message goes to the smtp-sink
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
relayhost = [127.0.0.1]:$P_SINK
smtputf8_enable = no
biff = no
milter_default_action = tempfail
milter_protocol = 6
CF
	echo "in_flow_delay = $IN_FLOW_DELAY" >>"$dir/postfix/main.cf"
	cat >"$dir/postfix/master.cf" <<MC
127.0.0.1:$P_NONE inet n - n - - smtpd
  -o smtpd_milters=
127.0.0.1:$P_NULL inet n - n - - smtpd
  -o smtpd_milters=inet:127.0.0.1:$M_NULL
127.0.0.1:$P_PA inet n - n - - smtpd
  -o smtpd_milters=inet:127.0.0.1:$M_PA
$(pf_master_services)
MC
	cat >"$CONF" <<PA
[gateway]
domain = intro.example.org

[milter]
socket = inet:$M_PA@127.0.0.1
# this Postfix has no SASL: trust a member's envelope sender
sender_auth = any

[limits]
shares_per_hour = 0
shares_per_day = 0
intros_per_friend_per_week = 0
consent_requests_per_friend_per_week = 0

[store]
path = $dir/passalong.db

# the reliability of share -> introduction: no consent step
[consent]
mode = direct

[sender]
# introductions stay in the outbox: the bench measures the milter
enabled = false

[digest]
enabled = false
PA
	pa() { "$builddir/passalong" -c "$CONF" "$@"; }
	pa init >/dev/null || die "passalong init failed"
	pa member add chris@members.example --name "Chris Member" \
	    --handle chris >/dev/null || die "member add chris failed"
	pa member add jane@friends.example --name "Jane Friend" \
	    --handle jane >/dev/null || die "member add jane failed"
}

start() {
	smtp-sink -c -u nobody "127.0.0.1:$P_SINK" 256 >"$dir/sink.out" \
	    2>"$dir/sink.err" &
	pids="$pids $!"
	wait_port "$P_SINK" $! smtp-sink
	if has_null; then
		"$builddir/bench/null-milter" -p "inet:$M_NULL@127.0.0.1" \
		    >"$dir/null-milter.log" 2>&1 &
		pids="$pids $!"
		mpid[null]=$!
		wait_port "$M_NULL" $! null-milter
	fi
	"$builddir/passalong-milter" -f -c "$CONF" >"$dir/milter.log" 2>&1 &
	pids="$pids $!"
	mpid[passalong]=$!
	wait_port "$M_PA" $! passalong-milter
	postfix -c "$dir/postfix" start >"$dir/postfix-start.log" 2>&1 || {
		cat "$dir/postfix-start.log" "$dir/maillog" >&2 2>/dev/null
		die "postfix did not start"
	}
	master=$(tr -d ' ' <"$dir/queue/pid/master.pid")
	for p in $P_NONE $P_NULL $P_PA; do
		wait_port "$p" "$master" postfix
	done
}

# ---- counting ---------------------------------------------------------
# sink_count - messages smtp-sink has received ("." seen) so far
sink_count() {
	n=$(tr '\r' '\n' <"$dir/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' |
	    tail -n 1)
	echo "${n:-0}"
}

# share_count - shares in the store, every status
share_count() {
	"$builddir/passalong" -c "$CONF" stats --json |
	    python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["shares"].values()))'
}

# cpu_ticks MODE - CPU time (utime + stime, clock ticks) of MODE's milter
cpu_ticks() {
	pid=${mpid[$1]:-}
	if [ -z "$pid" ]; then
		echo 0
		return
	fi
	# the fields after ") " of /proc/PID/stat: utime and stime are 12, 13
	sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
}

# queue_empty - no message in incoming, active, deferred or maildrop
queue_empty() {
	[ -z "$(find "$dir/queue/incoming" "$dir/queue/active" \
	    "$dir/queue/deferred" "$dir/queue/maildrop" -type f -print -quit \
	    2>/dev/null)" ]
}

# ---- one run ----------------------------------------------------------
# run MAIL MODE ROUND - send N messages, wait for the queue, check; the
# msg/s in RATE, the milter's CPU µs per message in CPU_US. MAIL is ordinary, share or blast-plain (calibration)
run() {
	mail=$1 mode=$2 round=$3
	case $mode in
	none) port=$P_NONE ;;
	null) port=$P_NULL ;;
	passalong) port=$P_PA ;;
	esac
	log=$dir/client-$mail-$mode-$round.log
	sink0=$(sink_count)
	[ "$mode/$mail" = passalong/share ] && shares0=$(share_count)
	cpu0=$(cpu_ticks "$mode")
	t0=$(now)
	case $mail in
	ordinary)
		timeout $CLIENT_LIMIT smtp-source -s "$S" -m "$N" -l $ORD_SIZE \
		    -f x@elsewhere.example -t bob@elsewhere.example \
		    "127.0.0.1:$port" >"$log" 2>&1 &
		;;
	share)
		timeout $CLIENT_LIMIT "$builddir/bench/smtp-blast" -s "$S" \
		    -m "$N" -l $SHARE_SIZE -t "r$round-$mode-$$" \
		    "127.0.0.1:$port" >"$log" 2>&1 &
		;;
	blast-plain)
		timeout $CLIENT_LIMIT "$builddir/bench/smtp-blast" -k plain \
		    -s "$S" -m "$N" -l $ORD_SIZE -t "c$round-$$" \
		    "127.0.0.1:$port" >"$log" 2>&1 &
		;;
	esac
	# in the background: wait returns at once on a signal, the trap
	# then stops the client (a foreground one would run to its end)
	client=$!
	wait $client
	rc=$?
	client=""
	[ $rc -eq 0 ] || {
		tail -n 5 "$log" >&2
		fail "$mail/$mode round $round: the client failed (exit $rc)"
	}
	deadline=$(($(now) + QUEUE_LIMIT * 1000000))
	until queue_empty; do
		if [ "$(now)" -gt $deadline ]; then
			fail "$mail/$mode round $round: the queue is not empty ${QUEUE_LIMIT}s after the client"
		fi
		sleep 0.02
	done
	t1=$(now)
	CPU_US=$(awk -v a="$cpu0" -v b="$(cpu_ticks "$mode")" -v n="$N" \
	    -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) * 1e6 / hz / n }')
	check "$mail" "$mode" "$round" "$log"
	RATE=$(awk -v n="$N" -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.1f", n / (b - a) * 1e6 }')
}

# check MAIL MODE ROUND LOG - did the run do the real work
check() {
	if [ "$1" != ordinary ]; then
		grep -q "^accepted=$N failed=0 " "$4" ||
		    fail "$1/$2 round $3: smtp-blast: $(cat "$4")"
	fi
	if [ "$2/$1" = passalong/share ]; then
		got=$(($(share_count) - shares0))
		[ "$got" -eq "$N" ] ||
		    fail "$1/$2 round $3: $got new shares in the store, expected $N"
		want=$sink0
	else
		want=$((sink0 + N))
	fi
	# the sink counts before it answers; give its output a moment
	i=0
	while [ "$(sink_count)" -lt "$want" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	got=$(($(sink_count) - sink0))
	[ "$got" -eq $((want - sink0)) ] ||
	    fail "$1/$2 round $3: the sink received $got messages, expected $((want - sink0))"
}

fail() {
	echo "$me: FAILED: $*" >&2
	echo "--- milter log (tail) ---" >&2
	tail -n 10 "$dir/milter.log" >&2
	echo "--- maillog (tail) ---" >&2
	tail -n 10 "$dir/maillog" >&2 2>/dev/null
	exit 1
}

# median V... - the median of numbers (the mean of the middle two)
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR % 2) print v[(NR + 1) / 2];
	          else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# row MAIL LABEL MODE TARGET - one table row from the medians
row() {
	m=${med[$1/$3]}
	base=${med[$1/none]}
	ratio=$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
	case $3 in
	none) target="—" verdict="baseline" ;;
	null) target="—" verdict="reference" ;;
	*)
		target="≥ $4"
		verdict=$(awk -v r="$ratio" -v t="$4" 'BEGIN {
		    if (r >= t) print "met";
		    else printf "missed by %.0f%%\n", (t - r) / t * 100 }')
		;;
	esac
	label=$3
	[ "$3" = null ] && label="null milter"
	printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$label" \
	    "$(printf "%'.0f" "$m")" "$ratio" "$target" "$verdict"
}

# ---- main -------------------------------------------------------------
setup
start
declare -A rates med cpus
kinds="ordinary share"
# warm-up, not timed: Postfix starts its smtpd, cleanup and smtp
# processes on demand; let each listener have them before round 1
for mode in $MODES; do
	N=$WARM run ordinary "$mode" 0
done
for round in $(seq 1 "$R"); do
	for mail in $kinds; do
		for mode in $MODES; do
			run "$mail" "$mode" "$round"
			rates[$mail/$mode]="${rates[$mail/$mode]:-} $RATE"
			cpus[$mail/$mode]="${cpus[$mail/$mode]:-} $CPU_US"
			echo "$me: round $round/$R $mail $mode: $RATE msg/s" >&2
		done
		if [ "$mail" = ordinary ] && [ "$CALIBRATE" = 1 ]; then
			run blast-plain none "$round"
			rates[blast-plain/none]="${rates[blast-plain/none]:-} $RATE"
			echo "$me: round $round/$R calibration: smtp-blast plain none: $RATE msg/s" >&2
		fi
	done
done
for k in "${!rates[@]}"; do
	# shellcheck disable=SC2086 # the list of rates, split on purpose
	med[$k]=$(median ${rates[$k]})
done
cpu_line=""
for mode in $MODES; do
	[ "$mode" = none ] && continue
	label=$mode
	[ "$mode" = null ] && label="null milter"
	# shellcheck disable=SC2086 # the list of values, split on purpose
	cpu_line="$cpu_line${cpu_line:+; }$label $(median ${cpus[ordinary/$mode]}) µs ordinary, $(median ${cpus[share/$mode]}) µs share"
done

version=$(postconf -d -h mail_version 2>/dev/null)
cores=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
intros=$("$builddir/passalong" -c "$CONF" stats --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["outbox"]["queued"])')

echo "### Tier 2: through Postfix"
echo
echo "Postfix $version on 127.0.0.1, $cores cores (${cpu:-unknown CPU}): one"
echo "instance, three smtpd listeners (no milter, \`bench/null-milter\`,"
echo "passalong-milter), all mail relayed to one \`smtp-sink\`; $N messages a run"
echo "over $S sessions, one message per connection; median of $R interleaved"
echo "rounds after an untimed warm-up, each timed from the client's start until"
echo "the queue is empty. Ordinary mail: \`smtp-source\`, 5 KB. Share mail:"
echo "\`bench/smtp-blast\`, unique 20 KB inline forwards from a member to"
echo "share+jane@ (none and null relay them; passalong records each share,"
echo "counted in the store, and discards the message; its sender is off, so"
echo "the $intros introductions stay in the outbox; no rate limits)."
echo "in_flow_delay = $IN_FLOW_DELAY in every mode (see below)."
echo
echo "| mail | mode | msg/s (median) | ratio to none | target | verdict |"
echo "|---|---|---:|---:|---|---|"
for mode in $MODES; do
	row ordinary "ordinary 5 KB" "$mode" 0.95
done
for mode in $MODES; do
	row share "share 20 KB" "$mode" 0.85
done
echo
echo "Milter CPU time per message (median, utime + stime from /proc): $cpu_line."
echo
echo "Postfix's flow control: with its default in_flow_delay = 1s, cleanup(8)"
echo "waits for a token that only a delivered message returns; passalong"
echo "discards the shares it consumes, so share mail through it is held to"
echo "about sessions / in_flow_delay ($S msg/s here) whatever the milter does."
echo "BENCH_IN_FLOW_DELAY=1s measures that."
if [ "$CALIBRATE" = 1 ]; then
	echo
	c=$(awk -v a="${med[blast-plain/none]}" -v b="${med[ordinary/none]}" \
	    'BEGIN { printf "%.2f", a / b }')
	echo "Calibration (mode none, 5 KB ordinary mail): \`smtp-blast -k plain\`"
	printf '%s\n' "$(printf "%'.0f" "${med[blast-plain/none]}") msg/s against \`smtp-source\`'s $(printf "%'.0f" "${med[ordinary/none]}") ($c×)."
fi
exit 0
