/*
 * check_userns.c - user and mount namespaces: what an unprivileged task may do after
 * unshare(CLONE_NEWUSER | CLONE_NEWNS) (mount the types the registry marks for users,
 * in its own copy of the tree; nothing more), and that the copy is private.
 */
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "helpers.h"

static struct task *unprivileged(void)
{
	struct task *u = task_fork(tt);

	ck_assert_ptr_nonnull(u);
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	return u;
}

START_TEST(userns_plain_user_cannot_mount)
{
	struct task *u = unprivileged();

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0777));
	ck_assert_err(vfs_mount(u, "none", "/m", "tmpfs", 0, NULL), EPERM);
	ck_assert_err(task_unshare(u, CLONE_NEWNS), EPERM);
	ck_assert_err(task_unshare(u, CLONE_NEWPID), EINVAL);
	task_exit(u);
}
END_TEST

START_TEST(userns_user_mount_flags_enforced)
{
	struct task *u = unprivileged();
	struct vfs_stat st;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0777));
	ck_assert_ok(task_unshare(u, CLONE_NEWUSER | CLONE_NEWNS));
	/* tmpfs and proc are registered for users; devpts and 9p are not (the seed). */
	ck_assert_ok(vfs_mount(u, "none", "/m", "tmpfs", 0, NULL));
	ck_assert_ok(vfs_mkdirat(u, AT_FDCWD, "/m/p", 0755));
	ck_assert_ok(vfs_mount(u, "proc", "/m/p", "proc", 0, NULL));
	ck_assert_ok(vfs_mkdirat(u, AT_FDCWD, "/m/pts", 0755));
	ck_assert_err(vfs_mount(u, "devpts", "/m/pts", "devpts", 0, NULL), EPERM);
	ck_assert_ptr_nonnull(strstr(task_errmsg(u), "devpts"));
	ck_assert_err(vfs_mount(u, "x", "/m/pts", "9p", 0, "trans=fd,rfdno=0,wfdno=0"), EPERM);
	/* Capabilities hold in the new namespace only: no DAC override on root's files. */
	ck_assert_ok(t_write_file(tt, "/secret", "s", 0600));
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/secret", O_RDONLY, 0), EACCES);
	ck_assert_err(vfs_fchownat(u, AT_FDCWD, "/secret", 1000, 1000, 0), EPERM);
	/* The mount is the task's own: the original namespace does not see it. */
	ck_assert_ok(vfs_fstatat(u, AT_FDCWD, "/m/pts", &st, 0));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/m/pts", &st, 0), ENOENT);
	ck_assert_ok(vfs_umount2(u, "/m/p", 0));
	ck_assert_ok(vfs_umount2(u, "/m", 0));
	task_exit(u);
}
END_TEST

START_TEST(userns_mount_copy_is_private_but_shares_files)
{
	struct task *c;
	char *a, *b;
	char buf[8];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755));
	ck_assert_ok(vfs_mount(tt, "orig", "/m", "tmpfs", 0, NULL));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m/sub", 0755));
	c = task_fork(tt);
	ck_assert_ok(vfs_chdir(c, "/m/sub"));
	ck_assert_ok(task_unshare(c, CLONE_NEWNS)); /* root may, without a user namespace */
	/* The copy has the same mounts; files are shared; cwd moved with it. */
	ck_assert_ok(t_write_file(c, "f", "hi", 0644));
	ck_assert_int_eq(t_read_file(tt, "/m/sub/f", buf, sizeof(buf)), 2);
	ck_assert_ok(vfs_umount2(c, "/m", MNT_DETACH));
	ck_assert_int_eq(t_read_file(tt, "/m/sub/f", buf, sizeof(buf)), 2);
	ck_assert_ok(vfs_mountinfo(tt, &a, NULL));
	ck_assert_ok(vfs_mountinfo(c, &b, NULL));
	ck_assert_ptr_nonnull(strstr(a, " /m "));
	ck_assert_ptr_null(strstr(b, " /m "));
	free(a);
	free(b);
	task_exit(c);
}
END_TEST

START_TEST(userns_nesting_limit)
{
	struct task *u = unprivileged();
	int i;

	for (i = 0; i < 32; i++)
		ck_assert_ok(task_unshare(u, CLONE_NEWUSER));
	ck_assert_err(task_unshare(u, CLONE_NEWUSER), EUSERS);
	task_exit(u);
}
END_TEST

Suite *userns_suite(void)
{
	Suite *s = suite_create("userns");
	TCase *tc = t_case(s, "userns");

	tcase_add_test(tc, userns_plain_user_cannot_mount);
	tcase_add_test(tc, userns_user_mount_flags_enforced);
	tcase_add_test(tc, userns_mount_copy_is_private_but_shares_files);
	tcase_add_test(tc, userns_nesting_limit);
	return s;
}
