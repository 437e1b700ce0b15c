/*
 * config_webhook.c - the [webhook NAME] groups of the configuration
 *
 * One group per receiver, so that each has its own URL, secret, events
 * and timeout, and so that the parser's rules (a key set once, a group
 * opened once) hold for each of them as for every other group:
 *
 *	[webhook crm]
 *	url = https://crm.example.org/hooks/passalong
 *	secret_file = /etc/passalong/crm.secret
 *	events = share.recorded intro.sent
 *
 * The secret is written as the Standard Webhooks specification writes
 * it, "whsec_" and the base64 of 24 to 64 random bytes; a file holding
 * it (secret_file) keeps it out of a configuration that is readable by
 * more people than the daemon. The file is read when the configuration
 * is loaded (and again on SIGUSR1), by the user the daemon runs as.
 *
 * Trust: the file is the operator's; the URL still must be http or
 * https with a host and without credentials (they would reach the
 * logs), and the secret must decode, so that "passalong-milter -n"
 * finds a mistake before the first event does.
 */
#include "config.h"

#include <string.h>

#include "common/config_int.h"

#define NAME_MAX_LEN 64
#define KEY_MIN 24 /* bytes of a decoded secret, as the specification */
#define KEY_MAX 64
#define TIMEOUT_DEFAULT 10 /* seconds */
#define TIMEOUT_MAX 60

static const char *const event_names[] = { "share.recorded", "intro.sent",
	"delivery.failed" };

static const char *const webhook_keys[] = { "url", "secret", "secret_file",
	"events", "timeout" };

/* config_event_name - the name of one CONFIG_EVENT_* bit */
const char *
config_event_name(guint event)
{
	for (guint i = 0; i < G_N_ELEMENTS(event_names); i++)
		if (event == 1u << i)
			return event_names[i];
	return NULL;
}

/* config_is_webhook_group - "webhook" or "webhook NAME" */
gboolean
config_is_webhook_group(const char *group)
{
	return g_str_has_prefix(group, "webhook") &&
	       (group[7] == '\0' || g_ascii_isspace(group[7]));
}

/* name_ok - 1 to 64 of [a-z0-9._-]: it is stored as a recipient */
static gboolean
name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN)
		return FALSE;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* group_name - NAME of "webhook NAME" (borrowed from group) */
static const char *
group_name(const char *group)
{
	const char *p = group + strlen("webhook");

	while (g_ascii_isspace(*p))
		p++;
	return p;
}

/* config_webhook_free - release a ConfigWebhook; accepts NULL */
void
config_webhook_free(ConfigWebhook *wh)
{
	if (wh == NULL)
		return;
	g_free(wh->name);
	g_free(wh->url);
	g_free(wh->secret);
	g_free(wh->secret_file);
	if (wh->key != NULL)
		g_bytes_unref(wh->key);
	g_free(wh);
}

/* config_webhook_open - a new [webhook NAME]; NULL or the problem */
char *
config_webhook_open(Config *cfg, const char *group, guint line)
{
	const char *name = group_name(group);
	ConfigWebhook *wh;

	if (!name_ok(name))
		return g_strdup_printf("\"%s\" is not a webhook name (1 to 64 "
				       "of a-z, 0-9, '.', '_' and '-', as "
				       "[webhook crm])",
		    name);
	wh = g_new0(ConfigWebhook, 1);
	wh->name = g_strdup(name);
	wh->events = CONFIG_EVENT_ALL;
	wh->timeout = TIMEOUT_DEFAULT;
	wh->line = line;
	g_ptr_array_add(cfg->webhooks, wh);
	return NULL;
}

/* config_webhook - the webhook called name, or NULL */
const ConfigWebhook *
config_webhook(const Config *cfg, const char *name)
{
	g_return_val_if_fail(cfg != NULL && name != NULL, NULL);
	for (guint i = 0; cfg->webhooks != NULL && i < cfg->webhooks->len;
	     i++) {
		const ConfigWebhook *wh = g_ptr_array_index(cfg->webhooks, i);

		if (strcmp(wh->name, name) == 0)
			return wh;
	}
	return NULL;
}

/* config_webhook_of_group - the webhook a "webhook NAME" group opened */
ConfigWebhook *
config_webhook_of_group(const Config *cfg, const char *group)
{
	if (!config_is_webhook_group(group))
		return NULL;
	return (ConfigWebhook *)config_webhook(cfg, group_name(group));
}

/* config_webhook_known_key - whether key belongs in a webhook group */
gboolean
config_webhook_known_key(const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(webhook_keys); i++)
		if (strcmp(key, webhook_keys[i]) == 0)
			return TRUE;
	return FALSE;
}

/* check_url - http:// or https://, a host, no credentials, a port */
static char *
check_url(const char *value)
{
	g_autoptr(GUri) uri = g_uri_parse(value, G_URI_FLAGS_NONE, NULL);
	const char *scheme = uri != NULL ? g_uri_get_scheme(uri) : NULL;
	const char *host = uri != NULL ? g_uri_get_host(uri) : NULL;

	if (scheme == NULL || (g_ascii_strcasecmp(scheme, "http") != 0 &&
				  g_ascii_strcasecmp(scheme, "https") != 0))
		return g_strdup("must start with http:// or https://");
	if (host == NULL || *host == '\0')
		return g_strdup_printf("\"%s\" names no host", value);
	if (g_uri_get_userinfo(uri) != NULL)
		return g_strdup("put no user or password in the URL (it "
				"would be logged); the signature "
				"authenticates the sender");
	if (g_uri_get_port(uri) == 0)
		return g_strdup_printf("\"%s\": port 0", value);
	return NULL;
}

/* parse_events - "share.recorded intro.sent" (spaces or commas), "all" */
static char *
parse_events(const char *value, guint *bits)
{
	g_auto(GStrv) words = g_strsplit_set(value, " ,\t", -1);

	*bits = 0;
	for (char **w = words; *w != NULL; w++) {
		guint bit = 0;

		if (**w == '\0')
			continue;
		if (strcmp(*w, "all") == 0)
			bit = CONFIG_EVENT_ALL;
		for (guint i = 0; i < G_N_ELEMENTS(event_names); i++)
			if (strcmp(*w, event_names[i]) == 0)
				bit = 1u << i;
		if (bit == 0)
			return g_strdup_printf("unknown event \"%s\" (use "
					       "share.recorded, intro.sent, "
					       "delivery.failed or all)",
			    *w);
		*bits |= bit;
	}
	if (*bits == 0)
		return g_strdup("no event named");
	return NULL;
}

/* is_base64 - only the standard alphabet, padded to a multiple of 4 */
static gboolean
is_base64(const char *s)
{
	size_t n = strlen(s);
	size_t body = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789+/");

	if (n == 0 || n % 4 != 0 || n - body > 2)
		return FALSE;
	for (size_t i = body; i < n; i++)
		if (s[i] != '=')
			return FALSE;
	return TRUE;
}

/* config_webhook_key - the bytes of a whsec_<base64> secret */
GBytes *
config_webhook_key(const char *secret, char **why)
{
	const char *b64;
	guchar *raw;
	gsize len = 0;

	g_return_val_if_fail(secret != NULL && why != NULL, NULL);
	if (!g_str_has_prefix(secret, "whsec_")) {
		*why = g_strdup("a secret starts with whsec_ (whsec_ and the "
				"base64 of 24 to 64 random bytes)");
		return NULL;
	}
	b64 = secret + strlen("whsec_");
	if (!is_base64(b64)) {
		*why = g_strdup("the secret after whsec_ is not base64");
		return NULL;
	}
	raw = g_base64_decode(b64, &len);
	if (len < KEY_MIN || len > KEY_MAX) {
		g_free(raw);
		*why = g_strdup_printf("the secret is %" G_GSIZE_FORMAT
				       " bytes; use 24 to 64 random bytes",
		    len);
		return NULL;
	}
	return g_bytes_new_take(raw, len);
}

/* config_webhook_set - one key of a webhook; NULL or the problem */
char *
config_webhook_set(ConfigWebhook *wh, const char *key, const char *value)
{
	char *why = NULL;
	guint64 n;
	char *end = NULL;

	if (*value == '\0')
		return g_strdup("empty value");
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return g_strdup_printf(
			    "contains a control character (0x%02x)", *p);
	if (strcmp(key, "url") == 0) {
		if ((why = check_url(value)) == NULL)
			wh->url = g_strdup(value);
	} else if (strcmp(key, "secret") == 0) {
		wh->key = config_webhook_key(value, &why);
		if (wh->key != NULL)
			wh->secret = g_strdup(value);
	} else if (strcmp(key, "secret_file") == 0) {
		if (value[0] != '/')
			why = g_strdup_printf(
			    "\"%s\" is not an absolute path", value);
		else
			wh->secret_file = g_strdup(value);
	} else if (strcmp(key, "events") == 0) {
		why = parse_events(value, &wh->events);
	} else if (strcmp(key, "timeout") == 0) {
		n = g_ascii_strtoull(value, &end, 10);
		if (!g_ascii_isdigit(*value) || *end != '\0' || n < 1 ||
		    n > TIMEOUT_MAX)
			why = g_strdup_printf(
			    "not a number from 1 to %d (seconds)", TIMEOUT_MAX);
		else
			wh->timeout = (guint)n;
	} else
		g_assert_not_reached();
	return why;
}

/* read_secret_file - the key in wh->secret_file; NULL or the problem */
static char *
read_secret_file(ConfigWebhook *wh)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	char *why = NULL;

	if (!g_file_get_contents(wh->secret_file, &text, NULL, &error))
		return g_strdup_printf("%s (the file must be readable by the "
				       "user the daemon runs as)",
		    error->message);
	g_strstrip(text);
	wh->key = config_webhook_key(text, &why);
	if (wh->key == NULL) {
		char *msg = g_strdup_printf("%s: %s", wh->secret_file, why);

		g_free(why);
		return msg;
	}
	return NULL;
}

/* given - whether key was set in wh's group (rightly or not) */
static gboolean
given(const Config *cfg, const ConfigWebhook *wh, const char *key)
{
	g_autofree char *id = g_strconcat("webhook ", wh->name, "/", key, NULL);

	return g_hash_table_contains(cfg->lines, id);
}

/* problem - one "FILE:LINE: [webhook NAME] key: text" line; the line
 * is the key's when it was set, else the group's */
static void
problem(GString *errs, const Config *cfg, const ConfigWebhook *wh,
    const char *key, const char *text)
{
	g_autofree char *group = g_strconcat("webhook ", wh->name, NULL);
	g_autofree char *where = NULL;

	if (given(cfg, wh, key))
		where = config_where(cfg, group, key);
	else
		where = g_strdup_printf("%s:%u: [%s] %s",
		    cfg->path != NULL ? cfg->path : "(defaults)", wh->line,
		    group, key);
	g_string_append_printf(errs, "%s: %s\n", where, text);
}

/* config_webhooks_check - what each webhook needs, after the last line */
void
config_webhooks_check(const Config *cfg, GString *errs)
{
	for (guint i = 0; i < cfg->webhooks->len; i++) {
		ConfigWebhook *wh = g_ptr_array_index(cfg->webhooks, i);
		gboolean secret = given(cfg, wh, "secret");
		gboolean file = given(cfg, wh, "secret_file");
		g_autofree char *why = NULL;

		if (!given(cfg, wh, "url"))
			problem(errs, cfg, wh, "url",
			    "required (where the events are posted)");
		if (secret && file)
			problem(errs, cfg, wh, "secret_file",
			    "give either secret or secret_file, not both");
		else if (!secret && !file)
			problem(errs, cfg, wh, "secret_file",
			    "required, or secret (whsec_<base64>): every "
			    "event is signed");
		else if (wh->secret_file != NULL &&
			 (why = read_secret_file(wh)) != NULL)
			problem(errs, cfg, wh, "secret_file", why);
	}
}
