/*
 * tmpl_mime.c - every kind of mail as a MIME message, written with CRLF
 *
 * Every header is set through GMime; the ones that carry text from mail
 * (Subject, From, To, Cc, Reply-To) then get their folded value from
 * rfc2047_encode_text() and rfc2047_encode_mailboxes(), because GMime
 * 3.2.13 writes long non-ASCII values as runs of padded B words that it
 * cannot read back whole itself (common/rfc2047.h). Display names are
 * quoted or encoded there, never by hand here. Each alternative is
 * UTF-8, quoted-printable whenever a line would be long or a byte is
 * not ASCII, so no line of the result comes near the 998-octet limit.
 *
 * Trust: the fields are clean but untrusted; they reach the message
 * only as header values and text content, never as header names.
 */
#include "config.h"

#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/rfc2047.h"
#include "templates/tmpl_int.h"

#define QP_LINE 76 /* longer lines are sent quoted-printable */

/* needs_qp - whether text needs quoted-printable to stay 7-bit and short */
static gboolean
needs_qp(const char *text)
{
	gsize col = 0;

	for (const guchar *p = (const guchar *)text; *p; p++) {
		if (*p >= 0x80)
			return TRUE;
		col = *p == '\n' ? 0 : col + 1;
		if (col > QP_LINE)
			return TRUE;
	}
	return FALSE;
}

/* tmpl_text_part - a text/SUBTYPE part in UTF-8; text is valid UTF-8 (the
 * fields were cleaned). Not g_mime_text_part_set_text(): it scans the
 * text for the smallest charset and converts to it (ISO-8859-1 when
 * it fits), a sixth of the rendering time, and a trap for anyone who
 * then labels the part UTF-8 */
GMimeTextPart *
tmpl_text_part(const char *subtype, const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(text, strlen(text));
	g_autoptr(GMimeDataWrapper) content =
	    g_mime_data_wrapper_new_with_stream(
		stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(GMIME_PART(part), content);
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part),
	    needs_qp(text) ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
			   : GMIME_CONTENT_ENCODING_7BIT);
	return part;
}

/* add_mailbox - one name and address, names encoded as UTF-8 */
static void
add_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *name,
    const char *address)
{
	InternetAddressList *list = g_mime_message_get_addresses(msg, type);
	g_autoptr(InternetAddress) ia =
	    internet_address_mailbox_new(name, address);

	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(list, ia);
}

/* add_mailboxes - n mailboxes to the list of TYPE */
static void
add_mailboxes(GMimeMessage *msg, GMimeAddressType type,
    const Rfc2047Mailbox *boxes, gsize n)
{
	for (gsize i = 0; i < n; i++)
		add_mailbox(msg, type, boxes[i].name, boxes[i].addr);
}

/* set_folded - give header NAME the folded value (GMime's raw form:
 * a leading space, LF line ends; the writer makes them CRLF) */
static void
set_folded(GMimeObject *obj, const char *name, const char *folded)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = g_mime_header_list_get_header(list, name);
	g_autofree char *raw = g_strdup_printf(" %s\n", folded);

	g_assert(h != NULL); /* set through GMime just before */
	g_mime_header_set_raw_value(h, raw);
}

/* tmpl_set_subject - the Subject, folded by the encoder */
void
tmpl_set_subject(GMimeMessage *msg, const char *subject)
{
	g_autofree char *v = rfc2047_encode_text("Subject", subject);

	g_mime_message_set_subject(msg, subject, "utf-8");
	set_folded(GMIME_OBJECT(msg), "Subject", v);
}

/* fold_mailboxes - header NAME written by the encoder, when there are
 * mailboxes */
static void
fold_mailboxes(
    GMimeObject *obj, const char *name, const Rfc2047Mailbox *boxes, gsize n)
{
	g_autofree char *v = NULL;

	if (n == 0)
		return;
	v = rfc2047_encode_mailboxes(name, boxes, n);
	set_folded(obj, name, v);
}

/* plain_part - the text/plain alternative, flowed (RFC 3676) when asked */
static GMimeTextPart *
plain_part(const char *text, gboolean flowed)
{
	GMimeTextPart *part = tmpl_text_part("plain", text);

	if (flowed) {
		g_mime_object_set_content_type_parameter(
		    GMIME_OBJECT(part), "format", "flowed");
		g_mime_object_set_content_type_parameter(
		    GMIME_OBJECT(part), "delsp", "yes");
	}
	return part;
}

/* tmpl_message_build - a complete message of text and HTML alternatives
 * with the header fields of h (transfer full) */
GMimeMessage *
tmpl_message_build(const TmplHeaders *h, const char *text, const char *html,
    const char *message_id)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc(h->now);
	g_autoptr(GMimeMultipart) alt =
	    g_mime_multipart_new_with_subtype("alternative");
	g_autoptr(GMimeTextPart) plain = plain_part(text, h->flowed);
	g_autoptr(GMimeTextPart) rich = tmpl_text_part("html", html);

	g_assert(date != NULL); /* checked by the caller */
	add_mailboxes(msg, GMIME_ADDRESS_TYPE_FROM, &h->from, 1);
	add_mailboxes(msg, GMIME_ADDRESS_TYPE_TO, h->to, h->n_to);
	add_mailboxes(msg, GMIME_ADDRESS_TYPE_CC, h->cc, h->n_cc);
	add_mailboxes(
	    msg, GMIME_ADDRESS_TYPE_REPLY_TO, h->reply_to, h->n_reply_to);
	tmpl_set_subject(msg, h->subject);
	fold_mailboxes(obj, "From", &h->from, 1);
	fold_mailboxes(obj, "To", h->to, h->n_to);
	fold_mailboxes(obj, "Cc", h->cc, h->n_cc);
	fold_mailboxes(obj, "Reply-To", h->reply_to, h->n_reply_to);
	g_mime_message_set_date(msg, date);
	g_mime_message_set_message_id(msg, message_id);
	if (h->in_reply_to != NULL) {
		g_autofree char *v = g_strdup_printf("<%s>", h->in_reply_to);

		g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
	}
	if (h->references != NULL)
		g_mime_object_set_header(
		    obj, "References", h->references, NULL);
	g_mime_object_set_header(obj, "Auto-Submitted", "auto-generated", NULL);
	g_mime_object_set_header(obj, "X-Passalong-Kind", h->kind, NULL);
	if (h->boundary != NULL)
		g_mime_multipart_set_boundary(alt, h->boundary);
	g_mime_multipart_add(alt, GMIME_OBJECT(plain));
	g_mime_multipart_add(alt, GMIME_OBJECT(rich));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	return msg;
}

/* intro_message_build - the complete introduction (transfer full) */
GMimeMessage *
intro_message_build(const IntroFields *f, const char *text, const char *html,
    const char *message_id)
{
	const Rfc2047Mailbox to[] = { { f->friend_name, f->friend_address },
		{ f->requester_name, f->requester_address } };
	const Rfc2047Mailbox cc[] = { { f->member_name, f->member_address } };
	const TmplHeaders h = { .kind = "intro",
		.from = { f->from_display, f->from_address },
		.to = to,
		.n_to = 2,
		.cc = cc,
		.n_cc = f->cc_member ? 1 : 0,
		.reply_to = to,
		.n_reply_to = 2,
		.subject = f->subject,
		.in_reply_to = f->in_reply_to,
		.references = f->references,
		.now = f->now };

	return tmpl_message_build(&h, text, html, message_id);
}

/* tmpl_serialize - the message's bytes with CRLF line ends */
GBytes *
tmpl_serialize(GMimeObject *object)
{
	g_autoptr(GMimeFormatOptions) opts = g_mime_format_options_new();
	char *s;

	g_mime_format_options_set_newline_format(
	    opts, GMIME_NEWLINE_FORMAT_DOS);
	s = g_mime_object_to_string(object, opts);
	return g_bytes_new_take(s, strlen(s));
}
