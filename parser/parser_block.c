/*
 * parser_block.c - a forward's header block, read into a FwdMessage
 *
 * Two shapes: one "Label: value" per line (every client but Yahoo), with
 * wrapped address lines rejoined; or all labels run together on the
 * separator's line (Yahoo: "From: A <a@x>To: b@yCc: ...Subject: hi").
 * A block ends at a blank line, a change of quote depth, a line that is
 * neither a label nor a continuation, or a field seen twice (the next
 * block of a thread). Only the first value of each field counts. A
 * block whose labels no table knows can still be read by its shape
 * (parser_block_shape(): a sender, an address, a dated value, a subject).
 */
#include "config.h"

#include <string.h>

#include "common/rfc2047.h"
#include "common/util.h"
#include "parser/parser_int.h"
#include "parser/parser_scan.h"

#define BIT(f) (1u << (f))

/* parser_block_clear - free a block's values and zero it */
void
parser_block_clear(Block *b)
{
	for (guint f = 0; f < FIELD_COUNT; f++)
		g_free(b->value[f]);
	memset(b, 0, sizeof(*b));
}

/* block_set - the first value of a field, trimmed */
static void
block_set(Block *b, FieldKind f, const char *v, gsize len)
{
	if (b->seen & BIT(f))
		return;
	b->seen |= BIT(f);
	b->value[f] = parser_text_trim(v, len);
}

/* block_append - a wrapped line joins its field's value */
static void
block_append(Block *b, FieldKind f, const char *v, gsize len)
{
	g_autofree char *more = parser_text_trim(v, len);
	char *joined;

	if (b->value[f] == NULL || *more == '\0')
		return;
	joined = g_strconcat(b->value[f], " ", more, NULL);
	g_free(b->value[f]);
	b->value[f] = joined;
}

/* is_address_field - From, To, Cc, Bcc or Reply-To */
static gboolean
is_address_field(FieldKind f)
{
	return f == FIELD_FROM || f == FIELD_TO || f == FIELD_CC ||
	       f == FIELD_BCC || f == FIELD_REPLY_TO;
}

/* unbalanced - an opened '<' or '"' not yet closed */
static gboolean
unbalanced(const char *v)
{
	int angle = 0;
	gboolean quoted = FALSE;

	for (const char *p = v; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle++;
		else if (!quoted && *p == '>' && angle > 0)
			angle--;
	}
	return angle > 0 || quoted;
}

/* continues - the line carries on the previous field's value */
static gboolean
continues(const Block *b, FieldKind last, const char *c, gsize len)
{
	const char *v = b->value[last];
	gsize vl = v != NULL ? strlen(v) : 0;
	gboolean folded = len > 0 && (c[0] == ' ' || c[0] == '\t');
	gsize i = 0;

	while (i < len && (c[i] == ' ' || c[i] == '\t'))
		i++;
	if (i == len || vl == 0)
		return FALSE;
	if (last == FIELD_OTHER)
		return folded; /* a folded References: or Received: */
	if (is_address_field(last))
		return v[vl - 1] == ',' || v[vl - 1] == ';' || unbalanced(v) ||
		       c[i] == '<' || c[i] == '[' ||
		       (folded && memchr(c, '@', len) != NULL);
	return last == FIELD_SUBJECT && folded && vl >= 50;
}

/* ends_block - a repeated From/To/Cc/Subject starts the next message */
static gboolean
ends_block(const Block *b, FieldKind f)
{
	return (b->seen & BIT(f)) && f != FIELD_DATE && f != FIELD_OTHER &&
	       f != FIELD_BCC;
}

/* label_shape - "Word word:" then a blank: a label we do not know yet */
static gsize
label_shape(const char *s, gsize len)
{
	gsize i = 0, c;

	if (len == 0 || !(g_ascii_isalpha(s[0]) || (guchar)s[0] >= 0x80))
		return 0;
	while (i < len && i < 32 &&
	       (g_ascii_isalpha(s[i]) || (guchar)s[i] >= 0x80 || s[i] == ' ' ||
		   s[i] == '-' || s[i] == '.'))
		i++;
	c = parser_colon_at(s, len, i);
	if (c == 0 || (i + c < len && s[i + c] != ' ' && s[i + c] != '\t'))
		return 0;
	return parser_skip_blanks(s, len, i + c);
}

/* looks_dated - a value with a year or a clock time in it */
static gboolean
looks_dated(const char *s, gsize len)
{
	for (gsize i = 0; i + 3 < len; i++) {
		if ((s[i] == '1' && s[i + 1] == '9') ||
		    (s[i] == '2' && s[i + 1] == '0'))
			if (g_ascii_isdigit(s[i + 2]) &&
			    g_ascii_isdigit(s[i + 3]))
				return TRUE;
		if (s[i + 1] == ':' && g_ascii_isdigit(s[i]) &&
		    g_ascii_isdigit(s[i + 2]) && g_ascii_isdigit(s[i + 3]))
			return TRUE;
	}
	return FALSE;
}

/* RFC 5322 and common extension field names some clients copy into a
 * forward's header block (Thunderbird 2's References:, web clients'
 * Message-ID:); not words of a language, so not in the label tables */
static const char *const rfc_fields[] = {
	"References",
	"In-Reply-To",
	"Message-ID",
	"Resent-Message-ID",
	"Organization",
	"Organisation",
	"Newsgroups",
	"Followup-To",
	"Sender",
	"Keywords",
	"Comments",
	"User-Agent",
	"MIME-Version",
	"Content-Type",
	"Content-Transfer-Encoding",
	"Return-Path",
	"Delivered-To",
	"Received",
	"Thread-Topic",
	"Thread-Index",
	"List-Id",
	"Sensitivity",
	"X-",
};

/* rfc_field - "References: ...": bytes of a known RFC field name, its
 * colon and blanks, 0 if the line is no such field */
static gsize
rfc_field(const char *s, gsize len)
{
	gsize i = 0;

	while (i < len && i < 64 && (g_ascii_isalnum(s[i]) || s[i] == '-'))
		i++;
	if (i == 0 || i >= len || s[i] != ':')
		return 0;
	for (gsize k = 0; k < G_N_ELEMENTS(rfc_fields); k++) {
		gsize n = strlen(rfc_fields[k]);

		if ((n == i || (rfc_fields[k][n - 1] == '-' && n < i)) &&
		    g_ascii_strncasecmp(s, rfc_fields[k], n) == 0)
			return parser_skip_blanks(s, len, i + 1);
	}
	return 0;
}

/* unknown_label - an unknown "Label: value" line inside a block, when a
 * known label follows: the date if it looks like one, else ignored */
static gsize
unknown_label(const Lines *ls, guint next, const Block *b, const char *t,
    gsize tl, FieldKind *f)
{
	gsize n = label_shape(t, tl), nl;
	const char *c;
	FieldKind nf;

	if (n == 0 || next >= ls->n || ls->v[next].depth != b->depth)
		return 0;
	c = parser_line_content(&ls->v[next], &nl);
	if (parser_field_label(c, nl, FALSE, &nf) == 0)
		return 0;
	*f = !(b->seen & BIT(FIELD_DATE)) && looks_dated(t + n, tl - n)
		 ? FIELD_DATE
		 : FIELD_OTHER;
	return n;
}

#define SPACED_BLANKS 2 /* blank lines between two fields (BlackBerry) */

/* spaced_field - blank lines from i, then a label of a field the block
 * has not seen: BlackBerry's blank line between every two fields; the
 * line of that label, or 0 */
static guint
spaced_field(const Lines *ls, guint i, const Block *b)
{
	for (guint k = 0; k < SPACED_BLANKS && i + k < ls->n; k++) {
		const Line *l = &ls->v[i + k];
		gsize len, lead;
		const char *c;
		FieldKind f;

		if (l->depth != b->depth || l->len > SCAN_MAX_MARKER_LINE)
			return 0;
		if (parser_line_blank(l))
			continue;
		c = parser_line_content(l, &len);
		lead = parser_skip_blanks(c, len, 0);
		if (parser_field_label(c + lead, len - lead, FALSE, &f) == 0 ||
		    f == FIELD_OTHER || (b->seen & BIT(f)))
			return 0;
		return i + k;
	}
	return 0;
}

#define WRAP_MIN 60      /* a line this long may have been wrapped */
#define WRAP_MAX_LINES 2 /* lines a wrapped subject may carry on over */

/* subject_wrap - line i, no label, carries on a Subject line the
 * client wrapped without indenting it (Gmail's text part): the line
 * before it is long, and after at most WRAP_MAX_LINES such lines comes
 * a label of the block, or after one such line a blank line */
static gboolean
subject_wrap(const Lines *ls, guint i, const Block *b)
{
	for (guint k = 0; k < WRAP_MAX_LINES && i + k < ls->n; k++) {
		const Line *l = &ls->v[i + k];
		gsize len, plen;
		const char *c;
		FieldKind f;

		(void)parser_line_content(&ls->v[i + k - 1], &plen);
		if (plen < WRAP_MIN || l->depth != b->depth ||
		    l->len > SCAN_MAX_MARKER_LINE || parser_line_blank(l))
			return FALSE;
		c = parser_line_content(l, &len);
		if (c[0] == ' ' || c[0] == '\t' ||
		    parser_field_label(c, len, FALSE, &f) > 0)
			return FALSE;
		/* before a blank line (Subject last): one wrapped line only */
		if (i + k + 1 >= ls->n || parser_line_blank(&ls->v[i + k + 1]))
			return k == 0;
		c = parser_line_content(&ls->v[i + k + 1], &len);
		if (parser_field_label(c, len, FALSE, &f) > 0)
			return !(b->seen & BIT(f)) || f == FIELD_OTHER;
	}
	return FALSE;
}

/* parser_block_read - the header block starting at line `start` */
gboolean
parser_block_read(const Lines *ls, guint start, Block *b)
{
	FieldKind last = FIELD_NONE;
	guint i, k;

	memset(b, 0, sizeof(*b));
	b->start = start;
	b->depth = start < ls->n ? ls->v[start].depth : 0;
	for (i = start; i < ls->n && i - start < SCAN_MAX_BLOCK_LINES; i++) {
		const Line *l = &ls->v[i];
		gsize len, tl, n;
		const char *c = parser_line_content(l, &len), *t = c;
		FieldKind f;

		if (l->depth == b->depth && parser_line_blank(l) &&
		    b->seen != 0 && (k = spaced_field(ls, i, b)) > i) {
			i = k - 1;
			continue;
		}
		if (l->depth != b->depth || parser_line_blank(l) ||
		    len > SCAN_MAX_MARKER_LINE)
			break;
		for (tl = len; tl > 0 && (*t == ' ' || *t == '\t'); tl--)
			t++;
		n = parser_field_label(t, tl, FALSE, &f);
		/* after From:, "Sender:" is RFC 5322's (BlackBerry), not
		 * Samsung's label for the sender */
		if (n > 0 && f == FIELD_FROM && (b->seen & BIT(FIELD_FROM)) &&
		    rfc_field(t, tl) > 0)
			f = FIELD_OTHER;
		if (n == 0 && b->seen != 0 && (n = rfc_field(t, tl)) > 0)
			f = FIELD_OTHER;
		if (n == 0 && b->seen != 0)
			n = unknown_label(ls, i + 1, b, t, tl, &f);
		if (n > 0) {
			if (ends_block(b, f))
				break;
			block_set(b, f, t + n, tl - n);
			last = f;
		} else if ((last != FIELD_NONE && continues(b, last, c, len)) ||
			   (last == FIELD_SUBJECT && subject_wrap(ls, i, b))) {
			block_append(b, last, c, len);
		} else {
			break;
		}
	}
	b->end = i;
	return b->seen != 0;
}

#define SHAPE_MIN_LINES 3 /* "Label: value" lines of a block read by shape */

/* mailbox_value - the value is one or more mailboxes with an address */
static gboolean
mailbox_value(const char *s, gsize len)
{
	g_autoptr(FwdAddress) a = NULL;

	if (memchr(s, '@', len) == NULL)
		return FALSE;
	a = parser_mailbox_parse(s, (gssize)len);
	return a != NULL && a->address != NULL;
}

/* shape_field - the field an unknown label's value makes it: the first
 * mailbox line is the sender, the next ones To and Cc; a date with a
 * clock time is the date; the first other text is the subject, or the
 * sender's name when it opens the block */
static FieldKind
shape_field(const Block *b, const char *v, gsize len)
{
	static const FieldKind mailboxes[] = { FIELD_FROM, FIELD_TO, FIELD_CC };

	if (mailbox_value(v, len)) {
		for (gsize k = 0; k < G_N_ELEMENTS(mailboxes); k++)
			if (!(b->seen & BIT(mailboxes[k])))
				return mailboxes[k];
		return FIELD_OTHER;
	}
	if (looks_dated(v, len) && parser_has_clock(v, len))
		return b->seen & BIT(FIELD_DATE) ? FIELD_OTHER : FIELD_DATE;
	/* a name alone on the first line: Exchange's internal sender */
	if (b->seen == 0)
		return FIELD_FROM;
	return b->seen & BIT(FIELD_SUBJECT) ? FIELD_OTHER : FIELD_SUBJECT;
}

/* field_mailbox - field f holds a mailbox with an address */
static gboolean
field_mailbox(const Block *b, FieldKind f)
{
	const char *v = b->value[f];

	return v != NULL && mailbox_value(v, strlen(v));
}

/* colon_early - a ':' or '：' where label_shape() could find it (most
 * lines of a body have none: they are turned away before any lookup) */
static gboolean
colon_early(const Line *l)
{
	gsize len, n;
	const char *c = parser_line_content(l, &len);

	n = MIN(len, 40);
	for (gsize i = 0; i < n; i++)
		if (c[i] == ':' ||
		    (c[i] == '\xef' && i + 2 < len && c[i + 1] == '\xbc' &&
			c[i + 2] == '\x9a'))
			return TRUE;
	return FALSE;
}

/* parser_block_shape - a header block whose labels the tables do not
 * know (a language no client table covers), read by its shape: at
 * least SHAPE_MIN_LINES "Label: value" lines, known labels read as
 * usual, unknown ones by their values (shape_field()). It counts only
 * when it is unmistakable: an unknown label in it, a sender, an
 * address in the sender or the To, a date with a clock time, and a
 * subject or a To */
gboolean
parser_block_shape(const Lines *ls, guint start, Block *b)
{
	FieldKind last = FIELD_NONE;
	guint lines = 0, unknown = 0, i;

	memset(b, 0, sizeof(*b));
	if (start + 1 >= ls->n || !colon_early(&ls->v[start]) ||
	    !colon_early(&ls->v[start + 1]))
		return FALSE;
	b->start = start;
	b->depth = ls->v[start].depth;
	for (i = start; i < ls->n && i - start < SCAN_MAX_BLOCK_LINES; i++) {
		const Line *l = &ls->v[i];
		gsize len, tl, n;
		const char *c = parser_line_content(l, &len), *t = c;
		FieldKind f;

		if (l->depth != b->depth || parser_line_blank(l) ||
		    len > SCAN_MAX_MARKER_LINE)
			break;
		for (tl = len; tl > 0 && (*t == ' ' || *t == '\t'); tl--)
			t++;
		n = parser_field_label(t, tl, FALSE, &f);
		if (n == 0 && (n = rfc_field(t, tl)) > 0)
			f = FIELD_OTHER;
		if (n == 0 && (n = label_shape(t, tl)) > 0) {
			f = shape_field(b, t + n, tl - n);
			unknown++;
		}
		if (n > 0) {
			if (ends_block(b, f))
				break;
			block_set(b, f, t + n, tl - n);
			last = f;
			lines++;
		} else if (last != FIELD_NONE && continues(b, last, c, len)) {
			block_append(b, last, c, len);
		} else {
			break;
		}
	}
	b->end = i;
	if (unknown > 0 && lines >= SHAPE_MIN_LINES &&
	    b->value[FIELD_FROM] != NULL && *b->value[FIELD_FROM] != '\0' &&
	    (field_mailbox(b, FIELD_FROM) || field_mailbox(b, FIELD_TO)) &&
	    b->value[FIELD_DATE] != NULL &&
	    parser_has_clock(
		b->value[FIELD_DATE], strlen(b->value[FIELD_DATE])) &&
	    (b->seen & (BIT(FIELD_SUBJECT) | BIT(FIELD_TO))))
		return TRUE;
	parser_block_clear(b);
	return FALSE;
}

/* next_label - where the next unseen field's label starts, or len */
static gsize
next_label(
    const char *s, gsize len, gsize from, guint seen, FieldKind *f, gsize *n)
{
	for (gsize q = from; q < len;
	     q = (gsize)(g_utf8_next_char(s + q) - s)) {
		*n = parser_field_label(s + q, len - q, FALSE, f);
		if (*n > 0 && !(seen & BIT(*f)))
			return q;
		/* labels without colon only after a non-letter or a capital */
		if (q > 0 && g_ascii_islower(s[q - 1]))
			continue;
		*n = parser_field_label(s + q, len - q, TRUE, f);
		if (*n > 0 && !(seen & BIT(*f)))
			return q;
	}
	*n = 0;
	*f = FIELD_NONE;
	return len;
}

/* parser_block_run - Yahoo's header fields run together on one line */
gboolean
parser_block_run(const char *s, gsize len, Block *b)
{
	gsize i = 0, n;
	FieldKind f;

	memset(b, 0, sizeof(*b));
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	n = parser_field_label(s + i, len - i, TRUE, &f);
	for (guint guard = 0; n > 0 && guard < FIELD_COUNT * 2; guard++) {
		gsize v = i + n, q;
		FieldKind nf;
		gsize nn;

		q = next_label(s, len, v, b->seen | BIT(f), &nf, &nn);
		block_set(b, f, s + v, q - v);
		i = q;
		f = nf;
		n = nn;
	}
	return b->seen != 0;
}

/* parser_block_valid - enough fields to be a forwarded message's header */
gboolean
parser_block_valid(const Block *b, gboolean relaxed)
{
	guint others = 0;
	gboolean from = (b->seen & BIT(FIELD_FROM)) &&
			b->value[FIELD_FROM] != NULL &&
			*b->value[FIELD_FROM] != '\0';
	static const FieldKind counted[] = { FIELD_TO, FIELD_CC, FIELD_DATE,
		FIELD_SUBJECT, FIELD_REPLY_TO };

	for (gsize k = 0; k < G_N_ELEMENTS(counted); k++)
		if (b->seen & BIT(counted[k]))
			others++;
	if (relaxed)
		return from || others >= 2;
	return from && (others >= 2 || (b->seen & BIT(FIELD_SUBJECT)));
}

/* parser_subject_original - a subject without the forwarders' prefixes
 * ("[EXT] FW: Fwd: x" -> "x"); one that starts with a reply prefix or
 * none at all is kept as it is */
char *
parser_subject_original(const char *subject)
{
	const char *rest = NULL;

	if (subject == NULL)
		return NULL;
	if (parser_subject_kind(subject, &rest) != SUBJECT_FORWARD)
		rest = subject;
	return parser_header_clean(rest);
}

/* parser_message_set_date - date_raw as found, date as RFC 3339 */
void
parser_message_set_date(FwdMessage *m, const char *raw, const ParseCtx *ctx)
{
	g_clear_pointer(&m->date_raw, g_free);
	g_clear_pointer(&m->date, g_free);
	if (raw == NULL)
		return;
	m->date_raw = util_header_safe(raw, 0);
	if (*m->date_raw == '\0') {
		g_clear_pointer(&m->date_raw, g_free);
		return;
	}
	{
		char *d = parser_date_to_rfc3339(
		    m->date_raw, ctx->offset_min, ctx->have_offset);

		m->date = util_header_safe(d, 0);
		g_free(d);
	}
}

/* field_text - a field's value with RFC 2047 words decoded (some
 * clients copy the raw header into the forward); NULL when absent */
static char *
field_text(const Block *b, FieldKind f)
{
	const char *v = b->value[f];

	if (v == NULL)
		return NULL;
	if (strstr(v, "=?") != NULL)
		return rfc2047_decode(v); /* GMime's loses padded runs */
	return g_strdup(v);
}

/* move_list - mailboxes of a field appended to an array */
static void
move_list(const Block *b, FieldKind f, GPtrArray *to)
{
	g_autofree char *value = field_text(b, f);
	g_autoptr(GPtrArray) list = NULL;

	if (value == NULL)
		return;
	list = parser_mailbox_list(value, -1);
	while (list->len > 0)
		g_ptr_array_add(to, g_ptr_array_steal_index(list, 0));
}

/* parser_block_message - a FwdMessage from a header block (no body) */
FwdMessage *
parser_block_message(const Block *b, const ParseCtx *ctx)
{
	FwdMessage *m = fwd_message_new();
	g_autoptr(GPtrArray) from =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_address_free);

	move_list(b, FIELD_FROM, from);
	if (from->len > 0)
		m->from = g_ptr_array_steal_index(from, 0);
	move_list(b, FIELD_TO, m->to);
	move_list(b, FIELD_CC, m->cc);
	move_list(b, FIELD_REPLY_TO, m->reply_to);
	if (b->seen & BIT(FIELD_SUBJECT)) {
		g_autofree char *subject = field_text(b, FIELD_SUBJECT);

		m->subject = parser_subject_original(subject);
	}
	parser_message_set_date(m, b->value[FIELD_DATE], ctx);
	return m;
}
