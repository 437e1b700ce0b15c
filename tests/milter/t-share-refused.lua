-- Share addresses naming someone the gateway must not mail (issue 8,
-- defects 5 and 8) are refused at RCPT with a sentence that says why;
-- an ordinary one in the same transaction still goes through.
dofile(os.getenv("PA_LIB"))
local refused = {
	{ "<share+a=b=c@intro.example.org>", "550 5.1.1 Sharing with a=b@c is not possible" },
	{ "<share+root=localhost@intro.example.org>", "550 5.1.1 Sharing with root@localhost" },
	{ "<share+postmaster=mx.intro.example.org@intro.example.org>", "own domain" },
	{ "<share+x=[192.0.2.1]@intro.example.org>", "IP address literal" },
	{ "<share+a%b.example=c.example@intro.example.org>", "Sharing with a%b.example@c.example" },
	{ "<share+b.example!a=c.example@intro.example.org>", "Sharing with b.example!a@c.example" },
	{ "<@relay.example:share+x=c.example@intro.example.org>", "Source routes are not accepted" },
	{ "<share+d\xc3\xa4n\xc3\xa4=x.org@intro.example.org>", "550 5.1.3" },
}
run("unusable share addresses refused at RCPT", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QR1")
	for _, case in ipairs(refused) do
		local r = rcpt(conn, case[1])
		check(r == SMFIR_REPLYCODE, case[1] .. ": expected a reply code, got " .. tostring(r))
		check(log_has("QR1: reply " .. (case[2]:match("^%d") and case[2] or "550 5.1.1")),
			case[1] .. ": no 550 in the log")
		check(log_has(case[2]), case[1] .. ": the log lacks \"" .. case[2] .. "\"")
	end
	check(rcpt(conn, "<share+dana=confs.example@intro.example.org>") == SMFIR_CONTINUE,
		"an ordinary share address refused")
	mt.disconnect(conn)
end)
