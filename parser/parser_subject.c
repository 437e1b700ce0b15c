/*
 * parser_subject.c - subject prefixes: forward, reply, or neither
 *
 * "Fwd:", "FW:", "WG:", "TR:", "RV:", "I:", "VS:", "PD:", "ENC:",
 * "İLT:", "转发:", "轉寄:", "転送:", "전달:", "ΠΡΘ:" ... say forward;
 * "Re:", "AW:", "SV:", "Antw:", "Odp:", "回复:", "ΑΠ:" ... say reply.
 * Leading tags such as "[EXT]" are skipped, counters ("Fwd[2]:") and
 * the full-width colon accepted. The first prefix decides; the rest
 * after the forwarder's own prefixes is the original subject.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_scan.h"

#define CASE 1u /* compare case-sensitively */

typedef struct {
	const char *word;
	SubjectKind kind;
	unsigned flags;
} PrefixRow;

static const PrefixRow prefixes[] = {
	{ "Fwd", SUBJECT_FORWARD, 0 },
	{ "Fw", SUBJECT_FORWARD, 0 },
	{ "WG", SUBJECT_FORWARD, 0 },
	{ "TR", SUBJECT_FORWARD, 0 },
	{ "RV", SUBJECT_FORWARD, 0 },
	{ "I", SUBJECT_FORWARD, CASE },
	{ "VS", SUBJECT_FORWARD, 0 },
	{ "PD", SUBJECT_FORWARD, 0 },
	{ "ENC", SUBJECT_FORWARD, 0 },
	{ "Redir.", SUBJECT_FORWARD, 0 },
	{ "Redir", SUBJECT_FORWARD, 0 },
	{ "VB", SUBJECT_FORWARD, 0 },
	{ "VL", SUBJECT_FORWARD, 0 },
	{ "Videresend", SUBJECT_FORWARD, 0 },
	{ "Vidarebefordra", SUBJECT_FORWARD, 0 },
	{ "İLT", SUBJECT_FORWARD, 0 },
	{ "ILT", SUBJECT_FORWARD, 0 },
	{ "Doorst", SUBJECT_FORWARD, 0 },
	{ "Továbbítás", SUBJECT_FORWARD, 0 },
	{ "Továbbított", SUBJECT_FORWARD, 0 },
	{ "PŘ", SUBJECT_FORWARD, 0 },
	{ "Pr", SUBJECT_FORWARD, CASE },
	{ "PR", SUBJECT_FORWARD, CASE },
	{ "Trs", SUBJECT_FORWARD, 0 },
	{ "Пересл", SUBJECT_FORWARD, 0 },
	{ "Переслать", SUBJECT_FORWARD, 0 },
	{ "ПЕР", SUBJECT_FORWARD, CASE },
	{ "Proslijeđeno", SUBJECT_FORWARD, 0 },
	{ "Edasta", SUBJECT_FORWARD, 0 },
	{ "转发", SUBJECT_FORWARD, 0 },
	{ "转寄", SUBJECT_FORWARD, 0 },
	{ "轉寄", SUBJECT_FORWARD, 0 },
	{ "轉發", SUBJECT_FORWARD, 0 },
	{ "転送", SUBJECT_FORWARD, 0 },
	{ "전달", SUBJECT_FORWARD, 0 },
	{ "ΠΡΘ", SUBJECT_FORWARD, 0 },
	{ "Προώθ", SUBJECT_FORWARD, 0 },
	{ "Προωθ", SUBJECT_FORWARD, 0 },
	{ "Re", SUBJECT_REPLY, 0 },
	{ "AW", SUBJECT_REPLY, 0 },
	{ "SV", SUBJECT_REPLY, 0 },
	{ "Antw", SUBJECT_REPLY, 0 },
	{ "Antwort", SUBJECT_REPLY, 0 },
	{ "Odp", SUBJECT_REPLY, 0 },
	{ "Odg", SUBJECT_REPLY, 0 },
	{ "Vá", SUBJECT_REPLY, 0 },
	{ "RES", SUBJECT_REPLY, 0 },
	{ "RIF", SUBJECT_REPLY, 0 },
	{ "R", SUBJECT_REPLY, CASE },
	{ "Ynt", SUBJECT_REPLY, 0 },
	{ "YNT", SUBJECT_REPLY, 0 },
	{ "Отв", SUBJECT_REPLY, 0 },
	{ "Ответ", SUBJECT_REPLY, 0 },
	{ "Відп", SUBJECT_REPLY, 0 },
	{ "Răsp", SUBJECT_REPLY, 0 },
	{ "Atb", SUBJECT_REPLY, 0 },
	{ "Vs", SUBJECT_FORWARD, CASE },
	{ "回复", SUBJECT_REPLY, 0 },
	{ "回覆", SUBJECT_REPLY, 0 },
	{ "答复", SUBJECT_REPLY, 0 },
	{ "返信", SUBJECT_REPLY, 0 },
	{ "답장", SUBJECT_REPLY, 0 },
	{ "회신", SUBJECT_REPLY, 0 },
	{ "ΑΠ", SUBJECT_REPLY, 0 },
	{ "Απ", SUBJECT_REPLY, 0 },
	/* Thunderbird's mailnews.localizedRe (he, sr/mk, tr; region.properties) */
	{ "השב", SUBJECT_REPLY, 0 },
	{ "Одг", SUBJECT_REPLY, 0 },
	{ "Yan", SUBJECT_REPLY, 0 },
};

/* prefix_counter - bytes of "[2]" or "(2)" after a prefix word */
static gsize
prefix_counter(const char *s, gsize len, gsize i)
{
	gsize j;

	if (i >= len || (s[i] != '[' && s[i] != '('))
		return 0;
	j = i + 1;
	while (j < len && g_ascii_isdigit(s[j]))
		j++;
	if (j == i + 1 || j >= len || (s[j] != ']' && s[j] != ')'))
		return 0;
	return j + 1 - i;
}

/* subject_prefix - bytes of one "Fwd:"-like prefix at s, and its kind */
static gsize
subject_prefix(const char *s, gsize len, SubjectKind *kind)
{
	gsize best = 0;

	for (gsize k = 0; k < G_N_ELEMENTS(prefixes); k++) {
		const PrefixRow *row = &prefixes[k];
		gsize n =
		    parser_prefix_cmp(s, len, row->word, !(row->flags & CASE));
		gsize j, c;

		if (n == 0)
			continue;
		j = n + prefix_counter(s, len, n);
		j = parser_skip_blanks(s, len, j);
		c = parser_colon_at(s, len, j);
		if (c == 0 || j + c <= best)
			continue;
		best = j + c;
		*kind = row->kind;
	}
	return best;
}

/* bracket_tag - bytes of a leading "[EXT]"-like tag, 0 if none */
static gsize
bracket_tag(const char *s, gsize len)
{
	if (len == 0 || s[0] != '[')
		return 0;
	for (gsize i = 1; i < len && i < 40; i++) {
		if (s[i] == ']')
			return i > 1 ? i + 1 : 0;
		if (s[i] == '[')
			return 0;
	}
	return 0;
}

/* parser_subject_kind - forward, reply or plain, by the first prefix */
SubjectKind
parser_subject_kind(const char *subject, const char **rest)
{
	SubjectKind first = SUBJECT_PLAIN;
	gboolean have_first = FALSE;
	const char *s = subject != NULL ? subject : "";
	gsize len = strlen(s);

	for (guint guard = 0; guard < 32; guard++) {
		gsize i = parser_skip_blanks(s, len, 0), n;
		SubjectKind kind = SUBJECT_PLAIN;

		if ((n = bracket_tag(s + i, len - i)) > 0) {
			s += i + n;
			len -= i + n;
			continue;
		}
		n = subject_prefix(s + i, len - i, &kind);
		if (n == 0 || (have_first && kind == SUBJECT_REPLY))
			break;
		if (!have_first) {
			first = kind;
			have_first = TRUE;
		}
		if (kind == SUBJECT_REPLY)
			break;
		s += i + n;
		len -= i + n;
	}
	if (rest != NULL)
		*rest = s + parser_skip_blanks(s, len, 0);
	return first;
}
