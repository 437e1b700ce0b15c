# shellcheck shell=sh
# digest-lib.sh - the digest's parts and its picture, for
# tests/e2e/t-digest-look.sh and make screenshots (sourced, POSIX sh)
#
# digest_parts EML DIR      writes DIR/digest.html and DIR/digest.txt,
#                           the decoded alternatives (python3's email)
# digest_shot HTML PNG W H [FLAG...]
#                           headless Chromium's picture of HTML at W x H
#                           pixels, at most DIGEST_SHOT_TIMEOUT seconds
#                           (default 120); its profile in a temp folder
#                           that goes with it. Returns Chromium's status.

# digest_chromium - the Chromium command, or nothing
digest_chromium() {
	for c in chromium chromium-browser google-chrome; do
		command -v "$c" 2>/dev/null && return 0
	done
	return 1
}

digest_parts() {
	python3 - "$1" "$2" <<'PY'
import email, email.policy, sys
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
for part in msg.walk():
    kind = part.get_content_type()
    if kind in ("text/html", "text/plain"):
        name = "digest.html" if kind == "text/html" else "digest.txt"
        with open(f"{sys.argv[2]}/{name}", "w", encoding="utf-8") as out:
            out.write(part.get_content())
PY
}

digest_shot() {
	_html=$1 _png=$2 _w=$3 _h=$4
	shift 4
	_chrome=$(digest_chromium) || return 1
	_prof=$(mktemp -d)
	# no network, no first run, no GPU: the same picture on any host;
	# timeout -k: Chromium that hangs on a headless host is killed
	timeout -k 5 "${DIGEST_SHOT_TIMEOUT:-120}" "$_chrome" --headless \
		--no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--disable-extensions --disable-background-networking \
		--user-data-dir="$_prof" --window-size="$_w,$_h" \
		--screenshot="$_png" "$@" "file://$_html" \
		>"$_prof.log" 2>&1
	_rc=$?
	[ $_rc -eq 0 ] || tail -5 "$_prof.log" >&2
	rm -rf "$_prof" "$_prof.log"
	return $_rc
}
