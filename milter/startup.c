/*
 * startup.c - the daemon's user, socket, pid file and the -n checks
 *
 * Privilege: runs as root when the daemon is started as root; the
 * checks of what the daemon's user can write run in a child that has
 * dropped to that user exactly as the daemon does (startup_become()),
 * so that -n and the real start cannot disagree. Trusts the Config
 * (checked by config_load()) and nothing found on disk: an existing
 * socket is only replaced when nothing answers on it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/config.h"
#include "milter/startup.h"

G_DEFINE_QUARK(passalong_startup_error, startup_error)

#define CONNECT_TIMEOUT_MS 1000 /* for the "does it answer" probe */

/* startup_account - the daemon's user and groups, looked up */
gboolean
startup_account(const Config *cfg, Account *acct, GString *errs)
{
	gboolean ok = TRUE;
	struct group *gr = NULL;

	memset(acct, 0, sizeof(*acct));
	acct->uid = geteuid();
	acct->gid = getegid();
	acct->name = g_get_user_name();
	if (cfg->user != NULL) {
		g_autofree char *where = config_where(cfg, "milter", "user");
		struct passwd *pw = getpwnam(cfg->user);

		if (pw == NULL) {
			g_string_append_printf(errs,
			    "%s: no such user \"%s\"\n", where, cfg->user);
			ok = FALSE;
		} else if (geteuid() == 0) {
			acct->drop = TRUE;
			acct->uid = pw->pw_uid;
			acct->gid = pw->pw_gid;
			acct->name = cfg->user;
		}
		if (cfg->group != NULL && (gr = getgrnam(cfg->group)) == NULL) {
			g_string_append_printf(errs,
			    "%s: no such group \"%s\"\n", where, cfg->group);
			ok = FALSE;
		} else if (cfg->group != NULL && acct->drop)
			acct->gid = gr->gr_gid;
	}
	acct->socket_gid = acct->gid;
	if (cfg->socket_group != NULL) {
		g_autofree char *where =
		    config_where(cfg, "milter", "socket_group");

		if ((gr = getgrnam(cfg->socket_group)) == NULL) {
			g_string_append_printf(errs,
			    "%s: no such group \"%s\"\n", where,
			    cfg->socket_group);
			ok = FALSE;
		} else
			acct->socket_gid = gr->gr_gid;
	}
	return ok;
}

/* startup_become - drop root to the daemon's user and group */
gboolean
startup_become(const Account *acct, GError **error)
{
	if (!acct->drop)
		return TRUE;
	if (initgroups(acct->name, acct->gid) != 0 || setgid(acct->gid) != 0 ||
	    setuid(acct->uid) != 0) {
		g_set_error(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "cannot become %s: %s", acct->name, g_strerror(errno));
		return FALSE;
	}
	if (acct->uid != 0 && setuid(0) == 0) {
		g_set_error_literal(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "root privileges could not be dropped");
		return FALSE;
	}
	return TRUE;
}

/* folder_exists - a line in errs unless the folder of path exists */
static gboolean
folder_exists(const char *path, const char *where, GString *errs)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct stat st;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return TRUE;
	g_string_append_printf(
	    errs, "%s: the folder %s does not exist\n", where, dir);
	return FALSE;
}

/* can_write - a line in errs unless the user can write path (mode:
 * access(2)'s W_OK|X_OK for a folder, R_OK|W_OK for a file) */
static void
can_write(const char *path, int mode, const char *user, const char *where,
    GString *errs)
{
	if (access(path, mode) == 0)
		return;
	g_string_append_printf(errs,
	    "%s: the daemon's user %s cannot write %s (%s)\n", where, user,
	    path, g_strerror(errno));
}

/* store_writable - the store's folder, and its files that exist */
static void
store_writable(
    const char *db, const char *user, const char *where, GString *errs)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	g_autofree char *dir = g_path_get_dirname(db);

	can_write(dir, W_OK | X_OK, user, where, errs);
	for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
		g_autofree char *f = g_strconcat(db, suffix[i], NULL);

		if (g_file_test(f, G_FILE_TEST_EXISTS))
			can_write(f, R_OK | W_OK, user, where, errs);
	}
}

/* as_user_checks - in the child, as the daemon's user: what it writes */
static void
as_user_checks(const Config *cfg, const Account *acct, const ConfigSocket *sock,
    const char *socket_where, GString *errs)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *store_where = config_where(cfg, "store", "path");

	if (!startup_become(acct, &error)) {
		g_autofree char *where = config_where(cfg, "milter", "user");

		g_string_append_printf(errs, "%s: %s\n", where, error->message);
		return;
	}
	if (sock != NULL && sock->kind == CONFIG_SOCKET_UNIX) {
		g_autofree char *dir = g_path_get_dirname(sock->path);

		if (g_file_test(dir, G_FILE_TEST_IS_DIR))
			can_write(
			    dir, W_OK | X_OK, acct->name, socket_where, errs);
	}
	if (cfg->store_path != NULL) {
		g_autofree char *dir = g_path_get_dirname(cfg->store_path);

		if (g_file_test(dir, G_FILE_TEST_IS_DIR))
			store_writable(
			    cfg->store_path, acct->name, store_where, errs);
	}
	if (cfg->spool_dir != NULL &&
	    g_file_test(cfg->spool_dir, G_FILE_TEST_IS_DIR)) {
		g_autofree char *where =
		    config_where(cfg, "milter", "spool_dir");

		can_write(cfg->spool_dir, W_OK | X_OK, acct->name, where, errs);
	}
}

/* in_child - run as_user_checks() in a child process, collect its lines */
static void
in_child(const Config *cfg, const Account *acct, const ConfigSocket *sock,
    const char *socket_where, GString *errs)
{
	int fds[2];
	pid_t pid;
	char buf[4096];
	ssize_t n;
	int status;

	fflush(NULL);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		g_string_append_printf(errs,
		    "cannot check as the daemon's user: %s\n",
		    g_strerror(errno));
		return;
	}
	if (pid == 0) {
		GString *mine = g_string_new(NULL); /* _exit(): no cleanup */
		size_t done = 0;

		close(fds[0]);
		as_user_checks(cfg, acct, sock, socket_where, mine);
		while (done < mine->len && (n = write(fds[1], mine->str + done,
						mine->len - done)) > 0)
			done += (size_t)n;
		g_string_free(mine, TRUE);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			g_string_append_len(errs, buf, n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* startup_check - what the real start would fail on, found now */
gboolean
startup_check(const Config *cfg, const Account *acct, const char *socket,
    const char *socket_where, GString *errs)
{
	ConfigSocket sock = { 0 };
	g_autofree char *why = NULL;
	gsize before = errs->len;
	gboolean sock_ok = config_socket_parse(socket, &sock, &why);

	if (!sock_ok)
		g_string_append_printf(errs, "%s: %s\n", socket_where, why);
	else if (sock.kind == CONFIG_SOCKET_UNIX)
		folder_exists(sock.path, socket_where, errs);
	if (cfg->pid_file != NULL) {
		g_autofree char *where =
		    config_where(cfg, "milter", "pid_file");

		folder_exists(cfg->pid_file, where, errs);
	}
	if (cfg->store_path != NULL) {
		g_autofree char *where = config_where(cfg, "store", "path");

		folder_exists(cfg->store_path, where, errs);
	}
	if (cfg->spool_dir != NULL &&
	    !g_file_test(cfg->spool_dir, G_FILE_TEST_IS_DIR)) {
		g_autofree char *where =
		    config_where(cfg, "milter", "spool_dir");

		g_string_append_printf(errs,
		    "%s: the folder %s does not exist\n", where,
		    cfg->spool_dir);
	}
	if (acct != NULL)
		in_child(cfg, acct, sock_ok ? &sock : NULL, socket_where, errs);
	config_socket_clear(&sock);
	return errs->len == before;
}

/* startup_pidfile_lock - open and lock the pid file, never waiting */
int
startup_pidfile_lock(const char *path, GError **error)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	char pid[32] = "";
	ssize_t n;

	if (fd < 0) {
		g_set_error(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "cannot open the pid file %s: %s", path, g_strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		g_strstrip(pid);
		g_set_error(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "another passalong-milter (pid %s) holds %s; not "
		    "starting a second one",
		    *pid != '\0' ? pid : "unknown", path);
	} else
		g_set_error(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "cannot lock the pid file %s: %s", path, g_strerror(errno));
	close(fd);
	return -1;
}

/* startup_pidfile_write - the pid of the process that serves */
gboolean
startup_pidfile_write(int fd, GError **error)
{
	g_autofree char *text = g_strdup_printf("%ld\n", (long)getpid());
	size_t len = strlen(text);

	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, len, 0) != (ssize_t)len) {
		g_set_error(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "cannot write the pid file: %s", g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* connect_within - connect to addr, waiting at most CONNECT_TIMEOUT_MS */
static gboolean
connect_within(int family, const struct sockaddr *addr, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t errlen = sizeof(err);
	gboolean ok = FALSE;

	if (fd < 0)
		return FALSE;
	if (connect(fd, addr, len) == 0)
		ok = TRUE;
	else if (errno == EINPROGRESS && poll(&p, 1, CONNECT_TIMEOUT_MS) == 1 &&
		 getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == 0)
		ok = err == 0;
	close(fd);
	return ok;
}

/* startup_socket_answers - is somebody listening there already? */
gboolean
startup_socket_answers(const char *spec)
{
	ConfigSocket sock = { 0 };
	g_autofree char *why = NULL;
	gboolean answers = FALSE;

	if (!config_socket_parse(spec, &sock, &why))
		return FALSE;
	if (sock.kind == CONFIG_SOCKET_UNIX) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		g_strlcpy(sun.sun_path, sock.path, sizeof(sun.sun_path));
		answers = connect_within(
		    AF_UNIX, (struct sockaddr *)&sun, sizeof(sun));
	} else {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
		struct addrinfo *res = NULL;
		g_autofree char *port = g_strdup_printf("%u", sock.port);
		const char *host = sock.host;

		hints.ai_family =
		    sock.kind == CONFIG_SOCKET_INET6 ? AF_INET6 : AF_INET;
		if (host == NULL) /* every address: try loopback */
			host = sock.kind == CONFIG_SOCKET_INET6 ? "::1"
								: "127.0.0.1";
		if (getaddrinfo(host, port, &hints, &res) == 0) {
			for (struct addrinfo *a = res; a != NULL && !answers;
			     a = a->ai_next)
				answers = connect_within(
				    a->ai_family, a->ai_addr, a->ai_addrlen);
			freeaddrinfo(res);
		}
	}
	config_socket_clear(&sock);
	return answers;
}

/* startup_socket_own - give a unix socket its owner, group and mode */
gboolean
startup_socket_own(
    const char *spec, const Account *acct, guint mode, GError **error)
{
	ConfigSocket sock = { 0 };
	g_autofree char *why = NULL;
	gboolean ok = TRUE;

	if (!config_socket_parse(spec, &sock, &why) ||
	    sock.kind != CONFIG_SOCKET_UNIX) {
		config_socket_clear(&sock);
		return TRUE; /* inet: nothing on disk */
	}
	if ((geteuid() == 0 &&
		chown(sock.path, acct->uid, acct->socket_gid) != 0) ||
	    (geteuid() != 0 && acct->socket_gid != getegid() &&
		chown(sock.path, (uid_t)-1, acct->socket_gid) != 0) ||
	    chmod(sock.path, (mode_t)mode) != 0) {
		g_set_error(error, STARTUP_ERROR, STARTUP_ERROR_FAILED,
		    "cannot set the owner or mode of %s: %s", sock.path,
		    g_strerror(errno));
		ok = FALSE;
	}
	config_socket_clear(&sock);
	return ok;
}

/* unix_path - the path of a unix socket spec (transfer full), or NULL */
static char *
unix_path(const char *spec)
{
	ConfigSocket sock = { 0 };
	g_autofree char *why = NULL;
	char *path = NULL;

	if (config_socket_parse(spec, &sock, &why) &&
	    sock.kind == CONFIG_SOCKET_UNIX)
		path = g_steal_pointer(&sock.path);
	config_socket_clear(&sock);
	return path;
}

/* startup_socket_stat - remember which socket file is ours */
gboolean
startup_socket_stat(const char *spec, struct stat *st)
{
	g_autofree char *path = unix_path(spec);

	return path != NULL && stat(path, st) == 0;
}

/* startup_socket_remove - unlink our socket, never another daemon's */
void
startup_socket_remove(const char *spec, const struct stat *st)
{
	g_autofree char *path = unix_path(spec);
	struct stat now;

	if (path != NULL && lstat(path, &now) == 0 && S_ISSOCK(now.st_mode) &&
	    now.st_dev == st->st_dev && now.st_ino == st->st_ino)
		unlink(path);
}
