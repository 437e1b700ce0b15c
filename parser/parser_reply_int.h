/*
 * parser_reply_int.h - what parser_reply.c (the walk over the lines) and
 *	parser_reply_words.c (the words of one line) share; not for other
 *	files
 *
 * SYNOPSIS
 *	gsize rest;
 *	switch (parser_reply_line("Oui, avec plaisir !", 20, &rest)) ...
 *
 * DESCRIPTION
 *	parser_reply_line() reads one line of a reply, without its quote
 *	markers, and tells what it is: a yes or a no (rest is then the
 *	byte offset where the friend's words after the deciding phrase
 *	begin), a salutation ("Hi Chris,"), a thanks-only line, a closing
 *	("Best,"), a line with no words at all, or other text. Only the
 *	first REPLY_LINE_MAX bytes of the line are read.
 *
 *	parser_reply_name_like() tells whether a line looks like a name
 *	signed under a reply ("Jane", "Jane Doe"): at most three words,
 *	none starting with a lower-case letter, no final full stop.
 *
 *	parser_reply_words_unfolded() returns the first phrase of the word
 *	table that folding would change (a table error), or NULL; for
 *	tests.
 *
 * OWNERSHIP, ERRORS, THREADS
 *	Arguments are borrowed; nothing fails; reentrant (const tables).
 */
#ifndef PA_PARSER_REPLY_INT_H
#define PA_PARSER_REPLY_INT_H

#include <glib.h>

#define REPLY_LINE_MAX 1024 /* bytes of one line read for words */

typedef enum {
	RW_YES,
	RW_NO,
	RW_GREET,  /* "hi", "bonjour": a salutation begins */
	RW_THANKS, /* "thanks", "merci" */
	RW_LEAD,   /* "sorry", "well": words before the answer */
	RW_BUT,    /* "but", "aber" */
	RW_OR,     /* "or", "oder" */
	RW_NOT,    /* "not", "nicht" */
	RW_CLOSE,  /* "best", "cordialement" */
} ReplyWordKind;

typedef struct {
	const char *phrase; /* folded words, one space between */
	guint8 kind;        /* ReplyWordKind */
	guint8 prefix;      /* a one-word phrase that may begin a word */
} ReplyWord;

typedef enum {
	RLINE_EMPTY,      /* no words (punctuation, an emoji that decides
			     nothing) */
	RLINE_SALUTATION, /* "Hi Chris,", "Chris,", "Chrisさん" */
	RLINE_THANKS,     /* "Thanks!", "Thank you for thinking of me" */
	RLINE_CLOSING,    /* "Best,", "Cheers, Jane" */
	RLINE_TEXT,       /* words that say neither yes nor no */
	RLINE_YES,
	RLINE_NO,
} ReplyLineKind;

ReplyLineKind parser_reply_line(const char *s, gsize len, gsize *rest);
gboolean parser_reply_name_like(const char *s, gsize len);
const char *parser_reply_words_unfolded(void);

#endif /* PA_PARSER_REPLY_INT_H */
