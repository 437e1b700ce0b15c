/*
 * bench_milter.h - the main() of the baseline milters in bench/
 *
 * SYNOPSIS
 *	return bench_milter_main(argc, argv, &desc);
 *
 * DESCRIPTION
 *	Parses "-p SOCKET" (unix:PATH, inet:PORT@HOST), registers desc,
 *	opens the socket (removing a stale unix socket), prints
 *	"NAME: listening on SOCKET" on stderr and runs smfi_main() until
 *	SIGTERM. Returns the exit status: 0, or 1 with a message.
 *
 * OWNERSHIP
 *	desc must outlive the call.
 *
 * ERRORS
 *	Printed on stderr; a usage error returns 2.
 *
 * THREADS
 *	Call from main() only; libmilter starts a thread per connection.
 */
#ifndef PASSALONG_BENCH_MILTER_H
#define PASSALONG_BENCH_MILTER_H

#include <libmilter/mfapi.h>

int bench_milter_main(int argc, char **argv, struct smfiDesc *desc);

#endif
