/*
 * share_header.c - what the forward's own header says: machine mail,
 *	list mail, and the author the operator's DMARC verifier vouches for
 *
 * Trust: every field is untrusted, written by whoever sent the message,
 * except an Authentication-Results field with the operator's
 * authserv-id, and that only because the operator's verifier removes
 * such fields from incoming mail before it adds its own (RFC 8601
 * section 5; passalong.conf(5) says so). Nothing here believes a field
 * it cannot read.
 * Privilege: the milter's worker threads; no I/O but the log.
 */
#include "config.h"

#include <string.h>

#include "common/addr.h"
#include "common/authres.h"
#include "common/log.h"
#include "milter/share_int.h"

/* skip_cfws - past white space and (nested) comments */
static const char *
skip_cfws(const char *p)
{
	for (;;) {
		guint depth = 0;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		do {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			p++;
		} while (*p != '\0' && depth > 0);
	}
}

/* field_keyword - the one keyword of a structured field value (letters,
 * digits, "-", "_", "."), lower-cased, with only comments, white space
 * or ";" parameters around it; NULL for anything else */
static char *
field_keyword(const char *value)
{
	const char *p = skip_cfws(value), *start = p;
	g_autofree char *word = NULL;

	while (g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.')
		p++;
	if (p == start)
		return NULL;
	word = g_ascii_strdown(start, p - start);
	p = skip_cfws(p);
	if (*p != '\0' && *p != ';')
		return NULL;
	return g_steal_pointer(&word);
}

/* share_is_automatic - mail a machine wrote, never shared (no loops) */
gboolean
share_is_automatic(GMimeMessage *msg)
{
	GMimeHeaderList *headers =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(headers);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *v = g_mime_header_get_value(h);
		g_autofree char *word = NULL;

		if (g_ascii_strcasecmp(
			g_mime_header_get_name(h), "Auto-Submitted") != 0)
			continue;
		word = field_keyword(v != NULL ? v : "");
		if (g_strcmp0(word, "no") != 0)
			return TRUE;
	}
	return FALSE;
}

/* share_list_field - the field that makes this list or bulk mail */
const char *
share_list_field(GMimeMessage *msg)
{
	GMimeHeaderList *headers =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(headers);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *name = g_mime_header_get_name(h);
		const char *v = g_mime_header_get_value(h);
		g_autofree char *word = NULL;

		if (g_ascii_strcasecmp(name, "List-Id") == 0)
			return "List-Id";
		if (g_ascii_strcasecmp(name, "Precedence") != 0)
			continue;
		word = field_keyword(v != NULL ? v : "");
		if (g_strcmp0(word, "bulk") == 0 ||
		    g_strcmp0(word, "list") == 0 ||
		    g_strcmp0(word, "junk") == 0)
			return "Precedence";
	}
	return NULL;
}

/* sole_from_address - the address of the message's one author: exactly
 * one From field holding exactly one mailbox, else NULL (DMARC speaks
 * for one From domain; with two, which one it checked is a guess) */
static char *
sole_from_address(GMimeMessage *msg)
{
	GMimeHeaderList *headers =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(headers), fields = 0;
	InternetAddressList *list;
	InternetAddress *ia;

	for (int i = 0; i < n; i++)
		if (g_ascii_strcasecmp(
			g_mime_header_get_name(
			    g_mime_header_list_get_header_at(headers, i)),
			"From") == 0)
			fields++;
	list = g_mime_message_get_from(msg);
	if (fields != 1 || list == NULL ||
	    internet_address_list_length(list) != 1)
		return NULL;
	ia = internet_address_list_get_address(list, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		return NULL;
	return addr_normalize(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
}

/* trusted_authres - the one Authentication-Results field with the
 * operator's authserv-id, parsed; NULL (and why) when there is none,
 * more than one (one of them the sender's: the verifier must strip
 * those, RFC 8601 section 5, so two mean it did not) or it cannot be
 * read. Fields of other ids are never looked at. */
static AuthResults *
trusted_authres(GMimeMessage *msg, const char *authserv_id, const char **why)
{
	GMimeHeaderList *headers =
	    g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(headers);
	const char *value = NULL;

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *raw = g_mime_header_get_raw_value(h);
		g_autofree char *id = NULL;

		if (g_ascii_strcasecmp(g_mime_header_get_name(h),
			"Authentication-Results") != 0 ||
		    raw == NULL)
			continue;
		id = authres_parse_id(raw);
		if (id == NULL || g_ascii_strcasecmp(id, authserv_id) != 0)
			continue;
		if (value != NULL) {
			*why = "more than one field with the trusted "
			       "authserv-id";
			return NULL;
		}
		value = raw;
	}
	if (value == NULL) {
		*why = "no field with the trusted authserv-id";
		return NULL;
	}
	AuthResults *ar = authres_parse(value, NULL);
	if (ar == NULL)
		*why = "the trusted field cannot be read";
	return ar;
}

/* dmarc_passed - the trusted field holds a dmarc result "pass" for
 * exactly the From address's domain, and no other dmarc result for it */
static gboolean
dmarc_passed(const AuthResults *ar, const char *from, const char **why)
{
	const char *domain = strrchr(from, '@') + 1;
	gboolean pass = FALSE;

	for (guint i = 0; i < ar->results->len; i++) {
		const AuthResResult *r = ar->results->pdata[i];
		const char *d = authres_prop(r, "header", "from");

		if (strcmp(r->method, "dmarc") != 0 || d == NULL ||
		    g_ascii_strcasecmp(d, domain) != 0)
			continue;
		if (strcmp(r->result, "pass") != 0) {
			*why = "dmarc did not pass";
			return FALSE;
		}
		pass = TRUE;
	}
	if (!pass)
		*why = "no dmarc=pass for the From domain";
	return pass;
}

/* share_dmarc_author - the From address when the operator's verifier
 * says DMARC passed for it, else NULL (why logged) */
char *
share_dmarc_author(const Config *cfg, const char *qid, GMimeMessage *msg)
{
	g_autofree char *from = sole_from_address(msg);
	g_autoptr(AuthResults) ar = NULL;
	const char *why = NULL;

	if (from == NULL)
		why = "not exactly one From mailbox";
	else if ((ar = trusted_authres(msg, cfg->authserv_id, &why)) != NULL &&
		 dmarc_passed(ar, from, &why))
		return g_steal_pointer(&from);
	log_info(qid, "dmarc: not verified (%s)", why);
	return NULL;
}
