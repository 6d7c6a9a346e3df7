/*
 * fs.h - the contract between the VFS core and the filesystems (tmpfs, overlay, gofer,
 * ...): superblocks, inodes, dentries, files and their operations tables.
 *
 * The model is Linux's: a generic path walk over a dentry cache, with each filesystem
 * providing inode, file and superblock operations. Ops tables are static const with
 * designated initializers; a NULL slot means the generic default (documented per slot).
 *
 * Locking: the VFS has one lock (struct vfs::lock) held across every call into a
 * filesystem operation; operations must not take it and must not call the public API
 * (vfs.h). See doc/locking.md. Reference counts are plain integers protected by it.
 *
 * References: d_get/d_put, iget/iput, mnt_get/mnt_put, path_get/path_put, file_get/
 * file_put. A function comment says when a reference is consumed or returned.
 */
#ifndef VFSLAB_VFS_FS_H
#define VFSLAB_VFS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../base/compiler.h"
#include "../base/err.h"
#include "../base/list.h"
#include "../base/strbuf.h"
#include "vfslab/vfs.h"

struct cred;
struct dentry;
struct file;
struct fs_context;
struct inode;
struct mount;
struct super_block;
struct vfs;

/* Permission request bits, as Linux's MAY_*. */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
#define MAY_APPEND 0x8
#define MAY_ACCESS 0x10	/* faccessat: use the real ids (see cred) */
#define MAY_CHDIR 0x40

/* ---------------------------------------------------------------------------------- */
/* Inodes */

/* The owner, group and mode of an inode about to be created, decided by the VFS (umask,
 * setgid directories, the caller's fsuid/fsgid) so every filesystem agrees. */
struct vfs_new_inode {
	uint32_t mode;	/* S_IFxxx | permission bits */
	uint32_t uid;
	uint32_t gid;
	uint32_t rdev;	/* VFS_MKDEV, for device nodes */
};

/* Attribute changes for setattr; the VFS has done the permission checks and computed
 * the mode (suid/sgid clearing) before calling. */
#define ATTR_MODE (1u << 0)
#define ATTR_UID (1u << 1)
#define ATTR_GID (1u << 2)
#define ATTR_SIZE (1u << 3)
#define ATTR_ATIME (1u << 4)
#define ATTR_MTIME (1u << 5)
#define ATTR_CTIME (1u << 6)

struct iattr {
	unsigned valid;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	int64_t size;
	int64_t atime_ns;
	int64_t mtime_ns;
	int64_t ctime_ns;
};

/*
 * Inode operations. All are called with the VFS lock held. dir is a directory inode,
 * dentry the child concerned. On success a creating operation must d_instantiate()
 * the (negative) dentry. Errors are negative errnos, passed to the caller unchanged.
 */
struct inode_operations {
	/* Find dentry's name in dir. Leave the dentry negative for "no such entry" and
	 * return 0; fill it with d_instantiate() when found. NULL: every name the dcache
	 * does not hold is absent (the dcache is the filesystem, as for tmpfs). */
	int (*lookup)(struct inode *dir, struct dentry *dentry);
	/* Create a regular file, device, fifo or socket: ni->mode has the type. */
	int (*mknod)(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni);
	int (*mkdir)(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni);
	int (*symlink)(struct inode *dir, struct dentry *dentry, const char *target,
		       const struct vfs_new_inode *ni);
	/* Make new (negative, in dir) another name of old's inode. */
	int (*link)(struct dentry *old, struct inode *dir, struct dentry *new_dentry);
	/* Remove a non-directory / an empty directory (the VFS checked it is empty in the
	 * dcache only for filesystems without lookup; others check themselves). */
	int (*unlink)(struct inode *dir, struct dentry *dentry);
	int (*rmdir)(struct inode *dir, struct dentry *dentry);
	/* Rename with RENAME_NOREPLACE/EXCHANGE already validated by the VFS (types,
	 * emptiness of a replaced directory, loops). The VFS moves the dentries after a
	 * successful return (d_move / d_exchange). */
	int (*rename)(struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
		      struct dentry *new_dentry, unsigned flags);
	/* Copy the symlink target into buf (no NUL); return its length, which may exceed
	 * len (then only len bytes were copied). */
	ssize_t (*readlink)(struct dentry *dentry, char *buf, size_t len);
	/* Apply validated changes. NULL: setattr_copy() into the inode (no ATTR_SIZE). */
	int (*setattr)(struct dentry *dentry, const struct iattr *attr);
	/* Fill st. NULL: generic_fillattr() from the inode. */
	int (*getattr)(struct dentry *dentry, struct vfs_stat *st);
	/* Extended attributes; the VFS checked namespaces and permissions. NULL: EOPNOTSUPP. */
	ssize_t (*getxattr)(struct dentry *dentry, const char *name, void *value, size_t size);
	int (*setxattr)(struct dentry *dentry, const char *name, const void *value, size_t size,
			int flags);
	ssize_t (*listxattr)(struct dentry *dentry, char *list, size_t size);
	int (*removexattr)(struct dentry *dentry, const char *name);
	/* Permission check. NULL: generic_permission(). */
	int (*permission)(struct inode *inode, int mask, const struct cred *cred);
};

/* Readdir: the filesystem calls dir_emit for each entry starting at ctx->pos, and
 * advances ctx->pos past each entry emitted; it stops when dir_emit returns false. */
struct dir_context {
	bool (*actor)(struct dir_context *ctx, const char *name, size_t namelen, int64_t next_pos,
		      uint64_t ino, unsigned dtype);
	int64_t pos;
};

static inline bool dir_emit(struct dir_context *ctx, const char *name, size_t namelen,
			    uint64_t ino, unsigned dtype)
{
	return ctx->actor(ctx, name, namelen, ctx->pos + 1, ino, dtype);
}

/*
 * File operations, called with the VFS lock held. read/write are positional: the VFS
 * owns f_pos and O_APPEND (it passes the offset to write at).
 */
struct file_operations {
	/* Called after the VFS opened the file; may set file->private_data. NULL: nothing. */
	int (*open)(struct inode *inode, struct file *file);
	/* The last reference is gone. NULL: nothing. */
	void (*release)(struct inode *inode, struct file *file);
	/* NULL: EINVAL (read) / EINVAL (write). Return bytes moved or -errno. */
	ssize_t (*read)(struct file *file, void *buf, size_t len, int64_t off);
	ssize_t (*write)(struct file *file, const void *buf, size_t len, int64_t off);
	/* Directory listing. NULL on a directory: ENOTDIR. dcache_readdir serves
	 * filesystems whose dcache is the filesystem. */
	int (*iterate)(struct file *file, struct dir_context *ctx);
	/* SEEK_DATA/SEEK_HOLE. NULL: the whole file is data. Other whences are the VFS's. */
	int64_t (*seek_data)(struct file *file, int64_t off, int whence);
	/* NULL: 0. */
	int (*fsync)(struct file *file);
	/* NULL: ENOTTY. */
	int (*ioctl)(struct file *file, unsigned long req, void *arg);
	/* The offset was changed by lseek (directories reset cursors). NULL: nothing. */
	void (*seeked)(struct file *file);
	/* Called on the destination (Linux's copy_file_range): copy len bytes at in_off of
	 * in to out_off of out, holes staying holes where the filesystem can. Bytes copied
	 * (short at in's EOF or after a failure once some were copied) or -errno;
	 * -EOPNOTSUPP when it cannot (another filesystem, an alignment it does not
	 * support), so the caller copies through read/write. NULL: the same. */
	ssize_t (*copy_file_range)(struct file *in, int64_t in_off, struct file *out,
				   int64_t out_off, size_t len);
};

/* Inode flags (i_flags). */
#define I_SYNTHETIC (1u << 0) /* owned by the VFS: a synthetic mount point directory */

/*
 * The generic inode, embedded in each filesystem's own (container_of).
 * Protected by: vfs->lock (all fields).
 */
struct inode {
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;
	struct super_block *i_sb;
	uint64_t i_ino;
	uint32_t i_mode;
	uint32_t i_nlink;
	uint32_t i_uid;
	uint32_t i_gid;
	uint32_t i_rdev;
	uint32_t i_flags;
	int32_t i_count;	/* dentries pointing here + other holders */
	int32_t i_writers;	/* open files with write access */
	int64_t i_size;
	int64_t i_atime;	/* nanoseconds since the epoch */
	int64_t i_mtime;
	int64_t i_ctime;
};

/* ---------------------------------------------------------------------------------- */
/* Dentries */

/* Dentry flags (d_flags). */
#define D_HASHED (1u << 0)	/* in its parent's children table */
#define D_CURSOR (1u << 1)	/* a readdir cursor, not a name */
#define D_SYNTHETIC (1u << 2)	/* synthetic mount point (VFS-owned inode) */
#define D_ROOT (1u << 3)	/* root of its superblock */

/* The children of a directory dentry: an open-addressing hash table for O(1) lookup
 * and a list in creation order for readdir (readdir cursors live in the list too). */
struct dentry_dir {
	uintptr_t *slots;	/* 0 or a tagged dentry pointer (see dentry.c); linear probing,
				 * backward-shift delete */
	uint32_t mask;		/* table size - 1 (size a power of two), or 0 when unallocated */
	uint32_t count;		/* hashed children, positive or negative */
	uint32_t positive;	/* children with an inode */
	struct list_head children; /* of dentry.d_child */
};

/*
 * A name in a directory. Positive when d_inode is set, negative otherwise. A child
 * holds a reference to its parent. An unused (d_count == 0) hashed positive dentry is
 * kept as the cache (for tmpfs, it is the filesystem); a negative one is dropped unless
 * its superblock caches negatives.
 * Protected by: vfs->lock.
 */
struct dentry {
	struct dentry *d_parent;	/* self for a root */
	struct inode *d_inode;
	struct super_block *d_sb;
	struct dentry_dir *d_dir;	/* children, allocated on first child */
	struct list_head d_child;	/* in d_parent->d_dir->children */
	uint32_t d_hash;
	int32_t d_count;
	uint16_t d_flags;
	uint16_t d_namelen;
	uint32_t d_mounted;		/* mounts whose mount point this is */
	void *d_fsdata;			/* the filesystem's (e.g. a 9P fid) */
	char *d_name;			/* NUL-terminated: d_iname or a heap copy */
	char d_iname[];			/* the name given at allocation */
};

struct dentry *d_get(struct dentry *d);
/* Drop a reference; an unused dentry is freed or kept as cache (see above). */
void d_put(struct dentry *d);
/* A new root dentry for inode (consumes the inode reference); NULL on ENOMEM (the
 * inode reference is dropped then). */
struct dentry *d_make_root(struct inode *inode);
/* Make d positive with inode (consumes the inode reference). */
void d_instantiate(struct dentry *d, struct inode *inode);
/* The cached child named name of dir, or NULL; no reference is taken. */
struct dentry *d_lookup(struct dentry *dir, const char *name, size_t len);
/* A new hashed negative child of parent (a reference returned), or ERR_PTR(-ENOMEM). */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
/* Remove d from its parent's table: it is no longer reachable by name. */
void d_unhash(struct dentry *d);
/* Called after a successful unlink/rmdir of d: unhashes it (it stays valid for holders). */
void d_delete(struct dentry *d);
/* Move d to the name and parent of target (target is unhashed); after a rename. name
 * is a heap copy of target's name (d_name_dup), consumed: allocating it before the
 * filesystem renames is what makes this step unable to fail. */
void d_move(struct dentry *d, struct dentry *target, char *name);
/* Swap two dentries' names and parents; after RENAME_EXCHANGE. name_a is a copy of b's
 * name (a's new name), name_b of a's; both consumed. */
void d_exchange(struct dentry *a, struct dentry *b, char *name_a, char *name_b);
/* A heap copy of d's name (NULL on ENOMEM). */
char *d_name_dup(const struct dentry *d);
bool d_is_dir(const struct dentry *d);
bool d_is_negative(const struct dentry *d);
/* Generic readdir over the dcache children list (tmpfs and pseudo filesystems): `.`,
 * `..`, then positive children in creation order; offsets are stable across
 * concurrent creation and removal (a cursor dentry marks the position). */
int dcache_readdir(struct file *file, struct dir_context *ctx);
/* The path of d from its superblock root ("/" for the root), for mountinfo. */
int d_path_in_sb(const struct dentry *d, struct strbuf *sb);

/* ---------------------------------------------------------------------------------- */
/* Superblocks */

struct super_operations {
	/* Free an inode of this filesystem (i_count reached 0). Required. */
	void (*destroy_inode)(struct inode *inode);
	/* NULL: zeros with the generic fields filled. */
	int (*statfs)(struct super_block *sb, struct vfs_statfs *st);
	/* The superblock is going away: free s_fs_info. NULL: nothing. */
	void (*put_super)(struct super_block *sb);
	/* Apply the options of a remount (MS_REMOUNT); NULL: options are refused if any. */
	int (*remount)(struct super_block *sb, struct fs_context *fc);
	/* Append ",opt=val..." after "rw"/"ro" in mountinfo's super options. NULL: none. */
	void (*show_options)(struct super_block *sb, struct strbuf *out);
};

/* Superblock flags. */
#define SB_RDONLY (1u << 0)
#define SB_CACHE_NEGATIVE (1u << 1)	/* keep unused negative dentries (remote fs) */
#define SB_DROP_UNUSED (1u << 2)	/* free dentries when unused (proc: names come and go) */
#define SB_MOUNTED (1u << 3)	/* a mount has held it (set by the VFS): put_super without it
				 * means the mount failed after get_tree */

/* Protected by: vfs->lock. */
struct super_block {
	const struct super_operations *s_op;
	const struct fs_type *s_type;
	struct vfs *s_vfs;
	struct dentry *s_root;
	uint32_t s_dev;
	uint32_t s_flags;
	int64_t s_magic;
	int32_t s_active;	/* mounts of this superblock */
	uint32_t s_blocksize;
	uint64_t s_next_ino;
	char *s_source;		/* the device string it was mounted from */
	void *s_fs_info;
};

/* ---------------------------------------------------------------------------------- */
/* Filesystem types and mounting */

/* Registration flags, as gVisor's RegisterFilesystemTypeOptions. */
#define FS_USER_MOUNT (1u << 0)	/* a task without CAP_SYS_ADMIN may mount it */
#define FS_USER_LIST (1u << 1)	/* listed in /proc/filesystems */
#define FS_REQUIRES_DEV (1u << 2) /* a block device filesystem (no "nodev" column) */

struct fs_type {
	const char *name;
	/* Build a superblock from fc (source, data, internal). On success *out holds
	 * a new superblock with s_root set, s_active 0, or an existing superblock of this
	 * type that the new mount shares (a cgroup hierarchy); the VFS frees a superblock
	 * on failure only if no mount holds it. */
	int (*get_tree)(struct fs_context *fc, struct super_block **out);
};

struct fs_context {
	struct vfs *vfs;
	const struct fs_type *type;
	const char *source;
	char *data;			/* mutable copy of the option string, or NULL */
	const void *internal;		/* in-process options from the mounter, or NULL */
	const struct cred *cred;
	struct task *task;		/* the mounting task (path options resolve from it), or
					 * NULL for in-process mounts */
	uint32_t sb_flags;		/* SB_RDONLY requested */
	struct strbuf *errmsg;		/* fc_error() writes here */
};

/* Record why a mount failed ("tmpfs: unknown option 'foo'"); returns err. */
int fc_error(struct fs_context *fc, int err, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Split the next "key[=value]" off a comma-separated option string (in place).
 * Returns false at the end. */
bool fs_opt_next(char **cursor, char **key, char **value);

/* A new superblock with an anonymous device number (0:N) for fc; ERR_PTR on ENOMEM. */
struct super_block *sb_alloc(struct fs_context *fc, const struct super_operations *ops,
			     int64_t magic);
/* Free a superblock that was never mounted (get_tree failure paths). */
void sb_free_unmounted(struct super_block *sb);

/* Initialise a filesystem's newly allocated inode: ownership and mode from ni, a new
 * inode number, times now, nlink 1, one reference (the caller's). */
void inode_init(struct inode *inode, struct super_block *sb, const struct vfs_new_inode *ni);
struct inode *iget(struct inode *inode);
void iput(struct inode *inode);
/* Now, from the host clock. */
int64_t vfs_now(struct vfs *vfs);
/* Set mtime and ctime to now (a directory whose entries changed). */
void inode_touch_mc(struct inode *inode);
void generic_fillattr(struct inode *inode, struct vfs_stat *st);
void setattr_copy(struct inode *inode, const struct iattr *attr);
int generic_permission(struct inode *inode, int mask, const struct cred *cred);
/* dtype (DT_REG...) of a mode. */
unsigned mode_to_dtype(uint32_t mode);

/* ---------------------------------------------------------------------------------- */
/* Files */

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *p);
void path_put(struct path *p);

/* File modes (f_mode). */
#define FMODE_READ (1u << 0)
#define FMODE_WRITE (1u << 1)
#define FMODE_PATH (1u << 2)	/* O_PATH: no I/O */

/* An open file description. Protected by: vfs->lock. */
struct file {
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	uint32_t f_flags;	/* open(2) flags as given, less O_CREAT/O_EXCL/O_TRUNC */
	uint32_t f_mode;
	int64_t f_pos;
	int32_t f_count;
	void *private_data;		/* the filesystem's */
	const struct cred *f_cred;	/* the opener's credentials (a reference) */
	struct dentry *f_cursor;	/* the VFS's: dcache_readdir position, or NULL */
};

struct file *file_get(struct file *f);
void file_put(struct file *f);

#endif
