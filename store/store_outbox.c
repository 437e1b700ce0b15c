/*
 * store_outbox.c - outbox rows: insert, read back, list
 *
 * An outbox row holds a complete rendered message and its envelope; its
 * recipients are rows of outbox_rcpts in order. Rows are written either
 * inside store_share_record()'s transaction or alone by
 * store_outbox_add() (mail not tied to a share). The state changes of
 * delivery are in store_claim.c.
 *
 * Trust: the envelope is checked here once more with addr_is_safe(), so
 * that nothing unfit for an SMTP command is ever queued.
 */
#include "config.h"

#include "common/addr.h"
#include "common/util.h"
#include "store/store_int.h"

#define ITEM_COLUMNS                                                           \
	"id, share_id, kind, mail_from, subject, status, attempts,"            \
	" next_attempt_at, last_error, created_at"

/* check_item - what every queued item needs before it is written */
static gboolean
check_item(const OutboxItem *item, GError **error)
{
	const char *why = NULL;

	if (item->message == NULL || g_bytes_get_size(item->message) == 0)
		why = "it has no message";
	else if (item->kind == NULL)
		why = "it has no kind";
	else if (item->mail_from == NULL ||
		 (*item->mail_from != '\0' && !addr_is_safe(item->mail_from)))
		why = "its envelope sender is not a safe address";
	else if (item->rcpts == NULL || item->rcpts->len == 0)
		why = "it has no recipient";
	for (guint i = 0; why == NULL && i < item->rcpts->len; i++)
		if (!addr_is_safe(g_ptr_array_index(item->rcpts, i)))
			why = "a recipient is not a safe address";
	if (why != NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "cannot queue an outbox item: %s", why);
		return FALSE;
	}
	return TRUE;
}

/* insert_rcpts - the envelope recipients of outbox row id, in order */
static gboolean
insert_rcpts(Store *store, gint64 id, GPtrArray *rcpts, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"INSERT INTO outbox_rcpts (outbox_id, position, address)"
		" VALUES (?, ?, ?)",
		error))
		return FALSE;
	for (guint i = 0; i < rcpts->len; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)i);
		bind_text(st, 3, g_ptr_array_index(rcpts, i));
		if (!stmt_done(store, st, "queueing a recipient", error))
			return FALSE;
	}
	return TRUE;
}

/* outbox_insert - one queued row; sets item->id and item->share_id */
gboolean
outbox_insert(
    Store *store, OutboxItem *item, gint64 share_id, gint64 now, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	gint64 id;

	if (!check_item(item, error) ||
	    !stmt_prepare(store, &st,
		"INSERT INTO outbox (share_id, kind, mail_from, subject,"
		" message, status, attempts, next_attempt_at, created_at)"
		" VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
		error))
		return FALSE;
	if (share_id != 0)
		sqlite3_bind_int64(st, 1, share_id);
	else
		sqlite3_bind_null(st, 1);
	bind_text(st, 2, item->kind);
	bind_text(st, 3, item->mail_from);
	bind_text(st, 4, item->subject);
	sqlite3_bind_blob64(st, 5, g_bytes_get_data(item->message, NULL),
	    g_bytes_get_size(item->message), SQLITE_STATIC);
	sqlite3_bind_int64(
	    st, 6, item->next_attempt_at ? item->next_attempt_at : now);
	sqlite3_bind_int64(st, 7, now);
	if (!stmt_done(store, st, "queueing an outbox item", error))
		return FALSE;
	id = sqlite3_last_insert_rowid(store->db);
	if (!insert_rcpts(store, id, item->rcpts, error))
		return FALSE;
	item->id = id;
	item->share_id = share_id;
	return TRUE;
}

/* outbox_settle - after the commit: the fields the store decided */
void
outbox_settle(OutboxItem *item, gint64 now)
{
	g_free(item->status);
	item->status = g_strdup("queued");
	item->attempts = 0;
	item->created_at = now;
	if (item->next_attempt_at == 0)
		item->next_attempt_at = now;
}

/* store_outbox_add - queue one item that belongs to no share */
gboolean
store_outbox_add(Store *store, OutboxItem *item, GError **error)
{
	gint64 now = util_now();
	gboolean ok = FALSE;

	g_return_val_if_fail(store != NULL && item != NULL, FALSE);
	g_mutex_lock(&store->lock);
	if (!store_begin(store, error))
		goto out;
	if (!outbox_insert(store, item, 0, now, error) ||
	    !store_commit(store, error)) {
		store_rollback(store);
		item->id = 0;
		goto out;
	}
	outbox_settle(item, now);
	ok = TRUE;
out:
	g_mutex_unlock(&store->lock);
	return ok;
}

/* load_rcpts - the recipients of row id into item->rcpts */
static gboolean
load_rcpts(Store *store, OutboxItem *item, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"SELECT address FROM outbox_rcpts WHERE outbox_id = ?"
		" ORDER BY position",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, item->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(item->rcpts, column_text(st, 0));
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "reading recipients");
		return FALSE;
	}
	return TRUE;
}

/* item_from_row - an OutboxItem from ITEM_COLUMNS [, message] */
static OutboxItem *
item_from_row(sqlite3_stmt *st, gboolean with_message)
{
	OutboxItem *item = outbox_item_new();

	item->id = sqlite3_column_int64(st, 0);
	item->share_id = sqlite3_column_int64(st, 1); /* NULL reads 0 */
	item->kind = column_text(st, 2);
	item->mail_from = column_text(st, 3);
	item->subject = column_text(st, 4);
	item->status = column_text(st, 5);
	item->attempts = (guint)sqlite3_column_int64(st, 6);
	item->next_attempt_at = sqlite3_column_int64(st, 7);
	item->last_error = column_text(st, 8);
	item->created_at = sqlite3_column_int64(st, 9);
	if (with_message)
		item->message = g_bytes_new(sqlite3_column_blob(st, 10),
		    (gsize)sqlite3_column_bytes(st, 10));
	return item;
}

/* outbox_load - one row with its recipients; NULL without error if none */
OutboxItem *
outbox_load(Store *store, gint64 id, gboolean with_message, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	g_autoptr(OutboxItem) item = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"SELECT " ITEM_COLUMNS ", message FROM outbox WHERE id = ?",
		error))
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return NULL;
	if (rc != SQLITE_ROW) {
		store_set_error(store, rc, error, "reading an outbox item");
		return NULL;
	}
	item = item_from_row(st, with_message);
	if (!load_rcpts(store, item, error))
		return NULL;
	return g_steal_pointer(&item);
}

/* store_outbox_get - one item with its message; NULL without error if none */
OutboxItem *
store_outbox_get(Store *store, gint64 id, GError **error)
{
	OutboxItem *item;

	g_return_val_if_fail(store != NULL, NULL);
	g_mutex_lock(&store->lock);
	item = outbox_load(store, id, TRUE, error);
	g_mutex_unlock(&store->lock);
	return item;
}

/* list_items - the rows and their recipients; the caller holds the lock */
static gboolean
list_items(Store *store, GPtrArray *list, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"SELECT " ITEM_COLUMNS " FROM outbox ORDER BY id", error))
		return FALSE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, item_from_row(st, FALSE));
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "listing the outbox");
		return FALSE;
	}
	for (guint i = 0; i < list->len; i++)
		if (!load_rcpts(store, g_ptr_array_index(list, i), error))
			return FALSE;
	return TRUE;
}

/* store_outbox_list - every item without its message, oldest first */
GPtrArray *
store_outbox_list(Store *store, GError **error)
{
	g_autoptr(GPtrArray) list = NULL;
	gboolean ok;

	g_return_val_if_fail(store != NULL, NULL);
	list = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	g_mutex_lock(&store->lock);
	/* One read transaction: rows and recipients from the same snapshot. */
	ok =
	    store_exec(store, "BEGIN", error) && list_items(store, list, error);
	store_rollback(store);
	g_mutex_unlock(&store->lock);
	return ok ? g_steal_pointer(&list) : NULL;
}
