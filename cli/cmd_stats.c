/*
 * cmd_stats.c - passalong stats: members, shares and outbox by status
 *
 * Every status the program knows is listed, with 0 when there is none,
 * so that a monitoring script can rely on the keys; a status found in
 * the database that this version does not know is listed as well.
 *
 * --format prometheus writes the text exposition format for
 * node_exporter's textfile collector: the same counts, the outbox by
 * kind and status as well, recipients failed for good and deferred by
 * kind, items retrying, and the age of the oldest item still to send.
 * All are gauges: rows can go (an operator deletes, a person is
 * forgotten), so none is a counter.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *const share_states[] = { "queued", "introduced", "failed",
	NULL };
static const char *const outbox_states[] = { "queued", "sending", "sent",
	"failed", NULL };
static const char *const outbox_kinds[] = { "intro", "consent", "confirmation",
	"notice", "digest", "webhook", NULL };

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

/* prom_value - a label value escaped for the exposition format; NULL
 * writes nothing */
static void
prom_value(GString *out, const char *v)
{
	if (v == NULL)
		return;
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			g_string_append_c(out, '\\');
		if (*v == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *v);
	}
}

/* prom_head - a metric's HELP and TYPE lines */
static void
prom_head(GString *out, const char *name, const char *help)
{
	g_string_append_printf(
	    out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* prom_sample - NAME{LABEL="VALUE"[,LABEL2="VALUE2"]} N */
static void
prom_sample(GString *out, const char *name, const char *label,
    const char *value, const char *label2, const char *value2, gint64 n)
{
	g_string_append(out, name);
	if (label != NULL) {
		g_string_append_printf(out, "{%s=\"", label);
		prom_value(out, value);
		if (label2 != NULL) {
			g_string_append_printf(out, "\",%s=\"", label2);
			prom_value(out, value2);
		}
		g_string_append(out, "\"}");
	}
	g_string_append_printf(out, " %" G_GINT64_FORMAT "\n", n);
}

/* prom_by - one sample per known key (0 when absent), then the others */
static void
prom_by(GString *out, const char *name, const char *label,
    const char *const *known, GHashTable *counts)
{
	g_autoptr(GPtrArray) all = states(known, counts);

	for (guint i = 0; i < all->len; i++) {
		const char *key = g_ptr_array_index(all, i);

		prom_sample(out, name, label, key, NULL, NULL,
		    GPOINTER_TO_INT(g_hash_table_lookup(counts, key)));
	}
}

/* prom_outbox - passalong_outbox{kind,status}: every known pair, then
 * any other pair found ("kind/status" keys) */
static void
prom_outbox(GString *out, GHashTable *counts)
{
	g_autoptr(GList) keys = g_hash_table_get_keys(counts);

	for (guint k = 0; outbox_kinds[k] != NULL; k++)
		for (guint s = 0; outbox_states[s] != NULL; s++) {
			g_autofree char *key = g_strdup_printf(
			    "%s/%s", outbox_kinds[k], outbox_states[s]);

			prom_sample(out, "passalong_outbox", "kind",
			    outbox_kinds[k], "status", outbox_states[s],
			    GPOINTER_TO_INT(g_hash_table_lookup(counts, key)));
		}
	keys = g_list_sort(keys, (GCompareFunc)strcmp);
	for (GList *l = keys; l != NULL; l = l->next) {
		g_auto(GStrv) ks = g_strsplit(l->data, "/", 2);

		if (ks[0] == NULL || ks[1] == NULL ||
		    (g_strv_contains(outbox_kinds, ks[0]) &&
			g_strv_contains(outbox_states, ks[1])))
			continue;
		prom_sample(out, "passalong_outbox", "kind", ks[0], "status",
		    ks[1],
		    GPOINTER_TO_INT(g_hash_table_lookup(counts, l->data)));
	}
}

/* print_prometheus - the text exposition format, on stdout at once */
static void
print_prometheus(const StoreStats *st)
{
	g_autoptr(GString) out = g_string_new(NULL);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	gint64 age = st->oldest_unsent_at > 0 ? now - st->oldest_unsent_at : 0;

	prom_head(out, "passalong_members", "Members of the gateway.");
	prom_sample(
	    out, "passalong_members", NULL, NULL, NULL, NULL, st->members);
	prom_head(out, "passalong_shares", "Shares by status.");
	prom_by(out, "passalong_shares", "status", share_states,
	    st->shares_by_status);
	prom_head(
	    out, "passalong_outbox", "Outgoing mail items by kind and status.");
	prom_outbox(out, st->outbox_by_kind_status);
	prom_head(out, "passalong_outbox_oldest_queued_age_seconds",
	    "Age of the oldest outgoing item not sent yet (0: none).");
	prom_sample(out, "passalong_outbox_oldest_queued_age_seconds", NULL,
	    NULL, NULL, NULL, MAX(age, 0));
	prom_head(out, "passalong_outbox_retrying",
	    "Outgoing items queued again after a failed try.");
	prom_sample(out, "passalong_outbox_retrying", NULL, NULL, NULL, NULL,
	    st->retrying);
	prom_head(out, "passalong_delivery_failures",
	    "Recipients whose delivery failed for good, by kind of mail.");
	prom_by(out, "passalong_delivery_failures", "kind", outbox_kinds,
	    st->failed_rcpts_by_kind);
	prom_head(out, "passalong_delivery_deferred",
	    "Recipients deferred by a temporary failure, by kind of mail.");
	prom_by(out, "passalong_delivery_deferred", "kind", outbox_kinds,
	    st->deferred_rcpts_by_kind);
	fwrite(out->str, 1, out->len, stdout);
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

/* cmd_stats - passalong stats [--json | --format table|json|prometheus] */
int
cmd_stats(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(StoreStats) st = NULL;
	g_autofree char *format = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		    "Print JSON (--format json)", NULL },
		{ "format", 0, 0, G_OPTION_ARG_STRING, &format,
		    "table (default), json, or prometheus (node_exporter's "
		    "textfile collector)",
		    "FORMAT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	gboolean prometheus = FALSE;
	int rc;

	if (!cli_options("stats", NULL,
		"Count members, shares by status and outgoing mail by status.",
		entries, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (format == NULL || g_str_equal(format, "table"))
		;
	else if (g_str_equal(format, "json"))
		json = TRUE;
	else if (g_str_equal(format, "prometheus"))
		prometheus = TRUE;
	else {
		cli_error("stats: unknown format \"%s\" (table, json, "
			  "prometheus)",
		    format);
		return EX_USAGE;
	}
	if ((rc = cli_no_args("stats", argc, argv)) != 0 ||
	    (rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	st = store_stats(store, &error);
	if (st == NULL) {
		cli_error("stats: %s", error->message);
		return CLI_EX_FAILED;
	}
	if (prometheus)
		print_prometheus(st);
	else
		print(st, json);
	return 0;
}
