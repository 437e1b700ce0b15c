/*
 * test_share.c - the gateway's policy for one message, without an MTA:
 *	real parser, real templates, a real SQLite file
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/gmime-autoptr.h"
#include "milter/share.h"
#include "sender/sender.h"
#include "store/store.h"

typedef struct {
	char *dir;
	Config *cfg;
	Store *store;
} Fixture;

static const char forward[] =
    "From: \"Chris Member\" <chris@members.example>\r\n"
    "To: share+jane@intro.example.org\r\n"
    "Subject: Fwd: Keynote in Porto\r\n"
    "Date: Mon, 16 Nov 2026 10:12:00 +0100\r\n"
    "Message-ID: <t-share-1@members.example>\r\n"
    "%s"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Jane, you would be perfect for this.\r\n"
    "\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: Pat Organizer <pat@events.example>\r\n"
    "Date: Fri, Nov 13, 2026 at 4:05 PM\r\n"
    "Subject: Keynote in Porto\r\n"
    "To: Chris Member <chris@members.example>\r\n"
    "\r\n"
    "Would you give the keynote at our conference in %s in May?\r\n";

static const char not_forward[] =
    "From: \"Chris Member\" <chris@members.example>\r\n"
    "To: share+jane@intro.example.org\r\n"
    "Subject: lunch?\r\n"
    "Message-ID: <t-share-2@members.example>\r\n"
    "\r\n"
    "Jane, lunch on Thursday?\r\n";

/* setup - a store with two members in a fresh folder */
static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *db = NULL;
	Member chris = { .address = (char *)"chris@members.example",
		.name = (char *)"Chris Member",
		.handle = (char *)"chris" };
	Member jane = { .address = (char *)"jane@friends.example",
		.name = (char *)"Jane Friend",
		.handle = (char *)"jane" };

	(void)data;
	f->dir = g_dir_make_tmp("test-share-XXXXXX", &error);
	g_assert_no_error(error);
	db = g_build_filename(f->dir, "pa.db", NULL);
	f->cfg = config_new_default();
	f->store = store_open(db, 1000, &error);
	g_assert_no_error(error);
	g_assert_true(store_member_add(f->store, &chris, NULL, &error));
	g_assert_true(store_member_add(f->store, &jane, NULL, &error));
	g_assert_no_error(error);
}

/* teardown - remove the folder */
static void
teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
	const char *name;

	(void)data;
	store_close(f->store);
	config_free(f->cfg);
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

/* process_to - run share_process on a message to several recipients
 * (a NULL-terminated list) */
static ShareVerdict *
process_to(Fixture *f, const char *text, const char *auth, const char *from,
    const char *const *rcpt_list)
{
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(g_free);
	ShareRequest req = { .qid = "TEST1",
		.auth_authen = auth,
		.envelope_from = from,
		.share_rcpts = rcpts,
		.data = text,
		.len = strlen(text) };

	for (const char *const *r = rcpt_list; *r != NULL; r++)
		g_ptr_array_add(rcpts, g_strdup(*r));
	return share_process(f->cfg, f->store, &req);
}

/* process - run share_process on a message to one recipient */
static ShareVerdict *
process(Fixture *f, const char *text, const char *auth, const char *from,
    const char *rcpt)
{
	const char *const rcpts[] = { rcpt, NULL };

	return process_to(f, text, auth, from, rcpts);
}

/* replace - text with every from replaced by to (transfer full) */
static char *
replace(const char *text, const char *from, const char *to)
{
	g_auto(GStrv) parts = g_strsplit(text, from, -1);

	return g_strjoinv(to, parts);
}

/* count - rows in a store listing */
static guint
count(GPtrArray *list)
{
	guint n = list != NULL ? list->len : G_MAXUINT;

	if (list != NULL)
		g_ptr_array_unref(list);
	return n;
}

static void
test_rcpt_not_share(Fixture *f, gconstpointer data)
{
	(void)data;
	g_assert_null(share_check_rcpt(
	    f->cfg, f->store, NULL, "<bob@elsewhere.example>"));
	g_assert_null(share_check_rcpt(
	    f->cfg, f->store, NULL, "<help@intro.example.org>"));
	g_assert_null(share_check_rcpt(f->cfg, f->store, NULL, "<>"));
}

static void
test_rcpt_handles(Fixture *f, gconstpointer data)
{
	g_autoptr(ShareVerdict) ok = share_check_rcpt(
	    f->cfg, f->store, NULL, "<share+Jane@Intro.Example.org>");
	g_autoptr(ShareVerdict) unknown = share_check_rcpt(
	    f->cfg, f->store, NULL, "<share+nobody@intro.example.org>");
	g_autoptr(ShareVerdict) any = share_check_rcpt(f->cfg, f->store, NULL,
	    "<share+pat=events.example@intro.example.org>");
	g_autoptr(ShareVerdict) own = share_check_rcpt(f->cfg, f->store, NULL,
	    "<share+x=intro.example.org@intro.example.org>");
	g_autoptr(ShareVerdict) plain = share_check_rcpt(
	    f->cfg, f->store, NULL, "<share@intro.example.org>");
	g_autoptr(ShareVerdict) bad = share_check_rcpt(
	    f->cfg, f->store, NULL, "<share+a=@intro.example.org>");

	(void)data;
	g_assert_nonnull(ok);
	g_assert_cmpint(ok->code, ==, 0);
	g_assert_cmpint(unknown->code, ==, 550);
	g_assert_cmpstr(unknown->dsn, ==, "5.1.1");
	g_assert_nonnull(strstr(unknown->text, "nobody"));
	g_assert_cmpint(any->code, ==, 0);
	g_assert_cmpint(own->code, ==, 550);
	g_assert_cmpint(plain->code, ==, 550);
	g_assert_cmpint(bad->code, ==, 550);
}

/* test_rcpt_refused - issue 8 defects 5 and 8: share addresses naming
 * someone the gateway must not mail are refused at RCPT */
static void
test_rcpt_refused(Fixture *f, gconstpointer data)
{
	struct {
		const char *rcpt;
		const char *dsn;
	} refused[] = {
		{ "<share+a=b=c@intro.example.org>", "5.1.1" },
		{ "<share+root=localhost@intro.example.org>", "5.1.1" },
		{ "<share+postmaster=mx.intro.example.org@intro.example.org>",
		    "5.1.1" },
		{ "<share+x=mx.Intro.Example.org@intro.example.org>", "5.1.1" },
		{ "<share+x=[192.0.2.1]@intro.example.org>", "5.1.1" },
		{ "<share+x=192.0.2.1@intro.example.org>", "5.1.1" },
		{ "<share+a%b.example=c.example@intro.example.org>", "5.1.1" },
		{ "<share+b.example!a=c.example@intro.example.org>", "5.1.1" },
		{ "<share+x=printer.local@intro.example.org>", "5.1.1" },
		{ "<share+postmaster=friends.example@intro.example.org>",
		    "5.1.1" },
		{ "<@relay.example:share+x=c.example@intro.example.org>",
		    "5.1.1" },
		{ "<share+d\xc3\xa4n\xc3\xa4=x.org@intro.example.org>",
		    "5.1.3" },
		{ "<share+pat=b\xc3\xbc"
		  "cher.example@intro.example.org>",
		    "5.1.3" },
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(ShareVerdict) v =
		    share_check_rcpt(f->cfg, f->store, NULL, refused[i].rcpt);

		g_test_message("rcpt %s", refused[i].rcpt);
		g_assert_nonnull(v);
		g_assert_cmpint(v->code, ==, 550);
		g_assert_cmpstr(v->dsn, ==, refused[i].dsn);
		g_assert_cmpuint(strlen(v->text), >, 20);
	}
}

static void
test_process_accepted(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) v = process(f, msg, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_autoptr(GPtrArray) items = NULL;
	OutboxItem *item;

	(void)data;
	g_assert_cmpint(v->code, ==, 0);
	g_assert_cmpuint(v->created, ==, 1);
	g_assert_cmpuint(v->consumed->len, ==, 1);
	g_assert_cmpstr(
	    v->consumed->pdata[0], ==, "<share+jane@intro.example.org>");
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 1);
	/* consent first: the question to the friend alone, a confirmation
	 * to the member; written later, by the worker */
	items = store_outbox_list(f->store, NULL);
	g_assert_cmpuint(items->len, ==, 2);
	item = items->pdata[0];
	g_assert_cmpstr(item->kind, ==, "consent");
	g_assert_cmpstr(item->template, ==, "consent");
	g_assert_cmpuint(item->rcpts->len, ==, 1);
	g_assert_cmpstr(item->rcpts->pdata[0], ==, "jane@friends.example");
	item = items->pdata[1];
	g_assert_cmpstr(item->kind, ==, "confirmation");
	g_assert_cmpstr(item->rcpts->pdata[0], ==, "chris@members.example");
}

/* test_process_gateway_misconfigured - an introduction the gateway's
 * own settings cannot write is the gateway's fault: 451 (the MTA keeps
 * the mail and retries once the operator fixed it), never a 5xx that
 * blames the member, and nothing is recorded */
static void
test_process_gateway_misconfigured(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) v = NULL;

	(void)data;
	g_free(f->cfg->from_localpart);
	f->cfg->from_localpart = g_strdup("in\r\ntros");
	v = process(f, msg, "chris@members.example", "<chris@members.example>",
	    "<share+jane@intro.example.org>");
	g_assert_cmpint(v->code, ==, 451);
	g_assert_cmpstr(v->dsn, ==, "4.3.5");
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
	g_assert_cmpuint(count(store_outbox_list(f->store, NULL)), ==, 0);
}

/* test_process_from_file - a spooled message is read from its file in
 * place, with the same outcome as from memory */
static void
test_process_from_file(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autofree char *path = g_build_filename(f->dir, "spooled", NULL);
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(ShareVerdict) v = NULL;
	g_autoptr(GPtrArray) shares = NULL;
	ShareRequest req = { .qid = "TEST2",
		.auth_authen = "chris@members.example",
		.envelope_from = "<chris@members.example>",
		.share_rcpts = rcpts,
		.len = strlen(msg) };

	(void)data;
	g_assert_true(g_file_set_contents(path, msg, -1, NULL));
	req.fd = open(path, O_RDONLY);
	g_assert_cmpint(req.fd, >=, 0);
	g_ptr_array_add(rcpts, g_strdup("<share+jane@intro.example.org>"));
	v = share_process(f->cfg, f->store, &req);
	g_assert_cmpint(v->code, ==, 0);
	g_assert_cmpuint(v->created, ==, 1);
	shares = store_share_list(f->store, NULL);
	g_assert_cmpuint(shares->len, ==, 1);
	g_assert_cmpstr(
	    ((Share *)shares->pdata[0])->subject, ==, "Keynote in Porto");
	/* the caller's descriptor is left open and usable */
	g_assert_cmpint(lseek(req.fd, 0, SEEK_SET), ==, 0);
	g_assert_cmpint(close(req.fd), ==, 0);
	g_assert_cmpint(g_unlink(path), ==, 0);
}

static void
test_process_duplicate(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) v1 = process(f, msg, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_autoptr(ShareVerdict) v2 = process(f, msg, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");

	(void)data;
	g_assert_cmpuint(v1->created, ==, 1);
	g_assert_cmpint(v2->code, ==, 0);
	g_assert_cmpuint(v2->created, ==, 0);
	g_assert_cmpuint(v2->duplicates, ==, 1);
	g_assert_cmpuint(v2->consumed->len, ==, 1);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 1);
	g_assert_cmpuint(count(store_outbox_list(f->store, NULL)), ==,
	    2); /* consent, confirmation */
}

static void
test_process_stranger(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) v = process(f, msg, NULL,
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_autoptr(ShareVerdict) w = process(f, msg, "mallory@evil.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");

	(void)data;
	g_assert_cmpint(v->code, ==, 550);
	g_assert_cmpstr(v->dsn, ==, "5.7.1");
	g_assert_cmpint(w->code, ==, 550);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
}

static void
test_process_any(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) v = NULL;

	(void)data;
	f->cfg->sender_auth = SENDER_AUTH_ANY;
	v = process(f, msg, NULL, "<chris@members.example>",
	    "<share+jane@intro.example.org>");
	g_assert_cmpint(v->code, ==, 0);
	g_assert_cmpuint(v->created, ==, 1);
}

static void
test_process_dmarc(Fixture *f, gconstpointer data)
{
	g_autofree char *trusted = g_strdup_printf(forward,
	    "Authentication-Results: mx.intro.example.org; dkim=pass "
	    "header.d=members.example; dmarc=pass "
	    "header.from=members.example\r\n",
	    "Porto");
	g_autofree char *forged = g_strdup_printf(forward,
	    "Authentication-Results: other.example; dmarc=pass "
	    "header.from=members.example\r\n",
	    "Porto");
	g_autoptr(ShareVerdict) bad = NULL;
	g_autoptr(ShareVerdict) ok = NULL;

	(void)data;
	f->cfg->sender_auth = SENDER_AUTH_DMARC;
	f->cfg->authserv_id = g_strdup("mx.intro.example.org");
	bad = process(
	    f, forged, NULL, "<x@y.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(bad->code, ==, 550);
	ok = process(f, trusted, NULL, "<x@y.example>",
	    "<share+jane@intro.example.org>");
	g_assert_cmpint(ok->code, ==, 0);
	g_assert_cmpuint(ok->created, ==, 1);
}

/* A forward whose original's From line the test writes. */
static const char forward_from[] =
    "From: \"Chris Member\" <chris@members.example>\r\n"
    "To: share+jane@intro.example.org\r\n"
    "Subject: Fwd: Keynote in Porto\r\n"
    "Message-ID: <t-share-from@members.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Jane, you would be perfect for this.\r\n"
    "\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: %s\r\n"
    "Date: Fri, Nov 13, 2026 at 4:05 PM\r\n"
    "Subject: Keynote in Porto\r\n"
    "To: Chris Member <chris@members.example>\r\n"
    "\r\n"
    "Would you give the keynote at our conference in May?\r\n";

/* process_from - a member's share of a forward from this From line */
static ShareVerdict *
process_from(Fixture *f, const char *from, const char *rcpt)
{
	g_autofree char *msg = g_strdup_printf(forward_from, from);

	return process(
	    f, msg, "chris@members.example", "<chris@members.example>", rcpt);
}

/* test_process_requester_refused - issue 8 defects 5 and 8: a
 * requester the gateway must not mail is refused in the session */
static void
test_process_requester_refused(Fixture *f, gconstpointer data)
{
	const char *refused[] = {
		"Pat <pat@events>",
		"Pat <pat@localhost>",
		"MAILER-DAEMON@mail.events.example",
		"Pat <pat@mx.intro.example.org>",
		"D\xc3\xa4n\xc3\xa4 <d\xc3\xa4n\xc3\xa4@confs.example>",
		"Pat <pat@b\xc3\xbc"
		"cher.example>",
		"Pat <pat%events.example@relay.example>",
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(ShareVerdict) v = process_from(
		    f, refused[i], "<share+jane@intro.example.org>");

		g_test_message("from %s", refused[i]);
		g_assert_cmpint(v->code, ==, 550);
		g_assert_cmpstr(v->dsn, ==, "5.6.0");
	}
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
}

/* test_process_suppressed - issue 8 defect 2: a share to a friend, or
 * for a requester, whose mailbox bounced for good (data: the address)
 * is refused in the session with a sentence, and nothing is recorded */
static void
test_process_suppressed(Fixture *f, gconstpointer data)
{
	const char *gone = data;
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autofree char *upper = g_ascii_strup(gone, -1);
	g_autoptr(ShareVerdict) v = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(store_suppression_add(
	    f->store, upper, 550, "550 5.1.1 no such user", 0, &error));
	g_assert_no_error(error);
	v = process(f, msg, "chris@members.example", "<chris@members.example>",
	    "<share+jane@intro.example.org>");
	g_assert_cmpint(v->code, ==, 550);
	g_assert_cmpstr(v->dsn, ==, "5.1.1");
	g_assert_nonnull(strstr(v->text, gone));
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
	g_assert_cmpuint(count(store_outbox_list(f->store, NULL)), ==, 0);
}

/* test_process_requester_mailbox - the requester is the mailbox, never
 * an address-like display name */
static void
test_process_requester_mailbox(Fixture *f, gconstpointer data)
{
	g_autoptr(ShareVerdict) v =
	    process_from(f, "\"victim@bank.example\" <pat@events.example>",
		"<share+jane@intro.example.org>");
	g_autoptr(ShareVerdict) w = process_from(f, "Pat <pat@events.example>",
	    "<share+bob=else.example@intro.example.org>");
	g_autoptr(GPtrArray) shares = NULL;
	const Share *s;

	(void)data;
	g_assert_cmpint(v->code, ==, 0);
	g_assert_cmpint(w->code, ==, 0);
	shares = store_share_list(f->store, NULL);
	g_assert_cmpuint(shares->len, ==, 2);
	for (guint i = 0; i < shares->len; i++) {
		s = shares->pdata[i];
		if (g_strcmp0(s->recipient, "jane@friends.example") == 0) {
			g_assert_cmpstr(s->requester, ==, "pat@events.example");
			g_assert_null(s->requester_name);
		} else {
			g_assert_cmpstr(s->requester, ==, "pat@events.example");
			g_assert_cmpstr(s->requester_name, ==, "Pat");
		}
	}
}

/* test_process_member_not_ascii - a member address that would need
 * SMTPUTF8 is refused with a sentence, not sent raw */
static void
test_process_member_not_ascii(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	Member jorg = { .address = (char *)"j\xc3\xb6rg@friends.example",
		.handle = (char *)"jorg" };
	g_autoptr(ShareVerdict) v = NULL;

	(void)data;
	g_assert_true(store_member_add(f->store, &jorg, NULL, &error));
	v = process_from(
	    f, "Pat <pat@events.example>", "<share+jorg@intro.example.org>");
	g_assert_cmpint(v->code, ==, 550);
	g_assert_cmpstr(v->dsn, ==, "5.6.0");
	g_assert_nonnull(strstr(v->text, "SMTPUTF8"));
}

/* A forward whose header the test writes: From and other fields. */
static const char dmarc_forward[] =
    "%s"
    "To: share+jane@intro.example.org\r\n"
    "Subject: Fwd: Keynote in Porto\r\n"
    "Message-ID: <t-share-dmarc@members.example>\r\n"
    "\r\n"
    "Jane, you would be perfect for this.\r\n"
    "\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: Pat Organizer <pat@events.example>\r\n"
    "Subject: Keynote in Porto\r\n"
    "\r\n"
    "Would you give the keynote?\r\n";

/* dmarc_verdict - the reply to a forward with this header, sender_auth
 * dmarc, trusting mx.intro.example.org */
static ShareVerdict *
dmarc_verdict(Fixture *f, const char *header)
{
	g_autofree char *msg = g_strdup_printf(dmarc_forward, header);

	f->cfg->sender_auth = SENDER_AUTH_DMARC;
	g_free(f->cfg->authserv_id);
	f->cfg->authserv_id = g_strdup("mx.intro.example.org");
	return process(
	    f, msg, NULL, "<x@y.example>", "<share+jane@intro.example.org>");
}

#define AR "Authentication-Results: "
#define FROM_CHRIS "From: Chris Member <chris@members.example>\r\n"
#define PASS "mx.intro.example.org; dmarc=pass header.from=members.example\r\n"

/* test_process_dmarc_forged - issue 8 defect 1: each of these was
 * taken for a DMARC pass by a substring test */
static void
test_process_dmarc_forged(Fixture *f, gconstpointer data)
{
	const char *forged[] = {
		/* "dmarc=pass" in a comment of a failing result */
		FROM_CHRIS AR "mx.intro.example.org; dmarc=fail (dmarc=pass "
			      "header.from=members.example) "
			      "header.from=members.example\r\n",
		/* a result that only starts with "pass" */
		FROM_CHRIS AR "mx.intro.example.org; dmarc=passive "
			      "header.from=members.example\r\n",
		/* a header.from that only starts with the member's domain */
		FROM_CHRIS AR "mx.intro.example.org; dmarc=pass "
			      "header.from=members.example.evil.example\r\n",
		/* the sender's own field under the verifier's */
		FROM_CHRIS AR "mx.intro.example.org; dmarc=fail "
			      "header.from=members.example\r\n" AR PASS,
		FROM_CHRIS AR PASS AR PASS,
		/* two From fields */
		FROM_CHRIS "From: mallory@evil.example\r\n" AR PASS,
		/* several From addresses, the member first */
		"From: chris@members.example, mallory@evil.example\r\n" AR PASS,
		/* an SPF result whose smtp.mailfrom the sender chose */
		FROM_CHRIS AR "mx.intro.example.org; spf=pass smtp.mailfrom="
			      "\"dmarc=pass header.from=members.example\""
			      "@evil.example\r\n",
		FROM_CHRIS AR "mx.intro.example.org; spf=pass smtp.mailfrom="
			      "dmarc=pass.header.from=members.example@evil."
			      "example\r\n",
		/* the words as bare properties of another method */
		FROM_CHRIS AR "mx.intro.example.org; spf=pass "
			      "smtp.mailfrom=a@evil.example dmarc=pass "
			      "header.from=members.example\r\n",
		/* a field that cannot be read */
		FROM_CHRIS AR "mx.intro.example.org; dmarc=pass "
			      "header.from=members.example (\r\n",
		/* a dmarc method that is not dmarc */
		FROM_CHRIS AR "mx.intro.example.org; x-dmarc=pass "
			      "header.from=members.example\r\n",
		/* a group in From */
		"From: team: chris@members.example;\r\n" AR PASS,
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(forged); i++) {
		g_autoptr(ShareVerdict) v = dmarc_verdict(f, forged[i]);

		g_test_message("header: %s", forged[i]);
		g_assert_cmpint(v->code, ==, 550);
		g_assert_cmpstr(v->dsn, ==, "5.7.1");
	}
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
}

/* test_process_dmarc_genuine - what the operator's verifier writes */
static void
test_process_dmarc_genuine(Fixture *f, gconstpointer data)
{
	const char *genuine[] = {
		FROM_CHRIS AR PASS,
		/* a field of another verifier (other id) is not looked at */
		FROM_CHRIS AR "MX.Intro.Example.ORG;\r\n\tspf=pass "
			      "smtp.mailfrom=chris@members.example;\r\n"
			      "\tdkim=pass header.d=members.example;\r\n"
			      "\tdmarc=pass (p=reject) header.from=Members."
			      "Example\r\n" AR "relay.members.example; "
			      "dmarc=fail header.from=members.example\r\n",
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(genuine); i++) {
		g_autoptr(ShareVerdict) v = dmarc_verdict(f, genuine[i]);

		g_test_message("header: %s", genuine[i]);
		g_assert_cmpint(v->code, ==, 0);
	}
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 1);
}

static void
test_process_no_forward(Fixture *f, gconstpointer data)
{
	g_autoptr(ShareVerdict) v =
	    process(f, not_forward, "chris@members.example",
		"<chris@members.example>", "<share+jane@intro.example.org>");

	(void)data;
	g_assert_cmpint(v->code, ==, 550);
	g_assert_cmpstr(v->dsn, ==, "5.6.0");
	g_assert_nonnull(strstr(v->text, "Forward"));
}

static void
test_process_automatic(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(
	    forward, "Auto-Submitted: auto-replied\r\n", "Porto");
	g_autoptr(ShareVerdict) v = process(f, msg, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_autofree char *plain = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) w =
	    process(f, plain, NULL, "<>", "<share+jane@intro.example.org>");

	(void)data;
	g_assert_cmpint(v->code, ==, 0);
	g_assert_cmpuint(v->created, ==, 0);
	g_assert_cmpuint(v->consumed->len, ==, 1);
	g_assert_cmpint(w->code, ==, 0);
	g_assert_cmpuint(w->created, ==, 0);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
}

/* test_process_auto_values - issue 8 defect 9: any Auto-Submitted
 * value but "no" is automatic (RFC 3834), comments and case aside */
static void
test_process_auto_values(Fixture *f, gconstpointer data)
{
	const char *automatic[] = {
		"Auto-Submitted: Auto-Generated\r\n",
		"Auto-Submitted:   auto-notified  \r\n",
		"Auto-Submitted: (vacation) auto-replied\r\n",
		"Auto-Submitted: no-thanks\r\n",
		"Auto-Submitted: no auto-replied\r\n",
		"Auto-Submitted:\r\n",
		"Auto-Submitted: no\r\nAuto-Submitted: auto-replied\r\n",
	};
	const char *manual[] = {
		"Auto-Submitted: no\r\n",
		"Auto-Submitted: NO\r\n",
		"Auto-Submitted:  no (sent by a person)\r\n",
		"Auto-Submitted: (manual) no\r\n",
		"Auto-Submitted: no; x-reason=manual\r\n",
		"Precedence: first-class\r\n",
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(automatic); i++) {
		g_autofree char *msg =
		    g_strdup_printf(forward, automatic[i], "Porto");
		g_autoptr(ShareVerdict) v = process(f, msg,
		    "chris@members.example", "<chris@members.example>",
		    "<share+jane@intro.example.org>");

		g_test_message("header: %s", automatic[i]);
		g_assert_cmpint(v->code, ==, 0);
		g_assert_cmpuint(v->created + v->duplicates, ==, 0);
		g_assert_cmpuint(v->consumed->len, ==, 1);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(manual); i++) {
		g_autofree char *msg =
		    g_strdup_printf(forward, manual[i], "Porto");
		g_autoptr(ShareVerdict) v = process(f, msg,
		    "chris@members.example", "<chris@members.example>",
		    "<share+jane@intro.example.org>");

		g_test_message("header: %s", manual[i]);
		g_assert_cmpint(v->code, ==, 0);
		g_assert_cmpuint(v->created + v->duplicates, ==, 1);
	}
}

/* test_process_list_mail - issue 8 defect 9: list and bulk mail is not
 * a share, and the sender is told why */
static void
test_process_list_mail(Fixture *f, gconstpointer data)
{
	const char *list[] = {
		"List-Id: Members <members.lists.example>\r\n",
		"Precedence: bulk\r\n",
		"Precedence: LIST\r\n",
		"Precedence:  junk (old style)\r\n",
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(list); i++) {
		g_autofree char *msg =
		    g_strdup_printf(forward, list[i], "Porto");
		g_autoptr(ShareVerdict) v = process(f, msg,
		    "chris@members.example", "<chris@members.example>",
		    "<share+jane@intro.example.org>");

		g_test_message("header: %s", list[i]);
		g_assert_cmpint(v->code, ==, 550);
		g_assert_cmpstr(v->dsn, ==, "5.7.1");
		g_assert_nonnull(strstr(v->text, "list"));
	}
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
}

/* A member's forward of a forward: Pat asked Eve, Eve passed it on. */
static const char forward_of_forward[] =
    "From: \"Chris Member\" <chris@members.example>\r\n"
    "To: share+jane@intro.example.org\r\n"
    "Subject: Fwd: Fwd: Keynote in Porto\r\n"
    "Message-ID: <t-share-ff@members.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Jane, you would be perfect for this.\r\n"
    "\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: Eve Middle <eve@middle.example>\r\n"
    "Date: Sat, Nov 14, 2026 at 9:00 AM\r\n"
    "Subject: Fwd: Keynote in Porto\r\n"
    "To: Chris Member <chris@members.example>\r\n"
    "\r\n"
    "Chris, I thought of you.\r\n"
    "\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: Pat Organizer <pat@events.example>\r\n"
    "Date: Fri, Nov 13, 2026 at 4:05 PM\r\n"
    "Subject: Keynote in Porto\r\n"
    "To: Eve Middle <eve@middle.example>\r\n"
    "\r\n"
    "Would you give the keynote at our conference in Porto?\r\n";

/* intro_text_of - the text/plain alternative of an outbox item */
static char *
intro_text_of(Fixture *f, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OutboxItem) item = store_outbox_get(f->store, id, &error);
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	GMimeObject *part;
	gsize len;
	const char *data;

	g_assert_no_error(error);
	g_assert_nonnull(item);
	/* written by the worker at its first send: rendered here for a look */
	g_assert_true(
	    sender_render(f->store, f->cfg, item, 1700000000, FALSE, &error));
	g_assert_no_error(error);
	data = g_bytes_get_data(item->message, &len);
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	part = g_mime_multipart_get_part(
	    GMIME_MULTIPART(g_mime_message_get_mime_part(msg)), 0);
	return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

/* test_process_forward_chain - issue 8 defect 7: the requester is the
 * author of the innermost message; who passed it on is named, not
 * mailed; a retry is still a duplicate */
static void
test_process_forward_chain(Fixture *f, gconstpointer data)
{
	g_autoptr(ShareVerdict) v = process(f, forward_of_forward,
	    "chris@members.example", "<chris@members.example>",
	    "<share+jane+direct@intro.example.org>");
	g_autoptr(ShareVerdict) again = process(f, forward_of_forward,
	    "chris@members.example", "<chris@members.example>",
	    "<share+jane+direct@intro.example.org>");
	g_autoptr(GPtrArray) shares = store_share_list(f->store, NULL);
	g_autoptr(GPtrArray) items = store_outbox_list(f->store, NULL);
	g_autofree char *text = NULL;
	OutboxItem *item;

	(void)data;
	g_assert_cmpint(v->code, ==, 0);
	g_assert_cmpuint(v->created, ==, 1);
	g_assert_cmpuint(again->duplicates, ==, 1);
	g_assert_cmpuint(shares->len, ==, 1);
	g_assert_cmpstr(
	    ((Share *)shares->pdata[0])->requester, ==, "pat@events.example");
	g_assert_cmpuint(items->len, ==, 1);
	item = items->pdata[0];
	for (guint i = 0; i < item->rcpts->len; i++)
		g_assert_cmpstr(
		    item->rcpts->pdata[i], !=, "eve@middle.example");
	g_assert_cmpstr(item->kind, ==, "intro");
	text = intro_text_of(f, item->id);
	g_assert_nonnull(strstr(text, "Eve Middle"));
	g_assert_null(strstr(text, "eve@middle.example"));
}

static void
test_process_self(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	g_autoptr(ShareVerdict) v = process(f, msg, "chris@members.example",
	    "<chris@members.example>", "<share+chris@intro.example.org>");
	g_autoptr(ShareVerdict) w =
	    process(f, msg, "chris@members.example", "<chris@members.example>",
		"<share+pat=events.example@intro.example.org>");

	(void)data;
	g_assert_cmpint(v->code, ==, 550);
	g_assert_cmpstr(v->dsn, ==, "5.7.1");
	g_assert_cmpint(w->code, ==, 550);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 0);
}

static void
test_process_limits(Fixture *f, gconstpointer data)
{
	g_autofree char *porto = g_strdup_printf(forward, "", "Porto");
	g_autofree char *lisbon = g_strdup_printf(forward, "", "Lisbon");
	g_autoptr(ShareVerdict) v1 = NULL;
	g_autoptr(ShareVerdict) v2 = NULL;
	g_autoptr(ShareVerdict) v3 = NULL;

	(void)data;
	f->cfg->shares_per_hour = 1;
	v1 = process(f, porto, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(v1->code, ==, 0);
	g_assert_cmpuint(v1->created, ==, 1);
	v2 = process(f, lisbon, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(v2->code, ==, 450);
	g_assert_cmpstr(v2->dsn, ==, "4.7.1");
	/* a retry of what was recorded is never limited */
	v3 = process(f, porto, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(v3->code, ==, 0);
	g_assert_cmpuint(v3->duplicates, ==, 1);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 1);
}

static void
test_process_friend_limit(Fixture *f, gconstpointer data)
{
	g_autofree char *porto = g_strdup_printf(forward, "", "Porto");
	g_autofree char *lisbon0 = g_strdup_printf(forward, "", "Lisbon");
	/* another requester: one of pat's would be merged into the open one */
	g_autofree char *lisbon = replace(lisbon0, "pat@", "sam@");
	g_autoptr(ShareVerdict) v1 = NULL;
	g_autoptr(ShareVerdict) v2 = NULL;

	(void)data;
	f->cfg->intros_per_friend_per_week = 1;
	v1 = process(f, porto, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(v1->code, ==, 0);
	v2 = process(f, lisbon, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(v2->code, ==, 450);
	g_assert_nonnull(strstr(v2->text, "introductions this week"));
}

/* lee - a third member, who forwards what chris forwarded */
static void
add_lee(Fixture *f, int confirm)
{
	g_autoptr(GError) error = NULL;
	gboolean found = FALSE;
	Member lee = { .address = (char *)"lee@members.example",
		.name = (char *)"Lee Other",
		.handle = (char *)"lee" };

	g_assert_true(store_member_add(f->store, &lee, NULL, &error));
	g_assert_no_error(error);
	if (confirm == 0)
		g_assert_true(store_member_set(
		    f->store, lee.address, NULL, 0, &found, &error));
}

/* lees - the forward as lee sends it (another message, the same
 * request of pat's) */
static char *
lees(const char *city)
{
	g_autofree char *m = g_strdup_printf(forward, "", city);
	g_autofree char *a =
	    replace(m, "\"Chris Member\" <chris@", "\"Lee Other\" <lee@");

	return replace(a, "t-share-1@", "t-share-lee@");
}

/* test_process_merged - lee shares chris's open request to jane: merged
 * (no second consent request, even past jane's weekly limit of asks),
 * lee credited and told without chris named; a retry, and chris's
 * second copy, change nothing */
static void
test_process_merged(Fixture *f, gconstpointer data)
{
	g_autofree char *porto = g_strdup_printf(forward, "", "Porto");
	g_autofree char *lee = lees("Porto");
	g_autofree char *again0 = g_strdup_printf(forward, "", "Porto");
	g_autofree char *again = replace(again0, "t-share-1@", "t-share-9@");
	g_autoptr(ShareVerdict) v1 = NULL;
	g_autoptr(ShareVerdict) v2 = NULL;
	g_autoptr(ShareVerdict) v3 = NULL;
	g_autoptr(ShareVerdict) v4 = NULL;
	g_autoptr(GPtrArray) out = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(Share) s = NULL;
	g_autofree char *text = NULL;

	(void)data;
	add_lee(f, -1);
	f->cfg->consent_requests_per_friend_per_week = 1;
	v1 = process(f, porto, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpuint(v1->created, ==, 1);
	v2 = process(f, lee, "lee@members.example", "<lee@members.example>",
	    "<share+Jane@intro.example.org>");
	g_assert_cmpint(v2->code, ==, 0);
	g_assert_cmpuint(v2->merged, ==, 1);
	g_assert_cmpuint(v2->consumed->len, ==, 1);
	v3 = process(f, lee, "lee@members.example", "<lee@members.example>",
	    "<share+jane@intro.example.org>");
	g_assert_cmpint(v3->code, ==, 0);
	g_assert_cmpuint(v3->duplicates, ==, 1);
	v4 = process(f, again, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	g_assert_cmpint(v4->code, ==, 0);
	g_assert_cmpuint(v4->duplicates, ==, 1);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 1);
	s = store_share_get(f->store, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(s->credited->len, ==, 1);
	g_assert_cmpstr(s->credited->pdata[0], ==, "lee@members.example");
	out = store_outbox_list(f->store, &error);
	g_assert_cmpuint(out->len, ==, 3); /* consent, confirmation, merged */
	g_assert_cmpstr(((OutboxItem *)out->pdata[2])->template, ==, "merged");
	text = intro_text_of(f, ((OutboxItem *)out->pdata[2])->id);
	g_assert_nonnull(strstr(text, "Hi Lee,"));
	g_assert_nonnull(strstr(text, "Jane had already been asked"));
	g_assert_null(strstr(text, "Chris"));
	g_assert_null(strstr(text, "chris@"));
	g_assert_null(strstr(text, "pat@"));
}

/* test_process_merged_quiet - a member without confirmations is merged
 * and credited, and gets no note */
static void
test_process_merged_quiet(Fixture *f, gconstpointer data)
{
	g_autofree char *porto = g_strdup_printf(forward, "", "Porto");
	g_autofree char *lee = lees("Porto");
	g_autoptr(ShareVerdict) v1 = NULL;
	g_autoptr(ShareVerdict) v2 = NULL;

	(void)data;
	add_lee(f, 0);
	v1 = process(f, porto, "chris@members.example",
	    "<chris@members.example>", "<share+jane@intro.example.org>");
	v2 = process(f, lee, "lee@members.example", "<lee@members.example>",
	    "<share+jane@intro.example.org>");
	g_assert_cmpuint(v2->merged, ==, 1);
	g_assert_cmpuint(count(store_outbox_list(f->store, NULL)), ==, 2);
}

static void
test_process_two_friends(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = g_strdup_printf(forward, "", "Porto");
	const char *const two[] = { "<share+jane@intro.example.org>",
		"<share+bob=else.example@intro.example.org>", NULL };
	g_autoptr(ShareVerdict) v1 = process_to(
	    f, msg, "chris@members.example", "<chris@members.example>", two);
	g_autoptr(ShareVerdict) v2 = process_to(
	    f, msg, "chris@members.example", "<chris@members.example>", two);

	(void)data;
	g_assert_cmpint(v1->code, ==, 0);
	g_assert_cmpuint(v1->created, ==, 2);
	g_assert_cmpuint(v1->consumed->len, ==, 2);
	g_assert_cmpint(v2->code, ==, 0);
	g_assert_cmpuint(v2->created, ==, 0);
	g_assert_cmpuint(v2->duplicates, ==, 2);
	g_assert_cmpuint(count(store_share_list(f->store, NULL)), ==, 2);
	/* a consent request and a confirmation for each friend */
	g_assert_cmpuint(count(store_outbox_list(f->store, NULL)), ==, 4);
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/share/check_rcpt/not-share", test_rcpt_not_share);
	ADD("/share/check_rcpt/handles", test_rcpt_handles);
	ADD("/share/check_rcpt/refused", test_rcpt_refused);
	ADD("/share/process/accepted", test_process_accepted);
	ADD("/share/process/from_file", test_process_from_file);
	ADD("/share/process/gateway-misconfigured",
	    test_process_gateway_misconfigured);
	ADD("/share/process/duplicate", test_process_duplicate);
	ADD("/share/process/stranger", test_process_stranger);
	ADD("/share/process/any", test_process_any);
	ADD("/share/process/dmarc", test_process_dmarc);
	ADD("/share/process/dmarc-forged", test_process_dmarc_forged);
	ADD("/share/process/dmarc-genuine", test_process_dmarc_genuine);
	ADD("/share/process/requester-refused", test_process_requester_refused);
	ADD("/share/process/requester-mailbox", test_process_requester_mailbox);
	ADD("/share/process/member-not-ascii", test_process_member_not_ascii);
	ADD("/share/process/no-forward", test_process_no_forward);
	ADD("/share/process/automatic", test_process_automatic);
	ADD("/share/process/auto-submitted-values", test_process_auto_values);
	ADD("/share/process/list-mail", test_process_list_mail);
	ADD("/share/process/forward-chain", test_process_forward_chain);
	ADD("/share/process/self-and-requester", test_process_self);
	ADD("/share/process/two-friends", test_process_two_friends);
	ADD("/share/process/limits-per-member", test_process_limits);
	ADD("/share/process/limits-per-friend", test_process_friend_limit);
	ADD("/share/process/merged", test_process_merged);
	ADD("/share/process/merged-quiet", test_process_merged_quiet);
	g_test_add("/share/process/suppressed-requester", Fixture,
	    "pat@events.example", setup, test_process_suppressed, teardown);
	g_test_add("/share/process/suppressed-friend", Fixture,
	    "jane@friends.example", setup, test_process_suppressed, teardown);
	return g_test_run();
}
