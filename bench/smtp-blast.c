/*
 * smtp-blast.c - an SMTP load generator in the manner of smtp-source(1),
 *	every message unique: the share mail of tier 2 (bench/postfix.sh)
 *
 * Usage: smtp-blast [-s SESSIONS] [-m MESSAGES] [-l BYTES] [-k share|plain]
 *	[-t TAG] [-f FROM] [-r RCPT] [-w SECONDS] HOST:PORT
 *	smtp-blast -P [-k share|plain] [-l BYTES] [-t TAG]  (print message 0)
 *
 * SESSIONS threads (default 20) send MESSAGES messages (default 2000) in
 * all, ONE message per connection: connect, EHLO (HELO if EHLO is
 * refused), MAIL, RCPT, DATA, the message, QUIT, each command waiting
 * for its reply (no pipelining, like smtp-source). Every reply code is
 * checked; a message counts as accepted only on a 250 after its final
 * dot. The first failure stops every session after its current message.
 *
 * Kind "share" (the default) is a member's Gmail-style inline forward to
 * a friend's share address, modelled on tests/milter/forward-gmail.eml,
 * its original's body padded to about BYTES (default 20480). Each
 * message differs from every other: message number SEQ of run TAG
 * carries "TAG-SEQ" in its Message-ID, its Subject and a line of the
 * forwarded body, so passalong records a new share for each (an
 * identical forward is an MTA retry: no new share). Kind "plain" is an
 * ordinary message of about BYTES, the same for all but its Message-ID,
 * for calibrating against smtp-source. Lines end in CRLF on the wire
 * and lines that start with a dot are dot-stuffed; the share body has
 * such a line on purpose.
 *
 * Connect, read and write each time out after -w SECONDS (default 30),
 * so a run is bounded. On exit one line goes to stdout:
 *	accepted=N failed=N unsent=N seconds=S
 * and the exit code is 0 only when all MESSAGES were accepted (1 when
 * not, 64 on a usage error). Errors go to stderr. Numbers, not a test.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib.h>

#define LINE_MAX_LEN 2048
#define EX_USAGE_CODE 64

#define BLAST_ERROR blast_error_quark()
GQuark blast_error_quark(void);
typedef enum {
	BLAST_ERROR_IO,    /* socket, connect, read, write, timeouts */
	BLAST_ERROR_PROTO, /* a reply that is not SMTP */
	BLAST_ERROR_REPLY, /* a reply code other than the one expected */
} BlastError;

G_DEFINE_QUARK(smtp_blast_error, blast_error)

typedef struct {
	int sessions;
	int messages;
	int size;
	char *kind;
	char *tag;
	char *from;
	char *rcpt;
	int timeout;
	gboolean print;
	struct addrinfo *ai;
} Opts;

typedef struct {
	int fd;
	char buf[4096];
	size_t len, off;
} Conn;

static Opts opts = { 20, 2000, 20480, NULL, NULL, NULL, NULL, 30, FALSE, NULL };
static char *padding; /* the share body's filler, built once */
static gint next_seq, accepted, failed, stop;
static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const words[] = { "the", "meetup", "talk", "Postfix",
	"queue", "relay", "operators", "would", "love", "to", "hear", "how",
	"you", "run", "mail", "at", "scale", "with", "milters", "and",
	"deliverability", "in", "Lyon", "March", "thirty", "minutes", "on",
	"stage", "questions", "after", "travel", "covered", "hotel", "near",
	"venue", "slides", "welcome", "a", "of", "our" };

/* make_padding - about n bytes of word-wrapped paragraphs, the same in
 * every message; one line starts with a dot */
static char *
make_padding(int n)
{
	GString *s = g_string_new(NULL);
	guint32 x = 2463534242u; /* xorshift: the same text every run */
	gsize col = 0;

	while (s->len < (gsize)(n > 0 ? n : 0)) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		const char *w = words[x % G_N_ELEMENTS(words)];
		if (col + strlen(w) + 1 > 72) {
			g_string_append(s, x % 7 == 0 ? ".\n\n" : "\n");
			col = 0;
		} else if (col > 0) {
			g_string_append_c(s, ' ');
			col++;
		}
		g_string_append(s, w);
		col += strlen(w);
	}
	g_string_append(s, "\n\n.. and a line that starts with a dot.\n\n");
	return g_string_free(s, FALSE);
}

/* rfc5322_now - the current time as a Date: header value */
static char *
rfc5322_now(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	return g_date_time_format(now, "%a, %d %b %Y %H:%M:%S %z");
}

/* message_text - message number seq as text with LF line ends; each
 * forward has its own requester, since with consent one requester and
 * one friend have one open request at a time (a second is merged) */
static char *
message_text(int seq)
{
	g_autofree char *date = rfc5322_now();
	g_autofree char *ref = g_strdup_printf("%s-%d", opts.tag, seq);

	if (g_strcmp0(opts.kind, "plain") == 0) {
		GString *s = g_string_new(NULL);
		g_string_append_printf(s,
		    "From: <%s>\nTo: <%s>\nDate: %s\n"
		    "Message-ID: <blast-%s@elsewhere.example>\n"
		    "Subject: plain mail %s\n\n",
		    opts.from, opts.rcpt, date, ref, ref);
		for (int i = 1; s->len < (gsize)opts.size; i++)
			g_string_append_printf(s, "La de da de da %d.\n", i);
		return g_string_free(s, FALSE);
	}
	return g_strdup_printf(
	    "From: \"Chris Member\" <%s>\n"
	    "To: %s\n"
	    "Subject: Fwd: Speaker for our March meetup? [%s]\n"
	    "Date: %s\n"
	    "Message-ID: <blast-%s@members.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n"
	    "Jane, this is right up your street: they want someone who has "
	    "run\nPostfix at scale. I can't make March. You'd be great.\n"
	    "\nChris\n\n"
	    "---------- Forwarded message ---------\n"
	    "From: Dana Organizer <dana-%s@confs.example>\n"
	    "Date: Fri, Nov 13, 2026 at 4:05 PM\n"
	    "Subject: Speaker for our March meetup?\n"
	    "To: Chris Member <chris@members.example>\n"
	    "\n"
	    "Hi Chris,\n\n"
	    "We're putting together the March mail-operators meetup in Lyon "
	    "and would\nlove a 30-minute talk on running Postfix at scale. "
	    "Travel is covered.\nWould you be interested, or could you "
	    "suggest someone? (Our reference: %s.)\n\n"
	    "%s"
	    "Thanks,\nDana\n",
	    opts.from, opts.rcpt, ref, date, ref, ref, ref, padding);
}

/* wire_encode - text with LF line ends as SMTP DATA: CRLF, dot-stuffed,
 * ending in the lone dot */
static GString *
wire_encode(const char *text)
{
	GString *w = g_string_sized_new(strlen(text) + strlen(text) / 32 + 8);
	gboolean bol = TRUE;

	for (const char *p = text; *p != '\0'; p++) {
		if (bol && *p == '.')
			g_string_append_c(w, '.');
		if (*p == '\n')
			g_string_append(w, "\r\n");
		else if (*p != '\r')
			g_string_append_c(w, *p);
		bol = *p == '\n';
	}
	if (!bol)
		g_string_append(w, "\r\n");
	g_string_append(w, ".\r\n");
	return w;
}

/* conn_open - a connected socket with read/write/connect timeouts */
static gboolean
conn_open(Conn *c, GError **error)
{
	struct timeval tv = { opts.timeout, 0 };
	int fd, saved;

	c->len = c->off = 0;
	fd = socket(opts.ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0) {
		g_set_error(error, BLAST_ERROR, BLAST_ERROR_IO, "socket: %s",
		    g_strerror(errno));
		return FALSE;
	}
	/* Linux bounds connect() by SO_SNDTIMEO too */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, opts.ai->ai_addr, opts.ai->ai_addrlen) != 0) {
		saved = errno;
		close(fd);
		g_set_error(error, BLAST_ERROR, BLAST_ERROR_IO, "connect: %s",
		    g_strerror(saved));
		return FALSE;
	}
	c->fd = fd;
	return TRUE;
}

/* conn_write - write all of buf or fail (timeout included) */
static gboolean
conn_write(Conn *c, const char *buf, size_t len, GError **error)
{
	while (len > 0) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(error, BLAST_ERROR, BLAST_ERROR_IO,
			    "write: %s",
			    n < 0 ? g_strerror(errno) : "nothing written");
			return FALSE;
		}
		buf += n;
		len -= (size_t)n;
	}
	return TRUE;
}

/* conn_line - read one reply line (CRLF stripped) into line */
static gboolean
conn_line(Conn *c, GString *line, GError **error)
{
	g_string_truncate(line, 0);
	for (;;) {
		while (c->off < c->len) {
			char ch = c->buf[c->off++];
			if (ch == '\n') {
				if (line->len > 0 &&
				    line->str[line->len - 1] == '\r')
					g_string_truncate(line, line->len - 1);
				return TRUE;
			}
			if (line->len >= LINE_MAX_LEN) {
				g_set_error(error, BLAST_ERROR,
				    BLAST_ERROR_PROTO,
				    "reply line over %d bytes", LINE_MAX_LEN);
				return FALSE;
			}
			g_string_append_c(line, ch);
		}
		ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(error, BLAST_ERROR, BLAST_ERROR_IO,
			    "read: %s",
			    n < 0 ? g_strerror(errno) : "connection closed");
			return FALSE;
		}
		c->off = 0;
		c->len = (size_t)n;
	}
}

/* conn_reply - read a whole (multi-line) reply; its code, or -1 */
static int
conn_reply(Conn *c, GString *last, GError **error)
{
	for (;;) {
		if (!conn_line(c, last, error))
			return -1;
		const char *s = last->str;
		if (last->len < 3 || !g_ascii_isdigit(s[0]) ||
		    !g_ascii_isdigit(s[1]) || !g_ascii_isdigit(s[2]) ||
		    (last->len > 3 && s[3] != ' ' && s[3] != '-')) {
			g_set_error(error, BLAST_ERROR, BLAST_ERROR_PROTO,
			    "malformed reply: %.80s", s);
			return -1;
		}
		if (last->len == 3 || s[3] == ' ')
			return (s[0] - '0') * 100 + (s[1] - '0') * 10 +
			       (s[2] - '0');
	}
}

/* step - send cmd (unless NULL: the greeting or the reply to the
 * message), expect a reply with code want */
static gboolean
step(Conn *c, const char *cmd, int want, GError **error)
{
	g_autoptr(GString) last = g_string_new(NULL);
	int code;

	if (cmd != NULL && !conn_write(c, cmd, strlen(cmd), error))
		return FALSE;
	code = conn_reply(c, last, error);
	if (code < 0)
		return FALSE;
	if (code != want) {
		g_autofree char *what = NULL;
		if (cmd != NULL)
			what = g_strdup(cmd);
		else
			what =
			    g_strdup(want == 220 ? "greeting" : "end of data");
		g_strchomp(what);
		g_set_error(error, BLAST_ERROR, BLAST_ERROR_REPLY, "%s: %.200s",
		    what, last->str);
		return FALSE;
	}
	return TRUE;
}

/* dialogue - one SMTP transaction on an open connection */
static gboolean
dialogue(Conn *c, const GString *wire, GError **error)
{
	g_autofree char *mail =
	    g_strdup_printf("MAIL FROM:<%s>\r\n", opts.from);
	g_autofree char *rcpt = g_strdup_printf("RCPT TO:<%s>\r\n", opts.rcpt);
	g_autoptr(GError) ehlo = NULL;

	if (!step(c, NULL, 220, error))
		return FALSE;
	if (!step(c, "EHLO blast.example\r\n", 250, &ehlo)) {
		/* an I/O error ends it; a refused EHLO gets a HELO */
		if (ehlo->code != BLAST_ERROR_REPLY) {
			g_propagate_error(error, g_steal_pointer(&ehlo));
			return FALSE;
		}
		if (!step(c, "HELO blast.example\r\n", 250, error))
			return FALSE;
	}
	if (!step(c, mail, 250, error) || !step(c, rcpt, 250, error) ||
	    !step(c, "DATA\r\n", 354, error) ||
	    !conn_write(c, wire->str, wire->len, error) ||
	    !step(c, NULL, 250, error))
		return FALSE;
	g_atomic_int_inc(&accepted);
	return step(c, "QUIT\r\n", 221, error);
}

/* send_one - message number seq over a new connection */
static gboolean
send_one(int seq, GError **error)
{
	g_autofree char *text = message_text(seq);
	g_autoptr(GString) wire = wire_encode(text);
	Conn c;
	gboolean ok;

	if (!conn_open(&c, error))
		return FALSE;
	ok = dialogue(&c, wire, error);
	close(c.fd);
	return ok;
}

/* worker - one session: messages one after another until none is left
 * or a session failed */
static void *
worker(void *arg)
{
	(void)arg;
	while (!g_atomic_int_get(&stop)) {
		int seq = g_atomic_int_add(&next_seq, 1);
		g_autoptr(GError) error = NULL;

		if (seq >= opts.messages)
			break;
		if (!send_one(seq, &error)) {
			g_atomic_int_inc(&failed);
			g_atomic_int_set(&stop, 1);
			pthread_mutex_lock(&err_lock);
			fprintf(stderr, "smtp-blast: message %d: %s\n", seq,
			    error->message);
			pthread_mutex_unlock(&err_lock);
		}
	}
	return NULL;
}

/* resolve - opts.ai from HOST:PORT ([::1]:PORT for IPv6) */
static gboolean
resolve(const char *target)
{
	g_autofree char *host = g_strdup(target);
	char *colon = strrchr(host, ':');
	struct addrinfo hints = { 0 };
	int rc;

	if (colon == NULL || colon == host || colon[1] == '\0') {
		fprintf(stderr, "smtp-blast: %s: not HOST:PORT\n", target);
		return FALSE;
	}
	*colon = '\0';
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &opts.ai);
	if (rc != 0) {
		fprintf(
		    stderr, "smtp-blast: %s: %s\n", target, gai_strerror(rc));
		return FALSE;
	}
	return TRUE;
}

/* parse_args - fill opts; FALSE on a usage error (printed) */
static gboolean
parse_args(int argc, char **argv)
{
	GOptionEntry entries[] = { { "sessions", 's', 0, G_OPTION_ARG_INT,
				       &opts.sessions, "parallel sessions (20)",
				       "N" },
		{ "messages", 'm', 0, G_OPTION_ARG_INT, &opts.messages,
		    "messages in all (2000)", "N" },
		{ "size", 'l', 0, G_OPTION_ARG_INT, &opts.size,
		    "about this many bytes a message (20480)", "BYTES" },
		{ "kind", 'k', 0, G_OPTION_ARG_STRING, &opts.kind,
		    "share or plain (share)", "KIND" },
		{ "tag", 't', 0, G_OPTION_ARG_STRING, &opts.tag,
		    "makes this run's messages unique (the time)", "TAG" },
		{ "from", 'f', 0, G_OPTION_ARG_STRING, &opts.from,
		    "envelope and header sender", "ADDR" },
		{ "rcpt", 'r', 0, G_OPTION_ARG_STRING, &opts.rcpt,
		    "envelope and header recipient", "ADDR" },
		{ "timeout", 'w', 0, G_OPTION_ARG_INT, &opts.timeout,
		    "connect/read/write timeout (30)", "SECONDS" },
		{ "print", 'P', 0, G_OPTION_ARG_NONE, &opts.print,
		    "print message 0 (LF line ends) and exit", NULL },
		G_OPTION_ENTRY_NULL };
	g_autoptr(GOptionContext) ctx = g_option_context_new("HOST:PORT");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(
	    ctx, "Send unique messages over SMTP, one per connection.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "smtp-blast: %s\n", error->message);
		return FALSE;
	}
	if (opts.kind == NULL)
		opts.kind = g_strdup("share");
	if (opts.tag == NULL)
		opts.tag =
		    g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time());
	if (opts.from == NULL)
		opts.from = g_strdup(g_strcmp0(opts.kind, "plain") == 0
					 ? "x@elsewhere.example"
					 : "chris@members.example");
	if (opts.rcpt == NULL)
		opts.rcpt = g_strdup(g_strcmp0(opts.kind, "plain") == 0
					 ? "bob@elsewhere.example"
					 : "share+jane@intro.example.org");
	if ((g_strcmp0(opts.kind, "share") != 0 &&
		g_strcmp0(opts.kind, "plain") != 0) ||
	    opts.sessions < 1 || opts.messages < 0 || opts.size < 0 ||
	    opts.timeout < 1 || (!opts.print && argc != 2)) {
		g_autofree char *help =
		    g_option_context_get_help(ctx, TRUE, NULL);
		fprintf(stderr, "%s", help);
		return FALSE;
	}
	return opts.print || resolve(argv[1]);
}

/* main - send, wait for every session, report */
int
main(int argc, char **argv)
{
	g_autofree pthread_t *threads = NULL;
	gint64 t0;
	int n;

	if (!parse_args(argc, argv))
		return EX_USAGE_CODE;
	/* the padding makes the whole message about opts.size bytes */
	padding = make_padding(opts.size - 1400);
	if (opts.print) {
		g_autofree char *text = message_text(0);
		fputs(text, stdout);
		return 0;
	}
	n = MIN(opts.sessions, MAX(opts.messages, 1));
	threads = g_new0(pthread_t, n);
	t0 = g_get_monotonic_time();
	for (int i = 0; i < n; i++) {
		if (pthread_create(&threads[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "smtp-blast: cannot start a thread\n");
			g_atomic_int_set(&stop, 1);
			n = i;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	printf("accepted=%d failed=%d unsent=%d seconds=%.3f\n", accepted,
	    failed, MAX(opts.messages - accepted - failed, 0),
	    (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	freeaddrinfo(opts.ai);
	g_free(padding);
	return accepted == opts.messages && failed == 0 ? 0 : 1;
}
