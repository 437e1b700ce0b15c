/*
 * tmpl_words.c - what the mail about a share says, kind by kind
 *
 * The words of every kind tmpl_render_share() writes, as blocks and a
 * subject. They are written the way a good introducer writes: people
 * greeted by first name ("Hello," when none is known, never by
 * address), the opportunity in two or three lines before anything
 * else, the member's note as their own words, one concrete next step,
 * and the member stepping back in their own voice. Subjects never carry
 * an address. Before a yes the friend reads who is asking (name and
 * organisation) but never the requester's address; the member alone
 * reads a decline, an expiry and the friend's reason.
 *
 * Trust: the fields are clean but untrusted; they are only copied into
 * the blocks, which the renderers escape.
 */
#include "config.h"

#include "templates/tmpl_int.h"

/* pick - s, else the first of the fallbacks that is not NULL */
static const char *
pick(const char *s, const char *a, const char *b)
{
	if (s != NULL)
		return s;
	return a != NULL ? a : b;
}

/* member_call - what the friend calls the member in a sentence */
static const char *
member_call(const ShareFields *f)
{
	return pick(f->member_first, f->member_name, f->member_address);
}

/* friend_call - what the member and the requester call the friend */
static const char *
friend_call(const ShareFields *f)
{
	return pick(f->friend_first, f->friend_name, f->friend_address);
}

/* requester_call - the requester by first name, else a phrase that
 * holds no address */
static const char *
requester_call(const ShareFields *f, const char *none)
{
	return pick(f->requester_first, f->requester_name, none);
}

/* asker - who is asking, for the friend before a yes: "Dana Scully at
 * Acme", "someone at Acme", "someone" (never an address) */
static char *
asker(const ShareFields *f)
{
	const char *who = pick(f->requester_name, NULL, "someone");

	if (f->requester_org != NULL)
		return g_strdup_printf("%s at %s", who, f->requester_org);
	return g_strdup(who);
}

/* with_topic - "PREFIX: topic", or PREFIX alone, at most
 * TMPL_SUBJECT_MAX characters */
static char *
with_topic(const char *prefix, const ShareFields *f)
{
	g_autofree char *s = f->topic != NULL
				 ? g_strdup_printf("%s: %s", prefix, f->topic)
				 : g_strdup(prefix);

	return tmpl_cut_chars(s, TMPL_SUBJECT_MAX);
}

/* greet - "Hi Jane," or, with no first name, "Hello," */
static void
greet(GPtrArray *blocks, const char *first)
{
	if (first != NULL)
		tmpl_add_para(blocks, "Hi %s,", first);
	else
		tmpl_add_para(blocks, "Hello,");
}

/* add_text_lines - text as a block of lines (a quote or a note) */
static void
add_text_lines(GPtrArray *blocks, BlockKind kind, const char *text,
    guint max_lines, gsize max_bytes)
{
	gboolean shortened;
	GPtrArray *lines =
	    tmpl_quote_lines(text, max_lines, max_bytes, &shortened);

	if (shortened)
		g_ptr_array_add(lines, g_strdup(TMPL_SHORTENED));
	tmpl_add_lines(blocks, kind, lines);
}

/* add_sig - the signature: what passalong is, and where to ask */
static void
add_sig(GPtrArray *blocks, const ShareFields *f)
{
	g_autofree char *sig = g_strdup_printf(
	    "Sent with %s, which passes opportunities along between people "
	    "who know each other. Help: %s",
	    f->product, f->help);

	tmpl_add_block(blocks, BLOCK_SIG, sig);
}

/* add_opportunity - the opportunity in two or three lines */
static void
add_opportunity(GPtrArray *blocks, const ShareFields *f, const char *intro)
{
	if (f->excerpt != NULL) {
		tmpl_add_para(blocks, "%s", intro);
		add_text_lines(
		    blocks, BLOCK_QUOTE, f->excerpt, 4, TMPL_QUOTE_BYTES);
	} else if (f->topic != NULL) {
		tmpl_add_para(blocks, "%s " TMPL_LQUOTE "%s" TMPL_RQUOTE, intro,
		    f->topic);
	}
}

/* add_note - the member's words, under a heading */
static void
add_note(GPtrArray *blocks, const ShareFields *f, const char *heading,
    const char *none)
{
	if (f->note == NULL) {
		tmpl_add_para(blocks, "%s", none);
		return;
	}
	tmpl_add_para(blocks, "%s", heading);
	add_text_lines(
	    blocks, BLOCK_NOTE, f->note, TMPL_NOTE_LINES, TMPL_NOTE_BYTES);
}

/* add_ask - the question to the friend: the opportunity, the member's
 * note, how to answer */
static void
add_ask(GPtrArray *blocks, const ShareFields *f)
{
	const char *m = member_call(f);
	const char *r = requester_call(f, "the person asking");
	g_autofree char *in_words = f->requester_first != NULL
					? g_strdup_printf("In %s's words:", r)
					: g_strdup("In their words:");
	g_autofree char *why = g_strdup_printf("Why %s thought of you:", m);
	g_autofree char *none = g_strdup_printf("%s thought of you for it.", m);

	if (f->passed_by != NULL)
		tmpl_add_para(
		    blocks, "It reached %s through %s.", m, f->passed_by);
	add_opportunity(blocks, f, in_words);
	add_note(blocks, f, why, none);
	tmpl_add_para(blocks,
	    "Would you like the introduction? Just reply with yes or no on "
	    "the first line.");
	if (f->answer_url != NULL)
		tmpl_add_link(blocks, "Or answer on the web:", f->answer_url);
	tmpl_add_para(blocks,
	    "A yes, and you'll get one email introducing you to %s, with %s "
	    "in copy. A no is never passed on to %s: only %s hears of it, "
	    "with any reason you write below it.",
	    r, m, r, m);
	tmpl_add_para(
	    blocks, "Questions first? %s is at %s.", m, f->member_address);
	add_sig(blocks, f);
}

/* consent_blocks - may the member introduce the friend? */
static void
consent_blocks(GPtrArray *blocks, const ShareFields *f)
{
	g_autofree char *who = asker(f);

	greet(blocks, f->friend_first);
	tmpl_add_para(blocks,
	    "%s would like to introduce you to %s " TMPL_DASH
	    " but only if you're up for it.",
	    member_call(f), who);
	add_ask(blocks, f);
}

/* reminder_blocks - the same question, once, later */
static void
reminder_blocks(GPtrArray *blocks, const ShareFields *f)
{
	g_autofree char *who = asker(f);

	greet(blocks, f->friend_first);
	tmpl_add_para(blocks,
	    "A gentle nudge: %s asked a few days ago whether you'd like an "
	    "introduction to %s. No pressure either way; one word is "
	    "plenty.",
	    member_call(f), who);
	add_ask(blocks, f);
}

/* intro_opening - "Hi Jane and Dana," and who meets whom */
static void
intro_opening(GPtrArray *blocks, const ShareFields *f)
{
	const char *fr = friend_call(f);
	const char *rq = requester_call(f, f->requester_address);
	g_autofree char *who = NULL;

	if (f->friend_first != NULL && f->requester_first != NULL)
		tmpl_add_para(blocks, "Hi %s and %s,", f->friend_first,
		    f->requester_first);
	else
		tmpl_add_para(blocks, "Hello both,");
	who =
	    f->requester_org != NULL
		? g_strdup_printf("%s at %s",
		      pick(f->requester_name, NULL, f->requester_address),
		      f->requester_org)
		: g_strdup(pick(f->requester_name, NULL, f->requester_address));
	tmpl_add_para(blocks, "%s, meet %s. %s, meet %s.", rq,
	    pick(f->friend_name, NULL, f->friend_address), fr, who);
}

/* intro_request - the whole request, after the signature */
static void
intro_request(GPtrArray *blocks, const ShareFields *f)
{
	const char *rq = requester_call(f, f->requester_address);
	g_autofree char *when =
	    f->date != NULL ? g_strdup_printf(" on %s", f->date) : g_strdup("");
	g_autofree char *via =
	    f->passed_by != NULL
		? g_strdup_printf(" (passed on by %s)", f->passed_by)
		: g_strdup("");

	if (f->request == NULL)
		return;
	tmpl_add_lines(blocks, BLOCK_RULE, NULL);
	tmpl_add_para(blocks, "What %s wrote%s%s:", rq, when, via);
	add_text_lines(blocks, BLOCK_QUOTE, f->request, TMPL_QUOTE_LINES,
	    TMPL_QUOTE_BYTES);
}

/* intro_blocks - the introduction, in the member's voice */
static void
intro_blocks(GPtrArray *blocks, const ShareFields *f)
{
	const char *fr = friend_call(f);
	const char *rq = requester_call(f, f->requester_address);
	g_autofree char *needs =
	    g_strdup_printf("What %s needs, in short:", rq);
	g_autofree char *why = g_strdup_printf("Why I thought of %s:", fr);
	g_autofree char *none =
	    g_strdup_printf("I thought of %s as soon as I read it.", fr);

	intro_opening(blocks, f);
	add_opportunity(blocks, f, needs);
	add_note(blocks, f, why, none);
	if (f->consented)
		tmpl_add_para(blocks,
		    "%s already said yes when I asked, so you're expected, %s.",
		    fr, rq);
	tmpl_add_para(blocks,
	    "%s, %s is the person I'd ask " TMPL_DASH
	    " I'll let you two take it from here. Replies to this email "
	    "reach you both.",
	    rq, fr);
	tmpl_add_para(blocks,
	    "%s (cc'd " TMPL_DASH " feel free to move me to Bcc)",
	    member_call(f));
	add_sig(blocks, f);
	intro_request(blocks, f);
}

/* confirmation_blocks - the member's share, recorded (or answered yes) */
static void
confirmation_blocks(GPtrArray *blocks, const ShareFields *f)
{
	const char *fr = friend_call(f);
	const char *rq = requester_call(f, "the person who asked");

	greet(blocks, f->member_first);
	if (f->consented)
		tmpl_add_para(blocks,
		    "Good news: %s said yes, so %s and %s are now introduced. "
		    "You're in copy of the introduction; step back whenever "
		    "you like.",
		    fr, fr, rq);
	else
		tmpl_add_para(blocks,
		    "Asked %s whether they'd like an introduction to %s; "
		    "you'll hear when %s answers.",
		    fr, rq, fr);
	tmpl_add_para(blocks, "Thanks for passing it along.");
	add_sig(blocks, f);
}

/* merged_blocks - a later member's share of a request already open:
 * the friend was asked (not by whom: that member's sharing is theirs),
 * and this member hears the answer too; after a yes, that line */
static void
merged_blocks(GPtrArray *blocks, const ShareFields *f)
{
	const char *fr = friend_call(f);
	const char *rq = requester_call(f, "the person who asked");

	greet(blocks, f->member_first);
	if (f->consented)
		tmpl_add_para(blocks,
		    "Good news: %s said yes, so %s and %s are now introduced. "
		    "You shared it too, so you're credited with this one.",
		    fr, fr, rq);
	else
		tmpl_add_para(blocks,
		    "%s had already been asked whether they'd like an "
		    "introduction to %s, so they won't be asked twice. "
		    "You're credited too: you'll hear when %s answers.",
		    fr, rq, fr);
	tmpl_add_para(blocks, "Thanks for passing it along.");
	add_sig(blocks, f);
}

/* share_again - how to offer it to someone else */
static void
share_again(GPtrArray *blocks, const ShareFields *f)
{
	tmpl_add_para(blocks,
	    "Want to share it with someone else? Forward it again to %s "
	    "(their handle, or their address with = for @, in place "
	    "of " TMPL_LQUOTE "someone" TMPL_RQUOTE ").",
	    f->share_example);
}

/* declined_blocks - the friend passed; the reason, if any */
static void
declined_blocks(GPtrArray *blocks, const ShareFields *f)
{
	const char *fr = friend_call(f);

	greet(blocks, f->member_first);
	tmpl_add_para(blocks,
	    "%s passed on this one, and %s won't hear about it.", fr,
	    requester_call(f, "the person who asked"));
	if (f->reason != NULL) {
		tmpl_add_para(blocks, "%s wrote:", fr);
		add_text_lines(blocks, BLOCK_NOTE, f->reason, TMPL_NOTE_LINES,
		    TMPL_NOTE_BYTES);
	}
	share_again(blocks, f);
	add_sig(blocks, f);
}

/* expired_blocks - no answer in time */
static void
expired_blocks(GPtrArray *blocks, const ShareFields *f)
{
	greet(blocks, f->member_first);
	tmpl_add_para(blocks,
	    "%s didn't answer in time, so the request has lapsed; %s won't "
	    "hear about it.",
	    friend_call(f), requester_call(f, "the person who asked"));
	share_again(blocks, f);
	add_sig(blocks, f);
}

/* unclear_blocks - neither yes nor no: how to answer */
static void
unclear_blocks(GPtrArray *blocks, const ShareFields *f)
{
	greet(blocks, f->friend_first);
	tmpl_add_para(blocks,
	    "Thanks for your reply. It didn't start with a yes or a no, so "
	    "nothing has changed yet: just reply to this email with yes or "
	    "no on the first line (anything else can go below it).");
	add_sig(blocks, f);
}

/* answered_blocks - a second answer changes nothing */
static void
answered_blocks(GPtrArray *blocks, const ShareFields *f)
{
	greet(blocks, f->friend_first);
	tmpl_add_para(blocks,
	    "This one was already answered, so your latest reply changed "
	    "nothing.");
	add_sig(blocks, f);
}

/* share_blocks - the words of f->kind (transfer full) */
GPtrArray *
share_blocks(const ShareFields *f)
{
	static const struct {
		const char *kind;
		void (*write)(GPtrArray *, const ShareFields *);
	} writers[] = {
		{ "consent", consent_blocks },
		{ "reminder", reminder_blocks },
		{ "intro", intro_blocks },
		{ "confirmation", confirmation_blocks },
		{ "declined", declined_blocks },
		{ "expired", expired_blocks },
		{ "unclear", unclear_blocks },
		{ "answered", answered_blocks },
		{ "merged", merged_blocks },
	};
	GPtrArray *blocks = tmpl_blocks_new();

	for (gsize i = 0; i < G_N_ELEMENTS(writers); i++) {
		if (g_str_equal(writers[i].kind, f->kind))
			writers[i].write(blocks, f);
	}
	g_assert(blocks->len > 0); /* the kinds of tmpl_share.c */
	return blocks;
}

/* share_subject - the subject of f->kind, without any address */
char *
share_subject(const ShareFields *f)
{
	const char *m = pick(f->member_first, f->member_name, "A colleague");
	const char *fr = f->friend_first;
	g_autofree char *prefix = NULL;

	if (g_str_equal(f->kind, "consent"))
		prefix =
		    g_strdup_printf("%s thinks you'd be great for this", m);
	else if (g_str_equal(f->kind, "reminder"))
		prefix = g_strdup_printf("A nudge from %s", m);
	else if (g_str_equal(f->kind, "intro"))
		prefix =
		    fr != NULL && f->requester_first != NULL
			? g_strdup_printf("%s, meet %s", f->requester_first, fr)
			: g_strdup_printf("An introduction from %s", m);
	else if (g_str_equal(f->kind, "confirmation"))
		prefix = f->consented ? g_strdup_printf("%s said yes",
					    pick(fr, NULL, "Your friend"))
				      : g_strdup_printf("Asked %s",
					    pick(fr, NULL, "your friend"));
	else if (g_str_equal(f->kind, "merged"))
		prefix = f->consented ? g_strdup_printf("%s said yes",
					    pick(fr, NULL, "Your friend"))
				      : g_strdup_printf("Already asked %s",
					    pick(fr, NULL, "your friend"));
	else if (g_str_equal(f->kind, "declined"))
		prefix = g_strdup_printf(
		    "%s passed on this one", pick(fr, NULL, "Your friend"));
	else if (g_str_equal(f->kind, "expired"))
		prefix = g_strdup_printf(
		    "No answer from %s", pick(fr, NULL, "your friend"));
	else if (g_str_equal(f->kind, "unclear"))
		prefix = g_strdup("Just yes or no, please");
	else
		prefix = g_strdup("Already answered");
	return with_topic(prefix, f);
}
