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
 * The claim is one statement on both engines, UPDATE ... WHERE id IN
 * (SELECT ... LIMIT n) RETURNING id; on PostgreSQL the sub-select takes
 * FOR UPDATE SKIP LOCKED, so hosts claiming at once take different rows
 * and no host waits on another's claim. No transaction is held open
 * while mail is sent: a claim commits, the sender talks SMTP, and its
 * record is a new transaction fenced by the claim counter.
 */
#include "config.h"

#include "store/store_int.h"

/* claim_rows - mark due rows 'sending' under a new claim; their ids */
static gboolean
claim_rows(
    DbConn *db, gint64 now, guint lease, guint max, GArray *ids, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_CLAIM, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, lease);
	db_bind_int64(st, 3, max);
	while ((rc = db_step(st, "claiming outbox items", error)) == DB_ROW) {
		gint64 id = db_column_int64(st, 0);

		g_array_append_val(ids, id);
	}
	return rc == DB_DONE;
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
load_rows(DbConn *db, GArray *ids, GPtrArray *out, GError **error)
{
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		OutboxItem *item = outbox_load(db, id, TRUE, error);

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
	g_autoptr(DbConn) db = NULL;
	g_autoptr(GPtrArray) out = NULL;
	g_autoptr(GArray) ids = NULL;

	g_return_val_if_fail(store != NULL, NULL);
	out = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	if (max == 0)
		return g_steal_pointer(&out);
	ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	if ((db = store_acquire(store, error)) == NULL || !db_begin(db, error))
		return NULL;
	if (claim_rows(db, now, lease, max, ids, error) &&
	    load_rows(db, ids, out, error) && db_commit(db, error))
		return g_steal_pointer(&out);
	db_rollback(db);
	return NULL;
}

/* store_outbox_claim_due - store_outbox_claim() for STORE_CLAIM_TIMEOUT */
GPtrArray *
store_outbox_claim_due(Store *store, gint64 now, guint max, GError **error)
{
	return store_outbox_claim(store, now, STORE_CLAIM_TIMEOUT, max, error);
}

/* settle_share - an intro's outcome becomes its share's status */
static gboolean
settle_share(DbConn *db, gint64 id, const char *status, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_SETTLE, error);

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, status);
	return db_done(st, "updating the share", error);
}

/* settle_rcpts - the unfenced marks: every recipient not settled takes
 * the item's outcome (share_status "introduced" is a send) */
static gboolean
settle_rcpts(DbConn *db, gint64 id, const char *share_status, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_RCPT_SETTLE, error);

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2,
	    g_strcmp0(share_status, "introduced") == 0 ? "sent" : "failed");
	return db_done(st, "settling recipients", error);
}

/* What an unfenced mark binds after the row's id (?1). */
typedef struct {
	StoreSql sql;
	gboolean has_at;          /* ?2 is a time */
	const char *share_status; /* the share's, or NULL */
} Mark;

/* set_state - one UPDATE of row id: ?2 is at or why, ?3 why */
static gboolean
set_state(DbConn *db, const Mark *m, gint64 id, gint64 at, const char *why,
    GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, m->sql, error);

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	if (m->has_at) {
		db_bind_int64(st, 2, at);
		if (m->sql == SQL_OUTBOX_RETRY)
			db_bind_text(st, 3, why);
	} else
		db_bind_text(st, 2, why);
	if (!db_done(st, "updating an outbox item", error))
		return FALSE;
	if (db_changes(st) != 1) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "no outbox item %" G_GINT64_FORMAT, id);
		return FALSE;
	}
	return m->share_status == NULL ||
	       (settle_rcpts(db, id, m->share_status, error) &&
		   settle_share(db, id, m->share_status, error));
}

/* mark - set_state in its own transaction */
static gboolean
mark(Store *store, const Mark *m, gint64 id, gint64 at, const char *why,
    GError **error)
{
	g_autoptr(DbConn) db = store_acquire(store, error);

	if (db == NULL || !db_begin(db, error))
		return FALSE;
	if (set_state(db, m, id, at, why, error) && db_commit(db, error))
		return TRUE;
	db_rollback(db);
	return FALSE;
}

/* store_outbox_mark_sent - delivered; an intro's share is introduced */
gboolean
store_outbox_mark_sent(Store *store, gint64 id, gint64 now, GError **error)
{
	static const Mark m = { SQL_OUTBOX_SENT, TRUE, "introduced" };

	g_return_val_if_fail(store != NULL, FALSE);
	return mark(store, &m, id, now, NULL, error);
}

/* store_outbox_mark_retry - queued again, due at next_at */
gboolean
store_outbox_mark_retry(
    Store *store, gint64 id, gint64 next_at, const char *why, GError **error)
{
	static const Mark m = { SQL_OUTBOX_RETRY, TRUE, NULL };

	g_return_val_if_fail(store != NULL, FALSE);
	return mark(store, &m, id, next_at, why, error);
}

/* store_outbox_mark_failed - given up; an intro's share failed */
gboolean
store_outbox_mark_failed(
    Store *store, gint64 id, const char *why, GError **error)
{
	static const Mark m = { SQL_OUTBOX_FAILED, FALSE, "failed" };

	g_return_val_if_fail(store != NULL, FALSE);
	return mark(store, &m, id, 0, why, error);
}

/* stale - the error of a fenced write whose claim was taken over */
static void
stale(GError **error, gint64 id, gint64 claim)
{
	g_set_error(error, STORE_ERROR, STORE_ERROR_STALE,
	    "outbox item %" G_GINT64_FORMAT " is no longer held by "
	    "claim %" G_GINT64_FORMAT,
	    id, claim);
}

/* fence - whether row id is still 'sending' under claim (PostgreSQL:
 * and the row is locked until the transaction ends) */
static gboolean
fence(DbConn *db, gint64 id, gint64 claim, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_FENCE, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, claim);
	rc = db_step(st, "checking a claim", error);
	if (rc == DB_DONE)
		stale(error, id, claim);
	return rc == DB_ROW;
}

/* store_outbox_extend - keep a claim: its lease now ends at lease_until */
gboolean
store_outbox_extend(
    Store *store, gint64 id, gint64 claim, gint64 lease_until, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) st = NULL;

	g_return_val_if_fail(store != NULL, FALSE);
	if ((db = store_acquire(store, error)) == NULL ||
	    (st = db_prepare(db, SQL_EXTEND, error)) == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, claim);
	db_bind_int64(st, 3, lease_until);
	if (!db_done(st, "extending a lease", error))
		return FALSE;
	if (db_changes(st) != 1) {
		stale(error, id, claim);
		return FALSE;
	}
	return TRUE;
}

/* write_rcpts - every recipient's outcome, by position */
static gboolean
write_rcpts(DbConn *db, const OutboxItem *item, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_RCPT_WRITE, error);

	if (st == NULL)
		return FALSE;
	for (guint i = 0; i < item->states->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(item->states, i);

		db_reset(st);
		db_bind_int64(st, 1, item->id);
		db_bind_int64(st, 2, i);
		db_bind_text(st, 3, r->status);
		if (r->code != 0)
			db_bind_int64(st, 4, r->code);
		else
			db_bind_null(st, 4);
		db_bind_text(st, 5, r->text);
		db_bind_int64(st, 6, r->attempts);
		if (!db_done(st, "recording a recipient", error))
			return FALSE;
	}
	return TRUE;
}

/* write_outcome - the row's own outcome, its share, notices, suppressions */
static gboolean
write_outcome(
    DbConn *db, const OutboxItem *item, const OutboxOutcome *o, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_OUTBOX_WRITE, error);
	gboolean sent = g_strcmp0(o->status, "sent") == 0;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, item->id);
	db_bind_text(st, 2, o->status);
	db_bind_int64(st, 3,
	    o->next_attempt_at ? o->next_attempt_at : item->next_attempt_at);
	if (sent)
		db_bind_int64(st, 4, o->now);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, o->last_error);
	if (!db_done(st, "recording an outbox item", error))
		return FALSE;
	if ((sent || g_strcmp0(o->status, "failed") == 0) &&
	    !settle_share(db, item->id, sent ? "introduced" : "failed", error))
		return FALSE;
	for (guint i = 0; o->notices != NULL && i < o->notices->len; i++)
		if (!outbox_insert(db, g_ptr_array_index(o->notices, i),
			item->share_id, o->now, error))
			return FALSE;
	for (guint i = 0; o->suppress != NULL && i < o->suppress->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(o->suppress, i);

		if (!suppression_insert(db, r->address, r->code, r->text,
			item->id, o->now, error))
			return FALSE;
	}
	return TRUE;
}

/* write_one - one fenced write; FALSE only when the transaction must
 * end (a stale claim is that write's own error, in w->error) */
static gboolean
write_one(DbConn *db, OutboxWrite *w, GError **error)
{
	const OutboxItem *item = w->item;
	GError *err = NULL;
	gboolean ok;

	if (w->rendered)
		ok = outbox_rendered_write(db, item->id, item->claim,
		    item->message, item->subject, &err);
	else
		ok = fence(db, item->id, item->claim, &err) &&
		     write_rcpts(db, item, &err) &&
		     (w->outcome == NULL ||
			 write_outcome(db, item, w->outcome, &err));
	if (ok)
		return TRUE;
	if (g_error_matches(err, STORE_ERROR, STORE_ERROR_STALE)) {
		w->error = err; /* nothing was written for it */
		return TRUE;
	}
	g_propagate_error(error, err);
	return FALSE;
}

/* store_outbox_write - several fenced writes in ONE transaction */
gboolean
store_outbox_write(Store *store, OutboxWrite *writes, guint n, GError **error)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(
	    store != NULL && (writes != NULL || n == 0), FALSE);
	for (guint i = 0; i < n; i++) {
		const OutboxWrite *w = &writes[i];

		g_return_val_if_fail(
		    w->item != NULL && w->error == NULL, FALSE);
		g_return_val_if_fail(
		    w->item->states->len == w->item->rcpts->len, FALSE);
		g_return_val_if_fail(
		    w->outcome == NULL || w->outcome->status != NULL, FALSE);
		g_return_val_if_fail(
		    !w->rendered || w->item->message != NULL, FALSE);
	}
	if ((db = store_acquire(store, error)) == NULL || !db_begin(db, error))
		return FALSE;
	for (guint i = 0; i < n; i++) {
		if (!write_one(db, &writes[i], error))
			goto fail;
	}
	if (!db_commit(db, error))
		goto fail;
	for (guint i = 0; i < n; i++) {
		const OutboxOutcome *o = writes[i].outcome;

		for (guint j = 0; writes[i].error == NULL && o != NULL &&
				  o->notices != NULL && j < o->notices->len;
		     j++)
			outbox_settle(g_ptr_array_index(o->notices, j), o->now);
	}
	return TRUE;
fail:
	db_rollback(db);
	for (guint i = 0; i < n; i++)
		g_clear_error(&writes[i].error);
	return FALSE;
}

/* store_outbox_record - recipients' outcomes [and the item's], fenced */
gboolean
store_outbox_record(Store *store, const OutboxItem *item,
    const OutboxOutcome *outcome, GError **error)
{
	OutboxWrite w = { .item = item, .outcome = outcome };

	g_return_val_if_fail(store != NULL && item != NULL, FALSE);
	if (!store_outbox_write(store, &w, 1, error))
		return FALSE;
	if (w.error != NULL) {
		g_propagate_error(error, w.error);
		return FALSE;
	}
	return TRUE;
}
