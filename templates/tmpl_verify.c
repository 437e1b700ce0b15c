/*
 * tmpl_verify.c - parse a rendered message back and check it
 *
 * The last line of defence between untrusted fields and the outbox: a
 * name that smuggled a header, an encoding that hid a line break, a
 * recipient GMime read differently from what was meant. The check reads
 * the bytes as a receiving MTA would: lines first, then GMime's parse.
 * A message that fails is never queued.
 *
 * Trust: the bytes were written here but are treated as untrusted.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/rfc2047.h"
#include "templates/tmpl_int.h"

#define LINE_MAX_OCTETS 998
#define FLOWED_LINE_MAX 78 /* octets of a line of flowed text */

/* fail - set a TMPL_ERROR_VERIFY error, return FALSE */
G_GNUC_PRINTF(2, 3)
static gboolean
fail(GError **error, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, TMPL_ERROR, TMPL_ERROR_VERIFY,
	    "rendered message failed its check: %s", msg);
	return FALSE;
}

/* check_lines - every line ends in CRLF and is at most 998 octets */
static gboolean
check_lines(const guchar *p, gsize len, GError **error)
{
	gsize col = 0;

	for (gsize i = 0; i < len; i++) {
		if (p[i] == '\r') {
			if (i + 1 >= len || p[i + 1] != '\n')
				return fail(error, "bare CR at octet %zu", i);
			i++;
			col = 0;
			continue;
		}
		if (p[i] == '\n')
			return fail(error, "bare LF at octet %zu", i);
		if (p[i] == '\0')
			return fail(error, "NUL at octet %zu", i);
		if (++col > LINE_MAX_OCTETS)
			return fail(
			    error, "a line is over %d octets", LINE_MAX_OCTETS);
	}
	if (col != 0)
		return fail(error, "the last line has no CRLF");
	return TRUE;
}

/* count_header - how many headers of this name the object has */
static guint
count_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	guint n = 0;

	for (int i = 0; i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			n++;
	}
	return n;
}

/* check_values - no decoded header value holds a CR or LF */
static gboolean
check_values(GMimeObject *obj, GError **error)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);

	for (int i = 0; i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *v = g_mime_header_get_value(h);

		if (v != NULL && strpbrk(v, "\r\n") != NULL)
			return fail(error, "header %s holds a line break",
			    g_mime_header_get_name(h));
	}
	return TRUE;
}

/* check_list - the list holds exactly the expected mailboxes */
static gboolean
check_list(InternetAddressList *list, const char *const *want, const char *what,
    GError **error)
{
	guint nwant = want != NULL ? g_strv_length((char **)want) : 0;
	int n = list != NULL ? internet_address_list_length(list) : 0;

	if (n != (int)nwant)
		return fail(
		    error, "%s has %d addresses, expected %u", what, n, nwant);
	for (int i = 0; i < n; i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, i);
		const char *a;

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			return fail(error, "%s holds a group", what);
		a = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (a == NULL || strpbrk(a, "\r\n") != NULL)
			return fail(error, "%s holds a broken address", what);
		if (internet_address_get_name(ia) != NULL &&
		    strpbrk(internet_address_get_name(ia), "\r\n") != NULL)
			return fail(
			    error, "%s holds a name with a line break", what);
		if (g_ascii_strcasecmp(a, want[i]) != 0)
			return fail(error,
			    "%s address %d is not the expected "
			    "one",
			    what, i + 1);
	}
	return TRUE;
}

/* check_subject - the Subject reads back as the intended text, decoded
 * by rfc2047_decode(): GMime 3.2.13 reads only part of some runs of
 * encoded words that other readers read whole */
static gboolean
check_subject(GMimeObject *obj, const char *want, GError **error)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = g_mime_header_list_get_header(list, "Subject");
	g_autofree char *v = NULL;

	if (h != NULL)
		v = rfc2047_decode(g_mime_header_get_raw_value(h));
	if (v == NULL || strcmp(v, want) != 0)
		return fail(error, "the subject did not survive");
	return TRUE;
}

/* check_headers - the header fields a receiver relies on */
static gboolean
check_headers(GMimeMessage *msg, const TmplExpect *want, GError **error)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	const char *v;

	if (count_header(obj, "From") != 1 || count_header(obj, "To") != 1 ||
	    count_header(obj, "Cc") > 1 || count_header(obj, "Bcc") != 0 ||
	    count_header(obj, "Sender") != 0 ||
	    count_header(obj, "Subject") != 1)
		return fail(error, "From/To/Cc/Bcc/Sender/Subject counts");
	if (!check_values(obj, error))
		return FALSE;
	v = g_mime_object_get_header(obj, "Auto-Submitted");
	if (count_header(obj, "Auto-Submitted") != 1 || v == NULL ||
	    strcmp(v, "auto-generated") != 0)
		return fail(error, "no Auto-Submitted: auto-generated");
	if (!check_list(g_mime_message_get_from(msg),
		(const char *const[]){ want->from, NULL }, "From", error) ||
	    !check_list(g_mime_message_get_to(msg), want->to, "To", error) ||
	    !check_list(g_mime_message_get_cc(msg), want->cc, "Cc", error))
		return FALSE;
	if (!check_subject(obj, want->subject, error))
		return FALSE;
	v = g_mime_message_get_message_id(msg);
	if (v == NULL || strcmp(v, want->message_id) != 0)
		return fail(error, "the Message-ID did not survive");
	if (g_mime_message_get_date(msg) == NULL)
		return fail(error, "no Date");
	return TRUE;
}

/* addr_char - whether c may be part of an address next to a match */
static gboolean
addr_char(char c)
{
	return g_ascii_isalnum(c) || (c != '\0' && strchr("._%+-=", c));
}

/* tmpl_find_address - the first place text holds addr (no case) as a
 * whole address, not inside a longer one; NULL when nowhere */
const char *
tmpl_find_address(const char *text, const char *addr)
{
	gsize n = strlen(addr);

	if (n == 0)
		return NULL;
	for (const char *p = text; *p; p++) {
		const char *end = p + n;

		if (g_ascii_strncasecmp(p, addr, n) != 0)
			continue;
		if (p > text && addr_char(p[-1]))
			continue;
		if (g_ascii_isalnum(*end) || *end == '-' ||
		    (*end == '.' && g_ascii_isalnum(end[1])))
			continue;
		return p;
	}
	return NULL;
}

/* part_text - the decoded text of a part (transfer full) */
static char *
part_text(GMimeObject *part)
{
	return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

/* check_flowed - text/plain format=flowed, no line over 78 octets */
static gboolean
check_flowed(GMimeObject *plain, GError **error)
{
	const char *fmt =
	    g_mime_object_get_content_type_parameter(plain, "format");
	g_autofree char *text = part_text(plain);
	g_auto(GStrv) lines = NULL;

	if (fmt == NULL || g_ascii_strcasecmp(fmt, "flowed") != 0)
		return fail(error, "the text is not format=flowed");
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strlen(lines[i]) > FLOWED_LINE_MAX + 1) /* its CR */
			return fail(error, "a text line is over %d octets",
			    FLOWED_LINE_MAX);
	}
	return TRUE;
}

/* check_absent - the address is in no header and no decoded part */
static gboolean
check_absent(const guchar *data, gsize len, GMimeMessage *msg, const char *addr,
    GError **error)
{
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	const char *end =
	    g_strstr_len((const char *)data, (gssize)len, "\r\n\r\n");
	g_autofree char *head = g_strndup((const char *)data,
	    end != NULL ? (gsize)(end - (const char *)data) : len);
	GMimeHeader *h = g_mime_header_list_get_header(
	    g_mime_object_get_header_list(GMIME_OBJECT(msg)), "Subject");
	g_autofree char *subject =
	    h != NULL ? rfc2047_decode(g_mime_header_get_raw_value(h)) : NULL;

	if (tmpl_find_address(head, addr) != NULL ||
	    (subject != NULL && tmpl_find_address(subject, addr) != NULL))
		return fail(error, "an address that must not be there is");
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
		g_autofree char *text =
		    part_text(g_mime_multipart_get_part(mp, i));

		if (text != NULL && tmpl_find_address(text, addr) != NULL)
			return fail(
			    error, "an address that must not be there is");
	}
	return TRUE;
}

/* check_share - what the share kinds promise beyond every message */
static gboolean
check_share(const guchar *data, gsize len, GMimeMessage *msg,
    const TmplExpect *want, GError **error)
{
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));

	if (want->reply_to != NULL &&
	    !check_list(g_mime_message_get_reply_to(msg), want->reply_to,
		"Reply-To", error))
		return FALSE;
	if (want->flowed &&
	    (!check_flowed(g_mime_multipart_get_part(mp, 0), error)))
		return FALSE;
	if (want->flowed && strchr(want->subject, '@') != NULL)
		return fail(error, "the subject holds an address");
	if (want->absent != NULL &&
	    !check_absent(data, len, msg, want->absent, error))
		return FALSE;
	return TRUE;
}

/* is_text - whether obj is a text/SUBTYPE part */
static gboolean
is_text(GMimeObject *obj, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return GMIME_IS_TEXT_PART(obj) && ct != NULL &&
	       g_mime_content_type_is_type(ct, "text", subtype);
}

/* check_body - multipart/alternative with text/plain and text/html */
static gboolean
check_body(GMimeMessage *msg, GError **error)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeMultipart *mp;

	if (body == NULL || !GMIME_IS_MULTIPART(body) ||
	    !g_mime_content_type_is_type(g_mime_object_get_content_type(body),
		"multipart", "alternative"))
		return fail(error, "the body is not multipart/alternative");
	mp = GMIME_MULTIPART(body);
	if (g_mime_multipart_get_count(mp) != 2 ||
	    !is_text(g_mime_multipart_get_part(mp, 0), "plain") ||
	    !is_text(g_mime_multipart_get_part(mp, 1), "html"))
		return fail(error, "the alternatives are not text and HTML");
	return TRUE;
}

/* unfolded - a raw header value without its folding and the spaces
 * around it (transfer full) */
static char *
unfolded(const char *raw)
{
	GString *s = g_string_new(NULL);

	for (const char *p = raw; *p; p++) {
		if (*p == '\r' || *p == '\n')
			continue;
		g_string_append_c(s, *p);
	}
	g_strstrip(s->str);
	s->len = strlen(s->str);
	return g_string_free(s, FALSE);
}

/* check_one - exactly one header NAME, whose unfolded raw value is want */
static gboolean
check_one(GMimeObject *obj, const char *name, const char *want, GError **error)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = g_mime_header_list_get_header(list, name);
	g_autofree char *v = NULL;

	if (count_header(obj, name) != 1 || h == NULL)
		return fail(error, "not exactly one %s", name);
	v = unfolded(g_mime_header_get_raw_value(h));
	if (strcmp(v, want) != 0)
		return fail(error, "%s is not the expected one", name);
	return TRUE;
}

/* check_bulk - what bulk mail (the digest) promises: the list headers
 * of RFC 2369, 2919 and 8058 exactly as meant, and an HTML part that
 * holds no script element however the fields were escaped */
static gboolean
check_bulk(GMimeMessage *msg, const TmplExpect *want, GError **error)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	g_autofree char *html = part_text(g_mime_multipart_get_part(mp, 1));
	g_autofree char *lower = NULL;

	if (!check_one(obj, "List-Id", want->list_id, error) ||
	    !check_one(
		obj, "List-Unsubscribe", want->list_unsubscribe, error) ||
	    !check_one(obj, "Precedence", "bulk", error))
		return FALSE;
	if (want->one_click && !check_one(obj, "List-Unsubscribe-Post",
				   "List-Unsubscribe=One-Click", error))
		return FALSE;
	if (!want->one_click && count_header(obj, "List-Unsubscribe-Post") != 0)
		return fail(error, "List-Unsubscribe-Post without a URL");
	lower = g_ascii_strdown(html != NULL ? html : "", -1);
	if (strstr(lower, "<script") != NULL)
		return fail(error, "the HTML holds a script element");
	return TRUE;
}

/* tmpl_verify - parse the bytes back and check what matters */
gboolean
tmpl_verify(GBytes *message, const TmplExpect *expect, GError **error)
{
	gsize len;
	const guchar *data = g_bytes_get_data(message, &len);
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;

	if (!check_lines(data, len, error))
		return FALSE;
	stream = g_mime_stream_mem_new_with_buffer((const char *)data, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL)
		return fail(error, "GMime cannot parse it");
	return check_headers(msg, expect, error) && check_body(msg, error) &&
	       check_share(data, len, msg, expect, error) &&
	       (expect->list_id == NULL || check_bulk(msg, expect, error));
}
