/*
 * parser_reply_words.c - the words of one line of a reply: yes, no, a
 *	salutation, thanks, a closing (see parser_reply_int.h)
 *
 * A line is cut into words: runs of letters, digits and combining
 * marks, an apostrophe kept between two letters; everything else
 * (spaces, punctuation, emoji) separates them, and what separates two
 * words is remembered as a gap: a space, a comma-like mark, a full stop
 * or a sentence end (! ? ; and their full-width forms). Each word is
 * folded (NFKD, marks on Latin, Greek and Cyrillic letters dropped,
 * case folded, NFKC) and compared whole with the phrases of
 * parser_reply_tables.h; a one-word phrase marked prefix may also begin
 * a word, which is then split there (是的我很乐意 is 是的 + 我很乐意).
 * At each place the longest phrase wins. Phrases never span a full
 * stop or a sentence end.
 *
 * Trust: the line is untrusted text (valid UTF-8, as the parser
 * prepares it). At most REPLY_LINE_MAX bytes and LINE_WORDS words of
 * a line are read, and at most WORD_FOLD_MAX bytes of each word are
 * folded: the work per line is bounded whatever the input.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_reply_int.h"
#include "parser/parser_reply_tables.h"

#define LINE_WORDS 48    /* words of a line read */
#define WORD_FOLD_MAX 96 /* bytes of a word folded */
#define FILLER_WORDS 6   /* words after "Hi"/"Thanks" before the answer */
#define LEADS 3          /* "Hi Chris, thanks, but no" */
#define SPLITS 4         /* prefix phrases split off one word */
#define SALUTATION_WORDS 3

typedef enum {
	GAP_SPACE, /* nothing, spaces, emoji, quotes */
	GAP_COMMA, /* , : - and the like */
	GAP_DOT,   /* . */
	GAP_STOP,  /* ! ? ; ... a sentence ends */
} Gap;

typedef struct {
	gsize start, end; /* bytes of the line */
	Gap gap;          /* what separates it from the word before */
	char *fold;
} Word;

typedef struct {
	Word v[LINE_WORDS];
	guint n;
} Words;

/* fold - a word as the tables write it */
static char *
fold(const char *s, gsize len)
{
	g_autofree char *d = NULL;
	g_autoptr(GString) out = NULL;
	g_autofree char *folded = NULL;
	gunichar base = 0;

	if (len > WORD_FOLD_MAX) { /* cut at the start of a character */
		len = WORD_FOLD_MAX;
		while (len > 0 && ((guchar)s[len] & 0xc0) == 0x80)
			len--;
	}
	d = g_utf8_normalize(s, (gssize)len, G_NORMALIZE_NFKD);
	if (d == NULL)
		return g_strdup("");
	out = g_string_sized_new(strlen(d));
	for (const char *p = d; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_ismark(c)) {
			if (base <
			    0x500) /* accents on Latin, Greek, Cyrillic */
				continue;
		} else {
			base = c;
		}
		if (c == 0x2019 || c == 0x2018 || c == 0x02bc)
			c = '\'';
		g_string_append_unichar(out, c);
	}
	folded = g_utf8_casefold(out->str, (gssize)out->len);
	return g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
}

/* gap_of - how strongly character c separates two words */
static Gap
gap_of(gunichar c)
{
	switch (c) {
	case '.':
	case 0x3002: /* 。 */
	case 0xff0e:
		return GAP_DOT;
	case '!':
	case '?':
	case ';':
	case 0x2026: /* … */
	case 0xff01:
	case 0xff1f:
	case 0xff1b:
		return GAP_STOP;
	case ',':
	case ':':
	case '-':
	case 0x2013:
	case 0x2014:
	case 0x3001: /* 、 */
	case 0xff0c:
	case 0xff1a:
		return GAP_COMMA;
	default:
		return GAP_SPACE;
	}
}

/* word_char - c belongs to a word (p is at c, end bounds the line) */
static gboolean
word_char(const char *p, const char *end, gboolean in_word)
{
	gunichar c = g_utf8_get_char(p);
	const char *next;

	if (g_unichar_isalnum(c) || (in_word && g_unichar_ismark(c)))
		return TRUE;
	if (!in_word || (c != '\'' && c != 0x2019))
		return FALSE;
	next = g_utf8_next_char(p);
	return next < end && g_unichar_isalnum(g_utf8_get_char(next));
}

/* prefix_phrase - the longest one-word phrase of the table that may
 * begin a longer word and begins folded word w (or is all of it) */
static const ReplyWord *
prefix_phrase(const char *w)
{
	const ReplyWord *best = NULL;

	for (gsize k = 0; k < G_N_ELEMENTS(reply_words); k++) {
		const ReplyWord *r = &reply_words[k];
		gsize n = strlen(r->phrase);

		if (r->prefix && strncmp(w, r->phrase, n) == 0 &&
		    (best == NULL || n > strlen(best->phrase)))
			best = r;
	}
	return best;
}

/* split_at - the byte in [start, end) after which the word folds to
 * phrase, or 0 */
static gsize
split_at(const char *s, gsize start, gsize end, const char *phrase)
{
	glong want = g_utf8_strlen(phrase, -1);
	const char *p = s + start;

	for (glong k = 0; k < want + 2 && p < s + end; k++) {
		g_autofree char *f = NULL;

		p = g_utf8_next_char(p);
		f = fold(s + start, (gsize)(p - (s + start)));
		if (strcmp(f, phrase) == 0)
			return (gsize)(p - s);
	}
	return 0;
}

/* add_word - one word, split after a prefix phrase it begins with */
static void
add_word(Words *ws, const char *s, gsize start, gsize end, Gap gap)
{
	for (guint k = 0; k <= SPLITS && ws->n < LINE_WORDS; k++) {
		Word *w = &ws->v[ws->n++];
		const ReplyWord *r;
		gsize cut;

		w->start = start;
		w->end = end;
		w->gap = gap;
		w->fold = fold(s + start, end - start);
		if (k == SPLITS || (r = prefix_phrase(w->fold)) == NULL ||
		    (cut = split_at(s, start, end, r->phrase)) == 0 ||
		    cut >= end)
			return;
		g_free(w->fold);
		w->fold = g_strdup(r->phrase);
		w->end = cut;
		start = cut;
		gap = GAP_SPACE;
	}
}

/* words_read - the words of a line */
static void
words_read(const char *s, gsize len, Words *ws)
{
	const char *end = s + MIN(len, (gsize)REPLY_LINE_MAX);
	const char *p = s;
	Gap gap = GAP_SPACE;

	ws->n = 0;
	while (p < end && ws->n < LINE_WORDS) {
		const char *w = p;

		if (!word_char(p, end, FALSE)) {
			gap = MAX(gap, gap_of(g_utf8_get_char(p)));
			p = g_utf8_next_char(p);
			continue;
		}
		while (p < end && word_char(p, end, p > w))
			p = g_utf8_next_char(p);
		if (p > end) /* the cut fell inside a character */
			p = end;
		add_word(ws, s, (gsize)(w - s), (gsize)(p - s), gap);
		gap = GAP_SPACE;
	}
}

/* words_clear - free the folded words */
static void
words_clear(Words *ws)
{
	for (guint i = 0; i < ws->n; i++)
		g_free(ws->v[i].fold);
	ws->n = 0;
}

/* phrase_at - words of ws from k that make phrase, or 0 */
static guint
phrase_at(const Words *ws, guint k, const char *phrase)
{
	const char *p = phrase;
	guint j = 0;

	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		gsize n = sp != NULL ? (gsize)(sp - p) : strlen(p);
		const Word *w;

		if (k + j >= ws->n)
			return 0;
		w = &ws->v[k + j];
		if ((j > 0 && w->gap >= GAP_DOT) || strlen(w->fold) != n ||
		    memcmp(w->fold, p, n) != 0)
			return 0;
		j++;
		p += n;
		if (*p == ' ')
			p++;
	}
	return j;
}

/* longest_at - the longest phrase at word k (*n: its words), or NULL */
static const ReplyWord *
longest_at(const Words *ws, guint k, guint *n)
{
	const ReplyWord *best = NULL;

	*n = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(reply_words); i++) {
		guint m = phrase_at(ws, k, reply_words[i].phrase);

		if (m > *n ||
		    (m > 0 && m == *n &&
			strlen(reply_words[i].phrase) > strlen(best->phrase))) {
			*n = m;
			best = &reply_words[i];
		}
	}
	return best;
}

/* kind_at - the kind of the longest phrase at word k, or -1 */
static int
kind_at(const Words *ws, guint k, guint *n)
{
	const ReplyWord *r = longest_at(ws, k, n);

	return r != NULL ? r->kind : -1;
}

/* is_answer - a yes or a no */
static gboolean
is_answer(int kind)
{
	return kind == RW_YES || kind == RW_NO;
}

/* skip_leads - past "Hi Chris,", "Thanks for asking!", "Sorry, but":
 * a greeting, thanks or lead word, a few more words up to punctuation
 * or an answer, then "but"; returns the first lead's kind, or -1 */
static int
skip_leads(const Words *ws, guint *k)
{
	int first = -1;

	for (guint round = 0; round < LEADS && *k < ws->n; round++) {
		guint n;
		int kind = kind_at(ws, *k, &n);

		if (kind != RW_GREET && kind != RW_THANKS && kind != RW_LEAD)
			break;
		if (first < 0)
			first = kind;
		*k += n;
		for (guint f = 0; f < FILLER_WORDS && *k < ws->n; f++) {
			if (ws->v[*k].gap == GAP_COMMA ||
			    ws->v[*k].gap == GAP_STOP ||
			    is_answer(kind_at(ws, *k, &n)))
				break;
			(*k)++;
		}
		if (*k < ws->n && kind_at(ws, *k, &n) == RW_BUT)
			*k += n;
	}
	return first;
}

/* opposite - the other answer */
static int
opposite(int kind)
{
	return kind == RW_YES ? RW_NO : RW_YES;
}

/* conflict - in the same sentence right after the answer: the other
 * answer ("yes, no"), "or" and the other ("yes or no"), or after a yes
 * "but" and a negation ("yes but not now") */
static gboolean
conflict(const Words *ws, guint k, int kind)
{
	guint n, m;
	int next, after;

	if (k >= ws->n || ws->v[k].gap >= GAP_DOT)
		return FALSE;
	next = kind_at(ws, k, &n);
	if (next == opposite(kind))
		return TRUE;
	if (next != RW_OR && next != RW_BUT)
		return FALSE;
	if (k + n >= ws->n || ws->v[k + n].gap >= GAP_DOT)
		return FALSE;
	after = kind_at(ws, k + n, &m);
	if (next == RW_OR)
		return after == opposite(kind);
	return kind == RW_YES && (after == RW_NO || after == RW_NOT);
}

/* absorb - past phrases that repeat the answer or thank ("Yes, happy
 * to", "No, thanks", "Unfortunately not") in the same sentence, each
 * ending at punctuation or the end of the line */
static guint
absorb(const Words *ws, guint k, int kind)
{
	guint n;

	while (k < ws->n && ws->v[k].gap < GAP_DOT) {
		int next = kind_at(ws, k, &n);

		if (next != kind && next != RW_THANKS &&
		    (kind != RW_NO || next != RW_NOT))
			break;
		if (k + n < ws->n && ws->v[k + n].gap == GAP_SPACE)
			break; /* "happy to talk": words go on */
		k += n;
	}
	return k;
}

/* emoji_answer - a line of no words that begins with 👍 or 👎 (or ✅,
 * ❌, ...); *rest after it */
static ReplyLineKind
emoji_answer(const char *s, gsize len, gsize *rest)
{
	const char *end = s + MIN(len, (gsize)REPLY_LINE_MAX);

	for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		*rest = (gsize)(g_utf8_next_char(p) - s);
		if (c == 0x1f44d || c == 0x1f44c || c == 0x2705 ||
		    c == 0x2714 || c == 0x1f197)
			return RLINE_YES;
		if (c == 0x1f44e || c == 0x274c || c == 0x1f645 || c == 0x1f6ab)
			return RLINE_NO;
	}
	return RLINE_EMPTY;
}

/* ends_with - folded word w ends with suffix */
static gboolean
ends_with(const char *w, const char *suffix)
{
	gsize a = strlen(w), b = strlen(suffix);

	return a > b && strcmp(w + a - b, suffix) == 0;
}

/* salutation_shape - "Chris,", "Chris，你好！", "Chrisさん", "Chris님" */
static gboolean
salutation_shape(const char *s, gsize len, const Words *ws)
{
	const char *names[] = { "さん", "様", "さま", "殿", "님", "씨" };
	const Word *last = &ws->v[ws->n - 1];
	guint n;

	if (ws->n > SALUTATION_WORDS + 2)
		return FALSE;
	if (ws->n >= 2 && kind_at(ws, ws->n - 1, &n) == RW_GREET)
		return TRUE;
	if (ws->n > SALUTATION_WORDS)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (ends_with(last->fold, names[i]))
			return TRUE;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len > 0 &&
	       (s[len - 1] == ',' || s[len - 1] == ':' ||
		   (len >= 3 &&
		       (memcmp(s + len - 3, "\xef\xbc\x8c", 3) == 0 ||
			   memcmp(s + len - 3, "\xe3\x80\x81", 3) == 0)));
}

/* classify - what the words of a line say (see parser_reply_int.h) */
static ReplyLineKind
classify(const char *s, gsize len, Words *ws, gsize *rest)
{
	guint k = 0, n;
	int lead = skip_leads(ws, &k);
	int kind;

	if (k >= ws->n)
		return lead == RW_THANKS ? RLINE_THANKS : RLINE_SALUTATION;
	kind = kind_at(ws, k, &n);
	if (is_answer(kind)) {
		if (conflict(ws, k + n, kind))
			return RLINE_TEXT;
		k = absorb(ws, k + n, kind);
		*rest = ws->v[k - 1].end;
		return kind == RW_YES ? RLINE_YES : RLINE_NO;
	}
	if (k == 0 && kind == RW_CLOSE && ws->n <= SALUTATION_WORDS + 1)
		return RLINE_CLOSING;
	if (k == 0 && salutation_shape(s, len, ws))
		return RLINE_SALUTATION;
	return RLINE_TEXT;
}

/* parser_reply_line - what one line of a reply says */
ReplyLineKind
parser_reply_line(const char *s, gsize len, gsize *rest)
{
	Words ws;
	ReplyLineKind kind;

	*rest = len;
	words_read(s, len, &ws);
	if (ws.n == 0)
		return emoji_answer(s, len, rest);
	kind = classify(s, len, &ws, rest);
	words_clear(&ws);
	return kind;
}

/* parser_reply_name_like - "Jane", "Jane Doe", "李娜": a name signed
 * under the words */
gboolean
parser_reply_name_like(const char *s, gsize len)
{
	Words ws;
	gboolean name;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || s[len - 1] == '.' || s[len - 1] == '!' ||
	    s[len - 1] == '?')
		return FALSE;
	words_read(s, len, &ws);
	name = ws.n > 0 && ws.n <= SALUTATION_WORDS;
	for (guint i = 0; i < ws.n && name; i++)
		name = !g_unichar_islower(g_utf8_get_char(s + ws.v[i].start));
	words_clear(&ws);
	return name;
}

/* parser_reply_words_unfolded - a table phrase folding changes, or NULL */
const char *
parser_reply_words_unfolded(void)
{
	for (gsize k = 0; k < G_N_ELEMENTS(reply_words); k++) {
		g_autofree char *f =
		    fold(reply_words[k].phrase, strlen(reply_words[k].phrase));

		if (strcmp(f, reply_words[k].phrase) != 0)
			return reply_words[k].phrase;
	}
	return NULL;
}
