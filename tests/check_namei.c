/*
 * check_namei.c - the path walk: symlinks and ELOOP, `.`/`..` at roots and across
 * mounts, trailing slashes, name and path length limits, *at calls, AT_EMPTY_PATH.
 */
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "helpers.h"

static uint64_t ino_of(const char *path)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, path, &st, 0));
	return st.ino;
}

START_TEST(namei_symlink_loop_eloop)
{
	ck_assert_ok(vfs_symlinkat(tt, "b", AT_FDCWD, "/a"));
	ck_assert_ok(vfs_symlinkat(tt, "a", AT_FDCWD, "/b"));
	struct vfs_stat st;

	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/a", &st, 0), ELOOP);
	/* Not following the last component is fine. */
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/a", &st, AT_SYMLINK_NOFOLLOW));
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFLNK);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/a/x", O_RDONLY, 0), ELOOP);
}
END_TEST

START_TEST(namei_symlink_chain_40_follows_41_eloop)
{
	char name[32], target[32];
	struct vfs_stat st;
	int i;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	/* l0 -> d, l1 -> l0, ..., l40 -> l39: l39 takes 40 traversals, l40 takes 41. */
	for (i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "/l%d", i);
		if (i == 0)
			snprintf(target, sizeof(target), "d");
		else
			snprintf(target, sizeof(target), "l%d", i - 1);
		ck_assert_ok(vfs_symlinkat(tt, target, AT_FDCWD, name));
	}
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/l39", &st, 0));
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFDIR);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/l40", &st, 0), ELOOP);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/l39/", &st, 0));
}
END_TEST

START_TEST(namei_dotdot_stays_at_root)
{
	ck_assert_uint_eq(ino_of("/.."), ino_of("/"));
	ck_assert_uint_eq(ino_of("/../../."), ino_of("/"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail/in", 0755));
	ck_assert_ok(vfs_chroot(tt, "/jail"));
	ck_assert_ok(vfs_chdir(tt, "/"));
	/* After chroot, `..` of the new root is the new root. */
	ck_assert_uint_eq(ino_of("/.."), ino_of("/"));
	ck_assert_uint_eq(ino_of("/in/../.."), ino_of("/"));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/jail", &(struct vfs_stat){ 0 }, 0), ENOENT);
}
END_TEST

START_TEST(namei_dotdot_crosses_mount_root)
{
	struct vfs_stat root, st, mnt;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/", &root, 0));
	ck_assert_ok(vfs_mount(tt, "none", "/mnt", "tmpfs", 0, NULL));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/sub", 0755));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt", &mnt, 0));
	ck_assert_uint_ne(mnt.dev, root.dev); /* the mount is crossed going down */
	ck_assert_ok(vfs_chdir(tt, "/mnt/sub"));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "../..", &st, 0));
	ck_assert_uint_eq(st.ino, root.ino);
	ck_assert_uint_eq(st.dev, root.dev);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "..", &st, 0));
	ck_assert_uint_eq(st.dev, mnt.dev);
	ck_assert_ok(vfs_chdir(tt, "/"));
	ck_assert_ok(vfs_umount2(tt, "/mnt", 0));
}
END_TEST

START_TEST(namei_trailing_slash_rules)
{
	struct vfs_stat st;

	ck_assert_ok(t_write_file(tt, "/f", "x", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/f/", &st, 0), ENOTDIR);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/d//", &st, 0));
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/f/", O_RDONLY, 0), ENOTDIR);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/new/", O_CREAT | O_WRONLY, 0644), EISDIR);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/e/", 0755));
	ck_assert_err(vfs_symlinkat(tt, "x", AT_FDCWD, "/s/"), ENOENT);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/f/", 0), ENOTDIR);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/d", 0), EISDIR);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/d/", AT_REMOVEDIR));
	/* A symlink to a directory with a trailing slash is followed. */
	ck_assert_ok(vfs_symlinkat(tt, "e", AT_FDCWD, "/le"));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/le/", &st, AT_SYMLINK_NOFOLLOW));
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFDIR);
}
END_TEST

START_TEST(namei_name_and_path_limits)
{
	char name[300], path[4200];
	struct vfs_stat st;
	size_t i;

	memset(name, 'n', 255);
	name[255] = '\0';
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, name, 0755));
	name[255] = 'n';
	name[256] = '\0';
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, name, 0755), ENAMETOOLONG);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, name, &st, 0), ENAMETOOLONG);
	/* 4095 bytes is a valid length (it may fail otherwise), 4096 is not. */
	for (i = 0; i < 4095; i++)
		path[i] = (i % 2) ? '/' : 'a';
	path[4095] = '\0';
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, path, &st, 0), ENOENT);
	path[4095] = 'a';
	path[4096] = '\0';
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, path, &st, 0), ENAMETOOLONG);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "", &st, 0), ENOENT);
}
END_TEST

START_TEST(namei_intermediate_errors)
{
	struct vfs_stat st;

	ck_assert_ok(t_write_file(tt, "/f", "x", 0644));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/f/x", &st, 0), ENOTDIR);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/missing/x", &st, 0), ENOENT);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/missing/x", 0755), ENOENT);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/f/x", 0755), ENOTDIR);
}
END_TEST

START_TEST(namei_search_permission)
{
	struct task *u = task_fork(tt);
	struct vfs_stat st;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/p", 0700));
	ck_assert_ok(t_write_file(tt, "/p/f", "x", 0644));
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	ck_assert_err(vfs_fstatat(u, AT_FDCWD, "/p/f", &st, 0), EACCES);
	ck_assert_ok(vfs_fstatat(u, AT_FDCWD, "/p", &st, 0));
	/* Search (x) without read is enough to walk through. */
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/p", 0711, 0));
	ck_assert_ok(vfs_fstatat(u, AT_FDCWD, "/p/f", &st, 0));
	task_exit(u);
}
END_TEST

START_TEST(namei_dirfd_and_empty_path)
{
	struct vfs_stat st, st2;
	int dfd, ffd;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	ck_assert_ok(t_write_file(tt, "/d/f", "hello", 0644));
	dfd = vfs_openat(tt, AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(dfd, 0);
	ck_assert_ok(vfs_fstatat(tt, dfd, "f", &st, 0));
	ck_assert_int_eq(st.size, 5);
	ffd = vfs_openat(tt, dfd, "f", O_RDONLY, 0);
	ck_assert_int_ge(ffd, 0);
	ck_assert_err(vfs_fstatat(tt, ffd, "x", &st, 0), ENOTDIR);
	ck_assert_err(vfs_fstatat(tt, ffd, "", &st, 0), ENOENT);
	ck_assert_ok(vfs_fstatat(tt, ffd, "", &st2, AT_EMPTY_PATH));
	ck_assert_uint_eq(st2.ino, st.ino);
	ck_assert_err(vfs_fstatat(tt, 99, "f", &st, 0), EBADF);
	/* An absolute path ignores a bad dirfd. */
	ck_assert_ok(vfs_fstatat(tt, 99, "/d/f", &st, 0));
	vfs_close(tt, ffd);
	vfs_close(tt, dfd);
}
END_TEST

START_TEST(namei_creat_through_dangling_symlink)
{
	struct vfs_stat st;
	int fd;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	ck_assert_ok(vfs_symlinkat(tt, "d/target", AT_FDCWD, "/link"));
	fd = vfs_openat(tt, AT_FDCWD, "/link", O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	vfs_close(tt, fd);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/d/target", &st, 0));
	ck_assert_uint_eq(st.mode & 0777, 0600);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/link", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/link", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	fd = vfs_openat(tt, AT_FDCWD, "/link", O_PATH | O_NOFOLLOW, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_fstat(tt, fd, &st));
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFLNK);
	ck_assert_err(vfs_read(tt, fd, &st, 1), EBADF);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(namei_getcwd_and_removed_cwd)
{
	char buf[64];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a/b", 0755));
	ck_assert_ok(vfs_chdir(tt, "/a/b"));
	ck_assert_int_eq(vfs_getcwd(tt, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "/a/b");
	ck_assert_err(vfs_getcwd(tt, buf, 3), ERANGE);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/a/b", AT_REMOVEDIR));
	ck_assert_err(vfs_getcwd(tt, buf, sizeof(buf)), ENOENT);
	/* Nothing can be created in a removed directory. */
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "x", 0755), ENOENT);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "y", O_CREAT | O_WRONLY, 0644), ENOENT);
	ck_assert_ok(vfs_chdir(tt, "/"));
}
END_TEST

Suite *namei_suite(void)
{
	Suite *s = suite_create("namei");
	TCase *tc = t_case(s, "walk");

	tcase_add_test(tc, namei_symlink_loop_eloop);
	tcase_add_test(tc, namei_symlink_chain_40_follows_41_eloop);
	tcase_add_test(tc, namei_dotdot_stays_at_root);
	tcase_add_test(tc, namei_dotdot_crosses_mount_root);
	tcase_add_test(tc, namei_trailing_slash_rules);
	tcase_add_test(tc, namei_name_and_path_limits);
	tcase_add_test(tc, namei_intermediate_errors);
	tcase_add_test(tc, namei_search_permission);
	tcase_add_test(tc, namei_dirfd_and_empty_path);
	tcase_add_test(tc, namei_creat_through_dangling_symlink);
	tcase_add_test(tc, namei_getcwd_and_removed_cwd);
	return s;
}
