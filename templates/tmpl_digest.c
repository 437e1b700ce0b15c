/*
 * tmpl_digest.c - the weekly digest: a member's own week in one message
 *
 * tmpl_render_digest() is what the digest run calls for each member
 * (tmpl_digest.h). The facts are checked and cleaned into a view
 * (sections of entries, each entry a few short lines), and the view is
 * written twice: as blocks for the project's format=flowed writer
 * (tmpl_flowed.c), and as table-based HTML here. The HTML is built for
 * the readers people actually have: one 600 px table, layout tables
 * marked role=presentation, inline styles only (Outlook's Word
 * renderer ignores most of <style>), no images, no script, real
 * headings and a lang for screen readers. Every text colour is set
 * with its background on the same cell, and color-scheme says both
 * schemes are meant, so a client that darkens the page darkens both
 * and never leaves dark text on a dark background.
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
#define WIDTH "600"     /* pixels of the message's table */

/* Colours: every text colour sits on a background set in the same
 * cell. */
#define BG_PAGE "#eef1f5"
#define BG_CARD "#ffffff"
#define BG_HEAD "#1d3557"
#define FG_HEAD "#ffffff"
#define FG_TEXT "#1f2933"
#define FG_SOFT "#52606d"
#define FG_LINK "#1a5fb4"
#define FONT "font-family:Helvetica,Arial,sans-serif;"

typedef struct {
	char *title;  /* who: one line */
	char *topic;  /* the request's subject, or NULL */
	char *detail; /* status and outcome, or NULL */
	char *reply;  /* intro+TOKEN@domain, or NULL */
	char *link;   /* the answer page, or NULL */
} Entry;

typedef struct {
	const char *heading; /* static */
	GPtrArray *entries;  /* of Entry * */
	gboolean compact;    /* one line an entry: "title: detail" */
	guint more;          /* entries left out */
} Section;

typedef struct {
	char *product;      /* cfg->name, cleaned, no '@' */
	char *from_address; /* from_localpart@domain */
	char *domain;
	char *help; /* postmaster@domain */
	char *member_address;
	char *member_name;   /* or NULL */
	char *member_first;  /* or NULL */
	char *week;          /* "2026-W49" */
	char *week_of;       /* "30 November 2026", or NULL */
	char *share_address; /* or NULL */
	char *share_example; /* share+NAME@domain */
	char *unsub_address;
	char *unsub_url;    /* or NULL */
	gboolean one_click; /* the URL is https */
	char *subject;
	GPtrArray *sections; /* of Section * */
	gint64 now;
} DigestView;

/* entry_free - free one entry */
static void
entry_free(gpointer data)
{
	Entry *e = data;

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
	Section *s = data;

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
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DigestView, view_free)

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

/* check_waiting - each open request has a reply address of ours */
static gboolean
check_items(const DigestFacts *f, GError **error)
{
	for (guint i = 0; i < n_of(f->waiting); i++) {
		const DigestItem *it = g_ptr_array_index(f->waiting, i);

		if (!gateway_addr_ok(it->reply_address, f->cfg))
			return fail_input(error,
			    "a waiting request has no "
			    "reply address of the gateway");
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
static Entry *
entry_new(const DigestItem *it, char kind)
{
	Entry *e = g_new0(Entry, 1);
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
static Section *
section_new(const char *heading, gboolean compact)
{
	Section *s = g_new0(Section, 1);

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
	Section *s;

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
static Entry *
balance_entry(const char *label, const DigestBalance *b)
{
	Entry *e = g_new0(Entry, 1);

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
	Section *s = section_new("Top sharers this week", TRUE);

	for (guint i = 0; i < n_of(top) && s->entries->len < TOP_MAX; i++) {
		const DigestSharer *t = g_ptr_array_index(top, i);
		char *name = tmpl_display_name(t->name);
		Entry *e;

		if (name == NULL)
			continue;
		e = g_new0(Entry, 1);
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
	Section *b;

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

/* opening - "Here is your week on NAME (the week of ...)." */
static char *
opening(const DigestView *v)
{
	if (v->week_of != NULL)
		return g_strdup_printf(
		    "Here is your week on %s, the week of %s (%s).", v->product,
		    v->week_of, v->week);
	return g_strdup_printf(
	    "Here is your week on %s (%s).", v->product, v->week);
}

/* share_line - the member's own share address and how to pass one on */
static char *
share_line(const DigestView *v)
{
	g_autofree char *own =
	    v->share_address != NULL
		? g_strdup_printf(
		      "Your share address is %s. ", v->share_address)
		: g_strdup("");

	return g_strdup_printf(
	    "%sForward an opportunity to %s to pass it on (a friend's handle, "
	    "or their address with = for @, in place of NAME).",
	    own, v->share_example);
}

/* footer_line - why this came, and how to stop it */
static char *
footer_line(const DigestView *v)
{
	g_autofree char *url =
	    v->unsub_url != NULL ? g_strdup_printf(" or open %s", v->unsub_url)
				 : g_strdup("");

	return g_strdup_printf(
	    "You get this digest once a week from %s. To stop it, send any "
	    "mail to %s%s. Help: %s",
	    v->product, v->unsub_address, url, v->help);
}

/* entry_text - an entry as the lines of one paragraph */
static void
entry_text(GString *s, const Entry *e)
{
	g_string_append(s, e->title);
	if (e->topic != NULL)
		g_string_append_printf(
		    s, "\n" TMPL_LQUOTE "%s" TMPL_RQUOTE, e->topic);
	if (e->detail != NULL)
		g_string_append_printf(s, "\n%s", e->detail);
	if (e->reply != NULL)
		g_string_append_printf(
		    s, "\nReply yes or no to:\n%s", e->reply);
	if (e->link != NULL)
		g_string_append_printf(
		    s, "\nor answer on the web:\n%s", e->link);
}

/* section_blocks - a heading, underlined, and the entries */
static void
section_blocks(GPtrArray *blocks, const Section *sec)
{
	g_autofree char *rule = g_strnfill(strlen(sec->heading), '-');
	GString *s;

	tmpl_add_para(blocks, "%s\n%s", sec->heading, rule);
	if (sec->compact) {
		s = g_string_new(NULL);
		for (guint i = 0; i < sec->entries->len; i++) {
			const Entry *e = g_ptr_array_index(sec->entries, i);

			if (i > 0)
				g_string_append_c(s, '\n');
			g_string_append(s, e->title);
			if (e->detail != NULL)
				g_string_append_printf(s, ": %s", e->detail);
		}
		tmpl_add_block(blocks, BLOCK_PARA, s->str);
		g_string_free(s, TRUE);
		return;
	}
	for (guint i = 0; i < sec->entries->len; i++) {
		s = g_string_new(NULL);
		entry_text(s, g_ptr_array_index(sec->entries, i));
		tmpl_add_block(blocks, BLOCK_PARA, s->str);
		g_string_free(s, TRUE);
	}
	if (sec->more > 0)
		tmpl_add_para(blocks, "And %u more.", sec->more);
}

/* digest_blocks - the words of the digest, for the flowed writer */
static GPtrArray *
digest_blocks(const DigestView *v)
{
	GPtrArray *blocks = tmpl_blocks_new();
	g_autofree char *open = opening(v);
	g_autofree char *share = share_line(v);
	g_autofree char *footer = footer_line(v);

	if (v->member_first != NULL)
		tmpl_add_para(blocks, "Hi %s,", v->member_first);
	else
		tmpl_add_para(blocks, "Hello,");
	tmpl_add_block(blocks, BLOCK_PARA, open);
	for (guint i = 0; i < v->sections->len; i++)
		section_blocks(blocks, g_ptr_array_index(v->sections, i));
	tmpl_add_lines(blocks, BLOCK_RULE, NULL);
	tmpl_add_block(blocks, BLOCK_PARA, share);
	tmpl_add_block(blocks, BLOCK_SIG, footer);
	return blocks;
}

/* esc - append text escaped for HTML */
static void
esc(GString *s, const char *text)
{
	tmpl_append_escaped(s, text);
}

/* html_link - <a href=URL>label</a>, both escaped; href is a checked
 * URL or mailto: with a checked address */
static void
html_link(GString *s, const char *href, const char *label)
{
	g_autofree char *h = g_markup_escape_text(href, -1);

	g_string_append_printf(s,
	    "<a href=\"%s\" style=\"color:" FG_LINK
	    ";text-decoration:underline;\">",
	    h);
	esc(s, label);
	g_string_append(s, "</a>");
}

/* html_mailto - a link that writes to addr */
static void
html_mailto(GString *s, const char *addr)
{
	g_autofree char *href = g_strdup_printf("mailto:%s", addr);

	html_link(s, href, addr);
}

/* html_p - a paragraph's opening tag in one of the text styles */
static void
html_p(GString *s, const char *style)
{
	g_string_append_printf(s,
	    "<p style=\"margin:0 0 4px 0;" FONT
	    "font-size:15px;line-height:22px;word-wrap:break-word;%s\">",
	    style);
}

/* html_entry - one entry as a row of the section's table */
static void
html_entry(GString *s, const Entry *e)
{
	g_string_append(s, "<tr><td bgcolor=\"" BG_CARD
			   "\" style=\"padding:10px 0;border-bottom:1px "
			   "solid #dde3ea;background-color:" BG_CARD ";\">\n");
	html_p(s, "font-weight:bold;color:" FG_TEXT ";");
	esc(s, e->title);
	g_string_append(s, "</p>\n");
	if (e->topic != NULL) {
		html_p(s, "font-style:italic;color:" FG_SOFT ";");
		g_string_append(s, TMPL_LQUOTE);
		esc(s, e->topic);
		g_string_append(s, TMPL_RQUOTE "</p>\n");
	}
	if (e->detail != NULL) {
		html_p(s, "color:" FG_TEXT ";");
		esc(s, e->detail);
		g_string_append(s, "</p>\n");
	}
	if (e->reply != NULL) {
		html_p(s, "color:" FG_TEXT ";");
		g_string_append(s, "Reply yes or no to ");
		html_mailto(s, e->reply);
		g_string_append(s, "</p>\n");
	}
	if (e->link != NULL) {
		html_p(s, "color:" FG_TEXT ";");
		html_link(s, e->link, "Answer on the web");
		g_string_append(s, "</p>\n");
	}
	g_string_append(s, "</td></tr>\n");
}

/* html_compact - the entries as "title: detail" rows */
static void
html_compact(GString *s, const Section *sec)
{
	for (guint i = 0; i < sec->entries->len; i++) {
		const Entry *e = g_ptr_array_index(sec->entries, i);

		g_string_append(s,
		    "<tr><td bgcolor=\"" BG_CARD
		    "\" style=\"padding:2px 0;background-color:" BG_CARD
		    ";\">\n");
		html_p(s, "color:" FG_TEXT ";");
		if (e->detail != NULL) {
			g_string_append(s, "<strong>");
			esc(s, e->title);
			g_string_append(s, ":</strong> ");
			esc(s, e->detail);
		} else {
			esc(s, e->title);
		}
		g_string_append(s, "</p>\n</td></tr>\n");
	}
}

/* html_section - a heading and a table of its entries, as one row of
 * the card */
static void
html_section(GString *s, const Section *sec)
{
	g_string_append(s,
	    "<tr><td bgcolor=\"" BG_CARD "\" style=\"padding:20px 32px 4px "
	    "32px;background-color:" BG_CARD ";\">\n"
	    "<h2 style=\"margin:0 0 6px 0;" FONT "font-size:18px;"
	    "line-height:24px;font-weight:bold;color:" BG_HEAD ";\">");
	esc(s, sec->heading);
	g_string_append(s,
	    "</h2>\n<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\">\n");
	if (sec->compact) {
		html_compact(s, sec);
	} else {
		for (guint i = 0; i < sec->entries->len; i++)
			html_entry(s, g_ptr_array_index(sec->entries, i));
	}
	if (sec->more > 0) {
		g_string_append(s,
		    "<tr><td bgcolor=\"" BG_CARD
		    "\" style=\"padding:8px 0;background-color:" BG_CARD
		    ";\">\n");
		html_p(s, "color:" FG_SOFT ";");
		g_string_append_printf(
		    s, "And %u more.</p>\n</td></tr>\n", sec->more);
	}
	g_string_append(s, "</table>\n</td></tr>\n");
}

/* html_head - the document up to the card's first row */
static void
html_head(GString *s, const DigestView *v)
{
	g_string_append(s,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta name=\"supported-color-schemes\" content=\"light dark\">\n"
	    "<title>");
	esc(s, v->subject);
	g_string_append(s,
	    "</title>\n</head>\n<body bgcolor=\"" BG_PAGE
	    "\" style=\"margin:0;padding:0;background-color:" BG_PAGE ";\">\n"
	    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" bgcolor=\"" BG_PAGE
	    "\" style=\"background-color:" BG_PAGE ";\">\n"
	    "<tr><td align=\"center\" style=\"padding:24px 0;\">\n"
	    "<table role=\"presentation\" width=\"" WIDTH
	    "\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" bgcolor=\"" BG_CARD
	    "\" style=\"width:" WIDTH "px;max-width:" WIDTH "px;"
	    "background-color:" BG_CARD ";\">\n"
	    "<tr><td bgcolor=\"" BG_HEAD "\" style=\"padding:24px 32px;"
	    "background-color:" BG_HEAD ";\">\n"
	    "<h1 style=\"margin:0;" FONT "font-size:24px;line-height:30px;"
	    "font-weight:bold;color:" FG_HEAD ";\">Your week on ");
	esc(s, v->product);
	g_string_append(s,
	    "</h1>\n<p style=\"margin:6px 0 0 0;" FONT
	    "font-size:14px;line-height:20px;color:" FG_HEAD ";\">");
	if (v->week_of != NULL) {
		g_string_append(s, "The week of ");
		esc(s, v->week_of);
		g_string_append(s, " (");
		esc(s, v->week);
		g_string_append(s, ")");
	} else {
		esc(s, v->week);
	}
	g_string_append(s, "</p>\n</td></tr>\n");
}

/* html_greeting - "Hi Chris," and the opening, as the card's first row */
static void
html_greeting(GString *s, const DigestView *v)
{
	g_autofree char *hi = v->member_first != NULL
				  ? g_strdup_printf("Hi %s,", v->member_first)
				  : g_strdup("Hello,");

	g_string_append(s,
	    "<tr><td bgcolor=\"" BG_CARD "\" style=\"padding:24px 32px 0 32px;"
	    "background-color:" BG_CARD ";\">\n");
	html_p(s, "margin-bottom:12px;color:" FG_TEXT ";");
	esc(s, hi);
	g_string_append(s, "</p>\n");
	html_p(s, "color:" FG_TEXT ";");
	g_string_append(s, "Here is what happened with the opportunities you "
			   "passed along, and the ones passed to you.</p>\n"
			   "</td></tr>\n");
}

/* html_footer - the share line, why this came, how to stop it */
static void
html_footer(GString *s, const DigestView *v)
{
	g_autofree char *share = share_line(v);

	g_string_append(s, "<tr><td bgcolor=\"" BG_CARD
			   "\" style=\"padding:20px 32px 24px 32px;"
			   "background-color:" BG_CARD ";\">\n");
	html_p(s, "color:" FG_TEXT ";");
	esc(s, share);
	g_string_append(s, "</p>\n</td></tr>\n</table>\n");
	g_string_append(s,
	    "<table role=\"presentation\" width=\"" WIDTH
	    "\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"width:" WIDTH "px;max-width:" WIDTH
	    "px;\">\n<tr><td bgcolor=\"" BG_PAGE
	    "\" style=\"padding:16px 32px;background-color:" BG_PAGE
	    ";\">\n<p style=\"margin:0;" FONT
	    "font-size:13px;line-height:19px;color:" FG_SOFT ";\">");
	g_string_append(s, "You get this digest once a week from ");
	esc(s, v->product);
	g_string_append(s, ". To stop it, send any mail to ");
	html_mailto(s, v->unsub_address);
	if (v->unsub_url != NULL) {
		g_string_append(s, " or ");
		html_link(s, v->unsub_url, "unsubscribe on the web");
	}
	g_string_append(s, ". Help: ");
	html_mailto(s, v->help);
	g_string_append(s,
	    "</p>\n</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n"
	    "</html>\n");
}

/* digest_html - the HTML alternative (transfer full) */
static char *
digest_html(const DigestView *v)
{
	GString *s = g_string_new(NULL);

	html_head(s, v);
	html_greeting(s, v);
	for (guint i = 0; i < v->sections->len; i++)
		html_section(s, g_ptr_array_index(v->sections, i));
	html_footer(s, v);
	return g_string_free(s, FALSE);
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
	g_autofree char *boundary = g_strdup_printf("=-pa-%.24s", hex + 32);
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
	g_autoptr(DigestView) v = NULL;

	g_return_val_if_fail(f != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	v = view_new(f, error);
	if (v == NULL)
		return NULL;
	return render(v, error);
}
