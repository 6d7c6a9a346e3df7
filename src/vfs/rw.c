/*
 * rw.c - reading and writing open files: read/write and their positional forms, lseek
 * (with SEEK_DATA/SEEK_HOLE), getdents, fsync, ioctl; atime and mtime as Linux updates
 * them (relatime by default; mtime/ctime on every successful write).
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

/* The largest offset a file may reach (Linux's MAX_LFS_FILESIZE on 64-bit). */
#define VFS_MAX_FILESIZE INT64_MAX

#define NSEC_PER_DAY (24LL * 3600 * 1000000000LL)

void touch_atime(const struct path *p)
{
	struct inode *inode = p->dentry->d_inode;
	struct mount *m = p->mnt;
	int64_t now;

	if ((m->mnt_flags & MNT_NOATIME_F) || mnt_readonly(m))
		return;
	if ((m->mnt_flags & MNT_NODIRATIME_F) && S_ISDIR(inode->i_mode))
		return;
	now = vfs_now(inode->i_sb->s_vfs);
	if (!(m->mnt_flags & MNT_STRICTATIME_F)) {
		/* relatime: only when atime is older than mtime or ctime, or a day old. */
		if (inode->i_atime > inode->i_mtime && inode->i_atime > inode->i_ctime &&
		    now - inode->i_atime < NSEC_PER_DAY)
			return;
	}
	inode->i_atime = now;
}

static void file_update_time(struct file *f)
{
	struct inode *inode = f->f_inode;
	int64_t now = vfs_now(inode->i_sb->s_vfs);

	inode->i_mtime = now;
	inode->i_ctime = now;
}

/* Look up fd for I/O; returns a reference or ERR_PTR. */
static struct file *io_file(struct task *t, int fd)
{
	struct file *f = file_lookup(t, fd);

	if (!IS_ERR(f) && (f->f_mode & FMODE_PATH)) {
		file_put(f);
		return ERR_PTR(-EBADF);
	}
	return f;
}

static ssize_t do_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	ssize_t n;

	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (!buf && len)
		return -EFAULT;
	if (!f->f_op->read)
		return -EINVAL;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (*pos < 0)
		return -EINVAL;
	n = f->f_op->read(f, buf, len, *pos);
	if (n > 0)
		*pos += n;
	if (n >= 0 && !(f->f_flags & O_NOATIME))
		touch_atime(&f->f_path);
	return n;
}

static ssize_t do_write(struct task *t, struct file *f, const void *buf, size_t len,
			int64_t *pos, bool use_append)
{
	struct inode *inode = f->f_inode;
	int64_t off = *pos;
	ssize_t n;
	int err;

	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op->write)
		return -EINVAL;
	if (!buf && len)
		return -EFAULT;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (use_append && (f->f_flags & O_APPEND))
		off = inode->i_size;
	if (off < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (off >= VFS_MAX_FILESIZE)
		return -EFBIG;
	if ((uint64_t)len > (uint64_t)(VFS_MAX_FILESIZE - off))
		len = (size_t)(VFS_MAX_FILESIZE - off);
	if (S_ISREG(inode->i_mode)) {
		err = file_remove_privs(f, t->cred);
		if (err)
			return err;
		file_update_time(f);
	}
	n = f->f_op->write(f, buf, len, off);
	if (n > 0)
		*pos = off + n;
	return n;
}

ssize_t vfs_read(struct task *t, int fd, void *buf, size_t len)
{
	struct file *f;
	ssize_t n;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		n = PTR_ERR(f);
	} else {
		n = do_read(f, buf, len, &f->f_pos);
		file_put(f);
	}
	task_leave(t);
	return n;
}

ssize_t vfs_pread(struct task *t, int fd, void *buf, size_t len, off_t off)
{
	struct file *f;
	int64_t pos = off;
	ssize_t n;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		n = PTR_ERR(f);
	} else {
		if (off < 0)
			n = -EINVAL;
		else if (S_ISFIFO(f->f_inode->i_mode) || S_ISSOCK(f->f_inode->i_mode))
			n = -ESPIPE;
		else
			n = do_read(f, buf, len, &pos);
		file_put(f);
	}
	task_leave(t);
	return n;
}

ssize_t vfs_write(struct task *t, int fd, const void *buf, size_t len)
{
	struct file *f;
	ssize_t n;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		n = PTR_ERR(f);
	} else {
		n = do_write(t, f, buf, len, &f->f_pos, true);
		file_put(f);
	}
	task_leave(t);
	return n;
}

ssize_t vfs_pwrite(struct task *t, int fd, const void *buf, size_t len, off_t off)
{
	struct file *f;
	int64_t pos = off;
	ssize_t n;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		n = PTR_ERR(f);
	} else {
		if (off < 0)
			n = -EINVAL;
		else if (S_ISFIFO(f->f_inode->i_mode) || S_ISSOCK(f->f_inode->i_mode))
			n = -ESPIPE;
		else
			/* Linux: pwrite on an O_APPEND file appends anyway. */
			n = do_write(t, f, buf, len, &pos, true);
		file_put(f);
	}
	task_leave(t);
	return n;
}

off_t vfs_lseek(struct task *t, int fd, off_t off, int whence)
{
	struct file *f;
	int64_t pos, size;
	off_t ret;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out;
	}
	if (S_ISFIFO(f->f_inode->i_mode) || S_ISSOCK(f->f_inode->i_mode)) {
		ret = -ESPIPE;
		goto out_f;
	}
	size = f->f_inode->i_size;
	switch (whence) {
	case SEEK_SET:
		pos = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(f->f_pos, off, &pos)) {
			ret = -EOVERFLOW;
			goto out_f;
		}
		break;
	case SEEK_END:
		if (__builtin_add_overflow(size, off, &pos)) {
			ret = -EOVERFLOW;
			goto out_f;
		}
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (S_ISDIR(f->f_inode->i_mode)) {
			ret = -EINVAL;
			goto out_f;
		}
		if (f->f_op->seek_data) {
			pos = f->f_op->seek_data(f, off, whence);
		} else if (off < 0 || off >= size) {
			pos = -ENXIO;
		} else {
			pos = whence == SEEK_DATA ? off : size;
		}
		if (pos < 0) {
			ret = pos;
			goto out_f;
		}
		break;
	default:
		ret = -EINVAL;
		goto out_f;
	}
	if (pos < 0) {
		ret = -EINVAL;
		goto out_f;
	}
	if (pos != f->f_pos) {
		f->f_pos = pos;
		if (f->f_cursor)
			dcache_readdir_seeked(f);
		if (f->f_op->seeked)
			f->f_op->seeked(f);
	}
	ret = pos;
out_f:
	file_put(f);
out:
	task_leave(t);
	return ret;
}

/* struct linux_dirent64 packing. */
struct getdents_ctx {
	struct dir_context ctx;
	char *buf;
	size_t size;
	size_t used;
	int error;
};

static bool filldir64(struct dir_context *ctx, const char *name, size_t namelen, int64_t next,
		      uint64_t ino, unsigned dtype)
{
	struct getdents_ctx *g = container_of(ctx, struct getdents_ctx, ctx);
	size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;
	char *rec;
	uint16_t rl = (uint16_t)reclen;
	uint8_t dt = (uint8_t)dtype;

	if (g->used + reclen > g->size) {
		if (g->used == 0)
			g->error = -EINVAL;
		return false;
	}
	rec = g->buf + g->used;
	memset(rec, 0, reclen);
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &next, 8);
	memcpy(rec + 16, &rl, 2);
	memcpy(rec + 18, &dt, 1);
	memcpy(rec + 19, name, namelen);
	g->used += reclen;
	return true;
}

ssize_t vfs_getdents(struct task *t, int fd, void *buf, size_t len)
{
	struct getdents_ctx g = { .ctx = { .actor = filldir64 }, .buf = buf, .size = len };
	struct file *f;
	ssize_t ret;
	int err;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out;
	}
	if (!S_ISDIR(f->f_inode->i_mode) || !f->f_op->iterate) {
		ret = -ENOTDIR;
		goto out_f;
	}
	if (!buf) {
		ret = -EFAULT;
		goto out_f;
	}
	if (f->f_inode->i_nlink == 0) {
		ret = -ENOENT; /* IS_DEADDIR */
		goto out_f;
	}
	g.ctx.pos = f->f_pos;
	err = f->f_op->iterate(f, &g.ctx);
	f->f_pos = g.ctx.pos;
	touch_atime(&f->f_path);
	if (g.error)
		ret = g.error;
	else if (err && g.used == 0)
		ret = err;
	else
		ret = (ssize_t)g.used;
out_f:
	file_put(f);
out:
	task_leave(t);
	return ret;
}

int vfs_fsync(struct task *t, int fd)
{
	struct file *f;
	int err;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
	} else {
		err = f->f_op->fsync ? f->f_op->fsync(f) : 0;
		file_put(f);
	}
	task_leave(t);
	return err;
}

int vfs_ioctl(struct task *t, int fd, unsigned long req, void *arg)
{
	struct file *f;
	int err;

	task_enter(t);
	f = io_file(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out;
	}
	switch (req) {
	case FIONREAD:
		if (!arg) {
			err = -EFAULT;
			break;
		}
		if (S_ISREG(f->f_inode->i_mode)) {
			int64_t left = f->f_inode->i_size - f->f_pos;
			int v = left > INT32_MAX ? INT32_MAX : (left < 0 ? 0 : (int)left);

			memcpy(arg, &v, sizeof(v));
			err = 0;
			break;
		}
		/* fallthrough */
	default:
		err = f->f_op->ioctl ? f->f_op->ioctl(f, req, arg) : -ENOTTY;
	}
	file_put(f);
out:
	task_leave(t);
	return err;
}
