/*
 * check_attr.c - attributes (src/vfs/attr.c) and extended attributes (src/vfs/xattr.c):
 * who may chmod, chown, set times and truncate, what clears setuid/setgid, which times
 * change, stat and statfs, and the xattr namespace rules. The expected errnos are what
 * Linux 6.18 returns on tmpfs for the same calls (checked by hand on the real kernel).
 */
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "helpers.h"

#ifndef XATTR_CREATE
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2
#endif

/* ------------------------------------------------------------------ helpers */

/* uid 1000, gid 1000, groups {50}; the caller task_exit()s it. */
static struct task *user_task(void)
{
	static const gid_t groups[] = { 50 };
	struct task *u = task_fork(tt);

	ck_assert_msg((unsigned long)u < (unsigned long)-4095L && u, "task_fork failed");
	ck_assert_int_eq(task_setcreds(u, 1000, 1000, 1, groups), 0);
	return u;
}

static void mkfile(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	ck_assert_int_eq(t_write_file(tt, path, "", 0600), 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, path, uid, gid, 0), 0);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, path, mode, 0), 0);
}

static struct vfs_stat lst(const char *path)
{
	struct vfs_stat st;

	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st;
}

static unsigned mode_of(const char *path)
{
	return lst(path).mode & 07777;
}

/* A read-only bind of a populated directory at /ro: /ro/f (0644 "x"), /ro/d. */
static void make_ro(void)
{
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/ro", 0755), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/ro/d", 0755), 0);
	ck_assert_int_eq(t_write_file(tt, "/ro/f", "x", 0644), 0);
	ck_assert_int_eq(vfs_mount(tt, "/ro", "/ro", NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(vfs_mount(tt, NULL, "/ro", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL),
			 0);
}

/* ------------------------------------------------------------------ chmod */

START_TEST(attr_chmod_owner_or_eperm)
{
	struct task *u;

	mkfile("/mine", 0644, 1000, 1000);
	mkfile("/theirs", 0666, 0, 0);
	u = user_task();
	ck_assert_int_eq(vfs_fchmodat(u, AT_FDCWD, "/mine", 0600, 0), 0);
	ck_assert_err(vfs_fchmodat(u, AT_FDCWD, "/theirs", 0600, 0), EPERM);
	task_exit(u);
	ck_assert_uint_eq(mode_of("/mine"), 0600);
	ck_assert_uint_eq(mode_of("/theirs"), 0666);
	/* root may chmod anything, and the type bits of mode are ignored */
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/mine", S_IFDIR | 04711, 0), 0);
	ck_assert_uint_eq(lst("/mine").mode, S_IFREG | 04711);
}
END_TEST

START_TEST(attr_chmod_clears_sgid_not_in_group)
{
	struct task *u;

	mkfile("/f", 0644, 1000, 0);
	mkfile("/g", 0644, 1000, 50);
	u = user_task();
	ck_assert_int_eq(vfs_fchmodat(u, AT_FDCWD, "/f", 02755, 0), 0);
	ck_assert_int_eq(vfs_fchmodat(u, AT_FDCWD, "/g", 06755, 0), 0);
	task_exit(u);
	ck_assert_uint_eq(mode_of("/f"), 0755);
	ck_assert_uint_eq(mode_of("/g"), 06755);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/f", 02755, 0), 0);
	ck_assert_uint_eq(mode_of("/f"), 02755);
}
END_TEST

START_TEST(attr_chmod_symlink_nofollow_eopnotsupp)
{
	struct task *u;

	mkfile("/f", 0644, 0, 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "f", AT_FDCWD, "/l"), 0);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/l", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	u = user_task(); /* refused before any ownership check */
	ck_assert_err(vfs_fchmodat(u, AT_FDCWD, "/l", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	task_exit(u);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/l", 0600, 0), 0);
	ck_assert_uint_eq(mode_of("/f"), 0600);
	ck_assert_uint_eq(mode_of("/l"), 0777);
}
END_TEST

START_TEST(attr_chmod_flags_and_faults)
{
	int fd;

	mkfile("/f", 0644, 0, 0);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/f", 0600, 0x8000), EINVAL);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/nope", 0600, 0), ENOENT);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, NULL, 0600, 0), EFAULT);
	ck_assert_err(vfs_fchmod(tt, 99, 0600), EBADF);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_fchmod(tt, fd, 0640), 0);
	ck_assert_int_eq(vfs_fchmodat(tt, fd, "", 0600, AT_EMPTY_PATH), 0);
	vfs_close(tt, fd);
	ck_assert_uint_eq(mode_of("/f"), 0600);
}
END_TEST

START_TEST(attr_chmod_updates_ctime_only)
{
	struct vfs_stat a, b;

	mkfile("/f", 0644, 0, 0);
	a = lst("/f");
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/f", 0644, 0), 0);
	b = lst("/f");
	ck_assert_int_gt(b.ctime_ns, a.ctime_ns);
	ck_assert_int_eq(b.mtime_ns, a.mtime_ns);
	ck_assert_int_eq(b.atime_ns, a.atime_ns);
}
END_TEST

START_TEST(attr_opath_fd_rules)
{
	struct vfs_stat st;
	struct vfs_statfs sf;
	int fd;

	mkfile("/f", 0644, 0, 0);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_PATH, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(vfs_fchmod(tt, fd, 0600), EBADF);
	ck_assert_err(vfs_fchown(tt, fd, 1, 1), EBADF);
	ck_assert_err(vfs_ftruncate(tt, fd, 0), EBADF);
	ck_assert_err(vfs_utimensat(tt, fd, NULL, NULL, 0), EBADF);
	ck_assert_int_eq(vfs_utimensat(tt, fd, "", NULL, AT_EMPTY_PATH), 0);
	ck_assert_int_eq(vfs_fstat(tt, fd, &st), 0);
	ck_assert_uint_eq(st.mode, S_IFREG | 0644);
	ck_assert_int_eq(vfs_fstatfs(tt, fd, &sf), 0);
	vfs_close(tt, fd);
}
END_TEST

/* ------------------------------------------------------------------ chown */

START_TEST(attr_chown_uid_needs_cap_chown)
{
	struct task *u;

	mkfile("/mine", 0644, 1000, 1000);
	mkfile("/theirs", 0644, 0, 0);
	u = user_task();
	ck_assert_err(vfs_fchownat(u, AT_FDCWD, "/mine", 1001, -1, 0), EPERM);
	/* "changing" the uid to itself is allowed to the owner only */
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/mine", 1000, -1, 0), 0);
	ck_assert_err(vfs_fchownat(u, AT_FDCWD, "/theirs", 0, -1, 0), EPERM);
	task_exit(u);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/mine", 7, 8, 0), 0);
	ck_assert_uint_eq(lst("/mine").uid, 7);
	ck_assert_uint_eq(lst("/mine").gid, 8);
}
END_TEST

START_TEST(attr_chgrp_own_groups_only)
{
	struct task *u;

	mkfile("/mine", 0644, 1000, 1000);
	mkfile("/theirs", 0644, 0, 50);
	u = user_task();
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/mine", -1, 50, 0), 0);
	ck_assert_uint_eq(lst("/mine").gid, 50);
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/mine", 1000, 1000, 0), 0);
	ck_assert_err(vfs_fchownat(u, AT_FDCWD, "/mine", -1, 51, 0), EPERM);
	/* a member of the group, but not the owner */
	ck_assert_err(vfs_fchownat(u, AT_FDCWD, "/theirs", -1, 50, 0), EPERM);
	/* chown(-1, -1) by a non-owner on a file without setuid: only ctime changes */
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/theirs", -1, -1, 0), 0);
	task_exit(u);
}
END_TEST

START_TEST(attr_chown_clears_suid)
{
	struct task *u;

	/* root's chown clears setuid too, and setgid when group-executable */
	mkfile("/a", 06755, 0, 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/a", 0, 0, 0), 0);
	ck_assert_uint_eq(mode_of("/a"), 0755);
	mkfile("/b", 06755, 0, 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/b", -1, -1, 0), 0);
	ck_assert_uint_eq(mode_of("/b"), 0755);
	/* setgid without group-exec (mandatory-locking style) stays for root */
	mkfile("/c", 06745, 0, 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/c", 0, 0, 0), 0);
	ck_assert_uint_eq(mode_of("/c"), 02745);
	/* directories keep everything */
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755), 0);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/d", 07755, 0), 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/d", 0, 0, 0), 0);
	ck_assert_uint_eq(mode_of("/d"), 07755);

	mkfile("/e", 06755, 1000, 1000);
	mkfile("/s", 06755, 0, 0);
	u = user_task();
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/e", -1, 50, 0), 0);
	/* a non-owner cannot clear someone else's setuid by chown(-1, -1) */
	ck_assert_err(vfs_fchownat(u, AT_FDCWD, "/s", -1, -1, 0), EPERM);
	task_exit(u);
	ck_assert_uint_eq(mode_of("/e"), 0755);
	ck_assert_uint_eq(lst("/e").gid, 50);
	ck_assert_uint_eq(mode_of("/s"), 06755);
}
END_TEST

START_TEST(attr_chown_sgid_kept_for_group_member_without_xgrp)
{
	struct task *u;

	mkfile("/f", 02745, 1000, 50);
	mkfile("/g", 02745, 1000, 7);
	u = user_task();
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/f", -1, 1000, 0), 0);
	/* not in group 7: the setgid bit goes */
	ck_assert_int_eq(vfs_fchownat(u, AT_FDCWD, "/g", -1, 1000, 0), 0);
	task_exit(u);
	ck_assert_uint_eq(mode_of("/f"), 02745);
	ck_assert_uint_eq(mode_of("/g"), 0745);
}
END_TEST

START_TEST(attr_chown_updates_ctime_even_if_unchanged)
{
	struct vfs_stat a, b;

	mkfile("/f", 0644, 5, 5);
	a = lst("/f");
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/f", -1, -1, 0), 0);
	b = lst("/f");
	ck_assert_int_gt(b.ctime_ns, a.ctime_ns);
	ck_assert_int_eq(b.mtime_ns, a.mtime_ns);
	ck_assert_uint_eq(b.uid, 5);
}
END_TEST

START_TEST(attr_lchown_symlink_and_flags)
{
	int fd;

	mkfile("/f", 0644, 0, 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "f", AT_FDCWD, "/l"), 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/l", 3, 4, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_uint_eq(lst("/l").uid, 3);
	ck_assert_uint_eq(lst("/f").uid, 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, "/l", 5, 6, 0), 0);
	ck_assert_uint_eq(lst("/f").uid, 5);
	ck_assert_err(vfs_fchownat(tt, AT_FDCWD, "/f", 0, 0, AT_EACCESS), EINVAL);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_fchown(tt, fd, 9, 9), 0);
	vfs_close(tt, fd);
	ck_assert_uint_eq(lst("/f").gid, 9);
	ck_assert_err(vfs_fchown(tt, -1, 0, 0), EBADF);
}
END_TEST

START_TEST(attr_readonly_mount_erofs)
{
	struct task *u;
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	int fd;

	make_ro();
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/ro/f", 0600, 0), EROFS);
	ck_assert_err(vfs_fchownat(tt, AT_FDCWD, "/ro/f", 1, 1, 0), EROFS);
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, "/ro/f", NULL, 0), EROFS);
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, "/ro/f", ts, 0), EROFS);
	ck_assert_err(vfs_truncate(tt, "/ro/f", 0), EROFS);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/ro/f", "user.a", "1", 1, 0, 0), EROFS);
	ck_assert_err(vfs_removexattrat(tt, AT_FDCWD, "/ro/f", "user.a", 0), EROFS);
	/* truncate(2) checks permission before the mount: a non-writer sees EACCES */
	u = user_task();
	ck_assert_err(vfs_truncate(u, "/ro/f", 0), EACCES);
	ck_assert_err(vfs_fchmodat(u, AT_FDCWD, "/ro/f", 0600, 0), EROFS);
	task_exit(u);
	fd = vfs_openat(tt, AT_FDCWD, "/ro/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(vfs_fchmod(tt, fd, 0600), EROFS);
	vfs_close(tt, fd);
	ck_assert_uint_eq(mode_of("/ro/f"), 0644);
}
END_TEST

/* ------------------------------------------------------------------ utimensat */

START_TEST(attr_utimensat_now_needs_write)
{
	struct timespec now2[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct timespec now_omit[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	struct task *u;

	mkfile("/w", 0666, 0, 0);
	mkfile("/r", 0644, 0, 0);
	u = user_task();
	ck_assert_int_eq(vfs_utimensat(u, AT_FDCWD, "/w", NULL, 0), 0);
	ck_assert_int_eq(vfs_utimensat(u, AT_FDCWD, "/w", now2, 0), 0);
	/* anything but "both now" is an explicit change: the owner's alone */
	ck_assert_err(vfs_utimensat(u, AT_FDCWD, "/w", now_omit, 0), EPERM);
	ck_assert_err(vfs_utimensat(u, AT_FDCWD, "/r", NULL, 0), EACCES);
	ck_assert_err(vfs_utimensat(u, AT_FDCWD, "/r", now2, 0), EACCES);
	task_exit(u);
}
END_TEST

START_TEST(attr_utimensat_explicit_needs_owner)
{
	struct timespec ts[2] = { { 5, 6 }, { 7, 8 } };
	struct task *u;
	struct vfs_stat st;

	mkfile("/w", 0666, 0, 0);
	mkfile("/mine", 0444, 1000, 1000);
	u = user_task();
	ck_assert_err(vfs_utimensat(u, AT_FDCWD, "/w", ts, 0), EPERM);
	ck_assert_int_eq(vfs_utimensat(u, AT_FDCWD, "/mine", ts, 0), 0);
	/* the owner may set "now" without write permission */
	ck_assert_int_eq(vfs_utimensat(u, AT_FDCWD, "/mine", NULL, 0), 0);
	task_exit(u);
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/w", ts, 0), 0);
	st = lst("/w");
	ck_assert_int_eq(st.atime_ns, 5000000006LL);
	ck_assert_int_eq(st.mtime_ns, 7000000008LL);
}
END_TEST

START_TEST(attr_utimensat_omit_and_ctime)
{
	struct timespec ts[2] = { { 5, 0 }, { 7, 0 } };
	struct timespec omit_a[2] = { { 0, UTIME_OMIT }, { 9, 0 } };
	struct timespec omit2[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	struct vfs_stat a, b;

	mkfile("/f", 0644, 0, 0);
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/f", ts, 0), 0);
	a = lst("/f");
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/f", omit_a, 0), 0);
	b = lst("/f");
	ck_assert_int_eq(b.atime_ns, 5000000000LL);
	ck_assert_int_eq(b.mtime_ns, 9000000000LL);
	ck_assert_int_gt(b.ctime_ns, a.ctime_ns);
	/* both omitted: nothing happens, not even the path walk or the flags check */
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/f", omit2, 0), 0);
	ck_assert_int_eq(lst("/f").ctime_ns, b.ctime_ns);
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/nope", omit2, 0x8000), 0);
	/* NULL times: both now, and now is after the explicit values */
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/f", NULL, 0), 0);
	a = lst("/f");
	ck_assert_int_gt(a.mtime_ns, 9000000000LL);
	ck_assert_int_eq(a.atime_ns, a.mtime_ns);
	ck_assert_int_eq(a.ctime_ns, a.mtime_ns);
}
END_TEST

START_TEST(attr_utimensat_einval_efault_ebadf)
{
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, UTIME_OMIT } };
	struct timespec neg[2] = { { 0, -1 }, { 0, 0 } };
	int fd;

	mkfile("/f", 0644, 0, 0);
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, "/f", bad, 0), EINVAL);
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, "/f", neg, 0), EINVAL);
	/* the path is walked before the times are validated */
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, "/nope", bad, 0), ENOENT);
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, "/f", NULL, 0x8000), EINVAL);
	ck_assert_err(vfs_utimensat(tt, AT_FDCWD, NULL, NULL, 0), EFAULT);
	ck_assert_err(vfs_utimensat(tt, 42, NULL, NULL, 0), EBADF);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(vfs_utimensat(tt, fd, NULL, NULL, AT_SYMLINK_NOFOLLOW), EINVAL);
	ck_assert_int_eq(vfs_utimensat(tt, fd, NULL, NULL, 0), 0);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(attr_utimensat_nofollow_sets_link_times)
{
	struct timespec ts[2] = { { 7, 0 }, { 8, 0 } };
	struct vfs_stat f;

	mkfile("/f", 0644, 0, 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "f", AT_FDCWD, "/l"), 0);
	f = lst("/f");
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/l", ts, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(lst("/l").mtime_ns, 8000000000LL);
	ck_assert_int_eq(lst("/f").mtime_ns, f.mtime_ns);
	ck_assert_int_eq(vfs_utimensat(tt, AT_FDCWD, "/l", ts, 0), 0);
	ck_assert_int_eq(lst("/f").atime_ns, 7000000000LL);
}
END_TEST

/* ------------------------------------------------------------------ truncate */

START_TEST(attr_truncate_errors)
{
	struct task *u;

	mkfile("/f", 0644, 0, 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/p", S_IFIFO | 0666, 0), 0);
	ck_assert_err(vfs_truncate(tt, "/d", 0), EISDIR);
	ck_assert_err(vfs_truncate(tt, "/p", 0), EINVAL);
	ck_assert_err(vfs_truncate(tt, "/f", -1), EINVAL);
	/* the length is checked before the path */
	ck_assert_err(vfs_truncate(tt, "/nope", -1), EINVAL);
	ck_assert_err(vfs_truncate(tt, "/nope", 0), ENOENT);
	ck_assert_err(vfs_truncate(tt, NULL, 0), EFAULT);
	u = user_task();
	ck_assert_err(vfs_truncate(u, "/f", 0), EACCES);
	task_exit(u);
}
END_TEST

START_TEST(attr_truncate_sizes_and_times)
{
	char buf[32];
	struct vfs_stat a, b;

	ck_assert_int_eq(t_write_file(tt, "/f", "hello world", 0644), 0);
	ck_assert_int_eq(vfs_truncate(tt, "/f", 5), 0);
	ck_assert_int_eq(t_read_file(tt, "/f", buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "hello");
	a = lst("/f");
	ck_assert_int_eq(vfs_truncate(tt, "/f", 8), 0);
	b = lst("/f");
	ck_assert_int_eq(b.size, 8);
	ck_assert_int_gt(b.mtime_ns, a.mtime_ns);
	ck_assert_int_eq(b.ctime_ns, b.mtime_ns);
	ck_assert_int_eq(t_read_file(tt, "/f", buf, sizeof(buf)), 8);
	ck_assert_mem_eq(buf, "hello\0\0\0", 8);
	/* truncate(2) to the same size changes nothing on tmpfs */
	ck_assert_int_eq(vfs_truncate(tt, "/f", 8), 0);
	a = lst("/f");
	ck_assert_int_eq(a.mtime_ns, b.mtime_ns);
	ck_assert_int_eq(a.ctime_ns, b.ctime_ns);
}
END_TEST

START_TEST(attr_ftruncate_rules)
{
	struct vfs_stat a, b;
	int rfd, wfd, dfd;

	ck_assert_int_eq(t_write_file(tt, "/f", "abc", 0644), 0);
	rfd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	wfd = vfs_openat(tt, AT_FDCWD, "/f", O_WRONLY, 0);
	dfd = vfs_openat(tt, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_ge(wfd, 0);
	ck_assert_int_ge(dfd, 0);
	ck_assert_err(vfs_ftruncate(tt, rfd, 0), EINVAL);
	ck_assert_err(vfs_ftruncate(tt, dfd, 0), EINVAL);
	ck_assert_err(vfs_ftruncate(tt, wfd, -1), EINVAL);
	ck_assert_err(vfs_ftruncate(tt, 99, 0), EBADF);
	ck_assert_err(vfs_ftruncate(tt, 99, -1), EINVAL);
	a = lst("/f");
	/* unlike truncate(2), ftruncate to the same size updates mtime and ctime */
	ck_assert_int_eq(vfs_ftruncate(tt, wfd, 3), 0);
	b = lst("/f");
	ck_assert_int_gt(b.mtime_ns, a.mtime_ns);
	ck_assert_int_eq(vfs_ftruncate(tt, wfd, 1), 0);
	ck_assert_int_eq(lst("/f").size, 1);
	vfs_close(tt, rfd);
	vfs_close(tt, wfd);
	vfs_close(tt, dfd);
}
END_TEST

START_TEST(attr_truncate_clears_suid_for_non_root)
{
	struct task *u;
	int fd;

	mkfile("/a", 06755, 1000, 1000);
	mkfile("/b", 06745, 1000, 0);
	mkfile("/c", 06745, 1000, 50);
	mkfile("/r", 06755, 0, 0);
	u = user_task();
	ck_assert_int_eq(vfs_truncate(u, "/a", 0), 0); /* same size still clears */
	ck_assert_int_eq(vfs_truncate(u, "/b", 10), 0);
	fd = vfs_openat(u, AT_FDCWD, "/c", O_WRONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_ftruncate(u, fd, 10), 0);
	vfs_close(u, fd);
	task_exit(u);
	ck_assert_uint_eq(mode_of("/a"), 0755);
	ck_assert_uint_eq(mode_of("/b"), 0745);	 /* not in the group: setgid goes too */
	ck_assert_uint_eq(mode_of("/c"), 02745); /* in the group, no group-exec: kept */
	/* CAP_FSETID keeps them */
	ck_assert_int_eq(vfs_truncate(tt, "/r", 20), 0);
	ck_assert_uint_eq(mode_of("/r"), 06755);
}
END_TEST

/* ------------------------------------------------------------------ stat, statfs */

START_TEST(attr_fstatat_flags_and_fields)
{
	struct vfs_stat st, st2;
	int fd;

	ck_assert_int_eq(t_write_file(tt, "/f", "12345", 0640), 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "f", AT_FDCWD, "/l"), 0);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/l", &st, 0), 0);
	ck_assert_uint_eq(st.mode, S_IFREG | 0640);
	ck_assert_int_eq(st.size, 5);
	ck_assert_uint_eq(st.nlink, 1);
	ck_assert_int_ne(st.mnt_id, 0);
	ck_assert_uint_ne(st.dev, 0);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/l", &st2, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_uint_eq(st2.mode & S_IFMT, S_IFLNK);
	ck_assert_int_eq(st2.size, 1);
	ck_assert_uint_eq(st2.dev, st.dev);
	ck_assert_uint_ne(st2.ino, st.ino);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/f", &st2, AT_NO_AUTOMOUNT | 0x2000), 0);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/f", &st2, 0x8000), EINVAL);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/f", &st2, AT_EACCESS), EINVAL);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "", &st2, 0), ENOENT);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_fstat(tt, fd, &st2), 0);
	ck_assert_uint_eq(st2.ino, st.ino);
	ck_assert_int_eq(st2.mnt_id, st.mnt_id);
	ck_assert_int_eq(vfs_fstatat(tt, fd, "", &st2, AT_EMPTY_PATH), 0);
	ck_assert_uint_eq(st2.ino, st.ino);
	vfs_close(tt, fd);
	ck_assert_err(vfs_fstat(tt, fd, &st2), EBADF);
}
END_TEST

START_TEST(attr_statfs_mount_flags)
{
	struct vfs_statfs sf, sf2;
	struct vfs_stat st;
	int fd;

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755), 0);
	ck_assert_int_eq(vfs_mount(tt, "none", "/m", "tmpfs",
				   MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL),
			 0);
	ck_assert_int_eq(vfs_statfs(tt, "/m", &sf), 0);
	ck_assert(sf.flags & ST_RDONLY);
	ck_assert(sf.flags & ST_NOSUID);
	ck_assert(sf.flags & ST_NODEV);
	ck_assert(sf.flags & ST_NOEXEC);
	ck_assert_int_gt(sf.bsize, 0);
	ck_assert_int_eq(sf.frsize, sf.bsize);
	ck_assert_int_eq(sf.namelen, 255);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/m", &st, 0), 0);
	ck_assert_uint_eq(sf.dev, st.dev);
	ck_assert_int_eq(vfs_statfs(tt, "/", &sf2), 0);
	ck_assert(!(sf2.flags & (ST_RDONLY | ST_NOSUID)));
	ck_assert_uint_ne(sf2.dev, sf.dev);
	fd = vfs_openat(tt, AT_FDCWD, "/m", O_PATH, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_fstatfs(tt, fd, &sf2), 0);
	ck_assert_uint_eq(sf2.flags, sf.flags);
	vfs_close(tt, fd);
	ck_assert_err(vfs_statfs(tt, "/nope", &sf), ENOENT);
	ck_assert_err(vfs_fstatfs(tt, 77, &sf), EBADF);
}
END_TEST

START_TEST(attr_faccessat_noexec_mount)
{
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755), 0);
	ck_assert_int_eq(vfs_mount(tt, "none", "/m", "tmpfs", MS_NOEXEC, NULL), 0);
	ck_assert_int_eq(t_write_file(tt, "/m/x", "", 0755), 0);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/m/x", X_OK, 0), EACCES);
	ck_assert_int_eq(vfs_faccessat(tt, AT_FDCWD, "/m", X_OK, 0), 0);
}
END_TEST

/* ------------------------------------------------------------------ xattr */

START_TEST(xattr_user_roundtrip_and_sizes)
{
	char buf[64];
	struct vfs_stat a, b;

	mkfile("/f", 0644, 0, 0);
	a = lst("/f");
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.k", "value", 5, 0, 0), 0);
	b = lst("/f");
	ck_assert_int_gt(b.ctime_ns, a.ctime_ns);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.k", NULL, 0, 0), 5);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.k", buf, sizeof(buf), 0), 5);
	ck_assert_mem_eq(buf, "value", 5);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.k", buf, 2, 0), ERANGE);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.none", buf, sizeof(buf), 0),
		      ENODATA);
	/* an empty value is a value */
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.e", NULL, 0, 0, 0), 0);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.e", buf, sizeof(buf), 0), 0);
	a = lst("/f");
	ck_assert_int_eq(vfs_removexattrat(tt, AT_FDCWD, "/f", "user.e", 0), 0);
	ck_assert_int_gt(lst("/f").ctime_ns, a.ctime_ns);
	ck_assert_err(vfs_removexattrat(tt, AT_FDCWD, "/f", "user.e", 0), ENODATA);
}
END_TEST

START_TEST(xattr_create_replace_flags)
{
	mkfile("/f", 0644, 0, 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "1", 1, XATTR_REPLACE, 0),
		      ENODATA);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "1", 1, XATTR_CREATE, 0), 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "2", 1, XATTR_CREATE, 0),
		      EEXIST);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "2", 1, XATTR_REPLACE, 0), 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "2", 1, 4, 0), EINVAL);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "2", 1, 0, 0x8000), EINVAL);
}
END_TEST

START_TEST(xattr_name_and_value_limits)
{
	char name[300];
	static char big[65537];

	mkfile("/f", 0644, 0, 0);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "", NULL, 0, 0), ERANGE);
	memset(name, 'a', sizeof(name));
	memcpy(name, "user.", 5);
	name[256] = '\0';
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", name, NULL, 0, 0), ERANGE);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", name, "1", 1, 0, 0), ERANGE);
	name[255] = '\0';
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", name, NULL, 0, 0), ENODATA);
	/* names are checked before the path is walked */
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/nope", "", NULL, 0, 0), ERANGE);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.big", big, sizeof(big), 0, 0),
		      E2BIG);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.big", big, 65536, 0, 0), 0);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "foo.x", NULL, 0, 0), EOPNOTSUPP);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "foo.x", "1", 1, 0, 0), EOPNOTSUPP);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.", NULL, 0, 0), EINVAL);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.", "1", 1, 0, 0), EINVAL);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "system.posix_acl_access", NULL, 0, 0),
		      EOPNOTSUPP);
}
END_TEST

START_TEST(xattr_trusted_needs_admin)
{
	char list[256];
	struct task *u;
	long n;

	mkfile("/f", 0666, 0, 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "trusted.t", "1", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.u", "2", 1, 0, 0), 0);
	n = vfs_listxattrat(tt, AT_FDCWD, "/f", list, sizeof(list), 0);
	ck_assert_int_eq(n, (long)(sizeof("trusted.t") + sizeof("user.u")));
	u = user_task();
	ck_assert_err(vfs_getxattrat(u, AT_FDCWD, "/f", "trusted.t", NULL, 0, 0), ENODATA);
	ck_assert_err(vfs_setxattrat(u, AT_FDCWD, "/f", "trusted.x", "1", 1, 0, 0), EPERM);
	ck_assert_err(vfs_removexattrat(u, AT_FDCWD, "/f", "trusted.t", 0), EPERM);
	/* listed without the trusted names, and the size query agrees */
	ck_assert_int_eq(vfs_listxattrat(u, AT_FDCWD, "/f", NULL, 0, 0), (long)sizeof("user.u"));
	n = vfs_listxattrat(u, AT_FDCWD, "/f", list, sizeof(list), 0);
	ck_assert_int_eq(n, (long)sizeof("user.u"));
	ck_assert_mem_eq(list, "user.u", sizeof("user.u"));
	ck_assert_err(vfs_listxattrat(u, AT_FDCWD, "/f", list, 3, 0), ERANGE);
	task_exit(u);
}
END_TEST

START_TEST(xattr_user_needs_permission)
{
	char buf[8];
	struct task *u;

	mkfile("/r", 0644, 0, 0);
	mkfile("/n", 0600, 0, 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/r", "user.a", "1", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/n", "user.a", "1", 1, 0, 0), 0);
	u = user_task();
	ck_assert_int_eq(vfs_getxattrat(u, AT_FDCWD, "/r", "user.a", buf, sizeof(buf), 0), 1);
	ck_assert_err(vfs_setxattrat(u, AT_FDCWD, "/r", "user.b", "1", 1, 0, 0), EACCES);
	ck_assert_err(vfs_removexattrat(u, AT_FDCWD, "/r", "user.a", 0), EACCES);
	ck_assert_err(vfs_getxattrat(u, AT_FDCWD, "/n", "user.a", buf, sizeof(buf), 0), EACCES);
	/* permission comes before the prefix: an unreadable file hides the EOPNOTSUPP */
	ck_assert_err(vfs_getxattrat(u, AT_FDCWD, "/n", "foo.x", buf, sizeof(buf), 0), EACCES);
	/* listing needs no permission on the file */
	ck_assert_int_eq(vfs_listxattrat(u, AT_FDCWD, "/n", NULL, 0, 0), (long)sizeof("user.a"));
	/* security.* is writable with CAP_SYS_ADMIN only (reading is the filesystem's) */
	ck_assert_err(vfs_setxattrat(u, AT_FDCWD, "/r", "security.x", "1", 1, 0, 0), EPERM);
	ck_assert_err(vfs_removexattrat(u, AT_FDCWD, "/r", "security.x", 0), EPERM);
	task_exit(u);
}
END_TEST

START_TEST(xattr_user_only_on_files_and_dirs)
{
	struct task *u;

	mkfile("/f", 0644, 0, 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "f", AT_FDCWD, "/l"), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/p", S_IFIFO | 0666, 0), 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/l", "user.x", "1", 1, 0, AT_SYMLINK_NOFOLLOW),
		      EPERM);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/l", "user.x", NULL, 0, AT_SYMLINK_NOFOLLOW),
		      ENODATA);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/p", "user.x", "1", 1, 0, 0), EPERM);
	/* following the link reaches the file */
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/l", "user.x", "1", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.x", NULL, 0, 0), 1);
	/* a sticky directory: only its owner writes user.* */
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/s", 0755), 0);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/s", 01777, 0), 0);
	u = user_task();
	ck_assert_err(vfs_setxattrat(u, AT_FDCWD, "/s", "user.x", "1", 1, 0, 0), EPERM);
	ck_assert_err(vfs_getxattrat(u, AT_FDCWD, "/s", "user.x", NULL, 0, 0), ENODATA);
	task_exit(u);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/s", "user.x", "1", 1, 0, 0), 0);
}
END_TEST

START_TEST(xattr_empty_path_fd)
{
	char list[64];
	int fd;

	mkfile("/f", 0644, 0, 0);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_setxattrat(tt, fd, "", "user.a", "xy", 2, 0, AT_EMPTY_PATH), 0);
	ck_assert_int_eq(vfs_getxattrat(tt, fd, "", "user.a", NULL, 0, AT_EMPTY_PATH), 2);
	ck_assert_int_eq(vfs_listxattrat(tt, fd, "", list, sizeof(list), AT_EMPTY_PATH),
			 (long)sizeof("user.a"));
	ck_assert_int_eq(vfs_removexattrat(tt, fd, "", "user.a", AT_EMPTY_PATH), 0);
	ck_assert_int_eq(vfs_listxattrat(tt, fd, "", list, sizeof(list), AT_EMPTY_PATH), 0);
	ck_assert_err(vfs_listxattrat(tt, fd, "", list, sizeof(list), 0x8000), EINVAL);
	vfs_close(tt, fd);
}
END_TEST

Suite *attr_suite(void)
{
	Suite *s = suite_create("attr");
	TCase *tc = t_case(s, "chmod");

	tcase_add_test(tc, attr_chmod_owner_or_eperm);
	tcase_add_test(tc, attr_chmod_clears_sgid_not_in_group);
	tcase_add_test(tc, attr_chmod_symlink_nofollow_eopnotsupp);
	tcase_add_test(tc, attr_chmod_flags_and_faults);
	tcase_add_test(tc, attr_chmod_updates_ctime_only);
	tcase_add_test(tc, attr_opath_fd_rules);

	tc = t_case(s, "chown");
	tcase_add_test(tc, attr_chown_uid_needs_cap_chown);
	tcase_add_test(tc, attr_chgrp_own_groups_only);
	tcase_add_test(tc, attr_chown_clears_suid);
	tcase_add_test(tc, attr_chown_sgid_kept_for_group_member_without_xgrp);
	tcase_add_test(tc, attr_chown_updates_ctime_even_if_unchanged);
	tcase_add_test(tc, attr_lchown_symlink_and_flags);
	tcase_add_test(tc, attr_readonly_mount_erofs);

	tc = t_case(s, "utimens");
	tcase_add_test(tc, attr_utimensat_now_needs_write);
	tcase_add_test(tc, attr_utimensat_explicit_needs_owner);
	tcase_add_test(tc, attr_utimensat_omit_and_ctime);
	tcase_add_test(tc, attr_utimensat_einval_efault_ebadf);
	tcase_add_test(tc, attr_utimensat_nofollow_sets_link_times);

	tc = t_case(s, "truncate");
	tcase_add_test(tc, attr_truncate_errors);
	tcase_add_test(tc, attr_truncate_sizes_and_times);
	tcase_add_test(tc, attr_ftruncate_rules);
	tcase_add_test(tc, attr_truncate_clears_suid_for_non_root);

	tc = t_case(s, "stat");
	tcase_add_test(tc, attr_fstatat_flags_and_fields);
	tcase_add_test(tc, attr_statfs_mount_flags);
	tcase_add_test(tc, attr_faccessat_noexec_mount);

	tc = t_case(s, "xattr");
	tcase_add_test(tc, xattr_user_roundtrip_and_sizes);
	tcase_add_test(tc, xattr_create_replace_flags);
	tcase_add_test(tc, xattr_name_and_value_limits);
	tcase_add_test(tc, xattr_trusted_needs_admin);
	tcase_add_test(tc, xattr_user_needs_permission);
	tcase_add_test(tc, xattr_user_only_on_files_and_dirs);
	tcase_add_test(tc, xattr_empty_path_fd);
	return s;
}
