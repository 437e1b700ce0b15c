-- Unsubscribe by mail (RFC 8058's mailto half): a message to
-- unsubscribe+TOKEN@ from anyone turns the member's digest off and is
-- consumed (DISCARD: nothing is delivered, nothing sent back); a
-- second one says "off already"; an unknown or malformed token is
-- refused at RCPT with 550 5.1.1; a message to an unsubscribe address
-- and a share address together is refused (550 5.5.1); an ordinary
-- recipient beside it still gets the message (ACCEPT).
dofile(os.getenv("PA_LIB"))

local cli = PA.cli .. " -c " .. PA.conf

local function token()
	local out = sh(cli .. " member unsubscribe-link chris@members.example")
	local t = out:match("mailto:unsubscribe%+([a-z2-7]+)@intro%.example%.org")
	check(t ~= nil and #t == 26, "no unsubscribe address printed:\n" .. out)
	return t
end

-- note(path, from, to): a short message
local function note(path, from, to)
	local f = io.open(path, "w")
	f:write("From: <", from, ">\n", "To: <", to, ">\n",
		"Subject: unsubscribe\n", "MIME-Version: 1.0\n",
		"Content-Type: text/plain; charset=utf-8\n\n", "unsubscribe\n")
	f:close()
	return path
end

-- digest_day(): chris's digest_day as stored ("default" when unset)
local function digest_day()
	local db = PA.conf:gsub("passalong%.conf$", "passalong.db")
	return sh("sqlite3 " .. db .. " \"SELECT coalesce(digest_day, 'default') " ..
		"FROM members WHERE address = 'chris@members.example'\"")
end

run("unsub: by mail from anyone, once, then off already", function()
	local tok = token()
	local addr = "<unsubscribe+" .. tok .. "@intro.example.org>"
	local path = note(os.getenv("PA_DIR") .. "/unsub.eml",
		"someone@elsewhere.example", "unsubscribe+" .. tok .. "@intro.example.org")
	local conn = start()
	envelope(conn, "<someone@elsewhere.example>", nil, "QU1")
	check(rcpt(conn, addr) == SMFIR_CONTINUE, "unsubscribe address refused")
	check(send_message(conn, path) == SMFIR_DISCARD, "not consumed")
	mt.disconnect(conn)
	check(log_has("QU1: unsubscribed by mail digest=off"), "not unsubscribed")
	if os.getenv("PA_TEST_PG") == nil then
		check(digest_day() == "never", "digest_day is " .. digest_day())
	end
	conn = connect()
	envelope(conn, "<>", nil, "QU2") -- the null sender too: the token counts
	check(rcpt(conn, "<UNSUBSCRIBE+" .. tok:upper() .. "@intro.example.org>")
		== SMFIR_CONTINUE, "upper-case address refused")
	check(send_message(conn, path) == SMFIR_DISCARD, "second not consumed")
	mt.disconnect(conn)
	check(log_has("QU2: unsubscribed by mail digest=off already"),
		"second not taken as already")
end)

run("unsub: unknown and malformed tokens are refused at RCPT", function()
	local conn = connect()
	envelope(conn, "<someone@elsewhere.example>", nil, "QU3")
	check(rcpt(conn, "<unsubscribe+aaaaaaaaaaaaaaaaaaaaaaaaaa@intro.example.org>")
		== SMFIR_REPLYCODE, "unknown token not refused")
	check(log_has("QU3: reply 550 5.1.1 This unsubscribe address is not known"),
		"no 550 5.1.1 sentence for the unknown token")
	check(rcpt(conn, "<unsubscribe+short@intro.example.org>") == SMFIR_REPLYCODE,
		"malformed token not refused")
	check(rcpt(conn, "<unsubscribe+@intro.example.org>") == SMFIR_REPLYCODE,
		"empty token not refused")
	mt.disconnect(conn)
end)

run("unsub: not with a share; an ordinary recipient still gets it", function()
	local tok = token()
	local addr = "<unsubscribe+" .. tok .. "@intro.example.org>"
	local path = note(os.getenv("PA_DIR") .. "/unsub2.eml",
		"chris@members.example", "unsubscribe+" .. tok .. "@intro.example.org")
	local conn = connect()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QU4")
	check(rcpt(conn, addr) == SMFIR_CONTINUE, "unsubscribe address refused")
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		"share address refused")
	check(send_message(conn, path) == SMFIR_REPLYCODE, "mixed not refused")
	check(log_has("QU4: reply 550 5.5.1"), "no 550 5.5.1 for the mixed message")
	mt.disconnect(conn)
	conn = connect()
	envelope(conn, "<chris@members.example>", nil, "QU5")
	check(rcpt(conn, "<bob@elsewhere.example>") == SMFIR_CONTINUE, "bob refused")
	check(rcpt(conn, addr) == SMFIR_CONTINUE, "unsubscribe address refused")
	check(send_message(conn, path) == SMFIR_ACCEPT, "bob's copy not accepted")
	check(log_has("QU5: unsubscribed by mail"), "QU5 not unsubscribed")
	mt.disconnect(conn)
end)
