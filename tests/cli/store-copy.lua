-- store-copy.lua - run by tests/cli/t-store-copy.sh (not a scenario of
-- its own): fills an SQLite store through the real milter, with two
-- messages from a member, one to a member's handle and one to a friend
-- named by address together with an ordinary recipient, so that shares
-- and their outbox rows are written exactly as in production.
dofile(os.getenv("PA_LIB"))
run("store copy: shares through the milter", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QS1")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share+jane not accepted")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_DISCARD, "message 1: expected DISCARD, got " .. tostring(r))
	mt.disconnect(conn)
	conn = connect()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QS2")
	check(rcpt(conn, "<bob@elsewhere.example>") == SMFIR_CONTINUE,
		"ordinary recipient not continued")
	check(rcpt(conn, "<share+sam=friends.example@intro.example.org>") ==
		SMFIR_CONTINUE, "share+sam=friends.example not accepted")
	r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_ACCEPT, "message 2: expected ACCEPT, got " .. tostring(r))
	mt.disconnect(conn)
	check(count("share list") == 2, "expected 2 shares")
end)
