/*
 * mta_gen.c - the mail bench/mta sends: ordinary, a share, a big share
 *
 * Every message is unique by (run, seq): the share's forwarded original
 * carries both in its subject and text, so its origin key differs, and
 * in its asker's address (dana.RUN.SEQ@confs.example), since a store
 * keeps one open request per requester and friend (a second one of the
 * same asker to jane would be a no-op): the store records a new share
 * each time, as it would in real use.
 * A reply answers one consent request: its token comes from the store
 * the milter uses, so each reply moves a real share from asked to
 * accepted.
 * Trust: none needed; the output is our own text.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "bench/mta.h"

#define FILLER                                                                 \
	"We would love you to give the opening talk on mail systems; "         \
	"travel is covered and the audience is about 300 engineers."

/* header - the fields every generated message has */
static void
header(GString *m, const char *from, const char *to, const char *subject,
    const char *run, guint64 seq)
{
	g_string_append_printf(m,
	    "From: %s\r\nTo: %s\r\nSubject: %s\r\n"
	    "Date: Mon, 03 Mar 2025 10:%02u:00 +0000\r\n"
	    "Message-ID: <%s.%" G_GUINT64_FORMAT "@members.example>\r\n"
	    "MIME-Version: 1.0\r\n",
	    from, to, subject, (guint)(seq % 60), run, seq);
}

/* filler - numbered lines of prose until the string holds want bytes */
static void
filler(GString *m, gsize want, const char *before, const char *after)
{
	for (guint n = 1; m->len < want; n++)
		g_string_append_printf(
		    m, "%s%u. %s%s\r\n", before, n, FILLER, after);
}

/* gen_ordinary - mail between two people, nothing to do with sharing */
static void
gen_ordinary(GString *m, gsize size, const char *run, guint64 seq)
{
	g_autofree char *subject = g_strdup_printf(
	    "Minutes of the %s/%" G_GUINT64_FORMAT " meeting", run, seq);

	header(m, "Alex Other <alex@elsewhere.example>",
	    "Bob Other <bob@elsewhere.example>", subject, run, seq);
	g_string_append(m, "Content-Type: text/plain; charset=utf-8\r\n\r\n");
	filler(m, size, "", "");
}

/* forward_text - the member's note and a Gmail-style forward block */
static void
forward_text(GString *m, gsize want, const char *run, guint64 seq)
{
	g_string_append_printf(m,
	    "Jane, you would be great for this. Can you take it?\r\n\r\n"
	    "---------- Forwarded message ---------\r\n"
	    "From: Dana Organiser <dana.%s.%" G_GUINT64_FORMAT
	    "@confs.example>\r\n"
	    "Date: Mon, 3 Mar 2025 at 09:00\r\n"
	    "Subject: Speaking at ConfX %s/%" G_GUINT64_FORMAT "\r\n"
	    "To: Chris Member <chris@members.example>\r\n\r\n"
	    "Hi Chris, (request %s/%" G_GUINT64_FORMAT ")\r\n\r\n",
	    run, seq, run, seq, run, seq);
	filler(m, want, "", "");
	g_string_append(m, "\r\nDana\r\n");
}

/* forward_html - the same forward as Gmail's HTML part writes it */
static void
forward_html(GString *m, gsize want, const char *run, guint64 seq)
{
	g_string_append_printf(m,
	    "<div dir=\"ltr\">Jane, you would be great for this. Can you "
	    "take it?<br><br><div class=\"gmail_quote\"><div dir=\"ltr\" "
	    "class=\"gmail_attr\">---------- Forwarded message "
	    "---------<br>\r\nFrom: <strong class=\"gmail_sendername\">Dana "
	    "Organiser</strong> &lt;<a href=\"mailto:dana.%s.%" G_GUINT64_FORMAT
	    "@confs.example\">dana.%s.%" G_GUINT64_FORMAT
	    "@confs.example</a>&gt;<br>\r\nDate: Mon, 3 Mar 2025 at "
	    "09:00<br>\r\nSubject: Speaking at ConfX %s/%" G_GUINT64_FORMAT
	    "<br>\r\nTo: Chris Member &lt;chris@members.example&gt;<br>"
	    "</div><br>\r\n<div dir=\"ltr\">Hi Chris, (request %s/"
	    "%" G_GUINT64_FORMAT ")<br>\r\n",
	    run, seq, run, seq, run, seq, run, seq);
	filler(m, want, "<p>", "</p>");
	g_string_append(m, "Dana</div></div></div>\r\n");
}

/* gen_share - an inline forward, text and HTML, of about size bytes */
static void
gen_share(GString *m, gsize size, const char *run, guint64 seq)
{
	g_autofree char *subject = g_strdup_printf(
	    "Fwd: Speaking at ConfX %s/%" G_GUINT64_FORMAT, run, seq);
	gsize start;

	header(m, "Chris Member <chris@members.example>",
	    "share+jane@intro.example.org", subject, run, seq);
	g_string_append(m,
	    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	start = m->len;
	forward_text(m, start + size * 45 / 100, run, seq);
	g_string_append(m, "--b1\r\nContent-Type: text/html; "
			   "charset=utf-8\r\n\r\n");
	forward_html(m, size > 200 ? size - 200 : size, run, seq);
	g_string_append(m, "--b1--\r\n");
}

/* gen_big - a short inline forward and the header of an attachment
 * part; mta_gen_attachment() is the rest, the same for every message */
static void
gen_big(GString *m, const char *run, guint64 seq)
{
	g_autofree char *subject = g_strdup_printf(
	    "Fwd: Speaking at ConfX %s/%" G_GUINT64_FORMAT, run, seq);

	header(m, "Chris Member <chris@members.example>",
	    "share+jane@intro.example.org", subject, run, seq);
	g_string_append(m,
	    "Content-Type: multipart/mixed; boundary=\"m1\"\r\n\r\n"
	    "--m1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	forward_text(m, m->len + 2048, run, seq);
	g_string_append(m,
	    "--m1\r\nContent-Type: application/pdf; name=\"programme.pdf\"\r\n"
	    "Content-Disposition: attachment; filename=\"programme.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
}

/* gen_reply - a friend's yes above the quoted consent request, text
 * and HTML, as Gmail writes a reply; padded with quoted lines */
static void
gen_reply(GString *m, gsize size, const char *token, guint64 seq)
{
	gsize start;

	g_string_append_printf(m,
	    "From: Jane Friend <jane@friends.example>\r\n"
	    "To: intro+%s@intro.example.org\r\n"
	    "Subject: Re: Chris thinks you'd be great for this: speaking at "
	    "ConfX\r\n"
	    "Date: Mon, 03 Mar 2025 11:%02u:00 +0100\r\n"
	    "Message-ID: <reply.%s.%" G_GUINT64_FORMAT "@friends.example>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=\"r1\"\r\n\r\n"
	    "--r1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "Yes, happy to!\r\n\r\n"
	    "On Mon, 3 Mar 2025, 10:02 Chris Member via passalong, "
	    "<intros@intro.example.org> wrote:\r\n\r\n"
	    "> Hi Jane,\r\n>\r\n"
	    "> Chris thinks you'd be great for this: speaking at ConfX.\r\n"
	    "> Dana Organiser is looking for an opening speaker.\r\n>\r\n",
	    token, (guint)(seq % 60), token, seq);
	start = m->len;
	filler(m, start + size * 40 / 100, "> ", "");
	g_string_append(m,
	    ">\r\n> Would you like an introduction? Reply with yes or no on "
	    "the first line.\r\n\r\n"
	    "--r1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<div dir=\"ltr\">Yes, happy to!</div><br><div "
	    "class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On "
	    "Mon, 3 Mar 2025, 10:02 Chris Member via passalong, "
	    "&lt;intros@intro.example.org&gt; wrote:<br></div>"
	    "<blockquote class=\"gmail_quote\">Hi Jane,<br>\r\n");
	filler(m, size > 300 ? size - 300 : size, "<p>", "</p>");
	g_string_append(m, "Would you like an introduction?</blockquote>"
			   "</div>\r\n--r1--\r\n");
}

/* mta_gen_attachment - base64 lines of noise, about size bytes, and the
 * closing boundary: the tail of every MTA_KIND_BIG message */
GBytes *
mta_gen_attachment(gsize size)
{
	GString *m = g_string_sized_new(size + 128);
	guint32 x = 2463534242u;
	guchar raw[57];
	char line[80];

	while (m->len < size) {
		gint state = 0, save = 0;

		for (gsize i = 0; i < sizeof raw; i++) { /* xorshift32 */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			raw[i] = (guchar)x;
		}
		g_string_append_len(m, line,
		    (gssize)g_base64_encode_step(
			raw, sizeof raw, FALSE, line, &state, &save));
		g_string_append(m, "\r\n");
	}
	g_string_append(m, "--m1--\r\n");
	return g_string_free_to_bytes(m);
}

/* mta_gen_message - one message of the kind, about size bytes; for
 * MTA_KIND_BIG only its head, to be followed by mta_gen_attachment();
 * for MTA_KIND_REPLY run is the token answered */
GBytes *
mta_gen_message(MtaKind kind, gsize size, const char *run, guint64 seq)
{
	GString *m = g_string_sized_new(size + 4096);

	switch (kind) {
	case MTA_KIND_ORDINARY:
		gen_ordinary(m, size, run, seq);
		break;
	case MTA_KIND_SHARE:
		gen_share(m, size, run, seq);
		break;
	case MTA_KIND_BIG:
		gen_big(m, run, seq);
		break;
	case MTA_KIND_REPLY:
		gen_reply(m, size, run, seq);
		break;
	}
	return g_string_free_to_bytes(m);
}

static const char *const kind_names[] = { "ordinary", "share", "big", "reply" };

/* mta_kind_name - the name of a kind, as -k takes it */
const char *
mta_kind_name(MtaKind kind)
{
	return kind_names[kind];
}

/* mta_kind_parse - "ordinary", "share", "big" or "reply" */
gboolean
mta_kind_parse(const char *name, MtaKind *kind)
{
	const char *const *names = kind_names;

	for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++) {
		if (strcmp(name, names[i]) == 0) {
			*kind = (MtaKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

/* mta_message_free - release a split message; accepts NULL */
void
mta_message_free(MtaMessage *msg)
{
	if (msg == NULL)
		return;
	g_ptr_array_unref(msg->names);
	g_ptr_array_unref(msg->values);
	if (msg->body != NULL)
		g_bytes_unref(msg->body);
	g_free(msg);
}

/* add_field - one header field; a folded line continues the last one */
static void
add_field(MtaMessage *msg, const char *line, gsize len)
{
	const char *colon = memchr(line, ':', len);

	if ((*line == ' ' || *line == '\t') && msg->values->len > 0) {
		char **last =
		    (char **)&msg->values->pdata[msg->values->len - 1];
		char *joined =
		    g_strdup_printf("%s\n%.*s", *last, (int)len, line);

		g_free(*last);
		*last = joined;
		return;
	}
	if (colon == NULL)
		return; /* not a field: Postfix would not pass it on either */
	g_ptr_array_add(msg->names, g_strndup(line, (gsize)(colon - line)));
	g_ptr_array_add(
	    msg->values, g_strndup(colon + 1, len - (gsize)(colon + 1 - line)));
}

/* mta_message_split - header fields and body, as the protocol sends them */
MtaMessage *
mta_message_split(GBytes *message, GError **error)
{
	gsize size = 0;
	const char *data = g_bytes_get_data(message, &size);
	const char *p = data, *end = data + size;
	MtaMessage *msg = g_new0(MtaMessage, 1);

	msg->names = g_ptr_array_new_with_free_func(g_free);
	msg->values = g_ptr_array_new_with_free_func(g_free);
	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize len;

		if (nl == NULL)
			break;
		len = (gsize)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0) {
			msg->body = g_bytes_new_from_bytes(message,
			    (gsize)(nl + 1 - data), (gsize)(end - nl - 1));
			return msg;
		}
		add_field(msg, p, len);
		p = nl + 1;
	}
	mta_message_free(msg);
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
	    "no empty line after the header");
	return NULL;
}
