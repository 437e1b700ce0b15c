/*
 * tmpl_digest.c - the weekly digest: a member's own week in one message
 *
 * tmpl_render_digest() is what the digest run calls for each member
 * (tmpl_digest.h). The facts are checked and cleaned here into a
 * DigestView (sections of entries, each entry a few short lines, the
 * types in tmpl_int.h); tmpl_digest_look.c writes the view twice, as
 * blocks for the project's format=flowed writer and as table-based
 * HTML; the message is built, marked as bulk mail and checked here.
 *
 * Privacy: the digest is the member's and shows nobody else's
 * addresses but the friends of their own shares (DigestItem says so).
 * Names that look like addresses are dropped, and subjects and
 * outcomes lose every word holding '@', so a requester's address that
 * reached a subject or a name never reaches the member who has not
 * said yes yet.
 *
 * Headers: the bulk-mail ones a receiver and a mail client look for:
 * List-Id (RFC 2919, the product's name as its phrase), List-Unsubscribe
 * (RFC 2369, the mailto first, then the URL), List-Unsubscribe-Post
 * (RFC 8058, only with an https URL: one-click needs one), Precedence:
 * bulk and Auto-Submitted (RFC 3834), so vacation responders stay
 * quiet. The Message-ID and the boundary are digests of the member,
 * the week and the clock: the same facts give the same bytes.
 *
 * Trust: every string of the facts came from mail at some remove,
 * except the Config; URLs and reply addresses are checked for shape,
 * names and subjects cleaned to one line, everything escaped by context
 * (HTML, RFC 2047). Privilege: none; no I/O.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/gmime-autoptr.h"
#include "templates/tmpl_digest.h"
#include "templates/tmpl_int.h"

#define ITEMS_MAX 25    /* entries shown in one section */
#define TOP_MAX 10      /* top sharers named */
#define ORG_MAX 80      /* characters of an organisation */
#define TOPIC_MAX 120   /* characters of a request's subject */
#define OUTCOME_MAX 300 /* characters of an outcome */
#define URL_MAX 500     /* octets of a link */

/* entry_free - free one entry */
static void
entry_free(gpointer data)
{
	DigestEntry *e = data;

	g_free(e->title);
	g_free(e->topic);
	g_free(e->detail);
	g_free(e->reply);
	g_free(e->link);
	g_free(e);
}

/* section_free - free one section */
static void
section_free(gpointer data)
{
	DigestSection *s = data;

	g_ptr_array_unref(s->entries);
	g_free(s);
}

/* view_free - free the view; accepts NULL */
static void
view_free(DigestView *v)
{
	if (v == NULL)
		return;
	g_free(v->product);
	g_free(v->from_address);
	g_free(v->domain);
	g_free(v->help);
	g_free(v->member_address);
	g_free(v->member_name);
	g_free(v->member_first);
	g_free(v->week);
	g_free(v->week_of);
	g_free(v->share_address);
	g_free(v->share_example);
	g_free(v->unsub_address);
	g_free(v->unsub_url);
	g_free(v->subject);
	if (v->sections != NULL)
		g_ptr_array_unref(v->sections);
	g_free(v);
}

/* n_of - the length of an array that may be NULL */
static guint
n_of(const GPtrArray *a)
{
	return a != NULL ? a->len : 0;
}

/* tmpl_digest_is_empty - nothing by or for the member this week */
gboolean
tmpl_digest_is_empty(const DigestFacts *f)
{
	g_return_val_if_fail(f != NULL, TRUE);
	return n_of(f->shared_by) == 0 && n_of(f->shared_with) == 0 &&
	       n_of(f->waiting) == 0 && n_of(f->outcomes) == 0;
}

/* product_of - the product's name fit for a display name */
static char *
product_of(const Config *cfg)
{
	char *p = cfg != NULL ? tmpl_display_name(cfg->name) : NULL;

	return p != NULL ? p : g_strdup("passalong");
}

/* tmpl_digest_subject - "Your week: 3 shared, 1 introduced, 1 waiting
 * for you, 2 outcomes", the counts that are not zero; "Your week on
 * NAME" when all are (transfer full) */
char *
tmpl_digest_subject(const DigestFacts *f)
{
	g_autofree char *product = NULL;
	GString *s;
	guint n;

	g_return_val_if_fail(f != NULL, NULL);
	s = g_string_new("Your week:");
	if ((n = n_of(f->shared_by)) > 0)
		g_string_append_printf(s, " %u shared,", n);
	if ((n = n_of(f->shared_with)) > 0)
		g_string_append_printf(s, " %u introduced,", n);
	if ((n = n_of(f->waiting)) > 0)
		g_string_append_printf(s, " %u waiting for you,", n);
	if ((n = n_of(f->outcomes)) > 0)
		g_string_append_printf(
		    s, " %u %s,", n, n == 1 ? "outcome" : "outcomes");
	if (s->str[s->len - 1] == ',') {
		g_string_truncate(s, s->len - 1);
		return g_string_free(s, FALSE);
	}
	g_string_free(s, TRUE);
	product = product_of(f->cfg);
	return g_strdup_printf("Your week on %s", product);
}

/* fail_input - set a TMPL_ERROR_INPUT error about the digest */
static gboolean
fail_input(GError **error, const char *why)
{
	g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
	    "cannot write a digest: %s", why);
	return FALSE;
}

/* url_ok - an http or https URL of printable ASCII that needs no
 * quoting in a header or an attribute */
static gboolean
url_ok(const char *url)
{
	gsize n = strlen(url);

	if (n > URL_MAX || (!g_str_has_prefix(url, "https://") &&
			       !g_str_has_prefix(url, "http://")))
		return FALSE;
	for (const char *p = url; *p; p++) {
		if (*p <= ' ' || *p > '~' || strchr("<>\"'\\`{}|^", *p))
			return FALSE;
	}
	return n > strlen("https://");
}

/* gateway_addr_ok - an address of the gateway's own domain */
static gboolean
gateway_addr_ok(const char *addr, const Config *cfg)
{
	return addr != NULL && addr_is_safe(addr) &&
	       addr_in_domain(addr, cfg->domain);
}

/* week_ok - an ISO week as "2026-W49" */
static gboolean
week_ok(const char *w)
{
	if (w == NULL || strlen(w) != 8 || w[4] != '-' || w[5] != 'W')
		return FALSE;
	for (int i = 0; i < 8; i++) {
		if (i != 4 && i != 5 && !g_ascii_isdigit(w[i]))
			return FALSE;
	}
	return TRUE;
}

/* check_items - the reply addresses and links of open requests are
 * ours and plain: a reply address elsewhere would send the member's
 * answer to someone else. One without a reply address (no token) is
 * shown without it, pointing to the request the member was sent. */
static gboolean
check_items(const DigestFacts *f, GError **error)
{
	for (guint i = 0; i < n_of(f->waiting); i++) {
		const DigestItem *it = g_ptr_array_index(f->waiting, i);

		if (it->reply_address != NULL &&
		    !gateway_addr_ok(it->reply_address, f->cfg))
			return fail_input(error,
			    "a waiting request's reply address is not the "
			    "gateway's");
		if (it->answer_url != NULL && !url_ok(it->answer_url))
			return fail_input(error, "an answer link is not a "
						 "plain http(s) URL");
	}
	return TRUE;
}

/* check_facts - the gateway, the member, the week and the links */
static gboolean
check_facts(const DigestFacts *f, GError **error)
{
	if (!tmpl_check_gateway(f->cfg, error) ||
	    !tmpl_check_date(f->now, "digest", error) ||
	    !tmpl_check_person(f->cfg, "member", f->member_address, error))
		return FALSE;
	if (!week_ok(f->week))
		return fail_input(error, "the week is not like 2026-W49");
	if (!gateway_addr_ok(f->unsub_address, f->cfg))
		return fail_input(
		    error, "no unsubscribe address of the gateway");
	if (f->unsub_url != NULL && !url_ok(f->unsub_url))
		return fail_input(
		    error, "the unsubscribe link is not a plain http(s) URL");
	if (f->share_address != NULL &&
	    !gateway_addr_ok(f->share_address, f->cfg))
		return fail_input(
		    error, "the share address is not the gateway's");
	return check_items(f, error);
}

/* person - "Dana Scully at Acme Events", "someone at Acme Events", or
 * the fallback (transfer full) */
static char *
person(const char *name, const char *org, const char *fallback)
{
	g_autofree char *n = tmpl_display_name(name);
	g_autofree char *o = tmpl_display_name(org);
	g_autofree char *cut = o != NULL ? tmpl_cut_chars(o, ORG_MAX) : NULL;

	if (cut != NULL)
		return g_strdup_printf(
		    "%s at %s", n != NULL ? n : "someone", cut);
	return g_strdup(n != NULL ? n : fallback);
}

/* free_text - one line of text from mail without any address, cut to
 * max characters, or NULL (transfer full) */
static char *
free_text(const char *text, glong max)
{
	g_autofree char *line = tmpl_clean_line(text, 0);
	g_autofree char *bare = tmpl_no_addresses(line);

	return bare != NULL ? tmpl_cut_chars(bare, max) : NULL;
}

/* status_words - a share's status as the member reads it */
static const char *
status_words(const char *status)
{
	static const struct {
		const char *status, *words;
	} table[] = {
		{ "queued", "Not sent yet." },
		{ "asked", "Asked; no answer yet." },
		{ "accepted", "Said yes." },
		{ "declined", "Passed on this one." },
		{ "expired", "No answer in time." },
		{ "introduced", "Introduced." },
		{ "failed", "Could not be delivered." },
	};

	for (gsize i = 0; status != NULL && i < G_N_ELEMENTS(table); i++) {
		if (strcmp(table[i].status, status) == 0)
			return table[i].words;
	}
	return NULL;
}

/* detail - the status in words, then the outcome, or NULL */
static char *
detail(const DigestItem *it, gboolean with_status)
{
	const char *st = with_status ? status_words(it->status) : NULL;
	g_autofree char *out = free_text(it->outcome, OUTCOME_MAX);

	if (st != NULL && out != NULL)
		return g_strdup_printf("%s Outcome: %s", st, out);
	if (out != NULL)
		return g_strdup_printf("Outcome: %s", out);
	return g_strdup(st);
}

/* friend_label - the friend of one of the member's own shares: name,
 * else address (the member chose them) */
static char *
friend_label(const DigestItem *it)
{
	char *n = tmpl_display_name(it->friend_name);

	if (n == NULL && it->friend_address != NULL &&
	    addr_is_safe(it->friend_address))
		n = g_strdup(it->friend_address);
	return n != NULL ? n : g_strdup("your friend");
}

/* sharer_label - who shared with the member: name, else address */
static char *
sharer_label(const DigestItem *it)
{
	char *n = tmpl_display_name(it->member_name);

	if (n == NULL && it->member_address != NULL &&
	    addr_is_safe(it->member_address))
		n = g_strdup(it->member_address);
	return n != NULL ? n : g_strdup("a member");
}

/* entry_new - an entry of one item of section KIND */
static DigestEntry *
entry_new(const DigestItem *it, char kind)
{
	DigestEntry *e = g_new0(DigestEntry, 1);
	g_autofree char *who =
	    person(it->requester_name, it->requester_org, "someone");
	g_autofree char *other = NULL;

	e->topic = free_text(it->subject, TOPIC_MAX);
	switch (kind) {
	case 'b': /* shared by the member: the friend may be named */
		other = friend_label(it);
		e->title = g_strdup_printf("%s, passed to %s", who, other);
		e->detail = detail(it, TRUE);
		break;
	case 'w': /* waiting for the member's answer */
		other = sharer_label(it);
		e->title = g_strdup_printf("%s, from %s", who, other);
		e->reply = g_strdup(it->reply_address);
		e->link = g_strdup(it->answer_url);
		if (e->reply == NULL)
			e->detail = g_strdup(
			    "Reply yes or no to the request you were sent.");
		break;
	case 'o': /* an outcome or a thank-you */
		e->title = g_strdup(who);
		e->detail = detail(it, FALSE);
		break;
	default: /* shared with the member */
		other = sharer_label(it);
		e->title = g_strdup_printf("%s, from %s", who, other);
		e->detail = detail(it, FALSE);
		break;
	}
	return e;
}

/* section_new - an empty section (transfer full) */
static DigestSection *
section_new(const char *heading, gboolean compact)
{
	DigestSection *s = g_new0(DigestSection, 1);

	s->heading = heading;
	s->compact = compact;
	s->entries = g_ptr_array_new_with_free_func(entry_free);
	return s;
}

/* add_items - a section of the items, when there are any */
static void
add_items(
    GPtrArray *sections, const char *heading, const GPtrArray *items, char kind)
{
	DigestSection *s;

	if (n_of(items) == 0)
		return;
	s = section_new(heading, FALSE);
	for (guint i = 0; i < items->len && i < ITEMS_MAX; i++)
		g_ptr_array_add(
		    s->entries, entry_new(g_ptr_array_index(items, i), kind));
	s->more = items->len > ITEMS_MAX ? items->len - ITEMS_MAX : 0;
	g_ptr_array_add(sections, s);
}

/* balance_entry - "All time: 12 given, 3 received, 2 worked out" */
static DigestEntry *
balance_entry(const char *label, const DigestBalance *b)
{
	DigestEntry *e = g_new0(DigestEntry, 1);

	e->title = g_strdup(label);
	e->detail = g_strdup_printf("%" G_GINT64_FORMAT " given, "
				    "%" G_GINT64_FORMAT " received, "
				    "%" G_GINT64_FORMAT " worked out",
	    b->given, b->received, b->worked_out);
	return e;
}

/* add_top - the week's top sharers, names only */
static void
add_top(GPtrArray *sections, const GPtrArray *top)
{
	DigestSection *s = section_new("Top sharers this week", TRUE);

	for (guint i = 0; i < n_of(top) && s->entries->len < TOP_MAX; i++) {
		const DigestSharer *t = g_ptr_array_index(top, i);
		char *name = tmpl_display_name(t->name);
		DigestEntry *e;

		if (name == NULL)
			continue;
		e = g_new0(DigestEntry, 1);
		e->title = name;
		g_ptr_array_add(s->entries, e);
	}
	if (s->entries->len == 0) {
		section_free(s);
		return;
	}
	g_ptr_array_add(sections, s);
}

/* sections_new - the sections that have something to show */
static GPtrArray *
sections_new(const DigestFacts *f)
{
	GPtrArray *sections = g_ptr_array_new_with_free_func(section_free);
	DigestSection *b;

	add_items(sections, "Shared by you", f->shared_by, 'b');
	add_items(sections, "Shared with you", f->shared_with, 's');
	add_items(sections, "Waiting for your answer", f->waiting, 'w');
	add_items(sections, "Outcomes and thank-yous", f->outcomes, 'o');
	b = section_new("Your balance", TRUE);
	g_ptr_array_add(b->entries, balance_entry("All time", &f->all_time));
	g_ptr_array_add(b->entries, balance_entry("This year", &f->this_year));
	g_ptr_array_add(sections, b);
	add_top(sections, f->top);
	return sections;
}

/* week_of - the Monday of the week as "30 November 2026": week_start
 * is midnight in the member's zone, so noon of that day in UTC is the
 * same date in every zone within twelve hours of UTC */
static char *
week_of(gint64 week_start)
{
	return week_start > 0 ? tmpl_date_unix(week_start + 12 * 3600) : NULL;
}

/* view_new - the facts checked and cleaned into what the digest shows */
static DigestView *
view_new(const DigestFacts *f, GError **error)
{
	DigestView *v;
	const char *share =
	    f->cfg->share_localpart != NULL ? f->cfg->share_localpart : "share";

	if (!check_facts(f, error))
		return NULL;
	v = g_new0(DigestView, 1);
	v->product = product_of(f->cfg);
	v->domain = g_strdup(f->cfg->domain);
	v->from_address =
	    g_strdup_printf("%s@%s", f->cfg->from_localpart, f->cfg->domain);
	v->help = g_strdup_printf("postmaster@%s", f->cfg->domain);
	v->member_address = g_strdup(f->member_address);
	v->member_name = tmpl_display_name(f->member_name);
	v->member_first = tmpl_first_name(v->member_name);
	v->week = g_strdup(f->week);
	v->week_of = week_of(f->week_start);
	v->share_address = g_strdup(f->share_address);
	v->share_example = g_strdup_printf("%s+NAME@%s", share, f->cfg->domain);
	v->unsub_address = g_strdup(f->unsub_address);
	v->unsub_url = g_strdup(f->unsub_url);
	v->one_click =
	    f->unsub_url != NULL && g_str_has_prefix(f->unsub_url, "https://");
	v->subject = tmpl_digest_subject(f);
	v->sections = sections_new(f);
	v->now = f->now;
	return v;
}

/* digest_hash - the hex SHA-256 of the member, the week and the clock */
static char *
digest_hash(const DigestView *v)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree char *clock = g_strdup_printf("%" G_GINT64_FORMAT, v->now);
	const char *parts[] = { "passalong-digest", v->member_address, v->week,
		clock, v->domain };

	for (gsize i = 0; i < G_N_ELEMENTS(parts); i++)
		g_checksum_update(sum, (const guchar *)parts[i],
		    (gssize)strlen(parts[i]) + 1); /* the NUL too */
	return g_strdup(g_checksum_get_string(sum));
}

/* set_raw - header NAME with a value written here (GMime's raw form:
 * a leading space, LF line ends) */
static void
set_raw(GMimeObject *obj, const char *name, const char *value)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h;
	g_autofree char *raw = g_strdup_printf(" %s\n", value);

	g_mime_object_set_header(obj, name, value, NULL);
	h = g_mime_header_list_get_header(list, name);
	g_assert(h != NULL); /* set just before */
	g_mime_header_set_raw_value(h, raw);
}

/* list_id - "NAME digest <digest.DOMAIN>", the phrase quoted or encoded
 * as a display name is (transfer full; folded by "\n ") */
static char *
list_id(const DigestView *v)
{
	g_autofree char *phrase = g_strdup_printf("%s digest", v->product);
	g_autofree char *id = g_strdup_printf("digest.%s", v->domain);
	const Rfc2047Mailbox box = { .name = phrase, .addr = id };

	return rfc2047_encode_mailboxes("List-Id", &box, 1);
}

/* list_unsubscribe - "<mailto:...>" and, with a URL, ",\n <URL>" */
static char *
list_unsubscribe(const DigestView *v)
{
	if (v->unsub_url != NULL)
		return g_strdup_printf(
		    "<mailto:%s>,\n <%s>", v->unsub_address, v->unsub_url);
	return g_strdup_printf("<mailto:%s>", v->unsub_address);
}

/* without_folds - a folded value as the check reads it (transfer full) */
static char *
without_folds(const char *folded)
{
	g_auto(GStrv) parts = g_strsplit(folded, "\n", -1);

	return g_strjoinv("", parts);
}

/* render - build, serialise and check the digest (transfer full) */
static RenderedMail *
render(const DigestView *v, GError **error)
{
	g_autofree char *hex = digest_hash(v);
	g_autofree char *id = g_strdup_printf("%.32s@%s", hex, v->domain);
	/* 20 hex digits, not the share kinds' 24: the Content-Type line
	 * stays within 76 octets. "=-" never occurs in quoted-printable. */
	g_autofree char *boundary = g_strdup_printf("=-pa-%.20s", hex + 32);
	g_autoptr(GPtrArray) blocks = digest_blocks(v);
	g_autofree char *text = tmpl_blocks_flowed(blocks);
	g_autofree char *html = digest_html(v);
	g_autofree char *lid = list_id(v);
	g_autofree char *unsub = list_unsubscribe(v);
	g_autofree char *want_lid = without_folds(lid);
	g_autofree char *want_unsub = without_folds(unsub);
	const Rfc2047Mailbox to = { v->member_name, v->member_address };
	const char *want_to[] = { v->member_address, NULL };
	const char *none[] = { NULL };
	const TmplHeaders h = { .kind = "digest",
		.from = { v->product, v->from_address },
		.to = &to,
		.n_to = 1,
		.subject = v->subject,
		.boundary = boundary,
		.flowed = TRUE,
		.now = v->now };
	const TmplExpect want = { .from = v->from_address,
		.to = want_to,
		.cc = none,
		.subject = v->subject,
		.message_id = id,
		.reply_to = none,
		.flowed = TRUE,
		.list_id = want_lid,
		.list_unsubscribe = want_unsub,
		.one_click = v->one_click };
	g_autoptr(GMimeMessage) msg = tmpl_message_build(&h, text, html, id);
	GMimeObject *obj = GMIME_OBJECT(msg);
	g_autoptr(GBytes) bytes = NULL;
	RenderedMail *mail;

	set_raw(obj, "List-Id", lid);
	set_raw(obj, "List-Unsubscribe", unsub);
	if (v->one_click)
		set_raw(
		    obj, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
	set_raw(obj, "Precedence", "bulk");
	bytes = tmpl_serialize(obj);
	if (!tmpl_verify(bytes, &want, error))
		return NULL;
	mail = g_new0(RenderedMail, 1);
	mail->kind = g_strdup("digest");
	mail->mail_from = g_strdup(v->from_address);
	mail->rcpts = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(mail->rcpts, g_strdup(v->member_address));
	mail->subject = g_strdup(v->subject);
	mail->message_id = g_steal_pointer(&id);
	mail->message = g_steal_pointer(&bytes);
	return mail;
}

/* tmpl_render_digest - the member's week as one checked message
 * (transfer full) */
RenderedMail *
tmpl_render_digest(const DigestFacts *f, GError **error)
{
	DigestView *v;
	RenderedMail *mail;

	g_return_val_if_fail(f != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	v = view_new(f, error);
	if (v == NULL)
		return NULL;
	mail = render(v, error);
	view_free(v);
	return mail;
}
