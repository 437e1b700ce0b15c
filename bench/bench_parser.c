/*
 * bench_parser.c - how fast parser_parse() reads a forward, against
 *	GMime's own bare parse of the same bytes, in the same run
 *
 * Usage: bench_parser [ROUNDS [inline|attachment]]   (make bench)
 *	ROUNDS defaults to 7; naming one message benches only it (for
 *	profiling: perf record ./bench/bench_parser 3 inline).
 *
 * Two forwards are made in memory: a Gmail-style inline forward of about
 * 20 KB (multipart/alternative, quoted-printable text and HTML, a long
 * body) and an attachment forward of about 2 MB (a note, then a
 * message/rfc822 holding a text body and a 1.9 MB base64 PDF-like
 * attachment). For each, "parser" is parser_parse() and "gmime" is
 * g_mime_parser_construct_message() from a memory stream followed by a
 * walk over every leaf part (message/rfc822 included) writing its
 * transfer-decoded content to a null stream - what any reader of the
 * message must do at least once. Each round times enough iterations
 * to last about MIN_ROUND_US; the median round is reported as
 * messages/s and MB/s, and the ratio parser/gmime of time per message,
 * as one markdown section on stdout (progress on stderr).
 * The goal (issue 12; issue 3 set 2) is a ratio of 1.5 or less.
 * Numbers, not asserts: this is not a test and never fails on speed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "parser/parser.h"

#define MIN_ROUND_US (300 * 1000)
#define GOAL 1.5 /* parser/gmime, issue 12 (issue 3: 2) */

typedef gboolean (*BenchFn)(const char *data, gsize len);

static const char *const words[] = { "Aenean", "quis", "diam", "urna",
	"Maecenas", "eleifend", "vulputate", "ligula", "ac", "consequat",
	"café", "Pellentesque", "cursus", "tincidunt", "mauris", "non",
	"venenatis", "Sed", "nec", "facilisis", "tellus", "Nunc", "eget",
	"eros", "séminaire", "ex", "congue", "iaculis", "massa", "Morbi" };

/* qp_word - a word as quoted-printable (only its non-ASCII bytes) */
static void
qp_word(GString *out, const char *w)
{
	for (const guchar *p = (const guchar *)w; *p != '\0'; p++) {
		if (*p >= 0x80)
			g_string_append_printf(out, "=%02X", *p);
		else
			g_string_append_c(out, (char)*p);
	}
}

/* add_body - about n bytes of quoted-printable paragraphs; html wraps
 * each paragraph in <div> and writes '=' as =3D */
static void
add_body(GString *out, GRand *rand, gsize n, gboolean html)
{
	gsize start = out->len, col = 0;

	while (out->len - start < n) {
		if (html)
			g_string_append(out, "<div dir=3D\"ltr\">");
		for (int i = 0; i < 60; i++) {
			const char *w = words[g_rand_int_range(
			    rand, 0, G_N_ELEMENTS(words))];

			if (col > 60) {
				g_string_append(out, html ? "=\n" : " =\n");
				col = 0;
			} else if (i > 0) {
				g_string_append_c(out, ' ');
				col++;
			}
			qp_word(out, w);
			col += strlen(w) + 4;
		}
		g_string_append(
		    out, html ? ".</div><div><br></div>\n" : ".\n\n");
		col = 0;
	}
}

/* make_inline - a Gmail inline forward of about 20 KB */
static GString *
make_inline(GRand *rand)
{
	GString *m =
	    g_string_new("From: Chris Member <chris@members.example>\n"
			 "To: share+jane@intro.example.org\n"
			 "Subject: Fwd: Speaking slot\n"
			 "Date: Wed, 27 Oct 2021 10:02:11 +0200\n"
			 "Message-ID: <bench-20k@members.example>\n"
			 "MIME-Version: 1.0\n"
			 "Content-Type: multipart/alternative; "
			 "boundary=\"000000000000a1b2c3\"\n\n"
			 "--000000000000a1b2c3\n"
			 "Content-Type: text/plain; charset=\"UTF-8\"\n"
			 "Content-Transfer-Encoding: quoted-printable"
			 "\n\nJane, you'd be perfect for this.\n\n"
			 "Chris\n\n"
			 "---------- Forwarded message ---------\n"
			 "From: John Doe <john.doe@acme.com>\n"
			 "Date: Wed, Oct 27, 2021 at 9:31 AM\n"
			 "Subject: Speaking slot\n"
			 "To: <chris@members.example>\n"
			 "Cc: Walter Sheltan <walter@acme.com>\n\n\n");

	add_body(m, rand, 9000, FALSE);
	g_string_append(m, "\n--000000000000a1b2c3\n"
			   "Content-Type: text/html; charset=\"UTF-8\"\n"
			   "Content-Transfer-Encoding: quoted-printable\n\n"
			   "<div dir=3D\"ltr\">Jane, you'd be perfect for this."
			   "<div><br></div><div>Chris</div><br><div class=3D"
			   "\"gmail_quote\"><div dir=3D\"ltr\" class=3D\"gmail"
			   "_attr\">---------- Forwarded message ---------<br>"
			   "From: <strong>John Doe</strong> &lt;<a href=3D\""
			   "mailto:john.doe@acme.com\">john.doe@acme.com</a>"
			   "&gt;<br>Date: Wed, Oct 27, 2021 at 9:31 AM<br>"
			   "Subject: Speaking slot<br></div><br>\n");
	add_body(m, rand, 9000, TRUE);
	g_string_append(m, "</div></div>\n--000000000000a1b2c3--\n");
	return m;
}

/* add_base64 - n random bytes as base64 lines of 76 */
static void
add_base64(GString *out, GRand *rand, gsize n)
{
	static const guchar magic[] = { '%', 'P', 'D', 'F', '-', '1', '.', '7',
		'\n' };
	g_autofree guchar *raw = g_malloc(n);
	g_autofree char *b64 = NULL;
	gsize len;

	for (gsize i = 0; i < n; i++)
		raw[i] = (guchar)g_rand_int_range(rand, 0, 256);
	memcpy(raw, magic, sizeof(magic));
	b64 = g_base64_encode(raw, n);
	len = strlen(b64);
	for (gsize i = 0; i < len; i += 76) {
		g_string_append_len(out, b64 + i, MIN(76, len - i));
		g_string_append_c(out, '\n');
	}
}

/* make_attachment - an attachment forward of about 2 MB */
static GString *
make_attachment(GRand *rand)
{
	GString *m =
	    g_string_new("From: Chris Member <chris@members.example>\n"
			 "To: share+jane@intro.example.org\n"
			 "Subject: Fwd: Request for proposal\n"
			 "Date: Tue, 2 Nov 2021 09:40:00 +0100\n"
			 "Message-ID: <bench-2m@members.example>\n"
			 "MIME-Version: 1.0\n"
			 "Content-Type: multipart/mixed; boundary=\"outer"
			 "\"\n\n--outer\n"
			 "Content-Type: text/plain; charset=utf-8\n\n"
			 "Jane, see the attached request.\n\nChris\n\n"
			 "--outer\nContent-Type: message/rfc822\n"
			 "Content-Disposition: attachment\n\n"
			 "From: John Doe <john.doe@acme.com>\n"
			 "To: Chris Member <chris@members.example>\n"
			 "Subject: Request for proposal\n"
			 "Date: Mon, 1 Nov 2021 16:20:00 +0100\n"
			 "Message-ID: <rfp-2021@acme.com>\n"
			 "MIME-Version: 1.0\n"
			 "Content-Type: multipart/mixed; boundary=\"inner"
			 "\"\n\n--inner\nContent-Type: text/plain; "
			 "charset=utf-8\nContent-Transfer-Encoding: "
			 "quoted-printable\n\n");

	add_body(m, rand, 8000, FALSE);
	g_string_append(m, "\n--inner\nContent-Type: application/pdf; "
			   "name=\"rfp.pdf\"\nContent-Disposition: attachment;"
			   " filename=\"rfp.pdf\"\nContent-Transfer-Encoding: "
			   "base64\n\n");
	add_base64(m, rand, 1450 * 1024);
	g_string_append(m, "--inner--\n\n--outer--\n");
	return m;
}

/* run_parser - parser_parse(), which must find the forward */
static gboolean
run_parser(const char *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Forward) fwd = parser_parse(data, len, &error);

	return fwd != NULL && fwd->forwarded;
}

/* walk - write every leaf part's decoded content to a null stream */
static void
walk(GMimeObject *obj, GMimeStream *null)
{
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m != NULL)
			walk(g_mime_message_get_mime_part(m), null);
	} else if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			walk(g_mime_multipart_get_part(mp, i), null);
	} else if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));

		if (w != NULL)
			g_mime_data_wrapper_write_to_stream(w, null);
	}
}

/* run_gmime - GMime's bare parse and decode of the same bytes */
static gboolean
run_gmime(const char *data, gsize len)
{
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(GMimeStream) null = g_mime_stream_null_new();

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL)
		return FALSE;
	walk(g_mime_message_get_mime_part(msg), null);
	return TRUE;
}

/* calibrate - iterations that last about MIN_ROUND_US */
static guint
calibrate(BenchFn fn, const GString *m)
{
	guint n = 1;

	for (;;) {
		gint64 t0 = g_get_monotonic_time();

		for (guint i = 0; i < n; i++)
			fn(m->str, m->len);
		if (g_get_monotonic_time() - t0 >= MIN_ROUND_US / 4 ||
		    n >= (1u << 20))
			return n * 4;
		n *= 2;
	}
}

/* round_us - microseconds per message over n iterations */
static double
round_us(BenchFn fn, const GString *m, guint n)
{
	gint64 t0 = g_get_monotonic_time();

	for (guint i = 0; i < n; i++)
		fn(m->str, m->len);
	return (double)(g_get_monotonic_time() - t0) / n;
}

/* cmp_double - for qsort */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* bench_one - median rounds of both, interleaved; prints one row */
static double
bench_one(const char *name, const GString *m, guint rounds)
{
	g_autofree double *p = g_new(double, rounds);
	g_autofree double *g = g_new(double, rounds);
	guint np = calibrate(run_parser, m), ng = calibrate(run_gmime, m);
	double mb = m->len / (1024.0 * 1024.0), pm, gm;

	for (guint r = 0; r < rounds; r++) {
		p[r] = round_us(run_parser, m, np);
		g[r] = round_us(run_gmime, m, ng);
	}
	qsort(p, rounds, sizeof(double), cmp_double);
	qsort(g, rounds, sizeof(double), cmp_double);
	pm = p[rounds / 2];
	gm = g[rounds / 2];
	fprintf(stderr, "bench_parser: %s done\n", name);
	printf("| %s | %.1f KB | %.0f | %.1f | %.0f | %.1f | **%.2f** |\n",
	    name, m->len / 1024.0, 1e6 / pm, mb * 1e6 / pm, 1e6 / gm,
	    mb * 1e6 / gm, pm / gm);
	return pm / gm;
}

/* print_goal - one message's line against the goal: met or missed by */
static void
print_goal(const char *name, double ratio)
{
	if (ratio <= GOAL)
		printf("- goal parser/gmime ≤ %.2f, %s: met\n", GOAL, name);
	else
		printf("- goal parser/gmime ≤ %.2f, %s: missed by %.0f%%\n",
		    GOAL, name, (ratio / GOAL - 1) * 100);
}

int
main(int argc, char **argv)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(20211027);
	g_autoptr(GString) small = NULL;
	g_autoptr(GString) big = NULL;
	guint rounds = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 7;
	const char *name[2];
	double ratio[2];
	int n = 0;

	if (rounds == 0)
		rounds = 1;
	g_mime_init();
	small = make_inline(rand);
	big = make_attachment(rand);
	if (!run_parser(small->str, small->len) ||
	    !run_parser(big->str, big->len)) {
		fprintf(stderr, "bench: the parser found no forward in a "
				"generated message; numbers would be wrong\n");
		return 1;
	}
	printf("### Tier 3: micro — parser\n\n"
	       "parser_parse() against GMime's bare parse plus a decoding walk "
	       "over every leaf part of the same bytes, for a Gmail-style "
	       "inline forward (multipart/alternative, quoted-printable) and "
	       "an attachment forward (message/rfc822 with a 1.45 MB base64 "
	       "attachment); median of %u interleaved rounds of ≥ %d ms "
	       "each.\n\n",
	    rounds, MIN_ROUND_US / 1000);
	printf("| message | size | parser msg/s | parser MB/s | gmime msg/s | "
	       "gmime MB/s | parser/gmime |\n"
	       "|---|---:|---:|---:|---:|---:|---:|\n");
	if (argc <= 2 || strcmp(argv[2], "inline") == 0)
		name[n++] = "inline 20 KB";
	if (argc <= 2 || strcmp(argv[2], "attachment") == 0)
		name[n++] = "attachment 2 MB";
	for (int i = 0; i < n; i++)
		ratio[i] =
		    bench_one(name[i], name[i][0] == 'i' ? small : big, rounds);
	printf("\n");
	for (int i = 0; i < n; i++)
		print_goal(name[i], ratio[i]);
	g_mime_shutdown();
	return 0;
}
