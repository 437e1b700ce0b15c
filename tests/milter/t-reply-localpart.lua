-- [gateway] reply_localpart = answers: the consent request asks for the
-- answer at answers+TOKEN@ (Reply-To), the friend's yes there is read
-- and introduces; intro+TOKEN@, the default's address, is no reply
-- address here: ordinary mail, it moves nothing.
dofile(os.getenv("PA_LIB"))

local cli = PA.cli .. " -c " .. PA.conf

local function status(id)
	return sh(cli .. " share show " .. id .. " --json | python3 -c " ..
		"'import json,sys; print(json.load(sys.stdin)[\"status\"])'")
end

-- reply(conn, localpart, token, qid): jane's yes to LOCAL+TOKEN@; the
-- reply at RCPT when refused there, else at EOM
local function reply(conn, localpart, token, qid)
	local to = localpart .. "+" .. token .. "@intro.example.org"
	local path = os.getenv("PA_DIR") .. "/answer-" .. qid .. ".eml"
	local f = io.open(path, "w")
	f:write("From: <jane@friends.example>\n",
		"To: <", to, ">\n",
		"Subject: Re: Chris thinks you'd be great for this\n",
		"Message-ID: <", qid, "@friends.example>\n",
		"MIME-Version: 1.0\n",
		"Content-Type: text/plain; charset=utf-8\n\n",
		"Yes, happy to!\n\n> Reply with yes or no on the first line.\n")
	f:close()
	envelope(conn, "<jane@friends.example>", nil, qid)
	local r = rcpt(conn, "<" .. to .. ">")
	if r ~= SMFIR_CONTINUE then
		return r
	end
	return send_message(conn, path)
end

run("reply_localpart: answers+TOKEN@ is where the friend answers", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QR1")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share rcpt refused")
	check(send_message(conn, PA.data .. "/forward-gmail.eml") ==
		SMFIR_DISCARD, "share not consumed")
	mt.disconnect(conn)
	local show = sh(cli .. " outbox show 1 2>&1")
	local tok = show:match("answers%+([a-z2-7]+)@intro%.example%.org")
	check(tok ~= nil, "no answers+TOKEN in the consent request:\n" .. show)
	check(show:find("intro+", 1, true) == nil,
		"the consent request still names intro+:\n" .. show)
	-- not a reply address here: ordinary mail, accepted at DATA for the
	-- MTA to deliver or bounce (send_message() raises on that)
	conn = connect()
	local sent, r = pcall(reply, conn, "intro", tok, "QR2")
	mt.disconnect(conn)
	check(not sent or r ~= SMFIR_DISCARD, "intro+TOKEN@ was read as an answer")
	check(status(1) == "asked", "intro+TOKEN@ moved the share: " .. status(1))
	conn = connect()
	check(reply(conn, "answers", tok, "QR3") == SMFIR_DISCARD,
		"the yes to answers+TOKEN@ was not consumed")
	mt.disconnect(conn)
	check(status(1) == "accepted", "after the yes the share is " .. status(1))
end)
