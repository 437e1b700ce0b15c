/*
 * store_schema.c - create and migrate the schema, on either engine
 *
 * Each driver lists its steps (sql_sqlite.c, sql_pg.c); a step takes
 * the schema from one version to a later one, and the last reaches
 * STORE_SCHEMA_VERSION. The whole climb runs in one write transaction
 * that first takes the driver's schema lock (SQLite: BEGIN IMMEDIATE
 * is the lock; PostgreSQL: an advisory lock), so two processes or two
 * hosts opening a new database at once cannot both create the tables,
 * and a failed step leaves the database as it was.
 */
#include "config.h"

#include "store/store_int.h"

/* version - the schema version recorded in the database */
static gboolean
version(DbConn *db, int *v, GError **error)
{
	GError *err = NULL;

	if (db->drv->schema_version(db, v, &err))
		return TRUE;
	g_propagate_prefixed_error(error, err, "reading the schema version: ");
	return FALSE;
}

/* climb - apply the driver's steps from version v to the latest */
static gboolean
climb(DbConn *db, int v, GError **error)
{
	const StoreMigration *m = db->drv->migrations;

	for (; m->sql != NULL; m++) {
		if (m->from < v)
			continue; /* already there */
		if (m->from != v) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "no migration from schema version %d", v);
			return FALSE;
		}
		if (!db_exec(db, m->sql, error) ||
		    !db->drv->schema_set(db, m->to, error))
			return FALSE;
		v = m->to;
	}
	if (v != STORE_SCHEMA_VERSION) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "the %s migrations end at version %d, not %d",
		    db->drv->name, v, STORE_SCHEMA_VERSION);
		return FALSE;
	}
	return TRUE;
}

/* store_schema_migrate - bring the schema to STORE_SCHEMA_VERSION */
gboolean
store_schema_migrate(DbConn *db, GError **error)
{
	int v = 0;

	if (!version(db, &v, error))
		return FALSE;
	if (v == STORE_SCHEMA_VERSION)
		return TRUE; /* the common case needs no write lock */
	if (!db_begin(db, error))
		return FALSE;
	/* Read again under the lock: another process may have migrated. */
	if (!db->drv->schema_lock(db, error) || !version(db, &v, error))
		goto fail;
	if (v > STORE_SCHEMA_VERSION) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "schema version %d is newer than this program's (%d)", v,
		    STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (v < STORE_SCHEMA_VERSION && !climb(db, v, error))
		goto fail;
	return db_commit(db, error);
fail:
	db_rollback(db);
	return FALSE;
}

/* store_schema_version - the version the open database is at */
int
store_schema_version(Store *store)
{
	g_autoptr(DbConn) db = NULL;
	int v = -1;

	g_return_val_if_fail(store != NULL, -1);
	db = store_acquire(store, NULL);
	if (db == NULL || !db->drv->schema_version(db, &v, NULL))
		return -1;
	return v;
}
