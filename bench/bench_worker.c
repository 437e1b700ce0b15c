/*
 * bench_worker.c - the outbox worker's throughput: introductions queued
 * unrendered (as the milter records them) rendered, re-parsed and sent to
 * a local smtp-sink, against the same number of pre-rendered messages
 * sent through the same path in the same run (issue 10: >= 500 intros/s)
 *
 *	bench/bench_worker [N [ROUNDS]]	(defaults 2000, 3)
 *
 * Postfix's smtp-sink listens on a free 127.0.0.1 port (as nobody when
 * run as root), writing nothing to disk. Each round fills a fresh SQLite
 * store through the store and flow APIs (flow_share_begin() in direct
 * mode, flow_first_items(), store_share_record(): rows with template
 * "intro" and no message, each share with its own requester) with N such
 * rows due at T, and N shares whose intro row carries a message rendered
 * once before the rounds, due at T + 1. The clock then covers
 * sender_flush_at(T) (claim, render, re-parse, keep the bytes, one SMTP
 * transaction per recipient, record) and sender_flush_at(T + 1) (the same
 * without rendering), in an order that alternates round by round. Each
 * flush must report N items sent and none deferred or failed, else the
 * program exits 1 without numbers; exit 77 when smtp-sink is missing.
 * The sender's log lines go to syslog only, as the daemon's do (not to
 * stderr). The median round is reported. Not a test: nothing asserts on time.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "flow/flow.h"
#include "sender/sender.h"
#include "store/store.h"

#define T0 G_GINT64_CONSTANT(1796601600)
#define MAX_N 100000
#define MAX_ROUNDS 50
#define WAIT_TRIES 100 /* sink start and stop: 100 x 50 ms */
#define WAIT_STEP 50000

/* free_port - a loopback port nobody listens on right now */
static guint16
free_port(void)
{
	g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4,
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
	g_autoptr(GInetAddress) lo =
	    g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) a = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) got = NULL;

	if (s == NULL || !g_socket_bind(s, a, FALSE, NULL))
		return 0;
	got = g_socket_get_local_address(s, NULL);
	return got ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got))
		   : 0;
}

/* sink_ready - whether port accepts a connection */
static gboolean
sink_ready(guint16 port)
{
	g_autoptr(GSocketClient) c = g_socket_client_new();
	g_autoptr(GSocketConnection) conn =
	    g_socket_client_connect_to_host(c, "127.0.0.1", port, NULL, NULL);

	return conn != NULL;
}

/* sink_start - smtp-sink on 127.0.0.1:port; its pid, or 0 */
static GPid
sink_start(guint16 port)
{
	g_autofree char *prog =
	    g_file_test("/usr/sbin/smtp-sink", G_FILE_TEST_IS_EXECUTABLE)
		? g_strdup("/usr/sbin/smtp-sink")
		: g_find_program_in_path("smtp-sink");
	g_autofree char *where = g_strdup_printf("127.0.0.1:%u", port);
	const char *argv[6];
	int n = 0;
	GPid pid = 0;

	if (prog == NULL)
		return 0;
	argv[n++] = prog;
	if (geteuid() == 0) { /* smtp-sink refuses to run as root */
		argv[n++] = "-u";
		argv[n++] = "nobody";
	}
	argv[n++] = where;
	argv[n++] = "64";
	argv[n] = NULL;
	if (!g_spawn_async(NULL, (char **)argv, NULL,
		G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
		    G_SPAWN_STDERR_TO_DEV_NULL,
		NULL, NULL, &pid, NULL))
		return 0;
	for (int i = 0; i < WAIT_TRIES && !sink_ready(port); i++)
		g_usleep(WAIT_STEP);
	return pid;
}

/* sink_stop - TERM, then KILL after a bounded wait; reaped */
static void
sink_stop(GPid pid)
{
	int status;
	pid_t r = 0;

	kill(pid, SIGTERM);
	for (int i = 0; i < WAIT_TRIES && r == 0; i++) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == 0)
			g_usleep(WAIT_STEP);
	}
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	g_spawn_close_pid(pid);
}

/* fill - n direct shares, each with its intro row due at at; the row
 * carries message (a rendered intro) unless message is NULL */
static gboolean
fill(Store *store, const Config *cfg, const char *tag, guint n, gint64 at,
    GBytes *message, GError **error)
{
	for (guint i = 0; i < n; i++) {
		g_autoptr(Share) s = share_new();
		g_autoptr(GPtrArray) items = NULL;
		gboolean created = FALSE;

		s->sharer = g_strdup("chris@members.example");
		s->member_name = g_strdup("Chris Member");
		s->recipient = g_strdup("jane@friends.example");
		s->recipient_name = g_strdup("Jane Friend");
		s->requester =
		    g_strdup_printf("dana.%s.%u@confs.example", tag, i);
		s->requester_name = g_strdup("Dana Scully");
		s->requester_org = g_strdup("Acme Events");
		s->subject = g_strdup("Speaker for the March meetup");
		s->note = g_strdup("Jane, you gave the best talk on this.");
		s->request_text = g_strdup(
		    "We are looking for a speaker for the March meetup: "
		    "forty minutes on running small mail systems, "
		    "questions after, travel paid.");
		s->origin_key =
		    g_strdup_printf("<%s.%u@confs.example>", tag, i);
		flow_share_begin(cfg, s, "direct", at);
		items = flow_first_items(cfg, s, NULL);
		for (guint j = 0; j < items->len; j++) {
			OutboxItem *it = items->pdata[j];

			it->next_attempt_at = at;
			if (message != NULL) {
				it->message = g_bytes_ref(message);
				g_free(it->subject);
				it->subject = g_strdup(s->subject);
			}
		}
		if (!store_share_record(store, s, items, &created, error))
			return FALSE;
		if (!created) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "share %u of %s not created", i, tag);
			return FALSE;
		}
	}
	return TRUE;
}

/* sample - one introduction rendered as the worker would, or NULL */
static GBytes *
sample(const char *dir, Config *cfg, guint *rcpts, GError **error)
{
	g_autofree char *path = g_build_filename(dir, "sample.db", NULL);
	g_autoptr(GPtrArray) all = NULL;
	Store *store;
	GBytes *out = NULL;

	store = store_open(path, 5000, error);
	if (store == NULL)
		return NULL;
	if (fill(store, cfg, "sample", 1, T0, NULL, error) &&
	    (all = store_outbox_list(store, error)) != NULL && all->len == 1 &&
	    sender_render(store, cfg, all->pdata[0], T0, FALSE, error)) {
		out = g_bytes_ref(((OutboxItem *)all->pdata[0])->message);
		*rcpts = ((OutboxItem *)all->pdata[0])->rcpts->len;
	}
	store_close(store);
	return out;
}

/* flush - time sender_flush_at(at); seconds, or -1 when not all n sent */
static double
flush(Store *store, const Config *cfg, guint n, gint64 at)
{
	g_autoptr(GError) error = NULL;
	FlushStats st = { 0 };
	gint64 t = g_get_monotonic_time();

	if (!sender_flush_at(store, cfg, at, &st, &error)) {
		fprintf(stderr, "bench_worker: flush: %s\n", error->message);
		return -1;
	}
	t = g_get_monotonic_time() - t;
	if (st.sent != n || st.retried != 0 || st.failed != 0) {
		fprintf(stderr,
		    "bench_worker: sent %u deferred %u failed %u, want %u "
		    "sent\n",
		    st.sent, st.retried, st.failed, n);
		return -1;
	}
	return (double)t / G_USEC_PER_SEC;
}

/* cmp - for qsort, doubles ascending */
static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* one_round - fill a fresh store, time both flushes; FALSE on failure */
static gboolean
one_round(const char *dir, Config *cfg, guint n, guint r, GBytes *pre,
    double *render, double *plain)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_strdup_printf("%s/round%u.db", dir, r);
	g_autofree char *tag = g_strdup_printf("r%u", r);
	g_autofree char *ptag = g_strdup_printf("p%u", r);
	gint64 t_render = T0 + 10 * r + (r % 2),
	       t_plain = T0 + 10 * r + !(r % 2);
	gboolean ok = FALSE;
	Store *store;

	store = store_open(path, 5000, &error);
	if (store == NULL)
		goto out;
	if (!fill(store, cfg, tag, n, t_render, NULL, &error) ||
	    !fill(store, cfg, ptag, n, t_plain, pre, &error))
		goto out;
	/* the earlier due time is flushed first: rendered first in even
	 * rounds, pre-rendered first in odd ones */
	if (r % 2 == 0)
		ok = (*render = flush(store, cfg, n, t_render)) >= 0 &&
		     (*plain = flush(store, cfg, n, t_plain)) >= 0;
	else
		ok = (*plain = flush(store, cfg, n, t_plain)) >= 0 &&
		     (*render = flush(store, cfg, n, t_render)) >= 0;
out:
	if (error != NULL)
		fprintf(stderr, "bench_worker: %s\n", error->message);
	store_close(store);
	g_unlink(path);
	g_autofree char *wal = g_strconcat(path, "-wal", NULL);
	g_autofree char *shm = g_strconcat(path, "-shm", NULL);
	g_unlink(wal);
	g_unlink(shm);
	return ok;
}

int
main(int argc, char **argv)
{
	guint n = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 2000;
	guint rounds = argc > 2 ? (guint)strtoul(argv[2], NULL, 10) : 3;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = NULL;
	g_autoptr(GBytes) pre = NULL;
	double render[MAX_ROUNDS], plain[MAX_ROUNDS];
	guint rcpts = 0;
	guint16 port;
	GPid sink;
	Config *cfg;
	int rc = 1;

	if (n == 0 || n > MAX_N || rounds == 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench_worker [N [ROUNDS]]\n");
		return 2;
	}
	/* the daemon's lines go to syslog only; so do the worker's here */
	log_open("passalong-bench-worker", FALSE);
	sender_init();
	port = free_port();
	sink = port ? sink_start(port) : 0;
	if (sink == 0 || !sink_ready(port)) {
		if (sink != 0)
			sink_stop(sink);
		fprintf(stderr, "bench_worker: smtp-sink did not start\n");
		return 77;
	}
	dir = g_dir_make_tmp("pa-bench-worker-XXXXXX", &error);
	cfg = config_new_default();
	cfg->smtp_url = g_strdup_printf("smtp://127.0.0.1:%u", port);
	cfg->lease = 600;
	if (dir != NULL)
		pre = sample(dir, cfg, &rcpts, &error);
	if (pre == NULL) {
		fprintf(stderr, "bench_worker: %s\n",
		    error ? error->message : "no sample intro");
		goto out;
	}
	for (guint r = 0; r < rounds; r++) {
		fprintf(
		    stderr, "bench_worker: round %u of %u\n", r + 1, rounds);
		if (!one_round(dir, cfg, n, r, pre, &render[r], &plain[r]))
			goto out;
	}
	qsort(render, rounds, sizeof render[0], cmp);
	qsort(plain, rounds, sizeof plain[0], cmp);
	double rs = n / render[rounds / 2], ps = n / plain[rounds / 2];

	printf("### Tier 3: micro — the outbox worker\n\n");
	printf("%u direct introductions queued unrendered (template "
	       "\"intro\", %u SMTP transactions: one per recipient) and %u "
	       "pre-rendered ones (%zu bytes), flushed by sender_flush_at() "
	       "to smtp-sink on 127.0.0.1; median of %u interleaved "
	       "rounds.\n\n",
	    n, n * rcpts, n, g_bytes_get_size(pre), rounds);
	printf("| path | intros/s | SMTP transactions/s |\n");
	printf("|---|---:|---:|\n");
	printf("| render + re-parse + send + record | %.0f | %.0f |\n", rs,
	    rs * rcpts);
	printf("| pre-rendered: send + record | %.0f | %.0f |\n\n", ps,
	    ps * rcpts);
	printf("rendered/pre-rendered throughput: **%.2f**\n\n", rs / ps);
	printf("Issue 10 (worker >= 500 intros/s rendered and sent): %s "
	       "(%.0f intros/s).\n\n",
	    rs >= 500 ? "met" : "missed", rs);
	rc = 0;
out:
	sink_stop(sink);
	if (dir != NULL) {
		g_autofree char *p = g_build_filename(dir, "sample.db", NULL);
		g_autofree char *w = g_strconcat(p, "-wal", NULL);
		g_autofree char *m = g_strconcat(p, "-shm", NULL);

		g_unlink(p);
		g_unlink(w);
		g_unlink(m);
		g_rmdir(dir);
	}
	config_free(cfg);
	return rc;
}
