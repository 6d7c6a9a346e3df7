/*
 * params.c - the fs-verity parameters: hash algorithms, block sizes, salts, and the hex
 * form digests and salts are written in.
 *
 * Valid means what fs-verity accepts and we promise to match byte for byte: SHA-256 or
 * SHA-512, a power-of-2 block size from 1 KiB to 64 KiB, a salt of at most 32 bytes (the
 * descriptor's salt field). An empty salt is the same as no salt, as in fs-verity.
 */
#include <errno.h>
#include <string.h>

#include "base/hex.h"
#include "vfslab/merkle.h"

static const struct {
	int alg;
	const char *name;
	size_t digest_size;
} hash_algs[] = {
	{ MERKLE_HASH_SHA256, "sha256", 32 },
	{ MERKLE_HASH_SHA512, "sha512", 64 },
};

#define NR_HASH_ALGS (sizeof(hash_algs) / sizeof(hash_algs[0]))

size_t merkle_digest_size(int hash_alg)
{
	size_t i;

	for (i = 0; i < NR_HASH_ALGS; i++)
		if (hash_algs[i].alg == hash_alg)
			return hash_algs[i].digest_size;
	return 0;
}

const char *merkle_hash_name(int hash_alg)
{
	size_t i;

	for (i = 0; i < NR_HASH_ALGS; i++)
		if (hash_algs[i].alg == hash_alg)
			return hash_algs[i].name;
	return NULL;
}

int merkle_hash_alg_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < NR_HASH_ALGS; i++)
		if (!strcmp(hash_algs[i].name, name))
			return hash_algs[i].alg;
	return -EINVAL;
}

int merkle_params_validate(const struct merkle_params *p)
{
	if (!p || !merkle_digest_size(p->hash_alg))
		return -EINVAL;
	if (p->block_size < MERKLE_MIN_BLOCK_SIZE || p->block_size > MERKLE_MAX_BLOCK_SIZE ||
	    (p->block_size & (p->block_size - 1)))
		return -EINVAL;
	if (p->salt_len > MERKLE_MAX_SALT_SIZE || (p->salt_len && !p->salt))
		return -EINVAL;
	return 0;
}

int merkle_parse_hex(const char *hex, uint8_t *out, size_t out_max)
{
	size_t len = strlen(hex), i;

	if (len % 2)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (hex_digit(hex[i]) < 0)
			return -EINVAL;
	if (len / 2 > out_max)
		return -E2BIG;
	for (i = 0; i < len / 2; i++)
		out[i] = (uint8_t)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	return (int)(len / 2);
}

void merkle_to_hex(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}
