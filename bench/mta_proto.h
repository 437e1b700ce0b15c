/*
 * mta_proto.h - send one message to a milter as Postfix would
 *
 * SYNOPSIS
 *	MtaResult res = { 0 };
 *	GBytes *body[] = { msg->body, NULL };
 *	mta_send("unix:/run/m.sock", &env, msg, body, &res, &error);
 *
 * DESCRIPTION
 *	mta_send() opens one connection, negotiates protocol version 6
 *	offering every action and step, and sends only what the milter
 *	asked for: macros by its lists (Postfix's defaults otherwise),
 *	connect, HELO, MAIL, each RCPT, DATA, header fields, EOH, body
 *	chunks of at most 64 KB (the body is the NULL-terminated list of
 *	parts, sent one after the other), EOM, QUIT. Steps negotiated as
 *	SMFIP_NR_* are not waited for. A recipient refused at RCPT is
 *	counted and dropped; when none is left the message is refused.
 *	At EOM, recipient deletions and other changes are counted until
 *	the verdict. res->outcome is the milter's verdict for the message;
 *	res->reply the text of a 'y' (SMFIR_REPLYCODE) reply.
 *
 * OWNERSHIP
 *	The caller owns env, the message and res; res->reply is g_free()d
 *	by the caller. mta_connect() returns a socket the caller closes.
 *
 * ERRORS
 *	FALSE with G_IO_ERROR_FAILED on a socket error, a timeout (60 s per
 *	read or write) or a reply the protocol does not allow.
 *
 * THREADS
 *	Re-entrant: one call per thread at a time, no shared state.
 */
#ifndef PASSALONG_BENCH_MTA_PROTO_H
#define PASSALONG_BENCH_MTA_PROTO_H

#include <glib.h>

#include "bench/mta.h"

typedef enum {
	MTA_NONE,
	MTA_ACCEPT, /* accept, or continue at EOM */
	MTA_DISCARD,
	MTA_REJECT,
	MTA_TEMPFAIL,
} MtaOutcome;

typedef struct {
	const char *from;        /* envelope sender, no angle brackets */
	GPtrArray *rcpts;        /* char *, envelope recipients */
	const char *auth_authen; /* {auth_authen}, or NULL */
	const char *queue_id;    /* the i macro */
} MtaEnvelope;

typedef struct {
	MtaOutcome outcome;
	guint rcpt_refused; /* recipients refused at RCPT */
	guint rcpt_deleted; /* SMFIR_DELRCPT at EOM */
	guint changes;      /* other modifications at EOM */
	char *reply;        /* of an SMFIR_REPLYCODE, or NULL */
} MtaResult;

int mta_connect(const char *spec, GError **error);
gboolean mta_send(const char *spec, const MtaEnvelope *env, const MtaMessage *m,
    GBytes *const *body, MtaResult *res, GError **error);
const char *mta_outcome_name(MtaOutcome o);

#endif
