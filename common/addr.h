/*
 * addr.h - mail addresses: checking, normalising, share addresses
 *
 * SYNOPSIS
 *	char *a = addr_normalize("<Jane@Example.NET>");   // "Jane@example.net"
 *	ShareAddrKind k = addr_parse_share(rcpt, cfg->domain,
 *	    cfg->share_localpart, &target);
 *
 * DESCRIPTION
 *	addr_is_safe() is the last check before an address reaches an SMTP
 *	command: no CR, LF, spaces or controls, exactly one "@", non-empty
 *	local part and domain, at most 254 octets.
 *
 *	addr_normalize() strips angle brackets and surrounding space and
 *	lower-cases the domain only (local parts are case-sensitive in
 *	principle); NULL when the result is not safe.
 *
 *	addr_parse_share() reads a recipient of the gateway's domain:
 *	"share@D" (SHARE_ADDR_PLAIN), "share+HANDLE@D" (SHARE_ADDR_HANDLE,
 *	target = the handle, lower-cased), "share+local=domain.tld@D"
 *	(SHARE_ADDR_ADDRESS, target = "local@domain.tld" normalised; the last
 *	"=" stands for the "@"). Anything else is SHARE_ADDR_NONE. The domain
 *	and the "share" local part compare without case.
 *
 * OWNERSHIP
 *	Returned strings are new (transfer full); arguments are borrowed.
 *
 * ERRORS
 *	None: NULL or SHARE_ADDR_NONE for bad input.
 *
 * THREADS
 *	Reentrant.
 */
#ifndef PA_ADDR_H
#define PA_ADDR_H

#include <glib.h>

typedef enum {
	SHARE_ADDR_NONE,
	SHARE_ADDR_PLAIN,
	SHARE_ADDR_HANDLE,
	SHARE_ADDR_ADDRESS,
} ShareAddrKind;

gboolean addr_is_safe(const char *addr);
char *addr_normalize(const char *addr);
gboolean addr_in_domain(const char *addr, const char *domain);
ShareAddrKind addr_parse_share(
    const char *rcpt, const char *domain, const char *localpart, char **target);

#endif /* PA_ADDR_H */
