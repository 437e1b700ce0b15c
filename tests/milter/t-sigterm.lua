-- SIGTERM while a share is half-way through: the message in flight is
-- finished (recorded and answered), a message begun meanwhile gets 451
-- (at RCPT: MAIL has no reply), then the daemon exits.
dofile(os.getenv("PA_LIB"))
run("SIGTERM finishes the message in flight", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QT1")
	rcpt(conn, "<share+jane@intro.example.org>")
	check(mt.data(conn) == nil, "DATA failed")
	local text = read_file(PA.data .. "/forward-gmail.eml"):gsub("\r\n", "\n")
	local head, body = text:match("^(.-)\n\n(.*)$")
	for line in (head .. "\n"):gmatch("(.-)\n") do
		local name, value = line:match("^([^:]+):[ ]?(.*)$")
		mt.header(conn, name, value)
	end
	mt.eoh(conn)
	os.execute("pkill -TERM -f '^" .. PA.milter .. " -f -c " .. PA.conf .. "$'")
	mt.sleep(0.5)
	local late = connect() -- the running daemon, not a second one
	envelope(late, "<alex@elsewhere.example>", nil, "QT2")
	local r2 = rcpt(late, "<bob@elsewhere.example>")
	check(r2 == SMFIR_REPLYCODE, "a message begun while stopping was not refused: " .. tostring(r2))
	mt.disconnect(late)
	check(log_has("QT2: reply 451 4.3.2"), "no 451 4.3.2 for the late message")
	check(mt.bodystring(conn, (body:gsub("\n", "\r\n"))) == nil, "body failed")
	check(mt.eom(conn) == nil, "EOM failed")
	local r = mt.getreply(conn)
	check(r == SMFIR_DISCARD, "the message in flight was not finished: " .. tostring(r))
	mt.disconnect(conn)
	check(count("share list") == 1, "expected 1 share")
	local gone = false
	for _ = 1, 100 do
		if sh("pgrep -f '^" .. PA.milter .. " -f -c " .. PA.conf .. "$' || true") == "" then
			gone = true
			break
		end
		mt.sleep(0.1)
	end
	check(gone, "the daemon did not exit after the message")
end)
