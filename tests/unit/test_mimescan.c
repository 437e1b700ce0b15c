/*
 * test_mimescan.c - the MIME structure scanner: counts, limits, chunk
 * edges, and never fewer parts than GMime itself builds
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/mimescan.h"

#define HEAD "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n"

/* A multipart/mixed (boundary "b") holding text and a multipart/
 * alternative (boundary "bb", a prefix trap) of two parts: 4 parts,
 * depth 2; with preamble, epilogue and lines that only look like
 * boundaries. */
static const char nested[] =
    HEAD "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
	 "\r\n"
	 "preamble\r\n"
	 "--bx not a boundary\r\n"
	 "--b\r\n"
	 "Content-Type: text/plain\r\n"
	 "\r\n"
	 "hello\r\n"
	 "--b-\r\n"
	 "--b \t\r\n"
	 "Content-Type: multipart/alternative;\r\n"
	 "\tboundary=bb\r\n"
	 "\r\n"
	 "--bb\r\n"
	 "\r\n"
	 "one\r\n"
	 "--bb\r\n"
	 "Content-Type: text/html\r\n"
	 "\r\n"
	 "<p>two</p>\r\n"
	 "--bb--\r\n"
	 "--b--\r\n"
	 "epilogue\r\n"
	 "--b-- \r\n";

/* gmime_parts - parts GMime builds, counted as mimescan counts them:
 * children of multiparts, and the body of each message part */
static guint
gmime_parts(GMimeObject *obj)
{
	guint n = 0;

	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			n += 1 + gmime_parts(g_mime_multipart_get_part(mp, i));
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m != NULL && g_mime_message_get_mime_part(m) != NULL)
			n += 1 + gmime_parts(g_mime_message_get_mime_part(m));
	}
	return n;
}

/* gmime_count - parts of a message as GMime reads it */
static guint
gmime_count(const char *data, gsize len)
{
	g_autoptr(GMimeStream) s = g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) p = g_mime_parser_new_with_stream(s);
	g_autoptr(GMimeMessage) m = g_mime_parser_construct_message(p, NULL);

	g_assert_nonnull(m);
	return gmime_parts(g_mime_message_get_mime_part(m));
}

/* scan_chunks - scan data cut at the given offsets; the stats */
static gboolean
scan_chunks(const char *data, gsize len, const gsize *cuts, guint ncuts,
    const MimeScanLimits *lim, MimeScanStats *st, GError **error)
{
	g_autoptr(MimeScan) ms = mimescan_new(lim);
	gsize at = 0;
	gboolean ok = TRUE;

	for (guint i = 0; i <= ncuts && ok; i++) {
		gsize to = i < ncuts ? cuts[i] : len;

		ok = mimescan_feed(ms, data + at, to - at, error);
		at = to;
	}
	ok = ok && mimescan_finish(ms, error);
	mimescan_stats(ms, st);
	return ok;
}

/* scan - scan data in one chunk */
static gboolean
scan(const char *data, const MimeScanLimits *lim, MimeScanStats *st,
    GError **error)
{
	return scan_chunks(data, strlen(data), NULL, 0, lim, st, error);
}

/* to_lf - the message with LF line ends (transfer full) */
static char *
to_lf(const char *crlf)
{
	GString *s = g_string_new(NULL);

	for (const char *p = crlf; *p; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			g_string_append_c(s, *p);
	return g_string_free(s, FALSE);
}

static void
test_nested(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *lf = to_lf(nested);
	MimeScanStats st;

	g_assert_true(scan(nested, NULL, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.parts, ==, 4);
	g_assert_cmpuint(st.depth, ==, 2);
	g_assert_cmpuint(gmime_count(nested, strlen(nested)), ==, 4);
	g_assert_true(scan(lf, NULL, &st, &error));
	g_assert_cmpuint(st.parts, ==, 4);
	g_assert_cmpuint(st.depth, ==, 2);
}

/* every cut of the message in two, then in 1-byte chunks: the same
 * count, and a limit one below it still caught */
static void
test_chunk_edges(void)
{
	g_autofree char *lf = to_lf(nested);
	const char *msgs[] = { nested, lf };
	MimeScanLimits tight = { .parts = 3, .depth = 20 };

	for (size_t m = 0; m < G_N_ELEMENTS(msgs); m++) {
		gsize len = strlen(msgs[m]);
		g_autofree gsize *every = g_new(gsize, len);

		for (gsize cut = 0; cut <= len; cut++) {
			g_autoptr(GError) error = NULL;
			MimeScanStats st;

			g_assert_true(scan_chunks(
			    msgs[m], len, &cut, 1, NULL, &st, &error));
			g_assert_cmpuint(st.parts, ==, 4);
			g_assert_cmpuint(st.depth, ==, 2);
			g_assert_false(scan_chunks(
			    msgs[m], len, &cut, 1, &tight, &st, &error));
			g_assert_error(
			    error, MIMESCAN_ERROR, MIMESCAN_ERROR_PARTS);
		}
		for (gsize i = 0; i < len; i++)
			every[i] = i;
		{
			g_autoptr(GError) error = NULL;
			MimeScanStats st;

			g_assert_true(scan_chunks(msgs[m], len, every,
			    (guint)len, NULL, &st, &error));
			g_assert_cmpuint(st.parts, ==, 4);
		}
	}
}

static void
test_depth(void)
{
	g_autoptr(GError) error = NULL;
	MimeScanLimits one = { .parts = 1000, .depth = 1 };
	g_autoptr(GString) deep = g_string_new(
	    HEAD "Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
	MimeScanStats st;

	g_assert_false(scan(nested, &one, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_DEPTH);
	g_assert_cmpstr(
	    error->message, ==, "MIME parts nested more than 1 deep");
	g_clear_error(&error);
	for (int i = 0; i < 100000; i++)
		g_string_append_printf(deep,
		    "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n"
		    "\r\n",
		    i, i + 1);
	g_assert_false(scan(deep->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_DEPTH);
	g_assert_cmpuint(st.depth, ==, MIMESCAN_DEFAULT_DEPTH);
}

/* message/rfc822 inside message/rfc822: depth and message depth; one
 * sent base64 is not opened (GMime does not open it either) */
static void
test_messages(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) m = g_string_new(HEAD);
	MimeScanLimits wide = { .parts = 1000, .depth = 1000 };
	MimeScanStats st;
	const char *b64 =
	    HEAD "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		 "--b\r\nContent-Type: message/rfc822\r\n"
		 "Content-Transfer-Encoding: base64\r\n\r\n";
	g_autoptr(GString) enc = g_string_new(b64);

	for (int i = 0; i < 40; i++)
		g_string_append(m, "Content-Type: message/rfc822\r\n\r\n");
	g_string_append(m, "hi\r\n");
	g_assert_false(scan(m->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_DEPTH);
	g_clear_error(&error);
	g_assert_false(scan(m->str, &wide, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_DEPTH);
	g_assert_cmpuint(st.messages, ==, MIMESCAN_MAX_MESSAGES);
	g_clear_error(&error);
	for (int i = 0; i < 2000; i++) /* no empty line: not headers */
		g_string_append(
		    enc, "Q29udGVudC1UeXBlOiB0ZXh0L3BsYWluDQoNCg==\r\n");
	g_string_append(enc, "--b--\r\n");
	g_assert_true(scan(enc->str, NULL, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.parts, ==, 1);
	g_assert_cmpuint(gmime_count(enc->str, enc->len), ==, 1);
}

/* a digest's parts are messages by default: their headers are read */
static void
test_digest(void)
{
	g_autoptr(GError) error = NULL;
	MimeScanStats st;
	const char *d =
	    HEAD "Content-Type: multipart/digest; boundary=d\r\n\r\n"
		 "--d\r\n"
		 "\r\n"
		 "Subject: inner\r\n"
		 "Content-Type: multipart/mixed; boundary=i\r\n"
		 "\r\n"
		 "--i\r\n\r\nx\r\n--i\r\n\r\ny\r\n--i--\r\n"
		 "--d--\r\n";

	g_assert_true(scan(d, NULL, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(gmime_count(d, strlen(d)), ==, 4);
	g_assert_cmpuint(st.parts, >=, 4);
	g_assert_cmpuint(st.depth, ==, 3);
}

/* boundaries as GMime reads them: RFC 2231 pieces, quoted, empty */
static void
test_boundary_forms(void)
{
	const char *msgs[] = {
		HEAD "Content-Type: multipart/mixed; boundary*0=\"ab\";\r\n"
		     " boundary*1=\"cd\"\r\n\r\n"
		     "--abcd\r\n\r\n1\r\n--abcd\r\n\r\n2\r\n--abcd\r\n\r\n3\r\n"
		     "--abcd--\r\n",
		HEAD "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n"
		     "--\r\n\r\n1\r\n--\r\n\r\n2\r\n--\r\n\r\n3\r\n----\r\n",
		HEAD
		"Content-Type: multipart/mixed; boundary=\"a b \"\r\n\r\n"
		"--a b \r\n\r\n1\r\n--a b\r\n\r\n2\r\n--a b \t\r\n\r\n3\r\n"
		"--a b --\r\n",
		HEAD "Content-Type: text/plain\r\n"
		     "Content-Type: multipart/mixed; boundary=z\r\n\r\n"
		     "--z\r\n\r\n1\r\n--z\r\n\r\n2\r\n--z\r\n\r\n3\r\n",
		HEAD "Content-Type: multipart/mixed; boundary=z\r\n\r\n"
		     "--z\r\n--z\r\n--z\r\nX: 1\r\n--z--\r\n",
		/* GMime drops CR and LF from the value (the fuzzer's find) */
		HEAD "Content-Type: multipart/mixed; boundary=\"a\r\r\rb\"\n\n"
		     "--ab\n\n1\n--ab\n\n2\n--ab\n\n3\n--ab--\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
		g_autoptr(GError) error = NULL;
		MimeScanStats st;
		guint want = gmime_count(msgs[i], strlen(msgs[i]));

		g_test_message("message %zu: GMime builds %u parts", i, want);
		g_assert_cmpuint(want, >=, 1);
		g_assert_true(scan(msgs[i], NULL, &st, &error));
		g_assert_cmpuint(st.parts, >=, want);
	}
}

/* a million empty parts: refused at the limit, not counted further */
static void
test_many_parts(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MimeScan) ms = mimescan_new(NULL);
	const char *head =
	    HEAD "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
	g_autoptr(GString) chunk = g_string_new(NULL);
	MimeScanStats st;
	gboolean ok = mimescan_feed(ms, head, strlen(head), &error);

	for (int i = 0; i < 9000; i++)
		g_string_append(chunk, "--b\r\n\r\n");
	for (int i = 0; i < 111 && ok; i++)
		ok = mimescan_feed(ms, chunk->str, chunk->len, &error);
	g_assert_false(ok);
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_PARTS);
	g_assert_cmpstr(error->message, ==, "more than 1000 MIME parts");
	mimescan_stats(ms, &st);
	g_assert_cmpuint(st.parts, ==, 1001);
	g_clear_error(&error);
	/* failed for good */
	g_assert_false(mimescan_feed(ms, "x\r\n", 3, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_PARTS);
	g_clear_error(&error);
	g_assert_false(mimescan_finish(ms, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_PARTS);
}

/* header lines: per part, in all, per field, in bytes */
static void
test_header_limits(void)
{
	g_autoptr(GError) error = NULL;
	const char *part =
	    HEAD "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
	g_autoptr(GString) fields = g_string_new(part);
	g_autoptr(GString) all = g_string_new(part);
	g_autoptr(GString) longf = g_string_new(part);
	g_autoptr(GString) folded = g_string_new(part);
	g_autoptr(GString) bytes = g_string_new(part);
	MimeScanStats st;

	for (int i = 0; i < 1000000; i++)
		g_string_append(fields, "a:\r\n");
	g_assert_false(scan(fields->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_FIELDS);
	g_clear_error(&error);
	for (int i = 0; i < 12; i++) {
		for (int j = 0; j < 999; j++)
			g_string_append(all, "a:\r\n");
		g_string_append(all, "\r\n--b\r\n");
	}
	g_assert_false(scan(all->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_FIELDS);
	g_assert_cmpstr(
	    error->message, ==, "more than 10000 header lines in all");
	g_clear_error(&error);
	g_string_append(longf, "X-Long: ");
	for (int i = 0; i < 200000; i++)
		g_string_append_c(longf, 'a');
	g_assert_false(scan(longf->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_HEADER_SIZE);
	g_clear_error(&error);
	g_string_append(folded, "To: a@b.cd");
	for (int i = 0; i < 20000; i++)
		g_string_append(folded, ",\r\n a@b.cd");
	g_string_append(folded, "\r\n\r\nx\r\n--b--\r\n");
	g_assert_false(scan(folded->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_HEADER_SIZE);
	g_clear_error(&error);
	for (int i = 0; i < 9; i++) {
		g_string_append(bytes, "To: a@b.cd");
		for (int j = 0; j < 6000; j++)
			g_string_append(bytes, ",\r\n a@b.cd");
		g_string_append(bytes, "\r\n\r\n--b\r\n");
	}
	g_assert_false(scan(bytes->str, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_HEADER_SIZE);
	g_assert_cmpstr(error->message, ==,
	    "more than 524288 bytes of header lines in all");
}

/* bodies are not headers: long lines, many lines, boundary look-alikes */
static void
test_bodies(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) m = g_string_new(
	    HEAD "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
	MimeScanStats st;

	for (int i = 0; i < 3000; i++) /* preamble: no empty line */
		g_string_append(m, "text: like a header\r\n");
	g_string_append(m, "--b\r\n\r\n");
	for (int i = 0; i < 2000000; i++) /* one long line */
		g_string_append_c(m, 'x');
	g_string_append(m, "\r\n--b");
	for (int i = 0; i < 100000; i++) /* a boundary, long blank tail */
		g_string_append_c(m, ' ');
	g_string_append(m, "\r\n\r\n--b");
	for (int i = 0; i < 100000; i++) /* not a boundary: x at the end */
		g_string_append_c(m, ' ');
	g_string_append(m, "x\r\n--b--\r\n");
	for (int i = 0; i < 3000; i++) /* epilogue: no empty line */
		g_string_append(m, "text: like a header\r\n");
	g_assert_true(scan(m->str, NULL, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.parts, ==, 2);
	g_assert_cmpuint(gmime_count(m->str, m->len), ==, 2);
	g_assert_cmpuint(st.fields, ==, 4);
}

static void
test_long_boundary(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *b = g_strnfill(MIMESCAN_MAX_BOUNDARY + 1, 'q');
	g_autofree char *m = g_strdup_printf(
	    HEAD "Content-Type: multipart/mixed; boundary=%s\r\n\r\n", b);
	g_autofree char *ok = g_strdup_printf(HEAD
	    "Content-Type: multipart/mixed; boundary=%.*s\r\n\r\n"
	    "--%.*s\r\n\r\nx\r\n--%.*s--\r\n",
	    MIMESCAN_MAX_BOUNDARY, b, MIMESCAN_MAX_BOUNDARY, b,
	    MIMESCAN_MAX_BOUNDARY, b);
	MimeScanStats st;

	g_assert_false(scan(m, NULL, &st, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_BOUNDARY);
	g_clear_error(&error);
	g_assert_true(scan(ok, NULL, &st, &error));
	g_assert_cmpuint(st.parts, ==, 1);
}

/* gmime_depth - multiparts and messages one inside the other */
static guint
gmime_depth(GMimeObject *obj)
{
	guint d = 0;

	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			d = MAX(
			    d, gmime_depth(g_mime_multipart_get_part(mp, i)));
		return d + 1;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m != NULL && g_mime_message_get_mime_part(m) != NULL)
			d = gmime_depth(g_mime_message_get_mime_part(m));
		return d + 1;
	}
	return 0;
}

/* random messages from lines that trip MIME parsers: the scanner never
 * counts fewer parts or less depth than GMime builds */
static void
test_random_vs_gmime(void)
{
	static const char *const lines[] = { "--a", "--a--", "--ab", "--ab--",
		"--b", "--b--", "--a ", "--a--\t", "--", "----", "",
		"Content-Type: multipart/mixed; boundary=a",
		"Content-Type: multipart/alternative; boundary=\"ab\"",
		"content-type : multipart/digest; boundary=b",
		"Content-Type: message/rfc822", "Content-Type: message/global",
		"Content-Type: multipart/mixed; boundary*0=a; boundary*1=b",
		"Content-Type: multipart/mixed;", "\tboundary=\"b\"",
		"Content-Type: text/plain", "Content-Transfer-Encoding: base64",
		"Content-Type: multipart/mixed; boundary=\"\"", "X: y",
		"Content-Type: multipart/mixed; boundary=\"a\rb\"", "--a\rb",
		" folded", "text", "a: b: c" };
	MimeScanLimits wide = { .parts = 100000, .depth = 1000 };
	GRand *r = g_rand_new_with_seed(8);

	for (int n = 0; n < 3000; n++) {
		g_autoptr(GString) m = g_string_new(HEAD);
		g_autoptr(GError) error = NULL;
		g_autoptr(GMimeStream) s = NULL;
		g_autoptr(GMimeParser) p = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		const char *eol = n % 2 ? "\n" : "\r\n";
		int count = g_rand_int_range(r, 1, 120);
		MimeScanStats st;

		for (int i = 0; i < count; i++)
			g_string_append_printf(m, "%s%s",
			    lines[g_rand_int_range(r, 0, G_N_ELEMENTS(lines))],
			    eol);
		if (!scan(m->str, &wide, &st, &error))
			continue; /* message depth past its constant */
		s = g_mime_stream_mem_new_with_buffer(m->str, m->len);
		p = g_mime_parser_new_with_stream(s);
		msg = g_mime_parser_construct_message(p, NULL);
		if (msg == NULL)
			continue;
		if (st.parts < gmime_parts(g_mime_message_get_mime_part(msg)) ||
		    st.depth < gmime_depth(g_mime_message_get_mime_part(msg)))
			g_test_message("undercounted:\n%s", m->str);
		g_assert_cmpuint(st.parts, >=,
		    gmime_parts(g_mime_message_get_mime_part(msg)));
		g_assert_cmpuint(st.depth, >=,
		    gmime_depth(g_mime_message_get_mime_part(msg)));
	}
	g_rand_free(r);
}

/* a part limit of 0 takes single-part mail only */
static void
test_check(void)
{
	g_autoptr(GError) error = NULL;
	MimeScanLimits none = { 0, 0 };
	const char *plain = HEAD "Content-Type: text/plain\r\n\r\nhello\r\n";

	g_assert_true(mimescan_check(plain, strlen(plain), &none, &error));
	g_assert_false(mimescan_check(nested, strlen(nested), &none, &error));
	g_assert_error(error, MIMESCAN_ERROR, MIMESCAN_ERROR_DEPTH);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/mimescan/feed/nested", test_nested);
	g_test_add_func("/mimescan/feed/chunk-edges", test_chunk_edges);
	g_test_add_func("/mimescan/feed/depth", test_depth);
	g_test_add_func("/mimescan/feed/messages", test_messages);
	g_test_add_func("/mimescan/feed/digest", test_digest);
	g_test_add_func("/mimescan/feed/boundary-forms", test_boundary_forms);
	g_test_add_func("/mimescan/feed/many-parts", test_many_parts);
	g_test_add_func("/mimescan/feed/header-limits", test_header_limits);
	g_test_add_func("/mimescan/feed/bodies", test_bodies);
	g_test_add_func("/mimescan/feed/long-boundary", test_long_boundary);
	g_test_add_func("/mimescan/check/limits", test_check);
	g_test_add_func("/mimescan/feed/random-vs-gmime", test_random_vs_gmime);
	return g_test_run();
}
