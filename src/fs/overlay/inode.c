/*
 * inode.c - overlay inodes: allocation, attributes (a copy of the real inode's, kept
 * fresh), setattr with copy-up, permission, readlink, and the operations tables.
 *
 * st_dev / st_ino scheme. Every file reports the overlay's own anonymous device as
 * st_dev (Linux does so for directories always, and for all files with xino or when all
 * layers share one filesystem). st_ino is the real inode number of the file's origin
 * tagged with its layer in the high bits: (layer << 48) | ino, where layer is 1 + the
 * index of the topmost lower layer holding the file (its "origin") or 0 for a file that
 * only ever existed in the upper layer. A copy-up keeps the origin, so a file's st_ino
 * does not change when it is copied up, and two files from different layers never
 * collide (as Linux's xino, with the layer in the top bits). The copy-up records the
 * origin in the upper copy (trusted.overlay.origin, as Linux), and a lookup that finds an
 * upper entry with nothing below it (a non-directory, an opaque directory) takes the
 * origin from there: st_ino survives an unmount and a mount of the same layers. An
 * origin on a filesystem that is no longer a lower layer is ignored (the upper inode
 * number, untagged), as Linux ignores a handle it cannot decode.
 *
 * Link counts are the real inode's, except a merged directory (upper over lower, or
 * several lowers), which reports 1 as Linux does ("nlink=1 pacifies find").
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

#define OVL_INO_LAYER_SHIFT 48

static bool ovl_is_merged_dir(const struct ovl_inode *oi)
{
	if (!S_ISDIR(oi->vfs_inode.i_mode) || oi->opaque)
		return false;
	return oi->upper ? oi->nr_lower > 0 : oi->nr_lower > 1;
}

static uint64_t ovl_ino(const struct ovl_inode *oi)
{
	if (oi->origin_layer)
		return ((uint64_t)oi->origin_layer << OVL_INO_LAYER_SHIFT) | oi->origin_ino;
	return oi->upper->d_inode->i_ino;
}

void ovl_copyattr(struct inode *inode)
{
	struct ovl_inode *oi = OVL_I(inode);
	struct inode *real = ovl_real(inode)->d_inode;

	inode->i_mode = real->i_mode;
	inode->i_uid = real->i_uid;
	inode->i_gid = real->i_gid;
	inode->i_size = real->i_size;
	inode->i_rdev = real->i_rdev;
	inode->i_atime = real->i_atime;
	inode->i_mtime = real->i_mtime;
	inode->i_ctime = real->i_ctime;
	if (oi->dead)
		inode->i_nlink = 0;
	else if (ovl_is_merged_dir(oi))
		inode->i_nlink = 1;
	else
		inode->i_nlink = real->i_nlink;
}

/*
 * Hard links: one overlay inode per upper inode, as Linux's inode cache keyed by the
 * real upper inode (ovl_get_inode), so a change through one name is seen through every
 * other at once. Non-directories with an upper only: a file only in a lower layer is
 * one inode per name until copied up, as Linux without index=on. The table belongs to
 * the superblock; a failure to grow it only makes the chains longer.
 */
#define OVL_IHASH_MIN 64

int ovl_ihash_init(struct ovl_fs *ofs)
{
	ofs->ihash = vl_zalloc(OVL_IHASH_MIN * sizeof(*ofs->ihash));
	ofs->ihash_size = OVL_IHASH_MIN;
	return ofs->ihash ? 0 : -ENOMEM;
}

static size_t ovl_ihash_slot(size_t size, const struct inode *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key;

	h = (h ^ (h >> 29)) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 32) & (size - 1);
}

static struct ovl_inode *ovl_ihash_find(struct ovl_fs *ofs, const struct inode *key)
{
	struct ovl_inode *oi;

	for (oi = ofs->ihash[ovl_ihash_slot(ofs->ihash_size, key)]; oi; oi = oi->hnext)
		if (oi->upper->d_inode == key)
			return oi;
	return NULL;
}

static void ovl_ihash_grow(struct ovl_fs *ofs)
{
	size_t size = 2 * ofs->ihash_size, i;
	struct ovl_inode **t = vl_zalloc(size * sizeof(*t)), *oi, *next;

	if (!t)
		return;
	for (i = 0; i < ofs->ihash_size; i++) {
		for (oi = ofs->ihash[i]; oi; oi = next) {
			size_t slot = ovl_ihash_slot(size, oi->upper->d_inode);

			next = oi->hnext;
			oi->hnext = t[slot];
			t[slot] = oi;
		}
	}
	vl_free(ofs->ihash);
	ofs->ihash = t;
	ofs->ihash_size = size;
}

void ovl_ihash_add(struct ovl_inode *oi)
{
	struct ovl_fs *ofs = OVL_FS(oi->vfs_inode.i_sb);
	size_t slot;

	if (oi->hashed || !oi->upper || S_ISDIR(oi->upper->d_inode->i_mode))
		return;
	if (ofs->ihash_count >= ofs->ihash_size)
		ovl_ihash_grow(ofs);
	slot = ovl_ihash_slot(ofs->ihash_size, oi->upper->d_inode);
	oi->hnext = ofs->ihash[slot];
	ofs->ihash[slot] = oi;
	oi->hashed = true;
	ofs->ihash_count++;
}

static void ovl_ihash_del(struct ovl_inode *oi)
{
	struct ovl_fs *ofs = OVL_FS(oi->vfs_inode.i_sb);
	struct ovl_inode **pp;

	if (!oi->hashed)
		return;
	pp = &ofs->ihash[ovl_ihash_slot(ofs->ihash_size, oi->upper->d_inode)];
	while (*pp != oi)
		pp = &(*pp)->hnext;
	*pp = oi->hnext;
	oi->hashed = false;
	ofs->ihash_count--;
}

struct inode *ovl_new_inode(struct super_block *sb, struct dentry *upper, struct dentry **lower,
			    uint32_t *layers, uint32_t n, const struct ovl_origin *origin)
{
	struct ovl_inode *oi;
	struct inode *inode, *real;
	struct vfs_new_inode ni;
	uint32_t i;

	if (upper && !S_ISDIR(upper->d_inode->i_mode)) {
		oi = ovl_ihash_find(OVL_FS(sb), upper->d_inode);
		if (oi) {
			/* Another name of a file we know: the same inode. */
			inode = iget(&oi->vfs_inode);
			d_put(upper);
			for (i = 0; i < n; i++)
				d_put(lower[i]);
			ovl_copyattr(inode);
			return inode;
		}
	}
	oi = vl_zalloc(sizeof(*oi));
	if (!oi)
		goto out_put;
	if (n) {
		oi->lower = vl_malloc(n * sizeof(*oi->lower));
		oi->lower_layer = vl_malloc(n * sizeof(*oi->lower_layer));
		if (!oi->lower || !oi->lower_layer) {
			vl_free(oi->lower);
			vl_free(oi->lower_layer);
			vl_free(oi);
			goto out_put;
		}
		memcpy(oi->lower, lower, n * sizeof(*lower));
		memcpy(oi->lower_layer, layers, n * sizeof(*layers));
	}
	obj_inc(OBJ_INODE);
	oi->upper = upper;
	oi->nr_lower = n;
	if (n) {
		oi->origin_layer = layers[0];
		oi->origin_ino = lower[0]->d_inode->i_ino;
	} else if (origin) {
		oi->origin_layer = origin->layer;
		oi->origin_ino = origin->ino;
	}
	inode = &oi->vfs_inode;
	real = (upper ? upper : lower[0])->d_inode;
	ni = (struct vfs_new_inode){
		.mode = real->i_mode, .uid = real->i_uid, .gid = real->i_gid, .rdev = real->i_rdev
	};
	inode_init(inode, sb, &ni);
	inode->i_ino = ovl_ino(oi);
	if (upper && S_ISDIR(real->i_mode))
		oi->opaque = ovl_is_opaque(upper);
	switch (real->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &ovl_dir_iops;
		inode->i_fop = &ovl_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &ovl_file_iops;
		inode->i_fop = &ovl_file_fops;
		break;
	case S_IFLNK: inode->i_op = &ovl_symlink_iops; break;
	default: inode->i_op = &ovl_special_iops; break;
	}
	ovl_copyattr(inode);
	ovl_ihash_add(oi);
	return inode;

out_put:
	if (upper)
		d_put(upper);
	for (i = 0; i < n; i++)
		d_put(lower[i]);
	return NULL;
}

void ovl_destroy_inode(struct inode *inode)
{
	struct ovl_inode *oi = OVL_I(inode);
	uint32_t i;

	ovl_ihash_del(oi);
	if (oi->upper)
		d_put(oi->upper);
	for (i = 0; i < oi->nr_lower; i++)
		d_put(oi->lower[i]);
	vl_free(oi->lower);
	vl_free(oi->lower_layer);
	obj_dec(OBJ_INODE);
	vl_free(oi);
}

bool ovl_is_whiteout(const struct dentry *d)
{
	const struct inode *inode = d->d_inode;

	return inode && S_ISCHR(inode->i_mode) && inode->i_rdev == 0;
}

bool ovl_is_opaque(struct dentry *upper)
{
	char v[2];
	ssize_t n;

	if (!upper->d_inode || !S_ISDIR(upper->d_inode->i_mode))
		return false;
	n = layer_getxattr(upper, OVL_XATTR_OPAQUE, v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

int ovl_lower_positive(struct dentry *dir, const char *name, size_t len)
{
	struct ovl_inode *oi = OVL_I(dir->d_inode);
	uint32_t i;

	if (oi->opaque)
		return 0;
	for (i = 0; i < oi->nr_lower; i++) {
		struct dentry *d = lookup_one(oi->lower[i], name, len);
		int ret;

		if (IS_ERR(d))
			return (int)PTR_ERR(d);
		ret = d->d_inode ? (ovl_is_whiteout(d) ? 0 : 1) : -1;
		d_put(d);
		if (ret >= 0)
			return ret;
	}
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Attributes */

int ovl_setattr(struct dentry *dentry, const struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;
	int err;

	err = ovl_copy_up(dentry);
	if (err)
		return err;
	err = layer_setattr(OVL_I(inode)->upper, attr);
	ovl_copyattr(inode);
	return err;
}

int ovl_getattr(struct dentry *dentry, struct vfs_stat *st)
{
	struct inode *inode = dentry->d_inode;
	struct ovl_inode *oi = OVL_I(inode);
	int err;

	err = layer_getattr(ovl_real(inode), st);
	if (err)
		return err;
	ovl_copyattr(inode);
	st->dev = inode->i_sb->s_dev;
	st->ino = ovl_ino(oi);
	st->nlink = inode->i_nlink;
	return 0;
}

int ovl_permission(struct inode *inode, int mask, const struct cred *cred)
{
	ovl_copyattr(inode);
	return generic_permission(inode, mask, cred);
}

static ssize_t ovl_readlink(struct dentry *dentry, char *buf, size_t len)
{
	return layer_readlink(ovl_real(dentry->d_inode), buf, len);
}

/* ---------------------------------------------------------------------------------- */
/* Operations tables */

const struct inode_operations ovl_dir_iops = {
	.lookup = ovl_lookup,
	.mknod = ovl_mknod,
	.mkdir = ovl_mkdir,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.setattr = ovl_setattr,
	.getattr = ovl_getattr,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

const struct inode_operations ovl_file_iops = {
	.setattr = ovl_setattr,
	.getattr = ovl_getattr,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

const struct inode_operations ovl_symlink_iops = {
	.readlink = ovl_readlink,
	.setattr = ovl_setattr,
	.getattr = ovl_getattr,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

const struct inode_operations ovl_special_iops = {
	.setattr = ovl_setattr,
	.getattr = ovl_getattr,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};
