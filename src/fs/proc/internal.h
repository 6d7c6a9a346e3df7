/*
 * internal.h - proc's private header: the entry tables that describe the tree, the
 * proc inode, and the helpers shared by super.c, root.c, pid.c, files.c and sys.c,
 * grouped by the file that implements each part.
 *
 * Model: every name in /proc is described by a static const struct proc_entry (its name,
 * type and mode, how to make its contents, its fixed children). A directory may also
 * have a dynamic part (the PIDs under /proc, the descriptors under /proc/PID/fd) that
 * proc_dyn_ops look up and list. Inodes are made on lookup and die with their dentry
 * (SB_DROP_UNUSED): nothing in proc outlives its use, so a task that exits leaves no
 * stale state, and a proc inode never holds a pointer to a task, only its PID, which
 * it resolves again at each operation (PIDs are never reused by a kernel).
 *
 * Contents are generated whole when a file is opened (Linux's seq_file with
 * single_open) and served from that snapshot; stat says size 0, as Linux's proc does.
 *
 * Locking: every operation runs under the VFS lock, which also protects the kernel's
 * task list and every task's fields; proc takes no lock of its own.
 */
#ifndef VFSLAB_FS_PROC_INTERNAL_H
#define VFSLAB_FS_PROC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/internal.h"
#include "proc.h"

/* Linux's values where a program might compare them. */
#define PROC_ROOT_INO 1
#define PROC_BLOCKSIZE 1024  /* proc's s_blocksize: st_blksize of every entry */
#define PROC_CAP_LAST_CAP 40 /* CAP_CHECKPOINT_RESTORE, as gVisor reports it */
#define PROC_NR_OPEN FDTABLE_MAX
#define PROC_FILE_MAX 9223372036854775807 /* Linux's default on 64-bit: LONG_MAX */
#define PROC_PID_MAX 4194304

/* The kernel's identity, gVisor's (pkg/sentry/kernel/version). */
#define PROC_SYSNAME "Linux"
#define PROC_RELEASE "4.4.0"
#define PROC_VERSION "#1 SMP Sun Jan 10 15:06:54 PST 2016"
#define PROC_HOSTNAME "localhost"
#define PROC_DOMAINNAME "(none)"
#define PROC_COMM "vfslab" /* a task's name: tasks have none of their own yet */

struct proc_entry;

/* What a generator needs: the kernel, the task a /proc/PID entry belongs to, and the
 * task that is looking (for self links and paths relative to its root). */
struct proc_ctx {
	const struct proc_entry *pe; /* the entry operated on */
	struct kernel *k;
	struct task *task;   /* NULL for entries that belong to no task */
	struct task *reader; /* never NULL */
	int fd;		     /* /proc/PID/fd/N: N; else -1 */
};

/* Write the contents of a file (or the target of a link) to out: 0 or -errno. */
typedef int (*proc_show_fn)(const struct proc_ctx *c, struct strbuf *out);

/* The dynamic part of a directory. Positions of dynamic entries start at first_pos. */
struct proc_dyn_ops {
	/* Make the inode for name (one reference in *out), or -ENOENT. */
	int (*lookup)(const struct proc_ctx *c, struct inode *dir, const char *name, size_t len,
		      struct inode **out);
	/* Emit entries from ctx->pos on (ctx->pos >= first_pos). */
	int (*iterate)(const struct proc_ctx *c, struct inode *dir, struct dir_context *ctx,
		       int64_t first_pos);
};

/* Entry flags. */
#define PROC_F_PTRACE (1u << 0) /* access needs ptrace_may_access (links, environ) */

/* A name in /proc: static, const, shared by every mount. */
struct proc_entry {
	const char *name;
	uint32_t mode;			   /* S_IFxxx | permission bits */
	uint32_t id;			   /* low 32 bits of the inode number (see proc_ino) */
	unsigned flags;			   /* PROC_F_* */
	proc_show_fn show;		   /* S_IFREG: contents; S_IFLNK: target */
	const char *text;		   /* fixed contents, for proc_text_show */
	const struct proc_entry *children; /* S_IFDIR: the fixed names */
	size_t nr_children;
	const struct proc_dyn_ops *dyn; /* S_IFDIR: the names that come and go, or NULL */
};

/* A proc inode. Protected by: vfs->lock. */
struct proc_inode {
	struct inode vfs_inode;
	const struct proc_entry *pe;
	int pid; /* the task it belongs to, 0 for none */
	int fd;	 /* fd links: the descriptor; -1 otherwise */
};

static inline struct proc_inode *PROC_I(struct inode *inode)
{
	return container_of(inode, struct proc_inode, vfs_inode);
}

/* --- super.c: the superblock, inodes, contexts ------------------------------------- */

/* Per superblock. Protected by: vfs->lock. */
struct proc_sb_info {
	struct kernel *k;
};

static inline struct kernel *proc_kernel(struct super_block *sb)
{
	return ((struct proc_sb_info *)sb->s_fs_info)->k;
}

/* The task with pid in k, or NULL. */
struct task *proc_find_task(struct kernel *k, int pid);
/* A new inode for pe (of task pid, descriptor fd or -1) in sb: one reference returned,
 * or NULL on ENOMEM. Ownership is the task's effective ids (root for global entries). */
struct inode *proc_new_inode(struct super_block *sb, const struct proc_entry *pe, int pid, int fd);
/* The task whose VFS call is running (vfs_current), the looking task. */
struct task *proc_current_task(struct kernel *k);
/* Fill c for an operation on inode: -ENOENT when its task has exited. */
int proc_ctx_init(struct proc_ctx *c, struct inode *inode);
/* Linux's ptrace_may_access for reading, simplified: same user or CAP_SYS_PTRACE. */
bool proc_may_inspect(const struct cred *cred, const struct task *t);
/* "123" (no sign, no leading zero, as Linux's name_to_int) to a number, or -1. */
long proc_name_to_int(const char *name, size_t len);

/* --- root.c: directories and the /proc root ----------------------------------------- */

extern const struct inode_operations proc_dir_iops;
extern const struct file_operations proc_dir_fops;
extern const struct inode_operations proc_file_iops;
extern const struct inode_operations proc_link_iops;
extern const struct proc_entry proc_root_entry;

/* --- pid.c: /proc/PID ------------------------------------------------------------ */

extern const struct proc_entry proc_pid_entry;
/* The self links (their targets depend on the reader). */
int proc_self_show(const struct proc_ctx *c, struct strbuf *out);
int proc_thread_self_show(const struct proc_ctx *c, struct strbuf *out);

/* --- files.c: generated files and the global ones ------------------------------------ */

extern const struct file_operations proc_seq_fops;
int proc_filesystems_show(const struct proc_ctx *c, struct strbuf *out);
int proc_cgroups_show(const struct proc_ctx *c, struct strbuf *out);
int proc_cpuinfo_show(const struct proc_ctx *c, struct strbuf *out);
int proc_meminfo_show(const struct proc_ctx *c, struct strbuf *out);
int proc_uptime_show(const struct proc_ctx *c, struct strbuf *out);
int proc_version_show(const struct proc_ctx *c, struct strbuf *out);
int proc_loadavg_show(const struct proc_ctx *c, struct strbuf *out);
int proc_stat_show(const struct proc_ctx *c, struct strbuf *out);
int proc_mounts_link_show(const struct proc_ctx *c, struct strbuf *out);

/* --- sys.c: /proc/sys ------------------------------------------------------------- */

/* The children of /proc/sys (fs, kernel, vm): the array is declared with this size. */
#define PROC_SYS_NR_CHILDREN 3
extern const struct proc_entry proc_sys_children[PROC_SYS_NR_CHILDREN];
/* Contents that never change: the entry's text. */
int proc_text_show(const struct proc_ctx *c, struct strbuf *out);

#endif
