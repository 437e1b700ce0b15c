/*
 * sender.c - one message to the relay over SMTP, with libcurl
 *
 * The only file that speaks SMTP. Every address is checked again with
 * addr_is_safe() right before libcurl builds MAIL FROM and RCPT TO from
 * it, whatever the store said when the item was queued: a recipient
 * that could carry a CR/LF or a second command never reaches the wire.
 * libcurl is limited to smtp:// and smtps:// so that a mistyped
 * smtp_url cannot make it read files or talk HTTP.
 *
 * Outcome: a 5xx reply (at any stage) is final; a 4xx reply, a refused
 * or dropped connection, a timeout and anything else libcurl reports
 * are temporary, since the message itself may be fine and the operator
 * can fix the relay or the URL.
 *
 * Per recipient: sender_deliver() sends to ONE recipient per SMTP
 * transaction. That is how the outbox
 * learns each recipient's own reply: libcurl's
 * CURLOPT_MAIL_RCPT_ALLOWFAILS would deliver to the accepted ones, but
 * it reports only the last refusal, and pairing RCPT replies with
 * recipients from the debug stream would rest on libcurl's debug
 * output, which is not an interface. One transaction per recipient
 * costs a connection and a copy of the message per recipient (an
 * introduction has three), and buys an exact answer for each: the 250
 * after the final dot is that recipient's, and nothing else's.
 *
 * The connection (SenderConn) is kept open from one transaction to the
 * next and closed (QUIT) only by sender_conn_free(), which the outbox
 * calls after it has recorded the outcome: the window in which a crash
 * makes the relay's 250 go unrecorded then lies wholly inside an open
 * connection, before QUIT, where the relay can see it (a client that
 * vanished after a 250 without QUIT), instead of also spanning the QUIT
 * round trip.
 *
 * Trust: the message bytes were rendered and checked by templates/;
 * the server's replies are untrusted text and are cleaned before they
 * go into *detail (and from there into logs and the store).
 */
#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <gmime/gmime.h>

#include "common/addr.h"
#include "common/util.h"
#include "sender/sender_int.h"

#define CONNECT_TIMEOUT 10L /* seconds */
#define TOTAL_TIMEOUT 60L   /* seconds */
#define REPLY_MAX 512       /* bytes of one server line kept */

typedef struct {
	const char *data;
	gsize len;
	gsize pos;
} Upload;

/* What the debug stream told about the dialogue. */
typedef struct {
	GString *reply;   /* the first error reply, else the last reply */
	char verb[5];     /* the last command sent, e.g. "RCPT" */
	char err_verb[5]; /* the command the kept error replied to */
} Dialogue;

/* sender_init - curl_global_init() and g_mime_init() (notices are
 * rendered here), once, from main() before threads */
void
sender_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

		g_mime_init();
		g_once_init_leave(&done, rc == CURLE_OK ? 1 : 2);
	}
}

/* read_message - libcurl's read callback over the message bytes */
static size_t
read_message(char *buf, size_t size, size_t nmemb, void *userp)
{
	Upload *u = userp;
	size_t n = MIN(size * nmemb, u->len - u->pos);

	memcpy(buf, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* is_error_reply - whether a server line is a 4xx or 5xx reply */
static gboolean
is_error_reply(const GString *line)
{
	return line->len >= 3 && (line->str[0] == '4' || line->str[0] == '5') &&
	       g_ascii_isdigit(line->str[1]) && g_ascii_isdigit(line->str[2]);
}

/* keep_reply - remember the server's first error reply, else its last,
 * and the command it answered */
static int
keep_reply(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	Dialogue *d = userp;
	GString *last = d->reply;

	(void)h;
	if (type == CURLINFO_HEADER_OUT && size >= 4) {
		for (int i = 0; i < 4; i++)
			d->verb[i] = g_ascii_toupper(data[i]);
		d->verb[4] = '\0';
	}
	/* after a refusal libcurl says QUIT; the refusal is what matters */
	if (type == CURLINFO_HEADER_IN && !is_error_reply(last) &&
	    !(size >= 3 && memcmp(data, "221", 3) == 0)) {
		g_string_truncate(last, 0);
		g_string_append_len(last, data, (gssize)MIN(size, REPLY_MAX));
		if (is_error_reply(last))
			memcpy(d->err_verb, d->verb, sizeof d->err_verb);
	}
	return 0;
}

/* check_envelope - every address safe to put in an SMTP command */
static gboolean
check_envelope(const char *mail_from, GPtrArray *rcpts, char **detail)
{
	const char *why = NULL;

	if (mail_from == NULL ||
	    (*mail_from != '\0' && !addr_is_safe(mail_from)))
		why = "the envelope sender is not a safe address";
	else if (rcpts == NULL || rcpts->len == 0)
		why = "there is no recipient";
	for (guint i = 0; why == NULL && rcpts != NULL && i < rcpts->len; i++) {
		if (!addr_is_safe(g_ptr_array_index(rcpts, i)))
			why = "a recipient is not a safe address";
	}
	if (why != NULL && detail != NULL)
		*detail = g_strdup(why);
	return why == NULL;
}

/* rcpt_list - "<addr>" for each recipient (transfer full) */
static struct curl_slist *
rcpt_list(GPtrArray *rcpts)
{
	struct curl_slist *list = NULL;

	for (guint i = 0; i < rcpts->len; i++) {
		g_autofree char *a = g_strdup_printf(
		    "<%s>", (const char *)g_ptr_array_index(rcpts, i));
		struct curl_slist *next = curl_slist_append(list, a);

		if (next == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

/* set_options - every option of one SMTP transaction */
static CURLcode
set_options(CURL *h, const char *url, const char *from,
    struct curl_slist *rcpts, Upload *up, Dialogue *dia, long timeout,
    char *errbuf)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(h, opt, val);                    \
	} while (0)
	SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	SET(CURLOPT_MAIL_FROM, from);
	SET(CURLOPT_MAIL_RCPT, rcpts);
#if LIBCURL_VERSION_NUM >= 0x080200
	SET(CURLOPT_MAIL_RCPT_ALLOWFAILS, 0L);
#elif LIBCURL_VERSION_NUM >= 0x074500
	SET(CURLOPT_MAIL_RCPT_ALLLOWFAILS, 0L);
#endif
	SET(CURLOPT_READFUNCTION, read_message);
	SET(CURLOPT_READDATA, up);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len);
	SET(CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_DEBUGFUNCTION, keep_reply);
	SET(CURLOPT_DEBUGDATA, dia);
	SET(CURLOPT_VERBOSE, 1L); /* feeds keep_reply(); prints nothing */
#undef SET
	return rc;
}

/* classify - a libcurl result and the last reply code as an outcome */
static SendResult
classify(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return SEND_OK;
	if (code >= 500 && code <= 599)
		return SEND_FAIL;
	return SEND_RETRY; /* 4xx, connect, timeout, receive, anything else */
}

/* describe - the server's last line, or libcurl's reason */
static char *
describe(CURLcode rc, long code, const GString *reply, const char *errbuf)
{
	if (reply->len > 0 && (rc == CURLE_OK || code >= 400))
		return util_header_safe(reply->str, SENDER_DETAIL_MAX);
	if (*errbuf != '\0')
		return util_header_safe(errbuf, SENDER_DETAIL_MAX);
	return g_strdup(curl_easy_strerror(rc));
}

/* A connection to the relay kept between transactions. */
struct _SenderConn {
	CURL *h; /* NULL until the first transaction, or after a failed one */
};

/* sender_conn_new - no connection yet (transfer full) */
SenderConn *
sender_conn_new(void)
{
	return g_new0(SenderConn, 1);
}

/* sender_conn_free - QUIT and close the connection; accepts NULL */
void
sender_conn_free(SenderConn *conn)
{
	if (conn == NULL)
		return;
	if (conn->h != NULL)
		curl_easy_cleanup(conn->h);
	g_free(conn);
}

/* conn_handle - the connection's handle, reset for a new transaction
 * (curl_easy_reset() keeps the live connection), or a new one */
static CURL *
conn_handle(SenderConn *conn)
{
	if (conn == NULL)
		return curl_easy_init();
	if (conn->h != NULL)
		curl_easy_reset(conn->h);
	else
		conn->h = curl_easy_init();
	return conn->h;
}

/* conn_release - done with the handle: close it unless the connection
 * is kept, and kept only after a transaction that went well (after an
 * error the connection's state is not worth trusting) */
static void
conn_release(SenderConn *conn, CURL *h, CURLcode rc)
{
	if (conn == NULL) {
		curl_easy_cleanup(h);
		return;
	}
	if (rc != CURLE_OK) {
		curl_easy_cleanup(h);
		conn->h = NULL;
	}
}

/* transfer - one SMTP transaction; the outcome, code and detail */
static SendResult
transfer(SenderConn *conn, const char *smtp_url, const char *mail_from,
    GPtrArray *rcpts, GBytes *message, long timeout, SendReply *out)
{
	CURL *h;
	struct curl_slist *list;
	g_autofree char *from = NULL;
	g_autoptr(GString) reply = g_string_new(NULL);
	Dialogue dia = { .reply = reply };
	char errbuf[CURL_ERROR_SIZE] = "";
	Upload up = { 0 };
	CURLcode rc;
	long code = 0;

	*out = (SendReply){ 0 };
	if (!check_envelope(mail_from, rcpts, &out->detail))
		return SEND_FAIL;
	up.data = g_bytes_get_data(message, &up.len);
	from = g_strdup_printf("<%s>", mail_from);
	list = rcpt_list(rcpts);
	h = conn_handle(conn);
	if (h == NULL || list == NULL) {
		curl_slist_free_all(list);
		if (h != NULL)
			conn_release(conn, h, CURLE_FAILED_INIT);
		out->detail = g_strdup("libcurl could not start");
		return SEND_RETRY;
	}
	rc = set_options(h, smtp_url, from, list, &up, &dia, timeout, errbuf);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	out->detail = describe(rc, code, reply, errbuf);
	out->code = rc == CURLE_OK || code >= 400 ? (int)code : 0;
	out->at_rcpt = rc != CURLE_OK && strcmp(dia.err_verb, "RCPT") == 0;
	conn_release(conn, h, rc);
	curl_slist_free_all(list);
	return classify(rc, code);
}

/* sender_send - one message to the relay; the outcome and its detail */
SendResult
sender_send(const char *smtp_url, const char *mail_from, GPtrArray *rcpts,
    GBytes *message, char **detail)
{
	SendReply r = { 0 };
	SendResult res;

	if (detail != NULL)
		*detail = NULL;
	g_return_val_if_fail(smtp_url != NULL && message != NULL, SEND_FAIL);
	res = transfer(
	    NULL, smtp_url, mail_from, rcpts, message, TOTAL_TIMEOUT, &r);
	if (detail != NULL)
		*detail = g_steal_pointer(&r.detail);
	g_free(r.detail);
	return res;
}

/* sender_deliver - one message to one recipient, within timeout seconds,
 * on conn's connection when conn is not NULL */
SendResult
sender_deliver(SenderConn *conn, const char *smtp_url, const char *mail_from,
    const char *rcpt, GBytes *message, guint timeout, SendReply *reply)
{
	g_autoptr(GPtrArray) one = g_ptr_array_new();

	g_return_val_if_fail(smtp_url != NULL && message != NULL, SEND_FAIL);
	g_return_val_if_fail(rcpt != NULL && reply != NULL, SEND_FAIL);
	g_ptr_array_add(one, (gpointer)rcpt);
	return transfer(conn, smtp_url, mail_from, one, message,
	    (long)CLAMP(timeout, 5, (guint)TOTAL_TIMEOUT), reply);
}
