/*
 * super.c - the proc filesystem type: mounting, the superblock, proc inodes and the
 * context every operation starts from.
 *
 * A proc mount shows one kernel's tasks: the kernel comes from the mounting task
 * (mount(2)) or from struct proc_internal_opts (in-process mounts). proc takes no
 * options (Linux's hidepid= and gid= are refused: nothing here would honour them yet).
 * The superblock drops unused dentries (SB_DROP_UNUSED) so that every lookup asks proc
 * again: /proc/PID appears and vanishes with its task.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"
#include "vfs/internal.h"

/* ---------------------------------------------------------------------------------- */
/* Tasks and contexts */

struct task *proc_find_task(struct kernel *k, int pid)
{
	struct list_head *p;

	if (pid <= 0)
		return NULL;
	list_for_each(p, &k->tasks) {
		struct task *t = list_entry(p, struct task, tasks);

		if (t->pid == pid)
			return t;
	}
	return NULL;
}

struct task *proc_current_task(struct kernel *k)
{
	struct task *t = vfs_current(k->vfs);

	/* Every proc operation runs inside a task's call; init stands in otherwise. */
	return t ? t : k->init;
}

int proc_ctx_init(struct proc_ctx *c, struct inode *inode)
{
	struct proc_inode *pi = PROC_I(inode);

	c->pe = pi->pe;
	c->k = proc_kernel(inode->i_sb);
	c->reader = proc_current_task(c->k);
	c->fd = pi->fd;
	c->task = NULL;
	if (pi->pid) {
		c->task = proc_find_task(c->k, pi->pid);
		if (!c->task)
			return -ENOENT; /* as Linux once pid_revalidate drops the dentry */
	}
	return 0;
}

/* CAP_SYS_PTRACE, Linux's number: only proc asks for it. */
#define PROC_CAP_SYS_PTRACE 19

bool proc_may_inspect(const struct cred *cred, const struct task *t)
{
	const struct cred *tc = t->cred;

	if (cred->uid == tc->euid && cred->uid == tc->suid && cred->uid == tc->uid &&
	    cred->gid == tc->egid && cred->gid == tc->sgid && cred->gid == tc->gid)
		return true;
	return capable(cred, PROC_CAP_SYS_PTRACE);
}

long proc_name_to_int(const char *name, size_t len)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

/* ---------------------------------------------------------------------------------- */
/* Inodes */

/* Stable, collision-free inode numbers: a global entry's id, or the task's PID in the
 * high half with the entry id (or the descriptor, tagged) in the low half. */
static uint64_t proc_ino(const struct proc_entry *pe, int pid, int fd)
{
	if (!pid)
		return pe->id;
	if (fd >= 0)
		return ((uint64_t)pid << 32) | 0x80000000u | (uint32_t)fd;
	return ((uint64_t)pid << 32) | pe->id;
}

/* Directories count their subdirectories in nlink (2 + n), as Linux's proc does for its
 * fixed entries; dynamic ones are not counted. */
static uint32_t proc_dir_nlink(const struct proc_entry *pe)
{
	uint32_t n = 2;
	size_t i;

	for (i = 0; i < pe->nr_children; i++)
		if (S_ISDIR(pe->children[i].mode))
			n++;
	return n;
}

struct inode *proc_new_inode(struct super_block *sb, const struct proc_entry *pe, int pid, int fd)
{
	struct vfs_new_inode ni = { .mode = pe->mode };
	struct proc_inode *pi;
	struct task *t;

	if (pid) {
		/* Linux's task_dump_owner: the task's effective ids. */
		t = proc_find_task(proc_kernel(sb), pid);
		if (t) {
			ni.uid = t->cred->euid;
			ni.gid = t->cred->egid;
		}
	}
	pi = vl_zalloc(sizeof(*pi));
	if (!pi)
		return NULL;
	obj_inc(OBJ_INODE);
	inode_init(&pi->vfs_inode, sb, &ni);
	pi->vfs_inode.i_ino = proc_ino(pe, pid, fd);
	pi->pe = pe;
	pi->pid = pid;
	pi->fd = fd;
	switch (pe->mode & S_IFMT) {
	case S_IFDIR:
		pi->vfs_inode.i_op = &proc_dir_iops;
		pi->vfs_inode.i_fop = &proc_dir_fops;
		pi->vfs_inode.i_nlink = proc_dir_nlink(pe);
		break;
	case S_IFLNK: pi->vfs_inode.i_op = &proc_link_iops; break;
	default:
		pi->vfs_inode.i_op = &proc_file_iops;
		pi->vfs_inode.i_fop = &proc_seq_fops;
		break;
	}
	return &pi->vfs_inode;
}

static void proc_destroy_inode(struct inode *inode)
{
	vl_free(PROC_I(inode));
	obj_dec(OBJ_INODE);
}

/* ---------------------------------------------------------------------------------- */
/* The superblock */

static void proc_put_super(struct super_block *sb)
{
	vl_free(sb->s_fs_info);
	sb->s_fs_info = NULL;
}

static const struct super_operations proc_sops = {
	.destroy_inode = proc_destroy_inode,
	.put_super = proc_put_super,
};

static int proc_get_tree(struct fs_context *fc, struct super_block **out)
{
	const struct proc_internal_opts *iopts = fc->internal;
	struct kernel *k = NULL;
	struct proc_sb_info *sbi;
	struct super_block *sb;
	struct inode *root;
	char *cursor = fc->data, *key, *value;
	int err;

	if (iopts && iopts->k)
		k = iopts->k;
	else if (fc->task)
		k = fc->task->k;
	if (!k)
		return fc_error(fc, -EINVAL,
				"proc: no kernel to show (in-process mount without "
				"proc_internal_opts)");
	if (fs_opt_next(&cursor, &key, &value))
		return fc_error(fc, -EINVAL, "proc: unknown option '%s'", key);

	sb = sb_alloc(fc, &proc_sops, PROC_SUPER_MAGIC);
	if (IS_ERR(sb))
		return (int)PTR_ERR(sb);
	sb->s_blocksize = PROC_BLOCKSIZE;
	sb->s_flags |= SB_DROP_UNUSED;
	err = -ENOMEM;
	sbi = vl_zalloc(sizeof(*sbi));
	if (!sbi)
		goto out_sb;
	sbi->k = k;
	sb->s_fs_info = sbi;
	root = proc_new_inode(sb, &proc_root_entry, 0, -1);
	if (!root)
		goto out_sb;
	sb->s_root = d_make_root(root); /* consumes root, even on failure */
	if (!sb->s_root)
		goto out_sb;
	*out = sb;
	return 0;

out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type proc_fs_type = {
	.name = "proc",
	.get_tree = proc_get_tree,
};
