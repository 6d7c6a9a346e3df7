/*
 * tui.c - `vfslab tui`: the full-screen (ncurses) front end over the REPL's session and
 * its one command table.
 *
 * The screen, top to bottom: a title line; the plan of the mount setup (left; the next
 * step marked "=>" and highlighted) beside the mount tree (right, top; the mounts the
 * last stepping command added or changed marked "+" / "~" and highlighted) and a file
 * browser of the VFS (right, bottom); the messages (what the commands printed); the
 * command line (the REPL's prompt, or a line being edited).
 *
 * Everything that changes the session goes through cmd_run_line() with the session's
 * out and err pointing at one memory stream, so a command prints here exactly what it
 * prints in the REPL, errors in order with output. The panes read the setup and the VFS
 * directly (the plan's steps, vfs_mount_list, vfs_getdents) and are rebuilt on every
 * redraw, so they can never show a kernel that `reset` or `spec load` threw away.
 *
 * Invariants: while curses owns the terminal, file descriptor 2 is a temporary file
 * (anything a library writes there becomes messages instead of garbage on the screen),
 * and the terminal is given back - endwin(), descriptor 2 restored - on every way out:
 * quit, exit(), and the fatal signals SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGTERM, SIGINT,
 * SIGHUP, SIGQUIT (whose handler then re-raises the signal with its default action).
 * NO_COLOR (non-empty, as no-color.org says) means no colour escape at all: attributes
 * (bold, reverse) and the text markers carry the meaning alone.
 *
 * This file: the terminal guard, the messages, running commands, the command line, the
 * keys and tui_main(); the layout and the panes are tui_draw.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "base/errname.h"
#include "cmd.h"
#include "setup.h"
#include "tui.h"
#include "vfslab/boot.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

int tui_main(int argc, char **argv);

/* For the signal handlers and atexit: whether curses has the terminal, and the real
 * standard error. */
static volatile sig_atomic_t tui_active;
static int tui_saved_stderr = -1;

static const int fatal_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
				     SIGTERM, SIGINT,  SIGHUP, SIGQUIT };

static void restore_terminal(void);

void tui_oom(void)
{
	restore_terminal();
	fputs("vfslab: tui: out of memory\n", stderr);
	exit(1);
}

char *tui_xstrdup(const char *s)
{
	char *r = strdup(s);

	if (!r)
		tui_oom();
	return r;
}

void *tui_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		tui_oom();
	return p;
}

/* ------------------------------------------------------------------ terminal guard */

static void restore_terminal(void)
{
	if (tui_active) {
		tui_active = 0;
		endwin();
	}
	if (tui_saved_stderr >= 0) {
		dup2(tui_saved_stderr, STDERR_FILENO);
		close(tui_saved_stderr);
		tui_saved_stderr = -1;
	}
}

/* The handler runs once (SA_RESETHAND): the terminal back, then the signal again with
 * its default action (SA_NODEFER lets it through at once), so the exit status and a core
 * dump are the signal's as if we had never caught it. */
static void on_fatal_signal(int sig)
{
	restore_terminal();
	raise(sig);
}

static void guard_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

static void unguard_signals(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		signal(fatal_signals[i], SIG_DFL);
}

/* Point descriptor 2 at a temporary file opened for appending; drain_stderr() moves what
 * lands there into the messages. */
static int capture_stderr(struct tui *t)
{
	FILE *f = tmpfile();
	int fd, saved;

	if (!f)
		return -errno;
	fd = dup(fileno(f));
	fclose(f);
	if (fd < 0)
		return -errno;
	saved = dup(STDERR_FILENO);
	if (saved < 0 || fcntl(fd, F_SETFL, O_APPEND) || dup2(fd, STDERR_FILENO) < 0) {
		int err = -errno;

		if (saved >= 0)
			close(saved);
		close(fd);
		return err;
	}
	fcntl(saved, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	t->cap_fd = fd;
	t->cap_off = 0;
	tui_saved_stderr = saved;
	return 0;
}

/* ------------------------------------------------------------------ messages */
static enum role msg_role(const char *line)
{
	if (!strncmp(line, "vfslab: ", 8) || strstr(line, ": vfslab: "))
		return R_ERROR;
	if (!strncmp(line, "+ ", 2))
		return R_ADDED;
	if (!strncmp(line, "~ ", 2))
		return R_MODIFIED;
	if (!strncmp(line, "! ", 2))
		return R_FAILED;
	return R_NORMAL;
}

/* One line into the messages: tabs expanded, control characters shown as '?'. */
static void msg_add(struct tui *t, const char *line, size_t len, enum role role)
{
	char *text = tui_xrealloc(NULL, len * 8 + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\t') {
			do
				text[o++] = ' ';
			while (o % 8);
		} else {
			text[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	}
	text[o] = '\0';
	if (t->nmsgs == MAX_MSGS) {
		free(t->msgs[0].text);
		memmove(t->msgs, t->msgs + 1, (MAX_MSGS - 1) * sizeof(*t->msgs));
		t->nmsgs--;
	}
	t->msgs = tui_xrealloc(t->msgs, (t->nmsgs + 1) * sizeof(*t->msgs));
	t->msgs[t->nmsgs].text = text;
	t->msgs[t->nmsgs].role = role == R_NORMAL ? msg_role(text) : role;
	t->nmsgs++;
	/* New output scrolls the messages to their end. */
	t->panes[P_MSGS].sel = t->nmsgs - 1;
}

/* Text made of lines, into the messages (a missing last newline is no blank line). */
static void msg_text(struct tui *t, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		msg_add(t, p, n, R_NORMAL);
		p += n + (nl != NULL);
	}
}

static void msgf(struct tui *t, enum role role, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void msgf(struct tui *t, enum role role, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		tui_oom();
	msg_add(t, line, (size_t)n, role);
	free(line);
}

/* What something wrote to descriptor 2 since the last look. */
static void drain_stderr(struct tui *t)
{
	char buf[4096], *all = NULL;
	size_t len = 0;
	ssize_t n;

	if (t->cap_fd < 0)
		return;
	while ((n = pread(t->cap_fd, buf, sizeof(buf), t->cap_off)) > 0) {
		all = tui_xrealloc(all, len + (size_t)n);
		memcpy(all + len, buf, (size_t)n);
		len += (size_t)n;
		t->cap_off += n;
	}
	if (len)
		msg_text(t, all, len);
	free(all);
}

/* ------------------------------------------------------------------ running commands */

static bool is_step_command(struct tui *t, const char *line)
{
	const struct cmd *c;
	char **argv;
	const char *err;
	int argc = cmd_split_words(line, &argv, &err);
	bool step = false;

	if (argc > 0) {
		c = cmd_lookup(&t->s, argv[0], false);
		step = c && (c->flags & CMD_F_STEP);
	}
	if (argc >= 0)
		cmd_free_words(argc, argv);
	return step;
}

/* After a command: the mounts its steps added or changed (the tree highlights them), and
 * the plan's selection on the next step. A new kernel (reset, order, spec load) or a
 * setup that went back has no changes to show. */
static void note_changes(struct tui *t, struct kernel *k_before, size_t pos_before)
{
	struct setup *su = t->s.setup;
	struct pane *p;
	size_t pos, i, third;

	if (!su || !su->plan)
		return;
	pos = setup_pos(su);
	if (t->s.k != k_before || pos < pos_before) {
		t->nchanges = 0;
	} else if (pos > pos_before) {
		t->nchanges = 0;
		for (i = pos_before; i < pos && i < su->plan->nsteps; i++) {
			const struct boot_change *c = &su->plan->steps[i].change;

			if (!c->done || c->err || c->mnt_id < 0)
				continue;
			t->changes =
				tui_xrealloc(t->changes, (t->nchanges + 1) * sizeof(*t->changes));
			t->changes[t->nchanges].mnt_id = c->mnt_id;
			t->changes[t->nchanges].kind = c->kind;
			t->nchanges++;
		}
	} else {
		return; /* nothing stepped: keep the plan's selection where the user put it */
	}
	/* The plan follows the setup: the next step (or the failed one), a third of the way
	 * down, so the steps just done stay in sight above it. */
	p = &t->panes[P_PLAN];
	p->sel = pos < su->plan->nsteps ? pos : su->plan->nsteps - 1;
	third = (size_t)MAX(0, p->h - 1) / 3;
	p->top = p->sel > third ? p->sel - third : 0;
}

/* Run a command line (';'-separated commands) as the REPL would at a terminal: every
 * command runs, errors are shown and do not stop the rest. */
static void run_command(struct tui *t, const char *line)
{
	struct session *s = &t->s;
	struct kernel *k_before = s->k;
	size_t pos_before = s->setup ? setup_pos(s->setup) : 0;
	char *buf = NULL, **cmds;
	size_t len = 0;
	FILE *f;
	int n, i;

	msgf(t, R_CMD, "%s%s", session_prompt(s), line);
	f = open_memstream(&buf, &len);
	if (!f)
		tui_oom();
	s->out = s->err = f;
	n = cmd_split_commands(line, &cmds);
	for (i = 0; i < n && !s->quit; i++) {
		bool ignore;

		cmd_run_line(s, cmds[i], &ignore);
	}
	cmd_free_words(n, cmds);
	s->out = s->err = stderr; /* the capture file: nothing prints outside a command */
	fclose(f);
	msg_text(t, buf, len);
	free(buf);
	drain_stderr(t);
	note_changes(t, k_before, pos_before);
	if (is_step_command(t, line)) {
		free(t->last_step);
		t->last_step = tui_xstrdup(line);
	}
	if (s->quit)
		t->quit = true;
}

/* A word for a command line: as it is when it needs no quoting, else in double quotes
 * with C escapes. */
static char *quote_arg(const char *arg)
{
	char *q = tui_xrealloc(NULL, strlen(arg) * 4 + 3), *o = q;
	const unsigned char *p;

	if (*arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789/._-+,:=@%") == strlen(arg)) {
		strcpy(q, arg);
		return q;
	}
	*o++ = '"';
	for (p = (const unsigned char *)arg; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\%03o", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	*o = '\0';
	return q;
}

static void run_on_path(struct tui *t, const char *cmd, const char *path)
{
	char *q = quote_arg(path), *line;

	if (asprintf(&line, "%s %s", cmd, q) < 0)
		tui_oom();
	run_command(t, line);
	free(line);
	free(q);
}

/* ------------------------------------------------------------------ the command line */

static void hist_add(struct tui *t, const char *line)
{
	if (!*line || (t->nhist && !strcmp(t->hist[t->nhist - 1], line)))
		return;
	if (t->nhist == MAX_HIST) {
		free(t->hist[0]);
		memmove(t->hist, t->hist + 1, (MAX_HIST - 1) * sizeof(*t->hist));
		t->nhist--;
	}
	t->hist[t->nhist++] = tui_xstrdup(line);
}

static void set_edit(wchar_t *buf, int *len, int *cur, const char *text)
{
	size_t n = mbstowcs(buf, text, EDIT_MAX);

	if (n == (size_t)-1)
		n = 0;
	buf[n] = L'\0';
	*len = *cur = (int)n;
}

/* Complete the command name being typed (the first word) from the table. */
static void complete(struct tui *t, wchar_t *buf, int *len, int *cur)
{
	char word[64], common[64] = "", list[200] = "";
	size_t i, nmatch = 0, wl;
	int k;

	if (*cur != *len || *len >= (int)sizeof(word))
		return;
	for (k = 0; k < *len; k++) {
		if (buf[k] == L' ' || buf[k] > 0x7f)
			return;
		word[k] = (char)buf[k];
	}
	word[*len] = '\0';
	wl = strlen(word);
	for (i = 0; i < cmd_table_len; i++) {
		const struct cmd *c = &cmd_table[i];

		if ((c->flags & CMD_F_ALIAS) || strncmp(c->name, word, wl))
			continue;
		if (!nmatch++) {
			snprintf(common, sizeof(common), "%s", c->name);
		} else {
			size_t j = 0;

			while (common[j] && common[j] == c->name[j])
				j++;
			common[j] = '\0';
		}
		if (strlen(list) + strlen(c->name) + 2 < sizeof(list)) {
			strcat(list, " ");
			strcat(list, c->name);
		}
	}
	if (!nmatch)
		return;
	if (nmatch == 1)
		strcat(common, " ");
	else if (strlen(common) == wl)
		msgf(t, R_DIM, "%s", list + 1); /* nothing to add: show the candidates */
	for (k = *len; common[k] && k < EDIT_MAX; k++)
		buf[k] = (wchar_t)common[k];
	buf[k] = L'\0';
	*len = *cur = k;
}

/* Edit a line at the bottom; true with the line in out (caller frees) on Enter, false on
 * Escape. The rest of the screen keeps redrawing (a resize while typing). */
static bool read_line(struct tui *t, const char *prompt, bool commands, char **out)
{
	wchar_t buf[EDIT_MAX + 1] = L"";
	int len = 0, cur = 0;
	size_t hpos = t->nhist;
	wint_t ch;
	int kind;

	for (;;) {
		tui_draw(t, prompt, buf, cur);
		t->status[0] = '\0';
		errno = 0;
		kind = get_wch(&ch);
		if (kind == ERR) {
			if (errno != EINTR) {
				t->quit = true;
				return false;
			}
			continue;
		}
		if (kind == KEY_CODE_YES) {
			switch (ch) {
			case KEY_LEFT: cur -= cur > 0; break;
			case KEY_RIGHT: cur += cur < len; break;
			case KEY_HOME: cur = 0; break;
			case KEY_END: cur = len; break;
			case KEY_BACKSPACE:
				if (cur > 0) {
					wmemmove(buf + cur - 1, buf + cur, (size_t)(len - cur + 1));
					cur--;
					len--;
				}
				break;
			case KEY_DC:
				if (cur < len) {
					wmemmove(buf + cur, buf + cur + 1, (size_t)(len - cur));
					len--;
				}
				break;
			case KEY_UP:
				if (commands && hpos > 0)
					set_edit(buf, &len, &cur, t->hist[--hpos]);
				break;
			case KEY_DOWN:
				if (commands && hpos < t->nhist) {
					hpos++;
					set_edit(buf, &len, &cur,
						 hpos < t->nhist ? t->hist[hpos] : "");
				}
				break;
			case KEY_ENTER: goto done;
			default: break;
			}
			continue;
		}
		switch (ch) {
		case L'\n':
		case L'\r': goto done;
		case 27: return false; /* Escape */
		case 7: /* ^G, as in Emacs */ return false;
		case 1: cur = 0; break;	  /* ^A */
		case 5: cur = len; break; /* ^E */
		case 11:		  /* ^K */
			buf[cur] = L'\0';
			len = cur;
			break;
		case 21: /* ^U */
			wmemmove(buf, buf + cur, (size_t)(len - cur + 1));
			len -= cur;
			cur = 0;
			break;
		case 8:
		case 127:
			if (cur > 0) {
				wmemmove(buf + cur - 1, buf + cur, (size_t)(len - cur + 1));
				cur--;
				len--;
			}
			break;
		case L'\t':
			if (commands)
				complete(t, buf, &len, &cur);
			break;
		default:
			if (ch >= 0x20 && ch != 0x7f && len < EDIT_MAX) {
				wmemmove(buf + cur + 1, buf + cur, (size_t)(len - cur + 1));
				buf[cur++] = (wchar_t)ch;
				len++;
			}
			break;
		}
	}
done : {
	size_t n = wcstombs(NULL, buf, 0);

	if (n == (size_t)-1)
		return false;
	*out = tui_xrealloc(NULL, n + 1);
	wcstombs(*out, buf, n + 1);
	return true;
}
}

static void command_line(struct tui *t)
{
	char *line;
	const char *p;

	if (!read_line(t, session_prompt(&t->s), true, &line))
		return;
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p) {
		/* An empty line repeats a stepping command, as in the REPL. */
		if (t->last_step) {
			char *again = tui_xstrdup(t->last_step);

			run_command(t, again);
			free(again);
		}
	} else {
		hist_add(t, line);
		run_command(t, line);
	}
	free(line);
}

/* ------------------------------------------------------------------ keys */

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i] &&
			    tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]);
		     i++)
			;
		if (i == n)
			return true;
	}
	return !n;
}

static void search(struct tui *t)
{
	struct pane *p = &t->panes[t->focus];
	struct screen sc;
	const struct rows *r;
	char *pat;
	size_t i;

	if (!read_line(t, "/", false, &pat))
		return;
	if (!*pat) {
		free(pat);
		if (!t->search) {
			snprintf(t->status, sizeof(t->status), "No previous pattern");
			return;
		}
	} else {
		free(t->search);
		t->search = pat;
	}
	tui_screen_build(t, &sc);
	r = &sc.r[t->focus];
	for (i = 1; i <= r->n; i++) {
		size_t k = (p->sel + i) % r->n;

		if (contains_nocase(r->v[k].text, t->search)) {
			p->sel = k;
			break;
		}
	}
	if (i > r->n)
		snprintf(t->status, sizeof(t->status), "Pattern not found in %s: %.200s", p->name,
			 t->search);
	tui_screen_free(&sc);
}

/* b: a breakpoint on the destination of the selected plan step, or off if it has one. */
static void toggle_break(struct tui *t)
{
	struct setup *su = t->s.setup;
	const struct boot_step *st;
	struct breakpoint *bp;
	size_t i = t->panes[P_PLAN].sel;
	char line[32];

	if (!su || !su->plan || i >= su->plan->nsteps)
		return;
	st = &su->plan->steps[i];
	bp = setup_break_at(su, i);
	if (bp) {
		snprintf(line, sizeof(line), "delete %d", bp->num);
		run_command(t, line);
	} else if (st->target && st->target[0] == '/') {
		run_on_path(t, "break", st->target);
	} else {
		snprintf(t->status, sizeof(t->status),
			 "Step %zu (%s %s) has no destination: ':break KIND' stops at a kind",
			 i + 1, boot_step_kind_name(st->kind), st->target ? st->target : "");
	}
}

/* Enter: what the selected row leads to. */
static void activate(struct tui *t)
{
	struct pane *p = &t->panes[t->focus];
	struct screen sc;
	const struct row *row;

	if (t->focus == P_PLAN) {
		struct setup *su = t->s.setup;
		char *buf = NULL, *line;
		size_t len = 0;
		FILE *f;

		if (!su || !su->plan || p->sel >= su->plan->nsteps)
			return;
		line = boot_format_step(su->plan, p->sel);
		f = open_memstream(&buf, &len);
		if (!f)
			tui_oom();
		if (line)
			tui_strip_newline(line);
		fprintf(f, "[%zu/%zu] %s\n", p->sel + 1, su->plan->nsteps, line ? line : "?");
		if (su->plan->steps[p->sel].change.done)
			setup_print_change(su, p->sel, f);
		else
			fprintf(f, "  (not carried out yet)\n");
		fclose(f);
		msg_text(t, buf, len);
		free(buf);
		free(line);
		return;
	}
	if (t->focus == P_MSGS)
		return;
	tui_screen_build(t, &sc);
	if (p->sel >= sc.r[t->focus].n) {
		tui_screen_free(&sc);
		return;
	}
	row = &sc.r[t->focus].v[p->sel];
	if (t->focus == P_TREE && row->key) {
		/* Browse the mount: the file pane goes there and takes the focus. */
		free(t->cwd);
		t->cwd = tui_xstrdup(row->key);
		t->panes[P_FILES].sel = t->panes[P_FILES].top = 0;
		t->focus = P_FILES;
	} else if (t->focus == P_FILES && row->key) {
		struct vfs_stat st;

		if (!strcmp(row->key, "..")) {
			const char *slash = strrchr(t->cwd, '/');

			free(t->reselect);
			t->reselect = tui_xstrdup(slash + 1);
			tui_path_up(t->cwd);
			p->sel = p->top = 0;
		} else if (!vfs_fstatat(t->s.task, AT_FDCWD, row->key, &st, 0) &&
			   S_ISDIR(st.mode)) {
			free(t->cwd);
			t->cwd = tui_xstrdup(row->key);
			p->sel = p->top = 0;
		} else if (row->mode == S_IFREG) {
			run_on_path(t, "cat", row->key);
		} else {
			run_on_path(t, "stat", row->key);
		}
	}
	tui_screen_free(&sc);
}

static void files_up(struct tui *t)
{
	const char *slash;

	if (!strcmp(t->cwd, "/"))
		return;
	slash = strrchr(t->cwd, '/');
	free(t->reselect);
	t->reselect = tui_xstrdup(slash + 1);
	tui_path_up(t->cwd);
	t->panes[P_FILES].sel = t->panes[P_FILES].top = 0;
}

static void move_sel(struct tui *t, long delta)
{
	struct pane *p = &t->panes[t->focus];
	long sel = (long)p->sel + delta;

	/* draw_rows() clamps at the end, which only it knows. */
	p->sel = sel < 0 ? 0 : (size_t)sel;
}

static void key(struct tui *t, wint_t ch, bool code)
{
	struct pane *p = &t->panes[t->focus];
	int page = MAX(1, p->h - 2);

	if (t->help) {
		t->help = false;
		return;
	}
	if (t->too_small) {
		if (!code && (ch == L'q' || ch == L'Q'))
			t->quit = true;
		return;
	}
	if (code) {
		switch (ch) {
		case KEY_UP: move_sel(t, -1); break;
		case KEY_DOWN: move_sel(t, 1); break;
		case KEY_PPAGE: move_sel(t, -page); break;
		case KEY_NPAGE: move_sel(t, page); break;
		case KEY_HOME: p->sel = 0; break;
		case KEY_END: p->sel = SIZE_MAX / 2; break;
		case KEY_LEFT: p->hscroll = MAX(0, p->hscroll - 8); break;
		case KEY_RIGHT: p->hscroll += 8; break;
		case KEY_BTAB: t->focus = (t->focus + P_COUNT - 1) % P_COUNT; break;
		case KEY_ENTER: activate(t); break;
		case KEY_BACKSPACE:
			if (t->focus == P_FILES)
				files_up(t);
			break;
		default: break; /* KEY_RESIZE: the redraw is all it needs */
		}
		return;
	}
	switch (ch) {
	case L'q':
	case L'Q': t->quit = true; break;
	case L's': run_command(t, "step"); break;
	case L'n': run_command(t, "next"); break;
	case L'f': run_command(t, "finish"); break;
	case L'c': run_command(t, "continue"); break;
	case L'b': toggle_break(t); break;
	case L'\t': t->focus = (t->focus + 1) % P_COUNT; break;
	case L'/': search(t); break;
	case L'?': t->help = true; break;
	case L':': command_line(t); break;
	case L'k': move_sel(t, -1); break;
	case L'j': move_sel(t, 1); break;
	case L'g': p->sel = 0; break;
	case L'G': p->sel = SIZE_MAX / 2; break;
	case L'\n':
	case L'\r': activate(t); break;
	case 8:
	case 127:
		if (t->focus == P_FILES)
			files_up(t);
		break;
	case 12: clearok(curscr, TRUE); break; /* ^L */
	default: break;
	}
}

/* ------------------------------------------------------------------ main */

static const char tui_usage[] =
	"usage: vfslab tui [--spec SPEC] [--rootfs M]\n"
	"\n"
	"The full-screen front end over the REPL's commands, on the mount setup of SPEC (a\n"
	"config.json or a folder holding one; default: the embedded runc spec) in the\n"
	"simulated kernel: the plan (the next step marked =>), the mount tree (what the last\n"
	"stepping command mounted marked +), a file browser of the VFS, and the messages the\n"
	"commands print.\n"
	"\n"
	"Keys: s step, n next, f finish, c continue, b breakpoint on the selected step's\n"
	"target, Tab next pane, / search, : a command ('help' lists them), ? help, q quit.\n"
	"\n"
	"  --spec SPEC  the OCI spec to set up\n"
	"  --rootfs M   its rootfs manifest (default: rootfs.manifest beside SPEC, else the\n"
	"               embedded minimal rootfs)\n"
	"  -h, --help   this text\n"
	"\n"
	"Needs a terminal on standard input and output (80x24 or larger; at least 40x12).\n"
	"NO_COLOR set to a non-empty value turns colours off.\n";

static int parse_args(int argc, char **argv, const char **spec, const char **rootfs)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "spec", required_argument, NULL, 'S' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(tui_usage, stdout); return 0;
		case 'S': *spec = optarg; break;
		case 'R': *rootfs = optarg; break;
		case ':':
			fprintf(stderr, "vfslab: tui: option '%s' requires an argument\n",
				argv[optind - 1]);
			goto usage;
		default:
			if (optopt)
				fprintf(stderr, "vfslab: tui: invalid option -- '%c'\n", optopt);
			else
				fprintf(stderr, "vfslab: tui: unrecognized option '%s'\n",
					argv[optind - 1]);
			goto usage;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfslab: tui: unexpected argument '%s'\n", argv[optind]);
		goto usage;
	}
	return -1;
usage:
	fputs("Try 'vfslab tui --help'.\n", stderr);
	return 2;
}

static void start_colors(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");

	t->color = !(nc && *nc) && has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_CURRENT, COLOR_YELLOW, -1);
	init_pair(PAIR_GOOD, COLOR_GREEN, -1);
	init_pair(PAIR_BAD, COLOR_RED, -1);
	init_pair(PAIR_MOUNT, COLOR_CYAN, -1);
	init_pair(PAIR_DIR, COLOR_BLUE, -1);
	init_pair(PAIR_CHANGED, COLOR_MAGENTA, -1);
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
}

static void tui_free(struct tui *t)
{
	size_t i;

	for (i = 0; i < t->nmsgs; i++)
		free(t->msgs[i].text);
	free(t->msgs);
	for (i = 0; i < t->nhist; i++)
		free(t->hist[i]);
	free(t->changes);
	free(t->cwd);
	free(t->reselect);
	free(t->search);
	free(t->last_step);
	if (t->cap_fd >= 0)
		close(t->cap_fd);
}

int tui_main(int argc, char **argv)
{
	const char *spec = NULL, *rootfs = NULL, *codeset;
	struct tui t;
	SCREEN *scr;
	int status;

	status = parse_args(argc, argv, &spec, &rootfs);
	if (status >= 0)
		return status;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("vfslab: tui: standard input and output must be a terminal (for scripts: "
		      "vfslab repl)\n",
		      stderr);
		return 2;
	}
	memset(&t, 0, sizeof(t));
	t.cap_fd = -1;
	t.focus = P_PLAN;
	t.cwd = tui_xstrdup("/");
	setlocale(LC_ALL, "");
	codeset = nl_langinfo(CODESET);
	t.utf8 = codeset && !strcmp(codeset, "UTF-8");

	/* Warnings while loading the spec become the first messages; an error that ends the
	 * run goes to the real standard error. */
	if (capture_stderr(&t))
		t.cap_fd = -1;
	status = session_init_spec(&t.s, "tui", spec, rootfs, false);
	if (status) {
		char buf[4096];
		ssize_t n;
		off_t off = 0;

		restore_terminal();
		while (t.cap_fd >= 0 && (n = pread(t.cap_fd, buf, sizeof(buf), off)) > 0) {
			fwrite(buf, 1, (size_t)n, stderr);
			off += n;
		}
		tui_free(&t);
		return status;
	}
	t.s.out = t.s.err = stderr;
	msgf(&t, R_NORMAL, "vfslab tui: %s, order %s, %zu steps. ? help, : a command, q quit.",
	     t.s.setup->spec_path, boot_order_name(t.s.setup->ls.conf.order),
	     setup_nsteps(t.s.setup));
	drain_stderr(&t);

	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		restore_terminal();
		fprintf(stderr, "vfslab: tui: cannot use the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		session_fini(&t.s);
		tui_free(&t);
		return 2;
	}
	tui_active = 1;
	atexit(restore_terminal);
	/* After newterm: ours replace the handlers ncurses installs for SIGINT and SIGTERM
	 * (it keeps SIGWINCH, which turns into KEY_RESIZE). */
	guard_signals();
	start_colors(&t);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);

	while (!t.quit) {
		wint_t ch;
		int kind;

		tui_draw(&t, NULL, NULL, 0);
		t.status[0] = '\0';
		errno = 0;
		kind = get_wch(&ch);
		if (kind == ERR) {
			/* Interrupted, or the terminal is gone (a hangup): then there is no one
			 * to draw for. */
			if (errno != EINTR)
				t.quit = true;
			continue;
		}
		key(&t, ch, kind == KEY_CODE_YES);
	}

	restore_terminal();
	unguard_signals();
	delscreen(scr);
	session_fini(&t.s);
	tui_free(&t);
	return 0;
}
