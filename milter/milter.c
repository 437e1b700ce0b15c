/*
 * milter.c - libmilter callbacks: collect share mail, reply with verdicts
 *
 * Trust: the MTA is trusted for the envelope and the macros it sends
 * ({auth_authen}, i); the message itself is untrusted and only reaches
 * the parser through share_process(). Callbacks never exit, abort or
 * make network calls; every failure becomes a reply.
 * Privilege: runs as the daemon's user after main() dropped root.
 */
#include "config.h"

#include <gio/gio.h>
#include <libmilter/mfapi.h>
#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/mimescan.h"
#include "common/util.h"
#include "milter/milter.h"
#include "milter/share.h"
#include "milter/spool.h"

/* The config in force, shared by reference so a reload frees nothing in
 * use: each callback takes a reference for its own duration. */
typedef struct {
	Config *cfg;
} ConfigRef;

static GMutex rt_lock;
static ConfigRef *rt_cfg;
static Store *rt_store;
static SenderWorker *rt_worker;

/* Messages between MAIL FROM and their end, for a graceful stop. */
static GMutex flight_lock;
static GCond flight_cond;
static guint in_flight;
static gboolean stopping;

/* Per connection (smfi_setpriv); one message at a time. */
typedef struct {
	unsigned long steps; /* negotiated SMFIP_* */
	char *qid;
	char *auth_authen;
	char *envfrom;
	GPtrArray *share_rcpts; /* as the MTA wrote them */
	guint other_rcpts;
	Spool *spool;     /* the share message, while collected */
	MimeScan *scan;   /* its MIME structure, counted as it comes */
	char *mime_over;  /* the limit it passed ("more than ..."), or NULL */
	gboolean too_big; /* past max_message_size */
	gboolean spool_failed; /* the spool file could not be written */
	gboolean flying;       /* counted in in_flight */
	gboolean stopping;     /* began while the daemon stops: refuse */
} ConnCtx;

/* config_ref_clear - drop the Config of a ConfigRef */
static void
config_ref_clear(gpointer p)
{
	config_free(((ConfigRef *)p)->cfg);
}

/* box_config - a new reference-counted holder for cfg */
static ConfigRef *
box_config(Config *cfg)
{
	ConfigRef *ref = g_atomic_rc_box_new0(ConfigRef);

	ref->cfg = cfg;
	return ref;
}

/* config_acquire - a reference to the config in force */
static ConfigRef *
config_acquire(void)
{
	ConfigRef *ref;

	g_mutex_lock(&rt_lock);
	ref = g_atomic_rc_box_acquire(rt_cfg);
	g_mutex_unlock(&rt_lock);
	return ref;
}

/* config_release - give a reference back */
static void
config_release(ConfigRef *ref)
{
	g_atomic_rc_box_release_full(ref, config_ref_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ConfigRef, config_release)

/* milter_runtime_set - what the callbacks work with */
void
milter_runtime_set(Config *cfg, Store *store, SenderWorker *worker)
{
	g_mutex_lock(&rt_lock);
	rt_cfg = box_config(cfg);
	rt_store = store;
	rt_worker = worker;
	g_mutex_unlock(&rt_lock);
}

/* milter_set_worker - replace the sender worker to wake (or NULL) */
void
milter_set_worker(SenderWorker *worker)
{
	g_mutex_lock(&rt_lock);
	rt_worker = worker;
	g_mutex_unlock(&rt_lock);
}

/* milter_reload - put a new config in force */
void
milter_reload(Config *cfg)
{
	ConfigRef *old;

	g_mutex_lock(&rt_lock);
	old = rt_cfg;
	rt_cfg = box_config(cfg);
	g_mutex_unlock(&rt_lock);
	if (old != NULL)
		config_release(old);
}

/* milter_runtime_clear - drop the config after smfi_main() returned */
void
milter_runtime_clear(void)
{
	milter_reload(NULL);
	g_mutex_lock(&rt_lock);
	config_release(rt_cfg);
	rt_cfg = NULL;
	rt_store = NULL;
	rt_worker = NULL;
	g_mutex_unlock(&rt_lock);
}

/* wake_sender - tell the outbox worker there is mail */
static void
wake_sender(void)
{
	g_mutex_lock(&rt_lock);
	if (rt_worker != NULL)
		sender_worker_wake(rt_worker);
	g_mutex_unlock(&rt_lock);
}

/* flight_begin - a message starts; FALSE when the daemon is stopping */
static gboolean
flight_begin(ConnCtx *c)
{
	gboolean ok;

	g_mutex_lock(&flight_lock);
	ok = !stopping;
	if (ok && !c->flying) {
		c->flying = TRUE;
		in_flight++;
	}
	g_mutex_unlock(&flight_lock);
	return ok;
}

/* flight_end - the message is done, one way or another */
static void
flight_end(ConnCtx *c)
{
	g_mutex_lock(&flight_lock);
	if (c->flying) {
		c->flying = FALSE;
		in_flight--;
		/* only milter_wait_idle() waits, and only once stopping:
		 * GLib's signal is a system call even with nobody waiting */
		if (stopping)
			g_cond_broadcast(&flight_cond);
	}
	g_mutex_unlock(&flight_lock);
}

/* milter_begin_stop - refuse new messages from now on */
void
milter_begin_stop(void)
{
	g_mutex_lock(&flight_lock);
	stopping = TRUE;
	g_mutex_unlock(&flight_lock);
}

/* milter_wait_idle - wait until no message is in flight; FALSE on timeout */
gboolean
milter_wait_idle(guint seconds)
{
	gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
	gboolean idle;

	g_mutex_lock(&flight_lock);
	while (in_flight > 0 &&
	       g_cond_wait_until(&flight_cond, &flight_lock, deadline))
		;
	idle = in_flight == 0;
	g_mutex_unlock(&flight_lock);
	return idle;
}

/* message_reset - forget the current message, keep the connection */
static void
message_reset(ConnCtx *c)
{
	flight_end(c);
	g_clear_pointer(&c->qid, g_free);
	g_clear_pointer(&c->auth_authen, g_free);
	g_clear_pointer(&c->envfrom, g_free);
	g_clear_pointer(&c->share_rcpts, g_ptr_array_unref);
	g_clear_pointer(&c->spool, spool_free);
	g_clear_pointer(&c->scan, mimescan_free);
	g_clear_pointer(&c->mime_over, g_free);
	c->other_rcpts = 0;
	c->stopping = FALSE;
	c->too_big = FALSE;
	c->spool_failed = FALSE;
}

/* conn_get - this connection's context, made on first use */
static ConnCtx *
conn_get(SMFICTX *ctx)
{
	ConnCtx *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = g_new0(ConnCtx, 1);
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* remember_qid - copy the queue id when the MTA has one by now */
static void
remember_qid(SMFICTX *ctx, ConnCtx *c)
{
	const char *qid = smfi_getsymval(ctx, (char *)"i");

	if (qid != NULL && (c->qid == NULL || strcmp(c->qid, qid) != 0)) {
		g_free(c->qid);
		c->qid = util_header_safe(qid, 64);
	}
}

/* reply - set an SMTP reply; '%' doubled as smfi_setreply() wants */
static sfsistat
reply(
    SMFICTX *ctx, const char *qid, int code, const char *dsn, const char *text)
{
	char rcode[4];
	char xcode[16];
	g_autoptr(GString) msg = g_string_new(NULL);

	g_snprintf(rcode, sizeof rcode, "%03d", code);
	g_strlcpy(xcode, dsn, sizeof xcode);
	for (const char *p = text; *p; p++) {
		if (*p == '%')
			g_string_append_c(msg, '%');
		g_string_append_c(msg, *p);
	}
	if (smfi_setreply(ctx, rcode, xcode, msg->str) != MI_SUCCESS)
		log_warn(qid, "reply not set: %s %s", rcode, xcode);
	log_info(qid, "reply %s %s %s", rcode, xcode, text);
	return code >= 500 ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* mlfi_negotiate - ask only for the stages and replies we use */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	ConnCtx *c = conn_get(ctx);
	/* no reply to MAIL either: every message pays a round trip per
	 * reply, and MAIL's only refusal (a stop) can wait for RCPT */
	unsigned long want = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOUNKNOWN |
			     SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
			     SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_HDR_LEADSPC;

	(void)f2;
	(void)f3;
	if ((f0 & SMFIF_DELRCPT) == 0) {
		log_error(NULL, "the MTA does not offer to delete recipients");
		return SMFIS_REJECT;
	}
	*pf0 = SMFIF_DELRCPT | (f0 & SMFIF_SETSYMLIST);
	*pf1 = f1 & want;
	*pf2 = 0;
	*pf3 = 0;
	c->steps = *pf1;
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_ENVFROM, (char *)"i {auth_authen}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, (char *)"i");
		smfi_setsymlist(ctx, SMFIM_DATA, (char *)"i");
		smfi_setsymlist(ctx, SMFIM_EOM, (char *)"i");
	}
	return SMFIS_CONTINUE;
}

/* mlfi_envfrom - a new message: remember the sender and the AUTH id */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	ConnCtx *c = conn_get(ctx);
	const char *auth = smfi_getsymval(ctx, (char *)"{auth_authen}");

	message_reset(c);
	remember_qid(ctx, c);
	c->stopping = !flight_begin(c); /* refused at RCPT */
	c->envfrom = g_strdup(argv[0] != NULL ? argv[0] : "");
	c->auth_authen = auth != NULL && *auth != '\0' ? g_strdup(auth) : NULL;
	c->share_rcpts = g_ptr_array_new_with_free_func(g_free);
	return (c->steps & SMFIP_NR_MAIL) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* mlfi_envrcpt - note share recipients; refuse bad ones right here */
static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	ConnCtx *c = conn_get(ctx);
	g_autoptr(ConfigRef) ref = config_acquire();
	g_autoptr(ShareVerdict) v = NULL;

	remember_qid(ctx, c);
	if (c->stopping)
		return reply(ctx, c->qid, 451, "4.3.2",
		    "The gateway is restarting; please try again shortly");
	if (argv[0] == NULL || c->share_rcpts == NULL)
		return SMFIS_CONTINUE;
	v = share_check_rcpt(ref->cfg, rt_store, c->qid, argv[0]);
	if (v == NULL) {
		c->other_rcpts++;
		return SMFIS_CONTINUE;
	}
	if (v->code != 0)
		return reply(ctx, c->qid, v->code, v->dsn, v->text);
	g_ptr_array_add(c->share_rcpts, g_strdup(argv[0]));
	return SMFIS_CONTINUE;
}

/* has_share - whether the current message goes to a share address */
static gboolean
has_share(const ConnCtx *c)
{
	return c->share_rcpts != NULL && c->share_rcpts->len > 0;
}

/* start_collect - make room for the share message, and its scanner */
static void
start_collect(ConnCtx *c)
{
	g_autoptr(ConfigRef) ref = config_acquire();
	MimeScanLimits lim = { ref->cfg->max_mime_parts,
		ref->cfg->max_mime_depth };

	c->spool = spool_new(ref->cfg->spool_threshold,
	    ref->cfg->max_message_size, ref->cfg->spool_dir);
	c->scan = mimescan_new(&lim);
}

/* mlfi_data - decide: no share recipient means nothing more to see */
static sfsistat
mlfi_data(SMFICTX *ctx)
{
	ConnCtx *c = conn_get(ctx);

	remember_qid(ctx, c);
	if (!has_share(c)) {
		message_reset(c); /* no more callbacks for this message */
		return SMFIS_ACCEPT;
	}
	start_collect(c);
	return SMFIS_CONTINUE;
}

/* mime_check - count the bytes' MIME structure first: past a limit
 * nothing more is kept (GMime would build one object per part) */
static gboolean
mime_check(ConnCtx *c, const void *data, size_t len, gboolean end)
{
	g_autoptr(GError) error = NULL;

	if (c->mime_over != NULL)
		return FALSE;
	if (c->scan == NULL ||
	    (end ? mimescan_finish(c->scan, &error)
		 : mimescan_feed(c->scan, data, len, &error)))
		return TRUE;
	c->mime_over = g_strdup(error->message);
	log_info(c->qid, "refused: MIME limit: %s", c->mime_over);
	return FALSE;
}

/* append - add bytes to the message, within the size and MIME caps */
static gboolean
append(ConnCtx *c, const void *data, size_t len)
{
	g_autoptr(GError) error = NULL;

	if (c->too_big || c->spool_failed || c->spool == NULL ||
	    !mime_check(c, data, len, FALSE))
		return FALSE;
	if (spool_append(c->spool, data, len, &error))
		return TRUE;
	if (g_error_matches(error, SPOOL_ERROR, SPOOL_ERROR_TOO_BIG))
		c->too_big = TRUE;
	else {
		c->spool_failed = TRUE;
		log_error(c->qid, "%s", error->message);
	}
	return FALSE;
}

/* refuse - the reply for a message that could not be collected: 554
 * past a MIME limit, 552 when too big, 451 when the spool failed (the
 * MTA keeps it) */
static sfsistat
refuse(SMFICTX *ctx, ConnCtx *c)
{
	g_autoptr(ConfigRef) ref = NULL;
	g_autofree char *text = NULL;

	if (c->mime_over != NULL) {
		text =
		    g_strdup_printf("This message has %s, which this gateway "
				    "does not read; forward the original "
				    "request alone",
			c->mime_over);
		return reply(ctx, c->qid, 554, "5.6.0", text);
	}
	if (!c->too_big)
		return reply(ctx, c->qid, 451, "4.3.0",
		    "Temporary failure storing your message; please try "
		    "again later");
	ref = config_acquire();
	text = g_strdup_printf("This message is larger than %" G_GUINT64_FORMAT
			       " bytes, the limit for sharing; forward just "
			       "the original request",
	    ref->cfg->max_message_size);
	return reply(ctx, c->qid, 552, "5.3.4", text);
}

/* mlfi_header - collect one header line of share mail */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	ConnCtx *c = conn_get(ctx);
	const char *sep = (c->steps & SMFIP_HDR_LEADSPC) ? ":" : ": ";
	sfsistat cont =
	    (c->steps & SMFIP_NR_HDR) ? SMFIS_NOREPLY : SMFIS_CONTINUE;

	if (c->spool == NULL) { /* an MTA without the DATA stage */
		if (!has_share(c)) {
			message_reset(c);
			return SMFIS_ACCEPT;
		}
		start_collect(c);
	}
	if (!append(c, name, strlen(name)) || !append(c, sep, strlen(sep)) ||
	    !append(c, value, strlen(value)) || !append(c, "\r\n", 2))
		log_debug(c->qid, "over a limit in the header");
	return cont; /* an oversized message is refused at body or EOM */
}

/* mlfi_eoh - the empty line between header and body */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	ConnCtx *c = conn_get(ctx);

	append(c, "\r\n", 2);
	return (c->steps & SMFIP_NR_EOH) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* mlfi_body - collect a body chunk; refuse at once past the cap */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	ConnCtx *c = conn_get(ctx);

	if (!append(c, chunk, len))
		return refuse(ctx, c);
	return SMFIS_CONTINUE;
}

/* apply_verdict - turn an accept verdict into milter actions */
static sfsistat
apply_verdict(SMFICTX *ctx, ConnCtx *c, const ShareVerdict *v)
{
	for (guint i = 0; i < v->consumed->len; i++) {
		if (smfi_delrcpt(ctx, v->consumed->pdata[i]) != MI_SUCCESS) {
			log_error(c->qid, "could not delete recipient %s",
			    (char *)v->consumed->pdata[i]);
			return reply(ctx, c->qid, 451, "4.3.0",
			    "Temporary failure; please try again later");
		}
	}
	if (v->created > 0 || v->merged > 0)
		wake_sender();
	if (c->other_rcpts == 0) {
		log_info(c->qid, "discard: share consumed, no other recipient");
		return SMFIS_DISCARD;
	}
	return SMFIS_ACCEPT;
}

/* collected - the message as the policy takes it: in memory, or the
 * spool file read in place (never mapped: a 2 MB share would count
 * 2 MB of resident memory while it is parsed) */
static gboolean
collected(ConnCtx *c, ShareRequest *req)
{
	g_autoptr(GError) error = NULL;

	if (spool_on_disk(c->spool)) {
		req->fd = spool_fd(c->spool);
		req->len = spool_size(c->spool);
		log_info(
		    c->qid, "spooled to disk size=%" G_GSIZE_FORMAT, req->len);
		return TRUE;
	}
	req->data = spool_map(c->spool, &req->len, &error);
	if (req->data == NULL)
		log_error(c->qid, "%s", error->message);
	return req->data != NULL;
}

/* mlfi_eom - hand the whole message to the share policy */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	ConnCtx *c = conn_get(ctx);
	g_autoptr(ConfigRef) ref = NULL;
	g_autoptr(ShareVerdict) v = NULL;
	ShareRequest req = { .fd = -1 };
	sfsistat rc;

	remember_qid(ctx, c);
	if (!has_share(c) || c->spool == NULL) {
		message_reset(c);
		return SMFIS_ACCEPT;
	}
	if (c->too_big || c->spool_failed || !mime_check(c, NULL, 0, TRUE) ||
	    !collected(c, &req)) {
		c->spool_failed = !c->too_big && c->mime_over == NULL;
		rc = refuse(ctx, c);
		message_reset(c);
		return rc;
	}
	ref = config_acquire();
	req.qid = c->qid;
	req.auth_authen = c->auth_authen;
	req.envelope_from = c->envfrom;
	req.share_rcpts = c->share_rcpts;
	v = share_process(ref->cfg, rt_store, &req);
	rc = v->code == 0 ? apply_verdict(ctx, c, v)
			  : reply(ctx, c->qid, v->code, v->dsn, v->text);
	message_reset(c);
	return rc;
}

/* mlfi_abort - the MTA gave up on this message */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	ConnCtx *c = smfi_getpriv(ctx);

	if (c != NULL)
		message_reset(c);
	return SMFIS_CONTINUE;
}

/* mlfi_close - the connection ended */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	ConnCtx *c = smfi_getpriv(ctx);

	if (c != NULL) {
		message_reset(c);
		g_free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)"passalong",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_DELRCPT,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_data = mlfi_data,
	.xxfi_negotiate = mlfi_negotiate,
};

/* milter_register - hand the callbacks to libmilter */
gboolean
milter_register(GError **error)
{
	if (smfi_register(desc) != MI_SUCCESS) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		    "smfi_register failed");
		return FALSE;
	}
	return TRUE;
}
