/*
 * internal.h - the verity filesystem's private header, grouped by the file implementing
 * each part.
 *
 * Model (gVisor's fsimpl/verity): each verity inode holds its lower dentry. With a root
 * hash (the "verified" mode) trust flows down from the mount: the root directory's
 * descriptor is checked against the root hash at mount; a child is checked at lookup
 * against the entry its parent's (already verified) descriptor holds: metadata, symlink
 * target, and for files and directories the digest of its Merkle file. The verified values
 * are kept in the inode; reads check each data block against the verified root hash.
 * Without a root hash nothing is verified and FS_IOC_ENABLE_VERITY writes Merkle files.
 *
 * Layout in the lower filesystem (doc/verity.md): the Merkle file of NAME is
 * ".merkle.verity.NAME" in the same directory; the root directory's is
 * ".merkleroot.verity.ROOTNAME" inside the root directory. Such names are never served.
 *
 * Verified blocks (tree and data) are kept in a bounded per-mount cache (cache.c): a
 * block found there is trusted without hashing again; an evicted block is read from the
 * lower layer and verified again when it is next needed.
 *
 * Locking: everything is protected by the VFS lock, held across every operation.
 */
#ifndef VFSLAB_FS_VERITY_INTERNAL_H
#define VFSLAB_FS_VERITY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/list.h"
#include "kernel/internal.h"
#include "vfs/internal.h"
#include "vfs/layer.h"
#include "vfslab/merkle.h"
#include "verity.h"

#define VERITY_MERKLE_PREFIX ".merkle.verity."
#define VERITY_MERKLE_PREFIX_LEN (sizeof(VERITY_MERKLE_PREFIX) - 1)
#define VERITY_ROOT_PREFIX ".merkleroot.verity."
#define VERITY_ROOT_PREFIX_LEN (sizeof(VERITY_ROOT_PREFIX) - 1)
#define VERITY_DEFAULT_ROOT_NAME "root"
/* Directory descriptors are hashed with SHA-256: the root hash is 32 bytes. */
#define VERITY_DIR_HASH_ALG MERKLE_HASH_SHA256
#define VERITY_DIR_DIGEST_SIZE 32
/* Largest Merkle file of a directory we read (about 40k entries of long names). */
#define VERITY_MAX_DIRDESC (16u << 20)
/* What FS_IOC_ENABLE_VERITY uses when it is given no argument: `fsverity enable`'s. */
#define VERITY_DEFAULT_BLOCK_SIZE 4096

/* Default bound of a mount's cache of verified blocks (cache_size=). */
#define VERITY_DEFAULT_CACHE_SIZE (8u << 20)

struct verity_cache_entry;

/* What the cache did, for tests and benchmarks. */
struct verity_cache_stats {
	uint64_t data_hits;	/* data blocks served from the cache */
	uint64_t data_verified; /* data blocks read from the lower file and hashed */
	uint64_t tree_hits;	/* tree blocks found verified in the cache */
	uint64_t tree_verified; /* tree blocks read from the Merkle file and hashed */
	uint64_t evictions;
};

/*
 * The cache of verified blocks of one mount (cache.c): the contents of tree blocks and
 * data blocks that were verified, keyed by (inode, level, index), least recently used
 * evicted first so that bytes (each entry's block and its header) stay at most max_bytes.
 * Protected by: vfs->lock.
 */
struct verity_cache {
	uint64_t max_bytes;
	uint64_t bytes;
	struct verity_cache_entry **table; /* chained; nbuckets is 0 or a power of 2 */
	size_t nbuckets;
	size_t nr;
	struct list_head lru;		  /* most recently used first */
	struct verity_cache_entry *spare; /* an evicted entry kept for the next insert */
	uint64_t next_id;		  /* owner ids for inodes (never reused) */
	struct verity_cache_stats stats;
};

/* Per superblock. Protected by: vfs->lock. */
struct verity_fs {
	struct path lower;	 /* the lower root (a directory) */
	const struct cred *cred; /* the mounter's: lower files are opened with it */
	bool verify;		 /* a root hash was given: check everything */
	bool panic;		 /* action=panic: abort() on a violation */
	uint8_t root_hash[VERITY_DIR_DIGEST_SIZE];
	char *root_name;
	char *opt_lowerdir; /* as given, for show_options (NULL: in process) */
	char *opt_roothash;
	struct verity_cache cache;
};

/* The metadata a directory descriptor binds for each entry. */
struct verity_meta {
	uint32_t mode; /* st_mode, type included */
	uint32_t uid;
	uint32_t gid;
	uint32_t rdev; /* VFS_MKDEV for devices, else 0 */
	uint64_t size; /* regular: data bytes; symlink: target length; else 0 */
};

/* One entry of a directory descriptor. */
struct verity_dirent {
	char *name; /* NUL-terminated, namelen bytes */
	uint16_t namelen;
	struct verity_meta meta;
	uint16_t hash_alg;   /* 0: no digest (not a file or directory) */
	uint16_t digest_len; /* 0, 32 or 64 */
	uint8_t digest[MERKLE_MAX_DIGEST_SIZE];
	char *target; /* symlink target (target_len bytes, NUL-terminated), or NULL */
	uint32_t target_len;
};

/* A parsed directory descriptor: the directory's own owner and mode, its entries sorted. */
struct verity_dirdesc {
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t nr;
	struct verity_dirent *ents;
};

/* Per inode. Protected by: vfs->lock. */
struct verity_inode {
	struct inode vfs_inode;
	struct dentry *lower;  /* a reference */
	struct dentry *merkle; /* verified regular file: its Merkle file (a reference) */
	bool has_digest;       /* digest is known (verified mode, or enabled at run time) */
	uint16_t digest_alg;
	uint16_t digest_len;
	uint8_t digest[MERKLE_MAX_DIGEST_SIZE];
	bool verified;		 /* meta below is trusted and enforced */
	struct verity_meta meta; /* the verified metadata */
	/* Verified regular files: the tree's parameters, shape and root. */
	struct merkle_params params;
	uint8_t salt[MERKLE_MAX_SALT_SIZE];
	uint8_t root[MERKLE_MAX_DIGEST_SIZE];
	struct merkle_geometry geo;
	/* Its blocks in the mount's cache: cache_id is the owner in their keys. */
	uint64_t cache_id;
	struct list_head cached;
	/* Verified directories: the descriptor. */
	struct verity_dirdesc *desc;
	/* Verified symlinks: the target (NUL-terminated). */
	char *target;
};

static inline struct verity_inode *VERITY_I(struct inode *inode)
{
	return container_of(inode, struct verity_inode, vfs_inode);
}

static inline struct verity_fs *VERITY_FS(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* --- super.c ---------------------------------------------------------------------- */

/* A violation of the verified state (what: why, name: where): -EIO with action=error;
 * with action=panic, logged and abort(). */
int verity_violation(struct super_block *sb, const char *what, const char *name);

/* --- cache.c --------------------------------------------------------------------- */

/* Keys: a data block's index, or a tree block's level (0: the leaves' hashes) and index
 * within its level. */
#define VERITY_KEY_DATA(idx) ((uint64_t)(idx))
#define VERITY_KEY_TREE(level, idx) ((uint64_t)((level) + 1) << 56 | (uint64_t)(idx))

void verity_cache_init(struct verity_cache *c, uint64_t max_bytes);
/* Frees every entry (the inodes are gone). */
void verity_cache_fini(struct verity_cache *c);
/* A new owner id for an inode, and its empty list of entries. */
void verity_cache_inode_init(struct verity_cache *c, struct verity_inode *vi);
/* The cached block (marked most recently used), or NULL; *len gets its length. The
 * pointer is valid until the next put or drop. */
const uint8_t *verity_cache_get(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
				size_t *len);
/* Cache a copy of a block that was just verified, evicting the least recently used ones
 * to make room; returns the copy, or NULL when it is not kept (larger than the bound, or
 * no memory: caching is optional). The key must not be cached already. */
const uint8_t *verity_cache_put(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
				const void *data, size_t len);
/*
 * The same without the copy, for data blocks: reserve a buffer of len bytes, read the
 * block into it, verify it there (in memory nobody else can write), then commit it under
 * key, or cancel it if it did not verify. Reserve returns NULL when a block of len is not
 * cached or there is no memory (the caller reads elsewhere). One reservation at a time;
 * puts may come in between. After commit, buf stays readable until the next call into
 * the cache, cached or not.
 */
uint8_t *verity_cache_reserve(struct verity_cache *c, size_t len);
void verity_cache_commit(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
			 uint8_t *buf);
void verity_cache_cancel(struct verity_cache *c, uint8_t *buf);
/* Whether a block of len bytes fits the bound (cache_size= is at least its cost). */
bool verity_cache_keeps(const struct verity_cache *c, size_t len);
/* Drop every entry of vi (its inode is going away). */
void verity_cache_drop_inode(struct verity_cache *c, struct verity_inode *vi);

/* --- desc.c: directory descriptors, Merkle files, lower I/O ----------------------- */

bool verity_reserved_name(const char *name, size_t len);
/* The metadata of the lower dentry d (and the symlink target into *target, a new
 * string, when target is not NULL and d is a symlink). */
int verity_lower_meta(struct dentry *d, struct verity_meta *m, char **target);
/* Read exactly len bytes at off of the lower regular file d. -EIO if it is shorter. */
int verity_lower_read(struct verity_fs *fs, struct dentry *d, void *buf, size_t len, uint64_t off);
/* The whole lower regular file d (at most max bytes, else -EFBIG) in a new buffer. */
int verity_lower_read_all(struct verity_fs *fs, struct dentry *d, size_t max, uint8_t **out,
			  size_t *len);
/* SHA-256 of len bytes. */
int verity_sha256(const void *data, size_t len, uint8_t out[VERITY_DIR_DIGEST_SIZE]);
/* Serialise / parse (strictly: sorted, no reserved names, nothing left over; -EBADMSG)
 * a directory descriptor. */
int verity_dirdesc_encode(const struct verity_dirdesc *dd, uint8_t **out, size_t *len);
int verity_dirdesc_parse(const uint8_t *buf, size_t len, struct verity_dirdesc **out);
void verity_dirdesc_free(struct verity_dirdesc *dd);
/* The entry named name, or NULL. */
const struct verity_dirent *verity_dirdesc_find(const struct verity_dirdesc *dd, const char *name,
						size_t len);
/* Sort entries by name (the descriptor's order). */
void verity_dirdesc_sort(struct verity_dirdesc *dd);
/* Parse an fs-verity descriptor (the last 256 bytes of a file's Merkle file) into params
 * (salt copied into salt), data size and root; -EBADMSG if it is not canonical. */
int verity_parse_fsdesc(const uint8_t desc[MERKLE_DESCRIPTOR_SIZE], struct merkle_params *p,
			uint8_t *salt, uint64_t *data_size, uint8_t *root);
/* The name of the Merkle file of a child named name ("." prefix form) in a new string. */
char *verity_merkle_name(const char *name, size_t len);
/* The lower dentry of the Merkle file of the verity dentry d (a reference, possibly
 * negative) and, for a root, where it lives: lower root + ".merkleroot.verity.ROOT". */
struct dentry *verity_merkle_lookup(struct dentry *d);
/* The digest of the Merkle file m (a lower dentry) of a regular file (is_dir false: hash
 * of its fs-verity descriptor) or directory (hash of the whole descriptor). */
int verity_merkle_digest(struct verity_fs *fs, struct dentry *m, bool is_dir, uint16_t *alg,
			 uint16_t *len, uint8_t *digest);

/* A name of a lower directory listing. */
struct verity_name {
	char *name;
	uint16_t len;
	uint64_t ino;
	unsigned dtype;
};

/* The names in the lower directory dir, reserved names, "." and ".." left out, sorted as
 * descriptors sort them; free with verity_names_free. */
int verity_lower_list(struct verity_fs *fs, struct dentry *dir, struct verity_name **out,
		      size_t *n);
void verity_names_free(struct verity_name *v, size_t n);

/* --- inode.c ---------------------------------------------------------------------- */

/* A new verity inode over lower (reference consumed; dropped on failure). */
struct inode *verity_new_inode(struct super_block *sb, struct dentry *lower);
void verity_destroy_inode(struct inode *inode);
/* Verify the directory whose lower dentry is lower against a trusted digest, loading its
 * descriptor into vi (root at mount, children at lookup). */
int verity_load_dir(struct super_block *sb, struct verity_inode *vi, struct dentry *merkle,
		    const uint8_t *digest, const char *name);
extern const struct inode_operations verity_dir_iops;
extern const struct inode_operations verity_file_iops;
extern const struct inode_operations verity_symlink_iops;
extern const struct inode_operations verity_special_iops;

/* --- file.c ----------------------------------------------------------------------- */

extern const struct file_operations verity_file_fops;
extern const struct file_operations verity_dir_fops;

/* --- enable.c --------------------------------------------------------------------- */

/* The FS_IOC_* ioctls of files and directories. */
int verity_ioctl(struct file *file, unsigned long req, void *arg);

#endif
