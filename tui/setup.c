/*
 * setup.c - the container mount setup the front end steps through (setup.h).
 *
 * A run always starts on a fresh kernel, so that `reset` and `order` give exactly what a
 * new `vfslab replay` would: the simulation is seeded the same way each time (the
 * container kernel with seed 1, its host tree with seed 2), so every output is
 * deterministic.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/errname.h"
#include "cmd.h"
#include "host_gofers.h"
#include "setup.h"
#include "vfslab/boot_sim.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

#define SETUP_KERNEL_SEED 1
#define SETUP_HOST_SEED 2

int setup_load(struct setup *su, const char *cmd, const char *path, const char *rootfs,
	       bool host, FILE *err)
{
	int status;

	memset(su, 0, sizeof(*su));
	su->next_bp = 1;
	su->host = host;
	if (path) {
		status = replay_load_spec_to(cmd, path, rootfs, &su->ls, err);
		if (status)
			return status;
		su->spec_path = strdup(path);
	} else {
		status = replay_load_default(cmd, rootfs, &su->ls, err);
		if (status)
			return status;
		su->spec_path = strdup("(embedded default spec)");
	}
	su->bundle = replay_bundle_dir(path);
	su->path_arg = path ? strdup(path) : NULL;
	su->rootfs_arg = rootfs ? strdup(rootfs) : NULL;
	if (!su->spec_path || !su->bundle || (path && !su->path_arg) ||
	    (rootfs && !su->rootfs_arg)) {
		fprintf(err, "vfslab: %s: out of memory\n", cmd);
		setup_free(su);
		return 2;
	}
	return 0;
}

static void stop_run(struct setup *su)
{
	size_t i;

	/* The containers' runs go first: they hold tasks and the sandbox's masters. */
	for (i = 0; i < su->nctrs; i++) {
		boot_run_free(su->ctrs[i].run);
		su->ctrs[i].run = NULL;
		boot_plan_free(su->ctrs[i].plan);
		su->ctrs[i].plan = NULL;
	}
	boot_run_free(su->run);
	su->run = NULL;
}

int setup_add_container(struct setup *su, const char *cmd, const char *path, FILE *err)
{
	struct setup_container *n = realloc(su->ctrs, (su->nctrs + 1) * sizeof(*n));
	int status;

	if (!n) {
		fprintf(err, "vfslab: %s: out of memory\n", cmd);
		return 2;
	}
	su->ctrs = n;
	memset(&n[su->nctrs], 0, sizeof(*n));
	status = replay_load_spec_to(cmd, path, NULL, &n[su->nctrs].ls, err);
	if (status)
		return status;
	n[su->nctrs].path = strdup(path);
	if (!n[su->nctrs].path) {
		replay_unload_spec(&n[su->nctrs].ls);
		return 2;
	}
	su->nctrs++;
	return 0;
}

struct task *setup_last_task(const struct setup *su)
{
	size_t i;

	for (i = su->nctrs; i-- > 0;)
		if (su->ctrs[i].run)
			return boot_run_task(su->ctrs[i].run);
	return kernel_init_task(su->k);
}

/* A later container of the pod, carried out to its end. */
static int run_container(struct setup *su, struct setup_container *c, FILE *err, const char *cmd)
{
	struct boot_gofers g;
	struct boot_config conf = c->ls.conf;
	struct boot_err e;
	int rc;

	conf.subcontainer = true;
	conf.order = su->ls.conf.order;
	if (boot_plan_build(c->ls.spec, &conf, &c->plan, &e)) {
		fprintf(err, "vfslab: %s: %s: %s\n", cmd, c->path, e.msg);
		return 1;
	}
	if (su->sim) {
		if (boot_sim_add_rootfs(su->sim, c->ls.rootfs, c->ls.rootfs_name,
					c->ls.spec->root_path, &e)) {
			fprintf(err, "vfslab: %s: %s: %s\n", cmd, c->path, e.msg);
			return 1;
		}
		boot_sim_gofers(su->sim, &g);
	} else {
		host_gofers_get(su->hg, &g);
	}
	if (boot_run_new_container(c->plan, su->k, &g, su->run, &c->run)) {
		fprintf(err, "vfslab: %s: %s: cannot start the container\n", cmd, c->path);
		return 1;
	}
	while ((rc = boot_run_step(c->run, &e)) == 0)
		;
	if (rc != -ENODATA) {
		size_t pos = boot_run_pos(c->run);

		fprintf(err, "vfslab: %s: %s: step %zu (%s %s): %s\n", cmd, c->path, pos + 1,
			boot_step_kind_name(c->plan->steps[pos].kind), c->plan->steps[pos].target,
			e.msg);
		return 1;
	}
	return 0;
}

/* The kernel goes before its gofers: its mounts hold connections to them. */
static void stop_kernel(struct kernel *k, struct boot_sim *sim,
			struct host_gofers *hg)
{
	if (k)
		kernel_destroy(k);
	boot_sim_free(sim);
	host_gofers_free(hg);
}

int setup_start(struct setup *su, struct boot_err *e)
{
	struct kernel_options ko;
	struct boot_plan *plan = NULL;
	struct boot_sim *sim = NULL;
	struct host_gofers *hg = NULL;
	struct boot_gofers g;
	struct kernel *k;
	struct host *h;
	int err;

	err = boot_plan_build(su->ls.spec, &su->ls.conf, &plan, e);
	if (err)
		return err;
	if (su->host) {
		err = host_gofers_new(su->bundle, &hg, e);
		if (err)
			goto fail_plan;
		host_gofers_get(hg, &g);
	} else {
		err = boot_sim_new(SETUP_HOST_SEED, su->ls.host, su->ls.host_name, su->ls.rootfs,
				   su->ls.rootfs_name,
				   su->ls.spec->root_path, &sim, e);
		if (err)
			goto fail_plan;
		boot_sim_gofers(sim, &g);
	}
	boot_kernel_options(plan, &ko);
	h = su->host ? host_real_new(HOST_LOG_WARN) : host_sim_new(SETUP_KERNEL_SEED);
	if (IS_ERR_OR_NULL(h)) {
		err = h ? (int)PTR_ERR(h) : -ENOMEM;
		snprintf(e->msg, sizeof(e->msg), "cannot make the %s host", su->host ? "real" : "simulated");
		goto fail_gofers;
	}
	k = kernel_new_opts(h, &ko);
	if (IS_ERR(k)) {
		err = (int)PTR_ERR(k);
		snprintf(e->msg, sizeof(e->msg), "cannot start the kernel: %s", errno_name(err));
		goto fail_gofers;
	}
	stop_run(su);
	err = boot_run_new(plan, k, &g, &su->run);
	if (err) {
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		stop_kernel(k, sim, hg);
		boot_plan_free(plan);
		return err;
	}
	stop_kernel(su->k, su->sim, su->hg);
	boot_plan_free(su->plan);
	su->plan = plan;
	su->k = k;
	su->sim = sim;
	su->hg = hg;
	return 0;
fail_gofers:
	boot_sim_free(sim);
	host_gofers_free(hg);
fail_plan:
	boot_plan_free(plan);
	return err;
}

int setup_step(struct setup *su, struct boot_err *e)
{
	return boot_run_step(su->run, e);
}

size_t setup_pos(const struct setup *su)
{
	return su->run ? boot_run_pos(su->run) : 0;
}

size_t setup_nsteps(const struct setup *su)
{
	return su->plan ? su->plan->nsteps : 0;
}

bool setup_failed(const struct setup *su)
{
	return su->run && boot_run_failed(su->run);
}

bool setup_done(const struct setup *su)
{
	return setup_failed(su) || setup_pos(su) >= setup_nsteps(su);
}

void setup_free(struct setup *su)
{
	size_t i;

	stop_run(su);
	stop_kernel(su->k, su->sim, su->hg);
	su->k = NULL;
	su->sim = NULL;
	su->hg = NULL;
	boot_plan_free(su->plan);
	su->plan = NULL;
	replay_unload_spec(&su->ls);
	for (i = 0; i < su->nctrs; i++) {
		replay_unload_spec(&su->ctrs[i].ls);
		free(su->ctrs[i].path);
	}
	free(su->ctrs);
	su->ctrs = NULL;
	su->nctrs = 0;
	for (i = 0; i < su->nbps; i++)
		free(su->bps[i].dest);
	free(su->bps);
	su->bps = NULL;
	su->nbps = 0;
	free(su->spec_path);
	free(su->path_arg);
	free(su->rootfs_arg);
	free(su->bundle);
	su->spec_path = su->bundle = NULL;
}

/* ------------------------------------------------------------------ phases, breakpoints */

static const char *const phase_names[] = {
	"devices", "root", "submounts", "tmp", "restore", "process",
};

const char *setup_phase_name(int phase)
{
	return phase >= 0 && (size_t)phase < ARRAY_SIZE(phase_names) ? phase_names[phase] : "?";
}

int setup_phase(const struct setup *su, size_t i)
{
	const struct boot_step *st = &su->plan->steps[i];

	switch (st->kind) {
	case BOOT_STEP_REGISTER_FS:
	case BOOT_STEP_REGISTER_DEV:
	case BOOT_STEP_DEVTMPFS_INIT:
	case BOOT_STEP_DEVTMPFS_FILE: return 0;
	case BOOT_STEP_MOUNT_MASTER:
	case BOOT_STEP_MOUNT_ROOT: return 1;
	case BOOT_STEP_CONFIGURE_OVERLAY:
	case BOOT_STEP_SET_RW: return st->mount < 0 ? 1 : 2;
	case BOOT_STEP_MKDIR:
	case BOOT_STEP_MOUNT:
	case BOOT_STEP_SHARED_MOUNT: return 2;
	case BOOT_STEP_MOUNT_TMP: return 3;
	case BOOT_STEP_RESTORE_RO: return 4;
	case BOOT_STEP_RESOLVE_EXEC:
	case BOOT_STEP_MASKED_PATH:
	case BOOT_STEP_READONLY_PATH:
	case BOOT_STEP_FD_MAP: return 5;
	default:
		/* A skip or a failure belongs with the step before it. */
		return i ? setup_phase(su, i - 1) : 0;
	}
}

struct breakpoint *setup_break_at(struct setup *su, size_t i)
{
	const struct boot_step *st = &su->plan->steps[i];
	/* A destination stops the setup once per mount: before the first of the steps
	 * that go together (mkdir, configure-overlay, mount, set-rw). */
	bool first = i == 0 || strcmp(su->plan->steps[i - 1].target, st->target) != 0;
	size_t b;

	for (b = 0; b < su->nbps; b++) {
		struct breakpoint *bp = &su->bps[b];

		if (bp->type == BP_KIND ? st->kind == bp->kind
					: first && !strcmp(st->target, bp->dest))
			return bp;
	}
	return NULL;
}

int setup_run_all(struct setup *su, FILE *err, const char *cmd)
{
	struct boot_err e;
	size_t i;

	while (!setup_done(su)) {
		if (setup_step(su, &e)) {
			fprintf(err, "vfslab: %s: step %zu (%s %s): %s\n", cmd, setup_pos(su) + 1,
				boot_step_kind_name(su->plan->steps[setup_pos(su)].kind),
				su->plan->steps[setup_pos(su)].target, e.msg);
			return 1;
		}
	}
	for (i = 0; i < su->nctrs; i++)
		if (run_container(su, &su->ctrs[i], err, cmd))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ formatters */

void setup_print_change(const struct setup *su, size_t i, FILE *out)
{
	const struct boot_change *c = &su->plan->steps[i].change;
	const char *text = c->text ? c->text : "";

	if (!c->done)
		return;
	if (c->err) {
		fprintf(out, "! %s: %s\n", errno_name(c->err), text);
		return;
	}
	switch (c->kind) {
	case BOOT_CHANGE_ADDED: fprintf(out, "+ %s\n", text); break;
	case BOOT_CHANGE_MODIFIED: fprintf(out, "~ %s\n", text); break;
	case BOOT_CHANGE_CREATED: fprintf(out, "  created: %s\n", text); break;
	case BOOT_CHANGE_SKIPPED: fprintf(out, "  skipped: %s\n", text); break;
	default:
		if (*text)
			fprintf(out, "  %s\n", text);
		break;
	}
}

/* Is the mount reachable at its mount point, or hidden by one mounted over it or
 * over a directory above it? */
static bool shadowed(struct task *t, const struct vfs_mount_info *m)
{
	struct vfs_stat st;

	if (vfs_fstatat(t, AT_FDCWD, m->mount_point, &st, 0))
		return true;
	return st.mnt_id != m->mnt_id;
}

/* JSON wants UTF-8: a name that is not is shown with its bad bytes as '?'. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	char *copy;
	size_t i;

	if (j || !s)
		return j ? j : json_null();
	copy = strdup(s);
	if (!copy)
		return json_null();
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

int setup_print_json(struct setup *su, struct task *t, FILE *out)
{
	struct vfs_mount_info *list;
	json_t *doc, *mounts, *steps;
	size_t n, i;
	int err;

	err = vfs_mount_list(t, &list, &n);
	if (err)
		return err;
	doc = json_object();
	mounts = json_array();
	for (i = 0; i < n; i++) {
		const struct vfs_mount_info *m = &list[i];
		char dev[24];
		json_t *j = json_object();

		snprintf(dev, sizeof(dev), "%u:%u", m->dev >> 20, m->dev & 0xfffff);
		json_object_set_new(j, "id", json_integer(m->mnt_id));
		json_object_set_new(j, "parent", json_integer(m->parent_id));
		json_object_set_new(j, "dev", json_string(dev));
		json_object_set_new(j, "root", jstr(m->root));
		json_object_set_new(j, "target", jstr(m->mount_point));
		json_object_set_new(j, "options", jstr(m->mount_opts));
		json_object_set_new(j, "optional", jstr(m->optional));
		json_object_set_new(j, "fstype", jstr(m->fstype));
		json_object_set_new(j, "source", jstr(m->source));
		json_object_set_new(j, "super_options", jstr(m->super_opts));
		json_object_set_new(j, "shadowed", json_boolean(shadowed(t, m)));
		json_array_append_new(mounts, j);
	}
	vfs_mount_list_free(list, n);
	if (su) {
		json_object_set_new(doc, "spec", jstr(su->spec_path));
		json_object_set_new(doc, "order",
				    json_string(boot_order_name(su->ls.conf.order)));
		steps = json_array();
		for (i = 0; i < setup_nsteps(su); i++) {
			const struct boot_step *st = &su->plan->steps[i];
			json_t *j = json_object();

			json_object_set_new(j, "n", json_integer((json_int_t)i + 1));
			json_object_set_new(j, "kind", json_string(boot_step_kind_name(st->kind)));
			json_object_set_new(j, "target", jstr(st->target));
			json_object_set_new(j, "done", json_boolean(st->change.done && !st->change.err));

			if (st->change.done) {
				json_object_set_new(j, "change",
						    json_string(boot_change_kind_name(st->change.kind)));
				if (st->change.text)
					json_object_set_new(j, "text", jstr(st->change.text));
				if (st->change.mnt_id >= 0)
					json_object_set_new(j, "mount", json_integer(st->change.mnt_id));
				if (st->change.err)
					json_object_set_new(j, "error",
							    json_string(errno_name(st->change.err)));
			}
			json_array_append_new(steps, j);
		}
		json_object_set_new(doc, "steps", steps);
		json_object_set_new(doc, "complete", json_boolean(setup_pos(su) == setup_nsteps(su)));
	}
	json_object_set_new(doc, "mounts", mounts);
	err = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ? -EIO : 0;
	fputc('\n', out);
	json_decref(doc);
	return err;
}
