/*
 * check_security.c - escape and privilege tests: mount destinations reached through
 * symlinks stay inside a chrooted task's root; tasks without CAP_SYS_ADMIN are refused
 * what the registry flags and permissions say; setuid/setgid on chown and overlay
 * copy-up behave as Linux's; and our 9P client with the simulated gofer clamps `..` at the
 * export root and refuses names with '/'. (Host-side gofer confinement is check_hostfs's.)
 *
 * Each test prints "security: escapes_attempted=N escapes=0" to stderr; Check runs tests
 * in their own processes, so tests/reliability.sh sums the lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "helpers.h"
#include "vfslab/gofer_sim.h"
#include "vfslab/p9client.h"

static unsigned long attempts;

static void report(void)
{
	fprintf(stderr, "security: escapes_attempted=%lu escapes=0\n", attempts);
	attempts = 0; /* per test, also when CK_FORK=no runs them in one process */
}

static uint32_t dev_of(struct task *t, const char *path)
{
	struct vfs_stat s;

	ck_assert_ok(vfs_fstatat(t, AT_FDCWD, path, &s, 0));
	return s.dev;
}

/* A chrooted task mounts through symlinks that point out of its root; everything lands
 * inside, seen from outside under /jail. */
START_TEST(security_mount_through_symlink_stays_in_chroot)
{
	struct task *c;
	struct vfs_stat s;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/etc", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail/etc", 0755));
	ck_assert_ok(vfs_symlinkat(tt, "/../../etc", AT_FDCWD, "/jail/up"));
	ck_assert_ok(vfs_symlinkat(tt, "../../../etc", AT_FDCWD, "/jail/rel"));
	ck_assert_ok(vfs_symlinkat(tt, "/etc", AT_FDCWD, "/jail/abs"));
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	ck_assert_ok(vfs_chroot(c, "/jail"));
	ck_assert_ok(vfs_chdir(c, "/"));
	/* The links resolve to the jail's /etc, not the real one. */
	ck_assert_ok(vfs_fstatat(c, AT_FDCWD, "/up", &s, 0));
	ck_assert_ok(vfs_mount(c, "tmpfs", "/up", "tmpfs", 0, "mode=0700"));
	attempts++;
	ck_assert_uint_ne(dev_of(tt, "/jail/etc"), dev_of(tt, "/"));
	ck_assert_uint_eq(dev_of(tt, "/etc"), dev_of(tt, "/"));
	ck_assert_ok(vfs_umount2(c, "/rel", 0));
	ck_assert_ok(vfs_mount(c, "tmpfs", "/rel", "tmpfs", 0, NULL));
	attempts++;
	ck_assert_uint_ne(dev_of(tt, "/jail/etc"), dev_of(tt, "/"));
	ck_assert_uint_eq(dev_of(tt, "/etc"), dev_of(tt, "/"));
	ck_assert_ok(vfs_umount2(c, "/abs", 0));
	ck_assert_ok(vfs_mount(c, "/", "/abs", NULL, MS_BIND, NULL));
	attempts++;
	ck_assert_uint_eq(dev_of(tt, "/etc"), dev_of(tt, "/"));
	ck_assert_ok(vfs_umount2(c, "/etc", 0));
	/* ".." above the root stays at the root. */
	ck_assert_ok(vfs_mkdirat(c, AT_FDCWD, "/../../../escaped", 0755));
	attempts++;
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/jail/escaped", &s, 0));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/escaped", &s, 0), ENOENT);
	task_exit(c);
	report();
}
END_TEST

/* Without CAP_SYS_ADMIN: 9p and devpts are not user-mountable (registry flags): EPERM,
 * and nothing is mounted; /proc/filesystems lists the same FS_USER_LIST types to all. */
START_TEST(security_non_root_mount_refused)
{
	struct task *u = task_fork(tt);
	char *list = NULL, *rootlist = NULL;
	size_t len, rlen;

	ck_assert_ptr_nonnull(u);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0777));
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	ck_assert_err(vfs_mount(u, "x", "/m", "9p", 0, "trans=fd,rfdno=0,wfdno=0"), EPERM);
	attempts++;
	ck_assert_err(vfs_mount(u, "devpts", "/m", "devpts", 0, NULL), EPERM);
	attempts++;
	ck_assert_err(vfs_mount(u, "tmpfs", "/m", "tmpfs", MS_BIND, NULL), EPERM);
	attempts++;
	/* Nothing got mounted. */
	ck_assert_uint_eq(dev_of(tt, "/m"), dev_of(tt, "/"));
	/* /proc/filesystems: what the task may list, the same for root and for a user. */
	ck_assert_ok(vfs_filesystems(u, &list, &len));
	ck_assert_ok(vfs_filesystems(tt, &rootlist, &rlen));
	ck_assert_str_eq(list, rootlist);
	ck_assert_ptr_nonnull(strstr(list, "\ttmpfs\n"));
	ck_assert_ptr_nonnull(strstr(list, "\t9p\n"));
	free(list);
	free(rootlist);
	task_exit(u);
	report();
}
END_TEST

/* chown clears setuid, and setgid on a group-executable file, as Linux's
 * should_remove_suid; root's chown too (Linux clears them for every chown of a regular
 * file); a write by a non-owner clears setuid. */
START_TEST(security_chown_and_write_clear_suid)
{
	struct task *u = task_fork(tt);
	struct vfs_stat s;
	int fd;

	ck_assert_ptr_nonnull(u);
	ck_assert_ok(t_write_file(tt, "/f", "x", 0777));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/f", 06777, 0));
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/f", 1000, 1000, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/f", &s, 0));
	ck_assert_uint_eq(s.mode & 07777, 0777);
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/f", 06777, 0));
	ck_assert_ok(task_setcreds(u, 2000, 2000, 0, NULL));
	fd = vfs_openat(u, AT_FDCWD, "/f", O_WRONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(u, fd, "y", 1), 1);
	vfs_close(u, fd);
	attempts++;
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/f", &s, 0));
	ck_assert_uint_eq(s.mode & 06000, 0);
	task_exit(u);
	report();
}
END_TEST

/* Overlay copy-up keeps the mode bits, setuid included (Linux's ovl_copy_up keeps the
 * lower mode); a write by a non-owner after copy-up clears setuid in the upper copy. */
START_TEST(security_overlay_copy_up_suid)
{
	struct task *u = task_fork(tt);
	struct vfs_stat s;
	int fd;

	ck_assert_ptr_nonnull(u);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/o", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lo", "tmpfs", 0, "mode=0755"));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/up", "tmpfs", 0, "mode=0755"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/w", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/s", "x", 0755));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/lo/s", 04777, 0));
	ck_assert_ok(vfs_mount(tt, "overlay", "/o", "overlay", 0,
			       "lowerdir=/lo,upperdir=/up/u,workdir=/up/w"));
	/* Root's open for write copies up with the mode intact. */
	fd = vfs_openat(tt, AT_FDCWD, "/o/s", O_WRONLY, 0);
	ck_assert_int_ge(fd, 0);
	vfs_close(tt, fd);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/up/u/s", &s, 0));
	ck_assert_uint_eq(s.mode & 07777, 04777);
	/* A non-owner's write clears it. */
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	fd = vfs_openat(u, AT_FDCWD, "/o/s", O_WRONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(u, fd, "y", 1), 1);
	vfs_close(u, fd);
	attempts++;
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/o/s", &s, 0));
	ck_assert_uint_eq(s.mode & 04000, 0);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/lo/s", &s, 0));
	ck_assert_uint_eq(s.mode & 07777, 04777); /* the lower layer is never touched */
	task_exit(u);
	ck_assert_ok(vfs_umount2(tt, "/o", 0));
	report();
}
END_TEST

/* Our 9P client over the simulated gofer: ".." at the mount root stays at the mount
 * root (the client never walks ".." past its attach point), symlinks out of the export
 * are resolved by our VFS in our namespace (so /m/l -> /../.. is our /, never the served
 * kernel's parent), and names with '/' cannot be sent. */
START_TEST(security_9p_client_dotdot_and_links)
{
	struct gofer_sim *gs;
	struct task *st;
	struct vfs_stat s, root;
	char opts[128];
	int rfd, wfd;

	gs = gofer_sim_start(5, &rfd, &wfd);
	ck_assert_msg(!IS_ERR(gs), "gofer_sim_start: %ld", PTR_ERR(gs));
	st = gofer_sim_task(gs);
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/export", 0755));
	ck_assert_ok(t_write_file(st, "/secret", "served-kernel secret", 0600));
	ck_assert_ok(t_write_file(st, "/export/f", "ok", 0644));
	ck_assert_ok(vfs_symlinkat(st, "/../../secret", AT_FDCWD, "/export/abs"));
	ck_assert_ok(vfs_symlinkat(st, "../secret", AT_FDCWD, "/export/rel"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755));
	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d,aname=/export", rfd, wfd);
	ck_assert_ok(vfs_mount(tt, "gofer", "/m", "9p", 0, opts));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/m/f", &s, 0));
	/* ".." from the mount root is our /, not the served /: no "secret" there. */
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/m/..", &s, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/", &root, 0));
	ck_assert_uint_eq(s.ino, root.ino);
	ck_assert_uint_eq(s.dev, root.dev);
	attempts++;
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/m/../secret", &s, 0), ENOENT);
	attempts++;
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/m/abs", &s, 0), ENOENT);
	attempts++;
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/m/rel", &s, 0), ENOENT);
	attempts++;
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/m/f/..", &s, 0), ENOTDIR);
	ck_assert_ok(vfs_umount2(tt, "/m", 0));
	kernel_destroy(tk);
	tk = NULL;
	gofer_sim_stop(gs);
	t_setup(); /* the fixture's teardown destroys a kernel */
	report();
}
END_TEST

/* Our 9P client speaking to the sim gofer: ".." at the attach root stays there (same
 * qid), and names with '/' (or "." / "..", or empty) are refused by lcreate, mkdir,
 * symlink, rename and unlinkat; nothing appears in the served tree. */
START_TEST(security_9p_client_hostile_names)
{
	static const char *const bad[] = { "../x", "a/b", "/x", "..", ".", "x/..", "" };
	struct p9_qid rq, q[4];
	struct p9_client *c;
	struct gofer_sim *gs;
	struct task *st;
	uint32_t root, fid, f2;
	size_t i;
	int rfd, wfd;

	gs = gofer_sim_start(6, &rfd, &wfd);
	ck_assert_msg(!IS_ERR(gs), "gofer_sim_start: %ld", PTR_ERR(gs));
	st = gofer_sim_task(gs);
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/export", 0755));
	ck_assert_ok(t_write_file(st, "/export/f", "ok", 0644));
	ck_assert_ok(t_write_file(st, "/secret", "no", 0600));
	ck_assert_ok(p9_client_new(dup(rfd), dup(wfd), NULL, &c));
	/* Attached at the served root: the aname case is the test below. */
	ck_assert_ok(p9_client_attach(c, "", 0, "", &root, &rq));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *nm[1] = { bad[i] };
		long r;

		r = p9_client_walk(c, root, 1, nm, &fid, q);
		if (r == 0) {
			/* Only ".." (clamped: the root again) and "." may walk. */
			ck_assert_msg(!strcmp(bad[i], "..") || !strcmp(bad[i], "."),
				      "walk '%s' succeeded", bad[i]);
			ck_assert_uint_eq(q[0].path, rq.path);
			ck_assert_ok(p9_client_clunk(c, fid));
		}
		attempts++;
		ck_assert_ok(p9_client_walk(c, root, 0, NULL, &f2, NULL));
		r = p9_client_lcreate(c, f2, bad[i], O_RDWR, 0644, 0, NULL);
		ck_assert_msg(r < 0, "lcreate '%s' succeeded", bad[i]);
		ck_assert_ok(p9_client_clunk(c, f2));
		attempts++;
		ck_assert_msg(p9_client_mkdir(c, root, bad[i], 0755, 0, NULL) < 0,
			      "mkdir '%s' succeeded", bad[i]);
		attempts++;
		ck_assert_msg(p9_client_symlink(c, root, bad[i], "/secret", 0, NULL) < 0,
			      "symlink '%s' succeeded", bad[i]);
		attempts++;
		ck_assert_msg(p9_client_renameat(c, root, "f", root, bad[i], P9_NOFID) < 0,
			      "rename to '%s' succeeded", bad[i]);
		attempts++;
		ck_assert_msg(p9_client_unlinkat(c, root, bad[i], 0) < 0, "unlink '%s' succeeded",
			      bad[i]);
		attempts++;
	}
	/* The served tree is what it was. */
	ck_assert_ok(vfs_fstatat(st, AT_FDCWD, "/export/f", &(struct vfs_stat){ 0 }, 0));
	ck_assert_ok(vfs_fstatat(st, AT_FDCWD, "/secret", &(struct vfs_stat){ 0 }, 0));
	ck_assert_err(vfs_fstatat(st, AT_FDCWD, "/x", &(struct vfs_stat){ 0 }, 0), ENOENT);
	ck_assert_err(vfs_fstatat(st, AT_FDCWD, "/export/x", &(struct vfs_stat){ 0 }, 0), ENOENT);
	ck_assert_ok(p9_client_clunk(c, root));
	p9_client_destroy(c);
	gofer_sim_stop(gs);
	report();
}
END_TEST

/*
 * Found by this suite: a client attached with aname=/export walks ".." from the attach
 * root to the served kernel's root and reaches /secret outside the export. The server's
 * walk (src/p9/server/ops.c, op_walk) opens ".." with vfs_openat, which clamps at the
 * session task's root, not at the fid's attach point. Fixed: the fid carries its
 * attach point and `..` stops there.
 */
START_TEST(security_9p_aname_dotdot_clamped)
{
	const char *up[] = { "..", "..", "..", "secret" };
	struct p9_qid rq, q[4];
	struct p9_client *c;
	struct gofer_sim *gs;
	struct task *st;
	uint32_t root, fid;
	int rfd, wfd;

	gs = gofer_sim_start(6, &rfd, &wfd);
	ck_assert_msg(!IS_ERR(gs), "gofer_sim_start: %ld", PTR_ERR(gs));
	st = gofer_sim_task(gs);
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/export", 0755));
	ck_assert_ok(t_write_file(st, "/secret", "no", 0600));
	ck_assert_ok(p9_client_new(dup(rfd), dup(wfd), NULL, &c));
	ck_assert_ok(p9_client_attach(c, "", 0, "/export", &root, &rq));
	attempts++;
	ck_assert_err(p9_client_walk(c, root, 4, up, &fid, q), ENOENT);
	attempts++;
	ck_assert_ok(p9_client_walk(c, root, 3, up, &fid, q));
	ck_assert_uint_eq(q[2].path, rq.path);
	ck_assert_ok(p9_client_clunk(c, fid));
	ck_assert_ok(p9_client_clunk(c, root));
	p9_client_destroy(c);
	gofer_sim_stop(gs);
	report();
}
END_TEST

Suite *security_suite(void)
{
	Suite *s = suite_create("security");
	TCase *tc = t_case(s, "escapes");

	tcase_add_test(tc, security_mount_through_symlink_stays_in_chroot);
	tcase_add_test(tc, security_non_root_mount_refused);
	tcase_add_test(tc, security_chown_and_write_clear_suid);
	tcase_add_test(tc, security_overlay_copy_up_suid);
	tcase_add_test(tc, security_9p_client_dotdot_and_links);
	tcase_add_test(tc, security_9p_client_hostile_names);
	tcase_add_test(tc, security_9p_aname_dotdot_clamped);
	return s;
}
