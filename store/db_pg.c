/*
 * db_pg.c - the executor on PostgreSQL, through libpq
 *
 * Several MTA hosts share one PostgreSQL; each host's store keeps a few
 * connections (store.c's pool). Every round trip here is asynchronous
 * with a deadline (DbOptions.timeout_ms): a sick, partitioned or
 * failing-over server turns into STORE_ERROR_BUSY within that time (the
 * milter answers 451 4.3.0 and the MTA retries), never into a hung SMTP
 * session. The server's statement_timeout and lock_timeout are set to
 * the same value, so that it gives up too. A connection that failed as
 * a connection (lost, timed out, read-only after a failover) is marked
 * broken and reopened by the pool before its next use; statements are
 * prepared again on the new one.
 *
 * Parameters go as text (numbers printed here) and blobs as binary;
 * results come as text (bytea unescaped). Nothing is spliced into SQL:
 * the only SQL built here carries our own integers.
 *
 * Trust: the connection string is the operator's and may hold a
 * password: it is never logged (describe() names host, port, database
 * and user only). What the server sends back is what the store wrote.
 */
#include "config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

extern const char *const pg_sql[SQL_N];
extern const StoreMigration pg_migrations[];

#define PG_MAX_PARAMS 32
#define PG_SCHEMA_LOCK 0x70617373 /* "pass": the migration's advisory lock */

typedef struct {
	DbStmt base;
	char name[16];
	int nparams; /* what the server says the statement takes */
	char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	PGresult *res; /* of the run in progress, or NULL */
	int row;       /* the next row db_step() returns */
	gint64 changes;
} PgStmt;

typedef struct {
	DbConn base;
	PGconn *pg;
	guint timeout_ms;
	gboolean broken;
	PgStmt *stmts[SQL_N];
} PgConn;

#define CONN(db) ((PgConn *)(db))
#define STMT(st) ((PgStmt *)(st))

/* retryable - whether SQLSTATE state may succeed when tried again */
static gboolean
retryable(const char *state)
{
	static const char *const codes[] = {
		"40001", /* serialization_failure */
		"40P01", /* deadlock_detected */
		"55P03", /* lock_not_available (lock_timeout) */
		"57014", /* query_canceled (statement_timeout) */
		"57P01", "57P02", "57P03", /* shutdown, cannot connect now */
		"25006", /* read_only_sql_transaction: a standby, failover */
		"58000", "58030", /* system_error, io_error */
	};

	if (state == NULL)
		return FALSE;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0)
		return TRUE; /* connection exception, insufficient resources */
	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++)
		if (strcmp(state, codes[i]) == 0)
			return TRUE;
	return FALSE;
}

/* fails_connection - whether after SQLSTATE state the connection is
 * better replaced: lost, shut down, or no longer the primary */
static gboolean
fails_connection(const char *state)
{
	return state != NULL &&
	       (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
		   strcmp(state, "25006") == 0);
}

/* one_line - libpq's message without its trailing newline(s) */
static char *
one_line(const char *msg)
{
	char *s = g_strdup(msg != NULL && *msg ? msg : "unknown error");

	g_strchomp(s);
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return s;
}

/* conn_error - the connection itself failed: broken, try again later */
static void
conn_error(PgConn *c, const char *why, GError **error)
{
	g_autofree char *msg = one_line(why ? why : PQerrorMessage(c->pg));

	c->broken = TRUE;
	g_set_error(error, STORE_ERROR, STORE_ERROR_BUSY,
	    "PostgreSQL connection: %s", msg);
}

/* result_error - the error a failed result carries */
static void
result_error(PgConn *c, const PGresult *r, GError **error)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
	g_autofree char *msg =
	    one_line(primary ? primary : PQresultErrorMessage(r));
	StoreError code = STORE_ERROR_FAILED;

	if (state != NULL && strncmp(state, "23", 2) == 0)
		code = STORE_ERROR_CONSTRAINT;
	else if (retryable(state) || PQstatus(c->pg) != CONNECTION_OK)
		code = STORE_ERROR_BUSY;
	if (fails_connection(state) || PQstatus(c->pg) != CONNECTION_OK)
		c->broken = TRUE;
	if (detail != NULL) {
		g_autofree char *d = one_line(detail);
		char *both = g_strconcat(msg, ": ", d, NULL);

		g_free(msg);
		msg = both;
	}
	if (state != NULL)
		g_set_error(
		    error, STORE_ERROR, code, "%s (SQLSTATE %s)", msg, state);
	else
		g_set_error_literal(error, STORE_ERROR, code, msg);
}

/* wait_io - poll the socket for events until deadline (monotonic us);
 * FALSE when the deadline passed */
static gboolean
wait_io(PgConn *c, short events, gint64 deadline)
{
	struct pollfd p = { .fd = PQsocket(c->pg), .events = events };
	gint64 left = deadline - g_get_monotonic_time();
	int rc;

	if (left <= 0)
		return FALSE;
	do
		rc = poll(&p, 1, (int)MIN(left / 1000 + 1, G_MAXINT));
	while (rc < 0 && errno == EINTR);
	return rc != 0 || g_get_monotonic_time() < deadline;
}

/* timed_out - give up on the command in flight: cancel it on the
 * server and replace the connection */
static void
timed_out(PgConn *c, GError **error)
{
	PGcancel *cancel = PQgetCancel(c->pg);
	char buf[256];

	if (cancel != NULL) {
		(void)PQcancel(cancel, buf, sizeof buf);
		PQfreeCancel(cancel);
	}
	c->broken = TRUE;
	g_set_error(error, STORE_ERROR, STORE_ERROR_BUSY,
	    "PostgreSQL did not answer within %u ms", c->timeout_ms);
}

/* pg_wait - the results of the command just sent, within the deadline:
 * the first failed one, else the last; NULL with error set on failure */
static PGresult *
pg_wait(PgConn *c, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)c->timeout_ms * 1000;
	PGresult *keep = NULL;
	PGresult *r;
	int f;

	while ((f = PQflush(c->pg)) == 1)
		if (!wait_io(c, POLLIN | POLLOUT, deadline) ||
		    !PQconsumeInput(c->pg)) {
			if (g_get_monotonic_time() >= deadline)
				timed_out(c, error);
			else
				conn_error(c, NULL, error);
			return NULL;
		}
	if (f < 0) {
		conn_error(c, NULL, error);
		return NULL;
	}
	for (;;) {
		while (PQisBusy(c->pg)) {
			if (!wait_io(c, POLLIN, deadline)) {
				PQclear(keep);
				timed_out(c, error);
				return NULL;
			}
			if (!PQconsumeInput(c->pg)) {
				PQclear(keep);
				conn_error(c, NULL, error);
				return NULL;
			}
		}
		r = PQgetResult(c->pg);
		if (r == NULL)
			break;
		if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(r); /* the first failure is the one to tell */
			continue;
		}
		PQclear(keep);
		keep = r;
	}
	if (keep == NULL) {
		conn_error(c, NULL, error);
		return NULL;
	}
	switch (PQresultStatus(keep)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return keep;
	default:
		result_error(c, keep, error);
		PQclear(keep);
		return NULL;
	}
}

/* pg_exec - send constant SQL (several statements may be in it) */
static gboolean
pg_exec(DbConn *db, const char *sql, GError **error)
{
	PgConn *c = CONN(db);
	PGresult *r;

	if (!PQsendQuery(c->pg, sql)) {
		conn_error(c, NULL, error);
		return FALSE;
	}
	r = pg_wait(c, error);
	if (r == NULL)
		return FALSE;
	PQclear(r);
	return TRUE;
}

/* stmt_clear - drop a statement's result and bindings */
static void
stmt_clear(PgStmt *s)
{
	for (int i = 0; i < PG_MAX_PARAMS; i++) {
		g_free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
	PQclear(s->res);
	s->res = NULL;
	s->row = 0;
	s->changes = 0;
}

/* pg_close - close the connection; prepared statements go with it */
static void
pg_close(DbConn *db)
{
	PgConn *c = CONN(db);

	if (c == NULL)
		return;
	for (int i = 0; i < SQL_N; i++)
		if (c->stmts[i] != NULL) {
			stmt_clear(c->stmts[i]);
			g_free(c->stmts[i]);
		}
	if (c->pg != NULL)
		PQfinish(c->pg);
	g_free(c);
}

/* quiet - the server's notices (CREATE ... IF NOT EXISTS) are not ours
 * to print on stderr */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* pg_open - connect with target (a URL or key=value string) */
static DbConn *
pg_open(const char *target, const DbOptions *o, GError **error)
{
	/* Ours first: what the operator's string says wins over them. */
	const char *keys[] = { "connect_timeout", "application_name",
		"passfile", "dbname", NULL };
	const char *vals[] = { "5",
		o->application_name ? o->application_name : "passalong",
		o->passfile, target, NULL };
	PgConn *c = g_new0(PgConn, 1);
	g_autofree char *set = NULL;

	if (o->passfile == NULL) { /* a NULL value ends the list early */
		keys[2] = "dbname";
		vals[2] = target;
		keys[3] = NULL;
		vals[3] = NULL;
	}
	c->base.drv = &db_pg_driver;
	c->timeout_ms = MAX(o->timeout_ms, 100);
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		g_autofree char *msg =
		    one_line(c->pg ? PQerrorMessage(c->pg) : "out of memory");

		g_set_error(error, STORE_ERROR, STORE_ERROR_BUSY,
		    "connecting to PostgreSQL: %s", msg);
		pg_close(&c->base);
		return NULL;
	}
	PQsetNoticeProcessor(c->pg, quiet, NULL);
	/* The server gives up when we would; an open transaction left by
	 * a host that vanished is rolled back after ten times that. */
	set = g_strdup_printf("SET statement_timeout = %u;"
			      "SET lock_timeout = %u;"
			      "SET idle_in_transaction_session_timeout = %u",
	    c->timeout_ms, c->timeout_ms, MAX(c->timeout_ms * 10, 60000u));
	if (!pg_exec(&c->base, set, error)) {
		pg_close(&c->base);
		return NULL;
	}
	return &c->base;
}

static gboolean
pg_begin(DbConn *db, gboolean write, GError **error)
{
	return pg_exec(db,
	    write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    error);
}

/* pg_commit - COMMIT; a transaction the server had aborted answers
 * ROLLBACK, which is a failure here */
static gboolean
pg_commit(DbConn *db, GError **error)
{
	PgConn *c = CONN(db);
	PGresult *r;
	gboolean ok;

	if (!PQsendQuery(c->pg, "COMMIT")) {
		conn_error(c, NULL, error);
		return FALSE;
	}
	r = pg_wait(c, error);
	if (r == NULL)
		return FALSE;
	ok = strcmp(PQcmdStatus(r), "COMMIT") == 0;
	PQclear(r);
	if (!ok)
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "the transaction was rolled back by the server");
	return ok;
}

/* pg_rollback - end the open transaction, if any; a connection that
 * cannot is replaced */
static void
pg_rollback(DbConn *db)
{
	PgConn *c = CONN(db);

	if (c->broken || PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return;
	if (!pg_exec(db, "ROLLBACK", NULL))
		c->broken = TRUE;
}

/* pg_prepare - statement id, prepared on this connection once */
static DbStmt *
pg_prepare(DbConn *db, StoreSql id, GError **error)
{
	PgConn *c = CONN(db);
	PgStmt *s;
	PGresult *r;

	if (c->stmts[id] != NULL)
		return &c->stmts[id]->base;
	s = g_new0(PgStmt, 1);
	s->base.drv = &db_pg_driver;
	s->base.db = db;
	s->base.id = id;
	g_snprintf(s->name, sizeof s->name, "pa%d", (int)id);
	if (!PQsendPrepare(c->pg, s->name, pg_sql[id], 0, NULL)) {
		conn_error(c, NULL, error);
		g_free(s);
		return NULL;
	}
	r = pg_wait(c, error);
	if (r == NULL) {
		g_free(s);
		return NULL;
	}
	PQclear(r);
	if (!PQsendDescribePrepared(c->pg, s->name)) {
		conn_error(c, NULL, error);
		g_free(s);
		return NULL;
	}
	r = pg_wait(c, error);
	if (r == NULL) {
		g_free(s);
		return NULL;
	}
	s->nparams = PQnparams(r);
	PQclear(r);
	if (s->nparams > PG_MAX_PARAMS) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "statement %d takes %d parameters, more than %d", (int)id,
		    s->nparams, PG_MAX_PARAMS);
		g_free(s);
		return NULL;
	}
	c->stmts[id] = s;
	return &s->base;
}

/* slot - parameter i (from 1), emptied for a new value; NULL if none */
static PgStmt *
slot(DbStmt *st, int i)
{
	PgStmt *s = STMT(st);

	g_return_val_if_fail(i >= 1 && i <= PG_MAX_PARAMS, NULL);
	g_free(s->values[i - 1]);
	s->values[i - 1] = NULL;
	s->lengths[i - 1] = 0;
	s->formats[i - 1] = 0;
	return s;
}

static void
pg_bind_int64(DbStmt *st, int i, gint64 v)
{
	PgStmt *s = slot(st, i);

	if (s != NULL)
		s->values[i - 1] = g_strdup_printf("%" G_GINT64_FORMAT, v);
}

static void
pg_bind_text(DbStmt *st, int i, const char *v)
{
	PgStmt *s = slot(st, i);

	if (s != NULL)
		s->values[i - 1] = g_strdup(v);
}

static void
pg_bind_blob(DbStmt *st, int i, GBytes *b)
{
	PgStmt *s = slot(st, i);
	gsize n = 0;
	gconstpointer p = g_bytes_get_data(b, &n);

	if (s == NULL)
		return;
	if (n > G_MAXINT) {
		/* cannot be sent as one parameter: bound as NULL, which the
		 * NOT NULL column refuses with a clear error */
		return;
	}
	s->values[i - 1] = g_malloc(n + 1);
	if (n > 0)
		memcpy(s->values[i - 1], p, n);
	s->lengths[i - 1] = (int)n;
	s->formats[i - 1] = 1;
}

static void
pg_bind_null(DbStmt *st, int i)
{
	(void)slot(st, i);
}

/* pg_step - run the statement on the first step; then its rows */
static DbStep
pg_step(DbStmt *st, GError **error)
{
	PgStmt *s = STMT(st);
	PgConn *c = CONN(st->db);

	if (s->res == NULL) {
		if (!PQsendQueryPrepared(c->pg, s->name, s->nparams,
			(const char *const *)s->values, s->lengths, s->formats,
			0)) {
			conn_error(c, NULL, error);
			return DB_FAIL;
		}
		s->res = pg_wait(c, error);
		if (s->res == NULL)
			return DB_FAIL;
		s->row = 0;
		s->changes = g_ascii_strtoll(PQcmdTuples(s->res), NULL, 10);
	}
	if (s->row < PQntuples(s->res)) {
		s->row++;
		return DB_ROW;
	}
	return DB_DONE;
}

/* cur - the value of column i in the current row, or NULL */
static const char *
cur(DbStmt *st, int i)
{
	PgStmt *s = STMT(st);

	if (s->res == NULL || s->row < 1 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row - 1, i))
		return NULL;
	return PQgetvalue(s->res, s->row - 1, i);
}

static gint64
pg_column_int64(DbStmt *st, int i)
{
	const char *v = cur(st, i);

	return v == NULL ? 0 : g_ascii_strtoll(v, NULL, 10);
}

static char *
pg_column_text(DbStmt *st, int i)
{
	return g_strdup(cur(st, i));
}

static GBytes *
pg_column_blob(DbStmt *st, int i)
{
	const char *v = cur(st, i);
	size_t n = 0;
	unsigned char *raw;
	GBytes *b;

	if (v == NULL)
		return g_bytes_new(NULL, 0);
	raw = PQunescapeBytea((const unsigned char *)v, &n);
	if (raw == NULL)
		return g_bytes_new(NULL, 0);
	b = g_bytes_new(raw, n);
	PQfreemem(raw);
	return b;
}

static gboolean
pg_column_null(DbStmt *st, int i)
{
	return cur(st, i) == NULL;
}

static gint64
pg_changes(DbStmt *st)
{
	return STMT(st)->changes;
}

static void
pg_reset(DbStmt *st)
{
	stmt_clear(STMT(st));
}

static gboolean
pg_broken(DbConn *db)
{
	PgConn *c = CONN(db);
	struct pollfd p = { .fd = PQsocket(c->pg), .events = POLLIN };

	if (c->broken || PQstatus(c->pg) != CONNECTION_OK ||
	    PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		return TRUE;
	/* An idle connection has nothing to read, unless the server said
	 * goodbye (a restart, a failover, a terminated backend) or, rarely,
	 * reported a setting: either way a new connection is cheaper than
	 * failing the caller's call, and costs no round trip to find out. */
	if (p.fd >= 0 && poll(&p, 1, 0) != 0)
		c->broken = TRUE;
	return c->broken;
}

/* pg_describe - where and how, never the password */
static char *
pg_describe(DbConn *db)
{
	PgConn *c = CONN(db);
	g_autofree char *sync = NULL;
	PGresult *r;

	if (PQsendQuery(c->pg, "SHOW synchronous_commit") &&
	    (r = pg_wait(c, NULL)) != NULL) {
		if (PQntuples(r) == 1)
			sync = g_strdup(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	return g_strdup_printf("postgresql host=%s port=%s dbname=%s user=%s "
			       "server=%d synchronous_commit=%s",
	    PQhost(c->pg), PQport(c->pg), PQdb(c->pg), PQuser(c->pg),
	    PQserverVersion(c->pg), sync ? sync : "?");
}

/* pg_schema_lock - one host migrates at a time; the version table */
static gboolean
pg_schema_lock(DbConn *db, GError **error)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT pg_advisory_xact_lock(%d);"
			    "CREATE TABLE IF NOT EXISTS schema_version"
			    " (version INTEGER NOT NULL)",
		PG_SCHEMA_LOCK);

	return pg_exec(db, sql, error);
}

/* pg_schema_version - 0 for a database without our tables */
static gboolean
pg_schema_version(DbConn *db, int *version, GError **error)
{
	PgConn *c = CONN(db);
	PGresult *r;

	*version = 0;
	if (!PQsendQuery(c->pg, "SELECT to_regclass('schema_version')"
				" IS NOT NULL")) {
		conn_error(c, NULL, error);
		return FALSE;
	}
	if ((r = pg_wait(c, error)) == NULL)
		return FALSE;
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return TRUE;
	}
	PQclear(r);
	if (!PQsendQuery(c->pg, "SELECT MAX(version) FROM schema_version")) {
		conn_error(c, NULL, error);
		return FALSE;
	}
	if ((r = pg_wait(c, error)) == NULL)
		return FALSE;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		*version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return TRUE;
}

/* pg_schema_set - record version; our own integer, no parameter */
static gboolean
pg_schema_set(DbConn *db, int version, GError **error)
{
	g_autofree char *sql =
	    g_strdup_printf("DELETE FROM schema_version;"
			    "INSERT INTO schema_version (version) VALUES (%d)",
		version);

	return pg_exec(db, sql, error);
}

const DbDriver db_pg_driver = {
	.name = "postgresql",
	.sql = pg_sql,
	.migrations = pg_migrations,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_null = pg_column_null,
	.changes = pg_changes,
	.reset = pg_reset,
	.broken = pg_broken,
	.describe = pg_describe,
	.schema_lock = pg_schema_lock,
	.schema_version = pg_schema_version,
	.schema_set = pg_schema_set,
};
