/*
 * check_merkle.c - src/merkle: parameters, tree geometry, the fs-verity digest against
 * known answers, the stored tree's bytes, block verification and tamper detection, error
 * and allocation-failure paths. No kernel is needed: plain test cases.
 *
 * Known answers: the 20 of xfstests generic/575 (files of zeros; the same lines are in
 * fixtures/verity/xfstests-generic-575.vectors) and the pattern vectors of
 * fixtures/verity/pattern.vectors, made by `fsverity digest` (fixtures/verity/gen_vectors.sh),
 * which also give the SHA-256 of the tree fsverity stores, so the tree is checked byte for
 * byte, not only its root.
 */
#include <check.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/fault.h"
#include "vfslab/merkle.h"

static void merkle_teardown(void)
{
	fault_disarm();
}

/* ------------------------------------------------------------------ data sources */

/* Byte i of the pattern files (gen_vectors.sh computes the same in Python). */
static uint8_t pattern_byte(uint64_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u;

	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	return (uint8_t)(x >> 24);
}

static int pattern_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	uint8_t *b = buf;
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++)
		b[i] = pattern_byte(off + i);
	return 0;
}

static int zero_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	(void)ctx;
	(void)off;
	memset(buf, 0, len);
	return 0;
}

static uint8_t *pattern_buf(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(b);
	pattern_read(NULL, b, n, 0);
	return b;
}

static size_t parse_salt(const char *hex, uint8_t *salt)
{
	int n = merkle_parse_hex(hex, salt, MERKLE_MAX_SALT_SIZE);

	ck_assert_int_ge(n, 0);
	return (size_t)n;
}

static void sha256_hex(const void *data, size_t len, char *hex)
{
	uint8_t md[32];

	ck_assert(EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL));
	merkle_to_hex(md, 32, hex);
}

/* ------------------------------------------------------------------ params */

START_TEST(merkle_params_validate_limits)
{
	static const uint8_t salt[40];
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA256, .block_size = 4096 };
	uint32_t bs;

	ck_assert_int_eq(merkle_params_validate(&p), 0);
	for (bs = 1024; bs <= 65536; bs <<= 1) {
		p.block_size = bs;
		ck_assert_int_eq(merkle_params_validate(&p), 0);
	}
	p.block_size = 512;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	p.block_size = 131072;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	p.block_size = 3072;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	p.block_size = 0;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	p.block_size = 4096;
	p.hash_alg = 3;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	p.hash_alg = MERKLE_HASH_SHA512;
	p.salt = salt;
	p.salt_len = 32;
	ck_assert_int_eq(merkle_params_validate(&p), 0);
	p.salt_len = 33;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	p.salt = NULL;
	p.salt_len = 1;
	ck_assert_int_eq(merkle_params_validate(&p), -EINVAL);
	ck_assert_int_eq(merkle_params_validate(NULL), -EINVAL);
}
END_TEST

START_TEST(merkle_hash_names_and_sizes)
{
	ck_assert_int_eq(merkle_hash_alg_from_name("sha256"), MERKLE_HASH_SHA256);
	ck_assert_int_eq(merkle_hash_alg_from_name("sha512"), MERKLE_HASH_SHA512);
	ck_assert_int_eq(merkle_hash_alg_from_name("SHA256"), -EINVAL);
	ck_assert_int_eq(merkle_hash_alg_from_name("md5"), -EINVAL);
	ck_assert_str_eq(merkle_hash_name(MERKLE_HASH_SHA512), "sha512");
	ck_assert_ptr_null(merkle_hash_name(0));
	ck_assert_uint_eq(merkle_digest_size(MERKLE_HASH_SHA256), 32);
	ck_assert_uint_eq(merkle_digest_size(MERKLE_HASH_SHA512), 64);
	ck_assert_uint_eq(merkle_digest_size(7), 0);
}
END_TEST

START_TEST(merkle_hex_round_trip_and_errors)
{
	uint8_t b[4];
	char hex[9];

	ck_assert_int_eq(merkle_parse_hex("", b, sizeof(b)), 0);
	ck_assert_int_eq(merkle_parse_hex("00fFa5", b, sizeof(b)), 3);
	ck_assert_uint_eq(b[0], 0x00);
	ck_assert_uint_eq(b[1], 0xff);
	ck_assert_uint_eq(b[2], 0xa5);
	merkle_to_hex(b, 3, hex);
	ck_assert_str_eq(hex, "00ffa5");
	ck_assert_int_eq(merkle_parse_hex("abc", b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(merkle_parse_hex("zz", b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(merkle_parse_hex("0x00", b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(merkle_parse_hex("0011223344", b, sizeof(b)), -E2BIG);
}
END_TEST

/* ------------------------------------------------------------------ geometry */

START_TEST(merkle_geometry_levels_top_down)
{
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA512, .block_size = 1024 };
	struct merkle_geometry g;

	/* 300000 bytes: 293 blocks; 16 hashes a block: 19, 2, 1 blocks in levels 0, 1, 2. */
	ck_assert_int_eq(merkle_geometry_init(&p, 300000, &g), 0);
	ck_assert_uint_eq(g.data_blocks, 293);
	ck_assert_uint_eq(g.hashes_per_block, 16);
	ck_assert_int_eq(g.num_levels, 3);
	ck_assert_uint_eq(g.level_blocks[0], 19);
	ck_assert_uint_eq(g.level_blocks[1], 2);
	ck_assert_uint_eq(g.level_blocks[2], 1);
	ck_assert_uint_eq(g.level_start[2], 0);
	ck_assert_uint_eq(g.level_start[1], 1);
	ck_assert_uint_eq(g.level_start[0], 3);
	ck_assert_uint_eq(g.tree_size, 22 * 1024);

	p.hash_alg = MERKLE_HASH_SHA256;
	p.block_size = 4096;
	ck_assert_int_eq(merkle_geometry_init(&p, 0, &g), 0);
	ck_assert_int_eq(g.num_levels, 0);
	ck_assert_uint_eq(g.tree_size, 0);
	ck_assert_int_eq(merkle_geometry_init(&p, 4096, &g), 0);
	ck_assert_int_eq(g.num_levels, 0);
	ck_assert_uint_eq(g.data_blocks, 1);
	ck_assert_int_eq(merkle_geometry_init(&p, 4097, &g), 0);
	ck_assert_int_eq(g.num_levels, 1);
	ck_assert_uint_eq(g.tree_size, 4096);
	/* 128 hashes a block: 128 blocks fit one tree block, 129 need two levels. */
	ck_assert_int_eq(merkle_geometry_init(&p, 128 * 4096, &g), 0);
	ck_assert_int_eq(g.num_levels, 1);
	ck_assert_int_eq(merkle_geometry_init(&p, 128 * 4096 + 1, &g), 0);
	ck_assert_int_eq(g.num_levels, 2);
	ck_assert_uint_eq(g.tree_size, 3 * 4096);
	/* The largest size still has a tree within the level limit. */
	p.hash_alg = MERKLE_HASH_SHA512;
	p.block_size = 1024;
	ck_assert_int_eq(merkle_geometry_init(&p, UINT64_MAX, &g), 0);
	ck_assert_int_le(g.num_levels, MERKLE_MAX_LEVELS);
	p.block_size = 100;
	ck_assert_int_eq(merkle_geometry_init(&p, 1, &g), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------------ known answers */

/* xfstests generic/575: SIZE zero bytes. Its 4th and 9th... lines pass "--salt=" (an
 * empty salt), which must equal no salt: both are "" here. */
static const struct {
	uint64_t size;
	const char *alg;
	uint32_t block_size;
	const char *salt;
	const char *digest;
} xfstests_575[] = {
	{ 0, "sha256", 1024, "",
	  "f2cca36b9b1b7f07814e4284b10121809133e7cb9c4528c8f6846e85fc624ffa" },
	{ 4096, "sha256", 1024, "",
	  "ea08590a4fe9c3d6c9dafe0eedacd9dffff8f24e24f1865ee3af132a495ab087" },
	{ 65536, "sha256", 1024, "",
	  "527496288d703686e31092f5cca7e1306b2467f00b247ad01056ee5ec35a4bb9" },
	{ 65536, "sha256", 1024, "",
	  "527496288d703686e31092f5cca7e1306b2467f00b247ad01056ee5ec35a4bb9" },
	{ 100000000, "sha256", 1024, "f3c93fa6fb828c0e1587e5714ecf6f56",
	  "087818b23312acb15dff9ff6e2b4f601406d08bb36013542444cc15248f47016" },
	{ 0, "sha256", 4096, "",
	  "3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95" },
	{ 4096, "sha256", 4096, "",
	  "babc284ee4ffe7f449377fbf6692715b43aec7bc39c094a95878904d34bac97e" },
	{ 65536, "sha256", 4096, "",
	  "011e3f2b1dc89b75d78cddcc2a1b85cd8a64b2883e5f20f277ae4c0617e0404f" },
	{ 65536, "sha256", 4096, "",
	  "011e3f2b1dc89b75d78cddcc2a1b85cd8a64b2883e5f20f277ae4c0617e0404f" },
	{ 100000000, "sha256", 4096, "f3c93fa6fb828c0e1587e5714ecf6f56",
	  "9d33cab743468fcbe4edab91a275b30dd543c12dd5e6ce6f2f737f66a1558f06" },
	{ 0, "sha512", 1024, "",
	  "8451664f25b2ad3f24391280e0c5681cb843389c180baa719f8fdfb063f5ddfa2d1c4433e55e2b6fbb3ba6aa"
	  "2df8a4f41bf56cb7e0a3b617b6919a42c80f034c" },
	{ 4096, "sha512", 1024, "",
	  "ab3c6444ab377bbe54c604c26cad241b146d85dc29727703a0d8134f70a8172fb3fa67d171355106b69cc0a9"
	  "e7e9debb335f9461b3aba44093914867f7c73233" },
	{ 65536, "sha512", 1024, "",
	  "e6a11353c24dd7b4603cb8ffa50a7041dbea7382d4698474ccbc2d8b34f3a83d8bf16df25c64ed31ee27213a"
	  "8a3cbd001fb1ccde46384c23b81305c2393c1046" },
	{ 65536, "sha512", 1024, "",
	  "e6a11353c24dd7b4603cb8ffa50a7041dbea7382d4698474ccbc2d8b34f3a83d8bf16df25c64ed31ee27213a"
	  "8a3cbd001fb1ccde46384c23b81305c2393c1046" },
	{ 100000000, "sha512", 1024, "f3c93fa6fb828c0e1587e5714ecf6f56",
	  "517d573bd50d5f3787f5766c2ac60c7af854b0901b69757b4ef8dd70aa6b30fcc10d81629ce923bdd062a01c"
	  "20fad0f063a081a2f3b0814ac06547b26bedc0d9" },
	{ 0, "sha512", 4096, "",
	  "ccf9e5aea1c2a64efa2f2354a6024b90dffde6bbc017825045dce374474e13d10adb9dadcc6ca8e17a3c075f"
	  "bd31336e8f266ae6fa93a6c3bed66f9e784e5abf" },
	{ 4096, "sha512", 4096, "",
	  "928922686c4caf32175f5236a7f964e9925d10a74dc6d8344a8bd08b23c228ff5792573987d7895f628f39c4"
	  "f4ebe39a7367d7aeb16aaa0cd324ac1d53664e61" },
	{ 65536, "sha512", 4096, "",
	  "eab7224ce374a0a4babcb2db25e24836247f38b87806ad9be9e5ba4daac2f5b814fc0cbdfd9f1f8499b3c9a6"
	  "c1b38fe08974cce49883ab4ccd04462fd2f9507f" },
	{ 65536, "sha512", 4096, "",
	  "eab7224ce374a0a4babcb2db25e24836247f38b87806ad9be9e5ba4daac2f5b814fc0cbdfd9f1f8499b3c9a6"
	  "c1b38fe08974cce49883ab4ccd04462fd2f9507f" },
	{ 100000000, "sha512", 4096, "f3c93fa6fb828c0e1587e5714ecf6f56",
	  "f7083a38644880d25539488313e9e5b41a4d431a0e383945129ad2c36e3c1d0f28928a424641bb1363c12b6e"
	  "770578102566acea73baf1ce8ee15336f5ba2446" },
};

START_TEST(merkle_xfstests_generic_575)
{
	uint8_t salt[MERKLE_MAX_SALT_SIZE], digest[MERKLE_MAX_DIGEST_SIZE];
	char hex[2 * MERKLE_MAX_DIGEST_SIZE + 1];
	struct merkle_params p = { 0 };
	size_t i;

	ck_assert_uint_eq(sizeof(xfstests_575) / sizeof(xfstests_575[0]), 20);
	for (i = 0; i < sizeof(xfstests_575) / sizeof(xfstests_575[0]); i++) {
		p.hash_alg = merkle_hash_alg_from_name(xfstests_575[i].alg);
		p.block_size = xfstests_575[i].block_size;
		p.salt_len = parse_salt(xfstests_575[i].salt, salt);
		p.salt = p.salt_len ? salt : NULL;
		ck_assert_int_eq(
			merkle_file_digest(&p, zero_read, NULL, xfstests_575[i].size, digest), 0);
		merkle_to_hex(digest, merkle_digest_size(p.hash_alg), hex);
		ck_assert_msg(!strcmp(hex, xfstests_575[i].digest),
			      "vector %zu (size %llu %s/%u): got %s", i,
			      (unsigned long long)xfstests_575[i].size, xfstests_575[i].alg,
			      p.block_size, hex);
	}
}
END_TEST

/* fixtures/verity/pattern.vectors, from fsverity digest --out-merkle-tree. */
static const struct {
	uint64_t size;
	const char *alg;
	uint32_t block_size;
	const char *salt;
	const char *digest;
	const char *tree_sha256;
} pattern_vectors[] = {
	{ 0, "sha256", 4096, "", "3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 1, "sha256", 4096, "", "b803429503d95915829b29fdbc8bbad142f3abfd11b1cadf5526582e685c0551",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 1023, "sha256", 1024, "",
	  "6be87961498f1a36ecb6bed0d3b43f22c09e2a682a61e789577191ba22a38840",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 1024, "sha256", 1024, "",
	  "b11025ef3970c3168ebea50668f0e70ff6e85a9123aad89996046edd58e295e6",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 1025, "sha256", 1024, "",
	  "3809f3fb011350bc4a8b5b0efc1e1da62ec301371181266c0d02764244af2a13",
	  "e9893c84219224bd15fbd2723aeab73f48220b2bdf188a6871ffdb54d920c25c" },
	{ 4095, "sha256", 4096, "",
	  "5eaaafb9da6adf8a1fed92731cdc4b4d58d7b1bd68d0b470690592dbaaed80bb",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 4096, "sha256", 4096, "",
	  "3ed8272dba32ad681d624c8cfa4a0e9a64953a34ab1d7c9b7e5f221b0ebdabb8",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 4097, "sha256", 4096, "",
	  "c5e7a8adef6390cb3491c99aa9c3a75ab09740457d2081054b0c6976e8e14a14",
	  "d76c80f6fdc4565da8149d66e9fc28e09f1498ba0bd6d424dfcd491dbb4a3c23" },
	{ 4097, "sha512", 2048, "ab",
	  "126d2f702268871212c42586d0f72f5ef77a4551794f20d26c9a3b7330ad95ebf5328eb66c7d92111e6e5a9c"
	  "42478eb3b2a2a0fe9bca43270aadf6d84179062b",
	  "2ce13f635ae1f2e77d805ec50d415a8bcb2cea954ed323a58558462589cfa82a" },
	{ 65537, "sha256", 65536, "00",
	  "e25cf690dd7c49a2c68ae1863edb50a9a20a4801738b93b49e4461a13138797d",
	  "5be183a3c55d557984c3555e1aa8845680f4b8dad3e0fb9c30c55545402a96a7" },
	{ 131073, "sha256", 8192, "0102030405060708090a0b0c0d0e0f1011121314",
	  "9252beb180ae1790e3e83df747235c94bb5cb59772b3a0062d45797dbb301fa8",
	  "b875ad31cac96bb7076c9b177fd2cc9876dc06d48935e2d5ebcbbb3dc0ea7585" },
	{ 300000, "sha256", 1024, "",
	  "187da252ae4356a90e494a92e1ff952f522973b338f55b9c0d1e5d77a1ada44f",
	  "07c57c11bcdbf9e79259231bdc926f6216f1b82cfc4d6d48b4ae7ffea6cf5a5e" },
	{ 300000, "sha512", 1024, "f3c93fa6fb828c0e1587e5714ecf6f56",
	  "8dc9929fdfb85f07e9dec348754aa36584a432f6fd194033af08b57d74f451d77469f05ba187e43eedabc146"
	  "48accf64a27609f68083e72862bfca63b154ee35",
	  "f7253fbeb7c8d412da87785cb62bab4f1b4f1250306bfc601e9faf6a49836f02" },
	{ 300000, "sha512", 1024,
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "a9b8696e2e3d43a8294171c0b3113618a89d85facc726900597a4694a2e108e44f196adf801ff3b956cb3e43"
	  "4f09f117f92c90269c77b2bb2b50c5de26a0b7fd",
	  "d64850929de9ba63a3900ce4859436a84cd175d3d52f75a554b8f39cb5260c9e" },
	{ 1048577, "sha256", 4096, "",
	  "1c95bb0b3c25ae95e12b739a54e49f47605229ff52eff0f4f9857885cefb2d13",
	  "7b179c468fb455b610aae20c6e71285d371a12e8325fa0a2e480b6101e159a41" },
	{ 1048577, "sha512", 4096, "deadbeef",
	  "e46db3e9ac9f16503ed43b01306237b5e8b625812b34824fc4c5c87ddc49e1730b20a331474838607eb0fbdf"
	  "fd5901d71f17ace44058961610ab37427b273da2",
	  "e24e9531eb436b58ff5f8f7e8a5195939b63c726ecbc510eecfaa672f7652926" },
	{ 1048577, "sha512", 65536,
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "cc435f9a145cb616a0232dd491af92b403546e0e877c9ef935cd11125cccc1fe2d48adb72a32109bd4a9586f"
	  "fc743f70ccd3e1afab88d1018c4b7b4dce3c6b9f",
	  "6dcc63dcef5a8e2f5ca06757a0cb6d428337ce6cd5e9018d4067af9e0afd4432" },
	{ 5000000, "sha256", 1024, "5a",
	  "89290c30615477c57a52e4c27a48afd5c8682d63034183a0157039fdf1aaff6f",
	  "415867d17dcda17c59686aa9e4e4c55cbe5766c95bef06c205bf4969a2d8b628" },
	{ 5000000, "sha512", 16384, "",
	  "5749e027d819e2df1d60f30edca5b74bd1bb74650926e9097ad7507dffa9529dbac6a7f3a0d583dd7ba6e0eb"
	  "8d38ced895b9cfeb4d5dff006cd8cabe9c7dee57",
	  "67157135783c7798f8c6955c47f5edac5a9fd858e74a1f08561a06548589ab5c" },
	{ 5000000, "sha256", 32768, "",
	  "718164c7b08ff147116296b38620beafb97569a30a1d54717de6d870f7752746",
	  "df4678c8feeb6510d123d4fdd69bb08275ea727ee553e2cd88edd2b908439fe1" },
};

#define NR_PATTERN (sizeof(pattern_vectors) / sizeof(pattern_vectors[0]))

/* Every pattern vector, tree and digest, on 1, 2 and the automatic number of threads. */
START_TEST(merkle_pattern_vectors_tree_and_digest)
{
	static const unsigned int threads[] = { 1, 2, 0 };
	uint8_t salt[MERKLE_MAX_SALT_SIZE], digest[MERKLE_MAX_DIGEST_SIZE];
	char hex[2 * MERKLE_MAX_DIGEST_SIZE + 1];
	struct merkle_params p = { 0 };
	struct merkle_tree *t;
	size_t i, k, ds;

	for (i = 0; i < NR_PATTERN; i++) {
		for (k = 0; k < 3; k++) {
			p.hash_alg = merkle_hash_alg_from_name(pattern_vectors[i].alg);
			p.block_size = pattern_vectors[i].block_size;
			p.salt_len = parse_salt(pattern_vectors[i].salt, salt);
			p.salt = salt;
			p.threads = threads[k];
			ds = merkle_digest_size(p.hash_alg);

			ck_assert_int_eq(
				merkle_build(&p, pattern_read, NULL, pattern_vectors[i].size, &t),
				0);
			sha256_hex(t->tree, (size_t)t->geo.tree_size, hex);
			ck_assert_msg(!strcmp(hex, pattern_vectors[i].tree_sha256),
				      "vector %zu threads %u: tree sha256 %s", i, threads[k], hex);
			ck_assert_int_eq(merkle_digest_from_root(&p, pattern_vectors[i].size,
								 t->root_hash, digest),
					 0);
			merkle_to_hex(digest, ds, hex);
			ck_assert_msg(!strcmp(hex, pattern_vectors[i].digest),
				      "vector %zu threads %u: digest %s", i, threads[k], hex);
			merkle_tree_free(t);

			ck_assert_int_eq(merkle_file_digest(&p, pattern_read, NULL,
							    pattern_vectors[i].size, digest),
					 0);
			merkle_to_hex(digest, ds, hex);
			ck_assert_str_eq(hex, pattern_vectors[i].digest);
		}
	}
}
END_TEST

START_TEST(merkle_build_buf_matches_stream)
{
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA256, .block_size = 4096 };
	struct merkle_tree *a, *b;
	size_t n = 1048577;
	uint8_t *data = pattern_buf(n);

	ck_assert_int_eq(merkle_build_buf(&p, data, n, &a), 0);
	ck_assert_int_eq(merkle_build(&p, pattern_read, NULL, n, &b), 0);
	ck_assert_uint_eq(a->geo.tree_size, b->geo.tree_size);
	ck_assert_mem_eq(a->tree, b->tree, (size_t)a->geo.tree_size);
	ck_assert_mem_eq(a->root_hash, b->root_hash, 32);
	merkle_tree_free(a);
	merkle_tree_free(b);
	ck_assert_int_eq(merkle_build_buf(&p, NULL, 1, &a), -EINVAL);
	free(data);
}
END_TEST

START_TEST(merkle_empty_file_root_is_zero)
{
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA512, .block_size = 1024 };
	uint8_t root[MERKLE_MAX_DIGEST_SIZE], zero[MERKLE_MAX_DIGEST_SIZE] = { 0 };
	struct merkle_tree *t;

	memset(root, 0xaa, sizeof(root));
	ck_assert_int_eq(merkle_root_hash(&p, zero_read, NULL, 0, root), 0);
	ck_assert_mem_eq(root, zero, 64);
	ck_assert_int_eq(merkle_build(&p, zero_read, NULL, 0, &t), 0);
	ck_assert_uint_eq(t->geo.tree_size, 0);
	ck_assert_mem_eq(t->root_hash, zero, 64);
	merkle_tree_free(t);
}
END_TEST

/* A one-block file has no tree: the root is the salted hash of the zero-padded block. */
START_TEST(merkle_single_block_root_is_block_hash)
{
	static const uint8_t salt[3] = { 1, 2, 3 };
	struct merkle_params p = {
		.hash_alg = MERKLE_HASH_SHA256,
		.block_size = 1024,
		.salt = salt,
		.salt_len = 3,
	};
	uint8_t buf[64 + 1024], root[32], want[32];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, salt, 3);
	pattern_read(NULL, buf + 64, 100, 0);
	ck_assert(EVP_Digest(buf, sizeof(buf), want, NULL, EVP_sha256(), NULL));
	ck_assert_int_eq(merkle_root_hash(&p, pattern_read, NULL, 100, root), 0);
	ck_assert_mem_eq(root, want, 32);
}
END_TEST

/* A heap hasher (what readers that verify block by block keep) hashes as the builder does:
 * salted, zero-padded, the same state reused block after block; bad parameters are EINVAL. */
START_TEST(merkle_hasher_hashes_blocks_one_at_a_time)
{
	static const uint8_t salt[3] = { 1, 2, 3 };
	struct merkle_params p = {
		.hash_alg = MERKLE_HASH_SHA512,
		.block_size = 1024,
		.salt = salt,
		.salt_len = 3,
	};
	struct merkle_hasher *h;
	uint8_t data[1024], got[64], want[64];
	size_t len;

	/* A file of one block: its root hash is the hash of its only block. */
	for (len = 1; len <= 1024; len += 341) {
		ck_assert_int_eq(merkle_root_hash(&p, pattern_read, NULL, len, want), 0);
		pattern_read(NULL, data, sizeof(data), 0);
		ck_assert_int_eq(merkle_hasher_new(&p, &h), 0);
		ck_assert_int_eq(merkle_hash_block(h, data, sizeof(data), got), 0);
		ck_assert_int_eq(merkle_hash_block(h, data, len, got), 0); /* the same state */
		ck_assert_mem_eq(got, want, 64);
		merkle_hasher_free(h);
	}
	p.block_size = 1000;
	ck_assert_int_eq(merkle_hasher_new(&p, &h), -EINVAL);
	merkle_hasher_free(NULL);
}
END_TEST

START_TEST(merkle_descriptor_layout)
{
	static const uint8_t salt[5] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
	struct merkle_params p = {
		.hash_alg = MERKLE_HASH_SHA512,
		.block_size = 16384,
		.salt = salt,
		.salt_len = 5,
	};
	uint8_t root[64], desc[MERKLE_DESCRIPTOR_SIZE], digest[64], want[64];
	size_t i;

	for (i = 0; i < 64; i++)
		root[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(merkle_descriptor(&p, 0x0102030405060708ull, root, desc), 0);
	ck_assert_uint_eq(desc[0], 1);
	ck_assert_uint_eq(desc[1], 2);
	ck_assert_uint_eq(desc[2], 14);
	ck_assert_uint_eq(desc[3], 5);
	for (i = 4; i < 8; i++)
		ck_assert_uint_eq(desc[i], 0);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(desc[8 + i], 8 - i); /* little-endian */
	ck_assert_mem_eq(desc + 16, root, 64);
	ck_assert_mem_eq(desc + 80, salt, 5);
	for (i = 85; i < MERKLE_DESCRIPTOR_SIZE; i++)
		ck_assert_uint_eq(desc[i], 0);
	/* The digest is the plain (unsalted) hash of the descriptor. */
	ck_assert_int_eq(merkle_digest_from_root(&p, 0x0102030405060708ull, root, digest), 0);
	ck_assert(EVP_Digest(desc, sizeof(desc), want, NULL, EVP_sha512(), NULL));
	ck_assert_mem_eq(digest, want, 64);

	p.block_size = 1000;
	ck_assert_int_eq(merkle_descriptor(&p, 0, root, desc), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------------ verification */

struct verify_case {
	uint64_t size;
	int alg;
	uint32_t block_size;
	size_t salt_len;
};

static const struct verify_case verify_cases[] = {
	{ 300000, MERKLE_HASH_SHA512, 1024, 16 }, /* three levels */
	{ 1048577, MERKLE_HASH_SHA256, 4096, 0 }, /* two levels, a 1-byte last block */
	{ 4097, MERKLE_HASH_SHA256, 4096, 32 },	  /* one level */
	{ 1000, MERKLE_HASH_SHA256, 1024, 1 },	  /* no tree: the root only */
};

static size_t block_len(const struct verify_case *c, uint64_t blk)
{
	uint64_t left = c->size - blk * c->block_size;

	return (size_t)(left < c->block_size ? left : c->block_size);
}

static void verify_all(const struct merkle_params *p, const struct merkle_tree *t,
		       const uint8_t *data, uint64_t size, int *ok, int *bad)
{
	uint64_t idx, off;
	size_t len;
	int err;

	*ok = *bad = 0;
	for (idx = 0, off = 0; off < size; idx++, off += p->block_size) {
		len = (size_t)(size - off < p->block_size ? size - off : p->block_size);
		err = merkle_verify_block_buf(p, size, t->root_hash, t->tree, t->geo.tree_size, idx,
					      data + off, len);
		ck_assert_msg(err == 0 || err == -EBADMSG, "block %llu: %d",
			      (unsigned long long)idx, err);
		if (err)
			(*bad)++;
		else
			(*ok)++;
	}
}

START_TEST(merkle_verify_every_block_and_catch_tampering)
{
	const struct verify_case *c = &verify_cases[_i];
	uint8_t salt[32];
	struct merkle_params p = {
		.hash_alg = c->alg,
		.block_size = c->block_size,
		.salt = salt,
		.salt_len = c->salt_len,
	};
	uint8_t *data = pattern_buf((size_t)c->size);
	uint64_t nblocks = (c->size + c->block_size - 1) / c->block_size, pos, blk;
	uint8_t d1[MERKLE_MAX_DIGEST_SIZE], d2[MERKLE_MAX_DIGEST_SIZE];
	struct merkle_tree *t;
	int ok, bad;

	memset(salt, 0x5c, sizeof(salt));
	ck_assert_int_eq(merkle_build_buf(&p, data, c->size, &t), 0);
	verify_all(&p, t, data, c->size, &ok, &bad);
	ck_assert_int_eq(ok, (int)nblocks);
	ck_assert_int_eq(bad, 0);

	/* A flipped bit in a data block: exactly that block fails. */
	for (blk = 0; blk < nblocks; blk += nblocks / 7 + 1) {
		size_t len = block_len(c, blk);

		pos = blk * c->block_size + (blk * 131) % len;
		data[pos] ^= 0x10;
		verify_all(&p, t, data, c->size, &ok, &bad);
		ck_assert_int_eq(bad, 1);
		ck_assert_int_eq(merkle_verify_block_buf(&p, c->size, t->root_hash, t->tree,
							 t->geo.tree_size, blk,
							 data + blk * c->block_size, len),
				 -EBADMSG);
		data[pos] ^= 0x10;
	}
	/* A flipped bit anywhere in the tree (hashes or padding): some block fails. */
	for (pos = 0; pos < t->geo.tree_size; pos += 257) {
		t->tree[pos] ^= 0x01;
		verify_all(&p, t, data, c->size, &ok, &bad);
		ck_assert_msg(bad > 0, "tree byte %llu flipped, nothing failed",
			      (unsigned long long)pos);
		t->tree[pos] ^= 0x01;
	}
	/* A wrong root: every block fails. */
	t->root_hash[0] ^= 0x80;
	verify_all(&p, t, data, c->size, &ok, &bad);
	ck_assert_int_eq(ok, 0);
	t->root_hash[0] ^= 0x80;
	/* A tree cut short: the last block's path needs the last tree block. */
	if (t->geo.tree_size)
		ck_assert_int_eq(merkle_verify_block_buf(&p, c->size, t->root_hash, t->tree,
							 t->geo.tree_size - 1, nblocks - 1,
							 data + (nblocks - 1) * c->block_size,
							 block_len(c, nblocks - 1)),
				 -EBADMSG);
	/* The tree does not bind the size (a longer file can share a path): the descriptor,
	 * and so the digest, does. */
	ck_assert_int_eq(merkle_digest_from_root(&p, c->size, t->root_hash, d1), 0);
	ck_assert_int_eq(merkle_digest_from_root(&p, c->size + 1, t->root_hash, d2), 0);
	ck_assert(memcmp(d1, d2, merkle_digest_size(c->alg)) != 0);
	merkle_tree_free(t);
	free(data);
}
END_TEST

START_TEST(merkle_verify_rejects_bad_arguments)
{
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA256, .block_size = 4096 };
	uint8_t data[4096] = { 0 }, root[32] = { 0 };
	struct merkle_tree *t;

	ck_assert_int_eq(merkle_build_buf(&p, data, 4096, &t), 0);
	ck_assert_int_eq(merkle_verify_block_buf(&p, 4096, t->root_hash, t->tree, 0, 0, data, 4096),
			 0);
	/* Index past the end, a short len for a full block, an empty file. */
	ck_assert_int_eq(merkle_verify_block_buf(&p, 4096, t->root_hash, t->tree, 0, 1, data, 4096),
			 -EINVAL);
	ck_assert_int_eq(merkle_verify_block_buf(&p, 4096, t->root_hash, t->tree, 0, 0, data, 4095),
			 -EINVAL);
	ck_assert_int_eq(merkle_verify_block_buf(&p, 0, root, NULL, 0, 0, data, 0), -EINVAL);
	p.block_size = 2000;
	ck_assert_int_eq(merkle_verify_block_buf(&p, 4096, t->root_hash, t->tree, 0, 0, data, 4096),
			 -EINVAL);
	merkle_tree_free(t);
}
END_TEST

/* ------------------------------------------------------------------ errors */

struct failing_src {
	uint64_t fail_at; /* the read covering this offset fails */
	pthread_mutex_t lock;
	uint64_t calls;
};

static int failing_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct failing_src *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->calls++;
	pthread_mutex_unlock(&s->lock);
	if (s->fail_at >= off && s->fail_at < off + len)
		return -EIO;
	return pattern_read(NULL, buf, len, off);
}

START_TEST(merkle_read_error_is_returned)
{
	static const unsigned int threads[] = { 1, 2, 4 };
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA256, .block_size = 4096 };
	struct failing_src s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	uint8_t digest[32];
	struct merkle_tree *t = (void *)0x1;
	size_t k;

	for (k = 0; k < 3; k++) {
		p.threads = threads[k];
		s.fail_at = 20u << 20;
		ck_assert_int_eq(merkle_build(&p, failing_read, &s, 40u << 20, &t), -EIO);
		ck_assert_ptr_eq(t, (void *)0x1); /* untouched on failure */
		s.fail_at = 0;
		ck_assert_int_eq(merkle_file_digest(&p, failing_read, &s, 12345, digest), -EIO);
	}
	ck_assert_int_eq(merkle_build(&p, NULL, NULL, 1, &t), -EINVAL);
	p.hash_alg = 0;
	ck_assert_int_eq(merkle_build(&p, failing_read, &s, 1, &t), -EINVAL);
}
END_TEST

/* A stream read once, in order, in whole blocks, on one thread. */
struct order_src {
	uint64_t next;
	int bad;
};

static int order_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct order_src *s = ctx;

	if (off != s->next)
		s->bad++;
	s->next = off + len;
	return pattern_read(NULL, buf, len, off);
}

START_TEST(merkle_one_thread_reads_in_order_once)
{
	struct merkle_params p = {
		.hash_alg = MERKLE_HASH_SHA256,
		.block_size = 4096,
		.threads = 1,
	};
	struct order_src s = { 0, 0 };
	uint8_t root[32];

	ck_assert_int_eq(merkle_root_hash(&p, order_read, &s, 10000001, root), 0);
	ck_assert_int_eq(s.bad, 0);
	ck_assert_uint_eq(s.next, 10000001);
}
END_TEST

/* Fail the n-th allocation for n = 1, 2, ... until the build succeeds. */
START_TEST(merkle_allocation_failure_sweep)
{
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA512, .block_size = 1024 };
	struct merkle_tree *t;
	uint8_t digest[64], ref[64];
	uint64_t n;
	int err;

	ck_assert_int_eq(merkle_file_digest(&p, pattern_read, NULL, 300000, ref), 0);
	for (n = 1;; n++) {
		fault_arm(n, 1u << FAULT_ALLOC);
		err = merkle_build(&p, pattern_read, NULL, 300000, &t);
		if (!fault_fired()) {
			ck_assert_int_eq(err, 0);
			break;
		}
		ck_assert_int_eq(err, -ENOMEM);
	}
	fault_disarm();
	ck_assert_uint_gt(n, 3);
	merkle_tree_free(t);
	for (n = 1;; n++) {
		fault_arm(n, 1u << FAULT_ALLOC);
		err = merkle_file_digest(&p, pattern_read, NULL, 300000, digest);
		if (!fault_fired()) {
			ck_assert_int_eq(err, 0);
			break;
		}
		ck_assert_int_eq(err, -ENOMEM);
	}
	fault_disarm();
	ck_assert_mem_eq(digest, ref, 64);
}
END_TEST

Suite *merkle_suite(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc;

	tc = tcase_create("params");
	tcase_add_checked_fixture(tc, NULL, merkle_teardown);
	tcase_add_test(tc, merkle_params_validate_limits);
	tcase_add_test(tc, merkle_hash_names_and_sizes);
	tcase_add_test(tc, merkle_hex_round_trip_and_errors);
	tcase_add_test(tc, merkle_geometry_levels_top_down);
	suite_add_tcase(s, tc);

	tc = tcase_create("digest");
	tcase_add_checked_fixture(tc, NULL, merkle_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, merkle_xfstests_generic_575);
	tcase_add_test(tc, merkle_pattern_vectors_tree_and_digest);
	tcase_add_test(tc, merkle_build_buf_matches_stream);
	tcase_add_test(tc, merkle_empty_file_root_is_zero);
	tcase_add_test(tc, merkle_single_block_root_is_block_hash);
	tcase_add_test(tc, merkle_hasher_hashes_blocks_one_at_a_time);
	tcase_add_test(tc, merkle_descriptor_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_checked_fixture(tc, NULL, merkle_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, merkle_verify_every_block_and_catch_tampering, 0,
			    (int)(sizeof(verify_cases) / sizeof(verify_cases[0])));
	tcase_add_test(tc, merkle_verify_rejects_bad_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, NULL, merkle_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, merkle_read_error_is_returned);
	tcase_add_test(tc, merkle_one_thread_reads_in_order_once);
	tcase_add_test(tc, merkle_allocation_failure_sweep);
	suite_add_tcase(s, tc);
	return s;
}
