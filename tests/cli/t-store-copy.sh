#!/bin/sh
# t-store-copy.sh - "passalong store copy": an SQLite store filled the
# way production fills it (members by "passalong member add"; shares
# and their outbox rows by the real passalong-milter, driven by
# miltertest with tests/cli/store-copy.lua; one delivery tried against
# a closed port, so that attempts, errors and recipient states are not
# all defaults) is copied to a throw-away PostgreSQL. Then share,
# member and outbox listings (JSON), stats and every stored message are
# byte-identical through a configuration naming the SQLite file and
# one naming PostgreSQL; new rows take the ids after the copied ones; a
# second copy into the now non-empty target fails with a sentence and
# changes nothing; no password given in a URL is ever printed.
# Exit 0/1; 77 without PostgreSQL, miltertest or python3.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v miltertest >/dev/null 2>&1 || { echo "SKIP: no miltertest"; exit 77; }
[ -x "$top_builddir/passalong-milter" ] || { echo "FAIL: passalong-milter not built"; exit 1; }
. "$srcdir/tests/pg-lib.sh"
chmod 0755 "$T" # the postgres user (when run as root) goes through it
trap 'pg_stop; rm -rf "$T"' EXIT INT TERM
pg_start "$T/pg" >"$T/pg.out" 2>&1
rc=$?
[ "$rc" = 77 ] && { echo "SKIP: $(cat "$T/pg.out")"; exit 77; }
[ "$rc" = 0 ] || { cat "$T/pg.out"; echo "FAIL: PostgreSQL did not start"; exit 1; }
pg_createdb copied >/dev/null || { echo "FAIL: createdb"; exit 1; }

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
SECRET=never-print-me-7Hq2
PGURL="$(pg_url copied) password=$SECRET"
port=$(free_port)

# conf FILE STORE_LINE - the milter's and the CLI's configuration
conf() {
	cat >"$1" <<EOC
[gateway]
domain = intro.example.org

[milter]
socket = inet:$port@127.0.0.1
sender_auth = auth

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
conf "$T/pg.conf" "url = $(pg_url copied)"

# --- the SQLite store, filled as in production
run 0 -c "$T/sqlite.conf" init
run 0 -c "$T/sqlite.conf" member add chris@members.example --name "Chris Member" --handle chris --capabilities "keynotes, C"
run 0 -c "$T/sqlite.conf" member add jane@friends.example --name "Jane Friend" --handle jane
run 0 -c "$T/sqlite.conf" member add plain@members.example
PA_MILTER=$top_builddir/passalong-milter PA_PASSALONG=$PA PA_CONF=$T/sqlite.conf \
	PA_SOCKET="inet:$port@127.0.0.1" PA_LOG=$T/milter.log \
	PA_LIB=$srcdir/tests/milter/lib.lua PA_DATA=$srcdir/tests/milter \
	timeout 120 miltertest -s "$srcdir/tests/cli/store-copy.lua" >"$T/mt.out" 2>>"$T/milter.log"
if grep -q '^PASS' "$T/mt.out" && ! grep -q '^FAIL' "$T/mt.out"; then
	ok "shares recorded through the milter"
else
	bad "shares recorded through the milter"
	sed 's/^/# /' "$T/mt.out" "$T/milter.log"
fi
run 0 -c "$T/sqlite.conf" outbox flush # a closed port: retried later
has out "retried"
run 0 -c "$T/sqlite.conf" outbox list --json
json 'len(d) >= 2 and any(o["attempts"] == 1 for o in d)'

# --- the copy
"$PA" -c "$T/sqlite.conf" store copy "sqlite:$T/a.db" "$PGURL" >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && ok "store copy -> 0" || { bad "store copy -> non-zero"; sed 's/^/# err: /' "$T/err"; }
has out "members: 3 copied"
has out "shares: 2 copied"
has out "suppression: 0 copied"
has out "from: sqlite $T/a.db"
has out "to: postgresql host=$T/pg/s"
has out "dbname=copied"
if tail -n 1 "$T/out" | grep -q "^copied [0-9]* rows from sqlite to postgresql; every table's count verified$"; then
	ok "the last line sums up"
else
	bad "the last line sums up"
	sed 's/^/# /' "$T/out"
fi
if grep -q -- "$SECRET" "$T/out" "$T/err"; then bad "the password was printed"; else ok "no password printed"; fi

# same - a command's output through both configurations, byte for byte
same() {
	"$PA" -c "$T/sqlite.conf" "$@" >"$T/a.out" 2>&1
	a=$?
	"$PA" -c "$T/pg.conf" "$@" >"$T/b.out" 2>&1
	b=$?
	if [ "$a" -eq 0 ] && [ "$b" -eq 0 ] && [ -s "$T/a.out" ] && cmp -s "$T/a.out" "$T/b.out"; then
		ok "same $*"
	else
		bad "same $* (exit $a and $b)"
		diff "$T/a.out" "$T/b.out" | head -n 20 | sed 's/^/# /'
	fi
}
# compare - everything a reader sees, on both engines
compare() {
	same share list --json
	same member list --json
	same outbox list --json
	same stats --json
	for id in $(python3 -c 'import json,sys
print(" ".join(str(o["id"]) for o in json.load(open(sys.argv[1]))))' "$T/a.list"); do
		same outbox show "$id"
	done
}
"$PA" -c "$T/sqlite.conf" outbox list --json >"$T/a.list"
compare

# --- again into the now non-empty target: refused, nothing changed
"$PA" store copy "$T/a.db" "$PGURL" >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && ok "second copy -> 1" || bad "second copy did not fail with 1"
has err "the target store is not empty (members: 3, shares: 2"
has err "nothing was copied"
if grep -q -- "$SECRET" "$T/out" "$T/err"; then bad "the password was printed"; else ok "no password printed on failure"; fi
compare

# --- the copy's ids go on: a new member on PostgreSQL takes the next id
run 0 -c "$T/pg.conf" member add late@members.example
has out "(id 4)"
run 0 -c "$T/sqlite.conf" member add late@members.example
has out "(id 4)"
same member list --json

# --- a source file that is not there is not created
run 1 store copy "$T/missing.db" "sqlite:$T/other.db"
has err "no such SQLite file"
[ ! -e "$T/missing.db" ] && ok "missing source not created" || bad "missing source created"
run 64 store copy "$T/a.db"
finish
