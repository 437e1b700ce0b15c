/*
 * cmd_outbox.c - passalong outbox list|show|flush
 *
 * "show" prints the stored message byte for byte (it is what the relay
 * got, or will get); a row not sent yet whose mail is written at its
 * first send (a template, no message) is rendered fresh for the look; "flush" runs the sender once, exactly as the daemon's
 * worker would, for cron jobs, tests, and a daemon started with
 * [sender] enabled = false, and names each recipient refused for good.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "common/util.h"
#include "sender/sender.h"

static const char usage[] = "Usage: passalong outbox list [--json]\n"
			    "       passalong outbox show ID\n"
			    "       passalong outbox flush\n"
			    "Options of every command: -c FILE, --help\n";

/* print_json - [{"id","kind","to":[...],"subject","status",...}] */
static void
print_json(GPtrArray *items)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < items->len; i++) {
		const OutboxItem *it = g_ptr_array_index(items, i);

		json_builder_begin_object(b);
		cli_json_int(b, "id", it->id);
		cli_json_string(b, "kind", it->kind);
		json_builder_set_member_name(b, "to");
		json_builder_begin_array(b);
		for (guint r = 0; r < it->rcpts->len; r++)
			cli_json_string(
			    b, NULL, g_ptr_array_index(it->rcpts, r));
		json_builder_end_array(b);
		cli_json_string(b, "subject", it->subject);
		cli_json_string(b, "status", it->status);
		cli_json_int(b, "attempts", it->attempts);
		cli_json_time(b, "created_at", it->created_at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	cli_json_print(b);
}

/* add_row - one item as a table row */
static void
add_row(CliTable *t, const OutboxItem *it)
{
	g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, it->id);
	g_autofree char *tries = g_strdup_printf("%u", it->attempts);
	g_autofree char *at = util_rfc3339_utc(it->created_at);
	g_autoptr(GString) to = g_string_new(NULL);

	for (guint r = 0; r < it->rcpts->len; r++)
		g_string_append_printf(to, "%s%s", r ? ", " : "",
		    (const char *)g_ptr_array_index(it->rcpts, r));
	cli_table_add(t, id, at, it->kind, it->status, tries, to->str,
	    it->subject, it->last_error);
}

/* print_table - the outbox as aligned columns */
static void
print_table(GPtrArray *items)
{
	g_autoptr(CliTable) t = cli_table_new(8, "ID", "CREATED", "KIND",
	    "STATUS", "TRIES", "TO", "SUBJECT", "LAST ERROR");

	if (items->len == 0) {
		puts("the outbox is empty");
		return;
	}
	for (guint i = 0; i < items->len; i++)
		add_row(t, g_ptr_array_index(items, i));
	cli_table_print(t);
}

/* outbox_list - passalong outbox list [--json] */
static int
outbox_list(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) items = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	int rc;

	if (!cli_options("outbox list", NULL,
		"List outgoing mail, oldest first.", entries, &argc, &argv,
		config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("outbox list", argc, argv)) != 0 ||
	    (rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	items = store_outbox_list(store, &error);
	if (items == NULL) {
		cli_error("outbox list: %s", error->message);
		return CLI_EX_FAILED;
	}
	if (json)
		print_json(items);
	else
		print_table(items);
	return 0;
}

/* parse_id - a positive decimal id */
static gboolean
parse_id(const char *text, gint64 *id)
{
	guint64 v = 0;

	if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &v, NULL))
		return FALSE;
	*id = (gint64)v;
	return TRUE;
}

/* outbox_show - passalong outbox show ID */
static int
outbox_show(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OutboxItem) item = NULL;
	gsize len = 0;
	const char *data;
	gint64 id = 0;
	int rc;

	if (!cli_options("outbox show", "ID",
		"Print one outgoing message, exactly as it will be sent.", NULL,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 2 || !parse_id(argv[1], &id)) {
		cli_error("outbox show: give one ID (a number from \"passalong "
			  "outbox list\")");
		return EX_USAGE;
	}
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	item = store_outbox_get(store, id, &error);
	if (item == NULL) {
		if (error != NULL)
			cli_error("outbox show: %s", error->message);
		else
			cli_error("outbox show: no item %" G_GINT64_FORMAT, id);
		return CLI_EX_FAILED;
	}
	sender_init(); /* GMime, for a row rendered fresh */
	if (!sender_render(store, cfg, item, util_now(), FALSE, &error)) {
		cli_error("outbox show: item %" G_GINT64_FORMAT
			  " cannot be rendered: %s",
		    id, error->message);
		return CLI_EX_FAILED;
	}
	data = g_bytes_get_data(item->message, &len);
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		cli_error("outbox show: cannot write the message");
		return CLI_EX_FAILED;
	}
	return 0;
}

/* outbox_flush - passalong outbox flush */
static int
outbox_flush(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
	FlushStats stats = { .failures = failures };
	int rc;

	if (!cli_options("outbox flush", NULL,
		"Deliver the outgoing mail that is due now, through "
		"[sender] smtp_url.",
		NULL, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("outbox flush", argc, argv)) != 0 ||
	    (rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	sender_init();
	if (!sender_flush(store, cfg, &stats, &error)) {
		cli_error("outbox flush: %s", error->message);
		rc = CLI_EX_FAILED;
	}
	/* also after an error: some items may have gone out before it */
	printf("sent %u, retried %u, failed %u\n", stats.sent, stats.retried,
	    stats.failed);
	/* each recipient refused for good: "item ID: ADDRESS: REPLY" */
	for (guint i = 0; i < failures->len; i++)
		printf("not delivered: %s\n",
		    (const char *)g_ptr_array_index(failures, i));
	return rc;
}

/* cmd_outbox - passalong outbox list|show|flush */
int
cmd_outbox(int argc, char **argv, const char *config_path)
{
	static const CliCommand commands[] = {
		{ "list", outbox_list },
		{ "show", outbox_show },
		{ "flush", outbox_flush },
		{ NULL, NULL },
	};

	return cli_dispatch("outbox", commands, usage, argc, argv, config_path);
}
