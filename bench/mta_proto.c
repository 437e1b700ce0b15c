/*
 * mta_proto.c - one message over one milter connection, as Postfix sends it
 *
 * Packets are a 4-byte length in network order (the command byte
 * included), the command byte and its data. The MTA offers protocol
 * version 6 with every action and step flag; the milter's answer says
 * which stages to leave out (SMFIP_NO*), which stages have no reply
 * (SMFIP_NR_*) and, optionally, which macros it wants per stage.
 * Trust: the milter's replies are checked for length and kind; a reply
 * that makes no sense ends the message as an error, never a crash.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench/mta_proto.h"

#define MAX_REPLY (1024 * 1024)
#define BODY_CHUNK 65535
#define MACRO_STAGES 7 /* SMFIM_CONNECT .. SMFIM_EOH */

/* Postfix's default macro lists, used where the milter names none
 * (less what this MTA never has a value for). */
static const char *const default_macros[MACRO_STAGES] = {
	"j {daemon_name} {daemon_addr} v _", /* connect */
	"{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
	"i {auth_type} {auth_authen} {mail_addr} {mail_mailer}", /* mail */
	"{rcpt_addr} {rcpt_host} {rcpt_mailer}",                 /* rcpt */
	"i",                                                     /* data */
	"i",                                                     /* eom */
	"",                                                      /* eoh */
};

/* The command whose macros a 'D' packet defines, by SMFIM_* stage. */
static const char stage_cmd[MACRO_STAGES] = { SMFIC_CONNECT, SMFIC_HELO,
	SMFIC_MAIL, SMFIC_RCPT, SMFIC_DATA, SMFIC_BODYEOB, SMFIC_EOH };

typedef struct {
	int fd;
	guint32 proto;              /* what the milter asked for */
	char *macros[MACRO_STAGES]; /* its lists, or NULL */
	const MtaEnvelope *env;
	MtaResult *res;
	GByteArray *in; /* the last reply's data */
} Conn;

/* proto_error - fill error with a protocol complaint */
static gboolean G_GNUC_PRINTF(2, 3)
    proto_error(GError **error, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, msg);
	return FALSE;
}

/* write_all - every byte of the iovec, or an error */
static gboolean
write_all(int fd, struct iovec *iov, int n, GError **error)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return proto_error(error, "write: %s",
			    w < 0 ? g_strerror(errno) : "closed");
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return TRUE;
}

/* send_cmd - one packet: length, command, data */
static gboolean
send_cmd(Conn *c, char cmd, const void *data, gsize len, GError **error)
{
	guint32 n = htonl((guint32)len + 1);
	struct iovec iov[3] = {
		{ &n, 4 },
		{ &cmd, 1 },
		{ (void *)data, len },
	};

	return write_all(c->fd, iov, len > 0 ? 3 : 2, error);
}

/* read_all - exactly len bytes, or an error */
static gboolean
read_all(int fd, void *buf, gsize len, GError **error)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return proto_error(error, "read: %s",
			    r < 0 ? g_strerror(errno) : "milter closed");
		p += r;
		len -= (gsize)r;
	}
	return TRUE;
}

/* read_reply - one packet from the milter into c->in; its command */
static gboolean
read_reply(Conn *c, char *cmd, GError **error)
{
	guint32 n;

	if (!read_all(c->fd, &n, 4, error))
		return FALSE;
	n = ntohl(n);
	if (n < 1 || n > MAX_REPLY)
		return proto_error(error, "reply of %u bytes", n);
	g_byte_array_set_size(c->in, n - 1);
	return read_all(c->fd, cmd, 1, error) &&
	       read_all(c->fd, c->in->data, n - 1, error);
}

/* macro_value - what the MTA knows for a macro name, or NULL */
static const char *
macro_value(const Conn *c, const char *name)
{
	const MtaEnvelope *e = c->env;

	if (strcmp(name, "i") == 0)
		return e->queue_id;
	if (strcmp(name, "j") == 0)
		return "mx.intro.example.org";
	if (strcmp(name, "_") == 0)
		return "localhost [127.0.0.1]";
	if (strcmp(name, "v") == 0)
		return "Postfix 3.7";
	if (strcmp(name, "{daemon_name}") == 0)
		return "smtpd";
	if (strcmp(name, "{daemon_addr}") == 0)
		return "127.0.0.1";
	if (strcmp(name, "{auth_authen}") == 0)
		return e->auth_authen;
	if (strcmp(name, "{mail_addr}") == 0)
		return e->from;
	if (strcmp(name, "{mail_mailer}") == 0 ||
	    strcmp(name, "{rcpt_mailer}") == 0)
		return "smtp";
	return NULL;
}

/* send_macros - the 'D' packet for a stage, as Postfix sends it */
static gboolean
send_macros(Conn *c, int stage, const char *rcpt, GError **error)
{
	const char *list =
	    c->macros[stage] ? c->macros[stage] : default_macros[stage];
	g_auto(GStrv) names = g_strsplit_set(list, " ,", -1);
	g_autoptr(GByteArray) d = g_byte_array_new();

	g_byte_array_append(d, (const guint8 *)&stage_cmd[stage], 1);
	for (char **n = names; *n != NULL; n++) {
		const char *v =
		    strcmp(*n, "{rcpt_addr}") == 0 ? rcpt : macro_value(c, *n);

		if (**n == '\0' || v == NULL)
			continue; /* Postfix leaves out what it does not know */
		g_byte_array_append(d, (const guint8 *)*n, strlen(*n) + 1);
		g_byte_array_append(d, (const guint8 *)v, strlen(v) + 1);
	}
	if (d->len == 1)
		return TRUE;
	return send_cmd(c, SMFIC_MACRO, d->data, d->len, error);
}

/* negotiate - offer everything; learn the milter's steps and macros */
static gboolean
negotiate(Conn *c, GError **error)
{
	guint32 offer[3] = { htonl(SMFI_PROT_VERSION), htonl(0x1ff),
		htonl(0x001fffff) };
	guint32 got[3];
	char cmd = 0;
	gsize off = 12;

	if (!send_cmd(c, SMFIC_OPTNEG, offer, sizeof offer, error) ||
	    !read_reply(c, &cmd, error))
		return FALSE;
	if (cmd != SMFIC_OPTNEG || c->in->len < 12)
		return proto_error(error, "bad negotiation reply '%c'", cmd);
	memcpy(got, c->in->data, 12);
	c->proto = ntohl(got[2]);
	while (off + 5 <= c->in->len) { /* SMFIM_* stage, macro list */
		guint32 stage;
		const char *list = (const char *)c->in->data + off + 4;
		gsize room = c->in->len - off - 4;
		gsize len = strnlen(list, room);

		memcpy(&stage, c->in->data + off, 4);
		stage = ntohl(stage);
		if (len == room || stage >= MACRO_STAGES)
			return proto_error(error, "bad macro list");
		g_free(c->macros[stage]);
		c->macros[stage] = g_strndup(list, len);
		off += 4 + len + 1;
	}
	return TRUE;
}

/* verdict - classify a reply; TRUE when it ends the message */
static gboolean
verdict(Conn *c, char cmd, MtaOutcome *out)
{
	switch (cmd) {
	case SMFIR_ACCEPT:
		*out = MTA_ACCEPT;
		return TRUE;
	case SMFIR_DISCARD:
		*out = MTA_DISCARD;
		return TRUE;
	case SMFIR_REJECT:
		*out = MTA_REJECT;
		return TRUE;
	case SMFIR_TEMPFAIL:
		*out = MTA_TEMPFAIL;
		return TRUE;
	case SMFIR_REPLYCODE:
		*out = c->in->len > 0 && c->in->data[0] == '4' ? MTA_TEMPFAIL
							       : MTA_REJECT;
		g_free(c->res->reply);
		c->res->reply =
		    g_strndup((const char *)c->in->data, c->in->len);
		return TRUE;
	default:
		return FALSE;
	}
}

/* step - send one command (after its macros) and, unless the milter
 * asked for no reply, read the verdict; *done when the message ended */
static gboolean
step(Conn *c, char cmd, const void *data, gsize len, guint32 nr, int stage,
    gboolean *done, GError **error)
{
	char r = 0;

	*done = FALSE;
	if (stage >= 0 && !send_macros(c, stage, NULL, error))
		return FALSE;
	if (!send_cmd(c, cmd, data, len, error))
		return FALSE;
	if (c->proto & nr)
		return TRUE;
	if (!read_reply(c, &r, error))
		return FALSE;
	if (r == SMFIR_CONTINUE)
		return TRUE;
	if (r == SMFIR_SKIP && cmd == SMFIC_BODY) {
		*done = TRUE; /* skip the rest of the body, not the message */
		return TRUE;
	}
	if (!verdict(c, r, &c->res->outcome))
		return proto_error(
		    error, "unexpected reply '%c' to '%c'", r, cmd);
	*done = TRUE;
	return TRUE;
}

/* send_rcpts - every recipient; the message ends if none is left */
static gboolean
send_rcpts(Conn *c, gboolean *done, GError **error)
{
	guint left = 0;

	for (guint i = 0; i < c->env->rcpts->len; i++) {
		const char *rcpt = c->env->rcpts->pdata[i];
		g_autofree char *arg = g_strdup_printf("<%s>", rcpt);
		MtaOutcome saved = c->res->outcome;

		if (!send_macros(c, SMFIM_ENVRCPT, rcpt, error) ||
		    !step(c, SMFIC_RCPT, arg, strlen(arg) + 1, SMFIP_NR_RCPT,
			-1, done, error))
			return FALSE;
		if (*done && (c->res->outcome == MTA_REJECT ||
				 c->res->outcome == MTA_TEMPFAIL)) {
			c->res->rcpt_refused++; /* this recipient only */
			c->res->outcome = saved;
			*done = FALSE;
			continue;
		}
		if (*done)
			return TRUE;
		left++;
	}
	if (left == 0) {
		c->res->outcome = MTA_REJECT;
		*done = TRUE;
	}
	return TRUE;
}

/* send_header - the header fields, with or without the leading space */
static gboolean
send_header(Conn *c, const MtaMessage *m, gboolean *done, GError **error)
{
	g_autoptr(GByteArray) d = g_byte_array_new();

	for (guint i = 0; i < m->names->len && !*done; i++) {
		const char *name = m->names->pdata[i];
		const char *value = m->values->pdata[i];

		if (!(c->proto & SMFIP_HDR_LEADSPC) && *value == ' ')
			value++;
		g_byte_array_set_size(d, 0);
		g_byte_array_append(d, (const guint8 *)name, strlen(name) + 1);
		g_byte_array_append(
		    d, (const guint8 *)value, strlen(value) + 1);
		if (!step(c, SMFIC_HEADER, d->data, d->len, SMFIP_NR_HDR, -1,
			done, error))
			return FALSE;
	}
	return TRUE;
}

/* send_body - the body in chunks of at most 64 KB, until a SKIP */
static gboolean
send_body(Conn *c, GBytes *const *parts, gboolean *done, GError **error)
{
	for (GBytes *const *p = parts; *p != NULL; p++) {
		gsize len = 0;
		const char *data = g_bytes_get_data(*p, &len);

		for (gsize off = 0; off < len; off += BODY_CHUNK) {
			if (!step(c, SMFIC_BODY, data + off,
				MIN(BODY_CHUNK, len - off), SMFIP_NR_BODY, -1,
				done, error))
				return FALSE;
			if (*done) /* a verdict, or a SKIP */
				return TRUE;
		}
	}
	return TRUE;
}

/* end_of_message - EOM, then modifications until the final verdict */
static gboolean
end_of_message(Conn *c, GError **error)
{
	char r = 0;

	if (!send_macros(c, SMFIM_EOM, NULL, error) ||
	    !send_cmd(c, SMFIC_BODYEOB, NULL, 0, error))
		return FALSE;
	for (guint n = 0; n < 10000; n++) {
		if (!read_reply(c, &r, error))
			return FALSE;
		switch (r) {
		case SMFIR_CONTINUE:
			c->res->outcome = MTA_ACCEPT;
			return TRUE;
		case SMFIR_DELRCPT:
			c->res->rcpt_deleted++;
			continue;
		case SMFIR_ADDRCPT:
		case SMFIR_ADDRCPT_PAR:
		case SMFIR_ADDHEADER:
		case SMFIR_INSHEADER:
		case SMFIR_CHGHEADER:
		case SMFIR_CHGFROM:
		case SMFIR_REPLBODY:
		case SMFIR_QUARANTINE:
		case SMFIR_PROGRESS:
			c->res->changes++;
			continue;
		default:
			if (verdict(c, r, &c->res->outcome))
				return TRUE;
			return proto_error(
			    error, "unexpected reply '%c' at EOM", r);
		}
	}
	return proto_error(error, "no verdict after 10000 replies");
}

/* transaction - MAIL .. EOM for one message */
static gboolean
transaction(Conn *c, const MtaMessage *m, GBytes *const *body, GError **error)
{
	g_autofree char *from = g_strdup_printf("<%s>", c->env->from);
	gboolean done = FALSE;

	if (!(c->proto & SMFIP_NOMAIL) &&
	    !step(c, SMFIC_MAIL, from, strlen(from) + 1, SMFIP_NR_MAIL,
		SMFIM_ENVFROM, &done, error))
		return FALSE;
	if (!done && !(c->proto & SMFIP_NORCPT) && !send_rcpts(c, &done, error))
		return FALSE;
	if (!done && !(c->proto & SMFIP_NODATA) &&
	    !step(c, SMFIC_DATA, NULL, 0, SMFIP_NR_DATA, SMFIM_DATA, &done,
		error))
		return FALSE;
	if (!done && !(c->proto & SMFIP_NOHDRS) &&
	    !send_header(c, m, &done, error))
		return FALSE;
	if (!done && !(c->proto & SMFIP_NOEOH) &&
	    !step(c, SMFIC_EOH, NULL, 0, SMFIP_NR_EOH, SMFIM_EOH, &done, error))
		return FALSE;
	if (!done && !(c->proto & SMFIP_NOBODY) &&
	    !send_body(c, body, &done, error))
		return FALSE;
	if (!done || c->res->outcome == MTA_NONE) /* a SKIP ends the body */
		return end_of_message(c, error);
	return TRUE;
}

/* session - negotiation, connect, HELO, the message */
static gboolean
session(Conn *c, const MtaMessage *m, GBytes *const *body, GError **error)
{
	static const char connect[] = "localhost\0"
				      "4\0\0"
				      "127.0.0.1";
	guint16 port = htons(25);
	char cinfo[sizeof connect];
	gboolean done = FALSE;

	memcpy(cinfo, connect, sizeof connect);
	memcpy(cinfo + 11, &port, 2); /* family '4', then the port */
	if (!negotiate(c, error))
		return FALSE;
	if (!(c->proto & SMFIP_NOCONNECT) &&
	    !step(c, SMFIC_CONNECT, cinfo, sizeof cinfo, SMFIP_NR_CONN,
		SMFIM_CONNECT, &done, error))
		return FALSE;
	if (!done && !(c->proto & SMFIP_NOHELO) &&
	    !step(c, SMFIC_HELO, "client.example", 15, SMFIP_NR_HELO,
		SMFIM_HELO, &done, error))
		return FALSE;
	if (!done && !transaction(c, m, body, error))
		return FALSE;
	return send_cmd(c, SMFIC_QUIT, NULL, 0, error);
}

/* mta_connect - a connected socket for unix:PATH or inet:PORT@HOST */
int
mta_connect(const char *spec, GError **error)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct timeval tv = { .tv_sec = 60 };
	g_autofree char *port = NULL;
	const char *at;
	int fd = -1;

	if (g_str_has_prefix(spec, "unix:") ||
	    g_str_has_prefix(spec, "local:")) {
		const char *path = strchr(spec, ':') + 1;

		if (g_strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
		    sizeof sun.sun_path) {
			proto_error(error, "socket path too long: %s", path);
			return -1;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 &&
		    connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
			close(fd);
			fd = -1;
		}
	} else if ((g_str_has_prefix(spec, "inet:") ||
		       g_str_has_prefix(spec, "inet6:")) &&
		   (at = strchr(spec, '@')) != NULL) {
		port = g_strndup(
		    strchr(spec, ':') + 1, (gsize)(at - strchr(spec, ':') - 1));
		if (getaddrinfo(at + 1, port, &hints, &ai) == 0) {
			fd = socket(
			    ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd >= 0 &&
			    connect(fd, ai->ai_addr, ai->ai_addrlen)) {
				close(fd);
				fd = -1;
			}
			freeaddrinfo(ai);
		}
	} else {
		proto_error(
		    error, "socket %s: not unix:PATH or inet:PORT@HOST", spec);
		return -1;
	}
	if (fd < 0) {
		proto_error(
		    error, "cannot connect to %s: %s", spec, g_strerror(errno));
		return -1;
	}
	/* bounded: a milter that hangs fails the run instead */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

/* mta_send - one message over a new connection; FALSE on a protocol or
 * socket error (res->outcome says what the milter decided otherwise) */
gboolean
mta_send(const char *spec, const MtaEnvelope *env, const MtaMessage *m,
    GBytes *const *body, MtaResult *res, GError **error)
{
	Conn c = { .env = env, .res = res };
	gboolean ok;

	res->outcome = MTA_NONE;
	c.fd = mta_connect(spec, error);
	if (c.fd < 0)
		return FALSE;
	c.in = g_byte_array_new();
	ok = session(&c, m, body, error);
	close(c.fd);
	g_byte_array_unref(c.in);
	for (int i = 0; i < MACRO_STAGES; i++)
		g_free(c.macros[i]);
	return ok;
}

/* mta_outcome_name - "accept", "discard", ... */
const char *
mta_outcome_name(MtaOutcome o)
{
	static const char *const names[] = { "none", "accept", "discard",
		"reject", "tempfail" };

	return (guint)o < G_N_ELEMENTS(names) ? names[o] : "?";
}
