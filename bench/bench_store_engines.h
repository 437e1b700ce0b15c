/*
 * bench_store_engines.h - what bench_store_engines.c and
 *	bench_store_pgx.c share
 *
 * OWNERSHIP: a BenchShare borrows everything it points to.
 * THREADS: the functions use only their arguments.
 */
#ifndef PA_BENCH_STORE_ENGINES_H
#define PA_BENCH_STORE_ENGINES_H

#include <glib.h>
#include <libpq-fe.h>

#include "store/store.h"

/* one share and its intro, as bare libpq binds them */
typedef struct {
	Share *share;
	OutboxItem *item;
	const char *now; /* util_now() as text */
	const char *msg; /* the intro's bytes */
	gsize msg_len;
} BenchShare;

/* a libpq failure into error (STORE_ERROR_FAILED); clears r; FALSE */
gboolean bench_pg_fail(
    PGconn *c, PGresult *r, const char *what, GError **error);

gboolean pgx_prepare(PGconn *c, GError **error);
gboolean pgx_stmts(PGconn *c, BenchShare *s, GError **error);
gboolean pgx_unnest(PGconn *c, BenchShare *s, GError **error);
gboolean pgx_cte(PGconn *c, BenchShare *s, GError **error);

#endif /* PA_BENCH_STORE_ENGINES_H */
