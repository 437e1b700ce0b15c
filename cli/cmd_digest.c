/*
 * cmd_digest.c - passalong digest run|preview
 *
 * "digest run" does one pass of what the daemon's worker does each
 * minute: every member whose digest is due gets it queued, once per ISO
 * week, however many runs (or hosts, or the daemon) race; for cron when
 * the daemon does not run the sender, and for tests, which stand in for
 * the clock with --now. "digest preview" prints the message a member
 * would get for the week of now, due or not, and queues nothing (it may
 * give the member the unsubscribe token it will carry).
 */
#include "config.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/util.h"
#include "flow/digest.h"

static const char usage[] =
    "Usage: passalong digest run [--now TIME]\n"
    "       passalong digest preview ADDRESS [--now TIME]\n"
    "TIME: seconds since the epoch, or RFC 3339 (2026-12-07T08:00:00Z)\n"
    "Options of every command: -c FILE, --help\n";

/* digest_run_cmd - passalong digest run [--now TIME] */
static int
digest_run_cmd(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *now_text = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
		{ "now", 0, 0, G_OPTION_ARG_STRING, &now_text,
		    "Stand in for the clock", "TIME" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	DigestStats st;
	gint64 now;
	int rc;

	if (!cli_options("digest run", NULL,
		"Queue the weekly digests that are due.", entries, &argc, &argv,
		config_path, &cfgpath))
		return EX_USAGE;
	if ((rc = cli_no_args("digest run", argc, argv)) != 0)
		return rc;
	if (!cli_parse_now("digest run", now_text, &now))
		return EX_USAGE;
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	if (!cfg->digest_enabled)
		puts("digests are off ([digest] enabled = false)");
	if (!digest_run(cfg, store, now, &st, &error)) {
		cli_error("digest run: %s (what was queued stays queued; run "
			  "again)",
		    error->message);
		return CLI_EX_FAILED;
	}
	printf("enqueued %u, skipped %u (empty), already %u, failed %u; "
	       "%u members read, %u due\n",
	    st.enqueued, st.skipped, st.already, st.failed, st.members, st.due);
	return st.failed > 0 ? CLI_EX_FAILED : 0;
}

/* digest_preview_cmd - passalong digest preview ADDRESS [--now TIME] */
static int
digest_preview_cmd(int argc, char **argv, const char *config_path)
{
	g_autofree char *cfgpath = NULL;
	g_autofree char *now_text = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = NULL;
	const GOptionEntry entries[] = {
		{ "now", 0, 0, G_OPTION_ARG_STRING, &now_text,
		    "Stand in for the clock", "TIME" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	gconstpointer data;
	gsize len = 0;
	gint64 now;
	int rc;

	if (!cli_options("digest preview", "ADDRESS",
		"Print a member's digest of this week; queue nothing.", entries,
		&argc, &argv, config_path, &cfgpath))
		return EX_USAGE;
	if (argc != 2) {
		cli_error("digest preview: give exactly one ADDRESS");
		return EX_USAGE;
	}
	if (!cli_parse_now("digest preview", now_text, &now))
		return EX_USAGE;
	if ((rc = cli_open(cfgpath, FALSE, &cfg, &store)) != 0)
		return rc;
	mail =
	    digest_preview(cfg, store, &digest_renderer, argv[1], now, &error);
	if (mail == NULL) {
		cli_error("digest preview: %s", error->message);
		return g_error_matches(error, DIGEST_ERROR, DIGEST_ERROR_MEMBER)
			   ? EX_USAGE
			   : CLI_EX_FAILED;
	}
	data = g_bytes_get_data(mail->message, &len);
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		cli_error("digest preview: writing: %s", g_strerror(errno));
		return CLI_EX_FAILED;
	}
	return 0;
}

/* cmd_digest - passalong digest run|preview */
int
cmd_digest(int argc, char **argv, const char *config_path)
{
	static const CliCommand commands[] = {
		{ "run", digest_run_cmd },
		{ "preview", digest_preview_cmd },
		{ NULL, NULL },
	};

	g_mime_init(); /* the renderer builds and reads back with GMime */
	return cli_dispatch("digest", commands, usage, argc, argv, config_path);
}
