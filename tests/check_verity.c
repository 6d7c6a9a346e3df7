/*
 * check_verity.c - the verity filesystem (src/fs/verity): mounting and its errors, the
 * preparation mode (FS_IOC_ENABLE_VERITY, verity_enable_path, verity_measure_path), the
 * ioctls' errors, the fs-verity digest of files (the Merkle library's), read-only and
 * reserved names, the directory descriptor test vectors of doc/verity.md, and the tamper
 * tests: every kind of tamper of doc/verity.md, over 50 seeds, must be caught (EIO with
 * action=error, abort() with action=panic); and the cache of verified blocks (doc/verity.md
 * section 7): blocks hashed once, a cached block trusted until evicted and verified again
 * after, streams not cached, no unverified byte left in a failed read's buffer.
 *
 * Layout of every test (prepare()): a tmpfs on /lower holding the tree, prepared through a
 * verity mount without a root hash on /v, measured and unmounted; then tampered through
 * /lower and mounted again on /v with roothash=....
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/fsverity.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fault.h"
#include "fs/verity/internal.h"
#include "helpers.h"
#include "vfs/internal.h"
#include "vfslab/merkle.h"
#include "vfslab/verity.h"

#ifndef FS_IOC_GETFLAGS
#define FS_IOC_GETFLAGS _IOR('f', 1, long)
#endif
#define VERITY_FL 0x00100000

/* The big file: 1 KiB blocks (enabled by ioctl with an argument), 70 blocks: a tree of
 * two levels (32 hashes of SHA-256 per block). */
#define BIG_SIZE (70 * 1024 + 123)
#define BIG_BLOCK 1024

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static char root_hex[2 * MERKLE_MAX_DIGEST_SIZE + 1];
static uint8_t big_data[BIG_SIZE];

static void write_bytes(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = vfs_openat(tt, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_msg(fd >= 0, "create %s: %d", path, fd);
	ck_assert_int_eq(vfs_write(tt, fd, data, len), (long)len);
	vfs_close(tt, fd);
}

static int mount_verity(const char *opts)
{
	return vfs_mount(tt, "none", "/v", "verity", 0, opts);
}

static int mount_verified(const char *action)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "lowerdir=/lower,roothash=%s,action=%s", root_hex, action);
	return mount_verity(opts);
}

static int enable_big(void)
{
	struct fsverity_enable_arg arg = { .version = 1,
					   .hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
					   .block_size = BIG_BLOCK };
	int fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	int err;

	if (fd < 0)
		return fd;
	err = vfs_ioctl(tt, fd, FS_IOC_ENABLE_VERITY, &arg);
	vfs_close(tt, fd);
	return err;
}

/* The tree: /lower/{a, b, big, empty, link -> a, fifo, sub/{f, g, deep/h}}; seed picks the
 * contents. Prepared and measured through /v; /v is left unmounted. */
static void prepare(unsigned seed)
{
	char buf[64];
	size_t i;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	for (i = 0; i < BIG_SIZE; i++)
		big_data[i] = (uint8_t)rnd();
	vfs_umask(tt, 0);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lower", "tmpfs", 0, "mode=0755"));
	snprintf(buf, sizeof(buf), "file a, seed %u\n", seed);
	write_bytes("/lower/a", buf, strlen(buf), 0644);
	snprintf(buf, sizeof(buf), "file b, seed %u, longer\n", seed);
	write_bytes("/lower/b", buf, strlen(buf), 0640);
	write_bytes("/lower/big", big_data, BIG_SIZE, 0644);
	write_bytes("/lower/empty", "", 0, 0600);
	ck_assert_ok(vfs_symlinkat(tt, "a", AT_FDCWD, "/lower/link"));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/lower/fifo", S_IFIFO | 0644, 0));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower/sub", 0750));
	write_bytes("/lower/sub/f", "f\n", 2, 0644);
	write_bytes("/lower/sub/g", "gg\n", 3, 0644);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower/sub/deep", 0700));
	write_bytes("/lower/sub/deep/h", "hhh\n", 4, 0644);
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lower/sub/g", 1000, 1000, 0));

	ck_assert_ok(mount_verity("lowerdir=/lower"));
	ck_assert_ok(enable_big());
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_measure_path(tt, "/v", root_hex, sizeof(root_hex)));
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
}

/* ------------------------------------------------------------------ tamper helpers */

static void flip_bit(const char *path, uint64_t bit)
{
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDWR, 0);
	uint8_t c;

	ck_assert_msg(fd >= 0, "open %s: %d", path, fd);
	ck_assert_int_eq(vfs_pread(tt, fd, &c, 1, (off_t)(bit / 8)), 1);
	c ^= (uint8_t)(1u << (bit % 8));
	ck_assert_int_eq(vfs_pwrite(tt, fd, &c, 1, (off_t)(bit / 8)), 1);
	vfs_close(tt, fd);
}

static int64_t file_size(const char *path)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW));
	return st.size;
}

static int stat_v(const char *path)
{
	struct vfs_stat st;

	return vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
}

/* Read the whole of path through /v: 0, or the first error. */
static int read_all(const char *path)
{
	char buf[4096];
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDONLY, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	while ((n = vfs_read(tt, fd, buf, sizeof(buf))) > 0)
		;
	vfs_close(tt, fd);
	return (int)n;
}

static int list_v(const char *path)
{
	char buf[4096];
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	while ((n = vfs_getdents(tt, fd, buf, sizeof(buf))) > 0)
		;
	vfs_close(tt, fd);
	return (int)n;
}

/* Read block idx of /v/big (all of it); the error or 0 if it matches big_data. */
static int read_big_block(uint64_t idx)
{
	uint8_t buf[BIG_BLOCK];
	uint64_t off = idx * BIG_BLOCK;
	size_t len = BIG_SIZE - off < BIG_BLOCK ? BIG_SIZE - off : BIG_BLOCK;
	int fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = vfs_pread(tt, fd, buf, len, (off_t)off);
	vfs_close(tt, fd);
	if (n < 0)
		return (int)n;
	ck_assert_int_eq(n, (long)len);
	ck_assert(!memcmp(buf, big_data + off, len));
	return 0;
}

enum tamper {
	T_DATA_BIT,
	T_TREE_BIT,
	T_FILE_DESC_BIT,
	T_ROOT_DESC_BIT,
	T_DIR_DESC_BIT,
	T_TRUNCATE,
	T_EXTEND,
	T_MODE,
	T_UID,
	T_GID,
	T_SIZE,
	T_SYMLINK,
	T_DIR_MODE,
	T_RENAME,
	T_REMOVE,
	T_ADD,
	T_MERKLE_REMOVE,
	T_MERKLE_SWAP,
	T_NR
};

static const char *const tamper_names[T_NR] = {
	"data bit",
	"tree bit",
	"file descriptor bit",
	"root descriptor bit",
	"directory descriptor bit",
	"truncate",
	"extend",
	"mode",
	"uid",
	"gid",
	"size",
	"symlink target",
	"directory mode",
	"rename",
	"remove",
	"add",
	"Merkle file removed",
	"Merkle files swapped",
};

/* Apply tamper kind k to /lower; *block gets the tampered data block (T_DATA_BIT). */
static void tamper(enum tamper k, uint64_t *block)
{
	int64_t msize = file_size("/lower/.merkle.verity.big");
	int64_t tree = msize - MERKLE_DESCRIPTOR_SIZE;

	switch (k) {
	case T_DATA_BIT:
		*block = rnd() % ((BIG_SIZE + BIG_BLOCK - 1) / BIG_BLOCK);
		flip_bit("/lower/big", *block * BIG_BLOCK * 8 +
					       rnd() % ((BIG_SIZE - *block * BIG_BLOCK < BIG_BLOCK
								 ? BIG_SIZE - *block * BIG_BLOCK
								 : BIG_BLOCK) *
							8));
		break;
	case T_TREE_BIT: flip_bit("/lower/.merkle.verity.big", rnd() % ((uint64_t)tree * 8)); break;
	case T_FILE_DESC_BIT:
		flip_bit("/lower/.merkle.verity.big", (uint64_t)tree * 8 + rnd() % (256 * 8));
		break;
	case T_ROOT_DESC_BIT:
		flip_bit("/lower/.merkleroot.verity.root",
			 rnd() % ((uint64_t)file_size("/lower/.merkleroot.verity.root") * 8));
		break;
	case T_DIR_DESC_BIT:
		flip_bit("/lower/.merkle.verity.sub",
			 rnd() % ((uint64_t)file_size("/lower/.merkle.verity.sub") * 8));
		break;
	case T_TRUNCATE: ck_assert_ok(vfs_truncate(tt, "/lower/big", rnd() % BIG_SIZE)); break;
	case T_EXTEND:
		ck_assert_ok(vfs_truncate(tt, "/lower/big", BIG_SIZE + 1 + rnd() % 5000));
		break;
	case T_MODE:
		ck_assert_ok(
			vfs_fchmodat(tt, AT_FDCWD, "/lower/a", 0600 | (rnd() % 2 ? 04000 : 0), 0));
		break;
	case T_UID:
		ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lower/a", 1 + rnd() % 100, (gid_t)-1, 0));
		break;
	case T_GID:
		ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lower/a", (uid_t)-1, 1 + rnd() % 100, 0));
		break;
	case T_SIZE: {
		int fd = vfs_openat(tt, AT_FDCWD, "/lower/a", O_WRONLY | O_APPEND, 0);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(vfs_write(tt, fd, "x", 1), 1);
		vfs_close(tt, fd);
		break;
	}
	case T_SYMLINK:
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/lower/link", 0));
		ck_assert_ok(vfs_symlinkat(tt, rnd() % 2 ? "b" : "a/", AT_FDCWD, "/lower/link"));
		break;
	case T_DIR_MODE: ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/lower/sub", 0755, 0)); break;
	case T_RENAME:
		ck_assert_ok(
			vfs_renameat2(tt, AT_FDCWD, "/lower/sub/f", AT_FDCWD, "/lower/sub/e", 0));
		break;
	case T_REMOVE: ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/lower/sub/f", 0)); break;
	case T_ADD: write_bytes("/lower/sub/new", "new\n", 4, 0644); break;
	case T_MERKLE_REMOVE:
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/lower/.merkle.verity.a", 0));
		break;
	case T_MERKLE_SWAP:
		ck_assert_ok(vfs_renameat2(tt, AT_FDCWD, "/lower/.merkle.verity.a", AT_FDCWD,
					   "/lower/.merkle.verity.b", RENAME_EXCHANGE));
		break;
	default: break;
	}
}

/* After tamper k: is it caught (EIO where the doc says)? */
static void check_caught(enum tamper k, uint64_t block, unsigned seed)
{
	const char *what = tamper_names[k];
	int err;

	if (k == T_ROOT_DESC_BIT) {
		ck_assert_msg(mount_verified("error") == -EIO, "seed %u: %s missed", seed, what);
		return;
	}
	ck_assert_msg(mount_verified("error") == 0, "seed %u: %s: mount failed", seed, what);
	switch (k) {
	case T_DATA_BIT: {
		uint64_t nblocks = (BIG_SIZE + BIG_BLOCK - 1) / BIG_BLOCK, i;

		/* Only reads of that block fail. */
		for (i = 0; i < nblocks; i++) {
			err = read_big_block(i);
			if (i == block)
				ck_assert_msg(err == -EIO, "seed %u: %s (block %llu) missed", seed,
					      what, (unsigned long long)i);
			else
				ck_assert_msg(err == 0, "seed %u: block %llu failed: %d", seed,
					      (unsigned long long)i, err);
		}
		break;
	}
	case T_TREE_BIT:
		ck_assert_msg(read_all("/v/big") == -EIO, "seed %u: %s missed", seed, what);
		break;
	case T_FILE_DESC_BIT:
	case T_TRUNCATE:
	case T_EXTEND:
		ck_assert_msg(stat_v("/v/big") == -EIO, "seed %u: %s missed", seed, what);
		break;
	case T_MODE:
	case T_UID:
	case T_GID:
	case T_SIZE:
	case T_MERKLE_REMOVE:
	case T_MERKLE_SWAP:
		ck_assert_msg(stat_v("/v/a") == -EIO, "seed %u: %s missed", seed, what);
		ck_assert_msg(read_all("/v/a") == -EIO, "seed %u: %s missed (read)", seed, what);
		break;
	case T_SYMLINK:
		ck_assert_msg(stat_v("/v/link") == -EIO, "seed %u: %s missed", seed, what);
		break;
	case T_DIR_DESC_BIT:
	case T_DIR_MODE:
		ck_assert_msg(stat_v("/v/sub") == -EIO, "seed %u: %s missed", seed, what);
		ck_assert_msg(stat_v("/v/sub/g") == -EIO, "seed %u: %s missed below", seed, what);
		break;
	case T_RENAME:
		ck_assert_msg(stat_v("/v/sub/f") == -EIO, "seed %u: %s (old) missed", seed, what);
		ck_assert_msg(stat_v("/v/sub/e") == -EIO, "seed %u: %s (new) missed", seed, what);
		ck_assert_msg(list_v("/v/sub") == -EIO, "seed %u: %s (list) missed", seed, what);
		break;
	case T_REMOVE:
		ck_assert_msg(stat_v("/v/sub/f") == -EIO, "seed %u: %s missed", seed, what);
		ck_assert_msg(list_v("/v/sub") == -EIO, "seed %u: %s (list) missed", seed, what);
		break;
	case T_ADD:
		ck_assert_msg(stat_v("/v/sub/new") == -EIO, "seed %u: %s missed", seed, what);
		ck_assert_msg(list_v("/v/sub") == -EIO, "seed %u: %s (list) missed", seed, what);
		break;
	default: break;
	}
	/* What was not tampered still verifies. */
	if (k != T_DIR_DESC_BIT && k != T_DIR_MODE)
		ck_assert_msg(stat_v("/v/sub/deep/h") == 0, "seed %u: %s: sibling", seed, what);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
}

/* ------------------------------------------------------------------ tests */

START_TEST(verity_mount_options_errors)
{
	char bad[200];

	prepare(1);
	ck_assert_err(mount_verity(""), EINVAL);
	ck_assert_err(mount_verity("lowerdir=/nonexistent"), ENOENT);
	ck_assert_err(mount_verity("lowerdir=/lower/a"), ENOTDIR);
	ck_assert_err(mount_verity("lowerdir=/lower,roothash=abc"), EINVAL);
	ck_assert_err(mount_verity("lowerdir=/lower,roothash=zz"), EINVAL);
	ck_assert_err(mount_verity("lowerdir=/lower,action=maybe"), EINVAL);
	ck_assert_err(mount_verity("lowerdir=/lower,bogus=1"), EINVAL);
	ck_assert_err(mount_verity("lowerdir=/lower,root_name=a/b"), EINVAL);
	/* A wrong root hash: the mount is refused. */
	snprintf(bad, sizeof(bad), "lowerdir=/lower,roothash=%064d", 0);
	ck_assert_err(mount_verity(bad), EIO);
	/* Another root name has no root Merkle file. */
	snprintf(bad, sizeof(bad), "lowerdir=/lower,roothash=%s,root_name=other", root_hex);
	ck_assert_err(mount_verity(bad), EIO);
	ck_assert_ok(mount_verified("error"));
}
END_TEST

START_TEST(verity_verified_reads_and_lists)
{
	char buf[256];
	long n;
	int fd;
	struct vfs_stat st, lst;
	uint8_t *big = malloc(BIG_SIZE);

	prepare(2);
	ck_assert_ok(mount_verified("error"));
	n = t_read_file(tt, "/v/a", buf, sizeof(buf));
	ck_assert_int_eq(n, (long)strlen("file a, seed 2\n"));
	ck_assert_str_eq(buf, "file a, seed 2\n");
	ck_assert_int_eq(t_read_file(tt, "/v/empty", buf, sizeof(buf)), 0);
	ck_assert_int_eq(t_read_file(tt, "/v/sub/deep/h", buf, sizeof(buf)), 4);
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_pread(tt, fd, big, BIG_SIZE, 0), BIG_SIZE);
	ck_assert(!memcmp(big, big_data, BIG_SIZE));
	/* Unaligned, spanning blocks; and past the end. */
	ck_assert_int_eq(vfs_pread(tt, fd, big, 3000, 1000), 3000);
	ck_assert(!memcmp(big, big_data + 1000, 3000));
	ck_assert_int_eq(vfs_pread(tt, fd, big, 100, BIG_SIZE), 0);
	vfs_close(tt, fd);
	ck_assert_int_eq(vfs_readlinkat(tt, AT_FDCWD, "/v/link", buf, sizeof(buf)), 1);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/v/sub/g", &st, 0));
	ck_assert_int_eq(st.uid, 1000);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/lower/sub/g", &lst, 0));
	ck_assert_int_eq(st.ino, lst.ino);
	ck_assert_int_eq(st.mode, lst.mode);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/v/fifo", &st, 0));
	ck_assert(S_ISFIFO(st.mode));
	ck_assert_err(stat_v("/v/missing"), ENOENT);
	ck_assert_ok(list_v("/v"));
	ck_assert_ok(list_v("/v/sub"));
	free(big);
}
END_TEST

/* The names of a directory through /v, sorted by the filesystem, comma-joined. */
static void names_of(const char *path, char *out, size_t size)
{
	char buf[4096];
	int fd = vfs_openat(tt, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	ssize_t n, off;

	out[0] = '\0';
	ck_assert_int_ge(fd, 0);
	while ((n = vfs_getdents(tt, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(buf + off + 19, ".") && strcmp(buf + off + 19, "..")) {
				if (out[0])
					strncat(out, ",", size - strlen(out) - 1);
				strncat(out, buf + off + 19, size - strlen(out) - 1);
			}
			off += reclen;
		}
	}
	vfs_close(tt, fd);
}

START_TEST(verity_readdir_hides_merkle_files)
{
	char names[512];

	prepare(3);
	ck_assert_ok(mount_verified("error"));
	names_of("/v", names, sizeof(names));
	ck_assert_str_eq(names, "a,b,big,empty,fifo,link,sub");
	names_of("/v/sub", names, sizeof(names));
	ck_assert_str_eq(names, "deep,f,g");
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(mount_verity("lowerdir=/lower"));
	names_of("/v", names, sizeof(names));
	ck_assert_str_eq(names, "a,b,big,empty,fifo,link,sub");
}
END_TEST

START_TEST(verity_read_only_and_reserved_names)
{
	prepare(4);
	ck_assert_ok(mount_verified("error"));
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/v/newdir", 0755), EROFS);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/v/newfile", O_CREAT | O_WRONLY, 0644), EROFS);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/v/a", O_WRONLY, 0), EROFS);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/v/a", 0), EROFS);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/v/sub/deep", AT_REMOVEDIR), EROFS);
	ck_assert_err(vfs_renameat2(tt, AT_FDCWD, "/v/a", AT_FDCWD, "/v/c", 0), EROFS);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/v/a", 0600, 0), EROFS);
	ck_assert_err(vfs_fchownat(tt, AT_FDCWD, "/v/a", 1, 1, 0), EROFS);
	ck_assert_err(vfs_truncate(tt, "/v/a", 0), EROFS);
	ck_assert_err(vfs_symlinkat(tt, "x", AT_FDCWD, "/v/sym"), EROFS);
	ck_assert_err(vfs_setxattrat(tt, AT_FDCWD, "/v/a", "user.x", "1", 1, 0, 0), EROFS);
	ck_assert_err(stat_v("/v/.merkle.verity.a"), EPERM);
	ck_assert_err(stat_v("/v/x.merkle.verity.y"), EPERM);
	ck_assert_err(stat_v("/v/.merkleroot.verity.root"), EPERM);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/v/.merkle.verity.a", O_RDONLY, 0), EPERM);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	/* The same without a root hash: still read-only. */
	ck_assert_ok(mount_verity("lowerdir=/lower"));
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/v/newdir", 0755), EROFS);
	ck_assert_err(stat_v("/v/sub/.merkle.verity.f"), EPERM);
}
END_TEST

static int measure_fd(int fd, uint16_t cap, uint8_t *digest, uint16_t *alg)
{
	union {
		struct fsverity_digest d;
		uint8_t space[sizeof(struct fsverity_digest) + 64];
	} u;
	int err;

	u.d.digest_size = cap;
	err = vfs_ioctl(tt, fd, FS_IOC_MEASURE_VERITY, &u.d);
	if (!err) {
		memcpy(digest, u.d.digest, u.d.digest_size);
		*alg = u.d.digest_algorithm;
		ck_assert_int_eq(u.d.digest_size, 32);
	}
	return err;
}

struct buf_src {
	const uint8_t *data;
};

static int buf_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, ((struct buf_src *)ctx)->data + off, len);
	return 0;
}

START_TEST(verity_ioctls)
{
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA256, .block_size = BIG_BLOCK };
	struct buf_src src = { big_data };
	uint8_t digest[64], want[64];
	uint16_t alg;
	int fd, flags;
	char hex[129];

	vfs_umask(tt, 0);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lower", "tmpfs", 0, "mode=0755"));
	memset(big_data, 0x5a, sizeof(big_data));
	write_bytes("/lower/big", big_data, BIG_SIZE, 0644);
	ck_assert_ok(vfs_mount(tt, "none", "/v", "verity", 0, "lowerdir=/lower"));
	/* Before enabling: ENODATA, no flag. */
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(measure_fd(fd, 64, digest, &alg), ENODATA);
	ck_assert_ok(vfs_ioctl(tt, fd, FS_IOC_GETFLAGS, &flags));
	ck_assert_int_eq(flags & VERITY_FL, 0);
	ck_assert_err(verity_measure_path(tt, "/v", hex, sizeof(hex)), ENODATA);
	vfs_close(tt, fd);
	ck_assert_ok(enable_big());
	ck_assert_err(enable_big(), EEXIST);
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_err(measure_fd(fd, 31, digest, &alg), EOVERFLOW);
	ck_assert_ok(measure_fd(fd, 32, digest, &alg));
	ck_assert_int_eq(alg, FS_VERITY_HASH_ALG_SHA256);
	/* The digest is fs-verity's (the Merkle library's, which `fsverity digest` agrees
	 * with). */
	ck_assert_ok(merkle_file_digest(&p, buf_read, &src, BIG_SIZE, want));
	ck_assert(!memcmp(digest, want, 32));
	ck_assert_ok(vfs_ioctl(tt, fd, FS_IOC_GETFLAGS, &flags));
	ck_assert_int_eq(flags & VERITY_FL, VERITY_FL);
	ck_assert_err(vfs_ioctl(tt, fd, 0x1234, NULL), ENOTTY);
	vfs_close(tt, fd);
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_measure_path(tt, "/v", root_hex, sizeof(root_hex)));
	ck_assert_err(verity_measure_path(tt, "/v", hex, 64), ERANGE);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(mount_verified("error"));
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_ok(measure_fd(fd, 64, digest, &alg));
	ck_assert(!memcmp(digest, want, 32));
	ck_assert_err(vfs_ioctl(tt, fd, FS_IOC_ENABLE_VERITY, NULL), EPERM);
	vfs_close(tt, fd);
	ck_assert_ok(verity_measure_path(tt, "/v", hex, sizeof(hex)));
	ck_assert_str_eq(hex, root_hex);
	ck_assert_err(verity_enable_path(tt, "/v"), EPERM);
}
END_TEST

START_TEST(verity_enable_dir_needs_children)
{
	int fd;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lower", "tmpfs", 0, "mode=0755"));
	write_bytes("/lower/f", "x", 1, 0644);
	ck_assert_ok(mount_verity("lowerdir=/lower"));
	fd = vfs_openat(tt, AT_FDCWD, "/v", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(vfs_ioctl(tt, fd, FS_IOC_ENABLE_VERITY, NULL), ENODATA);
	vfs_close(tt, fd);
	/* Children first, then it works, and again (the descriptor is rebuilt). */
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_enable_path(tt, "/v"));
}
END_TEST

/* A Merkle file is written under a reserved temporary name and renamed into place: a
 * temporary file left behind (by a crash) is removed, never served, never listed. */
START_TEST(verity_enable_writes_through_a_temporary_name)
{
	char before[129], after[129], names[256];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lower", "tmpfs", 0, "mode=0755"));
	write_bytes("/lower/f", "x", 1, 0644);
	write_bytes("/lower/.merkle.verity..merkle.verity.tmp", "junk", 4, 0644);
	ck_assert_ok(mount_verity("lowerdir=/lower"));
	ck_assert_err(stat_v("/v/.merkle.verity..merkle.verity.tmp"), EPERM);
	names_of("/v", names, sizeof(names));
	ck_assert_str_eq(names, "f");
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_err(stat_v("/lower/.merkle.verity..merkle.verity.tmp"), ENOENT);
	ck_assert_ok(verity_measure_path(tt, "/v", before, sizeof(before)));
	/* Enabling the directory again replaces its descriptor by rename. */
	write_bytes("/lower/g", "y", 1, 0644);
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_measure_path(tt, "/v", after, sizeof(after)));
	ck_assert_str_ne(before, after);
	ck_assert_err(stat_v("/lower/.merkle.verity..merkle.verity.tmp"), ENOENT);
	ck_assert_ok(stat_v("/lower/.merkleroot.verity.root"));
}
END_TEST

/* Every tamper kind, over 50 seeds: zero misses. */
START_TEST(verity_tamper_every_kind_caught)
{
	unsigned seed = (unsigned)_i;
	uint64_t block = 0;
	int k;

	for (k = 0; k < T_NR; k++) {
		prepare(seed * 100 + (unsigned)k);
		tamper((enum tamper)k, &block);
		check_caught((enum tamper)k, block, seed);
		ck_assert_ok(vfs_umount2(tt, "/lower", 0));
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/lower", AT_REMOVEDIR));
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/v", AT_REMOVEDIR));
	}
}
END_TEST

/* action=panic: a violation aborts (in a child process, whatever CK_FORK says). */
START_TEST(verity_action_panic_aborts)
{
	pid_t pid;
	int status;

	prepare(7);
	tamper(T_REMOVE, &(uint64_t){ 0 });
	ck_assert_ok(mount_verified("panic"));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct vfs_stat st;

		/* Silence the abort's core dump noise is not ours to do: just trip it. */
		vfs_fstatat(tt, AT_FDCWD, "/v/sub/f", &st, 0);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %#x", status);
	/* Untampered paths work in panic mode. */
	ck_assert_ok(stat_v("/v/a"));
}
END_TEST

/* cache_size for mount_internal (NULL: the default). */
static const char *internal_cache_size;

/* The mounter's form (struct verity_internal_opts), as the boot stepper mounts it. */
static int mount_internal(const char *hash, const char *root_name)
{
	struct verity_internal_opts io = { .root_hash = hash,
					   .root_name = root_name,
					   .cache_size = internal_cache_size };
	struct mount *m;
	struct path mp;
	int err;

	task_enter(tt);
	err = path_lookupat(tt, AT_FDCWD, "/lower", LOOKUP_FOLLOW, &io.lower_root);
	ck_assert_int_eq(err, 0);
	m = vfs_kern_mount(tk->vfs, tt->cred, "verity", "none", MNT_RELATIME_F, NULL, &io, NULL);
	path_put(&io.lower_root);
	if (IS_ERR(m)) {
		task_leave(tt);
		return (int)PTR_ERR(m);
	}
	err = path_lookupat(tt, AT_FDCWD, "/v", LOOKUP_FOLLOW, &mp);
	ck_assert_int_eq(err, 0);
	err = mnt_connect_at(tt, m, &mp);
	path_put(&mp);
	mnt_put(m);
	task_leave(tt);
	return err;
}

START_TEST(verity_internal_options_and_root_name)
{
	char buf[64], hex[129], *mi;
	size_t len;

	prepare(8);
	ck_assert_err(mount_internal("00", NULL), EINVAL);
	ck_assert_err(mount_internal(root_hex, "elsewhere"), EIO);
	ck_assert_ok(mount_internal(root_hex, NULL));
	ck_assert_int_gt(t_read_file(tt, "/v/sub/f", buf, sizeof(buf)), 0);
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_msg(strstr(mi, " verity none rw,lowerdir=") == NULL, "%s", mi);
	ck_assert_ptr_nonnull(strstr(mi, "verity none ro,roothash="));
	free(mi);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	/* Another root name: the root's Merkle file is .merkleroot.verity.NAME. */
	ck_assert_ok(mount_internal(NULL, "etc"));
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_measure_path(tt, "/v", hex, sizeof(hex)));
	ck_assert_str_eq(hex, root_hex); /* the same tree, the same descriptor */
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(stat_v("/lower/.merkleroot.verity.etc"));
	ck_assert_ok(mount_internal(root_hex, "etc"));
	ck_assert_ok(stat_v("/v/a"));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_nonnull(strstr(mi, ",action=error,root_name=etc"));
	free(mi);
}
END_TEST

/* Allocation and host failures at every point of a verified mount, lookups, reads and
 * listings: a failure is reported as itself (never EIO, never an abort with
 * action=panic), and nothing leaks (the fixture counts). */
START_TEST(verity_fault_sweep_never_a_violation)
{
	uint64_t n;
	int err = 0;
	bool fired = true;

	prepare(9);
	for (n = 1; fired && n < 5000; n++) {
		fault_arm(n, ALL_FAULT_SITES);
		err = mount_verified("panic");
		if (!err) {
			int e1 = stat_v("/v/sub/deep/h"), e2 = read_all("/v/big"),
			    e3 = list_v("/v/sub"), e4 = read_all("/v/a");

			fired = fault_fired();
			fault_disarm();
			ck_assert_msg(e1 != -EIO && e2 != -EIO && e3 != -EIO && e4 != -EIO,
				      "fault %llu: %d %d %d %d", (unsigned long long)n, e1, e2, e3,
				      e4);
			ck_assert_ok(vfs_umount2(tt, "/v", 0));
		} else {
			fired = fault_fired();
			fault_disarm();
			ck_assert_msg(err != -EIO, "fault %llu: mount EIO", (unsigned long long)n);
		}
	}
	ck_assert_msg(!fired, "sweep did not finish");
	ck_assert_ok(mount_verified("error"));
	ck_assert_ok(read_all("/v/big"));
}
END_TEST

/* ------------------------------------------------------------------ the block cache */

/* The block cache's counters of the verity mount on /v. */
static struct verity_cache_stats v_stats(void)
{
	struct verity_cache_stats st;
	struct path p;
	int err;

	task_enter(tt);
	err = path_lookupat(tt, AT_FDCWD, "/v", LOOKUP_FOLLOW, &p);
	if (!err) {
		st = VERITY_FS(p.dentry->d_sb)->cache.stats;
		path_put(&p);
	}
	task_leave(tt);
	ck_assert_int_eq(err, 0);
	return st;
}

static int mount_cached(const char *cache_size)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "lowerdir=/lower,roothash=%s,cache_size=%s", root_hex,
		 cache_size);
	return mount_verity(opts);
}

/* Read /v/big from start to end in chunk-byte reads on one open file, and compare. */
static void read_big_seq(size_t chunk)
{
	uint8_t *buf = malloc(BIG_SIZE);
	int fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	size_t done = 0;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	while ((n = vfs_read(tt, fd, buf + done,
			     chunk < BIG_SIZE - done ? chunk : BIG_SIZE - done)) > 0)
		done += (size_t)n;
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(done, BIG_SIZE);
	ck_assert(!memcmp(buf, big_data, BIG_SIZE));
	vfs_close(tt, fd);
	free(buf);
}

/* pread data block idx of /v/big on fd: 0 if it reads and matches, else the error. */
static int pread_block(int fd, uint64_t idx)
{
	uint8_t buf[BIG_BLOCK];
	uint64_t off = idx * BIG_BLOCK;
	size_t len = BIG_SIZE - off < BIG_BLOCK ? BIG_SIZE - off : BIG_BLOCK;
	ssize_t n = vfs_pread(tt, fd, buf, len, (off_t)off);

	if (n < 0)
		return (int)n;
	ck_assert_int_eq(n, (long)len);
	ck_assert_msg(!memcmp(buf, big_data + off, len), "block %llu differs",
		      (unsigned long long)idx);
	return 0;
}

/* big: 71 data blocks of 1 KiB, 32 SHA-256 hashes per tree block: level 0 has 3 blocks,
 * level 1 (the top) 1. */
#define BIG_BLOCKS 71
#define BIG_TREE_BLOCKS 4

/* A sequential read hashes each data block once and each tree block once (the walk ends
 * at the first cached tree block); a second read is served from the cache. Without a
 * cache (cache_size=0) every data block hashes its whole path. */
START_TEST(verity_cache_tree_blocks_hashed_once)
{
	struct verity_cache_stats st;

	prepare(11);
	ck_assert_ok(mount_verified("error"));
	read_big_seq(4096);
	st = v_stats();
	ck_assert_uint_eq(st.data_verified, BIG_BLOCKS);
	ck_assert_uint_eq(st.data_hits, 0);
	ck_assert_uint_eq(st.tree_verified, BIG_TREE_BLOCKS);
	ck_assert_uint_eq(st.tree_hits, (BIG_BLOCKS - 3) + (3 - 1));
	read_big_seq(BIG_BLOCK);
	st = v_stats();
	ck_assert_uint_eq(st.data_verified, BIG_BLOCKS);
	ck_assert_uint_eq(st.data_hits, BIG_BLOCKS);
	ck_assert_uint_eq(st.tree_verified, BIG_TREE_BLOCKS);
	ck_assert_uint_eq(st.evictions, 0);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));

	ck_assert_ok(mount_cached("0"));
	read_big_seq(4096);
	read_big_seq(4096);
	st = v_stats();
	ck_assert_uint_eq(st.data_verified, 2 * BIG_BLOCKS);
	ck_assert_uint_eq(st.data_hits, 0);
	ck_assert_uint_eq(st.tree_verified, 2 * 2 * BIG_BLOCKS);
	ck_assert_uint_eq(st.tree_hits, 0);
}
END_TEST

/* A cached data block is served without reading the lower file again (a change below is
 * not seen), until it is evicted: then it is read and verified again, and the change is
 * a violation. cache_size=8k holds 7 blocks of 1 KiB. */
START_TEST(verity_cache_data_block_verified_again_after_eviction)
{
	struct verity_cache_stats st;
	uint64_t i;
	int fd;

	prepare(12);
	ck_assert_ok(mount_cached("8k"));
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(pread_block(fd, 5));
	flip_bit("/lower/big", 5 * BIG_BLOCK * 8 + 77);
	ck_assert_ok(pread_block(fd, 5)); /* the verified copy, not the lower file */
	st = v_stats();
	ck_assert_uint_eq(st.data_verified, 1);
	ck_assert_uint_eq(st.data_hits, 1);
	ck_assert_uint_eq(st.evictions, 0);
	/* Other blocks push block 5 out (backwards: not a sequential stream). */
	for (i = 31; i > 10; i--)
		ck_assert_ok(pread_block(fd, i));
	st = v_stats();
	ck_assert_uint_ge(st.evictions, 1);
	ck_assert_err(pread_block(fd, 5), EIO);
	ck_assert_err(pread_block(fd, 5), EIO);
	ck_assert_ok(pread_block(fd, 6));
	vfs_close(tt, fd);
}
END_TEST

/* The same for a tree block: once verified it is trusted from the cache (a change to the
 * Merkle file is not seen); once evicted it is read and verified again. */
START_TEST(verity_cache_tree_block_verified_again_after_eviction)
{
	/* Level-0 block 1 (data blocks 32..63) is the second block of the tree (the top
	 * level is first); the hash of data block 34 is its third. */
	const uint64_t byte = 2 * BIG_BLOCK + 2 * 32;
	uint64_t i;
	int fd;

	prepare(13);
	ck_assert_ok(mount_cached("8k"));
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(pread_block(fd, 33));
	flip_bit("/lower/.merkle.verity.big", byte * 8 + 5);
	ck_assert_ok(pread_block(fd, 34)); /* level-0 block 1 is the cached one */
	ck_assert_uint_eq(v_stats().tree_verified, 2);
	for (i = 31; i > 10; i--) /* data blocks 11..31 only use level-0 block 0 */
		ck_assert_ok(pread_block(fd, i));
	ck_assert_err(pread_block(fd, 34), EIO);
	ck_assert_err(pread_block(fd, 33), EIO); /* every block below the tampered one */
	ck_assert_ok(pread_block(fd, 3));
	vfs_close(tt, fd);
	/* Without the cache, the change is seen at once. */
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(mount_cached("0"));
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_err(pread_block(fd, 40), EIO);
	ck_assert_ok(pread_block(fd, 3));
	vfs_close(tt, fd);
}
END_TEST

/* A file larger than the cache read sequentially streams: its data blocks are not cached
 * (they would be evicted before a re-read), its tree blocks are; the first read of an open
 * file, and reads elsewhere, are cached as always. */
START_TEST(verity_cache_sequential_stream_not_cached)
{
	struct verity_cache_stats st;
	uint8_t *buf = malloc(BIG_SIZE);
	int fd;

	prepare(14);
	ck_assert_ok(mount_cached("16k"));
	read_big_seq(4096); /* blocks 0..3 cached by the first read, then a stream */
	st = v_stats();
	ck_assert_uint_eq(st.data_verified, BIG_BLOCKS);
	ck_assert_uint_eq(st.tree_verified, BIG_TREE_BLOCKS);
	ck_assert_uint_eq(st.evictions, 0);
	read_big_seq(4096);
	st = v_stats();
	ck_assert_uint_eq(st.data_hits, 4);
	ck_assert_uint_eq(st.data_verified, BIG_BLOCKS + BIG_BLOCKS - 4);
	ck_assert_uint_eq(st.tree_verified, BIG_TREE_BLOCKS);
	/* One read larger than the cache: a stream too. */
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, BIG_SIZE, 0), BIG_SIZE);
	ck_assert(!memcmp(buf, big_data, BIG_SIZE));
	vfs_close(tt, fd);
	st = v_stats();
	ck_assert_uint_eq(st.data_hits, 8);
	ck_assert_uint_eq(st.data_verified, 3 * BIG_BLOCKS - 8);
	ck_assert_uint_eq(st.evictions, 0);
	free(buf);
}
END_TEST

/* A read that stops at a block that does not verify returns the blocks before it, and
 * leaves nothing of the bad block (nor of the blocks after it) in the caller's buffer,
 * also where blocks are verified in that buffer (a stream, or cache_size=0). */
START_TEST(verity_failed_read_leaves_no_unverified_bytes)
{
	static const char *const sizes[] = { "0", "8m" };
	uint8_t buf[8 * BIG_BLOCK];
	size_t i, k;
	int fd;

	prepare(16);
	flip_bit("/lower/big", 5 * BIG_BLOCK * 8 + 9);
	for (k = 0; k < 2; k++) {
		ck_assert_ok(mount_cached(sizes[k]));
		fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
		ck_assert_int_ge(fd, 0);
		memset(buf, 0xa5, sizeof(buf));
		ck_assert_int_eq(vfs_pread(tt, fd, buf, sizeof(buf), 0), 5 * BIG_BLOCK);
		ck_assert(!memcmp(buf, big_data, 5 * BIG_BLOCK));
		for (i = 5 * BIG_BLOCK; i < sizeof(buf); i++)
			ck_assert_msg(buf[i] == (k ? 0xa5 : 0), "cache_size=%s: byte %zu is %#x",
				      sizes[k], i, buf[i]);
		ck_assert_err(vfs_pread(tt, fd, buf, sizeof(buf), 5 * BIG_BLOCK), EIO);
		vfs_close(tt, fd);
		ck_assert_ok(vfs_umount2(tt, "/v", 0));
	}
}
END_TEST

START_TEST(verity_cache_size_option)
{
	char *mi;
	size_t len;

	prepare(15);
	ck_assert_err(mount_cached(""), EINVAL);
	ck_assert_err(mount_cached("x"), EINVAL);
	ck_assert_err(mount_cached("12q"), EINVAL);
	ck_assert_err(mount_cached("-1"), EINVAL);
	ck_assert_err(mount_cached("1025g"), EINVAL);
	ck_assert_err(mount_cached("99999999999999999999999"), EINVAL);
	ck_assert_ok(mount_verified("error"));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_null(strstr(mi, "cache_size"));
	free(mi);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(mount_cached("3K"));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_nonnull(strstr(mi, ",cache_size=3072"));
	free(mi);
	ck_assert_ok(read_all("/v/big"));
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(mount_cached("1024g"));
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ck_assert_ok(mount_cached("8m"));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_null(strstr(mi, "cache_size")); /* the default */
	free(mi);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	/* In process, the same text. */
	internal_cache_size = "4x";
	ck_assert_err(mount_internal(root_hex, NULL), EINVAL);
	internal_cache_size = "4k";
	ck_assert_ok(mount_internal(root_hex, NULL));
	internal_cache_size = NULL;
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_ptr_nonnull(strstr(mi, ",cache_size=4096"));
	free(mi);
}
END_TEST

/* ------------------------------------------------------------------ test vectors */

/* doc/verity.md, "Test vectors": the tree and its expected digests. */
#define VEC_SUB_DIGEST "eb8e5c305a59708047b3baa2a8745b48dba3a4633d1a83c12014e5e59f020d72"
#define VEC_ROOT_HASH "6c03654ea58223836a432a1ba0bc82b816f43d465395ee1a197501c55d4e01cc"

START_TEST(verity_descriptor_test_vectors)
{
	char hex[129];

	vfs_umask(tt, 0);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lower", "tmpfs", 0, "mode=0755,uid=0,gid=0"));
	write_bytes("/lower/hello", "hello\n", 6, 0644);
	ck_assert_ok(vfs_symlinkat(tt, "hello", AT_FDCWD, "/lower/link"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower/sub", 0700));
	write_bytes("/lower/sub/empty", "", 0, 0600);
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lower/sub/empty", 1000, 1000, 0));
	ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lower/sub", 1000, 1000, 0));
	ck_assert_ok(mount_verity("lowerdir=/lower"));
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_measure_path(tt, "/v/sub", hex, sizeof(hex)));
	ck_assert_str_eq(hex, VEC_SUB_DIGEST);
	ck_assert_ok(verity_measure_path(tt, "/v", hex, sizeof(hex)));
	ck_assert_str_eq(hex, VEC_ROOT_HASH);
}
END_TEST

/* The descriptor of /sub in doc/verity.md; the parser takes it and refuses every other
 * encoding: each truncation, a byte more, and a bad value in each checked field. */
static const char sub_desc_hex[] =
	"564c56525459443101000000c0410000e8030000e803000001000000"
	"0500656d70747980810000e8030000e80300000000000000000000000000000100"
	"20003d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af9500000000";

START_TEST(verity_descriptor_parser_is_strict)
{
	static const struct {
		size_t off;
		uint8_t val;
	} bad[] = {
		{ 0, 'X' },   /* magic */
		{ 8, 2 },     /* version */
		{ 13, 0x81 }, /* the directory's own mode is not a directory */
		{ 24, 2 },    /* more entries than there are */
		{ 30, '/' },  /* a slash in a name */
		{ 30, 0 },    /* a NUL in a name */
		{ 47, 1 },    /* rdev on a regular file */
		{ 59, 2 },    /* SHA-512 with 32 bytes of digest */
		{ 59, 0 },    /* a file without a digest */
		{ 61, 31 },   /* digest length */
		{ 95, 1 },    /* a target on a regular file */
		{ 36, 0xa1 }, /* a symlink with a digest */
	};
	uint8_t buf[128], mut[128];
	struct verity_dirdesc *dd;
	size_t len, i;

	len = (size_t)merkle_parse_hex(sub_desc_hex, buf, sizeof(buf));
	ck_assert_uint_eq(len, 99);
	ck_assert_ok(verity_dirdesc_parse(buf, len, &dd));
	ck_assert_uint_eq(dd->nr, 1);
	ck_assert_str_eq(dd->ents[0].name, "empty");
	ck_assert_uint_eq(dd->ents[0].meta.uid, 1000);
	ck_assert_ptr_nonnull(verity_dirdesc_find(dd, "empty", 5));
	ck_assert_ptr_null(verity_dirdesc_find(dd, "empt", 4));
	verity_dirdesc_free(dd);
	for (i = 0; i < len; i++)
		ck_assert_err(verity_dirdesc_parse(buf, i, &dd), EBADMSG);
	memcpy(mut, buf, len);
	mut[len] = 0;
	ck_assert_err(verity_dirdesc_parse(mut, len + 1, &dd), EBADMSG);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(mut, buf, len);
		mut[bad[i].off] = bad[i].val;
		ck_assert_msg(verity_dirdesc_parse(mut, len, &dd) == -EBADMSG, "mutation %zu", i);
	}
	ck_assert(verity_reserved_name(".merkle.verity.x", 16));
	ck_assert(verity_reserved_name("a.merkle.verity.", 16));
	ck_assert(verity_reserved_name(".merkleroot.verity.root", 23));
	ck_assert(!verity_reserved_name(".merkle.verity", 14));
	ck_assert(!verity_reserved_name("x.merkleroot.verity.y", 21));
}
END_TEST

Suite *verity_suite(void)
{
	Suite *s = suite_create("verity");
	TCase *tc;

	tc = t_case(s, "mount");
	tcase_add_test(tc, verity_mount_options_errors);
	tcase_add_test(tc, verity_verified_reads_and_lists);
	tcase_add_test(tc, verity_readdir_hides_merkle_files);
	tcase_add_test(tc, verity_read_only_and_reserved_names);
	tcase_add_test(tc, verity_internal_options_and_root_name);
	tc = t_case(s, "ioctl");
	tcase_add_test(tc, verity_ioctls);
	tcase_add_test(tc, verity_enable_dir_needs_children);
	tcase_add_test(tc, verity_enable_writes_through_a_temporary_name);
	tcase_add_test(tc, verity_descriptor_test_vectors);
	tcase_add_test(tc, verity_descriptor_parser_is_strict);
	tc = t_case(s, "tamper");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, verity_tamper_every_kind_caught, 0, 50);
	tcase_add_test(tc, verity_action_panic_aborts);
	tcase_add_test(tc, verity_fault_sweep_never_a_violation);
	tc = t_case(s, "cache");
	tcase_add_test(tc, verity_cache_tree_blocks_hashed_once);
	tcase_add_test(tc, verity_cache_data_block_verified_again_after_eviction);
	tcase_add_test(tc, verity_cache_tree_block_verified_again_after_eviction);
	tcase_add_test(tc, verity_cache_sequential_stream_not_cached);
	tcase_add_test(tc, verity_failed_read_leaves_no_unverified_bytes);
	tcase_add_test(tc, verity_cache_size_option);
	return s;
}
