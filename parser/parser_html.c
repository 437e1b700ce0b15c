/*
 * parser_html.c - HTML body to plain text lines, with hints where a
 *	forwarded message begins (see parser_int.h for the contract)
 *
 * One pass over the bytes, no recursion, no regex, no DOM. A bounded
 * stack of open elements (HTML_MAX_DEPTH) tracks what changes the
 * output: <blockquote> (quote prefix), <pre> (white space kept), hidden
 * elements (display:none, <head>), mailto links and forward containers.
 * Broken HTML is read the way browsers mostly read it: an end tag closes
 * the nearest open element of that name and everything above it, an end
 * tag with no open element is ignored (</p> and </br> still break the
 * line), an unterminated comment, tag or <script> ends the document.
 * Elements nested deeper than the stack are counted, not tracked.
 * Every tag may ask what is open, so the stack answers without a walk:
 * elements are chained by name-hash bucket, the innermost block is
 * kept, <head> is counted (a walk per tag made 9 MB of nested <div>s
 * cost 1.4 s).
 *
 * Output: lines separated by "\n", without trailing white space, no
 * blank line first or last and never two in a row; each line inside k
 * blockquotes starts with "> " k times (at most HTML_MAX_QUOTE), a blank
 * line inside them is ">" (or "> >" ...). Block elements (<p>, <div>,
 * <h1>, <li>, <tr> ...) end the line without adding a blank one, as
 * the contract asks; blank lines come from <br> on an empty line and
 * from a block holding only &nbsp; (Outlook's <p><o:p>&nbsp;</o:p></p>).
 * Table cells are separated by one space. The text is valid UTF-8 even
 * when the input is not.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_html_int.h"
#include "parser/parser_int.h"

#define HTML_MAX_DEPTH 256
#define HTML_MAX_QUOTE 16

/* what an open element changed, undone when it closes */
enum {
	O_QUOTE = 1 << 0,
	O_PRE = 1 << 1,
	O_HIDDEN = 1 << 2,
	O_LINK = 1 << 3,
	O_HEAD = 1 << 4,
	O_BLOCK = 1 << 5,
};

typedef struct {
	char name[HTML_NAME_MAX];
	guint32 hash;     /* of name */
	guint flags;      /* O_* */
	guint prev_block; /* Html.top_block when this one opened */
	guint below;      /* 1 + index of the next open one in its bucket */
} Open;

typedef struct {
	HtmlCursor in;
	GString *out;  /* finished lines */
	GString *line; /* the line being written, prefix included */
	guint nlines;
	gboolean last_blank;  /* the last finished line is blank */
	gboolean has_content; /* the line has something beyond its prefix */
	gboolean has_visible; /* ... something other than white space */
	gboolean pending_space;
	gboolean skip_newline; /* right after <pre> */
	guint line_quote;
	Open stack[HTML_MAX_DEPTH];
	guint depth, overflow;
	guint heads;      /* open <head> elements */
	guint bucket[64]; /* 1 + index of the innermost open element whose
			     name hash & 63 is the bucket's, or 0 */
	guint top_block;  /* 1 + index of the innermost block or quote, or 0 */
	guint quote, pre, hidden;
	GArray *fwd;
	gboolean fwd_pending;
	guint fwd_depth;
	GString *link;      /* mailto address of the open <a>, or NULL */
	GString *link_text; /* what that link shows */
} Html;

/* finish_line - move the current line to the output */
static void
finish_line(Html *h)
{
	gboolean blank;
	gsize prefix = 2 * h->line_quote;

	while (h->line->len > 0 && h->line->str[h->line->len - 1] == ' ')
		g_string_truncate(h->line, h->line->len - 1);
	blank = h->line->len <= prefix;
	if (blank && (h->nlines == 0 || h->last_blank)) {
		g_string_truncate(h->line, 0);
		return;
	}
	if (h->nlines > 0)
		g_string_append_c(h->out, '\n');
	g_string_append_len(h->out, h->line->str, h->line->len);
	g_string_truncate(h->line, 0);
	h->nlines++;
	h->last_blank = blank;
}

/* start_line - write the quote prefix of a new line */
static void
start_line(Html *h, guint quote)
{
	h->line_quote = MIN(quote, HTML_MAX_QUOTE);
	for (guint i = 0; i < h->line_quote; i++)
		g_string_append(h->line, "> ");
	h->has_content = TRUE;
	h->has_visible = FALSE;
	h->pending_space = FALSE;
}

/* end_line - end the current line; hard (<br>) even when empty */
static void
end_line(Html *h, gboolean hard)
{
	if (!h->has_content && !hard)
		return;
	if (!h->has_content)
		start_line(h, h->quote);
	finish_line(h);
	h->has_content = FALSE;
	h->has_visible = FALSE;
	h->pending_space = FALSE;
}

/* begin_content - make room for content: prefix, pending space */
static void
begin_content(Html *h)
{
	if (!h->has_content)
		start_line(h, h->quote);
	else if (h->pending_space)
		g_string_append_c(h->line, ' ');
	h->pending_space = FALSE;
}

/* mark_visible - the first visible character of a forward container
 * marks its line */
static void
mark_visible(Html *h)
{
	if (h->fwd_pending && h->fwd != NULL) {
		guint n = h->fwd->len;

		if (n == 0 || g_array_index(h->fwd, guint, n - 1) < h->nlines)
			g_array_append_val(h->fwd, h->nlines);
	}
	h->fwd_pending = FALSE;
	h->has_visible = TRUE;
}

/* put_bytes - visible text (one character or an address) */
static void
put_bytes(Html *h, const char *p, gsize n)
{
	if (h->hidden > 0)
		return;
	begin_content(h);
	mark_visible(h);
	g_string_append_len(h->line, p, n);
	if (h->link != NULL && h->link_text != NULL)
		g_string_append_len(h->link_text, p, n);
	h->skip_newline = FALSE;
}

/* put_space - white space in the text */
static void
put_space(Html *h, int c)
{
	if (h->hidden > 0)
		return;
	if (h->pre == 0) {
		if (h->has_content)
			h->pending_space = TRUE;
		return;
	}
	if (c == '\n') {
		if (!h->skip_newline)
			end_line(h, TRUE);
	} else if (c != '\r') {
		begin_content(h);
		g_string_append_c(h->line, c == '\t' ? '\t' : ' ');
	}
	h->skip_newline = FALSE;
}

/* put_nbsp - a no-break space: content, yet blank once trimmed */
static void
put_nbsp(Html *h)
{
	if (h->hidden > 0)
		return;
	begin_content(h);
	g_string_append_c(h->line, ' ');
}

/* put_unichar - one decoded character */
static void
put_unichar(Html *h, gunichar c)
{
	char buf[8];
	int n;

	if (c == 0xA0) {
		put_nbsp(h);
		return;
	}
	if (c == 0xAD) /* soft hyphen */
		return;
	if (c < 0x80 && html_is_space((int)c)) {
		put_space(h, (int)c);
		return;
	}
	n = g_unichar_to_utf8(c, buf);
	put_bytes(h, buf, n);
}

/* put_entity - decode the reference at h->in.pos, or a plain '&' */
static void
put_entity(Html *h)
{
	gunichar c;

	if (!html_read_ref(&h->in, &c)) {
		c = '&';
		h->in.pos++;
	}
	put_unichar(h, c);
}

/* close_link - after a mailto link's text, its address: "Name <a@b>";
 * the bare address when the text is empty or already holds it */
static void
close_link(Html *h)
{
	g_autoptr(GString) addr = g_steal_pointer(&h->link);
	g_autofree char *text =
	    g_strstrip(g_string_free(g_steal_pointer(&h->link_text), FALSE));
	g_autofree char *text_lc = g_ascii_strdown(text, -1);
	g_autofree char *addr_lc = g_ascii_strdown(addr->str, -1);

	if (text[0] == '\0') {
		put_bytes(h, addr->str, addr->len);
		return;
	}
	if (strstr(text_lc, addr_lc) != NULL)
		return;
	h->pending_space = h->has_content;
	g_string_prepend_c(addr, '<');
	g_string_append_c(addr, '>');
	put_bytes(h, addr->str, addr->len);
}

/* pop_one - close the innermost open element */
static void
pop_one(Html *h)
{
	Open *o = &h->stack[--h->depth];

	if (o->flags & (O_BLOCK | O_QUOTE))
		h->top_block = o->prev_block;
	if (o->flags & O_HEAD)
		h->heads--;
	h->bucket[o->hash & 63] = o->below;
	if ((o->flags & O_LINK) && h->link != NULL)
		close_link(h);
	if (o->flags & O_BLOCK)
		end_line(h, FALSE);
	if (o->flags & O_QUOTE)
		h->quote--;
	if (o->flags & O_PRE)
		h->pre--;
	if (o->flags & O_HIDDEN)
		h->hidden--;
	if (h->fwd_pending && h->depth < h->fwd_depth)
		h->fwd_pending = FALSE;
}

/* name_hash - what find_open() compares first (names are short) */
static guint32
name_hash(const char *name)
{
	guint32 v = 2166136261u;

	for (; *name; name++)
		v = (v ^ (guchar)*name) * 16777619u;
	return v;
}

/* find_open - the stack index of the innermost open name, or -1; every
 * tag may ask, so only the elements of the name's hash bucket are
 * looked at, innermost first, and their hash before their name */
static int
find_open(const Html *h, const char *name)
{
	guint32 v = name_hash(name);

	for (guint i = h->bucket[v & 63]; i > 0; i = h->stack[i - 1].below) {
		if (h->stack[i - 1].hash == v &&
		    strcmp(h->stack[i - 1].name, name) == 0)
			return (int)(i - 1);
	}
	return -1;
}

/* block_above - whether a block element is open inside stack[k] */
static gboolean
block_above(const Html *h, int k)
{
	return h->top_block > (guint)k + 1;
}

/* pop_to - close name and everything opened inside it, if it is open */
static void
pop_to(Html *h, const char *name)
{
	int k = find_open(h, name);

	if (k < 0)
		return;
	h->overflow = 0;
	while (h->depth > (guint)k)
		pop_one(h);
}

/* open_flags - what opening t changes (O_*) */
static guint
open_flags(Html *h, const Tag *t)
{
	guint f = 0;

	if (t->info & T_BLOCK)
		f |= O_BLOCK;
	if (strcmp(t->name, "blockquote") == 0)
		f |= O_QUOTE;
	else if (strcmp(t->name, "pre") == 0)
		f |= O_PRE;
	else if (strcmp(t->name, "head") == 0)
		f |= O_HEAD | O_HIDDEN;
	else if (strcmp(t->name, "a") == 0 && t->href.p != NULL &&
		 (h->link = html_mailto_address(t->href)) != NULL)
		f |= O_LINK;
	if (html_slice_has(t->style, "display:none"))
		f |= O_HIDDEN;
	return f;
}

/* line_breaks - the line ends a start tag makes */
static void
line_breaks(Html *h, const Tag *t)
{
	if (t->info & T_BR) {
		end_line(h, TRUE);
	} else if (t->info & T_BLOCK) {
		end_line(h, FALSE);
	} else if ((t->info & T_CELL) && h->has_content) {
		h->pending_space = TRUE;
	}
}

/* start_tag - an element opens */
static void
start_tag(Html *h, const Tag *t)
{
	guint f;

	if (t->info & T_RAW) {
		if (!t->self_closed)
			html_skip_raw(&h->in, t->name);
		return;
	}
	if (h->heads > 0 &&
	    (!(t->info & T_HEAD) || strcmp(t->name, "html") == 0))
		pop_to(h, "head"); /* <body>, or content without it */
	if (strcmp(t->name, "a") == 0 && h->link != NULL)
		pop_to(h, "a");
	if ((t->info & T_SELF) && h->depth > 0 &&
	    strcmp(h->stack[h->depth - 1].name, t->name) == 0)
		pop_one(h);
	line_breaks(h, t);
	if (html_is_fwd_container(t) && !h->fwd_pending) {
		h->fwd_pending = TRUE;
		h->fwd_depth = h->depth + 1;
	}
	if ((t->info & T_VOID) || t->self_closed)
		return;
	if (h->depth == HTML_MAX_DEPTH) {
		h->overflow++; /* counted, not tracked: no effects */
		return;
	}
	f = open_flags(h, t);
	if ((f & O_LINK) && h->link_text == NULL)
		h->link_text = g_string_new(NULL);
	h->quote += (f & O_QUOTE) ? 1 : 0;
	h->pre += (f & O_PRE) ? 1 : 0;
	h->hidden += (f & O_HIDDEN) ? 1 : 0;
	h->skip_newline = (f & O_PRE) != 0;
	g_strlcpy(h->stack[h->depth].name, t->name, HTML_NAME_MAX);
	h->stack[h->depth].hash = name_hash(h->stack[h->depth].name);
	h->stack[h->depth].flags = f;
	h->stack[h->depth].prev_block = h->top_block;
	if (f & (O_BLOCK | O_QUOTE))
		h->top_block = h->depth + 1;
	if (f & O_HEAD)
		h->heads++;
	h->stack[h->depth].below = h->bucket[h->stack[h->depth].hash & 63];
	h->bucket[h->stack[h->depth].hash & 63] = h->depth + 1;
	h->depth++;
}

/* end_tag - an element closes */
static void
end_tag(Html *h, const Tag *t)
{
	int k;

	if (t->info & T_RAW)
		return;
	if (h->overflow > 0) {
		h->overflow--;
		if (t->info & T_BLOCK)
			end_line(h, FALSE);
		return;
	}
	k = find_open(h, t->name);
	if (k >= 0) {
		/* </span> does not close the <div> opened inside it */
		if (!(t->info & (T_BLOCK | T_CELL)) && block_above(h, k))
			return;
		pop_to(h, t->name);
		return;
	}
	/* browsers read a stray </br> as <br>, a stray </p> as <p></p> */
	if (strcmp(t->name, "br") == 0)
		end_line(h, TRUE);
	else if (t->info & T_BLOCK)
		end_line(h, FALSE);
}

/* read_tag - whatever starts with '<' at h->in.pos */
static void
read_tag(Html *h)
{
	Tag t;
	char n = h->in.pos + 1 < h->in.len ? h->in.s[h->in.pos + 1] : '\0';

	memset(&t, 0, sizeof(t));
	if (n == '!' || n == '?' ||
	    (n == '/' && !(h->in.pos + 2 < h->in.len &&
			     g_ascii_isalpha(h->in.s[h->in.pos + 2])))) {
		html_skip_markup(&h->in);
		return;
	}
	if (!g_ascii_isalpha(n) && n != '/') {
		put_bytes(h, "<", 1);
		h->in.pos++;
		return;
	}
	t.end = n == '/';
	h->in.pos += t.end ? 2 : 1;
	html_read_name(&h->in, t.name, FALSE);
	t.info = html_tag_info(t.name);
	if (!html_read_attrs(&h->in, &t))
		return; /* the input ended inside the tag */
	if (t.end)
		end_tag(h, &t);
	else
		start_tag(h, &t);
}

/* bytes that end a run of plain text: markup, references, white
 * space, NUL, and 0xC2 (the lead byte of a no-break space) */
static const gboolean run_stop[256] = { ['\0'] = TRUE,
	['\t'] = TRUE,
	['\n'] = TRUE,
	['\f'] = TRUE,
	['\r'] = TRUE,
	[' '] = TRUE,
	['&'] = TRUE,
	['<'] = TRUE,
	[0xC2] = TRUE };

/* run - the whole input, one byte at a time or one run of text */
static void
run(Html *h)
{
	while (h->in.pos < h->in.len) {
		guchar c = (guchar)h->in.s[h->in.pos];
		gsize end = h->in.pos + 1;

		if (c == '<') {
			read_tag(h);
		} else if (c == '&') {
			put_entity(h);
		} else if (html_is_space(c) || c == '\0') {
			if (c != '\0')
				put_space(h, c);
			h->in.pos++;
		} else if (c == 0xC2 && end < h->in.len &&
			   (guchar)h->in.s[end] == 0xA0) {
			put_nbsp(h);
			h->in.pos += 2;
		} else {
			while (
			    end < h->in.len && !run_stop[(guchar)h->in.s[end]])
				end++;
			put_bytes(h, h->in.s + h->in.pos, end - h->in.pos);
			h->in.pos = end;
		}
	}
}

/* parser_html_to_text - HTML to plain text lines, forward hints */
char *
parser_html_to_text(const char *html, gsize len, GArray *fwd_starts)
{
	Html *h;
	char *text;

	g_return_val_if_fail(html != NULL || len == 0, NULL);
	g_return_val_if_fail(
	    fwd_starts == NULL ||
		g_array_get_element_size(fwd_starts) == sizeof(guint),
	    NULL);
	h = g_new0(Html, 1);
	h->in.s = html != NULL ? html : "";
	h->in.len = len;
	h->out = g_string_sized_new(len / 2 + 16);
	h->line = g_string_new(NULL);
	h->fwd = fwd_starts;
	run(h);
	if (h->link != NULL)
		close_link(h);
	end_line(h, FALSE);
	if (h->last_blank) /* never the first line: cut "\n" + it */
		g_string_truncate(
		    h->out, strrchr(h->out->str, '\n') - h->out->str);
	g_string_free(h->line, TRUE);
	text = g_string_free(h->out, FALSE);
	g_free(h);
	if (!g_utf8_validate(text, -1, NULL)) {
		char *valid = g_utf8_make_valid(text, -1);

		g_free(text);
		text = valid;
	}
	return text;
}
