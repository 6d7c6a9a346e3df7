/*
 * cmd.h - the one command table of the REPL (and, later, the TUI), the session the
 * commands act on, and the helpers every command shares: the argument tokenizer, the
 * option parser and the one error reporter.
 *
 * A command handler gets the words of its line (argv[0] is the command's full name, not
 * the prefix the user typed) and returns CMD_OK, CMD_FAIL (a call failed; the error is
 * already reported) or CMD_USAGE (the line was malformed; reported too). Handlers print
 * their output to s->out and never to stderr directly: errors go through cmd_err(),
 * cmd_errf() or cmd_usage(), which flush s->out first so that a transcript captured with
 * 2>&1 is in order, and which prefix FILE:LINE in batch mode.
 *
 * The front end uses only the public API (the vfslab/ headers) and the base helpers (strbuf,
 * errno names): DESIGN rule 10.
 */
#ifndef VFSLAB_TUI_CMD_H
#define VFSLAB_TUI_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/compiler.h"

struct kernel;
struct task;
struct setup;

enum cmd_status {
	CMD_OK = 0,
	CMD_FAIL = 1,  /* a call failed: batch mode stops with exit status 1 */
	CMD_USAGE = 2, /* bad arguments or unknown command: batch mode exits 2 */
};

struct session {
	struct kernel *k;
	struct task *init;     /* the kernel's init task: root; the kernel owns it */
	struct task *task;     /* the task commands run as: init, or one su made (ours) */
	FILE *out;	       /* command output */
	FILE *err;	       /* error messages */
	bool batch;	       /* errors carry the FILE:LINE of the command */
	const char *src;       /* script name, "-c" or "<stdin>" */
	unsigned line;	       /* line of the command being run (1-based) */
	const struct cmd *cur; /* the command being run, for its messages */
	bool quit;	       /* set by quit/exit: the loop ends after this command */
	struct setup *setup;   /* the spec being set up; owns the kernel (NULL: a bare one) */
	char prompt[160];	     /* session_prompt()'s buffer */
};

/* Flags of a command. */
#define CMD_F_STEP 0x1	/* a stepping command: an empty line repeats it (issue 8) */
#define CMD_F_ALIAS 0x2 /* another name of the entry before it: not listed by help */

struct cmd {
	const char *name;
	const char *synopsis; /* "ls [-l] [-a] [PATH...]" */
	const char *brief;    /* one line, for the help list */
	const char *help;     /* the long help, ending with an example */
	int (*fn)(struct session *s, int argc, char **argv);
	unsigned flags;
};

extern const struct cmd cmd_table[];
extern const size_t cmd_table_len;

/* A session on a fresh simulated kernel (seed 1) with no spec. Returns 0 or -errno. */
int session_init(struct session *s);
/* A session on a spec's mount setup, at step 0 (path NULL: the embedded default spec
 * and rootfs; host: the real host). Returns 0, or an exit status after printing why. */
int session_init_spec(struct session *s, const char *cmd, const char *path, const char *rootfs,
		      bool host);
/* After the setup made a new kernel (reset, order, spec load): point the session at it
 * (a task made by su is ended). */
void session_attach(struct session *s);
void session_fini(struct session *s);
/* "vfslab> " or, with a spec, where the setup stands: "vfslab [7/23 /dev/pts]> ". */
const char *session_prompt(struct session *s);

/* Find a command by its full name or a unique prefix of one. On failure reports
 * "unknown command" or "ambiguous command: CANDIDATES" (when report) and returns NULL. */
const struct cmd *cmd_lookup(struct session *s, const char *name, bool report);

/* Split one command line into words with op's rules (op_split_line): blanks separate
 * words, '...' quotes literally, "..." quotes with C escapes (\n, \\, \", \ooo, \xHH),
 * a backslash outside quotes is an ordinary character, and an unquoted # at the start of
 * a word begins a comment. Returns the number of words (0 for an empty or comment line)
 * with *argvp set (free with cmd_free_words), or -1 with *errmsg set for an unterminated
 * quote. */
int cmd_split_words(const char *line, char ***argvp, const char **errmsg);
void cmd_free_words(int argc, char **argv);

/* Split a line into commands at the ';' characters that are outside quotes; the pieces
 * are returned trimmed of surrounding blanks (free with cmd_free_words). */
int cmd_split_commands(const char *line, char ***cmdsp);

/* Run one command (no ';' splitting). A leading '-' marks the command as one whose
 * failure does not stop a batch run; *ignore reports it. Returns a cmd_status. */
int cmd_run_line(struct session *s, const char *line, bool *ignore);

/* The error reporter: "vfslab: CMD: PATH: ENAME (strerror text)[: task message]"
 * (path may be NULL), prefixed with "FILE:LINE: " in batch mode. err is a negative or
 * positive errno. Returns CMD_FAIL. */
int cmd_err(struct session *s, const char *path, int err);
/* "vfslab: CMD: message" for failures that are not an errno. Returns CMD_FAIL. */
int cmd_errf(struct session *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* "vfslab: CMD: message" then "usage: SYNOPSIS". Returns CMD_USAGE. */
int cmd_usage(struct session *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Writes "FILE:LINE: " in batch mode (after flushing s->out); for messages that need
 * another layout than the helpers above. */
void cmd_err_prefix(struct session *s);

/*
 * A small option parser, reentrant (getopt is not): short options clustered ("-la"),
 * a short option's argument attached or in the next word, long options ("--bind") with
 * "=VALUE" or the next word, "--" ending the options. Options stop at the first word
 * that is not one (so TEXT arguments may start with '-' after the path).
 */
struct cmd_longopt {
	const char *name;
	bool has_arg;
	int val; /* returned by opt_next */
};

struct cmd_opts {
	int argc;
	char **argv;
	int ind;	     /* next word to look at; after the loop, the first operand */
	const char *cluster; /* rest of a short-option cluster */
	const char *shorts;  /* "lam:" */
	const struct cmd_longopt *longs; /* ends with a NULL name; may be NULL */
	char *arg;			 /* the argument of the option just returned */
};

void cmd_opts_init(struct cmd_opts *o, int argc, char **argv, const char *shorts,
		   const struct cmd_longopt *longs);
/* The next option's value, -1 at the end, or '?' after reporting a usage error. */
int cmd_opts_next(struct session *s, struct cmd_opts *o);

/* Parse an octal mode of at most max (07777 or 0777); false if it is not one. */
bool cmd_parse_mode(const char *str, mode_t max, mode_t *mode);
/* Parse a non-negative decimal number that fits in an unsigned int. */
bool cmd_parse_uint(const char *str, unsigned *val);
/* Decode C escapes (\n \t \r \\ \' \" \a \b \f \v \0 \ooo \xHH) into a new buffer;
 * returns its length, or -1 (message in *errmsg) for a bad escape. Caller frees *outp. */
long cmd_unescape(const char *str, char **outp, const char **errmsg);

/* The handlers, grouped by file. */
/* cmd.c */
int cmd_help(struct session *s, int argc, char **argv);
int cmd_quit(struct session *s, int argc, char **argv);
int cmd_echo(struct session *s, int argc, char **argv);
/* cmd_fs.c */
int cmd_ls(struct session *s, int argc, char **argv);
int cmd_stat(struct session *s, int argc, char **argv);
int cmd_cat(struct session *s, int argc, char **argv);
int cmd_write(struct session *s, int argc, char **argv);
int cmd_append(struct session *s, int argc, char **argv);
int cmd_mkdir(struct session *s, int argc, char **argv);
int cmd_rm(struct session *s, int argc, char **argv);
int cmd_rmdir(struct session *s, int argc, char **argv);
int cmd_mv(struct session *s, int argc, char **argv);
int cmd_ln(struct session *s, int argc, char **argv);
int cmd_chmod(struct session *s, int argc, char **argv);
int cmd_chown(struct session *s, int argc, char **argv);
int cmd_truncate(struct session *s, int argc, char **argv);
int cmd_mknod(struct session *s, int argc, char **argv);
int cmd_readlink(struct session *s, int argc, char **argv);
int cmd_tree(struct session *s, int argc, char **argv);
int cmd_getxattr(struct session *s, int argc, char **argv);
int cmd_setxattr(struct session *s, int argc, char **argv);
int cmd_listxattr(struct session *s, int argc, char **argv);
int cmd_removexattr(struct session *s, int argc, char **argv);
int cmd_cd(struct session *s, int argc, char **argv);
int cmd_pwd(struct session *s, int argc, char **argv);
int cmd_su(struct session *s, int argc, char **argv);
int cmd_umask(struct session *s, int argc, char **argv);
int cmd_id(struct session *s, int argc, char **argv);
int cmd_op(struct session *s, int argc, char **argv);
/* cmd_mount.c */
int cmd_mount(struct session *s, int argc, char **argv);
int cmd_umount(struct session *s, int argc, char **argv);
int cmd_mountinfo(struct session *s, int argc, char **argv);
int cmd_findmnt(struct session *s, int argc, char **argv);
/* findmnt's tree of t's mounts, to out; 0 or -errno. */
int findmnt_print(struct task *t, FILE *out);
/* cmd_boot.c: the mount setup */
int cmd_spec(struct session *s, int argc, char **argv);
int cmd_plan(struct session *s, int argc, char **argv);
int cmd_step(struct session *s, int argc, char **argv);
int cmd_next(struct session *s, int argc, char **argv);
int cmd_finish(struct session *s, int argc, char **argv);
int cmd_continue(struct session *s, int argc, char **argv);
int cmd_break(struct session *s, int argc, char **argv);
int cmd_delete(struct session *s, int argc, char **argv);
int cmd_info(struct session *s, int argc, char **argv);
int cmd_reset(struct session *s, int argc, char **argv);
int cmd_order(struct session *s, int argc, char **argv);
int cmd_compare(struct session *s, int argc, char **argv);
int cmd_lint(struct session *s, int argc, char **argv);
/* cmd_verity.c */
int cmd_verity(struct session *s, int argc, char **argv);

/* repl.c: the loop over a script, a -c string, stdin or a terminal. */
struct repl_opts {
	const char *file; /* -f */
	const char *cmds; /* -c */
};
/* Runs the session to the end; returns the process exit status. */
int repl_run(struct session *s, const struct repl_opts *o);
/* The interactive loop: readline on rl_instream and rl_outstream, with completion
 * (complete.h), history and the empty-line repeat. Returns the exit status (0). What
 * repl_run does at a terminal; exposed for the tests, which feed it a file. */
int repl_interactive(struct session *s);
/* The history file: $VFSLAB_HISTORY if set (empty: no history), else ~/.vfslab_history,
 * else NULL ($HOME unset or empty). The caller frees it. */
char *repl_history_path(void);

/* gdb's empty-line repeat: an empty line runs the last command again when that command
 * is a stepping one (CMD_F_STEP). */
struct repl_repeat {
	char *text; /* the command to repeat, as typed (with its '-' marker), or NULL */
};
/* Notes the command just run: text as typed, c its table entry (NULL when unknown). A
 * stepping command is kept for repeating, anything else forgets the last one. Returns 0
 * or -ENOMEM. */
int repl_repeat_note(struct repl_repeat *r, const struct cmd *c, const char *text);
/* The command an empty line runs, or NULL. */
const char *repl_repeat_get(const struct repl_repeat *r);
void repl_repeat_fini(struct repl_repeat *r);

#endif
