/*
 * lint.c - ordering hazards and mistakes in a spec's mounts, each with the mount(s)
 * involved and why it matters.
 *
 * Lint plans the spec under both ordering policies (plan.c) and compares: a mount hidden
 * by one mounted after it at the same or a parent destination; a child mounted before its
 * parent under one policy only; equal-length destinations, whose order gVisor's unstable
 * sort leaves undefined. It adds what runsc refuses (ValidateSpec, the FD dispenser,
 * hints, verity options), what it silently changes or drops (types, options, /dev,
 * cgroup mounts), the /tmp rule, and, given the rootfs, destinations reached through a
 * symlink. Errors are what makes runsc refuse the spec or fail while setting it up;
 * warnings change what the container sees; infos are worth knowing.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "internal.h"

struct linter {
	struct boot_lint *l;
	const struct boot_spec *spec;
	const struct boot_config *conf;
	const struct boot_tree *tree;
	struct boot_plan *plan[2]; /* gvisor, spec */
	int err;
};

static void add(struct linter *li, enum boot_lint_level level, const char *code, const char *where,
		const char *fmt, ...) PRINTF_LIKE(5, 6);
static void add(struct linter *li, enum boot_lint_level level, const char *code, const char *where,
		const char *fmt, ...)
{
	struct boot_lint *l = li->l;
	struct boot_finding *f;
	char buf[1024];
	va_list ap;

	if (li->err)
		return;
	f = vl_realloc(l->findings, (l->n + 1) * sizeof(*f));
	if (!f) {
		li->err = -ENOMEM;
		return;
	}
	l->findings = f;
	f = &f[l->n];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f->level = level;
	f->code = vl_strdup(code);
	f->where = vl_strdup(where);
	f->msg = vl_strdup(buf);
	l->n++;
	l->count[level]++;
	if (!f->code || !f->where || !f->msg)
		li->err = -ENOMEM;
}

/* "mounts[3] /data" for a spec mount, "runsc's /proc" for one runsc adds. */
static void where_mount(const struct boot_plan_mount *m, char *buf, size_t size)
{
	if (m->spec_index >= 0)
		snprintf(buf, size, "mounts[%d] %s", m->spec_index, m->destination);
	else
		snprintf(buf, size, "runsc's %s", m->destination);
}

/* ------------------------------------------------------------------ the spec itself */

static void lint_spec(struct linter *li)
{
	const struct boot_spec *s = li->spec;
	char where[300];
	size_t i, j;

	for (i = 0; i < s->warnings.n; i++)
		add(li, BOOT_LINT_INFO, "spec", "spec", "%s", s->warnings.v[i]);
	if (!s->has_process)
		add(li, BOOT_LINT_ERROR, "runsc-refuses", "process",
		    "no process: runsc refuses the spec (Spec.Process must be defined)");
	else if (!s->args.n)
		add(li, BOOT_LINT_ERROR, "runsc-refuses", "process.args",
		    "no args: runsc refuses the spec (Spec.Process.Arg must be defined)");
	for (i = 0; i < s->nmounts; i++) {
		const struct boot_mount *m = &s->mounts[i];
		const char *eff;
		bool bindish;

		snprintf(where, sizeof(where), "mounts[%zu] %s", i, m->destination);
		if (m->written[0] != '/')
			add(li, BOOT_LINT_ERROR, "relative-destination", where,
			    "destination '%s' is relative: runc and crun take it as '%s' "
			    "(deprecated), runsc refuses the spec (Mount.Destination must be an "
			    "absolute path)",
			    m->written, m->destination);
		else if (strcmp(m->written, m->destination))
			add(li, BOOT_LINT_INFO, "unclean-destination", where,
			    "destination '%s' is taken as '%s'", m->written, m->destination);
		for (j = 0; j < i; j++) {
			if (!strcmp(s->mounts[j].destination, m->destination))
				add(li, BOOT_LINT_WARNING, "duplicate-destination", where,
				    "mounts[%zu] has the same destination: the one mounted last "
				    "hides the other (under gvisor the order of equal destinations "
				    "is undefined; vfslab keeps the spec's)",
				    j);
		}
		/* validateMount: runsc checks a bind mount's options. */
		if (!strcmp(m->type, "bind")) {
			for (j = 0; j < m->options.n; j++) {
				const char *o = m->options.v[j];

				if (boot_refused_mount_option(o))
					add(li, BOOT_LINT_ERROR, "runsc-refuses", where,
					    "bind option '%s': runsc refuses the spec (sharing "
					    "mounts with the host breaks the isolation)",
					    o);
				else if (!boot_known_mount_option(o) &&
					 !boot_propagation_option(o) && strncmp(o, "verity.", 7))
					add(li, BOOT_LINT_ERROR, "runsc-refuses", where,
					    "bind option '%s': runsc refuses the spec (unknown "
					    "mount "
					    "option)",
					    o);
			}
		}
		bindish = !strcmp(m->type, "bind") || boot_strv_has(&m->options, "bind") ||
			  boot_strv_has(&m->options, "rbind");
		if (bindish && !m->source[0])
			add(li, BOOT_LINT_ERROR, "bind-without-source", where,
			    "a bind mount with no source: the gofer makes it no FD but runsc takes "
			    "one for it, so FDs go to the wrong mounts and run out");
		eff = bindish ? "bind" : m->type;
		if (!strcmp(m->destination, "/proc") && strcmp(eff, "proc"))
			add(li, BOOT_LINT_WARNING, "proc-replaced", where,
			    "/proc is a '%s' mount%s%s, not the sandbox's procfs", eff,
			    m->source[0] ? " of " : "", m->source);
		if (!strcmp(m->destination, "/sys") && strcmp(eff, "sysfs") && strcmp(eff, "none"))
			add(li, BOOT_LINT_WARNING, "sys-replaced", where,
			    "/sys is a '%s' mount%s%s, not the sandbox's sysfs", eff,
			    m->source[0] ? " of " : "", m->source);
		if ((boot_path_below(m->destination, "/proc") ||
		     boot_path_below(m->destination, "/sys")) &&
		    bindish)
			add(li, BOOT_LINT_WARNING, "proc-sys-bind", where,
			    "a bind mount of '%s' over the sandbox's own %s", m->source,
			    boot_path_below(m->destination, "/proc") ? "procfs" : "sysfs");
	}
	if (s->masked_paths.n || s->readonly_paths.n)
		add(li, BOOT_LINT_INFO, "masked-paths", "linux",
		    "%zu maskedPaths and %zu readonlyPaths are not applied, as in runsc: the "
		    "sandbox's /proc and /sys hold no host data",
		    s->masked_paths.n, s->readonly_paths.n);
}

/* ------------------------------------------------------------------ from the plan */

static void lint_steps(struct linter *li, const struct boot_plan *p)
{
	char where[300];
	size_t i;

	for (i = 0; i < p->nsteps; i++) {
		const struct boot_step *st = &p->steps[i];
		const struct boot_plan_mount *m = st->mount >= 0 ? &p->mounts[st->mount] : NULL;

		if (m)
			where_mount(m, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "%s", st->target);
		switch (st->kind) {
		case BOOT_STEP_FAIL:
			add(li, BOOT_LINT_ERROR, "setup-fails", where,
			    "runsc fails here (step %zu): %s", i + 1, st->reason);
			break;
		case BOOT_STEP_SKIP:
			if (m)
				add(li, BOOT_LINT_WARNING, "unsupported-type", where,
				    "type '%s' is not supported by runsc: the mount is skipped "
				    "(with only a log warning)",
				    m->type);
			else if (st->fstype && !strcmp(st->fstype, "cgroup"))
				add(li, BOOT_LINT_INFO, "dropped-mount", st->target,
				    "cgroup mount dropped by runsc%s",
				    li->conf->cgroupfs ? " (it mounts its own cgroupfs)"
						       : " (no cgroupfs without --cgroupfs)");
			break;
		case BOOT_STEP_MOUNT:
			if (st->ignored)
				add(li, BOOT_LINT_INFO, "ignored-options", where,
				    "options ignored by runsc: %s", st->ignored);
			if (m && strcmp(m->type, m->spec_type) &&
			    (!strcmp(m->destination, "/dev") ||
			     !strcmp(m->destination, "/dev/pts")))
				add(li, BOOT_LINT_INFO, "type-overridden", where,
				    "runsc mounts %s as %s whatever the spec says (type '%s')",
				    m->destination, m->type, m->spec_type);
			if (st->verity) {
				const struct boot_verity *v = st->verity;

				if (!v->roothash)
					add(li, BOOT_LINT_WARNING, "verity-no-roothash", where,
					    "verity without verity.roothash: runtime enable is "
					    "allowed and nothing is verified (no protection)");
				if (m && (boot_strv_has(&m->options, "ro") ||
					  boot_strv_has(&m->options, "noexec") ||
					  boot_strv_has(&m->options, "nosuid") ||
					  boot_strv_has(&m->options, "noatime")))
					add(li, BOOT_LINT_WARNING, "verity-drops-flags", where,
					    "the seed gives a verity mount no flags: ro, noexec, "
					    "nosuid and noatime here are lost");
				if (m) {
					size_t k;

					for (k = 0; k < m->options.n; k++)
						if (!strncmp(m->options.v[k],
							     "verity.action=", 14) &&
						    strcmp(m->options.v[k] + 14, "error") &&
						    strcmp(m->options.v[k] + 14, "panic"))
							add(li, BOOT_LINT_WARNING, "verity-action",
							    where,
							    "invalid verity.action '%s': panic is "
							    "used",
							    m->options.v[k] + 14);
				}
			}
			break;
		case BOOT_STEP_MOUNT_MASTER:
		case BOOT_STEP_SHARED_MOUNT:
		default: break;
		}
	}
}

static void lint_hints(struct linter *li, const struct boot_plan *p)
{
	char where[300];
	size_t i, j;

	for (i = 0; i < p->nhints; i++) {
		const struct boot_hint *h = &p->hints[i];
		bool used = false;

		/* A hint left incomplete by a parse error is reported by its fail step. */
		if (!h->type || !h->share || !h->source)
			continue;
		snprintf(where, sizeof(where), "hint %s", h->name);
		for (j = 0; j < p->nmounts; j++)
			used |= p->mounts[j].hint == (int)i;
		if (!used)
			add(li, BOOT_LINT_WARNING, "hint-unused", where,
			    "no mount has source '%s': the hint does nothing%s", h->source,
			    strcmp(h->type, "tmpfs") ? ""
						     : " (its master is mounted all the same)");
		else if (strcmp(h->type, "tmpfs") || strcmp(h->share, "pod"))
			add(li, BOOT_LINT_INFO, "hint-unsupported", where,
			    "type %s, share %s: only tmpfs hints shared by the pod are bound to a "
			    "master; this mount is set up as usual%s",
			    h->type, h->share,
			    strcmp(h->type, "bind")	    ? ""
			    : strcmp(h->share, "container") ? " (file access shared)"
							    : " (file access exclusive)");
	}
}

/* Mounting order under a policy, as ranks: rank[mount] = position. */
static size_t *ranks(const struct boot_plan *p)
{
	size_t *r, i;

	if (!p->order)
		return NULL;
	r = vl_malloc((p->nmounts ? p->nmounts : 1) * sizeof(*r));
	if (!r)
		return NULL;
	for (i = 0; i < p->nmounts; i++)
		r[p->order[i]] = i;
	return r;
}

static void lint_order(struct linter *li)
{
	const struct boot_plan *g = li->plan[0], *s = li->plan[1];
	size_t *rg, *rs, i, j;
	char where[300], other[300];

	/* Both plans compile the same mounts in the same order; only the order differs. */
	if (!g->order || !s->order || g->nmounts != s->nmounts)
		return;
	rg = ranks(g);
	rs = ranks(s);
	if (!rg || !rs) {
		li->err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < g->nmounts; i++) {
		const struct boot_plan_mount *a = &g->mounts[i];

		for (j = 0; j < g->nmounts; j++) {
			const struct boot_plan_mount *b = &g->mounts[j];
			bool hides_g, hides_s, same = !strcmp(a->destination, b->destination);

			if (i == j || (!same && !boot_path_below(a->destination, b->destination)))
				continue;
			/* b is at a's destination or above it: mounted after a, it hides a. */
			hides_g = rg[j] > rg[i];
			hides_s = rs[j] > rs[i];
			if (!hides_g && !hides_s)
				continue;
			where_mount(a, where, sizeof(where));
			where_mount(b, other, sizeof(other));
			if (same)
				continue; /* duplicates are reported once, in lint_spec */
			if (hides_g && hides_s)
				add(li, BOOT_LINT_WARNING, "shadowed", where,
				    "hidden under both policies: %s is mounted after it, over its "
				    "parent",
				    other);
			else
				add(li, BOOT_LINT_WARNING, "order-dependent", where,
				    "child before parent under the %s policy: %s, mounted after "
				    "it, "
				    "hides it there; under %s it is mounted after %s and visible",
				    hides_s ? "spec" : "gvisor", other, hides_s ? "gvisor" : "spec",
				    other);
		}
	}
	/* Equal lengths: sort.Slice may put them in any order. */
	for (i = 0; i < g->nmounts; i++) {
		struct strbuf sb = STRBUF_INIT;
		size_t len = strlen(g->mounts[i].destination), n = 0;
		bool first = true;

		for (j = 0; j < i; j++)
			if (strlen(g->mounts[j].destination) == len)
				break;
		if (j < i)
			continue; /* reported with the first of its length */
		for (j = 0; j < g->nmounts; j++) {
			if (strlen(g->mounts[j].destination) != len)
				continue;
			sb_printf(&sb, "%s%s", first ? "" : ", ", g->mounts[j].destination);
			first = false;
			n++;
		}
		if (n > 1 && !sb_error(&sb))
			add(li, BOOT_LINT_INFO, "undefined-order", "gvisor",
			    "%s have the same length (%zu): gVisor's unstable sort mounts them in "
			    "any order (mount IDs and mountinfo order vary); vfslab keeps the "
			    "compiled order",
			    sb.buf, len);
		if (sb_error(&sb))
			li->err = -ENOMEM;
		sb_free(&sb);
	}
	/* A read-only mount with mounts below it: the seed's set-rw/restore-ro dance. */
	for (i = 0; i < g->nmounts; i++) {
		const struct boot_plan_mount *a = &g->mounts[i];
		size_t below = 0;

		if (!boot_strv_has(&a->options, "ro"))
			continue;
		for (j = 0; j < g->nmounts; j++)
			below += boot_path_below(g->mounts[j].destination, a->destination);
		if (!below)
			continue;
		where_mount(a, where, sizeof(where));
		add(li, BOOT_LINT_INFO, "ro-parent", where,
		    "read-only with %zu mount(s) below it: runsc keeps it writable until they are "
		    "mounted (synthetic mount points may be made in it), then restores it",
		    below);
	}
out:
	vl_free(rg);
	vl_free(rs);
}

/* ------------------------------------------------------------------ the rootfs */

static void lint_tmp(struct linter *li)
{
	const struct boot_plan *p = li->plan[0];
	mode_t mode;
	char link[256];
	size_t i;
	bool below = false;

	for (i = 0; i < p->nmounts; i++) {
		if (!strcmp(p->mounts[i].destination, "/tmp")) {
			char where[300];

			where_mount(&p->mounts[i], where, sizeof(where));
			add(li, BOOT_LINT_INFO, "tmp-explicit", where,
			    "/tmp is mounted explicitly: runsc does not mount its internal tmpfs");
			return;
		}
		below |= boot_path_below(p->mounts[i].destination, "/tmp");
	}
	if (below) {
		add(li, BOOT_LINT_WARNING, "tmp-not-empty", "/tmp",
		    "mount points below /tmp make it non-empty: runsc skips its internal tmpfs, "
		    "and /tmp is the rootfs's own");
		return;
	}
	if (!li->tree || !li->tree->lstat)
		return;
	if (li->tree->lstat(li->tree->ctx, "/tmp", &mode, link, sizeof(link)) < 0)
		add(li, BOOT_LINT_INFO, "tmp-absent", "/tmp",
		    "/tmp is not in the rootfs: runsc makes a mount point and mounts its internal "
		    "tmpfs (mode 01777)");
	else if (!S_ISDIR(mode))
		add(li, BOOT_LINT_WARNING, "tmp-not-dir", "/tmp",
		    "/tmp in the rootfs is not a directory: runsc mounts no internal tmpfs");
	else if (li->tree->has_children && li->tree->has_children(li->tree->ctx, "/tmp"))
		add(li, BOOT_LINT_INFO, "tmp-not-empty", "/tmp",
		    "/tmp in the rootfs is not empty: runsc skips its internal tmpfs (it would "
		    "hide the files)");
}

/* Walk dest through the rootfs; report the first symlink met and where it leads. Mount
 * points of other mounts cut the walk short: below them the rootfs does not apply. */
static void lint_symlinks(struct linter *li)
{
	const struct boot_plan *p = li->plan[0];
	size_t i, j;

	if (!li->tree || !li->tree->lstat)
		return;
	for (i = 0; i < p->nmounts; i++) {
		const struct boot_plan_mount *m = &p->mounts[i];
		char cur[4096] = "", link[4096], where[300];
		const char *c = m->destination;
		bool covered = false;

		for (j = 0; j < p->nmounts; j++)
			covered |= j != i &&
				   boot_path_below(m->destination, p->mounts[j].destination) &&
				   strcmp(p->mounts[j].destination, "/");
		if (covered || m->spec_index < 0)
			continue;
		while (*c) {
			const char *e;
			size_t n, len = strlen(cur);
			mode_t mode;

			c++;
			e = strchr(c, '/');
			n = e ? (size_t)(e - c) : strlen(c);
			if (len + n + 2 > sizeof(cur))
				break;
			snprintf(cur + len, sizeof(cur) - len, "/%.*s", (int)n, c);
			c += n;
			if (li->tree->lstat(li->tree->ctx, cur, &mode, link, sizeof(link)) < 0)
				break;
			if (S_ISLNK(mode)) {
				char *to, *lands;
				char parent[4096];

				snprintf(parent, sizeof(parent), "%s", cur);
				*strrchr(parent, '/') = '\0';
				to = link[0] == '/' ? boot_asprintf("%s%s", link, c)
						    : boot_asprintf("%s/%s%s", parent, link, c);
				lands = to ? boot_path_clean(to) : NULL;
				where_mount(m, where, sizeof(where));
				if (lands && li->tree->lstat(li->tree->ctx, lands, &mode, NULL, 0) < 0)
					/* gVisor's MkdirAllAt lstat()s each ancestor: the symlink
					 * is "not a directory" and the mount point is never made. */
					add(li, BOOT_LINT_ERROR, "symlink-destination", where,
					    "reached through the symlink %s -> %s, to %s, which the "
					    "rootfs does not have: runsc's MkdirAllAt takes %s for a "
					    "non-directory (it does not follow it) and the setup fails "
					    "with ENOTDIR",
					    cur, link, lands, cur);
				else if (lands)
					add(li, BOOT_LINT_WARNING, "symlink-destination", where,
					    "reached through the symlink %s -> %s: it lands at %s "
					    "in "
					    "the container's root%s",
					    cur, link, lands,
					    link[0] == '/' ? " (an absolute target is taken inside "
							     "the root, never on the host)"
							   : "");
				else
					li->err = -ENOMEM;
				vl_free(to);
				vl_free(lands);
				break;
			}
			if (!S_ISDIR(mode) && *c) {
				where_mount(m, where, sizeof(where));
				add(li, BOOT_LINT_ERROR, "destination-not-dir", where,
				    "%s is not a directory in the rootfs: the mount point cannot "
				    "be "
				    "made",
				    cur);
				break;
			}
		}
	}
}

/* ------------------------------------------------------------------ the run */

int boot_lint_run(const struct boot_spec *spec, const struct boot_config *conf,
		  const struct boot_tree *rootfs, struct boot_lint **out, struct boot_err *err)
{
	struct linter li = { 0 };
	struct boot_config c[2];
	int ret = 0, k;

	*out = NULL;
	li.l = vl_zalloc(sizeof(*li.l));
	if (!li.l) {
		boot_err_set(err, "out of memory");
		return -ENOMEM;
	}
	li.spec = spec;
	li.conf = conf;
	li.tree = rootfs;
	for (k = 0; k < 2; k++) {
		c[k] = *conf;
		c[k].order = k ? BOOT_ORDER_SPEC : BOOT_ORDER_GVISOR;
		ret = boot_plan_build(spec, &c[k], &li.plan[k], err);
		if (ret)
			goto out;
	}
	lint_spec(&li);
	lint_steps(&li, li.plan[conf->order == BOOT_ORDER_SPEC]);
	lint_hints(&li, li.plan[0]);
	lint_order(&li);
	if (li.plan[0]->order) {
		lint_tmp(&li);
		lint_symlinks(&li);
	}
	ret = li.err;
	if (ret)
		boot_err_set(err, "out of memory");
out:
	boot_plan_free(li.plan[0]);
	boot_plan_free(li.plan[1]);
	if (ret) {
		boot_lint_free(li.l);
		return ret;
	}
	*out = li.l;
	return 0;
}

void boot_lint_free(struct boot_lint *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		vl_free(l->findings[i].code);
		vl_free(l->findings[i].where);
		vl_free(l->findings[i].msg);
	}
	vl_free(l->findings);
	vl_free(l);
}

const char *boot_lint_level_name(enum boot_lint_level level)
{
	return level == BOOT_LINT_ERROR ? "error" : level == BOOT_LINT_WARNING ? "warning" : "info";
}

char *boot_format_lint(const struct boot_lint *l)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		sb_printf(&sb, "%s %s %s: %s\n", boot_lint_level_name(l->findings[i].level),
			  l->findings[i].code, l->findings[i].where, l->findings[i].msg);
	sb_printf(&sb, "lint: %zu error%s, %zu warning%s, %zu info\n", l->count[BOOT_LINT_ERROR],
		  l->count[BOOT_LINT_ERROR] == 1 ? "" : "s", l->count[BOOT_LINT_WARNING],
		  l->count[BOOT_LINT_WARNING] == 1 ? "" : "s", l->count[BOOT_LINT_INFO]);
	if (sb_error(&sb)) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

char *boot_format_lint_json(const struct boot_lint *l)
{
	json_t *doc = json_object(), *arr = json_array();
	char *s = NULL, *r = NULL;
	size_t i;

	if (!doc || !arr)
		goto out;
	for (i = 0; i < l->n; i++) {
		json_t *f = json_pack("{s:s,s:s,s:s,s:s}", "level",
				      boot_lint_level_name(l->findings[i].level), "code",
				      l->findings[i].code, "where", l->findings[i].where, "message",
				      l->findings[i].msg);

		if (!f || json_array_append_new(arr, f))
			goto out;
	}
	if (json_object_set(doc, "findings", arr) ||
	    json_object_set_new(doc, "errors", json_integer((json_int_t)l->count[2])) ||
	    json_object_set_new(doc, "warnings", json_integer((json_int_t)l->count[1])) ||
	    json_object_set_new(doc, "infos", json_integer((json_int_t)l->count[0])))
		goto out;
	s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		/* Ours to free with free(), like every string this API returns. */
		r = boot_asprintf("%s\n", s);
		free(s);
	}
out:
	json_decref(arr);
	json_decref(doc);
	return r;
}
