/*
 * mimescan.c - bound a message's MIME structure while its bytes arrive
 *
 * Trust: the bytes are untrusted mail, read once, line by line, and
 * never kept beyond the line at hand: in a header block the whole line
 * (at most MIMESCAN_MAX_FIELD bytes, else the scan fails), in a body the
 * first LINE_KEEP bytes (enough for any boundary line we accept) and
 * whether the rest is white space. The boundaries in force are a stack
 * as deep as the depth limit, matched innermost first as GMime matches
 * them (gmime-parser.c, check_boundary()): a scanner that knew more
 * boundaries than GMime would end header blocks GMime keeps reading,
 * and miss the Content-Type that opens the next level. Content-Type
 * values go to GMime's own parser so that the boundary is the one
 * GMime will use.
 * No I/O, no globals. Privilege: none needed.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "common/gmime-autoptr.h"
#include "common/mimescan.h"

G_DEFINE_QUARK(passalong_mimescan_error, mimescan_error)

/* a boundary line: "--" boundary "--" and white space, all within */
#define LINE_KEEP (MIMESCAN_MAX_BOUNDARY + 56)

/* Where a header block or body sits. */
typedef struct {
	guint depth;     /* multiparts and messages around it */
	guint messages;  /* messages around it */
	gboolean digest; /* its parent is a multipart/digest */
} Ctx;

/* A multipart whose boundary is in force, as on GMime's stack. */
typedef struct {
	char *boundary;
	gsize len;
	Ctx parts; /* where its parts sit */
} Frame;

typedef enum {
	FIELD_NONE, /* no field open yet in this block */
	FIELD_CT,   /* Content-Type */
	FIELD_CTE,  /* Content-Transfer-Encoding */
	FIELD_OTHER,
} Field;

struct _MimeScan {
	MimeScanLimits lim;
	GPtrArray *stack;   /* of Frame *, innermost last */
	GError *error;      /* set once a limit is passed */
	gboolean in_header; /* reading a header block, else a body */
	Ctx cur;            /* the block or body being read */

	/* the line being read */
	GString *hline;       /* in a header block: all of it */
	char keep[LINE_KEEP]; /* in a body: its first bytes */
	gsize line_len;       /* its bytes so far */
	gboolean tail_blank;  /* bytes past keep[] are white space */

	/* the header block being read */
	Field field;
	gsize field_bytes;
	guint block_fields;
	GString *value; /* the open CT or CTE field's value */
	GString *ct;    /* the block's last Content-Type, or NULL */
	GString *cte;   /* its first Content-Transfer-Encoding, or NULL */

	MimeScanStats st;
};

/* frame_free - release a Frame */
static void
frame_free(gpointer p)
{
	Frame *f = p;

	g_free(f->boundary);
	g_free(f);
}

/* mimescan_new - a scanner at the start of a message's header */
MimeScan *
mimescan_new(const MimeScanLimits *limits)
{
	MimeScan *ms = g_new0(MimeScan, 1);

	ms->lim.parts = limits != NULL ? limits->parts : MIMESCAN_DEFAULT_PARTS;
	ms->lim.depth = limits != NULL ? limits->depth : MIMESCAN_DEFAULT_DEPTH;
	ms->stack = g_ptr_array_new_with_free_func(frame_free);
	ms->in_header = TRUE;
	ms->hline = g_string_new(NULL);
	ms->value = g_string_new(NULL);
	ms->tail_blank = TRUE;
	return ms;
}

/* drop_state - release everything but the error and the counts */
static void
drop_state(MimeScan *ms)
{
	g_clear_pointer(&ms->stack, g_ptr_array_unref);
	if (ms->hline != NULL)
		g_string_free(ms->hline, TRUE);
	if (ms->value != NULL)
		g_string_free(ms->value, TRUE);
	if (ms->ct != NULL)
		g_string_free(ms->ct, TRUE);
	if (ms->cte != NULL)
		g_string_free(ms->cte, TRUE);
	ms->hline = ms->value = ms->ct = ms->cte = NULL;
}

/* mimescan_free - release a scanner; accepts NULL */
void
mimescan_free(MimeScan *ms)
{
	if (ms == NULL)
		return;
	drop_state(ms);
	g_clear_error(&ms->error);
	g_free(ms);
}

/* mimescan_stats - what has been counted so far */
void
mimescan_stats(const MimeScan *ms, MimeScanStats *out)
{
	g_return_if_fail(ms != NULL && out != NULL);
	*out = ms->st;
}

/* fail - remember the first limit passed and drop the state */
static gboolean fail(MimeScan *ms, MimeScanError code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
fail(MimeScan *ms, MimeScanError code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ms->error = g_error_new_valist(MIMESCAN_ERROR, code, fmt, ap);
	va_end(ap);
	drop_state(ms);
	return FALSE;
}

/* is_lwsp - white space as GMime's is_lwsp() has it */
static gboolean
is_lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* is_bound - whether a line (len bytes kept of it, any rest white
 * space) is f's boundary line, or with end its closing one: GMime's
 * is_boundary(), "--" boundary ["--"] then only white space */
static gboolean
is_bound(const char *s, gsize len, const Frame *f, gboolean end)
{
	gsize n = 2 + f->len + (end ? 2 : 0);

	if (n > len || memcmp(s + 2, f->boundary, f->len) != 0)
		return FALSE;
	if (end && memcmp(s + 2 + f->len, "--", 2) != 0)
		return FALSE;
	for (gsize i = n; i < len; i++)
		if (!is_lwsp(s[i]))
			return FALSE;
	return TRUE;
}

/* boundary_line - the stack index of the innermost multipart whose
 * boundary line this is (*end: its closing line), or -1; GMime's
 * check_boundary() */
static gint
boundary_line(const MimeScan *ms, const char *s, gsize len, gboolean *end)
{
	if (len < 2 || s[0] != '-' || s[1] != '-')
		return -1;
	for (guint i = ms->stack->len; i > 0; i--) {
		const Frame *f = ms->stack->pdata[i - 1];

		for (int e = 1; e >= 0; e--) {
			if (is_bound(s, len, f, e)) {
				*end = e;
				return (gint)i - 1;
			}
		}
	}
	return -1;
}

/* push - a multipart's boundary comes in force */
static void
push(MimeScan *ms, const char *boundary, const Ctx *parts)
{
	Frame *f = g_new(Frame, 1);

	f->boundary = g_strdup(boundary);
	f->len = strlen(boundary);
	f->parts = *parts;
	g_ptr_array_add(ms->stack, f);
}

/* enter - a new part or message: count it, check its depth */
static gboolean
enter(MimeScan *ms, const Ctx *ctx, gboolean counted)
{
	if (counted && ++ms->st.parts > ms->lim.parts)
		return fail(ms, MIMESCAN_ERROR_PARTS, "more than %u MIME parts",
		    ms->lim.parts);
	if (ctx->depth > ms->lim.depth)
		return fail(ms, MIMESCAN_ERROR_DEPTH,
		    "MIME parts nested more than %u deep", ms->lim.depth);
	if (ctx->messages > MIMESCAN_MAX_MESSAGES)
		return fail(ms, MIMESCAN_ERROR_DEPTH,
		    "messages attached inside each other more than %u deep",
		    MIMESCAN_MAX_MESSAGES);
	ms->st.depth = MAX(ms->st.depth, ctx->depth);
	ms->st.messages = MAX(ms->st.messages, ctx->messages);
	return TRUE;
}

/* block_begin - a header block starts, in ctx */
static void
block_begin(MimeScan *ms, const Ctx *ctx)
{
	ms->in_header = TRUE;
	ms->cur = *ctx;
	ms->field = FIELD_NONE;
	ms->field_bytes = 0;
	ms->block_fields = 0;
	g_string_truncate(ms->value, 0);
	if (ms->ct != NULL)
		g_string_free(ms->ct, TRUE);
	if (ms->cte != NULL)
		g_string_free(ms->cte, TRUE);
	ms->ct = ms->cte = NULL;
}

/* field_close - keep the open field's value if it is one we read */
static void
field_close(MimeScan *ms)
{
	if (ms->field == FIELD_CT) {
		if (ms->ct != NULL)
			g_string_free(ms->ct, TRUE);
		ms->ct = g_string_new_len(ms->value->str, ms->value->len);
	} else if (ms->field == FIELD_CTE && ms->cte == NULL)
		ms->cte = g_string_new_len(ms->value->str, ms->value->len);
	g_string_truncate(ms->value, 0);
	ms->field = FIELD_NONE;
}

/* is_message - a type GMime opens as a message part */
static gboolean
is_message(GMimeContentType *t)
{
	static const char *const sub[] = { "rfc822", "rfc2822", "global",
		"news" };

	for (size_t i = 0; i < G_N_ELEMENTS(sub); i++)
		if (g_mime_content_type_is_type(t, "message", sub[i]))
			return TRUE;
	return FALSE;
}

/* encoded - a transfer encoding GMime will not open a message under */
static gboolean
encoded(const GString *cte)
{
	if (cte == NULL)
		return FALSE;
	switch (g_mime_content_encoding_from_string(cte->str)) {
	case GMIME_CONTENT_ENCODING_BASE64:
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
	case GMIME_CONTENT_ENCODING_UUENCODE:
		return TRUE;
	default:
		return FALSE;
	}
}

/* block_end - the header block is over: declare its boundary, or open
 * its message (whose header follows unless a boundary line came) */
static gboolean
block_end(MimeScan *ms, gboolean by_boundary)
{
	g_autoptr(GMimeContentType) t = NULL; /* what GMime's parser reads */
	g_autoptr(GMimeContentType) u = NULL; /* what its objects carry */
	g_autofree char *unfolded = NULL;
	gboolean message;
	Ctx in = { ms->cur.depth + 1, ms->cur.messages, FALSE };

	field_close(ms);
	ms->in_header = FALSE;
	if (ms->ct != NULL) {
		/* GMime decides multipart or not on the raw value, but takes
		 * the boundary from the object's, unfolded: every CR and LF
		 * dropped, even inside quotes ("a\rb" is "ab") */
		t = g_mime_content_type_parse(NULL, ms->ct->str);
		unfolded = g_mime_utils_header_unfold(ms->ct->str);
		u = g_mime_content_type_parse(NULL, unfolded);
	}
	if (t != NULL && g_mime_content_type_is_type(t, "multipart", "*")) {
		const char *b =
		    g_mime_content_type_get_parameter(u, "boundary");

		if (!enter(ms, &in, FALSE))
			return FALSE;
		if (b == NULL) /* GMime reads it all as a preamble */
			return TRUE;
		if (strlen(b) > MIMESCAN_MAX_BOUNDARY)
			return fail(ms, MIMESCAN_ERROR_BOUNDARY,
			    "a MIME boundary longer than %u characters",
			    MIMESCAN_MAX_BOUNDARY);
		in.digest = g_mime_content_type_is_type(u, "*", "digest");
		push(ms, b, &in);
		return TRUE;
	}
	/* GMime reads a digest part without a usable type as a message;
	 * one it cannot parse comes out as application/octet-stream */
	message = t != NULL ? is_message(t) : ms->cur.digest;
	if (t != NULL && ms->cur.digest &&
	    g_mime_content_type_is_type(t, "application", "octet-stream"))
		message = TRUE;
	if (!message || encoded(ms->cte))
		return TRUE;
	in.messages++;
	if (!enter(ms, &in, TRUE))
		return FALSE;
	if (!by_boundary) /* else GMime makes it an empty message */
		block_begin(ms, &in);
	return TRUE;
}

/* on_boundary - a boundary line of the multipart at stack index i: the
 * ones inside it end; a new part of it begins, or it ends too */
static gboolean
on_boundary(MimeScan *ms, guint i, gboolean end)
{
	Ctx ctx = ((Frame *)ms->stack->pdata[i])->parts;

	g_ptr_array_set_size(ms->stack, end ? i : i + 1);
	if (end) {
		ms->in_header = FALSE; /* its epilogue */
		return TRUE;
	}
	if (!enter(ms, &ctx, TRUE))
		return FALSE;
	block_begin(ms, &ctx);
	return TRUE;
}

/* field_name_is - whether a header line names the field name */
static gboolean
field_name_is(const char *s, gsize len, const char *name, gsize *value)
{
	const char *colon = memchr(s, ':', len);
	gsize n, want = strlen(name);

	if (colon == NULL)
		return FALSE;
	n = (gsize)(colon - s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*value = (gsize)(colon - s) + 1;
	return n == want && g_ascii_strncasecmp(s, name, want) == 0;
}

/* header_line - one whole line of a header block */
static gboolean
header_line(MimeScan *ms, const char *s, gsize len)
{
	gboolean end = FALSE;
	gsize value = 0;
	gint i;

	if (len == 0 || (len == 1 && s[0] == '\r'))
		return block_end(ms, FALSE);
	if (boundary_line(ms, s, len, &end) >= 0) {
		/* the block ends; GMime reads the line again with the
		 * block's own boundary, if it had one, in force */
		if (!block_end(ms, TRUE))
			return FALSE;
		i = boundary_line(ms, s, len, &end);
		g_assert(i >= 0);
		return on_boundary(ms, (guint)i, end);
	}
	if ((s[0] == ' ' || s[0] == '\t') && ms->field != FIELD_NONE) {
		ms->field_bytes += len + 1;
	} else {
		field_close(ms);
		if (++ms->block_fields > MIMESCAN_MAX_BLOCK_FIELDS)
			return fail(ms, MIMESCAN_ERROR_FIELDS,
			    "a part with more than %u header lines",
			    MIMESCAN_MAX_BLOCK_FIELDS);
		if (++ms->st.fields > MIMESCAN_MAX_FIELDS)
			return fail(ms, MIMESCAN_ERROR_FIELDS,
			    "more than %u header lines in all",
			    MIMESCAN_MAX_FIELDS);
		ms->field_bytes = len + 1;
		if (field_name_is(s, len, "Content-Type", &value))
			ms->field = FIELD_CT;
		else if (field_name_is(
			     s, len, "Content-Transfer-Encoding", &value))
			ms->field = FIELD_CTE;
		else
			ms->field = FIELD_OTHER;
	}
	if (ms->field_bytes > MIMESCAN_MAX_FIELD)
		return fail(ms, MIMESCAN_ERROR_HEADER_SIZE,
		    "a header field longer than %u bytes", MIMESCAN_MAX_FIELD);
	if (ms->field == FIELD_CT || ms->field == FIELD_CTE) {
		g_string_append_len(
		    ms->value, s + value, (gssize)(len - value));
		g_string_append_c(ms->value, '\n');
	}
	return TRUE;
}

/* line_end - the line being read is complete */
static gboolean
line_end(MimeScan *ms)
{
	gboolean ok = TRUE;

	if (ms->in_header) {
		ms->st.header_bytes++; /* the LF */
		ok = header_line(ms, ms->hline->str, ms->hline->len);
		if (ms->hline != NULL)
			g_string_truncate(ms->hline, 0);
	} else if (ms->line_len <= LINE_KEEP || ms->tail_blank) {
		gboolean end = FALSE;
		gint i = boundary_line(
		    ms, ms->keep, MIN(ms->line_len, LINE_KEEP), &end);

		if (i >= 0)
			ok = on_boundary(ms, (guint)i, end);
	}
	ms->line_len = 0;
	ms->tail_blank = TRUE;
	return ok;
}

/* line_bytes - bytes of the line being read, no LF among them */
static gboolean
line_bytes(MimeScan *ms, const char *p, gsize n)
{
	if (ms->in_header) {
		ms->st.header_bytes += n;
		if (ms->st.header_bytes > MIMESCAN_MAX_HEADER_BYTES)
			return fail(ms, MIMESCAN_ERROR_HEADER_SIZE,
			    "more than %u bytes of header lines in all",
			    MIMESCAN_MAX_HEADER_BYTES);
		if (ms->hline->len + n > MIMESCAN_MAX_FIELD)
			return fail(ms, MIMESCAN_ERROR_HEADER_SIZE,
			    "a header field longer than %u bytes",
			    MIMESCAN_MAX_FIELD);
		g_string_append_len(ms->hline, p, (gssize)n);
		ms->line_len += n;
		return TRUE;
	}
	if (ms->line_len < LINE_KEEP) {
		gsize k = MIN(n, LINE_KEEP - ms->line_len);

		memcpy(ms->keep + ms->line_len, p, k);
		ms->line_len += k;
		p += k;
		n -= k;
	}
	/* only a line that may be a boundary needs its tail looked at */
	if (n > 0 && ms->tail_blank && ms->keep[0] == '-' &&
	    ms->keep[1] == '-') {
		for (gsize i = 0; i < n && ms->tail_blank; i++)
			ms->tail_blank = is_lwsp(p[i]);
	}
	ms->line_len += n;
	return TRUE;
}

/* mimescan_feed - read the next bytes of the message */
gboolean
mimescan_feed(MimeScan *ms, const void *data, gsize len, GError **error)
{
	const char *p = data, *end = p + len;

	g_return_val_if_fail(ms != NULL && (data != NULL || len == 0), FALSE);
	while (ms->error == NULL && p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		const char *stop = nl != NULL ? nl : end;

		if (!line_bytes(ms, p, (gsize)(stop - p)))
			break;
		if (nl != NULL && !line_end(ms))
			break;
		p = nl != NULL ? nl + 1 : end;
	}
	if (ms->error != NULL) {
		g_propagate_error(error, g_error_copy(ms->error));
		return FALSE;
	}
	return TRUE;
}

/* mimescan_finish - the message is complete: read its last line */
gboolean
mimescan_finish(MimeScan *ms, GError **error)
{
	g_return_val_if_fail(ms != NULL, FALSE);
	if (ms->error == NULL && ms->line_len > 0)
		line_end(ms);
	/* GMime ends a header block cut short by the end of the input */
	if (ms->error == NULL && ms->in_header)
		block_end(ms, FALSE);
	if (ms->error != NULL) {
		g_propagate_error(error, g_error_copy(ms->error));
		return FALSE;
	}
	return TRUE;
}

/* mimescan_check - scan a whole message in memory */
gboolean
mimescan_check(
    const void *data, gsize len, const MimeScanLimits *limits, GError **error)
{
	MimeScan *ms = mimescan_new(limits);
	gboolean ok =
	    mimescan_feed(ms, data, len, error) && mimescan_finish(ms, error);

	mimescan_free(ms); /* not g_autoptr: the analyzer loses it at && */
	return ok;
}
