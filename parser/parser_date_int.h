/*
 * parser_date_int.h - the date reader's tokens, shared by
 *	parser_date_lex.c (cutting text into tokens) and parser_date.c
 *	(reading time, zone and date from them); not for other files
 *
 * SYNOPSIS
 *	Toks *toks = g_new0(Toks, 1);
 *	if (date_tokenize(raw, toks))
 *		if (is_num(toks, 0, 4) && is_punct(toks, 1, '-')) ...
 *
 * DESCRIPTION
 *	date_tokenize() cuts UTF-8 text into at most DATE_MAX_TOKENS
 *	tokens (FALSE when there are more): numbers (any Unicode decimal
 *	digits, value capped at nine digits), words (key folded by
 *	date_fold_char(); each CJK ideograph a word of its own) looked up
 *	in the month, weekday and connector tables, and punctuation
 *	(full-width and typographic forms as their ASCII look-alikes).
 *	Each token records whether white space came before it.
 *
 *	date_fold_char() is the folding the tables are written in: lower
 *	case, diacritics dropped, dotless i as i, final sigma as sigma;
 *	0 for a combining mark (dropped).
 *
 * OWNERSHIP
 *	The caller owns the Toks; nothing in it points elsewhere.
 *
 * ERRORS, THREADS
 *	None; reentrant.
 */
#ifndef PA_PARSER_DATE_INT_H
#define PA_PARSER_DATE_INT_H

#include <string.h>

#include <glib.h>

#define DATE_MAX_INPUT 512
#define DATE_MAX_TOKENS 96
#define DATE_KEY_MAX 48
#define DATE_MAX_MONTHS 4

typedef enum { TOK_NUM, TOK_WORD, TOK_PUNCT } TokKind;

typedef struct {
	guint8 month;  /* 1-12 */
	guint64 langs; /* languages that read it so */
} MonthReading;

typedef struct {
	TokKind kind;
	gboolean space_before;
	gboolean used;
	int num;     /* TOK_NUM: value (capped), TOK_PUNCT: ASCII char */
	int ndigits; /* TOK_NUM */
	char key[DATE_KEY_MAX]; /* TOK_WORD: folded; "" when too long */
	guint64 langs;          /* languages with this word in any table */
	guint64 wday_langs;     /* ... as a weekday */
	MonthReading months[DATE_MAX_MONTHS];
	int nmonths;
} Tok;

typedef struct {
	Tok t[DATE_MAX_TOKENS];
	int n;
} Toks;

gboolean date_tokenize(const char *text, Toks *toks);
gunichar date_fold_char(gunichar c);

/* is_punct - whether token i exists and is the punctuation ch */
static inline gboolean
is_punct(const Toks *toks, int i, int ch)
{
	return i >= 0 && i < toks->n && toks->t[i].kind == TOK_PUNCT &&
	       toks->t[i].num == ch;
}

/* is_num - whether token i is an unused number of 1..maxdig digits */
static inline gboolean
is_num(const Toks *toks, int i, int maxdig)
{
	return i >= 0 && i < toks->n && toks->t[i].kind == TOK_NUM &&
	       !toks->t[i].used && toks->t[i].ndigits <= maxdig;
}

/* is_word - whether token i is the folded word w */
static inline gboolean
is_word(const Toks *toks, int i, const char *w)
{
	return i >= 0 && i < toks->n && toks->t[i].kind == TOK_WORD &&
	       strcmp(toks->t[i].key, w) == 0;
}

/* glued - whether token i follows token i-1 without white space */
static inline gboolean
glued(const Toks *toks, int i)
{
	return i > 0 && i < toks->n && !toks->t[i].space_before;
}

/* mark_used - the tokens first..last belong to what was found */
static inline void
mark_used(Toks *toks, int first, int last)
{
	for (int i = first; i <= last && i < toks->n; i++)
		toks->t[i].used = TRUE;
}

#endif /* PA_PARSER_DATE_INT_H */
