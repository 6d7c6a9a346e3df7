/*
 * tui_draw.c - the screen of `vfslab tui`: the layout, the rows of each pane built
 * afresh from the session (the plan's steps, vfs_mount_list, a directory of the VFS,
 * the messages), and drawing them.
 *
 * Layout (80x24 and up): the title line; the plan (left half) beside the mount tree
 * (right, top) and the file browser (right, bottom); the messages (a quarter of the
 * height, across); the command line. Each pane's first row is its header, a rule with
 * the title in it (reversed for the pane with the focus).
 *
 * Text goes through put_text(): decoded as UTF-8 in a UTF-8 locale (else bytes above
 * 0x7f show as '?'), cut to the pane's width after its horizontal scroll, so no row
 * can spill into its neighbour. Colour only through role_attr(), which gives plain
 * attributes when colour is off (NO_COLOR).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/errname.h"
#include "setup.h"
#include "tui.h"
#include "vfslab/kernel.h"

/* ------------------------------------------------------------------ rows */

static void rows_add(struct rows *r, enum role role, const char *key, int mode, const char *fmt,
		     ...) PRINTF_LIKE(5, 6);

static void rows_add(struct rows *r, enum role role, const char *key, int mode, const char *fmt,
		     ...)
{
	struct row *row;
	va_list ap;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->v = tui_xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	row = &r->v[r->n++];
	va_start(ap, fmt);
	if (vasprintf(&row->text, fmt, ap) < 0)
		tui_oom();
	va_end(ap);
	row->key = key ? tui_xstrdup(key) : NULL;
	row->mode = mode;
	row->role = role;
}

static void rows_free(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].text);
		free(r->v[i].key);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ drawing helpers */

static attr_t role_attr(const struct tui *t, enum role role)
{
	if (!t->color) {
		switch (role) {
		case R_CURRENT:
		case R_FAILED:
		case R_ADDED:
		case R_MODIFIED:
		case R_DIR:
		case R_ERROR:
		case R_CMD: return A_BOLD;
		case R_MOUNTPOINT: return A_BOLD | A_UNDERLINE;
		case R_DIM: return A_DIM;
		default: return A_NORMAL;
		}
	}
	switch (role) {
	case R_CURRENT: return COLOR_PAIR(PAIR_CURRENT) | A_BOLD;
	case R_DONE: return COLOR_PAIR(PAIR_GOOD);
	case R_FAILED: return COLOR_PAIR(PAIR_BAD) | A_BOLD;
	case R_ADDED: return COLOR_PAIR(PAIR_GOOD) | A_BOLD;
	case R_MODIFIED: return COLOR_PAIR(PAIR_CHANGED) | A_BOLD;
	case R_DIR: return COLOR_PAIR(PAIR_DIR) | A_BOLD;
	case R_MOUNTPOINT: return COLOR_PAIR(PAIR_MOUNT) | A_BOLD;
	case R_ERROR: return COLOR_PAIR(PAIR_BAD);
	case R_CMD: return A_BOLD;
	case R_DIM: return A_DIM;
	default: return A_NORMAL;
	}
}

/* Draw text at (y, x) in at most w columns, skipping its first skip columns; fill pads
 * the rest of the w columns with blanks (for a highlighted bar). Multibyte text is
 * decoded in a UTF-8 locale; elsewhere a byte above 0x7f shows as '?'. */
static void put_text(const struct tui *t, int y, int x, int w, const char *s, int skip, attr_t attr,
		     bool fill)
{
	mbstate_t st;
	int col = 0;

	memset(&st, 0, sizeof(st));
	attrset(attr);
	move(y, x);
	while (*s && col < w) {
		wchar_t wc;
		size_t n = 1;
		int cw;

		if (t->utf8) {
			n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				memset(&st, 0, sizeof(st));
				wc = L'?';
				n = 1;
			}
		} else {
			wc = (unsigned char)*s < 0x80 ? (wchar_t)*s : L'?';
		}
		s += n;
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (cw == 0)
			continue;
		if (skip > 0) {
			skip -= cw;
			continue;
		}
		if (col + cw > w)
			break;
		addnwstr(&wc, 1);
		col += cw;
	}
	for (; fill && col < w; col++)
		addch(' ');
	attrset(A_NORMAL);
}

/* Box drawing: Unicode characters in a UTF-8 locale (what every terminal of today
 * shows, and what a screen capture reads back as text), the terminal's alternate
 * character set elsewhere. */
enum box { BOX_H, BOX_V, BOX_LTEE, BOX_UL, BOX_UR, BOX_LL, BOX_LR };

static void put_box(const struct tui *t, int y, int x, enum box b)
{
	static const wchar_t uni[] = { L'\u2500', L'\u2502', L'\u251c', L'\u250c',
				       L'\u2510', L'\u2514', L'\u2518' };

	if (t->utf8) {
		mvaddnwstr(y, x, &uni[b], 1);
		return;
	}
	switch (b) {
	case BOX_H: mvaddch(y, x, ACS_HLINE); break;
	case BOX_V: mvaddch(y, x, ACS_VLINE); break;
	case BOX_LTEE: mvaddch(y, x, ACS_LTEE); break;
	case BOX_UL: mvaddch(y, x, ACS_ULCORNER); break;
	case BOX_UR: mvaddch(y, x, ACS_URCORNER); break;
	case BOX_LL: mvaddch(y, x, ACS_LLCORNER); break;
	case BOX_LR: mvaddch(y, x, ACS_LRCORNER); break;
	}
}

static void hrule(const struct tui *t, int y, int x, int n)
{
	while (n-- > 0)
		put_box(t, y, x++, BOX_H);
}

static void vrule(const struct tui *t, int y, int x, int n)
{
	while (n-- > 0)
		put_box(t, y++, x, BOX_V);
}

/* The header row of a pane: a rule with the title in it, reversed when focused. */
static void draw_header(const struct tui *t, const struct pane *p, bool focused, const char *title)
{
	attrset(A_NORMAL);
	hrule(t, p->y, p->x, p->w);
	put_text(t, p->y, p->x + 1, p->w - 2, title, 0, focused ? A_REVERSE | A_BOLD : A_BOLD,
		 false);
}

/* Rows under the header, scrolled so the selection is visible; the selection is a
 * reversed bar when the pane has the focus. */
static void draw_rows(struct tui *t, struct pane *p, bool focused, const struct rows *r)
{
	int rows = p->h - 1, i;

	if (rows <= 0)
		return;
	if (r->n == 0)
		p->sel = 0;
	else if (p->sel >= r->n)
		p->sel = r->n - 1;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + (size_t)rows)
		p->top = p->sel - (size_t)rows + 1;
	if (p->top + (size_t)rows > r->n)
		p->top = r->n > (size_t)rows ? r->n - (size_t)rows : 0;
	for (i = 0; i < rows && p->top + (size_t)i < r->n; i++) {
		const struct row *row = &r->v[p->top + (size_t)i];
		bool bar = focused && p->top + (size_t)i == p->sel;
		attr_t a = role_attr(t, row->role);

		put_text(t, p->y + 1 + i, p->x, p->w, row->text, p->hscroll,
			 bar ? a | A_REVERSE : a, bar);
	}
}

/* ------------------------------------------------------------------ the panes */

void tui_strip_newline(char *line)
{
	size_t len = strlen(line);

	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
}

static void plan_rows(struct tui *t, struct rows *r)
{
	struct setup *su = t->s.setup;
	size_t i, pos;

	if (!su || !su->plan) {
		rows_add(r, R_DIM, NULL, 0, "(no spec loaded: spec load PATH)");
		return;
	}
	pos = setup_pos(su);
	for (i = 0; i < su->plan->nsteps; i++) {
		const struct boot_change *c = &su->plan->steps[i].change;
		char *line = boot_format_step(su->plan, i);
		enum role role = c->done && c->err ? R_FAILED
				 : c->done	   ? R_DONE
				 : i == pos	   ? R_CURRENT
						   : R_NORMAL;
		const char *mark = role == R_FAILED    ? "! "
				   : role == R_DONE    ? "+ "
				   : role == R_CURRENT ? "=>"
						       : "  ";

		if (line)
			tui_strip_newline(line);
		rows_add(r, role, NULL, 0, "%s%c%s", mark, setup_break_at(su, i) ? 'B' : ' ',
			 line ? line : "?");
		free(line);
	}
}

static const struct change *find_change(const struct tui *t, int mnt_id)
{
	size_t i;

	/* The last change of a mount wins: mounted, then made writable, is "~". */
	for (i = t->nchanges; i-- > 0;)
		if (t->changes[i].mnt_id == mnt_id)
			return &t->changes[i];
	return NULL;
}

struct tree_ctx {
	struct tui *t;
	struct rows *r;
	const struct vfs_mount_info *m;
	size_t n;
	int width; /* of the target column */
	bool *shown;
};

/* Is the mount hidden by another mounted over it or over a directory above it? */
static bool mount_shadowed(struct task *task, const struct vfs_mount_info *m)
{
	struct vfs_stat st;

	return vfs_fstatat(task, AT_FDCWD, m->mount_point, &st, 0) || st.mnt_id != m->mnt_id;
}

static int text_cols(const char *s)
{
	int cols = 0;

	for (; *s; s++)
		cols += ((unsigned char)*s & 0xc0) != 0x80;
	return cols;
}

static void tree_add(struct tree_ctx *c, size_t i, const char *prefix, const char *branch)
{
	const struct vfs_mount_info *mi = &c->m[i];
	const struct change *ch = find_change(c->t, mi->mnt_id);
	bool utf8 = c->t->utf8;
	char *target, *next;
	size_t j, last = SIZE_MAX;
	char ro[3] = "rw";
	int pad;

	c->shown[i] = true;
	if (asprintf(&target, "%s%s%s", prefix, branch, mi->mount_point) < 0)
		tui_oom();
	pad = c->width - text_cols(target);
	if (mi->mount_opts && !strncmp(mi->mount_opts, "ro", 2))
		memcpy(ro, "ro", 2);
	rows_add(c->r, ch ? (ch->kind == BOOT_CHANGE_MODIFIED ? R_MODIFIED : R_ADDED) : R_NORMAL,
		 mi->mount_point, 0, "%c %s%*s %-8s %s %s%s",
		 ch ? (ch->kind == BOOT_CHANGE_MODIFIED ? '~' : '+') : ' ', target,
		 pad > 0 ? pad : 0, "", mi->fstype ? mi->fstype : "?", ro,
		 mi->source ? mi->source : "none",
		 mount_shadowed(c->t->s.task, mi) ? " (shadowed)" : "");
	free(target);
	for (j = 0; j < c->n; j++)
		if (j != i && c->m[j].parent_id == mi->mnt_id && !c->shown[j])
			last = j;
	if (last == SIZE_MAX)
		return;
	/* The children's prefix continues this row's branch, as findmnt draws it. */
	if (asprintf(&next, "%s%s", prefix,
		     !*branch				  ? ""
		     : strcmp(branch, utf8 ? "└─" : "`-") ? (utf8 ? "│ " : "| ")
							  : "  ") < 0)
		tui_oom();
	for (j = 0; j < c->n; j++)
		if (j != i && c->m[j].parent_id == mi->mnt_id && !c->shown[j])
			tree_add(c, j, next,
				 j == last ? (utf8 ? "└─" : "`-") : (utf8 ? "├─" : "|-"));
	free(next);
}

static int depth_of(const struct vfs_mount_info *m, size_t n, size_t i)
{
	int d = 0;
	size_t j;

	for (;;) {
		for (j = 0; j < n && (j == i || m[j].mnt_id != m[i].parent_id); j++)
			;
		if (j == n || d > 64)
			return d;
		i = j;
		d++;
	}
}

static void tree_rows(struct tui *t, struct rows *r, const struct vfs_mount_info *m, size_t n)
{
	struct tree_ctx c = { .t = t, .r = r, .m = m, .n = n, .width = 6 };
	size_t i, j;

	c.shown = calloc(n ? n : 1, sizeof(bool));
	if (!c.shown)
		tui_oom();
	/* The target column fits the deepest branch (two columns a level), up to half the
	 * pane: the type and source matter more than a long path's tail. */
	for (i = 0; i < n; i++)
		c.width = MAX(c.width, 2 * depth_of(m, n, i) + text_cols(m[i].mount_point));
	c.width = MIN(c.width, MAX(12, t->panes[P_TREE].w / 2));
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && (j == i || m[j].mnt_id != m[i].parent_id); j++)
			;
		if (j == n && !c.shown[i])
			tree_add(&c, i, "", "");
	}
	free(c.shown);
	if (!n)
		rows_add(r, R_DIM, NULL, 0, "(no mounts)");
}

/* The records vfs_getdents() packs, as Linux's struct linux_dirent64. */
struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
} __attribute__((packed));

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path (without . and ..), sorted. */
static int list_dir(struct task *task, const char *path, char ***namesp, size_t *np)
{
	char buf[8192], **names = NULL;
	size_t n = 0;
	ssize_t len;
	int fd, err = 0;

	fd = vfs_openat(task, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	while ((len = vfs_getdents(task, fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while (off < (size_t)len) {
			struct dirent64_hdr h;
			const char *name = buf + off + sizeof(h);

			memcpy(&h, buf + off, sizeof(h));
			if (h.d_reclen == 0) {
				err = -EIO;
				goto out;
			}
			off += h.d_reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			names = tui_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = tui_xstrdup(name);
		}
	}
	if (len < 0)
		err = (int)len;
out:
	vfs_close(task, fd);
	if (err) {
		while (n)
			free(names[--n]);
		free(names);
		return err;
	}
	if (n > 1) /* qsort wants a non-NULL array, even empty */
		qsort(names, n, sizeof(*names), cmp_str);
	*namesp = names;
	*np = n;
	return 0;
}

static char *path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) < 0)
		tui_oom();
	return p;
}

/* The parent of an absolute path, in place ("/a/b" -> "/a", "/a" -> "/"). */
void tui_path_up(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash == path)
		path[1] = '\0';
	else if (slash)
		*slash = '\0';
}

static void mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISDIR(mode)	  ? 'd'
		 : S_ISLNK(mode)  ? 'l'
		 : S_ISCHR(mode)  ? 'c'
		 : S_ISBLK(mode)  ? 'b'
		 : S_ISFIFO(mode) ? 'p'
		 : S_ISSOCK(mode) ? 's'
				  : '-';
	for (i = 0; i < 9; i++)
		out[1 + i] = mode & (0400u >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

static const char *mount_fstype(const struct vfs_mount_info *m, size_t n, int mnt_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (m[i].mnt_id == mnt_id)
			return m[i].fstype;
	return NULL;
}

/* The file browser's rows; m and n are the mounts, to name a mount point's type. */
static void file_rows(struct tui *t, struct rows *r, const struct vfs_mount_info *m, size_t n_m,
		      int *dir_mnt)
{
	struct task *task = t->s.task;
	struct vfs_stat dst;
	char **names = NULL;
	size_t n = 0, i;
	int err;

	/* The directory may be gone (a reset, an rm): the nearest ancestor that lists. */
	for (;;) {
		err = list_dir(task, t->cwd, &names, &n);
		if (!err || !strcmp(t->cwd, "/") || (err != -ENOENT && err != -ENOTDIR))
			break;
		tui_path_up(t->cwd);
	}
	*dir_mnt = vfs_fstatat(task, AT_FDCWD, t->cwd, &dst, 0) ? -1 : dst.mnt_id;
	if (strcmp(t->cwd, "/"))
		rows_add(r, R_DIR, "..", 0, "%-10s %5s ../", "", "");
	if (err) {
		rows_add(r, R_ERROR, NULL, 0, "cannot list: %s (%s)", errno_name(err),
			 strerror(-err));
		return;
	}
	for (i = 0; i < n; i++) {
		char *path = path_join(t->cwd, names[i]), mstr[11], size[24] = "";
		char target[256] = "";
		struct vfs_stat st;
		enum role role = R_NORMAL;

		if (vfs_fstatat(task, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW)) {
			rows_add(r, R_DIM, path, 0, "%-10s %5s %s", "?", "", names[i]);
		} else {
			mode_string(st.mode, mstr);
			if (S_ISREG(st.mode))
				snprintf(size, sizeof(size), "%lld", (long long)st.size);
			else if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
				snprintf(size, sizeof(size), "%u,%u", VFS_MAJOR(st.rdev),
					 VFS_MINOR(st.rdev));
			if (S_ISLNK(st.mode)) {
				ssize_t len = vfs_readlinkat(task, AT_FDCWD, path, target + 4,
							     sizeof(target) - 5);

				if (len >= 0) {
					memcpy(target, " -> ", 4);
					target[4 + len] = '\0';
				}
			} else if (st.mnt_id != *dir_mnt) {
				/* A mount point: stat crossed into the mount's root. */
				const char *type = mount_fstype(m, n_m, st.mnt_id);

				role = R_MOUNTPOINT;
				snprintf(target, sizeof(target), "  [%s]", type ? type : "mount");
			} else if (S_ISDIR(st.mode)) {
				role = R_DIR;
			}
			rows_add(r, role, path, (int)(st.mode & S_IFMT), "%s %5s %s%s", mstr, size,
				 names[i], S_ISDIR(st.mode) ? "/" : "");
			if (*target) {
				char *text;

				if (asprintf(&text, "%s%s", r->v[r->n - 1].text, target) < 0)
					tui_oom();
				free(r->v[r->n - 1].text);
				r->v[r->n - 1].text = text;
			}
		}
		free(path);
		free(names[i]);
	}
	free(names);
	if (!n)
		rows_add(r, R_DIM, NULL, 0, "(empty)");
	if (t->reselect) {
		for (i = 0; i < r->n; i++) {
			const char *key = r->v[i].key;
			const char *base = key ? strrchr(key, '/') : NULL;

			if (base && !strcmp(base + 1, t->reselect))
				t->panes[P_FILES].sel = i;
		}
		free(t->reselect);
		t->reselect = NULL;
	}
}

static void msg_rows(struct tui *t, struct rows *r)
{
	size_t i;

	for (i = 0; i < t->nmsgs; i++)
		rows_add(r, t->msgs[i].role, NULL, 0, "%s", t->msgs[i].text);
}

/* ------------------------------------------------------------------ the screen */

static void layout(struct tui *t)
{
	int H = LINES, W = COLS, msg_h, top_h, left_w, tree_h;

	t->too_small = H < MIN_LINES || W < MIN_COLS;
	if (t->too_small)
		return;
	msg_h = (H - 2) / 4 + 1; /* 6 rows of 24: a header and five lines */
	top_h = H - 2 - msg_h;
	left_w = W >= 120 ? W * 55 / 100 : W / 2;
	tree_h = top_h / 2;
	t->panes[P_PLAN] = (struct pane){ "Plan",
					  1,
					  0,
					  top_h,
					  left_w,
					  t->panes[P_PLAN].sel,
					  t->panes[P_PLAN].top,
					  t->panes[P_PLAN].hscroll };
	t->panes[P_TREE] = (struct pane){ "Mount tree",		1,
					  left_w + 1,		tree_h,
					  W - left_w - 1,	t->panes[P_TREE].sel,
					  t->panes[P_TREE].top, t->panes[P_TREE].hscroll };
	t->panes[P_FILES] = (struct pane){ "Files",
					   1 + tree_h,
					   left_w + 1,
					   top_h - tree_h,
					   W - left_w - 1,
					   t->panes[P_FILES].sel,
					   t->panes[P_FILES].top,
					   t->panes[P_FILES].hscroll };
	t->panes[P_MSGS] = (struct pane){ "Messages",
					  1 + top_h,
					  0,
					  msg_h,
					  W,
					  t->panes[P_MSGS].sel,
					  t->panes[P_MSGS].top,
					  t->panes[P_MSGS].hscroll };
}

static void title_line(struct tui *t)
{
	struct setup *su = t->s.setup;
	char buf[512];

	if (!su || !su->plan) {
		snprintf(buf, sizeof(buf), " vfslab tui | no spec | ? help  q quit");
	} else {
		size_t pos = setup_pos(su), n = setup_nsteps(su);
		char where[200];

		if (setup_failed(su))
			snprintf(where, sizeof(where), "failed at step %zu", pos + 1);
		else if (pos >= n)
			snprintf(where, sizeof(where), "%zu/%zu done", pos, n);
		else
			snprintf(where, sizeof(where), "%zu/%zu, next: %s (%s)", pos, n,
				 su->plan->steps[pos].target,
				 setup_phase_name(setup_phase(su, pos)));
		snprintf(buf, sizeof(buf), " vfslab tui | %s | order %s | %s", su->spec_path,
			 boot_order_name(su->ls.conf.order), where);
	}
	put_text(t, 0, 0, COLS, buf, 0,
		 t->color ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_REVERSE | A_BOLD, true);
}

static const char *const help_lines[] = {
	"vfslab tui - keys",
	"",
	"s  step: carry out one step      Tab/S-Tab  next/previous pane",
	"n  next: up to the next mount    Up Down j k PgUp PgDn Home End",
	"f  finish: the rest of the phase            move in the pane",
	"c  continue: to a breakpoint     Left Right scroll sideways",
	"   or the end                    Enter  plan: the step in full",
	"b  breakpoint on (or off) the           tree: browse the mount",
	"   selected plan step's target          files: open or cat",
	":  a command (help lists them;   Backspace  files: parent dir",
	"   empty: repeat a step)         /  search the pane (empty:",
	"?  this help                        the last pattern again)",
	"q  quit                          Ctrl-L  redraw",
	"",
	"Marks: => next step  + done  ! failed  B breakpoint;",
	"tree: + mounted, ~ changed by the last stepping command.",
	"",
	"Press any key to close.",
};

static void draw_help(struct tui *t)
{
	int w = 0, h = (int)ARRAY_SIZE(help_lines) + 2, y0, x0, i;

	for (i = 0; i < (int)ARRAY_SIZE(help_lines); i++)
		w = MAX(w, (int)strlen(help_lines[i]));
	w += 4;
	w = MIN(w, COLS);
	h = MIN(h, LINES);
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (i = 0; i < h; i++)
		put_text(t, y0 + i, x0, w, "", 0, A_NORMAL, true);
	attrset(A_BOLD);
	hrule(t, y0, x0 + 1, w - 2);
	hrule(t, y0 + h - 1, x0 + 1, w - 2);
	vrule(t, y0 + 1, x0, h - 2);
	vrule(t, y0 + 1, x0 + w - 1, h - 2);
	put_box(t, y0, x0, BOX_UL);
	put_box(t, y0, x0 + w - 1, BOX_UR);
	put_box(t, y0 + h - 1, x0, BOX_LL);
	put_box(t, y0 + h - 1, x0 + w - 1, BOX_LR);
	attrset(A_NORMAL);
	for (i = 0; i < h - 2; i++)
		put_text(t, y0 + 1 + i, x0 + 2, w - 4, help_lines[i], 0, i ? A_NORMAL : A_BOLD,
			 false);
}

void tui_screen_build(struct tui *t, struct screen *sc)
{
	memset(sc, 0, sizeof(*sc));
	plan_rows(t, &sc->r[P_PLAN]);
	if (vfs_mount_list(t->s.task, &sc->mounts, &sc->nmounts)) {
		sc->mounts = NULL;
		sc->nmounts = 0;
	}
	tree_rows(t, &sc->r[P_TREE], sc->mounts, sc->nmounts);
	file_rows(t, &sc->r[P_FILES], sc->mounts, sc->nmounts, &sc->dir_mnt);
	msg_rows(t, &sc->r[P_MSGS]);
}

void tui_screen_free(struct screen *sc)
{
	int i;

	for (i = 0; i < P_COUNT; i++)
		rows_free(&sc->r[i]);
	vfs_mount_list_free(sc->mounts, sc->nmounts);
}

/* Redraw everything; edit (may be NULL) is the command line being edited, with its
 * prompt and the cursor at column cur of it. */
void tui_draw(struct tui *t, const char *prompt, const wchar_t *edit, int cur)
{
	struct setup *su = t->s.setup;
	struct screen sc;
	char title[4200];
	int i;

	erase();
	layout(t);
	if (t->too_small) {
		char msg[128];

		snprintf(msg, sizeof(msg), "too small: %dx%d (need %dx%d)", COLS, LINES, MIN_COLS,
			 MIN_LINES);
		put_text(t, 0, 0, COLS, msg, 0, A_BOLD, false);
		put_text(t, 1, 0, COLS, "(q quits)", 0, A_NORMAL, false);
		refresh();
		return;
	}
	tui_screen_build(t, &sc);
	title_line(t);
	for (i = 0; i < P_COUNT; i++) {
		struct pane *p = &t->panes[i];

		switch (i) {
		case P_PLAN:
			if (su && su->plan)
				snprintf(title, sizeof(title), " Plan %zu/%zu ", setup_pos(su),
					 setup_nsteps(su));
			else
				snprintf(title, sizeof(title), " Plan ");
			break;
		case P_TREE:
			snprintf(title, sizeof(title), " Mount tree (%zu) ", sc.nmounts);
			break;
		case P_FILES: {
			const char *fstype = NULL;
			size_t m;

			for (m = 0; m < sc.nmounts; m++)
				if (sc.mounts[m].mnt_id == sc.dir_mnt)
					fstype = sc.mounts[m].fstype;
			snprintf(title, sizeof(title), " Files %.4000s%s%s%s ", t->cwd,
				 fstype ? " (" : "", fstype ? fstype : "", fstype ? ")" : "");
			break;
		}
		default: snprintf(title, sizeof(title), " Messages "); break;
		}
		draw_header(t, p, t->focus == i, title);
		draw_rows(t, p, t->focus == i, &sc.r[i]);
	}
	/* The rule between the plan and the right-hand panes. */
	attrset(A_NORMAL);
	vrule(t, t->panes[P_PLAN].y, t->panes[P_TREE].x - 1, t->panes[P_PLAN].h);
	put_box(t, t->panes[P_FILES].y, t->panes[P_TREE].x - 1, BOX_LTEE);
	tui_screen_free(&sc);

	/* The bottom line: the line being edited, a note, or the prompt and the keys. */
	if (edit) {
		int pw = (int)strlen(prompt), avail = COLS - pw - 1, first = 0,
		    len = (int)wcslen(edit);

		if (avail < 1)
			avail = 1;
		if (cur >= avail)
			first = cur - avail + 1;
		put_text(t, LINES - 1, 0, COLS, prompt, 0, A_BOLD, true);
		attrset(A_NORMAL);
		mvaddnwstr(LINES - 1, pw, edit + first, MIN(len - first, avail));
		move(LINES - 1, pw + cur - first);
	} else if (t->status[0]) {
		put_text(t, LINES - 1, 0, COLS, t->status, 0, A_BOLD, false);
	} else {
		const char *p = session_prompt(&t->s);
		static const char keys[] = "s n f c b  : cmd  / search  ? help  q quit";
		int pw = (int)strlen(p);

		put_text(t, LINES - 1, 0, COLS, p, 0, A_BOLD, false);
		if (COLS - pw > (int)sizeof(keys))
			put_text(t, LINES - 1, COLS - (int)sizeof(keys) + 1, (int)sizeof(keys),
				 keys, 0, A_DIM, false);
	}
	if (t->help)
		draw_help(t);
	curs_set(edit ? 1 : 0);
	refresh();
}
