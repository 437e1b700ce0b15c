/*
 * share.h - what the gateway does with one message to a share address
 *
 * SYNOPSIS
 *	ShareRequest req = { .qid = qid, .auth_authen = auth, ... };
 *	g_autoptr(ShareVerdict) v = share_process(cfg, store, &req);
 *	// v->code == 0: accept; else reply v->code v->dsn v->text
 *
 *	ShareVerdict *v = share_check_rcpt(cfg, store, qid, rcpt);
 *
 * DESCRIPTION
 *	The milter's policy, kept apart from libmilter so that it can be
 *	tested without an MTA (mlfi_eom() only dispatches here).
 *
 *	share_check_rcpt() answers at RCPT time for one recipient of the
 *	gateway's domain: an unknown handle, a malformed share address, a
 *	source route, or a share+local=domain address naming someone the
 *	gateway must not mail (addr_mailable(): no dot in the domain, an
 *	address literal, "%" or "!" routing, a reserved name, the
 *	gateway's own hosts, a role account) is refused there (550 5.1.1;
 *	5.1.3 for a non-ASCII address, which would need SMTPUTF8) so the
 *	sender sees which recipient was wrong. It returns NULL for a
 *	recipient that is not a share address.
 *
 *	share_process() handles a whole message at end of message: it
 *	ignores null-sender and automatic mail (any Auto-Submitted but
 *	"no": no loops), refuses list and bulk mail (List-Id, Precedence
 *	bulk/list/junk), authorises the sharer (cfg->sender_auth; for
 *	dmarc see share_int.h), parses the forward, takes the requester
 *	from the innermost layer that shows a From mailbox (naming, not
 *	mailing, whoever passed it on in between) and refuses one the
 *	gateway must not mail, resolves each friend, renders one
 *	introduction per friend, and records the shares and their outbox
 *	mail in one store transaction. An MTA retry of a message already
 *	recorded creates nothing (the share's origin key, sharer and
 *	friend identify it). The message comes as bytes in
 *	memory (req->data) or, for a large one the milter spooled, as a
 *	file (req->data NULL, req->fd): GMime then reads the file through a
 *	stream and keeps parts as references into it, so a 2 MB
 *	attachment is never copied into memory.
 *
 *	Replies: 0 = accept (the share recipients are in v->consumed, to be
 *	deleted); 550 5.7.1 not a member / not allowed / list mail; 550
 *	5.6.0 no forwarded message found, or a requester (or member
 *	address) that cannot be mailed; 550 5.1.1 unknown handle; 451
 *	4.3.0 the store failed (nothing was recorded; the MTA retries).
 *	Texts are sentences a person can act on.
 *
 * OWNERSHIP
 *	Arguments are borrowed; the verdict is new (transfer full),
 *	share_verdict_free() accepts NULL.
 *
 * ERRORS
 *	Never fails as a function: every failure is a verdict.
 *
 * THREADS
 *	Reentrant; the Store serialises its own writes.
 */
#ifndef PA_SHARE_H
#define PA_SHARE_H

#include <glib.h>

#include "common/config.h"
#include "store/store.h"

typedef struct {
	const char *qid;           /* the MTA's queue id, or NULL */
	const char *auth_authen;   /* SMTP AUTH identity, or NULL */
	const char *envelope_from; /* MAIL FROM, "" for the null sender */
	GPtrArray *share_rcpts;    /* of char *: share recipients */
	const char *data;          /* the whole message as received, or */
	int fd;                    /* when data is NULL: a file holding it */
	gsize len;                 /* its size */
} ShareRequest;

typedef struct {
	int code;            /* 0: accept; else the SMTP reply code */
	const char *dsn;     /* "5.7.1" ...; NULL when code is 0 */
	char *text;          /* reply text, one line; NULL when code is 0 */
	GPtrArray *consumed; /* of char *: share recipients to delete */
	guint created;       /* shares recorded now */
	guint duplicates;    /* shares that already existed */
	guint merged;        /* merged into another member's open request */
} ShareVerdict;

ShareVerdict *share_check_rcpt(
    const Config *cfg, Store *store, const char *qid, const char *rcpt);
ShareVerdict *share_process(
    const Config *cfg, Store *store, const ShareRequest *req);
void share_verdict_free(ShareVerdict *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShareVerdict, share_verdict_free)

#endif /* PA_SHARE_H */
