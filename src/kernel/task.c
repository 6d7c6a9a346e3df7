/*
 * task.c - tasks: credentials, umask, cwd, root, namespace and fd table, and the entry
 * and exit of every VFS call (the VFS lock, the per-call error message).
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "../vfs/internal.h"
#include "fs/cgroupfs/cgroupfs.h"

void task_enter(struct task *t)
{
	pthread_mutex_lock(&t->k->vfs->lock);
	t->k->vfs->current = t;
	sb_reset(&t->errmsg);
}

void task_leave(struct task *t)
{
	t->k->vfs->current = NULL;
	pthread_mutex_unlock(&t->k->vfs->lock);
}

struct task *vfs_current(struct vfs *vfs)
{
	return vfs->current;
}

void vfs_cond_wait(struct vfs *vfs, pthread_cond_t *cond)
{
	struct task *cur = vfs->current;

	vfs->current = NULL;
	pthread_cond_wait(cond, &vfs->lock);
	vfs->current = cur;
}

void task_seterr(struct task *t, const char *fmt, ...)
{
	va_list ap;

	sb_reset(&t->errmsg);
	va_start(ap, fmt);
	sb_vprintf(&t->errmsg, fmt, ap);
	va_end(ap);
}

const char *task_errmsg(const struct task *t)
{
	return t->errmsg.buf && !t->errmsg.err ? t->errmsg.buf : "";
}

/* Allocate a task copying parent's state; the VFS lock is held. */
struct task *task_alloc_locked(struct kernel *k, const struct task *parent)
{
	struct task *t = vl_zalloc(sizeof(*t));

	if (!t)
		return NULL;
	if (parent && fdtable_copy(&t->fds, &parent->fds)) {
		vl_free(t);
		return NULL;
	}
	t->k = k;
	t->pid = ++k->next_pid;
	if (parent) {
		t->cred = cred_get(parent->cred);
		t->umask = parent->umask;
		t->root = parent->root;
		path_get(&t->root);
		t->cwd = parent->cwd;
		path_get(&t->cwd);
		t->ns = mnt_ns_get(parent->ns);
	}
	sb_init(&t->errmsg);
	list_add_tail(&t->tasks, &k->tasks);
	obj_inc(OBJ_TASK);
	return t;
}

void task_free_locked(struct task *t);

struct task *task_fork(struct task *parent)
{
	struct task *t;

	task_enter(parent);
	t = task_alloc_locked(parent->k, parent);
	/* As Linux's fork calls cgroup_fork: the child starts in its parent's cgroups. */
	if (t && cgroupfs_task_fork(parent->k->vfs, parent->pid, t->pid)) {
		task_free_locked(t);
		t = NULL;
	}
	task_leave(parent);
	return t;
}

void task_free_locked(struct task *t)
{
	fdtable_destroy(&t->fds);
	path_put(&t->cwd);
	path_put(&t->root);
	mnt_ns_put(t->ns);
	cred_put(t->cred);
	list_del(&t->tasks);
	sb_free(&t->errmsg);
	obj_dec(OBJ_TASK);
	vl_free(t);
}

void task_exit(struct task *t)
{
	struct vfs *vfs = t->k->vfs;

	if (t == t->k->init)
		return; /* the init task lives as long as the kernel */
	pthread_mutex_lock(&vfs->lock);
	task_free_locked(t);
	pthread_mutex_unlock(&vfs->lock);
}

int task_pid(const struct task *t)
{
	return t->pid;
}

int task_setcreds(struct task *t, uid_t uid, gid_t gid, size_t ngroups, const gid_t *groups)
{
	struct cred *c;
	int err = 0;

	if (ngroups > KERNEL_NGROUPS_MAX || uid == (uid_t)-1 || gid == (gid_t)-1)
		return -EINVAL;
	task_enter(t);
	c = cred_with_ids(t->cred, uid, gid, ngroups, groups);
	if (IS_ERR_OR_NULL(c)) {
		err = c ? (int)PTR_ERR(c) : -ENOMEM;
	} else {
		cred_put(t->cred);
		t->cred = c;
	}
	task_leave(t);
	return err;
}

uid_t task_uid(const struct task *t)
{
	return t->cred->euid;
}

gid_t task_gid(const struct task *t)
{
	return t->cred->egid;
}

size_t task_groups(const struct task *t, gid_t *groups, size_t max)
{
	size_t i;

	for (i = 0; i < t->cred->ngroups && i < max; i++)
		groups[i] = t->cred->groups[i];
	return t->cred->ngroups;
}

int task_unshare(struct task *t, int flags)
{
	struct cred *nc = NULL;
	const struct cred *c;
	int err = 0;

	if (flags & ~(CLONE_NEWUSER | CLONE_NEWNS))
		return -EINVAL;
	task_enter(t);
	if (flags & CLONE_NEWUSER) {
		nc = cred_in_new_userns(t->cred);
		if (IS_ERR(nc)) {
			err = (int)PTR_ERR(nc);
			goto out;
		}
	}
	c = nc ? nc : t->cred;
	if (flags & CLONE_NEWNS) {
		if (!ns_capable(c, c->user_ns, CAP_SYS_ADMIN)) {
			err = -EPERM;
			goto out_cred;
		}
		err = mnt_ns_unshare(t, c->user_ns);
		if (err)
			goto out_cred;
	}
	if (nc) {
		cred_put(t->cred);
		t->cred = nc;
	}
	goto out;
out_cred:
	cred_put(nc);
out:
	task_leave(t);
	return err;
}
