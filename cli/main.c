/*
 * main.c - passalong, the operator's command-line tool
 *
 * passalong [-c FILE] COMMAND [ARGS]: options before the command are
 * read here (-c, --help, --version); each command reads its own, -c
 * included (../shared/spec/cli.md: every subcommand takes -c FILE).
 * Commands live in cli/cmd_*.c, one file per command word.
 *
 * Trust: the operator runs this with the rights to the database; the
 * arguments are checked all the same, since a member's name or handle
 * ends up in mail headers.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_parse.h"

static const char usage[] =
    "Usage: passalong [-c FILE] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  init                      create or migrate the database\n"
    "  member add ADDRESS [--name NAME] [--handle HANDLE]\n"
    "             [--capabilities TEXT]\n"
    "                            add a member\n"
    "  member set ADDRESS [--consent ask|direct] [--confirmations yes|no]\n"
    "             [--digest-day mon..sun|never] [--digest-hour 0-23]\n"
    "             [--tz ZONE] [--public-credit yes|no]\n"
    "                            change a member\n"
    "  member list [--json]      list the members\n"
    "  member unsubscribe-link ADDRESS\n"
    "                            print a member's unsubscribe link\n"
    "  share list [--json]       list the shares\n"
    "  share show ID [--json]    one share and its timeline\n"
    "  outbox list [--json]      list outgoing mail\n"
    "  outbox show ID            print one outgoing message\n"
    "  outbox flush              deliver what is due now\n"
    "  parse [FILE|-]            show how a forward is read, as JSON\n"
    "  stats [--format FMT]      count members, shares and outbox mail\n"
    "  store copy FROM_URL TO_URL\n"
    "                            copy a whole store into an empty one\n"
    "                            (SQLite to PostgreSQL), counts verified\n"
    "  export ADDRESS [--json]   everything held about one person, as JSON\n"
    "  forget ADDRESS [--yes]    erase one person (without --yes: say what\n"
    "                            would be erased, change nothing)\n"
    "  tick [--now RFC3339]      send due reminders, expire unanswered\n"
    "                            consent requests (for cron and tests)\n"
    "  digest run [--now TIME]   queue the weekly digests that are due\n"
    "  digest preview ADDRESS [--now TIME]\n"
    "                            print a member's digest, queue nothing\n"
    "\n"
    "Options:\n"
    "  -c FILE        configuration file (default " CONFIG_DEFAULT_PATH ")\n"
    "  -h, --help     this help; \"passalong COMMAND --help\" for a command\n"
    "  -V, --version  the version\n";

/* run_parse - "passalong parse" belongs to the parser's command */
static int
run_parse(int argc, char **argv, const char *config_path)
{
	(void)config_path; /* parsing needs no configuration */
	return cmd_parse(argc, argv);
}

static const CliCommand commands[] = {
	{ "init", cmd_init },
	{ "member", cmd_member },
	{ "share", cmd_share },
	{ "outbox", cmd_outbox },
	{ "parse", run_parse },
	{ "stats", cmd_stats },
	{ "store", cmd_store },
	{ "export", cmd_export },
	{ "forget", cmd_forget },
	{ "tick", cmd_tick },
	{ "digest", cmd_digest },
	{ NULL, NULL },
};

/* global_options - -c, -h, -V before the command; index of the command */
static int
global_options(int argc, char **argv, const char **config_path, int *status)
{
	int i;

	*status = -1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			*status = 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("passalong %s\n", PACKAGE_VERSION);
			*status = 0;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (i + 1 == argc) {
				cli_error("%s needs a FILE", a);
				*status = EX_USAGE;
			} else
				*config_path = argv[++i];
		} else if (!strncmp(a, "-c", 2)) {
			*config_path = a + 2;
		} else if (!strncmp(a, "--config=", 9)) {
			*config_path = a + 9;
		} else {
			cli_error("unknown option \"%s\" (see \"passalong "
				  "--help\")",
			    a);
			*status = EX_USAGE;
		}
		if (*status >= 0)
			break;
	}
	return i;
}

/* main - global options, then the command */
int
main(int argc, char **argv)
{
	const char *config_path = CONFIG_DEFAULT_PATH;
	int first, status;

	setlocale(LC_ALL, "");
	first = global_options(argc, argv, &config_path, &status);
	if (status >= 0)
		return status;
	if (first >= argc) {
		cli_error("which command?");
		fputs(usage, stderr);
		return EX_USAGE;
	}
	/* cli_dispatch reads the command from argv[1]: hand it argv[first]. */
	return cli_dispatch("", commands, usage, argc - first + 1,
	    argv + first - 1, config_path);
}
