/*
 * authres.c - Authentication-Results header fields (RFC 8601), parsed
 *
 * Trust: the input is untrusted (any sender can write an
 * Authentication-Results field); whether a field is believed is the
 * caller's decision, made from its authserv-id. Nothing here allocates
 * more than the input's length per string; the input is capped at
 * AUTHRES_MAX_LEN and the cursor only moves forward, so parsing is
 * linear in the input.
 */
#include "config.h"

#include <string.h>

#include "common/authres.h"

G_DEFINE_QUARK(passalong_authres_error, authres_error)

/* A cursor over the field value; the first error stops everything. */
typedef struct {
	const char *s;
	gsize i, n;
	GError **error;
	gboolean failed;
} Lex;

/* fail - record a syntax error at the cursor; always FALSE */
static gboolean
fail(Lex *lx, const char *expected)
{
	if (!lx->failed)
		g_set_error(lx->error, AUTHRES_ERROR, AUTHRES_ERROR_SYNTAX,
		    "Authentication-Results: %s expected at offset "
		    "%" G_GSIZE_FORMAT,
		    expected, lx->i);
	lx->failed = TRUE;
	return FALSE;
}

/* at_end - nothing left */
static gboolean
at_end(const Lex *lx)
{
	return lx->i >= lx->n;
}

/* peek - the byte at the cursor, '\0' at the end */
static char
peek(const Lex *lx)
{
	return at_end(lx) ? '\0' : lx->s[lx->i];
}

/* is_wsp - folding white space (CR and LF of a folded field too) */
static gboolean
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* skip_comment - a comment at the cursor, nested, with quoted-pairs */
static gboolean
skip_comment(Lex *lx)
{
	guint depth = 0;

	do {
		char c = peek(lx);

		if (at_end(lx))
			return fail(lx, "\")\" closing a comment");
		lx->i++;
		if (c == '\\') {
			if (at_end(lx) || peek(lx) == '\r' || peek(lx) == '\n')
				return fail(lx, "a character after \"\\\"");
			lx->i++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			depth--;
		}
	} while (depth > 0);
	return TRUE;
}

/* skip_cfws - comments and folding white space; TRUE when any */
static gboolean
skip_cfws(Lex *lx)
{
	gsize start = lx->i;

	while (!lx->failed && !at_end(lx)) {
		if (is_wsp(peek(lx)))
			lx->i++;
		else if (peek(lx) == '(')
			skip_comment(lx);
		else
			break;
	}
	return lx->i > start;
}

/* expect - the byte c at the cursor, CFWS around it skipped */
static gboolean
expect(Lex *lx, char c, const char *what)
{
	skip_cfws(lx);
	if (lx->failed || peek(lx) != c)
		return fail(lx, what);
	lx->i++;
	skip_cfws(lx);
	return !lx->failed;
}

/* read_keyword - an RFC 5321 Ldh-str, lower-cased; NULL (and an error
 * naming what) when there is none */
static char *
read_keyword(Lex *lx, const char *what)
{
	gsize start = lx->i;

	while (!at_end(lx) && (g_ascii_isalnum(peek(lx)) ||
				  (peek(lx) == '-' && lx->i > start)))
		lx->i++;
	if (lx->i == start || lx->s[lx->i - 1] == '-') {
		fail(lx, what);
		return NULL;
	}
	return g_ascii_strdown(lx->s + start, (gssize)(lx->i - start));
}

/* read_quoted - a quoted-string at the cursor, unquoted */
static char *
read_quoted(Lex *lx)
{
	GString *out = g_string_new(NULL);

	g_assert(peek(lx) == '"');
	lx->i++;
	for (;;) {
		char c = peek(lx);

		if (at_end(lx)) {
			fail(lx, "'\"' closing a quoted string");
			g_string_free(out, TRUE);
			return NULL;
		}
		lx->i++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (at_end(lx)) {
				fail(lx, "a character after \"\\\"");
				g_string_free(out, TRUE);
				return NULL;
			}
			c = lx->s[lx->i++];
			if (c == '\r' || c == '\n') {
				fail(lx, "no line break after \"\\\"");
				g_string_free(out, TRUE);
				return NULL;
			}
		} else if (c == '\r' || c == '\n') {
			continue; /* folding inside the quotes */
		}
		g_string_append_c(out, c);
	}
	return g_string_free(out, FALSE);
}

/* is_token_char - RFC 2045 token: no space, controls or tspecials
 * (bytes past ASCII allowed: RFC 8616 lets the id be UTF-8) */
static gboolean
is_token_char(char c)
{
	guchar u = (guchar)c;

	return u > ' ' && u != 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* is_pvalue_char - what an unquoted property value may hold here */
static gboolean
is_pvalue_char(char c)
{
	guchar u = (guchar)c;

	return u > ' ' && u != 0x7f && strchr(";()\\\"", c) == NULL;
}

/* read_run - the bytes at the cursor that ok() accepts; NULL when none */
static char *
read_run(Lex *lx, gboolean (*ok)(char), const char *what)
{
	gsize start = lx->i;

	while (!at_end(lx) && ok(peek(lx)))
		lx->i++;
	if (lx->i == start) {
		fail(lx, what);
		return NULL;
	}
	return g_strndup(lx->s + start, lx->i - start);
}

/* read_value - an RFC 2045 value: token or quoted-string */
static char *
read_value(Lex *lx, const char *what)
{
	if (peek(lx) == '"')
		return read_quoted(lx);
	return read_run(lx, is_token_char, what);
}

/* read_pvalue - a property value: a value, or a quoted local part
 * followed by "@domain", or the liberal run described in authres.h */
static char *
read_pvalue(Lex *lx)
{
	g_autofree char *local = NULL;
	g_autofree char *domain = NULL;

	if (peek(lx) != '"')
		return read_run(lx, is_pvalue_char, "a property value");
	local = read_quoted(lx);
	if (local == NULL || peek(lx) != '@')
		return g_steal_pointer(&local);
	lx->i++;
	domain = read_run(lx, is_pvalue_char, "a domain after \"@\"");
	if (domain == NULL)
		return NULL;
	return g_strconcat(local, "@", domain, NULL);
}

/* read_digits - 1*DIGIT as a number (capped); FALSE when none */
static gboolean
read_digits(Lex *lx, guint *out)
{
	gsize start = lx->i;
	guint v = 0;

	while (g_ascii_isdigit(peek(lx))) {
		if (v < 100000)
			v = v * 10 + (guint)(peek(lx) - '0');
		lx->i++;
	}
	if (lx->i == start)
		return fail(lx, "a version number");
	*out = v;
	return TRUE;
}

/* prop_free - release one property */
static void
prop_free(gpointer p)
{
	AuthResProp *prop = p;

	g_free(prop->ptype);
	g_free(prop->property);
	g_free(prop->value);
	g_free(prop);
}

/* result_free - release one result */
static void
result_free(gpointer p)
{
	AuthResResult *r = p;

	if (r == NULL)
		return;
	g_free(r->method);
	g_free(r->result);
	g_free(r->reason);
	g_ptr_array_unref(r->props);
	g_free(r);
}

/* authres_free - release a parsed field; accepts NULL */
void
authres_free(AuthResults *ar)
{
	if (ar == NULL)
		return;
	g_free(ar->authserv_id);
	if (ar->results != NULL)
		g_ptr_array_unref(ar->results);
	g_free(ar);
}

/* read_prop - one "ptype.property=pvalue", "reason=value" or a bare
 * "name=pvalue", whose first keyword (lower-cased) the caller has read */
static gboolean
read_prop(Lex *lx, char *ptype, AuthResResult *r)
{
	AuthResProp *prop;
	g_autofree char *property = NULL;
	g_autofree char *value = NULL;

	skip_cfws(lx);
	if (strcmp(ptype, "reason") == 0 && peek(lx) == '=') {
		g_free(ptype);
		if (!expect(lx, '=', "\"=\""))
			return FALSE;
		value = read_value(lx, "a reason");
		if (value == NULL)
			return FALSE;
		if (r->reason == NULL)
			r->reason = g_steal_pointer(&value);
		return TRUE;
	}
	if (peek(lx) == '=') { /* "name=value": no ptype */
		property = ptype;
		ptype = g_strdup("");
	} else if (!expect(lx, '.', "\".\" after a ptype") ||
		   (property = read_keyword(lx, "a property")) == NULL) {
		g_free(ptype);
		return FALSE;
	}
	if (!expect(lx, '=', "\"=\" after a property") ||
	    (value = read_pvalue(lx)) == NULL) {
		g_free(ptype);
		return FALSE;
	}
	prop = g_new0(AuthResProp, 1);
	prop->ptype = ptype;
	prop->property = g_steal_pointer(&property);
	prop->value = g_steal_pointer(&value);
	g_ptr_array_add(r->props, prop);
	return TRUE;
}

/* read_resinfo_rest - what follows a method: "[/v]=result [reason]
 * [props]", into r; FALSE on a syntax error */
static gboolean
read_resinfo_rest(Lex *lx, AuthResResult *r)
{
	guint version;

	skip_cfws(lx);
	if (peek(lx) == '/') {
		lx->i++;
		skip_cfws(lx);
		if (!read_digits(lx, &version))
			return FALSE;
	}
	if (!expect(lx, '=', "\"=\" after a method") ||
	    (r->result = read_keyword(lx, "a result")) == NULL)
		return FALSE;
	for (;;) {
		gboolean spaced = skip_cfws(lx);
		char *ptype;

		if (lx->failed)
			return FALSE;
		if (at_end(lx) || peek(lx) == ';')
			return TRUE;
		if (!spaced)
			return fail(lx, "white space or \";\"");
		ptype = read_keyword(lx, "a property or \";\"");
		if (ptype == NULL || !read_prop(lx, ptype, r))
			return FALSE;
	}
}

/* read_resinfo - one resinfo whose method keyword the caller has read
 * (transfer full); NULL on a syntax error */
static AuthResResult *
read_resinfo(Lex *lx, char *method)
{
	AuthResResult *r = g_new0(AuthResResult, 1);

	r->method = method;
	r->props = g_ptr_array_new_with_free_func(prop_free);
	if (!read_resinfo_rest(lx, r)) {
		result_free(r);
		return NULL;
	}
	return r;
}

/* read_results - "; none" or every resinfo up to the end */
static gboolean
read_results(Lex *lx, AuthResults *ar)
{
	while (!at_end(lx)) {
		char *method;
		AuthResResult *r;

		if (!expect(lx, ';', "\";\""))
			return FALSE;
		if (at_end(lx) && ar->results->len > 0)
			break; /* a trailing ";" */
		method = read_keyword(lx, "a method");
		if (method == NULL)
			return FALSE;
		if (strcmp(method, "none") == 0 && ar->results->len == 0) {
			g_free(method);
			skip_cfws(lx);
			return at_end(lx) || fail(lx, "the end after \"none\"");
		}
		if (ar->results->len >= AUTHRES_MAX_RESULTS) {
			g_free(method);
			return fail(lx, "at most " G_STRINGIFY(
					    AUTHRES_MAX_RESULTS) " results");
		}
		r = read_resinfo(lx, method);
		if (r == NULL)
			return FALSE;
		g_ptr_array_add(ar->results, r);
	}
	if (ar->results->len == 0)
		return fail(lx, "\"; none\" or a result");
	return TRUE;
}

/* lex_init - a cursor over value, refused when too long */
static gboolean
lex_init(Lex *lx, const char *value, GError **error)
{
	lx->s = value;
	lx->i = 0;
	lx->n = 0;
	while (lx->n <= AUTHRES_MAX_LEN && value[lx->n] != '\0')
		lx->n++;
	lx->error = error;
	lx->failed = FALSE;
	if (lx->n > AUTHRES_MAX_LEN)
		return fail(lx, "a field of at most " G_STRINGIFY(
				    AUTHRES_MAX_LEN) " bytes");
	for (gsize i = 0; i < lx->n; i++) {
		guchar c = (guchar)value[i];

		if ((c < ' ' && !is_wsp((char)c)) || c == 0x7f) {
			lx->i = i;
			return fail(lx, "no control characters");
		}
	}
	return TRUE;
}

/* read_field - authserv-id, version and results into ar */
static gboolean
read_field(Lex *lx, AuthResults *ar)
{
	skip_cfws(lx);
	if (lx->failed ||
	    (ar->authserv_id = read_value(lx, "an authserv-id")) == NULL)
		return FALSE;
	if (skip_cfws(lx) && g_ascii_isdigit(peek(lx))) {
		if (!read_digits(lx, &ar->version))
			return FALSE;
		skip_cfws(lx);
	}
	/* an error deep in a CFWS may leave a result behind: the flag,
	 * not the path taken, decides */
	return !lx->failed && read_results(lx, ar) && !lx->failed;
}

/* authres_parse - one field value by RFC 8601's grammar */
AuthResults *
authres_parse(const char *value, GError **error)
{
	AuthResults *ar;
	Lex lx;

	g_return_val_if_fail(value != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!lex_init(&lx, value, error))
		return NULL;
	ar = g_new0(AuthResults, 1);
	ar->version = 1;
	ar->results = g_ptr_array_new_with_free_func(result_free);
	if (!read_field(&lx, ar)) {
		authres_free(ar);
		return NULL;
	}
	return ar;
}

/* authres_parse_id - the authserv-id alone, or NULL */
char *
authres_parse_id(const char *value)
{
	Lex lx;

	g_return_val_if_fail(value != NULL, NULL);
	if (!lex_init(&lx, value, NULL))
		return NULL;
	skip_cfws(&lx);
	if (lx.failed)
		return NULL;
	return read_value(&lx, "an authserv-id");
}

/* authres_prop - the value of ptype.property in r, or NULL */
const char *
authres_prop(const AuthResResult *r, const char *ptype, const char *property)
{
	g_return_val_if_fail(
	    r != NULL && ptype != NULL && property != NULL, NULL);
	for (guint i = 0; i < r->props->len; i++) {
		const AuthResProp *p = r->props->pdata[i];

		if (g_ascii_strcasecmp(p->ptype, ptype) == 0 &&
		    g_ascii_strcasecmp(p->property, property) == 0)
			return p->value;
	}
	return NULL;
}
