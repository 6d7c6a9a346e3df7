/*
 * namei.c - the path walk, as Linux's fs/namei.c does it.
 *
 * A walk starts at the task's root (absolute paths) or at a directory descriptor / the
 * cwd, and takes components one at a time. Before each component the current directory
 * must grant search (MAY_EXEC) permission; after each non-final component the result
 * must be a directory (ENOTDIR). `.` stays, `..` stops at the task's root and climbs out
 * of a mount root to its mount point; after every step mounts stacked on the result are
 * crossed. Symlinks met in the middle are always followed; a final one only with
 * LOOKUP_FOLLOW (or a trailing slash). A walk follows at most 40 symlinks in all
 * (ELOOP). Components longer than 255 bytes give ENAMETOOLONG, as does a path of 4096
 * bytes or more.
 *
 * Called with the VFS lock held (the public entry points take it). Results carry
 * references; intermediate paths are referenced too, so that the filesystems may do
 * anything they like during lookup.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

struct nameidata {
	struct task *t;
	const struct cred *cred;
	struct path path;	/* where the walk stands (references held) */
	struct path root;	/* the task's root (borrowed: it cannot change under the lock) */
	int total_links;
	int depth;		/* nesting of symlink bodies */
	const char *last;
	size_t last_len;
	enum last_type last_type;
	bool trailing;		/* the final component was followed by a slash */
};

static int walk_last(struct nameidata *nd, bool follow);

static enum last_type classify(const char *name, size_t len)
{
	if (name[0] == '.') {
		if (len == 1)
			return LAST_DOT;
		if (len == 2 && name[1] == '.')
			return LAST_DOTDOT;
	}
	return LAST_NORM;
}

int path_at_fd(struct task *t, int dirfd, struct path *out)
{
	struct file *f;

	if (dirfd == AT_FDCWD) {
		*out = t->cwd;
		path_get(out);
		return 0;
	}
	f = fdtable_lookup(&t->fds, dirfd);
	if (!f)
		return -EBADF;
	*out = f->f_path;
	path_get(out);
	return 0;
}

static int nd_init(struct nameidata *nd, struct task *t, int dirfd, const char *path,
		   unsigned flags)
{
	int err;

	memset(nd, 0, sizeof(*nd));
	nd->t = t;
	nd->cred = t->cred;
	nd->root = t->root;
	nd->last_type = LAST_ROOT;
	if (!path)
		return -EFAULT;
	if (strnlen(path, VFS_PATH_MAX) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (!*path && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	if (*path == '/') {
		nd->path = nd->root;
		path_get(&nd->path);
		return 0;
	}
	err = path_at_fd(t, dirfd, &nd->path);
	if (err)
		return err;
	if (*path && !d_is_dir(nd->path.dentry)) {
		path_put(&nd->path);
		return -ENOTDIR;
	}
	return 0;
}

static void nd_release(struct nameidata *nd)
{
	path_put(&nd->path);
}

static int may_lookup(struct nameidata *nd)
{
	return inode_permission(nd->path.dentry->d_inode, MAY_EXEC, nd->cred);
}

static bool nd_at_root(const struct nameidata *nd)
{
	return nd->path.dentry == nd->root.dentry && nd->path.mnt == nd->root.mnt;
}

static void follow_dotdot(struct nameidata *nd)
{
	for (;;) {
		struct mount *m = nd->path.mnt;
		struct path up;

		if (nd_at_root(nd))
			break;
		if (nd->path.dentry != m->mnt_root) {
			struct dentry *parent = d_get(nd->path.dentry->d_parent);

			d_put(nd->path.dentry);
			nd->path.dentry = parent;
			break;
		}
		if (!m->mnt_parent || m->mnt_parent == m)
			break; /* a namespace root or a disconnected mount: `..` stays */
		up.mnt = mnt_get(m->mnt_parent);
		up.dentry = d_get(m->mnt_mountpoint);
		path_put(&nd->path);
		nd->path = up;
	}
	follow_mounts(&nd->path);
}

struct dentry *lookup_one(struct dentry *dir, const char *name, size_t len)
{
	struct inode *di = dir->d_inode;
	struct dentry *d;
	int err;

	if (di->i_nlink == 0)
		return ERR_PTR(-ENOENT); /* a removed directory has no entries */
	if (len > VFS_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	d = d_lookup(dir, name, len);
	if (d)
		return d_get(d);
	d = d_alloc(dir, name, len);
	if (IS_ERR(d))
		return d;
	if (di->i_op->lookup) {
		err = di->i_op->lookup(di, d);
		if (err) {
			d_unhash(d);
			d_put(d);
			return ERR_PTR(err);
		}
	}
	return d;
}

/* Read a symlink's target into a new buffer (caller frees). */
static char *read_link(struct dentry *d, int *errp)
{
	struct inode *inode = d->d_inode;
	char *buf;
	ssize_t n;

	if (!inode->i_op->readlink) {
		*errp = -EINVAL;
		return NULL;
	}
	buf = vl_malloc(VFS_PATH_MAX);
	if (!buf) {
		*errp = -ENOMEM;
		return NULL;
	}
	n = inode->i_op->readlink(d, buf, VFS_PATH_MAX - 1);
	if (n < 0 || n >= VFS_PATH_MAX) {
		*errp = n < 0 ? (int)n : -ENAMETOOLONG;
		vl_free(buf);
		return NULL;
	}
	if (n == 0) {
		*errp = -ENOENT;
		vl_free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int link_path_walk(struct nameidata *nd, const char *s);

/* Follow the symlink at link (reference consumed) from the directory nd stands in. */
static int follow_link(struct nameidata *nd, struct path *link)
{
	char *body;
	int err = 0;

	if (++nd->total_links > VFS_MAXSYMLINKS || nd->depth >= VFS_MAXSYMLINKS) {
		path_put(link);
		return -ELOOP;
	}
	body = read_link(link->dentry, &err);
	path_put(link);
	if (!body)
		return err;
	if (body[0] == '/') {
		path_put(&nd->path);
		nd->path = nd->root;
		path_get(&nd->path);
	}
	nd->depth++;
	err = link_path_walk(nd, body);
	if (!err)
		err = walk_last(nd, true);
	nd->depth--;
	vl_free(body);
	return err;
}

/* Step from the current directory to the component (name, len, type). */
static int walk_component(struct nameidata *nd, const char *name, size_t len,
			  enum last_type type, bool follow)
{
	struct path next;
	struct dentry *d;

	if (type == LAST_DOT)
		return 0;
	if (type == LAST_DOTDOT) {
		follow_dotdot(nd);
		return 0;
	}
	/* Fast path: a dcache-only filesystem's miss is ENOENT without allocating. */
	d = d_lookup(nd->path.dentry, name, len);
	if (d) {
		if (d->d_inode && nd->path.dentry->d_inode->i_nlink)
			d = d_get(d);
		else
			d = lookup_one(nd->path.dentry, name, len);
	} else if (!nd->path.dentry->d_inode->i_op->lookup) {
		return len > VFS_NAME_MAX ? -ENAMETOOLONG : -ENOENT;
	} else {
		d = lookup_one(nd->path.dentry, name, len);
	}
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	if (!d->d_inode) {
		d_put(d);
		return -ENOENT;
	}
	next.mnt = mnt_get(nd->path.mnt);
	next.dentry = d;
	follow_mounts(&next);
	if (follow && S_ISLNK(next.dentry->d_inode->i_mode))
		return follow_link(nd, &next);
	path_put(&nd->path);
	nd->path = next;
	return 0;
}

/*
 * Walk every component of s but the last, which is left in nd->last (with its type
 * and whether a slash followed it). The directory holding the last component has
 * been checked for search permission.
 */
static int link_path_walk(struct nameidata *nd, const char *s)
{
	int err;

	nd->last = NULL;
	nd->last_len = 0;
	nd->last_type = LAST_ROOT;
	nd->trailing = false;
	while (*s == '/')
		s++;
	if (!*s)
		return 0;
	for (;;) {
		const char *name = s;
		size_t len = strcspn(s, "/");
		enum last_type type = classify(s, len);

		err = may_lookup(nd);
		if (err)
			return err;
		if (type == LAST_NORM && len > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		nd->last = name;
		nd->last_len = len;
		nd->last_type = type;
		s += len;
		if (!*s)
			return 0;
		while (*s == '/')
			s++;
		if (!*s) {
			nd->trailing = true;
			return 0;
		}
		err = walk_component(nd, name, len, type, true);
		if (err)
			return err;
		if (!d_is_dir(nd->path.dentry))
			return -ENOTDIR;
	}
}

/* Resolve the last component left by link_path_walk. */
static int walk_last(struct nameidata *nd, bool follow)
{
	bool trailing = nd->trailing;
	int err;

	if (nd->last_type == LAST_ROOT)
		return 0;
	err = walk_component(nd, nd->last, nd->last_len, nd->last_type, follow || trailing);
	if (err)
		return err;
	if (trailing && !d_is_dir(nd->path.dentry))
		return -ENOTDIR;
	return 0;
}

int path_lookupat(struct task *t, int dirfd, const char *path, unsigned flags, struct path *out)
{
	struct nameidata nd;
	int err;

	err = nd_init(&nd, t, dirfd, path, flags);
	if (err)
		return err;
	err = link_path_walk(&nd, path);
	if (!err)
		err = walk_last(&nd, (flags & LOOKUP_FOLLOW) != 0);
	if (!err && (flags & LOOKUP_DIRECTORY) && !d_is_dir(nd.path.dentry))
		err = -ENOTDIR;
	if (err) {
		nd_release(&nd);
		return err;
	}
	*out = nd.path;
	return 0;
}

int path_parentat(struct task *t, int dirfd, const char *path, unsigned flags,
		  struct nameparent *np)
{
	struct nameidata nd;
	int err;

	memset(np, 0, sizeof(*np));
	err = nd_init(&nd, t, dirfd, path, flags);
	if (err)
		return err;
	err = link_path_walk(&nd, path);
	if (err) {
		nd_release(&nd);
		return err;
	}
	np->dir = nd.path;
	np->last = nd.last;
	np->last_len = nd.last_len;
	np->type = nd.last_type;
	np->trailing_slash = nd.trailing;
	return 0;
}

void nameparent_release(struct nameparent *np)
{
	path_put(&np->dir);
	vl_free(np->linkbuf);
	np->linkbuf = NULL;
}

int nameparent_follow(struct task *t, struct nameparent *np, struct dentry *link, int *total_links)
{
	struct nameidata nd;
	char *body;
	int err = 0;

	if (++*total_links > VFS_MAXSYMLINKS)
		return -ELOOP;
	body = read_link(link, &err);
	if (!body)
		return err;
	memset(&nd, 0, sizeof(nd));
	nd.t = t;
	nd.cred = t->cred;
	nd.root = t->root;
	nd.total_links = *total_links;
	if (body[0] == '/') {
		nd.path = nd.root;
		path_get(&nd.path);
	} else {
		nd.path = np->dir;
		path_get(&nd.path);
	}
	err = link_path_walk(&nd, body);
	*total_links = nd.total_links;
	if (err) {
		nd_release(&nd);
		vl_free(body);
		return err;
	}
	nameparent_release(np);
	np->dir = nd.path;
	np->linkbuf = body;
	np->last = nd.last;
	np->last_len = nd.last_len;
	np->type = nd.last_type;
	np->trailing_slash = nd.trailing;
	return 0;
}
