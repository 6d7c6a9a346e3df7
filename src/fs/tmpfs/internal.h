/*
 * internal.h - tmpfs's private header: the superblock and inode structures shared by
 * super.c, inode.c, file.c and xattr.c, grouped by the file that implements each part.
 *
 * Locking: everything here is protected by the VFS lock (vfs->lock), held across every
 * filesystem operation; tmpfs takes no lock of its own. The one thing shared between
 * superblocks, pages.c's spare region, is a single atomic pointer.
 *
 * Accounting (as Linux's shmem_sb_info): used_pages counts the data pages of regular
 * files and the page of each long symlink; used_inodes counts inodes plus the extra
 * names of hard-linked non-directories (Linux charges a link like an inode because its
 * dentry is pinned in memory). A limit of 0 means unlimited.
 */
#ifndef VFSLAB_FS_TMPFS_INTERNAL_H
#define VFSLAB_FS_TMPFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tmpfs.h"

#define TMPFS_PAGE_SHIFT 12
#define TMPFS_PAGE_SIZE (1u << TMPFS_PAGE_SHIFT)
/* st_blocks counts 512-byte units. */
#define TMPFS_BLOCKS_PER_PAGE (TMPFS_PAGE_SIZE / 512)
#define TMPFS_RAM_PAGES (TMPFS_SIM_RAM_BYTES >> TMPFS_PAGE_SHIFT)
/* Linux's defaults: half of RAM in pages, and as many inodes. */
#define TMPFS_DEFAULT_MAX_PAGES (TMPFS_RAM_PAGES / 2)
#define TMPFS_DEFAULT_MAX_INODES (TMPFS_RAM_PAGES / 2)
#define TMPFS_DEFAULT_DIR_MODE 01777
#define TMPFS_DEFAULT_REG_MODE 0777
/* A directory's st_size: Linux's BOGO_DIRENT_SIZE per entry, counting . and .. */
#define TMPFS_BOGO_DIRENT_SIZE 20
/* Linux keeps a target shorter than this inline; a longer one takes (and is charged) a
 * page, so its st_blocks is 8. */
#define TMPFS_SHORT_SYMLINK_LEN 128
#define TMPFS_SYMLINK_MAX 4095

struct tmpfs_region;

/*
 * A superblock's data page pool (pages.c): 4 KiB pages carved from 2 MiB-aligned
 * regions. All-zero is an empty pool. Per superblock rather than process-global because
 * every caller already holds this superblock's vfs->lock: the hot path takes no lock of
 * its own, and unmounting a tmpfs returns all its memory.
 * Protected by: vfs->lock.
 */
struct tmpfs_pool {
	struct tmpfs_region *partial; /* regions with a page to hand out, most recent first */
	uint64_t nr_pages;	      /* pages handed out and not yet put back */
	uint64_t nr_regions;	      /* regions owned */
};

/* Per superblock. Protected by: vfs->lock. */
struct tmpfs_sb_info {
	uint64_t max_pages; /* 0: unlimited */
	uint64_t used_pages;
	uint64_t max_inodes; /* 0: unlimited */
	uint64_t used_inodes;
	uint32_t mode; /* root's, as given at mount (show_options) */
	uint32_t uid;
	uint32_t gid;
	struct tmpfs_pool pool; /* data pages of regular files */
};

struct tmpfs_xattr;

/*
 * A tmpfs inode. Kept small (120 bytes: glibc hands out a 128-byte chunk) because a
 * tmpfs holds every file it has in memory. Regular files keep their data in a radix
 * tree of 4 KiB pages (file.c): pt_root is the page of index 0 when pt_height is 0, else
 * a node of 512 slots covering 512^pt_height pages; a NULL slot is a hole. Invariant:
 * the bytes of an allocated page at or past i_size are zero, so extending a file never
 * has to clear anything.
 * Protected by: vfs->lock.
 */
struct tmpfs_inode {
	struct inode vfs_inode;
	union {
		struct { /* S_IFREG */
			void *pt_root;
			uint32_t nr_pages; /* allocated data pages */
			uint8_t pt_height;
		};
		char *symlink; /* S_IFLNK: the target, NUL-terminated, i_size bytes */
	};
	struct tmpfs_xattr *xattrs; /* sorted by name, as Linux lists them */
};

static inline struct tmpfs_inode *TMPFS_I(struct inode *inode)
{
	return container_of(inode, struct tmpfs_inode, vfs_inode);
}

static inline struct tmpfs_sb_info *TMPFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* --- inode.c: inodes and the namespace ------------------------------------------- */

/* A new inode for ni (one reference returned in *out), charged to sb: -ENOSPC past
 * nr_inodes, -ENOMEM, -EINVAL for an unknown file type. */
int tmpfs_new_inode(struct super_block *sb, const struct vfs_new_inode *ni, struct inode **out);
/* super_operations.destroy_inode: free the inode and everything it holds. */
void tmpfs_destroy_inode(struct inode *inode);

/* --- file.c: regular file data ----------------------------------------------------- */

extern const struct file_operations tmpfs_file_fops;
/* Set a regular file's size: shrinking frees pages past it and zeroes the tail of a
 * partial last page; growing makes a hole. Cannot fail. */
void tmpfs_file_resize(struct tmpfs_inode *ti, int64_t size);
/* Free all data pages (inode destruction). */
void tmpfs_file_free_data(struct tmpfs_inode *ti);
/* Take n pages from the superblock's budget: -ENOSPC past size=. */
int tmpfs_charge_pages(struct super_block *sb, uint64_t n);
void tmpfs_uncharge_pages(struct super_block *sb, uint64_t n);

/* --- pages.c: the data page pool ------------------------------------------------- */

/* A 4 KiB-aligned page from sb's pool in *page: -ENOMEM (FAULT_ALLOC is consulted once
 * per page). *zeroed says whether it is known to be all zeros (fresh from the OS); a
 * recycled page holds garbage. Not charged: callers use tmpfs_charge_pages. */
int tmpfs_page_get(struct super_block *sb, void **page, bool *zeroed);
/* Give a page from tmpfs_page_get back to sb's pool; an empty region goes back to the OS
 * (one empty region per process is kept as a spare). */
void tmpfs_page_put(struct super_block *sb, void *page);
/* Pages of sb's pool handed out and not put back (0 once every file is gone). */
uint64_t tmpfs_pages_live(struct super_block *sb);
/* For put_super: the pool must be empty by then (every inode destroyed); a page still
 * out is a leak, reported as the number of pages leaked (0: none). */
uint64_t tmpfs_pages_fini(struct tmpfs_sb_info *sbi);
/* Regions mapped in the process (the spare included), and release of the spare: for
 * tests, which compare against the count they started with. */
long tmpfs_regions_mapped(void);
void tmpfs_pages_trim(void);

/* --- xattr.c ----------------------------------------------------------------------- */

ssize_t tmpfs_getxattr(struct dentry *dentry, const char *name, void *value, size_t size);
int tmpfs_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size,
		   int flags);
ssize_t tmpfs_listxattr(struct dentry *dentry, char *list, size_t size);
int tmpfs_removexattr(struct dentry *dentry, const char *name);
void tmpfs_xattr_free_all(struct tmpfs_inode *ti);

#endif
