/*
 * digest_tmpl.c - the digest pass with the real renderer
 *
 * Apart from flow/digest.c so that what links the schedule alone (its
 * unit tests) does not need templates/tmpl_digest.c: a static library
 * brings in this object only for whoever calls digest_run() or names
 * digest_renderer (the CLI, the sender worker, the benchmark).
 */
#include "config.h"

#include "flow/digest.h"

const DigestRenderer digest_renderer = {
	.render = tmpl_render_digest,
	.is_empty = tmpl_digest_is_empty,
};

/* digest_run - one pass, rendering with tmpl_render_digest() */
gboolean
digest_run(const Config *cfg, Store *store, gint64 now, DigestStats *stats,
    GError **error)
{
	return digest_run_with(cfg, store, &digest_renderer, now, stats, error);
}

/* digest_run_some - a slice of a pass (digest_run_slice()), rendering
 * with tmpl_render_digest() */
gboolean
digest_run_some(const Config *cfg, Store *store, gint64 now, gint64 *cursor,
    guint max, DigestStats *stats, GError **error)
{
	return digest_run_slice(
	    cfg, store, &digest_renderer, now, cursor, max, stats, error);
}
