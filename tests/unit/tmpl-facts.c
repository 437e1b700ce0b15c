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

/* The week of the digest's golden rendering: Chris's own shares, one
 * made to Chris, one waiting for Chris's answer, names in French, Greek
 * and Chinese. */
static const DigestItem digest_shared_by[] = {
	{ .share_id = 42,
	    .requester_name = "Dana Scully",
	    .requester_org = "Acme Events",
	    .friend_name = "Jane Friend",
	    .friend_address = "jane@friends.example",
	    .subject = "Speaker for the March meetup",
	    .status = "introduced",
	    .outcome = "Jane is giving the talk on 14 March.",
	    .when = TMPL_FACTS_NOW - 86400 },
	{ .share_id = 43,
	    .requester_name = "Sam Okafor",
	    .requester_org = "Northwind",
	    .friend_name = "L\xc3\xa9"
			   "a Dubois",
	    .friend_address = "lea@friends.example",
	    .subject = "Looking for a Rust contractor",
	    .status = "asked",
	    .when = TMPL_FACTS_NOW - 3600 },
	{ .share_id = 44,
	    .requester_org = "Globex",
	    .friend_address = "pat@friends.example",
	    .subject = "Board member for a small charity",
	    .status = "declined",
	    .when = TMPL_FACTS_NOW - 7200 },
};
static const DigestItem digest_shared_with[] = {
	{ .share_id = 51,
	    .member_name = "Ann Lee",
	    .member_address = "ann@members.example",
	    .requester_name = "\xce\x9c\xce\xb1\xcf\x81\xce\xaf\xce\xb1 "
			      "\xce\xa0\xce\xb1\xcf\x80\xce\xb1\xce\xb4"
			      "\xce\xbf\xcf\x80\xce\xbf\xcf\x8d\xce\xbb"
			      "\xce\xbf\xcf\x85",
	    .requester_org = "Hellas Labs",
	    .friend_address = "chris@members.example",
	    .subject = "Postdoc in mail security",
	    .status = "introduced",
	    .when = TMPL_FACTS_NOW - 2 * 86400 },
};
static const DigestItem digest_waiting[] = {
	{ .share_id = 61,
	    .member_name = "Bob Ray",
	    .member_address = "bob@members.example",
	    .requester_name = "\xe5\xbc\xa0\xe4\xbc\x9f (Wei Zhang)",
	    .requester_org = "Shenzhen Mail Co",
	    .friend_address = "chris@members.example",
	    .subject = "Guest for a podcast on email",
	    .status = "asked",
	    .reply_address = TMPL_FACTS_DIGEST_REPLY,
	    .answer_url = "https://intro.example.org/c/"
			  "q2r4t6v8w2x4y6z8a3b5c7d9k3j5m7p9",
	    .when = TMPL_FACTS_NOW - 5 * 3600 },
};
static const DigestItem digest_outcomes[] = {
	{ .share_id = 42,
	    .requester_name = "Dana Scully",
	    .requester_org = "Acme Events",
	    .friend_name = "Jane Friend",
	    .friend_address = "jane@friends.example",
	    .subject = "Speaker for the March meetup",
	    .status = "introduced",
	    .outcome = "Thank you! Jane said yes and the talk is booked.",
	    .when = TMPL_FACTS_NOW - 3 * 3600 },
};
static const DigestSharer digest_top[] = {
	{ "Ann Lee", 4 },
	{ "Chris Member", 3 },
	{ "Bob Ray", 2 },
};

/* items - a new array borrowing n static items */
static GPtrArray *
items(gconstpointer first, gsize size, gsize n)
{
	GPtrArray *a = g_ptr_array_new();

	for (gsize i = 0; i < n; i++)
		g_ptr_array_add(a, (gpointer)((const char *)first + i * size));
	return a;
}

/* tmpl_facts_digest_new - Chris's week (the arrays new, the strings
 * static) */
DigestFacts *
tmpl_facts_digest_new(const Config *cfg)
{
	DigestFacts *f = g_new0(DigestFacts, 1);

	f->cfg = cfg;
	f->member_address = "chris@members.example";
	f->member_name = "Chris Member";
	f->share_address = "share+chris@intro.example.org";
	f->week = "2023-W46";
	f->week_start = TMPL_FACTS_NOW - 166400; /* Monday 13 November */
	f->unsub_address = TMPL_FACTS_DIGEST_UNSUB;
	f->unsub_url = "https://intro.example.org/u/u7w9y2b4d6f8h3k5";
	f->shared_by = items(digest_shared_by, sizeof(DigestItem),
	    G_N_ELEMENTS(digest_shared_by));
	f->shared_with = items(digest_shared_with, sizeof(DigestItem),
	    G_N_ELEMENTS(digest_shared_with));
	f->waiting = items(
	    digest_waiting, sizeof(DigestItem), G_N_ELEMENTS(digest_waiting));
	f->outcomes = items(
	    digest_outcomes, sizeof(DigestItem), G_N_ELEMENTS(digest_outcomes));
	f->all_time = (DigestBalance){ 12, 3, 2 };
	f->this_year = (DigestBalance){ 5, 1, 1 };
	f->top =
	    items(digest_top, sizeof(DigestSharer), G_N_ELEMENTS(digest_top));
	f->now = TMPL_FACTS_NOW;
	return f;
}

/* tmpl_facts_digest_free - free the arrays and the facts; accepts NULL */
void
tmpl_facts_digest_free(DigestFacts *f)
{
	if (f == NULL)
		return;
	g_clear_pointer(&f->shared_by, g_ptr_array_unref);
	g_clear_pointer(&f->shared_with, g_ptr_array_unref);
	g_clear_pointer(&f->waiting, g_ptr_array_unref);
	g_clear_pointer(&f->outcomes, g_ptr_array_unref);
	g_clear_pointer(&f->top, g_ptr_array_unref);
	g_free(f);
}

/* tmpl_facts_unflow - format=flowed, DelSp=yes, read back */
char *
tmpl_facts_unflow(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *s = g_string_new(NULL);

	for (guint i = 0; lines[i] != NULL; i++) {
		char *l = lines[i];
		gsize n = strlen(l);

		if (l[0] == ' ')
			l++, n--; /* stuffing */
		if (n > 0 && l[n - 1] == ' ' && strcmp(l, "-- ") != 0)
			g_string_append_len(s, l, (gssize)n - 1);
		else if (lines[i + 1] != NULL)
			g_string_append_printf(s, "%s\n", l);
		else
			g_string_append(s, l);
	}
	return g_string_free(s, FALSE);
}

/* tmpl_facts_golden - compare with (or, asked, rewrite) a golden file */
void
tmpl_facts_golden(const char *folder, const char *name, const char *got)
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *path = g_build_filename(
	    top != NULL ? top : ".", "tests", "fixtures", folder, name, NULL);
	g_autofree char *want = NULL;
	g_autoptr(GError) error = NULL;

	if (g_getenv("PA_UPDATE_GOLDEN") != NULL) {
		g_assert_true(g_file_set_contents(path, got, -1, &error));
		g_assert_no_error(error);
	}
	g_assert_true(g_file_get_contents(path, &want, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(got, ==, want);
}
