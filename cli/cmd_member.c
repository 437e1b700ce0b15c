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
#include "flow/digest.h"
#include "store/store_digest.h"

#define NAME_MAX_CHARS 200
#define CAPABILITIES_MAX_CHARS 1000

static const char usage[] =
    "Usage: passalong member add ADDRESS [--name NAME] [--handle HANDLE]\n"
    "                            [--capabilities TEXT]\n"
    "       passalong member set ADDRESS [--consent ask|direct]\n"
    "                            [--confirmations yes|no]\n"
    "                            [--digest-day mon..sun|never|default]\n"
    "                            [--digest-hour 0-23|default]\n"
    "                            [--tz ZONE|default] [--public-credit yes|no]\n"
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

/* ascii_only - why a non-ASCII address is refused, with the way out:
 * the shares, the introductions and the envelopes passalong writes are
 * ASCII (no SMTPUTF8), so such a member could never share; a domain's
 * A-label (xn--) form is the same domain. Returns FALSE */
static gboolean
ascii_only(const char *a)
{
	const char *at = strrchr(a, '@');
	g_autofree char *local = g_strndup(a, (gsize)(at - a));
	g_autofree char *domain = g_hostname_to_ascii(at + 1);

	if (g_str_is_ascii(local) && domain != NULL)
		cli_error("member add: %s is not an ASCII address; write its "
			  "domain as %s: %s@%s",
		    a, domain, local, domain);
	else
		cli_error("member add: %s is not an ASCII address, and "
			  "passalong writes ASCII mail only (no SMTPUTF8): "
			  "add the member's ASCII address",
		    a);
	return FALSE;
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
	if (!g_str_is_ascii(a))
		return ascii_only(a);
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

/* digest_options - the digest's options into settings; FALSE after
 * printing what is wrong */
static gboolean
digest_options(const char *day, const char *hour, const char *tz,
    const char *credit, StoreDigestSettings *s)
{
	if (day != NULL) {
		s->set_day = TRUE;
		s->day = g_strcmp0(day, "default") == 0 ? NULL : day;
		if (s->day != NULL && digest_day_number(s->day) < 0) {
			cli_error("member set: --digest-day \"%s\": use mon, "
				  "tue, wed, thu, fri, sat, sun, never or "
				  "default",
			    day);
			return FALSE;
		}
	}
	if (hour != NULL) {
		guint64 h = 0;

		s->set_hour = TRUE;
		s->hour = -1;
		if (g_strcmp0(hour, "default") != 0) {
			if (!g_ascii_string_to_unsigned(
				hour, 10, 0, 23, &h, NULL)) {
				cli_error("member set: --digest-hour \"%s\": "
					  "use 0 to 23 (the member's zone) or "
					  "default",
				    hour);
				return FALSE;
			}
			s->hour = (int)h;
		}
	}
	if (tz != NULL) {
		s->set_tz = TRUE;
		s->tz = g_strcmp0(tz, "default") == 0 ? NULL : tz;
		if (s->tz != NULL && !digest_zone_valid(s->tz)) {
			cli_error("member set: --tz \"%s\": not a time zone "
				  "this system knows (an IANA name such as "
				  "Europe/Paris, or default for UTC)",
			    tz);
			return FALSE;
		}
	}
	if (credit != NULL) {
		s->set_credit = TRUE;
		if (g_strcmp0(credit, "yes") != 0 &&
		    g_strcmp0(credit, "no") != 0) {
			cli_error("member set: --public-credit is yes or no");
			return FALSE;
		}
		s->public_credit = g_strcmp0(credit, "yes") == 0;
	}
	return TRUE;
}

/* apply_set - write what member set was given; found or not */
static int
apply_set(const char *cfgpath, const char *address, const char *consent, int on,
    const StoreDigestSettings *ds)
{
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	gboolean found = TRUE, f = FALSE;
	int rc;

	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	if ((consent != NULL || on >= 0) &&
	    !store_member_set(store, address, consent, on, &f, &error))
		goto fail;
	if (consent != NULL || on >= 0)
		found = found && f;
	if ((ds->set_day || ds->set_hour || ds->set_tz || ds->set_credit) &&
	    !store_member_set_digest(store, address, ds, &f, &error))
		goto fail;
	if (ds->set_day || ds->set_hour || ds->set_tz || ds->set_credit)
		found = found && f;
	if (!found) {
		cli_error("member set: %s is not a member", address);
		return CLI_EX_FAILED;
	}
	printf("changed member %s\n", address);
	return 0;
fail:
	cli_error("member set: %s", error->message);
	return CLI_EX_FAILED;
}

/* member_set - passalong member set ADDRESS [--consent ask|direct]
 * [--confirmations yes|no] [--digest-day D] [--digest-hour H] [--tz Z]
 * [--public-credit yes|no] */
static int
member_set(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *consent = NULL;
	g_autofree char *confirm = NULL;
	g_autofree char *day = NULL;
	g_autofree char *hour = NULL;
	g_autofree char *tz = NULL;
	g_autofree char *credit = NULL;
	const GOptionEntry entries[] = {
		{ "consent", 0, 0, G_OPTION_ARG_STRING, &consent,
		    "ask: the friend says yes first (the default); direct: "
		    "introduce at once",
		    "ask|direct" },
		{ "confirmations", 0, 0, G_OPTION_ARG_STRING, &confirm,
		    "Whether the member hears that a share was recorded",
		    "yes|no" },
		{ "digest-day", 0, 0, G_OPTION_ARG_STRING, &day,
		    "The weekly digest's day (default: [digest] day)",
		    "mon..sun|never|default" },
		{ "digest-hour", 0, 0, G_OPTION_ARG_STRING, &hour,
		    "Its hour in the member's zone (default: [digest] hour)",
		    "0-23|default" },
		{ "tz", 0, 0, G_OPTION_ARG_STRING, &tz,
		    "The member's time zone (default: UTC)",
		    "Europe/Paris|default" },
		{ "public-credit", 0, 0, G_OPTION_ARG_STRING, &credit,
		    "Whether their name may appear among the week's top "
		    "sharers",
		    "yes|no" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	StoreDigestSettings ds = { 0 };
	int on = -1;

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
	if (!digest_options(day, hour, tz, credit, &ds))
		return EX_USAGE;
	if (consent == NULL && confirm == NULL && day == NULL && hour == NULL &&
	    tz == NULL && credit == NULL) {
		cli_error("member set: nothing to change (--consent, "
			  "--confirmations, --digest-day, --digest-hour, --tz, "
			  "--public-credit)");
		return EX_USAGE;
	}
	return apply_set(cfgpath, argv[1], consent, on, &ds);
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

/* cmd_member - passalong member add|set|list */
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
