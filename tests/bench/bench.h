/*
 * bench.h - shared pieces of the benchmarks (tests/bench/, doc/bench.md): the clock, the
 * summary table, the kernel tmpfs the baselines run on, and each benchmark's entry.
 *
 * A benchmark prints its raw numbers as it goes and adds rows to the summary table:
 * a ratio measured side by side in the same run (or, for memory, bytes per file), the
 * target from the issue and whether it was met. Targets never change the exit status.
 */
#ifndef VFSLAB_BENCH_H
#define VFSLAB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How a value is compared with its target. */
enum bench_cmp { BENCH_INFO, BENCH_GE, BENCH_LE };

/* Options from the command line. */
struct bench_opts {
	bool quick;	  /* smaller sizes (profiling under valgrind) */
	const char *only; /* NULL or a comma-separated list: walk,rw,dir */
};

/* Add a summary row; unit is "x" for a ratio or e.g. " B". */
void bench_row(const char *bench, const char *measure, double value, const char *unit,
	       enum bench_cmp cmp, double target);

/* Report a failed call and remember that the run is broken (exit 1). */
void bench_fail(const char *what, long err);
bool bench_failed(void);

/* The kernel's tmpfs the baselines run on: a tmpfs mounted on a temporary directory
 * when we may mount, else a directory in /dev/shm. */
struct host_tmpfs {
	char dir[128];
	bool mounted;
	bool ok;
};

extern struct host_tmpfs bench_host;

/* A fresh simulated kernel and its init task (exits on failure). */
struct kernel *bench_kernel(struct task **t);

int bench_walk(const struct bench_opts *o);
int bench_rw(const struct bench_opts *o);
int bench_dir(const struct bench_opts *o);

#endif
