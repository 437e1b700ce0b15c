/*
 * cli.h - what the passalong commands share: options, config, output
 *
 * SYNOPSIS
 *	int cmd_member(int argc, char **argv, const char *config_path);
int member_unsub_link(int argc, char **argv, const char *config_path);
 *
 *	g_autofree char *cfgpath = NULL;
 *	if (!cli_options("member list", NULL, "List the members.", entries,
 *	    &argc, &argv, config_path, &cfgpath))
 *		return EX_USAGE;
 *	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
 *		return rc;
 *
 * DESCRIPTION
 *	Each command is a function cmd_NAME(argc, argv, config_path) that
 *	returns the process's exit status: 0, EX_USAGE (64) for a bad
 *	command line or argument, EX_CONFIG (78) for a configuration that
 *	cannot be read or is wrong, CLI_EX_FAILED (1) when the work failed.
 *	argv[0] is the command's own word ("member", "add", ...);
 *	config_path is what -c gave before the command, or the default.
 *
 *	cli_dispatch() picks the command named by argv[1] from a table
 *	("passalong member add": group "member", command "add") and runs it
 *	with argv moved on by one; "--help" prints usage to stdout.
 *	cli_options() parses one command's options with GOptionContext,
 *	adding -c FILE and --help; cli_no_args() insists nothing is left. cli_open() loads the configuration and
 *	opens the store (creating it only when create is TRUE: "init").
 *	cli_error() prints "passalong: ..." to stderr.
 *
 *	CliTable prints aligned columns for people; every cell goes
 *	through util_header_safe() first, so that text from mail cannot
 *	move the terminal's cursor or break a row. cli_json_*() build the
 *	--json documents of ../shared/spec/cli.md with json-glib.
 *
 * OWNERSHIP
 *	*config_path_out, *cfg and *store are new (transfer full); cells
 *	and JSON values are copied.
 *
 * ERRORS
 *	Printed to stderr where they happen; functions return FALSE or an
 *	exit status.
 *
 * THREADS
 *	The CLI is single-threaded.
 */
#ifndef PA_CLI_H
#define PA_CLI_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sysexits.h>

#include "common/config.h"
#include "store/store.h"

#define CLI_EX_FAILED 1

int cmd_init(int argc, char **argv, const char *config_path);
int cmd_member(int argc, char **argv, const char *config_path);
int member_unsub_link(int argc, char **argv, const char *config_path);
int cmd_share(int argc, char **argv, const char *config_path);
int cmd_outbox(int argc, char **argv, const char *config_path);
int cmd_stats(int argc, char **argv, const char *config_path);
int cmd_store(int argc, char **argv, const char *config_path);
int cmd_export(int argc, char **argv, const char *config_path);
int cmd_forget(int argc, char **argv, const char *config_path);
int cmd_tick(int argc, char **argv, const char *config_path);
int cmd_digest(int argc, char **argv, const char *config_path);

void cli_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
gboolean cli_options(const char *command, const char *params,
    const char *summary, const GOptionEntry *entries, int *argc, char ***argv,
    const char *config_path, char **config_path_out);
int cli_no_args(const char *command, int argc, char **argv);
/* --now TEXT (seconds since the epoch or RFC 3339 with a zone; NULL:
 * the clock) in *now; FALSE after saying what is wrong */
gboolean cli_parse_now(const char *command, const char *text, gint64 *now);
int cli_open(
    const char *config_path, gboolean create, Config **cfg, Store **store);

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv, const char *config_path);
} CliCommand;
int cli_dispatch(const char *group, const CliCommand *commands,
    const char *usage, int argc, char **argv, const char *config_path);

/* tables for people */
typedef struct _CliTable CliTable;
CliTable *cli_table_new(guint columns, ...); /* the headers */
void cli_table_add(CliTable *t, ...);        /* one row: columns cells */
void cli_table_print(CliTable *t);
void cli_table_free(CliTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliTable, cli_table_free)

/* JSON for programs */
void cli_json_string(JsonBuilder *b, const char *name, const char *value);
void cli_json_int(JsonBuilder *b, const char *name, gint64 value);
void cli_json_time(JsonBuilder *b, const char *name, gint64 unix_seconds);
void cli_json_print(JsonBuilder *b);

#endif /* PA_CLI_H */
