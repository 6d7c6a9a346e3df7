/*
 * check_hostfs.c - hostfs (src/host/hostfs/) on a kernel on the real host, over a
 * mkdtemp directory: every operation done through the VFS is checked against the host
 * directory itself with ordinary system calls (and host changes are checked through the
 * VFS), then the confinement attacks: symlinks to "..", "/" and absolute host paths,
 * ".." at the export root, symlinks planted in the host tree pointing outside, and a
 * host thread swapping a path component (and a file) for a symlink while a client works.
 * Every attack must leave the "outside" directory next to the export unread and
 * unchanged.
 *
 * Not the shared fixture: each test makes its own real-host kernel and destroys it, and
 * teardown asserts that no counted object is left.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/objcount.h"
#include "helpers.h"
#include "host/hostfs/hostfs.h"

static struct kernel *hk;
static struct task *ht;	  /* init task, root, export mounted at /h */
static struct task *hct;  /* a task chrooted to /h, as the 9P server runs */
static char tdir[64];	  /* the mkdtemp directory */
static char rootdir[128]; /* tdir/root: the export */
static char outdir[128];  /* tdir/outside: must never be touched */

#define SECRET "SECRET-outside-the-export"

static const char *hp(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", rootdir, rel);
	return buf[i];
}

static void host_write(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

static long host_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void hostfs_setup(void)
{
	struct host *h;
	int err;

	strcpy(tdir, "/tmp/vfslab-hostfs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	snprintf(rootdir, sizeof(rootdir), "%s/root", tdir);
	snprintf(outdir, sizeof(outdir), "%s/outside", tdir);
	ck_assert_int_eq(mkdir(rootdir, 0755), 0);
	ck_assert_int_eq(mkdir(outdir, 0755), 0);
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/secret", outdir);
		host_write(p, SECRET);
	}
	h = host_real_new(HOST_LOG_ERROR);
	ck_assert_ptr_nonnull(h);
	hk = kernel_new(h);
	ck_assert(!IS_ERR(hk));
	ht = kernel_init_task(hk);
	ck_assert_ok(hostfs_register(hk));
	ck_assert_ok(vfs_mkdirat(ht, AT_FDCWD, "/h", 0755));
	err = vfs_mount(ht, rootdir, "/h", "hostfs", 0, NULL);
	ck_assert_msg(err == 0, "mount: %s (%s)", errno_name(err), task_errmsg(ht));
	vfs_umask(ht, 0);
	hct = task_fork(ht);
	ck_assert_ptr_nonnull(hct);
	ck_assert_ok(vfs_chroot(hct, "/h"));
	ck_assert_ok(vfs_chdir(hct, "/"));
}

static void hostfs_teardown(void)
{
	int k;

	task_exit(hct);
	kernel_destroy(hk);
	hk = NULL;
	for (k = 0; k < OBJ_NR_KINDS; k++)
		ck_assert_msg(obj_live(k) == 0, "leaked %lld %s object(s)", (long long)obj_live(k),
			      obj_kind_name(k));
	nftw(tdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The outside directory holds exactly its secret, unchanged. */
static void assert_outside_untouched(void)
{
	char p[256], buf[128];
	DIR *d = opendir(outdir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ck_assert_msg(strcmp(de->d_name, "secret") == 0,
				      "escape: %s/%s was created", outdir, de->d_name);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 3);
	snprintf(p, sizeof(p), "%s/secret", outdir);
	ck_assert_int_eq(host_read(p, buf, sizeof(buf)), (long)strlen(SECRET));
	ck_assert_str_eq(buf, SECRET);
}

/* Read path through t (all of it, up to a buffer): the bytes, or -errno. */
static long vread(struct task *t, const char *path, char *buf, size_t size)
{
	return t_read_file(t, path, buf, size);
}

/* ------------------------------------------------------------------ mounting */

START_TEST(hostfs_mount_options)
{
	char data[256];

	ck_assert_ok(vfs_mkdirat(ht, AT_FDCWD, "/m", 0755));
	ck_assert_err(vfs_mount(ht, rootdir, "/m", "hostfs", 0, "bogus=1"), EINVAL);
	ck_assert_ptr_nonnull(strstr(task_errmsg(ht), "unknown option 'bogus'"));
	ck_assert_err(vfs_mount(ht, "relative/dir", "/m", "hostfs", 0, NULL), EINVAL);
	ck_assert_err(vfs_mount(ht, "/nonexistent-vfslab-dir", "/m", "hostfs", 0, NULL), ENOENT);
	host_write(hp("file"), "x");
	ck_assert_err(vfs_mount(ht, hp("file"), "/m", "hostfs", 0, NULL), ENOTDIR);
	ck_assert_err(vfs_mount(ht, "none", "/m", "hostfs", 0, NULL), EINVAL);
	/* root= names the directory; the source is then only a label. */
	snprintf(data, sizeof(data), "root=%s,ro", rootdir);
	ck_assert_ok(vfs_mount(ht, "none", "/m", "hostfs", 0, data));
	ck_assert_int_eq(vread(ht, "/m/file", data, sizeof(data)), 1);
	ck_assert_err(vfs_openat(ht, AT_FDCWD, "/m/new", O_CREAT | O_WRONLY, 0644), EROFS);
	ck_assert_err(vfs_mkdirat(ht, AT_FDCWD, "/m/d", 0755), EROFS);
	ck_assert_err(vfs_unlinkat(ht, AT_FDCWD, "/m/file", 0), EROFS);
	ck_assert_ok(vfs_umount2(ht, "/m", 0));
	ck_assert_int_eq(access(hp("new"), F_OK), -1);
	/* Mounting needs CAP_SYS_ADMIN: an unprivileged task may not. */
	{
		struct task *u = task_fork(ht);

		ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
		ck_assert_int_lt(vfs_mount(u, rootdir, "/m", "hostfs", 0, NULL), 0);
		task_exit(u);
	}
}
END_TEST

/* ------------------------------------------------------------------ operations */

START_TEST(hostfs_lookup_stat)
{
	struct vfs_stat st, rst;
	struct stat hs;

	host_write(hp("f"), "12345");
	ck_assert_int_eq(chmod(hp("f"), 0640), 0);
	ck_assert_int_eq(stat(hp("f"), &hs), 0);
	ck_assert_ok(vfs_fstatat(ht, AT_FDCWD, "/h/f", &st, 0));
	ck_assert_uint_eq(st.ino, hs.st_ino);
	ck_assert_uint_eq(st.mode, S_IFREG | 0640);
	ck_assert_int_eq(st.size, 5);
	ck_assert_uint_eq(st.nlink, 1);
	ck_assert_int_eq(st.blocks, hs.st_blocks);
	ck_assert_int_eq(st.mtime_ns, hs.st_mtim.tv_sec * 1000000000LL + hs.st_mtim.tv_nsec);
	/* st_dev is the superblock's anonymous device, the same for the whole mount. */
	ck_assert_ok(vfs_fstatat(ht, AT_FDCWD, "/h", &rst, 0));
	ck_assert_uint_eq(st.dev, rst.dev);
	ck_assert_uint_eq(VFS_MAJOR(st.dev), 0);
	ck_assert_int_eq(stat(rootdir, &hs), 0);
	ck_assert_uint_eq(rst.ino, hs.st_ino);
	ck_assert_err(vfs_fstatat(ht, AT_FDCWD, "/h/missing", &st, 0), ENOENT);
	/* The host changed behind our back: a fresh walk sees it (unused names are not
	 * cached). */
	host_write(hp("later"), "abc");
	ck_assert_ok(vfs_fstatat(ht, AT_FDCWD, "/h/later", &st, 0));
	ck_assert_int_eq(st.size, 3);
	ck_assert_int_eq(unlink(hp("later")), 0);
	ck_assert_err(vfs_fstatat(ht, AT_FDCWD, "/h/later", &st, 0), ENOENT);
}
END_TEST

START_TEST(hostfs_create_read_write)
{
	char buf[256];
	struct stat hs;
	int fd;

	fd = vfs_openat(ht, AT_FDCWD, "/h/new", O_CREAT | O_EXCL | O_RDWR, 0640);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(ht, fd, "hello world", 11), 11);
	ck_assert_int_eq(vfs_pwrite(ht, fd, "W", 1, 6), 1);
	ck_assert_int_eq(vfs_pread(ht, fd, buf, 5, 6), 5);
	ck_assert(memcmp(buf, "World", 5) == 0);
	ck_assert_ok(vfs_fsync(ht, fd));
	ck_assert_ok(vfs_close(ht, fd));
	ck_assert_int_eq(stat(hp("new"), &hs), 0);
	ck_assert_uint_eq(hs.st_mode, S_IFREG | 0640); /* exact, whatever the host umask */
	ck_assert_int_eq(host_read(hp("new"), buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "hello World");
	ck_assert_err(vfs_openat(ht, AT_FDCWD, "/h/new", O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST);

	/* O_APPEND and O_TRUNC as the VFS does them, landing on the host. */
	fd = vfs_openat(ht, AT_FDCWD, "/h/new", O_WRONLY | O_APPEND, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(ht, fd, "!", 1), 1);
	ck_assert_ok(vfs_close(ht, fd));
	ck_assert_int_eq(host_read(hp("new"), buf, sizeof(buf)), 12);
	ck_assert_str_eq(buf, "hello World!");
	host_write(hp("hostmade"), "from the host");
	ck_assert_int_eq(vread(ht, "/h/hostmade", buf, sizeof(buf)), 13);
	ck_assert_str_eq(buf, "from the host");
	fd = vfs_openat(ht, AT_FDCWD, "/h/hostmade", O_WRONLY | O_TRUNC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_close(ht, fd));
	ck_assert_int_eq(stat(hp("hostmade"), &hs), 0);
	ck_assert_int_eq(hs.st_size, 0);
	/* SEEK_END and SEEK_HOLE come from the host's size and layout. */
	fd = vfs_openat(ht, AT_FDCWD, "/h/new", O_RDONLY, 0);
	ck_assert_int_eq(vfs_lseek(ht, fd, 0, SEEK_END), 12);
	ck_assert_int_eq(vfs_lseek(ht, fd, 0, SEEK_HOLE), 12);
	ck_assert_err(vfs_write(ht, fd, "x", 1), EBADF);
	ck_assert_ok(vfs_close(ht, fd));
}
END_TEST

START_TEST(hostfs_dirs_and_removal)
{
	struct stat hs;

	ck_assert_ok(vfs_mkdirat(ht, AT_FDCWD, "/h/d", 0750));
	ck_assert_int_eq(stat(hp("d"), &hs), 0);
	ck_assert_uint_eq(hs.st_mode, S_IFDIR | 0750);
	ck_assert_ok(vfs_mkdirat(ht, AT_FDCWD, "/h/d/e", 0700));
	ck_assert_ok(t_write_file(ht, "/h/d/e/f", "x", 0600));
	ck_assert_int_eq(access(hp("d/e/f"), F_OK), 0);
	ck_assert_err(vfs_mkdirat(ht, AT_FDCWD, "/h/d", 0755), EEXIST);
	ck_assert_err(vfs_unlinkat(ht, AT_FDCWD, "/h/d/e", AT_REMOVEDIR), ENOTEMPTY);
	ck_assert_err(vfs_unlinkat(ht, AT_FDCWD, "/h/d/e", 0), EISDIR);
	ck_assert_ok(vfs_unlinkat(ht, AT_FDCWD, "/h/d/e/f", 0));
	ck_assert_int_eq(access(hp("d/e/f"), F_OK), -1);
	ck_assert_ok(vfs_unlinkat(ht, AT_FDCWD, "/h/d/e", AT_REMOVEDIR));
	ck_assert_int_eq(access(hp("d/e"), F_OK), -1);
	/* A directory removed on the host behind an open descriptor. */
	ck_assert_ok(vfs_chdir(ht, "/h/d"));
	ck_assert_int_eq(rmdir(hp("d")), 0);
	ck_assert_int_lt(t_write_file(ht, "x", "x", 0600), 0);
	ck_assert_ok(vfs_chdir(ht, "/"));
	ck_assert_int_eq(access(hp("d"), F_OK), -1);
}
END_TEST

START_TEST(hostfs_symlinks)
{
	char buf[256];
	struct stat hs;
	ssize_t n;

	ck_assert_ok(vfs_symlinkat(ht, "../../etc/passwd", AT_FDCWD, "/h/s"));
	n = readlink(hp("s"), buf, sizeof(buf));
	ck_assert_int_eq(n, 16);
	ck_assert(memcmp(buf, "../../etc/passwd", 16) == 0);
	ck_assert_int_eq(lstat(hp("s"), &hs), 0);
	ck_assert(S_ISLNK(hs.st_mode));
	ck_assert_int_eq(symlink("some/target", hp("hs")), 0);
	n = vfs_readlinkat(ht, AT_FDCWD, "/h/hs", buf, sizeof(buf));
	ck_assert_int_eq(n, 11);
	ck_assert(memcmp(buf, "some/target", 11) == 0);
	/* Truncated like readlink(2). */
	ck_assert_int_eq(vfs_readlinkat(ht, AT_FDCWD, "/h/hs", buf, 4), 4);
	/* A relative link inside the export is followed by the VFS. */
	host_write(hp("real"), "real data");
	ck_assert_int_eq(symlink("real", hp("rel")), 0);
	ck_assert_int_eq(vread(ht, "/h/rel", buf, sizeof(buf)), 9);
	ck_assert_err(vfs_openat(ht, AT_FDCWD, "/h/rel", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
}
END_TEST

START_TEST(hostfs_link_rename)
{
	struct stat a, b;
	char buf[64];

	host_write(hp("f"), "one");
	ck_assert_ok(vfs_linkat(ht, AT_FDCWD, "/h/f", AT_FDCWD, "/h/f2", 0));
	ck_assert_int_eq(stat(hp("f"), &a), 0);
	ck_assert_int_eq(stat(hp("f2"), &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_uint_eq(a.st_nlink, 2);
	ck_assert_err(vfs_linkat(ht, AT_FDCWD, "/h/f", AT_FDCWD, "/h/f2", 0), EEXIST);

	host_write(hp("g"), "two");
	ck_assert_ok(vfs_renameat2(ht, AT_FDCWD, "/h/f2", AT_FDCWD, "/h/moved", 0));
	ck_assert_int_eq(access(hp("f2"), F_OK), -1);
	ck_assert_int_eq(stat(hp("moved"), &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_err(vfs_renameat2(ht, AT_FDCWD, "/h/moved", AT_FDCWD, "/h/g", RENAME_NOREPLACE),
		      EEXIST);
	ck_assert_ok(vfs_renameat2(ht, AT_FDCWD, "/h/moved", AT_FDCWD, "/h/g", RENAME_EXCHANGE));
	ck_assert_int_eq(host_read(hp("g"), buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "one");
	ck_assert_int_eq(host_read(hp("moved"), buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "two");
	/* Replacing rename, and into a subdirectory. */
	ck_assert_ok(vfs_mkdirat(ht, AT_FDCWD, "/h/sub", 0755));
	ck_assert_ok(vfs_renameat2(ht, AT_FDCWD, "/h/g", AT_FDCWD, "/h/moved", 0));
	ck_assert_ok(vfs_renameat2(ht, AT_FDCWD, "/h/moved", AT_FDCWD, "/h/sub/x", 0));
	ck_assert_int_eq(host_read(hp("sub/x"), buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "one");
	ck_assert_int_eq(access(hp("moved"), F_OK), -1);
	ck_assert_int_eq(access(hp("g"), F_OK), -1);
	/* Directory rename keeps its contents reachable. */
	ck_assert_ok(vfs_renameat2(ht, AT_FDCWD, "/h/sub", AT_FDCWD, "/h/sub2", 0));
	ck_assert_int_eq(vread(ht, "/h/sub2/x", buf, sizeof(buf)), 3);
}
END_TEST

START_TEST(hostfs_setattr)
{
	struct timespec ts[2] = { { 1000000, 5 }, { 2000000, 7 } };
	struct stat hs;
	int fd;

	host_write(hp("f"), "0123456789");
	ck_assert_ok(vfs_fchmodat(ht, AT_FDCWD, "/h/f", 0604, 0));
	ck_assert_int_eq(stat(hp("f"), &hs), 0);
	ck_assert_uint_eq(hs.st_mode & 07777, 0604);
	ck_assert_ok(vfs_utimensat(ht, AT_FDCWD, "/h/f", ts, 0));
	ck_assert_int_eq(stat(hp("f"), &hs), 0);
	ck_assert_int_eq(hs.st_atim.tv_sec, 1000000);
	ck_assert_int_eq(hs.st_atim.tv_nsec, 5);
	ck_assert_int_eq(hs.st_mtim.tv_sec, 2000000);
	ck_assert_int_eq(hs.st_mtim.tv_nsec, 7);
	ck_assert_ok(vfs_truncate(ht, "/h/f", 4));
	ck_assert_int_eq(stat(hp("f"), &hs), 0);
	ck_assert_int_eq(hs.st_size, 4);
	fd = vfs_openat(ht, AT_FDCWD, "/h/f", O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_ftruncate(ht, fd, 100));
	ck_assert_ok(vfs_fchmod(ht, fd, 0600));
	ck_assert_ok(vfs_close(ht, fd));
	ck_assert_int_eq(stat(hp("f"), &hs), 0);
	ck_assert_int_eq(hs.st_size, 100);
	ck_assert_uint_eq(hs.st_mode & 07777, 0600);
	ck_assert_err(vfs_truncate(ht, "/h", 0), EISDIR);
	/* Symlink times without following it. */
	ck_assert_int_eq(symlink("f", hp("l")), 0);
	ck_assert_ok(vfs_utimensat(ht, AT_FDCWD, "/h/l", ts, AT_SYMLINK_NOFOLLOW));
	ck_assert_int_eq(lstat(hp("l"), &hs), 0);
	ck_assert_int_eq(hs.st_mtim.tv_sec, 2000000);
	if (geteuid() == 0) {
		ck_assert_ok(vfs_fchownat(ht, AT_FDCWD, "/h/f", 1234, 5678, 0));
		ck_assert_int_eq(stat(hp("f"), &hs), 0);
		ck_assert_uint_eq(hs.st_uid, 1234);
		ck_assert_uint_eq(hs.st_gid, 5678);
		ck_assert_ok(vfs_fchownat(ht, AT_FDCWD, "/h/l", 42, 43, AT_SYMLINK_NOFOLLOW));
		ck_assert_int_eq(lstat(hp("l"), &hs), 0);
		ck_assert_uint_eq(hs.st_uid, 42);
		ck_assert_int_eq(stat(hp("f"), &hs), 0);
		ck_assert_uint_eq(hs.st_uid, 1234); /* the target untouched */
	}
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a directory (no . and ..), sorted and comma-joined, through the VFS. */
static void vfs_list(const char *path, char *out, size_t size)
{
	char *names[256], buf[1024];
	int fd = vfs_openat(ht, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0), n = 0, i;
	ssize_t len;

	ck_assert_int_ge(fd, 0);
	/* A small buffer: several calls, resuming at the host's d_off cookies. */
	while ((len = vfs_getdents(ht, fd, buf, 128)) > 0) {
		ssize_t off = 0;

		while (off < len) {
			unsigned short reclen;
			char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(name, ".") && strcmp(name, "..")) {
				ck_assert_int_lt(n, 256);
				names[n++] = strdup(name);
			}
			off += reclen;
		}
	}
	ck_assert_int_eq(len, 0);
	vfs_close(ht, fd);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strncat(out, ",", size - strlen(out) - 1);
		strncat(out, names[i], size - strlen(out) - 1);
		free(names[i]);
	}
}

static void host_list(const char *path, char *out, size_t size)
{
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort), i;

	ck_assert_int_ge(n, 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			if (out[0])
				strncat(out, ",", size - strlen(out) - 1);
			strncat(out, ents[i]->d_name, size - strlen(out) - 1);
		}
		free(ents[i]);
	}
	free(ents);
}

START_TEST(hostfs_readdir)
{
	char a[4096], b[4096], name[64];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "file-%02d", i);
		host_write(hp(name), "x");
	}
	ck_assert_int_eq(mkdir(hp("adir"), 0755), 0);
	ck_assert_int_eq(symlink("/", hp("alink")), 0);
	ck_assert_ok(t_write_file(ht, "/h/zz-vfs", "y", 0644));
	vfs_list("/h", a, sizeof(a));
	host_list(rootdir, b, sizeof(b));
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "zz-vfs"));
	ck_assert_ptr_nonnull(strstr(a, "alink"));
}
END_TEST

START_TEST(hostfs_xattrs)
{
	char buf[256];
	ssize_t n;

	host_write(hp("f"), "x");
	n = vfs_setxattrat(ht, AT_FDCWD, "/h/f", "user.vfs", "value", 5, 0, 0);
	if (n == -EOPNOTSUPP)
		return; /* the host filesystem has no user xattrs */
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(getxattr(hp("f"), "user.vfs", buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "value", 5) == 0);
	ck_assert_int_eq(setxattr(hp("f"), "user.host", "hv", 2, 0), 0);
	n = vfs_getxattrat(ht, AT_FDCWD, "/h/f", "user.host", buf, sizeof(buf), 0);
	ck_assert_int_eq(n, 2);
	n = vfs_listxattrat(ht, AT_FDCWD, "/h/f", buf, sizeof(buf), 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(listxattr(hp("f"), NULL, 0), n);
	ck_assert_ok(vfs_removexattrat(ht, AT_FDCWD, "/h/f", "user.vfs", 0));
	ck_assert_int_eq(getxattr(hp("f"), "user.vfs", buf, sizeof(buf)), -1);
	ck_assert_err(vfs_getxattrat(ht, AT_FDCWD, "/h/f", "user.vfs", buf, sizeof(buf), 0),
		      ENODATA);
	/* Through a symlink's own descriptor: the link, never its target. */
	ck_assert_int_eq(symlink("f", hp("l")), 0);
	ck_assert_err(vfs_getxattrat(ht, AT_FDCWD, "/h/l", "user.host", buf, sizeof(buf),
				     AT_SYMLINK_NOFOLLOW),
		      ENODATA);
	ck_assert_int_eq(vfs_getxattrat(ht, AT_FDCWD, "/h/l", "user.host", buf, sizeof(buf), 0), 2);
}
END_TEST

START_TEST(hostfs_statfs_mknod)
{
	struct vfs_statfs vs;
	struct statfs hs;
	struct stat st;

	ck_assert_ok(vfs_statfs(ht, "/h", &vs));
	ck_assert_int_eq(statfs(rootdir, &hs), 0);
	ck_assert_int_eq(vs.type, hs.f_type);
	ck_assert_uint_eq(vs.blocks, hs.f_blocks);
	ck_assert_uint_eq(vs.files, hs.f_files);
	ck_assert_ok(vfs_mknodat(ht, AT_FDCWD, "/h/fifo", S_IFIFO | 0620, 0));
	ck_assert_int_eq(lstat(hp("fifo"), &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0620);
	/* No device nodes on the host from inside (EPERM, as gVisor's gofer); one made
	 * on the host shows with its numbers. */
	ck_assert_err(vfs_mknodat(ht, AT_FDCWD, "/h/null", S_IFCHR | 0666, VFS_MKDEV(1, 3)), EPERM);
	ck_assert_err(vfs_mknodat(ht, AT_FDCWD, "/h/blk", S_IFBLK | 0600, VFS_MKDEV(7, 0)), EPERM);
	ck_assert_int_eq(lstat(hp("null"), &st), -1);
	if (geteuid() == 0) {
		struct vfs_stat vst;

		ck_assert_int_eq(mknod(hp("hnull"), S_IFCHR | 0666, makedev(1, 3)), 0);
		ck_assert_int_eq(lstat(hp("hnull"), &st), 0);
		ck_assert_ok(vfs_fstatat(ht, AT_FDCWD, "/h/hnull", &vst, 0));
		ck_assert_uint_eq(vst.mode, st.st_mode);
		ck_assert(S_ISCHR(vst.mode));
		ck_assert_uint_eq(vst.rdev, VFS_MKDEV(1, 3));
	}
}
END_TEST

/* ------------------------------------------------------------------ confinement */

START_TEST(hostfs_escape_symlinks)
{
	char buf[256], p[256];
	struct vfs_stat st;
	int fd;

	/* Planted in the host tree by someone with access to it. */
	ck_assert_int_eq(symlink("..", hp("up")), 0);
	ck_assert_int_eq(symlink("../..", hp("upup")), 0);
	ck_assert_int_eq(symlink("/", hp("abs")), 0);
	ck_assert_int_eq(symlink("../outside", hp("out")), 0);
	ck_assert_int_eq(symlink(outdir, hp("absout")), 0);
	ck_assert_int_eq(symlink("../outside/secret", hp("sec")), 0);
	snprintf(p, sizeof(p), "%s/secret", outdir);
	ck_assert_int_eq(symlink(p, hp("abssec")), 0);
	ck_assert_int_eq(symlink("/etc/passwd", hp("passwd")), 0);
	ck_assert_int_eq(symlink("/proc/self/root/etc/passwd", hp("magic")), 0);
	host_write(hp("inside"), "inside");

	/* Reads through them, as the 9P server's chrooted task would walk. */
	ck_assert_err(vread(hct, "sec", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "abssec", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "passwd", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "magic", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "out/secret", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "absout/secret", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "up/outside/secret", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "upup/outside/secret", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "abs/outside/secret", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "../outside/secret", buf, sizeof(buf)), ENOENT);
	ck_assert_err(vread(hct, "/../../outside/secret", buf, sizeof(buf)), ENOENT);
	/* ".." at the export root is the root: these find the export's own file. */
	ck_assert_int_eq(vread(hct, "up/inside", buf, sizeof(buf)), 6);
	ck_assert_int_eq(vread(hct, "upup/up/abs/../inside", buf, sizeof(buf)), 6);
	ck_assert_int_eq(vread(hct, "../../inside", buf, sizeof(buf)), 6);
	ck_assert_ok(vfs_fstatat(hct, AT_FDCWD, "..", &st, 0));
	{
		struct vfs_stat rs;

		ck_assert_ok(vfs_fstatat(hct, AT_FDCWD, "/", &rs, 0));
		ck_assert_uint_eq(st.ino, rs.ino);
	}
	/* Without a chroot, /h/.. is the kernel's own root (a tmpfs), never the host's. */
	ck_assert_err(vfs_fstatat(ht, AT_FDCWD, "/h/../outside", &st, 0), ENOENT);
	ck_assert_err(vfs_fstatat(ht, AT_FDCWD, "/h/up/outside", &st, 0), ENOENT);

	/* Creation through them lands inside or fails. */
	ck_assert_err(vfs_openat(hct, AT_FDCWD, "out/created", O_CREAT | O_WRONLY, 0644), ENOENT);
	ck_assert_err(vfs_openat(hct, AT_FDCWD, "absout/created", O_CREAT | O_WRONLY, 0644),
		      ENOENT);
	ck_assert_err(vfs_mkdirat(hct, AT_FDCWD, "out/dir", 0755), ENOENT);
	ck_assert_err(vfs_symlinkat(hct, "x", AT_FDCWD, "absout/ln"), ENOENT);
	ck_assert_err(vfs_renameat2(hct, AT_FDCWD, "inside", AT_FDCWD, "out/moved", 0), ENOENT);
	ck_assert_err(vfs_linkat(hct, AT_FDCWD, "inside", AT_FDCWD, "up/../out/l", 0), ENOENT);
	fd = vfs_openat(hct, AT_FDCWD, "up/created", O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	vfs_close(hct, fd);
	ck_assert_int_eq(access(hp("created"), F_OK), 0);
	/* A dangling link to an outside path: O_CREAT through it resolves in the VFS. */
	snprintf(p, sizeof(p), "%s/made-through-link", outdir);
	ck_assert_int_eq(symlink(p, hp("dangling")), 0);
	fd = vfs_openat(hct, AT_FDCWD, "dangling", O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		vfs_close(hct, fd);
	/* Writing, chmod, truncate, xattrs through the links touch nothing outside. */
	ck_assert_int_lt(t_write_file(hct, "sec", "pwned", 0644), 0);
	ck_assert_int_lt(vfs_fchmodat(hct, AT_FDCWD, "abssec", 0777, 0), 0);
	ck_assert_int_lt(vfs_truncate(hct, "sec", 0), 0);
	ck_assert_int_lt(vfs_setxattrat(hct, AT_FDCWD, "abssec", "user.x", "1", 1, 0, 0), 0);
	/* The links themselves read as data, never resolved on the host. */
	ck_assert_int_eq(vfs_readlinkat(hct, AT_FDCWD, "abs", buf, sizeof(buf)), 1);
	ck_assert_int_eq(vfs_fstatat(hct, AT_FDCWD, "up", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISLNK(st.mode));
	assert_outside_untouched();
}
END_TEST

/* The host side of the race: swap "d" between a real directory and a symlink pointing
 * outside (relative and absolute in turn), and "d/f" between a file and a link to the
 * secret, as fast as it can until told to stop. */
struct swapper {
	atomic_int stop;
	atomic_long swaps;
};

static void *swap_main(void *arg)
{
	struct swapper *sw = arg;
	char real[256], tmp[256], link_abs[256], secret[256], f[256], ftmp[256];
	unsigned i = 0;

	snprintf(real, sizeof(real), "%s/d", rootdir);
	snprintf(tmp, sizeof(tmp), "%s/d.real", rootdir);
	snprintf(link_abs, sizeof(link_abs), "%s", outdir);
	snprintf(secret, sizeof(secret), "%s/secret", outdir);
	snprintf(f, sizeof(f), "%s/d/f", rootdir);
	snprintf(ftmp, sizeof(ftmp), "%s/d/f.real", rootdir);
	while (!atomic_load(&sw->stop)) {
		/* d becomes a link outside, then the real directory again. */
		if (rename(real, tmp) == 0) {
			if (symlink(i & 1 ? link_abs : "../outside", real) == 0) {
				sched_yield();
				unlink(real);
			}
			rename(tmp, real);
		}
		/* d/f becomes a link to the secret, then the file again. */
		if (rename(f, ftmp) == 0) {
			if (symlink(i & 1 ? secret : "../../outside/secret", f) == 0) {
				sched_yield();
				unlink(f);
			}
			rename(ftmp, f);
		}
		atomic_fetch_add(&sw->swaps, 1);
		i++;
	}
	return NULL;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

START_TEST(hostfs_escape_race)
{
	struct swapper sw;
	pthread_t th;
	char buf[256], name[64];
	long ok_reads = 0, tries = 0;
	int64_t end;
	int fd, n = 0;

	atomic_init(&sw.stop, 0);
	atomic_init(&sw.swaps, 0);
	ck_assert_int_eq(mkdir(hp("d"), 0755), 0);
	host_write(hp("d/f"), "inside");
	ck_assert_int_eq(pthread_create(&th, NULL, swap_main, &sw), 0);
	end = now_ns() + 500000000LL;
	while (now_ns() < end) {
		struct task *who = (n & 1) ? hct : ht;
		const char *pre = (n & 1) ? "" : "/h/";
		char path[128];
		long r;

		snprintf(path, sizeof(path), "%sd/f", pre);
		r = vread(who, path, buf, sizeof(buf));
		if (r >= 0) {
			ck_assert_msg(strcmp(buf, "inside") == 0, "escape: read '%s'", buf);
			ok_reads++;
		}
		snprintf(path, sizeof(path), "%sd/secret", pre);
		r = vread(who, path, buf, sizeof(buf));
		ck_assert_msg(r < 0, "escape: read d/secret: '%s'", buf);
		snprintf(name, sizeof(name), "%sd/new-%d", pre, n);
		fd = vfs_openat(who, AT_FDCWD, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd >= 0) {
			vfs_write(who, fd, "n", 1);
			vfs_close(who, fd);
		}
		snprintf(name, sizeof(name), "%sd/dir-%d", pre, n);
		vfs_mkdirat(who, AT_FDCWD, name, 0755);
		snprintf(path, sizeof(path), "%sd/f", pre);
		vfs_fchmodat(who, AT_FDCWD, path, 0644, 0);
		vfs_truncate(who, path, 6);
		tries += 5;
		n++;
	}
	atomic_store(&sw.stop, 1);
	pthread_join(th, NULL);
	ck_assert_int_gt(atomic_load(&sw.swaps), 10);
	ck_assert_int_gt(tries, 50);
	(void)ok_reads;
	assert_outside_untouched();
	/* The file inside still holds its own bytes. */
	ck_assert_int_eq(host_read(hp("d/f"), buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "inside");
}
END_TEST

Suite *hostfs_suite(void)
{
	Suite *s = suite_create("hostfs");
	TCase *tc = tcase_create("hostfs");

	tcase_add_checked_fixture(tc, hostfs_setup, hostfs_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, hostfs_mount_options);
	tcase_add_test(tc, hostfs_lookup_stat);
	tcase_add_test(tc, hostfs_create_read_write);
	tcase_add_test(tc, hostfs_dirs_and_removal);
	tcase_add_test(tc, hostfs_symlinks);
	tcase_add_test(tc, hostfs_link_rename);
	tcase_add_test(tc, hostfs_setattr);
	tcase_add_test(tc, hostfs_readdir);
	tcase_add_test(tc, hostfs_xattrs);
	tcase_add_test(tc, hostfs_statfs_mknod);
	tcase_add_test(tc, hostfs_escape_symlinks);
	tcase_add_test(tc, hostfs_escape_race);
	suite_add_tcase(s, tc);
	return s;
}
