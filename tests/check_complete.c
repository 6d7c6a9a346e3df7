/*
 * check_complete.c - the REPL's readline half: tab completion (the core, complete_line, and
 * the readline glue driven through readline itself: rl_complete on a line buffer, and
 * readline() reading TAB keys from a file), the history file, the empty-line repeat, and
 * the help of every command.
 *
 * A session here is built on the fixture's kernel (not session_init's), so teardown's
 * leak check covers what completion opens. readline reads an inputrc of ours and TERM=dumb
 * so that no user's setup changes a result; its streams are files, never the terminal.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd.h"
#include "complete.h"
#include "helpers.h"

static struct session ts;
static FILE *rl_in, *rl_out;
static char tmpdir[64];

static void s_setup(void)
{
	char inputrc[128];
	FILE *f;

	t_setup();
	memset(&ts, 0, sizeof(ts));
	ts.k = tk;
	ts.init = tt;
	ts.task = tt;
	ts.out = tmpfile();
	ts.err = tmpfile();
	ts.src = "";
	ck_assert_ptr_nonnull(ts.out);
	ck_assert_ptr_nonnull(ts.err);
	strcpy(tmpdir, "/tmp/check_complete.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* readline's defaults, but no bell on the test's terminal. */
	snprintf(inputrc, sizeof(inputrc), "%s/inputrc", tmpdir);
	f = fopen(inputrc, "w");
	ck_assert_ptr_nonnull(f);
	fputs("set bell-style none\n", f);
	fclose(f);
	setenv("INPUTRC", inputrc, 1);
	setenv("TERM", "dumb", 1);
}

static void s_teardown(void)
{
	char cmd[128];

	if (ts.task && ts.task != ts.init)
		task_exit(ts.task);
	fclose(ts.out);
	fclose(ts.err);
	if (rl_in) {
		rl_instream = stdin;
		rl_outstream = stdout;
		fclose(rl_in);
		fclose(rl_out);
		rl_in = rl_out = NULL;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	t_teardown();
}

/* Everything written to f so far; f is emptied for the next use. */
static char *take(FILE *f)
{
	static char buf[65536];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	ck_assert_int_eq(ftruncate(fileno(f), 0), 0);
	rewind(f);
	return buf;
}

static void run(const char *line)
{
	bool ignore;

	ck_assert_msg(cmd_run_line(&ts, line, &ignore) == CMD_OK, "%s: %s", line, take(ts.err));
}

/* A tree to complete in: files, directories, hidden names, a symlink to a directory and
 * names that need quotes. */
static void make_tree(void)
{
	run("mkdir -p /etc /home '/my dir'");
	run("write /etc/hostname box");
	run("write /etc/hosts x");
	run("write /etc/.profile x");
	run("write '/my file' x");
	run("write '/my dir/inner' 'inside\\n'");
	run("write \"/it's\" x");
	run("write \"/nl\\nx\" x");
	run("write '/#hash' x");
	run("ln -s /etc /link");
}

/* The candidates for line (cursor at its end), joined with '|'. */
static const char *comp(const char *line)
{
	static char buf[8192];
	struct completion c;
	size_t i;

	buf[0] = '\0';
	ck_assert_int_eq(complete_line(&ts, line, strlen(line), &c), 0);
	for (i = 0; i < c.n; i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, c.words[i]);
	}
	ck_assert_ptr_null(c.words[c.n]);
	completion_free(&c);
	return buf;
}

/* The same, as a list shows them. */
static const char *shown(const char *line)
{
	static char buf[8192];
	struct completion c;
	size_t i;

	buf[0] = '\0';
	ck_assert_int_eq(complete_line(&ts, line, strlen(line), &c), 0);
	for (i = 0; i < c.n; i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, c.shown[i]);
	}
	completion_free(&c);
	return buf;
}

static size_t comp_start(const char *line)
{
	struct completion c;
	size_t start;

	ck_assert_int_eq(complete_line(&ts, line, strlen(line), &c), 0);
	start = c.start;
	completion_free(&c);
	return start;
}

START_TEST(complete_command_names)
{
	char want[4096] = "";
	size_t i;

	ck_assert_str_eq(comp("he"), "help");
	ck_assert_str_eq(comp("mkd"), "mkdir");
	ck_assert_str_eq(comp("mount"), "mount|mountinfo");
	/* exit is an alias of quit: completion offers the name help lists. */
	ck_assert_str_eq(comp("exi"), "");
	ck_assert_str_eq(comp("frob"), "");
	/* Every listed command, in table (byte) order, for an empty word. */
	for (i = 0; i < cmd_table_len; i++) {
		if (cmd_table[i].flags & CMD_F_ALIAS)
			continue;
		if (*want)
			strcat(want, "|");
		strcat(want, cmd_table[i].name);
	}
	ck_assert_str_eq(comp(""), want);
	ck_assert_str_eq(comp("   "), want);
	/* After ';', and after the '-' that lets a command fail. */
	ck_assert_str_eq(comp("pwd; ech"), "echo");
	ck_assert_str_eq(comp("pwd;ech"), "echo");
	ck_assert_str_eq(comp("  -mkd"), "mkdir");
	ck_assert_uint_eq(comp_start("  -mkd"), 3);
	ck_assert_str_eq(comp("pwd; -ech"), "echo");
	/* A quoted command name is still one. */
	ck_assert_str_eq(comp("'mkd"), "'mkdir'");
	/* An unknown command has no arguments to offer. */
	ck_assert_str_eq(comp("frobnicate /"), "");
}
END_TEST

START_TEST(complete_options_from_synopsis)
{
	make_tree();
	ck_assert_str_eq(comp("ls -"), "-a|-d|-l");
	ck_assert_str_eq(comp("ls -l -"), "-a|-d|-l");
	ck_assert_str_eq(comp("ls -la -"), "-a|-d|-l");
	ck_assert_str_eq(comp("mount --"), "--bind|--rbind");
	ck_assert_str_eq(comp("mount --r"), "--rbind");
	ck_assert_str_eq(comp("mount -t tmpfs -"), "--bind|--rbind|-o|-t");
	ck_assert_str_eq(comp("mount -ttmpfs -o size=1m -"), "--bind|--rbind|-o|-t");
	ck_assert_str_eq(comp("mv --ex"), "--exchange");
	ck_assert_str_eq(comp("truncate -s 1M -"), "-c|-s");
	ck_assert_str_eq(comp("op -"), "-U|-g|-u");
	ck_assert_str_eq(comp("chown -"), "-h");
	ck_assert_str_eq(comp("mkdir -m 700 -"), "-m|-p");
	/* The argument of an option, and words after the first operand or "--", are not
	 * options: they complete as paths. */
	ck_assert_str_eq(comp("mount -t /e"), "/etc/");
	ck_assert_str_eq(comp("mkdir -m /e"), "/etc/");
	ck_assert_str_eq(comp("ls /etc -"), "");
	ck_assert_str_eq(comp("ls -- -"), "");
	ck_assert_str_eq(comp("ls -- /e"), "/etc/");
	/* A command without options completes paths for '-' too. */
	ck_assert_str_eq(comp("cat -"), "");
	/* Options of a command typed as a unique prefix. */
	ck_assert_str_eq(comp("mkd -"), "-m|-p");
}
END_TEST

START_TEST(complete_keywords_and_command_operands)
{
	make_tree();
	ck_assert_str_eq(comp("verity "), "enable|measure");
	ck_assert_str_eq(comp("verity m"), "measure");
	ck_assert_str_eq(comp("verity enable /e"), "/etc/");
	ck_assert_str_eq(comp("help mkd"), "mkdir");
	ck_assert_str_eq(comp("he mountin"), "mountinfo");
	ck_assert_str_eq(comp("help exi"), "");
}
END_TEST

START_TEST(complete_paths)
{
	make_tree();
	ck_assert_str_eq(comp("cat /e"), "/etc/");
	ck_assert_str_eq(shown("cat /e"), "etc/");
	ck_assert_str_eq(comp("cat /etc/ho"), "/etc/hostname|/etc/hosts");
	ck_assert_str_eq(shown("cat /etc/ho"), "hostname|hosts");
	ck_assert_uint_eq(comp_start("cat /etc/ho"), 4);
	/* Hidden names only when the typed name starts with '.'. */
	ck_assert_str_eq(comp("cat /etc/"), "/etc/hostname|/etc/hosts");
	ck_assert_str_eq(comp("cat /etc/."), "/etc/../|/etc/./|/etc/.profile");
	/* A symlink to a directory completes as a directory. */
	ck_assert_str_eq(comp("cat /li"), "/link/");
	ck_assert_str_eq(comp("cat /link/hostn"), "/link/hostname");
	/* Nothing in a directory that does not exist or is not one. */
	ck_assert_str_eq(comp("cat /nope/"), "");
	ck_assert_str_eq(comp("cat /etc/hostname/"), "");
	ck_assert_str_eq(comp("cat /etc/zz"), "");
	/* Every argument position, not only the first. */
	ck_assert_str_eq(comp("mv /etc/hostname /h"), "/home/");
	ck_assert_str_eq(comp("ls /etc/hostname;cat /h"), "/home/");
}
END_TEST

START_TEST(complete_paths_as_the_task)
{
	int fd;

	make_tree();
	/* Relative to the task's working directory. */
	run("cd /etc");
	ck_assert_str_eq(comp("cat ho"), "hostname|hosts");
	ck_assert_str_eq(comp("cat ../h"), "../home/");
	ck_assert_str_eq(comp("cat ./hostn"), "./hostname");
	/* With the task's permissions: a directory it cannot read offers nothing. */
	run("cd /");
	run("chmod 711 /etc");
	run("su 1000");
	ck_assert_str_eq(comp("cat /etc/"), "");
	ck_assert_str_eq(comp("cat /e"), "/etc/");
	/* The descriptor completion opens is closed again: the next open gets the lowest. */
	fd = vfs_openat(ts.task, AT_FDCWD, "/", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_close(ts.task, fd), 0);
	comp("cat /");
	comp("cat /etc/");
	ck_assert_int_eq(vfs_openat(ts.task, AT_FDCWD, "/", O_RDONLY, 0), fd);
	ck_assert_int_eq(vfs_close(ts.task, fd), 0);
}
END_TEST

/* Each whole-word candidate, split as the REPL splits it, is one word naming a file. */
static void check_words_name_files(const char *line)
{
	struct completion c;
	size_t i;

	ck_assert_int_eq(complete_line(&ts, line, strlen(line), &c), 0);
	ck_assert_uint_gt(c.n, 0);
	for (i = 0; i < c.n; i++) {
		struct vfs_stat st;
		const char *errmsg;
		char **argv;
		int argc;

		if (c.shown[i][strlen(c.shown[i]) - 1] == '/')
			continue;
		argc = cmd_split_words(c.words[i], &argv, &errmsg);
		ck_assert_msg(argc == 1, "%s splits into %d words", c.words[i], argc);
		ck_assert_msg(vfs_fstatat(tt, AT_FDCWD, argv[0], &st, AT_SYMLINK_NOFOLLOW) == 0,
			      "%s does not name a file", c.words[i]);
		ck_assert_str_eq(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0],
				 c.shown[i]);
		cmd_free_words(argc, argv);
	}
	completion_free(&c);
}

START_TEST(complete_paths_quoted)
{
	make_tree();
	/* The typed text is kept; what follows is quoted where the name needs it. */
	ck_assert_str_eq(comp("cat /my"), "/my' dir/|/my' file'");
	ck_assert_str_eq(shown("cat /my"), "my dir/|my file");
	ck_assert_str_eq(comp("cat '/my f"), "'/my file'");
	ck_assert_str_eq(comp("cat \"/my f"), "\"/my file\"");
	ck_assert_str_eq(comp("cat '/my dir/"), "'/my dir/inner'");
	ck_assert_str_eq(comp("cat /my' dir'/"), "/my' dir'/inner");
	ck_assert_str_eq(comp("cat /it"), "/it\"'s\"");
	ck_assert_str_eq(comp("cat '/it"), "'/it'\"'\"'s'");
	ck_assert_str_eq(comp("cat \"/it"), "\"/it's\"");
	ck_assert_str_eq(comp("cat /nl"), "/nl\"\\nx\"");
	ck_assert_str_eq(comp("cat '/nl"), "'/nl'\"\\n\"'x'");
	/* Escapes already typed inside "..." are decoded before matching (\145 is 'e'). */
	ck_assert_str_eq(comp("cat \"/\\145"), "\"/\\145tc/");
	/* A '#' that would start the word is quoted: unquoted it starts a comment. */
	ck_assert_str_eq(comp("cat #"), "");
	ck_assert_str_eq(comp("cat '#"), "'#hash'");
	ck_assert_str_eq(comp("cat "),
			 "\"it's\"|\"nl\\nx\"|'#hash'|'my dir/|'my file'|etc/|home/|link/");
	check_words_name_files("cat /");
	check_words_name_files("cat '/");
	check_words_name_files("cat \"/");
	check_words_name_files("cat /my");
	check_words_name_files("cat ");
	/* Nothing to add after a lone backslash inside "...", nor in a comment. */
	ck_assert_str_eq(comp("cat \"/e\\"), "");
	ck_assert_str_eq(comp("ls # /e"), "");
	ck_assert_str_eq(comp("# he"), "");
}
END_TEST

/* ---------------------------------------------------------------- through readline */

static void rl_start(const char *input)
{
	rl_in = tmpfile();
	rl_out = tmpfile();
	ck_assert_ptr_nonnull(rl_in);
	ck_assert_ptr_nonnull(rl_out);
	fputs(input, rl_in);
	rewind(rl_in);
	rl_instream = rl_in;
	rl_outstream = rl_out;
}

/* The line after TAB at its end, as readline's own completion command leaves it. */
static const char *tab(const char *line)
{
	rl_replace_line(line, 0);
	rl_point = rl_end;
	rl_complete(0, '\t');
	return rl_line_buffer;
}

START_TEST(complete_readline_rl_complete)
{
	char line[256];

	make_tree();
	rl_start("");
	rl_initialize();
	complete_rl_init(&ts);
	ck_assert_str_eq(tab("cat /e"), "cat /etc/");
	ck_assert_str_eq(tab("cat /etc/hostn"), "cat /etc/hostname ");
	ck_assert_str_eq(tab("cat /etc/ho"), "cat /etc/host");
	ck_assert_str_eq(tab("cat /my"), "cat /my' ");
	ck_assert_str_eq(tab("cat /my' f"), "cat /my' file' ");
	ck_assert_str_eq(tab("cat '/my f"), "cat '/my file' ");
	ck_assert_str_eq(tab("cat '/my d"), "cat '/my dir/");
	ck_assert_str_eq(tab("cat '/my dir/"), "cat '/my dir/inner' ");
	ck_assert_str_eq(tab("cat \"/my d"), "cat \"/my dir/");
	ck_assert_str_eq(tab("cat \"/my dir/i"), "cat \"/my dir/inner\" ");
	ck_assert_str_eq(tab("cat /it"), "cat /it\"'s\" ");
	ck_assert_str_eq(tab("cat '/it"), "cat '/it'\"'\"'s' ");
	/* The name goes on with a quote right after the one readline found open: readline
	 * replaces that quote too, and the candidate starts with it. */
	ck_assert_str_eq(tab("cat /it'"), "cat /it''\"'\"'s' ");
	ck_assert_str_eq(tab("cat /nl"), "cat /nl\"\\nx\" ");
	ck_assert_str_eq(tab("-mkd"), "-mkdir ");
	ck_assert_str_eq(tab("pwd;ech"), "pwd;echo ");
	ck_assert_str_eq(tab("  he"), "  help ");
	ck_assert_str_eq(tab("mount --b"), "mount --bind ");
	ck_assert_str_eq(tab("ls -"), "ls -");
	ck_assert_str_eq(tab("verity m"), "verity measure ");
	/* Nothing on the host: a name that exists only there is not offered. */
	ck_assert_str_eq(tab("cat /tm"), "cat /tm");
	ck_assert_str_eq(tab("cat /us"), "cat /us");
	/* The completed line means what it shows. */
	tab("cat '/my d");
	rl_insert_text("i");
	snprintf(line, sizeof(line), "%s", rl_line_buffer);
	run(tab(line));
	ck_assert_str_eq(take(ts.out), "inside\n");
	complete_rl_fini();
}
END_TEST

START_TEST(complete_readline_attempt_function)
{
	char **m;

	make_tree();
	rl_start("");
	rl_initialize();
	complete_rl_init(&ts);
	/* As readline calls it: the word it found, where it starts and ends. */
	rl_replace_line("cat /etc/ho", 0);
	rl_point = rl_end;
	m = complete_rl_attempt("/etc/ho", 4, 11);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m[0], "/etc/host"); /* the common prefix */
	ck_assert_str_eq(m[1], "/etc/hostname");
	ck_assert_str_eq(m[2], "/etc/hosts");
	ck_assert_ptr_null(m[3]);
	ck_assert_int_eq(rl_attempted_completion_over, 1);
	for (int i = 0; m[i]; i++)
		free(m[i]);
	free(m);
	/* One directory: no space after it. */
	rl_replace_line("cat /e", 0);
	rl_completion_suppress_append = 0;
	m = complete_rl_attempt("/e", 4, 6);
	ck_assert_str_eq(m[0], "/etc/");
	ck_assert_ptr_null(m[1]);
	ck_assert_int_eq(rl_completion_suppress_append, 1);
	free(m[0]);
	free(m);
	/* readline found an open quote: it starts after it, and takes the quote back when
	 * the replacement begins with it. */
	rl_replace_line("cat '/my f", 0);
	rl_completion_quote_character = '\'';
	m = complete_rl_attempt("/my f", 5, 10);
	ck_assert_str_eq(m[0], "'/my file'");
	free(m[0]);
	free(m);
	rl_completion_quote_character = 0;
	/* A word that starts earlier than readline thinks (the '-' marker) is extended. */
	rl_replace_line("-mkd", 0);
	m = complete_rl_attempt("-mkd", 0, 4);
	ck_assert_str_eq(m[0], "-mkdir");
	free(m[0]);
	free(m);
	/* No candidates: NULL, and no fallback to readline's filename completion. */
	rl_replace_line("cat /zz", 0);
	rl_attempted_completion_over = 0;
	ck_assert_ptr_null(complete_rl_attempt("/zz", 4, 7));
	ck_assert_int_eq(rl_attempted_completion_over, 1);
	complete_rl_fini();
}
END_TEST

START_TEST(complete_readline_keys)
{
	char *line, *out;

	make_tree();
	/* TAB completes, TAB TAB lists the names (not the whole words). */
	rl_start("cat /etc/hostn\t\nls /etc/host\t\t\n");
	complete_rl_init(&ts);
	line = readline("> ");
	ck_assert_str_eq(line, "cat /etc/hostname ");
	free(line);
	take(rl_out);
	line = readline("> ");
	ck_assert_str_eq(line, "ls /etc/host");
	free(line);
	out = take(rl_out);
	ck_assert_msg(strstr(out, "hostname") && strstr(out, "hosts"), "%s", out);
	ck_assert_msg(!strstr(out, "/etc/hostname"), "%s", out);
	complete_rl_fini();
}
END_TEST

START_TEST(complete_repl_interactive)
{
	make_tree();
	setenv("VFSLAB_HISTORY", "", 1);
	rl_start("cd /et\t\npwd\ncat '/my d\tinn\t\n");
	ck_assert_int_eq(repl_interactive(&ts), 0);
	ck_assert_str_eq(take(ts.out), "/etc\ninside\n\n");
	ck_assert_str_eq(take(ts.err), "");
	/* The prompt is the session's. */
	ck_assert_ptr_nonnull(strstr(take(rl_out), session_prompt(&ts)));
	ck_assert_str_eq(session_prompt(&ts), "vfslab> ");
}
END_TEST

/* ---------------------------------------------------------------- history */

static char *read_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void session_input(const char *input)
{
	if (rl_in) {
		fclose(rl_in);
		fclose(rl_out);
	}
	rl_start(input);
	ck_assert_int_eq(repl_interactive(&ts), 0);
}

START_TEST(history_written_appended_and_read)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/hist", tmpdir);
	setenv("VFSLAB_HISTORY", path, 1);
	session_input("echo one\n\necho two\n");
	/* Blank lines are not history. */
	ck_assert_str_eq(read_text(path), "echo one\necho two\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	take(ts.out);
	/* The next session appends, and starts with the history read: ^P^P recalls
	 * "echo one". */
	session_input("\x10\x10\n");
	ck_assert_str_eq(take(ts.out), "one\n\n");
	ck_assert_str_eq(read_text(path), "echo one\necho two\necho one\n");
	ck_assert_str_eq(take(ts.err), "");
}
END_TEST

START_TEST(history_size_limit)
{
	char path[128], *text, *last;
	FILE *f;
	int i, lines = 0;

	snprintf(path, sizeof(path), "%s/hist", tmpdir);
	setenv("VFSLAB_HISTORY", path, 1);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 1; i <= 1005; i++)
		fprintf(f, "echo %d\n", i);
	fclose(f);
	session_input("echo new\n");
	text = read_text(path);
	for (i = 0; text[i]; i++)
		lines += text[i] == '\n';
	ck_assert_int_eq(lines, 1000);
	ck_assert_int_eq(strncmp(text, "echo 7\n", 7), 0);
	last = text + strlen(text) - strlen("echo new\n");
	ck_assert_str_eq(last, "echo new\n");
}
END_TEST

START_TEST(history_path_from_environment)
{
	char path[128], *p;

	unsetenv("VFSLAB_HISTORY");
	setenv("HOME", tmpdir, 1);
	p = repl_history_path();
	snprintf(path, sizeof(path), "%s/.vfslab_history", tmpdir);
	ck_assert_str_eq(p, path);
	free(p);
	session_input("pwd\n");
	ck_assert_str_eq(read_text(path), "pwd\n");
	take(ts.out);
	/* VFSLAB_HISTORY overrides $HOME; set empty, it turns history off. */
	setenv("VFSLAB_HISTORY", "/x/h", 1);
	p = repl_history_path();
	ck_assert_str_eq(p, "/x/h");
	free(p);
	setenv("VFSLAB_HISTORY", "", 1);
	ck_assert_ptr_null(repl_history_path());
	/* No $HOME: no history and no complaint. */
	unsetenv("VFSLAB_HISTORY");
	unsetenv("HOME");
	ck_assert_ptr_null(repl_history_path());
	setenv("HOME", "", 1);
	ck_assert_ptr_null(repl_history_path());
	session_input("pwd\n");
	ck_assert_str_eq(take(ts.out), "/\n\n");
	ck_assert_str_eq(take(ts.err), "");
}
END_TEST

START_TEST(history_errors_and_batch)
{
	char path[128];
	struct repl_opts o = { NULL, "pwd" };
	const char *err;

	/* A history that cannot be written is reported once; the session is not affected. */
	snprintf(path, sizeof(path), "%s/no/such/dir/h", tmpdir);
	setenv("VFSLAB_HISTORY", path, 1);
	session_input("pwd\n");
	ck_assert_str_eq(take(ts.out), "/\n\n");
	err = take(ts.err);
	ck_assert_msg(strstr(err, "vfslab: history: ") && strstr(err, ": ENOENT ("), "%s", err);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "more than one line: %s", err);
	/* Batch runs keep no history. */
	snprintf(path, sizeof(path), "%s/h", tmpdir);
	setenv("VFSLAB_HISTORY", path, 1);
	ck_assert_int_eq(repl_run(&ts, &o), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* ---------------------------------------------------------------- repeat */

START_TEST(repeat_stepping_commands_only)
{
	/* The table's stepping commands are the lead's (issue 8); one of the same shape. */
	static const struct cmd step = {
		.name = "step",
		.synopsis = "step [N]",
		.brief = "one sub-step",
		.help = "Example: step",
		.flags = CMD_F_STEP,
	};
	struct repl_repeat r = { NULL };

	ck_assert_ptr_null(repl_repeat_get(&r));
	ck_assert_int_eq(repl_repeat_note(&r, &step, "step 2"), 0);
	ck_assert_str_eq(repl_repeat_get(&r), "step 2");
	/* The last stepping command is what repeats, as typed. */
	ck_assert_int_eq(repl_repeat_note(&r, &step, "-step"), 0);
	ck_assert_str_eq(repl_repeat_get(&r), "-step");
	/* Any other command, or an unknown one, ends the repeat. */
	ck_assert_int_eq(repl_repeat_note(&r, cmd_lookup(&ts, "ls", false), "ls /"), 0);
	ck_assert_ptr_null(repl_repeat_get(&r));
	ck_assert_int_eq(repl_repeat_note(&r, &step, "step"), 0);
	ck_assert_int_eq(repl_repeat_note(&r, NULL, "frob"), 0);
	ck_assert_ptr_null(repl_repeat_get(&r));
	repl_repeat_fini(&r);
	ck_assert_ptr_null(repl_repeat_get(&r));
}
END_TEST

START_TEST(repeat_not_for_other_commands)
{
	/* An empty line after a command that is not a stepping one does nothing. */
	setenv("VFSLAB_HISTORY", "", 1);
	session_input("echo hi\n\n   \necho bye\n");
	ck_assert_str_eq(take(ts.out), "hi\nbye\n\n");
}
END_TEST

/* ---------------------------------------------------------------- help */

START_TEST(help_every_command)
{
	size_t i;

	for (i = 0; i < cmd_table_len; i++) {
		const struct cmd *c = &cmd_table[i];
		size_t nlen = strlen(c->name);
		char line[64], want[512];
		const char *out, *ex;

		/* The synopsis starts with the name (completion reads options off it). */
		ck_assert_msg(strncmp(c->synopsis, c->name, nlen) == 0 &&
				      (c->synopsis[nlen] == ' ' || c->synopsis[nlen] == '\0'),
			      "%s: synopsis '%s'", c->name, c->synopsis);
		snprintf(line, sizeof(line), "help %s", c->name);
		run(line);
		out = take(ts.out);
		snprintf(want, sizeof(want), "usage: %s\n%s.\n\n", c->synopsis, c->brief);
		ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s: help starts '%.80s'",
			      c->name, out);
		/* A description, then an example line at the end. */
		ex = strstr(out, "Example");
		ck_assert_msg(ex && ex > out + strlen(want) && ex[-1] == '\n' &&
				      (strncmp(ex, "Example: ", 9) == 0 ||
				       strncmp(ex, "Examples: ", 10) == 0),
			      "%s: no example in its help", c->name);
		ck_assert_msg(ex[9] != '\n' && ex[10] != '\n', "%s: empty example", c->name);
	}
}
END_TEST

Suite *complete_suite(void)
{
	Suite *s = suite_create("complete");
	TCase *tc = tcase_create("complete");

	tcase_add_checked_fixture(tc, s_setup, s_teardown);
	tcase_add_test(tc, complete_command_names);
	tcase_add_test(tc, complete_options_from_synopsis);
	tcase_add_test(tc, complete_keywords_and_command_operands);
	tcase_add_test(tc, complete_paths);
	tcase_add_test(tc, complete_paths_as_the_task);
	tcase_add_test(tc, complete_paths_quoted);
	tcase_add_test(tc, complete_readline_rl_complete);
	tcase_add_test(tc, complete_readline_attempt_function);
	tcase_add_test(tc, complete_readline_keys);
	tcase_add_test(tc, complete_repl_interactive);
	tcase_add_test(tc, history_written_appended_and_read);
	tcase_add_test(tc, history_size_limit);
	tcase_add_test(tc, history_path_from_environment);
	tcase_add_test(tc, history_errors_and_batch);
	tcase_add_test(tc, repeat_stepping_commands_only);
	tcase_add_test(tc, repeat_not_for_other_commands);
	tcase_add_test(tc, help_every_command);
	suite_add_tcase(s, tc);
	return s;
}
