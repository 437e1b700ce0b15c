#!/bin/sh
# hostile-mime.sh - what one hostile share costs the milter: peak RSS
# and CPU of passalong-milter for messages built to make a MIME parser
# work (issue 8, defect 4). A measurement, not a test: it prints one
# line per message and asserts nothing.
#
#   bench/hostile-mime.sh [BUILDDIR]      (default: the current folder)
#
# Per message kind it starts a fresh milter (unix socket, temp store),
# resets its peak RSS (5 > /proc/PID/clear_refs), sends the message with
# miltertest as a share from a member (SMTP AUTH), then reads VmHWM and
# VmRSS from /proc/PID/status and the CPU it used (utime+stime of
# /proc/PID/stat, ticks converted to seconds) for that one message.
# Message kinds (all under the default max_message_size of 10 MB):
#   plain        a 20 KB inline forward, for scale
#   parts-100k   100,000 empty MIME parts
#   parts-1m     1,000,000 empty MIME parts
#   deep-multi   multipart/mixed nested 100,000 deep
#   deep-rfc822  message/rfc822 nested 200,000 deep
#   fields-1m    one part with 1,000,000 header lines "a:"
#   long-field   one part with a 9 MB header field
#   addresses    an attached message whose To holds 9 MB of addresses
# and, just under every limit of the scanner, what a share may still cost:
#   limit-parts  1,000 parts with 9 header fields each
#   limit-addrs  4 attached messages, each To 12,000 addresses (120 KB)
#   big-text     an inline forward of 9 MB of text
#   html-deep    a 9 MB text/html part of nested <div>s
#   eml-parts    a base64 "x.eml" attachment holding 900,000 empty parts
# BENCH_KINDS="parts-1m deep-multi" runs only those; BENCH_WHY=1 prints
# the reply text under each line.
set -u
builddir=$(cd "${1:-.}" && pwd)
milter=$builddir/passalong-milter
cli=$builddir/passalong
[ -x "$milter" ] || { echo "no $milter (give the build folder)" >&2; exit 2; }
command -v miltertest >/dev/null 2>&1 || { echo "miltertest not installed" >&2; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed" >&2; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/passalong-hostile.XXXXXX") || exit 2
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

cat >"$T/pa.conf" <<CONF
[gateway]
domain = intro.example.org
[milter]
socket = unix:$T/pa.sock
sender_auth = auth
[limits]
shares_per_hour = 0
shares_per_day = 0
intros_per_friend_per_week = 0
consent_requests_per_friend_per_week = 0
[store]
path = $T/pa.db
# the reliability of share -> introduction: no consent step
[consent]
mode = direct

[sender]
enabled = false
CONF
"$cli" -c "$T/pa.conf" init >/dev/null || exit 2
"$cli" -c "$T/pa.conf" member add chris@members.example --handle chris \
    >/dev/null || exit 2
"$cli" -c "$T/pa.conf" member add jane@friends.example --handle jane \
    >/dev/null || exit 2

# gen KIND FILE - write one hostile message (CRLF) to FILE
gen() {
	python3 - "$1" "$2" <<'PY'
import sys
kind, path = sys.argv[1], sys.argv[2]
head = ("From: Chris <chris@members.example>\r\n"
        "To: share+jane@intro.example.org\r\n"
        "Subject: Fwd: hello\r\n"
        "MIME-Version: 1.0\r\n")
out = open(path, "wb")
def w(s):
    out.write(s.encode())
if kind == "plain":
    w(head + "Content-Type: text/plain\r\n\r\nFYI\r\n\r\n"
      "---------- Forwarded message ---------\r\n"
      "From: Ann <ann@example.com>\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\n"
      "Subject: hello\r\nTo: Chris <chris@members.example>\r\n\r\n")
    w("Could you introduce me?\r\n" * 800)
elif kind.startswith("parts-"):
    n = 100000 if kind == "parts-100k" else 1000000
    w(head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n')
    w("--b\r\n\r\n" * n + "--b--\r\n")
elif kind == "deep-multi":
    w(head + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
    for i in range(100000):
        w("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n"
          % (i, i + 1))
elif kind == "deep-rfc822":
    w(head + "Content-Type: message/rfc822\r\n\r\n")
    w("Content-Type: message/rfc822\r\n\r\n" * 200000)
elif kind == "fields-1m":
    w(head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n')
    w("a:\r\n" * 1000000 + "\r\nx\r\n--b--\r\n")
elif kind == "long-field":
    w(head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n')
    w("X-Long: " + "a" * (9 << 20) + "\r\n\r\nx\r\n--b--\r\n")
elif kind == "limit-parts":
    w(head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n')
    w(("--b\r\nContent-Type: text/plain\r\n" + "X-A: 1\r\n" * 8 +
       "\r\nx\r\n") * 1000 + "--b--\r\n")
elif kind == "limit-addrs":
    w(head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n')
    for i in range(4):
        w("--b\r\nContent-Type: message/rfc822\r\n\r\n"
          "From: Ann <ann@example.com>\r\nSubject: hello\r\nTo: " +
          "a@b.cd,\r\n " * 12000 + "z@b.cd\r\n\r\nhello\r\n")
    w("--b--\r\n")
elif kind == "big-text":
    w(head + "Content-Type: text/plain\r\n\r\nFYI\r\n\r\n"
      "---------- Forwarded message ---------\r\n"
      "From: Ann <ann@example.com>\r\nSubject: hello\r\n"
      "To: Chris <chris@members.example>\r\n\r\n")
    w("Could you introduce me to someone who knows? " * 200000)
elif kind == "html-deep":
    w(head + "Content-Type: text/html\r\n\r\n<p>FYI</p>")
    w("<div>" * ((9 << 20) // 5))
elif kind == "eml-parts":
    import base64
    eml = (head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' +
           "--b\r\n\r\n" * 900000 + "--b--\r\n").encode()
    w(head + 'Content-Type: multipart/mixed; boundary="o"\r\n\r\n'
      "--o\r\nContent-Type: text/plain\r\n\r\nFYI\r\n"
      "--o\r\nContent-Type: application/octet-stream; name=x.eml\r\n"
      "Content-Disposition: attachment; filename=x.eml\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n")
    w(base64.encodebytes(eml).decode().replace("\n", "\r\n") +
      "--o--\r\n")
elif kind == "addresses":
    w(head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
      "Content-Type: message/rfc822\r\n\r\n"
      "From: Ann <ann@example.com>\r\nSubject: hello\r\nTo: ")
    w("a@b.cd,\r\n " * ((9 << 20) // 10) + "z@b.cd\r\n\r\nhello\r\n--b--\r\n")
PY
}

cat >"$T/send.lua" <<'LUA'
-- send the file in chunks of 65000 bytes; print the verdict
mt.set_timeout(300)
local ok, why = pcall(function()
	local f = assert(io.open(file, "rb"))
	local text = f:read("*a")
	f:close()
	local cut = text:find("\r\n\r\n", 1, true)
	local head, body = text:sub(1, cut + 1), text:sub(cut + 4)
	local conn = mt.connect(socket, 40, 0.25)
	assert(conn ~= nil, "connect")
	assert(mt.negotiate(conn, nil, nil, nil) == nil, "negotiate")
	mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "chris@members.example",
		"i", "HOSTILE")
	assert(mt.mailfrom(conn, "<chris@members.example>") == nil)
	mt.getreply(conn)
	assert(mt.rcptto(conn, "<share+jane@intro.example.org>") == nil)
	assert(mt.getreply(conn) == SMFIR_CONTINUE, "RCPT refused")
	assert(mt.data(conn) == nil)
	mt.getreply(conn)
	for name, value in head:gmatch("([^:\r\n]+): ([^\r\n]*)\r\n") do
		assert(mt.header(conn, name, value) == nil)
	end
	assert(mt.eoh(conn) == nil)
	local r = SMFIR_CONTINUE
	for i = 1, #body, 65000 do
		assert(mt.bodystring(conn, body:sub(i, i + 64999)) == nil)
		r = mt.getreply(conn)
		if r ~= SMFIR_CONTINUE then break end
	end
	if r == SMFIR_CONTINUE then
		assert(mt.eom(conn) == nil)
		r = mt.getreply(conn)
	end
	local names = { [SMFIR_ACCEPT] = "accept", [SMFIR_DISCARD] = "discard",
		[SMFIR_REJECT] = "reject", [SMFIR_TEMPFAIL] = "tempfail",
		[SMFIR_REPLYCODE] = "replycode", [SMFIR_CONTINUE] = "continue" }
	print("verdict=" .. (names[r] or tostring(r)))
	mt.disconnect(conn)
end)
if not ok then print("verdict=error:" .. tostring(why)) end
LUA

# cpu PID - utime+stime in clock ticks
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# kb PID FIELD - a /proc/PID/status field in kB
kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

hz=$(getconf CLK_TCK)
kinds=${BENCH_KINDS:-plain parts-100k parts-1m deep-multi deep-rfc822 fields-1m long-field addresses limit-parts limit-addrs big-text html-deep eml-parts}
echo "# passalong-milter, one hostile share per fresh daemon ($(date -u +%Y-%m-%dT%H:%MZ))"
for kind in $kinds; do
	gen "$kind" "$T/msg.eml" || exit 2
	size=$(wc -c <"$T/msg.eml")
	rm -f "$T/pa.sock"
	"$milter" -f -c "$T/pa.conf" 2>"$T/pa.log" &
	pid=$!
	i=0
	while [ ! -S "$T/pa.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	echo 5 >"/proc/$pid/clear_refs" 2>/dev/null
	base=$(kb "$pid" VmHWM)
	c0=$(cpu "$pid")
	verdict=$(miltertest -D file="$T/msg.eml" -D socket="unix:$T/pa.sock" \
	    -s "$T/send.lua" 2>>"$T/pa.log" | sed -n 's/^verdict=//p')
	if kill -0 "$pid" 2>/dev/null; then
		c1=$(cpu "$pid")
		hwm=$(kb "$pid" VmHWM)
		rss=$(kb "$pid" VmRSS)
		cpus=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
		kill "$pid"
		wait "$pid" 2>/dev/null
	else
		hwm=dead rss=dead cpus=dead
		wait "$pid" 2>/dev/null
	fi
	pid=
	reply=$(grep -o 'HOSTILE: reply [0-9][0-9][0-9] [0-9.]*' "$T/pa.log" | tail -1 | cut -d' ' -f3,4)
	printf '%-12s bytes=%-9s verdict=%-10s reply=%-10s cpu_s=%-6s peak_rss_kb=%-8s start_kb=%-6s rss_after_kb=%s\n' \
	    "$kind" "$size" "$verdict" "${reply:-none}" "$cpus" "$hwm" "$base" "$rss"
	[ -n "${BENCH_WHY:-}" ] && sed -n 's/^HOSTILE: reply [0-9]* [0-9.]* /  why: /p' "$T/pa.log"
done
