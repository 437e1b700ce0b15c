/*
 * parser_date.c - read a date as a mail client wrote it in a forward's
 *	header block, in any supported language, into RFC 3339
 *
 * How it reads (no regex, no backtracking; at most DATE_MAX_TOKENS tokens):
 *	1. The text is cut into tokens: numbers (any Unicode decimal digits),
 *	   words (folded: lower case, diacritics removed, "ı" read as "i",
 *	   final sigma as sigma), single CJK ideographs, and punctuation
 *	   (full-width forms read as ASCII). Each token remembers whether
 *	   white space came before it.
 *	2. The time: H:MM[:SS] first, or CJK/Korean H時MM分; then an AM/PM
 *	   marker right after it (AM, a.m., π.μ., ...) or right before it
 *	   (오전, 午後, 下午, ...).
 *	3. The zone, after the time: +HHMM, +HH:MM, GMT/UTC[+H[:MM]],
 *	   "(UTC+01:00)", or a common abbreviation (CET, PST, OESZ, SEČ ...).
 *	4. The date: YYYY年MM月DD日 / YYYY년 MM월 DD일; Vietnamese
 *	   "ngày DD tháng MM năm YYYY" (the month a number); else a month name
 *	   (table below) with the day next to it and a four-digit year; else
 *	   numbers: Y-M-D when the first is four digits, otherwise day and
 *	   month in whichever order is valid (27/10 and 10/27 are both 27
 *	   October). When both orders are valid and differ (03/04/2025:
 *	   3 April in Europe, March 4 in the US) the date is not read with
 *	   confidence and NULL comes back (date_raw keeps the text; the
 *	   fixture 056-text-ionos-ambiguous-date expects exactly that).
 *	   Two-digit years mean 19YY from 70, else 20YY.
 *	5. Without a colon time, H.MM[.SS] (Finnish, Danish "kl. 09.31") is
 *	   looked for among the tokens the date did not use.
 *	A text without a time, a date, or (unless have_default) a zone gives
 *	NULL. Weekday names are recognised (so that French "mar." is not
 *	read as March) but not checked against the date.
 *
 * Month names that mean different months in different languages
 * ("listopad" is November in Czech and Polish, October in Croatian) are
 * settled by the other words of the same text: weekday names and small
 * connectors ("u", "o", "kl", "um") vote for their languages; without
 * votes the first language in the table wins.
 *
 * The tables are written already folded (what fold_char() makes of
 * them: "marz" for "März", "rijna" for "října"); a unit test checks it.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_date_int.h"
#include "parser/parser_date_tables.h"
#include "parser/parser_int.h"

typedef struct {
	int hour, minute, second;
	int first, last; /* token range */
	gboolean found;
} DateTimeOfDay;

typedef struct {
	int year, month, day;
	gboolean found;
} DateYMD;

/* ampm_word - 1 for an AM marker, 2 for PM, 0 for neither */
static int
ampm_word(const char *s)
{
	for (gsize i = 0; i < G_N_ELEMENTS(am_words); i++) {
		if (strcmp(s, am_words[i]) == 0)
			return 1;
		if (strcmp(s, pm_words[i]) == 0)
			return 2;
	}
	return 0;
}

/* ampm_span - AM/PM spelt by the glued words and dots first..last */
static int
ampm_span(const Toks *toks, int first, int last)
{
	char buf[32] = "";
	gsize len = 0;

	for (int k = first; k <= last; k++) {
		const Tok *t = &toks->t[k];
		gsize n;

		if (k > first && !glued(toks, k))
			return 0;
		if (t->kind == TOK_PUNCT && t->num == '.' && k > first)
			continue;
		if (t->kind != TOK_WORD)
			return 0;
		n = strlen(t->key);
		if (len + n >= sizeof(buf))
			return 0;
		memcpy(buf + len, t->key, n + 1);
		len += n;
	}
	return ampm_word(buf);
}

/* ampm_near - an AM/PM marker right after token after or right before
 * token before; its tokens are marked used, *end is its last token */
static int
ampm_near(Toks *toks, int before, int after, int *end)
{
	for (int last = after + 3; last >= after; last--) {
		int m;

		if (last >= toks->n)
			continue;
		m = ampm_span(toks, after, last);
		if (m != 0) {
			/* a trailing dot ("a.m.") belongs to it */
			if (is_punct(toks, last + 1, '.') &&
			    glued(toks, last + 1))
				last++;
			mark_used(toks, after, last);
			*end = last;
			return m;
		}
	}
	for (int first = before - 3; first <= before; first++) {
		int m;

		if (first < 0)
			continue;
		m = ampm_span(toks, first, before);
		if (m != 0) {
			mark_used(toks, first, before);
			return m;
		}
	}
	return 0;
}

/* num_glued - token i is an unused number of exactly ndig digits
 * (0: any up to 2) glued to the token before it */
static gboolean
num_glued(const Toks *toks, int i, int ndig)
{
	if (!is_num(toks, i, ndig == 0 ? 2 : ndig) || !glued(toks, i))
		return FALSE;
	return ndig == 0 || toks->t[i].ndigits == ndig;
}

/* time_sep_at - H<sep>MM[<sep>SS] at token i, every part glued */
static gboolean
time_sep_at(const Toks *toks, int i, int sep, DateTimeOfDay *tm)
{
	if (!is_num(toks, i, 2) || !is_punct(toks, i + 1, sep) ||
	    !glued(toks, i + 1) || !num_glued(toks, i + 2, 2))
		return FALSE;
	tm->hour = toks->t[i].num;
	tm->minute = toks->t[i + 2].num;
	tm->second = 0;
	tm->first = i;
	tm->last = i + 2;
	if (is_punct(toks, i + 3, sep) && glued(toks, i + 3) &&
	    num_glued(toks, i + 4, 2)) {
		tm->second = toks->t[i + 4].num;
		tm->last = i + 4;
	}
	return tm->hour <= 23 && tm->minute <= 59 && tm->second <= 59;
}

/* word_hyphen - token i is a '-' glued to a non-Latin word before it:
 * Hebrew "ב-10:15" (at 10:15) is a prefix, not a zone's sign (a zone
 * word before a sign is Latin: GMT-05:00) */
static gboolean
word_hyphen(const Toks *toks, int i)
{
	return is_punct(toks, i, '-') && i >= 1 && glued(toks, i) &&
	       toks->t[i - 1].kind == TOK_WORD &&
	       (guchar)toks->t[i - 1].key[0] >= 0x80;
}

/* time_colon - the first H:MM[:SS[.fff]] that is not a zone offset */
static gboolean
time_colon(Toks *toks, DateTimeOfDay *tm)
{
	for (int i = 0; i < toks->n; i++) {
		if (glued(toks, i) && (is_punct(toks, i - 1, '+') ||
					  (is_punct(toks, i - 1, '-') &&
					      !word_hyphen(toks, i - 1))))
			continue;
		if (!time_sep_at(toks, i, ':', tm))
			continue;
		if (is_punct(toks, tm->last + 1, '.') &&
		    glued(toks, tm->last + 1) &&
		    is_num(toks, tm->last + 2, 9) && glued(toks, tm->last + 2))
			tm->last += 2; /* fraction of a second */
		mark_used(toks, tm->first, tm->last);
		return tm->found = TRUE;
	}
	return FALSE;
}

/* time_cjk - 9時31分[05秒], 9시 31분 */
static gboolean
time_cjk(Toks *toks, DateTimeOfDay *tm)
{
	for (int i = 0; i + 3 < toks->n; i++) {
		if (!is_num(toks, i, 2) ||
		    !(is_word(toks, i + 1, "時") ||
			is_word(toks, i + 1, "时") ||
			is_word(toks, i + 1, "시")) ||
		    !is_num(toks, i + 2, 2) ||
		    !(is_word(toks, i + 3, "分") || is_word(toks, i + 3, "분")))
			continue;
		tm->hour = toks->t[i].num;
		tm->minute = toks->t[i + 2].num;
		tm->second = 0;
		tm->first = i;
		tm->last = i + 3;
		if (is_num(toks, i + 4, 2) && (is_word(toks, i + 5, "秒") ||
						  is_word(toks, i + 5, "초"))) {
			tm->second = toks->t[i + 4].num;
			tm->last = i + 5;
		}
		if (tm->hour > 23 || tm->minute > 59 || tm->second > 59)
			continue;
		mark_used(toks, tm->first, tm->last);
		return tm->found = TRUE;
	}
	return FALSE;
}

/* time_dotted - H.MM[.SS] among unused tokens, not part of a
 * dotted date (10.11.2021) */
static gboolean
time_dotted(Toks *toks, DateTimeOfDay *tm)
{
	for (int i = 0; i < toks->n; i++) {
		if (glued(toks, i) &&
		    (is_punct(toks, i - 1, '.') || is_punct(toks, i - 1, '/')))
			continue;
		if (!time_sep_at(toks, i, '.', tm))
			continue;
		if ((is_punct(toks, tm->last + 1, '.') ||
			is_punct(toks, tm->last + 1, '/')) &&
		    glued(toks, tm->last + 1) && glued(toks, tm->last + 2) &&
		    toks->t[tm->last + 2].kind == TOK_NUM)
			continue;
		mark_used(toks, tm->first, tm->last);
		return tm->found = TRUE;
	}
	return FALSE;
}

/* apply_ampm - 12-hour clock to 24-hour */
static void
apply_ampm(DateTimeOfDay *tm, int ampm)
{
	if (ampm == 0 || tm->hour < 1 || tm->hour > 12)
		return;
	if (ampm == 1 && tm->hour == 12)
		tm->hour = 0;
	else if (ampm == 2 && tm->hour != 12)
		tm->hour += 12;
}

/* offset_after_sign - the offset after the sign at token i: +HHMM,
 * +HMM, +H, +HH, +H:MM, +HH:MM; *last is its last token */
static gboolean
offset_after_sign(
    const Toks *toks, int i, gboolean short_ok, int *min, int *last)
{
	int sign = toks->t[i].num == '-' ? -1 : 1;
	const Tok *n = &toks->t[i + 1];
	int h, m = 0;

	if (!is_num(toks, i + 1, 4) || !glued(toks, i + 1))
		return FALSE;
	*last = i + 1;
	if (n->ndigits >= 3) {
		h = n->num / 100;
		m = n->num % 100;
	} else {
		h = n->num;
		if (is_punct(toks, i + 2, ':') && glued(toks, i + 2) &&
		    num_glued(toks, i + 3, 2)) {
			m = toks->t[i + 3].num;
			*last = i + 3;
		} else if (!short_ok) {
			return FALSE;
		}
	}
	if (h > 14 || m > 59)
		return FALSE;
	*min = sign * (h * 60 + m);
	return TRUE;
}

/* zone_word - a zone abbreviation's offset */
static gboolean
zone_word(const char *key, int *min)
{
	for (gsize i = 0; i < G_N_ELEMENTS(zone_abbrs); i++) {
		if (strcmp(key, zone_abbrs[i].name) == 0) {
			*min = zone_abbrs[i].minutes;
			return TRUE;
		}
	}
	return FALSE;
}

/* zone_at - a zone starting at token i */
static gboolean
zone_at(Toks *toks, int i, int *min, int *last)
{
	const Tok *t;

	if (i < 0 || i >= toks->n)
		return FALSE;
	t = &toks->t[i];
	*last = i;
	if (is_word(toks, i, "gmt") || is_word(toks, i, "utc") ||
	    is_word(toks, i, "ut")) {
		if ((is_punct(toks, i + 1, '+') ||
			is_punct(toks, i + 1, '-')) &&
		    glued(toks, i + 1) &&
		    offset_after_sign(toks, i + 1, TRUE, min, last))
			return TRUE;
		*min = 0;
		return TRUE;
	}
	if (is_word(toks, i, "z")) {
		/* ISO 8601 "09:31:00Z": only right after the time */
		*min = 0;
		return glued(toks, i) && toks->t[i - 1].kind == TOK_NUM &&
		       toks->t[i - 1].used;
	}
	if (t->kind == TOK_WORD)
		return zone_word(t->key, min);
	if (!is_punct(toks, i, '+') && !is_punct(toks, i, '-'))
		return FALSE;
	/* a bare offset: after white space, "(" or the time itself, and
	 * not the start of a time range ("9:00 AM - 10:00 AM") */
	if (!t->space_before && !is_punct(toks, i - 1, '(') &&
	    !(i > 0 && toks->t[i - 1].used && toks->t[i - 1].kind == TOK_NUM))
		return FALSE;
	if (!offset_after_sign(toks, i, FALSE, min, last))
		return FALSE;
	return *last + 1 >= toks->n ||
	       ampm_span(toks, *last + 1, *last + 1) == 0;
}

/* find_zone - the first zone after token from */
static gboolean
find_zone(Toks *toks, int from, int *min)
{
	for (int i = from; i < toks->n; i++) {
		int last;

		if (toks->t[i].used)
			continue;
		if (zone_at(toks, i, min, &last)) {
			mark_used(toks, i, last);
			return TRUE;
		}
	}
	return FALSE;
}

/* is_cjk_mark - token i is the CJK or Korean year/month/day mark */
static gboolean
is_cjk_mark(const Toks *toks, int i, const char *cjk, const char *ko)
{
	return is_word(toks, i, cjk) || is_word(toks, i, ko);
}

/* date_cjk - 2021年10月27日, 2021년 10월 27일 */
static gboolean
date_cjk(Toks *toks, DateYMD *d)
{
	for (int i = 0; i + 5 < toks->n; i++) {
		if (!is_num(toks, i, 4) || toks->t[i].ndigits != 4 ||
		    !is_cjk_mark(toks, i + 1, "年", "년") ||
		    !is_num(toks, i + 2, 2) ||
		    !is_cjk_mark(toks, i + 3, "月", "월") ||
		    !is_num(toks, i + 4, 2) ||
		    !is_cjk_mark(toks, i + 5, "日", "일"))
			continue;
		d->year = toks->t[i].num;
		d->month = toks->t[i + 2].num;
		d->day = toks->t[i + 4].num;
		mark_used(toks, i, i + 5);
		return d->found = TRUE;
	}
	return FALSE;
}

/* is_filler - a token that may stand between a day and its month:
 * "27. Okt", "27 de outubro", "Oct. 27" */
static gboolean
is_filler(const Toks *toks, int i)
{
	const Tok *t = &toks->t[i];

	if (t->kind == TOK_PUNCT)
		return t->num == '.' || t->num == ',';
	return t->kind == TOK_WORD && t->nmonths == 0 && t->wday_langs == 0 &&
	       g_utf8_strlen(t->key, -1) <= 3 && !t->used;
}

/* is_day - token i is an unused day number, not the start of a time */
static gboolean
is_day(const Toks *toks, int i)
{
	if (!is_num(toks, i, 2) || toks->t[i].num < 1 || toks->t[i].num > 31)
		return FALSE;
	return !((is_punct(toks, i + 1, ':') || is_punct(toks, i + 1, '.')) &&
		 glued(toks, i + 1) && glued(toks, i + 2) &&
		 toks->t[i + 2].kind == TOK_NUM);
}

/* day_near - the day number written next to the month word at m */
static int
day_near(const Toks *toks, int m)
{
	int j = m - 1;

	while (j >= 0 && j >= m - 2 && is_filler(toks, j) &&
	       toks->t[j].kind == TOK_PUNCT)
		j--;
	if (j >= 0 && toks->t[j].kind == TOK_WORD && is_filler(toks, j))
		j--;
	if (is_day(toks, j))
		return j;
	for (j = m + 1; j < toks->n && j <= m + 2 && is_filler(toks, j); j++)
		;
	return is_day(toks, j) ? j : -1;
}

/* year_near - the nearest unused four-digit year within six tokens */
static int
year_near(const Toks *toks, int m)
{
	for (int d = 1; d <= 6; d++) {
		for (int k = -1; k <= 1; k += 2) {
			int j = m + k * d;

			if (is_num(toks, j, 4) && toks->t[j].ndigits == 4 &&
			    toks->t[j].num >= 1900 && toks->t[j].num <= 2200)
				return j;
		}
	}
	return -1;
}

/* date_vi - Vietnamese months are numbers: "ngày 16 tháng 3 năm 2026"
 * (Outlook), "16 thg 3, 2026" (Gmail); the day is the number before
 * "tháng" (month), the year the nearest four digits */
static gboolean
date_vi(Toks *toks, DateYMD *d)
{
	for (int i = 1; i + 1 < toks->n; i++) {
		int year;

		if (!is_word(toks, i, "thang") && !is_word(toks, i, "thg"))
			continue;
		if (!is_num(toks, i + 1, 2) || toks->t[i + 1].num < 1 ||
		    toks->t[i + 1].num > 12 || !is_day(toks, i - 1))
			continue;
		if ((year = year_near(toks, i + 1)) < 0)
			continue;
		d->day = toks->t[i - 1].num;
		d->month = toks->t[i + 1].num;
		d->year = toks->t[year].num;
		mark_used(toks, i - 1, i + 1);
		toks->t[year].used = TRUE;
		return d->found = TRUE;
	}
	return FALSE;
}

/* month_of - the month a month word means, languages voting */
static int
month_of(const Toks *toks, int m)
{
	const Tok *t = &toks->t[m];
	int best = 0, best_votes = -1;

	for (int r = 0; r < t->nmonths; r++) {
		int votes = 0;

		for (int i = 0; i < toks->n; i++) {
			if (i != m && (toks->t[i].langs & t->months[r].langs))
				votes++;
		}
		if (votes > best_votes) {
			best_votes = votes;
			best = t->months[r].month;
		}
	}
	return best;
}

/* date_text - a month name with its day and year */
static gboolean
date_text(Toks *toks, DateYMD *d)
{
	int best = -1, best_score = 0, bday = -1, byear = -1;

	for (int i = 0; i < toks->n; i++) {
		int day, year, score;

		if (toks->t[i].nmonths == 0 || toks->t[i].used)
			continue;
		day = day_near(toks, i);
		year = year_near(toks, i);
		if (day < 0 || year < 0)
			continue;
		/* "mar. 2 nov. 2021": March loses, it is also a weekday */
		score = 20 - ABS(year - i) - (toks->t[i].wday_langs ? 10 : 0);
		if (best < 0 || score > best_score) {
			best = i;
			best_score = score;
			bday = day;
			byear = year;
		}
	}
	if (best < 0)
		return FALSE;
	d->month = month_of(toks, best);
	d->day = toks->t[bday].num;
	d->year = toks->t[byear].num;
	toks->t[best].used = toks->t[bday].used = toks->t[byear].used = TRUE;
	return d->found = TRUE;
}

/* numeric_sep_ok - the separator at token s joins its numbers */
static gboolean
numeric_sep_ok(const Toks *toks, int s, int sep)
{
	if (!is_punct(toks, s, sep) || !glued(toks, s))
		return FALSE;
	/* "27. 10. 2021" (Czech, Slovak) spaces after dots */
	return sep == '.' || glued(toks, s + 1);
}

/* numeric_ymd - read a, b, c of a numeric date into d */
static gboolean
numeric_ymd(const Tok *a, const Tok *b, const Tok *c, DateYMD *d)
{
	if (a->ndigits == 4) {
		if (c->ndigits > 2)
			return FALSE;
		d->year = a->num;
		d->month = b->num;
		d->day = c->num;
	} else if (a->ndigits <= 2 && (c->ndigits == 4 || c->ndigits == 2)) {
		d->year = c->ndigits == 4
			      ? c->num
			      : (c->num >= 70 ? 1900 : 2000) + c->num;
		/* 03/04 could be either: not read with confidence */
		if (a->num <= 12 && b->num <= 12 && a->num != b->num)
			return FALSE;
		d->day = b->num > 12 && a->num <= 12 ? b->num : a->num;
		d->month = b->num > 12 && a->num <= 12 ? a->num : b->num;
	} else {
		return FALSE;
	}
	return d->month >= 1 && d->month <= 12 && d->day >= 1 && d->day <= 31 &&
	       b->ndigits <= 2;
}

/* date_numeric - 27/10/2021, 2021-10-27, 27.10.21, 27. 10. 2021 */
static gboolean
date_numeric(Toks *toks, gboolean short_dot_ok, DateYMD *d)
{
	for (int i = 0; i + 4 < toks->n; i++) {
		const Tok *c = &toks->t[i + 4];
		int sep = toks->t[i + 1].num;

		if (toks->t[i + 1].kind != TOK_PUNCT ||
		    (sep != '/' && sep != '.' && sep != '-'))
			continue;
		if (!is_num(toks, i, 4) || !numeric_sep_ok(toks, i + 1, sep) ||
		    !is_num(toks, i + 2, 2) ||
		    !numeric_sep_ok(toks, i + 3, sep) ||
		    !is_num(toks, i + 4, 4))
			continue;
		if (sep == '.' && c->ndigits == 2 && !short_dot_ok)
			continue;
		if (!numeric_ymd(&toks->t[i], &toks->t[i + 2], c, d))
			continue;
		mark_used(toks, i, i + 4);
		return d->found = TRUE;
	}
	return FALSE;
}

/* format_rfc3339 - validate with GDateTime and print */
static char *
format_rfc3339(const DateYMD *d, const DateTimeOfDay *tm, int offset_min)
{
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) dt = NULL;

	if (offset_min < -14 * 60 || offset_min > 14 * 60)
		return NULL;
	tz = g_time_zone_new_offset(offset_min * 60);
	dt = g_date_time_new(
	    tz, d->year, d->month, d->day, tm->hour, tm->minute, tm->second);
	if (dt == NULL)
		return NULL;
	return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
}

/* read_time_zone - AM/PM and zone around a time just found */
static gboolean
read_time_zone(Toks *toks, DateTimeOfDay *tm, int *offset)
{
	int end = tm->last;
	int ampm = ampm_near(toks, tm->first - 1, tm->last + 1, &end);

	apply_ampm(tm, ampm);
	return find_zone(toks, end + 1, offset);
}

/* parser_date_to_rfc3339 - a forward block's date as RFC 3339 */
char *
parser_date_to_rfc3339(
    const char *raw, int default_offset_min, gboolean have_default)
{
	g_autofree Toks *toks = NULL;
	DateTimeOfDay tm = { 0 };
	DateYMD d = { 0 };
	gboolean have_zone = FALSE;
	int offset = 0;

	if (raw == NULL || strlen(raw) > DATE_MAX_INPUT ||
	    !g_utf8_validate(raw, -1, NULL))
		return NULL;
	toks = g_new(Toks, 1); /* not zeroed: date_tokenize() sets n, tokens */
	if (!date_tokenize(raw, toks))
		return NULL;
	if (time_colon(toks, &tm) || time_cjk(toks, &tm))
		have_zone = read_time_zone(toks, &tm, &offset);
	if (!date_cjk(toks, &d) && !date_vi(toks, &d) && !date_text(toks, &d))
		date_numeric(toks, tm.found, &d);
	if (!tm.found && time_dotted(toks, &tm))
		have_zone = read_time_zone(toks, &tm, &offset);
	if (!tm.found || !d.found)
		return NULL;
	if (!have_zone && !have_default)
		return NULL;
	return format_rfc3339(&d, &tm, have_zone ? offset : default_offset_min);
}
