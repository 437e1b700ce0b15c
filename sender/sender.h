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
 *	sender_deliver() is sender_send() to one recipient, within timeout
 *	seconds (at most 60), with the reply code and whether the refusal
 *	answered RCPT TO (the address itself was refused). Given a
 *	SenderConn, it keeps the connection open after a transaction that
 *	went well, for the next one; sender_conn_free() sends QUIT. The
 *	outbox frees it only after recording the outcome, so that a crash
 *	between the relay's 250 and that record always happens before QUIT.
 *
 *	sender_flush() claims the outbox items that are due, for a lease of
 *	cfg->lease seconds that it extends before a transaction it might
 *	not cover, and
 *	delivers to each recipient not settled yet, one transaction each:
 *	OK -> that recipient is sent; RETRY -> deferred; FAIL -> failed.
 *	Up to SENDER_LANES items go out at once, each lane on a relay
 *	connection of its own that it keeps from item to item; the store
 *	writes that the lanes make together are committed together (one
 *	transaction), and each lane waits for its own before it says
 *	anything more to the relay.
 *	An item with deferred recipients is queued again, for those alone,
 *	after a backoff that doubles from cfg->retry_min up to
 *	cfg->retry_max; after cfg->max_attempts they fail too. Otherwise
 *	the item is sent when any recipient got it, else failed. A
 *	recipient refused at RCPT with a 5xx goes on the suppression list.
 *	When recipients of mail tied to a share fail for good, a notice to
 *	the member who shared (kind "notice") names each address and the
 *	server's reason; a notice is never written about a notice, nor
 *	about the member's own address. It counts what happened in stats
 *	and, when stats->failures is not NULL, appends a line per failed
 *	recipient to it.
 *
 *	Exactly once while the process lives: when the store refuses to
 *	record an outcome (SQLITE_BUSY, disk full), the outcome is kept in
 *	memory and recorded again with a backoff; the item is never sent
 *	again meanwhile. sender_flush() retries for a bounded time and then
 *	fails; the worker retries for as long as it runs, and claims
 *	nothing new until the store took it. What remains is at least
 *	once: a sender that dies between the relay's reply to a recipient
 *	and the commit that records it sends to that recipient again after
 *	the lease, when the item is claimed anew (at most one recipient
 *	per lane, each on a connection that ended without QUIT).
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
 *	Webhooks: items of kind "webhook" go to the [webhook NAME] their
 *	one recipient names, by HTTP POST (sender_http.c), signed as the
 *	Standard Webhooks specification does; a NAME no longer configured
 *	fails for good. sender_webhook_share_items() is the
 *	StoreShareHook (data: the Config) that queues share.recorded with
 *	the share; the sender queues intro.sent (an intro sent) and
 *	delivery.failed (each recipient of mail that failed for good) with
 *	the outcome it records, as it queues notices.
 *	sender_webhook_signature() is "v1,<base64>" of HMAC-SHA256 keyed
 *	with key over "id.timestamp.body". sender_http_result() is the
 *	outcome of an HTTP answer: 2xx OK; 408, 429, 5xx and no answer
 *	(answered FALSE: no connection, a timeout) RETRY; other 3xx and
 *	4xx FAIL.
 *
 * OWNERSHIP
 *	Arguments are borrowed; *detail is new (transfer full). The worker
 *	keeps its own copy of what it needs from cfg.
 *
 * ERRORS
 *	sender_flush(): the store's errors; an outcome it could not record
 *	in time is STORE_ERROR_BUSY (or what the store said). sender_worker_start(): the
 *	store could not be opened.
 *
 * THREADS
 *	sender_send() is reentrant (one CURL easy handle per call);
 *	sender_flush() runs its lanes in threads it starts and joins;
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

/* What the relay said to one transaction (sender_deliver()). */
typedef struct {
	int code;         /* the reply code, 0 without one (no connection) */
	gboolean at_rcpt; /* the refusal answered RCPT TO: the address */
	char *detail;     /* the reply, cleaned, or the reason (owned) */
} SendReply;

typedef struct {
	guint sent;    /* items: every recipient settled, one or more sent */
	guint retried; /* items queued again for deferred recipients */
	guint failed;  /* items no recipient of which got the message */
	guint rcpt_failed;   /* recipients refused for good */
	guint rcpt_deferred; /* recipients left for a later try */
	guint notices;       /* notices queued to members */
	guint webhooks;      /* webhook rows queued for events */
	guint unrecorded;    /* outcomes the store took only on a retry */
	GPtrArray *failures; /* caller's, or NULL: "addr: reason" lines */
} FlushStats;

typedef struct _SenderWorker SenderWorker;
typedef struct _SenderConn SenderConn; /* a relay connection kept open */

void sender_init(void);
SendResult sender_send(const char *smtp_url, const char *mail_from,
    GPtrArray *rcpts, GBytes *message, char **detail);
SenderConn *sender_conn_new(void);
void sender_conn_free(SenderConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SenderConn, sender_conn_free)
SendResult sender_deliver(SenderConn *conn, const char *smtp_url,
    const char *mail_from, const char *rcpt, GBytes *message, guint timeout,
    SendReply *reply);
gboolean sender_flush(
    Store *store, const Config *cfg, FlushStats *stats, GError **error);
gboolean sender_flush_at(Store *store, const Config *cfg, gint64 now,
    FlushStats *stats, GError **error);
SenderWorker *sender_worker_start(const Config *cfg, GError **error);

/* webhooks (sender_webhook.c, sender_http.c) */
GPtrArray *sender_webhook_share_items(
    const Share *share, gint64 now, gpointer cfg);
char *sender_webhook_signature(
    GBytes *key, const char *id, gint64 timestamp, GBytes *body);
SendResult sender_http_result(gboolean answered, long status);
void sender_worker_wake(SenderWorker *worker);
void sender_worker_stop(SenderWorker *worker);

/* render a row queued with a template from its share's facts; keep:
 * store it under the item's claim (sender_render.c) */
gboolean sender_render(Store *store, const Config *cfg, OutboxItem *item,
    gint64 now, gboolean keep, GError **error);

#endif /* PA_SENDER_H */
