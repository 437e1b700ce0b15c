/*
 * sender_render.c - write a queued row's message from its share's facts
 *
 * The milter and the consent flow queue rows that name a template and
 * carry no message (issue 10: no rendering in the SMTP session). The
 * sender renders such a row when it first sends it: it reads the share,
 * builds ShareFacts, renders with tmpl_render_share() (which re-parses
 * the message with GMime before it returns), and stores the exact bytes
 * under its claim before any SMTP, so that "passalong outbox show ID"
 * prints what went out and a retry sends the same message.
 *
 * Trust: the share's fields came from mail; the templates escape them.
 */
#include "config.h"

#include "common/log.h"
#include "sender/sender_int.h"
#include "templates/tmpl.h"

/* credited_member - the member a row to the member is for when it is
 * not the share's sharer but a member credited on it (a merged share:
 * "merged", or the kind notice of a no or an expiry), else NULL: its
 * one recipient, when the share credits it (transfer none) */
static const char *
credited_member(const OutboxItem *item, const Share *s)
{
	const char *rcpt;

	if (item->rcpts->len != 1 || s->credited == NULL)
		return NULL;
	rcpt = item->rcpts->pdata[0];
	if (g_ascii_strcasecmp(rcpt, s->sharer) == 0)
		return NULL;
	for (guint i = 0; i < s->credited->len; i++)
		if (g_ascii_strcasecmp(rcpt, s->credited->pdata[i]) == 0)
			return s->credited->pdata[i];
	return NULL;
}

/* sender_render - render item from its share unless it has a message,
 * and keep what was rendered under the item's claim when keep is TRUE
 * (FALSE: a preview, for "passalong outbox show" before the first send);
 * FALSE with error: STORE_ERROR (the store: try later) or TMPL_ERROR
 * (this row cannot be written: fail it) */
gboolean
sender_render(Store *store, const Config *cfg, OutboxItem *item, gint64 now,
    gboolean keep, GError **error)
{
	g_autoptr(Share) s = NULL;
	g_autoptr(RenderedMail) mail = NULL;
	g_autofree char *reply = NULL;
	g_autofree char *link = NULL;

	if (item->template == NULL ||
	    (item->message != NULL && g_bytes_get_size(item->message) > 0))
		return TRUE;
	if (item->share_id == 0) {
		g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "template %s without a share", item->template);
		return FALSE;
	}
	s = store_share_get(store, item->share_id, error);
	if (s == NULL) {
		if (error != NULL && *error == NULL)
			g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
			    "share %" G_GINT64_FORMAT " is gone",
			    item->share_id);
		return FALSE;
	}
	reply = config_reply_address(cfg, s->token); /* NULL: no token */
	link = config_web_link(cfg, "c", s->token);  /* NULL: no base_url */
	/* a credited member's row speaks to them, by their own name; the
	 * friend's reason was written to the sharer and stays theirs */
	const char *credited = credited_member(item, s);
	g_autoptr(Member) m = NULL;

	if (credited != NULL) {
		m = store_member_by_address(store, credited, error);
		if (m == NULL && error != NULL && *error != NULL)
			return FALSE;
	}
	ShareFacts f = {
		.cfg = cfg,
		.share_id = s->id,
		.member_address = credited != NULL ? credited : s->sharer,
		.member_name = credited != NULL ? (m != NULL ? m->name : NULL)
						: s->member_name,
		.friend_address = s->recipient,
		.friend_name = s->recipient_name,
		.requester_address = s->requester,
		.requester_name = s->requester_name,
		.requester_org = s->requester_org,
		.subject = s->subject,
		.note = s->note,
		.request_text = s->request_text,
		.request_date = s->request_date,
		.passed_by = s->passed_by,
		.origin_message_id = s->origin_message_id,
		.reply_address = reply,
		.answer_url = link,
		.reason = credited != NULL ? NULL : s->reason,
		.consented = g_strcmp0(s->answer, "yes") == 0,
		.now = now,
		.outbox_id = item->id,
	};
	mail = tmpl_render_share(item->template, &f, error);
	if (mail == NULL)
		return FALSE;
	if (keep && !store_outbox_rendered(store, item->id, item->claim,
			mail->message, mail->subject, error))
		return FALSE;
	if (item->message != NULL)
		g_bytes_unref(item->message);
	item->message = g_bytes_ref(mail->message);
	g_free(item->subject);
	item->subject = g_strdup(mail->subject);
	return TRUE;
}
