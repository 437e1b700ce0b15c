/*
 * sender_int.h - what the parts of sender/ share; not for other modules
 *
 * SYNOPSIS
 *	guint wait = sender_backoff(cfg, item->attempts);
 *	SenderLedger *l = sender_ledger_new();
 *	SenderLanes *lanes = sender_lanes_new(SENDER_LANES);
 *	ok = sender_flush_batch(store, cfg, l, lanes, now, 4, &stats,
 *	    &claimed, &e);
 *	sender_ledger_retry(l, store, &stats);
 *
 * DESCRIPTION
 *	sender_backoff() is the wait before the next try after a temporary
 *	failure of try number attempts (1 for the first): retry_min doubled
 *	for each earlier try, never more than retry_max.
 *
 *	sender_tx_timeout() is how long one SMTP transaction may take
 *	(half the lease, at most 60 s); sender_lease_short() says whether a
 *	lease that ends at lease_until is too short, at now, to cover one
 *	more transaction with SENDER_LEASE_MARGIN seconds to spare (then the
 *	sender extends it first; otherwise it spares the store a write).
 *
 *	sender_flush_batch() claims up to max due items at now, delivers
 *	each and records the outcome; *claimed tells how many it took, so
 *	the caller knows whether more may be due. The items are shared
 *	among the lanes (sender_lanes.c): up to SENDER_LANES relay
 *	connections at once, each kept from item to item until
 *	sender_lanes_free() says QUIT, and every store write of the batch
 *	goes through sender_lanes_write(), which commits the writes the
 *	lanes queued together in one transaction and returns once the
 *	caller's is committed. The daemon's worker claims as many items as
 *	it has lanes, one each, so that a stop never leaves items claimed
 *	but unsent. It claims nothing while the ledger holds an outcome.
 *	sender_deliver_item() is one claimed item on one lane's connection.
 *
 *	The SenderLedger holds outcomes the relay gave that the store did
 *	not take (busy, full): sender_ledger_retry() records those whose
 *	next try is due (monotonic clock), with a backoff from
 *	SENDER_RECORD_MIN_MS doubling to max_ms (0: every one now, once:
 *	the worker's last try when it stops), and drops one whose claim
 *	was taken over (logged: that item may go out again).
 *	sender_ledger_add() keeps a copy of item (its recipients' outcomes)
 *	and of the outcome o (or NULL), sharing o's arrays.
 *	sender_ledger_size() counts what is left; sender_ledger_next()
 *	is the monotonic time of the next try, 0 when empty.
 *
 *	sender_http_post() POSTs body to url (sender_http.c);
 *	sender_webhook_deliver() signs a webhook row and posts it to the
 *	[webhook NAME] in cfg; sender_webhook_events() appends to out the
 *	webhook rows an item's outcome makes (intro.sent, delivery.failed
 *	for each of failed, an array of OutboxRcpt *).
 *
 *	sender_set_test_hook() (tests only) calls hook(event, item id) at
 *	"record-deferred", when an outcome went into the ledger.
 *
 * OWNERSHIP
 *	Arguments are borrowed; the ledger owns copies of its items.
 *
 * ERRORS
 *	The store's errors; a delivery failure is an outcome, not an error.
 *
 * THREADS
 *	As sender_flush(); a ledger belongs to one flush or worker, and the
 *	lanes of a batch add to it through sender_lanes_ledger_add().
 */
#ifndef PA_SENDER_INT_H
#define PA_SENDER_INT_H

#include "sender/sender.h"

#define SENDER_BATCH 16          /* items claimed at once by sender_flush() */
#define SENDER_LANES 8           /* relay connections at once */
#define SENDER_MAX_BATCHES 10000 /* bound on one flush */
#define SENDER_DETAIL_MAX 300    /* characters of a reply kept for logs */
#define SENDER_RECORD_MIN_MS 50  /* first wait before recording again */
#define SENDER_FLUSH_RECORD_MS 2000   /* longest wait in sender_flush() */
#define SENDER_FLUSH_RECORD_TRIES 14  /* then it gives up (~20 s) */
#define SENDER_WORKER_RECORD_MS 60000 /* longest wait in the worker */

typedef struct _SenderLedger SenderLedger;
typedef struct _SenderLanes SenderLanes;
typedef void (*SenderTestHook)(const char *event, gint64 id);

#define SENDER_LEASE_MARGIN 5      /* seconds: clock steps, the record after */
#define SENDER_HTTP_BODY_MAX 65536 /* bytes of a webhook's response read */

/* headers: "Name: value" lines, NULL-terminated */
SendResult sender_http_post(const char *url, const char *const *headers,
    GBytes *body, guint timeout, SendReply *reply);
SendResult sender_webhook_deliver(const Config *cfg, const OutboxItem *item,
    const char *name, guint timeout, SendReply *reply);
void sender_webhook_events(Store *store, const Config *cfg,
    const OutboxItem *item, const char *status, GPtrArray *failed, gint64 now,
    GPtrArray *out);

guint sender_backoff(const Config *cfg, guint attempts);

guint sender_tx_timeout(const Config *cfg);
gboolean sender_lease_short(const Config *cfg, gint64 lease_until, gint64 now);
gboolean sender_flush_batch(Store *store, const Config *cfg,
    SenderLedger *ledger, SenderLanes *lanes, gint64 now, guint max,
    FlushStats *stats, guint *claimed, GError **error);

/* What the lanes delivering one claimed batch share. */
typedef struct {
	Store *store;
	const Config *cfg;
	SenderLedger *ledger;
	SenderLanes *lanes;
	gint64 now;   /* the flush's clock at the claim */
	gint64 mono0; /* g_get_monotonic_time() then */
} SenderBatch;

gboolean sender_deliver_item(const SenderBatch *b, SenderConn *conn,
    OutboxItem *item, FlushStats *stats);
SenderLanes *sender_lanes_new(guint n);
void sender_lanes_free(SenderLanes *lanes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SenderLanes, sender_lanes_free)
gboolean sender_lanes_run(SenderLanes *lanes, const SenderBatch *b,
    GPtrArray *items, FlushStats *stats);
gboolean sender_lanes_write(
    SenderLanes *lanes, Store *store, const OutboxWrite *w, GError **error);
void sender_lanes_ledger_add(SenderLanes *lanes, SenderLedger *ledger,
    const OutboxItem *item, const OutboxOutcome *o);

SenderLedger *sender_ledger_new(void);
void sender_ledger_free(SenderLedger *ledger);
gboolean sender_ledger_retry(SenderLedger *ledger, Store *store, guint max_ms,
    FlushStats *stats, GError **error);
guint sender_ledger_size(const SenderLedger *ledger);
gint64 sender_ledger_next(const SenderLedger *ledger);
void sender_ledger_add(
    SenderLedger *ledger, const OutboxItem *item, const OutboxOutcome *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SenderLedger, sender_ledger_free)

void sender_set_test_hook(SenderTestHook hook);

#endif /* PA_SENDER_INT_H */
