/*
 * store_stats.c - counts for "passalong stats" and monitoring
 *
 * All counts come from one read transaction, so they describe one
 * moment even while the milter writes.
 */
#include "config.h"

#include "store/store_int.h"

/* count_by_status - rows of (name, count) into a table */
static gboolean
count_by_status(DbConn *db, StoreSql id, GHashTable *into, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, id, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	while ((rc = db_step(st, "counting", error)) == DB_ROW)
		g_hash_table_insert(into, db_column_text(st, 0),
		    GINT_TO_POINTER((int)db_column_int64(st, 1)));
	return rc == DB_DONE;
}

/* count_one - a single number; NULL reads as 0 */
static gboolean
count_one(DbConn *db, StoreSql id, gint64 *n, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, id, error);

	if (st == NULL || db_step(st, "counting", error) != DB_ROW)
		return FALSE;
	*n = db_column_int64(st, 0);
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
	g_autoptr(DbConn) db = NULL;
	StoreStats *stats;
	gboolean ok;

	g_return_val_if_fail(store != NULL, NULL);
	stats = g_new0(StoreStats, 1);
	stats->shares_by_status = counts_new();
	stats->outbox_by_status = counts_new();
	stats->outbox_by_kind_status = counts_new();
	stats->failed_rcpts_by_kind = counts_new();
	stats->deferred_rcpts_by_kind = counts_new();
	db = store_acquire_read(store, error);
	ok = db != NULL && db_begin_read(db, error) &&
	     count_one(db, SQL_STATS_MEMBERS, &stats->members, error) &&
	     count_by_status(
		 db, SQL_STATS_SHARES, stats->shares_by_status, error) &&
	     count_by_status(
		 db, SQL_STATS_OUTBOX, stats->outbox_by_status, error) &&
	     count_by_status(db, SQL_STATS_OUTBOX_KIND,
		 stats->outbox_by_kind_status, error) &&
	     count_by_status(db, SQL_STATS_FAILED_RCPTS,
		 stats->failed_rcpts_by_kind, error) &&
	     count_by_status(db, SQL_STATS_DEFERRED_RCPTS,
		 stats->deferred_rcpts_by_kind, error) &&
	     count_one(db, SQL_STATS_RETRYING, &stats->retrying, error) &&
	     count_one(
		 db, SQL_STATS_OLDEST_UNSENT, &stats->oldest_unsent_at, error);
	if (db != NULL)
		db_rollback(db);
	if (!ok) {
		store_stats_free(stats);
		return NULL;
	}
	return stats;
}
