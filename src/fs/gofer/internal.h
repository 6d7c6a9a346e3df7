/*
 * internal.h - private to the gofer filesystem: its superblock and inode, grouped by the
 * file that implements each part.
 *
 * Fids. Each inode holds one walked (not opened) fid naming its file: names are resolved
 * from a directory inode's fid, attributes asked and changed through a file's own fid.
 * Inodes are shared by every name of a file (found by qid path), so a hard link is one
 * inode. An open file clones the inode's fid and opens the clone (private_data). Fids
 * are clunked without waiting when inodes and files go, because destroy_inode and
 * release must not block.
 *
 * Locking: everything here is protected by the VFS lock, held across every filesystem
 * operation; 9P round trips happen with it held (doc/locking.md). The client has its own
 * locks and never calls back into the VFS.
 */
#ifndef VFSLAB_FS_GOFER_INTERNAL_H
#define VFSLAB_FS_GOFER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/gofer/gofer.h"
#include "vfslab/p9client.h"

#define GOFER_IHASH 256

struct gofer_inode;

/* Per superblock. Protected by: vfs->lock (the client is thread-safe on its own). */
struct gofer_sb_info {
	struct p9_client *client;
	bool revalidate; /* cache=remote_revalidating: shared access */
	bool stale_read; /* overlayfs_stale_read */
	uint32_t dfltuid, dfltgid;
	char *opts;				/* what show_options prints, ",key=value..." */
	struct gofer_inode *ihash[GOFER_IHASH]; /* by qid path */
};

/* Protected by: vfs->lock. */
struct gofer_inode {
	struct inode vfs_inode;
	struct gofer_inode *hnext;
	bool hashed;
	bool stale; /* attributes changed remotely by us: ask again before trusting */
	uint32_t fid;
	struct p9_qid qid;
	int64_t blocks;
	uint32_t blksize;
	char *symlink; /* the target, cached (exclusive mode) */
};

static inline struct gofer_inode *GOFER_I(struct inode *inode)
{
	return container_of(inode, struct gofer_inode, vfs_inode);
}

static inline struct gofer_sb_info *GOFER_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct p9_client *gofer_client(struct inode *inode)
{
	return GOFER_SB(inode->i_sb)->client;
}

/* --- inode.c ----------------------------------------------------------------------- */

/* The inode for the file fid names (fid consumed: kept by a new inode, else clunked), its
 * attributes ga; a reference returned in *out. */
int gofer_iget(struct super_block *sb, uint32_t fid, const struct p9_getattr *ga,
	       struct inode **out);
void gofer_destroy_inode(struct inode *inode);
/* Copy the server's attributes into the inode. */
void gofer_apply_attr(struct inode *inode, const struct p9_getattr *ga);

/* --- file.c ------------------------------------------------------------------------ */

extern const struct file_operations gofer_file_fops;
extern const struct file_operations gofer_dir_fops;

#endif
