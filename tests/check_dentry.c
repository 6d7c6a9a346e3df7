/*
 * check_dentry.c - the dentry cache: the children hash table under growth and
 * backward-shift deletion, readdir offsets stable across removal and seeks, renames
 * to longer names, exchange.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "helpers.h"

/* Names present after reading the whole directory once; returns how many. */
static int read_all(int fd, char seen[][16], int max)
{
	char buf[512];
	int n = 0;
	ssize_t len;

	while ((len = vfs_getdents(tt, fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < len) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(name, ".") && strcmp(name, "..")) {
				ck_assert_int_lt(n, max);
				ck_assert_uint_lt(strlen(name), 16);
				memcpy(seen[n++], name, strlen(name) + 1);
			}
			off += reclen;
		}
	}
	ck_assert_int_eq(len, 0);
	return n;
}

START_TEST(dentry_table_growth_and_deletion)
{
	char name[32];
	struct vfs_stat st;
	int i;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, name, S_IFREG | 0644, 0));
	}
	for (i = 0; i < 3000; i += 2) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, name, 0));
	}
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		if (i % 2)
			ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, name, &st, 0));
		else
			ck_assert_err(vfs_fstatat(tt, AT_FDCWD, name, &st, 0), ENOENT);
	}
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/d", &st, 0));
	ck_assert_uint_eq(st.nlink, 2);
}
END_TEST

START_TEST(dentry_readdir_survives_removal)
{
	static char seen[64][16];
	char name[16], buf[64];
	int fd, i, n;
	ssize_t len;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/d/n%02d", i);
		ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, name, S_IFREG | 0644, 0));
	}
	fd = vfs_openat(tt, AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	/* A small buffer: a few entries per call. */
	len = vfs_getdents(tt, fd, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	/* Remove everything that was created first; the cursor keeps its place. */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/d/n%02d", i);
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, name, 0));
	}
	n = read_all(fd, seen, 64);
	ck_assert_int_eq(n, 20);
	for (i = 0; i < n; i++)
		ck_assert_int_ge(atoi(seen[i] + 1), 20);
	/* Rewind: everything left, once. */
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(read_all(fd, seen, 64), 20);
	ck_assert_int_eq(vfs_getdents(tt, fd, buf, 8), 0); /* at the end: nothing to return */
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_SET), 0);
	ck_assert_err(vfs_getdents(tt, fd, buf, 8), EINVAL); /* too small for one entry */
	vfs_close(tt, fd);
}
END_TEST

START_TEST(dentry_rename_to_longer_name_and_back)
{
	char buf[8];
	const char *longname = "/a-much-longer-name-than-the-original-one";

	ck_assert_ok(t_write_file(tt, "/s", "v", 0644));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/s", AT_FDCWD, longname, 0));
	ck_assert_int_eq(t_read_file(tt, longname, buf, sizeof(buf)), 1);
	ck_assert_err(t_read_file(tt, "/s", buf, sizeof(buf)), ENOENT);
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, longname, AT_FDCWD, "/t", 0));
	ck_assert_int_eq(t_read_file(tt, "/t", buf, sizeof(buf)), 1);
}
END_TEST

START_TEST(dentry_exchange_swaps_across_dirs)
{
	char buf[8];
	struct vfs_stat st;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b/sub", 0755));
	ck_assert_ok(t_write_file(tt, "/a/file", "F", 0644));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/a/file", AT_FDCWD, "/b/sub", RENAME_EXCHANGE));
	ck_assert_int_eq(t_read_file(tt, "/b/sub", buf, sizeof(buf)), 1);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/a/file", &st, 0));
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFDIR);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/a", &st, 0));
	ck_assert_uint_eq(st.nlink, 3);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/b", &st, 0));
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/a", AT_FDCWD, "/a/file/x", 0), EINVAL);
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/a/file", AT_FDCWD, "/a", 0), ENOTEMPTY);
}
END_TEST

START_TEST(dentry_unlinked_open_file_lives)
{
	char buf[8];
	int fd;

	ck_assert_ok(t_write_file(tt, "/f", "abc", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/f", 0));
	ck_assert_int_eq(vfs_pread(tt, fd, buf, sizeof(buf), 0), 3);
	ck_assert_int_eq(vfs_pwrite(tt, fd, "xyz1", 4, 0), 4);
	{
		struct vfs_stat st;

		ck_assert_ok(vfs_fstat(tt, fd, &st));
		ck_assert_uint_eq(st.nlink, 0);
		ck_assert_int_eq(st.size, 4);
	}
	/* The name is free for a new file. */
	ck_assert_ok(t_write_file(tt, "/f", "new", 0644));
	vfs_close(tt, fd);
}
END_TEST

Suite *dentry_suite(void)
{
	Suite *s = suite_create("dentry");
	TCase *tc = t_case(s, "dcache");

	tcase_add_test(tc, dentry_table_growth_and_deletion);
	tcase_add_test(tc, dentry_readdir_survives_removal);
	tcase_add_test(tc, dentry_rename_to_longer_name_and_back);
	tcase_add_test(tc, dentry_exchange_swaps_across_dirs);
	tcase_add_test(tc, dentry_unlinked_open_file_lives);
	return s;
}
