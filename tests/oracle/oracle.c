/*
 * oracle.c - the Linux oracle: runs `op` lines on the real kernel.
 *
 *	oracle [-n] DIR		chdir to DIR, run the op lines read from stdin
 *	oracle --random SEED N	print N random op lines reproducible from SEED
 *
 * Input is one op line per line, with or without a leading "op" word; blank lines and
 * lines starting with '#' are skipped. The output is exactly what vfslab's `op` command
 * prints for the same lines, so the two can be diffed (tests/oracle/difftest.sh). With
 * -n each output line is prefixed with the number of the input line that produced it
 * and a tab, which lets the diff name the op line at fault.
 *
 * Each line starts as the user who ran the oracle (root, for the difftest) with umask 0
 * unless -U says otherwise; the credentials and umask go back after the line.
 * Exit status: 0; 2 at the first usage error (the run stops there); 1 on other failures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "oracle.h"

static int run_lines(FILE *in, int numbered)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *line = NULL, **argv, *p, *nl;
	size_t cap = 0, lineno = 0;
	int argc, r, status = 0;

	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		if (op_split_line(line, &argv, &argc) < 0) {
			fprintf(stderr, "oracle: line %zu: unterminated quote\n", lineno);
			status = 2;
			break;
		}
		if (argc == 0) {
			free(argv);
			continue;
		}
		sb_reset(&out);
		sb_reset(&err);
		if (strcmp(argv[0], "op") == 0)
			r = op_run(&op_linux_backend, NULL, argc - 1, argv + 1, &out, &err);
		else
			r = op_run(&op_linux_backend, NULL, argc, argv, &out, &err);
		free(argv);
		for (p = out.buf; p && *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (numbered)
				printf("%zu\t", lineno);
			fwrite(p, 1, (size_t)(nl - p) + 1, stdout);
		}
		fflush(stdout);
		if (r != OP_OK) {
			fprintf(stderr, "oracle: line %zu: %s\n", lineno, err.buf ? err.buf : "");
			status = r;
			break;
		}
	}
	free(line);
	sb_free(&out);
	sb_free(&err);
	return status;
}

static void usage(void)
{
	fprintf(stderr, "usage: oracle [-n] DIR < OPLINES\n"
			"       oracle --random SEED N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int numbered = 0, i = 1;
	char *end;
	unsigned long seed, n;

	if (argc == 4 && strcmp(argv[1], "--random") == 0) {
		seed = strtoul(argv[2], &end, 0);
		if (*end)
			usage();
		n = strtoul(argv[3], &end, 0);
		if (*end)
			usage();
		oracle_gen_random(stdout, seed, (unsigned)n);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		numbered = 1;
		i++;
	}
	if (i + 1 != argc)
		usage();
	if (chdir(argv[i]) < 0) {
		fprintf(stderr, "oracle: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	if (op_linux_init() < 0) {
		fprintf(stderr, "oracle: cannot read credentials\n");
		return 1;
	}
	return run_lines(stdin, numbered);
}
