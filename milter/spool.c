/*
 * spool.c - a message collected in memory, then on disk past a threshold
 *
 * Trust: the bytes are untrusted but only stored; sizes are checked
 * before anything grows. Privilege: the daemon's user; the file lives in
 * [milter] spool_dir or TMPDIR, mode 0600, unlinked as soon as it exists.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "milter/spool.h"

G_DEFINE_QUARK(passalong_spool_error, spool_error)

struct _Spool {
	gsize threshold;
	guint64 max;
	char *dir;       /* where the file goes */
	GByteArray *mem; /* while in memory */
	int fd;          /* once on disk, else -1 */
	guint64 size;    /* bytes collected */
	void *map;       /* spool_map() of the file, or NULL */
};

/* spool_new - an empty spool */
Spool *
spool_new(gsize threshold, guint64 max, const char *dir)
{
	Spool *sp = g_new0(Spool, 1);

	sp->dir = g_strdup(dir != NULL ? dir : g_get_tmp_dir());
	sp->threshold = threshold;
	sp->max = max;
	sp->mem = g_byte_array_sized_new((guint)MIN(threshold, 64 * 1024));
	sp->fd = -1;
	return sp;
}

/* spool_free - release memory, mapping and file; accepts NULL */
void
spool_free(Spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->map != NULL)
		munmap(sp->map, sp->size);
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->mem != NULL)
		g_byte_array_unref(sp->mem);
	g_free(sp->dir);
	g_free(sp);
}

/* spool_on_disk - whether the message went to a file */
gboolean
spool_on_disk(const Spool *sp)
{
	return sp->fd >= 0;
}

/* io_error - a SPOOL_ERROR_IO with errno's text */
static gboolean
io_error(GError **error, const char *what, int err)
{
	g_set_error(error, SPOOL_ERROR, SPOOL_ERROR_IO, "spool: %s: %s", what,
	    g_strerror(err));
	return FALSE;
}

/* write_all - write every byte, through EINTR and short writes */
static gboolean
write_all(int fd, const guint8 *p, gsize len, GError **error)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_error(error, "write", n < 0 ? errno : EIO);
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* to_disk - move what is in memory to a new unlinked file */
static gboolean
to_disk(Spool *sp, GError **error)
{
	g_autofree char *path =
	    g_build_filename(sp->dir, "passalong-spool-XXXXXX", NULL);
	int fd = g_mkstemp_full(path, O_RDWR, 0600);

	if (fd < 0)
		return io_error(error, sp->dir, errno);
	if (g_unlink(path) != 0) {
		int err = errno;

		close(fd);
		return io_error(error, "unlink", err);
	}
	sp->fd = fd;
	if (!write_all(fd, sp->mem->data, sp->mem->len, error))
		return FALSE;
	g_clear_pointer(&sp->mem, g_byte_array_unref);
	return TRUE;
}

/* spool_append - add bytes; FALSE when too big or the file failed */
gboolean
spool_append(Spool *sp, const void *data, gsize len, GError **error)
{
	g_return_val_if_fail(sp != NULL && sp->map == NULL, FALSE);
	if (len > sp->max || sp->size > sp->max - len) {
		if (sp->mem != NULL)
			g_byte_array_set_size(sp->mem, 0);
		g_set_error(error, SPOOL_ERROR, SPOOL_ERROR_TOO_BIG,
		    "message larger than %" G_GUINT64_FORMAT " bytes", sp->max);
		return FALSE;
	}
	if (sp->fd < 0 && sp->size + len > sp->threshold && !to_disk(sp, error))
		return FALSE;
	if (sp->fd >= 0) {
		if (!write_all(sp->fd, data, len, error))
			return FALSE;
	} else
		g_byte_array_append(sp->mem, data, (guint)len);
	sp->size += len;
	return TRUE;
}

/* spool_fd - the file once on disk, else -1 */
int
spool_fd(const Spool *sp)
{
	g_return_val_if_fail(sp != NULL, -1);
	return sp->fd;
}

/* spool_size - bytes collected */
guint64
spool_size(const Spool *sp)
{
	g_return_val_if_fail(sp != NULL, 0);
	return sp->size;
}

/* spool_map - the whole message as one read-only block */
const char *
spool_map(Spool *sp, gsize *len, GError **error)
{
	g_return_val_if_fail(sp != NULL && len != NULL, NULL);
	*len = sp->size;
	if (sp->fd < 0)
		return sp->size > 0 ? (const char *)sp->mem->data : "";
	if (sp->map == NULL) {
		void *m =
		    mmap(NULL, sp->size, PROT_READ, MAP_PRIVATE, sp->fd, 0);

		if (m == MAP_FAILED) {
			io_error(error, "mmap", errno);
			return NULL;
		}
		sp->map = m;
	}
	return sp->map;
}
