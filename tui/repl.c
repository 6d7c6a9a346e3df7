/*
 * repl.c - the REPL loop: a script (-f), a command string (-c), standard input, or a
 * terminal with readline.
 *
 * Batch rules (DESIGN §6): the first failing command ends the run, its message prefixed
 * with FILE:LINE, and the exit status is 1 (2 for a usage error: an unknown command or
 * bad arguments); a command written with a leading '-' may fail and the run goes on.
 * FILE is the script's name, "-c" or "<stdin>"; for -c, LINE counts the commands of the
 * string. With -f each command line is echoed as "vfslab> LINE" before its output, as
 * debugfs -f does (comment lines are echoed as they are; blank lines are not), so a
 * transcript reads like a session; -c and stdin do not echo. At a terminal errors are
 * reported and never end the session.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/errname.h"
#include "cmd.h"

#define PROMPT "vfslab> "

/* Run the commands of one line (split at ';'); returns a process status: 0 to go on, or
 * the status to end the run with. */
static int run_line(struct session *s, const char *line, bool count_commands)
{
	char **cmds;
	int n, i, status = 0;

	n = cmd_split_commands(line, &cmds);
	for (i = 0; i < n; i++) {
		bool ignore;
		int rc;

		if (count_commands) {
			if (!*cmds[i])
				continue;
			s->line++;
		}
		rc = cmd_run_line(s, cmds[i], &ignore);
		if (rc != CMD_OK && !ignore && s->batch) {
			status = rc == CMD_USAGE ? 2 : 1;
			break;
		}
		if (s->quit)
			break;
	}
	cmd_free_words(n, cmds);
	return status;
}

static void chomp(char *line)
{
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
}

static int run_stream(struct session *s, FILE *f, const char *name, bool echo)
{
	char *line = NULL;
	size_t cap = 0;
	int status = 0;

	s->batch = true;
	s->src = name;
	s->line = 0;
	while (!s->quit && getline(&line, &cap, f) >= 0) {
		const char *p = line;

		s->line++;
		chomp(line);
		while (*p == ' ' || *p == '\t')
			p++;
		if (echo && *p) {
			if (*p == '#')
				fprintf(s->out, "%s\n", line);
			else
				fprintf(s->out, PROMPT "%s\n", line);
		}
		status = run_line(s, line, false);
		if (status)
			break;
	}
	free(line);
	fflush(s->out);
	return status;
}

static int run_file(struct session *s, const char *path)
{
	FILE *f = fopen(path, "r");
	int status;

	if (!f) {
		int err = errno;

		fflush(s->out);
		fprintf(s->err, "vfslab: repl: %s: %s (%s)\n", path, errno_name(err),
			strerror(err));
		return 1;
	}
	status = run_stream(s, f, path, true);
	fclose(f);
	return status;
}

static int run_string(struct session *s, const char *cmds)
{
	char *copy = strdup(cmds), *line, *save = NULL;
	int status = 0;

	if (!copy) {
		fputs("vfslab: out of memory\n", stderr);
		return 1;
	}
	s->batch = true;
	s->src = "-c";
	s->line = 0;
	/* Newlines separate commands as ';' does. */
	for (line = strtok_r(copy, "\n", &save); line && !s->quit;
	     line = strtok_r(NULL, "\n", &save)) {
		status = run_line(s, line, true);
		if (status)
			break;
	}
	free(copy);
	fflush(s->out);
	return status;
}

static int run_interactive(struct session *s)
{
	char *line;

	s->batch = false;
	s->src = "";
	using_history();
	while (!s->quit && (line = readline(PROMPT)) != NULL) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			add_history(line);
		run_line(s, line, false);
		free(line);
	}
	if (!s->quit)
		fputc('\n', s->out);
	fflush(s->out);
	return 0;
}

int repl_run(struct session *s, const struct repl_opts *o)
{
	if (o->cmds)
		return run_string(s, o->cmds);
	if (o->file)
		return run_file(s, o->file);
	if (isatty(STDIN_FILENO))
		return run_interactive(s);
	return run_stream(s, stdin, "<stdin>", false);
}
