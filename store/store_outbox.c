/*
 * store_outbox.c - outbox rows: insert, read back, list
 *
 * An outbox row holds a complete rendered message and its envelope; its
 * recipients are rows of outbox_rcpts in order. Rows are written either
 * inside store_share_record()'s transaction or alone by
 * store_outbox_add() (mail not tied to a share). The state changes of
 * delivery are in store_claim.c.
 *
 * Each recipient row also carries that recipient's own outcome (see
 * store_claim.c). The suppression list (addresses that bounced for
 * good) is here too: it is written by the sender's outcomes and read
 * by the milter before it accepts a share.
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
	" next_attempt_at, last_error, created_at, claim, lease_until,"        \
	" (SELECT sharer FROM shares WHERE shares.id = outbox.share_id)"
#define MESSAGE_COLUMN 13 /* after ITEM_COLUMNS */

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

/* outbox_rcpt_new - a recipient not tried yet */
OutboxRcpt *
outbox_rcpt_new(const char *address)
{
	OutboxRcpt *r = g_new0(OutboxRcpt, 1);

	r->address = g_strdup(address);
	r->status = g_strdup("queued");
	return r;
}

/* outbox_rcpt_free - release an OutboxRcpt; accepts NULL */
void
outbox_rcpt_free(OutboxRcpt *r)
{
	if (r == NULL)
		return;
	g_free(r->address);
	g_free(r->status);
	g_free(r->text);
	g_free(r);
}

/* rcpt_copy - a deep copy of an OutboxRcpt, for g_ptr_array_copy() */
static gpointer
rcpt_copy(gconstpointer src, gpointer unused)
{
	const OutboxRcpt *r = src;
	OutboxRcpt *c = outbox_rcpt_new(r->address);

	(void)unused;
	g_free(c->status);
	c->status = g_strdup(r->status);
	c->code = r->code;
	c->text = g_strdup(r->text);
	c->attempts = r->attempts;
	return c;
}

/* str_copy - g_strdup() for g_ptr_array_copy() */
static gpointer
str_copy(gconstpointer src, gpointer unused)
{
	(void)unused;
	return g_strdup(src);
}

/* outbox_item_copy - a deep copy, message shared (transfer full) */
OutboxItem *
outbox_item_copy(const OutboxItem *item)
{
	OutboxItem *c;

	g_return_val_if_fail(item != NULL, NULL);
	c = g_new0(OutboxItem, 1);
	*c = *item; /* the numbers; every pointer is replaced below */
	c->kind = g_strdup(item->kind);
	c->mail_from = g_strdup(item->mail_from);
	c->rcpts = g_ptr_array_copy(item->rcpts, str_copy, NULL);
	g_ptr_array_set_free_func(c->rcpts, g_free);
	c->subject = g_strdup(item->subject);
	c->message = item->message ? g_bytes_ref(item->message) : NULL;
	c->status = g_strdup(item->status);
	c->last_error = g_strdup(item->last_error);
	c->states = g_ptr_array_copy(item->states, rcpt_copy, NULL);
	g_ptr_array_set_free_func(c->states, (GDestroyNotify)outbox_rcpt_free);
	c->member = g_strdup(item->member);
	return c;
}

/* load_rcpts - the recipients of row id into item->rcpts and ->states */
static gboolean
load_rcpts(Store *store, OutboxItem *item, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"SELECT address, status, code, text, attempts"
		" FROM outbox_rcpts WHERE outbox_id = ? ORDER BY position",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, item->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		OutboxRcpt *r = outbox_rcpt_new(NULL);

		r->address = column_text(st, 0);
		g_free(r->status);
		r->status = column_text(st, 1);
		r->code = sqlite3_column_int(st, 2);
		r->text = column_text(st, 3);
		r->attempts = (guint)sqlite3_column_int64(st, 4);
		g_ptr_array_add(item->rcpts, g_strdup(r->address));
		g_ptr_array_add(item->states, r);
	}
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
	item->claim = sqlite3_column_int64(st, 10);
	item->lease_until = sqlite3_column_int64(st, 11);
	item->member = column_text(st, 12);
	if (with_message)
		item->message =
		    g_bytes_new(sqlite3_column_blob(st, MESSAGE_COLUMN),
			(gsize)sqlite3_column_bytes(st, MESSAGE_COLUMN));
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

/* store_suppression_add - an address that bounced for good; refreshed
 * when it is there already */
gboolean
store_suppression_add(Store *store, const char *address, int code,
    const char *reason, gint64 outbox_id, GError **error)
{
	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	STORE_LOCK(store);
	return suppression_insert(
	    store, address, code, reason, outbox_id, util_now(), error);
}

/* suppression_insert - one suppression row; the caller holds the lock */
gboolean
suppression_insert(Store *store, const char *address, int code,
    const char *reason, gint64 outbox_id, gint64 now, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	g_autofree char *addr = addr_normalize(address);

	if (addr == NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "cannot suppress \"%s\": not an address", address);
		return FALSE;
	}
	if (!stmt_prepare(store, &st,
		"INSERT INTO suppression (address, code, reason, outbox_id,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT (address) DO UPDATE SET code = excluded.code,"
		" reason = excluded.reason, outbox_id = excluded.outbox_id,"
		" created_at = excluded.created_at",
		error))
		return FALSE;
	bind_text(st, 1, addr);
	sqlite3_bind_int(st, 2, code);
	bind_text(st, 3, reason);
	if (outbox_id != 0)
		sqlite3_bind_int64(st, 4, outbox_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, now);
	return stmt_done(store, st, "adding a suppression", error);
}

/* store_suppression_has - whether address bounced for good before */
gboolean
store_suppression_has(
    Store *store, const char *address, gboolean *has, GError **error)
{
	g_autofree char *addr = NULL;
	int rc;

	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	g_return_val_if_fail(has != NULL, FALSE);
	*has = FALSE;
	addr = addr_normalize(address);
	if (addr == NULL)
		return TRUE; /* not an address: never suppressed */
	STORE_LOCK(store);
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"SELECT 1 FROM suppression WHERE address = ?", error))
		return FALSE;
	bind_text(st, 1, addr);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_set_error(
		    store, rc, error, "reading the suppression list");
		return FALSE;
	}
	*has = rc == SQLITE_ROW;
	return TRUE;
}
