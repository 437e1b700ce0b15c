/*
 * test_parser_date.c - parser_date_to_rfc3339(): dates as mail clients
 *	write them in forward header blocks, in every supported language
 */
#include "config.h"

#include <string.h>

#include "parser/parser_date_index.h"
#include "parser/parser_date_int.h"
#include "parser/parser_date_tables.h"
#include "parser/parser_int.h"

typedef struct {
	const char *name;
	const char *raw;
	int default_offset; /* minutes */
	gboolean have_default;
	const char *want; /* NULL: must not be read */
} DateCase;

#define D TRUE /* a default offset of +01:00 is given */

static const DateCase cases[] = {
	/* RFC 5322 */
	{ "rfc5322", "Wed, 27 Oct 2021 09:31:00 +0200", 0, FALSE,
	    "2021-10-27T09:31:00+02:00" },
	{ "rfc5322-comment", "Wed, 3 Nov 2021 15:51:30 +0100 (CET)", 0, FALSE,
	    "2021-11-03T15:51:30+01:00" },
	{ "rfc5322-negative", "Mon, 19 Sep 2022 17:55:44 -0400", 0, FALSE,
	    "2022-09-19T17:55:44-04:00" },
	{ "rfc5322-gmt", "27 Oct 2021 09:31 GMT", 0, FALSE,
	    "2021-10-27T09:31:00+00:00" },
	/* Gmail and its translations */
	{ "en-gmail", "Wed, Oct 27, 2021 at 9:31 AM", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "en-gmail-pm", "Wed, Oct 27, 2021 at 9:31 PM", 120, D,
	    "2021-10-27T21:31:00+02:00" },
	{ "de-gmail", "Mi., 27. Okt. 2021 um 09:31 Uhr", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "fr-gmail", "mer. 27 oct. 2021 à 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "es-gmail", "mié, 27 oct 2021 a las 9:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "it-gmail", "mer 27 ott 2021 alle ore 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "pt-br-gmail", "qua., 27 de out. de 2021 às 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "nl-gmail", "wo 27 okt. 2021 om 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "da-gmail", "ons. 27. okt. 2021 kl. 09.31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "sv-gmail", "ons 27 okt. 2021 kl 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "fi-gmail", "ke 27. lokak. 2021 klo 9.31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "cs-gmail", "st 27. 10. 2021 v 9:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "pl-gmail", "śr., 27 paź 2021 o 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "hu-gmail", "2021. okt. 27., Sze, 9:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "ro-gmail", "mie., 27 oct. 2021 la 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "hr-gmail", "sri, 27. lis 2021. u 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "tr-gmail", "27 Eki 2021 Çar, 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "ru-gmail", "ср, 27 окт. 2021 г. в 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "uk-gmail", "ср, 27 жовт. 2021 о 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "et-gmail", "K, 27. oktoober 2021 kell 09:31", 120, D,
	    "2021-10-27T09:31:00+02:00" },
	{ "ja-gmail", "2021年10月27日(水) 9:31", 540, D,
	    "2021-10-27T09:31:00+09:00" },
	{ "ja-pm", "2021年10月27日 水曜日 午後3:05", 540, D,
	    "2021-10-27T15:05:00+09:00" },
	{ "ja-kanji-time", "2021年10月27日 9時31分", 540, D,
	    "2021-10-27T09:31:00+09:00" },
	{ "ja-fullwidth", "２０２１年１０月２７日 ９：３１", 540, D,
	    "2021-10-27T09:31:00+09:00" },
	{ "ko-gmail", "2021년 10월 27일 (수) 오전 9:31", 540, D,
	    "2021-10-27T09:31:00+09:00" },
	{ "ko-pm", "2021년 10월 27일 (수) 오후 12:05", 540, D,
	    "2021-10-27T12:05:00+09:00" },
	{ "zh-hans", "2021年10月27日 星期三 下午9:31", 480, D,
	    "2021-10-27T21:31:00+08:00" },
	{ "zh-hant", "2021年10月27日 週三 上午12:10", 480, D,
	    "2021-10-27T00:10:00+08:00" },
	/* Hebrew: "in March" is one word, weekdays as letters with geresh */
	{ "he-outlook", "יום ב׳, 3 במרץ 2025 10:15", 120, D,
	    "2025-03-03T10:15:00+02:00" },
	{ "he-gmail-hyphen", "יום ב׳, 3 במרץ 2025 ב-10:15", 120, D,
	    "2025-03-03T10:15:00+02:00" },
	{ "gmt-minus-kept", "3 Mar 2025 10:15 GMT-05:00", 120, D,
	    "2025-03-03T10:15:00-05:00" },
	{ "he-full-weekday", "יום שני, 3 במרץ 2025 בשעה 10:15", 120, D,
	    "2025-03-03T10:15:00+02:00" },
	{ "he-marks",
	    "\u200fיום ה׳\u200f, \u200e13\u200f בנובמבר \u200e2025 "
	    "\u200e18:40",
	    120, D, "2025-11-13T18:40:00+02:00" },
	{ "he-niqqud-nominative", "3 מֶרְץ 2025 10:15", 120, D,
	    "2025-03-03T10:15:00+02:00" },
	/* Arabic: Egyptian and Levantine month names, hamza forms, ص/م */
	{ "ar-gmail", "الاثنين، 3 مارس 2025 10:15 ص", 180, D,
	    "2025-03-03T10:15:00+03:00" },
	{ "ar-pm", "الأربعاء، 5 أغسطس 2026 4:05 م", 180, D,
	    "2026-08-05T16:05:00+03:00" },
	{ "ar-levant", "الخميس، ١٣ آذار ٢٠٢٥ ١٠:١٥", 180, D,
	    "2025-03-13T10:15:00+03:00" },
	{ "ar-hamza-below", "الإثنين، 3 مارس 2025 في 10:15", 180, D,
	    "2025-03-03T10:15:00+03:00" },
	{ "el-gmail", "Τετ, 27 Οκτ 2021 στις 9:31 π.μ.", 180, D,
	    "2021-10-27T09:31:00+03:00" },
	{ "el-pm-genitive", "Τετάρτη, 27 Οκτωβρίου 2021 στις 9:31 μ.μ.", 180, D,
	    "2021-10-27T21:31:00+03:00" },
	{ "el-upper", "ΤΕΤ, 27 ΟΚΤΩΒΡΙΟΥ 2021 9:31", 180, D,
	    "2021-10-27T09:31:00+03:00" },
	/* Outlook and Gmail in the languages added for issue 12 */
	{ "id-outlook-dotted", "Senin, 16 Maret 2026 10.15", 420, D,
	    "2026-03-16T10:15:00+07:00" },
	{ "id-gmail", "Sen, 16 Mar 2026 pukul 10.15", 420, D,
	    "2026-03-16T10:15:00+07:00" },
	{ "ms-outlook-pg", "Isnin, 16 Mac 2026 10:15 PG", 480, D,
	    "2026-03-16T10:15:00+08:00" },
	{ "ms-ptg", "Khamis, 6 Ogos 2026 3:40 PTG", 480, D,
	    "2026-08-06T15:40:00+08:00" },
	{ "vi-outlook", "Thứ Hai, ngày 16 tháng 3 năm 2026 10:15 SA", 420, D,
	    "2026-03-16T10:15:00+07:00" },
	{ "vi-gmail-pm", "Th 5, 6 thg 8, 2026 lúc 3:40 CH", 420, D,
	    "2026-08-06T15:40:00+07:00" },
	{ "lt-outlook", "2026 m. kovo 16 d., pirmadienis 10:15", 120, D,
	    "2026-03-16T10:15:00+02:00" },
	{ "lv-outlook", "ceturtdiena, 2026. gada 6. augusts 15:40", 120, D,
	    "2026-08-06T15:40:00+02:00" },
	{ "ca-outlook", "dijous, 6 d’agost de 2026 15:40", 60, D,
	    "2026-08-06T15:40:00+01:00" },
	{ "ca-gmail", "dl., 16 de gener 2026 a les 10:15", 60, D,
	    "2026-01-16T10:15:00+01:00" },
	{ "gl-outlook", "xoves, 6 de xullo de 2026 15:40", 60, D,
	    "2026-07-06T15:40:00+01:00" },
	{ "eu-outlook", "2026(e)ko abuztuaren 6(a), osteguna 15:40", 60, D,
	    "2026-08-06T15:40:00+01:00" },
	{ "bg-outlook", "четвъртък, 6 август 2026 г. 15:40", 120, D,
	    "2026-08-06T15:40:00+02:00" },
	{ "sr-cyrl-outlook", "четвртак, 6. август 2026. 15:40", 60, D,
	    "2026-08-06T15:40:00+01:00" },
	{ "sr-latn-outlook", "četvrtak, 6. avgust 2026. 15:40", 60, D,
	    "2026-08-06T15:40:00+01:00" },
	{ "sl-outlook", "četrtek, 6. avgust 2026 15:40", 60, D,
	    "2026-08-06T15:40:00+01:00" },
	{ "is-outlook", "fimmtudagur, 6. ágúst 2026 15:40", 0, D,
	    "2026-08-06T15:40:00+00:00" },
	{ "fa-outlook-pm", "پنجشنبه، 6 اوت 2026 3:40 ب.ظ.", 210, D,
	    "2026-08-06T15:40:00+03:30" },
	{ "fa-persian-digits", "دوشنبه ۱۶ مارس ۲۰۲۶ ساعت ۱۰:۱۵", 210, D,
	    "2026-03-16T10:15:00+03:30" },
	{ "hi-outlook", "गुरुवार, 6 अगस्त 2026 3:40 अपराह्न", 330, D,
	    "2026-08-06T15:40:00+05:30" },
	{ "sw-outlook", "Jumatatu, 16 Machi 2026 10:15", 180, D,
	    "2026-03-16T10:15:00+03:00" },
	{ "tl-outlook", "Huwebes, Agosto 6, 2026 3:40 PM", 480, D,
	    "2026-08-06T15:40:00+08:00" },
	{ "th-outlook", "วันพฤหัสบดีที่ 6 สิงหาคม 2026 15:40", 420, D,
	    "2026-08-06T15:40:00+07:00" },
	/* Outlook */
	{ "en-outlook", "Wednesday, October 27, 2021 9:31 AM", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "en-outlook-dmy", "27 October 2021 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "de-outlook", "Mittwoch, 27. Oktober 2021 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "fr-outlook", "jeudi, 28 octobre 2021 à 12:06", 60, D,
	    "2021-10-28T12:06:00+01:00" },
	{ "sk-outlook", "štvrtok, 28. októbra 2021, 12:46", 60, D,
	    "2021-10-28T12:46:00+01:00" },
	{ "tr-outlook", "Perşembe, 28 Ekim 2021 12:46", 60, D,
	    "2021-10-28T12:46:00+01:00" },
	{ "tr-upper", "PERŞEMBE, 28 EKİM 2021 12:46", 60, D,
	    "2021-10-28T12:46:00+01:00" },
	{ "ru-outlook", "четверг, 28 октября 2021 г. в 12:46", 180, D,
	    "2021-10-28T12:46:00+03:00" },
	{ "outlook-utc-zone",
	    "Wednesday, October 27, 2021 9:31 AM (UTC+01:00) "
	    "Amsterdam, Berlin, Bern, Rome",
	    0, FALSE, "2021-10-27T09:31:00+01:00" },
	{ "outlook-range-not-zone",
	    "Wednesday, October 27, 2021 9:00 AM - 10:00 AM", 60, D,
	    "2021-10-27T09:00:00+01:00" },
	/* Apple Mail */
	{ "en-apple", "27 Oct 2021, at 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "en-apple-on", "On 27 Oct 2021, at 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "de-apple-oesz", "26. Oktober 2021 um 14:25:08 OESZ", 0, FALSE,
	    "2021-10-26T14:25:08+03:00" },
	{ "fi-apple", "26. lokakuuta 2021 klo 14.25.08 UTC+3", 0, FALSE,
	    "2021-10-26T14:25:08+03:00" },
	{ "hr-apple-october", "26. listopada 2021. u 14:25:08 EEST", 0, FALSE,
	    "2021-10-26T14:25:08+03:00" },
	{ "pl-yahoo-november", "wtorek, 2 listopada 2021, 09:26:50 CET", 0,
	    FALSE, "2021-11-02T09:26:50+01:00" },
	{ "cs-yahoo", "úterý 2. listopadu 2021 09:26:50 SEČ", 0, FALSE,
	    "2021-11-02T09:26:50+01:00" },
	{ "hu-yahoo", "2021. november 2., kedd 09:26:50 CET", 0, FALSE,
	    "2021-11-02T09:26:50+01:00" },
	{ "fr-weekday-mar", "mar. 2 nov. 2021 09:26", 60, D,
	    "2021-11-02T09:26:00+01:00" },
	/* numeric */
	{ "numeric-thunderbird", "27/10/2021 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "numeric-ambiguous", "02/10/2023 4:52 PM EST", 0, FALSE, NULL },
	{ "numeric-ambiguous-dotted", "03.04.2025 11:15", 60, D, NULL },
	{ "numeric-same-both-ways", "05/05/2021 09:31", 60, D,
	    "2021-05-05T09:31:00+01:00" },
	{ "numeric-month-first", "10/27/2021 12:46", 60, D,
	    "2021-10-27T12:46:00+01:00" },
	{ "numeric-day-first", "13/10/2021 12:46", 60, D,
	    "2021-10-13T12:46:00+01:00" },
	{ "numeric-iso", "2021-10-27 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "numeric-iso-t", "2021-10-27T09:31:00+02:00", 0, FALSE,
	    "2021-10-27T09:31:00+02:00" },
	{ "numeric-iso-z", "2021-10-27T09:31:00Z", 0, FALSE,
	    "2021-10-27T09:31:00+00:00" },
	{ "numeric-two-digit-year", "Em 28/10/21, 12:46", 60, D,
	    "2021-10-28T12:46:00+01:00" },
	{ "numeric-dotted", "Mi 27.10.2021 09:31", 60, D,
	    "2021-10-27T09:31:00+01:00" },
	{ "numeric-dotted-time", "D. 28/10/2021 12.46", 60, D,
	    "2021-10-28T12:46:00+01:00" },
	{ "zh-hant-apple-gmt-brackets", "2025年3月28日 下午4:45:12 [GMT+8]", 0,
	    FALSE, "2025-03-28T16:45:12+08:00" },
	{ "zone-gmt-plus", "27/10/2021 09:31 GMT+2", 0, FALSE,
	    "2021-10-27T09:31:00+02:00" },
	{ "zone-pst", "Wed, Oct 27, 2021 at 9:31 AM PST", 0, FALSE,
	    "2021-10-27T09:31:00-08:00" },
	{ "zone-half-hour", "27 Oct 2021 09:31 +0530", 0, FALSE,
	    "2021-10-27T09:31:00+05:30" },
	{ "noon-am-pm", "Oct 27, 2021 12:00 PM", 0, D,
	    "2021-10-27T12:00:00+00:00" },
	{ "midnight-am", "Oct 27, 2021 12:15 a.m.", 0, D,
	    "2021-10-27T00:15:00+00:00" },
	/* what must not be read */
	{ "no-zone-no-default", "Wed, Oct 27, 2021 at 9:31 AM", 0, FALSE,
	    NULL },
	{ "no-time", "Wed, 27 Oct 2021", 60, D, NULL },
	{ "no-year", "Wed, Oct 27 at 9:31 AM", 60, D, NULL },
	{ "invalid-day", "Mon, 31 Feb 2021 09:31 +0100", 0, FALSE, NULL },
	{ "invalid-hour", "27 Oct 2021 25:31 +0100", 0, FALSE, NULL },
	{ "invalid-month-both-ways", "13/13/2021 09:31", 60, D, NULL },
	{ "zone-out-of-range", "27 Oct 2021 09:31 +1900", 0, FALSE, NULL },
	{ "empty", "", 60, D, NULL },
	{ "words", "Integer consequat non purus", 60, D, NULL },
	{ "invalid-utf8", "27 Oct 2021 09:31 \xff\xfe", 60, D, NULL },
};

/* test_case - one table row */
static void
test_case(gconstpointer data)
{
	const DateCase *c = data;
	g_autofree char *got =
	    parser_date_to_rfc3339(c->raw, c->default_offset, c->have_default);

	g_assert_cmpstr(got, ==, c->want);
}

/* test_null - NULL in, NULL out */
static void
test_null(void)
{
	g_assert_null(parser_date_to_rfc3339(NULL, 0, TRUE));
}

/* test_too_long - a date field is short; a long text is not read */
static void
test_too_long(void)
{
	g_autoptr(GString) s = g_string_new("Wed, 27 Oct 2021 09:31 +0100 ");
	g_autofree char *got = NULL;

	while (s->len < 4096)
		g_string_append(s, "lorem ipsum ");
	got = parser_date_to_rfc3339(s->str, 0, TRUE);
	g_assert_null(got);
}

/* test_many_tokens - a short text of many tokens stops the reader */
static void
test_many_tokens(void)
{
	g_autoptr(GString) s = g_string_new("27 Oct 2021 09:31");
	g_autofree char *got = NULL;

	for (int i = 0; i < 120; i++)
		g_string_append_c(s, '.');
	got = parser_date_to_rfc3339(s->str, 0, TRUE);
	g_assert_null(got);
}

/* check_folded - every spelling in a table list is already folded */
static void
check_folded(const char *list, const char *lang)
{
	g_auto(GStrv) groups = g_strsplit_set(list, "| ", -1);

	for (char **w = groups; *w != NULL; w++) {
		g_autoptr(GString) f = g_string_new(NULL);

		g_assert_true(g_utf8_validate(*w, -1, NULL));
		for (const char *p = *w; *p != '\0'; p = g_utf8_next_char(p)) {
			gunichar c = date_fold_char(g_utf8_get_char(p));

			if (c != 0)
				g_string_append_unichar(f, c);
		}
		if (strcmp(f->str, *w) != 0)
			g_test_message(
			    "%s: \"%s\" folds to \"%s\"", lang, *w, f->str);
		g_assert_cmpstr(f->str, ==, *w);
	}
}

/* test_tables_folded - the tables are written as the reader folds */
static void
test_tables_folded(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(date_langs); i++) {
		g_auto(GStrv) months =
		    g_strsplit(date_langs[i].months, "|", -1);
		g_auto(GStrv) days =
		    g_strsplit(date_langs[i].weekdays, "|", -1);

		g_assert_cmpuint(g_strv_length(months), ==, 12);
		g_assert_cmpuint(g_strv_length(days), ==, 7);
		check_folded(date_langs[i].months, date_langs[i].lang);
		check_folded(date_langs[i].weekdays, date_langs[i].lang);
		check_folded(date_langs[i].words, date_langs[i].lang);
	}
	g_assert_cmpuint(G_N_ELEMENTS(date_langs), <=, 64);
	for (gsize i = 0; i < G_N_ELEMENTS(zone_abbrs); i++)
		check_folded(zone_abbrs[i].name, "zones");
}

/* index_has - date_index[] holds spelling for (lang, kind, group) */
static gboolean
index_has(const char *spelling, gsize lang, int kind, int group)
{
	for (gsize k = 0; k < G_N_ELEMENTS(date_index); k++) {
		const DateIx *x = &date_index[k];

		if (x->lang == lang && x->kind == kind && x->group == group &&
		    strcmp(x->key, spelling) == 0)
			return TRUE;
	}
	return FALSE;
}

/* count_in - spellings of one list, each looked up in the index */
static gsize
count_in(const char *list, gsize lang, int kind)
{
	g_auto(GStrv) groups = g_strsplit(list, "|", -1);
	gsize n = 0;

	for (int g = 0; groups[g] != NULL; g++) {
		g_auto(GStrv) words = g_strsplit(groups[g], " ", -1);

		for (char **w = words; *w != NULL; w++) {
			if (**w == '\0')
				continue;
			if (!index_has(
				*w, lang, kind, kind == DATE_IX_WORD ? 0 : g))
				g_error(
				    "%s: \"%s\" is not in parser_date_index.h: "
				    "run parser/labels/gen_dates.py",
				    date_langs[lang].lang, *w);
			n++;
		}
	}
	return n;
}

/* test_index_in_sync - parser_date_index.h holds exactly the tables'
 * spellings, sorted for bisection (gen_dates.py writes it) */
static void
test_index_in_sync(void)
{
	gsize n = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(date_langs); i++) {
		n += count_in(date_langs[i].months, i, DATE_IX_MONTH);
		n += count_in(date_langs[i].weekdays, i, DATE_IX_WEEKDAY);
		n += count_in(date_langs[i].words, i, DATE_IX_WORD);
	}
	g_assert_cmpuint(n, ==, G_N_ELEMENTS(date_index));
	for (gsize k = 1; k < G_N_ELEMENTS(date_index); k++)
		g_assert_cmpint(
		    strcmp(date_index[k - 1].key, date_index[k].key), <=, 0);
}

/* test_every_month - every language's full name of every month */
static void
test_every_month(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(date_langs); i++) {
		g_auto(GStrv) months =
		    g_strsplit(date_langs[i].months, "|", -1);
		g_auto(GStrv) words = g_strsplit(date_langs[i].words, " ", -1);

		for (int m = 0; m < 12; m++) {
			g_auto(GStrv) names = g_strsplit(months[m], " ", -1);
			/* the connector tells the language, as in real mail
			 * ("listopad" is October only in Croatian) */
			g_autofree char *raw = g_strdup_printf(
			    "12 %s 2021 %s 10:00 +0000", names[0], words[0]);
			g_autofree char *want = g_strdup_printf(
			    "2021-%02d-12T10:00:00+00:00", m + 1);
			g_autofree char *got =
			    parser_date_to_rfc3339(raw, 0, FALSE);

			if (g_strcmp0(got, want) != 0)
				g_test_message(
				    "%s: %s", date_langs[i].lang, raw);
			g_assert_cmpstr(got, ==, want);
		}
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = g_strdup_printf(
		    "/parser/date_to_rfc3339/%s", cases[i].name);

		g_test_add_data_func(path, &cases[i], test_case);
	}
	g_test_add_func("/parser/date_to_rfc3339/null", test_null);
	g_test_add_func(
	    "/parser/date_to_rfc3339/index-in-sync", test_index_in_sync);
	g_test_add_func("/parser/date_to_rfc3339/too-long", test_too_long);
	g_test_add_func(
	    "/parser/date_to_rfc3339/many-tokens", test_many_tokens);
	g_test_add_func(
	    "/parser/date_to_rfc3339/tables-folded", test_tables_folded);
	g_test_add_func(
	    "/parser/date_to_rfc3339/every-month", test_every_month);
	return g_test_run();
}
