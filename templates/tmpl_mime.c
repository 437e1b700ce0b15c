/*
 * tmpl_mime.c - the introduction as a MIME message, written with CRLF
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

/* set_people - From, To, Cc and Reply-To */
static void
set_people(GMimeMessage *msg, const IntroFields *f)
{
	add_mailbox(
	    msg, GMIME_ADDRESS_TYPE_FROM, f->from_display, f->from_address);
	add_mailbox(
	    msg, GMIME_ADDRESS_TYPE_TO, f->friend_name, f->friend_address);
	add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, f->requester_name,
	    f->requester_address);
	if (f->cc_member)
		add_mailbox(msg, GMIME_ADDRESS_TYPE_CC, f->member_name,
		    f->member_address);
	add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, f->friend_name,
	    f->friend_address);
	add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, f->requester_name,
	    f->requester_address);
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

/* fold_people - From, To, Cc and Reply-To written by the encoder */
static void
fold_people(GMimeObject *obj, const IntroFields *f)
{
	const Rfc2047Mailbox from[] = { { f->from_display, f->from_address } };
	const Rfc2047Mailbox to[] = { { f->friend_name, f->friend_address },
		{ f->requester_name, f->requester_address } };
	const Rfc2047Mailbox cc[] = { { f->member_name, f->member_address } };
	g_autofree char *v_from = rfc2047_encode_mailboxes("From", from, 1);
	g_autofree char *v_to = rfc2047_encode_mailboxes("To", to, 2);
	g_autofree char *v_cc = rfc2047_encode_mailboxes("Cc", cc, 1);
	g_autofree char *v_reply = rfc2047_encode_mailboxes("Reply-To", to, 2);

	set_folded(obj, "From", v_from);
	set_folded(obj, "To", v_to);
	if (f->cc_member)
		set_folded(obj, "Cc", v_cc);
	set_folded(obj, "Reply-To", v_reply);
}

/* intro_message_build - the complete introduction (transfer full) */
GMimeMessage *
intro_message_build(const IntroFields *f, const char *text, const char *html,
    const char *message_id)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc(f->now);
	g_autoptr(GMimeMultipart) alt =
	    g_mime_multipart_new_with_subtype("alternative");
	g_autoptr(GMimeTextPart) plain = tmpl_text_part("plain", text);
	g_autoptr(GMimeTextPart) rich = tmpl_text_part("html", html);

	g_assert(date != NULL); /* checked by intro_fields_new() */
	set_people(msg, f);
	tmpl_set_subject(msg, f->subject);
	fold_people(obj, f);
	g_mime_message_set_date(msg, date);
	g_mime_message_set_message_id(msg, message_id);
	if (f->in_reply_to != NULL) {
		g_autofree char *v = g_strdup_printf("<%s>", f->in_reply_to);

		g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
	}
	if (f->references != NULL)
		g_mime_object_set_header(
		    obj, "References", f->references, NULL);
	g_mime_object_set_header(obj, "Auto-Submitted", "auto-generated", NULL);
	g_mime_object_set_header(obj, "X-Passalong-Kind", "intro", NULL);
	g_mime_multipart_add(alt, GMIME_OBJECT(plain));
	g_mime_multipart_add(alt, GMIME_OBJECT(rich));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	return msg;
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
