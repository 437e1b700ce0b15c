-- A member writes to share+jane@ without forwarding anything: 550 5.6.0
-- with a sentence saying how to forward.
dofile(os.getenv("PA_LIB"))
run("share without a forward rejected", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QE1")
	rcpt(conn, "<share+jane@intro.example.org>")
	local r = send_message(conn, PA.data .. "/plain-note.eml")
	check(r == SMFIR_REPLYCODE, "expected a reply code, got " .. tostring(r))
	mt.disconnect(conn)
	check(log_has("QE1: reply 550 5.6.0 No forwarded message found"),
		"no 550 5.6.0 in the log")
	check(count("share list") == 0, "expected no share")
end)
