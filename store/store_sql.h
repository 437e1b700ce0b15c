/*
 * store_sql.h - the names of the store's statements
 *
 * DESCRIPTION
 *	Every statement the store runs has a number here and one text per
 *	engine: sql_sqlite.c for SQLite, sql_pg.c for PostgreSQL. A driver
 *	prepares a statement once per connection, by its number. The
 *	parameters of a number are the same on both engines, in the same
 *	order (the comment after each name), and so are the columns; only
 *	the dialect differs. A new statement adds a number here and a text
 *	to both tables (tests/unit/test_store.c prepares every one of them
 *	on each engine).
 */
#ifndef PA_STORE_SQL_H
#define PA_STORE_SQL_H

typedef enum {
	/* members: address, name, handle, capabilities, created_at -> id */
	SQL_MEMBER_INSERT,
	SQL_MEMBER_BY_ADDRESS, /* address -> MEMBER_COLUMNS */
	SQL_MEMBER_BY_HANDLE,  /* handle -> MEMBER_COLUMNS */
	SQL_MEMBER_LIST,       /* -> MEMBER_COLUMNS, by id */
	/* shares */
	SQL_SHARE_FIND, /* sharer, recipient, origin_key -> id */
	/* sharer, recipient, recipient_name, requester, requester_name,
	 * subject, note, origin_key, status, queue_id, created_at -> id,
	 * or no row when the key is taken */
	SQL_SHARE_INSERT,
	SQL_SHARE_LIST,               /* -> SHARE_COLUMNS, by id */
	SQL_SHARE_COUNT_BY_SHARER,    /* sharer, since -> count */
	SQL_SHARE_COUNT_TO_RECIPIENT, /* recipient, since -> count */
	SQL_SHARE_SETTLE,             /* outbox id, status */
	/* outbox: share_id, kind, mail_from, subject, message,
	 * next_attempt_at, created_at -> id */
	SQL_OUTBOX_INSERT,
	SQL_RCPT_INSERT,   /* outbox_id, position, address */
	SQL_RCPT_LOAD,     /* outbox_id -> address, status, code, text,
			       attempts */
	SQL_OUTBOX_LOAD,   /* id -> ITEM_COLUMNS, message */
	SQL_OUTBOX_LIST,   /* -> ITEM_COLUMNS, by id */
	SQL_CLAIM,         /* now, lease, max -> id */
	SQL_RCPT_SETTLE,   /* outbox_id, status */
	SQL_OUTBOX_SENT,   /* id, now */
	SQL_OUTBOX_RETRY,  /* id, next_attempt_at, last_error */
	SQL_OUTBOX_FAILED, /* id, last_error */
	SQL_FENCE,         /* id, claim -> 1 */
	SQL_EXTEND,        /* id, claim, lease_until */
	SQL_RCPT_WRITE,    /* outbox_id, position, status, code, text,
			       attempts */
	SQL_OUTBOX_WRITE,  /* id, status, next_attempt_at, sent_at,
			       last_error */
	/* suppression: address, code, reason, outbox_id, created_at */
	SQL_SUPPRESSION_UPSERT,
	SQL_SUPPRESSION_HAS, /* address -> 1 */
	/* stats */
	SQL_STATS_MEMBERS,        /* -> count */
	SQL_STATS_SHARES,         /* -> status, count */
	SQL_STATS_OUTBOX,         /* -> status, count */
	SQL_STATS_OUTBOX_KIND,    /* -> kind/status, count */
	SQL_STATS_FAILED_RCPTS,   /* -> kind, count */
	SQL_STATS_DEFERRED_RCPTS, /* -> kind, count */
	SQL_STATS_RETRYING,       /* -> count */
	SQL_STATS_OLDEST_UNSENT,  /* -> created_at or NULL */
	/* store copy (store_copy.c): every column of a table, in the order
	 * of its COPY_*_COLUMNS; READ takes the key of the last row read
	 * (G_MININT64 before the first) and a page size, WRITE the columns */
	SQL_COPY_MEMBERS_READ,     /* after id, limit -> COPY_MEMBERS_COLUMNS */
	SQL_COPY_MEMBERS_WRITE,    /* COPY_MEMBERS_COLUMNS */
	SQL_COPY_SHARES_READ,      /* after id, limit -> COPY_SHARES_COLUMNS */
	SQL_COPY_SHARES_WRITE,     /* COPY_SHARES_COLUMNS */
	SQL_COPY_OUTBOX_READ,      /* after id, limit -> COPY_OUTBOX_COLUMNS */
	SQL_COPY_OUTBOX_WRITE,     /* COPY_OUTBOX_COLUMNS */
	SQL_COPY_RCPTS_READ,       /* after outbox_id, after position,
				       limit -> COPY_RCPTS_COLUMNS */
	SQL_COPY_RCPTS_WRITE,      /* COPY_RCPTS_COLUMNS */
	SQL_COPY_SUPPRESSION_READ, /* -> COPY_SUPPRESSION_COLUMNS (small
				       rows: one read, no pages) */
	SQL_COPY_SUPPRESSION_WRITE, /* COPY_SUPPRESSION_COLUMNS */
	SQL_COPY_COUNT_MEMBERS,     /* -> count */
	SQL_COPY_COUNT_SHARES,      /* -> count */
	SQL_COPY_COUNT_OUTBOX,      /* -> count */
	SQL_COPY_COUNT_RCPTS,       /* -> count */
	SQL_COPY_COUNT_SUPPRESSION, /* -> count */
	SQL_COPY_SEQUENCES, /* identities past the largest id (PostgreSQL) */
	/* the consent flow (schema 4, store_flow.c) */
	SQL_SHARE_GET,      /* id -> SHARE_COLUMNS */
	SQL_SHARE_BY_TOKEN, /* token -> SHARE_COLUMNS */
	/* id, from status, to status, answer, reason, answered_at -> id */
	SQL_SHARE_ANSWER,
	/* id, max -> replies: one more "how to answer" while the share is
	 * asked, below max */
	SQL_SHARE_REPLIED,
	/* now, limit -> id: asked, due a reminder, marked reminded */
	SQL_SHARE_REMIND_DUE,
	SQL_SHARE_EXPIRE_DUE, /* now, limit -> id: asked, now expired */
	/* friend, since -> count of consent requests (rate limit) */
	SQL_SHARE_COUNT_ASKED,
	/* requester, friend -> id, sharer of the open request (asked) */
	SQL_SHARE_OPEN_FOR_PAIR,
	SQL_MEMBER_SET,      /* address, consent, confirm (NULL: unchanged) */
	SQL_OUTBOX_RENDERED, /* id, claim, message, subject */
	/* a person's data (store_privacy.c): ADDRESS compares without
	 * ASCII case; a person is the sharer, friend or requester of a
	 * share, a recipient of an outbox row, or a member */
	SQL_PRIVACY_SHARES, /* address -> SHARE_COLUMNS, by id */
	/* address -> id: rows of those shares, rows sent to address */
	SQL_PRIVACY_OUTBOX_CONCERNS,
	/* text -> id: rows whose message, subject or last_error holds
	 * text (ASCII case ignored) */
	SQL_PRIVACY_OUTBOX_MENTIONS,
	/* address, hash or NULL -> COPY_SUPPRESSION_COLUMNS */
	SQL_PRIVACY_SUPPRESSION,
	SQL_PRIVACY_RCPTS_DELETE,  /* address: recipients of rows of its
				       shares as sharer */
	SQL_PRIVACY_OUTBOX_DELETE, /* address: rows of its shares as sharer */
	SQL_PRIVACY_SHARES_DELETE, /* address: its shares as sharer */
	SQL_PRIVACY_SHARES_BLANK,  /* address, now: as friend or requester */
	SQL_PRIVACY_OUTBOX_EMPTY,  /* id, placeholder message */
	SQL_PRIVACY_RCPTS_CLOSE,   /* outbox_id: recipients not yet sent */
	SQL_PRIVACY_RCPTS_REPLACE, /* address */
	SQL_PRIVACY_MEMBER_DELETE, /* address */
	SQL_PRIVACY_SUPPRESSION_DELETE, /* address */
	SQL_PRIVACY_SUPPRESSION_HASH,   /* hash, now */
	SQL_PRIVACY_SECURE_DELETE,      /* SQLite: freed bytes zeroed */
	SQL_PRIVACY_VACUUM,             /* SQLite: the file rewritten */
	SQL_PRIVACY_CHECKPOINT,         /* -> busy, log, checkpointed */
	/* settings (schema 5): name -> value; name, value (kept when
	 * the name is there) */
	SQL_SETTING_GET,
	SQL_SETTING_ADD,
	SQL_COPY_SETTINGS_READ,  /* -> COPY_SETTINGS_COLUMNS (one read) */
	SQL_COPY_SETTINGS_WRITE, /* COPY_SETTINGS_COLUMNS */
	SQL_COPY_COUNT_SETTINGS, /* -> count */
	/* digests and credit (schema 6), read in one go like settings */
	SQL_COPY_DIGESTS_READ,  /* -> COPY_DIGESTS_COLUMNS */
	SQL_COPY_DIGESTS_WRITE, /* COPY_DIGESTS_COLUMNS */
	SQL_COPY_COUNT_DIGESTS, /* -> count */
	SQL_COPY_CREDITS_READ,  /* -> COPY_CREDITS_COLUMNS */
	SQL_COPY_CREDITS_WRITE, /* COPY_CREDITS_COLUMNS */
	SQL_COPY_COUNT_CREDITS, /* -> count */
	/* a member's unsubscribe token (schema 6, store_member.c) */
	SQL_MEMBER_TOKEN_SET,   /* address, token: only where none is set */
	SQL_MEMBER_BY_TOKEN,    /* token -> MEMBER_COLUMNS */
	SQL_MEMBER_UNSUBSCRIBE, /* token: digest_day 'never' unless it is */
	/* id -> id: the one "already answered" note of a decided share
	 * (replies, reset by the decision, goes from 0 to 1) */
	SQL_SHARE_NOTED,
	/* merged shares (schema 7): share_id, member, created_at -> share_id
	 * when the member was not credited yet */
	SQL_SHARE_CREDIT,
	SQL_SHARE_CREDITS, /* share_id -> member, oldest first */
	/* share_id, template, address -> id: a row of that mail to that one
	 * recipient still queued and not rendered (locked on PostgreSQL, so
	 * that no claim takes it before the transaction ends) */
	SQL_OUTBOX_SAME_QUEUED,
	SQL_PRIVACY_CREDITS_DELETE, /* address: the member's credits */
	/* the weekly digest (store_digest.c); a batch is a range of member
	 * ids, LO and HI; SINCE, UNTIL the union of its members' weeks */
	/* after id, week a, week b, limit -> MEMBER_COLUMNS, done a (0/1),
	 * done b (0/1): members not 'never', not done for both weeks */
	SQL_DIGEST_CANDIDATES,
	/* lo, hi, since, until -> SHARE_COLUMNS, member id: their shares
	 * created or answered in [since, until) */
	SQL_DIGEST_SHARED_BY,
	/* lo, hi, since, until -> SHARE_COLUMNS, member id, sent_at: shares
	 * introduced to them as the friend, the intro sent in the window */
	SQL_DIGEST_SHARED_WITH,
	/* lo, hi -> SHARE_COLUMNS, member id: open requests asking them */
	SQL_DIGEST_WAITING,
	/* lo, hi, year start -> member id, given all, given year, received
	 * all, received year */
	SQL_DIGEST_BALANCE,
	/* since, until, limit -> name or handle, shares: public members */
	SQL_DIGEST_TOP,
	/* member_id, week, created_at -> member_id, or no row when taken */
	SQL_DIGEST_INSERT,
	SQL_DIGEST_SET_OUTBOX, /* member_id, week, outbox_id */
	/* address, day, set day, hour, set hour, tz, set tz, credit, set
	 * credit (each set_* 1 to change that column) */
	SQL_MEMBER_SET_DIGEST,
	/* address -> COPY_DIGESTS_COLUMNS: the member's digests rows */
	SQL_PRIVACY_DIGESTS,
	SQL_PRIVACY_DIGESTS_DELETE, /* address */
	SQL_N
} StoreSql;

/* one step of an engine's schema, from one version to a later one */
typedef struct {
	int from, to;
	const char *sql; /* statements, separated by ';' */
} StoreMigration;

/* the column lists the domain code reads by position */
#define MEMBER_COLUMNS                                                         \
	"id, address, name, handle, capabilities, created_at, consent,"        \
	" confirm, digest_day, digest_hour, tz, public_credit, unsub_token"
#define SHARE_COLUMNS                                                          \
	"id, sharer, recipient, recipient_name, requester, requester_name,"    \
	" subject, note, origin_key, status, queue_id, created_at,"            \
	" member_name, requester_org, request_text, request_date, passed_by,"  \
	" origin_message_id, mode, token, asked_at, reminded_at, answered_at," \
	" expires_at, answer, reason, replies"
#define ITEM_COLUMNS                                                           \
	"id, share_id, kind, mail_from, subject, status, attempts,"            \
	" next_attempt_at, last_error, created_at, claim, lease_until,"        \
	" (SELECT sharer FROM shares WHERE shares.id = outbox.share_id),"      \
	" template"
#define MESSAGE_COLUMN 14 /* after ITEM_COLUMNS */

/* every column of each table, for store_copy.c (whose type strings
 * follow these orders) */
#define COPY_MEMBERS_COLUMNS                                                   \
	"id, address, name, handle, capabilities, created_at, consent, "       \
	"confirm, digest_day, digest_hour, tz, public_credit, unsub_token"
#define COPY_SHARES_COLUMNS SHARE_COLUMNS
#define COPY_OUTBOX_COLUMNS                                                    \
	"id, share_id, kind, mail_from, subject, message, status, attempts,"   \
	" next_attempt_at, claimed_at, last_error, created_at, sent_at,"       \
	" lease_until, claim, template"
#define COPY_RCPTS_COLUMNS                                                     \
	"outbox_id, position, address, status, code, text, attempts"
#define COPY_SUPPRESSION_COLUMNS "address, code, reason, outbox_id, created_at"
#define COPY_SETTINGS_COLUMNS "name, value"
#define COPY_DIGESTS_COLUMNS "member_id, week, outbox_id, created_at"
#define COPY_CREDITS_COLUMNS "share_id, member, created_at"

#endif /* PA_STORE_SQL_H */
