/*
 * rfc2047.h - header text in and out of RFC 2047 encoded words
 *
 * SYNOPSIS
 *	char *s = rfc2047_decode(raw);            // "=?UTF-8?B?...?=" -> text
 *	char *r = rfc2047_recode(raw);            // one word per run, for GMime
 *	char *v = rfc2047_encode_text("Subject", utf8);
 *	Rfc2047Mailbox to[] = { { "Zoë", "zoe@x.example" }, ... };
 *	char *a = rfc2047_encode_mailboxes("To", to, G_N_ELEMENTS(to));
 *
 * DESCRIPTION
 *	rfc2047_decode() reads a raw header value as a mail reader shows
 *	it: folding removed (CR, LF and CRLF followed by a space or tab),
 *	every encoded word ("=?charset[*lang]?B|Q?text?=", case-insensitive)
 *	decoded to bytes on its own, the bytes of adjacent words of one
 *	charset (only white space between them) joined before they are
 *	converted, so a character split across two words survives, and the
 *	white space between adjacent encoded words dropped (RFC 2047 6.2).
 *	Charsets are converted with iconv; a charset iconv does not know, or
 *	bytes invalid in it, are read as UTF-8 when they are valid UTF-8,
 *	else as windows-1252, else as ISO-8859-1. A word that does not parse
 *	stays as literal text. The result is valid UTF-8 without NUL,
 *	trimmed of leading and trailing white space; it may hold controls,
 *	CR and LF that encoded words carried (callers clean it). Input past
 *	RFC2047_INPUT_MAX bytes is ignored; the work is linear in the input.
 *
 *	Why not GMime: GMime 3.2.13 joins the base64 text of adjacent words
 *	before decoding, and loses everything after a word that ends in
 *	'=' padding ("=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=" reads "é").
 *
 *	rfc2047_recode() returns the raw value with each run of adjacent
 *	encoded words replaced by one UTF-8 B word holding what
 *	rfc2047_decode() reads from it, and everything else untouched; a
 *	structured value (an address list) keeps its structure, so GMime
 *	can parse it and decode its names whole.
 *
 *	rfc2047_encode_text() writes an unstructured value (a Subject) for
 *	the field NAME: printable ASCII without "=?" is folded at its spaces
 *	and left as it is; anything else becomes UTF-8 encoded words. The
 *	encoded words are ones every reader decodes whole, GMime 3.2.13
 *	included: each holds whole characters; B words carry a multiple of
 *	three bytes (no '=' padding) except the last word of the value; a
 *	run of text that cannot be cut so is written as a Q word; a word
 *	ends after a space of the text when one is near its end (Python's
 *	address parser shows a space between words; it then splits no word
 *	of the text). Every line is at most RFC2047_LINE_MAX characters
 *	counting "NAME: " (for a NAME under 50 characters); an ASCII word
 *	too long for a line gets the whole value encoded. The result has
 *	no leading space; lines are joined by "\n " (LF, then a space); the
 *	caller writes "NAME: " before it and its own line end after it.
 *
 *	rfc2047_encode_mailboxes() writes an address list the same way:
 *	"name <addr>, ..." with each name an atom sequence or a quoted
 *	string when it is printable ASCII and fits on a line (never folded
 *	inside: GMime keeps the line break of a folded name), else encoded
 *	words; a mailbox without a name as the bare address. Folds come
 *	only between encoded words and before an address. Addresses are
 *	written as given (ASCII, checked by the caller).
 *
 * OWNERSHIP
 *	Arguments are borrowed; results are new (transfer full). NULL in
 *	gives NULL out for rfc2047_decode() and rfc2047_recode().
 *
 * ERRORS
 *	None: every input has a reading.
 *
 * THREADS
 *	Reentrant; no global state.
 */
#ifndef PA_RFC2047_H
#define PA_RFC2047_H

#include <glib.h>

#define RFC2047_INPUT_MAX 65536 /* bytes of a raw value that are read */
#define RFC2047_LINE_MAX 76     /* characters of a line the encoder writes */

typedef struct {
	const char *name; /* UTF-8 display name, or NULL */
	const char *addr; /* the address, ASCII */
} Rfc2047Mailbox;

char *rfc2047_decode(const char *raw);
char *rfc2047_recode(const char *raw);
char *rfc2047_encode_text(const char *name, const char *utf8);
char *rfc2047_encode_mailboxes(
    const char *name, const Rfc2047Mailbox *boxes, gsize n);

#endif /* PA_RFC2047_H */
