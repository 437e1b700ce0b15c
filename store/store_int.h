/*
 * store_int.h - what the store's own files share (not for other modules)
 *
 * SYNOPSIS
 *	#include "store/store_int.h"
 *	g_autoptr(DbConn) db = store_acquire(store, error);
 *	if (db == NULL)
 *		return FALSE;
 *	g_autoptr(DbStmt) st = db_prepare(db, SQL_SHARE_FIND, error);
 *
 * DESCRIPTION
 *	The Store structure (a driver and a small pool of its
 *	connections), and helpers written once for both engines. The
 *	domain functions in store_*.c take a connection from the pool for
 *	the length of one call and give it back at the end of their scope.
 *
 * OWNERSHIP
 *	store_acquire() lends a connection; g_autoptr(DbConn) gives it back
 *	(store_release()). Declare it BEFORE any g_autoptr(DbStmt) in the
 *	same scope: cleanups run in reverse order, so statements are reset
 *	while the connection is still the caller's. (A statement reset
 *	after the release races with another thread's use of the same
 *	connection, and corrupted an SQLite database under load.)
 *
 * THREADS
 *	The pools are guarded by store->lock; a connection is used by one
 *	thread at a time. SQLite writes on one connection, so writes are
 *	serialised as before, and reads that write nothing take one of up
 *	to StoreOptions.pool readers (WAL: a reader sees the last commit
 *	and does not wait for the writer's transaction, fsync included);
 *	PostgreSQL's one pool holds StoreOptions.pool.
 */
#ifndef PA_STORE_INT_H
#define PA_STORE_INT_H

#include <glib.h>

#include "store/db.h"
#include "store/store.h"

/* connections of one kind, lent one caller at a time */
typedef struct {
	GCond freed;
	GPtrArray *idle; /* of DbConn *, ready for use */
	guint open;      /* connections lent or idle */
	guint size;      /* at most this many */
	guint waiting;   /* callers waiting for one: signalled only then */
} StorePool;

struct _Store {
	const DbDriver *drv;
	char *target; /* the file, or the libpq connection string */
	char *passfile;
	guint timeout_ms;
	GMutex lock;  /* guards both pools */
	StorePool rw; /* every write, and reads on PostgreSQL */
	StorePool ro; /* SQLite's readers; size 0 on PostgreSQL */
	/* SQLite's group commit of shares (store_share.c): the calls
	 * waiting, and whether one of them is committing for the rest */
	struct {
		GMutex lock;
		GCond done;
		GQueue waiting; /* of StoreWrite *, not yet taken */
		gboolean leading;
		guint sleeping; /* callers in g_cond_wait() */
	} group;
	/* the forget salt once read (under lock): it never changes once
	 * written, and until the first forget writes it there is none */
	char *forget_salt;
};

DbConn *store_acquire(Store *store, GError **error);
/* a connection for reads alone (no transaction that writes): on SQLite
 * one of the readers, which see the last commit and never wait for the
 * writer; on PostgreSQL store_acquire() */
DbConn *store_acquire_read(Store *store, GError **error);
void store_release(DbConn *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DbConn, store_release)

/* a write for store_group_write() (store_group.c): embed it first in
 * the write's own structure */
typedef struct _StoreWrite StoreWrite;
struct _StoreWrite {
	/* the body, in the open transaction; FALSE with error: this write
	 * fails alone. It runs again (after undo) when another write of
	 * the same transaction failed. */
	gboolean (*run)(DbConn *db, StoreWrite *w, GError **error);
	void (*undo)(StoreWrite *w);   /* rolled back: or NULL */
	void (*settle)(StoreWrite *w); /* committed: or NULL */
	/* the group commit's own */
	gboolean ok, done;
	GError *error;
};

gboolean store_group_write(Store *store, StoreWrite *w, GError **error);

/* every row of a statement without parameters, each made by from_row */
typedef gpointer (*StoreRowFunc)(DbStmt *st);
GPtrArray *store_list_rows(Store *store, StoreSql id, StoreRowFunc from_row,
    GDestroyNotify free_row, const char *what, GError **error);

gboolean store_schema_migrate(DbConn *db, GError **error);
gpointer share_from_row(DbStmt *st);  /* a Share from SHARE_COLUMNS */
gpointer member_from_row(DbStmt *st); /* a Member from MEMBER_COLUMNS */
gboolean share_find_id(DbConn *db, const char *sharer, const char *recipient,
    const char *origin_key, gint64 *id, GError **error);
/* outbox rows (store_outbox.c) */
gboolean outbox_insert(
    DbConn *db, OutboxItem *item, gint64 share_id, gint64 now, GError **error);
void outbox_settle(OutboxItem *item, gint64 now);
void outbox_unwind(GPtrArray *items);
OutboxItem *outbox_load(
    DbConn *db, gint64 id, gboolean with_message, GError **error);
gboolean outbox_rendered_write(DbConn *db, gint64 id, gint64 claim,
    GBytes *message, const char *subject, GError **error); /* store_flow.c */
/* whether address (normalised) is on the suppression list, plainly or
 * forgotten (its salted hash there), in one query when the Store holds
 * the salt (store_privacy.c) */
gboolean privacy_suppressed(Store *store, DbConn *db, const char *address,
    gboolean *has, GError **error);
gboolean suppression_insert(DbConn *db, const char *address, int code,
    const char *reason, gint64 outbox_id, gint64 now, GError **error);

#endif /* PA_STORE_INT_H */
