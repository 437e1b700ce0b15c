/*
 * sender_int.h - what the parts of sender/ share; not for other modules
 *
 * SYNOPSIS
 *	guint wait = sender_backoff(cfg, item->attempts);
 *	ok = sender_flush_batch(store, cfg, now, 1, &stats, &claimed, &err);
 *
 * DESCRIPTION
 *	sender_backoff() is the wait before the next try after a temporary
 *	failure of try number attempts (1 for the first): retry_min doubled
 *	for each earlier try, never more than retry_max.
 *
 *	sender_flush_batch() claims up to max due items at now, sends each
 *	and records the outcome; *claimed tells how many it took, so the
 *	caller knows whether more may be due. The daemon's worker claims
 *	one at a time so that a stop never leaves items claimed but unsent.
 *
 * OWNERSHIP
 *	Arguments are borrowed.
 *
 * ERRORS
 *	The store's errors; a delivery failure is an outcome, not an error.
 *
 * THREADS
 *	As sender_flush().
 */
#ifndef PA_SENDER_INT_H
#define PA_SENDER_INT_H

#include "sender/sender.h"

#define SENDER_BATCH 16          /* items claimed at once by sender_flush() */
#define SENDER_MAX_BATCHES 10000 /* bound on one flush */
#define SENDER_DETAIL_MAX 300    /* characters of a reply kept for logs */

guint sender_backoff(const Config *cfg, guint attempts);
gboolean sender_flush_batch(Store *store, const Config *cfg, gint64 now,
    guint max, FlushStats *stats, guint *claimed, GError **error);

#endif /* PA_SENDER_INT_H */
