/*
 * store_share.c - record a share and its outgoing mail in one transaction
 *
 * store_share_record() is what the milter waits on before it accepts a
 * message (DESIGN.md: accept only after a durable commit). It takes the
 * write lock up front (BEGIN IMMEDIATE) so that the duplicate check and
 * the inserts see the same database, and an MTA retry of a message
 * already recorded writes nothing.
 *
 * Trust: every field comes, at some remove, from mail; all are bound.
 */
#include "config.h"

#include "common/util.h"
#include "store/store_int.h"

#define SHARE_COLUMNS                                                          \
	"id, sharer, recipient, recipient_name, requester, requester_name,"    \
	" subject, note, origin_key, status, queue_id, created_at"

/* share_find_id - the id of the share with this key, 0 when none; the
 * caller holds store->lock */
gboolean
share_find_id(Store *store, const char *sharer, const char *recipient,
    const char *origin_key, gint64 *id, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	*id = 0;
	if (!stmt_prepare(store, &st,
		"SELECT id FROM shares WHERE sharer = ? AND recipient = ?"
		" AND origin_key = ?",
		error))
		return FALSE;
	bind_text(st, 1, sharer);
	bind_text(st, 2, recipient);
	bind_text(st, 3, origin_key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "looking for the share");
		return FALSE;
	}
	return TRUE;
}

/* insert_share - the shares row; sets share->id */
static gboolean
insert_share(Store *store, Share *share, gint64 now, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"INSERT INTO shares (sharer, recipient, recipient_name,"
		" requester, requester_name, subject, note, origin_key,"
		" status, queue_id, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		error))
		return FALSE;
	bind_text(st, 1, share->sharer);
	bind_text(st, 2, share->recipient);
	bind_text(st, 3, share->recipient_name);
	bind_text(st, 4, share->requester);
	bind_text(st, 5, share->requester_name);
	bind_text(st, 6, share->subject);
	bind_text(st, 7, share->note);
	bind_text(st, 8, share->origin_key);
	bind_text(st, 9, share->status ? share->status : "queued");
	bind_text(st, 10, share->queue_id);
	sqlite3_bind_int64(st, 11, share->created_at ? share->created_at : now);
	if (!stmt_done(store, st, "recording the share", error))
		return FALSE;
	share->id = sqlite3_last_insert_rowid(store->db);
	return TRUE;
}

/* record - the transaction's body; the caller begins and ends it */
static gboolean
record(Store *store, Share *share, GPtrArray *items, gint64 now, GError **error)
{
	if (!insert_share(store, share, now, error))
		return FALSE;
	for (guint i = 0; items != NULL && i < items->len; i++)
		if (!outbox_insert(store, g_ptr_array_index(items, i),
			share->id, now, error))
			return FALSE;
	return TRUE;
}

/* settle - after a commit, fill in what the store decided */
static void
settle(Share *share, GPtrArray *items, gint64 now)
{
	if (share->created_at == 0)
		share->created_at = now;
	if (share->status == NULL)
		share->status = g_strdup("queued");
	for (guint i = 0; items != NULL && i < items->len; i++)
		outbox_settle(g_ptr_array_index(items, i), now);
}

/* unwind - after a rollback, forget the ids that were never kept */
static void
unwind(Share *share, GPtrArray *items)
{
	share->id = 0;
	for (guint i = 0; items != NULL && i < items->len; i++) {
		OutboxItem *item = g_ptr_array_index(items, i);

		item->id = 0;
		item->share_id = 0;
	}
}

/* record_all - the transaction's body for every share not yet there */
static gboolean
record_all(Store *store, GPtrArray *shares, GPtrArray *lists, gboolean *created,
    gint64 now, GError **error)
{
	for (guint i = 0; i < shares->len; i++) {
		Share *share = shares->pdata[i];
		gint64 existing = 0;

		if (!share_find_id(store, share->sharer, share->recipient,
			share->origin_key, &existing, error))
			return FALSE;
		created[i] = existing == 0;
		if (existing != 0)
			share->id = existing; /* an MTA retry: nothing new */
		else if (!record(store, share, lists->pdata[i], now, error))
			return FALSE;
	}
	return TRUE;
}

/* store_shares_record - several shares and their mail, one transaction */
gboolean
store_shares_record(Store *store, GPtrArray *shares, GPtrArray *lists,
    gboolean *created, GError **error)
{
	gint64 now = util_now();
	gboolean ok = FALSE;

	g_return_val_if_fail(store != NULL && shares != NULL && lists != NULL &&
				 shares->len == lists->len && created != NULL,
	    FALSE);
	for (guint i = 0; i < shares->len; i++)
		created[i] = FALSE;
	g_mutex_lock(&store->lock);
	if (!store_begin(store, error))
		goto out;
	if (!record_all(store, shares, lists, created, now, error) ||
	    !store_commit(store, error)) {
		store_rollback(store);
		for (guint i = 0; i < shares->len; i++) {
			unwind(shares->pdata[i], lists->pdata[i]);
			created[i] = FALSE;
		}
		goto out;
	}
	for (guint i = 0; i < shares->len; i++)
		if (created[i])
			settle(shares->pdata[i], lists->pdata[i], now);
	ok = TRUE;
out:
	g_mutex_unlock(&store->lock);
	return ok;
}

/* store_share_record - one share and its mail, at most once per key */
gboolean
store_share_record(Store *store, Share *share, GPtrArray *items,
    gboolean *created, GError **error)
{
	g_autoptr(GPtrArray) shares = g_ptr_array_new();
	g_autoptr(GPtrArray) lists = g_ptr_array_new();
	gboolean made = FALSE, ok;

	g_return_val_if_fail(store != NULL && share != NULL, FALSE);
	g_ptr_array_add(shares, share);
	g_ptr_array_add(lists, items);
	ok = store_shares_record(store, shares, lists, &made, error);
	if (created != NULL)
		*created = made;
	return ok;
}

/* share_from_row - a Share from a row of SHARE_COLUMNS */
static gpointer
share_from_row(sqlite3_stmt *st)
{
	Share *s = share_new();

	s->id = sqlite3_column_int64(st, 0);
	s->sharer = column_text(st, 1);
	s->recipient = column_text(st, 2);
	s->recipient_name = column_text(st, 3);
	s->requester = column_text(st, 4);
	s->requester_name = column_text(st, 5);
	s->subject = column_text(st, 6);
	s->note = column_text(st, 7);
	s->origin_key = column_text(st, 8);
	s->status = column_text(st, 9);
	s->queue_id = column_text(st, 10);
	s->created_at = sqlite3_column_int64(st, 11);
	return s;
}

/* store_share_list - every share, oldest first */
GPtrArray *
store_share_list(Store *store, GError **error)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store_list_rows(store,
	    "SELECT " SHARE_COLUMNS " FROM shares ORDER BY id", share_from_row,
	    (GDestroyNotify)share_free, "listing shares", error);
}
