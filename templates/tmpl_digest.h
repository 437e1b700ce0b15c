/*
 * tmpl_digest.h - the weekly digest, rendered into one complete message
 *
 * SYNOPSIS
 *	DigestFacts f = { .cfg = cfg, .member_address = ..., ... };
 *	if (!tmpl_digest_is_empty(&f))
 *		mail = tmpl_render_digest(&f, &error);
 *
 * DESCRIPTION
 *	A member's own week, and nobody else's private data: what they
 *	shared (each share's requester, friend, status and outcome), what
 *	was shared with them (introductions made to them as the friend),
 *	what waits for their answer (open consent requests, with the reply
 *	address and, when the web endpoint is configured, the answer link),
 *	outcomes and thank-yous, their balance (given / received / worked
 *	out, all time and this year), the community's top sharers of the
 *	week (only members who allowed their name), and one line with their
 *	own share address and how to use it.
 *
 *	One message, multipart/alternative: a complete text/plain part (72
 *	columns, format=flowed as the other kinds) and a table-based HTML
 *	part (inline styles only, no remote images, no script, 600 px wide,
 *	readable in Outlook's Word renderer and in dark mode). Headers:
 *	From "<cfg->name>" <from_localpart@domain>, To the member, a subject
 *	that says something ("Your week: 3 shared, 1 introduced, 1 waiting
 *	for you"), Message-ID, Date (f->now), List-Id, List-Unsubscribe
 *	(<mailto:f->unsub_address> and, when f->unsub_url is set, the URL,
 *	with List-Unsubscribe-Post: List-Unsubscribe=One-Click),
 *	Auto-Submitted: auto-generated, Precedence: bulk. Re-parsed with
 *	GMime and checked before it is returned, as every kind.
 *
 *	tmpl_digest_is_empty(): nothing to say this week (no share by or
 *	with the member, nothing waiting, no outcome): [digest] skip_empty
 *	sends nothing then.
 *
 * OWNERSHIP
 *	The facts are borrowed; the RenderedMail is new (transfer full).
 *
 * ERRORS
 *	As tmpl.h: TMPL_ERROR_INPUT, TMPL_ERROR_CONFIG, TMPL_ERROR_VERIFY.
 *	TMPL_ERROR_INPUT when the member's address is not safe, the week
 *	is not like "2026-W49", unsub_address is missing or not in the
 *	gateway's domain, share_address or a waiting item's reply_address
 *	is set but not in it, or unsub_url or an answer_url is not a plain
 *	http(s) URL (printable ASCII, no quotes, spaces or angle brackets).
 *	A waiting item without reply_address is shown without the line.
 *	List-Unsubscribe-Post is written only for an https unsub_url (RFC
 *	8058); an http one is listed in List-Unsubscribe alone. Sections
 *	show at most 25 items ("And N more."), the top sharers 10; names
 *	that look like addresses are not shown, subjects and outcomes lose
 *	every word holding '@'.
 *
 * THREADS
 *	Reentrant; g_mime_init() must have been called once.
 */
#ifndef PA_TMPL_DIGEST_H
#define PA_TMPL_DIGEST_H

#include <glib.h>

#include "templates/tmpl.h"

/* One share as the digest shows it. Strings came from mail: untrusted. */
typedef struct {
	gint64 share_id;
	const char *member_name; /* who shared it (shared with you), or NULL */
	const char *member_address; /* who shared it */
	const char *requester_name; /* or NULL */
	const char *requester_org;  /* or NULL */
	const char *friend_name;    /* or NULL */
	const char *friend_address; /* shown only in what the member shared */
	const char *subject;        /* the request's subject, or NULL */
	const char *status;  /* queued, asked, accepted, declined, expired,
				introduced, failed */
	const char *outcome; /* or NULL: none recorded */
	const char *reply_address; /* waiting: intro+TOKEN@domain, or NULL */
	const char *answer_url;    /* waiting: <base_url>/c/TOKEN, or NULL */
	gint64 when;               /* created, or decided, this week */
} DigestItem;

/* One of the week's top sharers (public_credit members only). */
typedef struct {
	const char *name; /* the member's name, or their handle */
	gint64 shares;
} DigestSharer;

typedef struct {
	gint64 given;      /* shares made */
	gint64 received;   /* introductions made to the member */
	gint64 worked_out; /* outcomes recorded as worked out */
} DigestBalance;

typedef struct {
	const Config *cfg;          /* domain, from_localpart, name */
	const char *member_address; /* the one recipient */
	const char *member_name;    /* or NULL */
	const char *share_address;  /* share+HANDLE@domain, or NULL */
	const char *week;           /* ISO week, "2026-W49" */
	gint64 week_start;          /* its Monday 00:00 in the member's zone */
	const char *unsub_address;  /* unsubscribe+TOKEN@domain */
	const char *unsub_url;      /* <base_url>/u/TOKEN, or NULL */
	GPtrArray *shared_by;       /* of DigestItem *: the member's shares */
	GPtrArray *shared_with;     /* of DigestItem *: introduced to them */
	GPtrArray *waiting;         /* of DigestItem *: asked of them, open */
	GPtrArray *outcomes;        /* of DigestItem *: outcomes, thank-yous */
	DigestBalance all_time;
	DigestBalance this_year;
	GPtrArray *top; /* of DigestSharer *, most shares first, or NULL */
	gint64 now;     /* Date: */
} DigestFacts;

gboolean tmpl_digest_is_empty(const DigestFacts *f);
/* the subject, decoded (new string) */
char *tmpl_digest_subject(const DigestFacts *f);
RenderedMail *tmpl_render_digest(const DigestFacts *f, GError **error);

#endif /* PA_TMPL_DIGEST_H */
