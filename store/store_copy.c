/*
 * store_copy.c - copy a whole store to another, on either engine
 *
 * "passalong store copy FROM TO" moves an installation from its SQLite
 * file to PostgreSQL when one mail host becomes several (and works in
 * any direction). The tables go in foreign-key order (members, shares,
 * outbox, outbox_rcpts, suppression, settings) with their ids, every
 * column as it is: a NULL stays NULL (db_column_null(), never read as
 * 0), text is copied as text, the message as bytes.
 *
 * The source is read in one read snapshot (SQLite: a read transaction
 * in WAL mode; PostgreSQL: REPEATABLE READ), so a milter still writing
 * to it cannot tear the copy; the target is written in ONE write
 * transaction, so a failure leaves it as empty as it was. Rows are read
 * a page at a time in key order (store_sql.h: SQL_COPY_*_READ), since
 * PostgreSQL hands a statement's whole result over at once and a large
 * outbox must not sit in memory whole. After the rows, inside the same
 * transaction, PostgreSQL's identity sequences are moved past the
 * largest ids (SQL_COPY_SEQUENCES; a no-op on SQLite), and every table
 * is counted on both sides and against the rows written: any
 * difference (a trigger, a table the copy does not know about growing
 * behind its back) rolls the whole copy back.
 *
 * A new table or column in the schema needs its entry here and in both
 * statement tables; tests/unit/test_store.c (/store/copy/every_table)
 * fails until it has one.
 *
 * Trust: both stores are the operator's. Nothing of a URL is put in an
 * error (it may hold a password).
 */
#include "config.h"

#include "store/store_int.h"

#define PAGE_ROWS 1000 /* rows of a table per read */
#define PAGE_ITEMS 100 /* outbox rows (with their messages) per read */

/* one table: its statements, and a letter per column (COPY_*_COLUMNS):
 * i an integer, t text, b a blob; keys leading integer columns order
 * the pages (0: read in one go) */
typedef struct { /* NOLINT(clang-analyzer-optin.performance.Padding) */
	const char *name;
	StoreSql read, write, count;
	const char *types;
	int keys;
	gint64 page;
	gsize stat; /* offset of its counter in StoreCopyStats */
} CopyTable;

static const CopyTable tables[] = {
	{ "members", SQL_COPY_MEMBERS_READ, SQL_COPY_MEMBERS_WRITE,
	    SQL_COPY_COUNT_MEMBERS, "ittttitititit", 1, PAGE_ROWS,
	    G_STRUCT_OFFSET(StoreCopyStats, members) },
	{ "shares", SQL_COPY_SHARES_READ, SQL_COPY_SHARES_WRITE,
	    SQL_COPY_COUNT_SHARES,
	    "itttttttttti"
	    "tttittttiiiitti",
	    1, PAGE_ROWS, G_STRUCT_OFFSET(StoreCopyStats, shares) },
	{ "outbox", SQL_COPY_OUTBOX_READ, SQL_COPY_OUTBOX_WRITE,
	    SQL_COPY_COUNT_OUTBOX, "iitttbtiiitiiiit", 1, PAGE_ITEMS,
	    G_STRUCT_OFFSET(StoreCopyStats, outbox) },
	{ "outbox_rcpts", SQL_COPY_RCPTS_READ, SQL_COPY_RCPTS_WRITE,
	    SQL_COPY_COUNT_RCPTS, "iittiti", 2, PAGE_ROWS,
	    G_STRUCT_OFFSET(StoreCopyStats, outbox_rcpts) },
	{ "suppression", SQL_COPY_SUPPRESSION_READ, SQL_COPY_SUPPRESSION_WRITE,
	    SQL_COPY_COUNT_SUPPRESSION, "titii", 0, 0,
	    G_STRUCT_OFFSET(StoreCopyStats, suppression) },
	{ "settings", SQL_COPY_SETTINGS_READ, SQL_COPY_SETTINGS_WRITE,
	    SQL_COPY_COUNT_SETTINGS, "tt", 0, 0,
	    G_STRUCT_OFFSET(StoreCopyStats, settings) },
	{ "digests", SQL_COPY_DIGESTS_READ, SQL_COPY_DIGESTS_WRITE,
	    SQL_COPY_COUNT_DIGESTS, "itii", 0, 0,
	    G_STRUCT_OFFSET(StoreCopyStats, digests) },
	{ "share_credits", SQL_COPY_CREDITS_READ, SQL_COPY_CREDITS_WRITE,
	    SQL_COPY_COUNT_CREDITS, "iti", 0, 0,
	    G_STRUCT_OFFSET(StoreCopyStats, share_credits) },
};

#define N_TABLES G_N_ELEMENTS(tables)

/* stat_of - the counter of table t in stats */
static gint64 *
stat_of(StoreCopyStats *stats, const CopyTable *t)
{
	return G_STRUCT_MEMBER_P(stats, t->stat);
}

/* stat_get - the value of table t's counter in stats */
static gint64
stat_get(const StoreCopyStats *stats, const CopyTable *t)
{
	return G_STRUCT_MEMBER(gint64, stats, t->stat);
}

/* count - the rows of table t on db, in the transaction db holds */
static gboolean
count(DbConn *db, const CopyTable *t, gint64 *n, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, t->count, error);
	g_autofree char *what = g_strdup_printf("counting %s", t->name);

	if (st == NULL || db_step(st, what, error) != DB_ROW) {
		if (error != NULL && *error == NULL)
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "%s: no count", what);
		return FALSE;
	}
	*n = db_column_int64(st, 0);
	return TRUE;
}

/* count_all - every table's rows on db */
static gboolean
count_all(DbConn *db, StoreCopyStats *stats, GError **error)
{
	for (gsize i = 0; i < N_TABLES; i++)
		if (!count(db, &tables[i], stat_of(stats, &tables[i]), error))
			return FALSE;
	return TRUE;
}

/* copy_value - column i of rd's row into parameter i + 1 of wr */
static void
copy_value(DbStmt *rd, DbStmt *wr, int i, char type)
{
	if (db_column_null(rd, i)) {
		db_bind_null(wr, i + 1);
	} else if (type == 'i') {
		db_bind_int64(wr, i + 1, db_column_int64(rd, i));
	} else if (type == 't') {
		g_autofree char *s = db_column_text(rd, i);

		db_bind_text(wr, i + 1, s);
	} else {
		g_autoptr(GBytes) b = db_column_blob(rd, i);

		g_assert(type == 'b');
		db_bind_blob(wr, i + 1, b);
	}
}

/* copy_page - one page of t's rows after key[] from src to dst; the
 * key of the last row read goes back in key[], the rows in *rows */
static gboolean
copy_page(DbConn *src, DbConn *dst, const CopyTable *t, gint64 *key,
    gint64 *rows, GError **error)
{
	g_autoptr(DbStmt) rd = db_prepare(src, t->read, error);
	g_autoptr(DbStmt) wr = NULL;
	g_autofree char *reading = g_strdup_printf("reading %s", t->name);
	g_autofree char *writing = g_strdup_printf("writing %s", t->name);
	DbStep rc;

	*rows = 0;
	if (rd == NULL || (wr = db_prepare(dst, t->write, error)) == NULL)
		return FALSE;
	/* keys is 0, 1 or 2, key[] the caller's gint64[2] (the analyzer
	 * cannot see that bound) */
	for (int k = 0; k < t->keys && k < 2; k++)
		db_bind_int64(rd, k + 1, key[k]);
	if (t->keys > 0)
		db_bind_int64(rd, t->keys + 1, t->page);
	while ((rc = db_step(rd, reading, error)) == DB_ROW) {
		for (int i = 0; t->types[i] != '\0'; i++)
			copy_value(rd, wr, i, t->types[i]);
		if (!db_done(wr, writing, error))
			return FALSE;
		db_reset(wr);
		for (int k = 0; k < t->keys; k++)
			key[k] = db_column_int64(rd, k);
		(*rows)++;
	}
	return rc == DB_DONE;
}

/* copy_table - every row of t, page by page; the number in *copied */
static gboolean
copy_table(DbConn *src, DbConn *dst, const CopyTable *t, gint64 *copied,
    GError **error)
{
	gint64 key[2] = { G_MININT64, G_MININT64 };
	gint64 rows;

	g_assert(t->keys <= (int)G_N_ELEMENTS(key));
	*copied = 0;
	do {
		if (!copy_page(src, dst, t, key, &rows, error))
			return FALSE;
		*copied += rows;
	} while (t->keys > 0 && rows == t->page);
	return TRUE;
}

/* refuse_nonempty - FALSE with a sentence when the target holds rows */
static gboolean
refuse_nonempty(const StoreCopyStats *held, GError **error)
{
	g_autoptr(GString) what = g_string_new(NULL);

	for (gsize i = 0; i < N_TABLES; i++) {
		gint64 n = stat_get(held, &tables[i]);

		if (n != 0)
			g_string_append_printf(what, "%s%s: %" G_GINT64_FORMAT,
			    what->len ? ", " : "", tables[i].name, n);
	}
	if (what->len == 0)
		return TRUE;
	g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
	    "the target store is not empty (%s); nothing was copied. Copy "
	    "into a new, empty database (PostgreSQL: createdb; SQLite: a "
	    "file that does not exist yet)",
	    what->str);
	return FALSE;
}

/* verify - every table counted on both sides, against what was written */
static gboolean
verify(DbConn *src, DbConn *dst, const StoreCopyStats *copied, GError **error)
{
	StoreCopyStats in_src = { 0 }, in_dst = { 0 };

	if (!count_all(src, &in_src, error) || !count_all(dst, &in_dst, error))
		return FALSE;
	for (gsize i = 0; i < N_TABLES; i++) {
		const CopyTable *t = &tables[i];
		gint64 a = stat_get(&in_src, t), b = stat_get(&in_dst, t);
		gint64 c = stat_get(copied, t);

		if (a != b || b != c) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "%s: %" G_GINT64_FORMAT " rows in the source, "
			    "%" G_GINT64_FORMAT " copied, %" G_GINT64_FORMAT
			    " in the target; nothing was copied",
			    t->name, a, c, b);
			return FALSE;
		}
	}
	return TRUE;
}

/* store_copy - every row of from into the empty to, in one transaction */
gboolean
store_copy(Store *from, Store *to, StoreCopyStats *out, GError **error)
{
	g_autoptr(DbConn) src = NULL;
	g_autoptr(DbConn) dst = NULL;
	g_autoptr(DbStmt) seq = NULL;
	StoreCopyStats held = { 0 }, copied = { 0 };

	g_return_val_if_fail(from != NULL && to != NULL && from != to, FALSE);
	if ((src = store_acquire(from, error)) == NULL ||
	    (dst = store_acquire(to, error)) == NULL)
		return FALSE;
	/* the target's write lock first: nothing lands in it between the
	 * emptiness check and the copy */
	if (!db_begin(dst, error) || !count_all(dst, &held, error) ||
	    !refuse_nonempty(&held, error) || !db_begin_read(src, error))
		return FALSE; /* store_release() rolls back */
	for (gsize i = 0; i < N_TABLES; i++)
		if (!copy_table(src, dst, &tables[i],
			stat_of(&copied, &tables[i]), error))
			return FALSE;
	if ((seq = db_prepare(dst, SQL_COPY_SEQUENCES, error)) == NULL ||
	    !db_done(seq, "moving the identity sequences", error))
		return FALSE;
	db_reset(seq);
	if (!verify(src, dst, &copied, error) || !db_commit(dst, error))
		return FALSE;
	db_rollback(src); /* the read snapshot ends */
	if (out != NULL)
		*out = copied;
	return TRUE;
}

/* store_url_file - the SQLite file url names, or NULL */
char *
store_url_file(const char *url)
{
	const char *target = NULL;

	if (db_driver_for(url, &target) != &db_sqlite_driver)
		return NULL;
	return g_strdup(target);
}
