/*
 * log.h - the one logging module
 *
 * SYNOPSIS
 *	log_open("passalong-milter", TRUE);
 *	log_info(qid, "share recorded id=%" G_GINT64_FORMAT, id);
 *
 * DESCRIPTION
 *	Every line goes to syslog (facility mail) and, when opened with
 *	to_stderr, to stderr as well; but once only where it is read: to
 *	syslog alone when stderr is systemd's journal (JOURNAL_STREAM),
 *	which reads syslog too, and to stderr alone when there is no
 *	syslog socket (_PATH_LOG: a container). log_to_syslog() says
 *	which. Lines read "<queue-id>: <event>
 *	key=value ..."; a NULL queue id prints as "NOQUEUE", as Postfix does.
 *	Before log_open() lines go to stderr only (the CLI, the tests).
 *
 * OWNERSHIP
 *	Nothing is kept; the strings are borrowed for the call.
 *
 * ERRORS
 *	None: logging never fails the caller.
 *
 * THREADS
 *	Reentrant; log_open() is called once from main() before threads.
 */
#ifndef PA_LOG_H
#define PA_LOG_H

#include <glib.h>

void log_open(const char *ident, gboolean to_stderr);
gboolean log_to_syslog(void);
void log_set_debug(gboolean on);
void log_debug(const char *qid, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void log_info(const char *qid, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void log_warn(const char *qid, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void log_error(const char *qid, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif /* PA_LOG_H */
