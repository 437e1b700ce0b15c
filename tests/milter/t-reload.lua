-- SIGUSR1 reloads the configuration: a smaller max_message_size is in
-- force for the next message; a broken file is refused and the running
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
	-- a good file with a 1 KiB cap (the forward is larger)
	os.execute("sed 's/^max_message_size = .*/max_message_size = 1024/' " ..
		PA.conf .. ".good > " .. PA.conf)
	reload("configuration reloaded")
	envelope(conn, "<chris@members.example>", "chris@members.example", "QR1")
	rcpt(conn, "<share+jane@intro.example.org>")
	local r = send_message(conn, PA.data .. "/forward-gmail.eml")
	check(r == SMFIR_REPLYCODE, "expected a reply code, got " .. tostring(r))
	check(log_has("QR1: reply 552 5.3.4"), "the new size cap is not in force")
	mt.disconnect(conn)
end)
