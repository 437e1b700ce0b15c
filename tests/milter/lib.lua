-- lib.lua - helpers for the passalong miltertest scenarios (run-lua.sh)
-- miltertest swallows Lua errors, so every scenario runs inside run(),
-- which prints "PASS name" or "FAIL name: why" for run-lua.sh to read.

PA = {
	milter = os.getenv("PA_MILTER"),
	cli = os.getenv("PA_PASSALONG"),
	conf = os.getenv("PA_CONF"),
	socket = os.getenv("PA_SOCKET"),
	log = os.getenv("PA_LOG"),
	data = os.getenv("PA_DATA"),
}

-- check(cond, why): fail the scenario with why unless cond holds
function check(cond, why)
	if not cond then
		error(why, 2)
	end
end

-- sh(cmd): run a shell command, return its output without the last newline
function sh(cmd)
	local p = io.popen(cmd)
	local out = p:read("*a")
	p:close()
	return (out:gsub("\n$", ""))
end

-- count(list): how many items a "passalong ... list --json" prints
function count(list)
	return tonumber(sh(PA.cli .. " -c " .. PA.conf .. " " .. list ..
		" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'"))
end

-- log_has(text): whether the milter's log holds text
function log_has(text)
	local f = io.open(PA.log, "r")
	if f == nil then return false end
	local all = f:read("*a")
	f:close()
	return all:find(text, 1, true) ~= nil
end

-- start(): start the milter and connect to it, negotiated
function start()
	check(mt.startfilter(PA.milter, "-f", "-c", PA.conf) == nil,
		"cannot start the milter")
	return connect()
end

-- connect(): a new negotiated connection to the running milter
function connect()
	local conn = mt.connect(PA.socket, 40, 0.25)
	check(conn ~= nil, "cannot connect to " .. PA.socket)
	check(mt.negotiate(conn, nil, nil, nil) == nil, "negotiation failed")
	return conn
end

-- envelope(conn, from, auth, rcpts, qid): MAIL and RCPT; returns the
-- last reply (the caller checks per recipient with rcpt())
function envelope(conn, from, auth, qid)
	if auth ~= nil then
		mt.macro(conn, SMFIC_MAIL, "{auth_authen}", auth, "i", qid)
	else
		mt.macro(conn, SMFIC_MAIL, "i", qid)
	end
	check(mt.mailfrom(conn, from) == nil, "MAIL FROM failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "MAIL FROM not continued")
end

-- rcpt(conn, addr): RCPT TO; returns the milter's reply
function rcpt(conn, addr)
	check(mt.rcptto(conn, addr) == nil, "RCPT TO failed")
	return mt.getreply(conn)
end

-- read_file(path): the whole file
function read_file(path)
	local f = io.open(path, "rb")
	check(f ~= nil, "cannot read " .. path)
	local all = f:read("*a")
	f:close()
	return all
end

-- send_message(conn, path): DATA, the headers, the body and EOM; returns
-- the reply at end of message
function send_message(conn, path)
	local text = read_file(path):gsub("\r\n", "\n")
	local head, body = text:match("^(.-)\n\n(.*)$")
	check(head ~= nil, path .. ": no empty line after the header")
	check(mt.data(conn) == nil, "DATA failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "DATA not continued")
	-- unfold nothing: continuation lines stay part of their field
	local fields = {}
	for line in (head .. "\n"):gmatch("(.-)\n") do
		if line:match("^[ \t]") and #fields > 0 then
			fields[#fields].value = fields[#fields].value .. "\n" .. line
		else
			local name, value = line:match("^([^:]+):[ ]?(.*)$")
			check(name ~= nil, path .. ": bad header line " .. line)
			table.insert(fields, { name = name, value = value })
		end
	end
	for _, f in ipairs(fields) do
		check(mt.header(conn, f.name, f.value) == nil, "header failed")
	end
	check(mt.eoh(conn) == nil, "EOH failed")
	check(mt.bodystring(conn, (body:gsub("\n", "\r\n"))) == nil, "body failed")
	check(mt.eom(conn) == nil, "EOM failed")
	return mt.getreply(conn)
end

-- run(name, fn): run a scenario, print PASS or FAIL
function run(name, fn)
	mt.set_timeout(30)
	local ok, why = pcall(fn)
	if ok then
		print("PASS " .. name)
	else
		print("FAIL " .. name .. ": " .. tostring(why))
	end
end
