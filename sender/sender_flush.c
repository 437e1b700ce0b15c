/*
 * sender_flush.c - deliver what is due in the outbox, record each outcome
 *
 * Items are claimed in the store (queued -> sending, attempts + 1) before
 * any delivery, so two senders never take the same item; the outcome of
 * each delivery is written right after it. A crash between the two
 * leaves the item claimed until STORE_CLAIM_TIMEOUT, then it is sent
 * again: delivery is at least once.
 *
 * Trust: the items come from our own store; sender_send() still checks
 * every address. Details from the server are cleaned by sender_send().
 */
#include "config.h"

#include "common/log.h"
#include "common/util.h"
#include "sender/sender_int.h"

/* sender_backoff - retry_min doubled per earlier try, at most retry_max */
guint
sender_backoff(const Config *cfg, guint attempts)
{
	guint64 wait = MAX(cfg->retry_min, 1);

	for (guint i = 1; i < attempts && wait < cfg->retry_max; i++)
		wait *= 2;
	return (guint)MIN(wait, (guint64)MAX(cfg->retry_max, 1));
}

/* rcpt_string - "a@x,b@y" for a log line (transfer full) */
static char *
rcpt_string(GPtrArray *rcpts)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; rcpts != NULL && i < rcpts->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? "," : "",
		    (const char *)g_ptr_array_index(rcpts, i));
	return g_string_free(s, FALSE);
}

/* record - write one delivery's outcome to the store and the log */
static gboolean
record(Store *store, const Config *cfg, const OutboxItem *item, gint64 now,
    SendResult r, const char *detail, FlushStats *stats, GError **error)
{
	g_autofree char *to = rcpt_string(item->rcpts);
	const char *why = detail != NULL ? detail : "";

	if (r == SEND_OK) {
		log_info("outbox",
		    "sent id=%" G_GINT64_FORMAT " kind=%s to=%s "
		    "attempts=%u reply=%s",
		    item->id, item->kind, to, item->attempts, why);
		stats->sent++;
		return store_outbox_mark_sent(store, item->id, now, error);
	}
	if (r == SEND_RETRY && item->attempts < cfg->max_attempts) {
		guint wait = sender_backoff(cfg, item->attempts);

		log_info("outbox",
		    "deferred id=%" G_GINT64_FORMAT " kind=%s "
		    "to=%s attempts=%u retry_in=%us reason=%s",
		    item->id, item->kind, to, item->attempts, wait, why);
		stats->retried++;
		return store_outbox_mark_retry(
		    store, item->id, now + (gint64)wait, why, error);
	}
	log_warn("outbox",
	    "failed id=%" G_GINT64_FORMAT " kind=%s to=%s "
	    "attempts=%u reason=%s%s",
	    item->id, item->kind, to, item->attempts, why,
	    r == SEND_RETRY ? " (too many attempts)" : "");
	stats->failed++;
	return store_outbox_mark_failed(store, item->id, why, error);
}

/* sender_flush_batch - claim up to max due items and deliver them */
gboolean
sender_flush_batch(Store *store, const Config *cfg, gint64 now, guint max,
    FlushStats *stats, guint *claimed, GError **error)
{
	g_autoptr(GPtrArray) items = NULL;

	*claimed = 0;
	items = store_outbox_claim_due(store, now, max, error);
	if (items == NULL)
		return FALSE;
	*claimed = items->len;
	for (guint i = 0; i < items->len; i++) {
		const OutboxItem *item = g_ptr_array_index(items, i);
		g_autofree char *detail = NULL;
		SendResult r;

		r = sender_send(cfg->smtp_url, item->mail_from, item->rcpts,
		    item->message, &detail);
		if (!record(store, cfg, item, now, r, detail, stats, error))
			return FALSE;
	}
	return TRUE;
}

/* sender_flush_at - deliver everything due at now */
gboolean
sender_flush_at(Store *store, const Config *cfg, gint64 now, FlushStats *stats,
    GError **error)
{
	FlushStats local = { 0 };
	guint claimed = SENDER_BATCH;

	g_return_val_if_fail(store != NULL && cfg != NULL, FALSE);
	g_return_val_if_fail(cfg->smtp_url != NULL, FALSE);
	if (stats == NULL)
		stats = &local;
	*stats = (FlushStats){ 0 };
	/* an item retried or settled is no longer due at now: this ends */
	for (guint n = 0; n < SENDER_MAX_BATCHES && claimed == SENDER_BATCH;
	     n++) {
		if (!sender_flush_batch(
			store, cfg, now, SENDER_BATCH, stats, &claimed, error))
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
