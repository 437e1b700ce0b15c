/*
 * db.h - the store's executor: one connection of SQLite or PostgreSQL
 *
 * SYNOPSIS
 *	#include "store/db.h"
 *	g_autoptr(DbStmt) st = db_prepare(db, SQL_MEMBER_BY_ADDRESS, error);
 *	db_bind_text(st, 1, address);
 *	switch (db_step(st, "looking up a member", error)) ...
 *
 * DESCRIPTION
 *	The small layer below the store's domain functions (store*.c):
 *	prepare, bind, step, read columns, begin, commit, roll back, and an
 *	error class. Two drivers implement it, db_sqlite.c (sqlite3) and
 *	db_pg.c (libpq). Statements are named by a StoreSql number; each
 *	driver has its own text for every number, in one table per engine
 *	(sql_sqlite.c, sql_pg.c). Parameters are numbered from 1 in the
 *	order the domain code binds them; columns from 0. Nothing here
 *	builds SQL from values: every value is bound.
 *
 *	db_step() runs the statement on its first call and returns DB_ROW
 *	while rows remain, then DB_DONE; DB_FAIL with error set. Columns
 *	read NULL as 0 or NULL; db_column_null() tells a NULL from a 0
 *	(store_copy.c keeps every NULL). db_changes() is the number of rows the
 *	last run changed. A statement is reset (results and bindings
 *	dropped) by db_stmt_release(), which g_autoptr(DbStmt) calls.
 *
 *	db_begin() starts a write transaction (SQLite: BEGIN IMMEDIATE,
 *	the write lock now; PostgreSQL: BEGIN, READ COMMITTED, with row
 *	locks taken by the statements), db_begin_read() a read-only
 *	snapshot. db_commit() rolls back when it fails.
 *
 * OWNERSHIP
 *	A DbConn belongs to its Store's pool (store.c); a DbStmt belongs to
 *	its DbConn's cache and is borrowed until released. Strings and
 *	GBytes returned by column readers are new.
 *
 * ERRORS
 *	In STORE_ERROR: BUSY for what may succeed later (SQLite's lock held
 *	past busy_timeout; PostgreSQL's lost connection, statement or lock
 *	timeout, serialization failure, deadlock, shutdown, too many
 *	connections), CONSTRAINT for a uniqueness or check rule, FAILED for
 *	anything else. A PostgreSQL connection that failed as a connection
 *	is marked broken; the pool opens a new one before it is used again.
 *
 * THREADS
 *	A DbConn is used by one thread at a time: the pool hands it out.
 */
#ifndef PA_DB_H
#define PA_DB_H

#include <glib.h>

#include "store/store.h"
#include "store/store_sql.h"

typedef struct _DbConn DbConn;
typedef struct _DbStmt DbStmt;
typedef struct _DbDriver DbDriver;

typedef enum {
	DB_FAIL = -1,
	DB_DONE = 0,
	DB_ROW = 1,
} DbStep;

/* what a connection is opened with */
typedef struct {
	guint timeout_ms;             /* lock wait / statement deadline */
	const char *passfile;         /* PostgreSQL: or NULL */
	const char *application_name; /* PostgreSQL: or NULL */
	gboolean reader;              /* SQLite: query_only, for reads */
} DbOptions;

struct _DbDriver {
	const char *name;       /* "sqlite", "postgresql" */
	const char *const *sql; /* SQL_N texts, by StoreSql */
	/* in order, to the latest, ending with an entry whose sql is NULL */
	const StoreMigration *migrations;
	DbConn *(*open)(const char *target, const DbOptions *o, GError **error);
	void (*close)(DbConn *db);
	gboolean (*exec)(DbConn *db, const char *sql, GError **error);
	gboolean (*begin)(DbConn *db, gboolean write, GError **error);
	gboolean (*commit)(DbConn *db, GError **error);
	void (*rollback)(DbConn *db);
	DbStmt *(*prepare)(DbConn *db, StoreSql id, GError **error);
	void (*bind_int64)(DbStmt *st, int i, gint64 v);
	void (*bind_text)(DbStmt *st, int i, const char *s);
	void (*bind_blob)(DbStmt *st, int i, GBytes *b);
	void (*bind_null)(DbStmt *st, int i);
	DbStep (*step)(DbStmt *st, GError **error);
	gint64 (*column_int64)(DbStmt *st, int i);
	char *(*column_text)(DbStmt *st, int i);
	GBytes *(*column_blob)(DbStmt *st, int i);
	gboolean (*column_null)(DbStmt *st, int i);
	gint64 (*changes)(DbStmt *st);
	void (*reset)(DbStmt *st);
	gboolean (*broken)(DbConn *db);
	char *(*describe)(DbConn *db);
	/* the schema: its version (0 when empty), and the climb to latest
	 * from it, run inside a write transaction the caller holds */
	gboolean (*schema_lock)(DbConn *db, GError **error);
	gboolean (*schema_version)(DbConn *db, int *version, GError **error);
	gboolean (*schema_set)(DbConn *db, int version, GError **error);
};

/* the part every driver's connection and statement starts with */
struct _DbConn {
	const DbDriver *drv;
	Store *store;    /* the pool it goes back to */
	gboolean reader; /* SQLite: a reader, which never writes */
};

struct _DbStmt {
	const DbDriver *drv;
	DbConn *db;
	StoreSql id;
};

extern const DbDriver db_sqlite_driver;
extern const DbDriver db_pg_driver;

/* the driver for a store URL, and the engine's target in *target
 * (a file path, or the libpq connection string); NULL: not a URL */
const DbDriver *db_driver_for(const char *url, const char **target);

DbStmt *db_prepare(DbConn *db, StoreSql id, GError **error);
void db_stmt_release(DbStmt *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DbStmt, db_stmt_release)

DbStep db_step(DbStmt *st, const char *what, GError **error);
/* step a statement that returns no rows (or whose rows do not matter) */
gboolean db_done(DbStmt *st, const char *what, GError **error);
gboolean db_begin(DbConn *db, GError **error);
gboolean db_begin_read(DbConn *db, GError **error);
gboolean db_commit(DbConn *db, GError **error);
void db_rollback(DbConn *db);
gboolean db_exec(DbConn *db, const char *sql, GError **error);

static inline void
db_bind_int64(DbStmt *st, int i, gint64 v)
{
	st->drv->bind_int64(st, i, v);
}
static inline void
db_bind_text(DbStmt *st, int i, const char *s)
{
	if (s == NULL)
		st->drv->bind_null(st, i);
	else
		st->drv->bind_text(st, i, s);
}
static inline void
db_bind_blob(DbStmt *st, int i, GBytes *b)
{
	st->drv->bind_blob(st, i, b);
}
static inline void
db_bind_null(DbStmt *st, int i)
{
	st->drv->bind_null(st, i);
}
/* an id, or NULL when 0 */
static inline void
db_bind_id(DbStmt *st, int i, gint64 id)
{
	if (id != 0)
		st->drv->bind_int64(st, i, id);
	else
		st->drv->bind_null(st, i);
}
static inline gint64
db_column_int64(DbStmt *st, int i)
{
	return st->drv->column_int64(st, i);
}
static inline char *
db_column_text(DbStmt *st, int i)
{
	return st->drv->column_text(st, i);
}
static inline GBytes *
db_column_blob(DbStmt *st, int i)
{
	return st->drv->column_blob(st, i);
}
/* whether column i of the current row is NULL */
static inline gboolean
db_column_null(DbStmt *st, int i)
{
	return st->drv->column_null(st, i);
}
static inline gint64
db_changes(DbStmt *st)
{
	return st->drv->changes(st);
}
/* reset for another run with new bindings (in a loop) */
static inline void
db_reset(DbStmt *st)
{
	st->drv->reset(st);
}

#endif /* PA_DB_H */
