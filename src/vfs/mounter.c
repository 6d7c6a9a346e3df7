/*
 * mounter.c - the VFS operations the container mounter (src/boot) uses beyond mount(2):
 * gVisor's MountDisconnected, NewMountNamespace, ConnectMountAt, SetMountReadOnly and
 * MakeSyntheticMountpoint, and the table of host descriptors the runtime donates.
 *
 * Every function here takes the VFS lock itself (task_enter) and reports why it failed
 * through the task's error message, as the syscall-like API does. Paths are resolved from
 * the task's root, as runsc resolves a destination from the container's root.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "kernel/internal.h"
#include "vfs/internal.h"
#include "vfs/layer.h"
#include "vfs/mounter.h"

/* ---------------------------------------------------------------------------------- */
/* Donated descriptors */

int vfs_donated_fd(struct vfs *vfs, int number)
{
	size_t i;

	if (!vfs->ndonated)
		return -EBADF;
	for (i = 0; i < vfs->ndonated; i++)
		if (vfs->donated[i].number == number)
			return vfs->donated[i].fd;
	return -ENOENT;
}

void vfs_donated_close_all(struct vfs *vfs)
{
	size_t i;

	for (i = 0; i < vfs->ndonated; i++)
		close(vfs->donated[i].fd);
	vl_free(vfs->donated);
	vfs->donated = NULL;
	vfs->ndonated = 0;
}

int kernel_donate_fd(struct kernel *k, int number, int fd)
{
	struct vfs *vfs = k->vfs;
	struct donated_fd *nd;
	size_t i;
	int err = 0;

	if (number < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	pthread_mutex_lock(&vfs->lock);
	for (i = 0; i < vfs->ndonated; i++) {
		if (vfs->donated[i].number == number) {
			close(vfs->donated[i].fd);
			vfs->donated[i].fd = fd;
			goto out;
		}
	}
	nd = vl_realloc(vfs->donated, (vfs->ndonated + 1) * sizeof(*nd));
	if (!nd) {
		close(fd);
		err = -ENOMEM;
		goto out;
	}
	vfs->donated = nd;
	nd[vfs->ndonated++] = (struct donated_fd){ .number = number, .fd = fd };
out:
	pthread_mutex_unlock(&vfs->lock);
	return err;
}

int kernel_revoke_fd(struct kernel *k, int number)
{
	struct vfs *vfs = k->vfs;
	size_t i;
	int err = -ENOENT;

	pthread_mutex_lock(&vfs->lock);
	for (i = 0; i < vfs->ndonated; i++) {
		if (vfs->donated[i].number == number) {
			close(vfs->donated[i].fd);
			/* The table keeps its place so that "has donations" stays true. */
			vfs->donated[i].fd = -1;
			vfs->donated[i].number = -1;
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&vfs->lock);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Mounts */

struct mount *mounter_mount_disconnected(struct task *t, const char *fstype, const char *source,
					 unsigned long ms_flags, const char *data,
					 const void *internal)
{
	uint32_t flags = mnt_flags_from_ms(ms_flags);
	struct mount *m;

	/* Read-only is the mount's, not the filesystem's (gVisor's MountOptions.ReadOnly):
	 * set-rw can then make it writable while submounts are set up. */
	task_enter(t);
	m = vfs_task_mount_internal(t, fstype, source, flags & ~MNT_RDONLY_F, data, internal);
	if (!IS_ERR(m))
		m->mnt_flags |= flags & MNT_RDONLY_F;
	task_leave(t);
	return m;
}

void mounter_put(struct task *t, struct mount *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	task_enter(t);
	mnt_put(m);
	task_leave(t);
}

void mounter_root(struct task *t, struct mount *m, struct path *out)
{
	task_enter(t);
	out->mnt = mnt_get(m);
	out->dentry = d_get(m->mnt_root);
	task_leave(t);
}

void mounter_path_put(struct task *t, struct path *p)
{
	if (!p->mnt)
		return;
	task_enter(t);
	path_put(p);
	task_leave(t);
	p->mnt = NULL;
	p->dentry = NULL;
}

void mounter_ns_put(struct task *t, struct mnt_namespace *ns)
{
	if (!ns)
		return;
	task_enter(t);
	mnt_ns_put(ns);
	task_leave(t);
}

int mounter_mnt_id(const struct mount *m)
{
	return m->mnt_id;
}

int mounter_new_namespace(struct task *t, struct mount *root, bool all,
			  struct mnt_namespace **oldp)
{
	struct mnt_namespace *old, *ns;
	struct list_head *p;

	task_enter(t);
	old = t->ns;
	*oldp = mnt_ns_get(old);
	ns = mnt_ns_new(root);
	if (!ns) {
		mnt_put(root);
		mnt_ns_put(*oldp);
		*oldp = NULL;
		task_leave(t);
		return -ENOMEM;
	}
	/* Every task of the old namespace moves (all), or t alone: the container's tasks
	 * start in the new one (the REPL's other tasks follow its init task); a pod's later
	 * container gets a namespace of its own beside the first's. */
	list_for_each(p, &t->k->tasks) {
		struct task *u = list_entry(p, struct task, tasks);

		if (u->ns != old || (!all && u != t))
			continue;
		path_put(&u->root);
		path_put(&u->cwd);
		u->root.mnt = mnt_get(root);
		u->root.dentry = d_get(root->mnt_root);
		u->cwd.mnt = mnt_get(root);
		u->cwd.dentry = d_get(root->mnt_root);
		u->ns = mnt_ns_get(ns);
		mnt_ns_put(old);
	}
	mnt_ns_put(ns); /* the tasks hold it now */
	task_leave(t);
	return 0;
}

/* Resolve target from t's root, following every symlink, to the topmost mount there. */
static int lookup_target(struct task *t, const char *target, struct path *out)
{
	struct path save = t->cwd;
	int err;

	/* Absolute destinations resolve from the task's root whatever its cwd is. */
	if (target[0] != '/')
		return -EINVAL;
	t->cwd = t->root;
	err = path_lookupat(t, AT_FDCWD, target, LOOKUP_FOLLOW, out);
	t->cwd = save;
	return err;
}

int mounter_connect_at(struct task *t, struct mount *m, const char *target)
{
	struct path mp;
	int err;

	task_enter(t);
	err = lookup_target(t, target, &mp);
	if (err) {
		task_seterr(t, "%s: cannot resolve the mount point", target);
		goto out;
	}
	err = mnt_connect_at(t, m, &mp);
	path_put(&mp);
out:
	task_leave(t);
	return err;
}

int mounter_set_readonly(struct task *t, const char *target, bool ro)
{
	struct path p;
	int err;

	task_enter(t);
	err = lookup_target(t, target, &p);
	if (err)
		goto out;
	if (p.dentry != p.mnt->mnt_root) {
		task_seterr(t, "%s: not the root of a mount", target);
		err = -EINVAL;
	} else {
		err = mnt_set_readonly(p.mnt, ro);
	}
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Mount points */

/* The seed's MkdirAllAt for one missing directory: a real mkdir (mode 0777, no umask),
 * and where a gofer refuses it, a synthetic directory in the dentry cache. */
static int make_one(struct task *t, const char *path, bool *synthetic)
{
	struct nameparent np;
	struct path save = t->cwd;
	int err;

	err = vfs_mkdirat(t, AT_FDCWD, path, 0777);
	if (err != -EROFS && err != -EPERM && err != -EACCES && err != -EOPNOTSUPP)
		return err;
	task_enter(t);
	t->cwd = t->root;
	err = path_parentat(t, AT_FDCWD, path, LOOKUP_FOLLOW, &np);
	t->cwd = save;
	if (err)
		goto out;
	if (np.type != LAST_NORM) {
		err = -EEXIST;
	} else if (strcmp(np.dir.mnt->mnt_sb->s_type->name, "9p") != 0) {
		/* Only the gofer falls back (gVisor's gofer mkdir with
		 * ForSyntheticMountpoint); other filesystems report their error. */
		err = -EROFS;
	} else {
		err = mkdir_synthetic(np.dir.dentry, np.last, np.last_len, S_IFDIR | 0777);
		*synthetic = !err;
	}
	nameparent_release(&np);
out:
	task_leave(t);
	return err;
}

int mounter_make_mount_point(struct task *t, const char *dest, unsigned *created,
			     unsigned *synthetic)
{
	struct vfs_stat st;
	char *buf;
	size_t len, i;
	int err;

	*created = *synthetic = 0;
	/* makeMountPoint: anything already there is kept (a symlink is followed later, when
	 * mounting). */
	if (vfs_fstatat(t, AT_FDCWD, dest, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	len = strlen(dest);
	buf = vl_malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, dest, len + 1);
	/* MkdirAllAt, iteratively, from the root down: each prefix that ends a component is
	 * kept if it is a directory, made if it is missing. As gVisor's, the stat does not
	 * follow the prefix's last component: a symlink to a directory there is "not a
	 * directory" (ENOTDIR), though walks through it follow it. */
	err = 0;
	for (i = 1; i <= len && !err; i++) {
		bool syn = false;
		char c;

		if ((i < len && buf[i] != '/') || buf[i - 1] == '/')
			continue;
		c = buf[i];
		buf[i] = '\0';
		err = vfs_fstatat(t, AT_FDCWD, buf, &st, AT_SYMLINK_NOFOLLOW);
		if (err == 0 && !S_ISDIR(st.mode)) {
			err = -ENOTDIR;
		} else if (err == -ENOENT) {
			err = make_one(t, buf, &syn);
			if (!err) {
				(*created)++;
				*synthetic += syn;
			}
		}
		buf[i] = c;
	}
	vl_free(buf);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Binds, descriptions, looking inside a disconnected mount */

struct mount *mounter_bind(struct task *t, struct mount *m, unsigned long ms_flags)
{
	struct path p;
	struct mount *b;

	task_enter(t);
	p.mnt = m;
	p.dentry = m->mnt_root;
	b = mnt_clone(t->k->vfs, &p);
	if (!IS_ERR(b))
		b->mnt_flags = mnt_flags_from_ms(ms_flags);
	task_leave(t);
	return b;
}

static int describe_locked(struct task *t, struct mount *m, char **line)
{
	struct strbuf sb = STRBUF_INIT;
	int err = mountinfo_show_one(t, m, &sb);

	if (err) {
		sb_free(&sb);
		return err;
	}
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	*line = sb_detach(&sb, NULL);
	return *line ? 0 : -ENOMEM;
}

int mounter_describe(struct task *t, struct mount *m, char **line)
{
	int err;

	task_enter(t);
	err = describe_locked(t, m, line);
	task_leave(t);
	return err;
}

int mounter_describe_at(struct task *t, const char *target, char **line, int *mnt_id)
{
	struct path p;
	int err;

	task_enter(t);
	err = lookup_target(t, target, &p);
	if (!err) {
		*mnt_id = p.mnt->mnt_id;
		err = describe_locked(t, p.mnt, line);
		path_put(&p);
	}
	task_leave(t);
	return err;
}

int mounter_stat_in(struct task *t, struct mount *m, const char *rel, struct vfs_stat *st,
		    char *link, size_t linklen)
{
	struct path p;
	const char *c = rel, *e;
	int err = 0;

	task_enter(t);
	p.mnt = mnt_get(m);
	p.dentry = d_get(m->mnt_root);
	while (*c) {
		struct dentry *d;

		while (*c == '/')
			c++;
		if (!*c)
			break;
		for (e = c; *e && *e != '/'; e++)
			;
		if (!d_is_dir(p.dentry)) {
			err = -ENOTDIR;
			break;
		}
		d = lookup_one(p.dentry, c, (size_t)(e - c));
		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			break;
		}
		d_put(p.dentry);
		p.dentry = d;
		if (!d->d_inode) {
			err = -ENOENT;
			break;
		}
		c = e;
	}
	if (!err)
		err = vfs_getattr(&p, st);
	if (!err && link && linklen) {
		ssize_t n = S_ISLNK(st->mode) ? layer_readlink(p.dentry, link, linklen - 1) : 0;

		if (n < 0)
			err = (int)n;
		else
			link[n] = '\0';
	}
	path_put(&p);
	task_leave(t);
	return err;
}
