/*
 * hash.c - hashing fs-verity blocks through OpenSSL's EVP interface.
 *
 * The digest is fetched once per hasher (EVP_MD_fetch) rather than named per block, which
 * in OpenSSL 3 would look the implementation up again on every init. With a salt, the
 * padded salt is absorbed once into `salted` and each block starts from a copy of that
 * state (EVP_MD_CTX_copy_ex), saving one compression per block.
 *
 * A hasher lives on the stack of a build or a one-off verification, or on the heap
 * (merkle_hasher_new) for a reader that verifies blocks as they come: the verity
 * filesystem keeps one per open file, so a block costs one EVP init, update and final on a
 * reused context, never a fetch or an allocation of ours.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/fault.h"
#include "internal.h"

/* The padding of a short last block, and of the salt: never written. */
static const uint8_t zeros[MERKLE_MAX_BLOCK_SIZE];

static const char *evp_name(int hash_alg)
{
	switch (hash_alg) {
	case MERKLE_HASH_SHA256: return "SHA256";
	case MERKLE_HASH_SHA512: return "SHA512";
	default: return NULL;
	}
}

int merkle_hasher_init(struct merkle_hasher *h, const struct merkle_params *p)
{
	const char *name = evp_name(p->hash_alg);
	size_t padded;

	memset(h, 0, sizeof(*h));
	if (!name)
		return -EINVAL;
	/* OpenSSL allocates with its own allocator: consult the injector for it. */
	if (fault_check(FAULT_ALLOC))
		return -ENOMEM;
	h->md = EVP_MD_fetch(NULL, name, NULL);
	h->work = EVP_MD_CTX_new();
	if (!h->md || !h->work)
		goto fail;
	h->block_size = p->block_size;
	h->digest_size = (uint32_t)EVP_MD_get_size(h->md);
	if (!p->salt_len)
		return 0;

	/* The salt is padded to the hash's internal block size (64 or 128 bytes). */
	padded = (p->salt_len + EVP_MD_get_block_size(h->md) - 1) / EVP_MD_get_block_size(h->md) *
		 EVP_MD_get_block_size(h->md);
	h->salted = EVP_MD_CTX_new();
	if (!h->salted || !EVP_DigestInit_ex2(h->salted, h->md, NULL) ||
	    !EVP_DigestUpdate(h->salted, p->salt, p->salt_len) ||
	    !EVP_DigestUpdate(h->salted, zeros, padded - p->salt_len))
		goto fail;
	return 0;
fail:
	merkle_hasher_fini(h);
	return -ENOMEM;
}

void merkle_hasher_fini(struct merkle_hasher *h)
{
	EVP_MD_CTX_free(h->salted);
	EVP_MD_CTX_free(h->work);
	EVP_MD_free(h->md);
	memset(h, 0, sizeof(*h));
}

int merkle_hasher_new(const struct merkle_params *p, struct merkle_hasher **out)
{
	struct merkle_hasher *h;
	int err = merkle_params_validate(p);

	if (err)
		return err;
	h = vl_malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	err = merkle_hasher_init(h, p);
	if (err) {
		vl_free(h);
		return err;
	}
	*out = h;
	return 0;
}

void merkle_hasher_free(struct merkle_hasher *h)
{
	if (!h)
		return;
	merkle_hasher_fini(h);
	vl_free(h);
}

int merkle_hash_block(struct merkle_hasher *h, const void *data, size_t len, uint8_t *out)
{
	int ok;

	if (h->salted)
		ok = EVP_MD_CTX_copy_ex(h->work, h->salted);
	else
		ok = EVP_DigestInit_ex2(h->work, h->md, NULL);
	ok = ok && EVP_DigestUpdate(h->work, data, len);
	if (ok && len < h->block_size)
		ok = EVP_DigestUpdate(h->work, zeros, h->block_size - len);
	ok = ok && EVP_DigestFinal_ex(h->work, out, NULL);
	/* EVP fails only when it cannot allocate (copies duplicate the provider context). */
	return ok ? 0 : -ENOMEM;
}

int merkle_hash_plain(int hash_alg, const void *data, size_t len, uint8_t *out)
{
	const char *name = evp_name(hash_alg);
	EVP_MD *md;
	int ok;

	if (!name)
		return -EINVAL;
	if (fault_check(FAULT_ALLOC))
		return -ENOMEM;
	md = EVP_MD_fetch(NULL, name, NULL);
	if (!md)
		return -ENOMEM;
	ok = EVP_Digest(data, len, out, NULL, md, NULL);
	EVP_MD_free(md);
	return ok ? 0 : -ENOMEM;
}
