/*
 * test_tmpl_share.c - every kind of mail about a share, golden and read
 * back
 *
 * Each kind is rendered from the share of tmpl-facts.h with a fixed clock
 * (the Message-ID and the boundary are digests of the facts, so the bytes
 * are fixed too) and compared with tests/fixtures/templates/KIND.eml
 * (LF line ends; PA_UPDATE_GOLDEN=1 writes them from the source tree's
 * top_srcdir). Then it is parsed back with GMime and checked header by
 * header: who gets it, From, Reply-To, threading, format=flowed, lines,
 * the subject, the requester's address and the friend's reason where
 * they must not be. Other cases: people without names, an address in
 * the subject and the note, the pieces (flowed text, the excerpt, first
 * names) and the refusals.
 */
#include "config.h"

#include <string.h>

#include "common/gmime-autoptr.h"
#include "templates/tmpl.h"
#include "templates/tmpl_int.h"
#include "tests/unit/tmpl-facts.h"

#define MEMBER "chris@members.example"
#define FRIEND "jane@friends.example"
#define REPLY "intro+k3j5m7p9q2r4t6v8w2x4y6z8a3b5c7d9@intro.example.org"

/* render_ok - render kind from f, asserting success */
static RenderedMail *
render_ok(const char *kind, const ShareFacts *f)
{
	g_autoptr(GError) error = NULL;
	RenderedMail *mail = tmpl_render_share(kind, f, &error);

	g_assert_no_error(error);
	g_assert_nonnull(mail);
	g_assert_cmpstr(mail->kind, ==, kind);
	return mail;
}

/* reparse - the bytes as GMime reads them */
static GMimeMessage *
reparse(GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_assert_nonnull(msg);
	return msg;
}

/* lf - the bytes with CRLF read as LF (transfer full) */
static char *
lf(GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	g_autofree char *s = g_strndup(data, len);
	g_auto(GStrv) lines = g_strsplit(s, "\r\n", -1);

	return g_strjoinv("\n", lines);
}

/* part - alternative i, decoded, CRLF read as LF (transfer full) */
static char *
part(GMimeMessage *msg, int i)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeObject *p;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	g_assert_true(GMIME_IS_MULTIPART(body));
	p = g_mime_multipart_get_part(GMIME_MULTIPART(body), i);
	g_assert_true(GMIME_IS_TEXT_PART(p));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(p));
	lines = g_strsplit(text, "\r\n", -1);
	return g_strjoinv("\n", lines);
}

/* text_of - part i of msg read back as paragraphs */
static char *
text_of(GMimeMessage *msg, int i)
{
	g_autofree char *raw = part(msg, i);

	return tmpl_facts_unflow(raw);
}

/* assert_list - the list holds exactly these addresses */
static void
assert_list(InternetAddressList *list, const char *const *want)
{
	guint n = g_strv_length((char **)want);

	g_assert_cmpint(
	    list != NULL ? internet_address_list_length(list) : 0, ==, n);
	for (guint i = 0; i < n; i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, (int)i);

		g_assert_cmpstr(internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(ia)),
		    ==, want[i]);
	}
}

/* check_golden - the rendering is the golden file, byte for byte */
static void
check_golden(const char *kind, GBytes *bytes)
{
	g_autofree char *name = g_strdup_printf("%s.eml", kind);
	g_autofree char *got = lf(bytes);

	tmpl_facts_golden("templates", name, got);
}

/* check_text_lines - flowed, no line over 78 octets, reflows whole */
static void
check_text_lines(GMimeMessage *msg, const char *text)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeObject *plain =
	    g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	g_assert_cmpstr(
	    g_mime_object_get_content_type_parameter(plain, "format"), ==,
	    "flowed");
	g_assert_cmpstr(
	    g_mime_object_get_content_type_parameter(plain, "delsp"), ==,
	    "yes");
	for (guint i = 0; lines[i] != NULL; i++)
		g_assert_cmpuint(strlen(lines[i]), <=, 78);
}

/* test_golden - every kind, golden and checked header by header */
static void
test_golden(gconstpointer data)
{
	const char *kind = data;
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL, *html = NULL, *raw = NULL;
	GDateTime *date; /* transfer none */
	gboolean to_member = strcmp(kind, "confirmation") == 0 ||
			     strcmp(kind, "declined") == 0 ||
			     strcmp(kind, "expired") == 0 ||
			     strcmp(kind, "merged") == 0;
	gboolean intro = strcmp(kind, "intro") == 0;
	gboolean token = strcmp(kind, "consent") == 0 ||
			 strcmp(kind, "reminder") == 0 ||
			 strcmp(kind, "unclear") == 0;
	const char *from_name =
	    to_member ? "passalong" : "Chris Member via passalong";

	tmpl_facts_fill(&f, cfg, kind);
	mail = render_ok(kind, &f);
	check_golden(kind, mail->message);
	msg = reparse(mail->message);
	text = part(msg, 0);
	html = part(msg, 1);
	raw = lf(mail->message);

	assert_list(g_mime_message_get_from(msg),
	    (const char *const[]){ "intros@intro.example.org", NULL });
	g_assert_cmpstr(
	    internet_address_get_name(internet_address_list_get_address(
		g_mime_message_get_from(msg), 0)),
	    ==, from_name);
	if (to_member) {
		assert_list(g_mime_message_get_to(msg),
		    (const char *const[]){ MEMBER, NULL });
	} else if (intro) {
		assert_list(g_mime_message_get_to(msg),
		    (const char *const[]){
			FRIEND, TMPL_FACTS_REQUESTER, NULL });
		assert_list(g_mime_message_get_cc(msg),
		    (const char *const[]){ MEMBER, NULL });
	} else {
		assert_list(g_mime_message_get_to(msg),
		    (const char *const[]){ FRIEND, NULL });
	}
	if (!intro)
		g_assert_null(
		    g_mime_object_get_header(GMIME_OBJECT(msg), "Cc"));
	g_assert_null(g_mime_object_get_header(GMIME_OBJECT(msg), "Bcc"));
	g_assert_cmpuint(mail->rcpts->len, ==, intro ? 3 : 1);
	if (token)
		assert_list(g_mime_message_get_reply_to(msg),
		    (const char *const[]){ REPLY, NULL });
	else if (intro)
		assert_list(g_mime_message_get_reply_to(msg),
		    (const char *const[]){
			FRIEND, TMPL_FACTS_REQUESTER, NULL });
	else
		g_assert_null(
		    g_mime_object_get_header(GMIME_OBJECT(msg), "Reply-To"));
	g_assert_cmpstr(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"), ==,
	    "auto-generated");
	g_assert_cmpstr(
	    g_mime_message_get_message_id(msg), ==, mail->message_id);
	g_assert_true(g_str_has_suffix(mail->message_id, "@intro.example.org"));
	date = g_mime_message_get_date(msg);
	g_assert_nonnull(date);
	g_assert_cmpint(g_date_time_to_unix(date), ==, TMPL_FACTS_NOW);
	if (intro) {
		g_assert_cmpstr(
		    g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"),
		    ==, "<meetup-7@acme.example>");
		g_assert_cmpstr(
		    g_mime_object_get_header(GMIME_OBJECT(msg), "References"),
		    ==, "<meetup-7@acme.example>");
	} else {
		g_assert_null(
		    g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	}
	g_assert_null(strchr(mail->subject, '@'));
	g_assert_cmpstr(g_mime_message_get_subject(msg), ==, mail->subject);
	check_text_lines(msg, text);
	/* the requester's address: only in the introduction */
	g_assert_true((strstr(raw, TMPL_FACTS_REQUESTER) != NULL) == intro);
	g_assert_true((strstr(text, TMPL_FACTS_REQUESTER) != NULL) == intro);
	/* the friend's reason: only to the member, only when declined */
	g_assert_true((strstr(text, "March is full") != NULL) ==
		      (strcmp(kind, "declined") == 0));
	g_assert_true((strstr(html, "March is full") != NULL) ==
		      (strcmp(kind, "declined") == 0));
	/* greeted by first name, never by address */
	g_assert_true(g_str_has_prefix(text, to_member ? "Hi Chris,\n"
					     : intro   ? "Hi Jane and Dana,\n"
						       : "Hi Jane,\n"));
	g_assert_nonnull(strstr(text, "\n-- \n"));
	g_assert_nonnull(strstr(text, "postmaster@intro.example.org"));
}

/* test_words - what each kind must say */
static void
test_words(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	const struct {
		const char *kind, *subject, *says;
	} cases[] = {
		{ "consent",
		    "Chris thinks you'd be great for this: Speaker for the "
		    "March meetup",
		    "yes or no on the first line" },
		{ "consent", NULL, "Dana Scully at Acme Events" },
		{ "consent", NULL, "A no is never passed on to Dana" },
		{ "consent", NULL, "> We're putting together the March" },
		{ "reminder", NULL, "yes or no on the first line" },
		{ "intro", "Dana, meet Jane: Speaker for the March meetup",
		    "Dana, Jane is the person I'd ask \xe2\x80\x94 I'll let "
		    "you two take it from here." },
		{ "intro", NULL,
		    "Chris (cc'd \xe2\x80\x94 feel free to move me to Bcc)" },
		{ "intro", NULL, "Jane already said yes" },
		{ "intro", NULL, "Why I thought of Jane:" },
		{ "confirmation", NULL,
		    "Asked Jane whether they'd like an introduction to Dana; "
		    "you'll hear when Jane answers." },
		{ "declined", NULL,
		    "Jane passed on this one, and Dana won't hear about it." },
		{ "declined", NULL, "share+someone@intro.example.org" },
		{ "expired", NULL, "share+someone@intro.example.org" },
		{ "unclear", NULL, "yes or no on the first line" },
		{ "answered", NULL, "already answered" },
		{ "merged", "Already asked Jane: Speaker for the March meetup",
		    "Jane had already been asked whether they'd like an "
		    "introduction to Dana, so they won't be asked twice. "
		    "You're credited too: you'll hear when Jane answers." },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		ShareFacts f;
		g_autoptr(RenderedMail) mail = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		g_autofree char *text = NULL, *flat = NULL;

		tmpl_facts_fill(&f, cfg, cases[i].kind);
		mail = render_ok(cases[i].kind, &f);
		msg = reparse(mail->message);
		text = part(msg, 0);
		flat = tmpl_facts_unflow(text);
		if (cases[i].subject != NULL)
			g_assert_cmpstr(mail->subject, ==, cases[i].subject);
		if (strstr(flat, cases[i].says) == NULL)
			g_test_message("%s:\n%s", cases[i].kind, flat);
		g_assert_nonnull(strstr(flat, cases[i].says));
	}
}

/* test_consented - a confirmation after a yes, an intro without one */
static void
test_consented(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;
	g_autoptr(RenderedMail) conf = NULL, intro = NULL;
	g_autoptr(GMimeMessage) m1 = NULL, m2 = NULL;
	g_autofree char *t1 = NULL, *t2 = NULL;

	tmpl_facts_fill(&f, cfg, "confirmation");
	f.consented = TRUE;
	conf = render_ok("confirmation", &f);
	m1 = reparse(conf->message);
	t1 = text_of(m1, 0);
	g_assert_nonnull(strstr(t1, "Jane said yes"));
	g_assert_cmpstr(
	    conf->subject, ==, "Jane said yes: Speaker for the March meetup");
	tmpl_facts_fill(&f, cfg, "intro");
	f.consented = FALSE;
	intro = render_ok("intro", &f);
	m2 = reparse(intro->message);
	t2 = part(m2, 0);
	g_assert_null(strstr(t2, "said yes"));
}

/* test_unique_id - two rows of the same mail rendered in the same second
 * (two "how to answer" replies) are two messages: each Message-ID its
 * own (a client may drop a second message with an ID it has seen),
 * while one row rendered again reads as it was sent */
static void
test_unique_id(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;
	g_autoptr(RenderedMail) a = NULL, b = NULL, again = NULL;

	tmpl_facts_fill(&f, cfg, "unclear");
	f.outbox_id = 41;
	a = render_ok("unclear", &f);
	f.outbox_id = 42;
	b = render_ok("unclear", &f);
	again = render_ok("unclear", &f);
	g_assert_cmpstr(a->message_id, !=, b->message_id);
	g_assert_cmpstr(b->message_id, ==, again->message_id);
	g_assert_true(g_bytes_equal(b->message, again->message));
}

/* test_answer_link - with [web] base_url the consent request and its
 * reminder carry the answer page: the URL alone on a text line (a link
 * cannot wrap) and a real link in HTML; an unsafe URL is never written,
 * and other kinds never carry one */
static void
test_answer_link(void)
{
	static const char url[] =
	    "https://intro.example.org/c/k3j5m7p9q2r4t6v8w2x4y6z8a3";
	static const char *const bad[] = { "javascript:alert(1)",
		"https://x.example/\"onmouseover=\"x", "https://x.example/ a",
		"https://intro.example.org/a/path/long/enough/to/pass/"
		"seventy-two/columns/c/k3j5" };
	g_autoptr(Config) cfg = tmpl_facts_config();
	const char *kinds[] = { "consent", "reminder" };
	ShareFacts f;

	for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
		g_autoptr(RenderedMail) m = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		g_autofree char *text = NULL, *html = NULL;
		g_autofree char *line = g_strdup_printf("\n%s\n", url);
		g_autofree char *href = g_strdup_printf("<a href=\"%s\"", url);

		tmpl_facts_fill(&f, cfg, kinds[k]);
		f.answer_url = url;
		m = render_ok(kinds[k], &f);
		msg = reparse(m->message);
		text = part(msg, 0);
		html = part(msg, 1);
		g_assert_nonnull(strstr(text, "Or answer on the web:"));
		g_assert_nonnull(strstr(text, line));
		g_assert_nonnull(strstr(html, href));
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(RenderedMail) m = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		g_autofree char *html = NULL;

		tmpl_facts_fill(&f, cfg, "consent");
		f.answer_url = bad[i];
		m = render_ok("consent", &f);
		msg = reparse(m->message);
		html = part(msg, 1);
		g_assert_null(strstr(html, "<a href"));
		g_assert_null(strstr(html, "answer on the web"));
	}
	{
		g_autoptr(RenderedMail) m = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		g_autofree char *text = NULL;

		tmpl_facts_fill(&f, cfg, "intro");
		f.answer_url = url;
		m = render_ok("intro", &f);
		msg = reparse(m->message);
		text = part(msg, 0);
		g_assert_null(strstr(text, "/c/"));
	}
}

/* test_no_names - nobody named: neutral greetings, no address in any
 * subject, the requester never named by address before a yes */
static void
test_no_names(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();

	for (guint i = 0; tmpl_facts_kinds[i] != NULL; i++) {
		const char *kind = tmpl_facts_kinds[i];
		ShareFacts f;
		g_autoptr(RenderedMail) mail = NULL;
		g_autoptr(GMimeMessage) msg = NULL;
		g_autofree char *text = NULL;

		tmpl_facts_fill(&f, cfg, kind);
		f.member_name = NULL;
		f.friend_name = "jane@friends.example";
		f.requester_name = NULL;
		f.requester_org = NULL;
		f.subject = "Speaker wanted, write to dana@acme.example";
		mail = render_ok(kind, &f);
		msg = reparse(mail->message);
		text = part(msg, 0);
		g_assert_null(strchr(mail->subject, '@'));
		g_assert_true(g_str_has_prefix(text, "Hello"));
		g_assert_cmpstr(
		    internet_address_get_name(internet_address_list_get_address(
			g_mime_message_get_from(msg), 0)),
		    ==, "passalong");
		if (strcmp(kind, "intro") != 0)
			g_assert_null(strstr(text, TMPL_FACTS_REQUESTER));
	}
}

/* test_withheld - the requester's address in the note and the request
 * is withheld from the friend before a yes, and shown in the intro */
static void
test_withheld(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;
	g_autoptr(RenderedMail) consent = NULL, intro = NULL;
	g_autoptr(GMimeMessage) m1 = NULL, m2 = NULL;
	g_autofree char *t1 = NULL, *t2 = NULL;

	tmpl_facts_fill(&f, cfg, "consent");
	f.note = "Write to DANA@acme.example, Jane.";
	f.request_text = "Hi,\n\nPlease reply to dana@acme.example about "
			 "the talk.";
	f.requester_org = "dana@acme.example";
	consent = render_ok("consent", &f);
	m1 = reparse(consent->message);
	t1 = text_of(m1, 0);
	g_assert_null(g_strstr_len(t1, -1, "acme.example"));
	g_assert_nonnull(strstr(t1, "(address withheld)"));
	tmpl_facts_fill(&f, cfg, "intro");
	f.note = "Write to DANA@acme.example, Jane.";
	intro = render_ok("intro", &f);
	m2 = reparse(intro->message);
	t2 = part(m2, 0);
	g_assert_nonnull(strstr(t2, "DANA@acme.example"));
}

/* test_hostile_header - CR/LF and markup in names stay out of headers
 * and are escaped in HTML */
static void
test_hostile_header(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *html = NULL, *raw = NULL;

	tmpl_facts_fill(&f, cfg, "consent");
	f.member_name = "Chris\r\nBcc: evil@x.example";
	f.friend_name = "<b>Jane</b>";
	f.note = "<script>alert(1)</script>";
	f.subject = "Talk\r\nX-Evil: 1";
	mail = render_ok("consent", &f);
	msg = reparse(mail->message);
	raw = lf(mail->message);
	html = part(msg, 1);
	g_assert_null(strstr(raw, "\nBcc:"));
	g_assert_null(strstr(raw, "\nX-Evil:"));
	g_assert_null(strstr(html, "<script>"));
	g_assert_nonnull(strstr(html, "&lt;script&gt;"));
	g_assert_null(strstr(html, "<b>"));
}

/* test_flowed - long words, scripts without spaces and quotes wrap
 * within 76 octets and reflow to exactly what was written */
static void
test_flowed(void)
{
	const char *texts[] = {
		"short",
		"From the start, > not a quote, and a line that goes on and on "
		"well past the seventy-two columns of a flowed line of text.",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"東京での会議東京での会議東京での会議東京での会議東京での会議"
		"東京での会議東京での会議東京での会議東京での会議東京での会議",
		"مؤتمر في القاهرة مؤتمر في القاهرة مؤتمر في القاهرة مؤتمر في "
		"القاهرة مؤتمر في القاهرة مؤتمر في القاهرة",
		"two  spaces  between  words  two  spaces  between  words  two "
		" "
		"spaces  between  words",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autoptr(GPtrArray) blocks = tmpl_blocks_new();
		g_autofree char *out = NULL, *back = NULL, *want = NULL;
		g_auto(GStrv) lines = NULL;

		tmpl_add_block(blocks, BLOCK_PARA, texts[i]);
		out = tmpl_blocks_flowed(blocks);
		lines = g_strsplit(out, "\n", -1);
		for (guint j = 0; lines[j] != NULL; j++) {
			g_assert_cmpuint(strlen(lines[j]), <=, 76);
			g_assert_true(lines[j][0] != '>');
			g_assert_false(g_str_has_prefix(lines[j], "From "));
		}
		back = tmpl_facts_unflow(out);
		want = g_strdup_printf("%s\n", texts[i]);
		g_assert_cmpstr(back, ==, want);
	}
}

/* test_excerpt - the greeting skipped, the signature left out, cut */
static void
test_excerpt(void)
{
	g_autofree char *a = tmpl_excerpt(
	    "Hi Chris,\n\nCan you speak in March?\nIt pays.\n\n-- \nDana", 220);
	g_autofree char *b = NULL, *c = NULL;
	GString *longer = g_string_new(NULL);

	g_assert_cmpstr(a, ==, "Can you speak in March? It pays.");
	for (int i = 0; i < 30; i++)
		g_string_append(longer, "We need a speaker. ");
	b = tmpl_excerpt(longer->str, 100);
	g_assert_cmpint(g_utf8_strlen(b, -1), <=, 100);
	g_assert_true(g_str_has_suffix(b, "speaker."));
	c = tmpl_excerpt("Hello,\n\n> quoted only\n", 100);
	g_assert_null(c);
	g_string_free(longer, TRUE);
}

/* test_first_name - the name to greet someone by */
static void
test_first_name(void)
{
	const char *cases[][2] = { { "Jane Friend", "Jane" },
		{ "Doe, John", "John" }, { "Dr. Ana Lima", "Ana" },
		{ "\"Mx Sam\"", "Sam" }, { "Prof", "Prof" },
		{ "jane@friends.example", NULL }, { "   ", NULL },
		{ "1234", NULL }, { "山田太郎", "山田太郎" },
		{ "Zoë Ångström", "Zoë" } };

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = tmpl_first_name(cases[i][0]);

		g_assert_cmpstr(got, ==, cases[i][1]);
	}
	g_assert_null(tmpl_first_name(NULL));
}

/* assert_refused - kind from f is refused with code */
static void
assert_refused(const char *kind, const ShareFacts *f, TmplError code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = tmpl_render_share(kind, f, &error);

	g_assert_null(mail);
	g_assert_error(error, TMPL_ERROR, (gint)code);
}

/* test_refused - what cannot be written is refused, never rendered */
static void
test_refused(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;

	tmpl_facts_fill(&f, cfg, "consent");
	assert_refused("nonsense", &f, TMPL_ERROR_INPUT);
	assert_refused(NULL, &f, TMPL_ERROR_INPUT);
	f.reply_address = NULL;
	assert_refused("consent", &f, TMPL_ERROR_INPUT);
	assert_refused("unclear", &f, TMPL_ERROR_INPUT);
	f.reply_address = "intro+x@elsewhere.example";
	assert_refused("reminder", &f, TMPL_ERROR_INPUT);
	tmpl_facts_fill(&f, cfg, "intro");
	f.friend_address = "jane@intro.example.org";
	assert_refused("intro", &f, TMPL_ERROR_INPUT);
	f.friend_address = "jane\r\n@friends.example";
	assert_refused("intro", &f, TMPL_ERROR_INPUT);
	f.friend_address = TMPL_FACTS_REQUESTER;
	assert_refused("intro", &f, TMPL_ERROR_INPUT);
	tmpl_facts_fill(&f, cfg, "declined");
	f.requester_address = NULL;
	assert_refused("declined", &f, TMPL_ERROR_INPUT);
	tmpl_facts_fill(&f, cfg, "expired");
	f.now = 0;
	assert_refused("expired", &f, TMPL_ERROR_INPUT);
	tmpl_facts_fill(&f, cfg, "expired");
	f.cfg = NULL;
	assert_refused("expired", &f, TMPL_ERROR_CONFIG);
}

/* test_verify_share - the check refuses what the share kinds must not
 * send: an address that must be absent, text that is not flowed */
static void
test_verify_share(void)
{
	g_autoptr(Config) cfg = tmpl_facts_config();
	ShareFacts f;
	g_autoptr(RenderedMail) mail = NULL, intro = NULL;
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
	const char *to[] = { FRIEND, NULL };
	const char *to2[] = { FRIEND, TMPL_FACTS_REQUESTER, NULL };
	const char *cc[] = { MEMBER, NULL };
	const char *none[] = { NULL };
	const char *reply[] = { REPLY, NULL };
	TmplExpect want;

	tmpl_facts_fill(&f, cfg, "consent");
	mail = render_ok("consent", &f);
	want = (TmplExpect){ .from = "intros@intro.example.org",
		.to = to,
		.cc = none,
		.subject = mail->subject,
		.message_id = mail->message_id,
		.reply_to = reply,
		.absent = "chris@members.example",
		.flowed = TRUE };
	g_assert_false(tmpl_verify(mail->message, &want, &e1));
	g_assert_error(e1, TMPL_ERROR, TMPL_ERROR_VERIFY);
	want.absent = NULL;
	want.reply_to = to;
	g_assert_false(tmpl_verify(mail->message, &want, &e2));
	g_assert_error(e2, TMPL_ERROR, TMPL_ERROR_VERIFY);
	/* the old introduction is not flowed */
	tmpl_facts_fill(&f, cfg, "intro");
	intro = render_ok("intro", &f);
	want = (TmplExpect){ .from = "intros@intro.example.org",
		.to = to2,
		.cc = cc,
		.subject = intro->subject,
		.message_id = intro->message_id,
		.flowed = TRUE };
	g_assert_true(tmpl_verify(intro->message, &want, NULL));
	want.absent = TMPL_FACTS_REQUESTER;
	g_assert_false(tmpl_verify(intro->message, &want, &e3));
	g_assert_error(e3, TMPL_ERROR, TMPL_ERROR_VERIFY);
}

/* main - the share kinds' tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	for (guint i = 0; tmpl_facts_kinds[i] != NULL; i++) {
		g_autofree char *path =
		    g_strdup_printf("/templates/tmpl_render_share/golden/%s",
			tmpl_facts_kinds[i]);

		g_test_add_data_func(path, tmpl_facts_kinds[i], test_golden);
	}
	g_test_add_func("/templates/tmpl_render_share/words", test_words);
	g_test_add_func(
	    "/templates/tmpl_render_share/unique_id", test_unique_id);
	g_test_add_func(
	    "/templates/tmpl_render_share/consented", test_consented);
	g_test_add_func("/templates/tmpl_render_share/no_names", test_no_names);
	g_test_add_func(
	    "/templates/tmpl_render_share/answer_link", test_answer_link);
	g_test_add_func("/templates/tmpl_render_share/withheld", test_withheld);
	g_test_add_func(
	    "/templates/tmpl_render_share/hostile_header", test_hostile_header);
	g_test_add_func("/templates/tmpl_render_share/refused", test_refused);
	g_test_add_func("/templates/tmpl_blocks_flowed/wrap", test_flowed);
	g_test_add_func("/templates/tmpl_excerpt/cases", test_excerpt);
	g_test_add_func("/templates/tmpl_first_name/cases", test_first_name);
	g_test_add_func("/templates/tmpl_verify/share", test_verify_share);
	return g_test_run();
}
