/*
 * check_gofer.c - the "9p" filesystem (src/fs/gofer) and the 9P client (src/p9/client)
 * against the simulated gofer (sim/gofer_sim.c): the fixture kernel mounts the served
 * kernel's root at /mnt with trans=fd, every operation goes through our VFS, and the
 * result is checked in the served tree through the gofer's own task. Also: both cache
 * modes, option errors, round trips per stat, requests in flight from several threads,
 * and a transport fault sweep.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "helpers.h"
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

/* Several msize-sized messages each way, with some in flight at once. */
START_TEST(gofer_large_file_uses_msize)
{
	size_t len = 3 * (1u << 20) + 12345, i;
	uint8_t *a = malloc(len), *b = malloc(len);
	struct vfs_stat s;
	int fd;

	for (i = 0; i < len; i++)
		a[i] = (uint8_t)(i * 7 + (i >> 12));
	fd = vfs_openat(tt, AT_FDCWD, "/mnt/big", O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_pwrite(tt, fd, a, len, 0), (long)len);
	memset(b, 0, len);
	ck_assert_int_eq(vfs_pread(tt, fd, b, len + 100, 0), (long)len);
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
	ck_assert_uint_eq(p9_client_msize(c), 1u << 20);
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
	return s;
}
