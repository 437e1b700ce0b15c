/*
 * store_claim.c - delivery states: claim what is due, mark the outcome
 *
 * A claim moves due rows to 'sending' in one write transaction, so two
 * senders (the daemon's worker and "passalong outbox flush") never take
 * the same row. A row stays claimed for STORE_CLAIM_TIMEOUT seconds; past
 * that its sender is presumed dead and the row is due again (delivery is
 * then at least once, the usual trade for a crashed sender). The outcome
 * of an intro also settles its share, in the same transaction.
 */
#include "config.h"

#include "store/store_int.h"

/* due_ids - the ids of rows due at now, oldest due first */
static gboolean
due_ids(Store *store, gint64 now, guint max, GArray *ids, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"SELECT id FROM outbox"
		" WHERE (status = 'queued' AND next_attempt_at <= ?1)"
		" OR (status = 'sending' AND claimed_at < ?2)"
		" ORDER BY next_attempt_at, id LIMIT ?3",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now - STORE_CLAIM_TIMEOUT);
	sqlite3_bind_int64(st, 3, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);

		g_array_append_val(ids, id);
	}
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "finding due outbox items");
		return FALSE;
	}
	return TRUE;
}

/* claim_ids - mark the rows 'sending' and read them back */
static gboolean
claim_ids(Store *store, GArray *ids, gint64 now, GPtrArray *out, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"UPDATE outbox SET status = 'sending', claimed_at = ?2,"
		" attempts = attempts + 1 WHERE id = ?1",
		error))
		return FALSE;
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		OutboxItem *item;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		if (!stmt_done(store, st, "claiming an outbox item", error))
			return FALSE;
		item = outbox_load(store, id, TRUE, error);
		if (item == NULL) {
			if (error == NULL || *error == NULL)
				g_set_error(error, STORE_ERROR,
				    STORE_ERROR_FAILED,
				    "outbox item %" G_GINT64_FORMAT
				    " vanished while claimed",
				    id);
			return FALSE;
		}
		g_ptr_array_add(out, item);
	}
	return TRUE;
}

/* store_outbox_claim_due - take up to max due items for delivery */
GPtrArray *
store_outbox_claim_due(Store *store, gint64 now, guint max, GError **error)
{
	g_autoptr(GPtrArray) out = NULL;
	g_autoptr(GArray) ids = NULL;
	gboolean ok = FALSE;

	g_return_val_if_fail(store != NULL, NULL);
	out = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	if (max == 0)
		return g_steal_pointer(&out);
	ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_mutex_lock(&store->lock);
	if (!store_begin(store, error))
		goto out;
	if (due_ids(store, now, max, ids, error) &&
	    claim_ids(store, ids, now, out, error) &&
	    store_commit(store, error))
		ok = TRUE;
	else
		store_rollback(store);
out:
	g_mutex_unlock(&store->lock);
	return ok ? g_steal_pointer(&out) : NULL;
}

/* settle_share - an intro's outcome becomes its share's status */
static gboolean
settle_share(Store *store, gint64 id, const char *status, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"UPDATE shares SET status = ?2 WHERE id = (SELECT share_id"
		" FROM outbox WHERE id = ?1 AND kind = 'intro')",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, status);
	return stmt_done(store, st, "updating the share", error);
}

/* set_state - one UPDATE of row id (?1), binding ?2 and ?3 if it has them */
static gboolean
set_state(Store *store, const char *sql, gint64 id, gint64 at, const char *why,
    const char *share_status, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st, sql, error))
		return FALSE;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, at);
	if (sqlite3_bind_parameter_count(st) >= 3)
		bind_text(st, 3, why);
	if (!stmt_done(store, st, "updating an outbox item", error))
		return FALSE;
	if (sqlite3_changes(store->db) != 1) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "no outbox item %" G_GINT64_FORMAT, id);
		return FALSE;
	}
	return share_status == NULL ||
	       settle_share(store, id, share_status, error);
}

/* mark - set_state in its own transaction, under the lock */
static gboolean
mark(Store *store, const char *sql, gint64 id, gint64 at, const char *why,
    const char *share_status, GError **error)
{
	gboolean ok = FALSE;

	g_mutex_lock(&store->lock);
	if (store_begin(store, error)) {
		ok = set_state(store, sql, id, at, why, share_status, error) &&
		     store_commit(store, error);
		if (!ok)
			store_rollback(store);
	}
	g_mutex_unlock(&store->lock);
	return ok;
}

/* store_outbox_mark_sent - delivered; an intro's share is introduced */
gboolean
store_outbox_mark_sent(Store *store, gint64 id, gint64 now, GError **error)
{
	g_return_val_if_fail(store != NULL, FALSE);
	return mark(store,
	    "UPDATE outbox SET status = 'sent', sent_at = ?2,"
	    " claimed_at = NULL WHERE id = ?1",
	    id, now, NULL, "introduced", error);
}

/* store_outbox_mark_retry - queued again, due at next_at */
gboolean
store_outbox_mark_retry(
    Store *store, gint64 id, gint64 next_at, const char *why, GError **error)
{
	g_return_val_if_fail(store != NULL, FALSE);
	return mark(store,
	    "UPDATE outbox SET status = 'queued', next_attempt_at = ?2,"
	    " last_error = ?3, claimed_at = NULL WHERE id = ?1",
	    id, next_at, why, NULL, error);
}

/* store_outbox_mark_failed - given up; an intro's share failed */
gboolean
store_outbox_mark_failed(
    Store *store, gint64 id, const char *why, GError **error)
{
	g_return_val_if_fail(store != NULL, FALSE);
	return mark(store,
	    "UPDATE outbox SET status = 'failed', last_error = ?3,"
	    " claimed_at = NULL WHERE id = ?1",
	    id, 0, why, "failed", error);
}
