/*
 * layer.c - locked helpers for stacking filesystems (see layer.h). The bookkeeping
 * mirrors nameops.c's (vfs_rename_locked: names duplicated before the filesystem
 * renames so the dcache move cannot fail) and open.c's vfs_open_path, minus the checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"
#include "layer.h"

struct file *layer_open(const struct path *p, int flags, const struct cred *cred)
{
	struct inode *inode = p->dentry->d_inode;
	struct file *f;
	int err;

	if (!S_ISREG(inode->i_mode) && !S_ISDIR(inode->i_mode))
		return ERR_PTR(-EINVAL);
	f = vl_zalloc(sizeof(*f));
	if (!f)
		return ERR_PTR(-ENOMEM);
	obj_inc(OBJ_FILE);
	f->f_path = *p;
	path_get(&f->f_path);
	f->f_inode = inode;
	f->f_count = 1;
	f->f_cred = cred_get(cred);
	f->f_flags = (uint32_t)flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	switch (flags & O_ACCMODE) {
	case O_WRONLY: f->f_mode = FMODE_WRITE; break;
	case O_RDWR: f->f_mode = FMODE_READ | FMODE_WRITE; break;
	default: f->f_mode = FMODE_READ; break;
	}
	f->f_op = inode->i_fop;
	if (!f->f_op) {
		err = -EINVAL;
		goto out_free;
	}
	if (f->f_mode & FMODE_WRITE)
		inode->i_writers++;
	if (f->f_op->open) {
		err = f->f_op->open(inode, f);
		if (err) {
			if (f->f_mode & FMODE_WRITE)
				inode->i_writers--;
			goto out_free;
		}
	}
	return f;

out_free:
	/* Not through file_put: a failed open has no release. */
	cred_put(f->f_cred);
	path_put(&f->f_path);
	obj_dec(OBJ_FILE);
	vl_free(f);
	return ERR_PTR(err);
}

ssize_t layer_copy_file_range(struct file *in, int64_t in_off, struct file *out, int64_t out_off,
			      size_t len)
{
	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!out->f_op->copy_file_range)
		return -EOPNOTSUPP;
	return out->f_op->copy_file_range(in, in_off, out, out_off, len);
}

int layer_mknod(struct dentry *dir, struct dentry *d, const struct vfs_new_inode *ni)
{
	struct inode *di = dir->d_inode;

	if (!di->i_op->mknod)
		return -EPERM;
	return di->i_op->mknod(di, d, ni);
}

int layer_mkdir(struct dentry *dir, struct dentry *d, const struct vfs_new_inode *ni)
{
	struct inode *di = dir->d_inode;

	if (!di->i_op->mkdir)
		return -EPERM;
	return di->i_op->mkdir(di, d, ni);
}

int layer_symlink(struct dentry *dir, struct dentry *d, const char *target,
		  const struct vfs_new_inode *ni)
{
	struct inode *di = dir->d_inode;

	if (!di->i_op->symlink)
		return -EPERM;
	return di->i_op->symlink(di, d, target, ni);
}

int layer_link(struct dentry *old, struct dentry *dir, struct dentry *d)
{
	struct inode *di = dir->d_inode;

	if (!di->i_op->link)
		return -EPERM;
	return di->i_op->link(old, di, d);
}

int layer_unlink(struct dentry *dir, struct dentry *d)
{
	struct inode *di = dir->d_inode;
	int err;

	if (!di->i_op->unlink)
		return -EPERM;
	err = di->i_op->unlink(di, d);
	if (!err)
		d_delete(d);
	return err;
}

int layer_rmdir(struct dentry *dir, struct dentry *d)
{
	struct inode *di = dir->d_inode;
	int err;

	if (!di->i_op->rmdir)
		return -EPERM;
	/* A dcache-only filesystem relies on the caller for emptiness (as do_rmdir). */
	if (!di->i_op->lookup && d->d_dir && d->d_dir->positive)
		return -ENOTEMPTY;
	err = di->i_op->rmdir(di, d);
	if (!err)
		d_delete(d);
	return err;
}

int layer_rename(struct dentry *odir, struct dentry *od, struct dentry *ndir, struct dentry *nd,
		 unsigned flags)
{
	struct inode *odi = odir->d_inode;
	char *name_a, *name_b = NULL;
	int err;

	if (!odi->i_op->rename)
		return -EPERM;
	name_a = d_name_dup(nd);
	if (!name_a)
		return -ENOMEM;
	if (flags & RENAME_EXCHANGE) {
		name_b = d_name_dup(od);
		if (!name_b) {
			vl_free(name_a);
			return -ENOMEM;
		}
	}
	err = odi->i_op->rename(odi, od, ndir->d_inode, nd, flags);
	if (err) {
		vl_free(name_a);
		vl_free(name_b);
		return err;
	}
	if (flags & RENAME_EXCHANGE)
		d_exchange(od, nd, name_a, name_b);
	else
		d_move(od, nd, name_a);
	return 0;
}

int layer_setattr(struct dentry *d, const struct iattr *attr)
{
	struct inode *inode = d->d_inode;

	if (inode->i_op && inode->i_op->setattr)
		return inode->i_op->setattr(d, attr);
	if ((attr->valid & ATTR_SIZE) && attr->size != inode->i_size)
		return -EPERM;
	setattr_copy(inode, attr);
	return 0;
}

int layer_getattr(struct dentry *d, struct vfs_stat *st)
{
	struct inode *inode = d->d_inode;
	int err;

	if (inode->i_op && inode->i_op->getattr) {
		memset(st, 0, sizeof(*st));
		err = inode->i_op->getattr(d, st);
		if (err)
			return err;
		if (!st->dev)
			st->dev = d->d_sb->s_dev;
		return 0;
	}
	generic_fillattr(inode, st);
	return 0;
}

ssize_t layer_readlink(struct dentry *d, char *buf, size_t len)
{
	struct inode *inode = d->d_inode;

	if (!inode->i_op || !inode->i_op->readlink)
		return -EINVAL;
	return inode->i_op->readlink(d, buf, len);
}

ssize_t layer_getxattr(struct dentry *d, const char *name, void *value, size_t size)
{
	struct inode *inode = d->d_inode;

	if (!inode->i_op || !inode->i_op->getxattr)
		return -EOPNOTSUPP;
	return inode->i_op->getxattr(d, name, value, size);
}

int layer_setxattr(struct dentry *d, const char *name, const void *value, size_t size, int flags)
{
	struct inode *inode = d->d_inode;

	if (!inode->i_op || !inode->i_op->setxattr)
		return -EOPNOTSUPP;
	return inode->i_op->setxattr(d, name, value, size, flags);
}

ssize_t layer_listxattr(struct dentry *d, char *list, size_t size)
{
	struct inode *inode = d->d_inode;

	if (!inode->i_op || !inode->i_op->listxattr)
		return 0;
	return inode->i_op->listxattr(d, list, size);
}

int layer_removexattr(struct dentry *d, const char *name)
{
	struct inode *inode = d->d_inode;

	if (!inode->i_op || !inode->i_op->removexattr)
		return -EOPNOTSUPP;
	return inode->i_op->removexattr(d, name);
}
