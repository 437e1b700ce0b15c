/*
 * flow.c - the consent flow's decisions (see flow.h)
 *
 * What each transition queues, and to whom:
 *	new, ask     consent request -> friend; confirmation -> member
 *	new, direct  introduction -> friend, requester, member
 *	yes          introduction -> friend, requester, member
 *	no           "declined" notice -> member only (the reason with it)
 *	neither      "unclear": how to answer -> friend (a few, while asked)
 *	again        "answered" -> friend (once per share, once decided)
 *	reminder     the question again -> friend, once
 *	expiry       "expired" notice -> member only
 *	merged       "merged" -> the later member only (see flow_merged_items)
 * A share merged into an open request credits its member there
 * (Share.credited): the yes queues each of them a "merged" row, which
 * renders after the answer as their own "she said yes" line (the store
 * queues none for a member whose first note is still waiting unrendered:
 * that one will say it; not a Cc on
 * the introduction: the friend and the requester never see a member
 * they were not introduced by, and each member's address stays theirs);
 * a no or the expiry queues each the same kind notice as the member's.
 * The requester's address is on the introduction only.
 *
 * Trust: the token and the senders come from mail. A token is looked up,
 * never parsed for meaning; a sender counts only when it is the
 * friend's own address (ASCII case aside), as the store recorded it.
 */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "common/addr.h"
#include "flow/flow.h"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* flow_token_new - 128 bits from the kernel's generator, base32 */
void
flow_token_new(char out[FLOW_TOKEN_LEN + 1])
{
	guint8 raw[17] = { 0 }; /* 130 bits read, 128 used */
	size_t got = 0;
	guint bits = 0, acc = 0, n = 0;

	while (got < 16) {
		ssize_t r = getrandom(raw + got, 16 - got, 0);

		if (r > 0)
			got += (size_t)r;
		/* EINTR: again; getrandom() never fails otherwise here */
	}
	for (size_t i = 0; i < 17 && n < FLOW_TOKEN_LEN; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5 && n < FLOW_TOKEN_LEN) {
			out[n++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[FLOW_TOKEN_LEN] = '\0';
}

/* flow_token_valid - FLOW_TOKEN_LEN of [a-z2-7], without case */
gboolean
flow_token_valid(const char *s)
{
	if (s == NULL || strlen(s) != FLOW_TOKEN_LEN)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (strchr(b32, g_ascii_tolower(*p)) == NULL)
			return FALSE;
	return TRUE;
}

/* flow_mode - "direct" or "ask" for a new share */
const char *
flow_mode(const Config *cfg, const Member *sharer, gboolean direct_address)
{
	if (direct_address)
		return "direct";
	if (sharer != NULL && sharer->consent != NULL)
		return sharer->consent;
	return g_strcmp0(cfg->consent_mode, "direct") == 0 ? "direct" : "ask";
}

/* flow_share_begin - a new share's state for its mode */
void
flow_share_begin(const Config *cfg, Share *share, const char *mode, gint64 now)
{
	gboolean ask = g_strcmp0(mode, "direct") != 0;

	g_free(share->mode);
	share->mode = g_strdup(ask ? "ask" : "direct");
	g_free(share->status);
	share->status = g_strdup(ask ? "asked" : "queued");
	g_clear_pointer(&share->token, g_free);
	share->asked_at = share->expires_at = 0;
	if (!ask)
		return;
	share->token = g_malloc(FLOW_TOKEN_LEN + 1);
	flow_token_new(share->token);
	share->asked_at = now;
	share->expires_at = now + cfg->expire_after;
}

/* add_rcpt - rcpt unless it is there already (ASCII case aside) */
static void
add_rcpt(GPtrArray *rcpts, const char *rcpt)
{
	if (rcpt == NULL || *rcpt == '\0')
		return;
	for (guint i = 0; i < rcpts->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(rcpts, i), rcpt) == 0)
			return;
	g_ptr_array_add(rcpts, g_strdup(rcpt));
}

/* item - a row the worker renders from template at its first send */
static OutboxItem *
item(const Config *cfg, const char *kind, const char *template,
    const Share *share, const char *a, const char *b, const char *c)
{
	OutboxItem *it = outbox_item_new();

	it->kind = g_strdup(kind);
	it->template = g_strdup(template);
	it->mail_from =
	    g_strdup_printf("%s@%s", cfg->from_localpart, cfg->domain);
	it->subject = g_strdup(share->subject);
	add_rcpt(it->rcpts, a);
	add_rcpt(it->rcpts, b);
	add_rcpt(it->rcpts, c);
	return it;
}

/* list - a new array owning the items given, NULLs skipped */
static GPtrArray *
list(OutboxItem *a, OutboxItem *b)
{
	GPtrArray *l =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);

	if (a != NULL)
		g_ptr_array_add(l, a);
	if (b != NULL)
		g_ptr_array_add(l, b);
	return l;
}

/* intro - the introduction: friend and requester, the member in Cc */
static OutboxItem *
intro(const Config *cfg, const Share *share)
{
	return item(cfg, "intro", "intro", share, share->recipient,
	    share->requester, share->sharer);
}

/* credited - a row of template for each credited member, added to l */
static GPtrArray *
credited(GPtrArray *l, const Config *cfg, const char *kind,
    const char *template, const Share *share)
{
	for (guint i = 0; share->credited != NULL && i < share->credited->len;
	     i++)
		g_ptr_array_add(l, item(cfg, kind, template, share,
				       share->credited->pdata[i], NULL, NULL));
	return l;
}

/* flow_merged_items - what is queued when a share is merged into the open
 * request of the same requester and friend: a short "merged" note to its
 * member (unless they turned confirmations off), rendered from the open
 * share. It does not name the member who asked first: that member's
 * sharing is theirs to tell, and all the later member needs is that the
 * friend was already asked and that they will hear the answer */
GPtrArray *
flow_merged_items(const Config *cfg, const Share *share, const Member *sharer)
{
	if (sharer != NULL && sharer->confirm == 0)
		return list(NULL, NULL);
	return list(item(cfg, "confirmation", "merged", share, share->sharer,
			NULL, NULL),
	    NULL);
}

/* flow_first_items - what is recorded with a new share */
GPtrArray *
flow_first_items(const Config *cfg, const Share *share, const Member *sharer)
{
	OutboxItem *confirm = NULL;

	if (g_strcmp0(share->mode, "ask") != 0)
		return list(intro(cfg, share), NULL);
	if (sharer == NULL || sharer->confirm != 0)
		confirm = item(cfg, "confirmation", "confirmation", share,
		    share->sharer, NULL, NULL);
	return list(item(cfg, "consent", "consent", share, share->recipient,
			NULL, NULL),
	    confirm);
}

/* from_friend - whether one of senders is the share's friend */
static gboolean
from_friend(const Share *share, const char *const *senders)
{
	g_autofree char *friend = addr_normalize(share->recipient);

	for (size_t i = 0; friend != NULL && senders != NULL && senders[i];
	     i++) {
		g_autofree char *s = addr_normalize(senders[i]);

		if (s != NULL && g_ascii_strcasecmp(s, friend) == 0)
			return TRUE;
	}
	return FALSE;
}

/* auto_reply - one short mail to the friend: "unclear" while fewer
 * than the most were sent for the open share, "answered" once per
 * decided share (the store fences both) */
static gboolean
auto_reply(const Config *cfg, Store *store, const Share *share,
    const char *template, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) items = list(
	    item(cfg, "consent", template, share, share->recipient, NULL, NULL),
	    NULL);
	gboolean allowed = FALSE;

	if (strcmp(template, "answered") == 0)
		return store_share_answered_once(
		    store, share->id, items, now, &allowed, error);
	return store_share_reply_once(store, share->id, FLOW_MAX_AUTO_REPLIES,
	    items, now, &allowed, error);
}

/* decide - from 'asked' to accepted (the introduction queued) or
 * declined (the member's notice queued), in one store transaction;
 * *changed FALSE when the share was no longer 'asked' */
static gboolean
decide(const Config *cfg, Store *store, const Share *share, gboolean yes,
    const char *reason, gint64 now, gboolean *changed, GError **error)
{
	/* the members credited on a merged share hear the outcome too */
	g_autoptr(GPtrArray) items =
	    yes ? credited(list(intro(cfg, share), NULL), cfg, "confirmation",
		      "merged", share)
		: credited(list(item(cfg, "notice", "declined", share,
				    share->sharer, NULL, NULL),
			       NULL),
		      cfg, "notice", "declined", share);

	return store_share_answer(store, share->id,
	    yes ? "accepted" : "declined", yes ? "yes" : "no",
	    yes ? NULL : reason, now, items, changed, error);
}

/* flow_reply - the friend's reply to intro+TOKEN@ */
FlowReply
flow_reply(const Config *cfg, Store *store, const char *token,
    const char *const *senders, ReplyDecision decision, const char *reason,
    gint64 now, GError **error)
{
	g_autoptr(Share) share = NULL;
	g_autofree char *low = NULL;
	GError *err = NULL;
	gboolean yes = decision == REPLY_YES;
	gboolean changed = FALSE;

	if (!flow_token_valid(token))
		return FLOW_REPLY_UNKNOWN;
	low = g_ascii_strdown(token, -1);
	share = store_share_by_token(store, low, &err);
	if (err != NULL) {
		g_propagate_error(error, err);
		return FLOW_REPLY_UNKNOWN;
	}
	if (share == NULL)
		return FLOW_REPLY_UNKNOWN;
	if (!from_friend(share, senders))
		return FLOW_REPLY_STRANGER;
	if (g_strcmp0(share->status, "asked") == 0 &&
	    decision == REPLY_UNCLEAR) {
		auto_reply(cfg, store, share, "unclear", now, error);
		return FLOW_REPLY_UNCLEAR;
	}
	if (g_strcmp0(share->status, "asked") == 0) {
		if (!decide(
			cfg, store, share, yes, reason, now, &changed, error))
			return FLOW_REPLY_UNKNOWN;
		if (changed)
			return yes ? FLOW_REPLY_ACCEPTED : FLOW_REPLY_DECLINED;
	}
	/* decided before (or just now, by another reply) */
	auto_reply(cfg, store, share, "answered", now, error);
	return FLOW_REPLY_ANSWERED;
}

/* flow_share_by_link - the share a link's token names, or NULL */
Share *
flow_share_by_link(Store *store, const char *token, GError **error)
{
	g_autofree char *low = NULL;

	g_return_val_if_fail(store != NULL, NULL);
	if (!flow_token_valid(token))
		return NULL;
	low = g_ascii_strdown(token, -1);
	return store_share_by_token(store, low, error);
}

/* flow_link_state - what a link to share would find: ASKED (open),
 * EXPIRED (past expires_at, whether or not a tick has said so yet) or
 * ANSWERED (decided) */
FlowReply
flow_link_state(const Share *share, gint64 now)
{
	g_return_val_if_fail(share != NULL, FLOW_REPLY_UNKNOWN);
	if (g_strcmp0(share->status, "expired") == 0 ||
	    (g_strcmp0(share->status, "asked") == 0 && share->expires_at > 0 &&
		now >= share->expires_at))
		return FLOW_REPLY_EXPIRED;
	if (g_strcmp0(share->status, "asked") == 0)
		return FLOW_REPLY_ASKED;
	return FLOW_REPLY_ANSWERED;
}

/* flow_answer_link - the friend's yes or no by the link of the consent
 * request: the transition a reply by mail makes, without the mail */
FlowReply
flow_answer_link(const Config *cfg, Store *store, const char *token,
    gboolean yes, gint64 now, GError **error)
{
	g_autoptr(Share) share = NULL;
	GError *err = NULL;
	gboolean changed = FALSE;
	FlowReply state;

	g_return_val_if_fail(cfg != NULL && store != NULL, FLOW_REPLY_UNKNOWN);
	share = flow_share_by_link(store, token, &err);
	if (err != NULL) {
		g_propagate_error(error, err);
		return FLOW_REPLY_UNKNOWN;
	}
	if (share == NULL)
		return FLOW_REPLY_UNKNOWN;
	state = flow_link_state(share, now);
	if (state != FLOW_REPLY_ASKED)
		return state;
	if (!decide(cfg, store, share, yes, NULL, now, &changed, error))
		return FLOW_REPLY_UNKNOWN;
	if (!changed) /* another answer came first */
		return FLOW_REPLY_ANSWERED;
	return yes ? FLOW_REPLY_ACCEPTED : FLOW_REPLY_DECLINED;
}

/* tick_items - what a reminder or an expiry queues */
static GPtrArray *
tick_items(const Share *share, const char *event, gpointer data)
{
	const Config *cfg = data;

	if (strcmp(event, "reminder") == 0)
		return list(item(cfg, "consent", "reminder", share,
				share->recipient, NULL, NULL),
		    NULL);
	return credited(list(item(cfg, "notice", "expired", share,
				 share->sharer, NULL, NULL),
			    NULL),
	    cfg, "notice", "expired", share);
}

/* flow_tick - reminders and expiries due at now, in batches */
gboolean
flow_tick(const Config *cfg, Store *store, gint64 now, guint *reminded,
    guint *expired, GError **error)
{
	guint r = 0, e = 0;

	*reminded = *expired = 0;
	/* bounded: 100 batches of 100 per call; the next tick goes on */
	for (int i = 0; i < 100; i++) {
		if (!store_share_tick(store, now, cfg->remind_after, 100,
			tick_items, (gpointer)cfg, &r, &e, error))
			return FALSE;
		*reminded += r;
		*expired += e;
		if (r < 100 && e < 100)
			break;
	}
	return TRUE;
}
