-- Consent first, through the milter protocol: a share asks the friend;
-- a stranger's answer to intro+TOKEN@ is refused (550 5.7.1); the
-- friend's yes queues the introduction (to the friend and the
-- requester, the member in Cc); a second answer changes nothing and
-- gets one "already answered" note, a third none; a no
-- reaches the member only; silence brings one reminder, then the
-- expiry, told to the member only (passalong tick --now); a fourth
-- request to one friend in a week waits (450 4.7.1); another member's
-- share of an open request is merged (the friend asked once, the
-- member credited and told, and told of the yes).
dofile(os.getenv("PA_LIB"))

local cli = PA.cli .. " -c " .. PA.conf

-- forward(n): a forward of request n (its own subject), written to a file
local function forward(n)
	local src = read_file(PA.data .. "/forward-gmail.eml")
	local path = os.getenv("PA_DIR") .. "/fwd-" .. n .. ".eml"
	local f = io.open(path, "w")
	f:write((src:gsub("March meetup", "meetup number " .. n)))
	f:close()
	return path
end

-- share(n, rcpt): chris shares request n; returns the reply at EOM
local function share(conn, n, rcpt_addr, qid)
	envelope(conn, "<chris@members.example>", "chris@members.example", qid)
	check(rcpt(conn, rcpt_addr) == SMFIR_CONTINUE, "share rcpt refused")
	return send_message(conn, forward(n))
end

-- token_of(id): the TOKEN of the consent request outbox item id
local function token_of(id)
	local show = sh(cli .. " outbox show " .. id .. " 2>&1")
	local t = show:match("intro%+([a-z2-7]+)@intro%.example%.org")
	check(t ~= nil, "no intro+TOKEN in outbox item " .. id .. ":\n" .. show)
	return t
end

-- answer(from, token, body): a reply to intro+TOKEN@; the EOM reply
local function answer(conn, from, token, body, qid)
	local path = os.getenv("PA_DIR") .. "/answer-" .. qid .. ".eml"
	local f = io.open(path, "w")
	f:write("From: <", from, ">\n",
		"To: <intro+", token, "@intro.example.org>\n",
		"Subject: Re: Chris thinks you'd be great for this\n",
		"Message-ID: <", qid, "@friends.example>\n",
		"MIME-Version: 1.0\n",
		"Content-Type: text/plain; charset=utf-8\n\n",
		body, "\n\n> Reply with yes or no on the first line.\n")
	f:close()
	envelope(conn, "<" .. from .. ">", nil, qid)
	local r = rcpt(conn, "<intro+" .. token .. "@intro.example.org>")
	if r ~= SMFIR_CONTINUE then
		return r
	end
	return send_message(conn, path)
end

-- rows(): "kind template:to,to;..." of the outbox, in order
local function rows()
	return sh(cli .. " outbox list --json | python3 -c 'import json,sys; " ..
		"print(\";\".join(o[\"kind\"] + \":\" + \",\".join(o[\"to\"]) " ..
		"for o in json.load(sys.stdin)))'")
end

local function status(id)
	return sh(cli .. " share show " .. id .. " --json | python3 -c " ..
		"'import json,sys; print(json.load(sys.stdin)[\"status\"])'")
end

run("consent: stranger refused, yes introduces, a second answer changes nothing", function()
	local conn = start()
	check(share(conn, 1, "<share+jane@intro.example.org>", "QC1") == SMFIR_DISCARD,
		"share not consumed")
	mt.disconnect(conn)
	check(status(1) == "asked", "share 1 is " .. status(1))
	local tok = token_of(1)
	conn = connect()
	local r = answer(conn, "mallory@evil.example", tok, "Yes!", "QC2")
	check(r == SMFIR_REPLYCODE, "a stranger's answer was not refused")
	check(log_has("QC2: reply 550 5.7.1"), "no 550 5.7.1 for the stranger")
	mt.disconnect(conn)
	check(status(1) == "asked", "a stranger moved share 1")
	conn = connect()
	check(answer(conn, "jane@friends.example", tok, "Yes, happy to!", "QC3")
		== SMFIR_DISCARD, "the friend's yes was not consumed")
	mt.disconnect(conn)
	check(status(1) == "accepted", "after yes share 1 is " .. status(1))
	local o = rows()
	check(o:find("intro:jane@friends.example,dana@confs.example,chris@members.example",
		1, true) ~= nil, "no introduction queued after the yes: " .. o)
	conn = connect()
	check(answer(conn, "jane@friends.example", tok, "No, sorry.", "QC4")
		== SMFIR_DISCARD, "the second answer was not consumed")
	mt.disconnect(conn)
	check(status(1) == "accepted", "a second answer moved share 1")
	-- a third answer is consumed too, and gets no second note
	conn = connect()
	check(answer(conn, "jane@friends.example", tok, "Yes yes", "QC5")
		== SMFIR_DISCARD, "the third answer was not consumed")
	mt.disconnect(conn)
	local after = rows()
	local _, notes = after:sub((after:find("intro:", 1, true))):gsub(
		"consent:jane@friends%.example", "")
	check(notes == 1, "\"already answered\" queued " .. notes ..
		" times, not once: " .. after)
	local show = sh(cli .. " share show 1")
	check(show:find("accepted", 1, true) ~= nil and
		show:find("intro queued", 1, true) ~= nil,
		"the timeline lacks the answer or the intro:\n" .. show)
end)

run("consent: a no reaches the member only", function()
	local conn = connect()
	check(share(conn, 2, "<share+jane@intro.example.org>", "QN1") == SMFIR_DISCARD,
		"share not consumed")
	mt.disconnect(conn)
	local before = rows()
	local id = select(2, before:gsub(";", ";")) + 1 -- rows so far
	local tok = token_of(id - 1)
	conn = connect()
	check(answer(conn, "jane@friends.example", tok,
		"No thanks, I am booked solid in March.", "QN2") == SMFIR_DISCARD,
		"the no was not consumed")
	mt.disconnect(conn)
	check(status(2) == "declined", "share 2 is " .. status(2))
	local after = rows()
	local new = after:sub(#before + 2)
	check(new == "notice:chris@members.example",
		"a no queued more than the member's notice: " .. new)
	check(after:find("dana@confs.example", #before, true) == nil,
		"the requester hears of the no")
end)

run("consent: silence, one reminder, then expiry; the fourth ask waits", function()
	local conn = connect()
	check(share(conn, 3, "<share+jane@intro.example.org>", "QS1") == SMFIR_DISCARD,
		"share not consumed")
	mt.disconnect(conn)
	local future = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 4 * 86400)
	local t = sh(cli .. " tick --now " .. future)
	check(t == "reminded 1, expired 0, digests 0", "first tick: " .. t)
	t = sh(cli .. " tick --now " .. future)
	check(t == "reminded 0, expired 0, digests 0", "second tick at the same time: " .. t)
	local later = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 8 * 86400)
	t = sh(cli .. " tick --now " .. later)
	check(t == "reminded 0, expired 1, digests 0", "the expiry tick: " .. t)
	check(status(3) == "expired", "share 3 is " .. status(3))
	-- three consent requests to jane this week: a fourth waits
	conn = connect()
	local r = share(conn, 4, "<share+jane@intro.example.org>", "QS2")
	check(r == SMFIR_REPLYCODE, "a fourth request in a week was not held back")
	check(log_has("QS2: reply 450 4.7.1"), "no 450 4.7.1 for the fourth ask")
	mt.disconnect(conn)
	-- direct: no question, the introduction is queued at once
	conn = connect()
	check(share(conn, 5, "<share+bob=elsewhere.example+direct@intro.example.org>",
		"QS3") == SMFIR_DISCARD, "a direct share was held back")
	mt.disconnect(conn)
	check(status(4) == "queued", "the direct share is " .. status(4))
	check(rows():find("intro:bob@elsewhere.example,dana@confs.example," ..
		"chris@members.example", 1, true) ~= nil,
		"no introduction queued for the direct share")
end)

run("consent: another member's share of an open request is merged, both hear the yes", function()
	sh(cli .. " member add lee@members.example --name 'Lee Other'" ..
		" --handle lee")
	local conn = connect()
	check(share(conn, 6, "<share+ann=elsewhere.example@intro.example.org>",
		"QM1") == SMFIR_DISCARD, "chris's share not consumed")
	mt.disconnect(conn)
	local before = rows()
	-- lee forwards the same request to the same friend (another case)
	conn = connect()
	envelope(conn, "<lee@members.example>", "lee@members.example", "QM2")
	check(rcpt(conn, "<share+Ann=Elsewhere.example@intro.example.org>")
		== SMFIR_CONTINUE, "lee's share rcpt refused")
	check(send_message(conn, forward(6)) == SMFIR_DISCARD,
		"lee's share not consumed")
	mt.disconnect(conn)
	check(log_has("QM2: share merged id=5"), "lee's share was not merged")
	local after = rows()
	local new = after:sub(#before + 2)
	check(new == "confirmation:lee@members.example",
		"a merge queued more than lee's note: " .. new)
	local credited = sh(cli .. " share show 5 --json | python3 -c " ..
		"'import json,sys; print(\",\".join(json.load(sys.stdin)[\"credited\"]))'")
	check(credited == "lee@members.example", "credited: " .. credited)
	-- the retry of lee's message changes nothing
	conn = connect()
	envelope(conn, "<lee@members.example>", "lee@members.example", "QM3")
	rcpt(conn, "<share+ann=elsewhere.example@intro.example.org>")
	check(send_message(conn, forward(6)) == SMFIR_DISCARD,
		"lee's retry not consumed")
	mt.disconnect(conn)
	check(rows() == after, "lee's retry queued something")
	-- ann says yes: the introduction (chris in Cc) and lee's own line
	-- before ends with chris's consent request and confirmation
	local tok = token_of(select(2, before:gsub(";", ";")))
	conn = connect()
	check(answer(conn, "ann@elsewhere.example", tok, "Yes, gladly", "QM4")
		== SMFIR_DISCARD, "ann's yes was not consumed")
	mt.disconnect(conn)
	check(status(5) == "accepted", "after yes share 5 is " .. status(5))
	-- lee's note has not gone out (no sender here): it renders when
	-- sent, so it says the yes itself, and the yes queues lee nothing
	local last = rows():sub(#after + 2)
	check(last == "intro:ann@elsewhere.example,dana@confs.example," ..
		"chris@members.example", "after the yes: " .. last)
	local lee = sh(cli .. " outbox list --json | python3 -c " ..
		"'import json,sys; print([o[\"id\"] for o in json.load(sys.stdin)" ..
		" if o[\"to\"] == [\"lee@members.example\"]][-1])'")
	local note = sh(cli .. " outbox show " .. lee .. " 2>&1")
	check(note:find("said yes", 1, true) ~= nil,
		"lee's waiting note does not say the yes:\n" .. note)
end)
