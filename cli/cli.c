/*
 * cli.c - what the passalong commands share: options, config, output
 *
 * The CLI is a program, not a library: it may print and choose exit
 * statuses, and GOptionContext may exit(0) after --help. Everything it
 * shows from the database may have come from mail, so it is cleaned
 * before it reaches a terminal (tables) or encoded by json-glib (JSON).
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/util.h"

#define CELL_MAX 60 /* characters shown of one table cell */

/* cli_error - "passalong: message" on stderr */
void
cli_error(const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "passalong: %s\n", msg);
}

/* cli_dispatch - run the command argv[1] names from a table */
int
cli_dispatch(const char *group, const CliCommand *commands, const char *usage,
    int argc, char **argv, const char *config_path)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	g_autofree char *words =
	    *group ? g_strconcat(group, " ", NULL) : g_strdup("");

	if (name != NULL && (!strcmp(name, "-h") || !strcmp(name, "--help") ||
				!strcmp(name, "help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (name == NULL) {
		if (*group)
			cli_error("%s: which command?", group);
		else
			cli_error("which command?");
		fputs(usage, stderr);
		return EX_USAGE;
	}
	for (const CliCommand *c = commands; c->name != NULL; c++)
		if (!strcmp(c->name, name))
			return c->run(argc - 1, argv + 1, config_path);
	cli_error("unknown command \"%s%s\" (see \"passalong %s--help\")",
	    words, name, words);
	return EX_USAGE;
}

/* cli_options - parse one command's options, adding -c FILE */
gboolean
cli_options(const char *command, const char *params, const char *summary,
    const GOptionEntry *entries, int *argc, char ***argv,
    const char *config_path, char **config_path_out)
{
	g_autofree char *prg = g_strconcat("passalong ", command, NULL);
	g_autoptr(GOptionContext) ctx = g_option_context_new(params);
	g_autoptr(GError) error = NULL;
	char *cfg = NULL;
	const GOptionEntry common[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &cfg,
		    "Read FILE instead of " CONFIG_DEFAULT_PATH, "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	g_set_prgname(prg); /* the usage line of --help */
	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, common, NULL);
	if (entries != NULL)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		cli_error(
		    "%s: %s (see \"%s --help\")", command, error->message, prg);
		g_free(cfg);
		return FALSE;
	}
	*config_path_out = cfg != NULL ? cfg : g_strdup(config_path);
	return TRUE;
}

/* cli_parse_now - --now as seconds or RFC 3339; FALSE after an error */
gboolean
cli_parse_now(const char *command, const char *text, gint64 *now)
{
	char *end = NULL;
	gint64 n;

	*now = util_now();
	if (text == NULL)
		return TRUE;
	n = g_ascii_strtoll(text, &end, 10);
	if (end != text && *end == '\0' && n >= 0) {
		*now = n;
		return TRUE;
	}
	{
		g_autoptr(GDateTime) t =
		    g_date_time_new_from_iso8601(text, NULL);

		if (t != NULL) {
			*now = g_date_time_to_unix(t);
			return TRUE;
		}
	}
	cli_error("%s: --now \"%s\": seconds since the epoch, or an RFC 3339 "
		  "time with a zone (2026-12-07T08:00:00Z)",
	    command, text);
	return FALSE;
}

/* cli_no_args - 0 when no argument is left after the options */
int
cli_no_args(const char *command, int argc, char **argv)
{
	if (argc <= 1)
		return 0;
	cli_error("%s: unexpected argument \"%s\"", command, argv[1]);
	return EX_USAGE;
}

/* print_config_error - each problem on its own "passalong:" line */
static void
print_config_error(const char *message)
{
	g_auto(GStrv) lines = g_strsplit(message, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++)
		cli_error("%s", lines[i]);
}

/* make_parent - create the database's folder (mode 0750) if missing */
static gboolean
make_parent(const char *db_path)
{
	g_autofree char *dir = g_path_get_dirname(db_path);

	if (g_file_test(dir, G_FILE_TEST_IS_DIR))
		return TRUE;
	if (g_mkdir_with_parents(dir, 0750) != 0) {
		cli_error(
		    "%s: cannot create the folder: %s", dir, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* cli_open - load the configuration, open (or create) the store */
int
cli_open(const char *config_path, gboolean create, Config **cfg, Store **store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) c = config_load(config_path, &error);

	if (c == NULL) {
		print_config_error(error->message);
		return EX_CONFIG;
	}
	/* SQLite: a file, made by init only; PostgreSQL: a database the
	 * operator created, whose tables init (or any command) makes */
	if (c->store_path != NULL && create && !make_parent(c->store_path))
		return CLI_EX_FAILED;
	if (c->store_path != NULL && !create &&
	    !g_file_test(c->store_path, G_FILE_TEST_EXISTS)) {
		cli_error("%s: no database yet; run \"passalong init\" first",
		    c->store_path);
		return CLI_EX_FAILED;
	}
	*store = store_open_config(c, 1, &error);
	if (*store == NULL) {
		cli_error("%s", error->message);
		return CLI_EX_FAILED;
	}
	*cfg = g_steal_pointer(&c);
	return 0;
}

struct _CliTable {
	guint columns;
	GPtrArray *rows; /* of GStrv, the first row the headers */
	guint *width;    /* per column, the widest cell so far */
};

/* cell_text - one line of clean text, cut to CELL_MAX with "…"; "-" if empty */
static char *
cell_text(const char *cell)
{
	g_autofree char *clean = util_header_safe(cell, 0);

	if (clean == NULL || *clean == '\0')
		return g_strdup("-");
	if (g_utf8_strlen(clean, -1) > CELL_MAX) {
		char *cut = g_utf8_offset_to_pointer(clean, CELL_MAX - 1);

		*cut = '\0';
		return g_strconcat(clean, "\u2026", NULL);
	}
	return g_steal_pointer(&clean);
}

/* width - columns a terminal uses for s (wide characters take two) */
static guint
width(const char *s)
{
	guint w = 0;

	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iszerowidth(c))
			continue;
		w += g_unichar_iswide(c) ? 2 : 1;
	}
	return w;
}

/* measure - widen the columns to fit row */
static void
measure(CliTable *t, char **row)
{
	for (guint c = 0; c < t->columns; c++)
		t->width[c] = MAX(t->width[c], width(row[c]));
}

/* new_row - an empty row of t->columns cells, added to t */
static char **
new_row(CliTable *t)
{
	char **row = g_new0(char *, t->columns + 1);

	g_ptr_array_add(t->rows, row);
	return row;
}

/* cli_table_new - a table with these column headers */
CliTable *
cli_table_new(guint columns, ...)
{
	CliTable *t = g_new0(CliTable, 1);
	char **row;
	va_list ap;

	t->columns = columns;
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	t->width = g_new0(guint, columns);
	row = new_row(t);
	va_start(ap, columns);
	for (guint i = 0; i < columns; i++)
		row[i] = cell_text(va_arg(ap, const char *));
	va_end(ap);
	measure(t, row);
	return t;
}

/* cli_table_add - one row; NULL or empty cells show as "-" */
void
cli_table_add(CliTable *t, ...)
{
	char **row = new_row(t);
	va_list ap;

	va_start(ap, t);
	for (guint i = 0; i < t->columns; i++)
		row[i] = cell_text(va_arg(ap, const char *));
	va_end(ap);
	measure(t, row);
}

/* cli_table_print - aligned columns on stdout, two spaces apart */
void
cli_table_print(CliTable *t)
{
	for (guint r = 0; r < t->rows->len; r++) {
		char **row = g_ptr_array_index(t->rows, r);

		for (guint c = 0; c < t->columns; c++) {
			fputs(row[c], stdout);
			if (c + 1 == t->columns)
				break; /* no trailing blanks */
			for (guint pad = width(row[c]); pad < t->width[c] + 2;
			     pad++)
				putchar(' ');
		}
		putchar('\n');
	}
}

/* cli_table_free - release a table; accepts NULL */
void
cli_table_free(CliTable *t)
{
	if (t == NULL)
		return;
	g_ptr_array_unref(t->rows);
	g_free(t->width);
	g_free(t);
}

/* cli_json_string - "name": "value", or null; always valid UTF-8 */
void
cli_json_string(JsonBuilder *b, const char *name, const char *value)
{
	if (name != NULL)
		json_builder_set_member_name(b, name);
	if (value == NULL) {
		json_builder_add_null_value(b);
	} else {
		g_autofree char *valid = g_utf8_make_valid(value, -1);

		json_builder_add_string_value(b, valid);
	}
}

/* cli_json_int - "name": value */
void
cli_json_int(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

/* cli_json_time - "name": "YYYY-MM-DDTHH:MM:SSZ" */
void
cli_json_time(JsonBuilder *b, const char *name, gint64 unix_seconds)
{
	g_autofree char *t = util_rfc3339_utc(unix_seconds);

	cli_json_string(b, name, t);
}

/* cli_json_print - the built document on stdout, one newline after */
void
cli_json_print(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *text = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	fputs(text, stdout);
	putchar('\n');
}
