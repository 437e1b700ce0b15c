/*
 * test_parser_scan.c - unit tests for the forward finder's pieces
 *
 * The scanners on their own (parser_scan.h): mailbox lists as clients
 * print them, subject prefixes, separator lines, attribution lines,
 * header labels and blocks. Whole messages are in test_parser.c.
 */
#include "config.h"

#include <string.h>

#include "parser/parser.h"
#include "parser/parser_labels_tables.h"
#include "parser/parser_scan.h"

/* addr_at - the i-th mailbox of a list */
static const FwdAddress *
addr_at(GPtrArray *list, guint i)
{
	g_assert_cmpuint(list->len, >, i);
	return g_ptr_array_index(list, i);
}

/* test_mailbox_list - the forms clients print addresses in */
static void
test_mailbox_list(void)
{
	g_autoptr(GPtrArray) l = parser_mailbox_list(
	    "John, Doe <John@Example.COM>, 'Bessie, Berry' <b@x.example>; "
	    "\"'c@y.example'\" <c@y.example>, d@z.example<mailto:d@z.example>, "
	    "Walt [mailto:w@w.example], Nameless, <e@e.example>",
	    -1);
	g_autoptr(GPtrArray) only = parser_mailbox_list("Valéry", -1);
	g_autoptr(FwdAddress) behalf = parser_mailbox_parse(
	    "Ann<mailto:ann@a.example> <ann@a.example<mailto:ann@a.example>> "
	    "on behalf of t@a.example<mailto:t@a.example>",
	    -1);

	g_assert_cmpuint(l->len, ==, 7);
	g_assert_cmpstr(addr_at(l, 0)->name, ==, "John, Doe");
	g_assert_cmpstr(addr_at(l, 0)->address, ==, "John@example.com");
	g_assert_cmpstr(addr_at(l, 1)->name, ==, "Bessie, Berry");
	g_assert_null(addr_at(l, 2)->name);
	g_assert_null(addr_at(l, 3)->name);
	g_assert_cmpstr(addr_at(l, 3)->address, ==, "d@z.example");
	g_assert_cmpstr(addr_at(l, 4)->name, ==, "Walt");
	g_assert_cmpstr(addr_at(l, 4)->address, ==, "w@w.example");
	g_assert_cmpstr(addr_at(l, 5)->name, ==, "Nameless");
	g_assert_null(addr_at(l, 5)->address);
	g_assert_cmpstr(addr_at(l, 6)->address, ==, "e@e.example");
	g_assert_cmpuint(only->len, ==, 1);
	g_assert_cmpstr(addr_at(only, 0)->name, ==, "Valéry");
	g_assert_null(addr_at(only, 0)->address);
	g_assert_cmpstr(behalf->name, ==, "Ann");
	g_assert_cmpstr(behalf->address, ==, "ann@a.example");
}

/* test_mailbox_semicolons - in a ';' list a comma belongs to a name */
static void
test_mailbox_semicolons(void)
{
	g_autoptr(GPtrArray) names =
	    parser_mailbox_list("Doe, John; Roe, Jane;", -1);
	g_autoptr(GPtrArray) mixed = parser_mailbox_list(
	    "Chris Member; Ann Lee <ann@l.example>; Doe, John <j@d.example>",
	    -1);

	g_assert_cmpuint(names->len, ==, 2);
	g_assert_cmpstr(addr_at(names, 0)->name, ==, "Doe, John");
	g_assert_cmpstr(addr_at(names, 1)->name, ==, "Roe, Jane");
	g_assert_cmpuint(mixed->len, ==, 3);
	g_assert_cmpstr(addr_at(mixed, 0)->name, ==, "Chris Member");
	g_assert_null(addr_at(mixed, 0)->address);
	g_assert_cmpstr(addr_at(mixed, 1)->address, ==, "ann@l.example");
	g_assert_cmpstr(addr_at(mixed, 2)->name, ==, "Doe, John");
}

/* test_subject_kind - prefixes in several languages, tags skipped */
static void
test_subject_kind(void)
{
	static const struct {
		const char *subject;
		SubjectKind kind;
		const char *rest;
	} cases[] = {
		{ "Fwd: Hi", SUBJECT_FORWARD, "Hi" },
		{ "[EXT] FW: Hi", SUBJECT_FORWARD, "Hi" },
		{ "WG: AW: Hi", SUBJECT_FORWARD, "AW: Hi" },
		{ "Fwd[2]: FW: Hi", SUBJECT_FORWARD, "Hi" },
		{ "转发：你好", SUBJECT_FORWARD, "你好" },
		{ "轉寄: 你好", SUBJECT_FORWARD, "你好" },
		{ "転送: こんにちは", SUBJECT_FORWARD, "こんにちは" },
		{ "전달: 안녕", SUBJECT_FORWARD, "안녕" },
		{ "ΠΡΘ: Γεια", SUBJECT_FORWARD, "Γεια" },
		{ "İLT: Merhaba", SUBJECT_FORWARD, "Merhaba" },
		{ "Re: Hi", SUBJECT_REPLY, "Re: Hi" },
		{ "AW: WG: Hi", SUBJECT_REPLY, "AW: WG: Hi" },
		{ "השב: שלום", SUBJECT_REPLY, "השב: שלום" },
		{ "Одг: Здраво", SUBJECT_REPLY, "Одг: Здраво" },
		{ "העבר: שלום", SUBJECT_FORWARD, "שלום" },
		{ "إعادة توجيه: مرحبا", SUBJECT_FORWARD, "مرحبا" },
		{ "PD: Odp.: Cześć", SUBJECT_FORWARD, "Odp.: Cześć" },
		{ "Ats.: Labas", SUBJECT_REPLY, "Ats.: Labas" },
		{ "Për: Përshëndetje", SUBJECT_REPLY, "Për: Përshëndetje" },
		{ "Redirect: Hi", SUBJECT_PLAIN, "Redirect: Hi" },
		{ "Hi: there", SUBJECT_PLAIN, "Hi: there" },
	};

	for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
		const char *rest = NULL;

		g_assert_cmpint(parser_subject_kind(cases[k].subject, &rest),
		    ==, cases[k].kind);
		g_assert_cmpstr(rest, ==, cases[k].rest);
	}
}

/* test_separator - separator lines and near misses */
static void
test_separator(void)
{
	static const struct {
		const char *line;
		SepKind kind;
	} cases[] = {
		{ "---------- Forwarded message ---------", SEP_FORWARD },
		{ "-------- Message transféré --------", SEP_FORWARD },
		{ "Début du message réexpédié :", SEP_FORWARD },
		{ "---------- 转发的邮件 ----------", SEP_FORWARD },
		{ "-------- Προωθημένο μήνυμα --------", SEP_FORWARD },
		{ "-----Original Message-----", SEP_ORIGINAL },
		{ "-----Ursprüngliche Nachricht-----", SEP_ORIGINAL },
		{ "________________________________", SEP_RULE },
		{ "----- Forwarded message from A <a@b> -----", SEP_MUTT },
		{ "----- End forwarded message -----", SEP_MUTT_END },
		{ "------ Something else ------", SEP_UNKNOWN },
		{ "Forwarded message is below", SEP_NONE },
		{ "-- ", SEP_NONE },
		{ "----------", SEP_NONE },
	};

	for (gsize k = 0; k < G_N_ELEMENTS(cases); k++)
		g_assert_cmpint(
		    parser_separator(cases[k].line, strlen(cases[k].line)).kind,
		    ==, cases[k].kind);
}

/* test_attribution_lines - the languages' "On ... wrote:" */
static void
test_attribution_lines(void)
{
	static const char *const lines[][3] = {
		{ "On 28/10/2021 12:46, \"John Doe\" <j@d.example> wrote:",
		    "28/10/2021 12:46", "\"John Doe\" <j@d.example>" },
		{ "Le 28/10/2021 12:46, « John Doe » <j@d.example> a écrit :",
		    "28/10/2021 12:46", "« John Doe » <j@d.example>" },
		{ "John Doe <j@d.example> kirjoitti 28/10/2021 12.46:",
		    "28/10/2021 12.46", "John Doe <j@d.example>" },
		{ "28/10/2021 12:46 používateľ John Doe (<j@d.example>) "
		  "napísal:",
		    "28/10/2021 12:46", "John Doe (<j@d.example>)" },
		{ "On Wed, Oct 27, 2021 at 9:31 AM John Doe <j@d.example> "
		  "wrote:",
		    "Wed, Oct 27, 2021 at 9:31 AM", "John Doe <j@d.example>" },
		{ "John Doe <j@d.example> 于2021年10月27日周三 上午9:31写道：",
		    "2021年10月27日周三 上午9:31", "John Doe <j@d.example>" },
		{ "在 2021/10/28 12:46，“John Doe”<j@d.example> 写入:",
		    "2021/10/28 12:46", "“John Doe”<j@d.example>" },
		{ "2021. 10. 28. 오후 12:46, \"John Doe\" <j@d.example>"
		  "이(가) 작성한 메시지:",
		    "2021. 10. 28. 오후 12:46", "\"John Doe\" <j@d.example>" },
		/* Thunderbird's patterns, from its localisation files */
		{ "Am 28.10.2021 um 12:46 schrieb John Doe <j@d.example>:",
		    "28.10.2021 um 12:46", "John Doe <j@d.example>" },
		{ "Vào lúc 12:46 28/10/2021, John Doe <j@d.example> "
		  "đã viết:",
		    "12:46 28/10/2021", "John Doe <j@d.example>" },
		{ "נכתב על ידי John Doe <j@d.example>, "
		  "ב־28/10/2021 בשעה 12:46:",
		    "28/10/2021 בשעה 12:46", "John Doe <j@d.example>" },
		{ "على 28/10/2021 12:46، كتب John Doe <j@d.example>:",
		    "28/10/2021 12:46", "John Doe <j@d.example>" },
		{ "28.10.2021 12:46 tarihinde John Doe <j@d.example> "
		  "yazdı:",
		    "28.10.2021 12:46", "John Doe <j@d.example>" },
		{ "Στις 28/10/2021 12:46 μ.μ., ο/η "
		  "John Doe <j@d.example> έγραψε:",
		    "28/10/2021 12:46 μ.μ.", "John Doe <j@d.example>" },
		/* by shape: no row, a verb before the name, a name of one
		 * kind of word, the sender first */
		{ "V pon., 16. mar. 2026 ob 10:15 je oseba John Doe "
		  "<j@d.example> napisala:",
		    "pon., 16. mar. 2026 ob 10:15", "John Doe <j@d.example>" },
		{ "في الاثنين، 16 مارس 2026 في 10:15 ص كتب John Doe "
		  "<j@d.example>:",
		    "الاثنين، 16 مارس 2026 في 10:15 ص",
		    "John Doe <j@d.example>" },
		{ "ในวันที่ 16 มีนาคม 2026 เวลา 10:15 สมชาย ใจดี "
		  "<s@d.example> เขียนว่า:",
		    "ในวันที่ 16 มีนาคม 2026 เวลา 10:15",
		    "สมชาย ใจดี <s@d.example>" },
		{ "John Doe <j@d.example> ezt írta (időpont: 2026. márc. 16., "
		  "H, 10:15):",
		    "2026. márc. 16., H, 10:15", "John Doe <j@d.example>" },
		{ "Kell 10:15 E, 16. märts 2026 kirjutas John Doe "
		  "<j@d.example>:",
		    "Kell 10:15 E, 16. märts 2026", "John Doe <j@d.example>" },
		{ "Pada tanggal Sen, 16 Mar 2026 pukul 10.15 John Doe "
		  "<j@d.example> menulis:",
		    "Sen, 16 Mar 2026 pukul 10.15", "John Doe <j@d.example>" },
	};
	/* an address with a date but no clock time, or text after it */
	static const char *const not_lines[] = {
		"On 16 March 2026 John <j@d.example>:",
		"16 March 2026 10:15 John <j@d.example> asked about 2 tickets:",
	};
	char *date, *who;

	for (gsize k = 0; k < G_N_ELEMENTS(lines); k++) {
		g_assert_true(parser_attribution(
		    lines[k][0], strlen(lines[k][0]), &date, &who));
		g_assert_cmpstr(date, ==, lines[k][1]);
		g_assert_cmpstr(who, ==, lines[k][2]);
		g_free(date);
		g_free(who);
	}
	g_assert_false(
	    parser_attribution("On the other hand:", 18, &date, &who));
	g_assert_null(date);
	for (gsize k = 0; k < G_N_ELEMENTS(not_lines); k++)
		g_assert_false(parser_attribution(
		    not_lines[k], strlen(not_lines[k]), &date, &who));
}

/* test_joiners - ZWNJ and ZWJ stay inside Persian, Arabic and Indic
 * words (they change how the letters join) and go elsewhere */
static void
test_joiners(void)
{
	static const char *const cases[][2] = {
		{ "می‌خواهم", "می‌خواهم" },
		{ "निर्‍देश", "निर्‍देश" },
		{ "Ko‍hli Sa‌ra", "Kohli Sara" },
		{ "‌می ‌", "می " },
		{ "می‌", "می" },
	};

	for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
		g_autofree char *t = parser_text_prepare(cases[k][0], -1);

		g_assert_cmpstr(t, ==, cases[k][1]);
	}
	{
		g_autoptr(FwdAddress) a =
		    parser_mailbox_parse("نامه‌ها "
					 "<n@a.example>",
			-1);

		g_assert_cmpstr(a->name, ==, "نامه‌ها");
	}
}

/* test_block_read - wrapped lines rejoined, unknown labels passed over */
static void
test_block_read(void)
{
	g_autoptr(Lines) ls =
	    parser_lines_new("Od: Anna <a@a.example>\n"
			     "Wyslalem: 3 kwietnia 2025 09:41\n"
			     "Do: Bob <b@b.example>,\n"
			     "  Carol\n"
			     "  <c@c.example>\n"
			     "Temat: Hej\n"
			     "Body starts here.\n");
	Block b;
	g_autoptr(GPtrArray) to = NULL;

	g_assert_true(parser_block_read(ls, 0, &b));
	g_assert_true(parser_block_valid(&b, FALSE));
	g_assert_cmpuint(b.end, ==, 6);
	g_assert_cmpstr(b.value[FIELD_DATE], ==, "3 kwietnia 2025 09:41");
	g_assert_cmpstr(b.value[FIELD_SUBJECT], ==, "Hej");
	to = parser_mailbox_list(b.value[FIELD_TO], -1);
	g_assert_cmpuint(to->len, ==, 2);
	g_assert_cmpstr(addr_at(to, 1)->name, ==, "Carol");
	g_assert_cmpstr(addr_at(to, 1)->address, ==, "c@c.example");
	parser_block_clear(&b);
}

/* test_field_label - labels in many languages, colon forms, non-labels */
static void
test_field_label(void)
{
	static const struct {
		const char *line;
		FieldKind field;
		gsize n;
	} cases[] = {
		{ "From: x", FIELD_FROM, 6 },
		{ "*From:* x", FIELD_FROM, 8 },
		{ "De : x", FIELD_FROM, 5 },
		{ "De la: x", FIELD_FROM, 7 },
		{ "Kopie (CC):\tx", FIELD_CC, 12 },
		{ "送信元：x", FIELD_FROM, 12 },
		{ "보낸 사람: x", FIELD_FROM, 15 },
		{ "Θέμα: x", FIELD_SUBJECT, 10 },
		{ "寄件日期: x", FIELD_DATE, 14 },
		{ "a: x", FIELD_NONE, 0 },
		{ "Fromage: x", FIELD_NONE, 0 },
		{ "From x", FIELD_NONE, 0 },
	};

	for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
		FieldKind f;
		gsize n = parser_field_label(
		    cases[k].line, strlen(cases[k].line), FALSE, &f);

		g_assert_cmpuint(n, ==, cases[k].n);
		g_assert_cmpint(f, ==, cases[k].field);
	}
}

/* test_label_rows - every generated row is found by its own text, in
 * upper case too unless CASE (gen.py's folding agrees with GLib's), and
 * the trie is well formed */
static void
test_label_rows(void)
{
	g_autofree char *low = NULL;
	g_autofree char *uplow = NULL;

	for (gsize k = 0; k < G_N_ELEMENTS(label_rows); k++) {
		const LabelRow *row = &label_rows[k];
		g_autofree char *line = g_strdup_printf("%s: x", row->word);
		g_autofree char *up = g_utf8_strup(row->word, -1);
		g_autofree char *upline = g_strdup_printf("%s: x", up);
		g_autofree char *dashes =
		    g_strdup_printf("-------- %s --------", row->word);
		FieldKind f;
		SepMatch m;

		if (row->field == FIELD_NONE) {
			m = parser_separator(dashes, strlen(dashes));
			g_assert_cmpint(m.kind, !=, SEP_NONE);
			g_assert_cmpint(m.kind, !=, SEP_UNKNOWN);
			continue;
		}
		g_assert_cmpuint(
		    parser_field_label(line, strlen(line), FALSE, &f), ==,
		    strlen(line) - 1);
		g_assert_cmpint(f, ==, row->field);
		g_free(low);
		g_free(uplow);
		low = g_utf8_strdown(row->word, -1);
		uplow = g_utf8_strdown(up, -1);
		/* Turkish dotless i comes back dotted: upper case is lossy */
		if ((row->flags & CASE) || strcmp(low, uplow) != 0)
			continue;
		/* upper case may change the length (final sigma, dotted I) */
		g_assert_cmpuint(
		    parser_field_label(upline, strlen(upline), FALSE, &f), >,
		    0);
		g_assert_cmpint(f, ==, row->field);
	}
	for (gsize k = 0; k < G_N_ELEMENTS(trie_nodes); k++) {
		const TrieNode *t = &trie_nodes[k];

		g_assert_cmpuint(
		    (gsize)t->edge + t->n, <=, G_N_ELEMENTS(trie_edge_byte));
		g_assert_cmpuint(t->row, <=, G_N_ELEMENTS(label_rows));
		for (guint e = t->edge; e + 1 < (guint)t->edge + t->n; e++)
			g_assert_cmpuint(
			    trie_edge_byte[e], <, trie_edge_byte[e + 1]);
		for (guint e = t->edge; e < (guint)t->edge + t->n; e++)
			g_assert_cmpuint(
			    trie_edge_to[e], <, G_N_ELEMENTS(trie_nodes));
	}
}

/* test_label_rtl - Hebrew, Arabic and Persian labels with direction
 * marks around them; Vietnamese; Samsung and Mail.ru words */
static void
test_label_rtl(void)
{
	static const struct {
		const char *line;
		FieldKind field;
	} cases[] = {
		{ "\u200f\u05de\u05d0\u05ea\u200f: x", FIELD_FROM }, /* מאת */
		{ "\u202b\u05e0\u05d5\u05e9\u05d0\u202c: x", FIELD_SUBJECT },
		{ "\u0627\u0644\u0645\u0648\u0636\u0648\u0639: x",
		    FIELD_SUBJECT }, /* الموضوع */
		{ "\u2067\u0645\u0646\u2069: x", FIELD_FROM }, /* من */
		{ "\u0645\u0648\u0636\u0648\u0639: x", FIELD_SUBJECT },
		{ "T\u1eeb: x", FIELD_FROM },                   /* Từ */
		{ "TI\u00caU \u0110\u1ec0: x", FIELD_SUBJECT }, /* TIÊU ĐỀ */
		{ "Ti\u00eau   \u0111\u1ec1 : x", FIELD_SUBJECT }, /* blanks */
		{ "Sender : x", FIELD_FROM },
		{ "Title : x", FIELD_SUBJECT },
		{ "\u041e\u0442 \u043a\u043e\u0433\u043e: x", FIELD_FROM },
	};
	static const char *const seps[] = {
		"-------- \u05d4\u05d5\u05d3\u05e2\u05d4 "
		"\u05e9\u05d4\u05d5\u05e2\u05d1\u05e8\u05d4 --------",
		"-------- Tin nh\u1eafn \u0111\u00e3 \u0111\u01b0\u1ee3c "
		"chuy\u1ec3n ti\u1ebfp --------",
		"--------    \uc6d0\ubcf8 \uba54\uc2dc\uc9c0    --------",
	};
	FieldKind f;

	for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
		g_assert_cmpuint(parser_field_label(cases[k].line,
				     strlen(cases[k].line), FALSE, &f),
		    >, 0);
		g_assert_cmpint(f, ==, cases[k].field);
	}
	for (gsize k = 0; k < G_N_ELEMENTS(seps); k++) {
		SepMatch m = parser_separator(seps[k], strlen(seps[k]));

		g_assert_cmpint(
		    m.kind, ==, k == 2 ? SEP_ORIGINAL : SEP_FORWARD);
	}
	g_assert_cmpuint(
	    parser_field_label("\u05de\u05d0\u05ea\u05d9\u05dd: x",
		strlen("\u05de\u05d0\u05ea\u05d9\u05dd: x"), FALSE, &f),
	    ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/parser/mailbox_list/forms", test_mailbox_list);
	g_test_add_func(
	    "/parser/mailbox_list/semicolons", test_mailbox_semicolons);
	g_test_add_func("/parser/subject_kind/prefixes", test_subject_kind);
	g_test_add_func("/parser/separator/lines", test_separator);
	g_test_add_func(
	    "/parser/attribution/languages", test_attribution_lines);
	g_test_add_func("/parser/text_prepare/joiners", test_joiners);
	g_test_add_func("/parser/block_read/wrapped-unknown", test_block_read);
	g_test_add_func("/parser/field_label/languages", test_field_label);
	g_test_add_func("/parser/field_label/every-row", test_label_rows);
	g_test_add_func("/parser/field_label/rtl-marks", test_label_rtl);
	return g_test_run();
}
