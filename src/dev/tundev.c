/*
 * tundev.c - /dev/net/tun (10:200). There is no network stack to attach an interface
 * to: the device opens, and I/O on it fails with EBADFD as Linux's tun does before
 * TUNSETIFF; the ioctls are not implemented (ENOTTY).
 */
#include <errno.h>
#include <sys/stat.h>

#include "fs/devtmpfs/devtmpfs.h"
#include "vfs/internal.h"
#include "dev.h"

static ssize_t tun_read(struct file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -EBADFD;
}

static ssize_t tun_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -EBADFD;
}

static const struct file_operations tun_fops = {
	.read = tun_read,
	.write = tun_write,
};

int tundev_register(struct vfs *vfs)
{
	return vfs_register_chrdev(vfs, MISC_MAJOR, TUN_MINOR, 1, "tun", &tun_fops);
}

int tundev_create_devtmpfs_files(struct devtmpfs_accessor *a)
{
	return devtmpfs_create_device_file(a, "net/tun", S_IFCHR, MISC_MAJOR, TUN_MINOR, 0666);
}
