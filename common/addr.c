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

/* addr_plus_token - the gateway's addresses that carry a token
 * (intro+TOKEN@, unsubscribe+TOKEN@): tokens are base32, written in
 * lower case, and read without case */
char *
addr_plus_token(const char *addr, const char *localpart, const char *domain)
{
	size_t lp = strlen(localpart);
	const char *at;

	if (!addr_in_domain(addr, domain) ||
	    g_ascii_strncasecmp(addr, localpart, lp) != 0 || addr[lp] != '+')
		return NULL;
	at = strrchr(addr, '@');
	return g_ascii_strdown(addr + lp + 1, at - (addr + lp + 1));
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

/* is_atext - RFC 5322 atext, the characters of a dot-atom */
static gboolean
is_atext(char c)
{
	return g_ascii_isalnum(c) ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* check_local - problems of a local part: syntax, ASCII, routing */
static AddrProblem
check_local(const char *local, size_t len)
{
	if (len == 0 || len > 64 || local[0] == '.' || local[len - 1] == '.')
		return ADDR_SYNTAX;
	for (size_t i = 0; i < len; i++) {
		char c = local[i];

		if ((guchar)c >= 0x80)
			return ADDR_NOT_ASCII;
		if (c == '%' || c == '!' || c == ':' || c == '[' || c == ']')
			return ADDR_ROUTING;
		if (c == '.' ? local[i + 1] == '.' : !is_atext(c))
			return ADDR_SYNTAX;
	}
	return ADDR_OK;
}

/* check_domain - an ASCII domain: labels of letters, digits and inner
 * hyphens, at least two, the last not all digits */
static gboolean
check_domain(const char *domain)
{
	g_auto(GStrv) labels = NULL;
	guint n;
	gboolean digits = TRUE;

	if (strlen(domain) > 253)
		return FALSE;
	labels = g_strsplit(domain, ".", -1);
	n = g_strv_length(labels);
	if (n < 2)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const char *l = labels[i];
		size_t len = strlen(l);

		if (len == 0 || len > 63 || l[0] == '-' || l[len - 1] == '-')
			return FALSE;
		for (const char *p = l; *p; p++)
			if (!g_ascii_isalnum(*p) && *p != '-')
				return FALSE;
	}
	for (const char *p = labels[n - 1]; *p; p++)
		digits = digits && g_ascii_isdigit(*p);
	return !digits;
}

/* is_reserved - a special-use name that never reaches an Internet
 * mailbox (addr.h lists them and says why) */
static gboolean
is_reserved(const char *domain)
{
	static const char *const tlds[] = { "localhost", "local", "invalid",
		"internal", "arpa", "onion", "alt" };
	const char *tld = strrchr(domain, '.');

	tld = tld != NULL ? tld + 1 : domain;
	for (gsize i = 0; i < G_N_ELEMENTS(tlds); i++)
		if (g_ascii_strcasecmp(tld, tlds[i]) == 0)
			return TRUE;
	return g_ascii_strcasecmp(domain, "localhost") == 0;
}

/* in_or_under - domain is own or a name below it */
static gboolean
in_or_under(const char *domain, const char *own)
{
	size_t d = strlen(domain), o = strlen(own);

	if (d == o)
		return g_ascii_strcasecmp(domain, own) == 0;
	return d > o && domain[d - o - 1] == '.' &&
	       g_ascii_strcasecmp(domain + d - o, own) == 0;
}

/* is_role - a role account (addr.h), "+detail" ignored */
static gboolean
is_role(const char *local, size_t len)
{
	static const char *const roles[] = { "postmaster", "abuse",
		"hostmaster", "mailer-daemon", "root", "daemon", "nobody" };
	const char *plus = memchr(local, '+', len);
	size_t n = plus != NULL ? (size_t)(plus - local) : len;

	for (gsize i = 0; i < G_N_ELEMENTS(roles); i++)
		if (strlen(roles[i]) == n &&
		    g_ascii_strncasecmp(local, roles[i], n) == 0)
			return TRUE;
	return FALSE;
}

/* addr_mailable - the address as the gateway would mail it, or NULL and
 * why not */
char *
addr_mailable(const char *addr, const char *own_domain, AddrProblem *problem)
{
	g_autofree char *a = addr_normalize(addr);
	g_autofree char *domain = NULL;
	const char *at;
	size_t local_len;

	g_return_val_if_fail(problem != NULL, NULL);
	*problem = ADDR_SYNTAX;
	if (a == NULL || (at = strrchr(a, '@')) == NULL)
		return NULL;
	local_len = (size_t)(at - a);
	*problem = check_local(a, local_len);
	if (*problem != ADDR_OK)
		return NULL;
	if (at[1] == '[') {
		*problem = ADDR_ROUTING;
		return NULL;
	}
	/* IDNA A-labels would be a g_hostname_to_ascii() away, but the
	 * rendered introduction is checked against addresses GMime reads
	 * back in U-labels: refused until that check compares A-labels */
	if (!g_str_is_ascii(at + 1)) {
		*problem = ADDR_NOT_ASCII;
		return NULL;
	}
	domain = g_strdup(at + 1);
	if (is_reserved(domain))
		*problem = ADDR_RESERVED;
	else if (!check_domain(domain))
		*problem = ADDR_BAD_DOMAIN;
	else if (own_domain != NULL && in_or_under(domain, own_domain))
		*problem = ADDR_OWN_DOMAIN;
	else if (is_role(a, local_len))
		*problem = ADDR_ROLE;
	if (*problem != ADDR_OK)
		return NULL;
	for (char *p = domain; *p; p++)
		*p = g_ascii_tolower(*p);
	return g_strdup_printf("%.*s@%s", (int)local_len, a, domain);
}

/* addr_problem_text - why an address is refused, for a reply */
const char *
addr_problem_text(AddrProblem problem)
{
	switch (problem) {
	case ADDR_OK:
		return "it can be mailed";
	case ADDR_SYNTAX:
		return "it is not a valid mail address";
	case ADDR_NOT_ASCII:
		return "it is not ASCII, and this gateway does not send "
		       "internationalised (SMTPUTF8) mail";
	case ADDR_ROUTING:
		return "it routes mail through another host (\"%\", \"!\", "
		       "\":\" or an IP address literal), which is not allowed";
	case ADDR_BAD_DOMAIN:
		return "its domain is not a valid Internet domain name";
	case ADDR_RESERVED:
		return "its domain is a reserved name that does not reach "
		       "anyone on the Internet";
	case ADDR_OWN_DOMAIN:
		return "it belongs to this gateway's own domain";
	case ADDR_ROLE:
		return "it is a role account (postmaster, root, ...), not a "
		       "person";
	}
	return "it cannot be used";
}
