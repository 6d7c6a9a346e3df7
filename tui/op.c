/*
 * op.c - the `op` engine: parses one line of pjdfstest's helper language and runs it
 * through a backend (see op.h).
 *
 * A line is checked whole before anything runs (call names, argument counts, numbers,
 * flag names, stat field names), so a typo never half-runs a line; only a descriptor
 * index can be found bad mid-line, since it depends on which opens succeeded. Output
 * follows pjdfstest: one line per call, "0" or the errno name or the requested data, and
 * the first failing call ends the line.
 */
#include "op.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/errname.h"
#include "base/hex.h"
#include "base/strbuf.h"
#include "vfslab/vfs.h"

#ifndef XATTR_CREATE
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2
#endif
#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif
#ifndef O_PATH
#define O_PATH 010000000
#endif

#define OP_MAX_ARGS 8
#define OP_PREAD_MAX (1u << 20)
#define OP_XATTR_MAX 65536
#define OP_GIDS_MAX 64

/* Argument kinds; K_OPT marks an argument that may be left off (only at the end). */
enum kind {
	K_NONE,
	K_STR,	 /* a string, as is */
	K_NUM,	 /* strtoll(s, &end, 0), nothing after it */
	K_FD,	 /* a descriptor index, AT_FDCWD or BADFD */
	K_OFL,	 /* O_* flags */
	K_ATFL,	 /* AT_* flags */
	K_RFL,	 /* RENAME_* flags */
	K_XFL,	 /* XATTR_* flags */
	K_NSEC,	 /* nanoseconds, UTIME_NOW or UTIME_OMIT */
	K_NODE,	 /* mknod's type letter */
	K_STATF, /* comma-separated stat fields */
	K_OPT = 0x100,
};

struct flag {
	long long val;
	const char *name;
};

/* pjdfstest's open flags plus the ones our API supports beyond them. */
static const struct flag open_flags[] = {
	{ O_RDONLY, "O_RDONLY" },     { O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" },
	{ O_NONBLOCK, "O_NONBLOCK" }, { O_APPEND, "O_APPEND" }, { O_CREAT, "O_CREAT" },
	{ O_TRUNC, "O_TRUNC" },	      { O_EXCL, "O_EXCL" },	{ O_SYNC, "O_SYNC" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOCTTY, "O_NOCTTY" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },	{ 0, NULL },
};

/* One table for every *at call: pjdfstest splits it per call, but a flag a call does not
 * take is worth passing through so the EINVAL it earns can be compared. */
static const struct flag at_flags[] = {
	{ AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" },
	{ AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW" },
	{ AT_REMOVEDIR, "AT_REMOVEDIR" },
	{ AT_EMPTY_PATH, "AT_EMPTY_PATH" },
	{ 0, NULL },
};

static const struct flag rename_flags[] = {
	{ RENAME_NOREPLACE, "RENAME_NOREPLACE" },
	{ RENAME_EXCHANGE, "RENAME_EXCHANGE" },
	{ RENAME_WHITEOUT, "RENAME_WHITEOUT" },
	{ 0, NULL },
};

static const struct flag xattr_flags[] = {
	{ XATTR_CREATE, "XATTR_CREATE" },
	{ XATTR_REPLACE, "XATTR_REPLACE" },
	{ 0, NULL },
};

static const struct flag node_types[] = {
	{ S_IFCHR, "c" }, { S_IFBLK, "b" },  { S_IFIFO, "f" }, { S_IFDIR, "d" },
	{ S_IFREG, "o" }, { S_IFSOCK, "s" }, { 0, NULL },
};

static const char *const stat_fields[] = {
	"type",	 "mode",  "inode", "nlink", "uid",	"gid",	    "size",	"blocks", "atime",
	"mtime", "ctime", "major", "minor", "atime_ns", "mtime_ns", "ctime_ns", NULL,
};

enum call_id {
	C_OPEN,
	C_OPENAT,
	C_CREATE,
	C_UNLINK,
	C_UNLINKAT,
	C_MKDIR,
	C_MKDIRAT,
	C_RMDIR,
	C_LINK,
	C_LINKAT,
	C_SYMLINK,
	C_SYMLINKAT,
	C_RENAME,
	C_RENAMEAT,
	C_RENAMEAT2,
	C_MKFIFO,
	C_MKFIFOAT,
	C_MKNOD,
	C_MKNODAT,
	C_CHMOD,
	C_FCHMOD,
	C_FCHMODAT,
	C_CHOWN,
	C_FCHOWN,
	C_LCHOWN,
	C_FCHOWNAT,
	C_TRUNCATE,
	C_FTRUNCATE,
	C_STAT,
	C_FSTAT,
	C_LSTAT,
	C_FSTATAT,
	C_WRITE,
	C_UTIMENSAT,
	C_PREAD,
	C_READLINK,
	C_READDIR,
	C_GETXATTR,
	C_SETXATTR,
	C_LISTXATTR,
	C_REMOVEXATTR,
};

struct call {
	const char *name;
	enum call_id id;
	int args[OP_MAX_ARGS]; /* kinds, K_NONE-terminated */
};

static const struct call calls[] = {
	{ "open", C_OPEN, { K_STR, K_OFL, K_NUM | K_OPT } },
	{ "openat", C_OPENAT, { K_FD, K_STR, K_OFL, K_NUM | K_OPT } },
	{ "create", C_CREATE, { K_STR, K_NUM } },
	{ "unlink", C_UNLINK, { K_STR } },
	{ "unlinkat", C_UNLINKAT, { K_FD, K_STR, K_ATFL } },
	{ "mkdir", C_MKDIR, { K_STR, K_NUM } },
	{ "mkdirat", C_MKDIRAT, { K_FD, K_STR, K_NUM } },
	{ "rmdir", C_RMDIR, { K_STR } },
	{ "link", C_LINK, { K_STR, K_STR } },
	{ "linkat", C_LINKAT, { K_FD, K_STR, K_FD, K_STR, K_ATFL } },
	{ "symlink", C_SYMLINK, { K_STR, K_STR } },
	{ "symlinkat", C_SYMLINKAT, { K_STR, K_FD, K_STR } },
	{ "rename", C_RENAME, { K_STR, K_STR } },
	{ "renameat", C_RENAMEAT, { K_FD, K_STR, K_FD, K_STR } },
	{ "renameat2", C_RENAMEAT2, { K_FD, K_STR, K_FD, K_STR, K_RFL } },
	{ "mkfifo", C_MKFIFO, { K_STR, K_NUM } },
	{ "mkfifoat", C_MKFIFOAT, { K_FD, K_STR, K_NUM } },
	{ "mknod", C_MKNOD, { K_STR, K_NODE, K_NUM, K_NUM, K_NUM } },
	{ "mknodat", C_MKNODAT, { K_FD, K_STR, K_NODE, K_NUM, K_NUM, K_NUM } },
	{ "chmod", C_CHMOD, { K_STR, K_NUM } },
	{ "fchmod", C_FCHMOD, { K_FD, K_NUM } },
	{ "fchmodat", C_FCHMODAT, { K_FD, K_STR, K_NUM, K_ATFL } },
	{ "chown", C_CHOWN, { K_STR, K_NUM, K_NUM } },
	{ "fchown", C_FCHOWN, { K_FD, K_NUM, K_NUM } },
	{ "lchown", C_LCHOWN, { K_STR, K_NUM, K_NUM } },
	{ "fchownat", C_FCHOWNAT, { K_FD, K_STR, K_NUM, K_NUM, K_ATFL } },
	{ "truncate", C_TRUNCATE, { K_STR, K_NUM } },
	{ "ftruncate", C_FTRUNCATE, { K_FD, K_NUM } },
	{ "stat", C_STAT, { K_STR, K_STATF } },
	{ "fstat", C_FSTAT, { K_FD, K_STATF } },
	{ "lstat", C_LSTAT, { K_STR, K_STATF } },
	{ "fstatat", C_FSTATAT, { K_FD, K_STR, K_ATFL, K_STATF } },
	{ "write", C_WRITE, { K_FD, K_STR } },
	{ "utimensat", C_UTIMENSAT, { K_FD, K_STR, K_NUM, K_NSEC, K_NUM, K_NSEC, K_ATFL } },
	{ "pread", C_PREAD, { K_FD, K_NUM, K_NUM } },
	{ "readlink", C_READLINK, { K_STR } },
	{ "readdir", C_READDIR, { K_STR } },
	{ "getxattr", C_GETXATTR, { K_STR, K_STR } },
	{ "setxattr", C_SETXATTR, { K_STR, K_STR, K_STR, K_XFL | K_OPT } },
	{ "listxattr", C_LISTXATTR, { K_STR } },
	{ "removexattr", C_REMOVEXATTR, { K_STR, K_STR } },
};

/* One parsed argument. */
union arg {
	const char *str;
	long long num;
};

/* The state of one line while it runs. */
struct line {
	const struct op_backend *be;
	void *ctx;
	int *fds; /* descriptors opened so far, by index */
	int nfds;
	int cap;
	struct strbuf *out;
	struct strbuf *err;
};

static const struct call *find_call(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(calls[i].name, name) == 0)
			return &calls[i];
	return NULL;
}

static bool parse_num(const char *s, long long *v)
{
	char *end;

	if (*s == '\0')
		return false;
	errno = 0;
	*v = strtoll(s, &end, 0);
	return *end == '\0' && errno == 0;
}

/* A flag list: names or numbers separated by ',' or '|'; "none" and "0" are no flags. */
static bool parse_flags(const struct flag *tbl, const char *s, long long *v)
{
	const char *p = s;
	size_t i, n;
	long long num;
	char word[64];

	*v = 0;
	if (strcmp(s, "none") == 0 || strcmp(s, "0") == 0)
		return true;
	while (*p) {
		n = strcspn(p, ",|");
		if (n == 0 || n >= sizeof(word))
			return false;
		memcpy(word, p, n);
		word[n] = '\0';
		for (i = 0; tbl[i].name; i++)
			if (strcmp(tbl[i].name, word) == 0)
				break;
		if (tbl[i].name)
			*v |= tbl[i].val;
		else if (parse_num(word, &num))
			*v |= num;
		else
			return false;
		p += n;
		if (*p)
			p++;
	}
	return true;
}

static bool valid_stat_fields(const char *s)
{
	const char *p = s;
	size_t i, n;

	do {
		n = strcspn(p, ",");
		for (i = 0; stat_fields[i]; i++)
			if (strlen(stat_fields[i]) == n && strncmp(stat_fields[i], p, n) == 0)
				break;
		if (!stat_fields[i])
			return false;
		p += n;
	} while (*p++ == ',');
	return true;
}

/*
 * Converts the words of one call into args. With ln NULL (the checking pass) a
 * descriptor index is only checked to be a number; with ln it must name a descriptor the
 * line has opened. Returns the number of words used or -1 with a message in err.
 */
static int parse_args(const struct call *c, char **w, int nw, struct line *ln, union arg *a,
		      struct strbuf *err)
{
	int i, kind;
	long long v;

	for (i = 0; i < OP_MAX_ARGS && c->args[i] != K_NONE; i++) {
		kind = c->args[i] & ~K_OPT;
		if (i >= nw) {
			if (c->args[i] & K_OPT)
				break;
			sb_printf(err, "%s: too few arguments", c->name);
			return -1;
		}
		a[i].str = w[i];
		switch (kind) {
		case K_STR: continue;
		case K_NUM:
			if (!parse_num(w[i], &a[i].num))
				goto bad_number;
			continue;
		case K_FD:
			if (strcmp(w[i], "AT_FDCWD") == 0) {
				a[i].num = AT_FDCWD;
				continue;
			}
			if (strcmp(w[i], "BADFD") == 0) {
				a[i].num = -1;
				continue;
			}
			if (!parse_num(w[i], &v))
				goto bad_number;
			if (ln) {
				if (v < 0 || v >= ln->nfds) {
					sb_printf(err, "%s: invalid descriptor %s", c->name, w[i]);
					return -1;
				}
				a[i].num = ln->fds[v];
			}
			continue;
		case K_OFL:
			if (!parse_flags(open_flags, w[i], &a[i].num))
				goto bad_flag;
			continue;
		case K_ATFL:
			if (!parse_flags(at_flags, w[i], &a[i].num))
				goto bad_flag;
			continue;
		case K_RFL:
			if (!parse_flags(rename_flags, w[i], &a[i].num))
				goto bad_flag;
			continue;
		case K_XFL:
			if (!parse_flags(xattr_flags, w[i], &a[i].num))
				goto bad_flag;
			continue;
		case K_NSEC:
			if (strcmp(w[i], "UTIME_NOW") == 0)
				a[i].num = UTIME_NOW;
			else if (strcmp(w[i], "UTIME_OMIT") == 0)
				a[i].num = UTIME_OMIT;
			else if (!parse_num(w[i], &a[i].num))
				goto bad_number;
			continue;
		case K_NODE:
			if (strlen(w[i]) != 1 || !parse_flags(node_types, w[i], &a[i].num)) {
				sb_printf(err, "%s: unknown node type '%s' (c b f d o s)", c->name,
					  w[i]);
				return -1;
			}
			continue;
		case K_STATF:
			if (!valid_stat_fields(w[i])) {
				sb_printf(err, "%s: unknown stat field in '%s'", c->name, w[i]);
				return -1;
			}
			continue;
		}
	}
	if (i < nw) {
		sb_printf(err, "%s: too many arguments [%s]", c->name, w[i]);
		return -1;
	}
	/* open's mode goes with O_CREAT, as in pjdfstest. */
	if (c->id == C_OPEN || c->id == C_OPENAT) {
		int fl = c->id == C_OPEN ? 1 : 2;

		if ((a[fl].num & O_CREAT) && i == fl + 1) {
			sb_printf(err, "%s: O_CREAT needs a mode", c->name);
			return -1;
		}
		if (!(a[fl].num & O_CREAT) && i == fl + 2) {
			sb_printf(err, "%s: a mode without O_CREAT", c->name);
			return -1;
		}
	}
	return i;

bad_number:
	sb_printf(err, "%s: argument %d: number expected [%s]", c->name, i + 1, w[i]);
	return -1;
bad_flag:
	sb_printf(err, "%s: argument %d: unknown flag in '%s'", c->name, i + 1, w[i]);
	return -1;
}

static void print_type(struct strbuf *out, uint32_t mode)
{
	const char *s;

	switch (mode & S_IFMT) {
	case S_IFIFO: s = "fifo"; break;
	case S_IFCHR: s = "char"; break;
	case S_IFDIR: s = "dir"; break;
	case S_IFBLK: s = "block"; break;
	case S_IFREG: s = "regular"; break;
	case S_IFLNK: s = "symlink"; break;
	case S_IFSOCK: s = "socket"; break;
	default: s = "unknown"; break;
	}
	sb_adds(out, s);
}

/* A time in nanoseconds split as struct timespec does: tv_nsec is never negative. */
static long long t_sec(int64_t ns)
{
	long long sec = ns / 1000000000;

	return ns % 1000000000 < 0 ? sec - 1 : sec;
}

static long long t_nsec(int64_t ns)
{
	long long r = ns % 1000000000;

	return r < 0 ? r + 1000000000 : r;
}

static void print_stat(struct strbuf *out, const struct vfs_stat *st, const char *fields)
{
	const char *p = fields;
	char f[16];
	size_t n;

	for (;;) {
		n = strcspn(p, ",");
		memcpy(f, p, n < sizeof(f) ? n : sizeof(f) - 1);
		f[n < sizeof(f) ? n : sizeof(f) - 1] = '\0';
		if (strcmp(f, "type") == 0)
			print_type(out, st->mode);
		else if (strcmp(f, "mode") == 0)
			sb_printf(out, "0%o", (unsigned)(st->mode & 07777));
		else if (strcmp(f, "inode") == 0)
			sb_printf(out, "%llu", (unsigned long long)st->ino);
		else if (strcmp(f, "nlink") == 0)
			sb_printf(out, "%u", st->nlink);
		else if (strcmp(f, "uid") == 0)
			sb_printf(out, "%d", (int)st->uid);
		else if (strcmp(f, "gid") == 0)
			sb_printf(out, "%d", (int)st->gid);
		else if (strcmp(f, "size") == 0)
			sb_printf(out, "%lld", (long long)st->size);
		else if (strcmp(f, "blocks") == 0)
			sb_printf(out, "%lld", (long long)st->blocks);
		else if (strcmp(f, "atime") == 0)
			sb_printf(out, "%lld", t_sec(st->atime_ns));
		else if (strcmp(f, "mtime") == 0)
			sb_printf(out, "%lld", t_sec(st->mtime_ns));
		else if (strcmp(f, "ctime") == 0)
			sb_printf(out, "%lld", t_sec(st->ctime_ns));
		else if (strcmp(f, "atime_ns") == 0)
			sb_printf(out, "%lld", t_nsec(st->atime_ns));
		else if (strcmp(f, "mtime_ns") == 0)
			sb_printf(out, "%lld", t_nsec(st->mtime_ns));
		else if (strcmp(f, "ctime_ns") == 0)
			sb_printf(out, "%lld", t_nsec(st->ctime_ns));
		else if (strcmp(f, "major") == 0)
			sb_printf(out, "%u", VFS_MAJOR(st->rdev));
		else if (strcmp(f, "minor") == 0)
			sb_printf(out, "%u", VFS_MINOR(st->rdev));
		p += n;
		if (*p++ != ',')
			break;
		sb_addc(out, ',');
	}
	sb_addc(out, '\n');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints names[0..n) sorted, C-escaped and comma-joined, or "-" when there are none. */
static void print_names(struct strbuf *out, const char **names, size_t n)
{
	size_t i;

	if (n == 0) {
		sb_adds(out, "-\n");
		return; /* names may be NULL: qsort must not see it */
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			sb_addc(out, ',');
		sb_add_cescaped(out, names[i], strlen(names[i]));
	}
	sb_addc(out, '\n');
}

/* linux_dirent64, which both backends' getdents fill. */
struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int add_name(const char ***names, size_t *n, size_t *cap, const char *name)
{
	const char **nn;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		nn = realloc(*names, *cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		*names = nn;
	}
	(*names)[(*n)++] = name;
	return 0;
}

static int do_readdir(struct line *ln, const char *path)
{
	const struct op_backend *be = ln->be;
	struct strbuf all = STRBUF_INIT;
	const char **names = NULL;
	size_t n = 0, cap = 0, off;
	char buf[4096];
	ssize_t got, pos;
	int fd, r = 0;

	fd = be->openat(ln->ctx, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	/* Names are copied NUL-separated into one buffer, then pointed to once it stops
	 * moving. */
	while ((got = be->getdents(ln->ctx, fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < got;) {
			struct dirent64_hdr *d = (struct dirent64_hdr *)(void *)(buf + pos);

			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				sb_add(&all, d->d_name, strlen(d->d_name) + 1);
			pos += d->d_reclen;
		}
	}
	if (got < 0)
		r = (int)got;
	be->close(ln->ctx, fd);
	if (r == 0 && sb_error(&all))
		r = -ENOMEM;
	for (off = 0; r == 0 && off < all.len; off += strlen(all.buf + off) + 1)
		r = add_name(&names, &n, &cap, all.buf + off);
	if (r == 0)
		print_names(ln->out, names, n);
	free(names);
	sb_free(&all);
	return r;
}

static int do_listxattr(struct line *ln, const char *path)
{
	const char **names = NULL;
	size_t n = 0, cap = 0, off;
	char *list;
	ssize_t got;
	int r = 0;

	list = malloc(OP_XATTR_MAX);
	if (!list)
		return -ENOMEM;
	got = ln->be->listxattr(ln->ctx, path, list, OP_XATTR_MAX);
	if (got < 0)
		r = (int)got;
	for (off = 0; r == 0 && off < (size_t)got; off += strlen(list + off) + 1)
		r = add_name(&names, &n, &cap, list + off);
	if (r == 0)
		print_names(ln->out, names, n);
	free(names);
	free(list);
	return r;
}

/* Prints the len bytes of a buffer the backend filled, C-escaped, on one line. */
static int print_data(struct line *ln, const void *buf, ssize_t len)
{
	if (len < 0)
		return (int)len;
	sb_add_cescaped(ln->out, buf, (size_t)len);
	sb_addc(ln->out, '\n');
	return 0;
}

static int add_fd(struct line *ln, int fd)
{
	int *nf;

	if (ln->nfds == ln->cap) {
		ln->cap = ln->cap ? ln->cap * 2 : 8;
		nf = realloc(ln->fds, (size_t)ln->cap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		ln->fds = nf;
	}
	ln->fds[ln->nfds++] = fd;
	return 0;
}

/* Runs one call with its parsed arguments; returns 0 when the call printed its own
 * output, or the call's result (>= 0 prints "0", < 0 its errno name). */
static long run_call(struct line *ln, const struct call *c, const union arg *a, int na,
		     bool *printed)
{
	const struct op_backend *be = ln->be;
	void *x = ln->ctx;
	struct vfs_stat st;
	struct timespec ts[2];
	void *buf;
	long r;

#define S(i) (a[i].str)
#define N(i) (a[i].num)
	*printed = false;
	switch (c->id) {
	case C_OPEN:
	case C_OPENAT: {
		int off = c->id == C_OPEN ? 0 : 1;
		int dirfd = c->id == C_OPEN ? AT_FDCWD : (int)N(0);

		r = be->openat(x, dirfd, S(off), (int)N(off + 1),
			       na > off + 2 ? (mode_t)N(off + 2) : 0);
		if (r >= 0 && add_fd(ln, (int)r) < 0) {
			be->close(x, (int)r);
			r = -ENOMEM;
		}
		return r;
	}
	case C_CREATE:
		r = be->openat(x, AT_FDCWD, S(0), O_CREAT | O_EXCL, (mode_t)N(1));
		if (r >= 0)
			be->close(x, (int)r);
		return r;
	case C_UNLINK: return be->unlinkat(x, AT_FDCWD, S(0), 0);
	case C_UNLINKAT: return be->unlinkat(x, (int)N(0), S(1), (int)N(2));
	case C_MKDIR: return be->mkdirat(x, AT_FDCWD, S(0), (mode_t)N(1));
	case C_MKDIRAT: return be->mkdirat(x, (int)N(0), S(1), (mode_t)N(2));
	case C_RMDIR: return be->unlinkat(x, AT_FDCWD, S(0), AT_REMOVEDIR);
	case C_LINK: return be->linkat(x, AT_FDCWD, S(0), AT_FDCWD, S(1), 0);
	case C_LINKAT: return be->linkat(x, (int)N(0), S(1), (int)N(2), S(3), (int)N(4));
	case C_SYMLINK: return be->symlinkat(x, S(0), AT_FDCWD, S(1));
	case C_SYMLINKAT: return be->symlinkat(x, S(0), (int)N(1), S(2));
	case C_RENAME: return be->renameat2(x, AT_FDCWD, S(0), AT_FDCWD, S(1), 0);
	case C_RENAMEAT: return be->renameat2(x, (int)N(0), S(1), (int)N(2), S(3), 0);
	case C_RENAMEAT2: return be->renameat2(x, (int)N(0), S(1), (int)N(2), S(3), (unsigned)N(4));
	case C_MKFIFO: return be->mknodat(x, AT_FDCWD, S(0), S_IFIFO | (mode_t)N(1), 0);
	case C_MKFIFOAT: return be->mknodat(x, (int)N(0), S(1), S_IFIFO | (mode_t)N(2), 0);
	case C_MKNOD:
		return be->mknodat(x, AT_FDCWD, S(0), (mode_t)(N(1) | N(2)), VFS_MKDEV(N(3), N(4)));
	case C_MKNODAT:
		return be->mknodat(x, (int)N(0), S(1), (mode_t)(N(2) | N(3)),
				   VFS_MKDEV(N(4), N(5)));
	case C_CHMOD: return be->fchmodat(x, AT_FDCWD, S(0), (mode_t)N(1), 0);
	case C_FCHMOD: return be->fchmod(x, (int)N(0), (mode_t)N(1));
	case C_FCHMODAT: return be->fchmodat(x, (int)N(0), S(1), (mode_t)N(2), (int)N(3));
	case C_CHOWN: return be->fchownat(x, AT_FDCWD, S(0), (uid_t)N(1), (gid_t)N(2), 0);
	case C_FCHOWN: return be->fchown(x, (int)N(0), (uid_t)N(1), (gid_t)N(2));
	case C_LCHOWN:
		return be->fchownat(x, AT_FDCWD, S(0), (uid_t)N(1), (gid_t)N(2),
				    AT_SYMLINK_NOFOLLOW);
	case C_FCHOWNAT:
		return be->fchownat(x, (int)N(0), S(1), (uid_t)N(2), (gid_t)N(3), (int)N(4));
	case C_TRUNCATE: return be->truncate(x, S(0), (off_t)N(1));
	case C_FTRUNCATE: return be->ftruncate(x, (int)N(0), (off_t)N(1));
	case C_STAT:
	case C_LSTAT:
		r = be->fstatat(x, AT_FDCWD, S(0), &st, c->id == C_LSTAT ? AT_SYMLINK_NOFOLLOW : 0);
		if (r == 0) {
			print_stat(ln->out, &st, S(1));
			*printed = true;
		}
		return r;
	case C_FSTAT:
		r = be->fstat(x, (int)N(0), &st);
		if (r == 0) {
			print_stat(ln->out, &st, S(1));
			*printed = true;
		}
		return r;
	case C_FSTATAT:
		r = be->fstatat(x, (int)N(0), S(1), &st, (int)N(2));
		if (r == 0) {
			print_stat(ln->out, &st, S(3));
			*printed = true;
		}
		return r;
	case C_WRITE: return be->write(x, (int)N(0), S(1), strlen(S(1)));
	case C_UTIMENSAT:
		ts[0].tv_sec = (time_t)N(2);
		ts[0].tv_nsec = (long)N(3);
		ts[1].tv_sec = (time_t)N(4);
		ts[1].tv_nsec = (long)N(5);
		return be->utimensat(x, (int)N(0), S(1), ts, (int)N(6));
	case C_PREAD:
		if (N(1) < 0 || N(1) > OP_PREAD_MAX)
			return -EINVAL;
		buf = malloc(N(1) ? (size_t)N(1) : 1);
		if (!buf)
			return -ENOMEM;
		r = be->pread(x, (int)N(0), buf, (size_t)N(1), (off_t)N(2));
		r = print_data(ln, buf, r);
		free(buf);
		*printed = r == 0;
		return r;
	case C_READLINK:
		buf = malloc(VFS_PATH_MAX);
		if (!buf)
			return -ENOMEM;
		r = be->readlinkat(x, AT_FDCWD, S(0), buf, VFS_PATH_MAX);
		r = print_data(ln, buf, r);
		free(buf);
		*printed = r == 0;
		return r;
	case C_READDIR:
		r = do_readdir(ln, S(0));
		*printed = r == 0;
		return r;
	case C_GETXATTR:
		buf = malloc(OP_XATTR_MAX);
		if (!buf)
			return -ENOMEM;
		r = be->getxattr(x, S(0), S(1), buf, OP_XATTR_MAX);
		r = print_data(ln, buf, r);
		free(buf);
		*printed = r == 0;
		return r;
	case C_SETXATTR:
		return be->setxattr(x, S(0), S(1), S(2), strlen(S(2)), na > 3 ? (int)N(3) : 0);
	case C_LISTXATTR:
		r = do_listxattr(ln, S(0));
		*printed = r == 0;
		return r;
	case C_REMOVEXATTR: return be->removexattr(x, S(0), S(1));
	}
#undef S
#undef N
	return -ENOSYS;
}

/* Splits argv into calls at ":" words; returns the index just past this call's words. */
static int call_end(char **argv, int argc, int i)
{
	while (i < argc && strcmp(argv[i], ":") != 0)
		i++;
	return i;
}

/* The checking pass over the calls in argv[start..argc). */
static int check_calls(char **argv, int argc, int start, struct strbuf *err)
{
	union arg a[OP_MAX_ARGS];
	const struct call *c;
	int i = start, end;

	for (;;) {
		if (i >= argc) {
			sb_adds(err, "op: a call is missing");
			return -1;
		}
		c = find_call(argv[i]);
		if (!c) {
			sb_printf(err, "op: unknown call '%s'", argv[i]);
			return -1;
		}
		end = call_end(argv, argc, i + 1);
		if (parse_args(c, argv + i + 1, end - i - 1, NULL, a, err) < 0)
			return -1;
		if (end >= argc)
			return 0;
		i = end + 1;
	}
}

static int parse_gids(const char *s, gid_t *gids, size_t *n, struct strbuf *err)
{
	const char *p = s;
	char word[32];
	long long v;
	size_t len;

	*n = 0;
	do {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(word) || *n == OP_GIDS_MAX)
			goto bad;
		memcpy(word, p, len);
		word[len] = '\0';
		if (!parse_num(word, &v))
			goto bad;
		gids[(*n)++] = (gid_t)v;
		p += len;
	} while (*p++ == ',');
	return 0;
bad:
	sb_printf(err, "op: -g: bad group list '%s'", s);
	return -1;
}

static int usage(struct strbuf *err)
{
	sb_adds(err, "usage: op [-U UMASK] [-u UID] [-g GID[,GID...]] SYSCALL ARGS "
		     "[: SYSCALL ARGS]...");
	return OP_USAGE;
}

int op_run(const struct op_backend *be, void *ctx, int argc, char **argv, struct strbuf *out,
	   struct strbuf *err)
{
	struct line ln = { .be = be, .ctx = ctx, .out = out, .err = err };
	union arg a[OP_MAX_ARGS];
	gid_t gids[OP_GIDS_MAX];
	size_t ngids = 0;
	long long uid = -1, umask_v = 0, v;
	const struct call *c;
	bool printed, creds = false;
	mode_t old_umask;
	int i, end, na, ret = OP_OK, fd;
	long r;

	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		char opt = argv[i][1];
		const char *val;

		if (opt != 'U' && opt != 'u' && opt != 'g')
			return usage(err);
		if (argv[i][2])
			val = argv[i] + 2;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return usage(err);
		if (opt == 'g') {
			if (parse_gids(val, gids, &ngids, err) < 0)
				return OP_USAGE;
			continue;
		}
		if (!parse_num(val, &v)) {
			sb_printf(err, "op: -%c: number expected [%s]", opt, val);
			return OP_USAGE;
		}
		if (opt == 'u')
			uid = v;
		else
			umask_v = v;
	}
	if (check_calls(argv, argc, i, err) < 0)
		return OP_USAGE;

	if (uid != -1 || ngids) {
		r = be->set_creds(ctx, (uid_t)uid, gids, ngids);
		if (r < 0) {
			sb_printf(err, "op: cannot set credentials: %s", errno_name((int)r));
			return OP_ERROR;
		}
		creds = true;
	}
	old_umask = be->umask(ctx, (mode_t)umask_v & 0777);

	for (;;) {
		c = find_call(argv[i]);
		end = call_end(argv, argc, i + 1);
		na = parse_args(c, argv + i + 1, end - i - 1, &ln, a, err);
		if (na < 0) {
			ret = OP_USAGE;
			break;
		}
		r = run_call(&ln, c, a, na, &printed);
		if (r < 0) {
			sb_printf(out, "%s\n", errno_name((int)r));
			break;
		}
		if (!printed)
			sb_adds(out, "0\n");
		if (end >= argc)
			break;
		i = end + 1;
	}

	for (fd = 0; fd < ln.nfds; fd++)
		be->close(ctx, ln.fds[fd]);
	free(ln.fds);
	be->umask(ctx, old_umask);
	if (creds)
		be->restore_creds(ctx);
	return ret;
}

/* Decodes the backslash escape at *pp (just past the backslash) and moves *pp past it. */
static char unescape(const char **pp)
{
	const char *p = *pp;
	int v, n;

	switch (*p) {
	case 'n': *pp = p + 1; return '\n';
	case 't': *pp = p + 1; return '\t';
	case 'r': *pp = p + 1; return '\r';
	case 'x':
		for (v = 0, n = 0, p++; n < 2 && hex_digit(*p) >= 0; n++, p++)
			v = v * 16 + hex_digit(*p);
		*pp = p;
		return (char)v;
	default:
		if (*p >= '0' && *p <= '7') {
			for (v = 0, n = 0; n < 3 && *p >= '0' && *p <= '7'; n++, p++)
				v = v * 8 + (*p - '0');
			*pp = p;
			return (char)v;
		}
		*pp = p + 1;
		return *p;
	}
}

int op_split_line(char *line, char ***argvp, int *argcp)
{
	char **argv = NULL, **nv;
	const char *p = line;
	char *o = line;
	int argc = 0, cap = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (argc + 1 >= cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(argv, (size_t)cap * sizeof(*nv));
			if (!nv)
				goto nomem;
			argv = nv;
		}
		argv[argc++] = o;
		/* Words are rebuilt in place: o never passes p. */
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			if (*p == '\'') {
				for (p++; *p && *p != '\'';)
					*o++ = *p++;
				if (*p++ != '\'')
					goto unterminated;
			} else if (*p == '"') {
				for (p++; *p && *p != '"';) {
					if (*p == '\\' && p[1]) {
						p++;
						*o++ = unescape(&p);
					} else {
						*o++ = *p++;
					}
				}
				if (*p++ != '"')
					goto unterminated;
			} else {
				*o++ = *p++;
			}
		}
		/* The separator is consumed before the terminator is written over it. */
		if (*p)
			p++;
		*o++ = '\0';
	}
	if (!argv) {
		argv = malloc(sizeof(*argv));
		if (!argv)
			return -ENOMEM;
	}
	argv[argc] = NULL;
	*argvp = argv;
	*argcp = argc;
	return 0;
unterminated:
	free(argv);
	return -EINVAL;
nomem:
	free(argv);
	return -ENOMEM;
}
