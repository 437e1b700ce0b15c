/*
 * unsub.c - unsubscribe+TOKEN@DOMAIN (see unsub.h)
 *
 * Trust: the recipient address comes from the SMTP client and is
 * untrusted: the token is checked for shape (flow_token_valid()) before
 * the store sees it, and looked up, never parsed for meaning. The
 * sender is not looked at: the token is the credential, as the link in
 * the digest is (RFC 8058). Privilege: the daemon's user.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/util.h"
#include "flow/flow.h"
#include "milter/share_int.h"
#include "milter/unsub.h"

/* unsub_token - the TOKEN of unsubscribe+TOKEN@domain in a normalised
 * address, or NULL for any other */
static char *
unsub_token(const Config *cfg, const char *addr)
{
	return addr_plus_token(addr, UNSUB_LOCALPART, cfg->domain);
}

/* rcpt_token - the same for a recipient as the envelope gives it */
static char *
rcpt_token(const Config *cfg, const char *rcpt)
{
	g_autofree char *a = addr_normalize(rcpt);

	return a != NULL ? unsub_token(cfg, a) : NULL;
}

/* unknown - the refusal of a token nobody has */
static ShareVerdict *
unknown(const char *qid)
{
	log_info(qid, "refused: unknown unsubscribe address");
	return share_verdict_new(550, "5.1.1",
	    "This unsubscribe address is not known here; use the one in "
	    "your latest digest, or ask the operator");
}

/* store_failed - try again later, nothing was changed */
static ShareVerdict *
store_failed(const char *qid, const GError *error)
{
	log_error(qid, "store failed during unsubscribe: %s", error->message);
	return share_verdict_new(451, "4.3.0",
	    "Temporary failure unsubscribing you; please try again later");
}

/* unsub_check_rcpt - refuse an unknown unsubscribe address at RCPT;
 * addr is normalised already (share_check_rcpt()) */
ShareVerdict *
unsub_check_rcpt(
    const Config *cfg, Store *store, const char *qid, const char *addr)
{
	g_autofree char *token = NULL;
	g_autoptr(Member) m = NULL;
	g_autoptr(GError) error = NULL;

	g_return_val_if_fail(cfg != NULL && addr != NULL, NULL);
	if ((token = unsub_token(cfg, addr)) == NULL)
		return NULL;
	if (!flow_token_valid(token))
		return unknown(qid);
	m = store_member_by_unsub_token(store, token, &error);
	if (error != NULL)
		return store_failed(qid, error);
	if (m == NULL)
		return unknown(qid);
	return share_verdict_new(0, NULL, NULL);
}

/* count - how many of req's recipients are unsubscribe addresses */
static guint
count(const Config *cfg, const ShareRequest *req)
{
	guint n = 0;

	for (guint i = 0; i < req->share_rcpts->len; i++) {
		g_autofree char *t =
		    rcpt_token(cfg, req->share_rcpts->pdata[i]);

		n += t != NULL;
	}
	return n;
}

/* unsub_process - unsubscribe every unsubscribe+TOKEN@ recipient */
ShareVerdict *
unsub_process(const Config *cfg, Store *store, const ShareRequest *req)
{
	ShareVerdict *ok;
	guint n;

	g_return_val_if_fail(cfg != NULL && store != NULL && req != NULL, NULL);
	if ((n = count(cfg, req)) == 0)
		return NULL;
	if (n != req->share_rcpts->len)
		return share_verdict_new(550, "5.5.1",
		    "Send an unsubscribe on its own, not with a share or an "
		    "answer in the same message");
	ok = share_verdict_new(0, NULL, NULL);
	for (guint i = 0; i < req->share_rcpts->len; i++) {
		const char *rcpt = req->share_rcpts->pdata[i];
		g_autofree char *token = rcpt_token(cfg, rcpt);
		g_autoptr(GError) error = NULL;
		gboolean found = FALSE, changed = FALSE;

		if (!flow_token_valid(token)) {
			share_verdict_free(ok);
			return unknown(req->qid);
		}
		if (!store_member_unsubscribe(
			store, token, &found, &changed, &error)) {
			share_verdict_free(ok);
			return store_failed(req->qid, error);
		}
		if (!found) {
			share_verdict_free(ok);
			return unknown(req->qid);
		}
		log_info(req->qid, "unsubscribed by mail digest=%s",
		    changed ? "off" : "off already");
		g_ptr_array_add(ok->consumed, g_strdup(rcpt));
	}
	return ok;
}
