/*
 * cmd_unsub.c - passalong member unsubscribe-link ADDRESS
 *
 * Prints the two ways a member turns the weekly digest off: the link
 * ([web] base_url + /u/TOKEN, when base_url is set) and the address
 * (unsubscribe+TOKEN@DOMAIN). The token is made and kept at the first
 * call (store_member_unsub_token()), the same one the digest names, so
 * an operator can hand a member the link, and the tests can follow it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "flow/flow.h"

/* member_unsub_link - passalong member unsubscribe-link ADDRESS */
int
member_unsub_link(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *token = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	char fresh[FLOW_TOKEN_LEN + 1];
	int rc;

	if (!cli_options("member unsubscribe-link", "ADDRESS",
		"Print the member's unsubscribe link and address.", entries,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 2) {
		cli_error("member unsubscribe-link: give exactly one ADDRESS");
		return EX_USAGE;
	}
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	flow_token_new(fresh);
	if (!store_member_unsub_token(store, argv[1], fresh, &token, &error)) {
		cli_error("member unsubscribe-link: %s", error->message);
		return CLI_EX_FAILED;
	}
	if (token == NULL) {
		cli_error(
		    "member unsubscribe-link: %s is not a member", argv[1]);
		return CLI_EX_FAILED;
	}
	g_autofree char *link = config_web_link(cfg, "u", token);

	if (link != NULL)
		printf("%s\n", link);
	printf("mailto:unsubscribe+%s@%s\n", token, cfg->domain);
	return 0;
}
