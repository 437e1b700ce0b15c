/*
 * parser.h - find the forwarded message in a forward (pure: bytes in,
 *	a Forward out; no I/O, no globals)
 *
 * SYNOPSIS
 *	#include "parser/parser.h"
 *
 *	g_autoptr(Forward) fwd = parser_parse(data, len, &error);
 *	if (fwd->forwarded)
 *		use(fwd->original->from->address, fwd->note);
 *	g_autofree char *json = forward_to_json(fwd);
 *
 * DESCRIPTION
 *	parser_parse() reads one RFC 5322 message as the gateway received it
 *	(CRLF or LF) and looks for what the member forwarded, in this order
 *	of evidence: a message/rfc822 part (any depth), an inline forward
 *	block in text/plain, then text derived from HTML. The result follows
 *	../shared/spec/parse-json.md field for field; forward_to_json()
 *	prints exactly that contract.
 *
 *	parser_parse_message() does the same for a message already parsed
 *	by GMime (the milter parses once and reads the member's own headers
 *	from the same object).
 *
 *	Every string in the result is valid UTF-8 with control, bidi-override
 *	and zero-width characters removed (util_text_clean()); names and
 *	addresses never contain CR or LF.
 *
 * OWNERSHIP
 *	The Forward and everything in it belong to the caller (transfer
 *	full); forward_free() accepts NULL. The input is borrowed.
 *
 * ERRORS
 *	PARSER_ERROR_UNREADABLE: the bytes are not a message at all (no
 *	header, or GMime cannot construct a message). A message that is
 *	simply not a forward is not an error: forwarded = FALSE.
 *	PARSER_ERROR_LIMIT: input over PARSER_MAX_INPUT, or a message with
 *	more than 1000 header fields. Deeper limits do not fail: MIME
 *	nesting past 32 levels or 512 parts, and forwarded layers past 16,
 *	are simply not looked at (parser/parser_scan.h); an .eml attached
 *	as a file is not read at all past the default limits of
 *	common/mimescan.h (it is decoded here, where no earlier scan saw
 *	it, and GMime would build every part of it first).
 *
 * THREADS
 *	Reentrant; g_mime_init() must have been called once beforehand.
 */
#ifndef PA_PARSER_H
#define PA_PARSER_H

#include <gmime/gmime.h>

#define PARSER_ERROR (parser_error_quark())
GQuark parser_error_quark(void);
typedef enum {
	PARSER_ERROR_UNREADABLE,
	PARSER_ERROR_LIMIT,
} ParserError;

#define PARSER_MAX_INPUT (64u * 1024 * 1024) /* bytes */

typedef enum {
	FORWARD_KIND_NONE,
	FORWARD_KIND_ATTACHMENT,
	FORWARD_KIND_INLINE,
} ForwardKind;

typedef struct {
	char *name;    /* NULL when the client did not keep it */
	char *address; /* bare, domain lower-cased; NULL when absent */
} FwdAddress;

typedef struct {
	FwdAddress *from;    /* NULL when no From was found */
	GPtrArray *to;       /* of FwdAddress *, never NULL */
	GPtrArray *cc;       /* of FwdAddress *, never NULL */
	GPtrArray *reply_to; /* of FwdAddress *, never NULL */
	char *subject;       /* without Fwd:/WG:/TR: ... prefixes */
	char *date;          /* RFC 3339 with offset, or NULL */
	char *date_raw;      /* as found, or NULL */
	char *message_id;    /* without <>, or NULL */
	char *body;          /* plain text, trimmed, or NULL */
} FwdMessage;

typedef struct {
	gboolean forwarded;
	ForwardKind kind;
	char *note; /* the member's words above the forward, or NULL */
	FwdMessage *original; /* NULL when !forwarded */
	GPtrArray *chain;     /* of FwdMessage *, inner layers, never NULL */
} Forward;

Forward *parser_parse(const char *data, gsize len, GError **error);
Forward *parser_parse_message(GMimeMessage *message, GError **error);

const char *forward_kind_name(ForwardKind kind); /* "attachment" ... */
char *forward_to_json(const Forward *fwd);       /* transfer full */

FwdAddress *fwd_address_new(const char *name, const char *address);
void fwd_address_free(FwdAddress *a);
FwdMessage *fwd_message_new(void);
void fwd_message_free(FwdMessage *m);
Forward *forward_new(void);
void forward_free(Forward *fwd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FwdAddress, fwd_address_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FwdMessage, fwd_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Forward, forward_free)

#endif /* PA_PARSER_H */
