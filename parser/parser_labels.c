/*
 * parser_labels.c - the words mail clients write around a forward, as data
 *
 * Header labels, separator phrases and subject prefixes for the corpus's
 * 23 languages plus Chinese (simplified and traditional), Japanese,
 * Korean and Greek. Adding a language means adding rows, not code.
 * Matching ignores case except for rows marked CASE (one-letter words
 * like Italian "A:" or "I:"), accepts ':' or the full-width '：', and is
 * a plain prefix comparison: linear in the input for a fixed table.
 * Separator phrases are in parser_separator.c, subject prefixes in
 * parser_subject.c, "On ... wrote:" lines in parser_attrib.c.
 */
#include "config.h"

#include <string.h>

#include "parser/parser_scan.h"

#define CASE 1u    /* compare case-sensitively */
#define NOCOLON 2u /* run-together (Yahoo) lines may drop the colon */

typedef struct {
	const char *word;
	FieldKind field;
	unsigned flags;
} LabelRow;

static const LabelRow labels[] = {
	/* From */
	{ "From", FIELD_FROM, 0 },
	{ "Od", FIELD_FROM, 0 },
	{ "Fra", FIELD_FROM, 0 },
	{ "Von", FIELD_FROM, 0 },
	{ "De", FIELD_FROM, 0 },
	{ "De la", FIELD_FROM, 0 },
	{ "Lähettäjä", FIELD_FROM, 0 },
	{ "Šalje", FIELD_FROM, 0 },
	{ "Feladó", FIELD_FROM, 0 },
	{ "Da", FIELD_FROM, CASE },
	{ "Van", FIELD_FROM, 0 },
	{ "Expeditorul", FIELD_FROM, 0 },
	{ "Отправитель", FIELD_FROM, 0 },
	{ "Från", FIELD_FROM, 0 },
	{ "Kimden", FIELD_FROM, 0 },
	{ "Від кого", FIELD_FROM, 0 },
	{ "Saatja", FIELD_FROM, 0 },
	{ "Gönderen", FIELD_FROM, 0 },
	{ "От", FIELD_FROM, 0 },
	{ "Від", FIELD_FROM, 0 },
	{ "Mittente", FIELD_FROM, 0 },
	{ "Nadawca", FIELD_FROM, 0 },
	{ "Frá", FIELD_FROM, 0 },
	{ "Afzender", FIELD_FROM, 0 },
	{ "Absender", FIELD_FROM, 0 },
	{ "Remitente", FIELD_FROM, 0 },
	{ "Expéditeur", FIELD_FROM, 0 },
	{ "Remetente", FIELD_FROM, 0 },
	{ "Odesílatel", FIELD_FROM, 0 },
	{ "Avsändare", FIELD_FROM, 0 },
	{ "Pošiljatelj", FIELD_FROM, 0 },
	{ "发件人", FIELD_FROM, 0 },
	{ "寄件者", FIELD_FROM, 0 },
	{ "寄件人", FIELD_FROM, 0 },
	{ "發件人", FIELD_FROM, 0 },
	{ "差出人", FIELD_FROM, 0 },
	{ "送信元", FIELD_FROM, 0 },
	{ "送信者", FIELD_FROM, 0 },
	{ "보낸 사람", FIELD_FROM, 0 },
	{ "보낸사람", FIELD_FROM, 0 },
	{ "Από", FIELD_FROM, 0 },
	{ "Αποστολέας", FIELD_FROM, 0 },
	/* To */
	{ "To", FIELD_TO, 0 },
	{ "Komu", FIELD_TO, 0 },
	{ "Til", FIELD_TO, 0 },
	{ "An", FIELD_TO, 0 },
	{ "Para", FIELD_TO, 0 },
	{ "Vastaanottaja", FIELD_TO, 0 },
	{ "À", FIELD_TO, CASE },
	{ "A", FIELD_TO, CASE },
	{ "Prima", FIELD_TO, 0 },
	{ "Címzett", FIELD_TO, 0 },
	{ "Aan", FIELD_TO, 0 },
	{ "Do", FIELD_TO, CASE },
	{ "Destinatarul", FIELD_TO, 0 },
	{ "Кому", FIELD_TO, 0 },
	{ "Pre", FIELD_TO, 0 },
	{ "Till", FIELD_TO, 0 },
	{ "Kime", FIELD_TO, 0 },
	{ "Pour", FIELD_TO, 0 },
	{ "Adresat", FIELD_TO, 0 },
	{ "Către", FIELD_TO, 0 },
	{ "Saaja", FIELD_TO, 0 },
	{ "Empfänger", FIELD_TO, 0 },
	{ "Destinatario", FIELD_TO, 0 },
	{ "Destinataire", FIELD_TO, 0 },
	{ "Destinatário", FIELD_TO, 0 },
	{ "Příjemce", FIELD_TO, 0 },
	{ "Primatelj", FIELD_TO, 0 },
	{ "Alıcı", FIELD_TO, 0 },
	{ "收件人", FIELD_TO, 0 },
	{ "收件者", FIELD_TO, 0 },
	{ "宛先", FIELD_TO, 0 },
	{ "送信先", FIELD_TO, 0 },
	{ "받는 사람", FIELD_TO, 0 },
	{ "받는사람", FIELD_TO, 0 },
	{ "Προς", FIELD_TO, 0 },
	{ "Παραλήπτης", FIELD_TO, 0 },
	/* Cc */
	{ "Cc", FIELD_CC, 0 },
	{ "Kopie", FIELD_CC, 0 },
	{ "Kopio", FIELD_CC, 0 },
	{ "Másolat", FIELD_CC, 0 },
	{ "Kopi", FIELD_CC, 0 },
	{ "Dw", FIELD_CC, NOCOLON },
	{ "Копия", FIELD_CC, 0 },
	{ "Kopia", FIELD_CC, 0 },
	{ "Bilgi", FIELD_CC, 0 },
	{ "Копія", FIELD_CC, 0 },
	{ "Másolatot kap", FIELD_CC, 0 },
	{ "Kópia", FIELD_CC, 0 },
	{ "Kopie (CC)", FIELD_CC, 0 },
	{ "Copie à", FIELD_CC, 0 },
	{ "Copie", FIELD_CC, 0 },
	{ "Kopie an", FIELD_CC, 0 },
	{ "Copia", FIELD_CC, 0 },
	{ "Cópia", FIELD_CC, 0 },
	{ "Kopija", FIELD_CC, 0 },
	{ "Koopia", FIELD_CC, 0 },
	{ "抄送", FIELD_CC, 0 },
	{ "抄送人", FIELD_CC, 0 },
	{ "副本", FIELD_CC, 0 },
	{ "참조", FIELD_CC, 0 },
	{ "Κοιν.", FIELD_CC, 0 },
	{ "Κοιν", FIELD_CC, 0 },
	{ "Κοινοποίηση", FIELD_CC, 0 },
	/* Bcc */
	{ "Bcc", FIELD_BCC, 0 },
	{ "Blindkopie", FIELD_BCC, 0 },
	{ "Cci", FIELD_BCC, 0 },
	{ "CCO", FIELD_BCC, 0 },
	{ "Ukryta kopia", FIELD_BCC, 0 },
	{ "Skrytá kopie", FIELD_BCC, 0 },
	{ "Dold kopia", FIELD_BCC, 0 },
	{ "Skjult kopi", FIELD_BCC, 0 },
	{ "Piilokopio", FIELD_BCC, 0 },
	{ "Rejtett másolat", FIELD_BCC, 0 },
	{ "Скрытая копия", FIELD_BCC, 0 },
	{ "密送", FIELD_BCC, 0 },
	{ "密件副本", FIELD_BCC, 0 },
	{ "숨은 참조", FIELD_BCC, 0 },
	{ "Κρυφή κοιν.", FIELD_BCC, 0 },
	/* Reply-To */
	{ "Reply-To", FIELD_REPLY_TO, 0 },
	{ "Reply to", FIELD_REPLY_TO, 0 },
	{ "Odgovori na", FIELD_REPLY_TO, 0 },
	{ "Odpověď na", FIELD_REPLY_TO, 0 },
	{ "Svar til", FIELD_REPLY_TO, 0 },
	{ "Antwoord aan", FIELD_REPLY_TO, 0 },
	{ "Vastaus", FIELD_REPLY_TO, 0 },
	{ "Répondre à", FIELD_REPLY_TO, 0 },
	{ "Antwort an", FIELD_REPLY_TO, 0 },
	{ "Válaszcím", FIELD_REPLY_TO, 0 },
	{ "Rispondi a", FIELD_REPLY_TO, 0 },
	{ "Odpowiedź-do", FIELD_REPLY_TO, 0 },
	{ "Responder a", FIELD_REPLY_TO, 0 },
	{ "Răspuns către", FIELD_REPLY_TO, 0 },
	{ "Ответ-Кому", FIELD_REPLY_TO, 0 },
	{ "Odpovedať-Pre", FIELD_REPLY_TO, 0 },
	{ "Svara till", FIELD_REPLY_TO, 0 },
	{ "Yanıt Adresi", FIELD_REPLY_TO, 0 },
	{ "Кому відповісти", FIELD_REPLY_TO, 0 },
	{ "回复至", FIELD_REPLY_TO, 0 },
	{ "回覆至", FIELD_REPLY_TO, 0 },
	{ "返信先", FIELD_REPLY_TO, 0 },
	{ "회신 주소", FIELD_REPLY_TO, 0 },
	{ "Απάντηση σε", FIELD_REPLY_TO, 0 },
	/* Subject */
	{ "Subject", FIELD_SUBJECT, 0 },
	{ "Předmět", FIELD_SUBJECT, 0 },
	{ "Emne", FIELD_SUBJECT, 0 },
	{ "Betreff", FIELD_SUBJECT, 0 },
	{ "Asunto", FIELD_SUBJECT, 0 },
	{ "Aihe", FIELD_SUBJECT, 0 },
	{ "Objet", FIELD_SUBJECT, 0 },
	{ "Predmet", FIELD_SUBJECT, 0 },
	{ "Tárgy", FIELD_SUBJECT, 0 },
	{ "Oggetto", FIELD_SUBJECT, 0 },
	{ "Onderwerp", FIELD_SUBJECT, 0 },
	{ "Temat", FIELD_SUBJECT, 0 },
	{ "Assunto", FIELD_SUBJECT, NOCOLON },
	{ "Subiectul", FIELD_SUBJECT, 0 },
	{ "Subiect", FIELD_SUBJECT, 0 },
	{ "Тема", FIELD_SUBJECT, 0 },
	{ "Ämne", FIELD_SUBJECT, 0 },
	{ "Konu", FIELD_SUBJECT, 0 },
	{ "Sujet", FIELD_SUBJECT, 0 },
	{ "Naslov", FIELD_SUBJECT, 0 },
	{ "Teema", FIELD_SUBJECT, 0 },
	{ "Efni", FIELD_SUBJECT, 0 },
	{ "主题", FIELD_SUBJECT, 0 },
	{ "主題", FIELD_SUBJECT, 0 },
	{ "主旨", FIELD_SUBJECT, 0 },
	{ "件名", FIELD_SUBJECT, 0 },
	{ "제목", FIELD_SUBJECT, 0 },
	{ "Θέμα", FIELD_SUBJECT, 0 },
	/* Date, Sent */
	{ "Date", FIELD_DATE, 0 },
	{ "Datum", FIELD_DATE, 0 },
	{ "Dato", FIELD_DATE, 0 },
	{ "Fecha", FIELD_DATE, 0 },
	{ "Päivämäärä", FIELD_DATE, 0 },
	{ "Dátum", FIELD_DATE, 0 },
	{ "Data", FIELD_DATE, 0 },
	{ "Dată", FIELD_DATE, 0 },
	{ "Дата", FIELD_DATE, 0 },
	{ "Tarih", FIELD_DATE, 0 },
	{ "Sent", FIELD_DATE, 0 },
	{ "Päiväys", FIELD_DATE, 0 },
	{ "Sendt", FIELD_DATE, 0 },
	{ "Gesendet", FIELD_DATE, 0 },
	{ "Enviado", FIELD_DATE, 0 },
	{ "Envoyé", FIELD_DATE, 0 },
	{ "Lähetetty", FIELD_DATE, 0 },
	{ "Elküldve", FIELD_DATE, 0 },
	{ "Inviato", FIELD_DATE, 0 },
	{ "Verzonden", FIELD_DATE, 0 },
	{ "Wysłano", FIELD_DATE, 0 },
	{ "Wysłane", FIELD_DATE, 0 },
	{ "Enviada", FIELD_DATE, 0 },
	{ "Надіслано", FIELD_DATE, 0 },
	{ "Gönderme tarihi", FIELD_DATE, 0 },
	{ "Trimis", FIELD_DATE, 0 },
	{ "Отправлено", FIELD_DATE, 0 },
	{ "Odoslané", FIELD_DATE, 0 },
	{ "Skickat", FIELD_DATE, 0 },
	{ "Gönderilen", FIELD_DATE, 0 },
	{ "Gönderildi", FIELD_DATE, 0 },
	{ "Відправлено", FIELD_DATE, 0 },
	{ "Odesláno", FIELD_DATE, 0 },
	{ "Poslano", FIELD_DATE, 0 },
	{ "Kuupäev", FIELD_DATE, 0 },
	{ "Saadetud", FIELD_DATE, 0 },
	{ "Sent at", FIELD_DATE, 0 },
	{ "日期", FIELD_DATE, 0 },
	{ "发送时间", FIELD_DATE, 0 },
	{ "發送時間", FIELD_DATE, 0 },
	{ "时间", FIELD_DATE, 0 },
	{ "寄件日期", FIELD_DATE, 0 },
	{ "傳送時間", FIELD_DATE, 0 },
	{ "日付", FIELD_DATE, 0 },
	{ "送信日時", FIELD_DATE, 0 },
	{ "날짜", FIELD_DATE, 0 },
	{ "보낸 날짜", FIELD_DATE, 0 },
	{ "Ημερομηνία", FIELD_DATE, 0 },
	{ "Στάλθηκε", FIELD_DATE, 0 },
	{ "Εστάλη", FIELD_DATE, 0 },
	/* recognised so a block keeps going, otherwise ignored */
	{ "Importance", FIELD_OTHER, 0 },
	{ "Attachments", FIELD_OTHER, 0 },
	{ "Wichtigkeit", FIELD_OTHER, 0 },
	{ "Anlagen", FIELD_OTHER, 0 },
	{ "Pièces jointes", FIELD_OTHER, 0 },
	{ "Importancia", FIELD_OTHER, 0 },
	{ "Datos adjuntos", FIELD_OTHER, 0 },
	{ "Priority", FIELD_OTHER, 0 },
	{ "附件", FIELD_OTHER, 0 },
	{ "重要性", FIELD_OTHER, 0 },
	{ "添付ファイル", FIELD_OTHER, 0 },
	{ "첨부", FIELD_OTHER, 0 },
};

/* fold - lower-case form of one character for comparisons */
static gunichar
fold(gunichar c)
{
	return g_unichar_tolower(c);
}

/* parser_prefix_cmp - bytes of s matching word (optionally ignoring case); 0 if none */
gsize
parser_prefix_cmp(const char *s, gsize len, const char *word, gboolean icase)
{
	const char *p = s, *end = s + len, *w = word;

	if (*w == '\0' || len == 0)
		return 0;
	/* quick rejections: ASCII never folds to non-ASCII here */
	if (((guchar)*w < 0x80) != ((guchar)*s < 0x80))
		return 0;
	if ((guchar)*w < 0x80) {
		char a = icase ? g_ascii_tolower(*s) : *s;
		char b = icase ? g_ascii_tolower(*w) : *w;

		if (a != b)
			return 0;
	}
	while (*w) {
		gunichar a, b;

		if (p >= end)
			return 0;
		a = g_utf8_get_char_validated(p, end - p);
		if (a == (gunichar)-1 || a == (gunichar)-2)
			return 0;
		b = g_utf8_get_char(w);
		if (a != b && (!icase || fold(a) != fold(b)))
			return 0;
		p = g_utf8_next_char(p);
		w = g_utf8_next_char(w);
	}
	return (gsize)(p - s);
}

/* parser_prefix_ci - bytes of s matching word, ignoring case; 0 if none */
gsize
parser_prefix_ci(const char *s, gsize len, const char *word)
{
	return parser_prefix_cmp(s, len, word, TRUE);
}

/* parser_skip_blanks - index of the first byte at or after i that is no blank */
gsize
parser_skip_blanks(const char *s, gsize len, gsize i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* parser_colon_at - bytes of ':' or '：' at i, 0 if neither */
gsize
parser_colon_at(const char *s, gsize len, gsize i)
{
	if (i < len && s[i] == ':')
		return 1;
	if (i + 3 <= len && memcmp(s + i, "\xef\xbc\x9a", 3) == 0)
		return 3;
	return 0;
}

/* label_row_match - bytes a row consumes at s (label, colon, blanks) */
static gsize
label_row_match(
    const LabelRow *row, const char *s, gsize len, gsize i, gboolean lax)
{
	gsize n =
	    parser_prefix_cmp(s + i, len - i, row->word, !(row->flags & CASE));
	gsize j, c;

	if (n == 0)
		return 0;
	j = parser_skip_blanks(s, len, i + n);
	c = parser_colon_at(s, len, j);
	if (c == 0) {
		if (!lax || !(row->flags & NOCOLON) || i + n >= len ||
		    s[i + n] != ' ')
			return 0;
		return parser_skip_blanks(s, len, i + n);
	}
	j += c;
	if (j < len && s[j] == '*')
		j++;
	return parser_skip_blanks(s, len, j);
}

#define LABEL_MAX 48 /* bytes: the longest label, blanks and its colon */

/* colon_near - ':' among the first len bytes, or the lead byte of '：'
 * (a rare false positive only costs the full look-up) */
static gboolean
colon_near(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (s[i] == ':' || (guchar)s[i] == 0xef)
			return TRUE;
	return FALSE;
}

/* parser_field_label - bytes of "Label: " at s and which field it names */
gsize
parser_field_label(const char *s, gsize len, gboolean lax, FieldKind *field)
{
	gsize start = 0, best = 0;
	FieldKind best_field = FIELD_NONE;

	*field = FIELD_NONE;
	if (len > 0 && s[0] == '*')
		start = 1;
	/* every label is short and, outside Yahoo's run-together lines,
	 * ends with a colon: most text lines are rejected here */
	if (!lax && !colon_near(s + start, MIN(len - start, LABEL_MAX)))
		return 0;
	for (gsize k = 0; k < G_N_ELEMENTS(labels); k++) {
		gsize n = label_row_match(&labels[k], s, len, start, lax);

		if (n > best) {
			best = n;
			best_field = labels[k].field;
		}
	}
	*field = best_field;
	return best;
}
