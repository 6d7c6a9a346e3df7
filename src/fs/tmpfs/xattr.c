/*
 * xattr.c - tmpfs extended attributes: a short list per inode, kept sorted by name
 * (Linux's simple_xattrs are an rbtree keyed by name, so listxattr comes out sorted).
 *
 * Stored namespaces: user., trusted., security. (Linux tmpfs's handlers). The VFS
 * decides who may use which namespace (trusted. needs CAP_SYS_ADMIN, user. only on
 * regular files and directories) and filters listxattr; tmpfs only stores. Names are
 * 1..255 bytes (XATTR_NAME_MAX) with a non-empty suffix, values 0..64 KiB
 * (XATTR_SIZE_MAX). A change updates ctime, as shmem_xattr_handler_set.
 * Protected by: vfs->lock.
 */
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include "base/alloc.h"
#include "internal.h"

#define TMPFS_XATTR_NAME_MAX 255
#define TMPFS_XATTR_SIZE_MAX 65536

/* One attribute: the name (NUL-terminated) then the value, in one allocation. */
struct tmpfs_xattr {
	struct tmpfs_xattr *next;
	uint32_t size;	  /* of the value */
	uint8_t name_len; /* without the NUL; 1..255 */
	char data[];
};

static const char *const tmpfs_xattr_prefixes[] = { "user.", "trusted.", "security." };

static int tmpfs_xattr_check_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > TMPFS_XATTR_NAME_MAX)
		return -ERANGE;
	for (i = 0; i < ARRAY_SIZE(tmpfs_xattr_prefixes); i++) {
		size_t plen = strlen(tmpfs_xattr_prefixes[i]);

		if (strncmp(name, tmpfs_xattr_prefixes[i], plen) == 0)
			return len == plen ? -EINVAL : 0;
	}
	return -EOPNOTSUPP;
}

/* The link that points at name's entry, or at the entry it would go before. */
static struct tmpfs_xattr **tmpfs_xattr_find(struct tmpfs_inode *ti, const char *name, bool *found)
{
	struct tmpfs_xattr **link = &ti->xattrs;

	*found = false;
	for (; *link; link = &(*link)->next) {
		int c = strcmp((*link)->data, name);

		if (c == 0) {
			*found = true;
			break;
		}
		if (c > 0)
			break;
	}
	return link;
}

ssize_t tmpfs_getxattr(struct dentry *dentry, const char *name, void *value, size_t size)
{
	struct tmpfs_inode *ti = TMPFS_I(dentry->d_inode);
	struct tmpfs_xattr *x;
	bool found;
	int err = tmpfs_xattr_check_name(name);

	if (err)
		return err;
	x = *tmpfs_xattr_find(ti, name, &found);
	if (!found)
		return -ENODATA;
	if (size == 0)
		return x->size;
	if (size < x->size)
		return -ERANGE;
	memcpy(value, x->data + x->name_len + 1, x->size);
	return x->size;
}

int tmpfs_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size,
		   int flags)
{
	struct inode *inode = dentry->d_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);
	struct tmpfs_xattr **link, *x;
	size_t name_len = strlen(name);
	bool found;
	int err = tmpfs_xattr_check_name(name);

	if (err)
		return err;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (size > TMPFS_XATTR_SIZE_MAX)
		return -E2BIG;
	link = tmpfs_xattr_find(ti, name, &found);
	if (found && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!found && (flags & XATTR_REPLACE))
		return -ENODATA;
	/* Allocate before touching the list: a failure changes nothing. */
	x = vl_malloc(sizeof(*x) + name_len + 1 + size);
	if (!x)
		return -ENOMEM;
	x->size = (uint32_t)size;
	x->name_len = (uint8_t)name_len;
	memcpy(x->data, name, name_len + 1);
	if (size) /* size 0 is an empty value (value may be NULL), not a removal */
		memcpy(x->data + name_len + 1, value, size);
	if (found) {
		struct tmpfs_xattr *old = *link;

		x->next = old->next;
		vl_free(old);
	} else {
		x->next = *link;
	}
	*link = x;
	inode->i_ctime = vfs_now(inode->i_sb->s_vfs);
	return 0;
}

ssize_t tmpfs_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct tmpfs_inode *ti = TMPFS_I(dentry->d_inode);
	struct tmpfs_xattr *x;
	size_t total = 0;

	for (x = ti->xattrs; x; x = x->next)
		total += (size_t)x->name_len + 1;
	if (size == 0)
		return (ssize_t)total;
	if (size < total)
		return -ERANGE;
	for (x = ti->xattrs; x; x = x->next) {
		memcpy(list, x->data, (size_t)x->name_len + 1);
		list += x->name_len + 1;
	}
	return (ssize_t)total;
}

int tmpfs_removexattr(struct dentry *dentry, const char *name)
{
	struct inode *inode = dentry->d_inode;
	struct tmpfs_xattr **link, *x;
	bool found;
	int err = tmpfs_xattr_check_name(name);

	if (err)
		return err;
	link = tmpfs_xattr_find(TMPFS_I(inode), name, &found);
	if (!found)
		return -ENODATA;
	x = *link;
	*link = x->next;
	vl_free(x);
	inode->i_ctime = vfs_now(inode->i_sb->s_vfs);
	return 0;
}

void tmpfs_xattr_free_all(struct tmpfs_inode *ti)
{
	struct tmpfs_xattr *x = ti->xattrs, *next;

	for (; x; x = next) {
		next = x->next;
		vl_free(x);
	}
	ti->xattrs = NULL;
}
