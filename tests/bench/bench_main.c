/*
 * bench_main.c - `make bench`: runs the benchmarks and prints the summary table of
 * ratios with each target's PASS/FAIL (doc/bench.md). Exit status 0 unless a call
 * failed (targets report, they do not gate).
 *
 *   build/bench [--quick] [--only=walk,rw,dir]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bench.h"

#define LINUX_TMPFS_MAGIC 0x01021994

struct row {
	char bench[40];
	char measure[64];
	double value;
	char unit[8];
	enum bench_cmp cmp;
	double target;
};

#define MAX_ROWS 64
static struct row rows[MAX_ROWS];
static int nrows;
static bool failed;

struct host_tmpfs bench_host;

int bench_p9(const struct bench_opts *o); /* bench_p9.c (bench.h is not ours to edit) */

int bench_overlay(const struct bench_opts *o); /* bench_overlay.c */

int bench_replay(const struct bench_opts *o); /* bench_replay.c */
int bench_verity(const struct bench_opts *o); /* bench_verity.c */
int bench_fuse(const struct bench_opts *o);   /* bench_fuse.c */

void bench_row(const char *bench, const char *measure, double value, const char *unit,
	       enum bench_cmp cmp, double target)
{
	struct row *r;

	if (nrows == MAX_ROWS)
		return;
	r = &rows[nrows++];
	snprintf(r->bench, sizeof(r->bench), "%s", bench);
	snprintf(r->measure, sizeof(r->measure), "%s", measure);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->value = value;
	r->cmp = cmp;
	r->target = target;
}

void bench_fail(const char *what, long err)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror((int)(err < 0 ? -err : err)));
	failed = true;
}

bool bench_failed(void)
{
	return failed;
}

struct kernel *bench_kernel(struct task **t)
{
	struct host *h = host_sim_new(1);
	struct kernel *k = h ? kernel_new(h) : NULL;

	if (!k) {
		fprintf(stderr, "bench: cannot create a kernel\n");
		exit(1);
	}
	*t = kernel_init_task(k);
	return k;
}

static bool is_tmpfs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && sf.f_type == LINUX_TMPFS_MAGIC;
}

static void host_tmpfs_setup(struct host_tmpfs *h)
{
	snprintf(h->dir, sizeof(h->dir), "/tmp/vfslab-bench.XXXXXX");
	if (mkdtemp(h->dir)) {
		if (mount("tmpfs", h->dir, "tmpfs", 0, "size=1g,mode=0700") == 0) {
			h->mounted = true;
			h->ok = true;
			printf("kernel tmpfs: %s (tmpfs mounted for this run)\n", h->dir);
			return;
		}
		printf("kernel tmpfs: mount -t tmpfs failed (%s)", strerror(errno));
		rmdir(h->dir);
	} else {
		printf("kernel tmpfs: mkdtemp in /tmp failed (%s)", strerror(errno));
	}
	snprintf(h->dir, sizeof(h->dir), "/dev/shm/vfslab-bench.XXXXXX");
	if (mkdtemp(h->dir) && is_tmpfs(h->dir)) {
		h->ok = true;
		printf("; falling back to %s (/dev/shm)\n", h->dir);
		return;
	}
	printf("; no kernel tmpfs: the kernel baselines are skipped\n");
	h->dir[0] = '\0';
}

/* Each benchmark removes what it created; what is left is the directory itself. */
static void host_tmpfs_teardown(struct host_tmpfs *h)
{
	if (!h->ok)
		return;
	if (h->mounted && umount2(h->dir, MNT_DETACH) != 0)
		fprintf(stderr, "bench: umount %s: %s\n", h->dir, strerror(errno));
	if (rmdir(h->dir) != 0)
		fprintf(stderr, "bench: rmdir %s: %s\n", h->dir, strerror(errno));
}

static bool selected(const struct bench_opts *o, const char *name)
{
	const char *p = o->only;
	size_t n = strlen(name);

	if (!p)
		return true;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == o->only || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

static void print_summary(void)
{
	int i, pass = 0, fail = 0;

	printf("\n== summary: ratios measured side by side in this run ==\n");
	printf("%-26s %-44s %10s  %-9s %s\n", "benchmark", "measure", "value", "target", "result");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char target[24] = "-";
		const char *res = "info";

		if (r->cmp != BENCH_INFO) {
			bool ok =
				r->cmp == BENCH_GE ? r->value >= r->target : r->value <= r->target;

			snprintf(target, sizeof(target), "%s %g%s",
				 r->cmp == BENCH_GE ? ">=" : "<=", r->target, r->unit);
			res = ok ? "PASS" : "FAIL";
			if (ok)
				pass++;
			else
				fail++;
		}
		printf("%-26s %-44s %9.2f%-2s %-9s %s\n", r->bench, r->measure, r->value, r->unit,
		       target, res);
	}
	printf("targets: %d passed, %d failed (benchmarks report; they do not gate)\n", pass, fail);
}

int main(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			o.quick = true;
		} else if (strncmp(argv[i], "--only=", 7) == 0) {
			o.only = argv[i] + 7;
		} else {
			fprintf(stderr, "usage: %s [--quick] [--only=walk,rw,dir]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("== vfslab benchmarks%s: best of several runs, CLOCK_MONOTONIC ==\n",
	       o.quick ? " (--quick: reduced sizes, targets not meaningful)" : "");
	host_tmpfs_setup(&bench_host);
	if (selected(&o, "walk"))
		bench_walk(&o);
	if (selected(&o, "rw"))
		bench_rw(&o);
	if (selected(&o, "dir"))
		bench_dir(&o);
	if (selected(&o, "p9"))
		bench_p9(&o);
	if (selected(&o, "overlay"))
		bench_overlay(&o);
	if (selected(&o, "replay"))
		bench_replay(&o);
	if (selected(&o, "verity"))
		bench_verity(&o);
	if (selected(&o, "fuse"))
		bench_fuse(&o);
	host_tmpfs_teardown(&bench_host);
	print_summary();
	if (failed) {
		printf("bench: some calls failed (see above)\n");
		return 1;
	}
	return 0;
}
