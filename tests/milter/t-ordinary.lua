-- Mail without a share recipient is accepted at DATA: the milter asks
-- for nothing more, so ordinary mail costs one round trip per stage.
dofile(os.getenv("PA_LIB"))
run("ordinary mail accepted at DATA", function()
	local conn = start()
	envelope(conn, "<someone@elsewhere.example>", nil, "QC1")
	check(rcpt(conn, "<bob@elsewhere.example>") == SMFIR_CONTINUE,
		"recipient not continued")
	check(rcpt(conn, "<help@intro.example.org>") == SMFIR_CONTINUE,
		"own-domain non-share recipient not continued")
	check(mt.data(conn) == nil, "DATA failed")
	local r = mt.getreply(conn)
	check(r == SMFIR_ACCEPT, "expected ACCEPT at DATA, got " .. tostring(r))
	mt.disconnect(conn)
	check(count("share list") == 0, "expected no share")
end)
