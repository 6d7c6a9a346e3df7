/*
 * file.c - open gofer files: each open file description clones its inode's fid and opens
 * the clone (Tlopen), reads and writes through it using the negotiated msize fully (with
 * a few messages in flight for large transfers), lists directories with Treaddir, and
 * clunks it on release without waiting.
 *
 * The VFS owns the file offset and O_APPEND (it passes the offset to write at), so the
 * server is never asked to append; O_TRUNC has been done through setattr before open.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "fs/gofer/internal.h"

/* The open fid lives in private_data, plus one so that fid 0 is not NULL. */
static uint32_t file_fid(const struct file *file)
{
	return (uint32_t)((uintptr_t)file->private_data - 1);
}

static int gofer_open(struct inode *inode, struct file *file)
{
	struct p9_client *c = gofer_client(inode);
	uint32_t acc = file->f_flags & O_ACCMODE, flags, fid;
	int err;

	/* Mode 3 ("ioctl only") does no I/O: nothing to open on the server. */
	if (acc == 3 && !S_ISDIR(inode->i_mode)) {
		file->private_data = NULL;
		return 0;
	}
	flags = S_ISDIR(inode->i_mode) ? P9_DOTL_RDONLY | P9_DOTL_DIRECTORY : acc;
	if (file->f_flags & O_SYNC)
		flags |= P9_DOTL_SYNC;
	else if (file->f_flags & O_DSYNC)
		flags |= P9_DOTL_DSYNC;
	err = p9_client_walk(c, GOFER_I(inode)->fid, 0, NULL, &fid, NULL);
	if (err)
		return err;
	err = p9_client_lopen(c, fid, flags, NULL);
	if (err) {
		p9_client_clunk_async(c, fid);
		return err;
	}
	file->private_data = (void *)((uintptr_t)fid + 1);
	return 0;
}

static void gofer_release(struct inode *inode, struct file *file)
{
	if (file->private_data)
		p9_client_clunk_async(gofer_client(inode), file_fid(file));
	file->private_data = NULL;
}

static ssize_t gofer_read(struct file *file, void *buf, size_t len, int64_t off)
{
	if (!file->private_data)
		return -EBADF;
	return p9_client_pread_all(gofer_client(file->f_inode), file_fid(file), (uint64_t)off, buf,
				   len);
}

static ssize_t gofer_write(struct file *file, const void *buf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	ssize_t n;

	if (!file->private_data)
		return -EBADF;
	n = p9_client_pwrite_all(gofer_client(inode), file_fid(file), (uint64_t)off, buf, len);
	if (n > 0) {
		if (off + n > inode->i_size)
			inode->i_size = off + n;
		GOFER_I(inode)->stale = true; /* blocks and times are the server's */
	}
	return n;
}

static int gofer_fsync(struct file *file)
{
	if (!file->private_data)
		return 0;
	return p9_client_fsync(gofer_client(file->f_inode), file_fid(file), false);
}

static ssize_t gofer_dir_read(struct file *file, void *buf, size_t len, int64_t off)
{
	(void)file, (void)buf, (void)len, (void)off;
	return -EISDIR;
}

/*
 * Synthetic mount points (made by the container mounter where the gofer refused a mkdir)
 * are listed after the server's entries, as gVisor's gofer lists its synthetic children:
 * a container's `ls /` shows /proc even when the read-only rootfs has no such directory.
 * Their positions are GOFER_SYN_POS + index, a range a server cookie does not reach
 * (cookies are telldir values; ours and diod's are far below it).
 */
#define GOFER_SYN_POS (INT64_MAX - (int64_t)(1 << 20))

static int emit_synthetic(struct file *file, struct dir_context *ctx)
{
	struct dentry *dir = file->f_path.dentry;
	struct list_head *p;
	int64_t i = 0, from = ctx->pos - GOFER_SYN_POS;

	if (!dir->d_dir)
		return 0;
	list_for_each(p, &dir->d_dir->children) {
		struct dentry *d = list_entry(p, struct dentry, d_child);

		if (!(d->d_flags & D_SYNTHETIC) || !d->d_inode)
			continue;
		if (i++ < from)
			continue;
		if (!ctx->actor(ctx, d->d_name, d->d_namelen, GOFER_SYN_POS + i, d->d_inode->i_ino,
				(d->d_inode->i_mode & S_IFMT) >> 12))
			return 0;
		ctx->pos = GOFER_SYN_POS + i;
	}
	return 0;
}

/* Entries from the server's cookie ctx->pos on; the cookies become the d_off values.
 * Then the synthetic children (above). */
static int gofer_iterate(struct file *file, struct dir_context *ctx)
{
	struct p9_client *c = gofer_client(file->f_inode);
	size_t bufsize = MIN((size_t)p9_client_iounit_read(c), (size_t)65536);
	uint8_t *buf;
	int err = 0;

	if (ctx->pos >= GOFER_SYN_POS)
		return emit_synthetic(file, ctx);
	buf = vl_malloc(bufsize);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = p9_client_readdir(c, file_fid(file), (uint64_t)ctx->pos, buf, bufsize);
		struct p9_dirent e;
		size_t pos = 0;
		int r;

		if (n <= 0) {
			err = (int)n;
			if (!err) {
				ctx->pos = GOFER_SYN_POS;
				err = emit_synthetic(file, ctx);
			}
			break;
		}
		while ((r = p9_dirent_next(buf, (size_t)n, &pos, &e)) == 0) {
			if (e.offset > INT64_MAX) {
				err = -EIO;
				goto out;
			}
			if (!ctx->actor(ctx, e.name.s, e.name.len, (int64_t)e.offset, e.qid.path,
					e.type))
				goto out;
			ctx->pos = (int64_t)e.offset;
		}
		if (r < 0) {
			err = r;
			break;
		}
	}
out:
	vl_free(buf);
	return err;
}

const struct file_operations gofer_file_fops = {
	.open = gofer_open,
	.release = gofer_release,
	.read = gofer_read,
	.write = gofer_write,
	.fsync = gofer_fsync,
};

const struct file_operations gofer_dir_fops = {
	.open = gofer_open,
	.release = gofer_release,
	.read = gofer_dir_read,
	.iterate = gofer_iterate,
	.fsync = gofer_fsync,
};
