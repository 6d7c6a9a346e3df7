/*
 * op_vfs.c - the op backend over vfslab's own API; ctx is the struct task * the line runs
 * as. The slots are thin: our API already has Linux's signatures and returns -errno.
 *
 * A line's credentials are the task's own, switched with task_setcreds and put back
 * afterwards from a per-thread copy (a line never nests inside another on one thread).
 */
#include "op.h"

#include <errno.h>
#include <stdlib.h>

#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

/* What the task had before set_creds; valid between set_creds and restore_creds. */
static _Thread_local struct {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	int saved;
} saved_creds;

static int v_openat(void *ctx, int dirfd, const char *path, int flags, mode_t mode)
{
	return vfs_openat(ctx, dirfd, path, flags, mode);
}

static int v_close(void *ctx, int fd)
{
	return vfs_close(ctx, fd);
}

static int v_unlinkat(void *ctx, int dirfd, const char *path, int flags)
{
	return vfs_unlinkat(ctx, dirfd, path, flags);
}

static int v_mkdirat(void *ctx, int dirfd, const char *path, mode_t mode)
{
	return vfs_mkdirat(ctx, dirfd, path, mode);
}

static int v_mknodat(void *ctx, int dirfd, const char *path, mode_t mode, uint32_t dev)
{
	return vfs_mknodat(ctx, dirfd, path, mode, dev);
}

static int v_linkat(void *ctx, int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		    int flags)
{
	return vfs_linkat(ctx, olddirfd, oldpath, newdirfd, newpath, flags);
}

static int v_symlinkat(void *ctx, const char *target, int dirfd, const char *path)
{
	return vfs_symlinkat(ctx, target, dirfd, path);
}

static int v_renameat2(void *ctx, int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, unsigned flags)
{
	return vfs_renameat2(ctx, olddirfd, oldpath, newdirfd, newpath, flags);
}

static int v_fchmodat(void *ctx, int dirfd, const char *path, mode_t mode, int flags)
{
	return vfs_fchmodat(ctx, dirfd, path, mode, flags);
}

static int v_fchmod(void *ctx, int fd, mode_t mode)
{
	return vfs_fchmod(ctx, fd, mode);
}

static int v_fchownat(void *ctx, int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	return vfs_fchownat(ctx, dirfd, path, uid, gid, flags);
}

static int v_fchown(void *ctx, int fd, uid_t uid, gid_t gid)
{
	return vfs_fchown(ctx, fd, uid, gid);
}

static int v_truncate(void *ctx, const char *path, off_t len)
{
	return vfs_truncate(ctx, path, len);
}

static int v_ftruncate(void *ctx, int fd, off_t len)
{
	return vfs_ftruncate(ctx, fd, len);
}

static int v_fstatat(void *ctx, int dirfd, const char *path, struct vfs_stat *st, int flags)
{
	return vfs_fstatat(ctx, dirfd, path, st, flags);
}

static int v_fstat(void *ctx, int fd, struct vfs_stat *st)
{
	return vfs_fstat(ctx, fd, st);
}

static ssize_t v_write(void *ctx, int fd, const void *buf, size_t len)
{
	return vfs_write(ctx, fd, buf, len);
}

static ssize_t v_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	return vfs_pread(ctx, fd, buf, len, off);
}

static int v_utimensat(void *ctx, int dirfd, const char *path, const struct timespec times[2],
		       int flags)
{
	return vfs_utimensat(ctx, dirfd, path, times, flags);
}

static ssize_t v_readlinkat(void *ctx, int dirfd, const char *path, char *buf, size_t len)
{
	return vfs_readlinkat(ctx, dirfd, path, buf, len);
}

static ssize_t v_getdents(void *ctx, int fd, void *buf, size_t len)
{
	return vfs_getdents(ctx, fd, buf, len);
}

static ssize_t v_getxattr(void *ctx, const char *path, const char *name, void *value, size_t size)
{
	return vfs_getxattrat(ctx, AT_FDCWD, path, name, value, size, 0);
}

static int v_setxattr(void *ctx, const char *path, const char *name, const void *value, size_t size,
		      int xflags)
{
	return vfs_setxattrat(ctx, AT_FDCWD, path, name, value, size, xflags, 0);
}

static ssize_t v_listxattr(void *ctx, const char *path, char *list, size_t size)
{
	return vfs_listxattrat(ctx, AT_FDCWD, path, list, size, 0);
}

static int v_removexattr(void *ctx, const char *path, const char *name)
{
	return vfs_removexattrat(ctx, AT_FDCWD, path, name, 0);
}

static int v_set_creds(void *ctx, uid_t uid, const gid_t *gids, size_t ngids)
{
	struct task *t = ctx;
	size_t n;
	int r;

	n = task_groups(t, NULL, 0);
	saved_creds.groups = malloc((n ? n : 1) * sizeof(gid_t));
	if (!saved_creds.groups)
		return -ENOMEM;
	saved_creds.ngroups = task_groups(t, saved_creds.groups, n);
	saved_creds.uid = task_uid(t);
	saved_creds.gid = task_gid(t);
	saved_creds.saved = 1;

	if (uid == (uid_t)-1)
		uid = saved_creds.uid;
	if (ngids)
		r = task_setcreds(t, uid, gids[0], ngids, gids);
	else
		r = task_setcreds(t, uid, saved_creds.gid, saved_creds.ngroups, saved_creds.groups);
	if (r < 0) {
		free(saved_creds.groups);
		saved_creds.saved = 0;
	}
	return r;
}

static void v_restore_creds(void *ctx)
{
	if (!saved_creds.saved)
		return;
	task_setcreds(ctx, saved_creds.uid, saved_creds.gid, saved_creds.ngroups,
		      saved_creds.groups);
	free(saved_creds.groups);
	saved_creds.groups = NULL;
	saved_creds.saved = 0;
}

static mode_t v_umask(void *ctx, mode_t mask)
{
	return vfs_umask(ctx, mask);
}

const struct op_backend op_vfs_backend = {
	.openat = v_openat,
	.close = v_close,
	.unlinkat = v_unlinkat,
	.mkdirat = v_mkdirat,
	.mknodat = v_mknodat,
	.linkat = v_linkat,
	.symlinkat = v_symlinkat,
	.renameat2 = v_renameat2,
	.fchmodat = v_fchmodat,
	.fchmod = v_fchmod,
	.fchownat = v_fchownat,
	.fchown = v_fchown,
	.truncate = v_truncate,
	.ftruncate = v_ftruncate,
	.fstatat = v_fstatat,
	.fstat = v_fstat,
	.write = v_write,
	.pread = v_pread,
	.utimensat = v_utimensat,
	.readlinkat = v_readlinkat,
	.getdents = v_getdents,
	.getxattr = v_getxattr,
	.setxattr = v_setxattr,
	.listxattr = v_listxattr,
	.removexattr = v_removexattr,
	.set_creds = v_set_creds,
	.restore_creds = v_restore_creds,
	.umask = v_umask,
};
