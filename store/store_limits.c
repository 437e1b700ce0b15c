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
count_where(Store *store, StoreSql id, const char *text, gint64 since,
    gint64 *count, GError **error)
{
	g_autoptr(DbConn) db = store_acquire_read(store, error);
	g_autoptr(DbStmt) st = NULL;

	if (db == NULL || (st = db_prepare(db, id, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, text);
	db_bind_int64(st, 2, since);
	if (db_step(st, "counting shares", error) != DB_ROW) {
		if (error != NULL && *error == NULL)
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "counting shares: no count");
		return FALSE;
	}
	*count = db_column_int64(st, 0);
	return TRUE;
}

/* store_share_count_by_sharer - shares a member made since a time */
gboolean
store_share_count_by_sharer(Store *store, const char *sharer, gint64 since,
    gint64 *count, GError **error)
{
	g_return_val_if_fail(store != NULL && sharer != NULL, FALSE);
	return count_where(
	    store, SQL_SHARE_COUNT_BY_SHARER, sharer, since, count, error);
}

/* store_share_count_to_recipient - shares sent to a friend since a time */
gboolean
store_share_count_to_recipient(Store *store, const char *recipient,
    gint64 since, gint64 *count, GError **error)
{
	g_return_val_if_fail(store != NULL && recipient != NULL, FALSE);
	return count_where(store, SQL_SHARE_COUNT_TO_RECIPIENT, recipient,
	    since, count, error);
}

/* store_share_exists - whether (sharer, recipient, origin_key) is there */
gboolean
store_share_exists(Store *store, const char *sharer, const char *recipient,
    const char *origin_key, gboolean *exists, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	gint64 id = 0;

	g_return_val_if_fail(store != NULL && sharer != NULL &&
				 recipient != NULL && origin_key != NULL,
	    FALSE);
	*exists = FALSE;
	if ((db = store_acquire_read(store, error)) == NULL ||
	    !share_find_id(db, sharer, recipient, origin_key, &id, error))
		return FALSE;
	*exists = id != 0;
	return TRUE;
}
