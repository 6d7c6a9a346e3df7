/*
 * verify.c - verifying one data block against a stored tree and a trusted root hash.
 *
 * The path from a data block to the root visits one tree block per level: the block of
 * level L holding the hash of the level-L-1 block (or of the data block, for L = 0) we
 * came from. Each visited block is checked to hold the hash just computed at its slot,
 * then hashed itself; the hash of the top block must equal the root. A stored tree is
 * trusted only through this chain: nothing read from it is believed before its hash has
 * been matched one level up, all the way to the root the caller trusts.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

int merkle_verify_block(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
			merkle_read_fn read_tree, void *tree_ctx, uint64_t index, const void *data,
			size_t len)
{
	struct merkle_geometry geo;
	struct merkle_hasher h;
	uint8_t hash[MERKLE_MAX_DIGEST_SIZE];
	uint64_t idx, expect_len;
	uint8_t *block = NULL;
	int err, level;

	err = merkle_geometry_init(p, data_size, &geo);
	if (err)
		return err;
	if (!root || (!read_tree && geo.num_levels) || (!data && len))
		return -EINVAL;
	if (index >= geo.data_blocks)
		return -EINVAL;
	expect_len = data_size - index * geo.block_size;
	if (expect_len > geo.block_size)
		expect_len = geo.block_size;
	if (len != expect_len)
		return -EINVAL;

	err = merkle_hasher_init(&h, p);
	if (err)
		return err;
	err = merkle_hash_block(&h, data, len, hash);
	if (err)
		goto out;
	if (geo.num_levels) {
		block = vl_malloc(geo.block_size);
		if (!block) {
			err = -ENOMEM;
			goto out;
		}
	}
	/*
	 * Walk up: at each level, the hash we hold must be at its slot in the tree block,
	 * and that block's hash is what the level above must hold.
	 */
	idx = index;
	for (level = 0; level < geo.num_levels; level++) {
		uint64_t tblock = geo.level_start[level] + idx / geo.hashes_per_block;
		uint32_t slot = (uint32_t)(idx % geo.hashes_per_block) * geo.digest_size;

		err = read_tree(tree_ctx, block, geo.block_size, tblock * geo.block_size);
		if (err)
			goto out;
		if (memcmp(block + slot, hash, geo.digest_size)) {
			err = -EBADMSG;
			goto out;
		}
		err = merkle_hash_block(&h, block, geo.block_size, hash);
		if (err)
			goto out;
		idx /= geo.hashes_per_block;
	}
	if (memcmp(hash, root, geo.digest_size))
		err = -EBADMSG;
out:
	vl_free(block);
	merkle_hasher_fini(&h);
	return err;
}

struct tree_buf {
	const uint8_t *tree;
	uint64_t size;
};

/* A tree too short for the path is a damaged tree, not a caller's mistake. */
static int tree_buf_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct tree_buf *t = ctx;

	if (off > t->size || len > t->size - off)
		return -EBADMSG;
	memcpy(buf, t->tree + off, len);
	return 0;
}

int merkle_verify_block_buf(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
			    const uint8_t *tree, uint64_t tree_size, uint64_t index,
			    const void *data, size_t len)
{
	struct tree_buf t = { tree, tree ? tree_size : 0 };

	return merkle_verify_block(p, data_size, root, tree_buf_read, &t, index, data, len);
}
