/*
 * sender_ledger.c - outcomes the relay gave and the store did not take
 *
 * Once the relay said 250 for a recipient, that fact must reach the
 * store, or the item would be claimed again after its lease and sent a
 * second time with the same Message-ID. When the store refuses the
 * write (SQLITE_BUSY past busy_timeout, a full disk), the outcome waits
 * here, in memory, and is written again with a doubling backoff. The
 * sender claims nothing new while anything waits here, so the same
 * process never sends an item whose outcome it still holds.
 *
 * A write that the store refuses because the claim was taken over
 * (STORE_ERROR_STALE: this sender's lease ran out and another sender
 * claimed the item) is dropped and logged: the other sender owns the
 * item now, and may send it again. That, and a crash before the write,
 * are the at-least-once cases.
 *
 * Trust: only our own data. Privilege: none.
 */
#include "config.h"

#include "common/log.h"
#include "sender/sender_int.h"

typedef struct {
	OutboxItem *item; /* a copy, with the recipients' outcomes */
	gboolean final;   /* outcome below is set */
	char *status;
	char *last_error;
	gint64 now;
	gint64 next_attempt_at;
	GPtrArray *notices;  /* of OutboxItem *, or NULL */
	GPtrArray *suppress; /* of OutboxRcpt *, or NULL */
	guint tries;
	gint64 next_try; /* g_get_monotonic_time() */
} Entry;

struct _SenderLedger {
	GPtrArray *entries; /* of Entry * */
};

static SenderTestHook test_hook;

/* sender_set_test_hook - tests only: be told of ledger events */
void
sender_set_test_hook(SenderTestHook hook)
{
	test_hook = hook;
}

/* entry_free - release one entry */
static void
entry_free(gpointer data)
{
	Entry *e = data;

	outbox_item_free(e->item);
	g_free(e->status);
	g_free(e->last_error);
	if (e->notices != NULL)
		g_ptr_array_unref(e->notices);
	if (e->suppress != NULL)
		g_ptr_array_unref(e->suppress);
	g_free(e);
}

/* sender_ledger_new - an empty ledger */
SenderLedger *
sender_ledger_new(void)
{
	SenderLedger *l = g_new0(SenderLedger, 1);

	l->entries = g_ptr_array_new_with_free_func(entry_free);
	return l;
}

/* sender_ledger_free - release a ledger; accepts NULL */
void
sender_ledger_free(SenderLedger *ledger)
{
	if (ledger == NULL)
		return;
	if (ledger->entries->len > 0)
		log_error("outbox",
		    "%u delivered item(s) were never recorded; they may be "
		    "sent again",
		    ledger->entries->len);
	g_ptr_array_unref(ledger->entries);
	g_free(ledger);
}

/* sender_ledger_add - keep an outcome the store refused (copies it) */
void
sender_ledger_add(
    SenderLedger *ledger, const OutboxItem *item, const OutboxOutcome *o)
{
	Entry *e = g_new0(Entry, 1);

	e->item = outbox_item_copy(item);
	if (o != NULL) {
		e->final = TRUE;
		e->status = g_strdup(o->status);
		e->last_error = g_strdup(o->last_error);
		e->now = o->now;
		e->next_attempt_at = o->next_attempt_at;
		e->notices = o->notices ? g_ptr_array_ref(o->notices) : NULL;
		e->suppress = o->suppress ? g_ptr_array_ref(o->suppress) : NULL;
	}
	e->next_try = g_get_monotonic_time() + SENDER_RECORD_MIN_MS * 1000;
	g_ptr_array_add(ledger->entries, e);
	log_warn("outbox",
	    "record deferred id=%" G_GINT64_FORMAT " claim=%" G_GINT64_FORMAT
	    ": the store did not take the outcome; kept in memory, not sent "
	    "again",
	    item->id, item->claim);
	if (test_hook != NULL)
		test_hook("record-deferred", item->id);
}

/* try_entry - record one entry; TRUE when it may leave the ledger */
static gboolean
try_entry(
    Entry *e, Store *store, guint max_ms, FlushStats *stats, GError **error)
{
	g_autoptr(GError) err = NULL;
	OutboxOutcome o = { .status = e->status,
		.now = e->now,
		.next_attempt_at = e->next_attempt_at,
		.last_error = e->last_error,
		.notices = e->notices,
		.suppress = e->suppress };
	guint64 wait;

	if (store_outbox_record(store, e->item, e->final ? &o : NULL, &err)) {
		log_info("outbox",
		    "recorded id=%" G_GINT64_FORMAT " status=%s after %u "
		    "retries",
		    e->item->id, e->final ? e->status : "sending",
		    e->tries + 1);
		stats->unrecorded++;
		return TRUE;
	}
	if (g_error_matches(err, STORE_ERROR, STORE_ERROR_STALE) ||
	    g_error_matches(err, STORE_ERROR, STORE_ERROR_INVALID)) {
		log_error("outbox",
		    "outcome of id=%" G_GINT64_FORMAT " dropped: %s; it may "
		    "be sent again",
		    e->item->id, err->message);
		return TRUE;
	}
	e->tries++;
	wait = (guint64)SENDER_RECORD_MIN_MS << MIN(e->tries, 16u);
	e->next_try =
	    g_get_monotonic_time() + (gint64)MIN(wait, (guint64)max_ms) * 1000;
	g_clear_error(error);
	g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}

/* sender_ledger_retry - record what is due; TRUE when nothing is left */
gboolean
sender_ledger_retry(SenderLedger *ledger, Store *store, guint max_ms,
    FlushStats *stats, GError **error)
{
	gint64 mono = g_get_monotonic_time();
	GError *last = NULL;

	for (guint i = 0; i < ledger->entries->len;) {
		Entry *e = g_ptr_array_index(ledger->entries, i);

		if ((max_ms == 0 || e->next_try <= mono) &&
		    try_entry(e, store, max_ms, stats, &last))
			g_ptr_array_remove_index(ledger->entries, i);
		else
			i++;
	}
	if (ledger->entries->len == 0) {
		g_clear_error(&last);
		return TRUE;
	}
	if (last == NULL)
		g_set_error(&last, STORE_ERROR, STORE_ERROR_BUSY,
		    "%u delivered item(s) wait to be recorded",
		    ledger->entries->len);
	g_propagate_error(error, last);
	return FALSE;
}

/* sender_ledger_size - how many outcomes wait */
guint
sender_ledger_size(const SenderLedger *ledger)
{
	return ledger == NULL ? 0 : ledger->entries->len;
}

/* sender_ledger_next - the monotonic time of the next try, 0 if none */
gint64
sender_ledger_next(const SenderLedger *ledger)
{
	gint64 next = 0;

	for (guint i = 0; ledger != NULL && i < ledger->entries->len; i++) {
		const Entry *e = g_ptr_array_index(ledger->entries, i);

		if (next == 0 || e->next_try < next)
			next = e->next_try;
	}
	return next;
}
