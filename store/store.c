/*
 * store.c - open and close a store; its pool of connections; db_*()
 *
 * A store URL names the engine: "sqlite:PATH" (or a bare path) for one
 * host, "postgresql://..." or any libpq key=value string when several
 * MTA hosts share the work. store_open_full() opens the first
 * connection and migrates the schema with it; later connections are
 * opened when the pool needs them, and a broken one (PostgreSQL lost,
 * failed over, or timed out) is replaced the next time it is taken, so
 * a database that comes back is used again without a restart.
 *
 * Trust: the URL is the operator's; it may carry a password, so it is
 * kept but never printed (store_durability() says where, not how).
 */
#include "config.h"

#include <string.h>

#include "common/config.h"
#include "store/store_int.h"

G_DEFINE_QUARK(passalong_store_error, store_error)

/* db_driver_for - the engine of url and its target, or NULL */
const DbDriver *
db_driver_for(const char *url, const char **target)
{
	if (url == NULL || *url == '\0')
		return NULL;
	if (g_str_has_prefix(url, "sqlite:")) {
		*target = url + strlen("sqlite:");
		if (g_str_has_prefix(*target, "//"))
			*target += 2; /* sqlite:///abs/path */
		return **target != '\0' ? &db_sqlite_driver : NULL;
	}
	if (g_str_has_prefix(url, "postgresql://") ||
	    g_str_has_prefix(url, "postgres://")) {
		*target = url;
		return &db_pg_driver;
	}
	if (g_regex_match_simple("^[A-Za-z][A-Za-z0-9+.-]*:", url, 0, 0) &&
	    !g_path_is_absolute(url))
		return NULL; /* an unknown scheme: not ours to guess */
	/* a libpq key=value string: "host=/run/pg dbname=passalong" */
	if (g_regex_match_simple("^\\s*[a-z_]+\\s*=", url, 0, 0)) {
		*target = url;
		return &db_pg_driver;
	}
	*target = url; /* a plain path, as [store] path always was */
	return &db_sqlite_driver;
}

/* db_prepare - statement id on db, prepared once per connection */
DbStmt *
db_prepare(DbConn *db, StoreSql id, GError **error)
{
	GError *err = NULL;
	DbStmt *st;

	g_return_val_if_fail(id < SQL_N, NULL);
	st = db->drv->prepare(db, id, &err);
	if (st == NULL) {
		g_propagate_prefixed_error(
		    error, err, "preparing statement %d: ", (int)id);
		return NULL;
	}
	/* cppcheck cannot see through the driver's function pointer: st
	 * is the connection's, never err */
	// cppcheck-suppress returnDanglingLifetime
	return st;
}

/* db_stmt_release - reset a statement: no result, no bindings */
void
db_stmt_release(DbStmt *st)
{
	if (st != NULL)
		st->drv->reset(st);
}

/* db_step - the next row, or done; what says what was tried */
DbStep
db_step(DbStmt *st, const char *what, GError **error)
{
	GError *err = NULL;
	DbStep rc = st->drv->step(st, &err);

	if (rc == DB_FAIL)
		g_propagate_prefixed_error(error, err, "%s: ", what);
	return rc;
}

/* db_done - run a statement whose rows, if any, do not matter */
gboolean
db_done(DbStmt *st, const char *what, GError **error)
{
	DbStep rc;

	while ((rc = db_step(st, what, error)) == DB_ROW)
		;
	return rc == DB_DONE;
}

/* run - one of the connection's transaction verbs, errors prefixed */
static gboolean
run(DbConn *db, gboolean (*verb)(DbConn *, GError **), const char *what,
    GError **error)
{
	GError *err = NULL;

	if (verb(db, &err))
		return TRUE;
	g_propagate_prefixed_error(error, err, "%s: ", what);
	return FALSE;
}

static gboolean
begin_write(DbConn *db, GError **error)
{
	return db->drv->begin(db, TRUE, error);
}

static gboolean
begin_read(DbConn *db, GError **error)
{
	return db->drv->begin(db, FALSE, error);
}

/* db_begin - a write transaction */
gboolean
db_begin(DbConn *db, GError **error)
{
	return run(db, begin_write, "starting a transaction", error);
}

/* db_begin_read - a read-only snapshot */
gboolean
db_begin_read(DbConn *db, GError **error)
{
	return run(db, begin_read, "starting a read transaction", error);
}

/* db_commit - commit; on failure the transaction is rolled back */
gboolean
db_commit(DbConn *db, GError **error)
{
	if (run(db, db->drv->commit, "committing", error))
		return TRUE;
	db_rollback(db);
	return FALSE;
}

/* db_rollback - undo the open transaction, if any */
void
db_rollback(DbConn *db)
{
	db->drv->rollback(db);
}

/* db_exec - constant SQL without parameters */
gboolean
db_exec(DbConn *db, const char *sql, GError **error)
{
	GError *err = NULL;

	if (db->drv->exec(db, sql, &err))
		return TRUE;
	/* name the statement, but not a whole migration's text */
	g_propagate_prefixed_error(
	    error, err, "%.40s%s: ", sql, strlen(sql) > 40 ? "..." : "");
	return FALSE;
}

/* conn_open - a new connection for the pool (a reader's, or not) */
static DbConn *
conn_open(Store *store, gboolean reader, GError **error)
{
	DbOptions o = { .timeout_ms = store->timeout_ms,
		.passfile = store->passfile,
		.application_name = g_get_prgname(),
		.reader = reader };
	DbConn *db = store->drv->open(store->target, &o, error);

	if (db != NULL) {
		db->store = store;
		db->reader = reader;
	}
	/* the driver copies what it keeps of o (cppcheck cannot see it) */
	// cppcheck-suppress returnDanglingLifetime
	return db;
}

/* pool_take - a connection of pool, for the caller alone; opened if the
 * pool has room and none is idle; NULL when all stayed busy */
static DbConn *
pool_take(Store *store, StorePool *pool, gboolean reader, GError **error)
{
	gint64 until =
	    g_get_monotonic_time() + (gint64)MAX(store->timeout_ms, 100) * 1000;
	DbConn *db = NULL;

	g_mutex_lock(&store->lock);
	while (pool->idle->len == 0 && pool->open >= pool->size) {
		gboolean woken;

		pool->waiting++;
		woken = g_cond_wait_until(&pool->freed, &store->lock, until);
		pool->waiting--;
		if (!woken) {
			g_mutex_unlock(&store->lock);
			g_set_error(error, STORE_ERROR, STORE_ERROR_BUSY,
			    "all %u store connections stayed busy", pool->size);
			return NULL;
		}
	}
	if (pool->idle->len > 0)
		db = g_ptr_array_steal_index(pool->idle, pool->idle->len - 1);
	else
		pool->open++; /* a place for the one opened below */
	g_mutex_unlock(&store->lock);
	if (db != NULL && db->drv->broken(db)) {
		db->drv->close(db); /* replaced below, in the same place */
		db = NULL;
	}
	if (db == NULL && (db = conn_open(store, reader, error)) == NULL) {
		g_mutex_lock(&store->lock);
		pool->open--;
		if (pool->waiting > 0)
			g_cond_signal(&pool->freed);
		g_mutex_unlock(&store->lock);
	}
	return db;
}

/* store_acquire - a connection of the pool, for the caller alone;
 * waits at most the store's timeout for one to be free */
DbConn *
store_acquire(Store *store, GError **error)
{
	return pool_take(store, &store->rw, FALSE, error);
}

/* store_acquire_read - a reader on SQLite, else store_acquire() */
DbConn *
store_acquire_read(Store *store, GError **error)
{
	if (store->ro.size == 0)
		return store_acquire(store, error);
	return pool_take(store, &store->ro, TRUE, error);
}

/* store_release - give a connection back; a broken one is closed */
void
store_release(DbConn *db)
{
	Store *store;
	StorePool *pool;

	if (db == NULL)
		return;
	store = db->store;
	pool = db->reader ? &store->ro : &store->rw;
	db_rollback(db); /* a caller's transaction never outlives it */
	g_mutex_lock(&store->lock);
	if (db->drv->broken(db)) {
		db->drv->close(db);
		pool->open--;
	} else
		g_ptr_array_add(pool->idle, db);
	/* GLib's signal is a system call even with nobody waiting: about
	 * a dozen a share, when nobody waits for a connection */
	if (pool->waiting > 0)
		g_cond_signal(&pool->freed);
	g_mutex_unlock(&store->lock);
}

/* store_list_rows - every row of statement id, made by from_row */
GPtrArray *
store_list_rows(Store *store, StoreSql id, StoreRowFunc from_row,
    GDestroyNotify free_row, const char *what, GError **error)
{
	g_autoptr(DbConn) db = store_acquire_read(store, error);
	g_autoptr(DbStmt) st = NULL;
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(free_row);
	DbStep rc;

	if (db == NULL || (st = db_prepare(db, id, error)) == NULL)
		return NULL;
	while ((rc = db_step(st, what, error)) == DB_ROW)
		g_ptr_array_add(list, from_row(st));
	return rc == DB_DONE ? g_steal_pointer(&list) : NULL;
}

/* store_open_full - open the store at url and migrate its schema */
Store *
store_open_full(const char *url, const StoreOptions *o, GError **error)
{
	g_autoptr(Store) store = NULL;
	const char *target = NULL;
	const DbDriver *drv;
	GError *err = NULL;
	DbConn *db;

	g_return_val_if_fail(url != NULL && o != NULL, NULL);
	drv = db_driver_for(url, &target);
	if (drv == NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "\"%s\" is not a store URL (sqlite:PATH, a file path, "
		    "postgresql://... or a libpq key=value string)",
		    url);
		return NULL;
	}
	store = g_new0(Store, 1);
	g_mutex_init(&store->lock);
	g_cond_init(&store->rw.freed);
	g_cond_init(&store->ro.freed);
	store->rw.idle = g_ptr_array_new();
	store->ro.idle = g_ptr_array_new();
	g_mutex_init(&store->group.lock);
	g_cond_init(&store->group.done);
	g_queue_init(&store->group.waiting);
	store->drv = drv;
	store->target = g_strdup(target);
	store->passfile = g_strdup(o->passfile);
	store->timeout_ms = o->timeout_ms;
	/* SQLite: one writer at a time whatever we do; one connection
	 * keeps the writes in order as they always were, and pool readers
	 * answer look-ups meanwhile (WAL) */
	if (drv == &db_sqlite_driver) {
		store->rw.size = 1;
		store->ro.size = CLAMP(o->pool, 1, 64);
	} else
		store->rw.size = CLAMP(o->pool, 1, 64);
	db = store_acquire(store, &err);
	if (db != NULL && !store_schema_migrate(db, &err)) {
		store_release(db);
		db = NULL;
	}
	if (db == NULL) {
		/* a file names itself; a connection string may hold a
		 * password, so PostgreSQL's errors stand alone */
		if (drv == &db_sqlite_driver)
			g_prefix_error(&err, "%s: ", target);
		g_propagate_error(error, err);
		return NULL;
	}
	store_release(db);
	return g_steal_pointer(&store);
}

/* store_open - store_open_full() with the defaults and a lock wait */
Store *
store_open(const char *url, guint busy_timeout_ms, GError **error)
{
	StoreOptions o = { .timeout_ms = busy_timeout_ms, .pool = 4 };

	return store_open_full(url, &o, error);
}

/* store_open_config - the store a configuration names, with pool
 * connections at most (0: [store] pool) */
Store *
store_open_config(const Config *cfg, guint pool, GError **error)
{
	StoreOptions o = { .timeout_ms = cfg->busy_timeout,
		.pool = pool ? pool : cfg->store_pool,
		.passfile = cfg->store_passfile };

	return store_open_full(config_store_url(cfg), &o, error);
}

/* store_engine - "sqlite" or "postgresql" */
const char *
store_engine(Store *store)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store->drv->name;
}

/* store_durability - what the connection promises, for the logs */
char *
store_durability(Store *store)
{
	g_autoptr(DbConn) db = NULL;

	g_return_val_if_fail(store != NULL, NULL);
	db = store_acquire(store, NULL);
	if (db == NULL)
		return g_strdup("unknown (no connection)");
	return db->drv->describe(db);
}

/* pool_close - close the idle connections of pool */
static void
pool_close(StorePool *pool)
{
	if (pool->idle != NULL) {
		for (guint i = 0; i < pool->idle->len; i++) {
			DbConn *db = g_ptr_array_index(pool->idle, i);

			db->drv->close(db);
		}
		g_ptr_array_unref(pool->idle);
	}
	g_cond_clear(&pool->freed);
}

/* store_close - close every connection; accepts NULL. No connection
 * may be lent out. */
void
store_close(Store *store)
{
	if (store == NULL)
		return;
	pool_close(&store->ro); /* readers first: the writer checkpoints */
	pool_close(&store->rw);
	g_cond_clear(&store->group.done);
	g_mutex_clear(&store->group.lock);
	g_mutex_clear(&store->lock);
	g_free(store->target);
	g_free(store->passfile);
	g_free(store->forget_salt);
	g_free(store);
}

/* member_new - an empty Member */
Member *
member_new(void)
{
	Member *m = g_new0(Member, 1);

	m->confirm = -1;
	m->digest_hour = -1;
	return m;
}

/* member_free - release a Member; accepts NULL */
void
member_free(Member *m)
{
	if (m == NULL)
		return;
	g_free(m->address);
	g_free(m->name);
	g_free(m->handle);
	g_free(m->capabilities);
	g_free(m->consent);
	g_free(m->digest_day);
	g_free(m->tz);
	g_free(m->unsub_token);
	g_free(m);
}

/* share_new - an empty Share */
Share *
share_new(void)
{
	return g_new0(Share, 1);
}

/* share_free - release a Share; accepts NULL */
void
share_free(Share *s)
{
	if (s == NULL)
		return;
	g_free(s->sharer);
	g_free(s->recipient);
	g_free(s->recipient_name);
	g_free(s->requester);
	g_free(s->requester_name);
	g_free(s->subject);
	g_free(s->note);
	g_free(s->origin_key);
	g_free(s->status);
	g_free(s->queue_id);
	g_free(s->member_name);
	g_free(s->requester_org);
	g_free(s->request_text);
	g_free(s->passed_by);
	g_free(s->origin_message_id);
	g_free(s->mode);
	g_free(s->token);
	g_free(s->answer);
	g_free(s->reason);
	if (s->credited != NULL)
		g_ptr_array_unref(s->credited);
	g_free(s);
}

/* outbox_item_new - an empty OutboxItem with an empty recipient list */
OutboxItem *
outbox_item_new(void)
{
	OutboxItem *item = g_new0(OutboxItem, 1);

	item->rcpts = g_ptr_array_new_with_free_func(g_free);
	item->states =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_free);
	return item;
}

/* outbox_item_free - release an OutboxItem; accepts NULL */
void
outbox_item_free(OutboxItem *item)
{
	if (item == NULL)
		return;
	g_free(item->kind);
	g_free(item->mail_from);
	if (item->rcpts != NULL)
		g_ptr_array_unref(item->rcpts);
	g_free(item->subject);
	if (item->message != NULL)
		g_bytes_unref(item->message);
	g_free(item->status);
	g_free(item->last_error);
	if (item->states != NULL)
		g_ptr_array_unref(item->states);
	g_free(item->member);
	g_free(item->template);
	g_free(item);
}

/* store_stats_free - release StoreStats; accepts NULL */
void
store_stats_free(StoreStats *stats)
{
	if (stats == NULL)
		return;
	if (stats->shares_by_status != NULL)
		g_hash_table_unref(stats->shares_by_status);
	if (stats->outbox_by_status != NULL)
		g_hash_table_unref(stats->outbox_by_status);
	if (stats->outbox_by_kind_status != NULL)
		g_hash_table_unref(stats->outbox_by_kind_status);
	if (stats->failed_rcpts_by_kind != NULL)
		g_hash_table_unref(stats->failed_rcpts_by_kind);
	if (stats->deferred_rcpts_by_kind != NULL)
		g_hash_table_unref(stats->deferred_rcpts_by_kind);
	g_free(stats);
}
