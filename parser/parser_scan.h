/*
 * parser_scan.h - the forward finder's own parts: text lines, label
 *	tables, header blocks, mailboxes, MIME text (private to parser/)
 *
 * SYNOPSIS
 *	g_autofree char *text = parser_text_prepare(raw, len);
 *	Lines *ls = parser_lines_new(text);
 *	FieldKind f;
 *	gsize n = parser_field_label(s, len, FALSE, &f); // "From: " -> 6
 *	GPtrArray *to = parser_mailbox_list("A <a@x>, b@y", -1);
 *	ParseCtx ctx = { .subject = "Fwd: hi" };
 *	parser_inline_find(text, strlen(text), NULL, &ctx, FALSE, &note,
 *	    &original);
 *
 * DESCRIPTION
 *	The forward finder works on prepared text: valid UTF-8, LF line
 *	ends, no byte order marks or invisible characters, no-break spaces
 *	made plain spaces (parser_text_prepare()); only the zero-width
 *	(non-)joiner stays between two letters of a script that joins
 *	(Persian "می‌خواهم", Devanagari conjuncts), as it changes the word. Lines carries that text
 *	split into lines, each with its '>' quote depth.
 *
 *	parser_labels.c holds every language-dependent word as data:
 *	header labels (parser_field_label()), separator lines
 *	(parser_separator(), its phrases by parser_phrase_longest()),
 *	subject prefixes (parser_subject_kind()) and "On ... wrote:"
 *	attribution lines (parser_attribution()). Labels and separator
 *	phrases of every locale are tries generated from the clients'
 *	localisation data (parser/labels/gen.py). All matching is by
 *	hand-written scanners, linear in the line; no regular expressions
 *	touch message text.
 *
 *	parser_block.c reads a header block (one "Label: value" per line,
 *	wrapped lines rejoined, or Yahoo's labels run together on one line)
 *	and turns it into a FwdMessage. parser_addr.c reads mailbox lists
 *	as mail clients print them. parser_inline.c finds the forward in
 *	text and decides, with the member's subject, between a forward and
 *	a reply. parser_notes.c reads Lotus Notes' "Forwarded by" layout
 *	(no "From:" label: a sender line, then To/cc/Subject).
 *	parser_mime.c reads GMime parts into prepared text.
 *
 * OWNERSHIP
 *	Functions returning char * or a new struct hand ownership to the
 *	caller (transfer full); arguments are borrowed. Lines keeps its own
 *	copy of the text.
 *
 * ERRORS
 *	None: NULL, 0 or FALSE mean "not found".
 *
 * THREADS
 *	Reentrant; the tables are const.
 */
#ifndef PA_PARSER_SCAN_H
#define PA_PARSER_SCAN_H

#include "parser/parser.h"

#define PARSER_MAX_DEPTH 32             /* MIME nesting we walk */
#define PARSER_MAX_PARTS 512            /* MIME parts we look at */
#define PARSER_MAX_HEADERS 1000         /* header fields of the message */
#define PARSER_MAX_CHAIN 16             /* nested forwarded layers */
#define SCAN_MAX_BLOCK_LINES 40         /* lines of one header block */
#define SCAN_MAX_MARKER_LINE 16384      /* longer lines are never markers */
#define SCAN_MAX_MAILBOXES 500          /* per address list */
#define SCAN_MAX_CHAIN_BYTES (8u << 20) /* text copied into chain bodies */

typedef enum {
	FIELD_NONE,
	FIELD_FROM,
	FIELD_TO,
	FIELD_CC,
	FIELD_BCC,
	FIELD_REPLY_TO,
	FIELD_SUBJECT,
	FIELD_DATE,
	FIELD_OTHER,
	FIELD_COUNT
} FieldKind;

typedef enum {
	SEP_NONE,
	SEP_FORWARD, /* "---- Forwarded message ----", "Begin forwarded message:" */
	SEP_ORIGINAL, /* "-----Original Message-----": replies use it too */
	SEP_UNKNOWN,  /* "---- <words we do not know> ----" */
	SEP_RULE,     /* "________________" (Outlook) */
	SEP_MUTT,     /* "----- Forwarded message from WHO -----" */
	SEP_MUTT_END, /* "----- End forwarded message -----" */
} SepKind;

typedef enum {
	PHRASE_FORWARD,  /* "Forwarded Message", "Begin forwarded message" */
	PHRASE_ORIGINAL, /* "Original Message" */
} PhraseKind;

typedef enum {
	SUBJECT_PLAIN,
	SUBJECT_FORWARD,
	SUBJECT_REPLY,
} SubjectKind;

typedef struct {
	SepKind kind;
	gsize rest; /* offset of text after the separator (Yahoo), or 0 */
	gsize who;  /* SEP_MUTT: offset and length of WHO */
	gsize who_len;
} SepMatch;

typedef struct {
	const char *s; /* the line, without its LF */
	gsize len;
	guint depth; /* '>' quote levels */
	gsize qlen;  /* bytes of those quote markers (each with one space) */
} Line;

typedef struct {
	char *text;
	Line *v;
	guint n;
} Lines;

typedef struct {
	char *value[FIELD_COUNT]; /* first value of each field, one line */
	guint seen;               /* bit per FieldKind */
	guint start, end;         /* lines [start, end) */
	guint depth;
} Block;

typedef struct {
	const char *subject; /* the Subject of the message holding the text */
	int offset_min;      /* its Date: offset, minutes east of UTC */
	gboolean have_offset;
} ParseCtx;

/* parser_lines.c */
char *parser_text_prepare(const char *raw, gssize len);
char *parser_header_clean(const char *text);
Lines *parser_lines_new(const char *text);
Lines *parser_lines_new_len(const char *text, gsize len);
void parser_lines_free(Lines *ls);
const char *parser_line_content(const Line *l, gsize *len);
gboolean parser_line_blank(const Line *l);
gboolean parser_has_clock(const char *s, gsize len);
gboolean parser_line_signature(const Line *l);
char *parser_lines_body(const Lines *ls, guint from, guint to, guint depth);
char *parser_lines_note(const Lines *ls, guint to);
char *parser_lines_note_range(const Lines *ls, guint from, guint to);
char *parser_text_body(const char *text);
char *parser_text_trim(const char *s, gsize len);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Lines, parser_lines_free)

/* parser_labels.c, parser_separator.c, parser_subject.c, parser_attrib.c */
gsize parser_field_label(
    const char *s, gsize len, gboolean lax, FieldKind *field);
SepMatch parser_separator(const char *s, gsize len);
gsize parser_phrase_longest(PhraseKind kind, const char *s, gsize len);
SubjectKind parser_subject_kind(const char *subject, const char **rest);
gboolean parser_attribution(const char *s, gsize len, char **date, char **who);
gsize parser_prefix_ci(const char *s, gsize len, const char *word);
gsize parser_prefix_cmp(
    const char *s, gsize len, const char *word, gboolean icase);
gsize parser_skip_blanks(const char *s, gsize len, gsize i);
gsize parser_colon_at(const char *s, gsize len, gsize i);

/* parser_addr.c */
FwdAddress *parser_address_make(const char *name, const char *address);
FwdAddress *parser_mailbox_parse(const char *s, gssize len);
GPtrArray *parser_mailbox_list(const char *s, gssize len);

/* parser_block.c */
gboolean parser_block_read(const Lines *ls, guint start, Block *b);
gboolean parser_block_run(const char *s, gsize len, Block *b);
gboolean parser_block_shape(const Lines *ls, guint start, Block *b);
gboolean parser_block_valid(const Block *b, gboolean relaxed);
void parser_block_clear(Block *b);
FwdMessage *parser_block_message(const Block *b, const ParseCtx *ctx);
char *parser_subject_original(const char *subject);
void parser_message_set_date(
    FwdMessage *m, const char *raw, const ParseCtx *ctx);

/* parser_notes.c */
gboolean parser_notes_separator(const Lines *ls, guint i, guint *next);
gboolean parser_notes_block(const Lines *ls, guint start, Block *b);

/* parser_inline.c */
gboolean parser_inline_find(const char *text, gsize len, const GArray *hints,
    const ParseCtx *ctx, gboolean nested, char **note, FwdMessage **original);
void parser_chain_fill(
    const FwdMessage *original, const ParseCtx *ctx, GPtrArray *chain);
gboolean parser_inline_marker(const Lines *ls, guint i, const GArray *hints,
    guint *body_start, guint *depth);

/* parser_mime.c */
char *parser_part_text(GMimePart *part, gboolean *is_html);
GMimeMessage *parser_find_attached(GMimeObject *root);
GMimePart *parser_find_body(GMimeObject *root, gboolean html);
FwdMessage *parser_message_from_mime(GMimeMessage *msg, const ParseCtx *ctx);
void parser_ctx_from_message(GMimeMessage *msg, ParseCtx *ctx, char **subject);

#endif /* PA_PARSER_SCAN_H */
