/*
 * check_perm.c - credentials (src/kernel/cred.c) and permission checks (src/vfs/perm.c):
 * generic_permission's owner/group/other logic and root's overrides, checked directly on
 * stack inodes, then the same rules end to end through faccessat, the path walk and the
 * sticky-directory rule of unlink.
 */
#include <sys/mount.h>
#include <unistd.h>

#include "helpers.h"
#include "vfs/internal.h"

/* ------------------------------------------------------------------ helpers */

/* A bare inode for direct checks: no superblock, no operations (generic_permission). */
static struct inode mk_inode(uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct inode i = { 0 };

	i.i_mode = mode;
	i.i_uid = uid;
	i.i_gid = gid;
	return i;
}

/* A user cred: uid 1000, gid 1000, supplementary groups 50 and 60. */
static struct cred *user_cred(void)
{
	static const gid_t groups[] = { 60, 50 };
	struct cred *c = cred_with_ids(NULL, 1000, 1000, 2, groups);

	ck_assert(!IS_ERR_OR_NULL(c));
	return c;
}

/* A task running as uid 1000, gid 1000, groups {50}; the caller task_exit()s it. */
static struct task *user_task(void)
{
	static const gid_t groups[] = { 50 };
	struct task *u = task_fork(tt);

	ck_assert(!IS_ERR_OR_NULL(u));
	ck_assert_int_eq(task_setcreds(u, 1000, 1000, 1, groups), 0);
	return u;
}

/* Create path as root with exactly mode (not masked) and the given owner. */
static void mkfile(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	ck_assert_int_eq(t_write_file(tt, path, "", 0600), 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, path, uid, gid, 0), 0);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, path, mode, 0), 0);
}

static void mkdir_as(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, path, 0700), 0);
	ck_assert_int_eq(vfs_fchownat(tt, AT_FDCWD, path, uid, gid, 0), 0);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, path, mode, 0), 0);
}

/* ------------------------------------------------------------------ credentials */

START_TEST(perm_cred_root_has_all_caps)
{
	struct cred *c = cred_new_root();

	ck_assert(!IS_ERR_OR_NULL(c));
	ck_assert_uint_eq(c->uid, 0);
	ck_assert_uint_eq(c->fsgid, 0);
	ck_assert(capable(c, CAP_CHOWN));
	ck_assert(capable(c, CAP_DAC_OVERRIDE));
	ck_assert(capable(c, CAP_SYS_ADMIN));
	ck_assert(!capable(c, 64));
	ck_assert(!capable(c, -1));
	cred_put(c);
}
END_TEST

START_TEST(perm_cred_with_ids_sets_all_ids_and_drops_caps)
{
	struct cred *root = cred_new_root();
	struct cred *c = user_cred();
	struct cred *back;

	ck_assert_uint_eq(c->uid, 1000);
	ck_assert_uint_eq(c->euid, 1000);
	ck_assert_uint_eq(c->suid, 1000);
	ck_assert_uint_eq(c->fsuid, 1000);
	ck_assert_uint_eq(c->egid, 1000);
	ck_assert_uint_eq(c->fsgid, 1000);
	ck_assert_uint_eq(c->cap_effective, 0);
	ck_assert(!capable(c, CAP_DAC_OVERRIDE));
	/* groups are kept sorted for the binary search */
	ck_assert_uint_eq(c->ngroups, 2);
	ck_assert_uint_eq(c->groups[0], 50);
	ck_assert_uint_eq(c->groups[1], 60);
	/* back to uid 0: all capabilities again */
	back = cred_with_ids(c, 0, 0, 0, NULL);
	ck_assert(!IS_ERR_OR_NULL(back));
	ck_assert(capable(back, CAP_FOWNER));
	cred_put(back);
	cred_put(c);
	cred_put(root);
}
END_TEST

START_TEST(perm_cred_in_group_fsgid_and_supplementary)
{
	struct cred *c = user_cred();

	ck_assert(cred_in_group(c, 1000));
	ck_assert(cred_in_group(c, 50));
	ck_assert(cred_in_group(c, 60));
	ck_assert(!cred_in_group(c, 55));
	ck_assert(!cred_in_group(c, 0));
	ck_assert(!cred_in_group(c, 61));
	cred_put(c);
}
END_TEST

START_TEST(perm_cred_too_many_groups_einval)
{
	struct cred *c = cred_with_ids(NULL, 1, 1, KERNEL_NGROUPS_MAX + 1, NULL);

	ck_assert(IS_ERR(c));
	ck_assert_int_eq(PTR_ERR(c), -EINVAL);
	ck_assert_err(task_setcreds(tt, 1, 1, KERNEL_NGROUPS_MAX + 1, NULL), EINVAL);
}
END_TEST

START_TEST(perm_cred_get_put_counts)
{
	struct cred *c = user_cred();

	ck_assert_ptr_eq(cred_get(c), c);
	ck_assert_int_eq(c->refcount, 2);
	cred_put(c);
	ck_assert_int_eq(c->refcount, 1);
	cred_put(c);
	cred_put(NULL);
}
END_TEST

/* ------------------------------------------------------------------ generic_permission */

START_TEST(perm_owner_class_only)
{
	struct cred *c = user_cred();
	/* owner has nothing, group and other everything: the owner is still refused */
	struct inode i = mk_inode(S_IFREG | 0077, 1000, 1000);

	ck_assert_err(generic_permission(&i, MAY_READ, c), EACCES);
	ck_assert_err(generic_permission(&i, MAY_EXEC, c), EACCES);
	ck_assert_int_eq(generic_permission(&i, 0, c), 0);
	i.i_mode = S_IFREG | 0600;
	ck_assert_int_eq(generic_permission(&i, MAY_READ | MAY_WRITE, c), 0);
	ck_assert_err(generic_permission(&i, MAY_READ | MAY_EXEC, c), EACCES);
	cred_put(c);
}
END_TEST

START_TEST(perm_group_via_supplementary)
{
	struct cred *c = user_cred();
	struct inode i = mk_inode(S_IFREG | 0040, 0, 50);

	ck_assert_int_eq(generic_permission(&i, MAY_READ, c), 0);
	ck_assert_err(generic_permission(&i, MAY_WRITE, c), EACCES);
	i.i_gid = 1000; /* the primary group */
	ck_assert_int_eq(generic_permission(&i, MAY_READ, c), 0);
	i.i_gid = 7; /* not ours: other bits */
	ck_assert_err(generic_permission(&i, MAY_READ, c), EACCES);
	cred_put(c);
}
END_TEST

START_TEST(perm_group_class_denies_even_if_other_allows)
{
	struct cred *c = user_cred();
	struct inode i = mk_inode(S_IFREG | 0604, 0, 50);

	ck_assert_err(generic_permission(&i, MAY_READ, c), EACCES);
	i.i_gid = 7;
	ck_assert_int_eq(generic_permission(&i, MAY_READ, c), 0);
	cred_put(c);
}
END_TEST

START_TEST(perm_append_and_access_bits_ignored)
{
	struct cred *c = user_cred();
	struct inode i = mk_inode(S_IFREG | 0644, 1000, 1000);

	ck_assert_int_eq(generic_permission(&i, MAY_WRITE | MAY_APPEND, c), 0);
	ck_assert_int_eq(generic_permission(&i, MAY_READ | MAY_ACCESS, c), 0);
	cred_put(c);
}
END_TEST

START_TEST(perm_root_reads_and_writes_anything)
{
	struct cred *r = cred_new_root();
	struct inode f = mk_inode(S_IFREG | 0000, 1000, 1000);
	struct inode d = mk_inode(S_IFDIR | 0000, 1000, 1000);

	ck_assert_int_eq(generic_permission(&f, MAY_READ | MAY_WRITE, r), 0);
	ck_assert_int_eq(generic_permission(&d, MAY_READ | MAY_WRITE | MAY_EXEC, r), 0);
	cred_put(r);
}
END_TEST

START_TEST(perm_root_exec_needs_some_x_bit)
{
	struct cred *r = cred_new_root();
	struct inode f = mk_inode(S_IFREG | 0666, 0, 0);

	ck_assert_err(generic_permission(&f, MAY_EXEC, r), EACCES);
	ck_assert_err(generic_permission(&f, MAY_READ | MAY_EXEC, r), EACCES);
	f.i_mode = S_IFREG | 0001; /* any one x bit will do, even other's */
	ck_assert_int_eq(generic_permission(&f, MAY_EXEC, r), 0);
	f.i_mode = S_IFREG | 0010;
	ck_assert_int_eq(generic_permission(&f, MAY_EXEC | MAY_READ, r), 0);
	cred_put(r);
}
END_TEST

START_TEST(perm_dac_read_search_alone)
{
	struct cred *c = user_cred();
	struct inode f = mk_inode(S_IFREG | 0000, 0, 0);
	struct inode d = mk_inode(S_IFDIR | 0000, 0, 0);

	c->cap_effective = 1ull << CAP_DAC_READ_SEARCH;
	ck_assert_int_eq(generic_permission(&f, MAY_READ, c), 0);
	ck_assert_err(generic_permission(&f, MAY_WRITE, c), EACCES);
	ck_assert_err(generic_permission(&f, MAY_READ | MAY_EXEC, c), EACCES);
	ck_assert_int_eq(generic_permission(&d, MAY_READ | MAY_EXEC, c), 0);
	ck_assert_err(generic_permission(&d, MAY_WRITE | MAY_EXEC, c), EACCES);
	/* CAP_DAC_OVERRIDE alone covers directory writes and file reads alike */
	c->cap_effective = 1ull << CAP_DAC_OVERRIDE;
	ck_assert_int_eq(generic_permission(&d, MAY_WRITE | MAY_EXEC, c), 0);
	ck_assert_int_eq(generic_permission(&f, MAY_READ | MAY_WRITE, c), 0);
	ck_assert_err(generic_permission(&f, MAY_EXEC, c), EACCES);
	cred_put(c);
}
END_TEST

static int deny_all(struct inode *inode, int mask, const struct cred *cred)
{
	(void)inode;
	(void)mask;
	(void)cred;
	return -EPERM;
}

START_TEST(perm_inode_permission_rdonly_sb_and_op)
{
	static const struct inode_operations deny_ops = { .permission = deny_all };
	struct cred *r = cred_new_root();
	struct super_block sb = { 0 };
	struct inode f = mk_inode(S_IFREG | 0666, 0, 0);
	struct inode fifo = mk_inode(S_IFIFO | 0666, 0, 0);

	sb.s_flags = SB_RDONLY;
	f.i_sb = &sb;
	fifo.i_sb = &sb;
	ck_assert_err(inode_permission(&f, MAY_WRITE, r), EROFS);
	ck_assert_int_eq(inode_permission(&f, MAY_READ, r), 0);
	/* devices, fifos and sockets stay writable on a read-only filesystem */
	ck_assert_int_eq(inode_permission(&fifo, MAY_WRITE, r), 0);
	sb.s_flags = 0;
	f.i_op = &deny_ops;
	ck_assert_err(inode_permission(&f, MAY_READ, r), EPERM);
	cred_put(r);
}
END_TEST

START_TEST(perm_sticky_and_owner_rules)
{
	struct cred *c = user_cred();
	struct cred *r = cred_new_root();
	struct inode dir = mk_inode(S_IFDIR | 01777, 0, 0);
	struct inode theirs = mk_inode(S_IFREG | 0666, 2000, 0);
	struct inode mine = mk_inode(S_IFREG | 0600, 1000, 0);

	ck_assert(!may_delete_sticky(&dir, &theirs, c));
	ck_assert(may_delete_sticky(&dir, &mine, c));
	ck_assert(may_delete_sticky(&dir, &theirs, r));
	dir.i_uid = 1000; /* the directory's owner may remove anything in it */
	ck_assert(may_delete_sticky(&dir, &theirs, c));
	dir.i_uid = 0;
	dir.i_mode = S_IFDIR | 0777;
	ck_assert(may_delete_sticky(&dir, &theirs, c));

	ck_assert(inode_owner_or_capable(&mine, c));
	ck_assert(!inode_owner_or_capable(&theirs, c));
	ck_assert(inode_owner_or_capable(&theirs, r));
	cred_put(r);
	cred_put(c);
}
END_TEST

/* ------------------------------------------------------------------ through the API */

START_TEST(perm_faccessat_modes)
{
	struct task *u;

	mkfile("/f", 0640, 0, 50);
	mkfile("/x", 0644, 0, 0);
	u = user_task();
	ck_assert_int_eq(vfs_faccessat(u, AT_FDCWD, "/f", F_OK, 0), 0);
	ck_assert_int_eq(vfs_faccessat(u, AT_FDCWD, "/f", R_OK, 0), 0);
	ck_assert_err(vfs_faccessat(u, AT_FDCWD, "/f", W_OK, 0), EACCES);
	ck_assert_err(vfs_faccessat(u, AT_FDCWD, "/f", R_OK | X_OK, AT_EACCESS), EACCES);
	ck_assert_err(vfs_faccessat(u, AT_FDCWD, "/nope", F_OK, 0), ENOENT);
	ck_assert_int_eq(vfs_faccessat(tt, AT_FDCWD, "/f", R_OK | W_OK, 0), 0);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/x", X_OK, 0), EACCES);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/x", 8, 0), EINVAL);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/x", F_OK, 0x8000), EINVAL);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, NULL, F_OK, 0), EFAULT);
	task_exit(u);
}
END_TEST

START_TEST(perm_faccessat_symlink_nofollow_and_empty_path)
{
	int fd;

	mkfile("/f", 0600, 0, 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "/nowhere", AT_FDCWD, "/dangling"), 0);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/dangling", F_OK, 0), ENOENT);
	ck_assert_int_eq(vfs_faccessat(tt, AT_FDCWD, "/dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_faccessat(tt, fd, "", R_OK, AT_EMPTY_PATH), 0);
	ck_assert_err(vfs_faccessat(tt, fd, "", R_OK, 0), ENOENT);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(perm_faccessat_wok_readonly_mount_erofs)
{
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/ro", 0755), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/ro/d", 0755), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/ro/fifo", S_IFIFO | 0666, 0), 0);
	ck_assert_int_eq(t_write_file(tt, "/ro/f", "x", 0644), 0);
	ck_assert_int_eq(vfs_mount(tt, "/ro", "/ro", NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(vfs_mount(tt, NULL, "/ro", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL),
			 0);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/ro/f", W_OK, 0), EROFS);
	ck_assert_err(vfs_faccessat(tt, AT_FDCWD, "/ro/d", W_OK, 0), EROFS);
	ck_assert_int_eq(vfs_faccessat(tt, AT_FDCWD, "/ro/f", R_OK, 0), 0);
	/* a fifo on a read-only mount can still be written */
	ck_assert_int_eq(vfs_faccessat(tt, AT_FDCWD, "/ro/fifo", W_OK, 0), 0);
}
END_TEST

START_TEST(perm_search_needed_to_walk)
{
	struct task *u;
	struct vfs_stat st;

	mkdir_as("/d", 0700, 0, 0);
	mkfile("/d/f", 0644, 0, 0);
	mkdir_as("/r", 0744, 0, 0);
	mkfile("/r/f", 0644, 0, 0);
	u = user_task();
	ck_assert_err(vfs_fstatat(u, AT_FDCWD, "/d/f", &st, 0), EACCES);
	ck_assert_err(vfs_faccessat(u, AT_FDCWD, "/r/f", F_OK, 0), EACCES);
	ck_assert_int_eq(vfs_fstatat(u, AT_FDCWD, "/d", &st, 0), 0);
	task_exit(u);
	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, "/d/f", &st, 0), 0);
}
END_TEST

START_TEST(perm_sticky_dir_unlink_eperm)
{
	struct task *u;

	mkdir_as("/tmp", 01777, 0, 0);
	mkfile("/tmp/theirs", 0666, 2000, 2000);
	mkfile("/tmp/mine", 0600, 1000, 1000);
	u = user_task();
	ck_assert_err(vfs_unlinkat(u, AT_FDCWD, "/tmp/theirs", 0), EPERM);
	ck_assert_err(vfs_renameat2(u, AT_FDCWD, "/tmp/theirs", AT_FDCWD, "/tmp/other", 0), EPERM);
	ck_assert_int_eq(vfs_unlinkat(u, AT_FDCWD, "/tmp/mine", 0), 0);
	task_exit(u);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/tmp/theirs", 0), 0);
}
END_TEST

START_TEST(perm_open_honours_bits)
{
	struct task *u;

	mkfile("/f", 0604, 0, 50);
	u = user_task();
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/f", O_RDONLY, 0), EACCES);
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/f", O_WRONLY, 0), EACCES);
	task_exit(u);
	ck_assert_int_eq(vfs_fchmodat(tt, AT_FDCWD, "/f", 0644, 0), 0);
	u = user_task();
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/f", O_WRONLY, 0), EACCES);
	ck_assert_int_eq(vfs_close(u, vfs_openat(u, AT_FDCWD, "/f", O_RDONLY, 0)), 0);
	task_exit(u);
}
END_TEST

Suite *perm_suite(void)
{
	Suite *s = suite_create("perm");
	TCase *tc = t_case(s, "cred");

	tcase_add_test(tc, perm_cred_root_has_all_caps);
	tcase_add_test(tc, perm_cred_with_ids_sets_all_ids_and_drops_caps);
	tcase_add_test(tc, perm_cred_in_group_fsgid_and_supplementary);
	tcase_add_test(tc, perm_cred_too_many_groups_einval);
	tcase_add_test(tc, perm_cred_get_put_counts);

	tc = t_case(s, "generic");
	tcase_add_test(tc, perm_owner_class_only);
	tcase_add_test(tc, perm_group_via_supplementary);
	tcase_add_test(tc, perm_group_class_denies_even_if_other_allows);
	tcase_add_test(tc, perm_append_and_access_bits_ignored);
	tcase_add_test(tc, perm_root_reads_and_writes_anything);
	tcase_add_test(tc, perm_root_exec_needs_some_x_bit);
	tcase_add_test(tc, perm_dac_read_search_alone);
	tcase_add_test(tc, perm_inode_permission_rdonly_sb_and_op);
	tcase_add_test(tc, perm_sticky_and_owner_rules);

	tc = t_case(s, "api");
	tcase_add_test(tc, perm_faccessat_modes);
	tcase_add_test(tc, perm_faccessat_symlink_nofollow_and_empty_path);
	tcase_add_test(tc, perm_faccessat_wok_readonly_mount_erofs);
	tcase_add_test(tc, perm_search_needed_to_walk);
	tcase_add_test(tc, perm_sticky_dir_unlink_eperm);
	tcase_add_test(tc, perm_open_honours_bits);
	return s;
}
