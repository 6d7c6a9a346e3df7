/*
 * tui.h - what the parts of `vfslab tui` share: the state of the screen (struct tui),
 * the panes and their rows, and the drawing entry points (tui_draw.c) the event loop
 * (tui.c) calls.
 *
 * The state belongs to the one thread that runs the TUI; nothing here is shared.
 */
#ifndef VFSLAB_TUI_TUI_H
#define VFSLAB_TUI_TUI_H

#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <wchar.h>

#include "cmd.h"
#include "vfslab/boot.h"
#include "vfslab/vfs.h"

/* Below this the panes cannot be told apart; 80x24 is the size the layout is made for. */
#define MIN_COLS 40
#define MIN_LINES 12
#define MAX_MSGS 2000 /* lines kept in the messages pane */
#define EDIT_MAX 1024 /* characters of a command line */
#define MAX_HIST 200

enum pane_id { P_PLAN, P_TREE, P_FILES, P_MSGS, P_COUNT };

/* What a row means; role_attr() turns it into curses attributes (colour or not). */
enum role {
	R_NORMAL,
	R_CURRENT,  /* the plan's next step */
	R_DONE,	    /* a step carried out */
	R_FAILED,   /* a failed step, a "! " change */
	R_ADDED,    /* a mount the last stepping command added */
	R_MODIFIED, /* a mount whose flags it changed */
	R_DIR,
	R_MOUNTPOINT, /* a directory with a mount on it */
	R_ERROR,      /* "vfslab: ..." messages */
	R_CMD,	      /* the echoed command line */
	R_DIM,
};

struct row {
	char *text;
	char *key; /* tree: the mount point; files: the entry's path; NULL elsewhere */
	int mode;  /* files: the entry's type (S_IFMT bits), 0 for ".." */
	enum role role;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

struct pane {
	const char *name;
	int y, x, h, w; /* h includes the header row */
	size_t sel, top;
	int hscroll;
};

struct msg {
	char *text;
	enum role role;
};

/* A mount the last stepping command touched. */
struct change {
	int mnt_id;
	enum boot_change_kind kind;
};

struct tui {
	struct session s;
	struct pane panes[P_COUNT];
	int focus;
	bool color, utf8, quit, help, too_small;
	struct msg *msgs;
	size_t nmsgs;
	struct change *changes;
	size_t nchanges;
	char *cwd;	 /* the directory the file browser shows (absolute) */
	char *reselect;	 /* files: the entry to select after the next listing */
	char *search;	 /* the last search pattern */
	char *last_step; /* the last stepping command line, for an empty command line */
	char *hist[MAX_HIST];
	size_t nhist;
	char status[256]; /* a one-time note for the bottom line */
	int cap_fd;	  /* the temporary file descriptor 2 writes into */
	off_t cap_off;	  /* how much of it is already in the messages */
};

enum { PAIR_CURRENT = 1, PAIR_GOOD, PAIR_BAD, PAIR_MOUNT, PAIR_DIR, PAIR_CHANGED, PAIR_TITLE };

/* The rows of each pane, made afresh from the session. */
struct screen {
	struct rows r[P_COUNT];
	struct vfs_mount_info *mounts;
	size_t nmounts;
	int dir_mnt;
};

/* tui.c: allocation that cannot fail (out of memory gives the terminal back, then
 * exits with status 1). */
void tui_oom(void);
char *tui_xstrdup(const char *s);
void *tui_xrealloc(void *p, size_t n);

/* tui_draw.c */
/* Redraw the whole screen; edit (NULL: none) is the command line being edited, shown
 * after prompt with the cursor at its column cur. Recomputes the layout (a resize). */
void tui_draw(struct tui *t, const char *prompt, const wchar_t *edit, int cur);
/* The rows of every pane, as they would be drawn now; free with tui_screen_free. */
void tui_screen_build(struct tui *t, struct screen *sc);
void tui_screen_free(struct screen *sc);
/* Drop the trailing newlines of a line, in place. */
void tui_strip_newline(char *line);
/* The parent of an absolute path, in place ("/a/b" -> "/a", "/a" -> "/"). */
void tui_path_up(char *path);

#endif
