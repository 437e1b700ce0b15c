/*
 * bench_store_pgx.c - the share transaction's statements on bare libpq,
 *	shaped three ways, to price the round trips of the store's share
 *	path (bench_store_engines -x)
 *
 *	stmts	the store's own statements (store/sql_pg.c) as the store
 *		sends them: BEGIN, INSERT share, INSERT outbox, one INSERT
 *		per recipient, COMMIT, each waited for (6 round trips)
 *	unnest	the same with the recipients in one INSERT ... SELECT
 *		FROM unnest($2::text[]) WITH ORDINALITY (5 round trips)
 *	cte	all of it as one data-modifying WITH statement, autocommit
 *		(1 round trip): the least the store's rows cost
 *
 * All on the store's schema in the store's database, prepared once.
 * The texts of the store's statements are copied here, not linked:
 * a change to store/sql_pg.c needs the same change here.
 */
#include "config.h"

#include <libpq-fe.h>
#include <string.h>

#include "bench/bench_store_engines.h"
#include "common/util.h"

#define SHARE_COLS                                                             \
	"INSERT INTO shares (sharer, recipient, recipient_name,"               \
	" requester, requester_name, subject, note, origin_key, status,"       \
	" queue_id, created_at)"
#define SHARE_SQL                                                              \
	SHARE_COLS " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"         \
		   " $11::bigint) ON CONFLICT (sharer, recipient, origin_key)" \
		   " DO NOTHING RETURNING id"
#define OUTBOX_COLS                                                            \
	"INSERT INTO outbox (share_id, kind, mail_from, subject, message,"     \
	" status, attempts, next_attempt_at, created_at)"

static const struct {
	const char *name, *sql;
} stmts[] = {
	{ "x_share", SHARE_SQL },
	{ "x_outbox", OUTBOX_COLS " VALUES ($1::bigint, $2, $3, $4, $5,"
				  " 'queued', 0, $6::bigint, $7::bigint)"
				  " RETURNING id" },
	{ "x_rcpt", "INSERT INTO outbox_rcpts (outbox_id, position, address)"
		    " VALUES ($1::bigint, $2::int, $3)" },
	{ "x_rcpts", "INSERT INTO outbox_rcpts (outbox_id, position, address)"
		     " SELECT $1::bigint, u.n - 1, u.a"
		     " FROM unnest($2::text[]) WITH ORDINALITY AS u(a, n)" },
	{ "x_cte", "WITH s AS (" SHARE_SQL "), o AS (" OUTBOX_COLS
		   " SELECT s.id, $12, $13, $14, $15, 'queued', 0,"
		   " $16::bigint, $17::bigint FROM s RETURNING id)"
		   " INSERT INTO outbox_rcpts (outbox_id, position, address)"
		   " SELECT o.id, u.n - 1, u.a FROM o,"
		   " unnest($18::text[]) WITH ORDINALITY AS u(a, n)"
		   " RETURNING outbox_id" },
};

static const char *const rcpts[] = { "jane.doe@example.net",
	"john.doe@acme.com" };
#define RCPTS_ARRAY "{\"jane.doe@example.net\",\"john.doe@acme.com\"}"

/* pgx_prepare - the statements above on c */
gboolean
pgx_prepare(PGconn *c, GError **error)
{
	for (size_t i = 0; i < G_N_ELEMENTS(stmts); i++) {
		PGresult *r =
		    PQprepare(c, stmts[i].name, stmts[i].sql, 0, NULL);

		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return bench_pg_fail(c, r, "PREPARE", error);
		PQclear(r);
	}
	return TRUE;
}

/* run - a prepared statement; its result (or NULL with error set) */
static PGresult *
run(PGconn *c, const char *name, int n, const char *const *v,
    const int *lengths, const int *formats, GError **error)
{
	PGresult *r = PQexecPrepared(c, name, n, v, lengths, formats, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		bench_pg_fail(c, r, name, error);
		return NULL;
	}
	return r;
}

/* simple - BEGIN or COMMIT */
static gboolean
simple(PGconn *c, const char *sql, GError **error)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return bench_pg_fail(c, r, sql, error);
	PQclear(r);
	return TRUE;
}

/* id_of - the one id a result returns, as text (transfer full) */
static char *
id_of(PGresult *r, GError **error)
{
	char *id = NULL;

	if (PQntuples(r) >= 1)
		id = g_strdup(PQgetvalue(r, 0, 0));
	else
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		    "no id came back");
	PQclear(r);
	return id;
}

/* share_params - the share's 11 values, then the outbox row's 6 */
static void
share_params(BenchShare *s, const char **v, int *lengths, int *formats)
{
	const char *sv[] = { s->share->sharer, s->share->recipient,
		s->share->recipient_name, s->share->requester,
		s->share->requester_name, s->share->subject, s->share->note,
		s->share->origin_key, "queued", s->share->queue_id, s->now,
		s->item->kind, s->item->mail_from, s->item->subject, s->msg,
		s->now, s->now };

	memset(lengths, 0, 17 * sizeof(int));
	memset(formats, 0, 17 * sizeof(int));
	memcpy(v, sv, sizeof sv);
	lengths[14] = (int)s->msg_len;
	formats[14] = 1;
}

/* share_head - BEGIN, INSERT share, INSERT outbox; the outbox id */
static char *
share_head(PGconn *c, BenchShare *s, GError **error)
{
	const char *v[17];
	int lengths[17], formats[17];
	PGresult *r;
	g_autofree char *sid = NULL;

	share_params(s, v, lengths, formats);
	if (!simple(c, "BEGIN", error) ||
	    (r = run(c, "x_share", 11, v, lengths, formats, error)) == NULL ||
	    (sid = id_of(r, error)) == NULL)
		return NULL;
	{
		const char *ov[7] = { sid, v[11], v[12], v[13], v[14], v[15],
			v[16] };
		int ol[7] = { 0, 0, 0, 0, lengths[14], 0, 0 };
		int of[7] = { 0, 0, 0, 0, 1, 0, 0 };

		if ((r = run(c, "x_outbox", 7, ov, ol, of, error)) == NULL)
			return NULL;
	}
	return id_of(r, error);
}

/* pgx_stmts - the store's statements, each waited for */
gboolean
pgx_stmts(PGconn *c, BenchShare *s, GError **error)
{
	g_autofree char *oid = share_head(c, s, error);
	PGresult *r;

	if (oid == NULL)
		return FALSE;
	for (int i = 0; i < (int)G_N_ELEMENTS(rcpts); i++) {
		char pos[4];
		const char *v[3] = { oid, pos, rcpts[i] };

		g_snprintf(pos, sizeof pos, "%d", i);
		if ((r = run(c, "x_rcpt", 3, v, NULL, NULL, error)) == NULL)
			return FALSE;
		PQclear(r);
	}
	return simple(c, "COMMIT", error);
}

/* pgx_unnest - the recipients in one statement */
gboolean
pgx_unnest(PGconn *c, BenchShare *s, GError **error)
{
	g_autofree char *oid = share_head(c, s, error);
	const char *v[2] = { oid, RCPTS_ARRAY };
	PGresult *r;

	if (oid == NULL ||
	    (r = run(c, "x_rcpts", 2, v, NULL, NULL, error)) == NULL)
		return FALSE;
	PQclear(r);
	return simple(c, "COMMIT", error);
}

/* pgx_cte - one statement, autocommit */
gboolean
pgx_cte(PGconn *c, BenchShare *s, GError **error)
{
	const char *v[18];
	int lengths[18], formats[18];
	PGresult *r;
	int rows;

	share_params(s, v, lengths, formats);
	v[17] = RCPTS_ARRAY;
	lengths[17] = formats[17] = 0;
	if ((r = run(c, "x_cte", 18, v, lengths, formats, error)) == NULL)
		return FALSE;
	rows = PQntuples(r);
	PQclear(r);
	if (rows != (int)G_N_ELEMENTS(rcpts)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		    "the one-statement share wrote %d recipients", rows);
		return FALSE;
	}
	return TRUE;
}
