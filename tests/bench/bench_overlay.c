/*
 * bench_overlay.c - the overlay filesystem: copy-up, merged readdir, lookup through layers.
 *
 * Copy-up: a 64 MiB lower file (non-zero bytes, so no chunk is skipped as a hole) is
 * copied up by a chmod through the overlay; against memcpy of the same bytes into warm
 * memory (target from issue 4: memcpy time / copy-up time >= 0.5), for information into
 * fresh memory (malloc'd each time: 4 KiB page faults paid, which on a VM can dwarf the
 * copy; the tmpfs page pool takes 2 MiB huge pages), against a plain copy on the same
 * tmpfs through the API (vfs_read/vfs_write, 64 KiB chunks), and against a write of the
 * same bytes into a new file of the upper tmpfs (vfs_write, 64 KiB chunks): the floor of
 * any copy into new memory, one pass over the bytes plus the pages' supply (the kernel
 * faults in and clears each fresh 2 MiB region). Each run mounts the overlay afresh and
 * removes the copy after it; best of 5, ours and the baselines alternating (memcpy also
 * runs 8 times first, to settle; into fresh memory 3 times).
 *
 * Readdir: 10,000 entries, half in the lower layer and half in the upper, read through
 * the overlay (open, vfs_getdents to the end, close: the merged list is built on each
 * open) against the same 10,000 entries in one plain tmpfs directory; best of 5.
 *
 * Lookup: stat (vfs_fstatat) of 1000 names in a directory merged through 3 lower layers
 * and an upper one (the names in the bottom layer), against an overlay of that one lower
 * layer under an empty upper, and against a plain tmpfs
 * (target from issue 4: 3 layers / tmpfs <= 2). Dentries are cached (a first pass
 * before the clock); best of 3 passes of 20 rounds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

#define COPY_SIZE (64u << 20)
#define COPY_CHUNK (64u << 10)
#define COPY_RUNS 5
#define MEMCPY_RUNS 8
#define FRESH_RUNS 3
#define DIR_ENTRIES 10000
#define DIR_RUNS 5
#define STAT_NAMES 1000
#define STAT_ROUNDS 20
#define STAT_PASSES 3
#define GETDENTS_BUF (32u << 10)

static void keep_min(uint64_t *best, uint64_t v)
{
	if (v < *best)
		*best = v;
}

static int mkdirs(struct task *t, const char *const *dirs, size_t n, bool tmpfs)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = vfs_mkdirat(t, AT_FDCWD, dirs[i], 0755);
		if (!err && tmpfs)
			err = vfs_mount(t, "tmpfs", dirs[i], "tmpfs", 0, "size=1g,nr_inodes=0");
		if (err) {
			bench_fail(dirs[i], err);
			return err;
		}
	}
	return 0;
}

/* Write len bytes of buf to a new file at path, in COPY_CHUNK pieces. */
static int write_file(struct task *t, const char *path, const char *buf, size_t len)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t off;

	if (fd < 0)
		return fd;
	for (off = 0; off < len; off += COPY_CHUNK) {
		ssize_t n = vfs_write(t, fd, buf + off, COPY_CHUNK);

		if (n != (ssize_t)COPY_CHUNK) {
			vfs_close(t, fd);
			return n < 0 ? (int)n : -5;
		}
	}
	return vfs_close(t, fd);
}

/* The plain copy: read the file and write a new one, through the API. */
static int plain_copy(struct task *t, const char *from, const char *to, char *buf)
{
	int in = vfs_openat(t, AT_FDCWD, from, O_RDONLY, 0), out;
	ssize_t n;
	int err = 0;

	if (in < 0)
		return in;
	out = vfs_openat(t, AT_FDCWD, to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		vfs_close(t, in);
		return out;
	}
	while ((n = vfs_read(t, in, buf, COPY_CHUNK)) > 0) {
		if (vfs_write(t, out, buf, (size_t)n) != n) {
			err = -5;
			break;
		}
	}
	if (n < 0)
		err = (int)n;
	vfs_close(t, in);
	vfs_close(t, out);
	return err;
}

static void bench_copy_up(const struct bench_opts *o)
{
	static const char *const dirs[] = { "/lo", "/up" };
	size_t size = o->quick ? (4u << 20) : COPY_SIZE, i;
	uint64_t best_up = UINT64_MAX, best_plain = UINT64_MAX, best_mem = UINT64_MAX, t0;
	uint64_t best_fresh = UINT64_MAX, best_write = UINT64_MAX;
	char *src = malloc(size), *dst = malloc(size), *buf = malloc(COPY_CHUNK);
	struct task *t;
	struct kernel *k = bench_kernel(&t);
	int run, err;

	if (!src || !dst || !buf) {
		bench_fail("malloc", 12);
		goto out;
	}
	for (i = 0; i < size; i++)
		src[i] = (char)(i * 131 + 7) | 1;
	memset(dst, 0, size);
	if (mkdirs(t, dirs, 2, true) || vfs_mkdirat(t, AT_FDCWD, "/t", 0755) ||
	    vfs_mkdirat(t, AT_FDCWD, "/up/u", 0755) || vfs_mkdirat(t, AT_FDCWD, "/up/w", 0755))
		goto out;
	err = write_file(t, "/lo/f", src, size);
	if (err) {
		bench_fail("write /lo/f", err);
		goto out;
	}
	/* memcpy settles only after a few rounds on a fresh mapping: more runs for it. */
	for (run = 0; run < MEMCPY_RUNS; run++) {
		t0 = bench_now_ns();
		memcpy(dst, src, size);
		keep_min(&best_mem, bench_now_ns() - t0);
	}
	if (dst[size - 1] != src[size - 1])
		bench_fail("memcpy", 5);
	/* A copy-up writes into memory it allocates: so does this one (fresh mapping). */
	for (run = 0; run < FRESH_RUNS; run++) {
		char *fresh;

		t0 = bench_now_ns();
		fresh = malloc(size);
		if (fresh)
			memcpy(fresh, src, size);
		keep_min(&best_fresh, bench_now_ns() - t0);
		if (!fresh || fresh[size - 1] != src[size - 1])
			bench_fail("fresh memcpy", 12);
		free(fresh);
	}
	for (run = 0; run < COPY_RUNS; run++) {
		/* The target's baseline again, next to each copy-up: the machine is shared. */
		t0 = bench_now_ns();
		memcpy(dst, src, size);
		keep_min(&best_mem, bench_now_ns() - t0);

		t0 = bench_now_ns();
		err = plain_copy(t, "/lo/f", "/up/copy", buf);
		keep_min(&best_plain, bench_now_ns() - t0);
		if (!err)
			err = vfs_unlinkat(t, AT_FDCWD, "/up/copy", 0);
		if (err) {
			bench_fail("plain copy", err);
			goto out;
		}

		t0 = bench_now_ns();
		err = write_file(t, "/up/wcopy", src, size);
		keep_min(&best_write, bench_now_ns() - t0);
		if (!err)
			err = vfs_unlinkat(t, AT_FDCWD, "/up/wcopy", 0);
		if (err) {
			bench_fail("new-file write", err);
			goto out;
		}

		err = vfs_mount(t, "overlay", "/t", "overlay", 0,
				"lowerdir=/lo,upperdir=/up/u,workdir=/up/w");
		if (err) {
			bench_fail("mount overlay", err);
			goto out;
		}
		t0 = bench_now_ns();
		err = vfs_fchmodat(t, AT_FDCWD, "/t/f", 0640, 0);
		keep_min(&best_up, bench_now_ns() - t0);
		if (err) {
			bench_fail("copy-up (chmod)", err);
			goto out;
		}
		err = vfs_umount2(t, "/t", 0);
		if (!err)
			err = vfs_unlinkat(t, AT_FDCWD, "/up/u/f", 0);
		if (err) {
			bench_fail("umount overlay / unlink the copy", err);
			goto out;
		}
	}
	printf("overlay copy-up of %zu MiB: %.2f ms (%.0f MiB/s); plain tmpfs copy %.2f ms; "
	       "new-file write %.2f ms; memcpy %.2f ms (into fresh memory %.2f ms)\n",
	       size >> 20, best_up / 1e6, (double)size / (1 << 20) / (best_up / 1e9),
	       best_plain / 1e6, best_write / 1e6, best_mem / 1e6, best_fresh / 1e6);
	bench_row("overlay copy-up 64 MiB", "memcpy time / copy-up time",
		  (double)best_mem / best_up, "x", BENCH_GE, 0.5);
	bench_row("overlay copy-up 64 MiB", "memcpy to fresh memory time / copy-up time",
		  (double)best_fresh / best_up, "x", BENCH_INFO, 0);
	bench_row("overlay copy-up 64 MiB", "plain tmpfs copy time / copy-up time",
		  (double)best_plain / best_up, "x", BENCH_INFO, 0);
	bench_row("overlay copy-up 64 MiB", "new-file write time / copy-up time",
		  (double)best_write / best_up, "x", BENCH_INFO, 0);
out:
	free(src);
	free(dst);
	free(buf);
	kernel_destroy(k);
}

/* Read the whole directory once; the number of entries or a negative errno. */
static long read_dir(struct task *t, const char *path, char *buf)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	long entries = 0;
	ssize_t n;

	if (fd < 0)
		return fd;
	while ((n = vfs_getdents(t, fd, buf, GETDENTS_BUF)) > 0) {
		ssize_t off = 0;

		while (off < n) {
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			entries++;
		}
	}
	vfs_close(t, fd);
	return n < 0 ? (long)n : entries;
}

static void bench_readdir(const struct bench_opts *o)
{
	static const char *const dirs[] = { "/lo", "/up", "/p" };
	unsigned n = o->quick ? 1000 : DIR_ENTRIES, i;
	uint64_t best_ovl = UINT64_MAX, best_plain = UINT64_MAX, t0;
	char *buf = malloc(GETDENTS_BUF), path[64];
	struct task *t;
	struct kernel *k = bench_kernel(&t);
	long got;
	int run, err = 0;

	if (!buf || mkdirs(t, dirs, 3, true) || vfs_mkdirat(t, AT_FDCWD, "/t", 0755) ||
	    vfs_mkdirat(t, AT_FDCWD, "/up/u", 0755) || vfs_mkdirat(t, AT_FDCWD, "/up/w", 0755))
		goto out;
	for (i = 0; !err && i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%07u", i % 2 ? "/up/u" : "/lo", i);
		err = vfs_mknodat(t, AT_FDCWD, path, S_IFREG | 0644, 0);
		snprintf(path, sizeof(path), "/p/f%07u", i);
		if (!err)
			err = vfs_mknodat(t, AT_FDCWD, path, S_IFREG | 0644, 0);
	}
	if (!err)
		err = vfs_mount(t, "overlay", "/t", "overlay", 0,
				"lowerdir=/lo,upperdir=/up/u,workdir=/up/w");
	if (err) {
		bench_fail("readdir set-up", err);
		goto out;
	}
	for (run = 0; run < DIR_RUNS; run++) {
		t0 = bench_now_ns();
		got = read_dir(t, "/t", buf);
		keep_min(&best_ovl, bench_now_ns() - t0);
		if (got != (long)n + 2) {
			bench_fail("overlay readdir count", got < 0 ? got : 5);
			goto out;
		}
		t0 = bench_now_ns();
		got = read_dir(t, "/p", buf);
		keep_min(&best_plain, bench_now_ns() - t0);
		if (got != (long)n + 2) {
			bench_fail("tmpfs readdir count", got < 0 ? got : 5);
			goto out;
		}
	}
	printf("readdir of %u entries: overlay (2 layers) %.2f ms, tmpfs %.2f ms\n", n,
	       best_ovl / 1e6, best_plain / 1e6);
	bench_row("overlay readdir 10k", "2-layer overlay / tmpfs time",
		  (double)best_ovl / best_plain, "x", BENCH_INFO, 0);
out:
	free(buf);
	kernel_destroy(k);
}

/* Best time per stat of the STAT_NAMES names under dir (ns). */
static double stat_names(struct task *t, const char *dir, char (*names)[16])
{
	uint64_t best = UINT64_MAX, t0;
	struct vfs_stat st;
	int dfd = vfs_openat(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);
	int pass, round, i, err = 0;

	if (dfd < 0) {
		bench_fail(dir, dfd);
		return 0;
	}
	for (i = 0; !err && i < STAT_NAMES; i++)
		err = vfs_fstatat(t, dfd, names[i], &st, 0);
	for (pass = 0; !err && pass < STAT_PASSES; pass++) {
		t0 = bench_now_ns();
		for (round = 0; !err && round < STAT_ROUNDS; round++)
			for (i = 0; !err && i < STAT_NAMES; i++)
				err = vfs_fstatat(t, dfd, names[i], &st, 0);
		keep_min(&best, bench_now_ns() - t0);
	}
	vfs_close(t, dfd);
	if (err) {
		bench_fail("stat", err);
		return 0;
	}
	return (double)best / (STAT_ROUNDS * STAT_NAMES);
}

static void bench_lookup(void)
{
	static const char *const dirs[] = { "/l1", "/l2", "/l3", "/up", "/p", "/up2" };
	static char names[STAT_NAMES][16];
	const char *const layer_dir[] = { "/l1/d", "/l2/d", "/l3/d", "/up/u/d", "/p/d" };
	double ns3, ns1, nsp;
	struct task *t;
	struct kernel *k = bench_kernel(&t);
	char path[64];
	int i, j, err = 0;

	if (mkdirs(t, dirs, 6, true) || vfs_mkdirat(t, AT_FDCWD, "/t3", 0755) ||
	    vfs_mkdirat(t, AT_FDCWD, "/t1", 0755) || vfs_mkdirat(t, AT_FDCWD, "/up/u", 0755) ||
	    vfs_mkdirat(t, AT_FDCWD, "/up/w", 0755) || vfs_mkdirat(t, AT_FDCWD, "/up2/u", 0755) ||
	    vfs_mkdirat(t, AT_FDCWD, "/up2/w", 0755))
		goto out;
	for (j = 0; !err && j < 5; j++)
		err = vfs_mkdirat(t, AT_FDCWD, layer_dir[j], 0755);
	/* The names live in the bottom layer (and on the plain tmpfs): the deepest walk. */
	for (i = 0; !err && i < STAT_NAMES; i++) {
		snprintf(names[i], sizeof(names[i]), "f%07d", i);
		snprintf(path, sizeof(path), "/l3/d/%.15s", names[i]);
		err = vfs_mknodat(t, AT_FDCWD, path, S_IFREG | 0644, 0);
		snprintf(path, sizeof(path), "/p/d/%.15s", names[i]);
		if (!err)
			err = vfs_mknodat(t, AT_FDCWD, path, S_IFREG | 0644, 0);
	}
	if (!err)
		err = vfs_mount(t, "overlay", "/t3", "overlay", 0,
				"lowerdir=/l1:/l2:/l3,upperdir=/up/u,workdir=/up/w");
	if (!err)
		err = vfs_mount(t, "overlay", "/t1", "overlay", 0,
				"lowerdir=/l3,upperdir=/up2/u,workdir=/up2/w");
	if (err) {
		bench_fail("lookup set-up", err);
		goto out;
	}
	ns3 = stat_names(t, "/t3/d", names);
	ns1 = stat_names(t, "/t1/d", names);
	nsp = stat_names(t, "/p/d", names);
	if (!ns3 || !ns1 || !nsp)
		goto out;
	printf("stat of a cached name: 3 lower layers + upper %.0f ns, 1 layer %.0f ns, "
	       "tmpfs %.0f ns\n",
	       ns3, ns1, nsp);
	bench_row("overlay stat 3 layers", "3-layer overlay / tmpfs time", ns3 / nsp, "x", BENCH_LE,
		  2);
	bench_row("overlay stat 3 layers", "3 layers / 1 layer time", ns3 / ns1, "x", BENCH_INFO,
		  0);
out:
	kernel_destroy(k);
}

int bench_overlay(const struct bench_opts *o)
{
	printf("\n== overlay: copy-up, merged readdir, lookup through layers ==\n");
	bench_copy_up(o);
	bench_readdir(o);
	bench_lookup();
	return bench_failed() ? 1 : 0;
}
