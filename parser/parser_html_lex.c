/*
 * parser_html_lex.c - the lexical side of parser_html.c: tag names and
 *	attributes, character references, comments and raw text skipped,
 *	and what the attributes say (forward containers, mailto links)
 */
#include "config.h"

#include <string.h>

#include "parser/parser_html_int.h"
#include "parser/parser_html_tables.h"

/* html_tag_info - the T_* flags of a (lower-case) tag name */
guint
html_tag_info(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(html_tags); i++) {
		if (html_tags[i].name[0] == name[0] &&
		    strcmp(html_tags[i].name, name) == 0)
			return html_tags[i].flags;
	}
	/* Office's <o:p>, <w:WordDocument> ... are allowed in <head> */
	return strchr(name, ':') != NULL ? T_HEAD : 0;
}

/* html_is_space - HTML white space */
gboolean
html_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* numeric_ref - the character &#...; means, bad ones as U+FFFD */
static gunichar
numeric_ref(guint64 v)
{
	if (v >= 0x80 && v <= 0x9F)
		return html_cp1252[v - 0x80] != 0 ? html_cp1252[v - 0x80]
						  : 0xFFFD;
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0xFFFD;
	return (gunichar)v;
}

/* read_numeric - &#123; or &#x7B; at s[pos]; 0 when it is not one */
static gsize
read_numeric(const char *s, gsize len, gsize pos, gunichar *c)
{
	gboolean hex =
	    pos + 2 < len && (s[pos + 2] == 'x' || s[pos + 2] == 'X');
	gsize i = pos + (hex ? 3 : 2), start = i;
	guint64 v = 0;

	for (; i < len; i++) {
		int d = hex ? g_ascii_xdigit_value(s[i])
			    : g_ascii_digit_value(s[i]);

		if (d < 0)
			break;
		if (v <= 0x10FFFF) /* past that it is invalid anyway */
			v = v * (hex ? 16 : 10) + (guint64)d;
	}
	if (i == start)
		return 0;
	*c = numeric_ref(v);
	return (i < len && s[i] == ';' ? i + 1 : i) - pos;
}

/* read_named - &name; at s[pos]; 0 when it is not one we know */
static gsize
read_named(const char *s, gsize len, gsize pos, gunichar *c)
{
	gsize i = pos + 1;
	char name[32];
	gboolean semi;

	while (
	    i < len && i - pos - 1 < sizeof(name) - 1 && g_ascii_isalnum(s[i]))
		i++;
	if (i == pos + 1)
		return 0;
	memcpy(name, s + pos + 1, i - pos - 1);
	name[i - pos - 1] = '\0';
	semi = i < len && s[i] == ';';
	for (gsize k = 0; k < G_N_ELEMENTS(html_entities); k++) {
		if (strcmp(html_entities[k].name, name) != 0)
			continue;
		/* the old ones work without ';', as in browsers */
		if (!semi && k > 5)
			return 0;
		*c = html_entities[k].c;
		return i - pos + (semi ? 1 : 0);
	}
	return 0;
}

/* html_slice_has - whether an attribute value holds needle, ignoring case
 * and white space (styles are written "border-top: solid  #E1E1E1") */
gboolean
html_slice_has(Slice v, const char *needle)
{
	for (gsize i = 0; i < v.len; i++) {
		gsize j = i;
		const char *n = needle;

		while (*n != '\0' && j < v.len) {
			if (html_is_space(v.p[j])) {
				j++;
				continue;
			}
			if (g_ascii_tolower(v.p[j]) != *n)
				break;
			j++;
			n++;
		}
		if (*n == '\0')
			return TRUE;
	}
	return FALSE;
}

/* slice_word - whether a class list holds the class word */
static gboolean
slice_word(Slice v, const char *word)
{
	gsize wl = strlen(word), i = 0;

	while (i < v.len) {
		gsize start;

		while (i < v.len && html_is_space(v.p[i]))
			i++;
		start = i;
		while (i < v.len && !html_is_space(v.p[i]))
			i++;
		if (i - start == wl &&
		    g_ascii_strncasecmp(v.p + start, word, wl) == 0)
			return TRUE;
	}
	return FALSE;
}

/* slice_ends - whether v ends with suffix, ignoring case */
static gboolean
slice_ends(Slice v, const char *suffix)
{
	gsize n = strlen(suffix);

	return v.len >= n &&
	       g_ascii_strncasecmp(v.p + v.len - n, suffix, n) == 0;
}

/* html_is_fwd_container - the forward containers mail clients write */
gboolean
html_is_fwd_container(const Tag *t)
{
	if (t->id.len > 0 && slice_ends(t->id, "divrplyfwdmsg"))
		return TRUE; /* Outlook 365/web, "x_divRplyFwdMsg" too */
	if (slice_word(t->cls, "gmail_quote") ||
	    slice_word(t->cls, "gmail_attr") ||
	    slice_word(t->cls, "moz-forward-container") ||
	    slice_word(t->cls, "OutlookMessageHeader") ||
	    slice_word(t->cls, "yahoo_quoted"))
		return TRUE;
	/* Outlook desktop header block */
	if (html_slice_has(t->style, "border-top:solid#e1e1e1") ||
	    html_slice_has(t->style, "border-top:solid#b5c4df"))
		return TRUE;
	return strcmp(t->name, "blockquote") == 0 && t->type.len == 4 &&
	       g_ascii_strncasecmp(t->type.p, "cite", 4) == 0;
}

/* html_read_name - a tag or attribute name at h->pos, lower-cased into
 * buf (cut to HTML_NAME_MAX - 1); returns its length in the input */
gsize
html_read_name(HtmlCursor *h, char *buf, gboolean attr)
{
	gsize start = h->pos, n = 0;

	while (h->pos < h->len) {
		char c = h->s[h->pos];

		if (html_is_space(c) || c == '>' || c == '/' ||
		    (attr && c == '=') || (!attr && c == '<'))
			break;
		if (n < HTML_NAME_MAX - 1)
			buf[n++] = g_ascii_tolower(c);
		h->pos++;
	}
	/* an attribute name may start with '=' or '<': take one byte */
	if (attr && h->pos == start && h->pos < h->len && h->s[h->pos] != '>' &&
	    h->s[h->pos] != '/')
		buf[n++] = h->s[h->pos++];
	buf[n] = '\0';
	return h->pos - start;
}

/* read_value - an attribute value at h->pos; FALSE at end of input
 * inside quotes (an unterminated tag ends the document) */
static gboolean
read_value(HtmlCursor *h, Slice *v)
{
	char q = h->s[h->pos];

	if (q == '"' || q == '\'') {
		const char *end =
		    memchr(h->s + h->pos + 1, q, h->len - h->pos - 1);

		if (end == NULL) {
			h->pos = h->len;
			return FALSE;
		}
		v->p = h->s + h->pos + 1;
		v->len = (gsize)(end - v->p);
		h->pos = (gsize)(end - h->s) + 1;
		return TRUE;
	}
	v->p = h->s + h->pos;
	while (h->pos < h->len && !html_is_space(h->s[h->pos]) &&
	       h->s[h->pos] != '>')
		h->pos++;
	v->len = (gsize)(h->s + h->pos - v->p);
	return TRUE;
}

/* skip_spaces - past white space at h->pos */
static void
skip_spaces(HtmlCursor *h)
{
	while (h->pos < h->len && html_is_space(h->s[h->pos]))
		h->pos++;
}

/* keep_attr - where an attribute we use is kept */
static Slice *
keep_attr(Tag *t, const char *name)
{
	if (strcmp(name, "id") == 0)
		return &t->id;
	if (strcmp(name, "class") == 0)
		return &t->cls;
	if (strcmp(name, "style") == 0)
		return &t->style;
	if (strcmp(name, "href") == 0)
		return &t->href;
	if (strcmp(name, "type") == 0)
		return &t->type;
	return NULL;
}

/* html_read_attrs - attributes up to and past '>'; FALSE if the input ends
 * first */
gboolean
html_read_attrs(HtmlCursor *h, Tag *t)
{
	g_return_val_if_fail(h != NULL && t != NULL, FALSE);
	while (h->pos < h->len) {
		char name[HTML_NAME_MAX];
		Slice v = { NULL, 0 }, *keep;

		skip_spaces(h);
		if (h->pos >= h->len)
			break;
		if (h->s[h->pos] == '>') {
			h->pos++;
			return TRUE;
		}
		if (h->s[h->pos] == '/') {
			h->pos++;
			if (h->pos < h->len && h->s[h->pos] == '>') {
				t->self_closed = TRUE;
				h->pos++;
				return TRUE;
			}
			continue;
		}
		html_read_name(h, name, TRUE);
		skip_spaces(h);
		if (h->pos < h->len && h->s[h->pos] == '=') {
			h->pos++;
			skip_spaces(h);
			if (h->pos >= h->len || !read_value(h, &v))
				break;
		}
		if ((keep = keep_attr(t, name)) != NULL && keep->p == NULL)
			*keep = v;
	}
	h->pos = h->len;
	return FALSE;
}

/* html_skip_raw - past the end tag of <script>, <style> ... (or to the end) */
void
html_skip_raw(HtmlCursor *h, const char *name)
{
	gsize n = strlen(name);

	while (h->pos < h->len) {
		const char *lt = memchr(h->s + h->pos, '<', h->len - h->pos);
		gsize at;

		if (lt == NULL)
			break;
		at = (gsize)(lt - h->s);
		h->pos = at + 1;
		if (at + 2 + n <= h->len && h->s[at + 1] == '/' &&
		    g_ascii_strncasecmp(h->s + at + 2, name, n) == 0 &&
		    (at + 2 + n == h->len || html_is_space(h->s[at + 2 + n]) ||
			h->s[at + 2 + n] == '>' || h->s[at + 2 + n] == '/')) {
			const char *gt = memchr(h->s + at, '>', h->len - at);

			h->pos = gt != NULL ? (gsize)(gt - h->s) + 1 : h->len;
			return;
		}
	}
	h->pos = h->len;
}

/* html_skip_markup - past a comment, <!DOCTYPE>, <![if ...]> or <?...?> */
void
html_skip_markup(HtmlCursor *h)
{
	const char *end;

	if (h->pos + 4 <= h->len && memcmp(h->s + h->pos, "<!--", 4) == 0) {
		gsize i = h->pos + 4;

		/* "-->" by memchr on '-': linear, and NUL bytes are fine */
		while (i + 3 <= h->len) {
			end = memchr(h->s + i, '-', h->len - i);
			if (end == NULL)
				break;
			i = (gsize)(end - h->s);
			if (i + 3 <= h->len && memcmp(end, "-->", 3) == 0) {
				h->pos = i + 3;
				return;
			}
			i++;
		}
		h->pos = h->len;
		return;
	}
	end = memchr(h->s + h->pos, '>', h->len - h->pos);
	h->pos = end != NULL ? (gsize)(end - h->s) + 1 : h->len;
}

/* html_mailto_address - the address of href="mailto:ADDR?...", or NULL */
GString *
html_mailto_address(Slice href)
{
	g_autoptr(GString) raw = g_string_new(NULL);
	g_autofree char *unescaped = NULL;
	gsize i = 0;

	while (i < href.len && html_is_space(href.p[i]))
		i++;
	if (href.len - i < 7 || g_ascii_strncasecmp(href.p + i, "mailto:", 7))
		return NULL;
	for (i += 7; i < href.len && href.p[i] != '?'; i++) {
		gunichar c = 0;
		gsize n = 0;

		if (href.p[i] == '&')
			n = href.p[i + 1 < href.len ? i + 1 : i] == '#'
				? read_numeric(href.p, href.len, i, &c)
				: read_named(href.p, href.len, i, &c);
		if (n > 0) {
			g_string_append_unichar(raw, c);
			i += n - 1;
		} else if (!html_is_space(href.p[i]) && href.p[i] != '\0') {
			g_string_append_c(raw, href.p[i]);
		}
	}
	unescaped = g_uri_unescape_string(raw->str, NULL);
	if (unescaped == NULL || strchr(unescaped, '@') == NULL ||
	    strlen(unescaped) > 254 || strpbrk(unescaped, "<> \t\r\n") ||
	    !g_utf8_validate(unescaped, -1, NULL))
		return NULL;
	return g_string_new(unescaped);
}

/* html_read_ref - the character reference at h->pos ("&amp;",
 * "&#233;"), moving past it; FALSE (nothing read) when it is not one */
gboolean
html_read_ref(HtmlCursor *h, gunichar *c)
{
	gsize n;

	if (h->pos + 1 < h->len && h->s[h->pos + 1] == '#')
		n = read_numeric(h->s, h->len, h->pos, c);
	else
		n = read_named(h->s, h->len, h->pos, c);
	h->pos += n;
	return n > 0;
}
