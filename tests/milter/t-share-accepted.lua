-- A member (SMTP AUTH) forwards a request to share+jane@: the share and
-- its introduction are recorded, the share recipient is deleted and the
-- message, having no other recipient, is discarded.
dofile(os.getenv("PA_LIB"))
run("share accepted and consumed", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QA1")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share recipient not accepted")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_DISCARD, "expected DISCARD at EOM, got " .. tostring(r))
	check(mt.eom_check(conn, MT_RCPTDELETE, "<share+jane@intro.example.org>"),
		"share recipient not deleted")
	mt.disconnect(conn)
	check(count("share list") == 1, "expected 1 share")
	check(count("outbox list") == 1, "expected 1 outbox item")
	local to = sh(PA.cli .. " -c " .. PA.conf .. " outbox list --json | " ..
		"python3 -c 'import json,sys; o=json.load(sys.stdin)[0]; " ..
		"print(o[\"kind\"], \",\".join(sorted(o[\"to\"])))'")
	check(to == "intro chris@members.example,dana@confs.example,jane@friends.example",
		"unexpected outbox item: " .. to)
	check(log_has("QA1: share recorded"), "no log line with the queue id")
end)
