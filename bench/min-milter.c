/*
 * min-milter.c - the least a share milter must do: parse, insert, consume
 *
 * The baseline for share mail (issue 4): it collects the message of a
 * share recipient, parses it with GMime (no forward finding, no
 * policy, no introduction), inserts one row into SQLite with the same
 * durability as passalong (WAL, synchronous=FULL, one connection,
 * writes serialised), deletes the share recipient and discards the
 * message. Ordinary mail is accepted at DATA, as passalong does.
 * Usage: min-milter -p SOCKET, with MIN_MILTER_DB naming the database
 * file (created).
 */
#include "config.h"

#include <gmime/gmime.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_milter.h"

static GMutex db_lock;
static sqlite3 *db;

typedef struct {
	char *rcpt;       /* the share recipient, or NULL */
	GByteArray *data; /* the message, while collected */
} Ctx;

/* ctx_reset - forget the message */
static void
ctx_reset(Ctx *c)
{
	g_clear_pointer(&c->rcpt, g_free);
	g_clear_pointer(&c->data, g_byte_array_unref);
}

/* ctx_get - the connection's context */
static Ctx *
ctx_get(SMFICTX *ctx)
{
	Ctx *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = g_new0(Ctx, 1);
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* mm_negotiate - MAIL, RCPT, DATA, header, body; no header replies */
static sfsistat
mm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_DELRCPT;
	*pf1 = f1 & (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOUNKNOWN |
			SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_HDR_LEADSPC);
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* mm_envfrom - a new message */
static sfsistat
mm_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	ctx_reset(ctx_get(ctx));
	return SMFIS_CONTINUE;
}

/* mm_envrcpt - remember a share recipient */
static sfsistat
mm_envrcpt(SMFICTX *ctx, char **argv)
{
	Ctx *c = ctx_get(ctx);

	if (c->rcpt == NULL && g_str_has_prefix(argv[0], "<share+")) {
		c->rcpt = g_strdup(argv[0]);
	}
	return SMFIS_CONTINUE;
}

/* mm_data - ordinary mail is not ours */
static sfsistat
mm_data(SMFICTX *ctx)
{
	Ctx *c = ctx_get(ctx);

	if (c->rcpt == NULL)
		return SMFIS_ACCEPT;
	c->data = g_byte_array_sized_new(32 * 1024);
	return SMFIS_CONTINUE;
}

/* mm_header - collect one header field */
static sfsistat
mm_header(SMFICTX *ctx, char *name, char *value)
{
	Ctx *c = ctx_get(ctx);

	g_byte_array_append(c->data, (guint8 *)name, strlen(name));
	g_byte_array_append(c->data, (guint8 *)":", 1);
	g_byte_array_append(c->data, (guint8 *)value, strlen(value));
	g_byte_array_append(c->data, (guint8 *)"\r\n", 2);
	return SMFIS_NOREPLY;
}

/* mm_eoh - the empty line */
static sfsistat
mm_eoh(SMFICTX *ctx)
{
	g_byte_array_append(ctx_get(ctx)->data, (guint8 *)"\r\n", 2);
	return SMFIS_NOREPLY;
}

/* mm_body - collect a body chunk */
static sfsistat
mm_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	g_byte_array_append(ctx_get(ctx)->data, chunk, (guint)len);
	return SMFIS_CONTINUE;
}

/* insert - one row for the share, in its own durable transaction */
static gboolean
insert(
    const char *rcpt, const char *from, const char *subject, const char *msgid)
{
	sqlite3_stmt *st = NULL;
	gboolean ok;

	g_mutex_lock(&db_lock);
	ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		 SQLITE_OK &&
	     sqlite3_prepare_v2(db,
		 "INSERT INTO shares (rcpt, sender, subject, message_id, "
		 "created_at) VALUES (?, ?, ?, ?, strftime('%s','now'))",
		 -1, &st, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, msgid, -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_DONE;
	}
	sqlite3_finalize(st);
	ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok) {
		fprintf(stderr, "min-milter: %s\n", sqlite3_errmsg(db));
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	g_mutex_unlock(&db_lock);
	return ok;
}

/* mm_eom - parse, insert, consume */
static sfsistat
mm_eom(SMFICTX *ctx)
{
	Ctx *c = ctx_get(ctx);
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	sfsistat rc = SMFIS_TEMPFAIL;

	if (c->rcpt == NULL || c->data == NULL)
		return SMFIS_ACCEPT;
	stream =
	    g_mime_stream_mem_new_with_byte_array(g_steal_pointer(&c->data));
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg != NULL) {
		InternetAddressList *from = g_mime_message_get_from(msg);
		g_autofree char *sender =
		    internet_address_list_to_string(from, NULL, FALSE);

		if (insert(c->rcpt, sender ? sender : "",
			g_mime_message_get_subject(msg) ?: "",
			g_mime_message_get_message_id(msg) ?: "") &&
		    smfi_delrcpt(ctx, c->rcpt) == MI_SUCCESS)
			rc = SMFIS_DISCARD;
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	ctx_reset(c);
	return rc;
}

/* mm_close - the connection ended */
static sfsistat
mm_close(SMFICTX *ctx)
{
	Ctx *c = smfi_getpriv(ctx);

	if (c != NULL) {
		ctx_reset(c);
		g_free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

/* mm_abort - the MTA gave up on the message */
static sfsistat
mm_abort(SMFICTX *ctx)
{
	Ctx *c = smfi_getpriv(ctx);

	if (c != NULL)
		ctx_reset(c);
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)"min-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_DELRCPT,
	.xxfi_envfrom = mm_envfrom,
	.xxfi_envrcpt = mm_envrcpt,
	.xxfi_header = mm_header,
	.xxfi_eoh = mm_eoh,
	.xxfi_body = mm_body,
	.xxfi_eom = mm_eom,
	.xxfi_abort = mm_abort,
	.xxfi_close = mm_close,
	.xxfi_data = mm_data,
	.xxfi_negotiate = mm_negotiate,
};

/* open_db - the database, as durable as passalong's */
static gboolean
open_db(const char *path)
{
	static const char sql[] =
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	    "CREATE TABLE IF NOT EXISTS shares (id INTEGER PRIMARY KEY, "
	    "rcpt TEXT NOT NULL, sender TEXT NOT NULL, subject TEXT, "
	    "message_id TEXT, created_at INTEGER NOT NULL)";

	if (sqlite3_open_v2(path, &db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "min-milter: %s: %s\n", path,
		    db ? sqlite3_errmsg(db) : "cannot open");
		return FALSE;
	}
	return TRUE;
}

int
main(int argc, char **argv)
{
	const char *path = getenv("MIN_MILTER_DB");
	int rc;

	if (path == NULL) {
		fprintf(stderr, "min-milter: set MIN_MILTER_DB\n");
		return 2;
	}
	g_mime_init();
	if (!open_db(path))
		return 1;
	rc = bench_milter_main(argc, argv, &desc);
	sqlite3_close(db);
	g_mime_shutdown();
	return rc;
}
