/*
 * parser_date_lex.c - cut a date as written into tokens, and look its
 *	words up in the month, weekday and connector tables of every
 *	language (see parser_date_int.h and parser_date_tables.h), by
 *	bisection in their sorted index (parser_date_index.h, generated
 *	from the tables by parser/labels/gen_dates.py)
 */
#include "config.h"

#include <string.h>

#include "parser/parser_date_index.h"
#include "parser/parser_date_int.h"
#include "parser/parser_date_tables.h"

/* is_ideograph - CJK characters are words of one character each */
static gboolean
is_ideograph(gunichar c)
{
	return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x20000 && c <= 0x2FFFF);
}

/* date_fold_char - lower case without diacritics; 0 for a mark to drop */
gunichar
date_fold_char(gunichar c)
{
	gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

	if (g_unichar_type(c) == G_UNICODE_NON_SPACING_MARK)
		return 0;
	/* Hangul syllables decompose into jamo: keep them whole */
	if ((c < 0xAC00 || c > 0xD7A3) &&
	    g_unichar_fully_decompose(c, FALSE, d, G_N_ELEMENTS(d)) > 0)
		c = d[0];
	c = g_unichar_tolower(c);
	if (c == 0x0131) /* dotless i */
		c = 'i';
	else if (c == 0x03C2) /* final sigma */
		c = 0x03C3;
	return c;
}

/* punct_ascii - full-width and typographic punctuation as ASCII */
static int
punct_ascii(gunichar c)
{
	switch (c) {
	case 0xFF1A:
		return ':';
	case 0xFF0C:
	case 0x3001:
	case 0xFF64:
		return ',';
	case 0xFF0E:
	case 0x3002:
		return '.';
	case 0xFF0F:
		return '/';
	case 0xFF08:
		return '(';
	case 0xFF09:
		return ')';
	case 0xFF0B:
		return '+';
	case 0x2212:
	case 0x2010:
	case 0x2011:
	case 0x2013:
	case 0x2014:
	case 0xFF0D:
		return '-';
	default:
		return c < 0x80 ? (int)c : '?';
	}
}

/* key_append - add one folded character to a word's key */
static void
key_append(Tok *t, gsize *klen, gunichar c, gboolean *overflow)
{
	gunichar f = date_fold_char(c);
	char buf[8];
	int n;

	if (f == 0 || *overflow)
		return;
	n = g_unichar_to_utf8(f, buf);
	if (*klen + n >= DATE_KEY_MAX) {
		*overflow = TRUE;
		t->key[0] = '\0';
		return;
	}
	memcpy(t->key + *klen, buf, n);
	*klen += n;
	t->key[*klen] = '\0';
}

/* is_word_char - letters, marks, and apostrophes inside a word */
static gboolean
is_word_char(gunichar c, const char *next)
{
	if (is_ideograph(c))
		return FALSE;
	if (g_unichar_isalpha(c) || g_unichar_ismark(c))
		return TRUE;
	/* п'ятниця, пʼятниця */
	if ((c == '\'' || c == 0x2019 || c == 0x02BC) && *next != '\0')
		return g_unichar_isalpha(g_utf8_get_char(next)) &&
		       !is_ideograph(g_utf8_get_char(next));
	return FALSE;
}

/* scan_word - read one word token starting at p; returns the end */
static const char *
scan_word(Tok *t, const char *p)
{
	gsize klen = 0;
	gboolean overflow = FALSE;
	gunichar c = g_utf8_get_char(p);

	t->kind = TOK_WORD;
	t->key[0] = '\0';
	if (is_ideograph(c)) {
		key_append(t, &klen, c, &overflow);
		return g_utf8_next_char(p);
	}
	while (*p != '\0') {
		const char *next;

		c = g_utf8_get_char(p);
		next = g_utf8_next_char(p);
		if (!is_word_char(c, next))
			break;
		if (c != '\'' && c != 0x2019 && c != 0x02BC)
			key_append(t, &klen, c, &overflow);
		p = next;
	}
	return p;
}

/* scan_number - read one number token (any decimal digits) */
static const char *
scan_number(Tok *t, const char *p)
{
	t->kind = TOK_NUM;
	t->num = 0;
	t->ndigits = 0;
	while (*p != '\0') {
		gunichar c = g_utf8_get_char(p);
		int v = g_unichar_digit_value(c);

		if (v < 0)
			break;
		if (t->ndigits < 9)
			t->num = t->num * 10 + v;
		t->ndigits++;
		p = g_utf8_next_char(p);
	}
	return p;
}

/* tokenize_text - cut text into at most DATE_MAX_TOKENS tokens */
static gboolean
tokenize_text(const char *p, Toks *toks)
{
	gboolean space = TRUE;

	toks->n = 0;
	while (*p != '\0') {
		gunichar c = g_utf8_get_char(p);
		Tok *t;

		if (g_unichar_isspace(c) || c == 0x00A0 || c == 0x202F ||
		    c == 0x3000) {
			space = TRUE;
			p = g_utf8_next_char(p);
			continue;
		}
		/* direction marks around Hebrew and Arabic dates, joiners:
		 * invisible, and no token of their own */
		if (g_unichar_type(c) == G_UNICODE_FORMAT) {
			p = g_utf8_next_char(p);
			continue;
		}
		if (toks->n == DATE_MAX_TOKENS)
			return FALSE;
		t = &toks->t[toks->n++];
		memset(t, 0, sizeof(*t));
		t->space_before = space;
		space = FALSE;
		if (g_unichar_digit_value(c) >= 0) {
			p = scan_number(t, p);
		} else if (is_ideograph(c) || is_word_char(c, "")) {
			p = scan_word(t, p);
		} else {
			t->kind = TOK_PUNCT;
			t->num = punct_ascii(c);
			p = g_utf8_next_char(p);
		}
	}
	return TRUE;
}

/* index_first - the first row of date_index[] whose key is word, or -1:
 * a bisection over every spelling of every language (gen_dates.py) */
static int
index_first(const char *word)
{
	int lo = 0, hi = (int)G_N_ELEMENTS(date_index);

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (strcmp(date_index[mid].key, word) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (int)G_N_ELEMENTS(date_index) &&
		       strcmp(date_index[lo].key, word) == 0
		   ? lo
		   : -1;
}

/* add_month - remember that langs read a word as month m */
static void
add_month(Tok *t, int m, guint64 lang)
{
	for (int i = 0; i < t->nmonths; i++) {
		if (t->months[i].month == m) {
			t->months[i].langs |= lang;
			return;
		}
	}
	if (t->nmonths < DATE_MAX_MONTHS) {
		t->months[t->nmonths].month = (guint8)m;
		t->months[t->nmonths].langs = lang;
		t->nmonths++;
	}
}

G_STATIC_ASSERT(G_N_ELEMENTS(date_langs) <= 64); /* a bit per language */

/* classify - look a word up in every language's tables; CJK and
 * Hangul words are in none (their dates are numeric) */
static void
classify(Tok *t)
{
	gunichar c;
	int k;

	if (t->kind != TOK_WORD || t->key[0] == '\0')
		return;
	c = g_utf8_get_char(t->key);
	if (is_ideograph(c) || (c >= 0xAC00 && c <= 0xD7A3))
		return;
	if ((k = index_first(t->key)) < 0)
		return;
	for (; k < (int)G_N_ELEMENTS(date_index) &&
	       strcmp(date_index[k].key, t->key) == 0;
	     k++) {
		const DateIx *x = &date_index[k];
		guint64 bit = G_GUINT64_CONSTANT(1) << x->lang;

		if (x->kind == DATE_IX_MONTH)
			add_month(t, x->group + 1, bit);
		else if (x->kind == DATE_IX_WEEKDAY)
			t->wday_langs |= bit;
		t->langs |= bit;
	}
}

/* date_tokenize - tokens of text, words looked up in the tables */
gboolean
date_tokenize(const char *text, Toks *toks)
{
	if (!tokenize_text(text, toks))
		return FALSE;
	for (int i = 0; i < toks->n; i++)
		classify(&toks->t[i]);
	return TRUE;
}
