/*
 * tmpl-kinds.c - write every kind of mail about a share as DIR/KIND.eml
 *
 *	tmpl-kinds DIR [NOW]
 *
 * The share of tests/unit/tmpl-facts.h, rendered by tmpl_render_share()
 * at NOW (seconds since the epoch; default the facts' fixed clock), as
 * the bytes the worker would send, and Chris's week as DIR/digest.eml
 * (tmpl_render_digest()). For tests/e2e/t-spamassassin.sh,
 * tests/e2e/t-digest-look.sh and make screenshots. Exit 0, or 1 with a
 * message when a kind does not render.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/tmpl-facts.h"

/* write_mail - the bytes of mail as DIR/NAME.eml */
static gboolean
write_mail(const char *dir, const char *name, const RenderedMail *mail)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_strdup_printf("%s/%s.eml", dir, name);
	gsize len;
	const char *data = g_bytes_get_data(mail->message, &len);

	if (!g_file_set_contents(path, data, (gssize)len, &error)) {
		fprintf(stderr, "tmpl-kinds: %s\n", error->message);
		return FALSE;
	}
	return TRUE;
}

/* write_digest - Chris's week at now as DIR/digest.eml */
static gboolean
write_digest(const char *dir, const Config *cfg, gint64 now)
{
	g_autoptr(TestDigest) f = tmpl_facts_digest_new(cfg);
	g_autoptr(GError) error = NULL;
	g_autoptr(RenderedMail) mail = NULL;

	f->now = now;
	mail = tmpl_render_digest(f, &error);
	if (mail == NULL) {
		fprintf(stderr, "tmpl-kinds: digest: %s\n", error->message);
		return FALSE;
	}
	return write_mail(dir, "digest", mail);
}

/* main - render each kind into DIR */
int
main(int argc, char **argv)
{
	g_autoptr(Config) cfg = NULL;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: tmpl-kinds DIR [NOW]\n");
		return 2;
	}
	g_mime_init();
	cfg = tmpl_facts_config();
	for (guint i = 0; tmpl_facts_kinds[i] != NULL; i++) {
		const char *kind = tmpl_facts_kinds[i];
		g_autoptr(GError) error = NULL;
		g_autoptr(RenderedMail) mail = NULL;
		ShareFacts f;

		tmpl_facts_fill(&f, cfg, kind);
		if (argc == 3)
			f.now = g_ascii_strtoll(argv[2], NULL, 10);
		mail = tmpl_render_share(kind, &f, &error);
		if (mail == NULL) {
			fprintf(stderr, "tmpl-kinds: %s: %s\n", kind,
			    error->message);
			return 1;
		}
		if (!write_mail(argv[1], kind, mail))
			return 1;
	}
	if (!write_digest(argv[1], cfg,
		argc == 3 ? g_ascii_strtoll(argv[2], NULL, 10)
			  : TMPL_FACTS_NOW))
		return 1;
	return 0;
}
