/*
 * kernel.h - the kernel object and tasks.
 *
 * A kernel holds the VFS, the tasks and the host boundary. A task is the subject of
 * every VFS call: it has credentials (uid, gid, supplementary groups, and the
 * filesystem uid/gid that permission checks use), a umask, a working directory, a root
 * directory, a mount namespace and a file descriptor table.
 *
 * Thread safety: every function here may be called from any thread. A task must not be
 * used after task_exit().
 */
#ifndef VFSLAB_KERNEL_H
#define VFSLAB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct host;
struct kernel;
struct task;

#define KERNEL_NGROUPS_MAX 65536

/* A new kernel on host (consumed: the kernel destroys it). Its init task is root
 * (uid 0, gid 0, umask 022) with an empty namespace whose root is an empty rootfs
 * (a tmpfs, as Linux's initramfs root). Returns ERR_PTR(-errno) on failure. */
struct kernel *kernel_new(struct host *host);
/* What the sandbox supports, as runsc's flags decide (gVisor registers tundev only where
 * the network stack has tun, and /dev/fuse only with --fuse). kernel_new() has both. */
struct kernel_options {
	bool net_tun;
	bool fuse;
};
/* kernel_new() with options (NULL: neither tun nor fuse). */
struct kernel *kernel_new_opts(struct host *host, const struct kernel_options *opts);
/* Hand the kernel a host descriptor under a number, as runsc hands the sentry the gofer
 * FDs: a 9p mount's trans=fd,rfdno=N,wfdno=N then names N in this table. The kernel owns
 * fd from then on (even on failure); a number already donated is replaced (the old
 * descriptor closed). 0, -EINVAL (number < 0), -ENOMEM. Once a kernel has had a donation,
 * trans=fd names only donated numbers, never the process's own descriptors. */
int kernel_donate_fd(struct kernel *k, int number, int fd);
/* Close the descriptor donated under number (a mount that used it keeps its duplicate).
 * 0 or -ENOENT. */
int kernel_revoke_fd(struct kernel *k, int number);
/* Exits every task, unmounts everything and frees the kernel. */
void kernel_destroy(struct kernel *k);
struct host *kernel_host(struct kernel *k);
/* The init task (pid 1); the reference stays the kernel's. */
struct task *kernel_init_task(struct kernel *k);

/* A new task as fork(2) makes one: credentials, umask, cwd and root are copied, the
 * mount namespace is shared, the fd table is duplicated (the descriptions are shared).
 * NULL when out of memory. */
struct task *task_fork(struct task *parent);
void task_exit(struct task *t);
int task_pid(const struct task *t);

/* Credentials. task_setcreds sets real, effective, saved and filesystem ids at once;
 * groups may be NULL when ngroups is 0. Returns 0 or -EINVAL. */
int task_setcreds(struct task *t, uid_t uid, gid_t gid, size_t ngroups, const gid_t *groups);
uid_t task_uid(const struct task *t);
gid_t task_gid(const struct task *t);
/* Copies up to max groups into groups; returns the number the task has. */
size_t task_groups(const struct task *t, gid_t *groups, size_t max);

/* unshare(2) with CLONE_NEWUSER and/or CLONE_NEWNS (from <sched.h>): a new user
 * namespace in which the task holds every capability (none outside it; ids are not
 * remapped), and/or a private copy of its mount tree owned by its user namespace. With
 * both, an unprivileged task may mount the types registered for users (FS_USER_MOUNT)
 * in its own tree. 0, -EINVAL (other flags), -EPERM, -EUSERS (nesting over 32). */
int task_unshare(struct task *t, int flags);

/* The message that explains the last error a call on this task returned, if any
 * ("tmpfs: unknown option 'foo'"), or "" — cleared at the start of each VFS call. */
const char *task_errmsg(const struct task *t);

#endif
