/*
 * internal.h - the overlay's private header, grouped by the file implementing each part.
 *
 * Model (Linux's): each overlay inode holds its upper dentry (NULL until copy-up) and
 * its stack of lower dentries (the merged directories below, topmost first; for a
 * non-directory at most one, its origin, kept after copy-up so st_ino stays stable).
 * Dentries of the layers are reached by lookup_one and changed through the locked
 * helpers of vfs/layer.h. Only the overlay changes its upper layer, so overlay dentries
 * stay valid while cached (Linux forbids changing layers under a mounted overlay too).
 *
 * Locking: everything is protected by the VFS lock, held across every operation.
 */
#ifndef VFSLAB_FS_OVERLAY_INTERNAL_H
#define VFSLAB_FS_OVERLAY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/internal.h"
#include "overlay.h"
#include "vfs/internal.h"
#include "vfs/layer.h"

#define OVL_XATTR_PREFIX "trusted.overlay."
#define OVL_XATTR_PREFIX_LEN (sizeof(OVL_XATTR_PREFIX) - 1)
#define OVL_XATTR_OPAQUE "trusted.overlay.opaque"
/* The copy-up origin, a file handle in Linux's format (xattr.c). */
#define OVL_XATTR_ORIGIN "trusted.overlay.origin"
/* The name of the directory the overlay owns inside workdir, as Linux's. */
#define OVL_WORKDIR_NAME "work"

/* Per superblock. Protected by: vfs->lock. */
struct ovl_fs {
	struct path upper;    /* upper root; mnt NULL for a read-only overlay */
	struct path work;     /* workdir/work; dentry NULL: copy up in place */
	struct path workbase; /* workdir as given (holds work's parent) */
	struct path *lower;   /* lower roots, topmost first */
	size_t nr_lower;
	const struct cred *cred; /* the mounter's: layer files are opened with it */
	char *opt_lowerdir;	 /* option strings as given, for show_options */
	char *opt_upperdir;
	char *opt_workdir;
	bool linux_rename_dir; /* redirect_dir=off: EXDEV for renaming a merged directory */
	uint64_t tmp_seq;      /* names of temporaries in the work directory */
	/* In-process form: the upper root's attributes before the mount copied the lower
	 * root's to it (put_super restores them if the mount failed after get_tree). */
	struct iattr root_undo;
	bool root_copied;
	/* Overlay inodes of non-directories with an upper, by upper inode (hard links). */
	struct ovl_inode **ihash;
	size_t ihash_size; /* a power of two */
	size_t ihash_count;
};

/* Per inode. Protected by: vfs->lock. */
struct ovl_inode {
	struct inode vfs_inode;
	struct dentry *upper;  /* a reference, or NULL (not copied up) */
	struct dentry **lower; /* references, topmost first */
	uint32_t nr_lower;
	uint32_t origin_layer;	 /* 1 + index of the origin's layer, 0 when pure upper */
	uint64_t origin_ino;	 /* the origin's inode number in that layer */
	bool opaque;		 /* upper directory marked opaque: no lowers below */
	bool dead;		 /* removed through the overlay */
	uint64_t version;	 /* bumped when a directory's entries change */
	uint32_t *lower_layer;	 /* layer index + 1 of each lower[i] */
	struct ovl_inode *hnext; /* chain in ovl_fs.ihash */
	bool hashed;
};

static inline struct ovl_inode *OVL_I(struct inode *inode)
{
	return container_of(inode, struct ovl_inode, vfs_inode);
}

static inline struct ovl_fs *OVL_FS(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* The dentry that now holds the inode's data and attributes: upper, else lower[0]. */
static inline struct dentry *ovl_real(struct inode *inode)
{
	struct ovl_inode *oi = OVL_I(inode);

	return oi->upper ? oi->upper : oi->lower[0];
}

/* --- inode.c: inodes, lookup, attributes ------------------------------------------ */

/* Where a file came from, for st_ino (see inode.c): 1 + the index of its lower layer
 * (0: none, a file that only ever was in the upper layer) and its inode number there. */
struct ovl_origin {
	uint32_t layer;
	uint64_t ino;
};

/* A new overlay inode over upper (reference consumed, may be NULL) and the n lower
 * dentries of lower (references consumed); on failure every reference is dropped. Its
 * origin is lower[0] when n > 0, else *origin (NULL: none). */
struct inode *ovl_new_inode(struct super_block *sb, struct dentry *upper, struct dentry **lower,
			    uint32_t *layers, uint32_t n, const struct ovl_origin *origin);
void ovl_destroy_inode(struct inode *inode);
/* Enter the inode (a non-directory that just got its upper) in the hard-link table. */
void ovl_ihash_add(struct ovl_inode *oi);
/* The table of a new superblock; 0 or -ENOMEM. */
int ovl_ihash_init(struct ovl_fs *ofs);
/* Refresh the overlay inode's attributes from its real inode. */
void ovl_copyattr(struct inode *inode);
bool ovl_is_whiteout(const struct dentry *d);
/* Is the directory upper opaque (trusted.overlay.opaque=y)? */
bool ovl_is_opaque(struct dentry *upper);
/* Does any lower layer below the overlay directory dir hold name (a whiteout ends the
 * search)? That is: would removing the upper entry uncover something? */
int ovl_lower_positive(struct dentry *dir, const char *name, size_t len);
extern const struct inode_operations ovl_dir_iops;
extern const struct inode_operations ovl_file_iops;
extern const struct inode_operations ovl_symlink_iops;
extern const struct inode_operations ovl_special_iops;
int ovl_setattr(struct dentry *dentry, const struct iattr *attr);
int ovl_getattr(struct dentry *dentry, struct vfs_stat *st);
int ovl_permission(struct inode *inode, int mask, const struct cred *cred);

/* --- dir.c: namespace operations and merged readdir ------------------------------- */

int ovl_lookup(struct inode *dir, struct dentry *dentry);
int ovl_mknod(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni);
int ovl_mkdir(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni);
int ovl_symlink(struct inode *dir, struct dentry *dentry, const char *target,
		const struct vfs_new_inode *ni);
int ovl_link(struct dentry *old, struct inode *dir, struct dentry *new_dentry);
int ovl_unlink(struct inode *dir, struct dentry *dentry);
int ovl_rmdir(struct inode *dir, struct dentry *dentry);
int ovl_rename(struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	       struct dentry *new_dentry, unsigned flags);
extern const struct file_operations ovl_dir_fops;

/* --- copy_up.c -------------------------------------------------------------------- */

/* Copy dentry (an overlay dentry) up to the upper layer, its ancestors first; 0 when it
 * is there already. -EROFS without an upper layer. */
int ovl_copy_up(struct dentry *dentry);
/* Copy the regular file lower's data into the empty upper file (page to page when the
 * layers offer it, else through a buffer, holes kept) and set upper's size to lower's.
 * On failure upper may hold part of the data: the caller removes or truncates it. */
int ovl_copy_data(struct ovl_fs *ofs, const struct path *lower, const struct path *upper);
/* A new whiteout at the negative upper dentry d in upper directory dir. */
int ovl_make_whiteout(struct ovl_fs *ofs, struct dentry *dir, struct dentry *d);
/* A new unused name in the work directory: a negative dentry (a reference) or ERR_PTR. */
struct dentry *ovl_work_temp(struct ovl_fs *ofs);
/* The same in the upper directory dir (a name nothing else uses). */
struct dentry *ovl_temp_in(struct ovl_fs *ofs, struct dentry *dir);
/* Remove every whiteout in the upper directory dir (before removing it). */
int ovl_clear_whiteouts(struct ovl_fs *ofs, struct dentry *dir);

/* --- file.c ----------------------------------------------------------------------- */

extern const struct file_operations ovl_file_fops;

/* --- xattr.c ---------------------------------------------------------------------- */

bool ovl_is_private_xattr(const char *name);
ssize_t ovl_getxattr(struct dentry *dentry, const char *name, void *value, size_t size);
int ovl_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size,
		 int flags);
ssize_t ovl_listxattr(struct dentry *dentry, char *list, size_t size);
int ovl_removexattr(struct dentry *dentry, const char *name);
/* Copy every xattr but trusted.overlay.* from src to dst (copy-up). */
int ovl_copy_xattrs(struct dentry *src, struct dentry *dst);
/* Record on the upper copy that it came from origin, a dentry of lower layer layer
 * (1-based): trusted.overlay.origin, so st_ino survives a remount. */
int ovl_set_origin(struct dentry *upper, const struct dentry *origin, uint32_t layer);
/* Read the origin recorded on upper and find its layer among this mount's: *origin
 * filled when found, left alone when there is none or it names no layer of this mount
 * (Linux's "origin unknown"); -errno only when the xattr cannot be read. */
int ovl_get_origin(struct ovl_fs *ofs, struct dentry *upper, struct ovl_origin *origin);

/* --- dir.c (readdir) -------------------------------------------------------------- */

/* Is the merged directory (an overlay dentry) empty, whiteouts aside? 0, -ENOTEMPTY or
 * another error. */
int ovl_check_empty_dir(struct dentry *dentry);

#endif
