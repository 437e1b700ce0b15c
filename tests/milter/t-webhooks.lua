-- Signed webhooks, end to end (issue 13): two shares through the milter,
-- their introductions delivered by the milter's own sender thread to a
-- relay that refuses each share's requester (gone<N>.dana@: 550), so
-- that each share makes share.recorded, intro.sent and delivery.failed.
-- The receiver (webhook-receiver.py, see t-webhooks.setup) checks every
-- signature with the configured secret and answers 500 to the first 3
-- deliveries. After dedupe by webhook-id, webhook "all" got each event
-- of each share exactly once, webhook "shares" (events =
-- share.recorded) one share.recorded per share and nothing else; some
-- delivery was retried; every webhook row ends sent.
dofile(os.getenv("PA_LIB"))
local dir = os.getenv("PA_DIR")

-- receiver(): what the receiver has written so far (receiver.txt)
local function receiver()
	local t = { requests = 0, refused = 0, bad = {}, events = {} }
	local f = io.open(dir .. "/receiver.txt", "r")
	if f == nil then
		return t
	end
	for line in f:lines() do
		local key, rest = line:match("^(%S+) (.*)$")
		if key == "requests" or key == "refused" then
			t[key] = tonumber(rest)
		elseif key == "bad" then
			table.insert(t.bad, rest)
		elseif key == "event" then
			local name, id, kind, share, to, seen = rest:match(
				"^(%S+) (%S+) (%S+) (%S+) (%S+) (%d+)$")
			check(name ~= nil, "receiver.txt: bad line " .. line)
			table.insert(t.events, { name = name, id = id, type = kind,
				share = share, rcpt = to, seen = tonumber(seen) })
		end
	end
	f:close()
	return t
end

-- outbox(kind): {id = status} of the outbox rows of that kind, and how many
local function outbox(kind)
	local rows, n = {}, 0
	local out = sh(PA.cli .. " -c " .. PA.conf .. " outbox list --json | " ..
		"python3 -c 'import json, sys\nfor o in json.load(sys.stdin):\n" ..
		"    print(o[\"kind\"], o[\"id\"], o[\"status\"])'")
	for k, id, status in out:gmatch("(%S+) (%d+) (%S+)") do
		if k == kind then
			rows[id] = status
			n = n + 1
		end
	end
	return rows, n
end

-- settled(r, want): want events after dedupe, every webhook row sent
local function settled(r, want)
	local rows, n = outbox("webhook")
	if #r.events < want or n < want then
		return false
	end
	for _, status in pairs(rows) do
		if status ~= "sent" then
			return false
		end
	end
	return true
end

run("webhooks signed, retried, each event once", function()
	local conn = start()
	local base = read_file(PA.data .. "/forward-gmail.eml")
	for i = 1, 2 do
		local path = dir .. "/share-" .. i .. ".eml"
		local text = base:gsub("dana@confs%.example",
			"gone" .. i .. ".dana@confs.example")
		text = text:gsub("<fwd%-0001@", "<fwd-webhook-" .. i .. "@")
		local f = io.open(path, "wb")
		f:write(text)
		f:close()
		envelope(conn, "<chris@members.example>", "chris@members.example",
			"QW" .. i)
		check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
			"share " .. i .. ": recipient not accepted")
		local r = send_message(conn, path)
		check(r == SMFIR_DISCARD, "share " .. i .. ": expected DISCARD, got " ..
			tostring(r))
	end
	mt.disconnect(conn)
	check(count("share list") == 2, "expected 2 shares")

	-- "all": 2 shares x 3 events; "shares": 2 x share.recorded
	local want = 8
	local r = receiver()
	local done = false
	for _ = 1, 120 do -- 60 s at most
		r = receiver()
		check(#r.bad == 0, "the receiver refused: " .. table.concat(r.bad, " "))
		if settled(r, want) then
			done = true
			break
		end
		mt.sleep(0.5)
	end
	local rows, n = outbox("webhook")
	local states = {}
	for id, status in pairs(rows) do
		table.insert(states, id .. "=" .. status)
	end
	check(done, "not settled in 60 s: " .. #r.events .. " events of " ..
		want .. ", webhook rows " .. table.concat(states, " "))
	-- nothing more comes once every row is sent
	mt.sleep(2)
	r = receiver()
	check(#r.bad == 0, "the receiver refused: " .. table.concat(r.bad, " "))
	check(#r.events == want, "expected " .. want .. " events, got " .. #r.events)
	rows, n = outbox("webhook")
	check(n == want, "expected " .. want .. " webhook rows, got " .. n)

	-- share id -> its requester, refused by the relay
	local shares = {}
	local out = sh(PA.cli .. " -c " .. PA.conf .. " share list --json | " ..
		"python3 -c 'import json, sys\nfor s in json.load(sys.stdin):\n" ..
		"    print(s[\"id\"], s[\"requester\"])'")
	for id, requester in out:gmatch("(%d+) (%S+)") do
		shares[id] = requester
	end

	local got = { all = {}, shares = {} }
	local retried = false
	for _, e in ipairs(r.events) do
		check(got[e.name] ~= nil, "an event for webhook " .. e.name)
		check(shares[e.share] ~= nil, e.id .. ": " .. e.type ..
			" names no share of ours: " .. e.share)
		check(rows[e.id:match("^msg_(%d+)$")] == "sent",
			e.id .. " is not a webhook row that was sent")
		local key = e.share .. " " .. e.type
		got[e.name][key] = (got[e.name][key] or 0) + 1
		if e.type == "delivery.failed" then
			check(e.rcpt == shares[e.share], "delivery.failed of share " ..
				e.share .. " names " .. e.rcpt .. ", not " .. shares[e.share])
		end
		if e.seen > 1 then
			retried = true
		end
	end
	for id, _ in pairs(shares) do
		for _, kind in ipairs({ "share.recorded", "intro.sent",
			"delivery.failed" }) do
			local k = id .. " " .. kind
			check(got.all[k] == 1, "webhook all: share " .. id .. " " ..
				kind .. " received " .. tostring(got.all[k] or 0) ..
				" times after dedupe")
			local w = kind == "share.recorded" and 1 or nil
			check(got.shares[k] == w, "webhook shares (share.recorded " ..
				"only): share " .. id .. " " .. kind .. " received " ..
				tostring(got.shares[k] or 0) .. " times")
		end
	end
	check(r.refused == 3, "expected 3 deliveries answered 500, got " ..
		r.refused)
	check(retried, "no webhook-id was delivered twice: no retry seen")
	check(r.requests > #r.events, "no more requests than events")

	-- each introduction reached the others: sent, with one failure
	local intros, ni = outbox("intro")
	check(ni == 2, "expected 2 intro rows, got " .. ni)
	for id, status in pairs(intros) do
		check(status == "sent", "intro " .. id .. " is " .. status)
	end
end)
