/*
 * test_templates.c - the introduction, rendered and read back with GMime
 *
 * Every case renders an introduction from a Forward built by hand, then
 * parses the bytes with GMime as a receiving client would and checks
 * the headers and both alternatives. Hostile cases put header
 * injections, markup and non-ASCII text in every field that comes from
 * mail. tmpl_verify() is also fed broken messages directly, so that the
 * last check is shown to refuse what it must.
 */
#include "config.h"

#include <string.h>

#include "common/gmime-autoptr.h"
#include "templates/tmpl.h"
#include "templates/tmpl_int.h"

#define NOW 1700000000 /* Tue, 14 Nov 2023 22:13:20 +0000 */

typedef struct {
	Config *cfg;
	Forward *fwd;
	IntroContext ctx;
} Setup;

/* setup_new - a complete, ordinary introduction context */
static Setup *
setup_new(void)
{
	Setup *s = g_new0(Setup, 1);
	FwdMessage *o;

	s->cfg = config_new_default();
	g_free(s->cfg->domain);
	s->cfg->domain = g_strdup("intro.example.org");
	s->fwd = forward_new();
	s->fwd->forwarded = TRUE;
	s->fwd->kind = FORWARD_KIND_INLINE;
	s->fwd->note = g_strdup("Jane, you'd be perfect for this.\n\nChris");
	o = s->fwd->original = fwd_message_new();
	o->from = fwd_address_new("John Doe", "john.doe@acme.com");
	o->subject = g_strdup("Integer consequat non purus");
	o->date = g_strdup("2021-10-27T09:31:00+02:00");
	o->date_raw = g_strdup("Wed, Oct 27, 2021 at 9:31 AM");
	o->message_id = g_strdup("orig-42@acme.com");
	o->body = g_strdup("Aenean quis diam urna.\n\nCould you speak at our "
			   "meetup in March?\n\nJohn");
	s->ctx = (IntroContext){ .cfg = s->cfg,
		.member_address = "chris@members.example",
		.member_name = "Chris Member",
		.friend_address = "jane@friends.example",
		.friend_name = "Jane Friend",
		.requester_address = "john.doe@acme.com",
		.requester_name = "John Doe",
		.fwd = s->fwd,
		.forward_message_id = "<fwd-7@members.example>",
		.now = NOW };
	return s;
}

/* setup_free - free a setup */
static void
setup_free(Setup *s)
{
	config_free(s->cfg);
	forward_free(s->fwd);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Setup, setup_free)

/* render_ok - render, asserting success */
static RenderedMail *
render_ok(const Setup *s)
{
	g_autoptr(GError) error = NULL;
	RenderedMail *mail = tmpl_render_intro(&s->ctx, &error);

	g_assert_no_error(error);
	g_assert_nonnull(mail);
	return mail;
}

/* reparse - the rendered bytes as GMime reads them */
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

/* part_text - the decoded text of alternative i, CRLF read as LF */
static char *
part_text(GMimeMessage *msg, int i)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeObject *part;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	g_assert_true(GMIME_IS_MULTIPART(body));
	part = g_mime_multipart_get_part(GMIME_MULTIPART(body), i);
	g_assert_true(GMIME_IS_TEXT_PART(part));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	lines = g_strsplit(text, "\r\n", -1);
	return g_strjoinv("\n", lines);
}

/* raw_headers - the header section of the bytes, as sent */
static char *
raw_headers(GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	const char *end = g_strstr_len(data, (gssize)len, "\r\n\r\n");

	g_assert_nonnull(end);
	return g_strndup(data, (gsize)(end - data + 2));
}

/* assert_mailbox - entry i of list has this name and address */
static void
assert_mailbox(
    InternetAddressList *list, int i, const char *name, const char *addr)
{
	InternetAddress *ia = internet_address_list_get_address(list, i);

	g_assert_true(INTERNET_ADDRESS_IS_MAILBOX(ia));
	g_assert_cmpstr(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), ==,
	    addr);
	if (name == NULL) /* GMime reads a missing name as "" */
		g_assert_cmpstr(internet_address_get_name(ia), ==, "");
	else
		g_assert_cmpstr(internet_address_get_name(ia), ==, name);
}

/* assert_lines_ok - every line of the bytes is CRLF and short */
static void
assert_lines_ok(GBytes *bytes)
{
	gsize len, col = 0;
	const char *p = g_bytes_get_data(bytes, &len);

	for (gsize i = 0; i < len; i++) {
		if (p[i] == '\n') {
			g_assert_true(i > 0 && p[i - 1] == '\r');
			col = 0;
		} else if (p[i] == '\r') {
			g_assert_true(i + 1 < len && p[i + 1] == '\n');
		} else {
			col++;
			g_assert_cmpuint(col, <=, 998);
		}
	}
}

/* test_headers - every header of an ordinary introduction */
static void
test_headers(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = render_ok(s);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	GMimeObject *obj = GMIME_OBJECT(msg);
	GDateTime *date; /* transfer none */
	g_autofree char *want_id = NULL;

	g_assert_cmpstr(mail->kind, ==, "intro");
	g_assert_cmpstr(mail->mail_from, ==, "intros@intro.example.org");
	g_assert_cmpuint(mail->rcpts->len, ==, 3);
	g_assert_cmpstr(
	    g_ptr_array_index(mail->rcpts, 0), ==, "jane@friends.example");
	g_assert_cmpstr(
	    g_ptr_array_index(mail->rcpts, 1), ==, "john.doe@acme.com");
	g_assert_cmpstr(
	    g_ptr_array_index(mail->rcpts, 2), ==, "chris@members.example");
	g_assert_cmpstr(mail->subject, ==,
	    "Introduction: Jane Friend <> John Doe \xe2\x80\x94 Integer "
	    "consequat non purus");
	g_assert_cmpint(
	    internet_address_list_length(g_mime_message_get_from(msg)), ==, 1);
	assert_mailbox(g_mime_message_get_from(msg), 0,
	    "Chris Member via passalong", "intros@intro.example.org");
	g_assert_cmpint(
	    internet_address_list_length(g_mime_message_get_to(msg)), ==, 2);
	assert_mailbox(g_mime_message_get_to(msg), 0, "Jane Friend",
	    "jane@friends.example");
	assert_mailbox(
	    g_mime_message_get_to(msg), 1, "John Doe", "john.doe@acme.com");
	g_assert_cmpint(
	    internet_address_list_length(g_mime_message_get_cc(msg)), ==, 1);
	assert_mailbox(g_mime_message_get_cc(msg), 0, "Chris Member",
	    "chris@members.example");
	g_assert_cmpint(
	    internet_address_list_length(g_mime_message_get_reply_to(msg)), ==,
	    2);
	assert_mailbox(g_mime_message_get_reply_to(msg), 0, "Jane Friend",
	    "jane@friends.example");
	assert_mailbox(g_mime_message_get_reply_to(msg), 1, "John Doe",
	    "john.doe@acme.com");
	g_assert_cmpstr(g_mime_message_get_subject(msg), ==, mail->subject);
	g_assert_cmpstr(
	    g_mime_message_get_message_id(msg), ==, mail->message_id);
	g_assert_true(g_str_has_suffix(mail->message_id, "@intro.example.org"));
	want_id = g_strdup_printf("<%s>", mail->message_id);
	g_assert_cmpstr(
	    g_mime_object_get_header(obj, "Message-ID"), ==, want_id);
	date = g_mime_message_get_date(msg);
	g_assert_nonnull(date);
	g_assert_cmpint(g_date_time_to_unix(date), ==, NOW);
	g_assert_cmpstr(g_mime_object_get_header(obj, "Auto-Submitted"), ==,
	    "auto-generated");
	g_assert_cmpstr(
	    g_mime_object_get_header(obj, "X-Passalong-Kind"), ==, "intro");
	g_assert_cmpstr(g_mime_object_get_header(obj, "In-Reply-To"), ==,
	    "<orig-42@acme.com>");
	g_assert_cmpstr(g_mime_object_get_header(obj, "References"), ==,
	    "<orig-42@acme.com> <fwd-7@members.example>");
	g_assert_null(g_mime_object_get_header(obj, "Bcc"));
	assert_lines_ok(mail->message);
}

/* test_alternatives - text/plain and text/html, both UTF-8 */
static void
test_alternatives(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = render_ok(s);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeMultipart *mp;

	g_assert_true(GMIME_IS_MULTIPART(body));
	g_assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(body), "multipart", "alternative"));
	mp = GMIME_MULTIPART(body);
	g_assert_cmpint(g_mime_multipart_get_count(mp), ==, 2);
	for (int i = 0; i < 2; i++) {
		GMimeObject *part = g_mime_multipart_get_part(mp, i);
		GMimeContentType *ct = g_mime_object_get_content_type(part);

		g_assert_true(g_mime_content_type_is_type(
		    ct, "text", i == 0 ? "plain" : "html"));
		g_assert_cmpstr(
		    g_mime_content_type_get_parameter(ct, "charset"), ==,
		    "utf-8");
	}
}

/* test_text - the plain text: greeting, request, note, Bcc line, quote */
static void
test_text(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = render_ok(s);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	g_autofree char *text = part_text(msg, 0);

	g_assert_true(
	    g_str_has_prefix(text, "Hello Jane Friend and John Doe,\n"));
	g_assert_nonnull(strstr(text, "John Doe (john.doe@acme.com) wrote to "
				      "Chris Member on 27 October 2021 about "
				      "\xe2\x80\x9cInteger consequat non "
				      "purus\xe2\x80\x9d."));
	g_assert_nonnull(strstr(text, "Jane Friend (jane@friends.example)"));
	g_assert_nonnull(strstr(text, "In Chris Member's words:\n\n"
				      "    \xe2\x80\x9cJane, you'd be perfect "
				      "for this.\n\n    Chris\xe2\x80\x9d\n"));
	g_assert_nonnull(strstr(text, "Chris Member \xe2\x80\x94 feel free to "
				      "move me to Bcc."));
	g_assert_nonnull(strstr(text, "> Aenean quis diam urna.\n>\n> Could "
				      "you speak at our meetup in March?\n>\n"
				      "> John\n"));
	g_assert_null(strstr(text, "\r"));
	g_assert_null(strstr(text, "shortened"));
}

/* test_html - the same content in HTML, escaped */
static void
test_html(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = render_ok(s);
	g_autoptr(GMimeMessage) msg = reparse(mail->message);
	g_autofree char *html = part_text(msg, 1);

	g_assert_true(g_str_has_prefix(html, "<!DOCTYPE html>"));
	g_assert_nonnull(strstr(html, "<title>Introduction: Jane Friend "
				      "&lt;&gt; John Doe"));
	g_assert_nonnull(strstr(html, "Hello Jane Friend and John Doe,</p>"));
	g_assert_nonnull(strstr(html, "Jane, you&#39;d be perfect"));
	g_assert_nonnull(strstr(html, "feel free to move me to Bcc."));
	g_assert_nonnull(strstr(html, "<blockquote"));
	g_assert_nonnull(strstr(html, "Could you speak at our meetup in "
				      "March?"));
	g_assert_nonnull(strstr(html, "</html>"));
}

/* test_forward_chain - issue 8 defect 7: a forward of a forward
 * introduces the author of the innermost message and names, without
 * mailing them, the people who passed it on */
static void
test_forward_chain(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(GPtrArray) passed = g_ptr_array_new();
	g_autoptr(FwdAddress) sam =
	    fwd_address_new("Sam <b>&</b>", "sam@x.example");
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;
	g_autofree char *html = NULL;
	FwdMessage *o = s->fwd->original, *inner = fwd_message_new();

	fwd_address_free(o->from);
	o->from = fwd_address_new("Eve Middle", "eve@middle.example");
	g_free(o->body);
	o->body = g_strdup("Chris, I thought of you.\n\n---------- Forwarded "
			   "message ---------\nFrom: Pat\n\nWould you?");
	inner->from = fwd_address_new("Pat Organizer", "pat@events.example");
	inner->subject = g_strdup("Keynote in Porto");
	inner->date = g_strdup("2026-11-13T16:05:00+01:00");
	inner->body = g_strdup("Would you give the keynote in Porto?");
	g_ptr_array_add(s->fwd->chain, inner);
	g_ptr_array_add(passed, o->from);
	g_ptr_array_add(passed, sam);
	s->ctx.requester_address = "pat@events.example";
	s->ctx.requester_name = "Pat Organizer";
	s->ctx.request = inner;
	s->ctx.passed_by = passed;
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	html = part_text(msg, 1);
	g_assert_nonnull(strstr(text, "Pat Organizer (pat@events.example) "
				      "wrote to Eve Middle on 13 November "
				      "2026 about \xe2\x80\x9cKeynote in "
				      "Porto\xe2\x80\x9d."));
	g_assert_nonnull(strstr(text, "Eve Middle passed this to Sam <b>&</b>, "
				      "who passed it to Chris Member, who "
				      "thought of Jane Friend "
				      "(jane@friends.example) for it."));
	g_assert_nonnull(
	    strstr(text, "> Would you give the keynote in Porto?"));
	g_assert_null(strstr(text, "I thought of you"));
	g_assert_nonnull(strstr(html, "Eve Middle passed this to Sam "
				      "&lt;b&gt;&amp;&lt;/b&gt;, who passed"));
	g_assert_null(strstr(html, "<b>&"));
	for (guint i = 0; i < mail->rcpts->len; i++) {
		g_assert_cmpstr(
		    mail->rcpts->pdata[i], !=, "eve@middle.example");
		g_assert_cmpstr(mail->rcpts->pdata[i], !=, "sam@x.example");
	}
	g_assert_true(g_str_has_prefix(mail->subject,
	    "Introduction: Jane Friend <> Pat Organizer \xe2\x80\x94 "
	    "Keynote in Porto"));
}

/* test_injection - CR/LF and "Bcc:" in names stay inside one name */
static void
test_injection(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *head = NULL;
	g_autofree char *lower = NULL;

	s->ctx.friend_name = "Jane\r\nBcc: evil@x.example";
	s->ctx.requester_name = "John\nTo: victim@y.example\r\n\r\nbody";
	s->ctx.member_name = "Chris\rCc: evil@x.example";
	g_free(s->fwd->original->subject);
	s->fwd->original->subject = g_strdup("Talk\r\nBcc: evil@x.example");
	mail = render_ok(s);
	msg = reparse(mail->message);
	head = raw_headers(mail->message);
	lower = g_ascii_strdown(head, -1);
	g_assert_null(strstr(lower, "\r\nbcc:"));
	g_assert_null(g_mime_object_get_header(GMIME_OBJECT(msg), "Bcc"));
	g_assert_cmpint(
	    internet_address_list_length(g_mime_message_get_to(msg)), ==, 2);
	assert_mailbox(g_mime_message_get_to(msg), 0,
	    "Jane Bcc: evil@x.example", "jane@friends.example");
	assert_mailbox(g_mime_message_get_to(msg), 1,
	    "John To: victim@y.example body", "john.doe@acme.com");
	g_assert_cmpint(
	    internet_address_list_length(g_mime_message_get_cc(msg)), ==, 1);
	assert_mailbox(g_mime_message_get_cc(msg), 0, "ChrisCc: evil@x.example",
	    "chris@members.example");
	g_assert_cmpuint(mail->rcpts->len, ==, 3);
	for (guint i = 0; i < mail->rcpts->len; i++) {
		const char *r = g_ptr_array_index(mail->rcpts, i);

		g_assert_cmpstr(r, !=, "evil@x.example");
		g_assert_cmpstr(r, !=, "victim@y.example");
	}
	g_assert_null(strchr(mail->subject, '\n'));
	g_assert_null(strchr(mail->subject, '\r'));
	g_assert_nonnull(strstr(mail->subject, "Talk Bcc: evil@x.example"));
	assert_lines_ok(mail->message);
}

/* test_markup - <script> is escaped in HTML and intact in text */
static void
test_markup(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;
	g_autofree char *html = NULL;

	g_free(s->fwd->note);
	s->fwd->note = g_strdup("<script>alert('note')</script> & \"more\"");
	g_free(s->fwd->original->body);
	s->fwd->original->body = g_strdup("<script>alert(1)</script>\n"
					  "<img src=x onerror=alert(2)>");
	s->ctx.friend_name = "<b>Jane</b>";
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	html = part_text(msg, 1);
	g_assert_nonnull(strstr(text, "<script>alert('note')</script> & "
				      "\"more\""));
	g_assert_nonnull(strstr(text, "> <script>alert(1)</script>\n"
				      "> <img src=x onerror=alert(2)>\n"));
	g_assert_nonnull(strstr(text, "Hello <b>Jane</b> and"));
	g_assert_null(strstr(html, "<script"));
	g_assert_null(strstr(html, "<img"));
	g_assert_null(strstr(html, "<b>"));
	g_assert_nonnull(
	    strstr(html, "&lt;script&gt;alert(&#39;note&#39;)"
			 "&lt;/script&gt; &amp; &quot;more&quot;"));
	g_assert_nonnull(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"));
	g_assert_nonnull(strstr(html, "Hello &lt;b&gt;Jane&lt;/b&gt; and"));
}

/* test_non_ascii - names and subject in RFC 2047, decoded back intact */
static void
test_non_ascii(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *head = NULL;
	g_autofree char *text = NULL;

	s->ctx.friend_name = "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m";
	s->ctx.requester_name = "J\xc3\xbcrgen M\xc3\xbcller";
	s->ctx.member_name =
	    "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e";
	g_free(s->fwd->original->subject);
	s->fwd->original->subject = g_strdup("Vortrag \xc3\xbc"
					     "ber \xc3\x96konomie");
	mail = render_ok(s);
	msg = reparse(mail->message);
	head = raw_headers(mail->message);
	for (const char *p = head; *p; p++)
		g_assert_cmpint((guchar)*p, <, 0x80);
	g_assert_nonnull(strstr(head, "=?UTF-8?"));
	assert_mailbox(g_mime_message_get_to(msg), 0,
	    "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m", "jane@friends.example");
	assert_mailbox(g_mime_message_get_to(msg), 1,
	    "J\xc3\xbcrgen M\xc3\xbcller", "john.doe@acme.com");
	assert_mailbox(g_mime_message_get_from(msg), 0,
	    "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e via passalong",
	    "intros@intro.example.org");
	g_assert_cmpstr(g_mime_message_get_subject(msg), ==,
	    "Introduction: Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m <> "
	    "J\xc3\xbcrgen M\xc3\xbcller \xe2\x80\x94 Vortrag \xc3\xbc"
	    "ber \xc3\x96konomie");
	text = part_text(msg, 0);
	g_assert_true(g_str_has_prefix(text, "Hello Zo\xc3\xab "
					     "\xc3\x85ngstr\xc3\xb6m and "
					     "J\xc3\xbcrgen M\xc3\xbcller,"));
}

/* test_latin_text - text that fits ISO-8859-1 still goes out as UTF-8:
 * both alternatives say charset=utf-8 and their bytes are UTF-8 */
static void
test_latin_text(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;
	g_autofree char *html = NULL;

	s->ctx.friend_name = "Zo\xc3\xab";
	s->ctx.requester_name = "J\xc3\xbcrgen";
	s->ctx.member_name = "Chris";
	g_free(s->fwd->note);
	s->fwd->note = g_strdup("Un caf\xc3\xa9, Zo\xc3\xab?");
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	html = part_text(msg, 1);
	g_assert_true(g_utf8_validate(text, -1, NULL));
	g_assert_true(
	    g_str_has_prefix(text, "Hello Zo\xc3\xab and J\xc3\xbcrgen,"));
	g_assert_nonnull(strstr(text, "Un caf\xc3\xa9, Zo\xc3\xab?"));
	g_assert_true(g_utf8_validate(html, -1, NULL));
	g_assert_nonnull(strstr(html, "Un caf\xc3\xa9, Zo\xc3\xab?"));
}

/* test_long_subject - the subject stays under 200 characters */
static void
test_long_subject(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	GString *topic = g_string_new(NULL);

	for (int i = 0; i < 300; i++)
		g_string_append(topic, "w\xc3\xb6rd ");
	g_free(s->fwd->original->subject);
	s->fwd->original->subject = g_string_free(topic, FALSE);
	mail = render_ok(s);
	msg = reparse(mail->message);
	g_assert_cmpint(g_utf8_strlen(mail->subject, -1), <=, 200);
	g_assert_cmpint(g_utf8_strlen(mail->subject, -1), >, 150);
	g_assert_true(g_str_has_suffix(mail->subject, "\xe2\x80\xa6"));
	g_assert_true(g_str_has_prefix(mail->subject,
	    "Introduction: Jane Friend <> John Doe \xe2\x80\x94 w\xc3\xb6rd"));
	g_assert_cmpstr(g_mime_message_get_subject(msg), ==, mail->subject);
	assert_lines_ok(mail->message);
}

/* test_long_body - the quote stops at 200 lines with a marker */
static void
test_long_body(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;
	GString *body = g_string_new(NULL);
	guint quoted = 0;
	g_auto(GStrv) lines = NULL;

	for (int i = 0; i < 500; i++)
		g_string_append_printf(body, "line %d\n", i);
	g_string_append(body, "LAST LINE");
	g_free(s->fwd->original->body);
	s->fwd->original->body = g_string_free(body, FALSE);
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		quoted += g_str_has_prefix(lines[i], "> line ");
	g_assert_cmpuint(quoted, ==, 200);
	g_assert_nonnull(
	    strstr(text, "> line 199\n> [\xe2\x80\xa6 shortened]"));
	g_assert_null(strstr(text, "LAST LINE"));
}

/* test_huge_line - one 100 KB line is cut to 20 KB, lines stay short */
static void
test_huge_line(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;

	g_free(s->fwd->original->body);
	s->fwd->original->body = g_strnfill(100000, 'x');
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	g_assert_cmpuint(strlen(text), <, 30000);
	g_assert_nonnull(strstr(text, "shortened]"));
	assert_lines_ok(mail->message);
}

/* test_empty_note - no note: a plain sentence, no quoted words */
static void
test_empty_note(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;

	g_free(s->fwd->note);
	s->fwd->note = g_strdup(" \n\t\n ");
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	g_assert_nonnull(strstr(text, "Chris Member thought you two should "
				      "meet."));
	g_assert_null(strstr(text, "words:"));
	g_clear_pointer(&s->fwd->note, g_free);
	g_clear_pointer(&mail, rendered_mail_free);
	g_clear_pointer(&msg, g_object_unref);
	g_clear_pointer(&text, g_free);
	mail = render_ok(s);
	msg = reparse(mail->message);
	text = part_text(msg, 0);
	g_assert_nonnull(strstr(text, "Chris Member thought you two should "
				      "meet."));
}

/* test_no_names - missing names fall back to addresses */
static void
test_no_names(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;

	s->ctx.requester_name = NULL;
	s->ctx.friend_name = "   ";
	s->ctx.member_name = NULL;
	mail = render_ok(s);
	msg = reparse(mail->message);
	g_assert_cmpstr(mail->subject, ==,
	    "Introduction: jane@friends.example <> john.doe@acme.com "
	    "\xe2\x80\x94 Integer consequat non purus");
	assert_mailbox(
	    g_mime_message_get_to(msg), 0, NULL, "jane@friends.example");
	assert_mailbox(
	    g_mime_message_get_to(msg), 1, NULL, "john.doe@acme.com");
	assert_mailbox(g_mime_message_get_from(msg), 0,
	    "chris@members.example via passalong", "intros@intro.example.org");
	text = part_text(msg, 0);
	g_assert_true(g_str_has_prefix(text, "Hello jane@friends.example and "
					     "john.doe@acme.com,"));
	g_assert_nonnull(strstr(text, "john.doe@acme.com wrote to "
				      "chris@members.example on 27 October"));
}

/* test_sparse_original - no subject, no date, no body, no ids */
static void
test_sparse_original(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *text = NULL;
	FwdMessage *o = s->fwd->original;

	g_clear_pointer(&o->subject, g_free);
	g_clear_pointer(&o->date, g_free);
	g_clear_pointer(&o->body, g_free);
	g_clear_pointer(&o->message_id, g_free);
	s->ctx.forward_message_id = "not an id";
	mail = render_ok(s);
	msg = reparse(mail->message);
	g_assert_cmpstr(
	    mail->subject, ==, "Introduction: Jane Friend <> John Doe");
	g_assert_null(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	g_assert_null(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
	text = part_text(msg, 0);
	g_assert_nonnull(strstr(text, "wrote to Chris Member on Wed, Oct 27, "
				      "2021 at 9:31 AM. Chris"));
	g_assert_null(strstr(text, "original message"));
}

/* test_dedup - the member as requester: two recipients, no Cc */
static void
test_dedup(void)
{
	g_autoptr(Setup) s = setup_new();
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;

	s->ctx.member_address = "JOHN.DOE@acme.com";
	mail = render_ok(s);
	msg = reparse(mail->message);
	g_assert_cmpuint(mail->rcpts->len, ==, 2);
	g_assert_cmpstr(
	    g_ptr_array_index(mail->rcpts, 0), ==, "jane@friends.example");
	g_assert_cmpstr(
	    g_ptr_array_index(mail->rcpts, 1), ==, "john.doe@acme.com");
	g_assert_null(g_mime_object_get_header(GMIME_OBJECT(msg), "Cc"));
}

/* assert_refused_as - rendering fails with the given TMPL_ERROR code */
static void
assert_refused_as(const Setup *s, TmplError code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = tmpl_render_intro(&s->ctx, &error);

	g_assert_null(mail);
	g_assert_error(error, TMPL_ERROR, (gint)code);
}

/* assert_refused - rendering fails with TMPL_ERROR_INPUT */
static void
assert_refused(const Setup *s)
{
	assert_refused_as(s, TMPL_ERROR_INPUT);
}

/* test_refuse_addresses - unsafe addresses and loops are refused */
static void
test_refuse_addresses(void)
{
	const char *bad[] = { NULL, "", "jane", "jane@", "@x.example",
		"jane@friends.example\r\nRCPT TO:<evil@x.example>",
		"jane doe@friends.example", "<jane@friends.example>",
		"a@b@c.example", "jane@friends..example" };

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		for (int who = 0; who < 3; who++) {
			g_autoptr(Setup) s = setup_new();

			if (who == 0)
				s->ctx.member_address = bad[i];
			else if (who == 1)
				s->ctx.friend_address = bad[i];
			else
				s->ctx.requester_address = bad[i];
			assert_refused(s);
		}
	}
}

/* test_refuse_loops - own domain, share addresses, requester = friend */
static void
test_refuse_loops(void)
{
	g_autoptr(Setup) a = setup_new();
	g_autoptr(Setup) b = setup_new();
	g_autoptr(Setup) c = setup_new();
	g_autoptr(Setup) d = setup_new();
	g_autoptr(Setup) e = setup_new();

	a->ctx.requester_address = "someone@INTRO.example.org";
	assert_refused(a);
	b->ctx.friend_address = "share+jane@intro.example.org";
	assert_refused(b);
	c->ctx.friend_address = "JOHN.DOE@acme.com";
	assert_refused(c);
	d->ctx.member_address = "share@intro.example.org";
	assert_refused(d);
	e->ctx.friend_address = "intros@intro.example.org";
	assert_refused(e);
}

/* test_refuse_context - no forward, no original, no domain, no date */
static void
test_refuse_context(void)
{
	g_autoptr(Setup) a = setup_new();
	g_autoptr(Setup) b = setup_new();
	g_autoptr(Setup) c = setup_new();
	g_autoptr(Setup) d = setup_new();

	a->ctx.fwd = NULL;
	assert_refused(a);
	g_clear_pointer(&b->fwd->original, fwd_message_free);
	assert_refused(b);
	/* the gateway's own settings: a 451 in the session, not a 5xx */
	g_clear_pointer(&c->cfg->domain, g_free);
	assert_refused_as(c, TMPL_ERROR_CONFIG);
	d->ctx.now = 0;
	assert_refused(d);
}

#define GOOD_HEAD                                                              \
	"From: X via passalong <intros@intro.example.org>\r\n"                 \
	"To: a@x.example, b@y.example\r\n"                                     \
	"Cc: c@z.example\r\n"                                                  \
	"Subject: hello\r\n"                                                   \
	"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"                            \
	"Message-ID: <id@intro.example.org>\r\n"
#define GOOD_BODY                                                              \
	"MIME-Version: 1.0\r\n"                                                \
	"Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"          \
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"         \
	"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p>\r\n"   \
	"--b--\r\n"
#define AUTO "Auto-Submitted: auto-generated\r\n"

/* verify - tmpl_verify() on a hand-written message */
static gboolean
verify(const char *text, GError **error)
{
	static const char *const to[] = { "a@x.example", "b@y.example", NULL };
	static const char *const cc[] = { "c@z.example", NULL };
	TmplExpect want = { .from = "intros@intro.example.org",
		.to = to,
		.cc = cc,
		.subject = "hello",
		.message_id = "id@intro.example.org" };
	g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));

	return tmpl_verify(bytes, &want, error);
}

/* assert_verify_fails - tmpl_verify() refuses the message */
static void
assert_verify_fails(const char *text)
{
	g_autoptr(GError) error = NULL;

	g_assert_false(verify(text, &error));
	g_assert_error(error, TMPL_ERROR, TMPL_ERROR_VERIFY);
	g_test_message("refused: %s", error->message);
}

/* test_verify_good - the hand-written control message passes */
static void
test_verify_good(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(verify(GOOD_HEAD AUTO GOOD_BODY, &error));
	g_assert_no_error(error);
}

/* test_verify_bad - each broken rule is caught */
static void
test_verify_bad(void)
{
	g_autofree char *a1000 = g_strnfill(1000, 'a');
	g_autofree char *longline =
	    g_strdup_printf(GOOD_HEAD AUTO "X-Long: %s\r\n" GOOD_BODY, a1000);

	assert_verify_fails(GOOD_HEAD GOOD_BODY); /* no Auto-Submitted */
	assert_verify_fails(GOOD_HEAD AUTO "Bcc: evil@x.example\r\n" GOOD_BODY);
	assert_verify_fails(
	    GOOD_HEAD AUTO "From: evil@x.example\r\n" GOOD_BODY);
	assert_verify_fails(
	    "From: X <intros@intro.example.org>, "
	    "evil@x.example\r\n"
	    "To: a@x.example, b@y.example\r\nCc: c@z.example\r\n"
	    "Subject: hello\r\n"
	    "Message-ID: <id@intro.example.org>\r\n" AUTO GOOD_BODY);
	assert_verify_fails(GOOD_HEAD AUTO "To: evil@x.example\r\n" GOOD_BODY);
	assert_verify_fails(
	    "From: X via passalong <intros@intro.example.org>\r\n"
	    "To: a@x.example, evil@y.example\r\n"
	    "Cc: c@z.example\r\nSubject: hello\r\n"
	    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	    "Message-ID: <id@intro.example.org>\r\n" AUTO GOOD_BODY);
	assert_verify_fails(GOOD_HEAD AUTO "X-Evil: =?utf-8?q?a=0D=0ABcc:_e@"
					   "x.example?=\r\n" GOOD_BODY);
	assert_verify_fails(GOOD_HEAD AUTO "X-Bare: a\nb\r\n" GOOD_BODY);
	assert_verify_fails(GOOD_HEAD AUTO "X-Bare: a\rb\r\n" GOOD_BODY);
	assert_verify_fails(longline);
	assert_verify_fails(
	    GOOD_HEAD AUTO "MIME-Version: 1.0\r\n"
			   "Content-Type: text/plain\r\n\r\nhi\r\n");
	assert_verify_fails(
	    GOOD_HEAD AUTO "MIME-Version: 1.0\r\n"
			   "Content-Type: multipart/alternative; "
			   "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: "
			   "text/plain\r\n\r\nhi\r\n--b--\r\n");
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/templates/tmpl_render_intro/headers", test_headers);
	g_test_add_func(
	    "/templates/tmpl_render_intro/alternatives", test_alternatives);
	g_test_add_func("/templates/tmpl_render_intro/text", test_text);
	g_test_add_func("/templates/tmpl_render_intro/html", test_html);
	g_test_add_func(
	    "/templates/tmpl_render_intro/forward_chain", test_forward_chain);
	g_test_add_func(
	    "/templates/tmpl_render_intro/injection", test_injection);
	g_test_add_func("/templates/tmpl_render_intro/markup", test_markup);
	g_test_add_func(
	    "/templates/tmpl_render_intro/non_ascii", test_non_ascii);
	g_test_add_func(
	    "/templates/tmpl_render_intro/latin_text", test_latin_text);
	g_test_add_func(
	    "/templates/tmpl_render_intro/long_subject", test_long_subject);
	g_test_add_func(
	    "/templates/tmpl_render_intro/long_body", test_long_body);
	g_test_add_func(
	    "/templates/tmpl_render_intro/huge_line", test_huge_line);
	g_test_add_func(
	    "/templates/tmpl_render_intro/empty_note", test_empty_note);
	g_test_add_func("/templates/tmpl_render_intro/no_names", test_no_names);
	g_test_add_func("/templates/tmpl_render_intro/sparse_original",
	    test_sparse_original);
	g_test_add_func("/templates/tmpl_render_intro/dedup", test_dedup);
	g_test_add_func("/templates/tmpl_render_intro/refuse_addresses",
	    test_refuse_addresses);
	g_test_add_func(
	    "/templates/tmpl_render_intro/refuse_loops", test_refuse_loops);
	g_test_add_func(
	    "/templates/tmpl_render_intro/refuse_context", test_refuse_context);
	g_test_add_func("/templates/tmpl_verify/good", test_verify_good);
	g_test_add_func("/templates/tmpl_verify/bad", test_verify_bad);
	return g_test_run();
}
