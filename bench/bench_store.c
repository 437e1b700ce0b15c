/*
 * bench_store.c - what recording one share costs: store_shares_record()
 *	against plain SQLite transactions of the same size, in the same run
 *
 * Usage: bench_store [ROUNDS [DIR]]   (make bench)
 *	ROUNDS defaults to 7. The files go in a new mktemp directory under
 *	DIR (default: $TMPDIR or /tmp), removed at the end; put DIR on the
 *	disk the real store lives on, since fsync is what is measured.
 *
 * Five modes, each on its own real file, interleaved round by round:
 *
 *	store	store_shares_record() as the milter calls it: one Share and
 *		its one OutboxItem (an intro of INTRO_BYTES, 3 recipients),
 *		a new origin key each call so that each call inserts, on a
 *		file opened by store_open() (its pragmas are printed).
 *	dup	the same share recorded again, as an MTA retry does: the
 *		duplicate check in BEGIN IMMEDIATE, nothing written.
 *	schema	plain SQLite doing what the store does (duplicate check,
 *		share, outbox row, recipients; one transaction, FULL) on
 *		the store's own schema, statements prepared once: store /
 *		schema is the store's code, schema / full its schema.
 *	full	plain SQLite: BEGIN IMMEDIATE, one prepared INSERT of a row
 *		as large as the share and its intro, COMMIT; WAL and
 *		synchronous=FULL: the floor for a durable transaction.
 *	normal	the same with synchronous=NORMAL (WAL commits not synced:
 *		the last ones may be lost on power failure).
 *
 * full/normal is the price of durability. Each round times enough
 * transactions to last about MIN_ROUND_US; the median round is reported
 * as wall and CPU (getrusage) microseconds and KB passed to write(2)
 * (/proc/self/io) per transaction. Numbers, not asserts: the program
 * fails only when the work was not done (a call failed, or the files do
 * not hold the rows written).
 *
 * This program includes <sqlite3.h> outside store/ on purpose: the
 * baseline is plain SQLite, not the store.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/vfs.h>

#include "common/util.h"
#include "store/store.h"

#define MIN_ROUND_US (300 * 1000)
#define INTRO_BYTES 8192
#define MAX_ITER (1u << 16)
#define MAX_ROUNDS 99

enum { MODE_STORE, MODE_DUP, MODE_SCHEMA, MODE_FULL, MODE_NORMAL, N_MODES };
enum { M_WALL, M_CPU, M_KB, N_METRICS }; /* per transaction */

/* the plain SQLite connections, and the statements of RAW_SCHEMA */
enum { RAW_SCHEMA, RAW_FULL, RAW_NORMAL, N_RAWS };
enum { ST_FIND, ST_SHARE, ST_OUTBOX, ST_RCPT, N_STMTS };

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *st[N_STMTS]; /* RAW_FULL, RAW_NORMAL: st[0] only */
} Raw;

typedef struct {
	Store *store;
	Share *share;     /* reused: a new origin key each call */
	OutboxItem *item; /* the share's intro */
	Share *dup;       /* recorded once in setup, then again and again */
	gint64 dup_id;    /* its id */
	Raw raw[N_RAWS];
	GBytes *row; /* the raw row's blob: share fields + intro */
	guint64 done[N_MODES];
	guint64 seq;   /* origin keys */
	GError *error; /* the first failure */
} Bench;

typedef gboolean (*BenchFn)(Bench *b);

static const char *const words[] = { "Aenean", "quis", "diam", "urna",
	"Maecenas", "eleifend", "vulputate", "ligula", "ac", "consequat",
	"café", "Pellentesque", "cursus", "tincidunt", "mauris", "non",
	"venenatis", "Sed", "nec", "facilisis", "tellus", "Nunc", "eget",
	"eros", "séminaire", "ex", "congue", "iaculis", "massa", "Morbi" };

#define NOTE                                                                   \
	"Jane, you'd be perfect for this: they want someone who has run "      \
	"a real migration, not slides. I told John you might say yes.\n\n"     \
	"Chris"

/* add_words - about n bytes of sentences, lines under 76 columns */
static void
add_words(GString *out, GRand *rand, gsize n)
{
	gsize start = out->len, col = 0;

	while (out->len - start < n) {
		const char *w =
		    words[g_rand_int_range(rand, 0, G_N_ELEMENTS(words))];

		if (col + strlen(w) > 70) {
			g_string_append(out, "\r\n");
			col = 0;
		} else if (col > 0) {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, w);
		col += strlen(w);
	}
	g_string_append(out, ".\r\n");
}

/* make_intro - an introduction of INTRO_BYTES as the templates write it */
static GBytes *
make_intro(GRand *rand)
{
	GString *m = g_string_new(
	    "From: \"Chris Member via passalong\" "
	    "<intros@intro.example.org>\r\n"
	    "To: Jane Doe <jane.doe@example.net>, John Doe "
	    "<john.doe@acme.com>\r\n"
	    "Cc: Chris Member <chris@members.example>\r\n"
	    "Reply-To: Jane Doe <jane.doe@example.net>, John Doe "
	    "<john.doe@acme.com>\r\n"
	    "Subject: Jane Doe, meet John Doe: Speaking slot at the Lyon "
	    "developer days\r\n"
	    "Date: Wed, 27 Oct 2021 08:02:11 +0000\r\n"
	    "Message-ID: <bench-intro@intro.example.org>\r\n"
	    "In-Reply-To: <bench-fwd@members.example>\r\n"
	    "Auto-Submitted: auto-generated\r\nX-Passalong-Kind: intro\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; "
	    "boundary=\"=-bench\"\r\n\r\n--=-bench\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n");

	add_words(m, rand, INTRO_BYTES / 3);
	g_string_append(m, "\r\n--=-bench\r\nContent-Type: text/html; "
			   "charset=utf-8\r\nContent-Transfer-Encoding: "
			   "8bit\r\n\r\n<!DOCTYPE html>\r\n<html><body><p>");
	add_words(m, rand, INTRO_BYTES - m->len - 40);
	g_string_append(m, "</p></body></html>\r\n--=-bench--\r\n");
	return g_string_free_to_bytes(m);
}

/* make_share - the share as milter/share.c build_share() fills it */
static Share *
make_share(const char *origin_key)
{
	Share *s = share_new();

	s->sharer = g_strdup("chris@members.example");
	s->recipient = g_strdup("jane.doe@example.net");
	s->recipient_name = g_strdup("Jane Doe");
	s->requester = g_strdup("john.doe@acme.com");
	s->requester_name = g_strdup("John Doe");
	s->subject = g_strdup("Speaking slot at the Lyon developer days");
	s->note = g_strdup(NOTE);
	s->origin_key = g_strdup(origin_key);
	s->status = g_strdup("queued");
	s->queue_id = g_strdup("4XkQ2m0Zb1z9Tq");
	return s;
}

/* make_item - the intro's outbox item, as outbox_from_mail() makes it */
static OutboxItem *
make_item(GBytes *intro)
{
	OutboxItem *item = outbox_item_new();

	item->kind = g_strdup("intro");
	item->mail_from = g_strdup("intros@intro.example.org");
	g_ptr_array_add(item->rcpts, g_strdup("jane.doe@example.net"));
	g_ptr_array_add(item->rcpts, g_strdup("john.doe@acme.com"));
	g_ptr_array_add(item->rcpts, g_strdup("chris@members.example"));
	item->subject = g_strdup("Jane Doe, meet John Doe: Speaking slot at "
				 "the Lyon developer days");
	item->message = g_bytes_ref(intro);
	item->status = g_strdup("queued");
	return item;
}

/* make_row - the raw baseline's blob: as many bytes as share and intro */
static GBytes *
make_row(const Share *s, const OutboxItem *item)
{
	GString *r = g_string_new(NULL);
	gsize len;
	const char *data = g_bytes_get_data(item->message, &len);

	g_string_append_printf(r, "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n",
	    s->sharer, s->recipient, s->recipient_name, s->requester,
	    s->requester_name, s->subject, s->note, s->status, s->queue_id);
	g_string_append_printf(r, "%s\n%s\n", item->mail_from, item->subject);
	for (guint i = 0; i < item->rcpts->len; i++)
		g_string_append_printf(
		    r, "%s\n", (char *)item->rcpts->pdata[i]);
	g_string_append_len(r, data, (gssize)len);
	return g_string_free_to_bytes(r);
}

/* record_one - store_shares_record() of one share with its one item */
static gboolean
record_one(Bench *b, Share *s, gboolean *created)
{
	g_autoptr(GPtrArray) shares = g_ptr_array_new();
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	GPtrArray *one = g_ptr_array_new(); /* borrows the item */

	g_ptr_array_add(one, b->item);
	g_ptr_array_add(shares, s);
	g_ptr_array_add(lists, one);
	return store_shares_record(b->store, shares, lists, created, &b->error);
}

/* run_store - record a new share (a new origin key) */
static gboolean
run_store(Bench *b)
{
	gboolean created = FALSE;

	g_free(b->share->origin_key);
	b->share->origin_key = g_strdup_printf(
	    "mid:bench-%" G_GUINT64_FORMAT "@acme.com", b->seq++);
	b->share->id = 0;
	b->share->created_at = 0;
	b->item->id = b->item->share_id = 0;
	b->item->next_attempt_at = b->item->created_at = 0;
	if (!record_one(b, b->share, &created))
		return FALSE;
	if (!created || b->share->id <= 0 || b->item->id <= 0) {
		g_set_error(&b->error, STORE_ERROR, STORE_ERROR_FAILED,
		    "a new share was not recorded as new");
		return FALSE;
	}
	b->done[MODE_STORE]++;
	return TRUE;
}

/* run_dup - record the same share again: an MTA retry */
static gboolean
run_dup(Bench *b)
{
	gboolean created = TRUE;

	b->dup->id = 0;
	if (!record_one(b, b->dup, &created))
		return FALSE;
	if (created || b->dup->id != b->dup_id) {
		g_set_error(&b->error, STORE_ERROR, STORE_ERROR_FAILED,
		    "a duplicate share was not found (created=%d "
		    "id=%" G_GINT64_FORMAT ")",
		    created, b->dup->id);
		return FALSE;
	}
	b->done[MODE_DUP]++;
	return TRUE;
}

/* next_key - a new origin key (transfer full) */
static char *
next_key(Bench *b)
{
	return g_strdup_printf(
	    "mid:bench-%" G_GUINT64_FORMAT "@acme.com", b->seq++);
}

/* raw_failed - an error from plain SQLite; rolls back */
static gboolean
raw_failed(Bench *b, sqlite3 *db, const char *what)
{
	g_set_error(&b->error, STORE_ERROR, STORE_ERROR_FAILED, "plain %s: %s",
	    what, sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return FALSE;
}

/* raw_exec - constant SQL on a plain connection */
static gboolean
raw_exec(Bench *b, Raw *r, const char *sql)
{
	if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return raw_failed(b, r->db, sql);
	return TRUE;
}

/* raw_done - step a bound statement that returns no row, then reset it */
static gboolean
raw_done(Bench *b, Raw *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return raw_failed(b, r->db, sqlite3_sql(st));
	return TRUE;
}

/* run_raw - BEGIN IMMEDIATE, one INSERT of the row, COMMIT */
static gboolean
run_raw(Bench *b, int i)
{
	Raw *r = &b->raw[i];
	g_autofree char *key = next_key(b);
	gsize len;
	const void *data = g_bytes_get_data(b->row, &len);

	if (!raw_exec(b, r, "BEGIN IMMEDIATE"))
		return FALSE;
	sqlite3_bind_text(r->st[0], 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob64(r->st[0], 2, data, len, SQLITE_STATIC);
	sqlite3_bind_int64(r->st[0], 3, util_now());
	return raw_done(b, r, r->st[0]) && raw_exec(b, r, "COMMIT");
}

/* run_full - the plain transaction with synchronous=FULL */
static gboolean
run_full(Bench *b)
{
	if (!run_raw(b, RAW_FULL))
		return FALSE;
	b->done[MODE_FULL]++;
	return TRUE;
}

/* run_normal - the plain transaction with synchronous=NORMAL */
static gboolean
run_normal(Bench *b)
{
	if (!run_raw(b, RAW_NORMAL))
		return FALSE;
	b->done[MODE_NORMAL]++;
	return TRUE;
}

/* schema_share - the store's duplicate check and share insert */
static gboolean
schema_share(Bench *b, Raw *r, const char *key, gint64 now)
{
	const Share *s = b->share;
	sqlite3_stmt *st = r->st[ST_FIND];
	const char *v[] = { s->sharer, s->recipient, s->recipient_name,
		s->requester, s->requester_name, s->subject, s->note, key,
		s->status, s->queue_id };

	sqlite3_bind_text(st, 1, s->sharer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
	if (!raw_done(b, r, st)) /* a row here would be a duplicate */
		return FALSE;
	st = r->st[ST_SHARE];
	for (int i = 0; i < (int)G_N_ELEMENTS(v); i++)
		sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, now);
	return raw_done(b, r, st);
}

/* schema_item - the store's outbox row and its recipients */
static gboolean
schema_item(Bench *b, Raw *r, gint64 share_id, gint64 now)
{
	const OutboxItem *item = b->item;
	sqlite3_stmt *st = r->st[ST_OUTBOX];
	gsize len;
	const void *msg = g_bytes_get_data(item->message, &len);
	gint64 id;

	sqlite3_bind_int64(st, 1, share_id);
	sqlite3_bind_text(st, 2, item->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, item->mail_from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, item->subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob64(st, 5, msg, len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	if (!raw_done(b, r, st))
		return FALSE;
	id = sqlite3_last_insert_rowid(r->db);
	st = r->st[ST_RCPT];
	for (guint i = 0; i < item->rcpts->len; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(
		    st, 3, item->rcpts->pdata[i], -1, SQLITE_TRANSIENT);
		if (!raw_done(b, r, st))
			return FALSE;
	}
	return TRUE;
}

/* run_schema - the store's transaction, statements prepared once */
static gboolean
run_schema(Bench *b)
{
	Raw *r = &b->raw[RAW_SCHEMA];
	g_autofree char *key = next_key(b);
	gint64 now = util_now();

	if (!raw_exec(b, r, "BEGIN IMMEDIATE") ||
	    !schema_share(b, r, key, now) ||
	    !schema_item(b, r, sqlite3_last_insert_rowid(r->db), now) ||
	    !raw_exec(b, r, "COMMIT"))
		return FALSE;
	b->done[MODE_SCHEMA]++;
	return TRUE;
}

static const struct {
	const char *label;
	BenchFn fn;
} modes[N_MODES] = {
	[MODE_STORE] = { "store_shares_record(), new share", run_store },
	[MODE_DUP] = { "store_shares_record(), duplicate (MTA retry)",
	    run_dup },
	[MODE_SCHEMA] = { "plain SQLite, the store's schema and statements "
			  "prepared once, FULL",
	    run_schema },
	[MODE_FULL] = { "plain SQLite, one INSERT of the same bytes, FULL",
	    run_full },
	[MODE_NORMAL] = { "plain SQLite, one INSERT of the same bytes, NORMAL",
	    run_normal },
};

/* the store's statements (store/store_share.c, store/store_outbox.c) */
static const char *const schema_sql[N_STMTS] = {
	[ST_FIND] = "SELECT id FROM shares WHERE sharer = ? AND recipient = ?"
		    " AND origin_key = ?",
	[ST_SHARE] = "INSERT INTO shares (sharer, recipient, recipient_name,"
		     " requester, requester_name, subject, note, origin_key,"
		     " status, queue_id, created_at)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_OUTBOX] = "INSERT INTO outbox (share_id, kind, mail_from, subject,"
		      " message, status, attempts, next_attempt_at, created_at)"
		      " VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
	[ST_RCPT] = "INSERT INTO outbox_rcpts (outbox_id, position, address)"
		    " VALUES (?, ?, ?)",
};

/* raw_open - a plain connection: WAL, a sync level, its statements; the
 * schema file gets its tables from store_open(), the others one table */
static gboolean
raw_open(Bench *b, int i, const char *path, const char *sync)
{
	Raw *r = &b->raw[i];
	g_autofree char *pragma =
	    g_strdup_printf("PRAGMA synchronous=%s", sync);
	const char *one = "INSERT INTO t (k, v, created_at) VALUES (?, ?, ?)";

	if (i == RAW_SCHEMA) {
		g_autoptr(Store) st = store_open(path, 5000, &b->error);

		if (st == NULL)
			return FALSE;
	}
	if (sqlite3_open_v2(path, &r->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK)
		return raw_failed(b, r->db, path);
	if (!raw_exec(b, r, "PRAGMA busy_timeout=5000") ||
	    !raw_exec(b, r, "PRAGMA journal_mode=WAL") ||
	    !raw_exec(b, r, pragma) ||
	    !raw_exec(b, r, "PRAGMA foreign_keys=ON") ||
	    (i != RAW_SCHEMA &&
		!raw_exec(b, r,
		    "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL,"
		    " v BLOB NOT NULL, created_at INTEGER NOT NULL)")))
		return FALSE;
	for (int k = 0; k < (i == RAW_SCHEMA ? N_STMTS : 1); k++) {
		const char *sql = i == RAW_SCHEMA ? schema_sql[k] : one;

		if (sqlite3_prepare_v2(r->db, sql, -1, &r->st[k], NULL) !=
		    SQLITE_OK)
			return raw_failed(b, r->db, sql);
	}
	return TRUE;
}

/* bench_open - the store and the plain files in dir; the duplicate */
static gboolean
bench_open(Bench *b, const char *dir, GRand *rand)
{
	g_autofree char *sp = g_build_filename(dir, "store.db", NULL);
	g_autofree char *cp = g_build_filename(dir, "schema.db", NULL);
	g_autofree char *fp = g_build_filename(dir, "full.db", NULL);
	g_autofree char *np = g_build_filename(dir, "normal.db", NULL);
	g_autoptr(GBytes) intro = make_intro(rand);
	gboolean created = FALSE;

	b->store = store_open(sp, 5000, &b->error);
	if (b->store == NULL)
		return FALSE;
	b->share = make_share("mid:unset@acme.com");
	b->item = make_item(intro);
	b->row = make_row(b->share, b->item);
	b->dup = make_share("mid:bench-retried@acme.com");
	if (!record_one(b, b->dup, &created))
		return FALSE;
	b->dup_id = b->dup->id;
	return raw_open(b, RAW_SCHEMA, cp, "FULL") &&
	       raw_open(b, RAW_FULL, fp, "FULL") &&
	       raw_open(b, RAW_NORMAL, np, "NORMAL");
}

/* bench_close - close everything; accepts a half-open Bench */
static void
bench_close(Bench *b)
{
	for (int i = 0; i < N_RAWS; i++) {
		for (int k = 0; k < N_STMTS; k++)
			sqlite3_finalize(b->raw[i].st[k]);
		sqlite3_close(b->raw[i].db);
	}
	store_close(b->store);
	share_free(b->share);
	share_free(b->dup);
	outbox_item_free(b->item);
	if (b->row != NULL)
		g_bytes_unref(b->row);
	g_clear_error(&b->error);
}

/* count_rows - SELECT count(*) of one table in the file at path */
static gint64
count_rows(const char *path, const char *table)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT count(*) FROM %s", table);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	gint64 n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* check_rows - every file holds exactly the rows the loop wrote */
static gboolean
check_rows(const Bench *b, const char *dir)
{
	g_autofree char *sp = g_build_filename(dir, "store.db", NULL);
	g_autofree char *cp = g_build_filename(dir, "schema.db", NULL);
	g_autofree char *fp = g_build_filename(dir, "full.db", NULL);
	g_autofree char *np = g_build_filename(dir, "normal.db", NULL);
	gint64 shares = (gint64)b->done[MODE_STORE] + 1; /* + the duplicate */
	gint64 schema = (gint64)b->done[MODE_SCHEMA];
	struct {
		const char *path, *table;
		gint64 want;
	} checks[] = {
		{ sp, "shares", shares },
		{ sp, "outbox", shares },
		{ sp, "outbox_rcpts", 3 * shares },
		{ cp, "shares", schema },
		{ cp, "outbox", schema },
		{ cp, "outbox_rcpts", 3 * schema },
		{ fp, "t", (gint64)b->done[MODE_FULL] },
		{ np, "t", (gint64)b->done[MODE_NORMAL] },
	};
	gboolean ok = TRUE;

	for (size_t i = 0; i < G_N_ELEMENTS(checks); i++) {
		gint64 n = count_rows(checks[i].path, checks[i].table);

		if (n != checks[i].want) {
			fprintf(stderr,
			    "bench_store: %s holds %" G_GINT64_FORMAT
			    " rows in %s, %" G_GINT64_FORMAT " written\n",
			    checks[i].path, n, checks[i].table, checks[i].want);
			ok = FALSE;
		}
	}
	return ok;
}

/* cpu_us - user + system CPU time of this process */
static gint64
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (gint64)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* written - bytes this process passed to write(2) so far, or -1 */
static gint64
written(void)
{
	g_autofree char *io = NULL;
	const char *p;

	if (!g_file_get_contents("/proc/self/io", &io, NULL, NULL) ||
	    (p = strstr(io, "wchar: ")) == NULL)
		return -1;
	return g_ascii_strtoll(p + strlen("wchar: "), NULL, 10);
}

/* round_us - wall and CPU microseconds and KB written per call */
static gboolean
round_us(Bench *b, BenchFn fn, guint n, double *out)
{
	gint64 t0 = g_get_monotonic_time(), c0 = cpu_us(), w0 = written();

	for (guint i = 0; i < n; i++)
		if (!fn(b))
			return FALSE;
	out[M_WALL] = (double)(g_get_monotonic_time() - t0) / n;
	out[M_CPU] = (double)(cpu_us() - c0) / n;
	out[M_KB] = w0 < 0 ? -1 : (double)(written() - w0) / 1024.0 / n;
	return TRUE;
}

/* calibrate - calls that last about MIN_ROUND_US */
static gboolean
calibrate(Bench *b, BenchFn fn, guint *n)
{
	double out[N_METRICS];

	for (*n = 1;; *n *= 2) {
		if (!round_us(b, fn, *n, out))
			return FALSE;
		if (out[M_WALL] * *n >= MIN_ROUND_US / 4.0 ||
		    *n >= MAX_ITER / 4) {
			*n *= 4;
			return TRUE;
		}
	}
}

/* cmp_double - for qsort */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median - the middle of v[0..n), sorting it */
static double
median(double *v, guint n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

/* measure - interleaved rounds of every mode; medians into med */
static gboolean
measure(Bench *b, guint rounds, double med[N_MODES][N_METRICS])
{
	double v[N_MODES][N_METRICS][MAX_ROUNDS], out[N_METRICS];
	guint n[N_MODES];

	for (int m = 0; m < N_MODES; m++)
		if (!calibrate(b, modes[m].fn, &n[m]))
			return FALSE;
	for (guint r = 0; r < rounds; r++) {
		/* each round starts with another mode: no fixed neighbour */
		for (int k = 0; k < N_MODES; k++) {
			int m = (int)((r + (guint)k) % N_MODES);

			if (!round_us(b, modes[m].fn, n[m], out))
				return FALSE;
			for (int x = 0; x < N_METRICS; x++)
				v[m][x][r] = out[x];
		}
		fprintf(stderr, "bench_store: round %u/%u\n", r + 1, rounds);
	}
	for (int m = 0; m < N_MODES; m++)
		for (int x = 0; x < N_METRICS; x++)
			med[m][x] = median(v[m][x], rounds);
	return TRUE;
}

/* fs_name - the file system that holds dir, by statfs magic */
static const char *
fs_name(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return "unknown file system";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53UL:
		return "ext4";
	case 0x58465342UL:
		return "xfs";
	case 0x01021994UL:
		return "tmpfs: no fsync cost, numbers mean little";
	default:
		return "not ext4, xfs or tmpfs";
	}
}

/* print_table - the markdown section */
static void
print_table(const Bench *b, const char *dir, guint rounds,
    double med[N_MODES][N_METRICS])
{
	g_autofree char *dur = store_durability(b->store);
	double full = med[MODE_FULL][M_WALL], normal = med[MODE_NORMAL][M_WALL];

	printf("### Tier 3: micro — store\n\n"
	       "One share transaction as the milter records it (a share and "
	       "its intro of %d bytes with 3 recipients, a new origin key "
	       "each call) against plain SQLite doing the same, and inserting "
	       "one row of the same %zu bytes, in BEGIN IMMEDIATE … COMMIT, "
	       "each on its own file (%s); the store runs %s; median of %u "
	       "interleaved rounds of ≥ %d ms per mode.\n\n",
	    INTRO_BYTES, g_bytes_get_size(b->row), fs_name(dir), dur, rounds,
	    MIN_ROUND_US / 1000);
	printf("| transaction | µs/txn | txn/s | CPU µs/txn | KB written/txn "
	       "| vs plain FULL |\n|---|---:|---:|---:|---:|---:|\n");
	for (int m = 0; m < N_MODES; m++)
		printf("| %s | %.0f | %.0f | %.0f | %.1f | %.2f |\n",
		    modes[m].label, med[m][M_WALL], 1e6 / med[m][M_WALL],
		    med[m][M_CPU], med[m][M_KB], med[m][M_WALL] / full);
	printf("\n- store / plain FULL: **%.2f** (what recording a share "
	       "costs over the least a durable insert costs); of which "
	       "store / same statements prepared once %.2f (the store's "
	       "code), and those / plain FULL %.2f (the schema: more rows, "
	       "indexes, pages)\n",
	    med[MODE_STORE][M_WALL] / full,
	    med[MODE_STORE][M_WALL] / med[MODE_SCHEMA][M_WALL],
	    med[MODE_SCHEMA][M_WALL] / full);
	printf("- plain FULL / NORMAL: **%.2f** (the price of durability: "
	       "+%.0f µs per transaction, %.0f%% of the store's)\n",
	    full / normal, full - normal,
	    100 * (full - normal) / med[MODE_STORE][M_WALL]);
	printf("- target: WAL with synchronous=FULL for share transactions: "
	       "%s\n",
	    strstr(dur, "journal_mode=wal synchronous=full") != NULL
		? "met"
		: "missed (the store runs otherwise)");
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
			fprintf(stderr, "bench_store: cannot remove %s\n", p);
	}
	if (g_rmdir(dir) != 0)
		fprintf(stderr, "bench_store: cannot remove %s\n", dir);
}

int
main(int argc, char **argv)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(20211027);
	guint rounds = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 7;
	const char *parent = argc > 2 ? argv[2] : g_get_tmp_dir();
	g_autofree char *tmpl =
	    g_build_filename(parent, "bench-store-XXXXXX", NULL);
	g_autofree char *dir = g_strdup(tmpl);
	Bench b = { 0 };
	double med[N_MODES][N_METRICS];
	int rc = 1;

	rounds = CLAMP(rounds, 1, MAX_ROUNDS);
	if (g_mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_store: cannot make %s: %s\n", tmpl,
		    g_strerror(errno));
		return 1;
	}
	if (!bench_open(&b, dir, rand) || !measure(&b, rounds, med))
		fprintf(stderr, "bench_store: %s; no numbers\n",
		    b.error != NULL ? b.error->message : "failed");
	else if (check_rows(&b, dir)) {
		print_table(&b, dir, rounds, med);
		rc = 0;
	}
	bench_close(&b);
	remove_dir(dir);
	return rc;
}
