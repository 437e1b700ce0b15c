#!/bin/sh
# t-privacy.sh - "passalong export" and "passalong forget" (README,
# Privacy). An SQLite store is filled by the real passalong-milter
# through miltertest (tests/cli/privacy.lua): Pat Person
# <pat@people.example> is a member, the requester of one share (Chris
# passes Pat's request to Jane) and the friend of another (Chris passes
# Dana's request to share+pat); a delivery is tried against a closed
# port so that the rows' messages are rendered. The export must show
# all of it. Forget without --yes changes nothing; with --yes it erases
# Pat, and then the WHOLE database file and its -wal (forget itself ran
# VACUUM and PRAGMA wal_checkpoint(TRUNCATE)) are grepped for Pat's
# address and name, without case: nothing may be found (the same grep
# finds them before). Chris's shares are still there, blanked. A new
# share to pat@people.example is refused by the milter: the salted hash
# on the suppression list works.
# On PostgreSQL (a throw-away server, when installed) the store is
# copied there before the forget, forgotten there, and the grep is
# replaced by a query over every text and bytea column of every table.
# Exit 0/1; 77 without miltertest or python3.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v miltertest >/dev/null 2>&1 || { echo "SKIP: no miltertest"; exit 77; }
[ -x "$top_builddir/passalong-milter" ] || { echo "FAIL: passalong-milter not built"; exit 1; }
ADDR=pat@people.example
NAME="Pat Person"

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)

# conf FILE STORE_LINE - the milter's and the CLI's configuration
conf() {
	cat >"$1" <<EOC
[gateway]
domain = intro.example.org

[milter]
socket = inet:$port@127.0.0.1
sender_auth = auth

[consent]
mode = direct

[store]
$2
busy_timeout = 3000

[sender]
enabled = false
smtp_url = smtp://127.0.0.1:$(free_port)
retry_min = 60
EOC
}
conf "$T/sqlite.conf" "path = $T/a.db"

# milter PHASE - run privacy.lua against the SQLite store
milter() {
	PA_PHASE=$1 PA_MILTER=$top_builddir/passalong-milter PA_PASSALONG=$PA \
		PA_CONF=$T/sqlite.conf PA_SOCKET="inet:$port@127.0.0.1" \
		PA_LOG=$T/milter-$1.log PA_LIB=$srcdir/tests/milter/lib.lua \
		PA_DATA=$srcdir/tests/cli PA_MILTERDATA=$srcdir/tests/milter \
		timeout 120 miltertest -s "$srcdir/tests/cli/privacy.lua" \
		>"$T/mt-$1.out" 2>>"$T/milter-$1.log"
	if grep -q '^PASS' "$T/mt-$1.out" && ! grep -q '^FAIL' "$T/mt-$1.out"; then
		ok "milter: $1"
	else
		bad "milter: $1"
		sed 's/^/# /' "$T/mt-$1.out" "$T/milter-$1.log"
	fi
}

# found FILE... - how many times Pat's address or name is in the files
found() {
	cat "$@" 2>/dev/null | grep -a -i -o -e "$ADDR" -e "$NAME" | wc -l
}

# --- a store filled as in production
run 0 -c "$T/sqlite.conf" init
run 0 -c "$T/sqlite.conf" member add chris@members.example --name "Chris Member" --handle chris
run 0 -c "$T/sqlite.conf" member add jane@friends.example --name "Jane Friend" --handle jane
run 0 -c "$T/sqlite.conf" member add Pat@People.example --name "$NAME" --handle pat
milter fill
run 0 -c "$T/sqlite.conf" outbox flush # renders, then a closed port

# --- export: Pat as member, friend and requester, with the mail
run 0 -c "$T/sqlite.conf" export PAT@people.example --json
json 'd["address"].lower() == "pat@people.example" and d["member"]["name"] == "Pat Person"'
json 'd["member"]["handle"] == "pat" and d["forgotten"] is False'
json 'any("friend" in s["roles"] for s in d["shares"])'
json 'any("requester" in s["roles"] and s["requester_name"] == "Pat Person" for s in d["shares"])'
json 'len(d["shares"]) == 2 and all(s["sharer"] == "chris@members.example" for s in d["shares"])'
json 'len(d["outbox"]) >= 2 and all("message" in o and "recipients" in o for o in d["outbox"])'
json 'any("pat@people.example" in o["message"].lower() for o in d["outbox"] if o["message_encoding"] == "text")'
json 'any(r["address"].lower() == "pat@people.example" for o in d["outbox"] for r in o["recipients"])'
cp "$T/out" "$T/export-before.json"

# --- the same grep finds Pat before the forget (it can fail)
hits=$(found "$T/a.db" "$T/a.db-wal")
[ "$hits" -gt 0 ] && ok "Pat is in the database before ($hits)" || bad "Pat not found before the forget"

# --- PostgreSQL: a copy of the same store, when a server can start
pg=no
if [ -f "$srcdir/tests/pg-lib.sh" ]; then
	. "$srcdir/tests/pg-lib.sh"
	chmod 0755 "$T"
	trap 'pg_stop; rm -rf "$T"' EXIT INT TERM
	if pg_start "$T/pg" >"$T/pg.out" 2>&1 && pg_createdb privacy >/dev/null; then
		pg=yes
		conf "$T/pg.conf" "url = $(pg_url privacy)"
		run 0 -c "$T/sqlite.conf" store copy "sqlite:$T/a.db" "$(pg_url privacy)"
	else
		echo "# PostgreSQL part skipped: $(cat "$T/pg.out")"
	fi
fi

# --- forget without --yes: what it would do, nothing changed
run 0 -c "$T/sqlite.conf" forget "$ADDR"
has out "members: 1 would be deleted"
has out "2 would be blanked"
has out "nothing was changed"
run 0 -c "$T/sqlite.conf" export PAT@people.example --json
if cmp -s "$T/out" "$T/export-before.json"; then ok "forget without --yes changed nothing"; else bad "forget without --yes changed something"; diff "$T/export-before.json" "$T/out" | head -n 20 | sed "s/^/# /"; fi

# --- forget
run 0 -c "$T/sqlite.conf" forget "$ADDR" --yes
has out "members: 1 deleted"
has out "shares: 0 deleted (made by them), 2 blanked"
has out "salted hash added"
has out "rewritten (VACUUM) and its WAL truncated"
hits=$(found "$T/a.db" "$T/a.db-wal")
[ "$hits" -eq 0 ] && ok "neither address nor name in a.db or a.db-wal" || {
	bad "Pat still in the database file ($hits times)"
	strings "$T/a.db" "$T/a.db-wal" 2>/dev/null | grep -i -e "$ADDR" -e "$NAME" | head -n 5 | sed 's/^/# /'
}
[ ! -s "$T/a.db-wal" ] && ok "the WAL is empty" || bad "the WAL is not empty"
hits=$(grep -a -c "chris@members.example" "$T/a.db")
[ "$hits" -gt 0 ] && ok "Chris's records are still there" || bad "Chris's records are gone"
run 0 -c "$T/sqlite.conf" share list --json
json 'len(d) == 2 and all("forgotten@invalid" in (s["recipient"], s["requester"]) for s in d)'
run 0 -c "$T/sqlite.conf" member list --json
json 'sorted(m["address"] for m in d) == ["chris@members.example", "jane@friends.example"]'
run 0 -c "$T/sqlite.conf" export "$ADDR" --json
json 'd["member"] is None and d["shares"] == [] and d["outbox"] == [] and d["forgotten"] is True'
json 'all("people.example" not in s["address"] for s in d["suppression"])'

# --- a new share to the forgotten address is refused
milter again
run 0 -c "$T/sqlite.conf" outbox list --json
json 'all("forgotten@invalid" in o["to"] or "pat@people.example" not in o["to"] for o in d)'

# --- PostgreSQL: forget there, then every text and bytea column searched
if [ "$pg" = yes ]; then
	run 0 -c "$T/pg.conf" forget "$ADDR" --yes
	has out "members: 1 deleted"
	has out "2 blanked"
	for needle in "$ADDR" "$NAME" "chris@members.example"; do
		m=$(psql -X -q -t -A -v ON_ERROR_STOP=1 -v needle="$needle" "$(pg_url privacy)" <<'EOS'
SELECT 'SELECT COALESCE(SUM(n), 0) FROM (' || string_agg(format(
    'SELECT count(*) AS n FROM %I WHERE strpos(lower(%s), lower(%L)) > 0',
    table_name, CASE WHEN data_type = 'bytea'
    THEN format('encode(%I, ''escape'')', column_name)
    ELSE format('%I::text', column_name) END, :'needle'), ' UNION ALL ')
    || ') AS t'
FROM information_schema.columns WHERE table_schema = 'public'
AND data_type IN ('text', 'bytea', 'character varying')
\gexec
EOS
)
		echo "# PostgreSQL rows holding \"$needle\": $m"
		case $needle in
		chris*) [ "${m:-0}" -gt 0 ] && ok "PostgreSQL: the query finds Chris" || bad "PostgreSQL: the query finds nothing at all" ;;
		*) [ "$m" = 0 ] && ok "PostgreSQL: no \"$needle\" in any text column" || bad "PostgreSQL: \"$needle\" in $m rows" ;;
		esac
	done
	run 0 -c "$T/pg.conf" export "$ADDR" --json
	json 'd["member"] is None and d["shares"] == [] and d["forgotten"] is True'
fi
finish
