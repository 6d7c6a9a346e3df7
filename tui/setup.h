/*
 * setup.h - a spec's container mount setup as the front end drives it: the loaded spec
 * and its configuration, the plan under the chosen order, the kernel it runs on (fresh
 * for each run), the gofers (the simulated host, or gofer processes on the real host),
 * the stepper, and the breakpoints. The REPL's stepping commands, the TUI and `vfslab
 * replay` all go through it.
 */
#ifndef VFSLAB_TUI_SETUP_H
#define VFSLAB_TUI_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "replay.h"
#include "vfslab/boot.h"

struct kernel;
struct boot_sim;
struct host_gofers;

enum bp_type { BP_DEST, BP_KIND };

struct breakpoint {
	int num;
	enum bp_type type;
	char *dest;		   /* BP_DEST: a clean absolute path */
	enum boot_step_kind kind;  /* BP_KIND */
	unsigned hits;
};

/* A pod's later container (replay --container): its own spec, plan and run, in the
 * sandbox the first spec set up. */
struct setup_container {
	struct loaded_spec ls;
	char *path;
	struct boot_plan *plan;
	struct boot_run *run;
};

struct setup {
	struct loaded_spec ls;
	char *spec_path; /* as given, or "(embedded default spec)" */
	char *path_arg;	 /* the spec as given to setup_load (NULL: the embedded one) */
	char *rootfs_arg; /* --rootfs as given, or NULL */
	bool host;	 /* gofer processes on the real host */
	char *bundle;	 /* the spec's directory, for --host's relative paths */
	struct boot_plan *plan;
	struct boot_run *run;
	struct boot_sim *sim;
	struct host_gofers *hg;
	struct kernel *k;
	struct setup_container *ctrs;
	size_t nctrs;
	struct breakpoint *bps;
	size_t nbps;
	int next_bp;
};

/* Load a spec (path NULL: the embedded default spec and rootfs) with an optional rootfs
 * manifest; on failure prints "vfslab: CMD: ..." to err and returns the exit status (2).
 * host: run against the real host (gofer processes; --host). */
int setup_load(struct setup *su, const char *cmd, const char *path, const char *rootfs,
	       bool host, FILE *err);
/* (Re)start: build the plan under su->ls.conf, a fresh kernel, gofers and a run at step
 * 0. The old kernel (if any) is destroyed after the new one exists. 0 or -errno with a
 * message in e. */
int setup_start(struct setup *su, struct boot_err *e);
/* One step; 0, or the stepper's error (boot_run_step). */
int setup_step(struct setup *su, struct boot_err *e);
size_t setup_pos(const struct setup *su);
size_t setup_nsteps(const struct setup *su);
bool setup_failed(const struct setup *su);
bool setup_done(const struct setup *su);
/* Everything freed, the kernel included. */
void setup_free(struct setup *su);

/* Phases (for `finish`): devices, root, submounts, tmp, restore, process. */
int setup_phase(const struct setup *su, size_t step);
const char *setup_phase_name(int phase);
/* The breakpoint that stops before step i, or NULL. */
struct breakpoint *setup_break_at(struct setup *su, size_t i);

/* Run to the end (replay): 0 done, 1 a step failed (message printed to err). Then the
 * pod's later containers, each in turn (with their own rootfs manifests: rootfs.manifest
 * beside each, else the embedded one). */
int setup_run_all(struct setup *su, FILE *err, const char *cmd);
/* Add a pod's later container (a spec path); 0 or the exit status after saying why. */
int setup_add_container(struct setup *su, const char *cmd, const char *path, FILE *err);
/* The task whose mount table replay shows: the last container's, else the sandbox's. */
struct task *setup_last_task(const struct setup *su);

/* The mount table of task's namespace as a JSON document of mounts (shadowed ones marked)
 * and, when su is given, the steps carried out (findmnt's tree: findmnt_print, cmd.h). */
int setup_print_json(struct setup *su, struct task *t, FILE *out);
/* The change a step made, as the REPL prints it after the step (one or more lines). */
void setup_print_change(const struct setup *su, size_t i, FILE *out);

#endif
