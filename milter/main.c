/*
 * main.c - passalong-milter: the daemon (milter, outbox sender)
 *
 * Start-up: read the config (exit 78 on any problem, all of them
 * printed; -n also makes the checks of startup.h and exits), refuse to
 * start beside a running daemon (locked [milter] pid_file, or a socket
 * that answers), open the milter socket and give it its owner, group
 * and mode, drop root to [milter] user, detach unless -f, open the
 * store, start the outbox worker and, when [web] listen is set, the
 * web endpoint (web/web.h: it binds after root was dropped, so its
 * port is above 1023 or granted otherwise), then hand over to
 * smfi_main(). A reload (SIGUSR1) leaves the web endpoint as it is. Only
 * here may the program exit on failure.
 * Signals: the main thread waits for them all (see run()): SIGUSR1
 * reloads the configuration; SIGTERM, SIGINT and SIGHUP stop after the
 * messages in flight are finished. SIGUSR2 is taken for waking
 * libmilter's listener on a stop (stop_milter()).
 */
#include "config.h"

#include <errno.h>
#include <libmilter/mfapi.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "common/config.h"
#include "common/log.h"
#include "milter/milter.h"
#include "milter/startup.h"
#include "sender/sender.h"
#include "store/store.h"
#include "web/web.h"

typedef struct {
	const char *config_path;
	const char *socket;
	gboolean foreground;
	gboolean check_only;
} Options;

#define STOP_GRACE 60       /* seconds to finish messages in flight */
#define WAKE_SIGNAL SIGUSR2 /* interrupts the listener's poll() */
#define WAKE_EVERY (50 * G_TIME_SPAN_MILLISECOND)

static SenderWorker *worker;
static char *milter_conn; /* libmilter keeps the pointer */
static int milter_rc = MI_SUCCESS;
static GMutex done_lock;
static GCond done_cond;
static gboolean milter_done;    /* smfi_main() returned; under done_lock */
static gboolean stop_requested; /* we called smfi_stop() */

#define MILTER_MALLOC_KEEP (4 * 1024 * 1024) /* bytes, see cap_arenas() */

/* cap_arenas - one connection is one thread, and glibc gives each new
 * thread its own malloc arena (up to 8 per core) that keeps what was
 * freed: peak RSS then grows with the number of connections (52 MB
 * with 20 concurrent 20 KB shares, bench/mta). Two arenas: 23 MB. */
static void
cap_arenas(void)
{
#ifdef M_ARENA_MAX
	if (mallopt(M_ARENA_MAX, 2) != 1)
		log_warn(NULL, "mallopt(M_ARENA_MAX) refused");
#endif
#ifdef M_TRIM_THRESHOLD
	/* Each share frees 64 KB+ buffers (the message, GMime's, the
	 * store's); at glibc's default 128 KB trim threshold every such
	 * free gave the arena's top back with madvise(), a TLB shootdown
	 * on every core, and the next share faulted the pages in again:
	 * 40% of the CPU per 20 KB share (perf, bench/mta). Keep up to
	 * 4 MB per arena. Setting it freezes glibc's sliding mmap
	 * threshold at 128 KB, which made 2 MB shares mmap and unmap each
	 * buffer (+16% CPU), so that threshold moves to 4 MB as well. */
	if (mallopt(M_TRIM_THRESHOLD, MILTER_MALLOC_KEEP) != 1)
		log_warn(NULL, "mallopt(M_TRIM_THRESHOLD) refused");
#endif
#ifdef M_MMAP_THRESHOLD
	if (mallopt(M_MMAP_THRESHOLD, MILTER_MALLOC_KEEP) != 1)
		log_warn(NULL, "mallopt(M_MMAP_THRESHOLD) refused");
#endif
}

/* usage - how to call the program */
static void G_GNUC_NORETURN
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: passalong-milter [-fnV] [-c FILE] [-p SOCKET]\n"
	    "  -c FILE    configuration file (default %s)\n"
	    "  -f         stay in the foreground, log to stderr as well\n"
	    "  -p SOCKET  milter socket: unix:/path, inet:PORT@HOST, "
	    "inet6:PORT@HOST\n"
	    "  -n         check the configuration and exit (0, or 78)\n"
	    "  -V         print the version\n",
	    CONFIG_DEFAULT_PATH);
	exit(status);
}

/* parse_options - the command line */
static void
parse_options(int argc, char **argv, Options *o)
{
	int ch;

	o->config_path = CONFIG_DEFAULT_PATH;
	while ((ch = getopt(argc, argv, "c:fhnp:V")) != -1) {
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'f':
			o->foreground = TRUE;
			break;
		case 'n':
			o->check_only = TRUE;
			break;
		case 'p':
			o->socket = optarg;
			break;
		case 'V':
			printf("passalong-milter %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			usage(EX_USAGE);
		}
	}
	if (optind != argc)
		usage(EX_USAGE);
}

/* load_config - the config, or exit 78 with every problem printed */
static Config *
load_config(const Options *o)
{
	g_autoptr(GError) error = NULL;
	Config *cfg = config_load(o->config_path, &error);

	if (cfg == NULL) {
		fprintf(stderr, "passalong-milter: configuration errors:\n%s\n",
		    error->message);
		exit(EX_CONFIG);
	}
	if (o->socket != NULL) {
		g_autofree char *why = NULL;
		ConfigSocket sock = { 0 };

		if (!config_socket_parse(o->socket, &sock, &why)) {
			fprintf(stderr,
			    "passalong-milter: configuration errors:\n"
			    "-p %s: %s\n",
			    o->socket, why);
			config_free(cfg);
			exit(EX_CONFIG);
		}
		config_socket_clear(&sock);
		g_free(cfg->socket);
		cfg->socket = g_strdup(o->socket);
	}
	return cfg;
}

/* socket_where - how messages name the socket in use */
static char *
socket_where(const Options *o, const Config *cfg)
{
	if (o->socket != NULL)
		return g_strdup_printf("-p %s", o->socket);
	return config_where(cfg, "milter", "socket");
}

/* check_only - passalong-milter -n: the file is good; now what the real
 * start would find wrong (users, folders, what its user can write) */
static int
check_only(const Options *o, const Config *cfg)
{
	g_autoptr(GString) errs = g_string_new(NULL);
	g_autofree char *where = socket_where(o, cfg);
	Account acct;
	gboolean known = startup_account(cfg, &acct, errs);

	startup_check(cfg, known ? &acct : NULL, cfg->socket, where, errs);
	if (errs->len > 0) {
		fprintf(stderr, "passalong-milter: configuration errors:\n%s",
		    errs->str);
		return EX_CONFIG;
	}
	printf("%s: configuration OK\n", o->config_path);
	return 0;
}

/* account - the daemon's user, or exit 78 as -n would have said */
static void
account(const Config *cfg, Account *acct)
{
	g_autoptr(GString) errs = g_string_new(NULL);

	if (!startup_account(cfg, acct, errs)) {
		g_strchomp(errs->str);
		log_error(NULL, "%s", errs->str);
		exit(EX_CONFIG);
	}
}

/* not_running - exit unless this is the only daemon on the socket; the
 * pid file's descriptor (kept open: it holds the lock), or -1 */
static int
not_running(const Config *cfg)
{
	g_autoptr(GError) error = NULL;
	int fd = -1;

	if (cfg->pid_file != NULL &&
	    (fd = startup_pidfile_lock(cfg->pid_file, &error)) < 0) {
		log_error(NULL, "%s", error->message);
		exit(EX_UNAVAILABLE);
	}
	if (startup_socket_answers(cfg->socket)) {
		log_error(NULL,
		    "another milter answers on %s; not starting a second "
		    "one (its socket is left alone)",
		    cfg->socket);
		exit(EX_UNAVAILABLE);
	}
	return fd;
}

/* open_socket - tell libmilter where to listen, open it now, give it
 * its owner, group and mode */
static void
open_socket(const Config *cfg, const Account *acct)
{
	g_autoptr(GError) error = NULL;

	milter_conn = g_strdup(cfg->socket);
	if (smfi_setconn(milter_conn) != MI_SUCCESS) {
		log_error(NULL, "bad milter socket %s", cfg->socket);
		exit(EX_CONFIG);
	}
	if (smfi_settimeout((int)cfg->timeout) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		log_error(NULL, "cannot open milter socket %s", cfg->socket);
		exit(EX_OSERR);
	}
	if (!startup_socket_own(cfg->socket, acct, cfg->socket_mode, &error)) {
		log_error(NULL, "%s", error->message);
		exit(EX_OSERR);
	}
}

/* reload - read the config again; keep the old one when it is bad */
static void
reload(const char *path)
{
	g_autoptr(GError) error = NULL;
	Config *cfg = config_load(path, &error);

	if (cfg == NULL) {
		log_error(NULL,
		    "reload refused, keeping the running "
		    "configuration: %s",
		    error->message);
		return;
	}
	milter_set_worker(NULL);
	sender_worker_stop(worker);
	worker = NULL;
	if (cfg->sender_enabled) {
		worker = sender_worker_start(cfg, &error);
		if (worker == NULL)
			log_error(NULL, "outbox worker not restarted: %s",
			    error->message);
	}
	milter_reload(cfg);
	milter_set_worker(worker);
	log_info(NULL, "configuration reloaded from %s", path);
}

/* milter_main - libmilter's loop, in a thread of its own so that the
 * main thread is free to take the stop signals first */
static void *
milter_main(void *arg)
{
	sigset_t wake;

	(void)arg;
	sigemptyset(&wake);
	sigaddset(&wake, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL); /* this thread only */
	milter_rc = smfi_main();
	g_mutex_lock(&done_lock);
	milter_done = TRUE;
	g_cond_broadcast(&done_cond);
	g_mutex_unlock(&done_lock);
	kill(getpid(), SIGTERM); /* wake the main thread if it still waits */
	return NULL;
}

/* done - whether smfi_main() has returned */
static gboolean
done(void)
{
	gboolean d;

	g_mutex_lock(&done_lock);
	d = milter_done;
	g_mutex_unlock(&done_lock);
	return d;
}

/* wake_handler - nothing: the signal is there to interrupt poll() */
static void
wake_handler(int sig)
{
	(void)sig;
}

/* stopper_main - smfi_stop(), which waits for the listener's lock */
static void *
stopper_main(void *arg)
{
	(void)arg;
	smfi_stop();
	return NULL;
}

/* stop_milter - stop libmilter now, not at its next poll timeout.
 *
 * smfi_stop() marks the stop, then takes the lock the listener holds
 * while it sleeps in poll() for up to 5 s (MI_CHK_TIME), so it returns
 * only when that sleep ends. It runs in a thread of its own while this
 * one interrupts the sleep with WAKE_SIGNAL (poll() fails with EINTR and
 * the listener sees the stop); the signal is sent again every
 * WAKE_EVERY in case one came before the stop was marked, until
 * smfi_main() returns. */
static void
stop_milter(pthread_t milter_tid)
{
	pthread_t tid;
	gboolean threaded;

	stop_requested = TRUE;
	threaded = pthread_create(&tid, NULL, stopper_main, NULL) == 0;
	if (!threaded)
		smfi_stop(); /* the slow way */
	g_mutex_lock(&done_lock);
	while (!milter_done) {
		pthread_kill(milter_tid, WAKE_SIGNAL);
		g_cond_wait_until(&done_cond, &done_lock,
		    g_get_monotonic_time() + WAKE_EVERY);
	}
	g_mutex_unlock(&done_lock);
	if (threaded)
		pthread_join(tid, NULL);
}

/* signal_set - the signals the main thread waits for */
static void
signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* run - start libmilter, then handle signals until asked to stop.
 *
 * The signals are blocked in every thread (threads inherit the mask), and
 * the main thread waits for them with sigwait(). Linux offers a signal
 * sent to the process to the thread-group leader first, so the main
 * thread, not libmilter's own signal thread, sees SIGTERM: libmilter
 * stops serving its sessions at once when it handles a stop itself, and
 * a message in flight would be cut (the MTA would retry it; the stop
 * would still lose nothing, but it would not be graceful). On a stop:
 * new messages are refused with a 451, those in flight are finished
 * (at most STOP_GRACE seconds), and only then is libmilter stopped. */
static void
run(const char *config_path)
{
	pthread_t tid;
	sigset_t set;
	int sig;

	signal_set(&set);
	if (pthread_create(&tid, NULL, milter_main, NULL) != 0) {
		log_error(NULL, "cannot start the milter thread");
		exit(EX_OSERR);
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1 && !done()) {
			reload(config_path);
			continue;
		}
		if (done())
			break;
		log_info(NULL, "stopping: finishing the messages in flight");
		milter_begin_stop();
		if (!milter_wait_idle(STOP_GRACE))
			log_warn(
			    NULL, "stopping with messages still in flight");
		stop_milter(tid);
		break;
	}
	pthread_join(tid, NULL);
}

/* main - start the daemon */
int
main(int argc, char **argv)
{
	Options o = { 0 };
	g_autoptr(GError) error = NULL;
	Config *cfg, *web_cfg;
	Store *store;
	g_autofree char *durability = NULL;
	sigset_t set;
	struct sigaction wake = { .sa_handler = wake_handler };
	Account acct;
	int pidfd;
	struct stat sock_st;
	gboolean sock_file;

	parse_options(argc, argv, &o);
	cfg = load_config(&o);
	if (o.check_only) {
		int rc = check_only(&o, cfg);

		config_free(cfg);
		return rc;
	}
	/* the endpoint's own copy, read before daemon() leaves the folder
	 * a relative -c names */
	web_cfg = cfg->web_listen != NULL ? load_config(&o) : NULL;
	log_open("passalong-milter", o.foreground);
	account(cfg, &acct);
	pidfd = not_running(cfg);
	cap_arenas(); /* before any thread */
	g_mime_init();
	sender_init();
	umask(007);
	if (!milter_register(&error)) { /* before smfi_opensocket() */
		log_error(NULL, "%s", error->message);
		return EX_SOFTWARE;
	}
	open_socket(cfg, &acct);
	sock_file = startup_socket_stat(milter_conn, &sock_st);
	if (!startup_become(&acct, &error)) {
		log_error(NULL, "%s", error->message);
		return EX_OSERR;
	}
	if (!o.foreground && daemon(0, 0) != 0) {
		log_error(NULL, "cannot detach: %s", g_strerror(errno));
		return EX_OSERR;
	}
	if (pidfd >= 0 && !startup_pidfile_write(pidfd, &error)) {
		log_error(NULL, "%s", error->message);
		return EX_OSERR;
	}
	store = store_open_config(cfg, 0, &error);
	if (store == NULL) {
		log_error(NULL, "cannot open the store: %s", error->message);
		return EX_UNAVAILABLE;
	}
	sigemptyset(&wake.sa_mask);
	sigaction(WAKE_SIGNAL, &wake, NULL); /* no SA_RESTART */
	signal_set(&set);
	sigaddset(&set, WAKE_SIGNAL); /* unblocked in milter_main() only */
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread */
	if (cfg->sender_enabled &&
	    (worker = sender_worker_start(cfg, &error)) == NULL) {
		log_error(
		    NULL, "cannot start the outbox worker: %s", error->message);
		return EX_UNAVAILABLE;
	}
	durability = store_durability(store);
	/* a file names itself; a PostgreSQL URL may hold a password, so
	 * durability says where it connected instead */
	log_info(NULL, "starting version=%s socket=%s store=%s (%s)",
	    PACKAGE_VERSION, cfg->socket,
	    cfg->store_path ? cfg->store_path : store_engine(store),
	    durability);
	if (web_cfg != NULL && !web_start(web_cfg, store, &error)) {
		log_error(
		    NULL, "cannot start the web endpoint: %s", error->message);
		return EX_UNAVAILABLE;
	}
	milter_runtime_set(cfg, store, worker);
	run(o.config_path);
	web_stop(); /* no request uses the store after this */
	milter_set_worker(NULL);
	sender_worker_stop(worker);
	milter_runtime_clear();
	store_close(store);
	if (sock_file)
		startup_socket_remove(milter_conn, &sock_st);
	log_info(NULL, "stopped");
	/* a stop we asked for may race libmilter's listener into reporting
	 * its closed socket as a failure: that is still our stop */
	return milter_rc == MI_SUCCESS || stop_requested ? 0 : EX_SOFTWARE;
}
