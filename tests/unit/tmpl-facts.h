/*
 * tmpl-facts.h - one ordinary share, for the golden renderings
 *
 * SYNOPSIS
 *	Config *cfg = tmpl_facts_config();
 *	ShareFacts f;
 *	tmpl_facts_fill(&f, cfg, "consent");
 *	g_autoptr(TestDigest) d = tmpl_facts_digest_new(cfg);
 *
 * DESCRIPTION
 *	The share every kind's golden file shows (tests/fixtures/templates/),
 *	and what tests/e2e/tmpl-kinds writes for SpamAssassin: Chris shares
 *	Dana's speaking request with Jane, with a note; the request ends in
 *	a signature holding Dana's address (which the friend must not read
 *	before a yes). The clock is TMPL_FACTS_NOW; the intro is rendered as
 *	after a yes, "declined" carries a reason.
 *
 *	tmpl_facts_digest_new() is Chris's week for the digest's golden
 *	rendering (tests/fixtures/digest/): three shares by Chris, one
 *	introduction made to Chris, one request waiting for Chris's answer
 *	(with an answer link), a thank-you, a balance and three top
 *	sharers; names in French, Greek and Chinese.
 *
 * OWNERSHIP
 *	The facts' strings are static; the Config is new (config_free());
 *	the digest's facts are new (tmpl_facts_digest_free(), which
 *	accepts NULL), their strings static.
 */
#ifndef PA_TMPL_FACTS_H
#define PA_TMPL_FACTS_H

#include "templates/tmpl.h"
#include "templates/tmpl_digest.h"

#define TMPL_FACTS_NOW 1700000000 /* Tue, 14 Nov 2023 22:13:20 +0000 */
#define TMPL_FACTS_REQUESTER "dana@acme.example"
#define TMPL_FACTS_DIGEST_REPLY                                                \
	"intro+q2r4t6v8w2x4y6z8a3b5c7d9k3j5m7p9@intro.example.org"
#define TMPL_FACTS_DIGEST_UNSUB "unsubscribe+u7w9y2b4d6f8h3k5@intro.example.org"

extern const char *const tmpl_facts_kinds[]; /* NULL-terminated */

Config *tmpl_facts_config(void);
void tmpl_facts_fill(ShareFacts *f, const Config *cfg, const char *kind);
DigestFacts *tmpl_facts_digest_new(const Config *cfg);
void tmpl_facts_digest_free(DigestFacts *f);
/* flowed text with DelSp=yes read back as paragraphs: soft breaks
 * joined, stuffing removed (transfer full) */
char *tmpl_facts_unflow(const char *text);
/* got (LF line ends) is tests/fixtures/FOLDER/NAME byte for byte; with
 * PA_UPDATE_GOLDEN set the file is written first */
void tmpl_facts_golden(const char *folder, const char *name, const char *got);
/* a name of its own, so tmpl_digest.h may declare DigestFacts' own */
typedef DigestFacts TestDigest;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestDigest, tmpl_facts_digest_free)

#endif /* PA_TMPL_FACTS_H */
