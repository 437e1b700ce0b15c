/*
 * web.c - the HTTP endpoint: routes, limits, headers (see web.h)
 *
 * Trust: everything in a request is untrusted: the URL is bounded
 * (WEB_MAX_URL) and only matched against the routes, a token is
 * checked for shape before the store sees it, a body is bounded
 * (WEB_MAX_BODY) and only compared, headers are read for their length
 * and, from a proxy on this host only, X-Forwarded-For (for the rate
 * limit, never for a decision about a member). A token is the whole
 * credential: 128 random bits made for one member's unsubscribe or one
 * share's question. GET and HEAD change nothing; only POST does, after
 * a page with a button, so that link scanners in mail systems do not
 * unsubscribe or answer for anyone.
 * Privilege: the daemon's user; no file is opened.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/util.h"
#include "flow/flow.h"
#include "web/web.h"
#include "web/web_int.h"

G_DEFINE_QUARK(passalong_web_error, web_error)

#define RETRY_STORE 60 /* seconds after a store failure */
/* bytes of an oversized body read (and dropped) so that an ordinary
 * client gets its 413 before the connection closes */
#define DISCARD_MAX (64 * 1024)

typedef struct {
	Config *cfg; /* the endpoint's own copy */
	Store *store;
	WebRate *rate;
	struct MHD_Daemon *daemon;
} Server;

static Server *server;

typedef enum {
	ROUTE_NONE,  /* no such page */
	ROUTE_UNSUB, /* /u/TOKEN */
	ROUTE_ASK,   /* /c/TOKEN */
	ROUTE_YES,   /* /c/TOKEN/yes */
	ROUTE_NO,    /* /c/TOKEN/no */
} RouteKind;

typedef struct {
	RouteKind kind;
	gboolean valid;                 /* token has a token's shape */
	char token[FLOW_TOKEN_LEN + 1]; /* lower-cased when valid */
} Route;

/* One request, from its URL (uri_seen()) to its end (req_done()). */
typedef struct {
	gsize uri_len;    /* the URL as sent, query included */
	gboolean started; /* the first call was made */
	gsize discarded;  /* bytes past WEB_MAX_BODY, read and dropped */
	GString *body;
} Req;

/* A page to send. */
typedef struct {
	unsigned int status;
	const char *title;
	char *body;        /* HTML inside <main>, after the h1 */
	const char *allow; /* the Allow field of a 405, or NULL */
	guint retry_after; /* seconds, or 0 */
} Page;

/* uri_seen - a request begins: its URL's length, before any parsing */
static void *
uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
	Req *r = g_new0(Req, 1);

	(void)cls;
	(void)c;
	r->uri_len = uri != NULL ? strlen(uri) : 0;
	r->body = g_string_new(NULL);
	return r;
}

/* req_done - a request ended, answered or not */
static void
req_done(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	Req *r = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r != NULL) {
		g_string_free(r->body, TRUE);
		g_free(r);
	}
	*req_cls = NULL;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* mhd_log - libmicrohttpd's own messages, through our log */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);

	(void)cls;
	log_warn(NULL, "web: %s", g_strchomp(msg));
}
#pragma GCC diagnostic pop

/* route_parse - which page url names; the token lower-cased */
static void
route_parse(const char *url, Route *r)
{
	const char *rest, *slash;
	size_t n;

	memset(r, 0, sizeof *r);
	if (g_str_has_prefix(url, "/u/"))
		r->kind = ROUTE_UNSUB;
	else if (g_str_has_prefix(url, "/c/"))
		r->kind = ROUTE_ASK;
	else
		return;
	rest = url + 3;
	slash = strchr(rest, '/');
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (slash != NULL && r->kind == ROUTE_ASK && strcmp(slash, "/yes") == 0)
		r->kind = ROUTE_YES;
	else if (slash != NULL && r->kind == ROUTE_ASK &&
		 strcmp(slash, "/no") == 0)
		r->kind = ROUTE_NO;
	else if (slash != NULL) {
		r->kind = ROUTE_NONE;
		return;
	}
	if (n != FLOW_TOKEN_LEN)
		return;
	for (size_t i = 0; i < n; i++)
		r->token[i] = g_ascii_tolower(rest[i]);
	r->valid = flow_token_valid(r->token);
}

/* client_key - the address the rate limit counts: the peer's, or the
 * last hop of X-Forwarded-For when the peer is a proxy on this host */
static char *
client_key(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "?";
	gboolean local = FALSE;
	const char *xff, *last;

	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *in = (const void *)sa;

			inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
			local = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const void *)sa;
			struct in6_addr net = in6->sin6_addr;

			local = IN6_IS_ADDR_LOOPBACK(&net);
			/* one IPv6 client has a /64: count it as one */
			if (!local && !IN6_IS_ADDR_V4MAPPED(&net))
				memset(net.s6_addr + 8, 0, 8);
			inet_ntop(AF_INET6, &net, buf, sizeof buf);
		}
	}
	xff = local ? MHD_lookup_connection_value(
			  c, MHD_HEADER_KIND, "X-Forwarded-For")
		    : NULL;
	if (xff == NULL)
		return g_strdup(buf);
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	{
		size_t n = strspn(last, "0123456789abcdefABCDEF.:[]");

		if (n == 0 || n > 64 || last[n + strspn(last + n, " \t")])
			return g_strdup(buf);
		return g_strndup(last, n);
	}
}

/* queue - send pg; its body is freed */
static enum MHD_Result
queue(struct MHD_Connection *c, Page *pg)
{
	char *html = web_page(server->cfg->name, pg->title, pg->body);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	g_clear_pointer(&pg->body, g_free);
	resp = MHD_create_response_from_buffer_with_free_callback(
	    strlen(html), html, g_free);
	if (resp == NULL) {
		g_free(html);
		return MHD_NO;
	}
	MHD_add_response_header(
	    resp, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (pg->allow != NULL)
		MHD_add_response_header(resp, "Allow", pg->allow);
	if (pg->retry_after > 0) {
		char n[16];

		g_snprintf(n, sizeof n, "%u", pg->retry_after);
		MHD_add_response_header(resp, "Retry-After", n);
	}
	ret = MHD_queue_response(c, pg->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* page - a Page with a body written from fmt */
static Page page(unsigned int status, const char *title, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static Page
page(unsigned int status, const char *title, const char *fmt, ...)
{
	Page p = { .status = status, .title = title };
	va_list ap;

	va_start(ap, fmt);
	p.body = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* not_found - the page for any unknown path or token */
static Page
not_found(void)
{
	return page(MHD_HTTP_NOT_FOUND, "Link not found",
	    "<p>This link is not known here. It may have been copied "
	    "incompletely: open it again from the message it came in, or "
	    "write to the address that sent you the message.</p>\n");
}

/* unavailable - the store failed: nothing was changed */
static Page
unavailable(const GError *error)
{
	Page p;

	log_error(NULL, "web: store failed: %s", error->message);
	p = page(MHD_HTTP_SERVICE_UNAVAILABLE, "Please try again shortly",
	    "<p>Nothing has been changed: this service is busy or being "
	    "repaired. Please try again in a minute.</p>\n");
	p.retry_after = RETRY_STORE;
	return p;
}

/* one_click - the body of an unsubscribe POST is one we take: empty,
 * RFC 8058's List-Unsubscribe=One-Click, or the same as form-data */
static gboolean
one_click(struct MHD_Connection *c, const GString *body)
{
	const char *type =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	g_autofree char *b = g_strndup(body->str, body->len);

	g_strstrip(b);
	if (*b == '\0' || strcmp(b, "List-Unsubscribe=One-Click") == 0)
		return TRUE;
	return type != NULL &&
	       g_ascii_strncasecmp(type, "multipart/form-data", 19) == 0 &&
	       strstr(b, "name=\"List-Unsubscribe\"") != NULL &&
	       strstr(b, "One-Click") != NULL;
}

/* unsub_form - the GET page's form: posts RFC 8058's body itself */
static const char unsub_form[] =
    "<form method=\"post\" action=\"\">\n"
    "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
    "<button type=\"submit\">Unsubscribe from the weekly digest</button>\n"
    "</form>\n";

/* unsub_get - the unsubscribe page: a button, no change */
static Page
unsub_get(const Route *rt)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) m =
	    store_member_by_unsub_token(server->store, rt->token, &error);

	if (error != NULL)
		return unavailable(error);
	if (m == NULL)
		return not_found();
	if (g_strcmp0(m->digest_day, "never") == 0)
		return page(MHD_HTTP_OK, "You are unsubscribed",
		    "<p>You do not receive the weekly digest any more. "
		    "Introductions and mail about your own shares still "
		    "reach you.</p>\n");
	return page(MHD_HTTP_OK, "Unsubscribe from the weekly digest",
	    "<p>Press the button to stop the weekly digest of "
	    "introductions. Introductions and mail about your own shares "
	    "still reach you.</p>\n%s",
	    unsub_form);
}

/* unsub_post - unsubscribe: one UPDATE; a second says so */
static Page
unsub_post(struct MHD_Connection *c, const Route *rt, const Req *r)
{
	g_autoptr(GError) error = NULL;
	gboolean found = FALSE, changed = FALSE;

	if (!one_click(c, r->body))
		return page(MHD_HTTP_BAD_REQUEST, "Not understood",
		    "<p>Nothing has been changed. Open the link again and "
		    "press the button.</p>\n");
	if (!store_member_unsubscribe(
		server->store, rt->token, &found, &changed, &error))
		return unavailable(error);
	if (!found)
		return not_found();
	log_info(NULL, "web: unsubscribed digest=%s",
	    changed ? "off" : "off already");
	if (!changed)
		return page(MHD_HTTP_OK, "You are already unsubscribed",
		    "<p>You were already unsubscribed: you do not receive "
		    "the weekly digest. Nothing else has changed.</p>\n");
	return page(MHD_HTTP_OK, "You are unsubscribed",
	    "<p>You will not receive the weekly digest any more. "
	    "Introductions and mail about your own shares still reach "
	    "you.</p>\n");
}

/* answered_page - the share was decided before */
static Page
answered_page(void)
{
	return page(MHD_HTTP_OK, "Already answered",
	    "<p>This request has already been answered. Nothing has "
	    "changed; there is nothing more to do.</p>\n");
}

/* expired_page - the share's question expired */
static Page
expired_page(void)
{
	return page(MHD_HTTP_GONE, "This request has expired",
	    "<p>This request was not answered in time and has expired. "
	    "Nothing has been changed; the member who asked has been "
	    "told.</p>\n");
}

/* Names fit to show the friend before a yes (no address, escaped). */
typedef struct {
	char *member, *requester, *org, *subject;
} Who;

/* who_clear - free a Who's strings */
static void
who_clear(Who *w)
{
	g_free(w->member);
	g_free(w->requester);
	g_free(w->org);
	g_free(w->subject);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Who, who_clear)

/* who_of - the question's names, as the consent mail shows them */
static void
who_of(const Share *s, Who *w)
{
	w->member = web_public(s->member_name, 80);
	w->requester = web_public(s->requester_name, 80);
	w->org = web_public(s->requester_org, 80);
	w->subject = web_public(s->subject, 200);
	if (w->member == NULL)
		w->member = g_strdup("A member");
	if (w->requester == NULL)
		w->requester = g_strdup("someone");
}

/* ask_page - the question, with a yes and a no button */
static Page
ask_page(const Route *rt, const Share *s)
{
	g_auto(Who) w = { NULL, NULL, NULL, NULL };
	g_autofree char *org = NULL;
	g_autofree char *subject = NULL;

	who_of(s, &w);
	org = w.org != NULL ? g_strdup_printf(" (%s)", w.org) : g_strdup("");
	subject =
	    w.subject != NULL
		? g_strdup_printf("<blockquote>%s</blockquote>\n", w.subject)
		: g_strdup("");
	return page(MHD_HTTP_OK, "May we introduce you?",
	    "<p>%s would like to introduce you to %s%s, who asked about "
	    "this:</p>\n%s"
	    "<p>If you say yes, we send one email introducing you to each "
	    "other, with %s in copy. If you say no, only %s is told; the "
	    "person who asked hears nothing from us.</p>\n"
	    "<form method=\"post\" action=\"%s/yes\">\n"
	    "<button type=\"submit\">Yes, introduce me</button>\n</form>\n"
	    "<form method=\"post\" action=\"%s/no\">\n"
	    "<button type=\"submit\">No, thank you</button>\n</form>\n",
	    w.member, w.requester, org, subject, w.member, w.member, rt->token,
	    rt->token);
}

/* confirm_page - GET /c/TOKEN/yes|no: the answer, to be confirmed */
static Page
confirm_page(const Route *rt, const Share *s)
{
	g_auto(Who) w = { NULL, NULL, NULL, NULL };
	gboolean yes = rt->kind == ROUTE_YES;

	who_of(s, &w);
	return page(MHD_HTTP_OK, yes ? "Say yes?" : "Say no?",
	    "<p>%s %s%s</p>\n<form method=\"post\" action=\"\">\n"
	    "<button type=\"submit\">%s</button>\n</form>\n",
	    yes ? "Press the button to be introduced by email to"
		: "Press the button to decline; only",
	    yes ? w.requester : w.member,
	    yes ? ", with the member in copy." : " is told.",
	    yes ? "Yes, introduce me" : "No, thank you");
}

/* ask_get - GET /c/TOKEN and /c/TOKEN/yes|no: pages, no change */
static Page
ask_get(const Route *rt)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s =
	    flow_share_by_link(server->store, rt->token, &error);

	if (error != NULL)
		return unavailable(error);
	if (s == NULL)
		return not_found();
	switch (flow_link_state(s, util_now())) {
	case FLOW_REPLY_EXPIRED:
		return expired_page();
	case FLOW_REPLY_ASKED:
		return rt->kind == ROUTE_ASK ? ask_page(rt, s)
					     : confirm_page(rt, s);
	default:
		return answered_page();
	}
}

/* ask_post - POST /c/TOKEN/yes|no: the answer a reply by mail gives */
static Page
ask_post(const Route *rt)
{
	g_autoptr(GError) error = NULL;
	gboolean yes = rt->kind == ROUTE_YES;
	FlowReply r = flow_answer_link(
	    server->cfg, server->store, rt->token, yes, util_now(), &error);

	if (error != NULL)
		return unavailable(error);
	log_info(NULL, "web: answer %s result=%d", yes ? "yes" : "no", (int)r);
	switch (r) {
	case FLOW_REPLY_ACCEPTED:
		return page(MHD_HTTP_OK, "Thank you: you said yes",
		    "<p>We will introduce you by email shortly, with the "
		    "member in copy.</p>\n");
	case FLOW_REPLY_DECLINED:
		return page(MHD_HTTP_OK, "Thank you: you said no",
		    "<p>Only the member who asked you is told. The person "
		    "who asked them hears nothing from us.</p>\n");
	case FLOW_REPLY_EXPIRED:
		return expired_page();
	case FLOW_REPLY_ANSWERED:
		return answered_page();
	default:
		return not_found();
	}
}

/* allowed - the methods a route takes */
static const char *
allowed(RouteKind kind)
{
	return kind == ROUTE_ASK ? "GET, HEAD" : "GET, HEAD, POST";
}

/* method_ok - whether method is in the route's Allow list */
static gboolean
method_ok(RouteKind kind, const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return TRUE;
	return kind != ROUTE_ASK && strcmp(method, "POST") == 0;
}

/* check_first - the refusals made before a body is read: 414, 429,
 * 404, 405, 413; TRUE with *p filled when one applies */
static gboolean
check_first(struct MHD_Connection *c, const Req *r, const Route *rt,
    const char *method, Page *p)
{
	g_autofree char *key = client_key(c);
	const char *len =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	guint retry = 0;

	if (r->uri_len > WEB_MAX_URL)
		*p = page(MHD_HTTP_URI_TOO_LONG, "Link too long",
		    "<p>This link is longer than any this service "
		    "writes.</p>\n");
	else if (!web_rate_take(
		     server->rate, key, g_get_monotonic_time(), &retry)) {
		*p = page(MHD_HTTP_TOO_MANY_REQUESTS, "Too many requests",
		    "<p>Nothing has been changed. Please wait a minute and "
		    "try again.</p>\n");
		p->retry_after = retry;
	} else if (rt->kind == ROUTE_NONE || !rt->valid)
		*p = not_found();
	else if (!method_ok(rt->kind, method)) {
		*p = page(MHD_HTTP_METHOD_NOT_ALLOWED, "Not allowed",
		    "<p>Open the link in a browser and use its "
		    "buttons.</p>\n");
		p->allow = allowed(rt->kind);
	} else if (len != NULL &&
		   (strlen(len) > 6 ||
		       g_ascii_strtoull(len, NULL, 10) > WEB_MAX_BODY))
		*p = page(MHD_HTTP_CONTENT_TOO_LARGE, "Request too large",
		    "<p>Nothing has been changed.</p>\n");
	else
		return FALSE;
	return TRUE;
}

/* handle - libmicrohttpd's access handler: every call of one request */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size,
    void **req_cls)
{
	Req *r = *req_cls;
	Route rt;
	Page p = { 0 };

	(void)cls;
	(void)version;
	route_parse(url, &rt);
	if (!r->started) {
		r->started = TRUE;
		if (check_first(c, r, &rt, method, &p))
			return queue(c, &p);
		if (strcmp(method, "POST") == 0)
			return MHD_YES; /* the body comes next */
	}
	if (*upload_size > 0) {
		if (r->body->len + *upload_size > WEB_MAX_BODY)
			r->discarded += *upload_size;
		else
			g_string_append_len(r->body, upload, *upload_size);
		*upload_size = 0;
		/* a client that sends on and on is cut off: the answer goes
		 * now and libmicrohttpd closes the connection after it */
		if (r->discarded <= DISCARD_MAX)
			return MHD_YES;
	}
	if (r->discarded > 0)
		p = page(MHD_HTTP_CONTENT_TOO_LARGE, "Request too large",
		    "<p>Nothing has been changed.</p>\n");
	else if (strcmp(method, "POST") != 0)
		p = rt.kind == ROUTE_UNSUB ? unsub_get(&rt) : ask_get(&rt);
	else
		p = rt.kind == ROUTE_UNSUB ? unsub_post(c, &rt, r)
					   : ask_post(&rt);
	return queue(c, &p);
}

/* listen_addr - [web] listen as a socket address */
static gboolean
listen_addr(
    const char *spec, struct sockaddr_storage *ss, gboolean *v6, GError **error)
{
	g_autofree char *host = NULL;
	g_autofree char *why = NULL;
	guint port = 0;

	memset(ss, 0, sizeof *ss);
	if (!config_web_listen_parse(spec, &host, &port, &why)) {
		g_set_error(error, WEB_ERROR, WEB_ERROR_CONFIG,
		    "[web] listen: %s", why);
		return FALSE;
	}
	*v6 = strchr(host, ':') != NULL;
	if (*v6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((guint16)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1)
			return TRUE;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((guint16)port);
		if (inet_pton(AF_INET, host, &in->sin_addr) == 1)
			return TRUE;
	}
	g_set_error(error, WEB_ERROR, WEB_ERROR_CONFIG,
	    "[web] listen: \"%s\" is not a numeric address", host);
	return FALSE;
}

/* server_free - release a server that is not running */
static void
server_free(Server *s)
{
	if (s == NULL)
		return;
	config_free(s->cfg);
	web_rate_free(s->rate);
	g_free(s);
}

/* web_start - listen on [web] listen, serve on libmicrohttpd's thread */
gboolean
web_start(Config *cfg, Store *store, GError **error)
{
	struct sockaddr_storage ss;
	gboolean v6 = FALSE;
	Server *s;
	unsigned int flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;

	g_return_val_if_fail(cfg != NULL && store != NULL, FALSE);
	g_return_val_if_fail(server == NULL, FALSE);
	s = g_new0(Server, 1);
	s->store = store;
	s->cfg = cfg;
	if (s->cfg->web_listen == NULL) {
		g_set_error_literal(error, WEB_ERROR, WEB_ERROR_CONFIG,
		    "[web] listen is not set");
		server_free(s);
		return FALSE;
	}
	if (!listen_addr(s->cfg->web_listen, &ss, &v6, error)) {
		server_free(s);
		return FALSE;
	}
	s->rate = web_rate_new(WEB_RATE_PER_MINUTE);
	server = s; /* before the first request can come */
	s->daemon = MHD_start_daemon(flags | (v6 ? MHD_USE_IPv6 : 0), 0, NULL,
	    NULL, handle, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)WEB_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)WEB_MAX_PER_ADDRESS, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)WEB_TIMEOUT, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)16384, MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, req_done, NULL, MHD_OPTION_END);
	if (s->daemon == NULL) {
		int e = errno;

		server = NULL;
		g_set_error(error, WEB_ERROR, WEB_ERROR_LISTEN,
		    "cannot listen on %s ([web] listen): %s",
		    s->cfg->web_listen, g_strerror(e));
		server_free(s);
		return FALSE;
	}
	log_info(NULL, "web: listening on %s for %s", s->cfg->web_listen,
	    s->cfg->web_base_url != NULL ? s->cfg->web_base_url : "-");
	return TRUE;
}

/* web_stop - stop serving; waits for the request in progress */
void
web_stop(void)
{
	Server *s = server;

	if (s == NULL)
		return;
	MHD_stop_daemon(s->daemon);
	server = NULL;
	server_free(s);
}
