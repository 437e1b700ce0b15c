# web-lib.sh - shared by tests/e2e/t-web*.sh (sourced, not run)
#
# A throw-away passalong-milter with [web] listen on 127.0.0.1, its own
# SQLite store (or, with PA_TEST_PG set, that PostgreSQL), two members
# and shares in consent mode recorded through the milter protocol
# (miltertest, tests/e2e/web-shares.lua). Everything talks to 127.0.0.1
# only; every wait is bounded; web_cleanup (a trap) stops what started.
#
# Sets T (a folder), CONF, PA, MILTER, WEB (http://127.0.0.1:PORT),
# MPORT (the milter's port); WEB_LISTEN, when set, replaces the
# listen address web_conf writes. Functions: web_conf [no-web], web_up,
# web_down, web_shares N, consent_token N.

set -u
: "${top_builddir:=.}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PA=$top_builddir/passalong
MILTER=$top_builddir/passalong-milter
for tool in curl python3 miltertest; do
	command -v $tool >/dev/null 2>&1 || { echo "SKIP: no $tool"; exit 77; }
done
[ -x "$MILTER" ] || { echo "FAIL: $MILTER not built"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/passalong-web.XXXXXX") || exit 99
CONF=$T/passalong.conf
MILTER_PID=

web_cleanup() {
	web_down
	rm -rf "$T"
}
trap web_cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
MPORT=$(free_port)
WPORT=$(free_port)
WEB=http://127.0.0.1:$WPORT

# web_conf [no-web] - the daemon's and the CLI's configuration
web_conf() {
	cat >"$CONF" <<EOC
[gateway]
domain = intro.example.org

[milter]
socket = inet:$MPORT@127.0.0.1
sender_auth = auth

[store]
${STORE_LINE:-path = $T/passalong.db}
busy_timeout = 3000

[sender]
enabled = false
EOC
	[ "${1:-}" = no-web ] && return 0
	cat >>"$CONF" <<EOC

[web]
listen = ${WEB_LISTEN:-127.0.0.1:$WPORT}
base_url = $WEB
EOC
}

# web_up - start the daemon (under $WEB_WRAP, e.g. valgrind, when set);
# wait (bounded: 30 s) until the milter answers
web_up() {
	${WEB_WRAP:-} "$MILTER" -f -c "$CONF" 2>>"$T/milter.log" &
	MILTER_PID=$!
	i=0
	until python3 -c "import socket,sys
s = socket.socket(); s.settimeout(1)
sys.exit(s.connect_ex(('127.0.0.1', $MPORT)))" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$MILTER_PID" 2>/dev/null; then
			echo "FAIL: the daemon did not start"
			cat "$T/milter.log"
			exit 1
		fi
		sleep 0.1
	done
}

# web_down - stop the daemon (SIGTERM, then at most 30 s)
web_down() {
	[ -n "$MILTER_PID" ] || return 0
	kill "$MILTER_PID" 2>/dev/null
	i=0
	while kill -0 "$MILTER_PID" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$MILTER_PID" 2>/dev/null
	wait "$MILTER_PID" 2>/dev/null
	MILTER_PID=
}

# web_shares N - chris shares N requests with jane, in consent mode,
# through the running daemon's milter
web_shares() {
	PA_MILTER=$MILTER PA_PASSALONG=$PA PA_CONF=$CONF \
	    PA_SOCKET="inet:$MPORT@127.0.0.1" PA_LOG=$T/milter.log \
	    PA_LIB=$top_srcdir/tests/milter/lib.lua \
	    PA_DATA=$top_srcdir/tests/milter PA_DIR=$T WEB_SHARES=$1 \
	    timeout 120 miltertest -s "$top_srcdir/tests/e2e/web-shares.lua" \
	    >"$T/mt.out" 2>>"$T/milter.log"
	grep -q '^PASS' "$T/mt.out" && ! grep -q '^FAIL' "$T/mt.out"
}

# consent_token N - the TOKEN of share N's consent request (its
# intro+TOKEN@ Reply-To, the token of /c/TOKEN)
consent_token() {
	id=$("$PA" -c "$CONF" outbox list --json | python3 -c "import json,sys
print([o['id'] for o in json.load(sys.stdin) if o['kind'] == 'consent'][$1 - 1])")
	"$PA" -c "$CONF" outbox show "$id" |
	    grep -o 'intro+[a-z2-7]*@intro\.example\.org' | head -1 |
	    sed 's/^intro+//; s/@.*//'
}
