/*
 * proc.h - the proc filesystem (Linux's fs/proc, gVisor's fsimpl/proc): the kernel's
 * tasks and the system's state as files, generated when they are opened or looked at.
 *
 * What it holds: /proc/self and /proc/thread-self (links to the looking task), a
 * directory per task (/proc/PID: mountinfo, mounts, fd/, cwd, root, status, cmdline,
 * environ, comm, stat, cgroup), /proc/mounts (-> self/mounts), filesystems, cpuinfo,
 * meminfo, uptime, version, loadavg, stat, cgroups (both from cgroupfs's hierarchies)
 * and a read-only /proc/sys. Every value comes from the
 * kernel's objects or through the host boundary, so the simulation prints the same bytes
 * every run.
 *
 * The kernel registers proc_fs_type (FS_USER_MOUNT | FS_USER_LIST). A mount from a task
 * (mount(2)) finds the kernel through the mounting task; an in-process mount (no task)
 * must pass struct proc_internal_opts as fs_context.internal. No mount options.
 */
#ifndef VFSLAB_FS_PROC_H
#define VFSLAB_FS_PROC_H

#include "vfs/fs.h"

struct kernel;

/* statfs(2) f_type, as Linux's PROC_SUPER_MAGIC. */
#define PROC_SUPER_MAGIC 0x9fa0

extern const struct fs_type proc_fs_type; /* name "proc" */

/* In-process options (fs_context.internal): the kernel whose tasks the mount shows.
 * Needed when the mount has no task (vfs_kern_mount); a task's mount may omit it. */
struct proc_internal_opts {
	struct kernel *k;
};

#endif
