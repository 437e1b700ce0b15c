/*
 * startup.h - what passalong-milter does and checks before it serves
 *
 * SYNOPSIS
 *	Account acct;
 *	if (!startup_account(cfg, &acct, errs)) ...      names the key's line
 *	startup_check(cfg, &acct, socket_where, errs);   passalong-milter -n
 *	fd = startup_pidfile_lock(cfg->pid_file, &error);
 *	if (startup_socket_answers(cfg->socket)) ...     another daemon
 *	startup_socket_own(cfg->socket, &acct, cfg->socket_mode, &error);
 *	startup_become(&acct, &error);                   drop root
 *	...
 *	startup_socket_remove(cfg->socket, &st);         at the stop
 *
 * DESCRIPTION
 *	The daemon starts as root, opens its socket, gives a unix socket
 *	the owner (the daemon's user), group ([milter] socket_group, else
 *	the daemon's group) and mode ([milter] socket_mode) Postfix needs,
 *	then becomes [milter] user (NAME or NAME:GROUP). startup_check()
 *	makes the checks that start would fail on, as that start would make
 *	them: in a child process that has become the daemon's user, it
 *	tries the folders and files the daemon writes (the socket's folder,
 *	the store and its -wal/-shm files, the spool folder). A second
 *	daemon on the same socket is refused: the socket answers (it is
 *	never removed while it does), or the pid file is locked (flock(2),
 *	kept across daemon(3) since the lock belongs to the open file).
 *
 * OWNERSHIP
 *	Account's name is borrowed from cfg or static; errs is the caller's.
 *	The pid file's descriptor stays open for the life of the process.
 *
 * ERRORS
 *	STARTUP_ERROR_FAILED with a sentence naming the file or socket.
 *	The lines appended to errs read "WHERE: problem", WHERE as
 *	config_where() spells it.
 *
 * THREADS
 *	Call from main() before any thread: startup_check() forks.
 */
#ifndef PA_STARTUP_H
#define PA_STARTUP_H

#include <glib.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/config.h"

#define STARTUP_ERROR (startup_error_quark())
GQuark startup_error_quark(void);
typedef enum {
	STARTUP_ERROR_FAILED,
} StartupError;

typedef struct {
	gboolean drop;    /* started as root with [milter] user: become it */
	uid_t uid;        /* who the daemon runs as */
	gid_t gid;        /* its group */
	gid_t socket_gid; /* the unix socket's group */
	const char *name; /* the user's name, for messages */
} Account;

/* startup_account - look up [milter] user, its group and socket_group;
 * FALSE with one line in errs per name that does not exist */
gboolean startup_account(const Config *cfg, Account *acct, GString *errs);

/* startup_check - the -n checks beyond the file: folders that must
 * exist, and what the daemon's user must be able to write; FALSE with
 * one line per problem in errs. socket is the spec in use (-p or the
 * file's), socket_where how to name it in a message; acct NULL (the
 * user does not exist) skips what is checked as that user. */
gboolean startup_check(const Config *cfg, const Account *acct,
    const char *socket, const char *socket_where, GString *errs);

/* startup_become - drop root for acct (no-op unless acct->drop) */
gboolean startup_become(const Account *acct, GError **error);

/* startup_pidfile_lock - create path and lock it; the open descriptor,
 * or -1 (another daemon holds the lock, or it cannot be made) */
int startup_pidfile_lock(const char *path, GError **error);

/* startup_pidfile_write - write this process's id (after daemon()) */
gboolean startup_pidfile_write(int fd, GError **error);

/* startup_socket_answers - whether something accepts connections on
 * the socket spec now (another daemon) */
gboolean startup_socket_answers(const char *spec);

/* startup_socket_own - a unix socket's owner, group and mode; a no-op
 * for inet sockets */
gboolean startup_socket_own(
    const char *spec, const Account *acct, guint mode, GError **error);

/* startup_socket_stat - a unix socket's identity after it was opened;
 * FALSE for an inet socket */
gboolean startup_socket_stat(const char *spec, struct stat *st);

/* startup_socket_remove - remove a unix socket at the stop, when it is
 * still the one st describes (libmilter leaves it when it runs as root;
 * another daemon may have made a new one since ours stopped answering) */
void startup_socket_remove(const char *spec, const struct stat *st);

#endif /* PA_STARTUP_H */
