/*
 * inode.c - hostfs inodes and the namespace: lookup, the creating operations (mknod,
 * mkdir, symlink, link), unlink, rmdir, rename, readlink, getattr and setattr, each one
 * host call on a checked name beneath the parent's descriptor, then the new file opened
 * O_PATH|O_NOFOLLOW and checked to be what was made.
 *
 * Attributes are the host's (inode numbers included; st_dev is the superblock's
 * anonymous device, as for any vfslab filesystem). The VFS has done every permission,
 * type and emptiness check it can before calling; the host then applies its own checks
 * with the gofer process's credentials. Ownership of new files: the VFS decides it, and
 * hostfs asks the host for it (fchownat) - a gofer not running as root cannot give files
 * away, so there the host's answer (the gofer's own ids) stands. Device nodes are not
 * made on the host (EPERM); those already there show with their numbers and open as the
 * VFS's own devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

static const struct inode_operations hostfs_dir_iops;
static const struct inode_operations hostfs_file_iops;
static const struct inode_operations hostfs_symlink_iops;
static const struct inode_operations hostfs_special_iops;

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000L;
	}
	return ts;
}

/* ---------------------------------------------------------------------------------- */
/* Inodes */

void hostfs_copy_attr(struct inode *inode, const struct stat *st)
{
	inode->i_ino = st->st_ino;
	inode->i_mode = st->st_mode;
	inode->i_nlink = (uint32_t)st->st_nlink;
	inode->i_uid = st->st_uid;
	inode->i_gid = st->st_gid;
	inode->i_rdev = (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
				? VFS_MKDEV(major(st->st_rdev), minor(st->st_rdev))
				: 0;
	inode->i_size = st->st_size;
	inode->i_atime = ts_ns(&st->st_atim);
	inode->i_mtime = ts_ns(&st->st_mtim);
	inode->i_ctime = ts_ns(&st->st_ctim);
	HOSTFS_I(inode)->host_dev = st->st_dev;
}

int hostfs_refresh(struct inode *inode)
{
	struct stat st;
	int err = hostfs_fstat(hostfs_fd(inode), &st);

	if (!err)
		hostfs_copy_attr(inode, &st);
	return err;
}

int hostfs_new_inode(struct super_block *sb, int fd, const struct stat *st, struct inode **out)
{
	struct hostfs_inode *hi = vl_zalloc(sizeof(*hi));
	struct inode *inode;

	if (!hi) {
		hostfs_close(fd);
		return -ENOMEM;
	}
	obj_inc(OBJ_INODE);
	hi->fd = fd;
	inode = &hi->vfs_inode;
	inode->i_sb = sb;
	inode->i_count = 1;
	hostfs_copy_attr(inode, st);
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &hostfs_file_iops;
		inode->i_fop = &hostfs_file_fops;
		break;
	case S_IFDIR:
		inode->i_op = &hostfs_dir_iops;
		inode->i_fop = &hostfs_dir_fops;
		break;
	case S_IFLNK: inode->i_op = &hostfs_symlink_iops; break;
	default:
		/* FIFOs and devices open as the VFS's own (open.c), never the host's. */
		inode->i_op = &hostfs_special_iops;
		inode->i_fop = &hostfs_special_fops;
		break;
	}
	*out = inode;
	return 0;
}

void hostfs_destroy_inode(struct inode *inode)
{
	struct hostfs_inode *hi = HOSTFS_I(inode);

	hostfs_close(hi->fd);
	obj_dec(OBJ_INODE);
	vl_free(hi);
}

/* The dentry is the root of its superblock (it has no parent in the export). */
static bool hostfs_is_root(const struct dentry *d)
{
	return d->d_parent == d || (d->d_flags & D_ROOT);
}

int hostfs_reopen(struct dentry *dentry, int flags, int *out)
{
	struct inode *inode = dentry->d_inode;
	struct hostfs_inode *hi = HOSTFS_I(inode);
	struct stat st;
	int fd, err;

	if (S_ISDIR(inode->i_mode))
		return hostfs_openat(hi->fd, ".", flags | O_DIRECTORY, out);
	if (hostfs_is_root(dentry))
		return -EINVAL; /* get_tree only makes directory roots */
	/* O_NONBLOCK: should the name now hold a FIFO, the open must not hang; it is
	 * closed below since it is not our file. It changes nothing for regular files. */
	err = hostfs_openat(hostfs_fd(dentry->d_parent->d_inode), dentry->d_name,
			    flags | O_NONBLOCK | O_NOCTTY, &fd);
	if (err)
		return err;
	err = hostfs_fstat(fd, &st);
	if (!err && (st.st_ino != inode->i_ino || st.st_dev != hi->host_dev))
		err = -ESTALE;
	if (err) {
		hostfs_close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Lookup and creation */

static int hostfs_lookup(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode;
	struct stat st;
	int fd, err;

	err = hostfs_check_name(dentry->d_name, dentry->d_namelen);
	if (err)
		return err;
	err = hostfs_openat(hostfs_fd(dir), dentry->d_name, O_PATH, &fd);
	if (err == -ENOENT)
		return 0; /* stays negative */
	if (err)
		return err;
	err = hostfs_fstat(fd, &st);
	if (err) {
		hostfs_close(fd);
		return err;
	}
	err = hostfs_new_inode(dir->i_sb, fd, &st, &inode);
	if (err)
		return err;
	d_instantiate(dentry, inode);
	return 0;
}

/*
 * The host made name in dir: open it O_PATH, check it is of the type made (a symlink
 * swapped in meanwhile is refused with -ESTALE, not followed), give it the owner and
 * mode the VFS decided (the host applied its own umask and ids), and make dentry
 * positive. On failure the name is left on the host: it was made, and removing it could
 * remove someone else's file.
 */
static int hostfs_instantiate_new(struct inode *dir, struct dentry *dentry, uint32_t type,
				  const struct vfs_new_inode *ni)
{
	struct inode *inode;
	struct stat st;
	int fd, err, saved = errno;

	err = hostfs_openat(hostfs_fd(dir), dentry->d_name, O_PATH, &fd);
	if (err)
		return err;
	err = hostfs_fstat(fd, &st);
	if (!err && (st.st_mode & S_IFMT) != type)
		err = -ESTALE;
	if (err)
		goto out_fd;
	if (st.st_uid != ni->uid || st.st_gid != ni->gid) {
		if (fchownat(fd, "", ni->uid, ni->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != EPERM) {
			err = hostfs_errno(saved);
			goto out_fd;
		}
		errno = saved;
	}
	if (type != S_IFLNK && (st.st_mode & 07777) != (ni->mode & 07777)) {
		err = hostfs_fchmod(fd, ni->mode & 07777);
		if (err && err != -EPERM)
			goto out_fd;
	}
	err = hostfs_fstat(fd, &st);
	if (err)
		goto out_fd;
	err = hostfs_new_inode(dir->i_sb, fd, &st, &inode);
	if (err)
		return err;
	d_instantiate(dentry, inode);
	hostfs_refresh(dir);
	return 0;

out_fd:
	hostfs_close(fd);
	return err;
}

static int hostfs_mknod(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	uint32_t type = ni->mode & S_IFMT ? ni->mode & S_IFMT : S_IFREG;
	int saved = errno, err;

	err = hostfs_check_name(dentry->d_name, dentry->d_namelen);
	if (err)
		return err;
	switch (type) {
	case S_IFCHR:
	case S_IFBLK:
		/* A device node made here would be a real one on the host, usable by anyone
		 * there who can reach the directory (the sandbox itself only ever opens the
		 * VFS's own drivers). gVisor's gofer refuses them too. */
		return -EPERM;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK: break;
	default: return -EINVAL;
	}
	if (mknodat(hostfs_fd(dir), dentry->d_name, type | (ni->mode & 07777), 0) < 0)
		return hostfs_errno(saved);
	return hostfs_instantiate_new(dir, dentry, type, ni);
}

static int hostfs_mkdir(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	int saved = errno, err;

	err = hostfs_check_name(dentry->d_name, dentry->d_namelen);
	if (err)
		return err;
	if (mkdirat(hostfs_fd(dir), dentry->d_name, ni->mode & 07777) < 0)
		return hostfs_errno(saved);
	return hostfs_instantiate_new(dir, dentry, S_IFDIR, ni);
}

static int hostfs_symlink(struct inode *dir, struct dentry *dentry, const char *target,
			  const struct vfs_new_inode *ni)
{
	int saved = errno, err;

	err = hostfs_check_name(dentry->d_name, dentry->d_namelen);
	if (err)
		return err;
	/* The target is data: stored as given, never resolved on the host. */
	if (symlinkat(target, hostfs_fd(dir), dentry->d_name) < 0)
		return hostfs_errno(saved);
	return hostfs_instantiate_new(dir, dentry, S_IFLNK, ni);
}

/*
 * Hard link: linkat(fd, "", AT_EMPTY_PATH) names the very file held (no name to race
 * on) but needs CAP_DAC_READ_SEARCH or, since Linux 6.10, an fd opened with the same
 * credentials; otherwise link by the old name beneath its parent and check the new
 * name is the same file (undoing a link to anything else).
 */
static int hostfs_link(struct dentry *old, struct inode *dir, struct dentry *new_dentry)
{
	struct inode *inode = old->d_inode;
	struct stat st;
	int saved = errno, err;

	err = hostfs_check_name(new_dentry->d_name, new_dentry->d_namelen);
	if (err)
		return err;
	if (linkat(hostfs_fd(inode), "", hostfs_fd(dir), new_dentry->d_name, AT_EMPTY_PATH) < 0) {
		err = hostfs_errno(saved);
		if ((err != -EPERM && err != -ENOENT) || hostfs_is_root(old))
			return err;
		err = hostfs_check_name(old->d_name, old->d_namelen);
		if (err)
			return err;
		if (linkat(hostfs_fd(old->d_parent->d_inode), old->d_name, hostfs_fd(dir),
			   new_dentry->d_name, 0) < 0)
			return hostfs_errno(saved);
		if (fstatat(hostfs_fd(dir), new_dentry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_ino != inode->i_ino || st.st_dev != HOSTFS_I(inode)->host_dev) {
			unlinkat(hostfs_fd(dir), new_dentry->d_name, 0);
			errno = saved;
			return -ESTALE;
		}
	}
	hostfs_refresh(inode);
	hostfs_refresh(dir);
	d_instantiate(new_dentry, iget(inode));
	return 0;
}

static int hostfs_remove(struct inode *dir, struct dentry *dentry, int flags)
{
	int saved = errno, err;

	err = hostfs_check_name(dentry->d_name, dentry->d_namelen);
	if (err)
		return err;
	if (unlinkat(hostfs_fd(dir), dentry->d_name, flags) < 0)
		return hostfs_errno(saved);
	/* The descriptor still stands for the file: its nlink is now the host's truth
	 * (0 for a removed directory, which the VFS reads as "dead"). */
	if (hostfs_refresh(dentry->d_inode) == 0 && (flags & AT_REMOVEDIR))
		dentry->d_inode->i_nlink = 0;
	hostfs_refresh(dir);
	return 0;
}

static int hostfs_unlink(struct inode *dir, struct dentry *dentry)
{
	return hostfs_remove(dir, dentry, 0);
}

static int hostfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return hostfs_remove(dir, dentry, AT_REMOVEDIR);
}

static int hostfs_rename(struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
			 struct dentry *new_dentry, unsigned flags)
{
	int saved = errno, err;

	err = hostfs_check_name(old_dentry->d_name, old_dentry->d_namelen);
	if (!err)
		err = hostfs_check_name(new_dentry->d_name, new_dentry->d_namelen);
	if (err)
		return err;
	if (renameat2(hostfs_fd(old_dir), old_dentry->d_name, hostfs_fd(new_dir),
		      new_dentry->d_name, flags) < 0)
		return hostfs_errno(saved);
	hostfs_refresh(old_dir);
	if (new_dir != old_dir)
		hostfs_refresh(new_dir);
	if (old_dentry->d_inode)
		hostfs_refresh(old_dentry->d_inode);
	if (new_dentry->d_inode && hostfs_refresh(new_dentry->d_inode) == 0 &&
	    !(flags & RENAME_EXCHANGE) && S_ISDIR(new_dentry->d_inode->i_mode))
		new_dentry->d_inode->i_nlink = 0; /* a replaced directory is dead */
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Symlinks and attributes */

static ssize_t hostfs_readlink(struct dentry *dentry, char *buf, size_t len)
{
	char *tmp = vl_malloc(VFS_PATH_MAX + 1);
	int saved = errno;
	ssize_t n;

	if (!tmp)
		return -ENOMEM;
	/* One byte more than any target we accept: a longer one shows as too long. */
	n = readlinkat(hostfs_fd(dentry->d_inode), "", tmp, VFS_PATH_MAX + 1);
	if (n < 0) {
		n = hostfs_errno(saved);
	} else {
		memcpy(buf, tmp, (size_t)n < len ? (size_t)n : len);
	}
	vl_free(tmp);
	return n;
}

static int hostfs_getattr(struct dentry *dentry, struct vfs_stat *st)
{
	struct inode *inode = dentry->d_inode;
	struct stat hs;
	int err = hostfs_fstat(hostfs_fd(inode), &hs);

	if (err)
		return err;
	hostfs_copy_attr(inode, &hs);
	generic_fillattr(inode, st);
	st->blocks = hs.st_blocks;
	st->blksize = (uint32_t)hs.st_blksize;
	st->dev = inode->i_sb->s_dev;
	return 0;
}

/* ftruncate through a descriptor reopened for writing (a name beneath the parent,
 * checked to be this very file: see hostfs_reopen). */
static int hostfs_truncate(struct dentry *dentry, int64_t size)
{
	int fd, err, saved = errno;

	err = hostfs_reopen(dentry, O_WRONLY, &fd);
	if (err)
		return err;
	if (ftruncate(fd, size) < 0)
		err = hostfs_errno(saved);
	hostfs_close(fd);
	return err;
}

/*
 * Apply changes in the order that keeps each meaningful: size, owner (which may clear
 * setuid on the host), mode (the VFS computed it after the owner change), times last
 * (truncation and chmod touch them). ctime is the host's own. Not atomic: a failure
 * part way leaves the earlier changes made, as a sequence of syscalls would.
 */
static int hostfs_setattr(struct dentry *dentry, const struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;
	int fd = hostfs_fd(inode), saved = errno, err = 0;

	if (attr->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->i_mode))
			return S_ISDIR(inode->i_mode) ? -EISDIR : -EINVAL;
		err = hostfs_truncate(dentry, attr->size);
		if (err)
			goto out;
	}
	if (attr->valid & (ATTR_UID | ATTR_GID)) {
		uid_t uid = (attr->valid & ATTR_UID) ? attr->uid : (uid_t)-1;
		gid_t gid = (attr->valid & ATTR_GID) ? attr->gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
			err = hostfs_errno(saved);
			goto out;
		}
	}
	if (attr->valid & ATTR_MODE) {
		err = hostfs_fchmod(fd, attr->mode & 07777);
		if (err)
			goto out;
	}
	if (attr->valid & (ATTR_ATIME | ATTR_MTIME)) {
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };

		if (attr->valid & ATTR_ATIME)
			ts[0] = ns_ts(attr->atime_ns);
		if (attr->valid & ATTR_MTIME)
			ts[1] = ns_ts(attr->mtime_ns);
		if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
			err = hostfs_errno(saved);
			goto out;
		}
	}
out:
	hostfs_refresh(inode);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Operations tables (NULL slots: the VFS's generic default, see fs.h) */

static const struct inode_operations hostfs_dir_iops = {
	.lookup = hostfs_lookup,
	.mknod = hostfs_mknod,
	.mkdir = hostfs_mkdir,
	.symlink = hostfs_symlink,
	.link = hostfs_link,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.rename = hostfs_rename,
	.setattr = hostfs_setattr,
	.getattr = hostfs_getattr,
	.getxattr = hostfs_getxattr,
	.setxattr = hostfs_setxattr,
	.listxattr = hostfs_listxattr,
	.removexattr = hostfs_removexattr,
};

static const struct inode_operations hostfs_file_iops = {
	.setattr = hostfs_setattr,
	.getattr = hostfs_getattr,
	.getxattr = hostfs_getxattr,
	.setxattr = hostfs_setxattr,
	.listxattr = hostfs_listxattr,
	.removexattr = hostfs_removexattr,
};

static const struct inode_operations hostfs_symlink_iops = {
	.readlink = hostfs_readlink,
	.setattr = hostfs_setattr,
	.getattr = hostfs_getattr,
	.getxattr = hostfs_getxattr,
	.setxattr = hostfs_setxattr,
	.listxattr = hostfs_listxattr,
	.removexattr = hostfs_removexattr,
};

static const struct inode_operations hostfs_special_iops = {
	.setattr = hostfs_setattr,
	.getattr = hostfs_getattr,
	.getxattr = hostfs_getxattr,
	.setxattr = hostfs_setxattr,
	.listxattr = hostfs_listxattr,
	.removexattr = hostfs_removexattr,
};
