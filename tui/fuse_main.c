/*
 * fuse_main.c - `vfslab fuse`: the sandbox filesystem served to the host through FUSE.
 *
 *   vfslab fuse MOUNTPOINT [--spec F] [--uid U --gid G] [--readonly] [-f] [--help]
 *
 * A simulated kernel's mount namespace is served at MOUNTPOINT with libfuse3's low-level
 * API until the mount goes away (fusermount3 -u, umount) or SIGINT/SIGTERM/SIGHUP arrive;
 * then it unmounts and exits 0. Only the public API (vfs.h, kernel.h, host.h) is used.
 *
 * Nodes. The kernel names files by nodeid; we keep one node per (mount, dev, ino) seen,
 * holding an O_PATH|O_NOFOLLOW descriptor on it in the server task's fd table (the *at
 * calls with AT_EMPTY_PATH act on it; lookups are relative to it), the kernel's lookup
 * count, and the parent and name it was last seen under. A node is freed when the kernel
 * has forgotten every lookup and no child names it as parent. The nodeid is the node's
 * address (FUSE_ROOT_ID for the root), so it is stable for as long as the kernel knows it.
 * Keying on the mount too keeps two bind mounts of one directory apart: their children
 * differ where something is mounted on one of them.
 *
 * Reopening. FUSE's open, opendir and truncate name only the node, and our API has no
 * "open this O_PATH descriptor" (Linux's /proc/self/fd trick); so a node is reopened by
 * its parent's descriptor and its last name, and the result is checked to be the same
 * (dev, ino), else ESTALE; when the name is gone, ENOENT, except that a directory is then
 * opened as "." in itself, which a removed one still allows. The name is current except
 * for files opened by handle after it went: a path walk on the host either sends a LOOKUP
 * for each component, which refreshes the name first, or uses entries cached under the
 * rules below, and removing a node's last name while it keeps other links (unlink, rename
 * over it) makes every cached entry stale, so the next walk LOOKUPs the name it uses.
 *
 * Credentials. Every request runs on one server task whose credentials are set to the
 * caller's (fuse_req_ctx, fuse_req_getgroups) when they differ from the previous
 * request's: our VFS makes every permission decision (no default_permissions; allow_other
 * lets other users reach us at all) and its errors go back unchanged. The session loop
 * is single-threaded: the VFS serialises calls under one lock anyway, and one task with
 * switching credentials needs one request at a time. --uid/--gid serve every request as
 * that user instead (no supplementary groups): the sandbox as its process would see it.
 * A root caller's groups are not fetched: with root's capabilities they decide nothing.
 *
 * Caching. Two things make a cache wrong here. The host's FUSE does no permission check
 * of its own on a path walk without default_permissions, so a cached entry would let a
 * second user walk where only the first may search; and a cached attribute is stale once
 * its file changes other than through a request to us. So:
 *  - A mount is "cached" if it is a tmpfs whose device no other mount of the namespace
 *    shows (no bind of it elsewhere): its files change only through requests on its own
 *    nodes, which the host's FUSE sees and applies to what it caches (create, unlink,
 *    rename, link, setattr, write and setxattr update or invalidate the attributes and
 *    entries they touch). Other filesystems (gofer, overlay, proc, sys...) may change
 *    behind us: everything about them has timeout 0, as does every failed lookup (ENOENT
 *    for one caller is EACCES for another).
 *  - Attributes of files on a cached mount are kept for CACHE_TTL: they are the same
 *    whoever asks.
 *  - An entry (a name in a directory) is kept for CACHE_TTL only if the directory is on a
 *    cached mount and searchable by everyone (mode a+x, and our VFS has no ACLs: every
 *    caller may search it, so the walk the host skips would have succeeded), and only if
 *    the kernel takes FUSE_NOTIFY_INC_EPOCH (Linux 6.16), which makes every entry cached
 *    so far stale at its next use and takes no lock, so a request may send it before its
 *    reply. It is sent when a chmod takes search permission on a directory from anyone,
 *    when a rename moves an entry (with its cached time) into a directory not everyone
 *    may search, and when a node's last name goes while it keeps other links (above).
 *    Else entries have timeout 0: each component of each walk is a LOOKUP as the walking
 *    user.
 *  - The host keeps a file's pages across opens (keep_cache) only on a cached mount and
 *    only when a read would not change atime (may_keep_cache): a read served from them
 *    never reaches our VFS. So the first read after an open sets atime exactly when it
 *    did with the pages dropped at every open. What FUSE leaves inexact either way: a
 *    change of ctime alone (chmod, link, xattr...) made while a file is open, which
 *    relatime would have its next read notice, is not seen by a read the host serves
 *    from its pages (a change of size or mtime is: auto_inval_data drops them). Writes
 *    go through (no writeback cache). Directory listings are not cached.
 *
 * Identity. The host reports the FUSE mount's own st_dev for every file; st_ino is ours,
 * with the filesystem's device number folded into the high 32 bits for any filesystem
 * other than the root's, so that files on two sandbox mounts never share an st_ino.
 */
#define FUSE_USE_VERSION 35

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "setup.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

#ifndef O_PATH
#define O_PATH 010000000
#endif

/* Errors from the library come back as ERR_PTR values; only the public headers may be
 * used here, so the test is spelled out. */
#define FUSE_IS_ERR(p) ((uintptr_t)(p) >= (uintptr_t)-4095)

struct fnode {
	uint64_t nlookup;      /* the kernel's references (LOOKUP replies minus FORGETs) */
	unsigned children;     /* nodes whose parent this is */
	int fd;		       /* O_PATH|O_NOFOLLOW descriptor in the server task */
	int mnt_id;
	uint32_t dev;
	uint64_t ino;
	bool cached;	       /* on a cached mount (see Caching above) */
	struct fnode *parent;  /* where it was last seen, for reopening; NULL for the root */
	char *name;
	struct fnode *hnext;   /* hash chain by (mnt_id, dev, ino) */
};

/* An open directory: the descriptor and the entries read but not yet given out. */
struct fdir {
	int fd;
	off_t pos;	       /* offset of the next entry to hand out */
	char *buf;
	size_t len, at;
	/* On fsrv's list of open directories: the kernel may still hold some when the session
	 * ends (a RELEASEDIR not yet sent, or lost with the unmount). */
	struct fdir *prev, *next;
};

#define FDIR_BUFSZ 32768
#define NODE_HASH_BITS 16
#define NGROUPS_FETCH 256
/* Seconds an attribute or an entry stays cached where caching is allowed at all. What
 * keeps the cache right is that the host sees every change (see Caching above), not this
 * timeout, which only bounds how long a node outlives the kernel's last use of it. */
#define CACHE_TTL 3600.0
#define NSEC_PER_DAY (24LL * 3600 * 1000000000LL)
/* struct fuse_out_header and FUSE_NOTIFY_INC_EPOCH from <linux/fuse.h> (protocol 7.44),
 * which libfuse 3.14 neither installs nor knows. */
struct fuse_notify_hdr {
	uint32_t len;
	int32_t code;
	uint64_t unique;
};
#define FUSE_NOTIFY_INC_EPOCH_CODE 8

/* The server's state. Only the single session thread touches it: no lock. */
struct fsrv {
	struct kernel *k;
	struct task *t;
	struct fnode root;
	struct fnode *hash[1u << NODE_HASH_BITS];
	struct fdir *dirs;     /* open directories, freed at exit if never released */
	bool readonly;
	int fuse_fd;	       /* the session's /dev/fuse descriptor, for notifications */
	bool epoch_ok;	       /* the kernel takes FUSE_NOTIFY_INC_EPOCH: entries may be cached */
	int *cached_mnts;      /* mount ids of the cached mounts (see Caching above) */
	size_t ncached_mnts;
	bool fixed_creds;      /* --uid/--gid given */
	uid_t fixed_uid;
	gid_t fixed_gid;
	/* The credentials the task has now, to skip task_setcreds when they repeat. */
	bool creds_valid;
	uid_t cur_uid;
	gid_t cur_gid;
	int cur_ngroups;
	gid_t cur_groups[NGROUPS_FETCH];
};

static struct fsrv *srv_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* ------------------------------------------------------------------ credentials */

/* Make the task act as the caller of req; 0 or -errno. */
static int set_creds(struct fsrv *s, fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t groups[NGROUPS_FETCH];
	uid_t uid = ctx->uid;
	gid_t gid = ctx->gid;
	int n = 0, err;

	if (s->fixed_creds) {
		uid = s->fixed_uid;
		gid = s->fixed_gid;
	} else if (uid != 0) {
		n = fuse_req_getgroups(req, NGROUPS_FETCH, groups);
		/* The caller may be gone, or have more groups than we fetch: go without the
		 * rest rather than fail the request. */
		if (n < 0)
			n = 0;
		if (n > NGROUPS_FETCH)
			n = NGROUPS_FETCH;
	}
	if (s->creds_valid && s->cur_uid == uid && s->cur_gid == gid && s->cur_ngroups == n &&
	    !memcmp(s->cur_groups, groups, (size_t)n * sizeof(gid_t)))
		return 0;
	err = task_setcreds(s->t, uid, gid, (size_t)n, n ? groups : NULL);
	if (err) {
		s->creds_valid = false;
		return err;
	}
	s->creds_valid = true;
	s->cur_uid = uid;
	s->cur_gid = gid;
	s->cur_ngroups = n;
	memcpy(s->cur_groups, groups, (size_t)n * sizeof(gid_t));
	return 0;
}

/* ------------------------------------------------------------------ caching */

/*
 * Find the cached mounts: tmpfs mounts whose device appears once in the namespace (see
 * Caching above). Mounts do not change while we serve: FUSE has no request for them.
 * 0 or -errno.
 */
static int find_cached_mounts(struct fsrv *s)
{
	struct vfs_mount_info *m;
	size_t n, i, j;
	int err = vfs_mount_list(s->t, &m, &n);

	if (err)
		return err;
	s->cached_mnts = calloc(n ? n : 1, sizeof(int));
	if (!s->cached_mnts) {
		vfs_mount_list_free(m, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		bool alone = !strcmp(m[i].fstype, "tmpfs");

		for (j = 0; alone && j < n; j++)
			if (j != i && m[j].dev == m[i].dev)
				alone = false;
		if (alone)
			s->cached_mnts[s->ncached_mnts++] = m[i].mnt_id;
	}
	vfs_mount_list_free(m, n);
	return 0;
}

static bool mount_cached(struct fsrv *s, int mnt_id)
{
	size_t i;

	for (i = 0; i < s->ncached_mnts; i++)
		if (s->cached_mnts[i] == mnt_id)
			return true;
	return false;
}

/*
 * Tell the kernel that every entry it has cached is stale (FUSE_NOTIFY_INC_EPOCH). It
 * takes no lock there, so it may be sent while a request waits for our reply. 0 or
 * -errno; after a failure nothing is cached any more (the epoch is what lets us).
 */
static int notify_inc_epoch(struct fsrv *s)
{
	struct fuse_notify_hdr h = { sizeof(h), FUSE_NOTIFY_INC_EPOCH_CODE, 0 };

	if (write(s->fuse_fd, &h, sizeof(h)) == (ssize_t)sizeof(h))
		return 0;
	s->epoch_ok = false;
	return -errno;
}

/* How long the kernel may keep names it finds in dir: CACHE_TTL where every caller may
 * search dir (see Caching above), else 0. */
static double entry_ttl(struct fsrv *s, struct fnode *dir)
{
	struct vfs_stat v;

	if (!s->epoch_ok || !dir->cached || vfs_fstat(s->t, dir->fd, &v))
		return 0;
	return S_ISDIR(v.mode) && (v.mode & 0111) == 0111 ? CACHE_TTL : 0;
}

static double attr_ttl(const struct fnode *n)
{
	return n->cached ? CACHE_TTL : 0;
}

/* ------------------------------------------------------------------ nodes */

static unsigned node_hash(int mnt_id, uint32_t dev, uint64_t ino)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ull ^ ((uint64_t)dev << 17) ^ (uint64_t)mnt_id;

	h ^= h >> 29;
	return (unsigned)(h & ((1u << NODE_HASH_BITS) - 1));
}

static struct fnode *node_of(struct fsrv *s, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &s->root : (struct fnode *)(uintptr_t)ino;
}

static fuse_ino_t nodeid_of(struct fsrv *s, struct fnode *n)
{
	return n == &s->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

static struct fnode *node_find(struct fsrv *s, int mnt_id, uint32_t dev, uint64_t ino)
{
	struct fnode *n;

	for (n = s->hash[node_hash(mnt_id, dev, ino)]; n; n = n->hnext)
		if (n->ino == ino && n->dev == dev && n->mnt_id == mnt_id)
			return n;
	return NULL;
}

/* Free n if nothing refers to it any more, then its parent likewise. */
static void node_maybe_free(struct fsrv *s, struct fnode *n)
{
	while (n && n != &s->root && n->nlookup == 0 && n->children == 0) {
		struct fnode **pp = &s->hash[node_hash(n->mnt_id, n->dev, n->ino)];
		struct fnode *parent = n->parent;

		while (*pp != n)
			pp = &(*pp)->hnext;
		*pp = n->hnext;
		vfs_close(s->t, n->fd);
		free(n->name);
		free(n);
		if (!parent)
			break;
		parent->children--;
		n = parent;
	}
}

/* Record that n is now known as name in parent (the root keeps no name). */
static void node_set_name(struct fsrv *s, struct fnode *n, struct fnode *parent, const char *name)
{
	struct fnode *old = n->parent;
	char *copy;

	if (n == &s->root || (old == parent && n->name && !strcmp(n->name, name)))
		return;
	copy = strdup(name);
	if (!copy)
		return;	/* keeps the old name: a reopen may then fail ESTALE, nothing worse */
	free(n->name);
	n->name = copy;
	parent->children++;
	n->parent = parent;
	if (old) {
		old->children--;
		node_maybe_free(s, old);
	}
}

/* The host's st_ino for one of our files (see the file comment). */
static uint64_t host_ino(struct fsrv *s, uint32_t dev, uint64_t ino)
{
	return dev == s->root.dev ? ino : ino ^ ((uint64_t)dev << 32);
}

/* Times before 1970 too: the nanoseconds stay in [0, 1e9), as a timespec's must. */
static struct timespec ns_to_ts(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000;
	}
	return ts;
}

static void stat_to_host(struct fsrv *s, const struct vfs_stat *v, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = v->mode;
	st->st_nlink = v->nlink;
	st->st_uid = v->uid;
	st->st_gid = v->gid;
	st->st_ino = host_ino(s, v->dev, v->ino);
	st->st_size = v->size;
	st->st_blocks = v->blocks;
	st->st_blksize = v->blksize;
	st->st_rdev = makedev(VFS_MAJOR(v->rdev), VFS_MINOR(v->rdev));
	st->st_atim = ns_to_ts(v->atime_ns);
	st->st_mtim = ns_to_ts(v->mtime_ns);
	st->st_ctim = ns_to_ts(v->ctime_ns);
}

/*
 * Look name up in parent as the current credentials and fill e, with entry_timeout ttl
 * (entry_ttl(parent)); the node's lookup count goes up by one (the reply the caller sends
 * is that reference). 0 or -errno.
 */
static int do_lookup(struct fsrv *s, struct fnode *parent, const char *name, double ttl,
		     struct fuse_entry_param *e)
{
	struct vfs_stat v;
	struct fnode *n;
	int fd, err;

	memset(e, 0, sizeof(*e));
	fd = vfs_openat(s->t, parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	err = vfs_fstat(s->t, fd, &v);
	if (err) {
		vfs_close(s->t, fd);
		return err;
	}
	n = node_find(s, v.mnt_id, v.dev, v.ino);
	if (n && n != &s->root) {
		vfs_close(s->t, fd);
	} else if (n == &s->root) {
		vfs_close(s->t, fd);
	} else {
		n = calloc(1, sizeof(*n));
		if (!n) {
			vfs_close(s->t, fd);
			return -ENOMEM;
		}
		n->fd = fd;
		n->mnt_id = v.mnt_id;
		n->dev = v.dev;
		n->ino = v.ino;
		n->cached = mount_cached(s, v.mnt_id);
		n->hnext = s->hash[node_hash(v.mnt_id, v.dev, v.ino)];
		s->hash[node_hash(v.mnt_id, v.dev, v.ino)] = n;
	}
	/* "." and ".." name nothing new; the root keeps its place. */
	if (strcmp(name, ".") && strcmp(name, ".."))
		node_set_name(s, n, parent, name);
	n->nlookup++;
	e->ino = nodeid_of(s, n);
	e->generation = 0;
	e->attr_timeout = attr_ttl(n);
	e->entry_timeout = ttl;
	stat_to_host(s, &v, &e->attr);
	return 0;
}

static void forget_one(struct fsrv *s, fuse_ino_t ino, uint64_t nlookup)
{
	struct fnode *n = node_of(s, ino);

	if (n == &s->root)
		return;
	n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
	node_maybe_free(s, n);
}

/*
 * Open node n anew with flags, by its parent and last name, and check it is still the
 * same file. Returns a descriptor or -errno.
 */
static int node_reopen(struct fsrv *s, struct fnode *n, int flags)
{
	struct vfs_stat v;
	int fd, err;

	if (n == &s->root)
		return vfs_openat(s->t, AT_FDCWD, "/", flags | O_CLOEXEC, 0);
	if (!n->parent)
		return -ESTALE;
	fd = vfs_openat(s->t, n->parent->fd, n->name, flags | O_NOFOLLOW | O_CLOEXEC, 0);
	/* A removed directory (an open one, a cwd) can still be opened as "." in itself. */
	if ((fd == -ENOENT || fd == -ELOOP) && (flags & O_DIRECTORY))
		fd = vfs_openat(s->t, n->fd, ".", flags | O_CLOEXEC, 0);
	if (fd < 0)
		return fd == -ELOOP ? -ENOENT : fd; /* its last name is gone: as Linux's dead dir */
	err = vfs_fstat(s->t, fd, &v);
	if (!err && (v.ino != n->ino || v.dev != n->dev || v.mnt_id != n->mnt_id))
		err = -ESTALE;
	if (err) {
		vfs_close(s->t, fd);
		return err;
	}
	return fd;
}

/* ------------------------------------------------------------------ replies */

/* Most handlers start alike: the caller's credentials, or an error reply. */
#define BEGIN(s, req)                                     \
	do {                                              \
		int begin_err_ = set_creds((s), (req));   \
		if (begin_err_) {                         \
			fuse_reply_err((req), -begin_err_); \
			return;                           \
		}                                         \
	} while (0)

#define DENY_IF_RO(s, req)                         \
	do {                                       \
		if ((s)->readonly) {               \
			fuse_reply_err((req), EROFS); \
			return;                    \
		}                                  \
	} while (0)

static void reply_entry_or_err(fuse_req_t req, struct fsrv *s, struct fnode *parent,
			       const char *name)
{
	struct fuse_entry_param e;
	int err = do_lookup(s, parent, name, entry_ttl(s, parent), &e);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (fuse_reply_entry(req, &e))
		forget_one(s, e.ino, 1); /* the kernel never got it: take the count back */
}

static void reply_attr_fd(fuse_req_t req, struct fsrv *s, int fd, double ttl)
{
	struct vfs_stat v;
	struct stat st;
	int err = vfs_fstat(s->t, fd, &v);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	stat_to_host(s, &v, &st);
	fuse_reply_attr(req, &st, ttl);
}

/* ------------------------------------------------------------------ operations */

static void op_init(void *data, struct fuse_conn_info *conn)
{
	(void)data;
	/* Our VFS clears setuid/setgid on write, truncate and chown as Linux does; without
	 * this the kernel sends a chmod as the writer first (see is_kill_priv). */
	if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV)
		conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
	/* O_TRUNC reaches our open, which checks it with the open's own permission. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* A cache of written pages would need attribute caching; we have none. */
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	/* The kernel applies the umask (the task's is 0), as there is no ACL support. */
	conn->want &= ~(unsigned)FUSE_CAP_DONT_MASK;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fsrv *s = srv_of(req);

	BEGIN(s, req);
	reply_entry_or_err(req, s, node_of(s, parent), name);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	forget_one(srv_of(req), ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct fsrv *s = srv_of(req);
	size_t i;

	for (i = 0; i < count; i++)
		forget_one(s, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	struct fnode *n = node_of(s, ino);

	BEGIN(s, req);
	reply_attr_fd(req, s, fi ? (int)fi->fh : n->fd, attr_ttl(n));
}

/*
 * libfuse 3.14 does not pass FUSE_CAP_HANDLE_KILLPRIV on to the kernel, so before a write
 * or truncate by someone other than the owner the kernel sends a chmod that only clears
 * the setuid/setgid bits, as the writer, whom chmod refuses. Is mode such a change?
 */
static bool is_kill_priv(struct fsrv *s, struct fnode *n, mode_t mode)
{
	struct vfs_stat v;
	mode_t cur, want = mode & 07777;

	if (vfs_fstat(s->t, n->fd, &v) || !S_ISREG(v.mode))
		return false;
	cur = v.mode & 07777;
	return want != cur && !(want & ~cur) && !((cur & ~want) & ~(mode_t)(S_ISUID | S_ISGID));
}

/*
 * Clear the bits as Linux's write does, for a caller who may write to the file (who could
 * as well clear them by writing): as root, then back to the caller. 0 or -errno.
 */
static int kill_priv(struct fsrv *s, struct fnode *n, mode_t mode)
{
	int err = vfs_faccessat(s->t, n->fd, "", W_OK, AT_EMPTY_PATH);

	if (err)
		return -EPERM;
	s->creds_valid = false;
	err = task_setcreds(s->t, 0, 0, 0, NULL);
	if (err)
		return err;
	return vfs_fchmodat(s->t, n->fd, "", mode & 07777, AT_EMPTY_PATH);
}

/* After a chmod of n: if n is a directory someone may no longer search, the entries
 * cached in it (see Caching above) must go before the reply. */
static void search_changed(struct fsrv *s, struct fnode *n)
{
	struct vfs_stat v;

	if (s->epoch_ok && n->cached && !vfs_fstat(s->t, n->fd, &v) && S_ISDIR(v.mode) &&
	    (v.mode & 0111) != 0111)
		notify_inc_epoch(s);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	struct fnode *n = node_of(s, ino);
	int err = 0, fd;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	/* Ownership first: a refused chown then leaves the mode as it was. */
	if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
		gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

		err = vfs_fchownat(s->t, n->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		if (err)
			goto out;
	}
	if (to_set & FUSE_SET_ATTR_MODE) {
		err = vfs_fchmodat(s->t, n->fd, "", attr->st_mode & 07777, AT_EMPTY_PATH);
		if (err == -EPERM && is_kill_priv(s, n, attr->st_mode))
			err = kill_priv(s, n, attr->st_mode);
		if (err)
			goto out;
		search_changed(s, n);
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (fi) {
			err = vfs_ftruncate(s->t, (int)fi->fh, attr->st_size);
		} else {
			/* truncate(2) by path: it needs write permission, as this open does. */
			fd = node_reopen(s, n, O_WRONLY | O_NONBLOCK);
			if (fd < 0) {
				err = fd;
				goto out;
			}
			err = vfs_ftruncate(s->t, fd, attr->st_size);
			vfs_close(s->t, fd);
		}
		if (err)
			goto out;
	}
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct timespec ts[2];

		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1] = ts[0];
		if (to_set & FUSE_SET_ATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (to_set & FUSE_SET_ATTR_ATIME)
			ts[0] = attr->st_atim;
		if (to_set & FUSE_SET_ATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (to_set & FUSE_SET_ATTR_MTIME)
			ts[1] = attr->st_mtim;
		/* Both "now": utimensat(NULL), which write permission suffices for. */
		if (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)
			err = vfs_utimensat(s->t, n->fd, "", NULL,
					    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		else
			err = vfs_utimensat(s->t, n->fd, "", ts,
					    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		if (err)
			goto out;
	}
out:
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	reply_attr_fd(req, s, fi ? (int)fi->fh : n->fd, attr_ttl(n));
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fsrv *s = srv_of(req);
	char buf[VFS_PATH_MAX + 1];
	ssize_t len;

	BEGIN(s, req);
	len = vfs_readlinkat(s->t, node_of(s, ino)->fd, "", buf, sizeof(buf) - 1);
	if (len < 0) {
		fuse_reply_err(req, (int)-len);
		return;
	}
	buf[len] = '\0';
	fuse_reply_readlink(req, buf);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	struct fsrv *s = srv_of(req);
	struct fnode *p = node_of(s, parent);
	int err;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	err = vfs_mknodat(s->t, p->fd, name, mode, VFS_MKDEV(major(rdev), minor(rdev)));
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	reply_entry_or_err(req, s, p, name);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fsrv *s = srv_of(req);
	struct fnode *p = node_of(s, parent);
	int err;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	err = vfs_mkdirat(s->t, p->fd, name, mode);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	reply_entry_or_err(req, s, p, name);
}

/*
 * The node whose last name is (dir, name), when entries may be cached: the caller is about
 * to remove that name. NULL if there is none or nothing is cached.
 */
static struct fnode *last_named(struct fsrv *s, struct fnode *dir, const char *name)
{
	struct vfs_stat v;
	struct fnode *n;

	if (!s->epoch_ok || vfs_fstatat(s->t, dir->fd, name, &v, AT_SYMLINK_NOFOLLOW))
		return NULL;
	n = node_find(s, v.mnt_id, v.dev, v.ino);
	return n && n->parent == dir && n->name && !strcmp(n->name, name) ? n : NULL;
}

/*
 * n (from last_named) lost its last name. If it keeps other links, the kernel may have
 * entries cached for them and would open n by them without a LOOKUP, which would find
 * the name gone: make every entry stale, so that the next walk looks its name up.
 */
static void last_name_gone(struct fsrv *s, struct fnode *n)
{
	struct vfs_stat v;

	if (n && !vfs_fstat(s->t, n->fd, &v) && v.nlink > 0)
		notify_inc_epoch(s);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fsrv *s = srv_of(req);
	struct fnode *p = node_of(s, parent), *n;
	int err;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	n = last_named(s, p, name);
	err = vfs_unlinkat(s->t, p->fd, name, 0);
	if (!err)
		last_name_gone(s, n);
	fuse_reply_err(req, -err);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fsrv *s = srv_of(req);

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	fuse_reply_err(req, -vfs_unlinkat(s->t, node_of(s, parent)->fd, name, AT_REMOVEDIR));
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct fsrv *s = srv_of(req);
	struct fnode *p = node_of(s, parent);
	int err;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	err = vfs_symlinkat(s->t, link, p->fd, name);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	reply_entry_or_err(req, s, p, name);
}

/* After a rename, the node now at (dir, name), if we know it, is known by that name. */
static void renamed(struct fsrv *s, struct fnode *dir, const char *name)
{
	struct vfs_stat v;
	struct fnode *n;

	if (vfs_fstatat(s->t, dir->fd, name, &v, AT_SYMLINK_NOFOLLOW))
		return;
	n = node_find(s, v.mnt_id, v.dev, v.ino);
	if (n)
		node_set_name(s, n, dir, name);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	struct fsrv *s = srv_of(req);
	struct fnode *p = node_of(s, parent), *np = node_of(s, newparent), *victim = NULL;
	int err;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	if (!(flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)))
		victim = last_named(s, np, newname);
	err = vfs_renameat2(s->t, p->fd, name, np->fd, newname, flags);
	if (!err) {
		/* The kernel moves the entry with the time it may be cached for: into a
		 * directory that not everyone may search, that time must end. */
		if (s->epoch_ok && p->cached && p != np &&
		    (entry_ttl(s, np) == 0 || ((flags & RENAME_EXCHANGE) && entry_ttl(s, p) == 0)))
			notify_inc_epoch(s);
		/* Before renamed(), which may free nodes. */
		last_name_gone(s, victim);
		renamed(s, np, newname);
		if (flags & RENAME_EXCHANGE)
			renamed(s, p, name);
	}
	fuse_reply_err(req, -err);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct fsrv *s = srv_of(req);
	struct fnode *n = node_of(s, ino), *np = node_of(s, newparent);
	struct vfs_stat v;
	int err = -ESTALE;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	/*
	 * linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH, which link(2) does not: link by
	 * the name the host's walk just looked up, once it is seen to be the same file.
	 */
	if (n->parent && !vfs_fstatat(s->t, n->parent->fd, n->name, &v, AT_SYMLINK_NOFOLLOW) &&
	    v.ino == n->ino && v.dev == n->dev && v.mnt_id == n->mnt_id)
		err = vfs_linkat(s->t, n->parent->fd, n->name, np->fd, newname, 0);
	else if (n->parent || n == &s->root)
		err = vfs_linkat(s->t, n->fd, "", np->fd, newname, AT_EMPTY_PATH);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	reply_entry_or_err(req, s, np, newname);
}

/* The open flags we pass on: the kernel has already dealt with O_CREAT, O_EXCL, O_NOCTTY. */
static int open_flags(int flags)
{
	return flags & (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_DIRECTORY | O_NOATIME |
			O_SYNC | O_DSYNC);
}

/*
 * May the host keep the pages it has of the file open on fd (flags: the open's) for this
 * open? Reads served from them never reach our VFS, so only where a read now would leave
 * atime as it is: touch_atime's rules (O_NOATIME, a noatime or read-only mount, relatime
 * with atime newer than mtime and ctime and less than a day old). Otherwise the kernel
 * drops them, and the first read comes to us and sets atime. The data needs no such care:
 * on a cached mount every change reaches the host's cache (see Caching above), and a
 * change of size or mtime makes it drop the pages at the next read (auto_inval_data).
 */
static bool may_keep_cache(struct fsrv *s, struct fnode *n, int fd, int flags)
{
	struct vfs_statfs sf;
	struct vfs_stat v;
	struct host *h;

	if (!n->cached)
		return false;
	if ((flags & O_ACCMODE) == O_WRONLY || (flags & O_NOATIME))
		return true;
	if (vfs_fstatfs(s->t, fd, &sf) || vfs_fstat(s->t, fd, &v))
		return false;
	if (sf.flags & (ST_NOATIME | ST_RDONLY))
		return true;
	if (!(sf.flags & ST_RELATIME))
		return false; /* strictatime: every read sets atime */
	h = kernel_host(s->k);
	return v.atime_ns > v.mtime_ns && v.atime_ns > v.ctime_ns &&
	       h->ops->clock_realtime_ns(h) - v.atime_ns < NSEC_PER_DAY;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	int fd;

	BEGIN(s, req);
	if (s->readonly && ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))) {
		fuse_reply_err(req, EROFS);
		return;
	}
	fd = node_reopen(s, node_of(s, ino), open_flags(fi->flags));
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	fi->fh = (uint64_t)fd;
	fi->keep_cache = may_keep_cache(s, node_of(s, ino), fd, fi->flags);
	if (fuse_reply_open(req, fi))
		vfs_close(s->t, fd);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	struct fnode *p = node_of(s, parent);
	struct fuse_entry_param e;
	int fd, err;

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	fd = vfs_openat(s->t, p->fd, name,
			open_flags(fi->flags) | O_CREAT | (fi->flags & O_EXCL) | O_NOFOLLOW | O_CLOEXEC,
			mode);
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	err = do_lookup(s, p, name, entry_ttl(s, p), &e);
	if (err) {
		vfs_close(s->t, fd);
		fuse_reply_err(req, -err);
		return;
	}
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 0;
	if (fuse_reply_create(req, &e, fi)) {
		vfs_close(s->t, fd);
		forget_one(s, e.ino, 1);
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	ssize_t n;
	char *buf;

	(void)ino;
	BEGIN(s, req);
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = vfs_pread(s->t, (int)fi->fh, buf, size, off);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	ssize_t n;

	(void)ino;
	BEGIN(s, req);
	n = vfs_pwrite(s->t, (int)fi->fh, buf, size, off);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	vfs_close(srv_of(req)->t, (int)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);

	(void)ino;
	(void)datasync;
	BEGIN(s, req);
	fuse_reply_err(req, -vfs_fsync(s->t, (int)fi->fh));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);
	struct fdir *d;
	int fd;

	BEGIN(s, req);
	d = calloc(1, sizeof(*d));
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fd = node_reopen(s, node_of(s, ino), O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		free(d);
		fuse_reply_err(req, -fd);
		return;
	}
	d->fd = fd;
	fi->fh = (uint64_t)(uintptr_t)d;
	if (fuse_reply_open(req, fi)) {
		vfs_close(s->t, fd);
		free(d);
		return;
	}
	d->next = s->dirs;
	if (s->dirs)
		s->dirs->prev = d;
	s->dirs = d;
}

/* Take d off the open list and free it (its descriptor is the caller's to close). */
static void fdir_free(struct fsrv *s, struct fdir *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		s->dirs = d->next;
	if (d->next)
		d->next->prev = d->prev;
	free(d->buf);
	free(d);
}

/* The linux_dirent64 records vfs_getdents() packs. */
struct fdirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct fsrv *s = srv_of(req);
	struct fdir *d = (struct fdir *)(uintptr_t)fi->fh;
	struct fnode *dir = node_of(s, ino);
	char *out;
	size_t used = 0;
	double ttl = 0;
	int err = 0;

	BEGIN(s, req);
	if (plus)
		ttl = entry_ttl(s, dir);
	out = malloc(size);
	if (!out) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off != d->pos) {
		off_t r = vfs_lseek(s->t, d->fd, off, SEEK_SET);

		if (r < 0) {
			err = (int)r;
			goto out;
		}
		d->pos = off;
		d->len = d->at = 0;
	}
	for (;;) {
		const struct fdirent *de;
		struct fuse_entry_param e;
		size_t need;

		if (d->at >= d->len) {
			ssize_t n;

			if (!d->buf) {
				d->buf = malloc(FDIR_BUFSZ);
				if (!d->buf) {
					err = -ENOMEM;
					break;
				}
			}
			n = vfs_getdents(s->t, d->fd, d->buf, FDIR_BUFSZ);
			if (n < 0) {
				err = (int)n;
				break;
			}
			d->len = (size_t)n;
			d->at = 0;
			if (n == 0)
				break;
		}
		de = (const struct fdirent *)(d->buf + d->at);
		memset(&e, 0, sizeof(e));
		e.attr.st_ino = host_ino(s, dir->dev, de->d_ino);
		e.attr.st_mode = (mode_t)de->d_type << 12;
		if (!plus) {
			need = fuse_add_direntry(req, out + used, size - used, de->d_name, &e.attr,
						 de->d_off);
			if (need > size - used)
				break;
		} else {
			need = fuse_add_direntry_plus(req, NULL, 0, de->d_name, NULL, 0);
			if (need > size - used)
				break;
			/* Entries the caller may not look up still go out, without attributes
			 * (nodeid 0 tells the kernel so). */
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    do_lookup(s, dir, de->d_name, ttl, &e)) {
				memset(&e, 0, sizeof(e));
				e.attr.st_ino = host_ino(s, dir->dev, de->d_ino);
				e.attr.st_mode = (mode_t)de->d_type << 12;
			}
			fuse_add_direntry_plus(req, out + used, size - used, de->d_name, &e,
					       de->d_off);
		}
		used += need;
		d->pos = de->d_off;
		d->at += de->d_reclen;
	}
out:
	/* An error after some entries went into the buffer is reported on the next call. */
	if (err && used == 0)
		fuse_reply_err(req, -err);
	else
		fuse_reply_buf(req, out, used);
	free(out);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fdir *d = (struct fdir *)(uintptr_t)fi->fh;

	(void)ino;
	vfs_close(srv_of(req)->t, d->fd);
	fdir_free(srv_of(req), d);
	fuse_reply_err(req, 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fsrv *s = srv_of(req);

	(void)ino;
	(void)datasync;
	BEGIN(s, req);
	fuse_reply_err(req, -vfs_fsync(s->t, ((struct fdir *)(uintptr_t)fi->fh)->fd));
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fsrv *s = srv_of(req);
	struct vfs_statfs v;
	struct statvfs st;
	int err;

	BEGIN(s, req);
	err = vfs_fstatfs(s->t, node_of(s, ino)->fd, &v);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	memset(&st, 0, sizeof(st));
	st.f_bsize = (unsigned long)v.bsize;
	st.f_frsize = (unsigned long)(v.frsize ? v.frsize : v.bsize);
	st.f_blocks = v.blocks;
	st.f_bfree = v.bfree;
	st.f_bavail = v.bavail;
	st.f_files = v.files;
	st.f_ffree = v.ffree;
	st.f_favail = v.ffree;
	st.f_namemax = (unsigned long)v.namelen;
	st.f_flag = v.flags;
	fuse_reply_statfs(req, &st);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	struct fsrv *s = srv_of(req);

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	fuse_reply_err(req, -vfs_setxattrat(s->t, node_of(s, ino)->fd, "", name, value, size,
					    flags, AT_EMPTY_PATH));
}

/* getxattr and listxattr answer alike: the size alone when asked for 0 bytes. */
static void reply_xattr(fuse_req_t req, ssize_t n, const char *buf, size_t size)
{
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct fsrv *s = srv_of(req);
	char *buf = NULL;
	ssize_t n;

	BEGIN(s, req);
	if (size && !(buf = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = vfs_getxattrat(s->t, node_of(s, ino)->fd, "", name, buf, size, AT_EMPTY_PATH);
	reply_xattr(req, n, buf, size);
	free(buf);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct fsrv *s = srv_of(req);
	char *buf = NULL;
	ssize_t n;

	BEGIN(s, req);
	if (size && !(buf = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = vfs_listxattrat(s->t, node_of(s, ino)->fd, "", buf, size, AT_EMPTY_PATH);
	reply_xattr(req, n, buf, size);
	free(buf);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct fsrv *s = srv_of(req);

	BEGIN(s, req);
	DENY_IF_RO(s, req);
	fuse_reply_err(req, -vfs_removexattrat(s->t, node_of(s, ino)->fd, "", name, AT_EMPTY_PATH));
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct fsrv *s = srv_of(req);
	int err;

	BEGIN(s, req);
	if (s->readonly && (mask & W_OK)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	err = vfs_faccessat(s->t, node_of(s, ino)->fd, "", mask, AT_EMPTY_PATH);
	fuse_reply_err(req, -err);
}

static const struct fuse_lowlevel_ops fuse_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.write = op_write,
	/* No flush: nothing is buffered between the kernel and our VFS, and without it
	 * (ENOSYS once) the kernel stops sending one at every close. */
	.release = op_release,
	.fsync = op_fsync,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.statfs = op_statfs,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
	.access = op_access,
};

/* ------------------------------------------------------------------ the command */

static const char fuse_usage[] =
	"usage: vfslab fuse MOUNTPOINT [--spec F [--rootfs M] [--host]] [--uid U --gid G]\n"
	"                   [--readonly] [-f]\n"
	"\n"
	"Serve the sandbox's filesystem at MOUNTPOINT through FUSE until it is unmounted\n"
	"(fusermount3 -u MOUNTPOINT) or this process gets SIGINT or SIGTERM; then unmount\n"
	"and exit 0. Runs in the foreground. Permission checks are vfslab's own, made with\n"
	"each caller's uid, gid and groups (the mount is allow_other, nosuid, nodev).\n"
	"\n"
	"  --spec F      run the mount setup of spec F first ('default': the embedded runc\n"
	"                spec) and serve the container's namespace; without it, an empty\n"
	"                simulated kernel (a tmpfs root) is served\n"
	"  --rootfs M    the spec's rootfs manifest (as for vfslab replay)\n"
	"  --host        run the setup on the real host (gofer processes)\n"
	"  --uid U       act as U for every request instead of the caller (needs --gid)\n"
	"  --gid G       act as G, with no supplementary groups (needs --uid)\n"
	"  --readonly    mount read-only (EROFS for every change)\n"
	"  -f            stay in the foreground (the default; accepted for familiarity)\n"
	"  -d            print libfuse's request trace to stderr\n"
	"  -h, --help    this text\n"
	"\n"
	"Exit status: 0 after a clean unmount, 1 if the mount or the kernel failed, 2 for a\n"
	"usage error.\n";

static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (*s && !*end && !errno && *out < 0xffffffffUL) ? 0 : -1;
}

/* Say plainly why MOUNTPOINT or /dev/fuse will not do, before libfuse tries. */
static int check_usable(const char *mnt)
{
	struct stat st;
	int fd;

	if (stat(mnt, &st) < 0) {
		fprintf(stderr, "vfslab fuse: %s: %s\n", mnt, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vfslab fuse: %s: not a directory\n", mnt);
		return -1;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vfslab fuse: /dev/fuse: %s (%s)\n", strerror(errno),
			errno == ENOENT ? "is the fuse module loaded?" :
			"does this user or container have access to it?");
		return -1;
	}
	close(fd);
	return 0;
}

int fuse_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "host", no_argument, NULL, 'H' },
		{ "uid", required_argument, NULL, 'u' },
		{ "gid", required_argument, NULL, 'g' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *rootfs = NULL, *mnt;
	bool have_uid = false, have_gid = false, debug = false, host = false;
	struct setup su;
	unsigned long uid = 0, gid = 0;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct fsrv *s;
	struct host *h;
	int c, rc = 1, fd;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "fdh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			spec = optarg;
			break;
		case 'R':
			rootfs = optarg;
			break;
		case 'H':
			host = true;
			break;
		case 'u':
			if (parse_id(optarg, &uid)) {
				fprintf(stderr, "vfslab fuse: --uid: not a user id: %s\n", optarg);
				return 2;
			}
			have_uid = true;
			break;
		case 'g':
			if (parse_id(optarg, &gid)) {
				fprintf(stderr, "vfslab fuse: --gid: not a group id: %s\n", optarg);
				return 2;
			}
			have_gid = true;
			break;
		case 'r':
			break;
		case 'f':
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			fputs(fuse_usage, stdout);
			return 0;
		default:
			fprintf(stderr, "vfslab fuse: unknown option '%s'\n%s", argv[optind - 1],
				fuse_usage);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vfslab fuse: %s\n%s",
			optind >= argc ? "MOUNTPOINT is missing" : "one MOUNTPOINT only", fuse_usage);
		return 2;
	}
	mnt = argv[optind];
	if (have_uid != have_gid) {
		fprintf(stderr, "vfslab fuse: --uid and --gid go together\n");
		return 2;
	}
	if ((rootfs || host) && !spec) {
		fprintf(stderr, "vfslab fuse: --rootfs and --host go with --spec\n");
		return 2;
	}
	if (check_usable(mnt))
		return 1;
	memset(&su, 0, sizeof(su));

	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "vfslab fuse: out of memory\n");
		return 1;
	}
	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "--readonly"))
			s->readonly = true;
	s->fixed_creds = have_uid;
	s->fixed_uid = (uid_t)uid;
	s->fixed_gid = (gid_t)gid;

	if (spec) {
		struct boot_err e;

		rc = setup_load(&su, "fuse", strcmp(spec, "default") ? spec : NULL, rootfs, host,
				stderr);
		if (rc)
			goto out_free;
		rc = 1;
		if (setup_start(&su, &e)) {
			fprintf(stderr, "vfslab fuse: %s\n", e.msg);
			setup_free(&su);
			goto out_free;
		}
		if (setup_run_all(&su, stderr, "fuse")) {
			setup_free(&su);
			goto out_free;
		}
		s->k = su.k;
	} else {
		h = host_sim_new(1);
		if (!h) {
			fprintf(stderr, "vfslab fuse: cannot make the simulated host\n");
			goto out_free;
		}
		s->k = kernel_new(h);
		if (!s->k || FUSE_IS_ERR(s->k)) {
			fprintf(stderr, "vfslab fuse: cannot start the kernel: %s\n",
				s->k ? strerror(-(int)(intptr_t)s->k) : "out of memory");
			s->k = NULL;
			goto out_free;
		}
	}
	/* The kernel's init task stays root: ours is a child whose credentials follow the
	 * callers. The host's kernel applies each caller's umask before we see a mode. */
	s->t = task_fork(kernel_init_task(s->k));
	if (!s->t) {
		fprintf(stderr, "vfslab fuse: out of memory\n");
		goto out_kernel;
	}
	vfs_umask(s->t, 0);
	fd = vfs_openat(s->t, AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "vfslab fuse: /: %s\n", strerror(-fd));
		goto out_task;
	}
	{
		struct vfs_stat v;

		if (vfs_fstat(s->t, fd, &v)) {
			fprintf(stderr, "vfslab fuse: cannot stat the root\n");
			goto out_task;
		}
		s->root.fd = fd;
		s->root.dev = v.dev;
		s->root.ino = v.ino;
		s->root.mnt_id = v.mnt_id;
		s->root.nlookup = 1;
		if (find_cached_mounts(s)) {
			fprintf(stderr, "vfslab fuse: cannot list the mounts\n");
			goto out_task;
		}
		s->root.cached = mount_cached(s, v.mnt_id);
		s->hash[node_hash(v.mnt_id, v.dev, v.ino)] = &s->root;
	}

	/* allow_other: other users reach the mount, and our VFS decides what they may do.
	 * No default_permissions, which would have the host decide from our attributes.
	 * nosuid and nodev are libfuse's defaults, and stay: a setuid file or a device node
	 * made in the sandbox must not grant anything on the host. */
	if (fuse_opt_add_arg(&args, "vfslab") ||
	    fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, s->readonly ?
			     "allow_other,fsname=vfslab,subtype=vfslab,ro" :
			     "allow_other,fsname=vfslab,subtype=vfslab") ||
	    (debug && fuse_opt_add_arg(&args, "-d"))) {
		fprintf(stderr, "vfslab fuse: out of memory\n");
		goto out_task;
	}
	se = fuse_session_new(&args, &fuse_ops, sizeof(fuse_ops), s);
	if (!se) {
		fprintf(stderr, "vfslab fuse: cannot start a FUSE session\n");
		goto out_args;
	}
	if (fuse_set_signal_handlers(se)) {
		fprintf(stderr, "vfslab fuse: cannot install signal handlers\n");
		goto out_session;
	}
	if (fuse_session_mount(se, mnt)) {
		fprintf(stderr, "vfslab fuse: cannot mount on %s (see libfuse's message above)\n",
			mnt);
		goto out_signals;
	}
	/* Entries are cached only if the kernel takes the epoch notification (see Caching
	 * above); nothing is cached yet, so this probe costs nothing. */
	s->fuse_fd = fuse_session_fd(se);
	s->epoch_ok = true;
	notify_inc_epoch(s);
	/* 0 when unmounted from outside, the signal's number when ended by one. */
	rc = fuse_session_loop(se) < 0 ? 1 : 0;
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_args:
	fuse_opt_free_args(&args);
out_task:
	/* Exiting the task closes every node's and directory's descriptor with it. */
	task_exit(s->t);
	while (s->dirs)
		fdir_free(s, s->dirs);
	for (c = 0; c < (1 << NODE_HASH_BITS); c++) {
		struct fnode *n = s->hash[c], *next;

		for (; n; n = next) {
			next = n->hnext;
			if (n != &s->root) {
				free(n->name);
				free(n);
			}
		}
	}
out_kernel:
	if (spec)
		setup_free(&su); /* the kernel, then its gofers */
	else
		kernel_destroy(s->k);
	goto out_free;
out_free:
	free(s->cached_mnts);
	free(s);
	return rc;
}
