/*
 * op_linux.c - the op backend over the real kernel: each slot is the Linux system call of
 * the same name, made as directly as glibc allows, so that what the oracle prints is what
 * the kernel did (glibc emulations, such as fchmodat's AT_SYMLINK_NOFOLLOW in glibc before
 * 2.39, are bypassed with syscall(2)).
 *
 * Credentials are switched with setgroups/setegid/seteuid, as pjdfstest does but keeping
 * the saved uid 0 so that the next line can become root again.
 */
#include "oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vfslab/vfs.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* What the process started with; restore_creds goes back to it. */
static uid_t orig_uid;
static gid_t orig_gid;
static gid_t *orig_groups;
static int orig_ngroups;

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

static int l_openat(void *ctx, int dirfd, const char *path, int flags, mode_t mode)
{
	(void)ctx;
	return (int)ret(openat(dirfd, path, flags, mode));
}

static int l_close(void *ctx, int fd)
{
	(void)ctx;
	return (int)ret(close(fd));
}

static int l_unlinkat(void *ctx, int dirfd, const char *path, int flags)
{
	(void)ctx;
	return (int)ret(unlinkat(dirfd, path, flags));
}

static int l_mkdirat(void *ctx, int dirfd, const char *path, mode_t mode)
{
	(void)ctx;
	return (int)ret(mkdirat(dirfd, path, mode));
}

static int l_mknodat(void *ctx, int dirfd, const char *path, mode_t mode, uint32_t dev)
{
	(void)ctx;
	return (int)ret(mknodat(dirfd, path, mode, makedev(VFS_MAJOR(dev), VFS_MINOR(dev))));
}

static int l_linkat(void *ctx, int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		    int flags)
{
	(void)ctx;
	return (int)ret(linkat(olddirfd, oldpath, newdirfd, newpath, flags));
}

static int l_symlinkat(void *ctx, const char *target, int dirfd, const char *path)
{
	(void)ctx;
	return (int)ret(symlinkat(target, dirfd, path));
}

static int l_renameat2(void *ctx, int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, unsigned flags)
{
	(void)ctx;
	return (int)ret(syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags));
}

static int l_fchmodat(void *ctx, int dirfd, const char *path, mode_t mode, int flags)
{
	long r;

	(void)ctx;
	if (flags == 0)
		return (int)ret(syscall(SYS_fchmodat, dirfd, path, mode));
	r = syscall(SYS_fchmodat2, dirfd, path, mode, flags);
	if (r < 0 && errno == ENOSYS)
		r = fchmodat(dirfd, path, mode, flags);
	return (int)ret(r);
}

static int l_fchmod(void *ctx, int fd, mode_t mode)
{
	(void)ctx;
	return (int)ret(fchmod(fd, mode));
}

static int l_fchownat(void *ctx, int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	(void)ctx;
	return (int)ret(fchownat(dirfd, path, uid, gid, flags));
}

static int l_fchown(void *ctx, int fd, uid_t uid, gid_t gid)
{
	(void)ctx;
	return (int)ret(fchown(fd, uid, gid));
}

static int l_truncate(void *ctx, const char *path, off_t len)
{
	(void)ctx;
	return (int)ret(truncate(path, len));
}

static int l_ftruncate(void *ctx, int fd, off_t len)
{
	(void)ctx;
	return (int)ret(ftruncate(fd, len));
}

static void to_vfs_stat(const struct stat *s, struct vfs_stat *st)
{
	st->mode = s->st_mode;
	st->nlink = (uint32_t)s->st_nlink;
	st->uid = s->st_uid;
	st->gid = s->st_gid;
	st->ino = s->st_ino;
	st->size = s->st_size;
	st->blocks = s->st_blocks;
	st->blksize = (uint32_t)s->st_blksize;
	st->dev = VFS_MKDEV(major(s->st_dev), minor(s->st_dev));
	st->rdev = VFS_MKDEV(major(s->st_rdev), minor(s->st_rdev));
	st->atime_ns = (int64_t)s->st_atim.tv_sec * 1000000000 + s->st_atim.tv_nsec;
	st->mtime_ns = (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
	st->ctime_ns = (int64_t)s->st_ctim.tv_sec * 1000000000 + s->st_ctim.tv_nsec;
	st->mnt_id = 0;
}

static int l_fstatat(void *ctx, int dirfd, const char *path, struct vfs_stat *st, int flags)
{
	struct stat s;

	(void)ctx;
	if (fstatat(dirfd, path, &s, flags) < 0)
		return -errno;
	to_vfs_stat(&s, st);
	return 0;
}

static int l_fstat(void *ctx, int fd, struct vfs_stat *st)
{
	struct stat s;

	(void)ctx;
	if (fstat(fd, &s) < 0)
		return -errno;
	to_vfs_stat(&s, st);
	return 0;
}

static ssize_t l_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	return ret(write(fd, buf, len));
}

static ssize_t l_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	(void)ctx;
	return ret(pread(fd, buf, len, off));
}

static int l_utimensat(void *ctx, int dirfd, const char *path, const struct timespec times[2],
		       int flags)
{
	(void)ctx;
	return (int)ret(syscall(SYS_utimensat, dirfd, path, times, flags));
}

static ssize_t l_readlinkat(void *ctx, int dirfd, const char *path, char *buf, size_t len)
{
	(void)ctx;
	return ret(readlinkat(dirfd, path, buf, len));
}

static ssize_t l_getdents(void *ctx, int fd, void *buf, size_t len)
{
	(void)ctx;
	return ret(syscall(SYS_getdents64, fd, buf, len));
}

static ssize_t l_getxattr(void *ctx, const char *path, const char *name, void *value, size_t size)
{
	(void)ctx;
	return ret(getxattr(path, name, value, size));
}

static int l_setxattr(void *ctx, const char *path, const char *name, const void *value, size_t size,
		      int xflags)
{
	(void)ctx;
	return (int)ret(setxattr(path, name, value, size, xflags));
}

static ssize_t l_listxattr(void *ctx, const char *path, char *list, size_t size)
{
	(void)ctx;
	return ret(listxattr(path, list, size));
}

static int l_removexattr(void *ctx, const char *path, const char *name)
{
	(void)ctx;
	return (int)ret(removexattr(path, name));
}

static int l_set_creds(void *ctx, uid_t uid, const gid_t *gids, size_t ngids)
{
	(void)ctx;
	if (ngids) {
		if (setgroups(ngids, gids) < 0 || setegid(gids[0]) < 0)
			return -errno;
	}
	if (uid != (uid_t)-1 && seteuid(uid) < 0)
		return -errno;
	return 0;
}

static void l_restore_creds(void *ctx)
{
	(void)ctx;
	/* The uid first: only root may set the groups back. Failing here would leave the
	 * next lines running as someone else, so it is fatal. */
	if (seteuid(orig_uid) < 0 || setegid(orig_gid) < 0 ||
	    setgroups((size_t)orig_ngroups, orig_groups) < 0)
		abort();
}

static mode_t l_umask(void *ctx, mode_t mask)
{
	(void)ctx;
	return umask(mask);
}

int op_linux_init(void)
{
	orig_uid = geteuid();
	orig_gid = getegid();
	orig_ngroups = getgroups(0, NULL);
	if (orig_ngroups < 0)
		return -errno;
	orig_groups = calloc((size_t)orig_ngroups + 1, sizeof(gid_t));
	if (!orig_groups)
		return -ENOMEM;
	if (getgroups(orig_ngroups, orig_groups) < 0)
		return -errno;
	return 0;
}

const struct op_backend op_linux_backend = {
	.openat = l_openat,
	.close = l_close,
	.unlinkat = l_unlinkat,
	.mkdirat = l_mkdirat,
	.mknodat = l_mknodat,
	.linkat = l_linkat,
	.symlinkat = l_symlinkat,
	.renameat2 = l_renameat2,
	.fchmodat = l_fchmodat,
	.fchmod = l_fchmod,
	.fchownat = l_fchownat,
	.fchown = l_fchown,
	.truncate = l_truncate,
	.ftruncate = l_ftruncate,
	.fstatat = l_fstatat,
	.fstat = l_fstat,
	.write = l_write,
	.pread = l_pread,
	.utimensat = l_utimensat,
	.readlinkat = l_readlinkat,
	.getdents = l_getdents,
	.getxattr = l_getxattr,
	.setxattr = l_setxattr,
	.listxattr = l_listxattr,
	.removexattr = l_removexattr,
	.set_creds = l_set_creds,
	.restore_creds = l_restore_creds,
	.umask = l_umask,
};
