/*
 * web_page.c - the endpoint's HTML (see web_int.h)
 *
 * Every page is one small document written here: no template file, no
 * script, no remote resource (the Content-Security-Policy allows only
 * the inline style). Text that came from mail goes through web_html()
 * (escaped, cleaned, one line, bounded); before a friend said yes,
 * through web_public() as well, which leaves out every word holding an
 * "@", as the consent mail does (templates/tmpl_share.c).
 */
#include "config.h"

#include <string.h>

#include "common/util.h"
#include "web/web_int.h"

static const char style[] =
    "body{font-family:system-ui,sans-serif;max-width:36em;margin:2em auto;"
    "padding:0 1em;line-height:1.5;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.5em}"
    "form{display:inline-block;margin:.5em 1em .5em 0}"
    "button{font:inherit;padding:.6em 1.2em;border:2px solid #1a1a1a;"
    "border-radius:.3em;background:#f2f2f2;color:#1a1a1a;cursor:pointer}"
    "button:focus{outline:3px solid #1a5fb4;outline-offset:2px}"
    "blockquote{margin:1em 0;padding-left:1em;border-left:4px solid #888}";

/* web_page - a whole page around body_html */
char *
web_page(const char *product, const char *title, const char *body_html)
{
	g_autofree char *p = web_html(product, 64);
	g_autofree char *t = web_html(title, 200);

	return g_strdup_printf("<!DOCTYPE html>\n"
			       "<html lang=\"en\">\n<head>\n"
			       "<meta charset=\"utf-8\">\n"
			       "<meta name=\"viewport\" "
			       "content=\"width=device-width, "
			       "initial-scale=1\">\n"
			       "<meta name=\"robots\" content=\"noindex\">\n"
			       "<title>%s - %s</title>\n"
			       "<style>%s</style>\n"
			       "</head>\n<body>\n<main>\n<h1>%s</h1>\n%s"
			       "</main>\n</body>\n</html>\n",
	    t, p, style, t, body_html);
}

/* web_html - text escaped for HTML, one clean line, at most max chars */
char *
web_html(const char *text, gsize max)
{
	g_autofree char *line = NULL;

	if (text == NULL)
		return g_strdup("");
	line = util_header_safe(text, max);
	return g_markup_escape_text(line != NULL ? line : "", -1);
}

/* web_public - web_html() without the words that hold an address */
char *
web_public(const char *text, gsize max)
{
	g_autofree char *line = NULL;
	g_auto(GStrv) words = NULL;
	g_autoptr(GString) kept = g_string_new(NULL);

	if (text == NULL || (line = util_header_safe(text, max)) == NULL)
		return NULL;
	words = g_strsplit_set(line, " \t", -1);
	for (char **w = words; *w != NULL; w++) {
		if (**w == '\0' || strchr(*w, '@') != NULL)
			continue;
		if (kept->len > 0)
			g_string_append_c(kept, ' ');
		g_string_append(kept, *w);
	}
	if (kept->len == 0)
		return NULL;
	return g_markup_escape_text(kept->str, -1);
}
