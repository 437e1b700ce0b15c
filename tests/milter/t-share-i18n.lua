-- Members who write in French, Greek and Russian share forwards with long
-- subjects (the member's Subject as GMime 3.2.13 encodes it: B words with
-- '=' padding). Each share is accepted, and the consent request's
-- Subject, rendered as the worker will send it ("passalong outbox show")
-- and read back by Python's email package, holds the whole subject:
-- GMime once read such runs only up to the first padding and the milter
-- refused with 550 5.6.0.
dofile(os.getenv("PA_LIB"))

local cases = {
	{ qid = "QI1", name = "Amélie Tremblay", addr = "amelie@montreal-eco.example",
	  outer = "Fwd: =?UTF-8?B?Q29uZsOpcmVuY2Ugw6AgTW9udHLDqWFsOg==?=\n" ..
		" =?UTF-8?B?IHByw6lzZW50YXRpb24gw6ljb25vbWlxdWUgZ8OpbsOpcmFsZQ==?= pour le\n" ..
		" printemps",
	  subject = "Conférence à Montréal: présentation économique générale pour le printemps" },
	{ qid = "QI2", name = "Ελένη Παπαδοπούλου", addr = "eleni@athena-events.example",
	  outer = "Fwd: =?UTF-8?B?zqPPhc69zq3OtM+BzrnOvyDPg8+EzrfOvSDOkc64zq7Ovc6xOg==?=\n" ..
		" =?UTF-8?B?IM6zzrXOvc65zrrOriDOv865zrrOv869zr/OvM65zrrOrg==?=\n" ..
		" =?UTF-8?B?IM+AzrHPgc6/z4XPg86vzrHPg863IM6zzrnOsSDPhM63zr0=?=\n" ..
		" =?UTF-8?B?IM6szr3Ov865zr7Otw==?=",
	  subject = "Συνέδριο στην Αθήνα: γενική οικονομική παρουσίαση για την άνοιξη" },
	{ qid = "QI3", name = "Ольга Рождественская", addr = "olga@moscow-forum.example",
	  outer = "Fwd: =?UTF-8?B?0JrQvtC90YTQtdGA0LXQvdGG0LjRjyDQsg==?=\n" ..
		" =?UTF-8?B?INCc0L7RgdC60LLQtTog0L7QsdGJ0LDRjw==?=\n" ..
		" =?UTF-8?B?INGN0LrQvtC90L7QvNC40YfQtdGB0LrQsNGP?=\n" ..
		" =?UTF-8?B?INC/0YDQtdC30LXQvdGC0LDRhtC40Y8g0L3QsCDQstC10YHQvdGD?=",
	  subject = "Конференция в Москве: общая экономическая презентация на весну" },
}

-- forward_file(c, i): a Gmail-style forward of case c, written to a file
local function forward_file(c, i)
	local path = os.getenv("PA_DIR") .. "/i18n-" .. i .. ".eml"
	local f = io.open(path, "wb")
	check(f ~= nil, "cannot write " .. path)
	f:write("From: \"Chris Member\" <chris@members.example>\n",
		"To: share+jane@intro.example.org\n",
		"Subject: ", c.outer, "\n",
		"Date: Mon, 16 Nov 2026 10:12:00 +0100\n",
		"Message-ID: <fwd-i18n-", i, "@members.example>\n",
		"MIME-Version: 1.0\n",
		"Content-Type: text/plain; charset=utf-8\n",
		"Content-Transfer-Encoding: 8bit\n\n",
		"Jane, this one is for you.\n\nChris\n\n",
		"---------- Forwarded message ---------\n",
		"From: ", c.name, " <", c.addr, ">\n",
		"Date: Fri, Nov 13, 2026 at 4:05 PM\n",
		"Subject: ", c.subject, "\n",
		"To: Chris Member <chris@members.example>\n\n",
		"Hello Chris,\n\nWould you know a speaker for our spring meeting?\n\n",
		c.name, "\n")
	f:close()
	return path
end

-- stored_subjects(): "id<TAB>listed subject<TAB>subject read from the
-- stored message by Python's email package", one line per outbox item
local function stored_subjects()
	local py = "import json, subprocess, sys, email, email.policy\n" ..
		"for o in json.load(sys.stdin):\n" ..
		"    raw = subprocess.run(sys.argv[1:] + [str(o['id'])],\n" ..
		"        capture_output=True, check=True).stdout\n" ..
		"    m = email.message_from_bytes(raw, policy=email.policy.default)\n" ..
		"    print(o['id'], o['subject'], str(m['Subject']), sep='\\t')\n"
	local script = os.getenv("PA_DIR") .. "/subjects.py"
	local f = io.open(script, "w")
	f:write(py)
	f:close()
	local cli = PA.cli .. " -c " .. PA.conf
	return sh(cli .. " outbox list --json | python3 " .. script .. " " ..
		cli .. " outbox show")
end

run("long French, Greek and Russian subjects accepted and whole", function()
	for i, c in ipairs(cases) do
		local conn = i == 1 and start() or connect()
		envelope(conn, "<chris@members.example>", "chris@members.example", c.qid)
		check(rcpt(conn, "<share+jane@intro.example.org>") == SMFIR_CONTINUE,
			"share recipient not accepted")
		local r = send_message(conn, forward_file(c, i))
		check(r == SMFIR_DISCARD, c.qid .. ": expected DISCARD at EOM, got " ..
			tostring(r))
		mt.disconnect(conn)
	end
	check(count("outbox list") == 2 * #cases,
		"expected a consent request and a confirmation a case")
	local lines = stored_subjects()
	for _, c in ipairs(cases) do
		local found = false
		for line in (lines .. "\n"):gmatch("(.-)\n") do
			local _, _, read = line:match("^(%d+)\t(.-)\t(.*)$")
			if read ~= nil and read:find(c.subject, 1, true) ~= nil and
			    read:find("great for this", 1, true) ~= nil then
				found = true
			end
		end
		check(found, "no consent request whose Subject holds " ..
			c.subject .. " in\n" .. lines)
	end
end)
