# pg-lib.sh - a throw-away PostgreSQL for the tests (sourced by sh)
#
#   pg_start DIR     initdb in DIR/data, start on a unix socket in DIR/s
#                    (no TCP port), as the postgres user when run as
#                    root; sets PG_CONNINFO (libpq key=value, superuser
#                    "passalong", database "postgres") and PG_BIN.
#   pg_url DBNAME    a libpq string for database DBNAME on that server
#   pg_createdb NAME create database NAME
#   pg_psql ARGS...  psql on that server (-X -q, stops at the first error)
#   pg_restart MODE  stop (fast or immediate) and start again
#   pg_stop          stop the server (idempotent); call it from a trap
#   pg_start_or_exit DIR  pg_start, ending the test 77 when PostgreSQL
#                    is not installed and 99 when it would not start
#   pg_scratch NAME  a temp dir (PG_SCRATCH, named after NAME) with a
#                    server started in it (pg_start_or_exit), both
#                    stopped and removed by an EXIT trap it sets
# Returns 77 from pg_start when PostgreSQL is not installed, so that a
# test can skip with it. fsync is off: the tests kill our daemons, never
# the machine, and a crash of the server itself (immediate stop) still
# keeps every commit, since synchronous_commit stays on. PG_FSYNC=on
# before pg_start keeps fsync and full_page_writes at their defaults
# (on), for benchmarks where what durability costs must be real.
PG_DIR=
PG_BIN=
PG_CONNINFO=

pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_DIR=$1
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is not installed"; return 77; }
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "no postgres user"; return 77
	fi
	mkdir -p "$PG_DIR/data" "$PG_DIR/s" || return 1
	[ "$(id -u)" = 0 ] && chown -R postgres "$PG_DIR"
	chmod 0755 "$PG_DIR" "$PG_DIR/s"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U passalong -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log"; return 1; }
	cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PG_DIR/s'
max_connections = 100
CONF
	if [ "${PG_FSYNC:-off}" != on ]; then
		printf 'fsync = off\nfull_page_writes = off\n' \
			>>"$PG_DIR/data/postgresql.conf"
	fi
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 60 start >/dev/null || { tail -n 20 "$PG_DIR/server.log"; return 1; }
	PG_CONNINFO="host=$PG_DIR/s user=passalong dbname=postgres connect_timeout=5"
	export PG_CONNINFO PG_DIR PG_BIN
}

pg_url() {
	echo "host=$PG_DIR/s user=passalong dbname=$1"
}

pg_psql() {
	psql -X -q -v ON_ERROR_STOP=1 "$PG_CONNINFO" "$@"
}

pg_createdb() {
	pg_psql -c "CREATE DATABASE \"$1\""
}

# pg_down [MODE] / pg_up - stop the server pg_start started (fast, or
# MODE: immediate is a crash) and start it again
pg_down() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m "${1:-fast}" -w -t 60 stop >/dev/null 2>&1
}

pg_up() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 60 start >/dev/null
}

pg_restart() {
	pg_down "${1:-fast}"
	pg_up
}

pg_stop() {
	[ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	return 0
}

# pg_store_line SQLITE_FILE NAME - the [store] line of a test's config:
# with PA_TEST_PG set (a server started by a wrapper such as
# tests/milter/t-milter-pg.sh), a new database NAME on it, else the
# SQLite file. Prints the line; returns 1 when the database cannot be
# made.
pg_store_line() {
	if [ -z "${PA_TEST_PG:-}" ]; then
		echo "path = $1"
		return 0
	fi
	_db=$(printf '%s' "$2" | tr -c 'a-zA-Z0-9_' '_' | tr 'A-Z' 'a-z')
	PGOPTIONS='-c client_min_messages=warning' \
	    psql -X -q -v ON_ERROR_STOP=1 "$PA_TEST_PG" \
		-c "DROP DATABASE IF EXISTS \"$_db\"" \
		-c "CREATE DATABASE \"$_db\"" >/dev/null || return 1
	echo "url = $(printf '%s' "$PA_TEST_PG" | sed "s/dbname=[^ ]*/dbname=$_db/")"
}

pg_start_or_exit() {
	pg_start "$1"
	case $? in
	0) ;;
	77) exit 77 ;;
	*) exit 99 ;;
	esac
}

pg_scratch() {
	PG_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 99
	trap 'pg_stop; rm -rf "$PG_SCRATCH"' EXIT INT TERM
	pg_start_or_exit "$PG_SCRATCH"
}
