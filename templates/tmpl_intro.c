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

#include <string.h>

#include "templates/tmpl_int.h"

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
		   ? g_strdup_printf(
			 " about " TMPL_LQUOTE "%s" TMPL_RQUOTE, f->topic)
		   : g_strdup("");
	if (f->passers->len > 0) {
		g_autofree char *passed = passed_along(f, whom);

		tmpl_add_para(blocks, "%s wrote to %s%s%s. %s", who,
		    (const char *)f->passers->pdata[0], when, what, passed);
		return;
	}
	tmpl_add_para(blocks, "%s wrote to %s%s%s. %s thought of %s for it.",
	    who, f->member_label, when, what, f->member_label, whom);
}

/* add_note - the member's words as the endorsement */
static void
add_note(GPtrArray *blocks, const IntroFields *f)
{
	GPtrArray *lines;
	gboolean shortened;

	if (f->note == NULL) {
		tmpl_add_para(
		    blocks, "%s thought you two should meet.", f->member_label);
		return;
	}
	tmpl_add_para(blocks, "In %s's words:", f->member_label);
	lines = tmpl_quote_lines(
	    f->note, TMPL_NOTE_LINES, TMPL_NOTE_BYTES, &shortened);
	if (shortened)
		g_ptr_array_add(lines, g_strdup(TMPL_SHORTENED));
	tmpl_add_lines(blocks, BLOCK_NOTE, lines);
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
	tmpl_add_lines(blocks, BLOCK_RULE, NULL);
	tmpl_add_para(blocks, "The original message from %s:", who);
	lines = tmpl_quote_lines(
	    f->body, TMPL_QUOTE_LINES, TMPL_QUOTE_BYTES, &shortened);
	if (shortened)
		g_ptr_array_add(lines, g_strdup(TMPL_SHORTENED));
	tmpl_add_lines(blocks, BLOCK_QUOTE, lines);
}

/* intro_blocks - the introduction's content, in order */
static GPtrArray *
intro_blocks(const IntroFields *f)
{
	GPtrArray *blocks = tmpl_blocks_new();

	tmpl_add_para(
	    blocks, "Hello %s and %s,", f->friend_label, f->requester_label);
	tmpl_add_para(blocks, "%s asked %s to introduce you to each other.",
	    f->member_label, f->product);
	add_request(blocks, f);
	add_note(blocks, f);
	tmpl_add_para(blocks, "%s " TMPL_DASH " feel free to move me to Bcc.",
	    f->member_label);
	tmpl_add_para(blocks,
	    "%s, %s: replies to this message go to both of you.",
	    f->friend_label, f->requester_label);
	tmpl_add_para(
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

				const char *l = j == 0 ? TMPL_LQUOTE : "";
				const char *r =
				    j + 1 == b->lines->len ? TMPL_RQUOTE : "";

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
		case BLOCK_LINK: /* not in an introduction */
			g_string_append_printf(s, "%s\n%s\n\n", b->text,
			    b->url != NULL ? b->url : "");
			break;
		case BLOCK_SIG: /* not in an introduction */
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

/* intro_html - the text/html alternative */
char *
intro_html(const IntroFields *f)
{
	g_autoptr(GPtrArray) blocks = intro_blocks(f);

	return tmpl_blocks_html(blocks, f->subject);
}
