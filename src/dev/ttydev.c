/*
 * ttydev.c - /dev/tty (5:0), the task's controlling terminal. Tasks here have none, so
 * opening it fails with ENXIO, as Linux's tty_open does without one (gVisor's ttydev
 * behaves the same way).
 */
#include <errno.h>
#include <sys/stat.h>

#include "fs/devtmpfs/devtmpfs.h"
#include "vfs/internal.h"
#include "dev.h"

static int tty_open(struct inode *inode, struct file *f)
{
	(void)inode, (void)f;
	return -ENXIO;
}

static const struct file_operations tty_fops = {
	.open = tty_open,
};

int ttydev_register(struct vfs *vfs)
{
	return vfs_register_chrdev(vfs, TTYAUX_MAJOR, 0, 1, "tty", &tty_fops);
}

int ttydev_create_devtmpfs_files(struct devtmpfs_accessor *a)
{
	return devtmpfs_create_device_file(a, "tty", S_IFCHR, TTYAUX_MAJOR, 0, 0666);
}
