#!/bin/sh
# t-cli-stats.sh - passalong stats --format prometheus, for node_exporter's
# textfile collector: shares by status, outbox by status and kind, the age
# of the oldest item still to send, delivery failures; every known label
# present with 0, the exposition format well formed (HELP and TYPE once
# per metric, before its samples), and the other formats unchanged.
# Exit 0/1; 77 without python3 or sqlite3.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: no sqlite3 shell"; exit 77; }
DB="$T/var/lib/passalong.db"
sql() { sqlite3 -bail "$DB" "$1"; }

# prom EXPRESSION - a Python expression about m, {(name, labels): value}
# of the exposition in $T/out (labels a frozenset of (key, value))
prom() {
	if python3 - "$T/out" "$1" <<'PY'; then
import re, sys
m, typed, seen = {}, {}, set()
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+]+|NaN)$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
for line in open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]:
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        kind, name = line[2:6], line.split(" ")[2]
        assert name not in seen, "HELP/TYPE after samples: " + line
        assert (kind, name) not in typed, "twice: " + line
        typed[(kind, name)] = line.split(" ", 3)[3]
        continue
    s = sample.match(line)
    assert s, "not a sample: %r" % line
    name = s.group(1)
    assert ("TYPE", name) in typed and ("HELP", name) in typed, "untyped " + name
    labels = frozenset((k, v) for k, v, _ in label.findall(s.group(3) or ""))
    assert (name, labels) not in m, "duplicate sample " + line
    seen.add(name)
    m[(name, labels)] = float(s.group(4))
def v(name, **labels):
    return m.get((name, frozenset(labels.items())))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
		ok "prom: $1"
	else
		bad "prom: $1"
		sed 's/^/# /' "$T/out"
	fi
}

run 0 -c "$CONF" init
run 0 -c "$CONF" member add jane@example.net --name "Jane"

# --- empty: every known label with 0, no age
run 0 -c "$CONF" stats --format prometheus
prom 'v("passalong_members") == 1'
prom 'v("passalong_shares", status="queued") == 0 and v("passalong_shares", status="introduced") == 0 and v("passalong_shares", status="failed") == 0'
prom 'all(v("passalong_outbox", kind=k, status=s) == 0 for k in ("intro", "consent", "confirmation", "notice", "digest", "webhook") for s in ("queued", "sending", "sent", "failed"))'
prom 'v("passalong_outbox_oldest_queued_age_seconds") == 0'
prom 'v("passalong_delivery_failures", kind="intro") == 0 and v("passalong_delivery_deferred", kind="intro") == 0'
prom 'typed[("TYPE", "passalong_shares")] == "gauge"'

# --- two shares, three outbox items: sent, failed for good, queued after a 4xx
now=$(date +%s)
sql "INSERT INTO shares (sharer, recipient, requester, subject, origin_key,
	status, created_at) VALUES
	('jane@example.net', 'bob@example.com', 'asker@example.org', 's1', 'k1', 'introduced', $now - 7200),
	('jane@example.net', 'carl@example.com', 'asker@example.org', 's2', 'k2', 'queued', $now - 3600);
INSERT INTO outbox (share_id, kind, mail_from, subject, message, status,
	attempts, next_attempt_at, created_at) VALUES
	(1, 'intro', 'intros@intro.example.org', 'i1', 'x', 'sent', 1, 0, $now - 7200),
	(1, 'notice', 'intros@intro.example.org', 'n1', 'x', 'failed', 3, 0, $now - 7000),
	(2, 'intro', 'intros@intro.example.org', 'i2', 'x', 'queued', 2, $now + 60, $now - 3600);
INSERT INTO outbox_rcpts (outbox_id, position, address, status) VALUES
	(1, 0, 'bob@example.com', 'sent'), (1, 1, 'asker@example.org', 'sent'),
	(2, 0, 'jane@example.net', 'failed'),
	(3, 0, 'carl@example.com', 'deferred'), (3, 1, 'asker@example.org', 'sent');" &&
	ok "rows written" || bad "rows written"
run 0 -c "$CONF" stats --format prometheus
prom 'v("passalong_shares", status="introduced") == 1 and v("passalong_shares", status="queued") == 1'
prom 'v("passalong_outbox", kind="intro", status="sent") == 1 and v("passalong_outbox", kind="intro", status="queued") == 1'
prom 'v("passalong_outbox", kind="notice", status="failed") == 1 and v("passalong_outbox", kind="notice", status="sent") == 0'
prom '3600 <= v("passalong_outbox_oldest_queued_age_seconds") < 3700'
prom 'v("passalong_delivery_failures", kind="notice") == 1 and v("passalong_delivery_failures", kind="intro") == 0'
prom 'v("passalong_delivery_deferred", kind="intro") == 1'
prom 'v("passalong_outbox_retrying") == 1'

# a status or kind this version does not know is still counted
sql "UPDATE shares SET status = 'asked' WHERE id = 2"
run 0 -c "$CONF" stats --format prometheus
prom 'v("passalong_shares", status="asked") == 1 and v("passalong_shares", status="queued") == 0'

# a label value is escaped
sql "UPDATE shares SET status = 'odd\"one' WHERE id = 1"
run 0 -c "$CONF" stats --format prometheus
prom 'v("passalong_shares", status="odd\\\"one") == 1'

# --- the other formats, and mistakes
run 0 -c "$CONF" stats --format json
json 'd["outbox"]["failed"] == 1 and d["shares"]["asked"] == 1'
run 0 -c "$CONF" stats --json
json 'd["members"] == 1'
run 0 -c "$CONF" stats --format table
has out "members"
run 64 -c "$CONF" stats --format xml
has err "xml"

finish
