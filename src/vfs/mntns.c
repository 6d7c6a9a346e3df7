/*
 * mntns.c - unshare(CLONE_NEWNS): a task gets a copy of its mount tree, as Linux's
 * copy_mnt_ns() makes one. The copies share superblocks and dentries with the originals;
 * the task's root and cwd move to the copies of their mounts. Shared mounts stay peers
 * of their originals, unless the new namespace is owned by a less privileged user
 * namespace: then they become slaves (Linux's CL_SHARED_TO_SLAVE), so events cannot
 * propagate back out.
 */
#include <errno.h>

#include "internal.h"

struct ns_copy {
	struct task *t;
	struct mnt_namespace *ns;
	bool to_slave;
	struct path root, cwd;	/* the task's root and cwd in the copy (borrowed) */
};

static int copy_one(struct ns_copy *c, struct mount *old, struct mount *parent_copy)
{
	struct path src = { old, old->mnt_root };
	struct mount *m = mnt_clone(old->mnt_sb->s_vfs, &src);
	struct list_head *p;
	int err;

	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	if (c->to_slave && m->mnt_prop == MNT_PROP_SHARED) {
		m->mnt_prop = MNT_PROP_SLAVE;
		m->mnt_master_id = m->mnt_group_id;
		m->mnt_group_id = 0;
	}
	if (!parent_copy) {
		c->ns = mnt_ns_new(m);
		if (!c->ns) {
			mnt_put(m);
			return -ENOMEM;
		}
	} else {
		struct path mp = { parent_copy, old->mnt_mountpoint };

		mnt_attach(m, &mp, c->ns); /* the tree takes our reference */
	}
	if (c->t->root.mnt == old)
		c->root = (struct path){ m, c->t->root.dentry };
	if (c->t->cwd.mnt == old)
		c->cwd = (struct path){ m, c->t->cwd.dentry };
	list_for_each(p, &old->mnt_mounts) {
		err = copy_one(c, list_entry(p, struct mount, mnt_child), m);
		if (err)
			return err;
	}
	return 0;
}

int mnt_ns_unshare(struct task *t, struct user_namespace *owner)
{
	struct ns_copy c = { .t = t, .to_slave = owner != t->ns->user_ns };
	int err;

	err = copy_one(&c, t->ns->root, NULL);
	if (err || !c.root.mnt || !c.cwd.mnt) {
		if (c.ns)
			mnt_ns_put(c.ns);
		return err ? err : -EINVAL; /* root or cwd outside the namespace's tree */
	}
	userns_put(c.ns->user_ns);
	c.ns->user_ns = userns_get(owner);
	path_get(&c.root);
	path_get(&c.cwd);
	path_put(&t->root);
	path_put(&t->cwd);
	t->root = c.root;
	t->cwd = c.cwd;
	mnt_ns_put(t->ns);
	t->ns = c.ns;
	return 0;
}
