/*
 * test_parser.c - unit tests for the forward finder (parser/)
 *
 * Whole messages through parser_parse() for each order of evidence and
 * each kind of client, the decisions the subject settles, the limits,
 * and the pieces on their own: mailbox lists, subject prefixes,
 * separators, attribution lines, header blocks, JSON. The corpus and
 * the fixture set are run by tests/parser-corpus.sh and
 * test_parser_fixtures.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "common/gmime-autoptr.h"
#include "parser/parser.h"
#include "parser/parser_scan.h"

#define HDR                                                                    \
	"From: Chris Member <chris@members.example>\n"                         \
	"To: share+jane@intro.example.org\n"                                   \
	"Date: Tue, 1 Apr 2025 10:00:00 +0200\n"                               \
	"Message-ID: <t1@members.example>\n"                                   \
	"MIME-Version: 1.0\n"

/* parse_ok - parse a message that must be readable */
static Forward *
parse_ok(const char *msg)
{
	g_autoptr(GError) error = NULL;
	Forward *fwd = parser_parse(msg, strlen(msg), &error);

	g_assert_no_error(error);
	g_assert_nonnull(fwd);
	return fwd;
}

/* addr_at - the i-th mailbox of a list */
static const FwdAddress *
addr_at(GPtrArray *list, guint i)
{
	g_assert_cmpuint(list->len, >, i);
	return g_ptr_array_index(list, i);
}

/* test_utf8_label_latin1 - a part labelled UTF-8 that is not (Latin-1
 * bytes after long ASCII runs, at a run's end, at the very end) is read
 * as windows-1252; one valid multi-byte character keeps it UTF-8 with
 * the bad byte replaced */
static void
test_utf8_label_latin1(void)
{
	static const char *const tails[] = { "caf\xe9 du march\xe9",
		"Gr\xfc\xdf Gott!!", "0123456789abcdef \xe9" };
	static const char *const want[] = { "café du marché", "Grüß Gott!!",
		"0123456789abcdef é" };

	for (gsize k = 0; k < G_N_ELEMENTS(tails); k++) {
		g_autofree char *msg = g_strdup_printf(HDR
		    "Subject: Fwd: x\n"
		    "Content-Type: text/plain; charset=utf-8\n\n"
		    "Jane, see below.\n\n"
		    "---------- Forwarded message ---------\n"
		    "From: Ana Novak <ana@firma.example>\n"
		    "Date: Mon, Mar 16, 2026 at 10:15 AM\n"
		    "Subject: Lunch\n\n"
		    "Meet at the %s\n",
		    tails[k]);
		g_autofree char *body =
		    g_strdup_printf("Meet at the %s", want[k]);
		g_autoptr(Forward) fwd = parse_ok(msg);

		g_assert_true(fwd->forwarded);
		g_assert_cmpstr(fwd->original->body, ==, body);
	}
}

/* test_attachment - a message/rfc822 part wins, headers from the part */
static void
test_attachment(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fwd: Talk\n"
		"Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
		"--b1\nContent-Type: text/plain\n\nJane, this one is for you.\n"
		"-- \nChris\n"
		"--b1\nContent-Type: message/rfc822\n\n"
		"From: \"Doe, John\" <John.Doe@ACME.example>\n"
		"To: chris@members.example, Bob <bob@b.example>\n"
		"Cc: =?utf-8?q?Ren=C3=A9e?= <renee@acme.example>\n"
		"Subject: =?utf-8?b?VGFsayBpbiBNw7xuY2hlbg==?=\n"
		"Date: Mon, 31 Mar 2025 09:30:00 -0400\n"
		"Message-ID: <orig-1@acme.example>\n"
		"Content-Type: text/plain; charset=iso-8859-1\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"Gr=FC=DFe, could you speak?\n\n--b1--\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpint(fwd->kind, ==, FORWARD_KIND_ATTACHMENT);
	g_assert_cmpstr(fwd->note, ==, "Jane, this one is for you.");
	g_assert_cmpstr(fwd->original->from->name, ==, "Doe, John");
	g_assert_cmpstr(
	    fwd->original->from->address, ==, "John.Doe@acme.example");
	g_assert_cmpstr(addr_at(fwd->original->to, 1)->name, ==, "Bob");
	g_assert_cmpstr(addr_at(fwd->original->cc, 0)->name, ==, "Renée");
	g_assert_cmpstr(fwd->original->subject, ==, "Talk in München");
	g_assert_cmpstr(fwd->original->date, ==, "2025-03-31T09:30:00-04:00");
	g_assert_cmpstr(fwd->original->message_id, ==, "orig-1@acme.example");
	g_assert_cmpstr(fwd->original->body, ==, "Grüße, could you speak?");
	g_assert_cmpuint(fwd->chain->len, ==, 0);
}

/* test_attachment_nested - an attached message inside the attachment */
static void
test_attachment_nested(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fwd: outer\n"
		"Content-Type: message/rfc822\n\n"
		"From: Mid <mid@m.example>\nSubject: Fwd: inner\n"
		"Content-Type: multipart/mixed; boundary=\"x\"\n\n"
		"--x\nContent-Type: text/plain\n\nsee below\n"
		"--x\nContent-Type: message/rfc822\n\n"
		"From: Inner <in@i.example>\nSubject: inner\n\ninner body\n"
		"--x--\n");

	g_assert_cmpint(fwd->kind, ==, FORWARD_KIND_ATTACHMENT);
	g_assert_cmpstr(fwd->original->from->address, ==, "mid@m.example");
	g_assert_null(fwd->note);
	g_assert_cmpuint(fwd->chain->len, ==, 1);
	g_assert_cmpstr(
	    ((FwdMessage *)g_ptr_array_index(fwd->chain, 0))->from->address, ==,
	    "in@i.example");
}

/* test_attachment_eml_file - an .eml sent as application/octet-stream */
static void
test_attachment_eml_file(void)
{
	g_autoptr(Forward) fwd = parse_ok(HDR
	    "Subject: Fwd: as a file\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nSee the attached mail.\n"
	    "--b\nContent-Type: application/octet-stream; name=\"Offer.eml\"\n"
	    "Content-Disposition: attachment; filename=\"Offer.eml\"\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "RnJvbTogT2xhIDxvbGFAby5leGFtcGxlPgpTdWJqZWN0OiBPZmZlcgoKSGVsbG8uCg"
	    "==\n"
	    "--b--\n");

	g_assert_cmpint(fwd->kind, ==, FORWARD_KIND_ATTACHMENT);
	g_assert_cmpstr(fwd->note, ==, "See the attached mail.");
	g_assert_cmpstr(fwd->original->from->address, ==, "ola@o.example");
	g_assert_cmpstr(fwd->original->subject, ==, "Offer");
	g_assert_cmpstr(fwd->original->body, ==, "Hello.");
}

/* test_attachment_eml_hostile - an .eml file is decoded where the
 * milter's MIME scanner cannot see it: one past the scanner's limits is
 * not handed to GMime (2,000 empty parts would be 2,000 objects, a
 * million of them a gigabyte) and so is not read as the forward */
static void
test_attachment_eml_hostile(void)
{
	g_autoptr(GString) eml =
	    g_string_new("From: Ola <ola@o.example>\nSubject: Offer\n"
			 "Content-Type: multipart/mixed; boundary=e\n\n");
	g_autoptr(GString) msg = g_string_new(HDR
	    "Subject: Fwd: as a file\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nSee the attached mail.\n"
	    "--b\nContent-Type: application/octet-stream; name=\"Offer.eml\"\n"
	    "Content-Disposition: attachment; filename=\"Offer.eml\"\n"
	    "Content-Transfer-Encoding: base64\n\n");
	g_autofree char *b64 = NULL;
	g_autoptr(Forward) fwd = NULL;
	g_autoptr(Forward) ok = NULL;

	g_string_append(eml, "--e\n\nHello.\n");
	for (int i = 0; i < 2000; i++)
		g_string_append(eml, "--e\n\n");
	g_string_append(eml, "--e--\n");
	b64 = g_base64_encode((const guchar *)eml->str, eml->len);
	g_string_append(msg, b64);
	g_string_append(msg, "\n--b--\n");
	fwd = parse_ok(msg->str);
	g_assert_false(fwd->forwarded);
	/* the same file with few parts is the forward */
	g_string_truncate(msg, msg->len - strlen(b64) - strlen("\n--b--\n"));
	g_string_truncate(eml, 0);
	g_string_append(eml, "From: Ola <ola@o.example>\nSubject: Offer\n"
			     "Content-Type: multipart/mixed; boundary=e\n\n"
			     "--e\n\nHello.\n--e\n\n--e--\n");
	g_free(b64);
	b64 = g_base64_encode((const guchar *)eml->str, eml->len);
	g_string_append(msg, b64);
	g_string_append(msg, "\n--b--\n");
	ok = parse_ok(msg->str);
	g_assert_true(ok->forwarded);
	g_assert_cmpstr(ok->original->from->address, ==, "ola@o.example");
}

/* test_html_hint - a forward container the HTML reader marked, under a
 * forward subject, even when its header lines are not recognised */
static void
test_html_hint(void)
{
	g_autoptr(Forward) fwd =
	    parse_ok(HDR "Subject: Fwd: Invite\n"
			 "Content-Type: text/html; charset=utf-8\n\n"
			 "<html><body><p>Over to you.</p>"
			 "<div class=\"moz-forward-container\">"
			 "<p>Kirjoittaja: Ann</p><p>Tervetuloa!</p></div>"
			 "</body></html>\n");
	g_autoptr(Forward) re = NULL;

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->note, ==, "Over to you.");
	g_assert_nonnull(strstr(fwd->original->body, "Tervetuloa!"));
	g_assert_cmpstr(fwd->original->subject, ==, "Invite");
	re = parse_ok(HDR "Subject: Re: Invite\n"
			  "Content-Type: text/html; charset=utf-8\n\n"
			  "<div class=\"moz-forward-container\">x</div>\n");
	g_assert_false(re->forwarded);
}

/* test_gmail - Gmail's separator and block, note above it */
static void
test_gmail(void)
{
	g_autoptr(Forward) fwd =
	    parse_ok(HDR "Subject: Fwd: Integer consequat\n\n"
			 "Jane, you'd be perfect.\n\nChris\n\n"
			 "---------- Forwarded message ---------\n"
			 "From: John Doe <john.doe@acme.com>\n"
			 "Date: Wed, Oct 27, 2021 at 9:31 AM\n"
			 "Subject: Integer consequat\n"
			 "To: <bessie@acme.com>\n"
			 "Cc: Walter Sheltan <walter@acme.com>, Nicholas "
			 "<nick@globex.corp>\n"
			 "\nAenean quis diam urna.\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpint(fwd->kind, ==, FORWARD_KIND_INLINE);
	g_assert_cmpstr(fwd->note, ==, "Jane, you'd be perfect.\n\nChris");
	g_assert_cmpstr(fwd->original->from->name, ==, "John Doe");
	g_assert_null(addr_at(fwd->original->to, 0)->name);
	g_assert_cmpstr(
	    addr_at(fwd->original->cc, 1)->address, ==, "nick@globex.corp");
	g_assert_cmpstr(
	    fwd->original->date_raw, ==, "Wed, Oct 27, 2021 at 9:31 AM");
	g_assert_cmpstr(fwd->original->subject, ==, "Integer consequat");
	g_assert_cmpstr(fwd->original->body, ==, "Aenean quis diam urna.");
	g_assert_null(fwd->original->message_id);
}

/* test_gmail_conversation - Gmail's "Forwarded conversation": the
 * subject sits above a rule, the first message's block under it */
static void
test_gmail_conversation(void)
{
	g_autoptr(Forward) fwd =
	    parse_ok(HDR "Subject: Fwd: Lunch\n\n"
			 "---------- Forwarded conversation ----------\n"
			 "Subject: Lunch talk\n"
			 "------------------------\n\n"
			 "From: Alice <alice@a.example>\n"
			 "Date: Mon, Mar 3, 2025 at 10:00 AM\n"
			 "To: Bob <bob@b.example>\n\n\n"
			 "Would you speak?\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->address, ==, "alice@a.example");
	g_assert_cmpstr(fwd->original->subject, ==, "Lunch talk");
	g_assert_cmpstr(fwd->original->body, ==, "Would you speak?");
}

static const char outlook_body[] =
    "\nPlease see below.\n\n"
    "________________________________\n"
    "From: John Doe <john.doe@acme.com>\n"
    "Sent: Wednesday, October 27, 2021 15:14\n"
    "To: Bessie, Berry <bessie@acme.com>; sue@globex.corp <sue@globex.corp>\n"
    "Subject: Integer consequat\n\nBody text.\n";

/* test_outlook - Outlook's rule and block: a forward unless "Re:" */
static void
test_outlook(void)
{
	g_autofree char *fw =
	    g_strconcat(HDR, "Subject: FW: Integer\n", outlook_body, NULL);
	g_autofree char *plain =
	    g_strconcat(HDR, "Subject: Integer\n", outlook_body, NULL);
	g_autofree char *re =
	    g_strconcat(HDR, "Subject: RE: Integer\n", outlook_body, NULL);
	g_autoptr(Forward) a = parse_ok(fw);
	g_autoptr(Forward) b = parse_ok(plain);
	g_autoptr(Forward) c = parse_ok(re);

	g_assert_true(a->forwarded);
	g_assert_cmpstr(a->note, ==, "Please see below.");
	g_assert_cmpstr(addr_at(a->original->to, 0)->name, ==, "Bessie, Berry");
	g_assert_null(addr_at(a->original->to, 1)->name);
	g_assert_cmpstr(a->original->body, ==, "Body text.");
	g_assert_true(b->forwarded);
	g_assert_false(c->forwarded);
	g_assert_null(c->original);
	g_assert_cmpint(c->kind, ==, FORWARD_KIND_NONE);
}

/* test_attribution - "On ... wrote:" is a forward only under "FW:" */
static void
test_attribution(void)
{
	static const char body[] =
	    "\n\xef\xbb\xbf"
	    "On 28/10/2021 12:46, \"John Doe\" <john.doe@acme.com> wrote:\n\n"
	    "    Aenean quis diam urna.\n\n    Praesent ac ligula orci.\n";
	g_autofree char *fw =
	    g_strconcat(HDR, "Subject: FW: Integer\n", body, NULL);
	g_autofree char *re =
	    g_strconcat(HDR, "Subject: Re: Integer\n", body, NULL);
	g_autoptr(Forward) a = parse_ok(fw);
	g_autoptr(Forward) b = parse_ok(re);

	g_assert_true(a->forwarded);
	g_assert_cmpstr(a->original->from->name, ==, "John Doe");
	g_assert_cmpstr(a->original->from->address, ==, "john.doe@acme.com");
	g_assert_cmpstr(a->original->date_raw, ==, "28/10/2021 12:46");
	g_assert_cmpstr(a->original->subject, ==, "Integer");
	g_assert_cmpstr(a->original->body, ==,
	    "Aenean quis diam urna.\n\nPraesent ac ligula orci.");
	g_assert_false(b->forwarded);
}

/* test_apple_quoted - Apple Mail: separator and block quoted with '>';
 * the member's words after the quoted forward are the note (bottom-post) */
static void
test_apple_quoted(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fwd: x\n\n"
		"> Anfang der weitergeleiteten Nachricht:\n>\n"
		"> Von: John Doe <john.doe@acme.com>\n"
		"> Betreff: Hallo\n"
		"> Datum: 25. Oktober 2021 um 11:17:21 MESZ\n"
		"> An: bessie@acme.com\n>\n"
		"> Erste Zeile.\n> > alte Antwort\n>\n\nTrailing words.\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->note, ==, "Trailing words.");
	g_assert_cmpstr(fwd->original->subject, ==, "Hallo");
	g_assert_cmpstr(
	    fwd->original->body, ==, "Erste Zeile.\n> alte Antwort");
}

/* test_yahoo - Yahoo's fields run together on the separator's line */
static void
test_yahoo(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fwd: x\n\n"
		"   ----- Forwarded Message ----- From: John Doe "
		"<john.doe@acme.com>To: \"b@acme.com\" <b@acme.com>Cc: W "
		"<w@acme.com>; N <n@g.corp>Sent: Tuesday, November 2, 2021, "
		"09:26:50 AM GMT+1Subject: Integer consequat\n"
		" Aenean quis.\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->address, ==, "john.doe@acme.com");
	g_assert_null(addr_at(fwd->original->to, 0)->name);
	g_assert_cmpstr(addr_at(fwd->original->cc, 1)->address, ==, "n@g.corp");
	g_assert_cmpstr(fwd->original->date_raw, ==,
	    "Tuesday, November 2, 2021, 09:26:50 AM GMT+1");
	g_assert_cmpstr(fwd->original->subject, ==, "Integer consequat");
	g_assert_cmpstr(fwd->original->body, ==, "Aenean quis.");
}

/* test_mutt - mutt's separator names the sender, its end marker ends
 * the body */
static void
test_mutt(void)
{
	g_autoptr(Forward) fwd = parse_ok(HDR
	    "Subject: Fwd: x\n\nFYI\n\n"
	    "----- Forwarded message from Ann Lee <ann@lee.example> -----\n\n"
	    "Date: Mon, 3 Mar 2025 10:00:00 +0100\n"
	    "From: Ann Lee <ann@lee.example>\n"
	    "To: chris@members.example\n"
	    "Subject: Review?\n\n"
	    "Can you review?\n\n"
	    "----- End forwarded message -----\n\nafter\n");

	g_assert_true(fwd->forwarded);
	/* with words above the forward, those below are not the note */
	g_assert_cmpstr(fwd->note, ==, "FYI");
	g_assert_cmpstr(fwd->original->from->address, ==, "ann@lee.example");
	g_assert_cmpstr(fwd->original->body, ==, "Can you review?");
}

/* test_notes_dashes - lines of dashes alone, or dashes around too few
 * words, are no Notes separator (a line of dashes once read past its
 * end, found by the fuzz harness) */
static void
test_notes_dashes(void)
{
	g_autoptr(Forward) a = parse_ok(HDR "Subject: Fwd: x\n\n"
					    "------\n--\n- -\n"
					    "---- Forwarded by ----\n"
					    "-- Forwarded by Ann on\n");
	g_autoptr(Forward) b =
	    parse_ok(HDR "Subject: Fwd: x\n\nFYI\n"
			 "--- Forwarded by Ann Lee/Sales/Acme\n"
			 "on 04/01/2025 09:00 AM ---\n\n"
			 "Bo Chen/Eng/Acme@Acme\n"
			 "03/31/2025 05:10 PM\n\n"
			 "To:\tAnn Lee/Sales/Acme@Acme\n"
			 "Subject:\tReview?\n\nCan you?\n");

	g_assert_false(a->forwarded);
	g_assert_true(b->forwarded);
	g_assert_cmpstr(b->note, ==, "FYI");
	g_assert_cmpstr(b->original->from->name, ==, "Bo Chen");
	g_assert_null(b->original->from->address);
	g_assert_cmpstr(b->original->subject, ==, "Review?");
	g_assert_cmpstr(b->original->date, ==, "2025-03-31T17:10:00+02:00");
	g_assert_cmpstr(b->original->body, ==, "Can you?");
	g_assert_cmpuint(b->original->to->len, ==, 1);
	g_assert_cmpstr(
	    ((FwdAddress *)b->original->to->pdata[0])->name, ==, "Ann Lee");
}

/* test_notes_tab_names - Notes names in cells between tabs are a list */
static void
test_notes_tab_names(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fw: x\n\n"
		"----- Forwarded by Ann Lee/Sales/Acme on 04/01/2025 09:00 AM "
		"-----\n\n"
		"Bo Chen/Eng/Acme@Acme\tTo\tAnn Lee/Sales/Acme@Acme\t"
		"CN=Cy Diaz/OU=Ops/O=Acme@Acme\n"
		"03/31/2025 05:10 PM\tcc\tdee@ext.example\n"
		"\tSubject\tReview?\n\nCan you?\n");
	const GPtrArray *to;

	g_assert_true(fwd->forwarded);
	to = fwd->original->to;
	g_assert_cmpuint(to->len, ==, 2);
	g_assert_cmpstr(((FwdAddress *)to->pdata[0])->name, ==, "Ann Lee");
	g_assert_null(((FwdAddress *)to->pdata[0])->address);
	g_assert_cmpstr(((FwdAddress *)to->pdata[1])->name, ==, "Cy Diaz");
	g_assert_cmpstr(((FwdAddress *)fwd->original->cc->pdata[0])->address,
	    ==, "dee@ext.example");
	g_assert_cmpstr(fwd->original->subject, ==, "Review?");
}

/* test_encoded_words - raw RFC 2047 words copied into a forward block */
static void
test_encoded_words(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fwd: x\n\n"
		"----- Forwarded message from Ren <r@r.example> -----\n\n"
		"From: =?utf-8?q?Ren=C3=A9e_Roy?= <r@r.example>\n"
		"To: a@a.example\n"
		"Subject: =?iso-8859-1?q?Caf=E9?= talk\n\nbody\n");

	g_assert_cmpstr(fwd->original->from->name, ==, "Renée Roy");
	g_assert_cmpstr(fwd->original->subject, ==, "Café talk");
}

/* test_html_only - an HTML-only body goes through the HTML reader */
static void
test_html_only(void)
{
	g_autoptr(Forward) fwd = parse_ok(HDR
	    "Subject: Fwd: Opening\n"
	    "Content-Type: text/html; charset=utf-8\n\n"
	    "<html><body><div>Jane, look.</div>"
	    "<div class=\"gmail_quote\"><div class=\"gmail_attr\">"
	    "---------- Forwarded message ---------<br>"
	    "From: <b>Ann Lee</b> &lt;ann@lee.example&gt;<br>"
	    "Date: Mon, 3 Mar 2025 at 10:00<br>"
	    "Subject: Opening<br>To: &lt;chris@members.example&gt;<br></div>"
	    "<br><div>We are hiring.</div></div></body></html>\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpint(fwd->kind, ==, FORWARD_KIND_INLINE);
	g_assert_cmpstr(fwd->note, ==, "Jane, look.");
	g_assert_cmpstr(fwd->original->from->name, ==, "Ann Lee");
	g_assert_cmpstr(fwd->original->from->address, ==, "ann@lee.example");
	g_assert_cmpstr(fwd->original->body, ==, "We are hiring.");
}

/* test_name_only_html - a name-only sender in the text part takes the
 * address from the HTML part's mailto: link */
static void
test_name_only_html(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: FW: Budget\n"
		"Content-Type: multipart/alternative; boundary=\"a\"\n\n"
		"--a\nContent-Type: text/plain; charset=utf-8\n\n"
		"FYI\n\nFrom: Tom Becker\nSent: Monday, March 3, 2025 10:00\n"
		"To: Chris Member; Ann Lee\nSubject: Budget\n\nNumbers.\n"
		"--a\nContent-Type: text/html; charset=utf-8\n\n"
		"<p>FYI</p><div id=\"divRplyFwdMsg\"><b>From:</b> "
		"<a href=\"mailto:tom.becker@t.example\">Tom Becker</a><br>"
		"<b>Sent:</b> Monday, March 3, 2025 10:00<br><b>To:</b> "
		"Chris Member; <a href=\"mailto:ann@l.example\">Ann Lee</a><br>"
		"<b>Subject:</b> Budget</div><div>Numbers.</div>\n"
		"--a--\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->name, ==, "Tom Becker");
	g_assert_cmpstr(
	    fwd->original->from->address, ==, "tom.becker@t.example");
	g_assert_null(addr_at(fwd->original->to, 0)->address);
	g_assert_cmpstr(
	    addr_at(fwd->original->to, 1)->address, ==, "ann@l.example");
	g_assert_cmpstr(fwd->original->body, ==, "Numbers.");
}

/* test_nested_chain - a forward inside a forward: body keeps it, chain
 * lists it */
static void
test_nested_chain(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    HDR "Subject: Fwd: Fwd: x\n\n"
		"---------- Forwarded message ---------\n"
		"From: Mid <mid@m.example>\nSubject: Fwd: x\n"
		"To: chris@members.example\n\n"
		"Mid's words.\n\n"
		"-------- Original Message --------\n"
		"Subject: x\nFrom: Inner <in@i.example>\nTo: mid@m.example\n\n"
		"Inner body.\n");
	const FwdMessage *inner;

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->address, ==, "mid@m.example");
	g_assert_nonnull(strstr(fwd->original->body, "Inner body."));
	g_assert_nonnull(strstr(fwd->original->body, "From: Inner"));
	g_assert_cmpuint(fwd->chain->len, ==, 1);
	inner = g_ptr_array_index(fwd->chain, 0);
	g_assert_cmpstr(inner->from->address, ==, "in@i.example");
	g_assert_cmpstr(inner->subject, ==, "x");
	g_assert_cmpstr(inner->body, ==, "Inner body.");
}

/* test_note_signature - the note stops at "-- " and at "Sent from" */
static void
test_note_signature(void)
{
	g_autoptr(Forward) a = parse_ok(HDR
	    "Subject: Fwd: x\n\nHave a look.\n-- \nChris, Member\n+1 555\n\n"
	    "Begin forwarded message:\n\nFrom: A <a@a.example>\n"
	    "Subject: x\nDate: today\nTo: c@c.example\n\nbody\n");
	g_autoptr(Forward) b =
	    parse_ok(HDR "Subject: Fwd: x\n\nJane?\n\nSent from my iPhone\n\n"
			 "Begin forwarded message:\n\nFrom: A <a@a.example>\n"
			 "Subject: x\nTo: c@c.example\n\nbody\n");
	g_autoptr(Forward) c =
	    parse_ok(HDR "Subject: Fwd: x\n\n-- \nsig only\n\n"
			 "Begin forwarded message:\n\nFrom: A <a@a.example>\n"
			 "Subject: x\nTo: c@c.example\n\nbody\n");

	g_assert_cmpstr(a->note, ==, "Have a look.");
	g_assert_cmpstr(b->note, ==, "Jane?");
	g_assert_null(c->note);
}

/* test_not_forward - plain mail, and "Fwd:" over nothing forwarded */
static void
test_not_forward(void)
{
	g_autoptr(Forward) a = parse_ok(
	    HDR "Subject: Hello\n\nJust a note.\nFrom: me, with love\n");
	g_autoptr(Forward) b = parse_ok(HDR "Subject: Fwd: Hello\n\nnothing\n");
	g_autofree char *json = forward_to_json(b);

	g_assert_false(a->forwarded);
	g_assert_false(b->forwarded);
	g_assert_null(b->note);
	g_assert_nonnull(strstr(json, "\"original\" : null"));
	g_assert_nonnull(strstr(json, "\"kind\" : \"none\""));
}

/* test_unreadable - bytes that are not a message are an error */
static void
test_unreadable(void)
{
	static const char junk[] = "\x01\x02 not a message\n\nbody";
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	Forward *fwd = parser_parse(junk, sizeof(junk) - 1, &e1);

	g_assert_null(fwd);
	g_assert_error(e1, PARSER_ERROR, PARSER_ERROR_UNREADABLE);
	fwd = parser_parse("", 0, &e2);
	g_assert_null(fwd);
	g_assert_error(e2, PARSER_ERROR, PARSER_ERROR_UNREADABLE);
}

/* test_limit_size - over PARSER_MAX_INPUT is refused before any work */
static void
test_limit_size(void)
{
	gsize len = PARSER_MAX_INPUT + 1;
	GString *big = g_string_sized_new(len);
	g_autoptr(GError) error = NULL;
	Forward *fwd;

	g_string_append(big, "Subject: x\n\n");
	g_string_set_size(big, len);
	memset(big->str + 12, 'a', len - 12);
	fwd = parser_parse(big->str, big->len, &error);
	g_string_free(big, TRUE);
	g_assert_null(fwd);
	g_assert_error(error, PARSER_ERROR, PARSER_ERROR_LIMIT);
}

/* test_limit_depth - deeply nested MIME: no crash, the walk stops */
static void
test_limit_depth(void)
{
	g_autoptr(GString) msg = g_string_new(HDR "Subject: Fwd: deep\n");
	g_autoptr(Forward) fwd = NULL;
	guint levels = 2000;

	for (guint i = 0; i < levels; i++)
		g_string_append_printf(msg,
		    "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n"
		    "--b%u\n",
		    i, i);
	g_string_append(msg, "Content-Type: message/rfc822\n\n"
			     "From: Deep <deep@d.example>\n\nbody\n");
	fwd = parse_ok(msg->str);
	/* the attached message is below PARSER_MAX_DEPTH: not looked at */
	g_assert_false(fwd->forwarded);
}

/* test_limit_headers - too many header fields are refused */
static void
test_limit_headers(void)
{
	g_autoptr(GString) msg = g_string_new(HDR "Subject: Fwd: many\n");
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < PARSER_MAX_HEADERS + 10; i++)
		g_string_append_printf(msg, "X-Filler-%u: %u\n", i, i);
	g_string_append(msg, "\nbody\n");
	g_assert_null(parser_parse(msg->str, msg->len, &error));
	g_assert_error(error, PARSER_ERROR, PARSER_ERROR_LIMIT);
}

/* test_limit_large - a 4 MB forward with hostile lines stays bounded */
static void
test_limit_large(void)
{
	g_autoptr(GString) msg = g_string_new(HDR "Subject: Fwd: big\n\n");
	g_autoptr(Forward) fwd = NULL;

	g_string_append(msg, "---------- Forwarded message ---------\n"
			     "From: A <a@a.example>\nSubject: big\n\n");
	for (guint i = 0; i < 20000; i++)
		g_string_append(msg, "From: x\nOn x, y wrote:\n"
				     "---- -- ---- ----\n> > > <<<<\n");
	/* one 1 MB line of label-like and bracket-like text */
	for (guint i = 0; i < 50000; i++)
		g_string_append(msg, "To: a<b,\"c");
	g_string_append_c(msg, '\n');
	fwd = parse_ok(msg->str);
	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->address, ==, "a@a.example");
	g_assert_cmpuint(strlen(fwd->original->body), >, 1000000);
	g_assert_cmpuint(strlen(fwd->original->body), <, msg->len);
	g_assert_cmpuint(fwd->chain->len, <=, PARSER_MAX_CHAIN);
}

/* assert_clean - valid UTF-8 without controls other than LF and TAB */
static void
assert_clean(const char *s)
{
	if (s == NULL)
		return;
	g_assert_true(g_utf8_validate(s, -1, NULL));
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		g_assert_true(c == '\n' || c == '\t' || c >= 0x20);
		g_assert_true(c != 0x7f && c != 0x202e && c != 0x200b);
	}
}

/* test_bad_bytes - invalid bytes and controls never reach the output */
static void
test_bad_bytes(void)
{
	g_autoptr(Forward) fwd =
	    parse_ok(HDR "Subject: Fwd: \xff\xfe bad\n"
			 "Content-Type: text/plain; charset=utf-8\n\n"
			 "note \xc3\x28 \x1b[31m red\n\n"
			 "---------- Forwarded message ---------\n"
			 "From: Ev\xe9il \xe2\x80\xae<ev@e.example>\n"
			 "Subject: s\xff\x01\n"
			 "To: t\r@t.example\n\n"
			 "body \xed\xa0\x80 \x7f \xe2\x80\x8b end\n");
	g_autofree char *json = forward_to_json(fwd);

	g_assert_true(fwd->forwarded);
	assert_clean(fwd->note);
	assert_clean(fwd->original->from->name);
	assert_clean(fwd->original->subject);
	assert_clean(fwd->original->body);
	g_assert_true(g_utf8_validate(json, -1, NULL));
	g_assert_cmpstr(fwd->original->from->address, ==, "ev@e.example");
}

/* test_nul_bytes - a NUL in a decoded body does not cut the text */
static void
test_nul_bytes(void)
{
	g_autoptr(Forward) fwd = parse_ok(HDR
	    "Subject: Fwd: s\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "LS0tLS0tLS0tLSBGb3J3YXJkZWQgbWVzc2FnZSAtLS0tLS0tLS0KRnJvbTogQSA8"
	    "YUBhLmV4YW1wbGU+ClN1YmplY3Q6IHMKCmJlZm9yZQBhZnRlcgo=\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->body, ==, "beforeafter");
}

/* test_empty_flowed - an empty format=flowed part (found by fuzzing) */
static void
test_empty_flowed(void)
{
	g_autoptr(Forward) fwd =
	    parse_ok("Content-Type:text/plain; format=flowed");

	g_assert_false(fwd->forwarded);
}

/* test_charset_flowed - a declared charset, format=flowed, CRLF, BOM */
static void
test_charset_flowed(void)
{
	g_autoptr(Forward) fwd = parse_ok(
	    "From: a@members.example\r\nSubject: WG: Angebot\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=iso-8859-1; format=flowed; "
	    "delsp=yes\r\n\r\n"
	    "\xef\xbb\xbf"
	    "-------- Weitergeleitete Nachricht --------\r\n"
	    "Betreff: \tAngebot\r\n"
	    "Von: \tJ\xfcrgen M\xfcller <jm@m\xfcller.example>\r\n"
	    "An: \ta@members.example\r\n\r\n"
	    "Sehr geehrte Damen und Her \r\nren,\xa0wir brauchen \r\n"
	    "Hilfe.\r\n");

	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->name, ==, "Jürgen Müller");
	g_assert_cmpstr(fwd->original->body, ==,
	    "Sehr geehrte Damen und Herren, wir brauchenHilfe.");
}

/* test_json_shape - every contract field, nulls where the contract says */
static void
test_json_shape(void)
{
	g_autoptr(Forward) fwd = forward_new();
	g_autoptr(JsonParser) jp = json_parser_new();
	g_autofree char *json = NULL;
	JsonObject *o, *orig, *from;

	fwd->forwarded = TRUE;
	fwd->kind = FORWARD_KIND_INLINE;
	fwd->original = fwd_message_new();
	g_ptr_array_add(
	    fwd->original->cc, fwd_address_new(NULL, "c@c.example"));
	fwd->original->body = g_strdup("line \"quoted\"\n\ttab");
	json = forward_to_json(fwd);
	g_assert_true(json_parser_load_from_data(jp, json, -1, NULL));
	o = json_node_get_object(json_parser_get_root(jp));
	g_assert_true(json_object_get_boolean_member(o, "forwarded"));
	g_assert_cmpstr(json_object_get_string_member(o, "kind"), ==, "inline");
	g_assert_true(json_object_get_null_member(o, "note"));
	g_assert_cmpuint(
	    json_array_get_length(json_object_get_array_member(o, "chain")), ==,
	    0);
	orig = json_object_get_object_member(o, "original");
	from = json_object_get_object_member(orig, "from");
	g_assert_true(json_object_get_null_member(from, "name"));
	g_assert_true(json_object_get_null_member(from, "address"));
	g_assert_cmpuint(json_array_get_length(
			     json_object_get_array_member(orig, "reply_to")),
	    ==, 0);
	g_assert_true(json_object_get_null_member(orig, "subject"));
	g_assert_true(json_object_get_null_member(orig, "date"));
	g_assert_true(json_object_get_null_member(orig, "date_raw"));
	g_assert_true(json_object_get_null_member(orig, "message_id"));
	g_assert_cmpstr(json_object_get_string_member(orig, "body"), ==,
	    "line \"quoted\"\n\ttab");
	g_assert_cmpuint(json_object_get_size(orig), ==, 9);
	g_assert_cmpuint(json_object_get_size(o), ==, 5);
}

/* test_parse_message - the milter's entry point, on a GMime message */
static void
test_parse_message(void)
{
	static const char raw[] = HDR "Subject: TR: Offre\n\n"
				      "De : Ann <ann@a.example>\n"
				      "Envoyé : lundi 3 mars 2025 10:00\n"
				      "À : chris@members.example\n"
				      "Objet : Offre\n\nBonjour.\n";
	g_autoptr(GMimeStream) stream =
	    g_mime_stream_mem_new_with_buffer(raw, sizeof(raw) - 1);
	g_autoptr(GMimeParser) p = g_mime_parser_new_with_stream(stream);
	g_autoptr(GMimeMessage) msg = g_mime_parser_construct_message(p, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(Forward) fwd = parser_parse_message(msg, &error);

	g_assert_no_error(error);
	g_assert_true(fwd->forwarded);
	g_assert_cmpstr(fwd->original->from->address, ==, "ann@a.example");
	g_assert_cmpstr(fwd->original->date_raw, ==, "lundi 3 mars 2025 10:00");
	g_assert_cmpstr(fwd->original->subject, ==, "Offre");
	g_assert_cmpstr(
	    forward_kind_name(FORWARD_KIND_ATTACHMENT), ==, "attachment");
	forward_free(NULL);
	fwd_message_free(NULL);
	fwd_address_free(NULL);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/parser/parse/attachment", test_attachment);
	g_test_add_func(
	    "/parser/parse/utf8-label-latin1", test_utf8_label_latin1);
	g_test_add_func(
	    "/parser/parse/attachment-nested", test_attachment_nested);
	g_test_add_func(
	    "/parser/parse/attachment-eml-file", test_attachment_eml_file);
	g_test_add_func("/parser/parse/html-hint", test_html_hint);
	g_test_add_func("/parser/parse/gmail", test_gmail);
	g_test_add_func(
	    "/parser/parse/gmail-conversation", test_gmail_conversation);
	g_test_add_func("/parser/parse/outlook", test_outlook);
	g_test_add_func("/parser/parse/attribution", test_attribution);
	g_test_add_func("/parser/parse/apple-quoted", test_apple_quoted);
	g_test_add_func("/parser/parse/yahoo", test_yahoo);
	g_test_add_func("/parser/parse/mutt", test_mutt);
	g_test_add_func("/parser/parse/notes_dashes", test_notes_dashes);
	g_test_add_func("/parser/parse/notes_tab_names", test_notes_tab_names);
	g_test_add_func("/parser/parse/encoded-words", test_encoded_words);
	g_test_add_func("/parser/parse/html-only", test_html_only);
	g_test_add_func("/parser/parse/name-only-html", test_name_only_html);
	g_test_add_func("/parser/parse/nested-chain", test_nested_chain);
	g_test_add_func("/parser/parse/note-signature", test_note_signature);
	g_test_add_func("/parser/parse/not-forward", test_not_forward);
	g_test_add_func("/parser/parse/unreadable", test_unreadable);
	g_test_add_func("/parser/parse/attachment-eml-hostile",
	    test_attachment_eml_hostile);
	g_test_add_func("/parser/parse/limit-size", test_limit_size);
	g_test_add_func("/parser/parse/limit-depth", test_limit_depth);
	g_test_add_func("/parser/parse/limit-headers", test_limit_headers);
	g_test_add_func("/parser/parse/limit-large", test_limit_large);
	g_test_add_func("/parser/parse/bad-bytes", test_bad_bytes);
	g_test_add_func("/parser/parse/nul-bytes", test_nul_bytes);
	g_test_add_func("/parser/parse/empty-flowed", test_empty_flowed);
	g_test_add_func("/parser/parse/charset-flowed", test_charset_flowed);
	g_test_add_func("/parser/parse_message/outlook-fr", test_parse_message);
	g_test_add_func("/parser/forward_to_json/shape", test_json_shape);
	return g_test_run();
}
