-- The store is locked by another process past busy_timeout: the milter
-- answers 451 4.3.0 so the MTA keeps the message and retries; nothing is
-- recorded. Once the lock is gone, the retry succeeds exactly once.
dofile(os.getenv("PA_LIB"))
run("store failure is a tempfail", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QG1")
	rcpt(conn, "<share+jane@intro.example.org>")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_REPLYCODE, "expected a reply code, got " .. tostring(r))
	check(log_has("QG1: reply 451 4.3.0"), "no 451 4.3.0 in the log")
	mt.disconnect(conn)
	-- release the lock (the setup's locker exits when its file goes)
	os.remove(os.getenv("PA_DIR") .. "/locked")
	local released = false
	for _ = 1, 100 do
		if sh("test -e " .. os.getenv("PA_DIR") .. "/unlocked && echo y") == "y" then
			released = true
			break
		end
		mt.sleep(0.1)
	end
	check(released, "the lock was not released")
	check(count("share list") == 0, "a share was recorded despite the failure")
	conn = connect()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QG2")
	rcpt(conn, "<share+jane@intro.example.org>")
	r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_DISCARD, "retry not accepted: " .. tostring(r))
	mt.disconnect(conn)
	check(count("share list") == 1, "expected 1 share after the retry")
end)
