/*
 * digest.h - the weekly digest's schedule, its facts, and its one pass
 *
 * SYNOPSIS
 *	DigestWhen w;
 *	if (digest_when(cfg, member, now, &w, &error) && w.due) ...
 *	DigestStats st;
 *	digest_run(cfg, store, now, &st, &error);            // digest_tmpl.c
 *	digest_run_with(cfg, store, &renderer, now, &st, &error);
 *	g_autoptr(RenderedMail) m = digest_preview(cfg, store, &renderer,
 *	    "jane@example.net", now, &error);
 *
 * DESCRIPTION
 *	A member's digest week is the ISO 8601 week ("2026-W49": weeks
 *	start on Monday; week 1 holds the year's first Thursday) of the
 *	moment in the member's zone (members.tz, an IANA name; NULL is
 *	UTC). The digest is due once the member's day (members.digest_day,
 *	else [digest] day, "mon" by default) and hour (digest_hour, else
 *	[digest] hour, 8 by default) of that week have passed in their
 *	zone, and no digests row exists for the member and that week.
 *	"never" is never due. The week shown is [Monday 00:00, next Monday
 *	00:00) in the member's zone (a week may be 167 or 169 hours long
 *	across a change of daylight saving time).
 *
 *	digest_when() computes the week, its bounds, the moment due and the
 *	year's start for one member at now. digest_zone_valid() says
 *	whether a zone name is one GLib knows (g_time_zone_new_identifier()
 *	over the system's tzdata): "passalong member set --tz" refuses the
 *	others. digest_day_number() maps "mon".."sun" to 1..7, "never" to 0
 *	and anything else to -1.
 *
 *	digest_facts_build() fills DigestFacts (templates/tmpl_digest.h)
 *	from a member's rows: reply addresses intro+TOKEN@domain, answer
 *	links <[web] base_url>/c/TOKEN and the unsubscribe link
 *	<base_url>/u/TOKEN only when base_url is set, the unsubscribe
 *	address unsubscribe+TOKEN@domain, the share address
 *	share_localpart+HANDLE@domain when the member has a handle.
 *	"Worked out" is 0: no outcome is recorded for a share yet, and the
 *	outcomes section stays empty for the same reason.
 *
 *	digest_run_with() does one pass: members in batches of
 *	DIGEST_BATCH by id (a bounded number of batches per call), the due
 *	ones' weeks read set-based (store_digest_select()), each digest
 *	built, rendered by the renderer given, and queued exactly once
 *	(store_digest_enqueue()); an empty one, with [digest] skip_empty,
 *	marks the week done and queues nothing. A digest that fails to
 *	render is counted in failed and left due (tried again next pass).
 *	[digest] enabled = false makes it a no-op. digest_run() is the same
 *	with the real renderer (flow/digest_tmpl.c, which links
 *	templates/tmpl_digest.c; the rest of this module does not, so the
 *	schedule's tests need no renderer).
 *
 *	digest_run_slice() does at most max batches of a pass, from the
 *	member after *cursor, and leaves in *cursor where the next slice
 *	starts (0 once the pass is over): the daemon's worker sends the
 *	mail that is due between slices, so a pass over many members
 *	never holds up a consent request. digest_run_some() is the same
 *	with the real renderer.
 *
 *	digest_preview() renders the member's digest for the week of now as
 *	it would be sent, whether due or not, and writes nothing but the
 *	member's unsubscribe token when they had none.
 *
 * OWNERSHIP
 *	Arguments are borrowed. A DigestDoc owns its facts and every string
 *	they point to, except those borrowed from the rows it was built
 *	from, which must outlive it.
 *
 * ERRORS
 *	DIGEST_ERROR_ZONE (a zone GLib does not know), DIGEST_ERROR_MEMBER
 *	(no such member, preview); the store's and the renderer's errors
 *	are passed on.
 *
 * THREADS
 *	Reentrant; the Store serialises what it must.
 */
#ifndef PA_DIGEST_H
#define PA_DIGEST_H

#include <glib.h>

#include "common/config.h"
#include "store/store.h"
#include "store/store_digest.h"
#include "templates/tmpl_digest.h"

#define DIGEST_BATCH 200        /* members read per batch */
#define DIGEST_MAX_BATCHES 1000 /* batches per pass: a bound */
#define DIGEST_TOP 5            /* top sharers named */

#define DIGEST_ERROR (digest_error_quark())
GQuark digest_error_quark(void);
typedef enum {
	DIGEST_ERROR_ZONE,
	DIGEST_ERROR_MEMBER,
} DigestError;

typedef struct {
	char week[16];     /* "2026-W49" in the member's zone */
	gint64 week_start; /* Monday 00:00 there */
	gint64 week_end;   /* the next Monday 00:00 */
	gint64 due_at;     /* the member's day and hour of that week */
	gint64 year_start; /* January 1 00:00 of now's year there */
	gboolean never;    /* the member chose "never" */
	gboolean due;      /* !never and now >= due_at */
} DigestWhen;

typedef struct {
	RenderedMail *(*render)(const DigestFacts *f, GError **error);
	gboolean (*is_empty)(const DigestFacts *f);
} DigestRenderer;

typedef struct {
	guint members;  /* read as candidates */
	guint due;      /* due and not done */
	guint enqueued; /* a digest queued by this pass */
	guint skipped;  /* empty, [digest] skip_empty: week marked done */
	guint already;  /* another run took the week first */
	guint failed;   /* did not render: left due */
} DigestStats;

typedef struct _DigestDoc DigestDoc;
struct _DigestDoc {
	DigestFacts facts;
	GPtrArray *strings; /* owned strings the facts point to */
	GPtrArray *items;   /* owned DigestItem arrays and sharers */
};

int digest_day_number(const char *day);
gboolean digest_zone_valid(const char *tz);
gboolean digest_when(const Config *cfg, const Member *m, gint64 now,
    DigestWhen *out, GError **error);
/* the ISO weeks of now at UTC-12 and UTC+14: every zone's is one */
void digest_weeks_around(gint64 now, char a[16], char b[16]);

DigestDoc *digest_facts_build(const Config *cfg, const Member *m,
    const DigestWhen *w, const StoreDigestRows *rows, GPtrArray *top,
    const char *unsub_token, gint64 now);
void digest_doc_free(DigestDoc *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DigestDoc, digest_doc_free)

gboolean digest_run_with(const Config *cfg, Store *store,
    const DigestRenderer *r, gint64 now, DigestStats *stats, GError **error);
gboolean digest_run_slice(const Config *cfg, Store *store,
    const DigestRenderer *r, gint64 now, gint64 *cursor, guint max,
    DigestStats *stats, GError **error);
RenderedMail *digest_preview(const Config *cfg, Store *store,
    const DigestRenderer *r, const char *address, gint64 now, GError **error);

/* flow/digest_tmpl.c: with tmpl_render_digest() */
extern const DigestRenderer digest_renderer;
gboolean digest_run(const Config *cfg, Store *store, gint64 now,
    DigestStats *stats, GError **error);
gboolean digest_run_some(const Config *cfg, Store *store, gint64 now,
    gint64 *cursor, guint max, DigestStats *stats, GError **error);

#endif /* PA_DIGEST_H */
