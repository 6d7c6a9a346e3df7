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
 *
 * An empty line repeats the last command when it is a stepping one (CMD_F_STEP), as in
 * gdb: at a terminal and on standard input (gdb repeats whatever comes from its stdin),
 * but not in a -f script or a -c string, where an empty line does nothing (gdb's command
 * files, and debugfs, which never repeats). A script means the same whatever its blank
 * lines.
 *
 * At a terminal: tab completion (complete.c), and a history read from the history file at
 * start and appended to it at exit, both kept to HISTORY_MAX lines; no history file
 * without $HOME (or with VFSLAB_HISTORY set empty), and a history that cannot be read or
 * written is reported once and otherwise ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/errname.h"
#include "cmd.h"
#include "complete.h"

/* What -f echoes before each command, as debugfs -f echoes "debugfs: ". It stays fixed
 * when the interactive prompt shows more, so transcripts do not depend on the prompt. */
#define ECHO_PROMPT "vfslab> "

#define HISTORY_FILE ".vfslab_history"
/* Lines of history kept, in memory and in the file (bash's default HISTSIZE is 500,
 * gdb's 256: a session of stepping and exploring is longer). */
#define HISTORY_MAX 1000

static bool is_blank_line(const char *line)
{
	while (*line && isspace((unsigned char)*line))
		line++;
	return *line == '\0';
}

/* The empty-line repeat. */

int repl_repeat_note(struct repl_repeat *r, const struct cmd *c, const char *text)
{
	char *copy = NULL;

	if (c && (c->flags & CMD_F_STEP)) {
		copy = strdup(text);
		if (!copy)
			return -ENOMEM;
	}
	free(r->text);
	r->text = copy;
	return 0;
}

const char *repl_repeat_get(const struct repl_repeat *r)
{
	return r->text;
}

void repl_repeat_fini(struct repl_repeat *r)
{
	free(r->text);
	r->text = NULL;
}

/* The table entry of one command as typed (after its '-' marker), or NULL. */
static const struct cmd *command_of(struct session *s, const char *text)
{
	const struct cmd *c = NULL;
	const char *errmsg;
	char **argv;
	int argc;

	while (isspace((unsigned char)*text))
		text++;
	if (*text == '-')
		text++;
	argc = cmd_split_words(text, &argv, &errmsg);
	if (argc > 0)
		c = cmd_lookup(s, argv[0], false);
	cmd_free_words(argc > 0 ? argc : 0, argv);
	return c;
}

/* Run the commands of one line (split at ';'); returns a process status: 0 to go on, or
 * the status to end the run with. rep (may be NULL) notes each command for the repeat. */
static int run_line(struct session *s, const char *line, bool count_commands,
		    struct repl_repeat *rep)
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
		if (rep && *cmds[i] && repl_repeat_note(rep, command_of(s, cmds[i]), cmds[i])) {
			fputs("vfslab: out of memory\n", s->err);
			status = 1;
			break;
		}
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

/* An empty line: the last stepping command again, if there is one. */
static int run_repeat(struct session *s, struct repl_repeat *rep)
{
	char *again;
	int status;

	if (!repl_repeat_get(rep))
		return 0;
	/* run_line notes the command again, which frees the text it was given. */
	again = strdup(repl_repeat_get(rep));
	if (!again) {
		fputs("vfslab: out of memory\n", s->err);
		return 1;
	}
	status = run_line(s, again, false, rep);
	free(again);
	return status;
}

static void chomp(char *line)
{
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
}

/* A script or standard input: echo for -f, repeat for standard input. */
static int run_stream(struct session *s, FILE *f, const char *name, bool echo, bool repeat)
{
	struct repl_repeat rep = { NULL };
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
				fprintf(s->out, ECHO_PROMPT "%s\n", line);
		}
		if (repeat && is_blank_line(line))
			status = run_repeat(s, &rep);
		else
			status = run_line(s, line, false, repeat ? &rep : NULL);
		if (status)
			break;
	}
	free(line);
	repl_repeat_fini(&rep);
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
	status = run_stream(s, f, path, true, false);
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
		status = run_line(s, line, true, NULL);
		if (status)
			break;
	}
	free(copy);
	fflush(s->out);
	return status;
}

/* History. */

char *repl_history_path(void)
{
	const char *env = getenv("VFSLAB_HISTORY"), *home;
	char *path;

	if (env)
		return *env ? strdup(env) : NULL;
	home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	if (asprintf(&path, "%s/%s", home, HISTORY_FILE) < 0)
		return NULL;
	return path;
}

static void history_warn(struct session *s, const char *path, int err)
{
	fflush(s->out);
	fprintf(s->err, "vfslab: history: %s: %s (%s)\n", path, errno_name(err), strerror(err));
	fflush(s->err);
}

static void history_load(struct session *s, const char *path)
{
	int err;

	/* A fresh list: the tests run several sessions in one process. */
	clear_history();
	stifle_history(HISTORY_MAX);
	if (!path)
		return;
	err = read_history(path);
	if (err && err != ENOENT)
		history_warn(s, path, err);
}

/* Appends the session's added lines (the last `added` entries) to the file, so that
 * sessions running side by side keep each other's lines, as bash's histappend does; then
 * cuts the file to HISTORY_MAX lines. */
static void history_save(struct session *s, const char *path, int added)
{
	int err;

	if (!path || added <= 0)
		return;
	if (added > history_length)
		added = history_length;
	/* append_history does not create the file: write_history does, mode 0600. */
	if (access(path, F_OK) == 0)
		err = append_history(added, path);
	else
		err = write_history(path);
	if (!err)
		err = history_truncate_file(path, HISTORY_MAX);
	if (err)
		history_warn(s, path, err);
}

int repl_interactive(struct session *s)
{
	struct repl_repeat rep = { NULL };
	char *path, *line;
	int added = 0;

	s->batch = false;
	s->src = "";
	path = repl_history_path();
	history_load(s, path);
	complete_rl_init(s);
	while (!s->quit && (line = readline(session_prompt(s))) != NULL) {
		if (is_blank_line(line)) {
			run_repeat(s, &rep);
		} else {
			add_history(line);
			added++;
			run_line(s, line, false, &rep);
		}
		free(line);
	}
	if (!s->quit)
		fputc('\n', s->out);
	fflush(s->out);
	complete_rl_fini();
	history_save(s, path, added);
	free(path);
	repl_repeat_fini(&rep);
	return 0;
}

int repl_run(struct session *s, const struct repl_opts *o)
{
	if (o->cmds)
		return run_string(s, o->cmds);
	if (o->file)
		return run_file(s, o->file);
	if (isatty(STDIN_FILENO))
		return repl_interactive(s);
	return run_stream(s, stdin, "<stdin>", false, true);
}
