/*
 * web_int.h - what the parts of web/ share; not for other modules
 *
 * SYNOPSIS
 *	g_autoptr(WebRate) rate = web_rate_new(30);
 *	if (!web_rate_take(rate, "192.0.2.1", now_us, &retry)) ... 429
 *	char *html = web_page(product, title, body_html);
 *	char *text = web_html(untrusted); // escaped, for inside a page
 *
 * DESCRIPTION
 *	web_rate_*(): a token bucket per client key: per_minute requests
 *	at once, refilled evenly over a minute; web_rate_take() takes one
 *	or says in *retry_after how many seconds until one is there. The
 *	table forgets full buckets when it grows past WEB_RATE_KEYS keys,
 *	and refuses new keys while every bucket is in use (a flood of
 *	addresses cannot grow memory without bound). per_minute 0: no
 *	limit.
 *
 *	web_page(): a whole HTML document: lang, charset, title, one h1,
 *	body_html as given (the caller escapes what it puts in).
 *	web_html(): text escaped for HTML, control characters and
 *	invisible characters dropped, one line, at most max characters.
 *	web_public(): text fit to show a friend before a yes: web_html()
 *	of it with every word holding "@" left out (an address), or NULL
 *	when nothing is left.
 *
 * OWNERSHIP
 *	Strings returned are new (transfer full); arguments borrowed.
 *
 * ERRORS
 *	None.
 *
 * THREADS
 *	A WebRate takes its own lock; the rest is reentrant.
 */
#ifndef PA_WEB_INT_H
#define PA_WEB_INT_H

#include <glib.h>

#define WEB_RATE_KEYS 10000

typedef struct WebRate WebRate;

WebRate *web_rate_new(guint per_minute);
gboolean web_rate_take(
    WebRate *rate, const char *key, gint64 now_us, guint *retry_after);
void web_rate_free(WebRate *rate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WebRate, web_rate_free)

char *web_page(const char *product, const char *title, const char *body_html);
char *web_html(const char *text, gsize max);
char *web_public(const char *text, gsize max);

#endif /* PA_WEB_INT_H */
