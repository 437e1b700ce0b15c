/*
 * store_share.c - record a share and its outgoing mail in one transaction
 *
 * store_share_record() is what the milter waits on before it accepts a
 * message (DESIGN.md: accept only after a durable commit). The unique
 * keys are the only arbiters: the share's INSERT ... ON CONFLICT DO
 * NOTHING either creates it, and the outbox rows follow in the same
 * transaction, or finds a key taken (PostgreSQL waits for the host
 * whose transaction holds it, then does nothing). Taken by its own key
 * (sharer, recipient, origin_key): an MTA retry of a message already
 * recorded, or the same forward reaching another host at the same
 * moment; nothing is written. Taken by the partial unique index
 * shares_open_pair (one open request per requester and friend): another
 * member asked this friend about this requester already; the share is
 * merged into that open request, its member credited there
 * (share_credits, whose own key makes a retry write nothing), and the
 * friend is asked once.
 *
 * On SQLite a share commits with whatever other writes wait (a group
 * commit, store_group.c): one fsync for the lot, where each share alone
 * wrote about sixteen pages and synced them.
 *
 * Trust: every field comes, at some remove, from mail; all are bound.
 */
#include "config.h"

#include "common/util.h"
#include "store/store_int.h"

/* share_find_id - the id of the share with this key, 0 when none */
gboolean
share_find_id(DbConn *db, const char *sharer, const char *recipient,
    const char *origin_key, gint64 *id, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_FIND, error);
	DbStep rc;

	*id = 0;
	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, sharer);
	db_bind_text(st, 2, recipient);
	db_bind_text(st, 3, origin_key);
	rc = db_step(st, "looking for the share", error);
	if (rc == DB_ROW)
		*id = db_column_int64(st, 0);
	return rc != DB_FAIL;
}

/* insert_share - the shares row unless its key is taken; sets share->id,
 * or leaves it 0 when the key was taken */
static gboolean
insert_share(DbConn *db, Share *share, gint64 now, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_INSERT, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, share->sharer);
	db_bind_text(st, 2, share->recipient);
	db_bind_text(st, 3, share->recipient_name);
	db_bind_text(st, 4, share->requester);
	db_bind_text(st, 5, share->requester_name);
	db_bind_text(st, 6, share->subject);
	db_bind_text(st, 7, share->note);
	db_bind_text(st, 8, share->origin_key);
	db_bind_text(st, 9, share->status ? share->status : "queued");
	db_bind_text(st, 10, share->queue_id);
	db_bind_int64(st, 11, share->created_at ? share->created_at : now);
	db_bind_text(st, 12, share->member_name);
	db_bind_text(st, 13, share->requester_org);
	db_bind_text(st, 14, share->request_text);
	db_bind_id(st, 15, share->request_date);
	db_bind_text(st, 16, share->passed_by);
	db_bind_text(st, 17, share->origin_message_id);
	db_bind_text(st, 18, share->mode ? share->mode : "direct");
	db_bind_text(st, 19, share->token);
	db_bind_id(st, 20, share->asked_at);
	db_bind_id(st, 21, share->expires_at);
	share->id = 0;
	rc = db_step(st, "recording the share", error);
	if (rc == DB_ROW)
		share->id = db_column_int64(st, 0);
	return rc != DB_FAIL && db_done(st, "recording the share", error);
}

/* What store_shares_record_with() asks of its caller per new share. */
typedef struct {
	StoreShareHook hook; /* or NULL */
	gpointer data;
} Hook;

/* record_more - the items the hook adds for a new share, same
 * transaction */
static gboolean
record_more(DbConn *db, const Hook *h, Share *share, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) more = NULL;

	if (h->hook == NULL || (more = h->hook(share, now, h->data)) == NULL)
		return TRUE;
	for (guint i = 0; i < more->len; i++)
		if (!outbox_insert(
			db, g_ptr_array_index(more, i), share->id, now, error))
			return FALSE;
	return TRUE;
}

/* queue - items of share id, in the open transaction */
static gboolean
queue(DbConn *db, gint64 id, GPtrArray *items, gint64 now, GError **error)
{
	for (guint i = 0; items != NULL && i < items->len; i++)
		if (!outbox_insert(
			db, g_ptr_array_index(items, i), id, now, error))
			return FALSE;
	return TRUE;
}

/* open_for_pair - the open request of share's requester and friend:
 * its id (0: none) and its sharer (transfer full) */
static gboolean
open_for_pair(
    DbConn *db, const Share *share, gint64 *id, char **sharer, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_OPEN_FOR_PAIR, error);
	DbStep rc;

	*id = 0;
	*sharer = NULL;
	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, share->requester);
	db_bind_text(st, 2, share->recipient);
	rc = db_step(st, "looking for an open request", error);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		*sharer = db_column_text(st, 1);
	}
	return rc != DB_FAIL;
}

/* credit - member credited on share id; *added FALSE when they were */
static gboolean
credit(DbConn *db, gint64 id, const char *member, gint64 now, gboolean *added,
    GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_CREDIT, error);
	DbStep rc;

	*added = FALSE;
	if (st == NULL)
		return FALSE;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, member);
	db_bind_int64(st, 3, now);
	rc = db_step(st, "crediting a member", error);
	*added = rc == DB_ROW;
	return rc != DB_FAIL && db_done(st, "crediting a member", error);
}

/* merge - a share whose insert found a key taken: by its own key (a
 * retry: *created FALSE), or by the open request of its pair (the
 * member credited there, merged queued, share->merged set, and the
 * hook's items, as for a new share: a member shared it); *again when
 * neither is there any more (the open one was answered since) */
static gboolean
merge(DbConn *db, const Hook *h, Share *share, GPtrArray *merged, gint64 now,
    gboolean *again, GError **error)
{
	g_autofree char *first = NULL;
	gint64 open = 0;
	gboolean added = FALSE;

	*again = FALSE;
	if (!share_find_id(db, share->sharer, share->recipient,
		share->origin_key, &share->id, error))
		return FALSE;
	if (share->id != 0 || g_strcmp0(share->status, "asked") != 0)
		return TRUE;
	if (!open_for_pair(db, share, &open, &first, error))
		return FALSE;
	if (open == 0) {
		*again = TRUE;
		return TRUE;
	}
	share->id = open;
	/* the same member again (another copy of the request): a no-op */
	if (g_ascii_strcasecmp(first, share->sharer) == 0)
		return TRUE;
	if (!credit(db, open, share->sharer, now, &added, error))
		return FALSE;
	share->merged = added;
	return !added || (queue(db, open, merged, now, error) &&
			     record_more(db, h, share, now, error));
}

/* record - a share and its items; *created FALSE when the key was
 * taken or the share was merged (share->id is then the existing
 * share's) */
static gboolean
record(DbConn *db, const Hook *h, Share *share, GPtrArray *items,
    GPtrArray *merged, gint64 now, gboolean *created, GError **error)
{
	gboolean again = FALSE;

	share->merged = FALSE;
	/* twice at most: an open request answered between the insert and
	 * the look-up frees its pair; a third race is a busy store */
	for (int tries = 0; tries < 2; tries++) {
		if (!insert_share(db, share, now, error))
			return FALSE;
		*created = share->id != 0;
		if (*created)
			break;
		if (!merge(db, h, share, merged, now, &again, error))
			return FALSE;
		if (!again)
			return TRUE;
	}
	if (!*created) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_BUSY,
		    "the open request of this requester and friend kept "
		    "changing; try again");
		return FALSE;
	}
	return queue(db, share->id, items, now, error) &&
	       record_more(db, h, share, now, error);
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
	share->merged = FALSE;
	outbox_unwind(items);
}

/* merged_of - the merged list of share i, or NULL */
static GPtrArray *
merged_of(GPtrArray *merged, guint i)
{
	return merged != NULL ? merged->pdata[i] : NULL;
}

/* record_all - the transaction's body for every share not yet there */
static gboolean
record_all(DbConn *db, const Hook *h, GPtrArray *shares, GPtrArray *lists,
    GPtrArray *merged, gboolean *created, gint64 now, GError **error)
{
	for (guint i = 0; i < shares->len; i++)
		if (!record(db, h, shares->pdata[i], lists->pdata[i],
			merged_of(merged, i), now, &created[i], error))
			return FALSE;
	return TRUE;
}

/* store_shares_record - several shares and their mail, one transaction */
gboolean
store_shares_record(Store *store, GPtrArray *shares, GPtrArray *lists,
    gboolean *created, GError **error)
{
	return store_shares_record_merge(
	    store, shares, lists, NULL, NULL, NULL, created, error);
}

/* store_shares_record_with - the same, hook adding items per new share */
gboolean
store_shares_record_with(Store *store, GPtrArray *shares, GPtrArray *lists,
    StoreShareHook hook, gpointer data, gboolean *created, GError **error)
{
	return store_shares_record_merge(
	    store, shares, lists, NULL, hook, data, created, error);
}

/* one call of store_shares_record_merge(), as a group write */
typedef struct {
	StoreWrite w; /* first */
	Hook h;
	GPtrArray *shares, *lists, *merged;
	gboolean *created;
	gint64 now;
} RecordWrite;

/* record_run - every share of the call, in the group's transaction */
static gboolean
record_run(DbConn *db, StoreWrite *w, GError **error)
{
	RecordWrite *r = (RecordWrite *)w;

	return record_all(db, &r->h, r->shares, r->lists, r->merged, r->created,
	    r->now, error);
}

/* record_undo - the call's shares were rolled back */
static void
record_undo(StoreWrite *w)
{
	RecordWrite *r = (RecordWrite *)w;

	for (guint i = 0; i < r->shares->len; i++) {
		unwind(r->shares->pdata[i], r->lists->pdata[i]);
		unwind(r->shares->pdata[i], merged_of(r->merged, i));
		r->created[i] = FALSE;
	}
}

/* record_settle - the call's shares were committed */
static void
record_settle(StoreWrite *w)
{
	RecordWrite *r = (RecordWrite *)w;

	for (guint i = 0; i < r->shares->len; i++) {
		Share *s = r->shares->pdata[i];

		if (r->created[i])
			settle(s, r->lists->pdata[i], r->now);
		else if (s->merged)
			settle(s, merged_of(r->merged, i), r->now);
	}
}

/* store_shares_record_merge - the same, with what a merge queues */
gboolean
store_shares_record_merge(Store *store, GPtrArray *shares, GPtrArray *lists,
    GPtrArray *merged, StoreShareHook hook, gpointer data, gboolean *created,
    GError **error)
{
	RecordWrite r = { { record_run, record_undo, record_settle, FALSE,
			      FALSE, NULL },
		{ hook, data }, shares, lists, merged, created, util_now() };

	g_return_val_if_fail(store != NULL && shares != NULL && lists != NULL &&
				 shares->len == lists->len && created != NULL,
	    FALSE);
	g_return_val_if_fail(
	    merged == NULL || merged->len == shares->len, FALSE);
	for (guint i = 0; i < shares->len; i++)
		created[i] = FALSE;
	return store_group_write(store, &r.w, error);
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
gpointer
share_from_row(DbStmt *st)
{
	Share *s = share_new();

	s->id = db_column_int64(st, 0);
	s->sharer = db_column_text(st, 1);
	s->recipient = db_column_text(st, 2);
	s->recipient_name = db_column_text(st, 3);
	s->requester = db_column_text(st, 4);
	s->requester_name = db_column_text(st, 5);
	s->subject = db_column_text(st, 6);
	s->note = db_column_text(st, 7);
	s->origin_key = db_column_text(st, 8);
	s->status = db_column_text(st, 9);
	s->queue_id = db_column_text(st, 10);
	s->created_at = db_column_int64(st, 11);
	s->member_name = db_column_text(st, 12);
	s->requester_org = db_column_text(st, 13);
	s->request_text = db_column_text(st, 14);
	s->request_date = db_column_int64(st, 15);
	s->passed_by = db_column_text(st, 16);
	s->origin_message_id = db_column_text(st, 17);
	s->mode = db_column_text(st, 18);
	s->token = db_column_text(st, 19);
	s->asked_at = db_column_int64(st, 20);
	s->reminded_at = db_column_int64(st, 21);
	s->answered_at = db_column_int64(st, 22);
	s->expires_at = db_column_int64(st, 23);
	s->answer = db_column_text(st, 24);
	s->reason = db_column_text(st, 25);
	s->replies = db_column_int64(st, 26);
	return s;
}

/* store_share_list - every share, oldest first */
GPtrArray *
store_share_list(Store *store, GError **error)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store_list_rows(store, SQL_SHARE_LIST, share_from_row,
	    (GDestroyNotify)share_free, "listing shares", error);
}
