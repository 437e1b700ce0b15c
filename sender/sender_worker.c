/*
 * sender_worker.c - the daemon's delivery thread
 *
 * One thread with its own Store connection, so that a slow relay never
 * holds the milter's connection. It flushes, then sleeps poll_interval
 * seconds or until sender_worker_wake(). It claims one item per lane
 * (SENDER_LANES relay connections at once, sender_lanes.c) at a time,
 * so a stop request is honoured between two deliveries and never
 * strands a claimed item. The Config it was started with may be freed
 * or replaced (reload) at once: the worker keeps a private copy of the
 * fields it uses.
 *
 * Outcomes the store would not take wait in the worker's ledger for as
 * long as the thread runs; each round records them first (backoff up
 * to SENDER_WORKER_RECORD_MS) and claims nothing new until the ledger
 * is empty, so an item the relay accepted is never sent again by this
 * process.
 *
 * Trust: as sender_flush(). Privilege: none beyond the store file and
 * the network connection to the relay.
 */
#include "config.h"

#include "common/log.h"
#include "common/util.h"
#include "flow/digest.h"
#include "flow/flow.h"
#include "sender/sender_int.h"

#define WORKER_MAX_PER_ROUND 10000 /* items per wake-up, a bound */
#define WORKER_DIGEST_EVERY 60     /* seconds between two digest passes */
#define WORKER_DIGEST_SLICE 2      /* batches of a pass per round */

struct _SenderWorker {
	GThread *thread;
	GMutex lock;
	GCond cond;
	gboolean stop;        /* under lock */
	gboolean woken;       /* under lock */
	Store *store;         /* the worker's own connection */
	Config *cfg;          /* a private copy: smtp_url, retries, poll */
	SenderLedger *ledger; /* outcomes not recorded yet */
	gint64 digest_at;     /* when the last digest pass ran (worker) */
	gint64 digest_cursor; /* a pass under way: its next member, or 0 */
};

/* config_copy - the fields the worker reads, in a Config of its own */
static Config *
config_copy(const Config *cfg)
{
	Config *c = config_new_default();

	g_free(c->smtp_url);
	c->smtp_url = g_strdup(cfg->smtp_url);
	g_free(c->store_path);
	c->store_path = g_strdup(cfg->store_path);
	c->store_url = g_strdup(cfg->store_url);
	c->store_passfile = g_strdup(cfg->store_passfile);
	c->busy_timeout = cfg->busy_timeout;
	c->retry_min = cfg->retry_min;
	c->retry_max = cfg->retry_max;
	c->max_attempts = cfg->max_attempts;
	c->poll_interval = cfg->poll_interval;
	c->lease = cfg->lease;
	/* the webhooks: read-only once loaded, shared */
	g_ptr_array_unref(c->webhooks);
	c->webhooks = g_ptr_array_ref(cfg->webhooks);
	/* for the notices */
	g_free(c->domain);
	c->domain = g_strdup(cfg->domain);
	g_free(c->name);
	c->name = g_strdup(cfg->name);
	g_free(c->from_localpart);
	c->from_localpart = g_strdup(cfg->from_localpart);
	/* for the consent flow's time (flow_tick()) */
	g_free(c->consent_mode);
	c->consent_mode = g_strdup(cfg->consent_mode);
	c->remind_after = cfg->remind_after;
	c->expire_after = cfg->expire_after;
	/* for the weekly digest (digest_run()) */
	g_free(c->share_localpart);
	c->share_localpart = g_strdup(cfg->share_localpart);
	/* for the friends' reply address (sender_render.c, digests) */
	g_free(c->reply_localpart);
	c->reply_localpart = g_strdup(cfg->reply_localpart);
	c->digest_enabled = cfg->digest_enabled;
	c->digest_skip_empty = cfg->digest_skip_empty;
	g_free(c->digest_day);
	c->digest_day = g_strdup(cfg->digest_day);
	c->digest_hour = cfg->digest_hour;
	c->web_base_url = g_strdup(cfg->web_base_url);
	return c;
}

/* stopping - whether sender_worker_stop() was called */
static gboolean
stopping(SenderWorker *w)
{
	gboolean stop;

	g_mutex_lock(&w->lock);
	stop = w->stop;
	g_mutex_unlock(&w->lock);
	return stop;
}

/* tick - what time made due in the consent flow (reminders, expiries);
 * their mail is queued and goes out in the same round */
static void
tick(SenderWorker *w)
{
	g_autoptr(GError) error = NULL;
	guint reminded = 0, expired = 0;

	if (!flow_tick(
		w->cfg, w->store, util_now(), &reminded, &expired, &error))
		log_warn("outbox", "consent reminders and expiries wait: %s",
		    error->message);
	else if (reminded + expired > 0)
		log_info("outbox", "consent reminded=%u expired=%u", reminded,
		    expired);
}

/* digests - the weekly digests that are due: a pass at most once a
 * minute (over members done for the week it is one short query per
 * batch), WORKER_DIGEST_SLICE batches of it per round; queued here,
 * sent by this round, the next slice at once after it */
static void
digests(SenderWorker *w)
{
	g_autoptr(GError) error = NULL;
	gint64 now = util_now();
	DigestStats st;

	if (!w->cfg->digest_enabled)
		return;
	if (w->digest_cursor == 0) { /* a new pass, once a minute */
		if (w->digest_at != 0 &&
		    now - w->digest_at < WORKER_DIGEST_EVERY &&
		    now >= w->digest_at)
			return;
		w->digest_at = now;
	}
	/* a slice per round, the pass's own time throughout: the mail due
	 * goes out between slices */
	if (!digest_run_some(w->cfg, w->store, w->digest_at, &w->digest_cursor,
		WORKER_DIGEST_SLICE, &st, &error))
		log_warn("digest", "digests wait: %s", error->message);
	else if (st.enqueued + st.skipped + st.failed > 0)
		log_info("digest",
		    "pass enqueued=%u skipped=%u already=%u "
		    "failed=%u",
		    st.enqueued, st.skipped, st.already, st.failed);
}

/* worker_round - deliver what is due, an item per lane at a time */
static void
worker_round(SenderWorker *w)
{
	FlushStats stats = { 0 };
	/* the relay connections of this round: QUIT when it ends */
	g_autoptr(SenderLanes) lanes = NULL;

	tick(w);
	digests(w);
	if (sender_ledger_size(w->ledger) > 0) {
		g_autoptr(GError) error = NULL;

		if (!sender_ledger_retry(w->ledger, w->store,
			SENDER_WORKER_RECORD_MS, &stats, &error)) {
			log_warn("outbox",
			    "%u outcome(s) still wait to be recorded: %s",
			    sender_ledger_size(w->ledger), error->message);
			return;
		}
	}
	lanes = sender_lanes_new(SENDER_LANES);
	for (guint n = 0; n < WORKER_MAX_PER_ROUND && !stopping(w);
	     n += SENDER_LANES) {
		g_autoptr(GError) error = NULL;
		guint claimed = 0;

		if (!sender_flush_batch(w->store, w->cfg, w->ledger, lanes,
			util_now(), SENDER_LANES, &stats, &claimed, &error)) {
			log_warn("outbox", "delivery round stopped: %s",
			    error->message);
			break;
		}
		if (claimed == 0 || sender_ledger_size(w->ledger) > 0)
			break;
	}
	if (stats.sent + stats.retried + stats.failed > 0)
		log_info("outbox", "round sent=%u deferred=%u failed=%u",
		    stats.sent, stats.retried, stats.failed);
}

/* worker_main - flush, sleep until woken or poll_interval, repeat */
static gpointer
worker_main(gpointer data)
{
	SenderWorker *w = data;

	g_mutex_lock(&w->lock);
	while (!w->stop) {
		gint64 until;

		w->woken = FALSE;
		g_mutex_unlock(&w->lock);
		worker_round(w);
		g_mutex_lock(&w->lock);
		until = g_get_monotonic_time() +
			(gint64)w->cfg->poll_interval * G_TIME_SPAN_SECOND;
		if (sender_ledger_size(w->ledger) > 0)
			until = MIN(until, sender_ledger_next(w->ledger));
		if (w->digest_cursor != 0) /* a digest pass goes on at once */
			until = g_get_monotonic_time();
		while (!w->stop && !w->woken) {
			if (!g_cond_wait_until(&w->cond, &w->lock, until))
				break; /* poll_interval passed */
		}
	}
	g_mutex_unlock(&w->lock);
	return NULL;
}

/* sender_worker_start - open a store and start the thread */
SenderWorker *
sender_worker_start(const Config *cfg, GError **error)
{
	SenderWorker *w;
	Store *store;

	g_return_val_if_fail(
	    cfg != NULL && config_store_url(cfg) != NULL, NULL);
	g_return_val_if_fail(cfg->smtp_url != NULL, NULL);
	/* one connection of its own: the worker never waits on the milter */
	store = store_open_config(cfg, 1, error);
	if (store == NULL)
		return NULL;
	w = g_new0(SenderWorker, 1);
	g_mutex_init(&w->lock);
	g_cond_init(&w->cond);
	w->store = store;
	w->cfg = config_copy(cfg);
	w->ledger = sender_ledger_new();
	if (w->cfg->poll_interval == 0)
		w->cfg->poll_interval = 1;
	w->thread = g_thread_new("sender", worker_main, w);
	return w;
}

/* sender_worker_wake - deliver now rather than at the next poll */
void
sender_worker_wake(SenderWorker *worker)
{
	if (worker == NULL)
		return;
	g_mutex_lock(&worker->lock);
	worker->woken = TRUE;
	g_cond_signal(&worker->cond);
	g_mutex_unlock(&worker->lock);
}

/* sender_worker_stop - finish the current delivery, join, free; NULL ok */
void
sender_worker_stop(SenderWorker *worker)
{
	if (worker == NULL)
		return;
	g_mutex_lock(&worker->lock);
	worker->stop = TRUE;
	g_cond_signal(&worker->cond);
	g_mutex_unlock(&worker->lock);
	g_thread_join(worker->thread);
	if (sender_ledger_size(worker->ledger) > 0) /* a last try */
		(void)sender_ledger_retry(
		    worker->ledger, worker->store, 0, &(FlushStats){ 0 }, NULL);
	sender_ledger_free(worker->ledger);
	store_close(worker->store);
	config_free(worker->cfg);
	g_mutex_clear(&worker->lock);
	g_cond_clear(&worker->cond);
	g_free(worker);
}
