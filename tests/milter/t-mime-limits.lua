-- Share mail whose MIME structure passes a limit is refused with 554
-- 5.6.0 as its body arrives, before GMime builds anything; share mail
-- with a few parts is still shared (issue 8, defect 4).
dofile(os.getenv("PA_LIB"))

local HEAD = {
	{ "From", "Chris <chris@members.example>" },
	{ "To", "share+jane@intro.example.org" },
	{ "Subject", "Fwd: hello" },
	{ "MIME-Version", "1.0" },
}

-- share(conn, qid, ctype, body): a share from chris to jane with the
-- given top Content-Type and body, in 65,000-byte chunks; the reply to
-- the chunk that was refused, else the reply at end of message
function share(conn, qid, ctype, body)
	envelope(conn, "<chris@members.example>", "chris@members.example", qid)
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share recipient not accepted")
	check(mt.data(conn) == nil, "DATA failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "DATA not continued")
	for _, h in ipairs(HEAD) do
		check(mt.header(conn, h[1], h[2]) == nil, "header failed")
	end
	check(mt.header(conn, "Content-Type", ctype) == nil, "header failed")
	check(mt.eoh(conn) == nil, "EOH failed")
	for i = 1, #body, 65000 do
		check(mt.bodystring(conn, body:sub(i, i + 64999)) == nil,
			"body failed")
		local r = mt.getreply(conn)
		if r ~= SMFIR_CONTINUE then return r end
	end
	check(mt.eom(conn) == nil, "EOM failed")
	return mt.getreply(conn)
end

-- a note, and the request attached as a message with two parts
local attached = table.concat({
	"--outer",
	"Content-Type: text/plain",
	"",
	"Could you introduce Ann to Jane?",
	"--outer",
	"Content-Type: message/rfc822",
	"",
	"From: Ann Asker <ann@example.com>",
	"To: Chris <chris@members.example>",
	"Subject: hello",
	"Date: Mon, 1 Jun 2026 10:00:00 +0000",
	"Message-ID: <req-1@example.com>",
	"MIME-Version: 1.0",
	"Content-Type: multipart/alternative; boundary=inner",
	"",
	"--inner",
	"Content-Type: text/plain",
	"",
	"Hello Chris, could you introduce me to Jane?",
	"--inner",
	"Content-Type: text/html",
	"",
	"<p>Hello Chris, could you introduce me to Jane?</p>",
	"--inner--",
	"--outer--",
	"" }, "\r\n")

-- status_kb(pid, field): a /proc/PID/status field in kB
function status_kb(pid, field)
	local f = io.open("/proc/" .. pid .. "/status", "r")
	check(f ~= nil, "no /proc/" .. pid .. "/status")
	local all = f:read("*a")
	f:close()
	return tonumber(all:match(field .. ":%s*(%d+) kB"))
end

run("MIME limits", function()
	local conn = start()
	local r = share(conn, "QM1", "multipart/mixed; boundary=outer", attached)
	check(r == SMFIR_DISCARD, "few parts: expected DISCARD, got " .. tostring(r))
	check(count("share list") == 1, "few parts: expected 1 share")
	mt.disconnect(conn)

	-- the daemon's peak RSS from here on (VmHWM, reset by clear_refs)
	local pid = sh("pgrep -f '^" .. PA.milter .. " -f -c " .. PA.conf .. "$'")
	check(pid:match("^%d+$"), "no single milter pid: " .. pid)
	os.execute("echo 5 > /proc/" .. pid .. "/clear_refs")
	local rss0 = status_kb(pid, "VmRSS")

	conn = connect()
	-- the top Content-Type folded, as an MTA passes it on
	r = share(conn, "QM2", 'multipart/mixed;\n\tboundary="b"',
		string.rep("--b\r\n\r\n", 200000) .. "--b--\r\n")
	check(r == SMFIR_REPLYCODE, "200,000 parts: expected a reply code, got "
		.. tostring(r))
	check(log_has("QM2: reply 554 5.6.0 This message has more than 500 " ..
		"MIME parts"), "200,000 parts: no 554 5.6.0 in the log")
	-- GMime built 1.3 GB for a million parts: now nothing is built
	local grew = status_kb(pid, "VmHWM") - rss0
	check(grew < 64 * 1024, "200,000 parts: peak RSS grew by " .. grew ..
		" kB, more than 64 MB")
	mt.disconnect(conn)

	conn = connect()
	local deep = {}
	for i = 1, 30 do
		table.insert(deep, "--d" .. i .. "\r\nContent-Type: multipart/mixed;" ..
			" boundary=d" .. (i + 1) .. "\r\n\r\n")
	end
	r = share(conn, "QM3", "multipart/mixed; boundary=d1",
		table.concat(deep))
	check(r == SMFIR_REPLYCODE, "30 deep: expected a reply code, got "
		.. tostring(r))
	check(log_has("QM3: reply 554 5.6.0 This message has MIME parts " ..
		"nested more than 10 deep"), "30 deep: no 554 5.6.0 in the log")
	mt.disconnect(conn)

	conn = connect()
	r = share(conn, "QM4", "multipart/mixed; boundary=h",
		"--h\r\n" .. string.rep("a:\r\n", 5000) .. "\r\nx\r\n--h--\r\n")
	check(r == SMFIR_REPLYCODE, "5000 header lines: expected a reply code, "
		.. "got " .. tostring(r))
	check(log_has("QM4: reply 554 5.6.0 This message has a part with more " ..
		"than 1000 header lines"), "5000 header lines: no 554 in the log")
	mt.disconnect(conn)
	check(count("share list") == 1, "expected still 1 share")
end)
