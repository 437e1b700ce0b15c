/*
 * test_rfc2047.c - encoded words read whole, and written so every
 * reader reads them whole
 *
 * The decoder is fed what senders write (runs of words with '='
 * padding, several charsets, characters cut between words, broken
 * words, folding). The encoder's output is read back three ways: by
 * rfc2047_decode(), by GMime 3.2.13 (which drops what follows padding
 * in a run of B words), and through the introduction renderer and its
 * own re-parse check, for subjects and names in 27 languages from 10
 * to 300 characters.
 */
#include "config.h"

#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/rfc2047.h"
#include "templates/tmpl.h"

#define NOW 1700000000

static const struct {
	const char *lang, *text;
} samples[] = {
	{ "fr", "Conférence à Montréal: présentation économique générale "
		"pour le printemps" },
	{ "el", "Συνέδριο στην Αθήνα: γενική οικονομική παρουσίαση για την "
		"άνοιξη" },
	{ "ru", "Конференция в Москве: общая экономическая презентация на "
		"весну" },
	{ "uk", "Конференція у Києві: загальна економічна презентація на "
		"весну" },
	{ "ja", "東京での会議：春の一般的な経済プレゼンテーションについての"
		"ご案内" },
	{ "zh", "北京会议：春季经济概况介绍与合作机会" },
	{ "ko", "서울 회의: 봄철 일반 경제 발표 및 협력 기회 안내" },
	{ "ar", "مؤتمر في القاهرة: عرض اقتصادي عام لفصل الربيع" },
	{ "he", "כנס בירושלים: מצגת כלכלית כללית לאביב" },
	{ "fa", "همایش در تهران: ارائه اقتصادی عمومی برای بهار" },
	{ "hi", "दिल्ली में सम्मेलन: वसंत के लिए सामान्य आर्थिक प्रस्तुति" },
	{ "th", "การประชุมที่กรุงเทพฯ: การนำเสนอเศรษฐกิจทั่วไปสำหรับฤดูใบไม้ผลิ" },
	{ "vi", "Hội nghị tại Hà Nội: bài trình bày kinh tế tổng quát cho "
		"mùa xuân" },
	{ "tr", "İstanbul'da konferans: ilkbahar için genel ekonomik sunum "
		"ğüşıöç" },
	{ "pl", "Konferencja w Łodzi: ogólna prezentacja gospodarcza na "
		"wiosnę źżółć" },
	{ "cs", "Konference v Brně: obecná ekonomická prezentace na jaro "
		"řčšžýáíé" },
	{ "de", "Konferenz in München: allgemeine Wirtschaftspräsentation für "
		"den Frühling" },
	{ "es", "Conferencia en Málaga: presentación económica general para "
		"la primavera" },
	{ "pt", "Conferência em São Paulo: apresentação econômica geral para "
		"a primavera" },
	{ "it", "Conferenza a Città di Castello: presentazione economica più "
		"ampia" },
	{ "sv", "Konferens i Göteborg: allmän ekonomisk presentation för "
		"våren" },
	{ "hu", "Konferencia Győrött: általános gazdasági előadás tavaszra" },
	{ "fi", "Konferenssi Jyväskylässä: yleinen talousesitys keväälle" },
	{ "ka", "კონფერენცია თბილისში: ზოგადი ეკონომიკური პრეზენტაცია" },
	{ "hy", "Համաժողով Երևանում. ընդհանուր տնտեսական ներկայացում" },
	{ "bn", "ঢাকায় সম্মেলন: বসন্তের জন্য সাধারণ অর্থনৈতিক উপস্থাপনা" },
	{ "mix", "Party 🎉 at the café ☕ — 日本語 and ελληνικά together 🚀" },
};

static const glong lengths[] = { 10, 20, 33, 45, 60, 75, 76, 77, 90, 100, 120,
	150, 160, 200, 250, 300 };

/* sample - the sample text repeated and cut to n characters, trimmed */
static char *
sample(const char *text, glong n)
{
	GString *s = g_string_new(NULL);
	const char *end;

	while (g_utf8_strlen(s->str, -1) < n)
		g_string_append_printf(s, "%s ", text);
	end = g_utf8_offset_to_pointer(s->str, n);
	g_string_truncate(s, (gsize)(end - s->str));
	return g_strstrip(g_string_free(s, FALSE));
}

/* assert_decodes - raw decodes to want */
static void
assert_decodes(const char *raw, const char *want)
{
	g_autofree char *got = rfc2047_decode(raw);

	g_assert_cmpstr(got, ==, want);
}

/* message_with - a message whose header NAME has the folded value */
static GMimeMessage *
message_with(const char *name, const char *folded)
{
	g_auto(GStrv) lines = g_strsplit(folded, "\n", -1);
	g_autofree char *value = g_strjoinv("\r\n", lines);
	g_autofree char *text =
	    g_strdup_printf("From: a@x.example\r\nTo: b@y.example\r\n%s: %s\r\n"
			    "Message-ID: <m@x.example>\r\n\r\nhi\r\n",
		name, value);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(text, strlen(text));
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_assert_nonnull(msg);
	return msg;
}

/* assert_lines - every line of "NAME: value" is short, words whole */
static void
assert_lines(const char *name, const char *folded)
{
	g_autofree char *field = g_strdup_printf("%s: %s", name, folded);
	g_auto(GStrv) lines = g_strsplit(field, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_assert_cmpuint(strlen(lines[i]), <=, RFC2047_LINE_MAX);
		if (i > 0)
			g_assert_true(lines[i][0] == ' ');
		for (const char *p = lines[i]; *p; p++)
			g_assert_cmpint((guchar)*p, <, 0x7f);
	}
}

/* assert_no_inner_padding - only the last B word may end in '=' */
static void
assert_no_inner_padding(const char *folded)
{
	const char *p = folded, *last = strrchr(folded, '?');

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *end = strstr(p + 10, "?=");

		g_assert_nonnull(end);
		if (end[-1] == '=')
			g_assert_true(end == last);
		p = end + 2;
	}
}

/* test_decode_adjacent - a run of padded B words reads whole */
static void
test_decode_adjacent(void)
{
	assert_decodes("=?UTF-8?B?SMOpbA==?= =?UTF-8?B?bG8=?=", "Héllo");
	assert_decodes("=?UTF-8?B?SMOpbGxv?= =?UTF-8?B?IHfDqQ==?= "
		       "=?UTF-8?B?IHRlc3Q=?=",
	    "Héllo wé test");
	/* what GMime 3.2.13 writes for the defect's subject */
	assert_decodes(" =?UTF-8?B?Q29uZsOpcmVuY2Ugw6AgTW9udHLDqWFsOg==?=\n"
		       " =?UTF-8?B?IHByw6lzZW50YXRpb24gw6ljb25vbWlxdWUgZ8OpbsOp"
		       "cmFsZQ==?= pour le\n printemps\n",
	    "Conférence à Montréal: présentation économique générale pour le "
	    "printemps");
}

/* test_decode_padding - padding, missing padding, padding inside */
static void
test_decode_padding(void)
{
	assert_decodes("=?utf-8?b?w6k?= =?utf-8?b?w6k=?=", "éé");
	assert_decodes("=?utf-8?b?SMOpbA?=", "Hél");
	assert_decodes("=?utf-8?b?SMOpbA=?=", "Hél");
	/* text after padding is not base64: the word is literal */
	assert_decodes("=?utf-8?b?SMOp=bA?=", "=?utf-8?b?SMOp=bA?=");
}

/* test_decode_mixed - ISO-8859-7 next to UTF-8, then Latin-1 */
static void
test_decode_mixed(void)
{
	assert_decodes("=?ISO-8859-7?Q?=CA=E1=EB=DE?= "
		       "=?UTF-8?Q?_=CE=BC=CE=AD=CF=81=CE=B1?=",
	    "Καλή μέρα");
	assert_decodes("=?iso-8859-1?q?caf=E9?= =?utf-8?b?IOKCrA==?= "
		       "=?windows-1252?q?_=80?=",
	    "café € €");
	assert_decodes("=?koi8-r?b?8NLJ18XU?=", "Привет");
	assert_decodes("=?shift_jis?b?k/qWe4zq?=", "日本語");
	assert_decodes("=?ks_c_5601-1987?b?x9Gxub7u?=", "한국어");
	assert_decodes("=?gb2312?b?1tDOxA==?=", "中文");
}

/* test_decode_split - a character cut between two words survives */
static void
test_decode_split(void)
{
	assert_decodes("=?UTF-8?B?SMM=?= =?UTF-8?B?qWxsbw==?=", "Héllo");
	assert_decodes("=?UTF-8?Q?H=C3?= =?utf-8?Q?=A9llo?=", "Héllo");
	assert_decodes("=?UTF-8?B?5pel?=\r\n =?UTF-8?B?5pys?=", "日本");
	/* a lone half stays a replacement character */
	assert_decodes("=?UTF-8?Q?a=C3?= b", "a\xef\xbf\xbd b");
}

/* test_decode_q - underscores, "=XX", a stray '=' */
static void
test_decode_q(void)
{
	assert_decodes("=?utf-8?q?a_b=5Fc?=", "a b_c");
	assert_decodes("=?UTF-8?Q?caf=C3=A9_=3D_ok?=", "café = ok");
	assert_decodes("=?utf-8?q?50=_off?=", "50= off");
	assert_decodes("=?utf-8?q?=e2=82=ac?=", "€");
	assert_decodes("=?UTF-8*fr?Q?caf=C3=A9?=", "café");
	assert_decodes("=?utf-8?q?\?=", "");
}

/* test_decode_malformed - what is not a word stays text */
static void
test_decode_malformed(void)
{
	assert_decodes("=?utf-8?b?!!!?=", "=?utf-8?b?!!!?=");
	assert_decodes("=?utf-8?x?abc?=", "=?utf-8?x?abc?=");
	assert_decodes("a =?utf-8?q?abc", "a =?utf-8?q?abc");
	assert_decodes("=?\?q?a?= b", "=?\?q?a?= b");
	assert_decodes("=?utf-8?q?a b?=", "=?utf-8?q?a b?=");
	assert_decodes("2+2=?", "2+2=?");
	assert_decodes("=?=?utf-8?q?x?=", "=?x");
	assert_decodes("=?x-unknown?q?caf=C3=A9?=", "café");
	assert_decodes("=?x-unknown?q?caf=E9?=", "café");
	assert_decodes("=?utf-8?q?a=00b?=", "ab");
	assert_decodes("caf\xe9", "café");
	assert_decodes("=?utf-8?q?bad=FF?=", "bad\xef\xbf\xbd");
}

/* test_decode_unfold - folding and the space between words */
static void
test_decode_unfold(void)
{
	assert_decodes("a\r\n b", "a b");
	assert_decodes("a\n\tb", "a\tb");
	assert_decodes(" =?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\n", "ab");
	assert_decodes("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c");
	assert_decodes("x =?utf-8?q?a?=  \t =?utf-8?q?b?= y", "x ab y");
	assert_decodes("=?utf-8?q?a?==?utf-8?q?b?=", "ab");
	assert_decodes("=?utf-8?q?a_?= =?iso-8859-1?q?b?=", "a b");
	assert_decodes("", "");
	g_assert_null(rfc2047_decode(NULL));
}

/* test_decode_bounded - hostile input: linear time, bounded output */
static void
test_decode_bounded(void)
{
	const char *units[] = { "=?", "=?a?b?", "=?utf-8?q?", "=?utf-8?b?QQ",
		"=?utf-8?q?a?= ", "=?a*b?q?=", "?=" };
	gint64 start = g_get_monotonic_time();

	for (guint u = 0; u < G_N_ELEMENTS(units); u++) {
		GString *in = g_string_new(NULL);
		g_autofree char *out = NULL;

		while (in->len < 4 * RFC2047_INPUT_MAX)
			g_string_append(in, units[u]);
		out = rfc2047_decode(in->str);
		g_assert_cmpuint(strlen(out), <=, RFC2047_INPUT_MAX * 3);
		g_assert_true(g_utf8_validate(out, -1, NULL));
		g_string_free(in, TRUE);
	}
	/* quadratic work on 64 KiB would take minutes */
	g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
}

/* test_recode - names in a padded run read whole by GMime */
static void
test_recode(void)
{
	const char *raw =
	    " =?UTF-8?B?SMOpbA==?= =?UTF-8?B?bG8=?= <a@x.example>,"
	    "\n \"Doe, J\" <j@y.example>, =?utf-8?q?x?= y "
	    "<c@z.example>\n";
	g_autofree char *recoded = rfc2047_recode(raw);
	g_autoptr(InternetAddressList) list =
	    internet_address_list_parse(NULL, recoded);

	g_assert_nonnull(list);
	g_assert_cmpint(internet_address_list_length(list), ==, 3);
	g_assert_cmpstr(internet_address_get_name(
			    internet_address_list_get_address(list, 0)),
	    ==, "Héllo");
	g_assert_cmpstr(internet_address_get_name(
			    internet_address_list_get_address(list, 1)),
	    ==, "Doe, J");
	g_assert_cmpstr(internet_address_get_name(
			    internet_address_list_get_address(list, 2)),
	    ==, "x y");
	g_assert_nonnull(strstr(recoded, "\"Doe, J\" <j@y.example>"));
	g_assert_null(rfc2047_recode(NULL));
	g_free(recoded);
	recoded = rfc2047_recode("=?utf-8?q?\?= <e@x.example>");
	g_assert_cmpstr(recoded, ==, " <e@x.example>");
}

/* assert_encoded - text through the encoder, read back three ways */
static void
assert_encoded(const char *text)
{
	g_autofree char *folded = rfc2047_encode_text("Subject", text);
	g_autofree char *mine = rfc2047_decode(folded);
	g_autoptr(GMimeMessage) msg = message_with("Subject", folded);

	assert_lines("Subject", folded);
	assert_no_inner_padding(folded);
	g_assert_cmpstr(mine, ==, text);
	g_assert_cmpstr(g_mime_message_get_subject(msg), ==, text);
}

/* test_encode_ascii - plain ASCII folded at spaces, not encoded */
static void
test_encode_ascii(void)
{
	g_autofree char *a = rfc2047_encode_text("Subject", "hello world");
	g_autofree char *long_word = g_strnfill(100, 'x');
	GString *many = g_string_new(NULL);
	g_autofree char *b = NULL;

	g_assert_cmpstr(a, ==, "hello world");
	for (int i = 0; i < 40; i++)
		g_string_append(many, i > 0 ? " word" : "word");
	b = rfc2047_encode_text("Subject", many->str);
	g_assert_null(strstr(b, "=?"));
	g_assert_nonnull(strchr(b, '\n'));
	assert_encoded(many->str);
	g_string_free(many, TRUE);
	assert_encoded(long_word);
	assert_encoded("=?utf-8?b?SGk=?= is not a word here");
	assert_encoded("two  spaces");
	assert_encoded("tab\there");
	assert_encoded("");
	assert_encoded("a");
}

/* test_encode_cuts - characters whose bytes never add up to three */
static void
test_encode_cuts(void)
{
	GString *s = g_string_new("é");

	for (int i = 0; i < 60; i++)
		g_string_append(s, "日");
	assert_encoded(s->str);
	g_string_assign(s, "");
	for (int i = 0; i < 50; i++)
		g_string_append(s, "🎉é");
	assert_encoded(s->str);
	g_string_assign(s, "a");
	for (int i = 0; i < 80; i++)
		g_string_append(s, "日");
	assert_encoded(s->str);
	g_string_free(s, TRUE);
}

/* test_encode_mailboxes - names of every kind, parsed back by GMime */
static void
test_encode_mailboxes(void)
{
	const Rfc2047Mailbox boxes[] = {
		{ "Jane Friend", "jane@friends.example" },
		{ "Doe, John \"JD\"", "john@acme.example" },
		{ NULL, "bare@x.example" },
		{ "Αλέξανδρος Παπαδόπουλος-Καραμανλής του Γεωργίου via "
		  "passalong",
		    "a@b.example" },
		{ "=?utf-8?q?not_a_word?=", "w@x.example" },
		{ "", "empty@x.example" },
	};
	g_autofree char *folded =
	    rfc2047_encode_mailboxes("Cc", boxes, G_N_ELEMENTS(boxes));
	g_autoptr(GMimeMessage) msg = message_with("Cc", folded);
	InternetAddressList *list = g_mime_message_get_cc(msg);

	assert_lines("Cc", folded);
	g_assert_cmpint(
	    internet_address_list_length(list), ==, G_N_ELEMENTS(boxes));
	for (guint i = 0; i < G_N_ELEMENTS(boxes); i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, (int)i);
		const char *name = internet_address_get_name(ia);

		g_assert_true(INTERNET_ADDRESS_IS_MAILBOX(ia));
		g_assert_cmpstr(internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(ia)),
		    ==, boxes[i].addr);
		g_assert_cmpstr(name != NULL ? name : "", ==,
		    boxes[i].name != NULL ? boxes[i].name : "");
	}
}

/* test_encode_long_ascii - ASCII names that fill the first line are
 * encoded, never written past 76 characters (found by test_tmpl_fuzz) */
static void
test_encode_long_ascii(void)
{
	const char *fields[] = { "From", "To", "Cc", "Reply-To" };

	for (guint f = 0; f < G_N_ELEMENTS(fields); f++) {
		for (gsize len = 55; len <= 80; len++) {
			g_autofree char *atoms = g_strnfill(len, 'x');
			g_autofree char *spaced = g_strnfill(len, 'y');
			Rfc2047Mailbox boxes[] = { { atoms, "a@x.example" },
				{ spaced, "b@x.example" } };
			g_autofree char *folded = NULL;
			g_autoptr(GMimeMessage) msg = NULL;
			InternetAddressList *list;

			spaced[len / 2] = '.'; /* not an atom: quoted */
			folded = rfc2047_encode_mailboxes(fields[f], boxes, 2);
			assert_lines(fields[f], folded);
			msg = message_with("Cc", folded);
			list = g_mime_message_get_cc(msg);
			g_assert_cmpint(
			    internet_address_list_length(list), ==, 2);
			g_assert_cmpstr(
			    internet_address_get_name(
				internet_address_list_get_address(list, 0)),
			    ==, atoms);
			g_assert_cmpstr(
			    internet_address_get_name(
				internet_address_list_get_address(list, 1)),
			    ==, spaced);
		}
	}
}

/* test_languages_gmime - every sample, every length, read back whole */
static void
test_languages_gmime(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(samples); i++) {
		for (guint j = 0; j < G_N_ELEMENTS(lengths); j++) {
			g_autofree char *text =
			    sample(samples[i].text, lengths[j]);
			g_autofree char *name = sample(samples[i].text, 40);
			const Rfc2047Mailbox box = { name, "p@x.example" };
			g_autofree char *folded =
			    rfc2047_encode_mailboxes("From", &box, 1);
			g_autoptr(GMimeMessage) msg =
			    message_with("Reply-To", folded);
			InternetAddressList *list =
			    g_mime_message_get_reply_to(msg);

			assert_encoded(text);
			assert_lines("From", folded);
			g_assert_cmpstr(
			    internet_address_get_name(
				internet_address_list_get_address(list, 0)),
			    ==, name);
		}
	}
}

/* render - an introduction with this topic and friend name */
static RenderedMail *
render(const char *topic, const char *friend_name, GError **error)
{
	g_autoptr(Config) cfg = config_new_default();
	g_autoptr(Forward) fwd = forward_new();
	IntroContext ctx = { .cfg = cfg,
		.member_address = "chris@members.example",
		.member_name = friend_name,
		.friend_address = "jane@friends.example",
		.friend_name = friend_name,
		.requester_address = "john.doe@acme.com",
		.requester_name = "John Doe",
		.fwd = fwd,
		.now = NOW };

	fwd->forwarded = TRUE;
	fwd->kind = FORWARD_KIND_INLINE;
	fwd->note = g_strdup("You would like this.");
	fwd->original = fwd_message_new();
	fwd->original->subject = g_strdup(topic);
	fwd->original->body = g_strdup("Details inside.");
	return tmpl_render_intro(&ctx, error);
}

/* reparse - rendered bytes as GMime reads them */
static GMimeMessage *
reparse(GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_assert_nonnull(msg);
	return msg;
}

/* subject_decoded - the Subject of a message, read by rfc2047_decode() */
static char *
subject_decoded(GMimeMessage *msg)
{
	GMimeHeaderList *list =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = g_mime_header_list_get_header(list, "Subject");

	g_assert_nonnull(h);
	return rfc2047_decode(g_mime_header_get_raw_value(h));
}

/* test_languages_tmpl - the defect: long non-ASCII subjects and names
 * through the renderer and its re-parse check, then read by GMime */
static void
test_languages_tmpl(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(samples); i++) {
		for (guint j = 0; j < G_N_ELEMENTS(lengths); j++) {
			g_autoptr(GError) error = NULL;
			g_autofree char *topic =
			    sample(samples[i].text, lengths[j]);
			g_autofree char *name = sample(samples[i].text, 30);
			g_autoptr(RenderedMail) mail =
			    render(topic, name, &error);
			g_autoptr(GMimeMessage) msg = NULL;
			g_autofree char *subject = NULL;

			if (error != NULL)
				g_test_message("%s %ld: %s", samples[i].lang,
				    lengths[j], error->message);
			g_assert_no_error(error);
			msg = reparse(mail->message);
			subject = subject_decoded(msg);
			g_assert_cmpstr(subject, ==, mail->subject);
			g_assert_cmpstr(
			    g_mime_message_get_subject(msg), ==, mail->subject);
			if (lengths[j] <= 100)
				g_assert_true(
				    g_str_has_suffix(mail->subject, topic));
			g_assert_cmpstr(internet_address_get_name(
					    internet_address_list_get_address(
						g_mime_message_get_to(msg), 0)),
			    ==, name);
		}
	}
}

/* test_languages_notice - the failure notice's Subject, read by GMime */
static void
test_languages_notice(void)
{
	g_autoptr(Config) cfg = config_new_default();
	NoticeFailure nf = { "r@x.example", "550 5.1.1 no such user" };
	g_autoptr(GPtrArray) failures = g_ptr_array_new();

	g_ptr_array_add(failures, &nf);
	for (guint i = 0; i < G_N_ELEMENTS(samples); i++) {
		for (guint j = 0; j < G_N_ELEMENTS(lengths); j++) {
			g_autoptr(GError) error = NULL;
			g_autofree char *topic =
			    sample(samples[i].text, lengths[j]);
			NoticeContext ctx = { .cfg = cfg,
				.member_address = "chris@members.example",
				.subject = topic,
				.failures = failures,
				.now = NOW };
			g_autoptr(RenderedMail) mail =
			    tmpl_render_notice(&ctx, &error);
			g_autoptr(GMimeMessage) msg = NULL;

			g_assert_no_error(error);
			msg = reparse(mail->message);
			g_assert_cmpstr(
			    g_mime_message_get_subject(msg), ==, mail->subject);
		}
	}
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/rfc2047/decode/adjacent", test_decode_adjacent);
	g_test_add_func("/rfc2047/decode/padding", test_decode_padding);
	g_test_add_func("/rfc2047/decode/mixed_charsets", test_decode_mixed);
	g_test_add_func("/rfc2047/decode/split_char", test_decode_split);
	g_test_add_func("/rfc2047/decode/q", test_decode_q);
	g_test_add_func("/rfc2047/decode/malformed", test_decode_malformed);
	g_test_add_func("/rfc2047/decode/unfold", test_decode_unfold);
	g_test_add_func("/rfc2047/decode/bounded", test_decode_bounded);
	g_test_add_func("/rfc2047/recode/addresses", test_recode);
	g_test_add_func("/rfc2047/encode/ascii", test_encode_ascii);
	g_test_add_func("/rfc2047/encode/cuts", test_encode_cuts);
	g_test_add_func("/rfc2047/encode/mailboxes", test_encode_mailboxes);
	g_test_add_func("/rfc2047/encode/long_ascii", test_encode_long_ascii);
	g_test_add_func("/rfc2047/languages/gmime", test_languages_gmime);
	g_test_add_func("/rfc2047/languages/tmpl", test_languages_tmpl);
	g_test_add_func("/rfc2047/languages/notice", test_languages_notice);
	return g_test_run();
}
