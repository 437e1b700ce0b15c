/*
 * bench_digest.c - what one weekly digest costs: selected, rendered and
 * queued, against rendering one introduction in the same run
 *
 *	bench/bench_digest [MEMBERS [SHARES]]	(defaults 10000, 200000)
 *
 * A durable SQLite store (synchronous=FULL, as production) is filled
 * with MEMBERS members and SHARES shares spread over the eight weeks
 * before the week measured (an eighth of them in it): every member has
 * shares of their own, half of the friends are members (so members get
 * shares introduced to them and requests waiting for them), a tenth of
 * the members allow their name among the top sharers. The rows are
 * written with sqlite3 directly, in one transaction: the set-up is not
 * what is measured (the store's own writes are bench_store's subject).
 *
 * Then, in one run: the baseline, tmpl_render_share("intro") of a
 * typical share (tests/unit/tmpl-facts.c), median of rounds of at least
 * 200 ms; one digest_run() over every member, all due (wall time, and
 * per digest queued); a second digest_run() at the same moment, when
 * every member is served (what the daemon's minute costs after the
 * pass). Not a test: numbers, no assertion on time.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/digest.h"
#include "store/store.h"
#include "templates/tmpl.h"
#include "tests/unit/tmpl-facts.h"

#define WEEK_START G_GINT64_CONSTANT(1796601600) /* Mon 2026-12-07 UTC */
#define NOW (WEEK_START + 3 * 86400)             /* Thursday */
#define ROUND_US 200000                          /* a baseline round */
#define ROUNDS 7

/* fill - members and shares, in one transaction; FALSE on failure */
static gboolean
fill(const char *path, guint members, guint shares)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *m = NULL, *s = NULL, *o = NULL;
	g_autoptr(GRand) rand = g_rand_new_with_seed(20261207);
	gboolean ok = FALSE;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
		"INSERT INTO members (address, name, handle, created_at,"
		" public_credit) VALUES (?1, ?2, ?3, 1, ?4)",
		-1, &m, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
		"INSERT INTO shares (sharer, recipient, recipient_name,"
		" requester, requester_name, requester_org, subject,"
		" origin_key, status, created_at, mode, token, asked_at,"
		" answered_at) VALUES (?1, ?2, ?3, ?4, 'Dana Scully',"
		" 'Acme Events', ?5, ?6, ?7, ?8, ?9, ?10, ?8, ?11)",
		-1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
		"INSERT INTO outbox (share_id, kind, mail_from, message,"
		" status, next_attempt_at, created_at, sent_at) VALUES"
		" (?1, 'intro', 'intros@intro.example.org', x'00', 'sent',"
		" ?2, ?2, ?2)",
		-1, &o, NULL) != SQLITE_OK)
		goto out;
	for (guint i = 0; i < members; i++) {
		g_autofree char *a = g_strdup_printf("m%u@members.example", i);
		g_autofree char *n = g_strdup_printf("Member %u", i);
		g_autofree char *h = g_strdup_printf("m%u", i);

		sqlite3_bind_text(m, 1, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(m, 2, n, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(m, 3, h, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(m, 4, i % 10 == 0);
		if (sqlite3_step(m) != SQLITE_DONE)
			goto out;
		sqlite3_reset(m);
	}
	for (guint i = 0; i < shares; i++) {
		guint sharer = i % members;
		guint friend = g_rand_int_range(rand, 0, (gint32)members);
		gboolean member_friend = g_rand_boolean(rand);
		gint64 t = WEEK_START - 7 * 86400 * 7 +
			   g_rand_int_range(rand, 0, 8 * 7 * 86400);
		guint kind = g_rand_int_range(rand, 0, 4);
		static const char *const status[] = { "introduced", "asked",
			"declined", "queued" };
		g_autofree char *a =
		    g_strdup_printf("m%u@members.example", sharer);
		g_autofree char *f =
		    member_friend
			? g_strdup_printf("m%u@members.example", friend)
			: g_strdup_printf("f%u@friends.example", i);
		g_autofree char *subj =
		    g_strdup_printf("Speaker for meetup %u", i);
		g_autofree char *key = g_strdup_printf("k%u", i);
		/* one asker per share: schema 7 keeps one open request per
		 * requester and friend (shares_open_pair) */
		g_autofree char *rq = g_strdup_printf("dana%u@acme.example", i);
		g_autofree char *tok = g_strdup_printf("t%025u", i);

		sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, f, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, "Jane Friend", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, rq, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, subj, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 6, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 7, status[kind], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, t);
		sqlite3_bind_text(
		    s, 9, kind == 3 ? "direct" : "ask", -1, SQLITE_STATIC);
		if (kind == 3)
			sqlite3_bind_null(s, 10);
		else
			sqlite3_bind_text(s, 10, tok, -1, SQLITE_TRANSIENT);
		if (kind == 0 || kind == 2)
			sqlite3_bind_int64(s, 11, t + 3600);
		else
			sqlite3_bind_null(s, 11);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		sqlite3_reset(s);
		if (kind != 0)
			continue;
		sqlite3_bind_int64(o, 1, sqlite3_last_insert_rowid(db));
		sqlite3_bind_int64(o, 2, t + 3600);
		if (sqlite3_step(o) != SQLITE_DONE)
			goto out;
		sqlite3_reset(o);
	}
	ok = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
out:
	if (!ok)
		fprintf(stderr, "bench_digest: filling: %s\n",
		    db != NULL ? sqlite3_errmsg(db) : "no memory");
	sqlite3_finalize(m);
	sqlite3_finalize(s);
	sqlite3_finalize(o);
	sqlite3_close(db);
	return ok;
}

/* intro_us - the median µs of one tmpl_render_share("intro") */
static double
intro_us(const Config *cfg)
{
	double v[ROUNDS];
	ShareFacts f;

	tmpl_facts_fill(&f, cfg, "intro");
	for (int r = 0; r < ROUNDS; r++) {
		gint64 t0 = g_get_monotonic_time(), t;
		guint n = 0;

		do {
			g_autoptr(GError) error = NULL;
			g_autoptr(RenderedMail) m =
			    tmpl_render_share("intro", &f, &error);

			if (m == NULL) {
				fprintf(stderr, "bench_digest: intro: %s\n",
				    error->message);
				exit(1);
			}
			n++;
			t = g_get_monotonic_time();
		} while (t - t0 < ROUND_US);
		v[r] = (double)(t - t0) / n;
	}
	for (int i = 1; i < ROUNDS; i++) /* insertion sort, 7 values */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[ROUNDS / 2];
}

int
main(int argc, char **argv)
{
	guint members = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 10000;
	guint shares = argc > 2 ? (guint)strtoul(argv[2], NULL, 10) : 200000;
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(Store) store = NULL;
	g_autofree char *dir = g_dir_make_tmp("bench_digest-XXXXXX", &error);
	g_autofree char *path = NULL;
	static const char *const suffix[] = { "", "-wal", "-shm" };
	DigestStats st, again;
	double base, total, idle;
	gint64 t0;
	int rc = 1;

	members = MAX(members, 1);
	if (dir == NULL)
		return 1;
	g_mime_init();
	path = g_build_filename(dir, "bench.db", NULL);
	cfg->digest_hour = 0; /* Monday 00:00: everyone due on Thursday */
	if ((store = store_open(path, 30000, &error)) == NULL) {
		fprintf(stderr, "bench_digest: %s\n", error->message);
		goto out;
	}
	fprintf(stderr, "bench_digest: filling %u members, %u shares\n",
	    members, shares);
	if (!fill(path, members, shares))
		goto out;
	base = intro_us(cfg);
	fprintf(stderr, "bench_digest: one pass over every member\n");
	t0 = g_get_monotonic_time();
	if (!digest_run(cfg, store, NOW, &st, &error)) {
		fprintf(stderr, "bench_digest: %s\n", error->message);
		goto out;
	}
	total = (double)(g_get_monotonic_time() - t0);
	t0 = g_get_monotonic_time();
	if (!digest_run(cfg, store, NOW, &again, &error)) {
		fprintf(stderr, "bench_digest: %s\n", error->message);
		goto out;
	}
	idle = (double)(g_get_monotonic_time() - t0);
	printf("### Tier 3: micro — the weekly digest\n\n"
	       "One digest_run() over %u members and %u shares (SQLite, "
	       "synchronous=FULL; an eighth of the shares in the week): "
	       "every member selected (set-based, %u a batch), rendered "
	       "(text + HTML, parsed back and checked) and queued, a batch "
	       "per transaction; against tmpl_render_share(\"intro\") of a "
	       "typical share, median of %d rounds of ≥ %d ms, in the same "
	       "run.\n\n",
	    members, shares, (guint)DIGEST_BATCH, ROUNDS, ROUND_US / 1000);
	printf("| what | count | total s | µs each | × one intro |\n"
	       "|---|---:|---:|---:|---:|\n");
	printf(
	    "| tmpl_render_share(\"intro\") | 1 | — | %.1f | 1.00 |\n", base);
	printf("| digest pass: selected, rendered, queued | %u | %.2f | %.1f "
	       "| **%.2f** |\n",
	    st.enqueued, total / 1e6, total / MAX(st.enqueued, 1),
	    total / MAX(st.enqueued, 1) / base);
	printf("| the next pass, every member served | %u members read | "
	       "%.3f | — | %.2f |\n",
	    again.members, idle / 1e6, idle / base);
	printf("\n- skipped (empty) %u, failed %u; the second pass queued "
	       "%u\n",
	    st.skipped, st.failed, again.enqueued);
	rc = st.failed == 0 && again.enqueued == 0 ? 0 : 1;
out:
	g_clear_pointer(&store, store_close);
	for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
		g_autofree char *p = g_strconcat(path, suffix[i], NULL);

		(void)g_unlink(p);
	}
	(void)g_rmdir(dir);
	g_mime_shutdown();
	return rc;
}
