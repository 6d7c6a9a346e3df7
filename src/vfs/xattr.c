/*
 * xattr.c - extended attributes: getxattr, setxattr, listxattr, removexattr and their
 * l*, f* and *at forms, with Linux's namespace rules (fs/xattr.c xattr_permission and
 * the handler lookup, plus the commoncap rule for security.*).
 *
 *  - A name is 1..255 bytes (ERANGE otherwise) and needs a known prefix: user.,
 *    trusted., security. or system. (EOPNOTSUPP otherwise; EINVAL for a bare prefix).
 *  - trusted.* needs CAP_SYS_ADMIN: EPERM to write, ENODATA to read, omitted from lists.
 *  - user.* lives only on regular files and directories (EPERM to write elsewhere,
 *    ENODATA to read); on a sticky directory only its owner (or CAP_FOWNER) may write.
 *    Reading needs read permission, writing write permission (EACCES).
 *  - security.* is readable by anyone and writable with CAP_SYS_ADMIN (commoncap).
 *  - system.* holds POSIX ACLs, which vfslab does not implement: EOPNOTSUPP.
 *  - Values are at most 65536 bytes (E2BIG); a size of 0 asks for the length.
 *  - Writes on a read-only mount give EROFS before any permission check.
 *
 * The VFS sets ctime after a successful set or remove, so filesystems need not.
 */
#include <errno.h>
#include <string.h>

#include "../base/alloc.h"
#include "internal.h"

#ifndef XATTR_CREATE
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2
#endif

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536

enum xattr_ns { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_SYSTEM, XNS_UNKNOWN };

static const struct {
	const char *prefix;
	size_t len;
} xattr_prefixes[] = {
	[XNS_USER] = { "user.", 5 },
	[XNS_TRUSTED] = { "trusted.", 8 },
	[XNS_SECURITY] = { "security.", 9 },
	[XNS_SYSTEM] = { "system.", 7 },
};

static enum xattr_ns xattr_namespace(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xattr_prefixes); i++)
		if (!strncmp(name, xattr_prefixes[i].prefix, xattr_prefixes[i].len))
			return (enum xattr_ns)i;
	return XNS_UNKNOWN;
}

/* Linux's import_xattr_name(): the name must fit XATTR_NAME_MAX and not be empty. */
static int xattr_check_name(const char *name)
{
	size_t len;

	if (!name)
		return -EFAULT;
	len = strnlen(name, XATTR_NAME_MAX + 1);
	if (len == 0 || len > XATTR_NAME_MAX)
		return -ERANGE;
	return 0;
}

/* Linux's xattr_permission(), with may_write_xattr() a no-op (no immutable inodes). */
static int xattr_permission(struct inode *inode, const char *name, int mask,
			    const struct cred *cred)
{
	switch (xattr_namespace(name)) {
	case XNS_SECURITY:
	case XNS_SYSTEM:
		/* Left to the security module and the ACL code. */
		return 0;
	case XNS_TRUSTED:
		if (!capable(cred, CAP_SYS_ADMIN))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		return 0;
	case XNS_USER:
		if (!S_ISREG(inode->i_mode) && !S_ISDIR(inode->i_mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		if (S_ISDIR(inode->i_mode) && (inode->i_mode & S_ISVTX) && (mask & MAY_WRITE) &&
		    !inode_owner_or_capable(inode, cred))
			return -EPERM;
		break;
	case XNS_UNKNOWN: break;
	}
	return inode_permission(inode, mask, cred);
}

/*
 * After the permission checks: the security module's rule for writes (commoncap wants
 * CAP_SYS_ADMIN for security.*), then the handler lookup Linux's xattr_resolve_name()
 * does (unknown prefix, ACL names, a prefix with nothing after it).
 */
static int xattr_resolve(const char *name, bool write, const struct cred *cred)
{
	enum xattr_ns ns = xattr_namespace(name);

	if (write && ns == XNS_SECURITY && !capable(cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (ns == XNS_UNKNOWN || ns == XNS_SYSTEM)
		return -EOPNOTSUPP;
	if (name[xattr_prefixes[ns].len] == '\0')
		return -EINVAL;
	return 0;
}

static int xattr_lookup_flags(int flags, unsigned *lookup)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	*lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		*lookup |= LOOKUP_EMPTY;
	return 0;
}

static void xattr_touch(struct dentry *d)
{
	d->d_inode->i_ctime = vfs_now(d->d_sb->s_vfs);
}

ssize_t vfs_getxattrat(struct task *t, int dirfd, const char *path, const char *name, void *value,
		       size_t size, int flags)
{
	struct inode *inode;
	unsigned lookup;
	struct path p;
	ssize_t ret;

	task_enter(t);
	ret = xattr_lookup_flags(flags, &lookup);
	if (ret)
		goto out;
	ret = xattr_check_name(name);
	if (ret)
		goto out;
	if (!path || (size && !value)) {
		ret = -EFAULT;
		goto out;
	}
	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	ret = path_lookupat(t, dirfd, path, lookup, &p);
	if (ret)
		goto out;
	inode = p.dentry->d_inode;
	ret = xattr_permission(inode, name, MAY_READ, t->cred);
	if (ret)
		goto out_path;
	ret = xattr_resolve(name, false, t->cred);
	if (ret)
		goto out_path;
	if (!inode->i_op || !inode->i_op->getxattr) {
		ret = -EOPNOTSUPP;
		goto out_path;
	}
	ret = inode->i_op->getxattr(p.dentry, name, size ? value : NULL, size);
	/* A value that cannot fit even the largest buffer is reported as such. */
	if (ret == -ERANGE && size >= XATTR_SIZE_MAX)
		ret = -E2BIG;
out_path:
	path_put(&p);
out:
	task_leave(t);
	return ret;
}

int vfs_setxattrat(struct task *t, int dirfd, const char *path, const char *name, const void *value,
		   size_t size, int xflags, int flags)
{
	struct inode *inode;
	unsigned lookup;
	struct path p;
	int err;

	task_enter(t);
	err = xattr_lookup_flags(flags, &lookup);
	if (err)
		goto out;
	if (xflags & ~(XATTR_CREATE | XATTR_REPLACE)) {
		err = -EINVAL;
		goto out;
	}
	err = xattr_check_name(name);
	if (err)
		goto out;
	if (size > XATTR_SIZE_MAX) {
		err = -E2BIG;
		goto out;
	}
	if (!path || (size && !value)) {
		err = -EFAULT;
		goto out;
	}
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out;
	if (mnt_readonly(p.mnt)) {
		err = -EROFS;
		goto out_path;
	}
	inode = p.dentry->d_inode;
	err = xattr_permission(inode, name, MAY_WRITE, t->cred);
	if (err)
		goto out_path;
	err = xattr_resolve(name, true, t->cred);
	if (err)
		goto out_path;
	if (!inode->i_op || !inode->i_op->setxattr) {
		err = -EOPNOTSUPP;
		goto out_path;
	}
	/* An empty value is a valid value: pass a non-NULL pointer for it. */
	err = inode->i_op->setxattr(p.dentry, name, size ? value : "", size, xflags);
	if (!err)
		xattr_touch(p.dentry);
out_path:
	path_put(&p);
out:
	task_leave(t);
	return err;
}

/*
 * The filesystem's list, with trusted.* names taken out for callers without
 * CAP_SYS_ADMIN (Linux's simple_xattr_list does it in the filesystem, which here does
 * not know the caller). Returns the filtered length; *out is a new buffer or NULL.
 */
static ssize_t xattr_list_filtered(struct dentry *d, const struct cred *cred, char **out)
{
	struct inode *inode = d->d_inode;
	ssize_t len, n;
	char *buf, *src, *dst;

	*out = NULL;
	if (!inode->i_op || !inode->i_op->listxattr)
		return 0; /* Linux: an empty list, not an error */
	len = inode->i_op->listxattr(d, NULL, 0);
	if (len <= 0)
		return len;
	buf = vl_malloc((size_t)len);
	if (!buf)
		return -ENOMEM;
	n = inode->i_op->listxattr(d, buf, (size_t)len);
	if (n < 0) {
		vl_free(buf);
		return n;
	}
	if (capable(cred, CAP_SYS_ADMIN)) {
		*out = buf;
		return n;
	}
	for (src = dst = buf; src < buf + n;) {
		size_t l = strnlen(src, (size_t)(buf + n - src));

		if (xattr_namespace(src) != XNS_TRUSTED) {
			memmove(dst, src, l);
			dst[l] = '\0';
			dst += l + 1;
		}
		src += l + 1;
	}
	*out = buf;
	return dst - buf;
}

ssize_t vfs_listxattrat(struct task *t, int dirfd, const char *path, char *list, size_t size,
			int flags)
{
	unsigned lookup;
	struct path p;
	char *buf = NULL;
	ssize_t ret;

	task_enter(t);
	ret = xattr_lookup_flags(flags, &lookup);
	if (ret)
		goto out;
	if (!path || (size && !list)) {
		ret = -EFAULT;
		goto out;
	}
	if (size > XATTR_LIST_MAX)
		size = XATTR_LIST_MAX;
	ret = path_lookupat(t, dirfd, path, lookup, &p);
	if (ret)
		goto out;
	/* Listing needs no permission on the file itself (as Linux). */
	ret = xattr_list_filtered(p.dentry, t->cred, &buf);
	if (ret > 0 && size) {
		if ((size_t)ret > size)
			ret = size >= XATTR_LIST_MAX ? -E2BIG : -ERANGE;
		else
			memcpy(list, buf, (size_t)ret);
	}
	vl_free(buf);
	path_put(&p);
out:
	task_leave(t);
	return ret;
}

int vfs_removexattrat(struct task *t, int dirfd, const char *path, const char *name, int flags)
{
	struct inode *inode;
	unsigned lookup;
	struct path p;
	int err;

	task_enter(t);
	err = xattr_lookup_flags(flags, &lookup);
	if (err)
		goto out;
	err = xattr_check_name(name);
	if (err)
		goto out;
	if (!path) {
		err = -EFAULT;
		goto out;
	}
	err = path_lookupat(t, dirfd, path, lookup, &p);
	if (err)
		goto out;
	if (mnt_readonly(p.mnt)) {
		err = -EROFS;
		goto out_path;
	}
	inode = p.dentry->d_inode;
	err = xattr_permission(inode, name, MAY_WRITE, t->cred);
	if (err)
		goto out_path;
	err = xattr_resolve(name, true, t->cred);
	if (err)
		goto out_path;
	if (!inode->i_op || !inode->i_op->removexattr) {
		err = -EOPNOTSUPP;
		goto out_path;
	}
	err = inode->i_op->removexattr(p.dentry, name);
	if (!err)
		xattr_touch(p.dentry);
out_path:
	path_put(&p);
out:
	task_leave(t);
	return err;
}
