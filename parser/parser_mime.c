/*
 * parser_mime.c - GMime parts and messages into prepared text and fields
 *
 * Text parts are decoded (transfer encoding by GMime, then the declared
 * charset by iconv, invalid bytes becoming U+FFFD instead of failing the
 * whole part), format=flowed soft breaks are joined (RFC 3676, delsp
 * honoured, quote depth respected), and the result is prepared text.
 * The walk over the MIME tree is iterative in spirit: depth-first, at
 * most PARSER_MAX_DEPTH levels and PARSER_MAX_PARTS parts.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/mimescan.h"
#include "common/rfc2047.h"
#include "common/util.h"
#include "parser/parser_int.h"
#include "parser/parser_scan.h"

/* iconv_lossy - bytes in charset to UTF-8; bad input becomes U+FFFD */
static GString *
iconv_lossy(const char *in, gsize len, const char *charset)
{
	GIConv cd = g_iconv_open("UTF-8", g_mime_charset_iconv_name(charset));
	GString *out;
	char buf[4096];

	if (cd == (GIConv)-1)
		return NULL;
	out = g_string_sized_new(len + 16);
	while (len > 0) {
		char *ip = (char *)in, *op = buf;
		gsize il = len, ol = sizeof(buf);
		gsize r = g_iconv(cd, &ip, &il, &op, &ol);
		int err = errno;

		g_string_append_len(out, buf, (gssize)(op - buf));
		in = ip;
		len = il;
		if (r != (gsize)-1 || len == 0 || err == E2BIG)
			continue;
		/* EILSEQ or EINVAL: one bad byte, one replacement character */
		g_string_append(out, "\xef\xbf\xbd");
		in++;
		len--;
	}
	g_iconv_close(cd);
	return out;
}

/* is_utf8_name - a charset name that means UTF-8 or its ASCII subset */
static gboolean
is_utf8_name(const char *charset)
{
	return charset == NULL || g_ascii_strcasecmp(charset, "utf-8") == 0 ||
	       g_ascii_strcasecmp(charset, "utf8") == 0 ||
	       g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	       g_ascii_strcasecmp(charset, "ascii") == 0;
}

/* some_utf8 - the bytes hold at least one valid multi-byte UTF-8
 * character: a stray bad byte in UTF-8, not a mislabelled Latin-1 */
static gboolean
some_utf8(const char *in, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		gunichar c;

		if ((guchar)in[i] < 0xc2)
			continue;
		c = g_utf8_get_char_validated(in + i, (gssize)(len - i));
		if (c != (gunichar)-1 && c != (gunichar)-2)
			return TRUE;
	}
	return FALSE;
}

/* utf8_valid - g_utf8_validate_len() with a fast path for ASCII, which
 * most text is and which GLib checks a byte at a time: a UTF-8
 * sequence never holds a byte below 0x80, so eight ASCII bytes (none
 * NUL) are skipped at once and each non-ASCII run is checked alone */
static gboolean
utf8_valid(const char *s, gsize len)
{
	const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
	const guint64 highs = G_GUINT64_CONSTANT(0x8080808080808080);
	gsize i = 0;

	while (i < len) {
		gsize j;
		guint64 w;

		if (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			if ((w & highs) == 0 &&
			    ((w - ones) & ~w & highs) == 0) {
				i += 8;
				continue;
			}
		}
		if ((guchar)s[i] < 0x80) {
			if (s[i] == '\0')
				return FALSE;
			i++;
			continue;
		}
		for (j = i; j < len && (guchar)s[j] >= 0x80; j++)
			;
		if (!g_utf8_validate_len(s + i, j - i, NULL))
			return FALSE;
		i = j;
	}
	return TRUE;
}

/* to_prepared - decoded part bytes as prepared text, whatever the label
 * says: the declared charset, else UTF-8, else windows-1252 */
static char *
to_prepared(const char *in, gsize len, const char *charset)
{
	g_autoptr(GString) out = NULL;

	if (!is_utf8_name(charset))
		out = iconv_lossy(in, len, charset);
	else if (!utf8_valid(in, len) && !some_utf8(in, len))
		out = iconv_lossy(in, len, "windows-1252");
	if (out != NULL)
		return parser_text_prepare(out->str, (gssize)out->len);
	return parser_text_prepare(in, (gssize)len);
}

/* flowed_depth - quote depth of a flowed line and where its text starts */
static guint
flowed_depth(const char *s, gsize len, gsize *text)
{
	gsize i = 0;

	while (i < len && s[i] == '>')
		i++;
	*text = i;
	if (*text < len && s[*text] == ' ') /* space-stuffing */
		(*text)++;
	return (guint)i;
}

/* unflow - RFC 3676: join soft line breaks, drop stuffing and delsp */
static char *
unflow(const char *text, gboolean delsp)
{
	GString *out = g_string_sized_new(strlen(text) + 1);
	gboolean open = FALSE;
	guint open_depth = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		gsize len = nl != NULL ? (gsize)(nl - p) : strlen(p), t;
		guint depth = flowed_depth(p, len, &t);
		gboolean sig = len - t == 3 && memcmp(p + t, "-- ", 3) == 0;
		gboolean soft = !sig && len > t && p[len - 1] == ' ';

		if (open && depth != open_depth)
			g_string_append_c(out, '\n');
		if (!open || depth != open_depth)
			g_string_append_len(
			    out, p, (gssize)(depth > 0 ? t : 0));
		g_string_append_len(
		    out, p + t, (gssize)(len - t - (soft && delsp ? 1 : 0)));
		open = soft;
		open_depth = depth;
		if (!soft && nl != NULL)
			g_string_append_c(out, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return g_string_free(out, FALSE);
}

/* part_bytes - a part's content with its transfer encoding undone */
static GByteArray *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	g_autoptr(GMimeStream) mem = NULL;
	GByteArray *bytes;

	if (w == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, mem) < 0)
		return NULL;
	/* take the stream's buffer instead of copying it */
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	return bytes;
}

/* parser_part_text - a text part as prepared text (HTML left as HTML) */
char *
parser_part_text(GMimePart *part, gboolean *is_html)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	g_autoptr(GByteArray) bytes = part_bytes(part);
	g_autofree char *prepared = NULL;
	const char *format, *delsp;

	if (bytes == NULL)
		return NULL;
	*is_html = g_mime_content_type_is_type(ct, "text", "html");
	prepared = to_prepared((const char *)bytes->data, bytes->len,
	    g_mime_content_type_get_parameter(ct, "charset"));
	format = g_mime_content_type_get_parameter(ct, "format");
	delsp = g_mime_content_type_get_parameter(ct, "delsp");
	if (!*is_html && format != NULL &&
	    g_ascii_strcasecmp(format, "flowed") == 0)
		return unflow(prepared,
		    delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0);
	return g_steal_pointer(&prepared);
}

typedef struct {
	gboolean html;          /* looking for text/html, else text/plain */
	guint parts;            /* parts visited */
	GMimePart *found;       /* the body part */
	GMimeMessage *attached; /* the first attached message (a reference) */
	gboolean want_attached;
} Walk;

/* is_attachment - a part the sender attached rather than wrote */
static gboolean
is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *cd =
	    g_mime_object_get_content_disposition(obj);

	return cd != NULL && g_mime_content_disposition_is_attachment(cd);
}

/* eml_part - an attached message sent as a file: "x.eml" with a
 * generic type, or message/global (RFC 6532) */
static gboolean
eml_part(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *name = g_mime_part_get_filename(GMIME_PART(obj));
	gsize len = name != NULL ? strlen(name) : 0;

	if (g_mime_content_type_is_type(ct, "message", "global"))
		return TRUE;
	if (!g_mime_content_type_is_type(ct, "application", "octet-stream") &&
	    !g_mime_content_type_is_type(ct, "application", "x-eml") &&
	    !g_mime_content_type_is_type(ct, "text", "plain"))
		return FALSE;
	return len > 4 && g_ascii_strcasecmp(name + len - 4, ".eml") == 0;
}

/* parse_eml - a message from an .eml part's content (transfer full);
 * NULL past the MIME limits: the milter counted the encoded part, not
 * this, and GMime builds an object per part before anyone can count */
static GMimeMessage *
parse_eml(GMimePart *part)
{
	g_autoptr(GByteArray) bytes = part_bytes(part);
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;

	if (bytes == NULL || bytes->len == 0 ||
	    !mimescan_check(bytes->data, bytes->len, NULL, NULL))
		return NULL;
	stream = g_mime_stream_mem_new_with_buffer(
	    (const char *)bytes->data, bytes->len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	return g_mime_parser_construct_message(parser, NULL);
}

/* walk_part - a leaf: the body part we look for, or an attached file */
static void
walk_part(GMimeObject *obj, Walk *w)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	if (w->want_attached) {
		if (eml_part(obj))
			w->attached = parse_eml(GMIME_PART(obj));
		return;
	}
	if (!is_attachment(obj) &&
	    g_mime_content_type_is_type(ct, "text", w->html ? "html" : "plain"))
		w->found = GMIME_PART(obj);
}

/* walk - depth-first search for the body part or an attached message */
static void
walk(GMimeObject *obj, guint depth, Walk *w)
{
	if (obj == NULL || depth > PARSER_MAX_DEPTH ||
	    ++w->parts > PARSER_MAX_PARTS || w->found || w->attached)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n && !w->found && !w->attached; i++)
			walk(g_mime_multipart_get_part(mp, i), depth + 1, w);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (w->want_attached && m != NULL)
			w->attached = g_object_ref(m);
	} else if (GMIME_IS_PART(obj)) {
		walk_part(obj, w);
	}
}

/* parser_find_attached - the first attached message, any depth (a new
 * reference) */
GMimeMessage *
parser_find_attached(GMimeObject *root)
{
	Walk w = { FALSE, 0, NULL, NULL, TRUE };

	walk(root, 0, &w);
	return w.attached;
}

/* parser_find_body - the first inline text/plain (or text/html) part */
GMimePart *
parser_find_body(GMimeObject *root, gboolean html)
{
	Walk w = { html, 0, NULL, NULL, FALSE };

	walk(root, 0, &w);
	return w.found;
}

/* header_text - the first NAME header, decoded by rfc2047_decode() (not
 * g_mime_message_get_subject(): GMime 3.2.13 drops what follows a
 * padded word in a run of encoded words); NULL when absent */
static char *
header_text(GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *list =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = g_mime_header_list_get_header(list, name);

	if (h == NULL || g_mime_header_get_raw_value(h) == NULL)
		return NULL;
	return rfc2047_decode(g_mime_header_get_raw_value(h));
}

/* header_addresses - every NAME header's mailboxes, each run of encoded
 * words first made one word GMime reads whole (rfc2047_recode()) */
static InternetAddressList *
header_addresses(GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *list =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	InternetAddressList *all = internet_address_list_new();
	GMimeParserOptions *options = g_mime_parser_options_new();
	const char *fallback[] = { "UTF-8", "windows-1252", NULL };

	g_mime_parser_options_set_fallback_charsets(options, fallback);
	for (int i = 0; i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		g_autofree char *raw = NULL;
		g_autoptr(InternetAddressList) one = NULL;

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) != 0 ||
		    g_mime_header_get_raw_value(h) == NULL)
			continue;
		raw = rfc2047_recode(g_mime_header_get_raw_value(h));
		one = internet_address_list_parse(options, raw);
		if (one != NULL)
			internet_address_list_append(all, one);
	}
	g_mime_parser_options_free(options);
	return all;
}

/* parser_ctx_from_message - subject and date offset of a message */
void
parser_ctx_from_message(GMimeMessage *msg, ParseCtx *ctx, char **subject)
{
	GDateTime *dt = g_mime_message_get_date(msg);
	g_autofree char *s = header_text(msg, "Subject");

	*subject = s != NULL ? parser_header_clean(s) : NULL;
	ctx->subject = *subject;
	ctx->have_offset = dt != NULL;
	ctx->offset_min =
	    dt != NULL
		? (int)(g_date_time_get_utc_offset(dt) / G_TIME_SPAN_MINUTE)
		: 0;
}

/* add_list - InternetAddressList mailboxes (groups flattened) to an array */
static void
add_list(InternetAddressList *list, GPtrArray *to, guint depth)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && to->len < SCAN_MAX_MAILBOXES; i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 2) {
			add_list(internet_address_group_get_members(
				     INTERNET_ADDRESS_GROUP(ia)),
			    to, depth + 1);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			FwdAddress *a =
			    parser_address_make(internet_address_get_name(ia),
				internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(ia)));

			if (a != NULL)
				g_ptr_array_add(to, a);
		}
	}
}

/* add_header_list - the mailboxes of every NAME header to an array */
static void
add_header_list(GMimeMessage *msg, const char *name, GPtrArray *to)
{
	g_autoptr(InternetAddressList) list = header_addresses(msg, name);

	add_list(list, to, 0);
}

/* attached_body - the body of an attached message, as prepared text */
static char *
attached_body(GMimeMessage *msg)
{
	GMimeObject *root = g_mime_message_get_mime_part(msg);
	GMimePart *part = parser_find_body(root, FALSE);
	gboolean html = FALSE;
	g_autofree char *text = NULL;

	if (part == NULL)
		part = parser_find_body(root, TRUE);
	if (part == NULL)
		return NULL;
	text = parser_part_text(part, &html);
	if (text != NULL && html) {
		g_autofree char *plain =
		    parser_html_to_text(text, strlen(text), NULL);
		g_autofree char *prepared = parser_text_prepare(plain, -1);

		return parser_text_body(prepared);
	}
	return text != NULL ? parser_text_body(text) : NULL;
}

/* parser_message_from_mime - an attached message's fields and body */
FwdMessage *
parser_message_from_mime(GMimeMessage *msg, const ParseCtx *ctx)
{
	FwdMessage *m = fwd_message_new();
	g_autoptr(GPtrArray) from =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_address_free);
	GDateTime *dt = g_mime_message_get_date(msg);
	const char *id = g_mime_message_get_message_id(msg);
	g_autofree char *subject = header_text(msg, "Subject");

	add_header_list(msg, "From", from);
	if (from->len > 0)
		m->from = g_ptr_array_steal_index(from, 0);
	add_header_list(msg, "To", m->to);
	add_header_list(msg, "Cc", m->cc);
	add_header_list(msg, "Reply-To", m->reply_to);
	m->subject = parser_subject_original(subject);
	parser_message_set_date(
	    m, g_mime_object_get_header(GMIME_OBJECT(msg), "Date"), ctx);
	if (dt != NULL) {
		g_autofree char *when =
		    g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");

		g_free(m->date);
		m->date = g_strdup(when);
	}
	if (id != NULL && *id != '\0')
		m->message_id = util_header_safe(id, 0);
	m->body = attached_body(msg);
	return m;
}
