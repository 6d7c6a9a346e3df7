/*
 * xattr.c - extended attributes through the overlay: read from the file's real inode
 * (upper, else lower), written to the upper one after a copy-up. The overlay's own
 * attributes, trusted.overlay.*, are hidden: left out of lists, ENODATA to read, and
 * refused to write with EOPNOTSUPP (as Linux before 6.7, which has no xattr escaping;
 * see doc/overlay.md). The VFS has checked namespaces and permissions already.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

bool ovl_is_private_xattr(const char *name)
{
	return strncmp(name, OVL_XATTR_PREFIX, OVL_XATTR_PREFIX_LEN) == 0;
}

ssize_t ovl_getxattr(struct dentry *dentry, const char *name, void *value, size_t size)
{
	if (ovl_is_private_xattr(name))
		return -ENODATA;
	return layer_getxattr(ovl_real(dentry->d_inode), name, value, size);
}

int ovl_setxattr(struct dentry *dentry, const char *name, const void *value, size_t size, int flags)
{
	struct inode *inode = dentry->d_inode;
	int err;

	if (ovl_is_private_xattr(name))
		return -EOPNOTSUPP;
	err = ovl_copy_up(dentry);
	if (err)
		return err;
	err = layer_setxattr(OVL_I(inode)->upper, name, value, size, flags);
	ovl_copyattr(inode);
	return err;
}

int ovl_removexattr(struct dentry *dentry, const char *name)
{
	struct inode *inode = dentry->d_inode;
	ssize_t n;
	int err;

	if (ovl_is_private_xattr(name))
		return -EOPNOTSUPP;
	/* Linux checks the attribute exists before copying up for nothing. */
	n = layer_getxattr(ovl_real(inode), name, NULL, 0);
	if (n < 0)
		return (int)n;
	err = ovl_copy_up(dentry);
	if (err)
		return err;
	err = layer_removexattr(OVL_I(inode)->upper, name);
	ovl_copyattr(inode);
	return err;
}

/* The real list, less the overlay's names: into a new buffer (*out) of the returned
 * length. */
static ssize_t ovl_list_filtered(struct dentry *real, char **out)
{
	ssize_t len, n;
	char *buf, *src, *dst;

	*out = NULL;
	len = layer_listxattr(real, NULL, 0);
	if (len <= 0)
		return len;
	buf = vl_malloc((size_t)len);
	if (!buf)
		return -ENOMEM;
	n = layer_listxattr(real, buf, (size_t)len);
	if (n < 0) {
		vl_free(buf);
		return n;
	}
	for (src = dst = buf; src < buf + n;) {
		size_t l = strnlen(src, (size_t)(buf + n - src));

		if (!ovl_is_private_xattr(src)) {
			memmove(dst, src, l);
			dst[l] = '\0';
			dst += l + 1;
		}
		src += l + 1;
	}
	*out = buf;
	return dst - buf;
}

ssize_t ovl_listxattr(struct dentry *dentry, char *list, size_t size)
{
	char *buf;
	ssize_t n = ovl_list_filtered(ovl_real(dentry->d_inode), &buf);

	if (n > 0 && size) {
		if ((size_t)n > size)
			n = -ERANGE;
		else
			memcpy(list, buf, (size_t)n);
	}
	vl_free(buf);
	return n;
}

int ovl_copy_xattrs(struct dentry *src, struct dentry *dst)
{
	char *names, *name, *value = NULL;
	ssize_t n, vlen;
	int err = 0;

	n = ovl_list_filtered(src, &names);
	if (n <= 0)
		return (int)n;
	for (name = names; name < names + n; name += strlen(name) + 1) {
		vlen = layer_getxattr(src, name, NULL, 0);
		if (vlen == -ENODATA)
			continue;
		if (vlen < 0) {
			err = (int)vlen;
			break;
		}
		vl_free(value);
		value = vl_malloc((size_t)vlen + 1);
		if (!value) {
			err = -ENOMEM;
			break;
		}
		vlen = layer_getxattr(src, name, value, (size_t)vlen);
		if (vlen < 0) {
			err = (int)vlen;
			break;
		}
		err = layer_setxattr(dst, name, value, (size_t)vlen, 0);
		if (err)
			break;
	}
	vl_free(value);
	vl_free(names);
	return err;
}
