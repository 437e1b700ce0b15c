/*
 * fuzz_parser.c - libFuzzer harness: any bytes through parser_parse()
 *	and forward_to_json(), and through the HTML and date readers
 *
 * Built and run by tests/fuzz/run.sh (clang, -fsanitize=fuzzer,
 * address,undefined). Besides crashes, leaks and undefined behaviour it
 * checks what parser.h promises for every input: an error or a
 * Forward, never both or neither; a forwarded Forward has an original;
 * every string is valid UTF-8 and names and addresses hold no CR or LF;
 * the JSON is valid UTF-8. The readers in parser_int.h get the same
 * bytes: parser_html_to_text() must give valid UTF-8 and increasing
 * line numbers, parser_date_to_rfc3339() NULL or RFC 3339. The reply
 * reader (parser/reply.h) gets the message (reply_decide()) and the
 * bytes as text and as HTML (reply_decide_text()): a verdict whose
 * strings are valid UTF-8 within their bounds, a reason only with a
 * yes or a no, a first line on one line.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "parser/parser.h"
#include "parser/parser_int.h"
#include "parser/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_text - a string from the parser is NULL or clean UTF-8 */
static void
check_text(const char *s, gboolean one_line)
{
	if (s == NULL)
		return;
	g_assert_true(g_utf8_validate(s, -1, NULL));
	if (one_line)
		g_assert_null(strpbrk(s, "\r\n"));
}

/* check_addresses - names and addresses of one list */
static void
check_addresses(const GPtrArray *list)
{
	g_assert_nonnull(list);
	for (guint i = 0; i < list->len; i++) {
		const FwdAddress *a = g_ptr_array_index(list, i);

		check_text(a->name, TRUE);
		check_text(a->address, TRUE);
	}
}

/* check_message - one forwarded layer */
static void
check_message(const FwdMessage *m)
{
	g_assert_nonnull(m);
	if (m->from != NULL) {
		check_text(m->from->name, TRUE);
		check_text(m->from->address, TRUE);
	}
	check_addresses(m->to);
	check_addresses(m->cc);
	check_addresses(m->reply_to);
	check_text(m->subject, FALSE);
	check_text(m->date, TRUE);
	check_text(m->date_raw, FALSE);
	check_text(m->message_id, TRUE);
	check_text(m->body, FALSE);
}

/* check_readers - the HTML and date readers on the raw bytes */
static void
check_readers(const uint8_t *data, size_t size)
{
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autofree char *text =
	    parser_html_to_text((const char *)data, size, starts);
	g_autofree char *line = NULL;
	g_autofree char *date = NULL;

	g_assert_nonnull(text);
	g_assert_true(g_utf8_validate(text, -1, NULL));
	for (guint i = 1; i < starts->len; i++)
		g_assert_cmpuint(g_array_index(starts, guint, i), >,
		    g_array_index(starts, guint, i - 1));
	if (size > 600)
		return;
	line = g_strndup((const char *)data, size);
	date = parser_date_to_rfc3339(line, 120, size % 2 == 0);
	if (date != NULL)
		g_assert_cmpuint(
		    strlen(date), ==, strlen("2021-10-27T09:31:00+02:00"));
}

/* check_verdict - what reply.h promises of a verdict */
static void
check_verdict(const ReplyVerdict *v)
{
	g_assert_nonnull(v);
	g_assert_true(v->decision == REPLY_UNCLEAR ||
		      v->decision == REPLY_YES || v->decision == REPLY_NO);
	check_text(v->reason, FALSE);
	check_text(v->first_line, TRUE);
	g_assert_true(v->reason == NULL || v->decision != REPLY_UNCLEAR);
	if (v->reason != NULL)
		g_assert_cmpuint(strlen(v->reason), <=, REPLY_MAX_REASON);
	if (v->first_line != NULL)
		g_assert_cmpuint(
		    strlen(v->first_line), <=, REPLY_MAX_FIRST_LINE);
}

/* check_reply - the reply reader on the message and on the bytes */
static void
check_reply(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;

	for (int html = 0; html < 2; html++) {
		g_autoptr(ReplyVerdict) v = reply_decide_text(text, html);

		check_verdict(v);
	}
	stream = g_mime_stream_mem_new_with_buffer((const char *)data, size);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg != NULL) {
		g_autoptr(GError) error = NULL;
		g_autoptr(ReplyVerdict) v = reply_decide(msg, &error);

		g_assert_true((v == NULL) != (error == NULL));
		if (v != NULL)
			check_verdict(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gboolean ready;
	g_autoptr(GError) error = NULL;
	g_autoptr(Forward) fwd = NULL;
	g_autofree char *json = NULL;

	if (!ready) {
		g_mime_init();
		ready = TRUE;
	}
	fwd = parser_parse((const char *)data, size, &error);
	g_assert_true((fwd == NULL) != (error == NULL));
	if (fwd != NULL) {
		g_assert_true(!fwd->forwarded || fwd->original != NULL);
		check_text(fwd->note, FALSE);
		if (fwd->original != NULL)
			check_message(fwd->original);
		g_assert_nonnull(fwd->chain);
		for (guint i = 0; i < fwd->chain->len; i++)
			check_message(g_ptr_array_index(fwd->chain, i));
		json = forward_to_json(fwd);
		g_assert_nonnull(json);
		g_assert_true(g_utf8_validate(json, -1, NULL));
	}
	check_readers(data, size);
	check_reply(data, size);
	return 0;
}
