/*
 * descriptor.c - the fs-verity descriptor and the file digest.
 *
 * The descriptor is 256 bytes, laid out as the kernel's struct fsverity_descriptor:
 *   0 version (1)   1 hash_algorithm   2 log2(block size)   3 salt size
 *   4 sig_size (le32, 0: the digest is always taken without a signature)
 *   8 data_size (le64)   16 root_hash[64]   80 salt[32]   112 reserved[144], zero
 * Digests shorter than 64 bytes and salts shorter than 32 are zero-filled. The file digest
 * is the plain hash of these 256 bytes, with the tree's algorithm and no salt.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define DESC_VERSION 0
#define DESC_HASH_ALG 1
#define DESC_LOG_BLOCKSIZE 2
#define DESC_SALT_SIZE 3
#define DESC_SIG_SIZE 4
#define DESC_DATA_SIZE 8
#define DESC_ROOT_HASH 16
#define DESC_SALT 80

int merkle_descriptor(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
		      uint8_t desc[MERKLE_DESCRIPTOR_SIZE])
{
	int err = merkle_params_validate(p), i;

	if (err)
		return err;
	if (!root || !desc)
		return -EINVAL;
	memset(desc, 0, MERKLE_DESCRIPTOR_SIZE);
	desc[DESC_VERSION] = 1;
	desc[DESC_HASH_ALG] = (uint8_t)p->hash_alg;
	desc[DESC_LOG_BLOCKSIZE] = (uint8_t)__builtin_ctz(p->block_size);
	desc[DESC_SALT_SIZE] = (uint8_t)p->salt_len;
	/* sig_size stays 0. Little-endian whatever the host's byte order. */
	for (i = 0; i < 8; i++)
		desc[DESC_DATA_SIZE + i] = (uint8_t)(data_size >> (8 * i));
	memcpy(desc + DESC_ROOT_HASH, root, merkle_digest_size(p->hash_alg));
	if (p->salt_len)
		memcpy(desc + DESC_SALT, p->salt, p->salt_len);
	return 0;
}

int merkle_digest_from_root(const struct merkle_params *p, uint64_t data_size, const uint8_t *root,
			    uint8_t *digest)
{
	uint8_t desc[MERKLE_DESCRIPTOR_SIZE];
	int err;

	if (!digest)
		return -EINVAL;
	err = merkle_descriptor(p, data_size, root, desc);
	if (err)
		return err;
	return merkle_hash_plain(p->hash_alg, desc, sizeof(desc), digest);
}

int merkle_file_digest(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		       uint8_t *digest)
{
	uint8_t root[MERKLE_MAX_DIGEST_SIZE];
	int err;

	if (!digest)
		return -EINVAL;
	err = merkle_root_hash(p, read, ctx, size, root);
	if (err)
		return err;
	return merkle_digest_from_root(p, size, root, digest);
}
