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
 *	addr_mailable() decides whether the gateway may send mail to an
 *	address it took from a share (a friend named in the share
 *	address, the requester of a forward). It returns the address as it
 *	will be mailed (normalised, the domain in lower case), or NULL and
 *	the first problem found, in this order:
 *	  ADDR_SYNTAX       not one dot-atom "@" domain
 *	  ADDR_NOT_ASCII    the local part or the domain is not ASCII: it
 *	                    would need SMTPUTF8, which the gateway does not
 *	                    speak (a domain in IDNA A-labels, "xn--...",
 *	                    is ASCII and passes)
 *	  ADDR_ROUTING      "%", "!" or ":" in the local part (old routing
 *	                    syntaxes relays may still obey), or an address
 *	                    literal ("[192.0.2.1]") for a domain
 *	  ADDR_BAD_DOMAIN   not a DNS name of at least two labels, each of
 *	                    letters, digits and inner hyphens, the last one
 *	                    not all digits (so "c", "192.0.2.1")
 *	  ADDR_RESERVED     a name that never reaches a mailbox on the
 *	                    Internet: "localhost" and the top-level names
 *	                    localhost and invalid (RFC 6761), local (mDNS,
 *	                    RFC 6762), onion (RFC 7686), alt (RFC 9476),
 *	                    arpa (in-addr.arpa, home.arpa) and internal
 *	                    (ICANN's private-use name). "test" and
 *	                    "example" are not refused: mail to them fails
 *	                    harmlessly at the relay, and tests and
 *	                    documentation use them
 *	  ADDR_OWN_DOMAIN   own_domain or a host below it (the gateway's
 *	                    own hosts: no loops)
 *	  ADDR_ROLE         a role account that is never a person:
 *	                    postmaster, abuse, hostmaster, mailer-daemon,
 *	                    root, daemon, nobody (before any "+detail"), at
 *	                    any domain
 *	addr_problem_text() says why in words fit for an SMTP reply.
 *
 * OWNERSHIP
 *	Returned strings are new (transfer full); arguments are borrowed.
 *	addr_problem_text() returns a static string.
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
/* the TOKEN of LOCALPART+TOKEN@domain in addr (normalised), lower-cased;
 * NULL for any other address (transfer full) */
char *addr_plus_token(
    const char *addr, const char *localpart, const char *domain);
ShareAddrKind addr_parse_share(
    const char *rcpt, const char *domain, const char *localpart, char **target);

typedef enum {
	ADDR_OK,
	ADDR_SYNTAX,
	ADDR_NOT_ASCII,
	ADDR_ROUTING,
	ADDR_BAD_DOMAIN,
	ADDR_RESERVED,
	ADDR_OWN_DOMAIN,
	ADDR_ROLE,
} AddrProblem;

char *addr_mailable(
    const char *addr, const char *own_domain, AddrProblem *problem);
const char *addr_problem_text(AddrProblem problem);

#endif /* PA_ADDR_H */
