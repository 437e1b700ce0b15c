/*
 * store.c - open and close the SQLite store; errors, statements, records
 *
 * The store is the only module that includes <sqlite3.h>. Everything it
 * writes is bound as parameters; the SQL text is always a constant. One
 * connection per Store, guarded by store->lock, so that a Store may be
 * shared by threads (the milter's workers) while SQLite itself runs
 * without its own connection mutex.
 *
 * Trust: the database file is the operator's. Values read back are what
 * this module wrote, but text columns are still copied, never borrowed
 * past a statement's life.
 */
#include "config.h"

#include <string.h>

#include "store/store_int.h"

G_DEFINE_QUARK(passalong_store_error, store_error)

/* store_set_error - map an SQLite result code to a StoreError */
void
store_set_error(Store *store, int rc, GError **error, const char *what)
{
	StoreError code;
	const char *msg;

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
	msg = store != NULL && store->db != NULL ? sqlite3_errmsg(store->db)
						 : sqlite3_errstr(rc);
	g_set_error(error, STORE_ERROR, code, "%s: %s", what, msg);
}

/* stmt_prepare - the compiled statement for sql, from the cache or
 * compiled now and kept; the caller holds store->lock */
gboolean
stmt_prepare(Store *store, StoreStmt **out, const char *sql, GError **error)
{
	sqlite3_stmt *st = g_hash_table_lookup(store->stmts, sql);
	int rc;

	if (st == NULL) {
		rc = sqlite3_prepare_v3(
		    store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK) {
			store_set_error(
			    store, rc, error, "preparing a statement");
			*out = NULL;
			return FALSE;
		}
		g_hash_table_insert(store->stmts, g_strdup(sql), st);
	}
	*out = st;
	return TRUE;
}

/* stmt_finalize - the cache's destructor for a statement */
static void
stmt_finalize(gpointer st)
{
	(void)sqlite3_finalize(st);
}

/* stmt_release - give a cached statement back: reset, no bindings */
void
stmt_release(StoreStmt *st)
{
	if (st == NULL)
		return;
	(void)sqlite3_reset(st); /* its error was reported by the step */
	(void)sqlite3_clear_bindings(st);
}

/* stmt_done - step a statement that returns no rows */
gboolean
stmt_done(Store *store, sqlite3_stmt *st, const char *what, GError **error)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, what);
		return FALSE;
	}
	return TRUE;
}

/* store_exec - run constant SQL without parameters */
gboolean
store_exec(Store *store, const char *sql, GError **error)
{
	int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		/* name the statement, but not a whole migration's text */
		g_autofree char *what = strlen(sql) > 40
					    ? g_strdup_printf("%.40s...", sql)
					    : g_strdup(sql);

		store_set_error(store, rc, error, what);
		return FALSE;
	}
	return TRUE;
}

/* store_begin - a write transaction, taking the write lock now */
gboolean
store_begin(Store *store, GError **error)
{
	int rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		store_set_error(store, rc, error, "starting a transaction");
		return FALSE;
	}
	return TRUE;
}

/* store_commit - commit; on failure the transaction is rolled back */
gboolean
store_commit(Store *store, GError **error)
{
	int rc = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		store_set_error(store, rc, error, "committing");
		store_rollback(store);
		return FALSE;
	}
	return TRUE;
}

/* store_rollback - undo the open transaction, if any */
void
store_rollback(Store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		(void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

/* bind_text - bind a string, or NULL, copying it */
void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* column_text - a new copy of a text column, or NULL */
char *
column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s == NULL ? NULL : g_strdup((const char *)s);
}

/* store_list_rows - every row of sql, made by from_row, in order */
GPtrArray *
store_list_rows(Store *store, const char *sql, StoreRowFunc from_row,
    GDestroyNotify free_row, const char *what, GError **error)
{
	STORE_LOCK(store);
	g_autoptr(StoreStmt) st = NULL;
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(free_row);
	int rc;

	if (!stmt_prepare(store, &st, sql, error))
		return NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, from_row(st));
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, what);
		return NULL;
	}
	return g_steal_pointer(&list);
}

/* pragmas - busy_timeout first, then WAL, synchronous, foreign keys */
static gboolean
pragmas(Store *store, guint busy_timeout_ms, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	const unsigned char *mode;
	int rc;

	/* Before anything that may lock: switching to WAL itself waits. */
	rc = sqlite3_busy_timeout(
	    store->db, (int)MIN(busy_timeout_ms, (guint)G_MAXINT));
	if (rc != SQLITE_OK) {
		store_set_error(store, rc, error, "setting busy_timeout");
		return FALSE;
	}
	if (!stmt_prepare(store, &st, "PRAGMA journal_mode=WAL", error))
		return FALSE;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_set_error(store, rc, error, "setting journal_mode=WAL");
		return FALSE;
	}
	mode = sqlite3_column_text(st, 0);
	if (mode == NULL || g_ascii_strcasecmp((const char *)mode, "wal")) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "journal_mode=WAL refused (mode is %s)",
		    mode ? (const char *)mode : "unknown");
		return FALSE;
	}
	/* FULL: a committed share survives a power cut, in WAL mode too
	 * (NORMAL may lose the last commits); its price is in bench/. */
	return store_exec(store, "PRAGMA synchronous=FULL", error) &&
	       store_exec(store, "PRAGMA foreign_keys=ON", error);
}

/* store_open - open or create the database at path and migrate it */
Store *
store_open(const char *path, guint busy_timeout_ms, GError **error)
{
	g_autoptr(Store) store = NULL;
	GError *err = NULL;
	int rc;

	g_return_val_if_fail(path != NULL, NULL);
	store = g_new0(Store, 1);
	g_mutex_init(&store->lock);
	store->stmts = g_hash_table_new_full(
	    g_str_hash, g_str_equal, g_free, stmt_finalize);
	store->path = g_strdup(path);
	rc = sqlite3_open_v2(path, &store->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		/* SQLite says only "unable to open database file". */
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "%s: %s (does the directory exist, may this user write "
		    "there?)",
		    path, sqlite3_errmsg(store->db));
		return NULL;
	}
	sqlite3_extended_result_codes(store->db, 1);
	if (!pragmas(store, busy_timeout_ms, &err) ||
	    !store_schema_migrate(store, &err)) {
		g_set_error(error, err->domain, err->code, "%s: %s", path,
		    err->message);
		g_error_free(err);
		return NULL;
	}
	return g_steal_pointer(&store);
}

/* pragma_text - the value of a PRAGMA that returns one row, or "?" */
static char *
pragma_text(Store *store, const char *sql)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st, sql, NULL) ||
	    sqlite3_step(st) != SQLITE_ROW)
		return g_strdup("?");
	return g_ascii_strdown((const char *)sqlite3_column_text(st, 0), -1);
}

/* store_durability - what the connection promises, for the logs */
char *
store_durability(Store *store)
{
	static const char *const sync_names[] = { "off", "normal", "full",
		"extra" };
	g_autofree char *mode = NULL;
	g_autofree char *sync = NULL;
	guint64 n = 0;

	g_return_val_if_fail(store != NULL, NULL);
	g_mutex_lock(&store->lock);
	mode = pragma_text(store, "PRAGMA journal_mode");
	sync = pragma_text(store, "PRAGMA synchronous");
	g_mutex_unlock(&store->lock);
	if (g_ascii_string_to_unsigned(sync, 10, 0, 3, &n, NULL)) {
		g_free(sync);
		sync = g_strdup(sync_names[n]);
	}
	return g_strdup_printf("journal_mode=%s synchronous=%s", mode, sync);
}

/* store_close - close the connection; accepts NULL */
void
store_close(Store *store)
{
	if (store == NULL)
		return;
	g_hash_table_destroy(store->stmts); /* finalizes: before the close */
	if (store->db != NULL)
		sqlite3_close_v2(store->db);
	g_mutex_clear(&store->lock);
	g_free(store->path);
	g_free(store);
}

/* member_new - an empty Member */
Member *
member_new(void)
{
	return g_new0(Member, 1);
}

/* member_free - release a Member; accepts NULL */
void
member_free(Member *m)
{
	if (m == NULL)
		return;
	g_free(m->address);
	g_free(m->name);
	g_free(m->handle);
	g_free(m->capabilities);
	g_free(m);
}

/* share_new - an empty Share */
Share *
share_new(void)
{
	return g_new0(Share, 1);
}

/* share_free - release a Share; accepts NULL */
void
share_free(Share *s)
{
	if (s == NULL)
		return;
	g_free(s->sharer);
	g_free(s->recipient);
	g_free(s->recipient_name);
	g_free(s->requester);
	g_free(s->requester_name);
	g_free(s->subject);
	g_free(s->note);
	g_free(s->origin_key);
	g_free(s->status);
	g_free(s->queue_id);
	g_free(s);
}

/* outbox_item_new - an empty OutboxItem with an empty recipient list */
OutboxItem *
outbox_item_new(void)
{
	OutboxItem *item = g_new0(OutboxItem, 1);

	item->rcpts = g_ptr_array_new_with_free_func(g_free);
	item->states =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_free);
	return item;
}

/* outbox_item_free - release an OutboxItem; accepts NULL */
void
outbox_item_free(OutboxItem *item)
{
	if (item == NULL)
		return;
	g_free(item->kind);
	g_free(item->mail_from);
	if (item->rcpts != NULL)
		g_ptr_array_unref(item->rcpts);
	g_free(item->subject);
	if (item->message != NULL)
		g_bytes_unref(item->message);
	g_free(item->status);
	g_free(item->last_error);
	if (item->states != NULL)
		g_ptr_array_unref(item->states);
	g_free(item->member);
	g_free(item);
}

/* store_stats_free - release StoreStats; accepts NULL */
void
store_stats_free(StoreStats *stats)
{
	if (stats == NULL)
		return;
	if (stats->shares_by_status != NULL)
		g_hash_table_unref(stats->shares_by_status);
	if (stats->outbox_by_status != NULL)
		g_hash_table_unref(stats->outbox_by_status);
	if (stats->outbox_by_kind_status != NULL)
		g_hash_table_unref(stats->outbox_by_kind_status);
	if (stats->failed_rcpts_by_kind != NULL)
		g_hash_table_unref(stats->failed_rcpts_by_kind);
	if (stats->deferred_rcpts_by_kind != NULL)
		g_hash_table_unref(stats->deferred_rcpts_by_kind);
	g_free(stats);
}
