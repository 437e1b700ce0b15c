/*
 * parser_addr.c - mailbox lists as mail clients print them in forwards
 *
 * Not RFC 5322: what clients write into a forward's header block.
 * "Name <addr>", "<addr>", bare "addr", "Name [mailto:addr]" (Outlook
 * 2013), "addr<mailto:addr>" and "Name <addr<mailto:addr>>" (HTML links
 * flattened), quoted names with commas, unquoted "Last, First <addr>"
 * names, and names without any address. A name equal to its address is
 * no name. Separators are ',' and ';' outside quotes and brackets.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/util.h"
#include "parser/parser_scan.h"

typedef struct {
	gsize off, len;
	char sep; /* the separator after the span, '\0' at the end */
} Span;

typedef struct {
	gsize open, close; /* offsets of the brackets */
	gboolean mailto;
} Group;

/* is_open - an opening bracket */
static gboolean
is_open(char c)
{
	return c == '<' || c == '[' || c == '(';
}

/* is_close - a closing bracket */
static gboolean
is_close(char c)
{
	return c == '>' || c == ']' || c == ')';
}

/* split_top - spans between separators (any of seps) outside quotes
 * and, when brackets, outside <>, [] and () */
static GArray *
split_top(const char *s, gsize len, const char *seps, gboolean brackets,
    int *final_depth)
{
	GArray *spans = g_array_new(FALSE, FALSE, sizeof(Span));
	gsize start = 0;
	int depth = 0;
	gboolean quoted = FALSE;

	for (gsize i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '\0';

		if (quoted && i < len) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				quoted = FALSE;
			continue;
		}
		if (c == '"')
			quoted = TRUE;
		else if (brackets && is_open(c))
			depth++;
		else if (brackets && is_close(c) && depth > 0)
			depth--;
		else if (i == len ||
			 (depth == 0 && c != '\0' && strchr(seps, c) != NULL)) {
			Span sp = { start, i - start, c };

			g_array_append_val(spans, sp);
			start = i + 1;
		}
	}
	*final_depth = depth;
	return spans;
}

/* split_list - split_top(), and again without brackets when an unclosed
 * '<' would swallow the rest of the list */
static GArray *
split_list(const char *s, gsize len, const char *seps)
{
	int depth = 0;
	GArray *spans = split_top(s, len, seps, TRUE, &depth);

	if (depth != 0) {
		g_array_unref(spans);
		spans = split_top(s, len, seps, FALSE, &depth);
	}
	return spans;
}

/* find_groups - top-level bracket groups of a segment */
static GArray *
find_groups(const char *s, gsize len)
{
	GArray *groups = g_array_new(FALSE, FALSE, sizeof(Group));
	gboolean quoted = FALSE;
	int depth = 0;
	Group g = { 0, 0, FALSE };

	for (gsize i = 0; i < len; i++) {
		if (quoted) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				quoted = FALSE;
			continue;
		}
		if (s[i] == '"' && depth == 0) {
			quoted = TRUE;
		} else if (is_open(s[i])) {
			if (depth++ == 0)
				g.open = i;
		} else if (is_close(s[i]) && depth > 0 && --depth == 0) {
			g.close = i;
			g.mailto = parser_prefix_ci(s + g.open + 1,
				       len - g.open - 1, "mailto:") > 0;
			g_array_append_val(groups, g);
		}
	}
	return groups;
}

/* looks_like_address - one token with an '@' inside */
static gboolean
looks_like_address(const char *s, gsize len)
{
	const char *at = memchr(s, '@', len);

	if (at == NULL || at == s || at == s + len - 1)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == ';' ||
		    s[i] == '<' || s[i] == '>')
			return FALSE;
	return TRUE;
}

/* group_address - the address inside a group, nested links dropped */
static char *
group_address(const char *s, const Group *g)
{
	const char *p = s + g->open + 1;
	gsize len = g->close - g->open - 1, n;

	/* "(<addr>)" (Slovak Outlook): the inner brackets are the group */
	while (len > 0 && (*p == '<' || *p == '[' || *p == ' ')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == '>' || p[len - 1] == ']'))
		len--;
	if ((n = parser_prefix_ci(p, len, "mailto:")) > 0) {
		p += n;
		len -= n;
	}
	for (gsize i = 0; i < len; i++)
		if (is_open(p[i])) {
			len = i;
			break;
		}
	while (len > 0 && (*p == ' ' || *p == '"' || *p == '\'')) {
		p++;
		len--;
	}
	while (len > 0 &&
	       (p[len - 1] == ' ' || p[len - 1] == '"' || p[len - 1] == '\''))
		len--;
	if (!looks_like_address(p, len))
		return NULL;
	return g_strndup(p, len);
}

/* group_has_address - a group holds an address (a comment may not) */
static gboolean
group_has_address(const char *s, const Group *g)
{
	g_autofree char *a = group_address(s, g);

	return a != NULL;
}

/* unquote_name - a display name without its quotes and escapes */
static char *
unquote_name(const char *s, gsize len)
{
	static const char *const pairs[][2] = { { "\"", "\"" }, { "'", "'" },
		{ "«", "»" }, { "„", "”" }, { "“", "”" }, { "„", "“" },
		{ "「", "」" } };
	g_autofree char *t = parser_text_trim(s, len);
	GString *out;

	for (guint round = 0; round < 3; round++) {
		gsize tl = strlen(t);
		gboolean stripped = FALSE;

		for (gsize k = 0; k < G_N_ELEMENTS(pairs) && !stripped; k++) {
			gsize ol = strlen(pairs[k][0]),
			      cl = strlen(pairs[k][1]);
			char *inner;

			if (tl < ol + cl || strncmp(t, pairs[k][0], ol) != 0 ||
			    strcmp(t + tl - cl, pairs[k][1]) != 0)
				continue;
			inner = parser_text_trim(t + ol, tl - ol - cl);
			g_free(t);
			t = inner;
			stripped = TRUE;
		}
		if (!stripped)
			break;
	}
	out = g_string_new(NULL);
	for (const char *p = t; *p; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

/* bare_address - a whitespace-separated token that is an address */
static gboolean
bare_address(const char *s, gsize len, Span *tok)
{
	gsize i = 0;

	while (i < len) {
		gsize j;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		j = i;
		while (j < len && s[j] != ' ' && s[j] != '\t')
			j++;
		if (j > i && looks_like_address(s + i, j - i)) {
			tok->off = i;
			tok->len = j - i;
			return TRUE;
		}
		i = j;
	}
	return FALSE;
}

/* parser_address_make - a FwdAddress from raw name and address, cleaned */
FwdAddress *
parser_address_make(const char *name, const char *address)
{
	g_autofree char *norm = NULL;
	g_autofree char *clean = NULL;

	if (address != NULL)
		norm = addr_normalize(address);
	if (name != NULL)
		clean = parser_header_clean(name);
	if (clean != NULL &&
	    (*clean == '\0' ||
		(address != NULL && g_ascii_strcasecmp(clean, address) == 0) ||
		(norm != NULL && g_ascii_strcasecmp(clean, norm) == 0)))
		g_clear_pointer(&clean, g_free);
	if (clean == NULL && norm == NULL)
		return NULL;
	return fwd_address_new(clean, norm);
}

/* parse_no_group - "addr", "Name addr" or a name without an address */
static FwdAddress *
parse_no_group(const char *s, gsize len)
{
	Span tok;
	g_autofree char *name = NULL;
	g_autofree char *addr = NULL;

	if (bare_address(s, len, &tok)) {
		g_autofree char *rest =
		    g_strdup_printf("%.*s %.*s", (int)tok.off, s,
			(int)(len - tok.off - tok.len), s + tok.off + tok.len);

		addr = g_strndup(s + tok.off, tok.len);
		name = unquote_name(rest, strlen(rest));
		return parser_address_make(name, addr);
	}
	name = unquote_name(s, len);
	return parser_address_make(name, NULL);
}

/* parser_mailbox_parse - one mailbox as a client printed it */
FwdAddress *
parser_mailbox_parse(const char *s, gssize slen)
{
	gsize len = slen < 0 ? strlen(s) : (gsize)slen;
	g_autoptr(GArray) groups = find_groups(s, len);
	g_autofree char *addr = NULL;
	g_autofree char *name = NULL;
	const Group *first = NULL;

	for (guint pass = 0; pass < 2 && addr == NULL; pass++)
		for (guint i = 0; i < groups->len && addr == NULL; i++) {
			const Group *g = &g_array_index(groups, Group, i);

			if (g->mailto == (pass == 0))
				continue;
			addr = group_address(s, g);
		}
	if (addr == NULL)
		return parse_no_group(s, len);
	for (guint i = 0; i < groups->len && first == NULL; i++) {
		const Group *g = &g_array_index(groups, Group, i);

		if (s[g->open] != '(' || group_has_address(s, g))
			first = g;
	}
	if (first == NULL)
		first = &g_array_index(groups, Group, 0);
	name = unquote_name(s, first->open);
	if (*name == '\0' && s[first->open] != '(') {
		/* "addr (Name)": the comment names the sender */
		for (guint i = 0; i < groups->len; i++) {
			const Group *g = &g_array_index(groups, Group, i);

			if (s[g->open] == '(' && g->open > first->close) {
				g_free(name);
				name = unquote_name(
				    s + g->open + 1, g->close - g->open - 1);
				break;
			}
		}
	}
	return parser_address_make(name, addr);
}

/* name_then_group - "First <addr>": words, then an address group; the
 * second half of a "Last, First <addr>" name */
static gboolean
name_then_group(const char *s, gsize len)
{
	g_autoptr(GArray) groups = find_groups(s, len);
	gboolean words = FALSE;

	if (groups->len == 0)
		return FALSE;
	for (gsize i = 0; i < g_array_index(groups, Group, 0).open; i++)
		if (s[i] != ' ' && s[i] != '\t')
			words = TRUE;
	for (guint i = 0; words && i < groups->len; i++) {
		g_autofree char *a =
		    group_address(s, &g_array_index(groups, Group, i));

		if (a != NULL)
			return TRUE;
	}
	return FALSE;
}

/* is_empty_span - only blanks */
static gboolean
is_empty_span(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return FALSE;
	return TRUE;
}

/* add_mailbox - one parsed mailbox appended, within the bound */
static void
add_mailbox(GPtrArray *out, const char *s, gsize len)
{
	FwdAddress *a = parser_mailbox_parse(s, (gssize)len);

	if (a != NULL && out->len < SCAN_MAX_MAILBOXES)
		g_ptr_array_add(out, a);
	else
		fwd_address_free(a);
}

/* flush_pending - name-only mailboxes for segments held back */
static void
flush_pending(GPtrArray *out, const char *s, GArray *pending)
{
	for (guint k = 0; k < pending->len; k++) {
		const Span *sp = &g_array_index(pending, Span, k);

		add_mailbox(out, s + sp->off, sp->len);
	}
	g_array_set_size(pending, 0);
}

/* add_comma_list - a ','-separated list; "Last, First <addr>" is one
 * mailbox whose name has a comma */
static void
add_comma_list(GPtrArray *out, const char *s, gsize len)
{
	g_autoptr(GArray) spans = split_list(s, len, ",;");
	g_autoptr(GArray) pending = g_array_new(FALSE, FALSE, sizeof(Span));

	for (guint i = 0; i < spans->len && out->len < SCAN_MAX_MAILBOXES;
	     i++) {
		Span sp = g_array_index(spans, Span, i);
		const char *p = s + sp.off;

		if (is_empty_span(p, sp.len))
			continue;
		if (memchr(p, '@', sp.len) == NULL) {
			g_array_append_val(pending, sp);
			continue;
		}
		if (pending->len > 0 && name_then_group(p, sp.len)) {
			Span *last =
			    &g_array_index(pending, Span, pending->len - 1);

			if (last->sep == ',') {
				sp.len = sp.off + sp.len - last->off;
				sp.off = last->off;
				g_array_set_size(pending, pending->len - 1);
			}
		}
		flush_pending(out, s, pending);
		add_mailbox(out, s + sp.off, sp.len);
	}
	flush_pending(out, s, pending);
}

/* semicolon_list - ';' separates mailboxes (Outlook): then a comma
 * belongs to a name */
static gboolean
semicolon_list(const char *s, const GArray *spans)
{
	for (guint i = 0; i < spans->len; i++) {
		const Span *sp = &g_array_index(spans, Span, i);

		if (sp->sep != ';')
			continue;
		for (guint k = i + 1; k < spans->len; k++) {
			const Span *next = &g_array_index(spans, Span, k);

			if (!is_empty_span(s + next->off, next->len))
				return TRUE;
		}
	}
	return FALSE;
}

/* address_groups - how many groups of a span hold an address */
static guint
address_groups(const char *s, gsize len)
{
	g_autoptr(GArray) groups = find_groups(s, len);
	guint n = 0;

	for (guint i = 0; i < groups->len; i++) {
		const Group *g = &g_array_index(groups, Group, i);
		g_autofree char *a = g->mailto ? NULL : group_address(s, g);

		n += a != NULL;
	}
	return n;
}

/* parser_mailbox_list - every mailbox of a list, in order */
GPtrArray *
parser_mailbox_list(const char *s, gssize slen)
{
	gsize len = slen < 0 ? strlen(s) : (gsize)slen;
	GPtrArray *out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_address_free);
	g_autoptr(GArray) spans = split_list(s, len, ",;");

	if (!semicolon_list(s, spans)) {
		add_comma_list(out, s, len);
		return out;
	}
	g_array_unref(g_steal_pointer(&spans));
	spans = split_list(s, len, ";");
	for (guint i = 0; i < spans->len; i++) {
		const Span *sp = &g_array_index(spans, Span, i);

		if (is_empty_span(s + sp->off, sp->len))
			continue;
		/* "A <a>, B <b>; C <c>": a mixed list */
		if (address_groups(s + sp->off, sp->len) > 1)
			add_comma_list(out, s + sp->off, sp->len);
		else
			add_mailbox(out, s + sp->off, sp->len);
	}
	return out;
}
