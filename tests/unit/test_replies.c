/*
 * test_replies.c - reply_decide() over tests/fixtures/replies/, and
 *	reply_decide_text() case by case
 *
 * Each NAME.eml in the fixture directory becomes one GTest case,
 * /reply/fixture/NAME: the message parsed by GMime, reply_decide(), and
 * the verdict compared with NAME.json, {"decision": "yes|no|unclear",
 * "reason": string or null}; both keys must be there. The directory is
 * $top_srcdir/tests/fixtures/replies, else FIXTURE_DIR given at compile
 * time; finding no fixture at all is a failure. The rules the cases
 * show are in tests/fixtures/replies/README.md.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "common/gmime-autoptr.h"
#include "parser/parser_reply_int.h"
#include "parser/reply.h"

#define MIN_FIXTURES 40

typedef struct {
	const char *text;
	ReplyDecision decision;
	const char *reason; /* NULL: none expected */
} Case;

/* check_text - one text case */
static void
check_text(const Case *c, gboolean html)
{
	g_autoptr(ReplyVerdict) v = reply_decide_text(c->text, html);

	g_assert_nonnull(v);
	if (v->decision != c->decision || g_strcmp0(v->reason, c->reason) != 0)
		g_test_message("text: %s\n  decision %s, reason %s", c->text,
		    reply_decision_name(v->decision),
		    v->reason != NULL ? v->reason : "(null)");
	g_assert_cmpstr(reply_decision_name(v->decision), ==,
	    reply_decision_name(c->decision));
	g_assert_cmpstr(v->reason, ==, c->reason);
}

/* test_words - the leading word(s) decide, in every language */
static void
test_words(void)
{
	static const Case cases[] = {
		/* the ways people say no without "no" */
		{ "I'm going to pass on this one", REPLY_NO, NULL },
		{ "I'll have to pass", REPLY_NO, NULL },
		{ "Sorry, can't make it", REPLY_NO, NULL },
		{ "Pass it along, yes", REPLY_UNCLEAR, NULL },
		{ "Can't wait!", REPLY_YES, NULL },
		{ "I can't wait to meet Dana", REPLY_YES, "to meet Dana" },
		{ "Yes, I can't wait!", REPLY_YES, NULL },
		{ "I'm afraid not", REPLY_NO, NULL },
		{ "Decline", REPLY_NO, NULL },
		{ "I have to decline.", REPLY_NO, NULL },
		{ "Ich kann leider nicht", REPLY_NO, NULL },
		{ "Keine Zeit, sorry", REPLY_NO, "sorry" },
		{ "Je passe mon tour", REPLY_NO, NULL },
		{ "No puedo, lo siento", REPLY_NO, "lo siento" },
		{ "Non posso, mi dispiace", REPLY_NO, "mi dispiace" },
		{ "Não posso", REPLY_NO, NULL },
		{ "Ik kan helaas niet", REPLY_NO, NULL },
		{ "Jag kan inte", REPLY_NO, NULL },
		{ "Nie mogę", REPLY_NO, NULL },
		{ "今回は難しいです", REPLY_NO, NULL },
		{ "できません", REPLY_NO, NULL },
		{ "没空", REPLY_NO, NULL },
		{ "어렵습니다", REPLY_NO, NULL },
		{ "yes", REPLY_YES, NULL },
		{ "Yes, happy to", REPLY_YES, NULL },
		{ "sure", REPLY_YES, NULL },
		{ "Absolutely!", REPLY_YES, NULL },
		{ "ok", REPLY_YES, NULL },
		{ "OK 👍", REPLY_YES, NULL },
		{ "👍", REPLY_YES, NULL },
		{ "No problem!", REPLY_YES, NULL },
		{ "no worries", REPLY_YES, NULL },
		{ "Why not?", REPLY_YES, NULL },
		{ "Not a problem.", REPLY_YES, NULL },
		{ "Oui avec plaisir", REPLY_YES, NULL },
		{ "oui", REPLY_YES, NULL },
		{ "OUI !", REPLY_YES, NULL },
		{ "Ja gerne", REPLY_YES, NULL },
		{ "Nein danke", REPLY_NO, NULL },
		{ "sí", REPLY_YES, NULL },
		{ "Si, claro", REPLY_YES, NULL },
		{ "claro", REPLY_YES, NULL },
		{ "sim", REPLY_YES, NULL },
		{ "não", REPLY_NO, NULL },
		{ "Nao, obrigado", REPLY_NO, NULL },
		{ "sì", REPLY_YES, NULL },
		{ "no grazie", REPLY_NO, NULL },
		{ "nee", REPLY_NO, NULL },
		{ "ja", REPLY_YES, NULL },
		{ "nej", REPLY_NO, NULL },
		{ "tak", REPLY_YES, NULL },
		{ "nie", REPLY_NO, NULL },
		{ "да", REPLY_YES, NULL },
		{ "Нет", REPLY_NO, NULL },
		{ "はい", REPLY_YES, NULL },
		{ "いいえ", REPLY_NO, NULL },
		{ "是的", REPLY_YES, NULL },
		{ "好的", REPLY_YES, NULL },
		{ "不用了", REPLY_NO, NULL },
		{ "不", REPLY_NO, NULL },
		{ "네", REPLY_YES, NULL },
		{ "아니요", REPLY_NO, NULL },
		{ "ＹＥＳ", REPLY_YES, NULL },
		{ "Ｎｏ。", REPLY_NO, NULL },
		{ "¡Sí!", REPLY_YES, NULL },
		{ "« Oui », bien sûr", REPLY_YES, NULL },
		{ "*Yes*", REPLY_YES, NULL },
		{ "yes!!! 🎉🎉", REPLY_YES, NULL },
		{ "是的我很乐意", REPLY_YES, NULL },
		{ "はい喜んで", REPLY_YES, NULL },
		{ "不用了，谢谢", REPLY_NO, NULL },
		{ "Thanks, but no thanks.", REPLY_NO, NULL },
		{ "Thanks for thinking of me! Yes.", REPLY_YES, NULL },
		{ "Leider nicht.", REPLY_NO, NULL },
		{ "Unfortunately not.", REPLY_NO, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		check_text(&cases[i], FALSE);
}

/* test_leading - never a word further on; and what is neither */
static void
test_leading(void)
{
	static const Case cases[] = {
		{ "I think yes", REPLY_UNCLEAR, NULL },
		{ "Let me think about it, no rush", REPLY_UNCLEAR, NULL },
		{ "Yesterday was busy", REPLY_UNCLEAR, NULL },
		{ "Nobody told me", REPLY_UNCLEAR, NULL },
		{ "Now is not a good time", REPLY_UNCLEAR, NULL },
		{ "Notre équipe", REPLY_UNCLEAR, NULL },
		{ "Yes or no?", REPLY_UNCLEAR, NULL },
		{ "yes/no", REPLY_UNCLEAR, NULL },
		{ "Yes but not now", REPLY_UNCLEAR, NULL },
		{ "Yes, no, maybe", REPLY_UNCLEAR, NULL },
		{ "Oui ou non ?", REPLY_UNCLEAR, NULL },
		{ "Ja oder nein", REPLY_UNCLEAR, NULL },
		{ "Reply yes or no on the first line", REPLY_UNCLEAR, NULL },
		{ "Maybe", REPLY_UNCLEAR, NULL },
		{ "", REPLY_UNCLEAR, NULL },
		{ "\n\n   \n", REPLY_UNCLEAR, NULL },
		{ "🎉", REPLY_UNCLEAR, NULL },
		{ "不错", REPLY_UNCLEAR, NULL },
		{ "예를 들어", REPLY_UNCLEAR, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		check_text(&cases[i], FALSE);
}

/* test_reason - the words after the answer, up to quote or signature */
static void
test_reason(void)
{
	static const Case cases[] = {
		{ "No thanks, I'm fully booked until June.", REPLY_NO,
		    "I'm fully booked until June." },
		{ "Yes! Quick question: is it paid?", REPLY_YES,
		    "Quick question: is it paid?" },
		{ "Yes! But not before May.", REPLY_YES,
		    "But not before May." },
		{ "No.\n\nToo much on my plate.\nMaybe next year?\n\nBest,\n"
		  "Jane",
		    REPLY_NO, "Too much on my plate.\nMaybe next year?" },
		{ "No, sorry\nJane Doe", REPLY_NO, "sorry" },
		{ "Nein danke\n\nAnna\n-- \nAnna Beispiel\nExample GmbH",
		    REPLY_NO, NULL },
		{ "No - too busy\n\n> Would you like an intro?\n> Reply yes",
		    REPLY_NO, "too busy" },
		{ "Hi Chris,\n\nUnfortunately I'm away in March.\n\nSent from "
		  "my iPhone",
		    REPLY_NO, "I'm away in March." },
		{ "Hi Chris, yes happy to", REPLY_YES, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		check_text(&cases[i], FALSE);
}

/* test_lines - what comes before the deciding line */
static void
test_lines(void)
{
	static const Case cases[] = {
		{ "Hi Chris,\n\nYes, happy to.", REPLY_YES, NULL },
		{ "Chris,\nNo.", REPLY_NO, NULL },
		{ "Chrisさん\n\nはい、喜んで。", REPLY_YES, NULL },
		{ "Chris，你好！\n好的，没问题。", REPLY_YES, NULL },
		{ "Thanks!\nSure.", REPLY_YES, NULL },
		{ "> Reply yes or no\n\nNo", REPLY_NO, NULL },
		{ "On Mon, 3 Mar 2025 at 10:02, Chris <c@example.org> wrote:\n"
		  "> Would you? Reply yes or no.\n\nsure",
		    REPLY_YES, NULL },
		{ "-----Original Message-----\nFrom: Chris <c@example.org>\n"
		  "Sent: Monday, March 3, 2025 10:02 AM\nTo: Jane "
		  "<j@example.net>\nSubject: Intro?\n\nYes or no?",
		    REPLY_UNCLEAR, NULL },
		{ "-- \nyes", REPLY_UNCLEAR, NULL },
		{ "Sent from my iPhone\n\nyes", REPLY_UNCLEAR, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		check_text(&cases[i], FALSE);
}

/* test_html - HTML is read as text, its reply containers as quotes */
static void
test_html(void)
{
	static const Case cases[] = {
		{ "<div dir=\"ltr\">Yes, happy to!</div><br><div "
		  "class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, "
		  "Mar 3, 2025 at 10:02 AM Chris &lt;c@example.org&gt; "
		  "wrote:<br></div><blockquote class=\"gmail_quote\">No "
		  "</blockquote></div>",
		    REPLY_YES, NULL },
		{ "<p>&nbsp;</p><div id=\"divRplyFwdMsg\"><b>From:</b> Chris"
		  "<br><b>Sent:</b> Monday<br><b>Subject:</b> Intro</div>"
		  "<div>Yes or no?</div>",
		    REPLY_UNCLEAR, NULL },
		{ "<html><body><p>Nee, dank je.</p></body></html>", REPLY_NO,
		    NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		check_text(&cases[i], TRUE);
}

/* test_hostile - never a crash; the bounds hold */
static void
test_hostile(void)
{
	g_autoptr(GString) big = g_string_new(NULL);
	g_autoptr(ReplyVerdict) v = NULL;
	g_autoptr(ReplyVerdict) w = NULL;
	g_autoptr(ReplyVerdict) x = NULL;
	g_autoptr(ReplyVerdict) y = NULL;

	g_string_append(big, "No ");
	for (int i = 0; i < 200000; i++)
		g_string_append(big, "é\xff\x01 ");
	v = reply_decide_text(big->str, FALSE);
	g_assert_cmpint(v->decision, ==, REPLY_NO);
	g_assert_nonnull(v->reason);
	g_assert_cmpuint(strlen(v->reason), <=, REPLY_MAX_REASON);
	g_assert_true(g_utf8_validate(v->reason, -1, NULL));
	g_assert_cmpuint(strlen(v->first_line), <=, REPLY_MAX_FIRST_LINE);
	g_assert_true(g_utf8_validate(v->first_line, -1, NULL));

	g_string_truncate(big, 0);
	for (int i = 0; i < 100000; i++)
		g_string_append(big, "是");
	w = reply_decide_text(big->str, FALSE);
	g_assert_cmpint(w->decision, ==, REPLY_UNCLEAR);
	g_assert_cmpuint(strlen(w->first_line), <=, REPLY_MAX_FIRST_LINE);

	g_string_truncate(big, 0);
	for (int i = 0; i < 100000; i++)
		g_string_append(big, "<blockquote>");
	g_string_append(big, "yes");
	x = reply_decide_text(big->str, TRUE);
	g_assert_nonnull(x);

	g_string_truncate(big, 0);
	for (int i = 0; i < 50000; i++)
		g_string_append(big, "\n> \n");
	g_string_append(big, "yes");
	y = reply_decide_text(big->str, FALSE);
	g_assert_cmpint(y->decision, ==, REPLY_UNCLEAR); /* past the bound */
	reply_verdict_free(NULL);
}

/* test_table - every phrase is written as words are folded */
static void
test_table(void)
{
	g_assert_cmpstr(parser_reply_words_unfolded(), ==, NULL);
}

/* fixture_dir - $top_srcdir/tests/fixtures/replies, else the build one */
static char *
fixture_dir(void)
{
	const char *top = g_getenv("top_srcdir");

	if (top != NULL)
		return g_build_filename(
		    top, "tests", "fixtures", "replies", NULL);
	return g_strdup(FIXTURE_DIR);
}

/* read_message - a fixture as GMime parses it */
static GMimeMessage *
read_message(const char *path)
{
	g_autofree char *data = NULL;
	gsize len;
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	return g_mime_parser_construct_message(parser, NULL);
}

/* test_fixture - one NAME.eml against NAME.json */
static void
test_fixture(gconstpointer data)
{
	const char *eml = data;
	g_autofree char *base = g_strndup(eml, strlen(eml) - 4);
	g_autofree char *json = g_strconcat(base, ".json", NULL);
	g_autoptr(JsonParser) jp = json_parser_new();
	g_autoptr(GMimeMessage) msg = read_message(eml);
	g_autoptr(ReplyVerdict) v = NULL;
	g_autoptr(GError) error = NULL;
	JsonObject *o;
	const char *want_reason = NULL;

	g_assert_nonnull(msg);
	g_assert_true(json_parser_load_from_file(jp, json, &error));
	g_assert_no_error(error);
	o = json_node_get_object(json_parser_get_root(jp));
	g_assert_nonnull(o);
	g_assert_true(json_object_has_member(o, "decision"));
	g_assert_true(json_object_has_member(o, "reason"));
	if (!json_object_get_null_member(o, "reason"))
		want_reason = json_object_get_string_member(o, "reason");
	v = reply_decide(msg, &error);
	g_assert_no_error(error);
	g_assert_nonnull(v);
	g_test_message("%s: %s, first line %s, reason %s", base,
	    reply_decision_name(v->decision),
	    v->first_line != NULL ? v->first_line : "(null)",
	    v->reason != NULL ? v->reason : "(null)");
	g_assert_cmpstr(reply_decision_name(v->decision), ==,
	    json_object_get_string_member(o, "decision"));
	g_assert_cmpstr(v->reason, ==, want_reason);
}

/* add_fixtures - one case per .eml; their number */
static guint
add_fixtures(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (d == NULL)
		return 0;
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".eml"))
			g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, (GCompareFunc)g_ascii_strcasecmp);
	for (guint i = 0; i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);
		g_autofree char *stem = g_strndup(n, strlen(n) - 4);
		g_autofree char *test =
		    g_strconcat("/reply/fixture/", stem, NULL);

		g_test_add_data_func_full(
		    test, g_build_filename(dir, n, NULL), test_fixture, g_free);
	}
	return names->len;
}

/* test_enough - the directory holds the fixtures the issue asks for */
static void
test_enough(gconstpointer data)
{
	g_assert_cmpuint(GPOINTER_TO_UINT(data), >=, MIN_FIXTURES);
}

int
main(int argc, char **argv)
{
	g_autofree char *dir = fixture_dir();
	guint n;

	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/reply/table/folded", test_table);
	g_test_add_func("/reply/decide_text/words", test_words);
	g_test_add_func("/reply/decide_text/leading", test_leading);
	g_test_add_func("/reply/decide_text/reason", test_reason);
	g_test_add_func("/reply/decide_text/lines", test_lines);
	g_test_add_func("/reply/decide_text/html", test_html);
	g_test_add_func("/reply/decide_text/hostile", test_hostile);
	n = add_fixtures(dir);
	g_test_add_data_func(
	    "/reply/fixture/count", GUINT_TO_POINTER(n), test_enough);
	return g_test_run();
}
