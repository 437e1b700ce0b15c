/*
 * share.c - the gateway's policy for one message to a share address
 *
 * Trust: everything in the request is untrusted except the queue id and
 * the SMTP AUTH identity, which the MTA vouches for. The message text is
 * only ever read through the parser; values from it reach logs through
 * util_header_safe() and mail through the templates, which escape them.
 * Privilege: runs in the milter's worker threads, as the daemon's user;
 * no network I/O here (the outbox sender delivers later).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/gmime-autoptr.h"
#include "common/log.h"
#include "common/util.h"
#include "flow/flow.h"
#include "milter/share.h"
#include "milter/share_int.h"
#include "milter/unsub.h"
#include "parser/parser.h"
#include "parser/reply.h"
#include "sender/sender.h"
#include "templates/tmpl.h"

/* One friend a message is shared with, resolved from its address. */
typedef struct {
	char *rcpt;      /* the share recipient as the MTA gave it */
	char *address;   /* the friend */
	char *name;      /* or NULL */
	gboolean direct; /* share+NAME+direct@: introduce at once */
} Friend;

/* Who asked in the first place, and who passed the request on. */
typedef struct {
	char *address;           /* as it will be mailed (addr_mailable()) */
	char *name;              /* or NULL */
	const FwdMessage *layer; /* the message they wrote (borrowed) */
	GPtrArray *passed_by;    /* of FwdAddress * (borrowed), nearest
				    the requester first */
} Requester;

#define REQUESTER_MAX_PASSERS 5

/* friend_free - release a Friend */
static void
friend_free(Friend *f)
{
	if (f == NULL)
		return;
	g_free(f->rcpt);
	g_free(f->address);
	g_free(f->name);
	g_free(f);
}

/* share_verdict_free - release a verdict; accepts NULL */
void
share_verdict_free(ShareVerdict *v)
{
	if (v == NULL)
		return;
	g_free(v->text);
	if (v->consumed != NULL)
		g_ptr_array_unref(v->consumed);
	g_free(v);
}

/* share_verdict_new - a verdict with a reply; code 0 accepts (also
 * unsub.c's) */
ShareVerdict *
share_verdict_new(int code, const char *dsn, const char *fmt, ...)
{
	ShareVerdict *v = g_new0(ShareVerdict, 1);

	v->consumed = g_ptr_array_new_with_free_func(g_free);
	v->code = code;
	v->dsn = dsn;
	if (fmt != NULL) {
		va_list ap;
		g_autofree char *text = NULL;

		va_start(ap, fmt);
		text = g_strdup_vprintf(fmt, ap);
		va_end(ap);
		v->text = util_header_safe(text, 400);
	}
	return v;
}

/* store_failed - the one answer to a store error: try again later */
static ShareVerdict *
store_failed(const char *qid, const char *what, const GError *error)
{
	log_error(qid, "store failed during %s: %s", what, error->message);
	if (g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID))
		return share_verdict_new(550, "5.6.0",
		    "This share cannot be recorded: %s", error->message);
	return share_verdict_new(451, "4.3.0",
	    "Temporary failure recording your share; please try again later");
}

/* source_routed - a recipient "<@relay:local@D>" for the gateway's
 * domain: the route would name a host to pass through (RFC 5321 C) */
static gboolean
source_routed(const Config *cfg, const char *rcpt)
{
	const char *p = rcpt, *colon;

	while (*p == ' ' || *p == '<')
		p++;
	if (*p != '@' || (colon = strchr(p, ':')) == NULL)
		return FALSE;
	g_autofree char *rest = addr_normalize(colon + 1);
	if (rest == NULL) {
		size_t n = strlen(colon + 1);
		g_autofree char *bare = g_strndup(colon + 1, n);

		if (n > 0 && bare[n - 1] == '>')
			bare[n - 1] = '\0';
		rest = addr_normalize(bare);
	}
	return rest != NULL && addr_in_domain(rest, cfg->domain);
}

/* strip_direct - a normalised address without a trailing "+direct" in
 * its local part (share+jane+direct@D, share+jane=friends.example+
 * direct@D), or NULL when it has none */
static char *
strip_direct(const char *a)
{
	const char *at = strrchr(a, '@');
	static const char suffix[] = "+direct";
	size_t n = sizeof suffix - 1;

	if (at == NULL || (size_t)(at - a) <= n ||
	    g_ascii_strncasecmp(at - n, suffix, n) != 0)
		return NULL;
	g_autofree char *local = g_strndup(a, (gsize)(at - a) - n);

	return g_strconcat(local, at, NULL);
}

/* without_direct - rcpt without a trailing "+direct" (strip_direct());
 * *direct says whether there was one */
static char *
without_direct(const char *rcpt, gboolean *direct)
{
	g_autofree char *a = addr_normalize(rcpt);
	char *plain = a != NULL ? strip_direct(a) : NULL;

	*direct = plain != NULL;
	return plain != NULL ? plain : g_strdup(rcpt);
}

/* token_of - the TOKEN of a normalised intro+TOKEN@domain, or NULL */
static char *
token_of(const Config *cfg, const char *a)
{
	return addr_plus_token(a, cfg->reply_localpart, cfg->domain);
}

/* reply_token - the TOKEN of intro+TOKEN@domain, or NULL */
static char *
reply_token(const Config *cfg, const char *rcpt)
{
	g_autofree char *a = addr_normalize(rcpt);

	return a != NULL ? token_of(cfg, a) : NULL;
}

/* check_target - the friend a share+local=domain address names is
 * someone the gateway may mail (addr_mailable()), else a 550 */
static ShareVerdict *
check_target(const Config *cfg, const char *target)
{
	AddrProblem problem;
	g_autofree char *ok = addr_mailable(target, cfg->domain, &problem);

	if (ok != NULL)
		return share_verdict_new(0, NULL, NULL);
	return share_verdict_new(550,
	    problem == ADDR_NOT_ASCII ? "5.1.3" : "5.1.1",
	    "Sharing with %s is not possible: %s; name the friend's own "
	    "address, as share+name=example.com@%s",
	    target, addr_problem_text(problem), cfg->domain);
}

/* share_check_rcpt - refuse a malformed or unknown share address at RCPT */
ShareVerdict *
share_check_rcpt(
    const Config *cfg, Store *store, const char *qid, const char *rcpt)
{
	g_autofree char *target = NULL;
	g_autoptr(Member) m = NULL;
	g_autoptr(GError) error = NULL;
	ShareAddrKind kind;

	g_return_val_if_fail(cfg != NULL && rcpt != NULL, NULL);
	if (source_routed(cfg, rcpt))
		return share_verdict_new(550, "5.1.1",
		    "Source routes are not accepted here; send to the share "
		    "address itself");
	/* normalised once, here at RCPT for every recipient of the domain */
	g_autofree char *norm = addr_normalize(rcpt);
	g_autofree char *plain = norm != NULL ? strip_direct(norm) : NULL;
	const char *addr = plain != NULL ? plain : norm;
	g_autofree char *token = NULL;

	if (addr == NULL || !addr_in_domain(addr, cfg->domain))
		return NULL;
	ShareVerdict *unsub = unsub_check_rcpt(cfg, store, qid, addr);
	if (unsub != NULL) /* unsubscribe+TOKEN@: milter/unsub.c */
		return unsub;
	token = token_of(cfg, norm);
	if (token != NULL) /* a reply to a consent request: read at the end */
		return flow_token_valid(token)
			   ? share_verdict_new(0, NULL, NULL)
			   : share_verdict_new(550, "5.1.1",
				 "This reply address is not one this gateway "
				 "wrote; answer the consent request's own "
				 "mail");
	kind =
	    addr_parse_share(addr, cfg->domain, cfg->share_localpart, &target);
	switch (kind) {
	case SHARE_ADDR_HANDLE:
		m = store_member_by_handle(store, target, &error);
		if (m == NULL && error != NULL)
			return store_failed(qid, "handle lookup", error);
		if (m == NULL)
			return share_verdict_new(550, "5.1.1",
			    "There is no member with the handle \"%s\" here; "
			    "check the address, or write "
			    "share+name=example.com@%s "
			    "to share with any address",
			    target, cfg->domain);
		return share_verdict_new(0, NULL, NULL);
	case SHARE_ADDR_ADDRESS:
		return check_target(cfg, target);
	case SHARE_ADDR_PLAIN:
		return share_verdict_new(550, "5.1.1",
		    "Say who to share with: send to %s+HANDLE@%s or "
		    "%s+name=example.com@%s",
		    cfg->share_localpart, cfg->domain, cfg->share_localpart,
		    cfg->domain);
	case SHARE_ADDR_NONE:
		break;
	}
	if (g_ascii_strncasecmp(addr, cfg->share_localpart,
		strlen(cfg->share_localpart)) == 0 &&
	    addr[strlen(cfg->share_localpart)] == '+')
		return share_verdict_new(550, "5.1.1",
		    "This share address is malformed; write %s+HANDLE@%s or "
		    "%s+name=example.com@%s",
		    cfg->share_localpart, cfg->domain, cfg->share_localpart,
		    cfg->domain);
	return NULL;
}

/* find_sharer - the member who sent this, per cfg->sender_auth; NULL
 * without error when nobody qualifies */
static Member *
find_sharer(const Config *cfg, Store *store, const ShareRequest *req,
    GMimeMessage *msg, char **claimed, GError **error)
{
	const char *candidates[3] = { NULL, NULL, NULL };
	g_autofree char *auth = NULL, *env = NULL, *hdr = NULL;
	int n = 0;

	if (cfg->sender_auth & SENDER_AUTH_AUTH && req->auth_authen != NULL &&
	    (auth = addr_normalize(req->auth_authen)) != NULL)
		candidates[n++] = auth;
	if (cfg->sender_auth & SENDER_AUTH_DMARC && cfg->authserv_id != NULL &&
	    (hdr = share_dmarc_author(cfg, req->qid, msg)) != NULL)
		candidates[n++] = hdr;
	if (cfg->sender_auth & SENDER_AUTH_ANY &&
	    (env = addr_normalize(req->envelope_from)) != NULL)
		candidates[n++] = env;
	for (int i = 0; i < n; i++) {
		Member *m =
		    store_member_by_address(store, candidates[i], error);

		if (m != NULL || (error != NULL && *error != NULL))
			return m;
	}
	if (n > 0)
		*claimed = g_strdup(candidates[0]);
	else if ((*claimed = addr_normalize(req->envelope_from)) == NULL)
		*claimed = g_strdup("the sender");
	return NULL;
}

/* resolve_friend - the friend a share recipient names; NULL + verdict
 * when it names nobody we can introduce */
static Friend *
resolve_friend(const Config *cfg, Store *store, const char *qid,
    const char *rcpt, ShareVerdict **verdict)
{
	g_autofree char *target = NULL;
	g_autoptr(Member) m = NULL;
	g_autoptr(GError) error = NULL;
	gboolean direct = FALSE;
	g_autofree char *plain = without_direct(rcpt, &direct);
	Friend *f;
	ShareAddrKind kind =
	    addr_parse_share(plain, cfg->domain, cfg->share_localpart, &target);

	if (kind == SHARE_ADDR_HANDLE) {
		m = store_member_by_handle(store, target, &error);
	} else if (kind == SHARE_ADDR_ADDRESS) {
		AddrProblem problem;
		char *ok = addr_mailable(target, cfg->domain, &problem);

		if (ok == NULL) {
			*verdict = check_target(cfg, target);
			return NULL;
		}
		g_free(target);
		target = ok;
		m = store_member_by_address(store, target, &error);
	} else {
		*verdict = share_check_rcpt(cfg, store, qid, rcpt);
		if (*verdict == NULL)
			*verdict = share_verdict_new(
			    550, "5.1.1", "Not a share address");
		return NULL;
	}
	if (error != NULL) {
		*verdict = store_failed(qid, "friend lookup", error);
		return NULL;
	}
	if (kind == SHARE_ADDR_HANDLE && m == NULL) {
		*verdict = share_check_rcpt(cfg, store, qid, rcpt);
		return NULL;
	}
	f = g_new0(Friend, 1);
	f->rcpt = g_strdup(rcpt);
	f->address = g_strdup(m != NULL ? m->address : target);
	f->name = g_strdup(m != NULL ? m->name : NULL);
	f->direct = direct;
	return f;
}

/* origin_key - what identifies the forwarded message across retries */
static char *
origin_key(const Forward *fwd)
{
	const FwdMessage *o = fwd->original;
	g_autoptr(GChecksum) sum = NULL;

	if (o->message_id != NULL)
		return g_strconcat("mid:", o->message_id, NULL);
	sum = g_checksum_new(G_CHECKSUM_SHA256);
	/* fields separated by a byte no clean text contains */
	const char *parts[] = { o->from != NULL ? o->from->address : NULL,
		o->subject, o->date_raw, o->body };
	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
		if (parts[i] != NULL)
			g_checksum_update(sum, (const guchar *)parts[i],
			    (gssize)strlen(parts[i]));
		g_checksum_update(sum, (const guchar *)"\x01", 1);
	}
	return g_strconcat("sha256:", g_checksum_get_string(sum), NULL);
}

/* requester_clear - release what a Requester holds */
static void
requester_clear(Requester *r)
{
	g_clear_pointer(&r->address, g_free);
	g_clear_pointer(&r->name, g_free);
	g_clear_pointer(&r->passed_by, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Requester, requester_clear)

/* layer_at - layer i of a forward: 0 the original, then its chain */
static const FwdMessage *
layer_at(const Forward *fwd, guint i)
{
	return i == 0 ? fwd->original : fwd->chain->pdata[i - 1];
}

/* asker_of - the mailbox of who asked and the layer they wrote: the
 * innermost layer with a From address, else the original's Reply-To
 * (transfer none); NULL when no layer shows an address */
static const FwdAddress *
asker_of(const Forward *fwd, guint *layer)
{
	const FwdMessage *o = fwd->original;

	for (guint i = fwd->chain->len + 1; i-- > 0;) {
		const FwdMessage *m = layer_at(fwd, i);

		if (m->from != NULL && m->from->address != NULL) {
			*layer = i;
			return m->from;
		}
	}
	*layer = 0;
	if (o->reply_to->len > 0 &&
	    ((FwdAddress *)o->reply_to->pdata[0])->address != NULL)
		return o->reply_to->pdata[0];
	return NULL;
}

/* listed - whether address is in list (of FwdAddress *), no case */
static gboolean
listed(const GPtrArray *list, const char *address)
{
	for (guint i = 0; i < list->len; i++)
		if (g_ascii_strcasecmp(
			((const FwdAddress *)list->pdata[i])->address,
			address) == 0)
			return TRUE;
	return FALSE;
}

/* passers_of - who passed the request on between the asker (layer
 * `from`) and the member, nearest the asker first; never the asker or
 * the member, each once, at most REQUESTER_MAX_PASSERS */
static GPtrArray *
passers_of(
    const Forward *fwd, guint from, const char *asker, const char *member)
{
	GPtrArray *list = g_ptr_array_new();

	for (guint i = from; i-- > 0 && list->len < REQUESTER_MAX_PASSERS;) {
		const FwdAddress *a = layer_at(fwd, i)->from;

		if (a == NULL || a->address == NULL ||
		    g_ascii_strcasecmp(a->address, asker) == 0 ||
		    g_ascii_strcasecmp(a->address, member) == 0 ||
		    listed(list, a->address))
			continue;
		g_ptr_array_add(list, (gpointer)a);
	}
	return list;
}

/* find_requester - who asked, as the gateway will mail them, into r;
 * FALSE and a 550 5.6.0 verdict when no layer shows a mailbox it may
 * mail */
static gboolean
find_requester(const Config *cfg, const Forward *fwd, const Member *sharer,
    Requester *r, ShareVerdict **verdict)
{
	AddrProblem problem;
	guint layer = 0;
	const FwdAddress *who = asker_of(fwd, &layer);

	if (who == NULL) {
		*verdict = share_verdict_new(550, "5.6.0",
		    "The forwarded message does not show the address of who "
		    "sent it; forward it as an attachment so the address is "
		    "kept");
		return FALSE;
	}
	r->address = addr_mailable(who->address, cfg->domain, &problem);
	if (r->address == NULL && problem == ADDR_OWN_DOMAIN)
		*verdict = share_verdict_new(550, "5.6.0",
		    "The forwarded message comes from %s itself; forward the "
		    "original request instead",
		    cfg->domain);
	else if (r->address == NULL)
		*verdict = share_verdict_new(550, "5.6.0",
		    "The forwarded message comes from %s, who cannot be "
		    "introduced: %s",
		    who->address, addr_problem_text(problem));
	if (r->address == NULL)
		return FALSE;
	/* a display name that holds an address would pass for another
	 * person's address in the introduction: no name then */
	if (who->name != NULL && strchr(who->name, '@') == NULL)
		r->name = g_strdup(who->name);
	r->layer = layer_at(fwd, layer);
	r->passed_by = passers_of(fwd, layer, r->address, sharer->address);
	return TRUE;
}

/* check_people - refuse introductions that make no sense, or that would
 * need SMTPUTF8 for a member's address */
static ShareVerdict *
check_people(const Member *sharer, const Friend *f, const Requester *req)
{
	if (!g_str_is_ascii(sharer->address) || !g_str_is_ascii(f->address))
		return share_verdict_new(550, "5.6.0",
		    "The address %s is not ASCII, and this gateway does not "
		    "send internationalised (SMTPUTF8) mail; ask the operator "
		    "to record an ASCII address",
		    g_str_is_ascii(sharer->address) ? f->address
						    : sharer->address);
	if (g_ascii_strcasecmp(f->address, sharer->address) == 0)
		return share_verdict_new(550, "5.7.1",
		    "You cannot share with yourself; address the share to "
		    "the friend who should get it");
	if (g_ascii_strcasecmp(f->address, req->address) == 0)
		return share_verdict_new(550, "5.7.1",
		    "The friend you named (%s) is the person who sent the "
		    "original message; share it with someone else",
		    f->address);
	return NULL;
}

/* passers - "Ann Lee, Bob Ray": who passed the request on, or NULL */
static char *
passers(const GPtrArray *passed_by)
{
	GString *out;

	if (passed_by == NULL || passed_by->len == 0)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < passed_by->len; i++) {
		const FwdAddress *a = g_ptr_array_index(passed_by, i);

		g_string_append_printf(out, "%s%s", i ? ", " : "",
		    a->name != NULL ? a->name : a->address);
	}
	return g_string_free(out, FALSE);
}

/* request_date - the request's date in seconds, or 0 */
static gint64
request_date(const FwdMessage *m)
{
	g_autoptr(GDateTime) t = NULL;

	if (m == NULL || m->date == NULL)
		return 0;
	t = g_date_time_new_from_iso8601(m->date, NULL);
	return t != NULL ? g_date_time_to_unix(t) : 0;
}

/* build_share - the share for one friend, with the facts every mail
 * about it is written from, and the rows to record with it (flow/);
 * nothing is rendered here: the worker writes the mail. NULL + verdict */
static Share *
build_share(const Config *cfg, const ShareRequest *req, GMimeMessage *msg,
    const Forward *fwd, const Member *sharer, const Requester *rq,
    const Friend *f, const char *key, GPtrArray **items, ShareVerdict **verdict)
{
	const FwdMessage *layer = rq->layer != NULL ? rq->layer : fwd->original;
	const char *mid = g_mime_message_get_message_id(msg);
	Share *s;

	*verdict = check_people(sharer, f, rq);
	if (*verdict != NULL)
		return NULL;
	s = share_new();
	s->sharer = g_strdup(sharer->address);
	s->member_name = g_strdup(sharer->name);
	s->recipient = g_strdup(f->address);
	s->recipient_name = g_strdup(f->name);
	s->requester = g_strdup(rq->address);
	s->requester_name = g_strdup(rq->name);
	s->subject = g_strdup(
	    layer->subject != NULL ? layer->subject : fwd->original->subject);
	s->note = g_strdup(fwd->note);
	/* bounded: the mail quotes two or three lines of it */
	s->request_text = util_utf8_head(layer->body, 4096);
	s->request_date = request_date(layer);
	s->passed_by = passers(rq->passed_by);
	s->origin_message_id = g_strdup(mid);
	s->origin_key = g_strdup(key);
	s->queue_id = g_strdup(req->qid);
	flow_share_begin(cfg, s, flow_mode(cfg, sharer, f->direct), util_now());
	*items = flow_first_items(cfg, s, sharer);
	return s;
}

/* over_limit - a 450 4.7.1 when a new share would pass a rate limit */
static ShareVerdict *
over_limit(const Config *cfg, Store *store, const ShareRequest *req,
    const Member *sharer, const Friend *f, const char *requester,
    const char *key, guint pending)
{
	g_autoptr(GError) error = NULL;
	gint64 now = util_now(), n = 0, open = 0;
	gboolean exists = FALSE;
	gboolean ask = g_strcmp0(flow_mode(cfg, sharer, f->direct), "ask") == 0;

	if (!store_share_exists(
		store, sharer->address, f->address, key, &exists, &error))
		return store_failed(req->qid, "duplicate check", error);
	if (exists) /* an MTA retry is never limited */
		return NULL;
	/* an open request of this requester to this friend: the share is
	 * merged into it and asks the friend nothing, so the friend's
	 * limits do not count it (the store decides the merge itself; a
	 * request answered meanwhile makes it a new one, under 450s the
	 * friend's next share would have met anyway) */
	if (ask && !store_share_open_for_pair(
		       store, requester, f->address, &open, &error))
		return store_failed(req->qid, "open request check", error);
	if (cfg->shares_per_hour > 0 &&
	    store_share_count_by_sharer(
		store, sharer->address, now - 3600, &n, &error) &&
	    n + pending >= cfg->shares_per_hour)
		return share_verdict_new(450, "4.7.1",
		    "You have shared %u times in the last hour, the limit "
		    "here; your mail server will try again later",
		    cfg->shares_per_hour);
	if (error == NULL && cfg->shares_per_day > 0 &&
	    store_share_count_by_sharer(
		store, sharer->address, now - 86400, &n, &error) &&
	    n + pending >= cfg->shares_per_day)
		return share_verdict_new(450, "4.7.1",
		    "You have shared %u times today, the limit here; your "
		    "mail server will try again later",
		    cfg->shares_per_day);
	if (error == NULL && open == 0 && cfg->intros_per_friend_per_week > 0 &&
	    store_share_count_to_recipient(
		store, f->address, now - 7 * 86400, &n, &error) &&
	    n >= cfg->intros_per_friend_per_week)
		return share_verdict_new(450, "4.7.1",
		    "The friend you named has had %u introductions this "
		    "week, the limit here; your mail server will try again "
		    "later",
		    cfg->intros_per_friend_per_week);
	if (error == NULL && open == 0 &&
	    cfg->consent_requests_per_friend_per_week > 0 && ask &&
	    store_share_count_asked(
		store, f->address, now - 7 * 86400, &n, &error) &&
	    n >= cfg->consent_requests_per_friend_per_week)
		return share_verdict_new(450, "4.7.1",
		    "The friend you named has been asked %u times this week, "
		    "the limit here; your mail server will try again later",
		    cfg->consent_requests_per_friend_per_week);
	if (error != NULL)
		return store_failed(req->qid, "rate limit count", error);
	return NULL;
}

/* record_in_store - every share with its intro, in ONE transaction;
 * counts what was new and what an MTA retry had recorded before */
static gboolean
record_in_store(const Config *cfg, Store *store, const ShareRequest *req,
    const Forward *fwd, GPtrArray *shares, GPtrArray *lists, GPtrArray *merged,
    ShareVerdict *ok, GError **error)
{
	g_autofree gboolean *created = g_new0(gboolean, shares->len);

	/* the webhooks of share.recorded commit with their share; a share
	 * merged into another member's open request queues its merged
	 * list instead (flow_merged_items()) */
	if (!store_shares_record_merge(store, shares, lists, merged,
		sender_webhook_share_items, (gpointer)cfg, created, error))
		return FALSE;
	for (guint i = 0; i < shares->len; i++) {
		Share *s = shares->pdata[i];
		g_autofree char *rq = util_header_safe(s->requester, 200);

		log_info(req->qid,
		    "share %s id=%" G_GINT64_FORMAT " sharer=%s friend=%s "
		    "requester=%s kind=%s",
		    created[i]  ? "recorded"
		    : s->merged ? "merged"
				: "duplicate",
		    s->id, s->sharer, s->recipient, rq,
		    forward_kind_name(fwd->kind));
		if (created[i])
			ok->created++;
		else if (s->merged)
			ok->merged++;
		else
			ok->duplicates++;
	}
	return TRUE;
}

/* record - store each share with its intro; fills the verdict's counts */
static ShareVerdict *
record(const Config *cfg, Store *store, const ShareRequest *req,
    GMimeMessage *msg, const Forward *fwd, const Member *sharer,
    const Requester *rq, GPtrArray *friends)
{
	g_autoptr(ShareVerdict) ok = share_verdict_new(0, NULL, NULL);
	g_autoptr(GError) error = NULL;

	g_autofree char *from =
	    g_strdup_printf("%s@%s", cfg->from_localpart, cfg->domain);

	if (!addr_is_safe(from)) {
		/* the gateway's mistake, not the member's: keep the mail */
		log_error(req->qid, "no safe sender address for its mail: "
				    "check [gateway] domain and [sender] "
				    "from_localpart");
		return share_verdict_new(451, "4.3.5",
		    "This gateway is misconfigured; your mail server will try "
		    "again later");
	}
	/* check every friend first: a refusal must leave nothing behind */
	g_autoptr(GPtrArray) shares =
	    g_ptr_array_new_with_free_func((GDestroyNotify)share_free);
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GPtrArray) merged =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autofree char *key = origin_key(fwd);

	for (guint i = 0; i < friends->len; i++) {
		GPtrArray *items = NULL;
		ShareVerdict *v = over_limit(cfg, store, req, sharer,
		    friends->pdata[i], rq->address, key, i);
		Share *s;

		if (v != NULL)
			return v;
		s = build_share(cfg, req, msg, fwd, sharer, rq,
		    friends->pdata[i], key, &items, &v);
		if (s == NULL)
			return v;
		g_ptr_array_add(shares, s);
		g_ptr_array_add(lists, items);
		g_ptr_array_add(merged, flow_merged_items(cfg, s, sharer));
	}
	if (!record_in_store(
		cfg, store, req, fwd, shares, lists, merged, ok, &error))
		return store_failed(req->qid, "share record", error);
	for (guint i = 0; i < friends->len; i++)
		g_ptr_array_add(ok->consumed,
		    g_strdup(((Friend *)friends->pdata[i])->rcpt));
	return g_steal_pointer(&ok);
}

/* no_forward - the reply when no forwarded message was found */
static ShareVerdict *
no_forward(const Config *cfg)
{
	return share_verdict_new(550, "5.6.0",
	    "No forwarded message found: use your mail program's Forward "
	    "button (inline or as attachment) on the original request and "
	    "send that to %s+NAME@%s",
	    cfg->share_localpart, cfg->domain);
}

/* message_stream - the message for GMime: its bytes, or its file read
 * in place (parts then refer into the file instead of being copied) */
static GMimeStream *
message_stream(const ShareRequest *req)
{
	int fd;

	if (req->data != NULL)
		return g_mime_stream_mem_new_with_buffer(req->data, req->len);
	fd = dup(req->fd); /* the stream closes its own */
	if (fd < 0) {
		log_error(req->qid, "cannot read the spooled message: %s",
		    g_strerror(errno));
		return NULL;
	}
	return g_mime_stream_fs_new_with_bounds(fd, 0, (gint64)req->len);
}

/* check_suppressed - refuse a share that would mail an address which
 * bounced for good before (store_suppression_has()); NULL: go on */
static ShareVerdict *
check_suppressed(Store *store, const char *qid, const char *address)
{
	g_autoptr(GError) error = NULL;
	gboolean gone = FALSE;

	if (!store_suppression_has(store, address, &gone, &error))
		return store_failed(qid, "suppression lookup", error);
	if (!gone)
		return NULL;
	log_info(qid, "refused: suppressed address=%s", address);
	return share_verdict_new(550, "5.1.1",
	    "Mail to %s was refused for good before (the mailbox does not "
	    "exist), so an introduction could not reach them; check the "
	    "address, or share with someone else",
	    address);
}

/* screen - machine mail: automatic mail (or the null sender) is
 * consumed silently, no loops; list and bulk mail is refused, so that
 * whoever sent it through a list learns why; NULL for a person's mail */
static ShareVerdict *
screen(const Config *cfg, const ShareRequest *req, GMimeMessage *msg)
{
	const char *list;

	if (req->envelope_from == NULL || *req->envelope_from == '\0' ||
	    strcmp(req->envelope_from, "<>") == 0 || share_is_automatic(msg)) {
		ShareVerdict *v = share_verdict_new(0, NULL, NULL);

		log_info(req->qid, "ignored: automatic mail is never shared");
		for (guint i = 0; i < req->share_rcpts->len; i++)
			g_ptr_array_add(
			    v->consumed, g_strdup(req->share_rcpts->pdata[i]));
		return v;
	}
	if ((list = share_list_field(msg)) != NULL) {
		log_info(req->qid, "refused: list or bulk mail (%s)", list);
		return share_verdict_new(550, "5.7.1",
		    "This message came through a mailing list or from a bulk "
		    "sender (it has a %s field), and such mail is not shared; "
		    "forward the original yourself, from your own mailbox, to "
		    "%s+NAME@%s",
		    list, cfg->share_localpart, cfg->domain);
	}
	return NULL;
}

/* from_address - the first mailbox of the message's From, or NULL */
static char *
from_address(GMimeMessage *msg)
{
	InternetAddressList *l = g_mime_message_get_from(msg);
	InternetAddress *a;

	if (l == NULL || internet_address_list_length(l) < 1)
		return NULL;
	a = internet_address_list_get_address(l, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(a))
		return NULL;
	return addr_normalize(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
}

/* answer - a reply to intro+TOKEN@: the friend's yes or no. Only the
 * friend's own address counts: the DMARC-verified author where dmarc
 * is configured, else the envelope sender or From */
static ShareVerdict *
answer(const Config *cfg, Store *store, const ShareRequest *req,
    GMimeMessage *msg, const char *token)
{
	g_autofree char *env = addr_normalize(req->envelope_from);
	g_autofree char *from = NULL;
	g_autoptr(ReplyVerdict) rv = NULL;
	g_autoptr(GError) error = NULL;
	const char *senders[3] = { NULL, NULL, NULL };
	ShareVerdict *ok;
	FlowReply r;

	if (cfg->sender_auth & SENDER_AUTH_DMARC && cfg->authserv_id != NULL) {
		from = share_dmarc_author(cfg, req->qid, msg);
		senders[0] = from;
	} else {
		from = from_address(msg);
		senders[0] = env;
		senders[1] = from;
	}
	rv = reply_decide(msg, NULL);
	r = flow_reply(cfg, store, token, senders,
	    rv != NULL ? rv->decision : REPLY_UNCLEAR,
	    rv != NULL ? rv->reason : NULL, util_now(), &error);
	if (error != NULL)
		return store_failed(req->qid, "consent answer", error);
	if (r == FLOW_REPLY_UNKNOWN) {
		log_info(req->qid, "refused: unknown reply address");
		return share_verdict_new(550, "5.1.1",
		    "This reply address is unknown here or no longer in use; "
		    "answer the consent request's own mail");
	}
	if (r == FLOW_REPLY_STRANGER) {
		g_autofree char *who = util_header_safe(env ? env : "?", 200);

		log_info(req->qid,
		    "refused: answer not from the friend from=%s", who);
		return share_verdict_new(550, "5.7.1",
		    "Only the person this request was sent to can answer it, "
		    "from their own address");
	}
	log_info(req->qid, "answer %s decision=%s",
	    r == FLOW_REPLY_ACCEPTED   ? "accepted"
	    : r == FLOW_REPLY_DECLINED ? "declined"
	    : r == FLOW_REPLY_UNCLEAR  ? "unclear"
				       : "already answered",
	    rv != NULL ? reply_decision_name(rv->decision) : "unclear");
	ok = share_verdict_new(0, NULL, NULL);
	for (guint i = 0; i < req->share_rcpts->len; i++)
		g_ptr_array_add(
		    ok->consumed, g_strdup(req->share_rcpts->pdata[i]));
	return ok;
}

/* reply_to_token - the one TOKEN when the recipients are intro+TOKEN@;
 * NULL when none is; *mixed when some are and some are not */
static char *
reply_to_token(const Config *cfg, const ShareRequest *req, gboolean *mixed)
{
	char *token = NULL;
	guint n = 0;

	*mixed = FALSE;
	for (guint i = 0; i < req->share_rcpts->len; i++) {
		g_autofree char *t =
		    reply_token(cfg, req->share_rcpts->pdata[i]);

		if (t == NULL)
			continue;
		n++;
		if (token == NULL)
			token = g_steal_pointer(&t);
	}
	*mixed = n > 0 && n != req->share_rcpts->len;
	return token;
}

/* share_process - parse, authorise, resolve and record a share, or
 * take a friend's answer to a consent request; nothing is rendered */
ShareVerdict *
share_process(const Config *cfg, Store *store, const ShareRequest *req)
{
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(Forward) fwd = NULL;
	g_autoptr(Member) sharer = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) friends = NULL;
	g_auto(Requester) rq = { NULL, NULL, NULL, NULL };
	g_autofree char *claimed = NULL;
	g_autofree char *token = NULL;
	gboolean mixed = FALSE;
	ShareVerdict *refusal = NULL;

	g_return_val_if_fail(cfg != NULL && store != NULL && req != NULL, NULL);
	if ((refusal = unsub_process(cfg, store, req)) != NULL)
		return refusal; /* unsubscribe+TOKEN@: milter/unsub.c */
	stream = message_stream(req);
	if (stream == NULL)
		return share_verdict_new(451, "4.3.0",
		    "Temporary failure reading your message; please try "
		    "again later");
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL)
		return share_verdict_new(
		    550, "5.6.0", "This is not a readable mail message");
	if ((refusal = screen(cfg, req, msg)) != NULL)
		return refusal;
	token = reply_to_token(cfg, req, &mixed);
	if (mixed)
		return share_verdict_new(550, "5.5.1",
		    "Send an answer to a consent request on its own, not with "
		    "a share in the same message");
	if (token != NULL)
		return answer(cfg, store, req, msg, token);
	sharer = find_sharer(cfg, store, req, msg, &claimed, &error);
	if (error != NULL)
		return store_failed(req->qid, "member lookup", error);
	if (sharer == NULL) {
		g_autofree char *who = util_header_safe(claimed, 200);

		log_info(req->qid, "refused: not a member from=%s auth=%s", who,
		    req->auth_authen != NULL ? "yes" : "no");
		return share_verdict_new(550, "5.7.1",
		    "Only members can share, and %s is not a member who signed "
		    "in here; send from your member address with SMTP "
		    "authentication, or ask the operator to add you",
		    who);
	}
	fwd = parser_parse_message(msg, &error);
	if (fwd == NULL || !fwd->forwarded)
		return no_forward(cfg);
	if (!find_requester(cfg, fwd, sharer, &rq, &refusal))
		return refusal;
	if ((refusal = check_suppressed(store, req->qid, rq.address)) != NULL)
		return refusal;
	friends = g_ptr_array_new_with_free_func((GDestroyNotify)friend_free);
	for (guint i = 0; i < req->share_rcpts->len; i++) {
		ShareVerdict *v = NULL;
		Friend *f = resolve_friend(
		    cfg, store, req->qid, req->share_rcpts->pdata[i], &v);

		if (f == NULL)
			return v;
		g_ptr_array_add(friends, f);
		if ((v = check_suppressed(store, req->qid, f->address)) != NULL)
			return v;
	}
	return record(cfg, store, req, msg, fwd, sharer, &rq, friends);
}
