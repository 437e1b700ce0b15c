/*
 * milter.h - the libmilter side of passalong-milter
 *
 * SYNOPSIS
 *	milter_runtime_set(cfg, store, worker);   // before smfi_main()
 *	milter_register(&error);
 *	milter_reload(new_cfg);                   // SIGUSR1 thread
 *
 * DESCRIPTION
 *	Registers the callbacks with libmilter. Per connection a context is
 *	kept with smfi_setpriv() (libmilter runs one connection's callbacks
 *	on different threads: never thread-locals). Share recipients are
 *	remembered at RCPT; at DATA a message with none is accepted, so the
 *	MTA sends nothing more; share mail is collected up to
 *	max_message_size and handed to share_process() at end of message,
 *	whose verdict becomes the SMTP reply. As it is collected its MIME
 *	structure is counted (common/mimescan.h): past max_mime_parts,
 *	max_mime_depth or the fixed header limits it is refused with 554
 *	5.6.0 at the next body chunk (or at end of message) and nothing
 *	more of it is kept, so no hostile structure reaches GMime.
 *
 * OWNERSHIP
 *	milter_runtime_set() and milter_reload() take the Config (transfer
 *	full); the Store and the worker stay the caller's and must outlive
 *	smfi_main().
 *
 * ERRORS
 *	milter_register() fails when libmilter refuses the registration.
 *
 *	Stopping: libmilter closes its sessions when smfi_main() returns,
 *	so main() calls milter_begin_stop() first thing after a stop signal
 *	(new messages are then answered 421-style tempfail) and
 *	milter_wait_idle() until the messages in flight (MAIL FROM seen, not
 *	yet ended) are done, bounded in time.
 *
 * THREADS
 *	Callbacks run on libmilter's threads; the current Config is read
 *	through a reference count, so a reload never frees a Config in use.
 */
#ifndef PA_MILTER_H
#define PA_MILTER_H

#include <glib.h>

#include "common/config.h"
#include "sender/sender.h"
#include "store/store.h"

void milter_runtime_set(Config *cfg, Store *store, SenderWorker *worker);
void milter_set_worker(SenderWorker *worker);
gboolean milter_register(GError **error);
void milter_reload(Config *cfg);
void milter_runtime_clear(void);
void milter_begin_stop(void);
gboolean milter_wait_idle(guint seconds);

#endif /* PA_MILTER_H */
