/*
 * internal.h - hostfs's private header: the inode and superblock structures and the
 * host system call layer, grouped by the file that implements each part.
 *
 * Every hostfs inode owns one host O_PATH descriptor (hi->fd) of the very file it
 * stands for, opened when the inode is made (lookup, create) and closed in
 * destroy_inode; a child is only ever opened relative to its parent's descriptor, so a
 * walk never re-resolves a host path from the top and a rename or a symlink swapped in
 * above a held descriptor cannot redirect it. The superblock is SB_DROP_UNUSED: an
 * unused dentry (and so its inode and descriptor) goes at once, which bounds the open
 * host descriptors to the names in use and makes every fresh walk look at the host
 * again (there is no revalidation hook in the core yet: a dentry in use is trusted, so
 * hostfs assumes exclusive access to the host tree while a name is in use).
 *
 * Locking: everything here is protected by the VFS lock (held across every operation);
 * hostfs takes no lock of its own. The host calls may block (a slow disk), which stalls
 * the kernel's other threads only, as doc/locking.md allows.
 */
#ifndef VFSLAB_HOST_HOSTFS_INTERNAL_H
#define VFSLAB_HOST_HOSTFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "hostfs.h"

/* A hostfs inode. Protected by: vfs->lock. */
struct hostfs_inode {
	struct inode vfs_inode;
	int fd;		   /* host O_PATH|O_NOFOLLOW descriptor of this file (owned) */
	uint64_t host_dev; /* the host st_dev, to check a reopen by name found the same file */
};

/* Per superblock. Protected by: vfs->lock (immutable after get_tree). */
struct hostfs_sb_info {
	char *root_path; /* the host directory, as given (show_options) */
	bool root_opt;	 /* it came from root= rather than the source string */
};

static inline struct hostfs_inode *HOSTFS_I(struct inode *inode)
{
	return container_of(inode, struct hostfs_inode, vfs_inode);
}

static inline int hostfs_fd(struct inode *inode)
{
	return HOSTFS_I(inode)->fd;
}

/* --- sys.c: the host system calls, each returning 0/-errno with errno preserved ---- */

/* Check a single name component: -ENOENT if empty, -ENAMETOOLONG past 255 bytes,
 * -EINVAL for '/', NUL, "." or "..". */
int hostfs_check_name(const char *name, size_t len);
/* Open name (checked) beneath dirfd with flags | O_NOFOLLOW | O_CLOEXEC, confined by
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS; the new fd in *out. */
int hostfs_openat(int dirfd, const char *name, int flags, int *out);
/* fstatat(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW): the file fd stands for. */
int hostfs_fstat(int fd, struct stat *st);
/* "/proc/self/fd/N" for fd into buf (at least 32 bytes): the exact file an O_PATH
 * descriptor stands for, for the calls that have no descriptor form usable on O_PATH
 * (the xattr family, chmod on kernels before fchmodat2). */
void hostfs_proc_path(int fd, char *buf, size_t size);
/* chmod the file an O_PATH descriptor holds: fchmodat2(fd, "", AT_EMPTY_PATH) (Linux
 * 6.6), else chmod of its /proc/self/fd magic link. */
int hostfs_fchmod(int fd, uint32_t mode);
/* Close fd, keeping errno. */
void hostfs_close(int fd);
/* -errno of the last failed call, restoring errno to saved. */
int hostfs_errno(int saved);

/* --- inode.c ----------------------------------------------------------------------- */

/* A new inode for the host file fd (consumed, even on failure) described by st; one
 * reference returned in *out. */
int hostfs_new_inode(struct super_block *sb, int fd, const struct stat *st, struct inode **out);
/* Copy the host's attributes st into inode. */
void hostfs_copy_attr(struct inode *inode, const struct stat *st);
/* Refresh inode from the host (fstat of its descriptor). */
int hostfs_refresh(struct inode *inode);
/* Open dentry's file again with flags (O_RDONLY / O_WRONLY / O_RDWR / O_DIRECTORY...),
 * as a descriptor that can do I/O: a directory through "." beneath its own descriptor,
 * anything else by its name beneath its parent's, checked to be the same host file
 * (-ESTALE when the name now holds another). The descriptor in *out. */
int hostfs_reopen(struct dentry *dentry, int flags, int *out);
void hostfs_destroy_inode(struct inode *inode);

/* --- file.c ------------------------------------------------------------------------ */

extern const struct file_operations hostfs_file_fops;
extern const struct file_operations hostfs_dir_fops;
extern const struct file_operations hostfs_special_fops;

/* --- xattr.c ----------------------------------------------------------------------- */

ssize_t hostfs_getxattr(struct dentry *dentry, const char *name, void *value, size_t size);
int hostfs_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size,
		    int flags);
ssize_t hostfs_listxattr(struct dentry *dentry, char *list, size_t size);
int hostfs_removexattr(struct dentry *dentry, const char *name);

#endif
