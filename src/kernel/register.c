/*
 * register.c - the seed's registerFilesystems: filesystem types with their
 * registration flags, devices, and the devtmpfs contents made at boot.
 *
 * The flags are gVisor's, one for one: every type is listed in /proc/filesystems; devpts
 * (until its terminals are usable), 9p (the gofer client: only the runtime mounts it)
 * and verity may not be mounted by a task without CAP_SYS_ADMIN. The order is the seed's,
 * which is also the order of /proc/filesystems.
 */
#include <errno.h>

#include "dev/dev.h"
#include "fs/cgroupfs/cgroupfs.h"
#include "fs/devpts/devpts.h"
#include "fs/devtmpfs/devtmpfs.h"
#include "fs/gofer/gofer.h"
#include "fs/overlay/overlay.h"
#include "fs/proc/proc.h"
#include "fs/sys/sysfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/verity/verity.h"
#include "vfs/internal.h"
#include "register.h"

#define USER_MOUNT_LIST (FS_USER_MOUNT | FS_USER_LIST)

static int register_types(struct vfs *vfs)
{
	static const struct {
		const struct fs_type *type;
		unsigned flags;
	} types[] = {
		{ &cgroupfs_fs_type, USER_MOUNT_LIST },
		{ &devpts_fs_type, FS_USER_LIST },
		{ &devtmpfs_fs_type, USER_MOUNT_LIST },
		/* LEAD: enable when the fuse filesystem type exists (src/fs/fuse):
		 * { &fuse_fs_type, USER_MOUNT_LIST }, */
		{ &gofer_fs_type, FS_USER_LIST },
		{ &overlay_fs_type, USER_MOUNT_LIST },
		{ &proc_fs_type, USER_MOUNT_LIST },
		{ &sysfs_fs_type, USER_MOUNT_LIST },
		{ &tmpfs_fs_type, USER_MOUNT_LIST },
		{ &verity_fs_type, FS_USER_LIST },
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		err = vfs_register_fs_type(vfs, types[i].type, types[i].flags);
		if (err)
			return err;
	}
	return 0;
}

static int register_devices(struct vfs *vfs, const struct kernel_config *cfg)
{
	int err = memdev_register(vfs);

	if (!err)
		err = ttydev_register(vfs);
	/* gVisor's devpts opens its ptmx and replicas itself; here every character device
	 * goes through the registry, so devpts registers its numbers with the others. */
	if (!err)
		err = devpts_register(vfs);
	if (!err && cfg->net_tun)
		err = tundev_register(vfs);
	if (!err && cfg->fuse)
		err = fusedev_register(vfs);
	return err;
}

static int create_device_files(struct vfs *vfs, const struct kernel_config *cfg)
{
	struct devtmpfs_accessor a;
	struct cred *root = cred_new_root();
	int err;

	if (!root)
		return -ENOMEM;
	err = devtmpfs_accessor_init(&a, vfs, root);
	if (err)
		goto out_cred;
	err = devtmpfs_userspace_init(&a);
	if (!err)
		err = memdev_create_devtmpfs_files(&a);
	if (!err)
		err = ttydev_create_devtmpfs_files(&a);
	if (!err && cfg->net_tun)
		err = tundev_create_devtmpfs_files(&a);
	if (!err && cfg->fuse)
		err = fusedev_create_devtmpfs_file(&a);
	devtmpfs_accessor_release(&a);
out_cred:
	cred_put(root);
	return err;
}

int kernel_register_filesystems(struct kernel *k, const struct kernel_config *cfg)
{
	static const struct kernel_config none;
	struct vfs *vfs = k->vfs;
	int err;

	if (!cfg)
		cfg = &none;
	pthread_mutex_lock(&vfs->lock);
	err = register_types(vfs);
	if (!err)
		err = register_devices(vfs, cfg);
	if (!err)
		err = create_device_files(vfs, cfg);
	pthread_mutex_unlock(&vfs->lock);
	return err;
}

void kernel_unregister_filesystems(struct kernel *k)
{
	devtmpfs_shutdown(k->vfs);
}
