/*
 * util.h - small helpers every module needs: time and untrusted text
 *
 * SYNOPSIS
 *	char *t = util_rfc3339_utc(g_get_real_time() / G_USEC_PER_SEC);
 *	char *s = util_text_clean(raw, len);       // safe UTF-8 text
 *	char *h = util_header_safe(name);          // one line, no controls
 *
 * DESCRIPTION
 *	util_rfc3339_utc() formats seconds since the epoch as
 *	"2026-11-22T10:59:00Z".
 *
 *	util_text_clean() makes any bytes into valid UTF-8 text fit to show
 *	or store: invalid sequences become U+FFFD, C0/C1 controls other than
 *	TAB and LF are dropped (CR too), and so are bidi overrides and
 *	isolates (U+202A-202E, U+2066-2069), zero-width characters (U+200B-
 *	200D, U+2060, U+FEFF) and the like. len may be -1 for a C string.
 *
 *	util_header_safe() is util_text_clean() for one header value or one
 *	log field: every run of whitespace (LF and TAB included) becomes one
 *	space, the result is trimmed and cut to max_chars characters (0 = no
 *	cut). It never contains CR or LF.
 *
 *	util_utf8_head() is the first max_chars characters of valid UTF-8
 *	text (all of it when shorter), as g_utf8_substring(text, 0,
 *	MIN(g_utf8_strlen(text, -1), max_chars)) but reading no further
 *	than it keeps: a 2 MB body costs what its head costs.
 *
 * OWNERSHIP
 *	Returned strings are new (transfer full); NULL in gives NULL out.
 *
 * ERRORS, THREADS
 *	None; reentrant.
 */
#ifndef PA_UTIL_H
#define PA_UTIL_H

#include <glib.h>

char *util_rfc3339_utc(gint64 unix_seconds);
gint64 util_now(void);
char *util_text_clean(const char *text, gssize len);
char *util_header_safe(const char *text, gsize max_chars);
char *util_utf8_head(const char *text, gsize max_chars);
gboolean util_is_invisible(gunichar c);

#endif /* PA_UTIL_H */
