/*
 * config.c - read and check the configuration file
 *
 * The file is INI as GKeyFile writes it ([group], key = value, # comments),
 * read line by line here so that every error can name its line, and so
 * that a trailing " # comment" after a value (as in the documented
 * example) is a comment rather than part of the value. A typed table
 * lists every key; anything not in it is an error (STYLE.md, after
 * OpenDKIM).
 *
 * Trust: the file is the operator's; it is still checked fully, since a
 * typo must not start a daemon with a silently different policy.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/config.h"

G_DEFINE_QUARK(passalong_config_error, config_error)

typedef enum {
	KEY_STRING,
	KEY_UINT,
	KEY_SIZE,
	KEY_BOOL,
	KEY_AUTH,
} KeyType;

typedef struct {
	const char *group;
	const char *key;
	KeyType type;
	size_t offset;
	guint64 max; /* for numbers; 0 = G_MAXUINT */
} KeyDef;

#define OFF(f) offsetof(Config, f)

static const KeyDef keys[] = {
	{ "gateway", "domain", KEY_STRING, OFF(domain), 0 },
	{ "gateway", "share_localpart", KEY_STRING, OFF(share_localpart), 0 },
	{ "gateway", "name", KEY_STRING, OFF(name), 0 },
	{ "milter", "socket", KEY_STRING, OFF(socket), 0 },
	{ "milter", "max_message_size", KEY_SIZE, OFF(max_message_size), 0 },
	{ "milter", "spool_threshold", KEY_UINT, OFF(spool_threshold), 0 },
	{ "milter", "spool_dir", KEY_STRING, OFF(spool_dir), 0 },
	{ "milter", "sender_auth", KEY_AUTH, OFF(sender_auth), 0 },
	{ "milter", "authserv_id", KEY_STRING, OFF(authserv_id), 0 },
	{ "milter", "timeout", KEY_UINT, OFF(timeout), 86400 },
	{ "milter", "user", KEY_STRING, OFF(user), 0 },
	{ "limits", "shares_per_hour", KEY_UINT, OFF(shares_per_hour), 0 },
	{ "limits", "shares_per_day", KEY_UINT, OFF(shares_per_day), 0 },
	{ "limits", "intros_per_friend_per_week", KEY_UINT,
	    OFF(intros_per_friend_per_week), 0 },
	{ "store", "path", KEY_STRING, OFF(store_path), 0 },
	{ "store", "busy_timeout", KEY_UINT, OFF(busy_timeout), 600000 },
	{ "sender", "enabled", KEY_BOOL, OFF(sender_enabled), 0 },
	{ "sender", "smtp_url", KEY_STRING, OFF(smtp_url), 0 },
	{ "sender", "from_localpart", KEY_STRING, OFF(from_localpart), 0 },
	{ "sender", "retry_min", KEY_UINT, OFF(retry_min), 86400 },
	{ "sender", "retry_max", KEY_UINT, OFF(retry_max), 7 * 86400 },
	{ "sender", "max_attempts", KEY_UINT, OFF(max_attempts), 1000 },
	{ "sender", "poll_interval", KEY_UINT, OFF(poll_interval), 3600 },
	{ "digest", "enabled", KEY_BOOL, OFF(digest_enabled), 0 },
};

/* config_new_default - a Config holding every default */
Config *
config_new_default(void)
{
	Config *cfg = g_new0(Config, 1);

	cfg->domain = g_strdup("intro.example.org");
	cfg->share_localpart = g_strdup("share");
	cfg->name = g_strdup("passalong");
	cfg->socket = g_strdup("unix:/run/passalong/milter.sock");
	cfg->max_message_size = 10485760;
	cfg->spool_threshold = 1048576;
	cfg->sender_auth = SENDER_AUTH_AUTH;
	cfg->timeout = 30;
	cfg->shares_per_hour = 5;
	cfg->shares_per_day = 20;
	cfg->intros_per_friend_per_week = 3;
	cfg->store_path = g_strdup("/var/lib/passalong/passalong.db");
	cfg->busy_timeout = 5000;
	cfg->sender_enabled = TRUE;
	cfg->smtp_url = g_strdup("smtp://127.0.0.1:10025");
	cfg->from_localpart = g_strdup("intros");
	cfg->retry_min = 60;
	cfg->retry_max = 4 * 3600;
	cfg->max_attempts = 30;
	cfg->poll_interval = 5;
	cfg->digest_enabled = TRUE;
	return cfg;
}

/* config_free - release a Config; accepts NULL */
void
config_free(Config *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->path);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		if (keys[i].type == KEY_STRING)
			g_free(G_STRUCT_MEMBER(char *, cfg, keys[i].offset));
	g_free(cfg);
}

/* config_sender_auth_string - the bit set as the config would spell it */
char *
config_sender_auth_string(guint bits)
{
	GString *s = g_string_new(NULL);
	static const struct {
		guint bit;
		const char *name;
	} names[] = { { SENDER_AUTH_AUTH, "auth" },
		{ SENDER_AUTH_DMARC, "dmarc" },
		{ SENDER_AUTH_SECRET, "secret" }, { SENDER_AUTH_ANY, "any" } };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if ((bits & names[i].bit) == 0)
			continue;
		if (s->len > 0)
			g_string_append_c(s, ',');
		g_string_append(s, names[i].name);
	}
	return g_string_free(s, FALSE);
}

/* parse_auth - "auth,dmarc" into bits; FALSE names the bad word */
static gboolean
parse_auth(const char *value, guint *bits, char **bad)
{
	g_auto(GStrv) words = g_strsplit(value, ",", -1);

	*bits = 0;
	for (char **w = words; *w != NULL; w++) {
		char *word = g_strstrip(*w);

		if (strcmp(word, "auth") == 0)
			*bits |= SENDER_AUTH_AUTH;
		else if (strcmp(word, "dmarc") == 0)
			*bits |= SENDER_AUTH_DMARC;
		else if (strcmp(word, "secret") == 0)
			*bits |= SENDER_AUTH_SECRET;
		else if (strcmp(word, "any") == 0)
			*bits |= SENDER_AUTH_ANY;
		else {
			*bad = g_strdup(word);
			return FALSE;
		}
	}
	if (*bits == 0) {
		*bad = g_strdup("");
		return FALSE;
	}
	return TRUE;
}

/* parse_uint - a decimal number within max */
static gboolean
parse_uint(const char *value, guint64 max, guint64 *out)
{
	guint64 v;
	char *end = NULL;

	if (*value == '\0' || !g_ascii_isdigit(*value))
		return FALSE;
	errno = 0;
	v = g_ascii_strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return FALSE;
	*out = v;
	return TRUE;
}

/* parse_bool - the words GKeyFile and people use */
static gboolean
parse_bool(const char *value, gboolean *out)
{
	static const char *yes[] = { "true", "yes", "on", "1" };
	static const char *no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(value, yes[i]) == 0) {
			*out = TRUE;
			return TRUE;
		}
		if (g_ascii_strcasecmp(value, no[i]) == 0) {
			*out = FALSE;
			return TRUE;
		}
	}
	return FALSE;
}

/* set_value - store one value by its table entry; NULL or a problem */
static char *
set_value(Config *cfg, const KeyDef *def, const char *value)
{
	guint64 n;
	guint bits;
	gboolean b;
	char *bad = NULL;
	char **sp;

	switch (def->type) {
	case KEY_STRING:
		if (*value == '\0')
			return g_strdup("empty value");
		sp = &G_STRUCT_MEMBER(char *, cfg, def->offset);
		g_free(*sp);
		*sp = g_strdup(value);
		return NULL;
	case KEY_UINT:
		if (!parse_uint(value, def->max ? def->max : G_MAXUINT, &n))
			return g_strdup_printf(
			    "not a number from 0 to %" G_GUINT64_FORMAT,
			    def->max ? def->max : (guint64)G_MAXUINT);
		G_STRUCT_MEMBER(guint, cfg, def->offset) = (guint)n;
		return NULL;
	case KEY_SIZE:
		if (!parse_uint(value, G_MAXUINT32, &n) || n < 1024)
			return g_strdup(
			    "not a size in bytes from 1024 to 4294967295");
		G_STRUCT_MEMBER(guint64, cfg, def->offset) = n;
		return NULL;
	case KEY_BOOL:
		if (!parse_bool(value, &b))
			return g_strdup("not a boolean (true or false)");
		G_STRUCT_MEMBER(gboolean, cfg, def->offset) = b;
		return NULL;
	case KEY_AUTH:
		if (!parse_auth(value, &bits, &bad)) {
			char *msg =
			    g_strdup_printf("unknown method \"%s\" (use auth, "
					    "dmarc, secret or any)",
				bad);
			g_free(bad);
			return msg;
		}
		G_STRUCT_MEMBER(guint, cfg, def->offset) = bits;
		return NULL;
	}
	g_assert_not_reached();
	return NULL;
}

/* find_key - the table entry for group/key, or NULL */
static const KeyDef *
find_key(const char *group, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		if (strcmp(keys[i].group, group) == 0 &&
		    strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

/* known_group - whether any key lives in this group */
static gboolean
known_group(const char *group)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		if (strcmp(keys[i].group, group) == 0)
			return TRUE;
	return FALSE;
}

/* strip_comment - cut " # comment" / " ; comment" off a value */
static void
strip_comment(char *value)
{
	for (char *p = value; *p != '\0'; p++) {
		if ((*p == '#' || *p == ';') &&
		    (p == value || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	g_strstrip(value);
}

/* parse_line - one line of the file; appends problems to errs */
static void
parse_line(Config *cfg, const char *path, guint lineno, char *line,
    char **group, GString *errs)
{
	char *eq, *key, *value, *problem;
	const KeyDef *def;

	g_strstrip(line);
	if (*line == '\0' || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		char *end;

		strip_comment(line);
		end = strchr(line, ']');

		if (end == NULL || end[1] != '\0' || end == line + 1) {
			g_string_append_printf(
			    errs, "%s:%u: bad group line\n", path, lineno);
			return;
		}
		*end = '\0';
		g_free(*group);
		*group = g_strdup(line + 1);
		if (!known_group(*group))
			g_string_append_printf(errs,
			    "%s:%u: [%s]: unknown group\n", path, lineno,
			    *group);
		return;
	}
	eq = strchr(line, '=');
	if (eq == NULL) {
		g_string_append_printf(
		    errs, "%s:%u: not a \"key = value\" line\n", path, lineno);
		return;
	}
	*eq = '\0';
	key = g_strstrip(line);
	value = eq + 1;
	strip_comment(value);
	if (*group == NULL) {
		g_string_append_printf(errs,
		    "%s:%u: %s: key outside of a [group]\n", path, lineno, key);
		return;
	}
	if (!known_group(*group))
		return; /* already reported at the group line */
	def = find_key(*group, key);
	if (def == NULL) {
		g_string_append_printf(errs, "%s:%u: [%s] %s: unknown key\n",
		    path, lineno, *group, key);
		return;
	}
	problem = set_value(cfg, def, value);
	if (problem != NULL) {
		g_string_append_printf(errs, "%s:%u: [%s] %s: %s\n", path,
		    lineno, *group, key, problem);
		g_free(problem);
	}
}

/* check_values - rules that tie values together or shape them */
static void
check_values(const Config *cfg, const char *path, GString *errs)
{
	if (strchr(cfg->domain, '@') != NULL ||
	    strchr(cfg->domain, '.') == NULL)
		g_string_append_printf(errs,
		    "%s: [gateway] domain: \"%s\" is not a domain name\n", path,
		    cfg->domain);
	if (strpbrk(cfg->share_localpart, "@+= \t") != NULL)
		g_string_append_printf(errs,
		    "%s: [gateway] share_localpart: must not contain @ + = or "
		    "spaces\n",
		    path);
	if (!g_str_has_prefix(cfg->socket, "unix:") &&
	    !g_str_has_prefix(cfg->socket, "local:") &&
	    !g_str_has_prefix(cfg->socket, "inet:") &&
	    !g_str_has_prefix(cfg->socket, "inet6:"))
		g_string_append_printf(errs,
		    "%s: [milter] socket: use unix:/path, inet:PORT@HOST or "
		    "inet6:PORT@HOST\n",
		    path);
	if (cfg->sender_auth & SENDER_AUTH_SECRET)
		g_string_append_printf(errs,
		    "%s: [milter] sender_auth: secret addresses are not "
		    "supported by this version; use auth or dmarc\n",
		    path);
	if ((cfg->sender_auth & SENDER_AUTH_DMARC) && cfg->authserv_id == NULL)
		g_string_append_printf(errs,
		    "%s: [milter] sender_auth: dmarc needs [milter] "
		    "authserv_id (your verifier's id)\n",
		    path);
	if (!g_str_has_prefix(cfg->smtp_url, "smtp://") &&
	    !g_str_has_prefix(cfg->smtp_url, "smtps://"))
		g_string_append_printf(errs,
		    "%s: [sender] smtp_url: must start with smtp:// or "
		    "smtps://\n",
		    path);
	if (cfg->retry_min == 0 || cfg->retry_max < cfg->retry_min)
		g_string_append_printf(errs,
		    "%s: [sender] retry_min/retry_max: need 0 < retry_min <= "
		    "retry_max\n",
		    path);
	if (cfg->max_attempts == 0 || cfg->poll_interval == 0)
		g_string_append_printf(errs,
		    "%s: [sender] max_attempts and poll_interval must be at "
		    "least 1\n",
		    path);
}

/* config_load - read, check and return the configuration at path */
Config *
config_load(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *group = NULL;
	g_autoptr(GString) errs = NULL;
	g_auto(GStrv) lines = NULL;
	GError *io = NULL;
	Config *cfg;

	g_return_val_if_fail(path != NULL, NULL);
	if (!g_file_get_contents(path, &text, NULL, &io)) {
		g_set_error(
		    error, CONFIG_ERROR, CONFIG_ERROR_IO, "%s", io->message);
		g_error_free(io);
		return NULL;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, CONFIG_ERROR, CONFIG_ERROR_INVALID,
		    "%s: not UTF-8 text", path);
		return NULL;
	}
	/* no g_autoptr here: clang 14's analyzer cannot follow it */
	cfg = config_new_default();
	errs = g_string_new(NULL);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		parse_line(cfg, path, i + 1, lines[i], &group, errs);
	check_values(cfg, path, errs);
	if (errs->len > 0) {
		g_string_truncate(errs, errs->len - 1); /* last newline */
		g_set_error_literal(
		    error, CONFIG_ERROR, CONFIG_ERROR_INVALID, errs->str);
		config_free(cfg);
		return NULL;
	}
	cfg->path = g_strdup(path);
	return cfg;
}
