#!/bin/sh
# t-cli-outbox.sh - passalong share list, outbox list/show/flush with data
#
# A share and its introduction are written straight into the database
# with the sqlite3 shell (as the milter would have written them), then
# read back through the CLI; "outbox flush" delivers to a port where
# nobody listens (a retry) and then to smtp-sink on 127.0.0.1 (sent).
# Exit 0/1; 77 without python3, sqlite3 or smtp-sink.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: no sqlite3 shell"; exit 77; }
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
[ -x "$SINK" ] || { echo "SKIP: no smtp-sink"; exit 77; }

DB="$T/var/lib/passalong.db"
sink_pid=
trap '[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# free_port - a TCP port on 127.0.0.1 that was free a moment ago
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# sql STATEMENTS - run SQL on the test database
sql() { sqlite3 -bail "$DB" "$1"; }

run 0 -c "$CONF" init
printf 'From: "Jane via passalong" <intros@intro.example.org>\r\nTo: bob@example.com, asker@example.org\r\nSubject: Intro: Bob, meet Asker\r\n\r\nHello both.\r\n' >"$T/msg.eml"
sql "INSERT INTO shares (sharer, recipient, requester, subject, note,
	origin_key, status, created_at)
	VALUES ('jane@example.net', 'bob@example.com', 'asker@example.org',
	'Talk' || char(27) || '[2J at ConfX', 'Bob is great.', '<m1@example.org>',
	'queued', 1700000000);
INSERT INTO outbox (share_id, kind, mail_from, subject, message, status,
	attempts, next_attempt_at, created_at)
	VALUES (1, 'intro', 'intros@intro.example.org', 'Intro: Bob, meet Asker',
	readfile('$T/msg.eml'), 'queued', 0, 0, 1700000001);
INSERT INTO outbox_rcpts (outbox_id, position, address)
	VALUES (1, 0, 'bob@example.com'),
	(1, 1, 'asker@example.org');" && ok "rows written" || bad "rows written"

# --- share list
run 0 -c "$CONF" share list --json
json 'len(d) == 1 and sorted(d[0]) == sorted(["id", "sharer", "recipient", "requester", "subject", "status", "created_at", "mode", "token"])'
json 'd[0]["token"] is None'
json 'd[0]["id"] == 1 and d[0]["sharer"] == "jane@example.net" and d[0]["requester"] == "asker@example.org"'
json 'd[0]["status"] == "queued" and d[0]["created_at"] == "2023-11-14T22:13:20Z"'
json 'd[0]["subject"] == "Talk\x1b[2J at ConfX"'
run 0 -c "$CONF" share list
has out "RECIPIENT"
has out "bob@example.com"
if grep -q "$(printf '\033')" "$T/out"; then bad "escape reached the terminal"; else ok "escape removed from the table"; fi

# --- outbox list and show
run 0 -c "$CONF" outbox list --json
json 'len(d) == 1 and sorted(d[0]) == sorted(["id", "kind", "to", "subject", "status", "attempts", "created_at"])'
json 'd[0]["kind"] == "intro" and d[0]["to"] == ["bob@example.com", "asker@example.org"]'
json 'd[0]["status"] == "queued" and d[0]["attempts"] == 0 and d[0]["created_at"] == "2023-11-14T22:13:21Z"'
run 0 -c "$CONF" outbox list
has out "bob@example.com, asker@example.org"
run 0 -c "$CONF" outbox show 1
cmp -s "$T/out" "$T/msg.eml" && ok "show prints the message byte for byte" || bad "show differs"

# --- flush to a port where nobody listens: a retry, nothing lost
write_conf "$T/closed.conf" "smtp://127.0.0.1:$(free_port)"
run 0 -c "$T/closed.conf" outbox flush
has out "sent 0, retried 1, failed 0"
run 0 -c "$CONF" outbox list --json
json 'd[0]["status"] == "queued" and d[0]["attempts"] == 1'

# --- flush to smtp-sink: sent, and the share is introduced
sql "UPDATE outbox SET next_attempt_at = 0" # due again without waiting
port=$(free_port)
mkdir "$T/sink"
"$SINK" -u "$(id -un)" -d "$T/sink/%M." "127.0.0.1:$port" 10 &
sink_pid=$!
i=0
until python3 -c 'import socket,sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || break
	sleep 0.1
done
write_conf "$T/sink.conf" "smtp://127.0.0.1:$port"
run 0 -c "$T/sink.conf" outbox flush
has out "sent 1, retried 0, failed 0"
run 0 -c "$CONF" outbox list --json
json 'd[0]["status"] == "sent" and d[0]["attempts"] == 2'
run 0 -c "$CONF" share list --json
json 'd[0]["status"] == "introduced"'
run 0 -c "$CONF" stats --json
json 'd["shares"]["introduced"] == 1 and d["outbox"]["sent"] == 1 and d["outbox"]["queued"] == 0'
if grep -r -q "Hello both." "$T/sink"; then ok "the relay got the message"; else bad "nothing at the relay"; fi
run 0 -c "$T/sink.conf" outbox flush
has out "sent 0, retried 0, failed 0"
kill "$sink_pid" 2>/dev/null
wait "$sink_pid" 2>/dev/null
sink_pid=

# --- flush to a relay that refuses every recipient: each one is named
sql "INSERT INTO outbox (kind, mail_from, subject, message, status, attempts,
	next_attempt_at, created_at) VALUES ('digest', 'intros@intro.example.org',
	'Your week', readfile('$T/msg.eml'), 'queued', 0, 0, 1700000002);
INSERT INTO outbox_rcpts (outbox_id, position, address)
	VALUES (2, 0, 'gone@example.org'), (2, 1, 'moved@example.org');"
port=$(free_port)
"$SINK" -u "$(id -un)" -f RCPT "127.0.0.1:$port" 10 &
sink_pid=$!
i=0
until python3 -c 'import socket,sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || break
	sleep 0.1
done
write_conf "$T/refuse.conf" "smtp://127.0.0.1:$port"
run 0 -c "$T/refuse.conf" outbox flush
has out "sent 0, retried 0, failed 1"
has out "not delivered: item 2: gone@example.org: 5"
has out "not delivered: item 2: moved@example.org: 5"
run 0 -c "$CONF" outbox list --json
json 'd[1]["status"] == "failed" and d[1]["to"] == ["gone@example.org", "moved@example.org"]'
kill "$sink_pid" 2>/dev/null
wait "$sink_pid" 2>/dev/null
sink_pid=

finish
