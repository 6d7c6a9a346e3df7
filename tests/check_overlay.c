/*
 * check_overlay.c - the overlay filesystem: mounting and its errors, lookup through the
 * layers, copy-up on every trigger, atomic copy-up under fault injection, whiteouts,
 * opaque directories, merged readdir, renames (Linux's and gVisor's for directories, and
 * their fault sweeps), hard links sharing an inode, the in-process form without a work
 * directory, st_dev/st_ino stability (across copy-up, and across remounts through the
 * persisted origin), the copy-up's data paths (page to page between tmpfs layers, through
 * a buffer from a 9P lower) and layer_copy_file_range. The same
 * semantics are checked against the kernel by tests/oracle/difftest_overlay.sh.
 *
 * Layout of every test (lay_out()): /lo (tmpfs, the lower layer), /lo2 (a second lower),
 * /up (tmpfs) holding u (upperdir) and w (workdir), the overlay on /t.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/fault.h"
#include "fs/overlay/overlay.h"
#include "helpers.h"
#include "vfs/internal.h"
#include "vfs/layer.h"
#include "vfslab/gofer_sim.h"

#define OPTS "lowerdir=/lo,upperdir=/up/u,workdir=/up/w"

static void lay_out(void)
{
	const char *dirs[] = { "/lo", "/lo2", "/up", "/t" };
	size_t i;

	for (i = 0; i < 4; i++) {
		ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, dirs[i], 0755));
		if (i < 3)
			ck_assert_ok(vfs_mount(tt, "tmpfs", dirs[i], "tmpfs", 0, "mode=0755"));
	}
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/w", 0755));
}

static int mount_ovl(const char *opts)
{
	return vfs_mount(tt, "overlay", "/t", "overlay", 0, opts);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path, sorted, comma-joined ("-" when empty) into out. */
static void list_dir(const char *path, char *out, size_t size)
{
	char buf[8192], *names[256];
	size_t n = 0, i, used = 0;
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	ssize_t len;

	ck_assert_msg(fd >= 0, "open %s: %d", path, fd);
	while ((len = vfs_getdents(tt, fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < len) {
			unsigned short reclen;
			char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(name, ".") && strcmp(name, "..") && n < 256)
				names[n++] = strdup(name);
			off += reclen;
		}
	}
	ck_assert_int_eq(len, 0);
	vfs_close(tt, fd);
	qsort(names, n, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "", names[i]);
		free(names[i]);
	}
	if (!n)
		snprintf(out, size, "-");
}

static void assert_dir(const char *path, const char *want)
{
	char got[4096];

	list_dir(path, got, sizeof(got));
	ck_assert_msg(!strcmp(got, want), "%s: got '%s', want '%s'", path, got, want);
}

static void assert_file(const char *path, const char *want)
{
	char buf[256];

	ck_assert_int_eq(t_read_file(tt, path, buf, sizeof(buf)), (long)strlen(want));
	ck_assert_str_eq(buf, want);
}

static uint32_t stat_mode(const char *path)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW));
	return st.mode;
}

/* ---------------------------------------------------------------------------------- */
/* Mounting */

START_TEST(overlay_mount_errors_einval)
{
	lay_out();
	ck_assert_err(mount_ovl("upperdir=/up/u,workdir=/up/w"), EINVAL);
	ck_assert_err(mount_ovl("lowerdir=/lo,upperdir=/up/u"), EINVAL);
	ck_assert_err(mount_ovl("lowerdir=/lo"), EINVAL); /* one lower, no upper */
	ck_assert_err(mount_ovl("lowerdir=/lo,upperdir=/up/u,workdir=/lo2"), EINVAL);
	ck_assert_err(mount_ovl("lowerdir=/lo,upperdir=/up/u,workdir=/up/u"), EINVAL);
	ck_assert_err(mount_ovl("lowerdir=/lo,upperdir=/up/u,workdir=/up/w,bogus"), EINVAL);
	ck_assert_err(mount_ovl("lowerdir=/nope,upperdir=/up/u,workdir=/up/w"), ENOENT);
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_int_eq(stat_mode("/up/w/work"), S_IFDIR);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

START_TEST(overlay_mountinfo_statfs_dev)
{
	struct vfs_statfs sf;
	struct vfs_stat st, up;
	char *mi;
	size_t len;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "x", 0644));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_nonnull(strstr(mi, " - overlay overlay rw,lowerdir=/lo,upperdir=/up/u,"
					 "workdir=/up/w\n"));
	free(mi);
	ck_assert_ok(vfs_statfs(tt, "/t", &sf));
	ck_assert_int_eq(sf.type, 0x794c7630);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/f", &st, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/up", &up, 0));
	ck_assert_uint_ne(st.dev, up.dev);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t", &up, 0));
	ck_assert_uint_eq(st.dev, up.dev);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

START_TEST(overlay_readonly_two_lowers)
{
	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/a", "top", 0644));
	ck_assert_ok(t_write_file(tt, "/lo2/a", "bottom", 0644));
	ck_assert_ok(t_write_file(tt, "/lo2/b", "b", 0644));
	ck_assert_ok(mount_ovl("lowerdir=/lo:/lo2"));
	assert_dir("/t", "a,b");
	assert_file("/t/a", "top");
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/t/a", O_WRONLY, 0), EROFS);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/t/n", 0755), EROFS);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/t/b", 0), EROFS);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Lookup */

START_TEST(overlay_lookup_whiteout_opaque_types)
{
	lay_out();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/low", "", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/o", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/o/hidden", "", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/w", "", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/nd", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u/d", 0755));
	ck_assert_ok(t_write_file(tt, "/up/u/d/up", "", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u/o", 0755));
	ck_assert_ok(
		vfs_setxattrat(tt, AT_FDCWD, "/up/u/o", "trusted.overlay.opaque", "y", 1, 0, 0));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/up/u/w", S_IFCHR | 0, 0));
	ck_assert_ok(t_write_file(tt, "/up/u/nd", "file", 0644)); /* hides the lower dir */
	ck_assert_ok(mount_ovl(OPTS));
	assert_dir("/t", "d,nd,o");
	assert_dir("/t/d", "low,up");
	assert_dir("/t/o", "-");
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/t/w", &(struct vfs_stat){ 0 }, 0), ENOENT);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/t/o/hidden", &(struct vfs_stat){ 0 }, 0), ENOENT);
	ck_assert_uint_eq(stat_mode("/t/nd") & S_IFMT, S_IFREG);
	/* The overlay's own xattrs are hidden and refused, even to root. */
	ck_assert_err(vfs_getxattrat(tt, AT_FDCWD, "/t/o", "trusted.overlay.opaque", NULL, 0, 0),
		      ENODATA);
	ck_assert_int_eq(vfs_listxattrat(tt, AT_FDCWD, "/t/o", NULL, 0, 0), 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/t/d", "trusted.overlay.opaque", "y", 1, 0, 0),
		      EOPNOTSUPP);
	ck_assert_err(vfs_mknodat(tt, AT_FDCWD, "/t/wh", S_IFCHR | 0644, 0), EPERM);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Copy-up */

START_TEST(overlay_copy_up_triggers)
{
	struct vfs_stat st;
	char buf[64];
	int fd;

	lay_out();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/a", 0750));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/a/b", 0705));
	ck_assert_ok(t_write_file(tt, "/lo/a/b/f", "lower data", 04755));
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lo/a/b/f", 12, 34, 0));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/lo/a/b/f", 04755, 0));
	ck_assert_ok(vfs_setxattrat(tt, AT_FDCWD, "/lo/a/b/f", "user.k", "v", 1, 0, 0));
	ck_assert_ok(vfs_symlinkat(tt, "somewhere", AT_FDCWD, "/lo/s"));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/lo/c", S_IFCHR | 0600, VFS_MKDEV(1, 3)));
	ck_assert_ok(t_write_file(tt, "/lo/m", "m", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/l", "l", 0644));
	ck_assert_ok(mount_ovl(OPTS));

	/* Reading copies nothing; an fd opened now must see the data after the copy-up. */
	fd = vfs_openat(tt, AT_FDCWD, "/t/a/b/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	assert_dir("/up/u", "-");
	ck_assert_ok(t_write_file(tt, "/t/a/b/f", "UPPER", 0));
	ck_assert_int_eq(vfs_pread(tt, fd, buf, sizeof(buf), 0), 5); /* O_TRUNC, then 5 */
	ck_assert(!memcmp(buf, "UPPER", 5));
	vfs_close(tt, fd);
	assert_dir("/up/u", "a");
	ck_assert_uint_eq(stat_mode("/up/u/a"), S_IFDIR | 0750);
	ck_assert_uint_eq(stat_mode("/up/u/a/b"), S_IFDIR | 0705);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/up/u/a/b/f", &st, 0));
	ck_assert_uint_eq(st.uid, 12);
	ck_assert_uint_eq(st.gid, 34);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/up/u/a/b/f", "user.k", buf, 8, 0), 1);
	assert_file("/lo/a/b/f", "lower data");

	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/t/s", 5, 5, AT_SYMLINK_NOFOLLOW));
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/up/u/s", buf, sizeof(buf)), 9);
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/c", 0640, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/up/u/c", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFCHR | 0640);
	ck_assert_uint_eq(st.rdev, VFS_MKDEV(1, 3));
	ck_assert_ok(vfs_truncate(tt, "/t/m", 0));
	ck_assert_int_eq(stat_mode("/up/u/m"), S_IFREG | 0644);
	ck_assert_ok(vfs_linkat(tt, AT_FDCWD, "/t/l", AT_FDCWD, "/t/l2", 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/l2", &st, 0));
	ck_assert_uint_eq(st.nlink, 2);
	assert_dir("/up/u", "a,c,l,l2,m,s");
	assert_dir("/up/w/work", "-");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

START_TEST(overlay_ino_stable_across_copy_up)
{
	struct vfs_stat a, b;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "x", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/f", &a, 0));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/f", 0600, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/f", &b, 0));
	ck_assert_uint_eq(a.ino, b.ino);
	ck_assert_uint_eq(a.dev, b.dev);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/d", &a, 0));
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_ok(t_write_file(tt, "/t/d/new", "", 0644));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/d", &b, 0));
	ck_assert_uint_eq(a.ino, b.ino);
	ck_assert_uint_eq(b.nlink, 1); /* merged */
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* Write len bytes of c at off into path (created when missing) as task t. */
static void pwrite_at(struct task *t, const char *path, char c, size_t len, off_t off)
{
	char *buf = malloc(len);
	int fd = vfs_openat(t, AT_FDCWD, path, O_WRONLY | O_CREAT, 0644);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	memset(buf, c, len);
	ck_assert_int_eq(vfs_pwrite(t, fd, buf, len, off), (long)len);
	vfs_close(t, fd);
	free(buf);
}

/* The two files hold the same bytes (size given). */
static void assert_same_bytes(const char *a, const char *b, size_t size)
{
	char *x = malloc(size + 1), *y = malloc(size + 1);
	int fa = vfs_openat(tt, AT_FDCWD, a, O_RDONLY, 0),
	    fb = vfs_openat(tt, AT_FDCWD, b, O_RDONLY, 0);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	ck_assert_int_ge(fa, 0);
	ck_assert_int_ge(fb, 0);
	ck_assert_int_eq(vfs_pread(tt, fa, x, size + 1, 0), (long)size);
	ck_assert_int_eq(vfs_pread(tt, fb, y, size + 1, 0), (long)size);
	ck_assert_msg(!memcmp(x, y, size), "%s and %s differ", a, b);
	vfs_close(tt, fa);
	vfs_close(tt, fb);
	free(x);
	free(y);
}

static off_t seek_of(const char *path, off_t off, int whence)
{
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDONLY, 0);
	off_t r;

	ck_assert_int_ge(fd, 0);
	r = vfs_lseek(tt, fd, off, whence);
	vfs_close(tt, fd);
	return r;
}

/*
 * The copy-up's data paths. tmpfs over tmpfs copies page to page: the copy has the very
 * pages of the lower file (holes where it has holes, an explicitly written page of zeros
 * kept as data, as the kernel's copy-up by SEEK_DATA keeps it), across several 2 MiB
 * regions, with a trailing hole. From a lower layer without that path (a 9P gofer) the
 * bytes go through a buffer, and an all-zero chunk is left a hole.
 */
START_TEST(overlay_copy_up_data_paths)
{
	const size_t mib = 1u << 20, size = 10 * mib + 123;
	struct vfs_stat lo, up;
	struct gofer_sim *gs;
	off_t offs[] = { 0, 4096, mib, 3 * mib, 5 * mib, 9 * mib + 4096, 10 * mib };
	char opts[128];
	size_t i;
	int rfd, wfd;

	lay_out();
	pwrite_at(tt, "/lo/f", 'h', 5000, 0);
	pwrite_at(tt, "/lo/f", 'm', 2 * mib + 17, 3 * mib - 9);
	pwrite_at(tt, "/lo/f", 0, 4096, 6 * mib); /* zeros, but written: data */
	pwrite_at(tt, "/lo/f", 't', 100, 9 * mib + 100);
	ck_assert_ok(vfs_truncate(tt, "/lo/f", (off_t)size));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/f", 0600, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/lo/f", &lo, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/up/u/f", &up, 0));
	ck_assert_int_eq(up.size, (long long)size);
	ck_assert_int_eq(up.blocks, lo.blocks);
	ck_assert_int_lt(up.blocks * 512, (long long)size / 2);
	assert_same_bytes("/lo/f", "/up/u/f", size);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		ck_assert_int_eq(seek_of("/up/u/f", offs[i], SEEK_DATA),
				 seek_of("/lo/f", offs[i], SEEK_DATA));
		ck_assert_int_eq(seek_of("/up/u/f", offs[i], SEEK_HOLE),
				 seek_of("/lo/f", offs[i], SEEK_HOLE));
	}
	ck_assert_ok(vfs_umount2(tt, "/t", 0));

	/* A 9P lower: read and written through a buffer. */
	gs = gofer_sim_start(5, &rfd, &wfd);
	ck_assert_msg(!IS_ERR(gs), "gofer_sim_start: %ld", PTR_ERR(gs));
	pwrite_at(gofer_sim_task(gs), "/g", 'a', 10, 0);
	pwrite_at(gofer_sim_task(gs), "/g", 'b', 10, 2 * mib);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755));
	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d", rfd, wfd);
	ck_assert_ok(vfs_mount(tt, "gofer", "/m", "9p", 0, opts));
	ck_assert_ok(mount_ovl("lowerdir=/m,upperdir=/up/u,workdir=/up/w"));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/g", 0600, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/up/u/g", &up, 0));
	ck_assert_int_eq(up.size, (long long)(2 * mib + 10));
	assert_same_bytes("/m/g", "/up/u/g", 2 * mib + 10);
	/* The 256 KiB chunks between the two written ones were all zero: left holes. */
	ck_assert_int_lt(up.blocks * 512, (long long)mib);
	ck_assert_int_eq(seek_of("/up/u/g", 256 * 1024, SEEK_DATA), (off_t)(2 * mib));
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
	ck_assert_ok(vfs_umount2(tt, "/m", 0));
	gofer_sim_stop(gs);
}
END_TEST

/* The layer helper behind the copy-up, on tmpfs files with data already in the target:
 * the source's bytes replace the target's over the range, its holes as zeros, and the
 * target keeps what lies past the range; what tmpfs cannot do page to page is
 * EOPNOTSUPP (the caller's cue to read and write). */
START_TEST(overlay_layer_copy_file_range)
{
	struct path ps, pd;
	struct file *in, *out, *self;
	char buf[16384];
	ssize_t n;
	size_t i;

	lay_out();
	pwrite_at(tt, "/lo/src", 'x', 4096, 0);
	pwrite_at(tt, "/lo/src", 'y', 1808, 8192); /* a hole at [4096, 8192), EOF 10000 */
	pwrite_at(tt, "/lo/dst", 'z', sizeof(buf), 0);
	task_enter(tt);
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, "/lo/src", 0, &ps));
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, "/lo/dst", 0, &pd));
	in = layer_open(&ps, O_RDONLY, tt->cred);
	out = layer_open(&pd, O_WRONLY, tt->cred);
	self = layer_open(&ps, O_WRONLY, tt->cred);
	ck_assert(!IS_ERR(in) && !IS_ERR(out) && !IS_ERR(self));
	ck_assert_int_eq(layer_copy_file_range(in, 0, out, 0, 1u << 20), 10000);
	ck_assert_int_eq(layer_copy_file_range(in, 12288, out, 0, 4096), 0); /* past EOF */
	ck_assert_int_eq(layer_copy_file_range(in, 100, out, 0, 4096), -EOPNOTSUPP);
	ck_assert_int_eq(layer_copy_file_range(in, 0, out, 100, 4096), -EOPNOTSUPP);
	ck_assert_int_eq(layer_copy_file_range(in, 0, self, 8192, 4096), -EOPNOTSUPP);
	ck_assert_int_eq(layer_copy_file_range(out, 0, in, 0, 4096), -EBADF);
	file_put(self);
	file_put(out);
	file_put(in);
	path_put(&pd);
	path_put(&ps);
	task_leave(tt);
	ck_assert_int_eq(t_read_file(tt, "/lo/dst", buf, sizeof(buf)), (long)sizeof(buf) - 1);
	for (i = 0; i < sizeof(buf) - 1; i++) {
		char want = i < 4096 ? 'x' : i < 8192 ? 0 : i < 10000 ? 'y' : 'z';

		ck_assert_msg(buf[i] == want, "byte %zu is %d, want %d", i, buf[i], want);
	}
	n = (ssize_t)seek_of("/lo/dst", 0, SEEK_END);
	ck_assert_int_eq(n, (ssize_t)sizeof(buf));
}
END_TEST

static uint64_t ino_of(const char *path)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW));
	return st.ino;
}

/*
 * st_ino survives an unmount and a mount of the same layers: each copy-up records its
 * origin in the upper copy (trusted.overlay.origin, Linux's handle format), hidden from
 * users as every trusted.overlay.* is. Copied up by chmod, by a write, by a rename (a
 * file and a merged directory, gVisor's subtree copy), and hard-linked. A mount whose
 * layers do not hold the origin's filesystem reports the upper inode number instead
 * (Linux's "origin unknown").
 */
START_TEST(overlay_ino_stable_across_remount)
{
	const char *opts2 = "lowerdir=/lo:/lo2,upperdir=/up/u,workdir=/up/w";
	const char *names[] = { "/t/f", "/t/g", "/t/h", "/t/d", "/t/d/a", "/t/s" };
	const char *after[] = { "/t/f", "/t/g2", "/t/h", "/t/e", "/t/e/a", "/t/s" };
	uint64_t ino[6], lo_f;
	unsigned char fb[64];
	char list[256];
	ssize_t n;
	size_t i;
	int fd;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "x", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/g", "g", 0644));
	ck_assert_ok(t_write_file(tt, "/lo2/h", "h", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/a", "a", 0644));
	ck_assert_ok(vfs_symlinkat(tt, "f", AT_FDCWD, "/lo/s"));
	lo_f = ino_of("/lo/f");
	ck_assert_ok(mount_ovl(opts2));
	for (i = 0; i < 6; i++)
		ino[i] = ino_of(names[i]);
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/f", 0600, 0));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/g", AT_FDCWD, "/t/g2", 0));
	fd = vfs_openat(tt, AT_FDCWD, "/t/h", O_WRONLY | O_APPEND, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(tt, fd, "!", 1), 1);
	vfs_close(tt, fd);
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/d", AT_FDCWD, "/t/e", 0));
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/t/s", 7, 7, AT_SYMLINK_NOFOLLOW));
	ck_assert_ok(vfs_linkat(tt, AT_FDCWD, "/t/f", AT_FDCWD, "/t/f2", 0));
	for (i = 0; i < 6; i++)
		ck_assert_msg(ino_of(after[i]) == ino[i], "%s changed at copy-up", after[i]);
	ck_assert_uint_eq(ino_of("/t/f2"), ino[0]);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));

	/* The same layers again: every copied-up file has its old st_ino. */
	ck_assert_ok(mount_ovl(opts2));
	for (i = 0; i < 6; i++)
		ck_assert_msg(ino_of(after[i]) == ino[i], "%s changed at remount", after[i]);
	ck_assert_uint_eq(ino_of("/t/f2"), ino[0]);
	assert_file("/t/h", "h!");
	/* Hidden through the overlay, refused even to root. */
	ck_assert_err(
		vfs_getxattrat(tt, AT_FDCWD, "/t/f", "trusted.overlay.origin", fb, sizeof(fb), 0),
		ENODATA);
	n = vfs_listxattrat(tt, AT_FDCWD, "/t/f", list, sizeof(list), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/t/f", "trusted.overlay.origin", "x", 1, 0, 0),
		      EOPNOTSUPP);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
	/* In the upper layer: Linux's ovl_fb header (version 0, magic 0xfb, length). */
	n = vfs_getxattrat(tt, AT_FDCWD, "/up/u/f", "trusted.overlay.origin", fb, sizeof(fb), 0);
	ck_assert_int_eq(n, 33);
	ck_assert_int_eq(fb[0], 0);
	ck_assert_int_eq(fb[1], 0xfb);
	ck_assert_int_eq(fb[2], 33);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/up/u/e", "trusted.overlay.origin", fb,
					sizeof(fb), 0),
			 33);

	/* The layers in the other order: the origin's filesystem is found in its new
	 * place, so the file takes that layer's tag. */
	ck_assert_ok(mount_ovl("lowerdir=/lo2:/lo,upperdir=/up/u,workdir=/up/w"));
	ck_assert_uint_eq(ino_of("/t/f"), (2ull << 48) | lo_f);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
	/* Without the origin's filesystem: the upper inode number, untagged. */
	ck_assert_ok(mount_ovl("lowerdir=/lo2,upperdir=/up/u,workdir=/up/w"));
	ck_assert_uint_eq(ino_of("/t/f"), ino_of("/up/u/f"));
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/*
 * Fail the copy-up at every step in turn (chmod: once the copy is in place nothing can
 * fail any more, so any failure happened before or inside the copy-up). Each failure
 * leaves the upper layer and the work directory exactly as they were, and the overlay
 * still shows the lower file unchanged; the first success has copied it all.
 */
static void fault_sweep(const char *path, const char *upper_copy, const char *updir,
			const char *before)
{
	uint64_t n;
	int err = -1;

	for (n = 1; n < 10000; n++) {
		fault_arm(n, ALL_FAULT_SITES);
		err = vfs_fchmodat(tt, AT_FDCWD, path, 0604, 0);
		fault_disarm();
		if (!err)
			break;
		ck_assert_err(err, ENOMEM);
		if (updir)
			assert_dir(updir, before);
		ck_assert_err(vfs_fstatat(tt, AT_FDCWD, upper_copy, &(struct vfs_stat){ 0 }, 0),
			      ENOENT);
		assert_dir("/up/w/work", "-");
		assert_file(path, "lower data");
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_gt(n, 3); /* the sweep did fail some steps */
	assert_file(path, "lower data");
	ck_assert_uint_eq(stat_mode(path), S_IFREG | 0604);
}

START_TEST(overlay_copy_up_fault_sweep_atomic)
{
	char buf[8];

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "lower data", 0640));
	ck_assert_ok(vfs_setxattrat(tt, AT_FDCWD, "/lo/f", "user.a", "1", 1, 0, 0));
	ck_assert_ok(vfs_setxattrat(tt, AT_FDCWD, "/lo/f", "trusted.b", "2", 1, 0, 0));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/g", "lower data", 0644));
	ck_assert_ok(t_write_file(tt, "/up/u/other", "", 0644));
	ck_assert_ok(mount_ovl(OPTS));
	fault_sweep("/t/f", "/up/u/f", "/up/u", "other");
	assert_dir("/up/u", "f,other");
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/up/u/f", "trusted.b", buf, 8, 0), 1);
	/* Nested: the parent's copy-up may stay (it is invisible); the child's may not. */
	fault_sweep("/t/d/g", "/up/u/d/g", NULL, NULL);
	assert_dir("/up/u/d", "g");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Whiteouts, readdir, rename */

START_TEST(overlay_whiteouts_and_opaque)
{
	char buf[4];

	lay_out();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/a", "", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d/s", 0755));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/t/d", AT_REMOVEDIR), ENOTEMPTY);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/d/a", 0));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/d/s", AT_REMOVEDIR));
	ck_assert_uint_eq(stat_mode("/up/u/d/a"), S_IFCHR);
	assert_dir("/t/d", "-");
	/* Only whiteouts inside: removable, and replaced by a whiteout itself. */
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/d", AT_REMOVEDIR));
	ck_assert_uint_eq(stat_mode("/up/u/d"), S_IFCHR);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/t/d", 0700));
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/up/u/d", "trusted.overlay.opaque", buf,
					sizeof(buf), 0),
			 1);
	assert_dir("/t/d", "-");
	/* A name with nothing below leaves no whiteout. */
	ck_assert_ok(t_write_file(tt, "/t/d/n", "", 0644));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/d/n", 0));
	assert_dir("/up/u/d", "-");
	assert_dir("/up/w/work", "-");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

START_TEST(overlay_readdir_merged_stable_seek)
{
	char buf[4096];
	int fd;
	ssize_t n1, n2;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/a", "", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/b", "", 0644));
	ck_assert_ok(t_write_file(tt, "/lo2/b", "", 0644));
	ck_assert_ok(t_write_file(tt, "/lo2/c", "", 0644));
	ck_assert_ok(t_write_file(tt, "/up/u/a", "", 0644));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/up/u/c", S_IFCHR, 0));
	ck_assert_ok(mount_ovl("lowerdir=/lo:/lo2,upperdir=/up/u,workdir=/up/w"));
	assert_dir("/t", "a,b");
	fd = vfs_openat(tt, AT_FDCWD, "/t", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	n1 = vfs_getdents(tt, fd, buf, sizeof(buf));
	ck_assert_int_gt(n1, 0);
	ck_assert_int_eq(vfs_getdents(tt, fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(vfs_lseek(tt, fd, 0, SEEK_SET), 0);
	n2 = vfs_getdents(tt, fd, buf, sizeof(buf));
	ck_assert_int_eq(n1, n2);
	vfs_close(tt, fd);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

START_TEST(overlay_rename_files_and_dirs)
{
	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "lower data", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/g", "g", 0600));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/ld", 0755));
	ck_assert_ok(mount_ovl(OPTS ",redirect_dir=off"));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/f", AT_FDCWD, "/t/f2", 0));
	assert_dir("/t", "f2,g,ld");
	ck_assert_uint_eq(stat_mode("/up/u/f"), S_IFCHR);
	assert_file("/t/f2", "lower data");
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/t/ld", AT_FDCWD, "/t/ld2", 0), EXDEV);
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/t/f2", AT_FDCWD, "/t/g", RENAME_NOREPLACE),
		      EEXIST);
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/f2", AT_FDCWD, "/t/g", RENAME_EXCHANGE));
	assert_file("/t/g", "lower data");
	assert_file("/t/f2", "g");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/t/nd", 0700));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/nd", AT_FDCWD, "/t/ld", 0));
	ck_assert_uint_eq(stat_mode("/t/ld"), S_IFDIR | 0700);
	assert_dir("/t", "f2,g,ld");
	assert_dir("/up/w/work", "-");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* The default (gVisor's): a merged directory moves with its whole subtree copied up. */
START_TEST(overlay_rename_merged_dir_gvisor)
{
	char buf[4];

	lay_out();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0750));
	ck_assert_ok(t_write_file(tt, "/lo/d/f", "lower data", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/d/gone", "", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d/s", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/s/g", "deep", 0600));
	ck_assert_ok(vfs_symlinkat(tt, "f", AT_FDCWD, "/lo/d/l"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/e", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/e/x", "", 0644));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/d/gone", 0));
	ck_assert_ok(t_write_file(tt, "/t/d/s/new", "up", 0644));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/d", AT_FDCWD, "/t/d2", 0));
	assert_dir("/t", "d2,e");
	assert_dir("/t/d2", "f,l,s");
	assert_dir("/t/d2/s", "g,new");
	assert_file("/t/d2/f", "lower data");
	assert_file("/t/d2/s/g", "deep");
	assert_file("/t/d2/l", "lower data");
	ck_assert_uint_eq(stat_mode("/t/d2"), S_IFDIR | 0750);
	ck_assert_uint_eq(stat_mode("/t/d2/s/g"), S_IFREG | 0600);
	/* The upper layer: a whiteout at the old name, an opaque directory at the new. */
	ck_assert_uint_eq(stat_mode("/up/u/d"), S_IFCHR);
	ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/up/u/d2", "trusted.overlay.opaque", buf,
					sizeof(buf), 0),
			 1);
	assert_dir("/up/u/d2/s", "g,new");
	assert_dir("/up/w/work", "-");
	/* It merges with nothing at its new place, and the old name is free. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/t/d", 0700));
	assert_dir("/t/d", "-");
	/* Over an empty merged directory, and exchanged with another merged one. */
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/e/x", 0));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/d2", AT_FDCWD, "/t/e", 0));
	assert_dir("/t", "d,e");
	assert_dir("/t/e", "f,l,s");
	ck_assert_ok(t_write_file(tt, "/t/d/z", "", 0644));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/d", AT_FDCWD, "/t/e", RENAME_EXCHANGE));
	assert_dir("/t/e", "z");
	assert_dir("/t/d", "f,l,s");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
	ck_assert_ok(vfs_umount2(tt, "/lo", 0));
}
END_TEST

/* A merged directory's rename fails cleanly at every step: the tree looks the same
 * (copied-up parts are invisible), nothing is left in work. */
START_TEST(overlay_rename_merged_dir_fault_sweep)
{
	uint64_t n;
	int err = -1;

	lay_out();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/f", "lower data", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d/s", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/s/g", "g", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/x", 0755));
	ck_assert_ok(mount_ovl(OPTS));
	for (n = 1; n < 10000; n++) {
		fault_arm(n, ALL_FAULT_SITES);
		err = vfs_renameat2(tt, AT_FDCWD, "/t/d", AT_FDCWD, "/t/x", 0);
		fault_disarm();
		if (!err)
			break;
		ck_assert_err(err, ENOMEM);
		assert_dir("/t", "d,x");
		assert_dir("/t/d", "f,s");
		assert_dir("/t/d/s", "g");
		assert_dir("/t/x", "-");
		assert_file("/t/d/f", "lower data");
		assert_dir("/up/w/work", "-");
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_gt(n, 5);
	assert_dir("/t", "x");
	assert_dir("/t/x", "f,s");
	assert_dir("/t/x/s", "g");
	assert_file("/t/x/s/g", "g");
	assert_dir("/up/w/work", "-");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* A directory moved over an empty merged directory: the whiteouts of the target keep
 * hiding the lower entries until the move is done, whatever step fails. */
START_TEST(overlay_rename_over_merged_dir_fault_sweep)
{
	uint64_t n;
	int err = -1;

	lay_out();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/x", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/x/a", "", 0644));
	ck_assert_ok(t_write_file(tt, "/lo/f", "", 0644));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/x/a", 0));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/t/d", 0700));
	ck_assert_ok(t_write_file(tt, "/t/d/n", "", 0644));
	for (n = 1; n < 10000; n++) {
		fault_arm(n, ALL_FAULT_SITES);
		err = vfs_renameat2(tt, AT_FDCWD, "/t/d", AT_FDCWD, "/t/x", 0);
		fault_disarm();
		if (!err)
			break;
		ck_assert_err(err, ENOMEM);
		assert_dir("/t", "d,f,x");
		assert_dir("/t/x", "-");
		assert_dir("/t/d", "n");
		assert_dir("/up/w/work", "-");
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_gt(n, 3);
	assert_dir("/t", "f,x");
	assert_dir("/t/x", "n");
	ck_assert_uint_eq(stat_mode("/t/x"), S_IFDIR | 0700);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* A renamed lower file leaves a whiteout, or nothing changes: fail every step. */
START_TEST(overlay_rename_whiteout_fault_sweep)
{
	uint64_t n;
	int err = -1;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "lower data", 0644));
	ck_assert_ok(t_write_file(tt, "/up/u/g", "upper", 0644));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/f", 0640, 0)); /* copied up */
	for (n = 1; n < 10000; n++) {
		fault_arm(n, ALL_FAULT_SITES);
		err = vfs_renameat2(tt, AT_FDCWD, "/t/f", AT_FDCWD, "/t/g", 0);
		fault_disarm();
		if (!err)
			break;
		ck_assert_err(err, ENOMEM);
		assert_dir("/up/u", "f,g");
		ck_assert_uint_eq(stat_mode("/up/u/f"), S_IFREG | 0640);
		assert_dir("/up/w/work", "-");
		assert_dir("/t", "f,g");
		assert_file("/t/g", "upper");
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_gt(n, 2);
	ck_assert_uint_eq(stat_mode("/up/u/f"), S_IFCHR);
	assert_dir("/t", "g");
	assert_file("/t/g", "lower data");
	assert_dir("/up/w/work", "-");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* Hard links share one overlay inode: renaming one over another is a no-op (the VFS sees
 * one inode), and a change through one name is seen through the other. */
START_TEST(overlay_hard_links_share_inode)
{
	struct vfs_stat a, b;
	int fd;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "lower data", 0644));
	ck_assert_ok(mount_ovl(OPTS));
	ck_assert_ok(vfs_linkat(tt, AT_FDCWD, "/t/f", AT_FDCWD, "/t/g", 0));
	ck_assert_ok(vfs_linkat(tt, AT_FDCWD, "/t/g", AT_FDCWD, "/t/h", 0));
	fd = vfs_openat(tt, AT_FDCWD, "/t/h", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/f", 0600, 0));
	ck_assert_ok(vfs_fstat(tt, fd, &a));
	ck_assert_uint_eq(a.mode, S_IFREG | 0600);
	ck_assert_uint_eq(a.nlink, 3);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/t/g", &b, 0));
	ck_assert_uint_eq(a.ino, b.ino);
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/f", AT_FDCWD, "/t/g", 0));
	assert_dir("/t", "f,g,h");
	assert_dir("/up/u", "f,g,h");
	/* Replacing one name leaves the file alive through the others. */
	ck_assert_ok(t_write_file(tt, "/t/n", "new", 0644));
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/n", AT_FDCWD, "/t/g", 0));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/t/f", 0));
	ck_assert_ok(vfs_fstat(tt, fd, &a));
	ck_assert_uint_eq(a.nlink, 1);
	assert_file("/t/h", "lower data");
	assert_file("/t/g", "new");
	vfs_close(tt, fd);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

/* The in-process form (gVisor's FilesystemOptions): layers handed in, no work directory. */
static int mount_internal(void)
{
	struct path lower, mp;
	struct ovl_internal_opts io = { .lower_roots = &lower, .nr_lower = 1 };
	struct mount *m;
	int err;

	task_enter(tt);
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, "/lo", LOOKUP_FOLLOW, &lower));
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, "/up/u", LOOKUP_FOLLOW, &io.upper_root));
	m = vfs_kern_mount(tk->vfs, tt->cred, "overlay", "none", 0, NULL, &io, NULL);
	path_put(&lower);
	path_put(&io.upper_root);
	if (IS_ERR(m)) {
		task_leave(tt);
		return (int)PTR_ERR(m);
	}
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, "/t", LOOKUP_FOLLOW, &mp));
	err = mnt_connect_at(tt, m, &mp);
	path_put(&mp);
	mnt_put(m);
	task_leave(tt);
	return err;
}

/* Without a work directory the whiteout of a rename is built in place under a temporary
 * name: every failure leaves the layers as they were, and no temporary stays. */
START_TEST(overlay_internal_rename_in_place)
{
	uint64_t n, ino_g, ino_e;
	int err = -1;

	lay_out();
	ck_assert_ok(t_write_file(tt, "/lo/f", "lower data", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/a", "a", 0644));
	ck_assert_ok(mount_internal());
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/t/f", 0640, 0));
	for (n = 1; n < 10000; n++) {
		fault_arm(n, ALL_FAULT_SITES);
		err = vfs_renameat2(tt, AT_FDCWD, "/t/f", AT_FDCWD, "/t/g", 0);
		fault_disarm();
		if (!err)
			break;
		ck_assert_err(err, ENOMEM);
		assert_dir("/up/u", "f");
		assert_dir("/t", "d,f");
	}
	ck_assert_int_eq(err, 0);
	assert_dir("/up/u", "f,g");
	ck_assert_uint_eq(stat_mode("/up/u/f"), S_IFCHR);
	assert_file("/t/g", "lower data");
	/* The default directory rename (gVisor's) in place too. */
	ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/t/d", AT_FDCWD, "/t/e", 0));
	assert_dir("/t", "e,g");
	assert_file("/t/e/a", "a");
	assert_dir("/up/u", "d,e,f,g");
	/* Copied up in place, the origin recorded all the same: st_ino survives a remount. */
	ino_g = ino_of("/t/g");
	ino_e = ino_of("/t/e");
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
	ck_assert_ok(mount_internal());
	ck_assert_uint_eq(ino_of("/t/g"), ino_g);
	ck_assert_uint_eq(ino_of("/t/e"), ino_e);
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
}
END_TEST

Suite *overlay_suite(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = t_case(s, "overlay");

	tcase_add_test(tc, overlay_mount_errors_einval);
	tcase_add_test(tc, overlay_mountinfo_statfs_dev);
	tcase_add_test(tc, overlay_readonly_two_lowers);
	tcase_add_test(tc, overlay_lookup_whiteout_opaque_types);
	tcase_add_test(tc, overlay_copy_up_triggers);
	tcase_add_test(tc, overlay_ino_stable_across_copy_up);
	tcase_add_test(tc, overlay_ino_stable_across_remount);
	tcase_add_test(tc, overlay_copy_up_fault_sweep_atomic);
	tcase_add_test(tc, overlay_copy_up_data_paths);
	tcase_add_test(tc, overlay_layer_copy_file_range);
	tcase_add_test(tc, overlay_whiteouts_and_opaque);
	tcase_add_test(tc, overlay_readdir_merged_stable_seek);
	tcase_add_test(tc, overlay_rename_files_and_dirs);
	tcase_add_test(tc, overlay_rename_merged_dir_gvisor);
	tcase_add_test(tc, overlay_rename_whiteout_fault_sweep);
	tcase_add_test(tc, overlay_rename_merged_dir_fault_sweep);
	tcase_add_test(tc, overlay_rename_over_merged_dir_fault_sweep);
	tcase_add_test(tc, overlay_hard_links_share_inode);
	tcase_add_test(tc, overlay_internal_rename_in_place);
	return s;
}
