/*
 * lint_main.c - `vfslab lint SPEC [--rootfs M] [--order gvisor|spec] [--json]`.
 *
 * Reports ordering hazards and mistakes in SPEC's mounts (src/boot/lint.c), one per line
 * ("LEVEL CODE WHERE: message") then a count line, or as a JSON document. The rootfs
 * (--rootfs, else rootfs.manifest beside the spec, else the embedded one) answers the
 * questions about the container's tree: symlinks on the way to a destination, /tmp.
 *
 * Exit status: 0 clean (nothing above info), 1 a warning or an error, 2 usage error or
 * invalid spec.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay.h"

int lint_main(int argc, char **argv);


static int tree_lstat(void *ctx, const char *path, mode_t *mode, char *buf, size_t size)
{
	const struct rootfs_entry *e = rootfs_find(ctx, path);
	static const struct {
		char type;
		mode_t fmt;
	} fmts[] = {
		{ 'd', S_IFDIR }, { 'f', S_IFREG }, { 'l', S_IFLNK }, { 'h', S_IFREG },
		{ 'c', S_IFCHR }, { 'b', S_IFBLK }, { 'p', S_IFIFO }, { 's', S_IFSOCK },
	};
	size_t i;

	if (!e)
		return strcmp(path, "/") ? -ENOENT : (*mode = S_IFDIR | 0755, 0);
	*mode = e->mode;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (fmts[i].type == e->type)
			*mode |= fmts[i].fmt;
	if (e->type == 'l' && size)
		snprintf(buf, size, "%s", e->arg);
	return 0;
}

static bool tree_has_children(void *ctx, const char *path)
{
	return rootfs_has_children(ctx, path);
}

void replay_lint_tree(struct boot_tree *tree, struct rootfs_manifest *m)
{
	tree->ctx = m;
	tree->lstat = tree_lstat;
	tree->has_children = tree_has_children;
}

static const char lint_usage[] =
	"usage: vfslab lint SPEC [--rootfs M] [--order gvisor|spec] [--json]\n"
	"\n"
	"Reports ordering hazards and mistakes in the mounts of the OCI spec SPEC (a\n"
	"config.json or a folder holding one): mounts hidden by later ones, children\n"
	"before parents under one ordering policy, orders gVisor leaves undefined,\n"
	"duplicate or relative destinations, what runsc refuses, skips or ignores, verity\n"
	"without a root hash, hint problems, the /tmp rule, symlinks on the way to a\n"
	"destination.\n"
	"\n"
	"  --order gvisor|spec  the policy whose plan is examined for the per-mount checks\n"
	"                       (the ordering checks always compare both)\n"
	"  --rootfs M           the rootfs manifest (default: rootfs.manifest beside the\n"
	"                       spec, else the embedded minimal rootfs)\n"
	"  --set KEY=VALUE      a runsc option (see 'vfslab replay --help')\n"
	"  --json               a JSON document instead of lines\n"
	"  -h, --help           this text\n"
	"\n"
	"Exit status: 0 clean (info notes only), 1 findings (a warning or an error), 2 usage\n"
	"error or invalid spec.\n";

int lint_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "order", required_argument, NULL, 'O' },
		{ "set", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rootfs = NULL, *order = NULL, *spec_arg = NULL;
	char *setv[64], *text;
	size_t nsets = 0;
	bool json = false;
	struct loaded_spec ls;
	struct boot_lint *lint;
	struct boot_tree tree;
	struct boot_err e;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(lint_usage, stdout); return 0;
		case 'R': rootfs = optarg; break;
		case 'O': order = optarg; break;
		case 'J': json = true; break;
		case 'S':
			if (nsets == sizeof(setv) / sizeof(setv[0])) {
				fputs("vfslab: lint: too many --set options\n", stderr);
				return 2;
			}
			setv[nsets++] = optarg;
			break;
		case ':':
			fprintf(stderr, "vfslab: lint: option '%s' requires an argument\n",
				argv[optind - 1]);
			fputs("Try 'vfslab lint --help'.\n", stderr);
			return 2;
		default:
			fprintf(stderr, "vfslab: lint: unrecognized option '%s'\n",
				argv[optind - 1]);
			fputs("Try 'vfslab lint --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		spec_arg = argv[optind++];
	if (!spec_arg || optind < argc) {
		fputs(spec_arg ? "vfslab: lint: one SPEC only\n" : "vfslab: lint: SPEC missing\n",
		      stderr);
		fputs("Try 'vfslab lint --help'.\n", stderr);
		return 2;
	}
	status = replay_load_spec("lint", spec_arg, rootfs, &ls);
	if (status)
		return status;
	status = replay_apply_config("lint", &ls, order, setv, nsets);
	if (status)
		goto out;
	status = 2;
	replay_lint_tree(&tree, ls.rootfs);
	if (boot_lint_run(ls.spec, &ls.conf, &tree, &lint, &e)) {
		fprintf(stderr, "vfslab: lint: %s\n", e.msg);
		goto out;
	}
	text = json ? boot_format_lint_json(lint) : boot_format_lint(lint);
	if (!text) {
		fputs("vfslab: lint: out of memory\n", stderr);
		boot_lint_free(lint);
		goto out;
	}
	fputs(text, stdout);
	free(text);
	status = lint->count[BOOT_LINT_ERROR] || lint->count[BOOT_LINT_WARNING] ? 1 : 0;
	boot_lint_free(lint);
out:
	replay_unload_spec(&ls);
	return status;
}
