/*
 * test_digest.c - the weekly digest's schedule and its pass
 *
 * The schedule against instants worked out by hand (and checked with
 * Python's zoneinfo): ISO weeks at the turn of a year with 53 weeks,
 * the default Monday 08:00 UTC, the config's default day and hour, a
 * member's own, Europe/Paris across both daylight saving changes (weeks
 * of 167 and 169 hours), Pacific/Auckland whose Monday is a Sunday in
 * UTC, and "never". Then digest_run_with() on a real SQLite store with
 * a renderer of the test's own (the real one is tested with its looks
 * in test_tmpl_digest.c): exactly once over reruns, skip_empty,
 * "never", a render failure left due, and preview writing nothing. The
 * pass runs on SQLite, and with PA_TEST_PG (tests/unit/t-store-pg.sh)
 * on a schema of its own on that PostgreSQL server.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>
#include <unistd.h>

#include "flow/digest.h"
#include "store/store_digest.h"

/* instants, UTC */
#define MON_0759 G_GINT64_CONSTANT(1796630399) /* 2026-12-07 07:59:59 */
#define MON_0800 G_GINT64_CONSTANT(1796630400)
#define W50_START G_GINT64_CONSTANT(1796601600) /* Mon 2026-12-07 */
#define W51_START G_GINT64_CONSTANT(1797206400)

static Member *
member(const char *day, int hour, const char *tz)
{
	Member *m = member_new();

	m->address = g_strdup("jane@example.net");
	m->digest_day = g_strdup(day);
	m->digest_hour = hour;
	m->tz = g_strdup(tz);
	return m;
}

/* when - digest_when(), asserting success */
static DigestWhen
when(const Config *cfg, const Member *m, gint64 now)
{
	g_autoptr(GError) error = NULL;
	DigestWhen w;

	g_assert_true(digest_when(cfg, m, now, &w, &error));
	g_assert_no_error(error);
	return w;
}

/* test_week_iso - 2026 has 53 weeks; 29 December 2025 is in 2026's
 * first; 1 January 2027 is still in 2026-W53 */
static void
test_week_iso(void)
{
	static const struct {
		gint64 t;
		const char *week;
	} cases[] = {
		{ 1798718400, "2026-W53" }, /* Thu 2026-12-31 12:00 */
		{ 1798804800, "2026-W53" }, /* Fri 2027-01-01 12:00 */
		{ 1766966400, "2026-W01" }, /* Mon 2025-12-29 00:00 */
		{ 1766966399, "2025-W52" }, /* one second before */
		{ 1799020800, "2027-W01" }, /* Mon 2027-01-04 00:00 */
		{ W50_START, "2026-W50" },
		{ W51_START - 1, "2026-W50" },
	};
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member(NULL, -1, NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		DigestWhen w = when(cfg, m, cases[i].t);

		g_assert_cmpstr(w.week, ==, cases[i].week);
	}
}

/* test_when_default - Monday 08:00 UTC; the week's bounds; the year */
static void
test_when_default(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member(NULL, -1, NULL);
	DigestWhen w = when(cfg, m, MON_0759);

	g_assert_cmpstr(w.week, ==, "2026-W50");
	g_assert_cmpint(w.week_start, ==, W50_START);
	g_assert_cmpint(w.week_end, ==, W51_START);
	g_assert_cmpint(w.due_at, ==, MON_0800);
	g_assert_cmpint(w.year_start, ==, 1767225600);
	g_assert_false(w.due);
	g_assert_false(w.never);
	w = when(cfg, m, MON_0800);
	g_assert_true(w.due);
	w = when(cfg, m, W51_START - 1); /* Sunday night: still due */
	g_assert_true(w.due);
	w = when(cfg, m, W51_START); /* the next week, before 08:00 */
	g_assert_cmpstr(w.week, ==, "2026-W51");
	g_assert_false(w.due);
}

/* test_when_config - [digest] day and hour; the member's own win */
static void
test_when_config(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member(NULL, -1, NULL);
	g_autoptr(Member) own = member("tue", 6, NULL);
	DigestWhen w;

	g_free(cfg->digest_day);
	cfg->digest_day = g_strdup("fri");
	cfg->digest_hour = 17;
	w = when(cfg, m, MON_0800);
	g_assert_cmpint(w.due_at, ==, 1797008400); /* Fri 17:00 */
	g_assert_false(w.due);
	g_assert_true(when(cfg, m, 1797008400).due);
	w = when(cfg, own, MON_0800);
	g_assert_cmpint(w.due_at, ==, W50_START + 86400 + 6 * 3600);
	g_assert_false(w.due);
}

/* test_when_never - never due, in any week */
static void
test_when_never(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member("never", 8, "Europe/Paris");
	DigestWhen w = when(cfg, m, W51_START - 1);

	g_assert_true(w.never);
	g_assert_false(w.due);
	g_assert_cmpint(digest_day_number("never"), ==, 0);
	g_assert_cmpint(digest_day_number("sun"), ==, 7);
	g_assert_cmpint(digest_day_number("Sun"), ==, -1);
	g_assert_cmpint(digest_day_number(NULL), ==, -1);
}

/* test_when_paris - a week of 167 hours (29 March 2026) and of 169
 * (25 October 2026); the hour is local; an hour the change skips */
static void
test_when_paris(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member(NULL, -1, "Europe/Paris");
	g_autoptr(Member) gap = member("sun", 2, "Europe/Paris");
	DigestWhen w;

	w = when(cfg, m, 1774300000); /* Mon 2026-03-23, 21:06 UTC */
	g_assert_cmpstr(w.week, ==, "2026-W13");
	g_assert_cmpint(w.week_start, ==, 1774220400); /* 00:00 CET */
	g_assert_cmpint(w.week_end, ==, 1774821600);   /* 00:00 CEST */
	g_assert_cmpint(w.week_end - w.week_start, ==, 167 * 3600);
	g_assert_cmpint(w.due_at, ==, 1774220400 + 8 * 3600); /* 07:00 UTC */
	w = when(cfg, m, 1792400000); /* Mon 2026-10-19 */
	g_assert_cmpint(w.week_start, ==, 1792360800);
	g_assert_cmpint(w.week_end, ==, 1792969200);
	g_assert_cmpint(w.week_end - w.week_start, ==, 169 * 3600);
	/* Sunday 02:00 does not exist on 29 March: the digest goes at the
	 * moment the clock jumps (01:00 UTC), not an hour late or never */
	w = when(cfg, gap, 1774300000);
	g_assert_cmpint(w.due_at, >=, 1774746000 - 3600);
	g_assert_cmpint(w.due_at, <=, 1774746000);
	g_assert_true(when(cfg, gap, 1774746000).due);
	/* late Sunday night UTC is Monday in Paris: the next week */
	w = when(cfg, m, W51_START - 1800); /* Sun 23:30 UTC */
	g_assert_cmpstr(w.week, ==, "2026-W51");
}

/* test_when_auckland - Monday 01:00 NZDT is Sunday noon UTC: already
 * the next week there, due at 08:00 NZDT (Sunday 19:00 UTC) */
static void
test_when_auckland(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member(NULL, -1, "Pacific/Auckland");
	DigestWhen w = when(cfg, m, 1797163200);

	g_assert_cmpstr(w.week, ==, "2026-W51");
	g_assert_cmpint(w.week_start, ==, 1797159600);
	g_assert_cmpint(w.due_at, ==, 1797188400);
	g_assert_false(w.due);
	g_assert_true(when(cfg, m, 1797188400).due);
}

/* test_zone - names GLib knows; the rest refused, at set time and at
 * run time */
static void
test_zone(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Member) m = member(NULL, -1, "Mars/Olympus_Mons");
	g_autoptr(GError) error = NULL;
	char a[16], b[16];
	DigestWhen w;

	g_assert_true(digest_zone_valid("Europe/Paris"));
	g_assert_true(digest_zone_valid("UTC"));
	g_assert_false(digest_zone_valid("Mars/Olympus_Mons"));
	g_assert_false(digest_zone_valid(""));
	g_assert_false(digest_zone_valid(NULL));
	g_assert_false(digest_when(cfg, m, MON_0800, &w, &error));
	g_assert_error(error, DIGEST_ERROR, DIGEST_ERROR_ZONE);
	digest_weeks_around(W51_START - 3600, a, b);
	g_assert_cmpstr(a, ==, "2026-W50");
	g_assert_cmpstr(b, ==, "2026-W51");
	digest_weeks_around(MON_0800 + 86400, a, b);
	g_assert_cmpstr(a, ==, b);
}

/* the pass, on a real store, with a renderer of the test's own */
typedef struct {
	char *dir;
	char *schema; /* PostgreSQL: the test's schema, or NULL */
	Store *store;
	Config *cfg;
} Env;

static const char *pg_admin; /* PA_TEST_PG, or NULL: SQLite */

/* pg_run - one statement on the admin connection, asserting success */
static void
pg_run(const char *sql)
{
	PGconn *c = PQconnectdb(pg_admin);
	PGresult *r;

	g_assert_cmpint(PQstatus(c), ==, CONNECTION_OK);
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		g_error("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static guint renders;
static gboolean fail_render;

static gboolean
fake_is_empty(const DigestFacts *f)
{
	return f->shared_by->len + f->shared_with->len + f->waiting->len == 0;
}

/* fake_render - a message naming the week and what it counted */
static RenderedMail *
fake_render(const DigestFacts *f, GError **error)
{
	RenderedMail *m;
	char *text;

	if (fail_render) {
		g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT, "no");
		return NULL;
	}
	renders++;
	m = g_new0(RenderedMail, 1);
	m->kind = g_strdup("digest");
	m->mail_from = g_strdup("intros@intro.example.org");
	m->rcpts = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(m->rcpts, g_strdup(f->member_address));
	m->subject = g_strdup_printf("week %s", f->week);
	text = g_strdup_printf("Subject: week %s\r\nX-Unsub: %s\r\n"
			       "X-Counts: %u %u %u %" G_GINT64_FORMAT "\r\n\r\n"
			       "x\r\n",
	    f->week, f->unsub_address, f->shared_by->len, f->shared_with->len,
	    f->waiting->len, f->all_time.given);
	m->message = g_bytes_new_take(text, strlen(text));
	return m;
}

static const DigestRenderer fake = { fake_render, fake_is_empty };

static void
env_setup(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	(void)data;
	e->dir = g_dir_make_tmp("test_digest-XXXXXX", &error);
	g_assert_no_error(error);
	if (pg_admin != NULL) {
		static guint seq;
		g_autofree char *sql = NULL;

		e->schema = g_strdup_printf("d%d_%u", (int)getpid(), ++seq);
		sql = g_strdup_printf("CREATE SCHEMA %s", e->schema);
		pg_run(sql);
		path = g_strdup_printf(
		    "%s options='-c search_path=%s'", pg_admin, e->schema);
	} else
		path = g_build_filename(e->dir, "p.db", NULL);
	e->store = store_open(path, 5000, &error);
	g_assert_no_error(error);
	e->cfg = config_new_default();
	renders = 0;
	fail_render = FALSE;
}

static void
env_teardown(Env *e, gconstpointer data)
{
	const char *files[] = { "p.db", "p.db-wal", "p.db-shm" };

	(void)data;
	store_close(e->store);
	config_free(e->cfg);
	if (e->schema != NULL) {
		g_autofree char *sql =
		    g_strdup_printf("DROP SCHEMA %s CASCADE", e->schema);

		pg_run(sql);
		g_free(e->schema);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = g_build_filename(e->dir, files[i], NULL);

		(void)g_unlink(p);
	}
	g_assert_cmpint(g_rmdir(e->dir), ==, 0);
	g_free(e->dir);
}

/* add - a member, and a share of theirs made at t (0: none) */
static void
add(Env *e, const char *address, const char *day, gint64 t)
{
	g_autoptr(Member) m = member_new();
	g_autoptr(GError) error = NULL;
	gboolean found = FALSE;

	m->address = g_strdup(address);
	g_assert_true(store_member_add(e->store, m, NULL, &error));
	g_assert_no_error(error);
	if (day != NULL) {
		StoreDigestSettings s = { .set_day = TRUE, .day = day };

		g_assert_true(store_member_set_digest(
		    e->store, address, &s, &found, &error));
	}
	if (t != 0) {
		g_autoptr(Share) sh = share_new();
		gboolean created = FALSE;

		sh->sharer = g_strdup(address);
		sh->recipient = g_strdup("friend@example.com");
		sh->requester = g_strdup("asker@example.org");
		sh->origin_key = g_strdup(address);
		sh->created_at = t;
		g_assert_true(
		    store_share_record(e->store, sh, NULL, &created, &error));
		g_assert_no_error(error);
	}
}

/* digests - outbox rows of kind digest */
static guint
digests(Env *e)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = store_outbox_list(e->store, &error);
	guint n = 0;

	for (guint i = 0; i < all->len; i++)
		n += strcmp(((OutboxItem *)all->pdata[i])->kind, "digest") == 0;
	return n;
}

/* test_run_once - due members get one digest, however many passes;
 * the empty one is skipped once; "never" and the not-yet-due wait */
static void
test_run_once(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	DigestStats st;

	(void)data;
	add(e, "a@example.net", NULL, W50_START + 60);
	add(e, "b@example.net", NULL, W50_START + 120);
	add(e, "empty@example.net", NULL, 0);
	add(e, "never@example.net", "never", W50_START + 60);
	add(e, "fri@example.net", "fri", W50_START + 60);
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0759, &st, &error));
	g_assert_cmpuint(st.enqueued + st.skipped, ==, 0); /* 07:59 */
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0800, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.members, ==, 4); /* never is not read */
	g_assert_cmpuint(st.due, ==, 3);
	g_assert_cmpuint(st.enqueued, ==, 2);
	g_assert_cmpuint(st.skipped, ==, 1);
	g_assert_cmpuint(digests(e), ==, 2);
	/* 13:00: every zone is in W50 now (UTC-12 too), so the members
	 * done for it are not even read */
	g_assert_true(digest_run_with(
	    e->cfg, e->store, &fake, MON_0800 + 5 * 3600, &st, &error));
	g_assert_cmpuint(st.members, ==, 1); /* only fri's is open */
	g_assert_cmpuint(st.enqueued + st.skipped + st.due, ==, 0);
	g_assert_cmpuint(digests(e), ==, 2);
	g_assert_cmpuint(renders, ==, 2);
	/* Friday: fri's; the next week: everyone's again */
	g_assert_true(digest_run_with(e->cfg, e->store, &fake,
	    W50_START + 4 * 86400 + 8 * 3600, &st, &error));
	g_assert_cmpuint(st.enqueued, ==, 1);
	g_assert_true(digest_run_with(
	    e->cfg, e->store, &fake, W51_START + 8 * 3600, &st, &error));
	g_assert_cmpuint(st.enqueued, ==, 0); /* nothing happened in W51 */
	g_assert_cmpuint(st.skipped, ==, 3);
	g_assert_cmpuint(digests(e), ==, 3);
}

/* test_run_settings - skip_empty off sends the empty one; enabled off
 * does nothing; a failed render is left due and tried again */
static void
test_run_settings(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	DigestStats st;

	(void)data;
	add(e, "a@example.net", NULL, W50_START + 60);
	add(e, "empty@example.net", NULL, 0);
	e->cfg->digest_enabled = FALSE;
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0800, &st, &error));
	g_assert_cmpuint(st.members, ==, 0);
	e->cfg->digest_enabled = TRUE;
	fail_render = TRUE;
	e->cfg->digest_skip_empty = FALSE;
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0800, &st, &error));
	g_assert_cmpuint(st.failed, ==, 2);
	g_assert_cmpuint(digests(e), ==, 0);
	fail_render = FALSE;
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0800, &st, &error));
	g_assert_cmpuint(st.enqueued, ==, 2);
	g_assert_cmpuint(digests(e), ==, 2);
}

/* test_run_bad_zone - a zone the system no longer knows (tzdata
 * changed under a stored name) skips that member, not the pass */
static void
test_run_bad_zone(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	StoreDigestSettings tz = { .set_tz = TRUE, .tz = "Mars/Olympus_Mons" };
	gboolean found = FALSE;
	DigestStats st;

	(void)data;
	add(e, "a@example.net", NULL, W50_START + 60);
	add(e, "mars@example.net", NULL, W50_START + 60);
	g_assert_true(store_member_set_digest(
	    e->store, "mars@example.net", &tz, &found, &error));
	g_assert_true(found);
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0800, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.members, ==, 2);
	g_assert_cmpuint(st.enqueued, ==, 1);
	g_assert_cmpuint(digests(e), ==, 1);
}

/* test_run_batches - more members than a batch, one digest each */
static void
test_run_batches(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	DigestStats st;
	guint n = DIGEST_BATCH * 2 + 7;

	(void)data;
	for (guint i = 0; i < n; i++) {
		g_autofree char *a = g_strdup_printf("m%u@example.net", i);

		add(e, a, NULL, W50_START + i);
	}
	g_assert_true(
	    digest_run_with(e->cfg, e->store, &fake, MON_0800, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.members, ==, n);
	g_assert_cmpuint(st.enqueued, ==, n);
	g_assert_cmpuint(digests(e), ==, n);
}

/* test_run_slices - a pass in slices of one batch: the cursor moves on
 * by a batch each call and comes back 0 at the end (also when the last
 * batch is exactly full); every member gets one digest, and a new pass
 * finds nothing due */
static void
test_run_slices(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	DigestStats st;
	guint n = DIGEST_BATCH * 2, enqueued = 0, calls = 0;
	gint64 cursor = 0;

	(void)data;
	for (guint i = 0; i < n; i++) {
		g_autofree char *a = g_strdup_printf("s%u@example.net", i);

		add(e, a, NULL, W50_START + i);
	}
	do {
		g_assert_true(digest_run_slice(e->cfg, e->store, &fake,
		    MON_0800, &cursor, 1, &st, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(st.members, <=, DIGEST_BATCH);
		enqueued += st.enqueued;
		calls++;
	} while (cursor != 0 && calls < 10);
	g_assert_cmpuint(calls, ==, 3); /* two full batches, then none */
	g_assert_cmpuint(enqueued, ==, n);
	g_assert_cmpuint(digests(e), ==, n);
	enqueued = calls = 0;
	do {
		g_assert_true(digest_run_slice(e->cfg, e->store, &fake,
		    MON_0800, &cursor, 1, &st, &error));
		enqueued += st.enqueued;
		calls++;
	} while (cursor != 0 && calls < 10);
	g_assert_cmpuint(calls, ==, 3);
	g_assert_cmpuint(enqueued, ==, 0);
	g_assert_cmpuint(digests(e), ==, n);
}

/* test_preview - the message as it would be sent; nothing queued */
static void
test_preview(Env *e, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) m = NULL;
	g_autoptr(RenderedMail) none = NULL;
	g_autoptr(Member) after = NULL;
	g_autofree char *text = NULL;

	(void)data;
	add(e, "a@example.net", NULL, W50_START + 60);
	m = digest_preview(
	    e->cfg, e->store, &fake, "A@example.net", MON_0759, &error);
	g_assert_no_error(error);
	g_assert_nonnull(m);
	text = g_strndup(
	    g_bytes_get_data(m->message, NULL), g_bytes_get_size(m->message));
	g_assert_nonnull(strstr(text, "week 2026-W50"));
	g_assert_nonnull(strstr(text, "X-Counts: 1 0 0 1"));
	after = store_member_by_address(e->store, "a@example.net", &error);
	g_assert_nonnull(after->unsub_token);
	g_assert_nonnull(strstr(text, after->unsub_token));
	g_assert_cmpuint(digests(e), ==, 0);
	none = digest_preview(
	    e->cfg, e->store, &fake, "nobody@example.net", MON_0759, &error);
	g_assert_null(none);
	g_assert_error(error, DIGEST_ERROR, DIGEST_ERROR_MEMBER);
}

#define ENV(name, fn) g_test_add(name, Env, NULL, env_setup, fn, env_teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	pg_admin = g_getenv("PA_TEST_PG");
	if (pg_admin != NULL && *pg_admin == '\0')
		pg_admin = NULL;
	g_test_add_func("/digest/week/iso", test_week_iso);
	g_test_add_func("/digest/when/default", test_when_default);
	g_test_add_func("/digest/when/config", test_when_config);
	g_test_add_func("/digest/when/never", test_when_never);
	g_test_add_func("/digest/when/paris", test_when_paris);
	g_test_add_func("/digest/when/auckland", test_when_auckland);
	g_test_add_func("/digest/zone", test_zone);
	ENV("/digest/run/once", test_run_once);
	ENV("/digest/run/settings", test_run_settings);
	ENV("/digest/run/batches", test_run_batches);
	ENV("/digest/run/slices", test_run_slices);
	ENV("/digest/run/bad_zone", test_run_bad_zone);
	ENV("/digest/preview", test_preview);
	return g_test_run();
}
