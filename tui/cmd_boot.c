/*
 * cmd_boot.c - the commands that step through a spec's mount setup, as gdb steps through
 * a program: spec, plan, step, next, finish, continue, break, delete, info, reset, order,
 * compare, lint; and the prompt that shows where the setup stands.
 *
 * Stopping is gdb's: a breakpoint stops *before* the step it names; `continue` from a
 * breakpoint first carries that step out. After each step its mount-table change is
 * printed: "+ LINE" a mount added (its mountinfo line), "~ LINE" a mount's flags changed,
 * "  created: ..." directories made, "  skipped: ..." nothing done and why, "! ENAME:
 * ..." the step failed (the setup stops there, as runsc's would).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/errname.h"
#include "cmd.h"
#include "setup.h"
#include "vfslab/boot_sim.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

static bool need_setup(struct session *s)
{
	if (s->setup)
		return true;
	cmd_errf(s, "no spec loaded (spec load PATH)");
	return false;
}

const char *session_prompt(struct session *s)
{
	struct setup *su = s->setup;
	size_t pos, n;

	if (!su || !su->plan) {
		snprintf(s->prompt, sizeof(s->prompt), "vfslab> ");
		return s->prompt;
	}
	pos = setup_pos(su);
	n = setup_nsteps(su);
	if (setup_failed(su))
		snprintf(s->prompt, sizeof(s->prompt), "vfslab [%zu/%zu failed]> ", pos, n);
	else if (pos >= n)
		snprintf(s->prompt, sizeof(s->prompt), "vfslab [%zu/%zu done]> ", pos, n);
	else
		snprintf(s->prompt, sizeof(s->prompt), "vfslab [%zu/%zu %.100s]> ", pos, n,
			 su->plan->steps[pos].target);
	return s->prompt;
}

/* "[N/M] STEP" then the change. */
static void show_step(struct session *s, size_t i)
{
	struct setup *su = s->setup;
	char *line = boot_format_step(su->plan, i);
	const char *body = line ? line : "?";
	size_t len;

	/* The format's own step number gives way to "[N/M]". */
	while (*body >= '0' && *body <= '9')
		body++;
	if (*body == ' ')
		body++;
	len = strlen(body);
	while (len && body[len - 1] == '\n')
		len--;
	fprintf(s->out, "[%zu/%zu] %.*s\n", i + 1, setup_nsteps(su), (int)len, body);
	free(line);
	setup_print_change(su, i, s->out);
}

/* Carry out one step; CMD_OK, or CMD_FAIL after reporting. */
static int one_step(struct session *s)
{
	struct setup *su = s->setup;
	size_t i = setup_pos(su);
	struct boot_err e;
	int err;

	err = setup_step(su, &e);
	if (err == -ENODATA || err == -ECANCELED)
		return cmd_errf(s, "%s", e.msg);
	show_step(s, i);
	if (err)
		return cmd_errf(s, "step %zu failed: %s", i + 1, e.msg);
	return CMD_OK;
}

static bool at_end(struct session *s)
{
	if (!setup_done(s->setup))
		return false;
	if (setup_failed(s->setup))
		cmd_errf(s, "the setup stopped at step %zu (reset starts again)",
			 setup_pos(s->setup) + 1);
	else
		cmd_errf(s, "the setup is complete (reset starts again)");
	return true;
}

/* Report a breakpoint about to stop the run before step i. */
static bool hit(struct session *s, size_t i)
{
	struct breakpoint *bp = setup_break_at(s->setup, i);

	if (!bp)
		return false;
	bp->hits++;
	fprintf(s->out, "Breakpoint %d, before step %zu: %s %s\n", bp->num, i + 1,
		boot_step_kind_name(s->setup->plan->steps[i].kind), s->setup->plan->steps[i].target);
	return true;
}

static bool parse_count(struct session *s, int argc, char **argv, unsigned *n)
{
	*n = 1;
	if (argc > 2) {
		cmd_usage(s, "too many arguments");
		return false;
	}
	if (argc == 2 && (!cmd_parse_uint(argv[1], n) || *n == 0)) {
		cmd_usage(s, "'%s': want a positive count", argv[1]);
		return false;
	}
	return true;
}

int cmd_step(struct session *s, int argc, char **argv)
{
	unsigned n, i;
	int rc;

	if (!parse_count(s, argc, argv, &n))
		return CMD_USAGE;
	if (!need_setup(s) || at_end(s))
		return CMD_FAIL;
	for (i = 0; i < n && !setup_done(s->setup); i++) {
		if (i && hit(s, setup_pos(s->setup)))
			break;
		rc = one_step(s);
		if (rc)
			return rc;
	}
	return CMD_OK;
}

static bool is_mount_kind(enum boot_step_kind k)
{
	return k == BOOT_STEP_MOUNT || k == BOOT_STEP_MOUNT_ROOT || k == BOOT_STEP_SHARED_MOUNT ||
	       k == BOOT_STEP_MOUNT_TMP || k == BOOT_STEP_MOUNT_MASTER;
}

int cmd_next(struct session *s, int argc, char **argv)
{
	unsigned n, i;
	bool first = true;
	int rc;

	if (!parse_count(s, argc, argv, &n))
		return CMD_USAGE;
	if (!need_setup(s) || at_end(s))
		return CMD_FAIL;
	/* Up to and including the next step that mounts something (its mkdir and overlay
	 * layers come before it). */
	for (i = 0; i < n && !setup_done(s->setup); i++) {
		for (;;) {
			size_t pos = setup_pos(s->setup);
			enum boot_step_kind k;

			if (setup_done(s->setup))
				break;
			if (!first && hit(s, pos))
				return CMD_OK;
			first = false;
			k = s->setup->plan->steps[pos].kind;
			rc = one_step(s);
			if (rc)
				return rc;
			if (is_mount_kind(k))
				break;
		}
	}
	return CMD_OK;
}

/* Carry out steps while the setup is not done and (phase < 0 or) the next step is of
 * phase; a breakpoint stops it before any step but the first. CMD_OK with *stopped when a
 * breakpoint stopped it, else the status of the last step. */
static int run_while(struct session *s, int phase, bool *stopped)
{
	bool first = true;
	int rc;

	*stopped = false;
	while (!setup_done(s->setup) &&
	       (phase < 0 || setup_phase(s->setup, setup_pos(s->setup)) == phase)) {
		if (!first && hit(s, setup_pos(s->setup))) {
			*stopped = true;
			return CMD_OK;
		}
		first = false;
		rc = one_step(s);
		if (rc)
			return rc;
	}
	return CMD_OK;
}

int cmd_finish(struct session *s, int argc, char **argv)
{
	bool stopped;
	int phase, rc;

	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	if (!need_setup(s) || at_end(s))
		return CMD_FAIL;
	phase = setup_phase(s->setup, setup_pos(s->setup));
	rc = run_while(s, phase, &stopped);
	if (rc || stopped)
		return rc;
	fprintf(s->out, "Phase '%s' done%s\n", setup_phase_name(phase),
		setup_done(s->setup) ? "; the setup is complete" : "");
	return CMD_OK;
}

int cmd_continue(struct session *s, int argc, char **argv)
{
	bool stopped;
	int rc;

	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	if (!need_setup(s) || at_end(s))
		return CMD_FAIL;
	rc = run_while(s, -1, &stopped);
	if (rc || stopped)
		return rc;
	fprintf(s->out, "The setup is complete: %zu steps\n", setup_nsteps(s->setup));
	return CMD_OK;
}

int cmd_plan(struct session *s, int argc, char **argv)
{
	struct setup *su = s->setup;
	size_t i, pos;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return cmd_usage(s, argc > 2 ? "too many arguments" : "'%s': unknown option",
				 argv[1]);
	if (!need_setup(s))
		return CMD_FAIL;
	if (argc == 2)
		return setup_print_json(su, s->task, s->out) ? cmd_errf(s, "out of memory") : CMD_OK;
	pos = setup_pos(su);
	fprintf(s->out, "# %s, order %s: %zu steps, %zu done\n", su->spec_path,
		boot_order_name(su->ls.conf.order), setup_nsteps(su), pos);
	for (i = 0; i < setup_nsteps(su); i++) {
		const struct boot_change *c = &su->plan->steps[i].change;
		char *line = boot_format_step(su->plan, i);
		const char *mark = c->done && c->err	     ? "!  "
				   : c->done		     ? "+  "
				   : i == pos		     ? "=> "
							     : "   ";

		size_t len = line ? strlen(line) : 0;

		while (len && line[len - 1] == '\n')
			len--;
		fprintf(s->out, "%s%.*s%s\n", mark, (int)len, line ? line : "?",
			setup_break_at(su, i) ? "  [break]" : "");
		free(line);
	}
	return CMD_OK;
}

static int restart(struct session *s)
{
	struct boot_err e;

	if (setup_start(s->setup, &e))
		return cmd_errf(s, "%s", e.msg);
	session_attach(s);
	return CMD_OK;
}

int cmd_reset(struct session *s, int argc, char **argv)
{
	int rc;

	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	if (!need_setup(s))
		return CMD_FAIL;
	rc = restart(s);
	if (!rc)
		fprintf(s->out, "Reset: a fresh kernel at step 0 of %zu\n", setup_nsteps(s->setup));
	return rc;
}

int cmd_order(struct session *s, int argc, char **argv)
{
	enum boot_order o;
	int rc;

	if (argc > 2)
		return cmd_usage(s, "too many arguments");
	if (!need_setup(s))
		return CMD_FAIL;
	if (argc == 1) {
		fprintf(s->out, "%s\n", boot_order_name(s->setup->ls.conf.order));
		return CMD_OK;
	}
	if (boot_order_parse(argv[1], &o))
		return cmd_usage(s, "'%s': want gvisor or spec", argv[1]);
	s->setup->ls.conf.order = o;
	rc = restart(s);
	if (!rc)
		fprintf(s->out, "Order %s: a fresh kernel at step 0 of %zu\n", boot_order_name(o),
			setup_nsteps(s->setup));
	return rc;
}

int cmd_spec(struct session *s, int argc, char **argv)
{
	struct setup *nsu, *old;
	const char *rootfs = NULL, *path = NULL;
	struct cmd_opts o;
	int c;
	static const struct cmd_longopt longs[] = {
		{ "rootfs", true, 'R' },
		{ NULL, false, 0 },
	};

	if (argc < 2 || (strcmp(argv[1], "load") && strcmp(argv[1], "show") &&
			 strcmp(argv[1], "set")))
		return cmd_usage(s, "want 'spec load PATH', 'spec set KEY=VALUE...' or 'spec show'");
	if (!strcmp(argv[1], "set")) {
		struct boot_config conf;
		struct boot_err e;
		int i;

		if (argc < 3)
			return cmd_usage(s, "KEY=VALUE missing");
		if (!need_setup(s))
			return CMD_FAIL;
		conf = s->setup->ls.conf;
		for (i = 2; i < argc; i++) {
			char key[64], *eq = strchr(argv[i], '=');

			if (!eq || (size_t)(eq - argv[i]) >= sizeof(key))
				return cmd_usage(s, "'%s': want KEY=VALUE", argv[i]);
			memcpy(key, argv[i], (size_t)(eq - argv[i]));
			key[eq - argv[i]] = '\0';
			if (boot_config_set(&conf, key, eq + 1, &e))
				return cmd_usage(s, "%s", e.msg);
		}
		s->setup->ls.conf = conf;
		if (restart(s))
			return CMD_FAIL;
		fprintf(s->out, "Restarted with %d setting%s: a fresh kernel at step 0 of %zu\n",
			argc - 2, argc == 3 ? "" : "s", setup_nsteps(s->setup));
		return CMD_OK;
	}
	if (!strcmp(argv[1], "show")) {
		char *conf;

		if (argc > 2)
			return cmd_usage(s, "too many arguments");
		if (!need_setup(s))
			return CMD_FAIL;
		conf = boot_config_describe(&s->setup->ls.conf);
		fprintf(s->out, "spec: %s\nrootfs: %s\nconfig: %s\nsteps: %zu, %zu done\n",
			s->setup->spec_path, s->setup->ls.rootfs_name, conf ? conf : "?",
			setup_nsteps(s->setup), setup_pos(s->setup));
		free(conf);
		return CMD_OK;
	}
	cmd_opts_init(&o, argc - 1, argv + 1, "", longs);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c == '?')
			return CMD_USAGE;
		if (c == 'R')
			rootfs = o.arg;
	}
	if (o.ind != o.argc - 1)
		return cmd_usage(s, o.ind >= o.argc ? "PATH missing" : "one PATH only");
	path = o.argv[o.ind];
	nsu = calloc(1, sizeof(*nsu));
	if (!nsu)
		return cmd_errf(s, "out of memory");
	{
		char *msg = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&msg, &len);
		int st;

		if (!m) {
			free(nsu);
			return cmd_errf(s, "out of memory");
		}
		st = setup_load(nsu, "spec", strcmp(path, "default") ? path : NULL, rootfs,
				s->setup && s->setup->host, m);
		fclose(m);
		if (st) {
			/* "vfslab: spec: WHAT\n" from the loader, reported the REPL's way. */
			const char *what = msg && !strncmp(msg, "vfslab: spec: ", 14) ? msg + 14 : msg;

			if (len && msg[len - 1] == '\n')
				msg[len - 1] = '\0';
			cmd_errf(s, "%s", what ? what : "cannot load the spec");
			free(msg);
			free(nsu);
			return CMD_FAIL;
		}
		free(msg);
	}
	old = s->setup;
	s->setup = nsu;
	if (restart(s)) {
		setup_free(nsu);
		free(nsu);
		s->setup = old;
		return CMD_FAIL;
	}
	if (old) {
		setup_free(old); /* the old kernel, after the session moved off it */
		free(old);
	} else {
		/* The session's bare kernel was its own. */
	}
	fprintf(s->out, "Loaded %s: %zu steps (order %s)\n", nsu->spec_path, setup_nsteps(nsu),
		boot_order_name(nsu->ls.conf.order));
	return CMD_OK;
}

/* ------------------------------------------------------------------ breakpoints */

int cmd_break(struct session *s, int argc, char **argv)
{
	struct setup *su = s->setup;
	struct breakpoint bp = { 0 }, *nb;
	enum boot_step_kind k;
	size_t i;

	if (argc != 2)
		return cmd_usage(s, argc < 2 ? "DEST or KIND missing" : "too many arguments");
	if (!need_setup(s))
		return CMD_FAIL;
	if (argv[1][0] == '/') {
		char *clean = strdup(argv[1]);
		size_t len = clean ? strlen(clean) : 0;

		if (!clean)
			return cmd_errf(s, "out of memory");
		while (len > 1 && clean[len - 1] == '/')
			clean[--len] = '\0';
		bp.type = BP_DEST;
		bp.dest = clean;
	} else {
		for (k = 0; k < BOOT_STEP_KIND_COUNT; k++)
			if (!strcmp(boot_step_kind_name(k), argv[1]))
				break;
		if (k == BOOT_STEP_KIND_COUNT)
			return cmd_usage(s, "'%s': not a destination (/...) nor a step kind",
					 argv[1]);
		bp.type = BP_KIND;
		bp.kind = k;
	}
	nb = realloc(su->bps, (su->nbps + 1) * sizeof(*nb));
	if (!nb) {
		free(bp.dest);
		return cmd_errf(s, "out of memory");
	}
	su->bps = nb;
	bp.num = su->next_bp++;
	su->bps[su->nbps++] = bp;
	for (i = 0; i < setup_nsteps(su); i++)
		if (setup_break_at(su, i) == &su->bps[su->nbps - 1])
			break;
	if (i < setup_nsteps(su))
		fprintf(s->out, "Breakpoint %d: %s (first at step %zu)\n", bp.num, argv[1], i + 1);
	else
		fprintf(s->out, "Breakpoint %d: %s (no step of this plan matches)\n", bp.num,
			argv[1]);
	return CMD_OK;
}

int cmd_delete(struct session *s, int argc, char **argv)
{
	struct setup *su = s->setup;
	int i;

	if (!need_setup(s))
		return CMD_FAIL;
	if (argc == 1) {
		size_t b;

		for (b = 0; b < su->nbps; b++)
			free(su->bps[b].dest);
		su->nbps = 0;
		return CMD_OK;
	}
	for (i = 1; i < argc; i++) {
		unsigned num;
		size_t b;

		if (!cmd_parse_uint(argv[i], &num))
			return cmd_usage(s, "'%s': not a breakpoint number", argv[i]);
		for (b = 0; b < su->nbps && su->bps[b].num != (int)num; b++)
			;
		if (b == su->nbps)
			return cmd_errf(s, "no breakpoint number %u", num);
		free(su->bps[b].dest);
		memmove(&su->bps[b], &su->bps[b + 1], (su->nbps - b - 1) * sizeof(*su->bps));
		su->nbps--;
	}
	return CMD_OK;
}

int cmd_info(struct session *s, int argc, char **argv)
{
	struct setup *su = s->setup;
	size_t b;

	if (argc != 2 || strncmp(argv[1], "breakpoints", strlen(argv[1])) || !argv[1][0])
		return cmd_usage(s, "want 'info breakpoints'");
	if (!need_setup(s))
		return CMD_FAIL;
	if (!su->nbps) {
		fprintf(s->out, "No breakpoints.\n");
		return CMD_OK;
	}
	fprintf(s->out, "Num  Type         What                 Hits\n");
	for (b = 0; b < su->nbps; b++) {
		const struct breakpoint *bp = &su->bps[b];

		fprintf(s->out, "%-4d %-12s %-20s %u\n", bp->num,
			bp->type == BP_DEST ? "destination" : "kind",
			bp->type == BP_DEST ? bp->dest : boot_step_kind_name(bp->kind), bp->hits);
	}
	return CMD_OK;
}

/* ------------------------------------------------------------------ lint and compare */

int cmd_lint(struct session *s, int argc, char **argv)
{
	struct boot_tree tree;
	struct boot_lint *lint;
	struct boot_err e;
	bool json = false;
	char *text;
	int rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return cmd_usage(s, "want 'lint [--json]'");
	json = argc == 2;
	if (!need_setup(s))
		return CMD_FAIL;
	replay_lint_tree(&tree, s->setup->ls.rootfs);
	if (boot_lint_run(s->setup->ls.spec, &s->setup->ls.conf, &tree, &lint, &e))
		return cmd_errf(s, "%s", e.msg);
	text = json ? boot_format_lint_json(lint) : boot_format_lint(lint);
	rc = text ? CMD_OK : cmd_errf(s, "out of memory");
	if (text)
		fputs(text, s->out);
	free(text);
	boot_lint_free(lint);
	return rc;
}

/* One side of a comparison: the spec run to the end under one order. */
struct side {
	struct setup su;
	struct vfs_mount_info *list;
	size_t n;
	bool *shadowed;
	int status;
};

static int run_side(struct session *s, enum boot_order order, struct side *sd)
{
	struct task *t;
	struct boot_err e;
	size_t i;

	memset(sd, 0, sizeof(*sd));
	fflush(s->out);
	if (setup_load(&sd->su, "compare", s->setup->path_arg, s->setup->rootfs_arg, s->setup->host,
		       s->err))
		return -EINVAL;
	sd->su.ls.conf = s->setup->ls.conf;
	sd->su.ls.conf.order = order;
	if (setup_start(&sd->su, &e)) {
		cmd_errf(s, "%s", e.msg);
		return -EINVAL;
	}
	sd->status = setup_run_all(&sd->su, s->err, "compare");
	t = kernel_init_task(sd->su.k);
	if (vfs_mount_list(t, &sd->list, &sd->n))
		return -ENOMEM;
	sd->shadowed = calloc(sd->n ? sd->n : 1, sizeof(bool));
	if (!sd->shadowed)
		return -ENOMEM;
	for (i = 0; i < sd->n; i++) {
		struct vfs_stat st;

		sd->shadowed[i] = vfs_fstatat(t, AT_FDCWD, sd->list[i].mount_point, &st, 0) ||
				  st.mnt_id != sd->list[i].mnt_id;
	}
	return 0;
}

static void free_side(struct side *sd)
{
	vfs_mount_list_free(sd->list, sd->n);
	free(sd->shadowed);
	setup_free(&sd->su);
}

/* The mounts at target on one side, in mount order: "tmpfs shm rw [shadowed]" joined. */
static char *cell(const struct side *sd, const char *target)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (i = 0; i < sd->n; i++) {
		const struct vfs_mount_info *m = &sd->list[i];

		if (strcmp(m->mount_point, target))
			continue;
		fprintf(f, "%s%s %s %.2s%s", ftell(f) ? " + " : "", m->fstype, m->source,
			m->mount_opts, sd->shadowed[i] ? " (shadowed)" : "");
	}
	if (ftell(f) == 0)
		fputs("-", f);
	fclose(f);
	return buf;
}

int cmd_compare(struct session *s, int argc, char **argv)
{
	struct side g, sp;
	size_t i, j, ndiff = 0;
	int rc = CMD_OK;

	(void)argv;
	memset(&g, 0, sizeof(g));
	memset(&sp, 0, sizeof(sp));
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	if (!need_setup(s))
		return CMD_FAIL;
	if (run_side(s, BOOT_ORDER_GVISOR, &g) || run_side(s, BOOT_ORDER_SPEC, &sp)) {
		rc = cmd_errf(s, "cannot run both orders");
		goto out;
	}
	fprintf(s->out, "  %-24s %-36s %s\n", "TARGET", "ORDER gvisor", "ORDER spec");
	/* Rows: every mount point of either side, in the gvisor side's order first. */
	for (j = 0; j < 2; j++) {
		const struct side *a = j ? &sp : &g, *b = j ? &g : &sp;

		for (i = 0; i < a->n; i++) {
			const char *target = a->list[i].mount_point;
			size_t k;
			bool seen = false;
			char *cg, *cs;

			for (k = 0; k < i && !seen; k++)
				seen = !strcmp(a->list[k].mount_point, target);
			for (k = 0; j && k < b->n && !seen; k++)
				seen = !strcmp(b->list[k].mount_point, target);
			if (seen)
				continue;
			cg = cell(&g, target);
			cs = cell(&sp, target);
			if (cg && cs) {
				bool diff = strcmp(cg, cs) != 0;

				ndiff += diff;
				fprintf(s->out, "%c %-24s %-36s %s\n", diff ? '*' : ' ', target, cg,
					cs);
			}
			free(cg);
			free(cs);
		}
	}
	fprintf(s->out, "%zu mount point%s differ%s%s%s\n", ndiff, ndiff == 1 ? "" : "s",
		ndiff == 1 ? "s" : "", g.status ? "; the gvisor order fails" : "",
		sp.status ? "; the spec order fails" : "");
out:
	free_side(&g);
	free_side(&sp);
	return rc;
}
