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

/* count_one - a single number, "SELECT COUNT(*) ..." or the like;
 * NULL reads as 0 */
static gboolean
count_one(Store *store, const char *sql, gint64 *n, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st, sql, error))
		return FALSE;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_set_error(store, rc, error, "counting");
		return FALSE;
	}
	*n = sqlite3_column_int64(st, 0);
	return TRUE;
}

/* counts_new - a table for count_by_status() */
static GHashTable *
counts_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* store_stats - members, shares by status, outbox by status and kind,
 * recipients failed and deferred, the oldest item still to send */
StoreStats *
store_stats(Store *store, GError **error)
{
	StoreStats *stats;
	gboolean ok;

	g_return_val_if_fail(store != NULL, NULL);
	stats = g_new0(StoreStats, 1);
	stats->shares_by_status = counts_new();
	stats->outbox_by_status = counts_new();
	stats->outbox_by_kind_status = counts_new();
	stats->failed_rcpts_by_kind = counts_new();
	stats->deferred_rcpts_by_kind = counts_new();
	g_mutex_lock(&store->lock);
	ok = store_exec(store, "BEGIN", error) &&
	     count_one(store, "SELECT COUNT(*) FROM members", &stats->members,
		 error) &&
	     count_by_status(store,
		 "SELECT status, COUNT(*) FROM shares GROUP BY status",
		 stats->shares_by_status, error) &&
	     count_by_status(store,
		 "SELECT status, COUNT(*) FROM outbox GROUP BY status",
		 stats->outbox_by_status, error) &&
	     count_by_status(store,
		 "SELECT kind || '/' || status, COUNT(*) FROM outbox"
		 " GROUP BY kind, status",
		 stats->outbox_by_kind_status, error) &&
	     count_by_status(store,
		 "SELECT o.kind, COUNT(*) FROM outbox_rcpts r"
		 " JOIN outbox o ON o.id = r.outbox_id"
		 " WHERE r.status = 'failed' GROUP BY o.kind",
		 stats->failed_rcpts_by_kind, error) &&
	     count_by_status(store,
		 "SELECT o.kind, COUNT(*) FROM outbox_rcpts r"
		 " JOIN outbox o ON o.id = r.outbox_id"
		 " WHERE r.status = 'deferred' GROUP BY o.kind",
		 stats->deferred_rcpts_by_kind, error) &&
	     count_one(store,
		 "SELECT COUNT(*) FROM outbox"
		 " WHERE status = 'queued' AND attempts > 0",
		 &stats->retrying, error) &&
	     count_one(store,
		 "SELECT MIN(created_at) FROM outbox"
		 " WHERE status IN ('queued', 'sending')",
		 &stats->oldest_unsent_at, error);
	store_rollback(store);
	g_mutex_unlock(&store->lock);
	if (!ok) {
		store_stats_free(stats);
		return NULL;
	}
	return stats;
}
