/*
 * cmd_verity.c - the REPL's `verity enable|measure PATH` (issue 5): enabling verity on a
 * tree, children before parents, on a verity mount without a root hash, and printing a
 * digest (the mount root's is the value for -o roothash=).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "vfslab/verity.h"

int cmd_verity(struct session *s, int argc, char **argv)
{
	char hex[2 * 64 + 1];
	int err;

	if (argc != 3 || (strcmp(argv[1], "enable") && strcmp(argv[1], "measure")))
		return cmd_usage(s, "expected 'enable PATH' or 'measure PATH'");
	if (!strcmp(argv[1], "enable")) {
		err = verity_enable_path(s->task, argv[2]);
		return err ? cmd_err(s, argv[2], err) : CMD_OK;
	}
	err = verity_measure_path(s->task, argv[2], hex, sizeof(hex));
	if (err)
		return cmd_err(s, argv[2], err);
	fprintf(s->out, "%s\n", hex);
	return CMD_OK;
}
