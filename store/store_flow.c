/*
 * store_flow.c - the consent flow's rows: a share's answer, its
 * reminders and expiry, the automatic replies, and the rendered
 * message of an outbox row
 *
 * Every change of a share's state is ONE transaction that also queues
 * the outbox rows that must be sent because of it (flow/ decides which;
 * the rows name a template and are rendered by the worker). Each change
 * is fenced by the state it leaves: an answer moves a share only from
 * 'asked', so a second answer, or an answer racing the expiry, changes
 * nothing; a reminder is marked with the time it is sent, so every host
 * running the same tick sends it once (on PostgreSQL the due rows are
 * taken FOR UPDATE SKIP LOCKED).
 *
 * Trust: tokens and addresses come from mail; all are bound.
 */
#include "config.h"

#include "common/addr.h"
#include "store/store_int.h"

/* share_credited - read share's credited members into share->credited */
static gboolean
share_credited(DbConn *db, Share *share, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_CREDITS, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	if (share->credited == NULL)
		share->credited = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_set_size(share->credited, 0);
	db_bind_int64(st, 1, share->id);
	while ((rc = db_step(st, "reading credits", error)) == DB_ROW)
		g_ptr_array_add(share->credited, db_column_text(st, 0));
	return rc == DB_DONE;
}

/* share_by - one share by a statement with one parameter; NULL without
 * error when there is none */
static Share *
share_by(
    Store *store, StoreSql id, const char *text, gint64 num, GError **error)
{
	g_autoptr(DbConn) db = store_acquire_read(store, error);
	g_autoptr(DbStmt) st = NULL;

	if (db == NULL || (st = db_prepare(db, id, error)) == NULL)
		return NULL;
	if (text != NULL)
		db_bind_text(st, 1, text);
	else
		db_bind_int64(st, 1, num);
	if (db_step(st, "reading a share", error) == DB_ROW) {
		g_autoptr(Share) s = share_from_row(st);

		g_clear_pointer(&st, db_stmt_release);
		if (!share_credited(db, s, error))
			return NULL;
		return g_steal_pointer(&s);
	}
	return NULL;
}

/* store_share_get - the share with this id, or NULL */
Share *
store_share_get(Store *store, gint64 id, GError **error)
{
	g_return_val_if_fail(store != NULL, NULL);
	return share_by(store, SQL_SHARE_GET, NULL, id, error);
}

/* store_share_by_token - the share of intro+TOKEN@, or NULL */
Share *
store_share_by_token(Store *store, const char *token, GError **error)
{
	g_return_val_if_fail(store != NULL && token != NULL, NULL);
	return share_by(store, SQL_SHARE_BY_TOKEN, token, 0, error);
}

/* already_queued - whether the same mail to item's one recipient is
 * still queued for share id and not rendered yet: it renders from the
 * share as it is when sent, so a second row would say the same thing
 * twice (a credited member's "merged" note still waiting when the
 * friend says yes). A row claimed already may have rendered the share
 * as it was before: that one does not count */
static gboolean
already_queued(DbConn *db, gint64 id, const OutboxItem *item, gboolean *found,
    GError **error)
{
	g_autoptr(DbStmt) st = NULL;
	DbStep rc;

	*found = FALSE;
	if (item->template == NULL || item->message != NULL ||
	    item->rcpts == NULL || item->rcpts->len != 1)
		return TRUE;
	if ((st = db_prepare(db, SQL_OUTBOX_SAME_QUEUED, error)) == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, item->template);
	db_bind_text(st, 3, g_ptr_array_index(item->rcpts, 0));
	rc = db_step(st, "looking for a queued mail", error);
	*found = rc == DB_ROW;
	return rc != DB_FAIL;
}

/* queue_items - outbox rows of share id, in the open transaction; with
 * once, an item whose mail is already queued and unrendered is left out
 * (its id stays 0) */
static gboolean
queue_items(DbConn *db, gint64 id, GPtrArray *items, gboolean once, gint64 now,
    GError **error)
{
	for (guint i = 0; items != NULL && i < items->len; i++) {
		OutboxItem *item = g_ptr_array_index(items, i);
		gboolean found = FALSE;

		if (once && !already_queued(db, id, item, &found, error))
			return FALSE;
		if (!found && !outbox_insert(db, item, id, now, error))
			return FALSE;
	}
	return TRUE;
}

/* settle_items - after the commit: what the store decided */
static void
settle_items(GPtrArray *items, gint64 now)
{
	for (guint i = 0; items != NULL && i < items->len; i++)
		outbox_settle(g_ptr_array_index(items, i), now);
}

/* a fenced UPDATE of one share and the mail it queues, as a group write:
 * the answer, or one automatic reply to the friend */
typedef struct {
	StoreWrite w; /* first */
	StoreSql sql;
	gint64 id, max, now;
	const char *status, *answer, *reason; /* SQL_SHARE_ANSWER's */
	GPtrArray *items;
	gboolean once;    /* leave out a mail already queued unrendered */
	gboolean changed; /* the UPDATE took its row */
} FencedWrite;

/* fenced_run - the UPDATE, and its mail when it took the row */
static gboolean
fenced_run(DbConn *db, StoreWrite *w, GError **error)
{
	FencedWrite *f = (FencedWrite *)w;
	const char *what = f->sql == SQL_SHARE_ANSWER ? "answering a share"
						      : "counting a reply";
	g_autoptr(DbStmt) st = db_prepare(db, f->sql, error);
	DbStep rc;

	f->changed = FALSE;
	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, f->id);
	if (f->sql == SQL_SHARE_ANSWER) {
		db_bind_text(st, 2, "asked");
		db_bind_text(st, 3, f->status);
		db_bind_text(st, 4, f->answer);
		db_bind_text(st, 5, f->reason);
		db_bind_int64(st, 6, f->now);
	} else if (f->sql == SQL_SHARE_REPLIED)
		db_bind_int64(st, 2, f->max);
	rc = db_step(st, what, error);
	if (rc == DB_FAIL || !db_done(st, what, error))
		return FALSE;
	f->changed = rc == DB_ROW;
	g_clear_pointer(&st, db_stmt_release);
	return !f->changed ||
	       queue_items(db, f->id, f->items, f->once, f->now, error);
}

/* fenced_undo - rolled back: nothing changed, no row queued */
static void
fenced_undo(StoreWrite *w)
{
	FencedWrite *f = (FencedWrite *)w;

	f->changed = FALSE;
	outbox_unwind(f->items);
}

/* fenced_settle - committed: the queued rows' times and states */
static void
fenced_settle(StoreWrite *w)
{
	FencedWrite *f = (FencedWrite *)w;

	if (f->changed)
		settle_items(f->items, f->now);
}

/* fenced - run f in a group write; *changed whether its UPDATE took
 * the row (FALSE on failure) */
static gboolean
fenced(Store *store, FencedWrite *f, gboolean *changed, GError **error)
{
	gboolean ok;

	f->w.run = fenced_run;
	f->w.undo = fenced_undo;
	f->w.settle = fenced_settle;
	ok = store_group_write(store, &f->w, error);
	*changed = ok && f->changed;
	return ok;
}

/* store_share_answer - the friend's answer: from 'asked' to status, with
 * items queued; *changed FALSE (and nothing written) when the share was
 * no longer 'asked' */
gboolean
store_share_answer(Store *store, gint64 id, const char *status,
    const char *answer, const char *reason, gint64 now, GPtrArray *items,
    gboolean *changed, GError **error)
{
	/* the answer's mails render after it: each said once */
	FencedWrite f = { .sql = SQL_SHARE_ANSWER,
		.id = id,
		.now = now,
		.status = status,
		.answer = answer,
		.reason = reason,
		.items = items,
		.once = TRUE };

	g_return_val_if_fail(store != NULL && status != NULL, FALSE);
	g_return_val_if_fail(changed != NULL, FALSE);
	*changed = FALSE;
	return fenced(store, &f, changed, error);
}

/* reply_fenced - one automatic reply to the friend, queued with items
 * when the fenced UPDATE sql (id[, max]) takes its row; *allowed FALSE
 * (nothing written) when it does not */
static gboolean
reply_fenced(Store *store, StoreSql sql, gint64 id, gint64 max,
    GPtrArray *items, gint64 now, gboolean *allowed, GError **error)
{
	FencedWrite f = {
		.sql = sql, .id = id, .max = max, .now = now, .items = items
	};

	*allowed = FALSE;
	return fenced(store, &f, allowed, error);
}

/* store_share_reply_once - one more "how to answer" to the friend of a
 * share still asked, while fewer than max were sent, queued with items;
 * *allowed FALSE (nothing written) past max or once decided */
gboolean
store_share_reply_once(Store *store, gint64 id, gint64 max, GPtrArray *items,
    gint64 now, gboolean *allowed, GError **error)
{
	g_return_val_if_fail(store != NULL && allowed != NULL, FALSE);
	return reply_fenced(
	    store, SQL_SHARE_REPLIED, id, max, items, now, allowed, error);
}

/* store_share_answered_once - the one "already answered" note to the
 * friend of a decided share, queued with items; *allowed FALSE (nothing
 * written) when it was queued before, or the share is still asked. The
 * decision reset the share's reply count, and this moves it from 0 to
 * 1 in an UPDATE fenced on both: two hosts at once queue it once */
gboolean
store_share_answered_once(Store *store, gint64 id, GPtrArray *items, gint64 now,
    gboolean *allowed, GError **error)
{
	g_return_val_if_fail(store != NULL && allowed != NULL, FALSE);
	return reply_fenced(
	    store, SQL_SHARE_NOTED, id, 0, items, now, allowed, error);
}

/* due_ids - run a due statement (now, limit[, remind_after]): the ids */
static gboolean
due_ids(DbConn *db, StoreSql sql, gint64 now, guint max, gint64 after,
    GArray *ids, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, sql, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, max);
	if (sql == SQL_SHARE_REMIND_DUE)
		db_bind_int64(st, 3, after);
	while ((rc = db_step(st, "finding due shares", error)) == DB_ROW) {
		gint64 id = db_column_int64(st, 0);

		g_array_append_val(ids, id);
	}
	return rc == DB_DONE;
}

/* tick_one - mark the shares due for event, and queue what make gives
 * for each, in one transaction; their number in *n */
static gboolean
tick_one(Store *store, StoreSql sql, const char *event, gint64 now,
    gint64 after, guint max, StoreFlowItems make, gpointer data, guint *n,
    GError **error)
{
	g_autoptr(DbConn) db = store_acquire(store, error);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GPtrArray) queued =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);

	*n = 0;
	if (db == NULL || !db_begin(db, error))
		return FALSE;
	if (!due_ids(db, sql, now, max, after, ids, error))
		goto fail;
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		g_autoptr(Share) share = NULL;
		g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_GET, error);
		GPtrArray *items;

		if (st == NULL)
			goto fail;
		db_bind_int64(st, 1, id);
		if (db_step(st, "reading a share", error) != DB_ROW)
			goto fail;
		share = share_from_row(st);
		if (!share_credited(db, share, error))
			goto fail;
		items = make(share, event, data);
		if (items == NULL)
			continue;
		g_ptr_array_add(queued, items);
		if (!queue_items(db, id, items, FALSE, now, error))
			goto fail;
	}
	if (!db_commit(db, error))
		goto fail;
	for (guint i = 0; i < queued->len; i++)
		settle_items(g_ptr_array_index(queued, i), now);
	*n = ids->len;
	return TRUE;
fail:
	db_rollback(db);
	return FALSE;
}

/* store_share_tick - reminders (asked at least remind_after seconds ago,
 * not reminded, not expired) and expiries (asked, expires_at passed),
 * at most max of each; make gives each share's rows */
gboolean
store_share_tick(Store *store, gint64 now, gint64 remind_after, guint max,
    StoreFlowItems make, gpointer data, guint *reminded, guint *expired,
    GError **error)
{
	g_return_val_if_fail(store != NULL && make != NULL, FALSE);
	return tick_one(store, SQL_SHARE_EXPIRE_DUE, "expired", now, 0, max,
		   make, data, expired, error) &&
	       tick_one(store, SQL_SHARE_REMIND_DUE, "reminder", now,
		   remind_after, max, make, data, reminded, error);
}

/* count_or_id - the one number a statement with two text parameters,
 * or a text and a time, returns; 0 when there is no row */
static gboolean
count_or_id(Store *store, StoreSql sql, const char *a, const char *b, gint64 t,
    gint64 *out, GError **error)
{
	g_autoptr(DbConn) db = store_acquire_read(store, error);
	g_autoptr(DbStmt) st = NULL;
	DbStep rc;

	*out = 0;
	if (db == NULL || (st = db_prepare(db, sql, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, a);
	if (b != NULL)
		db_bind_text(st, 2, b);
	else
		db_bind_int64(st, 2, t);
	rc = db_step(st, "counting shares", error);
	if (rc == DB_ROW)
		*out = db_column_int64(st, 0);
	return rc != DB_FAIL;
}

/* store_share_count_asked - consent requests to friend since a time */
gboolean
store_share_count_asked(Store *store, const char *friend, gint64 since,
    gint64 *count, GError **error)
{
	g_return_val_if_fail(store != NULL && friend != NULL, FALSE);
	return count_or_id(
	    store, SQL_SHARE_COUNT_ASKED, friend, NULL, since, count, error);
}

/* store_share_open_for_pair - an open request of requester to friend */
gboolean
store_share_open_for_pair(Store *store, const char *requester,
    const char *friend, gint64 *id, GError **error)
{
	g_return_val_if_fail(store != NULL && requester && friend, FALSE);
	return count_or_id(
	    store, SQL_SHARE_OPEN_FOR_PAIR, requester, friend, 0, id, error);
}

/* store_member_set - a member's consent mode ("ask", "direct", or NULL:
 * unchanged) and confirmations (1, 0, or -1: unchanged) */
gboolean
store_member_set(Store *store, const char *address, const char *consent,
    int confirm, gboolean *found, GError **error)
{
	g_autofree char *norm = NULL;
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) st = NULL;

	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	g_return_val_if_fail(found != NULL, FALSE);
	*found = FALSE;
	if (consent != NULL && g_strcmp0(consent, "ask") != 0 &&
	    g_strcmp0(consent, "direct") != 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "consent \"%s\": use ask or direct", consent);
		return FALSE;
	}
	if ((norm = addr_normalize(address)) == NULL)
		return TRUE; /* not an address: nobody has it */
	if ((db = store_acquire(store, error)) == NULL ||
	    (st = db_prepare(db, SQL_MEMBER_SET, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, norm);
	db_bind_text(st, 2, consent);
	if (confirm >= 0)
		db_bind_int64(st, 3, confirm ? 1 : 0);
	else
		db_bind_null(st, 3);
	if (!db_done(st, "changing a member", error))
		return FALSE;
	*found = db_changes(st) == 1;
	return TRUE;
}

/* outbox_rendered_write - the rendered message of row id, fenced by
 * claim: STORE_ERROR_STALE when the row is no longer held by it */
gboolean
outbox_rendered_write(DbConn *db, gint64 id, gint64 claim, GBytes *message,
    const char *subject, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_OUTBOX_RENDERED, error);

	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, claim);
	db_bind_blob(st, 3, message);
	db_bind_text(st, 4, subject);
	if (!db_done(st, "storing a rendered message", error))
		return FALSE;
	if (db_changes(st) != 1) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_STALE,
		    "outbox item %" G_GINT64_FORMAT " is no longer held by "
		    "claim %" G_GINT64_FORMAT,
		    id, claim);
		return FALSE;
	}
	return TRUE;
}

/* store_outbox_rendered - the message the worker rendered for a claimed
 * row, kept under its claim */
gboolean
store_outbox_rendered(Store *store, gint64 id, gint64 claim, GBytes *message,
    const char *subject, GError **error)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL && message != NULL, FALSE);
	if ((db = store_acquire(store, error)) == NULL)
		return FALSE;
	return outbox_rendered_write(db, id, claim, message, subject, error);
}
