/*
 * store_privacy.h - a person's data: everything held, and forgetting it
 *
 * SYNOPSIS
 *	#include "store/store_privacy.h"
 *	g_autoptr(StorePerson) p = store_person_export(st, addr, &error);
 *	StoreForget done;
 *	store_person_forget(st, addr, TRUE, &done, &error);
 *
 * DESCRIPTION
 *	A person is an address, compared without ASCII case as everywhere
 *	in the store. They may be a member (members), the sharer, friend
 *	(recipient) or requester of shares, a recipient of outbox rows,
 *	named in rendered messages, and on the suppression list.
 *
 *	store_person_export() reads all of it in one read snapshot: the
 *	members row, every share in which they have a role, every outbox
 *	row that concerns them (the rows of those shares, the rows with
 *	them among the recipients, and the rows whose message, subject or
 *	last error holds their address or one of their names: exactly the
 *	rows store_person_forget() erases) with its message and recipients,
 *	their weekly digests (one row per ISO week served, and the outbox
 *	row of its mail, which is among the rows sent to them), and their
 *	suppression rows, the salted hash included.
 *
 *	store_person_forget() erases them in ONE write transaction:
 *	  - the members row is deleted, and its digests rows (the weeks
 *	    served) with it;
 *	  - shares they made (sharer) are deleted, with their outbox rows
 *	    and those rows' recipients: the record is theirs;
 *	  - shares of other members in which they are the friend or the
 *	    requester are kept, for that member's history and counts, with
 *	    their address replaced by "forgotten@invalid", their name (and
 *	    as requester their organisation and Message-ID) set to NULL,
 *	    and the share's free text (subject, note, request_text, reason,
 *	    passed_by), which may be by or about them, set to NULL; the
 *	    token and origin_key are retired; a share still open (queued,
 *	    asked, accepted) is closed as "expired" with answered_at now;
 *	  - every other outbox row that concerns them (see export) keeps
 *	    its row but its message becomes STORE_FORGOTTEN_MESSAGE and its
 *	    subject NULL; a row not yet sent is failed ("not sent:
 *	    forgotten on request"), and so are its recipients not yet sent;
 *	  - their credits on other members' shares (share_credits: their
 *	    share of the same request was merged) are deleted; the shares
 *	    stay their sharers' (export does not list those shares, whose
 *	    sharer is another member's to tell; the mail they got about
 *	    them is listed as any mail to them);
 *	  - their recipient rows anywhere become "forgotten@invalid", with
 *	    no reply text;
 *	  - their plain suppression rows are deleted and a salted hash of
 *	    the address ("forgotten:" and 64 hex digits, HMAC-SHA256 of the
 *	    lower-cased address keyed with the settings row "forget_salt",
 *	    made from 32 random bytes by the first forget) is added, so
 *	    that store_suppression_has() refuses the address from now on.
 *	Names are searched for in messages as recorded (members.name,
 *	recipient_name, requester_name, member_name of their own shares),
 *	without ASCII case, when 4 characters or longer. Text that is
 *	encoded in a message (quoted-printable, base64, RFC 2047) is not
 *	found by that search.
 *	With apply FALSE the same work is done and rolled back: *out says
 *	what would happen, nothing changes. On SQLite, once committed, the
 *	file is rewritten (VACUUM, with secure_delete on for the
 *	transaction) and the WAL checkpointed and truncated, so that no
 *	deleted byte stays in the file or its -wal; out->compacted says
 *	whether that completed (a reader holding an old snapshot keeps the
 *	WAL: run forget again later). PostgreSQL keeps dead row versions
 *	in its files and WAL until it vacuums and recycles them.
 *
 * OWNERSHIP
 *	A StorePerson is new (transfer full); its arrays own their elements.
 *
 * ERRORS
 *	STORE_ERROR_INVALID when address is not an address; otherwise as
 *	store.h.
 *
 * THREADS
 *	As store.h. Forget takes the store's write lock (SQLite) or row
 *	locks (PostgreSQL) for its transaction.
 */
#ifndef PA_STORE_PRIVACY_H
#define PA_STORE_PRIVACY_H

#include <glib.h>

#include "store/store.h"

#define STORE_FORGOTTEN_ADDRESS "forgotten@invalid"
#define STORE_FORGOTTEN_MESSAGE                                                \
	"X-Passalong: forgotten\r\n\r\nThis message was erased on "            \
	"request.\r\n"

/* one week's digest of a member (table digests) */
typedef struct {
	char *week;       /* ISO week, "2026-W49" */
	gint64 outbox_id; /* its mail, or 0 (skipped, or the row gone) */
	gint64 created_at;
} StoreDigestRecord;

/* one row of the suppression list */
typedef struct {
	char *address; /* or "forgotten:HEX", the salted hash */
	int code;      /* 0: none */
	char *reason;  /* or NULL */
	gint64 outbox_id;
	gint64 created_at;
} StoreSuppression;

typedef struct {
	char *address;          /* as normalised */
	Member *member;         /* or NULL */
	GPtrArray *shares;      /* of Share *, by id */
	GPtrArray *outbox;      /* of OutboxItem *, with messages, by id */
	GPtrArray *suppression; /* of StoreSuppression * */
	GPtrArray *digests;     /* of StoreDigestRecord *, by week */
	gboolean forgotten;     /* the hash is on the suppression list */
} StorePerson;

/* what forget did, or would do, per table */
typedef struct {
	gint64 members_deleted;
	gint64 digests_deleted;     /* their weeks served */
	gint64 shares_deleted;      /* they were the sharer */
	gint64 shares_blanked;      /* another member's: friend or requester */
	gint64 outbox_deleted;      /* rows of the shares deleted */
	gint64 rcpts_deleted;       /* their recipients */
	gint64 outbox_emptied;      /* other rows about them */
	gint64 rcpts_replaced;      /* their address as a recipient */
	gint64 suppression_deleted; /* plain rows */
	gint64 suppression_hashed;  /* 1 when the hash was added */
	gint64 credits_deleted;     /* credited on others' shares (merged) */
	gboolean compacted; /* SQLite: VACUUM and WAL truncated; PostgreSQL:
			       always FALSE */
} StoreForget;

StorePerson *store_person_export(
    Store *store, const char *address, GError **error);
void store_person_free(StorePerson *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StorePerson, store_person_free)

gboolean store_person_forget(Store *store, const char *address, gboolean apply,
    StoreForget *out, GError **error);

#endif /* PA_STORE_PRIVACY_H */
