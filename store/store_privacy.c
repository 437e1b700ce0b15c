/*
 * store_privacy.c - a person's data: export everything, forget it
 *
 * The rule forget follows, and what export shows, are in
 * store_privacy.h. Export and forget find the person's rows the same
 * way (gather()), so that export shows what forget erases.
 *
 * Forget is ONE write transaction; with apply FALSE it is rolled back
 * and only its counts are kept ("passalong forget" without --yes). On
 * SQLite it runs with secure_delete on (freed bytes are zeroed) and,
 * after the commit, rewrites the file (VACUUM) and checkpoints the WAL
 * with TRUNCATE, so that neither the file nor its -wal keeps a deleted
 * byte; those are not part of the transaction (VACUUM cannot be), and
 * their failure is reported, not undone.
 *
 * The suppression list keeps "forgotten:" and the HMAC-SHA256 of the
 * lower-cased address, keyed with a random salt kept in the settings
 * table (schema 5), made by the first forget: a leaked database does
 * not list the forgotten addresses, yet store_suppression_has() can
 * still refuse them (privacy_suppressed()).
 *
 * Trust: the address comes from the operator's command line; every
 * value is bound. Nothing here logs the address.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "common/addr.h"
#include "common/util.h"
#include "store/store_int.h"
#include "store/store_privacy.h"

#define SALT_NAME "forget_salt"
#define SALT_BYTES 32
#define NAME_MIN_CHARS 4 /* shorter names are not searched for */

/* store_person_free - free a StorePerson; NULL is fine */
void
store_person_free(StorePerson *p)
{
	if (p == NULL)
		return;
	g_free(p->address);
	member_free(p->member);
	g_clear_pointer(&p->shares, g_ptr_array_unref);
	g_clear_pointer(&p->outbox, g_ptr_array_unref);
	g_clear_pointer(&p->suppression, g_ptr_array_unref);
	g_clear_pointer(&p->digests, g_ptr_array_unref);
	g_free(p);
}

/* suppression_free - free a StoreSuppression */
static void
suppression_free(StoreSuppression *s)
{
	if (s == NULL)
		return;
	g_free(s->address);
	g_free(s->reason);
	g_free(s);
}

/* salt_get - the forget salt, made (and written) when create is TRUE
 * and there is none yet; NULL in *salt when there is none */
static gboolean
salt_get(DbConn *db, gboolean create, char **salt, GError **error)
{
	g_autoptr(DbStmt) st = NULL;
	DbStep rc;

	*salt = NULL;
	for (int round = 0; round < 2; round++) {
		if ((st = db_prepare(db, SQL_SETTING_GET, error)) == NULL)
			return FALSE;
		db_bind_text(st, 1, SALT_NAME);
		rc = db_step(st, "reading the forget salt", error);
		if (rc == DB_ROW)
			*salt = db_column_text(st, 0);
		g_clear_pointer(&st, db_stmt_release);
		if (rc == DB_FAIL)
			return FALSE;
		if (*salt != NULL || !create || round == 1)
			return TRUE;
		{
			guchar raw[SALT_BYTES];
			g_autofree char *hex = NULL;
			g_autoptr(DbStmt) add = NULL;

			if (getrandom(raw, sizeof raw, 0) !=
			    (ssize_t)sizeof raw) {
				g_set_error(error, STORE_ERROR,
				    STORE_ERROR_FAILED,
				    "making the forget salt: %s",
				    g_strerror(errno));
				return FALSE;
			}
			hex = g_compute_checksum_for_data(
			    G_CHECKSUM_SHA256, raw, sizeof raw);
			if ((add = db_prepare(db, SQL_SETTING_ADD, error)) ==
			    NULL)
				return FALSE;
			db_bind_text(add, 1, SALT_NAME);
			db_bind_text(add, 2, hex);
			/* another host may have added one first: read it */
			if (!db_done(add, "writing the forget salt", error))
				return FALSE;
		}
	}
	return TRUE;
}

/* hash_of - "forgotten:" and the salted hash of a normalised address */
static char *
hash_of(const char *salt, const char *address)
{
	g_autofree char *key = g_ascii_strdown(address, -1);
	g_autofree char *mac = g_compute_hmac_for_string(
	    G_CHECKSUM_SHA256, (const guchar *)salt, strlen(salt), key, -1);

	return g_strconcat("forgotten:", mac, NULL);
}

/* suppression_rows - the rows of address and of hash (or NULL) */
static gboolean
suppression_rows(DbConn *db, const char *address, const char *hash,
    GPtrArray *out, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_PRIVACY_SUPPRESSION, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, address);
	db_bind_text(st, 2, hash);
	while ((rc = db_step(st, "reading the suppression list", error)) ==
	       DB_ROW) {
		StoreSuppression *s = g_new0(StoreSuppression, 1);

		s->address = db_column_text(st, 0);
		s->code = (int)db_column_int64(st, 1);
		s->reason = db_column_text(st, 2);
		s->outbox_id = db_column_int64(st, 3);
		s->created_at = db_column_int64(st, 4);
		if (out != NULL)
			g_ptr_array_add(out, s);
		else
			suppression_free(s);
	}
	return rc == DB_DONE;
}

/* salt_cached - the forget salt: the Store's copy once one was read,
 * else read now (a first forget, here or on another host, may have
 * written it since: an absent salt is never cached) and kept; NULL in
 * *salt when there is none. Read outside any transaction, so what is
 * kept was committed */
static gboolean
salt_cached(Store *store, DbConn *db, char **salt, GError **error)
{
	g_mutex_lock(&store->lock);
	*salt = g_strdup(store->forget_salt);
	g_mutex_unlock(&store->lock);
	if (*salt != NULL)
		return TRUE;
	if (!salt_get(db, FALSE, salt, error))
		return FALSE;
	if (*salt != NULL) {
		g_mutex_lock(&store->lock);
		if (store->forget_salt == NULL)
			store->forget_salt = g_strdup(*salt);
		g_mutex_unlock(&store->lock);
	}
	return TRUE;
}

/* privacy_suppressed - whether address is suppressed, plainly or by its
 * salted hash: one query (both at once) when the salt is known, the
 * plain one alone while nobody was ever forgotten */
gboolean
privacy_suppressed(Store *store, DbConn *db, const char *address, gboolean *has,
    GError **error)
{
	g_autofree char *salt = NULL;
	g_autofree char *hash = NULL;
	g_autoptr(DbStmt) st = NULL;
	DbStep rc;

	*has = FALSE;
	if (!salt_cached(store, db, &salt, error))
		return FALSE;
	if (salt != NULL)
		hash = hash_of(salt, address);
	st = db_prepare(db,
	    hash != NULL ? SQL_PRIVACY_SUPPRESSION : SQL_SUPPRESSION_HAS,
	    error);
	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, address);
	if (hash != NULL)
		db_bind_text(st, 2, hash);
	rc = db_step(st, "reading the suppression list", error);
	*has = rc == DB_ROW;
	return rc != DB_FAIL;
}

/* member_read - the member with this address, or NULL in *m */
static gboolean
member_read(DbConn *db, const char *address, Member **m, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_MEMBER_BY_ADDRESS, error);
	DbStep rc;

	*m = NULL;
	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, address);
	rc = db_step(st, "reading a member", error);
	if (rc == DB_ROW) {
		Member *x = member_new();

		x->id = db_column_int64(st, 0);
		x->address = db_column_text(st, 1);
		x->name = db_column_text(st, 2);
		x->handle = db_column_text(st, 3);
		x->capabilities = db_column_text(st, 4);
		x->created_at = db_column_int64(st, 5);
		x->consent = db_column_text(st, 6);
		x->confirm =
		    db_column_null(st, 7) ? -1 : (int)db_column_int64(st, 7);
		x->digest_day = db_column_text(st, 8);
		x->digest_hour =
		    db_column_null(st, 9) ? -1 : (int)db_column_int64(st, 9);
		x->tz = db_column_text(st, 10);
		x->public_credit = (int)db_column_int64(st, 11);
		*m = x;
	}
	return rc != DB_FAIL;
}

/* ids_by - add the ids a statement with one text parameter returns */
static gboolean
ids_by(
    DbConn *db, StoreSql sql, const char *text, GHashTable *ids, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, sql, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, text);
	while ((rc = db_step(st, "finding a person's mail", error)) == DB_ROW) {
		gint64 id = db_column_int64(st, 0);

		g_hash_table_add(ids, g_memdup2(&id, sizeof id));
	}
	return rc == DB_DONE;
}

/* add_name - a name to search messages for, once, when long enough */
static void
add_name(GPtrArray *names, const char *name)
{
	if (name == NULL || !g_utf8_validate(name, -1, NULL) ||
	    g_utf8_strlen(name, -1) < NAME_MIN_CHARS)
		return;
	for (guint i = 0; i < names->len; i++)
		if (g_ascii_strcasecmp(names->pdata[i], name) == 0)
			return;
	g_ptr_array_add(names, g_strdup(name));
}

/* id_cmp - gint64 ids in order */
static gint
id_cmp(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* gather - the member, the shares and the ids of the outbox rows of
 * address, in the transaction db holds */
static gboolean
gather(DbConn *db, StorePerson *p, GArray *ids, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) set =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	g_autoptr(DbStmt) st = NULL;
	GHashTableIter it;
	gpointer key;
	DbStep rc;

	if (!member_read(db, p->address, &p->member, error))
		return FALSE;
	if (p->member != NULL)
		add_name(names, p->member->name);
	if ((st = db_prepare(db, SQL_PRIVACY_SHARES, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, p->address);
	while (
	    (rc = db_step(st, "reading a person's shares", error)) == DB_ROW) {
		Share *s = share_from_row(st);

		if (g_ascii_strcasecmp(s->sharer, p->address) == 0)
			add_name(names, s->member_name);
		if (g_ascii_strcasecmp(s->recipient, p->address) == 0)
			add_name(names, s->recipient_name);
		if (g_ascii_strcasecmp(s->requester, p->address) == 0)
			add_name(names, s->requester_name);
		g_ptr_array_add(p->shares, s);
	}
	if (rc != DB_DONE)
		return FALSE;
	g_clear_pointer(&st, db_stmt_release);
	if (!ids_by(db, SQL_PRIVACY_OUTBOX_CONCERNS, p->address, set, error) ||
	    !ids_by(db, SQL_PRIVACY_OUTBOX_MENTIONS, p->address, set, error))
		return FALSE;
	for (guint i = 0; i < names->len; i++)
		if (!ids_by(db, SQL_PRIVACY_OUTBOX_MENTIONS, names->pdata[i],
			set, error))
			return FALSE;
	g_hash_table_iter_init(&it, set);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_array_append_val(ids, *(gint64 *)key);
	g_array_sort(ids, id_cmp);
	return TRUE;
}

/* digest_record_free - a StoreDigestRecord; accepts NULL */
static void
digest_record_free(StoreDigestRecord *d)
{
	if (d == NULL)
		return;
	g_free(d->week);
	g_free(d);
}

/* digest_rows - the member's digests rows into p->digests */
static gboolean
digest_rows(DbConn *db, StorePerson *p, GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, SQL_PRIVACY_DIGESTS, error);
	DbStep rc;

	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, p->address);
	while (
	    (rc = db_step(st, "reading a person's digests", error)) == DB_ROW) {
		StoreDigestRecord *d = g_new0(StoreDigestRecord, 1);

		d->week = db_column_text(st, 1);
		d->outbox_id = db_column_int64(st, 2);
		d->created_at = db_column_int64(st, 3);
		g_ptr_array_add(p->digests, d);
	}
	return rc == DB_DONE;
}

/* person_new - an empty StorePerson for a normalised address */
static StorePerson *
person_new(const char *address)
{
	StorePerson *p = g_new0(StorePerson, 1);

	p->address = g_strdup(address);
	p->shares = g_ptr_array_new_with_free_func((GDestroyNotify)share_free);
	p->outbox =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	p->suppression =
	    g_ptr_array_new_with_free_func((GDestroyNotify)suppression_free);
	p->digests =
	    g_ptr_array_new_with_free_func((GDestroyNotify)digest_record_free);
	return p;
}

/* normalise - address as the store keeps it, or an INVALID error */
static char *
normalise(const char *address, GError **error)
{
	char *norm = addr_normalize(address);

	if (norm == NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "\"%s\" is not an address", address);
	return norm;
}

/* export_in - everything of p, in the read snapshot db holds */
static gboolean
export_in(DbConn *db, StorePerson *p, GError **error)
{
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autofree char *salt = NULL;
	g_autofree char *hash = NULL;

	if (!gather(db, p, ids, error))
		return FALSE;
	for (guint i = 0; i < ids->len; i++) {
		OutboxItem *item =
		    outbox_load(db, g_array_index(ids, gint64, i), TRUE, error);

		if (item == NULL) {
			if (error != NULL && *error != NULL)
				return FALSE;
			continue;
		}
		g_ptr_array_add(p->outbox, item);
	}
	if (!digest_rows(db, p, error) || !salt_get(db, FALSE, &salt, error))
		return FALSE;
	if (salt != NULL)
		hash = hash_of(salt, p->address);
	if (!suppression_rows(db, p->address, hash, p->suppression, error))
		return FALSE;
	for (guint i = 0; hash != NULL && i < p->suppression->len; i++) {
		StoreSuppression *s = p->suppression->pdata[i];

		if (strcmp(s->address, hash) == 0)
			p->forgotten = TRUE;
	}
	return TRUE;
}

/* store_person_export - everything held about address */
StorePerson *
store_person_export(Store *store, const char *address, GError **error)
{
	g_autoptr(StorePerson) p = NULL;
	g_autoptr(DbConn) db = NULL;
	g_autofree char *norm = NULL;
	gboolean ok;

	g_return_val_if_fail(store != NULL && address != NULL, NULL);
	if ((norm = normalise(address, error)) == NULL)
		return NULL;
	p = person_new(norm);
	if ((db = store_acquire(store, error)) == NULL ||
	    !db_begin_read(db, error))
		return NULL; /* NOLINT(clang-analyzer-unix.Malloc): g_autoptr frees p */
	ok = export_in(db, p, error);
	db_rollback(db); /* the snapshot ends */
	return ok ? g_steal_pointer(&p) : NULL;
}

/* changed - run a statement with the address (and maybe a number) and
 * add the rows it changed to *n */
static gboolean
changed(DbConn *db, StoreSql sql, const char *address, gint64 num, gint64 *n,
    GError **error)
{
	g_autoptr(DbStmt) st = db_prepare(db, sql, error);

	if (st == NULL)
		return FALSE;
	db_bind_text(st, 1, address);
	if (sql == SQL_PRIVACY_SHARES_BLANK ||
	    sql == SQL_PRIVACY_SUPPRESSION_HASH)
		db_bind_int64(st, 2, num);
	if (!db_done(st, "forgetting a person", error))
		return FALSE;
	*n += db_changes(st);
	return TRUE;
}

/* empty_rows - the message of each row in ids replaced, the rows and
 * their recipients not yet sent failed */
static gboolean
empty_rows(DbConn *db, GArray *ids, gint64 *n, GError **error)
{
	g_autoptr(GBytes) placeholder = g_bytes_new_static(
	    STORE_FORGOTTEN_MESSAGE, strlen(STORE_FORGOTTEN_MESSAGE));

	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		g_autoptr(DbStmt) st =
		    db_prepare(db, SQL_PRIVACY_OUTBOX_EMPTY, error);
		g_autoptr(DbStmt) rc = NULL;

		if (st == NULL)
			return FALSE;
		db_bind_int64(st, 1, id);
		db_bind_blob(st, 2, placeholder);
		if (!db_done(st, "emptying a message", error))
			return FALSE;
		if (db_changes(st) == 0)
			continue; /* a row of a share just deleted */
		(*n)++;
		if ((rc = db_prepare(db, SQL_PRIVACY_RCPTS_CLOSE, error)) ==
		    NULL)
			return FALSE;
		db_bind_int64(rc, 1, id);
		if (!db_done(rc, "closing a message's recipients", error))
			return FALSE;
	}
	return TRUE;
}

/* forget_in - the whole rule, in the write transaction db holds */
static gboolean
forget_in(DbConn *db, const char *address, StoreForget *f, GError **error)
{
	g_autoptr(StorePerson) p = person_new(address);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autofree char *salt = NULL;
	g_autofree char *hash = NULL;
	gint64 now = util_now();

	/* every row found before anything changes */
	if (!gather(db, p, ids, error))
		return FALSE; /* NOLINT(clang-analyzer-unix.Malloc): g_autoptr frees p */
	if (!changed(db, SQL_PRIVACY_RCPTS_DELETE, address, 0,
		&f->rcpts_deleted, error) ||
	    !changed(db, SQL_PRIVACY_OUTBOX_DELETE, address, 0,
		&f->outbox_deleted, error) ||
	    !changed(db, SQL_PRIVACY_SHARES_DELETE, address, 0,
		&f->shares_deleted, error) ||
	    !empty_rows(db, ids, &f->outbox_emptied, error) ||
	    !changed(db, SQL_PRIVACY_SHARES_BLANK, address, now,
		&f->shares_blanked, error) ||
	    !changed(db, SQL_PRIVACY_RCPTS_REPLACE, address, 0,
		&f->rcpts_replaced, error) ||
	    !changed(db, SQL_PRIVACY_CREDITS_DELETE, address, 0,
		&f->credits_deleted, error) ||
	    !changed(db, SQL_PRIVACY_DIGESTS_DELETE, address, 0,
		&f->digests_deleted, error) ||
	    !changed(db, SQL_PRIVACY_MEMBER_DELETE, address, 0,
		&f->members_deleted, error) ||
	    !changed(db, SQL_PRIVACY_SUPPRESSION_DELETE, address, 0,
		&f->suppression_deleted, error))
		return FALSE;
	if (!salt_get(db, TRUE, &salt, error))
		return FALSE;
	if (salt == NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "the forget salt was not written");
		return FALSE;
	}
	hash = hash_of(salt, address);
	return changed(db, SQL_PRIVACY_SUPPRESSION_HASH, hash, now,
	    &f->suppression_hashed, error);
}

/* compact - SQLite: rewrite the file and empty the WAL; whether both
 * completed (PostgreSQL: FALSE, nothing to do in the store) */
static gboolean
compact(Store *store, DbConn *db)
{
	g_autoptr(DbStmt) vac = NULL;
	g_autoptr(DbStmt) cp = NULL;
	gboolean ok;

	if (strcmp(store_engine(store), "sqlite") != 0)
		return FALSE;
	if ((vac = db_prepare(db, SQL_PRIVACY_VACUUM, NULL)) == NULL ||
	    !db_done(vac, "vacuuming", NULL))
		return FALSE;
	g_clear_pointer(&vac, db_stmt_release);
	if ((cp = db_prepare(db, SQL_PRIVACY_CHECKPOINT, NULL)) == NULL ||
	    db_step(cp, "checkpointing", NULL) != DB_ROW)
		return FALSE;
	ok = db_column_int64(cp, 0) == 0; /* not blocked by a reader */
	return db_done(cp, "checkpointing", NULL) && ok;
}

/* store_person_forget - erase address by the rule of store_privacy.h;
 * with apply FALSE, only count */
gboolean
store_person_forget(Store *store, const char *address, gboolean apply,
    StoreForget *out, GError **error)
{
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) sec = NULL;
	g_autofree char *norm = NULL;
	StoreForget f = { 0 };

	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	if ((norm = normalise(address, error)) == NULL ||
	    (db = store_acquire(store, error)) == NULL)
		return FALSE;
	/* SQLite: zero what is freed from now on (this connection) */
	if ((sec = db_prepare(db, SQL_PRIVACY_SECURE_DELETE, error)) == NULL ||
	    !db_done(sec, "turning on secure_delete", error))
		return FALSE;
	g_clear_pointer(&sec, db_stmt_release);
	if (!db_begin(db, error))
		return FALSE;
	if (!forget_in(db, norm, &f, error)) {
		db_rollback(db);
		return FALSE;
	}
	if (!apply) {
		db_rollback(db);
	} else {
		if (!db_commit(db, error))
			return FALSE;
		f.compacted = compact(store, db);
	}
	if (out != NULL)
		*out = f;
	return TRUE;
}
