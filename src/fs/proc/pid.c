/*
 * pid.c - /proc/PID: one directory per task, and the self links that point into it.
 *
 * Entries (Linux's tgid_base_stuff order, the ones vfslab's tasks can fill): task/,
 * fd/, environ, status, comm, cmdline, stat, cwd, root, mounts, mountinfo, cgroup. A task owns
 * its entries (effective uid/gid). cwd, root and fd/N are links to paths as seen from
 * the looking task's root, readable only by the same user or CAP_SYS_PTRACE (Linux's
 * ptrace_may_access), as is environ; fd/ is 0500. fd/N's mode says how the file is
 * open (lr-x------ read, l-wx------ write, lrwx------ both), as Linux's.
 *
 * vfslab's tasks have no program, memory, threads, sessions or parents yet: comm is
 * PROC_COMM, cmdline and environ are empty, every task is its own thread group, process
 * group and session, and a task's parent is reported as init (0 for init itself).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/cgroupfs/cgroupfs.h"
#include "internal.h"
#include "vfs/internal.h"

/* ---------------------------------------------------------------------------------- */
/* Identity */

static int proc_task_ppid(const struct task *t)
{
	return t == t->k->init ? 0 : t->k->init->pid;
}

/* Linux's FDSize: the descriptor table's capacity, at least BITS_PER_LONG and a
 * multiple of it. */
static int proc_task_fdsize(const struct task *t)
{
	int n = t->fds.size < 64 ? 64 : t->fds.size;

	return (n + 63) / 64 * 64;
}

/* The looking task is running; every other one is waiting in a call or idle. */
static char proc_task_state(const struct proc_ctx *c)
{
	return c->task == c->reader ? 'R' : 'S';
}

/* ---------------------------------------------------------------------------------- */
/* Files */

#define PROC_CAP_MASK ((1ull << (PROC_CAP_LAST_CAP + 1)) - 1)

static int proc_status_show(const struct proc_ctx *c, struct strbuf *out)
{
	const struct task *t = c->task;
	const struct cred *cr = t->cred;
	char state = proc_task_state(c);
	size_t i;

	sb_printf(out, "Name:\t%s\n", PROC_COMM);
	sb_printf(out, "Umask:\t%04o\n", (unsigned)t->umask);
	sb_printf(out, "State:\t%s\n", state == 'R' ? "R (running)" : "S (sleeping)");
	sb_printf(out, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", t->pid, t->pid,
		  proc_task_ppid(t));
	sb_printf(out, "Uid:\t%u\t%u\t%u\t%u\n", (unsigned)cr->uid, (unsigned)cr->euid,
		  (unsigned)cr->suid, (unsigned)cr->fsuid);
	sb_printf(out, "Gid:\t%u\t%u\t%u\t%u\n", (unsigned)cr->gid, (unsigned)cr->egid,
		  (unsigned)cr->sgid, (unsigned)cr->fsgid);
	sb_printf(out, "FDSize:\t%d\n", proc_task_fdsize(t));
	/* Linux writes a space after every group, and nothing for none. */
	sb_adds(out, "Groups:\t");
	for (i = 0; i < cr->ngroups; i++)
		sb_printf(out, "%u ", (unsigned)cr->groups[i]);
	sb_addc(out, '\n');
	sb_printf(out, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", t->pid, t->pid, t->pid,
		  t->pid);
	sb_adds(out, "Threads:\t1\n");
	sb_printf(out, "CapInh:\t%016llx\n", 0ull);
	sb_printf(out, "CapPrm:\t%016llx\n",
		  (unsigned long long)(cr->cap_effective & PROC_CAP_MASK));
	sb_printf(out, "CapEff:\t%016llx\n",
		  (unsigned long long)(cr->cap_effective & PROC_CAP_MASK));
	sb_printf(out, "CapBnd:\t%016llx\n", (unsigned long long)PROC_CAP_MASK);
	sb_printf(out, "CapAmb:\t%016llx\n", 0ull);
	sb_adds(out, "NoNewPrivs:\t0\nSeccomp:\t0\n");
	sb_adds(out, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n");
	sb_adds(out, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

/* /proc/PID/stat: the 52 fields of Linux's do_task_stat for a task without memory. */
static int proc_pid_stat_show(const struct proc_ctx *c, struct strbuf *out)
{
	const struct task *t = c->task;
	int i;

	sb_printf(out, "%d (%s) %c %d %d %d 0 -1 0", t->pid, PROC_COMM, proc_task_state(c),
		  proc_task_ppid(t), t->pid, t->pid);
	/* minflt .. cstime (10-17), priority, nice, num_threads, itrealvalue, starttime,
	 * vsize, rss, rsslim */
	sb_adds(out, " 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0 18446744073709551615");
	for (i = 26; i <= 37; i++) /* startcode .. cnswap */
		sb_adds(out, " 0");
	sb_adds(out, " 17");	   /* exit_signal: SIGCHLD */
	for (i = 39; i <= 52; i++) /* processor .. exit_code */
		sb_adds(out, " 0");
	sb_addc(out, '\n');
	return 0;
}

static int proc_comm_show(const struct proc_ctx *c, struct strbuf *out)
{
	(void)c;
	sb_printf(out, "%s\n", PROC_COMM);
	return 0;
}

/* cmdline and environ: a task has no argument or environment memory to read. */
static int proc_empty_show(const struct proc_ctx *c, struct strbuf *out)
{
	(void)c;
	(void)out;
	return 0;
}

/* cgroup: the task's cgroup in each hierarchy (cgroupfs keeps the membership). */
static int proc_cgroup_show(const struct proc_ctx *c, struct strbuf *out)
{
	return cgroupfs_show_task(c->k->vfs, c->task->pid, out);
}

static int proc_mountinfo_show(const struct proc_ctx *c, struct strbuf *out)
{
	return mountinfo_show(c->task, out);
}

static int proc_mounts_show(const struct proc_ctx *c, struct strbuf *out)
{
	return mounts_show(c->task, out);
}

/* ---------------------------------------------------------------------------------- */
/* Links */

/* The path of p as the looking task sees it (Linux's d_path from current's root): from
 * the namespace root when p is outside the reader's root, from its filesystem's root
 * when its mount is detached; " (deleted)" after a removed name. */
static int proc_path_show(const struct proc_ctx *c, const struct path *p, struct strbuf *out)
{
	size_t start = out->len;
	int err;

	err = path_to_string(p, &c->reader->root, out);
	if (err == -ENOENT && c->reader->ns && c->reader->ns->root) {
		struct mount *nr = c->reader->ns->root;
		struct path root = { .mnt = nr, .dentry = nr->mnt_root };

		out->len = start;
		err = path_to_string(p, &root, out);
	}
	if (err == -ENOENT) {
		out->len = start;
		err = d_path_in_sb(p->dentry, out);
	}
	if (err)
		return err;
	if (!(p->dentry->d_flags & (D_HASHED | D_ROOT)))
		sb_adds(out, " (deleted)");
	return sb_error(out);
}

static int proc_cwd_show(const struct proc_ctx *c, struct strbuf *out)
{
	return proc_path_show(c, &c->task->cwd, out);
}

static int proc_root_show(const struct proc_ctx *c, struct strbuf *out)
{
	return proc_path_show(c, &c->task->root, out);
}

static int proc_fd_show(const struct proc_ctx *c, struct strbuf *out)
{
	struct file *f = fdtable_lookup(&c->task->fds, c->fd);

	if (!f)
		return -ENOENT;
	return proc_path_show(c, &f->f_path, out);
}

int proc_self_show(const struct proc_ctx *c, struct strbuf *out)
{
	sb_printf(out, "%d", c->reader->pid);
	return sb_error(out);
}

int proc_thread_self_show(const struct proc_ctx *c, struct strbuf *out)
{
	sb_printf(out, "%d/task/%d", c->reader->pid, c->reader->pid);
	return sb_error(out);
}

/* ---------------------------------------------------------------------------------- */
/* fd/ */

static const struct proc_entry proc_fd_link_entry = {
	.name = "fd link",
	.mode = S_IFLNK,
	.flags = PROC_F_PTRACE,
	.show = proc_fd_show,
};

static int proc_fd_lookup(const struct proc_ctx *c, struct inode *dir, const char *name, size_t len,
			  struct inode **out)
{
	long fd = proc_name_to_int(name, len);
	struct file *f;

	if (fd < 0 || !(f = fdtable_lookup(&c->task->fds, (int)fd)))
		return -ENOENT;
	*out = proc_new_inode(dir->i_sb, &proc_fd_link_entry, c->task->pid, (int)fd);
	if (!*out)
		return -ENOMEM;
	if (f->f_mode & FMODE_READ)
		(*out)->i_mode |= S_IRUSR | S_IXUSR;
	if (f->f_mode & FMODE_WRITE)
		(*out)->i_mode |= S_IWUSR | S_IXUSR;
	return 0;
}

static int proc_fd_iterate(const struct proc_ctx *c, struct inode *dir, struct dir_context *ctx,
			   int64_t first_pos)
{
	const struct fdtable *ft = &c->task->fds;
	char name[16];
	int64_t fd;

	(void)dir;
	for (fd = ctx->pos - first_pos; fd < ft->size; fd++) {
		int n;

		if (!ft->slots[fd].file)
			continue;
		n = snprintf(name, sizeof(name), "%d", (int)fd);
		ctx->pos = first_pos + fd;
		if (!dir_emit(ctx, name, (size_t)n,
			      ((uint64_t)c->task->pid << 32) | 0x80000000u | (uint32_t)fd, DT_LNK))
			return 0;
		ctx->pos = first_pos + fd + 1;
	}
	return 0;
}

static const struct proc_dyn_ops proc_fd_ops = {
	.lookup = proc_fd_lookup,
	.iterate = proc_fd_iterate,
};

/* ---------------------------------------------------------------------------------- */
/* task/: the task's threads (one: itself) */

static const struct proc_entry proc_tid_entry;

static int proc_tid_lookup(const struct proc_ctx *c, struct inode *dir, const char *name,
			   size_t len, struct inode **out)
{
	if (proc_name_to_int(name, len) != c->task->pid)
		return -ENOENT;
	*out = proc_new_inode(dir->i_sb, &proc_tid_entry, c->task->pid, -1);
	return *out ? 0 : -ENOMEM;
}

static int proc_tid_iterate(const struct proc_ctx *c, struct inode *dir, struct dir_context *ctx,
			    int64_t first_pos)
{
	char name[16];
	int n;

	(void)dir;
	if (ctx->pos > first_pos + c->task->pid)
		return 0;
	n = snprintf(name, sizeof(name), "%d", c->task->pid);
	ctx->pos = first_pos + c->task->pid;
	if (!dir_emit(ctx, name, (size_t)n, ((uint64_t)c->task->pid << 32) | proc_tid_entry.id,
		      DT_DIR))
		return 0;
	ctx->pos++;
	return 0;
}

static const struct proc_dyn_ops proc_tid_ops = {
	.lookup = proc_tid_lookup,
	.iterate = proc_tid_iterate,
};

/* ---------------------------------------------------------------------------------- */
/* The tables. Inode ids 0x100..0x1ff (the PID sits in the high half). */

/* task/ comes first so that a thread's directory can share the rest (Linux's
 * tid_base_stuff has no task/). */
static const struct proc_entry proc_pid_children[] = {
	{ .name = "task", .mode = S_IFDIR | 0555, .id = 0x101, .dyn = &proc_tid_ops },
	{ .name = "fd", .mode = S_IFDIR | 0500, .id = 0x102, .dyn = &proc_fd_ops },
	{ .name = "environ",
	  .mode = S_IFREG | 0400,
	  .id = 0x103,
	  .flags = PROC_F_PTRACE,
	  .show = proc_empty_show },
	{ .name = "status", .mode = S_IFREG | 0444, .id = 0x104, .show = proc_status_show },
	{ .name = "comm", .mode = S_IFREG | 0444, .id = 0x105, .show = proc_comm_show },
	{ .name = "cmdline", .mode = S_IFREG | 0444, .id = 0x106, .show = proc_empty_show },
	{ .name = "stat", .mode = S_IFREG | 0444, .id = 0x107, .show = proc_pid_stat_show },
	{ .name = "cwd",
	  .mode = S_IFLNK | 0777,
	  .id = 0x108,
	  .flags = PROC_F_PTRACE,
	  .show = proc_cwd_show },
	{ .name = "root",
	  .mode = S_IFLNK | 0777,
	  .id = 0x109,
	  .flags = PROC_F_PTRACE,
	  .show = proc_root_show },
	{ .name = "mounts", .mode = S_IFREG | 0444, .id = 0x10a, .show = proc_mounts_show },
	{ .name = "mountinfo", .mode = S_IFREG | 0444, .id = 0x10b, .show = proc_mountinfo_show },
	{ .name = "cgroup", .mode = S_IFREG | 0444, .id = 0x10c, .show = proc_cgroup_show },
};

const struct proc_entry proc_pid_entry = {
	.name = "PID",
	.mode = S_IFDIR | 0555,
	.id = 0x100,
	.children = proc_pid_children,
	.nr_children = ARRAY_SIZE(proc_pid_children),
};

static const struct proc_entry proc_tid_entry = {
	.name = "TID",
	.mode = S_IFDIR | 0555,
	.id = 0x110,
	.children = proc_pid_children + 1,
	.nr_children = ARRAY_SIZE(proc_pid_children) - 1,
};
