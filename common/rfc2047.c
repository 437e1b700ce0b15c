/*
 * rfc2047.c - header text in and out of RFC 2047 encoded words
 *
 * The decoder is one left-to-right scan of the unfolded value: a
 * candidate word starts at "=?" and ends at the third '?' after it, so
 * no byte is looked at by more than a few candidates and the work is
 * linear. Words are decoded to bytes one by one; bytes of adjacent words
 * of one charset wait in a group and are converted together.
 *
 * The encoder never relies on a reader joining words well: a word holds
 * whole characters, and only the value's last B word may end in '='
 * padding (GMime 3.2.13 drops what follows padding in a run of words).
 *
 * Trust: raw values are untrusted bytes; every output is bounded by a
 * small multiple of the input. No I/O, no globals.
 */
#include "config.h"

#include <string.h>

#include "common/rfc2047.h"

#define CHARSET_MAX 64    /* characters of a charset name (and language) */
#define B_OVERHEAD 12     /* "=?UTF-8?B?" and "?=" */
#define WORD_MIN 20       /* the least room worth starting a word in */
#define WORD_SHORT 40     /* less room than this: fold first */
#define WORD_MAX_CHARS 75 /* RFC 2047 2: an encoded word's length */

typedef struct {
	const char *cs; /* the charset name, without any language */
	gsize cs_len;
	char enc;         /* 'B' or 'Q' */
	const char *text; /* the encoded text */
	gsize text_len;
	gsize end; /* offset just past "?=" */
} Word;

typedef struct {
	GString *out;    /* the decoded value, or the recoded raw value */
	gboolean recode; /* rfc2047_recode(): runs become one UTF-8 word */
	gboolean in_run; /* the last thing read was an encoded word */
	GString *run;    /* recode: the run's text so far, UTF-8 */
	GString *group;  /* bytes of the current charset group */
	char cs[CHARSET_MAX + 1]; /* the group's charset */
	GString *literal; /* decode: raw literal bytes not yet converted */
} Scan;

static const struct {
	const char *label, *iconv;
} aliases[] = {
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "x-gbk", "GBK" },
	{ "gb2312", "GB18030" },
	{ "x-euc-jp", "EUC-JP" },
	{ "unicode-1-1-utf-7", "UTF-7" },
};

/* is_wsp - a space or a tab */
static gboolean
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* is_cs_char - a character of a charset or language name */
static gboolean
is_cs_char(char c)
{
	return g_ascii_isalnum(c) ||
	       (c != '\0' && strchr("-_.:+!#$%&'^`{|}~", c) != NULL);
}

/* b64_value - the value of a base64 character, or -1 */
static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* parse_word - whether an encoded word starts at u[i]; its parts in *w */
static gboolean
parse_word(const char *u, gsize n, gsize i, Word *w)
{
	gsize j = i + 2, k;

	if (i + 1 >= n || u[i] != '=' || u[i + 1] != '?')
		return FALSE;
	while (
	    j < n && j - i - 2 < CHARSET_MAX && is_cs_char(u[j]) && u[j] != '*')
		j++;
	w->cs = u + i + 2;
	w->cs_len = j - i - 2;
	if (w->cs_len == 0)
		return FALSE;
	if (j < n && u[j] == '*') { /* RFC 2231 language: ignored */
		k = j + 1;
		while (k < n && k - j < CHARSET_MAX && is_cs_char(u[k]))
			k++;
		j = k;
	}
	if (j + 2 >= n || u[j] != '?' || u[j + 2] != '?')
		return FALSE;
	w->enc = g_ascii_toupper(u[j + 1]);
	if (w->enc != 'B' && w->enc != 'Q')
		return FALSE;
	k = j + 3;
	w->text = u + k;
	while (k < n && u[k] != '?' && u[k] > ' ' && u[k] < 0x7f)
		k++;
	if (k + 1 >= n || u[k] != '?' || u[k + 1] != '=')
		return FALSE;
	w->text_len = (gsize)(u + k - w->text);
	w->end = k + 2;
	return TRUE;
}

/* decode_b - append a B word's bytes; FALSE when it is not base64 */
static gboolean
decode_b(const char *t, gsize len, GString *bytes)
{
	guint32 acc = 0;
	guint nbits = 0;
	gsize i = 0;

	for (; i < len && t[i] != '='; i++) {
		int v = b64_value(t[i]);

		if (v < 0)
			return FALSE;
		acc = (acc << 6) | (guint32)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			g_string_append_c(bytes, (char)((acc >> nbits) & 0xff));
		}
	}
	for (; i < len; i++) { /* only padding after the first '=' */
		if (t[i] != '=')
			return FALSE;
	}
	return TRUE;
}

/* decode_q - append a Q word's bytes ('_' a space, "=XX" a byte) */
static void
decode_q(const char *t, gsize len, GString *bytes)
{
	for (gsize i = 0; i < len; i++) {
		if (t[i] == '_') {
			g_string_append_c(bytes, ' ');
		} else if (t[i] == '=' && i + 2 < len &&
			   g_ascii_isxdigit(t[i + 1]) &&
			   g_ascii_isxdigit(t[i + 2])) {
			g_string_append_c(
			    bytes, (char)(g_ascii_xdigit_value(t[i + 1]) * 16 +
					  g_ascii_xdigit_value(t[i + 2])));
			i += 2;
		} else {
			g_string_append_c(bytes, t[i]);
		}
	}
}

/* word_bytes - a word's bytes in *bytes (reset first); FALSE if broken */
static gboolean
word_bytes(const Word *w, GString *bytes)
{
	g_string_truncate(bytes, 0);
	if (w->enc == 'B')
		return decode_b(w->text, w->text_len, bytes);
	decode_q(w->text, w->text_len, bytes);
	return TRUE;
}

/* append_no_nul - append UTF-8 text without its NUL characters */
static void
append_no_nul(GString *out, const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (s[i] != '\0')
			g_string_append_c(out, s[i]);
	}
}

/* try_convert - append bytes converted from charset; FALSE on failure */
static gboolean
try_convert(GString *out, const char *b, gsize len, const char *charset)
{
	gsize written = 0;
	g_autofree char *s =
	    g_convert(b, (gssize)len, "UTF-8", charset, NULL, &written, NULL);

	if (s == NULL || !g_utf8_validate(s, (gssize)written, NULL))
		return FALSE;
	append_no_nul(out, s, written);
	return TRUE;
}

/* append_fallback - bytes of no known charset: UTF-8 when they are,
 * else windows-1252, else ISO-8859-1 (which reads any byte) */
static void
append_fallback(GString *out, const char *b, gsize len)
{
	if (g_utf8_validate(b, (gssize)len, NULL)) {
		append_no_nul(out, b, len);
		return;
	}
	if (!try_convert(out, b, len, "WINDOWS-1252"))
		(void)try_convert(out, b, len, "ISO-8859-1");
}

/* is_utf8_label - a charset label meaning UTF-8 or its ASCII subset */
static gboolean
is_utf8_label(const char *cs)
{
	return g_ascii_strcasecmp(cs, "utf-8") == 0 ||
	       g_ascii_strcasecmp(cs, "utf8") == 0 ||
	       g_ascii_strcasecmp(cs, "us-ascii") == 0 ||
	       g_ascii_strcasecmp(cs, "ascii") == 0;
}

/* append_converted - bytes in charset cs appended as UTF-8 */
static void
append_converted(GString *out, const char *cs, const char *b, gsize len)
{
	const char *name = cs;

	if (len == 0)
		return;
	if (is_utf8_label(cs)) {
		g_autoptr(GString) bytes = g_string_sized_new(len + 1);
		g_autofree char *valid = NULL;

		append_no_nul(bytes, b, len);
		valid = g_utf8_make_valid(bytes->str, (gssize)bytes->len);
		g_string_append(out, valid);
		return;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(aliases); i++) {
		if (g_ascii_strcasecmp(cs, aliases[i].label) == 0)
			name = aliases[i].iconv;
	}
	if (!try_convert(out, b, len, name))
		append_fallback(out, b, len);
}

/* flush_group - convert the charset group into the run or the output */
static void
flush_group(Scan *s)
{
	append_converted(
	    s->recode ? s->run : s->out, s->cs, s->group->str, s->group->len);
	g_string_truncate(s->group, 0);
}

/* flush_literal - convert pending literal bytes into the output */
static void
flush_literal(Scan *s)
{
	if (s->literal->len > 0)
		append_fallback(s->out, s->literal->str, s->literal->len);
	g_string_truncate(s->literal, 0);
}

/* end_run - the run of encoded words is over: write what it holds */
static void
end_run(Scan *s)
{
	if (!s->in_run)
		return;
	flush_group(s);
	if (s->recode && s->run->len > 0) {
		g_autofree char *b64 =
		    g_base64_encode((const guchar *)s->run->str, s->run->len);

		g_string_append_printf(s->out, "=?UTF-8?B?%s?=", b64);
		g_string_truncate(s->run, 0);
	}
	s->in_run = FALSE;
}

/* add_word - a decoded word joins the run (and its charset group) */
static void
add_word(Scan *s, const Word *w, GString *bytes)
{
	gsize cs_len = MIN(w->cs_len, (gsize)CHARSET_MAX);

	if (!s->in_run)
		flush_literal(s);
	if (!s->in_run || strlen(s->cs) != cs_len ||
	    g_ascii_strncasecmp(s->cs, w->cs, cs_len) != 0) {
		if (s->in_run)
			flush_group(s);
		memcpy(s->cs, w->cs, cs_len);
		s->cs[cs_len] = '\0';
	}
	g_string_append_len(s->group, bytes->str, (gssize)bytes->len);
	s->in_run = TRUE;
}

/* try_word - decode a word at u[i] into the run; FALSE if there is none */
static gboolean
try_word(Scan *s, const char *u, gsize n, gsize i, gsize *end)
{
	Word w;
	g_autoptr(GString) bytes = NULL;

	if (!parse_word(u, n, i, &w))
		return FALSE;
	bytes = g_string_new(NULL);
	if (!word_bytes(&w, bytes))
		return FALSE;
	add_word(s, &w, bytes);
	*end = w.end;
	return TRUE;
}

/* unfold - the value without CR and LF, at most RFC2047_INPUT_MAX bytes */
static GString *
unfold(const char *raw)
{
	GString *u = g_string_new(NULL);

	for (gsize i = 0; i < RFC2047_INPUT_MAX && raw[i] != '\0'; i++) {
		if (raw[i] != '\r' && raw[i] != '\n')
			g_string_append_c(u, raw[i]);
	}
	return u;
}

/* scan - read the unfolded value u into s->out */
static void
scan(Scan *s, const char *u, gsize n)
{
	gsize i = 0, end = 0;

	while (i < n) {
		if (try_word(s, u, n, i, &end)) {
			i = end;
			continue;
		}
		if (s->in_run && is_wsp(u[i])) {
			gsize j = i;

			while (j < n && is_wsp(u[j]))
				j++;
			if (j < n && try_word(s, u, n, j, &end)) {
				i = end; /* RFC 2047 6.2: the space goes */
				continue;
			}
		}
		end_run(s);
		if (s->recode)
			g_string_append_c(s->out, u[i]);
		else
			g_string_append_c(s->literal, u[i]);
		i++;
	}
	end_run(s);
	flush_literal(s);
}

/* run_scan - decode (or recode) raw; the result is new */
static char *
run_scan(const char *raw, gboolean recode)
{
	g_autoptr(GString) u = unfold(raw);
	g_autoptr(GString) run = g_string_new(NULL);
	g_autoptr(GString) group = g_string_new(NULL);
	g_autoptr(GString) literal = g_string_new(NULL);
	Scan s = { .out = g_string_sized_new(u->len + 1),
		.recode = recode,
		.run = run,
		.group = group,
		.literal = literal };

	scan(&s, u->str, u->len);
	return g_string_free(s.out, FALSE);
}

/* rfc2047_decode - a raw header value as text (transfer full) */
char *
rfc2047_decode(const char *raw)
{
	char *s;

	if (raw == NULL)
		return NULL;
	s = run_scan(raw, FALSE);
	return g_strstrip(s);
}

/* rfc2047_recode - raw with each run of words as one UTF-8 word */
char *
rfc2047_recode(const char *raw)
{
	if (raw == NULL)
		return NULL;
	return run_scan(raw, TRUE);
}

/* ---- the encoder ------------------------------------------------------ */

typedef struct {
	GString *s;
	gsize col;      /* characters on the current line */
	gboolean first; /* nothing written yet */
} Fold;

/* fold_init - a folder for a value following "NAME: " */
static void
fold_init(Fold *f, const char *name)
{
	f->s = g_string_new(NULL);
	f->col = strlen(name) + 2;
	f->first = TRUE;
}

/* fold_room - characters a unit can take on this line after its space */
static gsize
fold_room(const Fold *f)
{
	gsize used = f->col + (f->first ? 0 : 1);

	return used < RFC2047_LINE_MAX ? RFC2047_LINE_MAX - used : 0;
}

/* fold_put - append a unit after a space, or on a new line */
static void
fold_put(Fold *f, const char *unit, gsize len)
{
	if (!f->first) {
		if (f->col + 1 + len > RFC2047_LINE_MAX) {
			g_string_append(f->s, "\n ");
			f->col = 1;
		} else {
			g_string_append_c(f->s, ' ');
			f->col++;
		}
	}
	g_string_append_len(f->s, unit, (gssize)len);
	f->col += len;
	f->first = FALSE;
}

/* q_safe - a byte a Q word may carry as itself, in a phrase too */
static gboolean
q_safe(guchar c)
{
	return g_ascii_isalnum(c) || (c != '\0' && strchr("!*+-/", c) != NULL);
}

/* q_len - the Q-encoded length of n bytes */
static gsize
q_len(const char *p, gsize n)
{
	gsize len = 0;

	for (gsize i = 0; i < n; i++)
		len += q_safe((guchar)p[i]) || p[i] == ' ' ? 1 : 3;
	return len;
}

/* q_word - "=?UTF-8?Q?...?=" for n bytes */
static char *
q_word(const char *p, gsize n)
{
	GString *w = g_string_new("=?UTF-8?Q?");

	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)p[i];

		if (c == ' ')
			g_string_append_c(w, '_');
		else if (q_safe(c))
			g_string_append_c(w, (char)c);
		else
			g_string_append_printf(w, "=%02X", c);
	}
	g_string_append(w, "?=");
	return g_string_free(w, FALSE);
}

/* b_word - "=?UTF-8?B?...?=" for n bytes */
static char *
b_word(const char *p, gsize n)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)p, n);

	return g_strdup_printf("=?UTF-8?B?%s?=", b64);
}

/* next_word - the next encoded word of *p that fits room characters:
 * B when its bytes are a multiple of three or the rest of the text, else
 * Q; always at least one character. A word ends after a space when one
 * is near the end: a reader that shows a space between words (Python's
 * address parser does) then splits no word of the text */
static char *
next_word(const char **p, gsize room)
{
	gsize max_b = room > B_OVERHEAD ? (room - B_OVERHEAD) / 4 * 3 : 0;
	gsize len = 0, best3 = 0, space3 = 0, q = 0;
	const char *s = *p;

	while (s[len] != '\0') {
		gsize c = (gsize)(g_utf8_next_char(s + len) - (s + len));

		if (len + c > max_b)
			break;
		len += c;
		if (len % 3 == 0)
			best3 = len;
		if (len % 3 == 0 && s[len - 1] == ' ')
			space3 = len;
	}
	if (len > 0 && s[len] == '\0') {
		*p = s + len;
		return b_word(s, len);
	}
	if (space3 >= max_b / 2)
		best3 = space3;
	if (best3 > 0) {
		*p = s + best3;
		return b_word(s, best3);
	}
	len = 0;
	while (s[len] != '\0') {
		gsize c = (gsize)(g_utf8_next_char(s + len) - (s + len));

		q += q_len(s + len, c);
		if (len > 0 && q + B_OVERHEAD > room)
			break;
		len += c;
	}
	*p = s + len;
	return q_word(s, len);
}

/* put_words - text as encoded words, each sized to its line */
static void
put_words(Fold *f, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		gsize room = fold_room(f);
		g_autofree char *w = NULL;

		if (room < WORD_SHORT && !f->first)
			room =
			    RFC2047_LINE_MAX - 1; /* a new line: fewer cuts */
		if (room < WORD_MIN)
			room = WORD_MIN;
		room = MIN(room, (gsize)WORD_MAX_CHARS);
		w = next_word(&p, room);
		fold_put(f, w, strlen(w));
	}
}

/* plain_ok - printable ASCII, no "=?", single spaces inside, no word
 * longer than a line: text that can go out as it is */
static gboolean
plain_ok(const char *text, gsize first_room)
{
	gsize word = 0;

	if (*text == ' ' || strstr(text, "=?") != NULL)
		return FALSE;
	for (const char *p = text; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return FALSE;
		if (*p != ' ') {
			word++;
			continue;
		}
		if (p[1] == ' ' || p[1] == '\0')
			return FALSE;
		if (word > first_room)
			return FALSE;
		word = 0;
		first_room = RFC2047_LINE_MAX - 1;
	}
	return word <= first_room;
}

/* put_plain - ASCII text folded at its spaces */
static void
put_plain(Fold *f, const char *text)
{
	g_auto(GStrv) words = g_strsplit(text, " ", -1);

	for (guint i = 0; words[i] != NULL; i++)
		fold_put(f, words[i], strlen(words[i]));
}

/* rfc2047_encode_text - an unstructured value, folded (transfer full) */
char *
rfc2047_encode_text(const char *name, const char *utf8)
{
	Fold f;

	g_return_val_if_fail(name != NULL && utf8 != NULL, NULL);
	g_return_val_if_fail(g_utf8_validate(utf8, -1, NULL), NULL);
	fold_init(&f, name);
	if (plain_ok(utf8, fold_room(&f)))
		put_plain(&f, utf8);
	else
		put_words(&f, utf8);
	return g_string_free(f.s, FALSE);
}

/* is_atext - RFC 5322 atext */
static gboolean
is_atext(char c)
{
	return g_ascii_isalnum(c) ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* quoted - name as a quoted string, or NULL when it is not plain ASCII */
static char *
quoted(const char *name)
{
	GString *q = g_string_new("\"");

	for (const char *p = name; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			g_string_free(q, TRUE);
			return NULL;
		}
		if (*p == '"' || *p == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *p);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

/* all_atext - atoms separated by single spaces */
static gboolean
all_atext(const char *name)
{
	if (*name == ' ')
		return FALSE;
	for (const char *p = name; *p; p++) {
		if (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
			return FALSE;
		if (*p != ' ' && !is_atext(*p))
			return FALSE;
	}
	return TRUE;
}

/* fits - whether a unit of len characters fits a line: this one when
 * it is the first unit (no fold before it), else a new one */
static gboolean
fits(const Fold *f, gsize len)
{
	return len <= (f->first ? fold_room(f) : RFC2047_LINE_MAX - 1);
}

/* put_phrase - a display name: atoms or a quoted string on one line,
 * else encoded words */
static void
put_phrase(Fold *f, const char *name)
{
	g_autofree char *q = NULL;

	if (strstr(name, "=?") != NULL) {
		put_words(f, name);
		return;
	}
	if (all_atext(name) && fits(f, strlen(name))) {
		fold_put(f, name, strlen(name)); /* GMime keeps a fold's LF */
		return;
	}
	q = quoted(name);
	if (q != NULL && fits(f, strlen(q))) {
		fold_put(f, q, strlen(q));
		return;
	}
	put_words(f, name);
}

/* rfc2047_encode_mailboxes - an address list, folded (transfer full) */
char *
rfc2047_encode_mailboxes(const char *name, const Rfc2047Mailbox *boxes, gsize n)
{
	Fold f;

	g_return_val_if_fail(name != NULL && (boxes != NULL || n == 0), NULL);
	for (gsize i = 0; i < n; i++) {
		g_return_val_if_fail(boxes[i].addr != NULL, NULL);
		g_return_val_if_fail(
		    boxes[i].name == NULL ||
			g_utf8_validate(boxes[i].name, -1, NULL),
		    NULL);
	}
	fold_init(&f, name);
	for (gsize i = 0; i < n; i++) {
		const char *sep = i + 1 < n ? "," : "";
		g_autofree char *addr = NULL;

		if (boxes[i].name == NULL || *boxes[i].name == '\0') {
			addr = g_strdup_printf("%s%s", boxes[i].addr, sep);
		} else {
			put_phrase(&f, boxes[i].name);
			addr = g_strdup_printf("<%s>%s", boxes[i].addr, sep);
		}
		fold_put(&f, addr, strlen(addr));
	}
	return g_string_free(f.s, FALSE);
}
