/*
 * parser_reply.c - read a friend's answer to a consent request (see
 *	reply.h; the rules with examples: tests/fixtures/replies/README.md)
 *
 * The body is read as the parser reads a forward: the first inline
 * text/plain part, else the first text/html part through the HTML
 * reader, whose reply containers (Gmail's gmail_quote, Outlook's
 * divRplyFwdMsg, ...) mark where quoted mail begins. Then one walk over
 * the lines, top to bottom:
 *   - blank and quoted ("> ") lines are passed over;
 *   - where a quoted message begins (parser_inline_marker(): an
 *     attribution, a separator, a header block; or an HTML container),
 *     the walk goes on past it when the quoted text under it is quoted
 *     deeper (bottom-posting: "On ... wrote:" over "> " lines) and
 *     stops when it is not (Outlook's From/Sent block over the
 *     original, unquoted);
 *   - a signature or a client footer stops it;
 *   - salutations, thanks-only and empty lines are passed over;
 *   - the first other line decides (parser_reply_words.c), and when it
 *     says yes or no, the lines after it, up to the next quote,
 *     signature, thanks or closing line, are the reason.
 *
 * Trust: the message is untrusted mail. Bounds: REPLY_MAX_HTML bytes of
 * HTML, REPLY_MAX_TEXT bytes of text and REPLY_MAX_LINES lines are
 * read; each line is read for words up to REPLY_LINE_MAX bytes.
 */
#include "config.h"

#include <string.h>

#include "common/util.h"
#include "parser/parser_int.h"
#include "parser/parser_reply_int.h"
#include "parser/parser_scan.h"
#include "parser/reply.h"

typedef enum {
	EDGE_NONE,
	EDGE_SKIP, /* a quoted message whose text is quoted: go past it */
	EDGE_STOP, /* a quoted message, signature or footer: the end */
} Edge;

typedef struct {
	const Lines *ls;
	const GArray *hints;
	ReplyVerdict *v;
	GString *reason;
	gsize last_at;   /* where the last line of the reason begins */
	gboolean blank;  /* a blank line before the next reason line */
	gboolean answer; /* the deciding line was a yes or a no */
} Walk;

/* reply_decision_name - "yes", "no" or "unclear" */
const char *
reply_decision_name(ReplyDecision d)
{
	switch (d) {
	case REPLY_YES:
		return "yes";
	case REPLY_NO:
		return "no";
	case REPLY_UNCLEAR:
	default:
		return "unclear";
	}
}

/* reply_verdict_free - free a verdict; NULL is fine */
void
reply_verdict_free(ReplyVerdict *v)
{
	if (v == NULL)
		return;
	g_free(v->reason);
	g_free(v->first_line);
	g_free(v);
}

/* utf8_cut - s cut to at most max bytes, at the start of a character */
static void
utf8_cut(char *s, gsize max)
{
	gsize len = strlen(s);

	if (len <= max)
		return;
	while (max > 0 && ((guchar)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/* is_hint - an HTML reply container begins at line i */
static gboolean
is_hint(const GArray *hints, guint i)
{
	for (guint k = 0; hints != NULL && k < hints->len; k++)
		if (g_array_index(hints, guint, k) == i)
			return TRUE;
	return FALSE;
}

/* introduces_quote - line i ends with a colon and quoted lines follow
 * (after at most one blank line): an attribution in a form the tables
 * do not know ("пн, 3 мар. 2025 г. в 10:02, Chris <c@example.org>:") */
static gboolean
introduces_quote(const Lines *ls, guint i)
{
	const Line *l = &ls->v[i];
	gsize len = l->len;

	while (len > 0 && (l->s[len - 1] == ' ' || l->s[len - 1] == '\t'))
		len--;
	if (!(len >= 1 && l->s[len - 1] == ':') &&
	    !(len >= 3 && memcmp(l->s + len - 3, "\xef\xbc\x9a", 3) == 0))
		return FALSE;
	for (guint k = i + 1; k < ls->n && k <= i + 2; k++) {
		if (ls->v[k].depth > l->depth)
			return TRUE;
		if (!parser_line_blank(&ls->v[k]))
			return FALSE;
	}
	return FALSE;
}

/* edge - does quoted mail, a signature or a footer begin at line i? */
static Edge
edge(const Walk *w, guint i, guint *next)
{
	const Line *l = &w->ls->v[i];
	guint body, depth;

	if (parser_inline_marker(w->ls, i, w->hints, &body, &depth)) {
		if (depth <= l->depth)
			return EDGE_STOP;
		*next = body;
		return EDGE_SKIP;
	}
	if (is_hint(w->hints, i) || parser_line_signature(l))
		return EDGE_STOP;
	if (introduces_quote(w->ls, i)) {
		*next = i + 1;
		return EDGE_SKIP;
	}
	return EDGE_NONE;
}

/* skip_separators - past spaces, punctuation and emoji after the answer */
static const char *
skip_separators(const char *s, const char *end)
{
	while (s < end) {
		gunichar c = g_utf8_get_char(s);
		GUnicodeType t = g_unichar_type(c);

		if (!g_unichar_isspace(c) && t != G_UNICODE_OTHER_SYMBOL &&
		    t != G_UNICODE_MODIFIER_SYMBOL &&
		    t != G_UNICODE_NON_SPACING_MARK &&
		    (!g_unichar_ispunct(c) || strchr("([\"'", (int)c) != NULL ||
			c == 0x201c || c == 0xab || c == 0x300c))
			break;
		s = g_utf8_next_char(s);
	}
	return s;
}

/* reason_add - one line (or the rest of the deciding line) to the
 * reason */
static void
reason_add(Walk *w, const char *s, gsize len)
{
	if (len == 0)
		return;
	if (w->reason->len > 0)
		g_string_append(w->reason, w->blank ? "\n\n" : "\n");
	w->blank = FALSE;
	w->last_at = w->reason->len;
	g_string_append_len(w->reason, s, (gssize)len);
}

/* decide - the first meaningful line: FALSE when it is not one */
static gboolean
decide(Walk *w, const char *s, gsize len)
{
	gsize rest = len;
	ReplyLineKind kind = parser_reply_line(s, len, &rest);
	const char *r;
	g_autofree char *line = NULL;

	switch (kind) {
	case RLINE_YES:
	case RLINE_NO:
		w->v->decision = kind == RLINE_YES ? REPLY_YES : REPLY_NO;
		w->answer = TRUE;
		r = skip_separators(s + rest, s + len);
		reason_add(w, r, (gsize)(s + len - r));
		w->last_at = G_MAXSIZE; /* the deciding line is never a name */
		break;
	case RLINE_TEXT:
		break;
	default:
		return FALSE;
	}
	line = g_strndup(s, MIN(len, (gsize)REPLY_MAX_FIRST_LINE * 2));
	w->v->first_line = util_header_safe(line, 0);
	return TRUE;
}

/* trimmed - the line's content without quote markers and outer blanks */
static const char *
trimmed(const Line *l, gsize *len)
{
	const char *c = parser_line_content(l, len);

	while (*len > 0 && (*c == ' ' || *c == '\t')) {
		c++;
		(*len)--;
	}
	while (*len > 0 && (c[*len - 1] == ' ' || c[*len - 1] == '\t'))
		(*len)--;
	return c;
}

/* walk - the lines, as the file's comment says */
static void
walk(Walk *w)
{
	gboolean decided = FALSE;

	for (guint i = 0; i < w->ls->n && i < REPLY_MAX_LINES; i++) {
		const Line *l = &w->ls->v[i];
		guint next = i + 1;
		Edge e;
		gsize len;
		const char *c;

		if (parser_line_blank(l)) {
			w->blank = w->reason->len > 0;
			continue;
		}
		if (l->depth > 0) {
			if (decided)
				break;
			continue;
		}
		e = edge(w, i, &next);
		if (e == EDGE_STOP || (e == EDGE_SKIP && decided))
			break;
		if (e == EDGE_SKIP) {
			i = next - 1;
			continue;
		}
		c = trimmed(l, &len);
		if (!decided) {
			decided = decide(w, c, len);
			if (decided && !w->answer)
				break;
			continue;
		}
		{
			gsize rest;
			ReplyLineKind kind = parser_reply_line(c, len, &rest);

			if (kind == RLINE_THANKS || kind == RLINE_CLOSING)
				break;
		}
		reason_add(w, c, len);
		if (w->reason->len > REPLY_MAX_REASON)
			break;
	}
}

/* finish_reason - the reason cleaned and cut, a signed name dropped */
static char *
finish_reason(Walk *w)
{
	g_autofree char *clean = NULL;
	char *out;

	if (w->last_at < w->reason->len &&
	    parser_reply_name_like(
		w->reason->str + w->last_at, w->reason->len - w->last_at))
		g_string_truncate(w->reason, w->last_at);
	clean = util_text_clean(w->reason->str, (gssize)w->reason->len);
	utf8_cut(clean, REPLY_MAX_REASON);
	out = parser_text_trim(clean, strlen(clean));
	if (*out == '\0') {
		g_free(out);
		return NULL;
	}
	return out;
}

/* decide_prepared - the verdict on prepared text */
static ReplyVerdict *
decide_prepared(char *text, const GArray *hints)
{
	ReplyVerdict *v = g_new0(ReplyVerdict, 1);
	g_autoptr(GString) reason = g_string_new(NULL);
	g_autoptr(Lines) ls = NULL;
	Walk w = { 0 };

	utf8_cut(text, REPLY_MAX_TEXT);
	ls = parser_lines_new(text);
	w.ls = ls;
	w.hints = hints;
	w.v = v;
	w.reason = reason;
	w.last_at = G_MAXSIZE;
	walk(&w);
	if (w.answer)
		v->reason = finish_reason(&w);
	if (v->first_line != NULL)
		utf8_cut(v->first_line, REPLY_MAX_FIRST_LINE);
	return v;
}

/* reply_decide_text - the verdict on a body already decoded to UTF-8 */
ReplyVerdict *
reply_decide_text(const char *text, gboolean is_html)
{
	g_autoptr(GArray) hints = NULL;
	g_autofree char *plain = NULL;
	g_autofree char *prepared = NULL;
	gsize len;

	if (text == NULL)
		return g_new0(ReplyVerdict, 1);
	len = strlen(text);
	if (!is_html) {
		prepared = parser_text_prepare(
		    text, (gssize)MIN(len, (gsize)REPLY_MAX_TEXT));
		return decide_prepared(prepared, NULL);
	}
	hints = g_array_new(FALSE, FALSE, sizeof(guint));
	plain =
	    parser_html_to_text(text, MIN(len, (gsize)REPLY_MAX_HTML), hints);
	prepared = parser_text_prepare(plain, -1);
	return decide_prepared(prepared, hints);
}

/* has_words - text with something besides blanks */
static gboolean
has_words(const char *text)
{
	for (const char *p = text; *p; p++)
		if (!g_ascii_isspace(*p))
			return TRUE;
	return FALSE;
}

/* reply_decide - the verdict on a reply as GMime parsed it */
ReplyVerdict *
reply_decide(GMimeMessage *msg, GError **error)
{
	GMimeHeaderList *headers;
	GMimeObject *root;

	g_return_val_if_fail(GMIME_IS_MESSAGE(msg), NULL);
	headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	if (g_mime_header_list_get_count(headers) > PARSER_MAX_HEADERS) {
		g_set_error(error, PARSER_ERROR, PARSER_ERROR_LIMIT,
		    "more than %d header fields", PARSER_MAX_HEADERS);
		return NULL;
	}
	root = g_mime_message_get_mime_part(msg);
	for (guint pass = 0; pass < 2; pass++) {
		GMimePart *part = parser_find_body(root, pass == 1);
		gboolean is_html = FALSE;
		g_autofree char *text = NULL;

		if (part == NULL ||
		    (text = parser_part_text(part, &is_html)) == NULL ||
		    !has_words(text))
			continue;
		return reply_decide_text(text, is_html);
	}
	return g_new0(ReplyVerdict, 1);
}
