-- Share mail past spool_threshold goes to an unlinked file in spool_dir,
-- and is read back whole at end of message: the share is recorded as
-- from memory, and no file is left behind.
dofile(os.getenv("PA_LIB"))
run("large share spooled to disk", function()
	local conn = start()
	envelope(conn, "<chris@members.example>", "chris@members.example", "QS1")
	rcpt(conn, "<share+jane@intro.example.org>")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_DISCARD, "expected DISCARD, got " .. tostring(r))
	mt.disconnect(conn)
	check(log_has("QS1: spooled to disk size="), "the message was not spooled")
	check(count("share list") == 1, "expected 1 share")
	local left = sh("ls " .. os.getenv("PA_DIR") .. "/spool | wc -l")
	check(left == "0", "files left in the spool folder: " .. left)
end)
