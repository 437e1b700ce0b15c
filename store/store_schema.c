/*
 * store_schema.c - create and migrate the schema (PRAGMA user_version)
 *
 * migrations[i] takes a database from version i to version i + 1. A new
 * version appends one entry; an entry never changes once released. The
 * whole climb runs in one BEGIN IMMEDIATE transaction, so two processes
 * opening a fresh file at once cannot both create the tables, and a
 * failed step leaves the file as it was.
 *
 * Timestamps are integer seconds since the epoch (UTC). Outbox
 * recipients live in a child table, in order, so that a recipient is
 * never parsed back out of a string; each carries its own delivery
 * outcome (schema 3), since a relay may take one and refuse another.
 */
#include "config.h"

#include "store/store_int.h"

static const char *const migrations[] = {
	/* 0 -> 1: members, shares, outbox */
	"CREATE TABLE members ("
	"  id INTEGER PRIMARY KEY,"
	"  address TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  name TEXT,"
	"  handle TEXT UNIQUE,"
	"  capabilities TEXT,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE shares ("
	"  id INTEGER PRIMARY KEY,"
	"  sharer TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  recipient_name TEXT,"
	"  requester TEXT NOT NULL,"
	"  requester_name TEXT,"
	"  subject TEXT,"
	"  note TEXT,"
	"  origin_key TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued',"
	"  queue_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (sharer, recipient, origin_key)"
	");"
	"CREATE INDEX shares_status ON shares (status);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  share_id INTEGER REFERENCES shares (id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('intro', 'consent',"
	"    'confirmation', 'notice', 'digest', 'webhook')),"
	"  mail_from TEXT NOT NULL,"
	"  subject TEXT,"
	"  message BLOB NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN"
	"    ('queued', 'sending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  claimed_at INTEGER,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER"
	");"
	/* the due-claim query: queued by time, and stale 'sending' claims */
	"CREATE INDEX outbox_due ON outbox (status, next_attempt_at);"
	"CREATE INDEX outbox_claimed ON outbox (status, claimed_at);"
	"CREATE INDEX outbox_share ON outbox (share_id);"
	"CREATE TABLE outbox_rcpts ("
	"  outbox_id INTEGER NOT NULL REFERENCES outbox (id)"
	"    ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  address TEXT NOT NULL,"
	"  PRIMARY KEY (outbox_id, position)"
	") WITHOUT ROWID;",
	/* 1 -> 2: the rate-limit counts run for every share; without these
	 * they scanned every share of the member, or of the whole table */
	"CREATE INDEX shares_by_sharer ON shares (sharer, created_at);"
	"CREATE INDEX shares_by_recipient ON shares"
	"  (recipient COLLATE NOCASE, created_at);",
	/* 2 -> 3: leases and fencing for claims (lease_until, claim), each
	 * recipient's own outcome, and the addresses that bounced for good.
	 * A recipient is queued (not tried yet), deferred (4xx, tried
	 * again), sent or failed; rows already settled keep their outcome
	 * on every recipient. A claim in flight keeps the old timeout. */
	"ALTER TABLE outbox ADD COLUMN lease_until INTEGER;"
	"ALTER TABLE outbox ADD COLUMN claim INTEGER NOT NULL DEFAULT 0;"
	"UPDATE outbox SET lease_until = claimed_at + 600"
	"  WHERE status = 'sending';"
	"DROP INDEX outbox_claimed;"
	"CREATE INDEX outbox_lease ON outbox (status, lease_until);"
	"ALTER TABLE outbox_rcpts ADD COLUMN status TEXT NOT NULL"
	"  DEFAULT 'queued' CHECK (status IN ('queued', 'deferred', 'sent',"
	"  'failed'));"
	"ALTER TABLE outbox_rcpts ADD COLUMN code INTEGER;"
	"ALTER TABLE outbox_rcpts ADD COLUMN text TEXT;"
	"ALTER TABLE outbox_rcpts ADD COLUMN attempts INTEGER NOT NULL"
	"  DEFAULT 0;"
	"UPDATE outbox_rcpts SET status = (SELECT status FROM outbox"
	"  WHERE outbox.id = outbox_rcpts.outbox_id)"
	"  WHERE outbox_id IN (SELECT id FROM outbox"
	"  WHERE status IN ('sent', 'failed'));"
	"CREATE TABLE suppression ("
	"  address TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
	"  code INTEGER,"
	"  reason TEXT,"
	"  outbox_id INTEGER,"
	"  created_at INTEGER NOT NULL"
	");",
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == STORE_SCHEMA_VERSION);

/* user_version - the schema version recorded in the file */
static gboolean
user_version(Store *store, int *version, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st, "PRAGMA user_version", error))
		return FALSE;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_set_error(store, rc, error, "reading user_version");
		return FALSE;
	}
	*version = sqlite3_column_int(st, 0);
	return TRUE;
}

/* climb - apply migrations from version to the latest */
static gboolean
climb(Store *store, int version, GError **error)
{
	for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
		/* A pragma cannot take a bound parameter; v is ours. */
		g_autofree char *set =
		    g_strdup_printf("PRAGMA user_version = %d", v + 1);

		if (!store_exec(store, migrations[v], error) ||
		    !store_exec(store, set, error))
			return FALSE;
	}
	return TRUE;
}

/* store_schema_migrate - bring the schema to STORE_SCHEMA_VERSION */
gboolean
store_schema_migrate(Store *store, GError **error)
{
	int version = 0;

	if (!user_version(store, &version, error))
		return FALSE;
	if (version == STORE_SCHEMA_VERSION)
		return TRUE; /* the common case needs no write lock */
	if (!store_begin(store, error))
		return FALSE;
	/* Read again under the lock: another process may have migrated. */
	if (!user_version(store, &version, error))
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "schema version %d is newer than this program's (%d)",
		    version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (!climb(store, version, error))
		goto fail;
	return store_commit(store, error);
fail:
	store_rollback(store);
	return FALSE;
}

/* store_schema_version - the version the open database is at */
int
store_schema_version(Store *store)
{
	int version = -1;

	g_return_val_if_fail(store != NULL, -1);
	g_mutex_lock(&store->lock);
	if (!user_version(store, &version, NULL))
		version = -1;
	g_mutex_unlock(&store->lock);
	return version;
}
