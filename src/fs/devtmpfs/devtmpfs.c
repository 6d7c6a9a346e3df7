/*
 * devtmpfs.c - the devtmpfs type (a shared tmpfs instance per kernel) and its accessor
 * (see devtmpfs.h).
 *
 * The instances live in a process-wide list keyed by VFS, because fs_type is shared by
 * all kernels: the list has its own mutex, always taken inside the VFS lock.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "base/alloc.h"
#include "fs/tmpfs/tmpfs.h"
#include "vfs/internal.h"
#include "vfs/layer.h"
#include "devtmpfs.h"

struct devtmpfs_instance {
	struct list_head link;
	struct vfs *vfs;
	struct super_block *sb;	/* s_active includes the type's hold */
};

static pthread_mutex_t devtmpfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head devtmpfs_instances = LIST_HEAD_INIT(devtmpfs_instances);

static struct devtmpfs_instance *devtmpfs_find(struct vfs *vfs)
{
	struct list_head *p;

	list_for_each(p, &devtmpfs_instances) {
		struct devtmpfs_instance *i = list_entry(p, struct devtmpfs_instance, link);

		if (i->vfs == vfs)
			return i;
	}
	return NULL;
}

/* gVisor: the first mount builds the tmpfs with "mode=0755" (the mounter's options are
 * not used), every later mount shares it. */
static int devtmpfs_get_tree(struct fs_context *fc, struct super_block **out)
{
	char opts[] = "mode=0755";
	struct devtmpfs_instance *inst;
	char *data = fc->data;
	uint32_t flags = fc->sb_flags;
	struct super_block *sb;
	int err = 0;

	pthread_mutex_lock(&devtmpfs_lock);
	inst = devtmpfs_find(fc->vfs);
	if (inst) {
		*out = inst->sb;
		goto out_unlock;
	}
	err = -ENOMEM;
	inst = vl_zalloc(sizeof(*inst));
	if (!inst)
		goto out_unlock;
	fc->data = opts;
	fc->sb_flags = 0; /* the instance is shared: a read-only mount is a mount flag */
	err = tmpfs_fs_type.get_tree(fc, &sb);
	fc->data = data;
	fc->sb_flags = flags;
	if (err) {
		vl_free(inst);
		goto out_unlock;
	}
	sb->s_active = 1; /* the type's hold, dropped by devtmpfs_shutdown */
	inst->vfs = fc->vfs;
	inst->sb = sb;
	list_add_tail(&inst->link, &devtmpfs_instances);
	*out = sb;
out_unlock:
	pthread_mutex_unlock(&devtmpfs_lock);
	return err;
}

const struct fs_type devtmpfs_fs_type = {
	.name = "devtmpfs",
	.get_tree = devtmpfs_get_tree,
};

void devtmpfs_shutdown(struct vfs *vfs)
{
	struct devtmpfs_instance *inst;

	pthread_mutex_lock(&devtmpfs_lock);
	inst = devtmpfs_find(vfs);
	if (inst)
		list_del(&inst->link);
	pthread_mutex_unlock(&devtmpfs_lock);
	if (!inst)
		return;
	deactivate_super(inst->sb);
	vl_free(inst);
}

int devtmpfs_accessor_init(struct devtmpfs_accessor *a, struct vfs *vfs,
			   const struct cred *cred)
{
	struct fs_context fc = {
		.vfs = vfs,
		.type = &devtmpfs_fs_type,
		.source = "devtmpfs",
		.cred = cred,
	};
	struct super_block *sb;
	int err = devtmpfs_get_tree(&fc, &sb);

	if (err)
		return err;
	a->vfs = vfs;
	a->sb = sb;
	a->cred = cred;
	return 0;
}

void devtmpfs_accessor_release(struct devtmpfs_accessor *a)
{
	a->sb = NULL;
}

/* The child name (len bytes) of dir: a new reference, positive or negative. */
static struct dentry *devtmpfs_child(struct dentry *dir, const char *name, size_t len)
{
	if (!len || len > VFS_NAME_MAX)
		return ERR_PTR(-EINVAL);
	return lookup_one(dir, name, len);
}

/* Walk path's directories from the root, making missing ones 0755 (Linux's
 * devtmpfs path_create); *dir gets a reference on the last one, *last the final name. */
static int devtmpfs_walk_parents(struct devtmpfs_accessor *a, const char *path,
				 struct dentry **dir, const char **last)
{
	struct dentry *cur = d_get(a->sb->s_root);
	const char *p = path, *slash;

	while ((slash = strchr(p, '/'))) {
		struct dentry *d = devtmpfs_child(cur, p, (size_t)(slash - p));
		int err = 0;

		if (IS_ERR(d)) {
			d_put(cur);
			return (int)PTR_ERR(d);
		}
		if (!d->d_inode) {
			struct vfs_new_inode ni = { .mode = S_IFDIR | 0755,
						    .uid = a->cred->fsuid,
						    .gid = a->cred->fsgid };

			err = layer_mkdir(cur, d, &ni);
		} else if (!S_ISDIR(d->d_inode->i_mode)) {
			err = -ENOTDIR;
		}
		d_put(cur);
		if (err) {
			d_put(d);
			return err;
		}
		cur = d;
		p = slash + 1;
	}
	*dir = cur;
	*last = p;
	return 0;
}

/* Make path as ni says: a device, a directory, or a symlink to target. */
static int devtmpfs_make(struct devtmpfs_accessor *a, const char *path, struct vfs_new_inode *ni,
			 const char *target)
{
	struct dentry *dir = NULL, *d;
	const char *last = NULL;
	int err = devtmpfs_walk_parents(a, path, &dir, &last);

	if (err)
		return err;
	d = devtmpfs_child(dir, last, strlen(last));
	if (IS_ERR(d)) {
		d_put(dir);
		return (int)PTR_ERR(d);
	}
	ni->uid = a->cred->fsuid;
	ni->gid = a->cred->fsgid;
	if (d->d_inode)
		err = -EEXIST;
	else if (S_ISDIR(ni->mode))
		err = layer_mkdir(dir, d, ni);
	else if (S_ISLNK(ni->mode))
		err = layer_symlink(dir, d, target, ni);
	else
		err = layer_mknod(dir, d, ni);
	d_put(d);
	d_put(dir);
	return err;
}

int devtmpfs_create_device_file(struct devtmpfs_accessor *a, const char *path, uint32_t type,
				uint32_t major, uint32_t minor, uint32_t perms)
{
	struct vfs_new_inode ni = { .mode = type | (perms & 07777),
				    .rdev = VFS_MKDEV(major, minor) };

	if (type != S_IFCHR && type != S_IFBLK)
		return -EINVAL;
	return devtmpfs_make(a, path, &ni, NULL);
}

int devtmpfs_userspace_init(struct devtmpfs_accessor *a)
{
	static const struct {
		const char *name, *target;
	} links[] = {
		/* systemd: src/shared/dev-setup.c:dev_setup() */
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
		/* Documentation/filesystems/devpts.txt advises containers to link ptmx. */
		{ "ptmx", "pts/ptmx" },
	};
	static const char *const dirs[] = { "shm", "pts" }; /* systemd's mount_table */
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(links); i++) {
		struct vfs_new_inode ni = { .mode = S_IFLNK | 0777 };

		err = devtmpfs_make(a, links[i].name, &ni, links[i].target);
		if (err)
			return err;
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct vfs_new_inode ni = { .mode = S_IFDIR | 0755 };

		err = devtmpfs_make(a, dirs[i], &ni, NULL);
		if (err)
			return err;
	}
	return 0;
}
