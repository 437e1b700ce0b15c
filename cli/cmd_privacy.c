/*
 * cmd_privacy.c - passalong export ADDRESS [--json], passalong forget
 * ADDRESS [--yes]
 *
 * A person's data on request: export prints everything the store holds
 * about one address as one JSON document (the field names are in
 * passalong(1)); forget erases it by the rule of store/store_privacy.h
 * in one transaction and prints what it did, per table. Without --yes,
 * forget does the same work, rolls it back and prints what it would
 * do: nothing changes (the store has no other destructive command to
 * follow; "store copy" refuses a non-empty target instead).
 *
 * Trust: the address is the operator's; everything else printed came
 * from mail and goes through json-glib's encoder. Messages are printed
 * as text when they are valid UTF-8, as base64 otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store_privacy.h"

/* json_time - "name": RFC 3339, or null for 0 (never) */
static void
json_time(JsonBuilder *b, const char *name, gint64 t)
{
	if (t != 0) {
		cli_json_time(b, name, t);
		return;
	}
	json_builder_set_member_name(b, name);
	json_builder_add_null_value(b);
}

/* json_member - the members row */
static void
json_member(JsonBuilder *b, const Member *m)
{
	json_builder_set_member_name(b, "member");
	if (m == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	cli_json_int(b, "id", m->id);
	cli_json_string(b, "address", m->address);
	cli_json_string(b, "name", m->name);
	cli_json_string(b, "handle", m->handle);
	cli_json_string(b, "capabilities", m->capabilities);
	json_time(b, "created_at", m->created_at);
	cli_json_string(b, "consent", m->consent);
	json_builder_set_member_name(b, "confirm");
	if (m->confirm < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_boolean_value(b, m->confirm != 0);
	cli_json_string(b, "digest_day", m->digest_day);
	json_builder_set_member_name(b, "digest_hour");
	if (m->digest_hour < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, m->digest_hour);
	cli_json_string(b, "tz", m->tz);
	json_builder_set_member_name(b, "public_credit");
	json_builder_add_boolean_value(b, m->public_credit != 0);
	json_builder_end_object(b);
}

/* json_roles - "roles": what address is in share s */
static void
json_roles(JsonBuilder *b, const Share *s, const char *address)
{
	json_builder_set_member_name(b, "roles");
	json_builder_begin_array(b);
	if (g_ascii_strcasecmp(s->sharer, address) == 0)
		json_builder_add_string_value(b, "sharer");
	if (g_ascii_strcasecmp(s->recipient, address) == 0)
		json_builder_add_string_value(b, "friend");
	if (g_ascii_strcasecmp(s->requester, address) == 0)
		json_builder_add_string_value(b, "requester");
	json_builder_end_array(b);
}

/* json_share - one share, every column */
static void
json_share(JsonBuilder *b, const Share *s, const char *address)
{
	json_builder_begin_object(b);
	cli_json_int(b, "id", s->id);
	json_roles(b, s, address);
	cli_json_string(b, "sharer", s->sharer);
	cli_json_string(b, "member_name", s->member_name);
	cli_json_string(b, "recipient", s->recipient);
	cli_json_string(b, "recipient_name", s->recipient_name);
	cli_json_string(b, "requester", s->requester);
	cli_json_string(b, "requester_name", s->requester_name);
	cli_json_string(b, "requester_org", s->requester_org);
	cli_json_string(b, "subject", s->subject);
	cli_json_string(b, "note", s->note);
	cli_json_string(b, "request_text", s->request_text);
	json_time(b, "request_date", s->request_date);
	cli_json_string(b, "passed_by", s->passed_by);
	cli_json_string(b, "origin_key", s->origin_key);
	cli_json_string(b, "origin_message_id", s->origin_message_id);
	cli_json_string(b, "status", s->status);
	cli_json_string(b, "queue_id", s->queue_id);
	json_time(b, "created_at", s->created_at);
	/* consent */
	cli_json_string(b, "mode", s->mode);
	cli_json_string(b, "token", s->token);
	json_time(b, "asked_at", s->asked_at);
	json_time(b, "reminded_at", s->reminded_at);
	json_time(b, "answered_at", s->answered_at);
	json_time(b, "expires_at", s->expires_at);
	cli_json_string(b, "answer", s->answer);
	cli_json_string(b, "reason", s->reason);
	cli_json_int(b, "replies", s->replies);
	json_builder_end_object(b);
}

/* json_message - "message_encoding" and "message": text or base64 */
static void
json_message(JsonBuilder *b, GBytes *message)
{
	gsize n = 0;
	const char *data =
	    message != NULL ? g_bytes_get_data(message, &n) : NULL;

	if (data == NULL || n == 0) {
		cli_json_string(b, "message_encoding", "text");
		cli_json_string(b, "message", "");
	} else if (g_utf8_validate_len(data, n, NULL) &&
		   memchr(data, '\0', n) == NULL) {
		g_autofree char *text = g_strndup(data, n);

		cli_json_string(b, "message_encoding", "text");
		cli_json_string(b, "message", text);
	} else {
		g_autofree char *b64 = g_base64_encode((const guchar *)data, n);

		cli_json_string(b, "message_encoding", "base64");
		cli_json_string(b, "message", b64);
	}
}

/* json_item - one outbox row with its recipients and message */
static void
json_item(JsonBuilder *b, const OutboxItem *o)
{
	json_builder_begin_object(b);
	cli_json_int(b, "id", o->id);
	json_builder_set_member_name(b, "share_id");
	if (o->share_id == 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, o->share_id);
	cli_json_string(b, "kind", o->kind);
	cli_json_string(b, "mail_from", o->mail_from);
	json_builder_set_member_name(b, "to");
	json_builder_begin_array(b);
	for (guint i = 0; i < o->rcpts->len; i++)
		cli_json_string(b, NULL, o->rcpts->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "recipients");
	json_builder_begin_array(b);
	for (guint i = 0; o->states != NULL && i < o->states->len; i++) {
		const OutboxRcpt *r = o->states->pdata[i];

		json_builder_begin_object(b);
		cli_json_string(b, "address", r->address);
		cli_json_string(b, "status", r->status);
		cli_json_int(b, "code", r->code);
		cli_json_string(b, "text", r->text);
		cli_json_int(b, "attempts", r->attempts);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	cli_json_string(b, "subject", o->subject);
	cli_json_string(b, "status", o->status);
	cli_json_int(b, "attempts", o->attempts);
	cli_json_string(b, "last_error", o->last_error);
	json_time(b, "created_at", o->created_at);
	json_time(b, "next_attempt_at", o->next_attempt_at);
	cli_json_string(b, "template", o->template);
	json_message(b, o->message);
	json_builder_end_object(b);
}

/* print_person - the whole document */
static void
print_person(const StorePerson *p)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	cli_json_string(b, "address", p->address);
	json_member(b, p->member);
	json_builder_set_member_name(b, "shares");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->shares->len; i++)
		json_share(b, p->shares->pdata[i], p->address);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "outbox");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->outbox->len; i++)
		json_item(b, p->outbox->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "suppression");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->suppression->len; i++) {
		const StoreSuppression *s = p->suppression->pdata[i];

		json_builder_begin_object(b);
		cli_json_string(b, "address", s->address);
		cli_json_int(b, "code", s->code);
		cli_json_string(b, "reason", s->reason);
		json_time(b, "created_at", s->created_at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "digests");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->digests->len; i++) {
		const StoreDigestRecord *d = p->digests->pdata[i];

		json_builder_begin_object(b);
		cli_json_string(b, "week", d->week);
		json_builder_set_member_name(b, "outbox_id");
		if (d->outbox_id == 0)
			json_builder_add_null_value(b);
		else
			json_builder_add_int_value(b, d->outbox_id);
		json_time(b, "created_at", d->created_at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "forgotten");
	json_builder_add_boolean_value(b, p->forgotten);
	json_builder_end_object(b);
	cli_json_print(b);
}

/* one_address - the one argument left after the options, or NULL */
static const char *
one_address(const char *command, int argc, char **argv)
{
	if (argc < 2) {
		cli_error("%s: which ADDRESS?", command);
		return NULL;
	}
	if (argc > 2) {
		cli_error("%s: unexpected argument \"%s\"", command, argv[2]);
		return NULL;
	}
	return argv[1];
}

/* cmd_export - passalong export ADDRESS [--json] */
int
cmd_export(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(StorePerson) p = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		    "Print JSON (the only format)", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	const char *address;
	int rc;

	if (!cli_options("export", "ADDRESS",
		"Print everything held about one person, as JSON.", entries,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((address = one_address("export", argc, argv)) == NULL)
		return EX_USAGE;
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	if ((p = store_person_export(store, address, &error)) == NULL) {
		cli_error("export: %s", error->message);
		return g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID)
			   ? EX_USAGE
			   : CLI_EX_FAILED;
	}
	print_person(p);
	return 0;
}

/* print_forget - what forget did (or would do), one line per table */
static void
print_forget(const StoreForget *f, gboolean apply, gboolean sqlite)
{
	const char *v = apply ? "" : "would be ";

	printf(
	    "members: %" G_GINT64_FORMAT " %sdeleted\n", f->members_deleted, v);
	printf("digests: %" G_GINT64_FORMAT " %sdeleted (weeks served)\n",
	    f->digests_deleted, v);
	printf("shares: %" G_GINT64_FORMAT
	       " %sdeleted (made by them), %" G_GINT64_FORMAT
	       " %sblanked (another member's)\n",
	    f->shares_deleted, v, f->shares_blanked, v);
	printf("outbox: %" G_GINT64_FORMAT " %sdeleted, %" G_GINT64_FORMAT
	       " %semptied\n",
	    f->outbox_deleted, v, f->outbox_emptied, v);
	printf("outbox_rcpts: %" G_GINT64_FORMAT " %sdeleted, %" G_GINT64_FORMAT
	       " %sreplaced by " STORE_FORGOTTEN_ADDRESS "\n",
	    f->rcpts_deleted, v, f->rcpts_replaced, v);
	printf("suppression: %" G_GINT64_FORMAT " %sdeleted, %" G_GINT64_FORMAT
	       " salted hash %sadded\n",
	    f->suppression_deleted, v, f->suppression_hashed, v);
	printf("share_credits: %" G_GINT64_FORMAT " %sdeleted\n",
	    f->credits_deleted, v);
	if (!apply)
		puts("nothing was changed: run again with --yes to forget");
	else if (f->compacted)
		puts("the database file was rewritten (VACUUM) and its WAL "
		     "truncated");
	else if (sqlite)
		puts("warning: the database file could not be rewritten now "
		     "(another process is reading it): run forget again "
		     "when the milter is idle");
	else
		puts("PostgreSQL keeps dead row versions until it vacuums: "
		     "see passalong(1), FORGET");
}

/* cmd_forget - passalong forget ADDRESS [--yes] */
int
cmd_forget(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	gboolean yes = FALSE;
	const GOptionEntry entries[] = {
		{ "yes", 0, 0, G_OPTION_ARG_NONE, &yes,
		    "Erase; without it, only say what would be erased", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	StoreForget f = { 0 };
	const char *address;
	int rc;

	if (!cli_options("forget", "ADDRESS",
		"Erase one person (members, shares, outbox, suppression) in "
		"one transaction.",
		entries, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((address = one_address("forget", argc, argv)) == NULL)
		return EX_USAGE;
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	if (!store_person_forget(store, address, yes, &f, &error)) {
		cli_error("forget: %s%s", error->message,
		    yes ? "; nothing was changed" : "");
		return g_error_matches(error, STORE_ERROR, STORE_ERROR_INVALID)
			   ? EX_USAGE
			   : CLI_EX_FAILED;
	}
	print_forget(&f, yes, strcmp(store_engine(store), "sqlite") == 0);
	return 0;
}
