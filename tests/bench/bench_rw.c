/*
 * bench_rw.c - 256 MiB sequential write then read with 1 MiB buffers.
 *
 * Ours: vfs_write then vfs_read of a new file on a tmpfs mounted with size=2g (the
 * default limit of the simulated 1 GiB RAM is 512 MiB). Baselines, in the same run:
 *   memcpy, fresh destination: 256 MiB copied in 1 MiB chunks from the 1 MiB source
 *     buffer into a new, never-touched 256 MiB mapping (its page faults included, as
 *     our tmpfs must allocate its pages) - the write target's baseline;
 *   memcpy, warm destination: the same copy again into the now-faulted mapping (what
 *     the page faults cost, by difference);
 *   memcpy, read-shaped: the populated 256 MiB mapping copied out in 1 MiB chunks into
 *     the reused (warm) 1 MiB read buffer - the read target's baseline, since vfs_read
 *     copies from populated pages into a reused buffer;
 *   write(2)/read(2) of a file on the kernel's tmpfs (ratio reported, no target).
 * A run: the fresh then warm memcpy, our write, then (reads) times the read-shaped
 * memcpy and our read in alternation (reads are short and noisy: more samples); then
 * the same write and reads on the kernel's tmpfs. After a run every file is unlinked
 * and malloc_trim(0) hands freed memory back to the kernel, so each run of ours faults
 * its pages afresh like the fresh-memcpy baseline. Each figure is the best of its
 * samples. Target: ours >= 0.8x memcpy, for write and for read.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define CHUNK ((size_t)1 << 20)

struct rw_best {
	uint64_t write, read;
};

static void keep_min(uint64_t *best, uint64_t v)
{
	if (v < *best)
		*best = v;
}

static double gibps(size_t bytes, uint64_t ns)
{
	return (double)bytes / (double)ns * 1e9 / (double)(1u << 30);
}

/* The write baselines: a fresh mapping filled, then filled again. The mapping is left
 * populated in *dstp for the read-shaped baseline. */
static int run_memcpy_write(const char *src, size_t total, char **dstp, uint64_t *fresh,
			    uint64_t *warm)
{
	char *dst = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t0, t1;
	size_t off;

	if (dst == MAP_FAILED) {
		bench_fail("mmap", errno);
		return -1;
	}
	t0 = bench_now_ns();
	for (off = 0; off < total; off += CHUNK)
		memcpy(dst + off, src, CHUNK);
	t1 = bench_now_ns();
	keep_min(fresh, t1 - t0);
	t0 = bench_now_ns();
	for (off = 0; off < total; off += CHUNK)
		memcpy(dst + off, src, CHUNK);
	t1 = bench_now_ns();
	keep_min(warm, t1 - t0);
	*dstp = dst;
	return 0;
}

/* The read baseline: the populated mapping copied out into the reused 1 MiB buffer. */
static void run_memcpy_read(const char *dst, char *rbuf, size_t total, uint64_t *best)
{
	uint64_t t0, t1;
	size_t off;

	t0 = bench_now_ns();
	for (off = 0; off < total; off += CHUNK)
		memcpy(rbuf, dst + off, CHUNK);
	t1 = bench_now_ns();
	keep_min(best, t1 - t0);
}

static int ours_read(struct task *t, int fd, char *rbuf, size_t total, uint64_t *best)
{
	uint64_t t0, t1;
	size_t off;
	ssize_t n = 0;
	off_t pos = vfs_lseek(t, fd, 0, SEEK_SET);

	if (pos != 0) {
		bench_fail("vfs_lseek", pos < 0 ? pos : EIO);
		return -1;
	}
	t0 = bench_now_ns();
	for (off = 0; off < total; off += CHUNK) {
		n = vfs_read(t, fd, rbuf, CHUNK);
		if (n != (ssize_t)CHUNK)
			break;
	}
	t1 = bench_now_ns();
	if (off < total) {
		bench_fail("vfs_read", n < 0 ? n : EIO);
		return -1;
	}
	keep_min(best, t1 - t0);
	return 0;
}

/* One run of ours, with the memcpy baselines interleaved: the fresh/warm memcpy, our
 * write, then reads of ours and of the memcpy mapping in alternation. */
static int run_ours(struct task *t, const char *src, char *rbuf, size_t total, int reads,
		    struct rw_best *best, uint64_t *m_fresh, uint64_t *m_warm, uint64_t *m_read)
{
	const char *path = "/rw/data";
	char *dst = NULL;
	uint64_t t0, t1;
	size_t off;
	ssize_t n = 0;
	int fd, i, err = 0;

	if (run_memcpy_write(src, total, &dst, m_fresh, m_warm))
		return -1;
	fd = vfs_openat(t, AT_FDCWD, path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0) {
		bench_fail("vfs_openat /rw/data", fd);
		munmap(dst, total);
		return -1;
	}
	t0 = bench_now_ns();
	for (off = 0; off < total; off += CHUNK) {
		n = vfs_write(t, fd, src, CHUNK);
		if (n != (ssize_t)CHUNK)
			break;
	}
	t1 = bench_now_ns();
	if (off < total) {
		bench_fail("vfs_write", n < 0 ? n : EIO);
		err = -1;
		goto out;
	}
	keep_min(&best->write, t1 - t0);
	for (i = 0; i < reads && !err; i++) {
		run_memcpy_read(dst, rbuf, total, m_read);
		err = ours_read(t, fd, rbuf, total, &best->read);
	}
	if (err)
		goto out;
	/* What ours read last (the last chunk), and a chunk from the middle, hold what was
	 * written; so does the memcpy mapping. */
	if (memcmp(rbuf, src, CHUNK) != 0 ||
	    vfs_pread(t, fd, rbuf, CHUNK, (off_t)(total / 2 + 4096 + 17)) != (ssize_t)CHUNK ||
	    memcmp(rbuf, src + 4096 + 17, CHUNK - 4096 - 17) != 0 ||
	    memcmp(dst + total / 2, src, CHUNK) != 0) {
		bench_fail("vfs_read returned wrong bytes", EIO);
		err = -1;
	}
out:
	vfs_close(t, fd);
	vfs_unlinkat(t, AT_FDCWD, path, 0);
	munmap(dst, total);
	malloc_trim(0);
	return err;
}

static int run_kernel(const char *src, char *rbuf, size_t total, int reads, struct rw_best *best)
{
	char path[160];
	uint64_t t0, t1;
	size_t off;
	ssize_t n = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/data", bench_host.dir);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0) {
		bench_fail("open (kernel tmpfs)", errno);
		return -1;
	}
	t0 = bench_now_ns();
	for (off = 0; off < total; off += CHUNK) {
		n = write(fd, src, CHUNK);
		if (n != (ssize_t)CHUNK)
			break;
	}
	t1 = bench_now_ns();
	if (off < total) {
		bench_fail("write (kernel tmpfs)", n < 0 ? errno : EIO);
		err = -1;
		goto out;
	}
	keep_min(&best->write, t1 - t0);
	while (reads-- > 0) {
		lseek(fd, 0, SEEK_SET);
		t0 = bench_now_ns();
		for (off = 0; off < total; off += CHUNK) {
			n = read(fd, rbuf, CHUNK);
			if (n != (ssize_t)CHUNK)
				break;
		}
		t1 = bench_now_ns();
		if (off < total || memcmp(rbuf, src, CHUNK) != 0) {
			bench_fail("read (kernel tmpfs)", n < 0 ? errno : EIO);
			err = -1;
			goto out;
		}
		keep_min(&best->read, t1 - t0);
	}
out:
	close(fd);
	unlink(path);
	return err;
}

int bench_rw(const struct bench_opts *o)
{
	const size_t total = o->quick ? (size_t)32 << 20 : (size_t)256 << 20;
	const int runs = o->quick ? 1 : 5;
	const int reads = o->quick ? 1 : 4;
	uint64_t m_fresh = UINT64_MAX, m_warm = UINT64_MAX, m_read = UINT64_MAX;
	struct rw_best ours = { UINT64_MAX, UINT64_MAX }, kern = { UINT64_MAX, UINT64_MAX };
	bool do_kern = bench_host.ok;
	char *src = NULL, *rbuf = NULL;
	struct kernel *k;
	struct task *t;
	uint32_t x = 2463534242u;
	size_t i;
	int r, err;

	printf("\n[rw] %zu MiB sequential write then read, 1 MiB buffers: %d runs (each: one\n"
	       "     write, %d reads), best of each\n",
	       total >> 20, runs, reads);
	k = bench_kernel(&t);
	err = vfs_mkdirat(t, AT_FDCWD, "/rw", 0755);
	if (!err)
		err = vfs_mount(t, "none", "/rw", "tmpfs", 0, "size=2g");
	if (err) {
		bench_fail("mount tmpfs size=2g on /rw", err);
		goto out;
	}
	src = aligned_alloc(4096, CHUNK);
	rbuf = aligned_alloc(4096, CHUNK);
	if (!src || !rbuf) {
		bench_fail("aligned_alloc", ENOMEM);
		goto out;
	}
	for (i = 0; i < CHUNK; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		src[i] = (char)x;
	}
	memset(rbuf, 0, CHUNK);
	for (r = 0; r < runs; r++) {
		if (run_ours(t, src, rbuf, total, reads, &ours, &m_fresh, &m_warm, &m_read))
			goto out;
		if (do_kern && run_kernel(src, rbuf, total, reads, &kern))
			do_kern = false;
	}
	printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "memcpy, fresh 256 MiB destination (faults)",
	       gibps(total, m_fresh), (double)m_fresh / 1e6);
	printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "memcpy, warm 256 MiB destination",
	       gibps(total, m_warm), (double)m_warm / 1e6);
	printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "memcpy, 256 MiB source -> warm 1 MiB buffer",
	       gibps(total, m_read), (double)m_read / 1e6);
	printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "vfs_write (ours)", gibps(total, ours.write),
	       (double)ours.write / 1e6);
	printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "vfs_read  (ours)", gibps(total, ours.read),
	       (double)ours.read / 1e6);
	if (do_kern) {
		printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "write(2)  (kernel tmpfs)",
		       gibps(total, kern.write), (double)kern.write / 1e6);
		printf("  %-48s %8.2f GiB/s  (%.1f ms)\n", "read(2)   (kernel tmpfs)",
		       gibps(total, kern.read), (double)kern.read / 1e6);
	}
	bench_row("256 MiB write", "vfs_write / memcpy to fresh dst (throughput)",
		  (double)m_fresh / (double)ours.write, "x", BENCH_GE, 0.8);
	bench_row("256 MiB write", "vfs_write / memcpy to warm dst (info)",
		  (double)m_warm / (double)ours.write, "x", BENCH_INFO, 0);
	bench_row("256 MiB read", "vfs_read / memcpy into warm 1 MiB buffer",
		  (double)m_read / (double)ours.read, "x", BENCH_GE, 0.8);
	if (do_kern) {
		bench_row("256 MiB write", "vfs_write / write(2) on kernel tmpfs",
			  (double)kern.write / (double)ours.write, "x", BENCH_INFO, 0);
		bench_row("256 MiB read", "vfs_read / read(2) on kernel tmpfs",
			  (double)kern.read / (double)ours.read, "x", BENCH_INFO, 0);
	}
out:
	free(src);
	free(rbuf);
	kernel_destroy(k);
	malloc_trim(0);
	return 0;
}
