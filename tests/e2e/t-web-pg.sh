#!/bin/sh
# t-web-pg.sh - t-web.sh again with its store on PostgreSQL: a
# throw-away server (tests/pg-lib.sh: initdb in a temp dir, a unix
# socket, no TCP port) and a database of its own, started and stopped
# here. The store's failure is a lock held by another session past
# busy_timeout (lock_timeout on the server): 503, nothing changed.
# Exit 77 without PostgreSQL or psql, or with WEB_PG=skip (make
# distcheck, where t-web.sh has covered the endpoint already).
set -u
[ "${WEB_PG:-}" = skip ] && { echo "SKIP: WEB_PG=skip"; exit 77; }
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir=$srcdir
command -v psql >/dev/null 2>&1 || { echo "SKIP: no psql"; exit 77; }
. "$srcdir/tests/pg-lib.sh"

pg_scratch pa-webpg
pg_createdb web || exit 99
WEB_PG_URL=$(pg_url web)
STORE_LINE="url = $WEB_PG_URL"
export WEB_PG_URL STORE_LINE
sh "$srcdir/tests/e2e/t-web.sh"
