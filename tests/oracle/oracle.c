/*
 * oracle.c - the Linux oracle: runs `op` lines on the real kernel.
 *
 *	oracle [-n] DIR		chroot to DIR, run the op lines read from stdin
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
 * Exit status: 0; 2 at the first usage error (the run stops there); 1 on other failures;
 * 3 when a line blocks for more than ORACLE_LINE_TIMEOUT seconds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "oracle.h"

/* The input line being run, for the watchdog's message. */
static volatile sig_atomic_t cur_line;

/* A call that blocks (an open of a fifo without O_NONBLOCK, say) would hang the test:
 * each line gets ORACLE_LINE_TIMEOUT seconds. */
#define ORACLE_LINE_TIMEOUT 10

static void on_alarm(int sig)
{
	char msg[80];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg), "oracle: line %d blocked for %d s, giving up\n",
		     (int)cur_line, ORACLE_LINE_TIMEOUT);
	if (write(2, msg, (size_t)n) < 0)
		_exit(3);
	_exit(3);
}

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
		cur_line = (sig_atomic_t)lineno;
		alarm(ORACLE_LINE_TIMEOUT);
		if (strcmp(argv[0], "op") == 0)
			r = op_run(&op_linux_backend, NULL, argc - 1, argv + 1, &out, &err);
		else
			r = op_run(&op_linux_backend, NULL, argc, argv, &out, &err);
		alarm(0);
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
	/* Confined to DIR: a stray ".." or symlink in a test must not reach the host's files
	 * (the test runs as root). */
	if (chdir(argv[i]) < 0 || chroot(".") < 0) {
		fprintf(stderr, "oracle: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	if (op_linux_init() < 0) {
		fprintf(stderr, "oracle: cannot read credentials\n");
		return 1;
	}
	signal(SIGALRM, on_alarm);
	return run_lines(stdin, numbered);
}
