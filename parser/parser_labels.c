/*
 * parser_labels.c - the words mail clients write around a forward, as data
 *
 * Header labels ("From:", "Von:", "מאת:") and the phrases of separator
 * lines ("Forwarded Message", "Original Message") in every locale
 * Thunderbird ships, plus what Outlook, Apple Mail, Gmail, Samsung Email
 * and Mail.ru print, come from parser/labels/{base,clients,thunderbird}
 * .tsv through parser/labels/gen.py as byte tries over case-folded text
 * (parser_labels_tables.h, generated, with each table's source and
 * licence). A look-up walks the line once, character by character, so
 * its cost is the length of the longest label, whatever the number of
 * languages. Matching ignores case except for rows marked CASE
 * (one-letter words like Italian "A:" or "I:"), skips direction marks
 * (U+200E/F, U+061C, U+202A-E, U+2066-9: Hebrew, Arabic and Persian
 * lines carry them), reads a run of blanks as one space and accepts ':'
 * or the full-width '：'. Subject prefixes are in parser_subject.c,
 * "On ... wrote:" lines in parser_attrib.c.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_labels_tables.h"
#include "parser/parser_scan.h"

typedef struct {
	const LabelRow *row;
	gsize len; /* bytes of the input the row's text spans */
} TrieHit;

/* fold - lower-case form of one character for comparisons (final
 * sigma as sigma), as gen.py folds the tables */
static gunichar
fold(gunichar c)
{
	c = g_unichar_tolower(c);
	return c == 0x03c2 ? 0x03c3 : c;
}

/* direction_mark - a bidi mark or isolate, skipped inside labels */
static gboolean
direction_mark(gunichar c)
{
	return c == 0x200e || c == 0x200f || c == 0x061c ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* trie_step - the node an edge labelled b leads to from node, or -1 */
static int
trie_step(int node, guchar b)
{
	const TrieNode *t = &trie_nodes[node];
	guint lo = t->edge, hi = (guint)t->edge + t->n;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;

		if (trie_edge_byte[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < (guint)t->edge + t->n && trie_edge_byte[lo] == b)
		return trie_edge_to[lo];
	return -1;
}

/* trie_hits - the rows under root whose folded text starts s, shortest
 * first; how many (at most TRIE_MAX_HITS, what gen.py found) */
static guint
trie_hits(int root, const char *s, gsize len, TrieHit *hits)
{
	const char *p = s, *end = s + len;
	int node = root;
	guint n = 0;

	while (p < end && node >= 0) {
		guchar b = (guchar)*p;

		if (b == ' ' || b == '\t') {
			/* a run of blanks reads as the one space of the key */
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			node = trie_step(node, ' ');
		} else if (b < 0x80) {
			node =
			    trie_step(node, (guchar)g_ascii_tolower((char)b));
			p++;
		} else {
			gunichar c = g_utf8_get_char_validated(p, end - p);
			char buf[6];
			int k, nb;

			if (c == (gunichar)-1 || c == (gunichar)-2)
				break;
			p = g_utf8_next_char(p);
			/* marks, and joiners inside a word, are not in keys */
			if (direction_mark(c) || c == 0x200c || c == 0x200d)
				continue;
			nb = g_unichar_to_utf8(fold(c), buf);
			for (k = 0; k < nb && node >= 0; k++)
				node = trie_step(node, (guchar)buf[k]);
		}
		if (node >= 0 && trie_nodes[node].row != 0 &&
		    n < TRIE_MAX_HITS) {
			hits[n].row = &label_rows[trie_nodes[node].row - 1];
			hits[n].len = (gsize)(p - s);
			n++;
		}
	}
	return n;
}

/* parser_phrase_longest - bytes of the longest separator phrase of a
 * kind at s ("Forwarded Message", "הודעה שהועברה"); 0 if none */
gsize
parser_phrase_longest(PhraseKind kind, const char *s, gsize len)
{
	TrieHit hits[TRIE_MAX_HITS];
	guint n = trie_hits(
	    kind == PHRASE_FORWARD ? FORWARD_TRIE_ROOT : ORIGINAL_TRIE_ROOT, s,
	    len, hits);

	return n > 0 ? hits[n - 1].len : 0;
}

/* parser_prefix_cmp - bytes of s matching word (optionally ignoring case); 0 if none */
gsize
parser_prefix_cmp(const char *s, gsize len, const char *word, gboolean icase)
{
	const char *p = s, *end = s + len, *w = word;

	if (*w == '\0' || len == 0)
		return 0;
	/* quick rejections: ASCII never folds to non-ASCII here */
	if (((guchar)*w < 0x80) != ((guchar)*s < 0x80))
		return 0;
	if ((guchar)*w < 0x80) {
		char a = icase ? g_ascii_tolower(*s) : *s;
		char b = icase ? g_ascii_tolower(*w) : *w;

		if (a != b)
			return 0;
	}
	while (*w) {
		gunichar a, b;

		if (p >= end)
			return 0;
		a = g_utf8_get_char_validated(p, end - p);
		if (a == (gunichar)-1 || a == (gunichar)-2)
			return 0;
		b = g_utf8_get_char(w);
		if (a != b && (!icase || fold(a) != fold(b)))
			return 0;
		p = g_utf8_next_char(p);
		w = g_utf8_next_char(w);
	}
	return (gsize)(p - s);
}

/* parser_prefix_ci - bytes of s matching word, ignoring case; 0 if none */
gsize
parser_prefix_ci(const char *s, gsize len, const char *word)
{
	return parser_prefix_cmp(s, len, word, TRUE);
}

/* parser_skip_blanks - index of the first byte at or after i that is no blank */
gsize
parser_skip_blanks(const char *s, gsize len, gsize i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* parser_colon_at - bytes of ':' or '：' at i, 0 if neither */
gsize
parser_colon_at(const char *s, gsize len, gsize i)
{
	if (i < len && s[i] == ':')
		return 1;
	if (i + 3 <= len && memcmp(s + i, "\xef\xbc\x9a", 3) == 0)
		return 3;
	return 0;
}

/* skip_marks - index of the first byte at or after i that is neither a
 * blank nor a direction mark (a right-to-left label closes its run) */
static gsize
skip_marks(const char *s, gsize len, gsize i)
{
	for (;;) {
		i = parser_skip_blanks(s, len, i);
		if (i >= len || (guchar)s[i] < 0x80 ||
		    !direction_mark(g_utf8_get_char_validated(s + i, len - i)))
			return i;
		i = (gsize)(g_utf8_next_char(s + i) - s);
	}
}

/* label_tail - bytes a row consumes at s when its text spans s[i, i + n)
 * (label, blanks, colon, blanks); 0 when no colon follows */
static gsize
label_tail(const LabelRow *row, const char *s, gsize len, gsize i, gsize n,
    gboolean lax)
{
	gsize j, c;

	if ((row->flags & CASE) &&
	    parser_prefix_cmp(s + i, len - i, row->word, FALSE) != n)
		return 0;
	j = skip_marks(s, len, i + n);
	c = parser_colon_at(s, len, j);
	if (c == 0) {
		if (!lax || !(row->flags & NOCOLON) || i + n >= len ||
		    s[i + n] != ' ')
			return 0;
		return parser_skip_blanks(s, len, i + n);
	}
	j += c;
	if (j < len && s[j] == '*')
		j++;
	return parser_skip_blanks(s, len, j);
}

/* bytes: the longest label, blanks and its colon (an upper-case letter
 * may take more bytes than its folded form: leave room) */
#define LABEL_MAX (LABEL_TRIE_MAX_BYTES + 16)

/* colon_near - ':' among the first len bytes, or the lead byte of '：'
 * (a rare false positive only costs the full look-up) */
static gboolean
colon_near(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (s[i] == ':' || (guchar)s[i] == 0xef)
			return TRUE;
	return FALSE;
}

/* parser_field_label - bytes of "Label: " at s and which field it names */
gsize
parser_field_label(const char *s, gsize len, gboolean lax, FieldKind *field)
{
	gsize start = 0, best = 0;
	FieldKind best_field = FIELD_NONE;
	TrieHit hits[TRIE_MAX_HITS];
	guint nh;

	*field = FIELD_NONE;
	if (len > 0 && s[0] == '*')
		start = 1;
	/* every label is short and, outside Yahoo's run-together lines,
	 * ends with a colon: most text lines are rejected here */
	if (!lax && !colon_near(s + start, MIN(len - start, LABEL_MAX)))
		return 0;
	nh = trie_hits(LABEL_TRIE_ROOT, s + start, len - start, hits);
	for (guint k = 0; k < nh; k++) {
		gsize n =
		    label_tail(hits[k].row, s, len, start, hits[k].len, lax);

		if (n > best) {
			best = n;
			best_field = hits[k].row->field;
		}
	}
	*field = best_field;
	return best;
}
