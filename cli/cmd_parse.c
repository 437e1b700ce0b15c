/*
 * cmd_parse.c - "passalong parse [FILE|-]" (see cmd_parse.h)
 *
 * Trust: the input is a message as a stranger wrote it; it is read with
 * a size bound (PARSER_MAX_INPUT + 1 bytes, so "too big" is told apart
 * from "exactly the limit"), held to the daemon's MIME bounds
 * (mimescan: parts, depth, header lines) and handed to the parser,
 * which cleans every string before it reaches the terminal as JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cmd_parse.h"
#include "common/mimescan.h"
#include "parser/parser.h"

static const char parse_usage[] =
    "Usage: passalong parse [-c FILE] [MESSAGE|-]\n"
    "Print how the forward in MESSAGE (default: standard input) is read,\n"
    "as JSON.\n";

/* read_bounded - up to max + 1 bytes of a stream; NULL and errno on error */
static GByteArray *
read_bounded(FILE *fp, gsize max)
{
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];

	while (buf->len <= max) {
		size_t n = fread(chunk, 1, sizeof(chunk), fp);

		if (n > 0)
			g_byte_array_append(buf, chunk, (guint)n);
		if (n < sizeof(chunk)) {
			if (ferror(fp)) {
				g_byte_array_unref(buf);
				return NULL;
			}
			break;
		}
	}
	return buf;
}

/* read_input - the whole message from a file or "-"; NULL on error */
static GByteArray *
read_input(const char *path)
{
	gboolean stdin_ = path == NULL || strcmp(path, "-") == 0;
	FILE *fp = stdin_ ? stdin : fopen(path, "rb");
	GByteArray *buf;

	if (fp == NULL) {
		fprintf(stderr, "passalong parse: %s: %s\n", path,
		    g_strerror(errno));
		return NULL;
	}
	buf = read_bounded(fp, PARSER_MAX_INPUT);
	if (buf == NULL)
		fprintf(stderr, "passalong parse: %s: %s\n",
		    stdin_ ? "standard input" : path, g_strerror(errno));
	if (!stdin_)
		fclose(fp);
	return buf;
}

/* parse_args - the one FILE argument (NULL: standard input); -1 if bad */
static int
parse_args(int argc, char **argv, const char **path)
{
	*path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(parse_usage, stdout);
			return 1;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (++i >= argc)
				return -1;
		} else if (!strncmp(a, "--config=", 9)) {
			continue;
		} else if ((a[0] == '-' && a[1] != '\0') || *path != NULL) {
			return -1; /* an unknown option, or a second file */
		} else {
			*path = a;
		}
	}
	return 0;
}

/* cmd_parse - print the parser's JSON for one message */
int
cmd_parse(int argc, char **argv)
{
	g_autoptr(GByteArray) buf = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Forward) fwd = NULL;
	g_autofree char *json = NULL;
	const char *path;
	int rc = parse_args(argc, argv, &path);

	if (rc != 0) {
		if (rc < 0)
			fputs(parse_usage, stderr);
		return rc < 0 ? EX_USAGE : 0;
	}
	if ((buf = read_input(path)) == NULL)
		return 1;
	g_mime_init();
	/* the daemon's MIME bounds first: GMime builds a tree for every
	 * part before anyone can count them */
	if (mimescan_check(buf->data, buf->len, NULL, &error))
		fwd = parser_parse((const char *)buf->data, buf->len, &error);
	if (fwd == NULL) {
		fprintf(stderr, "passalong parse: %s: %s\n",
		    path != NULL && strcmp(path, "-") != 0 ? path
							   : "standard input",
		    error->message);
		return 1;
	}
	json = forward_to_json(fwd);
	fputs(json, stdout);
	fputc('\n', stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
