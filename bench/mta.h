/*
 * mta.h - the MTA side of the milter protocol, for benchmarks and tests
 *
 * SYNOPSIS
 *	g_autoptr(GBytes) m = mta_gen_message(MTA_KIND_SHARE, 20480, "r1", 7);
 *	MtaMessage *msg = mta_message_split(m, &error);
 *
 * DESCRIPTION
 *	bench/mta plays Postfix towards a milter: one connection per
 *	message, option negotiation honouring the milter's SMFIP_NO* and
 *	SMFIP_NR_* flags and its macro lists, then connect ... end of
 *	message and QUIT. mta_gen_message() makes the mail it sends: an
 *	ordinary message, a 20 KB-class inline forward or a forward with a
 *	large attachment, each unique by (run, seq) so that a store never
 *	sees the same forward twice. MTA_KIND_REPLY is a friend's answer
 *	to a consent request, "Yes, happy to!" above the quoted request,
 *	text and HTML as Gmail writes it, to intro+TOKEN@: for it, run is
 *	the TOKEN (a real one of the store: bench/run reads them). For MTA_KIND_BIG it makes only the
 *	head: mta_gen_attachment() makes the attachment and the closing
 *	boundary, the same bytes for every message, sent after the head. mta_message_split() cuts a message
 *	into the header fields and the CRLF body the protocol carries.
 *
 * OWNERSHIP
 *	Both return new objects; mta_message_free() accepts NULL.
 *
 * ERRORS
 *	mta_message_split() fails (G_IO_ERROR_INVALID_DATA) on a message
 *	without the empty line after its header.
 *
 * THREADS
 *	Everything here is re-entrant; the generator keeps no state.
 */
#ifndef PASSALONG_BENCH_MTA_H
#define PASSALONG_BENCH_MTA_H

#include <glib.h>

typedef enum {
	MTA_KIND_ORDINARY, /* mail to someone else: accepted at DATA */
	MTA_KIND_SHARE,    /* an inline forward to a share address */
	MTA_KIND_BIG,      /* a forward with a large base64 attachment */
	MTA_KIND_REPLY,    /* a friend's yes to intro+TOKEN@ */
} MtaKind;

typedef struct {
	GPtrArray *names;  /* char *, header field names */
	GPtrArray *values; /* char *, values with the leading space */
	GBytes *body;      /* the body, CRLF line ends */
} MtaMessage;

GBytes *mta_gen_message(MtaKind kind, gsize size, const char *run, guint64 seq);
GBytes *mta_gen_attachment(gsize size);
MtaMessage *mta_message_split(GBytes *message, GError **error);
void mta_message_free(MtaMessage *msg);
gboolean mta_kind_parse(const char *name, MtaKind *kind);
const char *mta_kind_name(MtaKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MtaMessage, mta_message_free)

#endif
