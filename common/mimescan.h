/*
 * mimescan.h - bound a message's MIME structure while its bytes arrive
 *
 * SYNOPSIS
 *	MimeScanLimits lim = { .parts = 1000, .depth = 20 };
 *	g_autoptr(MimeScan) ms = mimescan_new(&lim);
 *	if (!mimescan_feed(ms, chunk, len, &error)) ...  // refuse now
 *	if (!mimescan_finish(ms, &error)) ...
 *
 *	if (!mimescan_check(data, len, NULL, &error)) ... // a whole message
 *
 * DESCRIPTION
 *	GMime builds a tree of objects for every MIME part and header field
 *	before anyone can count them: a 7 MB message of a million empty
 *	parts costs it 1.3 GB and seconds of CPU. A MimeScan reads the same
 *	bytes first, one chunk at a time as an MTA hands them over (header
 *	fields as "Name: value" lines, the empty line, then the body; CRLF
 *	or LF; a line may be cut anywhere between chunks), in memory bounded
 *	by the limits whatever the input, and fails as soon as the message
 *	passes one of them.
 *
 *	It follows GMime's own reading (gmime-parser.c, 3.2): a stack of
 *	the boundaries in force, a line matching one (innermost first,
 *	white space after it allowed) ending the parts inside it; a header
 *	block running to an empty line or a boundary line; the last
 *	Content-Type of a block counting, parsed by GMime itself, so that a
 *	boundary given in RFC 2231 pieces is the one GMime will use; a
 *	multipart/digest part with no Content-Type being a message; a
 *	message/rfc822 (rfc2822, global, news) part whose first Content-
 *	Transfer-Encoding is base64, quoted-printable or uuencode staying
 *	closed. Where GMime builds less than it reads (a part with neither
 *	header nor body) the scanner still counts it: it may count more
 *	than GMime builds, never less (tests/unit/test_mimescan.c checks
 *	random messages against GMime).

 *	What is counted, and failed past:
 *	  parts      body parts begun by a boundary line, plus messages
 *	             opened inside parts (limits->parts)
 *	  depth      multiparts and messages one inside the other
 *	             (limits->depth); messages alone: MIMESCAN_MAX_MESSAGES
 *	  fields     header fields of one part (MIMESCAN_MAX_BLOCK_FIELDS)
 *	             and of the whole message (MIMESCAN_MAX_FIELDS)
 *	  bytes      of one header field, folded lines included
 *	             (MIMESCAN_MAX_FIELD), of all headers together
 *	             (MIMESCAN_MAX_HEADER_BYTES)
 *	  boundary   declared boundaries longer than MIMESCAN_MAX_BOUNDARY
 *	Body lines may be of any length: only their first bytes are kept.
 *
 *	mimescan_check() runs one scanner over a message already in memory.
 *
 * OWNERSHIP
 *	mimescan_new() returns a new MimeScan (transfer full);
 *	mimescan_free() accepts NULL. Chunks are borrowed, never kept.
 *
 * ERRORS
 *	MIMESCAN_ERROR, the code saying which limit was passed; the message
 *	is a phrase that completes "This message has ...", e.g. "more than
 *	1000 MIME parts". Once failed, a MimeScan stays failed (every later
 *	call returns FALSE with the same error) and keeps no more state.
 *
 * THREADS
 *	A MimeScan belongs to one message; no locking. g_mime_init() must
 *	have been called (Content-Type values are parsed by GMime).
 */
#ifndef PA_MIMESCAN_H
#define PA_MIMESCAN_H

#include <glib.h>

#define MIMESCAN_ERROR (mimescan_error_quark())
GQuark mimescan_error_quark(void);
typedef enum {
	MIMESCAN_ERROR_PARTS,
	MIMESCAN_ERROR_DEPTH,
	MIMESCAN_ERROR_FIELDS,
	MIMESCAN_ERROR_HEADER_SIZE,
	MIMESCAN_ERROR_BOUNDARY,
} MimeScanError;

#define MIMESCAN_DEFAULT_PARTS 1000
#define MIMESCAN_DEFAULT_DEPTH 20
#define MIMESCAN_MAX_MESSAGES                                                  \
	16 /* messages inside messages (PARSER_MAX_CHAIN) */
#define MIMESCAN_MAX_BLOCK_FIELDS 1000          /* header fields of one part */
#define MIMESCAN_MAX_FIELDS 10000               /* header fields in all */
#define MIMESCAN_MAX_FIELD (128u * 1024)        /* bytes of one header field */
#define MIMESCAN_MAX_HEADER_BYTES (512u * 1024) /* header bytes in all */
#define MIMESCAN_MAX_BOUNDARY 200               /* RFC 2046 allows 70 */

typedef struct {
	guint parts; /* most parts read; 0: single-part messages only */
	guint depth; /* most nesting; 0: no multipart, no message part */
} MimeScanLimits;

typedef struct {
	guint parts;    /* as counted for limits->parts */
	guint depth;    /* deepest nesting seen */
	guint messages; /* deepest message-in-message nesting seen */
	guint fields;   /* header fields in all */
	guint64 header_bytes;
} MimeScanStats;

typedef struct _MimeScan MimeScan;

MimeScan *mimescan_new(const MimeScanLimits *limits);
gboolean mimescan_feed(
    MimeScan *ms, const void *data, gsize len, GError **error);
gboolean mimescan_finish(MimeScan *ms, GError **error);
void mimescan_stats(const MimeScan *ms, MimeScanStats *out);
void mimescan_free(MimeScan *ms);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MimeScan, mimescan_free)

gboolean mimescan_check(
    const void *data, gsize len, const MimeScanLimits *limits, GError **error);

#endif /* PA_MIMESCAN_H */
