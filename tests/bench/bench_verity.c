/*
 * bench_verity.c - verity (issue 5): the fs-verity digest of a 1 GiB file, and a 256 MiB
 * sequential read through a verified verity mount.
 *
 * Digest: a 1 GiB file of pseudo-random bytes on the kernel tmpfs of the run (or /dev/shm
 * when it does not fit), digested by `fsverity digest FILE` and by `vfslab verity digest
 * FILE` (the vfslab beside this program) with --threads 1 and with the default (every
 * CPU), run as processes in turn, best of 3 each; the three printed digests must agree.
 * Targets: fsverity's time / ours >= 1.0 on one thread, >= 1.7 with both cores. Skipped
 * with a message without fsverity, vfslab or a tmpfs.
 *
 * Read: a 256 MiB file of pseudo-random bytes on a tmpfs (size=2g) of a simulated kernel,
 * prepared through a verity mount without a root hash (verity_enable_path, 4 KiB blocks,
 * SHA-256), then mounted with roothash=; each run mounts it afresh (nothing cached) and
 * reads it with 1 MiB vfs_read calls. Baseline, alternating with ours: SHA-256 of the same
 * 256 MiB in memory through OpenSSL's EVP (one stream, one thread), what a reader that
 * trusted one hash of the file would pay at the least (the bytes in memory advised
 * MADV_HUGEPAGE, as our tmpfs's pages are: 4 KiB pages would cost the baseline TLB misses
 * our read does not pay). Target: SHA-256 time / verity read
 * time >= 0.8 (default cache_size). For information: SHA-256 of the same bytes copied 1 MiB
 * at a time into a reused buffer and hashed there (the same memory traffic as our read,
 * whose copy leaves each 1 MiB warm in the cache for the hash), the read with cache_size=0
 * (nothing cached: every block hashes its whole path to the root) and a plain vfs_read of
 * the lower file. Best of 9 (the last two: of 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "vfslab/verity.h"

int bench_verity(const struct bench_opts *o);

#define CHUNK ((size_t)1 << 20)
#define DIGEST_RUNS 3
#define READ_RUNS 9

static void keep_min(uint64_t *best, uint64_t v)
{
	if (v < *best)
		*best = v;
}

/* Pseudo-random bytes (xorshift64*): incompressible, never a hole. */
static void fill_random(uint8_t *p, size_t len, uint64_t *state)
{
	uint64_t x = *state, v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = x * 0x2545f4914f6cdd1dull;
		memcpy(p + i, &v, 8);
	}
	for (; i < len; i++)
		p[i] = (uint8_t)(x >> (i % 8 * 8));
	*state = x;
}

/* ------------------------------------------------------------------ digest */

/* Runs cmd (output captured into out, first line); its time in ns, or 0 on failure. */
static uint64_t run_cmd(const char *cmd, char *out, size_t size)
{
	uint64_t t0 = bench_now_ns(), t1;
	FILE *p = popen(cmd, "r");
	int status;

	if (!p)
		return 0;
	out[0] = '\0';
	if (!fgets(out, (int)size, p))
		out[0] = '\0';
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	t1 = bench_now_ns();
	out[strcspn(out, " \n")] = '\0'; /* "sha256:HEX FILE": keep ALG:HEX */
	return status == 0 && out[0] ? t1 - t0 : 0;
}

/* Writes size bytes of pseudo-random data to a new file at path; 0 or -errno. */
static int write_random_file(const char *path, uint64_t size)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t state = 0x853c49e6748fea9bull, off;
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (off = 0; off < size && !err; off += CHUNK) {
		fill_random(buf, CHUNK, &state);
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			err = errno ? -errno : -EIO;
	}
	if (close(fd) && !err)
		err = -errno;
	free(buf);
	if (err)
		unlink(path);
	return err;
}

static void bench_digest(const struct bench_opts *o)
{
	const uint64_t size = o->quick ? (64u << 20) : (1ull << 30);
	char exe[PATH_MAX], vfslab[PATH_MAX + 16], path[PATH_MAX], cmd[3 * PATH_MAX];
	char d_fsv[160], d_one[160], d_all[160];
	uint64_t b_fsv = UINT64_MAX, b_one = UINT64_MAX, b_all = UINT64_MAX, t;
	ssize_t n;
	int run, err;

	printf("\n-- verity digest: %llu MiB file, `fsverity digest` against `vfslab verity "
	       "digest` --\n",
	       (unsigned long long)(size >> 20));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		printf("skipped: cannot find this program's directory\n");
		return;
	}
	exe[n] = '\0';
	snprintf(vfslab, sizeof(vfslab), "%s/vfslab", dirname(exe));
	if (access(vfslab, X_OK)) {
		printf("skipped: no %s (make builds it)\n", vfslab);
		return;
	}
	if (system("fsverity --version >/dev/null 2>&1")) {
		printf("skipped: no fsverity (Debian package fsverity)\n");
		return;
	}
	err = -ENOENT;
	if (bench_host.ok) {
		snprintf(path, sizeof(path), "%s/verity-digest.bin", bench_host.dir);
		err = write_random_file(path, size);
	}
	if (err) {
		/* The run's tmpfs is mounted with size=1g: a 1 GiB file may not fit. */
		snprintf(path, sizeof(path), "/dev/shm/vfslab-bench-verity.%d", (int)getpid());
		err = write_random_file(path, size);
	}
	if (err) {
		printf("skipped: cannot write the file (%s)\n", strerror(-err));
		return;
	}
	printf("file: %s\n", path);
	for (run = 0; run < DIGEST_RUNS; run++) {
		snprintf(cmd, sizeof(cmd), "fsverity digest '%s'", path);
		t = run_cmd(cmd, d_fsv, sizeof(d_fsv));
		if (!t)
			goto fail;
		keep_min(&b_fsv, t);
		snprintf(cmd, sizeof(cmd), "'%s' verity digest --threads 1 '%s'", vfslab, path);
		t = run_cmd(cmd, d_one, sizeof(d_one));
		if (!t)
			goto fail;
		keep_min(&b_one, t);
		snprintf(cmd, sizeof(cmd), "'%s' verity digest '%s'", vfslab, path);
		t = run_cmd(cmd, d_all, sizeof(d_all));
		if (!t)
			goto fail;
		keep_min(&b_all, t);
		if (strcmp(d_fsv, d_one) || strcmp(d_fsv, d_all)) {
			printf("digests differ: fsverity %s, ours %s / %s\n", d_fsv, d_one, d_all);
			bench_fail("verity digest: digests differ", EINVAL);
			goto out;
		}
	}
	printf("digest %s\n", d_fsv);
	printf("fsverity digest: %8.1f ms  %6.2f GiB/s\n", b_fsv / 1e6,
	       (double)size / (double)b_fsv * 1e9 / (1u << 30));
	printf("ours, 1 thread:  %8.1f ms  %6.2f GiB/s\n", b_one / 1e6,
	       (double)size / (double)b_one * 1e9 / (1u << 30));
	printf("ours, %ld CPUs:    %8.1f ms  %6.2f GiB/s\n", sysconf(_SC_NPROCESSORS_ONLN),
	       b_all / 1e6, (double)size / (double)b_all * 1e9 / (1u << 30));
	bench_row("verity digest 1 GiB", "fsverity time / ours, one thread",
		  (double)b_fsv / (double)b_one, "x", BENCH_GE, 1.0);
	bench_row("verity digest 1 GiB", "fsverity time / ours, all CPUs",
		  (double)b_fsv / (double)b_all, "x", BENCH_GE, 1.7);
	goto out;
fail:
	bench_fail("verity digest: a digest command failed", EIO);
out:
	unlink(path);
}

/* ------------------------------------------------------------------ read */

static int vwrite_all(struct task *t, const char *path, const uint8_t *data, size_t size)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t off;

	if (fd < 0)
		return fd;
	for (off = 0; off < size; off += CHUNK) {
		ssize_t n = vfs_write(t, fd, data + off, CHUNK);

		if (n != (ssize_t)CHUNK) {
			vfs_close(t, fd);
			return n < 0 ? (int)n : -EIO;
		}
	}
	return vfs_close(t, fd);
}

/* Time one whole read of path with 1 MiB calls; the last chunk is compared. */
static int time_read(struct task *t, const char *path, uint8_t *rbuf, const uint8_t *data,
		     size_t size, uint64_t *best)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	uint64_t t0, t1;
	size_t off;
	ssize_t n = 0;

	if (fd < 0)
		return fd;
	t0 = bench_now_ns();
	for (off = 0; off < size; off += CHUNK) {
		n = vfs_read(t, fd, rbuf, CHUNK);
		if (n != (ssize_t)CHUNK)
			break;
	}
	t1 = bench_now_ns();
	vfs_close(t, fd);
	if (off < size)
		return n < 0 ? (int)n : -EIO;
	if (memcmp(rbuf, data + size - CHUNK, CHUNK))
		return -EBADMSG;
	keep_min(best, t1 - t0);
	return 0;
}

/* SHA-256 of size bytes at data, in one stream; with rbuf, each 1 MiB is first copied into
 * rbuf and hashed there (what a read into a buffer then a hash of it would cost). */
static int time_sha256(const uint8_t *data, size_t size, uint8_t *rbuf, uint64_t *best)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t out[EVP_MAX_MD_SIZE];
	uint64_t t0, t1;
	size_t off;
	int ok;

	if (!ctx)
		return -ENOMEM;
	t0 = bench_now_ns();
	ok = EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL);
	for (off = 0; ok && off < size; off += CHUNK) {
		if (rbuf)
			memcpy(rbuf, data + off, CHUNK);
		ok = EVP_DigestUpdate(ctx, rbuf ? rbuf : data + off, CHUNK);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	t1 = bench_now_ns();
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	keep_min(best, t1 - t0);
	return 0;
}

/* The baseline's bytes live in memory like our tmpfs's pages (src/fs/tmpfs/pages.c:
 * MADV_HUGEPAGE), so that neither side pays TLB misses the other does not. */
static uint8_t *huge_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

/* Mount the verity view of /lower on /v with roothash and extra options. */
static int mount_v(struct task *t, const char *root_hex, const char *extra)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "lowerdir=/lower%s%s%s", root_hex ? ",roothash=" : "",
		 root_hex ? root_hex : "", extra);
	return vfs_mount(t, "none", "/v", "verity", 0, opts);
}

static void bench_verity_read(const struct bench_opts *o)
{
	const size_t size = o->quick ? (16u << 20) : (256u << 20);
	uint64_t b_sha = UINT64_MAX, b_v = UINT64_MAX, b_v0 = UINT64_MAX, b_plain = UINT64_MAX;
	uint64_t b_shacopy = UINT64_MAX;
	uint64_t state = 0x2545f4914f6cdd1dull;
	char root_hex[129];
	uint8_t *data = huge_alloc(size), *rbuf = malloc(CHUNK);
	struct task *t;
	struct kernel *k = bench_kernel(&t);
	int run, err;

	printf("\n-- verity read: %zu MiB through a verified mount, 1 MiB reads, against "
	       "SHA-256 --\n",
	       size >> 20);
	if (!data || !rbuf) {
		bench_fail("verity read: malloc", ENOMEM);
		goto out;
	}
	fill_random(data, size, &state);
	err = vfs_mkdirat(t, AT_FDCWD, "/lower", 0755);
	if (!err)
		err = vfs_mkdirat(t, AT_FDCWD, "/v", 0755);
	if (!err)
		err = vfs_mount(t, "tmpfs", "/lower", "tmpfs", 0, "size=2g");
	if (!err)
		err = vwrite_all(t, "/lower/f", data, size);
	if (!err)
		err = mount_v(t, NULL, "");
	if (!err)
		err = verity_enable_path(t, "/v");
	if (!err)
		err = verity_measure_path(t, "/v", root_hex, sizeof(root_hex));
	if (!err)
		err = vfs_umount2(t, "/v", 0);
	if (err) {
		bench_fail("verity read: preparing the tree", err);
		goto out;
	}
	for (run = 0; run < READ_RUNS && !err; run++) {
		err = time_sha256(data, size, NULL, &b_sha);
		/* A fresh mount per run: nothing of the last run is cached. */
		if (!err)
			err = mount_v(t, root_hex, "");
		if (!err)
			err = time_read(t, "/v/f", rbuf, data, size, &b_v);
		if (!err)
			err = vfs_umount2(t, "/v", 0);
		if (!err)
			err = time_sha256(data, size, rbuf, &b_shacopy);
		if (err || run % 3)
			continue;
		/* The other information rows, on every third run. */
		err = mount_v(t, root_hex, ",cache_size=0");
		if (!err)
			err = time_read(t, "/v/f", rbuf, data, size, &b_v0);
		if (!err)
			err = vfs_umount2(t, "/v", 0);
		if (!err)
			err = time_read(t, "/lower/f", rbuf, data, size, &b_plain);
	}
	if (err) {
		bench_fail("verity read", err);
		goto out;
	}
	printf("SHA-256 (EVP, one stream):  %8.1f ms  %6.2f GiB/s\n", b_sha / 1e6,
	       (double)size / (double)b_sha * 1e9 / (1u << 30));
	printf("SHA-256 via a 1 MiB buffer: %8.1f ms  %6.2f GiB/s\n", b_shacopy / 1e6,
	       (double)size / (double)b_shacopy * 1e9 / (1u << 30));
	printf("verity read, cache 8m:      %8.1f ms  %6.2f GiB/s\n", b_v / 1e6,
	       (double)size / (double)b_v * 1e9 / (1u << 30));
	printf("verity read, cache_size=0:  %8.1f ms  %6.2f GiB/s\n", b_v0 / 1e6,
	       (double)size / (double)b_v0 * 1e9 / (1u << 30));
	printf("plain read of the lower:    %8.1f ms  %6.2f GiB/s\n", b_plain / 1e6,
	       (double)size / (double)b_plain * 1e9 / (1u << 30));
	bench_row("verity read 256 MiB", "SHA-256 time / verity read time", (double)b_sha / b_v,
		  "x", BENCH_GE, 0.8);
	bench_row("verity read 256 MiB", "SHA-256 via 1 MiB buffer / verity read",
		  (double)b_shacopy / b_v, "x", BENCH_INFO, 0);
	bench_row("verity read 256 MiB", "SHA-256 time / read, cache_size=0", (double)b_sha / b_v0,
		  "x", BENCH_INFO, 0);
	bench_row("verity read 256 MiB", "plain lower read time / verity read",
		  (double)b_plain / b_v, "x", BENCH_INFO, 0);
out:
	kernel_destroy(k);
	if (data)
		munmap(data, size);
	free(rbuf);
}

int bench_verity(const struct bench_opts *o)
{
	bench_digest(o);
	bench_verity_read(o);
	return 0;
}
