/*
 * parser.c - find the forwarded message in a forward (see parser.h)
 *
 * Order of evidence: a message/rfc822 part anywhere in the tree
 * (kind "attachment"), then an inline forward in the first text/plain
 * part, then the same rules over text derived from the first text/html
 * part (kind "inline"). Nested layers go to fwd->chain, attached
 * messages first, then inline forwards inside the innermost one.
 *
 * Trust: the input is untrusted mail. Limits: PARSER_MAX_INPUT bytes,
 * PARSER_MAX_HEADERS header fields, PARSER_MAX_DEPTH MIME levels and
 * PARSER_MAX_PARTS parts walked, PARSER_MAX_CHAIN nested layers; all
 * text matching is linear (parser_scan.h).
 */
#include "config.h"

#include <string.h>

#include "common/gmime-autoptr.h"
#include "parser/parser_int.h"
#include "parser/parser_scan.h"

G_DEFINE_QUARK(passalong_parser_error, parser_error)

/* fwd_address_new - a name/address pair (copies both; either may be NULL) */
FwdAddress *
fwd_address_new(const char *name, const char *address)
{
	FwdAddress *a = g_new0(FwdAddress, 1);

	a->name = g_strdup(name);
	a->address = g_strdup(address);
	return a;
}

/* fwd_address_free - free a FwdAddress; NULL is fine */
void
fwd_address_free(FwdAddress *a)
{
	if (a == NULL)
		return;
	g_free(a->name);
	g_free(a->address);
	g_free(a);
}

/* fwd_message_new - an empty message with empty address arrays */
FwdMessage *
fwd_message_new(void)
{
	FwdMessage *m = g_new0(FwdMessage, 1);

	m->to =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_address_free);
	m->cc =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_address_free);
	m->reply_to =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_address_free);
	return m;
}

/* fwd_message_free - free a FwdMessage and all it holds; NULL is fine */
void
fwd_message_free(FwdMessage *m)
{
	if (m == NULL)
		return;
	fwd_address_free(m->from);
	g_ptr_array_unref(m->to);
	g_ptr_array_unref(m->cc);
	g_ptr_array_unref(m->reply_to);
	g_free(m->subject);
	g_free(m->date);
	g_free(m->date_raw);
	g_free(m->message_id);
	g_free(m->body);
	g_free(m);
}

/* forward_new - "not a forward", with an empty chain */
Forward *
forward_new(void)
{
	Forward *fwd = g_new0(Forward, 1);

	fwd->kind = FORWARD_KIND_NONE;
	fwd->chain =
	    g_ptr_array_new_with_free_func((GDestroyNotify)fwd_message_free);
	return fwd;
}

/* forward_free - free a Forward and all it holds; NULL is fine */
void
forward_free(Forward *fwd)
{
	if (fwd == NULL)
		return;
	g_free(fwd->note);
	fwd_message_free(fwd->original);
	g_ptr_array_unref(fwd->chain);
	g_free(fwd);
}

/* forward_kind_name - the contract's name of a kind */
const char *
forward_kind_name(ForwardKind kind)
{
	switch (kind) {
	case FORWARD_KIND_ATTACHMENT:
		return "attachment";
	case FORWARD_KIND_INLINE:
		return "inline";
	case FORWARD_KIND_NONE:
	default:
		return "none";
	}
}

/* body_text - the first text/plain part, else text from text/html */
static char *
body_text(GMimeObject *root, gboolean html, GArray *starts)
{
	GMimePart *part = parser_find_body(root, html);
	gboolean is_html = FALSE;
	g_autofree char *text = NULL;
	g_autofree char *plain = NULL;

	if (part == NULL || (text = parser_part_text(part, &is_html)) == NULL)
		return NULL;
	if (!is_html)
		return g_steal_pointer(&text);
	plain = parser_html_to_text(text, strlen(text), starts);
	return parser_text_prepare(plain, -1);
}

/* member_note - the member's own words around an attached forward */
static char *
member_note(GMimeObject *root)
{
	g_autofree char *text = body_text(root, FALSE, NULL);
	g_autoptr(Lines) ls = NULL;

	if (text == NULL)
		text = body_text(root, TRUE, NULL);
	if (text == NULL)
		return NULL;
	ls = parser_lines_new(text);
	return parser_lines_note(ls, ls->n);
}

/* attachment_forward - a message/rfc822 part, and the layers inside it */
static gboolean
attachment_forward(GMimeObject *root, const ParseCtx *ctx, Forward *fwd)
{
	g_autoptr(GMimeMessage) inner = parser_find_attached(root);
	FwdMessage *last;

	if (inner == NULL)
		return FALSE;
	fwd->forwarded = TRUE;
	fwd->kind = FORWARD_KIND_ATTACHMENT;
	fwd->original = parser_message_from_mime(inner, ctx);
	fwd->note = member_note(root);
	last = fwd->original;
	while (fwd->chain->len < PARSER_MAX_CHAIN) {
		GMimeMessage *next =
		    parser_find_attached(g_mime_message_get_mime_part(inner));

		if (next == NULL)
			break;
		g_object_unref(inner);
		inner = next;
		last = parser_message_from_mime(inner, ctx);
		g_ptr_array_add(fwd->chain, last);
	}
	if (fwd->chain->len < PARSER_MAX_CHAIN)
		parser_chain_fill(last, ctx, fwd->chain);
	return TRUE;
}

/* same_name - two display names that are the same, ignoring case */
static gboolean
same_name(const FwdAddress *a, const FwdAddress *b)
{
	g_autofree char *x = NULL;
	g_autofree char *y = NULL;

	if (a == NULL || b == NULL || a->name == NULL || b->name == NULL)
		return FALSE;
	x = g_utf8_casefold(a->name, -1);
	y = g_utf8_casefold(b->name, -1);
	return strcmp(x, y) == 0;
}

/* fill_one - a name-only mailbox takes the address the HTML gave it */
static void
fill_one(FwdAddress *a, const FwdAddress *from_html)
{
	if (a != NULL && a->address == NULL && from_html != NULL &&
	    from_html->address != NULL && same_name(a, from_html))
		a->address = g_strdup(from_html->address);
}

/* fill_list - the same for every name-only mailbox of a list */
static void
fill_list(GPtrArray *list, const GPtrArray *html)
{
	for (guint i = 0; i < list->len; i++)
		for (guint k = 0; k < html->len; k++)
			fill_one(g_ptr_array_index(list, i),
			    g_ptr_array_index(html, k));
}

/* fill_from_html - Outlook's text part often names a sender whose address
 * only the HTML part's mailto: link keeps: read the HTML too */
static void
fill_from_html(GMimeObject *root, const ParseCtx *ctx, FwdMessage *orig)
{
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autofree char *text = body_text(root, TRUE, starts);
	g_autoptr(FwdMessage) html = NULL;

	if (text == NULL || !parser_inline_find(text, strlen(text), starts, ctx,
				FALSE, NULL, &html))
		return;
	fill_one(orig->from, html->from);
	fill_list(orig->to, html->to);
	fill_list(orig->cc, html->cc);
	fill_list(orig->reply_to, html->reply_to);
}

/* has_name_only - a mailbox of the message lacks its address */
static gboolean
has_name_only(const FwdMessage *m)
{
	const GPtrArray *lists[] = { m->to, m->cc, m->reply_to };

	if (m->from != NULL && m->from->address == NULL)
		return TRUE;
	for (gsize k = 0; k < G_N_ELEMENTS(lists); k++)
		for (guint i = 0; i < lists[k]->len; i++)
			if (((FwdAddress *)g_ptr_array_index(lists[k], i))
				->address == NULL)
				return TRUE;
	return FALSE;
}

/* inline_forward - a forward block in the text (or HTML) body */
static gboolean
inline_forward(GMimeObject *root, const ParseCtx *ctx, Forward *fwd)
{
	for (guint pass = 0; pass < 2; pass++) {
		g_autoptr(GArray) starts =
		    g_array_new(FALSE, FALSE, sizeof(guint));
		g_autofree char *text = body_text(root, pass == 1, starts);

		if (text == NULL)
			continue;
		if (parser_inline_find(text, strlen(text), starts, ctx, FALSE,
			&fwd->note, &fwd->original)) {
			fwd->forwarded = TRUE;
			fwd->kind = FORWARD_KIND_INLINE;
			if (pass == 0 && has_name_only(fwd->original))
				fill_from_html(root, ctx, fwd->original);
			parser_chain_fill(fwd->original, ctx, fwd->chain);
			return TRUE;
		}
	}
	return FALSE;
}

/* parser_parse_message - the Forward in a message GMime has parsed */
Forward *
parser_parse_message(GMimeMessage *message, GError **error)
{
	g_autoptr(Forward) fwd = NULL;
	g_autofree char *subject = NULL;
	GMimeHeaderList *headers;
	GMimeObject *root;
	ParseCtx ctx = { NULL, 0, FALSE };

	g_return_val_if_fail(GMIME_IS_MESSAGE(message), NULL);
	headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	if (g_mime_header_list_get_count(headers) > PARSER_MAX_HEADERS) {
		g_set_error(error, PARSER_ERROR, PARSER_ERROR_LIMIT,
		    "more than %d header fields", PARSER_MAX_HEADERS);
		return NULL;
	}
	fwd = forward_new();
	parser_ctx_from_message(message, &ctx, &subject);
	root = g_mime_message_get_mime_part(message);
	if (!attachment_forward(root, &ctx, fwd))
		inline_forward(root, &ctx, fwd);
	return g_steal_pointer(&fwd);
}

/* has_header_line - the input starts with something like "Name: value" */
static gboolean
has_header_line(const char *data, gsize len)
{
	gsize i = 0;

	while (i < len && i < 1000 && data[i] > ' ' && data[i] < 127 &&
	       data[i] != ':')
		i++;
	return i > 0 && i < len && data[i] == ':';
}

/* parser_parse - the Forward in one raw RFC 5322 message */
Forward *
parser_parse(const char *data, gsize len, GError **error)
{
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) message = NULL;
	GMimeParserOptions *options;
	const char *fallback[] = { "UTF-8", "windows-1252", NULL };

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	if (len > PARSER_MAX_INPUT) {
		g_set_error(error, PARSER_ERROR, PARSER_ERROR_LIMIT,
		    "message over %u bytes", PARSER_MAX_INPUT);
		return NULL;
	}
	if (!has_header_line(data, len)) {
		g_set_error_literal(error, PARSER_ERROR,
		    PARSER_ERROR_UNREADABLE, "not a mail message (no header)");
		return NULL;
	}
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	message = g_mime_parser_construct_message(parser, options);
	g_mime_parser_options_free(options);
	if (message == NULL) {
		g_set_error_literal(error, PARSER_ERROR,
		    PARSER_ERROR_UNREADABLE, "not a mail message");
		return NULL;
	}
	return parser_parse_message(message, error);
}
