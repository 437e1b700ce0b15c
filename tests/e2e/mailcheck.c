/*
 * mailcheck.c - print a delivered message as GMime reads it, one field a
 *	line, for the end-to-end tests and the demo to check
 *
 * SYNOPSIS
 *	mailcheck FILE
 *
 * DESCRIPTION
 *	Parses FILE with GMime and prints "name: value" lines: from-name,
 *	from-address, to, cc, reply-to (bare addresses, comma-separated),
 *	subject (decoded), date, message-id, in-reply-to, references,
 *	auto-submitted, then one "part: type/subtype" line per leaf part, a
 *	"header-max: N" line with the longest raw header line, and the
 *	decoded text/plain body after a "--- text ---" line. Exits 1 when
 *	the file is not a message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/gmime-autoptr.h"

/* print_list - bare addresses of an address list */
static void
print_list(const char *label, InternetAddressList *list)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	printf("%s: ", label);
	for (int i = 0; i < n; i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			printf("%s%s", i > 0 ? ", " : "",
			    internet_address_mailbox_get_addr(
				INTERNET_ADDRESS_MAILBOX(ia)));
	}
	printf("\n");
}

/* print_parts - one line per leaf part; remember the text/plain */
static void
print_parts(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	GMimeObject **text = data;

	(void)parent;
	if (GMIME_IS_MULTIPART(part))
		return;
	printf("part: %s/%s\n", g_mime_content_type_get_media_type(ct),
	    g_mime_content_type_get_media_subtype(ct));
	if (*text == NULL && g_mime_content_type_is_type(ct, "text", "plain"))
		*text = part;
}

/* longest_header_line - the longest line in the raw header */
static size_t
longest_header_line(const char *raw)
{
	size_t max = 0, cur = 0;

	for (const char *p = raw; *p; p++) {
		if (*p == '\n') {
			if (p > raw && p[-1] == '\r')
				cur--;
			max = MAX(max, cur);
			if (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n'))
				break;
			cur = 0;
		} else
			cur++;
	}
	return max;
}

/* main - read, parse, print */
int
main(int argc, char **argv)
{
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autofree char *raw = NULL;
	GMimeObject *text = NULL;
	InternetAddressList *from;
	const char *v;

	if (argc != 2) {
		fprintf(stderr, "usage: mailcheck FILE\n");
		return 2;
	}
	g_mime_init();
	if (!g_file_get_contents(argv[1], &raw, NULL, NULL)) {
		fprintf(stderr, "mailcheck: cannot read %s\n", argv[1]);
		return 1;
	}
	stream = g_mime_stream_mem_new_with_buffer(raw, strlen(raw));
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL) {
		fprintf(stderr, "mailcheck: %s is not a message\n", argv[1]);
		return 1;
	}
	from = g_mime_message_get_from(msg);
	if (from != NULL && internet_address_list_length(from) > 0) {
		InternetAddress *ia =
		    internet_address_list_get_address(from, 0);

		printf("from-name: %s\n", internet_address_get_name(ia)
					      ? internet_address_get_name(ia)
					      : "");
	}
	print_list("from-address", from);
	print_list("to", g_mime_message_get_to(msg));
	print_list("cc", g_mime_message_get_cc(msg));
	print_list("reply-to", g_mime_message_get_reply_to(msg));
	v = g_mime_message_get_subject(msg);
	printf("subject: %s\n", v ? v : "");
	static const char *names[] = { "Date", "Message-ID", "In-Reply-To",
		"References", "Auto-Submitted" };
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *lower = g_ascii_strdown(names[i], -1);

		g_autofree char *val = NULL;

		v = g_mime_object_get_header(GMIME_OBJECT(msg), names[i]);
		val = g_strstrip(g_strdup(v != NULL ? v : ""));
		printf("%s: %s\n", lower, val);
	}
	g_mime_message_foreach(msg, print_parts, &text);
	printf("header-max: %zu\n", longest_header_line(raw));
	printf("--- text ---\n");
	if (text != NULL) {
		GMimeDataWrapper *dw =
		    g_mime_part_get_content(GMIME_PART(text));
		g_autoptr(GMimeStream) out = g_mime_stream_mem_new();
		GByteArray *bytes;

		g_mime_data_wrapper_write_to_stream(dw, out);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
		fwrite(bytes->data, 1, bytes->len, stdout);
		printf("\n");
	}
	return 0;
}
