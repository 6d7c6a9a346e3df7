/*
 * cgroupfs.h - cgroup v1 (gVisor's fsimpl/cgroupfs, name "cgroup").
 *
 * Mount options choose the hierarchy's controllers: cpu, cpuacct, cpuset, devices, job,
 * memory, pids, or all (every controller; alone, as gVisor: "all" with another is
 * EINVAL); none means all; dentry_cache_limit=N is accepted (gVisor's). Anything else
 * is EINVAL with "cgroup: unknown controller 'X'". mountinfo shows the controllers, in
 * name order.
 *
 * A cgroup is a directory (the root 0555, others 0755) holding cgroup.procs and tasks
 * (0644) and each controller's files, with gVisor's defaults and modes:
 *   cpu      cpu.cfs_period_us 100000, cpu.cfs_quota_us -1, cpu.shares 1024 (0644)
 *   cpuacct  cpuacct.stat, cpuacct.usage, cpuacct.usage_user, cpuacct.usage_sys (0444)
 *   cpuset   cpuset.cpus, cpuset.mems (0644)
 *   devices  devices.allow, devices.deny (0644), devices.list (0444, "a *:* rwm")
 *   job      job.id 0 (0644)
 *   memory   memory.usage_in_bytes (0444), memory.limit_in_bytes,
 *            memory.soft_limit_in_bytes, memory.move_charge_at_immigrate (0644)
 *   pids     pids.current (0444), pids.max "max" (0644, not in the root)
 * mkdir makes a child cgroup with its own copy of the parent's values; rmdir removes a
 * cgroup without child cgroups or member tasks (EBUSY). Writable files take one value
 * per write (EINVAL otherwise).
 *
 * Membership: writing a PID (0: the writer) to cgroup.procs or tasks moves that task
 * of the mounting kernel (ESRCH if there is none); reading lists the member PIDs,
 * sorted; a task never moved is in the root. pids.current counts the tasks of the
 * cgroup and its descendants. A forked task starts in its parent's cgroups
 * (cgroupfs_task_fork, called by task_fork as Linux's fork calls cgroup_fork).
 *
 * Hierarchies, as gVisor's GetFilesystem: a mount of a controller set that has a
 * hierarchy in the VFS is another view of it (the same superblock); a set that
 * overlaps another hierarchy's is EBUSY; otherwise a new hierarchy gets the lowest
 * free ID from 1. A hierarchy lives while a mount of it does.
 */
#ifndef VFSLAB_FS_CGROUPFS_H
#define VFSLAB_FS_CGROUPFS_H

#include "vfs/fs.h"

#define CGROUP_SUPER_MAGIC 0x27e0eb

extern const struct fs_type cgroupfs_fs_type;

/* A new task child_pid joins parent_pid's cgroup in every hierarchy of vfs. VFS lock
 * held. 0 or -ENOMEM (nothing half-done that matters: the child is then in the root). */
int cgroupfs_task_fork(struct vfs *vfs, int parent_pid, int child_pid);
/* /proc/PID/cgroup: "ID:controllers:/path" per hierarchy of vfs, by ID descending, as
 * Linux. VFS lock held. */
int cgroupfs_show_task(struct vfs *vfs, int pid, struct strbuf *out);
/* /proc/cgroups, as gVisor's GenerateProcCgroups: a header, then
 * "name\thierarchy\tnum_cgroups\tenabled" per controller on a hierarchy, by name. */
int cgroupfs_show_controllers(struct vfs *vfs, struct strbuf *out);

#endif
