/*
 * replay_main.c - `vfslab replay SPEC [--rootfs M] [--order gvisor|spec] --format FORMAT`.
 *
 * SPEC is a config.json or a folder holding one; its rootfs manifest is --rootfs, else
 * rootfs.manifest beside the spec, else the embedded minimal rootfs. --format steps prints
 * the plan (no execution needed). The formats that show the result of carrying the plan
 * out (mountinfo, tree, json) need the mount stepper, which is not in this build: they say
 * so and exit 2 rather than print something made up.
 *
 * Exit status: 0 done; 1 the setup fails part way (the plan ends with a fail step, as
 * runsc would stop there); 2 usage error, unreadable or invalid spec or manifest.
 *
 * Also here, for lint_main.c: replay_load_spec(), the one way the CLI finds and reads a
 * spec and its manifest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "replay.h"
#include "setup.h"
#include "vfslab/boot_sim.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

int replay_main(int argc, char **argv);


static char *read_file(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	*err = 0;
	if (!f) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				*err = ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		*err = EIO;
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* Read and parse the manifest at path; 0, or -1 after saying why on errf. */
static int load_manifest(const char *cmd, const char *path, struct rootfs_manifest **m,
			 FILE *errf)
{
	char msg[512], *text;
	size_t len;
	int err;

	text = read_file(path, &len, &err);
	if (!text) {
		fprintf(errf, "vfslab: %s: %s: %s\n", cmd, path, strerror(err));
		return -1;
	}
	err = rootfs_parse(text, len, path, m, msg, sizeof(msg));
	free(text);
	if (err) {
		fprintf(errf, "vfslab: %s: %s\n", cmd, msg);
		return -1;
	}
	return 0;
}

static int load_embedded_rootfs(const char *cmd, struct loaded_spec *ls, FILE *errf)
{
	char msg[512];

	snprintf(ls->rootfs_name, sizeof(ls->rootfs_name), "(embedded rootfs)");
	if (rootfs_parse(rootfs_embedded_manifest, strlen(rootfs_embedded_manifest),
			 ls->rootfs_name, &ls->rootfs, msg, sizeof(msg))) {
		fprintf(errf, "vfslab: %s: %s\n", cmd, msg);
		return -1;
	}
	return 0;
}

int replay_load_spec(const char *cmd, const char *arg, const char *rootfs_arg,
		     struct loaded_spec *ls)
{
	return replay_load_spec_to(cmd, arg, rootfs_arg, ls, stderr);
}

int replay_load_spec_to(const char *cmd, const char *arg, const char *rootfs_arg,
			struct loaded_spec *ls, FILE *errf)
{
	char path[4200], dir[2048], *text, *slash;
	struct boot_err e;
	struct stat st;
	size_t len;
	int err;

	memset(ls, 0, sizeof(*ls));
	boot_config_default(&ls->conf);
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof(dir), "%s", arg);
		snprintf(path, sizeof(path), "%s/config.json", arg);
	} else {
		snprintf(path, sizeof(path), "%s", arg);
		snprintf(dir, sizeof(dir), "%s", arg);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
	}
	text = read_file(path, &len, &err);
	if (!text) {
		fprintf(errf, "vfslab: %s: %s: %s\n", cmd, path, strerror(err));
		return 2;
	}
	err = boot_spec_parse(text, len, path, &ls->spec, &e);
	free(text);
	if (err) {
		fprintf(errf, "vfslab: %s: %s\n", cmd, e.msg);
		return 2;
	}
	if (boot_config_apply_annotations(&ls->conf, ls->spec, &e)) {
		fprintf(errf, "vfslab: %s: %s: %s\n", cmd, path, e.msg);
		goto fail;
	}
	/* The simulated host's own files (bind sources), if the spec comes with some. */
	snprintf(ls->host_name, sizeof(ls->host_name), "%s/host.manifest", dir);
	if (stat(ls->host_name, &st) != 0)
		ls->host_name[0] = '\0';
	else if (load_manifest(cmd, ls->host_name, &ls->host, errf))
		goto fail;
	if (rootfs_arg) {
		snprintf(ls->rootfs_name, sizeof(ls->rootfs_name), "%s", rootfs_arg);
	} else {
		snprintf(ls->rootfs_name, sizeof(ls->rootfs_name), "%s/rootfs.manifest", dir);
		if (stat(ls->rootfs_name, &st) != 0)
			ls->rootfs_name[0] = '\0';
	}
	if (ls->rootfs_name[0] ? load_manifest(cmd, ls->rootfs_name, &ls->rootfs, errf)
			       : load_embedded_rootfs(cmd, ls, errf))
		goto fail;
	return 0;
fail:
	replay_unload_spec(ls);
	return 2;
}

int replay_load_default(const char *cmd, const char *rootfs_arg, struct loaded_spec *ls,
			FILE *errf)
{
	struct boot_err e;
	int err;

	memset(ls, 0, sizeof(*ls));
	boot_config_default(&ls->conf);
	if (boot_spec_parse(rootfs_default_spec, strlen(rootfs_default_spec),
			    "(embedded default spec)", &ls->spec, &e)) {
		fprintf(errf, "vfslab: %s: %s\n", cmd, e.msg);
		return 2;
	}
	if (rootfs_arg) {
		snprintf(ls->rootfs_name, sizeof(ls->rootfs_name), "%s", rootfs_arg);
		err = load_manifest(cmd, ls->rootfs_name, &ls->rootfs, errf);
	} else {
		err = load_embedded_rootfs(cmd, ls, errf);
	}
	if (err) {
		replay_unload_spec(ls);
		return 2;
	}
	return 0;
}

char *replay_bundle_dir(const char *arg)
{
	struct stat st;
	char *dir, *slash;

	if (!arg)
		return strdup(".");
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return strdup(arg);
	dir = strdup(arg);
	if (!dir)
		return NULL;
	slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		return strdup(".");
	}
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

void replay_unload_spec(struct loaded_spec *ls)
{
	boot_spec_free(ls->spec);
	rootfs_free(ls->rootfs);
	rootfs_free(ls->host);
	ls->spec = NULL;
	ls->rootfs = NULL;
	ls->host = NULL;
}

static const char replay_usage[] =
	"usage: vfslab replay SPEC [--rootfs M] [--order gvisor|spec] [--format FORMAT]\n"
	"\n"
	"Runs gVisor's container mount setup (runsc/boot/vfs.go) for the OCI spec SPEC (a\n"
	"config.json or a folder holding one) and prints the result.\n"
	"\n"
	"  --format steps       the plan: every step the setup takes, one per line, with why\n"
	"  --format mountinfo|tree|json\n"
	"                       the mount table after the setup: /proc/self/mountinfo (the\n"
	"                       default), findmnt's tree, or JSON with the steps' changes\n"
	"  --host               the real host: gofer processes serve root.path and the bind\n"
	"                       sources (relative paths from the spec's directory)\n"
	"  --container SPEC2    a later container of the pod whose sandbox SPEC sets up\n"
	"                       (repeatable): no registration, the sandbox's pod-shared\n"
	"                       masters bound; the last container's mount table is shown\n"
	"  --order gvisor|spec  gvisor (default): mounts sorted by destination length, as\n"
	"                       runsc does; spec: in the spec's order, as runc and crun\n"
	"  --rootfs M           the rootfs manifest (default: rootfs.manifest beside the\n"
	"                       spec, else the embedded minimal rootfs)\n"
	"  --set KEY=VALUE      a runsc option: overlay, file-access, file-access-mounts,\n"
	"                       overlayfs-stale-read, network, fuse, cgroupfs\n"
	"  -h, --help           this text\n"
	"\n"
	"Exit status: 0 done, 1 the setup fails part way (as runsc would), 2 usage error or\n"
	"invalid spec.\n";

/* Carry the setup out to the end and print the mount table. */
static int replay_run(const char *spec_arg, const char *rootfs, const char *order, char **setv,
		      size_t nsets, const char *format, bool host, char **ctrv, size_t nctrs)
{
	struct setup su;
	struct boot_err e;
	char *text;
	size_t len, i;
	int status, err;

	status = setup_load(&su, "replay", spec_arg, rootfs, host, stderr);
	if (status)
		return status;
	status = replay_apply_config("replay", &su.ls, order, setv, nsets);
	for (i = 0; !status && i < nctrs; i++)
		status = setup_add_container(&su, "replay", ctrv[i], stderr);
	if (status)
		goto out;
	err = setup_start(&su, &e);
	if (err) {
		fprintf(stderr, "vfslab: replay: %s\n", e.msg);
		status = 2;
		goto out;
	}
	status = setup_run_all(&su, stderr, "replay");
	for (i = 0; su.sim && i < boot_sim_nwarnings(su.sim); i++)
		fprintf(stderr, "vfslab: replay: warning: %s\n", boot_sim_warning(su.sim, i));
	if (!strcmp(format, "mountinfo")) {
		err = vfs_mountinfo(setup_last_task(&su), &text, &len);
		if (!err) {
			fwrite(text, 1, len, stdout);
			free(text);
		}
	} else if (!strcmp(format, "tree")) {
		err = findmnt_print(setup_last_task(&su), stdout);
	} else {
		err = setup_print_json(&su, setup_last_task(&su), stdout);
	}
	if (err) {
		fprintf(stderr, "vfslab: replay: printing the mount table: %s\n", strerror(-err));
		status = 1;
	}
out:
	setup_free(&su);
	return status;
}

int replay_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "order", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'F' },
		{ "set", required_argument, NULL, 'S' },
		{ "host", no_argument, NULL, 'H' },
		{ "container", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rootfs = NULL, *order = NULL, *format = NULL, *spec_arg = NULL;
	bool host = false;
	char *setv[64], *ctrv[16];
	size_t nsets = 0, nctrs = 0;
	struct loaded_spec ls;
	struct boot_plan *plan;
	struct boot_err e;
	char *text;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(replay_usage, stdout); return 0;
		case 'R': rootfs = optarg; break;
		case 'O': order = optarg; break;
		case 'F': format = optarg; break;
		case 'S':
			if (nsets == sizeof(setv) / sizeof(setv[0])) {
				fputs("vfslab: replay: too many --set options\n", stderr);
				return 2;
			}
			setv[nsets++] = optarg;
			break;
		case 'H': host = true; break;
		case 'C':
			if (nctrs == sizeof(ctrv) / sizeof(ctrv[0])) {
				fputs("vfslab: replay: too many --container options\n", stderr);
				return 2;
			}
			ctrv[nctrs++] = optarg;
			break;
		case ':':
			fprintf(stderr, "vfslab: replay: option '%s' requires an argument\n",
				argv[optind - 1]);
			fputs("Try 'vfslab replay --help'.\n", stderr);
			return 2;
		default:
			fprintf(stderr, "vfslab: replay: unrecognized option '%s'\n",
				argv[optind - 1]);
			fputs("Try 'vfslab replay --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		spec_arg = argv[optind++];
	if (!spec_arg || optind < argc) {
		fputs(spec_arg ? "vfslab: replay: one SPEC only\n"
			       : "vfslab: replay: SPEC missing\n",
		      stderr);
		fputs("Try 'vfslab replay --help'.\n", stderr);
		return 2;
	}
	if (!format)
		format = "mountinfo"; /* DESIGN §1: the mount table is what replay shows */
	if (!strcmp(format, "mountinfo") || !strcmp(format, "tree") || !strcmp(format, "json"))
		return replay_run(spec_arg, rootfs, order, setv, nsets, format, host, ctrv, nctrs);
	if (strcmp(format, "steps")) {
		fprintf(stderr,
			"vfslab: replay: --format %s: unknown (steps|mountinfo|tree|json)\n",
			format);
		return 2;
	}
	status = replay_load_spec("replay", spec_arg, rootfs, &ls);
	if (status)
		return status;
	status = replay_apply_config("replay", &ls, order, setv, nsets);
	if (status)
		goto out;
	status = 2;
	if (boot_plan_build(ls.spec, &ls.conf, &plan, &e)) {
		fprintf(stderr, "vfslab: replay: %s\n", e.msg);
		goto out;
	}
	text = boot_format_steps(plan);
	if (!text) {
		fputs("vfslab: replay: out of memory\n", stderr);
		boot_plan_free(plan);
		goto out;
	}
	fputs(text, stdout);
	free(text);
	status = plan->failed ? 1 : 0;
	if (plan->failed)
		fprintf(stderr, "vfslab: replay: %s: the setup fails at step %zu: %s\n",
			ls.spec->name, plan->nsteps, plan->steps[plan->nsteps - 1].reason);
	boot_plan_free(plan);
out:
	replay_unload_spec(&ls);
	return status;
}

int replay_apply_config(const char *cmd, struct loaded_spec *ls, const char *order,
			char **setv, size_t nsets)
{
	struct boot_err e;
	size_t i;

	if (order && boot_config_set(&ls->conf, "order", order, &e)) {
		fprintf(stderr, "vfslab: %s: --order %s\n", cmd, e.msg);
		return 2;
	}
	for (i = 0; i < nsets; i++) {
		char *eq = strchr(setv[i], '=');

		if (!eq) {
			fprintf(stderr, "vfslab: %s: --set %s: want KEY=VALUE\n", cmd, setv[i]);
			return 2;
		}
		*eq = '\0';
		if (boot_config_set(&ls->conf, setv[i], eq + 1, &e)) {
			fprintf(stderr, "vfslab: %s: --set: %s\n", cmd, e.msg);
			return 2;
		}
	}
	return 0;
}
