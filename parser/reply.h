/*
 * reply.h - read a friend's answer to a consent request: yes, no, or
 *	neither (pure: a message or text in, a verdict out; no I/O, no
 *	globals)
 *
 * SYNOPSIS
 *	#include "parser/reply.h"
 *
 *	g_autoptr(ReplyVerdict) v = reply_decide(msg, &error);
 *	if (v->decision == REPLY_NO && v->reason != NULL)
 *		tell_member(v->reason);
 *	g_autoptr(ReplyVerdict) t = reply_decide_text("Oui avec plaisir",
 *	    FALSE);   // REPLY_YES, reason NULL
 *
 * DESCRIPTION
 *	reply_decide() reads the body as a person reads it: the first
 *	inline text/plain part (in a multipart/alternative, the plain
 *	alternative), else the first text/html part made text by the
 *	parser's HTML reader; attachments are never read.
 *	reply_decide_text() does the same for a body already decoded.
 *
 *	The first meaningful line decides. Skipped before it: blank and
 *	quoted ("> ") lines, attributions ("On ... wrote:" in every
 *	language the parser's tables know) and the header blocks and
 *	separators of quoted messages when their text below is quoted
 *	(bottom-posting), salutation lines ("Hi Chris,", "Chris,",
 *	"Chrisさん") and thanks-only lines ("Thanks!"). Reading stops at a
 *	signature ("-- "), a client footer ("Sent from my iPhone", "Get
 *	Outlook for iOS"), or a quoted message whose text is not quoted
 *	(Outlook's "From: ... Sent: ..." block, "-----Original
 *	Message-----", an HTML reply container).
 *
 *	The leading word(s) of that line decide, never a word further on:
 *	yes or no in en, fr, de, es, pt, it, nl, sv, pl, ru, ja, zh, ko,
 *	compared without case, accents, punctuation or emoji, full-width
 *	forms folded; the longest phrase wins ("no problem" is a yes). A
 *	yes directly followed in the same sentence by a no, by "or no", or
 *	by "but not" is neither. A line that says neither is
 *	REPLY_UNCLEAR. The rules, with examples, are
 *	tests/fixtures/replies/README.md.
 *
 *	reason is the friend's own words after the deciding phrase (and
 *	any phrases that only repeat it, or thank) on that line and on the
 *	lines below it up to the quote, the signature or a closing line
 *	("Best,"), cleaned (util_text_clean()), at most REPLY_MAX_REASON
 *	bytes; NULL when there are none and always when UNCLEAR.
 *	first_line is the deciding line as written, one line, at most
 *	REPLY_MAX_FIRST_LINE bytes; NULL when the body has no meaningful
 *	line at all.
 *
 *	Bounded: at most REPLY_MAX_TEXT bytes of text (REPLY_MAX_HTML of
 *	HTML) and REPLY_MAX_LINES lines are looked at.
 *
 * OWNERSHIP
 *	The verdict and its strings belong to the caller (transfer full);
 *	reply_verdict_free() accepts NULL. msg and text are borrowed.
 *
 * ERRORS
 *	reply_decide(): PARSER_ERROR_LIMIT when the message has more than
 *	PARSER_MAX_HEADERS header fields. A message without any text body
 *	is not an error: REPLY_UNCLEAR. reply_decide_text() never fails;
 *	NULL text is UNCLEAR.
 *
 * THREADS
 *	Reentrant; the word tables are const. g_mime_init() must have
 *	been called once before reply_decide().
 */
#ifndef PA_REPLY_H
#define PA_REPLY_H

#include <gmime/gmime.h>

#define REPLY_MAX_REASON 1000        /* bytes of reason */
#define REPLY_MAX_FIRST_LINE 200     /* bytes of first_line */
#define REPLY_MAX_TEXT (64 * 1024)   /* bytes of text read */
#define REPLY_MAX_HTML (1024 * 1024) /* bytes of HTML made text */
#define REPLY_MAX_LINES 400          /* lines read */

typedef enum {
	REPLY_UNCLEAR = 0,
	REPLY_YES,
	REPLY_NO,
} ReplyDecision;

typedef struct {
	ReplyDecision decision;
	char *reason;     /* the friend's words after the yes/no, or NULL */
	char *first_line; /* the deciding line, for logs, or NULL */
} ReplyVerdict;

ReplyVerdict *reply_decide(GMimeMessage *msg, GError **error);
ReplyVerdict *reply_decide_text(const char *text, gboolean is_html);
const char *reply_decision_name(ReplyDecision d); /* "yes" ... */
void reply_verdict_free(ReplyVerdict *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ReplyVerdict, reply_verdict_free)

#endif /* PA_REPLY_H */
