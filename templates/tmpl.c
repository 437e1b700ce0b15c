/*
 * tmpl.c - render the mail passalong writes (see tmpl.h)
 *
 * The pipeline for every message: check and clean the fields
 * (tmpl_fields.c), write the words as text and HTML (tmpl_intro.c),
 * build the MIME message and write it with CRLF (tmpl_mime.c), parse it
 * back and check it (tmpl_verify.c). Only a message that passed the
 * check leaves this module.
 *
 * Trust: the IntroContext's strings come from mail (untrusted) except
 * the Config (the operator's). Privilege: none needed; no I/O.
 */
#include "config.h"

#include "common/gmime-autoptr.h"
#include "templates/tmpl_int.h"

G_DEFINE_QUARK(passalong_tmpl_error, tmpl_error)

/* rendered_mail_free - free a rendered message; accepts NULL */
void
rendered_mail_free(RenderedMail *mail)
{
	if (mail == NULL)
		return;
	g_free(mail->kind);
	g_free(mail->mail_from);
	if (mail->rcpts != NULL)
		g_ptr_array_unref(mail->rcpts);
	g_free(mail->subject);
	g_free(mail->message_id);
	if (mail->message != NULL)
		g_bytes_unref(mail->message);
	g_free(mail);
}

/* add_rcpt - append addr unless it is there already (no case) */
static void
add_rcpt(GPtrArray *rcpts, const char *addr)
{
	for (guint i = 0; i < rcpts->len; i++) {
		if (g_ascii_strcasecmp(g_ptr_array_index(rcpts, i), addr) == 0)
			return;
	}
	g_ptr_array_add(rcpts, g_strdup(addr));
}

/* intro_rcpts - the envelope: friend, requester, member, no duplicates */
static GPtrArray *
intro_rcpts(const IntroFields *f)
{
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);

	add_rcpt(rcpts, f->friend_address);
	add_rcpt(rcpts, f->requester_address);
	add_rcpt(rcpts, f->member_address);
	return rcpts;
}

/* verify_intro - parse the bytes back and check them against the fields */
static gboolean
verify_intro(
    const IntroFields *f, GBytes *bytes, const char *id, GError **error)
{
	const char *to[] = { f->friend_address, f->requester_address, NULL };
	const char *cc[] = { f->cc_member ? f->member_address : NULL, NULL };
	TmplExpect want = { .from = f->from_address,
		.to = to,
		.cc = cc,
		.subject = f->subject,
		.message_id = id };

	return tmpl_verify(bytes, &want, error);
}

/* tmpl_render_intro - the warm introduction, checked (transfer full) */
RenderedMail *
tmpl_render_intro(const IntroContext *ctx, GError **error)
{
	g_autoptr(IntroFields) f = NULL;
	g_autofree char *text = NULL;
	g_autofree char *html = NULL;
	g_autofree char *id = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(GBytes) bytes = NULL;
	RenderedMail *mail;

	g_return_val_if_fail(ctx != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	f = intro_fields_new(ctx, error);
	if (f == NULL)
		return NULL;
	text = intro_text(f);
	html = intro_html(f);
	id = g_mime_utils_generate_message_id(f->domain);
	msg = intro_message_build(f, text, html, id);
	bytes = tmpl_serialize(GMIME_OBJECT(msg));
	if (!verify_intro(f, bytes, id, error))
		return NULL;
	mail = g_new0(RenderedMail, 1);
	mail->kind = g_strdup("intro");
	mail->mail_from = g_strdup(f->from_address);
	mail->rcpts = intro_rcpts(f);
	mail->subject = g_strdup(f->subject);
	mail->message_id = g_steal_pointer(&id);
	mail->message = g_steal_pointer(&bytes);
	return mail;
}
