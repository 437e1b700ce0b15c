#!/bin/sh
# t-web-screenshot.sh - the endpoint's pages as a browser draws them:
# GET /u/TOKEN and GET /c/TOKEN on the real daemon, screenshot by a
# headless Chromium (600x800, loopback only, no profile kept). Each PNG
# must exist, be 600x800, and not be blank (some hundreds of pixels
# differ from the background, in more than a few colours: text and
# buttons were drawn). Kept in $PA_SCREENSHOTS when that is set.
# Chromium may talk to 127.0.0.1 only: no name resolves, and anything
# else goes to a proxy port nobody listens on.
# Exit 0/1; 77 without chromium (or curl, python3, miltertest).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/web-lib.sh"
CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	command -v $c >/dev/null 2>&1 && { CHROMIUM=$c; break; }
done
[ -n "$CHROMIUM" ] || { echo "SKIP: no chromium"; exit 77; }

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

web_conf
"$PA" -c "$CONF" init >/dev/null || exit 99
"$PA" -c "$CONF" member add chris@members.example --name "Chris Member" \
    --handle chris >/dev/null || exit 99
"$PA" -c "$CONF" member add jane@friends.example --name "Jane Friend" \
    --handle jane >/dev/null || exit 99
web_up
web_shares 1 || { bad "a share through the milter"; exit 1; }
U=$("$PA" -c "$CONF" member unsubscribe-link chris@members.example | grep '^http')
C=$WEB/c/$(consent_token 1)

# shot NAME URL - a screenshot of URL in $T/NAME.png, checked
shot() {
	rm -rf "$T/chrome"
	timeout 90 nice "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking --disable-sync \
	    --disable-component-update --disable-default-apps \
	    --disable-extensions --hide-scrollbars \
	    --proxy-server=http://127.0.0.1:9 \
	    --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
	    --user-data-dir="$T/chrome" --window-size=600,800 \
	    --screenshot="$T/$1.png" "$2" >"$T/chrome.out" 2>&1
	if [ ! -s "$T/$1.png" ]; then
		bad "$1: no screenshot"
		sed 's/^/# /' "$T/chrome.out" | tail -20
		return
	fi
	# WIDTH HEIGHT COLOURS SHARE (of the commonest colour; 1: blank)
	stats=$(python3 "$top_srcdir/tests/e2e/png-info.py" "$T/$1.png")
	set -- "$1" $stats
	if [ "$2" = 600 ] && [ "$3" = 800 ] && [ "${4:-0}" -gt 8 ] &&
	    awk -v s="${5:-1}" 'BEGIN { exit !(s < 0.999) }'; then
		ok "$1: 600x800, $4 colours, the commonest on $5 of it"
	else
		bad "$1: blank or wrong size (${stats:-not a PNG})"
	fi
	[ -n "${PA_SCREENSHOTS:-}" ] && cp "$T/$1.png" "$PA_SCREENSHOTS/"
}
shot unsubscribe "$U"
shot consent "$C"
web_down
echo "1..$n"
[ "$failed" = 0 ]
