/*
 * check_mount.c - mounts and namespaces: mount/umount and EBUSY, lazy detach, bind and
 * recursive bind, remount, propagation flags, move, the exact mountinfo format,
 * disconnected mounts and synthetic mount points.
 */
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "helpers.h"
#include "vfs/internal.h"

static char *mountinfo(void)
{
	char *s;
	size_t len;

	ck_assert_ok(vfs_mountinfo(tt, &s, &len));
	ck_assert_uint_eq(strlen(s), len);
	return s;
}

START_TEST(mount_tmpfs_then_umount)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(t_write_file(tt, "/mnt/under", "x", 0644));
	ck_assert_ok(vfs_mount(tt, "none", "/mnt", "tmpfs", 0, "size=1m"));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/under", &st, 0), ENOENT);
	ck_assert_ok(t_write_file(tt, "/mnt/over", "y", 0644));
	ck_assert_ok(vfs_umount2(tt, "/mnt", 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/under", &st, 0));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/over", &st, 0), ENOENT);
}
END_TEST

START_TEST(mount_errors)
{
	struct task *u = task_fork(tt);

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(t_write_file(tt, "/f", "x", 0644));
	ck_assert_err(vfs_mount(tt, "none", "/mnt", "nosuchfs", 0, NULL), ENODEV);
	ck_assert_str_eq(task_errmsg(tt), "unknown filesystem type 'nosuchfs'");
	ck_assert_err(vfs_mount(tt, "none", "/nope", "tmpfs", 0, NULL), ENOENT);
	ck_assert_err(vfs_mount(tt, "none", "/f", "tmpfs", 0, NULL), ENOTDIR);
	ck_assert_err(vfs_mount(tt, "none", "/mnt", "tmpfs", 0, "bogus=1"), EINVAL);
	ck_assert_ptr_nonnull(strstr(task_errmsg(tt), "bogus"));
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	ck_assert_err(vfs_mount(u, "none", "/mnt", "tmpfs", 0, NULL), EPERM);
	ck_assert_err(vfs_umount2(u, "/", 0), EPERM);
	ck_assert_err(vfs_umount2(tt, "/mnt", 0), EINVAL); /* not a mount point */
	ck_assert_err(vfs_umount2(tt, "/", 0), EINVAL);	   /* the namespace root */
	ck_assert_err(vfs_umount2(tt, "/mnt", 0x80000), EINVAL);
	task_exit(u);
}
END_TEST

START_TEST(mount_busy_and_lazy_detach)
{
	char buf[8];
	int fd;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/mnt", "tmpfs", 0, NULL));
	ck_assert_ok(t_write_file(tt, "/mnt/f", "data", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(vfs_umount2(tt, "/mnt", 0), EBUSY);
	ck_assert_ok(vfs_chdir(tt, "/mnt"));
	ck_assert_ok(vfs_close(tt, fd));
	ck_assert_err(vfs_umount2(tt, "/mnt", 0), EBUSY); /* the cwd */
	ck_assert_ok(vfs_chdir(tt, "/"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/sub", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/mnt/sub", "tmpfs", 0, NULL));
	ck_assert_err(vfs_umount2(tt, "/mnt", 0), EBUSY); /* a submount */
	/* Lazy: gone from the namespace at once, alive for the open file. */
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/f", O_RDONLY, 0);
	ck_assert_ok(vfs_umount2(tt, "/mnt", MNT_DETACH));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/f", &(struct vfs_stat){ 0 }, 0), ENOENT);
	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), 4);
	ck_assert_ok(vfs_close(tt, fd));
}
END_TEST

START_TEST(mount_bind_and_rbind)
{
	char buf[16];
	struct vfs_stat a, b;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/src", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/src/sub", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b1", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b2", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/src/sub", "tmpfs", 0, NULL));
	ck_assert_ok(t_write_file(tt, "/src/sub/inner", "in", 0644));
	ck_assert_ok(t_write_file(tt, "/src/top", "top", 0644));
	ck_assert_ok(vfs_mount(tt, "/src", "/b1", NULL, MS_BIND, NULL));
	ck_assert_ok(vfs_mount(tt, "/src", "/b2", NULL, MS_BIND | MS_REC, NULL));
	ck_assert_int_eq(t_read_file(tt, "/b1/top", buf, sizeof(buf)), 3);
	/* A plain bind does not bring the submount; a recursive one does. */
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/b1/sub/inner", &a, 0), ENOENT);
	ck_assert_int_eq(t_read_file(tt, "/b2/sub/inner", buf, sizeof(buf)), 2);
	/* The same inode through both. */
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/src/top", &a, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/b1/top", &b, 0));
	ck_assert_uint_eq(a.ino, b.ino);
	ck_assert_uint_eq(a.dev, b.dev);
	ck_assert_int_ne(a.mnt_id, b.mnt_id);
	/* A file bind mount. */
	ck_assert_ok(t_write_file(tt, "/file", "", 0644));
	ck_assert_ok(vfs_mount(tt, "/src/top", "/file", NULL, MS_BIND, NULL));
	ck_assert_int_eq(t_read_file(tt, "/file", buf, sizeof(buf)), 3);
	ck_assert_err(vfs_mount(tt, "/src/top", "/b1", NULL, MS_BIND, NULL), ENOTDIR);
}
END_TEST

START_TEST(mount_remount_readonly)
{
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/mnt", "tmpfs", 0, NULL));
	ck_assert_ok(t_write_file(tt, "/mnt/f", "x", 0644));
	ck_assert_ok(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0755), EROFS);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/mnt/f", O_WRONLY, 0), EROFS);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/mnt/f", 0), EROFS);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/mnt/f", 0755), EEXIST); /* EEXIST wins */
	ck_assert_ok(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT | MS_BIND, NULL));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0755));
	/* Superblock read-only too. */
	ck_assert_ok(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/mnt/e", 0755), EROFS);
}
END_TEST

START_TEST(mount_mountinfo_format)
{
	char *s;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a b", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/ro", 0755));
	ck_assert_ok(vfs_mount(tt, "my src", "/a b", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m"));
	ck_assert_ok(vfs_mount(tt, "none", "/ro", "tmpfs", MS_RDONLY | MS_NOATIME, "mode=700"));
	ck_assert_ok(vfs_mount(tt, NULL, "/ro", NULL, MS_SHARED, NULL));
	s = mountinfo();
	ck_assert_str_eq(s, "1 1 0:2 / / rw,relatime - tmpfs rootfs rw,mode=755\n"
			    "2 1 0:3 / /a\\040b rw,nosuid,nodev,relatime - tmpfs my\\040src "
			    "rw,size=1024k\n"
			    "3 1 0:4 / /ro ro,noatime shared:1 - tmpfs none ro,mode=700\n");
	free(s);
	ck_assert_ok(vfs_mounts(tt, &s, NULL));
	ck_assert_str_eq(s, "rootfs / tmpfs rw,relatime,mode=755 0 0\n"
			    "my\\040src /a\\040b tmpfs rw,nosuid,nodev,relatime,size=1024k 0 0\n"
			    "none /ro tmpfs ro,noatime,mode=700 0 0\n");
	free(s);
}
END_TEST

START_TEST(mount_bind_root_shows_subdir)
{
	char *s;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/data", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/data/x", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "/data/x", "/v", NULL, MS_BIND, NULL));
	s = mountinfo();
	ck_assert_ptr_nonnull(strstr(s, "2 1 0:2 /data/x /v rw,relatime - tmpfs rootfs"));
	free(s);
}
END_TEST

START_TEST(mount_stacked_and_move)
{
	char buf[8];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/n", 0755));
	ck_assert_ok(vfs_mount(tt, "one", "/m", "tmpfs", 0, NULL));
	ck_assert_ok(t_write_file(tt, "/m/f", "1", 0644));
	ck_assert_ok(vfs_mount(tt, "two", "/m", "tmpfs", 0, NULL));
	ck_assert_err(t_read_file(tt, "/m/f", buf, sizeof(buf)), ENOENT);
	ck_assert_ok(vfs_umount2(tt, "/m", 0)); /* the top one */
	ck_assert_int_eq(t_read_file(tt, "/m/f", buf, sizeof(buf)), 1);
	ck_assert_ok(vfs_mount(tt, "/m", "/n", NULL, MS_MOVE, NULL));
	ck_assert_int_eq(t_read_file(tt, "/n/f", buf, sizeof(buf)), 1);
	ck_assert_err(t_read_file(tt, "/m/f", buf, sizeof(buf)), ENOENT);
	ck_assert_ok(vfs_umount2(tt, "/n", 0));
}
END_TEST

START_TEST(mount_propagation_flags)
{
	char *s;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/a", "tmpfs", 0, NULL));
	ck_assert_ok(vfs_mount(tt, NULL, "/a", NULL, MS_SHARED, NULL));
	ck_assert_ok(vfs_mount(tt, "/a", "/b", NULL, MS_BIND, NULL));
	s = mountinfo();
	ck_assert_ptr_nonnull(strstr(s, "/a rw,relatime shared:1 - tmpfs"));
	ck_assert_ptr_nonnull(strstr(s, "/b rw,relatime shared:1 - tmpfs"));
	free(s);
	ck_assert_ok(vfs_mount(tt, NULL, "/b", NULL, MS_SLAVE, NULL));
	s = mountinfo();
	ck_assert_ptr_nonnull(strstr(s, "/b rw,relatime master:1 - tmpfs"));
	free(s);
	ck_assert_err(vfs_mount(tt, NULL, "/a", NULL, MS_SHARED | MS_PRIVATE, NULL), EINVAL);
	ck_assert_ok(vfs_mount(tt, NULL, "/a", NULL, MS_UNBINDABLE, NULL));
	ck_assert_err(vfs_mount(tt, "/a", "/b", NULL, MS_BIND, NULL), EINVAL);
}
END_TEST

START_TEST(mount_disconnected_and_synthetic)
{
	struct kernel *k = tk;
	struct task *t = tt;
	struct mount *m;
	struct path root;
	struct vfs_stat st;
	int err;

	task_enter(t);
	m = vfs_kern_mount(k->vfs, t->cred, "tmpfs", "detached", MNT_RELATIME_F, NULL, NULL, NULL);
	ck_assert(!IS_ERR(m));
	root = t->root;
	err = mkdir_synthetic(root.dentry, "syn", 3, 0755);
	task_leave(t);
	ck_assert_ok(err);
	ck_assert_ok(vfs_fstatat(t, AT_FDCWD, "/syn", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
	/* Synthetic directories hold mount points, not files. */
	ck_assert_err(vfs_mkdirat(t, AT_FDCWD, "/syn/x", 0755), EPERM);
	task_enter(t);
	{
		struct path mp;

		err = path_lookupat(t, AT_FDCWD, "/syn", LOOKUP_FOLLOW, &mp);
		ck_assert_ok(err);
		err = mnt_connect_at(t, m, &mp);
		path_put(&mp);
	}
	mnt_put(m);
	task_leave(t);
	ck_assert_ok(err);
	ck_assert_ok(t_write_file(t, "/syn/f", "x", 0644));
	ck_assert_ok(vfs_umount2(t, "/syn", 0));
}
END_TEST

START_TEST(mount_ids_and_devices_reused_lowest_first)
{
	char *s;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/c", 0755));
	ck_assert_ok(vfs_mount(tt, "x", "/a", "tmpfs", 0, NULL));
	ck_assert_ok(vfs_mount(tt, "y", "/b", "tmpfs", 0, NULL));
	ck_assert_ok(vfs_umount2(tt, "/a", 0));
	ck_assert_ok(vfs_mount(tt, "z", "/c", "tmpfs", 0, NULL));
	s = mountinfo();
	ck_assert_ptr_nonnull(strstr(s, "3 1 0:4 / /b rw,relatime - tmpfs y rw\n"));
	ck_assert_ptr_nonnull(strstr(s, "2 1 0:3 / /c rw,relatime - tmpfs z rw\n"));
	free(s);
}
END_TEST

Suite *mount_suite(void)
{
	Suite *s = suite_create("mount");
	TCase *tc = t_case(s, "mount");

	tcase_add_test(tc, mount_tmpfs_then_umount);
	tcase_add_test(tc, mount_errors);
	tcase_add_test(tc, mount_busy_and_lazy_detach);
	tcase_add_test(tc, mount_bind_and_rbind);
	tcase_add_test(tc, mount_remount_readonly);
	tcase_add_test(tc, mount_mountinfo_format);
	tcase_add_test(tc, mount_bind_root_shows_subdir);
	tcase_add_test(tc, mount_stacked_and_move);
	tcase_add_test(tc, mount_propagation_flags);
	tcase_add_test(tc, mount_disconnected_and_synthetic);
	tcase_add_test(tc, mount_ids_and_devices_reused_lowest_first);
	return s;
}
