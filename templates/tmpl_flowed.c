/*
 * tmpl_flowed.c - blocks as format=flowed text, excerpts and first names
 *
 * tmpl_blocks_flowed() writes the text/plain alternative of the share
 * kinds as RFC 3676 format=flowed with DelSp=yes: every line at most
 * TMPL_FLOWED_COLUMNS columns and TMPL_FLOWED_OCTETS octets, the space
 * that ends it included. A soft break adds one space after the text
 * (deleted again by a reader that reflows), so it may come after a
 * space of the text ("word  ") or, for a word longer than a line and
 * for scripts written without spaces, between two characters: the text
 * reflows exactly as it was written, and a reader that knows nothing of
 * flowed text sees short lines without continuation marks. Hard lines
 * lose their trailing spaces (one would make them flowed); a line that
 * starts with a space, "From " or ">" is space-stuffed. The opportunity
 * is quoted with "> " (RFC 3676 4.5), the signature follows "-- ".
 *
 * tmpl_excerpt() picks the two or three lines of a request worth
 * reading first: the greeting ("Hi Chris,") and quoted or signature
 * lines skipped, the first paragraphs joined, cut at a sentence end (or
 * a word, with "…") near max_chars characters.
 *
 * tmpl_first_name() is the name to greet a person by: the first word of
 * the display name ("Jane" of "Jane Friend", "John" of "Doe, John"),
 * titles ("Dr.", "Prof") skipped; NULL when the name looks like an
 * address or holds no letter, so nobody is greeted by an address.
 *
 * Trust: the text is cleaned but untrusted; it is only measured, cut
 * and copied, never interpreted.
 */
#include "config.h"

#include <string.h>

#include "templates/tmpl_int.h"

#define FIRST_NAME_MAX 40 /* characters of a first name */

/* width - the columns a character takes in a terminal */
static guint
width(gunichar c)
{
	if (g_unichar_iszerowidth(c))
		return 0;
	return g_unichar_iswide(c) ? 2 : 1;
}

/* fits - the longest prefix of s (at most len octets) within cols
 * columns and octets octets, in octets, whole characters only */
static gsize
fits(const char *s, gsize len, guint cols, gsize octets)
{
	const char *p = s;
	guint used = 0;

	while ((gsize)(p - s) < len) {
		const char *next = g_utf8_next_char(p);

		used += width(g_utf8_get_char(p));
		if (used > cols || (gsize)(next - s) > octets)
			break;
		p = next;
	}
	return (gsize)(p - s);
}

/* needs_stuffing - whether a line must get a leading space (RFC 3676
 * 4.4): it starts with a space, a quote mark or "From " */
static gboolean
needs_stuffing(const char *s, gsize len)
{
	return len > 0 && (s[0] == ' ' || s[0] == '>' ||
			      (len >= 5 && strncmp(s, "From ", 5) == 0));
}

/* flow_line - one hard line of text, wrapped, each line after prefix */
static void
flow_line(GString *out, const char *prefix, const char *line)
{
	g_autofree char *hard = g_strchomp(g_strdup(line));
	gsize plen = strlen(prefix);
	/* room for the prefix, a stuffing space and the soft break's */
	guint cols = TMPL_FLOWED_COLUMNS - (guint)plen - 1;
	gsize octets = TMPL_FLOWED_OCTETS - plen - 1;
	const char *p = hard;
	gsize left = strlen(hard);

	for (;;) {
		gsize n = fits(p, left, cols, octets);
		gboolean last = n == left;
		gsize cut = n;

		if (!last) {
			n = fits(p, left, cols - 1, octets - 1);
			cut = n;
			for (gsize k = n; k > 0; k--) {
				if (p[k - 1] == ' ') {
					cut = k; /* after a space of the text */
					break;
				}
			}
			if (cut == 0)
				cut = n > 0 ? n
					    : (gsize)(g_utf8_next_char(p) - p);
		}
		g_string_append(out, prefix);
		if (*prefix == '\0' && needs_stuffing(p, cut))
			g_string_append_c(out, ' ');
		g_string_append_len(out, p, (gssize)cut);
		g_string_append(out, last ? "\n" : " \n");
		if (last)
			return;
		p += cut;
		left -= cut;
	}
}

/* flow_quote - lines quoted with "> "; an empty one is ">" alone */
static void
flow_quote(GString *out, const GPtrArray *lines)
{
	for (guint i = 0; i < lines->len; i++) {
		const char *line = g_ptr_array_index(lines, i);

		if (*line == '\0')
			g_string_append(out, ">\n");
		else
			flow_line(out, "> ", line);
	}
}

/* flow_note - the member's words in quotation marks */
static void
flow_note(GString *out, const GPtrArray *lines)
{
	for (guint i = 0; i < lines->len; i++) {
		g_autofree char *line =
		    g_strdup_printf("%s%s%s", i == 0 ? TMPL_LQUOTE : "",
			(const char *)g_ptr_array_index(lines, i),
			i + 1 == lines->len ? TMPL_RQUOTE : "");

		flow_line(out, "", line);
	}
}

/* flow_para - a paragraph of hard lines */
static void
flow_para(GString *out, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++)
		flow_line(out, "", lines[i]);
}

/* tmpl_blocks_flowed - the text/plain alternative, format=flowed,
 * DelSp=yes, LF line ends (transfer full) */
char *
tmpl_blocks_flowed(const GPtrArray *blocks)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < blocks->len; i++) {
		const Block *b = g_ptr_array_index(blocks, i);

		if (i > 0)
			g_string_append_c(s, '\n');
		switch (b->kind) {
		case BLOCK_PARA:
			flow_para(s, b->text);
			break;
		case BLOCK_NOTE:
			flow_note(s, b->lines);
			break;
		case BLOCK_QUOTE:
			flow_quote(s, b->lines);
			break;
		case BLOCK_RULE:
			g_string_append(s, "----\n");
			break;
		case BLOCK_LINK: /* the URL alone on a fixed line: no wrap */
			flow_para(s, b->text);
			g_string_append_printf(s, "%s\n", b->url);
			break;
		case BLOCK_SIG:
			g_string_append(s, "-- \n");
			flow_para(s, b->text);
			break;
		}
	}
	return g_string_free(s, FALSE);
}

/* is_greeting - a salutation line such as "Hi Chris," or "Dear all," */
static gboolean
is_greeting(const char *line)
{
	static const char *const words[] = { "hi", "hello", "hey", "dear",
		"good morning", "good afternoon", "greetings", "bonjour",
		"hallo", "hola", "ciao", "hej", "olá", "cześć" };
	gsize n = strlen(line);

	if (n == 0 || g_utf8_strlen(line, -1) > 40)
		return FALSE;
	if (line[n - 1] == ',' || line[n - 1] == '!')
		return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(words); i++) {
		gsize w = strlen(words[i]);

		if (g_ascii_strncasecmp(line, words[i], w) == 0 &&
		    (line[w] == '\0' || line[w] == ' ' || line[w] == ','))
			return TRUE;
	}
	return FALSE;
}

/* is_end - where the words worth reading first stop: a quote, a
 * signature, an attribution of older mail */
static gboolean
is_end(const char *line)
{
	return line[0] == '>' || strcmp(line, "--") == 0 ||
	       g_str_has_prefix(line, "-----") || g_str_has_prefix(line, "___");
}

/* cut_at_sentence - s cut to at most max characters: after the last
 * sentence end past a third of it, else after a word, with "…" */
static char *
cut_at_sentence(const char *s, glong max)
{
	const char *limit;
	const char *best = NULL;
	const char *space = NULL;

	if (g_utf8_strlen(s, -1) <= max)
		return g_strdup(s);
	limit = g_utf8_offset_to_pointer(s, max - 1);
	for (const char *p = s; p < limit; p = g_utf8_next_char(p)) {
		if (*p == ' ' && p > s && strchr(".?!", p[-1]) != NULL &&
		    g_utf8_pointer_to_offset(s, p) > max / 3)
			best = p;
		if (*p == ' ')
			space = p;
	}
	if (best != NULL)
		return g_strndup(s, (gsize)(best - s));
	if (space == NULL || space == s)
		return tmpl_cut_chars(s, max);
	return g_strdup_printf("%.*s\xe2\x80\xa6", (int)(space - s), s);
}

/* tmpl_excerpt - the opening words of a request, at most max_chars
 * characters on one line, or NULL when there are none */
char *
tmpl_excerpt(const char *text, glong max_chars)
{
	g_auto(GStrv) lines = NULL;
	GString *s;
	gboolean started = FALSE;
	g_autofree char *joined = NULL;

	if (text == NULL)
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	s = g_string_new(NULL);
	for (guint i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);

		if (!started && (*line == '\0' || is_greeting(line)))
			continue;
		if (is_end(line))
			break;
		if (*line == '\0') {
			if (g_utf8_strlen(s->str, -1) >= max_chars / 2)
				break; /* enough: a paragraph or two */
			continue;
		}
		started = TRUE;
		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, line);
		if (g_utf8_strlen(s->str, -1) > max_chars * 2)
			break;
	}
	joined = tmpl_clean_line(s->str, 0); /* one space between words */
	g_string_free(s, TRUE);
	if (joined == NULL)
		return NULL;
	return cut_at_sentence(joined, max_chars);
}

/* is_title - a title before a name ("Dr.", "Prof", "Mme") */
static gboolean
is_title(const char *word)
{
	static const char *const titles[] = { "dr", "prof", "mr", "mrs", "ms",
		"mx", "sir", "dame", "mme", "mlle", "herr", "frau", "sr", "sra",
		"dott" };
	g_autofree char *w = g_strdup(word);
	gsize n = strlen(w);

	if (n > 0 && w[n - 1] == '.')
		w[n - 1] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(titles); i++) {
		if (g_ascii_strcasecmp(w, titles[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* has_letter - whether s holds a letter of any script */
static gboolean
has_letter(const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		if (g_unichar_isalpha(g_utf8_get_char(p)))
			return TRUE;
	}
	return FALSE;
}

/* tmpl_first_name - the name to greet someone by, or NULL (transfer
 * full); name is one clean line */
char *
tmpl_first_name(const char *name)
{
	g_autofree char *clean = tmpl_clean_line(name, TMPL_NAME_MAX);
	g_auto(GStrv) words = NULL;
	const char *comma;
	const char *given;

	if (clean == NULL || strchr(clean, '@') != NULL || !has_letter(clean))
		return NULL;
	g_strdelimit(clean, "\"", ' ');
	comma = strchr(clean, ',');
	given = comma != NULL && has_letter(comma + 1) ? comma + 1 : clean;
	words = g_strsplit(given, " ", -1);
	for (guint i = 0; words[i] != NULL; i++) {
		char *w = words[i];
		gsize n = strlen(w);

		if (n > 0 && w[n - 1] == ',')
			w[n - 1] = '\0';
		if (*w == '\0' || !has_letter(w) ||
		    (words[i + 1] != NULL && is_title(w)))
			continue;
		return tmpl_cut_chars(w, FIRST_NAME_MAX);
	}
	return NULL;
}
