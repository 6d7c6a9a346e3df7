/*
 * open.c - open file descriptions and the task's place in the tree: openat (Linux's
 * path_openat/do_open/may_open order of checks), close, dup, fcntl, chdir, chroot,
 * getcwd, umask.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

#ifndef O_PATH
#define O_PATH 010000000
#endif
/* The bit of O_TMPFILE that is not O_DIRECTORY (glibc's __O_TMPFILE includes it). */
#define O_TMPFILE_BIT 020000000

struct file *file_get(struct file *f)
{
	f->f_count++;
	return f;
}

void file_put(struct file *f)
{
	if (!f || --f->f_count > 0)
		return;
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->f_inode, f);
	dcache_cursor_free(f);
	if (f->f_mode & FMODE_WRITE)
		f->f_inode->i_writers--;
	cred_put(f->f_cred);
	path_put(&f->f_path);
	obj_dec(OBJ_FILE);
	vl_free(f);
}

struct file *file_lookup(struct task *t, int fd)
{
	struct file *f = fdtable_lookup(&t->fds, fd);

	if (!f)
		return ERR_PTR(-EBADF);
	return file_get(f);
}

static const struct file_operations path_only_fops;

struct file *vfs_open_path(struct task *t, const struct path *p, int flags)
{
	struct inode *inode = p->dentry->d_inode;
	struct file *f = vl_zalloc(sizeof(*f));
	int err;

	if (!f)
		return ERR_PTR(-ENOMEM);
	obj_inc(OBJ_FILE);
	f->f_path = *p;
	path_get(&f->f_path);
	f->f_inode = inode;
	f->f_count = 1;
	f->f_cred = cred_get(t->cred);
	f->f_flags = (uint32_t)flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	if (flags & O_PATH) {
		f->f_mode = FMODE_PATH;
		f->f_op = &path_only_fops;
		return f;
	}
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		f->f_mode = FMODE_READ;
		break;
	case O_WRONLY:
		f->f_mode = FMODE_WRITE;
		break;
	case O_RDWR:
		f->f_mode = FMODE_READ | FMODE_WRITE;
		break;
	default:
		f->f_mode = 0; /* 3: Linux's "ioctl only" mode */
		break;
	}
	if (S_ISFIFO(inode->i_mode)) {
		f->f_op = &fifo_fops; /* FIFOs are the VFS's, whatever holds the inode */
	} else if (S_ISCHR(inode->i_mode)) {
		f->f_op = vfs_chrdev_fops(inode->i_sb->s_vfs, inode->i_rdev);
		if (!f->f_op)
			f->f_op = &nodev_fops;
	} else if (S_ISBLK(inode->i_mode)) {
		f->f_op = &nodev_fops;
	} else
		f->f_op = inode->i_fop ? inode->i_fop : &path_only_fops;
	if (f->f_mode & FMODE_WRITE)
		inode->i_writers++;
	if (f->f_op->open) {
		err = f->f_op->open(inode, f);
		if (err) {
			f->f_op = &path_only_fops; /* no release for a failed open */
			file_put(f);
			return ERR_PTR(err);
		}
	}
	return f;
}

static bool special_file(uint32_t mode)
{
	return S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) || S_ISSOCK(mode);
}

/* Linux's may_open(): checks on an existing file about to be opened. */
static int may_open(struct task *t, const struct path *p, int acc_mode, int flags)
{
	struct inode *inode = p->dentry->d_inode;
	int err;

	switch (inode->i_mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (acc_mode & MAY_WRITE)
			return -EISDIR;
		if (acc_mode & MAY_EXEC)
			return -EACCES;
		break;
	case S_IFBLK:
	case S_IFCHR:
		if (p->mnt->mnt_flags & MNT_NODEV_F)
			return -EACCES;
		/* fallthrough */
	case S_IFIFO:
	case S_IFSOCK:
		if (acc_mode & MAY_EXEC)
			return -EACCES;
		break;
	case S_IFREG:
		if ((acc_mode & MAY_EXEC) && (p->mnt->mnt_flags & MNT_NOEXEC_F))
			return -EACCES;
		break;
	}
	if ((acc_mode & MAY_WRITE) && (inode->i_sb->s_flags & SB_RDONLY) &&
	    !special_file(inode->i_mode))
		return -EROFS;
	err = inode_permission(inode, acc_mode, t->cred);
	if (err)
		return err;
	if ((flags & O_NOATIME) && !inode_owner_or_capable(inode, t->cred))
		return -EPERM;
	if ((acc_mode & MAY_WRITE) && mnt_readonly(p->mnt) && !special_file(inode->i_mode))
		return -EROFS;
	if (S_ISSOCK(inode->i_mode))
		return -ENXIO;
	return 0;
}

static int acc_mode_of(int flags)
{
	static const int acc[4] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE,
				    MAY_READ | MAY_WRITE };
	int m = acc[flags & O_ACCMODE];

	if (flags & O_TRUNC)
		m |= MAY_WRITE;
	if (flags & O_APPEND)
		m |= MAY_APPEND;
	return m;
}

/* Resolve the last component for O_CREAT: returns the file's path, creating it when
 * absent; *created tells which. */
static int open_create(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		       struct path *out, bool *created)
{
	struct nameparent np;
	struct dentry *d;
	int links = 0, err;

	*created = false;
	err = path_parentat(t, dirfd, path, 0, &np);
	if (err)
		return err;
	for (;;) {
		if (np.type != LAST_NORM) {
			/* ".", ".." or "/": an existing directory. */
			nameparent_release(&np);
			err = path_lookupat(t, dirfd, path, LOOKUP_FOLLOW, out);
			if (err)
				return err;
			if (flags & O_EXCL) {
				path_put(out);
				return -EEXIST;
			}
			path_put(out);
			return -EISDIR;
		}
		if (np.trailing_slash) {
			err = -EISDIR;
			goto out_np;
		}
		d = lookup_one(np.dir.dentry, np.last, np.last_len);
		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			goto out_np;
		}
		if (d->d_inode) {
			out->mnt = mnt_get(np.dir.mnt);
			out->dentry = d;
			if (flags & O_EXCL) {
				path_put(out);
				err = -EEXIST;
				goto out_np;
			}
			follow_mounts(out);
			if (S_ISLNK(out->dentry->d_inode->i_mode) && !(flags & O_NOFOLLOW)) {
				err = nameparent_follow(t, &np, out->dentry, &links);
				path_put(out);
				if (err)
					goto out_np;
				continue;
			}
			nameparent_release(&np);
			return 0;
		}
		/* Absent: create it. */
		if (mnt_readonly(np.dir.mnt)) {
			err = -EROFS;
			goto out_d;
		}
		err = vfs_create_locked(t, np.dir.dentry->d_inode, d,
					S_IFREG | (mode & 07777 & ~t->umask), 0);
		if (err)
			goto out_d;
		out->mnt = mnt_get(np.dir.mnt);
		out->dentry = d;
		*created = true;
		nameparent_release(&np);
		return 0;
	}
out_d:
	d_put(d);
out_np:
	nameparent_release(&np);
	return err;
}

int vfs_openat(struct task *t, int dirfd, const char *path, int flags, mode_t mode)
{
	struct path p;
	struct file *f;
	bool created = false;
	int acc_mode, fd, err;

	task_enter(t);
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_TMPFILE_BIT) {
		err = -EOPNOTSUPP; /* O_TMPFILE: not supported yet (tests/oracle/divergences.md) */
		goto out;
	}
	if ((flags & O_CREAT) && (flags & O_DIRECTORY)) {
		err = -EINVAL; /* Linux >= 6.4 */
		goto out;
	}
	acc_mode = (flags & O_PATH) ? 0 : acc_mode_of(flags);
	if (flags & O_CREAT) {
		err = open_create(t, dirfd, path, flags, mode, &p, &created);
		if (err)
			goto out;
	} else {
		unsigned lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;

		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		err = path_lookupat(t, dirfd, path, lf, &p);
		if (err)
			goto out;
	}
	if ((flags & O_CREAT) && !created && d_is_dir(p.dentry)) {
		err = -EISDIR;
		goto out_p;
	}
	if (!(flags & O_PATH)) {
		if ((flags & O_DIRECTORY) && !d_is_dir(p.dentry)) {
			err = -ENOTDIR;
			goto out_p;
		}
		if (!created) {
			if (S_ISREG(p.dentry->d_inode->i_mode) && (flags & O_TRUNC) &&
			    mnt_readonly(p.mnt)) {
				err = -EROFS;
				goto out_p;
			}
			err = may_open(t, &p, acc_mode, flags);
			if (err)
				goto out_p;
		}
	}
	f = vfs_open_path(t, &p, flags);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out_p;
	}
	if (!created && !(flags & O_PATH) && (flags & O_TRUNC) &&
	    S_ISREG(p.dentry->d_inode->i_mode)) {
		err = do_truncate(&p, 0, f);
		if (err) {
			file_put(f);
			goto out_p;
		}
	}
	fd = fdtable_install(&t->fds, f, (flags & O_CLOEXEC) != 0, 0);
	if (fd < 0)
		file_put(f);
	err = fd;
out_p:
	path_put(&p);
out:
	task_leave(t);
	return err;
}

int vfs_close(struct task *t, int fd)
{
	struct file *f;

	task_enter(t);
	f = fdtable_remove(&t->fds, fd);
	if (f)
		file_put(f);
	task_leave(t);
	return f ? 0 : -EBADF;
}

int vfs_dup(struct task *t, int fd)
{
	struct file *f;
	int nfd;

	task_enter(t);
	f = fdtable_lookup(&t->fds, fd);
	if (!f) {
		nfd = -EBADF;
	} else {
		nfd = fdtable_install(&t->fds, file_get(f), false, 0);
		if (nfd < 0)
			file_put(f);
	}
	task_leave(t);
	return nfd;
}

int vfs_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f;
	int err;

	task_enter(t);
	f = fdtable_lookup(&t->fds, oldfd);
	if (flags & ~O_CLOEXEC)
		err = -EINVAL;
	else if (!f)
		err = -EBADF;
	else if (oldfd == newfd)
		err = -EINVAL;
	else if (newfd < 0 || newfd >= FDTABLE_MAX)
		err = -EBADF;
	else {
		err = fdtable_install_at(&t->fds, newfd, file_get(f), (flags & O_CLOEXEC) != 0);
		if (err < 0)
			file_put(f);
	}
	task_leave(t);
	return err;
}

int vfs_fcntl(struct task *t, int fd, int cmd, long arg)
{
	struct fd_slot *slot;
	struct file *f;
	int ret;

	task_enter(t);
	slot = fdtable_slot(&t->fds, fd);
	f = slot ? slot->file : NULL;
	if (!f) {
		ret = -EBADF;
		goto out;
	}
	switch (cmd) {
	case F_GETFD:
		ret = slot->cloexec ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		slot->cloexec = (arg & FD_CLOEXEC) != 0;
		ret = 0;
		break;
	case F_GETFL:
		ret = (int)(f->f_flags & ~(uint32_t)O_ACCMODE);
		if (f->f_mode & FMODE_PATH)
			ret |= O_PATH;
		else
			ret |= (int)(f->f_flags & O_ACCMODE);
		break;
	case F_SETFL:
		if (f->f_mode & FMODE_PATH) {
			ret = -EBADF;
			break;
		}
		/* Only O_APPEND (and the flags we ignore) may change. */
		f->f_flags = (f->f_flags & ~(uint32_t)(O_APPEND | O_NONBLOCK | O_NOATIME)) |
			     ((uint32_t)arg & (O_APPEND | O_NONBLOCK));
		ret = 0;
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FDTABLE_MAX) {
			ret = -EINVAL;
			break;
		}
		ret = fdtable_install(&t->fds, file_get(f), cmd == F_DUPFD_CLOEXEC, (int)arg);
		if (ret < 0)
			file_put(f);
		break;
	default:
		ret = -EINVAL;
	}
out:
	task_leave(t);
	return ret;
}

static void set_task_path(struct path *slot, struct path *p)
{
	path_put(slot);
	*slot = *p; /* the reference moves */
}

int vfs_chdir(struct task *t, const char *path)
{
	struct path p;
	int err;

	task_enter(t);
	err = path_lookupat(t, AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (!err) {
		err = inode_permission(p.dentry->d_inode, MAY_EXEC | MAY_CHDIR, t->cred);
		if (err)
			path_put(&p);
		else
			set_task_path(&t->cwd, &p);
	}
	task_leave(t);
	return err;
}

int vfs_fchdir(struct task *t, int fd)
{
	struct file *f;
	struct path p;
	int err;

	task_enter(t);
	f = fdtable_lookup(&t->fds, fd);
	if (!f) {
		err = -EBADF;
	} else if (!d_is_dir(f->f_path.dentry)) {
		err = -ENOTDIR;
	} else {
		err = inode_permission(f->f_inode, MAY_EXEC | MAY_CHDIR, t->cred);
		if (!err) {
			p = f->f_path;
			path_get(&p);
			set_task_path(&t->cwd, &p);
		}
	}
	task_leave(t);
	return err;
}

int vfs_chroot(struct task *t, const char *path)
{
	struct path p;
	int err;

	task_enter(t);
	err = path_lookupat(t, AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		goto out;
	err = inode_permission(p.dentry->d_inode, MAY_EXEC | MAY_CHDIR, t->cred);
	if (!err && !capable(t->cred, CAP_SYS_CHROOT))
		err = -EPERM;
	if (err)
		path_put(&p);
	else
		set_task_path(&t->root, &p);
out:
	task_leave(t);
	return err;
}

ssize_t vfs_getcwd(struct task *t, char *buf, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	ssize_t ret;
	int err;

	task_enter(t);
	if (!(t->cwd.dentry->d_flags & (D_HASHED | D_ROOT))) {
		ret = -ENOENT; /* the cwd was removed */
		goto out;
	}
	err = path_to_string(&t->cwd, &t->root, &sb);
	if (err == -ENOENT) {
		/* Outside the root (after chroot): Linux prefixes "(unreachable)". */
		struct path top = t->cwd;

		sb_reset(&sb);
		while (top.mnt->mnt_parent && top.mnt->mnt_parent != top.mnt) {
			top.dentry = top.mnt->mnt_mountpoint;
			top.mnt = top.mnt->mnt_parent;
		}
		top.dentry = top.mnt->mnt_root;
		sb_adds(&sb, "(unreachable)");
		err = path_to_string(&t->cwd, &top, &sb);
	}
	if (err) {
		ret = err;
		goto out;
	}
	if (sb.len + 1 > size) {
		ret = -ERANGE;
		goto out;
	}
	memcpy(buf, sb.buf, sb.len + 1);
	ret = (ssize_t)sb.len + 1;
out:
	sb_free(&sb);
	task_leave(t);
	return ret;
}

mode_t vfs_umask(struct task *t, mode_t mask)
{
	mode_t old;

	task_enter(t);
	old = t->umask;
	t->umask = mask & 0777;
	task_leave(t);
	return old;
}
