/*
 * check_gofer.c - the "9p" filesystem (src/fs/gofer) and the 9P client (src/p9/client)
 * against the simulated gofer (sim/gofer_sim.c): the fixture kernel mounts the served
 * kernel's root at /mnt with trans=fd, every operation goes through our VFS, and the
 * result is checked in the served tree through the gofer's own task. Also: both cache
 * modes, option errors, round trips per stat, requests in flight from several threads,
 * and a transport fault sweep. Last, the gofer's other exports (gofer_sim_serve: a
 * directory or a single file, read-only or not) and gofer processes on the real host
 * (gofer_proc: build/vfslab gofer serving a temporary host directory or file).
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "helpers.h"
#include "vfslab/gofer_proc.h"
#include "vfslab/gofer_sim.h"
#include "vfslab/p9client.h"

static struct gofer_sim *gs;
static struct task *st; /* the served kernel's init task */
static int grfd, gwfd;

/* ------------------------------------------------------------------ fixture */

static int mount_9p(const char *target, const char *extra)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d%s%s", grfd, gwfd, extra ? "," : "",
		 extra ? extra : "");
	return vfs_mount(tt, "gofer", target, "9p", 0, opts);
}

static void start(const char *extra)
{
	t_setup();
	gs = gofer_sim_start(2, &grfd, &gwfd);
	ck_assert_msg(!IS_ERR(gs), "gofer_sim_start: %ld", PTR_ERR(gs));
	st = gofer_sim_task(gs);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(mount_9p("/mnt", extra));
}

static void g_setup(void)
{
	start(NULL);
}

static void g_setup_reval(void)
{
	start("cache=remote_revalidating");
}

static void g_teardown(void)
{
	int k;

	fault_disarm();
	kernel_destroy(tk);
	tk = NULL;
	tt = NULL;
	gofer_sim_stop(gs);
	gs = NULL;
	for (k = 0; k < OBJ_NR_KINDS; k++)
		ck_assert_msg(obj_live(k) == 0, "leaked %lld %s object(s)", (long long)obj_live(k),
			      obj_kind_name(k));
}

/* Names in directory path of task t, sorted, comma-joined, without . and .. */
static void list_names(struct task *t, const char *path, char *out, size_t size)
{
	char buf[8192], *names[1024];
	int fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0), n = 0, i, j;
	long len, pos;

	ck_assert_int_ge(fd, 0);
	while ((len = vfs_getdents(t, fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < len;) {
			unsigned short reclen;
			const char *name = buf + pos + 19;

			memcpy(&reclen, buf + pos + 16, 2);
			if (strcmp(name, ".") && strcmp(name, "..") && n < 1024)
				names[n++] = strdup(name);
			pos += reclen;
		}
	}
	ck_assert_int_eq(len, 0);
	vfs_close(t, fd);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *x = names[j];

			names[j] = names[j - 1];
			names[j - 1] = x;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t l = strlen(out);

		snprintf(out + l, size - l, "%s%s", i ? "," : "", names[i]);
		free(names[i]);
	}
}

/* ------------------------------------------------------------------ files */

START_TEST(gofer_mount_root_is_served_root)
{
	struct vfs_stat s;
	char *mi;
	size_t len;

	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt", &s, 0));
	ck_assert(S_ISDIR(s.mode));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_nonnull(strstr(mi, " /mnt "));
	ck_assert_ptr_nonnull(strstr(mi, " - 9p gofer rw,trans=fd"));
	free(mi);
}
END_TEST

START_TEST(gofer_create_write_read)
{
	char buf[64];

	ck_assert_ok(t_write_file(tt, "/mnt/a", "hello, gofer\n", 0640));
	ck_assert_int_eq(t_read_file(st, "/a", buf, sizeof(buf)), 13);
	ck_assert_str_eq(buf, "hello, gofer\n");
	ck_assert_int_eq(t_read_file(tt, "/mnt/a", buf, sizeof(buf)), 13);
	ck_assert_str_eq(buf, "hello, gofer\n");
	/* And the other way: a file the server has. */
	ck_assert_ok(t_write_file(st, "/b", "from the server", 0644));
	ck_assert_int_eq(t_read_file(tt, "/mnt/b", buf, sizeof(buf)), 15);
	ck_assert_str_eq(buf, "from the server");
}
END_TEST

/*
 * Reads and writes use the negotiated msize fully: every message but the last carries a
 * whole iounit (msize - P9_IOHDRSZ), several in flight at once. On a second mount with
 * msize=65536, just under 3 iounits are 3 messages each way (not 4 of a rounder size);
 * at the default msize a 1 MiB call is one message.
 */
START_TEST(gofer_large_file_uses_msize)
{
	size_t unit = 65536 - P9_IOHDRSZ, len = 3 * unit - 100, i;
	uint8_t *a = malloc(1u << 20), *b = malloc(1u << 20);
	struct vfs_stat s;
	uint64_t n0;
	int fd;

	for (i = 0; i < 1u << 20; i++)
		a[i] = (uint8_t)(i * 7 + (i >> 12));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m2", 0755));
	ck_assert_ok(gofer_sim_connect(gs, &grfd, &gwfd));
	ck_assert_ok(mount_9p("/m2", "msize=65536"));
	fd = vfs_openat(tt, AT_FDCWD, "/m2/big", O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	n0 = p9_client_requests_total();
	ck_assert_int_eq(vfs_pwrite(tt, fd, a, len, 0), (long)len);
	ck_assert_uint_eq(p9_client_requests_total() - n0, 3);
	memset(b, 0, len);
	n0 = p9_client_requests_total();
	ck_assert_int_eq(vfs_pread(tt, fd, b, len + 100, 0), (long)len);
	ck_assert_uint_eq(p9_client_requests_total() - n0, 3);
	ck_assert(memcmp(a, b, len) == 0);
	ck_assert_int_eq(vfs_pread(tt, fd, b, 10, (off_t)len), 0);
	vfs_close(tt, fd);
	ck_assert_ok(vfs_fstatat(st, AT_FDCWD, "/big", &s, 0));
	ck_assert_int_eq(s.size, (long)len);
	fd = vfs_openat(st, AT_FDCWD, "/big", O_RDONLY, 0);
	memset(b, 0, len);
	ck_assert_int_eq(vfs_pread(st, fd, b, len, 0), (long)len);
	ck_assert(memcmp(a, b, len) == 0);
	vfs_close(st, fd);
	ck_assert_ok(vfs_umount2(tt, "/m2", 0));

	/* The default: 1 MiB each way in one message. */
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/big", O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	n0 = p9_client_requests_total();
	ck_assert_int_eq(vfs_pwrite(tt, fd, a, 1u << 20, 0), 1 << 20);
	ck_assert_int_eq(vfs_pread(tt, fd, b, 1u << 20, 0), 1 << 20);
	ck_assert_uint_eq(p9_client_requests_total() - n0, 2);
	ck_assert(memcmp(a, b, 1u << 20) == 0);
	vfs_close(tt, fd);
	free(a);
	free(b);
}
END_TEST

START_TEST(gofer_append_and_truncate)
{
	char buf[64];
	int fd;

	ck_assert_ok(t_write_file(tt, "/mnt/f", "abc", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/f", O_WRONLY | O_APPEND, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(tt, fd, "def", 3), 3);
	vfs_close(tt, fd);
	ck_assert_int_eq(t_read_file(st, "/f", buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "abcdef");
	ck_assert_ok(vfs_truncate(tt, "/mnt/f", 2));
	ck_assert_int_eq(t_read_file(st, "/f", buf, sizeof(buf)), 2);
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/f", O_WRONLY | O_TRUNC, 0);
	ck_assert_int_ge(fd, 0);
	vfs_close(tt, fd);
	ck_assert_int_eq(t_read_file(st, "/f", buf, sizeof(buf)), 0);
}
END_TEST

/* ------------------------------------------------------------------ names */

START_TEST(gofer_mkdir_list_rmdir)
{
	char names[256];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0750));
	ck_assert_ok(t_write_file(tt, "/mnt/d/x", "1", 0644));
	ck_assert_ok(t_write_file(st, "/d/y", "2", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d/sub", 0755));
	list_names(tt, "/mnt/d", names, sizeof(names));
	ck_assert_str_eq(names, "sub,x,y");
	list_names(st, "/d", names, sizeof(names));
	ck_assert_str_eq(names, "sub,x,y");
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/mnt/d", AT_REMOVEDIR), ENOTEMPTY);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/mnt/d/sub", AT_REMOVEDIR));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/mnt/d/x", 0));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/mnt/d/y", 0));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/mnt/d", AT_REMOVEDIR));
	ck_assert_err(vfs_fstatat(st, AT_FDCWD, "/d", &(struct vfs_stat){ 0 }, 0), ENOENT);
	list_names(tt, "/mnt", names, sizeof(names));
	ck_assert_str_eq(names, "");
}
END_TEST

/* A directory of more entries than one Rreaddir holds. */
START_TEST(gofer_list_many)
{
	char name[64], *names = malloc(65536);
	int i;

	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/many", 0755));
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "/many/a-rather-long-file-name-number-%04d", i);
		ck_assert_ok(t_write_file(st, name, "", 0644));
	}
	list_names(tt, "/mnt/many", names, 65536);
	ck_assert_int_eq(strlen(names), 600 * 36 - 1);
	ck_assert(strncmp(names, "a-rather-long-file-name-number-0000,", 36) == 0);
	free(names);
}
END_TEST

START_TEST(gofer_rename_link_symlink)
{
	struct vfs_stat s1, s2;
	char buf[64];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0755));
	ck_assert_ok(t_write_file(tt, "/mnt/a", "A", 0644));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/mnt/a", AT_FDCWD, "/mnt/d/b", 0));
	ck_assert_err(vfs_fstatat(st, AT_FDCWD, "/a", &s1, 0), ENOENT);
	ck_assert_int_eq(t_read_file(st, "/d/b", buf, sizeof(buf)), 1);
	/* The moved file's fid follows it: open it again by its new name. */
	ck_assert_int_eq(t_read_file(tt, "/mnt/d/b", buf, sizeof(buf)), 1);
	/* A renamed directory keeps working below. */
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/mnt/d", AT_FDCWD, "/mnt/e", 0));
	ck_assert_int_eq(t_read_file(tt, "/mnt/e/b", buf, sizeof(buf)), 1);
	ck_assert_ok(t_write_file(tt, "/mnt/e/c", "C", 0644));
	ck_assert_int_eq(t_read_file(st, "/e/c", buf, sizeof(buf)), 1);
	/* Replacing, and refusing to. */
	ck_assert_err(
		vfs_renameat2(tt, AT_FDCWD, "/mnt/e/b", AT_FDCWD, "/mnt/e/c", RENAME_NOREPLACE),
		EEXIST);
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/mnt/e/b", AT_FDCWD, "/mnt/e/c", 0));
	ck_assert_int_eq(t_read_file(st, "/e/c", buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "A");

	ck_assert_ok(vfs_linkat(tt, AT_FDCWD, "/mnt/e/c", AT_FDCWD, "/mnt/l", 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/l", &s1, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/e/c", &s2, 0));
	ck_assert_uint_eq(s1.ino, s2.ino);
	ck_assert_uint_eq(s1.nlink, 2);
	ck_assert_ok(vfs_fstatat(st, AT_FDCWD, "/l", &s2, 0));
	ck_assert_uint_eq(s2.nlink, 2);

	ck_assert_ok(vfs_symlinkat(tt, "e/c", AT_FDCWD, "/mnt/sl"));
	ck_assert_int_eq(vfs_readlinkat(st, AT_FDCWD, "/sl", buf, sizeof(buf)), 3);
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/mnt/sl", buf, sizeof(buf)), 3);
	ck_assert(memcmp(buf, "e/c", 3) == 0);
	ck_assert_int_eq(t_read_file(tt, "/mnt/sl", buf, sizeof(buf)), 1);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/sl", &s1, AT_SYMLINK_NOFOLLOW));
	ck_assert(S_ISLNK(s1.mode));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/mnt/fifo", S_IFIFO | 0600, 0));
	ck_assert_ok(vfs_fstatat(st, AT_FDCWD, "/fifo", &s1, 0));
	ck_assert(S_ISFIFO(s1.mode));
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/mnt/l", AT_FDCWD, "/mnt/sl", RENAME_EXCHANGE),
		      EINVAL);
}
END_TEST

/* ------------------------------------------------------------------ attributes */

START_TEST(gofer_attributes)
{
	struct timespec ts[2] = { { .tv_sec = 1000, .tv_nsec = 5 },
				  { .tv_sec = 2000, .tv_nsec = 7 } };
	struct vfs_stat s, r;

	ck_assert_ok(t_write_file(tt, "/mnt/f", "12345", 0644));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/mnt/f", 0600, 0));
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/mnt/f", 1000, 1001, 0));
	ck_assert_ok(vfs_utimensat(tt, AT_FDCWD, "/mnt/f", ts, 0));
	ck_assert_ok(vfs_fstatat(st, AT_FDCWD, "/f", &r, 0));
	ck_assert_uint_eq(r.mode, S_IFREG | 0600);
	ck_assert_uint_eq(r.uid, 1000);
	ck_assert_uint_eq(r.gid, 1001);
	ck_assert_int_eq(r.atime_ns, 1000000000005LL);
	ck_assert_int_eq(r.mtime_ns, 2000000000007LL);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/f", &s, 0));
	ck_assert_uint_eq(s.mode, r.mode);
	ck_assert_uint_eq(s.uid, 1000);
	ck_assert_uint_eq(s.gid, 1001);
	ck_assert_int_eq(s.size, 5);
	ck_assert_int_eq(s.mtime_ns, r.mtime_ns);
	ck_assert_int_eq(s.ctime_ns, r.ctime_ns);
	ck_assert_int_eq(s.blocks, r.blocks);
	ck_assert_uint_eq(s.ino, r.ino);
}
END_TEST

START_TEST(gofer_xattrs)
{
	char buf[256];

	ck_assert_ok(t_write_file(tt, "/mnt/f", "", 0644));
	ck_assert_ok(vfs_setxattrat(tt, AT_FDCWD, "/mnt/f", "user.a", "alpha", 5, 0, 0));
	ck_assert_ok(vfs_setxattrat(tt, AT_FDCWD, "/mnt/f", "user.b", "b", 1, 0, 0));
	ck_assert_int_eq(vfs_getxattrat(st, AT_FDCWD, "/f", "user.a", buf, sizeof(buf), 0), 5);
	ck_assert(memcmp(buf, "alpha", 5) == 0);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/mnt/f", "user.a", NULL, 0, 0), 5);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/mnt/f", "user.a", buf, sizeof(buf), 0), 5);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/mnt/f", "user.a", buf, 2, 0), ERANGE);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/mnt/f", "user.none", buf, 9, 0), ENODATA);
	ck_assert_int_eq(vfs_listxattrat(tt, AT_FDCWD, "/mnt/f", buf, sizeof(buf), 0), 14);
	ck_assert(memcmp(buf, "user.a\0user.b\0", 14) == 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/mnt/f", "user.a", "x", 1, XATTR_CREATE, 0),
		      EEXIST);
	ck_assert_ok(vfs_removexattrat(tt, AT_FDCWD, "/mnt/f", "user.a", 0));
	ck_assert_err(vfs_getxattrat(st, AT_FDCWD, "/f", "user.a", buf, sizeof(buf), 0), ENODATA);
}
END_TEST

START_TEST(gofer_statfs_fsync)
{
	struct vfs_statfs s;
	int fd;

	ck_assert_ok(vfs_statfs(tt, "/mnt", &s));
	ck_assert_int_eq(s.type, 0x01021994); /* the served tmpfs's */
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/f", O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_fsync(tt, fd));
	vfs_close(tt, fd);
}
END_TEST

/* ------------------------------------------------------------------ caching */

/* Exclusive mode trusts its cache, negative entries included: a file the server makes
 * behind a cached "absent" stays absent; revalidating mode sees it at once. */
START_TEST(gofer_exclusive_trusts_cache)
{
	struct vfs_stat s;

	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/late", &s, 0), ENOENT);
	ck_assert_ok(t_write_file(st, "/late", "x", 0644));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/late", &s, 0), ENOENT);
}
END_TEST

START_TEST(gofer_revalidating_sees_remote_changes)
{
	struct vfs_stat s;
	char buf[16];

	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/late", &s, 0), ENOENT);
	ck_assert_ok(t_write_file(st, "/late", "x", 0644));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/late", &s, 0));
	ck_assert_int_eq(s.size, 1);
	/* Changed behind us: the new size is seen. */
	ck_assert_ok(t_write_file(st, "/late", "xyz", 0644));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/late", &s, 0));
	ck_assert_int_eq(s.size, 3);
	/* Replaced by another file: its content is read. */
	ck_assert_ok(t_write_file(st, "/other", "other", 0644));
	ck_assert_ok(vfs_renameat2(st, AT_FDCWD, "/other", AT_FDCWD, "/late", 0));
	ck_assert_int_eq(t_read_file(tt, "/mnt/late", buf, sizeof(buf)), 5);
	/* Vanished: gone here too. */
	ck_assert_ok(vfs_unlinkat(st, AT_FDCWD, "/late", 0));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/mnt/late", &s, 0), ENOENT);
}
END_TEST

/* Round trips per stat: none for a cached path; walk + getattr per new component. */
START_TEST(gofer_round_trips_per_stat)
{
	struct vfs_stat s;
	uint64_t n0;

	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/a", 0755));
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/a/b", 0755));
	ck_assert_ok(t_write_file(st, "/a/b/c", "x", 0644));
	n0 = p9_client_requests_total();
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/a/b/c", &s, 0));
	ck_assert_uint_eq(p9_client_requests_total() - n0, 6);
	n0 = p9_client_requests_total();
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/a/b/c", &s, 0));
	ck_assert_uint_eq(p9_client_requests_total() - n0, 0);
}
END_TEST

/* ------------------------------------------------------------------ options */

START_TEST(gofer_mount_options_checked)
{
	char opts[128];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m2", 0755));
	ck_assert_err(vfs_mount(tt, "x", "/m2", "9p", 0, "trans=fd,rfdno=3,wfdno=3,bogus=1"),
		      EINVAL);
	ck_assert_ptr_nonnull(strstr(task_errmsg(tt), "unknown option 'bogus'"));
	ck_assert_err(vfs_mount(tt, "x", "/m2", "9p", 0, "aname=/"), EINVAL);
	ck_assert_ptr_nonnull(strstr(task_errmsg(tt), "transport"));
	ck_assert_err(vfs_mount(tt, "x", "/m2", "9p", 0, "trans=virtio"), EINVAL);
	ck_assert_err(vfs_mount(tt, "x", "/m2", "9p", 0, "trans=fd,rfdno=3"), EINVAL);
	ck_assert_err(vfs_mount(tt, "x", "/m2", "9p", 0, "trans=fd,rfdno=x,wfdno=3"), EINVAL);
	ck_assert_err(vfs_mount(tt, "x", "/m2", "9p", 0, "trans=fd,rfdno=9999,wfdno=9999"), EBADF);
	ck_assert_err(mount_9p("/m2", "msize=100"), EINVAL);
	ck_assert_err(mount_9p("/m2", "cache=sometimes"), EINVAL);
	ck_assert_err(mount_9p("/m2", "version=9p2000.u"), EINVAL);
	/* gVisor's spelling of the root mount, all accepted; a second connection. */
	ck_assert_ok(gofer_sim_connect(gs, &grfd, &gwfd));
	snprintf(opts, sizeof(opts),
		 "cache=remote_revalidating,overlayfs_stale_read,"
		 "dfltuid=10,dfltgid=11,msize=65536,aname=/");
	ck_assert_ok(mount_9p("/m2", opts));
	ck_assert_ok(t_write_file(tt, "/m2/seen", "1", 0644));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/mnt/seen", &(struct vfs_stat){ 0 }, 0));
	ck_assert_ok(vfs_umount2(tt, "/m2", 0));
}
END_TEST

/* ------------------------------------------------------------------ the client alone */

struct conc_arg {
	struct p9_client *c;
	uint32_t root;
	int errors;
};

static void *conc_main(void *p)
{
	struct conc_arg *a = p;
	const char *name = "f";
	int i;

	for (i = 0; i < 200; i++) {
		struct p9_getattr ga;
		uint32_t fid;
		uint8_t b[4];

		if (p9_client_walk(a->c, a->root, 1, &name, &fid, NULL)) {
			a->errors++;
			continue;
		}
		if (p9_client_getattr(a->c, fid, P9_GETATTR_BASIC, &ga) || ga.size != 4)
			a->errors++;
		if (p9_client_lopen(a->c, fid, P9_DOTL_RDONLY, NULL) ||
		    p9_client_read(a->c, fid, 0, b, 4) != 4 || memcmp(b, "data", 4))
			a->errors++;
		if (i % 2)
			p9_client_clunk_async(a->c, fid);
		else if (p9_client_clunk(a->c, fid))
			a->errors++;
	}
	return NULL;
}

/* Eight threads with requests in flight on one connection, replies out of order. */
START_TEST(gofer_client_many_threads)
{
	struct conc_arg a[8];
	pthread_t th[8];
	struct p9_client *c;
	uint32_t root;
	int i, rfd, wfd;

	ck_assert_ok(t_write_file(st, "/f", "data", 0644));
	ck_assert_ok(gofer_sim_connect(gs, &rfd, &wfd));
	ck_assert_ok(p9_client_new(dup(rfd), dup(wfd), NULL, &c));
	ck_assert_uint_eq(p9_client_msize(c), P9_SERVER_MSIZE_DEFAULT);
	ck_assert_ok(p9_client_attach(c, "", 0, "", &root, NULL));
	for (i = 0; i < 8; i++) {
		a[i] = (struct conc_arg){ .c = c, .root = root };
		ck_assert_int_eq(pthread_create(&th[i], NULL, conc_main, &a[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(a[i].errors, 0);
	}
	ck_assert(!p9_client_broken(c));
	ck_assert_ok(p9_client_clunk(c, root));
	p9_client_destroy(c);
}
END_TEST

/* ------------------------------------------------------------------ faults */

/* A transport fault at every point of a mount and a write: each run ends in success or
 * EIO, nothing hangs, nothing leaks, and the broken mount can still be unmounted. */
START_TEST(gofer_transport_fault_sweep)
{
	uint64_t n;
	bool done = false;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m2", 0755));
	for (n = 1; !done && n < 200; n++) {
		int err;

		ck_assert_ok(gofer_sim_connect(gs, &grfd, &gwfd));
		fault_arm(n, 1u << FAULT_TRANSPORT);
		err = mount_9p("/m2", NULL);
		if (!err) {
			err = t_write_file(tt, "/m2/f", "payload", 0644);
			ck_assert_msg(err == 0 || err == -EIO, "write: %d", err);
			ck_assert_ok(vfs_umount2(tt, "/m2", 0));
		} else {
			ck_assert_msg(err == -EIO || err == -EREMOTEIO, "mount: %d", err);
		}
		done = !fault_fired();
		fault_disarm();
	}
	ck_assert(done);
}
END_TEST

/* ------------------------------------------------------------------ exports (gofer_sim_serve) */

/* The options of a trans=fd mount on one socket. */
static const char *fd_opts(int fd, const char *extra)
{
	static char opts[128];

	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d%s%s", fd, fd, extra ? "," : "",
		 extra ? extra : "");
	return opts;
}

static void served_tree(void)
{
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/data", 0755));
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/data/sub", 0755));
	ck_assert_ok(t_write_file(st, "/data/sub/f", "in sub", 0644));
	ck_assert_ok(vfs_mkdirat(st, AT_FDCWD, "/etc", 0755));
	ck_assert_ok(t_write_file(st, "/etc/hosts", "127.0.0.1 localhost\n", 0644));
	ck_assert_ok(t_write_file(st, "/etc/shadow", "root:secret", 0600));
	ck_assert_ok(vfs_symlinkat(st, "hosts", AT_FDCWD, "/etc/hosts.link"));
	ck_assert_ok(vfs_mknodat(st, AT_FDCWD, "/etc/fifo", S_IFIFO | 0600, 0));
}

/* A directory of the gofer's tree bound at /d: its contents and nothing above it. */
START_TEST(gofer_serve_directory)
{
	struct vfs_stat s;
	char buf[64];
	int fd = -1;

	served_tree();
	ck_assert_ok(gofer_sim_serve(gs, "/data", false, &fd));
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	ck_assert_ok(vfs_mount(tt, "/data", "/d", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/d/sub/f", buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "in sub");
	ck_assert_ok(t_write_file(tt, "/d/new", "made here", 0644));
	ck_assert_int_eq(t_read_file(st, "/data/new", buf, sizeof(buf)), 9);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/d/etc", &s, 0), ENOENT);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/d/..", &s, 0)); /* the client's own / */
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/d/../mnt/etc/hosts", &s, 0)); /* via / */
	ck_assert_ok(vfs_umount2(tt, "/d", 0));
}
END_TEST

/* A regular file bound onto a file (as /etc/hosts is): served alone. */
START_TEST(gofer_serve_file)
{
	struct vfs_stat s;
	char buf[64];
	int fd = -1, fd2 = -1;

	served_tree();
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", false, &fd));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/etc", 0755));
	ck_assert_ok(t_write_file(tt, "/etc/hosts", "", 0644));
	ck_assert_ok(vfs_mount(tt, "/etc/hosts", "/etc/hosts", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/etc/hosts", &s, 0));
	ck_assert(S_ISREG(s.mode));
	ck_assert_int_eq(s.size, 20);
	ck_assert_int_eq(t_read_file(tt, "/etc/hosts", buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "127.0.0.1 localhost\n");
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/etc/hosts/..", &s, 0), ENOTDIR);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/etc/hosts", 0), EBUSY);
	ck_assert_ok(t_write_file(tt, "/etc/hosts", "::1 here\n", 0644));
	ck_assert_int_eq(t_read_file(st, "/etc/hosts", buf, sizeof(buf)), 9);
	ck_assert_str_eq(buf, "::1 here\n");
	/* A file does not go on a directory (the same export, a second connection). */
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", false, &fd2));
	ck_assert_int_ne(fd2, fd);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/dir", 0755));
	ck_assert_err(vfs_mount(tt, "x", "/dir", "9p", 0, fd_opts(fd2, NULL)), ENOTDIR);
	/* Nothing of /etc can be named through it: the aname is a path from the file. */
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", false, &fd2));
	ck_assert_ok(t_write_file(tt, "/f2", "", 0644));
	ck_assert_err(vfs_mount(tt, "x", "/f2", "9p", 0, fd_opts(fd2, "aname=shadow")), ENOTDIR);
	ck_assert_ok(vfs_umount2(tt, "/etc/hosts", 0));
	ck_assert_int_eq(t_read_file(tt, "/etc/hosts", buf, sizeof(buf)), 0); /* uncovered */
}
END_TEST

START_TEST(gofer_serve_readonly)
{
	char buf[64];
	int fd = -1;

	served_tree();
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", true, &fd));
	ck_assert_ok(t_write_file(tt, "/hosts", "", 0644));
	ck_assert_ok(vfs_mount(tt, "h", "/hosts", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/hosts", buf, sizeof(buf)), 20);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/hosts", O_WRONLY, 0), EROFS);
	ck_assert_ok(gofer_sim_serve(gs, "/data", true, &fd));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	ck_assert_ok(vfs_mount(tt, "d", "/d", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/d/sub/f", buf, sizeof(buf)), 6);
	ck_assert_err(t_write_file(tt, "/d/new", "x", 0644), EROFS);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/d/nd", 0755), EROFS);
	/* The read-write export of the same path is another server. */
	ck_assert_ok(gofer_sim_serve(gs, "/data", false, &fd));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/w", 0755));
	ck_assert_ok(vfs_mount(tt, "w", "/w", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_ok(t_write_file(tt, "/w/new", "x", 0644));
	ck_assert_ok(vfs_umount2(tt, "/w", 0));
	ck_assert_ok(vfs_umount2(tt, "/d", 0));
	ck_assert_ok(vfs_umount2(tt, "/hosts", 0));
}
END_TEST

/* Servers are made once per (path, read-only): each is a task of the served kernel. */
START_TEST(gofer_serve_reuses_servers)
{
	long long t0;
	int fd = -1, a = -1, b = -1;

	served_tree();
	t0 = obj_live(OBJ_TASK);
	ck_assert_ok(gofer_sim_serve(gs, "/data", false, &a));
	ck_assert_int_eq(obj_live(OBJ_TASK), t0 + 1);
	ck_assert_ok(gofer_sim_serve(gs, "/data", false, &b));
	ck_assert_int_eq(obj_live(OBJ_TASK), t0 + 1);
	ck_assert_int_ne(a, b);
	ck_assert_ok(gofer_sim_serve(gs, "/data", true, &fd));
	ck_assert_int_eq(obj_live(OBJ_TASK), t0 + 2);
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", false, &fd));
	ck_assert_int_eq(obj_live(OBJ_TASK), t0 + 3);
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", true, &fd));
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", false, &fd));
	ck_assert_int_eq(obj_live(OBJ_TASK), t0 + 4);
	/* Both connections of one server serve. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/b", 0755));
	ck_assert_ok(vfs_mount(tt, "a", "/a", "9p", 0, fd_opts(a, NULL)));
	ck_assert_ok(vfs_mount(tt, "b", "/b", "9p", 0, fd_opts(b, NULL)));
	ck_assert_ok(t_write_file(tt, "/a/via-a", "1", 0644));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/b/via-a", &(struct vfs_stat){ 0 }, 0));
	ck_assert_ok(vfs_umount2(tt, "/a", 0));
	ck_assert_ok(vfs_umount2(tt, "/b", 0));
}
END_TEST

START_TEST(gofer_serve_errors)
{
	long long t0;
	int fd = 12345;

	served_tree();
	t0 = obj_live(OBJ_TASK);
	ck_assert_err(gofer_sim_serve(gs, "/nope", false, &fd), ENOENT);
	ck_assert_err(gofer_sim_serve(gs, "/etc/hosts.link", false, &fd), ELOOP);
	ck_assert_err(gofer_sim_serve(gs, "/etc/fifo", false, &fd), EINVAL);
	ck_assert_err(gofer_sim_serve(gs, "/etc/hosts/", false, &fd), ENOTDIR);
	ck_assert_err(gofer_sim_serve(gs, NULL, false, &fd), EINVAL);
	ck_assert_int_eq(fd, 12345);
	ck_assert_int_eq(obj_live(OBJ_TASK), t0); /* no server kept for a failure */
}
END_TEST

/* quiesce closes the exports' connections too and waits for them all. */
START_TEST(gofer_serve_quiesce)
{
	char buf[16];
	int fd = -1, fd2 = -1;

	served_tree();
	ck_assert_ok(gofer_sim_serve(gs, "/data", false, &fd));
	ck_assert_ok(gofer_sim_serve(gs, "/etc/hosts", false, &fd2));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755));
	ck_assert_ok(vfs_mount(tt, "d", "/d", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_ok(t_write_file(tt, "/d/last", "last", 0644));
	ck_assert_ok(vfs_umount2(tt, "/d", 0));
	ck_assert_ok(vfs_umount2(tt, "/mnt", 0));
	ck_assert_ok(gofer_sim_quiesce(gs));
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(fcntl(fd2, F_GETFD), -1);
	ck_assert_int_eq(t_read_file(st, "/data/last", buf, sizeof(buf)), 4);
	/* And the gofer serves new connections after. */
	ck_assert_ok(gofer_sim_serve(gs, "/data", false, &fd));
	ck_assert_ok(vfs_mount(tt, "d", "/d", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/d/last", buf, sizeof(buf)), 4);
	ck_assert_ok(vfs_umount2(tt, "/d", 0));
}
END_TEST

/* ------------------------------------------------------------------ gofer processes */

/* A temporary host directory per test (gp_dir), under one per test case (gp_top) that the
 * unchecked teardown removes whole, in the runner's process: a failed test, whose own
 * teardown does not run, leaves nothing behind either. */
static char gp_top[64];
static char gp_dir[128];
static char gp_exe[PATH_MAX]; /* build/vfslab */

/* $VFSLAB (as `make check` sets it for the scripts), else vfslab beside this runner. */
static bool gp_find_vfslab(void)
{
	const char *env = getenv("VFSLAB");
	char self[PATH_MAX - 16], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(gp_exe, sizeof(gp_exe), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		ck_assert_int_gt(n, 0);
		self[n] = '\0';
		slash = strrchr(self, '/');
		*slash = '\0';
		snprintf(gp_exe, sizeof(gp_exe), "%s/vfslab", self);
	}
	if (access(gp_exe, X_OK) == 0)
		return true;
	fprintf(stderr, "check_gofer: %s is not built: gofer process test skipped\n", gp_exe);
	return false;
}

/* A host file under gp_dir. */
static void gp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", gp_dir, name);
}

static void gp_write(const char *name, const char *data)
{
	char path[PATH_MAX];
	FILE *f;

	gp_path(path, sizeof(path), name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void gp_read(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	gp_path(path, sizeof(path), name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void gp_setup(void)
{
	char path[PATH_MAX];

	t_setup();
	snprintf(gp_dir, sizeof(gp_dir), "%s/t-XXXXXX", gp_top);
	ck_assert_ptr_nonnull(mkdtemp(gp_dir));
	gp_path(path, sizeof(path), "dir");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	gp_path(path, sizeof(path), "dir/sub");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	gp_write("dir/hello", "hello from the host\n");
	gp_write("dir/sub/inner", "inner");
	gp_write("hosts", "127.0.0.1 localhost\n");
	gp_write("sibling", "not served");
	gp_path(path, sizeof(path), "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
}

static int gp_rm(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void gp_teardown(void)
{
	nftw(gp_dir, gp_rm, 16, FTW_DEPTH | FTW_PHYS);
	g_teardown();
}

static void gp_top_setup(void)
{
	strcpy(gp_top, "/tmp/vfslab-goferproc-XXXXXX");
	if (!mkdtemp(gp_top))
		gp_top[0] = '\0';
}

static void gp_top_teardown(void)
{
	if (gp_top[0])
		nftw(gp_top, gp_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* What the child's descriptor fd is ("/dev/null", "socket:[N]", ...), "" if not open. */
static void gp_child_fd(pid_t pid, int fd, char *out, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
}

/* True if any descriptor of the child is the file at path. */
static bool gp_child_has(pid_t pid, const char *path)
{
	char dir[64], link[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			gp_child_fd(pid, atoi(e->d_name), link, sizeof(link));
			found |= strcmp(link, path) == 0;
		}
	closedir(d);
	return found;
}

/* No child of ours is left, reaped or not. */
static void gp_assert_no_child(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(waitpid(-1, &status, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

/* A host directory served by `vfslab gofer --fd 3`, mounted in the simulated kernel. */
START_TEST(gofer_proc_directory)
{
	struct gofer_proc *gp;
	char root[PATH_MAX], msg[256], buf[64], link[64], leaked[PATH_MAX];
	int fd = -1, leak;
	pid_t pid;

	if (!gp_find_vfslab())
		return;
	/* A descriptor of ours without close-on-exec: the child must not get it. */
	gp_path(leaked, sizeof(leaked), "sibling");
	leak = open(leaked, O_RDONLY);
	ck_assert_int_ge(leak, 0);
	gp_path(root, sizeof(root), "dir");
	ck_assert_msg(gofer_proc_start(gp_exe, root, false, &gp, &fd, msg, sizeof(msg)) == 0,
		      "gofer_proc_start: %s", msg);
	ck_assert_str_eq(msg, "");
	pid = gofer_proc_pid(gp);
	ck_assert_int_gt(pid, 0);
	ck_assert(!gp_child_has(pid, leaked));
	gp_child_fd(pid, 0, link, sizeof(link));
	ck_assert_str_eq(link, "/dev/null");
	gp_child_fd(pid, 1, link, sizeof(link));
	ck_assert_int_eq(strncmp(link, "pipe:", 5), 0);
	gp_child_fd(pid, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, link); /* stdout and stderr: the one pipe to us */
	gp_child_fd(pid, 3, link, sizeof(link));
	ck_assert_int_eq(strncmp(link, "socket:", 7), 0);
	ck_assert_int_eq(getpgid(pid), pid); /* a process group of its own */
	close(leak);

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/h", 0755));
	ck_assert_ok(vfs_mount(tt, "host", "/h", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/h/hello", buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "hello from the host\n");
	ck_assert_int_eq(t_read_file(tt, "/h/sub/inner", buf, sizeof(buf)), 5);
	ck_assert_ok(t_write_file(tt, "/h/new", "from the sandbox", 0644));
	gp_read("dir/new", buf, sizeof(buf));
	ck_assert_str_eq(buf, "from the sandbox");
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/h/../hosts", &(struct vfs_stat){ 0 }, 0), ENOENT);
	ck_assert_ok(vfs_umount2(tt, "/h", 0));
	ck_assert_int_eq(gofer_proc_stop(gp, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	gp_assert_no_child(pid);
}
END_TEST

/* A host file served alone, bound onto a file of the simulated kernel. */
START_TEST(gofer_proc_file)
{
	struct gofer_proc *gp;
	char root[PATH_MAX], msg[256], buf[64];
	struct vfs_stat s;
	int fd = -1;
	pid_t pid;

	if (!gp_find_vfslab())
		return;
	gp_path(root, sizeof(root), "hosts");
	ck_assert_msg(gofer_proc_start(gp_exe, root, false, &gp, &fd, msg, sizeof(msg)) == 0,
		      "gofer_proc_start: %s", msg);
	pid = gofer_proc_pid(gp);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/etc", 0755));
	ck_assert_ok(t_write_file(tt, "/etc/hosts", "", 0644));
	ck_assert_ok(vfs_mount(tt, root, "/etc/hosts", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/etc/hosts", &s, 0));
	ck_assert(S_ISREG(s.mode));
	ck_assert_int_eq(t_read_file(tt, "/etc/hosts", buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "127.0.0.1 localhost\n");
	ck_assert_ok(t_write_file(tt, "/etc/hosts", "::1 sandbox\n", 0644));
	gp_read("hosts", buf, sizeof(buf));
	ck_assert_str_eq(buf, "::1 sandbox\n");
	gp_read("sibling", buf, sizeof(buf));
	ck_assert_str_eq(buf, "not served");
	ck_assert_ok(vfs_umount2(tt, "/etc/hosts", 0));
	ck_assert_int_eq(gofer_proc_stop(gp, msg, sizeof(msg)), 0);
	gp_assert_no_child(pid);
}
END_TEST

START_TEST(gofer_proc_readonly)
{
	struct gofer_proc *gp;
	char root[PATH_MAX], msg[256], buf[64];
	int fd = -1;
	pid_t pid;

	if (!gp_find_vfslab())
		return;
	gp_path(root, sizeof(root), "dir");
	ck_assert_msg(gofer_proc_start(gp_exe, root, true, &gp, &fd, msg, sizeof(msg)) == 0,
		      "gofer_proc_start: %s", msg);
	pid = gofer_proc_pid(gp);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/h", 0755));
	ck_assert_ok(vfs_mount(tt, "host", "/h", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/h/hello", buf, sizeof(buf)), 20);
	ck_assert_err(t_write_file(tt, "/h/new", "x", 0644), EROFS);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/h/hello", O_WRONLY, 0), EROFS);
	ck_assert_ok(vfs_umount2(tt, "/h", 0));
	ck_assert_int_eq(gofer_proc_stop(gp, msg, sizeof(msg)), 0);
	gp_assert_no_child(pid);
}
END_TEST

/* A gofer still serving a mount when stopped gets SIGTERM, stops cleanly: 0. */
START_TEST(gofer_proc_stop_while_mounted)
{
	struct gofer_proc *gp;
	char root[PATH_MAX], msg[256], buf[64];
	int fd = -1;
	pid_t pid;

	if (!gp_find_vfslab())
		return;
	gp_path(root, sizeof(root), "dir");
	ck_assert_msg(gofer_proc_start(gp_exe, root, false, &gp, &fd, msg, sizeof(msg)) == 0,
		      "gofer_proc_start: %s", msg);
	pid = gofer_proc_pid(gp);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/h", 0755));
	ck_assert_ok(vfs_mount(tt, "host", "/h", "9p", 0, fd_opts(fd, NULL)));
	ck_assert_int_eq(t_read_file(tt, "/h/hello", buf, sizeof(buf)), 20);
	ck_assert_int_eq(gofer_proc_stop(gp, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	gp_assert_no_child(pid);
	ck_assert_int_lt(t_read_file(tt, "/h/sub/inner", buf, sizeof(buf)), 0); /* gone */
	ck_assert_ok(vfs_umount2(tt, "/h", 0));
}
END_TEST

/* Failures come back as the errno the gofer names, its line as the message, and no child. */
START_TEST(gofer_proc_errors)
{
	struct gofer_proc *gp = NULL;
	char root[PATH_MAX], msg[512];
	int fd = -1;

	if (!gp_find_vfslab())
		return;
	gp_path(root, sizeof(root), "nope");
	ck_assert_err(gofer_proc_start(gp_exe, root, false, &gp, &fd, msg, sizeof(msg)), ENOENT);
	ck_assert_msg(strstr(msg, "ENOENT") && strstr(msg, root), "message: %s", msg);
	ck_assert_ptr_null(gp);
	ck_assert_int_eq(fd, -1);
	gp_assert_no_child(-1);

	gp_path(root, sizeof(root), "fifo");
	ck_assert_err(gofer_proc_start(gp_exe, root, true, &gp, &fd, msg, sizeof(msg)), EINVAL);
	ck_assert_msg(strstr(msg, "neither a directory nor a regular file"), "message: %s", msg);
	gp_assert_no_child(-1);

	gp_path(root, sizeof(root), "dir");
	ck_assert_err(
		gofer_proc_start("/nonexistent/vfslab", root, false, &gp, &fd, msg, sizeof(msg)),
		ENOENT);
	ck_assert_msg(strstr(msg, "cannot run /nonexistent/vfslab"), "message: %s", msg);
	/* Programs that are no gofer: one says nothing, one fails without a word. */
	ck_assert_err(gofer_proc_start("/bin/true", root, false, &gp, &fd, msg, sizeof(msg)),
		      EPROTO);
	ck_assert_ptr_nonnull(strstr(msg, "exited before serving"));
	ck_assert_err(gofer_proc_start("/bin/false", root, false, &gp, &fd, NULL, 0), EIO);
	ck_assert_err(gofer_proc_start(NULL, root, false, &gp, &fd, msg, sizeof(msg)), EINVAL);
	ck_assert_ptr_null(gp);
	ck_assert_int_eq(fd, -1);
	gp_assert_no_child(-1);
	ck_assert_int_eq(gofer_proc_stop(NULL, msg, sizeof(msg)), 0);
}
END_TEST

/* A fake gofer: a shell script that runs first (its signal traps, before it can be
 * stopped), says it serves, then does what body says. */
static void gp_fake(char *exe, size_t size, const char *name, const char *first, const char *body)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "#!/bin/sh\n%s\necho 'vfslab gofer: serving fake on fd:3' >&2\n%s\n", first, body);
	gp_write(name, text);
	gp_path(exe, size, name);
	ck_assert_int_eq(chmod(exe, 0755), 0);
}

/* How a gofer ended, as gofer_proc_stop tells it: a failure named in its last line, death
 * by a signal we did not send, and one that ignores SIGTERM (killed after the bounded
 * wait). Fake gofers, so that each ending is certain. */
START_TEST(gofer_proc_endings)
{
	struct gofer_proc *gp;
	char exe[PATH_MAX], msg[512];
	int fd = -1;
	pid_t pid;

	gp_fake(exe, sizeof(exe), "fake-fail",
		"trap \"echo 'vfslab gofer: poll: ENOMEM (Cannot allocate memory)' >&2; "
		"exit 1\" TERM",
		"while :; do sleep 0.01; done");
	ck_assert_int_eq(gofer_proc_start(exe, gp_dir, false, &gp, &fd, msg, sizeof(msg)), 0);
	pid = gofer_proc_pid(gp);
	ck_assert_err(gofer_proc_stop(gp, msg, sizeof(msg)), ENOMEM);
	ck_assert_str_eq(msg,
			 "vfslab gofer: poll: ENOMEM (Cannot allocate memory) (exit status 1)");
	gp_assert_no_child(pid);

	gp_fake(exe, sizeof(exe), "fake-crash", "trap 'kill -USR1 $$' TERM",
		"while :; do sleep 0.01; done");
	ck_assert_int_eq(gofer_proc_start(exe, gp_dir, false, &gp, &fd, msg, sizeof(msg)), 0);
	pid = gofer_proc_pid(gp);
	ck_assert_err(gofer_proc_stop(gp, msg, sizeof(msg)), ECONNABORTED);
	ck_assert_msg(strstr(msg, "killed by signal 10 (SIGUSR1)"), "message: %s", msg);
	gp_assert_no_child(pid);

	gp_fake(exe, sizeof(exe), "fake-stubborn", "trap '' TERM", "exec sleep 60");
	ck_assert_int_eq(gofer_proc_start(exe, gp_dir, false, &gp, &fd, msg, sizeof(msg)), 0);
	pid = gofer_proc_pid(gp);
	ck_assert_err(gofer_proc_stop(gp, msg, sizeof(msg)), ETIMEDOUT);
	ck_assert_msg(strstr(msg, "did not stop within 5000 ms of SIGTERM"), "message: %s", msg);
	gp_assert_no_child(pid);
}
END_TEST

Suite *gofer_suite(void)
{
	Suite *s = suite_create("gofer");
	TCase *tc = tcase_create("excl");
	TCase *rv = tcase_create("reval");

	tcase_add_checked_fixture(tc, g_setup, g_teardown);
	tcase_add_checked_fixture(rv, g_setup_reval, g_teardown);
	tcase_add_test(tc, gofer_mount_root_is_served_root);
	tcase_add_test(tc, gofer_create_write_read);
	tcase_add_test(tc, gofer_large_file_uses_msize);
	tcase_add_test(tc, gofer_append_and_truncate);
	tcase_add_test(tc, gofer_mkdir_list_rmdir);
	tcase_add_test(tc, gofer_list_many);
	tcase_add_test(tc, gofer_rename_link_symlink);
	tcase_add_test(tc, gofer_attributes);
	tcase_add_test(tc, gofer_xattrs);
	tcase_add_test(tc, gofer_statfs_fsync);
	tcase_add_test(tc, gofer_exclusive_trusts_cache);
	tcase_add_test(tc, gofer_round_trips_per_stat);
	tcase_add_test(tc, gofer_mount_options_checked);
	tcase_add_test(tc, gofer_client_many_threads);
	tcase_add_test(tc, gofer_transport_fault_sweep);
	tcase_add_test(rv, gofer_create_write_read);
	tcase_add_test(rv, gofer_mkdir_list_rmdir);
	tcase_add_test(rv, gofer_rename_link_symlink);
	tcase_add_test(rv, gofer_attributes);
	tcase_add_test(rv, gofer_revalidating_sees_remote_changes);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, rv);

	/* Exports of the simulated gofer and gofer processes on the real host (bind mounts of
	 * directories and of single files). */
	{
		TCase *sv = tcase_create("serve");
		TCase *pr = tcase_create("proc");

		tcase_add_checked_fixture(sv, g_setup, g_teardown);
		tcase_add_test(sv, gofer_serve_directory);
		tcase_add_test(sv, gofer_serve_file);
		tcase_add_test(sv, gofer_serve_readonly);
		tcase_add_test(sv, gofer_serve_reuses_servers);
		tcase_add_test(sv, gofer_serve_errors);
		tcase_add_test(sv, gofer_serve_quiesce);
		suite_add_tcase(s, sv);
		tcase_add_unchecked_fixture(pr, gp_top_setup, gp_top_teardown);
		tcase_add_checked_fixture(pr, gp_setup, gp_teardown);
		tcase_set_timeout(pr, 30);
		tcase_add_test(pr, gofer_proc_directory);
		tcase_add_test(pr, gofer_proc_file);
		tcase_add_test(pr, gofer_proc_readonly);
		tcase_add_test(pr, gofer_proc_stop_while_mounted);
		tcase_add_test(pr, gofer_proc_errors);
		tcase_add_test(pr, gofer_proc_endings);
		suite_add_tcase(s, pr);
	}
	return s;
}
