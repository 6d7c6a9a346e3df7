/*
 * fuzz_spec.c - libFuzzer target for spec loading and mount setup: the input is a
 * config.json. It is parsed (boot_spec_parse: every error must be a message, never a
 * crash), its dev.gvisor.flag.* annotations applied, planned under both ordering
 * policies, linted, formatted; and, for inputs that plan under the gvisor order, carried
 * out step by step on a fresh simulated kernel and host (the embedded rootfs), so that
 * hostile destinations, sources, options and hints reach the stepper and the VFS too.
 * Every run frees everything it made (LeakSanitizer checks).
 *
 * Seeds: tests/fuzz/corpus/spec/ (the fixture specs). No main: libFuzzer (or OSS-Fuzz's
 * engine) provides it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/rootfs.h"
#include "base/err.h"
#include "vfslab/boot.h"
#include "vfslab/boot_sim.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"

static struct rootfs_manifest *rootfs;

static void run(struct boot_plan *plan, const struct boot_spec *spec)
{
	struct kernel_options ko;
	struct boot_gofers g;
	struct boot_sim *sim;
	struct boot_run *r;
	struct boot_err e;
	struct kernel *k;
	int steps = 0;

	if (boot_sim_new(2, NULL, NULL, rootfs, "rootfs", spec->root_path, &sim, &e))
		return;
	boot_kernel_options(plan, &ko);
	k = kernel_new_opts(host_sim_new(1), &ko);
	if (IS_ERR_OR_NULL(k))
		abort();
	boot_sim_gofers(sim, &g);
	if (boot_run_new(plan, k, &g, &r) == 0) {
		/* A bounded number of steps: a spec of thousands of mounts is not this
		 * target's business (the benchmark's). */
		while (steps++ < 400 && boot_run_step(r, &e) == 0)
			;
		boot_run_free(r);
	}
	kernel_destroy(k);
	boot_sim_free(sim);
}

static int has_verity(const struct boot_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].verity)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_config conf;
	struct boot_spec *spec;
	struct boot_plan *plan;
	struct boot_lint *lint;
	struct boot_err e;
	char *text;
	int order;

	if (size > 64 * 1024)
		return 0;
	if (!rootfs) {
		char msg[256];

		if (rootfs_parse(rootfs_embedded_manifest, strlen(rootfs_embedded_manifest),
				 "rootfs", &rootfs, msg, sizeof(msg)))
			abort();
	}
	if (boot_spec_parse((const char *)data, size, "fuzz", &spec, &e)) {
		if (!e.msg[0])
			abort(); /* an error must say what is wrong */
		return 0;
	}
	boot_config_default(&conf);
	if (boot_config_apply_annotations(&conf, spec, &e) == 0) {
		for (order = 1; order >= 0; order--) {
			conf.order = order ? BOOT_ORDER_SPEC : BOOT_ORDER_GVISOR;
			if (boot_plan_build(spec, &conf, &plan, &e))
				continue;
			text = boot_format_steps(plan);
			free(text);
			/* verity with action=panic aborts the process on a violation, by design:
			 * only plans without verity are carried out. */
			if (order == 0 && !has_verity(plan))
				run(plan, spec);
			boot_plan_free(plan);
		}
		if (boot_lint_run(spec, &conf, NULL, &lint, &e) == 0) {
			text = boot_format_lint(lint);
			free(text);
			text = boot_format_lint_json(lint);
			free(text);
			boot_lint_free(lint);
		}
	}
	boot_spec_free(spec);
	return 0;
}
