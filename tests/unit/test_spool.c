/*
 * test_spool.c - collecting a message: memory, then an unlinked file
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "milter/spool.h"

static void
test_memory(void)
{
	g_autoptr(Spool) sp = spool_new(1024, 4096, NULL);
	g_autoptr(GError) error = NULL;
	const char *data;
	gsize len = 0;

	g_assert_true(spool_append(sp, "Subject: a\r\n", 12, &error));
	g_assert_true(spool_append(sp, "\r\nbody\r\n", 8, &error));
	g_assert_no_error(error);
	g_assert_false(spool_on_disk(sp));
	data = spool_map(sp, &len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(len, ==, 20);
	g_assert_cmpmem(data, len, "Subject: a\r\n\r\nbody\r\n", 20);
}

/* count_deleted_fds - open files of ours whose name is gone */
static guint
count_deleted_fds(void)
{
	g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
	const char *name;
	guint n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p =
		    g_build_filename("/proc/self/fd", name, NULL);
		g_autofree char *target = g_file_read_link(p, NULL);

		if (target != NULL && strstr(target, "passalong-spool") &&
		    g_str_has_suffix(target, " (deleted)"))
			n++;
	}
	return n;
}

static void
test_disk(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) want = g_string_new(NULL);
	Spool *sp = spool_new(100, 1 << 20, NULL);
	guint before = count_deleted_fds();
	const char *data;
	gsize len = 0;

	for (int i = 0; i < 500; i++) {
		g_autofree char *line =
		    g_strdup_printf("line %d of the body\r\n", i);

		g_string_append(want, line);
		g_assert_true(spool_append(sp, line, strlen(line), &error));
	}
	g_assert_no_error(error);
	g_assert_true(spool_on_disk(sp));
	/* the file has no name from the moment it exists */
	g_assert_cmpuint(count_deleted_fds(), ==, before + 1);
	data = spool_map(sp, &len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(len, ==, want->len);
	g_assert_cmpmem(data, len, want->str, want->len);
	g_assert_true(spool_map(sp, &len, &error) == data); /* mapped once */
	spool_free(sp);
	g_assert_cmpuint(count_deleted_fds(), ==, before);
}

static void
test_too_big(void)
{
	g_autoptr(Spool) mem = spool_new(1 << 20, 1000, NULL);
	g_autoptr(Spool) disk = spool_new(10, 1000, NULL);
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	char block[600];

	memset(block, 'x', sizeof block);
	g_assert_true(spool_append(mem, block, sizeof block, &e1));
	g_assert_false(spool_append(mem, block, sizeof block, &e1));
	g_assert_error(e1, SPOOL_ERROR, SPOOL_ERROR_TOO_BIG);
	g_assert_true(spool_append(disk, block, sizeof block, &e2));
	g_assert_false(spool_append(disk, block, sizeof block, &e2));
	g_assert_error(e2, SPOOL_ERROR, SPOOL_ERROR_TOO_BIG);
	/* exactly the limit is allowed */
	{
		g_autoptr(Spool) edge = spool_new(10, 1200, NULL);
		g_autoptr(GError) e3 = NULL;

		g_assert_true(spool_append(edge, block, sizeof block, &e3));
		g_assert_true(spool_append(edge, block, sizeof block, &e3));
		g_assert_no_error(e3);
	}
}

static void
test_io_error(void)
{
	g_autoptr(Spool) sp =
	    spool_new(10, 1 << 20, "/nonexistent/passalong-test");
	g_autoptr(GError) error = NULL;

	/* a folder that does not exist: the file cannot be made */
	g_assert_false(spool_append(sp, "0123456789abcdef", 16, &error));
	g_assert_error(error, SPOOL_ERROR, SPOOL_ERROR_IO);
	g_assert_nonnull(strstr(error->message, "/nonexistent/passalong-test"));
	g_assert_false(spool_on_disk(sp));
}

static void
test_empty(void)
{
	g_autoptr(Spool) sp = spool_new(10, 100, NULL);
	g_autoptr(GError) error = NULL;
	gsize len = 1;
	const char *data = spool_map(sp, &len, &error);

	g_assert_nonnull(data);
	g_assert_cmpuint(len, ==, 0);
}

/* main - the tests */
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/spool/append/memory", test_memory);
	g_test_add_func("/spool/append/disk-unlinked", test_disk);
	g_test_add_func("/spool/append/too-big", test_too_big);
	g_test_add_func("/spool/append/io-error", test_io_error);
	g_test_add_func("/spool/map/empty", test_empty);
	return g_test_run();
}
