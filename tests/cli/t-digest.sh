#!/bin/sh
# t-digest.sh - the weekly digest through the real programs: members by
# "passalong member add/set", shares by the real passalong-milter
# (miltertest, tests/cli/digest.lua); "digest preview" parsed back with
# Python's email package; "digest run" twice queues one digest per
# member; then, with 2,000 members (rows written in bulk: the CLI takes
# about as long per member as the milter per share, and the question is
# the run, not the setup), two "digest run" started at once queue one
# digest per member, and a run killed with SIGKILL half way and run
# again leaves exactly one per member, none missing. The race is run on
# SQLite and on a throw-away PostgreSQL (tests/pg-lib.sh).
# Exit 0/1; 77 without miltertest or python3 (PostgreSQL's part is
# skipped, and said so, when it is not installed).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v miltertest >/dev/null 2>&1 || { echo "SKIP: no miltertest"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
[ -x "$top_builddir/passalong-milter" ] || { echo "FAIL: passalong-milter not built"; exit 1; }
. "$srcdir/tests/pg-lib.sh"
chmod 0755 "$T" # the postgres user (when run as root) goes through it
trap 'pg_stop; rm -rf "$T"' EXIT INT TERM
MANY=${DIGEST_MEMBERS:-2000}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
today=$(LC_ALL=C date -u +%a | tr '[:upper:]' '[:lower:]')

# conf FILE STORE_LINE DIGEST_LINES - the milter's and the CLI's
conf() {
	cat >"$1" <<EOC
[gateway]
domain = intro.example.org

[milter]
socket = inet:$port@127.0.0.1
sender_auth = auth

[store]
$2
busy_timeout = 30000

[sender]
enabled = false
smtp_url = smtp://127.0.0.1:$(free_port)

[digest]
$3

[web]
base_url = https://intro.example.org/pa
EOC
}

# --- the members and shares of production, due today at 00:00 UTC
conf "$T/a.conf" "path = $T/a.db" "day = $today
hour = 0"
run 0 -c "$T/a.conf" init
run 0 -c "$T/a.conf" member add chris@members.example --name "Chris Member" --handle chris
run 0 -c "$T/a.conf" member add jane@friends.example --name "Jane Friend" --handle jane
run 0 -c "$T/a.conf" member add quiet@members.example --name "Quiet One"
run 0 -c "$T/a.conf" member add off@members.example --name "Off Member"
run 0 -c "$T/a.conf" member set off@members.example --digest-day never
run 0 -c "$T/a.conf" member set chris@members.example --public-credit yes --tz UTC
run 64 -c "$T/a.conf" member set chris@members.example --tz Atlantis/Capital
has err "not a time zone"
run 64 -c "$T/a.conf" member set chris@members.example --digest-hour 24
run 64 -c "$T/a.conf" member set chris@members.example --digest-day someday
run 1 -c "$T/a.conf" member set nobody@members.example --digest-day mon
has err "not a member"
PA_MILTER=$top_builddir/passalong-milter PA_PASSALONG=$PA PA_CONF=$T/a.conf \
	PA_SOCKET="inet:$port@127.0.0.1" PA_LOG=$T/milter.log \
	PA_LIB=$srcdir/tests/milter/lib.lua PA_DATA=$srcdir/tests/milter \
	timeout 120 miltertest -s "$srcdir/tests/cli/digest.lua" >"$T/mt.out" 2>>"$T/milter.log"
if grep -q '^PASS' "$T/mt.out" && ! grep -q '^FAIL' "$T/mt.out"; then
	ok "shares recorded through the milter"
else
	bad "shares recorded through the milter"
	sed 's/^/# /' "$T/mt.out" "$T/milter.log"
fi

# --- preview: the message, parsed back; nothing queued
# eml CHECKS... - Python asserts over m (the message of $T/out), text
# and html (its two parts, decoded)
eml() {
	if python3 - "$T/out" "$@" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
for c in sys.argv[2:]:
    if not eval(c):
        print("# failed: " + c)
        print("# " + text.replace("\n", "\n# "))
        sys.exit(1)
PY
	then ok "preview: $*"; else bad "preview: $*"; fi
}
run 0 -c "$T/a.conf" digest preview chris@members.example
eml 'm["To"].addresses[0].addr_spec == "chris@members.example"' \
    'm.get_content_type() == "multipart/alternative"' \
    '"unsubscribe+" in m["List-Unsubscribe"] and "https://intro.example.org/pa/u/" in m["List-Unsubscribe"]' \
    '"Jane" in text and "Speaker for our March meetup" in text' \
    '"share+chris@intro.example.org" in text' \
    '"Chris Member" in text or "Chris" in text'
run 0 -c "$T/a.conf" digest preview jane@friends.example
eml '"intro+" in text and "@intro.example.org" in text' \
    '"https://intro.example.org/pa/c/" in html' \
    '"dana@confs.example" not in text and "dana@confs.example" not in html'
run 64 -c "$T/a.conf" digest preview nobody@members.example
run 0 -c "$T/a.conf" outbox list --json
json 'not any(o["kind"] == "digest" for o in d)'

# --- run twice (first by "tick", which does what time made due, as
# cron would): one digest each for chris and jane; quiet's week was
# empty (skipped), off chose never
run 0 -c "$T/a.conf" tick
has out "reminded 0, expired 0, digests 2"
run 0 -c "$T/a.conf" digest run
has out "enqueued 0, skipped 0 (empty)"
run 0 -c "$T/a.conf" tick
has out "reminded 0, expired 0, digests 0"
run 0 -c "$T/a.conf" outbox list --json
json 'sorted(o["to"][0] for o in d if o["kind"] == "digest") == ["chris@members.example", "jane@friends.example"]'
run 0 -c "$T/a.conf" export quiet@members.example --json
json 'len(d["digests"]) == 1 and d["digests"][0]["outbox_id"] is None'
run 0 -c "$T/a.conf" export off@members.example --json
json 'd["digests"] == [] and d["member"]["digest_day"] == "never"'

# --- many members: the race and the kill
# fill_sqlite DB N - N members more, in one transaction
fill_sqlite() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with db:
    db.executemany("INSERT INTO members (address, name, created_at) VALUES (?, ?, 1)",
        [("m%d@many.example" % i, "Member %d" % i) for i in range(int(sys.argv[2]))])
PY
}
# PER_MEMBER: "members digests_rows outbox_rows bad" for WEEK and NOW
# ($1, $2), where bad counts members without exactly one digests row
# and one digest mail queued at NOW; the same text on both engines
PER_MEMBER="SELECT COUNT(*), SUM(d), SUM(o),
  SUM(CASE WHEN d <> 1 OR o <> 1 THEN 1 ELSE 0 END)
FROM (SELECT m.id, COALESCE(dd.n, 0) AS d, COALESCE(oo.n, 0) AS o
  FROM members m
  LEFT JOIN (SELECT member_id, COUNT(*) AS n FROM digests
    WHERE week = '@WEEK@' GROUP BY member_id) dd ON dd.member_id = m.id
  LEFT JOIN (SELECT r.address, COUNT(*) AS n FROM outbox ob
    JOIN outbox_rcpts r ON r.outbox_id = ob.id
    WHERE ob.kind = 'digest' AND ob.created_at = @NOW@
    GROUP BY r.address) oo ON oo.address = m.address
  WHERE m.address LIKE '%@many.example') s"
per_member_sql() {
	printf '%s' "$PER_MEMBER" | sed -e "s/@WEEK@/$1/" -e "s/@NOW@/$2/"
}
# WEEK_ROWS: digests rows of WEEK, a cheap poll while a run works
week_rows_sql() {
	echo "SELECT COUNT(*) FROM digests WHERE week = '$1'"
}
# week_of EPOCH - its ISO week in UTC
week_of() {
	python3 -c 'import datetime, sys
t = datetime.datetime.fromtimestamp(int(sys.argv[1]), datetime.timezone.utc).isocalendar()
print("%04d-W%02d" % (t[0], t[1]))' "$1"
}
# expect_one WHAT COUNTS - "N N N 0": every member one row and one mail
expect_one() {
	# shellcheck disable=SC2086 # the counts, split into $2..$5
	set -- "$1" $2
	if [ "$2" = "$MANY" ] && [ "$3" = "$MANY" ] && [ "$4" = "$MANY" ] && [ "$5" = 0 ]; then
		ok "$1: one digest per member ($2 members)"
	else
		bad "$1: members, rows, mails, wrong: $2 $3 $4 $5"
	fi
}

# race_and_kill CONF COUNTER LABEL - two runs at once in one week, then
# a run killed half way and run again in the next; "COUNTER WEEK NOW"
# prints PER_MEMBER's row, "COUNTER rows WEEK" the week's digests rows
race_and_kill() {
	cf=$1 counter=$2 label=$3
	now1=$(( $(date +%s) + 14 * 86400 ))
	now2=$(( now1 + 7 * 86400 ))
	w1=$(week_of "$now1") w2=$(week_of "$now2")
	"$PA" -c "$cf" digest run --now "$now1" >"$T/r1.out" 2>&1 &
	p1=$!
	"$PA" -c "$cf" digest run --now "$now1" >"$T/r2.out" 2>&1 &
	p2=$!
	wait $p1; s1=$?
	wait $p2; s2=$?
	if [ $s1 = 0 ] && [ $s2 = 0 ]; then
		ok "$label: two runs at once both ended well"
	else
		bad "$label: runs exited $s1 and $s2"
		sed 's/^/# /' "$T/r1.out" "$T/r2.out"
	fi
	e1=$(sed -n 's/^enqueued \([0-9]*\),.*/\1/p' "$T/r1.out")
	e2=$(sed -n 's/^enqueued \([0-9]*\),.*/\1/p' "$T/r2.out")
	echo "# $label race: $(cat "$T/r1.out") / $(cat "$T/r2.out")"
	if [ $(( ${e1:-0} + ${e2:-0} )) -eq $(( MANY + 2 )) ]; then
		ok "$label: the two runs queued $MANY + 2 between them"
	else
		bad "$label: the two runs queued ${e1:-?} + ${e2:-?}"
	fi
	expect_one "$label race" "$($counter "$w1" "$now1")"
	[ "$($counter rows "$w1")" = $(( MANY + 2 )) ] ||
		bad "$label: digests rows of $w1 other than $(( MANY + 2 ))"

	"$PA" -c "$cf" digest run --now "$now2" >"$T/k.out" 2>&1 &
	pk=$!
	at=0
	for _ in $(seq 1 2000); do
		at=$($counter rows "$w2")
		[ "${at:-0}" -ge 20 ] && break
		sleep 0.01
	done
	kill -9 $pk 2>/dev/null
	wait $pk 2>/dev/null
	# shellcheck disable=SC2046 # the counts, split
	set -- $($counter "$w2" "$now2")
	if [ "$3" -gt 0 ] && [ "$3" -lt "$MANY" ]; then
		ok "$label: killed half way ($3 of $MANY queued)"
	else
		bad "$label: not killed half way ($3 of $MANY queued)"
	fi
	run 0 -c "$cf" digest run --now "$now2"
	expect_one "$label kill and rerun" "$($counter "$w2" "$now2")"
}

conf "$T/many.conf" "path = $T/many.db" "day = mon
hour = 0
skip_empty = false"
run 0 -c "$T/many.conf" init
run 0 -c "$T/many.conf" member add chris@members.example --name "Chris Member"
run 0 -c "$T/many.conf" member add jane@friends.example --name "Jane Friend"
fill_sqlite "$T/many.db" "$MANY"
sqlite_counts() {
	if [ "$1" = rows ]; then
		sqlite3 -cmd '.timeout 30000' "$T/many.db" "$(week_rows_sql "$2")"
	else
		sqlite3 -cmd '.timeout 30000' -separator ' ' "$T/many.db" "$(per_member_sql "$1" "$2")"
	fi
}
race_and_kill "$T/many.conf" sqlite_counts sqlite

# --- the same on PostgreSQL
pg_start "$T/pg" >"$T/pg.out" 2>&1
rc=$?
if [ "$rc" = 77 ]; then
	echo "# SKIP PostgreSQL: $(cat "$T/pg.out")"
elif [ "$rc" != 0 ]; then
	cat "$T/pg.out"
	bad "PostgreSQL did not start"
else
	pg_createdb many >/dev/null || bad "createdb"
	conf "$T/pg.conf" "url = $(pg_url many)
pool = 2" "day = mon
hour = 0
skip_empty = false"
	run 0 -c "$T/pg.conf" init
	run 0 -c "$T/pg.conf" member add chris@members.example --name "Chris Member"
	run 0 -c "$T/pg.conf" member add jane@friends.example --name "Jane Friend"
	psql -X -q -v ON_ERROR_STOP=1 "$(pg_url many)" -c \
	    "INSERT INTO members (address, name, created_at) SELECT 'm' || i || '@many.example', 'Member ' || i, 1 FROM generate_series(0, $MANY - 1) i" \
	    || bad "PostgreSQL: members not added"
	pg_counts() {
		if [ "$1" = rows ]; then
			sql=$(week_rows_sql "$2")
		else
			sql=$(per_member_sql "$1" "$2")
		fi
		psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 "$(pg_url many)" -c "$sql"
	}
	race_and_kill "$T/pg.conf" pg_counts postgresql
fi
finish
