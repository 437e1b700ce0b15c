/*
 * store_digest.c - the weekly digest's rows (see store_digest.h)
 *
 * Reads are set-based: a batch of members is a range of ids, and each
 * section of their week is one statement for the whole range, its rows
 * grouped here by member and kept only inside that member's own window
 * (members of one batch may live in different zones, so the statement
 * reads the union of their windows). The write is one transaction
 * fenced by the primary key of digests (member_id, week): the INSERT
 * ... ON CONFLICT DO NOTHING either takes the week for this run or
 * finds it taken, and only a run that took it queues the mail.
 *
 * Trust: addresses, weeks and zone names are bound, never spliced.
 */
#include "config.h"

#include "common/addr.h"
#include "store/store_digest.h"
#include "store/store_int.h"

/* store_digest_candidate_free - accepts NULL */
void
store_digest_candidate_free(StoreDigestCandidate *c)
{
	if (c == NULL)
		return;
	member_free(c->member);
	g_free(c);
}

/* digest_share_free - a StoreDigestShare; accepts NULL */
static void
digest_share_free(StoreDigestShare *s)
{
	if (s == NULL)
		return;
	share_free(s->share);
	g_free(s);
}

/* store_digest_rows_free - accepts NULL */
void
store_digest_rows_free(StoreDigestRows *r)
{
	if (r == NULL)
		return;
	g_ptr_array_unref(r->shared_by);
	g_ptr_array_unref(r->shared_with);
	g_ptr_array_unref(r->waiting);
	g_free(r);
}

/* store_digest_sharer_free - accepts NULL */
void
store_digest_sharer_free(StoreDigestSharer *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	g_free(s);
}

/* store_digest_candidates - the next members by id who may be due */
GPtrArray *
store_digest_candidates(Store *store, gint64 after_id, guint max,
    const char *week_a, const char *week_b, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) st = NULL;
	g_autoptr(GPtrArray) out = NULL;
	DbStep rc;

	g_return_val_if_fail(store != NULL && week_a && week_b, NULL);
	if ((db = store_acquire(store, error)) == NULL ||
	    (st = db_prepare(db, SQL_DIGEST_CANDIDATES, error)) == NULL)
		return NULL;
	db_bind_int64(st, 1, after_id);
	db_bind_text(st, 2, week_a);
	db_bind_text(st, 3, week_b);
	db_bind_int64(st, 4, max);
	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)store_digest_candidate_free);
	while ((rc = db_step(st, "finding members due a digest", error)) ==
	       DB_ROW) {
		StoreDigestCandidate *c = g_new0(StoreDigestCandidate, 1);

		c->member = member_from_row(st);
		c->done_a = db_column_int64(st, 13) != 0;
		c->done_b = db_column_int64(st, 14) != 0;
		g_ptr_array_add(out, c);
	}
	return rc == DB_DONE ? g_steal_pointer(&out) : NULL;
}

/* rows_new - the empty week of one member */
static StoreDigestRows *
rows_new(gint64 member_id)
{
	StoreDigestRows *r = g_new0(StoreDigestRows, 1);

	r->member_id = member_id;
	r->shared_by =
	    g_ptr_array_new_with_free_func((GDestroyNotify)digest_share_free);
	r->shared_with =
	    g_ptr_array_new_with_free_func((GDestroyNotify)digest_share_free);
	r->waiting =
	    g_ptr_array_new_with_free_func((GDestroyNotify)digest_share_free);
	return r;
}

/* a batch being read: the windows, and a member id -> index map */
typedef struct {
	const StoreDigestWindow *w;
	guint n;
	GHashTable *index; /* gint64 * (in w) -> GUINT_TO_POINTER(i + 1) */
	GPtrArray *rows;   /* of StoreDigestRows *, as w */
	gint64 lo, hi, since, until;
} Batch;

/* batch_find - the index of member id in the batch, or -1 */
static int
batch_find(const Batch *b, gint64 id)
{
	guint i = GPOINTER_TO_UINT(g_hash_table_lookup(b->index, &id));

	return (int)i - 1;
}

/* in_window - whether t (0: never) is inside member i's week */
static gboolean
in_window(const Batch *b, int i, gint64 t)
{
	return t != 0 && t >= b->w[i].since && t < b->w[i].until;
}

typedef enum { SECTION_BY, SECTION_WITH, SECTION_WAITING } Section;

/* read_section - one section's statement for the batch, rows kept in
 * their member's window */
static gboolean
read_section(DbConn *db, Batch *b, Section which, GError **error)
{
	static const StoreSql sql[] = { SQL_DIGEST_SHARED_BY,
		SQL_DIGEST_SHARED_WITH, SQL_DIGEST_WAITING };
	g_autoptr(DbStmt) st = db_prepare(db, sql[which], error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, b->lo);
	db_bind_int64(st, 2, b->hi);
	if (which != SECTION_WAITING) {
		db_bind_int64(st, 3, b->since);
		db_bind_int64(st, 4, b->until);
	}
	while ((rc = db_step(st, "reading a week", error)) == DB_ROW) {
		int i = batch_find(b, db_column_int64(st, 27));
		StoreDigestRows *r;
		StoreDigestShare *ds;
		Share *s;
		gint64 when;

		if (i < 0)
			continue;       /* in the range, not in the batch */
		s = share_from_row(st); /* SHARE_COLUMNS, then the member */
		if (which == SECTION_BY) {
			when = in_window(b, i, s->created_at) ? s->created_at
							      : s->answered_at;
		} else if (which == SECTION_WITH) {
			when = db_column_int64(st, 28);
		} else {
			when = s->asked_at;
		}
		if (which != SECTION_WAITING && !in_window(b, i, when)) {
			share_free(s);
			continue;
		}
		r = g_ptr_array_index(b->rows, i);
		ds = g_new0(StoreDigestShare, 1);
		ds->share = s;
		ds->when = when;
		g_ptr_array_add(which == SECTION_BY     ? r->shared_by
				: which == SECTION_WITH ? r->shared_with
							: r->waiting,
		    ds);
	}
	return rc == DB_DONE;
}

/* read_balance - the counts, once per distinct year start in the batch
 * (members' zones put January 1 at different instants) */
static gboolean
read_balance(DbConn *db, Batch *b, GError **error)
{
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(gint64));

	for (guint i = 0; i < b->n; i++) {
		gboolean seen = FALSE;

		for (guint j = 0; j < starts->len && !seen; j++)
			seen = g_array_index(starts, gint64, j) ==
			       b->w[i].year_start;
		if (!seen)
			g_array_append_val(starts, b->w[i].year_start);
	}
	for (guint j = 0; j < starts->len; j++) {
		gint64 year = g_array_index(starts, gint64, j);
		g_autoptr(DbStmt) st =
		    db_prepare(db, SQL_DIGEST_BALANCE, error);
		DbStep rc;

		if (st == NULL)
			return FALSE;
		db_bind_int64(st, 1, b->lo);
		db_bind_int64(st, 2, b->hi);
		db_bind_int64(st, 3, year);
		while (
		    (rc = db_step(st, "counting a balance", error)) == DB_ROW) {
			int i = batch_find(b, db_column_int64(st, 0));
			StoreDigestRows *r;

			if (i < 0 || b->w[i].year_start != year)
				continue;
			r = g_ptr_array_index(b->rows, i);
			r->given_all = db_column_int64(st, 1);
			r->given_year = db_column_int64(st, 2);
			r->received_all = db_column_int64(st, 3);
			r->received_year = db_column_int64(st, 4);
		}
		if (rc != DB_DONE)
			return FALSE;
	}
	return TRUE;
}

/* store_digest_select - the week of each member of a batch */
GPtrArray *
store_digest_select(
    Store *store, const StoreDigestWindow *windows, guint n, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	g_autoptr(GHashTable) index =
	    g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)store_digest_rows_free);
	Batch b = { .w = windows, .n = n, .index = index, .rows = rows };
	gboolean ok;

	g_return_val_if_fail(store != NULL, NULL);
	g_return_val_if_fail(n <= STORE_DIGEST_SELECT_MAX, NULL);
	g_return_val_if_fail(n == 0 || windows != NULL, NULL);
	if (n == 0)
		return g_steal_pointer(&rows);
	b.lo = b.hi = windows[0].member_id;
	b.since = windows[0].since;
	b.until = windows[0].until;
	for (guint i = 0; i < n; i++) {
		b.lo = MIN(b.lo, windows[i].member_id);
		b.hi = MAX(b.hi, windows[i].member_id);
		b.since = MIN(b.since, windows[i].since);
		b.until = MAX(b.until, windows[i].until);
		g_hash_table_insert(index, (gpointer)&windows[i].member_id,
		    GUINT_TO_POINTER(i + 1));
		g_ptr_array_add(rows, rows_new(windows[i].member_id));
	}
	if ((db = store_acquire(store, error)) == NULL ||
	    !db_begin_read(db, error))
		return NULL;
	ok = read_section(db, &b, SECTION_BY, error) &&
	     read_section(db, &b, SECTION_WITH, error) &&
	     read_section(db, &b, SECTION_WAITING, error) &&
	     read_balance(db, &b, error);
	db_rollback(db); /* the snapshot ends */
	return ok ? g_steal_pointer(&rows) : NULL;
}

/* store_digest_top - the week's top sharers among public members */
GPtrArray *
store_digest_top(
    Store *store, gint64 since, gint64 until, guint max, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) st = NULL;
	g_autoptr(GPtrArray) out = NULL;
	DbStep rc;

	g_return_val_if_fail(store != NULL, NULL);
	if ((db = store_acquire(store, error)) == NULL ||
	    (st = db_prepare(db, SQL_DIGEST_TOP, error)) == NULL)
		return NULL;
	db_bind_int64(st, 1, since);
	db_bind_int64(st, 2, until);
	db_bind_int64(st, 3, max);
	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)store_digest_sharer_free);
	while ((rc = db_step(st, "finding the top sharers", error)) == DB_ROW) {
		StoreDigestSharer *s = g_new0(StoreDigestSharer, 1);

		s->name = db_column_text(st, 0);
		s->shares = db_column_int64(st, 1);
		g_ptr_array_add(out, s);
	}
	return rc == DB_DONE ? g_steal_pointer(&out) : NULL;
}

/* take_week - the INSERT that decides; *taken when this call made it */
static gboolean
take_week(DbConn *db, gint64 member_id, const char *week, gint64 now,
    gboolean *taken, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_DIGEST_INSERT, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, week);
	db_bind_int64(st, 3, now);
	rc = db_step(st, "taking a digest's week", error);
	if (rc == DB_FAIL || !db_done(st, "taking a digest's week", error))
		return FALSE;
	*taken = rc == DB_ROW;
	return TRUE;
}

/* link_outbox - digests.outbox_id of the week just taken */
static gboolean
link_outbox(DbConn *db, gint64 member_id, const char *week, gint64 outbox_id,
    GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_DIGEST_SET_OUTBOX, error);

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, member_id);
	db_bind_text(st, 2, week);
	db_bind_int64(st, 3, outbox_id);
	return db_done(st, "linking a digest to its mail", error);
}

/* enqueue_one - one entry, in the transaction db holds */
static gboolean
enqueue_one(DbConn *db, StoreDigestEntry *e, gint64 now, GError **error)
{
	gboolean taken = FALSE;

	e->created = FALSE;
	if (!take_week(db, e->member_id, e->week, now, &taken, error))
		return FALSE;
	if (taken && e->item != NULL &&
	    (!outbox_insert(db, e->item, 0, now, error) ||
		!link_outbox(db, e->member_id, e->week, e->item->id, error)))
		return FALSE;
	e->created = taken;
	return TRUE;
}

/* store_digest_enqueue_many - a batch of weeks and their mail, once */
gboolean
store_digest_enqueue_many(Store *store, StoreDigestEntry *entries, guint n,
    gint64 now, GError **error)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL && (n == 0 || entries), FALSE);
	for (guint i = 0; i < n; i++) {
		g_return_val_if_fail(entries[i].week != NULL, FALSE);
		entries[i].created = FALSE;
	}
	if (n == 0)
		return TRUE;
	if ((db = store_acquire(store, error)) == NULL || !db_begin(db, error))
		return FALSE;
	for (guint i = 0; i < n; i++)
		if (!enqueue_one(db, &entries[i], now, error))
			goto fail;
	if (!db_commit(db, error))
		goto fail;
	for (guint i = 0; i < n; i++)
		if (entries[i].created && entries[i].item != NULL)
			outbox_settle(entries[i].item, now);
	return TRUE;
fail:
	db_rollback(db);
	for (guint i = 0; i < n; i++) {
		entries[i].created = FALSE;
		if (entries[i].item != NULL)
			entries[i].item->id = 0;
	}
	return FALSE;
}

/* store_digest_enqueue - the week's row and its mail, once */
gboolean
store_digest_enqueue(Store *store, gint64 member_id, const char *week,
    OutboxItem *item, gint64 now, gboolean *created, GError **error)
{
	StoreDigestEntry e = {
		.member_id = member_id, .week = week, .item = item
	};
	gboolean ok;

	g_return_val_if_fail(created != NULL, FALSE);
	ok = store_digest_enqueue_many(store, &e, 1, now, error);
	*created = e.created;
	return ok;
}

/* token_one - keep fresh where the member has no token; read it back */
static gboolean
token_one(DbConn *db, const char *address, const char *fresh, char **token,
    GError **error)
{
	g_autoptr(DbStmt) set = db_prepare(db, SQL_MEMBER_TOKEN_SET, error);
	g_autoptr(DbStmt) get = NULL;
	DbStep rc;

	*token = NULL;
	if (set == NULL)
		return FALSE;
	db_bind_text(set, 1, address);
	db_bind_text(set, 2, fresh);
	if (!db_done(set, "making an unsubscribe token", error) ||
	    (get = db_prepare(db, SQL_MEMBER_BY_ADDRESS, error)) == NULL)
		return FALSE;
	db_bind_text(get, 1, address);
	rc = db_step(get, "reading an unsubscribe token", error);
	if (rc == DB_ROW)
		*token = db_column_text(get, 12); /* unsub_token */
	return rc != DB_FAIL && db_done(get, "reading a token", error);
}

/* store_digest_tokens - a batch's unsubscribe tokens, one transaction */
gboolean
store_digest_tokens(Store *store, const char *const *addresses,
    const char *const *fresh, guint n, char **tokens, GError **error)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL && (n == 0 || tokens), FALSE);
	for (guint i = 0; i < n; i++)
		tokens[i] = NULL;
	if (n == 0)
		return TRUE;
	if ((db = store_acquire(store, error)) == NULL || !db_begin(db, error))
		return FALSE;
	for (guint i = 0; i < n; i++) {
		g_autofree char *norm = addr_normalize(addresses[i]);

		if (norm != NULL &&
		    !token_one(db, norm, fresh[i], &tokens[i], error))
			goto fail;
	}
	if (db_commit(db, error))
		return TRUE;
fail:
	db_rollback(db);
	for (guint i = 0; i < n; i++)
		g_clear_pointer(&tokens[i], g_free);
	return FALSE;
}

/* store_member_set_digest - a member's day, hour, zone and credit */
gboolean
store_member_set_digest(Store *store, const char *address,
    const StoreDigestSettings *s, gboolean *found, GError **error)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
		"sat", "sun", "never" };
	g_autofree char *norm = NULL;
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) st = NULL;
	gboolean day_ok = !s->set_day || s->day == NULL;

	g_return_val_if_fail(store != NULL && address && s && found, FALSE);
	*found = FALSE;
	for (size_t i = 0; !day_ok && i < G_N_ELEMENTS(days); i++)
		day_ok = g_strcmp0(s->day, days[i]) == 0;
	if (!day_ok || (s->set_hour && (s->hour < -1 || s->hour > 23)) ||
	    (s->set_credit && s->public_credit != 0 && s->public_credit != 1)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "digest settings: day mon..sun or never, hour 0-23, "
		    "credit 0 or 1");
		return FALSE;
	}
	if ((norm = addr_normalize(address)) == NULL)
		return TRUE; /* not an address: nobody has it */
	if ((db = store_acquire(store, error)) == NULL ||
	    (st = db_prepare(db, SQL_MEMBER_SET_DIGEST, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, norm);
	db_bind_text(st, 2, s->day);
	db_bind_int64(st, 3, s->set_day ? 1 : 0);
	if (s->hour >= 0)
		db_bind_int64(st, 4, s->hour);
	else
		db_bind_null(st, 4);
	db_bind_int64(st, 5, s->set_hour ? 1 : 0);
	db_bind_text(st, 6, s->tz);
	db_bind_int64(st, 7, s->set_tz ? 1 : 0);
	db_bind_int64(st, 8, s->public_credit ? 1 : 0);
	db_bind_int64(st, 9, s->set_credit ? 1 : 0);
	if (!db_done(st, "changing a member's digest", error))
		return FALSE;
	*found = db_changes(st) == 1;
	return TRUE;
}
