/*
 * cmd_parse.h - "passalong parse [FILE|-]": the forward parser's JSON
 *
 * SYNOPSIS
 *	#include "cli/cmd_parse.h"
 *	return cmd_parse(argc, argv);	// argv[0] is "parse"
 *
 * DESCRIPTION
 *	cmd_parse() reads one RFC 5322 message from FILE, or from standard
 *	input when FILE is "-" or absent, runs parser_parse() on it and
 *	prints the JSON of ../shared/spec/parse-json.md on standard output.
 *	A message that is not a forward still prints ("forwarded": false)
 *	and succeeds. "-c FILE" is accepted and ignored (parsing needs no
 *	configuration); "-h"/"--help" prints usage.
 *
 * OWNERSHIP
 *	argv is borrowed.
 *
 * ERRORS
 *	Returns 0 on success; 1 with a one-line reason on stderr when the
 *	input cannot be read or is not a message (or is over
 *	PARSER_MAX_INPUT); 64 (EX_USAGE) for a bad command line.
 *
 * THREADS
 *	Single-threaded; calls g_mime_init().
 */
#ifndef PA_CMD_PARSE_H
#define PA_CMD_PARSE_H

int cmd_parse(int argc, char **argv);

#endif /* PA_CMD_PARSE_H */
