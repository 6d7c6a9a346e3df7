/*
 * run.c - the stepper: a plan's steps carried out one at a time on a kernel, as the seed
 * (runsc/boot/vfs.go) carries them out in one go.
 *
 * Each step records in the plan what it changed (struct boot_change): the mountinfo line
 * of a mount it added or whose flags it changed, the directories it made, or why it did
 * nothing. A failing step stops the run where runsc would stop: the error and its
 * message are recorded in the step, and every later boot_run_step() says so.
 *
 * The registration steps verify what the kernel did at boot (kernel_new_opts registers
 * the seed's types, devices and device files in the seed's order, before any task
 * exists); every other step acts. The mounting task is the kernel's init task, as root,
 * with a umask of 0 while the run lasts (the seed's VFS calls apply no umask).
 *
 * State carried between steps: the overlay layers a configure-overlay step made (used
 * by the mount or mount-root step after it), and the pod-shared masters (kept
 * disconnected until the run is freed, as the seed's sharedMounts map keeps them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/errname.h"
#include "boot/internal.h"
#include "fs/overlay/overlay.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/verity/verity.h"
#include "kernel/internal.h"
#include "vfs/internal.h"
#include "vfs/mounter.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

struct boot_run {
	struct boot_plan *plan;
	struct kernel *k;
	struct task *t;
	struct boot_gofers gofers;
	size_t pos;
	bool failed;
	mode_t saved_umask;
	bool umask_saved;
	/* A configure-overlay step's layers, for the next mount step. */
	struct mount *ovl_lower, *ovl_upper;
	struct mnt_namespace *first_ns; /* the namespace the tasks left at mount-root */
	struct boot_run *sandbox;	/* a pod's later container: the first one's run */
	bool own_task;			/* t is ours (a container's), ended with the run */
	/* Pod-shared masters by hint index (NULL where none). */
	struct mount **masters;
};

void boot_kernel_options(const struct boot_plan *plan, struct kernel_options *out)
{
	out->net_tun = plan->conf.network != BOOT_NET_HOST;
	out->fuse = plan->conf.fuse;
}

int boot_run_new(struct boot_plan *plan, struct kernel *k, const struct boot_gofers *g,
		 struct boot_run **out)
{
	struct boot_run *r = vl_zalloc(sizeof(*r));
	size_t i;

	if (!r)
		return -ENOMEM;
	r->masters = vl_zalloc((plan->nhints ? plan->nhints : 1) * sizeof(*r->masters));
	if (!r->masters) {
		vl_free(r);
		return -ENOMEM;
	}
	r->plan = plan;
	r->k = k;
	r->t = kernel_init_task(k);
	if (g)
		r->gofers = *g;
	for (i = 0; i < plan->nsteps; i++) {
		struct boot_change *c = &plan->steps[i].change;

		vl_free(c->text);
		memset(c, 0, sizeof(*c));
		c->mnt_id = -1;
	}
	*out = r;
	return 0;
}

int boot_run_new_container(struct boot_plan *plan, struct kernel *k,
			   const struct boot_gofers *g, struct boot_run *sandbox,
			   struct boot_run **out)
{
	struct task *t;
	int err;

	if (!plan->conf.subcontainer || !sandbox)
		return -EINVAL;
	t = task_fork(kernel_init_task(k));
	if (IS_ERR_OR_NULL(t))
		return t ? (int)PTR_ERR(t) : -ENOMEM;
	err = boot_run_new(plan, k, g, out);
	if (err) {
		task_exit(t);
		return err;
	}
	(*out)->t = t;
	(*out)->own_task = true;
	(*out)->sandbox = sandbox;
	return 0;
}

struct task *boot_run_task(const struct boot_run *r)
{
	return r->t;
}

size_t boot_run_pos(const struct boot_run *r)
{
	return r->pos;
}

bool boot_run_failed(const struct boot_run *r)
{
	return r->failed;
}

static void drop_overlay_layers(struct boot_run *r)
{
	mounter_put(r->t, r->ovl_lower);
	mounter_put(r->t, r->ovl_upper);
	r->ovl_lower = r->ovl_upper = NULL;
}

void boot_run_free(struct boot_run *r)
{
	size_t i;

	if (!r)
		return;
	drop_overlay_layers(r);
	for (i = 0; i < r->plan->nhints; i++)
		mounter_put(r->t, r->masters[i]);
	mounter_ns_put(r->t, r->first_ns);
	if (r->umask_saved)
		vfs_umask(r->t, r->saved_umask);
	if (r->own_task)
		task_exit(r->t);
	vl_free(r->masters);
	vl_free(r);
}

/* ------------------------------------------------------------------ helpers */

static int fail(struct boot_run *r, struct boot_err *err, int e, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

static int fail(struct boot_run *r, struct boot_err *err, int e, const char *fmt, ...)
{
	struct boot_step *st = &r->plan->steps[r->pos];
	const char *why = task_errmsg(r->t);
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e && why && *why && !strstr(msg, why))
		boot_err_set(err, "%s: %s (%s)", msg, errno_name(e), why);
	else if (e && strstr(msg, strerror(-e)))
		boot_err_set(err, "%s", msg); /* the gofer has said it in words */
	else if (e)
		boot_err_set(err, "%s: %s", msg, errno_name(e));
	else
		boot_err_set(err, "%s", msg);
	st->change.err = e ? e : -EINVAL;
	vl_free(st->change.text);
	st->change.text = vl_strdup(err->msg);
	return st->change.err;
}

static void set_change(struct boot_step *st, enum boot_change_kind kind, int mnt_id, char *text)
{
	vl_free(st->change.text);
	st->change.kind = kind;
	st->change.mnt_id = mnt_id;
	st->change.text = text;
}

/* A gofer connection for a step, donated to the kernel under the step's FD number. */
static int donate_gofer(struct boot_run *r, const struct boot_step *st, bool root, bool readonly,
			struct boot_err *err)
{
	const char *src = st->source ? st->source : "";
	mode_t want = S_IFDIR;
	struct vfs_stat vs;
	int fd;

	if (!r->gofers.connect) {
		boot_err_set(err, "no gofer to serve '%s'", src);
		return -ENOSYS;
	}
	/* What the mount point is (made by the mkdir step before): a file wants a file. */
	if (!root && vfs_fstatat(r->t, AT_FDCWD, st->target, &vs, 0) == 0 && !S_ISDIR(vs.mode))
		want = S_IFREG;
	fd = r->gofers.connect(r->gofers.ctx, src, root, readonly, want, err);
	if (fd < 0)
		return fd;
	return kernel_donate_fd(r->k, st->fd, fd);
}

/* The mount's mountinfo line (vl_free it), or NULL. */
static char *describe(struct boot_run *r, struct mount *m)
{
	char *line = NULL;

	if (mounter_describe(r->t, m, &line))
		return NULL;
	return line;
}

/* ------------------------------------------------------------------ registration */

static const char *const dev_probe[][2] = {
	{ "memdev", "1:3" }, { "ttydev", "5:0" }, { "tundev", "10:200" }, { "fuse", "10:229" },
};

static int do_register_fs(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	struct vfs *vfs = r->k->vfs;
	struct fs_registration *reg;
	unsigned want = 0, have = 0;
	bool found;

	pthread_mutex_lock(&vfs->lock);
	reg = vfs_find_fs_type(vfs, st->target);
	found = reg != NULL;
	if (found)
		have = reg->flags & (FS_USER_MOUNT | FS_USER_LIST);
	pthread_mutex_unlock(&vfs->lock);
	if (st->flags & BOOT_FS_USER_MOUNT)
		want |= FS_USER_MOUNT;
	if (st->flags & BOOT_FS_USER_LIST)
		want |= FS_USER_LIST;
	if (!found) {
		/* gVisor's FUSE client filesystem is not part of vfslab: /dev/fuse is. */
		set_change(st, BOOT_CHANGE_SKIPPED, -1,
			   boot_asprintf("%s: not in vfslab (mounting it gives ENODEV)",
					 st->target));
		return 0;
	}
	if (have != want)
		return fail(r, err, -EINVAL, "register-fs %s: the kernel registered it with other flags",
			    st->target);
	set_change(st, BOOT_CHANGE_NONE, -1,
		   boot_asprintf("%s: registered at boot%s%s", st->target,
				 have & FS_USER_MOUNT ? ", user-mount" : "",
				 have & FS_USER_LIST ? ", user-list" : ""));
	return 0;
}

static int do_register_dev(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	struct vfs *vfs = r->k->vfs;
	unsigned ma = 0, mi = 0;
	bool known = false, have;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dev_probe); i++)
		if (!strcmp(dev_probe[i][0], st->target))
			known = sscanf(dev_probe[i][1], "%u:%u", &ma, &mi) == 2;
	if (!known)
		return fail(r, err, -EINVAL, "register-dev %s: unknown driver", st->target);
	pthread_mutex_lock(&vfs->lock);
	have = vfs_chrdev_fops(vfs, VFS_MKDEV(ma, mi)) != NULL;
	pthread_mutex_unlock(&vfs->lock);
	if (!have)
		return fail(r, err, -ENODEV, "register-dev %s: char %u:%u has no driver",
			    st->target, ma, mi);
	set_change(st, BOOT_CHANGE_NONE, -1,
		   boot_asprintf("%s: char %u:%u registered at boot", st->target, ma, mi));
	return 0;
}

/* The devtmpfs steps look into the kernel's one devtmpfs through a disconnected mount. */
static int devtmpfs_stat(struct boot_run *r, const char *rel, struct vfs_stat *st, char *link,
			 size_t linklen)
{
	struct mount *m = mounter_mount_disconnected(r->t, "devtmpfs", "devtmpfs", 0, NULL, NULL);
	int err;

	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	err = mounter_stat_in(r->t, m, rel, st, link, linklen);
	mounter_put(r->t, m);
	return err;
}

static int do_devtmpfs_init(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	static const char *const links[] = { "fd", "stdin", "stdout", "stderr", "ptmx" };
	static const char *const dirs[] = { "shm", "pts" };
	struct strbuf sb = STRBUF_INIT;
	struct vfs_stat vs;
	char target[256];
	size_t i;
	int e;

	for (i = 0; i < ARRAY_SIZE(links); i++) {
		e = devtmpfs_stat(r, links[i], &vs, target, sizeof(target));
		if (!e && !S_ISLNK(vs.mode))
			e = -EINVAL;
		if (e) {
			sb_free(&sb);
			return fail(r, err, e, "devtmpfs-init: /dev/%s", links[i]);
		}
		sb_printf(&sb, "%s%s -> %s", i ? ", " : "", links[i], target);
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		e = devtmpfs_stat(r, dirs[i], &vs, NULL, 0);
		if (!e && !S_ISDIR(vs.mode))
			e = -ENOTDIR;
		if (e) {
			sb_free(&sb);
			return fail(r, err, e, "devtmpfs-init: /dev/%s", dirs[i]);
		}
		sb_printf(&sb, ", %s/ 0%o", dirs[i], vs.mode & 07777);
	}
	if (sb_error(&sb)) {
		sb_free(&sb);
		return fail(r, err, -ENOMEM, "devtmpfs-init");
	}
	set_change(st, BOOT_CHANGE_NONE, -1, sb_detach(&sb, NULL));
	return 0;
}

static int do_devtmpfs_file(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	struct vfs_stat vs;
	int e = devtmpfs_stat(r, st->target, &vs, NULL, 0);

	if (!e && (!S_ISCHR(vs.mode) || vs.rdev != VFS_MKDEV(st->major, st->minor)))
		e = -EINVAL;
	if (e)
		return fail(r, err, e, "devtmpfs-file /dev/%s", st->target);
	set_change(st, BOOT_CHANGE_NONE, -1,
		   boot_asprintf("/dev/%s: char %u:%u 0%o in devtmpfs", st->target, st->major,
				 st->minor, vs.mode & 07777));
	return 0;
}

/* ------------------------------------------------------------------ mounting */

/* A disconnected mount of the gofer for st: its FD donated first, then revoked (the
 * mount holds its own duplicate). */
static struct mount *gofer_mount(struct boot_run *r, struct boot_step *st, bool root,
				 const char *fstype, const char *data, unsigned long flags,
				 struct boot_err *err)
{
	struct mount *m;
	int e;

	e = donate_gofer(r, st, root, flags & MS_RDONLY, err);
	if (e)
		return ERR_PTR(e);
	m = mounter_mount_disconnected(r->t, fstype, st->source ? st->source : "none", flags,
				       data, NULL);
	kernel_revoke_fd(r->k, st->fd);
	return m;
}

static int do_configure_overlay(struct boot_run *r, struct boot_step *st, bool root,
				struct boot_err *err)
{
	struct tmpfs_internal_opts topts = { .root_type = S_IFDIR };
	struct vfs_stat vs;
	struct mount *m;
	char *lower;
	int e;

	drop_overlay_layers(r);
	m = gofer_mount(r, st, root, st->fstype, st->data, st->flags | MS_RDONLY, err);
	if (IS_ERR(m)) {
		if (err->msg[0])
			return fail(r, err, (int)PTR_ERR(m), "configure-overlay %s: %s", st->target,
				    err->msg);
		return fail(r, err, (int)PTR_ERR(m), "configure-overlay %s: mounting the lower %s",
			    st->target, st->fstype);
	}
	r->ovl_lower = m;
	e = mounter_stat_in(r->t, m, "", &vs, NULL, 0);
	if (e)
		return fail(r, err, e, "configure-overlay %s: the lower root", st->target);
	if (!S_ISDIR(vs.mode))
		topts.root_type = S_IFREG;
	m = mounter_mount_disconnected(r->t, "tmpfs", "none", 0, NULL, &topts);
	if (IS_ERR(m))
		return fail(r, err, (int)PTR_ERR(m), "configure-overlay %s: mounting the tmpfs upper",
			    st->target);
	r->ovl_upper = m;
	lower = describe(r, r->ovl_lower);
	set_change(st, BOOT_CHANGE_CREATED, mounter_mnt_id(r->ovl_lower),
		   boot_asprintf("lower %s (disconnected, read-only): %s; upper: tmpfs, root %s",
				 st->fstype, lower ? lower : "?",
				 S_ISDIR(vs.mode) ? "a directory" : "a regular file"));
	vl_free(lower);
	return 0;
}

/* The overlay over the layers configured by the step before. */
static struct mount *overlay_mount(struct boot_run *r, struct boot_step *st, unsigned long flags)
{
	struct path lower;
	struct ovl_internal_opts o;
	struct mount *m;

	if (!r->ovl_lower || !r->ovl_upper)
		return ERR_PTR(-EINVAL);
	memset(&o, 0, sizeof(o));
	mounter_root(r->t, r->ovl_upper, &o.upper_root);
	mounter_root(r->t, r->ovl_lower, &lower);
	o.lower_roots = &lower;
	o.nr_lower = 1;
	m = mounter_mount_disconnected(r->t, "overlay", st->source ? st->source : "none", flags,
				       NULL, &o);
	mounter_path_put(r->t, &o.upper_root);
	mounter_path_put(r->t, &lower);
	drop_overlay_layers(r);
	return m;
}

static int do_mount_root(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	struct mount *m;
	char *line;
	int e, id;

	if (!strcmp(st->fstype, "overlay"))
		m = overlay_mount(r, st, st->flags);
	else
		m = gofer_mount(r, st, true, st->fstype, st->data, st->flags, err);
	if (IS_ERR(m)) {
		if (err->msg[0])
			return fail(r, err, (int)PTR_ERR(m), "mount-root: %s", err->msg);
		return fail(r, err, (int)PTR_ERR(m), "mount-root: %s", st->fstype);
	}
	mounter_ns_put(r->t, r->first_ns);
	r->first_ns = NULL;
	e = mounter_new_namespace(r->t, m, !r->own_task, &r->first_ns);
	if (e)
		return fail(r, err, e, "mount-root: a new mount namespace");
	e = mounter_describe_at(r->t, "/", &line, &id);
	if (e)
		return fail(r, err, e, "mount-root: describing the root");
	set_change(st, BOOT_CHANGE_ADDED, id, line);
	return 0;
}

static int do_set_ro(struct boot_run *r, struct boot_step *st, bool ro, struct boot_err *err)
{
	char *line;
	int e, id;

	e = mounter_set_readonly(r->t, st->target, ro);
	if (e)
		return fail(r, err, e, "%s %s", ro ? "restore-ro" : "set-rw", st->target);
	e = mounter_describe_at(r->t, st->target, &line, &id);
	if (e)
		return fail(r, err, e, "describing %s", st->target);
	set_change(st, BOOT_CHANGE_MODIFIED, id, line);
	return 0;
}

static int do_mkdir(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	unsigned made, syn;
	int e = mounter_make_mount_point(r->t, st->target, &made, &syn);

	if (e)
		return fail(r, err, e, "failed to create mountpoint \"%s\"", st->target);
	if (!made)
		set_change(st, BOOT_CHANGE_NONE, -1, boot_asprintf("%s: exists", st->target));
	else
		set_change(st, BOOT_CHANGE_CREATED, -1,
			   boot_asprintf("%s: %u director%s made%s", st->target, made,
					 made == 1 ? "y" : "ies",
					 syn == made ? " (synthetic: the gofer is read-only)"
					 : syn	     ? " (some synthetic: the gofer is read-only)"
						     : ""));
	return 0;
}

/* Connect m at the step's target; records the change; consumes the reference. */
static int connect_mount(struct boot_run *r, struct boot_step *st, struct mount *m,
		   struct boot_err *err)
{
	char *line;
	int e;

	if (IS_ERR(m))
		return fail(r, err, (int)PTR_ERR(m), "mount submount \"%s\": mounting %s",
			    st->target, st->fstype);
	e = mounter_connect_at(r->t, m, st->target);
	if (e) {
		mounter_put(r->t, m);
		if (e == -ENOTDIR)
			return fail(r, err, e,
				    "mount submount \"%s\": the mount point and the mount's root "
				    "differ in type (a file cannot go on a directory, nor the reverse)",
				    st->target);
		return fail(r, err, e, "mount submount \"%s\"", st->target);
	}
	line = describe(r, m);
	set_change(st, BOOT_CHANGE_ADDED, mounter_mnt_id(m), line);
	mounter_put(r->t, m);
	return 0;
}

static struct mount *verity_mount(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	const struct boot_verity *v = st->verity;
	struct verity_internal_opts o;
	struct mount *lower, *m;

	/* The lower, mounted as the verity filesystem's InternalData says: read-only. */
	if (!strcmp(v->lower_type, "9p"))
		lower = gofer_mount(r, st, false, v->lower_type, v->lower_data, MS_RDONLY, err);
	else
		lower = mounter_mount_disconnected(r->t, v->lower_type,
						   st->source ? st->source : "none", MS_RDONLY,
						   v->lower_data, NULL);
	if (IS_ERR(lower))
		return lower;
	memset(&o, 0, sizeof(o));
	mounter_root(r->t, lower, &o.lower_root);
	o.root_hash = v->roothash;
	o.action = v->action;
	o.root_name = v->root_merkle_name;
	m = mounter_mount_disconnected(r->t, "verity", st->source ? st->source : "none", st->flags,
				       NULL, &o);
	mounter_path_put(r->t, &o.lower_root);
	mounter_put(r->t, lower);
	return m;
}

static int do_mount(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	struct mount *m;

	if (st->verity)
		m = verity_mount(r, st, err);
	else if (!strcmp(st->fstype, "overlay") && r->ovl_lower)
		m = overlay_mount(r, st, st->flags);
	else if (!strcmp(st->fstype, "9p") && st->fd >= 0)
		m = gofer_mount(r, st, false, st->fstype, st->data, st->flags, err);
	else
		m = mounter_mount_disconnected(r->t, st->fstype, st->source ? st->source : st->fstype,
					       st->flags, st->data, NULL);
	if (IS_ERR(m)) {
		int e = (int)PTR_ERR(m);

		/* A gofer that could not be reached has said why in err. */
		if (err->msg[0])
			return fail(r, err, e, "mount submount \"%s\": %s", st->target, err->msg);
		return fail(r, err, e, "mount submount \"%s\": mounting %s", st->target,
			    st->verity ? "verity" : st->fstype);
	}
	return connect_mount(r, st, m, err);
}

static int do_mount_master(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	const struct boot_hint *h;
	struct mount *m;
	size_t i;

	for (i = 0; i < r->plan->nhints; i++)
		if (!strcmp(r->plan->hints[i].name, st->target))
			break;
	if (i == r->plan->nhints)
		return fail(r, err, -EINVAL, "mount-master %s: no such hint", st->target);
	h = &r->plan->hints[i];
	m = mounter_mount_disconnected(r->t, st->fstype, st->source ? st->source : h->source,
				       st->flags, st->data, NULL);
	if (IS_ERR(m))
		return fail(r, err, (int)PTR_ERR(m), "mounting shared master \"%s\"", h->name);
	mounter_put(r->t, r->masters[i]);
	r->masters[i] = m;
	set_change(st, BOOT_CHANGE_CREATED, mounter_mnt_id(m),
		   boot_asprintf("master '%s': %s mount %d, disconnected (not in the mount table)",
				 h->name, st->fstype, mounter_mnt_id(m)));
	return 0;
}

static int do_shared_mount(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	const struct boot_plan_mount *pm = &r->plan->mounts[st->mount];
	struct mount *m;

	struct mount *master = pm->hint >= 0 ? r->masters[pm->hint] : NULL;

	/* A pod's later container binds the sandbox's master of the same name. */
	if (!master && pm->hint >= 0 && r->sandbox) {
		const struct boot_run *sb = r->sandbox;
		size_t i;

		for (i = 0; i < sb->plan->nhints; i++)
			if (!strcmp(sb->plan->hints[i].name, r->plan->hints[pm->hint].name))
				master = sb->masters[i];
	}
	if (!master)
		return fail(r, err, -EINVAL, "shared-mount %s: the master was not mounted",
			    st->target);
	m = mounter_bind(r->t, master, st->flags);
	if (IS_ERR(m))
		return fail(r, err, (int)PTR_ERR(m), "mount shared mount to \"%s\"", st->target);
	return connect_mount(r, st, m, err);
}

static int do_mount_tmp(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	char buf[4096];
	ssize_t n;
	int fd, e;

	/* mountTmpVFS2: an empty directory (or nothing) gets the tmpfs; a non-empty one or
	 * a non-directory is left alone. The final component is not followed, as the
	 * seed's path operation does not follow it. */
	fd = vfs_openat(r->t, AT_FDCWD, st->target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd >= 0) {
		bool empty = true;

		while (empty && (n = vfs_getdents(r->t, fd, buf, sizeof(buf))) > 0) {
			size_t off = 0;

			while (off < (size_t)n) {
				const struct dirent64 *d = (const void *)(buf + off);

				if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
					empty = false;
				off += d->d_reclen;
			}
		}
		vfs_close(r->t, fd);
		if (n < 0)
			return fail(r, err, (int)n, "opening \"/tmp\" inside container");
		if (!empty) {
			set_change(st, BOOT_CHANGE_SKIPPED, -1,
				   boot_asprintf("/tmp is not empty: no internal tmpfs, so as not to "
						 "hide its files"));
			return 0;
		}
	} else if (fd == -ENOTDIR || fd == -ELOOP) {
		set_change(st, BOOT_CHANGE_SKIPPED, -1,
			   boot_asprintf("/tmp is not a directory: let it be"));
		return 0;
	} else if (fd != -ENOENT) {
		return fail(r, err, fd, "opening \"/tmp\" inside container");
	}
	{
		unsigned made, syn;

		e = mounter_make_mount_point(r->t, st->target, &made, &syn);
		if (e)
			return fail(r, err, e, "failed to create mountpoint \"/tmp\"");
	}
	return connect_mount(r, st,
		       mounter_mount_disconnected(r->t, "tmpfs", "tmpfs", st->flags, st->data,
						  NULL),
		       err);
}

/* ------------------------------------------------------------------ the process */

static int do_resolve_exec(struct boot_run *r, struct boot_step *st, struct boot_err *err)
{
	const struct boot_spec *s = r->plan->spec;
	const char *name = st->target, *path = NULL, *p, *e;
	struct task *pt;
	size_t i;
	int res = -ENOENT;
	char *found = NULL;

	if (name[0] == '/') {
		set_change(st, BOOT_CHANGE_NONE, -1, boot_asprintf("%s", name));
		return 0;
	}
	if (strchr(name, '/')) {
		char *clean, *joined = boot_asprintf("%s/%s", s && s->cwd[0] ? s->cwd : "/", name);

		clean = joined ? boot_path_clean(joined) : NULL;
		vl_free(joined);
		set_change(st, BOOT_CHANGE_NONE, -1, clean);
		return 0;
	}
	for (i = 0; s && i < s->env.n; i++)
		if (!strncmp(s->env.v[i], "PATH=", 5))
			path = s->env.v[i] + 5;
	/* The lookup runs with the process's credentials (a task of its own). */
	pt = task_fork(r->t);
	if (IS_ERR_OR_NULL(pt))
		return fail(r, err, -ENOMEM, "resolve-exec");
	if (s)
		task_setcreds(pt, s->uid, s->gid, s->ngids, (const gid_t *)s->gids);
	for (p = path; p && *p && !found; p = *e ? e + 1 : e) {
		struct vfs_stat vs;
		char *bin;
		int fd;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (*p != '/')
			continue; /* relative PATH entries are skipped, as unsafe */
		bin = boot_asprintf("%.*s/%s", (int)(e - p), p, name);
		if (!bin) {
			res = -ENOMEM;
			break;
		}
		/* OpenAt with FileExec: readable, a regular file, executable, not noexec. */
		fd = vfs_openat(pt, AT_FDCWD, bin, O_RDONLY, 0);
		if (fd >= 0) {
			res = vfs_fstat(pt, fd, &vs);
			if (!res && !S_ISREG(vs.mode))
				res = -EACCES;
			if (!res)
				res = vfs_faccessat(pt, AT_FDCWD, bin, X_OK, AT_EACCESS);
			vfs_close(pt, fd);
		} else {
			res = fd;
		}
		if (!res) {
			found = boot_path_clean(bin);
			vl_free(bin);
			break;
		}
		vl_free(bin);
		if (res != -ENOENT && res != -EACCES && res != -ENOTDIR)
			break;
		res = -ENOENT;
	}
	task_exit(pt);
	if (!found)
		return fail(r, err, res,
			    "error finding executable \"%s\" in PATH [%s]", name, path ? path : "");
	set_change(st, BOOT_CHANGE_NONE, -1, found);
	return 0;
}

/* ------------------------------------------------------------------ stepping */

int boot_run_step(struct boot_run *r, struct boot_err *err)
{
	struct boot_step *st;
	int e = 0;

	err->msg[0] = '\0';
	if (r->failed) {
		boot_err_set(err, "the setup stopped at step %zu", r->pos + 1);
		return -ECANCELED;
	}
	if (r->pos >= r->plan->nsteps) {
		boot_err_set(err, "the setup is complete");
		return -ENODATA;
	}
	if (!r->umask_saved) {
		r->saved_umask = vfs_umask(r->t, 0);
		r->umask_saved = true;
	}
	st = &r->plan->steps[r->pos];
	st->change.mnt_id = -1;
	switch (st->kind) {
	case BOOT_STEP_REGISTER_FS: e = do_register_fs(r, st, err); break;
	case BOOT_STEP_REGISTER_DEV: e = do_register_dev(r, st, err); break;
	case BOOT_STEP_DEVTMPFS_INIT: e = do_devtmpfs_init(r, st, err); break;
	case BOOT_STEP_DEVTMPFS_FILE: e = do_devtmpfs_file(r, st, err); break;
	case BOOT_STEP_MOUNT_MASTER: e = do_mount_master(r, st, err); break;
	case BOOT_STEP_CONFIGURE_OVERLAY:
		e = do_configure_overlay(r, st, !strcmp(st->target, "/") && st->mount < 0, err);
		break;
	case BOOT_STEP_MOUNT_ROOT: e = do_mount_root(r, st, err); break;
	case BOOT_STEP_SET_RW: e = do_set_ro(r, st, false, err); break;
	case BOOT_STEP_RESTORE_RO: e = do_set_ro(r, st, true, err); break;
	case BOOT_STEP_MKDIR: e = do_mkdir(r, st, err); break;
	case BOOT_STEP_MOUNT: e = do_mount(r, st, err); break;
	case BOOT_STEP_SHARED_MOUNT: e = do_shared_mount(r, st, err); break;
	case BOOT_STEP_MOUNT_TMP: e = do_mount_tmp(r, st, err); break;
	case BOOT_STEP_RESOLVE_EXEC: e = do_resolve_exec(r, st, err); break;
	case BOOT_STEP_SKIP:
		set_change(st, BOOT_CHANGE_SKIPPED, -1, st->reason ? vl_strdup(st->reason) : NULL);
		break;
	case BOOT_STEP_MASKED_PATH:
	case BOOT_STEP_READONLY_PATH:
	case BOOT_STEP_FD_MAP:
		set_change(st, BOOT_CHANGE_NONE, -1, st->fields ? vl_strdup(st->fields) : NULL);
		break;
	case BOOT_STEP_FAIL:
	default: e = fail(r, err, 0, "%s", st->reason ? st->reason : "runsc stops here"); break;
	}
	st->change.done = true;
	if (e) {
		st->change.err = e;
		r->failed = true;
		return e;
	}
	r->pos++;
	if (r->pos == r->plan->nsteps && r->umask_saved) {
		vfs_umask(r->t, r->saved_umask);
		r->umask_saved = false;
	}
	return 0;
}

const char *boot_change_kind_name(enum boot_change_kind kind)
{
	static const char *const names[] = {
		[BOOT_CHANGE_NONE] = "none",	   [BOOT_CHANGE_ADDED] = "added",
		[BOOT_CHANGE_MODIFIED] = "modified", [BOOT_CHANGE_CREATED] = "created",
		[BOOT_CHANGE_SKIPPED] = "skipped",
	};

	if ((unsigned)kind >= ARRAY_SIZE(names))
		return "?";
	return names[kind];
}
