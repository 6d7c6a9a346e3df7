/*
 * boot_sim.c - the simulated host of a mount-setup run (boot_sim.h): a host tree in a
 * kernel of its own and one 9P server per exported (path, read-only) pair, each
 * connection a socketpair whose client end goes to the stepper.
 *
 * The host kernel is separate from the container's, as a real host is: a gofer serving
 * a request never needs the container kernel's VFS lock (doc/locking.md).
 */
#include "vfslab/boot_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "boot/internal.h"
#include "rootfs.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/p9.h"
#include "vfslab/vfs.h"

struct sim_export {
	char *path;
	bool readonly;
	struct p9_server *srv;
};

struct boot_sim {
	struct kernel *k;
	struct sim_export *exports;
	size_t nexports;
	struct boot_strv warnings;
};

/* The host path of a spec path: relative ones are relative to the bundle. */
static char *host_path(const char *p)
{
	char *joined, *clean;

	if (p[0] == '/')
		return boot_path_clean(p);
	joined = boot_asprintf("%s/%s", BOOT_SIM_BUNDLE, p);
	if (!joined)
		return NULL;
	clean = boot_path_clean(joined);
	vl_free(joined);
	return clean;
}

/* mkdir -p of path's directories (all of path when whole) on the host. */
static int mkdir_parents(struct task *t, const char *path, bool whole)
{
	char buf[4096];
	size_t i, len = strlen(path);
	int err;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i] == '\0' && !whole)
			break;
		buf[i] = '\0';
		err = vfs_mkdirat(t, AT_FDCWD, buf, 0755);
		if (err && err != -EEXIST)
			return err;
		if (i < len)
			buf[i] = '/';
	}
	return 0;
}

int boot_sim_new(uint64_t seed, const struct rootfs_manifest *host, const char *host_name,
		 const struct rootfs_manifest *m, const char *name, const char *root_path,
		 struct boot_sim **out, struct boot_err *err)
{
	struct boot_sim *s = vl_zalloc(sizeof(*s));
	struct host *h;
	struct task *t;
	char msg[512];
	int e;

	if (!s)
		return -ENOMEM;
	h = host_sim_new(seed);
	if (!h) {
		e = -ENOMEM;
		goto fail;
	}
	s->k = kernel_new(h);
	if (IS_ERR(s->k)) {
		e = (int)PTR_ERR(s->k);
		s->k = NULL;
		goto fail;
	}
	t = kernel_init_task(s->k);
	vfs_umask(t, 0);
	if (host) {
		e = rootfs_populate(t, "/", host, host_name, msg, sizeof(msg));
		if (e) {
			boot_err_set(err, "%s", msg);
			goto fail;
		}
	}
	e = boot_sim_add_rootfs(s, m, name, root_path, err);
	if (e)
		goto fail;
	*out = s;
	return 0;
fail:
	boot_sim_free(s);
	return e;
}

int boot_sim_add_rootfs(struct boot_sim *s, const struct rootfs_manifest *m, const char *name,
			const char *root_path, struct boot_err *err)
{
	struct task *t = kernel_init_task(s->k);
	char *root = host_path(root_path && *root_path ? root_path : "rootfs");
	struct vfs_stat st;
	char msg[512];
	int e;

	if (!root)
		return -ENOMEM;
	/* A pod's containers may share one rootfs directory: it is there already. */
	if (vfs_fstatat(t, AT_FDCWD, root, &st, 0) == 0) {
		vl_free(root);
		return 0;
	}
	e = mkdir_parents(t, root, true);
	if (e) {
		boot_err_set(err, "simulated host: %s: cannot make the rootfs directory", root);
		goto out;
	}
	if (m) {
		e = rootfs_populate(t, root, m, name, msg, sizeof(msg));
		if (e)
			boot_err_set(err, "%s", msg);
	}
out:
	vl_free(root);
	return e;
}

static struct p9_server *export_of(struct boot_sim *s, const char *path, bool readonly)
{
	struct p9_server_opts o = { .flags = readonly ? P9_SERVER_RO : 0 };
	struct sim_export *ne;
	struct p9_server *srv;
	size_t i;

	for (i = 0; i < s->nexports; i++)
		if (s->exports[i].readonly == readonly && !strcmp(s->exports[i].path, path))
			return s->exports[i].srv;
	ne = vl_realloc(s->exports, (s->nexports + 1) * sizeof(*ne));
	if (!ne)
		return ERR_PTR(-ENOMEM);
	s->exports = ne;
	srv = p9_server_new(kernel_init_task(s->k), path, &o);
	if (IS_ERR(srv))
		return srv;
	ne[s->nexports].path = vl_strdup(path);
	if (!ne[s->nexports].path) {
		p9_server_destroy(srv);
		return ERR_PTR(-ENOMEM);
	}
	ne[s->nexports].readonly = readonly;
	ne[s->nexports].srv = srv;
	s->nexports++;
	return srv;
}

/* A bind source that is not on the host is made, empty, with a warning. */
static int ensure_source(struct boot_sim *s, const char *path, mode_t want, struct boot_err *err)
{
	struct task *t = kernel_init_task(s->k);
	struct vfs_stat st;
	char *w;
	int e;

	if (vfs_fstatat(t, AT_FDCWD, path, &st, 0) == 0)
		return 0;
	e = mkdir_parents(t, path, S_ISDIR(want));
	if (!e && !S_ISDIR(want))
		e = vfs_mknodat(t, AT_FDCWD, path, S_IFREG | 0644, 0);
	if (e && e != -EEXIST) {
		boot_err_set(err, "simulated host: cannot create the bind source %s: %s", path,
			     strerror(-e));
		return e;
	}
	w = boot_asprintf("bind source %s is not on the simulated host: created an empty %s",
			  path, S_ISDIR(want) ? "directory" : "file");
	if (!w || boot_strv_push_take(&s->warnings, w))
		return -ENOMEM;
	return 0;
}

static int sim_connect(void *ctx, const char *source, bool root, bool readonly, mode_t want,
		       struct boot_err *err)
{
	struct boot_sim *s = ctx;
	struct p9_server *srv;
	char *path = host_path(root ? (*source ? source : "rootfs") : source);
	int sv[2], e;

	if (!path)
		return -ENOMEM;
	if (!root && !*source) {
		boot_err_set(err, "a bind mount needs a source");
		vl_free(path);
		return -EINVAL;
	}
	if (!root) {
		e = ensure_source(s, path, want, err);
		if (e)
			goto out;
	}
	srv = export_of(s, path, readonly);
	if (IS_ERR(srv)) {
		e = (int)PTR_ERR(srv);
		boot_err_set(err, "simulated gofer: cannot serve %s: %s", path, strerror(-e));
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		e = -errno;
		boot_err_set(err, "simulated gofer: socketpair: %s", strerror(-e));
		goto out;
	}
	e = p9_server_serve_fd(srv, sv[0], sv[0]); /* owns sv[0], even on failure */
	if (e) {
		close(sv[1]);
		boot_err_set(err, "simulated gofer: serving %s: %s", path, strerror(-e));
		goto out;
	}
	e = sv[1];
out:
	vl_free(path);
	return e;
}

void boot_sim_gofers(struct boot_sim *s, struct boot_gofers *g)
{
	g->ctx = s;
	g->connect = sim_connect;
}

size_t boot_sim_nwarnings(const struct boot_sim *s)
{
	return s->warnings.n;
}

const char *boot_sim_warning(const struct boot_sim *s, size_t i)
{
	return i < s->warnings.n ? s->warnings.v[i] : NULL;
}

struct task *boot_sim_host_task(struct boot_sim *s)
{
	return kernel_init_task(s->k);
}

void boot_sim_free(struct boot_sim *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nexports; i++) {
		p9_server_destroy(s->exports[i].srv);
		vl_free(s->exports[i].path);
	}
	vl_free(s->exports);
	if (s->k)
		kernel_destroy(s->k);
	boot_strv_free(&s->warnings);
	vl_free(s);
}
