#!/bin/sh
# t-config-check.sh - passalong-milter -n checks a configuration: 0 and
# "configuration OK" for a good file; 78 and one "file:line: [group] key:
# problem" line per problem for a bad one; -V prints the version.
set -u
builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
milter=$builddir/passalong-milter
dir=$(mktemp -d "${TMPDIR:-/tmp}/passalong-n.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT INT TERM
fail=0
no() { echo "FAIL: $*"; fail=1; }

cat > "$dir/good.conf" <<'CONF'
[gateway]
domain = intro.example.org   # comment after a value
[milter]
socket = inet:8891@127.0.0.1
sender_auth = auth
[limits]                     # comment after a group
shares_per_hour = 0
CONF
printf '[store]\npath = %s/pa.db\n' "$dir" >> "$dir/good.conf"
out=$("$milter" -n -c "$dir/good.conf" 2>&1); rc=$?
[ $rc -eq 0 ] || no "good config: exit $rc ($out)"
echo "$out" | grep -q "configuration OK" || no "good config: no OK line: $out"

cat > "$dir/bad.conf" <<'CONF'
[gateway]
domain = intro.example.org
domian = typo.example
[milter]
max_message_size = big
sender_auth = auth,secret
CONF
out=$("$milter" -n -c "$dir/bad.conf" 2>&1); rc=$?
[ $rc -eq 78 ] || no "bad config: exit $rc, expected 78"
echo "$out" | grep -q "bad.conf:3: \[gateway\] domian: unknown key" || no "no line 3 error: $out"
echo "$out" | grep -q "bad.conf:5: \[milter\] max_message_size:" || no "no line 5 error: $out"
echo "$out" | grep -q "secret addresses are not supported" || no "secret not refused: $out"

out=$("$milter" -n -c "$dir/missing.conf" 2>&1); rc=$?
[ $rc -eq 78 ] || no "missing config: exit $rc, expected 78"

# --- problems that used to pass (issue 8, defect 6) ---
# expect NAME PATTERN...: NAME.conf fails with 78 and prints every pattern
expect() {
	name=$1; shift
	out=$("$milter" -n -c "$dir/$name.conf" 2>&1); rc=$?
	[ $rc -eq 78 ] || no "$name: exit $rc, expected 78 ($out)"
	for p in "$@"; do
		printf '%s\n' "$out" | grep -qF -- "$p" || no "$name: no \"$p\" in: $out"
	done
}
# ok NAME [ARGS]: NAME.conf passes
ok() {
	name=$1; shift
	out=$("$milter" -n -c "$dir/$name.conf" "$@" 2>&1); rc=$?
	[ $rc -eq 0 ] || no "$name: exit $rc, expected 0 ($out)"
}
base() {
	printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\n[store]\npath = %s/pa.db\n' "$dir"
}

# a key set twice, a group opened twice: the last would win silently
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\nsender_auth = auth\nsender_auth = any\n' > "$dir/dupkey.conf"
expect dupkey "dupkey.conf:6: [milter] sender_auth: set again (first set at line 5)"
{ base; printf '[gateway]\nname = x\n'; } > "$dir/dupgroup.conf"
expect dupgroup "dupgroup.conf:7: [gateway]: group opened again (first at line 1)"

# an empty file, or one with comments only, is not a configuration
: > "$dir/empty.conf"
expect empty "empty.conf: no settings"
printf '# nothing\n\n' > "$dir/comments.conf"
expect comments "comments.conf: no settings"
printf '[milter]\nsocket = inet:8891@127.0.0.1\n' > "$dir/nodomain.conf"
expect nodomain "nodomain.conf: [gateway] domain: required"

# values that reach a header or an SMTP command
{ base; printf '[sender]\nfrom_localpart = in\rtros\n'; } > "$dir/crlf.conf"
expect crlf "crlf.conf:8: [sender] from_localpart: contains a control character"
{ base; printf '[sender]\nfrom_localpart = in tros\n'; } > "$dir/space.conf"
expect space "space.conf:8: [sender] from_localpart:"
printf '[gateway]\ndomain = intro.exa mple.org\nshare_localpart = sh<are\nname = a\001b\n' > "$dir/strings.conf"
expect strings "strings.conf:2: [gateway] domain:" "strings.conf:3: [gateway] share_localpart:" \
    "strings.conf:4: [gateway] name: contains a control character"
{ base; printf '[milter]\nauthserv_id = mx example\n'; } > "$dir/authserv.conf"
expect authserv "authserv.conf:8: [milter] authserv_id:" "authserv.conf:7: [milter]: group opened again"

# errors found after parsing name their line
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\nsender_auth = dmarc\n' > "$dir/dmarc.conf"
expect dmarc "dmarc.conf:5: [milter] sender_auth: dmarc needs [milter] authserv_id"
{ base; printf '[sender]\nsmtp_url = http://127.0.0.1:10025\n'; } > "$dir/url.conf"
expect url "url.conf:8: [sender] smtp_url:"
{ base; printf '[sender]\nsmtp_url = smtp://:25\n'; } > "$dir/nohost.conf"
expect nohost "nohost.conf:8: [sender] smtp_url:"
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:http@127.0.0.1\n' > "$dir/port.conf"
expect port "port.conf:4: [milter] socket:"
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = unix:milter.sock\n' > "$dir/relsock.conf"
expect relsock "relsock.conf:4: [milter] socket:"
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = unix:%s/no/such/dir/milter.sock\n[store]\npath = %s/pa.db\n' "$dir" "$dir" > "$dir/sockdir.conf"
expect sockdir "sockdir.conf:4: [milter] socket:" "does not exist"
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\nsocket_mode = 0999\n' > "$dir/mode.conf"
expect mode "mode.conf:5: [milter] socket_mode:"
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\npid_file = %s/no/such/dir/pid\n[store]\npath = %s/pa.db\n' "$dir" "$dir" > "$dir/pidfile.conf"
expect pidfile "pidfile.conf:5: [milter] pid_file: the folder"

# the digest's schedule and the links in mail
{ base; printf '[digest]\nday = monday\nhour = 25\n[web]\nbase_url = ftp://intro.example.org\n'; } > "$dir/digest.conf"
expect digest "digest.conf:8: [digest] day:" "digest.conf:9: [digest] hour:" "digest.conf:11: [web] base_url:"
{ base; printf '[digest]\nday = sun\nhour = 0\nskip_empty = no\n[web]\nbase_url = https://intro.example.org/pa\n'; } > "$dir/digestok.conf"
ok digestok

# the daemon's user and the socket override

printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\nuser = nosuchuser-pa\n' > "$dir/user.conf"
expect user "user.conf:5: [milter] user: no such user \"nosuchuser-pa\""
printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = inet:8891@127.0.0.1\nuser = nobody:nosuchgroup-pa\nsocket_group = nosuchgroup-pa\n' > "$dir/group.conf"
expect group "group.conf:5: [milter] user: no such group" "group.conf:6: [milter] socket_group: no such group"
base > "$dir/plain.conf"
ok plain
ok plain -p "unix:$dir/milter.sock"
out=$("$milter" -n -c "$dir/plain.conf" -p "inet:x@" 2>&1); rc=$?
[ $rc -eq 78 ] || no "-p inet:x@: exit $rc, expected 78"
printf '%s\n' "$out" | grep -qF -- "-p inet:x@:" || no "-p not named: $out"
out=$("$milter" -n -c "$dir/plain.conf" -p "unix:$dir/none/x.sock" 2>&1); rc=$?
[ $rc -eq 78 ] || no "-p in a missing folder: exit $rc, expected 78"

# [web]: links travel in mail, so https:// (http:// on loopback only);
# listen a numeric ADDRESS:PORT and never without base_url
{ base; printf '[web]\nlisten = 127.0.0.1:8025\nbase_url = https://intro.example.org/pa\n'; } > "$dir/web.conf"
ok web
{ base; printf '[web]\nlisten = [::1]:8025\nbase_url = http://localhost:8025\n'; } > "$dir/web6.conf"
ok web6
{ base; printf '[web]\nlisten = 127.0.0.1:8025\nbase_url = http://intro.example.org\n'; } > "$dir/webhttp.conf"
expect webhttp "webhttp.conf:9: [web] base_url:" "must be https://"
{ base; printf '[web]\nlisten = localhost:8025\nbase_url = https://intro.example.org\n'; } > "$dir/webhost.conf"
expect webhost "webhost.conf:8: [web] listen:" "not a numeric address"
{ base; printf '[web]\nlisten = 127.0.0.1:8025\n'; } > "$dir/webnobase.conf"
expect webnobase "webnobase.conf:8: [web] listen: needs [web] base_url"

# what the daemon's user cannot write (as root: the real start drops to it)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$dir"
	mkdir -m 755 "$dir/rootonly"
	printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = unix:%s/rootonly/milter.sock\nuser = nobody\n[store]\npath = %s/rootonly/pa.db\n' "$dir" "$dir" > "$dir/perm.conf"
	expect perm "perm.conf:4: [milter] socket:" "perm.conf:7: [store] path:" "nobody"
	mkdir -m 755 "$dir/nobody" && chown nobody "$dir/nobody"
	printf '[gateway]\ndomain = intro.example.org\n[milter]\nsocket = unix:%s/nobody/milter.sock\nuser = nobody\n[store]\npath = %s/nobody/pa.db\n' "$dir" "$dir" > "$dir/permok.conf"
	ok permok
	# a store file made by root (passalong init as root) is refused too
	touch "$dir/nobody/pa.db"
	expect permok "permok.conf:7: [store] path:"
else
	echo "SKIP: daemon-user checks need root"
fi

out=$("$milter" -V); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "^passalong-milter [0-9]" || no "-V: $out"
"$milter" -x >/dev/null 2>&1; rc=$?
[ $rc -eq 64 ] || no "unknown flag: exit $rc, expected 64"

[ $fail -eq 0 ] && echo "PASS: passalong-milter -n, -V, usage"
exit $fail
