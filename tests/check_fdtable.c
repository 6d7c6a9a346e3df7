/*
 * check_fdtable.c - descriptors: lowest free number, dup/dup3/fcntl, close-on-exec
 * flags, fork copying the table, EBADF on closed numbers, shared offsets after dup.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

START_TEST(fdtable_lowest_free_number)
{
	int a, b, c;

	ck_assert_ok(t_write_file(tt, "/f", "0123456789", 0644));
	a = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	b = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	c = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_eq(a, 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(c, 2);
	ck_assert_ok(vfs_close(tt, b));
	ck_assert_err(vfs_close(tt, b), EBADF);
	ck_assert_int_eq(vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0), 1);
	ck_assert_int_eq(vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0), 3);
	ck_assert_err(vfs_close(tt, -1), EBADF);
	ck_assert_err(vfs_read(tt, 77, &a, 1), EBADF);
}
END_TEST

START_TEST(fdtable_dup_shares_offset)
{
	char buf[4];
	int fd, d;

	ck_assert_ok(t_write_file(tt, "/f", "abcdef", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	d = vfs_dup(tt, fd);
	ck_assert_int_eq(d, fd + 1);
	ck_assert_int_eq(vfs_read(tt, fd, buf, 2), 2);
	ck_assert_int_eq(vfs_read(tt, d, buf, 2), 2);
	ck_assert(memcmp(buf, "cd", 2) == 0);
	ck_assert_int_eq(vfs_dup3(tt, fd, 10, O_CLOEXEC), 10);
	ck_assert_int_eq(vfs_fcntl(tt, 10, F_GETFD, 0), FD_CLOEXEC);
	ck_assert_int_eq(vfs_fcntl(tt, d, F_GETFD, 0), 0);
	ck_assert_err(vfs_dup3(tt, fd, fd, 0), EINVAL);
	ck_assert_err(vfs_dup3(tt, fd, 11, O_APPEND), EINVAL);
	ck_assert_err(vfs_dup3(tt, 55, 11, 0), EBADF);
	ck_assert_int_eq(vfs_fcntl(tt, fd, F_DUPFD, 20), 20);
	ck_assert_int_eq(vfs_fcntl(tt, fd, F_GETFL, 0), O_RDONLY);
	ck_assert_ok(vfs_fcntl(tt, fd, F_SETFL, O_APPEND));
	ck_assert_int_eq(vfs_fcntl(tt, d, F_GETFL, 0), O_APPEND); /* one description */
}
END_TEST

START_TEST(fdtable_fork_copies_table)
{
	struct task *child;
	char buf[4];
	int fd;

	ck_assert_ok(t_write_file(tt, "/f", "xy", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	child = task_fork(tt);
	ck_assert_ptr_nonnull(child);
	ck_assert_int_eq(vfs_read(tt, fd, buf, 1), 1);
	/* The child's descriptor shares the description (and the offset). */
	ck_assert_int_eq(vfs_read(child, fd, buf, 1), 1);
	ck_assert_int_eq(buf[0], 'y');
	ck_assert_ok(vfs_close(child, fd));
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_CUR), 2);
	task_exit(child);
}
END_TEST

START_TEST(fdtable_lseek_rules)
{
	int fd;

	ck_assert_ok(t_write_file(tt, "/f", "0123456789", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_eq(vfs_lseek(tt, fd, -2, SEEK_END), 8);
	ck_assert_int_eq(vfs_lseek(tt, fd, 1, SEEK_CUR), 9);
	ck_assert_err(vfs_lseek(tt, fd, -20, SEEK_CUR), EINVAL);
	ck_assert_err(vfs_lseek(tt, fd, 0, 42), EINVAL);
	ck_assert_int_eq(vfs_lseek(tt, fd, 100, SEEK_SET), 100);
	ck_assert_int_eq(vfs_lseek(tt, fd, 3, SEEK_DATA), 3);
	ck_assert_int_eq(vfs_lseek(tt, fd, 3, SEEK_HOLE), 10);
	ck_assert_err(vfs_lseek(tt, fd, 10, SEEK_DATA), ENXIO);
}
END_TEST

Suite *fdtable_suite(void)
{
	Suite *s = suite_create("fdtable");
	TCase *tc = t_case(s, "fds");

	tcase_add_test(tc, fdtable_lowest_free_number);
	tcase_add_test(tc, fdtable_dup_shares_offset);
	tcase_add_test(tc, fdtable_fork_copies_table);
	tcase_add_test(tc, fdtable_lseek_rules);
	return s;
}
