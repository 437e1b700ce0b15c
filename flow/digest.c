/*
 * digest.c - the weekly digest's schedule, facts and pass (see digest.h)
 *
 * Time is GLib's: GTimeZone over the system's tzdata, GDateTime for the
 * ISO week, the Monday and the member's hour, so daylight saving time
 * and zones ahead of UTC (Pacific/Auckland's week starts on Sunday in
 * UTC) come out right without arithmetic of our own. The store is
 * asked per batch, never per share; the only per-member statements are
 * the write that queues a digest (it must be its own transaction) and
 * the unsubscribe token of a member who has none yet (once per member,
 * ever).
 *
 * Trust: zone names, handles and tokens come from the store (written
 * by the operator's CLI, the tokens by us); names and subjects from
 * mail, passed to the renderer, which cleans and escapes them.
 */
#include "config.h"

#include <string.h>

#include "common/log.h"
#include "flow/digest.h"
#include "flow/flow.h"

G_DEFINE_QUARK(passalong_digest_error, digest_error)

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun" };

/* digest_day_number - "mon".."sun" 1..7, "never" 0, else -1 */
int
digest_day_number(const char *day)
{
	if (day == NULL)
		return -1;
	if (strcmp(day, "never") == 0)
		return 0;
	for (int i = 0; i < 7; i++)
		if (strcmp(day, day_names[i]) == 0)
			return i + 1;
	return -1;
}

/* zone_of - the member's zone (NULL: UTC), or NULL when unknown */
static GTimeZone *
zone_of(const char *tz)
{
	if (tz == NULL)
		return g_time_zone_new_utc();
	return g_time_zone_new_identifier(tz);
}

/* digest_zone_valid - a zone name GLib knows (not "" nor an offset
 * that is not a name: "+01:00" is taken, as GLib takes it) */
gboolean
digest_zone_valid(const char *tz)
{
	g_autoptr(GTimeZone) z = NULL;

	if (tz == NULL || *tz == '\0' || strlen(tz) > 64)
		return FALSE;
	z = g_time_zone_new_identifier(tz);
	return z != NULL;
}

/* iso_week - "YYYY-Www" of t */
static void
iso_week(GDateTime *t, char out[16])
{
	g_snprintf(out, 16, "%04d-W%02d",
	    g_date_time_get_week_numbering_year(t),
	    g_date_time_get_week_of_year(t));
}

/* digest_weeks_around - the weeks of now at the extreme offsets */
void
digest_weeks_around(gint64 now, char a[16], char b[16])
{
	g_autoptr(GDateTime) lo =
	    g_date_time_new_from_unix_utc(now - 12 * 3600);
	g_autoptr(GDateTime) hi =
	    g_date_time_new_from_unix_utc(now + 14 * 3600);

	iso_week(lo, a);
	iso_week(hi, b);
}

/* local_at - day (y, m, d) plus days, at hour:00 in zone */
static GDateTime *
local_at(GTimeZone *zone, GDateTime *day, int plus_days, int hour)
{
	g_autoptr(GDateTime) d = g_date_time_add_days(day, plus_days);

	return g_date_time_new(zone, g_date_time_get_year(d),
	    g_date_time_get_month(d), g_date_time_get_day_of_month(d), hour, 0,
	    0);
}

/* digest_when - the member's week and due moment at now */
gboolean
digest_when(const Config *cfg, const Member *m, gint64 now, DigestWhen *out,
    GError **error)
{
	g_autoptr(GTimeZone) zone = zone_of(m->tz);
	g_autoptr(GDateTime) utc = NULL;
	g_autoptr(GDateTime) t = NULL;
	g_autoptr(GDateTime) monday = NULL;
	g_autoptr(GDateTime) next = NULL;
	g_autoptr(GDateTime) due = NULL;
	g_autoptr(GDateTime) jan1 = NULL;
	const char *day =
	    m->digest_day != NULL ? m->digest_day : cfg->digest_day;
	int dn = digest_day_number(day);
	int hour = m->digest_hour >= 0 ? m->digest_hour : (int)cfg->digest_hour;

	memset(out, 0, sizeof *out);
	if (zone == NULL) {
		g_set_error(error, DIGEST_ERROR, DIGEST_ERROR_ZONE,
		    "%s: unknown time zone \"%s\"", m->address, m->tz);
		return FALSE;
	}
	if (dn < 0)
		dn = 1; /* the config refuses others: Monday, as the default */
	if (hour < 0 || hour > 23)
		hour = 8;
	utc = g_date_time_new_from_unix_utc(now);
	t = g_date_time_to_timezone(utc, zone);
	iso_week(t, out->week);
	/* Monday of this ISO week, 00:00 local (GLib moves a midnight that
	 * a DST change skips to the first moment that exists) */
	{
		g_autoptr(GDateTime) today = g_date_time_new(zone,
		    g_date_time_get_year(t), g_date_time_get_month(t),
		    g_date_time_get_day_of_month(t), 0, 0, 0);

		monday = g_date_time_add_days(
		    today, 1 - g_date_time_get_day_of_week(t));
	}
	next = local_at(zone, monday, 7, 0);
	out->week_start = g_date_time_to_unix(monday);
	out->week_end = g_date_time_to_unix(next);
	jan1 = g_date_time_new(zone, g_date_time_get_year(t), 1, 1, 0, 0, 0);
	out->year_start = g_date_time_to_unix(jan1);
	out->never = dn == 0;
	if (out->never)
		return TRUE;
	due = local_at(zone, monday, dn - 1, hour);
	out->due_at = g_date_time_to_unix(due);
	out->due = now >= out->due_at;
	return TRUE;
}

/* own - keep s in the doc; returns it */
static const char *
own(DigestDoc *d, char *s)
{
	if (s != NULL)
		g_ptr_array_add(d->strings, s);
	return s;
}

/* item_of - a DigestItem of a share; friend's address only when mine */
static DigestItem *
item_of(const StoreDigestShare *ds, gboolean mine)
{
	const Share *s = ds->share;
	DigestItem *it = g_new0(DigestItem, 1);

	it->share_id = s->id;
	it->member_name = s->member_name;
	it->member_address = s->sharer;
	it->requester_name = s->requester_name;
	it->requester_org = s->requester_org;
	it->friend_name = s->recipient_name;
	it->friend_address = mine ? s->recipient : NULL;
	it->subject = s->subject;
	it->status = s->status;
	it->outcome = NULL; /* no outcome is recorded yet */
	it->when = ds->when;
	return it;
}

/* items_of - a new array of DigestItem for a section, kept by the doc */
static GPtrArray *
items_of(DigestDoc *d, const Config *cfg, GPtrArray *shares, gboolean mine,
    gboolean waiting)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; shares != NULL && i < shares->len; i++) {
		const StoreDigestShare *ds = g_ptr_array_index(shares, i);
		DigestItem *it = item_of(ds, mine);

		if (waiting && ds->share->token != NULL) {
			it->reply_address =
			    own(d, config_reply_address(cfg, ds->share->token));
			it->answer_url =
			    own(d, config_web_link(cfg, "c", ds->share->token));
		}
		g_ptr_array_add(a, it);
	}
	g_ptr_array_add(d->items, a);
	return a;
}

/* digest_facts_build - the facts of one member's digest */
DigestDoc *
digest_facts_build(const Config *cfg, const Member *m, const DigestWhen *w,
    const StoreDigestRows *rows, GPtrArray *top, const char *unsub_token,
    gint64 now)
{
	DigestDoc *d = g_new0(DigestDoc, 1);
	DigestFacts *f = &d->facts;

	d->strings = g_ptr_array_new_with_free_func(g_free);
	d->items =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	f->cfg = cfg;
	f->member_address = m->address;
	f->member_name = m->name;
	if (m->handle != NULL)
		f->share_address =
		    own(d, g_strdup_printf("%s+%s@%s", cfg->share_localpart,
			       m->handle, cfg->domain));
	f->week = own(d, g_strdup(w->week));
	f->week_start = w->week_start;
	if (unsub_token != NULL) {
		f->unsub_address = own(d, g_strdup_printf("unsubscribe+%s@%s",
					      unsub_token, cfg->domain));
		f->unsub_url = own(d, config_web_link(cfg, "u", unsub_token));
	}
	f->shared_by = items_of(d, cfg, rows->shared_by, TRUE, FALSE);
	f->shared_with = items_of(d, cfg, rows->shared_with, FALSE, FALSE);
	f->waiting = items_of(d, cfg, rows->waiting, FALSE, TRUE);
	f->outcomes = items_of(d, cfg, NULL, FALSE, FALSE); /* none yet */
	f->all_time.given = rows->given_all;
	f->all_time.received = rows->received_all;
	f->all_time.worked_out = 0; /* no outcome column yet */
	f->this_year.given = rows->given_year;
	f->this_year.received = rows->received_year;
	f->this_year.worked_out = 0;
	if (top != NULL) {
		GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

		for (guint i = 0; i < top->len; i++) {
			const StoreDigestSharer *s = g_ptr_array_index(top, i);
			DigestSharer *ds = g_new0(DigestSharer, 1);

			ds->name = s->name;
			ds->shares = s->shares;
			g_ptr_array_add(a, ds);
		}
		g_ptr_array_add(d->items, a);
		f->top = a;
	}
	f->now = now;
	return d;
}

/* digest_doc_free - accepts NULL */
void
digest_doc_free(DigestDoc *d)
{
	if (d == NULL)
		return;
	g_ptr_array_unref(d->items);
	g_ptr_array_unref(d->strings);
	g_free(d);
}

/* unsub_token - the member's token, made now when they had none */
static char *
unsub_token(Store *store, const Member *m, GError **error)
{
	char fresh[FLOW_TOKEN_LEN + 1];
	char *token = NULL;

	if (m->unsub_token != NULL)
		return g_strdup(m->unsub_token);
	flow_token_new(fresh);
	if (!store_member_unsub_token(store, m->address, fresh, &token, error))
		return NULL;
	if (token == NULL)
		g_set_error(error, DIGEST_ERROR, DIGEST_ERROR_MEMBER,
		    "%s is no longer a member", m->address);
	return token;
}

/* top_for - the top sharers of a week, read once per distinct week */
static GPtrArray *
top_for(Store *store, GHashTable *cache, const DigestWhen *w, GError **error)
{
	GPtrArray *top = g_hash_table_lookup(cache, &w->week_start);
	gint64 *key;

	if (top != NULL)
		return top;
	top = store_digest_top(
	    store, w->week_start, w->week_end, DIGEST_TOP, error);
	if (top == NULL)
		return NULL;
	key = g_new(gint64, 1);
	*key = w->week_start;
	g_hash_table_insert(cache, key, top);
	return top;
}

/* digest_item - the outbox row of a rendered digest */
static OutboxItem *
digest_item(const Config *cfg, const Member *m, RenderedMail *mail)
{
	OutboxItem *it = outbox_item_new();

	it->kind = g_strdup("digest");
	it->mail_from =
	    mail->mail_from != NULL
		? g_strdup(mail->mail_from)
		: g_strdup_printf("%s@%s", cfg->from_localpart, cfg->domain);
	g_ptr_array_add(it->rcpts, g_strdup(m->address));
	it->subject = g_strdup(mail->subject);
	it->message = g_bytes_ref(mail->message);
	return it;
}

/* one member of a batch, due */
typedef struct {
	const Member *m;
	DigestWhen w;
	char *token; /* the member's unsubscribe token */
} Due;

/* tokens - every due member's unsubscribe token, those who had none
 * given one, in one transaction */
static gboolean
tokens(Store *store, Due *due, guint n, GError **error)
{
	const char **addr = g_new0(const char *, n);
	char **fresh = g_new0(char *, n);
	char **got = g_new0(char *, n);
	guint *which = g_new0(guint, n);
	guint k = 0;
	gboolean ok;

	for (guint i = 0; i < n; i++) {
		if (due[i].m->unsub_token != NULL) {
			due[i].token = g_strdup(due[i].m->unsub_token);
			continue;
		}
		addr[k] = due[i].m->address;
		fresh[k] = g_malloc(FLOW_TOKEN_LEN + 1);
		flow_token_new(fresh[k]);
		which[k++] = i;
	}
	ok = store_digest_tokens(
	    store, addr, (const char *const *)fresh, k, got, error);
	for (guint j = 0; j < k; j++) {
		due[which[j]].token = got[j];
		g_free(fresh[j]);
	}
	/* plain frees: clang's analyzer misreads g_autofree here */
	g_free(addr);
	g_free(fresh);
	g_free(got);
	g_free(which);
	return ok;
}

/* prepare - build and render one member's digest into e: an outbox
 * item, or none for an empty week skipped; FALSE (e untouched) when it
 * did not render (counted, left due) or on a store error (*error set) */
static gboolean
prepare(const Config *cfg, Store *store, const DigestRenderer *r,
    const Due *due, const StoreDigestRows *rows, GHashTable *tops, gint64 now,
    StoreDigestEntry *e, DigestStats *stats, GError **error)
{
	g_autoptr(DigestDoc) doc = NULL;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GError) err = NULL;
	GPtrArray *top;

	if (due->token == NULL) { /* forgotten since the batch was read */
		log_warn("digest", "%s: skipped: no longer a member",
		    due->m->address);
		return FALSE;
	}
	if ((top = top_for(store, tops, &due->w, error)) == NULL)
		return FALSE;
	doc = digest_facts_build(
	    cfg, due->m, &due->w, rows, top, due->token, now);
	e->member_id = due->m->id;
	e->week = due->w.week;
	e->item = NULL;
	if (cfg->digest_skip_empty && r->is_empty(&doc->facts))
		return TRUE;
	if ((mail = r->render(&doc->facts, &err)) == NULL) {
		log_warn("digest", "%s: week=%s not rendered: %s",
		    due->m->address, due->w.week, err->message);
		stats->failed++;
		return FALSE; /* left due: the next pass tries again */
	}
	e->item = digest_item(cfg, due->m, mail);
	return TRUE;
}

/* queue - the batch's weeks in one transaction; the counts */
static gboolean
queue(Store *store, StoreDigestEntry *e, guint n, gint64 now,
    DigestStats *stats, GError **error)
{
	gboolean ok = store_digest_enqueue_many(store, e, n, now, error);

	for (guint i = 0; ok && i < n; i++) {
		if (!e[i].created)
			stats->already++;
		else if (e[i].item != NULL)
			stats->enqueued++;
		else
			stats->skipped++;
	}
	for (guint i = 0; i < n; i++)
		outbox_item_free(e[i].item);
	return ok;
}

/* due_of - whether candidate c is due at now; fills due */
static gboolean
due_of(const Config *cfg, const StoreDigestCandidate *c, const char *week_a,
    gint64 now, Due *due)
{
	g_autoptr(GError) err = NULL;

	due->m = c->member;
	if (!digest_when(cfg, c->member, now, &due->w, &err)) {
		log_warn("digest", "%s: skipped: %s", c->member->address,
		    err->message);
		return FALSE;
	}
	if (!due->w.due)
		return FALSE;
	return strcmp(due->w.week, week_a) == 0 ? !c->done_a : !c->done_b;
}

/* batch_work - the due members of a batch (due, win: n of them):
 * read together, rendered, queued in one transaction; e has room for n */
static gboolean
batch_work(const Config *cfg, Store *store, const DigestRenderer *r, Due *due,
    const StoreDigestWindow *win, StoreDigestEntry *e, guint n,
    GHashTable *tops, gint64 now, DigestStats *stats, GError **error)
{
	g_autoptr(GPtrArray) rows = store_digest_select(store, win, n, error);
	guint k = 0;

	if (rows == NULL || !tokens(store, due, n, error))
		return FALSE;
	for (guint i = 0; i < n; i++) {
		GError *err = NULL;

		if (prepare(cfg, store, r, &due[i], g_ptr_array_index(rows, i),
			tops, now, &e[k], stats, &err))
			k++;
		else if (err != NULL) {
			g_propagate_error(error, err);
			for (guint j = 0; j < k; j++)
				g_clear_pointer(&e[j].item, outbox_item_free);
			return FALSE;
		}
	}
	return queue(store, e, k, now, stats, error); /* frees the items */
}

/* run_batch - the candidates of one batch: which are due, then their
 * digests (batch_work) */
static gboolean
run_batch(const Config *cfg, Store *store, const DigestRenderer *r,
    GPtrArray *cands, const char *week_a, GHashTable *tops, gint64 now,
    DigestStats *stats, GError **error)
{
	Due *due = g_new0(Due, cands->len);
	StoreDigestWindow *win = g_new0(StoreDigestWindow, cands->len);
	StoreDigestEntry *e = g_new0(StoreDigestEntry, cands->len);
	gboolean ok = TRUE;
	guint n = 0;

	for (guint i = 0; i < cands->len; i++) {
		if (!due_of(
			cfg, g_ptr_array_index(cands, i), week_a, now, &due[n]))
			continue;
		win[n].member_id = due[n].m->id;
		win[n].since = due[n].w.week_start;
		win[n].until = due[n].w.week_end;
		win[n].year_start = due[n].w.year_start;
		n++;
	}
	stats->due += n;
	if (n > 0)
		ok = batch_work(
		    cfg, store, r, due, win, e, n, tops, now, stats, error);
	for (guint i = 0; i < n; i++)
		g_free(due[i].token);
	/* plain frees: clang's analyzer misreads g_autofree here */
	g_free(due);
	g_free(win);
	g_free(e);
	return ok;
}

/* digest_run_slice - at most max batches of a pass, the members after
 * *cursor (0: from the first); *cursor becomes the last member read, or
 * 0 once the pass is over */
gboolean
digest_run_slice(const Config *cfg, Store *store, const DigestRenderer *r,
    gint64 now, gint64 *cursor, guint max, DigestStats *stats, GError **error)
{
	g_autoptr(GHashTable) tops = g_hash_table_new_full(g_int64_hash,
	    g_int64_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	char week_a[16], week_b[16];
	gint64 after;

	g_return_val_if_fail(
	    cfg && store && r && r->render && r->is_empty, FALSE);
	g_return_val_if_fail(stats != NULL && cursor != NULL, FALSE);
	memset(stats, 0, sizeof *stats);
	after = *cursor;
	*cursor = 0;
	if (!cfg->digest_enabled)
		return TRUE;
	digest_weeks_around(now, week_a, week_b);
	for (guint b = 0; b < MIN(max, DIGEST_MAX_BATCHES); b++) {
		g_autoptr(GPtrArray) cands = store_digest_candidates(
		    store, after, DIGEST_BATCH, week_a, week_b, error);
		const StoreDigestCandidate *last;

		if (cands == NULL)
			return FALSE;
		if (cands->len == 0)
			return TRUE; /* the pass is over */
		stats->members += cands->len;
		if (!run_batch(
			cfg, store, r, cands, week_a, tops, now, stats, error))
			return FALSE;
		last = g_ptr_array_index(cands, cands->len - 1);
		after = last->member->id;
		if (cands->len < DIGEST_BATCH)
			return TRUE; /* the pass is over */
	}
	*cursor = max < DIGEST_MAX_BATCHES ? after : 0;
	return TRUE;
}

/* digest_run_with - one pass over the members, bounded */
gboolean
digest_run_with(const Config *cfg, Store *store, const DigestRenderer *r,
    gint64 now, DigestStats *stats, GError **error)
{
	gint64 cursor = 0;

	return digest_run_slice(
	    cfg, store, r, now, &cursor, DIGEST_MAX_BATCHES, stats, error);
}

/* digest_preview - the member's digest of now's week, not queued */
RenderedMail *
digest_preview(const Config *cfg, Store *store, const DigestRenderer *r,
    const char *address, gint64 now, GError **error)
{
	g_autoptr(Member) m = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) top = NULL;
	g_autoptr(DigestDoc) doc = NULL;
	g_autofree char *token = NULL;
	GError *err = NULL;
	StoreDigestWindow win;
	DigestWhen w;

	g_return_val_if_fail(cfg && store && r && r->render, NULL);
	if ((m = store_member_by_address(store, address, &err)) == NULL) {
		if (err != NULL)
			g_propagate_error(error, err);
		else
			g_set_error(error, DIGEST_ERROR, DIGEST_ERROR_MEMBER,
			    "%s is not a member", address);
		return NULL;
	}
	if (!digest_when(cfg, m, now, &w, error) ||
	    (token = unsub_token(store, m, error)) == NULL)
		return NULL;
	win = (StoreDigestWindow){ .member_id = m->id,
		.since = w.week_start,
		.until = w.week_end,
		.year_start = w.year_start };
	if ((rows = store_digest_select(store, &win, 1, error)) == NULL ||
	    (top = store_digest_top(
		 store, w.week_start, w.week_end, DIGEST_TOP, error)) == NULL)
		return NULL;
	doc = digest_facts_build(
	    cfg, m, &w, g_ptr_array_index(rows, 0), top, token, now);
	return r->render(&doc->facts, error);
}
