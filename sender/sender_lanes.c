/*
 * sender_lanes.c - several relay connections at once, one commit for
 * the outcomes that arrive together
 *
 * One SMTP transaction per recipient is a conversation of round trips
 * (MAIL, RCPT, DATA, the message, the final dot) in which the sender
 * mostly waits, and each 250 must reach the store (one fdatasync)
 * before the sender says anything more on that connection: that is
 * the exactly-once window (README, "Reliability"), and it stays as it
 * is. What lanes change is how many conversations wait at once: a
 * batch of claimed items is shared among up to n lanes, each a thread
 * with its own connection kept from item to item, and every store
 * write of the flush (a rendered message, a recipient's outcome, an
 * item's outcome) goes through sender_lanes_write(), a group commit:
 * a lane that finds no commit under way writes what every lane has
 * queued in ONE transaction (store_outbox_write()); a lane that finds
 * one waits for it, then for the next, which takes its write. Each
 * lane still waits for its own write's commit before its next command
 * to the relay, so a crash leaves at most one unrecorded 250 per
 * connection, each on a connection that ends without QUIT.
 *
 * Connections are closed (QUIT) by sender_lanes_free(), after the last
 * outcome was recorded, or by sender.c after a failed transaction.
 *
 * Trust: as sender_flush.c. Privilege: none.
 */
#include "config.h"

#include "sender/sender_int.h"

#define FAILURES_MAX 1000 /* lines kept in stats->failures */
#define LANES_MAX 64      /* a bound on sender_lanes_new()'s n */

/* One write waiting for a commit. */
typedef struct {
	OutboxWrite w;
	gboolean done;
	GError *error; /* the transaction's, or the write's own (stale) */
} Pending;

struct _SenderLanes {
	GMutex lock;
	GCond done;       /* a commit ended */
	gboolean writing; /* a lane is committing (under lock) */
	GPtrArray *queue; /* of Pending *, for the next commit (under lock) */
	guint n;
	SenderConn **conns; /* one per lane, kept between items */
};

/* One batch being delivered by the lanes. */
typedef struct {
	SenderLanes *lanes;
	const SenderBatch *b;
	GPtrArray *items; /* claimed, of OutboxItem * */
	guint next;       /* the next item to take (under lock) */
	gboolean stop;    /* a store write failed: take no more (under lock) */
} Work;

/* One lane's part of a batch. */
typedef struct {
	Work *work;
	SenderConn *conn;
	FlushStats stats; /* merged into the caller's after the batch */
} Lane;

/* sender_lanes_new - n lanes (1 to LANES_MAX), no connection yet */
SenderLanes *
sender_lanes_new(guint n)
{
	SenderLanes *l = g_new0(SenderLanes, 1);

	g_mutex_init(&l->lock);
	g_cond_init(&l->done);
	l->queue = g_ptr_array_new();
	l->n = CLAMP(n, 1, LANES_MAX);
	l->conns = g_new0(SenderConn *, l->n);
	for (guint i = 0; i < l->n; i++)
		l->conns[i] = sender_conn_new();
	return l;
}

/* sender_lanes_free - QUIT on every connection; accepts NULL */
void
sender_lanes_free(SenderLanes *lanes)
{
	if (lanes == NULL)
		return;
	for (guint i = 0; i < lanes->n; i++)
		sender_conn_free(lanes->conns[i]);
	g_free(lanes->conns);
	g_ptr_array_unref(lanes->queue);
	g_cond_clear(&lanes->done);
	g_mutex_clear(&lanes->lock);
	g_free(lanes);
}

/* commit - the writes of group in one transaction; each one done */
static void
commit(Store *store, GPtrArray *group)
{
	g_autofree OutboxWrite *w = g_new0(OutboxWrite, group->len);
	g_autoptr(GError) error = NULL;
	gboolean ok;

	for (guint i = 0; i < group->len; i++)
		w[i] = ((Pending *)group->pdata[i])->w;
	ok = store_outbox_write(store, w, group->len, &error);
	for (guint i = 0; i < group->len; i++) {
		Pending *p = group->pdata[i];

		p->error = ok ? w[i].error : g_error_copy(error);
		p->done = TRUE;
	}
}

/* sender_lanes_write - one write, committed with whatever the other
 * lanes queued meanwhile; returns once its commit ended */
gboolean
sender_lanes_write(
    SenderLanes *lanes, Store *store, const OutboxWrite *w, GError **error)
{
	Pending p = { .w = *w };

	g_mutex_lock(&lanes->lock);
	g_ptr_array_add(lanes->queue, &p);
	while (!p.done) {
		GPtrArray *group;

		if (lanes->writing) {
			g_cond_wait(&lanes->done, &lanes->lock);
			continue;
		}
		/* nobody is writing: write every queued one, ours too */
		group = lanes->queue;
		lanes->queue = g_ptr_array_new();
		lanes->writing = TRUE;
		g_mutex_unlock(&lanes->lock);
		commit(store, group);
		g_ptr_array_unref(group);
		g_mutex_lock(&lanes->lock);
		lanes->writing = FALSE;
		g_cond_broadcast(&lanes->done);
	}
	g_mutex_unlock(&lanes->lock);
	if (p.error != NULL) {
		g_propagate_error(error, p.error);
		return FALSE;
	}
	return TRUE;
}

/* sender_lanes_ledger_add - sender_ledger_add() from any lane */
void
sender_lanes_ledger_add(SenderLanes *lanes, SenderLedger *ledger,
    const OutboxItem *item, const OutboxOutcome *o)
{
	g_mutex_lock(&lanes->lock);
	sender_ledger_add(ledger, item, o);
	g_mutex_unlock(&lanes->lock);
}

/* lane_main - deliver the batch's next item until none is left */
static gpointer
lane_main(gpointer data)
{
	Lane *lane = data;
	Work *sh = lane->work;

	for (;;) {
		OutboxItem *item = NULL;

		g_mutex_lock(&sh->lanes->lock);
		if (!sh->stop && sh->next < sh->items->len)
			item = sh->items->pdata[sh->next++];
		g_mutex_unlock(&sh->lanes->lock);
		if (item == NULL)
			break;
		if (!sender_deliver_item(
			sh->b, lane->conn, item, &lane->stats)) {
			g_mutex_lock(&sh->lanes->lock);
			sh->stop = TRUE;
			g_mutex_unlock(&sh->lanes->lock);
		}
	}
	return NULL;
}

/* merge - add a lane's counts and lines to the caller's */
static void
merge(FlushStats *to, FlushStats *from)
{
	to->sent += from->sent;
	to->retried += from->retried;
	to->failed += from->failed;
	to->rcpt_failed += from->rcpt_failed;
	to->rcpt_deferred += from->rcpt_deferred;
	to->notices += from->notices;
	to->webhooks += from->webhooks;
	to->unrecorded += from->unrecorded;
	for (guint i = 0; from->failures != NULL && i < from->failures->len;
	     i++)
		if (to->failures != NULL && to->failures->len < FAILURES_MAX)
			g_ptr_array_add(to->failures,
			    g_steal_pointer(&from->failures->pdata[i]));
	if (from->failures != NULL)
		g_ptr_array_unref(from->failures);
}

/* sender_lanes_run - deliver items on up to n lanes at once (the
 * caller's thread is the first); FALSE when a store write failed and
 * the items left were not tried (they wait for their lease) */
gboolean
sender_lanes_run(SenderLanes *lanes, const SenderBatch *b, GPtrArray *items,
    FlushStats *stats)
{
	guint n = MIN(lanes->n, items->len);
	Lane lane[LANES_MAX] = { { 0 } };
	GThread *thread[LANES_MAX] = { 0 };
	Work sh = { .lanes = lanes, .b = b, .items = items };

	for (guint i = 0; i < n; i++) {
		lane[i].work = &sh;
		lane[i].conn = lanes->conns[i];
		if (stats->failures != NULL)
			lane[i].stats.failures =
			    g_ptr_array_new_with_free_func(g_free);
	}
	for (guint i = 1; i < n; i++)
		thread[i] = g_thread_try_new("sender-lane", lane_main, &lane[i],
		    NULL); /* NULL: the other lanes take its share */
	if (n > 0)
		lane_main(&lane[0]);
	for (guint i = 1; i < n; i++)
		if (thread[i] != NULL)
			g_thread_join(thread[i]);
	for (guint i = 0; i < n; i++)
		merge(stats, &lane[i].stats);
	return !sh.stop;
}
