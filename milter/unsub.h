/*
 * unsub.h - unsubscribe+TOKEN@DOMAIN: the weekly digest turned off by mail
 *
 * SYNOPSIS
 *	ShareVerdict *v = unsub_check_rcpt(cfg, store, qid, addr);
 *	if ((v = unsub_process(cfg, store, req)) != NULL) return v;
 *
 * DESCRIPTION
 *	The mailto: half of a digest's List-Unsubscribe (RFC 8058 keeps
 *	the https: half, web/): a message to unsubscribe+TOKEN@DOMAIN, the
 *	gateway's domain, does what POST /u/TOKEN does. Anyone may send
 *	it: the token (128 random bits, one member's, good for nothing
 *	else) is the credential, not the sender.
 *
 *	unsub_check_rcpt() answers at RCPT for one recipient (addr, as
 *	addr_normalize() wrote it: share_check_rcpt() did): NULL when it
 *	is not an unsubscribe address (share_check_rcpt() goes on); a
 *	verdict with code 0 when the token is a member's (the recipient is
 *	then a share recipient, taken at the end of the message); 550
 *	5.1.1 with a sentence for a token of the wrong shape or one no
 *	member has; 451 4.3.0 when the store failed.
 *
 *	unsub_process() runs first in share_process(): NULL when no
 *	recipient of req is an unsubscribe address. Otherwise every one is
 *	unsubscribed and consumed (deleted: nothing is delivered, nothing
 *	is sent back, the sender sees 250), or the message is refused:
 *	550 5.5.1 when it also goes to share or reply addresses, 550 5.1.1
 *	when a token is no longer known, 451 4.3.0 when the store failed.
 *	Each unsubscribe is one UPDATE: with several addresses in one
 *	message a later failure may leave an earlier one done, which a
 *	retry repeats harmlessly (unsubscribing twice is unsubscribing
 *	once). The message itself is not read.
 *
 * OWNERSHIP
 *	Arguments are borrowed; verdicts are new (transfer full).
 *
 * ERRORS
 *	None as a function: every failure is a verdict.
 *
 * THREADS
 *	Reentrant; the Store serialises its own writes.
 */
#ifndef PA_UNSUB_H
#define PA_UNSUB_H

#include "common/config.h"
#include "milter/share.h"
#include "store/store.h"

#define UNSUB_LOCALPART "unsubscribe"

ShareVerdict *unsub_check_rcpt(
    const Config *cfg, Store *store, const char *qid, const char *addr);
ShareVerdict *unsub_process(
    const Config *cfg, Store *store, const ShareRequest *req);

#endif /* PA_UNSUB_H */
