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
 * typo must not start a daemon with a silently different policy: a key
 * set twice or a group opened twice is refused rather than merged (as
 * GKeyFile would, the last value winning), and every string that can
 * reach a header field, an SMTP command or a socket call is checked for
 * control characters and shape here, once, so that a gateway mistake is
 * found by "passalong-milter -n" and not by every share at run time.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include <gio/gio.h>

#include "common/config.h"
#include "common/config_int.h"

G_DEFINE_QUARK(passalong_config_error, config_error)

typedef enum {
	KEY_STRING,
	KEY_UINT,
	KEY_SIZE,
	KEY_BOOL,
	KEY_AUTH,
	KEY_MODE,
	KEY_DURATION, /* seconds: 90, 90s, 15m, 12h, 3d, 2w */
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
	{ "gateway", "reply_localpart", KEY_STRING, OFF(reply_localpart), 0 },
	{ "gateway", "name", KEY_STRING, OFF(name), 0 },
	{ "milter", "socket", KEY_STRING, OFF(socket), 0 },
	{ "milter", "max_message_size", KEY_SIZE, OFF(max_message_size), 0 },
	{ "milter", "spool_threshold", KEY_UINT, OFF(spool_threshold), 0 },
	{ "milter", "spool_dir", KEY_STRING, OFF(spool_dir), 0 },
	{ "milter", "max_mime_parts", KEY_UINT, OFF(max_mime_parts), 10000 },
	{ "milter", "max_mime_depth", KEY_UINT, OFF(max_mime_depth), 50 },
	{ "milter", "sender_auth", KEY_AUTH, OFF(sender_auth), 0 },
	{ "milter", "authserv_id", KEY_STRING, OFF(authserv_id), 0 },
	{ "milter", "timeout", KEY_UINT, OFF(timeout), 86400 },
	{ "milter", "user", KEY_STRING, OFF(user), 0 },
	{ "milter", "socket_group", KEY_STRING, OFF(socket_group), 0 },
	{ "milter", "socket_mode", KEY_MODE, OFF(socket_mode), 0 },
	{ "milter", "pid_file", KEY_STRING, OFF(pid_file), 0 },
	{ "limits", "shares_per_hour", KEY_UINT, OFF(shares_per_hour), 0 },
	{ "limits", "shares_per_day", KEY_UINT, OFF(shares_per_day), 0 },
	{ "limits", "intros_per_friend_per_week", KEY_UINT,
	    OFF(intros_per_friend_per_week), 0 },
	{ "limits", "consent_requests_per_friend_per_week", KEY_UINT,
	    OFF(consent_requests_per_friend_per_week), 0 },
	{ "consent", "mode", KEY_STRING, OFF(consent_mode), 0 },
	{ "consent", "remind_after", KEY_DURATION, OFF(remind_after),
	    365 * 86400 },
	{ "consent", "expire_after", KEY_DURATION, OFF(expire_after),
	    365 * 86400 },
	{ "store", "path", KEY_STRING, OFF(store_path), 0 },
	{ "store", "url", KEY_STRING, OFF(store_url), 0 },
	{ "store", "passfile", KEY_STRING, OFF(store_passfile), 0 },
	{ "store", "pool", KEY_UINT, OFF(store_pool), 64 },
	{ "store", "busy_timeout", KEY_UINT, OFF(busy_timeout), 600000 },
	{ "sender", "enabled", KEY_BOOL, OFF(sender_enabled), 0 },
	{ "sender", "smtp_url", KEY_STRING, OFF(smtp_url), 0 },
	{ "sender", "from_localpart", KEY_STRING, OFF(from_localpart), 0 },
	{ "sender", "retry_min", KEY_UINT, OFF(retry_min), 86400 },
	{ "sender", "retry_max", KEY_UINT, OFF(retry_max), 7 * 86400 },
	{ "sender", "max_attempts", KEY_UINT, OFF(max_attempts), 1000 },
	{ "sender", "poll_interval", KEY_UINT, OFF(poll_interval), 3600 },
	{ "sender", "lease", KEY_UINT, OFF(lease), 3600 },
	{ "digest", "enabled", KEY_BOOL, OFF(digest_enabled), 0 },
	{ "web", "listen", KEY_STRING, OFF(web_listen), 0 },
	{ "digest", "skip_empty", KEY_BOOL, OFF(digest_skip_empty), 0 },
	{ "digest", "day", KEY_STRING, OFF(digest_day), 0 },
	{ "digest", "hour", KEY_UINT, OFF(digest_hour), 23 },
	{ "web", "base_url", KEY_STRING, OFF(web_base_url), 0 },
};

/* config_new_default - a Config holding every default */
Config *
config_new_default(void)
{
	Config *cfg = g_new0(Config, 1);

	cfg->domain = g_strdup("intro.example.org");
	cfg->share_localpart = g_strdup("share");
	cfg->reply_localpart = g_strdup("intro");
	cfg->name = g_strdup("passalong");
	cfg->socket = g_strdup("unix:/run/passalong/milter.sock");
	cfg->max_message_size = 10485760;
	cfg->spool_threshold = 1048576;
	cfg->max_mime_parts = 1000;
	cfg->max_mime_depth = 20;
	cfg->sender_auth = SENDER_AUTH_AUTH;
	cfg->timeout = 30;
	cfg->socket_mode = 0660;
	cfg->shares_per_hour = 5;
	cfg->shares_per_day = 20;
	cfg->intros_per_friend_per_week = 3;
	cfg->store_path = g_strdup("/var/lib/passalong/passalong.db");
	cfg->busy_timeout = 5000;
	cfg->store_pool = 4;
	cfg->consent_requests_per_friend_per_week = 3;
	cfg->consent_mode = g_strdup("ask");
	cfg->remind_after = 3 * 86400;
	cfg->expire_after = 7 * 86400;
	cfg->sender_enabled = TRUE;
	cfg->smtp_url = g_strdup("smtp://127.0.0.1:10025");
	cfg->from_localpart = g_strdup("intros");
	cfg->retry_min = 60;
	cfg->retry_max = 4 * 3600;
	cfg->max_attempts = 30;
	cfg->poll_interval = 5;
	cfg->lease = 120;
	cfg->digest_enabled = TRUE;
	cfg->digest_skip_empty = TRUE;
	cfg->digest_day = g_strdup("mon");
	cfg->digest_hour = 8;
	cfg->webhooks =
	    g_ptr_array_new_with_free_func((GDestroyNotify)config_webhook_free);
	return cfg;
}

/* config_free - release a Config; accepts NULL */
void
config_free(Config *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->path);
	g_free(cfg->group);
	if (cfg->lines != NULL)
		g_hash_table_destroy(cfg->lines);
	if (cfg->webhooks != NULL)
		g_ptr_array_unref(cfg->webhooks);
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

/* parse_mode - permission bits in octal, as chmod takes them */
static gboolean
parse_mode(const char *value, guint *out)
{
	guint v = 0;
	size_t n = strlen(value);

	if (n == 0 || n > 4)
		return FALSE;
	for (const char *p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			return FALSE;
		v = v * 8 + (guint)(*p - '0');
	}
	if (v > 0777)
		return FALSE;
	*out = v;
	return TRUE;
}

/* control_char - the first control character in value, or 0 */
static unsigned char
control_char(const char *value)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return *p;
	return 0;
}

/* check_domain - a host name of letters, digits, hyphens and dots */
static gboolean
check_domain(const char *value, char **why)
{
	g_auto(GStrv) labels = g_strsplit(value, ".", -1);
	guint n = g_strv_length(labels);
	gboolean ok = n >= 2 && strlen(value) <= 253;

	for (guint i = 0; ok && i < n; i++) {
		size_t len = strlen(labels[i]);

		ok = len > 0 && len <= 63 && labels[i][0] != '-' &&
		     labels[i][len - 1] != '-';
		for (size_t j = 0; ok && j < len; j++)
			ok = g_ascii_isalnum(labels[i][j]) ||
			     labels[i][j] == '-';
	}
	if (ok && strspn(labels[n - 1], "0123456789") == strlen(labels[n - 1]))
		ok = FALSE; /* an address, not a name */
	if (!ok)
		*why = g_strdup_printf("\"%s\" is not a domain name (letters, "
				       "digits, hyphens and dots, as "
				       "intro.example.org)",
		    value);
	return ok;
}

/* check_localpart - a dot-atom (RFC 5322 atext, dots between) */
static gboolean
check_localpart(const char *value, char **why)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	size_t n = strlen(value);
	gboolean ok = n > 0 && n <= 64 && value[0] != '.' &&
		      value[n - 1] != '.' && strstr(value, "..") == NULL;

	for (const char *p = value; ok && *p != '\0'; p++)
		ok = g_ascii_isalnum(*p) || *p == '.' ||
		     ((unsigned char)*p < 0x80 && strchr(atext, *p) != NULL);
	if (!ok)
		*why = g_strdup_printf("\"%s\" is not a plain local part "
				       "(letters, digits, dots between, and "
				       "!#$%%&'*+-/=?^_`{|}~; at most 64)",
		    value);
	return ok;
}

/* check_share_localpart - a local part that + and = can extend */
static gboolean
check_share_localpart(const char *value, char **why)
{
	if (!check_localpart(value, why))
		return FALSE;
	if (strpbrk(value, "+=") != NULL) {
		*why = g_strdup("must not contain + or = (they separate "
				"the handle or the address)");
		return FALSE;
	}
	return TRUE;
}

/* check_name - the product name of display names: one short line */
static gboolean
check_name(const char *value, char **why)
{
	if (g_utf8_strlen(value, -1) > 64) {
		*why = g_strdup("longer than 64 characters");
		return FALSE;
	}
	return TRUE;
}

/* check_token - an authserv-id: a host name or a similar token */
static gboolean
check_token(const char *value, char **why)
{
	for (const char *p = value; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && strchr(".-_:", *p) == NULL) {
			*why = g_strdup_printf("\"%s\" is not an authserv-id "
					       "(a name such as "
					       "mx.example.org)",
			    value);
			return FALSE;
		}
	}
	return TRUE;
}

/* account_ok - a user or group name as useradd(8) allows it */
static gboolean
account_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32 || name[0] == '-')
		return FALSE;
	for (const char *p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("._-", *p) == NULL)
			return FALSE;
	return TRUE;
}

/* check_account - one user or group name */
static gboolean
check_account(const char *value, char **why)
{
	if (!account_ok(value)) {
		*why = g_strdup_printf(
		    "\"%s\" is not a user or group name", value);
		return FALSE;
	}
	return TRUE;
}

/* check_user - NAME or NAME:GROUP */
static gboolean
check_user(const char *value, char **why)
{
	g_auto(GStrv) parts = g_strsplit(value, ":", 3);

	if (g_strv_length(parts) > 2 || !account_ok(parts[0]) ||
	    (parts[1] != NULL && !account_ok(parts[1]))) {
		*why =
		    g_strdup_printf("\"%s\" is not USER or USER:GROUP", value);
		return FALSE;
	}
	return TRUE;
}

/* check_abs_path - the daemon works from /: relative paths would move */
static gboolean
check_abs_path(const char *value, char **why)
{
	if (value[0] != '/') {
		*why = g_strdup_printf("\"%s\" is not an absolute path", value);
		return FALSE;
	}
	return TRUE;
}

/* check_socket - a socket libmilter can open */
static gboolean
check_socket(const char *value, char **why)
{
	ConfigSocket sock = { 0 };
	gboolean ok = config_socket_parse(value, &sock, why);

	config_socket_clear(&sock);
	return ok;
}

/* check_smtp_url - smtp:// or smtps://, a host, a port if any */
static gboolean
check_smtp_url(const char *value, char **why)
{
	g_autoptr(GUri) uri = g_uri_parse(value, G_URI_FLAGS_NONE, NULL);
	const char *scheme = uri != NULL ? g_uri_get_scheme(uri) : NULL;
	const char *host = uri != NULL ? g_uri_get_host(uri) : NULL;

	if (scheme == NULL || (g_ascii_strcasecmp(scheme, "smtp") != 0 &&
				  g_ascii_strcasecmp(scheme, "smtps") != 0)) {
		*why = g_strdup("must start with smtp:// or smtps://");
		return FALSE;
	}
	if (host == NULL || *host == '\0') {
		*why = g_strdup_printf("\"%s\" names no host", value);
		return FALSE;
	}
	if (g_uri_get_port(uri) == 0) {
		*why = g_strdup_printf("\"%s\": port 0", value);
		return FALSE;
	}
	return TRUE;
}

/* check_consent_mode - ask or direct */
static gboolean
check_consent_mode(const char *value, char **why)
{
	if (strcmp(value, "ask") == 0 || strcmp(value, "direct") == 0)
		return TRUE;
	*why = g_strdup_printf("\"%s\": use ask or direct", value);
	return FALSE;
}

/* check_digest_day - mon..sun (a site turns digests off with
 * [digest] enabled = false, a member with --digest-day never) */
static gboolean
check_digest_day(const char *value, char **why)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
		"sat", "sun" };

	for (size_t i = 0; i < G_N_ELEMENTS(days); i++)
		if (strcmp(value, days[i]) == 0)
			return TRUE;
	*why = g_strdup_printf(
	    "\"%s\": use mon, tue, wed, thu, fri, sat or sun", value);
	return FALSE;
}

/* parse_duration - "90", "90s", "15m", "12h", "3d" or "2w" in seconds,
 * at most max */
static gboolean
parse_duration(const char *value, guint64 max, guint64 *out)
{
	static const struct {
		char unit;
		guint64 seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 } };
	g_autofree char *num = g_strdup(value);
	size_t n = strlen(num);
	guint64 mult = 1, v;

	for (size_t i = 0; n > 1 && i < G_N_ELEMENTS(units); i++)
		if (num[n - 1] == units[i].unit) {
			mult = units[i].seconds;
			num[n - 1] = '\0';
		}
	if (!parse_uint(num, max, &v) || v > max / mult)
		return FALSE;
	*out = v * mult;
	return *out <= max;
}

/* check_store_url - sqlite:/ABSOLUTE/PATH, postgresql://..., or a libpq
 * key=value string; libpq itself judges the rest when it connects */
static gboolean
check_store_url(const char *value, char **why)
{
	if (g_str_has_prefix(value, "sqlite:")) {
		const char *path = value + strlen("sqlite:");

		if (g_str_has_prefix(path, "//"))
			path += 2;
		if (path[0] != '/') {
			*why = g_strdup_printf(
			    "\"%s\": use sqlite:/absolute/path", value);
			return FALSE;
		}
		return TRUE;
	}
	if (g_str_has_prefix(value, "postgresql://") ||
	    g_str_has_prefix(value, "postgres://") ||
	    g_regex_match_simple("^\\s*[a-z_]+\\s*=", value, 0, 0))
		return TRUE;
	*why = g_strdup_printf("\"%s\" is not a store URL: use "
			       "sqlite:/path/to/file.db, postgresql://HOST/DB "
			       "or a libpq string such as \"host=... "
			       "dbname=...\"",
	    value);
	return FALSE;
}

/* check_web_listen - HOST:PORT or [V6]:PORT, an address to bind */
static gboolean
check_web_listen(const char *value, char **why)
{
	g_autofree char *host = NULL;
	guint port = 0;

	return config_web_listen_parse(value, &host, &port, why);
}

/* loopback - a host name that never leaves the machine */
static gboolean
loopback(const char *host)
{
	return g_ascii_strcasecmp(host, "localhost") == 0 ||
	       strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 ||
	       strcmp(host, "[::1]") == 0;
}

/* check_base_url - https://HOST[:PORT][/PATH], no user, query or
 * fragment; http:// only on loopback (a test, or a proxy on the host) */
static gboolean
check_base_url(const char *value, char **why)
{
	g_autoptr(GUri) uri =
	    g_uri_parse(value, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
	const char *scheme = uri != NULL ? g_uri_get_scheme(uri) : NULL;
	const char *host = uri != NULL ? g_uri_get_host(uri) : NULL;

	if (scheme == NULL || (g_ascii_strcasecmp(scheme, "https") != 0 &&
				  g_ascii_strcasecmp(scheme, "http") != 0)) {
		*why = g_strdup("must start with https://");
		return FALSE;
	}
	if (host == NULL || *host == '\0') {
		*why = g_strdup_printf("\"%s\" names no host", value);
		return FALSE;
	}
	/* base_url + "/c/" + a 26-character token + "/yes" must fit one
	 * 72-column line of the text parts, where a link cannot wrap */
	if (strlen(value) > CONFIG_BASE_URL_MAX) {
		*why = g_strdup_printf("\"%s\" is more than %d characters "
				       "(every link must fit one line of "
				       "text mail)",
		    value, CONFIG_BASE_URL_MAX);
		return FALSE;
	}
	if (g_ascii_strcasecmp(scheme, "http") == 0 && !loopback(host)) {
		*why = g_strdup_printf("\"%s\": links in mail must be https:// "
				       "(http:// only for 127.0.0.1, [::1] or "
				       "localhost)",
		    value);
		return FALSE;
	}
	if (g_uri_get_userinfo(uri) != NULL || g_uri_get_query(uri) != NULL ||
	    g_uri_get_fragment(uri) != NULL ||
	    strpbrk(value, " \"'<>\\^`{|}") != NULL) {
		*why = g_strdup_printf("\"%s\": no user, query, fragment, "
				       "space or quote (the links add /u/ "
				       "and /c/ to it)",
		    value);
		return FALSE;
	}
	return TRUE;
}

/* config_web_link - a link to the web endpoint, for mail and the CLI */
char *
config_web_link(const Config *cfg, const char *route, const char *token)
{
	const char *base = cfg->web_base_url;
	gsize n;

	if (base == NULL || token == NULL)
		return NULL;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return g_strdup_printf("%.*s/%s/%s", (int)n, base, route, token);
}

/* config_reply_address - where a friend answers: LOCAL+TOKEN@domain */
char *
config_reply_address(const Config *cfg, const char *token)
{
	if (token == NULL)
		return NULL;
	return g_strdup_printf(
	    "%s+%s@%s", cfg->reply_localpart, token, cfg->domain);
}

/* the shape each string key must have, beyond "no control character" */
static const struct {
	const char *group;
	const char *key;
	gboolean (*ok)(const char *value, char **why);
} string_rules[] = {
	{ "gateway", "domain", check_domain },
	{ "gateway", "share_localpart", check_share_localpart },
	{ "gateway", "reply_localpart", check_share_localpart },
	{ "gateway", "name", check_name },
	{ "milter", "socket", check_socket },
	{ "milter", "spool_dir", check_abs_path },
	{ "milter", "authserv_id", check_token },
	{ "milter", "user", check_user },
	{ "milter", "socket_group", check_account },
	{ "milter", "pid_file", check_abs_path },
	{ "store", "path", check_abs_path },
	{ "store", "url", check_store_url },
	{ "consent", "mode", check_consent_mode },
	{ "store", "passfile", check_abs_path },
	{ "sender", "smtp_url", check_smtp_url },
	{ "sender", "from_localpart", check_localpart },
	{ "web", "listen", check_web_listen },
	{ "digest", "day", check_digest_day },
	{ "web", "base_url", check_base_url },
};

/* check_string - a string value's problem, or NULL */
static char *
check_string(const KeyDef *def, const char *value)
{
	unsigned char c = control_char(value);
	char *why = NULL;

	if (*value == '\0')
		return g_strdup("empty value");
	if (c != 0)
		return g_strdup_printf(
		    "contains a control character (0x%02x)", c);
	for (size_t i = 0; i < G_N_ELEMENTS(string_rules); i++)
		if (strcmp(string_rules[i].group, def->group) == 0 &&
		    strcmp(string_rules[i].key, def->key) == 0 &&
		    !string_rules[i].ok(value, &why))
			return why;
	return NULL;
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
		if ((bad = check_string(def, value)) != NULL)
			return bad;
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
	case KEY_MODE:
		if (!parse_mode(value, &bits))
			return g_strdup("not a mode in octal (as 0660)");
		G_STRUCT_MEMBER(guint, cfg, def->offset) = bits;
		return NULL;
	case KEY_DURATION:
		if (!parse_duration(value, def->max, &n) || n == 0)
			return g_strdup_printf("not a duration from 1 second "
					       "to %" G_GUINT64_FORMAT
					       " days (as 90s, 15m, 12h, 3d)",
			    def->max / 86400);
		G_STRUCT_MEMBER(guint, cfg, def->offset) = (guint)n;
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

/* the state of one pass over a file */
typedef struct {
	Config *cfg;
	const char *path;
	char *group;        /* the [group] the lines are in, or NULL */
	GHashTable *groups; /* group -> line where it was opened */
	guint settings;     /* key = value lines seen */
	GString *errs;
} Parse;

/* key_id - the lines table's key for group/key (transfer full) */
static char *
key_id(const char *group, const char *key)
{
	return g_strconcat(group, "/", key, NULL);
}

/* config_where - where a key was set, for messages */
char *
config_where(const Config *cfg, const char *group, const char *key)
{
	g_autofree char *id = key_id(group, key);
	guint line = cfg->lines != NULL
			 ? GPOINTER_TO_UINT(g_hash_table_lookup(cfg->lines, id))
			 : 0;
	const char *path = cfg->path != NULL ? cfg->path : "(defaults)";

	if (line == 0)
		return g_strdup_printf(
		    "%s: [%s] %s (default)", path, group, key);
	return g_strdup_printf("%s:%u: [%s] %s", path, line, group, key);
}

/* parse_group - a "[group]" line */
static void
parse_group(Parse *ps, guint lineno, char *line)
{
	char *end, *problem;
	gpointer first;
	gboolean hook;

	strip_comment(line);
	end = strchr(line, ']');
	if (end == NULL || end[1] != '\0' || end == line + 1) {
		g_string_append_printf(
		    ps->errs, "%s:%u: bad group line\n", ps->path, lineno);
		return;
	}
	*end = '\0';
	g_free(ps->group);
	ps->group = g_strdup(line + 1);
	hook = config_is_webhook_group(ps->group);
	if (!hook && !known_group(ps->group)) {
		g_string_append_printf(ps->errs, "%s:%u: [%s]: unknown group\n",
		    ps->path, lineno, ps->group);
		return;
	}
	first = g_hash_table_lookup(ps->groups, ps->group);
	if (first != NULL) {
		g_string_append_printf(ps->errs,
		    "%s:%u: [%s]: group opened again (first at line %u); "
		    "keep a group's keys together\n",
		    ps->path, lineno, ps->group, GPOINTER_TO_UINT(first));
		return;
	}
	g_hash_table_insert(
	    ps->groups, g_strdup(ps->group), GUINT_TO_POINTER(lineno));
	if (hook && (problem = config_webhook_open(
			 ps->cfg, ps->group, lineno)) != NULL) {
		g_string_append_printf(ps->errs, "%s:%u: [%s]: %s\n", ps->path,
		    lineno, ps->group, problem);
		g_free(problem);
	}
}

/* parse_line - one line of the file; appends problems to ps->errs */
static void
parse_line(Parse *ps, guint lineno, char *line)
{
	char *eq, *key, *value, *problem;
	const KeyDef *def;
	ConfigWebhook *wh;
	gpointer first;
	g_autofree char *id = NULL;

	g_strstrip(line);
	if (*line == '\0' || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		parse_group(ps, lineno, line);
		return;
	}
	eq = strchr(line, '=');
	if (eq == NULL) {
		g_string_append_printf(ps->errs,
		    "%s:%u: not a \"key = value\" line\n", ps->path, lineno);
		return;
	}
	ps->settings++;
	*eq = '\0';
	key = g_strstrip(line);
	value = eq + 1;
	strip_comment(value);
	if (ps->group == NULL) {
		g_string_append_printf(ps->errs,
		    "%s:%u: %s: key outside of a [group]\n", ps->path, lineno,
		    key);
		return;
	}
	wh = config_webhook_of_group(ps->cfg, ps->group);
	if (wh == NULL && !known_group(ps->group))
		return; /* already reported at the group line */
	def = wh == NULL ? find_key(ps->group, key) : NULL;
	if (def == NULL && (wh == NULL || !config_webhook_known_key(key))) {
		g_string_append_printf(ps->errs,
		    "%s:%u: [%s] %s: unknown key\n", ps->path, lineno,
		    ps->group, key);
		return;
	}
	id = key_id(ps->group, key);
	first = g_hash_table_lookup(ps->cfg->lines, id);
	if (first != NULL) {
		g_string_append_printf(ps->errs,
		    "%s:%u: [%s] %s: set again (first set at line %u); a key "
		    "may be set once\n",
		    ps->path, lineno, ps->group, key, GPOINTER_TO_UINT(first));
		return;
	}
	g_hash_table_insert(
	    ps->cfg->lines, g_steal_pointer(&id), GUINT_TO_POINTER(lineno));
	problem = wh != NULL ? config_webhook_set(wh, key, value)
			     : set_value(ps->cfg, def, value);
	if (problem != NULL) {
		g_string_append_printf(ps->errs, "%s:%u: [%s] %s: %s\n",
		    ps->path, lineno, ps->group, key, problem);
		g_free(problem);
	}
}

static void add_problem(GString *errs, const Config *cfg, const char *group_key,
    const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* add_problem - one line "FILE:LINE: [group] key: text" of a later check */
static void
add_problem(GString *errs, const Config *cfg, const char *group_key,
    const char *fmt, ...)
{
	g_auto(GStrv) gk = g_strsplit(group_key, " ", 2);
	g_autofree char *where = config_where(cfg, gk[0], gk[1]);
	va_list ap;

	g_string_append_printf(errs, "%s: ", where);
	va_start(ap, fmt);
	g_string_append_vprintf(errs, fmt, ap);
	va_end(ap);
	g_string_append_c(errs, '\n');
}

/* check_values - rules that tie values together, after the last line */
static void
check_values(const Config *cfg, GString *errs)
{
	if (cfg->sender_auth & SENDER_AUTH_SECRET)
		add_problem(errs, cfg, "milter sender_auth",
		    "secret addresses are not supported by this version; use "
		    "auth or dmarc");
	if ((cfg->sender_auth & SENDER_AUTH_DMARC) && cfg->authserv_id == NULL)
		add_problem(errs, cfg, "milter sender_auth",
		    "dmarc needs [milter] authserv_id (your verifier's id)");
	if (cfg->retry_min == 0 || cfg->retry_max < cfg->retry_min)
		add_problem(errs, cfg, "sender retry_min",
		    "need 0 < retry_min <= retry_max (%u)", cfg->retry_max);
	if (cfg->max_attempts == 0)
		add_problem(
		    errs, cfg, "sender max_attempts", "must be at least 1");
	if (cfg->poll_interval == 0)
		add_problem(
		    errs, cfg, "sender poll_interval", "must be at least 1");
	if (cfg->lease < 30)
		add_problem(errs, cfg, "sender lease",
		    "must be at least 30 (seconds one delivery may take)");
	if (g_hash_table_contains(cfg->lines, "store/path") &&
	    g_hash_table_contains(cfg->lines, "store/url"))
		add_problem(errs, cfg, "store url",
		    "give either [store] url or [store] path, not both");
	if (cfg->store_pool == 0)
		add_problem(errs, cfg, "store pool", "must be at least 1");
	if (cfg->remind_after >= cfg->expire_after)
		add_problem(errs, cfg, "consent remind_after",
		    "must be shorter than expire_after (%u seconds)",
		    cfg->expire_after);
	/* LOCAL+TOKEN@: a reply must never read as a share or as an
	 * unsubscription (milter/unsub.c's fixed "unsubscribe") */
	if (g_ascii_strcasecmp(cfg->reply_localpart, cfg->share_localpart) ==
		0 ||
	    g_ascii_strcasecmp(cfg->reply_localpart, "unsubscribe") == 0)
		add_problem(errs, cfg, "gateway reply_localpart",
		    "must differ from share_localpart (%s) and from "
		    "\"unsubscribe\"",
		    cfg->share_localpart);
	if (cfg->web_listen != NULL && cfg->web_base_url == NULL)
		add_problem(errs, cfg, "web listen",
		    "needs [web] base_url (the public https:// address the "
		    "links in mail name)");
	config_webhooks_check(cfg, errs);
}

/* resolve_store - store_path is the SQLite file, or NULL on PostgreSQL */
static void
resolve_store(Config *cfg)
{
	const char *path;

	if (cfg->store_url == NULL)
		return;
	g_free(cfg->store_path);
	cfg->store_path = NULL;
	if (g_str_has_prefix(cfg->store_url, "sqlite:")) {
		path = cfg->store_url + strlen("sqlite:");
		if (g_str_has_prefix(path, "//"))
			path += 2;
		cfg->store_path = g_strdup(path);
	}
}

/* config_store_url - what store_open() takes: [store] url, or path */
const char *
config_store_url(const Config *cfg)
{
	return cfg->store_url != NULL ? cfg->store_url : cfg->store_path;
}

/* split_user - "user = NAME:GROUP" into user and group */
static void
split_user(Config *cfg)
{
	char *colon;

	if (cfg->user == NULL || (colon = strchr(cfg->user, ':')) == NULL)
		return;
	cfg->group = g_strdup(colon + 1);
	*colon = '\0';
}

/* config_load - read, check and return the configuration at path */
Config *
config_load(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GString) errs = NULL;
	g_auto(GStrv) lines = NULL;
	GError *io = NULL;
	Parse ps = { 0 };
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
	cfg->path = g_strdup(path);
	cfg->lines =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	errs = g_string_new(NULL);
	ps = (Parse){ .cfg = cfg,
		.path = path,
		.groups = g_hash_table_new_full(
		    g_str_hash, g_str_equal, g_free, NULL),
		.errs = errs };
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		parse_line(&ps, i + 1, lines[i]);
	g_free(ps.group);
	g_hash_table_destroy(ps.groups);
	if (ps.settings == 0)
		g_string_append_printf(errs,
		    "%s: no settings: an empty file is not a configuration "
		    "(start from passalong.conf.example)\n",
		    path);
	else if (!g_hash_table_contains(cfg->lines, "gateway/domain"))
		g_string_append_printf(errs,
		    "%s: [gateway] domain: required (the domain of the share "
		    "addresses)\n",
		    path);
	check_values(cfg, errs);
	if (errs->len > 0) {
		g_string_truncate(errs, errs->len - 1); /* last newline */
		g_set_error_literal(
		    error, CONFIG_ERROR, CONFIG_ERROR_INVALID, errs->str);
		config_free(cfg);
		return NULL;
	}
	split_user(cfg);
	resolve_store(cfg);
	return cfg;
}

/* socket_port - "PORT[@HOST]" of an inet socket */
static gboolean
socket_port(const char *rest, ConfigSocket *sock, char **problem_out)
{
	const char *at = strchr(rest, '@');
	g_autofree char *port =
	    at != NULL ? g_strndup(rest, (gsize)(at - rest)) : g_strdup(rest);
	guint64 n = 0;

	if (!parse_uint(port, 65535, &n) || n == 0) {
		*problem_out = g_strdup_printf(
		    "\"%s\" is not a port number from 1 to 65535", port);
		return FALSE;
	}
	sock->port = (guint)n;
	if (at == NULL)
		return TRUE;
	if (at[1] == '\0' ||
	    strspn(at + 1,
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") != strlen(at + 1)) {
		*problem_out = g_strdup_printf(
		    "\"%s\" is not a host name or address", at + 1);
		return FALSE;
	}
	sock->host = g_strdup(at + 1);
	return TRUE;
}

/* config_socket_parse - libmilter's socket syntax, checked */
gboolean
config_socket_parse(const char *spec, ConfigSocket *sock, char **problem_out)
{
	const char *path = NULL;

	g_return_val_if_fail(spec != NULL && sock != NULL, FALSE);
	memset(sock, 0, sizeof(*sock));
	if (g_str_has_prefix(spec, "inet:") ||
	    g_str_has_prefix(spec, "inet6:")) {
		sock->kind =
		    spec[4] == '6' ? CONFIG_SOCKET_INET6 : CONFIG_SOCKET_INET;
		return socket_port(strchr(spec, ':') + 1, sock, problem_out);
	}
	if (g_str_has_prefix(spec, "unix:") || g_str_has_prefix(spec, "local:"))
		path = strchr(spec, ':') + 1;
	else if (spec[0] == '/')
		path = spec;
	if (path == NULL) {
		*problem_out = g_strdup(
		    "use unix:/path, inet:PORT@HOST or inet6:PORT@HOST");
		return FALSE;
	}
	if (path[0] != '/') {
		*problem_out =
		    g_strdup_printf("\"%s\" is not an absolute path", path);
		return FALSE;
	}
	if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		*problem_out =
		    g_strdup_printf("the path is longer than %zu bytes",
			sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
		return FALSE;
	}
	sock->kind = CONFIG_SOCKET_UNIX;
	sock->path = g_strdup(path);
	return TRUE;
}

/* config_socket_clear - free a ConfigSocket's strings */
void
config_socket_clear(ConfigSocket *sock)
{
	if (sock == NULL)
		return;
	g_clear_pointer(&sock->path, g_free);
	g_clear_pointer(&sock->host, g_free);
}

/* config_web_listen_parse - "HOST:PORT" or "[V6]:PORT" of [web] listen:
 * a numeric address (no name to resolve at start) and a port */
gboolean
config_web_listen_parse(
    const char *spec, char **host, guint *port, char **problem_out)
{
	const char *colon;
	g_autofree char *h = NULL;
	guint64 n = 0;
	GInetAddress *ia;

	g_return_val_if_fail(
	    spec != NULL && host != NULL && port != NULL, FALSE);
	*host = NULL;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':') {
			*problem_out = g_strdup_printf(
			    "\"%s\": use [ADDRESS]:PORT for IPv6", spec);
			return FALSE;
		}
		h = g_strndup(spec + 1, (gsize)(close - spec - 1));
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || strchr(spec, ':') != colon) {
			*problem_out = g_strdup_printf(
			    "\"%s\": use ADDRESS:PORT, as 127.0.0.1:8025 or "
			    "[::1]:8025",
			    spec);
			return FALSE;
		}
		h = g_strndup(spec, (gsize)(colon - spec));
	}
	ia = g_inet_address_new_from_string(h);
	if (ia == NULL || (spec[0] == '[') != (g_inet_address_get_family(ia) ==
						  G_SOCKET_FAMILY_IPV6)) {
		if (ia != NULL)
			g_object_unref(ia);
		*problem_out = g_strdup_printf(
		    "\"%s\" is not a numeric address (127.0.0.1, [::1] ...)",
		    h);
		return FALSE;
	}
	g_object_unref(ia);
	if (!parse_uint(colon + 1, 65535, &n) || n == 0) {
		*problem_out = g_strdup_printf(
		    "\"%s\" is not a port number from 1 to 65535", colon + 1);
		return FALSE;
	}
	*host = g_steal_pointer(&h);
	*port = (guint)n;
	return TRUE;
}
