-- SIGUSR1 reloads the configuration: a new sender_auth is in force for
-- the next message; a broken file is refused and the running
-- configuration kept.
dofile(os.getenv("PA_LIB"))
run("reload on SIGUSR1", function()
	local conn = start()
	local function reload(expect)
		os.execute("pkill -USR1 -f '^" .. PA.milter .. " -f -c " .. PA.conf .. "$'")
		for _ = 1, 100 do
			if log_has(expect) then return end
			mt.sleep(0.1)
		end
		error("no '" .. expect .. "' in the log after SIGUSR1")
	end
	-- a broken file: refused, the old config stays
	os.execute("cp " .. PA.conf .. " " .. PA.conf .. ".good")
	os.execute("printf '[milter]\\nbogus = 1\\n' >> " .. PA.conf)
	reload("reload refused")
	check(log_has("bogus: unknown key"), "the refusal does not name the key")
	-- before the reload, a member's envelope sender without AUTH is refused
	envelope(conn, "<chris@members.example>", nil, "QR1")
	rcpt(conn, "<share+jane@intro.example.org>")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_REPLYCODE, "expected a refusal, got " .. tostring(r))
	-- a good file that trusts the envelope sender (sender_auth = any)
	os.execute("sed 's/^sender_auth = .*/sender_auth = auth,any/' " ..
		PA.conf .. ".good > " .. PA.conf)
	reload("configuration reloaded")
	envelope(conn, "<chris@members.example>", nil, "QR2")
	rcpt(conn, "<share+jane@intro.example.org>")
	r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_DISCARD, "the new sender_auth is not in force: " .. tostring(r))
	mt.disconnect(conn)
end)
