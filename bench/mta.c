/*
 * mta.c - bench/mta: drive a milter as Postfix does, and measure it
 *
 * Sends -n messages of one kind over -c concurrent connections (one
 * connection per message, as Postfix makes them), checks that every
 * verdict is the expected one, and prints one line of key=value
 * results: msg/s, latency p50/p99 (connect to verdict), and, for the
 * milter process named by -P, CPU per message (utime+stime from
 * /proc/PID/stat) and peak RSS (VmHWM, reset through clear_refs
 * before the run). --dump writes one generated message to stdout.
 * -k reply sends friends' answers to consent requests: one message per
 * token of the -t file, each to its own intro+TOKEN@, from the friend.
 * Trust: only talks to the socket it is given (tests and benchmarks
 * give it unix sockets or loopback). Every wait is bounded: 60 s per
 * socket operation, -T seconds for the whole run.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/mta.h"
#include "bench/mta_proto.h"

typedef struct {
	const char *socket;
	guint messages;
	guint concurrency;
	MtaKind kind;
	gsize size;
	const char *from;
	GPtrArray *rcpts;
	const char *auth;
	const char *expect;
	int pid;
	const char *run;
	const char *tokens_path; /* -t: one token a line (-k reply) */
	GPtrArray *tokens;       /* its tokens, or NULL */
	guint deadline;          /* seconds for the whole run */
	gboolean dump;
} Options;

typedef struct {
	const Options *o;
	MtaMessage **msgs;  /* pregenerated, one per message */
	GPtrArray **rcpts;  /* per message (-k reply), or NULL */
	GBytes *tail;       /* shared body tail (MTA_KIND_BIG) or NULL */
	gint next;          /* atomic: the next message to send */
	gint64 deadline;    /* monotonic µs */
	gint64 *latency_us; /* per message */
	MtaOutcome *outcome;
	guint *deleted;
	gint errors; /* atomic */
	GMutex lock; /* first error message */
	char *first_error;
} Run;

/* usage - how to call the program */
static void G_GNUC_NORETURN
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: mta -s SOCKET [-n N] [-c CONC] [-k KIND] [-z BYTES]\n"
	    "           [-f FROM] [-r RCPT]... [-a AUTH] [-e VERDICT] [-P "
	    "PID]\n"
	    "           [-R RUN] [-T SECONDS] [-t TOKENS]\n"
	    "       mta --dump [-k KIND] [-z BYTES] [-R RUN]\n"
	    "  KIND ordinary|share|big|reply (reply: -t FILE, one token a "
	    "line;\n"
	    "  --dump -k reply takes -R as the token); VERDICT "
	    "accept|discard|reject|tempfail\n");
	exit(status);
}

/* parse_options - the command line; exits 2 on a bad one */
static void
parse_options(int argc, char **argv, Options *o)
{
	*o = (Options){ .messages = 100,
		.concurrency = 10,
		.size = 20480,
		.from = NULL,
		.expect = "any",
		.run = "r",
		.deadline = 600 };
	o->rcpts = g_ptr_array_new();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--dump") == 0) {
			o->dump = TRUE;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			usage(0);
		if (a[0] != '-' || a[1] == '\0' || a[2] != '\0' || v == NULL)
			usage(2);
		i++;
		switch (a[1]) {
		case 's':
			o->socket = v;
			break;
		case 'n':
			o->messages = (guint)strtoul(v, NULL, 10);
			break;
		case 'c':
			o->concurrency = (guint)strtoul(v, NULL, 10);
			break;
		case 'k':
			if (!mta_kind_parse(v, &o->kind))
				usage(2);
			break;
		case 'z':
			o->size = (gsize)strtoull(v, NULL, 10);
			break;
		case 'f':
			o->from = v;
			break;
		case 'r':
			g_ptr_array_add(o->rcpts, (char *)v);
			break;
		case 'a':
			o->auth = v;
			break;
		case 'e':
			o->expect = v;
			break;
		case 'P':
			o->pid = atoi(v);
			break;
		case 'R':
			o->run = v;
			break;
		case 'T':
			o->deadline = (guint)strtoul(v, NULL, 10);
			break;
		case 't':
			o->tokens_path = v;
			break;
		default:
			usage(2);
		}
	}
	if (o->from == NULL)
		o->from = o->kind == MTA_KIND_REPLY ? "jane@friends.example"
						    : "chris@members.example";
	if (o->rcpts->len == 0 && o->kind != MTA_KIND_REPLY)
		g_ptr_array_add(
		    o->rcpts, (char *)(o->kind == MTA_KIND_ORDINARY
					   ? "bob@elsewhere.example"
					   : "share+jane@intro.example.org"));
	if (!o->dump &&
	    (o->socket == NULL || o->messages == 0 || o->concurrency == 0 ||
		o->deadline == 0 ||
		(o->kind == MTA_KIND_REPLY) != (o->tokens_path != NULL)))
		usage(2);
}

/* read_tokens - the -t file's tokens, one a line; at least n of them */
static gboolean
read_tokens(Options *o)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) lines = NULL;

	if (o->tokens_path == NULL)
		return TRUE;
	if (!g_file_get_contents(o->tokens_path, &text, NULL, &error)) {
		fprintf(stderr, "mta: %s\n", error->message);
		return FALSE;
	}
	o->tokens = g_ptr_array_new_with_free_func(g_free);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_strstrip(lines[i]);
		if (*lines[i] != '\0')
			g_ptr_array_add(o->tokens, g_strdup(lines[i]));
	}
	if (o->tokens->len < o->messages) {
		fprintf(stderr, "mta: %s holds %u tokens, not %u\n",
		    o->tokens_path, o->tokens->len, o->messages);
		return FALSE;
	}
	return TRUE;
}

/* proc_cpu_us - utime+stime of a process, dead threads included */
static gint64
proc_cpu_us(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) f = NULL;
	const char *p;

	if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL) ||
	    (p = strrchr(text, ')')) == NULL)
		return -1;
	f = g_strsplit(p + 2, " ", 0); /* f[0] is field 3, the state */
	if (g_strv_length(f) < 13)
		return -1;
	return (g_ascii_strtoll(f[11], NULL, 10) +
		   g_ascii_strtoll(f[12], NULL, 10)) *
	       G_USEC_PER_SEC / sysconf(_SC_CLK_TCK);
}

/* proc_hwm_kb - peak resident set (VmHWM) of a process, or -1 */
static gint64
proc_hwm_kb(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
	g_autofree char *text = NULL;
	const char *p;

	if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL) ||
	    (p = strstr(text, "VmHWM:")) == NULL)
		return -1;
	return g_ascii_strtoll(p + 6, NULL, 10);
}

/* proc_reset_hwm - start a new peak: "5" to clear_refs resets VmHWM */
static void
proc_reset_hwm(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/clear_refs", pid);
	FILE *f;

	if (pid <= 0)
		return;
	/* not g_file_set_contents(): it writes a new file and renames */
	f = fopen(path, "w");
	if (f != NULL && (fputs("5", f) == EOF) + (fclose(f) != 0) == 0)
		return;
	fprintf(stderr, "mta: cannot reset the peak RSS of %d: %s\n", pid,
	    g_strerror(errno));
}

/* record_error - count a failed message, keep the first reason */
static void
record_error(Run *r, guint i, const char *why)
{
	g_atomic_int_inc(&r->errors);
	g_mutex_lock(&r->lock);
	if (r->first_error == NULL)
		r->first_error = g_strdup_printf("message %u: %s", i, why);
	g_mutex_unlock(&r->lock);
}

/* worker - send messages until none is left or time is up */
static gpointer
worker(gpointer data)
{
	Run *r = data;
	const Options *o = r->o;
	gint i;

	while ((i = g_atomic_int_add(&r->next, 1)) < (gint)o->messages) {
		g_autofree char *qid = g_strdup_printf("B%s%05X", o->run, i);
		MtaEnvelope env = { .from = o->from,
			.rcpts = r->rcpts != NULL ? r->rcpts[i] : o->rcpts,
			.auth_authen = o->auth,
			.queue_id = qid };
		GBytes *body[] = { r->msgs[i]->body, r->tail, NULL };
		MtaResult res = { 0 };
		g_autoptr(GError) error = NULL;
		gint64 t0 = g_get_monotonic_time();

		if (t0 > r->deadline) {
			record_error(r, (guint)i, "run deadline passed");
			continue;
		}
		if (!mta_send(o->socket, &env, r->msgs[i], body, &res, &error))
			record_error(r, (guint)i, error->message);
		r->latency_us[i] = g_get_monotonic_time() - t0;
		r->outcome[i] = res.outcome;
		r->deleted[i] = res.rcpt_deleted;
		if (res.reply != NULL && strcmp(o->expect, "any") != 0 &&
		    strcmp(o->expect, mta_outcome_name(res.outcome)) != 0)
			record_error(r, (guint)i, res.reply);
		g_free(res.reply);
	}
	return NULL;
}

/* compare_i64 - qsort order for latencies */
static int
compare_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

/* percentile_ms - the p-th percentile of sorted µs values, in ms */
static double
percentile_ms(const gint64 *sorted, guint n, double p)
{
	guint k = (guint)(p / 100.0 * (n - 1) + 0.5);

	return sorted[MIN(k, n - 1)] / 1000.0;
}

/* generate - every message of the run, made before the clock starts */
static gboolean
generate(Run *r)
{
	const Options *o = r->o;

	r->msgs = g_new0(MtaMessage *, o->messages);
	if (o->kind == MTA_KIND_BIG)
		r->tail = mta_gen_attachment(o->size);
	if (o->tokens != NULL)
		r->rcpts = g_new0(GPtrArray *, o->messages);
	for (guint i = 0; i < o->messages; i++) {
		const char *run =
		    o->tokens != NULL ? o->tokens->pdata[i] : o->run;
		g_autoptr(GBytes) m = mta_gen_message(o->kind, o->size, run, i);
		g_autoptr(GError) error = NULL;

		if (r->rcpts != NULL) {
			r->rcpts[i] = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(r->rcpts[i],
			    g_strdup_printf("intro+%s@intro.example.org", run));
		}
		r->msgs[i] = mta_message_split(m, &error);
		if (r->msgs[i] == NULL) {
			fprintf(stderr, "mta: %s\n", error->message);
			return FALSE;
		}
	}
	return TRUE;
}

/* count_unexpected - messages whose verdict is not the expected one */
static guint
count_unexpected(const Run *r, guint counts[5])
{
	const Options *o = r->o;
	guint bad = 0;

	for (guint i = 0; i < o->messages; i++) {
		counts[r->outcome[i]]++;
		if (strcmp(o->expect, "any") != 0 &&
		    strcmp(o->expect, mta_outcome_name(r->outcome[i])) != 0)
			bad++;
	}
	return bad;
}

/* report - the one result line; FALSE when the run must not count */
static gboolean
report(Run *r, gint64 elapsed_us, gint64 cpu_us, gint64 hwm_kb)
{
	const Options *o = r->o;
	guint counts[5] = { 0 }, deleted = 0;
	guint bad = count_unexpected(r, counts);
	gsize wire = 0;

	for (guint i = 0; i < o->messages; i++)
		deleted += r->deleted[i];
	wire = g_bytes_get_size(r->msgs[0]->body) +
	       (r->tail != NULL ? g_bytes_get_size(r->tail) : 0);
	qsort(r->latency_us, o->messages, sizeof(gint64), compare_i64);
	printf("kind=%s body_bytes=%zu messages=%u concurrency=%u "
	       "seconds=%.3f msgs_per_s=%.1f p50_ms=%.3f p99_ms=%.3f "
	       "cpu_us_per_msg=%.1f peak_rss_kb=%" G_GINT64_FORMAT " "
	       "accept=%u discard=%u reject=%u tempfail=%u none=%u "
	       "rcpt_deleted=%u errors=%d\n",
	    mta_kind_name(o->kind), wire, o->messages, o->concurrency,
	    elapsed_us / 1e6, o->messages / (elapsed_us / 1e6),
	    percentile_ms(r->latency_us, o->messages, 50),
	    percentile_ms(r->latency_us, o->messages, 99),
	    cpu_us < 0 ? -1.0 : (double)cpu_us / o->messages, hwm_kb,
	    counts[MTA_ACCEPT], counts[MTA_DISCARD], counts[MTA_REJECT],
	    counts[MTA_TEMPFAIL], counts[MTA_NONE], deleted, r->errors);
	if (r->first_error != NULL)
		fprintf(stderr, "mta: %d errors; first: %s\n", r->errors,
		    r->first_error);
	if (bad > 0)
		fprintf(stderr, "mta: %u of %u verdicts were not %s\n", bad,
		    o->messages, o->expect);
	return r->errors == 0 && bad == 0;
}

/* run_clear - free what a run made; accepts a run half made */
static void
run_clear(Run *r)
{
	for (guint i = 0; r->msgs != NULL && i < r->o->messages; i++)
		mta_message_free(r->msgs[i]);
	for (guint i = 0; r->rcpts != NULL && i < r->o->messages; i++)
		if (r->rcpts[i] != NULL)
			g_ptr_array_unref(r->rcpts[i]);
	g_free(r->rcpts);
	g_free(r->msgs);
	g_free(r->latency_us);
	g_free(r->outcome);
	g_free(r->deleted);
	g_free(r->first_error);
	if (r->tail != NULL)
		g_bytes_unref(r->tail);
	g_mutex_clear(&r->lock);
}

/* dump - one generated message on stdout, for a look or a test */
static int
dump(const Options *o)
{
	g_autoptr(GBytes) m = mta_gen_message(o->kind, o->size, o->run, 0);
	g_autoptr(GBytes) tail =
	    o->kind == MTA_KIND_BIG ? mta_gen_attachment(o->size) : NULL;

	fwrite(g_bytes_get_data(m, NULL), 1, g_bytes_get_size(m), stdout);
	if (tail != NULL)
		fwrite(g_bytes_get_data(tail, NULL), 1, g_bytes_get_size(tail),
		    stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	Options o;
	Run r = { 0 };
	g_autoptr(GPtrArray) threads = g_ptr_array_new();
	gint64 t0, cpu0, elapsed;
	gboolean ok;

	parse_options(argc, argv, &o);
	if (o.dump)
		return dump(&o);
	r.o = &o;
	g_mutex_init(&r.lock);
	if (!read_tokens(&o) || !generate(&r)) {
		run_clear(&r);
		g_ptr_array_unref(o.rcpts);
		if (o.tokens != NULL)
			g_ptr_array_unref(o.tokens);
		return 1;
	}
	r.latency_us = g_new0(gint64, o.messages);
	r.outcome = g_new0(MtaOutcome, o.messages);
	r.deleted = g_new0(guint, o.messages);
	proc_reset_hwm(o.pid);
	cpu0 = proc_cpu_us(o.pid);
	t0 = g_get_monotonic_time();
	r.deadline = t0 + (gint64)o.deadline * G_USEC_PER_SEC;
	for (guint i = 0; i < o.concurrency; i++)
		g_ptr_array_add(threads, g_thread_new("mta", worker, &r));
	for (guint i = 0; i < threads->len; i++)
		g_thread_join(threads->pdata[i]);
	elapsed = g_get_monotonic_time() - t0;
	ok = report(&r, elapsed, cpu0 < 0 ? -1 : proc_cpu_us(o.pid) - cpu0,
	    proc_hwm_kb(o.pid));
	run_clear(&r);
	g_ptr_array_unref(o.rcpts);
	if (o.tokens != NULL)
		g_ptr_array_unref(o.tokens);
	return ok ? 0 : 1;
}
