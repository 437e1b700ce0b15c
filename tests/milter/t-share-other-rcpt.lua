-- A share sent to share+jane@ and to an ordinary recipient: the share
-- recipient is deleted, the message is accepted for the other one.
dofile(os.getenv("PA_LIB"))
run("share with another recipient", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QB1")
	check(rcpt(conn, "<bob@elsewhere.example>") == SMFIR_CONTINUE,
		"ordinary recipient not continued")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share recipient not accepted")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_ACCEPT, "expected ACCEPT at EOM, got " .. tostring(r))
	check(mt.eom_check(conn, MT_RCPTDELETE, "<share+jane@intro.example.org>"),
		"share recipient not deleted")
	check(not mt.eom_check(conn, MT_RCPTDELETE, "<bob@elsewhere.example>"),
		"ordinary recipient deleted")
	mt.disconnect(conn)
	check(count("share list") == 1, "expected 1 share")
end)
