/*
 * store_member.c - members: add, look up by address or handle, list
 *
 * Addresses are stored as addr_normalize() makes them (domain in lower
 * case, local part as given) and handles in lower case. The address
 * column compares without ASCII case (SQLite's COLLATE NOCASE,
 * PostgreSQL's unique index on lower(address)): RFC 5321 lets a
 * local part be case-sensitive, but no mail system people use makes
 * Jane@ and jane@ two people, and a member whose client writes her
 * address differently must not be told she is not a member. The
 * UNIQUE constraints on both columns are the only arbiter of "already
 * taken": no check-then-insert race.
 *
 * Trust: arguments may come from mail (the milter looks up the
 * envelope sender and the handle of a share address); they are bound,
 * never spliced into SQL.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/util.h"
#include "store/store_int.h"

/* store_handle_is_valid - a handle as share+HANDLE@ can carry it */
gboolean
store_handle_is_valid(const char *handle)
{
	if (handle == NULL || *handle == '\0' || strlen(handle) > 64)
		return FALSE;
	for (const char *p = handle; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) &&
		    strchr("._-", *p) == NULL)
			return FALSE;
	return TRUE;
}

/* member_from_row - a Member from a row of MEMBER_COLUMNS (the first
 * columns of the row: a statement may add its own after them) */
gpointer
member_from_row(DbStmt *st)
{
	Member *m = member_new();

	m->id = db_column_int64(st, 0);
	m->address = db_column_text(st, 1);
	m->name = db_column_text(st, 2);
	m->handle = db_column_text(st, 3);
	m->capabilities = db_column_text(st, 4);
	m->created_at = db_column_int64(st, 5);
	m->consent = db_column_text(st, 6);
	m->confirm = db_column_null(st, 7) ? -1 : (int)db_column_int64(st, 7);
	m->digest_day = db_column_text(st, 8);
	m->digest_hour =
	    db_column_null(st, 9) ? -1 : (int)db_column_int64(st, 9);
	m->tz = db_column_text(st, 10);
	m->public_credit = (int)db_column_int64(st, 11);
	m->unsub_token = db_column_text(st, 12);
	return m;
}

/* constraint_error - say which of address or handle is taken; the
 * engine's message names the column (SQLite) or the index (PostgreSQL) */
static void
constraint_error(
    GError **error, GError *err, const char *address, const char *handle)
{
	if (strstr(err->message, "handle") != NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT,
		    "the handle \"%s\" is already taken (%s)", handle,
		    err->message);
	else if (strstr(err->message, "address") != NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT,
		    "%s is already a member (%s)", address, err->message);
	else
		g_set_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT,
		    "adding member %s: %s", address, err->message);
}

/* insert_member - the INSERT itself */
static gboolean
insert_member(Store *store, const Member *m, const char *address,
    const char *handle, gint64 *id, GError **error)
{
	g_autoptr(DbConn) db = store_acquire(store, error);
	g_autoptr(DbStmt) st = NULL;
	g_autoptr(GError) err = NULL;

	if (db == NULL ||
	    (st = db_prepare(db, SQL_MEMBER_INSERT, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, address);
	db_bind_text(st, 2, m->name);
	db_bind_text(st, 3, handle);
	db_bind_text(st, 4, m->capabilities);
	db_bind_int64(st, 5, m->created_at ? m->created_at : util_now());
	if (db_step(st, "adding a member", &err) != DB_ROW) {
		if (g_error_matches(err, STORE_ERROR, STORE_ERROR_CONSTRAINT))
			constraint_error(error, err, address, handle);
		else if (err != NULL)
			g_propagate_error(error, g_steal_pointer(&err));
		else
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "adding a member: no id came back");
		return FALSE;
	}
	if (id != NULL)
		*id = db_column_int64(st, 0);
	return db_done(st, "adding a member", error);
}

/* store_member_add - insert a member; address and handle must be free */
gboolean
store_member_add(Store *store, const Member *m, gint64 *id, GError **error)
{
	g_autofree char *address = NULL;
	g_autofree char *handle = NULL;

	g_return_val_if_fail(store != NULL && m != NULL, FALSE);
	address = addr_normalize(m->address);
	if (address == NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
		    "\"%s\" is not a valid mail address",
		    m->address ? m->address : "");
		return FALSE;
	}
	if (m->handle != NULL) {
		handle = g_ascii_strdown(m->handle, -1);
		if (!store_handle_is_valid(handle)) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "handle \"%s\": use 1 to 64 of a-z 0-9 . _ -",
			    m->handle);
			return FALSE;
		}
	}
	return insert_member(store, m, address, handle, id, error);
}

/* member_by - one member by statement id and its one value; NULL if none */
static Member *
member_by(Store *store, StoreSql id, const char *value, GError **error)
{
	g_autoptr(DbConn) db = store_acquire_read(store, error);
	g_autoptr(DbStmt) st = NULL;

	if (db == NULL || (st = db_prepare(db, id, error)) == NULL)
		return NULL;
	db_bind_text(st, 1, value);
	if (db_step(st, "looking up a member", error) == DB_ROW)
		return member_from_row(st);
	return NULL;
}

/* store_member_by_address - the member with this address, or NULL */
Member *
store_member_by_address(Store *store, const char *address, GError **error)
{
	g_autofree char *norm = NULL;

	g_return_val_if_fail(store != NULL && address != NULL, NULL);
	norm = addr_normalize(address);
	if (norm == NULL)
		return NULL; /* not an address: nobody has it */
	return member_by(store, SQL_MEMBER_BY_ADDRESS, norm, error);
}

/* store_member_by_handle - the member with this handle, or NULL */
Member *
store_member_by_handle(Store *store, const char *handle, GError **error)
{
	g_autofree char *low = NULL;

	g_return_val_if_fail(store != NULL && handle != NULL, NULL);
	low = g_ascii_strdown(handle, -1);
	return member_by(store, SQL_MEMBER_BY_HANDLE, low, error);
}

/* store_member_list - every member, in the order they were added */
GPtrArray *
store_member_list(Store *store, GError **error)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store_list_rows(store, SQL_MEMBER_LIST, member_from_row,
	    (GDestroyNotify)member_free, "listing members", error);
}

/* store_member_unsub_token - the member's unsubscribe token, fresh
 * when there was none; one UPDATE fenced on "none yet" and one read, so
 * two racing callers agree on whichever token landed first */
gboolean
store_member_unsub_token(Store *store, const char *address, const char *fresh,
    char **token, GError **error)
{
	g_autofree char *norm = NULL;
	g_autoptr(Member) m = NULL;
	GError *err = NULL;

	g_return_val_if_fail(store != NULL && address != NULL, FALSE);
	g_return_val_if_fail(fresh != NULL && token != NULL, FALSE);
	*token = NULL;
	if ((norm = addr_normalize(address)) == NULL)
		return TRUE; /* not an address: nobody has it */
	{
		g_autoptr(DbConn) db = store_acquire(store, error);
		g_autoptr(DbStmt) st = NULL;

		if (db == NULL ||
		    (st = db_prepare(db, SQL_MEMBER_TOKEN_SET, error)) == NULL)
			return FALSE;
		db_bind_text(st, 1, norm);
		db_bind_text(st, 2, fresh);
		if (!db_done(st, "making an unsubscribe token", error))
			return FALSE;
	}
	if ((m = member_by(store, SQL_MEMBER_BY_ADDRESS, norm, &err)) == NULL) {
		if (err != NULL) {
			g_propagate_error(error, err);
			return FALSE;
		}
		return TRUE;
	}
	*token = g_strdup(m->unsub_token);
	return TRUE;
}

/* store_member_by_unsub_token - the member whose token this is, or NULL */
Member *
store_member_by_unsub_token(Store *store, const char *token, GError **error)
{
	g_return_val_if_fail(store != NULL && token != NULL, NULL);
	return member_by(store, SQL_MEMBER_BY_TOKEN, token, error);
}

/* store_member_unsubscribe - digests off for the token's member: one
 * UPDATE, so a second POST (or a scanner's) finds them off already */
gboolean
store_member_unsubscribe(Store *store, const char *token, gboolean *found,
    gboolean *changed, GError **error)
{
	g_autoptr(Member) m = NULL;
	g_autoptr(DbConn) db = NULL;
	g_autoptr(DbStmt) st = NULL;
	GError *err = NULL;

	g_return_val_if_fail(store != NULL && token != NULL, FALSE);
	g_return_val_if_fail(found != NULL && changed != NULL, FALSE);
	*found = *changed = FALSE;
	if ((db = store_acquire(store, error)) == NULL ||
	    (st = db_prepare(db, SQL_MEMBER_UNSUBSCRIBE, error)) == NULL)
		return FALSE;
	db_bind_text(st, 1, token);
	if (!db_done(st, "unsubscribing a member", error))
		return FALSE;
	*changed = db_changes(st) == 1;
	g_clear_pointer(&st, db_stmt_release);
	g_clear_pointer(&db, store_release);
	if (*changed) {
		*found = TRUE;
		return TRUE;
	}
	if ((m = store_member_by_unsub_token(store, token, &err)) == NULL &&
	    err != NULL) {
		g_propagate_error(error, err);
		return FALSE;
	}
	*found = m != NULL;
	return TRUE;
}
