/*
 * inode.c - gofer inodes and the namespace: the inode cache by qid, lookup (Twalk +
 * Tgetattr), the directory operations mapped to their 9P messages, attributes, symlinks
 * and extended attributes.
 *
 * Caching. In exclusive mode (the default) the dcache is trusted, negative entries too,
 * and an inode's attributes are the truth until we change the file ourselves (then it is
 * marked stale and the next stat asks the server). With cache=remote_revalidating the
 * superblock drops unused dentries (SB_DROP_UNUSED), so every walk of a name not in use
 * asks the server again (a vanished or replaced file is seen at once), nothing negative is
 * kept, and every stat asks the server.
 *
 * The VFS has done the permission, type and emptiness checks it can; the server does its
 * own (ENOTEMPTY for a directory whose entries we never listed).
 */
#include <errno.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "fs/gofer/internal.h"

static const struct inode_operations gofer_dir_iops;
static const struct inode_operations gofer_file_iops;
static const struct inode_operations gofer_symlink_iops;

/* ---------------------------------------------------------------------------------- */
/* The inode cache */

static unsigned ihash_of(uint64_t path)
{
	return (unsigned)((path * 0x9e3779b97f4a7c15ull) >> 56) % GOFER_IHASH;
}

static void ihash_del(struct gofer_inode *gi)
{
	struct gofer_sb_info *sbi = GOFER_SB(gi->vfs_inode.i_sb);
	struct gofer_inode **pp;

	if (!gi->hashed)
		return;
	for (pp = &sbi->ihash[ihash_of(gi->qid.path)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == gi) {
			*pp = gi->hnext;
			break;
		}
	}
	gi->hashed = false;
}

static int64_t ts_ns(uint64_t sec, uint64_t nsec)
{
	return (int64_t)sec * 1000000000 + (int64_t)nsec;
}

void gofer_apply_attr(struct inode *inode, const struct p9_getattr *ga)
{
	struct gofer_sb_info *sbi = GOFER_SB(inode->i_sb);
	struct gofer_inode *gi = GOFER_I(inode);

	if (ga->valid & P9_GETATTR_MODE)
		inode->i_mode = (inode->i_mode & S_IFMT) | (ga->mode & 07777);
	if (ga->valid & P9_GETATTR_UID)
		inode->i_uid = ga->uid == P9_NONUNAME ? sbi->dfltuid : ga->uid;
	if (ga->valid & P9_GETATTR_GID)
		inode->i_gid = ga->gid == P9_NONUNAME ? sbi->dfltgid : ga->gid;
	if (ga->valid & P9_GETATTR_NLINK)
		inode->i_nlink = ga->nlink > UINT32_MAX ? UINT32_MAX : (uint32_t)ga->nlink;
	if (ga->valid & P9_GETATTR_RDEV)
		inode->i_rdev = VFS_MKDEV(major((dev_t)ga->rdev), minor((dev_t)ga->rdev));
	if (ga->valid & P9_GETATTR_SIZE)
		inode->i_size = ga->size > INT64_MAX ? INT64_MAX : (int64_t)ga->size;
	if (ga->valid & P9_GETATTR_ATIME)
		inode->i_atime = ts_ns(ga->atime_sec, ga->atime_nsec);
	if (ga->valid & P9_GETATTR_MTIME)
		inode->i_mtime = ts_ns(ga->mtime_sec, ga->mtime_nsec);
	if (ga->valid & P9_GETATTR_CTIME)
		inode->i_ctime = ts_ns(ga->ctime_sec, ga->ctime_nsec);
	if (ga->valid & P9_GETATTR_BLOCKS) {
		gi->blocks = ga->blocks > INT64_MAX ? INT64_MAX : (int64_t)ga->blocks;
		gi->blksize = ga->blksize > UINT32_MAX ? 4096 : (uint32_t)ga->blksize;
	}
	gi->stale = false;
}

int gofer_iget(struct super_block *sb, uint32_t fid, const struct p9_getattr *ga,
	       struct inode **out)
{
	struct gofer_sb_info *sbi = GOFER_SB(sb);
	uint32_t type = ga->mode & S_IFMT;
	struct vfs_new_inode ni = { .mode = ga->mode };
	struct gofer_inode *gi;
	struct inode *inode;

	switch (type) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFLNK:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK: break;
	default: p9_client_clunk_async(sbi->client, fid); return -EIO;
	}
	for (gi = sbi->ihash[ihash_of(ga->qid.path)]; gi; gi = gi->hnext) {
		inode = &gi->vfs_inode;
		if (gi->qid.path == ga->qid.path && (inode->i_mode & S_IFMT) == type) {
			p9_client_clunk_async(sbi->client, fid);
			gofer_apply_attr(inode, ga);
			*out = iget(inode);
			return 0;
		}
	}
	gi = vl_zalloc(sizeof(*gi));
	if (!gi) {
		p9_client_clunk_async(sbi->client, fid);
		return -ENOMEM;
	}
	obj_inc(OBJ_INODE);
	inode = &gi->vfs_inode;
	inode_init(inode, sb, &ni);
	inode->i_ino = ga->qid.path;
	gi->fid = fid;
	gi->qid = ga->qid;
	gi->blksize = 4096;
	gofer_apply_attr(inode, ga);
	switch (type) {
	case S_IFREG:
		inode->i_op = &gofer_file_iops;
		inode->i_fop = &gofer_file_fops;
		break;
	case S_IFDIR:
		inode->i_op = &gofer_dir_iops;
		inode->i_fop = &gofer_dir_fops;
		break;
	case S_IFLNK: inode->i_op = &gofer_symlink_iops; break;
	default: inode->i_op = &gofer_file_iops; break; /* the VFS opens devices and fifos */
	}
	/* A replaced file of another type keeps its inode but leaves the table. */
	gi->hnext = sbi->ihash[ihash_of(gi->qid.path)];
	sbi->ihash[ihash_of(gi->qid.path)] = gi;
	gi->hashed = true;
	*out = inode;
	return 0;
}

void gofer_destroy_inode(struct inode *inode)
{
	struct gofer_inode *gi = GOFER_I(inode);

	ihash_del(gi);
	if (gi->fid != P9_NOFID)
		p9_client_clunk_async(gofer_client(inode), gi->fid);
	vl_free(gi->symlink);
	obj_dec(OBJ_INODE);
	vl_free(gi);
}

/* ---------------------------------------------------------------------------------- */
/* Lookup */

/* Walk to name in dir and make dentry positive, or leave it negative (ENOENT). */
static int gofer_walk_name(struct inode *dir, struct dentry *dentry, bool *found)
{
	struct p9_client *c = gofer_client(dir);
	const char *name = dentry->d_name;
	struct p9_getattr ga;
	struct inode *inode;
	uint32_t fid;
	int err;

	*found = false;
	err = p9_client_walk(c, GOFER_I(dir)->fid, 1, &name, &fid, NULL);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	err = p9_client_getattr(c, fid, P9_GETATTR_BASIC, &ga);
	if (err) {
		p9_client_clunk_async(c, fid);
		return err == -ENOENT ? 0 : err;
	}
	err = gofer_iget(dir->i_sb, fid, &ga, &inode);
	if (err)
		return err;
	d_instantiate(dentry, inode);
	*found = true;
	return 0;
}

static int gofer_lookup(struct inode *dir, struct dentry *dentry)
{
	bool found;

	return gofer_walk_name(dir, dentry, &found);
}

/* After the server made dentry's name: find it and, when the server made it another
 * owner than the VFS decided (it creates as the attaching user), give it that owner. */
static int gofer_instantiate(struct inode *dir, struct dentry *dentry,
			     const struct vfs_new_inode *ni)
{
	struct inode *inode;
	bool found;
	int err = gofer_walk_name(dir, dentry, &found);

	if (err)
		return err;
	if (!found)
		return -ENOENT; /* removed already by someone else */
	inode = dentry->d_inode;
	if (ni && inode->i_uid != ni->uid && !S_ISLNK(inode->i_mode)) {
		struct p9_setattr sa = { .valid = P9_SETATTR_UID, .uid = ni->uid };

		if (p9_client_setattr(gofer_client(dir), GOFER_I(inode)->fid, &sa) == 0)
			inode->i_uid = ni->uid;
	}
	GOFER_I(dir)->stale = true;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Directory operations */

static int gofer_mknod(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	uint32_t mode = ni->mode;
	int err;

	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	if (S_ISDIR(mode) || S_ISLNK(mode))
		return -EINVAL;
	err = p9_client_mknod(gofer_client(dir), GOFER_I(dir)->fid, dentry->d_name, mode,
			      VFS_MAJOR(ni->rdev), VFS_MINOR(ni->rdev), ni->gid, NULL);
	if (err)
		return err;
	return gofer_instantiate(dir, dentry, ni);
}

static int gofer_mkdir(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	int err = p9_client_mkdir(gofer_client(dir), GOFER_I(dir)->fid, dentry->d_name,
				  ni->mode & 07777, ni->gid, NULL);

	if (err)
		return err;
	err = gofer_instantiate(dir, dentry, ni);
	/* The new directory's `..` is a link to dir, as v9fs's inc_nlink(dir): rmdir
	 * takes it back, and a count that only went down would make dir look removed. */
	if (!err)
		dir->i_nlink++;
	return err;
}

static int gofer_symlink(struct inode *dir, struct dentry *dentry, const char *target,
			 const struct vfs_new_inode *ni)
{
	int err = p9_client_symlink(gofer_client(dir), GOFER_I(dir)->fid, dentry->d_name, target,
				    ni->gid, NULL);

	if (err)
		return err;
	return gofer_instantiate(dir, dentry, ni);
}

static int gofer_link(struct dentry *old, struct inode *dir, struct dentry *new_dentry)
{
	struct inode *inode = old->d_inode;
	int err = p9_client_link(gofer_client(dir), GOFER_I(dir)->fid, GOFER_I(inode)->fid,
				 new_dentry->d_name);

	if (err)
		return err;
	inode->i_nlink++;
	GOFER_I(inode)->stale = true;
	GOFER_I(dir)->stale = true;
	d_instantiate(new_dentry, iget(inode));
	return 0;
}

static int gofer_remove(struct inode *dir, struct dentry *dentry, uint32_t flags)
{
	struct inode *inode = dentry->d_inode;
	int err;

	if (!inode)
		return -ENOENT;
	err = p9_client_unlinkat(gofer_client(dir), GOFER_I(dir)->fid, dentry->d_name, flags);
	if (err)
		return err;
	if (inode->i_nlink)
		inode->i_nlink--;
	if (flags && inode->i_nlink)
		inode->i_nlink--; /* a directory's "." */
	if (flags && dir->i_nlink)
		dir->i_nlink--;
	GOFER_I(inode)->stale = true;
	GOFER_I(dir)->stale = true;
	return 0;
}

static int gofer_unlink(struct inode *dir, struct dentry *dentry)
{
	return gofer_remove(dir, dentry, 0);
}

static int gofer_rmdir(struct inode *dir, struct dentry *dentry)
{
	return gofer_remove(dir, dentry, P9_DOTL_AT_REMOVEDIR);
}

/* 9P renames have no flags: RENAME_NOREPLACE is checked here against what the walk found
 * (as gVisor does), RENAME_EXCHANGE cannot be done atomically and is EINVAL. */
static int gofer_rename(struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
			struct dentry *new_dentry, unsigned flags)
{
	struct inode *inode = old_dentry->d_inode, *target = new_dentry->d_inode;
	int err;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if (target && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (inode == target)
		return 0;
	err = p9_client_renameat(gofer_client(old_dir), GOFER_I(old_dir)->fid, old_dentry->d_name,
				 GOFER_I(new_dir)->fid, new_dentry->d_name, GOFER_I(inode)->fid);
	if (err)
		return err;
	/* Keep the parents' cached link counts true to `..` (see gofer_mkdir). */
	if (S_ISDIR(inode->i_mode) && old_dir != new_dir) {
		if (old_dir->i_nlink)
			old_dir->i_nlink--;
		new_dir->i_nlink++;
	}
	if (target) {
		if (target->i_nlink)
			target->i_nlink--;
		if (S_ISDIR(target->i_mode) && target->i_nlink)
			target->i_nlink--;
		if (S_ISDIR(target->i_mode) && new_dir->i_nlink)
			new_dir->i_nlink--;
		GOFER_I(target)->stale = true;
	}
	GOFER_I(inode)->stale = true;
	GOFER_I(old_dir)->stale = true;
	GOFER_I(new_dir)->stale = true;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Symlinks */

static ssize_t gofer_readlink(struct dentry *dentry, char *buf, size_t len)
{
	struct inode *inode = dentry->d_inode;
	struct gofer_inode *gi = GOFER_I(inode);
	bool cache = !GOFER_SB(inode->i_sb)->revalidate;
	char *tmp;
	ssize_t n;

	if (cache && gi->symlink) {
		n = (ssize_t)strlen(gi->symlink);
		memcpy(buf, gi->symlink, MIN((size_t)n, len));
		return n;
	}
	tmp = vl_malloc(VFS_PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	n = p9_client_readlink(gofer_client(inode), gi->fid, tmp, VFS_PATH_MAX - 1);
	if (n >= 0) {
		if ((size_t)n > VFS_PATH_MAX - 1 || memchr(tmp, '\0', (size_t)n)) {
			vl_free(tmp);
			return -EIO;
		}
		memcpy(buf, tmp, MIN((size_t)n, len));
		tmp[n] = '\0';
		if (cache && !gi->symlink) {
			gi->symlink = tmp;
			tmp = NULL;
		}
	}
	vl_free(tmp);
	return n;
}

/* ---------------------------------------------------------------------------------- */
/* Attributes */

static int gofer_refresh(struct inode *inode)
{
	struct p9_getattr ga;
	int err =
		p9_client_getattr(gofer_client(inode), GOFER_I(inode)->fid, P9_GETATTR_BASIC, &ga);

	if (err)
		return err;
	if ((ga.mode & S_IFMT) != (inode->i_mode & S_IFMT))
		return -ESTALE;
	gofer_apply_attr(inode, &ga);
	return 0;
}

static int gofer_getattr(struct dentry *dentry, struct vfs_stat *st)
{
	struct inode *inode = dentry->d_inode;
	struct gofer_inode *gi = GOFER_I(inode);
	int err;

	if (gi->stale || GOFER_SB(inode->i_sb)->revalidate) {
		err = gofer_refresh(inode);
		if (err)
			return err;
	}
	generic_fillattr(inode, st);
	st->blocks = gi->blocks;
	st->blksize = gi->blksize;
	return 0;
}

static void split_ns(int64_t ns, uint64_t *sec, uint64_t *nsec)
{
	int64_t s = ns / 1000000000, n = ns % 1000000000;

	if (n < 0) {
		n += 1000000000;
		s--;
	}
	*sec = (uint64_t)s;
	*nsec = (uint64_t)n;
}

static int gofer_setattr(struct dentry *dentry, const struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;
	struct p9_setattr sa = { 0 };
	struct iattr rest = *attr;
	int err;

	if ((attr->valid & ATTR_SIZE) && !S_ISREG(inode->i_mode))
		return S_ISDIR(inode->i_mode) ? -EISDIR : -EINVAL;
	if (attr->valid & ATTR_MODE) {
		sa.valid |= P9_SETATTR_MODE;
		sa.mode = attr->mode & 07777;
	}
	if (attr->valid & ATTR_UID) {
		sa.valid |= P9_SETATTR_UID;
		sa.uid = attr->uid;
	}
	if (attr->valid & ATTR_GID) {
		sa.valid |= P9_SETATTR_GID;
		sa.gid = attr->gid;
	}
	if (attr->valid & ATTR_SIZE) {
		sa.valid |= P9_SETATTR_SIZE;
		sa.size = (uint64_t)attr->size;
	}
	if (attr->valid & ATTR_ATIME) {
		sa.valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
		split_ns(attr->atime_ns, &sa.atime_sec, &sa.atime_nsec);
	}
	if (attr->valid & ATTR_MTIME) {
		sa.valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
		split_ns(attr->mtime_ns, &sa.mtime_sec, &sa.mtime_nsec);
	}
	/* ctime alone (the VFS adds it to every change) is the server's to set. */
	if (sa.valid) {
		err = p9_client_setattr(gofer_client(inode), GOFER_I(inode)->fid, &sa);
		if (err)
			return err;
	}
	if (attr->valid & ATTR_SIZE) {
		inode->i_size = attr->size;
		rest.valid &= ~ATTR_SIZE;
	}
	setattr_copy(inode, &rest);
	GOFER_I(inode)->stale = true; /* ctime, blocks, cleared set-id bits: the server's */
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Extended attributes */

static ssize_t gofer_getxattr(struct dentry *dentry, const char *name, void *value, size_t size)
{
	struct inode *inode = dentry->d_inode;

	return p9_client_getxattr(gofer_client(inode), GOFER_I(inode)->fid, name, value, size);
}

static int gofer_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size,
			  int flags)
{
	struct inode *inode = dentry->d_inode;
	int err = p9_client_setxattr(gofer_client(inode), GOFER_I(inode)->fid, name, value, size,
				     flags);

	if (!err)
		GOFER_I(inode)->stale = true;
	return err;
}

static ssize_t gofer_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct inode *inode = dentry->d_inode;

	return p9_client_listxattr(gofer_client(inode), GOFER_I(inode)->fid, list, size);
}

static int gofer_removexattr(struct dentry *dentry, const char *name)
{
	struct inode *inode = dentry->d_inode;
	int err = p9_client_removexattr(gofer_client(inode), GOFER_I(inode)->fid, name);

	if (!err)
		GOFER_I(inode)->stale = true;
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Operations tables (NULL slots: the VFS's generic default, see fs.h) */

static const struct inode_operations gofer_dir_iops = {
	.lookup = gofer_lookup,
	.mknod = gofer_mknod,
	.mkdir = gofer_mkdir,
	.symlink = gofer_symlink,
	.link = gofer_link,
	.unlink = gofer_unlink,
	.rmdir = gofer_rmdir,
	.rename = gofer_rename,
	.setattr = gofer_setattr,
	.getattr = gofer_getattr,
	.getxattr = gofer_getxattr,
	.setxattr = gofer_setxattr,
	.listxattr = gofer_listxattr,
	.removexattr = gofer_removexattr,
};

static const struct inode_operations gofer_file_iops = {
	.setattr = gofer_setattr,
	.getattr = gofer_getattr,
	.getxattr = gofer_getxattr,
	.setxattr = gofer_setxattr,
	.listxattr = gofer_listxattr,
	.removexattr = gofer_removexattr,
};

static const struct inode_operations gofer_symlink_iops = {
	.readlink = gofer_readlink,
	.setattr = gofer_setattr,
	.getattr = gofer_getattr,
	.getxattr = gofer_getxattr,
	.setxattr = gofer_setxattr,
	.listxattr = gofer_listxattr,
	.removexattr = gofer_removexattr,
};
