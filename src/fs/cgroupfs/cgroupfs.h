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
 * cgroup without child cgroups. Writable files take one value per write (EINVAL
 * otherwise). Task membership is not modelled: every task is in the root cgroup
 * (cgroup.procs/tasks list the kernel's tasks there, nothing below), and writing a PID
 * to cgroup.procs or tasks is accepted without moving anything, as early gVisor did.
 * Each mount is a new hierarchy (gVisor shares one per controller set: not yet).
 */
#ifndef VFSLAB_FS_CGROUPFS_H
#define VFSLAB_FS_CGROUPFS_H

#include "vfs/fs.h"

#define CGROUP_SUPER_MAGIC 0x27e0eb

extern const struct fs_type cgroupfs_fs_type;

#endif
