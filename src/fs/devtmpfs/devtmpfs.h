/*
 * devtmpfs.h - /dev as gVisor builds it (pkg/sentry/fsimpl/devtmpfs): a tmpfs (mode
 * 0755, whatever the mount options say, as Linux's devtmpfs_init) of which every mount
 * of a kernel shows the same one instance, so the device files the kernel creates at
 * boot through an accessor appear in each /dev a container mounts.
 *
 * The instance is made on first use and held by the type until devtmpfs_shutdown()
 * (kernel teardown); mounts hold it too, so it lives as long as either.
 *
 * The kernel registers devtmpfs_fs_type (name "devtmpfs", FS_USER_MOUNT | FS_USER_LIST).
 */
#ifndef VFSLAB_FS_DEVTMPFS_H
#define VFSLAB_FS_DEVTMPFS_H

#include "vfs/fs.h"

extern const struct fs_type devtmpfs_fs_type;

/* gVisor's devtmpfs.Accessor: creates files in a kernel's devtmpfs instance. All its
 * functions are called with the VFS lock held. */
struct devtmpfs_accessor {
	struct vfs *vfs;
	struct super_block *sb;		/* the instance (held by the type) */
	const struct cred *cred;	/* who creates: owner of the files (root) */
};

/* Find or make vfs's instance. */
int devtmpfs_accessor_init(struct devtmpfs_accessor *a, struct vfs *vfs,
			   const struct cred *cred);
void devtmpfs_accessor_release(struct devtmpfs_accessor *a);
/* mknod path (relative to the instance root; missing parents made 0755) as a device of
 * type S_IFCHR or S_IFBLK with permission bits perms. */
int devtmpfs_create_device_file(struct devtmpfs_accessor *a, const char *path, uint32_t type,
				uint32_t major, uint32_t minor, uint32_t perms);
/* What user space makes in Linux's /dev (systemd's dev_setup and mount_table): the
 * links fd, stdin, stdout, stderr -> /proc/self/fd[/N], ptmx -> pts/ptmx, and the
 * directories shm and pts (0755). Mounts are not made here. */
int devtmpfs_userspace_init(struct devtmpfs_accessor *a);
/* Drop the type's hold on vfs's instance (kernel teardown, VFS lock held). */
void devtmpfs_shutdown(struct vfs *vfs);

#endif
