/*
 * boot_sim.h - the simulated host a spec's mount setup runs against: a host tree (a
 * kernel of its own, seeded, so every run is the same byte for byte) holding the rootfs
 * manifest at the spec's root path and the bind sources, and the in-memory gofers that
 * serve them over socketpairs (struct boot_gofers for the stepper).
 *
 * Host paths: an absolute root.path or bind source is taken as it is; a relative one is
 * relative to the bundle, which the simulation puts at /bundle (as runc resolves
 * root.path against the bundle directory). A bind source missing from the host tree is
 * created empty, as a directory or a file as its mount point needs, with a warning: any
 * real-world spec replays.
 */
#ifndef VFSLAB_BOOT_SIM_H
#define VFSLAB_BOOT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "vfslab/boot.h"

#define BOOT_SIM_BUNDLE "/bundle"

struct boot_sim;
struct rootfs_manifest; /* sim/rootfs.h */
struct task;

/* A simulated host seeded with seed whose tree holds the host manifest host (absolute
 * host paths, made first; may be NULL) and manifest m (named name in messages) at
 * root_path (the spec's root.path). 0, or -errno with a message in err. */
int boot_sim_new(uint64_t seed, const struct rootfs_manifest *host, const char *host_name,
		 const struct rootfs_manifest *m, const char *name, const char *root_path,
		 struct boot_sim **out, struct boot_err *err);
/* Put another container's rootfs (manifest m) at root_path on the host (a pod's later
 * container). 0, or -errno with a message in err. */
int boot_sim_add_rootfs(struct boot_sim *s, const struct rootfs_manifest *m, const char *name,
			const char *root_path, struct boot_err *err);
/* The gofers for boot_run_new(); they stay valid until boot_sim_free. */
void boot_sim_gofers(struct boot_sim *s, struct boot_gofers *g);
/* The warnings so far ("bind source /srv/x is not on the simulated host: created an
 * empty directory"), oldest first. */
size_t boot_sim_nwarnings(const struct boot_sim *s);
const char *boot_sim_warning(const struct boot_sim *s, size_t i);
/* The host tree's init task (root), to look at what the gofers served. */
struct task *boot_sim_host_task(struct boot_sim *s);
/* Ends every connection (client mounts then see EOF), stops the servers, frees the
 * host. */
void boot_sim_free(struct boot_sim *s);

#endif
