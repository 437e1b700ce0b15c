-- digest.lua - run by tests/cli/t-digest.sh (not a scenario of its own):
-- shares recorded through the real milter, as in production, for the
-- digests to tell of: chris shares a forward with jane (a member, by
-- her handle: asked first, so it waits for her answer) and with sam
-- (not a member, by address).
dofile(os.getenv("PA_LIB"))
run("digest: shares through the milter", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QD1")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share+jane not accepted")
	check(rcpt(conn, "<share+sam=friends.example@intro.example.org>") ==
		SMFIR_CONTINUE, "share+sam=friends.example not accepted")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_DISCARD, "expected DISCARD, got " .. tostring(r))
	mt.disconnect(conn)
	check(count("share list") == 2, "expected 2 shares")
end)
