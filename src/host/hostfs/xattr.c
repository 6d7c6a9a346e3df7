/*
 * xattr.c - extended attributes of host files.
 *
 * hostfs holds only O_PATH descriptors, and fgetxattr(2) and friends refuse those
 * (EBADF); Linux before 6.13 has no *xattrat(2) taking AT_EMPTY_PATH. So the calls go
 * through the descriptor's magic link, "/proc/self/fd/N", with the following variants
 * (getxattr, not lgetxattr): following a magic link lands on exactly the file the
 * descriptor holds - a symlink's own inode for a symlink's descriptor, never its target
 * - so no name is resolved on the host and nothing can be swapped in between. This is
 * the only use of /proc/self/fd in hostfs, and only with hostfs's own O_PATH
 * descriptors; it needs /proc mounted in the gofer's mount namespace (without it every
 * xattr call fails with ENOENT). The VFS has checked namespaces and permissions.
 */
#include <errno.h>
#include <sys/xattr.h>

#include "internal.h"

ssize_t hostfs_getxattr(struct dentry *dentry, const char *name, void *value, size_t size)
{
	char proc[32];
	int saved = errno;
	ssize_t n;

	hostfs_proc_path(hostfs_fd(dentry->d_inode), proc, sizeof(proc));
	n = getxattr(proc, name, value, size);
	return n < 0 ? hostfs_errno(saved) : n;
}

int hostfs_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size,
		    int flags)
{
	char proc[32];
	int saved = errno;

	hostfs_proc_path(hostfs_fd(dentry->d_inode), proc, sizeof(proc));
	if (setxattr(proc, name, value, size, flags) < 0)
		return hostfs_errno(saved);
	hostfs_refresh(dentry->d_inode); /* ctime */
	return 0;
}

ssize_t hostfs_listxattr(struct dentry *dentry, char *list, size_t size)
{
	char proc[32];
	int saved = errno;
	ssize_t n;

	hostfs_proc_path(hostfs_fd(dentry->d_inode), proc, sizeof(proc));
	n = listxattr(proc, list, size);
	return n < 0 ? hostfs_errno(saved) : n;
}

int hostfs_removexattr(struct dentry *dentry, const char *name)
{
	char proc[32];
	int saved = errno;

	hostfs_proc_path(hostfs_fd(dentry->d_inode), proc, sizeof(proc));
	if (removexattr(proc, name) < 0)
		return hostfs_errno(saved);
	hostfs_refresh(dentry->d_inode);
	return 0;
}
