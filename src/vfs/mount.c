/*
 * mount.c - the vfs object, mounts and mount namespaces, and the mount table as
 * /proc/self/mountinfo and /proc/self/mounts show it.
 *
 * Invariants (under vfs->lock):
 * - An attached mount is in the mount hash under (parent, mountpoint), in its parent's
 *   mnt_mounts and in its namespace's list; it holds a reference on its parent mount and
 *   on its mount point dentry (whose d_mounted it counts), and the tree holds one
 *   reference on it.
 * - A namespace root has mnt_parent == itself and is referenced by its namespace.
 * - A disconnected mount (mnt_parent NULL) lives only as long as its holders.
 * - Mount IDs and anonymous device numbers count up from 1 per VFS, so that the
 *   simulated kernel's tables are the same in every run.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

struct vfs *vfs_create(struct host *host)
{
	struct vfs *vfs = vl_zalloc(sizeof(*vfs));

	if (!vfs)
		return NULL;
	pthread_mutex_init(&vfs->lock, NULL);
	vfs->host = host;
	list_init(&vfs->fs_types);
	list_init(&vfs->pipes);
	list_init(&vfs->chrdevs);
	return vfs;
}

void vfs_destroy(struct vfs *vfs)
{
	vfs_donated_close_all(vfs);
	vfs_unregister_all(vfs);
	vfs_unregister_chrdevs(vfs);
	ida_destroy(&vfs->mnt_ids);
	ida_destroy(&vfs->anon_minors);
	pthread_mutex_destroy(&vfs->lock);
	vl_free(vfs);
}

void vfs_log(struct vfs *vfs, enum host_log_level lvl, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (!sb_error(&sb) && vfs->host->ops->log)
		vfs->host->ops->log(vfs->host, lvl, sb.buf);
	sb_free(&sb);
}

/* ---------------------------------------------------------------------------------- */
/* References and the hash */

static unsigned mnt_hashfn(const struct mount *parent, const struct dentry *d)
{
	uintptr_t v = (uintptr_t)parent / 64 + (uintptr_t)d / 64 * 31;

	return (unsigned)((v ^ (v >> MNT_HASH_BITS) ^ (v >> (2 * MNT_HASH_BITS))) &
			  ((1u << MNT_HASH_BITS) - 1));
}

struct mount *mnt_lookup(struct vfs *vfs, struct mount *parent, struct dentry *d)
{
	struct mount *m;

	if (!d->d_mounted)
		return NULL;
	for (m = vfs->mnt_hash[mnt_hashfn(parent, d)]; m; m = m->mnt_hash_next)
		if (m->mnt_parent == parent && m->mnt_mountpoint == d)
			return m;
	return NULL;
}

void mnt_hash_add(struct vfs *vfs, struct mount *m)
{
	unsigned h = mnt_hashfn(m->mnt_parent, m->mnt_mountpoint);

	m->mnt_hash_next = vfs->mnt_hash[h];
	vfs->mnt_hash[h] = m;
}

void mnt_hash_del(struct vfs *vfs, struct mount *m)
{
	struct mount **pp = &vfs->mnt_hash[mnt_hashfn(m->mnt_parent, m->mnt_mountpoint)];

	while (*pp && *pp != m)
		pp = &(*pp)->mnt_hash_next;
	if (*pp)
		*pp = m->mnt_hash_next;
	m->mnt_hash_next = NULL;
}

struct mount *mnt_get(struct mount *m)
{
	m->mnt_count++;
	return m;
}

void mnt_put(struct mount *m)
{
	if (!m || --m->mnt_count > 0)
		return;
	d_put(m->mnt_root);
	ida_free(&m->mnt_sb->s_vfs->mnt_ids, m->mnt_id);
	deactivate_super(m->mnt_sb);
	vl_free(m->mnt_devname);
	obj_dec(OBJ_MOUNT);
	vl_free(m);
}

bool mnt_readonly(const struct mount *m)
{
	return (m->mnt_flags & MNT_RDONLY_F) || (m->mnt_sb->s_flags & SB_RDONLY);
}

void path_get(const struct path *p)
{
	mnt_get(p->mnt);
	d_get(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		d_put(p->dentry);
	if (p->mnt)
		mnt_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Creating mounts */

static struct mount *mnt_alloc(struct vfs *vfs, struct super_block *sb, struct dentry *root,
			       const char *devname)
{
	struct mount *m = vl_zalloc(sizeof(*m));
	int id;

	if (!m)
		return NULL;
	id = ida_alloc_min(&vfs->mnt_ids, 1);
	if (id < 0) {
		vl_free(m);
		return NULL;
	}
	if (devname) {
		m->mnt_devname = vl_strdup(devname);
		if (!m->mnt_devname) {
			ida_free(&vfs->mnt_ids, id);
			vl_free(m);
			return NULL;
		}
	}
	m->mnt_sb = sb;
	m->mnt_root = d_get(root);
	m->mnt_count = 1;
	m->mnt_id = id;
	list_init(&m->mnt_mounts);
	list_init(&m->mnt_child);
	list_init(&m->mnt_list);
	sb->s_active++;
	sb->s_flags |= SB_MOUNTED;
	obj_inc(OBJ_MOUNT);
	return m;
}

static struct mount *do_kern_mount(struct vfs *vfs, struct task *task, const struct cred *cred,
				   const char *fstype, const char *source, uint32_t mnt_flags,
				   const char *data, const void *internal, struct strbuf *errmsg);

struct mount *vfs_kern_mount(struct vfs *vfs, const struct cred *cred, const char *fstype,
			     const char *source, uint32_t mnt_flags, const char *data,
			     const void *internal, struct strbuf *errmsg)
{
	return do_kern_mount(vfs, NULL, cred, fstype, source, mnt_flags, data, internal, errmsg);
}

struct mount *vfs_task_mount(struct task *t, const char *fstype, const char *source,
			     uint32_t mnt_flags, const char *data)
{
	return do_kern_mount(t->k->vfs, t, t->cred, fstype, source, mnt_flags, data, NULL,
			     &t->errmsg);
}

struct mount *vfs_task_mount_internal(struct task *t, const char *fstype, const char *source,
				      uint32_t mnt_flags, const char *data, const void *internal)
{
	return do_kern_mount(t->k->vfs, t, t->cred, fstype, source, mnt_flags, data, internal,
			     &t->errmsg);
}

static struct mount *do_kern_mount(struct vfs *vfs, struct task *task, const struct cred *cred,
				   const char *fstype, const char *source, uint32_t mnt_flags,
				   const char *data, const void *internal, struct strbuf *errmsg)
{
	struct fs_registration *r = vfs_find_fs_type(vfs, fstype);
	struct fs_context fc = {
		.vfs = vfs,
		.source = source,
		.internal = internal,
		.cred = cred,
		.task = task,
		.sb_flags = (mnt_flags & MNT_RDONLY_F) ? SB_RDONLY : 0,
		.errmsg = errmsg,
	};
	struct super_block *sb = NULL;
	struct mount *m;
	int err;

	if (!r) {
		fc_error(&fc, -ENODEV, "unknown filesystem type '%s'", fstype);
		return ERR_PTR(-ENODEV);
	}
	fc.type = r->type;
	if (data) {
		fc.data = vl_strdup(data);
		if (!fc.data)
			return ERR_PTR(-ENOMEM);
		fs_strip_sb_flags(fc.data, &fc.sb_flags);
	}
	err = r->type->get_tree(&fc, &sb);
	vl_free(fc.data);
	if (err)
		return ERR_PTR(err);
	m = mnt_alloc(vfs, sb, sb->s_root, source);
	if (!m) {
		/* get_tree may hand back a superblock already mounted (a shared cgroup
		 * hierarchy): only a new one is ours to free. */
		if (!sb->s_active)
			sb_free_unmounted(sb);
		return ERR_PTR(-ENOMEM);
	}
	m->mnt_flags = mnt_flags;
	return m;
}

struct mount *mnt_clone(struct vfs *vfs, const struct path *p)
{
	struct mount *old = p->mnt;
	struct mount *m = mnt_alloc(vfs, old->mnt_sb, p->dentry, old->mnt_devname);

	if (!m)
		return ERR_PTR(-ENOMEM);
	m->mnt_flags = old->mnt_flags;
	/* A bind of a shared mount joins its peer group; of a slave, shares its master. */
	if (old->mnt_prop == MNT_PROP_SHARED || old->mnt_prop == MNT_PROP_SLAVE) {
		m->mnt_prop = old->mnt_prop;
		m->mnt_group_id = old->mnt_group_id;
		m->mnt_master_id = old->mnt_master_id;
	}
	return m;
}

void mnt_attach(struct mount *m, const struct path *mp, struct mnt_namespace *ns)
{
	struct vfs *vfs = m->mnt_sb->s_vfs;

	m->mnt_parent = mnt_get(mp->mnt);
	m->mnt_mountpoint = d_get(mp->dentry);
	mp->dentry->d_mounted++;
	mnt_hash_add(vfs, m);
	list_add_tail(&m->mnt_child, &mp->mnt->mnt_mounts);
	m->mnt_ns = ns;
	list_add_tail(&m->mnt_list, &ns->mounts);
	ns->nr_mounts++;
}

/* Undo mnt_attach for one mount; the tree's reference is returned to the caller. */
static void mnt_detach_one(struct mount *m)
{
	struct vfs *vfs = m->mnt_sb->s_vfs;
	struct mount *parent = m->mnt_parent;
	struct dentry *mp = m->mnt_mountpoint;

	if (m->mnt_ns) {
		list_del(&m->mnt_list);
		m->mnt_ns->nr_mounts--;
		m->mnt_ns = NULL;
	}
	if (!parent || parent == m)
		return;
	mnt_hash_del(vfs, m);
	list_del(&m->mnt_child);
	mp->d_mounted--;
	m->mnt_parent = NULL;
	m->mnt_mountpoint = NULL;
	d_put(mp);
	mnt_put(parent);
}

/* Detach m and every mount below it (children first), dropping the tree's references. */
void umount_tree(struct mount *m)
{
	struct mount *cur = m;

	for (;;) {
		struct mount *parent;

		if (!list_empty(&cur->mnt_mounts)) {
			cur = list_entry(cur->mnt_mounts.next, struct mount, mnt_child);
			continue;
		}
		parent = cur->mnt_parent;
		if (cur == m) {
			mnt_detach_one(cur);
			mnt_put(cur);
			return;
		}
		mnt_detach_one(cur);
		mnt_put(cur);
		cur = parent;
	}
}

void follow_mounts(struct path *p)
{
	struct vfs *vfs = p->mnt->mnt_sb->s_vfs;
	struct mount *child;

	while (p->dentry->d_mounted && (child = mnt_lookup(vfs, p->mnt, p->dentry)) != NULL) {
		mnt_get(child);
		d_get(child->mnt_root);
		path_put(p);
		p->mnt = child;
		p->dentry = child->mnt_root;
	}
}

/* ---------------------------------------------------------------------------------- */
/* Namespaces */

struct mnt_namespace *mnt_ns_new(struct mount *root)
{
	struct mnt_namespace *ns = vl_zalloc(sizeof(*ns));

	if (!ns)
		return NULL;
	ns->refcount = 1;
	ns->user_ns = userns_get(&init_user_ns);
	list_init(&ns->mounts);
	ns->root = root;
	root->mnt_parent = root;
	root->mnt_ns = ns;
	list_add_tail(&root->mnt_list, &ns->mounts);
	ns->nr_mounts = 1;
	return ns;
}

struct mnt_namespace *mnt_ns_get(struct mnt_namespace *ns)
{
	ns->refcount++;
	return ns;
}

void mnt_ns_umount_all(struct mnt_namespace *ns)
{
	struct mount *root = ns->root;

	if (!root)
		return;
	while (!list_empty(&root->mnt_mounts))
		umount_tree(list_entry(root->mnt_mounts.next, struct mount, mnt_child));
	list_del(&root->mnt_list);
	ns->nr_mounts--;
	root->mnt_ns = NULL;
	root->mnt_parent = NULL;
	ns->root = NULL;
	mnt_put(root);
}

void mnt_ns_put(struct mnt_namespace *ns)
{
	if (!ns || --ns->refcount > 0)
		return;
	mnt_ns_umount_all(ns);
	userns_put(ns->user_ns);
	vl_free(ns);
}

/* ---------------------------------------------------------------------------------- */
/* Paths as strings */

int path_to_string(const struct path *p, const struct path *root, struct strbuf *out)
{
	const struct dentry *parts[VFS_PATH_MAX / 2];
	struct mount *m = p->mnt;
	const struct dentry *d = p->dentry;
	int n = 0, i;

	for (;;) {
		if (d == root->dentry && m == root->mnt)
			break;
		if (d == m->mnt_root) {
			if (!m->mnt_parent || m->mnt_parent == m)
				return -ENOENT; /* not below root */
			d = m->mnt_mountpoint;
			m = m->mnt_parent;
			continue;
		}
		if (n == (int)ARRAY_SIZE(parts))
			return -ENAMETOOLONG;
		parts[n++] = d;
		d = d->d_parent;
	}
	if (n == 0)
		sb_addc(out, '/');
	for (i = n - 1; i >= 0; i--) {
		sb_addc(out, '/');
		sb_add(out, parts[i]->d_name, parts[i]->d_namelen);
	}
	return sb_error(out);
}

/* ---------------------------------------------------------------------------------- */
/* The mount table */

static void show_mnt_opts(struct strbuf *sb, const struct mount *m)
{
	sb_adds(sb, (m->mnt_flags & MNT_RDONLY_F) ? "ro" : "rw");
	if (m->mnt_flags & MNT_NOSUID_F)
		sb_adds(sb, ",nosuid");
	if (m->mnt_flags & MNT_NODEV_F)
		sb_adds(sb, ",nodev");
	if (m->mnt_flags & MNT_NOEXEC_F)
		sb_adds(sb, ",noexec");
	if (m->mnt_flags & MNT_NOATIME_F)
		sb_adds(sb, ",noatime");
	if (m->mnt_flags & MNT_NODIRATIME_F)
		sb_adds(sb, ",nodiratime");
	if (m->mnt_flags & MNT_RELATIME_F)
		sb_adds(sb, ",relatime");
}

static void show_optional(struct strbuf *sb, const struct mount *m)
{
	const char *sep = "";

	if (m->mnt_prop == MNT_PROP_SHARED) {
		sb_printf(sb, "shared:%d", m->mnt_group_id);
		sep = " ";
	}
	if (m->mnt_master_id && (m->mnt_prop == MNT_PROP_SLAVE || m->mnt_prop == MNT_PROP_SHARED))
		sb_printf(sb, "%smaster:%d", sep, m->mnt_master_id);
	if (m->mnt_prop == MNT_PROP_UNBINDABLE)
		sb_adds(sb, "unbindable");
}

static void show_super_opts(struct strbuf *sb, const struct super_block *s)
{
	sb_adds(sb, (s->s_flags & SB_RDONLY) ? "ro" : "rw");
	if (s->s_op->show_options)
		s->s_op->show_options((struct super_block *)s, sb);
}

static const char *mnt_source(const struct mount *m)
{
	if (m->mnt_devname)
		return m->mnt_devname;
	return m->mnt_sb->s_source ? m->mnt_sb->s_source : "none";
}

/* Mounts of t's namespace reachable from its root, in namespace order. */
static int visible_mount_point(struct task *t, struct mount *m, struct strbuf *out)
{
	struct path mp;

	mp.mnt = m;
	mp.dentry = m->mnt_root;
	return path_to_string(&mp, &t->root, out);
}

static void info_free_fields(struct vfs_mount_info *mi)
{
	vl_free(mi->root);
	vl_free(mi->mount_point);
	vl_free(mi->mount_opts);
	vl_free(mi->optional);
	vl_free(mi->fstype);
	vl_free(mi->source);
	vl_free(mi->super_opts);
	memset(mi, 0, sizeof(*mi));
}

static int fill_info(struct task *t, struct mount *m, struct vfs_mount_info *mi)
{
	struct strbuf sb = STRBUF_INIT;
	int err;

	memset(mi, 0, sizeof(*mi));
	mi->mnt_id = m->mnt_id;
	mi->parent_id = (m->mnt_parent && m->mnt_parent != m && m != t->root.mnt)
				? m->mnt_parent->mnt_id
				: m->mnt_id;
	mi->dev = m->mnt_sb->s_dev;
#define TAKE(field)                                        \
	do {                                               \
		if (sb_error(&sb))                         \
			goto nomem;                        \
		mi->field = sb_detach(&sb, NULL);          \
		if (!mi->field)                            \
			goto nomem;                        \
	} while (0)
	err = d_path_in_sb(m->mnt_root, &sb);
	if (err)
		goto fail;
	TAKE(root);
	err = visible_mount_point(t, m, &sb);
	if (err)
		goto fail;
	TAKE(mount_point);
	show_mnt_opts(&sb, m);
	TAKE(mount_opts);
	show_optional(&sb, m);
	TAKE(optional);
	sb_adds(&sb, m->mnt_sb->s_type->name);
	TAKE(fstype);
	sb_adds(&sb, mnt_source(m));
	TAKE(source);
	show_super_opts(&sb, m->mnt_sb);
	TAKE(super_opts);
#undef TAKE
	return 0;
nomem:
	err = -ENOMEM;
fail:
	sb_free(&sb);
	info_free_fields(mi);
	return err;
}

void vfs_mount_list_free(struct vfs_mount_info *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		info_free_fields(&list[i]);
	vl_free(list);
}

static int mount_list_locked(struct task *t, struct vfs_mount_info **out, size_t *n)
{
	struct mnt_namespace *ns = t->ns;
	struct vfs_mount_info *list;
	struct list_head *p;
	size_t count = 0;
	int err;

	list = vl_zalloc(sizeof(*list) * (size_t)(ns->nr_mounts > 0 ? ns->nr_mounts : 1));
	if (!list)
		return -ENOMEM;
	list_for_each(p, &ns->mounts) {
		struct mount *m = list_entry(p, struct mount, mnt_list);

		err = fill_info(t, m, &list[count]);
		if (err == -ENOENT)
			continue; /* outside the task's root: not shown, as Linux */
		if (err) {
			vfs_mount_list_free(list, count);
			return err;
		}
		count++;
	}
	*out = list;
	*n = count;
	return 0;
}

int vfs_mount_list(struct task *t, struct vfs_mount_info **out, size_t *n)
{
	int err;

	task_enter(t);
	err = mount_list_locked(t, out, n);
	task_leave(t);
	return err;
}

static const char mangle_set[] = " \t\n\\";

static void show_info_line(struct strbuf *sb, const struct vfs_mount_info *mi)
{
	sb_printf(sb, "%d %d %u:%u ", mi->mnt_id, mi->parent_id, VFS_MAJOR(mi->dev),
		  VFS_MINOR(mi->dev));
	sb_add_escaped(sb, mi->root, mangle_set);
	sb_addc(sb, ' ');
	sb_add_escaped(sb, mi->mount_point, mangle_set);
	sb_printf(sb, " %s", mi->mount_opts);
	if (mi->optional[0])
		sb_printf(sb, " %s", mi->optional);
	sb_adds(sb, " - ");
	sb_add_escaped(sb, mi->fstype, mangle_set);
	sb_addc(sb, ' ');
	sb_add_escaped(sb, mi->source, mangle_set);
	sb_printf(sb, " %s\n", mi->super_opts);
}

int mountinfo_show(struct task *t, struct strbuf *sb)
{
	struct vfs_mount_info *list;
	size_t n, i;
	int err;

	err = mount_list_locked(t, &list, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		show_info_line(sb, &list[i]);
	vfs_mount_list_free(list, n);
	return sb_error(sb);
}

int mountinfo_show_one(struct task *t, struct mount *m, struct strbuf *sb)
{
	struct vfs_mount_info mi;
	int err;

	memset(&mi, 0, sizeof(mi));
	err = fill_info(t, m, &mi);
	if (!err)
		show_info_line(sb, &mi);
	info_free_fields(&mi);
	return err ? err : sb_error(sb);
}

int mounts_show(struct task *t, struct strbuf *sb)
{
	struct strbuf line = STRBUF_INIT;
	struct list_head *p;

	list_for_each(p, &t->ns->mounts) {
		struct mount *m = list_entry(p, struct mount, mnt_list);
		struct super_block *s = m->mnt_sb;

		sb_reset(&line);
		if (visible_mount_point(t, m, &line) == -ENOENT)
			continue;
		sb_add_escaped(sb, mnt_source(m), mangle_set);
		sb_addc(sb, ' ');
		sb_add_escaped(sb, line.buf ? line.buf : "", mangle_set);
		sb_addc(sb, ' ');
		sb_add_escaped(sb, s->s_type->name, mangle_set);
		sb_adds(sb, mnt_readonly(m) ? " ro" : " rw");
		if (m->mnt_flags & MNT_NOSUID_F)
			sb_adds(sb, ",nosuid");
		if (m->mnt_flags & MNT_NODEV_F)
			sb_adds(sb, ",nodev");
		if (m->mnt_flags & MNT_NOEXEC_F)
			sb_adds(sb, ",noexec");
		if (m->mnt_flags & MNT_NOATIME_F)
			sb_adds(sb, ",noatime");
		if (m->mnt_flags & MNT_NODIRATIME_F)
			sb_adds(sb, ",nodiratime");
		if (m->mnt_flags & MNT_RELATIME_F)
			sb_adds(sb, ",relatime");
		if (s->s_op->show_options)
			s->s_op->show_options(s, sb);
		sb_adds(sb, " 0 0\n");
	}
	sb_free(&line);
	return sb_error(sb);
}

static int show_to_string(struct task *t, int (*show)(struct task *, struct strbuf *),
			  char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	int err;

	task_enter(t);
	err = show(t, &sb);
	task_leave(t);
	if (!err) {
		*out = sb_detach(&sb, len);
		if (!*out)
			err = -ENOMEM;
	}
	sb_free(&sb);
	return err;
}

int vfs_mountinfo(struct task *t, char **out, size_t *len)
{
	return show_to_string(t, mountinfo_show, out, len);
}

int vfs_mounts(struct task *t, char **out, size_t *len)
{
	return show_to_string(t, mounts_show, out, len);
}
