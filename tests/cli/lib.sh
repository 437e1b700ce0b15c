# lib.sh - shared by the tests/cli/t-*.sh scripts (sourced, not run)
#
# Sets PA (the built passalong), T (a temporary folder removed on exit)
# and CONF (a configuration whose database lives in T); provides checks
# that print TAP-like lines and count failures; finish() exits 0 or 1.

set -u
: "${top_builddir:=.}"
PA="$top_builddir/passalong"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
[ -x "$PA" ] || { echo "FAIL: $PA not built"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
CONF="$T/passalong.conf"
failed=0
n=0

# write_conf FILE [SMTP_URL] - a configuration with its database in $T
write_conf() {
	cat >"$1" <<EOC
[gateway]
domain = intro.example.org

[store]
path = $T/var/lib/passalong.db   # a folder init must create

[sender]
enabled = false
smtp_url = ${2:-smtp://127.0.0.1:10025}
retry_min = 60
EOC
}
write_conf "$CONF"

# ok DESCRIPTION - record a passed check
ok() { n=$((n + 1)); echo "ok $n - $1"; }
# bad DESCRIPTION - record a failed check
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# run EXPECTED_STATUS ARGS... - run passalong; stdout in $T/out, stderr in $T/err
run() {
	want=$1
	shift
	"$PA" "$@" >"$T/out" 2>"$T/err"
	got=$?
	what=$(printf '%s' "$*" | tr '\r\n' '  ')
	if [ "$got" -eq "$want" ]; then
		ok "passalong $what -> $want"
	else
		bad "passalong $what -> $got, wanted $want"
		sed 's/^/# err: /' "$T/err"
	fi
}

# has FILE TEXT - $T/FILE contains TEXT
has() {
	if grep -F -q -- "$2" "$T/$1"; then
		ok "$1 has \"$2\""
	else
		bad "$1 lacks \"$2\""
		sed 's/^/# /' "$T/$1"
	fi
}

# json EXPRESSION - a Python expression about d, the JSON in $T/out
json() {
	if python3 -c 'import json,sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1"; then
		ok "json: $1"
	else
		bad "json: $1"
		sed 's/^/# /' "$T/out"
	fi
}

# finish - the plan line and the exit status
finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ] || { echo "$failed of $n checks failed"; exit 1; }
	exit 0
}
