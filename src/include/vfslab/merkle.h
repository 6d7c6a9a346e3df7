/*
 * merkle.h - fs-verity compatible Merkle trees: parameters, building a tree from a stream,
 * the 256-byte fs-verity descriptor and file digest, and verifying one data block.
 *
 * The format is Linux fs-verity's (Documentation/filesystems/fsverity.rst), byte for byte,
 * so `fsverity digest` and the kernel agree with us:
 *   - data is split into blocks of block_size bytes; the last block is zero-padded;
 *   - every hashed block (data or tree) is hashed as H(salt' || block), where salt' is the
 *     salt zero-padded to a multiple of the hash's internal block size (64 bytes for
 *     SHA-256, 128 for SHA-512); with no salt, H(block);
 *   - level 0 holds the hashes of the data blocks, level 1 the hashes of level 0's blocks,
 *     and so on until a level fits in one block; each level is zero-padded to whole blocks;
 *   - the stored tree holds the levels top-down: the top level (one block) first, level 0
 *     last; the root hash is the hash of the top block;
 *   - a file of one block has no tree: its root hash is the hash of that (padded) block; an
 *     empty file has no tree and an all-zero root hash;
 *   - the file digest is H(descriptor), unsalted, over the 256-byte descriptor (version 1,
 *     algorithm, log2 block size, salt size, data size little-endian, root hash, salt).
 *
 * Conventions: functions return 0 or a negative errno; nothing here prints or touches the
 * global errno. The library does not depend on the VFS: data and stored trees are read
 * through callbacks (or taken from a buffer). Hashing is OpenSSL libcrypto.
 */
#ifndef VFSLAB_MERKLE_H
#define VFSLAB_MERKLE_H

#include <stddef.h>
#include <stdint.h>

/* Hash algorithm numbers, as fs-verity numbers them (FS_VERITY_HASH_ALG_*). */
enum merkle_hash_alg {
	MERKLE_HASH_SHA256 = 1,
	MERKLE_HASH_SHA512 = 2,
};

#define MERKLE_MAX_DIGEST_SIZE 64
#define MERKLE_MAX_SALT_SIZE 32
#define MERKLE_MIN_BLOCK_SIZE 1024
#define MERKLE_MAX_BLOCK_SIZE 65536
#define MERKLE_DESCRIPTOR_SIZE 256
/* Enough for any 64-bit file size at the smallest arity (1 KiB blocks of SHA-512: 16). */
#define MERKLE_MAX_LEVELS 16

/*
 * What a tree is built with. hash_alg, block_size and the salt are the format (they go into
 * the descriptor); threads is how the work is done and never changes a single output byte:
 * 0 lets the library choose (every online CPU for large inputs, one otherwise), 1 forces
 * one thread, N uses at most N.
 */
struct merkle_params {
	int hash_alg;	      /* enum merkle_hash_alg */
	uint32_t block_size;  /* power of 2, MERKLE_MIN_BLOCK_SIZE..MERKLE_MAX_BLOCK_SIZE */
	const uint8_t *salt;  /* salt_len bytes, or NULL when salt_len is 0 */
	size_t salt_len;      /* 0..MERKLE_MAX_SALT_SIZE */
	unsigned int threads; /* 0 = automatic */
};

/*
 * Reads exactly len bytes at offset off into buf; returns 0 or a negative errno (a short
 * read is the callback's error to report, -EIO if nothing better). When a build runs on
 * several threads, the data callback is called concurrently with disjoint ranges.
 */
typedef int (*merkle_read_fn)(void *ctx, void *buf, size_t len, uint64_t off);

/* The shape of the tree for a given data size: pure arithmetic, no hashing. */
struct merkle_geometry {
	uint64_t data_size;
	uint32_t block_size;
	uint32_t digest_size;
	uint32_t hashes_per_block;
	int num_levels;				  /* 0 for files of at most one block */
	uint64_t data_blocks;			  /* ceil(data_size / block_size) */
	uint64_t level_blocks[MERKLE_MAX_LEVELS]; /* blocks in level L (0 = leaves) */
	uint64_t level_start[MERKLE_MAX_LEVELS];  /* first block of level L in the tree */
	uint64_t tree_size;			  /* bytes of the stored tree */
};

/* A built tree. Owned by the caller, freed with merkle_tree_free(). */
struct merkle_tree {
	struct merkle_geometry geo;
	int hash_alg;
	uint8_t root_hash[MERKLE_MAX_DIGEST_SIZE]; /* digest_size bytes used */
	uint8_t *tree;				   /* geo.tree_size bytes, top level first */
};

/* --- params.c --- */

/* 0 if p describes a valid fs-verity configuration, else -EINVAL. */
int merkle_params_validate(const struct merkle_params *p);
/* Digest size of an algorithm in bytes (32, 64), or 0 if the algorithm is unknown. */
size_t merkle_digest_size(int hash_alg);
/* "sha256", "sha512", or NULL. */
const char *merkle_hash_name(int hash_alg);
/* The algorithm named name ("sha256"), or -EINVAL. */
int merkle_hash_alg_from_name(const char *name);
/* Parses hex (even length, case-insensitive) into out (at most out_max bytes); returns the
 * number of bytes, -EINVAL for a bad digit or odd length, -E2BIG if it does not fit. */
int merkle_parse_hex(const char *hex, uint8_t *out, size_t out_max);
/* Writes 2 * len lowercase hex digits and a NUL into out. */
void merkle_to_hex(const uint8_t *bytes, size_t len, char *out);

/* --- tree.c --- */

/* The shape of the tree for data_size bytes under p (validated). */
int merkle_geometry_init(const struct merkle_params *p, uint64_t data_size,
			 struct merkle_geometry *geo);
/*
 * Builds the tree of size bytes read through read(ctx, ...), in one pass over the data,
 * in order (chunks of the data may be read concurrently, see threads). On success *out is
 * a new tree (root hash and stored levels). -EINVAL for bad params, -ENOMEM, or the
 * callback's error.
 */
int merkle_build(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		 struct merkle_tree **out);
/* Only the root hash (root must hold the digest size): the same pass, keeping no tree,
 * so memory stays O(levels * block_size) whatever the size. */
int merkle_root_hash(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		     uint8_t *root);
/* merkle_build over an in-memory buffer. */
int merkle_build_buf(const struct merkle_params *p, const void *data, uint64_t size,
		     struct merkle_tree **out);
void merkle_tree_free(struct merkle_tree *tree);

/* --- descriptor.c --- */

/* Fills the 256-byte fs-verity descriptor (signature size 0). */
int merkle_descriptor(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
		      uint8_t desc[MERKLE_DESCRIPTOR_SIZE]);
/* The file digest: the unsalted hash of the descriptor; digest gets the digest size. */
int merkle_digest_from_root(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
			    uint8_t *digest);
/* Root hash and digest in one pass over the data (what `fsverity digest` computes). */
int merkle_file_digest(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		       uint8_t *digest);

/* --- hash.c --- */

/*
 * A block hasher for callers that hash blocks one at a time (a reader verifying blocks as
 * they come): the digest is fetched and the salted state computed once, and each block
 * reuses one EVP context. Not thread-safe: one per thread.
 */
struct merkle_hasher;

/* A new hasher for p (validated): 0, -EINVAL or -ENOMEM. */
int merkle_hasher_new(const struct merkle_params *p, struct merkle_hasher **out);
void merkle_hasher_free(struct merkle_hasher *h);
/* H(salt' || block), block being len (<= block_size) bytes of data and zeros up to
 * block_size. out gets the digest size. 0 or -ENOMEM. */
int merkle_hash_block(struct merkle_hasher *h, const void *data, size_t len, uint8_t *out);

/* --- verify.c --- */

/*
 * Verifies data block index (len valid bytes: block_size, or what is left of the file for
 * the last block) against a stored tree read through read_tree (offsets into the tree as
 * merkle_build stores it) and the trusted root hash, hashing the path from the block to
 * the root. 0 if it matches, -EBADMSG if the data, the tree or the root disagree (or the
 * tree is too short to hold the path), -EINVAL for an index or len that does not fit
 * data_size, or read_tree's error.
 */
int merkle_verify_block(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
			merkle_read_fn read_tree, void *tree_ctx, uint64_t index, const void *data,
			size_t len);
/* The same against a tree in memory (tree_size bytes). */
int merkle_verify_block_buf(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
			    const uint8_t *tree, uint64_t tree_size, uint64_t index,
			    const void *data, size_t len);

#endif
