-- A member (SMTP AUTH) forwards a request to share+jane@: the share is
-- recorded with its consent request to the friend alone and a
-- confirmation to the member (consent first, the default; nothing is
-- rendered in the session), the share recipient is deleted and the
-- message, having no other recipient, is discarded. share+jane+direct@
-- queues the introduction at once.
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
	check(count("outbox list") == 2, "expected 2 outbox items")
	local list = PA.cli .. " -c " .. PA.conf .. " outbox list --json | " ..
		"python3 -c 'import json,sys; print(\";\".join(o[\"kind\"] + \" \" + " ..
		"\",\".join(sorted(o[\"to\"])) for o in json.load(sys.stdin)))'"
	local to = sh(list)
	check(to == "consent jane@friends.example;confirmation chris@members.example",
		"unexpected outbox items: " .. to)
	check(log_has("QA1: share recorded"), "no log line with the queue id")
	-- the consent request, rendered for a look: to Jane, answered at
	-- intro+TOKEN@, and without the requester's address
	local show = sh(PA.cli .. " -c " .. PA.conf .. " outbox show 1 2>&1")
	check(show:find("Reply%-To: intro%+[a-z2-7]+@intro%.example%.org") ~= nil,
		"no intro+TOKEN reply address in:\n" .. show)
	check(show:find("dana@confs.example", 1, true) == nil,
		"the requester's address reached the consent request")
	-- direct: the introduction at once, to the friend and the requester,
	-- the member in Cc
	-- another request (its own text): not a retry of the first
	local src = io.open(PA.data .. "/forward-gmail.eml"):read("a")
	local other = os.getenv("PA_DIR") .. "/other.eml"
	local fh = io.open(other, "w")
	fh:write((src:gsub("March meetup", "April meetup")))
	fh:close()
	conn = connect()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QA2")
	check(rcpt(conn, "<share+jane+direct@intro.example.org>") == SMFIR_CONTINUE,
		"direct share recipient not accepted")
	r = send_message(conn, other)
	check(r == SMFIR_DISCARD, "expected DISCARD at EOM, got " .. tostring(r))
	mt.disconnect(conn)
	to = sh(list)
	check(to:find(";intro chris@members.example,", 1, true) ~= nil,
		"no introduction queued for the direct share: " .. to)
end)
