-- Share mail over max_message_size is refused with 552 5.3.4.
dofile(os.getenv("PA_LIB"))
run("oversized share refused", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QI1")
	rcpt(conn, "<share+jane@intro.example.org>")
	check(mt.data(conn) == nil, "DATA failed")
	mt.header(conn, "From", "chris@members.example")
	mt.header(conn, "Subject", "Fwd: big")
	mt.eoh(conn)
	local chunk = string.rep("x", 1000) .. "\r\n"
	local r
	for _ = 1, 8 do
		check(mt.bodystring(conn, string.rep(chunk, 64)) == nil, "body failed")
		r = mt.getreply(conn)
		if r ~= SMFIR_CONTINUE then break end
	end
	check(r == SMFIR_REPLYCODE, "expected a reply code, got " .. tostring(r))
	check(log_has("QI1: reply 552 5.3.4"), "no 552 5.3.4 in the log")
	mt.disconnect(conn)
	check(count("share list") == 0, "expected no share")
end)
