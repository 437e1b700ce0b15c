/*
 * tmpl.h - the mail passalong writes, rendered into complete messages
 *
 * SYNOPSIS
 *	IntroContext ctx = { .cfg = cfg, .member_address = ..., ... };
 *	g_autoptr(RenderedMail) mail = tmpl_render_intro(&ctx, &error);
 *	// mail->message holds the RFC 5322 bytes, already re-parsed
 *	ShareFacts f = { .cfg = cfg, .share_id = id, ... };
 *	g_autoptr(RenderedMail) m = tmpl_render_share("consent", &f, &error);
 *
 * DESCRIPTION
 *	tmpl_render_intro() writes the warm introduction: From
 *	"<member name> via <cfg->name>" <from_localpart@domain> (DMARC-safe:
 *	never the member's or the requester's domain), To the friend and the
 *	requester, Cc the member with a "feel free to move me to Bcc" line,
 *	Reply-To the friend and the requester, a subject naming both people
 *	and the topic, the member's note as the endorsement, the opportunity
 *	quoted (from ctx->request, the message the requester wrote, when
 *	the member forwarded a forward: the people in ctx->passed_by are
 *	named in a "passed this to" line and not mailed);
 *	multipart/alternative text/plain + text/html; Message-ID,
 *	Date, Auto-Submitted: auto-generated, In-Reply-To/References to the
 *	forwarded message's Message-ID when known.
 *
 *	tmpl_render_notice() writes the notice (kind "notice") that tells
 *	a member which addresses of mail sent because of their share were
 *	refused for good, with the server's reply cleaned to one bounded
 *	line: From <cfg->name> <from_localpart@domain>, To the member,
 *	"Not delivered: <subject>", Auto-Submitted: auto-generated.
 *
 *	tmpl_render_share() writes the mail of one of the kinds listed above
 *	ShareFacts (the outbox worker's call). From "<member name> via
 *	<cfg->name>" <from_localpart@domain> for what the friend reads, From
 *	"<cfg->name>" for what only the member reads; Reply-To f->reply_address
 *	(intro+TOKEN@domain) on "consent", "reminder" and "unclear", the friend
 *	and the requester on "intro"; In-Reply-To/References
 *	f->origin_message_id on "intro"; Auto-Submitted, Date f->now. The
 *	text/plain alternative is format=flowed (RFC 3676, DelSp=yes), at
 *	most 72 columns and 76 octets a line; the HTML one a single column.
 *	People are greeted by first name ("Hello," when none is known),
 *	subjects hold no address. Before a yes the friend never reads the
 *	requester's address (withheld from the note, the excerpt and the
 *	subject too, and checked); f->reason reaches the member's "declined"
 *	only. The Message-ID and the MIME boundary are digests of the kind,
 *	the share, the people and f->now: the same facts give the same bytes.
 *	The words are in templates/tmpl_words.c; one rendering of each kind
 *	is in tests/fixtures/templates/.
 *
 *	Every field taken from mail is untrusted. Fields are escaped by
 *	context: HTML-escaped in the HTML part; in header values CR/LF and
 *	controls removed (util_header_safe()) and non-ASCII encoded by RFC
 *	2047 (common/rfc2047.c, in words every reader, GMime 3.2.13 included,
 *	reads back whole); addresses checked by addr_is_safe(). The rendered
 *	bytes are parsed back with GMime and checked (one From, the expected
 *	recipients, no header over 998 octets, Auto-Submitted present) before
 *	they are returned; a message that fails the check is an error,
 *	never queued.
 *
 * OWNERSHIP
 *	The context is borrowed; the RenderedMail is new (transfer full),
 *	rendered_mail_free() accepts NULL.
 *
 * ERRORS
 *	TMPL_ERROR_INPUT: a required field is missing or an address is not
 *	safe; tmpl_render_share(): an unknown kind, no reply address in the
 *	gateway's domain for a kind that needs one. TMPL_ERROR_CONFIG: the gateway's own settings (domain,
 *	from_localpart) make no safe From: the operator's mistake, not the
 *	mail's. TMPL_ERROR_VERIFY: the re-parse check failed.
 *
 * THREADS
 *	Reentrant; g_mime_init() must have been called once.
 */
#ifndef PA_TMPL_H
#define PA_TMPL_H

#include <glib.h>

#include "common/config.h"
#include "parser/parser.h"

#define TMPL_ERROR (tmpl_error_quark())
GQuark tmpl_error_quark(void);
typedef enum {
	TMPL_ERROR_INPUT,
	TMPL_ERROR_VERIFY,
	TMPL_ERROR_CONFIG,
} TmplError;

typedef struct {
	const Config *cfg;              /* domain, from_localpart, name */
	const char *member_address;     /* the sharer */
	const char *member_name;        /* or NULL: the address is used */
	const char *friend_address;     /* the recipient of the share */
	const char *friend_name;        /* or NULL */
	const char *requester_address;  /* who asked */
	const char *requester_name;     /* or NULL */
	const Forward *fwd;             /* note, original subject/body/date */
	const FwdMessage *request;      /* the layer the requester wrote
					   (subject, date, body), or NULL:
					   fwd->original */
	const GPtrArray *passed_by;     /* of FwdAddress *: who passed the
					   request on before the member,
					   nearest the requester first,
					   named and never mailed; or NULL */
	const char *forward_message_id; /* the member's forward, or NULL */
	gint64 now;                     /* Date:, seconds since the epoch */
} IntroContext;

typedef struct {
	char *kind;       /* "intro" ... as in the outbox */
	char *mail_from;  /* envelope sender: from_localpart@domain */
	GPtrArray *rcpts; /* of char *: envelope recipients, no duplicates */
	char *subject;    /* the subject, decoded, for listings */
	char *message_id; /* without <> */
	GBytes *message;  /* the complete message, CRLF line ends */
} RenderedMail;

/* One address the relay refused for good, and what it said. */
typedef struct {
	const char *address;
	const char *reason; /* the server's reply (cleaned again), or NULL */
} NoticeFailure;

typedef struct {
	const Config *cfg;          /* domain, from_localpart, name */
	const char *member_address; /* the one recipient */
	const char *subject;        /* of the mail that failed, or NULL */
	GPtrArray *failures;        /* of NoticeFailure *, at least one */
	gint64 now;                 /* Date: */
} NoticeContext;

/*
 * What the store keeps of a share: enough to write every mail about it
 * later, in the outbox worker (the milter records facts, the worker
 * renders; issue 10). Every string came from mail at some remove and is
 * untrusted, though cleaned once when it was recorded. The kinds
 * tmpl_render_share() writes, and to whom:
 *	"consent"      the friend: may I introduce you? (reply_address)
 *	"reminder"     the friend: the same question, once, later
 *	"intro"        the friend and the requester, the member in Cc
 *	"confirmation" the member: "Asked Jane ..." when recorded
 *	"declined"     the member only: the friend passed (reason, if any)
 *	"expired"      the member only: no answer in time
 *	"unclear"      the friend: how to answer (neither yes nor no)
 *	"answered"     the friend: this was answered already
 */
typedef struct {
	const Config *cfg; /* domain, from_localpart, name */
	gint64 share_id;
	const char *member_address;
	const char *member_name; /* or NULL */
	const char *friend_address;
	const char *friend_name; /* or NULL */
	const char *requester_address;
	const char *requester_name;    /* or NULL */
	const char *requester_org;     /* or NULL */
	const char *subject;           /* the request's subject, or NULL */
	const char *note;              /* the member's words, or NULL */
	const char *request_text;      /* what the requester wrote, plain
					   text, at most 4 KB, or NULL */
	gint64 request_date;           /* 0: unknown */
	const char *passed_by;         /* who passed it on before the
					   member ("Ann Lee, Bob Ray"), or
					   NULL */
	const char *origin_message_id; /* the forward's, without <>, or
					   NULL */
	const char *reply_address;     /* consent, reminder, unclear:
					   intro+TOKEN@domain */
	const char *answer_url;        /* consent, reminder: the answer
					   page, <base_url>/c/TOKEN, or NULL
					   (no [web] base_url) */
	const char *reason;            /* declined: the friend's words */
	gboolean consented;            /* intro, confirmation: the friend
					   said yes first */
	gint64 now;                    /* Date:, seconds since the epoch */
	gint64 outbox_id;              /* the row it is sent as, or 0: part
					   of the Message-ID, so that two rows
					   rendered alike are two messages */
} ShareFacts;

RenderedMail *tmpl_render_intro(const IntroContext *ctx, GError **error);
RenderedMail *tmpl_render_notice(const NoticeContext *ctx, GError **error);
RenderedMail *tmpl_render_share(
    const char *kind, const ShareFacts *f, GError **error);
void rendered_mail_free(RenderedMail *mail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RenderedMail, rendered_mail_free)

#endif /* PA_TMPL_H */
