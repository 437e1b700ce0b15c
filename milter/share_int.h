/*
 * share_int.h - what the parts of the share policy share; not for other
 *	modules
 *
 * SYNOPSIS
 *	if (share_is_automatic(msg)) ...         // consume silently
 *	const char *why = share_list_field(msg); // "List-Id" or NULL
 *	g_autofree char *from = share_dmarc_author(cfg, qid, msg);
 *
 * DESCRIPTION
 *	Readers of the forward's own header (milter/share_header.c).
 *
 *	share_is_automatic(): some Auto-Submitted field holds a value
 *	other than "no" (RFC 3834: "auto-generated", "auto-replied",
 *	"auto-notified", any extension, an empty or unreadable value),
 *	comments, white space, case and parameters after ";" aside.
 *
 *	share_list_field(): the name of the field that marks list or bulk
 *	mail ("List-Id", or "Precedence" when one says bulk, list or
 *	junk), or NULL.
 *
 *	share_dmarc_author(): the address of the message's From when the
 *	operator's verifier vouches for it: exactly one From field holding
 *	exactly one mailbox; exactly one Authentication-Results field with
 *	the authserv-id cfg->authserv_id (RFC 8601 section 5 has the
 *	verifier strip the sender's, so two mean a forgery got through),
 *	readable by common/authres.c; in it a "dmarc" result "pass" whose
 *	header.from equals the From domain (no case) and no other dmarc
 *	result for that domain. Else NULL, the reason logged.
 *
 * OWNERSHIP
 *	Arguments are borrowed; share_dmarc_author() returns a new string,
 *	share_list_field() a static one.
 *
 * ERRORS, THREADS
 *	None; reentrant.
 */
#ifndef PA_SHARE_INT_H
#define PA_SHARE_INT_H

#include <gmime/gmime.h>

#include "common/config.h"
#include "milter/share.h"

ShareVerdict *share_verdict_new(int code, const char *dsn, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
gboolean share_is_automatic(GMimeMessage *msg);
const char *share_list_field(GMimeMessage *msg);
char *share_dmarc_author(const Config *cfg, const char *qid, GMimeMessage *msg);

#endif /* PA_SHARE_INT_H */
