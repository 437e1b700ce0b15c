/*
 * parser_notes.c - Lotus Notes / HCL Notes forwards
 *
 * Notes writes no "From:" block. A forward reads
 *
 *	----- Forwarded by Chris Member/Sales/Acme on 03/16/2026 08:40 AM -----
 *
 *	"Okafor, Adaeze" <adaeze.okafor@globex.example> on 03/13/2026 04:55 PM
 *	(or the sender on one line and the date alone on the next)
 *
 *	To:   "Member, Chris" <chris.member@acme.example>
 *	cc:   Tom Becker/Sales/Acme@Acme, ...
 *	      (continuation lines indented)
 *	Subject:  Looking for a technical writer
 *
 * with the labels also as "To<TAB>value", indented by a tab, or alone
 * on their line with the value on the next (Notes 6 and later, where an
 * empty "cc" is followed by a blank line; Notes 8.5 and later print
 * "From:" and "Date:" that way too, over tab-indented values). The separator is often
 * wrapped by the member's client onto two or three lines, and each
 * forwarder of a chain stacks one more separator line on top without a
 * header block of its own. Internal senders and recipients are Notes
 * hierarchical names (`Name/OU/Org@Domain`, `CN=Name/OU=.../O=...`):
 * not Internet addresses, so they read as the common name alone.
 *
 * Everything here is bounded: a separator spans at most three lines of
 * at most SCAN_MAX_MARKER_LINE bytes, a header at most
 * SCAN_MAX_BLOCK_LINES lines.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_scan.h"

#define BIT(f) (1u << (f))
#define SEP_LINES 3     /* lines a wrapped separator may span */
#define SEP_STACK 16    /* stacked separators of one chain */
#define BLANKS_BEFORE 4 /* blank lines between separator and header */
#define WRAPPED_TIME 12 /* bytes of a date's wrapped tail ("04:55 PM") */

/* The separator's words in the Notes languages we know: the phrase, and
 * the word between the forwarder and the date (also between the
 * sender and the date on the sender line). English, German and French
 * from Notes output; Spanish, Italian, Portuguese and Dutch written by
 * hand after them (HCL publishes no table): correct them when real
 * mail disagrees. */
static const struct {
	const char *phrase;
	const char *on;
} seps[] = {
	{ "Forwarded by ", " on " },
	{ "Weitergeleitet von ", " am " },
	{ "Transféré par ", " le " },
	{ "Réacheminé par ", " le " },
	{ "Reenviado por ", " el " },
	{ "Inoltrato da ", " il " },
	{ "Encaminhado por ", " em " },
	{ "Doorgestuurd door ", " op " },
};

/* Header labels as Notes prints them (case ignored). */
static const struct {
	const char *word;
	FieldKind field;
} notes_labels[] = {
	{ "From", FIELD_FROM },
	{ "Date", FIELD_DATE },
	{ "To", FIELD_TO },
	{ "cc", FIELD_CC },
	{ "bcc", FIELD_BCC },
	{ "Subject", FIELD_SUBJECT },
	{ "Please respond to", FIELD_REPLY_TO },
	{ "Sent by", FIELD_OTHER },
	{ "Von", FIELD_FROM },
	{ "Datum", FIELD_DATE },
	{ "An", FIELD_TO },
	{ "Kopie", FIELD_CC },
	{ "Blindkopie", FIELD_BCC },
	{ "Thema", FIELD_SUBJECT },
	{ "Betreff", FIELD_SUBJECT },
	{ "Objet", FIELD_SUBJECT },
	{ "De", FIELD_FROM },
	{ "A", FIELD_TO },
	{ "\xc3\x80", FIELD_TO }, /* À */
	{ "Copie", FIELD_CC },
	{ "Da", FIELD_FROM },
	{ "Data", FIELD_DATE },
	{ "Oggetto", FIELD_SUBJECT },
	{ "Para", FIELD_TO },
	{ "Fecha", FIELD_DATE },
	{ "Asunto", FIELD_SUBJECT },
	{ "Assunto", FIELD_SUBJECT },
	{ "Van", FIELD_FROM },
	{ "Aan", FIELD_TO },
	{ "Onderwerp", FIELD_SUBJECT },
};

/* trim_right - len without trailing blanks */
static gsize
trim_right(const char *s, gsize len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len;
}

/* find_word - first offset of word in s[from, len), or len */
static gsize
find_word(const char *s, gsize len, gsize from, const char *word)
{
	gsize wl = strlen(word);

	for (gsize i = from; i + wl <= len; i++)
		if (s[i] == word[0] && memcmp(s + i, word, wl) == 0)
			return i;
	return len;
}

/* sep_text - one joined text is a whole "-- Forwarded by WHO on DATE --" */
static gboolean
sep_text(const char *s, gsize len)
{
	gsize i = 0, d = 0, n = 0, k;

	len = trim_right(s, len);
	while (len > 0 && s[len - 1] == '-') {
		len--;
		d++;
	}
	if (d < 2)
		return FALSE;
	/* leading dashes: only up to the trailing ones (a line of dashes) */
	while (i < len && s[i] == '-')
		i++;
	i = parser_skip_blanks(s, len, i);
	if (i >= len)
		return FALSE;
	for (k = 0; k < G_N_ELEMENTS(seps) && n == 0; k++)
		n = parser_prefix_ci(s + i, len - i, seps[k].phrase);
	if (n == 0)
		return FALSE;
	/* the forwarder, then the date: both present */
	return find_word(s, len, i + n + 1, seps[k - 1].on) < len;
}

/* sep_start - a line that may open a separator: two dashes or the
 * phrase (most lines are turned away by their first byte, inline: this
 * runs on every line of the text) */
static gboolean
sep_start(const char *c, gsize len)
{
	gsize i = 0;

	while (i < len && (c[i] == ' ' || c[i] == '\t'))
		i++;
	if (i + 1 >= len)
		return FALSE;
	if (c[i] == '-')
		return c[i + 1] == '-';
	for (gsize k = 0; k < G_N_ELEMENTS(seps); k++)
		if ((c[i] | 0x20) == (seps[k].phrase[0] | 0x20) &&
		    (c[i + 1] | 0x20) == seps[k].phrase[1] &&
		    parser_prefix_ci(c + i, len - i, seps[k].phrase) > 0)
			return TRUE;
	return FALSE;
}

/* one_separator - lines [i, *next) are one separator, wrapped or not */
static gboolean
one_separator(const Lines *ls, guint i, guint *next)
{
	g_autoptr(GString) joined = NULL;
	gsize len = ls->v[i].len - ls->v[i].qlen;
	const char *c = ls->v[i].s + ls->v[i].qlen;

	if (len > SCAN_MAX_MARKER_LINE || !sep_start(c, len))
		return FALSE;
	joined = g_string_new(NULL);
	for (guint k = 0; k < SEP_LINES && i + k < ls->n; k++) {
		const Line *l = &ls->v[i + k];

		c = parser_line_content(l, &len);
		if (parser_line_blank(l) || l->depth != ls->v[i].depth ||
		    len > SCAN_MAX_MARKER_LINE)
			return FALSE;
		if (k > 0)
			g_string_append_c(joined, ' ');
		g_string_append_len(joined, c, (gssize)len);
		if (sep_text(joined->str, joined->len)) {
			*next = i + k + 1;
			return TRUE;
		}
	}
	return FALSE;
}

/* parser_notes_separator - Notes' "Forwarded by" line(s) at line i, and
 * any stacked under it; *next is the first line after them */
gboolean
parser_notes_separator(const Lines *ls, guint i, guint *next)
{
	guint j;

	if (!one_separator(ls, i, next))
		return FALSE;
	for (guint k = 0; k < SEP_STACK; k++) {
		for (j = *next; j < ls->n && j < *next + BLANKS_BEFORE &&
				parser_line_blank(&ls->v[j]);
		     j++)
			;
		if (j >= ls->n || !one_separator(ls, j, next))
			break;
	}
	return TRUE;
}

/* notes_label - "To:", "To<TAB>value" or "To" alone; bytes of the label
 * with what separates it from the value, 0 if the line is no label */
static gsize
notes_label(const char *s, gsize len, FieldKind *f)
{
	gsize lead;

	len = trim_right(s, len);
	lead = parser_skip_blanks(s, len, 0);
	for (gsize k = 0; k < G_N_ELEMENTS(notes_labels); k++) {
		gsize n = parser_prefix_ci(
		    s + lead, len - lead, notes_labels[k].word);
		gsize j, c;

		if (n == 0)
			continue;
		j = lead + n;
		*f = notes_labels[k].field;
		if (j == len || s[j] == '\t')
			return parser_skip_blanks(s, len, j);
		/* "Please respond to addr": the only label Notes runs into
		 * its value with a space */
		if (notes_labels[k].field == FIELD_REPLY_TO && s[j] == ' ')
			return parser_skip_blanks(s, len, j);
		j = parser_skip_blanks(s, len, j);
		if ((c = parser_colon_at(s, len, j)) > 0)
			return parser_skip_blanks(s, len, j + c);
	}
	*f = FIELD_NONE;
	return 0;
}

/* is_label_line - the line is one of Notes' header labels */
static gboolean
is_label_line(const Line *l, FieldKind *f)
{
	gsize len;
	const char *c = parser_line_content(l, &len);

	return !parser_line_blank(l) && notes_label(c, len, f) > 0;
}

/* looks_dated - a text with a year, or a clock time, in it */
static gboolean
looks_dated(const char *s, gsize len)
{
	for (gsize i = 0; i + 3 < len; i++) {
		if (s[i + 1] == ':' && g_ascii_isdigit(s[i]) &&
		    g_ascii_isdigit(s[i + 2]) && g_ascii_isdigit(s[i + 3]))
			return TRUE;
		if ((s[i] == '1' && s[i + 1] == '9') ||
		    (s[i] == '2' && s[i + 1] == '0'))
			if (g_ascii_isdigit(s[i + 2]) &&
			    g_ascii_isdigit(s[i + 3]))
				return TRUE;
	}
	return FALSE;
}

/* date_tail - what a wrapped "WHO on DATE" line leaves on the next:
 * "04:55 PM", "PM", "PM EDT" */
static gboolean
date_tail(const char *s, gsize len)
{
	if (len == 0 || len > WRAPPED_TIME)
		return FALSE;
	if (looks_dated(s, len))
		return TRUE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isupper(s[i]) && !g_ascii_isdigit(s[i]) &&
		    strchr(" :.+-()", s[i]) == NULL)
			return FALSE;
	return TRUE;
}

/* notes_name - one list item made readable: a hierarchical Notes name
 * (no '<', a '/' or a blank before its '@') becomes its common name */
static void
notes_name(GString *out, const char *s, gsize len)
{
	gsize lead = parser_skip_blanks(s, len, 0), at, slash;
	gboolean blank = FALSE;

	s += lead;
	len = trim_right(s, len - lead);
	if (len == 0)
		return;
	for (at = 0; at < len && s[at] != '@'; at++)
		blank = blank || s[at] == ' ';
	for (slash = 0; slash < at && s[slash] != '/'; slash++)
		;
	if (memchr(s, '<', len) != NULL || memchr(s, '"', len) != NULL ||
	    (slash == at && !(blank && at < len))) {
		g_string_append_len(out, s, (gssize)len);
		return;
	}
	if (slash >= 3 && g_ascii_strncasecmp(s, "CN=", 3) == 0) {
		s += 3;
		slash -= 3;
	}
	g_string_append_c(out, '"');
	for (gsize i = 0; i < slash; i++)
		if (s[i] != '"' && s[i] != '\\')
			g_string_append_c(out, s[i]);
	g_string_append_c(out, '"');
}

/* notes_list - a list value with its Notes names made readable */
static char *
notes_list(const char *v)
{
	GString *out = g_string_new(NULL);
	gsize start = 0, i, len = strlen(v);
	gboolean quoted = FALSE;
	int angle = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && v[i] == '"')
			quoted = !quoted;
		else if (i < len && !quoted && v[i] == '<')
			angle++;
		else if (i < len && !quoted && v[i] == '>' && angle > 0)
			angle--;
		/* names are separated by commas, or by tabs (table cells) */
		if (i < len &&
		    (quoted || angle > 0 || (v[i] != ',' && v[i] != '\t')))
			continue;
		/* ';' between items: a quoted common name next to a
		 * "Last, First" <addr> must not read as one name */
		if (out->len > 0)
			g_string_append(out, "; ");
		notes_name(out, v + start, i - start);
		start = i + 1;
	}
	return g_string_free(out, FALSE);
}

/* set_value - a field's value (address fields with Notes names read) */
static void
set_value(Block *b, FieldKind f, const char *v, gsize len)
{
	g_autofree char *t = parser_text_trim(v, len);

	if (b->seen & BIT(f))
		return;
	b->seen |= BIT(f);
	b->value[f] = f == FIELD_SUBJECT || f == FIELD_DATE
			  ? g_steal_pointer(&t)
			  : notes_list(t);
}

/* on_word - s starts with one of the separators' "on " words ("am ",
 * "le ", ...: each two letters and a blank) */
static gboolean
on_word(const char *s, gsize len)
{
	for (gsize k = 0; k < G_N_ELEMENTS(seps); k++)
		if (len >= 3 && memcmp(s, seps[k].on + 1, 3) == 0)
			return TRUE;
	return FALSE;
}

/* sender - the sender line(s) at j: "WHO on DATE", or WHO then DATE;
 * the first line after them */
static guint
sender(const Lines *ls, guint j, Block *b)
{
	gsize len, on, nl = 0;
	const char *c = parser_line_content(&ls->v[j], &len);
	const char *n = NULL;
	FieldKind f;

	len = trim_right(c, len);
	if (j + 1 < ls->n && !parser_line_blank(&ls->v[j + 1]) &&
	    ls->v[j + 1].depth == ls->v[j].depth &&
	    !is_label_line(&ls->v[j + 1], &f)) {
		n = parser_line_content(&ls->v[j + 1], &nl);
		nl = trim_right(n, nl);
	}
	for (on = len; on > 0; on--)
		if (on + 4 <= len && c[on] == ' ' &&
		    on_word(c + on + 1, len - on - 1) &&
		    looks_dated(c + on + 4, len - on - 4))
			break;
	if (on > 0) {
		g_autoptr(GString) date =
		    g_string_new_len(c + on + 4, (gssize)(len - on - 4));

		set_value(b, FIELD_FROM, c, on);
		/* a wrapped line leaves "04:55 PM" on the next */
		if (n != NULL && date_tail(n, nl)) {
			g_string_append_c(date, ' ');
			g_string_append_len(date, n, (gssize)nl);
			j++;
		}
		set_value(b, FIELD_DATE, date->str, date->len);
		return j + 1;
	}
	if (n == NULL || !looks_dated(n, nl) || nl > 64)
		return j;
	/* "WHO" / "on DATE": the line was wrapped before "on" */
	if (nl > 3 && on_word(n, nl)) {
		n += 3;
		nl -= 3;
	}
	set_value(b, FIELD_FROM, c, len);
	set_value(b, FIELD_DATE, n, nl);
	return j + 2;
}

/* next_is_label - the next non-blank line within two is a label for a
 * field not seen yet */
static gboolean
next_is_label(const Lines *ls, guint j, const Block *b)
{
	FieldKind f;

	for (guint k = 0; k < 3 && j + k < ls->n; k++) {
		const Line *l = &ls->v[j + k];

		if (l->depth != b->depth)
			return FALSE;
		if (!parser_line_blank(l))
			return is_label_line(l, &f) && !(b->seen & BIT(f));
	}
	return FALSE;
}

/* continues - a line that carries on the value of field f */
static gboolean
continues(
    const Block *b, FieldKind f, gboolean pending, const char *c, gsize len)
{
	const char *v = b->value[f];
	gsize vl = v != NULL ? strlen(v) : 0;

	if (pending)
		return TRUE;
	if (len > 0 && (c[0] == ' ' || c[0] == '\t'))
		return TRUE;
	return f != FIELD_SUBJECT && vl > 0 && v[vl - 1] == ',';
}

/* append - a continuation line joins the value (pending: it is the
 * value of a label alone on its line) */
static void
append(Block *b, FieldKind f, const char *c, gsize len)
{
	g_autofree char *t = parser_text_trim(c, len);
	g_autofree char *old = g_steal_pointer(&b->value[f]);

	b->seen &= ~BIT(f);
	if (old == NULL || *old == '\0') {
		set_value(b, f, t, strlen(t));
	} else {
		g_autofree char *j = g_strconcat(old, " ", t, NULL);

		set_value(b, f, j, strlen(j));
	}
}

/* fields - the To/cc/Subject lines from j; the first line after them */
static guint
fields(const Lines *ls, guint j, Block *b)
{
	FieldKind last = FIELD_NONE, f;
	gboolean pending = FALSE;
	guint end = j, i;

	for (i = j; i < ls->n && i - j < SCAN_MAX_BLOCK_LINES; i++) {
		const Line *l = &ls->v[i];
		gsize len, n;
		const char *c = parser_line_content(l, &len);

		if (l->depth != b->depth || len > SCAN_MAX_MARKER_LINE)
			break;
		if (parser_line_blank(l)) {
			if (!next_is_label(ls, i + 1, b))
				break;
			pending = FALSE;
			continue;
		}
		if ((n = notes_label(c, len, &f)) > 0) {
			if (b->seen & BIT(f))
				break;
			set_value(b, f, c + n, trim_right(c, len) - n);
			last = f;
			pending = b->value[f][0] == '\0';
		} else if (last != FIELD_NONE &&
			   continues(b, last, pending, c, len)) {
			append(b, last, c, len);
			pending = FALSE;
		} else {
			break;
		}
		end = i + 1;
	}
	return end;
}

/* left_cell - text of the memo table's left column: the sender first,
 * then the date */
static void
left_cell(Block *b, const char *c, gsize len)
{
	if (len == 0)
		return;
	if (!(b->seen & BIT(FIELD_FROM)))
		set_value(b, FIELD_FROM, c, len);
	else if (!(b->seen & BIT(FIELD_DATE)) && looks_dated(c, len))
		set_value(b, FIELD_DATE, c, len);
}

/* table_line - one line of Notes' memo header table as text, its cells
 * between tabs: [sender or date] TAB label TAB value; FALSE when the
 * line has no label cell */
static gboolean
table_line(Block *b, const char *c, gsize len, FieldKind *last)
{
	gsize cell = 0, i = 0, lab_end = 0;
	FieldKind f = FIELD_NONE;

	while (i <= len) {
		gsize e = i, a = i, z;

		while (e < len && c[e] != '\t')
			e++;
		z = trim_right(c + a, e - a) + a;
		a = parser_skip_blanks(c, z, a);
		if (f == FIELD_NONE && a < z &&
		    notes_label(c + a, z - a, &f) == z - a) {
			lab_end = e;
			break;
		}
		f = FIELD_NONE;
		cell = e;
		i = e + 1;
	}
	if (f == FIELD_NONE)
		return FALSE;
	{
		gsize z = trim_right(c, cell), a = parser_skip_blanks(c, z, 0);

		left_cell(b, c + a, z - a);
	}
	if (!(b->seen & BIT(f)))
		set_value(b, f, c + lab_end, len - lab_end);
	*last = f;
	return TRUE;
}

/* table - Notes' memo header table written as text with tabs between
 * the cells (sender and date on the left of To, cc and Subject); the
 * first line after it, or start when it is no such table */
static guint
table(const Lines *ls, guint start, Block *b)
{
	FieldKind last = FIELD_NONE;
	guint i;

	for (i = start; i < ls->n && i - start < SCAN_MAX_BLOCK_LINES; i++) {
		const Line *l = &ls->v[i];
		gsize len;
		const char *c = parser_line_content(l, &len);

		if (l->depth != b->depth || parser_line_blank(l) ||
		    len > SCAN_MAX_MARKER_LINE || memchr(c, '\t', len) == NULL)
			break;
		if (table_line(b, c, len, &last))
			continue;
		if (last == FIELD_NONE)
			break;
		if (c[0] == '\t')
			append(b, last, c, len);
		else
			left_cell(b, c, trim_right(c, len));
	}
	return (b->seen & (BIT(FIELD_TO) | BIT(FIELD_SUBJECT))) ? i : start;
}

/* parser_notes_block - the sender, date and fields under a Notes
 * separator, from line `start` on (blank lines skipped) */
gboolean
parser_notes_block(const Lines *ls, guint start, Block *b)
{
	guint j = start, k;
	FieldKind f = FIELD_NONE;

	memset(b, 0, sizeof(*b));
	for (k = 0;
	     k < BLANKS_BEFORE && j < ls->n && parser_line_blank(&ls->v[j]);
	     k++)
		j++;
	if (j >= ls->n || ls->v[j].len > SCAN_MAX_MARKER_LINE)
		return FALSE;
	b->start = j;
	b->depth = ls->v[j].depth;
	if ((k = table(ls, j, b)) > j) {
		b->end = k;
		return TRUE;
	}
	parser_block_clear(b);
	b->start = j;
	b->depth = ls->v[j].depth;
	/* Notes 8.5 and later: "From:" over its value like every field */
	k = is_label_line(&ls->v[j], &f) ? j : sender(ls, j, b);
	if (k == j && f == FIELD_NONE) {
		parser_block_clear(b);
		return FALSE;
	}
	for (j = k;
	     j < ls->n && j < k + BLANKS_BEFORE && parser_line_blank(&ls->v[j]);
	     j++)
		;
	b->end = fields(ls, j, b);
	if (!(b->seen & (BIT(FIELD_TO) | BIT(FIELD_SUBJECT)))) {
		parser_block_clear(b);
		return FALSE;
	}
	return TRUE;
}
