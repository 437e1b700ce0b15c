/*
 * store.h - the store: members, shares, outbox, on SQLite or PostgreSQL
 *
 * SYNOPSIS
 *	g_autoptr(Store) st = store_open(cfg->store_url, 5000, &error);
 *	store_share_record(st, share, items, &created, &error);
 *	g_autoptr(GPtrArray) due = store_outbox_claim_due(st, now, 10, &error);
 *
 * DESCRIPTION
 *	A domain API: callers never see SQL. Below it (db.h) one executor
 *	per engine. The URL says which: "sqlite:PATH" or a bare path is one
 *	SQLite file in WAL mode with synchronous=FULL (a commit is on disk
 *	when it returns), for one host; "postgresql://..." or a libpq
 *	key=value string is a PostgreSQL database that several MTA hosts
 *	share. store_open() creates or migrates the schema (SQLite: PRAGMA
 *	user_version; PostgreSQL: table schema_version, under an advisory
 *	lock, so hosts starting together migrate once). Every statement
 *	uses bound parameters. store_open_full() also takes the size of
 *	the connection pool (PostgreSQL; on SQLite the readers beside its
 *	one writer) and a passfile. StoreOptions.timeout_ms bounds every wait: SQLite's
 *	busy_timeout, PostgreSQL's statement and lock timeouts and the
 *	client's own deadline for each round trip. store_durability() says
 *	what a connection runs with ("journal_mode=wal synchronous=full",
 *	or PostgreSQL's host, database, user and synchronous_commit; never
 *	a password), for the logs.
 *
 *	store_share_record() is the milter's one write per message: in ONE
 *	transaction it inserts the share (INSERT ... ON CONFLICT DO
 *	NOTHING on the unique (sharer, recipient, origin_key)) and its
 *	outbox items, or, when that share exists (an MTA retry of the same
 *	message, or the same forward reaching another host), writes
 *	nothing, sets
 *	*created = FALSE and fills share->id with the existing share's id.
 *	Only after it returned TRUE may the milter accept the message.
 *
 *	A share in mode "ask" whose requester and friend (without ASCII
	case) already have an open request ('asked') is merged into it: at
	most one open request per pair (a partial unique index, schema 7,
	decides between racing hosts). The open share's id goes to
	share->id, share->merged is set, and its sharer is credited on the
	open share (share_credits) unless it is that share's own sharer
	(then it is a duplicate, nothing written); a member already
	credited is a duplicate too (an MTA retry). A merge creates no
	share and queues store_shares_record_merge()'s merged list (or
	nothing) instead of the share's items, and calls no hook.

	store_shares_record() does the same for a message shared with
 *	several friends, in ONE transaction: shares->pdata[i] (Share *) goes
 *	with lists->pdata[i] (a GPtrArray of OutboxItem *, or NULL), and
 *	created[i] tells whether it was new. Any failure writes nothing at
 *	all; a share already there is skipped (an MTA retry that adds a
 *	friend records only the new one).
 *	On success it fills in what it decided: share->id, created_at (now
 *	when 0), status ("queued" when NULL); each item's id, share_id,
 *	status ("queued"), created_at and next_attempt_at (now when 0).
 *	Every item needs a kind, mail_from, at least one recipient and a
 *	message; on any failure nothing is written and the ids stay 0.
 *	store_shares_record_with() also calls hook for each share it
 *	creates, inside the transaction once the share's id is known, and
 *	queues the items hook returns with that share (the webhooks of
 *	"share.recorded", which name the share's id): the event and its
 *	share commit together or not at all.
 *
 *	An item of kind "webhook" has one recipient, the NAME of a
 *	[webhook NAME] group (1 to 64 of [a-z0-9._-]), an empty or safe
 *	mail_from, and the JSON body as its message.
 *
 *	store_member_add() stores the address as addr_normalize() makes it
 *	and the handle lower-cased; the lookups normalise their argument
 *	the same way. Member addresses compare without ASCII case, local
 *	part included: Jane@example.net and jane@EXAMPLE.NET are one member.
 *
 *	Outbox items go queued -> sending (claimed) -> sent | failed, or back
 *	to queued with a later next_attempt_at after a temporary failure.
 *	store_outbox_claim() takes up to max due items for lease seconds:
 *	each claim adds one to the item's claim counter (its fencing
 *	token, returned in item->claim) and sets lease_until = now + lease;
 *	an item whose lease ran out (a crashed sender) is due again.
 *	store_outbox_extend() moves lease_until; store_outbox_record()
 *	writes every recipient's outcome (item->states) and, when outcome
 *	is not NULL, the item's own, queues outcome->notices and adds
 *	outcome->suppress to the suppression list, in ONE transaction.
 *	Both are fenced: when the item is no longer 'sending' under
 *	item->claim they write nothing and fail with STORE_ERROR_STALE.
 *	store_outbox_write() does n such writes in ONE transaction (a
 *	sender's group commit): each is store_outbox_record()'s, or, with
 *	rendered set, store_outbox_rendered()'s for item->message and
 *	item->subject. A write whose claim was taken over writes nothing
 *	and gets STORE_ERROR_STALE in its own error; the others commit.
 *	Any other failure rolls all of them back: FALSE, and error.
 *	store_outbox_claim_due() and store_outbox_mark_*() are the older
 *	unfenced forms (a STORE_CLAIM_TIMEOUT lease; every recipient takes
 *	the item's outcome). When an item of kind "intro" is sent, its
 *	share becomes "introduced"; when it fails for good, "failed".
 *
 *	store_suppression_add() records (or refreshes) an address that
 *	bounced for good; store_suppression_has() says whether an address
 *	is there, without ASCII case, or was forgotten on request (its
 *	salted hash is there: store_privacy.h).
 *
 *	store_copy() copies every row of every table from one store to
 *	another, on either engine ("passalong store copy": SQLite to
 *	PostgreSQL when one host becomes several): ids kept, every column
 *	exactly (NULLs as NULL, messages byte for byte). It refuses a
 *	target that holds any row (STORE_ERROR_INVALID). It reads the
 *	source in one read snapshot and writes the target in ONE write
 *	transaction, in foreign-key order, a page of rows at a time; then,
 *	still inside that transaction, it moves PostgreSQL's identity
 *	sequences past the largest ids and counts every table on both
 *	sides: any difference rolls everything back (STORE_ERROR_FAILED).
 *	On success *out (when not NULL) holds the rows copied per table.
 *	store_url_file() is the file a SQLite URL names (so that a caller
 *	can refuse to create a source that is not there), NULL for
 *	PostgreSQL or what is not a store URL.
 *
 * OWNERSHIP
 *	Returned objects and arrays are new (transfer full); arrays free
 *	their elements. Arguments are borrowed. Destructors accept NULL.
 *
 * ERRORS
 *	STORE_ERROR_BUSY (try again later: SQLite stayed locked past
 *	busy_timeout; PostgreSQL did not answer in time, lost the
 *	connection, failed over, or every pooled connection stayed busy),
 *	STORE_ERROR_CONSTRAINT (a uniqueness rule, such as a member's
 *	address or handle already taken), STORE_ERROR_FAILED (anything
 *	else the engine reported, its message included),
 *	STORE_ERROR_INVALID (a value the store will not write: an address
 *	that addr_normalize() refuses, a handle outside [a-z0-9._-]),
 *	STORE_ERROR_STALE (a fenced write by a sender whose claim was
 *	taken over: its lease ran out and the item was claimed again).
 *
 * THREADS
 *	Any thread may call any function. A Store lends each call one
 *	connection of its pool. On SQLite, writes take the one writer, so
 *	they are serialised (a share or an answer arriving while another
 *	commits is committed with it, in one transaction), and reads take
 *	one of up to StoreOptions.pool readers, which see the last commit
 *	and do not wait for the writer; on PostgreSQL up to
 *	StoreOptions.pool calls run at once. Open another Store for a
 *	worker that must not wait on the milter's calls.
 */
#ifndef PA_STORE_H
#define PA_STORE_H

#include <glib.h>

#include "common/config.h"

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);
typedef enum {
	STORE_ERROR_BUSY,
	STORE_ERROR_CONSTRAINT,
	STORE_ERROR_FAILED,
	STORE_ERROR_INVALID, /* an argument the store refuses to write */
	STORE_ERROR_STALE,   /* the claim is no longer the caller's */
} StoreError;

#define STORE_CLAIM_TIMEOUT 600 /* seconds, store_outbox_claim_due()'s lease */
#define STORE_SCHEMA_VERSION 8  /* the schema after store_open() */

typedef struct _Store Store;

typedef struct {
	guint timeout_ms;     /* every wait, see DESCRIPTION */
	guint pool;           /* PostgreSQL: connections, 1 to 64 */
	const char *passfile; /* PostgreSQL: or NULL (libpq's default) */
} StoreOptions;

typedef struct {
	gint64 id;
	char *address;      /* bare, domain lower-cased */
	char *name;         /* or NULL */
	char *handle;       /* lower-case, or NULL */
	char *capabilities; /* or NULL */
	gint64 created_at;
	char *consent; /* "ask", "direct", or NULL: the site's default */
	int confirm;   /* confirmations: 1 yes, 0 no, -1 the default */
	/* the weekly digest (schema 6) */
	char *digest_day;  /* "mon".."sun", "never", or NULL: the default */
	int digest_hour;   /* 0-23, or -1: the default */
	char *tz;          /* IANA zone name, or NULL: UTC */
	int public_credit; /* 1: may be named among the week's top sharers */
	char *unsub_token; /* of unsubscribe+TOKEN@ and /u/TOKEN, or NULL */
} Member;

typedef struct {
	gint64 id;
	char *sharer;         /* member's address */
	char *recipient;      /* the friend's address */
	char *recipient_name; /* or NULL */
	char *requester;      /* the original sender's address */
	char *requester_name; /* or NULL */
	char *subject;        /* the original subject, or NULL */
	char *note;           /* the member's note, or NULL */
	char *origin_key;     /* identifies the forwarded message */
	char *status;         /* queued (direct, intro to send), asked,
				 accepted, declined, expired, introduced,
				 failed */
	char *queue_id;       /* the MTA's queue id, or NULL */
	gint64 created_at;
	/* the facts every mail about it is written from (schema 4) */
	char *member_name;       /* or NULL */
	char *requester_org;     /* or NULL */
	char *request_text;      /* what the requester wrote, or NULL */
	gint64 request_date;     /* 0: unknown */
	char *passed_by;         /* or NULL */
	char *origin_message_id; /* without <>, or NULL */
	/* the consent flow */
	char *mode;         /* "ask" or "direct" (NULL: direct) */
	char *token;        /* of intro+TOKEN@, "ask" only */
	gint64 asked_at;    /* 0: not asked */
	gint64 reminded_at; /* 0: not reminded */
	gint64 answered_at; /* 0: no answer (or expiry) yet */
	gint64 expires_at;  /* 0: never */
	char *answer;       /* "yes", "no", or NULL */
	char *reason;       /* the friend's words with a no, or NULL */
	gint64 replies;     /* automatic replies to the friend in this
			       state: "how to answer" while asked (at most
			       FLOW_MAX_AUTO_REPLIES), then the one "already
			       answered" (the decision resets it to 0) */
	/* members credited besides the sharer (share_credits, schema 7),
	 * of char *, oldest (then by address) first: filled by store_share_get(),
	 * store_share_by_token() and for StoreFlowItems; else NULL */
	GPtrArray *credited;
	/* set by store_shares_record*(): this share was not inserted but
	 * merged into the open request of the same requester and friend,
	 * whose id is now share->id (its sharer credited there) */
	gboolean merged;
} Share;

/* One envelope recipient of an outbox item and its own outcome. */
typedef struct {
	char *address;
	char *status; /* queued (not tried), deferred (4xx), sent, failed */
	int code;     /* the server's reply code, 0 when there was none */
	char *text;   /* the server's reply or the reason, one line, or NULL */
	guint attempts;
} OutboxRcpt;

typedef struct {
	gint64 id;
	gint64 share_id;  /* 0 when not tied to a share */
	char *kind;       /* intro, consent, confirmation, notice, digest */
	char *mail_from;  /* envelope sender */
	GPtrArray *rcpts; /* of char *, envelope recipients */
	char *subject;    /* for listings */
	GBytes *message;  /* the complete RFC 5322 message */
	char *status;     /* queued, sending, sent, failed */
	guint attempts;
	gint64 next_attempt_at;
	char *last_error; /* or NULL */
	gint64 created_at;
	/* read back by the store, ignored when queueing: */
	GPtrArray *states; /* of OutboxRcpt *, one per rcpts entry, in order */
	char *member;      /* the sharer of its share, or NULL */
	gint64 claim;      /* fencing token of the latest claim */
	gint64 lease_until;
	/* which mail about its share to render at the first send, when
	 * message is empty (queued by the milter or the flow); or NULL */
	char *template;
} OutboxItem;

/* What a sender decided for a claimed item (store_outbox_record()). */
typedef struct {
	const char *status;     /* queued (again), sent or failed */
	gint64 now;             /* sent_at when sent; notices' created_at */
	gint64 next_attempt_at; /* when queued */
	const char *last_error; /* or NULL */
	GPtrArray *notices;     /* of OutboxItem *, queued with it, or NULL */
	GPtrArray *suppress;    /* of OutboxRcpt *: addresses to suppress */
} OutboxOutcome;

/* One fenced write of store_outbox_write(). */
typedef struct {
	const OutboxItem *item;       /* borrowed */
	const OutboxOutcome *outcome; /* with the recipients', or NULL */
	gboolean rendered; /* instead: keep item->message and ->subject */
	GError *error;     /* OUT: STORE_ERROR_STALE, this write alone */
} OutboxWrite;

typedef struct {
	gint64 members;
	GHashTable *shares_by_status; /* char * -> GINT_TO_POINTER(count) */
	GHashTable *outbox_by_status; /* char * -> GINT_TO_POINTER(count) */
	/* "kind/status" -> GINT_TO_POINTER(count) */
	GHashTable *outbox_by_kind_status;
	/* recipients by outbox kind: failed for good, deferred (4xx) */
	GHashTable *failed_rcpts_by_kind;
	GHashTable *deferred_rcpts_by_kind;
	gint64 retrying; /* items queued again after a try */
	/* created_at of the oldest item queued or sending; 0: none */
	gint64 oldest_unsent_at;
} StoreStats;

Store *store_open(const char *url, guint busy_timeout_ms, GError **error);
Store *store_open_full(const char *url, const StoreOptions *o, GError **error);
/* the store cfg names ([store] url or path, pool, passfile, busy_timeout);
 * pool 0 takes [store] pool */
Store *store_open_config(const Config *cfg, guint pool, GError **error);
void store_close(Store *store);
char *store_durability(Store *store);
const char *store_engine(Store *store); /* "sqlite" or "postgresql" */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)

Member *member_new(void);
void member_free(Member *m);
Share *share_new(void);
void share_free(Share *s);
OutboxItem *outbox_item_new(void);
void outbox_item_free(OutboxItem *item);
OutboxItem *outbox_item_copy(const OutboxItem *item);
OutboxRcpt *outbox_rcpt_new(const char *address);
void outbox_rcpt_free(OutboxRcpt *r);
void store_stats_free(StoreStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Member, member_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Share, share_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutboxItem, outbox_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutboxRcpt, outbox_rcpt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoreStats, store_stats_free)

/* members */
gboolean store_member_add(
    Store *store, const Member *m, gint64 *id, GError **error);
Member *store_member_by_address(Store *store, const char *address,
    GError **error); /* NULL without error: no such member */
Member *store_member_by_handle(Store *store, const char *handle,
    GError **error); /* NULL without error: no such member */
GPtrArray *store_member_list(Store *store, GError **error);
/* whether handle (already lower-cased) is 1-64 of [a-z0-9._-] */
gboolean store_handle_is_valid(const char *handle);

/* shares */
gboolean store_share_record(Store *store, Share *share, GPtrArray *items,
    gboolean *created, GError **error);
gboolean store_shares_record(Store *store, GPtrArray *shares, GPtrArray *lists,
    gboolean *created, GError **error);
/* more items to queue for a share just inserted (share->id known; its
 * status and created_at may still be unset: now is the commit's time),
 * or NULL (transfer full); called inside the transaction */
typedef GPtrArray *(*StoreShareHook)(
    const Share *share, gint64 now, gpointer data);
gboolean store_shares_record_with(Store *store, GPtrArray *shares,
    GPtrArray *lists, StoreShareHook hook, gpointer data, gboolean *created,
    GError **error);
/* the same; merged->pdata[i] (a GPtrArray of OutboxItem *, or NULL) is
 * queued instead of lists->pdata[i] when share i is merged (merged may
 * be NULL: nothing is queued then) */
gboolean store_shares_record_merge(Store *store, GPtrArray *shares,
    GPtrArray *lists, GPtrArray *merged, StoreShareHook hook, gpointer data,
    gboolean *created, GError **error);
GPtrArray *store_share_list(Store *store, GError **error);

/* rate limits (store_limits.c): counts of shares since a time */
gboolean store_share_exists(Store *store, const char *sharer,
    const char *recipient, const char *origin_key, gboolean *exists,
    GError **error);
gboolean store_share_count_by_sharer(Store *store, const char *sharer,
    gint64 since, gint64 *count, GError **error);
gboolean store_share_count_to_recipient(Store *store, const char *recipient,
    gint64 since, gint64 *count, GError **error);

/* outbox */
/* every item, oldest first; message is NULL in listings */
GPtrArray *store_outbox_list(Store *store, GError **error);
/* one item with its message; NULL without error: no such item */
OutboxItem *store_outbox_get(Store *store, gint64 id, GError **error);
/* queue one item tied to no share (share_id ignored), as share_record */
gboolean store_outbox_add(Store *store, OutboxItem *item, GError **error);
GPtrArray *store_outbox_claim_due(
    Store *store, gint64 now, guint max, GError **error);
gboolean store_outbox_mark_sent(
    Store *store, gint64 id, gint64 now, GError **error);
gboolean store_outbox_mark_retry(
    Store *store, gint64 id, gint64 next_at, const char *why, GError **error);
gboolean store_outbox_mark_failed(
    Store *store, gint64 id, const char *why, GError **error);
/* leases and fencing (store_claim.c) */
GPtrArray *store_outbox_claim(
    Store *store, gint64 now, guint lease, guint max, GError **error);
gboolean store_outbox_extend(
    Store *store, gint64 id, gint64 claim, gint64 lease_until, GError **error);
gboolean store_outbox_record(Store *store, const OutboxItem *item,
    const OutboxOutcome *outcome, GError **error);
gboolean store_outbox_write(
    Store *store, OutboxWrite *writes, guint n, GError **error);

/* suppression: addresses that bounced for good (store_outbox.c) */
gboolean store_suppression_add(Store *store, const char *address, int code,
    const char *reason, gint64 outbox_id, GError **error);
gboolean store_suppression_has(
    Store *store, const char *address, gboolean *has, GError **error);

/* the consent flow (store_flow.c) */
Share *store_share_get(Store *store, gint64 id, GError **error);
Share *store_share_by_token(Store *store, const char *token, GError **error);
gboolean store_share_answer(Store *store, gint64 id, const char *status,
    const char *answer, const char *reason, gint64 now, GPtrArray *items,
    gboolean *changed, GError **error);
/* "how to answer", at most max while asked; "already answered", at
 * most once after the decision (which resets Share.replies) */
gboolean store_share_reply_once(Store *store, gint64 id, gint64 max,
    GPtrArray *items, gint64 now, gboolean *allowed, GError **error);
gboolean store_share_answered_once(Store *store, gint64 id, GPtrArray *items,
    gint64 now, gboolean *allowed, GError **error);
/* the rows to queue because share reached event ("reminder",
 * "expired"), or NULL for none (transfer full) */
typedef GPtrArray *(*StoreFlowItems)(
    const Share *share, const char *event, gpointer data);
gboolean store_share_tick(Store *store, gint64 now, gint64 remind_after,
    guint max, StoreFlowItems make, gpointer data, guint *reminded,
    guint *expired, GError **error);
gboolean store_share_count_asked(Store *store, const char *friend, gint64 since,
    gint64 *count, GError **error);
gboolean store_share_open_for_pair(Store *store, const char *requester,
    const char *friend, gint64 *id, GError **error);
gboolean store_member_set(Store *store, const char *address,
    const char *consent, int confirm, gboolean *found, GError **error);
/* a member's unsubscribe token (store_member.c): fresh (a new
 * flow_token_new(), 128 random bits) is kept when the member has none
 * yet, and the token kept is returned in *token; NULL without error
 * when address is no member */
gboolean store_member_unsub_token(Store *store, const char *address,
    const char *fresh, char **token, GError **error);
Member *store_member_by_unsub_token(Store *store, const char *token,
    GError **error); /* NULL without error: no such token */
/* digests off for the token's member; *found: the token is known,
 * *changed: they were not off already */
gboolean store_member_unsubscribe(Store *store, const char *token,
    gboolean *found, gboolean *changed, GError **error);
gboolean store_outbox_rendered(Store *store, gint64 id, gint64 claim,
    GBytes *message, const char *subject, GError **error);

/* stats */
StoreStats *store_stats(Store *store, GError **error);

/* copy (store_copy.c): rows copied per table */
typedef struct {
	gint64 members;
	gint64 shares;
	gint64 outbox;
	gint64 outbox_rcpts;
	gint64 suppression;
	gint64 settings;      /* schema 5 */
	gint64 digests;       /* schema 6 */
	gint64 share_credits; /* schema 6 */
} StoreCopyStats;
gboolean store_copy(
    Store *from, Store *to, StoreCopyStats *out, GError **error);
char *store_url_file(const char *url); /* new string, or NULL */

/* the schema version of the open database, -1 on error */
int store_schema_version(Store *store);

#endif /* PA_STORE_H */
