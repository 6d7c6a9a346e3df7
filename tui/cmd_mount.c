/*
 * cmd_mount.c - mount, umount, mountinfo and findmnt.
 *
 * mount's option words are split as util-linux does: the ones that are mount(2) flags
 * (ro, nosuid, remount, bind, the propagation types, ...) become flags and the rest is
 * passed to the filesystem as its data string, in the order given. findmnt draws the
 * tree of vfs_mount_list() with findmnt(8)'s default columns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "base/strbuf.h"
#include "cmd.h"
#include "setup.h"
#include "vfslab/vfs.h"

struct mnt_flag {
	const char *name;
	unsigned long flag;
	bool clear; /* the word turns the flag off ("rw", "suid") */
};

static const struct mnt_flag mnt_flags[] = {
	{ "defaults", 0, false },
	{ "ro", MS_RDONLY, false },
	{ "rw", MS_RDONLY, true },
	{ "nosuid", MS_NOSUID, false },
	{ "suid", MS_NOSUID, true },
	{ "nodev", MS_NODEV, false },
	{ "dev", MS_NODEV, true },
	{ "noexec", MS_NOEXEC, false },
	{ "exec", MS_NOEXEC, true },
	{ "noatime", MS_NOATIME, false },
	{ "atime", MS_NOATIME, true },
	{ "nodiratime", MS_NODIRATIME, false },
	{ "diratime", MS_NODIRATIME, true },
	{ "relatime", MS_RELATIME, false },
	{ "norelatime", MS_RELATIME, true },
	{ "sync", MS_SYNCHRONOUS, false },
	{ "async", MS_SYNCHRONOUS, true },
	{ "dirsync", MS_DIRSYNC, false },
	{ "remount", MS_REMOUNT, false },
	{ "bind", MS_BIND, false },
	{ "rbind", MS_BIND | MS_REC, false },
	{ "move", MS_MOVE, false },
	{ "shared", MS_SHARED, false },
	{ "rshared", MS_SHARED | MS_REC, false },
	{ "private", MS_PRIVATE, false },
	{ "rprivate", MS_PRIVATE | MS_REC, false },
	{ "slave", MS_SLAVE, false },
	{ "rslave", MS_SLAVE | MS_REC, false },
	{ "unbindable", MS_UNBINDABLE, false },
	{ "runbindable", MS_UNBINDABLE | MS_REC, false },
};

#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* Split a comma list into flags and data (appended to sb, comma-separated). */
static void parse_mount_opts(const char *opts, unsigned long *flags, struct strbuf *data)
{
	const char *p = opts;

	while (*p) {
		const char *end = strchrnul(p, ',');
		size_t len = (size_t)(end - p), i;
		bool is_flag = false;

		for (i = 0; len && i < ARRAY_SIZE(mnt_flags); i++) {
			if (strlen(mnt_flags[i].name) != len ||
			    strncmp(mnt_flags[i].name, p, len) != 0)
				continue;
			if (mnt_flags[i].clear)
				*flags &= ~mnt_flags[i].flag;
			else
				*flags |= mnt_flags[i].flag;
			is_flag = true;
			break;
		}
		if (!is_flag && len) {
			if (data->len)
				sb_addc(data, ',');
			sb_add(data, p, len);
		}
		p = *end ? end + 1 : end;
	}
}

enum {
	OPT_BIND = 256,
	OPT_RBIND,
	OPT_MOVE,
	OPT_MAKE_SHARED,
	OPT_MAKE_PRIVATE,
	OPT_MAKE_SLAVE,
	OPT_MAKE_UNBINDABLE,
	OPT_MAKE_RSHARED,
	OPT_MAKE_RPRIVATE,
	OPT_MAKE_RSLAVE,
	OPT_MAKE_RUNBINDABLE,
};

static int print_table(struct session *s, int (*fn)(struct task *, char **, size_t *))
{
	size_t len;
	char *buf;
	int err = fn(s->task, &buf, &len);

	if (err)
		return cmd_err(s, NULL, err);
	fwrite(buf, 1, len, s->out);
	free(buf);
	return CMD_OK;
}

int cmd_mount(struct session *s, int argc, char **argv)
{
	static const struct cmd_longopt longs[] = {
		{ "bind", false, OPT_BIND },
		{ "rbind", false, OPT_RBIND },
		{ "move", false, OPT_MOVE },
		{ "types", true, 't' },
		{ "options", true, 'o' },
		{ "read-only", false, 'r' },
		{ "read-write", false, 'w' },
		{ "make-shared", false, OPT_MAKE_SHARED },
		{ "make-private", false, OPT_MAKE_PRIVATE },
		{ "make-slave", false, OPT_MAKE_SLAVE },
		{ "make-unbindable", false, OPT_MAKE_UNBINDABLE },
		{ "make-rshared", false, OPT_MAKE_RSHARED },
		{ "make-rprivate", false, OPT_MAKE_RPRIVATE },
		{ "make-rslave", false, OPT_MAKE_RSLAVE },
		{ "make-runbindable", false, OPT_MAKE_RUNBINDABLE },
		{ NULL, false, 0 },
	};
	struct strbuf data = STRBUF_INIT;
	unsigned long flags = 0;
	const char *type = NULL, *src = NULL, *dest;
	bool any_opt = false;
	struct cmd_opts o;
	int c, nops, err;

	cmd_opts_init(&o, argc, argv, "t:o:rw", longs);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		any_opt = true;
		switch (c) {
		case 't': type = o.arg; break;
		case 'o': parse_mount_opts(o.arg, &flags, &data); break;
		case 'r': flags |= MS_RDONLY; break;
		case 'w': flags &= ~(unsigned long)MS_RDONLY; break;
		case OPT_BIND: flags |= MS_BIND; break;
		case OPT_RBIND: flags |= MS_BIND | MS_REC; break;
		case OPT_MOVE: flags |= MS_MOVE; break;
		case OPT_MAKE_SHARED: flags |= MS_SHARED; break;
		case OPT_MAKE_PRIVATE: flags |= MS_PRIVATE; break;
		case OPT_MAKE_SLAVE: flags |= MS_SLAVE; break;
		case OPT_MAKE_UNBINDABLE: flags |= MS_UNBINDABLE; break;
		case OPT_MAKE_RSHARED: flags |= MS_SHARED | MS_REC; break;
		case OPT_MAKE_RPRIVATE: flags |= MS_PRIVATE | MS_REC; break;
		case OPT_MAKE_RSLAVE: flags |= MS_SLAVE | MS_REC; break;
		case OPT_MAKE_RUNBINDABLE: flags |= MS_UNBINDABLE | MS_REC; break;
		default: sb_free(&data); return CMD_USAGE;
		}
	}
	nops = argc - o.ind;
	if (nops == 0 && !any_opt) {
		sb_free(&data);
		return print_table(s, vfs_mounts);
	}
	if (nops == 0 || nops > 2) {
		sb_free(&data);
		return cmd_usage(s, nops ? "too many operands" : "missing operand");
	}
	/* Remounts and propagation changes name only the mount point, as mount(8). */
	if (nops == 1 && !(flags & (MS_REMOUNT | MS_PROPAGATION))) {
		sb_free(&data);
		return cmd_usage(s, "SRC and DEST are needed to mount");
	}
	if (!type && !(flags & (MS_REMOUNT | MS_BIND | MS_MOVE | MS_PROPAGATION))) {
		sb_free(&data);
		return cmd_usage(s, "no filesystem type given (-t TYPE)");
	}
	if (sb_error(&data))
		abort();
	if (nops == 2)
		src = argv[o.ind];
	dest = argv[argc - 1];
	err = vfs_mount(s->task, src, dest, type, flags, data.len ? data.buf : NULL);
	sb_free(&data);
	return err ? cmd_err(s, dest, err) : CMD_OK;
}

int cmd_umount(struct session *s, int argc, char **argv)
{
	struct cmd_opts o;
	int flags = 0, c, err;

	cmd_opts_init(&o, argc, argv, "lf", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		switch (c) {
		case 'l': flags |= MNT_DETACH; break;
		case 'f': flags |= MNT_FORCE; break;
		default: return CMD_USAGE;
		}
	}
	if (argc - o.ind != 1)
		return cmd_usage(s, argc - o.ind < 1 ? "missing operand" : "too many operands");
	err = vfs_umount2(s->task, argv[o.ind], flags);
	return err ? cmd_err(s, argv[o.ind], err) : CMD_OK;
}

int cmd_mountinfo(struct session *s, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	return print_table(s, vfs_mountinfo);
}

/* findmnt */

struct fm_row {
	char *target; /* tree prefix and mount point */
	int width;    /* display width of target (the box characters are one column) */
	char *source;
	const char *fstype;
	char *options;
};

struct fm {
	const struct vfs_mount_info *m;
	size_t n;
	struct fm_row *rows;
	size_t nrows;
};

/* mount_opts, then the filesystem's options less rw/ro (already said), as libmount
 * merges them for findmnt's OPTIONS column. */
static char *fm_options(const struct vfs_mount_info *mi)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = mi->super_opts ? mi->super_opts : "";

	sb_adds(&sb, mi->mount_opts ? mi->mount_opts : "");
	while (*p) {
		const char *end = strchrnul(p, ',');
		size_t len = (size_t)(end - p);

		if (len && !(len == 2 && (!strncmp(p, "rw", 2) || !strncmp(p, "ro", 2)))) {
			if (sb.len)
				sb_addc(&sb, ',');
			sb_add(&sb, p, len);
		}
		p = *end ? end + 1 : end;
	}
	if (sb_error(&sb))
		abort();
	return sb_detach(&sb, NULL);
}

static bool fm_has_parent(const struct fm *f, size_t i)
{
	size_t j;

	for (j = 0; j < f->n; j++)
		if (j != i && f->m[j].mnt_id == f->m[i].parent_id)
			return true;
	return false;
}

static void fm_add(struct fm *f, size_t i, const char *prefix, const char *branch)
{
	const struct vfs_mount_info *mi = &f->m[i];
	struct fm_row *r = &f->rows[f->nrows++];
	struct strbuf sb = STRBUF_INIT;
	size_t j, last = SIZE_MAX;
	int cols = 0;
	const char *p;

	sb_printf(&sb, "%s%s%s", prefix, branch, mi->mount_point);
	for (p = sb.buf; *p; p++)
		cols += ((unsigned char)*p & 0xc0) != 0x80;
	r->target = sb_detach(&sb, NULL);
	r->width = cols;
	if (mi->root && strcmp(mi->root, "/") != 0)
		sb_printf(&sb, "%s[%s]", mi->source, mi->root);
	else
		sb_adds(&sb, mi->source ? mi->source : "none");
	r->source = sb_detach(&sb, NULL);
	r->fstype = mi->fstype ? mi->fstype : "";
	r->options = fm_options(mi);
	if (!r->target || !r->source)
		abort();

	for (j = 0; j < f->n; j++)
		if (j != i && f->m[j].parent_id == mi->mnt_id)
			last = j;
	if (last == SIZE_MAX)
		return;
	/* The children's prefix continues this row's branch: a bar below a middle child. */
	sb_printf(&sb, "%s%s", prefix, !*branch ? "" : strcmp(branch, "├─") == 0 ? "│ " : "  ");
	if (sb_error(&sb))
		abort();
	for (j = 0; j < f->n; j++)
		if (j != i && f->m[j].parent_id == mi->mnt_id)
			fm_add(f, j, sb.buf, j == last ? "└─" : "├─");
	sb_free(&sb);
}

int findmnt_print(struct task *t, FILE *out)
{
	struct vfs_mount_info *list;
	int wt = 6, ws = 6, wf = 6; /* "TARGET", "SOURCE", "FSTYPE" */
	struct fm f;
	size_t n, i;
	int err;

	err = vfs_mount_list(t, &list, &n);
	if (err)
		return err;
	f.m = list;
	f.n = n;
	f.nrows = 0;
	f.rows = calloc(n ? n : 1, sizeof(*f.rows));
	if (!f.rows)
		abort();
	for (i = 0; i < n; i++)
		if (!fm_has_parent(&f, i))
			fm_add(&f, i, "", "");
	for (i = 0; i < f.nrows; i++) {
		wt = MAX(wt, f.rows[i].width);
		ws = MAX(ws, (int)strlen(f.rows[i].source));
		wf = MAX(wf, (int)strlen(f.rows[i].fstype));
	}
	fprintf(out, "%-*s %-*s %-*s %s\n", wt, "TARGET", ws, "SOURCE", wf, "FSTYPE", "OPTIONS");
	for (i = 0; i < f.nrows; i++) {
		struct fm_row *r = &f.rows[i];

		/* Pad by display width: the box characters take 3 bytes for 1 column. */
		fprintf(out, "%s%*s %-*s %-*s %s\n", r->target, wt - r->width, "", ws, r->source,
			wf, r->fstype, r->options);
		free(r->target);
		free(r->source);
		free(r->options);
	}
	free(f.rows);
	vfs_mount_list_free(list, n);
	return 0;
}

int cmd_findmnt(struct session *s, int argc, char **argv)
{
	int err;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return cmd_usage(s, argc > 2 ? "too many arguments" : "'%s': unknown option",
				 argv[1]);
	if (argc == 2)
		err = setup_print_json(NULL, s->task, s->out);
	else
		err = findmnt_print(s->task, s->out);
	if (err)
		return cmd_err(s, NULL, err);
	return CMD_OK;
}
