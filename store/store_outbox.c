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

#include <string.h>

#include "common/addr.h"
#include "common/util.h"
#include "store/store_int.h"

/* is_webhook - an item for a [webhook NAME], not for mail */
static gboolean
is_webhook(const OutboxItem *item)
{
	return g_strcmp0(item->kind, "webhook") == 0;
}

/* webhook_problem - a webhook row's one recipient is the NAME of its
 * [webhook NAME] group, never an address; NULL when it is fine */
static const char *
webhook_problem(const OutboxItem *item)
{
	const char *name;
	size_t n;

	if (item->rcpts->len != 1)
		return "a webhook item has one recipient, the webhook's name";
	name = g_ptr_array_index(item->rcpts, 0);
	n = strlen(name);
	if (n == 0 || n > 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return "a webhook's name is 1 to 64 of [a-z0-9._-]";
	return NULL;
}

/* check_item - what every queued item needs before it is written */
static gboolean
check_item(const OutboxItem *item, GError **error)
{
	const char *why = NULL;

	if (item->template == NULL &&
	    (item->message == NULL || g_bytes_get_size(item->message) == 0))
		why = "it has no message (and no template to render one)";
	else if (item->kind == NULL)
		why = "it has no kind";
	else if (item->mail_from == NULL ||
		 (*item->mail_from != '\0' && !addr_is_safe(item->mail_from)))
		why = "its envelope sender is not a safe address";
	else if (item->rcpts == NULL || item->rcpts->len == 0)
		why = "it has no recipient";
	else if (is_webhook(item))
		why = webhook_problem(item);
	for (guint i = 0;
	     why == NULL && !is_webhook(item) && i < item->rcpts->len; i++)
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
insert_rcpts(DbConn *db, gint64 id, GPtrArray *rcpts, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_RCPT_INSERT, error);

	if (st == NULL)
		return FALSE;
	for (guint i = 0; i < rcpts->len; i++) {
		db_reset(st);
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, i);
		db_bind_text(st, 3, g_ptr_array_index(rcpts, i));
		if (!db_done(st, "queueing a recipient", error))
			return FALSE;
	}
	return TRUE;
}

/* outbox_insert - one queued row; sets item->id and item->share_id */
gboolean
outbox_insert(
    DbConn *db, OutboxItem *item, gint64 share_id, gint64 now, GError **error)
{
	g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
	g_autoptr(DbStmt) st = NULL;
	gint64 id;

	if (!check_item(item, error) ||
	    (st = db_prepare(db, SQL_OUTBOX_INSERT, error)) == NULL)
		return FALSE;
	db_bind_id(st, 1, share_id);
	db_bind_text(st, 2, item->kind);
	db_bind_text(st, 3, item->mail_from);
	db_bind_text(st, 4, item->subject);
	/* empty until the worker renders it from item->template */
	db_bind_blob(st, 5, item->message ? item->message : empty);
	db_bind_int64(
	    st, 6, item->next_attempt_at ? item->next_attempt_at : now);
	db_bind_int64(st, 7, now);
	db_bind_text(st, 8, item->template);
	if (db_step(st, "queueing an outbox item", error) != DB_ROW) {
		if (error != NULL && *error == NULL)
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "queueing an outbox item: no id came back");
		return FALSE;
	}
	id = db_column_int64(st, 0);
	if (!db_done(st, "queueing an outbox item", error) ||
	    !insert_rcpts(db, id, item->rcpts, error))
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

/* outbox_unwind - after a rollback: the rows of items were never kept */
void
outbox_unwind(GPtrArray *items)
{
	for (guint i = 0; items != NULL && i < items->len; i++) {
		OutboxItem *item = g_ptr_array_index(items, i);

		item->id = 0;
		item->share_id = 0;
	}
}

/* store_outbox_add - queue one item that belongs to no share */
gboolean
store_outbox_add(Store *store, OutboxItem *item, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	gint64 now = util_now();

	g_return_val_if_fail(store != NULL && item != NULL, FALSE);
	if ((db = store_acquire(store, error)) == NULL || !db_begin(db, error))
		return FALSE;
	if (!outbox_insert(db, item, 0, now, error) || !db_commit(db, error)) {
		db_rollback(db);
		item->id = 0;
		return FALSE;
	}
	outbox_settle(item, now);
	return TRUE;
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
	c->template = g_strdup(item->template);
	return c;
}

/* load_rcpts - the recipients of row id into item->rcpts and ->states */
static gboolean
load_rcpts(DbConn *db, OutboxItem *item, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_RCPT_LOAD, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, item->id);
	while ((rc = db_step(st, "reading recipients", error)) == DB_ROW) {
		OutboxRcpt *r = outbox_rcpt_new(NULL);

		r->address = db_column_text(st, 0);
		g_free(r->status);
		r->status = db_column_text(st, 1);
		r->code = (int)db_column_int64(st, 2);
		r->text = db_column_text(st, 3);
		r->attempts = (guint)db_column_int64(st, 4);
		g_ptr_array_add(item->rcpts, g_strdup(r->address));
		g_ptr_array_add(item->states, r);
	}
	return rc == DB_DONE;
}

/* item_from_row - an OutboxItem from ITEM_COLUMNS [, message] */
static OutboxItem *
item_from_row(DbStmt *st, gboolean with_message)
{
	OutboxItem *item = outbox_item_new();

	item->id = db_column_int64(st, 0);
	item->share_id = db_column_int64(st, 1); /* NULL reads 0 */
	item->kind = db_column_text(st, 2);
	item->mail_from = db_column_text(st, 3);
	item->subject = db_column_text(st, 4);
	item->status = db_column_text(st, 5);
	item->attempts = (guint)db_column_int64(st, 6);
	item->next_attempt_at = db_column_int64(st, 7);
	item->last_error = db_column_text(st, 8);
	item->created_at = db_column_int64(st, 9);
	item->claim = db_column_int64(st, 10);
	item->lease_until = db_column_int64(st, 11);
	item->member = db_column_text(st, 12);
	item->template = db_column_text(st, 13);
	if (with_message)
		item->message = db_column_blob(st, MESSAGE_COLUMN);
	return item;
}

/* outbox_load - one row with its recipients; NULL without error if none */
OutboxItem *
outbox_load(DbConn *db, gint64 id, gboolean with_message, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_OUTBOX_LOAD, error);
	g_autoptr(OutboxItem) item = NULL;

	if (st == NULL)
		return NULL;
	db_bind_int64(st, 1, id);
	if (db_step(st, "reading an outbox item", error) != DB_ROW)
		return NULL;
	item = item_from_row(st, with_message);
	if (!load_rcpts(db, item, error))
		return NULL;
	return g_steal_pointer(&item);
}

/* store_outbox_get - one item with its message; NULL without error if none */
OutboxItem *
store_outbox_get(Store *store, gint64 id, GError **error)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL, NULL);
	if ((db = store_acquire(store, error)) == NULL)
		return NULL;
	return outbox_load(db, id, TRUE, error);
}

/* list_items - the rows and their recipients */
static gboolean
list_items(DbConn *db, GPtrArray *list, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_OUTBOX_LIST, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	while ((rc = db_step(st, "listing the outbox", error)) == DB_ROW)
		g_ptr_array_add(list, item_from_row(st, FALSE));
	if (rc != DB_DONE)
		return FALSE;
	for (guint i = 0; i < list->len; i++)
		if (!load_rcpts(db, g_ptr_array_index(list, i), error))
			return FALSE;
	return TRUE;
}

/* store_outbox_list - every item without its message, oldest first */
GPtrArray *
store_outbox_list(Store *store, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	g_autoptr(GPtrArray) list = NULL;
	gboolean ok;

	g_return_val_if_fail(store != NULL, NULL);
	list = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	if ((db = store_acquire_read(store, error)) == NULL)
		return NULL;
	/* One read transaction: rows and recipients from the same snapshot. */
	ok = db_begin_read(db, error) && list_items(db, list, error);
	db_rollback(db);
	return ok ? g_steal_pointer(&list) : NULL;
}

/* store_suppression_add - an address that bounced for good; refreshed
 * when it is there already */
gboolean
store_suppression_add(Store *store, const char *address, int code,
    const char *reason, gint64 outbox_id, GError **error)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	if ((db = store_acquire(store, error)) == NULL)
		return FALSE;
	return suppression_insert(
	    db, address, code, reason, outbox_id, util_now(), error);
}

/* suppression_insert - one suppression row */
gboolean
suppression_insert(DbConn *db, const char *address, int code,
    const char *reason, gint64 outbox_id, gint64 now, GError **error)
{
	g_autoptr(DbStmt) st = NULL;
	g_autofree char *addr = addr_normalize(address);

	if (addr == NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "cannot suppress \"%s\": not an address", address);
		return FALSE;
	}
	if ((st = db_prepare(db, SQL_SUPPRESSION_UPSERT, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, addr);
	db_bind_int64(st, 2, code);
	db_bind_text(st, 3, reason);
	db_bind_id(st, 4, outbox_id);
	db_bind_int64(st, 5, now);
	return db_done(st, "adding a suppression", error);
}

/* store_suppression_has - whether address bounced for good before, or
 * was forgotten ("passalong forget") */
gboolean
store_suppression_has(
    Store *store, const char *address, gboolean *has, GError **error)
{
	g_autofree char *addr = NULL;
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	g_return_val_if_fail(has != NULL, FALSE);
	*has = FALSE;
	addr = addr_normalize(address);
	if (addr == NULL)
		return TRUE; /* not an address: never suppressed */
	if ((db = store_acquire_read(store, error)) == NULL)
		return FALSE;
	/* plainly, or forgotten on request (only a salted hash is kept) */
	return privacy_suppressed(store, db, addr, has, error);
}
