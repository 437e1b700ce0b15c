/*
 * bench_store_engines.c - share transactions/s and outbox claims/s of
 *	the store on SQLite and on PostgreSQL, each against a bare sqlite3
 *	or libpq baseline measured in the same run (issue 9, "Speed")
 *
 * Usage: bench_store_engines [-n SHARES] [-c CLAIMS] [-r RUNS] [-d DIR]
 *	    [-p CONNINFO] [-l SERVERLOG] [-x]
 *	bench/store-engines.sh starts a throw-away PostgreSQL with fsync
 *	on and passes -p and -l; without -p only SQLite is measured.
 *
 * What is timed, each for a fixed count, best of RUNS runs; in each run
 * the store and its baseline take turns of SHARE_CHUNK shares or
 * CLAIM_CHUNK claims, so that both see the same load:
 *
 *	share	store_shares_record() of one share with one intro outbox
 *		item of INTRO_BYTES and two recipients, a new origin key
 *		each call (what the milter does for one friend). Baseline:
 *		one prepared INSERT of a row of the same bytes per
 *		transaction (SQLite: BEGIN IMMEDIATE, INSERT, COMMIT in
 *		WAL with synchronous=FULL; PostgreSQL: autocommit). On
 *		PostgreSQL also with THREADS threads sharing one Store
 *		(pool THREADS) against THREADS connections in THREADS
 *		threads.
 *	claim	store_outbox_claim(max 10) and then store_outbox_record()
 *		of each claimed item as sent (what the sender does per
 *		item). Baseline: the claim as one statement (UPDATE outbox
 *		... WHERE id IN (SELECT id ... LIMIT 10 [FOR UPDATE SKIP
 *		LOCKED]) RETURNING id, autocommit), on an outbox filled
 *		the same way by the store: before each claim, CLAIM_MAX
 *		new due items are queued (not timed), so each claim finds
 *		a sender's steady state, not a backlog, in a table that
 *		grows as a real outbox does.
 *
 * With -x, also the share transaction on bare libpq shaped three ways
 * (bench_store_pgx.c), each against the same baseline: what each round
 * trip of the store's share path costs, and what fewer would save.
 *
 * With -l (the server's log) a counted pass runs on its own database
 * with log_statement = all: the statements the server ran per share
 * and per claim, and how many of them were COMMIT. On PostgreSQL each
 * statement is one round trip; on SQLite the same domain code runs
 * the same statements in process.
 *
 * The program fails only when the work was not done (a call failed, a
 * claim took fewer rows than asked, a share was not new). It includes
 * <sqlite3.h> and <libpq-fe.h> outside store/ on purpose: the
 * baselines are the bare libraries, not the store.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_store_engines.h"
#include "common/util.h"
#include "store/store.h"

#define INTRO_BYTES 3072
#define CLAIM_MAX 10
#define LEASE 600
#define THREADS 4
#define WARM 20
#define SHARE_CHUNK 100 /* ops per turn, see interleaved() */
#define CLAIM_CHUNK 5
#define COUNT_OPS 10 /* the counted pass */
#define MAX_COUNT 1000000u

typedef struct {
	guint shares, claims, runs;
	const char *dir;
	const char *pg;   /* libpq key=value without dbname, or NULL */
	const char *log;  /* the server's log, or NULL */
	gboolean explore; /* -x */
} Opts;

/* what one measured row needs: its ops and how to run one */
typedef struct Bench Bench;
typedef gboolean (*OpFn)(Bench *b, gpointer conn, GError **error);

struct Bench {
	const Opts *o;
	GBytes *intro;
	GBytes *row; /* the baseline's blob: as many bytes as a share */
};

static gint seq; /* origin keys, across threads and runs */

/* ---- the share and its intro --------------------------------------- */

/* make_intro - an introduction of INTRO_BYTES, as the templates write */
static GBytes *
make_intro(void)
{
	GString *m = g_string_new(
	    "From: \"Chris Member via passalong\" "
	    "<intros@intro.example.org>\r\n"
	    "To: Jane Doe <jane.doe@example.net>, John Doe "
	    "<john.doe@acme.com>\r\n"
	    "Subject: Jane Doe, meet John Doe: Speaking slot at the Lyon "
	    "developer days\r\n"
	    "Date: Wed, 27 Oct 2021 08:02:11 +0000\r\n"
	    "Message-ID: <bench-intro@intro.example.org>\r\n"
	    "Auto-Submitted: auto-generated\r\nX-Passalong-Kind: intro\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n");

	while (m->len < INTRO_BYTES - 80)
		g_string_append(m, "Jane, you would be perfect for this: they "
				   "want someone who has run a migration.\r\n");
	return g_string_free_to_bytes(m);
}

/* new_share - a share as milter/share.c fills it, a new origin key */
static Share *
new_share(void)
{
	Share *s = share_new();

	s->sharer = g_strdup("chris@members.example");
	s->recipient = g_strdup("jane.doe@example.net");
	s->recipient_name = g_strdup("Jane Doe");
	s->requester = g_strdup("john.doe@acme.com");
	s->requester_name = g_strdup("John Doe");
	s->subject = g_strdup("Speaking slot at the Lyon developer days");
	s->note = g_strdup("Jane, you'd be perfect for this. Chris");
	s->origin_key = g_strdup_printf("mid:bench-%d-%d@acme.com",
	    (int)getpid(), g_atomic_int_add(&seq, 1));
	s->queue_id = g_strdup("4XkQ2m0Zb1z9Tq");
	return s;
}

/* new_item - the intro's outbox item: two recipients */
static OutboxItem *
new_item(GBytes *intro)
{
	OutboxItem *item = outbox_item_new();

	item->kind = g_strdup("intro");
	item->mail_from = g_strdup("intros@intro.example.org");
	g_ptr_array_add(item->rcpts, g_strdup("jane.doe@example.net"));
	g_ptr_array_add(item->rcpts, g_strdup("john.doe@acme.com"));
	item->subject = g_strdup("Jane Doe, meet John Doe");
	item->message = g_bytes_ref(intro);
	return item;
}

/* make_row - the baseline's blob: the share's and the intro's bytes */
static GBytes *
make_row(GBytes *intro)
{
	g_autoptr(Share) s = new_share();
	g_autoptr(OutboxItem) item = new_item(intro);
	GString *r = g_string_new(NULL);
	gsize len;
	const char *data = g_bytes_get_data(intro, &len);

	g_string_append_printf(r, "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n",
	    s->sharer, s->recipient, s->recipient_name, s->requester,
	    s->requester_name, s->subject, s->note, s->queue_id,
	    item->mail_from, item->subject);
	for (guint i = 0; i < item->rcpts->len; i++)
		g_string_append_printf(
		    r, "%s\n", (char *)item->rcpts->pdata[i]);
	g_string_append_len(r, data, (gssize)len);
	return g_string_free_to_bytes(r);
}

/* record_shares - n new shares with their intro in one transaction */
static gboolean
record_shares(Store *st, GBytes *intro, guint n, GError **error)
{
	g_autoptr(GPtrArray) shares =
	    g_ptr_array_new_with_free_func((GDestroyNotify)share_free);
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autofree gboolean *created = g_new0(gboolean, n);

	for (guint i = 0; i < n; i++) {
		GPtrArray *one = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)outbox_item_free);

		g_ptr_array_add(one, new_item(intro));
		g_ptr_array_add(shares, new_share());
		g_ptr_array_add(lists, one);
	}
	if (!store_shares_record(st, shares, lists, created, error))
		return FALSE;
	for (guint i = 0; i < n; i++)
		if (!created[i]) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "a new share was not recorded as new");
			return FALSE;
		}
	return TRUE;
}

/* ---- the ops --------------------------------------------------------- */

/* op_store_share - store_shares_record() of one share and its intro */
static gboolean
op_store_share(Bench *b, gpointer conn, GError **error)
{
	return record_shares(conn, b->intro, 1, error);
}

/* op_store_claim - claim CLAIM_MAX, record each as sent to everyone */
static gboolean
op_store_claim(Bench *b, gpointer conn, GError **error)
{
	gint64 now = util_now();
	g_autoptr(GPtrArray) items =
	    store_outbox_claim(conn, now, LEASE, CLAIM_MAX, error);

	(void)b;
	if (items == NULL)
		return FALSE;
	if (items->len != CLAIM_MAX) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "claimed %u items, not %d", items->len, CLAIM_MAX);
		return FALSE;
	}
	for (guint i = 0; i < items->len; i++) {
		OutboxItem *item = items->pdata[i];
		OutboxOutcome o = { .status = "sent", .now = util_now() };

		for (guint k = 0; k < item->states->len; k++) {
			OutboxRcpt *r = item->states->pdata[k];

			g_free(r->status);
			r->status = g_strdup("sent");
			r->code = 250;
			g_free(r->text);
			r->text = g_strdup("250 2.0.0 Ok: queued");
			r->attempts++;
		}
		if (!store_outbox_record(conn, item, &o, error))
			return FALSE;
	}
	return TRUE;
}

/* sq_fail - a bare SQLite error */
static gboolean
sq_fail(sqlite3 *db, const char *what, GError **error)
{
	g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "sqlite3 %s: %s",
	    what, sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return FALSE;
}

/* op_sq_insert - BEGIN IMMEDIATE, one prepared INSERT, COMMIT */
static gboolean
op_sq_insert(Bench *b, gpointer conn, GError **error)
{
	sqlite3_stmt *st = conn;
	sqlite3 *db = sqlite3_db_handle(st);
	g_autofree char *key =
	    g_strdup_printf("mid:bench-%d@acme.com", g_atomic_int_add(&seq, 1));
	gsize len;
	const void *data = g_bytes_get_data(b->row, &len);
	int rc;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail(db, "BEGIN", error);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, util_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_fail(db, "INSERT", error);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail(db, "COMMIT", error);
	return TRUE;
}

/* op_sq_claim - the claim statement alone, autocommit */
static gboolean
op_sq_claim(Bench *b, gpointer conn, GError **error)
{
	sqlite3_stmt *st = conn;
	int rc, rows = 0;

	(void)b;
	sqlite3_bind_int64(st, 1, util_now());
	sqlite3_bind_int64(st, 2, LEASE);
	sqlite3_bind_int64(st, 3, CLAIM_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rows++;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_fail(sqlite3_db_handle(st), "claim", error);
	if (rows != CLAIM_MAX) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "the bare claim took %d rows, not %d", rows, CLAIM_MAX);
		return FALSE;
	}
	return TRUE;
}

/* bench_pg_fail - a bare libpq error; clears r */
gboolean
bench_pg_fail(PGconn *c, PGresult *r, const char *what, GError **error)
{
	g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "libpq %s: %s",
	    what, r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c));
	PQclear(r);
	return FALSE;
}

/* op_pg_insert - one prepared INSERT, autocommit: one round trip */
static gboolean
op_pg_insert(Bench *b, gpointer conn, GError **error)
{
	g_autofree char *key =
	    g_strdup_printf("mid:bench-%d@acme.com", g_atomic_int_add(&seq, 1));
	g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, util_now());
	gsize len;
	const char *v[3] = { key, g_bytes_get_data(b->row, &len), now };
	int lengths[3] = { 0, (int)len, 0 }, formats[3] = { 0, 1, 0 };
	PGresult *r = PQexecPrepared(conn, "ins", 3, v, lengths, formats, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK ||
	    strcmp(PQcmdTuples(r), "1") != 0)
		return bench_pg_fail(conn, r, "INSERT", error);
	PQclear(r);
	return TRUE;
}

/* op_pg_claim - the claim statement alone, autocommit */
static gboolean
op_pg_claim(Bench *b, gpointer conn, GError **error)
{
	g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, util_now());
	const char *v[3] = { now, G_STRINGIFY(LEASE), G_STRINGIFY(CLAIM_MAX) };
	PGresult *r = PQexecPrepared(conn, "claim", 3, v, NULL, NULL, 0);

	(void)b;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return bench_pg_fail(conn, r, "claim", error);
	if (PQntuples(r) != CLAIM_MAX) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "the bare claim took %d rows, not %d", PQntuples(r),
		    CLAIM_MAX);
		PQclear(r);
		return FALSE;
	}
	PQclear(r);
	return TRUE;
}

/* op_pgx - one share by bare libpq, shaped by fn */
static gboolean
op_pgx(Bench *b, gpointer conn,
    gboolean (*fn)(PGconn *, BenchShare *, GError **), GError **error)
{
	g_autoptr(Share) share = new_share();
	g_autoptr(OutboxItem) item = new_item(b->intro);
	g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, util_now());
	BenchShare s = { share, item, now, NULL, 0 };

	s.msg = g_bytes_get_data(b->intro, &s.msg_len);
	return fn(conn, &s, error);
}

static gboolean
op_pgx_stmts(Bench *b, gpointer conn, GError **error)
{
	return op_pgx(b, conn, pgx_stmts, error);
}

static gboolean
op_pgx_unnest(Bench *b, gpointer conn, GError **error)
{
	return op_pgx(b, conn, pgx_unnest, error);
}

static gboolean
op_pgx_cte(Bench *b, gpointer conn, GError **error)
{
	return op_pgx(b, conn, pgx_cte, error);
}

/* ---- connections ----------------------------------------------------- */

/* the claim as the store writes it (store/sql_*.c), one statement */
#define CLAIM_SQL(p1, p2, p3, lock)                                            \
	"UPDATE outbox SET status = 'sending', claimed_at = " p1               \
	", lease_until = " p1 " + " p2 ", claim = claim + 1,"                  \
	" attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox"          \
	" WHERE (status = 'queued' AND next_attempt_at <= " p1 ")"             \
	" OR (status = 'sending' AND lease_until < " p1 ")"                    \
	" ORDER BY next_attempt_at, id LIMIT " p3 lock ") RETURNING id"

static const char *const sq_claim_sql = CLAIM_SQL("?1", "?2", "?3", "");
static const char *const pg_claim_sql =
    CLAIM_SQL("$1::bigint", "$2::bigint", "$3", " FOR UPDATE SKIP LOCKED");

/* sq_open - a bare connection, WAL and FULL, and its one statement; a
 * table t of its own unless sql is the claim */
static sqlite3_stmt *
sq_open(const char *path, const char *sql, GError **error)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *setup = "PRAGMA busy_timeout=5000;"
			    "PRAGMA journal_mode=WAL;"
			    "PRAGMA synchronous=FULL;"
			    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY"
			    " KEY, k TEXT NOT NULL, v BLOB NOT NULL,"
			    " created_at INTEGER NOT NULL)";

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, setup, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "sqlite3 %s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return st;
}

/* sq_close - the statement and its connection */
static void
sq_close(gpointer conn)
{
	sqlite3 *db;

	if (conn == NULL)
		return;
	db = sqlite3_db_handle(conn);
	sqlite3_finalize(conn);
	sqlite3_close(db);
}

/* conninfo - the server's string for database name */
static char *
conninfo(const Opts *o, const char *name)
{
	return g_strdup_printf("%s dbname=%s", o->pg, name);
}

/* quiet - the server's notices (IF NOT EXISTS) are not ours to print */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* pg_connect - a bare connection to database name; with sql, prepared
 * as stmt (after making table t when stmt is "ins"); stmt "pgx": the
 * statements of bench_store_pgx.c */
static PGconn *
pg_connect(const Opts *o, const char *name, const char *stmt, const char *sql,
    GError **error)
{
	g_autofree char *ci = conninfo(o, name);
	PGconn *c = PQconnectdb(ci);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		bench_pg_fail(c, NULL, "connect", error);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	if (stmt != NULL && strcmp(stmt, "pgx") == 0 &&
	    !pgx_prepare(c, error)) {
		PQfinish(c);
		return NULL;
	}
	if (stmt == NULL || strcmp(stmt, "pgx") == 0)
		return c;
	if (strcmp(stmt, "ins") == 0) {
		r = PQexec(c, "CREATE TABLE IF NOT EXISTS t (id BIGINT"
			      " GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
			      " k TEXT NOT NULL, v BYTEA NOT NULL,"
			      " created_at BIGINT NOT NULL)");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			bench_pg_fail(c, r, "CREATE TABLE", error);
			PQfinish(c);
			return NULL;
		}
		PQclear(r);
	}
	r = PQprepare(c, stmt, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		bench_pg_fail(c, r, "PREPARE", error);
		PQfinish(c);
		return NULL;
	}
	PQclear(r);
	return c;
}

/* pg_simple - one command on c; the first value of its result, or "" */
static char *
pg_simple(PGconn *c, const char *sql, GError **error)
{
	PGresult *r = PQexec(c, sql);
	char *v;

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		bench_pg_fail(c, r, sql, error);
		return NULL;
	}
	v = g_strdup(PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return v;
}

/* pg_fresh - drop and make the databases this program uses */
static gboolean
pg_fresh(const Opts *o, GError **error)
{
	static const char *const names[] = { "pa_bench_share", "pa_bench_raw",
		"pa_bench_claim", "pa_bench_claim_raw", "pa_bench_count" };
	PGconn *c = pg_connect(o, "postgres", NULL, NULL, error);
	gboolean ok = c != NULL;

	for (size_t i = 0; ok && i < G_N_ELEMENTS(names); i++) {
		g_autofree char *drop =
		    g_strdup_printf("DROP DATABASE IF EXISTS %s", names[i]);
		g_autofree char *make =
		    g_strdup_printf("CREATE DATABASE %s", names[i]);
		g_autofree char *a = pg_simple(c, drop, error);
		g_autofree char *m = a ? pg_simple(c, make, error) : NULL;

		ok = m != NULL;
	}
	if (ok) {
		g_autofree char *v = pg_simple(c,
		    "ALTER DATABASE pa_bench_count SET log_statement = 'all';"
		    "ALTER DATABASE pa_bench_count"
		    " SET log_parameter_max_length = 0",
		    error);

		ok = v != NULL;
	}
	PQfinish(c);
	return ok;
}

/* store_on - a Store with pool connections */
static Store *
store_on(const Opts *o, const char *name, guint pool, GError **error)
{
	StoreOptions so = { .timeout_ms = 10000, .pool = pool };
	g_autofree char *url = o->pg != NULL && strchr(name, '/') == NULL
				   ? conninfo(o, name)
				   : g_strdup_printf("sqlite:%s", name);

	return store_open_full(url, &so, error);
}

/* ---- timing ---------------------------------------------------------- */

typedef struct {
	Bench *b;
	OpFn fn;
	gpointer conn;
	guint n;
	GError *error;
	/* the start line */
	GMutex *lock;
	GCond *cond;
	guint *ready;
	gboolean *go;
} Worker;

/* worker - wait for the start, then n ops */
static gpointer
worker(gpointer data)
{
	Worker *w = data;

	g_mutex_lock(w->lock);
	(*w->ready)++;
	g_cond_broadcast(w->cond);
	while (!*w->go)
		g_cond_wait(w->cond, w->lock);
	g_mutex_unlock(w->lock);
	for (guint i = 0; i < w->n; i++)
		if (!w->fn(w->b, w->conn, &w->error))
			break;
	return NULL;
}

/* timed - n ops over nconn connections in as many threads (one: this
 * thread); ops per second, or -1 with error set */
static double
timed(Bench *b, OpFn fn, gpointer *conns, guint nconn, guint n, GError **error)
{
	Worker w[THREADS];
	GThread *t[THREADS];
	GMutex lock;
	GCond cond;
	guint ready = 0;
	gboolean go = FALSE;
	gint64 t0, t1;
	guint done;

	g_assert(nconn >= 1 && nconn <= THREADS);
	if (nconn == 1) {
		t0 = g_get_monotonic_time();
		for (guint i = 0; i < n; i++)
			if (!fn(b, conns[0], error))
				return -1;
		t1 = g_get_monotonic_time();
		return n * 1e6 / (double)MAX(t1 - t0, 1);
	}
	g_mutex_init(&lock);
	g_cond_init(&cond);
	for (guint i = 0; i < nconn; i++) {
		w[i] = (Worker){ b, fn, conns[i], n / nconn, NULL, &lock, &cond,
			&ready, &go };
		t[i] = g_thread_new("bench", worker, &w[i]);
	}
	g_mutex_lock(&lock);
	while (ready < nconn)
		g_cond_wait(&cond, &lock);
	t0 = g_get_monotonic_time();
	go = TRUE;
	g_cond_broadcast(&cond);
	g_mutex_unlock(&lock);
	for (guint i = 0; i < nconn; i++)
		g_thread_join(t[i]);
	t1 = g_get_monotonic_time();
	g_mutex_clear(&lock);
	g_cond_clear(&cond);
	for (guint i = 0; i < nconn; i++)
		if (w[i].error != NULL) {
			g_propagate_error(error, w[i].error);
			for (guint k = i + 1; k < nconn; k++)
				g_clear_error(&w[k].error);
			return -1;
		}
	/* the work done: whole rounds of nconn (integer division meant) */
	done = (n / nconn) * nconn;
	return (double)done * 1e6 / (double)MAX(t1 - t0, 1);
}

/* One row of the table: the store and its baseline. */
typedef struct {
	const char *what, *engine;
	guint threads;
	OpFn store_fn, base_fn;
	gpointer store_conns[THREADS], base_conns[THREADS];
	Store *fill[2];     /* claims: the stores that fill store and base */
	const char *shape;  /* -x rows: the bare shape, else NULL */
	double store, base; /* best ops/s */
} Row;

/* timed_claims - n claims on conn, each after CLAIM_MAX new due items
 * (queued through st, not timed): a sender that keeps up, with the
 * table growing as a real outbox does; claims per second, or -1 */
static double
timed_claims(
    Bench *b, OpFn fn, gpointer conn, Store *st, guint n, GError **error)
{
	gint64 spent = 0;

	for (guint i = 0; i < n; i++) {
		gint64 t0;

		if (!record_shares(st, b->intro, CLAIM_MAX, error))
			return -1;
		t0 = g_get_monotonic_time();
		if (!fn(b, conn, error))
			return -1;
		spent += g_get_monotonic_time() - t0;
	}
	return n * 1e6 / (double)MAX(spent, 1);
}

/* one - n ops of the store (base FALSE) or of its baseline */
static double
one(Bench *b, Row *row, gboolean base, guint n, GError **error)
{
	OpFn fn = base ? row->base_fn : row->store_fn;
	gpointer *conns = base ? row->base_conns : row->store_conns;

	if (row->fill[0] != NULL)
		return timed_claims(b, fn, conns[0], row->fill[base], n, error);
	return timed(b, fn, conns, row->threads, n, error);
}

/* interleaved - n ops of the store and n of its baseline, in turns of
 * chunk ops (who goes first alternates), so that both see the same
 * load on a shared machine; ops per second into *s and *x */
static gboolean
interleaved(Bench *b, Row *row, guint n, guint chunk, double *s, double *x,
    GError **error)
{
	double spent[2] = { 0, 0 };

	for (guint done = 0, turn = 0; done < n; done += chunk, turn++) {
		guint k = MIN(chunk, n - done);

		for (int i = 0; i < 2; i++) {
			gboolean base = (turn + (guint)i) % 2 == 1;
			double v = one(b, row, base, k, error);

			if (v < 0)
				return FALSE;
			spent[base] += k / v;
		}
	}
	*s = n / spent[0];
	*x = n / spent[1];
	return TRUE;
}

/* measure - warm up, then the best of runs for the store and its base */
static gboolean
measure(Bench *b, Row *row, GError **error)
{
	const Opts *o = b->o;
	gboolean claim = row->fill[0] != NULL;
	guint n = claim ? o->claims : o->shares;
	guint warm = claim ? 2 : WARM * row->threads;

	row->store = row->base = 0;
	if (one(b, row, FALSE, warm, error) < 0 ||
	    one(b, row, TRUE, warm, error) < 0)
		return FALSE;
	for (guint r = 0; r < o->runs; r++) {
		double s, x;

		if (!interleaved(b, row, n, claim ? CLAIM_CHUNK : SHARE_CHUNK,
			&s, &x, error))
			return FALSE;
		row->store = MAX(row->store, s);
		row->base = MAX(row->base, x);
		fprintf(stderr,
		    "bench_store_engines: %s %s x%u run %u/%u: store %.0f/s, "
		    "baseline %.0f/s\n",
		    row->engine, row->what, row->threads, r + 1, o->runs, s, x);
	}
	return TRUE;
}

/* ---- the counted pass ------------------------------------------------ */

typedef struct {
	double stmts, commits; /* per op */
} Count;

/* mark - a line in the server's log */
static gboolean
mark(PGconn *c, const char *what, GError **error)
{
	g_autofree char *sql = g_strdup_printf("SELECT 'pa-bench-%s'", what);
	g_autofree char *v = pg_simple(c, sql, error);

	return v != NULL;
}

/* count_between - statements and COMMITs logged between two marks */
static gboolean
count_between(
    const char *log, const char *what, guint ops, Count *out, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *a = g_strdup_printf("'pa-bench-%s-begin'", what);
	g_autofree char *z = g_strdup_printf("'pa-bench-%s-end'", what);
	g_auto(GStrv) lines = NULL;
	guint stmts = 0, commits = 0;
	gboolean in = FALSE, seen = FALSE;

	if (!g_file_get_contents(log, &text, NULL, error))
		return FALSE;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i];
		gboolean st = strstr(l, "LOG:  statement: ") != NULL ||
			      strstr(l, "LOG:  execute ") != NULL;

		if (st && strstr(l, a) != NULL) {
			in = TRUE;
			stmts = commits = 0;
		} else if (st && strstr(l, z) != NULL && in) {
			in = FALSE;
			seen = TRUE;
		} else if (st && in) {
			stmts++;
			commits += strstr(l, "statement: COMMIT") != NULL;
		}
	}
	if (!seen) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "no %s marks in %s", what, log);
		return FALSE;
	}
	out->stmts = stmts / (double)ops;
	out->commits = commits / (double)ops;
	return TRUE;
}

/* count_pass - COUNT_OPS shares and COUNT_OPS claims on pa_bench_count,
 * whose statements the server logs */
static gboolean
count_pass(Bench *b, Count *share, Count *claim, GError **error)
{
	g_autoptr(Store) st = store_on(b->o, "pa_bench_count", 1, error);
	PGconn *c = NULL;
	gboolean ok;

	if (st == NULL)
		return FALSE;
	c = pg_connect(b->o, "pa_bench_count", NULL, NULL, error);
	/* warm: every statement prepared before counting */
	ok = c != NULL &&
	     record_shares(st, b->intro, (COUNT_OPS + 1) * CLAIM_MAX, error) &&
	     op_store_claim(b, st, error) && mark(c, "share-begin", error);
	for (guint i = 0; ok && i < COUNT_OPS; i++)
		ok = op_store_share(b, st, error);
	ok = ok && mark(c, "share-end", error) && mark(c, "claim-begin", error);
	for (guint i = 0; ok && i < COUNT_OPS; i++)
		ok = op_store_claim(b, st, error);
	ok = ok && mark(c, "claim-end", error);
	PQfinish(c);
	g_usleep(200000); /* the log is written by the server */
	return ok &&
	       count_between(b->o->log, "share", COUNT_OPS, share, error) &&
	       count_between(b->o->log, "claim", COUNT_OPS, claim, error);
}

/* ---- the report ------------------------------------------------------ */

/* why - one line on a row below its baseline */
static void
why(const Row *r, const Count *share, const Count *claim, gboolean counted)
{
	gboolean is_claim = r->fill[0] != NULL;
	const Count *c = is_claim ? claim : share;
	double us_s = 1e6 / r->store, us_b = 1e6 / r->base;

	if (r->store >= r->base)
		return;
	printf("- %s, %s, %u thread%s: %.0f µs per op against %.0f. ", r->what,
	    r->engine, r->threads, r->threads > 1 ? "s" : "", us_s, us_b);
	if (!counted)
		printf("(statements not counted: no server log)\n");
	else if (strcmp(r->engine, "SQLite") == 0 && !is_claim)
		printf("Both are one transaction with one synced WAL commit; "
		       "passalong runs %.0f statements in process (BEGIN, "
		       "INSERT share, INSERT outbox, one INSERT per "
		       "recipient, COMMIT) writing 4 rows and their indexes, "
		       "the baseline one row: the difference is pages written, "
		       "not round trips.\n",
		    c->stmts);
	else if (!is_claim)
		printf("%.0f round trips per share (BEGIN, INSERT share, "
		       "INSERT outbox, one INSERT per recipient, COMMIT) "
		       "against 1, both with %.0f commit: %.0f µs for each "
		       "round trip beyond the first.\n",
		    c->stmts, c->commits, (us_s - us_b) / MAX(c->stmts - 1, 1));
	else
		printf("One claim of %d is %.0f %s and %.0f commits "
		       "(BEGIN, claim, per item a load and its recipients, "
		       "COMMIT; then per item BEGIN, fence, one UPDATE per "
		       "recipient, the item, its share, COMMIT) against 1 and "
		       "1: the baseline only claims; passalong also reads "
		       "each item and records each send durably.\n",
		    CLAIM_MAX, c->stmts,
		    strcmp(r->engine, "SQLite") == 0 ? "statements"
						     : "round trips",
		    c->commits);
}

/* report_pgx - the -x rows, if any */
static void
report_pgx(const Row *rows, guint nrows)
{
	static const int trips[3] = { 6, 5, 1 };
	int k = 0;

	for (guint i = 0; i < nrows; i++) {
		const Row *r = &rows[i];

		if (r->shape == NULL)
			continue;
		if (k == 0)
			printf(
			    "\nThe share transaction on bare libpq (prepared "
			    "once, the store's schema and database), each "
			    "shape against the same one-row INSERT in the "
			    "same run:\n\n| shape | round trips | ops/s | "
			    "baseline ops/s | / baseline |\n"
			    "|---|---:|---:|---:|---:|\n");
		printf("| %s | %d | %.0f | %.0f | **%.2f** |\n", r->shape,
		    trips[MIN(k, 2)], r->store, r->base, r->store / r->base);
		k++;
	}
}

/* report - the markdown section */
static void
report(const Bench *b, Row *rows, guint nrows, const char *sq_dur,
    const char *pg_desc, const Count *share, const Count *claim,
    gboolean counted, const char *load)
{
	const Opts *o = b->o;
	g_autofree char *after = NULL;

	if (!g_file_get_contents("/proc/loadavg", &after, NULL, NULL))
		after = g_strdup("? ");
	*strchr(after, ' ') = '\0';
	printf("### Tier 3: micro — store engines\n\n"
	       "Share transactions/s (`store_shares_record()` of one share "
	       "and its %d-byte intro with 2 recipients) and outbox "
	       "claims/s (`store_outbox_claim()` of %d, then "
	       "`store_outbox_record()` of each as sent), best of %u runs "
	       "of %u shares / %u claims each, against a bare baseline on the "
	       "same engine in the same run: one prepared INSERT of a row "
	       "of the same %zu bytes per transaction, and the claim as "
	       "one statement (autocommit), each claim after %d new due "
	       "items were queued (not timed); store and baseline take "
	       "turns of %d shares or %d claims. SQLite: %s. PostgreSQL: "
	       "%s. Load average (1 min) before: %s, after: %s (%d "
	       "cores).\n\n",
	    INTRO_BYTES, CLAIM_MAX, o->runs, o->shares, o->claims,
	    g_bytes_get_size(b->row), CLAIM_MAX, SHARE_CHUNK, CLAIM_CHUNK,
	    sq_dur, pg_desc != NULL ? pg_desc : "not measured (no server)",
	    load, after, (int)g_get_num_processors());
	printf("| op | engine | threads | passalong ops/s | baseline ops/s "
	       "| passalong / baseline | statements per op (passalong / "
	       "baseline) | commits per op |\n"
	       "|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (guint i = 0; i < nrows; i++) {
		const Row *r = &rows[i];
		const Count *c = r->fill[0] != NULL ? claim : share;

		if (r->shape != NULL)
			continue;

		if (counted)
			printf("| %s | %s | %u | %.0f | %.0f | **%.2f** | "
			       "%.0f / 1 | %.0f / 1 |\n",
			    r->what, r->engine, r->threads, r->store, r->base,
			    r->store / r->base, c->stmts, c->commits);
		else
			printf("| %s | %s | %u | %.0f | %.0f | **%.2f** | ? | "
			       "? |\n",
			    r->what, r->engine, r->threads, r->store, r->base,
			    r->store / r->base);
	}
	printf("\nA claim is of %d items: items/s is %d × claims/s. "
	       "Statements were counted on PostgreSQL with log_statement = "
	       "all (a pass of %d ops after a warm-up); on PostgreSQL each "
	       "is one round trip, and SQLite runs the same domain code.\n\n",
	    CLAIM_MAX, CLAIM_MAX, COUNT_OPS);
	for (guint i = 0; i < nrows; i++)
		if (rows[i].shape == NULL)
			why(&rows[i], share, claim, counted);
	report_pgx(rows, nrows);
}

/* usage - and exit 2 */
static void G_GNUC_NORETURN
usage(void)
{
	fprintf(stderr,
	    "usage: bench_store_engines [-n SHARES] [-c CLAIMS] "
	    "[-r RUNS] [-d DIR] [-p CONNINFO] [-l SERVERLOG] [-x]\n");
	exit(2);
}

/* parse_opts - the command line into o */
static void
parse_opts(int argc, char **argv, Opts *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "n:c:r:d:p:l:x")) != -1) {
		switch (ch) {
		case 'n':
			o->shares = (guint)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o->claims = (guint)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o->runs = (guint)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'p':
			o->pg = optarg;
			break;
		case 'l':
			o->log = optarg;
			break;
		case 'x':
			o->explore = TRUE;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	o->shares = CLAMP(o->shares, THREADS, MAX_COUNT);
	o->claims = CLAMP(o->claims, THREADS, MAX_COUNT / CLAIM_MAX);
	o->runs = CLAMP(o->runs, 1, 99);
}

/* Everything main opens, closed by cleanup(). */
typedef struct {
	Store *stores[8];
	guint nstores;
	sqlite3_stmt *sq[4];
	PGconn *pg[2 * THREADS + 2];
	guint npg;
} Open;

/* keep_store - note s for cleanup; s itself */
static Store *
keep_store(Open *k, Store *s)
{
	g_assert(k->nstores < G_N_ELEMENTS(k->stores));
	k->stores[k->nstores++] = s;
	return s;
}

/* keep_pg - note c for cleanup; c itself */
static PGconn *
keep_pg(Open *k, PGconn *c)
{
	g_assert(k->npg < G_N_ELEMENTS(k->pg));
	k->pg[k->npg++] = c;
	return c;
}

/* cleanup - close what main opened */
static void
cleanup(Open *k)
{
	for (guint i = 0; i < G_N_ELEMENTS(k->sq); i++)
		sq_close(k->sq[i]);
	for (guint i = 0; i < k->npg; i++)
		PQfinish(k->pg[i]);
	for (guint i = 0; i < k->nstores; i++)
		store_close(k->stores[i]);
}

/* sqlite_rows - the SQLite rows: share and claim */
static gboolean
sqlite_rows(Open *k, const char *dir, Row *rows, GError **error)
{
	g_autofree char *s1 = g_build_filename(dir, "share.db", NULL);
	g_autofree char *r1 = g_build_filename(dir, "raw.db", NULL);
	g_autofree char *s2 = g_build_filename(dir, "claim.db", NULL);
	g_autofree char *r2 = g_build_filename(dir, "claim-raw.db", NULL);
	Store *st = keep_store(k, store_open(s1, 10000, error));
	Store *cs, *cr;

	if (st == NULL)
		return FALSE;
	rows[0] = (Row){ .what = "share",
		.engine = "SQLite",
		.threads = 1,
		.store_fn = op_store_share,
		.base_fn = op_sq_insert };
	rows[0].store_conns[0] = st;
	rows[0].base_conns[0] = k->sq[0] = sq_open(
	    r1, "INSERT INTO t (k, v, created_at) VALUES (?, ?, ?)", error);
	if (k->sq[0] == NULL ||
	    (cs = keep_store(k, store_open(s2, 10000, error))) == NULL ||
	    (cr = keep_store(k, store_open(r2, 10000, error))) == NULL)
		return FALSE;
	rows[1] = (Row){ .what = "claim",
		.engine = "SQLite",
		.threads = 1,
		.store_fn = op_store_claim,
		.base_fn = op_sq_claim,
		.fill = { cs, cr } };
	rows[1].store_conns[0] = cs;
	rows[1].base_conns[0] = k->sq[1] = sq_open(r2, sq_claim_sql, error);
	return k->sq[1] != NULL;
}

/* pgx_rows - the -x rows: the share on bare libpq, three shapes */
static gboolean
pgx_rows(Open *k, const Opts *o, Row *rows, PGconn *base, GError **error)
{
	static const struct {
		const char *shape;
		OpFn fn;
	} x[3] = {
		{ "the store's statements, each waited for", op_pgx_stmts },
		{ "the recipients in one INSERT (unnest)", op_pgx_unnest },
		{ "one WITH statement, autocommit", op_pgx_cte },
	};
	PGconn *c =
	    keep_pg(k, pg_connect(o, "pa_bench_share", "pgx", "", error));

	if (c == NULL)
		return FALSE;
	for (int i = 0; i < 3; i++) {
		rows[i] = (Row){ .what = "share",
			.engine = "PostgreSQL",
			.threads = 1,
			.store_fn = x[i].fn,
			.base_fn = op_pg_insert,
			.shape = x[i].shape };
		rows[i].store_conns[0] = c;
		rows[i].base_conns[0] = base;
	}
	return TRUE;
}

/* pg_rows - the PostgreSQL rows: share x1, share xTHREADS, claim */
static gboolean
pg_rows(Open *k, const Opts *o, Row *rows, GError **error)
{
	Store *st1 = keep_store(k, store_on(o, "pa_bench_share", 1, error));
	Store *st4 =
	    st1 ? keep_store(k, store_on(o, "pa_bench_share", THREADS, error))
		: NULL;
	Store *cs =
	    st4 ? keep_store(k, store_on(o, "pa_bench_claim", 1, error)) : NULL;
	Store *cr =
	    cs ? keep_store(k, store_on(o, "pa_bench_claim_raw", 1, error))
	       : NULL;
	const char *ins = "INSERT INTO t (k, v, created_at)"
			  " VALUES ($1, $2, $3::bigint)";

	if (cr == NULL)
		return FALSE;
	rows[0] = (Row){ .what = "share",
		.engine = "PostgreSQL",
		.threads = 1,
		.store_fn = op_store_share,
		.base_fn = op_pg_insert };
	rows[1] = (Row){ .what = "share",
		.engine = "PostgreSQL",
		.threads = THREADS,
		.store_fn = op_store_share,
		.base_fn = op_pg_insert };
	rows[2] = (Row){ .what = "claim",
		.engine = "PostgreSQL",
		.threads = 1,
		.store_fn = op_store_claim,
		.base_fn = op_pg_claim,
		.fill = { cs, cr } };
	rows[0].store_conns[0] = st1;
	rows[2].store_conns[0] = cs;
	for (guint i = 0; i < THREADS; i++) {
		rows[1].store_conns[i] = st4;
		rows[1].base_conns[i] = keep_pg(
		    k, pg_connect(o, "pa_bench_raw", "ins", ins, error));
		if (rows[1].base_conns[i] == NULL)
			return FALSE;
	}
	rows[0].base_conns[0] = rows[1].base_conns[0];
	rows[2].base_conns[0] = keep_pg(k,
	    pg_connect(o, "pa_bench_claim_raw", "claim", pg_claim_sql, error));
	if (rows[2].base_conns[0] == NULL)
		return FALSE;
	return !o->explore ||
	       pgx_rows(k, o, rows + 3, rows[0].base_conns[0], error);
}

/* pg_describe - the server's version and durability settings */
static char *
pg_describe(Open *k, const Opts *o, GError **error)
{
	PGconn *c = keep_pg(k, pg_connect(o, "postgres", NULL, NULL, error));
	g_autofree char *fsync = NULL, *sync = NULL, *fpw = NULL, *ver = NULL;

	if (c == NULL ||
	    (ver = pg_simple(c, "SHOW server_version", error)) == NULL ||
	    (fsync = pg_simple(c, "SHOW fsync", error)) == NULL ||
	    (fpw = pg_simple(c, "SHOW full_page_writes", error)) == NULL ||
	    (sync = pg_simple(c, "SHOW synchronous_commit", error)) == NULL)
		return NULL;
	return g_strdup_printf("%s on a unix socket, fsync=%s "
			       "full_page_writes=%s synchronous_commit=%s",
	    ver, fsync, fpw, sync);
}

/* remove_dir - the files and then the directory itself */
static void
remove_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		if (g_remove(p) != 0)
			fprintf(stderr,
			    "bench_store_engines: cannot remove %s\n", p);
	}
	if (g_rmdir(dir) != 0)
		fprintf(stderr, "bench_store_engines: cannot remove %s\n", dir);
}

int
main(int argc, char **argv)
{
	Opts o = {
		.shares = 2000, .claims = 200, .runs = 3, .dir = g_get_tmp_dir()
	};
	g_autofree char *tmpl = NULL, *dir = NULL, *load = NULL;
	g_autofree char *sq_dur = NULL, *pg_desc = NULL;
	g_autoptr(GBytes) intro = make_intro();
	g_autoptr(GError) error = NULL;
	Bench b = { &o, intro, NULL };
	Open k = { 0 };
	Row rows[8];
	guint nrows = 0;
	Count share = { 0 }, claim = { 0 };
	gboolean ok, counted = FALSE;

	parse_opts(argc, argv, &o);
	b.row = make_row(intro);
	if (!g_file_get_contents("/proc/loadavg", &load, NULL, NULL))
		load = g_strdup("? ");
	*strchr(load, ' ') = '\0';
	tmpl = g_build_filename(o.dir, "bench-engines-XXXXXX", NULL);
	dir = g_strdup(tmpl);
	if (g_mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_store_engines: cannot make %s: %s\n",
		    tmpl, g_strerror(errno));
		return 1;
	}
	o.dir = dir;
	ok = sqlite_rows(&k, dir, rows, &error);
	if (ok) {
		sq_dur = store_durability(rows[0].store_conns[0]);
		nrows = 2;
	}
	if (ok && o.pg != NULL) {
		ok = pg_fresh(&o, &error) &&
		     (pg_desc = pg_describe(&k, &o, &error)) != NULL &&
		     pg_rows(&k, &o, rows + 2, &error);
		if (ok)
			nrows = o.explore ? 8 : 5;
	}
	for (guint i = 0; ok && i < nrows; i++)
		ok = measure(&b, &rows[i], &error);
	if (ok && o.pg != NULL && o.log != NULL)
		ok = counted = count_pass(&b, &share, &claim, &error);
	if (ok)
		report(&b, rows, nrows, sq_dur, pg_desc, &share, &claim,
		    counted, load);
	else
		fprintf(stderr, "bench_store_engines: %s; no numbers\n",
		    error != NULL ? error->message : "failed");
	cleanup(&k);
	g_bytes_unref(b.row);
	remove_dir(dir);
	return ok ? 0 : 1;
}
