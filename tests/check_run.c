/*
 * check_run.c - the mount stepper (src/boot/run.c) on the simulated host
 * (sim/boot_sim.c): specs carried out step by step on a fresh kernel, and what each
 * step changed.
 *
 * These tests make their own kernels (one per run, with the plan's options), so they
 * use no fixture kernel; each checks at the end that no counted object is left.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "helpers.h"
#include "../sim/rootfs.h"
#include "vfslab/boot.h"
#include "vfslab/boot_sim.h"

struct trun {
	struct boot_spec *spec;
	struct boot_plan *plan;
	struct rootfs_manifest *m;
	struct boot_sim *sim;
	struct kernel *k;
	struct boot_run *run;
	struct task *t;
	struct boot_err err;
};

/* A run of spec (JSON text) over manifest text (NULL: the embedded rootfs). */
static void tr_start(struct trun *r, const char *json, const char *manifest,
		     void (*tweak)(struct boot_config *))
{
	struct boot_config conf;
	struct kernel_options ko;
	char msg[256];

	memset(r, 0, sizeof(*r));
	ck_assert_msg(boot_spec_parse(json, strlen(json), "t", &r->spec, &r->err) == 0, "%s",
		      r->err.msg);
	boot_config_default(&conf);
	if (tweak)
		tweak(&conf);
	ck_assert_msg(boot_plan_build(r->spec, &conf, &r->plan, &r->err) == 0, "%s", r->err.msg);
	if (!manifest)
		manifest = rootfs_embedded_manifest;
	ck_assert_msg(rootfs_parse(manifest, strlen(manifest), "m", &r->m, msg, sizeof(msg)) == 0,
		      "%s", msg);
	ck_assert_msg(boot_sim_new(2, NULL, NULL, r->m, "m", r->spec->root_path, &r->sim, &r->err) == 0, "%s",
		      r->err.msg);
	boot_kernel_options(r->plan, &ko);
	r->k = kernel_new_opts(host_sim_new(1), &ko);
	ck_assert(!IS_ERR_OR_NULL(r->k));
	{
		struct boot_gofers g;

		boot_sim_gofers(r->sim, &g);
		ck_assert_ok(boot_run_new(r->plan, r->k, &g, &r->run));
	}
	r->t = kernel_init_task(r->k);
}

/* Step to the end; returns 0 or the failing step's error. */
static int tr_finish(struct trun *r)
{
	int e;

	while ((e = boot_run_step(r->run, &r->err)) == 0)
		;
	return e == -ENODATA ? 0 : e;
}

/* The index of the first step of kind k with target t. */
static size_t tr_find(struct trun *r, enum boot_step_kind k, const char *target)
{
	size_t i;

	for (i = 0; i < r->plan->nsteps; i++)
		if (r->plan->steps[i].kind == k && !strcmp(r->plan->steps[i].target, target))
			return i;
	ck_abort_msg("no step %s %s", boot_step_kind_name(k), target);
	return 0;
}

static void tr_end(struct trun *r)
{
	boot_run_free(r->run);
	kernel_destroy(r->k);
	boot_sim_free(r->sim);
	boot_plan_free(r->plan);
	boot_spec_free(r->spec);
	rootfs_free(r->m);
	{
		int k;

		for (k = 0; k < OBJ_NR_KINDS; k++)
			ck_assert_msg(obj_live(k) == 0, "leaked %lld %s object(s)",
				      (long long)obj_live(k), obj_kind_name(k));
	}
}

static const char *fstype_at(struct task *t, const char *path, char *buf, size_t size)
{
	struct vfs_mount_info *list;
	struct vfs_stat st;
	size_t n, i;

	buf[0] = '\0';
	if (vfs_fstatat(t, AT_FDCWD, path, &st, 0))
		return buf;
	ck_assert_ok(vfs_mount_list(t, &list, &n));
	for (i = 0; i < n; i++)
		if (list[i].mnt_id == st.mnt_id)
			snprintf(buf, size, "%s %s", list[i].fstype, list[i].mount_opts);
	vfs_mount_list_free(list, n);
	return buf;
}

/* Does the directory list name (getdents, all of it)? */
static bool lists(struct task *t, const char *dir, const char *name)
{
	char buf[512];
	bool found = false;
	ssize_t n;
	int fd = vfs_openat(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);

	ck_assert_int_ge(fd, 0);
	/* A small buffer: the listing takes several calls, across the synthetic range. */
	while ((n = vfs_getdents(t, fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			const struct dirent64 *d = (const void *)(buf + off);

			found |= !strcmp(d->d_name, name);
			off += d->d_reclen;
		}
	}
	ck_assert_int_eq(n, 0);
	vfs_close(t, fd);
	return found;
}

#define SPEC_HEAD "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"

START_TEST(run_default_spec_to_end)
{
	struct trun r;
	char buf[256], *mi;
	size_t len, i;

	tr_start(&r, rootfs_default_spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_uint_eq(boot_run_pos(r.run), r.plan->nsteps);
	ck_assert_str_eq(fstype_at(r.t, "/", buf, sizeof(buf)), "9p ro,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/dev", buf, sizeof(buf)), "devtmpfs rw,nosuid,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/proc", buf, sizeof(buf)), "proc rw,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/sys", buf, sizeof(buf)), "sysfs ro,nosuid,noexec,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/dev/pts", buf, sizeof(buf)),
			 "devpts rw,nosuid,noexec,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/tmp", buf, sizeof(buf)), "tmpfs rw,relatime");
	/* The root went back to read-only, last; the rootfs is the manifest's. */
	ck_assert_err(vfs_mkdirat(r.t, AT_FDCWD, "/x", 0755), EROFS);
	ck_assert_ok(t_read_file(r.t, "/etc/hostname", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "vfslab\n");
	/* Every step recorded what it did. */
	for (i = 0; i < r.plan->nsteps; i++)
		ck_assert_msg(r.plan->steps[i].change.done && !r.plan->steps[i].change.err,
			      "step %zu", i + 1);
	i = tr_find(&r, BOOT_STEP_RESOLVE_EXEC, "sh");
	/* The first PATH entry holding it: /usr/bin comes before /bin in runc's PATH. */
	ck_assert_str_eq(r.plan->steps[i].change.text, "/usr/bin/sh");
	i = tr_find(&r, BOOT_STEP_MOUNT, "/proc");
	ck_assert_int_eq(r.plan->steps[i].change.kind, BOOT_CHANGE_ADDED);
	ck_assert_ptr_nonnull(strstr(r.plan->steps[i].change.text, " /proc rw,relatime - proc proc"));
	i = tr_find(&r, BOOT_STEP_SET_RW, "/");
	ck_assert_int_eq(r.plan->steps[i].change.kind, BOOT_CHANGE_MODIFIED);
	ck_assert_ptr_nonnull(strstr(r.plan->steps[i].change.text, " / rw,"));
	/* The table as /proc/self/mountinfo has it: the root is its own parent (gVisor). */
	ck_assert_ok(vfs_mountinfo(r.t, &mi, &len));
	{
		static const char root[] =
			"2 2 0:3 / / ro,relatime - 9p rootfs rw,trans=fd,rfdno=3,wfdno=3,";

		ck_assert_msg(!strncmp(mi, root, strlen(root)), "%s", mi);
	}
	free(mi);
	/* Stepping past the end says so. */
	ck_assert_int_eq(boot_run_step(r.run, &r.err), -ENODATA);
	tr_end(&r);
}
END_TEST

/* A read-only mount is writable while the mounts below it are set up (set-rw), and
 * read-only again after (restore-ro): the tmpfs below gets a real mount point. */
START_TEST(run_readonly_mount_writable_between)
{
	static const char spec[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/ro\",\"type\":\"tmpfs\",\"source\":\"t\",\"options\":[\"ro\"]},"
			  "{\"destination\":\"/ro/sub\",\"type\":\"tmpfs\",\"source\":\"u\"}]}";
	struct trun r;
	char buf[64];
	size_t i, rw, mk;

	tr_start(&r, spec, NULL, NULL);
	rw = tr_find(&r, BOOT_STEP_SET_RW, "/ro");
	mk = tr_find(&r, BOOT_STEP_MKDIR, "/ro/sub");
	ck_assert_uint_lt(rw, mk);
	for (i = 0; i < rw; i++)
		ck_assert_int_eq(boot_run_step(r.run, &r.err), 0);
	ck_assert_str_eq(fstype_at(r.t, "/ro", buf, sizeof(buf)), "tmpfs ro,relatime");
	ck_assert_err(vfs_mkdirat(r.t, AT_FDCWD, "/ro/early", 0755), EROFS);
	ck_assert_int_eq(boot_run_step(r.run, &r.err), 0);
	ck_assert_str_eq(fstype_at(r.t, "/ro", buf, sizeof(buf)), "tmpfs rw,relatime");
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_int_eq(r.plan->steps[mk].change.kind, BOOT_CHANGE_CREATED);
	ck_assert_str_eq(r.plan->steps[mk].change.text, "/ro/sub: 1 directory made");
	ck_assert_str_eq(fstype_at(r.t, "/ro", buf, sizeof(buf)), "tmpfs ro,relatime");
	ck_assert_err(vfs_mkdirat(r.t, AT_FDCWD, "/ro/late", 0755), EROFS);
	ck_assert_str_eq(fstype_at(r.t, "/ro/sub", buf, sizeof(buf)), "tmpfs rw,relatime");
	/* A read-only root is restored last, after the submounts. */
	tr_end(&r);
	tr_start(&r, rootfs_default_spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_uint_eq(tr_find(&r, BOOT_STEP_RESTORE_RO, "/") + 1,
			  tr_find(&r, BOOT_STEP_RESOLVE_EXEC, "sh"));
	tr_end(&r);
}
END_TEST

static void overlay_on(struct boot_config *c)
{
	c->overlay = true;
}

/* --overlay: the root is an overlay whose writes stay in the sandbox. */
START_TEST(run_overlay_root_keeps_host_intact)
{
	static const char spec[] = SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
					      "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]}";
	struct trun r;
	char buf[64];

	tr_start(&r, spec, NULL, overlay_on);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_str_eq(fstype_at(r.t, "/", buf, sizeof(buf)), "overlay rw,relatime");
	ck_assert_ok(t_write_file(r.t, "/etc/hostname", "sandbox\n", 0644));
	ck_assert_ok(t_read_file(r.t, "/etc/hostname", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "sandbox\n");
	ck_assert_ok(t_read_file(boot_sim_host_task(r.sim), "/bundle/rootfs/etc/hostname", buf,
				 sizeof(buf)));
	ck_assert_str_eq(buf, "vfslab\n");
	tr_end(&r);
}
END_TEST

/* A missing mount point under a read-only root: the gofer refuses the mkdir, so a
 * synthetic directory stands in; the host tree gets nothing. */
START_TEST(run_synthetic_mount_point)
{
	static const char spec[] = SPEC_HEAD "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
					      "\"mounts\":[{\"destination\":\"/new/deep\",\"type\":\"tmpfs\",\"source\":\"t\"}]}";
	struct trun r;
	struct vfs_stat st;
	char buf[64];
	size_t i;

	tr_start(&r, spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_str_eq(fstype_at(r.t, "/new/deep", buf, sizeof(buf)), "tmpfs rw,relatime");
	i = tr_find(&r, BOOT_STEP_MKDIR, "/new/deep");
	ck_assert_int_eq(r.plan->steps[i].change.kind, BOOT_CHANGE_CREATED);
	ck_assert_ptr_nonnull(strstr(r.plan->steps[i].change.text, "2 directories made (synthetic"));
	ck_assert_err(vfs_fstatat(boot_sim_host_task(r.sim), AT_FDCWD, "/bundle/rootfs/new", &st, 0),
		      ENOENT);
	/* Listed as gVisor's gofer lists synthetic children, after the server's entries. */
	ck_assert(lists(r.t, "/", "new"));
	ck_assert(lists(r.t, "/", "etc"));
	ck_assert(lists(r.t, "/new", "deep"));
	tr_end(&r);
}
END_TEST

/* A writable root: the mount point is made for real on the gofer. */
START_TEST(run_real_mount_point_on_writable_root)
{
	static const char spec[] = SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},"
					      "\"mounts\":[{\"destination\":\"/made\",\"type\":\"tmpfs\",\"source\":\"t\"}]}";
	struct trun r;
	struct vfs_stat st;

	tr_start(&r, spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_ok(vfs_fstatat(boot_sim_host_task(r.sim), AT_FDCWD, "/bundle/rootfs/made", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0777);
	tr_end(&r);
}
END_TEST

/* /tmp: not empty in the rootfs, so no internal tmpfs hides it. */
START_TEST(run_tmp_not_empty_is_kept)
{
	static const char manifest[] = "d / 0755 0 0\nd /bin 0755 0 0\nf /bin/sh 0755 0 0 x\n"
				       "d /tmp 01777 0 0\nf /tmp/keep 0644 0 0 kept\\n\n";
	struct trun r;
	char buf[64];
	size_t i;

	tr_start(&r, rootfs_default_spec, manifest, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	i = tr_find(&r, BOOT_STEP_MOUNT_TMP, "/tmp");
	ck_assert_int_eq(r.plan->steps[i].change.kind, BOOT_CHANGE_SKIPPED);
	ck_assert_ok(t_read_file(r.t, "/tmp/keep", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "kept\n");
	ck_assert_str_eq(fstype_at(r.t, "/tmp", buf, sizeof(buf)), "9p ro,relatime");
	tr_end(&r);
}
END_TEST

/* A bind mount: a gofer per source (created on the simulated host when missing), and
 * the spec's order decides what shadows what. */
START_TEST(run_orders_shadowing)
{
	static const char spec[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/a/b\",\"type\":\"tmpfs\",\"source\":\"inner\"},"
			  "{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/a\",\"options\":[\"rbind\"]}]}";
	struct trun r;
	char buf[64];

	/* gvisor: /a (shorter) first, then /a/b on it: both visible. */
	tr_start(&r, spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_str_eq(fstype_at(r.t, "/a/b", buf, sizeof(buf)), "tmpfs rw,relatime");
	ck_assert_uint_eq(boot_sim_nwarnings(r.sim), 1);
	ck_assert_ptr_nonnull(strstr(boot_sim_warning(r.sim, 0), "/srv/a"));
	tr_end(&r);
}
END_TEST

static void order_spec(struct boot_config *c)
{
	c->order = BOOT_ORDER_SPEC;
}

START_TEST(run_order_spec_shadows_child)
{
	static const char spec[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/a/b\",\"type\":\"tmpfs\",\"source\":\"inner\"},"
			  "{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/a\",\"options\":[\"rbind\"]}]}";
	struct trun r;
	struct vfs_mount_info *list;
	struct vfs_stat st;
	size_t n, i;
	bool hidden = false;
	char buf[64];

	/* spec order: /a/b first, then /a over /a: the tmpfs is hidden under the bind. */
	tr_start(&r, spec, NULL, order_spec);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_str_eq(fstype_at(r.t, "/a", buf, sizeof(buf)), "9p rw,relatime");
	ck_assert_ok(vfs_mount_list(r.t, &list, &n));
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].fstype, "tmpfs") || strcmp(list[i].mount_point, "/a/b"))
			continue;
		hidden = vfs_fstatat(r.t, AT_FDCWD, "/a/b", &st, 0) != 0 || st.mnt_id != list[i].mnt_id;
	}
	vfs_mount_list_free(list, n);
	ck_assert(hidden);
	tr_end(&r);
}
END_TEST

/* A destination through a symlink that climbs out (or is absolute) lands inside the
 * container's root, never above it: the walk clamps `..` at the root. */
START_TEST(run_symlink_destination_stays_inside)
{
	static const char spec[] = SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
					      "{\"destination\":\"/up\",\"type\":\"tmpfs\",\"source\":\"a\"},"
					      "{\"destination\":\"/abs\",\"type\":\"tmpfs\",\"source\":\"b\"}]}";
	static const char manifest[] = "d / 0755 0 0\nd /bin 0755 0 0\nf /bin/sh 0755 0 0 x\n"
				       "d /etc 0755 0 0\nf /etc/keep 0644 0 0 k\nd /srv 0755 0 0\n"
				       "l /up 0777 0 0 ../../../../../etc\nl /abs 0777 0 0 /srv\n";
	struct trun r;
	struct vfs_stat st;
	char buf[64];

	tr_start(&r, spec, manifest, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_str_eq(fstype_at(r.t, "/etc", buf, sizeof(buf)), "tmpfs rw,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/srv", buf, sizeof(buf)), "tmpfs rw,relatime");
	ck_assert_err(vfs_fstatat(r.t, AT_FDCWD, "/etc/keep", &st, 0), ENOENT); /* covered */
	/* The host tree: the rootfs's /etc is as it was, nothing above it was touched. */
	ck_assert_ok(vfs_fstatat(boot_sim_host_task(r.sim), AT_FDCWD, "/bundle/rootfs/etc/keep", &st,
				 0));
	ck_assert_err(vfs_fstatat(boot_sim_host_task(r.sim), AT_FDCWD, "/etc/keep", &st, 0), ENOENT);
	tr_end(&r);
}
END_TEST

/* A fail step stops the run: the error is recorded and stepping on is refused. */
START_TEST(run_stops_at_failure)
{
	static const char spec[] = SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
					      "{\"destination\":\"/etc/app/x\",\"type\":\"tmpfs\",\"source\":\"t\"}]}";
	static const char manifest[] = "d / 0755 0 0\nd /bin 0755 0 0\nf /bin/sh 0755 0 0 x\n"
				       "f /etc 0644 0 0 a file\\n\n";
	struct trun r;
	size_t i;

	tr_start(&r, spec, manifest, NULL);
	ck_assert_int_eq(tr_finish(&r), -ENOTDIR);
	ck_assert(boot_run_failed(r.run));
	i = boot_run_pos(r.run);
	ck_assert_int_eq(r.plan->steps[i].kind, BOOT_STEP_MKDIR);
	ck_assert_int_eq(r.plan->steps[i].change.err, -ENOTDIR);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "failed to create mountpoint \"/etc/app/x\""));
	ck_assert_int_eq(boot_run_step(r.run, &r.err), -ECANCELED);
	tr_end(&r);
}
END_TEST

START_TEST(run_exec_not_found_fails)
{
	static const char spec[] = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"nosuch\"],"
				   "\"env\":[\"PATH=relative:/bin:/usr/bin\"],\"cwd\":\"/\"},"
				   "\"root\":{\"path\":\"rootfs\"}}";
	struct trun r;

	tr_start(&r, spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), -ENOENT);
	ck_assert_int_eq(r.plan->steps[boot_run_pos(r.run)].kind, BOOT_STEP_RESOLVE_EXEC);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "error finding executable \"nosuch\""));
	tr_end(&r);
}
END_TEST

/* Pod-shared: the master is mounted once, disconnected; the container gets a bind. */
START_TEST(run_pod_shared_master)
{
	static const char spec[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"/pod/shm\",\"options\":[\"rw\"]}],"
			  "\"annotations\":{\"dev.gvisor.spec.mount.shm.source\":\"/pod/shm\","
			  "\"dev.gvisor.spec.mount.shm.type\":\"tmpfs\",\"dev.gvisor.spec.mount.shm.share\":\"pod\","
			  "\"dev.gvisor.spec.mount.shm.options\":\"rw\"}}";
	struct trun r;
	char buf[64];
	size_t i;

	tr_start(&r, spec, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	i = tr_find(&r, BOOT_STEP_MOUNT_MASTER, "shm");
	ck_assert_ptr_nonnull(strstr(r.plan->steps[i].change.text, "disconnected"));
	ck_assert_str_eq(fstype_at(r.t, "/dev/shm", buf, sizeof(buf)), "tmpfs rw,relatime");
	ck_assert_ok(t_write_file(r.t, "/dev/shm/x", "shared", 0600));
	tr_end(&r);
}
END_TEST

/* A pod of two containers: the sandbox mounts the pod-shared master once; each container
 * binds it, in a mount namespace of its own. What one writes in /dev/shm the other
 * reads; their other mounts are their own. */
START_TEST(run_pod_second_container)
{
	static const char spec2[] =
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"/bin/sh\"],\"cwd\":\"/\"},"
		"\"root\":{\"path\":\"rootfs\"},\"mounts\":["
		"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"/pod/shm\",\"options\":[\"rw\"]},"
		"{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"own\"}],"
		"\"annotations\":{\"dev.gvisor.spec.mount.shm.source\":\"/pod/shm\","
		"\"dev.gvisor.spec.mount.shm.type\":\"tmpfs\",\"dev.gvisor.spec.mount.shm.share\":\"pod\","
		"\"dev.gvisor.spec.mount.shm.options\":\"rw\"}}";
	static const char spec1[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"/pod/shm\",\"options\":[\"rw\"]}],"
			  "\"annotations\":{\"dev.gvisor.spec.mount.shm.source\":\"/pod/shm\","
			  "\"dev.gvisor.spec.mount.shm.type\":\"tmpfs\",\"dev.gvisor.spec.mount.shm.share\":\"pod\","
			  "\"dev.gvisor.spec.mount.shm.options\":\"rw\"}}";
	struct boot_spec *s2;
	struct boot_plan *p2;
	struct boot_config conf;
	struct boot_run *r2;
	struct boot_gofers g;
	struct trun r;
	struct task *t2;
	struct vfs_stat st;
	char buf[64];
	size_t i;
	int e;

	tr_start(&r, spec1, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_ok(boot_spec_parse(spec2, strlen(spec2), "c2", &s2, &r.err));
	boot_config_default(&conf);
	conf.subcontainer = true;
	ck_assert_ok(boot_plan_build(s2, &conf, &p2, &r.err));
	/* No registration and no master: the sandbox did those. */
	for (i = 0; i < p2->nsteps; i++)
		ck_assert_msg(p2->steps[i].kind != BOOT_STEP_REGISTER_FS &&
				      p2->steps[i].kind != BOOT_STEP_MOUNT_MASTER,
			      "step %zu", i + 1);
	boot_sim_gofers(r.sim, &g);
	ck_assert_err(boot_run_new_container(p2, r.k, &g, NULL, &r2), EINVAL);
	ck_assert_ok(boot_run_new_container(p2, r.k, &g, r.run, &r2));
	t2 = boot_run_task(r2);
	ck_assert_ptr_ne(t2, r.t);
	while ((e = boot_run_step(r2, &r.err)) == 0)
		;
	ck_assert_msg(e == -ENODATA, "%s", r.err.msg);
	ck_assert_ok(t_write_file(r.t, "/dev/shm/from-one", "hello\n", 0644));
	ck_assert_ok(t_read_file(t2, "/dev/shm/from-one", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "hello\n");
	/* The second container's own mount is not in the first's namespace (the two share
	 * the rootfs here, so its mount point is there, a plain directory). */
	ck_assert_str_eq(fstype_at(t2, "/scratch", buf, sizeof(buf)), "tmpfs rw,relatime");
	ck_assert_str_eq(fstype_at(r.t, "/scratch", buf, sizeof(buf)), "9p rw,relatime");
	ck_assert_ok(t_write_file(t2, "/scratch/mine", "x", 0644));
	ck_assert_err(vfs_fstatat(r.t, AT_FDCWD, "/scratch/mine", &st, 0), ENOENT);
	boot_run_free(r2);
	boot_plan_free(p2);
	boot_spec_free(s2);
	tr_end(&r);
}
END_TEST

/* Verity without a root hash mounts (runtime enable allowed); with one, an unprepared
 * tree is refused. */
START_TEST(run_verity_mounts)
{
	static const char spec_open[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/srv/v\",\"options\":[\"rbind\",\"verity.action=error\"]}]}";
	static const char spec_hash[] =
		SPEC_HEAD "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
			  "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/srv/v\",\"options\":[\"rbind\","
			  "\"verity.action=error\",\"verity.roothash=5e2a2c8fa1a3a0e5d7b0ad9c1c1f77f1e0a5d3b7c9e8f1a2b3c4d5e6f7a8b9c0\"]}]}";
	struct trun r;
	char buf[64];

	tr_start(&r, spec_open, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), 0);
	ck_assert_str_eq(fstype_at(r.t, "/v", buf, sizeof(buf)), "verity rw,relatime");
	tr_end(&r);
	tr_start(&r, spec_hash, NULL, NULL);
	ck_assert_int_eq(tr_finish(&r), -EIO);
	ck_assert_int_eq(r.plan->steps[boot_run_pos(r.run)].kind, BOOT_STEP_MOUNT);
	tr_end(&r);
}
END_TEST

/* trans=fd names the descriptors the runtime donated, once there are any. */
START_TEST(run_donated_descriptors_only)
{
	struct kernel *k = kernel_new(host_sim_new(1));
	struct task *t = kernel_init_task(k);

	ck_assert_ok(vfs_mkdirat(t, AT_FDCWD, "/m", 0755));
	ck_assert_ok(kernel_donate_fd(k, 7, dup(0)));
	/* 0 is a descriptor of this process, but not one the kernel was handed. */
	ck_assert_err(vfs_mount(t, "x", "/m", "9p", 0, "trans=fd,rfdno=0,wfdno=0"), EBADF);
	ck_assert_ptr_nonnull(strstr(task_errmsg(t), "no gofer descriptor 0"));
	ck_assert_ok(kernel_revoke_fd(k, 7));
	ck_assert_err(kernel_revoke_fd(k, 7), ENOENT);
	ck_assert_err(kernel_donate_fd(k, -1, dup(0)), EINVAL);
	kernel_destroy(k);
}
END_TEST

/* Failures at every point of a whole setup (allocation; then the host boundary and the
 * gofer transport): each run fails cleanly (an error in the failing step, nothing
 * leaked) or completes. */
static void sweep_setup(unsigned sites)
{
	uint64_t n;
	unsigned cases = 0, injected = 0, failed_runs = 0;
	bool done = false;

	for (n = 1; !done && n < 200000; n += n < 400 ? 1 : n / 64) {
		struct trun r;
		int e;
		bool fired;

		tr_start(&r, rootfs_default_spec, NULL, NULL);
		fault_arm(n, sites);
		e = tr_finish(&r);
		fired = fault_fired();
		fault_disarm();
		cases++;
		injected += fired;
		if (e) {
			failed_runs++;
			ck_assert_msg(fired, "n=%llu: failed (%s: %s) with no fault",
				      (unsigned long long)n, errno_name(-e), r.err.msg);
			ck_assert_msg(r.err.msg[0], "n=%llu: no message", (unsigned long long)n);
			ck_assert_int_eq(r.plan->steps[boot_run_pos(r.run)].change.err, e);
		} else {
			done = !fired;
		}
		tr_end(&r);
	}
	ck_assert(done);
	ck_assert_uint_gt(failed_runs, 10);
	fprintf(stderr, "faults: cases=%u injected=%u failures=0\n", cases, injected);
}

START_TEST(run_survives_allocation_failures)
{
	sweep_setup(1u << FAULT_ALLOC);
}
END_TEST

START_TEST(run_survives_host_and_transport_failures)
{
	sweep_setup((1u << FAULT_HOST) | (1u << FAULT_TRANSPORT));
}
END_TEST

Suite *run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, run_default_spec_to_end);
	tcase_add_test(tc, run_readonly_mount_writable_between);
	tcase_add_test(tc, run_overlay_root_keeps_host_intact);
	tcase_add_test(tc, run_synthetic_mount_point);
	tcase_add_test(tc, run_real_mount_point_on_writable_root);
	tcase_add_test(tc, run_tmp_not_empty_is_kept);
	tcase_add_test(tc, run_orders_shadowing);
	tcase_add_test(tc, run_order_spec_shadows_child);
	tcase_add_test(tc, run_stops_at_failure);
	tcase_add_test(tc, run_symlink_destination_stays_inside);
	tcase_add_test(tc, run_exec_not_found_fails);
	tcase_add_test(tc, run_pod_shared_master);
	tcase_add_test(tc, run_pod_second_container);
	tcase_add_test(tc, run_verity_mounts);
	tcase_add_test(tc, run_donated_descriptors_only);
	tcase_add_test(tc, run_survives_allocation_failures);
	tcase_add_test(tc, run_survives_host_and_transport_failures);
	suite_add_tcase(s, tc);
	return s;
}
