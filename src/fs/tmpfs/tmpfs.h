/*
 * tmpfs.h - the in-memory filesystem (Linux's shmem/tmpfs, gVisor's fsimpl/tmpfs).
 *
 * The kernel registers tmpfs_fs_type (FS_USER_MOUNT | FS_USER_LIST) and mounts one as
 * its root; the boot code mounts more (/tmp, overlay uppers). Mount options, as Linux:
 * mode=OCTAL, uid=N, gid=N (the root inode), size=N[kmgtpe%], nr_blocks=N[kmgtpe],
 * nr_inodes=N[kmgtpe]. Percentages are of a simulated RAM of TMPFS_SIM_RAM_BYTES; with
 * no size (no nr_inodes) the limit is half of it, as Linux's default is half of RAM;
 * size=0 (nr_inodes=0) means unlimited.
 */
#ifndef VFSLAB_FS_TMPFS_H
#define VFSLAB_FS_TMPFS_H

#include <stdint.h>

#include "vfs/fs.h"

/* statfs(2) f_type, as Linux's. */
#define TMPFS_MAGIC 0x01021994

/* The RAM that size=N% and the default limits are computed from (1 GiB). */
#define TMPFS_SIM_RAM_BYTES (1ull << 30)

extern const struct fs_type tmpfs_fs_type; /* name "tmpfs" */

/* In-process options the mounter may pass as fs_context.internal (gVisor's
 * FilesystemOpts): the root inode's type, S_IFDIR (the default; 0 means it too) or
 * S_IFREG (an overlay upper over a lower whose root is a file). A regular-file root's
 * default mode is 0777, a directory root's 01777, as gVisor's. */
struct tmpfs_internal_opts {
	uint32_t root_type;
};

#endif
