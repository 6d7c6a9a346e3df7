/*
 * file.c - open files through verity: reads of verified files check every block against
 * the verified root hash on its way up (merkle_verify_block over the stored tree), and
 * directory listings are checked against the verified descriptor.
 *
 * Each open file holds an open file of the lower layer and, when verified, of its Merkle
 * file. Only the verified size is served: bytes appended below are never read, and a
 * lower file shorter than it is a violation. Nothing is cached yet: every read is checked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

struct verity_file {
	struct file *real;   /* the lower file */
	struct file *merkle; /* its Merkle file (verified files only) */
};

/* Read exactly len bytes at off of a lower file; -EIO when it is shorter. */
static int verity_read_exact(struct file *f, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	if (!f->f_op->read)
		return -EINVAL;
	while (done < len) {
		n = f->f_op->read(f, (char *)buf + done, len - done, (int64_t)(off + done));
		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int verity_tree_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return verity_read_exact(ctx, buf, len, off);
}

static int verity_file_open(struct inode *inode, struct file *file)
{
	struct verity_inode *vi = VERITY_I(inode);
	struct verity_fs *fs = VERITY_FS(inode->i_sb);
	struct path p = { fs->lower.mnt, vi->lower };
	struct verity_file *vf;
	int err;

	vf = vl_zalloc(sizeof(*vf));
	if (!vf)
		return -ENOMEM;
	vf->real = layer_open(&p, O_RDONLY, fs->cred);
	if (IS_ERR(vf->real)) {
		err = (int)PTR_ERR(vf->real);
		goto out_vf;
	}
	if (vi->verified && vi->merkle) {
		p.dentry = vi->merkle;
		vf->merkle = layer_open(&p, O_RDONLY, fs->cred);
		if (IS_ERR(vf->merkle)) {
			err = (int)PTR_ERR(vf->merkle);
			goto out_real;
		}
	}
	file->private_data = vf;
	return 0;

out_real:
	file_put(vf->real);
out_vf:
	vl_free(vf);
	return err;
}

static void verity_file_release(struct inode *inode, struct file *file)
{
	struct verity_file *vf = file->private_data;

	(void)inode;
	if (vf->merkle)
		file_put(vf->merkle);
	file_put(vf->real);
	vl_free(vf);
}

static ssize_t verity_file_read(struct file *file, void *buf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	struct verity_inode *vi = VERITY_I(inode);
	struct verity_file *vf = file->private_data;
	uint64_t size = vi->meta.size, pos = (uint64_t)off, idx, boff;
	uint32_t bs = vi->params.block_size;
	size_t done = 0, blen, skip, n;
	uint8_t *block;
	int err = 0;

	if (!vi->verified)
		return vf->real->f_op->read ? vf->real->f_op->read(vf->real, buf, len, off)
					    : -EINVAL;
	if (off < 0)
		return -EINVAL;
	if (pos >= size || !len)
		return 0;
	if (len > size - pos)
		len = (size_t)(size - pos);
	block = vl_malloc(bs);
	if (!block)
		return -ENOMEM;
	while (done < len) {
		idx = (pos + done) / bs;
		boff = idx * bs;
		blen = (size_t)(size - boff < bs ? size - boff : bs);
		err = verity_read_exact(vf->real, block, blen, boff);
		if (err == -EIO) {
			err = verity_violation(inode->i_sb, "file shorter than verified",
					       file->f_path.dentry->d_name);
			break;
		}
		if (err)
			break;
		err = merkle_verify_block(&vi->params, size, vi->root, verity_tree_read, vf->merkle,
					  idx, block, blen);
		if (err == -EBADMSG || err == -EIO)
			err = verity_violation(inode->i_sb, "data block does not verify",
					       file->f_path.dentry->d_name);
		if (err)
			break;
		skip = (size_t)(pos + done - boff);
		n = blen - skip < len - done ? blen - skip : len - done;
		memcpy((char *)buf + done, block + skip, n);
		done += n;
	}
	vl_free(block);
	/* A block that fails after good ones: return the good ones; the next read fails. */
	return done ? (ssize_t)done : err;
}

const struct file_operations verity_file_fops = {
	.open = verity_file_open,
	.release = verity_file_release,
	.read = verity_file_read,
	.ioctl = verity_ioctl,
};

/* ---------------------------------------------------------------------------------- */
/* Directories */

struct verity_dir {
	struct verity_name *names; /* the listing, read on the first iterate from 0 */
	size_t n;
	bool loaded;
};

static int verity_dir_open(struct inode *inode, struct file *file)
{
	(void)inode;
	file->private_data = vl_zalloc(sizeof(struct verity_dir));
	return file->private_data ? 0 : -ENOMEM;
}

static void verity_dir_drop(struct verity_dir *vd)
{
	verity_names_free(vd->names, vd->n);
	vd->names = NULL;
	vd->n = 0;
	vd->loaded = false;
}

static void verity_dir_release(struct inode *inode, struct file *file)
{
	(void)inode;
	verity_dir_drop(file->private_data);
	vl_free(file->private_data);
}

static void verity_dir_seeked(struct file *file)
{
	if (file->f_pos == 0)
		verity_dir_drop(file->private_data);
}

/* The lower listing against the verified descriptor: the same names, no more, no less. */
static int verity_dir_check(struct super_block *sb, struct verity_inode *vi,
			    const struct verity_dir *vd, const char *name)
{
	size_t i;

	if (vd->n != vi->desc->nr)
		return verity_violation(sb, "directory listing changed", name);
	for (i = 0; i < vd->n; i++)
		if (vd->names[i].len != vi->desc->ents[i].namelen ||
		    memcmp(vd->names[i].name, vi->desc->ents[i].name, vd->names[i].len))
			return verity_violation(sb, "directory listing changed", name);
	return 0;
}

static int verity_iterate(struct file *file, struct dir_context *ctx)
{
	struct dentry *dir = file->f_path.dentry;
	struct verity_inode *vi = VERITY_I(dir->d_inode);
	struct verity_dir *vd = file->private_data;
	size_t i;
	int err;

	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, dir->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!dir_emit(ctx, "..", 2, dir->d_parent->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	if (!vd->loaded) {
		err = verity_lower_list(VERITY_FS(dir->d_sb), vi->lower, &vd->names, &vd->n);
		if (err)
			return err;
		vd->loaded = true;
		if (vi->verified) {
			err = verity_dir_check(dir->d_sb, vi, vd, dir->d_name);
			if (err) {
				verity_dir_drop(vd);
				return err;
			}
		}
	}
	for (i = (size_t)ctx->pos - 2; i < vd->n; i++) {
		if (!dir_emit(ctx, vd->names[i].name, vd->names[i].len, vd->names[i].ino,
			      vd->names[i].dtype))
			return 0;
		ctx->pos++;
	}
	return 0;
}

const struct file_operations verity_dir_fops = {
	.open = verity_dir_open,
	.release = verity_dir_release,
	.iterate = verity_iterate,
	.seeked = verity_dir_seeked,
	.ioctl = verity_ioctl,
};
