/*
 * layer.h - locked helpers for stacking filesystems (overlay): operations on the dentries
 * of another filesystem (a "layer"), called from inside a filesystem operation with the
 * VFS lock held. They do what the public API does after its checks: call the layer's
 * op, then the dcache bookkeeping (d_delete after a removal, d_move/d_exchange after a
 * rename). No permission checks: the stacking filesystem decided already (as Linux's
 * overlayfs calls vfs_* with the mounter's credentials).
 */
#ifndef VFSLAB_VFS_LAYER_H
#define VFSLAB_VFS_LAYER_H

#include "fs.h"

struct cred;

/* Open the file at p (flags as open(2): O_RDONLY/O_WRONLY/O_RDWR, O_DIRECTORY ignored)
 * as cred; a new file reference or ERR_PTR. Regular files and directories only. */
struct file *layer_open(const struct path *p, int flags, const struct cred *cred);

/* Copy len bytes at in_off of in to out_off of out through the destination's
 * copy_file_range (page to page between two tmpfs files): bytes copied, or -errno;
 * -EOPNOTSUPP when the filesystems offer no such path (the caller then reads and
 * writes). Both files opened by layer_open. */
ssize_t layer_copy_file_range(struct file *in, int64_t in_off, struct file *out, int64_t out_off,
			      size_t len);

/* Create at the negative dentry d in dir (d is instantiated on success). */
int layer_mknod(struct dentry *dir, struct dentry *d, const struct vfs_new_inode *ni);
int layer_mkdir(struct dentry *dir, struct dentry *d, const struct vfs_new_inode *ni);
int layer_symlink(struct dentry *dir, struct dentry *d, const char *target,
		  const struct vfs_new_inode *ni);
int layer_link(struct dentry *old, struct dentry *dir, struct dentry *d);
/* Remove d (a non-directory / an empty directory) from dir and unhash it. */
int layer_unlink(struct dentry *dir, struct dentry *d);
int layer_rmdir(struct dentry *dir, struct dentry *d);
/* Rename od in odir to nd in ndir (flags: RENAME_NOREPLACE, RENAME_EXCHANGE) and move
 * the dentries. Nothing changes on failure (the names are allocated first). */
int layer_rename(struct dentry *odir, struct dentry *od, struct dentry *ndir, struct dentry *nd,
		 unsigned flags);
/* Apply attr as given (no ctime added): i_op->setattr, or setattr_copy. */
int layer_setattr(struct dentry *d, const struct iattr *attr);
/* Stat d (i_op->getattr or generic_fillattr). */
int layer_getattr(struct dentry *d, struct vfs_stat *st);
ssize_t layer_readlink(struct dentry *d, char *buf, size_t len);
ssize_t layer_getxattr(struct dentry *d, const char *name, void *value, size_t size);
int layer_setxattr(struct dentry *d, const char *name, const void *value, size_t size, int flags);
ssize_t layer_listxattr(struct dentry *d, char *list, size_t size);
int layer_removexattr(struct dentry *d, const char *name);

#endif
