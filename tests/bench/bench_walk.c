/*
 * bench_walk.c - path walk: stat of a cached 6-component path.
 *
 * Ours: vfs_fstatat(t, AT_FDCWD, "/a/b/c/d/e/f") on the root tmpfs of a simulated
 * kernel (every dentry cached: tmpfs's dcache is the filesystem). Kernel: fstatat(2) of
 * "a/b/c/d/e/f" relative to an O_PATH descriptor of the kernel tmpfs directory, so both
 * walks take the same six components inside a tmpfs. Runs alternate ours / kernel; each
 * side keeps its best (minimum) time. Target: ours >= 3x faster.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

static const char *const comps[] = { "a", "b", "c", "d", "e", "f" };
#define NCOMPS 6

static int make_ours(struct task *t)
{
	char path[32] = "";
	size_t len = 0;
	int i, err;

	for (i = 0; i < NCOMPS; i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/%s", comps[i]);
		err = vfs_mkdirat(t, AT_FDCWD, path, 0755);
		if (err) {
			bench_fail("vfs_mkdirat", err);
			return err;
		}
	}
	return 0;
}

static int make_kernel(int dirfd)
{
	char path[32] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < NCOMPS; i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len, "%s%s", i ? "/" : "",
					comps[i]);
		if (mkdirat(dirfd, path, 0755) != 0 && errno != EEXIST) {
			bench_fail("mkdirat (kernel tmpfs)", errno);
			return -errno;
		}
	}
	return 0;
}

static void remove_kernel(int dirfd)
{
	char path[32] = "a/b/c/d/e/f";
	int i;

	for (i = NCOMPS; i > 0; i--) {
		path[2 * i - 1] = '\0';
		unlinkat(dirfd, path, AT_REMOVEDIR);
	}
}

int bench_walk(const struct bench_opts *o)
{
	const long iters = o->quick ? 20000 : 300000;
	const int runs = o->quick ? 2 : 7;
	const char *ours_path = "/a/b/c/d/e/f", *kern_path = "a/b/c/d/e/f";
	uint64_t best_ours = UINT64_MAX, best_kern = UINT64_MAX;
	struct vfs_stat vst;
	struct stat kst;
	struct kernel *k;
	struct task *t;
	int dirfd = -1, r, err;
	long i;
	bool kern = bench_host.ok;

	printf("\n[walk] stat of a cached 6-component path: %ld calls x %d runs, best run\n", iters,
	       runs);
	k = bench_kernel(&t);
	if (make_ours(t))
		goto out;
	err = vfs_fstatat(t, AT_FDCWD, ours_path, &vst, 0);
	if (err || !S_ISDIR(vst.mode)) {
		bench_fail("vfs_fstatat /a/b/c/d/e/f", err ? err : -ENOTDIR);
		goto out;
	}
	if (kern) {
		dirfd = open(bench_host.dir, O_PATH | O_DIRECTORY);
		if (dirfd < 0 || make_kernel(dirfd)) {
			bench_fail("kernel tmpfs tree", errno);
			kern = false;
		} else if (fstatat(dirfd, kern_path, &kst, 0) != 0) {
			bench_fail("fstatat (kernel tmpfs)", errno);
			kern = false;
		}
	}
	for (r = 0; r < runs; r++) {
		uint64_t t0 = bench_now_ns(), t1;

		for (i = 0; i < iters; i++) {
			if (vfs_fstatat(t, AT_FDCWD, ours_path, &vst, 0) != 0)
				break;
		}
		t1 = bench_now_ns();
		if (i < iters) {
			bench_fail("vfs_fstatat in the loop",
				   vfs_fstatat(t, AT_FDCWD, ours_path, &vst, 0));
			goto out;
		}
		if (t1 - t0 < best_ours)
			best_ours = t1 - t0;
		if (!kern)
			continue;
		t0 = bench_now_ns();
		for (i = 0; i < iters; i++) {
			if (fstatat(dirfd, kern_path, &kst, 0) != 0)
				break;
		}
		t1 = bench_now_ns();
		if (i < iters) {
			bench_fail("fstatat in the loop", errno);
			kern = false;
			continue;
		}
		if (t1 - t0 < best_kern)
			best_kern = t1 - t0;
	}
	printf("  vfs_fstatat  (ours, \"%s\")            %8.1f ns/call\n", ours_path,
	       (double)best_ours / (double)iters);
	if (kern) {
		printf("  fstatat(2)   (kernel tmpfs, dirfd + \"%s\") %8.1f ns/call\n", kern_path,
		       (double)best_kern / (double)iters);
		bench_row("path walk (6 components)",
			  "speed-up: fstatat(2) time / vfs_fstatat time",
			  (double)best_kern / (double)best_ours, "x", BENCH_GE, 3.0);
	} else {
		printf("  fstatat(2)   skipped: no kernel tmpfs\n");
	}
out:
	if (dirfd >= 0) {
		remove_kernel(dirfd);
		close(dirfd);
	}
	kernel_destroy(k);
	return 0;
}
