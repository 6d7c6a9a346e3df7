/*
 * check_tmpfs.c - tmpfs (src/fs/tmpfs) through the public API: sparse regular files,
 * truncate, SEEK_DATA/SEEK_HOLE, the size and inode limits, mount options and their
 * errors, statfs, remount, show_options, links and renames with their link counts,
 * symlinks, special files, xattrs, and allocation failures. Expected values are Linux's
 * (mm/shmem.c); the fixture's root is itself a tmpfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fault.h"
#include "fs/tmpfs/internal.h"
#include "fs/tmpfs/tmpfs.h"
#include "helpers.h"
#include "vfs/internal.h"

#define PAGE 4096

/* ------------------------------------------------------------------ helpers */

static int mount_tmpfs(const char *opts)
{
	int err = vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755);

	if (err && err != -EEXIST)
		return err;
	return vfs_mount(tt, "tmpfs", "/mnt", "tmpfs", 0, opts);
}

static int open_rw(const char *path)
{
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDWR | O_CREAT, 0644);

	ck_assert_msg(fd >= 0, "open %s: %s", path, errno_name(-fd));
	return fd;
}

static struct vfs_stat stat_of(const char *path)
{
	struct vfs_stat st;

	ck_assert_int_eq(vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st;
}

static struct vfs_statfs statfs_of(const char *path)
{
	struct vfs_statfs st;

	ck_assert_int_eq(vfs_statfs(tt, path, &st), 0);
	return st;
}

/* The super options of the mount at mount_point ("rw,size=64k"), copied into buf. */
static void super_opts_of(const char *mount_point, char *buf, size_t size)
{
	struct vfs_mount_info *list;
	size_t n, i;
	bool found = false;

	ck_assert_int_eq(vfs_mount_list(tt, &list, &n), 0);
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].mount_point, mount_point) == 0) {
			snprintf(buf, size, "%s", list[i].super_opts);
			found = true;
		}
	}
	vfs_mount_list_free(list, n);
	ck_assert_msg(found, "no mount at %s", mount_point);
}

static bool all_bytes(const char *buf, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != c)
			return false;
	return true;
}

/* ------------------------------------------------------------------ regular files */

START_TEST(tmpfs_sparse_hole_reads_zero)
{
	char buf[PAGE + 8];
	struct vfs_stat st;
	int fd = open_rw("/f");

	ck_assert_int_eq(vfs_pwrite(tt, fd, "abc", 3, 100000), 3);
	st = stat_of("/f");
	ck_assert_int_eq(st.size, 100003);
	ck_assert_int_eq(st.blocks, 8); /* one page, in 512-byte units */
	ck_assert_int_eq(st.blksize, PAGE);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(vfs_pread(tt, fd, buf, PAGE, 0), PAGE);
	ck_assert(all_bytes(buf, PAGE, 0));
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 5, 99998), 5);
	ck_assert_mem_eq(buf, "\0\0abc", 5);
	/* At and past EOF: nothing; a read crossing EOF stops there. */
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 10, 100003), 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 10, 1 << 30), 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 10, 100001), 2);
	ck_assert_mem_eq(buf, "bc", 2);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(tmpfs_write_across_pages_roundtrip)
{
	size_t len = 3 * PAGE + 123, i;
	char *in = malloc(len), *out = malloc(len + 1000);
	int fd = open_rw("/f");

	for (i = 0; i < len; i++)
		in[i] = (char)(i * 7 + 3);
	/* Starting mid-page: four partial or whole pages. */
	ck_assert_int_eq(vfs_pwrite(tt, fd, in, len, 1000), (long)len);
	ck_assert_int_eq(stat_of("/f").size, (long)len + 1000);
	ck_assert_int_eq(stat_of("/f").blocks, 4 * 8);
	ck_assert_int_eq(vfs_pread(tt, fd, out, len + 1000, 0), (long)len + 1000);
	ck_assert(all_bytes(out, 1000, 0));
	ck_assert_mem_eq(out + 1000, in, len);
	/* Overwriting allocates nothing new. */
	ck_assert_int_eq(vfs_pwrite(tt, fd, "zz", 2, 5000), 2);
	ck_assert_int_eq(stat_of("/f").blocks, 4 * 8);
	vfs_close(tt, fd);
	free(in);
	free(out);
}
END_TEST

START_TEST(tmpfs_write_far_offset_sparse)
{
	const off_t far = (off_t)1 << 40;
	char buf[4];
	int fd = open_rw("/f");

	ck_assert_int_eq(vfs_pwrite(tt, fd, "edge", 4, far - 2), 4);
	ck_assert_int_eq(stat_of("/f").size, far + 2);
	ck_assert_int_eq(stat_of("/f").blocks, 2 * 8); /* the two pages around far */
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 4, far - 2), 4);
	ck_assert_mem_eq(buf, "edge", 4);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 4, far / 2), 4);
	ck_assert(all_bytes(buf, 4, 0));
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_DATA), far - PAGE);
	ck_assert_int_eq(vfs_ftruncate(tt, fd, PAGE), 0);
	ck_assert_int_eq(stat_of("/f").blocks, 0);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(tmpfs_truncate_shrink_extend)
{
	char buf[10000];
	int fd = open_rw("/f");

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(vfs_pwrite(tt, fd, buf, 10000, 0), 10000);
	ck_assert_int_eq(stat_of("/f").blocks, 3 * 8);
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 5000), 0);
	ck_assert_int_eq(stat_of("/f").size, 5000);
	ck_assert_int_eq(stat_of("/f").blocks, 2 * 8);
	/* Extending makes a hole: the old tail must not reappear. */
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 10000), 0);
	ck_assert_int_eq(stat_of("/f").size, 10000);
	ck_assert_int_eq(stat_of("/f").blocks, 2 * 8);
	memset(buf, '?', sizeof(buf));
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 10000, 0), 10000);
	ck_assert(all_bytes(buf, 5000, 'x'));
	ck_assert(all_bytes(buf + 5000, 5000, 0));
	/* Writing past a shrunk size leaves zeros between. */
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 100), 0);
	ck_assert_int_eq(vfs_pwrite(tt, fd, "y", 1, 200), 1);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 300, 0), 201);
	ck_assert(all_bytes(buf, 100, 'x'));
	ck_assert(all_bytes(buf + 100, 100, 0));
	ck_assert_int_eq(buf[200], 'y');
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 0), 0);
	ck_assert_int_eq(stat_of("/f").blocks, 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 10, 0), 0);
	vfs_close(tt, fd);
	ck_assert_int_eq(vfs_truncate(tt, "/f", 3 * PAGE), 0);
	ck_assert_int_eq(stat_of("/f").size, 3 * PAGE);
	ck_assert_int_eq(stat_of("/f").blocks, 0);
}
END_TEST

START_TEST(tmpfs_seek_data_hole)
{
	int fd = open_rw("/f");

	/* Pages: 0 data, 1-2 hole, 3 data, 4 hole (size 5 pages). */
	ck_assert_int_eq(vfs_pwrite(tt, fd, "a", 1, 10), 1);
	ck_assert_int_eq(vfs_pwrite(tt, fd, "b", 1, 3 * PAGE + 5), 1);
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 5 * PAGE), 0);
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_DATA), 0);
	ck_assert_int_eq(vfs_lseek(tt, fd, 100, SEEK_DATA), 100);
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_HOLE), PAGE);
	ck_assert_int_eq(vfs_lseek(tt, fd, PAGE, SEEK_DATA), 3 * PAGE);
	ck_assert_int_eq(vfs_lseek(tt, fd, 2 * PAGE + 7, SEEK_HOLE), 2 * PAGE + 7);
	ck_assert_int_eq(vfs_lseek(tt, fd, 3 * PAGE, SEEK_HOLE), 4 * PAGE);
	ck_assert_err(vfs_lseek(tt, fd, 4 * PAGE, SEEK_DATA), ENXIO);
	ck_assert_int_eq(vfs_lseek(tt, fd, 4 * PAGE + 1, SEEK_HOLE), 4 * PAGE + 1);
	/* At or past EOF, and before 0: ENXIO, as Linux. */
	ck_assert_err(vfs_lseek(tt, fd, 5 * PAGE, SEEK_HOLE), ENXIO);
	ck_assert_err(vfs_lseek(tt, fd, 5 * PAGE, SEEK_DATA), ENXIO);
	ck_assert_err(vfs_lseek(tt, fd, -1, SEEK_DATA), ENXIO);
	/* A file all data: the only hole is the end of file. */
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 11), 0);
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_HOLE), 11);
	ck_assert_int_eq(vfs_lseek(tt, fd, 3, SEEK_DATA), 3);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(tmpfs_o_trunc_frees_pages)
{
	char buf[2 * PAGE];
	int fd;

	memset(buf, 'q', sizeof(buf));
	fd = open_rw("/f");
	ck_assert_int_eq(vfs_write(tt, fd, buf, sizeof(buf)), (long)sizeof(buf));
	vfs_close(tt, fd);
	fd = vfs_openat(tt, AT_FDCWD, "/f", O_WRONLY | O_TRUNC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(stat_of("/f").size, 0);
	ck_assert_int_eq(stat_of("/f").blocks, 0);
	vfs_close(tt, fd);
}
END_TEST

/* ------------------------------------------------------------------ limits, statfs, options */

START_TEST(tmpfs_size_limit_enospc)
{
	char *buf = calloc(1, 80 * 1024);
	struct vfs_statfs sf;
	int fd;

	ck_assert_int_eq(mount_tmpfs("size=64k"), 0);
	sf = statfs_of("/mnt");
	ck_assert_int_eq(sf.blocks, 16);
	ck_assert_int_eq(sf.bfree, 16);
	fd = open_rw("/mnt/big");
	/* Partial write up to the limit, then ENOSPC. */
	ck_assert_int_eq(vfs_write(tt, fd, buf, 80 * 1024), 64 * 1024);
	ck_assert_err(vfs_write(tt, fd, buf, 1), ENOSPC);
	ck_assert_int_eq(stat_of("/mnt/big").size, 64 * 1024);
	sf = statfs_of("/mnt");
	ck_assert_int_eq(sf.bfree, 0);
	ck_assert_int_eq(sf.bavail, 0);
	/* Rewriting allocated pages needs nothing; a hole past the end costs nothing. */
	ck_assert_int_eq(vfs_pwrite(tt, fd, buf, 100, 0), 100);
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 1 << 20), 0);
	ck_assert_err(vfs_pwrite(tt, fd, "x", 1, 1 << 19), ENOSPC);
	/* A long symlink takes a page as well. */
	ck_assert_err(vfs_symlinkat(tt,
				    "/a-target-longer-than-the-inline-limit-of-tmpfs-which-is-"
				    "one-hundred-and-twenty-eight-bytes-including-the-nul-so-"
				    "this-is-long-enough",
				    AT_FDCWD, "/mnt/ln"),
		      ENOSPC);
	vfs_close(tt, fd);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/mnt/big", 0), 0);
	ck_assert_int_eq(statfs_of("/mnt").bfree, 16);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
	free(buf);
}
END_TEST

START_TEST(tmpfs_nr_inodes_enospc)
{
	struct vfs_statfs sf;

	/* The root is one inode; a hard link is charged as one (Linux's shmem_link). */
	ck_assert_int_eq(mount_tmpfs("nr_inodes=3"), 0);
	sf = statfs_of("/mnt");
	ck_assert_int_eq(sf.files, 3);
	ck_assert_int_eq(sf.ffree, 2);
	ck_assert_int_eq(t_write_file(tt, "/mnt/a", "", 0644), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0755), 0);
	ck_assert_int_eq(statfs_of("/mnt").ffree, 0);
	ck_assert_err(vfs_mknodat(tt, AT_FDCWD, "/mnt/b", S_IFIFO | 0644, 0), ENOSPC);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/mnt/b", O_CREAT | O_WRONLY, 0644), ENOSPC);
	ck_assert_err(vfs_linkat(tt, AT_FDCWD, "/mnt/a", AT_FDCWD, "/mnt/a2", 0), ENOSPC);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/mnt/d", AT_REMOVEDIR), 0);
	ck_assert_int_eq(vfs_linkat(tt, AT_FDCWD, "/mnt/a", AT_FDCWD, "/mnt/a2", 0), 0);
	ck_assert_int_eq(statfs_of("/mnt").ffree, 0);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/mnt/a", 0), 0);
	ck_assert_int_eq(statfs_of("/mnt").ffree, 1);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
}
END_TEST

START_TEST(tmpfs_unknown_option_einval)
{
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755), 0);
	ck_assert_err(vfs_mount(tt, "tmpfs", "/mnt", "tmpfs", 0, "size=1m,bogus=1"), EINVAL);
	ck_assert_msg(strstr(task_errmsg(tt), "tmpfs: unknown option 'bogus'") != NULL,
		      "errmsg: %s", task_errmsg(tt));
	ck_assert_err(vfs_mount(tt, "tmpfs", "/mnt", "tmpfs", 0, "huge"), EINVAL);
}
END_TEST

START_TEST(tmpfs_bad_option_values_einval)
{
	static const char *const bad[] = {
		"size=",	  "size",	 "size=12q",
		"size=-1",	  "size=10%x",	 "size=99999999999999999999",
		"nr_blocks=10%",  "nr_inodes=x", "mode=9",
		"mode=",	  "mode=0x1ff",	 "uid=-1",
		"uid=4294967295", "gid=abc",	 "uid=4294967296",
	};
	size_t i;

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(vfs_mount(tt, "tmpfs", "/mnt", "tmpfs", 0, bad[i]) == -EINVAL, "%s",
			      bad[i]);
		ck_assert_msg(strstr(task_errmsg(tt), "tmpfs: bad value") != NULL, "%s: %s", bad[i],
			      task_errmsg(tt));
	}
}
END_TEST

START_TEST(tmpfs_mount_options_root_and_show)
{
	char opts[256];
	struct vfs_stat st;

	ck_assert_int_eq(mount_tmpfs("size=64k,mode=0700,uid=1000,gid=0x7d0,nr_inodes=1k"), 0);
	st = stat_of("/mnt");
	ck_assert_uint_eq(st.mode, S_IFDIR | 0700);
	ck_assert_uint_eq(st.uid, 1000);
	ck_assert_uint_eq(st.gid, 2000);
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_int_eq(st.size, 40);
	super_opts_of("/mnt", opts, sizeof(opts));
	ck_assert_str_eq(opts, "rw,size=64k,nr_inodes=1024,mode=700,uid=1000,gid=2000");
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);

	/* Defaults (half of the simulated 1 GiB, 01777, the mounter's ids) print nothing. */
	ck_assert_int_eq(mount_tmpfs(NULL), 0);
	st = stat_of("/mnt");
	ck_assert_uint_eq(st.mode, S_IFDIR | 01777);
	ck_assert_uint_eq(st.uid, 0);
	super_opts_of("/mnt", opts, sizeof(opts));
	ck_assert_str_eq(opts, "rw");
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);

	ck_assert_int_eq(mount_tmpfs("size=0,nr_inodes=0"), 0);
	super_opts_of("/mnt", opts, sizeof(opts));
	ck_assert_str_eq(opts, "rw,size=0k,nr_inodes=0");
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
}
END_TEST

START_TEST(tmpfs_size_suffixes)
{
	static const struct {
		const char *opts;
		uint64_t blocks;
	} cases[] = {
		{ "size=1m", 256 },	{ "size=1M", 256 },   { "size=1g", 262144 },
		{ "size=4097", 2 },    /* rounded up to pages */
		{ "size=10%", 26215 }, /* 10% of 1 GiB, rounded up */
		{ "size=50%", 131072 }, { "size=0x2000", 2 }, { "nr_blocks=2k", 2048 },
		{ "nr_blocks=7", 7 },	{ NULL, 131072 }, /* default: half of the simulated RAM */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vfs_statfs sf;

		ck_assert_int_eq(mount_tmpfs(cases[i].opts), 0);
		sf = statfs_of("/mnt");
		ck_assert_msg(sf.blocks == cases[i].blocks, "%s: %llu blocks", cases[i].opts,
			      (unsigned long long)sf.blocks);
		ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
	}
}
END_TEST

START_TEST(tmpfs_statfs_counts)
{
	struct vfs_statfs sf;
	char page[PAGE] = { 1 };

	ck_assert_int_eq(mount_tmpfs("size=1m,nr_inodes=100"), 0);
	sf = statfs_of("/mnt");
	ck_assert_int_eq(sf.type, TMPFS_MAGIC);
	ck_assert_int_eq(sf.bsize, PAGE);
	ck_assert_int_eq(sf.frsize, PAGE);
	ck_assert_int_eq(sf.namelen, 255);
	ck_assert_uint_eq(sf.blocks, 256);
	ck_assert_uint_eq(sf.bfree, 256);
	ck_assert_uint_eq(sf.files, 100);
	ck_assert_uint_eq(sf.ffree, 99);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0755), 0);
	{
		int fd = open_rw("/mnt/d/f");

		ck_assert_int_eq(vfs_pwrite(tt, fd, page, PAGE, 3 * PAGE), PAGE);
		vfs_close(tt, fd);
	}
	sf = statfs_of("/mnt/d");
	ck_assert_uint_eq(sf.bfree, 255);
	ck_assert_uint_eq(sf.ffree, 97);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);

	/* Unlimited: the counts are 0, as Linux reports. */
	ck_assert_int_eq(mount_tmpfs("size=0,nr_inodes=0"), 0);
	sf = statfs_of("/mnt");
	ck_assert_uint_eq(sf.blocks, 0);
	ck_assert_uint_eq(sf.files, 0);
	ck_assert_int_eq(sf.type, TMPFS_MAGIC);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
}
END_TEST

START_TEST(tmpfs_remount_limits)
{
	char *buf = calloc(1, 32 * 1024);
	char opts[256];

	ck_assert_int_eq(mount_tmpfs("size=64k"), 0);
	ck_assert_int_eq(t_write_file(tt, "/mnt/f", "", 0644), 0);
	{
		int fd = open_rw("/mnt/f");

		ck_assert_int_eq(vfs_write(tt, fd, buf, 32 * 1024), 32 * 1024);
		vfs_close(tt, fd);
	}
	ck_assert_err(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "size=16k"), EINVAL);
	ck_assert_msg(strstr(task_errmsg(tt), "Too small a size") != NULL, "%s", task_errmsg(tt));
	ck_assert_err(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "nosuchopt"), EINVAL);
	ck_assert_int_eq(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "size=32k"), 0);
	ck_assert_uint_eq(statfs_of("/mnt").bfree, 0);
	ck_assert_int_eq(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "size=128k,mode=700"), 0);
	ck_assert_uint_eq(statfs_of("/mnt").blocks, 32);
	/* mode, uid and gid are not changed by a remount (shmem_reconfigure). */
	ck_assert_uint_eq(stat_of("/mnt").mode, S_IFDIR | 01777);
	super_opts_of("/mnt", opts, sizeof(opts));
	ck_assert_str_eq(opts, "rw,size=128k");
	ck_assert_err(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "nr_inodes=1"), EINVAL);
	/* Unlimited, then no way back. */
	ck_assert_int_eq(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "size=0"), 0);
	ck_assert_uint_eq(statfs_of("/mnt").blocks, 0);
	ck_assert_err(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT, "size=1m"), EINVAL);
	ck_assert_msg(strstr(task_errmsg(tt), "Cannot retroactively limit size") != NULL, "%s",
		      task_errmsg(tt));
	/* Read-only remount keeps the data; writes are refused by the VFS. */
	ck_assert_int_eq(vfs_mount(tt, NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	ck_assert_int_eq(stat_of("/mnt/f").size, 32 * 1024);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
	free(buf);
}
END_TEST

START_TEST(tmpfs_file_root_internal_opts)
{
	struct tmpfs_internal_opts io = { .root_type = S_IFREG };
	struct mount *m;
	struct inode *root;

	m = vfs_kern_mount(tk->vfs, tt->cred, "tmpfs", "upper", 0, "mode=0640", &io, NULL);
	ck_assert(!IS_ERR(m));
	root = m->mnt_root->d_inode;
	ck_assert_uint_eq(root->i_mode, S_IFREG | 0640);
	ck_assert_uint_eq(root->i_nlink, 1);
	mnt_put(m);

	io.root_type = S_IFLNK;
	m = vfs_kern_mount(tk->vfs, tt->cred, "tmpfs", "upper", 0, NULL, &io, NULL);
	ck_assert(IS_ERR(m) && PTR_ERR(m) == -EINVAL);
}
END_TEST

/* ------------------------------------------------------------------ namespace */

START_TEST(tmpfs_hard_link_counts)
{
	struct vfs_stat a, b;

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755), 0);
	ck_assert_uint_eq(stat_of("/d").nlink, 2);
	ck_assert_int_eq(stat_of("/d").size, 40);
	ck_assert_int_eq(t_write_file(tt, "/d/f", "data", 0644), 0);
	ck_assert_int_eq(vfs_linkat(tt, AT_FDCWD, "/d/f", AT_FDCWD, "/d/g", 0), 0);
	a = stat_of("/d/f");
	b = stat_of("/d/g");
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_uint_eq(a.ino, b.ino);
	ck_assert_int_eq(stat_of("/d").size, 80);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/d/f", 0), 0);
	ck_assert_uint_eq(stat_of("/d/g").nlink, 1);
	ck_assert_int_eq(stat_of("/d").size, 60);
	ck_assert_err(vfs_linkat(tt, AT_FDCWD, "/d", AT_FDCWD, "/d2", 0), EPERM);
	/* Subdirectories count in their parent's links. */
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d/s", 0755), 0);
	ck_assert_uint_eq(stat_of("/d").nlink, 3);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/d", AT_REMOVEDIR), ENOTEMPTY);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/d/s", AT_REMOVEDIR), 0);
	ck_assert_uint_eq(stat_of("/d").nlink, 2);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/d/g", 0), 0);
	ck_assert_int_eq(stat_of("/d").size, 40);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/d", AT_REMOVEDIR), 0);
}
END_TEST

START_TEST(tmpfs_unlinked_open_file_lives)
{
	struct vfs_stat st;
	char buf[8];
	int fd = open_rw("/f");

	ck_assert_int_eq(vfs_write(tt, fd, "alive", 5), 5);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/f", 0), 0);
	ck_assert_int_eq(vfs_fstat(tt, fd, &st), 0);
	ck_assert_uint_eq(st.nlink, 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, sizeof(buf), 0), 5);
	ck_assert_mem_eq(buf, "alive", 5);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(tmpfs_rename_replace_and_dirs)
{
	struct vfs_stat st;
	char buf[16];
	int fd;

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/b", 0755), 0);
	ck_assert_int_eq(t_write_file(tt, "/a/f", "new", 0644), 0);
	ck_assert_int_eq(t_write_file(tt, "/b/g", "old", 0644), 0);
	fd = vfs_openat(tt, AT_FDCWD, "/b/g", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_renameat2(tt, AT_FDCWD, "/a/f", AT_FDCWD, "/b/g", 0), 0);
	/* The replaced inode lost its only name. */
	ck_assert_int_eq(vfs_fstat(tt, fd, &st), 0);
	ck_assert_uint_eq(st.nlink, 0);
	vfs_close(tt, fd);
	ck_assert_int_eq(t_read_file(tt, "/b/g", buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "new");
	ck_assert_int_eq(stat_of("/a").size, 40);
	ck_assert_int_eq(stat_of("/b").size, 60);

	/* A directory moving between parents moves its ".." link. */
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/a/sub", 0755), 0);
	ck_assert_uint_eq(stat_of("/a").nlink, 3);
	ck_assert_int_eq(vfs_renameat2(tt, AT_FDCWD, "/a/sub", AT_FDCWD, "/b/sub", 0), 0);
	ck_assert_uint_eq(stat_of("/a").nlink, 2);
	ck_assert_uint_eq(stat_of("/b").nlink, 3);

	/* Replacing an empty directory: the target goes, the parent counts stay right. */
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/a/victim", 0755), 0);
	fd = vfs_openat(tt, AT_FDCWD, "/a/victim", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_renameat2(tt, AT_FDCWD, "/b/sub", AT_FDCWD, "/a/victim", 0), 0);
	ck_assert_int_eq(vfs_fstat(tt, fd, &st), 0);
	ck_assert_uint_eq(st.nlink, 0);
	vfs_close(tt, fd);
	ck_assert_uint_eq(stat_of("/a").nlink, 3);
	ck_assert_uint_eq(stat_of("/b").nlink, 2);
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/b/g", AT_FDCWD, "/a/victim", RENAME_NOREPLACE),
		      EEXIST);
	/* RENAME_WHITEOUT leaves a whiteout (char 0:0) at the old name, as Linux's tmpfs. */
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/b/g", AT_FDCWD, "/a/x", RENAME_WHITEOUT));
	ck_assert_uint_eq(stat_of("/b/g").mode, S_IFCHR);
	ck_assert_uint_eq(stat_of("/b/g").rdev, 0);
	ck_assert(S_ISREG(stat_of("/a/x").mode));
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/a/x", AT_FDCWD, "/b/g",
				    RENAME_WHITEOUT | RENAME_EXCHANGE),
		      EINVAL);
}
END_TEST

START_TEST(tmpfs_rename_exchange)
{
	char buf[16];

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/a", 0755), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/b", 0755), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/b/d", 0755), 0);
	ck_assert_int_eq(t_write_file(tt, "/a/f", "file", 0644), 0);
	ck_assert_int_eq(t_write_file(tt, "/b/d/in", "x", 0644), 0);
	ck_assert_uint_eq(stat_of("/a").nlink, 2);
	ck_assert_uint_eq(stat_of("/b").nlink, 3);
	ck_assert_int_eq(vfs_renameat2(tt, AT_FDCWD, "/a/f", AT_FDCWD, "/b/d", RENAME_EXCHANGE), 0);
	ck_assert_uint_eq(stat_of("/a").nlink, 3);
	ck_assert_uint_eq(stat_of("/b").nlink, 2);
	ck_assert(S_ISDIR(stat_of("/a/f").mode));
	ck_assert(S_ISREG(stat_of("/b/d").mode));
	ck_assert_int_eq(t_read_file(tt, "/b/d", buf, sizeof(buf)), 4);
	ck_assert_int_eq(t_read_file(tt, "/a/f/in", buf, sizeof(buf)), 1);
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/a/f", AT_FDCWD, "/b/none", RENAME_EXCHANGE),
		      ENOENT);
	/* Both names in one directory. */
	ck_assert_int_eq(t_write_file(tt, "/b/e", "e", 0644), 0);
	ck_assert_int_eq(vfs_renameat2(tt, AT_FDCWD, "/b/d", AT_FDCWD, "/b/e", RENAME_EXCHANGE), 0);
	ck_assert_int_eq(t_read_file(tt, "/b/d", buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "e");
	ck_assert_uint_eq(stat_of("/b").nlink, 2);
}
END_TEST

START_TEST(tmpfs_times_on_namespace_ops)
{
	struct vfs_stat d0, d1, f0, f1;

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755), 0);
	ck_assert_int_eq(t_write_file(tt, "/d/f", "x", 0644), 0);
	d0 = stat_of("/d");
	f0 = stat_of("/d/f");
	ck_assert_int_eq(vfs_linkat(tt, AT_FDCWD, "/d/f", AT_FDCWD, "/d/g", 0), 0);
	d1 = stat_of("/d");
	f1 = stat_of("/d/f");
	ck_assert_int_gt(d1.mtime_ns, d0.mtime_ns);
	ck_assert_int_gt(f1.ctime_ns, f0.ctime_ns);
	ck_assert_int_eq(f1.mtime_ns, f0.mtime_ns);
	ck_assert_int_eq(vfs_renameat2(tt, AT_FDCWD, "/d/g", AT_FDCWD, "/d/h", 0), 0);
	ck_assert_int_gt(stat_of("/d/f").ctime_ns, f1.ctime_ns);
	ck_assert_int_gt(stat_of("/d").ctime_ns, d1.ctime_ns);
}
END_TEST

START_TEST(tmpfs_symlink_readlink)
{
	char target[300], buf[300];
	struct vfs_stat st;

	ck_assert_int_eq(vfs_symlinkat(tt, "short/target", AT_FDCWD, "/s"), 0);
	st = stat_of("/s");
	ck_assert(S_ISLNK(st.mode));
	ck_assert_uint_eq(st.mode & 07777, 0777);
	ck_assert_int_eq(st.size, 12);
	ck_assert_int_eq(st.blocks, 0);
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/s", buf, sizeof(buf)), 12);
	ck_assert_mem_eq(buf, "short/target", 12);
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/s", buf, 5), 5);
	ck_assert_mem_eq(buf, "short", 5);

	/* From 128 bytes (127 + NUL would not fit inline) Linux uses a page. */
	memset(target, 'a', sizeof(target));
	target[127] = '\0';
	ck_assert_int_eq(vfs_symlinkat(tt, target, AT_FDCWD, "/s127"), 0);
	ck_assert_int_eq(stat_of("/s127").blocks, 0);
	target[127] = 'a';
	target[128] = '\0';
	ck_assert_int_eq(vfs_symlinkat(tt, target, AT_FDCWD, "/s128"), 0);
	ck_assert_int_eq(stat_of("/s128").blocks, 8);
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/s128", buf, sizeof(buf)), 128);
	ck_assert_mem_eq(buf, target, 128);
}
END_TEST

START_TEST(tmpfs_special_files)
{
	struct vfs_stat st;

	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/fifo", S_IFIFO | 0644, 0), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/chr", S_IFCHR | 0600, VFS_MKDEV(1, 3)), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/blk", S_IFBLK | 0600, VFS_MKDEV(8, 1)), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/sock", S_IFSOCK | 0600, 0), 0);
	ck_assert_int_eq(vfs_mknodat(tt, AT_FDCWD, "/reg", S_IFREG | 0600, 0), 0);
	st = stat_of("/fifo");
	ck_assert_uint_eq(st.mode, S_IFIFO | 0644);
	ck_assert_uint_eq(st.rdev, 0);
	st = stat_of("/chr");
	ck_assert_uint_eq(st.mode, S_IFCHR | 0600);
	ck_assert_uint_eq(st.rdev, VFS_MKDEV(1, 3));
	ck_assert_uint_eq(stat_of("/blk").rdev, VFS_MKDEV(8, 1));
	ck_assert(S_ISSOCK(stat_of("/sock").mode));
	ck_assert(S_ISREG(stat_of("/reg").mode));
	ck_assert_int_eq(stat_of("/").size, 40 + 5 * 20);
	/* 1:3 is /dev/null's driver; a number without a driver opens to ENXIO. */
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/nodrv", S_IFCHR | 0600, VFS_MKDEV(240, 7)));
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/nodrv", O_RDONLY, 0), ENXIO);
	{
		int fd = vfs_openat(tt, AT_FDCWD, "/chr", O_RDWR, 0);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(vfs_write(tt, fd, "x", 1), 1);
		ck_assert_int_eq(vfs_read(tt, fd, &fd, 1), 0);
		vfs_close(tt, fd);
	}
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/sock", O_RDONLY, 0), ENXIO);
}
END_TEST

START_TEST(tmpfs_readdir_lists_entries)
{
	char buf[4096];
	int fd;
	long n;
	int names = 0;
	long off;

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755), 0);
	ck_assert_int_eq(t_write_file(tt, "/d/one", "", 0644), 0);
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d/two", 0755), 0);
	ck_assert_int_eq(vfs_symlinkat(tt, "x", AT_FDCWD, "/d/three"), 0);
	fd = vfs_openat(tt, AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(vfs_read(tt, fd, buf, sizeof(buf)), EISDIR);
	n = vfs_getdents(tt, fd, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	for (off = 0; off < n;) {
		unsigned short reclen;

		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		names++;
		off += reclen;
	}
	ck_assert_int_eq(names, 5);
	vfs_close(tt, fd);
}
END_TEST

/* ------------------------------------------------------------------ xattrs */

START_TEST(tmpfs_xattr_create_replace)
{
	char buf[64];
	struct vfs_stat st0;

	ck_assert_int_eq(t_write_file(tt, "/f", "", 0644), 0);
	st0 = stat_of("/f");
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.a", buf, sizeof(buf), 0), ENODATA);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "v1", 2, XATTR_REPLACE, 0),
		      ENODATA);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "v1", 2, XATTR_CREATE, 0), 0);
	ck_assert_int_gt(stat_of("/f").ctime_ns, st0.ctime_ns);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "v2", 2, XATTR_CREATE, 0),
		      EEXIST);
	ck_assert_int_eq(
		vfs_setxattrat(tt, AT_FDCWD, "/f", "user.a", "value2", 6, XATTR_REPLACE, 0), 0);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.a", NULL, 0, 0), 6);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.a", buf, 3, 0), ERANGE);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.a", buf, sizeof(buf), 0), 6);
	ck_assert_mem_eq(buf, "value2", 6);
	/* An empty value is a value. */
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.empty", "", 0, 0, 0), 0);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.empty", buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "trusted.t", "t", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "security.s", "s", 1, 0, 0), 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "bogus.x", "s", 1, 0, 0), EOPNOTSUPP);
}
END_TEST

START_TEST(tmpfs_xattr_list_and_remove)
{
	static const char want[] = "security.s\0trusted.t\0user.a\0user.b";
	char buf[128];

	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/d", 0755), 0);
	ck_assert_int_eq(vfs_listxattrat(tt, AT_FDCWD, "/d", buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/d", "user.b", "1", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/d", "user.a", "2", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/d", "trusted.t", "3", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/d", "security.s", "4", 1, 0, 0), 0);
	ck_assert_int_eq(vfs_listxattrat(tt, AT_FDCWD, "/d", NULL, 0, 0), (long)sizeof(want));
	ck_assert_err(vfs_listxattrat(tt, AT_FDCWD, "/d", buf, 10, 0), ERANGE);
	ck_assert_int_eq(vfs_listxattrat(tt, AT_FDCWD, "/d", buf, sizeof(buf), 0),
			 (long)sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(vfs_removexattrat(tt, AT_FDCWD, "/d", "user.a", 0), 0);
	ck_assert_err(vfs_removexattrat(tt, AT_FDCWD, "/d", "user.a", 0), ENODATA);
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/d", "user.a", buf, sizeof(buf), 0), ENODATA);
	ck_assert_int_eq(vfs_listxattrat(tt, AT_FDCWD, "/d", NULL, 0, 0), (long)sizeof(want) - 7);
}
END_TEST

START_TEST(tmpfs_xattr_value_limits)
{
	char *big = calloc(1, 65537);

	ck_assert_int_eq(t_write_file(tt, "/f", "", 0644), 0);
	ck_assert_int_eq(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.big", big, 65536, 0, 0), 0);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/f", "user.big", big, 65536, 0), 65536);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/f", "user.big", big, 65537, 0, 0), E2BIG);
	free(big);
}
END_TEST

/* ------------------------------------------------------------------ allocation failures */

/* Sweep an injected allocation failure over a three-page write to a fresh file: each
 * run either fails with ENOMEM leaving the file empty, or writes a prefix that reads
 * back intact with a size to match. */
START_TEST(tmpfs_write_enomem_consistent)
{
	size_t len = 3 * PAGE, i;
	char *in = malloc(len), *out = malloc(len);
	uint64_t n;

	for (i = 0; i < len; i++)
		in[i] = (char)(i % 251 + 1);
	for (n = 1; n < 200; n++) {
		int fd = vfs_openat(tt, AT_FDCWD, "/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
		long r;
		bool fired;

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(vfs_pwrite(tt, fd, "", 0, 0), 0);
		fault_arm(n, 1u << FAULT_ALLOC);
		r = vfs_pwrite(tt, fd, in, len, 100);
		fired = fault_fired();
		fault_disarm();
		if (r < 0) {
			ck_assert_err(r, ENOMEM);
			ck_assert_int_eq(stat_of("/f").size, 0);
		} else {
			ck_assert_int_eq(stat_of("/f").size, 100 + r);
			ck_assert_int_eq(vfs_pread(tt, fd, out, (size_t)r, 100), r);
			ck_assert_mem_eq(out, in, (size_t)r);
		}
		vfs_close(tt, fd);
		if (!fired) {
			ck_assert_int_eq(r, (long)len);
			break;
		}
	}
	ck_assert_int_lt(n, 200);
	free(in);
	free(out);
}
END_TEST

/* The same over mount, mkdir, symlink, link and setxattr: ENOMEM and nothing leaked
 * (the fixture's teardown counts the objects). */
START_TEST(tmpfs_namespace_enomem_no_leak)
{
	char target[200];
	uint64_t n;

	memset(target, 't', sizeof(target));
	target[sizeof(target) - 1] = '\0';
	ck_assert_int_eq(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755), 0);
	for (n = 1; n < 500; n++) {
		int r = 0;
		bool fired;

		fault_arm(n, 1u << FAULT_ALLOC);
		r = vfs_mount(tt, "tmpfs", "/mnt", "tmpfs", 0, "size=1m");
		if (!r)
			r = vfs_mkdirat(tt, AT_FDCWD, "/mnt/d", 0755);
		if (!r)
			r = vfs_symlinkat(tt, target, AT_FDCWD, "/mnt/d/l");
		if (!r)
			r = t_write_file(tt, "/mnt/d/f", "hello", 0644);
		if (!r)
			r = vfs_linkat(tt, AT_FDCWD, "/mnt/d/f", AT_FDCWD, "/mnt/g", 0);
		if (!r)
			r = vfs_setxattrat(tt, AT_FDCWD, "/mnt/g", "user.x", "v", 1, 0, 0);
		fired = fault_fired();
		fault_disarm();
		ck_assert_msg(r == 0 || r == -ENOMEM, "n=%llu: %s", (unsigned long long)n,
			      errno_name(-r));
		vfs_umount2(tt, "/mnt", MNT_DETACH);
		if (!fired) {
			ck_assert_int_eq(r, 0);
			break;
		}
	}
	ck_assert_int_lt(n, 500);
}
END_TEST

/* ------------------------------------------------------------------ the page pool */

/* The superblock of the filesystem holding path. */
static struct super_block *sb_of(const char *path)
{
	struct super_block *sb;
	struct path p;

	task_enter(tt);
	ck_assert_int_eq(path_lookupat(tt, AT_FDCWD, path, LOOKUP_FOLLOW, &p), 0);
	sb = p.dentry->d_sb;
	path_put(&p);
	task_leave(tt);
	return sb;
}

static void fill_pattern(char *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)((i * 131 + seed) % 251 + 1);
}

/* Every data page is counted while live and given back with its file; many small files
 * share one region; a file past a region's 511 pages takes a second; an emptied region
 * is released, so the pool's regions follow its pages down to none. */
START_TEST(tmpfs_pool_pages_counted_and_released)
{
	size_t big = 3u << 20;
	char *buf = malloc(big), name[32];
	struct super_block *sb;
	int i, fd;

	fill_pattern(buf, big, 7);
	ck_assert_int_eq(mount_tmpfs("size=16m"), 0);
	sb = sb_of("/mnt");
	ck_assert_uint_eq(tmpfs_pages_live(sb), 0);
	/* Empty files take no page. */
	ck_assert_int_eq(t_write_file(tt, "/mnt/empty", "", 0644), 0);
	ck_assert_uint_eq(tmpfs_pages_live(sb), 0);
	ck_assert_uint_eq(TMPFS_SB(sb)->pool.nr_regions, 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "/mnt/s%d", i);
		ck_assert_int_eq(t_write_file(tt, name, "x", 0644), 0);
	}
	ck_assert_uint_eq(tmpfs_pages_live(sb), 100);
	ck_assert_uint_eq(TMPFS_SB(sb)->pool.nr_regions, 1);
	fd = open_rw("/mnt/big");
	ck_assert_int_eq(vfs_pwrite(tt, fd, buf, big, 0), (long)big);
	ck_assert_uint_eq(tmpfs_pages_live(sb), 100 + big / PAGE);
	ck_assert_uint_eq(TMPFS_SB(sb)->pool.nr_regions, 2);
	ck_assert_uint_eq(stat_of("/mnt/big").blocks, (big / PAGE) * (PAGE / 512));
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "/mnt/s%d", i);
		ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, name, 0), 0);
	}
	ck_assert_uint_eq(tmpfs_pages_live(sb), big / PAGE);
	ck_assert_int_eq(vfs_ftruncate(tt, fd, PAGE + 1), 0);
	ck_assert_uint_eq(tmpfs_pages_live(sb), 2);
	ck_assert_uint_eq(TMPFS_SB(sb)->pool.nr_regions, 1);
	vfs_close(tt, fd);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/mnt/big", 0), 0);
	ck_assert_uint_eq(tmpfs_pages_live(sb), 0);
	ck_assert_uint_eq(TMPFS_SB(sb)->pool.nr_regions, 0);
	ck_assert_uint_eq(tmpfs_pages_fini(TMPFS_SB(sb)), 0);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
	free(buf);
}
END_TEST

/* Unmounting a tmpfs that still holds files gives every page back: all its regions are
 * unmapped (the one spare region aside, released by trim). */
START_TEST(tmpfs_pool_umount_releases_regions)
{
	size_t len = 5u << 20;
	char *buf = malloc(len);
	long base;
	int fd;

	fill_pattern(buf, len, 3);
	tmpfs_pages_trim();
	base = tmpfs_regions_mapped();
	ck_assert_int_eq(mount_tmpfs(NULL), 0);
	fd = open_rw("/mnt/f");
	ck_assert_int_eq(vfs_pwrite(tt, fd, buf, len, 12345), (long)len);
	vfs_close(tt, fd);
	ck_assert_int_eq(t_write_file(tt, "/mnt/g", "tiny", 0644), 0);
	ck_assert_int_ge(tmpfs_regions_mapped(), base + 3);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
	ck_assert_int_le(tmpfs_regions_mapped(), base + 1);
	tmpfs_pages_trim();
	ck_assert_int_eq(tmpfs_regions_mapped(), base);
	free(buf);
}
END_TEST

/* A page recycled from the free list holds another file's bytes: holes, the parts of a
 * page a write leaves alone and the space a truncate-then-extend exposes read as zeros. */
START_TEST(tmpfs_pool_recycled_pages_read_zero)
{
	size_t len = 8 * PAGE;
	char *junk = malloc(len), *out = malloc(len);
	int fd;

	memset(junk, 0xa5, len);
	ck_assert_int_eq(t_write_file(tt, "/keep", "k", 0644), 0); /* the region stays */
	fd = open_rw("/junk");
	ck_assert_int_eq(vfs_pwrite(tt, fd, junk, len, 0), (long)len);
	vfs_close(tt, fd);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/junk", 0), 0);

	fd = open_rw("/f");
	/* Mid-page in page 0, across the boundary of pages 2 and 3, a hole at 1. */
	ck_assert_int_eq(vfs_pwrite(tt, fd, "abc", 3, 100), 3);
	ck_assert_int_eq(vfs_pwrite(tt, fd, "defgh", 5, 3 * PAGE - 2), 5);
	ck_assert_int_eq(vfs_pread(tt, fd, out, 3 * PAGE + 3, 0), 3 * PAGE + 3);
	ck_assert(all_bytes(out, 100, 0));
	ck_assert_mem_eq(out + 100, "abc", 3);
	ck_assert(all_bytes(out + 103, 3 * PAGE - 2 - 103, 0));
	ck_assert_mem_eq(out + 3 * PAGE - 2, "defgh", 5);
	/* Shrink into page 3, then extend: the cut tail reads as zeros. */
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 3 * PAGE + 1), 0);
	ck_assert_int_eq(vfs_ftruncate(tt, fd, 4 * PAGE), 0);
	ck_assert_int_eq(vfs_pread(tt, fd, out, PAGE, 3 * PAGE), PAGE);
	ck_assert_mem_eq(out, "f", 1);
	ck_assert(all_bytes(out + 1, PAGE - 1, 0));
	/* A page written whole after a partial write to a recycled page of its own. */
	ck_assert_int_eq(vfs_pwrite(tt, fd, "z", 1, 6 * PAGE + PAGE - 1), 1);
	ck_assert_int_eq(vfs_pread(tt, fd, out, PAGE, 6 * PAGE), PAGE);
	ck_assert(all_bytes(out, PAGE - 1, 0));
	ck_assert_int_eq(out[PAGE - 1], 'z');
	vfs_close(tt, fd);
	free(junk);
	free(out);
}
END_TEST

/* Reads copy runs of pages adjacent in memory at once: a read across two files' pages
 * interleaved in the pool, holes and partial pages returns exactly what was written. */
START_TEST(tmpfs_pool_read_runs_and_holes)
{
	size_t len = 12 * PAGE, i;
	char *a = malloc(len), *b = malloc(len), *want = calloc(1, len), *out = malloc(len);
	int fa = open_rw("/a"), fb = open_rw("/b");

	fill_pattern(a, len, 1);
	fill_pattern(b, len, 2);
	/* Pages 0-3 of /a in one go (adjacent), then 5-10 alternating with /b's pages. */
	ck_assert_int_eq(vfs_pwrite(tt, fa, a, 4 * PAGE, 0), 4 * PAGE);
	memcpy(want, a, 4 * PAGE);
	for (i = 5; i < 11; i++) {
		ck_assert_int_eq(vfs_pwrite(tt, fa, a + i * PAGE, PAGE, (off_t)(i * PAGE)), PAGE);
		ck_assert_int_eq(vfs_pwrite(tt, fb, b, PAGE, (off_t)(i * PAGE)), PAGE);
		memcpy(want + i * PAGE, a + i * PAGE, PAGE);
	}
	ck_assert_int_eq(vfs_pwrite(tt, fa, a + 11 * PAGE, 10, 11 * PAGE), 10);
	memcpy(want + 11 * PAGE, a + 11 * PAGE, 10);
	for (i = 0; i < 5; i++) {
		size_t off = i * 1237, n = len - off - i * 3001;
		size_t got = MIN(n, 11 * PAGE + 10 - off);

		memset(out, 'x', len);
		ck_assert_int_eq(vfs_pread(tt, fa, out, n, (off_t)off), (long)got);
		ck_assert_mem_eq(out, want + off, got);
	}
	vfs_close(tt, fa);
	vfs_close(tt, fb);
	free(a);
	free(b);
	free(want);
	free(out);
}
END_TEST

/* An injected failure at each page allocation of a write into a tmpfs: the pool's live
 * count always equals the pages the files hold, and is zero once they are gone. */
START_TEST(tmpfs_pool_enomem_counts_stay_exact)
{
	size_t len = 6 * PAGE;
	char *in = malloc(len);
	struct super_block *sb;
	uint64_t n;

	fill_pattern(in, len, 5);
	ck_assert_int_eq(mount_tmpfs(NULL), 0);
	sb = sb_of("/mnt");
	for (n = 1; n < 100; n++) {
		int fd = vfs_openat(tt, AT_FDCWD, "/mnt/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
		bool fired;
		long r;

		ck_assert_int_ge(fd, 0);
		fault_arm(n, 1u << FAULT_ALLOC);
		r = vfs_pwrite(tt, fd, in, len, PAGE / 2);
		fired = fault_fired();
		fault_disarm();
		ck_assert_uint_eq(tmpfs_pages_live(sb) * (PAGE / 512),
				  (uint64_t)stat_of("/mnt/f").blocks);
		ck_assert(r > 0 || r == -ENOMEM);
		vfs_close(tt, fd);
		if (!fired)
			break;
	}
	ck_assert_uint_lt(n, 100);
	ck_assert_int_eq(vfs_unlinkat(tt, AT_FDCWD, "/mnt/f", 0), 0);
	ck_assert_uint_eq(tmpfs_pages_live(sb), 0);
	ck_assert_int_eq(vfs_umount2(tt, "/mnt", 0), 0);
	free(in);
}
END_TEST

Suite *tmpfs_suite(void)
{
	Suite *s = suite_create("tmpfs");
	TCase *tc;

	tc = t_case(s, "files");
	tcase_add_test(tc, tmpfs_sparse_hole_reads_zero);
	tcase_add_test(tc, tmpfs_write_across_pages_roundtrip);
	tcase_add_test(tc, tmpfs_write_far_offset_sparse);
	tcase_add_test(tc, tmpfs_truncate_shrink_extend);
	tcase_add_test(tc, tmpfs_seek_data_hole);
	tcase_add_test(tc, tmpfs_o_trunc_frees_pages);

	tc = t_case(s, "super");
	tcase_add_test(tc, tmpfs_size_limit_enospc);
	tcase_add_test(tc, tmpfs_nr_inodes_enospc);
	tcase_add_test(tc, tmpfs_unknown_option_einval);
	tcase_add_test(tc, tmpfs_bad_option_values_einval);
	tcase_add_test(tc, tmpfs_mount_options_root_and_show);
	tcase_add_test(tc, tmpfs_size_suffixes);
	tcase_add_test(tc, tmpfs_statfs_counts);
	tcase_add_test(tc, tmpfs_remount_limits);
	tcase_add_test(tc, tmpfs_file_root_internal_opts);

	tc = t_case(s, "namespace");
	tcase_add_test(tc, tmpfs_hard_link_counts);
	tcase_add_test(tc, tmpfs_unlinked_open_file_lives);
	tcase_add_test(tc, tmpfs_rename_replace_and_dirs);
	tcase_add_test(tc, tmpfs_rename_exchange);
	tcase_add_test(tc, tmpfs_times_on_namespace_ops);
	tcase_add_test(tc, tmpfs_symlink_readlink);
	tcase_add_test(tc, tmpfs_special_files);
	tcase_add_test(tc, tmpfs_readdir_lists_entries);

	tc = t_case(s, "xattr");
	tcase_add_test(tc, tmpfs_xattr_create_replace);
	tcase_add_test(tc, tmpfs_xattr_list_and_remove);
	tcase_add_test(tc, tmpfs_xattr_value_limits);

	tc = t_case(s, "faults");
	tcase_add_test(tc, tmpfs_write_enomem_consistent);
	tcase_add_test(tc, tmpfs_namespace_enomem_no_leak);

	tc = t_case(s, "pages");
	tcase_add_test(tc, tmpfs_pool_pages_counted_and_released);
	tcase_add_test(tc, tmpfs_pool_umount_releases_regions);
	tcase_add_test(tc, tmpfs_pool_recycled_pages_read_zero);
	tcase_add_test(tc, tmpfs_pool_read_runs_and_holes);
	tcase_add_test(tc, tmpfs_pool_enomem_counts_stay_exact);
	return s;
}
