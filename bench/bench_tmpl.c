/*
 * bench_tmpl.c - how fast tmpl_render_intro() writes an introduction,
 *	against GMime writing the same message from ready strings, in the
 *	same run
 *
 * Usage: bench_tmpl [ROUNDS [tmpl|gmime]]   (make bench)
 *	ROUNDS defaults to 7; naming one side benches only it (for
 *	profiling: perf record ./bench/bench_tmpl 3 tmpl).
 *
 * A typical share is made as the milter makes it: an inline forward of
 * a speaking request (a note, the forward header block, ORIGINAL_BYTES
 * of body) read by parser_parse(), and an IntroContext filled as
 * milter/share.c build_share() fills it. Then, interleaved round by
 * round:
 *
 *	tmpl	tmpl_render_intro(): clean the fields, write the words as
 *		text and HTML, build the MIME message, write it with CRLF,
 *		parse it back and check it.
 *	gmime	the least any renderer must do: GMime building a
 *		multipart/alternative message with the same header fields
 *		and the same text and HTML bodies, taken as ready strings
 *		from one tmpl_render_intro() result, and writing it with
 *		CRLF to a memory stream.
 *
 * Each round times enough messages to last about MIN_ROUND_US; the
 * median round is reported as messages/s, wall and CPU time per
 * message, and tmpl/gmime, the ratio of time per message. The digest
 * is not built yet (a later issue): its row says so and carries no
 * number. Numbers, not asserts: the program fails only when the work
 * was not done (a render failed, or a result does not parse back to
 * what was asked).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/gmime-autoptr.h"
#include "common/util.h"
#include "parser/parser.h"
#include "templates/tmpl.h"

#define MIN_ROUND_US (300 * 1000)
#define ORIGINAL_BYTES 3000
#define MAX_ITER (1u << 20)
#define MAX_ROUNDS 99

#define NOTE                                                                   \
	"Jane, you'd be perfect for this: they want someone who has run "      \
	"a real migration, not slides. I told John you might say yes."

/* Everything the GMime baseline writes, read back from a rendered intro. */
typedef struct {
	GPtrArray *names[4],
	    *addrs[4]; /* by GMimeAddressType, FROM..REPLY_TO */
	char *subject;
	GDateTime *date;
	char *message_id;
	GPtrArray *hnames, *hvalues; /* the other header fields, in order */
	char *text, *html;
	GMimeContentEncoding text_enc, html_enc;
} Ready;

typedef struct {
	Config *cfg;
	Forward *fwd;
	IntroContext ctx;
	Ready ready;
	gsize tmpl_bytes, gmime_bytes; /* the last message of each */
} Bench;

typedef gboolean (*BenchFn)(Bench *b);

static const GMimeAddressType kinds[4] = { GMIME_ADDRESS_TYPE_FROM,
	GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC,
	GMIME_ADDRESS_TYPE_REPLY_TO };

static const char *const words[] = { "Aenean", "quis", "diam", "urna",
	"Maecenas", "eleifend", "vulputate", "ligula", "ac", "consequat",
	"café", "Pellentesque", "cursus", "tincidunt", "mauris", "non",
	"venenatis", "Sed", "nec", "facilisis", "tellus", "Nunc", "eget",
	"eros", "séminaire", "ex", "congue", "iaculis", "massa", "Morbi" };

/* make_forward - a member's inline forward of a speaking request */
static GString *
make_forward(GRand *rand)
{
	GString *m = g_string_new(
	    "From: Chris Member <chris@members.example>\n"
	    "To: share+jane@intro.example.org\n"
	    "Subject: Fwd: Speaking slot at the Lyon developer days\n"
	    "Date: Wed, 27 Oct 2021 10:02:11 +0200\n"
	    "Message-ID: <bench-share@members.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n" NOTE "\n\nChris\n\n"
	    "---------- Forwarded message ---------\n"
	    "From: John Doe <john.doe@acme.com>\n"
	    "Date: Wed, Oct 27, 2021 at 9:31 AM\n"
	    "Subject: Speaking slot at the Lyon developer days\n"
	    "To: <chris@members.example>\n\n"
	    "Hello Chris,\n\n");
	gsize start = m->len, col = 0;

	while (m->len - start < ORIGINAL_BYTES) {
		const char *w =
		    words[g_rand_int_range(rand, 0, G_N_ELEMENTS(words))];

		if (col + strlen(w) > 70) {
			g_string_append_c(m, '\n');
			col = 0;
		} else if (col > 0) {
			g_string_append_c(m, ' ');
			col++;
		}
		g_string_append(m, w);
		col += strlen(w);
		if (g_rand_int_range(rand, 0, 40) == 0) {
			g_string_append(m, ".\n\n");
			col = 0;
		}
	}
	g_string_append(m, ".\n\nBest,\nJohn Doe\nAcme Events\n");
	return m;
}

/* bench_setup - parse the forward; the context as build_share() fills it */
static gboolean
bench_setup(Bench *b, GRand *rand)
{
	g_autoptr(GString) raw = make_forward(rand);
	g_autoptr(GError) error = NULL;
	const FwdAddress *rq;

	b->cfg = config_new_default();
	b->fwd = parser_parse(raw->str, raw->len, &error);
	if (b->fwd == NULL || !b->fwd->forwarded ||
	    b->fwd->original->from == NULL || b->fwd->note == NULL) {
		fprintf(stderr, "bench_tmpl: the parser found no forward in "
				"the generated share\n");
		return FALSE;
	}
	rq = b->fwd->original->from;
	b->ctx = (IntroContext){ .cfg = b->cfg,
		.member_address = "chris@members.example",
		.member_name = "Chris Member",
		.friend_address = "jane.doe@example.net",
		.friend_name = "Jane Doe",
		.requester_address = rq->address,
		.requester_name = rq->name,
		.fwd = b->fwd,
		.forward_message_id = "bench-share@members.example",
		.now = util_now() };
	return TRUE;
}

/* run_tmpl - one introduction, rendered and checked by the templates */
static gboolean
run_tmpl(Bench *b)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = tmpl_render_intro(&b->ctx, &error);

	if (mail == NULL) {
		fprintf(stderr, "bench_tmpl: tmpl_render_intro: %s\n",
		    error->message);
		return FALSE;
	}
	b->tmpl_bytes = g_bytes_get_size(mail->message);
	return TRUE;
}

/* text_part - a text part from a ready UTF-8 string, set as it is (no
 * charset scan or conversion: the least a renderer must do) */
static GMimeTextPart *
text_part(const char *subtype, const char *text, GMimeContentEncoding enc)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(text, strlen(text));
	g_autoptr(GMimeDataWrapper) content =
	    g_mime_data_wrapper_new_with_stream(
		stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(GMIME_PART(part), content);
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part), enc);
	return part;
}

/* gmime_build - the message from the ready strings (transfer full) */
static GMimeMessage *
gmime_build(const Ready *r)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	g_autoptr(GMimeMultipart) alt =
	    g_mime_multipart_new_with_subtype("alternative");
	g_autoptr(GMimeTextPart) plain =
	    text_part("plain", r->text, r->text_enc);
	g_autoptr(GMimeTextPart) rich = text_part("html", r->html, r->html_enc);

	for (int k = 0; k < 4; k++) {
		InternetAddressList *list =
		    g_mime_message_get_addresses(msg, kinds[k]);

		for (guint i = 0; i < r->addrs[k]->len; i++) {
			g_autoptr(InternetAddress) ia =
			    internet_address_mailbox_new(
				r->names[k]->pdata[i], r->addrs[k]->pdata[i]);

			internet_address_set_charset(ia, "utf-8");
			internet_address_list_add(list, ia);
		}
	}
	g_mime_message_set_subject(msg, r->subject, "utf-8");
	g_mime_message_set_date(msg, r->date);
	g_mime_message_set_message_id(msg, r->message_id);
	for (guint i = 0; i < r->hnames->len; i++)
		g_mime_object_set_header(GMIME_OBJECT(msg), r->hnames->pdata[i],
		    r->hvalues->pdata[i], NULL);
	g_mime_multipart_add(alt, GMIME_OBJECT(plain));
	g_mime_multipart_add(alt, GMIME_OBJECT(rich));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	return msg;
}

/* gmime_write - the message with CRLF into a new memory stream */
static GByteArray *
gmime_write(const Ready *r)
{
	g_autoptr(GMimeMessage) msg = gmime_build(r);
	g_autoptr(GMimeFormatOptions) opts = g_mime_format_options_new();
	g_autoptr(GMimeStream) mem = g_mime_stream_mem_new();
	GByteArray *bytes;

	g_mime_format_options_set_newline_format(
	    opts, GMIME_NEWLINE_FORMAT_DOS);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, mem) <= 0)
		return NULL;
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	return bytes;
}

/* run_gmime - one message from ready strings, by GMime alone */
static gboolean
run_gmime(Bench *b)
{
	GByteArray *bytes = gmime_write(&b->ready);

	if (bytes == NULL) {
		fprintf(stderr, "bench_tmpl: GMime wrote nothing\n");
		return FALSE;
	}
	b->gmime_bytes = bytes->len;
	g_byte_array_unref(bytes);
	return TRUE;
}

/* parse_bytes - a message from bytes (transfer full), or NULL */
static GMimeMessage *
parse_bytes(const void *data, gsize len)
{
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);

	return g_mime_parser_construct_message(parser, NULL);
}

/* alternative - the text/plain and text/html parts of msg, or FALSE */
static gboolean
alternative(GMimeMessage *msg, GMimeTextPart **text, GMimeTextPart **html)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimeMultipart *alt;

	if (!GMIME_IS_MULTIPART(top) ||
	    g_mime_multipart_get_count(GMIME_MULTIPART(top)) != 2)
		return FALSE;
	alt = GMIME_MULTIPART(top);
	*text = (GMimeTextPart *)g_mime_multipart_get_part(alt, 0);
	*html = (GMimeTextPart *)g_mime_multipart_get_part(alt, 1);
	return GMIME_IS_TEXT_PART(*text) && GMIME_IS_TEXT_PART(*html) &&
	       g_mime_content_type_is_type(
		   g_mime_object_get_content_type(GMIME_OBJECT(*text)), "text",
		   "plain") &&
	       g_mime_content_type_is_type(
		   g_mime_object_get_content_type(GMIME_OBJECT(*html)), "text",
		   "html");
}

/* ready_headers - the header fields other than addresses, subject, date,
 * message-id and MIME's own */
static void
ready_headers(Ready *r, GMimeMessage *msg)
{
	static const char *const skip[] = { "From", "To", "Cc", "Reply-To",
		"Subject", "Date", "Message-Id", "MIME-Version",
		"Content-Type" };
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));

	r->hnames = g_ptr_array_new_with_free_func(g_free);
	r->hvalues = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < g_mime_header_list_get_count(hl); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		gboolean skipped = FALSE;

		for (size_t k = 0; k < G_N_ELEMENTS(skip); k++)
			skipped |= g_ascii_strcasecmp(
				       g_mime_header_get_name(h), skip[k]) == 0;
		if (skipped)
			continue;
		g_ptr_array_add(r->hnames, g_strdup(g_mime_header_get_name(h)));
		g_ptr_array_add(
		    r->hvalues, g_strdup(g_mime_header_get_value(h)));
	}
}

/* ready_from - every string the baseline needs, from one rendered intro */
static gboolean
ready_from(Ready *r, GBytes *rendered)
{
	gsize len;
	const void *data = g_bytes_get_data(rendered, &len);
	g_autoptr(GMimeMessage) msg = parse_bytes(data, len);
	GMimeTextPart *text, *html;

	if (msg == NULL || !alternative(msg, &text, &html))
		return FALSE;
	for (int k = 0; k < 4; k++) {
		InternetAddressList *l =
		    g_mime_message_get_addresses(msg, kinds[k]);

		r->names[k] = g_ptr_array_new_with_free_func(g_free);
		r->addrs[k] = g_ptr_array_new_with_free_func(g_free);
		for (int i = 0; i < internet_address_list_length(l); i++) {
			InternetAddress *ia =
			    internet_address_list_get_address(l, i);

			if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
				return FALSE;
			g_ptr_array_add(r->names[k],
			    g_strdup(internet_address_get_name(ia)));
			g_ptr_array_add(r->addrs[k],
			    g_strdup(internet_address_mailbox_get_addr(
				INTERNET_ADDRESS_MAILBOX(ia))));
		}
	}
	r->subject = g_strdup(g_mime_message_get_subject(msg));
	r->date = g_date_time_ref(g_mime_message_get_date(msg));
	r->message_id = g_strdup(g_mime_message_get_message_id(msg));
	ready_headers(r, msg);
	r->text = g_mime_text_part_get_text(text);
	r->html = g_mime_text_part_get_text(html);
	r->text_enc = g_mime_part_get_content_encoding(GMIME_PART(text));
	r->html_enc = g_mime_part_get_content_encoding(GMIME_PART(html));
	return r->subject != NULL && r->message_id != NULL && r->text != NULL &&
	       r->html != NULL && r->addrs[0]->len == 1 &&
	       r->addrs[1]->len == 2;
}

/* ready_clear - free what ready_from() filled */
static void
ready_clear(Ready *r)
{
	for (int k = 0; k < 4; k++) {
		if (r->names[k] != NULL)
			g_ptr_array_unref(r->names[k]);
		if (r->addrs[k] != NULL)
			g_ptr_array_unref(r->addrs[k]);
	}
	g_free(r->subject);
	if (r->date != NULL)
		g_date_time_unref(r->date);
	g_free(r->message_id);
	if (r->hnames != NULL)
		g_ptr_array_unref(r->hnames);
	if (r->hvalues != NULL)
		g_ptr_array_unref(r->hvalues);
	g_free(r->text);
	g_free(r->html);
}

/* same_message - the baseline's bytes parse back to the intro it copies */
static gboolean
same_message(const Ready *r, const GByteArray *bytes)
{
	g_autoptr(GMimeMessage) msg = parse_bytes(bytes->data, bytes->len);
	GMimeTextPart *text, *html;
	g_autofree char *t = NULL;
	g_autofree char *h = NULL;

	if (msg == NULL || !alternative(msg, &text, &html))
		return FALSE;
	t = g_mime_text_part_get_text(text);
	h = g_mime_text_part_get_text(html);
	return g_strcmp0(g_mime_message_get_subject(msg), r->subject) == 0 &&
	       g_strcmp0(t, r->text) == 0 && g_strcmp0(h, r->html) == 0 &&
	       internet_address_list_length(g_mime_message_get_addresses(
		   msg, GMIME_ADDRESS_TYPE_TO)) == (int)r->addrs[1]->len;
}

/* bench_check - render once; the intro says what was asked, and the
 * baseline writes the same message; fills b->ready */
static gboolean
bench_check(Bench *b)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = tmpl_render_intro(&b->ctx, &error);
	g_autoptr(GByteArray) copy = NULL;
	const char *why = NULL;

	if (mail == NULL)
		why = error->message;
	else if (!ready_from(&b->ready, mail->message))
		why = "the intro does not parse back as multipart/alternative";
	else if (strcmp(b->ready.addrs[0]->pdata[0],
		     "intros@intro.example.org") != 0 ||
		 strcmp(b->ready.addrs[1]->pdata[0], b->ctx.friend_address) !=
		     0 ||
		 strcmp(b->ready.addrs[1]->pdata[1], "john.doe@acme.com") !=
		     0 ||
		 strstr(b->ready.text, "a real migration") == NULL ||
		 strstr(b->ready.html, "Acme Events") == NULL)
		why = "the intro's From, To, note or quote is not what was "
		      "asked";
	else if ((copy = gmime_write(&b->ready)) == NULL ||
		 !same_message(&b->ready, copy))
		why = "GMime's copy does not parse back to the same message";
	if (why != NULL) {
		fprintf(stderr, "bench_tmpl: %s; no numbers\n", why);
		return FALSE;
	}
	return TRUE;
}

/* cpu_us - CPU time of this (single-threaded) process */
static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* round_us - wall and CPU microseconds per message over n messages */
static gboolean
round_us(Bench *b, BenchFn fn, guint n, double *wall, double *cpu)
{
	gint64 t0 = g_get_monotonic_time();
	double c0 = cpu_us();

	for (guint i = 0; i < n; i++)
		if (!fn(b))
			return FALSE;
	*wall = (double)(g_get_monotonic_time() - t0) / n;
	*cpu = (cpu_us() - c0) / n;
	return TRUE;
}

/* calibrate - messages that last about MIN_ROUND_US */
static gboolean
calibrate(Bench *b, BenchFn fn, guint *n)
{
	double wall, cpu;

	for (*n = 1;; *n *= 2) {
		if (!round_us(b, fn, *n, &wall, &cpu))
			return FALSE;
		if (wall * *n >= MIN_ROUND_US / 4.0 || *n >= MAX_ITER / 4) {
			*n *= 4;
			return TRUE;
		}
	}
}

/* cmp_double - for qsort */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* measure - median wall and CPU µs per message of the chosen sides,
 * interleaved: med[side][0] wall, med[side][1] CPU */
static gboolean
measure(Bench *b, guint rounds, const gboolean *on, double med[2][2])
{
	static const BenchFn fns[2] = { run_tmpl, run_gmime };
	double v[2][2][MAX_ROUNDS];
	guint n[2] = { 0, 0 };

	for (int s = 0; s < 2; s++)
		if (on[s] && !calibrate(b, fns[s], &n[s]))
			return FALSE;
	for (guint r = 0; r < rounds; r++) {
		for (int k = 0; k < 2; k++) {
			int s = (int)((r + (guint)k) % 2);

			if (on[s] && !round_us(b, fns[s], n[s], &v[s][0][r],
					 &v[s][1][r]))
				return FALSE;
		}
		fprintf(stderr, "bench_tmpl: round %u/%u\n", r + 1, rounds);
	}
	for (int s = 0; s < 2; s++)
		for (int x = 0; x < 2; x++) {
			med[s][x] = 0;
			if (!on[s])
				continue;
			qsort(v[s][x], rounds, sizeof(double), cmp_double);
			med[s][x] = v[s][x][rounds / 2];
		}
	return TRUE;
}

/* print_table - the markdown section */
static void
print_table(const Bench *b, guint rounds, const gboolean *on, double med[2][2])
{
	static const char *const label[2] = {
		"tmpl_render_intro() (render, write, parse back, check)",
		"GMime: the same message from ready strings, written",
	};
	const gsize bytes[2] = { b->tmpl_bytes, b->gmime_bytes };

	printf("### Tier 3: micro — templates\n\n"
	       "One introduction for a typical share (an inline forward with "
	       "a %zu-byte note and a %d-byte original, parsed as the milter "
	       "does; text + HTML, multipart/alternative, CRLF) against GMime "
	       "building and writing the same header fields and bodies from "
	       "ready strings; median of %u interleaved rounds of ≥ %d ms "
	       "each.\n\n",
	    strlen(NOTE), ORIGINAL_BYTES, rounds, MIN_ROUND_US / 1000);
	printf("| what | message | msg/s | µs/msg | CPU µs/msg |\n"
	       "|---|---:|---:|---:|---:|\n");
	for (int s = 0; s < 2; s++)
		if (on[s])
			printf("| %s | %.1f KB | %.0f | %.1f | %.1f |\n",
			    label[s], bytes[s] / 1024.0, 1e6 / med[s][0],
			    med[s][0], med[s][1]);
	if (on[0] && on[1])
		printf("\n- tmpl / gmime: **%.2f** in wall time, %.2f in CPU "
		       "time (per message; what cleaning, the words, the check "
		       "and the parse back cost over writing the message)\n",
		    med[0][0] / med[1][0], med[0][1] / med[1][1]);
}

int
main(int argc, char **argv)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(20211027);
	guint rounds = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 7;
	gboolean on[2] = { argc <= 2 || strcmp(argv[2], "tmpl") == 0,
		argc <= 2 || strcmp(argv[2], "gmime") == 0 };
	Bench b = { 0 };
	double med[2][2];
	int rc = 1;

	rounds = CLAMP(rounds, 1, MAX_ROUNDS);
	g_mime_init();
	if (bench_setup(&b, rand) && bench_check(&b) &&
	    measure(&b, rounds, on, med)) {
		print_table(&b, rounds, on, med);
		rc = 0;
	}
	ready_clear(&b.ready);
	forward_free(b.fwd);
	config_free(b.cfg);
	g_mime_shutdown();
	return rc;
}
