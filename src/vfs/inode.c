/*
 * inode.c - generic inode helpers: initialisation, references, times, synthetic
 * directories (mount points the VFS makes in the mount tree).
 */
#include <dirent.h>
#include <errno.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

int64_t vfs_now(struct vfs *vfs)
{
	return vfs->host->ops->clock_realtime_ns(vfs->host);
}

void inode_init(struct inode *inode, struct super_block *sb, const struct vfs_new_inode *ni)
{
	int64_t now = vfs_now(sb->s_vfs);

	inode->i_sb = sb;
	inode->i_ino = ++sb->s_next_ino;
	inode->i_mode = ni->mode;
	inode->i_uid = ni->uid;
	inode->i_gid = ni->gid;
	inode->i_rdev = ni->rdev;
	inode->i_nlink = 1;
	inode->i_count = 1;
	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
}

struct inode *iget(struct inode *inode)
{
	inode->i_count++;
	return inode;
}

void iput(struct inode *inode)
{
	if (!inode || --inode->i_count > 0)
		return;
	if (inode->i_flags & I_SYNTHETIC) {
		obj_dec(OBJ_INODE);
		vl_free(inode);
		return;
	}
	inode->i_sb->s_op->destroy_inode(inode);
}

void inode_touch_mc(struct inode *inode)
{
	int64_t now = vfs_now(inode->i_sb->s_vfs);

	inode->i_mtime = now;
	inode->i_ctime = now;
}

unsigned mode_to_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	default: return DT_UNKNOWN;
	}
}

/* Synthetic directories list their (dcache) children and refuse to be changed: they
 * exist only to hold mount points, as gVisor's synthetic mount points do. */
static int synthetic_refuse(void)
{
	return -EPERM;
}

static int synthetic_mknod(struct inode *dir, struct dentry *d, const struct vfs_new_inode *ni)
{
	(void)dir, (void)d, (void)ni;
	return synthetic_refuse();
}

static int synthetic_symlink(struct inode *dir, struct dentry *d, const char *target,
			     const struct vfs_new_inode *ni)
{
	(void)dir, (void)d, (void)target, (void)ni;
	return synthetic_refuse();
}

static const struct inode_operations synthetic_dir_iops = {
	.mknod = synthetic_mknod,
	.mkdir = synthetic_mknod,
	.symlink = synthetic_symlink,
};

static const struct file_operations synthetic_dir_fops = {
	.iterate = dcache_readdir,
};

struct inode *synthetic_dir_inode(struct super_block *sb, uint32_t mode, uint32_t uid,
				  uint32_t gid)
{
	struct inode *inode = vl_zalloc(sizeof(*inode));
	struct vfs_new_inode ni = { .mode = S_IFDIR | (mode & 07777), .uid = uid, .gid = gid };

	if (!inode)
		return NULL;
	obj_inc(OBJ_INODE);
	inode_init(inode, sb, &ni);
	inode->i_nlink = 2;
	inode->i_flags = I_SYNTHETIC;
	inode->i_op = &synthetic_dir_iops;
	inode->i_fop = &synthetic_dir_fops;
	return inode;
}
