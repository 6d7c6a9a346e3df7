/*
 * fusedev.c - /dev/fuse (10:229). A FUSE filesystem type is not in the tree yet, so an
 * opened device is never attached to a mount: reads and writes fail with EPERM, as
 * gVisor's and Linux's do on a connection that has no filesystem.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fs/devtmpfs/devtmpfs.h"
#include "vfs/internal.h"
#include "dev.h"

static ssize_t fuse_dev_read(struct file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -EPERM;
}

static ssize_t fuse_dev_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -EPERM;
}

static const struct file_operations fuse_dev_fops = {
	.read = fuse_dev_read,
	.write = fuse_dev_write,
};

int fusedev_register(struct vfs *vfs)
{
	return vfs_register_chrdev(vfs, MISC_MAJOR, FUSE_MINOR, 1, "fuse", &fuse_dev_fops);
}

int fusedev_create_devtmpfs_file(struct devtmpfs_accessor *a)
{
	return devtmpfs_create_device_file(a, "fuse", S_IFCHR, MISC_MAJOR, FUSE_MINOR, 0666);
}
