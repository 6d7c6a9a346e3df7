/*
 * root.c - proc's directories and the /proc root: lookup and readdir over an entry's
 * fixed children and its dynamic part, the inode operations shared by every proc
 * inode, and the root's table (self, thread-self, mounts, the global files, sys, then
 * one directory per task).
 *
 * Readdir positions: 0 is ".", 1 is "..", 2 + i the i-th fixed child, and a dynamic
 * entry sits at first_pos + its number (PID or descriptor), so a listing resumed after
 * tasks came and went neither repeats nor skips a survivor (Linux's TGID_OFFSET trick).
 *
 * Nothing can be created, removed, renamed or changed here: the missing inode
 * operations make the VFS answer EPERM, setattr refuses, and opening a file whose mode
 * has no write bit for writing is EACCES even for root (as Linux's sysctl permission).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---------------------------------------------------------------------------------- */
/* Inode operations shared by all entries */

/* A task's entries follow its credentials (Linux's pid_revalidate does the same). */
static void proc_refresh_owner(struct inode *inode)
{
	struct proc_inode *pi = PROC_I(inode);
	struct task *t;

	if (!pi->pid)
		return;
	t = proc_find_task(proc_kernel(inode->i_sb), pi->pid);
	if (t) {
		inode->i_uid = t->cred->euid;
		inode->i_gid = t->cred->egid;
	}
}

static int proc_getattr(struct dentry *dentry, struct vfs_stat *st)
{
	proc_refresh_owner(dentry->d_inode);
	generic_fillattr(dentry->d_inode, st);
	return 0;
}

static int proc_setattr(struct dentry *dentry, const struct iattr *attr)
{
	(void)dentry;
	(void)attr;
	return -EPERM;
}

static int proc_permission(struct inode *inode, int mask, const struct cred *cred)
{
	struct proc_inode *pi = PROC_I(inode);

	proc_refresh_owner(inode);
	/* A file without write bits is not writable, root included (Linux's sysctl rule);
	 * directories keep generic rules so creating in them is EPERM, as Linux's. */
	if ((mask & MAY_WRITE) && !S_ISDIR(inode->i_mode) && !(inode->i_mode & 0222))
		return -EACCES;
	if (pi->pid && (pi->pe->flags & PROC_F_PTRACE) && (mask & (MAY_READ | MAY_WRITE))) {
		struct task *t = proc_find_task(proc_kernel(inode->i_sb), pi->pid);

		if (!t)
			return -ENOENT;
		if (!proc_may_inspect(cred, t))
			return -EACCES;
	}
	return generic_permission(inode, mask, cred);
}

/* ---------------------------------------------------------------------------------- */
/* Directories */

static int proc_lookup(struct inode *dir, struct dentry *dentry)
{
	struct proc_inode *pi = PROC_I(dir);
	const struct proc_entry *pe = pi->pe;
	struct inode *inode = NULL;
	struct proc_ctx c;
	size_t i;
	int err;

	err = proc_ctx_init(&c, dir);
	if (err)
		return err; /* a dead task's directory has no entries */
	for (i = 0; i < pe->nr_children; i++) {
		const struct proc_entry *ce = &pe->children[i];

		if (strlen(ce->name) == dentry->d_namelen &&
		    memcmp(ce->name, dentry->d_name, dentry->d_namelen) == 0) {
			inode = proc_new_inode(dir->i_sb, ce, pi->pid, -1);
			if (!inode)
				return -ENOMEM;
			break;
		}
	}
	if (!inode && pe->dyn) {
		err = pe->dyn->lookup(&c, dir, dentry->d_name, dentry->d_namelen, &inode);
		if (err == -ENOENT)
			return 0; /* negative */
		if (err)
			return err;
	}
	if (inode)
		d_instantiate(dentry, inode);
	return 0;
}

static unsigned proc_dtype(uint32_t mode)
{
	return mode_to_dtype(mode);
}

static int proc_iterate(struct file *file, struct dir_context *ctx)
{
	struct dentry *dir = file->f_path.dentry;
	struct inode *inode = dir->d_inode;
	struct proc_inode *pi = PROC_I(inode);
	const struct proc_entry *pe = pi->pe;
	int64_t first_dyn = 2 + (int64_t)pe->nr_children;
	struct proc_ctx c;
	int err;

	err = proc_ctx_init(&c, inode);
	if (err)
		return err;
	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!dir_emit(ctx, "..", 2, dir->d_parent->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	while (ctx->pos < first_dyn) {
		const struct proc_entry *ce = &pe->children[ctx->pos - 2];
		uint64_t ino = pi->pid ? ((uint64_t)pi->pid << 32) | ce->id : ce->id;

		if (!dir_emit(ctx, ce->name, strlen(ce->name), ino, proc_dtype(ce->mode)))
			return 0;
		ctx->pos++;
	}
	if (pe->dyn)
		return pe->dyn->iterate(&c, inode, ctx, first_dyn);
	return 0;
}

const struct inode_operations proc_dir_iops = {
	.lookup = proc_lookup,
	.getattr = proc_getattr,
	.setattr = proc_setattr,
	.permission = proc_permission,
};

const struct file_operations proc_dir_fops = {
	.iterate = proc_iterate,
};

/* ---------------------------------------------------------------------------------- */
/* Files and links */

static ssize_t proc_readlink(struct dentry *dentry, char *buf, size_t len)
{
	struct inode *inode = dentry->d_inode;
	struct proc_inode *pi = PROC_I(inode);
	struct strbuf sb = STRBUF_INIT;
	struct proc_ctx c;
	ssize_t ret;
	int err;

	err = proc_ctx_init(&c, inode);
	if (err)
		return err;
	if ((pi->pe->flags & PROC_F_PTRACE) && !proc_may_inspect(c.reader->cred, c.task))
		return -EACCES;
	err = pi->pe->show(&c, &sb);
	if (!err)
		err = sb_error(&sb);
	if (err) {
		ret = err;
	} else {
		memcpy(buf, sb.buf, sb.len < len ? sb.len : len);
		ret = (ssize_t)sb.len;
	}
	sb_free(&sb);
	return ret;
}

const struct inode_operations proc_file_iops = {
	.getattr = proc_getattr,
	.setattr = proc_setattr,
	.permission = proc_permission,
};

const struct inode_operations proc_link_iops = {
	.readlink = proc_readlink,
	.getattr = proc_getattr,
	.setattr = proc_setattr,
};

/* ---------------------------------------------------------------------------------- */
/* The root: one directory per task */

static int proc_pids_lookup(const struct proc_ctx *c, struct inode *dir, const char *name,
			    size_t len, struct inode **out)
{
	long pid = proc_name_to_int(name, len);

	if (pid <= 0 || !proc_find_task(c->k, (int)pid))
		return -ENOENT;
	*out = proc_new_inode(dir->i_sb, &proc_pid_entry, (int)pid, -1);
	return *out ? 0 : -ENOMEM;
}

/* The smallest PID at or above min, or 0: the list is in creation order, which is PID
 * order today, but a listing must not depend on that. */
static int proc_next_pid(struct kernel *k, int64_t min)
{
	struct list_head *p;
	int best = 0;

	list_for_each(p, &k->tasks) {
		struct task *t = list_entry(p, struct task, tasks);

		if (t->pid >= min && (!best || t->pid < best))
			best = t->pid;
	}
	return best;
}

static int proc_pids_iterate(const struct proc_ctx *c, struct inode *dir, struct dir_context *ctx,
			     int64_t first_pos)
{
	char name[16];
	int pid;

	(void)dir;
	while ((pid = proc_next_pid(c->k, ctx->pos - first_pos)) > 0) {
		int n = snprintf(name, sizeof(name), "%d", pid);

		ctx->pos = first_pos + pid;
		if (!dir_emit(ctx, name, (size_t)n, ((uint64_t)pid << 32) | proc_pid_entry.id,
			      DT_DIR))
			return 0;
		ctx->pos = first_pos + pid + 1;
	}
	return 0;
}

static const struct proc_dyn_ops proc_pids_ops = {
	.lookup = proc_pids_lookup,
	.iterate = proc_pids_iterate,
};

/* The fixed names of /proc, in Linux's order where Linux has them. Inode ids 2..63. */
static const struct proc_entry proc_root_children[] = {
	{ .name = "self", .mode = S_IFLNK | 0777, .id = 2, .show = proc_self_show },
	{ .name = "thread-self", .mode = S_IFLNK | 0777, .id = 3, .show = proc_thread_self_show },
	{ .name = "mounts", .mode = S_IFLNK | 0777, .id = 4, .show = proc_mounts_link_show },
	{ .name = "filesystems", .mode = S_IFREG | 0444, .id = 5, .show = proc_filesystems_show },
	{ .name = "cpuinfo", .mode = S_IFREG | 0444, .id = 6, .show = proc_cpuinfo_show },
	{ .name = "meminfo", .mode = S_IFREG | 0444, .id = 7, .show = proc_meminfo_show },
	{ .name = "uptime", .mode = S_IFREG | 0444, .id = 8, .show = proc_uptime_show },
	{ .name = "version", .mode = S_IFREG | 0444, .id = 9, .show = proc_version_show },
	{ .name = "loadavg", .mode = S_IFREG | 0444, .id = 10, .show = proc_loadavg_show },
	{ .name = "stat", .mode = S_IFREG | 0444, .id = 11, .show = proc_stat_show },
	{ .name = "cgroups", .mode = S_IFREG | 0444, .id = 13, .show = proc_cgroups_show },
	{ .name = "sys",
	  .mode = S_IFDIR | 0555,
	  .id = 12,
	  .children = proc_sys_children,
	  .nr_children = PROC_SYS_NR_CHILDREN },
};

const struct proc_entry proc_root_entry = {
	.name = "/",
	.mode = S_IFDIR | 0555,
	.id = PROC_ROOT_INO,
	.children = proc_root_children,
	.nr_children = ARRAY_SIZE(proc_root_children),
	.dyn = &proc_pids_ops,
};
