/*
 * cmd_member.c - passalong member add|list
 *
 * A member's name and capabilities end up in mail (display names,
 * introductions, digests), so they must be one line of visible text;
 * the handle ends up in share+HANDLE@ addresses, so it keeps to
 * [a-z0-9._-]. Checking here gives the operator a sentence to act on;
 * the store checks address and handle again for every other writer.
 *
 * Text options are read as bytes (G_OPTION_ARG_FILENAME) and checked as
 * UTF-8 here, so that a cron job's C locale cannot refuse a name.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/addr.h"
#include "common/util.h"

#define NAME_MAX_CHARS 200
#define CAPABILITIES_MAX_CHARS 1000

static const char usage[] =
    "Usage: passalong member add ADDRESS [--name NAME] [--handle HANDLE]\n"
    "                            [--capabilities TEXT]\n"
    "       passalong member set ADDRESS [--consent ask|direct]\n"
    "                            [--confirmations yes|no]\n"
    "       passalong member list [--json]\n"
    "       passalong member unsubscribe-link ADDRESS\n"
    "Options of every command: -c FILE, --help\n";

/* check_text - one line of visible UTF-8, at most max characters */
static gboolean
check_text(const char *option, const char *text, glong max)
{
	if (text == NULL)
		return TRUE;
	if (!g_utf8_validate(text, -1, NULL)) {
		cli_error("member add: %s: not UTF-8 text", option);
		return FALSE;
	}
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c < 0x20 || util_is_invisible(c)) {
			cli_error("member add: %s: must be one line of visible "
				  "text (no CR, LF, tabs or control "
				  "characters)",
			    option);
			return FALSE;
		}
	}
	if (g_utf8_strlen(text, -1) > max) {
		cli_error(
		    "member add: %s: at most %ld characters", option, max);
		return FALSE;
	}
	return TRUE;
}

/* check_handle - lower-case it; refuse what share+HANDLE@ cannot carry */
static gboolean
check_handle(const char *given, char **handle)
{
	g_autofree char *h = NULL;

	if (given == NULL)
		return TRUE;
	h = g_ascii_strdown(given, -1);
	if (!store_handle_is_valid(h)) {
		cli_error("member add: --handle \"%s\": use 1 to 64 of a-z 0-9 "
			  ". _ -",
		    given);
		return FALSE;
	}
	/* share+ask@ and share+circle.NAME@ mean something else */
	if (!strcmp(h, "ask") || g_str_has_prefix(h, "circle.")) {
		cli_error("member add: --handle \"%s\" is reserved", given);
		return FALSE;
	}
	*handle = g_steal_pointer(&h);
	return TRUE;
}

/* check_address - a member's address, not in the gateway's own domain */
static gboolean
check_address(const Config *cfg, const char *given, char **address)
{
	g_autofree char *a = addr_normalize(given);

	if (a == NULL) {
		cli_error("member add: \"%s\" is not a valid mail address "
			  "(write it bare: jane@example.net)",
		    given);
		return FALSE;
	}
	if (addr_in_domain(a, cfg->domain)) {
		cli_error("member add: %s is in the gateway's own domain %s", a,
		    cfg->domain);
		return FALSE;
	}
	*address = g_steal_pointer(&a);
	return TRUE;
}

/* add - store the member the options describe */
static int
add(const char *config_path, const char *given, Member *m)
{
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	gint64 id = 0;
	int rc;

	if ((rc = cli_open(config_path, FALSE, &cfg, &store)) != 0)
		return rc;
	if (!check_address(cfg, given, &m->address))
		return EX_USAGE;
	if (!store_member_add(store, m, &id, &error)) {
		cli_error("member add: %s", error->message);
		return error->code == STORE_ERROR_INVALID ? EX_USAGE
							  : CLI_EX_FAILED;
	}
	printf("added member %s (id %" G_GINT64_FORMAT ")\n", m->address, id);
	return 0;
}

/* member_add - passalong member add ADDRESS [--name ...] */
static int
member_add(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *name = NULL;
	g_autofree char *handle = NULL;
	g_autofree char *caps = NULL;
	g_autoptr(Member) m = member_new();
	const GOptionEntry entries[] = {
		{ "name", 0, 0, G_OPTION_ARG_FILENAME, &name,
		    "The member's name, as it will appear in mail", "NAME" },
		{ "handle", 0, 0, G_OPTION_ARG_FILENAME, &handle,
		    "Others share with them at share+HANDLE@", "HANDLE" },
		{ "capabilities", 0, 0, G_OPTION_ARG_FILENAME, &caps,
		    "What they would gladly be introduced for", "TEXT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	if (!cli_options("member add", "ADDRESS", "Add a member.", entries,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 2) {
		cli_error("member add: give exactly one ADDRESS");
		return EX_USAGE;
	}
	if (!check_text("--name", name, NAME_MAX_CHARS) ||
	    !check_text("--capabilities", caps, CAPABILITIES_MAX_CHARS) ||
	    !check_handle(handle, &m->handle))
		return EX_USAGE;
	m->name = g_strdup(name);
	m->capabilities = g_strdup(caps);
	return add(cfgpath, argv[1], m);
}

/* member_set - passalong member set ADDRESS [--consent ask|direct]
 * [--confirmations yes|no] */
static int
member_set(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *consent = NULL;
	g_autofree char *confirm = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
		{ "consent", 0, 0, G_OPTION_ARG_STRING, &consent,
		    "ask: the friend says yes first (the default); direct: "
		    "introduce at once",
		    "ask|direct" },
		{ "confirmations", 0, 0, G_OPTION_ARG_STRING, &confirm,
		    "Whether the member hears that a share was recorded",
		    "yes|no" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	gboolean found = FALSE;
	int on = -1, rc;

	if (!cli_options("member set", "ADDRESS", "Change a member.", entries,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 2) {
		cli_error("member set: give exactly one ADDRESS");
		return EX_USAGE;
	}
	if (consent != NULL && g_strcmp0(consent, "ask") != 0 &&
	    g_strcmp0(consent, "direct") != 0) {
		cli_error("member set: --consent is ask or direct");
		return EX_USAGE;
	}
	if (confirm != NULL) {
		if (g_strcmp0(confirm, "yes") != 0 &&
		    g_strcmp0(confirm, "no") != 0) {
			cli_error("member set: --confirmations is yes or no");
			return EX_USAGE;
		}
		on = g_strcmp0(confirm, "yes") == 0;
	}
	if (consent == NULL && confirm == NULL) {
		cli_error("member set: nothing to change (--consent, "
			  "--confirmations)");
		return EX_USAGE;
	}
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	if (!store_member_set(store, argv[1], consent, on, &found, &error)) {
		cli_error("member set: %s", error->message);
		return CLI_EX_FAILED;
	}
	if (!found) {
		cli_error("member set: %s is not a member", argv[1]);
		return CLI_EX_FAILED;
	}
	printf("changed member %s\n", argv[1]);
	return 0;
}

/* print_json - [{"address","name","handle","capabilities"}] */
static void
print_json(GPtrArray *members)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < members->len; i++) {
		const Member *m = g_ptr_array_index(members, i);

		json_builder_begin_object(b);
		cli_json_string(b, "address", m->address);
		cli_json_string(b, "name", m->name);
		cli_json_string(b, "handle", m->handle);
		cli_json_string(b, "capabilities", m->capabilities);
		cli_json_string(b, "consent", m->consent);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	cli_json_print(b);
}

/* print_table - the members as aligned columns */
static void
print_table(GPtrArray *members)
{
	g_autoptr(CliTable) t =
	    cli_table_new(4, "ADDRESS", "NAME", "HANDLE", "CAPABILITIES");

	if (members->len == 0) {
		puts("no members yet (add one with \"passalong member add\")");
		return;
	}
	for (guint i = 0; i < members->len; i++) {
		const Member *m = g_ptr_array_index(members, i);

		cli_table_add(
		    t, m->address, m->name, m->handle, m->capabilities);
	}
	cli_table_print(t);
}

/* member_list - passalong member list [--json] */
static int
member_list(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) members = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	int rc;

	if (!cli_options("member list", NULL, "List the members.", entries,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("member list", argc, argv)) != 0 ||
	    (rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	members = store_member_list(store, &error);
	if (members == NULL) {
		cli_error("member list: %s", error->message);
		return CLI_EX_FAILED;
	}
	if (json)
		print_json(members);
	else
		print_table(members);
	return 0;
}

/* cmd_member - passalong member add|list */
int
cmd_member(int argc, char **argv, const char *config_path)
{
	static const CliCommand commands[] = {
		{ "add", member_add },
		{ "set", member_set },
		{ "list", member_list },
		{ "unsubscribe-link", member_unsub_link }, /* cmd_unsub.c */
		{ NULL, NULL },
	};

	return cli_dispatch("member", commands, usage, argc, argv, config_path);
}
