/*
 * store_stats.c - counts for "passalong stats" and monitoring
 *
 * All counts come from one read transaction, so they describe one
 * moment even while the milter writes.
 */
#include "config.h"

#include "store/store_int.h"

/* count_by_status - "SELECT status, COUNT(*) ... GROUP BY status" */
static gboolean
count_by_status(Store *store, const char *sql, GHashTable *into, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st, sql, error))
		return FALSE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_hash_table_insert(into, column_text(st, 0),
		    GINT_TO_POINTER(sqlite3_column_int(st, 1)));
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "counting");
		return FALSE;
	}
	return TRUE;
}

/* count_members - the number of members */
static gboolean
count_members(Store *store, gint64 *n, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st, "SELECT COUNT(*) FROM members", error))
		return FALSE;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_set_error(store, rc, error, "counting members");
		return FALSE;
	}
	*n = sqlite3_column_int64(st, 0);
	return TRUE;
}

/* store_stats - members, shares by status, outbox by status */
StoreStats *
store_stats(Store *store, GError **error)
{
	StoreStats *stats;
	gboolean ok;

	g_return_val_if_fail(store != NULL, NULL);
	stats = g_new0(StoreStats, 1);
	stats->shares_by_status =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	stats->outbox_by_status =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_mutex_lock(&store->lock);
	ok = store_exec(store, "BEGIN", error) &&
	     count_members(store, &stats->members, error) &&
	     count_by_status(store,
		 "SELECT status, COUNT(*) FROM shares GROUP BY status",
		 stats->shares_by_status, error) &&
	     count_by_status(store,
		 "SELECT status, COUNT(*) FROM outbox GROUP BY status",
		 stats->outbox_by_status, error);
	store_rollback(store);
	g_mutex_unlock(&store->lock);
	if (!ok) {
		store_stats_free(stats);
		return NULL;
	}
	return stats;
}
