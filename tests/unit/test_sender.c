/*
 * test_sender.c - deliveries to a real SMTP server on 127.0.0.1
 *
 * Each case starts Postfix's smtp-sink on a free loopback port, with
 * options that make it accept, defer (4xx), reject (5xx) or hang up,
 * and dumps what it receives into a temporary folder, so a delivered
 * message is compared byte for byte with what was sent. Every wait is
 * bounded in tries; nothing asserts on how long anything took. Cases
 * skip when smtp-sink is not installed.
 *
 * smtp-sink answers every RCPT alike; the cases about each recipient's
 * own reply use Relay, a small scripted SMTP server in a thread of this
 * test, which answers RCPT by address and counts what it took.
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
#include <libpq-fe.h>
#include <sqlite3.h>

#include "common/util.h"
#include "flow/flow.h"
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

/* ---- Relay: a scripted SMTP server, a thread per connection ---- */

typedef struct {
	GSocket *sock;
	guint16 port;
	char *url;
	GThread *thread;
	GMutex lock;
	GHashTable *replies;   /* address -> RCPT reply; under lock */
	GHashTable *got;       /* address -> messages taken; under lock */
	GPtrArray *messages;   /* of char *, each message taken; under lock */
	gint stop;             /* atomic */
	gint sessions;         /* atomic: connections served */
	void (*on_data)(void); /* after the final dot, before the 250 */
	void (*on_command)(const char *cmd); /* before each reply */
	/* before each reply too, with the addresses this session took */
	void (*on_session)(const char *cmd, GPtrArray *taken);
	GPtrArray *threads; /* of GThread *, one per session; under lock */
} Relay;

/* relay_write - one reply line */
static gboolean
relay_write(GOutputStream *out, const char *line)
{
	g_autofree char *l = g_strconcat(line, "\r\n", NULL);

	return g_output_stream_write_all(out, l, strlen(l), NULL, NULL, NULL);
}

/* relay_data - read the message to the dot; TRUE when it ended well */
static gboolean
relay_data(GDataInputStream *in, GString *msg)
{
	for (;;) {
		g_autofree char *line =
		    g_data_input_stream_read_line(in, NULL, NULL, NULL);

		if (line == NULL)
			return FALSE;
		if (strcmp(line, ".") == 0)
			return TRUE;
		g_string_append_printf(msg, "%s\n", line);
	}
}

/* relay_take - count one message for each accepted recipient */
static void
relay_take(Relay *r, GPtrArray *rcpts, GString *msg)
{
	g_mutex_lock(&r->lock);
	for (guint i = 0; i < rcpts->len; i++) {
		const char *a = g_ptr_array_index(rcpts, i);
		int n = GPOINTER_TO_INT(g_hash_table_lookup(r->got, a));

		g_hash_table_insert(
		    r->got, g_strdup(a), GINT_TO_POINTER(n + 1));
	}
	g_ptr_array_add(r->messages, g_strdup(msg->str));
	g_mutex_unlock(&r->lock);
}

/* rcpt_reply - the scripted reply to RCPT TO:<a>, or NULL for 250 */
static char *
rcpt_reply(Relay *r, const char *a)
{
	char *reply;

	g_mutex_lock(&r->lock);
	reply = g_strdup(g_hash_table_lookup(r->replies, a));
	g_mutex_unlock(&r->lock);
	return reply;
}

/* relay_command - answer one command; FALSE ends the session */
static gboolean
relay_command(Relay *r, const char *cmd, GDataInputStream *in,
    GOutputStream *out, GPtrArray *rcpts, GPtrArray *taken)
{
	if (r->on_command != NULL)
		r->on_command(cmd);
	if (r->on_session != NULL)
		r->on_session(cmd, taken);
	if (g_ascii_strncasecmp(cmd, "EHLO", 4) == 0)
		return relay_write(out, "250-relay.test") &&
		       relay_write(out, "250 8BITMIME");
	if (g_ascii_strncasecmp(cmd, "MAIL", 4) == 0) {
		g_ptr_array_set_size(rcpts, 0);
		return relay_write(out, "250 2.1.0 ok");
	}
	if (g_ascii_strncasecmp(cmd, "RCPT TO:<", 9) == 0) {
		g_autofree char *a = g_strndup(cmd + 9, strcspn(cmd + 9, ">"));
		g_autofree char *reply = rcpt_reply(r, a);

		if (reply == NULL)
			g_ptr_array_add(rcpts, g_strdup(a));
		return relay_write(out, reply ? reply : "250 2.1.5 ok");
	}
	if (g_ascii_strcasecmp(cmd, "DATA") == 0) {
		g_autoptr(GString) msg = g_string_new(NULL);

		if (rcpts->len == 0)
			return relay_write(out, "554 5.5.1 no recipients");
		if (!relay_write(out, "354 go on") || !relay_data(in, msg))
			return FALSE;
		if (r->on_data != NULL)
			r->on_data();
		relay_take(r, rcpts, msg);
		for (guint i = 0; i < rcpts->len; i++)
			g_ptr_array_add(taken, g_strdup(rcpts->pdata[i]));
		return relay_write(out, "250 2.0.0 queued");
	}
	if (g_ascii_strcasecmp(cmd, "QUIT") == 0) {
		relay_write(out, "221 2.0.0 bye");
		return FALSE;
	}
	return relay_write(out, "250 2.0.0 ok"); /* RSET, NOOP */
}

/* relay_session - one SMTP session */
static void
relay_session(Relay *r, GIOStream *io)
{
	g_autoptr(GDataInputStream) in =
	    g_data_input_stream_new(g_io_stream_get_input_stream(io));
	GOutputStream *out = g_io_stream_get_output_stream(io);
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) taken = g_ptr_array_new_with_free_func(g_free);
	gboolean more;

	g_data_input_stream_set_newline_type(
	    in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
	more = relay_write(out, "220 relay.test ESMTP");
	while (more) {
		g_autofree char *cmd =
		    g_data_input_stream_read_line(in, NULL, NULL, NULL);

		more =
		    cmd != NULL && relay_command(r, cmd, in, out, rcpts, taken);
	}
}

/* One session being served. */
typedef struct {
	Relay *r;
	GSocketConnection *io;
} Session;

/* session_main - serve one connection, then close it */
static gpointer
session_main(gpointer data)
{
	Session *se = data;

	relay_session(se->r, G_IO_STREAM(se->io));
	g_io_stream_close(G_IO_STREAM(se->io), NULL, NULL);
	g_object_unref(se->io);
	g_free(se);
	return NULL;
}

/* relay_main - accept until told to stop, each session in a thread of
 * its own (a sender may hold several connections at once) */
static gpointer
relay_main(gpointer data)
{
	Relay *r = data;

	while (!g_atomic_int_get(&r->stop)) {
		g_autoptr(GSocket) conn = NULL;
		Session *se;

		if (!g_socket_condition_timed_wait(
			r->sock, G_IO_IN, 100 * 1000, NULL, NULL))
			continue;
		conn = g_socket_accept(r->sock, NULL, NULL);
		if (conn == NULL)
			continue;
		g_socket_set_blocking(conn, TRUE);
		g_socket_set_timeout(conn, 10);
		se = g_new0(Session, 1);
		se->r = r;
		se->io = g_socket_connection_factory_create_connection(conn);
		g_atomic_int_inc(&r->sessions);
		g_mutex_lock(&r->lock);
		g_ptr_array_add(r->threads,
		    g_thread_new("relay-session", session_main, se));
		g_mutex_unlock(&r->lock);
	}
	return NULL;
}

/* relay_start - a Relay on a free loopback port */
static Relay *
relay_start(void)
{
	Relay *r = g_new0(Relay, 1);

	g_mutex_init(&r->lock);
	r->replies =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->got = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r->messages = g_ptr_array_new_with_free_func(g_free);
	r->threads = g_ptr_array_new();
	r->sock = listener(&r->port);
	r->url = g_strdup_printf("smtp://127.0.0.1:%u", r->port);
	r->thread = g_thread_new("relay", relay_main, r);
	return r;
}

/* relay_stop - stop the thread and free; NULL ok */
static void
relay_stop(Relay *r)
{
	if (r == NULL)
		return;
	g_atomic_int_set(&r->stop, 1);
	g_thread_join(r->thread);
	/* sessions end with their client's QUIT or the socket's timeout */
	for (guint i = 0; i < r->threads->len; i++)
		g_thread_join(r->threads->pdata[i]);
	g_ptr_array_unref(r->threads);
	g_object_unref(r->sock);
	g_hash_table_unref(r->replies);
	g_hash_table_unref(r->got);
	g_ptr_array_unref(r->messages);
	g_mutex_clear(&r->lock);
	g_free(r->url);
	g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Relay, relay_stop)

/* relay_script - RCPT TO:<address> gets reply (NULL: 250 again) */
static void
relay_script(Relay *r, const char *address, const char *reply)
{
	g_mutex_lock(&r->lock);
	if (reply == NULL)
		g_hash_table_remove(r->replies, address);
	else
		g_hash_table_insert(
		    r->replies, g_strdup(address), g_strdup(reply));
	g_mutex_unlock(&r->lock);
}

/* relay_got - how many messages address was given */
static int
relay_got(Relay *r, const char *address)
{
	int n;

	g_mutex_lock(&r->lock);
	n = GPOINTER_TO_INT(g_hash_table_lookup(r->got, address));
	g_mutex_unlock(&r->lock);
	return n;
}

/* relay_last - the last message taken (transfer full) */
static char *
relay_last(Relay *r)
{
	char *text;

	g_mutex_lock(&r->lock);
	g_assert_cmpuint(r->messages->len, >, 0);
	text = g_strdup(r->messages->pdata[r->messages->len - 1]);
	g_mutex_unlock(&r->lock);
	return text;
}

typedef struct {
	char *dir;
	char *path;
	Store *store;
	Config *cfg;
} Db;

/* PA_TEST_PG: a PostgreSQL server to run on (t-store-pg.sh), or NULL */
static const char *pg_admin;

/* pg_exec - run sql on conninfo c (a connection of its own if c is NULL) */
static void
pg_exec(PGconn *c, const char *conninfo, const char *sql)
{
	PGconn *own = c != NULL ? NULL : PQconnectdb(conninfo);
	PGresult *r;

	if (own != NULL) {
		g_assert_cmpint(PQstatus(own), ==, CONNECTION_OK);
		PQclear(PQexec(own, "SET client_min_messages = warning"));
	}
	r = PQexec(c != NULL ? c : own, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		g_error("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	if (own != NULL)
		PQfinish(own);
}

/* set_store - point cfg at the test's store */
static void
set_store(Config *cfg, const char *url)
{
	g_free(cfg->store_path);
	cfg->store_path = pg_admin ? NULL : g_strdup(url);
	g_free(cfg->store_url);
	cfg->store_url = pg_admin ? g_strdup(url) : NULL;
}

/* db_open - a fresh store (a file, or a PostgreSQL schema) whose Store
 * waits busy_ms on a lock; the schema is made first by a Store that
 * waits 5 s, since creating it takes more than the 50 ms the lock
 * tests ask for on a loaded machine (on PostgreSQL, the timeout is the
 * statement's too) */
static Db *
db_open(guint busy_ms)
{
	static guint seq;
	g_autoptr(GError) error = NULL;
	Db *db = g_new0(Db, 1);

	db->dir = g_dir_make_tmp("pa-sender-XXXXXX", &error);
	g_assert_no_error(error);
	if (pg_admin != NULL) {
		g_autofree char *schema =
		    g_strdup_printf("s%d_%u", (int)getpid(), ++seq);
		g_autofree char *sql = g_strdup_printf(
		    "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s",
		    schema, schema);

		pg_exec(NULL, pg_admin, sql);
		db->path = g_strdup_printf(
		    "%s options='-c search_path=%s'", pg_admin, schema);
	} else
		db->path = g_build_filename(db->dir, "passalong.db", NULL);
	if (busy_ms < 5000) {
		Store *made = store_open(db->path, 5000, &error);

		g_assert_no_error(error);
		store_close(made);
	}
	db->store = store_open(db->path, busy_ms, &error);
	g_assert_no_error(error);
	db->cfg = config_new_default();
	set_store(db->cfg, db->path);
	db->cfg->retry_min = 60;
	db->cfg->retry_max = 100;
	db->cfg->max_attempts = 3;
	return db;
}

/* db_new - a fresh store file and a Config for it */
static Db *
db_new(void)
{
	return db_open(5000);
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
	FlushStats st = { .sent = 99, .retried = 99, .failed = 99 };

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
	set_store(cfg, db->path);
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

/* test_worker_digest - the daemon queues a due digest by itself (the
 * day is today, 00:00, in UTC) and delivers it in the same round;
 * later rounds queue no second one */
static void
test_worker_digest(void)
{
	g_autoptr(Sink) s = sink_start(NULL);
	g_autoptr(Db) db = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) m = member_new();
	g_autoptr(Share) sh = share_new();
	g_autoptr(GDateTime) today = g_date_time_new_now_utc();
	g_autoptr(GPtrArray) all = NULL;
	g_autofree char *dump = NULL;
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
		"sat", "sun" };
	gboolean created = FALSE;
	gint64 digest = 0;
	guint n = 0;
	Config *cfg;
	SenderWorker *w;

	if (s == NULL)
		return;
	db = db_new();
	m->address = g_strdup("jane@example.net");
	m->name = g_strdup("Jane Doe");
	g_assert_true(store_member_add(db->store, m, NULL, &error));
	sh->sharer = g_strdup("jane@example.net");
	sh->recipient = g_strdup("friend@example.com");
	sh->requester = g_strdup("asker@example.org");
	sh->subject = g_strdup("A keynote");
	sh->origin_key = g_strdup("k1");
	sh->created_at = util_now();
	g_assert_true(
	    store_share_record(db->store, sh, NULL, &created, &error));
	g_assert_no_error(error);
	cfg = config_new_default();
	set_store(cfg, db->path);
	g_free(cfg->smtp_url);
	cfg->smtp_url = g_strdup(s->url);
	cfg->poll_interval = 1;
	g_free(cfg->digest_day);
	cfg->digest_day =
	    g_strdup(days[g_date_time_get_day_of_week(today) - 1]);
	cfg->digest_hour = 0;
	w = sender_worker_start(cfg, &error);
	g_assert_no_error(error);
	config_free(cfg);
	for (int i = 0; i < WAIT_TRIES && digest == 0; i++) {
		g_autoptr(GPtrArray) items = store_outbox_list(db->store, NULL);

		for (guint j = 0; items != NULL && j < items->len; j++)
			if (!strcmp(((OutboxItem *)items->pdata[j])->kind,
				"digest"))
				digest = ((OutboxItem *)items->pdata[j])->id;
		if (digest == 0)
			g_usleep(WAIT_STEP);
	}
	g_assert_cmpint(digest, >, 0);
	g_assert_true(wait_status(db, digest, "sent"));
	g_usleep(2 * G_USEC_PER_SEC); /* rounds go on: no second digest */
	g_assert_true(stop_bounded(w));
	all = store_outbox_list(db->store, &error);
	for (guint j = 0; j < all->len; j++)
		n += !strcmp(((OutboxItem *)all->pdata[j])->kind, "digest");
	g_assert_cmpuint(n, ==, 1);
	dump = sink_dump(s, "X-Rcpt-Args: <jane@example.net>");
	g_assert_nonnull(dump);
}

/* asked_share - a share by jane to friend@ in mode ask, asked days ago,
 * recorded without rows; its id */
static gint64
asked_share(Db *db, const Config *cfg, const char *key, gint64 days)
{
	g_autoptr(Share) sh = share_new();
	g_autoptr(GError) error = NULL;
	gint64 then = util_now() - days * 86400;
	gboolean created = FALSE;

	sh->sharer = g_strdup("jane@example.net");
	sh->recipient = g_strdup("friend@example.com");
	sh->requester = g_strdup_printf("asker-%s@example.org", key);
	sh->subject = g_strdup("A keynote");
	sh->origin_key = g_strdup(key);
	sh->created_at = then;
	flow_share_begin(cfg, sh, "ask", then);
	g_assert_true(
	    store_share_record(db->store, sh, NULL, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	return sh->id;
}

/* kinds - "kind:rcpt:status;..." of every outbox row, in order */
static char *
kinds(Db *db)
{
	g_autoptr(GPtrArray) all = store_outbox_list(db->store, NULL);
	GString *out = g_string_new(NULL);

	for (guint i = 0; all != NULL && i < all->len; i++) {
		const OutboxItem *it = all->pdata[i];

		g_string_append_printf(out, "%s%s:%s:%s", i ? ";" : "",
		    it->kind, (char *)g_ptr_array_index(it->rcpts, 0),
		    it->status);
	}
	return g_string_free(out, FALSE);
}

/* test_worker_time - the daemon's own rounds move time for the consent
 * flow (not only "passalong tick"): a request asked four days ago gets
 * its one reminder to the friend, one asked eight days ago expires
 * with a notice to the member only; later rounds repeat neither */
static void
test_worker_time(void)
{
	g_autoptr(Sink) s = sink_start(NULL);
	g_autoptr(Db) db = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Member) m = member_new();
	g_autoptr(Share) a = NULL;
	g_autoptr(Share) b = NULL;
	g_autofree char *dump = NULL;
	static const char want[] = "notice:jane@example.net:sent;"
				   "consent:friend@example.com:sent";
	char *got = NULL;
	Config *cfg;
	SenderWorker *w;
	gint64 ida, idb;

	if (s == NULL)
		return;
	db = db_new();
	m->address = g_strdup("jane@example.net");
	m->name = g_strdup("Jane Doe");
	g_assert_true(store_member_add(db->store, m, NULL, &error));
	cfg = config_new_default();
	ida = asked_share(db, cfg, "reminded", 4);
	idb = asked_share(db, cfg, "expired", 8);
	set_store(cfg, db->path);
	g_free(cfg->smtp_url);
	cfg->smtp_url = g_strdup(s->url);
	cfg->poll_interval = 1;
	g_free(cfg->digest_day);
	cfg->digest_day = g_strdup("never");
	w = sender_worker_start(cfg, &error);
	g_assert_no_error(error);
	config_free(cfg);
	for (int i = 0; i < WAIT_TRIES; i++) {
		got = kinds(db);
		if (strcmp(got, want) == 0)
			break;
		if (i + 1 < WAIT_TRIES)
			g_clear_pointer(&got, g_free);
		g_usleep(WAIT_STEP);
	}
	g_assert_cmpstr(got, ==, want);
	g_free(got);
	g_usleep(2 * G_USEC_PER_SEC); /* rounds go on: nothing again */
	g_assert_true(stop_bounded(w));
	got = kinds(db);
	g_assert_cmpstr(got, ==, want);
	g_free(got);
	a = store_share_get(db->store, ida, &error);
	b = store_share_get(db->store, idb, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(a->status, ==, "asked");
	g_assert_cmpstr(b->status, ==, "expired");
	dump = sink_dump(s, "X-Rcpt-Args: <friend@example.com>");
	g_assert_nonnull(dump);
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

#define MEMBER "member@example.net"
#define FRIEND "friend@friends.example"
#define ASKER "asker@asker.example"

/* share_intro - a share by MEMBER and its intro to FRIEND, ASKER and
 * MEMBER, due at at; the intro's id */
static gint64
share_intro(Db *db, gint64 at)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) sh = share_new();
	g_autoptr(GPtrArray) items =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	OutboxItem *item = outbox_item_new();
	gboolean created = FALSE;

	sh->sharer = g_strdup(MEMBER);
	sh->recipient = g_strdup(FRIEND);
	sh->requester = g_strdup(ASKER);
	sh->subject = g_strdup("Speaking at ConfX");
	sh->origin_key = g_strdup("<o1@asker.example>");
	item->kind = g_strdup("intro");
	item->mail_from = g_strdup("intros@intro.example.org");
	g_ptr_array_add(item->rcpts, g_strdup(FRIEND));
	g_ptr_array_add(item->rcpts, g_strdup(ASKER));
	g_ptr_array_add(item->rcpts, g_strdup(MEMBER));
	item->subject = g_strdup("Intro: Friend, meet Asker");
	item->message = g_bytes_new_static(MESSAGE, strlen(MESSAGE));
	item->next_attempt_at = at;
	g_ptr_array_add(items, item);
	g_assert_true(
	    store_share_record(db->store, sh, items, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	return item->id;
}

/* relay_db - a store whose Config sends to r */
static Db *
relay_db(Relay *r, guint busy_ms)
{
	Db *db = db_open(busy_ms);

	g_free(db->cfg->smtp_url);
	db->cfg->smtp_url = g_strdup(r->url);
	db->cfg->lease = 60;
	return db;
}

/* rcpt_state - recipient i of item id as the store has it */
static OutboxRcpt *
rcpt_state(Db *db, gint64 id, guint i)
{
	g_autoptr(OutboxItem) item = get(db, id);

	g_assert_cmpuint(i, <, item->states->len);
	return g_ptr_array_steal_index(item->states, i);
}

/* notices - the outbox items of kind notice */
static GPtrArray *
notices(Db *db)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *list = store_outbox_list(db->store, &error);

	g_assert_no_error(error);
	for (guint i = list->len; i-- > 0;)
		if (g_strcmp0(((OutboxItem *)list->pdata[i])->kind, "notice"))
			g_ptr_array_remove_index(list, i);
	return list;
}

/* test_rcpt_5xx - one recipient refused: the others get it, the member
 * is told, the address is suppressed */
static void
test_rcpt_5xx(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	g_autoptr(GPtrArray) fails = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) ns = NULL;
	g_autoptr(OutboxItem) intro = NULL;
	g_autoptr(OutboxRcpt) f = NULL;
	g_autoptr(OutboxRcpt) a = NULL;
	g_autoptr(OutboxRcpt) m = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	g_autoptr(OutboxRcpt) gone = NULL;
	gint64 t = 1700000000, id, later;
	gboolean has = FALSE;
	FlushStats st = { .failures = fails };

	relay_script(r, ASKER, "550 5.1.1 <" ASKER ">: mailbox unavailable");
	id = share_intro(db, t);
	g_assert_true(sender_flush_at(db->store, db->cfg, t, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.sent, ==, 1);
	g_assert_cmpuint(st.rcpt_failed, ==, 1);
	g_assert_cmpuint(st.notices, ==, 1);
	g_assert_cmpuint(fails->len, ==, 1);
	g_assert_nonnull(strstr(fails->pdata[0], ASKER ": 550 5.1.1"));
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
	g_assert_cmpint(relay_got(r, MEMBER), ==, 1);
	g_assert_cmpint(relay_got(r, ASKER), ==, 0);
	intro = get(db, id);
	g_assert_cmpstr(intro->status, ==, "sent");
	f = rcpt_state(db, id, 0);
	a = rcpt_state(db, id, 1);
	m = rcpt_state(db, id, 2);
	g_assert_cmpstr(f->status, ==, "sent");
	g_assert_cmpint(f->code, ==, 250);
	g_assert_cmpstr(a->status, ==, "failed");
	g_assert_cmpint(a->code, ==, 550);
	g_assert_cmpstr(
	    a->text, ==, "550 5.1.1 <" ASKER ">: mailbox unavailable");
	g_assert_cmpuint(a->attempts, ==, 1);
	g_assert_cmpstr(m->status, ==, "sent");
	g_assert_true(store_suppression_has(db->store, ASKER, &has, &error));
	g_assert_true(has);
	g_assert_true(store_suppression_has(db->store, FRIEND, &has, &error));
	g_assert_false(has);
	ns = notices(db);
	g_assert_cmpuint(ns->len, ==, 1);
	g_assert_cmpuint(((OutboxItem *)ns->pdata[0])->rcpts->len, ==, 1);
	g_assert_cmpstr(
	    ((OutboxItem *)ns->pdata[0])->rcpts->pdata[0], ==, MEMBER);
	/* the notice goes out, naming the address and the reason */
	st = flush_at(db, t + 1);
	g_assert_cmpuint(st.sent, ==, 1);
	g_assert_cmpint(relay_got(r, MEMBER), ==, 2);
	text = relay_last(r);
	g_assert_nonnull(strstr(text, "Auto-Submitted: auto-generated"));
	g_assert_nonnull(
	    strstr(text, "Subject: Not delivered: Intro: Friend, meet Asker"));
	g_assert_nonnull(strstr(text, ASKER));
	g_assert_nonnull(strstr(text, "550 5.1.1"));
	/* nothing more, and the intro was never sent again */
	st = flush_at(db, t + 100000);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
	/* mail queued to the suppressed address later is not sent */
	relay_script(r, ASKER, NULL);
	later = queue(db, ASKER, t + 100001);
	st = flush_at(db, t + 100001);
	g_assert_cmpuint(st.failed, ==, 1);
	g_assert_cmpint(relay_got(r, ASKER), ==, 0);
	gone = rcpt_state(db, later, 0);
	g_assert_cmpstr(gone->status, ==, "failed");
	g_assert_nonnull(strstr(gone->text, "suppression list"));
}

/* test_all_5xx - every recipient refused: failed, the member is told;
 * the notice failing in turn causes no other notice */
static void
test_all_5xx(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	g_autoptr(GPtrArray) ns = NULL;
	g_autoptr(GPtrArray) ns2 = NULL;
	g_autoptr(OutboxItem) intro = NULL;
	g_autoptr(OutboxItem) n = NULL;
	gint64 t = 1700000000, id;
	FlushStats st;

	relay_script(r, FRIEND, "550 5.1.1 no such user");
	relay_script(r, ASKER, "553 5.1.3 bad address");
	relay_script(r, MEMBER, "554 5.7.1 relay access denied");
	id = share_intro(db, t);
	st = flush_at(db, t);
	g_assert_cmpuint(st.failed, ==, 1);
	g_assert_cmpuint(st.rcpt_failed, ==, 3);
	g_assert_cmpuint(st.notices, ==, 1);
	intro = get(db, id);
	g_assert_cmpstr(intro->status, ==, "failed");
	g_assert_cmpstr(intro->last_error, ==, "550 5.1.1 no such user");
	ns = notices(db);
	g_assert_cmpuint(ns->len, ==, 1);
	st = flush_at(db, t + 1); /* the notice to the member fails too */
	g_assert_cmpuint(st.failed, ==, 1);
	g_assert_cmpuint(st.notices, ==, 0);
	n = get(db, ((OutboxItem *)ns->pdata[0])->id);
	g_assert_cmpstr(n->status, ==, "failed");
	ns2 = notices(db);
	g_assert_cmpuint(ns2->len, ==, 1); /* no notice about the notice */
	st = flush_at(db, t + 100000);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
}

/* test_rcpt_4xx - a deferred recipient is tried again alone, once */
static void
test_rcpt_4xx(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	g_autoptr(OutboxItem) after1 = NULL;
	g_autoptr(OutboxItem) after2 = NULL;
	g_autoptr(OutboxRcpt) a = NULL;
	g_autoptr(GPtrArray) ns = NULL;
	gint64 t = 1700000000, id;
	FlushStats st;

	relay_script(r, ASKER, "450 4.2.1 mailbox busy, try later");
	id = share_intro(db, t);
	st = flush_at(db, t);
	g_assert_cmpuint(st.retried, ==, 1);
	g_assert_cmpuint(st.rcpt_deferred, ==, 1);
	g_assert_cmpuint(st.sent + st.failed + st.notices, ==, 0);
	after1 = get(db, id);
	g_assert_cmpstr(after1->status, ==, "queued");
	g_assert_cmpint(after1->next_attempt_at, ==, t + 60);
	g_assert_cmpstr(
	    after1->last_error, ==, "450 4.2.1 mailbox busy, try later");
	a = rcpt_state(db, id, 1);
	g_assert_cmpstr(a->status, ==, "deferred");
	g_assert_cmpint(a->code, ==, 450);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
	g_assert_cmpint(relay_got(r, MEMBER), ==, 1);
	relay_script(r, ASKER, NULL);
	st = flush_at(db, t + 59);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
	st = flush_at(db, t + 60);
	g_assert_cmpuint(st.sent, ==, 1);
	after2 = get(db, id);
	g_assert_cmpstr(after2->status, ==, "sent");
	g_assert_cmpuint(after2->attempts, ==, 2);
	g_assert_cmpint(relay_got(r, ASKER), ==, 1);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1); /* not again */
	g_assert_cmpint(relay_got(r, MEMBER), ==, 1);
	ns = notices(db);
	g_assert_cmpuint(ns->len, ==, 0);
}

/* what test_record_before_quit watches from the relay's thread */
static Db *watch_db;
static gint64 watch_id;
static GString *watch_seen;

/* watch_command - at each MAIL and at QUIT, how many of the item's
 * recipients the store already has as sent (the sender is waiting on
 * the relay's reply then, so the store is idle) */
static void
watch_command(const char *cmd)
{
	g_autoptr(OutboxItem) item = NULL;
	guint sent = 0;

	if (g_ascii_strncasecmp(cmd, "MAIL", 4) != 0 &&
	    g_ascii_strcasecmp(cmd, "QUIT") != 0)
		return;
	item = get(watch_db, watch_id);
	for (guint i = 0; i < item->states->len; i++) {
		const OutboxRcpt *r = g_ptr_array_index(item->states, i);

		sent += g_strcmp0(r->status, "sent") == 0;
	}
	g_string_append_printf(
	    watch_seen, "%c%u ", g_ascii_toupper(cmd[0]), sent);
}

/* test_record_before_quit - one connection for all of an item's
 * recipients; each 250 is in the store before the sender says anything
 * more to the relay, so a crash between a 250 and its record always
 * leaves the relay a connection that vanished without QUIT */
static void
test_record_before_quit(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	gint64 t = 1700000000;
	FlushStats st;

	watch_db = db;
	watch_seen = g_string_new(NULL);
	watch_id = share_intro(db, t);
	r->on_command = watch_command;
	st = flush_at(db, t);
	r->on_command = NULL;
	g_assert_cmpuint(st.sent, ==, 1);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
	g_assert_cmpint(relay_got(r, ASKER), ==, 1);
	g_assert_cmpint(relay_got(r, MEMBER), ==, 1);
	g_assert_cmpint(g_atomic_int_get(&r->sessions), ==, 1);
	g_assert_cmpstr(watch_seen->str, ==, "M0 M1 M2 Q3 ");
	g_string_free(watch_seen, TRUE);
	watch_seen = NULL;
	watch_db = NULL;
}

/* what test_flush_lanes watches from the relay's sessions */
static Db *lanes_db;
static gint lanes_checked;    /* atomic: MAIL or QUIT after a 250 */
static gint lanes_unrecorded; /* atomic: a 250 not in the store then */

/* lanes_watch - at each MAIL and at QUIT, every address this session
 * took must be in the store as sent already */
static void
lanes_watch(const char *cmd, GPtrArray *taken)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GHashTable) sent = NULL;

	if ((g_ascii_strncasecmp(cmd, "MAIL", 4) != 0 &&
		g_ascii_strcasecmp(cmd, "QUIT") != 0) ||
	    taken->len == 0)
		return;
	g_atomic_int_inc(&lanes_checked);
	list = store_outbox_list(lanes_db->store, &error);
	sent = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; list != NULL && i < list->len; i++) {
		const OutboxItem *item = list->pdata[i];

		for (guint j = 0; j < item->states->len; j++) {
			const OutboxRcpt *r = item->states->pdata[j];

			if (g_strcmp0(r->status, "sent") == 0)
				g_hash_table_add(sent, r->address);
		}
	}
	for (guint i = 0; i < taken->len; i++)
		if (!g_hash_table_contains(sent, taken->pdata[i]))
			g_atomic_int_inc(&lanes_unrecorded);
}

/* test_flush_lanes - items go out on up to SENDER_LANES connections at
 * once, each kept from item to item; whatever the lanes share, each
 * 250 is in the store before its connection carries another command */
static void
test_flush_lanes(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	gint64 t = 1700000000;
	guint n = SENDER_BATCH + 3;
	FlushStats st;

	for (guint i = 0; i < n; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OutboxItem) item = outbox_item_new();

		item->kind = g_strdup("notice");
		item->mail_from = g_strdup("intros@intro.example.org");
		g_ptr_array_add(
		    item->rcpts, g_strdup_printf("a%u@friends.example", i));
		g_ptr_array_add(
		    item->rcpts, g_strdup_printf("b%u@friends.example", i));
		item->subject = g_strdup("Introduction");
		item->message = g_bytes_new_static(MESSAGE, strlen(MESSAGE));
		item->next_attempt_at = t;
		g_assert_true(store_outbox_add(db->store, item, &error));
		g_assert_no_error(error);
	}
	lanes_db = db;
	g_atomic_int_set(&lanes_checked, 0);
	g_atomic_int_set(&lanes_unrecorded, 0);
	r->on_session = lanes_watch;
	st = flush_at(db, t);
	r->on_session = NULL;
	lanes_db = NULL;
	g_assert_cmpuint(st.sent, ==, n);
	for (guint i = 0; i < n; i++) {
		g_autofree char *a = g_strdup_printf("a%u@friends.example", i);
		g_autofree char *b = g_strdup_printf("b%u@friends.example", i);

		g_assert_cmpint(relay_got(r, a), ==, 1);
		g_assert_cmpint(relay_got(r, b), ==, 1);
	}
	g_assert_cmpint(g_atomic_int_get(&r->sessions), >=, 1);
	g_assert_cmpint(g_atomic_int_get(&r->sessions), <=, SENDER_LANES);
	/* every transaction but each session's first follows a 250 */
	g_assert_cmpint(g_atomic_int_get(&lanes_checked), ==, 2 * n);
	g_assert_cmpint(g_atomic_int_get(&lanes_unrecorded), ==, 0);
}

/* test_lease_short - the lease is extended only when what is left of it
 * might not cover one more transaction and its record */
static void
test_lease_short(void)
{
	g_autoptr(Config) cfg = config_new_default();
	guint tx;

	cfg->lease = 120;
	tx = sender_tx_timeout(cfg);
	g_assert_cmpuint(tx, ==, 60);
	g_assert_false(sender_lease_short(cfg, 1000 + 120, 1000));
	g_assert_false(
	    sender_lease_short(cfg, 1000 + tx + SENDER_LEASE_MARGIN, 1000));
	g_assert_true(
	    sender_lease_short(cfg, 1000 + tx + SENDER_LEASE_MARGIN - 1, 1000));
	g_assert_true(sender_lease_short(cfg, 1000, 1000));
	g_assert_true(sender_lease_short(cfg, 900, 1000)); /* ran out */
	cfg->lease = 30; /* the least: 15 s a transaction */
	g_assert_cmpuint(sender_tx_timeout(cfg), ==, 15);
	g_assert_false(sender_lease_short(cfg, 1030, 1000));
	g_assert_true(sender_lease_short(cfg, 1019, 1000));
	cfg->lease = 3600; /* a transaction never waits more than 60 s */
	g_assert_cmpuint(sender_tx_timeout(cfg), ==, 60);
}

/* the store while the relay holds it locked (test_busy_record) */
static const char *lock_path;
static sqlite3 *lock_db;
static PGconn *lock_pg;
static int deferred_records;

/* lock_store - the relay took the message: lock the store before 250
 * (SQLite: the write lock; PostgreSQL: the outbox table) */
static void
lock_store(void)
{
	if (lock_path == NULL || lock_db != NULL || lock_pg != NULL)
		return;
	if (pg_admin != NULL) {
		lock_pg = PQconnectdb(lock_path);
		g_assert_cmpint(PQstatus(lock_pg), ==, CONNECTION_OK);
		pg_exec(lock_pg, NULL, "BEGIN");
		pg_exec(lock_pg, NULL,
		    "LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE");
		return;
	}
	g_assert_cmpint(sqlite3_open(lock_path, &lock_db), ==, SQLITE_OK);
	g_assert_cmpint(
	    sqlite3_exec(lock_db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==,
	    SQLITE_OK);
}

/* unlock_store - the sender kept its outcome in memory: let it write */
static void
unlock_store(const char *event, gint64 id)
{
	(void)id;
	if (strcmp(event, "record-deferred") != 0)
		return;
	deferred_records++;
	if (lock_pg != NULL) {
		pg_exec(lock_pg, NULL, "COMMIT");
		PQfinish(lock_pg);
		lock_pg = NULL;
	}
	if (lock_db != NULL) {
		sqlite3_exec(lock_db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(lock_db);
		lock_db = NULL;
	}
}

/* test_busy_record - the store is locked when the outcome is written:
 * it is kept, written again, and the message never goes out twice */
static void
test_busy_record(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 50);
	g_autoptr(OutboxItem) item = NULL;
	g_autoptr(GError) error = NULL;
	gint64 t = 1700000000, id;
	FlushStats st = { 0 };

	id = queue(db, FRIEND, t);
	lock_path = db->path;
	r->on_data = lock_store;
	sender_set_test_hook(unlock_store);
	g_assert_true(sender_flush_at(db->store, db->cfg, t, &st, &error));
	g_assert_no_error(error);
	sender_set_test_hook(NULL);
	r->on_data = NULL;
	lock_path = NULL;
	g_assert_cmpint(deferred_records, ==, 1);
	g_assert_null(lock_db);
	g_assert_null(lock_pg);
	g_assert_cmpuint(st.sent, ==, 1);
	g_assert_cmpuint(st.unrecorded, ==, 1);
	item = get(db, id);
	g_assert_cmpstr(item->status, ==, "sent");
	g_assert_cmpuint(item->attempts, ==, 1);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
	/* long after any lease: nothing is due, nothing goes out again */
	st = flush_at(db, t + 100000);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
}

/* test_crashed_claim - a sender that claimed and died: the item comes
 * back when its lease is over, not before, and goes out once */
static void
test_crashed_claim(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	g_autoptr(GPtrArray) dead = NULL;
	g_autoptr(OutboxItem) item = NULL;
	g_autoptr(GError) error = NULL;
	gint64 t = 1700000000, id;
	FlushStats st;

	id = queue(db, FRIEND, t);
	dead = store_outbox_claim(db->store, t, db->cfg->lease, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(dead->len, ==, 1); /* ... and its sender dies */
	st = flush_at(db, t + 1);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
	st = flush_at(db, t + db->cfg->lease);
	g_assert_cmpuint(st.sent + st.retried + st.failed, ==, 0);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 0);
	st = flush_at(db, t + db->cfg->lease + 1);
	g_assert_cmpuint(st.sent, ==, 1);
	item = get(db, id);
	g_assert_cmpstr(item->status, ==, "sent");
	g_assert_cmpuint(item->attempts, ==, 2);
	g_assert_cmpint(item->claim, ==, 2);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
	/* the dead sender's late write is fenced off */
	g_assert_false(
	    store_outbox_record(db->store, dead->pdata[0], NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_STALE);
}

/* test_worker_busy - the worker keeps an outcome the store refused and
 * records it on its next round; the message goes out once */
static void
test_worker_busy(void)
{
	g_autoptr(Relay) r = relay_start();
	g_autoptr(Db) db = relay_db(r, 5000);
	g_autoptr(GError) error = NULL;
	Config *cfg;
	SenderWorker *w;
	gint64 id;

	id = queue(db, FRIEND, util_now() - 1);
	deferred_records = 0;
	lock_path = db->path;
	r->on_data = lock_store;
	sender_set_test_hook(unlock_store);
	cfg = config_new_default();
	set_store(cfg, db->path);
	g_free(cfg->smtp_url);
	cfg->smtp_url = g_strdup(r->url);
	cfg->busy_timeout = 50;
	cfg->poll_interval = 3600;
	w = sender_worker_start(cfg, &error);
	g_assert_no_error(error);
	config_free(cfg);
	g_assert_true(wait_status(db, id, "sent"));
	g_assert_true(stop_bounded(w));
	sender_set_test_hook(NULL);
	r->on_data = NULL;
	lock_path = NULL;
	g_assert_cmpint(deferred_records, ==, 1);
	g_assert_null(lock_db);
	g_assert_null(lock_pg);
	g_assert_cmpint(relay_got(r, FRIEND), ==, 1);
}

/* main - the tests */
/* test_webhook_signature - the Standard Webhooks specification's
 * published test vector, and a change in any part changes it */
static void
test_webhook_signature(void)
{
	g_autofree char *why = NULL;
	g_autoptr(GBytes) key =
	    config_webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &why);
	g_autoptr(GBytes) body = g_bytes_new_static(
	    "{\"test\": 2432232314}", strlen("{\"test\": 2432232314}"));
	g_autoptr(GBytes) other = g_bytes_new_static(
	    "{\"test\": 2432232315}", strlen("{\"test\": 2432232315}"));
	g_autofree char *sig = sender_webhook_signature(
	    key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
	g_autofree char *late = sender_webhook_signature(
	    key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body);
	g_autofree char *changed = sender_webhook_signature(
	    key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, other);

	g_assert_nonnull(key);
	g_assert_cmpstr(
	    sig, ==, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	g_assert_cmpstr(late, !=, sig);
	g_assert_cmpstr(changed, !=, sig);
}

/* test_http_result - what each HTTP answer means for the outbox */
static void
test_http_result(void)
{
	static const struct {
		gboolean answered;
		long status;
		SendResult want;
	} cases[] = {
		{ TRUE, 200, SEND_OK },
		{ TRUE, 204, SEND_OK },
		{ TRUE, 299, SEND_OK },
		{ TRUE, 301, SEND_FAIL },
		{ TRUE, 400, SEND_FAIL },
		{ TRUE, 401, SEND_FAIL },
		{ TRUE, 404, SEND_FAIL },
		{ TRUE, 410, SEND_FAIL },
		{ TRUE, 408, SEND_RETRY },
		{ TRUE, 429, SEND_RETRY },
		{ TRUE, 500, SEND_RETRY },
		{ TRUE, 503, SEND_RETRY },
		{ TRUE, 100, SEND_RETRY },
		{ FALSE, 0, SEND_RETRY },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpint(
		    sender_http_result(cases[i].answered, cases[i].status), ==,
		    cases[i].want);
}

/* has - whether the message of item holds text */
static gboolean
has(const OutboxItem *item, const char *text)
{
	gsize len = 0;
	const char *data = g_bytes_get_data(item->message, &len);

	return g_strstr_len(data, (gssize)len, text) != NULL;
}

/* test_webhook_events - an intro's outcome as events: intro.sent and
 * delivery.failed carry their share, read by its id from the store;
 * an item whose share is gone carries none */
static void
test_webhook_events(void)
{
	g_autoptr(Db) db = db_new();
	ConfigWebhook *wh = g_new0(ConfigWebhook, 1);
	g_autoptr(OutboxItem) item = NULL;
	g_autoptr(GPtrArray) failed =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_free);
	g_autoptr(GPtrArray) out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	OutboxRcpt *r = outbox_rcpt_new(ASKER);
	g_autofree char *share_id = NULL;
	gint64 now = util_now();

	wh->name = g_strdup("crm");
	wh->events = CONFIG_EVENT_ALL;
	g_ptr_array_add(db->cfg->webhooks, wh);
	item = get(db, share_intro(db, now));
	g_assert_cmpint(item->share_id, >, 0);
	share_id = g_strdup_printf(
	    "\"share\":{\"id\":%" G_GINT64_FORMAT ",", item->share_id);
	g_free(r->status);
	r->status = g_strdup("failed");
	r->code = 550;
	g_ptr_array_add(failed, r);

	sender_webhook_events(
	    db->store, db->cfg, item, "sent", failed, now, out);
	g_assert_cmpuint(out->len, ==, 2);
	for (guint i = 0; i < out->len; i++) {
		const OutboxItem *ev = g_ptr_array_index(out, i);

		g_assert_cmpstr(ev->kind, ==, "webhook");
		g_assert_cmpstr(g_ptr_array_index(ev->rcpts, 0), ==, "crm");
		g_assert_true(has(ev, share_id));
		g_assert_true(has(ev, "\"requester\":\"" ASKER "\""));
		g_assert_true(has(ev, "\"status\":\"introduced\""));
	}
	g_assert_true(has(out->pdata[0], "\"type\":\"intro.sent\""));
	g_assert_true(has(out->pdata[1], "\"type\":\"delivery.failed\""));
	g_assert_true(has(out->pdata[1], "\"recipient\":\"" ASKER "\""));

	/* a share that is not there: the events, without it */
	g_ptr_array_set_size(out, 0);
	item->share_id += 1000;
	sender_webhook_events(
	    db->store, db->cfg, item, "sent", failed, now, out);
	g_assert_cmpuint(out->len, ==, 2);
	g_assert_false(has(out->pdata[0], "\"share\""));
}

/* test_webhook_merged - share.recorded says whether its share was
 * merged into another member's open request */
static void
test_webhook_merged(void)
{
	g_autoptr(Db) db = db_new();
	ConfigWebhook *wh = g_new0(ConfigWebhook, 1);
	g_autoptr(Share) s = share_new();
	g_autoptr(GPtrArray) merged = NULL;
	g_autoptr(GPtrArray) plain = NULL;

	wh->name = g_strdup("crm");
	wh->events = CONFIG_EVENT_SHARE_RECORDED;
	g_ptr_array_add(db->cfg->webhooks, wh);
	s->id = 5;
	s->sharer = g_strdup("lee@members.example");
	s->status = g_strdup("asked");
	s->merged = TRUE;
	merged = sender_webhook_share_items(s, util_now(), db->cfg);
	g_assert_cmpuint(merged->len, ==, 1);
	g_assert_true(has(merged->pdata[0], "\"type\":\"share.recorded\""));
	g_assert_true(
	    has(merged->pdata[0], "\"sharer\":\"lee@members.example\""));
	g_assert_true(has(merged->pdata[0], "\"merged\":true"));
	s->merged = FALSE;
	plain = sender_webhook_share_items(s, util_now(), db->cfg);
	g_assert_true(has(plain->pdata[0], "\"merged\":false"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	pg_admin = g_getenv("PA_TEST_PG");
	if (pg_admin != NULL && *pg_admin == '\0')
		pg_admin = NULL;
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
	g_test_add_func("/sender/sender_flush/rcpt_5xx", test_rcpt_5xx);
	g_test_add_func("/sender/sender_flush/all_5xx", test_all_5xx);
	g_test_add_func("/sender/sender_flush/rcpt_4xx", test_rcpt_4xx);
	g_test_add_func("/sender/sender_flush/busy_record", test_busy_record);
	g_test_add_func(
	    "/sender/sender_flush/record_before_quit", test_record_before_quit);
	g_test_add_func("/sender/sender_flush/lanes", test_flush_lanes);
	g_test_add_func("/sender/sender_flush/lease_short", test_lease_short);
	g_test_add_func(
	    "/sender/sender_flush/crashed_claim", test_crashed_claim);
	g_test_add_func("/sender/worker/deliver", test_worker);
	g_test_add_func("/sender/worker/digest", test_worker_digest);
	g_test_add_func("/sender/worker/time", test_worker_time);
	g_test_add_func("/sender/worker/busy_record", test_worker_busy);
	g_test_add_func("/sender/worker/bad_store", test_worker_bad_store);
	g_test_add_func("/sender/webhook/signature", test_webhook_signature);
	g_test_add_func("/sender/webhook/http_result", test_http_result);
	g_test_add_func("/sender/webhook/events", test_webhook_events);
	g_test_add_func("/sender/webhook/merged", test_webhook_merged);
	return g_test_run();
}
