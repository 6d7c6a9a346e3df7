/*
 * inode.c - verity inodes: lookup with the verification of each child against its
 * directory's descriptor, attributes (checked against the verified ones on every stat),
 * readlink, and the operations tables (every mutating operation is EROFS).
 *
 * What lookup checks, in verified mode (any failure is a violation):
 *   - the name is in the directory's descriptor exactly when the lower directory has it;
 *   - the lower child's mode, owner, group, device number, size and symlink target are
 *     the entry's;
 *   - a file or directory has a Merkle file whose digest is the entry's digest; a file's
 *     Merkle file is exactly its tree plus its fs-verity descriptor, for the entry's size;
 *     a directory's descriptor lists the directory's own mode and owner.
 * A reserved name (".merkle.verity." anywhere, ".merkleroot.verity." in front) is EPERM.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

struct inode *verity_new_inode(struct super_block *sb, struct dentry *lower)
{
	struct inode *real = lower->d_inode;
	struct verity_inode *vi;
	struct inode *inode;
	struct vfs_new_inode ni;

	vi = vl_zalloc(sizeof(*vi));
	if (!vi) {
		d_put(lower);
		return NULL;
	}
	obj_inc(OBJ_INODE);
	vi->lower = lower;
	verity_cache_inode_init(&VERITY_FS(sb)->cache, vi);
	inode = &vi->vfs_inode;
	ni = (struct vfs_new_inode){
		.mode = real->i_mode, .uid = real->i_uid, .gid = real->i_gid, .rdev = real->i_rdev
	};
	inode_init(inode, sb, &ni);
	inode->i_ino = real->i_ino;
	inode->i_size = real->i_size;
	inode->i_nlink = real->i_nlink;
	inode->i_atime = real->i_atime;
	inode->i_mtime = real->i_mtime;
	inode->i_ctime = real->i_ctime;
	switch (real->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &verity_dir_iops;
		inode->i_fop = &verity_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &verity_file_iops;
		inode->i_fop = &verity_file_fops;
		break;
	case S_IFLNK: inode->i_op = &verity_symlink_iops; break;
	default: inode->i_op = &verity_special_iops; break;
	}
	return inode;
}

void verity_destroy_inode(struct inode *inode)
{
	struct verity_inode *vi = VERITY_I(inode);

	verity_cache_drop_inode(&VERITY_FS(inode->i_sb)->cache, vi);
	d_put(vi->lower);
	if (vi->merkle)
		d_put(vi->merkle);
	verity_dirdesc_free(vi->desc);
	vl_free(vi->target);
	obj_dec(OBJ_INODE);
	vl_free(vi);
}

static bool meta_equal(const struct verity_meta *a, const struct verity_meta *b)
{
	return a->mode == b->mode && a->uid == b->uid && a->gid == b->gid && a->rdev == b->rdev &&
	       a->size == b->size;
}

int verity_load_dir(struct super_block *sb, struct verity_inode *vi, struct dentry *merkle,
		    const uint8_t *digest, const char *name)
{
	uint8_t hash[VERITY_DIR_DIGEST_SIZE];
	struct verity_dirdesc *dd;
	struct verity_meta m;
	uint8_t *buf;
	size_t len;
	int err;

	if (!merkle->d_inode)
		return verity_violation(sb, "missing Merkle file", name);
	err = verity_lower_read_all(VERITY_FS(sb), merkle, VERITY_MAX_DIRDESC, &buf, &len);
	/* Short (EIO) or absurdly long (EFBIG) is the tree's fault; ENOMEM is not. */
	if (err == -EIO || err == -EFBIG)
		return verity_violation(sb, "unreadable descriptor", name);
	if (err)
		return err;
	err = verity_sha256(buf, len, hash);
	if (!err && memcmp(hash, digest, sizeof(hash)))
		err = verity_violation(sb, "directory descriptor digest mismatch", name);
	if (!err) {
		err = verity_dirdesc_parse(buf, len, &dd);
		if (err == -EBADMSG)
			err = verity_violation(sb, "malformed directory descriptor", name);
	}
	vl_free(buf);
	if (err)
		return err;
	err = verity_lower_meta(vi->lower, &m, NULL);
	if (err)
		goto out_dd;
	if (m.mode != dd->mode || m.uid != dd->uid || m.gid != dd->gid) {
		err = verity_violation(sb, "directory metadata changed", name);
		goto out_dd;
	}
	vi->desc = dd;
	vi->verified = true;
	vi->meta = m;
	vi->has_digest = true;
	vi->digest_alg = VERITY_DIR_HASH_ALG;
	vi->digest_len = VERITY_DIR_DIGEST_SIZE;
	memcpy(vi->digest, hash, sizeof(hash));
	return 0;

out_dd:
	verity_dirdesc_free(dd);
	return err;
}

/* A regular file's Merkle file against its entry: the fs-verity descriptor at its end
 * hashes to the entry's digest and describes the entry's size; the tree before it is
 * exactly as long as that size needs. */
static int verity_load_file(struct super_block *sb, struct verity_inode *vi, struct dentry *merkle,
			    const struct verity_dirent *e)
{
	uint8_t desc[MERKLE_DESCRIPTOR_SIZE], digest[MERKLE_MAX_DIGEST_SIZE];
	struct merkle_geometry *geo = &vi->geo;
	uint64_t size, msize;
	int err;

	if (!merkle->d_inode)
		return verity_violation(sb, "missing Merkle file", e->name);
	if (!S_ISREG(merkle->d_inode->i_mode) || merkle->d_inode->i_size < MERKLE_DESCRIPTOR_SIZE)
		return verity_violation(sb, "bad Merkle file", e->name);
	msize = (uint64_t)merkle->d_inode->i_size;
	err = verity_lower_read(VERITY_FS(sb), merkle, desc, sizeof(desc),
				msize - MERKLE_DESCRIPTOR_SIZE);
	if (err == -EIO)
		return verity_violation(sb, "unreadable Merkle file", e->name);
	if (err)
		return err;
	err = verity_parse_fsdesc(desc, &vi->params, vi->salt, &size, vi->root);
	if (err)
		return verity_violation(sb, "malformed fs-verity descriptor", e->name);
	if (vi->params.hash_alg != e->hash_alg)
		return verity_violation(sb, "file digest mismatch", e->name);
	err = merkle_digest_from_root(&vi->params, size, vi->root, digest);
	if (err)
		return err;
	if (memcmp(digest, e->digest, e->digest_len))
		return verity_violation(sb, "file digest mismatch", e->name);
	if (size != e->meta.size)
		return verity_violation(sb, "file size mismatch", e->name);
	err = merkle_geometry_init(&vi->params, size, geo);
	if (err)
		return err;
	if (geo->tree_size + MERKLE_DESCRIPTOR_SIZE != msize)
		return verity_violation(sb, "Merkle file size mismatch", e->name);
	vi->merkle = d_get(merkle);
	vi->has_digest = true;
	vi->digest_alg = e->hash_alg;
	vi->digest_len = e->digest_len;
	memcpy(vi->digest, e->digest, e->digest_len);
	return 0;
}

static int verity_verify_child(struct super_block *sb, struct dentry *dentry,
			       struct verity_inode *vi, const struct verity_dirent *e)
{
	struct verity_meta m;
	char *target = NULL;
	struct dentry *merkle;
	int err;

	err = verity_lower_meta(vi->lower, &m, &target);
	if (err)
		return err;
	if (!meta_equal(&m, &e->meta) ||
	    (S_ISLNK(m.mode) && (!target || memcmp(target, e->target, e->target_len)))) {
		vl_free(target);
		return verity_violation(sb, "metadata changed", e->name);
	}
	vi->target = target;
	vi->meta = m;
	if (S_ISREG(m.mode) || S_ISDIR(m.mode)) {
		merkle = verity_merkle_lookup(dentry);
		if (IS_ERR(merkle))
			return (int)PTR_ERR(merkle);
		err = S_ISDIR(m.mode) ? verity_load_dir(sb, vi, merkle, e->digest, e->name)
				      : verity_load_file(sb, vi, merkle, e);
		d_put(merkle);
		if (err)
			return err;
	}
	vi->verified = true;
	return 0;
}

static int verity_lookup(struct inode *dir, struct dentry *dentry)
{
	struct super_block *sb = dir->i_sb;
	struct verity_inode *dvi = VERITY_I(dir);
	const struct verity_dirent *e = NULL;
	struct dentry *lower;
	struct inode *inode;
	int err;

	if (verity_reserved_name(dentry->d_name, dentry->d_namelen))
		return -EPERM;
	lower = lookup_one(dvi->lower, dentry->d_name, dentry->d_namelen);
	if (IS_ERR(lower))
		return (int)PTR_ERR(lower);
	if (VERITY_FS(sb)->verify) {
		e = verity_dirdesc_find(dvi->desc, dentry->d_name, dentry->d_namelen);
		if (!e && lower->d_inode)
			err = verity_violation(sb, "not in its directory's list", dentry->d_name);
		else if (e && !lower->d_inode)
			err = verity_violation(sb, "listed but gone", dentry->d_name);
		else
			err = 0;
		if (err) {
			d_put(lower);
			return err;
		}
	}
	if (!lower->d_inode) {
		d_put(lower);
		return 0;
	}
	inode = verity_new_inode(sb, lower); /* consumes lower */
	if (!inode)
		return -ENOMEM;
	if (e) {
		err = verity_verify_child(sb, dentry, VERITY_I(inode), e);
		if (err) {
			iput(inode);
			return err;
		}
	}
	d_instantiate(dentry, inode);
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Attributes */

static int verity_getattr(struct dentry *dentry, struct vfs_stat *st)
{
	struct inode *inode = dentry->d_inode;
	struct verity_inode *vi = VERITY_I(inode);
	struct verity_meta m;
	int err;

	err = layer_getattr(vi->lower, st);
	if (err)
		return err;
	if (vi->verified) {
		/* The lower file may change under a mounted verity filesystem: every stat
		 * rechecks what lookup verified. */
		err = verity_lower_meta(vi->lower, &m, NULL);
		if (err)
			return err;
		if (S_ISLNK(m.mode))
			m.size = vi->meta.size; /* the target itself is checked by readlink */
		if (!meta_equal(&m, &vi->meta))
			return verity_violation(inode->i_sb, "metadata changed", dentry->d_name);
	}
	st->dev = inode->i_sb->s_dev;
	st->ino = inode->i_ino;
	inode->i_mode = st->mode;
	inode->i_uid = st->uid;
	inode->i_gid = st->gid;
	inode->i_size = st->size;
	inode->i_nlink = st->nlink;
	return 0;
}

static ssize_t verity_readlink(struct dentry *dentry, char *buf, size_t len)
{
	struct verity_inode *vi = VERITY_I(dentry->d_inode);
	size_t n;

	if (!vi->verified)
		return layer_readlink(vi->lower, buf, len);
	n = (size_t)vi->meta.size;
	memcpy(buf, vi->target, n < len ? n : len);
	return (ssize_t)n;
}

static ssize_t verity_getxattr(struct dentry *dentry, const char *name, void *value, size_t size)
{
	return layer_getxattr(VERITY_I(dentry->d_inode)->lower, name, value, size);
}

static ssize_t verity_listxattr(struct dentry *dentry, char *list, size_t size)
{
	return layer_listxattr(VERITY_I(dentry->d_inode)->lower, list, size);
}

/* ---------------------------------------------------------------------------------- */
/* Everything that would change the filesystem */

static int verity_rofs_mknod(struct inode *dir, struct dentry *d, const struct vfs_new_inode *ni)
{
	(void)dir, (void)d, (void)ni;
	return -EROFS;
}

static int verity_rofs_symlink(struct inode *dir, struct dentry *d, const char *target,
			       const struct vfs_new_inode *ni)
{
	(void)dir, (void)d, (void)target, (void)ni;
	return -EROFS;
}

static int verity_rofs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	(void)old, (void)dir, (void)d;
	return -EROFS;
}

static int verity_rofs_remove(struct inode *dir, struct dentry *d)
{
	(void)dir, (void)d;
	return -EROFS;
}

static int verity_rofs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			      struct dentry *nd, unsigned flags)
{
	(void)odir, (void)od, (void)ndir, (void)nd, (void)flags;
	return -EROFS;
}

static int verity_rofs_setattr(struct dentry *d, const struct iattr *attr)
{
	(void)d, (void)attr;
	return -EROFS;
}

static int verity_rofs_setxattr(struct dentry *d, const char *name, const void *value, size_t size,
				int flags)
{
	(void)d, (void)name, (void)value, (void)size, (void)flags;
	return -EROFS;
}

static int verity_rofs_removexattr(struct dentry *d, const char *name)
{
	(void)d, (void)name;
	return -EROFS;
}

/* ---------------------------------------------------------------------------------- */
/* Operations tables */

#define VERITY_COMMON_IOPS                                                                      \
	.setattr = verity_rofs_setattr, .getattr = verity_getattr, .getxattr = verity_getxattr, \
	.setxattr = verity_rofs_setxattr, .listxattr = verity_listxattr,                        \
	.removexattr = verity_rofs_removexattr

const struct inode_operations verity_dir_iops = {
	.lookup = verity_lookup,
	.mknod = verity_rofs_mknod,
	.mkdir = verity_rofs_mknod,
	.symlink = verity_rofs_symlink,
	.link = verity_rofs_link,
	.unlink = verity_rofs_remove,
	.rmdir = verity_rofs_remove,
	.rename = verity_rofs_rename,
	VERITY_COMMON_IOPS,
};

const struct inode_operations verity_file_iops = {
	VERITY_COMMON_IOPS,
};

const struct inode_operations verity_symlink_iops = {
	.readlink = verity_readlink,
	VERITY_COMMON_IOPS,
};

const struct inode_operations verity_special_iops = {
	VERITY_COMMON_IOPS,
};
