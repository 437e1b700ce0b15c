/*
 * main.c - passalong-milter: the daemon (milter, outbox sender)
 *
 * Start-up: read the config (exit 78 on any problem, all of them
 * printed), open the milter socket, drop root to [milter] user, detach
 * unless -f, open the store, start the outbox worker, then hand over to
 * smfi_main(). Only here may the program exit on failure.
 * Signals: the main thread waits for them all (see run()): SIGUSR1
 * reloads the configuration; SIGTERM, SIGINT and SIGHUP stop after the
 * messages in flight are finished.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <libmilter/mfapi.h>
#include <malloc.h>
#include <pthread.h>
#include <pwd.h>
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
#include "sender/sender.h"
#include "store/store.h"

typedef struct {
	const char *config_path;
	const char *socket;
	gboolean foreground;
	gboolean check_only;
} Options;

#define STOP_GRACE 60 /* seconds to finish messages in flight */

static SenderWorker *worker;
static int milter_rc = MI_SUCCESS;
static volatile gboolean milter_done;

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
		g_free(cfg->socket);
		cfg->socket = g_strdup(o->socket);
	}
	return cfg;
}

/* drop_privileges - become [milter] user when started as root */
static void
drop_privileges(const Config *cfg)
{
	struct passwd *pw;

	if (cfg->user == NULL || geteuid() != 0)
		return;
	pw = getpwnam(cfg->user);
	if (pw == NULL) {
		log_error(NULL, "user %s: no such user", cfg->user);
		exit(EX_CONFIG);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		log_error(
		    NULL, "cannot become %s: %s", cfg->user, g_strerror(errno));
		exit(EX_OSERR);
	}
	if (setuid(0) == 0) {
		log_error(NULL, "root privileges could not be dropped");
		exit(EX_OSERR);
	}
}

/* open_socket - tell libmilter where to listen and open it now */
static void
open_socket(const Config *cfg)
{
	char *conn = g_strdup(cfg->socket);

	if (smfi_setconn(conn) != MI_SUCCESS) {
		log_error(NULL, "bad milter socket %s", cfg->socket);
		exit(EX_CONFIG);
	}
	if (smfi_settimeout((int)cfg->timeout) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		log_error(NULL, "cannot open milter socket %s", cfg->socket);
		exit(EX_OSERR);
	}
	/* conn must stay valid: libmilter keeps the pointer */
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
	(void)arg;
	milter_rc = smfi_main();
	milter_done = TRUE;
	kill(getpid(), SIGTERM); /* wake the main thread if it still waits */
	return NULL;
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
		if (sig == SIGUSR1 && !milter_done) {
			reload(config_path);
			continue;
		}
		if (milter_done)
			break;
		log_info(NULL, "stopping: finishing the messages in flight");
		milter_begin_stop();
		if (!milter_wait_idle(STOP_GRACE))
			log_warn(
			    NULL, "stopping with messages still in flight");
		smfi_stop();
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
	Config *cfg;
	Store *store;
	g_autofree char *durability = NULL;
	sigset_t set;

	parse_options(argc, argv, &o);
	cfg = load_config(&o);
	if (o.check_only) {
		printf("%s: configuration OK\n", o.config_path);
		config_free(cfg);
		return 0;
	}
	log_open("passalong-milter", o.foreground);
	cap_arenas(); /* before any thread */
	g_mime_init();
	sender_init();
	umask(007);
	if (!milter_register(&error)) { /* before smfi_opensocket() */
		log_error(NULL, "%s", error->message);
		return EX_SOFTWARE;
	}
	open_socket(cfg);
	drop_privileges(cfg);
	if (!o.foreground && daemon(0, 0) != 0) {
		log_error(NULL, "cannot detach: %s", g_strerror(errno));
		return EX_OSERR;
	}
	store = store_open(cfg->store_path, cfg->busy_timeout, &error);
	if (store == NULL) {
		log_error(NULL, "cannot open the store: %s", error->message);
		return EX_UNAVAILABLE;
	}
	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread */
	if (cfg->sender_enabled &&
	    (worker = sender_worker_start(cfg, &error)) == NULL) {
		log_error(
		    NULL, "cannot start the outbox worker: %s", error->message);
		return EX_UNAVAILABLE;
	}
	durability = store_durability(store);
	log_info(NULL, "starting version=%s socket=%s store=%s (%s)",
	    PACKAGE_VERSION, cfg->socket, cfg->store_path, durability);
	milter_runtime_set(cfg, store, worker);
	run(o.config_path);
	milter_set_worker(NULL);
	sender_worker_stop(worker);
	milter_runtime_clear();
	store_close(store);
	log_info(NULL, "stopped");
	return milter_rc == MI_SUCCESS ? 0 : EX_SOFTWARE;
}
