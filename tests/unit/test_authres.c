/*
 * test_authres.c - Authentication-Results parsing (RFC 8601)
 */
#include "config.h"

#include <string.h>

#include "common/authres.h"

/* parse_ok - parse a field that must be read */
static AuthResults *
parse_ok(const char *value)
{
	g_autoptr(GError) error = NULL;
	AuthResults *ar = authres_parse(value, &error);

	g_test_message("field: %s", value);
	g_assert_no_error(error);
	g_assert_nonnull(ar);
	return ar;
}

/* result_at - the i-th result */
static const AuthResResult *
result_at(const AuthResults *ar, guint i)
{
	g_assert_cmpuint(i, <, ar->results->len);
	return ar->results->pdata[i];
}

static void
test_parse_typical(void)
{
	g_autoptr(AuthResults) ar = parse_ok(
	    "mx.intro.example.org;\r\n\tdkim=pass (2048-bit key) "
	    "header.d=members.example header.i=@members.example "
	    "header.b=\"AbC/+=\";\r\n\tspf=pass smtp.mailfrom="
	    "chris@members.example;\r\n\tdmarc=pass (p=reject dis=none) "
	    "header.from=Members.Example");
	const AuthResResult *r;

	g_assert_cmpstr(ar->authserv_id, ==, "mx.intro.example.org");
	g_assert_cmpuint(ar->version, ==, 1);
	g_assert_cmpuint(ar->results->len, ==, 3);
	r = result_at(ar, 0);
	g_assert_cmpstr(r->method, ==, "dkim");
	g_assert_cmpstr(r->result, ==, "pass");
	g_assert_cmpstr(authres_prop(r, "header", "d"), ==, "members.example");
	g_assert_cmpstr(authres_prop(r, "header", "b"), ==, "AbC/+=");
	g_assert_cmpstr(authres_prop(r, "HEADER", "I"), ==, "@members.example");
	r = result_at(ar, 1);
	g_assert_cmpstr(r->method, ==, "spf");
	g_assert_cmpstr(
	    authres_prop(r, "smtp", "mailfrom"), ==, "chris@members.example");
	r = result_at(ar, 2);
	g_assert_cmpstr(r->method, ==, "dmarc");
	g_assert_cmpstr(r->result, ==, "pass");
	g_assert_cmpstr(
	    authres_prop(r, "header", "from"), ==, "Members.Example");
	g_assert_null(authres_prop(r, "smtp", "mailfrom"));
}

static void
test_parse_forms(void)
{
	g_autoptr(AuthResults) none = parse_ok("example.org 1; none");
	g_autoptr(AuthResults) quoted =
	    parse_ok("\"mx.example.org\" 1 (v1); DMARC/1 (x) = (y) PASS "
		     "reason=\"aligned; fine\" header . from = example.com;");
	g_autoptr(AuthResults) unbroken = parse_ok(
	    "mx.example.org;spf=pass smtp.mailfrom=a@b.example;dkim=none");
	const AuthResResult *r;

	g_assert_cmpuint(none->results->len, ==, 0);
	g_assert_cmpstr(quoted->authserv_id, ==, "mx.example.org");
	r = result_at(quoted, 0);
	g_assert_cmpstr(r->method, ==, "dmarc");
	g_assert_cmpstr(r->result, ==, "pass");
	g_assert_cmpstr(r->reason, ==, "aligned; fine");
	g_assert_cmpstr(authres_prop(r, "header", "from"), ==, "example.com");
	g_assert_cmpuint(unbroken->results->len, ==, 2);
	g_assert_cmpstr(result_at(unbroken, 1)->result, ==, "none");
}

/* test_parse_tricks - what a sender can write does not become a pass */
static void
test_parse_tricks(void)
{
	g_autoptr(AuthResults) comment = parse_ok(
	    "mx.example.org; dmarc=fail (dmarc=pass header.from=a.example) "
	    "header.from=a.example");
	g_autoptr(AuthResults) passive =
	    parse_ok("mx.example.org; dmarc=passive header.from=a.example");
	g_autoptr(AuthResults) mailfrom =
	    parse_ok("mx.example.org; spf=pass smtp.mailfrom=\"x dmarc=pass "
		     "header.from=a.example\"@evil.example");
	g_autoptr(AuthResults) nested = parse_ok(
	    "mx.example.org; dkim=pass (a (b \\) c) d) header.d=x.example");
	const AuthResResult *r;

	r = result_at(comment, 0);
	g_assert_cmpuint(comment->results->len, ==, 1);
	g_assert_cmpstr(r->result, ==, "fail");
	g_assert_cmpstr(result_at(passive, 0)->result, ==, "passive");
	g_assert_cmpuint(mailfrom->results->len, ==, 1);
	r = result_at(mailfrom, 0);
	g_assert_cmpstr(r->method, ==, "spf");
	g_assert_cmpstr(authres_prop(r, "smtp", "mailfrom"), ==,
	    "x dmarc=pass header.from=a.example@evil.example");
	g_assert_cmpuint(r->props->len, ==, 1);
	g_assert_cmpstr(
	    authres_prop(result_at(nested, 0), "header", "d"), ==, "x.example");
}

/* test_parse_verifiers - fields as deployed verifiers write them,
 * bare "name=value" properties (not in the grammar) included */
static void
test_parse_verifiers(void)
{
	g_autoptr(AuthResults) am = parse_ok(
	    "mx.example.org; arc=none (no signatures found);\r\n"
	    "\tdkim=pass (2048-bit rsa key sha256) header.d=example.com "
	    "header.i=@example.com header.b=Abcd header.a=rsa-sha256 "
	    "header.s=sel x-bits=2048;\r\n"
	    "\tdmarc=pass policy.published-domain-policy=none "
	    "(p=none,d=none,d.eval=none) policy.policy-from=p "
	    "header.from=example.com;\r\n"
	    "\tiprev=pass smtp.remote-ip=192.0.2.1 (host.example.com);\r\n"
	    "\tspf=pass smtp.mailfrom=x@example.com "
	    "smtp.helo=host.example.com");
	g_autoptr(AuthResults) ms = parse_ok(
	    "mx.example.org; dmarc=pass action=none header.from=example.com;"
	    "compauth=pass reason=100");
	g_autoptr(AuthResults) bare = parse_ok(
	    "mx.example.org; dmarc=fail header.from=a.example dmarc=pass");
	const AuthResResult *r;

	g_assert_cmpuint(am->results->len, ==, 5);
	r = result_at(am, 1);
	g_assert_cmpstr(authres_prop(r, "", "x-bits"), ==, "2048");
	r = result_at(am, 2);
	g_assert_cmpstr(r->method, ==, "dmarc");
	g_assert_cmpstr(authres_prop(r, "header", "from"), ==, "example.com");
	r = result_at(ms, 0);
	g_assert_cmpstr(r->result, ==, "pass");
	g_assert_cmpstr(authres_prop(r, "header", "from"), ==, "example.com");
	g_assert_cmpstr(result_at(ms, 1)->reason, ==, "100");
	/* a bare "dmarc=pass" is a property of the result before it */
	g_assert_cmpuint(bare->results->len, ==, 1);
	r = result_at(bare, 0);
	g_assert_cmpstr(r->result, ==, "fail");
	g_assert_cmpstr(authres_prop(r, "", "dmarc"), ==, "pass");
}

static void
test_parse_errors(void)
{
	const char *bad[] = {
		"",
		"   ",
		"mx.example.org",
		"mx.example.org;",
		"mx.example.org; dmarc",
		"mx.example.org; dmarc=",
		"mx.example.org; dmarc=pass header.from",
		"mx.example.org; dmarc=pass header.from=",
		"mx.example.org; dmarc=pass (unclosed",
		"mx.example.org; dmarc=pass header.from=\"unclosed",
		"mx.example.org; dmarc=pass.x header.from=a.example",
		"mx.example.org; spf=pass smtp.mailfrom=a;b@c dmarc=pass",
		"mx.example.org; none; dmarc=pass",
		"mx.example.org; dmarc=pass header.from=a\x01.example",
		"mx.example.org dmarc=pass",
		"mx.example.org; -dmarc=pass",
		"mx.example.org; dmarc=pass header.from=a.example\"x\"",
		"@; dmarc=pass",
		"mx.example.org; none (", /* found by fuzz_authres */
		"mx.example.org; dmarc=pass (",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(AuthResults) ar = authres_parse(bad[i], &error);

		g_test_message("field: %s", bad[i]);
		g_assert_null(ar);
		g_assert_error(error, AUTHRES_ERROR, AUTHRES_ERROR_SYNTAX);
	}
}

static void
test_parse_limits(void)
{
	g_autoptr(GString) big = g_string_new("mx.example.org");
	g_autoptr(GError) error = NULL;
	g_autoptr(AuthResults) ar = NULL;

	for (int i = 0; i <= AUTHRES_MAX_RESULTS; i++)
		g_string_append(big, "; dkim=pass");
	ar = authres_parse(big->str, &error);
	g_assert_null(ar);
	g_assert_error(error, AUTHRES_ERROR, AUTHRES_ERROR_SYNTAX);
	g_clear_error(&error);
	while (big->len <= AUTHRES_MAX_LEN)
		g_string_append(big, " (padding padding padding)");
	ar = authres_parse(big->str, &error);
	g_assert_null(ar);
	g_assert_error(error, AUTHRES_ERROR, AUTHRES_ERROR_SYNTAX);
}

static void
test_parse_id(void)
{
	g_autofree char *a = authres_parse_id("  mx.example.org; garbage ((");
	g_autofree char *b = authres_parse_id("\"mx.example.org\"; x");
	g_autofree char *c = authres_parse_id("; dmarc=pass");
	g_autofree char *d = authres_parse_id("(unclosed mx.example.org");

	g_assert_cmpstr(a, ==, "mx.example.org");
	g_assert_cmpstr(b, ==, "mx.example.org");
	g_assert_null(c);
	g_assert_null(d);
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/authres/parse/typical", test_parse_typical);
	g_test_add_func("/authres/parse/forms", test_parse_forms);
	g_test_add_func("/authres/parse/tricks", test_parse_tricks);
	g_test_add_func("/authres/parse/verifiers", test_parse_verifiers);
	g_test_add_func("/authres/parse/errors", test_parse_errors);
	g_test_add_func("/authres/parse/limits", test_parse_limits);
	g_test_add_func("/authres/parse_id/cases", test_parse_id);
	return g_test_run();
}
