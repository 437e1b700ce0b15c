/*
 * tmpl-facts.h - one ordinary share, for the golden renderings
 *
 * SYNOPSIS
 *	Config *cfg = tmpl_facts_config();
 *	ShareFacts f;
 *	tmpl_facts_fill(&f, cfg, "consent");
 *
 * DESCRIPTION
 *	The share every kind's golden file shows (tests/fixtures/templates/),
 *	and what tests/e2e/tmpl-kinds writes for SpamAssassin: Chris shares
 *	Dana's speaking request with Jane, with a note; the request ends in
 *	a signature holding Dana's address (which the friend must not read
 *	before a yes). The clock is TMPL_FACTS_NOW; the intro is rendered as
 *	after a yes, "declined" carries a reason.
 *
 * OWNERSHIP
 *	The facts' strings are static; the Config is new (config_free()).
 */
#ifndef PA_TMPL_FACTS_H
#define PA_TMPL_FACTS_H

#include "templates/tmpl.h"

#define TMPL_FACTS_NOW 1700000000 /* Tue, 14 Nov 2023 22:13:20 +0000 */
#define TMPL_FACTS_REQUESTER "dana@acme.example"

extern const char *const tmpl_facts_kinds[]; /* NULL-terminated */

Config *tmpl_facts_config(void);
void tmpl_facts_fill(ShareFacts *f, const Config *cfg, const char *kind);

#endif /* PA_TMPL_FACTS_H */
