#!/bin/sh
# t-cli.sh - passalong: init, members, stats, exit statuses, JSON shapes
#
# Runs the built program against a configuration and database in a
# temporary folder (tests/cli/lib.sh). Exit 0 when every check passed, 1
# otherwise, 77 when python3 (used to read the JSON) is missing.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# --- the program itself
run 0 --help
has out "member add ADDRESS"
has out "outbox flush"
has out "digest run"
has out "digest preview ADDRESS"
run 0 -V
has out "passalong "
run 64
has err "which command?"
run 64 digest frobnicate
run 0 digest --help
has out "digest preview ADDRESS"
run 64 --bogus
run 0 member --help
has out "member list"
run 0 member add --help
has out "--capabilities"
run 64 member frobnicate

# --- parse: handed to the parser's command, no configuration needed
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: hello\r\n\r\nJust a note.\r\n' >"$T/plain.eml"
run 0 parse "$T/plain.eml"
json 'd["forwarded"] is False and d["original"] is None'
run 0 -c "$T/no-such.conf" parse "$T/plain.eml"
run 1 parse "$T/no-such.eml"
# a MIME bomb is refused before GMime builds its tree, as the milter
# refuses it: 5,000 empty parts, past the 1,000 the daemon allows
python3 -c 'import sys
parts = "".join("--b\r\n\r\n" for _ in range(5000))
sys.stdout.write("From: a@example.org\r\nTo: b@example.net\r\nSubject: bomb\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    + parts + "--b--\r\n")' >"$T/bomb.eml"
run 1 parse "$T/bomb.eml"
has err "parts"

# --- configuration errors: file, line, key
run 1 -c "$CONF" member list
has err "passalong init"
cp "$CONF" "$T/badkey.conf"
printf '[store]\nbogus_key = 1\n' >>"$T/badkey.conf"
line=$(wc -l <"$T/badkey.conf")
run 78 -c "$T/badkey.conf" init
has err "badkey.conf:$line: [store] bogus_key: unknown key"
run 78 stats -c "$T/no-such.conf"
has err "no-such.conf"

# --- init, twice
run 0 init -c "$CONF"
[ -f "$T/var/lib/passalong.db" ] && ok "database created" || bad "no database"
mode=$(stat -c %a "$T/var/lib")
[ "$mode" = 750 ] && ok "folder mode 750" || bad "folder mode $mode"
run 0 -c "$CONF" init
has out "schema version"

# --- members
run 0 -c "$CONF" member add Jane@Example.NET --name "Jane Doe" \
	--handle JaneD --capabilities "keynotes, C"
run 0 member add -c "$CONF" bob@example.com --name "Bøb Ørsted"
run 1 -c "$CONF" member add JANE@EXAMPLE.net
has err "already a member"
run 1 -c "$CONF" member add carol@example.com --handle janed
has err "already taken"
run 64 -c "$CONF" member add "not an address"
has err "not a valid mail address"
run 64 -c "$CONF" member add "<a@b.c>x"
# internationalised addresses (SMTPUTF8) are refused with the way out,
# not taken and then refused at every share
run 64 -c "$CONF" member add "jané@example.org"
has err "ASCII"
run 64 -c "$CONF" member add "jane@exämple.org"
has err "xn--exmple-cua.org"
run 64 -c "$CONF" member add carol@example.com --handle "has space"
has err "--handle"
run 64 -c "$CONF" member add carol@example.com --handle "a+b"
run 64 -c "$CONF" member add carol@example.com --handle ask
has err "reserved"
run 64 -c "$CONF" member add carol@example.com --name "$(printf 'Carol\r\nBcc: x@evil.example')"
has err "one line"
run 64 -c "$CONF" member add carol@example.com --capabilities "$(printf 'a\nb')"
run 64 -c "$CONF" member add share@intro.example.org
has err "own domain"
run 64 -c "$CONF" member add
run 64 -c "$CONF" member add a@example.com b@example.com
run 0 -c "$CONF" member list --json
json 'isinstance(d, list) and len(d) == 2'
json 'all(sorted(m) == ["address", "capabilities", "consent", "handle", "name"] for m in d)'
json 'd[0] == {"address": "Jane@example.net", "name": "Jane Doe", "handle": "janed", "capabilities": "keynotes, C", "consent": None}'
json 'd[1]["name"] == "Bøb Ørsted" and d[1]["handle"] is None and d[1]["capabilities"] is None'
run 0 -c "$CONF" member list
has out "ADDRESS"
has out "Jane@example.net"
# columns line up: "janed" starts where "HANDLE" does
h=$(sed -n 1p "$T/out" | awk '{ print index($0, "HANDLE") }')
j=$(sed -n 2p "$T/out" | awk '{ print index($0, "janed") }')
[ "$h" -gt 0 ] && [ "$h" = "$j" ] && ok "columns aligned" || bad "columns $h vs $j"

# --- empty shares and outbox, stats
run 0 -c "$CONF" share list --json
json 'd == []'
run 0 -c "$CONF" outbox list --json
json 'd == []'
run 0 -c "$CONF" outbox list
has out "empty"
run 64 -c "$CONF" outbox show abc
run 1 -c "$CONF" outbox show 1
has err "no item 1"
run 0 -c "$CONF" stats --json
json 'd["members"] == 2'
json 'd["shares"] == {"queued": 0, "introduced": 0, "failed": 0}'
json 'd["outbox"] == {"queued": 0, "sending": 0, "sent": 0, "failed": 0}'
run 0 -c "$CONF" stats
has out "members"
run 64 -c "$CONF" stats extra

finish
