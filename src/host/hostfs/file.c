/*
 * file.c - hostfs open files: regular file I/O with pread/pwrite on a descriptor opened
 * with the file's own access mode, directory listing with getdents64, fsync and
 * SEEK_DATA/SEEK_HOLE from the host.
 *
 * An open file's descriptor (file->private_data, as an intptr_t) is reopened from the
 * inode at open time (hostfs_reopen: a directory through ".", anything else by its name
 * beneath its parent's descriptor, checked to be the same file), never through
 * /proc/self/fd. The VFS owns f_pos and O_APPEND and passes absolute offsets, so the
 * descriptor is opened without O_APPEND or O_TRUNC (the VFS truncates through setattr).
 *
 * Directory offsets are the host's d_off cookies: ctx->pos (the file's f_pos) is where
 * getdents64 resumes, so lseek/telldir on a hostfs directory behave as on the host. At
 * the export root, ".." shows the root itself (as a chroot does): the host parent is
 * outside the export and its inode number is none of the client's business.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/alloc.h"
#include "internal.h"

#define HOSTFS_DIRBUF 32768

static int file_fd(struct file *file)
{
	return (int)(intptr_t)file->private_data;
}

static int hostfs_open(struct inode *inode, struct file *file)
{
	int flags, fd, err;

	switch (file->f_mode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ | FMODE_WRITE: flags = O_RDWR; break;
	case FMODE_WRITE: flags = O_WRONLY; break;
	case FMODE_READ: flags = O_RDONLY; break;
	default:
		/* Linux's "ioctl only" mode 3: no I/O, so no host descriptor either. */
		file->private_data = (void *)(intptr_t)-1;
		return 0;
	}
	if (S_ISDIR(inode->i_mode))
		flags = O_RDONLY;
	err = hostfs_reopen(file->f_path.dentry, flags, &fd);
	if (err)
		return err;
	file->private_data = (void *)(intptr_t)fd;
	return 0;
}

static void hostfs_release(struct inode *inode, struct file *file)
{
	(void)inode;
	hostfs_close(file_fd(file));
	file->private_data = NULL;
}

static ssize_t hostfs_read(struct file *file, void *buf, size_t len, int64_t off)
{
	int saved = errno;
	ssize_t n;

	if (file_fd(file) < 0)
		return -EBADF;
	do
		n = pread(file_fd(file), buf, len, off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? hostfs_errno(saved) : n;
}

static ssize_t hostfs_write(struct file *file, const void *buf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	int saved = errno;
	ssize_t n;

	if (file_fd(file) < 0)
		return -EBADF;
	do
		n = pwrite(file_fd(file), buf, len, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hostfs_errno(saved);
	/* O_APPEND and SEEK_END read i_size: keep it as the host has it. */
	if (off + n > inode->i_size)
		inode->i_size = off + n;
	return n;
}

static int hostfs_fsync(struct file *file)
{
	int saved = errno;

	if (file_fd(file) < 0)
		return -EBADF;
	return fsync(file_fd(file)) < 0 ? hostfs_errno(saved) : 0;
}

static int64_t hostfs_seek_data(struct file *file, int64_t off, int whence)
{
	int saved = errno;
	off_t r;

	if (file_fd(file) < 0)
		return -EBADF;
	r = lseek(file_fd(file), off, whence);
	return r < 0 ? hostfs_errno(saved) : r;
}

/* struct linux_dirent64 as getdents64 returns it. */
struct hostfs_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int hostfs_iterate(struct file *file, struct dir_context *ctx)
{
	struct dentry *dir = file->f_path.dentry;
	bool at_root = dir->d_parent == dir || (dir->d_flags & D_ROOT);
	int fd = file_fd(file), saved = errno, err = 0;
	char *buf;
	long n;

	if (fd < 0)
		return -EBADF;
	buf = vl_malloc(HOSTFS_DIRBUF);
	if (!buf)
		return -ENOMEM;
	/* Resume exactly where the caller's offset says (an entry the actor refused last
	 * time was read from the host but not consumed). */
	if (lseek(fd, ctx->pos, SEEK_SET) < 0) {
		err = hostfs_errno(saved);
		goto out;
	}
	for (;;) {
		long off = 0;

		n = syscall(SYS_getdents64, fd, buf, HOSTFS_DIRBUF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = hostfs_errno(saved);
			break;
		}
		if (n == 0)
			break;
		while (off < n) {
			struct hostfs_dirent64 *de = (struct hostfs_dirent64 *)(buf + off);
			size_t len = strlen(de->d_name);
			uint64_t ino = de->d_ino;

			if (at_root && len == 2 && de->d_name[0] == '.' && de->d_name[1] == '.')
				ino = dir->d_inode->i_ino;
			if (!ctx->actor(ctx, de->d_name, len, de->d_off, ino, de->d_type))
				goto out;
			ctx->pos = de->d_off;
			off += de->d_reclen;
		}
	}
out:
	errno = saved;
	vl_free(buf);
	return err;
}

static ssize_t hostfs_dir_read(struct file *file, void *buf, size_t len, int64_t off)
{
	(void)file, (void)buf, (void)len, (void)off;
	return -EISDIR;
}

/* Sockets (FIFOs and devices never reach here: the VFS gives them its own operations).
 * A host socket is not something a sandbox may connect to through its filesystem. */
static int hostfs_special_open(struct inode *inode, struct file *file)
{
	(void)inode, (void)file;
	return -ENXIO;
}

const struct file_operations hostfs_file_fops = {
	.open = hostfs_open,
	.release = hostfs_release,
	.read = hostfs_read,
	.write = hostfs_write,
	.fsync = hostfs_fsync,
	.seek_data = hostfs_seek_data,
};

const struct file_operations hostfs_dir_fops = {
	.open = hostfs_open,
	.release = hostfs_release,
	.read = hostfs_dir_read,
	.iterate = hostfs_iterate,
	.fsync = hostfs_fsync,
};

const struct file_operations hostfs_special_fops = {
	.open = hostfs_special_open,
};
