/*
 * test_web.c - the endpoint's parts that need no socket: the rate
 * limit's token bucket (the clock is a number passed in) and the text
 * that reaches a page. The routes themselves run against the real
 * daemon in tests/e2e/t-web.sh.
 */
#include "config.h"

#include <string.h>

#include "web/web_int.h"

#define MINUTE ((gint64)60 * G_USEC_PER_SEC)

/* test_rate_bucket - per_minute at once, then one every 60/per_minute s */
static void
test_rate_bucket(void)
{
	g_autoptr(WebRate) r = web_rate_new(30);
	guint retry = 0;
	gint64 t = 1000 * MINUTE;

	for (int i = 0; i < 30; i++)
		g_assert_true(web_rate_take(r, "192.0.2.1", t, &retry));
	g_assert_false(web_rate_take(r, "192.0.2.1", t, &retry));
	g_assert_cmpuint(retry, ==, 2); /* one token per 2 s */
	/* another address is not affected */
	g_assert_true(web_rate_take(r, "192.0.2.2", t, &retry));
	/* 1.9 s later still nothing, 2 s later one, not two */
	g_assert_false(web_rate_take(
	    r, "192.0.2.1", t + 19 * G_USEC_PER_SEC / 10, &retry));
	g_assert_cmpuint(retry, ==, 1);
	g_assert_true(
	    web_rate_take(r, "192.0.2.1", t + 2 * G_USEC_PER_SEC, &retry));
	g_assert_false(
	    web_rate_take(r, "192.0.2.1", t + 2 * G_USEC_PER_SEC, &retry));
	/* a quiet hour refills to 30, not more */
	t += 60 * MINUTE;
	for (int i = 0; i < 30; i++)
		g_assert_true(web_rate_take(r, "192.0.2.1", t, &retry));
	g_assert_false(web_rate_take(r, "192.0.2.1", t, &retry));
	/* time going backwards takes nothing back */
	g_assert_false(web_rate_take(r, "192.0.2.1", t - MINUTE, &retry));
}

/* test_rate_bounded - a flood of addresses cannot grow the table past
 * WEB_RATE_KEYS: full buckets are forgotten, busy ones refuse newcomers */
static void
test_rate_bounded(void)
{
	g_autoptr(WebRate) r = web_rate_new(2);
	guint retry = 0;
	gint64 t = 1000 * MINUTE;
	char key[32];

	for (int i = 0; i < WEB_RATE_KEYS; i++) {
		g_snprintf(key, sizeof key, "k%d", i);
		g_assert_true(web_rate_take(r, key, t, &retry));
	}
	/* every bucket in use: a new key waits */
	g_assert_false(web_rate_take(r, "new", t, &retry));
	g_assert_cmpuint(retry, ==, 60);
	/* known keys still have their own */
	g_assert_true(web_rate_take(r, "k1", t, &retry));
	/* once they refilled, they are forgotten and the newcomer fits */
	g_assert_true(web_rate_take(r, "new", t + MINUTE, &retry));
	g_assert_true(web_rate_take(r, "k1", t + MINUTE, &retry));
	/* 0: no limit */
	{
		g_autoptr(WebRate) none = web_rate_new(0);

		for (int i = 0; i < 1000; i++)
			g_assert_true(web_rate_take(none, "x", t, &retry));
	}
}

/* test_page_text - escaped, one line, no address before a yes */
static void
test_page_text(void)
{
	g_autofree char *h = web_html("<script>\"x\" & 'y'</script>\r\nz", 200);
	g_autofree char *p =
	    web_public("Talk for <b>us</b>? write dana@confs.example now", 200);
	g_autofree char *none = web_public("dana@confs.example", 200);
	g_autofree char *bidi = web_html("a\xe2\x80\xae"
					 "b",
	    200);
	g_autofree char *page = NULL;

	g_assert_null(strchr(h, '<'));
	g_assert_null(strchr(h, '"'));
	g_assert_null(strchr(h, '\n'));
	g_assert_nonnull(strstr(h, "&lt;script&gt;"));
	g_assert_nonnull(strstr(h, "&amp;"));
	g_assert_cmpstr(p, ==, "Talk for &lt;b&gt;us&lt;/b&gt;? write now");
	g_assert_null(none);
	g_assert_cmpstr(bidi, ==, "ab");
	page = web_page("pass<along>", "Title & more", "<p>body</p>\n");
	g_assert_true(g_str_has_prefix(page, "<!DOCTYPE html>\n"));
	g_assert_nonnull(strstr(page, "<html lang=\"en\">"));
	g_assert_nonnull(strstr(
	    page, "<title>Title &amp; more - pass&lt;along&gt;</title>"));
	g_assert_nonnull(strstr(page, "<h1>Title &amp; more</h1>"));
	g_assert_null(strstr(page, "<script"));
	g_assert_null(strstr(page, "http"));
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web/rate/bucket", test_rate_bucket);
	g_test_add_func("/web/rate/bounded", test_rate_bounded);
	g_test_add_func("/web/page/text", test_page_text);
	return g_test_run();
}
