/*
 * store_claim.c - delivery states: claim what is due, mark the outcome
 *
 * A claim moves due rows to 'sending' for a lease (lease_until) in one
 * write transaction, so two senders (the daemon's worker and "passalong
 * outbox flush") never take the same row while the lease lasts. Each
 * claim adds one to the row's claim counter: that number fences every
 * later write of the sender that holds it, so a sender whose lease ran
 * out (it hung, or the store would not take its writes in time) can no
 * longer overwrite what the next claimant does. A sender extends its
 * lease while it works; a crashed sender's rows are due again once the
 * lease is over. The outcome of an intro also settles its share, in the
 * same transaction.
 *
 * The statements are written so that they also hold on PostgreSQL:
 * UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING (there, the
 * sub-select takes FOR UPDATE SKIP LOCKED).
 */
#include "config.h"

#include "store/store_int.h"

/* claim_rows - mark due rows 'sending' under a new claim; their ids */
static gboolean
claim_rows(Store *store, gint64 now, guint lease, guint max, GArray *ids,
    GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"UPDATE outbox SET status = 'sending', claimed_at = ?1,"
		" lease_until = ?1 + ?2, claim = claim + 1,"
		" attempts = attempts + 1"
		" WHERE id IN (SELECT id FROM outbox"
		"  WHERE (status = 'queued' AND next_attempt_at <= ?1)"
		"  OR (status = 'sending' AND lease_until < ?1)"
		"  ORDER BY next_attempt_at, id LIMIT ?3)"
		" RETURNING id",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, lease);
	sqlite3_bind_int64(st, 3, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);

		g_array_append_val(ids, id);
	}
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "claiming outbox items");
		return FALSE;
	}
	return TRUE;
}

/* by_due - oldest due first, as the claim chose them */
static gint
by_due(gconstpointer a, gconstpointer b)
{
	const OutboxItem *x = *(OutboxItem *const *)a;
	const OutboxItem *y = *(OutboxItem *const *)b;

	if (x->next_attempt_at != y->next_attempt_at)
		return x->next_attempt_at < y->next_attempt_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* load_rows - read the claimed rows back, in due order */
static gboolean
load_rows(Store *store, GArray *ids, GPtrArray *out, GError **error)
{
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		OutboxItem *item = outbox_load(store, id, TRUE, error);

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
	g_ptr_array_sort(out, by_due);
	return TRUE;
}

/* store_outbox_claim - take up to max due items for lease seconds */
GPtrArray *
store_outbox_claim(
    Store *store, gint64 now, guint lease, guint max, GError **error)
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
	if (claim_rows(store, now, lease, max, ids, error) &&
	    load_rows(store, ids, out, error) && store_commit(store, error))
		ok = TRUE;
	else
		store_rollback(store);
out:
	g_mutex_unlock(&store->lock);
	return ok ? g_steal_pointer(&out) : NULL;
}

/* store_outbox_claim_due - store_outbox_claim() for STORE_CLAIM_TIMEOUT */
GPtrArray *
store_outbox_claim_due(Store *store, gint64 now, guint max, GError **error)
{
	return store_outbox_claim(store, now, STORE_CLAIM_TIMEOUT, max, error);
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

/* settle_rcpts - the unfenced marks: every recipient not settled takes
 * the item's outcome (share_status "introduced" is a send) */
static gboolean
settle_rcpts(Store *store, gint64 id, const char *share_status, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"UPDATE outbox_rcpts SET status = ?2 WHERE outbox_id = ?1"
		" AND status IN ('queued', 'deferred')",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2,
	    g_strcmp0(share_status, "introduced") == 0 ? "sent" : "failed");
	return stmt_done(store, st, "settling recipients", error);
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
	       (settle_rcpts(store, id, share_status, error) &&
		   settle_share(store, id, share_status, error));
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
	    " claimed_at = NULL, lease_until = NULL WHERE id = ?1",
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
	    " last_error = ?3, claimed_at = NULL, lease_until = NULL WHERE id "
	    "= ?1",
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
	    " claimed_at = NULL, lease_until = NULL WHERE id = ?1",
	    id, 0, why, "failed", error);
}

/* fence - whether row id is still 'sending' under claim */
static gboolean
fence(Store *store, gint64 id, gint64 claim, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	/* on PostgreSQL: the same SELECT ... FOR UPDATE */
	if (!stmt_prepare(store, &st,
		"SELECT 1 FROM outbox WHERE id = ?1 AND claim = ?2"
		" AND status = 'sending'",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, claim);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return TRUE;
	if (rc == SQLITE_DONE)
		g_set_error(error, STORE_ERROR, STORE_ERROR_STALE,
		    "outbox item %" G_GINT64_FORMAT " is no longer held by "
		    "claim %" G_GINT64_FORMAT,
		    id, claim);
	else
		store_set_error(store, rc, error, "checking a claim");
	return FALSE;
}

/* store_outbox_extend - keep a claim: its lease now ends at lease_until */
gboolean
store_outbox_extend(
    Store *store, gint64 id, gint64 claim, gint64 lease_until, GError **error)
{
	g_return_val_if_fail(store != NULL, FALSE);
	STORE_LOCK(store);
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"UPDATE outbox SET lease_until = ?3 WHERE id = ?1"
		" AND claim = ?2 AND status = 'sending'",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, claim);
	sqlite3_bind_int64(st, 3, lease_until);
	if (!stmt_done(store, st, "extending a lease", error))
		return FALSE;
	if (sqlite3_changes(store->db) != 1) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_STALE,
		    "outbox item %" G_GINT64_FORMAT " is no longer held by "
		    "claim %" G_GINT64_FORMAT,
		    id, claim);
		return FALSE;
	}
	return TRUE;
}

/* write_rcpts - every recipient's outcome, by position */
static gboolean
write_rcpts(Store *store, const OutboxItem *item, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;

	if (!stmt_prepare(store, &st,
		"UPDATE outbox_rcpts SET status = ?3, code = ?4, text = ?5,"
		" attempts = ?6 WHERE outbox_id = ?1 AND position = ?2",
		error))
		return FALSE;
	for (guint i = 0; i < item->states->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(item->states, i);

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, item->id);
		sqlite3_bind_int(st, 2, (int)i);
		bind_text(st, 3, r->status);
		if (r->code != 0)
			sqlite3_bind_int(st, 4, r->code);
		else
			sqlite3_bind_null(st, 4);
		bind_text(st, 5, r->text);
		sqlite3_bind_int64(st, 6, r->attempts);
		if (!stmt_done(store, st, "recording a recipient", error))
			return FALSE;
	}
	return TRUE;
}

/* write_outcome - the row's own outcome, its share, notices, suppressions */
static gboolean
write_outcome(Store *store, const OutboxItem *item, const OutboxOutcome *o,
    GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	gboolean sent = g_strcmp0(o->status, "sent") == 0;

	if (!stmt_prepare(store, &st,
		"UPDATE outbox SET status = ?2, next_attempt_at = ?3,"
		" sent_at = ?4, last_error = ?5, claimed_at = NULL,"
		" lease_until = NULL WHERE id = ?1",
		error))
		return FALSE;
	sqlite3_bind_int64(st, 1, item->id);
	bind_text(st, 2, o->status);
	sqlite3_bind_int64(st, 3,
	    o->next_attempt_at ? o->next_attempt_at : item->next_attempt_at);
	if (sent)
		sqlite3_bind_int64(st, 4, o->now);
	else
		sqlite3_bind_null(st, 4);
	bind_text(st, 5, o->last_error);
	if (!stmt_done(store, st, "recording an outbox item", error))
		return FALSE;
	if ((sent || g_strcmp0(o->status, "failed") == 0) &&
	    !settle_share(
		store, item->id, sent ? "introduced" : "failed", error))
		return FALSE;
	for (guint i = 0; o->notices != NULL && i < o->notices->len; i++)
		if (!outbox_insert(store, g_ptr_array_index(o->notices, i),
			item->share_id, o->now, error))
			return FALSE;
	for (guint i = 0; o->suppress != NULL && i < o->suppress->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(o->suppress, i);

		if (!suppression_insert(store, r->address, r->code, r->text,
			item->id, o->now, error))
			return FALSE;
	}
	return TRUE;
}

/* store_outbox_record - recipients' outcomes [and the item's], fenced */
gboolean
store_outbox_record(Store *store, const OutboxItem *item,
    const OutboxOutcome *outcome, GError **error)
{
	gboolean ok;

	g_return_val_if_fail(store != NULL && item != NULL, FALSE);
	g_return_val_if_fail(item->states->len == item->rcpts->len, FALSE);
	g_return_val_if_fail(outcome == NULL || outcome->status != NULL, FALSE);
	STORE_LOCK(store);
	if (!store_begin(store, error))
		return FALSE;
	ok = fence(store, item->id, item->claim, error) &&
	     write_rcpts(store, item, error) &&
	     (outcome == NULL || write_outcome(store, item, outcome, error)) &&
	     store_commit(store, error);
	if (!ok)
		store_rollback(store);
	else
		for (guint i = 0; outcome != NULL && outcome->notices != NULL &&
				  i < outcome->notices->len;
		     i++)
			outbox_settle(g_ptr_array_index(outcome->notices, i),
			    outcome->now);
	return ok;
}
