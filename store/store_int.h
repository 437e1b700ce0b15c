/*
 * store_int.h - what the store's own files share (not for other modules)
 *
 * SYNOPSIS
 *	#include "store/store_int.h"
 *	g_autoptr(StoreStmt) st = NULL;
 *	if (!stmt_prepare(store, &st, "SELECT ...", error))
 *		return FALSE;
 *
 * DESCRIPTION
 *	The Store structure, the mapping of SQLite result codes to
 *	StoreError, and small helpers for statements and transactions.
 *	Callers of these helpers hold store->lock.
 *
 * OWNERSHIP
 *	stmt_prepare() compiles each SQL text once per connection and keeps
 *	it in the Store's cache (compiling was a tenth of the milter's CPU
 *	per share); the caller borrows it until the end of its scope, where
 *	g_autoptr(StoreStmt) resets it and clears its bindings. Strings
 *	returned are new.
 *
 * ERRORS
 *	Every helper that can fail sets a StoreError whose message carries
 *	sqlite3_errmsg().
 *
 * THREADS
 *	None of these lock; the public functions in store*.c take
 *	store->lock with STORE_LOCK(store), declared BEFORE any
 *	g_autoptr(sqlite3_stmt) in the same scope: cleanups run in reverse
 *	order, so statements are finalized while the lock is still held.
 *	(A statement finalized after the unlock races with another
 *	thread's use of the one connection, opened SQLITE_OPEN_NOMUTEX,
 *	and corrupted the database under load.)
 */
#ifndef PA_STORE_INT_H
#define PA_STORE_INT_H

#include <glib.h>
#include <sqlite3.h>

#include "store/store.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, sqlite3_finalize)

/* a statement borrowed from the Store's cache */
typedef sqlite3_stmt StoreStmt;
void stmt_release(StoreStmt *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoreStmt, stmt_release)

/* hold store->lock until the end of the enclosing scope */
#define STORE_LOCK(store)                                                      \
	g_autoptr(GMutexLocker) store_locked_ G_GNUC_UNUSED =                  \
	    g_mutex_locker_new(&(store)->lock)

struct _Store {
	sqlite3 *db;
	char *path;
	GMutex lock;
	GHashTable *stmts; /* SQL text -> sqlite3_stmt *, see stmt_prepare() */
};

/* the error for rc (an SQLite result code), what says what was tried */
void store_set_error(Store *store, int rc, GError **error, const char *what);

gboolean stmt_prepare(
    Store *store, StoreStmt **out, const char *sql, GError **error);
gboolean stmt_done(
    Store *store, sqlite3_stmt *st, const char *what, GError **error);
gboolean store_exec(Store *store, const char *sql, GError **error);
gboolean store_begin(Store *store, GError **error);
gboolean store_commit(Store *store, GError **error);
void store_rollback(Store *store);

void bind_text(sqlite3_stmt *st, int i, const char *s);
char *column_text(sqlite3_stmt *st, int i);

/* every row of a constant query, each made by from_row; takes the lock */
typedef gpointer (*StoreRowFunc)(sqlite3_stmt *st);
GPtrArray *store_list_rows(Store *store, const char *sql, StoreRowFunc from_row,
    GDestroyNotify free_row, const char *what, GError **error);

gboolean store_schema_migrate(Store *store, GError **error);
gboolean share_find_id(Store *store, const char *sharer, const char *recipient,
    const char *origin_key, gint64 *id, GError **error);
/* outbox rows (store_outbox.c) */
gboolean outbox_insert(Store *store, OutboxItem *item, gint64 share_id,
    gint64 now, GError **error);
void outbox_settle(OutboxItem *item, gint64 now);
OutboxItem *outbox_load(
    Store *store, gint64 id, gboolean with_message, GError **error);
gboolean suppression_insert(Store *store, const char *address, int code,
    const char *reason, gint64 outbox_id, gint64 now, GError **error);

#endif /* PA_STORE_INT_H */
