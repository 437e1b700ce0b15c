/*
 * tmpl_fields.c - the values an introduction shows, checked and cleaned
 *
 * Trust: everything in the IntroContext except the Config comes from
 * mail and is untrusted. Names and the topic leave here as one line
 * without controls (util_header_safe()), the note and the body as clean
 * UTF-8 (util_text_clean()), addresses only when addr_is_safe() and
 * never in the gateway's own domain (no mail loops), message ids only
 * when they are plain printable ASCII.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/util.h"
#include "templates/tmpl_int.h"

#define MSGID_MAX 250
#define DATE_RAW_MAX 60

/* intro_fields_free - free the fields; accepts NULL */
void
intro_fields_free(IntroFields *f)
{
	if (f == NULL)
		return;
	g_free(f->product);
	g_free(f->from_address);
	g_free(f->from_display);
	g_free(f->domain);
	g_free(f->member_address);
	g_free(f->member_name);
	g_free(f->member_label);
	g_free(f->friend_address);
	g_free(f->friend_name);
	g_free(f->friend_label);
	g_free(f->requester_address);
	g_free(f->requester_name);
	g_free(f->requester_label);
	if (f->passers != NULL)
		g_ptr_array_unref(f->passers);
	g_free(f->topic);
	g_free(f->date);
	g_free(f->note);
	g_free(f->body);
	g_free(f->subject);
	g_free(f->in_reply_to);
	g_free(f->references);
	g_free(f);
}

/* tmpl_cut_chars - at most max characters, "…" marking a cut */
char *
tmpl_cut_chars(const char *s, glong max)
{
	const char *end;

	g_assert(max >= 2);
	if (g_utf8_strlen(s, -1) <= max)
		return g_strdup(s);
	end = g_utf8_offset_to_pointer(s, max - 1);
	return g_strdup_printf("%.*s\xe2\x80\xa6", (int)(end - s), s);
}

/* tmpl_clean_line - one line of clean text, or NULL when nothing is left */
char *
tmpl_clean_line(const char *text, gsize max_chars)
{
	g_autofree char *s = util_header_safe(text, max_chars);

	if (s == NULL || *s == '\0')
		return NULL;
	return g_steal_pointer(&s);
}

/* tmpl_no_addresses - one line without any word holding '@' (transfer full),
 * or NULL when nothing is left: subjects carry no address */
char *
tmpl_no_addresses(const char *line)
{
	g_auto(GStrv) words = NULL;
	GString *s;

	if (line == NULL)
		return NULL;
	words = g_strsplit(line, " ", -1);
	s = g_string_new(NULL);
	for (guint i = 0; words[i] != NULL; i++) {
		if (*words[i] == '\0' || strchr(words[i], '@') != NULL)
			continue;
		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, words[i]);
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* tmpl_display_name - a display name fit to show, or NULL: none, or an address */
char *
tmpl_display_name(const char *name)
{
	g_autofree char *s = tmpl_clean_line(name, TMPL_NAME_MAX);

	if (s == NULL || strchr(s, '@') != NULL)
		return NULL;
	return g_steal_pointer(&s);
}

/* tmpl_clean_text - clean multi-line text, trimmed, or NULL when empty */
char *
tmpl_clean_text(const char *text)
{
	g_autofree char *s = util_text_clean(text, -1);

	if (s == NULL)
		return NULL;
	g_strstrip(s);
	if (*s == '\0')
		return NULL;
	return g_steal_pointer(&s);
}

/* tmpl_clean_msgid - a message id fit for In-Reply-To, without <>, or
 * NULL */
char *
tmpl_clean_msgid(const char *id)
{
	g_autofree char *s = NULL;
	gsize n;

	if (id == NULL)
		return NULL;
	s = g_strstrip(g_strdup(id));
	n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		memmove(s, s + 1, n - 1);
		n -= 2;
	}
	if (n == 0 || n > MSGID_MAX || strchr(s, '@') == NULL)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (*p <= ' ' || *p > '~' || strchr("<>\"(),;\\[]", *p))
			return NULL;
	}
	return g_steal_pointer(&s);
}

static const char *const months[] = { "January", "February", "March", "April",
	"May", "June", "July", "August", "September", "October", "November",
	"December" };

/* date_words - "27 October 2021" (English, any locale) */
static char *
date_words(GDateTime *dt)
{
	return g_strdup_printf("%d %s %d", g_date_time_get_day_of_month(dt),
	    months[g_date_time_get_month(dt) - 1], g_date_time_get_year(dt));
}

/* tmpl_date_text - "27 October 2021" (English, any locale), else raw */
char *
tmpl_date_text(const char *rfc3339, const char *raw)
{
	if (rfc3339 != NULL) {
		g_autoptr(GDateTime) dt =
		    g_date_time_new_from_iso8601(rfc3339, NULL);

		if (dt != NULL)
			return date_words(dt);
	}
	return tmpl_clean_line(raw, DATE_RAW_MAX);
}

/* tmpl_date_unix - seconds since the epoch as "27 October 2021" (UTC), or
 * NULL for 0 or a time GLib cannot represent */
char *
tmpl_date_unix(gint64 seconds)
{
	g_autoptr(GDateTime) dt =
	    seconds > 0 ? g_date_time_new_from_unix_utc(seconds) : NULL;

	return dt != NULL ? date_words(dt) : NULL;
}

/* tmpl_quote_lines - the lines of text, capped in count and bytes */
GPtrArray *
tmpl_quote_lines(
    const char *text, guint max_lines, gsize max_bytes, gboolean *shortened)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	const char *p = text;
	gsize used = 0;

	*shortened = FALSE;
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		gsize len = nl != NULL ? (gsize)(nl - p) : strlen(p);

		if (lines->len >= max_lines || used >= max_bytes) {
			*shortened = TRUE;
			break;
		}
		if (len > max_bytes - used) {
			const char *end = p + (max_bytes - used);

			while (end > p && ((guchar)*end & 0xc0) == 0x80)
				end--; /* not inside a UTF-8 sequence */
			len = (gsize)(end - p);
			*shortened = TRUE;
			nl = NULL;
		}
		g_ptr_array_add(lines, g_strndup(p, len));
		used += len + 1;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return lines;
}

/* tmpl_check_person - the address of WHO ("friend") is safe and, unless
 * it is the member's, not in the gateway's own domain (no mail loops) */
gboolean
tmpl_check_person(
    const Config *cfg, const char *who, const char *addr, GError **error)
{
	g_autofree char *target = NULL;

	if (!addr_is_safe(addr)) {
		g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "the %s's address is missing or not safe", who);
		return FALSE;
	}
	if ((strcmp(who, "member") != 0 && addr_in_domain(addr, cfg->domain)) ||
	    addr_parse_share(addr, cfg->domain,
		cfg->share_localpart != NULL ? cfg->share_localpart : "share",
		&target) != SHARE_ADDR_NONE) {
		g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "the %s's address is in the gateway's own domain", who);
		return FALSE;
	}
	return TRUE;
}

/* check_addresses - every address safe, no loop, two different people */
static gboolean
check_addresses(const IntroContext *ctx, GError **error)
{
	if (!tmpl_check_person(
		ctx->cfg, "member", ctx->member_address, error) ||
	    !tmpl_check_person(
		ctx->cfg, "friend", ctx->friend_address, error) ||
	    !tmpl_check_person(
		ctx->cfg, "requester", ctx->requester_address, error))
		return FALSE;
	if (g_ascii_strcasecmp(ctx->friend_address, ctx->requester_address) ==
	    0) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "the requester and the friend are the same address");
		return FALSE;
	}
	return TRUE;
}

/* tmpl_check_gateway - the gateway's settings make a safe From */
gboolean
tmpl_check_gateway(const Config *cfg, GError **error)
{
	g_autofree char *from = NULL;

	if (cfg == NULL || cfg->domain == NULL || cfg->from_localpart == NULL) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_CONFIG,
		    "no gateway domain or from_localpart configured");
		return FALSE;
	}
	from = g_strdup_printf("%s@%s", cfg->from_localpart, cfg->domain);
	if (!addr_is_safe(from)) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_CONFIG,
		    "the gateway's from address is not safe");
		return FALSE;
	}
	return TRUE;
}

/* tmpl_check_date - now is a date GLib can write (for the WHAT) */
gboolean
tmpl_check_date(gint64 now, const char *what, GError **error)
{
	g_autoptr(GDateTime) date = NULL;

	if (now > 0)
		date = g_date_time_new_from_unix_utc(now);
	if (date == NULL) {
		g_set_error(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "no valid date for the %s", what);
		return FALSE;
	}
	return TRUE;
}

/* check_context - the gateway's settings and the forward are there */
static gboolean
check_context(const IntroContext *ctx, GError **error)
{
	if (!tmpl_check_gateway(ctx->cfg, error))
		return FALSE;
	if (ctx->fwd == NULL || ctx->fwd->original == NULL) {
		g_set_error_literal(error, TMPL_ERROR, TMPL_ERROR_INPUT,
		    "no forwarded message to introduce");
		return FALSE;
	}
	return tmpl_check_date(ctx->now, "introduction", error) &&
	       check_addresses(ctx, error);
}

/* make_subject - "Introduction: A <> B — topic", at most 200 characters */
static char *
make_subject(const IntroFields *f)
{
	g_autofree char *a = tmpl_cut_chars(f->friend_label, TMPL_NAME_MAX);
	g_autofree char *b = tmpl_cut_chars(f->requester_label, TMPL_NAME_MAX);
	GString *s = g_string_new(NULL);
	glong room;

	g_string_printf(s, "Introduction: %s <> %s", a, b);
	room = TMPL_SUBJECT_MAX - g_utf8_strlen(s->str, -1) - 3;
	if (f->topic != NULL && room >= 8) {
		g_autofree char *topic = tmpl_cut_chars(f->topic, room);

		g_string_append_printf(s, " \xe2\x80\x94 %s", topic);
	}
	return g_string_free(s, FALSE);
}

/* set_person - address, cleaned name and label of one person */
static void
set_person(const char *address, const char *name, char **out_address,
    char **out_name, char **out_label)
{
	*out_address = g_strdup(address);
	*out_name = tmpl_clean_line(name, TMPL_NAME_MAX);
	*out_label = g_strdup(*out_name != NULL ? *out_name : address);
}

/* set_threading - In-Reply-To and References from the known ids */
static void
set_threading(IntroFields *f, const char *original, const char *forward)
{
	g_autofree char *a = tmpl_clean_msgid(original);
	g_autofree char *b = tmpl_clean_msgid(forward);

	if (a != NULL && b != NULL && strcmp(a, b) != 0)
		f->references = g_strdup_printf("<%s> <%s>", a, b);
	else if (a != NULL || b != NULL)
		f->references = g_strdup_printf("<%s>", a != NULL ? a : b);
	f->in_reply_to = g_strdup(a != NULL ? a : b);
}

/* passer_labels - the name (or address) of each who passed it on */
static GPtrArray *
passer_labels(const GPtrArray *passed_by)
{
	GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; passed_by != NULL && i < passed_by->len; i++) {
		const FwdAddress *a = passed_by->pdata[i];
		char *label = tmpl_clean_line(a->name, TMPL_NAME_MAX);

		if (label == NULL)
			label = tmpl_clean_line(a->address, TMPL_NAME_MAX);
		if (label != NULL)
			g_ptr_array_add(labels, label);
	}
	return labels;
}

/* intro_fields_new - check the context and clean every field */
IntroFields *
intro_fields_new(const IntroContext *ctx, GError **error)
{
	g_autoptr(IntroFields) f = NULL;
	const FwdMessage *orig, *asked;

	if (!check_context(ctx, error))
		return NULL;
	orig = ctx->fwd->original;
	asked = ctx->request != NULL ? ctx->request : orig;
	f = g_new0(IntroFields, 1);
	f->product = tmpl_clean_line(ctx->cfg->name, TMPL_NAME_MAX);
	if (f->product == NULL)
		f->product = g_strdup("passalong");
	f->domain = g_strdup(ctx->cfg->domain);
	f->from_address = g_strdup_printf(
	    "%s@%s", ctx->cfg->from_localpart, ctx->cfg->domain);
	set_person(ctx->member_address, ctx->member_name, &f->member_address,
	    &f->member_name, &f->member_label);
	set_person(ctx->friend_address, ctx->friend_name, &f->friend_address,
	    &f->friend_name, &f->friend_label);
	set_person(ctx->requester_address, ctx->requester_name,
	    &f->requester_address, &f->requester_name, &f->requester_label);
	f->from_display =
	    g_strdup_printf("%s via %s", f->member_label, f->product);
	f->passers = passer_labels(ctx->passed_by);
	f->topic = tmpl_clean_line(
	    asked->subject != NULL ? asked->subject : orig->subject, 0);
	f->date = tmpl_date_text(asked->date, asked->date_raw);
	f->note = tmpl_clean_text(ctx->fwd->note);
	f->body =
	    tmpl_clean_text(asked->body != NULL ? asked->body : orig->body);
	f->subject = make_subject(f);
	set_threading(f, orig->message_id, ctx->forward_message_id);
	f->cc_member =
	    g_ascii_strcasecmp(f->member_address, f->friend_address) != 0 &&
	    g_ascii_strcasecmp(f->member_address, f->requester_address) != 0;
	f->now = ctx->now;
	return g_steal_pointer(&f);
}
