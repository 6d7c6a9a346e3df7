/*
 * inode.c - tmpfs inodes and the namespace: allocation and freeing, the directory
 * operations (mknod, mkdir, symlink, link, unlink, rmdir, rename), attributes, and the
 * operations tables of each file type.
 *
 * The dentry cache is the filesystem (no lookup operation): a name exists while its
 * hashed positive dentry does, and each dentry holds one reference on its inode. Link
 * counts, directory sizes (20 bytes an entry, Linux's BOGO_DIRENT_SIZE) and times
 * follow Linux's mm/shmem.c and fs/libfs.c. The VFS has done every permission, type
 * and emptiness check before calling; the checks here are only defensive.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

/* Memory per file is a benchmark target: the inode must stay within a 128-byte chunk. */
_Static_assert(sizeof(struct tmpfs_inode) <= 120, "tmpfs inode grew past 120 bytes");

static const struct inode_operations tmpfs_dir_iops;
static const struct inode_operations tmpfs_file_iops;
static const struct inode_operations tmpfs_symlink_iops;
static const struct inode_operations tmpfs_special_iops;
static const struct file_operations tmpfs_dir_fops;
static const struct file_operations tmpfs_special_fops;

/* ---------------------------------------------------------------------------------- */
/* Allocation */

static int tmpfs_charge_inode(struct super_block *sb)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);

	if (sbi->max_inodes && sbi->used_inodes >= sbi->max_inodes)
		return -ENOSPC;
	sbi->used_inodes++;
	return 0;
}

static void tmpfs_uncharge_inode(struct super_block *sb)
{
	TMPFS_SB(sb)->used_inodes--;
}

int tmpfs_new_inode(struct super_block *sb, const struct vfs_new_inode *ni, struct inode **out)
{
	struct tmpfs_inode *ti;
	struct inode *inode;
	uint32_t type = ni->mode & S_IFMT;
	int err;

	switch (type) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFLNK:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK: break;
	default: return -EINVAL;
	}
	err = tmpfs_charge_inode(sb);
	if (err)
		return err;
	ti = vl_zalloc(sizeof(*ti));
	if (!ti) {
		tmpfs_uncharge_inode(sb);
		return -ENOMEM;
	}
	obj_inc(OBJ_INODE);
	inode = &ti->vfs_inode;
	inode_init(inode, sb, ni);
	if (type != S_IFCHR && type != S_IFBLK)
		inode->i_rdev = 0;
	switch (type) {
	case S_IFREG:
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
		break;
	case S_IFDIR:
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
		inode->i_nlink = 2;
		inode->i_size = 2 * TMPFS_BOGO_DIRENT_SIZE;
		break;
	case S_IFLNK: inode->i_op = &tmpfs_symlink_iops; break;
	default:
		inode->i_op = &tmpfs_special_iops;
		inode->i_fop = &tmpfs_special_fops;
		break;
	}
	*out = inode;
	return 0;
}

void tmpfs_destroy_inode(struct inode *inode)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);
	struct super_block *sb = inode->i_sb;

	if (S_ISREG(inode->i_mode)) {
		tmpfs_file_free_data(ti);
	} else if (S_ISLNK(inode->i_mode) && ti->symlink) {
		if (inode->i_size >= TMPFS_SHORT_SYMLINK_LEN)
			tmpfs_uncharge_pages(sb, 1);
		vl_free(ti->symlink);
	}
	tmpfs_xattr_free_all(ti);
	tmpfs_uncharge_inode(sb);
	obj_dec(OBJ_INODE);
	vl_free(ti);
}

/* ---------------------------------------------------------------------------------- */
/* Directory operations */

static void drop_nlink(struct inode *inode)
{
	if (inode->i_nlink > 0)
		inode->i_nlink--;
}

/* A new entry in dir: its size and times, then make dentry positive. */
static void tmpfs_dir_add(struct inode *dir, struct dentry *dentry, struct inode *inode)
{
	dir->i_size += TMPFS_BOGO_DIRENT_SIZE;
	inode_touch_mc(dir);
	d_instantiate(dentry, inode);
}

static int tmpfs_mknod(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	struct vfs_new_inode n = *ni;
	struct inode *inode;
	int err;

	/* mknod(2) with no type bits makes a regular file. */
	if (!(n.mode & S_IFMT))
		n.mode |= S_IFREG;
	if (S_ISDIR(n.mode) || S_ISLNK(n.mode))
		return -EINVAL;
	err = tmpfs_new_inode(dir->i_sb, &n, &inode);
	if (err)
		return err;
	tmpfs_dir_add(dir, dentry, inode);
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	struct vfs_new_inode n = *ni;
	struct inode *inode;
	int err;

	if (dir->i_nlink == UINT32_MAX)
		return -EMLINK;
	n.mode = S_IFDIR | (n.mode & 07777);
	err = tmpfs_new_inode(dir->i_sb, &n, &inode);
	if (err)
		return err;
	dir->i_nlink++; /* the new directory's ".." */
	tmpfs_dir_add(dir, dentry, inode);
	return 0;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *dentry, const char *target,
			 const struct vfs_new_inode *ni)
{
	struct vfs_new_inode n = *ni;
	size_t len = strlen(target);
	bool long_link = len >= TMPFS_SHORT_SYMLINK_LEN;
	struct inode *inode;
	char *copy;
	int err;

	if (len == 0)
		return -ENOENT;
	if (len > TMPFS_SYMLINK_MAX)
		return -ENAMETOOLONG;
	if (long_link) {
		err = tmpfs_charge_pages(dir->i_sb, 1);
		if (err)
			return err;
	}
	err = -ENOMEM;
	copy = vl_malloc(len + 1);
	if (!copy)
		goto out_uncharge;
	memcpy(copy, target, len + 1);
	n.mode = S_IFLNK | (n.mode & 07777);
	err = tmpfs_new_inode(dir->i_sb, &n, &inode);
	if (err)
		goto out_free;
	TMPFS_I(inode)->symlink = copy;
	inode->i_size = (int64_t)len;
	tmpfs_dir_add(dir, dentry, inode);
	return 0;

out_free:
	vl_free(copy);
out_uncharge:
	if (long_link)
		tmpfs_uncharge_pages(dir->i_sb, 1);
	return err;
}

static int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *new_dentry)
{
	struct inode *inode = old->d_inode;
	int err;

	if (S_ISDIR(inode->i_mode))
		return -EPERM;
	if (inode->i_nlink == UINT32_MAX)
		return -EMLINK;
	/* Another name pins another dentry: Linux charges it as an inode. An unlinked
	 * (O_TMPFILE-style) inode still holds its own charge, so its first name is free. */
	if (inode->i_nlink) {
		err = tmpfs_charge_inode(dir->i_sb);
		if (err)
			return err;
	}
	inode->i_nlink++;
	inode->i_ctime = vfs_now(dir->i_sb->s_vfs);
	dir->i_size += TMPFS_BOGO_DIRENT_SIZE;
	dir->i_mtime = dir->i_ctime = inode->i_ctime;
	d_instantiate(new_dentry, iget(inode));
	return 0;
}

/* Remove dentry's name from dir (shmem_unlink); also the replaced target of a rename. */
static void tmpfs_remove_name(struct inode *dir, struct inode *inode)
{
	int64_t now = vfs_now(dir->i_sb->s_vfs);

	if (inode->i_nlink > 1 && !S_ISDIR(inode->i_mode))
		tmpfs_uncharge_inode(dir->i_sb);
	dir->i_size -= TMPFS_BOGO_DIRENT_SIZE;
	inode->i_ctime = now;
	dir->i_mtime = dir->i_ctime = now;
	drop_nlink(inode);
}

static int tmpfs_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;

	if (!inode)
		return -ENOENT;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	tmpfs_remove_name(dir, inode);
	return 0;
}

static bool tmpfs_dir_empty(const struct dentry *dentry)
{
	return !dentry->d_dir || dentry->d_dir->positive == 0;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;

	if (!inode)
		return -ENOENT;
	if (!S_ISDIR(inode->i_mode))
		return -ENOTDIR;
	if (!tmpfs_dir_empty(dentry))
		return -ENOTEMPTY;
	drop_nlink(inode); /* its "." */
	drop_nlink(dir);   /* its ".." */
	tmpfs_remove_name(dir, inode);
	return 0;
}

/* Times after any rename (libfs's simple_rename_timestamp). */
static void tmpfs_rename_times(struct inode *old_dir, struct inode *new_dir, struct inode *inode,
			       struct inode *target)
{
	int64_t now = vfs_now(old_dir->i_sb->s_vfs);

	old_dir->i_mtime = old_dir->i_ctime = now;
	new_dir->i_mtime = new_dir->i_ctime = now;
	inode->i_ctime = now;
	if (target)
		target->i_ctime = now;
}

/*
 * Rename (shmem_rename2). The VFS validated the flags against the types, a replaced
 * directory's emptiness and loops, and moves the dentries afterwards. RENAME_WHITEOUT
 * is refused: the contract has no way to leave a whiteout at the old name.
 */
static int tmpfs_rename(struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
			struct dentry *new_dentry, unsigned flags)
{
	struct inode *inode = old_dentry->d_inode;
	struct inode *target = new_dentry->d_inode;
	bool is_dir = S_ISDIR(inode->i_mode);

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (inode == target)
		return 0;
	if (flags & RENAME_EXCHANGE) {
		bool target_dir;

		if (!target)
			return -ENOENT;
		/* A directory's ".." counts in its parent: when only one side is a
		 * directory and the parents differ, one link moves across. */
		target_dir = S_ISDIR(target->i_mode);
		if (old_dir != new_dir && is_dir != target_dir) {
			if (is_dir) {
				drop_nlink(old_dir);
				new_dir->i_nlink++;
			} else {
				drop_nlink(new_dir);
				old_dir->i_nlink++;
			}
		}
		tmpfs_rename_times(old_dir, new_dir, inode, target);
		return 0;
	}
	if (target) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (S_ISDIR(target->i_mode) != is_dir)
			return is_dir ? -ENOTDIR : -EISDIR;
		if (is_dir && !tmpfs_dir_empty(new_dentry))
			return -ENOTEMPTY;
		tmpfs_remove_name(new_dir, target);
		if (is_dir) {
			drop_nlink(target);  /* gone: nlink 0 */
			drop_nlink(old_dir); /* lost inode's ".." */
		}
	} else if (is_dir) {
		drop_nlink(old_dir);
		new_dir->i_nlink++;
	}
	old_dir->i_size -= TMPFS_BOGO_DIRENT_SIZE;
	new_dir->i_size += TMPFS_BOGO_DIRENT_SIZE;
	tmpfs_rename_times(old_dir, new_dir, inode, target);
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Symlinks */

static ssize_t tmpfs_readlink(struct dentry *dentry, char *buf, size_t len)
{
	struct inode *inode = dentry->d_inode;
	const char *target = TMPFS_I(inode)->symlink;
	size_t n = (size_t)inode->i_size;

	if (!target)
		return -EINVAL;
	memcpy(buf, target, MIN(n, len));
	return (ssize_t)n;
}

/* ---------------------------------------------------------------------------------- */
/* Attributes */

static int tmpfs_setattr(struct dentry *dentry, const struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;
	struct iattr rest = *attr;

	if (attr->valid & ATTR_SIZE) {
		if (S_ISDIR(inode->i_mode))
			return -EISDIR;
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		if (attr->size < 0)
			return -EINVAL;
		/* As shmem_setattr: a size change updates mtime and ctime itself. */
		if (attr->size != inode->i_size) {
			tmpfs_file_resize(TMPFS_I(inode), attr->size);
			inode_touch_mc(inode);
		}
		rest.valid &= ~ATTR_SIZE;
	}
	setattr_copy(inode, &rest);
	return 0;
}

static int tmpfs_getattr(struct dentry *dentry, struct vfs_stat *st)
{
	struct inode *inode = dentry->d_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);

	generic_fillattr(inode, st);
	st->blksize = TMPFS_PAGE_SIZE;
	if (S_ISREG(inode->i_mode))
		st->blocks = (int64_t)ti->nr_pages * TMPFS_BLOCKS_PER_PAGE;
	else if (S_ISLNK(inode->i_mode) && inode->i_size >= TMPFS_SHORT_SYMLINK_LEN)
		st->blocks = TMPFS_BLOCKS_PER_PAGE;
	else
		st->blocks = 0;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Directory and special files */

/* read(2) of a directory, as libfs's generic_read_dir. */
static ssize_t tmpfs_dir_read(struct file *file, void *buf, size_t len, int64_t off)
{
	(void)file, (void)buf, (void)len, (void)off;
	return -EISDIR;
}

/*
 * Device nodes, fifos and sockets are plain inodes here; their I/O belongs to the
 * device and pipe layers, which do not exist yet. Until then: opening a device or a
 * socket fails with ENXIO (Linux's answer for a socket, and for a device without a
 * driver), and a fifo opens as one with neither end connected: reads see end of file,
 * writes EPIPE.
 */
static int tmpfs_special_open(struct inode *inode, struct file *file)
{
	(void)file;
	return S_ISFIFO(inode->i_mode) ? 0 : -ENXIO;
}

static ssize_t tmpfs_fifo_read(struct file *file, void *buf, size_t len, int64_t off)
{
	(void)file, (void)buf, (void)len, (void)off;
	return 0;
}

static ssize_t tmpfs_fifo_write(struct file *file, const void *buf, size_t len, int64_t off)
{
	(void)file, (void)buf, (void)len, (void)off;
	return -EPIPE;
}

static const struct file_operations tmpfs_dir_fops = {
	.read = tmpfs_dir_read,
	.iterate = dcache_readdir,
};

static const struct file_operations tmpfs_special_fops = {
	.open = tmpfs_special_open,
	.read = tmpfs_fifo_read,
	.write = tmpfs_fifo_write,
};

/* ---------------------------------------------------------------------------------- */
/* Operations tables (NULL slots: the VFS's generic default, see fs.h) */

static const struct inode_operations tmpfs_dir_iops = {
	.lookup = NULL, /* the dcache is the filesystem */
	.mknod = tmpfs_mknod,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
	.getattr = tmpfs_getattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static const struct inode_operations tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
	.getattr = tmpfs_getattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static const struct inode_operations tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	.getattr = tmpfs_getattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static const struct inode_operations tmpfs_special_iops = {
	.setattr = tmpfs_setattr,
	.getattr = tmpfs_getattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};
