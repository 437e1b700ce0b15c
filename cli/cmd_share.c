/*
 * cmd_share.c - passalong share list
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
			    "Options of every command: -c FILE, --help\n";

/* print_json - [{"id","sharer","recipient","requester","subject",...}] */
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

/* cmd_share - passalong share list */
int
cmd_share(int argc, char **argv, const char *config_path)
{
	static const CliCommand commands[] = {
		{ "list", share_list },
		{ NULL, NULL },
	};

	return cli_dispatch("share", commands, usage, argc, argv, config_path);
}
