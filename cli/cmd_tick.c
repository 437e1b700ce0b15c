/*
 * cmd_tick.c - passalong tick [--now RFC3339]
 *
 * Does once what time has made due: one reminder to a friend who has
 * not answered after [consent] remind_after, the expiry (told to the
 * member only) after expire_after, and the weekly digests that are due
 * (digest_run(), as "passalong digest run"; none when [digest] enabled
 * is false). The daemon's worker does the
 * same on its own; this is for cron and for tests, which stand in for
 * the clock with --now. Safe to run on every host at once: each share
 * is reminded and expired once (store_share_tick()).
 */
#include "config.h"

#include <stdio.h>

#include <gmime/gmime.h>

#include "cli/cli.h"
#include "common/util.h"
#include "flow/digest.h"
#include "flow/flow.h"

/* cmd_tick - passalong tick [--now RFC3339] */
int
cmd_tick(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *now_text = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
		{ "now", 0, 0, G_OPTION_ARG_STRING, &now_text,
		    "Stand in for the clock (2026-12-06T10:00:00Z, or seconds "
		    "since the epoch)",
		    "TIME" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	gint64 now;
	guint reminded = 0, expired = 0;
	DigestStats st = { 0 };
	int rc;

	if (!cli_options("tick", NULL,
		"Do what time has made due: reminders, expiries, digests.",
		entries, &argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("tick", argc, argv)) != 0)
		return rc;
	if (!cli_parse_now("tick", now_text, &now))
		return EX_USAGE;
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	g_mime_init(); /* the digests are rendered and read back with GMime */
	if (!flow_tick(cfg, store, now, &reminded, &expired, &error)) {
		cli_error("tick: %s", error->message);
		return CLI_EX_FAILED;
	}
	/* what the consent flow did stays done if the digests fail */
	if (!digest_run(cfg, store, now, &st, &error)) {
		printf("reminded %u, expired %u\n", reminded, expired);
		cli_error("tick: digests: %s (run again)", error->message);
		return CLI_EX_FAILED;
	}
	printf("reminded %u, expired %u, digests %u\n", reminded, expired,
	    st.enqueued);
	return st.failed > 0 ? CLI_EX_FAILED : 0;
}
