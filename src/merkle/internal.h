/*
 * internal.h - what the files of src/merkle share: the block hasher (hash.c).
 *
 * A hasher hashes whole fs-verity blocks with the salted state precomputed once: the salt,
 * zero-padded to the hash's internal block size, is absorbed into `salted` at init, and
 * each block starts from a copy of it, so the salt costs nothing per block. A hasher is
 * used by one thread at a time; parallel builds give each worker its own.
 */
#ifndef VFSLAB_MERKLE_INTERNAL_H
#define VFSLAB_MERKLE_INTERNAL_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfslab/merkle.h"

struct merkle_hasher {
	EVP_MD *md;	    /* fetched once: a fetched digest makes each init cheap */
	EVP_MD_CTX *salted; /* state after the padded salt; NULL when there is no salt */
	EVP_MD_CTX *work;
	uint32_t block_size;
	uint32_t digest_size;
};

/* --- hash.c --- */

/* p must be valid (merkle_params_validate). */
int merkle_hasher_init(struct merkle_hasher *h, const struct merkle_params *p);
void merkle_hasher_fini(struct merkle_hasher *h);
/* merkle_hash_block() is public (vfslab/merkle.h). */
/* The plain (unsalted) hash of len bytes, for the descriptor. */
int merkle_hash_plain(int hash_alg, const void *data, size_t len, uint8_t *out);

#endif
