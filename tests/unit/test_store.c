/*
 * test_store.c - the store's contract, on SQLite and on PostgreSQL
 *
 * One suite for both engines. Without PA_TEST_PG it runs on real SQLite
 * files in a temporary folder; with PA_TEST_PG set to a libpq string
 * for a server the caller started (tests/unit/t-store-pg.sh starts a
 * throw-away one), every test gets a schema of its own on that server
 * instead. The few tests that look at one engine's insides (pragmas,
 * query plans, migrations from old files) run on that engine only.
 *
 * Times given to the outbox are fixed numbers, never the clock, so that
 * no test depends on when it runs. A second raw connection stands in
 * for another process holding a lock.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_digest.h"
#include "store/store_int.h"
#include "store/store_privacy.h"

typedef struct {
	char *dir;    /* SQLite: the folder */
	char *schema; /* PostgreSQL: the schema */
	char *path;   /* the URL the store is opened with */
	Store *store;
} Fixture;

static const char *pg_admin; /* PA_TEST_PG, or NULL: SQLite */

/* pg_run - run sql on conninfo, asserting success; the result's first
 * value as a number (0 when there is none) */
static gint64
pg_run(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	gint64 v = 0;

	g_assert_cmpint(PQstatus(c), ==, CONNECTION_OK);
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		g_error("%s: %s", sql, PQresultErrorMessage(r));
	if (PQntuples(r) > 0 && PQnfields(r) > 0)
		v = g_ascii_strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

/* setup - a fresh folder or schema, and an opened store */
static void
setup(Fixture *f, gconstpointer data)
{
	static guint seq;
	g_autoptr(GError) error = NULL;

	(void)data;
	if (pg_admin != NULL) {
		g_autofree char *sql = NULL;

		f->schema = g_strdup_printf("t%d_%u", (int)getpid(), ++seq);
		sql = g_strdup_printf("CREATE SCHEMA %s", f->schema);
		pg_run(pg_admin, sql);
		f->path = g_strdup_printf(
		    "%s options='-c search_path=%s'", pg_admin, f->schema);
	} else {
		f->dir = g_dir_make_tmp("test_store-XXXXXX", &error);
		g_assert_no_error(error);
		f->path = g_build_filename(f->dir, "passalong.db", NULL);
	}
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_nonnull(f->store);
}

/* teardown - close and remove everything setup made */
static void
teardown(Fixture *f, gconstpointer data)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };

	(void)data;
	store_close(f->store);
	if (f->schema != NULL) {
		g_autofree char *sql =
		    g_strdup_printf("DROP SCHEMA %s CASCADE", f->schema);

		pg_run(pg_admin, sql);
	} else {
		for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
			g_autofree char *p =
			    g_strconcat(f->path, suffix[i], NULL);

			(void)g_unlink(p);
		}
		g_assert_cmpint(g_rmdir(f->dir), ==, 0);
	}
	g_free(f->path);
	g_free(f->dir);
	g_free(f->schema);
}

/* raw_open - a plain SQLite connection to the same file */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	return db;
}

/* raw_int - the first column of the first row of sql, on either engine */
static gint64
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	gint64 v;

	if (pg_admin != NULL)
		return pg_run(path, sql);
	db = raw_open(path);
	g_assert_cmpint(
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* make_item - an outbox item with two recipients */
static OutboxItem *
make_item(const char *kind, const char *body, gint64 due)
{
	OutboxItem *item = outbox_item_new();

	item->kind = g_strdup(kind);
	item->mail_from = g_strdup("intros@intro.example.org");
	g_ptr_array_add(item->rcpts, g_strdup("friend@example.com"));
	g_ptr_array_add(item->rcpts, g_strdup("asker@example.org"));
	item->subject = g_strdup("Intro: Ann, meet Bob");
	if (body != NULL)
		item->message = g_bytes_new(body, strlen(body));
	item->next_attempt_at = due;
	return item;
}

/* make_share - a share keyed by origin */
static Share *
make_share(const char *origin)
{
	Share *s = share_new();

	s->sharer = g_strdup("member@example.net");
	s->recipient = g_strdup("friend@example.com");
	s->requester = g_strdup("asker@example.org");
	s->subject = g_strdup("Speaking at our conference?");
	s->note = g_strdup("Bob would be perfect for this.");
	s->origin_key = g_strdup(origin);
	return s;
}

static gint64 ask_share(Store *store, const char *origin, const char *tok);

/* items_new - an array owning the items given */
static GPtrArray *
items_new(OutboxItem *a, OutboxItem *b)
{
	GPtrArray *items =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);

	if (a != NULL)
		g_ptr_array_add(items, a);
	if (b != NULL)
		g_ptr_array_add(items, b);
	return items;
}

/* record_one - record a share with an intro and a confirmation */
static gint64
record_one(Store *store, const char *origin, gint64 due)
{
	g_autoptr(Share) s = make_share(origin);
	g_autoptr(GPtrArray) items = items_new(
	    make_item("intro", "I", due), make_item("confirmation", "C", due));
	g_autoptr(GError) error = NULL;
	gboolean created = FALSE;

	g_assert_true(store_share_record(store, s, items, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	return s->id;
}

/* test_open_twice - opening migrates once and then changes nothing */
static void
test_open_twice(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) again = NULL;

	(void)data;
	g_assert_cmpint(
	    store_schema_version(f->store), ==, STORE_SCHEMA_VERSION);
	store_close(f->store);
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	again = store_open(f->path, 5000, &error); /* two at once */
	g_assert_no_error(error);
	g_assert_cmpint(store_schema_version(again), ==, STORE_SCHEMA_VERSION);
	if (pg_admin != NULL) {
		g_assert_cmpint(
		    raw_int(f->path, "SELECT MAX(version) FROM schema_version"),
		    ==, STORE_SCHEMA_VERSION);
		g_assert_cmpint(
		    raw_int(f->path, "SELECT COUNT(*) FROM schema_version"), ==,
		    1);
		g_assert_cmpstr(store_engine(f->store), ==, "postgresql");
		return;
	}
	g_assert_cmpstr(store_engine(f->store), ==, "sqlite");
	g_assert_cmpint(
	    raw_int(f->path, "PRAGMA user_version"), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM sqlite_master"
			     " WHERE type = 'table' AND name = 'shares'"),
	    ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM pragma_journal_mode"
			     " WHERE journal_mode = 'wal'"),
	    ==, 1);
}

/* plan_uses_index - whether SQLite answers sql with an index search on
 * the person and the time */
static gboolean
plan_uses_index(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	g_autofree char *explain =
	    g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	sqlite3_stmt *st = NULL;
	gboolean indexed = FALSE;

	g_assert_cmpint(
	    sqlite3_prepare_v2(db, explain, -1, &st, NULL), ==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		g_test_message("%s: %s", sql, detail);
		/* an index that narrows by time too, not just by person */
		indexed = indexed || (strstr(detail, "INDEX") != NULL &&
					 strstr(detail, "created_at>") != NULL);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return indexed;
}

/* test_limits_indexed - the rate-limit counts, run for every share, do
 * not scan the whole shares table */
static void
test_limits_indexed(Fixture *f, gconstpointer data)
{
	(void)data;
	g_assert_true(plan_uses_index(f->path,
	    "SELECT COUNT(*) FROM shares WHERE sharer = 'a@b' AND "
	    "created_at >= 0"));
	g_assert_true(plan_uses_index(f->path,
	    "SELECT COUNT(*) FROM shares WHERE recipient = 'a@b' COLLATE "
	    "NOCASE AND created_at >= 0"));
}

/* DOWN_TO_7 - undo migration 8 on a fresh file (a version 7 file) */
#define DOWN_TO_7                                                              \
	"CREATE INDEX shares_status ON shares (status);"                       \
	"CREATE INDEX shares_pair ON shares"                                   \
	"  (requester COLLATE NOCASE, recipient COLLATE NOCASE, status);"      \
	"PRAGMA user_version = 7;"

/* PG_DOWN_TO_7 - the same on PostgreSQL */
#define PG_DOWN_TO_7                                                           \
	"CREATE INDEX shares_status ON shares (status);"                       \
	"CREATE INDEX shares_pair ON shares"                                   \
	"  (lower(requester), lower(recipient), status);"                      \
	"UPDATE schema_version SET version = 7;"

/* DOWN_TO_6 - undo migrations 8 and 7 on a fresh file (a version 6
 * file) */
#define DOWN_TO_6                                                              \
	DOWN_TO_7 "DROP INDEX shares_open_pair; PRAGMA user_version = 6;"

/* DOWN_TO_5 - undo migrations 7 and 6 on a fresh file (a version 5
 * file) */
#define DOWN_TO_5                                                              \
	DOWN_TO_6                                                              \
	"DROP TABLE share_credits; DROP TABLE digests;"                        \
	"DROP INDEX members_unsub_token;"                                      \
	"ALTER TABLE members DROP COLUMN digest_day;"                          \
	"ALTER TABLE members DROP COLUMN digest_hour;"                         \
	"ALTER TABLE members DROP COLUMN tz;"                                  \
	"ALTER TABLE members DROP COLUMN public_credit;"                       \
	"ALTER TABLE members DROP COLUMN unsub_token;"                         \
	"PRAGMA user_version = 5;"

/* DOWN_TO_3 - undo migrations 6, 5 and 4 on a fresh file (a version 3
 * file) */
#define DOWN_TO_3                                                              \
	DOWN_TO_5                                                              \
	"DROP TABLE settings;"                                                 \
	"DROP INDEX shares_token; DROP INDEX shares_asked;"                    \
	"DROP INDEX shares_pair;"                                              \
	"ALTER TABLE shares DROP COLUMN member_name;"                          \
	"ALTER TABLE shares DROP COLUMN requester_org;"                        \
	"ALTER TABLE shares DROP COLUMN request_text;"                         \
	"ALTER TABLE shares DROP COLUMN request_date;"                         \
	"ALTER TABLE shares DROP COLUMN passed_by;"                            \
	"ALTER TABLE shares DROP COLUMN origin_message_id;"                    \
	"ALTER TABLE shares DROP COLUMN mode;"                                 \
	"ALTER TABLE shares DROP COLUMN token;"                                \
	"ALTER TABLE shares DROP COLUMN asked_at;"                             \
	"ALTER TABLE shares DROP COLUMN reminded_at;"                          \
	"ALTER TABLE shares DROP COLUMN answered_at;"                          \
	"ALTER TABLE shares DROP COLUMN expires_at;"                           \
	"ALTER TABLE shares DROP COLUMN answer;"                               \
	"ALTER TABLE shares DROP COLUMN reason;"                               \
	"ALTER TABLE shares DROP COLUMN replies;"                              \
	"ALTER TABLE members DROP COLUMN consent;"                             \
	"ALTER TABLE members DROP COLUMN confirm;"                             \
	"ALTER TABLE outbox DROP COLUMN template;"                             \
	"PRAGMA user_version = 3;"

/* DOWN_TO_2 - undo migrations 4 and 3 on a fresh file (a version 2 file) */
#define DOWN_TO_2                                                              \
	DOWN_TO_3                                                              \
	"DROP TABLE suppression; DROP INDEX outbox_lease;"                     \
	"CREATE INDEX outbox_claimed ON outbox (status, claimed_at);"          \
	"ALTER TABLE outbox DROP COLUMN lease_until;"                          \
	"ALTER TABLE outbox DROP COLUMN claim;"                                \
	"ALTER TABLE outbox_rcpts DROP COLUMN status;"                         \
	"ALTER TABLE outbox_rcpts DROP COLUMN code;"                           \
	"ALTER TABLE outbox_rcpts DROP COLUMN text;"                           \
	"ALTER TABLE outbox_rcpts DROP COLUMN attempts;"                       \
	"PRAGMA user_version = 2;"

/* test_open_migrate_1 - a version 1 file gets the indexes of version 2 */
static void
test_open_migrate_1(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	sqlite3 *db;

	(void)data;
	store_close(f->store);
	db = raw_open(f->path);
	g_assert_cmpint(sqlite3_exec(db,
			    DOWN_TO_2 "DROP INDEX shares_by_sharer; DROP INDEX "
				      "shares_by_recipient; PRAGMA "
				      "user_version = 1",
			    NULL, NULL, NULL),
	    ==, SQLITE_OK);
	sqlite3_close(db);
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_cmpint(
	    store_schema_version(f->store), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM sqlite_master "
					 "WHERE name IN ('shares_by_sharer', "
					 "'shares_by_recipient')"),
	    ==, 2);
}

/* test_open_migrate_3 - version 4 keeps every share, outbox row and
 * member, each share a direct one with no token, each member on the
 * site's defaults */
static void
test_open_migrate_3(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) shares = NULL;
	g_autoptr(GPtrArray) members = NULL;
	sqlite3 *db;

	(void)data;
	store_close(f->store);
	db = raw_open(f->path);
	g_assert_cmpint(
	    sqlite3_exec(db,
		DOWN_TO_3 "INSERT INTO members (address, created_at)"
			  " VALUES ('m@members.example', 1);"
			  "INSERT INTO shares (sharer, recipient, requester,"
			  " origin_key, status, created_at) VALUES"
			  " ('m@members.example', 'f@friends.example',"
			  " 'r@asker.example', '<k@x>', 'introduced', 2);"
			  "INSERT INTO outbox (share_id, kind, mail_from,"
			  " message, next_attempt_at, created_at) VALUES"
			  " (1, 'intro', 'a@b.example', 'm', 0, 2);",
		NULL, NULL, NULL),
	    ==, SQLITE_OK);
	sqlite3_close(db);
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_cmpint(
	    store_schema_version(f->store), ==, STORE_SCHEMA_VERSION);
	shares = store_share_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(shares->len, ==, 1);
	g_assert_cmpstr(((Share *)shares->pdata[0])->mode, ==, "direct");
	g_assert_null(((Share *)shares->pdata[0])->token);
	g_assert_cmpstr(((Share *)shares->pdata[0])->status, ==, "introduced");
	members = store_member_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_null(((Member *)members->pdata[0])->consent);
	g_assert_cmpint(((Member *)members->pdata[0])->confirm, ==, -1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template IS NULL"),
	    ==, 1);
}

/* test_open_migrate_2 - version 3 gives rows in flight a lease and
 * settled rows' recipients their outcome */
static void
test_open_migrate_2(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	sqlite3 *db;

	(void)data;
	store_close(f->store);
	db = raw_open(f->path);
	g_assert_cmpint(
	    sqlite3_exec(db,
		DOWN_TO_2
		"INSERT INTO outbox (id, kind, mail_from, message,"
		" status, attempts, next_attempt_at, claimed_at,"
		" created_at) VALUES"
		" (1, 'notice', 'a@b.example', 'm', 'sending', 1,"
		" 0, 1000, 0),"
		" (2, 'notice', 'a@b.example', 'm', 'sent', 1, 0,"
		" NULL, 0),"
		" (3, 'notice', 'a@b.example', 'm', 'queued', 0,"
		" 0, NULL, 0);"
		"INSERT INTO outbox_rcpts VALUES (1, 0, 'x@y.example'),"
		" (2, 0, 'x@y.example'), (3, 0, 'x@y.example');",
		NULL, NULL, NULL),
	    ==, SQLITE_OK);
	sqlite3_close(db);
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_cmpint(
	    store_schema_version(f->store), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT lease_until FROM outbox WHERE id = 1"), ==,
	    1600);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts WHERE"
			     " (outbox_id = 2 AND status = 'sent') OR"
			     " (outbox_id IN (1, 3) AND status = 'queued')"),
	    ==, 3);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM suppression"), ==, 0);
}

static void raw_exec(const char *path, const char *sql);

/* index_count - how many of the shares table's indexes are named name */
static gint64
index_count(const char *path, const char *name)
{
	g_autofree char *sql = g_strdup_printf(
	    pg_admin != NULL
		? "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'shares'"
		  " AND indexname = '%s' AND schemaname = current_schema()"
		: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
		  " AND tbl_name = 'shares' AND name = '%s'",
	    name);

	return raw_int(path, sql);
}

/* test_open_migrate_7 - version 8 drops the two indexes every share
 * paid a WAL page each for and no query needs: shares_status (status
 * leads shares_asked) and shares_pair (the open pair's look-up reads
 * shares_open_pair); what was there stays */
static void
test_open_migrate_7(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	static const char rows[] =
	    "INSERT INTO shares (sharer, recipient, requester, origin_key,"
	    " status, created_at, mode) VALUES"
	    " ('chris@m.example', 'jane@f.example', 'dana@r.example', 'k1',"
	    "  'asked', 10, 'ask');";
	g_autofree char *sql = g_strconcat(
	    pg_admin != NULL ? PG_DOWN_TO_7 : DOWN_TO_7, rows, NULL);
	gint64 open = 0;

	(void)data;
	store_close(f->store);
	f->store = NULL;
	raw_exec(f->path, sql);
	g_assert_cmpint(index_count(f->path, "shares_pair"), ==, 1);
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_cmpint(
	    store_schema_version(f->store), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(index_count(f->path, "shares_status"), ==, 0);
	g_assert_cmpint(index_count(f->path, "shares_pair"), ==, 0);
	g_assert_cmpint(index_count(f->path, "shares_open_pair"), ==, 1);
	g_assert_cmpint(index_count(f->path, "shares_asked"), ==, 1);
	g_assert_true(store_share_open_for_pair(
	    f->store, "DANA@r.example", "jane@f.example", &open, &error));
	g_assert_no_error(error);
	g_assert_cmpint(open, ==, 1);
}

/* test_open_migrate_6 - version 7 keeps one open request per requester
 * and friend: open requests recorded twice before (the same pair,
 * another case) are merged into the oldest, their other members
 * credited there, the later ones closed; other shares are untouched */
static void
test_open_migrate_6(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) first = NULL;
	static const char rows[] =
	    "INSERT INTO shares (sharer, recipient, requester, origin_key,"
	    " status, created_at, mode) VALUES"
	    " ('chris@m.example', 'jane@f.example', 'dana@r.example', 'k1',"
	    "  'asked', 10, 'ask'),"
	    " ('pat@m.example', 'JANE@f.example', 'Dana@r.example', 'k2',"
	    "  'asked', 11, 'ask'),"
	    " ('chris@m.example', 'jane@f.example', 'dana@r.example', 'k3',"
	    "  'asked', 12, 'ask'),"
	    " ('pat@m.example', 'jane@f.example', 'dana@r.example', 'k4',"
	    "  'declined', 13, 'ask'),"
	    " ('pat@m.example', 'bob@f.example', 'dana@r.example', 'k5',"
	    "  'asked', 14, 'ask');";

	(void)data;
	store_close(f->store);
	f->store = NULL;
	if (pg_admin != NULL) {
		g_autofree char *sql = g_strconcat(PG_DOWN_TO_7,
		    "DROP INDEX shares_open_pair;"
		    " UPDATE schema_version SET version = 6;",
		    rows, NULL);

		raw_exec(f->path, sql);
	} else {
		g_autofree char *sql = g_strconcat(DOWN_TO_6, rows, NULL);

		raw_exec(f->path, sql);
	}
	f->store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_cmpint(
	    store_schema_version(f->store), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"
					 " WHERE status = 'asked'"),
	    ==, 2); /* k1 and k5 */
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"
					 " WHERE status = 'expired'"
					 " AND origin_key IN ('k2', 'k3')"),
	    ==, 2);
	first = store_share_get(f->store, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(first->origin_key, ==, "k1");
	g_assert_cmpuint(first->credited->len, ==, 1);
	g_assert_cmpstr(first->credited->pdata[0], ==, "pat@m.example");
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM share_credits"), ==, 1);
}

/* test_open_durable - WAL with synchronous=FULL: a commit is on disk */
static void
test_open_durable(Fixture *f, gconstpointer data)
{
	g_autofree char *d = store_durability(f->store);

	(void)data;
	g_assert_cmpstr(d, ==, "journal_mode=wal synchronous=full");
}

/* test_open_no_dir - a path in a missing folder is a clear error */
static void
test_open_no_dir(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path =
	    g_build_filename(f->dir, "missing", "x.db", NULL);
	Store *st;

	(void)data;
	st = store_open(path, 50, &error);
	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, path));
	g_assert_nonnull(strstr(error->message, "unable to open"));
}

/* test_open_newer - a schema from a newer program is refused */
static void
test_open_newer(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	Store *st;

	(void)data;
	if (pg_admin != NULL)
		pg_run(f->path, "UPDATE schema_version SET version = 99");
	else {
		sqlite3 *db = raw_open(f->path);

		g_assert_cmpint(sqlite3_exec(db, "PRAGMA user_version = 99",
				    NULL, NULL, NULL),
		    ==, SQLITE_OK);
		sqlite3_close(db);
	}
	st = store_open(f->path, 50, &error);
	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "newer"));
}

/* test_pg_reconnect - the server dropped every connection (a restart,
 * a failover): the pool finds its idle connections closed and opens new
 * ones, so the next call succeeds without reopening the Store */
static void
test_pg_reconnect(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) members = NULL;
	gint64 n;

	(void)data;
	members = store_member_list(f->store, &error);
	g_assert_no_error(error);
	g_clear_pointer(&members, g_ptr_array_unref);
	n = pg_run(pg_admin,
	    "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
	    " WHERE pid <> pg_backend_pid() AND datname = current_database()"
	    " AND backend_type = 'client backend'");
	g_assert_cmpint(n, >=, 1);
	/* a terminated backend sends its goodbye, then exits: once none is
	 * left, every goodbye is in our sockets (bounded wait) */
	for (int i = 0;
	     i < 500 &&
	     pg_run(pg_admin, "SELECT COUNT(*) FROM pg_stat_activity"
			      " WHERE pid <> pg_backend_pid()"
			      " AND datname = current_database()"
			      " AND backend_type = 'client backend'") > 0;
	     i++)
		g_usleep(10000);
	members = store_member_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_nonnull(members);
}

/* add_member - add one member, asserting success */
static gint64
add_member(Store *store, const char *address, const char *handle)
{
	g_autoptr(Member) m = member_new();
	g_autoptr(GError) error = NULL;
	gint64 id = 0;

	m->address = g_strdup(address);
	m->name = g_strdup("Jane Doe");
	m->handle = g_strdup(handle);
	m->capabilities = g_strdup("keynotes, C, mail");
	g_assert_true(store_member_add(store, m, &id, &error));
	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

/* test_reads_beside_write - the milter's look-ups (member, suppression,
 * counts) do not queue behind a write transaction: they read the last
 * commit on a connection of their own, never the writer's uncommitted
 * rows. With one connection for everything, each look-up of a share
 * waited for the share before it to commit (fsync included). */
static void
test_reads_beside_write(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) a = NULL;
	g_autoptr(Member) b = NULL;
	g_autoptr(Member) c = NULL;
	gboolean has = TRUE;
	gint64 id = -1;
	DbConn *w;

	(void)data;
	add_member(f->store, "jane@example.net", "Jane");
	w = store_acquire(f->store, &error);
	g_assert_no_error(error);
	g_assert_true(db_begin(w, &error));
	g_assert_no_error(error);
	g_assert_true(db_exec(w,
	    "INSERT INTO members (address, created_at)"
	    " VALUES ('bob@example.net', 1)",
	    &error));
	g_assert_no_error(error);
	/* the write transaction is open: every read still answers */
	a = store_member_by_address(f->store, "jane@example.net", &error);
	g_assert_no_error(error);
	g_assert_nonnull(a);
	b = store_member_by_address(f->store, "bob@example.net", &error);
	g_assert_no_error(error);
	g_assert_null(b); /* not committed */
	g_assert_true(
	    store_suppression_has(f->store, "jane@example.net", &has, &error));
	g_assert_no_error(error);
	g_assert_false(has);
	g_assert_true(store_share_open_for_pair(
	    f->store, "dana@example.org", "jane@example.net", &id, &error));
	g_assert_no_error(error);
	g_assert_cmpint(id, ==, 0);
	g_assert_true(db_commit(w, &error));
	g_assert_no_error(error);
	store_release(w);
	c = store_member_by_address(f->store, "bob@example.net", &error);
	g_assert_no_error(error);
	g_assert_nonnull(c); /* committed: the next read sees it */
}

/* test_member_lookup - by address (domain without case) and by handle */
static void
test_member_lookup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) a = NULL;
	g_autoptr(Member) b = NULL;
	g_autoptr(Member) c = NULL;
	g_autoptr(Member) none = NULL;
	g_autoptr(Member) nohandle = NULL;
	gint64 id;

	(void)data;
	id = add_member(f->store, "<Jane@Example.NET>", "Jane");
	a = store_member_by_address(f->store, "Jane@EXAMPLE.net", &error);
	g_assert_no_error(error);
	g_assert_nonnull(a);
	g_assert_cmpint(a->id, ==, id);
	g_assert_cmpstr(a->address, ==, "Jane@example.net");
	g_assert_cmpstr(a->handle, ==, "jane");
	g_assert_cmpstr(a->name, ==, "Jane Doe");
	g_assert_cmpstr(a->capabilities, ==, "keynotes, C, mail");
	g_assert_cmpint(a->created_at, >, 0);
	b = store_member_by_handle(f->store, "JANE", &error);
	g_assert_no_error(error);
	g_assert_nonnull(b);
	g_assert_cmpint(b->id, ==, id);
	c = store_member_by_address(f->store, "JANE@example.net", &error);
	g_assert_no_error(error);
	g_assert_nonnull(c); /* local parts compare without case too */
	g_assert_cmpint(c->id, ==, id);
	none = store_member_by_address(f->store, "bob@example.net", &error);
	g_assert_no_error(error);
	g_assert_null(none);
	nohandle = store_member_by_handle(f->store, "bob", &error);
	g_assert_no_error(error);
	g_assert_null(nohandle);
}

/* test_member_unsub_token - the first token made is kept (a second
 * call, or a race, gets it back); unsubscribing by it turns digests off
 * once; unknown tokens and non-members are told apart from failures */
static void
test_member_unsub_token(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *t1 = NULL;
	g_autofree char *t2 = NULL;
	g_autofree char *none = NULL;
	g_autoptr(Member) m = NULL;
	g_autoptr(Member) after = NULL;
	gboolean found, changed;

	(void)data;
	add_member(f->store, "<Jane@Example.NET>", "Jane");
	g_assert_true(store_member_unsub_token(f->store, "jane@example.net",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaa", &t1, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(t1, ==, "aaaaaaaaaaaaaaaaaaaaaaaaaa");
	g_assert_true(store_member_unsub_token(f->store, "JANE@example.net",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbb", &t2, &error));
	g_assert_cmpstr(t2, ==, t1); /* kept, not replaced */
	g_assert_true(store_member_unsub_token(f->store, "bob@example.net",
	    "cccccccccccccccccccccccccc", &none, &error));
	g_assert_no_error(error);
	g_assert_null(none);
	m = store_member_by_unsub_token(f->store, t1, &error);
	g_assert_no_error(error);
	g_assert_nonnull(m);
	g_assert_cmpstr(m->address, ==, "Jane@example.net");
	g_assert_null(m->digest_day);
	g_assert_true(
	    store_member_unsubscribe(f->store, t1, &found, &changed, &error));
	g_assert_true(found && changed);
	g_assert_true(
	    store_member_unsubscribe(f->store, t1, &found, &changed, &error));
	g_assert_true(found && !changed); /* once */
	after = store_member_by_address(f->store, "jane@example.net", &error);
	g_assert_cmpstr(after->digest_day, ==, "never");
	g_assert_true(store_member_unsubscribe(
	    f->store, "zzzzzzzzzzzzzzzzzzzzzzzzzz", &found, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(!found && !changed);
}

/* try_add - store_member_add's error for address/handle */
static GError *
try_add(Store *store, const char *address, const char *handle)
{
	g_autoptr(Member) m = member_new();
	GError *error = NULL;

	m->address = g_strdup(address);
	m->handle = g_strdup(handle);
	g_assert_false(store_member_add(store, m, NULL, &error));
	g_assert_nonnull(error);
	return error;
}

/* test_member_dup - a taken address or handle is a constraint error */
static void
test_member_dup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	g_autoptr(GError) e3 = NULL;
	g_autoptr(GError) e4 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;

	(void)data;
	add_member(f->store, "jane@example.net", "jane");
	e1 = try_add(f->store, "JANE@EXAMPLE.NET", NULL);
	g_assert_error(e1, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_assert_nonnull(strstr(e1->message, "already a member"));
	e2 = try_add(f->store, "other@example.net", "JANE");
	g_assert_error(e2, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_assert_nonnull(strstr(e2->message, "already taken"));
	e3 = try_add(f->store, "not an address", NULL);
	g_assert_error(e3, STORE_ERROR, STORE_ERROR_INVALID);
	e4 = try_add(f->store, "x@example.net", "bad handle");
	g_assert_error(e4, STORE_ERROR, STORE_ERROR_INVALID);
	add_member(f->store, "bob@example.net", NULL); /* NULL handles */
	add_member(f->store, "carol@example.net", NULL);
	list = store_member_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 3);
	g_assert_cmpstr(
	    ((Member *)list->pdata[0])->address, ==, "jane@example.net");
	g_assert_null(((Member *)list->pdata[2])->handle);
}

/* test_handle_valid - the handle alphabet */
static void
test_handle_valid(void)
{
	g_assert_true(store_handle_is_valid("jane"));
	g_assert_true(store_handle_is_valid("j.doe_2-x"));
	g_assert_false(store_handle_is_valid(""));
	g_assert_false(store_handle_is_valid("Jane"));
	g_assert_false(store_handle_is_valid("ja ne"));
	g_assert_false(store_handle_is_valid("a=b"));
	g_assert_false(store_handle_is_valid("a+b"));
	g_assert_false(
	    store_handle_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				  "aaaaaaaaaaaaaaaaaaaaa"));
}

/* test_share_record - one share, then the retry creates nothing */
static void
test_share_record(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) s = make_share("<m1@example.org>");
	g_autoptr(Share) again = make_share("<m1@example.org>");
	g_autoptr(GPtrArray) items = items_new(
	    make_item("intro", "I", 0), make_item("confirmation", "C", 0));
	g_autoptr(GPtrArray) items2 =
	    items_new(make_item("intro", "I", 0), NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) shares = NULL;
	OutboxItem *i0 = items->pdata[0], *i1 = items->pdata[1];
	gboolean created = FALSE;

	(void)data;
	g_assert_true(store_share_record(f->store, s, items, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	g_assert_cmpint(s->id, >, 0);
	g_assert_cmpstr(s->status, ==, "queued");
	g_assert_cmpint(i0->share_id, ==, s->id);
	g_assert_cmpint(i1->share_id, ==, s->id);
	g_assert_cmpint(i0->id, >, 0);
	g_assert_cmpint(i1->id, >, i0->id);
	g_assert_cmpstr(i0->status, ==, "queued");
	g_assert_cmpint(i0->next_attempt_at, >, 0);

	g_assert_true(
	    store_share_record(f->store, again, items2, &created, &error));
	g_assert_no_error(error);
	g_assert_false(created);
	g_assert_cmpint(again->id, ==, s->id);
	g_assert_cmpint(((OutboxItem *)items2->pdata[0])->id, ==, 0);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"), ==, 2);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts"), ==, 4);

	shares = store_share_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(shares->len, ==, 1);
	g_assert_cmpstr(((Share *)shares->pdata[0])->note, ==,
	    "Bob would be perfect for this.");
	g_assert_cmpstr(
	    ((Share *)shares->pdata[0])->origin_key, ==, "<m1@example.org>");
}

/* assert_empty - no share and no outbox row was written */
static void
assert_empty(const char *path)
{
	g_assert_cmpint(raw_int(path, "SELECT COUNT(*) FROM shares"), ==, 0);
	g_assert_cmpint(raw_int(path, "SELECT COUNT(*) FROM outbox"), ==, 0);
	g_assert_cmpint(
	    raw_int(path, "SELECT COUNT(*) FROM outbox_rcpts"), ==, 0);
}

/* test_share_rollback - a bad second item undoes the share and item 1 */
static void
test_share_rollback(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) s = make_share("<m2@example.org>");
	g_autoptr(GPtrArray) items = items_new(make_item("intro", "I", 0),
	    make_item("confirmation", NULL, 0)); /* no message */
	g_autoptr(GError) error = NULL;
	gboolean created = TRUE;

	(void)data;
	g_assert_false(
	    store_share_record(f->store, s, items, &created, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_false(created);
	g_assert_cmpint(s->id, ==, 0);
	g_assert_cmpint(((OutboxItem *)items->pdata[0])->id, ==, 0);
	assert_empty(f->path);
}

/* test_share_rollback_sql - a row SQLite refuses undoes everything */
static void
test_share_rollback_sql(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) s = make_share("<m3@example.org>");
	g_autoptr(GPtrArray) items = items_new(
	    make_item("intro", "I", 0), make_item("no-such-kind", "X", 0));
	g_autoptr(GError) error = NULL;

	(void)data;
	g_assert_false(store_share_record(f->store, s, items, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_assert_nonnull(strcasestr(error->message, "check"));
	assert_empty(f->path);
	/* the connection is usable again afterwards */
	record_one(f->store, "<m3@example.org>", 0);
}

/* test_shares_record_atomic - two friends in one transaction: a bad
 * item for the second leaves nothing of the first; then both at once,
 * and a retry with one new friend records only that one */
static void
test_shares_record_atomic(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) a = make_share("<m9@example.org>");
	g_autoptr(Share) b = make_share("<m9@example.org>");
	g_autoptr(Share) c = make_share("<m9@example.org>");
	g_autoptr(GPtrArray) shares = g_ptr_array_new();
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) error = NULL;
	gboolean created[3] = { TRUE, TRUE, TRUE };

	(void)data;
	g_free(b->recipient);
	b->recipient = g_strdup("second@example.com");
	g_free(c->recipient);
	c->recipient = g_strdup("third@example.com");
	g_ptr_array_add(shares, a);
	g_ptr_array_add(shares, b);
	g_ptr_array_add(lists, items_new(make_item("intro", "I", 0), NULL));
	g_ptr_array_add(lists, items_new(make_item("intro", NULL, 0), NULL));
	g_assert_false(
	    store_shares_record(f->store, shares, lists, created, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_false(created[0]);
	g_assert_cmpint(a->id, ==, 0);
	assert_empty(f->path);

	g_clear_error(&error);
	g_ptr_array_remove_index(lists, 1);
	g_ptr_array_add(lists, items_new(make_item("intro", "I", 0), NULL));
	g_assert_true(
	    store_shares_record(f->store, shares, lists, created, &error));
	g_assert_no_error(error);
	g_assert_true(created[0] && created[1]);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 2);

	g_ptr_array_add(shares, c);
	g_ptr_array_add(lists, items_new(make_item("intro", "I", 0), NULL));
	g_assert_true(
	    store_shares_record(f->store, shares, lists, created, &error));
	g_assert_false(created[0] || created[1]);
	g_assert_true(created[2]);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 3);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"), ==, 3);
}

/* test_share_busy - another writer holding the lock: BUSY, no write */
static void
test_share_busy(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) s = make_share("<m4@example.org>");
	g_autoptr(GPtrArray) items =
	    items_new(make_item("intro", "I", 0), NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) quick = NULL;
	sqlite3 *other = NULL;
	PGconn *pg = NULL;

	(void)data;
	quick = store_open(f->path, 200, &error);
	g_assert_no_error(error);
	if (pg_admin != NULL) {
		/* PostgreSQL: the table locked past lock_timeout */
		pg = PQconnectdb(f->path);
		g_assert_cmpint(PQstatus(pg), ==, CONNECTION_OK);
		PQclear(PQexec(pg, "BEGIN"));
		PQclear(
		    PQexec(pg, "LOCK TABLE shares IN ACCESS EXCLUSIVE MODE"));
	} else {
		other = raw_open(f->path);
		g_assert_cmpint(
		    sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
		    ==, SQLITE_OK);
	}
	g_assert_false(store_share_record(quick, s, items, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_BUSY);
	g_assert_cmpint(s->id, ==, 0);
	if (pg != NULL) {
		PQclear(PQexec(pg, "COMMIT"));
		PQfinish(pg);
	} else {
		g_assert_cmpint(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
		    ==, SQLITE_OK);
		sqlite3_close(other);
	}
	assert_empty(f->path);
	g_clear_error(&error);
	g_assert_true(store_share_record(quick, s, items, NULL, &error));
	g_assert_no_error(error);
}

/* claim - claim at now, expecting n items */
static GPtrArray *
claim(Store *store, gint64 now, guint n)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *got = store_outbox_claim_due(store, now, 10, &error);

	g_assert_no_error(error);
	g_assert_nonnull(got);
	g_assert_cmpuint(got->len, ==, n);
	return got;
}

/* expect_claim - claim at now, expecting n items, keep nothing */
static void
expect_claim(Store *store, gint64 now, guint n)
{
	g_ptr_array_unref(claim(store, now, n));
}

/* share_status - the status of share id */
static char *
share_status(Store *store, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = store_share_list(store, &error);

	g_assert_no_error(error);
	for (guint i = 0; i < list->len; i++)
		if (((Share *)list->pdata[i])->id == id)
			return g_strdup(((Share *)list->pdata[i])->status);
	g_assert_not_reached();
	return NULL;
}

/* test_claim_cycle - claim, retry, send, fail; shares follow intros */
static void
test_claim_cycle(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) first = NULL;
	g_autoptr(GPtrArray) later = NULL;
	g_autofree char *st1 = NULL;
	g_autofree char *st2 = NULL;
	OutboxItem *intro, *conf;
	gint64 sid;

	(void)data;
	sid = record_one(f->store, "<c1@example.org>", 1000);
	expect_claim(f->store, 999, 0); /* not due yet */
	first = claim(f->store, 1000, 2);
	intro = first->pdata[0];
	conf = first->pdata[1];
	g_assert_cmpstr(intro->kind, ==, "intro");
	g_assert_cmpstr(intro->status, ==, "sending");
	g_assert_cmpuint(intro->attempts, ==, 1);
	g_assert_cmpint(intro->share_id, ==, sid);
	g_assert_cmpstr(intro->mail_from, ==, "intros@intro.example.org");
	g_assert_cmpuint(intro->rcpts->len, ==, 2);
	g_assert_cmpstr(intro->rcpts->pdata[0], ==, "friend@example.com");
	g_assert_cmpstr(intro->rcpts->pdata[1], ==, "asker@example.org");
	g_assert_cmpmem(g_bytes_get_data(intro->message, NULL),
	    g_bytes_get_size(intro->message), "I", 1);
	expect_claim(f->store, 1001, 0); /* claimed already */

	g_assert_true(store_outbox_mark_retry(
	    f->store, intro->id, 1060, "421 4.3.2 try later", &error));
	g_assert_no_error(error);
	expect_claim(f->store, 1059, 0);
	later = claim(f->store, 1060, 1);
	g_assert_cmpint(((OutboxItem *)later->pdata[0])->id, ==, intro->id);
	g_assert_cmpuint(((OutboxItem *)later->pdata[0])->attempts, ==, 2);
	g_assert_cmpstr(((OutboxItem *)later->pdata[0])->last_error, ==,
	    "421 4.3.2 try later");

	g_assert_true(
	    store_outbox_mark_sent(f->store, intro->id, 1061, &error));
	g_assert_no_error(error);
	st1 = share_status(f->store, sid);
	g_assert_cmpstr(st1, ==, "introduced");
	/* a confirmation failing does not touch the share */
	g_assert_true(store_outbox_mark_failed(
	    f->store, conf->id, "550 5.1.1 no such user", &error));
	g_assert_no_error(error);
	st2 = share_status(f->store, sid);
	g_assert_cmpstr(st2, ==, "introduced");
	g_assert_cmpint(
	    raw_int(f->path, "SELECT sent_at FROM outbox WHERE kind = 'intro'"),
	    ==, 1061);
	expect_claim(f->store, 100000, 0); /* nothing left */
}

/* test_claim_fail_intro - an intro failing for good fails its share */
static void
test_claim_fail_intro(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) got = NULL;
	g_autofree char *st = NULL;
	gint64 sid;

	(void)data;
	sid = record_one(f->store, "<c2@example.org>", 50);
	got = claim(f->store, 50, 2);
	g_assert_true(store_outbox_mark_failed(f->store,
	    ((OutboxItem *)got->pdata[0])->id, "550 5.7.1 refused", &error));
	g_assert_no_error(error);
	st = share_status(f->store, sid);
	g_assert_cmpstr(st, ==, "failed");
	g_assert_false(store_outbox_mark_sent(f->store, 9999, 1, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
}

/* test_claim_stale - a claim older than the timeout is due again */
static void
test_claim_stale(Fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) c = NULL;

	(void)data;
	record_one(f->store, "<s1@example.org>", 100);
	expect_claim(f->store, 100, 2);
	expect_claim(f->store, 100 + STORE_CLAIM_TIMEOUT, 0);
	c = claim(f->store, 101 + STORE_CLAIM_TIMEOUT, 2);
	g_assert_cmpuint(((OutboxItem *)c->pdata[0])->attempts, ==, 2);
	g_assert_cmpstr(((OutboxItem *)c->pdata[0])->status, ==, "sending");
	expect_claim(f->store, 102 + STORE_CLAIM_TIMEOUT, 0);
}

/* test_claim_max - at most max items per claim */
static void
test_claim_max(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) one = NULL;

	(void)data;
	record_one(f->store, "<x1@example.org>", 10);
	record_one(f->store, "<x2@example.org>", 5);
	one = store_outbox_claim_due(f->store, 10, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(one->len, ==, 1);
	/* the earliest due goes first */
	g_assert_cmpint(((OutboxItem *)one->pdata[0])->next_attempt_at, ==, 5);
	expect_claim(f->store, 10, 3);
}

/* set_state - give recipient i of item an outcome */
static void
set_state(
    OutboxItem *item, guint i, const char *status, int code, const char *text)
{
	OutboxRcpt *r = g_ptr_array_index(item->states, i);

	g_free(r->status);
	r->status = g_strdup(status);
	r->code = code;
	g_free(r->text);
	r->text = g_strdup(text);
	r->attempts++;
}

/* test_claim_lease - a claim lasts its lease, is fenced, can be kept */
static void
test_claim_lease(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) first = NULL;
	g_autoptr(GPtrArray) again = NULL;
	g_autoptr(GPtrArray) none = NULL;
	OutboxItem *a, *b, *b2;

	(void)data;
	record_one(f->store, "<l1@example.org>", 100);
	first = store_outbox_claim(f->store, 100, 60, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(first->len, ==, 2);
	a = first->pdata[0];
	b = first->pdata[1];
	g_assert_cmpint(a->claim, ==, 1);
	g_assert_cmpint(a->lease_until, ==, 160);
	g_assert_cmpuint(a->states->len, ==, 2);
	g_assert_cmpstr(
	    ((OutboxRcpt *)a->states->pdata[0])->status, ==, "queued");
	g_assert_cmpstr(a->member, ==, "member@example.net");
	none = store_outbox_claim(f->store, 160, 60, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(none->len, ==, 0); /* the lease holds to its end */
	g_assert_true(store_outbox_extend(f->store, a->id, 1, 200, &error));
	g_assert_no_error(error);
	again = store_outbox_claim(f->store, 170, 60, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(again->len, ==, 1); /* b's lease ran out, a's not */
	b2 = again->pdata[0];
	g_assert_cmpint(b2->id, ==, b->id);
	g_assert_cmpint(b2->claim, ==, 2);
	g_assert_cmpuint(b2->attempts, ==, 2);
	/* the first claimant of b is fenced off */
	g_assert_false(store_outbox_extend(f->store, b->id, 1, 300, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STALE);
	g_clear_error(&error);
	set_state(b, 0, "sent", 250, "250 ok");
	set_state(b, 1, "sent", 250, "250 ok");
	g_assert_false(store_outbox_record(f->store, b, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STALE);
	g_clear_error(&error);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts"
					 " WHERE status = 'queued'"),
	    ==, 4);
	set_state(b2, 0, "sent", 250, "250 ok");
	g_assert_true(store_outbox_record(f->store, b2, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts"
			     " WHERE status = 'sent' AND code = 250"),
	    ==, 1);
}

/* test_record_outcome - recipients, item, share, notice, suppression
 * in one write */
static void
test_record_outcome(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) got = NULL;
	g_autoptr(GPtrArray) notices =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	g_autoptr(GPtrArray) suppress =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_free);
	g_autofree char *st = NULL;
	OutboxItem *intro, *notice;
	OutboxRcpt *gone = outbox_rcpt_new("Asker@Example.ORG");
	OutboxOutcome o = { 0 };
	gboolean has = TRUE;
	gint64 sid;

	(void)data;
	sid = record_one(f->store, "<o1@example.org>", 100);
	got = store_outbox_claim(f->store, 100, 60, 1, &error);
	g_assert_no_error(error);
	intro = got->pdata[0];
	g_assert_cmpstr(intro->kind, ==, "intro");
	set_state(intro, 0, "sent", 250, "250 2.0.0 queued");
	set_state(intro, 1, "failed", 550, "550 5.1.1 no such user");
	notice = make_item("notice", "N", 0);
	g_ptr_array_set_size(notice->rcpts, 0);
	g_ptr_array_add(notice->rcpts, g_strdup("member@example.net"));
	g_ptr_array_add(notices, notice);
	gone->code = 550;
	gone->text = g_strdup("550 5.1.1 no such user");
	g_ptr_array_add(suppress, gone);
	o = (OutboxOutcome){ .status = "sent",
		.now = 130,
		.last_error = "550 5.1.1 no such user",
		.notices = notices,
		.suppress = suppress };
	g_assert_true(store_outbox_record(f->store, intro, &o, &error));
	g_assert_no_error(error);
	g_assert_cmpint(notice->id, >, intro->id);
	st = share_status(f->store, sid);
	g_assert_cmpstr(st, ==, "introduced");
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox WHERE kind = 'notice'"
			     " AND status = 'queued' AND share_id IS NOT NULL"),
	    ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT sent_at FROM outbox WHERE kind = 'intro'"),
	    ==, 130);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT code FROM outbox_rcpts WHERE address ="
			     " 'asker@example.org' AND status = 'failed'"
			     " AND outbox_id = (SELECT id FROM outbox"
			     "  WHERE kind = 'intro')"),
	    ==, 550);
	g_assert_true(
	    store_suppression_has(f->store, "asker@EXAMPLE.org", &has, &error));
	g_assert_no_error(error);
	g_assert_true(has);
	g_assert_true(store_suppression_has(
	    f->store, "friend@example.com", &has, &error));
	g_assert_false(has);
	/* recorded once: a second write under the same claim is stale */
	g_assert_false(store_outbox_record(f->store, intro, &o, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STALE);
	g_assert_cmpint(
	    raw_int(
		f->path, "SELECT COUNT(*) FROM outbox WHERE kind = 'notice'"),
	    ==, 1);
}

/* test_record_group - several fenced writes in one transaction: a stale
 * one is refused alone, a failing one rolls every write back */
static void
test_record_group(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) got = NULL;
	g_autoptr(GPtrArray) bad =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	g_autoptr(OutboxItem) back = NULL;
	g_autoptr(OutboxItem) old = NULL;
	OutboxOutcome sent = { .status = "sent", .now = 130 };
	OutboxOutcome broken = { .status = "sent", .now = 131, .notices = bad };
	OutboxWrite w[3] = { { 0 } };
	OutboxItem *a, *b, *c;

	(void)data;
	record_one(f->store, "<g1@example.org>", 100);
	record_one(f->store, "<g2@example.org>", 100);
	got = store_outbox_claim(f->store, 100, 60, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(got->len, ==, 4);
	a = got->pdata[0];
	b = got->pdata[1];
	c = got->pdata[2];
	g_bytes_unref(a->message);
	a->message = g_bytes_new_static("Subject: y\r\n\r\nyo", 17);
	g_free(a->subject);
	a->subject = g_strdup("y");
	set_state(b, 0, "sent", 250, "250 ok");
	set_state(b, 1, "sent", 250, "250 ok");
	old = outbox_item_copy(c);
	old->claim = c->claim + 1; /* a claim that is not c's */
	set_state(old, 0, "sent", 250, "250 ok");
	w[0] = (OutboxWrite){ .item = a, .rendered = TRUE };
	w[1] = (OutboxWrite){ .item = b, .outcome = &sent };
	w[2] = (OutboxWrite){ .item = old };
	g_assert_true(store_outbox_write(f->store, w, 3, &error));
	g_assert_no_error(error);
	g_assert_no_error(w[0].error);
	g_assert_no_error(w[1].error);
	g_assert_error(w[2].error, STORE_ERROR, STORE_ERROR_STALE);
	g_clear_error(&w[2].error);
	back = store_outbox_get(f->store, a->id, &error);
	g_assert_cmpuint(g_bytes_get_size(back->message), ==, 17);
	g_assert_cmpstr(back->subject, ==, "y");
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE status = 'sent'"),
	    ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts"
					 " WHERE status = 'sent'"),
	    ==, 2); /* b's two; nothing of the stale write */
	/* a notice the store refuses: c's recipients roll back with it */
	g_ptr_array_add(bad, make_item("notice", NULL, 0));
	set_state(c, 0, "sent", 250, "250 ok");
	w[0] = (OutboxWrite){ .item = c };
	w[1] = (OutboxWrite){ .item = got->pdata[3], .outcome = &broken };
	g_assert_false(store_outbox_write(f->store, w, 2, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_no_error(w[0].error);
	g_assert_no_error(w[1].error);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts"
					 " WHERE status = 'sent'"),
	    ==, 2);
}

/* test_suppression - add, refresh, look up without case */
static void
test_suppression(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gboolean has = TRUE;

	(void)data;
	g_assert_true(
	    store_suppression_has(f->store, "gone@example.org", &has, &error));
	g_assert_false(has);
	g_assert_true(store_suppression_add(
	    f->store, "Gone@Example.org", 550, "550 gone", 0, &error));
	g_assert_true(store_suppression_add(
	    f->store, "gone@example.org", 551, "551 moved", 0, &error));
	g_assert_no_error(error);
	g_assert_true(
	    store_suppression_has(f->store, "GONE@example.ORG", &has, &error));
	g_assert_true(has);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM suppression"), ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT code FROM suppression"), ==, 551);
	g_assert_false(store_suppression_add(
	    f->store, "not an address", 550, NULL, 0, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
}

/* test_suppression_salt - the forget salt is kept by the Store once it
 * was read: a first forget by another Store (another host) is seen at
 * once, since no salt is kept while there is none; once kept, the Store
 * uses its copy (a salt changed behind its back, which never happens,
 * shows it: a fresh Store reads the new one) */
static void
test_suppression_salt(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) other = NULL;
	g_autoptr(Store) fresh = NULL;
	StoreForget fg = { 0 };
	gboolean has = TRUE;

	(void)data;
	g_assert_true(store_suppression_has(
	    f->store, "pat@people.example", &has, &error));
	g_assert_no_error(error);
	g_assert_false(has);
	other = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_true(store_person_forget(
	    other, "pat@people.example", TRUE, &fg, &error));
	g_assert_no_error(error);
	g_assert_true(store_suppression_has(
	    f->store, "Pat@People.example", &has, &error));
	g_assert_true(has); /* the salt appeared: read, and now kept */
	g_assert_true(store_suppression_has(
	    f->store, "sam@people.example", &has, &error));
	g_assert_false(has);
	raw_exec(f->path, "UPDATE settings SET value = 'changed'"
			  " WHERE name = 'forget_salt'");
	g_assert_true(store_suppression_has(
	    f->store, "pat@people.example", &has, &error));
	g_assert_true(has); /* the kept salt */
	fresh = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	g_assert_true(
	    store_suppression_has(fresh, "pat@people.example", &has, &error));
	g_assert_no_error(error);
	g_assert_false(has); /* read afresh: the hash no longer matches */
}

/* test_outbox_add - mail tied to no share; list and get */
static void
test_outbox_add(Fixture *f, gconstpointer data)
{
	g_autoptr(OutboxItem) item =
	    make_item("digest", "Subject: d\r\n\r\nx", 0);
	g_autoptr(OutboxItem) bad = make_item("notice", "N", 0);
	g_autoptr(OutboxItem) got = NULL;
	g_autoptr(OutboxItem) missing = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;

	(void)data;
	g_assert_true(store_outbox_add(f->store, item, &error));
	g_assert_no_error(error);
	g_assert_cmpint(item->id, >, 0);
	g_assert_cmpint(item->share_id, ==, 0);
	list = store_outbox_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_null(((OutboxItem *)list->pdata[0])->message);
	g_assert_cmpuint(((OutboxItem *)list->pdata[0])->rcpts->len, ==, 2);
	g_assert_cmpstr(((OutboxItem *)list->pdata[0])->status, ==, "queued");
	got = store_outbox_get(f->store, item->id, &error);
	g_assert_no_error(error);
	g_assert_nonnull(got);
	g_assert_cmpmem(g_bytes_get_data(got->message, NULL),
	    g_bytes_get_size(got->message), "Subject: d\r\n\r\nx", 15);
	missing = store_outbox_get(f->store, item->id + 1, &error);
	g_assert_no_error(error);
	g_assert_null(missing);

	g_ptr_array_add(bad->rcpts, g_strdup("evil@example.com\r\nRCPT TO:x"));
	g_assert_false(store_outbox_add(f->store, bad, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_cmpint(bad->id, ==, 0);
}

/* webhook_item - a webhook row for the [webhook] named name */
static OutboxItem *
webhook_item(const char *name)
{
	OutboxItem *item = outbox_item_new();

	item->kind = g_strdup("webhook");
	item->mail_from = g_strdup("");
	g_ptr_array_add(item->rcpts, g_strdup(name));
	item->subject = g_strdup("share.recorded");
	item->message = g_bytes_new_static("{}", 2);
	return item;
}

/* hook_webhook - a StoreShareHook: one webhook row naming the share id
 * in its subject; data counts the calls */
static GPtrArray *
hook_webhook(const Share *share, gint64 now, gpointer data)
{
	GPtrArray *out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	OutboxItem *item = webhook_item(share->id > 0 ? "crm" : "NO ID");

	(*(guint *)data)++;
	g_assert_cmpint(now, >, 0);
	g_free(item->subject);
	item->subject = g_strdup_printf("share %" G_GINT64_FORMAT, share->id);
	g_ptr_array_add(out, item);
	return out;
}

/* hook_bad - a StoreShareHook whose row the store refuses */
static GPtrArray *
hook_bad(const Share *share, gint64 now, gpointer data)
{
	GPtrArray *out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);

	(void)share;
	(void)now;
	(void)data;
	g_ptr_array_add(out, webhook_item("Bad Name"));
	return out;
}

/* test_outbox_webhook - a webhook row's recipient is a [webhook] NAME
 * (never an address) and its envelope sender may be empty; a hook
 * queues rows with a new share in its transaction, naming its id */
static void
test_outbox_webhook(Fixture *f, gconstpointer data)
{
	g_autoptr(OutboxItem) ok = webhook_item("crm.hooks_2-x");
	g_autoptr(OutboxItem) upper = webhook_item("CRM");
	g_autoptr(OutboxItem) addr = webhook_item("crm@example.org");
	g_autoptr(OutboxItem) two = webhook_item("crm");
	g_autoptr(OutboxItem) mail = make_item("notice", "N", 0);
	g_autoptr(Share) s = make_share("<wh1@example.org>");
	g_autoptr(Share) again = make_share("<wh1@example.org>");
	g_autoptr(Share) bad = make_share("<wh2@example.org>");
	g_autoptr(GPtrArray) shares = g_ptr_array_new();
	g_autoptr(GPtrArray) lists = g_ptr_array_new();
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *subject = NULL;
	gboolean created = FALSE;
	guint calls = 0;

	(void)data;
	g_assert_true(store_outbox_add(f->store, ok, &error));
	g_assert_no_error(error);
	g_assert_false(store_outbox_add(f->store, upper, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(store_outbox_add(f->store, addr, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_ptr_array_add(two->rcpts, g_strdup("audit"));
	g_assert_false(store_outbox_add(f->store, two, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* mail still needs addresses */
	g_ptr_array_set_size(mail->rcpts, 0);
	g_ptr_array_add(mail->rcpts, g_strdup("crm"));
	g_assert_false(store_outbox_add(f->store, mail, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);

	g_ptr_array_add(shares, s);
	g_ptr_array_add(lists, NULL);
	g_assert_true(store_shares_record_with(
	    f->store, shares, lists, hook_webhook, &calls, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	g_assert_cmpuint(calls, ==, 1);
	list = store_outbox_list(f->store, &error);
	g_assert_cmpuint(list->len, ==, 2);
	subject = g_strdup_printf("share %" G_GINT64_FORMAT, s->id);
	g_assert_cmpstr(((OutboxItem *)list->pdata[1])->subject, ==, subject);
	g_assert_cmpint(((OutboxItem *)list->pdata[1])->share_id, ==, s->id);
	g_assert_cmpstr(((OutboxItem *)list->pdata[1])->kind, ==, "webhook");
	/* an MTA retry of the same share: no second event */
	shares->pdata[0] = again;
	g_assert_true(store_shares_record_with(
	    f->store, shares, lists, hook_webhook, &calls, &created, &error));
	g_assert_false(created);
	g_assert_cmpuint(calls, ==, 1);
	/* a row the store refuses takes its share with it */
	shares->pdata[0] = bad;
	g_assert_false(store_shares_record_with(
	    f->store, shares, lists, hook_bad, NULL, &created, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_cmpint(bad->id, ==, 0);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = store_share_list(f->store, NULL);
	g_assert_cmpuint(list->len, ==, 1);
}

/* stat_of - a count from one of the stats tables */
static gint
stat_of(GHashTable *t, const char *status)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(t, status));
}

/* test_stats - counts by status */
static void
test_stats(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(StoreStats) empty = NULL;
	g_autoptr(StoreStats) st = NULL;
	g_autoptr(GPtrArray) got = NULL;

	(void)data;
	empty = store_stats(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpint(empty->members, ==, 0);
	g_assert_cmpuint(g_hash_table_size(empty->shares_by_status), ==, 0);
	add_member(f->store, "a@example.net", "a");
	add_member(f->store, "b@example.net", "b");
	record_one(f->store, "<t1@example.org>", 1);
	record_one(f->store, "<t2@example.org>", 1000);
	got = claim(f->store, 1, 2);
	g_assert_true(store_outbox_mark_sent(
	    f->store, ((OutboxItem *)got->pdata[0])->id, 2, &error));
	st = store_stats(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpint(st->members, ==, 2);
	g_assert_cmpint(stat_of(st->shares_by_status, "introduced"), ==, 1);
	g_assert_cmpint(stat_of(st->shares_by_status, "queued"), ==, 1);
	g_assert_cmpint(stat_of(st->outbox_by_status, "sent"), ==, 1);
	g_assert_cmpint(stat_of(st->outbox_by_status, "sending"), ==, 1);
	g_assert_cmpint(stat_of(st->outbox_by_status, "queued"), ==, 2);
}

typedef struct {
	Store *store;
	int n;
} Writer;

/* writer - record shares from one thread */
static gpointer
writer(gpointer data)
{
	Writer *w = data;

	for (int i = 0; i < 20; i++) {
		g_autofree char *key = g_strdup_printf("<w%d-%d>", w->n, i);

		record_one(w->store, key, 1);
	}
	return NULL;
}

/* test_threads - threads share one Store; a second Store writes too */
static void
test_threads(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) second = store_open(f->path, 10000, &error);
	Writer w[4];
	GThread *t[4];

	(void)data;
	g_assert_no_error(error);
	for (int i = 0; i < 4; i++) {
		w[i].store = i == 3 ? second : f->store;
		w[i].n = i;
		t[i] = g_thread_new("writer", writer, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 80);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox"), ==, 160);
}

/* mixed - what a milter worker does: look up, count, check, record */
static gpointer
mixed(gpointer data)
{
	Writer *w = data;

	for (int i = 0; i < 300; i++) {
		g_autofree char *key = g_strdup_printf("<m%d-%d>", w->n, i);
		g_autoptr(GError) error = NULL;
		g_autoptr(Member) m =
		    store_member_by_handle(w->store, "jane", &error);
		g_autoptr(GPtrArray) all = NULL;
		gint64 n = -1;
		gboolean exists = TRUE;

		g_assert_no_error(error);
		g_assert_nonnull(m);
		g_assert_true(store_share_count_by_sharer(
		    w->store, "chris@members.example", 0, &n, &error));
		g_assert_no_error(error);
		g_assert_true(
		    store_share_exists(w->store, "chris@members.example",
			"jane@friends.example", key, &exists, &error));
		g_assert_no_error(error);
		g_assert_false(exists);
		record_one(w->store, key, 1);
		if (i % 50 == 0) {
			all = store_member_list(w->store, &error);
			g_assert_no_error(error);
			g_clear_pointer(&all, g_ptr_array_unref);
			all = store_share_list(w->store, &error);
			g_assert_no_error(error);
		}
	}
	return NULL;
}

/* test_threads_mixed - reads and writes from threads on ONE Store: every
 * statement, its finalization included, runs under the store's lock */
static void
test_threads_mixed(Fixture *f, gconstpointer data)
{
	Writer w[4];
	GThread *t[4];

	(void)data;
	add_member(f->store, "jane@friends.example", "jane");
	for (int i = 0; i < 4; i++) {
		w[i].store = f->store;
		w[i].n = i;
		t[i] = g_thread_new("mixed", mixed, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 1200);
	if (pg_admin == NULL)
		g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM "
						 "pragma_integrity_check WHERE "
						 "integrity_check = 'ok'"),
		    ==, 1);
}

/* a share recorded on a thread of its own, for the group commit */
typedef struct {
	Store *store;
	int n;
	gboolean bad; /* its mail is invalid: it must fail, alone */
	gboolean ok, created;
	GError *error;
} GroupCall;

static gpointer
group_call(gpointer data)
{
	GroupCall *c = data;
	g_autofree char *origin = g_strdup_printf("<g%d@example.org>", c->n);
	g_autoptr(Share) s = make_share(origin);
	g_autoptr(GPtrArray) items =
	    items_new(make_item("intro", c->bad ? NULL : "I", 0), NULL);

	c->ok = store_share_record(c->store, s, items, &c->created, &c->error);
	return NULL;
}

/* queued_behind - whether n calls wait behind one committing (bounded:
 * 10 s) */
static gboolean
queued_behind(Store *store, guint n)
{
	for (int i = 0; i < 10000; i++) {
		gboolean there;

		g_mutex_lock(&store->group.lock);
		there =
		    store->group.leading && store->group.waiting.length == n;
		g_mutex_unlock(&store->group.lock);
		if (there)
			return TRUE;
		g_usleep(1000);
	}
	return FALSE;
}

/* test_share_group - SQLite: shares that arrive while one commits wait
 * and are committed together, each told its own outcome; one share
 * that fails in the group fails alone, its neighbours are recorded */
static void
test_share_group(Fixture *f, gconstpointer data)
{
	GroupCall c[5];
	GThread *t[5];
	sqlite3 *other = raw_open(f->path);

	(void)data;
	/* another process holds the write lock: the first call waits on
	 * it while committing, the next four queue behind it */
	g_assert_cmpint(
	    sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==,
	    SQLITE_OK);
	for (int i = 0; i < 5; i++) {
		c[i] = (GroupCall){ f->store, i, i == 3, FALSE, FALSE, NULL };
		t[i] = g_thread_new("group", group_call, &c[i]);
		if (i == 0)
			g_assert_true(queued_behind(f->store, 0));
	}
	g_assert_true(queued_behind(f->store, 4));
	g_assert_cmpint(
	    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(other);
	for (int i = 0; i < 5; i++)
		g_thread_join(t[i]);
	for (int i = 0; i < 5; i++) {
		if (i == 3) {
			g_assert_false(c[i].ok);
			g_assert_false(c[i].created);
			g_assert_error(
			    c[i].error, STORE_ERROR, STORE_ERROR_INVALID);
		} else {
			g_assert_no_error(c[i].error);
			g_assert_true(c[i].ok && c[i].created);
		}
		g_clear_error(&c[i].error);
	}
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 4);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"), ==, 4);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares WHERE"
					 " origin_key = '<g3@example.org>'"),
	    ==, 0);
}

/* an answer given on a thread of its own, for the group commit */
typedef struct {
	Store *store;
	gint64 id;
	gboolean bad; /* its mail is invalid: it must fail, alone */
	gboolean ok, changed;
	GError *error;
} AnswerCall;

static gpointer
answer_call(gpointer data)
{
	AnswerCall *c = data;
	g_autoptr(GPtrArray) items =
	    items_new(make_item("intro", c->bad ? NULL : "I", 0), NULL);

	c->ok = store_share_answer(c->store, c->id, "accepted", "yes", NULL,
	    2000, items, &c->changed, &c->error);
	return NULL;
}

/* test_answer_group - SQLite: answers that arrive while a share
 * commits wait and commit together, each with its own outcome; the
 * same share answered twice in one group changes once; a bad one fails
 * alone */
static void
test_answer_group(Fixture *f, gconstpointer data)
{
	gint64 a = ask_share(f->store, "<ga@example.org>", "tokena");
	gint64 b = ask_share(f->store, "<gb@example.org>", "tokenb");
	gint64 c = ask_share(f->store, "<gc@example.org>", "tokenc");
	AnswerCall ans[4] = { { f->store, a, FALSE, FALSE, FALSE, NULL },
		{ f->store, b, TRUE, FALSE, FALSE, NULL },
		{ f->store, c, FALSE, FALSE, FALSE, NULL },
		{ f->store, a, FALSE, FALSE, FALSE, NULL } };
	GroupCall first = { f->store, 100, FALSE, FALSE, FALSE, NULL };
	GThread *lead, *t[4];
	sqlite3 *other = raw_open(f->path);

	(void)data;
	g_assert_cmpint(
	    sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==,
	    SQLITE_OK);
	lead = g_thread_new("lead", group_call, &first);
	g_assert_true(queued_behind(f->store, 0));
	for (int i = 0; i < 4; i++) {
		t[i] = g_thread_new("answer", answer_call, &ans[i]);
		g_assert_true(queued_behind(f->store, (guint)i + 1));
	}
	g_assert_cmpint(
	    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(other);
	g_thread_join(lead);
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	g_assert_no_error(first.error);
	g_assert_true(first.ok && first.created);
	g_assert_no_error(ans[0].error);
	g_assert_true(ans[0].ok && ans[0].changed);
	g_assert_error(ans[1].error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_false(ans[1].ok || ans[1].changed);
	g_assert_no_error(ans[2].error);
	g_assert_true(ans[2].ok && ans[2].changed);
	g_assert_no_error(ans[3].error); /* after a's yes: nothing to do */
	g_assert_true(ans[3].ok);
	g_assert_false(ans[3].changed);
	for (int i = 0; i < 4; i++)
		g_clear_error(&ans[i].error);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares WHERE"
					 " status = 'accepted'"),
	    ==, 2);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares WHERE"
					 " status = 'asked'"),
	    ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox WHERE"
					 " kind = 'intro'"),
	    ==, 3); /* two intros, and the leader's share's */
}

/* --- store copy --------------------------------------------------------- */

/* the tables store_copy() knows, in the order it copies them */
static const char *const copy_tables[] = { "members", "shares", "outbox",
	"outbox_rcpts", "suppression", "settings", "digests", "share_credits" };

/* raw_exec - run sql (several statements) on path: an SQLite file
 * (a source, or the fixture's on SQLite) or the fixture's schema */
static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	if (pg_admin != NULL && !g_str_has_suffix(path, ".db")) {
		pg_run(path, sql);
		return;
	}
	db = raw_open(path);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* sqlite_count - rows of table in the SQLite file path */
static gint64
sqlite_count(const char *path, const char *table)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT COUNT(*) FROM %s", table);
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st = NULL;
	gint64 v;

	g_assert_cmpint(
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* target_rows - the rows of every table in the fixture's store */
static gint64
target_rows(Fixture *f)
{
	gint64 n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(copy_tables); i++) {
		g_autofree char *sql =
		    g_strdup_printf("SELECT COUNT(*) FROM %s", copy_tables[i]);

		n += raw_int(f->path, sql);
	}
	return n;
}

/* sqlite_dump - every row of every table of an SQLite file, every
 * value with its type (NULL, integer, text, blob in hex) */
static char *
sqlite_dump(const char *path)
{
	GString *out = g_string_new(NULL);
	sqlite3 *db = raw_open(path);

	for (size_t i = 0; i < G_N_ELEMENTS(copy_tables); i++) {
		g_autofree char *sql = g_strdup_printf(
		    "SELECT * FROM %s ORDER BY 1, 2", copy_tables[i]);
		sqlite3_stmt *st = NULL;

		g_assert_cmpint(
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
		g_string_append_printf(out, "[%s]\n", copy_tables[i]);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const guchar *b = sqlite3_column_blob(st, c);
				int n = sqlite3_column_bytes(st, c);

				switch (sqlite3_column_type(st, c)) {
				case SQLITE_NULL:
					g_string_append(out, "NULL");
					break;
				case SQLITE_INTEGER:
					g_string_append_printf(out, "i:%lld",
					    sqlite3_column_int64(st, c));
					break;
				case SQLITE_BLOB:
					g_string_append(out, "b:");
					for (int k = 0; k < n; k++)
						g_string_append_printf(
						    out, "%02x", b[k]);
					break;
				default:
					g_string_append_printf(out, "t:%s",
					    sqlite3_column_text(st, c));
					break;
				}
				g_string_append_c(out, '|');
			}
			g_string_append_c(out, '\n');
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return g_string_free(out, FALSE);
}

/* Source - an SQLite store in a folder of its own */
typedef struct {
	char *dir;
	char *path;
	Store *store;
} Source;

/* source_new - an empty SQLite store at DIR/NAME */
static Source *
source_new(const char *name)
{
	g_autoptr(GError) error = NULL;
	Source *s = g_new0(Source, 1);

	s->dir = g_dir_make_tmp("test_store_copy-XXXXXX", &error);
	g_assert_no_error(error);
	s->path = g_build_filename(s->dir, name, NULL);
	s->store = store_open(s->path, 5000, &error);
	g_assert_no_error(error);
	return s;
}

/* source_free - close and remove a Source */
static void
source_free(Source *s)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };

	store_close(s->store);
	for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
		g_autofree char *p = g_strconcat(s->path, suffix[i], NULL);

		(void)g_unlink(p);
	}
	g_assert_cmpint(g_rmdir(s->dir), ==, 0);
	g_free(s->path);
	g_free(s->dir);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Source, source_free)

/* the message of the item tied to no share: NUL, 0xff and 0xfe bytes */
static const char copy_blob[] = "Subject: x\r\n\r\n\0bin\xff\xfe\x80\0end";

/* populate - rows in every table, with NULLs and values in every
 * nullable column and gaps in the ids; the binary item's id in *bin */
static void
populate(Source *s, gint64 *bin)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) got = NULL;
	g_autoptr(GPtrArray) notices =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	g_autoptr(GPtrArray) suppress =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_free);
	g_autoptr(OutboxItem) raw = make_item("notice", NULL, 0);
	g_autoptr(Member) m = member_new();
	OutboxRcpt *r = outbox_rcpt_new("asker@example.org");
	OutboxOutcome o = { 0 };
	OutboxItem *intro;

	m->address = g_strdup("jane@example.net");
	m->name = g_strdup("Jane Doe");
	m->handle = g_strdup("jane");
	m->capabilities = g_strdup("speaking, hiring");
	g_assert_true(store_member_add(s->store, m, NULL, &error));
	g_assert_no_error(error);
	add_member(s->store, "gone@example.net", NULL);
	g_clear_pointer(&m, member_free);
	m = member_new(); /* no name, handle, capabilities: NULLs */
	m->address = g_strdup("bob@example.net");
	g_assert_true(store_member_add(s->store, m, NULL, &error));
	g_assert_no_error(error);
	raw_exec(s->path, "DELETE FROM members WHERE id = 2");
	(void)record_one(s->store, "<c1@example.org>", 100);
	(void)record_one(s->store, "<c2@example.org>", 200);
	/* the first intro sent, one recipient refused and suppressed, a
	 * notice queued; the second claimed and still sending */
	got = store_outbox_claim(s->store, 100, 60, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(got->len, ==, 1);
	intro = got->pdata[0];
	set_state(intro, 0, "sent", 250, "250 2.0.0 queued");
	set_state(intro, 1, "failed", 550, "550 5.1.1 no such user");
	g_ptr_array_add(notices, make_item("notice", "N\xe9", 0));
	r->code = 550;
	r->text = g_strdup("550 5.1.1 no such user");
	g_ptr_array_add(suppress, r);
	o = (OutboxOutcome){ .status = "sent",
		.now = 130,
		.last_error = "550 5.1.1 no such user",
		.notices = notices,
		.suppress = suppress };
	g_assert_true(store_outbox_record(s->store, intro, &o, &error));
	g_assert_no_error(error);
	g_clear_pointer(&got, g_ptr_array_unref);
	got = store_outbox_claim(s->store, 200, 60, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(got->len, ==, 1);
	/* the binary item, subject NULL, moved on to leave a gap in the
	 * ids (SQLite would reuse a deleted largest id) */
	raw->message = g_bytes_new(copy_blob, sizeof copy_blob - 1);
	g_clear_pointer(&raw->subject, g_free);
	g_assert_true(store_outbox_add(s->store, raw, &error));
	g_assert_no_error(error);
	raw_exec(s->path, "UPDATE outbox_rcpts SET outbox_id = outbox_id + 10"
			  " WHERE outbox_id = (SELECT MAX(id) FROM outbox);"
			  "UPDATE outbox SET id = id + 10"
			  " WHERE id = (SELECT MAX(id) FROM outbox)");
	*bin = raw->id + 10;
	/* a suppression with no code, reason or item */
	g_assert_true(store_suppression_add(
	    s->store, "bounced@example.com", 0, NULL, 0, &error));
	g_assert_no_error(error);
	raw_exec(s->path, "UPDATE suppression SET code = NULL"
			  " WHERE address = 'bounced@example.com'");
}

/* test_copy_round_trip - SQLite to the engine under test and back to
 * SQLite: every value of every row the same, ids kept, the blob byte
 * for byte, and the target hands out the next ids after the copy */
static void
test_copy_round_trip(Fixture *f, gconstpointer data)
{
	g_autoptr(Source) a = source_new("a.db");
	g_autoptr(Source) b = source_new("b.db");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) was = NULL;
	g_autoptr(GPtrArray) now = NULL;
	g_autoptr(OutboxItem) item = NULL;
	g_autoptr(Member) m = NULL;
	g_autofree char *dump_a = NULL;
	g_autofree char *dump_b = NULL;
	StoreCopyStats st = { 0 };
	gint64 bin = 0, id = 0;

	(void)data;
	populate(a, &bin);
	g_assert_true(store_copy(a->store, f->store, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpint(st.members, ==, 2);
	g_assert_cmpint(st.shares, ==, 2);
	g_assert_cmpint(st.outbox, ==, 6); /* 2 x (intro, confirmation),
					      notice, binary */
	g_assert_cmpint(st.outbox_rcpts, ==, 12);
	g_assert_cmpint(st.suppression, ==, 2);
	g_assert_cmpint(target_rows(f), ==, 24);
	/* ids kept, gaps included */
	was = store_member_list(a->store, &error);
	now = store_member_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(now->len, ==, 2);
	for (guint i = 0; i < was->len; i++) {
		Member *x = was->pdata[i], *y = now->pdata[i];

		g_assert_cmpint(x->id, ==, y->id);
		g_assert_cmpstr(x->address, ==, y->address);
		g_assert_cmpstr(x->name, ==, y->name);
		g_assert_cmpstr(x->handle, ==, y->handle);
		g_assert_cmpstr(x->capabilities, ==, y->capabilities);
		g_assert_cmpint(x->created_at, ==, y->created_at);
	}
	g_assert_cmpint(((Member *)now->pdata[1])->id, ==, 3);
	g_assert_null(((Member *)now->pdata[1])->name);
	item = store_outbox_get(f->store, bin, &error);
	g_assert_no_error(error);
	g_assert_nonnull(item);
	g_assert_null(item->subject);
	g_assert_cmpmem(g_bytes_get_data(item->message, NULL),
	    g_bytes_get_size(item->message), copy_blob, sizeof copy_blob - 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox WHERE"
			     " share_id IS NULL AND subject IS NULL"),
	    ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM suppression"
			     " WHERE code IS NULL AND reason IS NULL"
			     " AND outbox_id IS NULL"),
	    ==, 1);
	/* back to SQLite: the same rows, value for value */
	g_assert_true(store_copy(f->store, b->store, NULL, &error));
	g_assert_no_error(error);
	dump_a = sqlite_dump(a->path);
	dump_b = sqlite_dump(b->path);
	g_assert_nonnull(
	    strstr(dump_a, "b:5375626a6563743a20780d0a0d0a0062696eff"
			   "fe8000656e64|"));
	g_assert_nonnull(strstr(dump_a, "NULL|"));
	g_assert_cmpstr(dump_a, ==, dump_b);
	/* the identities go on after the copied ids */
	m = member_new();
	m->address = g_strdup("new@example.net");
	g_assert_true(store_member_add(f->store, m, &id, &error));
	g_assert_no_error(error);
	g_assert_cmpint(id, ==, 4);
	g_assert_cmpint(record_one(f->store, "<c3@example.org>", 300), ==, 3);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT MIN(id) FROM outbox WHERE share_id = 3"),
	    ==, bin + 1);
}

/* test_copy_refuse - a target with any row anywhere is refused and
 * left as it was */
static void
test_copy_refuse(Fixture *f, gconstpointer data)
{
	g_autoptr(Source) a = source_new("a.db");
	g_autoptr(GError) error = NULL;
	StoreCopyStats st = { .members = -1 };
	gint64 bin = 0;

	(void)data;
	populate(a, &bin);
	g_assert_true(store_suppression_add(
	    f->store, "only@example.com", 550, "gone", 0, &error));
	g_assert_no_error(error);
	g_assert_false(store_copy(a->store, f->store, &st, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "not empty (suppression: 1)"));
	g_assert_cmpint(st.members, ==, -1); /* untouched on failure */
	g_assert_cmpint(target_rows(f), ==, 1);
	g_clear_error(&error);
	add_member(f->store, "other@example.net", "other");
	g_assert_false(store_copy(a->store, f->store, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "members: 1, suppression: 1"));
	g_assert_cmpint(target_rows(f), ==, 2);
	g_assert_cmpint(
	    sqlite_count(a->path, "outbox"), ==, 6); /* source too */
}

/* test_copy_twice - a second copy into the same target is refused */
static void
test_copy_twice(Fixture *f, gconstpointer data)
{
	g_autoptr(Source) a = source_new("a.db");
	g_autoptr(GError) error = NULL;
	gint64 bin = 0;

	(void)data;
	populate(a, &bin);
	g_assert_true(store_copy(a->store, f->store, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(target_rows(f), ==, 24);
	g_assert_false(store_copy(a->store, f->store, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "members: 2, shares: 2, "
						"outbox: 6, outbox_rcpts: 12, "
						"suppression: 2"));
	g_assert_cmpint(target_rows(f), ==, 24);
}

/* test_copy_counts - a target that grows behind the copy's back (a
 * trigger adds a row) fails the count check and keeps nothing */
static void
test_copy_counts(Fixture *f, gconstpointer data)
{
	g_autoptr(Source) a = source_new("a.db");
	g_autoptr(GError) error = NULL;
	gint64 bin = 0;

	(void)data;
	populate(a, &bin);
	if (pg_admin != NULL)
		raw_exec(f->path,
		    "CREATE FUNCTION extra() RETURNS trigger LANGUAGE plpgsql"
		    " AS $$BEGIN INSERT INTO suppression (address, created_at)"
		    " VALUES ('extra' || NEW.id || '@example.com', 0);"
		    " RETURN NEW; END$$;"
		    "CREATE TRIGGER extra AFTER INSERT ON members FOR EACH ROW"
		    " EXECUTE FUNCTION extra()");
	else
		raw_exec(f->path,
		    "CREATE TRIGGER extra AFTER INSERT ON members BEGIN"
		    " INSERT INTO suppression (address, created_at)"
		    " VALUES ('extra' || NEW.id || '@example.com', 0); END");
	g_assert_false(store_copy(a->store, f->store, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message,
	    "suppression: 2 rows in the source, 2 copied, 4 in the target"));
	g_assert_cmpint(target_rows(f), ==, 0); /* all or nothing */
}

/* test_copy_every_table - the tables and columns store_copy() copies
 * are all there are: a new one fails here until store_copy.c and its
 * statements learn it */
static void
test_copy_every_table(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *table;
		gint64 columns;
	} known[] = { { "members", 13 }, { "shares", 27 }, { "outbox", 16 },
		{ "outbox_rcpts", 7 }, { "suppression", 5 }, { "settings", 2 },
		{ "digests", 4 }, { "share_credits", 3 } };

	(void)data;
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM sqlite_master"
					 " WHERE type = 'table'"),
	    ==, G_N_ELEMENTS(known));
	for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
		g_autofree char *sql = g_strdup_printf(
		    "SELECT COUNT(*) FROM pragma_table_info('%s')",
		    known[i].table);

		g_assert_cmpint(raw_int(f->path, sql), ==, known[i].columns);
	}
}

/* ask_share - a share in mode ask, token tok, asked at 1000, expiring
 * at 1000 + 7 days, recorded with an unrendered consent row */
static gint64
ask_share(Store *store, const char *origin, const char *tok)
{
	g_autoptr(Share) s = make_share(origin);
	OutboxItem *consent = make_item("consent", NULL, 1000);
	g_autoptr(GPtrArray) items = items_new(consent, NULL);
	g_autoptr(GError) error = NULL;
	gboolean created = FALSE;

	consent->template = g_strdup("consent");
	/* one open request per requester and friend: a requester each */
	g_free(s->requester);
	s->requester = g_strdup_printf("asker-%s@example.org", tok);
	s->mode = g_strdup("ask");
	s->status = g_strdup("asked");
	s->token = g_strdup(tok);
	s->asked_at = 1000;
	s->expires_at = 1000 + 7 * 86400;
	s->request_text = g_strdup("We need a speaker for March.");
	s->member_name = g_strdup("Chris Member");
	g_assert_true(store_share_record(store, s, items, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	return s->id;
}

/* one_item - a one-item list of a rendered-later row for the friend */
static GPtrArray *
one_item(const char *kind, const char *template)
{
	OutboxItem *item = make_item(kind, NULL, 0);

	item->template = g_strdup(template);
	return items_new(item, NULL);
}

/* test_flow_answer - a share is answered once: the facts and the token
 * read back, the answer moves it from asked, a second answer changes
 * nothing and queues nothing */
static void
test_flow_answer(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autoptr(Share) none = NULL;
	g_autoptr(GPtrArray) intro = one_item("intro", "intro");
	g_autoptr(GPtrArray) again = one_item("intro", "intro");
	gint64 id = ask_share(f->store, "<a1@example.org>", "tok1");
	gboolean changed = FALSE;

	(void)data;
	s = store_share_by_token(f->store, "tok1", &error);
	g_assert_no_error(error);
	g_assert_nonnull(s);
	g_assert_cmpint(s->id, ==, id);
	g_assert_cmpstr(s->status, ==, "asked");
	g_assert_cmpstr(s->mode, ==, "ask");
	g_assert_cmpstr(s->request_text, ==, "We need a speaker for March.");
	g_assert_cmpstr(s->member_name, ==, "Chris Member");
	g_assert_cmpint(s->expires_at, ==, 1000 + 7 * 86400);
	none = store_share_by_token(f->store, "nope", &error);
	g_assert_no_error(error);
	g_assert_null(none);
	g_assert_true(store_share_answer(f->store, id, "accepted", "yes", NULL,
	    2000, intro, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(changed);
	g_assert_cmpint(((OutboxItem *)intro->pdata[0])->id, >, 0);
	g_assert_true(store_share_answer(f->store, id, "declined", "no", "busy",
	    2001, again, &changed, &error));
	g_assert_no_error(error);
	g_assert_false(changed);
	g_assert_cmpint(((OutboxItem *)again->pdata[0])->id, ==, 0);
	g_clear_pointer(&s, share_free);
	s = store_share_get(f->store, id, &error);
	g_assert_cmpstr(s->status, ==, "accepted");
	g_assert_cmpstr(s->answer, ==, "yes");
	g_assert_cmpint(s->answered_at, ==, 2000);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'intro'"),
	    ==, 1);
}

/* test_flow_replies - automatic replies to the friend stop at max */
static void
test_flow_replies(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 id = ask_share(f->store, "<a2@example.org>", "tok2");
	int sent = 0;

	(void)data;
	for (int i = 0; i < 5; i++) {
		g_autoptr(GPtrArray) r = one_item("consent", "unclear");
		gboolean allowed = FALSE;

		g_assert_true(store_share_reply_once(
		    f->store, id, 2, r, 3000, &allowed, &error));
		g_assert_no_error(error);
		sent += allowed;
	}
	g_assert_cmpint(sent, ==, 2);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'unclear'"),
	    ==, 2);
}

/* A host racing another to send the "already answered" note. */
typedef struct {
	Store *store;
	gint64 id;
	gint *go; /* both start when it turns 1 */
	gboolean allowed;
} NoteRace;

/* note_race - one host: the note, once the other host is ready too */
static gpointer
note_race(gpointer data)
{
	NoteRace *r = data;
	g_autoptr(GPtrArray) items = one_item("consent", "answered");
	g_autoptr(GError) error = NULL;

	while (!g_atomic_int_get(r->go))
		g_thread_yield();
	g_assert_true(store_share_answered_once(
	    r->store, r->id, items, 4000, &r->allowed, &error));
	g_assert_no_error(error);
	return NULL;
}

/* test_flow_noted - "already answered" goes once per decided share: not
 * while it is asked, not a second time, and once when two hosts (two
 * Stores, two connections) race for it; the "how to answer" replies
 * end with the decision */
static void
test_flow_noted(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) intro = one_item("intro", "intro");
	gint64 id = ask_share(f->store, "<a3@example.org>", "tok3");
	gint64 id2 = ask_share(f->store, "<a4@example.org>", "tok4");
	gboolean allowed = TRUE, changed = FALSE;
	gint go = 0;
	NoteRace a = { NULL, id2, &go, FALSE }, b = { NULL, id2, &go, FALSE };
	GThread *ta, *tb;

	(void)data;
	{
		g_autoptr(GPtrArray) r = one_item("consent", "unclear");

		g_assert_true(store_share_reply_once(
		    f->store, id, 3, r, 3000, &allowed, &error));
		g_assert_true(allowed);
	}
	{
		g_autoptr(GPtrArray) r = one_item("consent", "answered");

		g_assert_true(store_share_answered_once(
		    f->store, id, r, 3000, &allowed, &error));
		g_assert_no_error(error);
		g_assert_false(allowed); /* still asked */
	}
	g_assert_true(store_share_answer(f->store, id, "accepted", "yes", NULL,
	    3100, intro, &changed, &error));
	g_assert_true(changed);
	for (int i = 0; i < 3; i++) {
		g_autoptr(GPtrArray) r = one_item("consent", "answered");
		g_autoptr(GPtrArray) u = one_item("consent", "unclear");
		gboolean u_allowed = TRUE;

		g_assert_true(store_share_answered_once(
		    f->store, id, r, 3200, &allowed, &error));
		g_assert_no_error(error);
		g_assert_true(allowed == (i == 0));
		g_assert_true(store_share_reply_once(
		    f->store, id, 3, u, 3200, &u_allowed, &error));
		g_assert_false(u_allowed); /* decided */
	}
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'answered'"),
	    ==, 1);
	/* two hosts at once */
	g_assert_true(store_share_answer(f->store, id2, "declined", "no", NULL,
	    3300, NULL, &changed, &error));
	g_assert_true(changed);
	a.store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	b.store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	ta = g_thread_new("host-a", note_race, &a);
	tb = g_thread_new("host-b", note_race, &b);
	g_atomic_int_set(&go, 1);
	g_thread_join(ta);
	g_thread_join(tb);
	store_close(a.store);
	store_close(b.store);
	g_assert_cmpint(a.allowed + b.allowed, ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'answered'"),
	    ==, 2);
}

/* merge_share - a share in mode ask by sharer of request origin to the
 * default friend and requester (their case changed by upper) */
static Share *
merge_share(const char *sharer, const char *origin, gboolean upper)
{
	Share *s = make_share(origin);

	g_free(s->sharer);
	s->sharer = g_strdup(sharer);
	if (upper) {
		g_free(s->recipient);
		s->recipient = g_strdup("Friend@EXAMPLE.com");
		g_free(s->requester);
		s->requester = g_strdup("ASKER@example.org");
	}
	s->mode = g_strdup("ask");
	s->status = g_strdup("asked");
	return s;
}

/* record_merge_with - record s with a consent item, or the merged item
 * when it is merged, hook adding its items; *created */
static void
record_merge_with(Store *store, Share *s, StoreShareHook hook, gpointer data,
    gboolean *created)
{
	g_autoptr(GPtrArray) shares = g_ptr_array_new();
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GPtrArray) merged =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) error = NULL;
	OutboxItem *consent = make_item("consent", NULL, 0);
	OutboxItem *credit = make_item("confirmation", NULL, 0);

	consent->template = g_strdup("consent");
	credit->template = g_strdup("merged");
	g_ptr_array_set_size(credit->rcpts, 0);
	g_ptr_array_add(credit->rcpts, g_strdup(s->sharer));
	g_ptr_array_add(shares, s);
	g_ptr_array_add(lists, items_new(consent, NULL));
	g_ptr_array_add(merged, items_new(credit, NULL));
	g_assert_true(store_shares_record_merge(
	    store, shares, lists, merged, hook, data, created, &error));
	g_assert_no_error(error);
}

/* record_merge - record_merge_with() without a hook */
static void
record_merge(Store *store, Share *s, gboolean *created)
{
	record_merge_with(store, s, NULL, NULL, created);
}

/* test_share_merge_hook - a merge is a share recorded too: the hook
 * (the webhooks' share.recorded) runs for it in its transaction, with
 * the open request's id and share->merged set; a retry runs nothing */
static void
test_share_merge_hook(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) a = merge_share("member@example.net", "<h1@x>", FALSE);
	g_autoptr(Share) b = merge_share("other@example.net", "<h2@x>", FALSE);
	g_autoptr(Share) b2 = merge_share("other@example.net", "<h2@x>", FALSE);
	g_autofree char *subject = NULL;
	gboolean created = FALSE;
	guint calls = 0;

	(void)data;
	record_merge_with(f->store, a, hook_webhook, &calls, &created);
	g_assert_cmpuint(calls, ==, 1);
	record_merge_with(f->store, b, hook_webhook, &calls, &created);
	g_assert_true(b->merged);
	g_assert_cmpuint(calls, ==, 2);
	record_merge_with(f->store, b2, hook_webhook, &calls, &created);
	g_assert_false(b2->merged);
	g_assert_cmpuint(calls, ==, 2);
	subject =
	    g_strdup_printf("SELECT COUNT(*) FROM outbox WHERE kind ="
			    " 'webhook' AND subject = 'share %" G_GINT64_FORMAT
			    "' AND share_id = %" G_GINT64_FORMAT,
		a->id, a->id);
	g_assert_cmpint(raw_int(f->path, subject), ==, 2);
}

/* credit_item - the "merged" line to member, queued on an answer */
static GPtrArray *
credit_item(const char *member)
{
	g_autoptr(GPtrArray) items = one_item("confirmation", "merged");
	OutboxItem *item = items->pdata[0];

	g_ptr_array_set_size(item->rcpts, 0);
	g_ptr_array_add(item->rcpts, g_strdup(member));
	return g_steal_pointer(&items);
}

/* test_flow_answer_once - the answer's mails render when sent: a
 * credited member whose "merged" note is still queued and unrendered
 * gets no second row from the yes (it would say the same thing twice);
 * once that note is claimed (it may have rendered before the answer),
 * the yes queues theirs */
static void
test_flow_answer_once(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) a = merge_share("member@example.net", "<o1@x>", FALSE);
	g_autoptr(Share) b = merge_share("other@example.net", "<o2@x>", FALSE);
	g_autoptr(Share) c = merge_share("member@example.net", "<o3@x>", FALSE);
	g_autoptr(Share) d = merge_share("other@example.net", "<o4@x>", FALSE);
	g_autoptr(GPtrArray) yes1 = credit_item("Other@Example.NET");
	g_autoptr(GPtrArray) yes2 = credit_item("other@example.net");
	g_autoptr(GPtrArray) claimed = NULL;
	g_autofree char *count1 = NULL;
	g_autofree char *count2 = NULL;
	gboolean created = FALSE, changed = FALSE;

	(void)data;
	record_merge(f->store, a, &created);
	record_merge(f->store, b, &created);
	g_assert_true(b->merged);
	g_assert_true(store_share_answer(f->store, a->id, "accepted", "yes",
	    NULL, 2000, yes1, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(changed);
	g_assert_cmpint(((OutboxItem *)yes1->pdata[0])->id, ==, 0);
	count1 = g_strdup_printf("SELECT COUNT(*) FROM outbox WHERE template"
				 " = 'merged' AND share_id = %" G_GINT64_FORMAT,
	    a->id);
	g_assert_cmpint(raw_int(f->path, count1), ==, 1);

	record_merge(f->store, c, &created);
	g_assert_true(created);
	record_merge(f->store, d, &created);
	g_assert_true(d->merged);
	claimed = store_outbox_claim_due(f->store, 4102444800, 100, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(claimed->len, >=, 2);
	g_assert_true(store_share_answer(f->store, c->id, "accepted", "yes",
	    NULL, 3000, yes2, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(changed);
	g_assert_cmpint(((OutboxItem *)yes2->pdata[0])->id, >, 0);
	count2 = g_strdup_printf("SELECT COUNT(*) FROM outbox WHERE template"
				 " = 'merged' AND share_id = %" G_GINT64_FORMAT,
	    c->id);
	g_assert_cmpint(raw_int(f->path, count2), ==, 2);
}

/* test_share_merge - one open request per requester and friend: another
 * member's share of it is merged (credited, its own row queued, no
 * second consent request), a retry of that and the first member's
 * second copy write nothing, and after the answer a new share opens a
 * new request */
static void
test_share_merge(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) a = merge_share("member@example.net", "<m1@x>", FALSE);
	g_autoptr(Share) b = merge_share("other@example.net", "<m2@x>", TRUE);
	g_autoptr(Share) b2 = merge_share("Other@example.net", "<m2@x>", TRUE);
	g_autoptr(Share) a2 = merge_share("member@example.net", "<m3@x>", TRUE);
	g_autoptr(Share) c = merge_share("other@example.net", "<m4@x>", FALSE);
	g_autoptr(Share) got = NULL;
	gboolean created = FALSE, changed = FALSE;

	(void)data;
	record_merge(f->store, a, &created);
	g_assert_true(created);
	g_assert_false(a->merged);
	record_merge(f->store, b, &created);
	g_assert_false(created);
	g_assert_true(b->merged);
	g_assert_cmpint(b->id, ==, a->id);
	record_merge(f->store, b2, &created); /* an MTA retry */
	g_assert_false(created);
	g_assert_false(b2->merged);
	g_assert_cmpint(b2->id, ==, a->id);
	record_merge(f->store, a2, &created); /* the same member again */
	g_assert_false(created);
	g_assert_false(a2->merged);
	g_assert_cmpint(a2->id, ==, a->id);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'consent'"),
	    ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'merged'"
					 " AND share_id = 1"),
	    ==, 1);
	got = store_share_get(f->store, a->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(got->credited->len, ==, 1);
	g_assert_cmpstr(got->credited->pdata[0], ==, "other@example.net");
	/* answered: the pair is free again */
	g_assert_true(store_share_answer(f->store, a->id, "declined", "no",
	    NULL, 2000, NULL, &changed, &error));
	g_assert_true(changed);
	record_merge(f->store, c, &created);
	g_assert_true(created);
	g_assert_cmpint(c->id, !=, a->id);
}

/* A host recording its member's share of the same request at once. */
typedef struct {
	Store *store;
	Share *share;
	gint *go;
	gboolean created;
} MergeRace;

/* merge_race - one host's share, once the other host is ready too */
static gpointer
merge_race(gpointer data)
{
	MergeRace *r = data;

	while (!g_atomic_int_get(r->go))
		g_thread_yield();
	record_merge(r->store, r->share, &r->created);
	return NULL;
}

/* test_share_merge_race - two hosts (two Stores) record two members'
 * shares of one request to one friend at once: one asks, the other is
 * merged into it, and the friend is asked once */
static void
test_share_merge_race(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) sa =
	    merge_share("member@example.net", "<r1@x>", FALSE);
	g_autoptr(Share) sb = merge_share("other@example.net", "<r2@x>", TRUE);
	gint go = 0;
	MergeRace a = { NULL, sa, &go, FALSE }, b = { NULL, sb, &go, FALSE };
	GThread *ta, *tb;

	(void)data;
	a.store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	b.store = store_open(f->path, 5000, &error);
	g_assert_no_error(error);
	ta = g_thread_new("host-a", merge_race, &a);
	tb = g_thread_new("host-b", merge_race, &b);
	g_atomic_int_set(&go, 1);
	g_thread_join(ta);
	g_thread_join(tb);
	store_close(a.store);
	store_close(b.store);
	g_assert_cmpint(a.created + b.created, ==, 1);
	g_assert_cmpint(sa->merged + sb->merged, ==, 1);
	g_assert_cmpint(sa->id, ==, sb->id);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template = 'consent'"),
	    ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM share_credits"), ==, 1);
}

/* tick_items - the row a tick queues: a reminder, or an expiry notice */
static GPtrArray *
tick_items(const Share *share, const char *event, gpointer data)
{
	int *calls = data;

	(*calls)++;
	g_assert_cmpstr(share->status, ==,
	    strcmp(event, "expired") == 0 ? "expired" : "asked");
	return one_item(
	    strcmp(event, "expired") == 0 ? "notice" : "consent", event);
}

/* test_flow_tick - one reminder after remind_after, one expiry after
 * expires_at; ticking again (another host, a cron run) does nothing */
static void
test_flow_tick(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	gint64 id = ask_share(f->store, "<a3@example.org>", "tok3");
	gint64 day = 86400;
	guint reminded = 9, expired = 9;
	int calls = 0;

	(void)data;
	g_assert_true(store_share_tick(f->store, 1000 + 2 * day, 3 * day, 10,
	    tick_items, &calls, &reminded, &expired, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(reminded + expired, ==, 0);
	for (int i = 0; i < 2; i++) {
		g_assert_true(
		    store_share_tick(f->store, 1000 + 3 * day, 3 * day, 10,
			tick_items, &calls, &reminded, &expired, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(reminded, ==, i == 0 ? 1 : 0);
		g_assert_cmpuint(expired, ==, 0);
	}
	for (int i = 0; i < 2; i++) {
		g_assert_true(
		    store_share_tick(f->store, 1000 + 7 * day, 3 * day, 10,
			tick_items, &calls, &reminded, &expired, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(expired, ==, i == 0 ? 1 : 0);
		g_assert_cmpuint(reminded, ==, 0);
	}
	g_assert_cmpint(calls, ==, 2);
	s = store_share_get(f->store, id, &error);
	g_assert_cmpstr(s->status, ==, "expired");
	g_assert_cmpint(s->reminded_at, ==, 1000 + 3 * day);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox"
					 " WHERE template IN ('reminder',"
					 " 'expired')"),
	    ==, 2);
}

/* test_flow_rendered - a row queued without a message is claimed, its
 * rendering stored under the claim; a stale claim stores nothing */
static void
test_flow_rendered(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) got = NULL;
	g_autoptr(OutboxItem) back = NULL;
	g_autoptr(GBytes) msg = g_bytes_new_static("Subject: x\r\n\r\nhi", 17);
	OutboxItem *item;

	(void)data;
	ask_share(f->store, "<a4@example.org>", "tok4");
	got = store_outbox_claim(f->store, 1000, 60, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(got->len, ==, 1);
	item = got->pdata[0];
	g_assert_cmpstr(item->template, ==, "consent");
	g_assert_cmpuint(g_bytes_get_size(item->message), ==, 0);
	g_assert_false(store_outbox_rendered(
	    f->store, item->id, item->claim + 1, msg, "x", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STALE);
	g_clear_error(&error);
	g_assert_true(store_outbox_rendered(
	    f->store, item->id, item->claim, msg, "x", &error));
	g_assert_no_error(error);
	back = store_outbox_get(f->store, item->id, &error);
	g_assert_cmpuint(g_bytes_get_size(back->message), ==, 17);
	g_assert_cmpstr(back->subject, ==, "x");
}

/* test_flow_member_set - consent mode and confirmations per member */
static void
test_flow_member_set(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) m = NULL;
	gboolean found = FALSE;

	(void)data;
	add_member(f->store, "jane@friends.example", "jane");
	g_assert_true(store_member_set(
	    f->store, "JANE@friends.example", "direct", 0, &found, &error));
	g_assert_no_error(error);
	g_assert_true(found);
	m = store_member_by_handle(f->store, "jane", &error);
	g_assert_cmpstr(m->consent, ==, "direct");
	g_assert_cmpint(m->confirm, ==, 0);
	g_assert_true(store_member_set(
	    f->store, "nobody@friends.example", "ask", -1, &found, &error));
	g_assert_false(found);
	g_assert_false(store_member_set(
	    f->store, "jane@friends.example", "maybe", -1, &found, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
}

/* --- a person's data (store_privacy.c) ---------------------------------- */

/* person_store - Pat as member, as the friend of one share and the
 * requester of another (both by member@example.net), on the
 * suppression list, and named in a digest to someone else */
static void
person_store(Store *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) m = member_new();
	g_autoptr(Share) a = make_share("<p1@example.org>");
	g_autoptr(Share) b = make_share("<p2@example.org>");
	g_autoptr(GPtrArray) items = items_new(
	    make_item("intro", "To: pat@people.example\r\n\r\nHi Pat", 50),
	    NULL);
	g_autoptr(OutboxItem) digest =
	    make_item("digest", "Shared with Pat Person this week", 50);
	gboolean created = FALSE;

	m->address = g_strdup("Pat@people.example");
	m->name = g_strdup("Pat Person");
	g_assert_true(store_member_add(store, m, NULL, &error));
	g_assert_no_error(error);
	add_member(store, "member@example.net", NULL);
	g_free(a->recipient);
	a->recipient = g_strdup("PAT@people.example");
	a->recipient_name = g_strdup("Pat Person");
	g_ptr_array_add(((OutboxItem *)items->pdata[0])->rcpts,
	    g_strdup("pat@people.example"));
	g_assert_true(store_share_record(store, a, items, &created, &error));
	g_assert_no_error(error);
	g_free(b->requester);
	b->requester = g_strdup("pat@people.example");
	b->requester_name = g_strdup("Pat Person");
	b->request_text = g_strdup("Pat needs a trainer");
	g_assert_true(store_share_record(store, b, NULL, &created, &error));
	g_assert_no_error(error);
	g_ptr_array_set_size(digest->rcpts, 0);
	g_ptr_array_add(digest->rcpts, g_strdup("member@example.net"));
	g_assert_true(store_outbox_add(store, digest, &error));
	g_assert_no_error(error);
	g_assert_true(store_suppression_add(
	    store, "pat@people.example", 550, "gone", 0, &error));
	g_assert_no_error(error);
}

/* test_person_export - every role, the mail, the suppression row */
static void
test_person_export(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(StorePerson) p = NULL;
	g_autoptr(StorePerson) none = NULL;

	(void)data;
	person_store(f->store);
	p = store_person_export(f->store, "pAT@people.example", &error);
	g_assert_no_error(error);
	g_assert_nonnull(p->member);
	g_assert_cmpstr(p->member->name, ==, "Pat Person");
	g_assert_cmpuint(p->shares->len, ==, 2);
	g_assert_cmpstr(((Share *)p->shares->pdata[1])->request_text, ==,
	    "Pat needs a trainer");
	/* the intro of the share to Pat, and the digest naming Pat */
	g_assert_cmpuint(p->outbox->len, ==, 2);
	g_assert_nonnull(((OutboxItem *)p->outbox->pdata[0])->message);
	g_assert_cmpstr(
	    ((OutboxItem *)p->outbox->pdata[1])->kind, ==, "digest");
	g_assert_cmpuint(p->suppression->len, ==, 1);
	g_assert_false(p->forgotten);
	none = store_person_export(f->store, "nobody@people.example", &error);
	g_assert_no_error(error);
	g_assert_null(none->member);
	g_assert_cmpuint(none->shares->len + none->outbox->len, ==, 0);
	g_assert_null(store_person_export(f->store, "not an address", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
}

/* count_text - rows of table whose column holds text (any case) */
static gint64
count_text(Fixture *f, const char *table, const char *column, const char *text)
{
	g_autofree char *sql = g_strdup_printf(
	    pg_admin != NULL
		? "SELECT COUNT(*) FROM %s WHERE strpos(lower(encode(%s::bytea,"
		  " 'escape')), lower('%s')) > 0"
		: "SELECT COUNT(*) FROM %s WHERE instr(lower(CAST(%s AS TEXT)),"
		  " lower('%s')) > 0",
	    table, column, text);

	return raw_int(f->path, sql);
}

/* test_person_forget - the rule: counts, the dry run, nothing of Pat
 * left in any column, other rows kept, the hash refusing the address */
static void
test_person_forget(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *table, *column;
	} cols[] = { { "members", "address" }, { "members", "name" },
		{ "shares", "recipient" }, { "shares", "requester" },
		{ "shares", "recipient_name" }, { "shares", "requester_name" },
		{ "shares", "request_text" }, { "outbox", "message" },
		{ "outbox_rcpts", "address" }, { "suppression", "address" } };
	g_autoptr(GError) error = NULL;
	g_autoptr(StorePerson) p = NULL;
	StoreForget fg = { 0 };
	gboolean has = FALSE;

	(void)data;
	person_store(f->store);
	/* the dry run counts and changes nothing */
	g_assert_true(store_person_forget(
	    f->store, "pat@people.example", FALSE, &fg, &error));
	g_assert_no_error(error);
	g_assert_cmpint(fg.members_deleted, ==, 1);
	g_assert_cmpint(fg.shares_blanked, ==, 2);
	g_assert_cmpint(count_text(f, "members", "name", "Pat Person"), ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM settings"), ==, 0);
	g_assert_true(store_suppression_has(
	    f->store, "pat@people.example", &has, &error));
	g_assert_true(has); /* the plain row, still there */
	/* the forget */
	memset(&fg, 0, sizeof fg);
	g_assert_true(store_person_forget(
	    f->store, "Pat@PEOPLE.example", TRUE, &fg, &error));
	g_assert_no_error(error);
	g_assert_cmpint(fg.members_deleted, ==, 1);
	g_assert_cmpint(fg.shares_deleted, ==, 0);
	g_assert_cmpint(fg.shares_blanked, ==, 2);
	g_assert_cmpint(fg.outbox_emptied, ==, 2); /* the intro, the digest */
	g_assert_cmpint(fg.rcpts_replaced, ==, 1);
	g_assert_cmpint(fg.suppression_deleted, ==, 1);
	g_assert_cmpint(fg.suppression_hashed, ==, 1);
	g_assert_true(fg.compacted == (pg_admin == NULL));
	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++) {
		g_assert_cmpint(count_text(f, cols[i].table, cols[i].column,
				    "pat@people.example"),
		    ==, 0);
		g_assert_cmpint(
		    count_text(f, cols[i].table, cols[i].column, "Pat Person"),
		    ==, 0);
	}
	/* the other member's records keep their shape */
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares WHERE"
					 " sharer = 'member@example.net'"),
	    ==, 2);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM outbox_rcpts"
			     " WHERE address = 'friend@example.com'"),
	    ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox WHERE"
					 " status = 'failed'"),
	    ==, 2);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM members"), ==, 1);
	/* not mailed again, in any case */
	has = FALSE;
	g_assert_true(store_suppression_has(
	    f->store, "PAT@people.EXAMPLE", &has, &error));
	g_assert_no_error(error);
	g_assert_true(has);
	g_assert_true(store_suppression_has(
	    f->store, "pat2@people.example", &has, &error));
	g_assert_false(has);
	p = store_person_export(f->store, "pat@people.example", &error);
	g_assert_no_error(error);
	g_assert_true(p->forgotten);
	g_assert_null(p->member);
	g_assert_cmpuint(p->shares->len, ==, 0);
	/* forgetting again is harmless; the sharer's own shares go */
	memset(&fg, 0, sizeof fg);
	g_assert_true(store_person_forget(
	    f->store, "member@example.net", TRUE, &fg, &error));
	g_assert_no_error(error);
	g_assert_cmpint(fg.shares_deleted, ==, 2);
	g_assert_cmpint(fg.outbox_deleted, ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"), ==, 0);
}

/* test_person_forget_credits - a member credited on another member's
 * share (merged) is forgotten: the credit goes, the share stays */
static void
test_person_forget_credits(Fixture *f, gconstpointer data)
{
	g_autoptr(Share) a = merge_share("member@example.net", "<f1@x>", FALSE);
	g_autoptr(Share) b = merge_share("other@example.net", "<f2@x>", TRUE);
	g_autoptr(GError) error = NULL;
	StoreForget fg = { 0 };
	gboolean created = FALSE;

	(void)data;
	record_merge(f->store, a, &created);
	record_merge(f->store, b, &created);
	g_assert_true(b->merged);
	g_assert_true(store_person_forget(
	    f->store, "OTHER@example.net", TRUE, &fg, &error));
	g_assert_no_error(error);
	g_assert_cmpint(fg.credits_deleted, ==, 1);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM share_credits"), ==, 0);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM shares"
					 " WHERE status = 'asked'"),
	    ==, 1);
	g_assert_cmpint(
	    count_text(f, "outbox_rcpts", "address", "other@example.net"), ==,
	    0);
}

/* the digest's tests: a week of fixed times (2026-W50, Monday 7
 * December 2026 00:00 UTC to the next Monday) */
#define W50 G_GINT64_CONSTANT(1796601600)
#define W51 G_GINT64_CONSTANT(1797206400)
#define Y2026 G_GINT64_CONSTANT(1767225600)

/* digest_share - a share row written directly (status and times) */
static void
digest_share(Fixture *f, gint64 id, const char *sharer, const char *friend,
    const char *status, gint64 created, gint64 answered, const char *token)
{
	g_autofree char *ans =
	    answered ? g_strdup_printf("%" G_GINT64_FORMAT, answered)
		     : g_strdup("NULL");
	g_autofree char *sql = g_strdup_printf(
	    "INSERT INTO shares (id, sharer, recipient, recipient_name,"
	    " requester, requester_name, subject, origin_key, status,"
	    " created_at, mode, token, asked_at, answered_at) VALUES"
	    " (%" G_GINT64_FORMAT ", '%s', '%s', 'Friend Name',"
	    " 'asker@example.org', 'Asker', 'Topic %" G_GINT64_FORMAT "',"
	    " 'o%" G_GINT64_FORMAT "', '%s', %" G_GINT64_FORMAT
	    ", '%s', %s%s%s,"
	    " %" G_GINT64_FORMAT ", %s)",
	    id, sharer, friend, id, id, status, created,
	    token != NULL ? "ask" : "direct", token ? "'" : "",
	    token ? token : "NULL", token ? "'" : "", created, ans);

	raw_exec(f->path, sql);
}

/* digest_intro_sent - the intro of share id, sent at t */
static void
digest_intro_sent(Fixture *f, gint64 share_id, gint64 t)
{
	g_autofree char *sql = g_strdup_printf(
	    "INSERT INTO outbox (share_id, kind, mail_from, message, status,"
	    " next_attempt_at, created_at, sent_at) VALUES (%" G_GINT64_FORMAT
	    ", 'intro', 'intros@intro.example.org', 'x', 'sent',"
	    " %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
	    ")",
	    share_id, t, t, t);

	raw_exec(f->path, sql);
}

/* digest_member - a member with a name and a handle; its id */
static gint64
digest_member(Fixture *f, const char *address, const char *name,
    const char *handle, int credit)
{
	g_autoptr(Member) m = member_new();
	g_autoptr(GError) error = NULL;
	StoreDigestSettings set = { .set_credit = TRUE,
		.public_credit = credit };
	gboolean found = FALSE;
	gint64 id = 0;

	m->address = g_strdup(address);
	m->name = g_strdup(name);
	m->handle = g_strdup(handle);
	g_assert_true(store_member_add(f->store, m, &id, &error));
	g_assert_true(
	    store_member_set_digest(f->store, address, &set, &found, &error));
	g_assert_no_error(error);
	g_assert_true(found);
	return id;
}

/* digest_mail - a rendered digest's outbox row for address */
static OutboxItem *
digest_mail(const char *address)
{
	OutboxItem *it = outbox_item_new();

	it->kind = g_strdup("digest");
	it->mail_from = g_strdup("intros@intro.example.org");
	g_ptr_array_add(it->rcpts, g_strdup(address));
	it->subject = g_strdup("Your week");
	it->message = g_bytes_new_static("Subject: Your week\r\n\r\nx\r\n", 26);
	return it;
}

/* test_digest_enqueue_once - the week is taken once: a second call (a
 * rerun, another host) queues nothing; a skipped week queues no mail
 * but is done; candidates leave out what is done and "never" */
static void
test_digest_enqueue_once(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OutboxItem) a = digest_mail("jane@example.net");
	g_autoptr(OutboxItem) b = digest_mail("jane@example.net");
	g_autoptr(GPtrArray) c1 = NULL;
	g_autoptr(GPtrArray) c2 = NULL;
	StoreDigestSettings never = { .set_day = TRUE, .day = "never" };
	gboolean created = FALSE, found = FALSE;
	gint64 jane, bob;

	(void)data;
	jane = digest_member(f, "jane@example.net", "Jane", "jane", 0);
	bob = digest_member(f, "bob@example.net", "Bob", "bob", 0);
	digest_member(f, "nemo@example.net", "Nemo", NULL, 0);
	g_assert_true(store_member_set_digest(
	    f->store, "NEMO@example.net", &never, &found, &error));
	g_assert_true(found);
	c1 = store_digest_candidates(
	    f->store, 0, 10, "2026-W50", "2026-W50", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(c1->len, ==, 2); /* nemo: never */
	g_assert_true(store_digest_enqueue(
	    f->store, jane, "2026-W50", a, W50 + 10, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	g_assert_cmpint(a->id, >, 0);
	g_assert_true(store_digest_enqueue(
	    f->store, jane, "2026-W50", b, W50 + 20, &created, &error));
	g_assert_no_error(error);
	g_assert_false(created);
	g_assert_cmpint(b->id, ==, 0);
	g_assert_true(store_digest_enqueue(
	    f->store, bob, "2026-W50", NULL, W50 + 30, &created, &error));
	g_assert_true(created); /* skipped: done, no mail */
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox WHERE"
					 " kind = 'digest'"),
	    ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT outbox_id FROM digests"
					 " WHERE week = '2026-W50' AND"
					 " outbox_id IS NOT NULL"),
	    ==, a->id);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM digests"), ==, 2);
	c2 = store_digest_candidates(
	    f->store, 0, 10, "2026-W50", "2026-W50", &error);
	g_assert_cmpuint(c2->len, ==, 0);
	g_clear_pointer(&c2, g_ptr_array_unref);
	/* across a week's edge: done for W50, not for W51 */
	c2 = store_digest_candidates(
	    f->store, 0, 10, "2026-W50", "2026-W51", &error);
	g_assert_cmpuint(c2->len, ==, 2);
	g_assert_true(((StoreDigestCandidate *)c2->pdata[0])->done_a);
	g_assert_false(((StoreDigestCandidate *)c2->pdata[0])->done_b);
	g_clear_pointer(&c2, g_ptr_array_unref);
	c2 = store_digest_candidates(
	    f->store, jane, 10, "2026-W50", "2026-W51", &error);
	g_assert_cmpuint(c2->len, ==, 1); /* after jane's id */
}

/* racer - one thread's store, enqueueing the same week */
typedef struct {
	const char *path;
	gint64 member;
	gint created;
	gint failed;
} Race;

static gpointer
racer(gpointer data)
{
	Race *r = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(r->path, 10000, &error);

	g_assert_nonnull(st);
	for (int i = 0; i < 20; i++) {
		g_autoptr(OutboxItem) it = digest_mail("jane@example.net");
		g_autofree char *week = g_strdup_printf("2026-W%02d", i + 1);
		g_autoptr(GError) e = NULL;
		gboolean created = FALSE;

		if (!store_digest_enqueue(
			st, r->member, week, it, W50, &created, &e))
			g_atomic_int_inc(&r->failed);
		else if (created)
			g_atomic_int_inc(&r->created);
	}
	return NULL;
}

/* test_digest_race - four stores racing for 20 weeks of one member:
 * 20 digests, not one more */
static void
test_digest_race(Fixture *f, gconstpointer data)
{
	Race r = { .path = f->path };
	GThread *t[4];

	(void)data;
	r.member = digest_member(f, "jane@example.net", "Jane", NULL, 0);
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("racer", racer, &r);
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	g_assert_cmpint(r.failed, ==, 0);
	g_assert_cmpint(r.created, ==, 20);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM outbox WHERE"
					 " kind = 'digest'"),
	    ==, 20);
	g_assert_cmpint(raw_int(f->path, "SELECT COUNT(*) FROM digests WHERE"
					 " outbox_id IS NOT NULL"),
	    ==, 20);
}

/* rows_of - the rows of the one member in a select of windows */
static StoreDigestRows *
rows_of(GPtrArray *rows, gint64 id)
{
	for (guint i = 0; i < rows->len; i++)
		if (((StoreDigestRows *)rows->pdata[i])->member_id == id)
			return rows->pdata[i];
	g_assert_not_reached();
	return NULL;
}

/* test_digest_select - each section in the member's own window, the
 * balance with credits, two members of one batch in different weeks */
static void
test_digest_select(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	StoreDigestWindow win[2];
	StoreDigestRows *j, *b;
	gint64 jane, bob;

	(void)data;
	jane = digest_member(f, "jane@example.net", "Jane", "jane", 0);
	bob = digest_member(f, "bob@example.net", "Bob", "bob", 0);
	/* jane's: in the week, answered in the week, before it, after */
	digest_share(f, 1, "jane@example.net", "f1@example.com", "queued",
	    W50 + 100, 0, NULL);
	digest_share(f, 2, "jane@example.net", "f2@example.com", "declined",
	    W50 - 86400, W50 + 200, "tok2aaaaaaaaaaaaaaaaaaaaaa");
	digest_share(f, 3, "jane@example.net", "f3@example.com", "introduced",
	    Y2026 - 86400, 0, NULL);
	digest_share(f, 4, "jane@example.net", "f4@example.com", "queued",
	    W51 + 5, 0, NULL);
	/* to jane as the friend: introduced in the week (sent), and one
	 * sent the week before; one waiting for her answer */
	digest_share(f, 5, "bob@example.net", "JANE@example.net", "introduced",
	    W50 - 3600, 0, NULL);
	digest_intro_sent(f, 5, W50 + 300);
	digest_share(f, 6, "bob@example.net", "jane@example.net", "introduced",
	    W50 - 3 * 86400, 0, NULL);
	digest_intro_sent(f, 6, W50 - 2 * 86400);
	digest_share(f, 7, "bob@example.net", "jane@example.net", "asked",
	    W50 - 5 * 86400, 0, "tok7aaaaaaaaaaaaaaaaaaaaaa");
	/* credit: jane named on bob's share 6 */
	raw_exec(f->path,
	    "INSERT INTO share_credits (share_id, member,"
	    " created_at) VALUES (6, 'Jane@example.net', 1796300000)");
	win[0] = (StoreDigestWindow){ .member_id = jane,
		.since = W50,
		.until = W51,
		.year_start = Y2026 };
	/* bob's week is the one before */
	win[1] = (StoreDigestWindow){ .member_id = bob,
		.since = W50 - 7 * 86400,
		.until = W50,
		.year_start = Y2026 };
	rows = store_digest_select(f->store, win, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 2);
	j = rows_of(rows, jane);
	b = rows_of(rows, bob);
	g_assert_cmpuint(j->shared_by->len, ==, 2);
	g_assert_cmpint(
	    ((StoreDigestShare *)j->shared_by->pdata[0])->share->id, ==, 1);
	g_assert_cmpint(
	    ((StoreDigestShare *)j->shared_by->pdata[1])->share->id, ==, 2);
	g_assert_cmpint(
	    ((StoreDigestShare *)j->shared_by->pdata[1])->when, ==, W50 + 200);
	g_assert_cmpuint(j->shared_with->len, ==, 1);
	g_assert_cmpint(
	    ((StoreDigestShare *)j->shared_with->pdata[0])->share->id, ==, 5);
	g_assert_cmpint(((StoreDigestShare *)j->shared_with->pdata[0])->when,
	    ==, W50 + 300);
	g_assert_cmpuint(j->waiting->len, ==, 1);
	g_assert_cmpstr(
	    ((StoreDigestShare *)j->waiting->pdata[0])->share->token, ==,
	    "tok7aaaaaaaaaaaaaaaaaaaaaa");
	/* given: 4 shares + 1 credit; this year: 3 + 1 */
	g_assert_cmpint(j->given_all, ==, 5);
	g_assert_cmpint(j->given_year, ==, 4);
	g_assert_cmpint(j->received_all, ==, 2);
	g_assert_cmpint(j->received_year, ==, 2);
	/* bob's week before: shares 5, 6 and 7 were made in it */
	g_assert_cmpuint(b->shared_by->len, ==, 3);
	g_assert_cmpuint(b->shared_with->len, ==, 0);
	g_assert_cmpint(b->given_all, ==, 3);
}

/* test_digest_top - public members only, named, most shares first */
static void
test_digest_top(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) top = NULL;
	g_autoptr(GPtrArray) one = NULL;

	(void)data;
	digest_member(f, "jane@example.net", "Jane", "jane", 1);
	digest_member(f, "bob@example.net", NULL, "bob", 1);
	digest_member(f, "priv@example.net", "Private", "priv", 0);
	for (int i = 0; i < 3; i++)
		digest_share(f, 10 + i, "priv@example.net", "x@example.com",
		    "queued", W50 + i, 0, NULL);
	digest_share(f, 20, "jane@example.net", "x@example.com", "queued",
	    W50 + 1, 0, NULL);
	digest_share(f, 21, "bob@example.net", "x@example.com", "queued",
	    W50 + 1, 0, NULL);
	digest_share(f, 22, "bob@example.net", "y@example.com", "queued",
	    W50 + 2, 0, NULL);
	digest_share(f, 23, "jane@example.net", "y@example.com", "queued",
	    W50 - 1, 0, NULL); /* the week before */
	top = store_digest_top(f->store, W50, W51, 5, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(top->len, ==, 2);
	g_assert_cmpstr(((StoreDigestSharer *)top->pdata[0])->name, ==, "bob");
	g_assert_cmpint(((StoreDigestSharer *)top->pdata[0])->shares, ==, 2);
	g_assert_cmpstr(((StoreDigestSharer *)top->pdata[1])->name, ==, "Jane");
	one = store_digest_top(f->store, W50, W51, 1, &error);
	g_assert_cmpuint(one->len, ==, 1);
}

/* test_digest_member_set - each field only when asked; bad values */
static void
test_digest_member_set(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) m = NULL;
	g_autoptr(Member) m2 = NULL;
	StoreDigestSettings s = { .set_day = TRUE,
		.day = "fri",
		.set_hour = TRUE,
		.hour = 17,
		.set_tz = TRUE,
		.tz = "Europe/Paris" };
	StoreDigestSettings h = { .set_hour = TRUE, .hour = -1 };
	StoreDigestSettings bad = { .set_day = TRUE, .day = "someday" };
	gboolean found = FALSE;

	(void)data;
	digest_member(f, "jane@example.net", "Jane", "jane", 0);
	g_assert_true(store_member_set_digest(
	    f->store, "Jane@Example.net", &s, &found, &error));
	g_assert_true(found);
	m = store_member_by_address(f->store, "jane@example.net", &error);
	g_assert_cmpstr(m->digest_day, ==, "fri");
	g_assert_cmpint(m->digest_hour, ==, 17);
	g_assert_cmpstr(m->tz, ==, "Europe/Paris");
	g_assert_cmpint(m->public_credit, ==, 0);
	g_assert_true(store_member_set_digest(
	    f->store, "jane@example.net", &h, &found, &error));
	m2 = store_member_by_address(f->store, "jane@example.net", &error);
	g_assert_cmpstr(m2->digest_day, ==, "fri"); /* untouched */
	g_assert_cmpint(m2->digest_hour, ==, -1);   /* the default again */
	g_assert_false(store_member_set_digest(
	    f->store, "jane@example.net", &bad, &found, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(store_member_set_digest(
	    f->store, "nobody@example.net", &s, &found, &error));
	g_assert_false(found);
}

/* test_digest_privacy - export lists the weeks; forget deletes them */
static void
test_digest_privacy(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OutboxItem) it = digest_mail("jane@example.net");
	g_autoptr(StorePerson) p = NULL;
	StoreForget fg = { 0 };
	gboolean created = FALSE;
	gint64 jane;

	(void)data;
	jane = digest_member(f, "jane@example.net", "Jane", "jane", 0);
	digest_member(f, "bob@example.net", "Bob", "bob", 0);
	g_assert_true(store_digest_enqueue(
	    f->store, jane, "2026-W50", it, W50, &created, &error));
	g_assert_true(store_digest_enqueue(
	    f->store, jane, "2026-W49", NULL, W50, &created, &error));
	p = store_person_export(f->store, "jane@example.net", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(p->digests->len, ==, 2);
	g_assert_cmpstr(
	    ((StoreDigestRecord *)p->digests->pdata[1])->week, ==, "2026-W50");
	g_assert_cmpint(
	    ((StoreDigestRecord *)p->digests->pdata[1])->outbox_id, ==, it->id);
	g_assert_cmpint(
	    ((StoreDigestRecord *)p->digests->pdata[0])->outbox_id, ==, 0);
	/* the digest's mail is among the rows that concern her */
	g_assert_cmpuint(p->outbox->len, ==, 1);
	g_assert_true(store_person_forget(
	    f->store, "jane@example.net", TRUE, &fg, &error));
	g_assert_no_error(error);
	g_assert_cmpint(fg.digests_deleted, ==, 2);
	g_assert_cmpint(
	    raw_int(f->path, "SELECT COUNT(*) FROM digests"), ==, 0);
	g_assert_cmpint(count_text(f, "outbox", "message", "Your week"), ==, 0);
}

#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)

/* main - register the tests: every one on SQLite, the contract on
 * PostgreSQL when PA_TEST_PG names a server */
int
main(int argc, char **argv)
{
	gboolean sqlite;

	g_test_init(&argc, &argv, NULL);
	pg_admin = g_getenv("PA_TEST_PG");
	if (pg_admin != NULL && *pg_admin == '\0')
		pg_admin = NULL;
	sqlite = pg_admin == NULL;
	ADD("/store/open/twice", test_open_twice);
	if (sqlite) { /* SQLite's insides */
		ADD("/store/open/durable", test_open_durable);
		ADD("/store/open/migrate_1", test_open_migrate_1);
		ADD("/store/open/migrate_2", test_open_migrate_2);
		ADD("/store/open/migrate_3", test_open_migrate_3);
		ADD("/store/limits/indexed", test_limits_indexed);
		ADD("/store/open/no_directory", test_open_no_dir);
		ADD("/store/share_record/group", test_share_group);
		ADD("/store/flow/answer_group", test_answer_group);
	}
	if (!sqlite)
		ADD("/store/pg/reconnect", test_pg_reconnect);
	ADD("/store/threads/mixed", test_threads_mixed);
	ADD("/store/outbox/webhook", test_outbox_webhook);
	ADD("/store/open/newer_schema", test_open_newer);
	ADD("/store/open/migrate_6", test_open_migrate_6);
	ADD("/store/open/migrate_7", test_open_migrate_7);
	ADD("/store/share_record/merge", test_share_merge);
	ADD("/store/share_record/merge_hook", test_share_merge_hook);
	ADD("/store/share_record/merge_race", test_share_merge_race);
	ADD("/store/member/lookup", test_member_lookup);
	ADD("/store/threads/reads_beside_write", test_reads_beside_write);
	ADD("/store/member/duplicate", test_member_dup);
	ADD("/store/member/unsub_token", test_member_unsub_token);
	g_test_add_func("/store/member/handle_valid", test_handle_valid);
	ADD("/store/share_record/create_once", test_share_record);
	ADD("/store/share_record/rollback", test_share_rollback);
	ADD("/store/share_record/rollback_sql", test_share_rollback_sql);
	ADD("/store/shares_record/atomic", test_shares_record_atomic);
	ADD("/store/share_record/busy", test_share_busy);
	ADD("/store/outbox_claim/cycle", test_claim_cycle);
	ADD("/store/outbox_claim/fail_intro", test_claim_fail_intro);
	ADD("/store/outbox_claim/stale", test_claim_stale);
	ADD("/store/outbox_claim/max", test_claim_max);
	ADD("/store/outbox_claim/lease", test_claim_lease);
	ADD("/store/outbox_record/outcome", test_record_outcome);
	ADD("/store/outbox_write/group", test_record_group);
	ADD("/store/suppression/add_has", test_suppression);
	ADD("/store/suppression/salt_kept", test_suppression_salt);
	ADD("/store/outbox_add/list_get", test_outbox_add);
	ADD("/store/stats/counts", test_stats);
	ADD("/store/flow/answer", test_flow_answer);
	ADD("/store/flow/answer_once", test_flow_answer_once);
	ADD("/store/flow/replies", test_flow_replies);
	ADD("/store/flow/noted", test_flow_noted);
	ADD("/store/flow/tick", test_flow_tick);
	ADD("/store/flow/rendered", test_flow_rendered);
	ADD("/store/flow/member_set", test_flow_member_set);
	ADD("/store/share_record/threads", test_threads);
	ADD("/store/copy/round_trip", test_copy_round_trip);
	ADD("/store/copy/refuse_nonempty", test_copy_refuse);
	ADD("/store/copy/twice", test_copy_twice);
	ADD("/store/copy/counts_verified", test_copy_counts);
	ADD("/store/privacy/export", test_person_export);
	ADD("/store/privacy/forget", test_person_forget);
	ADD("/store/privacy/forget_credits", test_person_forget_credits);
	ADD("/store/digest/enqueue_once", test_digest_enqueue_once);
	ADD("/store/digest/race", test_digest_race);
	ADD("/store/digest/select", test_digest_select);
	ADD("/store/digest/top", test_digest_top);
	ADD("/store/digest/member_set", test_digest_member_set);
	ADD("/store/privacy/digests", test_digest_privacy);
	if (sqlite)
		ADD("/store/copy/every_table", test_copy_every_table);
	return g_test_run();
}
