/*
 * tmpl-facts.c - one ordinary share, for the golden renderings (see
 * tmpl-facts.h)
 */
#include "config.h"

#include <string.h>

#include "tests/unit/tmpl-facts.h"

const char *const tmpl_facts_kinds[] = { "consent", "reminder", "intro",
	"confirmation", "declined", "expired", "unclear", "answered", "merged",
	NULL };

/* tmpl_facts_config - the gateway intro.example.org, defaults otherwise */
Config *
tmpl_facts_config(void)
{
	Config *cfg = config_new_default();

	g_free(cfg->domain);
	cfg->domain = g_strdup("intro.example.org");
	return cfg;
}

/* tmpl_facts_fill - the share, as the store would give it for kind */
void
tmpl_facts_fill(ShareFacts *f, const Config *cfg, const char *kind)
{
	*f = (ShareFacts){ .cfg = cfg,
		.share_id = 42,
		.member_address = "chris@members.example",
		.member_name = "Chris Member",
		.friend_address = "jane@friends.example",
		.friend_name = "Jane Friend",
		.requester_address = TMPL_FACTS_REQUESTER,
		.requester_name = "Dana Scully",
		.requester_org = "Acme Events",
		.subject = "Speaker for the March meetup",
		.note = "Jane, you gave the best talk on mail I've heard "
			"in years, and this is exactly your subject.\n\nChris",
		.request_text =
		    "Hi Chris,\n\nWe're putting together the March meetup "
		    "for people who run their own mail servers, and we're "
		    "looking for someone to give a 30-minute talk on "
		    "deliverability. It's on 14 March in Lyon; travel is "
		    "covered.\n\nWould you be up for it, or do you know "
		    "someone who would?\n\nThanks,\nDana\n-- \nDana Scully, "
		    "Acme Events\n" TMPL_FACTS_REQUESTER "\n",
		.request_date = 1699000000,
		.origin_message_id = "meetup-7@acme.example",
		.reply_address = "intro+k3j5m7p9q2r4t6v8w2x4y6z8a3b5c7d9"
				 "@intro.example.org",
		.now = TMPL_FACTS_NOW };
	if (strcmp(kind, "intro") == 0)
		f->consented = TRUE;
	if (strcmp(kind, "declined") == 0)
		f->reason = "Thanks Chris, but March is full for me. Ask me "
			    "again next year!";
}
