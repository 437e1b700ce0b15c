/*
 * util.c - time and untrusted text
 *
 * Trust: text arguments are untrusted bytes; output is bounded by input.
 */
#include "config.h"

#include <string.h>

#include "common/util.h"

/* util_now - seconds since the epoch */
gint64
util_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* util_rfc3339_utc - "YYYY-MM-DDTHH:MM:SSZ" */
char *
util_rfc3339_utc(gint64 unix_seconds)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(unix_seconds);

	if (dt == NULL)
		return g_strdup("1970-01-01T00:00:00Z");
	return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* util_is_invisible - controls, bidi overrides, zero-width characters */
gboolean
util_is_invisible(gunichar c)
{
	if (c == '\n' || c == '\t')
		return FALSE;
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return TRUE;
	if (c >= 0x200b && c <= 0x200f) /* zero-width, LRM, RLM */
		return TRUE;
	if (c >= 0x202a && c <= 0x202e) /* embeddings, overrides */
		return TRUE;
	if (c >= 0x2060 && c <= 0x2069) /* word joiner, isolates */
		return TRUE;
	if (c == 0xfeff || c == 0x061c || c == 0x00ad || c == 0x180e)
		return TRUE;
	return FALSE;
}

/* util_text_clean - valid UTF-8 without invisible or control characters */
char *
util_text_clean(const char *text, gssize len)
{
	GString *out;
	const char *p, *end;

	if (text == NULL)
		return NULL;
	if (len < 0)
		len = (gssize)strlen(text);
	out = g_string_sized_new((gsize)len + 1);
	p = text;
	end = text + len;
	while (p < end) {
		const char *run = p;
		gunichar c;

		/* most text is printable ASCII: copy it a run at a time */
		while (p < end &&
		       ((*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\t'))
			p++;
		if (p > run) {
			g_string_append_len(out, run, p - run);
			continue;
		}
		if (*p == '\0') { /* NUL: dropped like other controls */
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_unichar(out, 0xfffd);
			p++;
			continue;
		}
		if (!util_is_invisible(c))
			g_string_append_unichar(out, c);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

/* util_utf8_head - the first max_chars characters of valid UTF-8 text */
char *
util_utf8_head(const char *text, gsize max_chars)
{
	const char *p = text;

	if (text == NULL)
		return NULL;
	for (gsize n = 0; n < max_chars && *p != '\0'; n++)
		p = g_utf8_next_char(p);
	return g_strndup(text, (gsize)(p - text));
}

/* util_header_safe - one trimmed line of clean text, optionally cut */
char *
util_header_safe(const char *text, gsize max_chars)
{
	g_autofree char *clean = NULL;
	GString *out;
	gboolean space = FALSE;
	gsize n = 0;

	if (text == NULL)
		return NULL;
	clean = util_text_clean(text, -1);
	out = g_string_sized_new(strlen(clean));
	for (const char *p = clean; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isspace(c)) {
			space = out->len > 0;
			continue;
		}
		if (max_chars > 0 && n >= max_chars)
			break;
		if (space) {
			g_string_append_c(out, ' ');
			space = FALSE;
		}
		g_string_append_unichar(out, c);
		n++;
	}
	return g_string_free(out, FALSE);
}
