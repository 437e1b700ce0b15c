/*
 * cmd_init.c - passalong init: create or migrate the database
 *
 * The one command allowed to create the database file and its folder
 * (mode 0750: the file holds members' addresses). store_open() does the
 * schema work; running init again on a current database changes nothing.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

/* cmd_init - passalong init [-c FILE] */
int
cmd_init(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	int rc;

	if (!cli_options("init", NULL,
		"Create the database named by [store] url or path, or bring "
		"its schema up to date.",
		NULL, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("init", argc, argv)) != 0)
		return rc;
	if ((rc = cli_open(cfgpath, TRUE, &cfg, &store)) != 0)
		return rc;
	if (cfg->store_path != NULL)
		printf("%s: database ready (schema version %d)\n",
		    cfg->store_path, store_schema_version(store));
	else {
		g_autofree char *where = store_durability(store);

		printf("%s: database ready (schema version %d)\n", where,
		    store_schema_version(store));
	}
	return 0;
}
