/*
 * replay.h - what `vfslab replay` and `vfslab lint` share: finding and reading a spec
 * (a config.json or a folder holding one) with its rootfs manifest, and applying the
 * configuration options (--order, --set KEY=VALUE) to it.
 */
#ifndef VFSLAB_TUI_REPLAY_H
#define VFSLAB_TUI_REPLAY_H

#include <stdio.h>

#include "../sim/rootfs.h"
#include "vfslab/boot.h"

/* What replay_load_spec() found: the spec, the configuration (runsc's defaults, the
 * spec's dev.gvisor.flag.* annotations applied), the manifest and its name. */
struct loaded_spec {
	struct boot_spec *spec;
	struct boot_config conf;
	struct rootfs_manifest *rootfs;
	char rootfs_name[4096];
	struct rootfs_manifest *host; /* host.manifest beside the spec: the simulated host's
				       * files (bind sources), or NULL */
	char host_name[4096];
};

/* 0, or the exit status after printing "vfslab: CMD: ..." (2 for a bad spec). */
int replay_load_spec(const char *cmd, const char *arg, const char *rootfs_arg,
		     struct loaded_spec *ls);
/* The same with its messages to errf. */
int replay_load_spec_to(const char *cmd, const char *arg, const char *rootfs_arg,
			struct loaded_spec *ls, FILE *errf);
void replay_unload_spec(struct loaded_spec *ls);
/* The embedded default spec (runc spec's) with rootfs_arg or the embedded rootfs. */
int replay_load_default(const char *cmd, const char *rootfs_arg, struct loaded_spec *ls,
			FILE *errf);
/* The bundle directory of a SPEC argument (the folder, or the config.json's directory;
 * "." for NULL); NULL when out of memory. Caller frees. */
char *replay_bundle_dir(const char *arg);
/* What lint may ask about the rootfs m (lint_main.c). */
void replay_lint_tree(struct boot_tree *tree, struct rootfs_manifest *m);
/* Apply --order (NULL: keep) and each --set KEY=VALUE (modified in place); 0, or 2 after
 * printing what is wrong. */
int replay_apply_config(const char *cmd, struct loaded_spec *ls, const char *order,
			char **setv, size_t nsets);

#endif
