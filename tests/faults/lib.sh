# shellcheck shell=bash disable=SC2154 # dir, here: the sourcing harness sets them
# lib.sh - what the fault harnesses (t-faults.sh, t-multihost.sh) share.
# Sourced after tests/e2e/postfix-lib.sh; uses $dir (the test's folder),
# $here (tests/faults) and $RELAY_PORT.
#
#   fl_front_setup  after pf_setup: a front smtpd without the milter on
#                   PF_PORT_FRONT (set here); mail for the gateway's
#                   domain is relayed by Postfix's own queue and smtp
#                   client to the gateway listener (PF_PORT_IN), so every
#                   4xx the gateway answers is retried by a real MTA
#   relay_start     start relay.py on RELAY_PORT (dump $dir/relay, mode
#                   $dir/relay.mode, log $dir/relay.log); RELAY_PID
#   relay_stop      stop it
#   fl_drain PHASE DRAINED CONF...
#                   wait (bounded, 240 s) until the command DRAINED
#                   succeeds, flushing the queues of the Postfix CONFs
#                   every 10 s as an operator would: a message that qmgr
#                   finds still locked by the delivery agent that
#                   deferred it (likely with backoffs this short) is
#                   parked in the incoming queue for 60 s, and nothing
#                   rescans that queue until new mail arrives
#   fl_queue_empty CONF  whether that Postfix's queue is empty
#   fl_log ...      a line "NAME: HH:MM:SS ..." (FL_NAME)
RELAY_PID=

fl_log() { echo "${FL_NAME:-faults}: $(date +%T) $*"; }

fl_front_setup() {
	PF_PORT_FRONT=$(pf_free_port)
	cat >>"$PF_CONF/main.cf" <<CF
transport_maps = texthash:$PF_CONF/transport
minimal_backoff_time = 3s
maximal_backoff_time = 6s
queue_run_delay = 2s
in_flow_delay = 0
smtp_connect_timeout = 5s
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 30s
CF
	printf 'intro.example.org\tsmtp:[127.0.0.1]:%s\n' "$PF_PORT_IN" >"$PF_CONF/transport"
	# the gateway listener greets under another name (Postfix's smtp
	# client refuses to deliver to a server that calls itself by its
	# own name)
	sed -i "s|^\(  -o smtpd_milters=inet:.*\)|\1\n  -o myhostname=gw.intro.example.org|" "$PF_CONF/master.cf"
	cat >>"$PF_CONF/master.cf" <<MC
127.0.0.1:$PF_PORT_FRONT inet n - n - - smtpd
  -o smtpd_milters=
MC
}

relay_start() {
	mkdir -p "$dir/relay"
	[ -f "$dir/relay.mode" ] || echo ok >"$dir/relay.mode"
	python3 "$here/relay.py" "$RELAY_PORT" "$dir/relay" "$dir/relay.mode" \
	    >>"$dir/relay.log" 2>&1 &
	RELAY_PID=$!
	for _ in $(seq 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $RELAY_PORT), 1)" \
		    2>/dev/null && return 0
		sleep 0.1
	done
	echo "relay did not start" >&2
	return 1
}

relay_stop() {
	[ -n "$RELAY_PID" ] || return 0
	kill "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=
}

fl_queue_empty() {
	postqueue -c "$1" -p 2>/dev/null | grep -q "Mail queue is empty"
}

fl_drain() {
	local phase=$1 drained=$2 deadline=$((SECONDS + 240)) flushed=$SECONDS c
	shift 2
	while [ "$SECONDS" -lt "$deadline" ]; do
		$drained && { fl_log "$phase: drained"; return 0; }
		if [ $((SECONDS - flushed)) -ge 10 ]; then
			for c in "$@"; do postqueue -c "$c" -f >/dev/null 2>&1; done
			flushed=$SECONDS
		fi
		sleep 0.5
	done
	fl_log "$phase: NOT drained after 240 s"
	for c in "$@"; do postqueue -c "$c" -p | tail -n 5; done
	return 1
}
