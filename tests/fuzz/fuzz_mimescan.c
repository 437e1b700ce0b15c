/*
 * fuzz_mimescan.c - libFuzzer harness: any bytes through the MIME
 *	structure scanner, checked against GMime
 *
 * Built and run by tests/fuzz/run.sh with FUZZ_TARGET=mimescan (clang,
 * -fsanitize=fuzzer,address,undefined). Besides crashes, leaks and
 * undefined behaviour it checks what mimescan.h promises: the counts do
 * not depend on where the input is cut into chunks (the first byte picks
 * the chunk size), and a message the scanner lets through never makes
 * GMime build more parts, or nest them deeper, than the scanner counted:
 * the milter's bound on GMime's work holds for every input.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/mimescan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* gmime_parts - children of multiparts and bodies of message parts */
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

/* scan - the input in chunks of step bytes; the stats, or FALSE */
static gboolean
scan(const char *s, size_t n, size_t step, MimeScanStats *st)
{
	MimeScanLimits wide = { .parts = 10000, .depth = 50 };
	MimeScan *ms = mimescan_new(&wide);
	gboolean ok = TRUE;

	for (size_t at = 0; at < n && ok; at += step)
		ok = mimescan_feed(ms, s + at, MIN(step, n - at), NULL);
	ok = ok && mimescan_finish(ms, NULL);
	mimescan_stats(ms, st);
	mimescan_free(ms);
	return ok;
}

/* LLVMFuzzerTestOneInput - scan, compare cuts, compare with GMime */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gboolean ready;
	const char *s = (const char *)data + 1;
	size_t n = size > 0 ? size - 1 : 0;
	MimeScanStats whole, cut;
	gboolean ok;

	if (!ready) {
		g_mime_init();
		ready = TRUE;
	}
	if (size == 0)
		return 0;
	ok = scan(s, n, n > 0 ? n : 1, &whole);
	g_assert_true(scan(s, n, 1 + data[0] % 64, &cut) == ok);
	if (!ok)
		return 0; /* refused: GMime never sees it */
	g_assert_cmpuint(cut.parts, ==, whole.parts);
	g_assert_cmpuint(cut.depth, ==, whole.depth);
	g_assert_cmpuint(cut.fields, ==, whole.fields);
	{
		g_autoptr(GMimeStream) st =
		    g_mime_stream_mem_new_with_buffer(s, n);
		g_autoptr(GMimeParser) p = g_mime_parser_new_with_stream(st);
		g_autoptr(GMimeMessage) m =
		    g_mime_parser_construct_message(p, NULL);
		GMimeObject *root =
		    m != NULL ? g_mime_message_get_mime_part(m) : NULL;

		if (root != NULL) {
			g_assert_cmpuint(gmime_parts(root), <=, whole.parts);
			g_assert_cmpuint(gmime_depth(root), <=, whole.depth);
		}
	}
	return 0;
}
