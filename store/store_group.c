/*
 * store_group.c - SQLite's group commit: writes that arrive while one
 * commits are committed together
 *
 * SQLite has one writer at a time, and a commit is an fsync. Calls that
 * arrive while a write is committing wait; the first of them then runs
 * every waiting write in one transaction: one fsync, and one copy of
 * each index page for the lot, where each alone wrote its own pages
 * and synced them. Nobody returns before the commit that holds their
 * write is on disk. A write that fails is rolled back alone: the
 * transaction starts again without it, so one bad write never fails
 * its neighbours. PostgreSQL commits on many connections at once, so
 * each write there runs alone, in its own transaction.
 *
 * A write is a StoreWrite: run() is its body inside the transaction
 * (it may run again, after undo(), when another write of the group
 * failed), undo() forgets what a rolled-back run() set (ids), settle()
 * fills in what the commit decided.
 *
 * Threads: the queue and the leader's flag are guarded by
 * store->group.lock; a write belongs to its caller, who sleeps while
 * the leader runs it, and reads its result after seeing it done under
 * the lock.
 */
#include "config.h"

#include "store/store_int.h"

/* write_fail - the write is over, with err (a copy is kept) */
static void
write_fail(StoreWrite *w, const GError *err)
{
	if (w->undo != NULL)
		w->undo(w);
	w->ok = FALSE;
	w->error = err != NULL ? g_error_copy(err)
			       : g_error_new_literal(STORE_ERROR,
				     STORE_ERROR_FAILED, "the write failed");
}

/* commit_writes - the writes in one transaction. A write that fails is
 * rolled back alone: the transaction starts again without it (at most
 * once per write). A failed begin or commit fails every write left. */
static void
commit_writes(Store *store, GPtrArray *writes)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(DbConn) db = store_acquire(store, &err);
	StoreWrite *bad;

	for (guint tries = 0; db != NULL && tries <= writes->len; tries++) {
		if (!db_begin(db, &err))
			break;
		bad = NULL;
		for (guint i = 0; i < writes->len && bad == NULL; i++) {
			StoreWrite *w = writes->pdata[i];

			if (w->error == NULL && !w->run(db, w, &err))
				bad = w;
		}
		if (bad == NULL) {
			if (!db_commit(db, &err))
				break;
			for (guint i = 0; i < writes->len; i++) {
				StoreWrite *w = writes->pdata[i];

				if (w->error == NULL) {
					w->ok = TRUE;
					if (w->settle != NULL)
						w->settle(w);
				}
			}
			return;
		}
		/* the bad write alone fails; the others run again */
		db_rollback(db);
		for (guint i = 0; i < writes->len; i++) {
			StoreWrite *w = writes->pdata[i];

			if (w->error == NULL && w->undo != NULL)
				w->undo(w);
		}
		write_fail(bad, err);
		g_clear_error(&err);
	}
	if (db != NULL)
		db_rollback(db);
	for (guint i = 0; i < writes->len; i++) {
		StoreWrite *w = writes->pdata[i];

		if (w->error == NULL)
			write_fail(w, err);
	}
}

/* group_commit - w committed with whatever else waits; the first caller
 * to find nobody committing commits for all who wait */
static void
group_commit(Store *store, StoreWrite *w)
{
	g_mutex_lock(&store->group.lock);
	g_queue_push_tail(&store->group.waiting, w);
	while (!w->done) {
		g_autoptr(GPtrArray) writes = NULL;

		if (store->group.leading) {
			store->group.sleeping++;
			g_cond_wait(&store->group.done, &store->group.lock);
			store->group.sleeping--;
			continue;
		}
		store->group.leading = TRUE;
		writes = g_ptr_array_new();
		while (!g_queue_is_empty(&store->group.waiting))
			g_ptr_array_add(
			    writes, g_queue_pop_head(&store->group.waiting));
		g_mutex_unlock(&store->group.lock);
		commit_writes(store, writes);
		g_mutex_lock(&store->group.lock);
		for (guint i = 0; i < writes->len; i++)
			((StoreWrite *)writes->pdata[i])->done = TRUE;
		store->group.leading = FALSE;
		/* GLib's broadcast is a system call even with nobody
		 * waiting */
		if (store->group.sleeping > 0)
			g_cond_broadcast(&store->group.done);
	}
	g_mutex_unlock(&store->group.lock);
}

/* store_group_write - run w in a transaction, with other writes waiting
 * on SQLite; FALSE with error when w failed (nothing of it written) */
gboolean
store_group_write(Store *store, StoreWrite *w, GError **error)
{
	w->ok = w->done = FALSE;
	w->error = NULL;
	if (store->ro.size > 0) /* SQLite: one writer, so commit in groups */
		group_commit(store, w);
	else { /* PostgreSQL: each connection commits on its own */
		g_autoptr(GPtrArray) writes = g_ptr_array_new();

		g_ptr_array_add(writes, w);
		commit_writes(store, writes);
	}
	if (!w->ok) {
		g_propagate_error(error, w->error);
		w->error = NULL;
		return FALSE;
	}
	return TRUE;
}
