/*
 * tmpl-kinds.c - write every kind of mail about a share as DIR/KIND.eml
 *
 *	tmpl-kinds DIR [NOW]
 *
 * The share of tests/unit/tmpl-facts.h, rendered by tmpl_render_share()
 * at NOW (seconds since the epoch; default the facts' fixed clock), as
 * the bytes the worker would send. For tests/e2e/t-spamassassin.sh.
 * Exit 0, or 1 with a message when a kind does not render.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/tmpl-facts.h"

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
		g_autofree char *path = NULL;
		ShareFacts f;
		gsize len;
		const char *data;

		tmpl_facts_fill(&f, cfg, kind);
		if (argc == 3)
			f.now = g_ascii_strtoll(argv[2], NULL, 10);
		mail = tmpl_render_share(kind, &f, &error);
		if (mail == NULL) {
			fprintf(stderr, "tmpl-kinds: %s: %s\n", kind,
			    error->message);
			return 1;
		}
		path = g_strdup_printf("%s/%s.eml", argv[1], kind);
		data = g_bytes_get_data(mail->message, &len);
		if (!g_file_set_contents(path, data, (gssize)len, &error)) {
			fprintf(stderr, "tmpl-kinds: %s\n", error->message);
			return 1;
		}
	}
	return 0;
}
