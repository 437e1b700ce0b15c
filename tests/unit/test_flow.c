/*
 * test_flow.c - the consent flow's state machine, on a real SQLite store
 *
 * The clock is a number passed in: no test sleeps or reads the time.
 * Every transition is checked through what the store holds afterwards
 * (the share's status and the outbox rows queued, with their
 * recipients), and every illegal one is refused without a trace.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "flow/flow.h"

#define T0 1700000000
#define DAY 86400

typedef struct {
	char *dir;
	Store *store;
	Config *cfg;
	int shares; /* recorded by new_share() */
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	(void)data;
	f->dir = g_dir_make_tmp("test_flow-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(f->dir, "p.db", NULL);
	f->store = store_open(path, 5000, &error);
	g_assert_no_error(error);
	f->cfg = config_new_default();
}

static void
teardown(Fixture *f, gconstpointer data)
{
	const char *files[] = { "p.db", "p.db-wal", "p.db-shm" };

	(void)data;
	store_close(f->store);
	config_free(f->cfg);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = g_build_filename(f->dir, files[i], NULL);

		(void)g_unlink(p);
	}
	g_assert_cmpint(g_rmdir(f->dir), ==, 0);
	g_free(f->dir);
}

/* new_share - a share by chris to jane for dana's request, in mode,
 * recorded with flow_first_items(); its id in *id */
static Share *
new_share(Fixture *f, const char *mode, const Member *sharer, gint64 *id)
{
	Share *s = share_new();
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GError) error = NULL;
	gboolean created = FALSE;

	s->sharer = g_strdup("chris@members.example");
	s->recipient = g_strdup("jane@friends.example");
	/* one open request per requester and friend: dana first, then
	 * dana2@, dana3@... */
	s->requester = f->shares++ == 0
			   ? g_strdup("dana@confs.example")
			   : g_strdup_printf("dana%d@confs.example", f->shares);
	s->subject = g_strdup("Speaker for the March meetup");
	s->origin_key = g_strdup_printf("<%s-%p@x>", mode, (void *)s);
	flow_share_begin(f->cfg, s, mode, T0);
	items = flow_first_items(f->cfg, s, sharer);
	g_assert_true(store_share_record(f->store, s, items, &created, &error));
	g_assert_no_error(error);
	g_assert_true(created);
	*id = s->id;
	return s;
}

/* rows - "template:rcpt,rcpt;..." of every outbox row, in order */
static char *
rows(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = store_outbox_list(f->store, &error);
	GString *out = g_string_new(NULL);

	g_assert_no_error(error);
	for (guint i = 0; i < all->len; i++) {
		OutboxItem *it = all->pdata[i];

		g_string_append_printf(out, "%s%s:", i ? ";" : "",
		    it->template ? it->template : it->kind);
		for (guint j = 0; j < it->rcpts->len; j++)
			g_string_append_printf(out, "%s%s", j ? "," : "",
			    (char *)it->rcpts->pdata[j]);
	}
	return g_string_free(out, FALSE);
}

/* status - the share's status now */
static char *
status(Fixture *f, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = store_share_get(f->store, id, &error);

	g_assert_no_error(error);
	return g_strdup(s->status);
}

static const char *const FRIEND[] = { "Jane@Friends.example", NULL };
static const char *const STRANGER[] = { "mallory@evil.example",
	"dana@confs.example", NULL };

/* test_token - 26 characters of base32, 128 bits, never the same */
static void
test_token(void)
{
	char a[FLOW_TOKEN_LEN + 1], b[FLOW_TOKEN_LEN + 1];

	flow_token_new(a);
	flow_token_new(b);
	g_assert_cmpuint(strlen(a), ==, 26);
	g_assert_true(flow_token_valid(a));
	g_assert_cmpstr(a, !=, b);
	g_assert_false(flow_token_valid("short"));
	g_assert_false(flow_token_valid("abcdefghijklmnopqrstuvwxy1"));
	g_assert_false(flow_token_valid(NULL));
}

/* test_mode - the address's +direct, then the member, then the site */
static void
test_mode(Fixture *f, gconstpointer data)
{
	g_autoptr(Member) m = member_new();

	(void)data;
	g_assert_cmpstr(flow_mode(f->cfg, m, FALSE), ==, "ask");
	g_assert_cmpstr(flow_mode(f->cfg, m, TRUE), ==, "direct");
	m->consent = g_strdup("direct");
	g_assert_cmpstr(flow_mode(f->cfg, m, FALSE), ==, "direct");
	g_free(m->consent);
	m->consent = NULL;
	g_free(f->cfg->consent_mode);
	f->cfg->consent_mode = g_strdup("direct");
	g_assert_cmpstr(flow_mode(f->cfg, m, FALSE), ==, "direct");
}

/* test_new - ask: the question to the friend and a confirmation to the
 * member, nothing to the requester; direct: the introduction at once */
static void
test_new(Fixture *f, gconstpointer data)
{
	g_autoptr(Member) quiet = member_new();
	g_autoptr(Share) a = NULL;
	g_autoptr(Share) b = NULL;
	g_autoptr(Share) c = NULL;
	g_autofree char *r = NULL;
	gint64 ida, idb, idc;

	(void)data;
	a = new_share(f, "ask", NULL, &ida);
	g_assert_cmpstr(a->status, ==, "asked");
	g_assert_true(flow_token_valid(a->token));
	g_assert_cmpint(a->expires_at, ==, T0 + 7 * DAY);
	quiet->confirm = 0;
	b = new_share(f, "ask", quiet, &idb);
	c = new_share(f, "direct", NULL, &idc);
	g_assert_cmpstr(c->status, ==, "queued");
	g_assert_null(c->token);
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "consent:jane@friends.example;"
	    "intro:jane@friends.example,dana3@confs.example,"
	    "chris@members.example");
}

/* merge - pat shares the request of share s with its friend too (the
 * addresses in another case): merged, pat's note queued; *created */
static void
merge(Fixture *f, const Share *s, const char *who, const Member *pat,
    gboolean *created)
{
	g_autoptr(Share) m = share_new();
	g_autoptr(GPtrArray) shares = g_ptr_array_new();
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GPtrArray) merged =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) error = NULL;

	m->sharer = g_strdup(who);
	m->recipient = g_ascii_strup(s->recipient, -1);
	m->requester = g_ascii_strup(s->requester, -1);
	m->subject = g_strdup(s->subject);
	m->origin_key = g_strdup_printf("<%s-again@x>", who);
	flow_share_begin(f->cfg, m, "ask", T0 + 30);
	g_ptr_array_add(shares, m);
	g_ptr_array_add(lists, flow_first_items(f->cfg, m, pat));
	g_ptr_array_add(merged, flow_merged_items(f->cfg, m, pat));
	g_assert_true(store_shares_record_merge(
	    f->store, shares, lists, merged, NULL, NULL, created, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m->id, ==, s->id);
}

/* test_merge - a second member's share of an open request asks nobody:
 * pat gets a note of their own; on yes each credited member hears it
 * once: pat's note, not rendered yet, will say so when it is (a second
 * row would say it twice), lee (no note) gets a line of their own; the
 * introduction's Cc stays the first member's */
static void
test_merge(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autoptr(Member) quiet = member_new();
	g_autofree char *r = NULL;
	gboolean created = TRUE;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	merge(f, s, "pat@members.example", NULL, &created);
	g_assert_false(created);
	quiet->confirm = 0; /* a third member, confirmations off */
	merge(f, s, "lee@members.example", quiet, &created);
	g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND,
			    REPLY_YES, NULL, T0 + 60, &error),
	    ==, FLOW_REPLY_ACCEPTED);
	g_assert_no_error(error);
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "merged:pat@members.example;"
	    "intro:jane@friends.example,dana@confs.example,"
	    "chris@members.example;"
	    "merged:lee@members.example");
}

/* test_merge_claimed - pat's note already taken by the worker (it may
 * render before the answer): the yes queues pat's line all the same */
static void
test_merge_claimed(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autoptr(GPtrArray) claimed = NULL;
	g_autofree char *r = NULL;
	gboolean created = TRUE;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	merge(f, s, "pat@members.example", NULL, &created);
	/* rows recorded by store_share_record() are due at the real clock's
	 * now: claim as if in 2100 */
	claimed = store_outbox_claim_due(f->store, 4102444800, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(claimed->len, ==, 3);
	g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND,
			    REPLY_YES, NULL, T0 + 60, &error),
	    ==, FLOW_REPLY_ACCEPTED);
	g_assert_no_error(error);
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "merged:pat@members.example;"
	    "intro:jane@friends.example,dana@confs.example,"
	    "chris@members.example;"
	    "merged:pat@members.example");
}

/* test_merge_no - a no and an expiry reach every credited member, each
 * alone, and never the requester */
static void
test_merge_no(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) a = NULL;
	g_autoptr(Share) b = NULL;
	g_autofree char *r = NULL;
	gboolean created = TRUE;
	guint rem = 0, exp = 0;
	gint64 ida, idb;

	(void)data;
	a = new_share(f, "ask", NULL, &ida);
	b = new_share(f, "ask", NULL, &idb);
	merge(f, a, "pat@members.example", NULL, &created);
	merge(f, b, "pat@members.example", NULL, &created);
	g_assert_cmpint(flow_reply(f->cfg, f->store, a->token, FRIEND, REPLY_NO,
			    "Booked.", T0 + 60, &error),
	    ==, FLOW_REPLY_DECLINED);
	g_assert_true(
	    flow_tick(f->cfg, f->store, T0 + 8 * DAY, &rem, &exp, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(exp, ==, 1);
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "merged:pat@members.example;"
	    "merged:pat@members.example;"
	    "declined:chris@members.example;"
	    "declined:pat@members.example;"
	    "expired:chris@members.example;"
	    "expired:pat@members.example");
}

/* test_yes - the friend's yes queues the introduction, once */
static void
test_yes(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autofree char *st = NULL;
	g_autofree char *r = NULL;
	g_autofree char *upper = NULL;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	g_assert_cmpint(
	    flow_reply(f->cfg, f->store, "aaaaaaaaaaaaaaaaaaaaaaaaaa", FRIEND,
		REPLY_YES, NULL, T0 + 60, &error),
	    ==, FLOW_REPLY_UNKNOWN);
	g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, STRANGER,
			    REPLY_YES, NULL, T0 + 60, &error),
	    ==, FLOW_REPLY_STRANGER);
	st = status(f, id);
	g_assert_cmpstr(st, ==, "asked");
	upper = g_ascii_strup(s->token, -1); /* tokens without case */
	g_assert_cmpint(flow_reply(f->cfg, f->store, upper, FRIEND, REPLY_YES,
			    NULL, T0 + 60, &error),
	    ==, FLOW_REPLY_ACCEPTED);
	g_assert_no_error(error);
	g_free(st);
	st = status(f, id);
	g_assert_cmpstr(st, ==, "accepted");
	/* a second answer changes nothing; the note about it goes once */
	for (int i = 0; i < 5; i++)
		g_assert_cmpint(
		    flow_reply(f->cfg, f->store, s->token, FRIEND, REPLY_NO,
			"changed my mind", T0 + 120, &error),
		    ==, FLOW_REPLY_ANSWERED);
	g_assert_no_error(error);
	g_free(st);
	st = status(f, id);
	g_assert_cmpstr(st, ==, "accepted");
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "intro:jane@friends.example,dana@confs.example,"
	    "chris@members.example;"
	    "answered:jane@friends.example");
}

/* test_answered_once - "how to answer" replies before the decision keep
 * their own cap and do not use up the one "already answered" note */
static void
test_answered_once(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autoptr(Share) after = NULL;
	g_autofree char *r = NULL;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	for (int i = 0; i < 4; i++)
		g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND,
				    REPLY_UNCLEAR, NULL, T0 + 60, &error),
		    ==, FLOW_REPLY_UNCLEAR);
	g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND, REPLY_NO,
			    NULL, T0 + 120, &error),
	    ==, FLOW_REPLY_DECLINED);
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND,
				    i == 1 ? REPLY_UNCLEAR : REPLY_YES, NULL,
				    T0 + 180, &error),
		    ==, FLOW_REPLY_ANSWERED);
	g_assert_no_error(error);
	after = store_share_get(f->store, id, &error);
	g_assert_cmpstr(after->status, ==, "declined");
	g_assert_cmpint(after->replies, ==, 1);
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "unclear:jane@friends.example;unclear:jane@friends.example;"
	    "unclear:jane@friends.example;"
	    "declined:chris@members.example;"
	    "answered:jane@friends.example");
}

/* test_no - a no reaches the member only, with the reason */
static void
test_no(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autoptr(Share) after = NULL;
	g_autofree char *r = NULL;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND, REPLY_NO,
			    "Booked solid in March.", T0 + 60, &error),
	    ==, FLOW_REPLY_DECLINED);
	g_assert_no_error(error);
	after = store_share_get(f->store, id, &error);
	g_assert_cmpstr(after->status, ==, "declined");
	g_assert_cmpstr(after->reason, ==, "Booked solid in March.");
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "declined:chris@members.example");
	g_assert_null(strstr(r, "dana@"));
}

/* test_unclear - neither yes nor no: how to answer, a few times at most,
 * and the share still waits */
static void
test_unclear(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autofree char *st = NULL;
	g_autofree char *r = NULL;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	for (int i = 0; i < 5; i++)
		g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND,
				    REPLY_UNCLEAR, NULL, T0 + 60, &error),
		    ==, FLOW_REPLY_UNCLEAR);
	g_assert_no_error(error);
	st = status(f, id);
	g_assert_cmpstr(st, ==, "asked");
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "unclear:jane@friends.example;unclear:jane@friends.example;"
	    "unclear:jane@friends.example");
}

/* test_silence - one reminder, then expiry told to the member only; a
 * yes after that introduces nobody */
static void
test_silence(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autofree char *st = NULL;
	g_autofree char *r = NULL;
	guint rem = 0, exp = 0;
	gint64 id;

	(void)data;
	s = new_share(f, "ask", NULL, &id);
	g_assert_true(
	    flow_tick(f->cfg, f->store, T0 + 2 * DAY, &rem, &exp, &error));
	g_assert_cmpuint(rem + exp, ==, 0);
	g_assert_true(
	    flow_tick(f->cfg, f->store, T0 + 3 * DAY, &rem, &exp, &error));
	g_assert_cmpuint(rem, ==, 1);
	g_assert_true(
	    flow_tick(f->cfg, f->store, T0 + 4 * DAY, &rem, &exp, &error));
	g_assert_cmpuint(rem + exp, ==, 0);
	g_assert_true(
	    flow_tick(f->cfg, f->store, T0 + 7 * DAY, &rem, &exp, &error));
	g_assert_cmpuint(exp, ==, 1);
	g_assert_no_error(error);
	st = status(f, id);
	g_assert_cmpstr(st, ==, "expired");
	for (int i = 0; i < 2; i++)
		g_assert_cmpint(flow_reply(f->cfg, f->store, s->token, FRIEND,
				    REPLY_YES, NULL, T0 + 8 * DAY, &error),
		    ==, FLOW_REPLY_ANSWERED);
	r = rows(f);
	g_assert_cmpstr(r, ==,
	    "consent:jane@friends.example;"
	    "confirmation:chris@members.example;"
	    "reminder:jane@friends.example;"
	    "expired:chris@members.example;"
	    "answered:jane@friends.example");
	g_assert_null(strstr(r, "dana@"));
}

/* test_link - yes and no by link: a reply's rows without a sender;
 * a second answer, an expired request and bad tokens change nothing
 * and send nothing */
static void
test_link(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) a = NULL;
	g_autoptr(Share) b = NULL;
	g_autoptr(Share) c = NULL;
	g_autoptr(Share) seen = NULL;
	g_autofree char *r = NULL;
	g_autofree char *before = NULL;
	g_autofree char *st = NULL;
	g_autofree char *upper = NULL;
	gint64 ida, idb, idc;

	(void)data;
	a = new_share(f, "ask", NULL, &ida);
	b = new_share(f, "ask", NULL, &idb);
	c = new_share(f, "ask", NULL, &idc);
	before = rows(f);
	g_assert_cmpint(
	    flow_answer_link(f->cfg, f->store, "aaaaaaaaaaaaaaaaaaaaaaaaaa",
		TRUE, T0 + 60, &error),
	    ==, FLOW_REPLY_UNKNOWN);
	g_assert_cmpint(flow_answer_link(
			    f->cfg, f->store, "../../x", TRUE, T0 + 60, &error),
	    ==, FLOW_REPLY_UNKNOWN);
	g_assert_cmpint(
	    flow_answer_link(f->cfg, f->store, NULL, TRUE, T0 + 60, &error), ==,
	    FLOW_REPLY_UNKNOWN);
	g_assert_no_error(error);
	seen = flow_share_by_link(f->store, a->token, &error);
	g_assert_nonnull(seen);
	g_assert_cmpint(flow_link_state(seen, T0 + 60), ==, FLOW_REPLY_ASKED);
	r = rows(f);
	g_assert_cmpstr(r, ==, before);
	g_clear_pointer(&r, g_free);

	upper = g_ascii_strup(a->token, -1);
	g_assert_cmpint(
	    flow_answer_link(f->cfg, f->store, upper, TRUE, T0 + 60, &error),
	    ==, FLOW_REPLY_ACCEPTED);
	g_assert_cmpint(flow_answer_link(
			    f->cfg, f->store, a->token, FALSE, T0 + 70, &error),
	    ==, FLOW_REPLY_ANSWERED);
	g_assert_cmpint(flow_answer_link(
			    f->cfg, f->store, b->token, FALSE, T0 + 80, &error),
	    ==, FLOW_REPLY_DECLINED);
	g_assert_no_error(error);
	st = status(f, ida);
	g_assert_cmpstr(st, ==, "accepted");
	g_free(st);
	st = status(f, idb);
	g_assert_cmpstr(st, ==, "declined");
	/* past expires_at, before any tick: expired, nothing changes */
	g_assert_cmpint(flow_answer_link(f->cfg, f->store, c->token, TRUE,
			    c->expires_at, &error),
	    ==, FLOW_REPLY_EXPIRED);
	g_free(st);
	st = status(f, idc);
	g_assert_cmpstr(st, ==, "asked");
	r = rows(f);
	/* the intro for a, the member's notice for b, and nothing else:
	 * no "answered" mail for the second answer by link */
	g_assert_true(g_str_has_prefix(r, before));
	g_assert_cmpstr(r + strlen(before), ==,
	    ";intro:jane@friends.example,dana@confs.example,"
	    "chris@members.example;declined:chris@members.example");
}

#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/flow/token", test_token);
	ADD("/flow/mode", test_mode);
	ADD("/flow/new", test_new);
	ADD("/flow/reply/yes", test_yes);
	ADD("/flow/reply/no", test_no);
	ADD("/flow/reply/unclear", test_unclear);
	ADD("/flow/link/answers", test_link);
	ADD("/flow/reply/answered_once", test_answered_once);
	ADD("/flow/time/silence", test_silence);
	ADD("/flow/merge/yes", test_merge);
	ADD("/flow/merge/claimed", test_merge_claimed);
	ADD("/flow/merge/no_expired", test_merge_no);
	return g_test_run();
}
