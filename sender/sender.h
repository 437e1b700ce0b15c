/*
 * sender.h - deliver the outbox over SMTP (libcurl)
 *
 * SYNOPSIS
 *	SendResult r = sender_send(cfg->smtp_url, from, rcpts, msg, &detail);
 *	sender_flush(store, cfg, &stats, &error);      // once: CLI, tests
 *	SenderWorker *w = sender_worker_start(cfg, &error);  // daemon
 *	sender_worker_stop(w);
 *
 * DESCRIPTION
 *	sender_send() sends one message to the relay at smtp_url (a port
 *	without the milter). Addresses are checked again with addr_is_safe()
 *	right before libcurl sees them. SEND_OK: every recipient accepted and
 *	the message taken. SEND_RETRY: a 4xx reply, a connection or timeout
 *	failure. SEND_FAIL: a 5xx reply or an address that is not safe.
 *	*detail gets the server's reply or the reason.
 *
 *	sender_flush() claims the outbox items that are due and sends each:
 *	OK -> sent; RETRY -> queued again after a backoff that doubles from
 *	cfg->retry_min up to cfg->retry_max, failed after cfg->max_attempts;
 *	FAIL -> failed. It counts what happened in stats.
 *	sender_flush_at() is the same with the clock given (tests, and
 *	callers that already read it): items due at now are claimed and
 *	backoffs count from now.
 *
 *	The SenderWorker is the daemon's thread: it opens its own Store,
 *	flushes, then sleeps cfg->poll_interval seconds or until
 *	sender_worker_wake() (the milter calls it after a share committed).
 *	sender_worker_stop() wakes it, lets the current delivery finish and
 *	joins the thread.
 *
 * OWNERSHIP
 *	Arguments are borrowed; *detail is new (transfer full). The worker
 *	keeps its own copy of what it needs from cfg.
 *
 * ERRORS
 *	sender_flush(): the store's errors. sender_worker_start(): the
 *	store could not be opened.
 *
 * THREADS
 *	sender_send() is reentrant (one CURL easy handle per call);
 *	curl_global_init() is done by sender_init(), from main() before any
 *	thread starts.
 */
#ifndef PA_SENDER_H
#define PA_SENDER_H

#include <glib.h>

#include "common/config.h"
#include "store/store.h"

typedef enum {
	SEND_OK,
	SEND_RETRY,
	SEND_FAIL,
} SendResult;

typedef struct {
	guint sent;
	guint retried;
	guint failed;
} FlushStats;

typedef struct _SenderWorker SenderWorker;

void sender_init(void);
SendResult sender_send(const char *smtp_url, const char *mail_from,
    GPtrArray *rcpts, GBytes *message, char **detail);
gboolean sender_flush(
    Store *store, const Config *cfg, FlushStats *stats, GError **error);
gboolean sender_flush_at(Store *store, const Config *cfg, gint64 now,
    FlushStats *stats, GError **error);
SenderWorker *sender_worker_start(const Config *cfg, GError **error);
void sender_worker_wake(SenderWorker *worker);
void sender_worker_stop(SenderWorker *worker);

#endif /* PA_SENDER_H */
