-- Someone who is not a member (no SMTP AUTH as a member) is refused at
-- end of message with 550 5.7.1, and nothing is recorded.
dofile(os.getenv("PA_LIB"))
run("stranger rejected", function()
	local conn = start()
	envelope(conn, "<mallory@strangers.example>", nil, "QD1")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share recipient not accepted at RCPT")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_REPLYCODE, "expected a reply code, got " .. tostring(r))
	mt.disconnect(conn)
	check(log_has("QD1: reply 550 5.7.1 Only members can share"),
		"no 550 5.7.1 in the log")
	-- a member's envelope sender without AUTH is not enough either
	conn = connect()
	envelope(conn, "<chris@members.example>", nil, "QD2")
	rcpt(conn, "<share+jane@intro.example.org>")
	r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_REPLYCODE, "unauthenticated member not refused")
	check(log_has("QD2: reply 550 5.7.1"), "no 550 5.7.1 for QD2")
	mt.disconnect(conn)
	check(count("share list") == 0, "expected no share")
	check(count("outbox list") == 0, "expected an empty outbox")
end)
