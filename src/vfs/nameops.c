/*
 * nameops.c - operations on names: mkdirat, mknodat, symlinkat, linkat, unlinkat,
 * renameat2 and readlinkat, with Linux's checks in Linux's order (the order decides
 * which errno a caller sees when several apply; tests/oracle compares with the kernel).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

static bool is_mountpoint(const struct dentry *d)
{
	return d->d_mounted > 0;
}

static int may_create(struct inode *dir, const struct cred *cred)
{
	if (dir->i_nlink == 0)
		return -ENOENT;
	return inode_permission(dir, MAY_WRITE | MAY_EXEC, cred);
}

/* Linux's may_delete(). */
static int may_delete(struct inode *dir, struct dentry *victim, bool isdir,
		      const struct cred *cred)
{
	int err;

	if (d_is_negative(victim))
		return -ENOENT;
	err = inode_permission(dir, MAY_WRITE | MAY_EXEC, cred);
	if (err)
		return err;
	if (!may_delete_sticky(dir, victim->d_inode, cred))
		return -EPERM;
	if (isdir) {
		if (!d_is_dir(victim))
			return -ENOTDIR;
		if (victim->d_flags & D_ROOT)
			return -EBUSY;
	} else if (d_is_dir(victim)) {
		return -EISDIR;
	}
	if (dir->i_nlink == 0)
		return -ENOENT;
	return 0;
}

/* The mode a new inode gets: umask applied, setgid inheritance (Linux's
 * vfs_prepare_mode and inode_init_owner). */
static void new_inode_owner(struct vfs_new_inode *ni, struct inode *dir, uint32_t mode,
			    const struct task *t)
{
	const struct cred *c = t->cred;

	ni->mode = mode;
	ni->uid = c->fsuid;
	ni->gid = c->fsgid;
	ni->rdev = 0;
	if (dir->i_mode & S_ISGID) {
		ni->gid = dir->i_gid;
		if (S_ISDIR(mode)) {
			ni->mode |= S_ISGID;
		} else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
			   !cred_in_group(c, dir->i_gid) && !capable(c, CAP_FSETID)) {
			ni->mode &= ~(uint32_t)S_ISGID;
		}
	}
}

/*
 * Linux's filename_create(): the parent walk and a negative dentry for the new name.
 * EEXIST wins over EROFS; a trailing slash is only for directories (ENOENT).
 */
static int filename_create(struct task *t, int dirfd, const char *path, bool is_dir,
			   struct nameparent *np, struct dentry **out)
{
	struct dentry *d;
	int err, rofs;

	err = path_parentat(t, dirfd, path, 0, np);
	if (err)
		return err;
	if (np->type != LAST_NORM) {
		err = -EEXIST;
		goto out_np;
	}
	rofs = mnt_readonly(np->dir.mnt) ? -EROFS : 0;
	d = lookup_one(np->dir.dentry, np->last, np->last_len);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_np;
	}
	if (d->d_inode) {
		err = -EEXIST;
		goto out_d;
	}
	if (np->trailing_slash && !is_dir) {
		err = -ENOENT;
		goto out_d;
	}
	if (rofs) {
		err = rofs;
		goto out_d;
	}
	*out = d;
	return 0;
out_d:
	d_put(d);
out_np:
	nameparent_release(np);
	return err;
}

int vfs_mkdirat(struct task *t, int dirfd, const char *path, mode_t mode)
{
	struct nameparent np;
	struct vfs_new_inode ni;
	struct inode *dir;
	struct dentry *d;
	int err;

	task_enter(t);
	err = filename_create(t, dirfd, path, true, &np, &d);
	if (err)
		goto out;
	dir = np.dir.dentry->d_inode;
	err = may_create(dir, t->cred);
	if (err)
		goto out_d;
	if (!dir->i_op->mkdir) {
		err = -EPERM;
		goto out_d;
	}
	/* mkdir keeps only the permission and sticky bits (setgid comes from the parent). */
	new_inode_owner(&ni, dir, S_IFDIR | (mode & 01777 & ~t->umask), t);
	err = dir->i_op->mkdir(dir, d, &ni);
out_d:
	d_put(d);
	nameparent_release(&np);
out:
	task_leave(t);
	return err;
}

/* Create a non-directory at (np, d); shared by mknodat and open(O_CREAT). */
int vfs_create_locked(struct task *t, struct inode *dir, struct dentry *d, uint32_t mode,
		      uint32_t dev)
{
	struct vfs_new_inode ni;
	bool whiteout = S_ISCHR(mode) && dev == 0;
	int err;

	err = may_create(dir, t->cred);
	if (err)
		return err;
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && !whiteout && !capable(t->cred, CAP_MKNOD))
		return -EPERM;
	if (!dir->i_op->mknod)
		return -EPERM;
	new_inode_owner(&ni, dir, mode, t);
	ni.rdev = (S_ISCHR(mode) || S_ISBLK(mode)) ? dev : 0;
	return dir->i_op->mknod(dir, d, &ni);
}

int vfs_mknodat(struct task *t, int dirfd, const char *path, mode_t mode, uint32_t dev)
{
	struct nameparent np;
	struct dentry *d;
	uint32_t type = mode & S_IFMT;
	int err;

	task_enter(t);
	switch (type) {
	case 0:
		type = S_IFREG;
		break;
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		err = -EPERM;
		goto out;
	default:
		err = -EINVAL;
		goto out;
	}
	err = filename_create(t, dirfd, path, false, &np, &d);
	if (err)
		goto out;
	err = vfs_create_locked(t, np.dir.dentry->d_inode, d, type | (mode & 07777 & ~t->umask),
				dev);
	d_put(d);
	nameparent_release(&np);
out:
	task_leave(t);
	return err;
}

int vfs_symlinkat(struct task *t, const char *target, int dirfd, const char *path)
{
	struct nameparent np;
	struct vfs_new_inode ni;
	struct inode *dir;
	struct dentry *d;
	size_t tlen;
	int err;

	task_enter(t);
	if (!target) {
		err = -EFAULT;
		goto out;
	}
	tlen = strnlen(target, VFS_PATH_MAX);
	if (tlen == 0) {
		err = -ENOENT;
		goto out;
	}
	if (tlen >= VFS_PATH_MAX) {
		err = -ENAMETOOLONG;
		goto out;
	}
	err = filename_create(t, dirfd, path, false, &np, &d);
	if (err)
		goto out;
	dir = np.dir.dentry->d_inode;
	err = may_create(dir, t->cred);
	if (err)
		goto out_d;
	if (!dir->i_op->symlink) {
		err = -EPERM;
		goto out_d;
	}
	new_inode_owner(&ni, dir, S_IFLNK | 0777, t);
	err = dir->i_op->symlink(dir, d, target, &ni);
out_d:
	d_put(d);
	nameparent_release(&np);
out:
	task_leave(t);
	return err;
}

/* fs.protected_hardlinks=1 (Debian's default through systemd): a non-owner may only
 * link to a regular, non-setuid, non-setgid-exec file it can read and write. */
static int may_linkat(struct inode *inode, const struct cred *cred)
{
	if (inode_owner_or_capable(inode, cred))
		return 0;
	if (!S_ISREG(inode->i_mode))
		return -EPERM;
	if (inode->i_mode & S_ISUID)
		return -EPERM;
	if ((inode->i_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		return -EPERM;
	if (inode_permission(inode, MAY_READ | MAY_WRITE, cred))
		return -EPERM;
	return 0;
}

int vfs_linkat(struct task *t, int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags)
{
	struct path old;
	struct nameparent np;
	struct dentry *d;
	struct inode *dir, *inode;
	unsigned lf = 0;
	int err;

	task_enter(t);
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
		err = -EINVAL;
		goto out;
	}
	if (flags & AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH) {
		if (!capable(t->cred, CAP_DAC_READ_SEARCH)) {
			err = -ENOENT;
			goto out;
		}
		lf |= LOOKUP_EMPTY;
	}
	err = path_lookupat(t, olddirfd, oldpath, lf, &old);
	if (err)
		goto out;
	err = filename_create(t, newdirfd, newpath, false, &np, &d);
	if (err)
		goto out_old;
	err = -EXDEV;
	if (old.mnt != np.dir.mnt)
		goto out_new;
	inode = old.dentry->d_inode;
	err = may_linkat(inode, t->cred);
	if (err)
		goto out_new;
	dir = np.dir.dentry->d_inode;
	err = may_create(dir, t->cred);
	if (err)
		goto out_new;
	err = -EXDEV;
	if (dir->i_sb != inode->i_sb)
		goto out_new;
	err = -EPERM;
	if (!dir->i_op->link || S_ISDIR(inode->i_mode))
		goto out_new;
	err = -ENOENT;
	if (inode->i_nlink == 0)
		goto out_new;
	err = dir->i_op->link(old.dentry, dir, d);
out_new:
	d_put(d);
	nameparent_release(&np);
out_old:
	path_put(&old);
out:
	task_leave(t);
	return err;
}

static int do_rmdir(struct task *t, int dirfd, const char *path)
{
	struct nameparent np;
	struct inode *dir;
	struct dentry *d;
	int err;

	err = path_parentat(t, dirfd, path, 0, &np);
	if (err)
		return err;
	switch (np.type) {
	case LAST_DOTDOT:
		err = -ENOTEMPTY;
		goto out_np;
	case LAST_DOT:
		err = -EINVAL;
		goto out_np;
	case LAST_ROOT:
		err = -EBUSY;
		goto out_np;
	default:
		break;
	}
	err = -EROFS;
	if (mnt_readonly(np.dir.mnt))
		goto out_np;
	d = lookup_one(np.dir.dentry, np.last, np.last_len);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_np;
	}
	dir = np.dir.dentry->d_inode;
	err = may_delete(dir, d, true, t->cred);
	if (err)
		goto out_d;
	err = -EBUSY;
	if (is_mountpoint(d))
		goto out_d;
	err = -EPERM;
	if (!dir->i_op->rmdir)
		goto out_d;
	err = -ENOTEMPTY;
	if (!dir->i_op->lookup && d->d_dir && d->d_dir->positive)
		goto out_d;
	err = dir->i_op->rmdir(dir, d);
	if (!err)
		d_delete(d);
out_d:
	d_put(d);
out_np:
	nameparent_release(&np);
	return err;
}

static int do_unlink(struct task *t, int dirfd, const char *path)
{
	struct nameparent np;
	struct inode *dir;
	struct dentry *d;
	int err;

	err = path_parentat(t, dirfd, path, 0, &np);
	if (err)
		return err;
	err = -EISDIR;
	if (np.type != LAST_NORM)
		goto out_np;
	err = -EROFS;
	if (mnt_readonly(np.dir.mnt))
		goto out_np;
	d = lookup_one(np.dir.dentry, np.last, np.last_len);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_np;
	}
	if (np.trailing_slash || d_is_negative(d)) {
		if (d_is_negative(d))
			err = -ENOENT;
		else if (d_is_dir(d))
			err = -EISDIR;
		else
			err = -ENOTDIR;
		goto out_d;
	}
	dir = np.dir.dentry->d_inode;
	err = may_delete(dir, d, false, t->cred);
	if (err)
		goto out_d;
	err = -EBUSY;
	if (is_mountpoint(d))
		goto out_d;
	err = -EPERM;
	if (!dir->i_op->unlink)
		goto out_d;
	err = dir->i_op->unlink(dir, d);
	if (!err)
		d_delete(d);
out_d:
	d_put(d);
out_np:
	nameparent_release(&np);
	return err;
}

int vfs_unlinkat(struct task *t, int dirfd, const char *path, int flags)
{
	int err;

	task_enter(t);
	if (flags & ~AT_REMOVEDIR)
		err = -EINVAL;
	else if (flags & AT_REMOVEDIR)
		err = do_rmdir(t, dirfd, path);
	else
		err = do_unlink(t, dirfd, path);
	task_leave(t);
	return err;
}

/* Is a an ancestor of (or equal to) b within one superblock's tree? */
static bool d_is_ancestor(const struct dentry *a, const struct dentry *b)
{
	for (;;) {
		if (a == b)
			return true;
		if (b->d_parent == b)
			return false;
		b = b->d_parent;
	}
}

/* Linux's lock_rename() trap: the child of one parent on the way down to the other. */
static struct dentry *rename_trap(struct dentry *p1, struct dentry *p2)
{
	struct dentry *d;

	if (p1 == p2)
		return NULL;
	for (d = p1; d->d_parent != d; d = d->d_parent)
		if (d->d_parent == p2)
			return d;
	for (d = p2; d->d_parent != d; d = d->d_parent)
		if (d->d_parent == p1)
			return d;
	return NULL;
}

static bool dir_nonempty(const struct dentry *d)
{
	return d->d_dir && d->d_dir->positive > 0;
}

/*
 * RENAME_WHITEOUT on a filesystem whose dcache is the filesystem: Linux's shmem_whiteout.
 * The whiteout (char 0:0, mode 0, owned by the caller) is made first under the old name,
 * so a failure leaves everything as it was; the rename then moves the old dentry away
 * and the whiteout stays. name (target's name, for d_move) is consumed on success.
 */
static int rename_whiteout(struct task *t, struct inode *odir, struct dentry *od,
			   struct inode *ndir, struct dentry *nd, unsigned flags, char *name)
{
	struct vfs_new_inode ni;
	struct dentry *wd;
	int err;

	if (!odir->i_op->mknod)
		return -EINVAL;
	wd = d_alloc(od->d_parent, od->d_name, od->d_namelen);
	if (IS_ERR(wd))
		return (int)PTR_ERR(wd);
	new_inode_owner(&ni, odir, S_IFCHR, t);
	ni.rdev = 0;
	err = odir->i_op->mknod(odir, wd, &ni);
	if (err)
		goto out_wd;
	err = odir->i_op->rename(odir, od, ndir, nd, flags & ~(unsigned)RENAME_WHITEOUT);
	if (err) {
		if (odir->i_op->unlink && odir->i_op->unlink(odir, wd) == 0)
			d_delete(wd);
		goto out_wd;
	}
	d_move(od, nd, name);
	d_put(wd);
	return 0;
out_wd:
	d_unhash(wd);
	d_put(wd);
	return err;
}

static int vfs_rename_locked(struct task *t, struct inode *odir, struct dentry *od,
			     struct inode *ndir, struct dentry *nd, unsigned flags)
{
	const struct cred *c = t->cred;
	bool is_dir = d_is_dir(od), new_is_dir = nd->d_inode && d_is_dir(nd);
	char *name_a = NULL, *name_b = NULL;
	int err;

	if (od->d_inode == nd->d_inode)
		return 0;
	err = may_delete(odir, od, is_dir, c);
	if (err)
		return err;
	if (!nd->d_inode)
		err = may_create(ndir, c);
	else if (flags & RENAME_EXCHANGE)
		err = may_delete(ndir, nd, new_is_dir, c);
	else
		err = may_delete(ndir, nd, is_dir, c);
	if (err)
		return err;
	if (!odir->i_op->rename)
		return -EPERM;
	/* Moving a directory to another parent rewrites its `..`. */
	if (odir != ndir) {
		if (is_dir && (err = inode_permission(od->d_inode, MAY_WRITE, c)) != 0)
			return err;
		if ((flags & RENAME_EXCHANGE) && new_is_dir &&
		    (err = inode_permission(nd->d_inode, MAY_WRITE, c)) != 0)
			return err;
	}
	if (is_mountpoint(od) || is_mountpoint(nd))
		return -EBUSY;
	if (!odir->i_op->lookup && nd->d_inode && new_is_dir && !(flags & RENAME_EXCHANGE) &&
	    dir_nonempty(nd))
		return -ENOTEMPTY;
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
	if ((flags & RENAME_WHITEOUT) && !odir->i_op->lookup) {
		/* The dcache is the filesystem (tmpfs): leave the whiteout here. */
		err = rename_whiteout(t, odir, od, ndir, nd, flags, name_a);
		if (err)
			vl_free(name_a);
		return err;
	}
	err = odir->i_op->rename(odir, od, ndir, nd, flags);
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

int vfs_renameat2(struct task *t, int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, unsigned flags)
{
	struct nameparent op, np;
	struct dentry *od = NULL, *nd = NULL, *trap;
	int err;

	task_enter(t);
	err = -EINVAL;
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		goto out;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		goto out;
	if ((flags & RENAME_WHITEOUT) && (flags & RENAME_EXCHANGE))
		goto out;
	err = -EPERM;
	if ((flags & RENAME_WHITEOUT) && !capable(t->cred, CAP_MKNOD))
		goto out;
	err = path_parentat(t, olddirfd, oldpath, 0, &op);
	if (err)
		goto out;
	err = path_parentat(t, newdirfd, newpath, 0, &np);
	if (err)
		goto out_op;
	err = -EXDEV;
	if (op.dir.mnt != np.dir.mnt)
		goto out_np;
	err = -EBUSY;
	if (op.type != LAST_NORM)
		goto out_np;
	if (np.type != LAST_NORM) {
		if (flags & RENAME_NOREPLACE)
			err = -EEXIST;
		goto out_np;
	}
	err = -EROFS;
	if (mnt_readonly(op.dir.mnt))
		goto out_np;
	od = lookup_one(op.dir.dentry, op.last, op.last_len);
	if (IS_ERR(od)) {
		err = (int)PTR_ERR(od);
		od = NULL;
		goto out_np;
	}
	err = -ENOENT;
	if (d_is_negative(od))
		goto out_d;
	nd = lookup_one(np.dir.dentry, np.last, np.last_len);
	if (IS_ERR(nd)) {
		err = (int)PTR_ERR(nd);
		nd = NULL;
		goto out_d;
	}
	err = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && nd->d_inode)
		goto out_d;
	if (flags & RENAME_EXCHANGE) {
		err = -ENOENT;
		if (d_is_negative(nd))
			goto out_d;
		err = -ENOTDIR;
		if (!d_is_dir(nd) && np.trailing_slash)
			goto out_d;
	}
	if (!d_is_dir(od)) {
		err = -ENOTDIR;
		if (op.trailing_slash)
			goto out_d;
		if (!(flags & RENAME_EXCHANGE) && np.trailing_slash)
			goto out_d;
	}
	trap = rename_trap(np.dir.dentry, op.dir.dentry);
	err = -EINVAL;
	if (od == trap)
		goto out_d;
	if (nd == trap) {
		err = (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
		goto out_d;
	}
	/* Also a move of a directory below itself through another path (defensive). */
	if (d_is_dir(od) && d_is_ancestor(od, np.dir.dentry))
		goto out_d;
	if (nd->d_inode && d_is_dir(nd) && (flags & RENAME_EXCHANGE) &&
	    d_is_ancestor(nd, op.dir.dentry))
		goto out_d;
	err = vfs_rename_locked(t, op.dir.dentry->d_inode, od, np.dir.dentry->d_inode, nd, flags);
out_d:
	if (nd)
		d_put(nd);
	d_put(od);
out_np:
	nameparent_release(&np);
out_op:
	nameparent_release(&op);
out:
	task_leave(t);
	return err;
}

ssize_t vfs_readlinkat(struct task *t, int dirfd, const char *path, char *buf, size_t len)
{
	struct path p;
	struct inode *inode;
	ssize_t n;
	int err;

	task_enter(t);
	if ((ssize_t)len <= 0) {
		n = -EINVAL;
		goto out;
	}
	if (!buf) {
		n = -EFAULT;
		goto out;
	}
	err = path_lookupat(t, dirfd, path, LOOKUP_EMPTY, &p);
	if (err) {
		n = err;
		goto out;
	}
	inode = p.dentry->d_inode;
	if (!S_ISLNK(inode->i_mode) || !inode->i_op->readlink) {
		n = *path ? -EINVAL : -ENOENT;
	} else {
		n = inode->i_op->readlink(p.dentry, buf, len);
		if (n > (ssize_t)len)
			n = (ssize_t)len;
		if (n >= 0)
			touch_atime(&p);
	}
	path_put(&p);
out:
	task_leave(t);
	return n;
}
