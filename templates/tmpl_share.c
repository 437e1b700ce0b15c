/*
 * tmpl_share.c - every mail about a share, from the facts the store kept
 *
 * tmpl_render_share() is what the outbox worker calls when it first
 * sends a row: the kind names the mail, the ShareFacts say what the
 * share is. The pipeline is the introduction's: check and clean the
 * facts (here), write the words as blocks (tmpl_words.c), render them
 * as format=flowed text (tmpl_flowed.c) and HTML (tmpl_blocks.c), build
 * the message (tmpl_mime.c), parse it back and check it (tmpl_verify.c).
 *
 * Who gets what is decided here and nowhere else: the friend alone for
 * "consent", "reminder", "unclear" and "answered"; the friend and the
 * requester, the member in Cc, for "intro"; the member alone for
 * "confirmation", "declined", "expired" and "merged" (a member credited
 * on another member's open request: the facts then name that member,
 * see sender_render.c). Before a yes, the
 * requester's address is taken out of everything the friend reads
 * (the note, the excerpt, the subject) and the check refuses a message
 * that still holds it. The friend's reason is read only for "declined".
 *
 * The Message-ID and the MIME boundary are digests of the kind, the
 * share, the outbox row, the people and the clock (f->now): two rows
 * are two messages even in the same second, and the same facts render the
 * same bytes, so a row rendered again (passalong outbox show) reads as
 * it was sent, and golden tests need no hook.
 *
 * Trust: every string of the facts came from mail (cleaned once when
 * recorded, cleaned again here), except the Config. Privilege: none;
 * no I/O.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/gmime-autoptr.h"
#include "templates/tmpl_int.h"

#define EXCERPT_CHARS 220 /* the opportunity in two or three lines */
#define ORG_MAX 80        /* characters of an organisation */
#define PASSED_BY_MAX 200 /* characters of the "passed on by" line */
#define REASON_BYTES 2048 /* bytes of the friend's reason */
#define WITHHELD "(address withheld)"

typedef enum {
	TO_FRIEND, /* the friend alone */
	TO_BOTH,   /* the friend and the requester, the member in Cc */
	TO_MEMBER, /* the member alone */
} Audience;

static const struct {
	const char *kind;
	Audience to;
	gboolean reply_token; /* Reply-To intro+TOKEN@domain */
} kinds[] = {
	{ "consent", TO_FRIEND, TRUE },
	{ "reminder", TO_FRIEND, TRUE },
	{ "intro", TO_BOTH, FALSE },
	{ "confirmation", TO_MEMBER, FALSE },
	{ "declined", TO_MEMBER, FALSE },
	{ "expired", TO_MEMBER, FALSE },
	{ "unclear", TO_FRIEND, TRUE },
	{ "answered", TO_FRIEND, FALSE },
	{ "merged", TO_MEMBER, FALSE },
};

/* share_fields_free - free the fields; accepts NULL */
void
share_fields_free(ShareFields *f)
{
	if (f == NULL)
		return;
	g_free(f->product);
	g_free(f->from_address);
	g_free(f->domain);
	g_free(f->help);
	g_free(f->share_example);
	g_free(f->member_address);
	g_free(f->member_name);
	g_free(f->member_first);
	g_free(f->friend_address);
	g_free(f->friend_name);
	g_free(f->friend_first);
	g_free(f->requester_address);
	g_free(f->requester_name);
	g_free(f->requester_first);
	g_free(f->requester_org);
	g_free(f->topic);
	g_free(f->note);
	g_free(f->excerpt);
	g_free(f->request);
	g_free(f->date);
	g_free(f->passed_by);
	g_free(f->reply_address);
	g_free(f->answer_url);
	g_free(f->reason);
	g_free(f->in_reply_to);
	g_free(f->subject);
	g_free(f);
}

/* kind_index - the row of kinds[] for kind, or -1 */
static int
kind_index(const char *kind)
{
	for (gsize i = 0; kind != NULL && i < G_N_ELEMENTS(kinds); i++) {
		if (strcmp(kinds[i].kind, kind) == 0)
			return (int)i;
	}
	return -1;
}

/* check_facts - the kind is known and the addresses it needs are safe */
static gboolean
check_facts(const ShareFacts *f, int k, GError **error)
{
	if (k < 0) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "no such kind of mail about a share");
		return FALSE;
	}
	if (!tmpl_check_gateway(f->cfg, error) ||
	    !tmpl_check_date(f->now, "message", error) ||
	    !tmpl_check_person(f->cfg, "member", f->member_address, error) ||
	    !tmpl_check_person(f->cfg, "friend", f->friend_address, error) ||
	    !tmpl_check_person(
		f->cfg, "requester", f->requester_address, error))
		return FALSE;
	if (g_ascii_strcasecmp(f->friend_address, f->requester_address) == 0) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "the requester and the friend are the same address");
		return FALSE;
	}
	if (kinds[k].reply_token &&
	    (f->reply_address == NULL || !addr_is_safe(f->reply_address) ||
		!addr_in_domain(f->reply_address, f->cfg->domain))) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "no reply address in the gateway's domain");
		return FALSE;
	}
	return TRUE;
}

/* withhold - text with every occurrence of addr replaced (transfer
 * full); text may be NULL */
static char *
withhold(const char *text, const char *addr)
{
	GString *s;
	const char *p = text;
	const char *hit;

	if (text == NULL || addr == NULL)
		return g_strdup(text);
	s = g_string_new(NULL);
	while ((hit = tmpl_find_address(p, addr)) != NULL) {
		g_string_append_len(s, p, hit - p);
		g_string_append(s, WITHHELD);
		p = hit + strlen(addr);
	}
	g_string_append(s, p);
	return g_string_free(s, FALSE);
}

/* clean_words - multi-line text, cleaned, tabs as spaces, at most
 * max_bytes (cut on a character), or NULL when empty */
static char *
clean_words(const char *text, gsize max_bytes)
{
	g_autofree char *s = tmpl_clean_text(text);
	gsize n;

	if (s == NULL)
		return NULL;
	g_strdelimit(s, "\t", ' ');
	n = strlen(s);
	if (n > max_bytes) {
		const char *end = s + max_bytes;

		while (end > s && ((guchar)*end & 0xc0) == 0x80)
			end--;
		s[end - s] = '\0';
	}
	return g_steal_pointer(&s);
}

/* set_people - names, first names and addresses */
static void
set_people(ShareFields *sf, const ShareFacts *f)
{
	sf->member_address = g_strdup(f->member_address);
	sf->member_name = tmpl_display_name(f->member_name);
	sf->member_first = tmpl_first_name(sf->member_name);
	sf->friend_address = g_strdup(f->friend_address);
	sf->friend_name = tmpl_display_name(f->friend_name);
	sf->friend_first = tmpl_first_name(sf->friend_name);
	sf->requester_address = g_strdup(f->requester_address);
	sf->requester_name = tmpl_display_name(f->requester_name);
	sf->requester_first = tmpl_first_name(sf->requester_name);
	sf->requester_org = tmpl_display_name(f->requester_org);
	if (sf->requester_org != NULL) {
		g_autofree char *org = sf->requester_org;

		sf->requester_org = tmpl_cut_chars(org, ORG_MAX);
	}
}

/* set_words - what the request said, the member's note, the reason;
 * before a yes, the requester's address withheld from the friend */
static void
set_words(ShareFields *sf, const ShareFacts *f, Audience to)
{
	const char *hide = to == TO_FRIEND ? f->requester_address : NULL;
	g_autofree char *subject = tmpl_clean_line(f->subject, 0);
	g_autofree char *topic = NULL;
	g_autofree char *request = clean_words(f->request_text, G_MAXSIZE);
	g_autofree char *note = tmpl_clean_text(f->note);
	g_autofree char *passed = tmpl_clean_line(f->passed_by, PASSED_BY_MAX);
	g_autofree char *excerpt = tmpl_excerpt(request, EXCERPT_CHARS);
	g_autofree char *cut = NULL;

	topic = tmpl_no_addresses(subject != NULL ? subject : "");
	if (topic != NULL) {
		cut = tmpl_cut_chars(topic, TMPL_SUBJECT_MAX - 60);
		sf->topic = withhold(cut, hide);
	}
	sf->excerpt = withhold(excerpt, hide);
	sf->note = withhold(note, hide);
	sf->passed_by = withhold(passed, hide);
	if (to == TO_BOTH)
		sf->request = g_steal_pointer(&request);
	if (strcmp(sf->kind, "declined") == 0)
		sf->reason = clean_words(f->reason, REASON_BYTES);
	sf->date = tmpl_date_unix(f->request_date);
}

/* share_fields_new - the facts checked and cleaned for kind k */
static ShareFields *
share_fields_new(const ShareFacts *f, int k, GError **error)
{
	ShareFields *sf;
	g_autofree char *product = NULL;

	if (!check_facts(f, k, error))
		return NULL;
	sf = g_new0(ShareFields, 1);
	sf->kind = kinds[k].kind;
	product = tmpl_display_name(f->cfg->name);
	sf->product =
	    product != NULL ? g_steal_pointer(&product) : g_strdup("passalong");
	sf->domain = g_strdup(f->cfg->domain);
	sf->from_address =
	    g_strdup_printf("%s@%s", f->cfg->from_localpart, f->cfg->domain);
	sf->help = g_strdup_printf("postmaster@%s", f->cfg->domain);
	sf->share_example = g_strdup_printf("%s+someone@%s",
	    f->cfg->share_localpart != NULL ? f->cfg->share_localpart : "share",
	    f->cfg->domain);
	set_people(sf, f);
	set_words(sf, f, kinds[k].to);
	if (kinds[k].reply_token)
		sf->reply_address = g_strdup(f->reply_address);
	if (kinds[k].reply_token && tmpl_url_ok(f->answer_url))
		sf->answer_url = g_strdup(f->answer_url);
	if (kinds[k].to == TO_BOTH)
		sf->in_reply_to = tmpl_clean_msgid(f->origin_message_id);
	sf->consented = f->consented;
	sf->share_id = f->share_id;
	sf->outbox_id = f->outbox_id;
	sf->now = f->now;
	sf->subject = share_subject(sf);
	return sf;
}

/* digest - the hex SHA-256 of what makes this message this one */
static char *
digest(const ShareFields *f)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	/* the row's id only when there is one: goldens keep their bytes */
	g_autofree char *clock =
	    f->outbox_id != 0
		? g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
				  ":%" G_GINT64_FORMAT,
		      f->share_id, f->now, f->outbox_id)
		: g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
		      f->share_id, f->now);
	const char *parts[] = { "passalong-share", f->kind, clock,
		f->member_address, f->friend_address, f->requester_address,
		f->domain };

	for (gsize i = 0; i < G_N_ELEMENTS(parts); i++)
		g_checksum_update(sum, (const guchar *)parts[i],
		    (gssize)strlen(parts[i]) + 1); /* the NUL too */
	return g_strdup(g_checksum_get_string(sum));
}

/* mailbox - a person as an Rfc2047Mailbox (borrowed strings) */
static Rfc2047Mailbox
mailbox(const char *name, const char *addr)
{
	return (Rfc2047Mailbox){ .name = name, .addr = addr };
}

/* from_display - "<member> via <product>" to the friend, the product to
 * the member */
static char *
from_display(const ShareFields *f, Audience to)
{
	if (to == TO_MEMBER || f->member_name == NULL)
		return g_strdup(f->product);
	return g_strdup_printf("%s via %s", f->member_name, f->product);
}

/* render - build, serialise and check the message (transfer full) */
static RenderedMail *
render(const ShareFields *f, Audience to, GError **error)
{
	const gboolean cc_member =
	    to == TO_BOTH &&
	    g_ascii_strcasecmp(f->member_address, f->friend_address) != 0 &&
	    g_ascii_strcasecmp(f->member_address, f->requester_address) != 0;
	Rfc2047Mailbox rto[2] = { { 0 } }, rcc[1] = { { 0 } };
	Rfc2047Mailbox rreply[2] = { { 0 } };
	const char *want_to[3] = { NULL }, *want_cc[2] = { NULL };
	const char *want_reply[3] = { NULL };
	g_autofree char *display = from_display(f, to);
	g_autofree char *refs = f->in_reply_to != NULL
				    ? g_strdup_printf("<%s>", f->in_reply_to)
				    : NULL;
	g_autofree char *hex = digest(f);
	g_autofree char *id = g_strdup_printf("%.32s@%s", hex, f->domain);
	g_autofree char *boundary = g_strdup_printf("=-pa-%.24s", hex + 32);
	g_autoptr(GPtrArray) blocks = share_blocks(f);
	g_autofree char *text = tmpl_blocks_flowed(blocks);
	g_autofree char *html = tmpl_blocks_html(blocks, f->subject);
	TmplHeaders h = { .kind = f->kind,
		.from = mailbox(display, f->from_address),
		.to = rto,
		.cc = rcc,
		.reply_to = rreply,
		.subject = f->subject,
		.in_reply_to = f->in_reply_to,
		.references = refs,
		.boundary = boundary,
		.flowed = TRUE,
		.now = f->now };
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(GBytes) bytes = NULL;
	TmplExpect want;
	RenderedMail *mail;

	if (to == TO_MEMBER) {
		rto[h.n_to++] = mailbox(f->member_name, f->member_address);
	} else {
		rto[h.n_to++] = mailbox(f->friend_name, f->friend_address);
	}
	if (to == TO_BOTH) {
		rto[h.n_to++] =
		    mailbox(f->requester_name, f->requester_address);
		rreply[0] = rto[0];
		rreply[1] = rto[1];
		h.n_reply_to = 2;
		if (cc_member)
			rcc[h.n_cc++] =
			    mailbox(f->member_name, f->member_address);
	}
	if (f->reply_address != NULL)
		rreply[h.n_reply_to++] = mailbox(NULL, f->reply_address);
	for (gsize i = 0; i < h.n_to; i++)
		want_to[i] = rto[i].addr;
	for (gsize i = 0; i < h.n_cc; i++)
		want_cc[i] = rcc[i].addr;
	for (gsize i = 0; i < h.n_reply_to; i++)
		want_reply[i] = rreply[i].addr;
	msg = tmpl_message_build(&h, text, html, id);
	bytes = tmpl_serialize(GMIME_OBJECT(msg));
	want = (TmplExpect){ .from = f->from_address,
		.to = want_to,
		.cc = want_cc,
		.subject = f->subject,
		.message_id = id,
		.reply_to = want_reply,
		.absent = to == TO_FRIEND ? f->requester_address : NULL,
		.flowed = TRUE };
	if (!tmpl_verify(bytes, &want, error))
		return NULL;
	mail = g_new0(RenderedMail, 1);
	mail->kind = g_strdup(f->kind);
	mail->mail_from = g_strdup(f->from_address);
	mail->rcpts = g_ptr_array_new_with_free_func(g_free);
	for (gsize i = 0; i < h.n_to; i++)
		g_ptr_array_add(mail->rcpts, g_strdup(want_to[i]));
	for (gsize i = 0; i < h.n_cc; i++)
		g_ptr_array_add(mail->rcpts, g_strdup(want_cc[i]));
	mail->subject = g_strdup(f->subject);
	mail->message_id = g_steal_pointer(&id);
	mail->message = g_steal_pointer(&bytes);
	return mail;
}

/* tmpl_render_share - the mail of KIND about a share (transfer full) */
RenderedMail *
tmpl_render_share(const char *kind, const ShareFacts *f, GError **error)
{
	ShareFields *sf;
	RenderedMail *mail;
	int k;

	g_return_val_if_fail(f != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	k = kind_index(kind);
	sf = share_fields_new(f, k, error);
	if (sf == NULL)
		return NULL;
	mail = render(sf, kinds[k].to, error);
	share_fields_free(sf);
	return mail;
}
