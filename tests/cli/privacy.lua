-- privacy.lua - run by tests/cli/t-privacy.sh (not a scenario of its
-- own). PA_PHASE=fill: through the real milter, Chris shares Pat's own
-- request with Jane (Pat is the requester) and Dana's request with Pat
-- (share+pat: Pat is the friend, and a member). PA_PHASE=again, after
-- "passalong forget pat@people.example": a share to Pat's address is
-- refused (the salted hash on the suppression list).
dofile(os.getenv("PA_LIB"))
PA.milterdata = os.getenv("PA_MILTERDATA")
local phase = os.getenv("PA_PHASE")
if phase == "fill" then
	run("privacy: Pat as requester and as friend", function()
		local conn = start()
		envelope(conn, "<chris@members.example>", "chris@members.example", "QP1")
		check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
			"share+jane not accepted")
		local r = send_message(conn, PA.data .. "/privacy-forward.eml")
		check(r == SMFIR_DISCARD, "message 1: expected DISCARD, got " .. tostring(r))
		mt.disconnect(conn)
		conn = connect()
		envelope(conn, "<chris@members.example>", "chris@members.example", "QP2")
		check(rcpt(conn, "<share+pat@intro.example.org>") == SMFIR_CONTINUE,
			"share+pat not accepted")
		r = send_message(conn, PA.milterdata .. "/forward-gmail.eml")
		check(r == SMFIR_DISCARD, "message 2: expected DISCARD, got " .. tostring(r))
		mt.disconnect(conn)
		check(count("share list") == 2, "expected 2 shares")
	end)
else
	run("privacy: a forgotten address is not shared with again", function()
		local conn = start()
		envelope(conn, "<chris@members.example>", "chris@members.example", "QP3")
		local r = rcpt(conn, "<share+pat=people.example@intro.example.org>")
		if r == SMFIR_CONTINUE then
			r = send_message(conn, PA.milterdata .. "/forward-gmail.eml")
		end
		check(r == SMFIR_REPLYCODE, "expected a refusal, got " .. tostring(r))
		check(log_has("QP3: refused: suppressed"), "no suppression refusal in the log")
		mt.disconnect(conn)
		check(count("share list") == 2, "a share was recorded")
	end)
end
