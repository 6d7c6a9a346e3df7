/*
 * memdev.c - Linux's memory devices (drivers/char/mem.c, gVisor's devices/memdev):
 * null reads end-of-file and swallows writes, zero reads zeros, full reads zeros and
 * refuses writes with ENOSPC, random and urandom read the host's randomness (seeded,
 * hence reproducible, in the simulation) and accept writes as entropy they ignore.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/devtmpfs/devtmpfs.h"
#include "vfs/internal.h"
#include "dev.h"

static ssize_t memdev_write_all(struct file *f, const void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)off;
	return (ssize_t)len;
}

static ssize_t null_read(struct file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return 0;
}

static ssize_t zero_read(struct file *f, void *buf, size_t len, int64_t off)
{
	(void)f, (void)off;
	memset(buf, 0, len);
	return (ssize_t)len;
}

static ssize_t full_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct host *h = f->f_inode->i_sb->s_vfs->host;
	int err;

	(void)off;
	err = h->ops->getrandom(h, buf, len);
	return err ? err : (ssize_t)len;
}

static const struct file_operations null_fops = {
	.read = null_read,
	.write = memdev_write_all,
};

static const struct file_operations zero_fops = {
	.read = zero_read,
	.write = memdev_write_all,
};

static const struct file_operations full_fops = {
	.read = zero_read,
	.write = full_write,
};

static const struct file_operations random_fops = {
	.read = random_read,
	.write = memdev_write_all,
};

static const struct {
	const char *name;
	unsigned minor;
	const struct file_operations *fops;
} memdevs[] = {
	{ "null", 3, &null_fops },     { "zero", 5, &zero_fops },
	{ "full", 7, &full_fops },     { "random", 8, &random_fops },
	{ "urandom", 9, &random_fops },
};

int memdev_register(struct vfs *vfs)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(memdevs); i++) {
		err = vfs_register_chrdev(vfs, MEM_MAJOR, memdevs[i].minor, 1, memdevs[i].name,
					  memdevs[i].fops);
		if (err)
			return err;
	}
	return 0;
}

int memdev_create_devtmpfs_files(struct devtmpfs_accessor *a)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(memdevs); i++) {
		err = devtmpfs_create_device_file(a, memdevs[i].name, S_IFCHR, MEM_MAJOR,
						  memdevs[i].minor, 0666);
		if (err)
			return err;
	}
	return 0;
}
