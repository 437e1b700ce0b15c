/*
 * tmpl_digest_look.c - the digest's view as flowed text and as HTML
 *
 * digest_blocks() writes the view (tmpl_digest.c) as blocks for the
 * project's format=flowed writer (tmpl_flowed.c): each section a
 * heading underlined with dashes, each entry a paragraph of short hard
 * lines, so a text reader shows it as written and a flowed reader
 * reflows only what is long. digest_html() writes it as HTML for the
 * readers people actually have: one 600 px table, layout tables marked
 * role=presentation, inline styles only (Outlook's Word renderer
 * ignores most of <style>), no images, no script, real headings and a
 * lang for screen readers. Every text colour is set with its
 * background on the same cell, and color-scheme says both schemes are
 * meant, so a client that darkens the page darkens both and never
 * leaves dark text on a dark background.
 *
 * Trust: the view holds cleaned but untrusted text; every byte of it
 * is escaped here (tmpl_append_escaped()); links are URLs and
 * addresses tmpl_digest.c checked for shape, escaped too.
 */
#include "config.h"

#include <string.h>

#include "templates/tmpl_int.h"

#define WIDTH "600" /* pixels of the message's table */

/* Colours: every text colour sits on a background set in the same
 * cell. */
#define BG_PAGE "#eef1f5"
#define BG_CARD "#ffffff"
#define BG_HEAD "#1d3557"
#define FG_HEAD "#ffffff"
#define FG_TEXT "#1f2933"
#define FG_SOFT "#52606d"
#define FG_LINK "#1a5fb4"
#define FONT "font-family:Helvetica,Arial,sans-serif;"

/* opening - "Here is your week on NAME (the week of ...)." */
static char *
opening(const DigestView *v)
{
	if (v->week_of != NULL)
		return g_strdup_printf(
		    "Here is your week on %s, the week of %s (%s).", v->product,
		    v->week_of, v->week);
	return g_strdup_printf(
	    "Here is your week on %s (%s).", v->product, v->week);
}

/* share_line - the member's own share address and how to pass one on */
static char *
share_line(const DigestView *v)
{
	g_autofree char *own =
	    v->share_address != NULL
		? g_strdup_printf(
		      "Your share address is %s. ", v->share_address)
		: g_strdup("");

	return g_strdup_printf(
	    "%sForward an opportunity to %s to pass it on (a friend's handle, "
	    "or their address with = for @, in place of NAME).",
	    own, v->share_example);
}

/* footer_line - why this came, and how to stop it */
static char *
footer_line(const DigestView *v)
{
	g_autofree char *url =
	    v->unsub_url != NULL ? g_strdup_printf(" or open %s", v->unsub_url)
				 : g_strdup("");

	return g_strdup_printf(
	    "You get this digest once a week from %s. To stop it, send any "
	    "mail to %s%s. Help: %s",
	    v->product, v->unsub_address, url, v->help);
}

/* entry_text - an entry as the lines of one paragraph */
static void
entry_text(GString *s, const DigestEntry *e)
{
	g_string_append(s, e->title);
	if (e->topic != NULL)
		g_string_append_printf(
		    s, "\n" TMPL_LQUOTE "%s" TMPL_RQUOTE, e->topic);
	if (e->detail != NULL)
		g_string_append_printf(s, "\n%s", e->detail);
	if (e->reply != NULL)
		g_string_append_printf(
		    s, "\nReply yes or no to:\n%s", e->reply);
	if (e->link != NULL)
		g_string_append_printf(
		    s, "\nor answer on the web:\n%s", e->link);
}

/* section_blocks - a heading, underlined, and the entries */
static void
section_blocks(GPtrArray *blocks, const DigestSection *sec)
{
	g_autofree char *rule = g_strnfill(strlen(sec->heading), '-');
	GString *s;

	tmpl_add_para(blocks, "%s\n%s", sec->heading, rule);
	if (sec->compact) {
		s = g_string_new(NULL);
		for (guint i = 0; i < sec->entries->len; i++) {
			const DigestEntry *e =
			    g_ptr_array_index(sec->entries, i);

			if (i > 0)
				g_string_append_c(s, '\n');
			g_string_append(s, e->title);
			if (e->detail != NULL)
				g_string_append_printf(s, ": %s", e->detail);
		}
		tmpl_add_block(blocks, BLOCK_PARA, s->str);
		g_string_free(s, TRUE);
		return;
	}
	for (guint i = 0; i < sec->entries->len; i++) {
		s = g_string_new(NULL);
		entry_text(s, g_ptr_array_index(sec->entries, i));
		tmpl_add_block(blocks, BLOCK_PARA, s->str);
		g_string_free(s, TRUE);
	}
	if (sec->more > 0)
		tmpl_add_para(blocks, "And %u more.", sec->more);
}

/* digest_blocks - the words of the digest, for the flowed writer */
GPtrArray *
digest_blocks(const DigestView *v)
{
	GPtrArray *blocks = tmpl_blocks_new();
	g_autofree char *open = opening(v);
	g_autofree char *share = share_line(v);
	g_autofree char *footer = footer_line(v);

	if (v->member_first != NULL)
		tmpl_add_para(blocks, "Hi %s,", v->member_first);
	else
		tmpl_add_para(blocks, "Hello,");
	tmpl_add_block(blocks, BLOCK_PARA, open);
	for (guint i = 0; i < v->sections->len; i++)
		section_blocks(blocks, g_ptr_array_index(v->sections, i));
	tmpl_add_lines(blocks, BLOCK_RULE, NULL);
	tmpl_add_block(blocks, BLOCK_PARA, share);
	tmpl_add_block(blocks, BLOCK_SIG, footer);
	return blocks;
}

/* esc - append text escaped for HTML */
static void
esc(GString *s, const char *text)
{
	tmpl_append_escaped(s, text);
}

/* html_link - <a href=URL>label</a>, both escaped; href is a checked
 * URL or mailto: with a checked address */
static void
html_link(GString *s, const char *href, const char *label)
{
	g_autofree char *h = g_markup_escape_text(href, -1);

	g_string_append_printf(s,
	    "<a href=\"%s\" style=\"color:" FG_LINK
	    ";text-decoration:underline;\">",
	    h);
	esc(s, label);
	g_string_append(s, "</a>");
}

/* html_mailto - a link that writes to addr */
static void
html_mailto(GString *s, const char *addr)
{
	g_autofree char *href = g_strdup_printf("mailto:%s", addr);

	html_link(s, href, addr);
}

/* html_p - a paragraph's opening tag in one of the text styles */
static void
html_p(GString *s, const char *style)
{
	g_string_append_printf(s,
	    "<p style=\"margin:0 0 4px 0;" FONT
	    "font-size:15px;line-height:22px;word-wrap:break-word;%s\">",
	    style);
}

/* html_entry - one entry as a row of the section's table */
static void
html_entry(GString *s, const DigestEntry *e)
{
	g_string_append(s, "<tr><td bgcolor=\"" BG_CARD
			   "\" style=\"padding:10px 0;border-bottom:1px "
			   "solid #dde3ea;background-color:" BG_CARD ";\">\n");
	html_p(s, "font-weight:bold;color:" FG_TEXT ";");
	esc(s, e->title);
	g_string_append(s, "</p>\n");
	if (e->topic != NULL) {
		html_p(s, "font-style:italic;color:" FG_SOFT ";");
		g_string_append(s, TMPL_LQUOTE);
		esc(s, e->topic);
		g_string_append(s, TMPL_RQUOTE "</p>\n");
	}
	if (e->detail != NULL) {
		html_p(s, "color:" FG_TEXT ";");
		esc(s, e->detail);
		g_string_append(s, "</p>\n");
	}
	if (e->reply != NULL) {
		html_p(s, "color:" FG_TEXT ";");
		g_string_append(s, "Reply yes or no to ");
		html_mailto(s, e->reply);
		g_string_append(s, "</p>\n");
	}
	if (e->link != NULL) {
		html_p(s, "color:" FG_TEXT ";");
		html_link(s, e->link, "Answer on the web");
		g_string_append(s, "</p>\n");
	}
	g_string_append(s, "</td></tr>\n");
}

/* html_compact - the entries as "title: detail" rows */
static void
html_compact(GString *s, const DigestSection *sec)
{
	for (guint i = 0; i < sec->entries->len; i++) {
		const DigestEntry *e = g_ptr_array_index(sec->entries, i);

		g_string_append(s,
		    "<tr><td bgcolor=\"" BG_CARD
		    "\" style=\"padding:2px 0;background-color:" BG_CARD
		    ";\">\n");
		html_p(s, "color:" FG_TEXT ";");
		if (e->detail != NULL) {
			g_string_append(s, "<strong>");
			esc(s, e->title);
			g_string_append(s, ":</strong> ");
			esc(s, e->detail);
		} else {
			esc(s, e->title);
		}
		g_string_append(s, "</p>\n</td></tr>\n");
	}
}

/* html_section - a heading and a table of its entries, as one row of
 * the card */
static void
html_section(GString *s, const DigestSection *sec)
{
	g_string_append(s,
	    "<tr><td bgcolor=\"" BG_CARD "\" style=\"padding:20px 32px 4px "
	    "32px;background-color:" BG_CARD ";\">\n"
	    "<h2 style=\"margin:0 0 6px 0;" FONT "font-size:18px;"
	    "line-height:24px;font-weight:bold;color:" BG_HEAD ";\">");
	esc(s, sec->heading);
	g_string_append(s,
	    "</h2>\n<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\">\n");
	if (sec->compact) {
		html_compact(s, sec);
	} else {
		for (guint i = 0; i < sec->entries->len; i++)
			html_entry(s, g_ptr_array_index(sec->entries, i));
	}
	if (sec->more > 0) {
		g_string_append(s,
		    "<tr><td bgcolor=\"" BG_CARD
		    "\" style=\"padding:8px 0;background-color:" BG_CARD
		    ";\">\n");
		html_p(s, "color:" FG_SOFT ";");
		g_string_append_printf(
		    s, "And %u more.</p>\n</td></tr>\n", sec->more);
	}
	g_string_append(s, "</table>\n</td></tr>\n");
}

/* html_head - the document up to the card's first row */
static void
html_head(GString *s, const DigestView *v)
{
	g_string_append(s,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta name=\"supported-color-schemes\" content=\"light dark\">\n"
	    "<title>");
	esc(s, v->subject);
	g_string_append(s,
	    "</title>\n</head>\n<body bgcolor=\"" BG_PAGE
	    "\" style=\"margin:0;padding:0;background-color:" BG_PAGE ";\">\n"
	    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" bgcolor=\"" BG_PAGE
	    "\" style=\"background-color:" BG_PAGE ";\">\n"
	    "<tr><td align=\"center\" style=\"padding:24px 0;\">\n"
	    "<table role=\"presentation\" width=\"" WIDTH
	    "\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" bgcolor=\"" BG_CARD
	    "\" style=\"width:" WIDTH "px;max-width:" WIDTH "px;"
	    "background-color:" BG_CARD ";\">\n"
	    "<tr><td bgcolor=\"" BG_HEAD "\" style=\"padding:24px 32px;"
	    "background-color:" BG_HEAD ";\">\n"
	    "<h1 style=\"margin:0;" FONT "font-size:24px;line-height:30px;"
	    "font-weight:bold;color:" FG_HEAD ";\">Your week on ");
	esc(s, v->product);
	g_string_append(s,
	    "</h1>\n<p style=\"margin:6px 0 0 0;" FONT
	    "font-size:14px;line-height:20px;color:" FG_HEAD ";\">");
	if (v->week_of != NULL) {
		g_string_append(s, "The week of ");
		esc(s, v->week_of);
		g_string_append(s, " (");
		esc(s, v->week);
		g_string_append(s, ")");
	} else {
		esc(s, v->week);
	}
	g_string_append(s, "</p>\n</td></tr>\n");
}

/* html_greeting - "Hi Chris," and the opening, as the card's first row */
static void
html_greeting(GString *s, const DigestView *v)
{
	g_autofree char *hi = v->member_first != NULL
				  ? g_strdup_printf("Hi %s,", v->member_first)
				  : g_strdup("Hello,");

	g_string_append(s,
	    "<tr><td bgcolor=\"" BG_CARD "\" style=\"padding:24px 32px 0 32px;"
	    "background-color:" BG_CARD ";\">\n");
	html_p(s, "margin-bottom:12px;color:" FG_TEXT ";");
	esc(s, hi);
	g_string_append(s, "</p>\n");
	html_p(s, "color:" FG_TEXT ";");
	g_string_append(s, "Here is what happened with the opportunities you "
			   "passed along, and the ones passed to you.</p>\n"
			   "</td></tr>\n");
}

/* html_footer - the share line, why this came, how to stop it */
static void
html_footer(GString *s, const DigestView *v)
{
	g_autofree char *share = share_line(v);

	g_string_append(s, "<tr><td bgcolor=\"" BG_CARD
			   "\" style=\"padding:20px 32px 24px 32px;"
			   "background-color:" BG_CARD ";\">\n");
	html_p(s, "color:" FG_TEXT ";");
	esc(s, share);
	g_string_append(s, "</p>\n</td></tr>\n</table>\n");
	g_string_append(s,
	    "<table role=\"presentation\" width=\"" WIDTH
	    "\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"width:" WIDTH "px;max-width:" WIDTH
	    "px;\">\n<tr><td bgcolor=\"" BG_PAGE
	    "\" style=\"padding:16px 32px;background-color:" BG_PAGE
	    ";\">\n<p style=\"margin:0;" FONT
	    "font-size:13px;line-height:19px;color:" FG_SOFT ";\">");
	g_string_append(s, "You get this digest once a week from ");
	esc(s, v->product);
	g_string_append(s, ". To stop it, send any mail to ");
	html_mailto(s, v->unsub_address);
	if (v->unsub_url != NULL) {
		g_string_append(s, " or ");
		html_link(s, v->unsub_url, "unsubscribe on the web");
	}
	g_string_append(s, ". Help: ");
	html_mailto(s, v->help);
	g_string_append(s,
	    "</p>\n</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n"
	    "</html>\n");
}

/* digest_html - the HTML alternative (transfer full) */
char *
digest_html(const DigestView *v)
{
	GString *s = g_string_new(NULL);

	html_head(s, v);
	html_greeting(s, v);
	for (guint i = 0; i < v->sections->len; i++)
		html_section(s, g_ptr_array_index(v->sections, i));
	html_footer(s, v);
	return g_string_free(s, FALSE);
}
