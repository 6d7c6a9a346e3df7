/*
 * kernfs.h - a small library for pseudo filesystems whose tree the kernel builds
 * (Linux's fs/kernfs, gVisor's fsimpl/kernfs): sysfs, cgroupfs and devpts use it.
 *
 * Model: the dcache is the filesystem, as for tmpfs. A builder adds directories, files
 * and symlinks with kernfs_mkdir/kernfs_file/kernfs_symlink at mount time; the dentries
 * stay cached (hashed, positive) until the superblock dies. A file's contents are made
 * when it is opened (Linux's seq_file single_open) and read from that snapshot; each
 * write(2) is one command handed whole to the file's store callback (Linux's kernfs
 * attribute store). A file without store refuses opening for write with EACCES, as
 * kernfs_fop_open does; a directory refuses attribute changes with EPERM, as gVisor's
 * kernfs directories do, and has no create operations unless its owner gives it some.
 *
 * Locking: every callback runs under the VFS lock (doc/locking.md); none takes a lock.
 */
#ifndef VFSLAB_FS_KERNFS_H
#define VFSLAB_FS_KERNFS_H

#include "vfs/fs.h"

struct kernfs_node;

struct kernfs_file_ops {
	/* The contents, appended to out when the file is opened for reading. */
	int (*show)(struct kernfs_node *kn, struct strbuf *out);
	/* One write(2): buf is NUL-terminated at len. Return len (or bytes consumed) or
	 * -errno. NULL: the file is read-only (EACCES on open for write). */
	ssize_t (*store)(struct kernfs_node *kn, const char *buf, size_t len);
};

/* The inode of every kernfs filesystem. Protected by: vfs->lock. */
struct kernfs_node {
	struct inode vfs_inode;
	const struct kernfs_file_ops *ops;	/* regular files */
	const char *text;			/* static contents (ops NULL), not owned */
	char *target;				/* symlink body, owned */
	void *priv;				/* the owner's */
	/* Called when the inode dies, to free priv. NULL: nothing. */
	void (*release)(struct kernfs_node *kn);
};

#define KERNFS_N(inode) container_of(inode, struct kernfs_node, vfs_inode)

/* A new inode (one reference) of sb; NULL on ENOMEM. Owner root:root. */
struct inode *kernfs_new_inode(struct super_block *sb, uint32_t mode, uint32_t rdev);
/* Name inode (reference consumed, even on failure) in parent; the dentry is returned
 * without a reference (the cache keeps it) or ERR_PTR. */
struct dentry *kernfs_add(struct dentry *parent, const char *name, struct inode *inode);
/* A directory (mode: permission bits) named name in parent, with iops (NULL: the plain
 * kernfs directory). */
struct dentry *kernfs_mkdir(struct dentry *parent, const char *name, uint32_t mode,
			    const struct inode_operations *iops);
/* A regular file whose contents come from ops; the node is returned (ERR_PTR on error). */
struct kernfs_node *kernfs_file(struct dentry *parent, const char *name, uint32_t mode,
				const struct kernfs_file_ops *ops, void *priv);
/* A regular file with fixed contents (text must outlive the superblock). */
int kernfs_static(struct dentry *parent, const char *name, uint32_t mode, const char *text);
int kernfs_symlink(struct dentry *parent, const char *name, const char *target);
/* Remove the cached child d of parent and everything below it (no reference held). */
void kernfs_remove(struct dentry *d);
/* The root directory inode for a new superblock (mode: permission bits). */
struct inode *kernfs_root_inode(struct super_block *sb, uint32_t mode,
				const struct inode_operations *iops);

/* For owners that build their own directory operations. */
void kernfs_destroy_inode(struct inode *inode);
int kernfs_dir_setattr(struct dentry *dentry, const struct iattr *attr);
extern const struct inode_operations kernfs_dir_iops;
extern const struct file_operations kernfs_dir_fops;

#endif
