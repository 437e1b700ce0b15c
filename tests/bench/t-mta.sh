#!/bin/sh
# t-mta.sh - the benchmark's MTA (bench/mta) and its baseline milters do
# what the numbers claim: every verdict is the expected one, passalong
# records one share per forward (2 MB ones included) and takes one
# answer per reply, min-milter one row per share, and a wrong verdict
# fails the run. Few messages: this is a
# test of the tools, not a measurement.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not installed"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/passalong-tmta.XXXXXX") || exit 99
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; for f in "$T"/*.log; do echo "== $f"; tail -5 "$f"; done; exit 1; }

cat > "$T/pa.conf" <<CONF
[gateway]
domain = intro.example.org
[milter]
socket = unix:$T/pa.sock
sender_auth = auth
[limits]
shares_per_hour = 0
shares_per_day = 0
intros_per_friend_per_week = 0
consent_requests_per_friend_per_week = 0
[store]
path = $T/pa.db
[sender]
enabled = false
CONF
pa="$builddir/passalong -c $T/pa.conf"
$pa init >/dev/null || exit 99
$pa member add chris@members.example --name "Chris Member" --handle chris >/dev/null || exit 99
$pa member add jane@friends.example --name "Jane Friend" --handle jane >/dev/null || exit 99
"$builddir/passalong-milter" -f -c "$T/pa.conf" 2>"$T/pa.log" & pids="$pids $!"
"$builddir/bench/null-milter" -p "unix:$T/null.sock" 2>"$T/null.log" & pids="$pids $!"
MIN_MILTER_DB=$T/min.db "$builddir/bench/min-milter" -p "unix:$T/min.sock" 2>"$T/min.log" & pids="$pids $!"
for s in pa null min; do
	i=0
	while [ ! -S "$T/$s.sock" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "no socket $s"; sleep 0.1
	done
done

mta() { "$builddir/bench/mta" -T 120 "$@"; }
# field LINE KEY - a value from mta's result line
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# ordinary mail: accepted at DATA by both
for s in null pa; do
	out=$(mta -s "unix:$T/$s.sock" -k ordinary -z 5120 -n 30 -c 4 -e accept) ||
	    fail "ordinary mail to $s: $out"
	[ "$(field "$out" accept)" = 30 ] || fail "ordinary to $s: $out"
done
# shares: consumed (recipient deleted, message discarded) and recorded
out=$(mta -s "unix:$T/pa.sock" -k share -z 20480 -n 20 -c 4 -a chris@members.example -e discard -R t1) ||
    fail "shares: $out"
[ "$(field "$out" rcpt_deleted)" = 20 ] || fail "shares not consumed: $out"
out=$(mta -s "unix:$T/pa.sock" -k big -z 2000000 -n 2 -c 2 -a chris@members.example -e discard -R t2) ||
    fail "big shares: $out"
grep -q "spooled to disk" "$T/pa.log" || fail "the 2 MB shares were not spooled"
n=$($pa share list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 22 ] || fail "passalong recorded $n shares, not 22"
# the same forwards again are MTA retries: consumed, nothing new
mta -s "unix:$T/pa.sock" -k share -z 20480 -n 20 -c 4 -a chris@members.example -e discard -R t1 >/dev/null ||
    fail "retries"
n=$($pa share list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 22 ] || fail "retries created shares: $n"
# replies: the friend's yes to intro+TOKEN@ of five consent requests,
# tokens read from the store; each share is accepted, a second answer
# changes nothing
$pa share list --json | python3 -c 'import json,sys
print("\n".join([s["token"] for s in json.load(sys.stdin) if s["status"] == "asked" and s["token"]][:5]))' > "$T/tokens"
[ "$(grep -c . "$T/tokens")" = 5 ] || fail "no open consent requests: $(cat "$T/tokens")"
out=$(mta -s "unix:$T/pa.sock" -k reply -z 4096 -n 5 -c 2 -t "$T/tokens" -e discard) ||
    fail "replies: $out"
[ "$(field "$out" kind)" = reply ] && [ "$(field "$out" rcpt_deleted)" = 5 ] ||
    fail "replies not consumed: $out"
accepted() {
	$pa share list --json | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin) if s["status"] == "accepted"))'
}
[ "$(accepted)" = 5 ] || fail "replies accepted $(accepted) shares, not 5"
grep -q "answer accepted decision=yes" "$T/pa.log" || fail "no answer in the log"
mta -s "unix:$T/pa.sock" -k reply -z 4096 -n 5 -c 2 -t "$T/tokens" -e discard >/dev/null ||
    fail "second answers"
[ "$(accepted)" = 5 ] || fail "second answers changed shares"
mta -s "unix:$T/pa.sock" -k reply -z 4096 -n 6 -c 1 -t "$T/tokens" -e discard >/dev/null 2>&1 &&
    fail "mta ran without a token for each message"
mta --dump -k reply -z 4096 -R ABC | grep -q "^To: intro+ABC@intro.example.org" ||
    fail "the generated reply is not to intro+TOKEN@"
out=$(mta -s "unix:$T/min.sock" -k share -z 20480 -n 10 -c 2 -e discard) || fail "min: $out"
[ "$(sqlite3 "$T/min.db" 'SELECT COUNT(*) FROM shares')" = 10 ] || fail "min-milter rows"
# a wrong verdict fails the run: a stranger's share is refused, not consumed
if mta -s "unix:$T/pa.sock" -k share -z 20480 -n 3 -c 1 -f mallory@strangers.example -e discard -R t3 >/dev/null 2>&1; then
	fail "mta passed a run with refused shares"
fi
# a generated forward is one the parser reads as a forward
mta --dump -k share -z 20480 -R t4 | "$builddir/passalong" parse |
    python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["forwarded"] and d["original"]["from"]["address"].startswith("dana.t4.") and d["original"]["from"]["address"].endswith("@confs.example") else 1)' ||
    fail "the generated share is not a forward"
echo "ok"
