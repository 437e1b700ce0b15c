/*
 * test_common.c - config, addresses, untrusted text
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/config.h"
#include "common/log.h"
#include "common/util.h"

/* write_conf - a config file in a fresh folder; returns its path */
static char *
write_conf(const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("test-common-XXXXXX", &error);
	char *path;

	g_assert_no_error(error);
	path = g_build_filename(dir, "passalong.conf", NULL);
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	return path;
}

/* drop_conf - remove the file and its folder */
static void
drop_conf(char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
}

static void
test_config_defaults(void)
{
	g_autoptr(Config) cfg = config_new_default();

	g_assert_cmpstr(cfg->domain, ==, "intro.example.org");
	g_assert_cmpstr(cfg->share_localpart, ==, "share");
	g_assert_cmpuint(cfg->max_message_size, ==, 10485760);
	g_assert_cmpuint(cfg->sender_auth, ==, SENDER_AUTH_AUTH);
	g_assert_true(cfg->sender_enabled);
	g_assert_cmpstr(cfg->smtp_url, ==, "smtp://127.0.0.1:10025");
}

static void
test_config_documented_example(void)
{
	/* the example of ../shared/spec/cli.md, comments after values too */
	char *path =
	    write_conf("[gateway]\n"
		       "domain = intro.example.org          # the domain\n"
		       "share_localpart = share\n"
		       "\n"
		       "[milter]\n"
		       "socket = unix:/run/passalong/milter.sock\n"
		       "max_message_size = 10485760         # bytes\n"
		       "sender_auth = auth,dmarc            # any of\n"
		       "authserv_id = mx.intro.example.org\n"
		       "[limits]                            # 0 = no limit\n"
		       "shares_per_hour = 5\n"
		       "shares_per_day = 20\n"
		       "intros_per_friend_per_week = 3\n"
		       "[store]\n"
		       "path = /var/lib/passalong/passalong.db\n"
		       "[sender]\n"
		       "enabled = false\n"
		       "smtp_url = smtps://relay.outbound.intro.example.org:465"
		       "   # a relay port, a long name\n"
		       "from_localpart = intros\n"
		       "[digest]\n"
		       "enabled = true\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);

	g_assert_no_error(error);
	g_assert_nonnull(cfg);
	g_assert_cmpstr(cfg->domain, ==, "intro.example.org");
	g_assert_cmpuint(
	    cfg->sender_auth, ==, SENDER_AUTH_AUTH | SENDER_AUTH_DMARC);
	g_assert_false(cfg->sender_enabled);
	g_assert_cmpstr(
	    cfg->smtp_url, ==, "smtps://relay.outbound.intro.example.org:465");
	drop_conf(path);
}

/* test_config_digest - [digest] day, hour, skip_empty and [web]
 * base_url: defaults, good values, and each bad one named by line */
static void
test_config_digest(void)
{
	char *good = write_conf("[gateway]\n"
				"domain = intro.example.org\n"
				"[digest]\n"
				"skip_empty = false\n"
				"day = sun\n"
				"hour = 23\n"
				"[web]\n"
				"base_url = https://intro.example.org/pa\n");
	char *bad = write_conf("[gateway]\n"
			       "domain = intro.example.org\n"
			       "[digest]\n"
			       "day = someday\n"
			       "hour = 24\n"
			       "[web]\n"
			       "base_url = http://intro.example.org/pa\n");
	char *slash = write_conf("[gateway]\n"
				 "domain = intro.example.org\n"
				 "[web]\n"
				 "base_url = https://intro.example.org/\n");
	char *local = write_conf("[gateway]\n"
				 "domain = intro.example.org\n"
				 "[web]\n"
				 "base_url = http://127.0.0.1:8025\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) def = config_new_default();
	g_autoptr(Config) cfg = config_load(good, &error);
	g_autoptr(Config) nope = NULL;
	g_autoptr(Config) loc = NULL;
	g_autofree char *l4 = g_strdup_printf("%s:4: [digest] day", bad);
	g_autofree char *l5 = g_strdup_printf("%s:5: [digest] hour", bad);
	g_autofree char *l7 = g_strdup_printf("%s:7: [web] base_url", bad);

	g_assert_true(def->digest_skip_empty);
	g_assert_cmpstr(def->digest_day, ==, "mon");
	g_assert_cmpuint(def->digest_hour, ==, 8);
	g_assert_null(def->web_base_url);
	g_assert_no_error(error);
	g_assert_false(cfg->digest_skip_empty);
	g_assert_cmpstr(cfg->digest_day, ==, "sun");
	g_assert_cmpuint(cfg->digest_hour, ==, 23);
	g_assert_cmpstr(cfg->web_base_url, ==, "https://intro.example.org/pa");
	nope = config_load(bad, &error);
	g_assert_null(nope);
	g_assert_nonnull(strstr(error->message, l4));
	g_assert_nonnull(strstr(error->message, l5));
	g_assert_nonnull(strstr(error->message, l7));
	g_clear_error(&error);
	{ /* a trailing slash is allowed: links get one slash anyway */
		g_autoptr(Config) sl = config_load(slash, &error);
		g_autofree char *u = NULL, *c = NULL;

		g_assert_no_error(error);
		u = config_web_link(sl, "u", "tok");
		c = config_web_link(cfg, "c", "tok");
		g_assert_cmpstr(u, ==, "https://intro.example.org/u/tok");
		g_assert_cmpstr(c, ==, "https://intro.example.org/pa/c/tok");
		g_assert_null(config_web_link(def, "u", "tok"));
	}
	loc = config_load(local, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(loc->web_base_url, ==, "http://127.0.0.1:8025");
	drop_conf(good);
	drop_conf(bad);
	drop_conf(slash);
	drop_conf(local);
}

static void
test_config_errors(void)
{
	char *path = write_conf("[gateway]\n"
				"domian = x.example\n"
				"[milter]\n"
				"max_message_size = lots\n"
				"sender_auth = auth,magic\n"
				"[nonsense]\n"
				"a = b\n"
				"[sender]\n"
				"enabled = perhaps\n"
				"garbage line\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);
	g_autofree char *l2 = g_strdup_printf("%s:2: [gateway] domian: "
					      "unknown key",
	    path);
	g_autofree char *l4 = g_strdup_printf("%s:4: [milter] "
					      "max_message_size",
	    path);
	g_autofree char *l5 = g_strdup_printf("%s:5: [milter] sender_auth: "
					      "unknown method \"magic\"",
	    path);
	g_autofree char *l6 = g_strdup_printf("%s:6: [nonsense]", path);
	g_autofree char *l9 = g_strdup_printf("%s:9: [sender] enabled", path);
	g_autofree char *l10 = g_strdup_printf("%s:10: not a", path);

	g_assert_null(cfg);
	g_assert_error(error, CONFIG_ERROR, CONFIG_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, l2));
	g_assert_nonnull(strstr(error->message, l4));
	g_assert_nonnull(strstr(error->message, l5));
	g_assert_nonnull(strstr(error->message, l6));
	g_assert_nonnull(strstr(error->message, l9));
	g_assert_nonnull(strstr(error->message, l10));
	drop_conf(path);
}

static void
test_config_rules(void)
{
	char *path = write_conf("[milter]\n"
				"sender_auth = dmarc\n"
				"[gateway]\n"
				"domain = localhost\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);

	g_assert_null(cfg);
	g_assert_nonnull(strstr(error->message, "authserv_id"));
	g_assert_nonnull(strstr(error->message, "not a domain name"));
	drop_conf(path);
}

/* test_config_reply_localpart - the local part of the friends' reply
 * addresses: "intro" by default, another when set; never one that the
 * share or the unsubscribe addresses use (a reply would be read as a
 * share), nor one with + or = */
static void
test_config_reply_localpart(void)
{
	static const char *const bad[] = { "share", "Share", "unsubscribe",
		"re+ply", "a=b", "two words" };
	char *path = write_conf("[gateway]\n"
				"domain = intro.example.org\n"
				"reply_localpart = answers\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) dflt = config_new_default();
	g_autoptr(Config) cfg = config_load(path, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(dflt->reply_localpart, ==, "intro");
	g_assert_cmpstr(cfg->reply_localpart, ==, "answers");
	drop_conf(path);
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) err = NULL;
		g_autofree char *text =
		    g_strdup_printf("[gateway]\n"
				    "domain = intro.example.org\n"
				    "reply_localpart = %s\n",
			bad[i]);
		char *p = write_conf(text);
		g_autoptr(Config) no = config_load(p, &err);
		g_autofree char *where =
		    g_strdup_printf("%s:3: [gateway] reply_localpart", p);

		g_assert_null(no);
		g_assert_nonnull(strstr(err->message, where));
		drop_conf(p);
	}
}

/* test_config_set_once - a key set twice or a group opened twice is an
 * error naming both lines, never a silent override */
static void
test_config_set_once(void)
{
	char *path = write_conf("[gateway]\n"
				"domain = intro.example.org\n"
				"[milter]\n"
				"sender_auth = auth\n"
				"sender_auth = any\n"
				"[gateway]\n"
				"name = x\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);
	g_autofree char *l5 = g_strdup_printf("%s:5: [milter] sender_auth: "
					      "set again (first set at line 4)",
	    path);
	g_autofree char *l6 = g_strdup_printf(
	    "%s:6: [gateway]: group opened again (first at line 1)", path);

	g_assert_null(cfg);
	g_assert_nonnull(strstr(error->message, l5));
	g_assert_nonnull(strstr(error->message, l6));
	drop_conf(path);
}

/* test_config_webhooks - [webhook NAME] groups: keys, defaults, secret
 * decoded, a secret_file read, several receivers */
static void
test_config_webhooks(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("test-hook-XXXXXX", &error);
	g_autofree char *secret = g_build_filename(dir, "crm.secret", NULL);
	g_autofree char *text = NULL;
	g_autoptr(Config) cfg = NULL;
	const ConfigWebhook *crm, *audit;
	char *path;

	g_assert_true(g_file_set_contents(
	    secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", -1, &error));
	text =
	    g_strdup_printf("[gateway]\n"
			    "domain = intro.example.org\n"
			    "[webhook crm]\n"
			    "url = https://crm.example.org/hooks\n"
			    "secret_file = %s\n"
			    "events = share.recorded, intro.sent\n"
			    "[webhook audit-2]\n"
			    "url = http://127.0.0.1:8080/x # local\n"
			    "secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
			    "timeout = 3\n",
		secret);
	path = write_conf(text);
	cfg = config_load(path, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(cfg->webhooks->len, ==, 2);
	crm = config_webhook(cfg, "crm");
	audit = config_webhook(cfg, "audit-2");
	g_assert_nonnull(crm);
	g_assert_nonnull(audit);
	g_assert_null(config_webhook(cfg, "other"));
	g_assert_cmpstr(crm->url, ==, "https://crm.example.org/hooks");
	g_assert_cmpuint(crm->events, ==,
	    CONFIG_EVENT_SHARE_RECORDED | CONFIG_EVENT_INTRO_SENT);
	g_assert_cmpuint(crm->timeout, ==, 10);
	g_assert_cmpuint(g_bytes_get_size(crm->key), ==, 24);
	g_assert_true(g_bytes_equal(crm->key, audit->key));
	g_assert_cmpstr(audit->url, ==, "http://127.0.0.1:8080/x");
	g_assert_cmpuint(audit->events, ==, CONFIG_EVENT_ALL);
	g_assert_cmpuint(audit->timeout, ==, 3);
	g_assert_cmpstr(config_event_name(CONFIG_EVENT_DELIVERY_FAILED), ==,
	    "delivery.failed");
	drop_conf(path);
	g_unlink(secret);
	g_rmdir(dir);
}

/* test_config_webhook_errors - every mistake named with file and line */
static void
test_config_webhook_errors(void)
{
	char *path = write_conf("[gateway]\n"                           /* 1 */
				"domain = intro.example.org\n"          /* 2 */
				"[webhook Bad Name]\n"                  /* 3 */
				"[webhook a]\n"                         /* 4 */
				"url = ftp://example.org/\n"            /* 5 */
				"secret = whsec_c2hvcnQ=\n"             /* 6 */
				"events = share.recorded share.lost\n"  /* 7 */
				"url = https://x.example/\n"            /* 8 */
				"[webhook b]\n"                         /* 9 */
				"timeout = 0\n"                         /* 10 */
				"colour = red\n"                        /* 11 */
				"[webhook c]\n"                         /* 12 */
				"url = https://u:p@c.example/\n"        /* 13 */
				"secret_file = /nonexistent/c.secret\n" /* 14 */
				"[webhook d]\n"                         /* 15 */
				"url = https:///nohost\n"               /* 16 */
				"secret = MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);
	const char *want[] = {
		":3: [webhook Bad Name]: \"Bad Name\" is not a webhook name",
		":5: [webhook a] url: must start with http:// or https://",
		":6: [webhook a] secret: the secret is 5 bytes",
		":7: [webhook a] events: unknown event \"share.lost\"",
		":8: [webhook a] url: set again (first set at line 5)",
		":10: [webhook b] timeout: not a number from 1 to 60",
		":11: [webhook b] colour: unknown key",
		":9: [webhook b] url: required",
		":9: [webhook b] secret_file: required, or secret",
		":13: [webhook c] url: put no user or password in the URL",
		":14: [webhook c] secret_file: ",
		":16: [webhook d] url: \"https:///nohost\" names no host",
		":17: [webhook d] secret: a secret starts with whsec_",
	};

	g_assert_null(cfg);
	g_assert_error(error, CONFIG_ERROR, CONFIG_ERROR_INVALID);
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		g_autofree char *line = g_strconcat(path, want[i], NULL);

		if (strstr(error->message, line) == NULL)
			g_error("missing \"%s\" in:\n%s", line, error->message);
	}
	/* the secret is never echoed */
	g_assert_null(strstr(error->message, "MfKQ9r8G"));
	drop_conf(path);
}

/* test_config_webhook_key - whsec_ secrets: decoded, or refused */
static void
test_config_webhook_key(void)
{
	g_autofree char *why = NULL;
	g_autoptr(GBytes) key =
	    config_webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &why);

	g_assert_nonnull(key);
	g_assert_cmpuint(g_bytes_get_size(key), ==, 24);
	g_assert_null(config_webhook_key("whsec_MfKQ9r8G!!!", &why));
	g_clear_pointer(&why, g_free);
	g_assert_null(config_webhook_key("whsec_", &why));
	g_clear_pointer(&why, g_free);
	g_assert_null(config_webhook_key(
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=", &why));
}

/* test_config_where - lines for every key, after parsing too */
static void
test_config_where(void)
{
	char *path = write_conf("# a comment\n"
				"[gateway]\n"
				"domain = intro.example.org\n"
				"[milter]\n"
				"user = nobody:nogroup\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);
	g_autofree char *user = NULL;
	g_autofree char *sock = NULL;
	g_autofree char *want_user = NULL;
	g_autofree char *want_sock = NULL;

	g_assert_no_error(error);
	user = config_where(cfg, "milter", "user");
	sock = config_where(cfg, "milter", "socket");
	want_user = g_strdup_printf("%s:5: [milter] user", path);
	want_sock = g_strdup_printf("%s: [milter] socket (default)", path);
	g_assert_cmpstr(user, ==, want_user);
	g_assert_cmpstr(sock, ==, want_sock);
	g_assert_cmpstr(cfg->user, ==, "nobody");
	g_assert_cmpstr(cfg->group, ==, "nogroup");
	g_assert_cmpuint(cfg->socket_mode, ==, 0660);
	drop_conf(path);
}

/* test_config_lease - [sender] lease: 120 by default, at least 30 */
static void
test_config_lease(void)
{
	char *ok = write_conf("[gateway]\n"
			      "domain = intro.example.org\n"
			      "[sender]\n"
			      "lease = 90\n");
	char *low = write_conf("[gateway]\n"
			       "domain = intro.example.org\n"
			       "[sender]\n"
			       "lease = 10\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) def = config_new_default();
	g_autoptr(Config) cfg = config_load(ok, &error);
	g_autoptr(Config) bad = NULL;

	g_assert_cmpuint(def->lease, ==, 120);
	g_assert_no_error(error);
	g_assert_cmpuint(cfg->lease, ==, 90);
	bad = config_load(low, &error);
	g_assert_null(bad);
	g_assert_error(error, CONFIG_ERROR, CONFIG_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "[sender] lease"));
	g_assert_nonnull(strstr(error->message, "at least 30"));
	drop_conf(ok);
	drop_conf(low);
}

/* test_config_store_url - [store] url names the engine; path is the
 * SQLite file (NULL on PostgreSQL); url and path together are refused */
static void
test_config_store_url(void)
{
	static const struct {
		const char *store;
		const char *path;    /* store_path after loading, or NULL */
		const char *problem; /* NULL: loads */
	} cases[] = {
		{ "url = sqlite:/var/lib/x/p.db\n", "/var/lib/x/p.db", NULL },
		{ "url = sqlite:///srv/p.db\n", "/srv/p.db", NULL },
		{ "url = postgresql://db1,db2/passalong?connect_timeout=5\n",
		    NULL, NULL },
		{ "url = host=/run/postgresql dbname=passalong\n", NULL, NULL },
		{ "url = sqlite:relative.db\n", NULL, "sqlite:/absolute/path" },
		{ "url = mysql://db/passalong\n", NULL, "not a store URL" },
		{ "path = /srv/p.db\nurl = sqlite:/srv/p.db\n", NULL,
		    "not both" },
		{ "pool = 0\n", NULL, "[store] pool" },
		{ "passfile = pgpass\n", NULL, "absolute path" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strconcat(
		    "[gateway]\ndomain = intro.example.org\n[store]\n",
		    cases[i].store, NULL);
		char *path = write_conf(text);
		g_autoptr(GError) error = NULL;
		g_autoptr(Config) cfg = config_load(path, &error);

		if (cases[i].problem == NULL) {
			g_assert_no_error(error);
			g_assert_cmpstr(cfg->store_path, ==, cases[i].path);
			g_assert_nonnull(config_store_url(cfg));
			g_assert_null(strstr(config_store_url(cfg), "\n"));
		} else {
			g_assert_null(cfg);
			g_assert_error(
			    error, CONFIG_ERROR, CONFIG_ERROR_INVALID);
			if (strstr(error->message, cases[i].problem) == NULL)
				g_error("case %zu: \"%s\" lacks \"%s\"", i,
				    error->message, cases[i].problem);
		}
		drop_conf(path);
	}
}

/* test_config_socket_parse - libmilter's socket syntax */
static void
test_config_socket_parse(void)
{
	static const struct {
		const char *spec;
		gboolean ok;
		ConfigSocketKind kind;
		const char *path_or_host;
		guint port;
	} cases[] = {
		{ "unix:/run/p/m.sock", TRUE, CONFIG_SOCKET_UNIX,
		    "/run/p/m.sock", 0 },
		{ "local:/m.sock", TRUE, CONFIG_SOCKET_UNIX, "/m.sock", 0 },
		{ "/m.sock", TRUE, CONFIG_SOCKET_UNIX, "/m.sock", 0 },
		{ "inet:8891@127.0.0.1", TRUE, CONFIG_SOCKET_INET, "127.0.0.1",
		    8891 },
		{ "inet:8891", TRUE, CONFIG_SOCKET_INET, NULL, 8891 },
		{ "inet6:8891@::1", TRUE, CONFIG_SOCKET_INET6, "::1", 8891 },
		{ "unix:m.sock", FALSE, 0, NULL, 0 },
		{ "inet:0@127.0.0.1", FALSE, 0, NULL, 0 },
		{ "inet:65536", FALSE, 0, NULL, 0 },
		{ "inet:smtp@127.0.0.1", FALSE, 0, NULL, 0 },
		{ "inet:8891@", FALSE, 0, NULL, 0 },
		{ "inet:8891@a b", FALSE, 0, NULL, 0 },
		{ "tcp:8891", FALSE, 0, NULL, 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		ConfigSocket sock = { 0 };
		g_autofree char *why = NULL;
		gboolean ok = config_socket_parse(cases[i].spec, &sock, &why);

		g_test_message("%s", cases[i].spec);
		g_assert_cmpint(ok, ==, cases[i].ok);
		if (ok) {
			g_assert_cmpint(sock.kind, ==, cases[i].kind);
			g_assert_cmpstr(sock.kind == CONFIG_SOCKET_UNIX
					    ? sock.path
					    : sock.host,
			    ==, cases[i].path_or_host);
			g_assert_cmpuint(sock.port, ==, cases[i].port);
		} else
			g_assert_nonnull(why);
		config_socket_clear(&sock);
	}
}

static void
test_config_missing(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg =
	    config_load("/nonexistent/passalong.conf", &error);

	g_assert_null(cfg);
	g_assert_error(error, CONFIG_ERROR, CONFIG_ERROR_IO);
}

static void
test_addr_safe(void)
{
	g_assert_true(addr_is_safe("jane@example.net"));
	g_assert_false(addr_is_safe("jane@example.net\r\nRCPT TO:<x@y>"));
	g_assert_false(addr_is_safe("jane doe@example.net"));
	g_assert_false(addr_is_safe("jane@@example.net"));
	g_assert_false(addr_is_safe("a@b@c"));
	g_assert_false(addr_is_safe("@example.net"));
	g_assert_false(addr_is_safe("jane@"));
	g_assert_false(addr_is_safe("<jane@example.net>"));
	g_assert_false(addr_is_safe(NULL));
	g_assert_false(addr_is_safe("jane@example..net"));
}

static void
test_addr_normalize(void)
{
	g_autofree char *a = addr_normalize(" <Jane.Doe@Example.NET> ");
	g_autofree char *b = addr_normalize("<>");
	g_autofree char *c = addr_normalize("no-at-sign");

	g_assert_cmpstr(a, ==, "Jane.Doe@example.net");
	g_assert_null(b);
	g_assert_null(c);
}

/* test_addr_plus_token - LOCAL+TOKEN@domain: the token lower-cased;
 * another local part, a longer one that starts the same, no '+', or
 * another domain give none */
static void
test_addr_plus_token(void)
{
	static const struct {
		const char *addr, *local, *want;
	} cases[] = {
		{ "intro+ABCdef@intro.example.org", "intro", "abcdef" },
		{ "INTRO+x@Intro.Example.org", "intro", "x" },
		{ "unsubscribe+tok@intro.example.org", "unsubscribe", "tok" },
		{ "intro+@intro.example.org", "intro", "" },
		{ "introduce+tok@intro.example.org", "intro", NULL },
		{ "intro@intro.example.org", "intro", NULL },
		{ "intro+tok@elsewhere.example", "intro", NULL },
		{ "unsubscribe+tok@intro.example.org", "intro", NULL },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *t = addr_plus_token(
		    cases[i].addr, cases[i].local, "intro.example.org");

		g_assert_cmpstr(t, ==, cases[i].want);
	}
}

static void
test_addr_share(void)
{
	struct {
		const char *rcpt;
		ShareAddrKind kind;
		const char *target;
	} cases[] = {
		{ "<share+jane@intro.example.org>", SHARE_ADDR_HANDLE, "jane" },
		{ "Share+Jane@INTRO.example.org", SHARE_ADDR_HANDLE, "jane" },
		{ "share+jane=friends.example@intro.example.org",
		    SHARE_ADDR_ADDRESS, "jane@friends.example" },
		{ "share+a=b=Friends.Example@intro.example.org",
		    SHARE_ADDR_ADDRESS, "a=b@friends.example" },
		{ "share@intro.example.org", SHARE_ADDR_PLAIN, NULL },
		{ "share+@intro.example.org", SHARE_ADDR_NONE, NULL },
		{ "share+jane=@intro.example.org", SHARE_ADDR_NONE, NULL },
		{ "share+ja ne@intro.example.org", SHARE_ADDR_NONE, NULL },
		{ "share+jane@other.example", SHARE_ADDR_NONE, NULL },
		{ "sharer+jane@intro.example.org", SHARE_ADDR_NONE, NULL },
		{ "help@intro.example.org", SHARE_ADDR_NONE, NULL },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *target = NULL;
		ShareAddrKind k = addr_parse_share(
		    cases[i].rcpt, "intro.example.org", "share", &target);

		g_test_message("case %s", cases[i].rcpt);
		g_assert_cmpint(k, ==, cases[i].kind);
		g_assert_cmpstr(target, ==, cases[i].target);
	}
}

/* test_addr_mailable - issue 8 defects 5 and 8: what the gateway may
 * mail, and why not */
static void
test_addr_mailable(void)
{
	struct {
		const char *addr;
		AddrProblem problem;
		const char *out;
	} cases[] = {
		{ "jane@friends.example", ADDR_OK, "jane@friends.example" },
		{ "<Jane.Doe+x@Friends.Example>", ADDR_OK,
		    "Jane.Doe+x@friends.example" },
		{ "a=b@friends.example", ADDR_OK, "a=b@friends.example" },
		{ "jane@b\xc3\xbc"
		  "cher.example",
		    ADDR_NOT_ASCII, NULL },
		{ "jane@xn--bcher-kva.example", ADDR_OK,
		    "jane@xn--bcher-kva.example" },
		{ "d\xc3\xa4n\xc3\xa4@confs.example", ADDR_NOT_ASCII, NULL },
		{ "a=b@c", ADDR_BAD_DOMAIN, NULL },
		{ "x@192.0.2.1", ADDR_BAD_DOMAIN, NULL },
		{ "x@-bad.example", ADDR_BAD_DOMAIN, NULL },
		{ "x@bad-.example", ADDR_BAD_DOMAIN, NULL },
		{ "x@a_b.example", ADDR_BAD_DOMAIN, NULL },
		{ "x@[192.0.2.1]", ADDR_ROUTING, NULL },
		{ "x@[IPv6:2001:db8::1]", ADDR_ROUTING, NULL },
		{ "a%b.example@c.example", ADDR_ROUTING, NULL },
		{ "b.example!a@c.example", ADDR_ROUTING, NULL },
		{ "a:b@c.example", ADDR_ROUTING, NULL },
		{ ".a@c.example", ADDR_SYNTAX, NULL },
		{ "a..b@c.example", ADDR_SYNTAX, NULL },
		{ "no-at-sign", ADDR_SYNTAX, NULL },
		{ "root@localhost", ADDR_RESERVED, NULL },
		{ "x@mail.localhost", ADDR_RESERVED, NULL },
		{ "x@printer.local", ADDR_RESERVED, NULL },
		{ "x@nothing.invalid", ADDR_RESERVED, NULL },
		{ "x@db.internal", ADDR_RESERVED, NULL },
		{ "x@name.alt", ADDR_RESERVED, NULL },
		{ "x@router.home.arpa", ADDR_RESERVED, NULL },
		{ "x@1.2.0.192.in-addr.arpa", ADDR_RESERVED, NULL },
		{ "x@intro.example.org", ADDR_OWN_DOMAIN, NULL },
		{ "postmaster@mx.intro.example.org", ADDR_OWN_DOMAIN, NULL },
		{ "x@MX.Intro.Example.Org", ADDR_OWN_DOMAIN, NULL },
		{ "x@notintro.example.org", ADDR_OK, "x@notintro.example.org" },
		{ "postmaster@friends.example", ADDR_ROLE, NULL },
		{ "MAILER-DAEMON@friends.example", ADDR_ROLE, NULL },
		{ "root+cron@friends.example", ADDR_ROLE, NULL },
		{ "rooted@friends.example", ADDR_OK, "rooted@friends.example" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		AddrProblem p = ADDR_OK;
		g_autofree char *out =
		    addr_mailable(cases[i].addr, "intro.example.org", &p);

		g_test_message("case %s", cases[i].addr);
		g_assert_cmpint(p, ==, cases[i].problem);
		g_assert_cmpstr(out, ==, cases[i].out);
		g_assert_nonnull(addr_problem_text(p));
	}
}

static void
test_util_text_clean(void)
{
	/* invalid UTF-8, CR, NUL, bidi override, zero-width space, BOM */
	const char in[] = "a\xff"
			  "b\r\nc\0d\xe2\x80\xae"
			  "e\xe2\x80\x8b"
			  "f\xef\xbb\xbfg\th";
	g_autofree char *out = util_text_clean(in, sizeof in - 1);

	g_assert_true(g_utf8_validate(out, -1, NULL));
	g_assert_cmpstr(out, ==,
	    "a\xef\xbf\xbd"
	    "b\ncdefg\th");
}

/* clean_reference - util_text_clean() one character at a time */
static char *
clean_reference(const char *p, const char *end)
{
	GString *out = g_string_new(NULL);

	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (*p == '\0')
			p++;
		else if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_unichar(out, 0xfffd);
			p++;
		} else {
			if (!util_is_invisible(c))
				g_string_append_unichar(out, c);
			p = g_utf8_next_char(p);
		}
	}
	return g_string_free(out, FALSE);
}

/* test_util_text_clean_random - the ASCII fast path changes nothing:
 * random mixes of ASCII, controls, DEL, UTF-8 and broken UTF-8 */
static void
test_util_text_clean_random(void)
{
	static const char *const pieces[] = { "plain text ", "\n", "\t", "\r",
		"\x7f", "\x01", "\xc3\xa9", "\xe2\x80\xae", "\xc2\x85", "\xff",
		"\xe2\x80", "\xf0\x9f\x98\x80", "~", "\0" };
	GRand *r = g_rand_new_with_seed(20261122);

	for (int n = 0; n < 2000; n++) {
		g_autoptr(GString) in = g_string_new(NULL);
		g_autofree char *want = NULL;
		g_autofree char *got = NULL;
		int parts = g_rand_int_range(r, 0, 12);

		for (int i = 0; i < parts; i++) {
			const char *piece = pieces[g_rand_int_range(
			    r, 0, G_N_ELEMENTS(pieces))];

			g_string_append_len(in, piece,
			    *piece == '\0' ? 1 : (gssize)strlen(piece));
		}
		want = clean_reference(in->str, in->str + in->len);
		got = util_text_clean(in->str, (gssize)in->len);
		g_assert_cmpstr(got, ==, want);
	}
	g_rand_free(r);
}

/* test_util_utf8_head - the first n characters, as g_utf8_substring()
 * gives them, multibyte characters whole */
static void
test_util_utf8_head(void)
{
	static const char *const texts[] = { "", "abc", "\xc3\xa9t\xc3\xa9",
		"\xe3\x81\xaf\xe3\x81\x84 yes",
		"\xf0\x9f\x98\x80x\xf0\x9f\x98\x80" };

	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
		for (gsize n = 0; n < 8; n++) {
			g_autofree char *got = util_utf8_head(texts[i], n);
			g_autofree char *want = g_utf8_substring(texts[i], 0,
			    MIN(g_utf8_strlen(texts[i], -1), (glong)n));

			g_assert_cmpstr(got, ==, want);
		}
	g_assert_null(util_utf8_head(NULL, 3));
}

static void
test_util_header_safe(void)
{
	g_autofree char *a = util_header_safe("  Jane\r\n Bcc: evil@x  ", 0);
	g_autofree char *b = util_header_safe("\xc3\xa9t\xc3\xa9 long", 3);

	g_assert_cmpstr(a, ==, "Jane Bcc: evil@x");
	g_assert_null(strchr(a, '\n'));
	g_assert_cmpstr(b, ==, "\xc3\xa9t\xc3\xa9");
	g_assert_null(util_header_safe(NULL, 0));
}

static void
test_util_rfc3339(void)
{
	g_autofree char *t = util_rfc3339_utc(1763805540);

	g_assert_cmpstr(t, ==, "2025-11-22T09:59:00Z");
}

/* test_config_web - [web] listen and base_url: numeric addresses,
 * https:// (http:// only on loopback), listen needs base_url */
static void
test_config_web(void)
{
	static const struct {
		const char *web;
		const char *problem; /* NULL: loads */
	} cases[] = {
		{ "listen = 127.0.0.1:8025\nbase_url = "
		  "https://intro.example.org/pa\n",
		    NULL },
		{ "listen = [::1]:8025\nbase_url = https://intro.example.org\n",
		    NULL },
		{ "listen = 127.0.0.1:8025\nbase_url = http://127.0.0.1:8025\n",
		    NULL },
		{ "listen = 127.0.0.1:8025\nbase_url = "
		  "http://localhost:8025/\n",
		    NULL },
		{ "listen = 127.0.0.1:8025\nbase_url = http://[::1]:8025\n",
		    NULL },
		{ "base_url = https://intro.example.org\n", NULL },
		{ "listen = 127.0.0.1:8025\nbase_url = "
		  "http://intro.example.org\n",
		    "passalong.conf:5: [web] base_url: "
		    "\"http://intro.example.org\": "
		    "links in mail must be https://" },
		{ "listen = 127.0.0.1:8025\nbase_url = "
		  "ftp://intro.example.org\n",
		    "[web] base_url: must start with https://" },
		{ "listen = 127.0.0.1:8025\nbase_url = https://\n",
		    "names no host" },
		{ "listen = 127.0.0.1:8025\n"
		  "base_url = https://u:p@intro.example.org\n",
		    "no user, query" },
		{ "listen = 127.0.0.1:8025\n"
		  "base_url = https://intro.example.org/?a=1\n",
		    "no user, query" },
		{ "listen = 127.0.0.1:8025\n",
		    "passalong.conf:4: [web] listen: needs [web] base_url" },
		{ "listen = localhost:8025\nbase_url = https://x.example\n",
		    "passalong.conf:4: [web] listen: \"localhost\" is not a "
		    "numeric address" },
		{ "listen = 8025\nbase_url = https://x.example\n",
		    "use ADDRESS:PORT" },
		{ "listen = ::1:8025\nbase_url = https://x.example\n",
		    "use ADDRESS:PORT" },
		{ "listen = [127.0.0.1]:8025\nbase_url = https://x.example\n",
		    "not a numeric address" },
		{ "listen = [::1]8025\nbase_url = https://x.example\n",
		    "use [ADDRESS]:PORT" },
		{ "listen = 127.0.0.1:0\nbase_url = https://x.example\n",
		    "not a port number" },
		{ "listen = 127.0.0.1:65536\nbase_url = https://x.example\n",
		    "not a port number" },
		{ "listen = 127.0.0.1:8025\n"
		  "base_url = https://intro.example.org/a/rather/long/path\n",
		    "more than 40 characters" },
		{ "socket = x\n", "[web] socket: unknown key" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strconcat(
		    "[gateway]\ndomain = intro.example.org\n[web]\n",
		    cases[i].web, NULL);
		char *path = write_conf(text);
		g_autoptr(GError) error = NULL;
		g_autoptr(Config) cfg = config_load(path, &error);

		if (cases[i].problem == NULL) {
			g_assert_no_error(error);
			g_assert_nonnull(cfg->web_base_url);
		} else {
			g_assert_null(cfg);
			g_assert_error(
			    error, CONFIG_ERROR, CONFIG_ERROR_INVALID);
			if (strstr(error->message, cases[i].problem) == NULL)
				g_error("case %zu: \"%s\" lacks \"%s\"", i,
				    error->message, cases[i].problem);
		}
		drop_conf(path);
	}
}

/* test_config_web_defaults - off unless listen is set */
static void
test_config_web_defaults(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autofree char *host = NULL;
	g_autofree char *why = NULL;
	guint port = 0;

	g_assert_null(cfg->web_listen);
	g_assert_null(cfg->web_base_url);
	g_assert_true(
	    config_web_listen_parse("[::1]:8025", &host, &port, &why));
	g_assert_cmpstr(host, ==, "::1");
	g_assert_cmpuint(port, ==, 8025);
	g_clear_pointer(&host, g_free);
	g_assert_true(
	    config_web_listen_parse("0.0.0.0:80", &host, &port, &why));
	g_assert_cmpstr(host, ==, "0.0.0.0");
	g_assert_cmpuint(port, ==, 80);
	g_clear_pointer(&host, g_free);
	g_assert_false(config_web_listen_parse("[::1]", &host, &port, &why));
	g_assert_null(host);
	g_assert_nonnull(why);
}

/* main - the tests */
/* log_child - the subprocess of test_log_targets: opened in the
 * foreground, with JOURNAL_STREAM naming its stderr when journal */
static void
log_child(gboolean journal)
{
	struct stat st;

	if (journal) {
		g_autofree char *v = NULL;

		g_assert_cmpint(fstat(2, &st), ==, 0);
		v = g_strdup_printf(
		    "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
		g_setenv("JOURNAL_STREAM", v, TRUE);
	} else
		g_unsetenv("JOURNAL_STREAM");
	log_open("test_common", TRUE);
	log_info("4XyZ", "one line");
}

/* test_log_targets - in the foreground each line goes where it is
 * read, once: under systemd (JOURNAL_STREAM is stderr) syslog alone,
 * since journald reads both and printed every line twice; without a
 * syslog socket (a container) stderr alone */
static void
test_log_targets(void)
{
	if (g_test_subprocess()) {
		log_child(g_str_has_suffix(g_test_get_path(), "journal"));
		return;
	}
	g_test_trap_subprocess(
	    "/log/open/targets/journal", 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr_unmatched("*one line*");
	g_test_trap_subprocess(
	    "/log/open/targets/terminal", 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr("*4XyZ: one line*");
	/* the syslog socket's absence, in this process */
	log_open("test_common", TRUE);
	g_assert_cmpint(log_to_syslog(), ==, g_access("/dev/log", W_OK) == 0);
}

/* test_log_child - a child of /log/open/targets, which runs it in a
 * subprocess (GLib needs the path registered); run alone it says so */
static void
test_log_child(void)
{
	if (!g_test_subprocess()) {
		g_test_skip("run as a subprocess of /log/open/targets");
		return;
	}
	test_log_targets();
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/log/open/targets", test_log_targets);
	g_test_add_func("/log/open/targets/journal", test_log_child);
	g_test_add_func("/log/open/targets/terminal", test_log_child);
	g_test_add_func("/config/load/defaults", test_config_defaults);
	g_test_add_func(
	    "/config/load/documented-example", test_config_documented_example);
	g_test_add_func(
	    "/config/load/errors-name-file-line-key", test_config_errors);
	g_test_add_func("/config/load/rules", test_config_rules);
	g_test_add_func(
	    "/config/load/reply_localpart", test_config_reply_localpart);
	g_test_add_func("/config/load/digest", test_config_digest);
	g_test_add_func("/config/load/missing-file", test_config_missing);
	g_test_add_func("/config/load/set-once", test_config_set_once);
	g_test_add_func("/config/load/where", test_config_where);
	g_test_add_func("/config/load/sender-lease", test_config_lease);
	g_test_add_func("/config/load/store-url", test_config_store_url);
	g_test_add_func("/config/socket/parse", test_config_socket_parse);
	g_test_add_func("/config/load/web", test_config_web);
	g_test_add_func("/config/web/defaults", test_config_web_defaults);
	g_test_add_func("/config/load/webhooks", test_config_webhooks);
	g_test_add_func(
	    "/config/load/webhook-errors", test_config_webhook_errors);
	g_test_add_func("/config/webhook/key", test_config_webhook_key);
	g_test_add_func("/addr/is_safe/cases", test_addr_safe);
	g_test_add_func("/addr/normalize/cases", test_addr_normalize);
	g_test_add_func("/addr/plus_token/cases", test_addr_plus_token);
	g_test_add_func("/addr/parse_share/cases", test_addr_share);
	g_test_add_func("/addr/mailable/cases", test_addr_mailable);
	g_test_add_func("/util/text_clean/hostile", test_util_text_clean);
	g_test_add_func("/util/text_clean/random", test_util_text_clean_random);
	g_test_add_func("/util/header_safe/one-line", test_util_header_safe);
	g_test_add_func("/util/utf8_head/prefix", test_util_utf8_head);
	g_test_add_func("/util/rfc3339_utc/format", test_util_rfc3339);
	return g_test_run();
}
