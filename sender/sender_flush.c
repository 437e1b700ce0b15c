/*
 * sender_flush.c - deliver what is due in the outbox, record each outcome
 *
 * Items are claimed in the store (queued -> sending under a new claim
 * number, attempts + 1, a lease of cfg->lease seconds) before any
 * delivery, so two senders never take the same item while the lease
 * lasts. Each recipient not settled yet gets its own SMTP transaction
 * (sender_deliver()); the lease is extended before one that it might
 * not cover (sender_lease_short(): a slow relay, a long batch), and each
 * recipient's outcome is written as soon as it is known, so that a
 * crash costs at most the recipient in flight a second copy. The
 * item's own outcome follows from its recipients':
 *
 *	any deferred (4xx, no connection) -> queued for those alone, after
 *	    the backoff; past max_attempts they fail too
 *	none deferred, any ever sent     -> sent
 *	none deferred, none sent         -> failed
 *
 * A recipient refused at RCPT with a 5xx goes on the suppression list.
 * Recipients that failed for good are told to the member who shared,
 * in a notice queued in the same transaction as the outcome; a notice
 * is never written about a notice (no loops), nor to tell a member that
 * their own address failed.
 *
 * Every write is fenced by the claim number: a sender whose lease ran
 * out cannot overwrite the next claimant. A write the store refuses for
 * another reason goes to the ledger (sender_ledger.c) and is retried;
 * the item is not sent again meanwhile.
 *
 * Trust: the items come from our own store; sender_deliver() still
 * checks every address. Details from the server are cleaned by
 * sender.c, and again by the notice template.
 */
#include "config.h"

#include "common/log.h"
#include "common/util.h"
#include "sender/sender_int.h"
#include "templates/tmpl.h"

#define FAILURES_MAX 1000 /* lines kept in stats->failures */

/* One item's delivery in progress. */
typedef struct {
	Store *store;
	const Config *cfg;
	OutboxItem *item;     /* borrowed; states change as we go */
	gint64 now;           /* the flush's clock at its start */
	gint64 mono0;         /* g_get_monotonic_time() at that start */
	gint64 lease_until;   /* when our claim's lease ends */
	GPtrArray *failed;    /* of OutboxRcpt * (borrowed): failed now */
	GPtrArray *suppress;  /* of OutboxRcpt * (copies) */
	SenderConn *conn;     /* the lane's to the relay, kept open */
	SenderLanes *lanes;   /* every store write goes through them */
	SenderLedger *ledger; /* outcomes the store did not take */
	gboolean interrupted; /* stopped before every recipient was tried */
	gboolean stale;       /* the claim is no longer ours */
} Run;

/* sender_backoff - retry_min doubled per earlier try, at most retry_max */
guint
sender_backoff(const Config *cfg, guint attempts)
{
	guint64 wait = MAX(cfg->retry_min, 1);

	for (guint i = 1; i < attempts && wait < cfg->retry_max; i++)
		wait *= 2;
	return (guint)MIN(wait, (guint64)MAX(cfg->retry_max, 1));
}

/* clock_now - the flush's clock, moved on by the time spent since */
static gint64
clock_now(const Run *run)
{
	return run->now +
	       (g_get_monotonic_time() - run->mono0) / G_TIME_SPAN_SECOND;
}

/* is_pending - whether a recipient still waits for a delivery */
static gboolean
is_pending(const OutboxRcpt *r)
{
	return g_strcmp0(r->status, "queued") == 0 ||
	       g_strcmp0(r->status, "deferred") == 0;
}

/* set_rcpt - a recipient's new outcome */
static void
set_rcpt(OutboxRcpt *r, const char *status, int code, char *text)
{
	g_free(r->status);
	r->status = g_strdup(status);
	r->code = code;
	g_free(r->text);
	r->text = text; /* transfer full */
}

/* sender_tx_timeout - how long one SMTP transaction may take */
guint
sender_tx_timeout(const Config *cfg)
{
	return MIN(MAX(cfg->lease, 30) / 2, 60);
}

/* sender_lease_short - the lease might end during one more transaction */
gboolean
sender_lease_short(const Config *cfg, gint64 lease_until, gint64 now)
{
	return lease_until - now <
	       (gint64)sender_tx_timeout(cfg) + SENDER_LEASE_MARGIN;
}

/* lease_kept - make sure the lease covers one more transaction; while
 * it does, nobody else can have claimed the item, so no write is due */
static gboolean
lease_kept(Run *run)
{
	g_autoptr(GError) error = NULL;
	guint lease = MAX(run->cfg->lease, 30);
	gint64 now = clock_now(run);

	if (!sender_lease_short(run->cfg, run->lease_until, now))
		return TRUE;
	if (store_outbox_extend(run->store, run->item->id, run->item->claim,
		now + lease, &error)) {
		run->lease_until = now + lease;
		return TRUE;
	}
	log_warn("outbox",
	    "lease not extended id=%" G_GINT64_FORMAT ": %s; "
	    "delivering no more of it now",
	    run->item->id, error->message);
	if (g_error_matches(error, STORE_ERROR, STORE_ERROR_STALE))
		run->stale = TRUE;
	return FALSE;
}

/* deliver_one - one recipient's transaction, and its outcome */
static void
deliver_one(Run *run, OutboxRcpt *r)
{
	const OutboxItem *item = run->item;
	SendReply reply = { 0 };
	SendResult res;
	guint timeout = sender_tx_timeout(run->cfg);

	if (g_strcmp0(item->kind, "webhook") == 0)
		res = sender_webhook_deliver(
		    run->cfg, item, r->address, timeout, &reply);
	else
		res = sender_deliver(run->conn, run->cfg->smtp_url,
		    item->mail_from, r->address, item->message, timeout,
		    &reply);
	r->attempts++;
	if (res == SEND_OK) {
		set_rcpt(r, "sent", reply.code, g_steal_pointer(&reply.detail));
		log_info("outbox",
		    "sent id=%" G_GINT64_FORMAT " kind=%s to=%s attempts=%u "
		    "reply=%s",
		    item->id, item->kind, r->address, item->attempts, r->text);
		return;
	}
	set_rcpt(r, res == SEND_FAIL ? "failed" : "deferred", reply.code,
	    g_steal_pointer(&reply.detail));
	log_info("outbox",
	    "%s id=%" G_GINT64_FORMAT " kind=%s to=%s attempts=%u reason=%s",
	    res == SEND_FAIL ? "bounced" : "deferred", item->id, item->kind,
	    r->address, item->attempts, r->text != NULL ? r->text : "");
	if (res != SEND_FAIL)
		return;
	g_ptr_array_add(run->failed, r);
	if (reply.at_rcpt && reply.code >= 500 && reply.code <= 599) {
		OutboxRcpt *s = outbox_rcpt_new(r->address);

		s->code = r->code;
		s->text = g_strdup(r->text);
		g_ptr_array_add(run->suppress, s);
	}
}

/* deliver_all - every recipient not settled, while the lease holds */
static void
deliver_all(Run *run)
{
	OutboxItem *item = run->item;
	guint left = 0;

	for (guint i = 0; i < item->states->len; i++)
		left += is_pending(g_ptr_array_index(item->states, i));
	for (guint i = 0; i < item->states->len && left > 0; i++) {
		OutboxRcpt *r = g_ptr_array_index(item->states, i);
		gboolean suppressed = FALSE;

		if (!is_pending(r))
			continue;
		left--;
		if (!lease_kept(run)) {
			run->interrupted = TRUE;
			return;
		}
		if (store_suppression_has(
			run->store, r->address, &suppressed, NULL) &&
		    suppressed) {
			set_rcpt(r, "failed", 0,
			    g_strdup("not sent: the address bounced for good "
				     "before (suppression list)"));
			g_ptr_array_add(run->failed, r);
			continue;
		}
		deliver_one(run, r);
		/* more to come: record this one now, before the next
		 * command to the relay (the final write records it anyway
		 * if this one does not land) */
		if (left > 0) {
			OutboxWrite w = { .item = item };

			(void)sender_lanes_write(
			    run->lanes, run->store, &w, NULL);
		}
	}
	/* the last outcome is recorded by finish(), before the lane's
	 * next transaction or its QUIT */
}

/* give_up_deferred - past max_attempts, deferred recipients fail too */
static void
give_up_deferred(Run *run)
{
	for (guint i = 0; i < run->item->states->len; i++) {
		OutboxRcpt *r = g_ptr_array_index(run->item->states, i);

		if (g_strcmp0(r->status, "deferred") != 0)
			continue;
		set_rcpt(r, "failed", r->code,
		    g_strdup_printf("%s (too many attempts)",
			r->text != NULL ? r->text : "no reply"));
		g_ptr_array_add(run->failed, r);
	}
}

/* decide - the item's outcome from its recipients' */
static void
decide(Run *run, OutboxOutcome *o, FlushStats *stats)
{
	const OutboxItem *item = run->item;
	guint pending = 0, sent = 0;
	const OutboxRcpt *first_bad = NULL;

	for (guint i = 0; i < item->states->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(item->states, i);

		pending += is_pending(r);
		sent += g_strcmp0(r->status, "sent") == 0;
		if (first_bad == NULL && g_strcmp0(r->status, "sent") != 0 &&
		    g_strcmp0(r->status, "queued") != 0)
			first_bad = r;
	}
	o->now = clock_now(run);
	o->last_error = first_bad != NULL ? first_bad->text : NULL;
	if (pending > 0) {
		guint wait = run->interrupted
				 ? 0
				 : sender_backoff(run->cfg, item->attempts);

		o->status = "queued";
		o->next_attempt_at = run->now + wait;
		stats->retried++;
		stats->rcpt_deferred += pending;
	} else {
		o->status = sent > 0 ? "sent" : "failed";
		if (sent > 0)
			stats->sent++;
		else
			stats->failed++;
	}
}

/* notice_for - the notice that tells the member what failed, or NULL */
static OutboxItem *
notice_for(Run *run)
{
	const OutboxItem *item = run->item;
	g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GError) error = NULL;
	NoticeContext ctx = { 0 };
	OutboxItem *n;

	/* no loops: a notice that failed just fails; a webhook is no mail */
	if (item->member == NULL || g_strcmp0(item->kind, "notice") == 0 ||
	    g_strcmp0(item->kind, "webhook") == 0)
		return NULL;
	for (guint i = 0; i < run->failed->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(run->failed, i);
		NoticeFailure *nf;

		if (g_ascii_strcasecmp(r->address, item->member) == 0)
			continue; /* the member could not read it */
		nf = g_new0(NoticeFailure, 1);
		nf->address = r->address;
		nf->reason = r->text;
		g_ptr_array_add(failures, nf);
	}
	if (failures->len == 0)
		return NULL;
	ctx = (NoticeContext){ .cfg = run->cfg,
		.member_address = item->member,
		.subject = item->subject,
		.failures = failures,
		.now = clock_now(run) };
	mail = tmpl_render_notice(&ctx, &error);
	if (mail == NULL) {
		log_warn("outbox",
		    "no notice for id=%" G_GINT64_FORMAT " to=%s: %s", item->id,
		    item->member, error->message);
		return NULL;
	}
	n = outbox_item_new();
	n->kind = g_strdup(mail->kind);
	n->mail_from = g_strdup(mail->mail_from);
	g_ptr_array_add(n->rcpts, g_strdup(item->member));
	n->subject = g_strdup(mail->subject);
	n->message = g_bytes_ref(mail->message);
	return n;
}

/* note_failures - count failed recipients, one line each for the caller */
static void
note_failures(Run *run, FlushStats *stats)
{
	for (guint i = 0; i < run->failed->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(run->failed, i);

		stats->rcpt_failed++;
		if (stats->failures != NULL &&
		    stats->failures->len < FAILURES_MAX)
			g_ptr_array_add(stats->failures,
			    g_strdup_printf("item %" G_GINT64_FORMAT ": %s: %s",
				run->item->id, r->address,
				r->text != NULL ? r->text : "failed"));
	}
}

/* finish - the item's outcome, notices and suppressions, in one write;
 * FALSE when it went to the ledger instead */
static gboolean
finish(Run *run, FlushStats *stats)
{
	g_autoptr(GPtrArray) notices =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	g_autoptr(GError) error = NULL;
	OutboxOutcome o = { 0 };
	OutboxWrite w = { .item = run->item, .outcome = &o };
	OutboxItem *notice;

	if (!run->interrupted && run->item->attempts >= run->cfg->max_attempts)
		give_up_deferred(run);
	decide(run, &o, stats);
	note_failures(run, stats);
	notice = notice_for(run);
	if (notice != NULL)
		g_ptr_array_add(notices, notice);
	/* events ride with the notices: in the outcome's transaction */
	sender_webhook_events(run->store, run->cfg, run->item, o.status,
	    run->failed, o.now, notices);
	o.notices = notices;
	o.suppress = run->suppress;
	if (sender_lanes_write(run->lanes, run->store, &w, &error)) {
		stats->notices += notice != NULL;
		stats->webhooks += notices->len - (notice != NULL);
		return TRUE;
	}
	if (g_error_matches(error, STORE_ERROR, STORE_ERROR_STALE)) {
		log_error("outbox",
		    "outcome of id=%" G_GINT64_FORMAT " dropped: %s; it may be "
		    "sent again",
		    run->item->id, error->message);
		return TRUE;
	}
	sender_lanes_ledger_add(run->lanes, run->ledger, run->item, &o);
	return FALSE;
}

/* render - write a row queued with a template before its first try; a
 * row that cannot be written fails all its recipients (the reason in
 * each); FALSE: the store failed, try again after the lease */
static gboolean
render(Run *run)
{
	g_autoptr(GError) error = NULL;
	OutboxItem *item = run->item;
	OutboxWrite w = { .item = item, .rendered = TRUE };
	gboolean fresh =
	    item->template != NULL &&
	    (item->message == NULL || g_bytes_get_size(item->message) == 0);

	/* rendered here, kept under the claim before any SMTP */
	if (sender_render(
		run->store, run->cfg, item, run->now, FALSE, &error) &&
	    (!fresh || sender_lanes_write(run->lanes, run->store, &w, &error)))
		return TRUE;
	if (g_error_matches(error, STORE_ERROR, STORE_ERROR_STALE)) {
		run->stale = TRUE;
		return TRUE;
	}
	if (error->domain == STORE_ERROR) {
		log_error("outbox", "render id=%" G_GINT64_FORMAT ": %s",
		    run->item->id, error->message);
		return FALSE;
	}
	log_error("outbox", "cannot render id=%" G_GINT64_FORMAT " (%s): %s",
	    run->item->id, run->item->template, error->message);
	for (guint i = 0; i < run->item->states->len; i++) {
		OutboxRcpt *r = g_ptr_array_index(run->item->states, i);

		if (is_pending(r)) {
			set_rcpt(r, "failed", 0,
			    g_strdup_printf("cannot render the %s mail: %s",
				run->item->template, error->message));
			g_ptr_array_add(run->failed, r);
		}
	}
	return TRUE;
}

/* sender_deliver_item - one claimed item on a lane's connection:
 * deliver, record; FALSE: store trouble */
gboolean
sender_deliver_item(
    const SenderBatch *b, SenderConn *conn, OutboxItem *item, FlushStats *stats)
{
	g_autoptr(GPtrArray) failed = g_ptr_array_new();
	g_autoptr(GPtrArray) suppress =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_free);
	Run run = { .store = b->store,
		.cfg = b->cfg,
		.item = item,
		.now = b->now,
		.mono0 = b->mono0,
		/* the claim's lease, taken at the flush's start */
		.lease_until = b->now + MAX(b->cfg->lease, 30),
		.failed = failed,
		.suppress = suppress,
		.conn = conn,
		.lanes = b->lanes,
		.ledger = b->ledger };

	if (!render(&run))
		return FALSE; /* the store: the row waits for its lease */
	deliver_all(&run);
	if (run.stale)
		return TRUE; /* another sender has it; it records, not us */
	return finish(&run, stats);
}

/* sender_flush_batch - claim up to max due items and deliver them */
gboolean
sender_flush_batch(Store *store, const Config *cfg, SenderLedger *ledger,
    SenderLanes *lanes, gint64 now, guint max, FlushStats *stats,
    guint *claimed, GError **error)
{
	g_autoptr(GPtrArray) items = NULL;
	SenderBatch b = { .store = store,
		.cfg = cfg,
		.ledger = ledger,
		.lanes = lanes,
		.now = now,
		.mono0 = g_get_monotonic_time() };

	*claimed = 0;
	if (sender_ledger_size(ledger) > 0)
		return TRUE; /* first record what was delivered */
	items = store_outbox_claim(store, now, MAX(cfg->lease, 30), max, error);
	if (items == NULL)
		return FALSE;
	*claimed = items->len;
	/* a store write failed: the rest waits for its lease */
	(void)sender_lanes_run(lanes, &b, items, stats);
	return TRUE;
}

/* record_late - record what the ledger holds, bounded in time */
static gboolean
record_late(
    SenderLedger *ledger, Store *store, FlushStats *stats, GError **error)
{
	for (guint n = 0; n < SENDER_FLUSH_RECORD_TRIES; n++) {
		gint64 next = sender_ledger_next(ledger);
		gint64 wait = next - g_get_monotonic_time();

		if (wait > 0)
			g_usleep((gulong)wait);
		g_clear_error(error);
		if (sender_ledger_retry(
			ledger, store, SENDER_FLUSH_RECORD_MS, stats, error))
			return TRUE;
	}
	return FALSE;
}

/* sender_flush_at - deliver everything due at now */
gboolean
sender_flush_at(Store *store, const Config *cfg, gint64 now, FlushStats *stats,
    GError **error)
{
	FlushStats local = { 0 };
	g_autoptr(SenderLedger) ledger = sender_ledger_new();
	/* QUIT after the last record; declared after the ledger, so freed
	 * before it */
	g_autoptr(SenderLanes) lanes = sender_lanes_new(SENDER_LANES);
	guint claimed = SENDER_BATCH;
	GPtrArray *failures;

	g_return_val_if_fail(store != NULL && cfg != NULL, FALSE);
	g_return_val_if_fail(cfg->smtp_url != NULL, FALSE);
	if (stats == NULL)
		stats = &local;
	failures = stats->failures;
	*stats = (FlushStats){ .failures = failures };
	/* an item retried or settled is no longer due at now: this ends */
	for (guint n = 0; n < SENDER_MAX_BATCHES && claimed == SENDER_BATCH &&
			  sender_ledger_size(ledger) == 0;
	     n++) {
		if (!sender_flush_batch(store, cfg, ledger, lanes, now,
			SENDER_BATCH, stats, &claimed, error))
			return FALSE;
	}
	if (sender_ledger_size(ledger) > 0 &&
	    !record_late(ledger, store, stats, error)) {
		g_prefix_error(error,
		    "the relay took mail whose delivery the store did not "
		    "record (it may be sent again after its lease): ");
		return FALSE;
	}
	return TRUE;
}

/* sender_flush - deliver everything due now */
gboolean
sender_flush(Store *store, const Config *cfg, FlushStats *stats, GError **error)
{
	return sender_flush_at(store, cfg, util_now(), stats, error);
}
