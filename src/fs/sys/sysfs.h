/*
 * sysfs.h - the sysfs filesystem as gVisor presents it (pkg/sentry/fsimpl/sys): a fixed,
 * read-only tree built at mount time.
 *
 * /sys holds block, bus, class/power_supply, dev/{block,char}, devices/system/cpu
 * (online, possible, present: "0-N"; cpuK/topology masks), firmware, fs/cgroup (an
 * empty directory: the mount point the kernel makes for cgroupfs), kernel, module and
 * power. Directories are 0755, files 0444, owned by root. Nothing can be created,
 * removed, or written: mkdir/creat give EPERM, opening for write EACCES (Linux's
 * kernfs), chmod of a directory EPERM (gVisor). Mount options are accepted and
 * ignored, as Linux's sysfs ignores them.
 *
 * The kernel registers sysfs_fs_type (name "sysfs", FS_USER_MOUNT | FS_USER_LIST).
 */
#ifndef VFSLAB_FS_SYSFS_H
#define VFSLAB_FS_SYSFS_H

#include "vfs/fs.h"

/* statfs(2) f_type, as Linux's SYSFS_MAGIC. */
#define SYSFS_MAGIC 0x62656572

/* The CPUs shown are the host boundary's count (as /proc/cpuinfo's), at most this many
 * (the masks are 32-bit, as gVisor's for the machines it simulates). */
#define SYSFS_MAX_CPUS 32

extern const struct fs_type sysfs_fs_type;

#endif
