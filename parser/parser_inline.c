/*
 * parser_inline.c - find the forwarded message inside text
 *
 * One pass over the lines, first marker wins. A marker is
 *   strong: a separator that says "forward" in some language (Gmail,
 *	Thunderbird, Apple Mail, Yahoo, mutt, Alpine, Proton, ...);
 *   weak: a header block that replies carry too (Outlook's rule line
 *	or "-----Original Message-----" over From/Sent/To/Subject, or a
 *	bare block as new Outlook and Outlook desktop write it);
 *   attribution: "On DATE, WHO wrote:" (Outlook 2019 forwards, and
 *	every reply);
 *   shape: a header block with no separator whose labels no table
 *	knows, read by its values (parser_block_shape()); under a
 *	separator such a block counts as the separator's, alone only
 *	under the member's forward subject (never inside a chain).
 * The subject only settles the ambiguous ones: a weak marker counts
 * unless the subject says reply, an attribution or a shape only when
 * it says forward. Mail sent to a share address is meant to be a forward, so
 * nothing else is gated on the subject. Inside a forwarded body (the
 * chain), header blocks count whatever their subject.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_scan.h"

#define BLANKS_AFTER_SEPARATOR                                                 \
	4              /* blank lines between a separator and its block */
#define ATTRIB_LINES 3 /* lines an attribution may wrap over */
#define HINT_SLACK 3   /* lines a block may start after an HTML hint */

typedef enum {
	MARK_NONE,
	MARK_STRONG,
	MARK_WEAK,
	MARK_ATTRIB,
	MARK_SHAPE,
} Strength;

typedef struct {
	Strength strength;
	gboolean mutt;
	guint note_end;   /* the note is lines [0, note_end) */
	guint resume;     /* where to look on when this one is rejected */
	guint body_start; /* the forwarded body starts here */
	guint depth;      /* and has this quote depth */
	Block block;
	char *who;  /* sender text from a mutt separator or an attribution */
	char *date; /* date text from an attribution */
} Mark;

/* mark_clear - free what a mark holds */
static void
mark_clear(Mark *m)
{
	parser_block_clear(&m->block);
	g_free(m->who);
	g_free(m->date);
	memset(m, 0, sizeof(*m));
}

/* near_hint - line i is at or just after a forward container (HTML) */
static gboolean
near_hint(const GArray *hints, guint i)
{
	if (hints == NULL)
		return FALSE;
	for (guint k = 0; k < hints->len; k++) {
		guint h = g_array_index(hints, guint, k);

		if (i >= h && i <= h + HINT_SLACK)
			return TRUE;
	}
	return FALSE;
}

/* next_nonblank - the first non-blank line in [i, i + max], or n */
static guint
next_nonblank(const Lines *ls, guint i, guint max)
{
	for (guint k = 0; k <= max && i + k < ls->n; k++)
		if (!parser_line_blank(&ls->v[i + k]))
			return i + k;
	return ls->n;
}

/* skip_rules - past blank lines and lines of dashes, at most max */
static guint
skip_rules(const Lines *ls, guint i, guint max)
{
	for (guint k = 0; k < max && i < ls->n; k++, i++) {
		gsize len, d = 0;
		const char *c = parser_line_content(&ls->v[i], &len);

		while (d < len && c[d] == '-')
			d++;
		if (!parser_line_blank(&ls->v[i]) && (d < 4 || d != len))
			break;
	}
	return i;
}

/* block_after - the header block under a separator; Gmail's "Forwarded
 * conversation" puts a Subject and a rule of dashes above it */
static gboolean
block_after(const Lines *ls, guint i, Mark *m)
{
	guint j = next_nonblank(ls, i, BLANKS_AFTER_SEPARATOR);
	Block second;

	memset(&second, 0, sizeof(second));
	if (j >= ls->n)
		return FALSE;
	if (parser_block_read(ls, j, &m->block) &&
	    parser_block_valid(&m->block, TRUE))
		return TRUE;
	j = skip_rules(ls, MAX(m->block.end, j), BLANKS_AFTER_SEPARATOR);
	if (m->block.seen == 1u << FIELD_SUBJECT && j < ls->n &&
	    parser_block_read(ls, j, &second) &&
	    parser_block_valid(&second, FALSE)) {
		if (second.value[FIELD_SUBJECT] == NULL) {
			second.value[FIELD_SUBJECT] =
			    g_steal_pointer(&m->block.value[FIELD_SUBJECT]);
			second.seen |= 1u << FIELD_SUBJECT;
		}
		parser_block_clear(&m->block);
		m->block = second;
		return TRUE;
	}
	parser_block_clear(&m->block);
	parser_block_clear(&second);
	/* labels of a language no table knows, in a header's shape */
	return parser_block_shape(
	    ls, next_nonblank(ls, i, BLANKS_AFTER_SEPARATOR), &m->block);
}

static gboolean detect_attribution(const Lines *ls, guint i, Mark *m);

/* attribution_after - "Begin forwarded message:" over "On DATE, WHO
 * wrote:" instead of a header block (Yahoo Mail for iOS): the sender,
 * date and body start come from the attribution */
static void
attribution_after(const Lines *ls, guint i, Mark *m)
{
	guint j = next_nonblank(ls, i, BLANKS_AFTER_SEPARATOR);
	Mark a = { 0 };

	if (j >= ls->n || !detect_attribution(ls, j, &a))
		return;
	m->who = g_steal_pointer(&a.who);
	m->date = g_steal_pointer(&a.date);
	m->body_start = a.body_start;
	m->depth = a.depth;
	m->resume = a.resume;
	mark_clear(&a);
}

/* detect_separator - a separator line and the block under it */
static gboolean
detect_separator(const Lines *ls, guint i, const SepMatch *sep, Mark *m)
{
	gsize len;
	const char *c = parser_line_content(&ls->v[i], &len);
	gboolean block = FALSE;

	m->note_end = i;
	m->resume = i + 1;
	m->body_start = i + 1;
	m->depth = ls->v[i].depth;
	if (sep->rest > 0) {
		block =
		    parser_block_run(c + sep->rest, len - sep->rest, &m->block);
	} else if ((block = block_after(ls, i + 1, m))) {
		m->body_start = m->block.end;
		m->depth = m->block.depth;
		m->resume = m->block.end;
	}
	if (!block && sep->rest == 0 && sep->kind == SEP_FORWARD)
		attribution_after(ls, i + 1, m);
	if (sep->kind == SEP_MUTT) {
		m->mutt = TRUE;
		m->who = g_strndup(c + sep->who, sep->who_len);
	}
	if (sep->kind == SEP_FORWARD || sep->kind == SEP_MUTT)
		m->strength = MARK_STRONG;
	else if (sep->kind == SEP_ORIGINAL || block)
		m->strength = MARK_WEAK;
	return m->strength != MARK_NONE;
}

/* detect_block - a header block with no separator above it */
static gboolean
detect_block(const Lines *ls, guint i, const GArray *hints, Mark *m)
{
	gsize len, lead = 0;
	const char *c = parser_line_content(&ls->v[i], &len);
	FieldKind f;

	while (lead < len && (c[lead] == ' ' || c[lead] == '\t'))
		lead++;
	if (parser_field_label(c + lead, len - lead, FALSE, &f) == 0)
		return FALSE;
	parser_block_read(ls, i, &m->block);
	m->resume = MAX(m->block.end, i + 1);
	if (!parser_block_valid(&m->block, near_hint(hints, i))) {
		parser_block_clear(&m->block);
		return FALSE;
	}
	m->strength = MARK_WEAK;
	m->note_end = i;
	m->body_start = m->block.end;
	m->depth = m->block.depth;
	return TRUE;
}

/* detect_shape - a header block with no separator above it whose
 * labels are unknown but whose shape is a header's (parser_block_shape):
 * it counts like an attribution, when the subject says forward, or
 * like a bare block at an HTML forward container */
static gboolean
detect_shape(const Lines *ls, guint i, const GArray *hints, Mark *m)
{
	if (!parser_block_shape(ls, i, &m->block))
		return FALSE;
	m->strength = near_hint(hints, i) ? MARK_WEAK : MARK_SHAPE;
	m->note_end = i;
	m->resume = MAX(m->block.end, i + 1);
	m->body_start = m->block.end;
	m->depth = m->block.depth;
	return TRUE;
}

/* ends_with_colon - the text ends with ':' or '：' (blanks ignored) */
static gboolean
ends_with_colon(const char *s, gsize len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return (len >= 1 && s[len - 1] == ':') ||
	       (len >= 3 && memcmp(s + len - 3, "\xef\xbc\x9a", 3) == 0);
}

/* colon_ahead - one of the ATTRIB_LINES lines from i (same depth, not
 * blank) ends with a colon: most lines are turned away before a copy */
static gboolean
colon_ahead(const Lines *ls, guint i)
{
	for (guint k = 0; k < ATTRIB_LINES && i + k < ls->n; k++) {
		const Line *l = &ls->v[i + k];
		gsize len;
		const char *c = parser_line_content(l, &len);

		if (parser_line_blank(l) || l->depth != ls->v[i].depth)
			return FALSE;
		if (ends_with_colon(c, len))
			return TRUE;
	}
	return FALSE;
}

/* detect_attribution - "On DATE, WHO wrote:", possibly wrapped */
static gboolean
detect_attribution(const Lines *ls, guint i, Mark *m)
{
	g_autoptr(GString) joined = NULL;

	if (!colon_ahead(ls, i))
		return FALSE;
	joined = g_string_new(NULL);

	for (guint k = 0; k < ATTRIB_LINES && i + k < ls->n; k++) {
		const Line *l = &ls->v[i + k];
		gsize len;
		const char *c = parser_line_content(l, &len);

		if (parser_line_blank(l) || l->depth != ls->v[i].depth ||
		    joined->len + len > SCAN_MAX_MARKER_LINE)
			break;
		if (k > 0)
			g_string_append_c(joined, ' ');
		g_string_append_len(joined, c, (gssize)len);
		if (!ends_with_colon(c, len))
			continue;
		if (parser_attribution(
			joined->str, joined->len, &m->date, &m->who)) {
			guint j = next_nonblank(ls, i + k + 1, 2);

			m->strength = MARK_ATTRIB;
			m->note_end = i;
			m->resume = i + k + 1;
			m->body_start = i + k + 1;
			m->depth = ls->v[i].depth;
			if (j < ls->n && ls->v[j].depth > m->depth)
				m->depth = ls->v[j].depth;
			return TRUE;
		}
		break;
	}
	return FALSE;
}

/* detect_notes - Lotus Notes' "Forwarded by" separator(s) at line i
 * and the sender/To/Subject block under them (next: the first line
 * after the separators) */
static gboolean
detect_notes(const Lines *ls, guint i, guint next, Mark *m)
{
	m->strength = MARK_STRONG;
	m->note_end = i;
	m->resume = next;
	m->body_start = next;
	m->depth = ls->v[i].depth;
	if (parser_notes_block(ls, next, &m->block)) {
		m->body_start = m->block.end;
		m->depth = m->block.depth;
		m->resume = m->block.end;
	}
	return TRUE;
}

/* detect - is line i where a forwarded message starts? */
static gboolean
detect(const Lines *ls, guint i, const GArray *hints, Mark *m)
{
	gsize len;
	const char *c = parser_line_content(&ls->v[i], &len);
	SepMatch sep;
	guint next;

	m->resume = i + 1;
	if (len > SCAN_MAX_MARKER_LINE || parser_line_blank(&ls->v[i]))
		return FALSE;
	if (parser_notes_separator(ls, i, &next))
		return detect_notes(ls, i, next, m);
	sep = parser_separator(c, len);
	if (sep.kind != SEP_NONE && sep.kind != SEP_MUTT_END)
		return detect_separator(ls, i, &sep, m);
	if (detect_block(ls, i, hints, m) || detect_shape(ls, i, hints, m))
		return TRUE;
	if (m->resume > i + 1)
		return FALSE;
	return detect_attribution(ls, i, m);
}

/* parser_inline_marker - does a quoted or forwarded message start at
 * line i (a separator, a header block, an attribution, Lotus Notes'
 * layout), whatever the subject? Its text starts at *body_start with
 * *depth quote levels (a reply's "On ... wrote:" over "> " lines has a
 * deeper body than itself; Outlook's block over the original does not) */
gboolean
parser_inline_marker(const Lines *ls, guint i, const GArray *hints,
    guint *body_start, guint *depth)
{
	Mark m = { 0 };
	gboolean found = i < ls->n && detect(ls, i, hints, &m);

	if (found) {
		*body_start = MAX(m.body_start, i + 1);
		*depth = m.depth;
	}
	mark_clear(&m);
	return found;
}

/* accept - does this marker make the text a forward? */
static gboolean
accept(const Mark *m, SubjectKind subject, gboolean nested)
{
	switch (m->strength) {
	case MARK_STRONG:
		return TRUE;
	case MARK_WEAK:
		return nested || subject != SUBJECT_REPLY;
	case MARK_ATTRIB:
	case MARK_SHAPE:
		/* a layer's subject has lost its prefix: in a chain neither
		 * an attribution nor a shape with no separator above it (a
		 * form the original quotes) opens a layer */
		return subject == SUBJECT_FORWARD;
	case MARK_NONE:
	default:
		return FALSE;
	}
}

/* body_end - first line after the forwarded body */
static guint
body_end(const Lines *ls, const Mark *m)
{
	guint last = m->body_start;

	if (m->mutt) {
		for (guint j = m->body_start; j < ls->n; j++) {
			gsize len;
			const char *c = parser_line_content(&ls->v[j], &len);

			if (parser_separator(c, len).kind == SEP_MUTT_END)
				return j;
		}
	}
	if (m->depth == 0)
		return ls->n;
	/* a quoted forward ends with its last quoted line */
	for (guint j = m->body_start; j < ls->n; j++)
		if (ls->v[j].depth >= m->depth)
			last = j + 1;
	return last;
}

/* mark_message - the forwarded message a marker introduces */
static FwdMessage *
mark_message(const Lines *ls, const Mark *m, const ParseCtx *ctx)
{
	FwdMessage *msg = m->block.seen != 0
			      ? parser_block_message(&m->block, ctx)
			      : fwd_message_new();

	if (msg->from == NULL && m->who != NULL)
		msg->from = parser_mailbox_parse(m->who, -1);
	if (msg->date_raw == NULL && m->date != NULL)
		parser_message_set_date(msg, m->date, ctx);
	if (msg->subject == NULL)
		msg->subject = parser_subject_original(ctx->subject);
	msg->body =
	    parser_lines_body(ls, m->body_start, body_end(ls, m), m->depth);
	return msg;
}

/* mark_note - the member's words above the forward; when there are
 * none, below it if the forward visibly ends (its last quoted line,
 * mutt's end marker), as a person reads a bottom-posted note. With
 * words above, what follows the forward is more often a footer the
 * member's server added than more of the note. Each part ends at a
 * signature or a client footer ("Sent from my iPhone") */
static char *
mark_note(const Lines *ls, const Mark *m)
{
	char *above = parser_lines_note(ls, m->note_end);
	guint end;

	if (above != NULL || (!m->mutt && m->depth == 0))
		return above;
	end = body_end(ls, m);
	if (m->mutt && end < ls->n && ls->v[end].depth == m->depth)
		end++; /* "----- End forwarded message -----" */
	return parser_lines_note_range(ls, end, ls->n);
}

/* hint_mark - an HTML forward container when no marker was found */
static gboolean
hint_mark(const Lines *ls, const GArray *hints, Mark *m)
{
	guint h;

	if (hints == NULL || hints->len == 0)
		return FALSE;
	h = g_array_index(hints, guint, 0);
	if (h >= ls->n)
		return FALSE;
	m->strength = MARK_STRONG;
	m->note_end = h;
	m->body_start = h;
	m->depth = ls->v[h].depth;
	return TRUE;
}

/* parser_inline_find - the outermost forwarded message in text */
gboolean
parser_inline_find(const char *text, gsize len, const GArray *hints,
    const ParseCtx *ctx, gboolean nested, char **note, FwdMessage **original)
{
	g_autoptr(Lines) ls = parser_lines_new_len(text, len);
	SubjectKind subject = parser_subject_kind(ctx->subject, NULL);
	Mark m = { 0 };
	gboolean found = FALSE;

	for (guint i = 0; i < ls->n && !found;) {
		if (detect(ls, i, hints, &m) && accept(&m, subject, nested)) {
			found = TRUE;
			break;
		}
		i = MAX(i + 1, m.resume);
		mark_clear(&m);
	}
	if (!found && !nested && subject == SUBJECT_FORWARD)
		found = hint_mark(ls, hints, &m);
	if (found) {
		if (note != NULL)
			*note = mark_note(ls, &m);
		*original = mark_message(ls, &m, ctx);
	}
	mark_clear(&m);
	return found;
}

/* offset_of - minutes east of UTC at the end of an RFC 3339 time */
static gboolean
offset_of(const char *rfc3339, int *minutes)
{
	gsize len = strlen(rfc3339);
	const char *z;

	if (len > 0 && rfc3339[len - 1] == 'Z') {
		*minutes = 0;
		return TRUE;
	}
	if (len < 6)
		return FALSE;
	z = rfc3339 + len - 6;
	if ((z[0] != '+' && z[0] != '-') || z[3] != ':' ||
	    !g_ascii_isdigit(z[1]) || !g_ascii_isdigit(z[2]) ||
	    !g_ascii_isdigit(z[4]) || !g_ascii_isdigit(z[5]))
		return FALSE;
	*minutes = ((z[1] - '0') * 10 + (z[2] - '0')) * 60 + (z[4] - '0') * 10 +
		   (z[5] - '0');
	if (z[0] == '-')
		*minutes = -*minutes;
	return TRUE;
}

/* parser_chain_fill - the forwarded layers inside a forwarded body */
void
parser_chain_fill(
    const FwdMessage *original, const ParseCtx *ctx, GPtrArray *chain)
{
	const FwdMessage *layer = original;
	gsize bytes = 0;

	for (guint k = 0; k < PARSER_MAX_CHAIN && layer->body != NULL; k++) {
		ParseCtx inner = *ctx;
		FwdMessage *next = NULL;
		gsize len = strlen(layer->body);

		bytes += len;
		if (bytes > SCAN_MAX_CHAIN_BYTES)
			break;
		inner.subject = layer->subject;
		/* a zone-less date inside reads in its container's zone */
		if (layer->date != NULL)
			inner.have_offset =
			    offset_of(layer->date, &inner.offset_min) ||
			    inner.have_offset;
		if (!parser_inline_find(
			layer->body, len, NULL, &inner, TRUE, NULL, &next))
			break;
		g_ptr_array_add(chain, next);
		layer = next;
	}
}
