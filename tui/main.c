/*
 * main.c - the vfslab binary: subcommand dispatch, --help and --version.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int verity_main(int argc, char **argv); /* verity_main.c */
int gofer_main(int argc, char **argv);  /* gofer_main.c */
int lint_main(int argc, char **argv);   /* lint_main.c */
int replay_main(int argc, char **argv); /* replay_main.c */
int tui_main(int argc, char **argv);    /* tui.c */
int fuse_cmd_main(int argc, char **argv); /* fuse_main.c */

#ifndef VFSLAB_VERSION
#define VFSLAB_VERSION "0.1.0"
#endif

static const char main_usage[] =
	"usage: vfslab [COMMAND [ARGS...]]\n"
	"       vfslab --help | --version\n"
	"\n"
	"vfslab is an in-process virtual filesystem modelled on gVisor's VFS, with a REPL\n"
	"to explore it.\n"
	"\n"
	"Commands:\n"
	"  repl [--spec F] [--rootfs M] [--host] [-f SCRIPT] [-c 'CMD; CMD']\n"
	"                                     the REPL on a spec's mount setup, step by step;\n"
	"                                     batch with -f, -c or standard input\n"
	"  tui [--spec SPEC] [--rootfs M]     the full-screen (ncurses) front end: plan, mount\n"
	"                                     tree, files and messages, stepped with keys\n"
	"  verity digest FILE... [OPTIONS]    fs-verity file digests, as 'fsverity digest' prints\n"
	"  lint SPEC [--order gvisor|spec] [--json]\n"
	"                                     ordering hazards and mistakes in a spec's mounts\n"
	"  replay SPEC [--rootfs M] [--order gvisor|spec] [--host]\n"
	"         [--format mountinfo|tree|json|steps]\n"
	"                                     run a spec's mount setup and print the result\n"
	"  fuse MOUNTPOINT [--spec F] [--uid U --gid G] [--readonly]\n"
	"                                     the sandbox filesystem on the host, through FUSE\n"
	"  gofer --root PATH (--fd N | --listen ADDR) [--ro]\n"
	"                                     a 9P2000.L server confined to a host directory\n"
	"                                     (or serving one file)\n"
	"  help                               this text\n"
	"\n"
	"Without a command, or with only REPL options, vfslab runs 'vfslab repl' on the\n"
	"embedded default spec (runc spec's) and rootfs, in the simulated kernel.\n"
	"'vfslab repl --help' describes the REPL; inside it, "
	"'help' lists the commands.\n";

static const char repl_usage[] =
	"usage: vfslab repl [--spec SPEC] [--rootfs M] [--host] [-f SCRIPT | -c 'CMD; CMD']\n"
	"\n"
	"Runs REPL commands ('help' lists them) on the mount setup of SPEC (a config.json or a\n"
	"folder holding one; default: the embedded runc spec), stopped at its first step: the\n"
	"kernel's root is still an empty tmpfs until 'step', 'next' or 'continue' mount the\n"
	"container's root. Commands run as root (uid 0, gid 0, umask 0022); the simulated\n"
	"clock starts at 2020-01-01T00:00:00Z and every run with the same input prints the\n"
	"same output.\n"
	"\n"
	"  --spec SPEC  the OCI spec to set up\n"
	"  --rootfs M   its rootfs manifest (default: rootfs.manifest beside SPEC, else the\n"
	"               embedded minimal rootfs)\n"
	"  -f SCRIPT   run the commands of SCRIPT; each command line is echoed as\n"
	"              'vfslab> LINE' before its output (as debugfs -f), comments as they are\n"
	"  -c CMDS     run CMDS: commands separated by ';' or newlines (not echoed)\n"
	"  --host      the real host: gofer processes serve root.path and bind sources\n"
	"  -h, --help  this text\n"
	"\n"
	"Without -f or -c, commands come from standard input: a terminal gets an interactive\n"
	"prompt with line editing and history; anything else is read as a script (not echoed).\n"
	"\n"
	"A line holds one or more commands separated by ';'. Words are separated by blanks;\n"
	"'...' quotes literally, \"...\" quotes with C escapes (\\n, \\t, \\\\, \\\", \\ooo, "
	"\\xHH);\n"
	"# starts a comment. A unique prefix of a command name is enough.\n"
	"\n"
	"Errors go to standard error as 'vfslab: CMD: PATH: ENAME (description)'. In a\n"
	"script (-f, -c or standard input) they are prefixed with FILE:LINE: (FILE is the\n"
	"script, -c or <stdin>; for -c, LINE counts commands), and the first failing command\n"
	"ends the run with exit status 1, or 2 for a usage error (unknown command, bad\n"
	"arguments) - unless the command is written with a leading '-', as in '-rm /x': then\n"
	"the error is reported and the run goes on. quit ends a script with status 0.\n";

static int cmd_repl_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "host", no_argument, NULL, 'H' },
		{ "spec", required_argument, NULL, 'S' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct repl_opts ro = { NULL, NULL };
	const char *spec = NULL, *rootfs = NULL;
	bool host = false;
	struct session s;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:c:h", longs, NULL)) != -1) {
		switch (c) {
		case 'f': ro.file = optarg; break;
		case 'c': ro.cmds = optarg; break;
		case 'h': fputs(repl_usage, stdout); return 0;
		case 'H': host = true; break;
		case 'S': spec = optarg; break;
		case 'R': rootfs = optarg; break;
		case ':':
			fprintf(stderr, "vfslab: repl: option '%s' requires an argument\n",
				argv[optind - 1]);
			fputs("Try 'vfslab repl --help'.\n", stderr);
			return 2;
		case '?':
			if (optopt)
				fprintf(stderr, "vfslab: repl: invalid option -- '%c'\n", optopt);
			else
				fprintf(stderr, "vfslab: repl: unrecognized option '%s'\n",
					argv[optind - 1]);
			fputs("Try 'vfslab repl --help'.\n", stderr);
			return 2;
		default: return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfslab: repl: unexpected argument '%s'\n", argv[optind]);
		fputs("Try 'vfslab repl --help'.\n", stderr);
		return 2;
	}
	if (ro.file && ro.cmds) {
		fputs("vfslab: repl: -f and -c cannot be used together\n", stderr);
		return 2;
	}
	status = session_init_spec(&s, "repl", spec, rootfs, host);
	if (status)
		return status;
	status = repl_run(&s, &ro);
	session_fini(&s);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cmd_repl_main(1, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(main_usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("vfslab %s\n", VFSLAB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "gofer"))
		return gofer_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verity"))
		return verity_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fuse"))
		return fuse_cmd_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lint"))
		return lint_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return replay_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tui"))
		return tui_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "repl"))
		return cmd_repl_main(argc - 1, argv + 1);
	/* "vfslab -c 'ls /'" is "vfslab repl -c 'ls /'", as the bare command is the REPL. */
	if (argv[1][0] == '-')
		return cmd_repl_main(argc, argv);
	fprintf(stderr, "vfslab: '%s' is not a vfslab command\nTry 'vfslab --help'.\n", argv[1]);
	return 2;
}
