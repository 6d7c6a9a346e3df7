/*
 * cmd_fs.c - the filesystem commands: ls, stat, cat, write, mkdir, rm, mv, ln, chmod,
 * chown, truncate, mknod, readlink, tree, the xattr commands, cd, pwd, su, umask, id
 * and op.
 *
 * Each command does what its coreutils namesake does, through the public syscall-like
 * API, as the session's current task; output is deterministic (sorted names, UTC times
 * with nanoseconds) so transcripts can be golden. A failing call is reported at once,
 * before any other VFS call clears the task's error message.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/err.h"
#include "base/errname.h"
#include "base/strbuf.h"
#include "cmd.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

#if __has_include("op.h")
#include "op.h"
#define HAVE_OP 1
#endif

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

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in the open directory dirfd, sorted, without "." and ".." unless dots. */
static int read_names(struct task *t, int dirfd, bool dots, char ***namesp, size_t *np)
{
	char buf[8192];
	char **names = NULL;
	size_t n = 0, cap = 0;
	ssize_t len;

	for (;;) {
		size_t off = 0;

		len = vfs_getdents(t, dirfd, buf, sizeof(buf));
		if (len < 0) {
			free_names(names, n);
			return (int)len;
		}
		if (len == 0)
			break;
		while (off < (size_t)len) {
			struct dirent64_hdr h;
			const char *name;

			memcpy(&h, buf + off, sizeof(h));
			name = buf + off + sizeof(h);
			off += h.d_reclen;
			if (h.d_reclen == 0)
				return -EIO;
			if (!dots && (strcmp(name, ".") == 0 || strcmp(name, "..") == 0))
				continue;
			if (n == cap) {
				char **v;

				cap = cap ? cap * 2 : 16;
				v = realloc(names, cap * sizeof(*v));
				if (!v)
					abort();
				names = v;
			}
			names[n] = strdup(name);
			if (!names[n])
				abort();
			n++;
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*namesp = names;
	*np = n;
	return 0;
}

static char *path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	char *p = malloc(dl + strlen(name) + 2);

	if (!p)
		abort();
	if (dl && dir[dl - 1] == '/')
		sprintf(p, "%s%s", dir, name);
	else
		sprintf(p, "%s/%s", dir, name);
	return p;
}

/* The last component of path, trailing slashes ignored, in a new string. */
static char *base_name(const char *path)
{
	size_t end = strlen(path), start;
	char *r;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	/* "/" is its own last component. */
	if (start == end && end > 0)
		start = end - 1;
	r = strndup(path + start, end - start);
	if (!r)
		abort();
	return r;
}

/* "drwxr-xr-x" for mode. */
static void mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	switch (mode & S_IFMT) {
	case S_IFDIR: out[0] = 'd'; break;
	case S_IFLNK: out[0] = 'l'; break;
	case S_IFCHR: out[0] = 'c'; break;
	case S_IFBLK: out[0] = 'b'; break;
	case S_IFIFO: out[0] = 'p'; break;
	case S_IFSOCK: out[0] = 's'; break;
	case S_IFREG: out[0] = '-'; break;
	default: out[0] = '?'; break;
	}
	for (i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

/* "2020-01-01 00:00:00.000001000 +0000", as ls --time-style=full-iso in UTC. */
static void fmt_time(int64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	long nsec = (long)(ns % 1000000000);
	struct tm tm;
	char date[32];

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ld +0000", date, nsec);
}

static bool is_dev(uint32_t mode)
{
	return S_ISCHR(mode) || S_ISBLK(mode);
}

/* ls */

struct ls_ent {
	char *name; /* as printed */
	struct vfs_stat st;
	char *target; /* symlink target with -l, or NULL */
};

static void ls_print(struct session *s, struct ls_ent *e, size_t n, bool lng)
{
	int wl = 1, wu = 1, wg = 1, ws = 1;
	char tmp[64];
	size_t i;

	if (!lng) {
		for (i = 0; i < n; i++)
			fprintf(s->out, "%s\n", e[i].name);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct vfs_stat *st = &e[i].st;

		wl = MAX(wl, snprintf(tmp, sizeof(tmp), "%u", st->nlink));
		wu = MAX(wu, snprintf(tmp, sizeof(tmp), "%u", st->uid));
		wg = MAX(wg, snprintf(tmp, sizeof(tmp), "%u", st->gid));
		if (is_dev(st->mode))
			ws = MAX(ws, snprintf(tmp, sizeof(tmp), "%u, %u", VFS_MAJOR(st->rdev),
					      VFS_MINOR(st->rdev)));
		else
			ws = MAX(ws, snprintf(tmp, sizeof(tmp), "%lld", (long long)st->size));
	}
	for (i = 0; i < n; i++) {
		const struct vfs_stat *st = &e[i].st;
		char mode[11], when[48];

		mode_string(st->mode, mode);
		fmt_time(st->mtime_ns, when, sizeof(when));
		if (is_dev(st->mode))
			snprintf(tmp, sizeof(tmp), "%u, %u", VFS_MAJOR(st->rdev),
				 VFS_MINOR(st->rdev));
		else
			snprintf(tmp, sizeof(tmp), "%lld", (long long)st->size);
		fprintf(s->out, "%s %*u %*u %*u %*s %s %s", mode, wl, st->nlink, wu, st->uid, wg,
			st->gid, ws, tmp, when, e[i].name);
		if (e[i].target)
			fprintf(s->out, " -> %s", e[i].target);
		fputc('\n', s->out);
	}
}

static void ls_free(struct ls_ent *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].target);
	}
	free(e);
}

static char *read_link(struct task *t, int dirfd, const char *path, int *errp)
{
	char buf[VFS_PATH_MAX + 1];
	ssize_t len = vfs_readlinkat(t, dirfd, path, buf, sizeof(buf) - 1);
	char *r;

	if (len < 0) {
		*errp = (int)len;
		return NULL;
	}
	buf[len] = '\0';
	r = strdup(buf);
	if (!r)
		abort();
	return r;
}

/* List the directory path; returns a cmd_status. */
static int ls_dir(struct session *s, const char *path, bool lng, bool all)
{
	struct task *t = s->task;
	struct ls_ent *e;
	char **names;
	size_t n, i, k = 0;
	long long total = 0;
	int fd, err, rc = CMD_OK;

	fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return cmd_err(s, path, fd);
	err = read_names(t, fd, all, &names, &n);
	if (err) {
		rc = cmd_err(s, path, err);
		vfs_close(t, fd);
		return rc;
	}
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		abort();
	for (i = 0; i < n; i++) {
		if (!all && names[i][0] == '.')
			continue;
		e[k].name = names[i];
		names[i] = NULL;
		if (lng) {
			err = vfs_fstatat(t, fd, e[k].name, &e[k].st, AT_SYMLINK_NOFOLLOW);
			if (err) {
				char *p = path_join(path, e[k].name);

				rc = cmd_err(s, p, err);
				free(p);
				free(e[k].name);
				continue;
			}
			if (S_ISLNK(e[k].st.mode))
				e[k].target = read_link(t, fd, e[k].name, &err);
			total += (e[k].st.blocks + 1) / 2;
		}
		k++;
	}
	vfs_close(t, fd);
	free_names(names, n);
	if (lng)
		fprintf(s->out, "total %lld\n", total);
	ls_print(s, e, k, lng);
	ls_free(e, k);
	return rc;
}

int cmd_ls(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	bool lng = false, all = false, dflag = false;
	struct ls_ent *files;
	char **dirs, *dot[] = { ".", NULL };
	size_t nfiles = 0, ndirs = 0, i;
	struct cmd_opts o;
	char **args;
	int nargs, c, rc = CMD_OK;

	cmd_opts_init(&o, argc, argv, "lad", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		switch (c) {
		case 'l': lng = true; break;
		case 'a': all = true; break;
		case 'd': dflag = true; break;
		default: return CMD_USAGE;
		}
	}
	nargs = argc - o.ind;
	args = nargs ? argv + o.ind : dot;
	if (!nargs)
		nargs = 1;
	qsort(args, (size_t)nargs, sizeof(*args), cmp_str);
	files = calloc((size_t)nargs, sizeof(*files));
	dirs = calloc((size_t)nargs, sizeof(*dirs));
	if (!files || !dirs)
		abort();
	for (i = 0; i < (size_t)nargs; i++) {
		struct vfs_stat st;
		int err = vfs_fstatat(t, AT_FDCWD, args[i], &st, AT_SYMLINK_NOFOLLOW);

		if (err) {
			rc = cmd_err(s, args[i], err);
			continue;
		}
		/* As coreutils: a symlink named on the command line is followed unless -l
		 * or -d asks about the link itself; a dangling one is listed as itself. */
		if (S_ISLNK(st.mode) && !lng && !dflag)
			vfs_fstatat(t, AT_FDCWD, args[i], &st, 0);
		if (S_ISDIR(st.mode) && !dflag) {
			dirs[ndirs++] = args[i];
			continue;
		}
		files[nfiles].name = strdup(args[i]);
		if (!files[nfiles].name)
			abort();
		files[nfiles].st = st;
		if (lng && S_ISLNK(st.mode))
			files[nfiles].target = read_link(t, AT_FDCWD, args[i], &err);
		nfiles++;
	}
	ls_print(s, files, nfiles, lng);
	for (i = 0; i < ndirs; i++) {
		int r;

		if (nfiles || i || nargs > 1)
			fprintf(s->out, "%s%s:\n", (nfiles || i) ? "\n" : "", dirs[i]);
		r = ls_dir(s, dirs[i], lng, all);
		if (r != CMD_OK)
			rc = r;
	}
	ls_free(files, nfiles);
	free(dirs);
	return rc;
}

/* stat */

static const char *type_name(const struct vfs_stat *st)
{
	switch (st->mode & S_IFMT) {
	case S_IFREG: return st->size ? "regular file" : "regular empty file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symbolic link";
	case S_IFCHR: return "character special file";
	case S_IFBLK: return "block special file";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "weird file";
	}
}

static const char *id_name(uint32_t id)
{
	return id == 0 ? "root" : "UNKNOWN";
}

int cmd_stat(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	struct cmd_opts o;
	bool follow = false;
	int c, i, rc = CMD_OK;

	cmd_opts_init(&o, argc, argv, "L", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c != 'L')
			return CMD_USAGE;
		follow = true;
	}
	if (o.ind >= argc)
		return cmd_usage(s, "missing operand");
	for (i = o.ind; i < argc; i++) {
		struct vfs_stat st;
		char mode[11], when[48];
		int err = vfs_fstatat(t, AT_FDCWD, argv[i], &st, follow ? 0 : AT_SYMLINK_NOFOLLOW);

		if (err) {
			rc = cmd_err(s, argv[i], err);
			continue;
		}
		fprintf(s->out, "  File: %s", argv[i]);
		if (S_ISLNK(st.mode)) {
			char *target = read_link(t, AT_FDCWD, argv[i], &err);

			if (target)
				fprintf(s->out, " -> %s", target);
			free(target);
		}
		fprintf(s->out, "\n  Size: %-10lld\tBlocks: %-10lld IO Block: %-6u %s\n",
			(long long)st.size, (long long)st.blocks, st.blksize, type_name(&st));
		fprintf(s->out, "Device: %u,%u\tInode: %-11llu Links: ", VFS_MAJOR(st.dev),
			VFS_MINOR(st.dev), (unsigned long long)st.ino);
		if (is_dev(st.mode))
			fprintf(s->out, "%-5u Device type: %u,%u\n", st.nlink, VFS_MAJOR(st.rdev),
				VFS_MINOR(st.rdev));
		else
			fprintf(s->out, "%u\n", st.nlink);
		mode_string(st.mode, mode);
		fprintf(s->out, "Access: (%04o/%s)  Uid: (%5u/%8s)   Gid: (%5u/%8s)\n",
			st.mode & 07777, mode, st.uid, id_name(st.uid), st.gid, id_name(st.gid));
		fmt_time(st.atime_ns, when, sizeof(when));
		fprintf(s->out, "Access: %s\n", when);
		fmt_time(st.mtime_ns, when, sizeof(when));
		fprintf(s->out, "Modify: %s\n", when);
		fmt_time(st.ctime_ns, when, sizeof(when));
		fprintf(s->out, "Change: %s\n Birth: -\n", when);
	}
	return rc;
}

/* cat, write, append */

int cmd_cat(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	char buf[8192];
	int i, rc = CMD_OK;

	if (argc < 2)
		return cmd_usage(s, "missing operand");
	for (i = 1; i < argc; i++) {
		int fd = vfs_openat(t, AT_FDCWD, argv[i], O_RDONLY, 0);
		ssize_t n;

		if (fd < 0) {
			rc = cmd_err(s, argv[i], fd);
			continue;
		}
		while ((n = vfs_read(t, fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, s->out);
		if (n < 0)
			rc = cmd_err(s, argv[i], (int)n);
		vfs_close(t, fd);
	}
	return rc;
}

/* The words from argv[first] on, joined by spaces, C escapes decoded. */
static long join_unescape(struct session *s, int argc, char **argv, int first, char **outp)
{
	struct strbuf sb = STRBUF_INIT;
	const char *errmsg = NULL;
	long len;
	int i;

	for (i = first; i < argc; i++) {
		if (i > first)
			sb_addc(&sb, ' ');
		sb_adds(&sb, argv[i]);
	}
	if (sb_error(&sb))
		abort();
	len = cmd_unescape(sb.buf ? sb.buf : "", outp, &errmsg);
	sb_free(&sb);
	if (len < 0)
		return cmd_usage(s, "TEXT: %s", errmsg), -1;
	return len;
}

static int write_file(struct session *s, int argc, char **argv, int oflags)
{
	struct task *t = s->task;
	char *text;
	long len, done = 0;
	int fd, rc = CMD_OK;

	if (argc < 2)
		return cmd_usage(s, "missing operand");
	len = join_unescape(s, argc, argv, 2, &text);
	if (len < 0)
		return CMD_USAGE;
	fd = vfs_openat(t, AT_FDCWD, argv[1], O_WRONLY | O_CREAT | oflags, 0666);
	if (fd < 0) {
		free(text);
		return cmd_err(s, argv[1], fd);
	}
	while (done < len) {
		ssize_t n = vfs_write(t, fd, text + done, (size_t)(len - done));

		if (n < 0) {
			rc = cmd_err(s, argv[1], (int)n);
			break;
		}
		done += n;
	}
	vfs_close(t, fd);
	free(text);
	return rc;
}

int cmd_write(struct session *s, int argc, char **argv)
{
	return write_file(s, argc, argv, O_TRUNC);
}

int cmd_append(struct session *s, int argc, char **argv)
{
	return write_file(s, argc, argv, O_APPEND);
}

/* mkdir */

static mode_t get_umask(struct task *t)
{
	mode_t um = vfs_umask(t, 0);

	vfs_umask(t, um);
	return um;
}

static bool is_dir(struct task *t, const char *path)
{
	struct vfs_stat st;

	return vfs_fstatat(t, AT_FDCWD, path, &st, 0) == 0 && S_ISDIR(st.mode);
}

/* mkdir -p: each missing parent with u+wx added to the umask's mode, as coreutils. */
static int mkdir_parents(struct session *s, const char *path)
{
	struct task *t = s->task;
	mode_t um = get_umask(t);
	char *p = strdup(path), *q;
	int err = 0;

	if (!p)
		abort();
	for (q = p + 1; *q; q++) {
		if (*q != '/' || q[-1] == '/')
			continue;
		*q = '\0';
		err = vfs_mkdirat(t, AT_FDCWD, p, 0777);
		if (err == 0 && (um & 0300))
			err = vfs_fchmodat(t, AT_FDCWD, p, (0777 & ~um) | 0300, 0);
		if (err == -EEXIST && is_dir(t, p))
			err = 0;
		if (err) {
			cmd_err(s, p, err);
			free(p);
			return CMD_FAIL;
		}
		*q = '/';
	}
	free(p);
	return CMD_OK;
}

int cmd_mkdir(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	bool parents = false, have_mode = false;
	mode_t mode = 0777;
	struct cmd_opts o;
	int c, i, rc = CMD_OK;

	cmd_opts_init(&o, argc, argv, "pm:", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		switch (c) {
		case 'p': parents = true; break;
		case 'm':
			if (!cmd_parse_mode(o.arg, 07777, &mode))
				return cmd_usage(s, "invalid mode '%s'", o.arg);
			have_mode = true;
			break;
		default: return CMD_USAGE;
		}
	}
	if (o.ind >= argc)
		return cmd_usage(s, "missing operand");
	for (i = o.ind; i < argc; i++) {
		int err;

		if (parents && mkdir_parents(s, argv[i]) != CMD_OK) {
			rc = CMD_FAIL;
			continue;
		}
		err = vfs_mkdirat(t, AT_FDCWD, argv[i], mode);
		if (err == -EEXIST && parents && is_dir(t, argv[i]))
			continue;
		/* -m sets the mode exactly: mkdir(2) applied the umask to it. */
		if (!err && have_mode)
			err = vfs_fchmodat(t, AT_FDCWD, argv[i], mode, 0);
		if (err)
			rc = cmd_err(s, argv[i], err);
	}
	return rc;
}

/* rm, rmdir */

static int rm_tree(struct session *s, const char *path)
{
	struct task *t = s->task;
	char **names;
	size_t n, i;
	int fd, err, rc = CMD_OK;

	fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return cmd_err(s, path, fd);
	err = read_names(t, fd, false, &names, &n);
	if (err) {
		rc = cmd_err(s, path, err);
		vfs_close(t, fd);
		return rc;
	}
	vfs_close(t, fd);
	for (i = 0; i < n; i++) {
		char *child = path_join(path, names[i]);
		struct vfs_stat st;

		err = vfs_fstatat(t, AT_FDCWD, child, &st, AT_SYMLINK_NOFOLLOW);
		if (err)
			rc = cmd_err(s, child, err);
		else if (S_ISDIR(st.mode))
			rc = rm_tree(s, child) ? CMD_FAIL : rc;
		else if ((err = vfs_unlinkat(t, AT_FDCWD, child, 0)))
			rc = cmd_err(s, child, err);
		free(child);
	}
	free_names(names, n);
	if (rc == CMD_OK && (err = vfs_unlinkat(t, AT_FDCWD, path, AT_REMOVEDIR)))
		rc = cmd_err(s, path, err);
	return rc;
}

int cmd_rm(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	bool rec = false, force = false;
	struct cmd_opts o;
	int c, i, rc = CMD_OK;

	cmd_opts_init(&o, argc, argv, "rRf", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		switch (c) {
		case 'r':
		case 'R': rec = true; break;
		case 'f': force = true; break;
		default: return CMD_USAGE;
		}
	}
	if (o.ind >= argc && !force)
		return cmd_usage(s, "missing operand");
	for (i = o.ind; i < argc; i++) {
		struct vfs_stat st;
		int err = 0;

		if (rec) {
			char *b = base_name(argv[i]);
			bool dots = !strcmp(b, ".") || !strcmp(b, "..");
			bool slash = !strcmp(b, "/");

			free(b);
			/* As coreutils: never "." or "..", and --preserve-root. */
			if (dots || slash) {
				rc = cmd_errf(s,
					      dots ? "refusing to remove '.' or '..' directory: "
						     "skipping '%s'"
						   : "it is dangerous to operate recursively on "
						     "'%s'",
					      argv[i]);
				continue;
			}
			err = vfs_fstatat(t, AT_FDCWD, argv[i], &st, AT_SYMLINK_NOFOLLOW);
			if (!err && S_ISDIR(st.mode)) {
				if (rm_tree(s, argv[i]) != CMD_OK)
					rc = CMD_FAIL;
				continue;
			}
		}
		if (!err)
			err = vfs_unlinkat(t, AT_FDCWD, argv[i], 0);
		if (err == -ENOENT && force)
			continue;
		if (err)
			rc = cmd_err(s, argv[i], err);
	}
	return rc;
}

int cmd_rmdir(struct session *s, int argc, char **argv)
{
	int i, rc = CMD_OK;

	if (argc < 2)
		return cmd_usage(s, "missing operand");
	for (i = 1; i < argc; i++) {
		int err = vfs_unlinkat(s->task, AT_FDCWD, argv[i], AT_REMOVEDIR);

		if (err)
			rc = cmd_err(s, argv[i], err);
	}
	return rc;
}

/* mv, ln */

enum { OPT_EXCHANGE = 256 };

/* DST, or DST/basename(SRC) when DST is a directory, as mv(1) and ln(1) decide. */
static char *into_dir(struct task *t, const char *src, const char *dst)
{
	char *r;

	if (is_dir(t, dst)) {
		char *b = base_name(src);

		r = path_join(dst, b);
		free(b);
	} else {
		r = strdup(dst);
		if (!r)
			abort();
	}
	return r;
}

int cmd_mv(struct session *s, int argc, char **argv)
{
	static const struct cmd_longopt longs[] = {
		{ "exchange", false, OPT_EXCHANGE },
		{ "no-clobber", false, 'n' },
		{ "no-target-directory", false, 'T' },
		{ NULL, false, 0 },
	};
	struct task *t = s->task;
	unsigned flags = 0;
	bool no_dir = false;
	struct cmd_opts o;
	char *dst;
	int c, err;

	cmd_opts_init(&o, argc, argv, "nT", longs);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		switch (c) {
		case 'n': flags |= RENAME_NOREPLACE; break;
		case 'T': no_dir = true; break;
		case OPT_EXCHANGE: flags |= RENAME_EXCHANGE; break;
		default: return CMD_USAGE;
		}
	}
	if (argc - o.ind != 2)
		return cmd_usage(s, argc - o.ind < 2 ? "missing operand" : "too many operands");
	if (no_dir || (flags & RENAME_EXCHANGE))
		dst = strdup(argv[o.ind + 1]);
	else
		dst = into_dir(t, argv[o.ind], argv[o.ind + 1]);
	if (!dst)
		abort();
	err = vfs_renameat2(t, AT_FDCWD, argv[o.ind], AT_FDCWD, dst, flags);
	if (err) {
		/* Name both ends, as mv does: which one is at fault is not known here. */
		char *both = malloc(strlen(argv[o.ind]) + strlen(dst) + 5);

		if (!both)
			abort();
		sprintf(both, "%s -> %s", argv[o.ind], dst);
		cmd_err(s, both, err);
		free(both);
	}
	free(dst);
	return err ? CMD_FAIL : CMD_OK;
}

int cmd_ln(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	bool sym = false;
	struct cmd_opts o;
	char *link;
	int c, err;

	cmd_opts_init(&o, argc, argv, "s", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c != 's')
			return CMD_USAGE;
		sym = true;
	}
	if (argc - o.ind != 2)
		return cmd_usage(s, argc - o.ind < 2 ? "missing operand" : "too many operands");
	link = into_dir(t, argv[o.ind], argv[o.ind + 1]);
	if (sym)
		err = vfs_symlinkat(t, argv[o.ind], AT_FDCWD, link);
	else
		err = vfs_linkat(t, AT_FDCWD, argv[o.ind], AT_FDCWD, link, 0);
	if (err)
		cmd_err(s, link, err);
	free(link);
	return err ? CMD_FAIL : CMD_OK;
}

/* chmod, chown, truncate, mknod, readlink */

int cmd_chmod(struct session *s, int argc, char **argv)
{
	mode_t mode;
	int i, rc = CMD_OK;

	if (argc < 3)
		return cmd_usage(s, "missing operand");
	if (!cmd_parse_mode(argv[1], 07777, &mode))
		return cmd_usage(s, "invalid mode '%s' (octal, at most 07777)", argv[1]);
	for (i = 2; i < argc; i++) {
		int err = vfs_fchmodat(s->task, AT_FDCWD, argv[i], mode, 0);

		if (err)
			rc = cmd_err(s, argv[i], err);
	}
	return rc;
}

int cmd_chown(struct session *s, int argc, char **argv)
{
	unsigned uid = (unsigned)-1, gid = (unsigned)-1;
	struct cmd_opts o;
	int flags = 0, c, i, rc = CMD_OK;
	char *spec, *colon;
	bool ok;

	cmd_opts_init(&o, argc, argv, "h", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c != 'h')
			return CMD_USAGE;
		flags = AT_SYMLINK_NOFOLLOW;
	}
	if (argc - o.ind < 2)
		return cmd_usage(s, "missing operand");
	spec = argv[o.ind];
	colon = strchr(spec, ':');
	if (colon) {
		*colon = '\0';
		ok = (!*spec || cmd_parse_uint(spec, &uid)) && cmd_parse_uint(colon + 1, &gid);
		*colon = ':';
	} else {
		ok = cmd_parse_uint(spec, &uid);
	}
	/* (uid_t)-1 means "unchanged" to chown(2); as an id it is not one. */
	if (!ok || (colon && colon == spec && !colon[1]) || (uid == (unsigned)-1 && !colon) ||
	    (colon && gid == (unsigned)-1))
		return cmd_usage(s, "invalid owner '%s' (numeric UID[:GID] or :GID)", spec);
	for (i = o.ind + 1; i < argc; i++) {
		int err = vfs_fchownat(s->task, AT_FDCWD, argv[i], uid, gid, flags);

		if (err)
			rc = cmd_err(s, argv[i], err);
	}
	return rc;
}

static bool parse_size(const char *str, off_t *size)
{
	unsigned long long v = 0, mul = 1;
	const char *p = str;

	if (!*p || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	switch (*p) {
	case '\0': break;
	case 'K':
		mul = 1ULL << 10;
		p++;
		break;
	case 'M':
		mul = 1ULL << 20;
		p++;
		break;
	case 'G':
		mul = 1ULL << 30;
		p++;
		break;
	case 'T':
		mul = 1ULL << 40;
		p++;
		break;
	default: return false;
	}
	if (*p || v > (unsigned long long)INT64_MAX / mul)
		return false;
	*size = (off_t)(v * mul);
	return true;
}

int cmd_truncate(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	bool have_size = false, no_create = false;
	off_t size = 0;
	struct cmd_opts o;
	int c, i, rc = CMD_OK;

	cmd_opts_init(&o, argc, argv, "cs:", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		switch (c) {
		case 'c': no_create = true; break;
		case 's':
			if (!parse_size(o.arg, &size))
				return cmd_usage(s, "invalid size '%s'", o.arg);
			have_size = true;
			break;
		default: return CMD_USAGE;
		}
	}
	if (!have_size)
		return cmd_usage(s, "-s SIZE is required");
	if (o.ind >= argc)
		return cmd_usage(s, "missing operand");
	for (i = o.ind; i < argc; i++) {
		int fd = vfs_openat(t, AT_FDCWD, argv[i], O_WRONLY | (no_create ? 0 : O_CREAT),
				    0666);
		int err;

		if (fd == -ENOENT && no_create)
			continue;
		if (fd < 0) {
			rc = cmd_err(s, argv[i], fd);
			continue;
		}
		err = vfs_ftruncate(t, fd, size);
		if (err)
			rc = cmd_err(s, argv[i], err);
		vfs_close(t, fd);
	}
	return rc;
}

int cmd_mknod(struct session *s, int argc, char **argv)
{
	struct task *t = s->task;
	bool have_mode = false, need_dev;
	mode_t perm = 0666, type;
	unsigned major = 0, minor = 0;
	struct cmd_opts o;
	const char *path;
	int c, nops, err;

	cmd_opts_init(&o, argc, argv, "m:", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c != 'm')
			return CMD_USAGE;
		if (!cmd_parse_mode(o.arg, 07777, &perm))
			return cmd_usage(s, "invalid mode '%s'", o.arg);
		have_mode = true;
	}
	nops = argc - o.ind;
	if (nops < 2)
		return cmd_usage(s, "missing operand");
	path = argv[o.ind];
	if (strlen(argv[o.ind + 1]) != 1)
		return cmd_usage(s, "invalid device type '%s'", argv[o.ind + 1]);
	switch (argv[o.ind + 1][0]) {
	case 'p': type = S_IFIFO; break;
	case 'c':
	case 'u': type = S_IFCHR; break;
	case 'b': type = S_IFBLK; break;
	case 'f': type = S_IFREG; break;
	case 's': type = S_IFSOCK; break;
	default: return cmd_usage(s, "invalid device type '%s'", argv[o.ind + 1]);
	}
	need_dev = type == S_IFCHR || type == S_IFBLK;
	if (need_dev && nops != 4)
		return cmd_usage(s, nops < 4 ? "missing MAJOR and MINOR for a device"
					     : "too many operands");
	if (!need_dev && nops != 2)
		return cmd_usage(s, "MAJOR and MINOR are only for block and character devices");
	if (need_dev && (!cmd_parse_uint(argv[o.ind + 2], &major) || major > 0xfff))
		return cmd_usage(s, "invalid major device number '%s'", argv[o.ind + 2]);
	if (need_dev && (!cmd_parse_uint(argv[o.ind + 3], &minor) || minor > 0xfffff))
		return cmd_usage(s, "invalid minor device number '%s'", argv[o.ind + 3]);
	err = vfs_mknodat(t, AT_FDCWD, path, type | perm, VFS_MKDEV(major, minor));
	/* -m sets the mode exactly: mknod(2) applied the umask to it. */
	if (!err && have_mode)
		err = vfs_fchmodat(t, AT_FDCWD, path, perm, 0);
	return err ? cmd_err(s, path, err) : CMD_OK;
}

int cmd_readlink(struct session *s, int argc, char **argv)
{
	char *target;
	int err = 0;

	if (argc != 2)
		return cmd_usage(s, argc < 2 ? "missing operand" : "too many operands");
	target = read_link(s->task, AT_FDCWD, argv[1], &err);
	if (!target)
		return cmd_err(s, argv[1], err);
	fprintf(s->out, "%s\n", target);
	free(target);
	return CMD_OK;
}

/* tree */

struct tree_count {
	unsigned long dirs, files;
};

static int tree_walk(struct session *s, const char *path, const char *prefix, bool all,
		     struct tree_count *cnt)
{
	struct task *t = s->task;
	char **names;
	size_t n, i, k, shown = 0;
	int fd, err;

	fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	err = read_names(t, fd, false, &names, &n);
	vfs_close(t, fd);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (all || names[i][0] != '.')
			shown++;
	for (i = 0, k = 0; i < n; i++) {
		char *child, *sub;
		struct vfs_stat st;
		bool last;

		if (!all && names[i][0] == '.')
			continue;
		last = ++k == shown;
		child = path_join(path, names[i]);
		fprintf(s->out, "%s%s%s", prefix, last ? "└── " : "├── ", names[i]);
		err = vfs_fstatat(t, AT_FDCWD, child, &st, AT_SYMLINK_NOFOLLOW);
		if (err) {
			fprintf(s->out, " [%s]\n", errno_name(err));
		} else if (S_ISLNK(st.mode)) {
			char *target = read_link(t, AT_FDCWD, child, &err);

			fprintf(s->out, " -> %s\n", target ? target : "?");
			free(target);
			/* tree(1) counts a link by what it points to. */
			if (vfs_fstatat(t, AT_FDCWD, child, &st, 0) == 0 && S_ISDIR(st.mode))
				cnt->dirs++;
			else
				cnt->files++;
		} else if (S_ISDIR(st.mode)) {
			fputc('\n', s->out);
			cnt->dirs++;
			sub = malloc(strlen(prefix) + 8);
			if (!sub)
				abort();
			sprintf(sub, "%s%s", prefix, last ? "    " : "│   ");
			err = tree_walk(s, child, sub, all, cnt);
			if (err)
				fprintf(s->out, "%s[error opening dir: %s]\n", sub,
					errno_name(err));
			free(sub);
		} else {
			fputc('\n', s->out);
			cnt->files++;
		}
		free(child);
	}
	free_names(names, n);
	return 0;
}

int cmd_tree(struct session *s, int argc, char **argv)
{
	struct tree_count cnt = { 0, 0 };
	struct cmd_opts o;
	const char *path;
	bool all = false;
	int c, err;

	cmd_opts_init(&o, argc, argv, "a", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c != 'a')
			return CMD_USAGE;
		all = true;
	}
	if (argc - o.ind > 1)
		return cmd_usage(s, "too many operands");
	path = o.ind < argc ? argv[o.ind] : ".";
	/* Check first, so a bad PATH is an error and not an empty tree. */
	if (!is_dir(s->task, path)) {
		int fd = vfs_openat(s->task, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);

		if (fd >= 0)
			vfs_close(s->task, fd);
		return cmd_err(s, path, fd < 0 ? fd : -ENOTDIR);
	}
	fprintf(s->out, "%s\n", path);
	err = tree_walk(s, path, "", all, &cnt);
	if (err)
		return cmd_err(s, path, err);
	fprintf(s->out, "\n%lu director%s, %lu file%s\n", cnt.dirs, cnt.dirs == 1 ? "y" : "ies",
		cnt.files, cnt.files == 1 ? "" : "s");
	return CMD_OK;
}

/* Extended attributes. */

/* Parse [-h] and exactly nops operands; returns the first operand's index or -1. */
static int xattr_args(struct session *s, int argc, char **argv, int nops, int *flags)
{
	struct cmd_opts o;
	int c;

	*flags = 0;
	cmd_opts_init(&o, argc, argv, "h", NULL);
	while ((c = cmd_opts_next(s, &o)) != -1) {
		if (c != 'h')
			return -1;
		*flags = AT_SYMLINK_NOFOLLOW;
	}
	if (argc - o.ind != nops) {
		cmd_usage(s, argc - o.ind < nops ? "missing operand" : "too many operands");
		return -1;
	}
	return o.ind;
}

int cmd_getxattr(struct session *s, int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	int flags, i = xattr_args(s, argc, argv, 2, &flags);
	ssize_t len;
	char *val;

	if (i < 0)
		return CMD_USAGE;
	/* Ask for the size, then read; a value that grew in between is retried. */
	for (;;) {
		len = vfs_getxattrat(s->task, AT_FDCWD, argv[i], argv[i + 1], NULL, 0, flags);
		if (len < 0)
			return cmd_err(s, argv[i], (int)len);
		val = malloc((size_t)len + 1);
		if (!val)
			abort();
		len = vfs_getxattrat(s->task, AT_FDCWD, argv[i], argv[i + 1], val, (size_t)len,
				     flags);
		if (len != -ERANGE)
			break;
		free(val);
	}
	if (len < 0) {
		free(val);
		return cmd_err(s, argv[i], (int)len);
	}
	sb_add_cescaped(&sb, val, (size_t)len);
	fprintf(s->out, "%s\n", sb.buf ? sb.buf : "");
	sb_free(&sb);
	free(val);
	return CMD_OK;
}

int cmd_setxattr(struct session *s, int argc, char **argv)
{
	const char *errmsg = NULL;
	int flags, err, i = xattr_args(s, argc, argv, 3, &flags);
	long len;
	char *val;

	if (i < 0)
		return CMD_USAGE;
	len = cmd_unescape(argv[i + 2], &val, &errmsg);
	if (len < 0)
		return cmd_usage(s, "VALUE: %s", errmsg);
	err = vfs_setxattrat(s->task, AT_FDCWD, argv[i], argv[i + 1], val, (size_t)len, 0, flags);
	free(val);
	return err ? cmd_err(s, argv[i], err) : CMD_OK;
}

int cmd_listxattr(struct session *s, int argc, char **argv)
{
	int flags, i = xattr_args(s, argc, argv, 1, &flags);
	char *list, **names;
	size_t n = 0, k;
	ssize_t len, off;

	if (i < 0)
		return CMD_USAGE;
	for (;;) {
		len = vfs_listxattrat(s->task, AT_FDCWD, argv[i], NULL, 0, flags);
		if (len < 0)
			return cmd_err(s, argv[i], (int)len);
		list = malloc((size_t)len + 1);
		if (!list)
			abort();
		len = vfs_listxattrat(s->task, AT_FDCWD, argv[i], list, (size_t)len, flags);
		if (len != -ERANGE)
			break;
		free(list);
	}
	if (len < 0) {
		free(list);
		return cmd_err(s, argv[i], (int)len);
	}
	names = calloc((size_t)len + 1, sizeof(*names));
	if (!names)
		abort();
	for (off = 0; off < len; off += (ssize_t)strlen(list + off) + 1)
		names[n++] = list + off;
	if (n > 1) /* qsort wants a non-NULL array, even empty */
		qsort(names, n, sizeof(*names), cmp_str);
	for (k = 0; k < n; k++)
		fprintf(s->out, "%s\n", names[k]);
	free(names);
	free(list);
	return CMD_OK;
}

int cmd_removexattr(struct session *s, int argc, char **argv)
{
	int flags, err, i = xattr_args(s, argc, argv, 2, &flags);

	if (i < 0)
		return CMD_USAGE;
	err = vfs_removexattrat(s->task, AT_FDCWD, argv[i], argv[i + 1], flags);
	return err ? cmd_err(s, argv[i], err) : CMD_OK;
}

/* The task: cd, pwd, su, umask, id. */

int cmd_cd(struct session *s, int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	int err;

	if (argc > 2)
		return cmd_usage(s, "too many arguments");
	err = vfs_chdir(s->task, path);
	return err ? cmd_err(s, path, err) : CMD_OK;
}

int cmd_pwd(struct session *s, int argc, char **argv)
{
	char buf[VFS_PATH_MAX + 1];
	ssize_t len;

	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	len = vfs_getcwd(s->task, buf, sizeof(buf));
	if (len < 0)
		return cmd_err(s, NULL, (int)len);
	fprintf(s->out, "%s\n", buf);
	return CMD_OK;
}

/* UID[:GID[,GID...]]; the groups array is allocated (caller frees). */
static bool parse_creds(const char *spec, unsigned *uid, unsigned *gid, gid_t **groups,
			size_t *ngroups)
{
	char *copy = strdup(spec), *p, *tok, *save = NULL;
	bool ok = false;
	size_t n = 0;
	gid_t *g;

	if (!copy)
		abort();
	g = calloc(strlen(spec) / 2 + 1, sizeof(*g));
	if (!g)
		abort();
	p = strchr(copy, ':');
	if (p)
		*p++ = '\0';
	if (!cmd_parse_uint(copy, uid) || *uid == (unsigned)-1)
		goto out;
	*gid = *uid;
	if (p) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma++ = '\0';
		if (!cmd_parse_uint(p, gid) || *gid == (unsigned)-1)
			goto out;
		if (comma) {
			for (tok = strtok_r(comma, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				unsigned v;

				if (!cmd_parse_uint(tok, &v) || v == (unsigned)-1)
					goto out;
				g[n++] = v;
			}
			if (n == 0)
				goto out;
		}
	}
	ok = true;
out:
	free(copy);
	if (ok) {
		*groups = g;
		*ngroups = n;
	} else {
		free(g);
	}
	return ok;
}

int cmd_su(struct session *s, int argc, char **argv)
{
	unsigned uid, gid;
	gid_t *groups;
	size_t ngroups;
	struct task *nt;
	int err;

	if (argc > 2)
		return cmd_usage(s, "too many arguments");
	if (argc == 1) {
		/* Back to the init task, as leaving a su shell does. */
		if (s->task != s->init)
			task_exit(s->task);
		s->task = s->init;
		return CMD_OK;
	}
	if (!parse_creds(argv[1], &uid, &gid, &groups, &ngroups))
		return cmd_usage(s, "invalid credentials '%s' (UID[:GID[,GID...]])", argv[1]);
	/* A new task from the current one keeps its cwd, root, umask and mounts; the init
	 * task keeps root's credentials so that 'su' can always go back. */
	nt = task_fork(s->task);
	if (IS_ERR_OR_NULL(nt)) {
		free(groups);
		return cmd_err(s, NULL, nt ? (int)PTR_ERR(nt) : -ENOMEM);
	}
	err = task_setcreds(nt, uid, gid, ngroups, groups);
	free(groups);
	if (err) {
		task_exit(nt);
		return cmd_err(s, argv[1], err);
	}
	if (s->task != s->init)
		task_exit(s->task);
	s->task = nt;
	return CMD_OK;
}

int cmd_umask(struct session *s, int argc, char **argv)
{
	mode_t mode;

	if (argc > 2)
		return cmd_usage(s, "too many arguments");
	if (argc == 1) {
		fprintf(s->out, "%04o\n", (unsigned)get_umask(s->task));
		return CMD_OK;
	}
	if (!cmd_parse_mode(argv[1], 0777, &mode))
		return cmd_usage(s, "invalid mode '%s' (octal, at most 0777)", argv[1]);
	vfs_umask(s->task, mode);
	return CMD_OK;
}

int cmd_id(struct session *s, int argc, char **argv)
{
	gid_t groups[64];
	size_t n, i;

	(void)argv;
	if (argc > 1)
		return cmd_usage(s, "too many arguments");
	n = task_groups(s->task, groups, ARRAY_SIZE(groups));
	/* As id(1): the groups are the effective gid, then the supplementary ones. */
	fprintf(s->out, "uid=%u gid=%u groups=%u", (unsigned)task_uid(s->task),
		(unsigned)task_gid(s->task), (unsigned)task_gid(s->task));
	for (i = 0; i < n && i < ARRAY_SIZE(groups); i++)
		if (groups[i] != task_gid(s->task))
			fprintf(s->out, ",%u", (unsigned)groups[i]);
	if (n > ARRAY_SIZE(groups))
		fprintf(s->out, ",...");
	fputc('\n', s->out);
	return CMD_OK;
}

/* op: the conformance engine lives in op.c; this is its entry in the table. */

int cmd_op(struct session *s, int argc, char **argv)
{
#ifdef HAVE_OP
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc;

	rc = op_run(&op_vfs_backend, s->task, argc - 1, argv + 1, &out, &err);
	if (out.len)
		fwrite(out.buf, 1, out.len, s->out);
	if (err.len) {
		const char *msg = err.buf;

		/* The engine names itself; the reporter already says "op: ". */
		if (strncmp(msg, "op: ", 4) == 0)
			msg += 4;
		cmd_err_prefix(s);
		fprintf(s->err, "vfslab: op: %s", msg);
		if (err.buf[err.len - 1] != '\n')
			fputc('\n', s->err);
		fflush(s->err);
	}
	sb_free(&out);
	sb_free(&err);
	if (rc == 2) {
		fprintf(s->err, "usage: %s\n", s->cur->synopsis);
		return CMD_USAGE;
	}
	return rc ? CMD_FAIL : CMD_OK;
#else
	(void)argc;
	(void)argv;
	return cmd_errf(s, "not available in this build (the op engine, tui/op.c, is missing)");
#endif
}
