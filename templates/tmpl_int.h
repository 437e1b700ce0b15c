/*
 * tmpl_int.h - what the parts of templates/ share; not for other modules
 *
 * SYNOPSIS
 *	g_autoptr(IntroFields) f = intro_fields_new(ctx, &error);
 *	char *text = intro_text(f);
 *	char *html = intro_html(f);
 *	GMimeMessage *msg = intro_message_build(f, text, html, id);
 *	GBytes *bytes = tmpl_serialize(GMIME_OBJECT(msg));
 *	ok = tmpl_verify(bytes, &expect, &error);
 *
 * DESCRIPTION
 *	IntroFields holds every value an introduction shows, already
 *	cleaned: names and the topic by util_header_safe() (one line, no
 *	controls), the note and the body by util_text_clean(); addresses
 *	checked by addr_is_safe(). A *_label is the name, or the address
 *	when there is no name; a *_name is NULL when there is none.
 *
 *	tmpl_quote_lines() splits text into lines and keeps at most
 *	max_lines lines and max_bytes bytes (cut on a character boundary),
 *	setting *shortened when anything was left out.
 *
 *	tmpl_cut_chars() keeps at most max characters of s, the last one
 *	an ellipsis ("…") when it cut. tmpl_date_text() writes an
 *	RFC 3339 date as "27 October 2021" whatever the locale, or returns
 *	the raw date cleaned, or NULL.
 *
 *	tmpl_set_subject() sets a message's Subject folded by
 *	rfc2047_encode_text(), which every reader reads back whole (GMime's
 *	own encoding it cannot read back whole itself: common/rfc2047.h).
 *
 *	tmpl_serialize() writes a message with CRLF line ends.
 *	tmpl_text_part() makes a text/SUBTYPE part of UTF-8 text (transfer
 *	full), quoted-printable when a byte is not ASCII or a line is long.
 *	tmpl_verify() parses the bytes back and checks them against
 *	TmplExpect: one From with the expected address, To and Cc holding
 *	exactly the expected recipients, no Bcc, Auto-Submitted present,
 *	every line CRLF-terminated and at most 998 octets, no CR or LF in
 *	a decoded header value, the Subject read by rfc2047_decode() equal
 *	to the expected one, a multipart/alternative with text/plain and
 *	text/html.
 *
 * OWNERSHIP
 *	Returned objects and strings are new (transfer full); arguments
 *	are borrowed. intro_fields_free() accepts NULL.
 *
 * ERRORS
 *	intro_fields_new(): TMPL_ERROR_INPUT. tmpl_verify():
 *	TMPL_ERROR_VERIFY, naming the first check that failed.
 *
 * THREADS
 *	Reentrant.
 */
#ifndef PA_TMPL_INT_H
#define PA_TMPL_INT_H

#include <gmime/gmime.h>

#include "templates/tmpl.h"

#define TMPL_NAME_MAX 80       /* characters of a display name */
#define TMPL_SUBJECT_MAX 200   /* characters of a subject */
#define TMPL_QUOTE_LINES 200   /* lines of the quoted opportunity */
#define TMPL_QUOTE_BYTES 20480 /* bytes of the quoted opportunity */
#define TMPL_NOTE_LINES 100    /* lines of the member's note */
#define TMPL_NOTE_BYTES 8192   /* bytes of the member's note */
#define TMPL_SHORTENED "[\xe2\x80\xa6 shortened]"

typedef struct {
	char *product;      /* cfg->name, cleaned */
	char *from_address; /* from_localpart@domain */
	char *from_display; /* "<member> via <product>" */
	char *domain;       /* the gateway's domain, for the Message-ID */
	char *member_address;
	char *member_name;  /* or NULL */
	char *member_label; /* name or address */
	char *friend_address;
	char *friend_name;
	char *friend_label;
	char *requester_address;
	char *requester_name;
	char *requester_label;
	GPtrArray *passers; /* of char *: labels of who passed it on,
			       nearest the requester first; never NULL */
	char *topic;        /* the original subject, or NULL */
	char *date;         /* "27 October 2021", the raw date, or NULL */
	char *note;         /* the member's words, or NULL */
	char *body;         /* the opportunity, or NULL */
	char *subject;      /* the introduction's subject */
	char *in_reply_to;  /* a message id without <>, or NULL */
	char *references;   /* "<a> <b>", or NULL */
	gboolean cc_member; /* FALSE when the member is already in To */
	gint64 now;         /* Date: */
} IntroFields;

typedef struct {
	const char *from;       /* the one From address */
	const char *const *to;  /* NULL-terminated */
	const char *const *cc;  /* NULL-terminated, may be empty */
	const char *subject;    /* the decoded subject */
	const char *message_id; /* without <> */
} TmplExpect;

IntroFields *intro_fields_new(const IntroContext *ctx, GError **error);
void intro_fields_free(IntroFields *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IntroFields, intro_fields_free)

char *intro_text(const IntroFields *f);
char *intro_html(const IntroFields *f);
GMimeMessage *intro_message_build(const IntroFields *f, const char *text,
    const char *html, const char *message_id);

GPtrArray *tmpl_quote_lines(
    const char *text, guint max_lines, gsize max_bytes, gboolean *shortened);
char *tmpl_cut_chars(const char *s, glong max);
char *tmpl_date_text(const char *rfc3339, const char *raw);
void tmpl_set_subject(GMimeMessage *msg, const char *subject);
GMimeTextPart *tmpl_text_part(const char *subtype, const char *text);
GBytes *tmpl_serialize(GMimeObject *object);
gboolean tmpl_verify(GBytes *message, const TmplExpect *expect, GError **error);

#endif /* PA_TMPL_INT_H */
