/*
 * test_tmpl_fuzz.c - a differential fuzz of the introduction renderer
 *
 * Hostile names, subjects, notes and bodies (encoded-word look-alikes,
 * controls, CR/LF and header injections, bidi and zero-width characters,
 * U+2028/2029, very long words, markup, invalid UTF-8, 20 scripts) go
 * through tmpl_render_intro() as milter/share.c calls it. Every result
 * must render, and read back by GMime and by rfc2047_decode() as what
 * the renderer meant after its documented cleaning (templates/tmpl.h,
 * util_header_safe()): one From, To and Cc with exactly the intended
 * addresses, display names equal to the cleaned names, a Subject equal
 * to the rendered subject (no controls, no line breaks), header lines of
 * the people and the Subject at most 76 characters, and an HTML part
 * whose every '<' opens one of the template's own tags.
 *
 * Bounded for make check: TMPL_FUZZ_ITERATIONS (default 2000) cases from
 * TMPL_FUZZ_SEED (default 1); a failure prints the seed, the case number
 * and its fields, escaped. Longer runs: tests/fuzz/README.md.
 *
 * The same hostile fields, an organisation, a reason and a "passed on
 * by" line go through tmpl_render_share() as every kind: each renders,
 * goes to whom its kind says, has a clean Subject without '@', text
 * lines of at most 78 octets, an HTML part of the template's own tags;
 * the friend never reads the requester's address before a yes (even
 * when the note or the request holds it), and nobody but the member of
 * a "declined" reads the friend's reason.
 *
 * And the weekly digest (tmpl_render_digest()) of a week of such items,
 * under a hostile product name: the member alone in To, one List-Id, a
 * clean Subject, short lines, only the digest's own tags, and the
 * requester's address nowhere though names, subjects and outcomes of a
 * request waiting for the member's answer hold it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/rfc2047.h"
#include "common/util.h"
#include "templates/tmpl.h"
#include "templates/tmpl_digest.h"
#include "templates/tmpl_int.h"

#define NOW 1700000000
#define FRIEND "jane@friends.example"
#define REQUESTER "john.doe@acme.example"
#define MEMBER "chris@members.example"
#define GATEWAY "intros@intro.example.org"

typedef struct {
	char *member_name, *friend_name, *requester_name;
	char *subject, *note, *body;
} Case;

static const char *const scripts[] = { "Conférence à Montréal",
	"Συνέδριο στην Αθήνα", "Конференция в Москве", "東京での会議",
	"北京会议", "서울 회의", "مؤتمر في القاهرة", "כנס בירושלים",
	"دیدار در تهران", "दिल्ली में सम्मेलन", "การประชุม", "Hội nghị Hà Nội",
	"İstanbul'da ğüşıöç", "Łódź źżółć", "Brno řčšžý", "Київ їєґ",
	"São Paulo ção", "Città più", "Göteborg åäö", "Győr őű", "🎉☕🚀",
	"e\xcc\x81\xcc\x81 combining", "ｆｕｌｌｗｉｄｔｈ　ｓｐａｃｅ" };

static const char *const hostile[] = { "=?utf-8?b?SGVsbG8=?=",
	"=?UTF-8?Q?a=0D=0ABcc:_evil@x.example?=", "=?iso-8859-1?q?caf=E9?=",
	"=?utf-8?b?", "?=", "=?", "\r\nBcc: evil@x.example",
	"\nTo: x@y.example", "\r", "\n", "\t", "\x01\x02\x1b[31m", "\x7f",
	"\xc2\x85", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x80\x8b",
	"\xef\xbb\xbf", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\xa0",
	"<script>alert(1)</script>", "<img src=x onerror=alert(2)>",
	"<svg/onload=alert(3)>", "<iframe src=//x>", "\"'&<>", "</div><x>",
	"Doe, John", "\"q\" <e@x.y>", "a@b.example", "\\", "\"", "(comment)",
	";:,", "  ", "\xff\xfe", "\xe2\x82", "\xed\xa0\x80", "%s%n",
	"&amp;&#60;" };

/* piece - one random piece of hostile text appended to s */
static void
piece(GRand *r, GString *s)
{
	switch (g_rand_int_range(r, 0, 6)) {
	case 0: {
		int n = g_rand_int_range(r, 1, 12);

		for (int i = 0; i < n; i++)
			g_string_append_c(
			    s, (char)g_rand_int_range(r, 32, 127));
		break;
	}
	case 1:
	case 2:
		g_string_append(
		    s, hostile[g_rand_int_range(r, 0, G_N_ELEMENTS(hostile))]);
		break;
	case 3:
		g_string_append(
		    s, scripts[g_rand_int_range(r, 0, G_N_ELEMENTS(scripts))]);
		break;
	case 4: { /* a very long word */
		const char *unit[] = { "x", "\xc3\xa9", "\xe6\x97\xa5",
			"\xf0\x9f\x8e\x89", "=" };
		const char *u =
		    unit[g_rand_int_range(r, 0, G_N_ELEMENTS(unit))];
		int n = g_rand_int_range(r, 20, 320);

		for (int i = 0; i < n; i++)
			g_string_append(s, u);
		break;
	}
	default:
		g_string_append_c(s, ' ');
		break;
	}
}

/* text - a random hostile string of up to max_pieces pieces, or NULL */
static char *
text(GRand *r, int max_pieces)
{
	GString *s;
	int n = g_rand_int_range(r, 0, max_pieces + 1);

	if (g_rand_int_range(r, 0, 8) == 0)
		return NULL;
	s = g_string_new(NULL);
	for (int i = 0; i < n; i++)
		piece(r, s);
	return g_string_free(s, FALSE);
}

/* case_fill - one random case */
static void
case_fill(GRand *r, Case *c)
{
	c->member_name = text(r, 4);
	c->friend_name = text(r, 4);
	c->requester_name = text(r, 4);
	c->subject = text(r, 8);
	c->note = text(r, 10);
	c->body = text(r, 10);
}

/* case_clear - free a case's fields */
static void
case_clear(Case *c)
{
	g_free(c->member_name);
	g_free(c->friend_name);
	g_free(c->requester_name);
	g_free(c->subject);
	g_free(c->note);
	g_free(c->body);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Case, case_clear)

/* show - one field, escaped, for a failure report */
static void
show(const char *name, const char *value)
{
	g_autofree char *e = value != NULL ? g_strescape(value, NULL) : NULL;

	g_printerr("  %s: %s%s%s\n", name, e != NULL ? "\"" : "",
	    e != NULL ? e : "NULL", e != NULL ? "\"" : "");
}

/* check - fail the test with the case when cond is false */
static void
check(gboolean cond, const char *why, guint32 seed, guint i, const Case *c)
{
	if (cond)
		return;
	g_printerr(
	    "tmpl fuzz: %s (TMPL_FUZZ_SEED=%u, case %u)\n", why, seed, i);
	show("member_name", c->member_name);
	show("friend_name", c->friend_name);
	show("requester_name", c->requester_name);
	show("subject", c->subject);
	show("note", c->note);
	show("body", c->body);
	g_assert_true(cond);
}

/* reparse - rendered bytes as GMime reads them */
static GMimeMessage *
reparse(GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(data, len);
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream(stream);

	return g_mime_parser_construct_message(parser, NULL);
}

/* header_count - lines of the header block starting "name:" */
static guint
header_count(const char *head, const char *name)
{
	g_auto(GStrv) lines = g_strsplit(head, "\r\n", -1);
	gsize n = strlen(name);
	guint count = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_ascii_strncasecmp(lines[i], name, n) == 0 &&
		    lines[i][n] == ':')
			count++;
	}
	return count;
}

/* short_lines - the people's and the Subject's lines are <= 76 */
static gboolean
short_lines(const char *head)
{
	g_auto(GStrv) lines = g_strsplit(head, "\r\n", -1);
	const char *fields[] = {
		"subject:", "from:", "to:", "cc:", "reply-to:"
	};
	gboolean ours = FALSE;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] != ' ' && lines[i][0] != '\t') {
			ours = FALSE;
			for (guint f = 0; f < G_N_ELEMENTS(fields); f++)
				ours = ours ||
				       g_ascii_strncasecmp(lines[i], fields[f],
					   strlen(fields[f])) == 0;
		}
		if (ours && strlen(lines[i]) > RFC2047_LINE_MAX)
			return FALSE;
	}
	return TRUE;
}

/* names_ok - list holds exactly the want addrs, named as the cleaned
 * names (both arrays hold want entries) */
static gboolean
names_ok(InternetAddressList *list, const char *const *addrs,
    const char *const *names, int want)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	if (n != want)
		return FALSE;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, i);
		g_autofree char *clean =
		    util_header_safe(names[i], TMPL_NAME_MAX);
		const char *got = internet_address_get_name(ia);

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia) ||
		    g_ascii_strcasecmp(internet_address_mailbox_get_addr(
					   INTERNET_ADDRESS_MAILBOX(ia)),
			addrs[i]) != 0)
			return FALSE;
		if (strcmp(got != NULL ? got : "",
			clean != NULL ? clean : "") != 0)
			return FALSE;
	}
	return TRUE;
}

/* recoded_list - header NAME's mailboxes, its words read by
 * rfc2047_recode() before GMime parses it (transfer none: the list is
 * kept on the message until it is freed) */
static InternetAddressList *
recoded_list(GMimeMessage *msg, const char *name)
{
	GMimeHeader *h = g_mime_header_list_get_header(
	    g_mime_object_get_header_list(GMIME_OBJECT(msg)), name);
	g_autofree char *raw = NULL;
	InternetAddressList *list;

	if (h == NULL)
		return NULL;
	raw = rfc2047_recode(g_mime_header_get_raw_value(h));
	list = internet_address_list_parse(NULL, raw);
	if (list != NULL)
		g_object_set_data_full(
		    G_OBJECT(msg), "recoded", list, g_object_unref);
	return list;
}

/* subject_clean - no controls, line breaks or invisible characters */
static gboolean
subject_clean(const char *s)
{
	if (!g_utf8_validate(s, -1, NULL) || g_utf8_strlen(s, -1) > 200)
		return FALSE;
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\n' || c == '\t' || util_is_invisible(c) ||
		    c == 0x2028 || c == 0x2029)
			return FALSE;
	}
	return TRUE;
}

/* tags_ok - every '<' opens or closes one of the n tags */
static gboolean
tags_ok(const char *html, const char *const *tags, gsize n_tags)
{
	for (const char *p = strchr(html, '<'); p != NULL;
	     p = strchr(p + 1, '<')) {
		const char *t = p[1] == '/' ? p + 2 : p + 1;
		gboolean known = FALSE;

		for (guint i = 0; i < n_tags && !known; i++) {
			gsize n = strlen(tags[i]);

			known = g_ascii_strncasecmp(t, tags[i], n) == 0 &&
				strchr(" >/", t[n]) != NULL && t[n] != '\0';
		}
		if (!known)
			return FALSE;
	}
	return TRUE;
}

/* html_tags_ok - every '<' opens or closes one of the template's tags */
static gboolean
html_tags_ok(const char *html)
{
	static const char *const tags[] = { "!doctype", "html", "head", "meta",
		"title", "body", "div", "p", "br", "hr", "blockquote" };

	return tags_ok(html, tags, G_N_ELEMENTS(tags));
}

/* digest_tags_ok - every '<' is one of the digest's own tags */
static gboolean
digest_tags_ok(const char *html)
{
	static const char *const tags[] = { "!doctype", "html", "head", "meta",
		"title", "body", "table", "tr", "td", "h1", "h2", "p", "br",
		"strong", "a" };

	return tags_ok(html, tags, G_N_ELEMENTS(tags));
}

/* html_part - the decoded text/html alternative */
static char *
html_part(GMimeMessage *msg)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeObject *part;

	if (!GMIME_IS_MULTIPART(body) ||
	    g_mime_multipart_get_count(GMIME_MULTIPART(body)) != 2)
		return NULL;
	part = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	if (!GMIME_IS_TEXT_PART(part))
		return NULL;
	return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

/* raw_subject - the Subject's raw value */
static const char *
raw_subject(GMimeMessage *msg)
{
	GMimeHeader *h = g_mime_header_list_get_header(
	    g_mime_object_get_header_list(GMIME_OBJECT(msg)), "Subject");

	return h != NULL ? g_mime_header_get_raw_value(h) : NULL;
}

/* one_case - render one case and check everything read back */
static void
one_case(const Config *cfg, const Case *c, guint32 seed, guint i)
{
	g_autoptr(Forward) fwd = forward_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *head = NULL, *html = NULL, *mine = NULL;
	IntroContext ctx = { .cfg = cfg,
		.member_address = MEMBER,
		.member_name = c->member_name,
		.friend_address = FRIEND,
		.friend_name = c->friend_name,
		.requester_address = REQUESTER,
		.requester_name = c->requester_name,
		.fwd = fwd,
		.now = NOW };
	const char *to[] = { FRIEND, REQUESTER, NULL };
	const char *to_names[] = { c->friend_name, c->requester_name };
	const char *cc[] = { MEMBER, NULL };
	const char *cc_names[] = { c->member_name };
	const char *from[] = { GATEWAY, NULL };
	gsize len;
	const char *data, *end;

	fwd->forwarded = TRUE;
	fwd->kind = FORWARD_KIND_INLINE;
	fwd->note = g_strdup(c->note);
	fwd->original = fwd_message_new();
	fwd->original->subject = g_strdup(c->subject);
	fwd->original->body = g_strdup(c->body);
	mail = tmpl_render_intro(&ctx, &error);
	check(mail != NULL, error != NULL ? error->message : "no mail", seed, i,
	    c);
	msg = reparse(mail->message);
	check(msg != NULL, "GMime cannot parse it", seed, i, c);
	data = g_bytes_get_data(mail->message, &len);
	end = g_strstr_len(data, (gssize)len, "\r\n\r\n");
	check(end != NULL, "no header/body separator", seed, i, c);
	head = g_strndup(data, (gsize)(end - data));
	check(header_count(head, "From") == 1 &&
		  header_count(head, "To") == 1 &&
		  header_count(head, "Cc") == 1 &&
		  header_count(head, "Bcc") == 0 &&
		  header_count(head, "Subject") == 1,
	    "not exactly one From, To, Cc and Subject", seed, i, c);
	check(short_lines(head), "a header line over 76", seed, i, c);
	check(names_ok(g_mime_message_get_to(msg), to, to_names, 2),
	    "To is not the friend and the requester, named", seed, i, c);
	check(names_ok(recoded_list(msg, "To"), to, to_names, 2),
	    "To read through rfc2047_recode() differs", seed, i, c);
	check(names_ok(g_mime_message_get_cc(msg), cc, cc_names, 1),
	    "Cc is not the member, named", seed, i, c);
	check(
	    internet_address_list_length(g_mime_message_get_from(msg)) == 1 &&
		g_ascii_strcasecmp(
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
			internet_address_list_get_address(
			    g_mime_message_get_from(msg), 0))),
		    from[0]) == 0,
	    "From is not the gateway", seed, i, c);
	check(subject_clean(mail->subject), "the subject is not clean", seed, i,
	    c);
	mine = rfc2047_decode(raw_subject(msg));
	check(g_strcmp0(mine, mail->subject) == 0,
	    "rfc2047_decode() reads another subject", seed, i, c);
	check(g_strcmp0(g_mime_message_get_subject(msg), mail->subject) == 0,
	    "GMime reads another subject", seed, i, c);
	html = html_part(msg);
	check(html != NULL && html_tags_ok(html),
	    "the HTML part holds a '<' of the input", seed, i, c);
}

/* text_lines_ok - no line of the decoded text part over 78 octets */
static gboolean
text_lines_ok(GMimeMessage *msg)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!GMIME_IS_MULTIPART(body))
		return FALSE;
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(
	    g_mime_multipart_get_part(GMIME_MULTIPART(body), 0)));
	lines = g_strsplit(text, "\r\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strlen(lines[i]) > 78 || strchr(lines[i], '\n') != NULL)
			return FALSE;
	}
	return TRUE;
}

/* nowhere - addr is in no header line and no decoded part */
static gboolean
nowhere(GMimeMessage *msg, const char *head, const char *addr)
{
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	g_autofree char *subject = rfc2047_decode(raw_subject(msg));

	if (tmpl_find_address(head, addr) != NULL ||
	    tmpl_find_address(subject, addr) != NULL)
		return FALSE;
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
		g_autofree char *t = g_mime_text_part_get_text(
		    GMIME_TEXT_PART(g_mime_multipart_get_part(mp, i)));

		if (tmpl_find_address(t, addr) != NULL)
			return FALSE;
	}
	return TRUE;
}

#define REASON_MARK "reason-7f3a9c"

/* share_case - render one case as kind and check it read back */
static void
share_case(const Config *cfg, const Case *c, const char *const extra[3],
    const char *kind, guint32 seed, guint i)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *head = NULL, *html = NULL, *mine = NULL;
	g_autofree char *reason = g_strconcat(REASON_MARK " ", extra[1], NULL);
	gboolean to_member = strcmp(kind, "confirmation") == 0 ||
			     strcmp(kind, "declined") == 0 ||
			     strcmp(kind, "expired") == 0 ||
			     strcmp(kind, "merged") == 0;
	gboolean intro = strcmp(kind, "intro") == 0;
	const char *want = to_member ? MEMBER : FRIEND;
	ShareFacts f = { .cfg = cfg,
		.share_id = i,
		.member_address = MEMBER,
		.member_name = c->member_name,
		.friend_address = FRIEND,
		.friend_name = c->friend_name,
		.requester_address = REQUESTER,
		.requester_name = c->requester_name,
		.requester_org = extra[0],
		.subject = c->subject,
		.note = c->note,
		.request_text = c->body,
		.passed_by = extra[2],
		.origin_message_id = i % 2 ? "<x@acme.example>" : NULL,
		.reply_address = "intro+abc@intro.example.org",
		.reason = reason,
		.consented = i % 2,
		.now = NOW };
	gsize len;
	const char *data, *end;

	mail = tmpl_render_share(kind, &f, &error);
	check(mail != NULL, error != NULL ? error->message : "no mail", seed, i,
	    c);
	msg = reparse(mail->message);
	check(msg != NULL, "GMime cannot parse it", seed, i, c);
	data = g_bytes_get_data(mail->message, &len);
	end = g_strstr_len(data, (gssize)len, "\r\n\r\n");
	check(end != NULL, "no header/body separator", seed, i, c);
	head = g_strndup(data, (gsize)(end - data));
	check(header_count(head, "From") == 1 &&
		  header_count(head, "To") == 1 &&
		  header_count(head, "Cc") == (intro ? 1u : 0u) &&
		  header_count(head, "Bcc") == 0 &&
		  header_count(head, "Subject") == 1,
	    "not one From, To and Subject, a Cc only on the intro", seed, i, c);
	check(short_lines(head), "a header line over 76", seed, i, c);
	check(
	    internet_address_list_length(g_mime_message_get_to(msg)) ==
		    (intro ? 2 : 1) &&
		g_ascii_strcasecmp(
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
			internet_address_list_get_address(
			    g_mime_message_get_to(msg), 0))),
		    intro ? FRIEND : want) == 0,
	    "To is not who this kind is for", seed, i, c);
	check(
	    subject_clean(mail->subject) && strchr(mail->subject, '@') == NULL,
	    "the subject is not clean or holds an address", seed, i, c);
	mine = rfc2047_decode(raw_subject(msg));
	check(g_strcmp0(mine, mail->subject) == 0,
	    "rfc2047_decode() reads another subject", seed, i, c);
	check(text_lines_ok(msg), "a text line over 78 octets", seed, i, c);
	html = html_part(msg);
	check(html != NULL && html_tags_ok(html),
	    "the HTML part holds a '<' of the input", seed, i, c);
	if (!intro && !to_member)
		check(nowhere(msg, head, REQUESTER),
		    "the friend reads the requester's address", seed, i, c);
	if (strcmp(kind, "declined") != 0)
		check(strstr(data, REASON_MARK) == NULL &&
			  !strstr(html, REASON_MARK),
		    "the friend's reason where it must not be", seed, i, c);
}

/* digest_item - a hostile item of the digest (strings borrowed) */
static DigestItem
digest_item(const Case *c, const char *org, const char *outcome)
{
	return (DigestItem){ .share_id = 1,
		.member_name = c->member_name,
		.member_address = "ann@members.example",
		.requester_name = c->requester_name,
		.requester_org = org,
		.friend_name = c->friend_name,
		.friend_address = FRIEND,
		.subject = c->subject,
		.status = "asked",
		.outcome = outcome,
		.reply_address = "intro+abc123@intro.example.org",
		.answer_url = "https://intro.example.org/c/abc123",
		.when = NOW };
}

/* digest_case - the digest of a week of hostile items, read back: the
 * member alone in To, a clean Subject, short header and text lines,
 * only the digest's own tags, and the requester's address nowhere
 * although names, subjects and outcomes carried it */
static void
digest_case(Config *cfg, const Case *c, const char *org, const char *outcome,
    guint32 seed, guint i)
{
	g_autofree char *leaky = g_strconcat(
	    c->subject != NULL ? c->subject : "", " " REQUESTER, NULL);
	DigestItem by = digest_item(c, org, outcome);
	DigestItem wait = digest_item(c, REQUESTER, leaky);
	g_autoptr(GPtrArray) items = g_ptr_array_new();
	g_autoptr(GPtrArray) waiting = g_ptr_array_new();
	DigestSharer top = { c->friend_name, 3 };
	g_autoptr(GPtrArray) tops = g_ptr_array_new();
	DigestFacts f = { .cfg = cfg,
		.member_address = MEMBER,
		.member_name = c->member_name,
		.share_address = "share+chris@intro.example.org",
		.week = "2023-W46",
		.week_start = NOW - 166400,
		.unsub_address = "unsubscribe+abc@intro.example.org",
		.unsub_url = "https://intro.example.org/u/abc",
		.shared_by = items,
		.shared_with = items,
		.waiting = waiting,
		.outcomes = waiting,
		.top = tops,
		.now = NOW };
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *head = NULL, *html = NULL, *mine = NULL;
	InternetAddressList *to;
	gsize len;
	const char *data, *end;

	/* the address as the name, or the org (digest_item's) */
	wait.requester_name = i % 2 == 0 ? REQUESTER : c->requester_name;
	wait.subject = leaky;
	g_ptr_array_add(items, &by);
	g_ptr_array_add(waiting, &wait);
	g_ptr_array_add(tops, &top);
	mail = tmpl_render_digest(&f, &error);
	check(mail != NULL, error != NULL ? error->message : "no digest", seed,
	    i, c);
	msg = reparse(mail->message);
	check(msg != NULL, "GMime cannot parse the digest", seed, i, c);
	data = g_bytes_get_data(mail->message, &len);
	end = g_strstr_len(data, (gssize)len, "\r\n\r\n");
	check(end != NULL, "no header/body separator", seed, i, c);
	head = g_strndup(data, (gsize)(end - data));
	check(header_count(head, "From") == 1 &&
		  header_count(head, "To") == 1 &&
		  header_count(head, "Cc") == 0 &&
		  header_count(head, "Bcc") == 0 &&
		  header_count(head, "List-Id") == 1,
	    "digest: not one From, To and List-Id, or a Cc", seed, i, c);
	check(short_lines(head), "digest: a header line over 76", seed, i, c);
	to = g_mime_message_get_to(msg);
	check(
	    internet_address_list_length(to) == 1 &&
		g_ascii_strcasecmp(
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
			internet_address_list_get_address(to, 0))),
		    MEMBER) == 0,
	    "digest: To is not the member alone", seed, i, c);
	mine = rfc2047_decode(raw_subject(msg));
	check(
	    g_strcmp0(mine, mail->subject) == 0 && subject_clean(mail->subject),
	    "digest: the subject is not clean or reads back otherwise", seed, i,
	    c);
	check(text_lines_ok(msg), "digest: a text line over 78", seed, i, c);
	html = html_part(msg);
	check(html != NULL && digest_tags_ok(html),
	    "digest: the HTML part holds a '<' of the input", seed, i, c);
	check(nowhere(msg, head, REQUESTER),
	    "digest: the requester's address is shown", seed, i, c);
}

/* env_uint - an unsigned number from the environment, or def */
static guint64
env_uint(const char *name, guint64 def)
{
	const char *v = g_getenv(name);

	return v != NULL && *v != '\0' ? g_ascii_strtoull(v, NULL, 10) : def;
}

/* test_fuzz - TMPL_FUZZ_ITERATIONS cases from TMPL_FUZZ_SEED */
static void
test_fuzz(void)
{
	guint32 seed = (guint32)env_uint("TMPL_FUZZ_SEED", 1);
	guint n = (guint)env_uint("TMPL_FUZZ_ITERATIONS", 2000);
	g_autoptr(Config) cfg = config_new_default();
	GRand *r = g_rand_new_with_seed(seed);

	g_test_message("seed %u, %u cases", seed, n);
	for (guint i = 0; i < n; i++) {
		g_auto(Case) c = { NULL };

		case_fill(r, &c);
		one_case(cfg, &c, seed, i);
	}
	g_rand_free(r);
}

/* test_fuzz_share - every kind of tmpl_render_share() over a quarter of
 * TMPL_FUZZ_ITERATIONS cases from TMPL_FUZZ_SEED; the requester's
 * address sometimes in the note and the request */
static void
test_fuzz_share(void)
{
	static const char *const kinds[] = { "consent", "reminder", "intro",
		"confirmation", "declined", "expired", "unclear", "answered",
		"merged" };
	guint32 seed = (guint32)env_uint("TMPL_FUZZ_SEED", 1);
	guint n = (guint)env_uint("TMPL_FUZZ_ITERATIONS", 2000) / 4 + 1;
	g_autoptr(Config) cfg = config_new_default();
	GRand *r = g_rand_new_with_seed(seed);

	g_test_message("seed %u, %u cases, every kind", seed, n);
	for (guint i = 0; i < n; i++) {
		g_auto(Case) c = { NULL };
		g_autofree char *org = text(r, 3), *reason = text(r, 4);
		g_autofree char *passed = text(r, 3);
		const char *const extra[3] = { org, reason, passed };

		case_fill(r, &c);
		if (g_rand_int_range(r, 0, 3) == 0) {
			char *note = g_strconcat(
			    c.note != NULL ? c.note : "", " " REQUESTER, NULL);

			g_free(c.note);
			c.note = note;
		}
		if (g_rand_int_range(r, 0, 3) == 0) {
			char *body = g_strconcat("Hi,\n\nMail me at "
						 "JOHN.DOE@acme.example ",
			    c.body != NULL ? c.body : "", NULL);

			g_free(c.body);
			c.body = body;
		}
		for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++)
			share_case(cfg, &c, extra, kinds[k], seed, i);
	}
	g_rand_free(r);
}

/* test_fuzz_digest - tmpl_render_digest() over a quarter of
 * TMPL_FUZZ_ITERATIONS cases from TMPL_FUZZ_SEED, the product's name
 * hostile too */
static void
test_fuzz_digest(void)
{
	guint32 seed = (guint32)env_uint("TMPL_FUZZ_SEED", 1);
	guint n = (guint)env_uint("TMPL_FUZZ_ITERATIONS", 2000) / 4 + 1;
	g_autoptr(Config) cfg = config_new_default();
	GRand *r = g_rand_new_with_seed(seed);

	g_free(cfg->domain);
	cfg->domain = g_strdup("intro.example.org");
	g_test_message("seed %u, %u digests", seed, n);
	for (guint i = 0; i < n; i++) {
		g_auto(Case) c = { NULL };
		g_autofree char *org = text(r, 3), *outcome = text(r, 6);
		g_autofree char *product = text(r, 2);

		case_fill(r, &c);
		g_free(cfg->name);
		/* [gateway] name: valid UTF-8, at most 64 characters */
		if (product == NULL || !g_utf8_validate(product, -1, NULL))
			cfg->name = g_strdup("passalong");
		else if (g_utf8_strlen(product, -1) > 64)
			cfg->name = g_utf8_substring(product, 0, 64);
		else
			cfg->name = g_strdup(product);
		digest_case(cfg, &c, org, outcome, seed, i);
	}
	g_rand_free(r);
}

/* main - the fuzz as one GTest case */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/tmpl_fuzz/render_intro/differential", test_fuzz);
	g_test_add_func(
	    "/tmpl_fuzz/render_share/differential", test_fuzz_share);
	g_test_add_func(
	    "/tmpl_fuzz/render_digest/differential", test_fuzz_digest);
	return g_test_run();
}
