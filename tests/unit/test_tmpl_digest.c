/*
 * test_tmpl_digest.c - the weekly digest, golden and read back
 *
 * Chris's week (tests/unit/tmpl-facts.h) is rendered with a fixed clock
 * (the Message-ID and the boundary are digests of the member, the week
 * and the clock, so the bytes are fixed too) and compared with
 * tests/fixtures/digest/: the whole message (digest.eml), its text part
 * (digest.txt) and its HTML part (digest.html), decoded, LF line ends;
 * PA_UPDATE_GOLDEN=1 writes them from the source tree's top_srcdir.
 * Then it is parsed back with GMime and checked header by header, line
 * by line, with GMime's parser warnings counted as defects. Other
 * cases: empty weeks, the subject's words, hostile names and subjects,
 * addresses that must not be shown, the refusals, and tmpl_verify()
 * catching a digest that lost what bulk mail needs.
 */
#include "config.h"

#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/rfc2047.h"
#include "templates/tmpl_digest.h"
#include "templates/tmpl_int.h"
#include "tests/unit/tmpl-facts.h"

#define MEMBER "chris@members.example"
#define UNSUB_URL "https://intro.example.org/u/u7w9y2b4d6f8h3k5"

/* render_ok - the digest of f, asserting success */
static RenderedMail *
render_ok(const DigestFacts *f)
{
	g_autoptr(GError) error = NULL;
	RenderedMail *mail = tmpl_render_digest(f, &error);

	g_assert_no_error(error);
	g_assert_nonnull(mail);
	g_assert_cmpstr(mail->kind, ==, "digest");
	return mail;
}

/* count_warning - GMime's parser warnings, counted as defects */
static void
count_warning(
    gint64 offset, GMimeParserWarning code, const char *item, gpointer data)
{
	guint *n = data;

	(void)offset;
	g_test_message("GMime warning %d at %" G_GINT64_FORMAT ": %s",
	    (int)code, offset, item != NULL ? item : "");
	(*n)++;
}

/* parse - the bytes as GMime reads them, its warnings counted */
static GMimeMessage *
parse(GBytes *bytes, guint *warnings)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *opts = g_mime_parser_options_new();
	GMimeMessage *msg;

	*warnings = 0;
	g_mime_parser_options_set_warning_callback(
	    opts, count_warning, warnings);
	msg = g_mime_parser_construct_message(parser, opts);
	g_mime_parser_options_free(opts);
	return msg;
}

/* reparse - the bytes as GMime reads them, with no warning */
static GMimeMessage *
reparse(GBytes *bytes)
{
	guint warnings;
	GMimeMessage *msg = parse(bytes, &warnings);

	g_assert_nonnull(msg);
	g_assert_cmpuint(warnings, ==, 0);
	return msg;
}

/* lf - the bytes with CRLF read as LF (transfer full) */
static char *
lf(const char *data, gsize len)
{
	g_autofree char *s = g_strndup(data, len);
	g_auto(GStrv) lines = g_strsplit(s, "\r\n", -1);

	return g_strjoinv("\n", lines);
}

/* part - alternative i, decoded, LF line ends (transfer full) */
static char *
part(GMimeMessage *msg, int i)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeObject *p;
	g_autofree char *text = NULL;

	g_assert_true(GMIME_IS_MULTIPART(body));
	g_assert_cmpint(
	    g_mime_multipart_get_count(GMIME_MULTIPART(body)), ==, 2);
	p = g_mime_multipart_get_part(GMIME_MULTIPART(body), i);
	g_assert_true(GMIME_IS_TEXT_PART(p));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(p));
	return lf(text, strlen(text));
}

/* paras - the text part read back as paragraphs (transfer full) */
static char *
paras(GMimeMessage *msg)
{
	g_autofree char *raw = part(msg, 0);

	return tmpl_facts_unflow(raw);
}

/* whole - the message's bytes as a string, LF line ends */
static char *
whole(const RenderedMail *mail)
{
	gsize len;
	const char *data = g_bytes_get_data(mail->message, &len);

	return lf(data, len);
}

/* raw_header - the unfolded raw value of header NAME, or NULL */
static char *
raw_header(GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *list =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = g_mime_header_list_get_header(list, name);
	g_auto(GStrv) lines = NULL;
	g_autofree char *joined = NULL;

	if (h == NULL)
		return NULL;
	lines = g_strsplit_set(g_mime_header_get_raw_value(h), "\r\n", -1);
	joined = g_strjoinv("", lines);
	return g_strdup(g_strstrip(joined));
}

/* header_count - how many headers NAME the message has */
static int
header_count(GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *list =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = 0;

	for (int i = 0; i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			n++;
	}
	return n;
}

/* columns - the terminal columns of a line of UTF-8 */
static guint
columns(const char *line)
{
	guint n = 0;

	g_assert_true(g_utf8_validate(line, -1, NULL));
	for (const char *p = line; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!g_unichar_iszerowidth(c))
			n += g_unichar_iswide(c) ? 2 : 1;
	}
	return n;
}

/* check_lines - every line of the message at most 76 octets (within
 * RFC 5322's 78, quoted-printable's 76), the text's at most 76 octets
 * and 72 columns */
static void
check_lines(const RenderedMail *mail, const char *text)
{
	g_autofree char *all = whole(mail);
	g_auto(GStrv) raw = g_strsplit(all, "\n", -1);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; raw[i] != NULL; i++)
		g_assert_cmpuint(strlen(raw[i]), <=, 76);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_assert_cmpuint(strlen(lines[i]), <=, 76);
		g_assert_cmpuint(columns(lines[i]), <=, 72);
	}
}

/* check_no_html - no tag, entity or style left in the text */
static void
check_no_html(const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '<')
			g_assert_false(g_ascii_isalpha(p[1]) || p[1] == '/' ||
				       p[1] == '!');
	}
	g_assert_null(strstr(text, "&amp;"));
	g_assert_null(strstr(text, "&lt;"));
	g_assert_null(strstr(text, "&#"));
	g_assert_null(strstr(text, "style="));
}

/* test_golden - Chris's week, byte for byte */
static void
test_golden(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(RenderedMail) mail = render_ok(f);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	g_autofree char *all = whole(mail);
	g_autofree char *text = part(msg, 0);
	g_autofree char *html = part(msg, 1);

	tmpl_facts_golden("digest", "digest.eml", all);
	tmpl_facts_golden("digest", "digest.txt", text);
	tmpl_facts_golden("digest", "digest.html", html);
	check_lines(mail, text);
	check_no_html(text);
}

/* test_headers - every header a reader and a receiver look for */
static void
test_headers(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(RenderedMail) mail = render_ok(f);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	InternetAddressList *from = g_mime_message_get_from(msg);
	InternetAddressList *to = g_mime_message_get_to(msg);
	InternetAddress *ia;
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeObject *plain, *rich;
	g_autofree char *subject = raw_header(msg, "Subject");
	g_autofree char *decoded = rfc2047_decode(subject);
	g_autofree char *lid = raw_header(msg, "List-Id");
	g_autofree char *unsub = raw_header(msg, "List-Unsubscribe");
	g_autofree char *post = raw_header(msg, "List-Unsubscribe-Post");
	g_autofree char *hex = NULL;

	g_assert_cmpint(internet_address_list_length(from), ==, 1);
	ia = internet_address_list_get_address(from, 0);
	g_assert_cmpstr(internet_address_get_name(ia), ==, "passalong");
	g_assert_cmpstr(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), ==,
	    "intros@intro.example.org");
	g_assert_cmpint(internet_address_list_length(to), ==, 1);
	ia = internet_address_list_get_address(to, 0);
	g_assert_cmpstr(internet_address_get_name(ia), ==, "Chris Member");
	g_assert_cmpstr(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), ==,
	    MEMBER);
	g_assert_cmpint(header_count(msg, "Cc"), ==, 0);
	g_assert_cmpint(header_count(msg, "Bcc"), ==, 0);
	g_assert_cmpint(header_count(msg, "Reply-To"), ==, 0);
	g_assert_cmpstr(decoded, ==,
	    "Your week: 3 shared, 1 introduced, 1 waiting for you, 1 outcome");
	g_assert_cmpstr(mail->subject, ==, decoded);
	g_assert_cmpstr(
	    g_mime_message_get_message_id(msg), ==, mail->message_id);
	hex = g_strndup(mail->message_id, 32);
	g_assert_true(g_str_has_suffix(mail->message_id, "@intro.example.org"));
	for (const char *p = hex; *p; p++)
		g_assert_true(g_ascii_isxdigit(*p));
	g_assert_cmpint(g_date_time_to_unix(g_mime_message_get_date(msg)), ==,
	    TMPL_FACTS_NOW);
	g_assert_cmpstr(lid, ==, "passalong digest <digest.intro.example.org>");
	g_assert_cmpstr(
	    unsub, ==, "<mailto:" TMPL_FACTS_DIGEST_UNSUB ">, <" UNSUB_URL ">");
	g_assert_cmpstr(post, ==, "List-Unsubscribe=One-Click");
	g_assert_cmpstr(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"), ==,
	    "auto-generated");
	g_assert_cmpstr(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "Precedence"), ==,
	    "bulk");
	g_assert_cmpstr(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "X-Passalong-Kind"), ==,
	    "digest");
	g_assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(body), "multipart", "alternative"));
	plain = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	rich = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	g_assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(plain), "text", "plain"));
	g_assert_cmpstr(
	    g_mime_object_get_content_type_parameter(plain, "format"), ==,
	    "flowed");
	g_assert_cmpstr(
	    g_mime_object_get_content_type_parameter(plain, "delsp"), ==,
	    "yes");
	g_assert_cmpstr(
	    g_mime_object_get_content_type_parameter(plain, "charset"), ==,
	    "utf-8");
	g_assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(rich), "text", "html"));
	g_assert_cmpuint(mail->rcpts->len, ==, 1);
	g_assert_cmpstr(mail->rcpts->pdata[0], ==, MEMBER);
	g_assert_cmpstr(mail->mail_from, ==, "intros@intro.example.org");
}

/* contains - whether the text holds every one of the NULL-ended words */
static void
assert_holds(const char *text, const char *const *words)
{
	for (guint i = 0; words[i] != NULL; i++) {
		if (strstr(text, words[i]) == NULL)
			g_test_message("missing: %s", words[i]);
		g_assert_nonnull(strstr(text, words[i]));
	}
}

/* test_content - what each section says, in both parts */
static void
test_content(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(RenderedMail) mail = render_ok(f);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	g_autofree char *text = paras(msg);
	g_autofree char *html = part(msg, 1);
	static const char *const text_words[] = { "Hi Chris,",
		"Shared by you\n-------------", "Shared with you",
		"Waiting for your answer", "Outcomes and thank-yous",
		"Your balance", "Top sharers this week",
		"Dana Scully at Acme Events, passed to Jane Friend",
		"Introduced. Outcome: Jane is giving", "Asked; no answer yet.",
		"someone at Globex, passed to pat@friends.example",
		"Passed on this one.", "from Ann Lee",
		"Reply yes or no to:\n" TMPL_FACTS_DIGEST_REPLY,
		"All time: 12 given, 3 received, 2 worked out",
		"This year: 5 given, 1 received, 1 worked out", "Ann Lee\n",
		"Your share address is share+chris@intro.example.org.",
		"share+NAME@intro.example.org",
		"mail to " TMPL_FACTS_DIGEST_UNSUB,
		"the week of 13 November "
		"2023 (2023-W46)",
		NULL };
	static const char *const html_words[] = { "<html lang=\"en\">",
		"<meta name=\"color-scheme\" content=\"light dark\">",
		"role=\"presentation\" width=\"600\"", "<h1 ", "<h2 ",
		">Shared by you</h2>", ">Waiting for your answer</h2>",
		"href=\"mailto:" TMPL_FACTS_DIGEST_REPLY "\"",
		"href=\"https://intro.example.org/c/", "href=\"" UNSUB_URL "\"",
		"L\xc3\xa9"
		"a Dubois",
		NULL };

	assert_holds(text, text_words);
	assert_holds(html, html_words);
	/* the top sharers are names only; no count leaks */
	g_assert_null(strstr(text, "Ann Lee: 4"));
	/* HTML without what breaks mail readers */
	g_assert_null(strstr(html, "<script"));
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "<style"));
	g_assert_null(strstr(html, "<link"));
	g_assert_null(strstr(html, "src="));
	/* each text colour with a background in the same cell: every
	 * <td> sets bgcolor or sits in the centring cell */
	for (const char *p = html; (p = strstr(p, "<td")) != NULL; p++) {
		const char *end = strchr(p, '>');
		g_autofree char *tag = g_strndup(p, (gsize)(end - p));

		g_assert_true(strstr(tag, "bgcolor=") != NULL ||
			      strstr(tag, "align=\"center\"") != NULL);
	}
}

/* test_empty - a week with nothing by or for the member */
static void
test_empty(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(GPtrArray) one = g_ptr_array_new();
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	GPtrArray *outcomes = f->outcomes;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;

	g_assert_false(tmpl_digest_is_empty(f));
	g_clear_pointer(&f->shared_by, g_ptr_array_unref);
	g_clear_pointer(&f->shared_with, g_ptr_array_unref);
	g_clear_pointer(&f->waiting, g_ptr_array_unref);
	f->outcomes = none; /* empty arrays are empty too */
	g_assert_true(tmpl_digest_is_empty(f));
	/* a balance and top sharers are not news of the member's own */
	g_assert_nonnull(f->top);
	f->all_time.given = 40;
	g_assert_true(tmpl_digest_is_empty(f));
	g_ptr_array_add(one, outcomes->pdata[0]);
	f->outcomes = one;
	g_assert_false(tmpl_digest_is_empty(f));
	/* an empty week still renders (without skip_empty), with only
	 * the balance and the top sharers */
	f->outcomes = none;
	mail = render_ok(f);
	g_assert_cmpstr(mail->subject, ==, "Your week on passalong");
	msg = reparse(mail->message);
	text = paras(msg);
	g_assert_null(strstr(text, "Shared by you"));
	g_assert_null(strstr(text, "Waiting for your answer"));
	g_assert_null(strstr(text, "Outcomes and thank-yous"));
	g_assert_nonnull(strstr(text, "Your balance"));
	g_assert_nonnull(strstr(text, "Top sharers this week"));
	f->outcomes = outcomes;
}

/* subject_of - the subject for counts of each list (transfer full) */
static char *
subject_of(const Config *cfg, guint by, guint with, guint wait, guint out)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new();
	g_autoptr(GPtrArray) b = g_ptr_array_new();
	g_autoptr(GPtrArray) c = g_ptr_array_new();
	g_autoptr(GPtrArray) d = g_ptr_array_new();
	static const DigestItem item = { .status = "asked" };
	DigestFacts f = { .cfg = cfg };

	for (guint i = 0; i < by; i++)
		g_ptr_array_add(a, (gpointer)&item);
	for (guint i = 0; i < with; i++)
		g_ptr_array_add(b, (gpointer)&item);
	for (guint i = 0; i < wait; i++)
		g_ptr_array_add(c, (gpointer)&item);
	for (guint i = 0; i < out; i++)
		g_ptr_array_add(d, (gpointer)&item);
	f.shared_by = a;
	f.shared_with = b;
	f.waiting = c;
	f.outcomes = d;
	return tmpl_digest_subject(&f);
}

/* check_subject - the subject for those counts is want */
static void
check_subject(const Config *cfg, guint by, guint with, guint wait, guint out,
    const char *want)
{
	g_autofree char *got = subject_of(cfg, by, with, wait, out);

	g_assert_cmpstr(got, ==, want);
}

/* test_subject - only the counts that are not zero, in words */
static void
test_subject(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();

	check_subject(cfg, 3, 1, 1, 0,
	    "Your week: 3 shared, 1 introduced, 1 waiting for you");
	check_subject(cfg, 1, 0, 0, 0, "Your week: 1 shared");
	check_subject(cfg, 0, 0, 2, 0, "Your week: 2 waiting for you");
	check_subject(cfg, 0, 0, 0, 1, "Your week: 1 outcome");
	check_subject(cfg, 0, 2, 0, 2, "Your week: 2 introduced, 2 outcomes");
	check_subject(cfg, 0, 0, 0, 0, "Your week on passalong");
	g_free(cfg->name);
	cfg->name = g_strdup("Le R\xc3\xa9seau");
	check_subject(cfg, 0, 0, 0, 0, "Your week on Le R\xc3\xa9seau");
	g_free(cfg->name);
	cfg->name = g_strdup("evil@example.com");
	check_subject(cfg, 0, 0, 0, 0, "Your week on passalong");
}

/* test_hostile - CR/LF, markup, very long and non-ASCII names */
static void
test_hostile(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autofree char *long_name = g_strnfill(3000, 'x');
	g_autofree char *long_org = g_strnfill(1000, 'Y');
	DigestItem evil = { .share_id = 90,
		.requester_name = "Mallory\r\nBcc: victim",
		.requester_org = long_org,
		.friend_name = long_name,
		.friend_address = "pat@friends.example",
		.subject = "<script>alert(1)</script> & \"quotes\" "
			   "<img src=x onerror=alert(2)>",
		.status = "asked",
		.outcome = "</td></tr></table><h1>owned</h1>" };
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *all = NULL, *text = NULL, *html = NULL;
	g_autofree char *to = NULL;
	InternetAddress *ia;

	g_free(cfg->name);
	cfg->name = g_strdup("R\xc3\xa9seau \xce\xb5\xce\xbb\xce\xbb"
			     "\xce\xb7\xce\xbd\xce\xb9\xce\xba\xcf\x8c "
			     "\xe4\xbb\x8b\xe7\xbb\x8d \"quoted\" <x>");
	f->member_name = "Fran\xc3\xa7oise \xce\x91\xce\xbb\xce\xad\xce\xbe"
			 "\xce\xb1\xce\xbd\xce\xb4\xcf\x81\xce\xbf\xcf\x82 "
			 "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e\r\nX-Evil: 1";
	g_ptr_array_add(f->shared_by, &evil);
	mail = render_ok(f);
	msg = reparse(mail->message);
	all = whole(mail);
	text = part(msg, 0);
	html = part(msg, 1);
	/* no header smuggled, the names one line each */
	g_assert_cmpint(header_count(msg, "Bcc"), ==, 0);
	g_assert_cmpint(header_count(msg, "X-Evil"), ==, 0);
	g_assert_null(strstr(all, "\nBcc:"));
	g_assert_null(strstr(all, "\nX-Evil:"));
	ia = internet_address_list_get_address(g_mime_message_get_to(msg), 0);
	g_assert_cmpstr(internet_address_get_name(ia), ==,
	    "Fran\xc3\xa7oise \xce\x91\xce\xbb\xce\xad\xce\xbe\xce\xb1\xce\xbd"
	    "\xce\xb4\xcf\x81\xce\xbf\xcf\x82 \xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98"
	    "\x8e X-Evil: 1");
	to = raw_header(msg, "To");
	g_assert_nonnull(strstr(to, "=?")); /* encoded, not raw UTF-8 */
	for (const char *p = all; *p; p++)  /* 7-bit throughout */
		g_assert_cmpint((guchar)*p, <, 0x80);
	ia = internet_address_list_get_address(g_mime_message_get_from(msg), 0);
	g_assert_nonnull(strstr(internet_address_get_name(ia), "\"quoted\""));
	/* markup escaped in the HTML, shown as text in the text */
	g_assert_null(strstr(html, "<script"));
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "<h1>owned"));
	g_assert_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	g_assert_nonnull(strstr(html, "&amp; &quot;quotes&quot;"));
	g_assert_nonnull(strstr(html, "&lt;/td&gt;&lt;/tr&gt;"));
	{
		g_autofree char *p = tmpl_facts_unflow(text);

		g_assert_nonnull(strstr(p, "<script>alert(1)</script>"));
		g_assert_nonnull(strstr(p, "Mallory Bcc: victim at YYYY"));
	}
	/* names cut: a long name is at most TMPL_NAME_MAX characters */
	g_assert_null(strstr(text, long_name + 3000 - TMPL_NAME_MAX));
	check_lines(mail, text);
	g_ptr_array_remove(f->shared_by, &evil);
}

/* assert_absent - addr (no case) nowhere in the bytes or the parts */
static void
assert_absent(const RenderedMail *mail, const char *addr)
{
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	g_autofree char *all = whole(mail);
	g_autofree char *text = part(msg, 0);
	g_autofree char *html = part(msg, 1);

	g_assert_null(tmpl_find_address(all, addr));
	g_assert_null(tmpl_find_address(text, addr));
	g_assert_null(tmpl_find_address(html, addr));
}

/* test_withheld - no requester's address, no friend's address but in
 * the member's own shares */
static void
test_withheld(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	DigestItem wait = { .share_id = 70,
		.member_name = "Bob Ray",
		.member_address = "bob@members.example",
		.requester_name = "dana@acme.example",
		.requester_org = "write to dana@acme.example",
		.friend_address = "chris@members.example",
		.subject = "Call dana@acme.example about the job",
		.status = "asked",
		.outcome = "ask dana@acme.example",
		.reply_address = TMPL_FACTS_DIGEST_REPLY };
	DigestItem with = { .share_id = 71,
		.member_name = "Ann Lee",
		.member_address = "ann@members.example",
		.requester_name = "Eve",
		.friend_address = "hidden-friend@friends.example",
		.friend_name = "Hidden Friend",
		.subject = "Mentor",
		.status = "introduced" };
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;

	g_ptr_array_add(f->waiting, &wait);
	g_ptr_array_add(f->shared_with, &with);
	g_ptr_array_add(f->outcomes, &wait);
	mail = render_ok(f);
	assert_absent(mail, "dana@acme.example");
	assert_absent(mail, "hidden-friend@friends.example");
	msg = reparse(mail->message);
	text = paras(msg);
	/* what is left of the subject is still there */
	g_assert_nonnull(strstr(text, "Call about the job"));
	g_assert_nonnull(strstr(text, "someone, from Bob Ray"));
	/* the friend of the member's own share is shown */
	g_assert_nonnull(strstr(text, "pat@friends.example"));
	g_ptr_array_remove(f->waiting, &wait);
	g_ptr_array_remove(f->shared_with, &with);
	g_ptr_array_remove(f->outcomes, &wait);
}

/* test_unsubscribe - the URL's forms: none, http, https */
static void
test_unsubscribe(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	const char *const urls[] = { NULL, "http://localhost:8080/u/abc",
		UNSUB_URL };

	for (gsize i = 0; i < G_N_ELEMENTS(urls); i++) {
		g_autoptr(RenderedMail) mail = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		g_autofree char *unsub = NULL, *want = NULL;

		f->unsub_url = urls[i];
		mail = render_ok(f);
		msg = reparse(mail->message);
		unsub = raw_header(msg, "List-Unsubscribe");
		want = urls[i] != NULL
			   ? g_strdup_printf("<mailto:" TMPL_FACTS_DIGEST_UNSUB
					     ">, <%s>",
				 urls[i])
			   : g_strdup("<mailto:" TMPL_FACTS_DIGEST_UNSUB ">");
		g_assert_cmpstr(unsub, ==, want);
		/* one-click (RFC 8058) needs an https URL */
		g_assert_cmpint(header_count(msg, "List-Unsubscribe-Post"), ==,
		    i == 2 ? 1 : 0);
	}
}

/* refused - rendering f fails with code, and nothing is returned */
static void
refused(const DigestFacts *f, int code)
{
	g_autoptr(GError) error = NULL;
	RenderedMail *mail = tmpl_render_digest(f, &error);

	g_assert_null(mail);
	g_assert_error(error, TMPL_ERROR, code);
}

/* test_refused - facts that make no safe digest */
static void
test_refused(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	const DigestItem *orig;
	DigestItem *w;
	DigestFacts good = *f;
	char *localpart;

	f->unsub_address = "unsubscribe+abc@elsewhere.example";
	refused(f, TMPL_ERROR_INPUT);
	f->unsub_address = NULL;
	refused(f, TMPL_ERROR_INPUT);
	*f = good;
	f->unsub_url = "javascript:alert(1)";
	refused(f, TMPL_ERROR_INPUT);
	f->unsub_url = "https://intro.example.org/u/a b";
	refused(f, TMPL_ERROR_INPUT);
	f->unsub_url = "https://intro.example.org/u/\"><script>";
	refused(f, TMPL_ERROR_INPUT);
	*f = good;
	f->week = "49";
	refused(f, TMPL_ERROR_INPUT);
	f->week = NULL;
	refused(f, TMPL_ERROR_INPUT);
	*f = good;
	f->member_address = "not an address";
	refused(f, TMPL_ERROR_INPUT);
	*f = good;
	f->share_address = "share+chris@elsewhere.example";
	refused(f, TMPL_ERROR_INPUT);
	*f = good;
	f->now = 0;
	refused(f, TMPL_ERROR_INPUT);
	*f = good;
	/* the static items are const in tmpl-facts.c: change a copy */
	orig = f->waiting->pdata[0];
	w = g_memdup2(orig, sizeof(DigestItem));
	f->waiting->pdata[0] = w;
	w->reply_address = "intro+abc@elsewhere.example";
	refused(f, TMPL_ERROR_INPUT);
	w->reply_address = NULL; /* no token: shown without a reply line */
	{
		g_autoptr(RenderedMail) mail = render_ok(f);
		g_autoptr(GMimeMessage) msg = reparse(mail->message);
		g_autofree char *text = paras(msg);

		g_assert_nonnull(strstr(text, "to the request you were sent"));
		g_assert_null(strstr(text, TMPL_FACTS_DIGEST_REPLY));
	}
	*w = *orig;
	w->answer_url = "data:text/html,<script>";
	refused(f, TMPL_ERROR_INPUT);
	f->waiting->pdata[0] = (gpointer)orig;
	g_free(w);
	localpart = cfg->from_localpart;
	cfg->from_localpart = g_strdup("bad local part");
	refused(f, TMPL_ERROR_CONFIG);
	g_free(cfg->from_localpart);
	cfg->from_localpart = localpart;
}

/* test_verify - the check refuses a digest that lost its list headers
 * or gained a script */
static void
test_verify(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(RenderedMail) mail = render_ok(f);
	gsize len;
	const char *data = g_bytes_get_data(mail->message, &len);
	g_autofree char *s = g_strndup(data, len);
	g_autofree char *lid = NULL;
	const char *to[] = { MEMBER, NULL };
	const char *none[] = { NULL };
	TmplExpect want = { .from = "intros@intro.example.org",
		.to = to,
		.cc = none,
		.subject = mail->subject,
		.message_id = mail->message_id,
		.flowed = TRUE,
		.list_id = "passalong digest <digest.intro.example.org>",
		.list_unsubscribe =
		    "<mailto:" TMPL_FACTS_DIGEST_UNSUB ">, <" UNSUB_URL ">",
		.one_click = TRUE };
	const char *const cuts[] = { "Precedence: bulk\r\n",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" };

	g_assert_true(tmpl_verify(mail->message, &want, NULL));
	for (gsize i = 0; i < G_N_ELEMENTS(cuts); i++) {
		g_autoptr(GString) cut = g_string_new(s);
		g_autoptr(GBytes) b = NULL;
		g_autoptr(GError) error = NULL;

		g_assert_cmpint(g_string_replace(cut, cuts[i], "", 1), ==, 1);
		b = g_bytes_new(cut->str, cut->len);
		g_assert_false(tmpl_verify(b, &want, &error));
		g_assert_error(error, TMPL_ERROR, TMPL_ERROR_VERIFY);
	}
	{
		g_autoptr(GString) bad = g_string_new(s);
		g_autoptr(GBytes) b = NULL;
		g_autoptr(GError) error = NULL;

		/* the HTML part is quoted-printable; "<body" starts a line */
		g_assert_cmpint(g_string_replace(bad, "<body ",
				    "<script>x()</script><body ", 1),
		    ==, 1);
		b = g_bytes_new(bad->str, bad->len);
		g_assert_false(tmpl_verify(b, &want, &error));
		g_assert_error(error, TMPL_ERROR, TMPL_ERROR_VERIFY);
	}
	want.list_id = lid = g_strdup("other <digest.intro.example.org>");
	g_assert_false(tmpl_verify(mail->message, &want, NULL));
}

/* test_defects - the warning count sees a defect GMime reports: the
 * digest's closing boundary cut, a header repeated in a part */
static void
test_defects(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(RenderedMail) mail = render_ok(f);
	gsize len;
	const char *data = g_bytes_get_data(mail->message, &len);
	const char *last = g_strrstr_len(data, (gssize)len, "\r\n--=-pa-");
	g_autoptr(GBytes) cut = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	guint warnings;

	g_assert_nonnull(last);
	cut = g_bytes_new(data, (gsize)(last - data) + 2);
	msg = parse(cut, &warnings);
	g_assert_nonnull(msg);
	g_assert_cmpuint(warnings, >, 0);
}

/* test_bounded - a long week: the sections cut, the counts whole */
static void
test_bounded(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	gpointer first = f->shared_by->pdata[0];
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;

	while (f->shared_by->len < 40)
		g_ptr_array_add(f->shared_by, first);
	mail = render_ok(f);
	g_assert_true(g_str_has_prefix(mail->subject, "Your week: 40 shared"));
	msg = reparse(mail->message);
	text = paras(msg);
	g_assert_nonnull(strstr(text, "And 15 more."));
}

/* test_same_bytes - the same facts, the same bytes; another clock,
 * another Message-ID */
static void
test_same_bytes(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(RenderedMail) a = render_ok(f);
	g_autoptr(RenderedMail) b = render_ok(f);
	g_autoptr(RenderedMail) c = NULL;

	g_assert_true(g_bytes_equal(a->message, b->message));
	f->now += 1;
	c = render_ok(f);
	g_assert_cmpstr(a->message_id, !=, c->message_id);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/templates/tmpl_render_digest/golden", test_golden);
	g_test_add_func("/templates/tmpl_render_digest/headers", test_headers);
	g_test_add_func("/templates/tmpl_render_digest/content", test_content);
	g_test_add_func("/templates/tmpl_digest_is_empty/cases", test_empty);
	g_test_add_func("/templates/tmpl_digest_subject/words", test_subject);
	g_test_add_func("/templates/tmpl_render_digest/hostile", test_hostile);
	g_test_add_func(
	    "/templates/tmpl_render_digest/withheld", test_withheld);
	g_test_add_func(
	    "/templates/tmpl_render_digest/unsubscribe", test_unsubscribe);
	g_test_add_func("/templates/tmpl_render_digest/refused", test_refused);
	g_test_add_func("/templates/tmpl_render_digest/verify", test_verify);
	g_test_add_func("/templates/tmpl_render_digest/defects", test_defects);
	g_test_add_func("/templates/tmpl_render_digest/bounded", test_bounded);
	g_test_add_func(
	    "/templates/tmpl_render_digest/same_bytes", test_same_bytes);
	return g_test_run();
}
