/*
 * parser_int.h - what the parts of parser/ share; not for other modules
 *
 * SYNOPSIS
 *	GArray *starts = g_array_new(FALSE, FALSE, sizeof(guint));
 *	char *text = parser_html_to_text(html, len, starts);
 *	char *when = parser_date_to_rfc3339("Wed, Oct 27, 2021 at 9:31 AM",
 *	    120, TRUE);   // "2021-10-27T09:31:00+02:00"
 *
 * DESCRIPTION
 *	parser_html_to_text() turns an HTML body into plain text lines as
 *	the contract describes for original.body: block elements and <br>
 *	break lines, other whitespace collapses, entities are decoded,
 *	<script>/<style>/<head> are dropped, <blockquote> content is quoted
 *	with "> " per level. A link whose text is a name and whose href is
 *	mailto:ADDR is written "name <ADDR>" so name-only senders keep their
 *	address. Where a known forward container begins (Outlook
 *	#divRplyFwdMsg and its next sibling, Outlook desktop border-top
 *	blocks, Gmail gmail_quote/gmail_attr, Thunderbird
 *	moz-forward-container, Apple Mail blockquote type=cite) the index of
 *	the first text line of that container is appended to fwd_starts
 *	(when not NULL), in increasing order. Linear in the input; never
 *	recursive on the input's nesting depth.
 *
 *	parser_date_to_rfc3339() reads a date as a mail client wrote it in
 *	a forward header block, in any of the supported languages, and
 *	returns RFC 3339 with an offset, or NULL when it cannot be read with
 *	confidence. When the text carries no zone, default_offset_min (the
 *	forward's own Date: offset, in minutes east of UTC) is used if
 *	have_default, otherwise NULL is returned.
 *
 * OWNERSHIP
 *	Returned strings are new (transfer full); inputs are borrowed.
 *
 * ERRORS, THREADS
 *	None; reentrant, no globals (tables are const).
 */
#ifndef PA_PARSER_INT_H
#define PA_PARSER_INT_H

#include <glib.h>

char *parser_html_to_text(const char *html, gsize len, GArray *fwd_starts);
char *parser_date_to_rfc3339(
    const char *raw, int default_offset_min, gboolean have_default);

#endif /* PA_PARSER_INT_H */
