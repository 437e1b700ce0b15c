/*
 * db_sqlite.c - the executor on SQLite: one file in WAL mode
 *
 * The store is the only module that includes <sqlite3.h>. A connection
 * sets busy_timeout before any other pragma, turns on WAL with
 * synchronous=FULL (a commit is on disk when it returns) and foreign
 * keys. Statements are compiled once per connection (compiling was a
 * tenth of the milter's CPU per share) and kept by number.
 *
 * Trust: the database file is the operator's. Values read back are
 * what the store wrote; text columns are copied, never borrowed past a
 * statement's life.
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "store/db.h"

extern const char *const sqlite_sql[SQL_N];
extern const StoreMigration sqlite_migrations[];

typedef struct {
	DbStmt base;
	sqlite3_stmt *st;
} SqliteStmt;

typedef struct {
	DbConn base;
	sqlite3 *db;
	char *path;
	SqliteStmt *stmts[SQL_N];
} SqliteConn;

#define CONN(db) ((SqliteConn *)(db))
#define STMT(st) (((SqliteStmt *)(st))->st)

/* set_error - map an SQLite result code to a StoreError */
static void
set_error(sqlite3 *db, int rc, GError **error)
{
	StoreError code;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = STORE_ERROR_BUSY;
		break;
	case SQLITE_CONSTRAINT:
		code = STORE_ERROR_CONSTRAINT;
		break;
	default:
		code = STORE_ERROR_FAILED;
		break;
	}
	g_set_error_literal(error, STORE_ERROR, code,
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* sq_exec - constant SQL without parameters, several statements */
static gboolean
sq_exec(DbConn *db, const char *sql, GError **error)
{
	int rc = sqlite3_exec(CONN(db)->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		set_error(CONN(db)->db, rc, error);
		return FALSE;
	}
	return TRUE;
}

/* one_text - the text of a pragma's one row, lower case, or NULL */
static char *
one_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = g_ascii_strdown(
		    (const char *)sqlite3_column_text(st, 0), -1);
	sqlite3_finalize(st);
	return v;
}

/* pragmas - busy_timeout first, then WAL, synchronous, foreign keys */
static gboolean
pragmas(SqliteConn *c, guint busy_timeout_ms, GError **error)
{
	g_autofree char *mode = NULL;
	int rc;

	/* Before anything that may lock: switching to WAL itself waits. */
	rc = sqlite3_busy_timeout(
	    c->db, (int)MIN(busy_timeout_ms, (guint)G_MAXINT));
	if (rc != SQLITE_OK) {
		set_error(c->db, rc, error);
		return FALSE;
	}
	mode = one_text(c->db, "PRAGMA journal_mode=WAL");
	if (g_strcmp0(mode, "wal") != 0) {
		GError *err = NULL;

		if (mode == NULL) /* the reason is SQLite's last error */
			set_error(c->db, sqlite3_errcode(c->db), &err);
		g_set_error(error, STORE_ERROR,
		    err ? err->code : STORE_ERROR_FAILED,
		    "setting journal_mode=WAL: %s",
		    err ? err->message : "refused");
		g_clear_error(&err);
		return FALSE;
	}
	/* FULL: a committed share survives a power cut, in WAL mode too
	 * (NORMAL may lose the last commits); its price is in bench/. */
	return sq_exec(&c->base, "PRAGMA synchronous=FULL", error) &&
	       sq_exec(&c->base, "PRAGMA foreign_keys=ON", error);
}

/* sq_close - finalize every statement, then close */
static void
sq_close(DbConn *db)
{
	SqliteConn *c = CONN(db);

	if (c == NULL)
		return;
	for (int i = 0; i < SQL_N; i++)
		if (c->stmts[i] != NULL) {
			sqlite3_finalize(c->stmts[i]->st);
			g_free(c->stmts[i]);
		}
	if (c->db != NULL)
		sqlite3_close_v2(c->db);
	g_free(c->path);
	g_free(c);
}

/* sq_open - open or create the file at target */
static DbConn *
sq_open(const char *target, const DbOptions *o, GError **error)
{
	SqliteConn *c = g_new0(SqliteConn, 1);
	int rc;

	c->base.drv = &db_sqlite_driver;
	c->path = g_strdup(target);
	rc = sqlite3_open_v2(target, &c->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		/* SQLite says only "unable to open database file". */
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "%s (does the directory exist, may this user write "
		    "there?)",
		    sqlite3_errmsg(c->db));
		sq_close(&c->base);
		return NULL;
	}
	sqlite3_extended_result_codes(c->db, 1);
	if (!pragmas(c, o->timeout_ms, error) ||
	    (o->reader && !sq_exec(&c->base, "PRAGMA query_only=ON", error))) {
		sq_close(&c->base);
		return NULL;
	}
	return &c->base;
}

/* sq_begin - a write transaction takes the write lock now */
static gboolean
sq_begin(DbConn *db, gboolean write, GError **error)
{
	return sq_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN", error);
}

static gboolean
sq_commit(DbConn *db, GError **error)
{
	return sq_exec(db, "COMMIT", error);
}

static void
sq_rollback(DbConn *db)
{
	if (!sqlite3_get_autocommit(CONN(db)->db))
		(void)sqlite3_exec(CONN(db)->db, "ROLLBACK", NULL, NULL, NULL);
}

/* sq_prepare - the compiled statement id, compiled now if need be */
static DbStmt *
sq_prepare(DbConn *db, StoreSql id, GError **error)
{
	SqliteConn *c = CONN(db);
	sqlite3_stmt *st = NULL;
	int rc;

	if (c->stmts[id] != NULL)
		return &c->stmts[id]->base;
	rc = sqlite3_prepare_v3(
	    c->db, sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		set_error(c->db, rc, error);
		return NULL;
	}
	c->stmts[id] = g_new0(SqliteStmt, 1);
	c->stmts[id]->base.drv = &db_sqlite_driver;
	c->stmts[id]->base.db = db;
	c->stmts[id]->base.id = id;
	c->stmts[id]->st = st;
	return &c->stmts[id]->base;
}

static void
sq_bind_int64(DbStmt *st, int i, gint64 v)
{
	sqlite3_bind_int64(STMT(st), i, v);
}

static void
sq_bind_text(DbStmt *st, int i, const char *s)
{
	sqlite3_bind_text(STMT(st), i, s, -1, SQLITE_TRANSIENT);
}

static void
sq_bind_blob(DbStmt *st, int i, GBytes *b)
{
	gsize n = 0;
	gconstpointer p = g_bytes_get_data(b, &n);

	sqlite3_bind_blob64(STMT(st), i, p ? p : "", n, SQLITE_TRANSIENT);
}

static void
sq_bind_null(DbStmt *st, int i)
{
	sqlite3_bind_null(STMT(st), i);
}

static DbStep
sq_step(DbStmt *st, GError **error)
{
	int rc = sqlite3_step(STMT(st));

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	set_error(CONN(st->db)->db, rc, error);
	return DB_FAIL;
}

static gint64
sq_column_int64(DbStmt *st, int i)
{
	return sqlite3_column_int64(STMT(st), i);
}

static char *
sq_column_text(DbStmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(STMT(st), i);

	return s == NULL ? NULL : g_strdup((const char *)s);
}

static GBytes *
sq_column_blob(DbStmt *st, int i)
{
	const void *p = sqlite3_column_blob(STMT(st), i);
	int n = sqlite3_column_bytes(STMT(st), i);

	return g_bytes_new(p, (gsize)MAX(n, 0));
}

static gboolean
sq_column_null(DbStmt *st, int i)
{
	return sqlite3_column_type(STMT(st), i) == SQLITE_NULL;
}

static gint64
sq_changes(DbStmt *st)
{
	return sqlite3_changes64(CONN(st->db)->db);
}

static void
sq_reset(DbStmt *st)
{
	(void)sqlite3_reset(STMT(st)); /* its error was reported by the step */
	(void)sqlite3_clear_bindings(STMT(st));
}

static gboolean
sq_broken(DbConn *db)
{
	(void)db;
	return FALSE; /* a file does not go away between calls */
}

/* sq_describe - what the connection promises, for the logs */
static char *
sq_describe(DbConn *db)
{
	static const char *const sync_names[] = { "off", "normal", "full",
		"extra" };
	sqlite3 *d = CONN(db)->db;
	g_autofree char *mode = one_text(d, "PRAGMA journal_mode");
	g_autofree char *sync = one_text(d, "PRAGMA synchronous");
	guint64 n = 0;
	const char *s = sync ? sync : "?";

	if (sync != NULL &&
	    g_ascii_string_to_unsigned(sync, 10, 0, 3, &n, NULL))
		s = sync_names[n];
	return g_strdup_printf(
	    "journal_mode=%s synchronous=%s", mode ? mode : "?", s);
}

/* sq_schema_lock - nothing more: BEGIN IMMEDIATE took the write lock */
static gboolean
sq_schema_lock(DbConn *db, GError **error)
{
	(void)db;
	(void)error;
	return TRUE;
}

/* sq_schema_version - PRAGMA user_version */
static gboolean
sq_schema_version(DbConn *db, int *version, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    CONN(db)->db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		set_error(CONN(db)->db, rc, error);
		sqlite3_finalize(st);
		return FALSE;
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return TRUE;
}

/* sq_schema_set - PRAGMA user_version = version */
static gboolean
sq_schema_set(DbConn *db, int version, GError **error)
{
	/* A pragma cannot take a bound parameter; version is ours. */
	g_autofree char *set =
	    g_strdup_printf("PRAGMA user_version = %d", version);

	return sq_exec(db, set, error);
}

const DbDriver db_sqlite_driver = {
	.name = "sqlite",
	.sql = sqlite_sql,
	.migrations = sqlite_migrations,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_int64 = sq_column_int64,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.column_null = sq_column_null,
	.changes = sq_changes,
	.reset = sq_reset,
	.broken = sq_broken,
	.describe = sq_describe,
	.schema_lock = sq_schema_lock,
	.schema_version = sq_schema_version,
	.schema_set = sq_schema_set,
};
