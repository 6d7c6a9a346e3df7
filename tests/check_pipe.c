/*
 * check_pipe.c - FIFOs: non-blocking opens (ENXIO for a writer without readers), data
 * through the pipe, EOF and EPIPE when one side closes, ESPIPE for positional I/O,
 * EAGAIN when empty, and a blocking open completed by another thread.
 */
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

START_TEST(pipe_nonblocking_open_rules)
{
	int r, w;

	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/p", S_IFIFO | 0644, 0));
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/p", O_WRONLY | O_NONBLOCK, 0), ENXIO);
	r = vfs_openat(tt, AT_FDCWD, "/p", O_RDONLY | O_NONBLOCK, 0);
	ck_assert_int_ge(r, 0);
	w = vfs_openat(tt, AT_FDCWD, "/p", O_WRONLY | O_NONBLOCK, 0);
	ck_assert_int_ge(w, 0);
	vfs_close(tt, w);
	vfs_close(tt, r);
}
END_TEST

START_TEST(pipe_data_eof_epipe)
{
	char buf[16];
	int r, w;

	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/p", S_IFIFO | 0644, 0));
	r = vfs_openat(tt, AT_FDCWD, "/p", O_RDONLY | O_NONBLOCK, 0);
	w = vfs_openat(tt, AT_FDCWD, "/p", O_WRONLY, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_err(vfs_read(tt, r, buf, sizeof(buf)), EAGAIN);
	ck_assert_int_eq(vfs_write(tt, w, "hello", 5), 5);
	ck_assert_err(vfs_pread(tt, r, buf, 2, 0), ESPIPE);
	ck_assert_err(vfs_lseek(tt, r, 0, SEEK_SET), ESPIPE);
	ck_assert_int_eq(vfs_read(tt, r, buf, 3), 3);
	ck_assert(memcmp(buf, "hel", 3) == 0);
	ck_assert_ok(vfs_close(tt, w));
	ck_assert_int_eq(vfs_read(tt, r, buf, sizeof(buf)), 2);
	ck_assert_int_eq(vfs_read(tt, r, buf, sizeof(buf)), 0); /* EOF: no writers */
	w = vfs_openat(tt, AT_FDCWD, "/p", O_RDWR, 0);
	ck_assert_ok(vfs_close(tt, r));
	ck_assert_int_eq(vfs_write(tt, w, "x", 1), 1); /* O_RDWR is its own reader */
	ck_assert_ok(vfs_close(tt, w));
	/* All ends closed: the data is gone. */
	r = vfs_openat(tt, AT_FDCWD, "/p", O_RDONLY | O_NONBLOCK, 0);
	ck_assert_int_eq(vfs_read(tt, r, buf, sizeof(buf)), 0);
	w = vfs_openat(tt, AT_FDCWD, "/p", O_WRONLY | O_NONBLOCK, 0);
	ck_assert_ok(vfs_close(tt, r));
	ck_assert_err(vfs_write(tt, w, "y", 1), EPIPE);
	ck_assert_ok(vfs_close(tt, w));
}
END_TEST

static void *open_writer(void *arg)
{
	struct task *t = arg;
	long fd;

	usleep(20000);
	fd = vfs_openat(t, AT_FDCWD, "/p", O_WRONLY, 0);
	if (fd >= 0) {
		vfs_write(t, (int)fd, "z", 1);
		vfs_close(t, (int)fd);
	}
	return (void *)fd;
}

START_TEST(pipe_blocking_open_waits_for_writer)
{
	struct task *other = task_fork(tt);
	pthread_t th;
	void *ret;
	char c;
	int r;

	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/p", S_IFIFO | 0666, 0));
	ck_assert_int_eq(pthread_create(&th, NULL, open_writer, other), 0);
	r = vfs_openat(tt, AT_FDCWD, "/p", O_RDONLY, 0); /* blocks until the writer opens */
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(vfs_read(tt, r, &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	pthread_join(th, &ret);
	ck_assert_int_ge((long)ret, 0);
	vfs_close(tt, r);
	task_exit(other);
}
END_TEST

Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = t_case(s, "fifo");

	tcase_add_test(tc, pipe_nonblocking_open_rules);
	tcase_add_test(tc, pipe_data_eof_epipe);
	tcase_add_test(tc, pipe_blocking_open_waits_for_writer);
	return s;
}
