/*
 * addr.c - mail addresses: checking, normalising, share addresses
 *
 * Trust: every input is untrusted (it comes from SMTP envelopes or from
 * mail text); nothing here allocates more than the input's length.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"

#define ADDR_MAX 254

/* addr_is_safe - an address that can go into an SMTP command as is */
gboolean
addr_is_safe(const char *addr)
{
	const char *at = NULL;
	size_t n = 0;

	if (addr == NULL)
		return FALSE;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++) {
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == '(' || *p == ')' || *p == ',' || *p == ';' ||
		    *p == '\\' || *p == '"')
			return FALSE;
		if (*p == '@') {
			if (at != NULL)
				return FALSE;
			at = (const char *)p;
		}
		n++;
	}
	if (at == NULL || at == addr || at[1] == '\0' || n > ADDR_MAX)
		return FALSE;
	if (at[1] == '.' || addr[n - 1] == '.' || strstr(at, "..") != NULL)
		return FALSE;
	return g_utf8_validate(addr, -1, NULL);
}

/* addr_normalize - strip <> and space, lower-case the domain */
char *
addr_normalize(const char *addr)
{
	g_autofree char *s = NULL;
	char *at;

	if (addr == NULL)
		return NULL;
	s = g_strstrip(g_strdup(addr));
	if (s[0] == '<') {
		size_t n = strlen(s);

		if (n < 2 || s[n - 1] != '>')
			return NULL;
		s[n - 1] = '\0';
		memmove(s, s + 1, n - 1);
		g_strstrip(s);
	}
	at = strrchr(s, '@');
	if (at == NULL)
		return NULL;
	for (char *p = at + 1; *p; p++)
		*p = g_ascii_tolower(*p);
	if (!addr_is_safe(s))
		return NULL;
	return g_steal_pointer(&s);
}

/* addr_in_domain - whether addr's domain is domain (no case) */
gboolean
addr_in_domain(const char *addr, const char *domain)
{
	const char *at;

	if (addr == NULL || domain == NULL)
		return FALSE;
	at = strrchr(addr, '@');
	return at != NULL && g_ascii_strcasecmp(at + 1, domain) == 0;
}

/* addr_parse_share - what a recipient of the gateway's domain asks for */
ShareAddrKind
addr_parse_share(
    const char *rcpt, const char *domain, const char *localpart, char **target)
{
	g_autofree char *a = addr_normalize(rcpt);
	g_autofree char *local = NULL;
	size_t lp = strlen(localpart);
	char *at, *ext, *eq;

	*target = NULL;
	if (a == NULL || !addr_in_domain(a, domain))
		return SHARE_ADDR_NONE;
	at = strrchr(a, '@');
	local = g_strndup(a, (gsize)(at - a));
	if (g_ascii_strncasecmp(local, localpart, lp) != 0)
		return SHARE_ADDR_NONE;
	if (local[lp] == '\0')
		return SHARE_ADDR_PLAIN;
	if (local[lp] != '+' || local[lp + 1] == '\0')
		return SHARE_ADDR_NONE;
	ext = local + lp + 1;
	eq = strrchr(ext, '=');
	if (eq == NULL) {
		for (char *p = ext; *p; p++) {
			if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' &&
			    *p != '_')
				return SHARE_ADDR_NONE;
			*p = g_ascii_tolower(*p);
		}
		*target = g_strdup(ext);
		return SHARE_ADDR_HANDLE;
	}
	if (eq == ext || eq[1] == '\0')
		return SHARE_ADDR_NONE;
	*eq = '@';
	*target = addr_normalize(ext);
	return *target != NULL ? SHARE_ADDR_ADDRESS : SHARE_ADDR_NONE;
}
