/*
 * devpts.c - devpts superblocks, ptmx and the pty pairs (see devpts.h).
 *
 * A pty lives while its master is open or a replica file is open: the master's release
 * removes the replica's name and frees the number; the last of the two frees the pty.
 * Every pty is on its superblock's list, so a replica open finds its pty by number.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/ida.h"
#include "fs/sys/kernfs.h"
#include "vfs/internal.h"
#include "devpts.h"

#define DEVPTS_BUF_SIZE 4096	/* Linux's N_TTY_BUF_SIZE */

/* Protected by: vfs->lock. */
struct devpts_sb_info {
	uint32_t mode;
	uint32_t ptmxmode;
	uint32_t uid, gid;
	bool setuid, setgid;
	int max;
	struct ida ids;
	struct list_head ptys;
};

struct pty_buf {
	size_t len;
	char data[DEVPTS_BUF_SIZE];
};

/* Protected by: vfs->lock. */
struct pty {
	struct list_head link;		/* in devpts_sb_info.ptys while the master is open */
	int index;
	bool locked;
	bool master_open;
	bool slave_seen;		/* a replica was opened once */
	int slave_opens;
	struct dentry *slave;		/* the replica's name, cached (no reference) */
	struct pty_buf to_slave;
	struct pty_buf to_master;
};

static struct devpts_sb_info *DEVPTS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* ---------------------------------------------------------------------------------- */
/* Options */

static bool devpts_parse_u32(const char *s, unsigned base, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!s || !*s)
		return false;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9' || d >= base)
			return false;
		v = v * base + d;
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int devpts_parse_options(struct fs_context *fc, struct devpts_sb_info *si)
{
	char *cursor = fc->data, *key, *value;
	uint32_t v = 0;

	while (fs_opt_next(&cursor, &key, &value)) {
		bool ok = true;

		if (strcmp(key, "newinstance") == 0) {
			ok = !value; /* every mount is a new instance anyway */
		} else if (strcmp(key, "mode") == 0) {
			ok = devpts_parse_u32(value, 8, &v);
			si->mode = v & 07777;
		} else if (strcmp(key, "ptmxmode") == 0) {
			ok = devpts_parse_u32(value, 8, &v);
			si->ptmxmode = v & 07777;
		} else if (strcmp(key, "gid") == 0) {
			ok = devpts_parse_u32(value, 10, &si->gid) && si->gid != UINT32_MAX;
			si->setgid = true;
		} else if (strcmp(key, "uid") == 0) {
			ok = devpts_parse_u32(value, 10, &si->uid) && si->uid != UINT32_MAX;
			si->setuid = true;
		} else if (strcmp(key, "max") == 0) {
			ok = devpts_parse_u32(value, 10, &v) && v <= DEVPTS_PTY_MAX;
			si->max = (int)v;
		} else {
			return fc_error(fc, -EINVAL, "devpts: unknown option '%s'", key);
		}
		if (!ok)
			return fc_error(fc, -EINVAL, "devpts: bad value '%s' for option '%s'",
					value ? value : "", key);
	}
	return 0;
}

/* Linux's devpts_show_options. */
static void devpts_show_options(struct super_block *sb, struct strbuf *out)
{
	struct devpts_sb_info *si = DEVPTS_SB(sb);

	if (si->setuid)
		sb_printf(out, ",uid=%u", si->uid);
	if (si->setgid)
		sb_printf(out, ",gid=%u", si->gid);
	sb_printf(out, ",mode=%03o,ptmxmode=%03o", si->mode, si->ptmxmode);
	if (si->max < DEVPTS_PTY_MAX)
		sb_printf(out, ",max=%d", si->max);
}

/* ---------------------------------------------------------------------------------- */
/* Superblock */

static void devpts_put_super(struct super_block *sb)
{
	struct devpts_sb_info *si = DEVPTS_SB(sb);

	if (!si)
		return;
	ida_destroy(&si->ids);
	vl_free(si);
	sb->s_fs_info = NULL;
}

static int devpts_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	(void)sb;
	st->type = DEVPTS_SUPER_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = VFS_NAME_MAX;
	return 0;
}

static const struct super_operations devpts_sops = {
	.destroy_inode = kernfs_destroy_inode,
	.statfs = devpts_statfs,
	.put_super = devpts_put_super,
	.show_options = devpts_show_options,
};

static int devpts_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct devpts_sb_info *si;
	struct super_block *sb;
	struct inode *root, *ptmx;
	struct dentry *d;
	int err = -ENOMEM;

	si = vl_zalloc(sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->mode = 0600;
	si->ptmxmode = 0666;
	si->max = DEVPTS_PTY_MAX;
	list_init(&si->ptys);
	err = devpts_parse_options(fc, si);
	if (err) {
		vl_free(si);
		return err;
	}
	sb = sb_alloc(fc, &devpts_sops, DEVPTS_SUPER_MAGIC);
	if (IS_ERR(sb)) {
		vl_free(si);
		return (int)PTR_ERR(sb);
	}
	sb->s_fs_info = si;
	err = -ENOMEM;
	root = kernfs_root_inode(sb, 0755, NULL);
	if (!root)
		goto out_sb;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_sb;
	ptmx = kernfs_new_inode(sb, S_IFCHR | si->ptmxmode,
				VFS_MKDEV(DEVPTS_PTMX_MAJOR, DEVPTS_PTMX_MINOR));
	if (!ptmx)
		goto out_sb;
	d = kernfs_add(sb->s_root, "ptmx", ptmx);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_sb;
	}
	*out = sb;
	return 0;
out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type devpts_fs_type = {
	.name = "devpts",
	.get_tree = devpts_get_tree,
};

/* ---------------------------------------------------------------------------------- */
/* The pty pair */

static void pty_free_if_unused(struct pty *pty)
{
	if (!pty->master_open && !pty->slave_opens)
		vl_free(pty);
}

static ssize_t pty_buf_read(struct pty_buf *b, void *buf, size_t len)
{
	if (len > b->len)
		len = b->len;
	memcpy(buf, b->data, len);
	memmove(b->data, b->data + len, b->len - len);
	b->len -= len;
	return (ssize_t)len;
}

static ssize_t pty_buf_write(struct pty_buf *b, const void *buf, size_t len)
{
	size_t room = sizeof(b->data) - b->len;

	if (!room)
		return -EAGAIN;
	if (len > room)
		len = room;
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return (ssize_t)len;
}

static void ptm_release(struct inode *inode, struct file *f)
{
	struct pty *pty = f->private_data;
	struct devpts_sb_info *si = DEVPTS_SB(inode->i_sb);

	/* Linux's devpts_pty_kill: the replica's name goes with the master. */
	list_del(&pty->link);
	kernfs_remove(pty->slave);
	ida_free(&si->ids, pty->index);
	pty->master_open = false;
	pty_free_if_unused(pty);
}

static ssize_t ptm_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;

	(void)off;
	if (pty->to_master.len)
		return pty_buf_read(&pty->to_master, buf, len);
	return pty->slave_seen && !pty->slave_opens ? -EIO : -EAGAIN;
}

static ssize_t ptm_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;

	(void)off;
	return pty_buf_write(&pty->to_slave, buf, len);
}

static int ptm_ioctl(struct file *f, unsigned long req, void *arg)
{
	struct pty *pty = f->private_data;

	switch (req) {
	case DEVPTS_TIOCGPTN:
		*(unsigned *)arg = (unsigned)pty->index;
		return 0;
	case DEVPTS_TIOCSPTLCK:
		pty->locked = *(int *)arg != 0;
		return 0;
	case DEVPTS_TIOCGPTLCK:
		*(int *)arg = pty->locked;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ptm_fops = {
	.release = ptm_release,
	.read = ptm_read,
	.write = ptm_write,
	.ioctl = ptm_ioctl,
};

/* Open ptmx: a new pty whose replica appears in this instance's root. */
static int ptmx_open(struct inode *inode, struct file *f)
{
	struct super_block *sb = inode->i_sb;
	struct devpts_sb_info *si;
	struct inode *slave;
	struct dentry *d;
	struct pty *pty;
	char name[16];
	int index, err;

	/* A ptmx node elsewhere would need Linux's lookup of a sibling pts: unsupported. */
	if (sb->s_type != &devpts_fs_type)
		return -ENXIO;
	si = DEVPTS_SB(sb);
	index = ida_alloc_min(&si->ids, 0);
	if (index < 0)
		return index;
	err = -ENOSPC;
	if (index >= si->max)
		goto out_ida;
	err = -ENOMEM;
	pty = vl_zalloc(sizeof(*pty));
	if (!pty)
		goto out_ida;
	pty->index = index;
	pty->locked = true;
	slave = kernfs_new_inode(sb, S_IFCHR | si->mode,
				 VFS_MKDEV(UNIX98_PTY_SLAVE_MAJOR + (uint32_t)index / 256,
					   (uint32_t)index % 256));
	if (!slave)
		goto out_pty;
	slave->i_ino = (uint64_t)index + 3; /* Linux: root 1, ptmx 2, replica N is N+3 */
	slave->i_uid = si->setuid ? si->uid : f->f_cred->fsuid;
	slave->i_gid = si->setgid ? si->gid : f->f_cred->fsgid;
	snprintf(name, sizeof(name), "%d", index);
	d = kernfs_add(sb->s_root, name, slave);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_pty;
	}
	pty->slave = d;
	pty->master_open = true;
	list_add_tail(&pty->link, &si->ptys);
	f->private_data = pty;
	f->f_op = &ptm_fops;
	return 0;
out_pty:
	vl_free(pty);
out_ida:
	ida_free(&si->ids, index);
	return err;
}

static const struct file_operations ptmx_fops = {
	.open = ptmx_open,
};

static void pts_release(struct inode *inode, struct file *f)
{
	struct pty *pty = f->private_data;

	(void)inode;
	pty->slave_opens--;
	pty_free_if_unused(pty);
}

static ssize_t pts_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;

	(void)off;
	if (pty->to_slave.len)
		return pty_buf_read(&pty->to_slave, buf, len);
	return pty->master_open ? -EAGAIN : 0;
}

static ssize_t pts_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	struct pty *pty = f->private_data;

	(void)off;
	if (!pty->master_open)
		return -EIO;
	return pty_buf_write(&pty->to_master, buf, len);
}

static const struct file_operations pts_fops = {
	.release = pts_release,
	.read = pts_read,
	.write = pts_write,
};

/* Open a replica: the pty with its number in this instance, unlocked. */
static int pts_open(struct inode *inode, struct file *f)
{
	uint32_t major = VFS_MAJOR(inode->i_rdev), minor = VFS_MINOR(inode->i_rdev);
	int index = (int)((major - UNIX98_PTY_SLAVE_MAJOR) * 256 + minor);
	struct list_head *p;

	if (inode->i_sb->s_type != &devpts_fs_type)
		return -ENXIO;
	list_for_each(p, &DEVPTS_SB(inode->i_sb)->ptys) {
		struct pty *pty = list_entry(p, struct pty, link);

		if (pty->index != index)
			continue;
		if (pty->locked)
			return -EIO;
		pty->slave_opens++;
		pty->slave_seen = true;
		f->private_data = pty;
		f->f_op = &pts_fops;
		return 0;
	}
	return -EIO;
}

static const struct file_operations pts_open_fops = {
	.open = pts_open,
};

int devpts_register(struct vfs *vfs)
{
	uint32_t m;
	int err = vfs_register_chrdev(vfs, DEVPTS_PTMX_MAJOR, DEVPTS_PTMX_MINOR, 1, "ptmx",
				      &ptmx_fops);

	for (m = 0; !err && m < DEVPTS_PTY_MAJORS; m++)
		err = vfs_register_chrdev(vfs, UNIX98_PTY_SLAVE_MAJOR + m, 0, 256, "pts",
					  &pts_open_fops);
	return err;
}
