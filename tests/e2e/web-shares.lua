-- web-shares.lua - run by tests/e2e/web-lib.sh (not a scenario of its
-- own): chris shares WEB_SHARES requests (each its own subject and its
-- own requester: one requester and one friend have one open request at
-- a time, a second is merged) with jane through the running daemon, in
-- consent mode, so that the shares and their consent requests are
-- recorded as in production.
dofile(os.getenv("PA_LIB"))

local n = tonumber(os.getenv("WEB_SHARES") or "1")

run("web: " .. n .. " shares asking jane", function()
	local src = read_file(PA.data .. "/forward-gmail.eml")
	for i = 1, n do
		local path = os.getenv("PA_DIR") .. "/web-fwd-" .. i .. ".eml"
		local f = io.open(path, "w")
		local text = src:gsub("March meetup", "meetup number " .. i)
		text = text:gsub("dana@confs%.example", "dana" .. i .. "@confs.example")
		f:write(text)
		f:close()
		local conn = connect()
		envelope(conn, "<chris@members.example>", "chris@members.example",
			"QW" .. i)
		check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
			"share+jane refused")
		check(send_message(conn, path) == SMFIR_DISCARD,
			"share " .. i .. " not consumed")
		mt.disconnect(conn)
	end
end)
