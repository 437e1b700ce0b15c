/*
 * cmd_store.c - passalong store copy FROM_URL TO_URL
 *
 * Moves a whole store to another engine (SQLite to PostgreSQL when one
 * mail host becomes several; any direction works): store_copy() does
 * the work in one transaction and verifies the counts. The command
 * takes both stores from its arguments, not from [store]; the
 * configuration, when -c names one or the default file exists, gives
 * busy_timeout and passfile, as for every other command.
 *
 * Trust: a URL may hold a password, so neither URL is ever printed:
 * a store is shown by its engine and store_durability()'s description
 * (host, port, database, user), a SQLite one by its file.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define DEFAULT_TIMEOUT_MS 5000 /* as config.c's busy_timeout */

static const char usage[] = "Usage: passalong store copy FROM_URL TO_URL\n"
			    "Options of every command: -c FILE, --help\n";

/* describe - a store for people: engine and where, never a password */
static char *
describe(Store *store, const char *url)
{
	g_autofree char *file = store_url_file(url);
	g_autofree char *how = store_durability(store);

	if (file != NULL)
		return g_strdup_printf("sqlite %s (%s)", file, how);
	return g_steal_pointer(&how); /* "postgresql host=... dbname=..." */
}

/* open_one - open the store at url; the source must exist already */
static Store *
open_one(
    const char *url, const StoreOptions *o, gboolean source, const char *role)
{
	g_autofree char *file = store_url_file(url);
	g_autoptr(GError) error = NULL;
	Store *store;

	if (source && file != NULL &&
	    !g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
		cli_error("store copy: %s: no such SQLite file (the source "
			  "must exist)",
		    file);
		return NULL;
	}
	store = store_open_full(url, o, &error);
	if (store == NULL)
		cli_error(
		    "store copy: opening the %s: %s", role, error->message);
	return store;
}

/* load_options - busy_timeout and passfile from the configuration,
 * when -c named one or the default file exists; EX_CONFIG if unusable */
static int
load_options(const char *cfgpath, Config **cfg, StoreOptions *o)
{
	g_autoptr(GError) error = NULL;

	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->pool = 1;
	o->passfile = NULL;
	if (strcmp(cfgpath, CONFIG_DEFAULT_PATH) == 0 &&
	    !g_file_test(cfgpath, G_FILE_TEST_EXISTS))
		return 0;
	*cfg = config_load(cfgpath, &error);
	if (*cfg == NULL) {
		g_auto(GStrv) lines = g_strsplit(error->message, "\n", -1);

		for (guint i = 0; lines[i] != NULL; i++)
			cli_error("%s", lines[i]);
		return EX_CONFIG;
	}
	o->timeout_ms = (*cfg)->busy_timeout;
	o->passfile = (*cfg)->store_passfile;
	return 0;
}

/* print_stats - one line per table, then the summary */
static void
print_stats(const StoreCopyStats *s, const char *from, const char *to)
{
	printf("members: %" G_GINT64_FORMAT " copied\n", s->members);
	printf("shares: %" G_GINT64_FORMAT " copied\n", s->shares);
	printf("outbox: %" G_GINT64_FORMAT " copied\n", s->outbox);
	printf("outbox_rcpts: %" G_GINT64_FORMAT " copied\n", s->outbox_rcpts);
	printf("suppression: %" G_GINT64_FORMAT " copied\n", s->suppression);
	printf("settings: %" G_GINT64_FORMAT " copied\n", s->settings);
	printf("digests: %" G_GINT64_FORMAT " copied\n", s->digests);
	printf(
	    "share_credits: %" G_GINT64_FORMAT " copied\n", s->share_credits);
	printf("copied %" G_GINT64_FORMAT " rows from %s to %s; every table's "
	       "count verified\n",
	    s->members + s->shares + s->outbox + s->outbox_rcpts +
		s->suppression + s->settings + s->digests + s->share_credits,
	    from, to);
}

/* store_copy_cmd - passalong store copy [-c FILE] FROM_URL TO_URL */
static int
store_copy_cmd(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) from = NULL;
	g_autoptr(Store) to = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *from_desc = NULL;
	g_autofree char *to_desc = NULL;
	StoreCopyStats stats = { 0 };
	StoreOptions o;
	int rc;

	if (!cli_options("store copy", "FROM_URL TO_URL",
		"Copy every table of the store at FROM_URL (sqlite:PATH, a "
		"file, postgresql://... or a libpq key=value string) into "
		"the empty store at TO_URL, ids kept, in one transaction, "
		"and verify the counts. A target that holds any row is "
		"refused.",
		NULL, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 3) {
		cli_error("store copy: needs FROM_URL and TO_URL (see "
			  "\"passalong store copy --help\")");
		return EX_USAGE;
	}
	if ((rc = load_options(cfgpath, &cfg, &o)) != 0)
		return rc;
	if ((from = open_one(argv[1], &o, TRUE, "source")) == NULL ||
	    (to = open_one(argv[2], &o, FALSE, "target")) == NULL)
		return CLI_EX_FAILED;
	from_desc = describe(from, argv[1]);
	to_desc = describe(to, argv[2]);
	printf("from: %s\nto: %s\n", from_desc, to_desc);
	fflush(stdout);
	if (!store_copy(from, to, &stats, &error)) {
		cli_error("store copy: %s", error->message);
		return CLI_EX_FAILED;
	}
	print_stats(&stats, store_engine(from), store_engine(to));
	return 0;
}

/* cmd_store - passalong store copy */
int
cmd_store(int argc, char **argv, const char *config_path)
{
	static const CliCommand commands[] = {
		{ "copy", store_copy_cmd },
		{ NULL, NULL },
	};

	return cli_dispatch("store", commands, usage, argc, argv, config_path);
}
