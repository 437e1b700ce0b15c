/*
 * flow.h - a share's life: asked, answered, reminded, expired, introduced
 *
 * SYNOPSIS
 *	flow_share_begin(cfg, share, mode, now);
 *	g_autoptr(GPtrArray) items = flow_first_items(cfg, share, member);
 *	store_share_record(store, share, items, &created, &error);
 *	r = flow_reply(cfg, store, token, senders, decision, reason, now, &e);
 *	flow_tick(cfg, store, now, &reminded, &expired, &error);
 *
 * DESCRIPTION
 *	The conversation module: it decides, the store records, the outbox
 *	worker renders and sends. Free of libmilter and libcurl; every input
 *	is a fact (a new share from the milter, a reply to intro+TOKEN@ from
 *	the milter, the time from the worker or "passalong tick").
 *
 *	States: a share in mode "ask" starts 'asked' with a token; the
 *	friend's yes makes it 'accepted' and queues the introduction (which
 *	makes it 'introduced' once sent), a no makes it 'declined' and
 *	queues a notice to the member only, silence gets one reminder after
 *	[consent] remind_after and ends 'expired' after expire_after, with a
 *	notice to the member only. A share in mode "direct" starts 'queued'
 *	with its introduction. The requester hears nothing until a yes.
 *	Each transition is one store transaction with the rows it queues;
 *	rows name a template and are rendered when first sent.
 *
 *	flow_share_begin() sets a new share's mode, status, token (128
 *	random bits, base32), asked_at and expires_at. flow_first_items()
 *	gives the rows to record with it: the consent request to the friend
 *	(and a confirmation to the member unless the member turned them
 *	off), or the introduction.
 *
 *	At most one request is open per requester and friend: a share of
 *	the same request to the same friend by another member while one is
 *	asked is merged into it by the store (store_shares_record_merge()),
 *	which queues flow_merged_items() then: a short note to that member
 *	("the friend was already asked; you're credited too"). Members
 *	credited so hear the outcome: a "merged" line of their own on a yes
 *	(rendered after it), the member's kind notice on a no or expiry.
 *
 *	flow_reply() takes a reply to intro+TOKEN@: senders are the
 *	addresses the message comes from (envelope sender, From) as far as
 *	the milter trusts them; only the friend's own address counts.
 *
 *	flow_answer_link() takes the same yes or no from the consent
 *	request's link (/c/TOKEN/yes, web/): the token alone is the
 *	credential (128 random bits, good for this one share), so there is
 *	no sender to check. The transition and the rows are a reply's:
 *	yes queues the introduction, no the member's notice; no reason
 *	goes with a no. It answers FLOW_REPLY_UNKNOWN (no such token, or
 *	not a token's shape: the store is not asked), ACCEPTED, DECLINED,
 *	ANSWERED (decided before: nothing changes and nothing is sent, the
 *	page says so) or EXPIRED (past expires_at, even before a tick made
 *	it 'expired': nothing changes). flow_share_by_link() is the share a
 *	token names (NULL without error when none) and flow_link_state()
 *	what an answer would find (ASKED, ANSWERED or EXPIRED), for pages
 *	that show the question and change nothing.
 *
 *	One friend per share today; a share to a circle will ask several
 *	people, the first yes winning: the answer is already fenced on
 *	'asked', so the later answers find the share decided.
 *
 * OWNERSHIP
 *	Arguments are borrowed; returned arrays are new (transfer full).
 *
 * ERRORS
 *	flow_reply(), flow_answer_link(), flow_share_by_link() and
 *	flow_tick() pass on StoreError (a store failure is
 *	a 451 for the milter, a retry for the worker).
 *
 * THREADS
 *	Reentrant; the Store serialises what it must.
 */
#ifndef PA_FLOW_H
#define PA_FLOW_H

#include <glib.h>

#include "common/config.h"
#include "parser/reply.h"
#include "store/store.h"

#define FLOW_TOKEN_LEN 26       /* 128 bits in base32, no padding */
#define FLOW_MAX_AUTO_REPLIES 3 /* "how to answer"; "answered" goes once */

typedef enum {
	FLOW_REPLY_UNKNOWN,  /* no share has this token */
	FLOW_REPLY_STRANGER, /* not from the friend: refuse it */
	FLOW_REPLY_ACCEPTED, /* yes: the introduction is queued */
	FLOW_REPLY_DECLINED, /* no: the member is told, only the member */
	FLOW_REPLY_UNCLEAR,  /* neither: the friend is told how to answer */
	FLOW_REPLY_ANSWERED, /* decided before: a short note, once */
	FLOW_REPLY_EXPIRED,  /* links only: the request expired */
	FLOW_REPLY_ASKED,    /* links only: still open (flow_link_state) */
} FlowReply;

/* a new token: FLOW_TOKEN_LEN characters of [a-z2-7] and a NUL */
void flow_token_new(char out[FLOW_TOKEN_LEN + 1]);
/* whether s looks like a token (shape only) */
gboolean flow_token_valid(const char *s);

/* the mode a share to friend takes: "+direct" in the address wins,
 * then the member's choice, then [consent] mode */
const char *flow_mode(
    const Config *cfg, const Member *sharer, gboolean direct_address);
void flow_share_begin(
    const Config *cfg, Share *share, const char *mode, gint64 now);
GPtrArray *flow_first_items(
    const Config *cfg, const Share *share, const Member *sharer);
GPtrArray *flow_merged_items(
    const Config *cfg, const Share *share, const Member *sharer);

FlowReply flow_reply(const Config *cfg, Store *store, const char *token,
    const char *const *senders, ReplyDecision decision, const char *reason,
    gint64 now, GError **error);

/* answers by link (web/): the token in /c/TOKEN is the credential */
Share *flow_share_by_link(Store *store, const char *token, GError **error);
FlowReply flow_link_state(const Share *share, gint64 now);
FlowReply flow_answer_link(const Config *cfg, Store *store, const char *token,
    gboolean yes, gint64 now, GError **error);

gboolean flow_tick(const Config *cfg, Store *store, gint64 now, guint *reminded,
    guint *expired, GError **error);

#endif /* PA_FLOW_H */
