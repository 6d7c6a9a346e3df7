/*
 * chrdev.c - the character device registry: opening a char device node, on whatever
 * filesystem, gives the file operations registered for its major:minor (Linux's
 * chrdev_open). No driver: ENXIO, as Linux. Block devices have no drivers here.
 *
 * Protected by: vfs->lock (registration happens at kernel setup, opens under the lock).
 */
#include <errno.h>

#include "base/alloc.h"
#include "internal.h"

struct chrdev {
	struct list_head link;
	uint32_t major;
	uint32_t minor_first;
	uint32_t minor_count;
	const char *name;
	const struct file_operations *fops;
};

int vfs_register_chrdev(struct vfs *vfs, uint32_t major, uint32_t minor_first,
			uint32_t minor_count, const char *name, const struct file_operations *fops)
{
	struct list_head *p;
	struct chrdev *c;

	if (!minor_count || !fops)
		return -EINVAL;
	list_for_each(p, &vfs->chrdevs) {
		c = list_entry(p, struct chrdev, link);
		if (c->major == major && minor_first < c->minor_first + c->minor_count &&
		    c->minor_first < minor_first + minor_count)
			return -EBUSY;
	}
	c = vl_zalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->major = major;
	c->minor_first = minor_first;
	c->minor_count = minor_count;
	c->name = name;
	c->fops = fops;
	list_add_tail(&c->link, &vfs->chrdevs);
	return 0;
}

const struct file_operations *vfs_chrdev_fops(struct vfs *vfs, uint32_t rdev)
{
	struct list_head *p;

	list_for_each(p, &vfs->chrdevs) {
		struct chrdev *c = list_entry(p, struct chrdev, link);

		if (c->major == VFS_MAJOR(rdev) && VFS_MINOR(rdev) >= c->minor_first &&
		    VFS_MINOR(rdev) < c->minor_first + c->minor_count)
			return c->fops;
	}
	return NULL;
}

void vfs_unregister_chrdevs(struct vfs *vfs)
{
	struct list_head *p, *tmp;

	list_for_each_safe(p, tmp, &vfs->chrdevs) {
		list_del(p);
		vl_free(list_entry(p, struct chrdev, link));
	}
}

static int nodev_open(struct inode *inode, struct file *f)
{
	(void)inode, (void)f;
	return -ENXIO;
}

/* Opening a device without a driver. */
const struct file_operations nodev_fops = {
	.open = nodev_open,
};
