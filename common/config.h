/*
 * config.h - the configuration file (../shared/spec/cli.md)
 *
 * SYNOPSIS
 *	g_autoptr(Config) cfg = config_load(path, &error);
 *
 * DESCRIPTION
 *	An INI file in GKeyFile's syntax, read line by line here. Every key
 *	has a type and a default; unknown groups and keys, a key set twice,
 *	a group opened twice, an empty file, bad values (a control
 *	character anywhere, a domain, local part, socket or URL that would
 *	not survive a header or an SMTP command) and missing required
 *	values ([gateway] domain) are errors that name the file, the line
 *	and the key, the checks made after parsing included. All problems
 *	are reported at once, one per line of the GError message, so that
 *	"passalong-milter -n" can print them all. What depends on the
 *	system (users, folders) is for the program to check: config_where()
 *	names a key's line for its messages.
 *
 *	Webhooks are groups of their own, one per receiver, "[webhook
 *	NAME]" (common/config_webhook.c): url (http or https, a host),
 *	secret (whsec_<base64>, as the Standard Webhooks specification
 *	writes it) or secret_file (a file holding one, read at load, so a
 *	rotated secret applies from the next load: SIGUSR1), events (a
 *	list of event names, default all) and timeout (seconds). The
 *	secret is checked (decodable, 24 to 64 bytes) at load; it never
 *	appears in a message.
 *
 * OWNERSHIP
 *	config_load() returns a new Config (transfer full); config_free()
 *	accepts NULL. Strings inside belong to the Config.
 *
 * ERRORS
 *	CONFIG_ERROR_IO (cannot read), CONFIG_ERROR_INVALID (anything else).
 *
 * THREADS
 *	A loaded Config is read-only and may be shared by threads; a reload
 *	makes a new one.
 */
#ifndef PA_CONFIG_H
#define PA_CONFIG_H

#include <glib.h>

/* configure's --sysconfdir (Makefile.am passes it); /etc without it */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT_PATH SYSCONFDIR "/passalong/passalong.conf"

#define CONFIG_BASE_URL_MAX 40 /* [web] base_url: links fit a text line */
#define CONFIG_ERROR (config_error_quark())
GQuark config_error_quark(void);
typedef enum {
	CONFIG_ERROR_IO,
	CONFIG_ERROR_INVALID,
} ConfigError;

/* the events a webhook can be told of, a bit set ([webhook NAME] events) */
enum {
	CONFIG_EVENT_SHARE_RECORDED = 1 << 0,  /* "share.recorded" */
	CONFIG_EVENT_INTRO_SENT = 1 << 1,      /* "intro.sent" */
	CONFIG_EVENT_DELIVERY_FAILED = 1 << 2, /* "delivery.failed" */
	CONFIG_EVENT_ALL = (1 << 3) - 1,
};

/* One [webhook NAME] group: where events go and the key that signs them. */
typedef struct {
	char *name;   /* NAME: 1 to 64 of [a-z0-9._-] */
	char *url;    /* http:// or https://, a host, no user or password */
	char *secret; /* as written: whsec_<base64>, or NULL (a file) */
	char *secret_file; /* the file holding it, or NULL */
	GBytes *key;       /* the secret decoded (24 to 64 bytes) */
	guint events;      /* CONFIG_EVENT_* bits; default all */
	guint timeout;     /* seconds one delivery may take (1 to 60) */
	guint line;        /* where the group opened */
} ConfigWebhook;

/* sender_auth methods, a bit set */
enum {
	SENDER_AUTH_AUTH = 1 << 0,   /* SMTP AUTH {auth_authen} is a member */
	SENDER_AUTH_DMARC = 1 << 1,  /* trusted Authentication-Results */
	SENDER_AUTH_SECRET = 1 << 2, /* per-member secret address */
	SENDER_AUTH_ANY = 1 << 3,    /* envelope sender is a member (tests) */
};

typedef struct {
	char *path; /* the file it came from, or NULL for defaults */

	/* [gateway] */
	char *domain;
	char *share_localpart;
	char *reply_localpart; /* the friends' answers: LOCAL+TOKEN@domain */
	char *name;            /* product name in display names: "X via NAME" */

	/* [milter] */
	char *socket;
	guint64 max_message_size;
	guint spool_threshold; /* bytes kept in memory, then a file */
	char *spool_dir;       /* where that file goes, or NULL: TMPDIR */
	guint max_mime_parts;  /* MIME parts read, then 554 5.6.0 */
	guint max_mime_depth;  /* MIME nesting read, then 554 5.6.0 */
	guint sender_auth;     /* SENDER_AUTH_* bits */
	char *authserv_id;     /* trusted Authentication-Results id */
	guint timeout;         /* libmilter I/O timeout, seconds */
	char *user;            /* drop root to this user, or NULL */
	char *group;           /* and this group (user = NAME:GROUP), or NULL */
	char *socket_group;    /* unix socket's group; NULL: the daemon's */
	guint socket_mode;     /* unix socket's permission bits (0660) */
	char *pid_file;        /* locked while the daemon runs, or NULL */

	/* [limits] (0 = no limit) */
	guint shares_per_hour;
	guint shares_per_day;
	guint intros_per_friend_per_week;
	guint consent_requests_per_friend_per_week;

	/* [consent] */
	char *consent_mode; /* "ask" (the default) or "direct" */
	guint remind_after; /* seconds after asking: one reminder */
	guint expire_after; /* seconds after asking: expired */

	/* [store] */
	char *store_path;     /* the SQLite file; NULL on PostgreSQL */
	char *store_url;      /* [store] url as given, or NULL */
	char *store_passfile; /* PostgreSQL's password file, or NULL */
	guint store_pool;     /* PostgreSQL connections of the milter */
	guint busy_timeout;   /* milliseconds any store wait may take */

	/* [sender] */
	gboolean sender_enabled;
	char *smtp_url;
	char *from_localpart;
	guint retry_min;     /* first retry after this many seconds */
	guint retry_max;     /* backoff never waits longer */
	guint max_attempts;  /* then the item is failed */
	guint poll_interval; /* worker wakes at least this often, seconds */
	guint lease;         /* seconds a claimed item stays the sender's */

	/* [digest] */
	gboolean digest_enabled;
	gboolean digest_skip_empty; /* an empty digest is not sent */
	char *digest_day;           /* "mon".."sun": the default day */
	guint digest_hour;          /* 0-23: the default hour */

	/* [web] (web/web.h): off while listen is NULL */
	char *web_listen;   /* "127.0.0.1:8025", "[::1]:8025", or NULL */
	char *web_base_url; /* public https:// URL of /u/ and /c/, or NULL;
			       at most CONFIG_BASE_URL_MAX characters */

	/* [webhook NAME] groups, in file order; shared by reference with
	 * copies (read-only once loaded) */
	GPtrArray *webhooks; /* of ConfigWebhook * */

	GHashTable *lines; /* private: "group/key" -> line, for config_where */
} Config;

/* the kinds of [milter] socket, as libmilter spells them */
typedef enum {
	CONFIG_SOCKET_UNIX,  /* unix:/path, local:/path or /path */
	CONFIG_SOCKET_INET,  /* inet:PORT[@HOST] */
	CONFIG_SOCKET_INET6, /* inet6:PORT[@HOST] */
} ConfigSocketKind;

typedef struct {
	ConfigSocketKind kind;
	char *path; /* unix: the socket's path */
	char *host; /* inet: the host, or NULL: every address */
	guint port; /* inet: 1 to 65535 */
} ConfigSocket;

Config *config_new_default(void);
Config *config_load(const char *path, GError **error);
void config_free(Config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Config, config_free)

/* config_sender_auth_string - "auth,any" etc. for logs (transfer full) */
char *config_sender_auth_string(guint bits);
/* the URL for store_open(): [store] url, or [store] path */
const char *config_store_url(const Config *cfg);

/* config_where - "FILE:LINE: [group] key" where the key was set, or
 * "FILE: [group] key (default)"; for messages (transfer full) */
char *config_where(const Config *cfg, const char *group, const char *key);

/* config_socket_parse - a milter socket spec into its parts; FALSE and
 * *problem (transfer full) when libmilter would not take it. sock's
 * strings are new: free them with config_socket_clear(). */
gboolean config_socket_parse(
    const char *spec, ConfigSocket *sock, char **problem);
void config_socket_clear(ConfigSocket *sock);

/* config_web_link - <[web] base_url>/<route>/<token> (route "u" or
 * "c"), one slash between them however base_url ends; NULL when
 * base_url is not set (transfer full) */
char *config_web_link(const Config *cfg, const char *route, const char *token);
/* config_reply_address - <reply_localpart>+<token>@<domain>, where a
 * friend answers a consent request, or NULL without a token */
char *config_reply_address(const Config *cfg, const char *token);

/* config_web_listen_parse - [web] listen's numeric address (brackets
 * taken off: *host transfer full) and port; FALSE and *problem (transfer
 * full) when it is not ADDRESS:PORT or [V6ADDRESS]:PORT */
gboolean config_web_listen_parse(
    const char *spec, char **host, guint *port, char **problem);

/* config_webhook - the [webhook NAME] group named name, or NULL
 * (transfer none) */
const ConfigWebhook *config_webhook(const Config *cfg, const char *name);
/* config_event_name - "share.recorded" ... for one CONFIG_EVENT_* bit */
const char *config_event_name(guint event);
/* config_webhook_key - the key a "whsec_<base64>" secret stands for:
 * 24 to 64 bytes (transfer full), or NULL and *why (transfer full) */
GBytes *config_webhook_key(const char *secret, char **why);

#endif /* PA_CONFIG_H */
