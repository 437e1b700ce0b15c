/*
 * test_parser_html.c - parser_html_to_text(): text lines from the HTML
 *	mail clients write, forward-container hints, and HTML at its worst
 */
#include "config.h"

#include <string.h>

#include "parser/parser_int.h"

/* to_text - convert, keeping the forward hints in *marks */
static char *
to_text(const char *html, GArray **marks)
{
	GArray *m = g_array_new(FALSE, FALSE, sizeof(guint));
	char *text = parser_html_to_text(html, strlen(html), m);

	g_assert_nonnull(text);
	if (marks != NULL)
		*marks = m;
	else
		g_array_unref(m);
	return text;
}

/* line_at - line i of text (a new string) */
static char *
line_at(const char *text, guint i)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	g_assert_cmpuint(i, <, g_strv_length(lines));
	return g_strdup(lines[i]);
}

/* assert_shape - what every output must be, whatever the input */
static void
assert_shape(const char *text, const GArray *marks)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint n = g_strv_length(lines);

	g_assert_true(g_utf8_validate(text, -1, NULL));
	for (guint i = 0; i < n; i++) {
		gsize len = strlen(lines[i]);

		g_assert_true(len == 0 || lines[i][len - 1] != ' ');
		g_assert_null(strchr(lines[i], '\r'));
	}
	g_assert_null(strstr(text, "\n\n\n"));
	if (text[0] != '\0') {
		g_assert_cmpint((guchar)text[0], !=, '\n');
		g_assert_cmpint((guchar)text[strlen(text) - 1], !=, '\n');
	}
	for (guint i = 0; marks != NULL && i < marks->len; i++) {
		g_assert_cmpuint(g_array_index(marks, guint, i), <, n);
		if (i > 0)
			g_assert_cmpuint(g_array_index(marks, guint, i), >,
			    g_array_index(marks, guint, i - 1));
	}
}

/* check - text must be want; marks must be the listed line numbers */
static void
check(const char *html, const char *want, guint nmarks, ...)
{
	g_autoptr(GArray) marks = NULL;
	g_autofree char *text = to_text(html, &marks);
	va_list ap;

	g_assert_cmpstr(text, ==, want);
	assert_shape(text, marks);
	g_assert_cmpuint(marks->len, ==, nmarks);
	va_start(ap, nmarks);
	for (guint i = 0; i < nmarks; i++)
		g_assert_cmpuint(
		    g_array_index(marks, guint, i), ==, va_arg(ap, guint));
	va_end(ap);
}

/* test_gmail - Gmail's inline forward: gmail_quote and gmail_attr */
static void
test_gmail(void)
{
	check("<div dir=\"ltr\">Jane, you&#39;d be perfect.<div><br></div>"
	      "<div>Chris</div><br><div class=\"gmail_quote\">"
	      "<div dir=\"ltr\" class=\"gmail_attr\">---------- Forwarded "
	      "message ---------<br>From: <strong class=\"gmail_sendername\" "
	      "dir=\"auto\">John Doe</strong> <span dir=\"auto\">&lt;<a "
	      "href=\"mailto:john.doe@acme.com\">john.doe@acme.com</a>&gt;"
	      "</span><br>Date: Wed, Oct 27, 2021 at 9:31 AM<br>Subject: "
	      "Integer<br>To: &lt;<a href=\"mailto:bessie@acme.com\">"
	      "bessie@acme.com</a>&gt;<br></div><br><br><div dir=\"ltr\">"
	      "Aenean quis diam urna.</div></div></div>",
	    "Jane, you'd be perfect.\n"
	    "\n"
	    "Chris\n"
	    "\n"
	    "---------- Forwarded message ---------\n"
	    "From: John Doe <john.doe@acme.com>\n"
	    "Date: Wed, Oct 27, 2021 at 9:31 AM\n"
	    "Subject: Integer\n"
	    "To: <bessie@acme.com>\n"
	    "\n"
	    "Aenean quis diam urna.",
	    1, 4u);
}

/* test_outlook_desktop - Word HTML: MsoNormal lines, &nbsp; blank
 * lines, conditional comments, the border-top header block */
static void
test_outlook_desktop(void)
{
	check("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
	      "<head><meta http-equiv=Content-Type content=\"text/html\">"
	      "<!--[if !mso]><style>v\\:* {behavior:url(#default#VML);}"
	      "</style><![endif]--><style><!--\np.MsoNormal {margin:0cm;}\n"
	      "--></style><!--[if gte mso 9]><xml><o:shapedefaults "
	      "v:ext=\"edit\" spidmax=\"1026\" /></xml><![endif]--></head>"
	      "<body lang=EN-US><div class=WordSection1>\n"
	      "<p class=MsoNormal>Jane, over to you.<o:p></o:p></p>\n"
	      "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
	      "<p class=MsoNormal>Chris<o:p></o:p></p>\n"
	      "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
	      "<div style='border:none;border-top:solid #E1E1E1 1.0pt;"
	      "padding:3.0pt 0cm 0cm 0cm'>\n"
	      "<p class=MsoNormal><b>From:</b> John Doe &lt;john.doe@acme.com"
	      "&gt; <br><b>Sent:</b> Wednesday, October 27, 2021 9:31 AM<br>"
	      "<b>To:</b> Bessie Berry &lt;bessie.berry@acme.com&gt;<br>"
	      "<b>Subject:</b> Integer<o:p></o:p></p>\n</div>\n"
	      "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
	      "<p class=MsoNormal>Aenean quis diam urna.<o:p></o:p></p>\n"
	      "</div></body></html>",
	    "Jane, over to you.\n"
	    "\n"
	    "Chris\n"
	    "\n"
	    "From: John Doe <john.doe@acme.com>\n"
	    "Sent: Wednesday, October 27, 2021 9:31 AM\n"
	    "To: Bessie Berry <bessie.berry@acme.com>\n"
	    "Subject: Integer\n"
	    "\n"
	    "Aenean quis diam urna.",
	    1, 4u);
}

/* test_outlook_2010 - the older blue border-top header block */
static void
test_outlook_2010(void)
{
	check("<p class=MsoNormal>FYI</p><div><div style=\"border:none;"
	      "border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0in 0in 0in\">"
	      "<p class=MsoNormal><b><span style='font-size:10.0pt'>From:"
	      "</span></b><span style='font-size:10.0pt'> John Doe "
	      "[mailto:john@acme.com] <br><b>Sent:</b> Tuesday, 2 November "
	      "2021 09:26</span></p></div></div><p class=MsoNormal>Body</p>",
	    "FYI\n"
	    "From: John Doe [mailto:john@acme.com]\n"
	    "Sent: Tuesday, 2 November 2021 09:26\n"
	    "Body",
	    1, 1u);
}

/* test_outlook_web - Outlook 365/web: #divRplyFwdMsg, x_ prefix too */
static void
test_outlook_web(void)
{
	check("<div>See below</div><div id=\"appendonsend\"></div>"
	      "<hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">"
	      "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri\" "
	      "style=\"font-size:11pt\"><b>From:</b> John Doe &lt;"
	      "john.doe@acme.com&gt;<br><b>Sent:</b> Wednesday, October 27, "
	      "2021 9:31 AM<br><b>Subject:</b> Integer</font><div>&nbsp;"
	      "</div></div><div><div dir=\"ltr\">Aenean.</div>"
	      "<div id=\"x_divRplyFwdMsg\"><b>From:</b> Inner</div></div>",
	    "See below\n"
	    "From: John Doe <john.doe@acme.com>\n"
	    "Sent: Wednesday, October 27, 2021 9:31 AM\n"
	    "Subject: Integer\n"
	    "\n"
	    "Aenean.\n"
	    "From: Inner",
	    2, 1u, 6u);
}

/* test_thunderbird - moz-forward-container with its header table */
static void
test_thunderbird(void)
{
	check("<p>Over to you.</p><div class=\"moz-forward-container\"><br>"
	      "<br>-------- Forwarded Message --------\n<table class=\"moz-"
	      "email-headers-table\" border=\"0\"><tbody><tr><th "
	      "valign=\"BASELINE\" nowrap=\"nowrap\" align=\"RIGHT\">Subject: "
	      "</th><td>Integer</td></tr><tr><th>From: </th><td>John Doe "
	      "<a class=\"moz-txt-link-rfc2396E\" href=\"mailto:john@acme.com"
	      "\">&lt;john@acme.com&gt;</a></td></tr></tbody></table><br>"
	      "<p>Aenean.</p></div>",
	    "Over to you.\n"
	    "\n"
	    "-------- Forwarded Message --------\n"
	    "Subject: Integer\n"
	    "From: John Doe <john@acme.com>\n"
	    "\n"
	    "Aenean.",
	    1, 2u);
}

/* test_apple - Apple Mail: blockquote type="cite", quoted */
static void
test_apple(void)
{
	check("<div dir=\"auto\">Have a look<br><div dir=\"ltr\"><br>"
	      "<blockquote type=\"cite\">Begin forwarded message:</blockquote>"
	      "</div><blockquote type=\"cite\"><div><b>From:</b> John Doe "
	      "&lt;<a href=\"mailto:john@acme.com\">john@acme.com</a>&gt;"
	      "</div><div><b>Subject:</b> Integer</div><br><div>Aenean."
	      "</div></blockquote></div>",
	    "Have a look\n"
	    "\n"
	    "> Begin forwarded message:\n"
	    "> From: John Doe <john@acme.com>\n"
	    "> Subject: Integer\n"
	    ">\n"
	    "> Aenean.",
	    2, 2u, 3u);
}

/* test_other_containers - Yahoo and old Outlook containers */
static void
test_other_containers(void)
{
	check("<div>Hi</div><div id=\"yahoo_quoted_123\" "
	      "class=\"yahoo_quoted\"><div>----- Forwarded Message -----"
	      "</div></div><div class=OutlookMessageHeader>From: X</div>",
	    "Hi\n----- Forwarded Message -----\nFrom: X", 2, 1u, 2u);
}

/* test_mailto - name-only senders keep their address */
static void
test_mailto(void)
{
	check("From: <a href=\"mailto:john.doe@acme.com\">John Doe</a>",
	    "From: John Doe <john.doe@acme.com>", 0);
	check("From: <a href=\"MAILTO:John.Doe@Acme.com\">john.doe@acme.com"
	      "</a>",
	    "From: john.doe@acme.com", 0);
	check("To: <a href=\"mailto:a%40b.example?subject=hi\"></a>!",
	    "To: a@b.example!", 0);
	check("<a href=\"mailto:x&#64;y.example\">X <b>Y</b></a> said",
	    "X Y <x@y.example> said", 0);
	check("<a href=\"mailto:not an address\">Name</a>", "Name", 0);
	check("<a href=\"https://example.com/\">site</a>", "site", 0);
	check("<a href=\"mailto:a@b.example\">A<a href=\"mailto:c@d.example\">"
	      "C</a>",
	    "A <a@b.example>C <c@d.example>", 0);
	check("unclosed <a href=\"mailto:a@b.example\">Ann",
	    "unclosed Ann <a@b.example>", 0);
}

/* test_entities - named, numeric, Windows-1252, unknown, invalid */
static void
test_entities(void)
{
	check("&amp;&lt;&gt;&quot;&apos;&eacute;&Eacute;&euro;&hellip;"
	      "&rsquo;&mdash;",
	    "&<>\"'éÉ€…’—", 0);
	check(
	    "&#65;&#x42;&#X43;&#150;&#146;&#0;&#xD800;&#x110000;&#99999999999;",
	    "ABC–’\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0);
	check("&amp &lt; &nosuch; &eacute no &; & x &#; &#x;",
	    "& < &nosuch; &eacute no &; & x &#; &#x;", 0);
	check("a&shy;b&nbsp;&nbsp;c &#10; d", "ab  c d", 0);
}

/* test_whitespace - collapsing outside <pre>, kept inside */
static void
test_whitespace(void)
{
	check("  a \t\r\n  b  <span> c </span>  ", "a b c", 0);
	check(
	    "<pre>\n  x   y\n\n\tz\r\n</pre>after", "  x   y\n\n\tz\nafter", 0);
	check("<p>one</p><p>two</p><h1>three</h1>four", "one\ntwo\nthree\nfour",
	    0);
	check("<p>one</p><p>&nbsp;</p><p>two</p>", "one\n\ntwo", 0);
	check("a<br><br><br><br>b<br>", "a\n\nb", 0);
	check("<table><tr><td>From:</td><td>John</td></tr><tr><td>To:</td>"
	      "<td>Jane</td></tr></table>",
	    "From: John\nTo: Jane", 0);
	check("<ul><li>one<li>two</ul><hr>x", "one\ntwo\nx", 0);
}

/* test_dropped - head, title, script, style, comments, hidden */
static void
test_dropped(void)
{
	check("<html><head><title>Title</title><meta charset=utf-8>"
	      "<style>p { color: red }</style><script>if (a < b) x();"
	      "</script ></head><body>shown<!-- not <b>this</b> -->"
	      "<script type=\"x\">var s = '</scr' + 'ipt>';</script>"
	      " too</body></html>",
	    "shown too", 0);
	check("<head><title>t</title>stray head text<body>body</body>", "body",
	    0);
	check("<head><meta x=1><div>no body tag</div>", "no body tag", 0);
	check("a<span style=\"display: none\">preheader</span>b", "ab", 0);
	check("x<!-- never closed <b>y</b>", "x", 0);
	check("x<style>never closed", "x", 0);
	check("<!DOCTYPE html><?xml version=\"1.0\"?>x<![if !supportLists]>"
	      "-<![endif]>y</ >z",
	    "x-yz", 0);
}

/* test_blockquote - "> " per level, blank quoted lines as ">" */
static void
test_blockquote(void)
{
	check("top<blockquote>one<blockquote>two<br><br>three</blockquote>"
	      "back</blockquote>end",
	    "top\n> one\n> > two\n> >\n> > three\n> back\nend", 0);
}

/* test_broken - what browsers survive, we survive the same way */
static void
test_broken(void)
{
	check("a < b and 1<2 <", "a < b and 1<2 <", 0);
	check("x<d and y>z", "xz", 0); /* a tag, as in browsers */
	check("<div><span>unclosed<div>x</span>y</div>z</p></div>",
	    "unclosed\nxy\nz", 0);
	check("</blockquote>stray end</div>", "stray end", 0);
	check("x</br>y", "x\ny", 0);
	check("<div title='never closed>text", "", 0);
	check("<div class=\"gmail_quote\" unterminated", "", 0);
	check("<b>bold<i>both</b>italic</i>", "boldbothitalic", 0);
	check("<div\nclass = gmail_quote >x</div>", "x", 1, 0u);
	check("<p =x <y \"z\">w</p>", "w", 0);
	check("bad utf-8 \xff\xfe here",
	    "bad utf-8 \xef\xbf\xbd\xef\xbf\xbd here", 0);
	check("nul\0byte", "nul", 0); /* strlen() stops; see test_nul */
}

/* test_nul - NUL bytes inside the input are dropped */
static void
test_nul(void)
{
	static const char html[] = "a\0b<di\0v>c&am\0p;";
	g_autofree char *text =
	    parser_html_to_text(html, sizeof(html) - 1, NULL);

	/* "<di\0v>" is an unknown inline element, "&am\0p;" no reference */
	g_assert_cmpstr(text, ==, "abc&amp;");
}

/* test_empty - nothing in, nothing out */
static void
test_empty(void)
{
	g_autofree char *a = parser_html_to_text(NULL, 0, NULL);
	g_autofree char *b = parser_html_to_text("", 0, NULL);

	g_assert_cmpstr(a, ==, "");
	g_assert_cmpstr(b, ==, "");
	check("<br><br><div></div>&nbsp;<p>&nbsp;</p>", "", 0);
}

/* test_deep - nesting far past the stack: no recursion, bounded prefix */
static void
test_deep(void)
{
	g_autoptr(GString) html = g_string_new(NULL);
	g_autofree char *text = NULL;
	g_autofree char *first = NULL;
	g_autoptr(GArray) marks = NULL;

	for (int i = 0; i < 100000; i++)
		g_string_append(html, "<blockquote type=cite><div>");
	g_string_append(html, "deep");
	for (int i = 0; i < 100000; i++)
		g_string_append(html, "</div></blockquote>");
	g_string_append(html, "out");
	text = to_text(html->str, &marks);
	assert_shape(text, marks);
	first = line_at(text, 0);
	/* 128 blockquotes fit in the stack; 16 levels are written */
	g_assert_true(g_str_has_suffix(first, "> deep"));
	g_assert_cmpuint(strlen(first), ==, 16 * 2 + 4);
	g_assert_true(g_str_has_suffix(text, "\nout"));
	g_assert_cmpuint(marks->len, ==, 1);
}

/* test_huge - 2 MB of text and tags, read once */
static void
test_huge(void)
{
	g_autoptr(GString) html = g_string_new("<div class=gmail_quote>");
	g_autofree char *text = NULL;
	g_autofree char *last = NULL;
	g_autoptr(GArray) marks = NULL;
	guint lines = 0;

	while (html->len < 2 * 1024 * 1024) {
		g_string_append_printf(html,
		    "<p class=MsoNormal>line %u "
		    "&amp; more <b>bold</b></p>\n",
		    lines);
		lines++;
	}
	text = to_text(html->str, &marks);
	assert_shape(text, marks);
	g_assert_cmpuint(marks->len, ==, 1);
	g_assert_cmpuint(g_array_index(marks, guint, 0), ==, 0);
	last = g_strdup_printf("line %u & more bold", lines - 1);
	g_assert_true(g_str_has_suffix(text, last));
}

/* test_random - arbitrary bytes from HTML's alphabet keep the shape */
static void
test_random(void)
{
	static const char *const bits[] = { "<", ">", "</", "<div>", "</div>",
		"<blockquote type=cite>", "</blockquote>", "<pre>", "</pre>",
		"<br>", "<p>", "&", "&amp;", "&#", "x", " ", "\n", "\"", "'",
		"=", "<a href='mailto:a@b.c'>", "</a>", "<!--", "-->", "&nbsp;",
		"<script>", "</script>", "\xc2\xa0", "\xe2\x82", "\xff", "é",
		"<div class=gmail_quote>", "<td>", "\t", "\r" };
	g_autoptr(GRand) rand = g_rand_new_with_seed(20211027);

	for (int round = 0; round < 2000; round++) {
		g_autoptr(GString) html = g_string_new(NULL);
		g_autoptr(GArray) marks = NULL;
		g_autofree char *text = NULL;
		int n = g_rand_int_range(rand, 0, 60);

		for (int i = 0; i < n; i++)
			g_string_append(html, bits[g_rand_int_range(rand, 0,
						  G_N_ELEMENTS(bits))]);
		text = to_text(html->str, &marks);
		assert_shape(text, marks);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/parser/html_to_text/gmail", test_gmail);
	g_test_add_func(
	    "/parser/html_to_text/outlook-desktop", test_outlook_desktop);
	g_test_add_func("/parser/html_to_text/outlook-2010", test_outlook_2010);
	g_test_add_func("/parser/html_to_text/outlook-web", test_outlook_web);
	g_test_add_func("/parser/html_to_text/thunderbird", test_thunderbird);
	g_test_add_func("/parser/html_to_text/apple", test_apple);
	g_test_add_func(
	    "/parser/html_to_text/other-containers", test_other_containers);
	g_test_add_func("/parser/html_to_text/mailto", test_mailto);
	g_test_add_func("/parser/html_to_text/entities", test_entities);
	g_test_add_func("/parser/html_to_text/whitespace", test_whitespace);
	g_test_add_func("/parser/html_to_text/dropped", test_dropped);
	g_test_add_func("/parser/html_to_text/blockquote", test_blockquote);
	g_test_add_func("/parser/html_to_text/broken", test_broken);
	g_test_add_func("/parser/html_to_text/nul", test_nul);
	g_test_add_func("/parser/html_to_text/empty", test_empty);
	g_test_add_func("/parser/html_to_text/deep", test_deep);
	g_test_add_func("/parser/html_to_text/huge", test_huge);
	g_test_add_func("/parser/html_to_text/random", test_random);
	return g_test_run();
}
