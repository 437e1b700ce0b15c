/*
 * parser_html_int.h - what parser_html.c (text and structure) and
 *	parser_html_lex.c (tags, attributes, references) share; not for
 *	other files
 *
 * SYNOPSIS
 *	HtmlCursor in = { html, len, 0 };
 *	Tag t = { 0 };
 *	html_read_name(&in, t.name, FALSE);
 *	if (html_read_attrs(&in, &t)) ...
 *
 * DESCRIPTION
 *	A HtmlCursor is the input and a position in it; every html_read_*
 *	and html_skip_* function moves pos forward, never back, so one
 *	pass over the input stays linear.
 *
 *	html_read_name() reads a tag or attribute name lower-cased (cut to
 *	HTML_NAME_MAX - 1 bytes). html_read_attrs() reads attributes up to
 *	and past '>', keeping id, class, style, href and type as slices of
 *	the input (the first of each); FALSE when the input ends inside
 *	the tag (pos is then at the end). html_skip_raw() moves past the
 *	end tag of a <script>-like element, html_skip_markup() past a
 *	comment, <!...> or <?...>; both stop at the end of the input when
 *	that is missing. html_read_ref() decodes a character reference.
 *
 *	html_tag_info() gives an element's T_* flags;
 *	html_is_fwd_container() tells whether a start tag opens a forward
 *	container a mail client writes; html_mailto_address() the address of a
 *	mailto: href (entity- and %-decoded, without ?query), or NULL.
 *
 * OWNERSHIP
 *	Slices point into the caller's input. html_mailto_address()
 *	returns a new GString (transfer full).
 *
 * ERRORS, THREADS
 *	None; reentrant.
 */
#ifndef PA_PARSER_HTML_INT_H
#define PA_PARSER_HTML_INT_H

#include <glib.h>

#define HTML_NAME_MAX 16

/* what a tag does */
enum {
	T_BLOCK = 1 << 0, /* ends the line */
	T_VOID = 1 << 2,  /* never has content or an end tag */
	T_RAW = 1 << 3,   /* content is not HTML and not shown */
	T_CELL = 1 << 4,  /* a space between cells */
	T_BR = 1 << 5,    /* a line break even on an empty line */
	T_HEAD = 1 << 6,  /* may stand in <head> */
	T_SELF = 1 << 7,  /* a new one closes an open one on top */
};

typedef struct {
	const char *s;
	gsize len, pos;
} HtmlCursor;

/* an attribute value as a slice of the input */
typedef struct {
	const char *p;
	gsize len;
} Slice;

typedef struct {
	char name[HTML_NAME_MAX];
	guint info; /* T_* */
	gboolean end, self_closed;
	Slice id, cls, style, href, type;
} Tag;

gboolean html_is_space(int c);
guint html_tag_info(const char *name);
gsize html_read_name(HtmlCursor *h, char *buf, gboolean attr);
gboolean html_read_attrs(HtmlCursor *h, Tag *t);
void html_skip_raw(HtmlCursor *h, const char *name);
void html_skip_markup(HtmlCursor *h);
gboolean html_read_ref(HtmlCursor *h, gunichar *c);
gboolean html_slice_has(Slice v, const char *needle);
gboolean html_is_fwd_container(const Tag *t);
GString *html_mailto_address(Slice href);

#endif /* PA_PARSER_HTML_INT_H */
