/*
 * store_digest.h - the weekly digest's rows: who is due, what their week
 *	held, and the one write that queues a digest exactly once
 *
 * SYNOPSIS
 *	#include "store/store_digest.h"
 *	g_autoptr(GPtrArray) c = store_digest_candidates(st, after, 200,
 *	    "2026-W49", "2026-W50", &error);
 *	g_autoptr(GPtrArray) rows = store_digest_select(st, windows, n, &e);
 *	g_autoptr(GPtrArray) top = store_digest_top(st, since, until, 5, &e);
 *	store_digest_enqueue(st, member_id, "2026-W49", item, now, &created,
 *	    &error);
 *
 * DESCRIPTION
 *	The schedule itself (days, hours, zones, ISO weeks) is flow/'s
 *	(flow/digest.c); the store only reads and writes rows.
 *
 *	store_digest_candidates() reads the next max members by id after
 *	after_id whose digest_day is not 'never' and who lack a digests row
 *	for week_a or for week_b (the ISO weeks of the moment at the
 *	extreme zones, UTC-12 and UTC+14: every member's own week is one
 *	of them). Each candidate says which of the two weeks has its row
 *	already. A member done for both weeks is not read again, so a pass
 *	over a week already served costs one short query.
 *
 *	store_digest_select() reads the week of a batch of members, one
 *	query per section for the whole batch (never one per share): the
 *	shares each member made that were created or decided (answered_at)
 *	in their week; the shares introduced to them as the friend (the
 *	introduction sent in their week); every consent request open
 *	(status 'asked', with a token) that asks them; and their balance,
 *	all time and since their year began: given (shares they made, and
 *	the share_credits rows naming them), received (shares introduced
 *	to them as the friend). The batch's members are read by the range
 *	of their ids and each row is kept only for its own member's window,
 *	so a batch should be ids close together (as candidates come). All
 *	reads are in one read snapshot.
 *
 *	store_digest_top() counts the shares created in [since, until) of
 *	each member who allowed their name (public_credit = 1) and has a
 *	name or a handle; the max most, most shares first. Addresses are
 *	never returned.
 *
 *	store_digest_enqueue() is the exactly-once write, ONE transaction:
 *	INSERT INTO digests (member_id, week) ... ON CONFLICT DO NOTHING;
 *	only when that inserted a row, the outbox row (item, kind
 *	"digest", its message already rendered) is queued and its id
 *	written to digests.outbox_id. With item NULL the week is marked
 *	done with no mail (an empty digest skipped). *created says whether
 *	this call wrote the row; FALSE (and nothing written) when another
 *	run, host or an earlier try had. The primary key decides, never a
 *	read before the write: two runs racing queue one digest.
 *	store_digest_enqueue_many() does the same for a batch in one
 *	transaction: a crash loses the whole batch (and the next run does
 *	it again), never part of a digest.
 *
 * OWNERSHIP
 *	Returned arrays are new (transfer full) and free their elements;
 *	arguments are borrowed.
 *
 * ERRORS
 *	As store.h (STORE_ERROR_BUSY, _FAILED, ...).
 *
 * THREADS
 *	As store.h.
 */
#ifndef PA_STORE_DIGEST_H
#define PA_STORE_DIGEST_H

#include <glib.h>

#include "store/store.h"

#define STORE_DIGEST_SELECT_MAX 1000 /* members per store_digest_select() */

typedef struct {
	Member *member;
	gboolean done_a; /* a digests row for week_a exists */
	gboolean done_b; /* for week_b */
} StoreDigestCandidate;

/* the week of one member of a batch */
typedef struct {
	gint64 member_id;
	gint64 since, until; /* the member's week: [since, until) */
	gint64 year_start;   /* January 1, 00:00 in the member's zone */
} StoreDigestWindow;

/* a share as the digest shows it, and when it happened */
typedef struct {
	Share *share;
	gint64 when; /* created or decided in the week; the introduction's
			sending; for what waits, when it was asked */
} StoreDigestShare;

typedef struct {
	gint64 member_id;
	GPtrArray *shared_by;   /* of StoreDigestShare *, by share id */
	GPtrArray *shared_with; /* of StoreDigestShare *, by share id */
	GPtrArray *waiting;     /* of StoreDigestShare *, by share id */
	gint64 given_all, given_year;
	gint64 received_all, received_year;
} StoreDigestRows;

typedef struct {
	char *name; /* the member's name, or their handle */
	gint64 shares;
} StoreDigestSharer;

void store_digest_candidate_free(StoreDigestCandidate *c);
void store_digest_rows_free(StoreDigestRows *r);
void store_digest_sharer_free(StoreDigestSharer *s);

/* of StoreDigestCandidate *, by member id */
GPtrArray *store_digest_candidates(Store *store, gint64 after_id, guint max,
    const char *week_a, const char *week_b, GError **error);
/* of StoreDigestRows *, one per window, in the windows' order; n at
 * most STORE_DIGEST_SELECT_MAX */
GPtrArray *store_digest_select(
    Store *store, const StoreDigestWindow *windows, guint n, GError **error);
/* of StoreDigestSharer * */
GPtrArray *store_digest_top(
    Store *store, gint64 since, gint64 until, guint max, GError **error);
gboolean store_digest_enqueue(Store *store, gint64 member_id, const char *week,
    OutboxItem *item, gint64 now, gboolean *created, GError **error);

/* several members' weeks in ONE transaction, each as
 * store_digest_enqueue() decides it (a commit is one fsync, not one per
 * digest); on failure nothing is written and every created is FALSE */
typedef struct {
	gint64 member_id;
	const char *week;
	OutboxItem *item; /* or NULL: the week done, no mail */
	gboolean created; /* OUT */
} StoreDigestEntry;
gboolean store_digest_enqueue_many(Store *store, StoreDigestEntry *entries,
    guint n, gint64 now, GError **error);

/* the unsubscribe tokens of n members by address, in ONE transaction
 * (one commit, not one per member): fresh[i] is kept where the member
 * had none, as store_member_unsub_token() does; tokens[i] is the token
 * kept (a new string), or NULL when addresses[i] is no member */
gboolean store_digest_tokens(Store *store, const char *const *addresses,
    const char *const *fresh, guint n, char **tokens, GError **error);

/* a member's digest settings (store_digest.c); a field is changed only
 * when its set_* is TRUE: day "mon".."sun", "never" or NULL (the
 * default), hour 0-23 or -1 (the default), tz a zone name or NULL
 * (UTC), public_credit 0 or 1. The zone is not judged here. */
typedef struct {
	gboolean set_day, set_hour, set_tz, set_credit;
	const char *day;
	int hour;
	const char *tz;
	int public_credit;
} StoreDigestSettings;
gboolean store_member_set_digest(Store *store, const char *address,
    const StoreDigestSettings *s, gboolean *found, GError **error);

#endif /* PA_STORE_DIGEST_H */
