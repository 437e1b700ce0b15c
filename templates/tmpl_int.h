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
 *	ShareFields is the same for the mail about a share (tmpl_share.c):
 *	share_blocks() and share_subject() write its words (tmpl_words.c).
 *	DigestView is the weekly digest's (tmpl_digest.c): digest_blocks()
 *	and digest_html() write it (tmpl_digest_look.c).
 *
 *	Blocks (tmpl_blocks.c) are the words of a message once, rendered as
 *	HTML by tmpl_blocks_html() and as format=flowed text by
 *	tmpl_blocks_flowed() (tmpl_flowed.c, with tmpl_excerpt(), the opening
 *	words of a request, and tmpl_first_name(), the name to greet by).
 *	tmpl_message_build() builds any kind from TmplHeaders.
 *	tmpl_check_gateway(), tmpl_check_date() and tmpl_check_person() are
 *	the input checks every kind shares; tmpl_find_address() finds an
 *	address as a whole word (no case).
 *
 *	tmpl_display_name() is a cleaned display name, NULL when there is
 *	none or it looks like an address; tmpl_no_addresses() one line
 *	with every word holding '@' left out, NULL when nothing is left.
 *	tmpl_append_escaped() appends text escaped for HTML ("\n" as
 *	<br>, &#39; for the apostrophe HTML 4 readers know).
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
 *	text/html; when asked, Reply-To exactly as expected, the text
 *	format=flowed with no line over 78 octets and no '@' in the
 *	Subject, and one address found nowhere; for bulk mail (the
 *	digest) List-Id, List-Unsubscribe, List-Unsubscribe-Post and
 *	Precedence: bulk exactly as expected and no <script> in the HTML.
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

#include "common/rfc2047.h"
#include "templates/tmpl.h"

#define TMPL_NAME_MAX 80       /* characters of a display name */
#define TMPL_SUBJECT_MAX 200   /* characters of a subject */
#define TMPL_QUOTE_LINES 200   /* lines of the quoted opportunity */
#define TMPL_QUOTE_BYTES 20480 /* bytes of the quoted opportunity */
#define TMPL_NOTE_LINES 100    /* lines of the member's note */
#define TMPL_NOTE_BYTES 8192   /* bytes of the member's note */
#define TMPL_SHORTENED "[\xe2\x80\xa6 shortened]"
#define TMPL_DASH "\xe2\x80\x94"
#define TMPL_LQUOTE "\xe2\x80\x9c"
#define TMPL_RQUOTE "\xe2\x80\x9d"
#define TMPL_FLOWED_COLUMNS 72 /* columns of a flowed line, space included */
#define TMPL_FLOWED_OCTETS 76  /* and octets, whatever the script */

typedef enum {
	BLOCK_PARA,  /* a paragraph; "\n" breaks lines */
	BLOCK_NOTE,  /* the member's own words */
	BLOCK_QUOTE, /* the opportunity, quoted */
	BLOCK_RULE,  /* a separator */
	BLOCK_SIG,   /* the signature, after "-- " */
	BLOCK_LINK,  /* a line of words and a link (url) on its own line */
} BlockKind;

typedef struct {
	BlockKind kind;
	char *text;       /* BLOCK_PARA, BLOCK_SIG, BLOCK_LINK */
	char *url;        /* BLOCK_LINK: a checked http(s) URL */
	GPtrArray *lines; /* BLOCK_NOTE, BLOCK_QUOTE */
} Block;

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

/* What a share's mail shows, cleaned (tmpl_share.c); names NULL when
 * none is known or one looks like an address. */
typedef struct {
	const char *kind;    /* one of tmpl.h's kinds (static) */
	char *product;       /* cfg->name, cleaned, no '@' */
	char *from_address;  /* from_localpart@domain */
	char *domain;        /* the gateway's */
	char *help;          /* postmaster@domain */
	char *share_example; /* share+someone@domain */
	char *member_address;
	char *member_name;
	char *member_first;
	char *friend_address;
	char *friend_name;
	char *friend_first;
	char *requester_address;
	char *requester_name;
	char *requester_first;
	char *requester_org;
	char *topic;         /* the request's subject, no address, or NULL */
	char *note;          /* the member's words, or NULL */
	char *excerpt;       /* the request's opening, one line, or NULL */
	char *request;       /* the request, whole (intro only), or NULL */
	char *date;          /* when the request was written, or NULL */
	char *passed_by;     /* one line, or NULL */
	char *reply_address; /* intro+TOKEN@domain, or NULL */
	char *answer_url;    /* consent, reminder: <base_url>/c/TOKEN, or
				NULL */
	char *reason;        /* declined: the friend's words, or NULL */
	char *in_reply_to;   /* without <>, or NULL */
	char *subject;
	gboolean consented;
	gint64 share_id;
	gint64 outbox_id; /* 0: none */
	gint64 now;
} ShareFields;

typedef struct {
	const char *from;            /* the one From address */
	const char *const *to;       /* NULL-terminated */
	const char *const *cc;       /* NULL-terminated, may be empty */
	const char *subject;         /* the decoded subject */
	const char *message_id;      /* without <> */
	const char *const *reply_to; /* NULL-terminated, or NULL: unchecked */
	const char *absent;  /* found nowhere in the headers or the decoded
				parts (no case), or NULL */
	gboolean flowed;     /* text/plain format=flowed, every line of it
				at most 78 octets, no '@' in the Subject */
	const char *list_id; /* bulk mail (the digest): List-Id exactly
				this (unfolded), with List-Unsubscribe
				and Precedence: bulk, no <script> in
				the HTML; NULL: no List-* checked */
	const char *list_unsubscribe; /* unfolded */
	gboolean one_click; /* List-Unsubscribe-Post: One-Click, once */
} TmplExpect;

/* The digest as it is shown (tmpl_digest.c builds it, cleaned;
 * tmpl_digest_look.c writes it). */
typedef struct {
	char *title;  /* who: one line */
	char *topic;  /* the request's subject, or NULL */
	char *detail; /* status and outcome, or NULL */
	char *reply;  /* intro+TOKEN@domain, or NULL */
	char *link;   /* the answer page, or NULL */
} DigestEntry;

typedef struct {
	const char *heading; /* static */
	GPtrArray *entries;  /* of DigestEntry * */
	gboolean compact;    /* one line an entry: "title: detail" */
	guint more;          /* entries left out */
} DigestSection;

typedef struct {
	char *product;      /* cfg->name, cleaned, no '@' */
	char *from_address; /* from_localpart@domain */
	char *domain;
	char *help; /* postmaster@domain */
	char *member_address;
	char *member_name;   /* or NULL */
	char *member_first;  /* or NULL */
	char *week;          /* "2026-W49" */
	char *week_of;       /* "30 November 2026", or NULL */
	char *share_address; /* or NULL */
	char *share_example; /* share+NAME@domain */
	char *unsub_address;
	char *unsub_url;    /* or NULL */
	gboolean one_click; /* the URL is https */
	char *subject;
	GPtrArray *sections; /* of DigestSection * */
	gint64 now;
} DigestView;

GPtrArray *digest_blocks(const DigestView *v);
char *digest_html(const DigestView *v);

/* The header fields of one message, for tmpl_message_build(). */
typedef struct {
	const char *kind; /* X-Passalong-Kind */
	Rfc2047Mailbox from;
	const Rfc2047Mailbox *to;
	gsize n_to;
	const Rfc2047Mailbox *cc;
	gsize n_cc;
	const Rfc2047Mailbox *reply_to;
	gsize n_reply_to;
	const char *subject;
	const char *in_reply_to; /* without <>, or NULL */
	const char *references;  /* "<a> <b>", or NULL */
	const char *boundary;    /* of the multipart, or NULL: random */
	gboolean flowed;         /* text/plain; format=flowed; delsp=yes */
	gint64 now;
} TmplHeaders;

void share_fields_free(ShareFields *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShareFields, share_fields_free)
GPtrArray *share_blocks(const ShareFields *f);
char *share_subject(const ShareFields *f);
const char *tmpl_find_address(const char *text, const char *addr);
char *tmpl_no_addresses(const char *line);
char *tmpl_display_name(const char *name);
void tmpl_append_escaped(GString *s, const char *text);

IntroFields *intro_fields_new(const IntroContext *ctx, GError **error);
void intro_fields_free(IntroFields *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IntroFields, intro_fields_free)

char *intro_text(const IntroFields *f);
char *intro_html(const IntroFields *f);
GMimeMessage *intro_message_build(const IntroFields *f, const char *text,
    const char *html, const char *message_id);

GPtrArray *tmpl_blocks_new(void);
void tmpl_add_block(GPtrArray *blocks, BlockKind kind, const char *text);
G_GNUC_PRINTF(2, 3)
void tmpl_add_para(GPtrArray *blocks, const char *fmt, ...);
/* a BLOCK_LINK: text and url (borrowed); nothing when !tmpl_url_ok(url) */
void tmpl_add_link(GPtrArray *blocks, const char *text, const char *url);
/* whether url is http(s)://HOST..., at most TMPL_FLOWED_COLUMNS long,
 * with nothing that would end an attribute or a line */
gboolean tmpl_url_ok(const char *url);
void tmpl_add_lines(GPtrArray *blocks, BlockKind kind, GPtrArray *lines);
char *tmpl_blocks_html(const GPtrArray *blocks, const char *title);
char *tmpl_blocks_flowed(const GPtrArray *blocks);
char *tmpl_excerpt(const char *text, glong max_chars);
char *tmpl_first_name(const char *name);
GMimeMessage *tmpl_message_build(const TmplHeaders *h, const char *text,
    const char *html, const char *message_id);

GPtrArray *tmpl_quote_lines(
    const char *text, guint max_lines, gsize max_bytes, gboolean *shortened);
char *tmpl_cut_chars(const char *s, glong max);
char *tmpl_date_text(const char *rfc3339, const char *raw);
char *tmpl_date_unix(gint64 seconds);
char *tmpl_clean_line(const char *text, gsize max_chars);
char *tmpl_clean_text(const char *text);
char *tmpl_clean_msgid(const char *id);
gboolean tmpl_check_gateway(const Config *cfg, GError **error);
gboolean tmpl_check_date(gint64 now, const char *what, GError **error);
gboolean tmpl_check_person(
    const Config *cfg, const char *who, const char *addr, GError **error);
void tmpl_set_subject(GMimeMessage *msg, const char *subject);
GMimeTextPart *tmpl_text_part(const char *subtype, const char *text);
GBytes *tmpl_serialize(GMimeObject *object);
gboolean tmpl_verify(GBytes *message, const TmplExpect *expect, GError **error);

#endif /* PA_TMPL_INT_H */
