/*
 * parser_separator.c - the lines that open a forwarded message, as data
 *
 * "---------- Forwarded message ---------" (Gmail, Alpine, HubSpot),
 * "-------- Forwarded Message --------" (Thunderbird, Proton),
 * "----- Forwarded Message ----- From: ..." (Yahoo, fields on the same
 * line), "Begin forwarded message:" (Apple Mail), "Forwarded message:"
 * (MailMate), "----- Forwarded message from WHO -----" (mutt),
 * "-----Original Message-----" (Outlook, Zimbra, IONOS), Outlook's rule
 * of underscores, each in every language of parser/labels/. Phrases
 * compare without case; the longest phrase wins.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_scan.h"

/* The phrases ("Forwarded Message", "Original Message", in every
 * language) are data: parser_phrase_longest() in parser_labels.c, from
 * parser/labels/ via gen.py. Forward phrases also stand alone with a
 * colon (Apple Mail "Begin forwarded message:", MailMate "Forwarded
 * message:"); "Original Message" is written over replies too (Outlook). */

/* dash_run - number of '-' bytes at i */
static gsize
dash_run(const char *s, gsize len, gsize i)
{
	gsize n = 0;

	while (i + n < len && s[i + n] == '-')
		n++;
	return n;
}

/* only_underscores - a rule line of at least 8 '_' */
static gboolean
only_underscores(const char *s, gsize len)
{
	if (len < 8)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (s[i] != '_')
			return FALSE;
	return TRUE;
}

/* mutt_separator - "Forwarded message from WHO -----" after the dashes */
static gboolean
mutt_separator(const char *s, gsize len, gsize i, SepMatch *m)
{
	gsize n = parser_prefix_ci(s + i, len - i, "Forwarded message from ");
	gsize end = len;

	if (n == 0)
		return FALSE;
	while (end > i + n && s[end - 1] == '-')
		end--;
	if (end + 2 > len)
		return FALSE;
	while (end > i + n && s[end - 1] == ' ')
		end--;
	m->kind = SEP_MUTT;
	m->who = i + n;
	m->who_len = end - (i + n);
	return m->who_len > 0;
}

/* closing_dashes - after a phrase: blanks, >= 2 dashes; rest offset */
static gboolean
closing_dashes(const char *s, gsize len, gsize i, gsize *rest)
{
	gsize d;

	i = parser_skip_blanks(s, len, i);
	d = dash_run(s, len, i);
	if (d < 2)
		return FALSE;
	i = parser_skip_blanks(s, len, i + d);
	*rest = i < len ? i : 0;
	return TRUE;
}

/* unknown_separator - "----- some words -----" alone on its line */
static gboolean
unknown_separator(const char *s, gsize len, gsize i)
{
	gsize end = len, words;
	gboolean letter = FALSE;

	while (end > i && s[end - 1] == '-')
		end--;
	if (len - end < 4)
		return FALSE;
	words = end - i;
	if (words == 0 || words > 80)
		return FALSE;
	for (gsize k = i; k < end; k++) {
		if (s[k] == '-' && k + 1 < end && s[k + 1] == '-')
			return FALSE;
		if (g_ascii_isalpha(s[k]) || (guchar)s[k] >= 0x80)
			letter = TRUE;
	}
	return letter;
}

/* ends_with_colon - the (right-trimmed) line ends with ':' or '：' */
static gboolean
ends_with_colon(const char *s, gsize len)
{
	return (len >= 1 && s[len - 1] == ':') ||
	       (len >= 3 && memcmp(s + len - 3, "\xef\xbc\x9a", 3) == 0);
}

/* parser_separator - classify a line that may open a forwarded message */
SepMatch
parser_separator(const char *s, gsize len)
{
	SepMatch m = { SEP_NONE, 0, 0, 0 };
	gsize lead = parser_skip_blanks(s, len, 0), i, d, n;

	s += lead;
	len -= lead;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len > SCAN_MAX_MARKER_LINE)
		return m;
	if (only_underscores(s, len)) {
		m.kind = SEP_RULE;
		return m;
	}
	d = dash_run(s, len, 0);
	i = parser_skip_blanks(s, len, d);
	/* without dashes only "Phrase:" alone on its line is a separator */
	if (d < 2 && (d == 1 || !ends_with_colon(s, len)))
		return m;
	if (d >= 2 && mutt_separator(s, len, i, &m)) {
		m.who += lead;
		return m;
	}
	if (d >= 2 &&
	    (n = parser_prefix_ci(s + i, len - i, "End forwarded message")) >
		0 &&
	    closing_dashes(s, len, i + n, &m.rest)) {
		m.kind = SEP_MUTT_END;
		m.rest = 0;
		return m;
	}
	n = parser_phrase_longest(PHRASE_FORWARD, s + i, len - i);
	if (n > 0 && d >= 2 && closing_dashes(s, len, i + n, &m.rest)) {
		m.kind = SEP_FORWARD;
	} else if (n > 0 && d == 0) {
		gsize j = parser_skip_blanks(s, len, i + n);
		gsize c = parser_colon_at(s, len, j);

		if (c > 0 && j + c == len)
			m.kind = SEP_FORWARD;
	} else if (d >= 2) {
		n = parser_phrase_longest(PHRASE_ORIGINAL, s + i, len - i);
		if (n > 0 && closing_dashes(s, len, i + n, &m.rest))
			m.kind = SEP_ORIGINAL;
		else if (d >= 4 && unknown_separator(s, len, i))
			m.kind = SEP_UNKNOWN;
	}
	if (m.rest > 0)
		m.rest += lead;
	return m;
}
