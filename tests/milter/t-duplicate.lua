-- The MTA retries a message already recorded (say the reply was lost):
-- it is accepted again and nothing new is created.
dofile(os.getenv("PA_LIB"))
run("duplicate creates nothing new", function()
	local conn = start()
	for i = 1, 2 do
		envelope(conn, "<chris@members.example>", "chris@members.example", "QH" .. i)
		rcpt(conn, "<share+jane@intro.example.org>")
		local r = send_message(conn, PA.data .. "/forward-gmail.eml")
		check(r == SMFIR_DISCARD, "attempt " .. i .. ": expected DISCARD, got " .. tostring(r))
	end
	mt.disconnect(conn)
	check(count("share list") == 1, "expected 1 share")
	check(count("outbox list") == 2,
		"expected 2 outbox items (consent, confirmation)")
	check(log_has("QH2: share duplicate"), "the retry was not logged as a duplicate")
end)
