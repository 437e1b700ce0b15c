/*
 * tmpl_blocks.c - the words of a message as blocks, written as HTML
 *
 * Every kind of mail is written once, as a list of blocks (paragraphs,
 * the member's own words, a quoted opportunity, a rule, a signature),
 * and then rendered twice: as plain text (tmpl_flowed.c for the share
 * kinds, intro_text() for the introduction of milter/share.c) and as
 * HTML here. The HTML side escapes every block with
 * g_markup_escape_text() and uses inline styles only, one column at
 * most 640 pixels wide, so that it reads the same in web mail, desktop
 * clients and text-only viewers.
 *
 * Trust: the blocks hold cleaned but untrusted text; nothing here
 * interprets it, every byte of it is escaped.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "templates/tmpl_int.h"

/* block_free - free one block */
static void
block_free(gpointer data)
{
	Block *b = data;

	g_free(b->text);
	g_free(b->url);
	if (b->lines != NULL)
		g_ptr_array_unref(b->lines);
	g_free(b);
}

/* tmpl_blocks_new - an empty list of blocks (transfer full) */
GPtrArray *
tmpl_blocks_new(void)
{
	return g_ptr_array_new_with_free_func(block_free);
}

/* tmpl_add_block - append a block of KIND holding text (borrowed) */
void
tmpl_add_block(GPtrArray *blocks, BlockKind kind, const char *text)
{
	Block *b = g_new0(Block, 1);

	b->kind = kind;
	b->text = g_strdup(text);
	g_ptr_array_add(blocks, b);
}

/* tmpl_add_para - append a formatted paragraph */
void
tmpl_add_para(GPtrArray *blocks, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	tmpl_add_block(blocks, BLOCK_PARA, text);
}

/* tmpl_add_link - append words and a link; with an unsafe url nothing
 * is added (words pointing at no link would only puzzle) */
void
tmpl_add_link(GPtrArray *blocks, const char *text, const char *url)
{
	Block *b;

	if (!tmpl_url_ok(url))
		return;
	b = g_new0(Block, 1);
	b->kind = BLOCK_LINK;
	b->text = g_strdup(text);
	b->url = g_strdup(url);
	g_ptr_array_add(blocks, b);
}

/* tmpl_url_ok - a link we may write: the config checked base_url, but
 * the renderer checks what it writes, whatever built it */
gboolean
tmpl_url_ok(const char *url)
{
	if (url == NULL || strlen(url) > TMPL_FLOWED_COLUMNS ||
	    (!g_str_has_prefix(url, "https://") &&
		!g_str_has_prefix(url, "http://")))
		return FALSE;
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"'<>\\^`{|}", *p) != NULL)
			return FALSE;
	return TRUE;
}

/* tmpl_add_lines - append a block of lines (transfer full) */
void
tmpl_add_lines(GPtrArray *blocks, BlockKind kind, GPtrArray *lines)
{
	Block *b = g_new0(Block, 1);

	b->kind = kind;
	b->lines = lines;
	g_ptr_array_add(blocks, b);
}

/* tmpl_append_escaped - text escaped for HTML, "\n" as <br> */
void
tmpl_append_escaped(GString *s, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree char *esc = g_markup_escape_text(lines[i], -1);

		if (i > 0)
			g_string_append(s, "<br>\n");
		/* &apos; is XML; HTML 4 mail clients want &#39;. Copy the
		 * runs between entities whole. */
		for (const char *p = esc; *p;) {
			const char *amp = strchr(p, '&');

			if (amp == NULL) {
				g_string_append(s, p);
				break;
			}
			g_string_append_len(s, p, amp - p);
			if (g_str_has_prefix(amp, "&apos;")) {
				g_string_append(s, "&#39;");
				p = amp + strlen("&apos;");
			} else {
				g_string_append_c(s, '&');
				p = amp + 1;
			}
		}
	}
}

/* append_lines_html - a block of lines as a styled blockquote */
static void
append_lines_html(GString *s, const Block *b)
{
	const char *style =
	    b->kind == BLOCK_NOTE
		? "margin:0 0 16px 0;padding:4px 0 4px 14px;"
		  "border-left:3px solid #3b7dd8;color:#222;font-style:italic;"
		: "margin:0 0 16px 0;padding:0 0 0 14px;"
		  "border-left:3px solid #cccccc;color:#555555;";

	g_string_append_printf(s, "<blockquote style=\"%s\">", style);
	if (b->kind == BLOCK_NOTE)
		g_string_append(s, TMPL_LQUOTE);
	for (guint j = 0; j < b->lines->len; j++) {
		if (j > 0)
			g_string_append(s, "<br>\n");
		tmpl_append_escaped(s, g_ptr_array_index(b->lines, j));
	}
	if (b->kind == BLOCK_NOTE)
		g_string_append(s, TMPL_RQUOTE);
	g_string_append(s, "</blockquote>\n");
}

/* tmpl_blocks_html - the blocks as one readable HTML column */
char *
tmpl_blocks_html(const GPtrArray *blocks, const char *title_text)
{
	g_autofree char *title = g_markup_escape_text(title_text, -1);
	GString *s = g_string_new(NULL);

	g_string_append_printf(s,
	    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>%s</title>\n</head>\n"
	    "<body style=\"margin:0;padding:16px;font-family:Helvetica,Arial,"
	    "sans-serif;font-size:15px;line-height:1.5;color:#222222;"
	    "background:#ffffff;\">\n<div style=\"max-width:640px;\">\n",
	    title);
	for (guint i = 0; i < blocks->len; i++) {
		const Block *b = g_ptr_array_index(blocks, i);

		switch (b->kind) {
		case BLOCK_PARA:
			g_string_append(s, "<p style=\"margin:0 0 16px 0;\">");
			tmpl_append_escaped(s, b->text);
			g_string_append(s, "</p>\n");
			break;
		case BLOCK_NOTE:
		case BLOCK_QUOTE:
			append_lines_html(s, b);
			break;
		case BLOCK_LINK:
			g_string_append(s, "<p style=\"margin:0 0 16px 0;\">");
			tmpl_append_escaped(s, b->text);
			g_string_append(s, " <a href=\"");
			tmpl_append_escaped(s, b->url);
			g_string_append(s, "\" style=\"color:#1a5fb4;\">");
			tmpl_append_escaped(s, b->url);
			g_string_append(s, "</a></p>\n");
			break;
		case BLOCK_SIG:
			g_string_append(s, "<p style=\"margin:24px 0 0 0;"
					   "font-size:13px;color:#666666;\">");
			tmpl_append_escaped(s, b->text);
			g_string_append(s, "</p>\n");
			break;
		case BLOCK_RULE:
			g_string_append(s,
			    "<hr style=\"border:0;border-top:1px "
			    "solid #dddddd;margin:24px 0;\">\n");
			break;
		}
	}
	g_string_append(s, "</div>\n</body>\n</html>\n");
	return g_string_free(s, FALSE);
}
