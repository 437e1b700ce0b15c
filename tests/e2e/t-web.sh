#!/bin/sh
# t-web.sh - the web endpoint (web/) on the real daemon, driven by curl
# on 127.0.0.1: off without [web] listen (connection refused); GET and
# HEAD never change anything (the store is read after each); POST
# /u/TOKEN unsubscribes once, then says "already"; unknown, malformed
# and reused tokens are 404; 405 with Allow, 413, 414, 429 with
# Retry-After; the security headers on every page; a consent yes by
# POST queues the introduction to the friend, the requester and the
# member, a no only the member's notice, a second answer and an
# expired request change nothing; the friend never sees the
# requester's address before a yes.
# Exit 0/1; 77 without curl, python3, miltertest or sqlite3.
# With WEB_PG_URL (and STORE_LINE naming it) the store is that
# PostgreSQL database, read with psql (tests/e2e/t-web-pg.sh).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/web-lib.sh"
if [ -n "${WEB_PG_URL:-}" ]; then
	command -v psql >/dev/null 2>&1 || { echo "SKIP: no psql"; exit 77; }
	db_sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$WEB_PG_URL" -c "$1"; }
else
	command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
	db_sql() { sqlite3 "$T/passalong.db" "$1"; }
fi

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$1"; then ok "$2"; else bad "$2"; fi; }

# req METHOD PATH [CURL ARGS] - the status in $code, the header in
# $T/h, the body in $T/b; each request from its own client address
# (X-Forwarded-For, which the endpoint takes from a loopback peer), so
# that the rate limit is met only where it is tested
xff=0
req() {
	m=$1 p=$2
	shift 2
	xff=$((xff + 1))
	if [ "$m" = HEAD ]; then set -- -I "$@"; else set -- -X "$m" "$@"; fi
	code=$(curl -s -m 10 -o "$T/b" -D "$T/h" -w '%{http_code}' \
	    -H "X-Forwarded-For: 10.0.0.$((xff / 250)), 192.0.2.$((xff % 250 + 1))" \
	    "$@" "$WEB$p")
}
# expect CODE TEXT WHAT - the last request's status and a text in its body
expect() {
	if [ "$code" = "$1" ] && grep -qF -- "$2" "$T/b"; then
		ok "$3: $1"
	else
		bad "$3: got $code, wanted $1 with \"$2\""
		sed 's/^/# /' "$T/h" "$T/b" | head -40
	fi
}
digest_day() {
	db_sql "SELECT coalesce(digest_day, 'default') FROM members WHERE address = 'chris@members.example'"
}
status() {
	"$PA" -c "$CONF" share show "$1" --json |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}
rows() {
	"$PA" -c "$CONF" outbox list --json | python3 -c 'import json,sys
print(";".join(o["kind"] + ":" + ",".join(o["to"]) for o in json.load(sys.stdin)))'
}

# --- off unless [web] listen is set
web_conf no-web
"$PA" -c "$CONF" init >/dev/null || exit 99
"$PA" -c "$CONF" member add chris@members.example --name "Chris Member" \
    --handle chris >/dev/null || exit 99
"$PA" -c "$CONF" member add jane@friends.example --name "Jane Friend" \
    --handle jane >/dev/null || exit 99
web_up
curl -s -m 5 -o /dev/null "$WEB/u/x"
rc=$?
check '[ $rc = 7 ]' "no [web] listen: connection refused (curl $rc)"
web_down

# --- on
web_conf
web_up
i=0
until curl -s -m 2 -o /dev/null "$WEB/"; do
	i=$((i + 1))
	[ $i -lt 50 ] || { bad "the endpoint did not answer"; exit 1; }
	sleep 0.1
done
"$PA" -c "$CONF" member unsubscribe-link chris@members.example >"$T/links" ||
    { bad "member unsubscribe-link"; exit 1; }
U=$(grep '^http' "$T/links" | sed "s|^$WEB||")
TOK=${U#/u/}
check 'echo "$U" | grep -Eq "^/u/[a-z2-7]{26}$"' "unsubscribe link printed: $U"
check 'grep -qx "mailto:unsubscribe+$TOK@intro.example.org" "$T/links"' \
    "unsubscribe address printed"
web_shares 3 || { bad "shares through the milter"; sed 's/^/# /' "$T/mt.out"; }

# --- unsubscribe: GET and HEAD change nothing
req GET "$U"
expect 200 "Unsubscribe from the weekly digest</button>" "GET /u/TOKEN shows the button"
check 'grep -q "<form method=\"post\" action=\"\">" "$T/b"' "the button posts to the same URL"
check 'grep -q "<html lang=\"en\">" "$T/b" && grep -q "<title>" "$T/b" && grep -q "<h1>" "$T/b"' \
    "lang, title and a heading"
check '! grep -qi "<script\|https\?://" "$T/b"' "no script, no remote resource"
for h in "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'" \
    "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer" \
    "Cache-Control: no-store" "X-Frame-Options: DENY" \
    "Content-Type: text/html; charset=utf-8"; do
	check 'tr -d "\r" <"$T/h" | grep -qiF "$h"' "header $h"
done
req HEAD "$U"
check '[ "$code" = 200 ]' "HEAD /u/TOKEN: $code"
req GET "$(echo "$U" | tr a-z A-Z | sed 's|^/U/|/u/|')"
expect 200 "Unsubscribe from the weekly digest" "the token without case"
check '[ "$(digest_day)" = default ]' "GET and HEAD changed nothing ($(digest_day))"

# --- refusals before anything is read
req PUT "$U"
expect 405 "Not allowed" "PUT /u/TOKEN"
check 'tr -d "\r" <"$T/h" | grep -qx "Allow: GET, HEAD, POST"' "405 names Allow"
head -c 1024 /dev/zero | tr '\0' x >"$T/1k"
req POST "$U" --data-binary "@$T/1k"
expect 400 "Not understood" "POST of 1024 bytes is read (and not understood)"
head -c 1025 /dev/zero | tr '\0' x >"$T/1k1"
req POST "$U" --data-binary "@$T/1k1"
expect 413 "Request too large" "POST of 1025 bytes"
head -c 3000 /dev/zero | tr '\0' x >"$T/big"
req POST "$U" -H "Transfer-Encoding: chunked" --data-binary "@$T/big"
expect 413 "Request too large" "chunked POST of 3000 bytes"
head -c 300000 /dev/zero | tr '\0' x >"$T/huge"
req POST "$U" -H "Transfer-Encoding: chunked" --data-binary "@$T/huge"
check '[ "$code" = 413 ] || [ "$code" = 000 ]' "300 KB chunked: cut off ($code)"
req GET "$U"
expect 200 "Unsubscribe from the weekly digest" "the endpoint still answers"
req GET "/u/$TOK$(printf '%0300d' 0)"
expect 414 "Link too long" "URL of 330 bytes"
req GET "/u/$TOK?$(printf '%0300d' 0)"
expect 414 "Link too long" "query of 300 bytes"
check '[ "$(digest_day)" = default ]' "refusals changed nothing"

# --- unknown, malformed and reused tokens
req GET /u/aaaaaaaaaaaaaaaaaaaaaaaaaa
expect 404 "Link not found" "unknown token"
req POST /u/aaaaaaaaaaaaaaaaaaaaaaaaaa -d "List-Unsubscribe=One-Click"
expect 404 "Link not found" "POST of an unknown token"
req GET /u/short
expect 404 "Link not found" "malformed token"
req GET "/u/${TOK%?}1"
expect 404 "Link not found" "a digit base32 has not"
req GET "/u/%00$TOK"
expect 404 "Link not found" "a NUL"
req GET "/c/$TOK"
expect 404 "Link not found" "the unsubscribe token as a consent token"
req GET "/u/$TOK/extra"
expect 404 "Link not found" "a path under /u/TOKEN"
req GET /
expect 404 "Link not found" "/"
req GET /etc/passwd
expect 404 "Link not found" "/etc/passwd"
req GET "/u/../../etc/passwd"
expect 404 "Link not found" "/u/../../etc/passwd"
req POST "$U" -d "something=else"
expect 400 "Not understood" "a body that is not RFC 8058's"
check '[ "$(digest_day)" = default ]' "nothing changed so far"

# --- unsubscribe by POST: once, then "already"
req POST "$U" -d "List-Unsubscribe=One-Click"
expect 200 "You are unsubscribed" "POST /u/TOKEN (RFC 8058 body)"
check '[ "$(digest_day)" = never ]' "the digest is off ($(digest_day))"
req POST "$U"
expect 200 "already unsubscribed" "a second POST (empty body)"
req GET "$U"
expect 200 "You are unsubscribed" "GET after it says so"
db_sql "UPDATE members SET digest_day = NULL"
req POST "$U" -F "List-Unsubscribe=One-Click"
expect 200 "You are unsubscribed" "POST as multipart/form-data"

# --- consent by link
T1=$(consent_token 1)
T2=$(consent_token 2)
T3=$(consent_token 3)
check '[ ${#T1} = 26 ] && [ ${#T2} = 26 ] && [ ${#T3} = 26 ]' "three consent tokens"

# --- the store locked by another process past busy_timeout: 503 with
# Retry-After, nothing half done (the lock is released by removing a
# file; held 60 s at most)
db_sql "UPDATE members SET digest_day = NULL"
touch "$T/locked"
if [ -n "${WEB_PG_URL:-}" ]; then
	# psql runs its input in order: the lock is held before the touch
	{
		echo "BEGIN; LOCK TABLE members, shares IN ACCESS EXCLUSIVE MODE;"
		echo "\\! touch '$T/holding'"
		i=0
		while [ -e "$T/locked" ] && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		echo "ROLLBACK;"
	} | psql -X -q "$WEB_PG_URL" >/dev/null &
else
python3 - "$T/passalong.db" "$T" <<'PY' &
import os, sqlite3, sys, time
db, d = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db, isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(os.path.join(d, "holding"), "w").close()
deadline = time.time() + 60
while os.path.exists(os.path.join(d, "locked")) and time.time() < deadline:
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
fi
locker=$!
i=0
while [ ! -e "$T/holding" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
req POST "$U" -d "List-Unsubscribe=One-Click"
expect 503 "Nothing has been changed" "POST /u/TOKEN, the store locked"
check 'tr -d "\r" <"$T/h" | grep -q "^Retry-After: [1-9]"' "503 with Retry-After"
req POST "/c/$T3/yes"
expect 503 "Nothing has been changed" "POST /c/TOKEN/yes, the store locked"
rm -f "$T/locked"
wait "$locker"
check '[ "$(digest_day)" = default ] && [ "$(status 3)" = asked ]' \
    "the failures changed nothing ($(digest_day), share 3 $(status 3))"
before=$(rows)
req GET "/c/$T1"
expect 200 "Yes, introduce me</button>" "GET /c/TOKEN shows the question"
check 'grep -q "No, thank you</button>" "$T/b"' "and a no button"
check 'grep -q "action=\"$T1/yes\"" "$T/b" && grep -q "action=\"$T1/no\"" "$T/b"' \
    "the buttons post to /c/TOKEN/yes and /no"
check 'grep -q "Chris Member" "$T/b" && grep -q "Dana Organizer" "$T/b" && grep -q "meetup number 1" "$T/b"' \
    "the member, the requester's name and the subject"
check '! grep -q "@" "$T/b"' "no address on the page before a yes"
req GET "/c/$T1/yes"
expect 200 "Yes, introduce me</button>" "GET /c/TOKEN/yes asks to confirm"
req GET "/c/$T1/no"
expect 200 "No, thank you</button>" "GET /c/TOKEN/no asks to confirm"
req HEAD "/c/$T1/yes"
check '[ "$code" = 200 ]' "HEAD /c/TOKEN/yes: $code"
req POST "/c/$T1"
expect 405 "Not allowed" "POST /c/TOKEN"
check 'tr -d "\r" <"$T/h" | grep -qx "Allow: GET, HEAD"' "405 names Allow: GET, HEAD"
req GET "/c/$T1/maybe"
expect 404 "Link not found" "/c/TOKEN/maybe"
check '[ "$(status 1)" = asked ] && [ "$(rows)" = "$before" ]' \
    "GET and HEAD changed nothing (share 1 $(status 1))"

req POST "/c/$T1/yes"
expect 200 "you said yes" "POST /c/TOKEN/yes"
check '[ "$(status 1)" = accepted ]' "share 1 accepted ($(status 1))"
after=$(rows)
new=${after#"$before;"}
check '[ "$new" = "intro:jane@friends.example,dana1@confs.example,chris@members.example" ]' \
    "the introduction is queued, to the three ($new)"
req POST "/c/$T1/no"
expect 200 "Already answered" "a second answer"
check '[ "$(status 1)" = accepted ] && [ "$(rows)" = "$after" ]' "it changed nothing"
req GET "/c/$T1"
expect 200 "Already answered" "GET after the answer"

before=$(rows)
req POST "/c/$(echo "$T2" | tr a-z A-Z)/no"
expect 200 "you said no" "POST /c/TOKEN/no (token in upper case)"
check '[ "$(status 2)" = declined ]' "share 2 declined ($(status 2))"
after=$(rows)
new=${after#"$before;"}
check '[ "$new" = "notice:chris@members.example" ]' "only the member's notice ($new)"

"$PA" -c "$CONF" tick --now "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
before=$(rows)
req GET "/c/$T3"
expect 410 "expired" "GET of an expired request"
req POST "/c/$T3/yes"
expect 410 "expired" "POST yes to an expired request"
check '[ "$(status 3)" = expired ] && [ "$(rows)" = "$before" ]' "nothing changed ($(status 3))"

# --- the rate limit: 30 at once for one address (then one per 2 s),
# others unaffected; a path that needs no store, so that the loop is
# quick, and up to 90 tries, so that a slow machine still meets it
served=0
last=
for i in $(seq 1 90); do
	last=$(curl -s -m 5 -o "$T/b" -D "$T/h" -w '%{http_code}' \
	    -H "X-Forwarded-For: 198.51.100.7" "$WEB/nothing")
	[ "$last" = 429 ] && break
	served=$((served + 1))
done
check '[ "$last" = 429 ] && [ $served -ge 30 ] && tr -d "\r" <"$T/h" | grep -q "^Retry-After: [1-9]"' \
    "429 with Retry-After after $served requests from one address"
req GET "$U"
check '[ "$code" = 200 ]' "another address meanwhile: $code"

web_down
check '[ "$(grep -c "web: store failed" "$T/milter.log")" = 2 ]' "the two store failures logged"

# --- IPv6: [::1]:PORT, when this host has an IPv6 loopback
if P6=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])' 2>/dev/null); then
	WEB_LISTEN="[::1]:$P6" WEB="http://[::1]:$P6" web_conf
	web_up
	i=0
	until curl -s -g -m 2 -o /dev/null "http://[::1]:$P6/"; do
		i=$((i + 1))
		[ $i -lt 50 ] || break
		sleep 0.1
	done
	code=$(curl -s -g -m 5 -o "$T/b" -D "$T/h" -w "%{http_code}" "http://[::1]:$P6$U")
	expect 200 "Unsubscribe from the weekly digest" "GET /u/TOKEN on [::1]"
	curl -s -m 5 -o /dev/null "http://127.0.0.1:$P6$U"
	rc=$?
	check '[ $rc = 7 ]' "not on 127.0.0.1 meanwhile (curl $rc)"
	web_down
else
	echo "# no IPv6 loopback here: [::1] not tried"
fi
# --- [web] listen taken by another program: the daemon does not start
python3 - "$WPORT" "$T" <<'PY' &
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(os.path.join(sys.argv[2], "taken"), "w").close()
deadline = time.time() + 30
while os.path.exists(os.path.join(sys.argv[2], "taken")) and time.time() < deadline:
    time.sleep(0.05)
PY
holder=$!
i=0
while [ ! -e "$T/taken" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
web_conf
timeout 30 "$MILTER" -f -c "$CONF" 2>"$T/taken.log"
rc=$?
rm -f "$T/taken"
wait "$holder"
check '[ $rc = 69 ] && grep -q "cannot start the web endpoint: cannot listen on 127.0.0.1:$WPORT" "$T/taken.log"' \
    "port taken: exit $rc, and says so"

check '! grep -q "CRITICAL\|runtime check" "$T/milter.log"' "a clean log"
echo "1..$n"
[ "$failed" = 0 ] || { sed 's/^/# log: /' "$T/milter.log" | tail -30; exit 1; }
exit 0
