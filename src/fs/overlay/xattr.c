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

/* ---------------------------------------------------------------------------------- */
/* The copy-up origin (trusted.overlay.origin) */

/*
 * Linux's wire format of an overlay file handle (struct ovl_fb, fs/overlayfs/overlayfs.h):
 * version, magic 0xfb, total length, flags (0: little-endian fid), fid type, the 16-byte
 * uuid of the origin's filesystem, then the fid. Our filesystems have no UUID: the
 * "uuid" names the origin's superblock by its magic and device number, behind a tag no
 * Linux filesystem UUID starts with in practice; the fid is the origin's inode number
 * and the 1-based index of its layer when it was copied up (a hint, checked against the
 * layers of the mount decoding it). A kernel finds no layer with that uuid and treats
 * the origin as unknown, which is its rule for a stale handle; so do we.
 */
#define OVL_FB_VERSION 0
#define OVL_FB_MAGIC 0xfb
#define OVL_FB_HDR 21	     /* version, magic, len, flags, type, uuid[16] */
#define OVL_FB_FID_LEN 12    /* ino (le64), layer (le32) */
#define OVL_FB_FID_TYPE 0xf1 /* ours (a kernel never decodes it: no layer has our uuid) */
#define OVL_FB_LEN (OVL_FB_HDR + OVL_FB_FID_LEN)
static const uint8_t ovl_fb_tag[4] = { 'v', 'l', 'a', 'b' };

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The 16-byte identity of the superblock sb, as it goes in the handle's uuid. */
static void ovl_fs_uuid(const struct super_block *sb, uint8_t *uuid)
{
	memcpy(uuid, ovl_fb_tag, 4);
	put_le32(uuid + 4, (uint32_t)sb->s_magic);
	put_le32(uuid + 8, sb->s_dev);
	put_le32(uuid + 12, 0);
}

int ovl_set_origin(struct dentry *upper, const struct dentry *origin, uint32_t layer)
{
	uint8_t fb[OVL_FB_LEN];
	uint64_t ino = origin->d_inode->i_ino;
	int err;

	fb[0] = OVL_FB_VERSION;
	fb[1] = OVL_FB_MAGIC;
	fb[2] = OVL_FB_LEN;
	fb[3] = 0;
	fb[4] = OVL_FB_FID_TYPE;
	ovl_fs_uuid(origin->d_sb, fb + 5);
	put_le32(fb + OVL_FB_HDR, (uint32_t)ino);
	put_le32(fb + OVL_FB_HDR + 4, (uint32_t)(ino >> 32));
	put_le32(fb + OVL_FB_HDR + 8, layer);
	err = layer_setxattr(upper, OVL_XATTR_ORIGIN, fb, sizeof(fb), 0);
	/* As Linux's ovl_check_setxattr: an upper without xattrs only loses st_ino
	 * stability across remounts. */
	return err == -EOPNOTSUPP ? 0 : err;
}

int ovl_get_origin(struct ovl_fs *ofs, struct dentry *upper, struct ovl_origin *origin)
{
	uint8_t fb[OVL_FB_LEN + 1], uuid[16];
	uint32_t hint, i;
	ssize_t n;

	n = layer_getxattr(upper, OVL_XATTR_ORIGIN, fb, sizeof(fb));
	if (n == -ENODATA || n == -EOPNOTSUPP || n == -ERANGE)
		return 0; /* none, or not one of ours (longer): origin unknown */
	if (n < 0)
		return (int)n;
	/* Anything else is "origin unknown" (Linux's -ENODATA/-ESTALE cases), not an
	 * error: the file is still there, with its upper inode number. */
	if (n != OVL_FB_LEN || fb[0] != OVL_FB_VERSION || fb[1] != OVL_FB_MAGIC ||
	    fb[2] != OVL_FB_LEN || fb[3] != 0 || fb[4] != OVL_FB_FID_TYPE)
		return 0;
	hint = get_le32(fb + OVL_FB_HDR + 8);
	for (i = 0; i <= ofs->nr_lower; i++) {
		/* The layer it came from first, then any layer on the same filesystem. */
		uint32_t l = i == 0 ? hint : i;

		if (l == 0 || l > ofs->nr_lower || (i > 0 && l == hint))
			continue;
		ovl_fs_uuid(ofs->lower[l - 1].dentry->d_sb, uuid);
		if (!memcmp(uuid, fb + 5, sizeof(uuid))) {
			origin->layer = l;
			origin->ino = get_le32(fb + OVL_FB_HDR) |
				      (uint64_t)get_le32(fb + OVL_FB_HDR + 4) << 32;
			return 0;
		}
	}
	return 0;
}
