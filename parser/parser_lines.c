/*
 * parser_lines.c - prepared text, lines with quote depth, body and note
 *
 * Everything the finder reads goes through parser_text_prepare() first,
 * so scanners downstream see valid UTF-8 with LF line ends only. The
 * body and note builders implement the contract's hygiene rules: quote
 * markers and forward indentation removed, trailing spaces dropped,
 * trimmed; the note ends at a "-- " signature delimiter.
 */
#include "config.h"

#include <string.h>

#include "common/util.h"
#include "parser/parser_scan.h"

/* is_blank_byte - space, tab or line feed */
static gboolean
is_blank_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* parser_text_trim - copy of s without surrounding blanks */
char *
parser_text_trim(const char *s, gsize len)
{
	while (len > 0 && is_blank_byte(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_blank_byte(s[len - 1]))
		len--;
	return g_strndup(s, len);
}

/* safe_ascii - a byte util_text_clean() would keep as it is */
static gboolean
safe_ascii(char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t';
}

/* ascii_run - end of the run of safe_ascii() bytes from j: eight bytes
 * at a time while none is a control, DEL or non-ASCII (a byte under
 * 0x20 borrows into its top bit, 0x7f carries into it, non-ASCII has
 * it), then byte by byte (tabs and line ends) */
static gsize
ascii_run(const char *s, gsize j, gsize len)
{
	const guint64 ones = 0x0101010101010101ull;
	const guint64 tops = 0x8080808080808080ull;

	while (j + 8 <= len) {
		guint64 x;

		memcpy(&x, s + j, 8);
		if (((x - 0x20 * ones) | x | (x + ones)) & tops)
			break;
		j += 8;
	}
	while (j < len && safe_ascii(s[j]))
		j++;
	return j;
}

/* joining_letter - a letter or mark of a script whose letters join
 * (Arabic, Persian, Indic ...): anything past Latin and its marks */
static gboolean
joining_letter(gunichar c)
{
	GUnicodeType t;

	if (c < 0x0370)
		return FALSE;
	t = g_unichar_type(c);
	return g_unichar_isalpha(c) || t == G_UNICODE_NON_SPACING_MARK ||
	       t == G_UNICODE_SPACING_MARK;
}

/* joiner_kept - ZWNJ/ZWJ c between the last character of out and the
 * character at p: kept inside a word of a joining script, where it
 * changes the word (Persian "می‌خواهم"); dropped anywhere else */
static gboolean
joiner_kept(const GString *out, const char *p, const char *end)
{
	const char *prev;
	gunichar next;

	if (out->len == 0 || p >= end)
		return FALSE;
	prev = g_utf8_find_prev_char(out->str, out->str + out->len);
	if (prev == NULL || !joining_letter(g_utf8_get_char(prev)))
		return FALSE;
	next = g_utf8_get_char_validated(p, end - p);
	return next != (gunichar)-1 && next != (gunichar)-2 &&
	       joining_letter(next);
}

/* append_other - a run of non-ASCII or control bytes, cleaned as
 * util_text_clean() cleans (a bad byte becomes U+FFFD; controls,
 * invisible characters and NUL go) except for joiners inside words
 * (joiner_kept()), with no-break, narrow no-break and figure spaces
 * made plain spaces; written straight into out, as this runs for every
 * accented letter of every text part */
static void
append_other(GString *out, const char *s, gsize len)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		gunichar c;

		if (*p == '\0') {
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_unichar(out, 0xfffd);
			p++;
			continue;
		}
		if (c == 0x00a0 || c == 0x202f || c == 0x2007)
			g_string_append_c(out, ' ');
		else if ((c == 0x200c || c == 0x200d) &&
			 joiner_kept(out, g_utf8_next_char(p), end))
			g_string_append_len(out, p, 3);
		else if (!util_is_invisible(c))
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
}

/* parser_text_prepare - clean UTF-8, LF only, no-break spaces plain.
 * Printable ASCII is copied as it is (util_text_clean() would keep it);
 * every other run of bytes is cleaned as util_text_clean() cleans it.
 * A multi-byte UTF-8 character holds no ASCII byte, so no run splits
 * one. */
char *
parser_text_prepare(const char *raw, gssize slen)
{
	GString *out;
	gsize len, i = 0;

	/* an empty part's buffer may be NULL: the text is just empty */
	if (raw == NULL)
		return g_strdup("");
	len = slen < 0 ? strlen(raw) : (gsize)slen;
	out = g_string_sized_new(len + 1);
	while (i < len) {
		gsize j = i;

		j = ascii_run(raw, j, len);
		g_string_append_len(out, raw + i, (gssize)(j - i));
		if (j >= len)
			break;
		if (raw[j] == '\r') {
			/* CRLF and a lone CR both end a line */
			g_string_append_c(out, '\n');
			i = j + 1 < len && raw[j + 1] == '\n' ? j + 2 : j + 1;
			continue;
		}
		for (i = j; i < len && !safe_ascii(raw[i]) && raw[i] != '\r';)
			i++;
		append_other(out, raw + j, i - j);
	}
	return g_string_free(out, FALSE);
}

/* parser_header_clean - a header value as one line: prepared as
 * parser_text_prepare() prepares text (joiners inside words kept, which
 * util_header_safe() would drop), white space runs made one space,
 * trimmed; NULL for NULL */
char *
parser_header_clean(const char *text)
{
	g_autofree char *t = NULL;
	GString *out;
	gboolean space = FALSE;

	if (text == NULL)
		return NULL;
	t = parser_text_prepare(text, -1);
	out = g_string_sized_new(strlen(t));
	for (const char *p = t; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isspace(c)) {
			space = out->len > 0;
			continue;
		}
		if (space) {
			g_string_append_c(out, ' ');
			space = FALSE;
		}
		g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	return g_string_free(out, FALSE);
}

/* quote_prefix - bytes of the first `levels` '>' markers (with a space) */
static gsize
quote_prefix(const char *s, gsize len, guint levels, guint *found)
{
	gsize i = 0;
	guint d = 0;

	while (i < len && d < levels && s[i] == '>') {
		d++;
		i++;
		if (i < len && s[i] == ' ')
			i++;
	}
	if (found != NULL)
		*found = d;
	return i;
}

/* parser_lines_new - split prepared text into lines with quote depth */
Lines *
parser_lines_new(const char *text)
{
	return parser_lines_new_len(text, text != NULL ? strlen(text) : 0);
}

/* parser_lines_new_len - the same for len bytes of prepared text */
Lines *
parser_lines_new_len(const char *text, gsize len)
{
	Lines *ls = g_new0(Lines, 1);
	guint n = 1, i = 0;
	const char *p, *end;

	ls->text = g_strndup(text != NULL ? text : "", len);
	len = strlen(ls->text);
	end = ls->text + len;
	for (p = ls->text; (p = memchr(p, '\n', (gsize)(end - p))) != NULL; p++)
		n++;
	ls->v = g_new0(Line, n);
	for (p = ls->text;;) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		Line *l = &ls->v[i++];

		l->s = p;
		l->len = (gsize)((nl != NULL ? nl : end) - p);
		l->qlen = quote_prefix(l->s, l->len, G_MAXUINT, &l->depth);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	ls->n = i;
	return ls;
}

/* parser_lines_free - free lines and their text; NULL is fine */
void
parser_lines_free(Lines *ls)
{
	if (ls == NULL)
		return;
	g_free(ls->v);
	g_free(ls->text);
	g_free(ls);
}

/* parser_line_content - the line after its quote markers */
const char *
parser_line_content(const Line *l, gsize *len)
{
	*len = l->len - l->qlen;
	return l->s + l->qlen;
}

/* parser_line_blank - nothing but quote markers and blanks */
gboolean
parser_line_blank(const Line *l)
{
	for (gsize i = l->qlen; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return FALSE;
	return TRUE;
}

/* parser_has_clock - s[0, len) holds "H:MM": a date line, not a name
 * or a subject */
gboolean
parser_has_clock(const char *s, gsize len)
{
	for (gsize i = 1; i + 2 < len; i++)
		if (s[i] == ':' && g_ascii_isdigit(s[i - 1]) &&
		    g_ascii_isdigit(s[i + 1]) && g_ascii_isdigit(s[i + 2]))
			return TRUE;
	return FALSE;
}

/* body_strip_level - quote levels to remove from a body's lines */
static guint
body_strip_level(const Lines *ls, guint from, guint to, guint depth)
{
	guint min = G_MAXUINT;

	for (guint i = from; i < to; i++)
		if (!parser_line_blank(&ls->v[i]) && ls->v[i].depth < min)
			min = ls->v[i].depth;
	if (min == G_MAXUINT)
		return depth;
	return MAX(depth, min);
}

/* indented_by_four - every non-blank line starts with four spaces */
static gboolean
indented_by_four(GPtrArray *lines)
{
	gboolean any = FALSE;

	for (guint i = 0; i < lines->len; i++) {
		const char *s = g_ptr_array_index(lines, i);

		if (*s == '\0')
			continue;
		if (strncmp(s, "    ", 4) != 0)
			return FALSE;
		any = TRUE;
	}
	return any;
}

/* rtrim_copy - copy of s[0, len) without trailing blanks */
static char *
rtrim_copy(const char *s, gsize len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return g_strndup(s, len);
}

/* parser_lines_body - lines [from, to) de-quoted, de-indented, trimmed */
char *
parser_lines_body(const Lines *ls, guint from, guint to, guint depth)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	GString *out;
	guint strip;
	gsize skip;

	to = MIN(to, ls->n);
	if (from >= to)
		return g_strdup("");
	strip = body_strip_level(ls, from, to, depth);
	for (guint i = from; i < to; i++) {
		const Line *l = &ls->v[i];
		gsize q = quote_prefix(l->s, l->len, strip, NULL);

		g_ptr_array_add(lines, rtrim_copy(l->s + q, l->len - q));
	}
	skip = indented_by_four(lines) ? 4 : 0;
	out = g_string_new(NULL);
	for (guint i = 0; i < lines->len; i++) {
		const char *s = g_ptr_array_index(lines, i);

		if (i > 0)
			g_string_append_c(out, '\n');
		g_string_append(out, *s != '\0' ? s + skip : s);
	}
	{
		char *trimmed = parser_text_trim(out->str, out->len);

		g_string_free(out, TRUE);
		return trimmed;
	}
}

/* Lines mail clients add under the member's words: the note ends there,
 * as it does at "-- ". Compared without case at the start of a line. */
static const char *const client_signatures[] = {
	"Sent from my ",
	"Sent from Mail for ",
	"Sent from Outlook",
	"Sent from Yahoo Mail",
	"Sent from Proton Mail",
	"Sent from ProtonMail",
	"Sent with Proton Mail",
	"Sent from Gmail",
	"Get Outlook for ",
	"Outlook für iOS",
	"Outlook für Android",
	"Obtenir Outlook pour ",
	"Télécharger Outlook pour ",
	"Obtener Outlook para ",
	"Scarica Outlook per ",
	"Outlook voor iOS",
	"Outlook voor Android",
	"Baixe o Outlook para ",
	"Sent from Samsung ",
	"Отправлено из ",
	"Envoyé de mon ",
	"Envoyé depuis mon ",
	"Von meinem ",
	"Gesendet von meinem ",
	"Enviado desde mi ",
	"Enviado do meu ",
	"Enviado de meu ",
	"Inviato da ",
	"Verstuurd vanaf mijn ",
	"Verzonden vanaf mijn ",
	"Skickat från min ",
	"Sendt fra min ",
	"Lähetetty iPhonesta",
	"Wysłane z mojego ",
	"Odesláno z ",
	"Odoslané z ",
	"Trimis de pe ",
	"iPhone'umdan gönderildi",
	"Отправлено с ",
	"Надіслано з ",
	"Poslano s ",
	"iPhoneから送信",
	"从我的",
	"從我的",
	"发自我的",
	"내 iPhone에서 보냄",
	"Στάλθηκε από ",
};

#define SIGNATURE_MAX 100 /* longer lines are the member's own words */

/* parser_line_signature - "-- " (or "--" once spaces are cut), or a
 * client's "Sent from my iPhone" line */
gboolean
parser_line_signature(const Line *l)
{
	if ((l->len == 3 && memcmp(l->s, "-- ", 3) == 0) ||
	    (l->len == 2 && memcmp(l->s, "--", 2) == 0))
		return TRUE;
	if (l->len > SIGNATURE_MAX || l->depth > 0)
		return FALSE;
	for (gsize k = 0; k < G_N_ELEMENTS(client_signatures); k++)
		if (parser_prefix_ci(l->s, l->len, client_signatures[k]) > 0)
			return TRUE;
	return FALSE;
}

/* parser_lines_note - lines before `to` up to a signature, trimmed */
char *
parser_lines_note(const Lines *ls, guint to)
{
	return parser_lines_note_range(ls, 0, to);
}

/* parser_lines_note_range - lines [from, to) up to a signature, trimmed;
 * NULL when nothing is left */
char *
parser_lines_note_range(const Lines *ls, guint from, guint to)
{
	GString *out = g_string_new(NULL);
	char *note;

	to = MIN(to, ls->n);
	for (guint i = from; i < to; i++) {
		const Line *l = &ls->v[i];
		gsize len = l->len;

		if (parser_line_signature(l))
			break;
		while (
		    len > 0 && (l->s[len - 1] == ' ' || l->s[len - 1] == '\t'))
			len--;
		if (i > from)
			g_string_append_c(out, '\n');
		g_string_append_len(out, l->s, (gssize)len);
	}
	note = parser_text_trim(out->str, out->len);
	g_string_free(out, TRUE);
	if (*note == '\0') {
		g_free(note);
		return NULL;
	}
	return note;
}

/* parser_text_body - whole prepared text as a body: lines right-trimmed */
char *
parser_text_body(const char *text)
{
	Lines *ls = parser_lines_new(text);
	GString *out = g_string_new(NULL);
	char *body;

	for (guint i = 0; i < ls->n; i++) {
		const Line *l = &ls->v[i];
		gsize len = l->len;

		while (
		    len > 0 && (l->s[len - 1] == ' ' || l->s[len - 1] == '\t'))
			len--;
		if (i > 0)
			g_string_append_c(out, '\n');
		g_string_append_len(out, l->s, (gssize)len);
	}
	parser_lines_free(ls);
	body = parser_text_trim(out->str, out->len);
	g_string_free(out, TRUE);
	return body;
}
