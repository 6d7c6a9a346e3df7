/*
 * mountsys.c - mount(2) and umount2(2) as Linux's fs/namespace.c has them (new mounts,
 * bind and recursive bind, remount of a superblock or of a mount's flags, propagation
 * changes, move), and the in-process operations the container mounter uses: mounting
 * disconnected, connecting later, toggling read-only, synthetic mount points.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "base/alloc.h"
#include "internal.h"

#ifndef MS_MGC_VAL
#define MS_MGC_VAL 0xC0ED0000
#define MS_MGC_MSK 0xffff0000
#endif

#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

uint32_t mnt_flags_from_ms(unsigned long flags)
{
	uint32_t m = 0;

	if (flags & MS_RDONLY)
		m |= MNT_RDONLY_F;
	if (flags & MS_NOSUID)
		m |= MNT_NOSUID_F;
	if (flags & MS_NODEV)
		m |= MNT_NODEV_F;
	if (flags & MS_NOEXEC)
		m |= MNT_NOEXEC_F;
	if (flags & MS_NODIRATIME)
		m |= MNT_NODIRATIME_F;
	/* Default to relatime unless noatime or strictatime is asked for. */
	if (flags & MS_NOATIME)
		m |= MNT_NOATIME_F;
	else if (flags & MS_STRICTATIME)
		m |= MNT_STRICTATIME_F;
	else
		m |= MNT_RELATIME_F;
	return m;
}

static bool is_mount_root(const struct path *p)
{
	return p->dentry == p->mnt->mnt_root;
}

static bool in_ns(const struct task *t, const struct mount *m)
{
	return m->mnt_ns == t->ns;
}

/* Linux's graft_tree checks: a directory only on a directory, a file on a file. */
static int may_graft(const struct path *mp, const struct dentry *root)
{
	if (!(mp->dentry->d_flags & (D_HASHED | D_ROOT)))
		return -ENOENT;
	if (d_is_dir(mp->dentry) != d_is_dir(root))
		return -ENOTDIR;
	return 0;
}

static int do_new_mount(struct task *t, const struct path *mp, const char *fstype,
			const char *source, unsigned long flags, const char *data)
{
	struct vfs *vfs = t->k->vfs;
	struct fs_registration *r;
	struct mount *m;
	int err;

	if (!fstype || !*fstype)
		return -EINVAL;
	r = vfs_find_fs_type(vfs, fstype);
	if (!r) {
		task_seterr(t, "unknown filesystem type '%s'", fstype);
		return -ENODEV;
	}
	/* gVisor's AllowUserMount: a type not marked for users needs CAP_SYS_ADMIN in the
	 * initial user namespace, not just in the one owning the mount namespace. */
	if (!(r->flags & FS_USER_MOUNT) && !capable(t->cred, CAP_SYS_ADMIN)) {
		task_seterr(t, "%s: not mountable from a user namespace", fstype);
		return -EPERM;
	}
	(void)vfs;
	m = vfs_task_mount(t, fstype, source, mnt_flags_from_ms(flags), data);
	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	err = may_graft(mp, m->mnt_root);
	if (err) {
		mnt_put(m);
		return err;
	}
	mnt_attach(m, mp, t->ns);
	return 0;
}

/* Clone the mount tree at p (just p's mount if !recursive), skipping unbindable
 * submounts; returns the new top (a reference) with its copies attached below it. */
static struct mount *copy_tree(struct task *t, const struct path *p, bool recursive)
{
	struct vfs *vfs = t->k->vfs;
	struct mount *top = mnt_clone(vfs, p);
	struct list_head *c;

	if (IS_ERR(top) || !recursive)
		return top;
	list_for_each(c, &p->mnt->mnt_mounts) {
		struct mount *child = list_entry(c, struct mount, mnt_child);
		struct path cp = { child, child->mnt_root };
		struct path where;
		struct mount *sub;
		struct dentry *d;

		if (child->mnt_prop == MNT_PROP_UNBINDABLE)
			continue;
		/* Only submounts below the bound subtree come along. */
		for (d = child->mnt_mountpoint; d != p->dentry && d->d_parent != d; d = d->d_parent)
			;
		if (d != p->dentry)
			continue;
		sub = copy_tree(t, &cp, true);
		if (IS_ERR(sub)) {
			umount_tree(top);
			return sub;
		}
		where.mnt = top;
		where.dentry = child->mnt_mountpoint;
		mnt_attach(sub, &where, t->ns); /* the tree takes our reference */
	}
	return top;
}

static int do_loopback(struct task *t, const struct path *mp, const char *source, bool recursive)
{
	struct path src;
	struct mount *m;
	int err;

	if (!source || !*source)
		return -EINVAL;
	err = path_lookupat(t, AT_FDCWD, source, LOOKUP_FOLLOW, &src);
	if (err)
		return err;
	err = -EINVAL;
	if (src.mnt->mnt_prop == MNT_PROP_UNBINDABLE)
		goto out;
	if (!in_ns(t, src.mnt) && src.mnt->mnt_ns)
		goto out;
	err = may_graft(mp, src.dentry);
	if (err)
		goto out;
	m = copy_tree(t, &src, recursive);
	if (IS_ERR(m)) {
		err = (int)PTR_ERR(m);
		goto out;
	}
	mnt_attach(m, mp, t->ns);
	/* The copies below m joined the namespace list before m: move them after it so
	 * that mountinfo lists parents first. */
	if (recursive) {
		struct list_head *p, *tmp;
		struct list_head moved;

		list_init(&moved);
		list_for_each_safe(p, tmp, &t->ns->mounts) {
			struct mount *x = list_entry(p, struct mount, mnt_list);
			struct mount *up;

			for (up = x; up && up != m && up->mnt_parent != up; up = up->mnt_parent)
				;
			if (up == m && x != m) {
				list_del(&x->mnt_list);
				list_add_tail(&x->mnt_list, &moved);
			}
		}
		while (!list_empty(&moved)) {
			p = moved.next;
			list_del(p);
			list_add_tail(p, &t->ns->mounts);
		}
	}
	err = 0;
out:
	path_put(&src);
	return err;
}

static int do_remount(struct task *t, const struct path *mp, unsigned long flags,
		      const char *data)
{
	struct mount *m = mp->mnt;
	struct super_block *sb = m->mnt_sb;
	uint32_t mnt_flags = mnt_flags_from_ms(flags);
	int err;

	if (!in_ns(t, m) || !is_mount_root(mp))
		return -EINVAL;
	if (!(flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME))) {
		mnt_flags &= ~(uint32_t)(MNT_ATIME_MASK | MNT_NODIRATIME_F);
		mnt_flags |= m->mnt_flags & (MNT_ATIME_MASK | MNT_NODIRATIME_F);
	}
	if (flags & MS_BIND) {
		m->mnt_flags = mnt_flags;
		return 0;
	}
	if (data && *data) {
		struct fs_context fc = {
			.vfs = sb->s_vfs,
			.type = sb->s_type,
			.cred = t->cred,
			.sb_flags = (flags & MS_RDONLY) ? SB_RDONLY : 0,
			.errmsg = &t->errmsg,
		};

		fc.data = vl_strdup(data);
		if (!fc.data)
			return -ENOMEM;
		fs_strip_sb_flags(fc.data, &fc.sb_flags);
		if (fc.sb_flags & SB_RDONLY)
			flags |= MS_RDONLY;
		if (fc.data[0] && !sb->s_op->remount) {
			vl_free(fc.data);
			task_seterr(t, "%s: options cannot be changed on remount",
				    sb->s_type->name);
			return -EINVAL;
		}
		err = fc.data[0] ? sb->s_op->remount(sb, &fc) : 0;
		vl_free(fc.data);
		if (err)
			return err;
	}
	if (flags & MS_RDONLY)
		sb->s_flags |= SB_RDONLY;
	else
		sb->s_flags &= ~(uint32_t)SB_RDONLY;
	m->mnt_flags = mnt_flags;
	return 0;
}

static int peers_of(const struct mnt_namespace *ns, int group)
{
	const struct list_head *p;
	int n = 0;

	list_for_each(p, &ns->mounts) {
		const struct mount *x = list_entry(p, struct mount, mnt_list);

		if (x->mnt_prop == MNT_PROP_SHARED && x->mnt_group_id == group)
			n++;
	}
	return n;
}

static void change_one(struct task *t, struct mount *m, unsigned long type)
{
	struct vfs *vfs = t->k->vfs;

	switch (type) {
	case MS_SHARED:
		if (m->mnt_prop != MNT_PROP_SHARED) {
			/* A slave that becomes shared keeps its master. */
			if (m->mnt_prop != MNT_PROP_SLAVE)
				m->mnt_master_id = 0;
			m->mnt_group_id = ++vfs->next_group_id;
			m->mnt_prop = MNT_PROP_SHARED;
		}
		break;
	case MS_SLAVE:
		if (m->mnt_prop == MNT_PROP_SHARED && peers_of(t->ns, m->mnt_group_id) > 1) {
			m->mnt_master_id = m->mnt_group_id;
			m->mnt_prop = MNT_PROP_SLAVE;
		} else if (m->mnt_prop != MNT_PROP_SLAVE || !m->mnt_master_id) {
			m->mnt_prop = MNT_PROP_PRIVATE;
			m->mnt_master_id = 0;
		} else {
			m->mnt_prop = MNT_PROP_SLAVE;
		}
		m->mnt_group_id = 0;
		break;
	case MS_PRIVATE:
		m->mnt_prop = MNT_PROP_PRIVATE;
		m->mnt_group_id = 0;
		m->mnt_master_id = 0;
		break;
	case MS_UNBINDABLE:
		m->mnt_prop = MNT_PROP_UNBINDABLE;
		m->mnt_group_id = 0;
		m->mnt_master_id = 0;
		break;
	}
}

static void change_tree(struct task *t, struct mount *m, unsigned long type)
{
	struct list_head *c;

	change_one(t, m, type);
	list_for_each(c, &m->mnt_mounts)
		change_tree(t, list_entry(c, struct mount, mnt_child), type);
}

static int do_change_type(struct task *t, const struct path *mp, unsigned long flags)
{
	unsigned long type = flags & MS_PROPAGATION;

	if (!in_ns(t, mp->mnt) || !is_mount_root(mp))
		return -EINVAL;
	/* Exactly one propagation type. */
	if (!type || (type & (type - 1)))
		return -EINVAL;
	if (flags & MS_REC)
		change_tree(t, mp->mnt, type);
	else
		change_one(t, mp->mnt, type);
	return 0;
}

static int do_move_mount(struct task *t, const struct path *mp, const char *source)
{
	struct path src;
	struct mount *m, *p;
	int err;

	if (!source)
		return -EINVAL;
	err = path_lookupat(t, AT_FDCWD, source, LOOKUP_FOLLOW, &src);
	if (err)
		return err;
	m = src.mnt;
	err = -EINVAL;
	if (!in_ns(t, m) || !is_mount_root(&src) || !m->mnt_parent || m->mnt_parent == m)
		goto out;
	/* Not below itself. */
	for (p = mp->mnt; p && p->mnt_parent != p; p = p->mnt_parent)
		if (p == m)
			goto out;
	if (mp->mnt == m)
		goto out;
	err = may_graft(mp, m->mnt_root);
	if (err)
		goto out;
	mnt_get(m);
	{
		/* Detach only m from its parent (its submounts move with it). */
		struct mount *parent = m->mnt_parent;
		struct dentry *old_mp = m->mnt_mountpoint;
		struct vfs *vfs = t->k->vfs;

		mnt_hash_del(vfs, m);
		list_del(&m->mnt_child);
		old_mp->d_mounted--;
		m->mnt_parent = mnt_get(mp->mnt);
		m->mnt_mountpoint = d_get(mp->dentry);
		mp->dentry->d_mounted++;
		mnt_hash_add(vfs, m);
		list_add_tail(&m->mnt_child, &mp->mnt->mnt_mounts);
		d_put(old_mp);
		mnt_put(parent);
	}
	mnt_put(m);
	err = 0;
out:
	path_put(&src);
	return err;
}

int vfs_mount(struct task *t, const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data)
{
	struct path mp;
	int err;

	task_enter(t);
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(unsigned long)MS_MGC_MSK;
	/* CAP_SYS_ADMIN in the user namespace that owns the task's mount namespace. */
	if (!ns_capable(t->cred, t->ns->user_ns, CAP_SYS_ADMIN)) {
		err = -EPERM;
		goto out;
	}
	if (!target) {
		err = -EFAULT;
		goto out;
	}
	err = path_lookupat(t, AT_FDCWD, target, LOOKUP_FOLLOW, &mp);
	if (err)
		goto out;
	if (!in_ns(t, mp.mnt)) {
		err = -EINVAL;
	} else if (flags & MS_REMOUNT) {
		err = do_remount(t, &mp, flags, data);
	} else if (flags & MS_BIND) {
		err = do_loopback(t, &mp, source, (flags & MS_REC) != 0);
	} else if (flags & MS_PROPAGATION) {
		err = do_change_type(t, &mp, flags);
	} else if (flags & MS_MOVE) {
		err = do_move_mount(t, &mp, source);
	} else {
		err = do_new_mount(t, &mp, fstype, source, flags, data);
	}
	path_put(&mp);
out:
	task_leave(t);
	return err;
}

int vfs_umount2(struct task *t, const char *target, int flags)
{
	struct path p;
	struct mount *m;
	int err;

	task_enter(t);
	err = -EINVAL;
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		goto out;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		goto out;
	err = -EPERM;
	if (!ns_capable(t->cred, t->ns->user_ns, CAP_SYS_ADMIN))
		goto out;
	err = path_lookupat(t, AT_FDCWD, target, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			    &p);
	if (err)
		goto out;
	m = p.mnt;
	err = -EINVAL;
	if (!is_mount_root(&p) || !in_ns(t, m) || !m->mnt_parent || m->mnt_parent == m)
		goto out_p;
	if (flags & MNT_EXPIRE) {
		err = -EAGAIN; /* first call marks, as Linux; nothing expires here */
		goto out_p;
	}
	if (!(flags & MNT_DETACH)) {
		/* Busy: submounts, or references beyond the tree's and our lookup's. */
		err = -EBUSY;
		if (!list_empty(&m->mnt_mounts) || m->mnt_count > 2)
			goto out_p;
	}
	umount_tree(m);
	err = 0;
out_p:
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* In-process operations for the container mounter. */

int mnt_connect_at(struct task *t, struct mount *m, const struct path *mp)
{
	int err;

	if (m->mnt_parent)
		return -EINVAL; /* already connected */
	err = may_graft(mp, m->mnt_root);
	if (err)
		return err;
	mnt_attach(mnt_get(m), mp, t->ns);
	return 0;
}

int mnt_set_readonly(struct mount *m, bool ro)
{
	if (ro)
		m->mnt_flags |= MNT_RDONLY_F;
	else
		m->mnt_flags &= ~(uint32_t)MNT_RDONLY_F;
	return 0;
}

int mkdir_synthetic(struct dentry *parent, const char *name, size_t len, uint32_t mode)
{
	struct dentry *d;
	struct inode *inode;

	if (!d_is_dir(parent))
		return -ENOTDIR;
	d = d_lookup(parent, name, len);
	if (d && d->d_inode)
		return d_is_dir(d) ? 0 : -EEXIST;
	inode = synthetic_dir_inode(parent->d_sb, mode, 0, 0);
	if (!inode)
		return -ENOMEM;
	if (d) {
		d_get(d);
	} else {
		d = d_alloc(parent, name, len);
		if (IS_ERR(d)) {
			iput(inode);
			return (int)PTR_ERR(d);
		}
	}
	d->d_flags |= D_SYNTHETIC;
	d_instantiate(d, inode);
	parent->d_inode->i_nlink++;
	d_put(d);
	return 0;
}
