/*
 * bench_replay.c - mount setup time as the number of mounts grows (issue 7): a spec with
 * n tmpfs mounts (n = 10, 100, 1,000, 10,000; destinations of three lengths, a third of
 * them nested below another) is parsed, planned and carried out step by step on a fresh
 * simulated kernel and host, as `vfslab replay` does. The target is growth no worse
 * than n log n: time(10,000) / time(1,000) <= 10,000 log 10,000 / (1,000 log 1,000) =
 * 13.3. Also the embedded default spec (runc's), the REPL's first job.
 *
 * tmpfs mounts keep the figure about the setup (plan, mount points, mounts, the mount
 * table): a bind mount would add a gofer connection and its threads per mount.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rootfs.h"
#include "base/err.h"
#include "bench.h"
#include "vfslab/boot.h"
#include "vfslab/boot_sim.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"

int bench_replay(const struct bench_opts *o);

static char *make_spec(size_t n)
{
	size_t cap = 256 + n * 120, len = 0, i;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	len += (size_t)snprintf(s + len, cap - len,
				"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],"
				"\"env\":[\"PATH=/bin\"],\"cwd\":\"/\"},\"root\":{\"path\":"
				"\"rootfs\"},\"mounts\":[");
	for (i = 0; i < n; i++) {
		/* /m/N, /mm/longer-N, and /m/(N-1)/sub: three lengths, some nesting. */
		if (i % 3 == 0)
			len += (size_t)snprintf(s + len, cap - len, "%s{\"destination\":\"/m/%zu\"",
						i ? "," : "", i);
		else if (i % 3 == 1)
			len += (size_t)snprintf(s + len, cap - len,
						",{\"destination\":\"/mm/longer-%zu\"", i);
		else
			len += (size_t)snprintf(s + len, cap - len,
						",{\"destination\":\"/m/%zu/sub\"", i - 2);
		len += (size_t)snprintf(s + len, cap - len,
					",\"type\":\"tmpfs\",\"source\":\"t%zu\"}", i);
	}
	snprintf(s + len, cap - len, "]}");
	return s;
}

/* One whole setup; returns its time in ns, or 0 after reporting a failure. */
static uint64_t one_run(const char *json, const struct rootfs_manifest *m)
{
	struct boot_spec *spec;
	struct boot_plan *plan;
	struct boot_config conf;
	struct kernel_options ko;
	struct boot_sim *sim;
	struct boot_gofers g;
	struct boot_run *run;
	struct boot_err e;
	struct kernel *k;
	uint64_t t0 = bench_now_ns(), t;
	int err;

	boot_config_default(&conf);
	if (boot_spec_parse(json, strlen(json), "bench", &spec, &e) ||
	    boot_plan_build(spec, &conf, &plan, &e)) {
		fprintf(stderr, "bench: replay: %s\n", e.msg);
		bench_fail("replay: spec", -EINVAL);
		return 0;
	}
	if (boot_sim_new(2, NULL, NULL, m, "rootfs", spec->root_path, &sim, &e)) {
		bench_fail("replay: simulated host", -EINVAL);
		return 0;
	}
	boot_kernel_options(plan, &ko);
	k = kernel_new_opts(host_sim_new(1), &ko);
	boot_sim_gofers(sim, &g);
	if (IS_ERR_OR_NULL(k) || boot_run_new(plan, k, &g, &run)) {
		bench_fail("replay: kernel", -ENOMEM);
		return 0;
	}
	while ((err = boot_run_step(run, &e)) == 0)
		;
	t = bench_now_ns() - t0;
	if (err != -ENODATA) {
		fprintf(stderr, "bench: replay: %s\n", e.msg);
		bench_fail("replay: step", err);
	}
	boot_run_free(run);
	kernel_destroy(k);
	boot_sim_free(sim);
	boot_plan_free(plan);
	boot_spec_free(spec);
	return t;
}

static uint64_t best_of(const char *json, const struct rootfs_manifest *m, int runs)
{
	uint64_t best = UINT64_MAX, t;
	int i;

	for (i = 0; i < runs; i++) {
		t = one_run(json, m);
		if (!t)
			return 0;
		if (t < best)
			best = t;
	}
	return best;
}

int bench_replay(const struct bench_opts *o)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000 };
	size_t nsizes = o->quick ? 3 : 4, i;
	struct rootfs_manifest *m;
	double t[4] = { 0 };
	char msg[256], label[64];

	printf("\n-- replay: mount setup time as mounts grow (tmpfs mounts, simulated host)\n");
	if (rootfs_parse(rootfs_embedded_manifest, strlen(rootfs_embedded_manifest), "rootfs", &m,
			 msg, sizeof(msg))) {
		bench_fail("replay: embedded rootfs", -EINVAL);
		return -1;
	}
	{
		uint64_t d = best_of(rootfs_default_spec, m, 5);

		printf("replay: embedded default spec (57 steps): %.2f ms\n", d / 1e6);
		bench_row("replay", "embedded default spec (ms)", d / 1e6, " ms", BENCH_INFO, 0);
	}
	for (i = 0; i < nsizes; i++) {
		char *json = make_spec(sizes[i]);

		if (!json)
			break;
		t[i] = (double)best_of(json, m, sizes[i] >= 10000 ? 2 : 3);
		free(json);
		printf("replay: %5zu mounts: %9.2f ms (%.1f us per mount)\n", sizes[i], t[i] / 1e6,
		       t[i] / 1e3 / (double)sizes[i]);
		snprintf(label, sizeof(label), "%zu mounts (ms)", sizes[i]);
		bench_row("replay", label, t[i] / 1e6, " ms", BENCH_INFO, 0);
	}
	if (nsizes == 4 && t[2] > 0) {
		double nlogn = (10000 * log(10000.0)) / (1000 * log(1000.0));

		bench_row("replay", "time(10k)/time(1k) vs n log n (13.3)", t[3] / t[2], "x",
			  BENCH_LE, round(nlogn * 10) / 10);
	}
	rootfs_free(m);
	return 0;
}
