/*
 * internal.h - the kernel's private structures: credentials, tasks, fd tables and the
 * kernel object. Used by src/kernel and src/vfs only.
 */
#ifndef VFSLAB_KERNEL_INTERNAL_H
#define VFSLAB_KERNEL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/list.h"
#include "../vfs/fs.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"

/* Capabilities the VFS consults (Linux numbering). */
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_MKNOD 27
#define CAP_SYS_ADMIN 21
#define CAP_SYS_CHROOT 18
#define CAP_LINUX_IMMUTABLE 9
#define CAP_SYS_RESOURCE 24

/*
 * A user namespace: capabilities are held relative to one. The model is Linux's without
 * id maps: a child namespace is owned by the euid that made it; its creator holds every
 * capability in it, none in its parent. Immutable; the count is atomic.
 */
struct user_namespace {
	int32_t refcount;
	struct user_namespace *parent;	/* a reference; NULL for the initial namespace */
	uid_t owner;
	int level;			/* 0 for the initial namespace */
};

#define USERNS_MAX_LEVEL 32

/* The initial user namespace (process-wide, like Linux's init_user_ns). */
extern struct user_namespace init_user_ns;
struct user_namespace *userns_get(struct user_namespace *ns);
void userns_put(struct user_namespace *ns);
/* A child of parent owned by owner (a new reference), or ERR_PTR(-EUSERS/-ENOMEM). */
struct user_namespace *userns_create(struct user_namespace *parent, uid_t owner);

/*
 * Credentials: immutable once shared (copy on change), so a file keeps the creds it
 * was opened with. Protected by: the reference count (vfs->lock).
 */
struct cred {
	int32_t refcount;
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	uint64_t cap_effective;	/* bit per CAP_*, held in user_ns: all when euid is 0 */
	struct user_namespace *user_ns;	/* a reference */
	size_t ngroups;
	gid_t *groups;		/* sorted ascending */
};

struct cred *cred_new_root(void);
struct cred *cred_get(const struct cred *c);
void cred_put(const struct cred *c);
/* A copy with new ids (the caller's reference to old is not consumed). */
struct cred *cred_with_ids(const struct cred *old, uid_t uid, gid_t gid, size_t ngroups,
			   const gid_t *groups);
bool cred_in_group(const struct cred *c, gid_t gid);
/* cap held in the initial user namespace (Linux's capable()). */
bool capable(const struct cred *c, int cap);
/* cap held in ns: c's namespace is ns or an ancestor of it (Linux's ns_capable()). */
bool ns_capable(const struct cred *c, const struct user_namespace *ns, int cap);
/* A copy of old in a new child user namespace with every capability there. */
struct cred *cred_in_new_userns(const struct cred *old);

/* One slot of a descriptor table. */
struct fd_slot {
	struct file *file;
	bool cloexec;
};

/* Protected by: vfs->lock. */
struct fdtable {
	struct fd_slot *slots;
	int size;	/* allocated slots */
	int next_free;	/* hint: no free slot below it */
};

#define FDTABLE_MAX 1048576

int fdtable_init(struct fdtable *t);
/* Duplicate (fork): every file gets another reference. */
int fdtable_copy(struct fdtable *dst, const struct fdtable *src);
void fdtable_destroy(struct fdtable *t);
/* Install f (a reference consumed on success) at the lowest free fd >= min. */
int fdtable_install(struct fdtable *t, struct file *f, bool cloexec, int min);
/* Install at exactly fd, closing what was there (dup3). */
int fdtable_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* The file at fd (no reference taken) or NULL. */
struct file *fdtable_lookup(struct fdtable *t, int fd);
/* Remove fd; returns its file (the table's reference passes to the caller) or NULL. */
struct file *fdtable_remove(struct fdtable *t, int fd);
struct fd_slot *fdtable_slot(struct fdtable *t, int fd);

struct mnt_namespace;

/* Protected by: vfs->lock. */
struct task {
	struct kernel *k;
	int pid;
	const struct cred *cred;
	mode_t umask;
	struct path root;
	struct path cwd;
	struct mnt_namespace *ns;	/* a reference */
	struct fdtable fds;
	struct list_head tasks;		/* in kernel->tasks */
	struct strbuf errmsg;
};

/* The kernel object. */
struct kernel {
	struct host *host;
	struct vfs *vfs;
	struct task *init;
	struct list_head tasks;
	int next_pid;
};

/* Start a VFS call on t: take the VFS lock and clear the task's error message. */
void task_enter(struct task *t);
void task_leave(struct task *t);
/* Explain the error the current call is about to return. */
void task_seterr(struct task *t, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
