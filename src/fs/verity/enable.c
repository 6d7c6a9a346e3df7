/*
 * enable.c - the fs-verity ioctls: FS_IOC_ENABLE_VERITY (build a file's tree or a
 * directory's descriptor through the lower layer and write its Merkle file; allowed only
 * on a mount without a root hash), FS_IOC_MEASURE_VERITY (the digest: a file's fs-verity
 * digest, a directory's descriptor digest) and FS_IOC_GETFLAGS (FS_VERITY_FL).
 *
 * Enabling a directory binds the children as they are now, with their digests read from
 * their Merkle files: children must be enabled first (verity_enable_path does so), else
 * ENODATA. A directory may be enabled again (its descriptor is rebuilt); a file, as in
 * Linux, only once (EEXIST).
 *
 * A Merkle file is written under a temporary reserved name and renamed into place, so a
 * failed enable (no memory, a failing lower layer) leaves the old Merkle file or none,
 * never part of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fsverity.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/alloc.h"
#include "internal.h"

#ifndef FS_IOC_GETFLAGS
#define FS_IOC_GETFLAGS _IOR('f', 1, long)
#endif
#ifndef FS_VERITY_FL
#define FS_VERITY_FL 0x00100000
#endif

/* The lower directory holding the Merkle file of the verity dentry d. */
static struct dentry *verity_merkle_dir(struct dentry *d)
{
	if (d->d_parent == d)
		return VERITY_FS(d->d_sb)->lower.dentry;
	return VERITY_I(d->d_parent->d_inode)->lower;
}

/*
 * The name a Merkle file is written under before it is renamed into place. It is
 * reserved (never listed, never served, EPERM by name), and it is no child's Merkle file:
 * it would be the Merkle file of ".merkle.verity.tmp", a reserved name that is never
 * enabled. One per directory is enough: the VFS lock serialises enables.
 */
#define VERITY_TMP_NAME VERITY_MERKLE_PREFIX VERITY_MERKLE_PREFIX "tmp"

/* Write a + b into the new file tmp (a negative dentry of dir), mode 0644, owned by the
 * mounter. */
static int verity_write_new(struct verity_fs *fs, struct dentry *dir, struct dentry *tmp,
			    const void *a, size_t alen, const void *b, size_t blen)
{
	struct vfs_new_inode ni = { .mode = S_IFREG | 0644,
				    .uid = fs->cred->fsuid,
				    .gid = fs->cred->fsgid };
	struct path p = { fs->lower.mnt, tmp };
	struct file *f;
	ssize_t n;
	int err;

	err = layer_mknod(dir, tmp, &ni);
	if (err)
		return err;
	f = layer_open(&p, O_WRONLY, fs->cred);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	err = f->f_op->write ? 0 : -EINVAL;
	if (!err && alen) {
		n = f->f_op->write(f, a, alen, 0);
		err = n < 0 ? (int)n : (size_t)n == alen ? 0 : -EIO;
	}
	if (!err && blen) {
		n = f->f_op->write(f, b, blen, (int64_t)alen);
		err = n < 0 ? (int)n : (size_t)n == blen ? 0 : -EIO;
	}
	file_put(f);
	return err;
}

/*
 * Replace the Merkle file of d by a + b, atomically: written whole under VERITY_TMP_NAME,
 * then renamed over the Merkle file's name, so that the name holds the old file or the
 * new one, never part of it, whatever fails (the temporary file is removed on failure, and
 * one left by a crash is removed first).
 */
static int verity_write_merkle(struct dentry *d, const void *a, size_t alen, const void *b,
			       size_t blen)
{
	struct verity_fs *fs = VERITY_FS(d->d_sb);
	struct dentry *dir = verity_merkle_dir(d), *tmp, *m;
	int err;

	tmp = lookup_one(dir, VERITY_TMP_NAME, strlen(VERITY_TMP_NAME));
	if (IS_ERR(tmp))
		return (int)PTR_ERR(tmp);
	if (tmp->d_inode) {
		err = S_ISDIR(tmp->d_inode->i_mode) ? -EISDIR : layer_unlink(dir, tmp);
		d_put(tmp);
		if (err)
			return err;
		tmp = lookup_one(dir, VERITY_TMP_NAME, strlen(VERITY_TMP_NAME));
		if (IS_ERR(tmp))
			return (int)PTR_ERR(tmp);
	}
	err = verity_write_new(fs, dir, tmp, a, alen, b, blen);
	if (err)
		goto out_tmp;
	m = verity_merkle_lookup(d);
	if (IS_ERR(m)) {
		err = (int)PTR_ERR(m);
		goto out_tmp;
	}
	err = m->d_inode && S_ISDIR(m->d_inode->i_mode) ? -EISDIR
							: layer_rename(dir, tmp, dir, m, 0);
	d_put(m);
out_tmp:
	if (err && tmp->d_inode)
		layer_unlink(dir, tmp); /* if this fails too, the next enable removes it */
	d_put(tmp);
	return err;
}

static int verity_data_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct file *f = ctx;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = f->f_op->read(f, (char *)buf + done, len - done, (int64_t)(off + done));
		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int verity_enable_file(struct dentry *d, const struct merkle_params *p)
{
	struct verity_fs *fs = VERITY_FS(d->d_sb);
	struct verity_inode *vi = VERITY_I(d->d_inode);
	uint8_t desc[MERKLE_DESCRIPTOR_SIZE];
	struct path lp = { fs->lower.mnt, vi->lower };
	struct merkle_tree *tree;
	struct dentry *m;
	struct file *f;
	uint64_t size;
	int err;

	if (vi->lower->d_inode->i_writers)
		return -ETXTBSY; /* Linux: no verity for a file open for writing */
	m = verity_merkle_lookup(d);
	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	err = m->d_inode ? -EEXIST : 0;
	d_put(m);
	if (err)
		return err;
	size = (uint64_t)vi->lower->d_inode->i_size;
	f = layer_open(&lp, O_RDONLY, fs->cred);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	err = f->f_op->read ? merkle_build(p, verity_data_read, f, size, &tree) : -EINVAL;
	file_put(f);
	if (err)
		return err;
	err = merkle_descriptor(p, size, tree->root_hash, desc);
	if (!err)
		err = verity_write_merkle(d, tree->tree, tree->geo.tree_size, desc, sizeof(desc));
	if (!err)
		err = merkle_digest_from_root(p, size, tree->root_hash, vi->digest);
	if (!err) {
		vi->has_digest = true;
		vi->digest_alg = (uint16_t)p->hash_alg;
		vi->digest_len = (uint16_t)merkle_digest_size(p->hash_alg);
	}
	merkle_tree_free(tree);
	return err;
}

/* The descriptor entry of the lower child named v in the lower directory dir. */
static int verity_make_entry(struct verity_fs *fs, struct dentry *dir, const struct verity_name *v,
			     struct verity_dirent *e)
{
	struct dentry *c, *m;
	char *mname;
	int err;

	e->name = vl_strndup(v->name, v->len);
	if (!e->name)
		return -ENOMEM;
	e->namelen = v->len;
	c = lookup_one(dir, v->name, v->len);
	if (IS_ERR(c))
		return (int)PTR_ERR(c);
	if (!c->d_inode) {
		d_put(c);
		return -ENOENT;
	}
	err = verity_lower_meta(c, &e->meta, &e->target);
	d_put(c);
	if (err)
		return err;
	if (e->target)
		e->target_len = (uint32_t)e->meta.size;
	if (!S_ISREG(e->meta.mode) && !S_ISDIR(e->meta.mode))
		return 0;
	mname = verity_merkle_name(v->name, v->len);
	if (!mname)
		return -ENOMEM;
	m = strlen(mname) > 255 ? ERR_PTR(-ENAMETOOLONG) : lookup_one(dir, mname, strlen(mname));
	vl_free(mname);
	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	/* A child without a Merkle file is not enabled yet: enable children first. */
	err = verity_merkle_digest(fs, m, S_ISDIR(e->meta.mode), &e->hash_alg, &e->digest_len,
				   e->digest);
	d_put(m);
	return err == -EBADMSG ? -ENODATA : err;
}

static int verity_enable_dir(struct dentry *d)
{
	struct verity_fs *fs = VERITY_FS(d->d_sb);
	struct verity_inode *vi = VERITY_I(d->d_inode);
	struct verity_dirdesc dd = { 0 };
	struct verity_name *names;
	struct verity_meta self;
	size_t n, i, len;
	uint8_t *buf;
	int err;

	err = verity_lower_meta(vi->lower, &self, NULL);
	if (err)
		return err;
	err = verity_lower_list(fs, vi->lower, &names, &n);
	if (err)
		return err;
	dd.mode = self.mode;
	dd.uid = self.uid;
	dd.gid = self.gid;
	dd.ents = vl_zalloc((n ? n : 1) * sizeof(*dd.ents));
	if (!dd.ents) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		dd.nr++;
		err = verity_make_entry(fs, vi->lower, &names[i], &dd.ents[i]);
		if (err)
			goto out;
	}
	verity_dirdesc_sort(&dd);
	err = verity_dirdesc_encode(&dd, &buf, &len);
	if (err)
		goto out;
	err = verity_write_merkle(d, buf, len, NULL, 0);
	if (!err)
		err = verity_sha256(buf, len, vi->digest);
	if (!err) {
		vi->has_digest = true;
		vi->digest_alg = VERITY_DIR_HASH_ALG;
		vi->digest_len = VERITY_DIR_DIGEST_SIZE;
	}
	vl_free(buf);
out:
	for (i = 0; i < dd.nr; i++) {
		vl_free(dd.ents[i].name);
		vl_free(dd.ents[i].target);
	}
	vl_free(dd.ents);
	verity_names_free(names, n);
	return err;
}

static int verity_enable(struct file *file, const struct fsverity_enable_arg *arg)
{
	struct dentry *d = file->f_path.dentry;
	struct merkle_params p = { .hash_alg = MERKLE_HASH_SHA256,
				   .block_size = VERITY_DEFAULT_BLOCK_SIZE,
				   .threads = 1 };
	size_t i;

	/* Tree building reads the lower layer under the VFS lock: one thread (threads=1). */
	if (VERITY_FS(d->d_sb)->verify)
		return -EPERM;
	if (arg) {
		if (arg->version != 1 || arg->sig_size || arg->sig_ptr || arg->__reserved1)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(arg->__reserved2); i++)
			if (arg->__reserved2[i])
				return -EINVAL;
		p.hash_alg = (int)arg->hash_algorithm;
		p.block_size = arg->block_size;
		p.salt_len = arg->salt_size;
		p.salt = arg->salt_size ? (const uint8_t *)(uintptr_t)arg->salt_ptr : NULL;
		if (arg->salt_size && !p.salt)
			return -EFAULT;
		if (merkle_params_validate(&p))
			return -EINVAL;
	}
	if (S_ISDIR(d->d_inode->i_mode))
		return verity_enable_dir(d);
	if (!S_ISREG(d->d_inode->i_mode))
		return -EINVAL;
	return verity_enable_file(d, &p);
}

/* The digest of d: the verified one, or (without a root hash) its Merkle file's. */
static int verity_get_digest(struct dentry *d, uint16_t *alg, uint16_t *len, uint8_t *digest)
{
	struct verity_inode *vi = VERITY_I(d->d_inode);
	struct dentry *m;
	int err;

	if (vi->has_digest) {
		*alg = vi->digest_alg;
		*len = vi->digest_len;
		memcpy(digest, vi->digest, vi->digest_len);
		return 0;
	}
	if (VERITY_FS(d->d_sb)->verify ||
	    (!S_ISREG(d->d_inode->i_mode) && !S_ISDIR(d->d_inode->i_mode)))
		return -ENODATA;
	m = verity_merkle_lookup(d);
	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	err = verity_merkle_digest(VERITY_FS(d->d_sb), m, S_ISDIR(d->d_inode->i_mode), alg, len,
				   digest);
	d_put(m);
	return err == -EBADMSG ? -ENODATA : err;
}

int verity_ioctl(struct file *file, unsigned long req, void *arg)
{
	uint8_t digest[MERKLE_MAX_DIGEST_SIZE];
	struct fsverity_digest *out = arg;
	uint16_t alg, len;
	int err, flags;

	switch (req) {
	case FS_IOC_ENABLE_VERITY: return verity_enable(file, arg);
	case FS_IOC_MEASURE_VERITY:
		if (!out)
			return -EFAULT;
		err = verity_get_digest(file->f_path.dentry, &alg, &len, digest);
		if (err)
			return err;
		if (out->digest_size < len)
			return -EOVERFLOW;
		out->digest_algorithm = alg;
		out->digest_size = len;
		memcpy(out->digest, digest, len);
		return 0;
	case FS_IOC_GETFLAGS:
		if (!arg)
			return -EFAULT;
		err = verity_get_digest(file->f_path.dentry, &alg, &len, digest);
		if (err && err != -ENODATA)
			return err;
		flags = err ? 0 : FS_VERITY_FL;
		memcpy(arg, &flags, sizeof(flags));
		return 0;
	default: return -ENOTTY;
	}
}
