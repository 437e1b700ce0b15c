/*
 * spool.h - a message collected in memory, then on disk past a threshold
 *
 * SYNOPSIS
 *	g_autoptr(Spool) sp = spool_new(1048576, cfg->max_message_size, NULL);
 *	if (!spool_append(sp, chunk, len, &error)) ...  // too big, or I/O
 *	const char *data = spool_map(sp, &len, &error); // whole message
 *
 * DESCRIPTION
 *	The milter keeps share mail here while the MTA sends it. Up to
 *	threshold bytes stay in memory; past that, everything moves to a
 *	temporary file in dir (NULL: g_get_tmp_dir()) that is unlinked at once (nothing is left behind if
 *	the daemon dies), so N concurrent large messages cost N files, not
 *	N times max_message_size of memory. spool_map() gives the whole
 *	message as one read-only block (the memory buffer, or an mmap of
 *	the file) for the parser, valid until spool_free(). Once on disk,
 *	spool_fd() is the file (spool_size() bytes from offset 0, or -1
 *	while in memory), for a reader that need not map it.
 *
 * OWNERSHIP
 *	spool_new() returns a new Spool (transfer full); spool_free()
 *	accepts NULL and releases the memory, the mapping and the file.
 *
 * ERRORS
 *	SPOOL_ERROR_TOO_BIG: the message would pass max bytes (what was
 *	collected is dropped). SPOOL_ERROR_IO: the file could not be made,
 *	written or mapped (errno's text included).
 *
 * THREADS
 *	A Spool belongs to one message; no locking.
 */
#ifndef PA_SPOOL_H
#define PA_SPOOL_H

#include <glib.h>

#define SPOOL_ERROR (spool_error_quark())
GQuark spool_error_quark(void);
typedef enum {
	SPOOL_ERROR_TOO_BIG,
	SPOOL_ERROR_IO,
} SpoolError;

typedef struct _Spool Spool;

Spool *spool_new(gsize threshold, guint64 max, const char *dir);
gboolean spool_append(Spool *sp, const void *data, gsize len, GError **error);
const char *spool_map(Spool *sp, gsize *len, GError **error);
int spool_fd(const Spool *sp);
guint64 spool_size(const Spool *sp);
gboolean spool_on_disk(const Spool *sp);
void spool_free(Spool *sp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Spool, spool_free)

#endif /* PA_SPOOL_H */
