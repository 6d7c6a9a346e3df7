/*
 * copy_up.c - copying a file from a lower layer to the upper one (Linux's
 * fs/overlayfs/copy_up.c): data, mode, owner, atime/mtime, symlink target, device
 * number and every xattr but trusted.overlay.*, ancestors first; then the origin
 * (trusted.overlay.origin, xattr.c), so the copy keeps its st_ino across remounts.
 *
 * Data: page to page when the layers offer it (layer_copy_file_range: tmpfs over tmpfs,
 * one pass over the bytes, the lower file's holes kept exactly), else through a buffer
 * with all-zero chunks left as holes. The size is set last (a trailing hole).
 *
 * Atomicity: with a work directory the copy is built under a temporary name there and
 * renamed into place last, so a failure at any step leaves the upper layer as it was
 * (the temporary is removed; the work directory is on the upper mount, as Linux
 * requires). Without one (the in-process mount, as gVisor) the copy is built in place
 * and removed on failure: the same end state, never visible to a concurrent caller since
 * everything runs under the VFS lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

/* The buffered path's chunk: large enough that per-call costs vanish, small enough to
 * stay in the cache. */
#define OVL_COPY_CHUNK (256u * 1024)

struct dentry *ovl_temp_in(struct ovl_fs *ofs, struct dentry *dir)
{
	struct dentry *d;
	char name[32];
	int tries;

	/* Only the overlay writes in work; elsewhere a user's name may be taken. */
	for (tries = 0; tries < 16; tries++) {
		snprintf(name, sizeof(name), "#ovl%llx", (unsigned long long)++ofs->tmp_seq);
		d = lookup_one(dir, name, strlen(name));
		if (IS_ERR(d) || !d->d_inode)
			return d;
		d_put(d);
	}
	return ERR_PTR(-EEXIST);
}

struct dentry *ovl_work_temp(struct ovl_fs *ofs)
{
	return ovl_temp_in(ofs, ofs->work.dentry);
}

int ovl_make_whiteout(struct ovl_fs *ofs, struct dentry *dir, struct dentry *d)
{
	struct vfs_new_inode ni = {
		.mode = S_IFCHR, .uid = ofs->cred->fsuid, .gid = ofs->cred->fsgid, .rdev = 0
	};

	return layer_mknod(dir, d, &ni);
}

static bool ovl_all_zero(const char *buf, size_t n)
{
	/* buf[0] == 0 and each byte equals the next: memcmp's vector loop, not a byte loop. */
	return n == 0 || (buf[0] == 0 && !memcmp(buf, buf + 1, n - 1));
}

/* Copy through a buffer (a lower layer with no page-to-page path to the upper one, a 9P
 * gofer say) from off on; holes stay holes: an all-zero chunk is skipped. */
static int ovl_copy_data_buffered(struct file *in, struct file *out, int64_t off, int64_t size)
{
	char *buf = vl_malloc(OVL_COPY_CHUNK);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (off < size) {
		ssize_t n = in->f_op->read(in, buf, OVL_COPY_CHUNK, off), w;

		if (n < 0) {
			err = (int)n;
			break;
		}
		if (n == 0)
			break;
		if (!ovl_all_zero(buf, (size_t)n)) {
			w = out->f_op->write(out, buf, (size_t)n, off);
			if (w < 0) {
				err = (int)w;
				break;
			}
			if (w != n) {
				err = -EIO;
				break;
			}
		}
		off += n;
	}
	vl_free(buf);
	return err;
}

int ovl_copy_data(struct ovl_fs *ofs, const struct path *lower, const struct path *upper)
{
	int64_t size = lower->dentry->d_inode->i_size, off = 0;
	struct iattr ia = { .valid = ATTR_SIZE, .size = size };
	struct file *in, *out;
	int err = 0;

	if (size == 0)
		return 0;
	in = layer_open(lower, O_RDONLY, ofs->cred);
	if (IS_ERR(in))
		return (int)PTR_ERR(in);
	out = layer_open(upper, O_WRONLY, ofs->cred);
	if (IS_ERR(out)) {
		err = (int)PTR_ERR(out);
		goto out_in;
	}
	/* Page to page where the layers allow it (tmpfs over tmpfs): one pass over the
	 * bytes, no buffer, the source's holes kept exactly (Linux's ovl_copy_up_data
	 * tries copy_file_range first too). */
	while (off < size) {
		ssize_t n = layer_copy_file_range(in, off, out, off, (size_t)(size - off));

		if (n == -EOPNOTSUPP && off == 0) {
			err = ovl_copy_data_buffered(in, out, off, size);
			break;
		}
		if (n < 0) {
			err = (int)n;
			break;
		}
		if (n == 0)
			break;
		off += n;
	}
	/* The size last: a hole at the end was not written. */
	if (!err)
		err = layer_setattr(upper->dentry, &ia);
	file_put(out);
out_in:
	file_put(in);
	return err;
}

/* Make the object at the negative dentry tmp in dir, a copy of lower's inode. */
static int ovl_create_copy(struct ovl_fs *ofs, struct dentry *dir, struct dentry *tmp,
			   const struct path *lower)
{
	struct inode *li = lower->dentry->d_inode;
	struct vfs_new_inode ni = {
		.mode = li->i_mode, .uid = li->i_uid, .gid = li->i_gid, .rdev = li->i_rdev
	};
	char *target;
	ssize_t n;
	int err;

	switch (li->i_mode & S_IFMT) {
	case S_IFDIR: return layer_mkdir(dir, tmp, &ni);
	case S_IFLNK:
		target = vl_malloc(VFS_PATH_MAX);
		if (!target)
			return -ENOMEM;
		n = layer_readlink(lower->dentry, target, VFS_PATH_MAX - 1);
		if (n < 0 || n >= VFS_PATH_MAX) {
			vl_free(target);
			return n < 0 ? (int)n : -ENAMETOOLONG;
		}
		target[n] = '\0';
		err = layer_symlink(dir, tmp, target, &ni);
		vl_free(target);
		return err;
	default: (void)ofs; return layer_mknod(dir, tmp, &ni);
	}
}

/* Copy up one dentry whose parent is in the upper layer already. */
static int ovl_copy_up_one(struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;
	struct ovl_inode *oi = OVL_I(inode);
	struct ovl_fs *ofs = OVL_FS(inode->i_sb);
	struct dentry *updir = OVL_I(dentry->d_parent->d_inode)->upper;
	struct path lower = { ofs->lower[oi->lower_layer[0] - 1].mnt, oi->lower[0] };
	struct inode *li = lower.dentry->d_inode;
	bool in_place = !ofs->work.dentry;
	struct dentry *dir = in_place ? updir : ofs->work.dentry;
	struct dentry *target, *tmp;
	struct iattr ia = {
		.valid = ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
		.uid = li->i_uid,
		.gid = li->i_gid,
		.atime_ns = li->i_atime,
		.mtime_ns = li->i_mtime,
	};
	int err;

	target = lookup_one(updir, dentry->d_name, dentry->d_namelen);
	if (IS_ERR(target))
		return (int)PTR_ERR(target);
	if (target->d_inode) {
		err = -EIO; /* the layers changed under the overlay */
		goto out_target;
	}
	tmp = in_place ? d_get(target) : ovl_work_temp(ofs);
	if (IS_ERR(tmp)) {
		err = (int)PTR_ERR(tmp);
		goto out_target;
	}
	err = ovl_create_copy(ofs, dir, tmp, &lower);
	if (err)
		goto out_tmp;
	err = ovl_copy_xattrs(lower.dentry, tmp);
	if (!err)
		err = ovl_set_origin(tmp, lower.dentry, oi->lower_layer[0]);
	if (err)
		goto out_cleanup;
	if (S_ISREG(li->i_mode)) {
		struct path up = { ofs->upper.mnt, tmp };

		err = ovl_copy_data(ofs, &lower, &up);
		if (err)
			goto out_cleanup;
	}
	if (!S_ISLNK(li->i_mode)) {
		ia.valid |= ATTR_MODE;
		ia.mode = li->i_mode;
	}
	err = layer_setattr(tmp, &ia);
	if (err)
		goto out_cleanup;
	if (!in_place) {
		err = layer_rename(dir, tmp, updir, target, 0);
		if (err)
			goto out_cleanup;
	}
	oi->upper = tmp; /* the reference moves; after the rename tmp has target's name */
	ovl_ihash_add(oi);
	if (S_ISDIR(li->i_mode))
		OVL_I(dentry->d_parent->d_inode)->version++;
	d_put(target);
	ovl_copyattr(inode);
	return 0;

out_cleanup:
	if (S_ISDIR(li->i_mode))
		layer_rmdir(dir, tmp);
	else
		layer_unlink(dir, tmp);
out_tmp:
	d_put(tmp);
out_target:
	d_put(target);
	return err;
}

int ovl_copy_up(struct dentry *dentry)
{
	struct ovl_fs *ofs = OVL_FS(dentry->d_sb);
	int err;

	if (OVL_I(dentry->d_inode)->upper)
		return 0;
	if (!ofs->upper.mnt)
		return -EROFS;
	/* The root always has an upper when the overlay has one: the recursion ends. */
	err = ovl_copy_up(dentry->d_parent);
	if (err)
		return err;
	return ovl_copy_up_one(dentry);
}
