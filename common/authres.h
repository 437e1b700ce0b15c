/*
 * authres.h - Authentication-Results header fields (RFC 8601), parsed
 *
 * SYNOPSIS
 *	g_autoptr(AuthResults) ar = authres_parse(value, &error);
 *	for (guint i = 0; ar != NULL && i < ar->results->len; i++) {
 *		const AuthResResult *r = ar->results->pdata[i];
 *		const char *d = authres_prop(r, "header", "from");
 *		...
 *	}
 *	g_autofree char *id = authres_parse_id(value);
 *
 * DESCRIPTION
 *	authres_parse() reads the value of one Authentication-Results
 *	field (what follows the colon; folded or not) by the grammar of
 *	RFC 8601 section 2.2: an authserv-id (token or quoted-string), an
 *	optional version, then "; none" or one or more resinfo, each
 *	"method[/version]=result", an optional "reason=value" and
 *	properties "ptype.property=pvalue". Comments (nested) and quoted
 *	strings (with quoted-pairs) are understood wherever CFWS may
 *	stand, so "dmarc=fail (dmarc=pass)" is one dmarc result, "fail",
 *	and a quoted local part in smtp.mailfrom is one value whatever it
 *	holds. Anything the grammar does not allow is an error: a caller
 *	that trusts the field must not guess at a field it cannot read.
 *
 *	Three liberties, all from verifiers seen in the wild and none
 *	able to change how the rest of a field is read (a result only
 *	ever begins after ";"): a pvalue may hold any printable characters
 *	but space, ";", "(", ")", "\" and '"' (header.b values carry "/",
 *	"+" and "="); "reason=" may stand among the properties; and a
 *	property may lack its ptype ("x-bits=2048", "action=none"), kept
 *	with ptype "". Methods, results, ptypes and properties are
 *	lower-cased (RFC 8601 compares them without case); values keep
 *	their case, quotes and quoted-pairs removed.
 *
 *	authres_parse_id() returns only the authserv-id of a field, for
 *	a field that authres_parse() refuses (a field with a trusted id
 *	that cannot be read must still be counted as one).
 *
 *	authres_prop() returns the value of the first property ptype.property
 *	of a result (both compared without case), or NULL.
 *
 * OWNERSHIP
 *	Results are new (transfer full); authres_free() accepts NULL. The
 *	input is borrowed. authres_prop() returns borrowed storage.
 *
 * ERRORS
 *	AUTHRES_ERROR_SYNTAX, naming the offset and what was expected.
 *	Inputs over AUTHRES_MAX_LEN bytes or with more than
 *	AUTHRES_MAX_RESULTS results are refused the same way.
 *
 * THREADS
 *	Reentrant; no globals.
 */
#ifndef PA_AUTHRES_H
#define PA_AUTHRES_H

#include <glib.h>

#define AUTHRES_ERROR (authres_error_quark())
GQuark authres_error_quark(void);
typedef enum {
	AUTHRES_ERROR_SYNTAX,
} AuthResError;

#define AUTHRES_MAX_LEN 16384  /* bytes of one field value */
#define AUTHRES_MAX_RESULTS 64 /* resinfo per field */

typedef struct {
	char *ptype;    /* "smtp", "header", "policy", ..., lower case;
			   "" for a bare "name=value" */
	char *property; /* "mailfrom", "from", "d", ..., lower case */
	char *value;    /* unquoted; "" for an empty quoted string */
} AuthResProp;

typedef struct {
	char *method;     /* "dmarc", "dkim", ..., lower case, no version */
	char *result;     /* "pass", "fail", ..., lower case */
	char *reason;     /* the reason= value, or NULL */
	GPtrArray *props; /* of AuthResProp *, in order, never NULL */
} AuthResResult;

typedef struct {
	char *authserv_id;  /* as written, unquoted */
	guint version;      /* 1 when none was written */
	GPtrArray *results; /* of AuthResResult *; empty for "none" */
} AuthResults;

AuthResults *authres_parse(const char *value, GError **error);
char *authres_parse_id(const char *value);
const char *authres_prop(
    const AuthResResult *r, const char *ptype, const char *property);
void authres_free(AuthResults *ar);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AuthResults, authres_free)

#endif /* PA_AUTHRES_H */
