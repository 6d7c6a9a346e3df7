/*
 * file.c - regular files through the overlay: each open overlay file holds an open file
 * of the real layer (Linux's realfile). Opening for writing copies the file up first.
 * A file opened while only in a lower layer keeps working after a copy-up done through
 * another descriptor: the next I/O reopens it on the upper copy (Linux's
 * ovl_real_fdget), so reads see the new data.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/alloc.h"
#include "internal.h"

struct ovl_file {
	struct file *real;
	bool is_upper;
};

static struct file *ovl_open_real(struct file *file, struct inode *inode, bool *is_upper)
{
	struct ovl_inode *oi = OVL_I(inode);
	struct ovl_fs *ofs = OVL_FS(inode->i_sb);
	struct path p;

	if (oi->upper) {
		p = (struct path){ ofs->upper.mnt, oi->upper };
		*is_upper = true;
	} else {
		p = (struct path){ ofs->lower[oi->lower_layer[0] - 1].mnt, oi->lower[0] };
		*is_upper = false;
	}
	return layer_open(&p, (int)file->f_flags & (O_ACCMODE | O_APPEND), file->f_cred);
}

static int ovl_file_open(struct inode *inode, struct file *file)
{
	struct ovl_file *of;
	int err;

	if (file->f_mode & FMODE_WRITE) {
		err = ovl_copy_up(file->f_path.dentry);
		if (err)
			return err;
	}
	of = vl_zalloc(sizeof(*of));
	if (!of)
		return -ENOMEM;
	of->real = ovl_open_real(file, inode, &of->is_upper);
	if (IS_ERR(of->real)) {
		err = (int)PTR_ERR(of->real);
		vl_free(of);
		return err;
	}
	file->private_data = of;
	return 0;
}

static void ovl_file_release(struct inode *inode, struct file *file)
{
	struct ovl_file *of = file->private_data;

	(void)inode;
	file_put(of->real);
	vl_free(of);
}

/* The real file to do I/O on: reopened on the upper layer after a copy-up. */
static struct file *ovl_real_file(struct file *file, int *errp)
{
	struct ovl_file *of = file->private_data;
	struct file *real;
	bool is_upper;

	if (of->is_upper || !OVL_I(file->f_inode)->upper)
		return of->real;
	real = ovl_open_real(file, file->f_inode, &is_upper);
	if (IS_ERR(real)) {
		*errp = (int)PTR_ERR(real);
		return NULL;
	}
	file_put(of->real);
	of->real = real;
	of->is_upper = is_upper;
	return real;
}

static ssize_t ovl_file_read(struct file *file, void *buf, size_t len, int64_t off)
{
	int err = 0;
	struct file *real = ovl_real_file(file, &err);

	if (!real)
		return err;
	if (!real->f_op->read)
		return -EINVAL;
	return real->f_op->read(real, buf, len, off);
}

static ssize_t ovl_file_write(struct file *file, const void *buf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	int err = 0;
	struct file *real = ovl_real_file(file, &err);
	struct inode *ri;
	ssize_t n;

	if (!real)
		return err;
	if (!real->f_op->write)
		return -EINVAL;
	n = real->f_op->write(real, buf, len, off);
	/* The VFS stamped the overlay inode's times before writing: the real one's too. */
	ri = real->f_inode;
	ri->i_mtime = inode->i_mtime;
	ri->i_ctime = inode->i_ctime;
	ovl_copyattr(inode);
	return n;
}

static int64_t ovl_file_seek_data(struct file *file, int64_t off, int whence)
{
	int err = 0;
	struct file *real = ovl_real_file(file, &err);

	if (!real)
		return err;
	if (!real->f_op->seek_data)
		return whence == SEEK_HOLE ? file->f_inode->i_size : off;
	return real->f_op->seek_data(real, off, whence);
}

const struct file_operations ovl_file_fops = {
	.open = ovl_file_open,
	.release = ovl_file_release,
	.read = ovl_file_read,
	.write = ovl_file_write,
	.seek_data = ovl_file_seek_data,
};
