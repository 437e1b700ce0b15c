/*
 * cmd_share.c - passalong share list|show
 *
 * "show" prints one share and its timeline: recorded, asked, reminded,
 * answered (accepted, declined) or expired, and every mail queued
 * because of it, with times and outbox ids.
 *
 * Shares are written by the milter; the operator reads them here. The
 * subject and addresses came from mail: the table cleans them, the JSON
 * encoder escapes them.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "common/util.h"

static const char usage[] = "Usage: passalong share list [--json]\n"
			    "       passalong share show ID [--json]\n"
			    "Options of every command: -c FILE, --help\n";

/* print_json - [{"id","sharer","recipient","requester","subject",...}];
 * "token" is the consent request's (what intro+TOKEN@ answers), or null */
static void
print_json(GPtrArray *shares)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < shares->len; i++) {
		const Share *s = g_ptr_array_index(shares, i);

		json_builder_begin_object(b);
		cli_json_int(b, "id", s->id);
		cli_json_string(b, "sharer", s->sharer);
		cli_json_string(b, "recipient", s->recipient);
		cli_json_string(b, "requester", s->requester);
		cli_json_string(b, "subject", s->subject);
		cli_json_string(b, "status", s->status);
		cli_json_time(b, "created_at", s->created_at);
		cli_json_string(b, "mode", s->mode);
		cli_json_string(b, "token", s->token);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	cli_json_print(b);
}

/* print_table - the shares as aligned columns */
static void
print_table(GPtrArray *shares)
{
	g_autoptr(CliTable) t = cli_table_new(7, "ID", "CREATED", "STATUS",
	    "SHARER", "RECIPIENT", "REQUESTER", "SUBJECT");

	if (shares->len == 0) {
		puts("no shares yet");
		return;
	}
	for (guint i = 0; i < shares->len; i++) {
		const Share *s = g_ptr_array_index(shares, i);
		g_autofree char *id =
		    g_strdup_printf("%" G_GINT64_FORMAT, s->id);
		g_autofree char *at = util_rfc3339_utc(s->created_at);

		cli_table_add(t, id, at, s->status, s->sharer, s->recipient,
		    s->requester, s->subject);
	}
	cli_table_print(t);
}

/* share_list - passalong share list [--json] */
static int
share_list(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) shares = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	int rc;

	if (!cli_options("share list", NULL, "List the shares, oldest first.",
		entries, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("share list", argc, argv)) != 0 ||
	    (rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	shares = store_share_list(store, &error);
	if (shares == NULL) {
		cli_error("share list: %s", error->message);
		return CLI_EX_FAILED;
	}
	if (json)
		print_json(shares);
	else
		print_table(shares);
	return 0;
}

/* One moment of a share's life. */
typedef struct {
	gint64 at;
	char *event;
	gint64 outbox_id; /* 0: none */
} Event;

static void
event_free(gpointer p)
{
	Event *e = p;

	g_free(e->event);
	g_free(e);
}

static void
add_event(GPtrArray *ev, gint64 at, const char *event, gint64 outbox_id)
{
	Event *e;

	if (at == 0)
		return;
	e = g_new0(Event, 1);
	e->at = at;
	e->event = g_strdup(event);
	e->outbox_id = outbox_id;
	g_ptr_array_add(ev, e);
}

static gint
by_time(gconstpointer a, gconstpointer b)
{
	const Event *x = *(Event *const *)a, *y = *(Event *const *)b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->outbox_id < y->outbox_id ? -1 : x->outbox_id > y->outbox_id;
}

/* timeline - the share's own moments, then its mail, in time order */
static GPtrArray *
timeline(const Share *s, GPtrArray *items)
{
	GPtrArray *ev = g_ptr_array_new_with_free_func(event_free);
	const char *end = g_strcmp0(s->answer, "yes") == 0  ? "accepted"
			  : g_strcmp0(s->answer, "no") == 0 ? "declined"
							    : "expired";

	add_event(ev, s->created_at, "recorded", 0);
	add_event(ev, s->asked_at, "asked", 0);
	add_event(ev, s->reminded_at, "reminded", 0);
	add_event(ev, s->answered_at, end, 0);
	for (guint i = 0; i < items->len; i++) {
		const OutboxItem *it = g_ptr_array_index(items, i);
		g_autofree char *what = NULL;

		if (it->share_id != s->id)
			continue;
		what = g_strdup_printf("%s %s",
		    it->template ? it->template : it->kind, it->status);
		add_event(ev, it->created_at, what, it->id);
	}
	g_ptr_array_sort(ev, by_time);
	return ev;
}

/* share_show - passalong share show ID [--json] */
static int
share_show(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GPtrArray) ev = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	guint64 id = 0;
	int rc;

	if (!cli_options("share show", "ID",
		"Print one share and its timeline.", entries, &argc, &argv,
		config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 2 || !g_ascii_string_to_unsigned(
			     argv[1], 10, 1, G_MAXINT64, &id, NULL)) {
		cli_error("share show: give one ID (a number from \"passalong "
			  "share list\")");
		return EX_USAGE;
	}
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	s = store_share_get(store, (gint64)id, &error);
	if (s == NULL) {
		cli_error(
		    "share show: %s", error ? error->message : "no such share");
		return CLI_EX_FAILED;
	}
	items = store_outbox_list(store, &error);
	if (items == NULL) {
		cli_error("share show: %s", error->message);
		return CLI_EX_FAILED;
	}
	ev = timeline(s, items);
	if (json) {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		cli_json_int(b, "id", s->id);
		cli_json_string(b, "sharer", s->sharer);
		cli_json_string(b, "recipient", s->recipient);
		cli_json_string(b, "requester", s->requester);
		cli_json_string(b, "subject", s->subject);
		cli_json_string(b, "status", s->status);
		cli_json_string(b, "mode", s->mode);
		cli_json_string(b, "answer", s->answer);
		cli_json_time(b, "created_at", s->created_at);
		/* members credited besides the sharer: their shares of this
		 * request to this friend were merged into it */
		json_builder_set_member_name(b, "credited");
		json_builder_begin_array(b);
		for (guint i = 0; s->credited != NULL && i < s->credited->len;
		     i++)
			json_builder_add_string_value(b, s->credited->pdata[i]);
		json_builder_end_array(b);
		json_builder_set_member_name(b, "events");
		json_builder_begin_array(b);
		for (guint i = 0; i < ev->len; i++) {
			const Event *e = g_ptr_array_index(ev, i);

			json_builder_begin_object(b);
			cli_json_time(b, "at", e->at);
			cli_json_string(b, "event", e->event);
			if (e->outbox_id != 0)
				cli_json_int(b, "outbox_id", e->outbox_id);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		cli_json_print(b);
		return 0;
	}
	printf("share %" G_GINT64_FORMAT ": %s -> %s for %s (%s, %s)\n", s->id,
	    s->sharer, s->recipient, s->requester, s->mode ? s->mode : "direct",
	    s->status);
	for (guint i = 0; s->credited != NULL && i < s->credited->len; i++)
		printf("  credited too: %s\n", (char *)s->credited->pdata[i]);
	for (guint i = 0; i < ev->len; i++) {
		const Event *e = g_ptr_array_index(ev, i);
		g_autofree char *at = util_rfc3339_utc(e->at);

		if (e->outbox_id != 0)
			printf("  %s  %s (outbox %" G_GINT64_FORMAT ")\n", at,
			    e->event, e->outbox_id);
		else
			printf("  %s  %s\n", at, e->event);
	}
	return 0;
}

/* cmd_share - passalong share list|show */
int
cmd_share(int argc, char **argv, const char *config_path)
{
	static const CliCommand commands[] = {
		{ "list", share_list },
		{ "show", share_show },
		{ NULL, NULL },
	};

	return cli_dispatch("share", commands, usage, argc, argv, config_path);
}
