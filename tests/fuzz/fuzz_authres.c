/*
 * fuzz_authres.c - libFuzzer harness: any bytes through authres_parse()
 *	and authres_parse_id()
 *
 * Built and run by tests/fuzz/run.sh with FUZZ_TARGET=authres (clang,
 * -fsanitize=fuzzer,address,undefined). Besides crashes, leaks and
 * undefined behaviour it checks what authres.h promises: an error or a
 * result, never both or neither; methods, results, ptypes and
 * properties are non-empty lower-case Ldh-strs (but the "" ptype of a
 * bare property); a field that parses has an authserv-id that
 * authres_parse_id() finds too; and a parsed
 * field written back in canonical form (every value quoted) parses to
 * the same thing, so no value can hide a result from the parser.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "common/authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_keyword - lower-case letters, digits, inner hyphens */
static void
check_keyword(const char *k)
{
	size_t n;

	g_assert_nonnull(k);
	n = strlen(k);
	g_assert_cmpuint(n, >, 0);
	g_assert_true(g_ascii_isalnum(k[0]) && k[n - 1] != '-');
	for (const char *p = k; *p; p++)
		g_assert_true(
		    g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-');
}

/* append_quoted - s as an RFC 2045 quoted-string */
static void
append_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

/* canonical - a parsed field written back, every value quoted */
static char *
canonical(const AuthResults *ar)
{
	GString *out = g_string_new(NULL);

	append_quoted(out, ar->authserv_id);
	g_string_append_printf(out, " %u", ar->version);
	if (ar->results->len == 0)
		g_string_append(out, "; none");
	for (guint i = 0; i < ar->results->len; i++) {
		const AuthResResult *r = ar->results->pdata[i];

		check_keyword(r->method);
		check_keyword(r->result);
		g_string_append_printf(out, "; %s=%s", r->method, r->result);
		if (r->reason != NULL) {
			g_string_append(out, " reason=");
			append_quoted(out, r->reason);
		}
		for (guint j = 0; j < r->props->len; j++) {
			const AuthResProp *p = r->props->pdata[j];

			if (*p->ptype != '\0')
				check_keyword(p->ptype);
			check_keyword(p->property);
			g_assert_nonnull(p->value);
			g_string_append_printf(out, " %s%s%s=", p->ptype,
			    *p->ptype != '\0' ? "." : "", p->property);
			append_quoted(out, p->value);
		}
	}
	return g_string_free(out, FALSE);
}

/* same - two parsed fields hold the same results */
static void
same(const AuthResults *a, const AuthResults *b)
{
	g_assert_cmpstr(a->authserv_id, ==, b->authserv_id);
	g_assert_cmpuint(a->results->len, ==, b->results->len);
	for (guint i = 0; i < a->results->len; i++) {
		const AuthResResult *x = a->results->pdata[i];
		const AuthResResult *y = b->results->pdata[i];

		g_assert_cmpstr(x->method, ==, y->method);
		g_assert_cmpstr(x->result, ==, y->result);
		g_assert_cmpstr(x->reason, ==, y->reason);
		g_assert_cmpuint(x->props->len, ==, y->props->len);
		for (guint j = 0; j < x->props->len; j++) {
			const AuthResProp *p = x->props->pdata[j];
			const AuthResProp *q = y->props->pdata[j];

			g_assert_cmpstr(p->ptype, ==, q->ptype);
			g_assert_cmpstr(p->property, ==, q->property);
			g_assert_cmpstr(p->value, ==, q->value);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *value = g_strndup((const char *)data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(AuthResults) ar = authres_parse(value, &error);
	g_autofree char *id = authres_parse_id(value);
	g_autofree char *text = NULL;
	g_autoptr(AuthResults) again = NULL;

	g_assert_true((ar == NULL) != (error == NULL));
	if (ar == NULL)
		return 0;
	g_assert_cmpstr(id, ==, ar->authserv_id);
	text = canonical(ar);
	if (strlen(text) > AUTHRES_MAX_LEN)
		return 0;
	again = authres_parse(text, &error);
	g_assert_no_error(error);
	same(ar, again);
	return 0;
}
