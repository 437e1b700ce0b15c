#!/bin/sh
# t-socket.sh - the daemon's unix socket and its life, as root with
# [milter] user = nobody: the socket gets the owner, group and mode the
# configuration sets (default: the daemon's user and group, 0660) so
# that Postfix can reach it; a second daemon on the same socket is
# refused and leaves the first one serving (locked pid file, or a
# socket that answers); a stale socket is replaced; an idle SIGTERM
# stops at once (the measured times are printed; 3 s is only a hang
# detector). Skips (77) unless root.
set -u
builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
milter=$builddir/passalong-milter
cli=$builddir/passalong
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null &&
    getent group mail >/dev/null || { echo "SKIP: no nobody, nogroup, mail"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/passalong-sock.XXXXXX") || exit 99
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
fail=0
no() { echo "FAIL: $*"; fail=1; }

chmod 755 "$dir"
d=$dir
while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null; d=$(dirname "$d"); done
mkdir -m 750 "$dir/run" "$dir/db"
chown nobody:nogroup "$dir/run" "$dir/db"
sock=$dir/run/milter.sock

# conf NAME EXTRA [USER]: a configuration with extra [milter] lines
conf() {
	printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = unix:%s\n%b%b[store]\npath = %s/db/pa.db\n[sender]\nenabled = false\n' \
	    "$sock" "${3-user = nobody\n}" "$2" "$dir" > "$dir/$1.conf"
}
# start NAME: start the daemon in the foreground; its pid in $pid
start() {
	"$milter" -f -c "$dir/$1.conf" > "$dir/$1.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	i=0
	while ! grep -q "starting version" "$dir/$1.log"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
			no "$1 did not start: $(cat "$dir/$1.log")"
			return 1
		fi
		sleep 0.1
	done
}
# answers: something accepts connections on the socket
answers() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$sock" 2>/dev/null
}
# stop PID NAME: SIGTERM, wait (bounded), print the time it took
stop() {
	t0=$(date +%s%N)
	kill -TERM "$1"
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.01; i=$((i + 1)); done
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	if kill -0 "$1" 2>/dev/null; then
		no "$2: still running 3 s after SIGTERM"
		kill -9 "$1"
	fi
	wait "$1"; rc=$?
	[ $rc -eq 0 ] || no "$2: exit $rc after SIGTERM: $(cat "$dir/$2.log")"
	echo "measured: $2 idle SIGTERM to exit: $ms ms"
}

conf base ''
"$cli" -c "$dir/base.conf" init >/dev/null || { echo "init failed"; exit 99; }
chown -R nobody:nogroup "$dir/db"

# the default: the daemon's user and group, 0660
"$milter" -n -c "$dir/base.conf" >/dev/null 2>&1 || no "-n refuses base.conf"
start base || exit 1
first=$pid
[ "$(stat -c '%U:%G %a' "$sock")" = "nobody:nogroup 660" ] ||
    no "default socket: $(stat -c '%U:%G %a' "$sock"), expected nobody:nogroup 660"
answers || no "the socket does not answer"

# a second daemon on the same socket is refused; the first keeps it
"$milter" -f -c "$dir/base.conf" > "$dir/second.log" 2>&1 &
second=$!
pids="$pids $second"
i=0
while kill -0 $second 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $second 2>/dev/null; then
	no "a second daemon on the same socket is running"
else
	wait $second; rc=$?
	[ $rc -eq 69 ] || no "second daemon: exit $rc, expected 69"
	grep -q "answers on unix:$sock" "$dir/second.log" || no "second daemon: $(cat "$dir/second.log")"
fi
[ -S "$sock" ] && answers || no "the second daemon removed the first one's socket"
kill -0 $first 2>/dev/null || no "the first daemon died"
stop $first base

# the operator's group and mode; a locked pid file refuses a second one
conf owned 'socket_group = mail\nsocket_mode = 0620\npid_file = '"$dir"'/milter.pid\n'
"$milter" -n -c "$dir/owned.conf" >/dev/null 2>&1 || no "-n refuses owned.conf"
start owned || exit 1
first=$pid
[ "$(stat -c '%U:%G %a' "$sock")" = "nobody:mail 620" ] ||
    no "configured socket: $(stat -c '%U:%G %a' "$sock"), expected nobody:mail 620"
[ "$(cat "$dir/milter.pid" 2>/dev/null)" = "$first" ] || no "pid file: $(cat "$dir/milter.pid" 2>/dev/null), expected $first"
"$milter" -f -c "$dir/owned.conf" > "$dir/third.log" 2>&1; rc=$?
[ $rc -eq 69 ] || no "pid file locked: exit $rc, expected 69"
grep -q "pid $first) holds $dir/milter.pid" "$dir/third.log" || no "pid file locked: $(cat "$dir/third.log")"
answers || no "the pid-file refusal removed the socket"

# a stale socket (the daemon killed) is replaced by the next start
kill -9 $first
wait $first 2>/dev/null
[ -S "$sock" ] || no "no stale socket left to replace (test assumption)"
start base || exit 1
answers || no "the stale socket was not replaced"
stop $pid base
[ -e "$sock" ] && no "the socket is left after a stop"

# a daemon that stays root removes its socket at the stop too
conf root '' ''
start root || exit 1
[ "$(stat -c '%U:%G %a' "$sock")" = "root:root 660" ] ||
    no "root's socket: $(stat -c '%U:%G %a' "$sock"), expected root:root 660"
stop $pid root
[ -e "$sock" ] && no "root's socket is left after a stop"

[ $fail -eq 0 ] && echo "PASS: unix socket owner/group/mode, second daemon refused, idle stop"
exit $fail
