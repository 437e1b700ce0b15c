/*
 * store_member.c - members: add, look up by address or handle, list
 *
 * Addresses are stored as addr_normalize() makes them (domain in lower
 * case, local part as given) and handles in lower case. The address
 * column compares without ASCII case (COLLATE NOCASE): RFC 5321 lets a
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

#define MEMBER_COLUMNS "id, address, name, handle, capabilities, created_at"

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

/* member_from_row - a Member from a row of MEMBER_COLUMNS */
static gpointer
member_from_row(sqlite3_stmt *st)
{
	Member *m = member_new();

	m->id = sqlite3_column_int64(st, 0);
	m->address = column_text(st, 1);
	m->name = column_text(st, 2);
	m->handle = column_text(st, 3);
	m->capabilities = column_text(st, 4);
	m->created_at = sqlite3_column_int64(st, 5);
	return m;
}

/* constraint_error - say which of address or handle is taken */
static void
constraint_error(
    Store *store, const char *address, const char *handle, GError **error)
{
	const char *msg = sqlite3_errmsg(store->db);

	if (strstr(msg, "members.handle") != NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT,
		    "the handle \"%s\" is already taken (%s)", handle, msg);
	else if (strstr(msg, "members.address") != NULL)
		g_set_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT,
		    "%s is already a member (%s)", address, msg);
	else
		g_set_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT,
		    "adding member %s: %s", address, msg);
}

/* insert_member - the INSERT itself; the caller holds the lock */
static gboolean
insert_member(Store *store, const Member *m, const char *address,
    const char *handle, gint64 *id, GError **error)
{
	g_autoptr(StoreStmt) st = NULL;
	int rc;

	if (!stmt_prepare(store, &st,
		"INSERT INTO members (address, name, handle, capabilities,"
		" created_at) VALUES (?, ?, ?, ?, ?)",
		error))
		return FALSE;
	bind_text(st, 1, address);
	bind_text(st, 2, m->name);
	bind_text(st, 3, handle);
	bind_text(st, 4, m->capabilities);
	sqlite3_bind_int64(st, 5, m->created_at ? m->created_at : util_now());
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		constraint_error(store, address, handle, error);
		return FALSE;
	}
	if (rc != SQLITE_DONE) {
		store_set_error(store, rc, error, "adding a member");
		return FALSE;
	}
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(store->db);
	return TRUE;
}

/* store_member_add - insert a member; address and handle must be free */
gboolean
store_member_add(Store *store, const Member *m, gint64 *id, GError **error)
{
	g_autofree char *address = NULL;
	g_autofree char *handle = NULL;
	gboolean ok;

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
	g_mutex_lock(&store->lock);
	ok = insert_member(store, m, address, handle, id, error);
	g_mutex_unlock(&store->lock);
	return ok;
}

/* member_by - one member where column = value; NULL if none */
static Member *
member_by(Store *store, const char *sql, const char *value, GError **error)
{
	STORE_LOCK(store);
	g_autoptr(StoreStmt) st = NULL;
	Member *m = NULL;
	int rc;

	if (!stmt_prepare(store, &st, sql, error))
		goto out;
	bind_text(st, 1, value);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		m = member_from_row(st);
	else if (rc != SQLITE_DONE)
		store_set_error(store, rc, error, "looking up a member");
out:
	return m;
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
	return member_by(store,
	    "SELECT " MEMBER_COLUMNS " FROM members WHERE address = ?", norm,
	    error);
}

/* store_member_by_handle - the member with this handle, or NULL */
Member *
store_member_by_handle(Store *store, const char *handle, GError **error)
{
	g_autofree char *low = NULL;

	g_return_val_if_fail(store != NULL && handle != NULL, NULL);
	low = g_ascii_strdown(handle, -1);
	return member_by(store,
	    "SELECT " MEMBER_COLUMNS " FROM members WHERE handle = ?", low,
	    error);
}

/* store_member_list - every member, in the order they were added */
GPtrArray *
store_member_list(Store *store, GError **error)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store_list_rows(store,
	    "SELECT " MEMBER_COLUMNS " FROM members ORDER BY id",
	    member_from_row, (GDestroyNotify)member_free, "listing members",
	    error);
}
