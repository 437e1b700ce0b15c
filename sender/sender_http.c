/*
 * sender_http.c - one webhook POST over HTTP(S), with libcurl
 *
 * The only file that speaks HTTP. libcurl is held to what a webhook
 * needs and no more: http:// and https:// only (a URL cannot make it
 * read files or talk another protocol), no redirect followed (a 3xx is
 * the operator's URL to fix, not a place to send signed events), a
 * connect timeout and a total timeout, and the response body kept up
 * to SENDER_HTTP_BODY_MAX bytes, after which the transfer stops: a
 * receiver cannot make the sender read or hold more.
 *
 * Outcome (sender_http_result()): a 2xx is delivered; a 408 or a 429
 * (the receiver asks for time), a 5xx, no answer at all (no
 * connection, a timeout, a reset) and anything else are temporary; any
 * other 4xx and a 3xx are final, since the same request would get the
 * same answer.
 *
 * Trust: the response is untrusted; its status and first line are
 * cleaned (util_header_safe()) before they reach *reply, the logs and
 * the store.
 */
#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "common/util.h"
#include "sender/sender_int.h"

#define CONNECT_TIMEOUT_MAX 10L /* seconds */

/* The response body, bounded. */
typedef struct {
	GString *body;
	gboolean cut; /* the transfer was stopped at the bound */
} Response;

/* keep_body - libcurl's write callback: keep up to the bound, then stop */
static size_t
keep_body(char *data, size_t size, size_t nmemb, void *userp)
{
	Response *r = userp;
	size_t n = size * nmemb;

	if (r->body->len + n > SENDER_HTTP_BODY_MAX) {
		r->cut = TRUE;
		return 0; /* CURLE_WRITE_ERROR: we read enough */
	}
	g_string_append_len(r->body, data, (gssize)n);
	return n;
}

/* sender_http_result - an HTTP answer as an outcome; answered FALSE:
 * no status came back (connection, timeout) */
SendResult
sender_http_result(gboolean answered, long status)
{
	if (!answered)
		return SEND_RETRY;
	if (status >= 200 && status <= 299)
		return SEND_OK;
	if (status == 408 || status == 429 || (status >= 500 && status <= 599))
		return SEND_RETRY;
	if (status >= 300 && status <= 499)
		return SEND_FAIL;
	return SEND_RETRY; /* 1xx, nonsense: try again later */
}

/* header_list - the request's header fields (transfer full), or NULL */
static struct curl_slist *
header_list(const char *const *headers)
{
	struct curl_slist *list = NULL;

	for (const char *const *h = headers; *h != NULL; h++) {
		struct curl_slist *next = curl_slist_append(list, *h);

		if (next == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

/* set_options - every option of one POST */
static CURLcode
set_options(CURL *h, const char *url, struct curl_slist *headers, GBytes *body,
    long timeout, Response *resp, char *errbuf)
{
	CURLcode rc = CURLE_OK;
	gsize len = 0;
	const char *data = g_bytes_get_data(body, &len);

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(h, opt, val);                    \
	} while (0)
	SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, data);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	SET(CURLOPT_WRITEFUNCTION, keep_body);
	SET(CURLOPT_WRITEDATA, resp);
	SET(CURLOPT_CONNECTTIMEOUT, MIN(timeout, CONNECT_TIMEOUT_MAX));
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
	return rc;
}

/* describe - "HTTP 503: first line of the body", or libcurl's reason */
static char *
describe(gboolean answered, long status, const Response *resp,
    const char *errbuf, CURLcode rc)
{
	g_autofree char *line = NULL;
	g_autofree char *text = NULL;
	const char *nl;

	if (!answered)
		return util_header_safe(
		    *errbuf != '\0' ? errbuf : curl_easy_strerror(rc),
		    SENDER_DETAIL_MAX);
	nl = memchr(resp->body->str, '\n', resp->body->len);
	line = g_strndup(resp->body->str,
	    nl != NULL ? (gsize)(nl - resp->body->str) : resp->body->len);
	text = g_strdup_printf("HTTP %ld%s%s", status, *line ? ": " : "", line);
	return util_header_safe(text, SENDER_DETAIL_MAX);
}

/* sender_http_post - POST body to url with the header fields given */
SendResult
sender_http_post(const char *url, const char *const *headers, GBytes *body,
    guint timeout, SendReply *reply)
{
	g_autoptr(GString) buf = g_string_new(NULL);
	Response resp = { .body = buf };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *list;
	CURL *h;
	CURLcode rc = CURLE_FAILED_INIT;
	long status = 0;
	gboolean answered;

	g_return_val_if_fail(url != NULL && headers != NULL, SEND_FAIL);
	g_return_val_if_fail(body != NULL && reply != NULL, SEND_FAIL);
	*reply = (SendReply){ 0 };
	list = header_list(headers);
	h = curl_easy_init();
	if (h != NULL && list != NULL) {
		rc = set_options(h, url, list, body,
		    (long)CLAMP(timeout, 1, 60), &resp, errbuf);
		if (rc == CURLE_OK)
			rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	}
	/* a body cut at the bound still came with its status */
	answered = status > 0 &&
		   (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && resp.cut));
	reply->code = answered ? (int)status : 0;
	reply->detail = describe(answered, status, &resp, errbuf, rc);
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(list);
	return sender_http_result(answered, status);
}
