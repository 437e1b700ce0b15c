/*
 * tmpl_intro.c - the words of the introduction, as text and as HTML
 *
 * The content is written once, as a list of blocks (paragraphs, the
 * member's words, the quoted opportunity), and then rendered twice: as
 * plain text and as HTML. The HTML renderer escapes every block with
 * g_markup_escape_text() and uses inline styles only, so that it reads
 * the same in web mail, desktop clients and text-only viewers.
 *
 * Trust: the fields are already clean (tmpl_fields.c) but still
 * untrusted; nothing here interprets them, the HTML side escapes them.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "templates/tmpl_int.h"

#define DASH "\xe2\x80\x94"
#define LQUOTE "\xe2\x80\x9c"
#define RQUOTE "\xe2\x80\x9d"

typedef enum {
	BLOCK_PARA,  /* a paragraph; "\n" breaks lines */
	BLOCK_NOTE,  /* the member's own words */
	BLOCK_QUOTE, /* the opportunity, quoted */
	BLOCK_RULE,  /* a separator */
} BlockKind;

typedef struct {
	BlockKind kind;
	char *text;       /* BLOCK_PARA */
	GPtrArray *lines; /* BLOCK_NOTE, BLOCK_QUOTE */
} Block;

/* block_free - free one block */
static void
block_free(gpointer data)
{
	Block *b = data;

	g_free(b->text);
	if (b->lines != NULL)
		g_ptr_array_unref(b->lines);
	g_free(b);
}

/* add_para - append a formatted paragraph */
G_GNUC_PRINTF(2, 3)
static void
add_para(GPtrArray *blocks, const char *fmt, ...)
{
	Block *b = g_new0(Block, 1);
	va_list ap;

	va_start(ap, fmt);
	b->kind = BLOCK_PARA;
	b->text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(blocks, b);
}

/* add_lines - append a block of lines (transfer full) */
static void
add_lines(GPtrArray *blocks, BlockKind kind, GPtrArray *lines)
{
	Block *b = g_new0(Block, 1);

	b->kind = kind;
	b->lines = lines;
	g_ptr_array_add(blocks, b);
}

/* person - "Name (address)", or the address alone when there is no name */
static char *
person(const char *name, const char *address)
{
	if (name == NULL)
		return g_strdup(address);
	return g_strdup_printf("%s (%s)", name, address);
}

/* passed_along - "P1 passed this to P2, who passed it to M, who thought
 * of W for it." for the people between the requester and the member */
static char *
passed_along(const IntroFields *f, const char *whom)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(
	    s, "%s passed this to ", (const char *)f->passers->pdata[0]);
	for (guint i = 1; i < f->passers->len; i++)
		g_string_append_printf(s, "%s, who passed it to ",
		    (const char *)f->passers->pdata[i]);
	g_string_append_printf(
	    s, "%s, who thought of %s for it.", f->member_label, whom);
	return g_string_free(s, FALSE);
}

/* add_request - who asked, when, for what, and whom the member thought of */
static void
add_request(GPtrArray *blocks, const IntroFields *f)
{
	g_autofree char *who = person(f->requester_name, f->requester_address);
	g_autofree char *whom = person(f->friend_name, f->friend_address);
	g_autofree char *when = NULL;
	g_autofree char *what = NULL;

	when =
	    f->date != NULL ? g_strdup_printf(" on %s", f->date) : g_strdup("");
	what = f->topic != NULL
		   ? g_strdup_printf(" about " LQUOTE "%s" RQUOTE, f->topic)
		   : g_strdup("");
	if (f->passers->len > 0) {
		g_autofree char *passed = passed_along(f, whom);

		add_para(blocks, "%s wrote to %s%s%s. %s", who,
		    (const char *)f->passers->pdata[0], when, what, passed);
		return;
	}
	add_para(blocks, "%s wrote to %s%s%s. %s thought of %s for it.", who,
	    f->member_label, when, what, f->member_label, whom);
}

/* add_note - the member's words as the endorsement */
static void
add_note(GPtrArray *blocks, const IntroFields *f)
{
	GPtrArray *lines;
	gboolean shortened;

	if (f->note == NULL) {
		add_para(
		    blocks, "%s thought you two should meet.", f->member_label);
		return;
	}
	add_para(blocks, "In %s's words:", f->member_label);
	lines = tmpl_quote_lines(
	    f->note, TMPL_NOTE_LINES, TMPL_NOTE_BYTES, &shortened);
	if (shortened)
		g_ptr_array_add(lines, g_strdup(TMPL_SHORTENED));
	add_lines(blocks, BLOCK_NOTE, lines);
}

/* add_original - the opportunity, quoted and capped */
static void
add_original(GPtrArray *blocks, const IntroFields *f)
{
	g_autofree char *who = person(f->requester_name, f->requester_address);
	GPtrArray *lines;
	gboolean shortened;

	if (f->body == NULL)
		return;
	add_lines(blocks, BLOCK_RULE, NULL);
	add_para(blocks, "The original message from %s:", who);
	lines = tmpl_quote_lines(
	    f->body, TMPL_QUOTE_LINES, TMPL_QUOTE_BYTES, &shortened);
	if (shortened)
		g_ptr_array_add(lines, g_strdup(TMPL_SHORTENED));
	add_lines(blocks, BLOCK_QUOTE, lines);
}

/* intro_blocks - the introduction's content, in order */
static GPtrArray *
intro_blocks(const IntroFields *f)
{
	GPtrArray *blocks = g_ptr_array_new_with_free_func(block_free);

	add_para(
	    blocks, "Hello %s and %s,", f->friend_label, f->requester_label);
	add_para(blocks, "%s asked %s to introduce you to each other.",
	    f->member_label, f->product);
	add_request(blocks, f);
	add_note(blocks, f);
	add_para(blocks, "%s " DASH " feel free to move me to Bcc.",
	    f->member_label);
	add_para(blocks, "%s, %s: replies to this message go to both of you.",
	    f->friend_label, f->requester_label);
	add_para(
	    blocks, "Best wishes,\n%s, for %s", f->product, f->member_label);
	add_original(blocks, f);
	return blocks;
}

/* intro_text - the text/plain alternative */
char *
intro_text(const IntroFields *f)
{
	g_autoptr(GPtrArray) blocks = intro_blocks(f);
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < blocks->len; i++) {
		const Block *b = g_ptr_array_index(blocks, i);

		switch (b->kind) {
		case BLOCK_PARA:
			g_string_append_printf(s, "%s\n\n", b->text);
			break;
		case BLOCK_NOTE:
			for (guint j = 0; j < b->lines->len; j++) {
				const char *line =
				    g_ptr_array_index(b->lines, j);

				const char *l = j == 0 ? LQUOTE : "";
				const char *r =
				    j + 1 == b->lines->len ? RQUOTE : "";

				if (*l == '\0' && *r == '\0' && *line == '\0')
					g_string_append_c(s, '\n');
				else
					g_string_append_printf(
					    s, "    %s%s%s\n", l, line, r);
			}
			g_string_append_c(s, '\n');
			break;
		case BLOCK_QUOTE:
			for (guint j = 0; j < b->lines->len; j++) {
				const char *line =
				    g_ptr_array_index(b->lines, j);

				g_string_append_printf(s, ">%s%s\n",
				    *line != '\0' ? " " : "", line);
			}
			break;
		case BLOCK_RULE:
			g_string_append(s, "----------------------------------"
					   "------\n\n");
			break;
		}
	}
	while (s->len > 0 && s->str[s->len - 1] == '\n')
		g_string_truncate(s, s->len - 1);
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

/* append_escaped - text escaped for HTML, "\n" as <br> */
static void
append_escaped(GString *s, const char *text)
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
		g_string_append(s, LQUOTE);
	for (guint j = 0; j < b->lines->len; j++) {
		if (j > 0)
			g_string_append(s, "<br>\n");
		append_escaped(s, g_ptr_array_index(b->lines, j));
	}
	if (b->kind == BLOCK_NOTE)
		g_string_append(s, RQUOTE);
	g_string_append(s, "</blockquote>\n");
}

/* intro_html - the text/html alternative */
char *
intro_html(const IntroFields *f)
{
	g_autoptr(GPtrArray) blocks = intro_blocks(f);
	g_autofree char *title = g_markup_escape_text(f->subject, -1);
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
			append_escaped(s, b->text);
			g_string_append(s, "</p>\n");
			break;
		case BLOCK_NOTE:
		case BLOCK_QUOTE:
			append_lines_html(s, b);
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
