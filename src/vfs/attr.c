/*
 * attr.c - inode attributes: chmod, chown, utimensat, truncate, faccessat, stat and
 * statfs, and the machinery under them (notify_change, setattr_copy, generic_fillattr,
 * the setuid/setgid clearing rules).
 *
 * The checks follow Linux 6.x (fs/attr.c setattr_prepare, setattr_should_drop_suidgid
 * and notify_change; fs/open.c chmod_common, chown_common, do_sys_truncate,
 * do_faccessat; fs/utimes.c; fs/stat.c; fs/statfs.c), in the same order, so the same
 * errno comes out when several apply. Linux splits them between notify_change and the
 * filesystem's setattr_prepare; here the VFS does all of them before notify_change,
 * which only applies a validated change (fs.h: filesystems trust the iattr).
 *
 * Every public function takes the VFS lock through task_enter() and releases it through
 * task_leave(); everything below them runs with the lock held.
 */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "internal.h"

#ifndef AT_NO_AUTOMOUNT
#define AT_NO_AUTOMOUNT 0x800
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE 0x6000
#endif
#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif
/* statfs(2) sets it in f_flags to say the flags are meaningful (glibc's statvfs strips it). */
#define ST_VALID_FLAG 0x0020

#define MODE_ALL_BITS 07777u
#define NSEC_PER_SEC 1000000000LL

/* Which of setuid/setgid a change must clear (Linux's ATTR_KILL_SUID/SGID). */
#define KILL_SUID (1u << 0)
#define KILL_SGID (1u << 1)

/* --------------------------------------------------------------------------------- */
/* Generic helpers for filesystems (fs.h) */

/* Copy the validated changes of attr into inode; the size is the filesystem's job. */
void setattr_copy(struct inode *inode, const struct iattr *attr)
{
	if (attr->valid & ATTR_UID)
		inode->i_uid = attr->uid;
	if (attr->valid & ATTR_GID)
		inode->i_gid = attr->gid;
	if (attr->valid & ATTR_MODE)
		inode->i_mode = (inode->i_mode & ~MODE_ALL_BITS) | (attr->mode & MODE_ALL_BITS);
	if (attr->valid & ATTR_ATIME)
		inode->i_atime = attr->atime_ns;
	if (attr->valid & ATTR_MTIME)
		inode->i_mtime = attr->mtime_ns;
	if (attr->valid & ATTR_CTIME)
		inode->i_ctime = attr->ctime_ns;
}

/* Fill st from the generic inode. Block counts are estimated from the size (the generic
 * inode keeps no block count); a sparse filesystem supplies its own getattr. */
void generic_fillattr(struct inode *inode, struct vfs_stat *st)
{
	uint32_t blksize = 4096;

	if (inode->i_sb && inode->i_sb->s_blocksize)
		blksize = inode->i_sb->s_blocksize;
	memset(st, 0, sizeof(*st));
	st->mode = inode->i_mode;
	st->nlink = inode->i_nlink;
	st->uid = inode->i_uid;
	st->gid = inode->i_gid;
	st->ino = inode->i_ino;
	st->size = inode->i_size;
	st->blksize = blksize;
	if (inode->i_size > 0 &&
	    (S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode) || S_ISLNK(inode->i_mode))) {
		uint64_t nblk = ((uint64_t)inode->i_size + blksize - 1) / blksize;

		st->blocks = (int64_t)(nblk * (blksize / 512));
	}
	st->dev = inode->i_sb ? inode->i_sb->s_dev : 0;
	st->rdev = inode->i_rdev;
	st->atime_ns = inode->i_atime;
	st->mtime_ns = inode->i_mtime;
	st->ctime_ns = inode->i_ctime;
}

/* --------------------------------------------------------------------------------- */
/* notify_change and the setuid/setgid rules */

/*
 * Apply attr (already validated by the caller) to d's inode. ctime becomes now unless
 * the caller passes ATTR_CTIME with its own value (the way to leave ctime unchanged).
 * A mode change on a symlink is refused with EOPNOTSUPP, as Linux 6.x's notify_change.
 */
int notify_change(struct dentry *d, struct iattr *attr)
{
	struct inode *inode = d->d_inode;

	if ((attr->valid & ATTR_MODE) && S_ISLNK(inode->i_mode))
		return -EOPNOTSUPP;
	if (!(attr->valid & ATTR_CTIME)) {
		attr->valid |= ATTR_CTIME;
		attr->ctime_ns = vfs_now(d->d_sb->s_vfs);
	}
	if (inode->i_op && inode->i_op->setattr)
		return inode->i_op->setattr(d, attr);
	/* Without a setattr op the size cannot change: there is no data to resize. */
	if ((attr->valid & ATTR_SIZE) && attr->size != inode->i_size)
		return -EPERM;
	setattr_copy(inode, attr);
	return 0;
}

/* Linux's in_group_or_capable(): may cred keep setgid on a file of group gid? */
static bool in_group_or_capable(const struct cred *cred, gid_t gid)
{
	return cred_in_group(cred, gid) || capable(cred, CAP_FSETID);
}

/* Linux's setattr_should_drop_sgid(): setgid with group-exec is a real setgid program
 * and always goes; without group-exec it is kept for members of the group. */
static unsigned should_drop_sgid(const struct inode *inode, const struct cred *cred)
{
	if (!(inode->i_mode & S_ISGID))
		return 0;
	if (inode->i_mode & S_IXGRP)
		return KILL_SGID;
	if (!in_group_or_capable(cred, inode->i_gid))
		return KILL_SGID;
	return 0;
}

/* Linux's setattr_should_drop_suidgid(): what a write or truncate by cred must clear
 * (nothing for CAP_FSETID holders, nothing for non-regular files). */
static unsigned should_drop_suidgid(const struct inode *inode, const struct cred *cred)
{
	unsigned kill = 0;

	if (inode->i_mode & S_ISUID)
		kill = KILL_SUID;
	kill |= should_drop_sgid(inode, cred);
	if (kill && !capable(cred, CAP_FSETID) && S_ISREG(inode->i_mode))
		return kill;
	return 0;
}

/* Fold kill into attr as a mode change (notify_change's ATTR_KILL_S*ID handling); true
 * when a bit is actually set and so the mode changes. */
static bool apply_kill(const struct inode *inode, unsigned kill, struct iattr *attr)
{
	uint32_t mode = (attr->valid & ATTR_MODE) ? attr->mode : inode->i_mode;
	bool changed = false;

	if ((kill & KILL_SUID) && (inode->i_mode & S_ISUID)) {
		mode &= ~(uint32_t)S_ISUID;
		changed = true;
	}
	if ((kill & KILL_SGID) && (inode->i_mode & S_ISGID)) {
		mode &= ~(uint32_t)S_ISGID;
		changed = true;
	}
	if (changed) {
		attr->valid |= ATTR_MODE;
		attr->mode = mode;
	}
	return changed;
}

int file_remove_privs(struct file *f, const struct cred *cred)
{
	struct inode *inode = f->f_inode;
	struct iattr ia = { 0 };
	unsigned kill;

	if (!S_ISREG(inode->i_mode))
		return 0;
	kill = should_drop_suidgid(inode, cred);
	if (!kill || !apply_kill(inode, kill, &ia))
		return 0;
	return notify_change(f->f_path.dentry, &ia);
}

/* --------------------------------------------------------------------------------- */
/* Truncation */

/*
 * The body of truncate/ftruncate/O_TRUNC. time_always: ftruncate and O_TRUNC update
 * mtime and ctime even when the size does not change; truncate(2) on tmpfs updates them
 * only when it does (Linux leaves this to the filesystem; shmem_setattr does so, and
 * that is what userspace sees).
 */
static int truncate_common(struct dentry *d, int64_t len, bool time_always, const struct cred *cred)
{
	struct inode *inode = d->d_inode;
	struct iattr ia = { .valid = ATTR_SIZE, .size = len };
	unsigned kill;

	if (len < 0)
		return -EINVAL;
	/* Truncation is a write: it takes setuid/setgid away as a write would (a caller
	 * with no credentials to offer is treated as an unprivileged writer). */
	if (cred)
		kill = should_drop_suidgid(inode, cred);
	else
		kill = S_ISREG(inode->i_mode) ? KILL_SUID | KILL_SGID : 0;
	if (kill)
		apply_kill(inode, kill, &ia);
	if (time_always || len != inode->i_size) {
		int64_t now = vfs_now(d->d_sb->s_vfs);

		ia.valid |= ATTR_MTIME | ATTR_CTIME;
		ia.mtime_ns = now;
		ia.ctime_ns = now;
	} else {
		/* Nothing visible changes but possibly the mode: keep ctime as tmpfs does. */
		ia.valid |= ATTR_CTIME;
		ia.ctime_ns = inode->i_ctime;
	}
	return notify_change(d, &ia);
}

int do_truncate(const struct path *p, int64_t len, struct file *filp)
{
	return truncate_common(p->dentry, len, filp != NULL, filp ? filp->f_cred : NULL);
}

int vfs_truncate(struct task *t, const char *path, off_t len)
{
	struct path p;
	struct inode *inode;
	int err;

	task_enter(t);
	if (!path) {
		err = -EFAULT;
		goto out;
	}
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	err = path_lookupat(t, AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		goto out;
	inode = p.dentry->d_inode;
	if (S_ISDIR(inode->i_mode)) {
		err = -EISDIR;
		goto out_path;
	}
	if (!S_ISREG(inode->i_mode)) {
		err = -EINVAL;
		goto out_path;
	}
	err = inode_permission(inode, MAY_WRITE, t->cred);
	if (err)
		goto out_path;
	if (mnt_readonly(p.mnt)) {
		err = -EROFS;
		goto out_path;
	}
	err = truncate_common(p.dentry, len, false, t->cred);
out_path:
	path_put(&p);
out:
	task_leave(t);
	return err;
}

int vfs_ftruncate(struct task *t, int fd, off_t len)
{
	struct file *f;
	int err;

	task_enter(t);
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	f = file_lookup(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out;
	}
	if (f->f_mode & FMODE_PATH) {
		err = -EBADF;
		goto out_file;
	}
	if (!S_ISREG(f->f_inode->i_mode) || !(f->f_mode & FMODE_WRITE)) {
		err = -EINVAL;
		goto out_file;
	}
	err = truncate_common(f->f_path.dentry, len, true, t->cred);
out_file:
	file_put(f);
out:
	task_leave(t);
	return err;
}

/* --------------------------------------------------------------------------------- */
/* chmod */

static int chmod_common(const struct path *p, mode_t mode, const struct cred *cred)
{
	struct inode *inode = p->dentry->d_inode;
	struct iattr ia = { .valid = ATTR_MODE };

	if (mnt_readonly(p->mnt))
		return -EROFS;
	/* Linux refuses before any ownership check (notify_change precedes setattr_prepare). */
	if (S_ISLNK(inode->i_mode))
		return -EOPNOTSUPP;
	if (!inode_owner_or_capable(inode, cred))
		return -EPERM;
	ia.mode = ((uint32_t)mode & MODE_ALL_BITS) | (inode->i_mode & ~MODE_ALL_BITS);
	/* setgid on a file of a group one is not in would be a way into that group. */
	if (!in_group_or_capable(cred, inode->i_gid))
		ia.mode &= ~(uint32_t)S_ISGID;
	return notify_change(p->dentry, &ia);
}

int vfs_fchmodat(struct task *t, int dirfd, const char *path, mode_t mode, int flags)
{
	unsigned lookup = LOOKUP_FOLLOW;
	struct path p;
	int err;

	task_enter(t);
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		err = -EINVAL;
		goto out;
	}
	if (!path) {
		err = -EFAULT;
		goto out;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		lookup &= ~LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out;
	err = chmod_common(&p, mode, t->cred);
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/* The file behind fd for an operation that needs a real open file: O_PATH descriptors
 * give EBADF, as Linux's fdget() (not fdget_raw()) does. */
static struct file *file_lookup_nopath(struct task *t, int fd)
{
	struct file *f = file_lookup(t, fd);

	if (!IS_ERR(f) && (f->f_mode & FMODE_PATH)) {
		file_put(f);
		return ERR_PTR(-EBADF);
	}
	return f;
}

int vfs_fchmod(struct task *t, int fd, mode_t mode)
{
	struct file *f;
	int err;

	task_enter(t);
	f = file_lookup_nopath(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out;
	}
	err = chmod_common(&f->f_path, mode, t->cred);
	file_put(f);
out:
	task_leave(t);
	return err;
}

/* --------------------------------------------------------------------------------- */
/* chown */

/* Linux's chown_ok(): the owner may "change" the uid to itself; otherwise CAP_CHOWN. */
static bool chown_ok(const struct inode *inode, uid_t uid, const struct cred *cred)
{
	if (inode->i_uid == cred->fsuid && uid == inode->i_uid)
		return true;
	return capable(cred, CAP_CHOWN);
}

/* Linux's chgrp_ok(): the owner may give the file to its own group or one of its
 * groups; otherwise CAP_CHOWN. */
static bool chgrp_ok(const struct inode *inode, gid_t gid, const struct cred *cred)
{
	if (inode->i_uid == cred->fsuid && (gid == inode->i_gid || cred_in_group(cred, gid)))
		return true;
	return capable(cred, CAP_CHOWN);
}

/*
 * chown_common() and the checks Linux's setattr_prepare() makes of it. A non-directory
 * always loses setuid (root's chown too, and chown(-1, -1) counts), and setgid when it
 * is a real setgid program (group-exec) or the caller is not in its group. ctime is
 * updated even when nothing else changes.
 */
static int chown_common(const struct path *p, uid_t uid, gid_t gid, const struct cred *cred)
{
	struct inode *inode = p->dentry->d_inode;
	struct iattr ia = { 0 };
	unsigned kill = 0;

	if (mnt_readonly(p->mnt))
		return -EROFS;
	if (uid != (uid_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (gid_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	if (!S_ISDIR(inode->i_mode))
		kill = KILL_SUID | should_drop_sgid(inode, cred);
	if ((ia.valid & ATTR_UID) && !chown_ok(inode, uid, cred))
		return -EPERM;
	if ((ia.valid & ATTR_GID) && !chgrp_ok(inode, gid, cred))
		return -EPERM;
	if (apply_kill(inode, kill, &ia)) {
		/* Clearing the bits is a mode change, which only the owner may make. */
		if (!inode_owner_or_capable(inode, cred))
			return -EPERM;
		if (!in_group_or_capable(cred, (ia.valid & ATTR_GID) ? ia.gid : inode->i_gid))
			ia.mode &= ~(uint32_t)S_ISGID;
	}
	return notify_change(p->dentry, &ia);
}

int vfs_fchownat(struct task *t, int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	unsigned lookup = LOOKUP_FOLLOW;
	struct path p;
	int err;

	task_enter(t);
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		err = -EINVAL;
		goto out;
	}
	if (!path) {
		err = -EFAULT;
		goto out;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		lookup &= ~LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out;
	err = chown_common(&p, uid, gid, t->cred);
	path_put(&p);
out:
	task_leave(t);
	return err;
}

int vfs_fchown(struct task *t, int fd, uid_t uid, gid_t gid)
{
	struct file *f;
	int err;

	task_enter(t);
	f = file_lookup_nopath(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out;
	}
	err = chown_common(&f->f_path, uid, gid, t->cred);
	file_put(f);
out:
	task_leave(t);
	return err;
}

/* --------------------------------------------------------------------------------- */
/* utimensat */

static bool nsec_valid(long nsec)
{
	if (nsec == UTIME_OMIT || nsec == UTIME_NOW)
		return true;
	return nsec >= 0 && nsec < NSEC_PER_SEC;
}

/* Nanoseconds since the epoch, saturated to what int64_t holds (about ±292 years; Linux
 * keeps seconds in 64 bits and tmpfs accepts any). */
static int64_t ts_to_ns(const struct timespec *ts)
{
	int64_t sec = (int64_t)ts->tv_sec;

	if (sec > INT64_MAX / NSEC_PER_SEC - 1)
		return INT64_MAX;
	if (sec < INT64_MIN / NSEC_PER_SEC + 1)
		return INT64_MIN;
	return sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* Linux's vfs_utimes() with may_setattr() and setattr_prepare()'s time checks. */
static int utimes_common(const struct path *p, const struct timespec *times,
			 const struct cred *cred)
{
	struct inode *inode = p->dentry->d_inode;
	struct iattr ia = { .valid = ATTR_ATIME | ATTR_MTIME };
	int64_t now;

	if (times) {
		if (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec))
			return -EINVAL;
		if (times[0].tv_nsec == UTIME_NOW && times[1].tv_nsec == UTIME_NOW)
			times = NULL;
	}
	if (mnt_readonly(p->mnt))
		return -EROFS;
	if (!times) {
		/* Setting both to now is what any writer could do by writing. */
		if (!inode_owner_or_capable(inode, cred)) {
			int err = inode_permission(inode, MAY_WRITE, cred);

			if (err)
				return err;
		}
	} else if (!inode_owner_or_capable(inode, cred)) {
		/* Explicit times, or any UTIME_OMIT: only the owner. */
		return -EPERM;
	}
	now = vfs_now(p->dentry->d_sb->s_vfs);
	ia.atime_ns = ia.mtime_ns = now;
	if (times) {
		if (times[0].tv_nsec == UTIME_OMIT)
			ia.valid &= ~ATTR_ATIME;
		else if (times[0].tv_nsec != UTIME_NOW)
			ia.atime_ns = ts_to_ns(&times[0]);
		if (times[1].tv_nsec == UTIME_OMIT)
			ia.valid &= ~ATTR_MTIME;
		else if (times[1].tv_nsec != UTIME_NOW)
			ia.mtime_ns = ts_to_ns(&times[1]);
	}
	ia.valid |= ATTR_CTIME;
	ia.ctime_ns = now;
	return notify_change(p->dentry, &ia);
}

/*
 * utimensat(2). Both times UTIME_OMIT is a no-op that returns 0 before anything else is
 * looked at, path and flags included (Linux: "we must not even check the path"). A NULL
 * path with a descriptor is futimens(): no flags allowed, and an O_PATH descriptor is
 * EBADF (while "" with AT_EMPTY_PATH works on one).
 */
int vfs_utimensat(struct task *t, int dirfd, const char *path, const struct timespec times[2],
		  int flags)
{
	unsigned lookup = LOOKUP_FOLLOW;
	struct path p;
	int err;

	task_enter(t);
	if (times && times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) {
		err = 0;
		goto out;
	}
	if (!path && dirfd != AT_FDCWD) {
		struct file *f;

		if (flags) {
			err = -EINVAL;
			goto out;
		}
		f = file_lookup_nopath(t, dirfd);
		if (IS_ERR(f)) {
			err = (int)PTR_ERR(f);
			goto out;
		}
		err = utimes_common(&f->f_path, times, t->cred);
		file_put(f);
		goto out;
	}
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		err = -EINVAL;
		goto out;
	}
	if (!path) {
		err = -EFAULT;
		goto out;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		lookup &= ~LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out;
	err = utimes_common(&p, times, t->cred);
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/* --------------------------------------------------------------------------------- */
/* faccessat */

static bool special_file(uint32_t mode)
{
	return S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) || S_ISSOCK(mode);
}

/*
 * faccessat2(2). Without AT_EACCESS the whole call, path walk included, runs with the
 * real ids: fsuid/fsgid become uid/gid and the capabilities those of the real uid (all
 * for 0, none otherwise), as Linux's access_override_creds(). The temporary cred lives
 * on the stack and is installed as the task's only for the duration of the call (the
 * VFS lock is held throughout); it holds a reference of its own so balanced get/put
 * pairs below never free it.
 */
int vfs_faccessat(struct task *t, int dirfd, const char *path, int mode, int flags)
{
	const struct cred *saved = t->cred;
	struct cred tmp;
	unsigned lookup = LOOKUP_FOLLOW;
	struct inode *inode;
	struct path p;
	int err;

	task_enter(t);
	if (mode & ~(R_OK | W_OK | X_OK)) {
		err = -EINVAL;
		goto out;
	}
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		err = -EINVAL;
		goto out;
	}
	if (!path) {
		err = -EFAULT;
		goto out;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		lookup &= ~LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	if (!(flags & AT_EACCESS)) {
		tmp = *saved;
		tmp.refcount = 1;
		tmp.fsuid = saved->uid;
		tmp.fsgid = saved->gid;
		tmp.cap_effective = saved->uid == 0 ? ~(uint64_t)0 : 0;
		t->cred = &tmp;
	}
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out_cred;
	inode = p.dentry->d_inode;
	/* Execution from a noexec mount is refused whatever the bits say. */
	if ((mode & X_OK) && S_ISREG(inode->i_mode) && (p.mnt->mnt_flags & MNT_NOEXEC_F)) {
		err = -EACCES;
		goto out_path;
	}
	err = inode_permission(inode, mode | MAY_ACCESS, t->cred);
	/* SuS wants a read-only filesystem reported to W_OK, except for device files and
	 * the like, which stay writable there. */
	if (!err && (mode & W_OK) && !special_file(inode->i_mode) && mnt_readonly(p.mnt))
		err = -EROFS;
out_path:
	path_put(&p);
out_cred:
	t->cred = saved;
out:
	task_leave(t);
	return err;
}

/* --------------------------------------------------------------------------------- */
/* stat */

int vfs_getattr(const struct path *p, struct vfs_stat *st)
{
	struct dentry *d = p->dentry;
	struct inode *inode = d->d_inode;
	int err;

	if (inode->i_op && inode->i_op->getattr) {
		memset(st, 0, sizeof(*st));
		err = inode->i_op->getattr(d, st);
		if (err)
			return err;
		if (!st->dev)
			st->dev = d->d_sb->s_dev;
	} else {
		generic_fillattr(inode, st);
	}
	st->mnt_id = p->mnt->mnt_id;
	return 0;
}

int vfs_fstatat(struct task *t, int dirfd, const char *path, struct vfs_stat *st, int flags)
{
	unsigned lookup = LOOKUP_FOLLOW;
	struct path p;
	int err;

	task_enter(t);
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) {
		err = -EINVAL;
		goto out;
	}
	if (!path || !st) {
		err = -EFAULT;
		goto out;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		lookup &= ~LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	if (flags & AT_NO_AUTOMOUNT)
		lookup |= LOOKUP_NO_AUTOMOUNT;
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out;
	err = vfs_getattr(&p, st);
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/* fstat(2) works on O_PATH descriptors too. */
int vfs_fstat(struct task *t, int fd, struct vfs_stat *st)
{
	struct file *f;
	int err;

	task_enter(t);
	if (!st) {
		err = -EFAULT;
		goto out;
	}
	f = file_lookup(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out;
	}
	err = vfs_getattr(&f->f_path, st);
	file_put(f);
out:
	task_leave(t);
	return err;
}

/* --------------------------------------------------------------------------------- */
/* statfs */

/* Linux's calculate_f_flags(): the mount's flags, the superblock's, and ST_VALID. */
static uint64_t statfs_flags(const struct mount *m)
{
	uint64_t fl = ST_VALID_FLAG;

	if ((m->mnt_flags & MNT_RDONLY_F) || (m->mnt_sb->s_flags & SB_RDONLY))
		fl |= ST_RDONLY;
	if (m->mnt_flags & MNT_NOSUID_F)
		fl |= ST_NOSUID;
	if (m->mnt_flags & MNT_NODEV_F)
		fl |= ST_NODEV;
	if (m->mnt_flags & MNT_NOEXEC_F)
		fl |= ST_NOEXEC;
	if (m->mnt_flags & MNT_NOATIME_F)
		fl |= ST_NOATIME;
	if (m->mnt_flags & MNT_NODIRATIME_F)
		fl |= ST_NODIRATIME;
	if (m->mnt_flags & MNT_RELATIME_F)
		fl |= ST_RELATIME;
	return fl;
}

static int statfs_path(const struct path *p, struct vfs_statfs *st)
{
	struct super_block *sb = p->dentry->d_sb;
	int err;

	memset(st, 0, sizeof(*st));
	st->type = sb->s_magic;
	st->bsize = sb->s_blocksize ? sb->s_blocksize : 4096;
	st->namelen = VFS_NAME_MAX;
	st->dev = sb->s_dev;
	if (sb->s_op && sb->s_op->statfs) {
		err = sb->s_op->statfs(sb, st);
		if (err)
			return err;
	}
	if (!st->frsize)
		st->frsize = st->bsize;
	st->flags = statfs_flags(p->mnt);
	return 0;
}

int vfs_statfs(struct task *t, const char *path, struct vfs_statfs *st)
{
	struct path p;
	int err;

	task_enter(t);
	if (!path || !st) {
		err = -EFAULT;
		goto out;
	}
	err = path_lookupat(t, AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		goto out;
	err = statfs_path(&p, st);
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/* fstatfs(2) works on O_PATH descriptors too. */
int vfs_fstatfs(struct task *t, int fd, struct vfs_statfs *st)
{
	struct file *f;
	int err;

	task_enter(t);
	if (!st) {
		err = -EFAULT;
		goto out;
	}
	f = file_lookup(t, fd);
	if (IS_ERR(f)) {
		err = (int)PTR_ERR(f);
		goto out;
	}
	err = statfs_path(&f->f_path, st);
	file_put(f);
out:
	task_leave(t);
	return err;
}
