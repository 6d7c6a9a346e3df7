/*
 * ops.c - the 9P2000.L server's handlers: one function per T message, acting as
 * the fid's session task through the public VFS API.
 *
 * Confinement: the session tasks are chrooted to the export root, so `..` stays at the
 * root and nothing outside the export can be named; walks take one checked component at
 * a time with O_PATH|O_NOFOLLOW, so a walk never follows a symlink; names that create or
 * remove ("", ".", "..", anything holding '/') are EINVAL, as gVisor's p9 checks them.
 * (As with chroot(2), a directory moved out of the export by another task of the kernel
 * while a fid holds it could be climbed out of with `..`; clients cannot move it.)
 * A file export is chrooted to the file's directory but attaches to the file: no walk
 * leaves a non-directory (ENOTDIR), so that directory holds only Tlopen's reopen by name,
 * and Tremove of the file is EBUSY like that of a directory export's root.
 *
 * A fid holds an O_PATH descriptor of its file, and the directory and name it was
 * reached by: Tlopen reopens by that name (the VFS has no reopen of an O_PATH
 * descriptor) and checks it is still the same inode, else ESTALE. Renames through this
 * connection keep the names of the fids of the same session up to date.
 *
 * Choices where 9P servers differ, documented: Tauth is ENOENT (no authentication, as
 * diod -n answers); Tlock always succeeds and Tgetlock reports F_UNLCK (no lock manager:
 * the locks a client takes are advisory and local to it, as several servers do); iounit
 * is 0 (the client uses msize - P9_IOHDRSZ); Tlcreate/Tmkdir/Tsymlink/Tmknod give the new
 * file the requested gid when the session may (chown), else the session's gid.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "p9/server/server.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

#ifndef O_PATH
#define O_PATH 010000000
#endif
#ifndef XATTR_CREATE
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2
#endif
#define P9_XATTR_SIZE_MAX 65536

/* ------------------------------------------------------------------ helpers */

static bool readonly(struct p9_conn *c)
{
	return c->s->flags & P9_SERVER_RO;
}

static uint32_t conn_msize(struct p9_conn *c)
{
	uint32_t m;

	pthread_mutex_lock(&c->lock);
	m = c->msize;
	pthread_mutex_unlock(&c->lock);
	return m;
}

/* A name for a walk: "." and ".." allowed (`..` clamps at the root), '/' never. */
static int walk_name(struct p9_str n, char *out)
{
	if (n.len == 0 || memchr(n.s, '/', n.len))
		return -EINVAL;
	if (n.len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(out, n.s, n.len);
	out[n.len] = '\0';
	return 0;
}

/* A name to create, remove or rename: also not "." or "..". */
static int entry_name(struct p9_str n, char *out)
{
	int err = walk_name(n, out);

	if (err)
		return err;
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		return -EINVAL;
	return 0;
}

static uint8_t qtype_of(uint32_t mode)
{
	if (S_ISDIR(mode))
		return P9_QTDIR;
	if (S_ISLNK(mode))
		return P9_QTSYMLINK;
	return P9_QTFILE;
}

/* Inode numbers are unique per filesystem; mix the device in for other filesystems. */
static uint64_t qpath(struct p9_conn *c, uint32_t dev, uint64_t ino)
{
	return dev == c->s->root_dev ? ino : ino ^ ((uint64_t)dev << 40);
}

static void qid_of(struct p9_conn *c, const struct vfs_stat *st, struct p9_qid *q)
{
	q->type = qtype_of(st->mode);
	q->version = 0;
	q->path = qpath(c, st->dev, st->ino);
}

static void lock2(struct p9_fid *a, struct p9_fid *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->lock);
	} else if (a < b) {
		pthread_mutex_lock(&a->lock);
		pthread_mutex_lock(&b->lock);
	} else {
		pthread_mutex_lock(&b->lock);
		pthread_mutex_lock(&a->lock);
	}
}

static void unlock2(struct p9_fid *a, struct p9_fid *b)
{
	pthread_mutex_unlock(&a->lock);
	if (a != b)
		pthread_mutex_unlock(&b->lock);
}

static void set_parent(struct p9_fid *f, int parentfd, char *name)
{
	struct vfs_stat st;

	if (f->parentfd >= 0)
		vfs_close(f->sess->t, f->parentfd);
	vl_free(f->name);
	f->parentfd = parentfd;
	f->name = name;
	f->pino = 0;
	f->pdev = 0;
	if (parentfd >= 0 && vfs_fstat(f->sess->t, parentfd, &st) == 0) {
		f->pino = st.ino;
		f->pdev = st.dev;
	}
}

/* Open the fid's file anew with flags (see the file comment). */
static int fid_reopen(struct p9_fid *f, int flags)
{
	struct task *t = f->sess->t;
	struct vfs_stat a, b;
	int fd, err;

	if (f->parentfd < 0) {
		if (!f->isdir)
			return -ESTALE;
		return vfs_openat(t, f->pathfd, ".", flags | O_DIRECTORY, 0);
	}
	fd = vfs_openat(t, f->parentfd, f->name, flags | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	err = vfs_fstat(t, fd, &a);
	if (!err)
		err = vfs_fstat(t, f->pathfd, &b);
	if (!err && (a.ino != b.ino || a.dev != b.dev))
		err = -ESTALE;
	if (err) {
		vfs_close(t, fd);
		return err;
	}
	return fd;
}

/* Best effort: give a new file the gid the client asked for (see the file comment). */
static void set_gid(struct task *t, int dirfd, const char *name, uint32_t gid)
{
	if (gid != (uint32_t)-1 && gid != task_gid(t))
		vfs_fchownat(t, dirfd, name, (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW);
}

/* Linux open flags from P9_DOTL ones (the same on x86, not on every architecture). */
static int open_flags(uint32_t p9, bool create)
{
	static const struct {
		uint32_t p9;
		int lx;
	} map[] = {
		{ P9_DOTL_TRUNC, O_TRUNC },	    { P9_DOTL_APPEND, O_APPEND },
		{ P9_DOTL_NONBLOCK, O_NONBLOCK },   { P9_DOTL_DSYNC, O_DSYNC },
		{ P9_DOTL_DIRECTORY, O_DIRECTORY }, { P9_DOTL_SYNC, O_SYNC },
	};
	int lx;
	size_t i;

	switch (p9 & 3) {
	case P9_DOTL_RDONLY: lx = O_RDONLY; break;
	case P9_DOTL_WRONLY: lx = O_WRONLY; break;
	case P9_DOTL_RDWR: lx = O_RDWR; break;
	default: return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (p9 & map[i].p9)
			lx |= map[i].lx;
	if (create && (p9 & P9_DOTL_EXCL))
		lx |= O_EXCL;
	return lx;
}

/* ------------------------------------------------------------------ session */

static int op_auth(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	(void)c;
	(void)t;
	(void)r;
	return -ENOENT;
}

/* The uid an attach names: n_uname, else a numeric uname, else the server's own. */
static int attach_uid(struct p9_conn *c, const struct p9_fcall *t, uint32_t *uid)
{
	struct p9_str u = t->u.tattach.uname;
	uint64_t v = 0;
	uint16_t i;

	if (t->u.tattach.n_uname != P9_NONUNAME) {
		*uid = t->u.tattach.n_uname;
		return 0;
	}
	if (u.len == 0) {
		*uid = task_uid(c->s->task);
		return 0;
	}
	for (i = 0; i < u.len; i++) {
		if (u.s[i] < '0' || u.s[i] > '9' || v > 0xfffffffeULL / 10)
			return -EINVAL; /* no user database: names are not known */
		v = v * 10 + (uint64_t)(u.s[i] - '0');
	}
	if (v >= 0xffffffffULL)
		return -EINVAL;
	*uid = (uint32_t)v;
	return 0;
}

static int op_attach(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_str an = t->u.tattach.aname;
	struct p9_session *sess;
	struct p9_fid *f = NULL;
	char path[VFS_PATH_MAX], *p, *comp, *save = NULL, *name = NULL;
	int cur = -1, parent = -1, fd, err;
	size_t rl = strlen(c->s->root);
	struct vfs_stat st;
	uint32_t uid;

	if (t->u.tattach.afid != P9_NOFID)
		return -EINVAL;
	if (an.len >= sizeof(path))
		return -ENAMETOOLONG;
	err = attach_uid(c, t, &uid);
	if (err)
		return err;
	err = p9_session_get(c, uid, &sess);
	if (err)
		return err;
	memcpy(path, an.s, an.len);
	path[an.len] = '\0';
	/* diod's clients name the export by its path: that path means the root here. */
	while (rl > 1 && c->s->root[rl - 1] == '/')
		rl--;
	p = path;
	if (rl > 1 && strncmp(path, c->s->root, rl) == 0 && (path[rl] == '\0' || path[rl] == '/'))
		p += rl;

	cur = vfs_openat(sess->t, AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	if (c->s->file) {
		/* A file export: the aname is a path from the file, so any name in it fails
		 * (ENOTDIR); the chroot's directory is only the file's parent for Tlopen. */
		parent = cur;
		name = c->s->file;
		cur = vfs_openat(sess->t, parent, name, O_PATH | O_NOFOLLOW, 0);
		if (cur < 0) {
			err = cur;
			goto out;
		}
		err = vfs_fstat(sess->t, cur, &st);
		if (!err && !S_ISREG(st.mode))
			err = -ESTALE; /* no longer the regular file exported */
		if (err)
			goto out;
	}
	for (comp = strtok_r(p, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			err = -EINVAL;
			goto out;
		}
		fd = vfs_openat(sess->t, cur, comp, O_PATH | O_NOFOLLOW, 0);
		if (fd < 0) {
			err = fd;
			goto out;
		}
		if (parent >= 0)
			vfs_close(sess->t, parent);
		parent = cur;
		cur = fd;
		name = comp;
	}
	err = vfs_fstat(sess->t, cur, &st);
	if (err)
		goto out;
	f = p9_fid_alloc(sess, t->u.tattach.fid);
	if (!f) {
		err = -ENOMEM;
		goto out;
	}
	if (name) {
		char *n = vl_strdup(name);

		if (!n) {
			err = -ENOMEM;
			goto out;
		}
		set_parent(f, parent, n);
		parent = -1;
	}
	f->pathfd = cur;
	cur = -1;
	f->isdir = S_ISDIR(st.mode);
	/* The attach point is this fid tree's root: `..` never climbs above it. */
	f->root_ino = st.ino;
	f->root_dev = st.dev;
	err = p9_fid_insert(c, f);
	if (err)
		goto out;
	qid_of(c, &st, &r->u.rattach.qid);
out:
	p9_fid_put(c, f);
	if (cur >= 0)
		vfs_close(sess->t, cur);
	if (parent >= 0)
		vfs_close(sess->t, parent);
	return err;
}

static int op_walk(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	const __typeof__(t->u.twalk) *w = &t->u.twalk;
	struct p9_fid *f, *nf = NULL;
	char name[VFS_NAME_MAX + 1], *curname = NULL;
	int cur = -1, curparent = -1, fd, err = 0;
	struct task *tk;
	struct vfs_stat st;
	bool isdir;
	unsigned i;

	f = p9_fid_get(c, w->fid);
	if (!f)
		return -EBADF;
	if (w->newfid != w->fid) {
		struct p9_fid *g = p9_fid_get(c, w->newfid);

		if (g) {
			p9_fid_put(c, g);
			p9_fid_put(c, f);
			return -EEXIST;
		}
	}
	pthread_mutex_lock(&f->lock);
	tk = f->sess->t;
	if (w->newfid == w->fid && (f->openfd >= 0 || f->xkind != P9_XATTR_NONE)) {
		err = -EBUSY;
		goto out;
	}
	isdir = f->isdir;
	cur = vfs_dup(tk, f->pathfd);
	if (cur < 0) {
		err = cur;
		goto out;
	}
	if (f->parentfd >= 0) {
		curparent = vfs_dup(tk, f->parentfd);
		curname = vl_strdup(f->name);
		if (curparent < 0 || !curname) {
			err = curparent < 0 ? curparent : -ENOMEM;
			goto out;
		}
	}
	err = vfs_fstat(tk, cur, &st);
	if (err)
		goto out;
	for (i = 0; i < w->nwname; i++) {
		bool at_root = st.ino == f->root_ino && st.dev == f->root_dev;

		err = walk_name(w->wname[i], name);
		if (!err && !isdir)
			err = -ENOTDIR;
		if (err)
			break;
		/* `..` at the attach point stays there (the aname confines the client). */
		if (strcmp(name, "..") == 0 && at_root)
			strcpy(name, ".");
		if (strcmp(name, ".") == 0) {
			fd = vfs_dup(tk, cur);
		} else if (strcmp(name, "..") == 0) {
			fd = vfs_openat(tk, cur, "..", O_PATH | O_DIRECTORY, 0);
		} else {
			fd = vfs_openat(tk, cur, name, O_PATH | O_NOFOLLOW, 0);
		}
		if (fd < 0) {
			err = fd;
			break;
		}
		err = vfs_fstat(tk, fd, &st);
		if (err) {
			vfs_close(tk, fd);
			break;
		}
		if (strcmp(name, ".") != 0) {
			if (curparent >= 0)
				vfs_close(tk, curparent);
			vl_free(curname);
			curparent = -1;
			curname = NULL;
			if (strcmp(name, "..") == 0) {
				vfs_close(tk, cur); /* a parent's name is not known */
			} else {
				curparent = cur;
				curname = vl_strdup(name);
				if (!curname) {
					vfs_close(tk, fd);
					cur = -1;
					err = -ENOMEM;
					break;
				}
			}
			cur = fd;
		} else {
			vfs_close(tk, cur);
			cur = fd;
		}
		isdir = S_ISDIR(st.mode);
		qid_of(c, &st, &r->u.rwalk.wqid[i]);
	}
	if (err) {
		/* The first name failing is an error; a later one returns the qids so far. */
		if (i > 0) {
			r->u.rwalk.nwqid = (uint16_t)i;
			err = 0;
		}
		goto out;
	}
	r->u.rwalk.nwqid = w->nwname;
	if (w->newfid == w->fid) {
		vfs_close(tk, f->pathfd);
		f->pathfd = cur;
		cur = -1;
		set_parent(f, curparent, curname);
		curparent = -1;
		curname = NULL;
		f->isdir = isdir;
		goto out;
	}
	nf = p9_fid_alloc(f->sess, w->newfid);
	if (!nf) {
		err = -ENOMEM;
		goto out;
	}
	nf->pathfd = cur;
	cur = -1;
	nf->root_ino = f->root_ino;
	nf->root_dev = f->root_dev;
	set_parent(nf, curparent, curname);
	curparent = -1;
	curname = NULL;
	nf->isdir = isdir;
	err = p9_fid_insert(c, nf);
out:
	if (cur >= 0)
		vfs_close(tk, cur);
	if (curparent >= 0)
		vfs_close(tk, curparent);
	vl_free(curname);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, nf);
	p9_fid_put(c, f);
	return err;
}

static int commit_xattr(struct p9_fid *f)
{
	struct task *t = f->sess->t;

	if (f->xcopied != f->xlen)
		return -EINVAL;
	/* A zero-sized create is how Linux's client removes an attribute. */
	if (f->xlen == 0)
		return vfs_removexattrat(t, f->pathfd, "", f->xname, AT_EMPTY_PATH);
	return vfs_setxattrat(t, f->pathfd, "", f->xname, f->xbuf, f->xlen, f->xflags,
			      AT_EMPTY_PATH);
}

static int op_clunk(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_remove(c, t->u.tfid.fid);
	int err = 0;

	(void)r;
	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	if (f->xkind == P9_XATTR_WRITE) {
		err = commit_xattr(f);
		f->xkind = P9_XATTR_NONE;
	}
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

static int op_remove(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_remove(c, t->u.tfid.fid);
	int err;

	(void)r;
	if (!f)
		return -EBADF;
	/* Tremove clunks the fid whether or not the removal succeeds. */
	pthread_mutex_lock(&f->lock);
	if (readonly(c))
		err = -EROFS;
	else if (f->parentfd < 0 || c->s->file)
		err = -EBUSY; /* the attach point (a file export has no other file) */
	else
		err = vfs_unlinkat(f->sess->t, f->parentfd, f->name, f->isdir ? AT_REMOVEDIR : 0);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

void p9_srv_clunk_all(struct p9_conn *c)
{
	struct p9_fid **v;
	size_t n, i;

	if (p9_fid_snapshot(c, &v, &n))
		return;
	for (i = 0; i < n; i++) {
		struct p9_fid *f = p9_fid_remove(c, v[i]->num);

		p9_fid_put(c, f);
		p9_fid_put(c, v[i]);
	}
	vl_free(v);
}

/* ------------------------------------------------------------------ files */

static int op_lopen(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tlopen.fid);
	int flags = open_flags(t->u.tlopen.flags, false), fd, err = 0;
	struct vfs_stat st;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	if (flags < 0) {
		err = flags;
		goto out;
	}
	if (f->openfd >= 0 || f->xkind != P9_XATTR_NONE) {
		err = -EBUSY;
		goto out;
	}
	if (readonly(c) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))) {
		err = -EROFS;
		goto out;
	}
	fd = fid_reopen(f, flags);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	err = vfs_fstat(f->sess->t, fd, &st);
	if (err) {
		vfs_close(f->sess->t, fd);
		goto out;
	}
	f->openfd = fd;
	f->isreg = S_ISREG(st.mode);
	qid_of(c, &st, &r->u.ropen.qid);
	r->u.ropen.iounit = 0;
out:
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

static int op_lcreate(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tlcreate.fid);
	int flags = open_flags(t->u.tlcreate.flags, true), fd = -1, pfd = -1, err;
	char name[VFS_NAME_MAX + 1], *nm = NULL;
	struct vfs_stat st;
	struct task *tk;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	tk = f->sess->t;
	err = entry_name(t->u.tlcreate.name, name);
	if (!err && flags < 0)
		err = flags;
	if (!err && readonly(c))
		err = -EROFS;
	if (!err && (!f->isdir || f->openfd >= 0 || f->xkind != P9_XATTR_NONE))
		err = f->isdir ? -EBUSY : -ENOTDIR;
	if (err)
		goto out;
	fd = vfs_openat(tk, f->pathfd, name, flags | O_CREAT | O_NOFOLLOW,
			t->u.tlcreate.mode & 07777);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	set_gid(tk, f->pathfd, name, t->u.tlcreate.gid);
	pfd = vfs_openat(tk, f->pathfd, name, O_PATH | O_NOFOLLOW, 0);
	nm = vl_strdup(name);
	err = pfd < 0 ? pfd : (nm ? vfs_fstat(tk, fd, &st) : -ENOMEM);
	if (err)
		goto out;
	/* The fid now stands for the new file, opened. */
	set_parent(f, f->pathfd, nm);
	nm = NULL;
	f->pathfd = pfd;
	pfd = -1;
	f->openfd = fd;
	f->isreg = true; /* Tlcreate makes a regular file */
	fd = -1;
	f->isdir = false;
	qid_of(c, &st, &r->u.ropen.qid);
	r->u.ropen.iounit = 0;
out:
	if (fd >= 0)
		vfs_close(tk, fd);
	if (pfd >= 0)
		vfs_close(tk, pfd);
	vl_free(nm);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

static int op_read(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r, uint8_t *buf,
		   size_t size)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tread.fid);
	size_t count = t->u.tread.count, max = MIN(size, conn_msize(c)) - P9_READ_DATA_OFF;
	uint8_t *data = buf + P9_READ_DATA_OFF;
	ssize_t n;
	int err = 0;

	if (!f)
		return -EBADF;
	count = MIN(count, max);
	pthread_mutex_lock(&f->lock);
	if (f->xkind == P9_XATTR_READ) {
		uint64_t off = t->u.tread.offset;

		n = off >= f->xlen ? 0 : (ssize_t)MIN(count, f->xlen - off);
		if (n)
			memcpy(data, f->xbuf + off, (size_t)n);
	} else if (f->openfd < 0) {
		n = -EBADF;
	} else if (t->u.tread.offset > INT64_MAX) {
		n = -EINVAL;
	} else {
		n = vfs_pread(f->sess->t, f->openfd, data, count, (off_t)t->u.tread.offset);
	}
	pthread_mutex_unlock(&f->lock);
	if (n < 0) {
		err = (int)n;
	} else {
		r->u.rread.count = (uint32_t)n;
		r->u.rread.data = data;
	}
	p9_fid_put(c, f);
	return err;
}

static int op_write(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.twrite.fid);
	uint64_t off = t->u.twrite.offset;
	size_t count = t->u.twrite.count;
	ssize_t n;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	if (f->xkind == P9_XATTR_WRITE) {
		if (off > f->xlen || count > f->xlen - off) {
			n = -EINVAL;
		} else {
			if (count)
				memcpy(f->xbuf + off, t->u.twrite.data, count);
			f->xcopied += count;
			n = (ssize_t)count;
		}
	} else if (readonly(c)) {
		n = -EROFS;
	} else if (f->openfd < 0) {
		n = -EBADF;
	} else if (off > INT64_MAX) {
		n = -EINVAL;
	} else {
		n = vfs_pwrite(f->sess->t, f->openfd, t->u.twrite.data, count, (off_t)off);
	}
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	if (n < 0)
		return (int)n;
	r->u.rwrite.count = (uint32_t)n;
	return 0;
}

static uint8_t qtype_of_dtype(uint8_t dt)
{
	return dt == DT_DIR ? P9_QTDIR : dt == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;
}

/* Directory offsets are the VFS's d_off cookies, so a client may come back to any. */
static int op_readdir(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r, uint8_t *buf,
		      size_t size)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tread.fid);
	size_t count = t->u.tread.count, put = 0, pos = 0;
	size_t max = MIN(size, conn_msize(c)) - P9_READ_DATA_OFF;
	uint8_t *data = buf + P9_READ_DATA_OFF;
	uint64_t cookie = t->u.tread.offset;
	uint8_t *tmp = NULL;
	struct vfs_stat st;
	struct task *tk;
	ssize_t n;
	int err;

	if (!f)
		return -EBADF;
	count = MIN(count, max);
	pthread_mutex_lock(&f->lock);
	tk = f->sess->t;
	if (f->openfd < 0 || !f->isdir) {
		err = f->openfd < 0 ? -EBADF : -ENOTDIR;
		goto out;
	}
	err = vfs_fstat(tk, f->openfd, &st);
	if (err)
		goto out;
	if (cookie > INT64_MAX) {
		err = -EINVAL;
		goto out;
	}
	n = vfs_lseek(tk, f->openfd, (off_t)cookie, SEEK_SET);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	tmp = vl_malloc(count ? count : 1);
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	n = vfs_getdents(tk, f->openfd, tmp, count);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	while (pos + 19 < (size_t)n) {
		struct p9_dirent e = { 0 };
		uint64_t ino;
		int64_t doff;
		uint16_t reclen;

		memcpy(&ino, tmp + pos, 8);
		memcpy(&doff, tmp + pos + 8, 8);
		memcpy(&reclen, tmp + pos + 16, 2);
		e.type = tmp[pos + 18];
		e.name = p9_str_of((const char *)tmp + pos + 19);
		e.offset = (uint64_t)doff;
		e.qid.type = qtype_of_dtype(e.type);
		e.qid.path = qpath(c, st.dev, ino);
		if (p9_dirent_put(data, count, &put, &e))
			break;
		cookie = (uint64_t)doff;
		pos += reclen;
	}
	if (pos < (size_t)n) {
		/* What did not fit in the reply is read again next time. */
		if (put == 0) {
			err = -EINVAL;
			goto out;
		}
		n = vfs_lseek(tk, f->openfd, (off_t)cookie, SEEK_SET);
		if (n < 0) {
			err = (int)n;
			goto out;
		}
	}
	r->u.rread.count = (uint32_t)put;
	r->u.rread.data = data;
out:
	pthread_mutex_unlock(&f->lock);
	vl_free(tmp);
	p9_fid_put(c, f);
	return err;
}

static int op_fsync(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tfsync.fid);
	int err;

	(void)r;
	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	err = f->openfd < 0 ? -EBADF : vfs_fsync(f->sess->t, f->openfd);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

static int op_lock(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tlock.fid);

	if (!f)
		return -EBADF;
	p9_fid_put(c, f);
	if (t->u.tlock.lock.type > P9_LOCK_TYPE_UNLCK)
		return -EINVAL;
	r->u.rlock.status = P9_LOCK_SUCCESS;
	return 0;
}

static int op_getlock(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tlock.fid);

	if (!f)
		return -EBADF;
	p9_fid_put(c, f);
	r->u.tlock.lock = t->u.tlock.lock;
	r->u.tlock.lock.type = P9_LOCK_TYPE_UNLCK;
	r->u.tlock.lock.flags = 0;
	return 0;
}

static int op_statfs(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tfid.fid);
	struct p9_statfs *o = &r->u.rstatfs.st;
	struct vfs_statfs st;
	int err;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	err = vfs_fstatfs(f->sess->t, f->pathfd, &st);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	if (err)
		return err;
	o->type = (uint32_t)st.type;
	o->bsize = (uint32_t)st.bsize;
	o->blocks = st.blocks;
	o->bfree = st.bfree;
	o->bavail = st.bavail;
	o->files = st.files;
	o->ffree = st.ffree;
	o->fsid = st.dev;
	o->namelen = (uint32_t)st.namelen;
	return 0;
}

/* ------------------------------------------------------------------ attributes */

static void split_ns(int64_t ns, uint64_t *sec, uint64_t *nsec)
{
	int64_t s = ns / 1000000000, n = ns % 1000000000;

	if (n < 0) {
		n += 1000000000;
		s--;
	}
	*sec = (uint64_t)s;
	*nsec = (uint64_t)n;
}

/* Linux's new_encode_dev, which the Linux client decodes Rgetattr's rdev with. */
static uint64_t encode_dev(uint32_t dev)
{
	uint32_t ma = VFS_MAJOR(dev), mi = VFS_MINOR(dev);

	return (mi & 0xff) | (ma << 8) | ((uint64_t)(mi & ~0xffu) << 12);
}

static int op_getattr(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tgetattr.fid);
	struct p9_getattr *a = &r->u.rgetattr;
	struct vfs_stat st;
	int err;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	err = vfs_fstat(f->sess->t, f->pathfd, &st);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	if (err)
		return err;
	/* Everything basic is cheap here: always return it all, as diod does. */
	a->valid = P9_GETATTR_BASIC;
	qid_of(c, &st, &a->qid);
	a->mode = st.mode;
	a->uid = st.uid;
	a->gid = st.gid;
	a->nlink = st.nlink;
	a->rdev = encode_dev(st.rdev);
	a->size = (uint64_t)st.size;
	a->blksize = st.blksize;
	a->blocks = (uint64_t)st.blocks;
	split_ns(st.atime_ns, &a->atime_sec, &a->atime_nsec);
	split_ns(st.mtime_ns, &a->mtime_sec, &a->mtime_nsec);
	split_ns(st.ctime_ns, &a->ctime_sec, &a->ctime_nsec);
	return 0;
}

static int truncate_fid(struct p9_fid *f, uint64_t size)
{
	int fd, err;

	if (size > INT64_MAX)
		return -EINVAL;
	if (f->openfd >= 0) {
		err = vfs_ftruncate(f->sess->t, f->openfd, (off_t)size);
		if (err != -EBADF && err != -EINVAL)
			return err;
	}
	fd = fid_reopen(f, O_WRONLY);
	if (fd < 0)
		return fd;
	err = vfs_ftruncate(f->sess->t, fd, (off_t)size);
	vfs_close(f->sess->t, fd);
	return err;
}

static void set_time(struct timespec *ts, uint32_t valid, uint32_t bit, uint32_t set_bit,
		     uint64_t sec, uint64_t nsec)
{
	ts->tv_sec = 0;
	if (!(valid & bit)) {
		ts->tv_nsec = UTIME_OMIT;
	} else if (!(valid & set_bit)) {
		ts->tv_nsec = UTIME_NOW;
	} else {
		ts->tv_sec = (time_t)sec;
		ts->tv_nsec = (long)nsec;
	}
}

/* Owner first (a chown may clear set-id bits the new mode asks for), then mode, size, and
 * times last (a truncate would otherwise overwrite the mtime asked for). */
static int op_setattr(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tsetattr.fid);
	const struct p9_setattr *a = &t->u.tsetattr.attr;
	struct timespec ts[2];
	struct task *tk;
	int err = 0;

	(void)r;
	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	tk = f->sess->t;
	if (readonly(c) && (a->valid & ~P9_SETATTR_CTIME)) {
		err = -EROFS;
		goto out;
	}
	if (a->valid & (P9_SETATTR_UID | P9_SETATTR_GID))
		err = vfs_fchownat(tk, f->pathfd, "",
				   (a->valid & P9_SETATTR_UID) ? a->uid : (uid_t)-1,
				   (a->valid & P9_SETATTR_GID) ? a->gid : (gid_t)-1,
				   AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	if (!err && (a->valid & P9_SETATTR_MODE))
		err = vfs_fchmodat(tk, f->pathfd, "", a->mode & 07777, AT_EMPTY_PATH);
	if (!err && (a->valid & P9_SETATTR_SIZE))
		err = truncate_fid(f, a->size);
	if (!err && (a->valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME))) {
		set_time(&ts[0], a->valid, P9_SETATTR_ATIME, P9_SETATTR_ATIME_SET, a->atime_sec,
			 a->atime_nsec);
		set_time(&ts[1], a->valid, P9_SETATTR_MTIME, P9_SETATTR_MTIME_SET, a->mtime_sec,
			 a->mtime_nsec);
		err = vfs_utimensat(tk, f->pathfd, "", ts, AT_EMPTY_PATH);
	}
out:
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

static int op_xattrwalk(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	const __typeof__(t->u.txattrwalk) *x = &t->u.txattrwalk;
	struct p9_fid *f = p9_fid_get(c, x->fid), *nf = NULL;
	char name[VFS_NAME_MAX + 1];
	uint8_t *val = NULL;
	struct task *tk;
	ssize_t n = 0;
	int err = 0, tries;

	if (!f)
		return -EBADF;
	if (x->newfid == x->fid) {
		p9_fid_put(c, f);
		return -EINVAL;
	}
	if (x->name.len > VFS_NAME_MAX) {
		p9_fid_put(c, f);
		return -ERANGE;
	}
	memcpy(name, x->name.s, x->name.len);
	name[x->name.len] = '\0';
	pthread_mutex_lock(&f->lock);
	tk = f->sess->t;
	/* The size can change between the two calls: try again a few times. */
	for (tries = 0; tries < 3; tries++) {
		if (x->name.len)
			n = vfs_getxattrat(tk, f->pathfd, "", name, NULL, 0, AT_EMPTY_PATH);
		else
			n = vfs_listxattrat(tk, f->pathfd, "", NULL, 0, AT_EMPTY_PATH);
		if (n < 0)
			break;
		vl_free(val);
		val = vl_malloc(n ? (size_t)n : 1);
		if (!val) {
			n = -ENOMEM;
			break;
		}
		if (x->name.len)
			n = vfs_getxattrat(tk, f->pathfd, "", name, val, (size_t)n, AT_EMPTY_PATH);
		else
			n = vfs_listxattrat(tk, f->pathfd, "", (char *)val, (size_t)n,
					    AT_EMPTY_PATH);
		if (n != -ERANGE)
			break;
	}
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	nf = p9_fid_alloc(f->sess, x->newfid);
	if (!nf) {
		err = -ENOMEM;
		goto out;
	}
	nf->pathfd = vfs_dup(tk, f->pathfd);
	if (nf->pathfd < 0) {
		err = nf->pathfd;
		goto out;
	}
	nf->isdir = f->isdir;
	nf->xkind = P9_XATTR_READ;
	nf->xbuf = val;
	nf->xlen = (size_t)n;
	val = NULL;
	err = p9_fid_insert(c, nf);
	if (!err)
		r->u.rxattrwalk.size = (uint64_t)n;
out:
	pthread_mutex_unlock(&f->lock);
	vl_free(val);
	p9_fid_put(c, nf);
	p9_fid_put(c, f);
	return err;
}

static int op_xattrcreate(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	const __typeof__(t->u.txattrcreate) *x = &t->u.txattrcreate;
	struct p9_fid *f = p9_fid_get(c, x->fid);
	int err = 0;

	(void)r;
	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	if (readonly(c))
		err = -EROFS;
	else if (f->openfd >= 0 || f->xkind != P9_XATTR_NONE)
		err = -EINVAL;
	else if (x->size > P9_XATTR_SIZE_MAX)
		err = -E2BIG;
	else if (x->flags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE))
		err = -EINVAL;
	else if (x->name.len == 0 || x->name.len > VFS_NAME_MAX)
		err = -ERANGE;
	if (err)
		goto out;
	f->xname = vl_strndup(x->name.s, x->name.len);
	f->xbuf = vl_malloc(x->size ? (size_t)x->size : 1);
	if (!f->xname || !f->xbuf) {
		vl_free(f->xname);
		vl_free(f->xbuf);
		f->xname = NULL;
		f->xbuf = NULL;
		err = -ENOMEM;
		goto out;
	}
	f->xlen = (size_t)x->size;
	f->xcopied = 0;
	f->xflags = (int)x->flags;
	f->xkind = P9_XATTR_WRITE;
out:
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return err;
}

/* ------------------------------------------------------------------ names */

/* Tmkdir, Tsymlink, Tmknod: make name in directory fid dfid, answer its qid. */
static int op_make(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	uint32_t dfid, gid;
	struct p9_str nm;
	char name[VFS_NAME_MAX + 1], target[VFS_PATH_MAX];
	struct p9_fid *d;
	struct vfs_stat st;
	struct task *tk;
	int err;

	switch (t->type) {
	case P9_TMKDIR:
		dfid = t->u.tmkdir.dfid, nm = t->u.tmkdir.name, gid = t->u.tmkdir.gid;
		break;
	case P9_TSYMLINK:
		dfid = t->u.tsymlink.fid, nm = t->u.tsymlink.name, gid = t->u.tsymlink.gid;
		break;
	default: dfid = t->u.tmknod.dfid, nm = t->u.tmknod.name, gid = t->u.tmknod.gid; break;
	}
	d = p9_fid_get(c, dfid);
	if (!d)
		return -EBADF;
	pthread_mutex_lock(&d->lock);
	tk = d->sess->t;
	err = entry_name(nm, name);
	if (!err && readonly(c))
		err = -EROFS;
	if (!err && !d->isdir)
		err = -ENOTDIR;
	if (err)
		goto out;
	switch (t->type) {
	case P9_TMKDIR: err = vfs_mkdirat(tk, d->pathfd, name, t->u.tmkdir.mode & 07777); break;
	case P9_TSYMLINK:
		if (t->u.tsymlink.target.len == 0 || t->u.tsymlink.target.len >= VFS_PATH_MAX) {
			err = t->u.tsymlink.target.len ? -ENAMETOOLONG : -ENOENT;
			break;
		}
		memcpy(target, t->u.tsymlink.target.s, t->u.tsymlink.target.len);
		target[t->u.tsymlink.target.len] = '\0';
		err = vfs_symlinkat(tk, target, d->pathfd, name);
		break;
	default:
		err = vfs_mknodat(tk, d->pathfd, name, t->u.tmknod.mode,
				  VFS_MKDEV(t->u.tmknod.major, t->u.tmknod.minor));
		break;
	}
	if (err)
		goto out;
	set_gid(tk, d->pathfd, name, gid);
	err = vfs_fstatat(tk, d->pathfd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (!err)
		qid_of(c, &st, &r->u.rqid.qid);
out:
	pthread_mutex_unlock(&d->lock);
	p9_fid_put(c, d);
	return err;
}

static int op_readlink(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r,
		       uint8_t *buf, size_t size)
{
	struct p9_fid *f = p9_fid_get(c, t->u.tfid.fid);
	/* The target goes where Rreadlink's string will be: size[4] type[1] tag[2] len[2]. */
	char *target = (char *)buf + P9_HDRSZ + 2;
	size_t max = MIN(MIN(size, conn_msize(c)) - P9_HDRSZ - 2, (size_t)VFS_PATH_MAX);
	struct vfs_stat st;
	ssize_t n;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	/* readlinkat(fd, "") says ENOENT for a non-symlink; readlink(2) says EINVAL. */
	n = vfs_fstat(f->sess->t, f->pathfd, &st);
	if (!n && !S_ISLNK(st.mode))
		n = -EINVAL;
	if (!n)
		n = vfs_readlinkat(f->sess->t, f->pathfd, "", target, max);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	if (n < 0)
		return (int)n;
	r->u.rreadlink.target.s = target;
	r->u.rreadlink.target.len = (uint16_t)n;
	return 0;
}

/* After a rename of (pino/pdev, oldname) into the directory behind npfd (a descriptor
 * of sess's task) as newname: fids of that session naming the old entry follow it; fids
 * of other sessions lose their name (a directory reopens by "."; a file gets ESTALE). */
static void follow_rename(struct p9_conn *c, struct p9_session *sess, uint64_t pino, uint32_t pdev,
			  const char *oldname, int npfd, const char *newname)
{
	struct p9_fid **v;
	size_t n, i;

	if (p9_fid_snapshot(c, &v, &n))
		return;
	for (i = 0; i < n; i++) {
		struct p9_fid *f = v[i];

		pthread_mutex_lock(&f->lock);
		if (f->parentfd >= 0 && f->pino == pino && f->pdev == pdev &&
		    strcmp(f->name, oldname) == 0) {
			char *nm = vl_strdup(newname);
			int fd = f->sess == sess && nm ? vfs_dup(sess->t, npfd) : -1;

			if (fd < 0) {
				vl_free(nm);
				nm = NULL;
			}
			set_parent(f, fd, nm);
		}
		pthread_mutex_unlock(&f->lock);
		p9_fid_put(c, f);
	}
	vl_free(v);
}

/* Trename and Trenameat. */
static int op_rename(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	char oldname[VFS_NAME_MAX + 1], newname[VFS_NAME_MAX + 1];
	struct p9_fid *a, *b;
	struct vfs_stat st;
	int afd, npfd = -1, err;
	struct task *tk;

	(void)r;
	if (t->type == P9_TRENAME) {
		a = p9_fid_get(c, t->u.trename.fid);
		b = p9_fid_get(c, t->u.trename.dfid);
		err = entry_name(t->u.trename.name, newname);
	} else {
		a = p9_fid_get(c, t->u.trenameat.olddirfid);
		b = p9_fid_get(c, t->u.trenameat.newdirfid);
		err = entry_name(t->u.trenameat.oldname, oldname);
		if (!err)
			err = entry_name(t->u.trenameat.newname, newname);
	}
	if (!a || !b) {
		p9_fid_put(c, a);
		p9_fid_put(c, b);
		return -EBADF;
	}
	if (err)
		goto out_put;
	lock2(a, b);
	tk = a->sess->t;
	if (readonly(c)) {
		err = -EROFS;
	} else if (a->sess != b->sess) {
		err = -EXDEV; /* descriptors of two tasks cannot meet in one call */
	} else if (!b->isdir) {
		err = -ENOTDIR;
	} else if (t->type == P9_TRENAME && a->parentfd < 0) {
		err = -EBUSY;
	}
	if (err)
		goto out_unlock;
	if (t->type == P9_TRENAME) {
		afd = a->parentfd;
		snprintf(oldname, sizeof(oldname), "%s", a->name);
	} else {
		afd = a->pathfd;
	}
	err = vfs_fstat(tk, afd, &st);
	if (!err)
		err = vfs_renameat2(tk, afd, oldname, b->pathfd, newname, 0);
	if (!err)
		npfd = vfs_dup(tk, b->pathfd);
out_unlock:
	unlock2(a, b);
	if (!err && npfd >= 0) {
		follow_rename(c, a->sess, st.ino, st.dev, oldname, npfd, newname);
		vfs_close(tk, npfd);
	}
out_put:
	p9_fid_put(c, a);
	p9_fid_put(c, b);
	return err;
}

static int op_unlinkat(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *d = p9_fid_get(c, t->u.tunlinkat.dirfid);
	char name[VFS_NAME_MAX + 1];
	uint32_t fl = t->u.tunlinkat.flags;
	int err;

	(void)r;
	if (!d)
		return -EBADF;
	pthread_mutex_lock(&d->lock);
	err = entry_name(t->u.tunlinkat.name, name);
	if (!err && readonly(c))
		err = -EROFS;
	if (!err && (fl & ~(uint32_t)P9_DOTL_AT_REMOVEDIR))
		err = -EINVAL;
	if (!err)
		err = vfs_unlinkat(d->sess->t, d->pathfd, name,
				   (fl & P9_DOTL_AT_REMOVEDIR) ? AT_REMOVEDIR : 0);
	pthread_mutex_unlock(&d->lock);
	p9_fid_put(c, d);
	return err;
}

static int op_link(struct p9_conn *c, const struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_fid *d = p9_fid_get(c, t->u.tlink.dfid), *f = p9_fid_get(c, t->u.tlink.fid);
	char name[VFS_NAME_MAX + 1];
	int err;

	(void)r;
	if (!d || !f) {
		p9_fid_put(c, d);
		p9_fid_put(c, f);
		return -EBADF;
	}
	err = entry_name(t->u.tlink.name, name);
	if (err)
		goto out_put;
	lock2(d, f);
	if (readonly(c))
		err = -EROFS;
	else if (d->sess != f->sess)
		err = -EXDEV;
	else if (!d->isdir)
		err = -ENOTDIR;
	else if (f->parentfd >= 0)
		err = vfs_linkat(d->sess->t, f->parentfd, f->name, d->pathfd, name, 0);
	else
		err = vfs_linkat(d->sess->t, f->pathfd, "", d->pathfd, name, AT_EMPTY_PATH);
	unlock2(d, f);
out_put:
	p9_fid_put(c, d);
	p9_fid_put(c, f);
	return err;
}

/* ------------------------------------------------------------------ dispatch */

bool p9_srv_inline_ok(struct p9_conn *c, const struct p9_fcall *t)
{
	struct p9_fid *f;
	bool ok;

	if (t->type != P9_TREAD && t->type != P9_TWRITE)
		return false;
	f = p9_fid_get(c, t->type == P9_TREAD ? t->u.tread.fid : t->u.twrite.fid);
	if (!f)
		return false;
	pthread_mutex_lock(&f->lock);
	ok = f->openfd >= 0 && f->isreg && f->xkind == P9_XATTR_NONE;
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(c, f);
	return ok;
}

long p9_srv_error(uint16_t tag, int err, uint8_t *buf, size_t size)
{
	struct p9_fcall r = { .type = P9_RLERROR, .tag = tag };

	if (err <= 0 || err >= 4096)
		err = EIO;
	r.u.rlerror.ecode = (uint32_t)err;
	return p9_encode(&r, buf, size);
}

long p9_srv_handle(struct p9_conn *c, const struct p9_fcall *t, uint8_t *buf, size_t size)
{
	struct p9_fcall r;
	long n;
	int err;

	memset(&r, 0, sizeof(r));
	switch (t->type) {
	case P9_TAUTH: err = op_auth(c, t, &r); break;
	case P9_TATTACH: err = op_attach(c, t, &r); break;
	case P9_TWALK: err = op_walk(c, t, &r); break;
	case P9_TCLUNK: err = op_clunk(c, t, &r); break;
	case P9_TREMOVE: err = op_remove(c, t, &r); break;
	case P9_TLOPEN: err = op_lopen(c, t, &r); break;
	case P9_TLCREATE: err = op_lcreate(c, t, &r); break;
	case P9_TREAD: err = op_read(c, t, &r, buf, size); break;
	case P9_TWRITE: err = op_write(c, t, &r); break;
	case P9_TREADDIR: err = op_readdir(c, t, &r, buf, size); break;
	case P9_TFSYNC: err = op_fsync(c, t, &r); break;
	case P9_TLOCK: err = op_lock(c, t, &r); break;
	case P9_TGETLOCK: err = op_getlock(c, t, &r); break;
	case P9_TSTATFS: err = op_statfs(c, t, &r); break;
	case P9_TGETATTR: err = op_getattr(c, t, &r); break;
	case P9_TSETATTR: err = op_setattr(c, t, &r); break;
	case P9_TXATTRWALK: err = op_xattrwalk(c, t, &r); break;
	case P9_TXATTRCREATE: err = op_xattrcreate(c, t, &r); break;
	case P9_TMKDIR:
	case P9_TSYMLINK:
	case P9_TMKNOD: err = op_make(c, t, &r); break;
	case P9_TREADLINK: err = op_readlink(c, t, &r, buf, size); break;
	case P9_TRENAME:
	case P9_TRENAMEAT: err = op_rename(c, t, &r); break;
	case P9_TUNLINKAT: err = op_unlinkat(c, t, &r); break;
	case P9_TLINK: err = op_link(c, t, &r); break;
	default: err = -EOPNOTSUPP; break;
	}
	if (err)
		return p9_srv_error(t->tag, -err, buf, size);
	r.type = (uint8_t)(t->type + 1);
	r.tag = t->tag;
	n = p9_encode(&r, buf, size);
	return n < 0 ? p9_srv_error(t->tag, EIO, buf, size) : n;
}
