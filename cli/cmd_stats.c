/*
 * cmd_stats.c - passalong stats: members, shares and outbox by status
 *
 * Every status the program knows is listed, with 0 when there is none,
 * so that a monitoring script can rely on the keys; a status found in
 * the database that this version does not know is listed as well.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *const share_states[] = { "queued", "introduced", "failed",
	NULL };
static const char *const outbox_states[] = { "queued", "sending", "sent",
	"failed", NULL };

/* states - known states first, then any others found, sorted */
static GPtrArray *
states(const char *const *known, GHashTable *counts)
{
	GPtrArray *all = g_ptr_array_new();
	g_autoptr(GList) keys = g_hash_table_get_keys(counts);

	for (guint i = 0; known[i] != NULL; i++)
		g_ptr_array_add(all, (gpointer)known[i]);
	keys = g_list_sort(keys, (GCompareFunc)strcmp);
	for (GList *k = keys; k != NULL; k = k->next)
		if (!g_strv_contains(known, k->data))
			g_ptr_array_add(all, k->data);
	return all;
}

/* json_counts - "name": {"state": n, ...} */
static void
json_counts(JsonBuilder *b, const char *name, const char *const *known,
    GHashTable *counts)
{
	g_autoptr(GPtrArray) all = states(known, counts);

	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	for (guint i = 0; i < all->len; i++) {
		const char *state = g_ptr_array_index(all, i);

		cli_json_int(b, state,
		    GPOINTER_TO_INT(g_hash_table_lookup(counts, state)));
	}
	json_builder_end_object(b);
}

/* table_counts - one row per state */
static void
table_counts(
    CliTable *t, const char *what, const char *const *known, GHashTable *counts)
{
	g_autoptr(GPtrArray) all = states(known, counts);

	for (guint i = 0; i < all->len; i++) {
		const char *state = g_ptr_array_index(all, i);
		g_autofree char *n = g_strdup_printf(
		    "%d", GPOINTER_TO_INT(g_hash_table_lookup(counts, state)));

		cli_table_add(t, what, state, n);
	}
}

/* print - the counts as JSON or as a table */
static void
print(const StoreStats *st, gboolean json)
{
	if (json) {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		cli_json_int(b, "members", st->members);
		json_counts(b, "shares", share_states, st->shares_by_status);
		json_counts(b, "outbox", outbox_states, st->outbox_by_status);
		json_builder_end_object(b);
		cli_json_print(b);
	} else {
		g_autoptr(CliTable) t =
		    cli_table_new(3, "WHAT", "STATUS", "COUNT");
		g_autofree char *n =
		    g_strdup_printf("%" G_GINT64_FORMAT, st->members);

		cli_table_add(t, "members", "", n);
		table_counts(t, "shares", share_states, st->shares_by_status);
		table_counts(t, "outbox", outbox_states, st->outbox_by_status);
		cli_table_print(t);
	}
}

/* cmd_stats - passalong stats [--json] */
int
cmd_stats(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(StoreStats) st = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	int rc;

	if (!cli_options("stats", NULL,
		"Count members, shares by status and outgoing mail by status.",
		entries, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("stats", argc, argv)) != 0 ||
	    (rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	st = store_stats(store, &error);
	if (st == NULL) {
		cli_error("stats: %s", error->message);
		return CLI_EX_FAILED;
	}
	print(st, json);
	return 0;
}
