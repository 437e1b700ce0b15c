-- sender_auth = dmarc (issue 8, defect 1): forged Authentication-Results
-- fields are refused at end of message with 550 5.7.1 and record
-- nothing; the field the operator's verifier writes is accepted.
dofile(os.getenv("PA_LIB"))

-- with_header(name, lines): forward-gmail.eml with these header lines
-- on top, written to the scenario's folder; returns the path
function with_header(name, lines)
	local path = os.getenv("PA_DIR") .. "/" .. name .. ".eml"
	local f = io.open(path, "wb")
	f:write(table.concat(lines, "\n") .. "\n" ..
		read_file(PA.data .. "/forward-gmail.eml"))
	f:close()
	return path
end

-- share(qid, path): a member's forward without SMTP AUTH; the reply
function share(qid, path)
	local conn = connect()
	envelope(conn, "<chris@members.example>", nil, qid)
	check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
		qid .. ": share recipient not accepted at RCPT")
	local r = send_message(conn, path)
	mt.disconnect(conn)
	return r
end

local AR = "Authentication-Results: mx.intro.example.org; "
local forged = {
	{ "comment", AR .. "dmarc=fail (dmarc=pass header.from=members.example) header.from=members.example" },
	{ "passive", AR .. "dmarc=passive header.from=members.example" },
	{ "longer-domain", AR .. "dmarc=pass header.from=members.example.evil.example" },
	{ "second-field", AR .. "dmarc=fail header.from=members.example",
		AR .. "dmarc=pass header.from=members.example" },
	{ "two-from", "From: mallory@evil.example",
		AR .. "dmarc=pass header.from=members.example" },
	{ "mailfrom", AR .. 'spf=pass smtp.mailfrom="dmarc=pass header.from=members.example"@evil.example' },
}

run("forged Authentication-Results refused, genuine accepted", function()
	local conn = start()
	mt.disconnect(conn)
	for i, case in ipairs(forged) do
		local qid = "QM" .. i
		local lines = {}
		for j = 2, #case do table.insert(lines, case[j]) end
		local r = share(qid, with_header(case[1], lines))
		check(r == SMFIR_REPLYCODE, case[1] .. ": expected a reply code, got " .. tostring(r))
		check(log_has(qid .. ": reply 550 5.7.1"), case[1] .. ": no 550 5.7.1 in the log")
	end
	check(count("share list") == 0, "a forged field recorded a share")
	local r = share("QM0", with_header("genuine", {
		AR .. "spf=pass smtp.mailfrom=chris@members.example;",
		"\tdkim=pass header.d=members.example;",
		"\tdmarc=pass (p=reject) header.from=members.example" }))
	check(r == SMFIR_DISCARD, "genuine: expected DISCARD, got " .. tostring(r))
	check(count("share list") == 1, "genuine: expected 1 share")
end)
