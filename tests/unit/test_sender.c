/*
 * test_sender.c - deliveries to a real SMTP server on 127.0.0.1
 *
 * Each case starts Postfix's smtp-sink on a free loopback port, with
 * options that make it accept, defer (4xx), reject (5xx) or hang up,
 * and dumps what it receives into a temporary folder, so a delivered
 * message is compared byte for byte with what was sent. Every wait is
 * bounded in tries; nothing asserts on how long anything took. Cases
 * skip when smtp-sink is not installed.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "common/util.h"
#include "sender/sender.h"
#include "sender/sender_int.h"

#define WAIT_TRIES 200        /* x 50 ms */
#define WAIT_STEP (50 * 1000) /* microseconds */

#define MESSAGE                                                                \
	"From: Chris via passalong <intros@intro.example.org>\r\n"             \
	"To: jane@friends.example, john@acme.example\r\n"                      \
	"Subject: Introduction\r\n"                                            \
	"Auto-Submitted: auto-generated\r\n"                                   \
	"\r\n"                                                                 \
	"Hello both,\r\n"                                                      \
	".a line that starts with a dot\r\n"                                   \
	"..and one with two\r\n"                                               \
	".\r\n"                                                                \
	"the end\r\n"

/* sinks still running, killed if an assertion aborts the test */
static volatile GPid running[8];

/* on_abort - stop every sink, then die as the assertion wanted */
static void
on_abort(int sig)
{
	for (gsize i = 0; i < G_N_ELEMENTS(running); i++) {
		if (running[i] > 0)
			kill(running[i], SIGKILL);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* track - remember (on) or forget (off) a running sink */
static void
track(GPid pid, gboolean on)
{
	for (gsize i = 0; i < G_N_ELEMENTS(running); i++) {
		if (on ? running[i] == 0 : running[i] == pid) {
			running[i] = on ? pid : 0;
			return;
		}
	}
	g_assert_false(on); /* more sinks at once than this test needs */
}

typedef struct {
	GPid pid;
	guint16 port;
	char *dir;
	char *url;
} Sink;

/* free_port - a loopback port nothing listens on right now */
static guint16
free_port(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4,
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
	g_autoptr(GInetAddress) lo =
	    g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	g_assert_no_error(error);
	g_assert_true(g_socket_bind(sock, any, FALSE, &error));
	bound = g_socket_get_local_address(sock, &error);
	g_assert_no_error(error);
	return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

/* sink_program - the smtp-sink binary, or NULL */
static char *
sink_program(void)
{
	if (g_file_test("/usr/sbin/smtp-sink", G_FILE_TEST_IS_EXECUTABLE))
		return g_strdup("/usr/sbin/smtp-sink");
	return g_find_program_in_path("smtp-sink");
}

/* sink_ready - whether the port accepts connections */
static gboolean
sink_ready(guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) conn = NULL;

	g_socket_client_set_timeout(client, 2);
	conn = g_socket_client_connect_to_host(
	    client, "127.0.0.1", port, NULL, NULL);
	return conn != NULL;
}

/* sink_start - smtp-sink on 127.0.0.1, with extra options; NULL: skip */
static Sink *
sink_start(const char *const *extra)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *prog = sink_program();
	Sink *s;

	if (prog == NULL) {
		g_test_skip("smtp-sink is not installed");
		return NULL;
	}
	s = g_new0(Sink, 1);
	s->dir = g_dir_make_tmp("pa-sink-XXXXXX", &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_chmod(s->dir, 0777), ==, 0); /* -u nobody writes */
	s->port = free_port();
	s->url = g_strdup_printf("smtp://127.0.0.1:%u", s->port);
	g_ptr_array_add(argv, g_steal_pointer(&prog));
	if (geteuid() == 0) { /* smtp-sink refuses to run as root */
		g_ptr_array_add(argv, g_strdup("-u"));
		g_ptr_array_add(argv, g_strdup("nobody"));
	}
	g_ptr_array_add(argv, g_strdup("-d"));
	g_ptr_array_add(argv, g_strdup_printf("%s/msg.", s->dir));
	for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(extra[i]));
	g_ptr_array_add(argv, g_strdup_printf("127.0.0.1:%u", s->port));
	g_ptr_array_add(argv, g_strdup("10"));
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_async(NULL, (char **)argv->pdata, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
		G_SPAWN_STDERR_TO_DEV_NULL,
	    NULL, NULL, &s->pid, &error));
	g_assert_no_error(error);
	track(s->pid, TRUE);
	for (int i = 0; i < WAIT_TRIES && !sink_ready(s->port); i++)
		g_usleep(WAIT_STEP);
	g_assert_true(sink_ready(s->port));
	return s;
}

/* remove_dir - the dump folder and the files in it */
static void
remove_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(dir);
}

/* sink_stop - stop smtp-sink (bounded), remove its folder; NULL ok */
static void
sink_stop(Sink *s)
{
	int status;
	pid_t r = 0;

	if (s == NULL)
		return;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < WAIT_TRIES && r == 0; i++) {
		r = waitpid(s->pid, &status, WNOHANG);
		if (r == 0)
			g_usleep(WAIT_STEP);
	}
	if (r == 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	track(s->pid, FALSE);
	g_spawn_close_pid(s->pid);
	remove_dir(s->dir);
	g_free(s->dir);
	g_free(s->url);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Sink, sink_stop)

/* sink_find - a dumped transaction that holds want, within tries polls */
static char *
sink_find(const Sink *s, const char *want, int tries)
{
	for (int i = 0; i < tries; i++) {
		g_autoptr(GDir) d = g_dir_open(s->dir, 0, NULL);
		const char *name;

		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree char *p =
			    g_build_filename(s->dir, name, NULL);
			g_autofree char *text = NULL;

			if (g_file_get_contents(p, &text, NULL, NULL) &&
			    strstr(text, want) != NULL)
				return g_steal_pointer(&text);
		}
		if (i + 1 < tries)
			g_usleep(WAIT_STEP);
	}
	return NULL;
}

/* sink_dump - the dumped transaction that holds want (bounded wait) */
static char *
sink_dump(const Sink *s, const char *want)
{
	return sink_find(s, want, WAIT_TRIES);
}

/* lf - text with CRLF line ends as LF (smtp-sink dumps LF) */
static char *
lf(const char *text)
{
	g_auto(GStrv) parts = g_strsplit(text, "\r\n", -1);

	return g_strjoinv("\n", parts);
}

/* rcpts_of - a recipient array from a NULL-terminated list */
static GPtrArray *
rcpts_of(const char *first, ...)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
		g_ptr_array_add(a, g_strdup(s));
	va_end(ap);
	return a;
}

/* send_to - sender_send() of MESSAGE to url */
static SendResult
send_to(const char *url, GPtrArray *rcpts, char **detail)
{
	g_autoptr(GBytes) msg = g_bytes_new_static(MESSAGE, strlen(MESSAGE));

	return sender_send(url, "intros@intro.example.org", rcpts, msg, detail);
}

/* test_delivered - the message arrives intact, envelope as given */
static void
test_delivered(void)
{
	g_autoptr(Sink) s = sink_start(NULL);
	g_autoptr(GPtrArray) rcpts = NULL;
	g_autofree char *detail = NULL;
	g_autofree char *dump = NULL;
	g_autofree char *want = lf(MESSAGE);
	g_autofree char *want_end = g_strconcat(want, "\n", NULL);

	if (s == NULL)
		return;
	rcpts = rcpts_of("jane@friends.example", "john@acme.example", NULL);
	g_assert_cmpint(send_to(s->url, rcpts, &detail), ==, SEND_OK);
	g_assert_nonnull(detail);
	g_assert_true(g_str_has_prefix(detail, "250"));
	dump = sink_dump(s, "the end\n"); /* the whole message was written */
	g_assert_nonnull(dump);
	g_assert_nonnull(
	    strstr(dump, "X-Mail-Args: <intros@intro.example.org>\n"));
	g_assert_nonnull(strstr(dump, "X-Rcpt-Args: <jane@friends.example>\n"
				      "X-Rcpt-Args: <john@acme.example>\n"));
	/* after smtp-sink's own headers: the message, then an empty line */
	g_assert_true(g_str_has_suffix(dump, want_end));
}

/* One reply the relay gives, and what sender_send() must make of it. */
typedef struct {
	const char *path;    /* the GTest path */
	const char *opts[6]; /* smtp-sink options giving the reply */
	gboolean two_rcpts;  /* send to a second recipient too */
	SendResult want;
	const char *detail;  /* the exact detail, or NULL */
	const char *prefix;  /* or its first characters */
	gboolean no_message; /* the relay must not have taken the message */
} ReplyCase;

static const ReplyCase reply_cases[] = {
	/* a soft reject at RCPT is temporary */
	{ "/sender/sender_send/rcpt_4xx",
	    { "-r", "RCPT", "-b", "451 4.3.0 try later", NULL }, FALSE,
	    SEND_RETRY, "451 4.3.0 try later", NULL, TRUE },
	/* a hard reject at RCPT is final, the reply kept */
	{ "/sender/sender_send/rcpt_5xx",
	    { "-f", "RCPT", "-B", "550 5.1.1 no such user here", NULL }, TRUE,
	    SEND_FAIL, "550 5.1.1 no such user here", NULL, FALSE },
	/* a hard reject of the message itself is final */
	{ "/sender/sender_send/data_5xx", { "-f", ".", NULL }, FALSE, SEND_FAIL,
	    NULL, "5", FALSE },
	/* 421 (closing) after MAIL is temporary */
	{ "/sender/sender_send/reply_421", { "-Q", "MAIL", NULL }, FALSE,
	    SEND_RETRY, NULL, "421", FALSE },
	/* the server closes the connection without a reply */
	{ "/sender/sender_send/hangup", { "-q", "DATA", NULL }, FALSE,
	    SEND_RETRY, NULL, "", FALSE },
};

/* test_reply - one ReplyCase against a real smtp-sink */
static void
test_reply(gconstpointer data)
{
	const ReplyCase *c = data;
	g_autoptr(Sink) s = sink_start(c->opts);
	g_autoptr(GPtrArray) rcpts = NULL;
	g_autofree char *detail = NULL;

	if (s == NULL)
		return; /* skipped: no smtp-sink */
	rcpts = c->two_rcpts ? rcpts_of("jane@friends.example",
				   "john@acme.example", NULL)
			     : rcpts_of("jane@friends.example", NULL);
	g_assert_cmpint(send_to(s->url, rcpts, &detail), ==, c->want);
	g_assert_nonnull(detail);
	g_assert_cmpstr(detail, !=, "");
	if (c->detail != NULL)
		g_assert_cmpstr(detail, ==, c->detail);
	if (c->prefix != NULL)
		g_assert_true(g_str_has_prefix(detail, c->prefix));
	if (c->no_message) {
		g_autofree char *dump = sink_find(s, "Subject:", 1);

		g_assert_null(dump); /* the reply came: nothing to wait */
	}
}

/* test_refused - nobody listens: temporary */
static void
test_refused(void)
{
	g_autoptr(GPtrArray) rcpts = rcpts_of("jane@friends.example", NULL);
	g_autofree char *url =
	    g_strdup_printf("smtp://127.0.0.1:%u", free_port());
	g_autofree char *detail = NULL;

	g_assert_cmpint(send_to(url, rcpts, &detail), ==, SEND_RETRY);
	g_assert_nonnull(detail);
}

/* listener - a bound, listening, non-blocking socket on 127.0.0.1 */
static GSocket *
listener(guint16 *port)
{
	g_autoptr(GError) error = NULL;
	GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
	    G_SOCKET_PROTOCOL_TCP, &error);
	g_autoptr(GInetAddress) lo =
	    g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	g_assert_no_error(error);
	g_assert_true(g_socket_bind(sock, any, FALSE, &error));
	g_assert_true(g_socket_listen(sock, &error));
	g_socket_set_blocking(sock, FALSE);
	bound = g_socket_get_local_address(sock, &error);
	g_assert_no_error(error);
	*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	return sock;
}

/* assert_unsafe - FAIL with a reason, and no connection was made */
static void
assert_unsafe(const char *from, GPtrArray *rcpts)
{
	guint16 port;
	g_autoptr(GSocket) sock = listener(&port);
	g_autofree char *url = g_strdup_printf("smtp://127.0.0.1:%u", port);
	g_autoptr(GBytes) msg = g_bytes_new_static(MESSAGE, strlen(MESSAGE));
	g_autofree char *detail = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) conn = NULL;

	g_assert_cmpint(
	    sender_send(url, from, rcpts, msg, &detail), ==, SEND_FAIL);
	g_assert_nonnull(detail);
	g_assert_true(strstr(detail, "not a safe address") != NULL ||
		      strstr(detail, "no recipient") != NULL);
	conn = g_socket_accept(sock, NULL, &error);
	g_assert_null(conn);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

/* test_unsafe - unsafe addresses fail before any connection */
static void
test_unsafe(void)
{
	const char *bad[] = { "jane@friends.example\r\nRCPT TO:<e@x.example>",
		"jane@friends.example>\r\nDATA", "jane doe@friends.example",
		"jane", "", "a@b@c.example", "<jane@friends.example>" };

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GPtrArray) rcpts =
		    rcpts_of("ok@friends.example", bad[i], NULL);

		assert_unsafe("intros@intro.example.org", rcpts);
		if (*bad[i] != '\0') {
			g_autoptr(GPtrArray) good =
			    rcpts_of("ok@friends.example", NULL);

			assert_unsafe(bad[i], good);
		}
	}
	{
		g_autoptr(GPtrArray) none = g_ptr_array_new();

		assert_unsafe("intros@intro.example.org", none);
		assert_unsafe("intros@intro.example.org", NULL);
	}
}

/* test_backoff - doubles from retry_min, capped at retry_max */
static void
test_backoff(void)
{
	g_autoptr(Config) cfg = config_new_default();

	cfg->retry_min = 60;
	cfg->retry_max = 1000;
	g_assert_cmpuint(sender_backoff(cfg, 1), ==, 60);
	g_assert_cmpuint(sender_backoff(cfg, 2), ==, 120);
	g_assert_cmpuint(sender_backoff(cfg, 3), ==, 240);
	g_assert_cmpuint(sender_backoff(cfg, 4), ==, 480);
	g_assert_cmpuint(sender_backoff(cfg, 5), ==, 960);
	g_assert_cmpuint(sender_backoff(cfg, 6), ==, 1000);
	g_assert_cmpuint(sender_backoff(cfg, 4000), ==, 1000);
	cfg->retry_max = 7 * 86400;
	cfg->retry_min = 86400;
	g_assert_cmpuint(sender_backoff(cfg, 64), ==, 7 * 86400);
}

typedef struct {
	char *dir;
	char *path;
	Store *store;
	Config *cfg;
} Db;

/* db_new - a fresh store file and a Config for it */
static Db *
db_new(void)
{
	g_autoptr(GError) error = NULL;
	Db *db = g_new0(Db, 1);

	db->dir = g_dir_make_tmp("pa-sender-XXXXXX", &error);
	g_assert_no_error(error);
	db->path = g_build_filename(db->dir, "passalong.db", NULL);
	db->store = store_open(db->path, 5000, &error);
	g_assert_no_error(error);
	db->cfg = config_new_default();
	g_free(db->cfg->store_path);
	db->cfg->store_path = g_strdup(db->path);
	db->cfg->retry_min = 60;
	db->cfg->retry_max = 100;
	db->cfg->max_attempts = 3;
	return db;
}

/* db_free - close and remove the store */
static void
db_free(Db *db)
{
	store_close(db->store);
	config_free(db->cfg);
	remove_dir(db->dir);
	g_free(db->path);
	g_free(db->dir);
	g_free(db);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Db, db_free)

/* queue - one outbox item due at at, to rcpt; its id */
static gint64
queue(Db *db, const char *rcpt, gint64 at)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OutboxItem) item = outbox_item_new();

	item->kind = g_strdup("notice");
	item->mail_from = g_strdup("intros@intro.example.org");
	g_ptr_array_add(item->rcpts, g_strdup(rcpt));
	item->subject = g_strdup("Introduction");
	item->message = g_bytes_new_static(MESSAGE, strlen(MESSAGE));
	item->next_attempt_at = at;
	g_assert_true(store_outbox_add(db->store, item, &error));
	g_assert_no_error(error);
	g_assert_cmpint(item->id, >, 0);
	return item->id;
}

/* get - an outbox item as the store has it now */
static OutboxItem *
get(Db *db, gint64 id)
{
	g_autoptr(GError) error = NULL;
	OutboxItem *item = store_outbox_get(db->store, id, &error);

	g_assert_no_error(error);
	g_assert_nonnull(item);
	return item;
}

/* flush_at - sender_flush_at(), asserting no error; the stats */
static FlushStats
flush_at(Db *db, gint64 now)
{
	g_autoptr(GError) error = NULL;
	FlushStats st = { 99, 99, 99 };

	g_assert_true(sender_flush_at(db->store, db->cfg, now, &st, &error));
	g_assert_no_error(error);
	return st;
}

/* test_flush_sent - a due item is delivered and marked sent */
static void
test_flush_sent(void)
{
	g_autoptr(Sink) s = sink_start(NULL);
	g_autoptr(Db) db = NULL;
	g_autoptr(OutboxItem) a = NULL;
	g_autoptr(OutboxItem) b = NULL;
	g_autofree char *dump = NULL;
	gint64 t0 = 1700000000, ida, idb;
	FlushStats st;

	if (s == NULL)
		return;
	db = db_new();
	g_free(db->cfg->smtp_url);
	db->cfg->smtp_url = g_strdup(s->url);
	ida = queue(db, "jane@friends.example", t0);
	idb = queue(db, "later@friends.example", t0 + 3600);
	st = flush_at(db, t0);
	g_assert_cmpuint(st.sent, ==, 1);
	g_assert_cmpuint(st.retried, ==, 0);
	g_assert_cmpuint(st.failed, ==, 0);
	a = get(db, ida);
	b = get(db, idb);
	g_assert_cmpstr(a->status, ==, "sent");
	g_assert_cmpuint(a->attempts, ==, 1);
	g_assert_cmpstr(b->status, ==, "queued");
	g_assert_cmpuint(b->attempts, ==, 0);
	dump = sink_dump(s, "X-Rcpt-Args: <jane@friends.example>");
	g_assert_nonnull(dump);
	st = flush_at(db, t0 + 1);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
}

/* test_flush_retry - 4xx: queued with doubling backoff, then failed */
static void
test_flush_retry(void)
{
	const char *opts[] = { "-r", "RCPT", NULL };
	g_autoptr(Sink) s = sink_start(opts);
	g_autoptr(Db) db = NULL;
	gint64 t = 1700000000, id;
	const gint64 waits[] = { 60, 100 }; /* retry_min 60, retry_max 100 */
	FlushStats st;

	if (s == NULL)
		return;
	db = db_new();
	g_free(db->cfg->smtp_url);
	db->cfg->smtp_url = g_strdup(s->url);
	id = queue(db, "jane@friends.example", t);
	for (guint n = 1; n <= 2; n++) {
		g_autoptr(OutboxItem) item = NULL;

		st = flush_at(db, t);
		g_assert_cmpuint(st.retried, ==, 1);
		g_assert_cmpuint(st.sent + st.failed, ==, 0);
		item = get(db, id);
		g_assert_cmpstr(item->status, ==, "queued");
		g_assert_cmpuint(item->attempts, ==, n);
		g_assert_cmpint(item->next_attempt_at, ==, t + waits[n - 1]);
		g_assert_nonnull(item->last_error);
		g_assert_true(g_str_has_prefix(item->last_error, "450"));
		st = flush_at(db, t + waits[n - 1] - 1); /* not due yet */
		g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
		t += waits[n - 1];
	}
	st = flush_at(db, t); /* third attempt = max_attempts */
	g_assert_cmpuint(st.failed, ==, 1);
	g_assert_cmpuint(st.sent + st.retried, ==, 0);
	{
		g_autoptr(OutboxItem) item = get(db, id);

		g_assert_cmpstr(item->status, ==, "failed");
		g_assert_cmpuint(item->attempts, ==, 3);
	}
	st = flush_at(db, t + 100000);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
}

/* test_flush_fail - 5xx: failed at once; refused: retried */
static void
test_flush_fail(void)
{
	const char *opts[] = { "-f", "RCPT", NULL };
	g_autoptr(Sink) s = sink_start(opts);
	g_autoptr(Db) db = NULL;
	g_autoptr(OutboxItem) a = NULL;
	g_autoptr(OutboxItem) b = NULL;
	gint64 t = 1700000000, ida, idb;
	FlushStats st;

	if (s == NULL)
		return;
	db = db_new();
	g_free(db->cfg->smtp_url);
	db->cfg->smtp_url = g_strdup(s->url);
	ida = queue(db, "jane@friends.example", t);
	st = flush_at(db, t);
	g_assert_cmpuint(st.failed, ==, 1);
	g_assert_cmpuint(st.sent + st.retried, ==, 0);
	a = get(db, ida);
	g_assert_cmpstr(a->status, ==, "failed");
	g_assert_cmpuint(a->attempts, ==, 1);
	g_assert_true(g_str_has_prefix(a->last_error, "500"));

	g_free(db->cfg->smtp_url);
	db->cfg->smtp_url = g_strdup_printf("smtp://127.0.0.1:%u", free_port());
	idb = queue(db, "john@acme.example", t);
	st = flush_at(db, t);
	g_assert_cmpuint(st.retried, ==, 1);
	b = get(db, idb);
	g_assert_cmpstr(b->status, ==, "queued");
	g_assert_cmpint(b->next_attempt_at, ==, t + 60);
}

/* test_flush_many - more items than one batch all go out */
static void
test_flush_many(void)
{
	g_autoptr(Sink) s = sink_start(NULL);
	g_autoptr(Db) db = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	gint64 t = 1700000000;
	guint n = SENDER_BATCH * 2 + 3;
	FlushStats st;

	if (s == NULL)
		return;
	db = db_new();
	g_free(db->cfg->smtp_url);
	db->cfg->smtp_url = g_strdup(s->url);
	for (guint i = 0; i < n; i++) {
		g_autofree char *rcpt =
		    g_strdup_printf("r%u@friends.example", i);

		queue(db, rcpt, t - (gint64)i);
	}
	st = flush_at(db, t);
	g_assert_cmpuint(st.sent, ==, n);
	list = store_outbox_list(db->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, n);
	for (guint i = 0; i < list->len; i++) {
		const OutboxItem *item = g_ptr_array_index(list, i);

		g_assert_cmpstr(item->status, ==, "sent");
	}
}

/* wait_status - poll the store until item id has status (bounded) */
static gboolean
wait_status(Db *db, gint64 id, const char *status)
{
	for (int i = 0; i < WAIT_TRIES; i++) {
		g_autoptr(OutboxItem) item = get(db, id);

		if (g_strcmp0(item->status, status) == 0)
			return TRUE;
		g_usleep(WAIT_STEP);
	}
	return FALSE;
}

typedef struct {
	SenderWorker *worker;
	GMutex lock;
	GCond cond;
	gboolean done;
} Stopper;

/* stop_thread - sender_worker_stop() off the test's thread */
static gpointer
stop_thread(gpointer data)
{
	Stopper *st = data;

	sender_worker_stop(st->worker);
	g_mutex_lock(&st->lock);
	st->done = TRUE;
	g_cond_signal(&st->cond);
	g_mutex_unlock(&st->lock);
	return NULL;
}

/* stop_bounded - stop the worker; FALSE if it did not stop in time */
static gboolean
stop_bounded(SenderWorker *w)
{
	Stopper st = { .worker = w };
	gint64 until = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
	GThread *t;
	gboolean done;

	g_mutex_init(&st.lock);
	g_cond_init(&st.cond);
	t = g_thread_new("stopper", stop_thread, &st);
	g_mutex_lock(&st.lock);
	while (!st.done && g_cond_wait_until(&st.cond, &st.lock, until))
		;
	done = st.done;
	g_mutex_unlock(&st.lock);
	g_assert_true(done); /* else the test ends here, thread and all */
	g_thread_join(t);
	g_mutex_clear(&st.lock);
	g_cond_clear(&st.cond);
	return done;
}

/* test_worker - delivers at start and when woken; stops while asleep */
static void
test_worker(void)
{
	g_autoptr(Sink) s = sink_start(NULL);
	g_autoptr(Db) db = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *dump = NULL;
	Config *cfg;
	SenderWorker *w;
	gint64 ida, idb;

	if (s == NULL)
		return;
	db = db_new();
	ida = queue(db, "first@friends.example", util_now() - 1);
	cfg = config_new_default();
	g_free(cfg->store_path);
	cfg->store_path = g_strdup(db->path);
	g_free(cfg->smtp_url);
	cfg->smtp_url = g_strdup(s->url);
	cfg->poll_interval = 3600;
	w = sender_worker_start(cfg, &error);
	g_assert_no_error(error);
	g_assert_nonnull(w);
	config_free(cfg); /* the worker keeps its own copy */
	g_assert_true(wait_status(db, ida, "sent"));
	idb = queue(db, "second@friends.example", util_now() - 1);
	sender_worker_wake(w);
	g_assert_true(wait_status(db, idb, "sent"));
	dump = sink_dump(s, "X-Rcpt-Args: <second@friends.example>");
	g_assert_nonnull(dump);
	g_assert_true(stop_bounded(w));
}

/* test_worker_bad_store - a store that cannot be opened is an error */
static void
test_worker_bad_store(void)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(GError) error = NULL;

	g_free(cfg->store_path);
	cfg->store_path = g_strdup("/nonexistent-dir/for/sure/passalong.db");
	g_assert_null(sender_worker_start(cfg, &error));
	g_assert_nonnull(error);
	sender_worker_stop(NULL);
	sender_worker_wake(NULL);
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	signal(SIGABRT, on_abort);
	signal(SIGTRAP, on_abort); /* g_error(), G_DEBUG=fatal-criticals */
	sender_init();
	g_test_add_func("/sender/sender_send/delivered", test_delivered);
	for (size_t i = 0; i < G_N_ELEMENTS(reply_cases); i++)
		g_test_add_data_func(
		    reply_cases[i].path, &reply_cases[i], test_reply);
	g_test_add_func("/sender/sender_send/refused", test_refused);
	g_test_add_func("/sender/sender_send/unsafe", test_unsafe);
	g_test_add_func("/sender/sender_backoff/doubling", test_backoff);
	g_test_add_func("/sender/sender_flush/sent", test_flush_sent);
	g_test_add_func("/sender/sender_flush/retry", test_flush_retry);
	g_test_add_func("/sender/sender_flush/fail", test_flush_fail);
	g_test_add_func("/sender/sender_flush/many", test_flush_many);
	g_test_add_func("/sender/worker/deliver", test_worker);
	g_test_add_func("/sender/worker/bad_store", test_worker_bad_store);
	return g_test_run();
}
