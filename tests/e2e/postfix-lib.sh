# postfix-lib.sh - a throw-away Postfix with passalong-milter attached,
# on loopback only, for the end-to-end tests and the demo. Sourced.
#
#   pf_setup DIR    write DIR/postfix/{main,master}.cf, DIR/passalong.conf,
#                   pick free ports (PF_PORT_IN: smtpd with the milter,
#                   PF_PORT_RELAY: smtpd without it, for outgoing intros;
#                   PF_MILTER_PORT), mailboxes under DIR/mail/DOMAIN/USER/
#   pf_start        start passalong-milter (-f, log in DIR/milter.log) and
#                   Postfix (postfix -c DIR/postfix start): the two halves
#                   are pf_milter_start (also to restart it) and
#                   pf_postfix_start
#   pf_stop         stop both and wait for them to exit (bounded)
#   pf_master_services  print master.cf's lines for Postfix's own
#                   services (bench/postfix.sh uses them too)
#   pf_wait_mail D  wait (bounded, 60 s) for a message in Maildir D; prints
#                   its path
#
# Needs: PA_BUILDDIR (passalong and passalong-milter), root (Postfix), the
# postfix user, and $srcdir (or $top) naming the source tree. With
# PA_TEST_PG set (tests/e2e/t-postfix-pg.sh) the store is a database of
# its own on that PostgreSQL instead of an SQLite file. PA_MILTER names another passalong-milter to start (the
# installed one, tests/deploy/t-deb.sh); the default is PA_BUILDDIR's.
# Postfix delivers every domain to Maildirs with the virtual agent (the
# mailboxes listed in pf_setup, plus $PF_MAILBOXES); nothing leaves
# 127.0.0.1.

. "${srcdir:-${top:-.}}/tests/pg-lib.sh"

pf_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pf_master_services - master.cf's lines for Postfix's own services
pf_master_services() {
	cat <<'SVC'
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
local     unix - n n - - local
virtual   unix - n n - - virtual
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
SVC
}

pf_setup() {
	PF_DIR=$1
	PF_CONF=$PF_DIR/postfix
	PF_PORT_IN=$(pf_free_port)
	PF_PORT_RELAY=$(pf_free_port)
	PF_MILTER_PORT=$(pf_free_port)
	PA_CONF=$PF_DIR/passalong.conf
	mkdir -p "$PF_CONF" "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/mail"
	# Postfix's own processes must reach everything below DIR
	chmod 755 "$PF_DIR"
	d=$PF_DIR
	while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null; d=$(dirname "$d"); done
	chown postfix "$PF_DIR/data"
	chown nobody:nogroup "$PF_DIR/mail"

	cat > "$PF_CONF/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
myhostname = mx.intro.example.org
mydomain = intro.example.org
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
smtputf8_enable = no
biff = no
# every domain ends in a Maildir under $PF_DIR/mail/DOMAIN/USER/
virtual_mailbox_domains = static:all
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = texthash:$PF_CONF/mailboxes
recipient_delimiter = +
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 1
# the milter: if it is down, keep mail and retry (never pass shares on)
milter_default_action = tempfail
milter_protocol = 6
CF
	# virtual(8) allows no regexp substitution: one line per mailbox
	for a in jane@friends.example dana@confs.example chris@members.example \
	    bob@elsewhere.example someone@elsewhere.example \
	    intros@intro.example.org share@intro.example.org \
	    intro@intro.example.org ${PF_MAILBOXES:-}; do
		printf '%s\t%s/%s/\n' "$a" "${a#*@}" "${a%@*}"
	done > "$PF_CONF/mailboxes"
	cat > "$PF_CONF/master.cf" <<MC
127.0.0.1:$PF_PORT_IN inet n - n - - smtpd
  -o smtpd_milters=inet:127.0.0.1:$PF_MILTER_PORT
127.0.0.1:$PF_PORT_RELAY inet n - n - - smtpd
  -o smtpd_milters=
$(pf_master_services)
MC
	cat > "$PA_CONF" <<PA
[gateway]
domain = intro.example.org

[milter]
socket = inet:$PF_MILTER_PORT@127.0.0.1
# the throw-away Postfix has no SASL: trust a member's envelope sender
sender_auth = any

[store]
$(pg_store_line "$PF_DIR/passalong.db" "e2e_$(basename "$PF_DIR")")

# direct: an introduction at once; PF_CONSENT=ask for consent first
[consent]
mode = ${PF_CONSENT:-direct}

[sender]
enabled = true
smtp_url = smtp://127.0.0.1:$PF_PORT_RELAY
poll_interval = 1
retry_min = 1
PA
	export PF_DIR PF_CONF PF_PORT_IN PF_PORT_RELAY PF_MILTER_PORT PA_CONF
}

# pf_milter_start - (re)start passalong-milter, its log appended to
# DIR/milter.log, and wait (bounded) until it says it has started
pf_milter_start() {
	pf_before=$(grep -c "starting version" "$PF_DIR/milter.log" 2>/dev/null || true)
	"${PA_MILTER:-$PA_BUILDDIR/passalong-milter}" -f -c "$PA_CONF" >>"$PF_DIR/milter.log" 2>&1 &
	PF_MILTER_PID=$!
	i=0
	while [ "$(grep -c "starting version" "$PF_DIR/milter.log" 2>/dev/null)" -le "${pf_before:-0}" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $PF_MILTER_PID 2>/dev/null; then
			echo "passalong-milter did not start:" >&2
			tail -n 20 "$PF_DIR/milter.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# pf_postfix_start - start Postfix and wait (bounded) until it listens
pf_postfix_start() {
	if ! postfix -c "$PF_CONF" start >"$PF_DIR/postfix-start.log" 2>&1; then
		echo "postfix did not start:" >&2
		cat "$PF_DIR/postfix-start.log" "$PF_DIR/maillog" >&2 2>/dev/null
		return 1
	fi
	i=0
	while ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $PF_PORT_IN), 1)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "postfix does not listen" >&2; return 1; }
		sleep 0.1
	done
}

pf_start() {
	pf_milter_start && pf_postfix_start
}

# pf_stop runs under set -e (scripts/demo's EXIT trap): a kill or wait
# of a process that has already ended must not end the caller there
pf_stop() {
	if [ -n "${PF_CONF:-}" ] && [ -f "$PF_DIR/queue/pid/master.pid" ]; then
		master=$(tr -d ' ' < "$PF_DIR/queue/pid/master.pid")
		postfix -c "$PF_CONF" stop >/dev/null 2>&1 || true
		i=0
		while kill -0 "$master" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$master" 2>/dev/null || true
	fi
	if [ -n "${PF_MILTER_PID:-}" ]; then
		kill -TERM "$PF_MILTER_PID" 2>/dev/null || true
		i=0
		while kill -0 "$PF_MILTER_PID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$PF_MILTER_PID" 2>/dev/null || true
		wait "$PF_MILTER_PID" 2>/dev/null || true
		PF_MILTER_PID=
	fi
}

pf_wait_mail() {
	i=0
	while [ $i -lt 600 ]; do
		f=$(ls "$1"/new/* 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			echo "$f"
			return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
