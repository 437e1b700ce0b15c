/*
 * parser_attrib.c - "On DATE, WHO wrote:" lines, as data
 *
 * Outlook 2019 forwards (and every client's replies) start the quoted
 * message with one attribution line instead of a header block. Each row
 * below is such a line in one language: a literal before, the date (D)
 * and the sender (W) in the order the language puts them, the literal
 * between them, and the literal before the final colon. Matching is
 * anchored at both ends of the line; the sender is found by its
 * bracketed address or its quotes, so no backtracking is needed.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_scan.h"

typedef struct {
	const char *pre;  /* before the first part */
	char first;       /* 'D' = date first, 'W' = sender first */
	const char *mid;  /* between the parts */
	const char *post; /* after the second part, before ':' */
} AttribRow;

static const AttribRow attribs[] = {
	{ "On ", 'D', ", ", " wrote" },               /* en */
	{ "On ", 'D', " ", " wrote" },                /* en, Gmail */
	{ "Dne ", 'D', ", ", " napsal(a)" },          /* cs */
	{ "D. ", 'D', " skrev ", "" },                /* da */
	{ "Den ", 'D', " skrev ", " følgende" },      /* sv */
	{ "Den ", 'D', " skrev ", "" },               /* da, no */
	{ "Am ", 'D', " schrieb ", "" },              /* de */
	{ "El ", 'D', ", ", " escribió" },            /* es */
	{ "Le ", 'D', ", ", " a écrit" },             /* fr */
	{ "", 'W', " kirjoitti ", "" },               /* fi */
	{ "", 'D', " időpontban ", " ezt írta" },     /* hu */
	{ "Il giorno ", 'D', " ", " ha scritto" },    /* it */
	{ "Il giorno ", 'D', ", ", " ha scritto" },   /* it */
	{ "Op ", 'D', " heeft ", " geschreven" },     /* nl */
	{ "Op ", 'D', " schreef ", "" },              /* nl */
	{ "", 'W', " skrev følgende den ", "" },      /* no */
	{ "Dnia ", 'D', " użytkownik ", " napisał" }, /* pl */
	{ "Dnia ", 'D', ", ", " napisał" },           /* pl */
	{ "W dniu ", 'D', ", ", " pisze" },           /* pl, Thunderbird */
	{ "Em ", 'D', ", ", " escreveu" },            /* pt */
	{ "", 'D', " пользователь ", " написал" },    /* ru */
	{ "", 'D', ", ", " написал" },                /* ru */
	{ "", 'D', " používateľ ", " napísal" },      /* sk */
	{ "", 'W', ", ", " tarihinde şunu yazdı" },   /* tr */
	{ "În ", 'D', ", ", " a scris" },             /* ro */
	{ "", 'W', " 于", "写道" },                   /* zh-Hans, Gmail */
	{ "在 ", 'D', "，", " 写道" },                /* zh-Hans */
	{ "", 'W', " 於 ", " 寫道" },                 /* zh-Hant, Gmail */
	{ "", 'D', ", ", "님이 작성" },               /* ko, Gmail */
	{ "Στις ", 'D', ", ο/η ", " έγραψε" },        /* el, Gmail */
	{ "Στις ", 'D', ", ", " έγραψε" },            /* el */
	{ "", 'D', "、", " のメール" },               /* ja, Outlook for Mac */
	{ "在 ", 'D', "，", " 写入" },                /* zh-Hans, Outlook */
	{ "於 ", 'D', "，", " 寫入" },                /* zh-Hant, Outlook */
	{ "", 'D', ", ", "이(가) 작성한 메시지" },    /* ko, Outlook */
};

/* addr_group - [open, close] of the bracket group around the last '@' */
static gboolean
addr_group(const char *s, gsize len, gsize *open, gsize *close)
{
	gsize at = len, o, c;

	while (at > 0 && s[at - 1] != '@')
		at--;
	if (at == 0)
		return FALSE;
	at--;
	for (o = at; o > 0; o--)
		if (strchr("<[( ", s[o - 1]) != NULL)
			break;
	if (o == 0 || s[o - 1] == ' ')
		return FALSE;
	o--;
	for (c = at; c < len; c++)
		if (strchr(">])", s[c]) != NULL)
			break;
	if (c >= len)
		return FALSE;
	/* Slovak Outlook writes "Name (<addr>)" */
	if (o > 0 && s[o - 1] == '(' && c + 1 < len && s[c + 1] == ')') {
		o--;
		c++;
	}
	*open = o;
	*close = c;
	return TRUE;
}

/* quote_open - start of the quoted name that ends just before `end` */
static gboolean
quote_open(const char *s, gsize end, gsize *open)
{
	static const char *const pairs[][2] = {
		{ "\"", "\"" },
		{ "«", "»" },
		{ "「", "」" },
		{ "„", "”" },
		{ "“", "”" },
		{ "'", "'" },
	};

	while (end > 0 && s[end - 1] == ' ')
		end--;
	for (gsize k = 0; k < G_N_ELEMENTS(pairs); k++) {
		gsize cl = strlen(pairs[k][1]), ol = strlen(pairs[k][0]);

		if (end < cl + ol || memcmp(s + end - cl, pairs[k][1], cl) != 0)
			continue;
		for (gsize i = end - cl; i >= ol; i--) {
			if (memcmp(s + i - ol, pairs[k][0], ol) == 0) {
				*open = i - ol;
				return TRUE;
			}
		}
	}
	return FALSE;
}

/* find_last - offset of the last `word` in s[0, end), or -1 */
static gssize
find_last(const char *s, gsize end, const char *word)
{
	gsize wl = strlen(word);

	for (gsize i = end; i >= wl; i--)
		if (memcmp(s + i - wl, word, wl) == 0)
			return (gssize)(i - wl);
	return -1;
}

/* time_end - end of the last "H:MM[ AM]" before `end`, or 0 */
static gsize
time_end(const char *s, gsize end)
{
	static const char *const ampm[] = { " AM", " PM", " am", " pm", " a.m.",
		" p.m.", " Uhr" };

	for (gsize i = end; i >= 3; i--) {
		gsize j = i;

		if (!(s[i - 3] == ':' && g_ascii_isdigit(s[i - 2]) &&
			g_ascii_isdigit(s[i - 1])))
			continue;
		for (gsize k = 0; k < G_N_ELEMENTS(ampm); k++) {
			gsize n = strlen(ampm[k]);

			if (j + n <= end && memcmp(s + j, ampm[k], n) == 0) {
				j += n;
				break;
			}
		}
		return j;
	}
	return 0;
}

/* has_time - s[0, len) holds "H:MM", so it is a date, not a name */
static gboolean
has_time(const char *s, gsize len)
{
	for (gsize i = 1; i + 2 < len; i++)
		if (s[i] == ':' && g_ascii_isdigit(s[i - 1]) &&
		    g_ascii_isdigit(s[i + 1]) && g_ascii_isdigit(s[i + 2]))
			return TRUE;
	return FALSE;
}

/* ends_with_mid - s[0, e) ends with mid (its trailing blanks ignored) */
static gboolean
ends_with_mid(const char *s, gsize e, const char *mid, gsize *start)
{
	gsize ml = strlen(mid);

	while (ml > 0 && mid[ml - 1] == ' ')
		ml--;
	if (ml == 0 || e < ml || memcmp(s + e - ml, mid, ml) != 0)
		return FALSE;
	*start = e - ml;
	return TRUE;
}

/* split_date_first - DATE MID WHO: where DATE ends, where WHO starts */
static gboolean
split_date_first(
    const char *s, gsize len, const char *mid, gsize *date_end, gsize *who)
{
	gsize open, close, name_end = len;
	gboolean blank_mid = strspn(mid, " ") == strlen(mid);
	gssize k;

	if (addr_group(s, len, &open, &close) && close + 1 == len)
		name_end = open;
	if (quote_open(s, name_end, &open)) {
		gsize e = open;

		while (e > 0 && s[e - 1] == ' ')
			e--;
		*who = open;
		if (blank_mid) {
			*date_end = e;
			return e > 0;
		}
		return ends_with_mid(s, e, mid, date_end) && *date_end > 0;
	}
	if (blank_mid) {
		*date_end = time_end(s, name_end);
		*who = *date_end + 1;
		return *date_end > 0 && *who < name_end;
	}
	k = find_last(s, name_end, mid);
	if (k <= 0)
		return FALSE;
	*date_end = (gsize)k;
	*who = (gsize)k + strlen(mid);
	return *who < len &&
	       !has_time(s + *who, name_end - MIN(*who, name_end));
}

/* split_who_first - WHO MID DATE: where WHO ends, where DATE starts */
static gboolean
split_who_first(
    const char *s, gsize len, const char *mid, gsize *who_end, gsize *date)
{
	gsize open, close, ml = strlen(mid);
	const char *hit;

	if (addr_group(s, len, &open, &close)) {
		gsize after = close + 1;

		if (after + ml > len || memcmp(s + after, mid, ml) != 0)
			return FALSE;
		*who_end = after;
		*date = after + ml;
		return *date < len;
	}
	hit = g_strstr_len(s, (gssize)len, mid);
	if (hit == NULL || hit == s)
		return FALSE;
	*who_end = (gsize)(hit - s);
	*date = *who_end + ml;
	return *date < len;
}

/* strip_final_colon - line length without "[blanks]:" at its end, or 0 */
static gsize
strip_final_colon(const char *s, gsize len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 1 && s[len - 1] == ':')
		len--;
	else if (len >= 3 && memcmp(s + len - 3, "\xef\xbc\x9a", 3) == 0)
		len -= 3;
	else
		return 0;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	return len;
}

/* attrib_row - match one row; the date and sender texts on success */
static gboolean
attrib_row(
    const AttribRow *row, const char *s, gsize len, char **date, char **who)
{
	gsize pl = strlen(row->pre), sl = strlen(row->post), a, b;
	const char *m;
	gsize ml;
	gboolean ok;

	if (len < pl + sl + 3)
		return FALSE;
	if (pl > 0 && parser_prefix_ci(s, len, row->pre) != pl)
		return FALSE;
	if (sl > 0 && memcmp(s + len - sl, row->post, sl) != 0)
		return FALSE;
	m = s + pl;
	ml = len - pl - sl;
	if (row->first == 'D')
		ok = split_date_first(m, ml, row->mid, &a, &b);
	else
		ok = split_who_first(m, ml, row->mid, &a, &b);
	if (!ok)
		return FALSE;
	if (row->first == 'D') {
		*date = parser_text_trim(m, a);
		*who = parser_text_trim(m + b, ml - b);
	} else {
		*who = parser_text_trim(m, a);
		*date = parser_text_trim(m + b, ml - b);
	}
	if (**date == '\0' || **who == '\0' ||
	    (sl == 0 && strchr(*who, '@') == NULL)) {
		g_clear_pointer(date, g_free);
		g_clear_pointer(who, g_free);
		return FALSE;
	}
	return TRUE;
}

/* parser_attribution - read "On DATE, WHO wrote:"; date and sender text */
gboolean
parser_attribution(const char *s, gsize len, char **date, char **who)
{
	gsize lead = 0;

	*date = NULL;
	*who = NULL;
	if (len > SCAN_MAX_MARKER_LINE)
		return FALSE;
	while (lead < len && (s[lead] == ' ' || s[lead] == '\t'))
		lead++;
	s += lead;
	len = strip_final_colon(s, len - lead);
	if (len == 0)
		return FALSE;
	for (gsize k = 0; k < G_N_ELEMENTS(attribs); k++)
		if (attrib_row(&attribs[k], s, len, date, who))
			return TRUE;
	return FALSE;
}
