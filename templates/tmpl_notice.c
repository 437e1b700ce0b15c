/*
 * tmpl_notice.c - the notice to a member that some mail did not arrive
 *
 * When the relay refuses a recipient of mail sent because of a member's
 * share (the requester's mailbox is gone, the friend's domain does not
 * exist), the member is told which address failed and what the server
 * said, in a short message of kind "notice". The server's words are
 * untrusted: they come in already cleaned by the sender and are cleaned
 * again here (one line, no controls, bounded), HTML-escaped in the HTML
 * part, and never reach a header except as the subject's quoted topic.
 *
 * The message goes through tmpl_verify() like every other kind, and it
 * carries Auto-Submitted: auto-generated. A notice never causes another
 * notice: the sender does not write one about a notice that failed.
 *
 * Trust: the context's strings are untrusted except the Config.
 * Privilege: none; no I/O.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/gmime-autoptr.h"
#include "common/util.h"
#include "templates/tmpl_int.h"

#define REASON_MAX 300 /* characters of one server reply shown */

/* check_input - what a notice needs, and safe addresses */
static gboolean
check_input(const NoticeContext *ctx, GError **error)
{
	const char *why = NULL;

	if (ctx->cfg == NULL || ctx->cfg->domain == NULL ||
	    ctx->cfg->from_localpart == NULL)
		why = "no gateway domain or from_localpart";
	else if (ctx->member_address == NULL ||
		 !addr_is_safe(ctx->member_address))
		why = "the member's address is missing or not safe";
	else if (ctx->failures == NULL || ctx->failures->len == 0)
		why = "no failed recipient";
	for (guint i = 0; why == NULL && i < ctx->failures->len; i++) {
		const NoticeFailure *nf = g_ptr_array_index(ctx->failures, i);

		if (nf->address == NULL || !addr_is_safe(nf->address))
			why = "a failed address is not safe";
	}
	if (why != NULL) {
		g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "cannot write a notice: %s", why);
		return FALSE;
	}
	return TRUE;
}

/* reason_of - the server's reply, one clean bounded line */
static char *
reason_of(const NoticeFailure *nf)
{
	if (nf->reason == NULL || *nf->reason == '\0')
		return g_strdup("no reason was given");
	return util_header_safe(nf->reason, REASON_MAX);
}

/* notice_text - the plain text words */
static char *
notice_text(const NoticeContext *ctx, const char *topic)
{
	GString *t = g_string_new(NULL);

	g_string_append_printf(t,
	    "Hello,\n\nSome mail that %s sent because of your share could "
	    "not be delivered%s%s%s.\n\n",
	    ctx->cfg->name != NULL ? ctx->cfg->name : "passalong",
	    topic != NULL ? " (\xe2\x80\x9c" : "", topic != NULL ? topic : "",
	    topic != NULL ? "\xe2\x80\x9d)" : "");
	for (guint i = 0; i < ctx->failures->len; i++) {
		const NoticeFailure *nf = g_ptr_array_index(ctx->failures, i);
		g_autofree char *why = reason_of(nf);

		g_string_append_printf(
		    t, "  %s\n    the server said: %s\n", nf->address, why);
	}
	g_string_append(t,
	    "\nThe other recipients, if any, got it. If an address is "
	    "wrong, share again with the right one; an address whose "
	    "mailbox does not exist will not be written to again.\n\n"
	    "This message was written automatically; replies are not "
	    "read.\n");
	return g_string_free(t, FALSE);
}

/* notice_html - the same words, escaped */
static char *
notice_html(const char *text)
{
	g_autofree char *esc = g_markup_escape_text(text, -1);
	g_auto(GStrv) paras = g_strsplit(esc, "\n\n", -1);
	GString *h = g_string_new("<!DOCTYPE html>\n<html><body style=\""
				  "font-family:sans-serif\">\n");

	for (guint i = 0; paras[i] != NULL; i++) {
		g_auto(GStrv) lines = g_strsplit(paras[i], "\n", -1);
		g_autofree char *joined = g_strjoinv("<br>\n", lines);

		if (*paras[i] != '\0')
			g_string_append_printf(h, "<p>%s</p>\n", joined);
	}
	g_string_append(h, "</body></html>\n");
	return g_string_free(h, FALSE);
}

/* build - the MIME message (transfer full) */
static GMimeMessage *
build(const NoticeContext *ctx, const char *from, const char *subject,
    const char *text, const char *id)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc(ctx->now);
	g_autoptr(GMimeMultipart) alt =
	    g_mime_multipart_new_with_subtype("alternative");
	g_autoptr(GMimeObject) plain =
	    GMIME_OBJECT(tmpl_text_part("plain", text));
	g_autofree char *html = notice_html(text);
	g_autoptr(GMimeObject) rich =
	    GMIME_OBJECT(tmpl_text_part("html", html));
	g_autoptr(InternetAddress) fa = internet_address_mailbox_new(
	    ctx->cfg->name != NULL ? ctx->cfg->name : "passalong", from);
	g_autoptr(InternetAddress) ta =
	    internet_address_mailbox_new(NULL, ctx->member_address);

	internet_address_set_charset(fa, "utf-8");
	internet_address_list_add(
	    g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_FROM), fa);
	internet_address_list_add(
	    g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), ta);
	tmpl_set_subject(msg, subject); /* GMime's runs it reads in part */
	if (date != NULL)
		g_mime_message_set_date(msg, date);
	g_mime_message_set_message_id(msg, id);
	g_mime_object_set_header(
	    GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);
	g_mime_object_set_header(
	    GMIME_OBJECT(msg), "X-Passalong-Kind", "notice", NULL);
	g_mime_multipart_add(alt, plain);
	g_mime_multipart_add(alt, rich);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	return msg;
}

/* tmpl_render_notice - tell a member which addresses failed (transfer
 * full) */
RenderedMail *
tmpl_render_notice(const NoticeContext *ctx, GError **error)
{
	g_autofree char *from = NULL;
	g_autofree char *topic = NULL;
	g_autofree char *subject = NULL;
	g_autofree char *text = NULL;
	g_autofree char *id = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(GBytes) bytes = NULL;
	const char *to[2] = { NULL, NULL };
	const char *cc[1] = { NULL };
	TmplExpect want = { 0 };
	RenderedMail *mail;

	g_return_val_if_fail(ctx != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!check_input(ctx, error))
		return NULL;
	from = g_strdup_printf(
	    "%s@%s", ctx->cfg->from_localpart, ctx->cfg->domain);
	if (ctx->subject != NULL && *ctx->subject != '\0')
		topic = util_header_safe(ctx->subject, TMPL_SUBJECT_MAX - 20);
	subject = topic != NULL ? g_strdup_printf("Not delivered: %s", topic)
				: g_strdup("Not delivered");
	text = notice_text(ctx, topic);
	id = g_mime_utils_generate_message_id(ctx->cfg->domain);
	msg = build(ctx, from, subject, text, id);
	bytes = tmpl_serialize(GMIME_OBJECT(msg));
	to[0] = ctx->member_address;
	want = (TmplExpect){ .from = from,
		.to = to,
		.cc = cc,
		.subject = subject,
		.message_id = id };
	if (!tmpl_verify(bytes, &want, error))
		return NULL;
	mail = g_new0(RenderedMail, 1);
	mail->kind = g_strdup("notice");
	mail->mail_from = g_steal_pointer(&from);
	mail->rcpts = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(mail->rcpts, g_strdup(ctx->member_address));
	mail->subject = g_steal_pointer(&subject);
	mail->message_id = g_steal_pointer(&id);
	mail->message = g_steal_pointer(&bytes);
	return mail;
}
