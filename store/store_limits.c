/*
 * store_limits.c - the counts behind the rate limits
 *
 * The milter asks these before it renders anything: has this share been
 * recorded already (an MTA retry is never limited), how many shares has
 * the member made lately, how many introductions has the friend been
 * sent. The checks and the later insert are not one transaction, so two
 * messages arriving at the same instant can both pass a limit by one:
 * the limits are a brake on abuse, not an accounting rule.
 *
 * Trust: every argument comes from mail; all are bound.
 */
#include "config.h"

#include "store/store_int.h"

/* count_where - one COUNT(*) query with a text and a time parameter */
static gboolean
count_where(Store *store, const char *sql, const char *text, gint64 since,
    gint64 *count, GError **error)
{
	STORE_LOCK(store);
	g_autoptr(StoreStmt) st = NULL;
	gboolean ok = FALSE;
	int rc;

	if (!stmt_prepare(store, &st, sql, error))
		goto out;
	bind_text(st, 1, text);
	sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_set_error(store, rc, error, "counting shares");
		goto out;
	}
	*count = sqlite3_column_int64(st, 0);
	ok = TRUE;
out:
	return ok;
}

/* store_share_count_by_sharer - shares a member made since a time */
gboolean
store_share_count_by_sharer(Store *store, const char *sharer, gint64 since,
    gint64 *count, GError **error)
{
	g_return_val_if_fail(store != NULL && sharer != NULL, FALSE);
	return count_where(store,
	    "SELECT COUNT(*) FROM shares WHERE sharer = ? AND created_at >= ?",
	    sharer, since, count, error);
}

/* store_share_count_to_recipient - shares sent to a friend since a time */
gboolean
store_share_count_to_recipient(Store *store, const char *recipient,
    gint64 since, gint64 *count, GError **error)
{
	g_return_val_if_fail(store != NULL && recipient != NULL, FALSE);
	return count_where(store,
	    "SELECT COUNT(*) FROM shares WHERE recipient = ? COLLATE NOCASE"
	    " AND created_at >= ?",
	    recipient, since, count, error);
}

/* store_share_exists - whether (sharer, recipient, origin_key) is there */
gboolean
store_share_exists(Store *store, const char *sharer, const char *recipient,
    const char *origin_key, gboolean *exists, GError **error)
{
	gint64 id = 0;
	gboolean ok;

	g_return_val_if_fail(store != NULL && sharer != NULL &&
				 recipient != NULL && origin_key != NULL,
	    FALSE);
	g_mutex_lock(&store->lock);
	ok = share_find_id(store, sharer, recipient, origin_key, &id, error);
	g_mutex_unlock(&store->lock);
	*exists = id != 0;
	return ok;
}
