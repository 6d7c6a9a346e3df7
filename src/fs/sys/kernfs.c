/*
 * kernfs.c - the shared machinery of the kernel-built pseudo filesystems (see kernfs.h):
 * inodes, tree building, and the snapshot-on-open file operations.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "kernfs.h"

/* What an open kernfs file reads: the contents made at open time. */
struct kernfs_snapshot {
	char *buf;
	size_t len;
};

struct inode *kernfs_new_inode(struct super_block *sb, uint32_t mode, uint32_t rdev)
{
	struct kernfs_node *kn = vl_zalloc(sizeof(*kn));
	struct vfs_new_inode ni = { .mode = mode, .rdev = rdev };

	if (!kn)
		return NULL;
	inode_init(&kn->vfs_inode, sb, &ni);
	obj_inc(OBJ_INODE);
	return &kn->vfs_inode;
}

void kernfs_destroy_inode(struct inode *inode)
{
	struct kernfs_node *kn = KERNFS_N(inode);

	if (kn->release)
		kn->release(kn);
	vl_free(kn->target);
	obj_dec(OBJ_INODE);
	vl_free(kn);
}

struct dentry *kernfs_add(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *d = d_alloc(parent, name, strlen(name));

	if (IS_ERR(d)) {
		iput(inode);
		return d;
	}
	d_instantiate(d, inode);
	if (S_ISDIR(inode->i_mode))
		parent->d_inode->i_nlink++;
	d_put(d); /* hashed and positive: the cache keeps it */
	return d;
}

void kernfs_remove(struct dentry *d)
{
	struct dentry *parent = d->d_parent;

	/* Children first: each holds a reference on d. */
	while (d->d_dir && !list_empty(&d->d_dir->children)) {
		struct dentry *c = list_entry(d->d_dir->children.next, struct dentry, d_child);

		kernfs_remove(c);
	}
	if (d->d_inode && S_ISDIR(d->d_inode->i_mode) && parent->d_inode->i_nlink > 2)
		parent->d_inode->i_nlink--;
	d_get(d);
	d_delete(d);
	d_put(d);
}

struct inode *kernfs_root_inode(struct super_block *sb, uint32_t mode,
				const struct inode_operations *iops)
{
	struct inode *inode = kernfs_new_inode(sb, S_IFDIR | mode, 0);

	if (!inode)
		return NULL;
	inode->i_op = iops ? iops : &kernfs_dir_iops;
	inode->i_fop = &kernfs_dir_fops;
	inode->i_nlink = 2;
	return inode;
}

struct dentry *kernfs_mkdir(struct dentry *parent, const char *name, uint32_t mode,
			    const struct inode_operations *iops)
{
	struct inode *inode = kernfs_root_inode(parent->d_sb, mode, iops);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	return kernfs_add(parent, name, inode);
}

static const struct inode_operations kernfs_file_iops;
static const struct file_operations kernfs_file_fops;

struct kernfs_node *kernfs_file(struct dentry *parent, const char *name, uint32_t mode,
				const struct kernfs_file_ops *ops, void *priv)
{
	struct inode *inode = kernfs_new_inode(parent->d_sb, S_IFREG | mode, 0);
	struct kernfs_node *kn;
	struct dentry *d;

	if (!inode)
		return ERR_PTR(-ENOMEM);
	kn = KERNFS_N(inode);
	kn->ops = ops;
	kn->priv = priv;
	inode->i_op = &kernfs_file_iops;
	inode->i_fop = &kernfs_file_fops;
	d = kernfs_add(parent, name, inode);
	if (IS_ERR(d))
		return ERR_PTR(PTR_ERR(d));
	return kn;
}

int kernfs_static(struct dentry *parent, const char *name, uint32_t mode, const char *text)
{
	struct kernfs_node *kn = kernfs_file(parent, name, mode, NULL, NULL);

	if (IS_ERR(kn))
		return (int)PTR_ERR(kn);
	kn->text = text;
	return 0;
}

static ssize_t kernfs_readlink(struct dentry *dentry, char *buf, size_t len)
{
	struct kernfs_node *kn = KERNFS_N(dentry->d_inode);
	size_t n = strlen(kn->target);

	memcpy(buf, kn->target, n < len ? n : len);
	return (ssize_t)n;
}

static const struct inode_operations kernfs_symlink_iops = {
	.readlink = kernfs_readlink,
};

int kernfs_symlink(struct dentry *parent, const char *name, const char *target)
{
	struct inode *inode = kernfs_new_inode(parent->d_sb, S_IFLNK | 0777, 0);
	struct dentry *d;

	if (!inode)
		return -ENOMEM;
	KERNFS_N(inode)->target = vl_strdup(target);
	if (!KERNFS_N(inode)->target) {
		iput(inode);
		return -ENOMEM;
	}
	inode->i_op = &kernfs_symlink_iops;
	inode->i_size = (int64_t)strlen(target);
	d = kernfs_add(parent, name, inode);
	return IS_ERR(d) ? (int)PTR_ERR(d) : 0;
}

/* ---------------------------------------------------------------------------------- */
/* Directories */

int kernfs_dir_setattr(struct dentry *dentry, const struct iattr *attr)
{
	(void)dentry, (void)attr;
	return -EPERM;
}

const struct inode_operations kernfs_dir_iops = {
	.setattr = kernfs_dir_setattr,
};

const struct file_operations kernfs_dir_fops = {
	.iterate = dcache_readdir,
};

/* ---------------------------------------------------------------------------------- */
/* Files */

/* Truncation (O_TRUNC before a write, as `echo N > file` does) is accepted and has no
 * effect, as in Linux's kernfs; other changes are applied. */
static int kernfs_file_setattr(struct dentry *dentry, const struct iattr *attr)
{
	struct iattr a = *attr;

	a.valid &= ~(unsigned)ATTR_SIZE;
	setattr_copy(dentry->d_inode, &a);
	return 0;
}

static const struct inode_operations kernfs_file_iops = {
	.setattr = kernfs_file_setattr,
};

static int kernfs_show(struct kernfs_node *kn, struct strbuf *out)
{
	if (kn->ops && kn->ops->show)
		return kn->ops->show(kn, out);
	if (kn->text)
		sb_adds(out, kn->text);
	return 0;
}

static int kernfs_open(struct inode *inode, struct file *file)
{
	struct kernfs_node *kn = KERNFS_N(inode);
	struct strbuf out = STRBUF_INIT;
	struct kernfs_snapshot *snap;
	int err;

	if ((file->f_mode & FMODE_WRITE) && !(kn->ops && kn->ops->store))
		return -EACCES;
	if (!(file->f_mode & FMODE_READ))
		return 0;
	err = kernfs_show(kn, &out);
	if (!err)
		err = sb_error(&out);
	if (err)
		goto out_free;
	err = -ENOMEM;
	snap = vl_zalloc(sizeof(*snap));
	if (!snap)
		goto out_free;
	snap->buf = sb_detach(&out, &snap->len);
	file->private_data = snap;
	return 0;
out_free:
	sb_free(&out);
	return err;
}

static void kernfs_release(struct inode *inode, struct file *file)
{
	struct kernfs_snapshot *snap = file->private_data;

	(void)inode;
	if (snap) {
		vl_free(snap->buf);
		vl_free(snap);
	}
}

static ssize_t kernfs_read(struct file *file, void *buf, size_t len, int64_t off)
{
	struct kernfs_snapshot *snap = file->private_data;

	if (!snap || off < 0 || (uint64_t)off >= snap->len)
		return 0;
	if (len > snap->len - (size_t)off)
		len = snap->len - (size_t)off;
	memcpy(buf, snap->buf + off, len);
	return (ssize_t)len;
}

static ssize_t kernfs_write(struct file *file, const void *buf, size_t len, int64_t off)
{
	struct kernfs_node *kn = KERNFS_N(file->f_inode);
	ssize_t ret;
	char *copy;

	(void)off;
	/* Linux's kernfs takes at most a page per write. */
	if (len > 4096)
		len = 4096;
	copy = vl_strndup(buf, len);
	if (!copy)
		return -ENOMEM;
	ret = kn->ops->store(kn, copy, len);
	vl_free(copy);
	return ret;
}

static const struct file_operations kernfs_file_fops = {
	.open = kernfs_open,
	.release = kernfs_release,
	.read = kernfs_read,
	.write = kernfs_write,
};
