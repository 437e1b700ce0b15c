#!/bin/sh
# run-lua.sh - run one miltertest scenario (t-NAME.lua) against the built
# passalong-milter, in a throw-away directory with its own config and
# SQLite store, or, with PA_TEST_PG set (tests/milter/t-milter-pg.sh), a
# database of its own on that PostgreSQL. Called by automake (LUA_LOG_COMPILER) with the script's
# path; exits 0 pass, 1 fail, 77 skip (no miltertest).
#
# The scenario sees, through os.getenv():
#   PA_MILTER  the daemon to start      PA_PASSALONG  the CLI
#   PA_CONF    its config file          PA_SOCKET     inet:PORT@127.0.0.1
#   PA_LOG     the daemon's stderr      PA_DIR        the scenario's folder
#   PA_LIB     tests/milter/lib.lua     PA_DATA       tests/milter/ (messages)
# A file t-NAME.setup beside the script, when present, is sourced after
# the store is made (it may edit $PA_CONF or start helpers, registering
# their pids in $PA_DIR/pids for the cleanup).
set -u
script=$1
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}

command -v miltertest >/dev/null 2>&1 || { echo "miltertest not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed"; exit 77; }

PA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/passalong-mt.XXXXXX") || exit 99
cleanup() {
	if [ -f "$PA_DIR/pids" ]; then
		while read -r pid; do kill "$pid" 2>/dev/null; done < "$PA_DIR/pids"
	fi
	rm -rf "$PA_DIR"
}
trap cleanup EXIT INT TERM

# a free TCP port on 127.0.0.1, chosen by the kernel
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PA_MILTER=$builddir/passalong-milter
PA_PASSALONG=$builddir/passalong
PA_CONF=$PA_DIR/passalong.conf
PA_SOCKET="inet:$port@127.0.0.1"
PA_LOG=$PA_DIR/milter.log
PA_LIB=$srcdir/tests/milter/lib.lua
PA_DATA=$srcdir/tests/milter
export PA_DIR PA_MILTER PA_PASSALONG PA_CONF PA_SOCKET PA_LOG PA_LIB PA_DATA

. "$srcdir/tests/pg-lib.sh"
store_line=$(pg_store_line "$PA_DIR/passalong.db" "mt_$(basename "$script" .lua)") || exit 99
cat > "$PA_CONF" <<CONF
[gateway]
domain = intro.example.org

[milter]
socket = $PA_SOCKET
sender_auth = auth
max_message_size = 1048576

[store]
$store_line
busy_timeout = 200

[sender]
enabled = false
CONF

"$PA_PASSALONG" -c "$PA_CONF" init >/dev/null || exit 99
"$PA_PASSALONG" -c "$PA_CONF" member add chris@members.example \
    --name "Chris Member" --handle chris >/dev/null || exit 99
"$PA_PASSALONG" -c "$PA_CONF" member add jane@friends.example \
    --name "Jane Friend" --handle jane >/dev/null || exit 99

setup=${script%.lua}.setup
if [ -f "$setup" ]; then
	. "$setup" || exit 99
fi

# miltertest swallows Lua errors: the scenarios run inside pcall and
# print "FAIL ..." lines; any such line, or a non-zero exit, fails.
out=$PA_DIR/miltertest.out
timeout 120 miltertest -s "$script" >"$out" 2>"$PA_LOG"
rc=$?
cat "$out"
if [ $rc -ne 0 ] || grep -q '^FAIL' "$out" || ! grep -q '^PASS' "$out"; then
	echo "--- milter log ---"
	cat "$PA_LOG"
	exit 1
fi
exit 0
