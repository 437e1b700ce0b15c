/*
 * log.c - syslog and stderr lines with the queue id first
 *
 * Trust: none needed; callers pass their own strings. Values taken from
 * mail must already be made one-line by the caller (util_header_safe()).
 */
#include "config.h"

#include <paths.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <string.h>

#include "common/log.h"

static gboolean use_syslog;
static gboolean use_stderr = TRUE;
static gboolean debug_on;

/* stderr_is_journal - whether systemd connected stderr to its journal
 * (JOURNAL_STREAM names stderr's device and inode, systemd.exec(5)) */
static gboolean
stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	g_autofree char *mine = NULL;
	struct stat st;

	if (v == NULL || fstat(STDERR_FILENO, &st) != 0)
		return FALSE;
	mine = g_strdup_printf(
	    "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	return strcmp(v, mine) == 0;
}

/* log_open - start logging to syslog, and to stderr when asked. Each
 * line is written once where it will be read: under systemd the journal
 * reads syslog and stderr both, so syslog alone; with no syslog socket
 * (a container) stderr alone, where glibc would try to connect again
 * for every line. */
void
log_open(const char *ident, gboolean to_stderr)
{
	use_stderr = to_stderr && !stderr_is_journal();
	use_syslog = !use_stderr || access(_PATH_LOG, W_OK) == 0;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* log_to_syslog - whether lines go to syslog */
gboolean
log_to_syslog(void)
{
	return use_syslog;
}

/* log_set_debug - turn debug lines on or off */
void
log_set_debug(gboolean on)
{
	debug_on = on;
}

/* vlog - format one line and send it where logging goes */
static void
vlog(int prio, const char *qid, const char *fmt, va_list ap)
{
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	const char *id = qid != NULL && *qid != '\0' ? qid : "NOQUEUE";

	if (use_syslog)
		syslog(prio, "%s: %s", id, text);
	if (use_stderr) {
		const char *level = prio == LOG_ERR       ? "error: "
				    : prio == LOG_WARNING ? "warning: "
							  : "";
		flockfile(stderr);
		fprintf(stderr, "%s: %s%s\n", id, level, text);
		funlockfile(stderr);
	}
}

/* log_debug - a line for debugging, shown only when turned on */
void
log_debug(const char *qid, const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, qid, fmt, ap);
	va_end(ap);
}

/* log_info - an event worth keeping */
void
log_info(const char *qid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, qid, fmt, ap);
	va_end(ap);
}

/* log_warn - something went wrong but work goes on */
void
log_warn(const char *qid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, qid, fmt, ap);
	va_end(ap);
}

/* log_error - something failed that an operator must look at */
void
log_error(const char *qid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, qid, fmt, ap);
	va_end(ap);
}
