/*
 * web.h - the small HTTP endpoint: one-click unsubscribe, answers by link
 *
 * SYNOPSIS
 *	if (cfg->web_listen != NULL && !web_start(own_cfg, store, &error))
 *		exit(EX_UNAVAILABLE);
 *	...
 *	web_stop();
 *
 * DESCRIPTION
 *	An HTTP/1.1 server (libmicrohttpd, its own polling thread) on
 *	[web] listen, meant to sit behind the operator's TLS reverse proxy
 *	at [web] base_url. Every page is generated here, small and plain
 *	(no script, no remote resource, strict headers); no file is ever
 *	served from disk. Routes:
 *
 *	GET /u/TOKEN        a page with one button; changes nothing (mail
 *	                    scanners follow links)
 *	POST /u/TOKEN       the member's weekly digest off
 *	                    (store_member_unsubscribe()); the body is empty,
 *	                    or RFC 8058's "List-Unsubscribe=One-Click"; a
 *	                    second POST says "already unsubscribed" (200)
 *	GET /c/TOKEN        the consent question (the member's and the
 *	                    requester's names and the subject, never an
 *	                    address) and a yes and a no button
 *	GET /c/TOKEN/yes|no the same answer asked to be confirmed; changes
 *	                    nothing
 *	POST /c/TOKEN/yes|no flow_answer_link(): what a yes or no by mail
 *	                    does; "already answered" (200) or "expired"
 *	                    (410) change nothing
 *
 *	Tokens are checked for shape (flow_token_valid()) before the store
 *	sees them; an unknown or malformed one is 404. Any other path is
 *	404, any other method 405 with Allow. A URL over WEB_MAX_URL bytes
 *	is 414, a body over WEB_MAX_BODY 413; each client address may make
 *	WEB_RATE_PER_MINUTE requests a minute (a token bucket), then 429
 *	with Retry-After. The client address is the peer's, or, when the
 *	peer is the loopback (the proxy on this host), the last address of
 *	X-Forwarded-For; an IPv6 peer counts by its /64. Connections are limited in number, per address
 *	and in time. A store failure is 503 with Retry-After and changes
 *	nothing.
 *
 *	web_start() takes a Config of its own (the daemon loads the file
 *	once more for it: a SIGUSR1 reload does not move the endpoint,
 *	[web] changes need a restart), binds [web] listen (IPv6 when the
 *	address is) and returns once it listens. web_stop() stops it and
 *	waits for the request in progress; it does nothing when nothing
 *	runs.
 *
 * OWNERSHIP
 *	cfg is taken (transfer full), also when web_start() fails; store
 *	is borrowed until web_stop().
 *
 * ERRORS
 *	WEB_ERROR_CONFIG ([web] listen not set or unusable),
 *	WEB_ERROR_LISTEN (the address could not be bound).
 *
 * THREADS
 *	web_start() and web_stop() from the main thread only. Requests are
 *	served on libmicrohttpd's threads (WEB_THREADS of them, so that a
 *	slow store call does not hold every other request); the Store is
 *	thread-safe, the rate table takes its own lock, the rest is
 *	read-only.
 */
#ifndef PA_WEB_H
#define PA_WEB_H

#include <glib.h>

#include "common/config.h"
#include "store/store.h"

#define WEB_MAX_URL 256        /* bytes of a request's URL, query too */
#define WEB_MAX_BODY 1024      /* bytes of a request's body */
#define WEB_RATE_PER_MINUTE 30 /* requests per client address */
#define WEB_MAX_CONNECTIONS 64 /* at once, all clients */
#define WEB_MAX_PER_ADDRESS 16 /* at once, one peer (a proxy counts once) */
#define WEB_TIMEOUT 15         /* seconds a connection may idle */
#define WEB_THREADS 4          /* requests served at once */

#define WEB_ERROR (web_error_quark())
GQuark web_error_quark(void);
typedef enum {
	WEB_ERROR_CONFIG,
	WEB_ERROR_LISTEN,
} WebError;

gboolean web_start(Config *cfg, Store *store, GError **error);
void web_stop(void);

#endif /* PA_WEB_H */
