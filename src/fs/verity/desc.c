/*
 * desc.c - the byte formats (doc/verity.md): directory descriptors (encode, strict parse),
 * the fs-verity descriptor at the end of a file's Merkle file, Merkle file names and
 * digests; and reading the lower filesystem (files, directory listings, metadata).
 *
 * The parser is strict so that one descriptor has one encoding: a digest then names one
 * byte string, and nothing an attacker appends or reorders goes unnoticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

#define VERITY_DIR_MAGIC "VLVRTYD1"
#define VERITY_DIR_VERSION 1
#define VERITY_DIR_HEADER 28

bool verity_reserved_name(const char *name, size_t len)
{
	size_t i;

	if (len >= VERITY_ROOT_PREFIX_LEN &&
	    !memcmp(name, VERITY_ROOT_PREFIX, VERITY_ROOT_PREFIX_LEN))
		return true;
	for (i = 0; i + VERITY_MERKLE_PREFIX_LEN <= len; i++)
		if (!memcmp(name + i, VERITY_MERKLE_PREFIX, VERITY_MERKLE_PREFIX_LEN))
			return true;
	return false;
}

int verity_sha256(const void *data, size_t len, uint8_t out[VERITY_DIR_DIGEST_SIZE])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != VERITY_DIR_DIGEST_SIZE)
		return -EIO;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* The lower filesystem */

int verity_lower_meta(struct dentry *d, struct verity_meta *m, char **target)
{
	struct vfs_stat st;
	int err;

	err = layer_getattr(d, &st);
	if (err)
		return err;
	memset(m, 0, sizeof(*m));
	m->mode = st.mode;
	m->uid = st.uid;
	m->gid = st.gid;
	if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
		m->rdev = st.rdev;
	if (S_ISREG(st.mode) || S_ISLNK(st.mode))
		m->size = (uint64_t)st.size;
	if (target && S_ISLNK(st.mode)) {
		/* The target's length is read, not trusted from st_size. */
		size_t cap = 256;
		ssize_t n;
		char *buf;

		for (;;) {
			buf = vl_malloc(cap + 1);
			if (!buf)
				return -ENOMEM;
			n = layer_readlink(d, buf, cap);
			if (n < 0) {
				vl_free(buf);
				return (int)n;
			}
			if ((size_t)n < cap)
				break;
			vl_free(buf);
			if (cap >= 65536)
				return -ENAMETOOLONG;
			cap *= 4;
		}
		buf[n] = '\0';
		m->size = (uint64_t)n;
		*target = buf;
	}
	return 0;
}

int verity_lower_read(struct verity_fs *fs, struct dentry *d, void *buf, size_t len, uint64_t off)
{
	struct path p = { fs->lower.mnt, d };
	struct file *f;
	size_t done = 0;
	ssize_t n;
	int err = 0;

	if (!d->d_inode || !S_ISREG(d->d_inode->i_mode))
		return -EIO;
	f = layer_open(&p, O_RDONLY, fs->cred);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	while (done < len) {
		n = f->f_op->read ? f->f_op->read(f, (char *)buf + done, len - done,
						  (int64_t)(off + done))
				  : -EINVAL;
		if (n <= 0) {
			err = n < 0 ? (int)n : -EIO;
			break;
		}
		done += (size_t)n;
	}
	file_put(f);
	return err;
}

int verity_lower_read_all(struct verity_fs *fs, struct dentry *d, size_t max, uint8_t **out,
			  size_t *len)
{
	uint8_t *buf;
	size_t size;
	int err;

	if (!d->d_inode || !S_ISREG(d->d_inode->i_mode))
		return -EIO;
	if (d->d_inode->i_size < 0 || (uint64_t)d->d_inode->i_size > max)
		return -EFBIG;
	size = (size_t)d->d_inode->i_size;
	buf = vl_malloc(size ? size : 1);
	if (!buf)
		return -ENOMEM;
	err = size ? verity_lower_read(fs, d, buf, size, 0) : 0;
	if (err) {
		vl_free(buf);
		return err;
	}
	*out = buf;
	*len = size;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Merkle files */

char *verity_merkle_name(const char *name, size_t len)
{
	char *s = vl_malloc(VERITY_MERKLE_PREFIX_LEN + len + 1);

	if (!s)
		return NULL;
	memcpy(s, VERITY_MERKLE_PREFIX, VERITY_MERKLE_PREFIX_LEN);
	memcpy(s + VERITY_MERKLE_PREFIX_LEN, name, len);
	s[VERITY_MERKLE_PREFIX_LEN + len] = '\0';
	return s;
}

struct dentry *verity_merkle_lookup(struct dentry *d)
{
	struct verity_fs *fs = VERITY_FS(d->d_sb);
	struct dentry *dir, *m;
	char *name;

	if (d->d_parent == d) {
		size_t n = VERITY_ROOT_PREFIX_LEN + strlen(fs->root_name);

		name = vl_malloc(n + 1);
		if (!name)
			return ERR_PTR(-ENOMEM);
		memcpy(name, VERITY_ROOT_PREFIX, VERITY_ROOT_PREFIX_LEN);
		strcpy(name + VERITY_ROOT_PREFIX_LEN, fs->root_name);
		dir = fs->lower.dentry;
	} else {
		name = verity_merkle_name(d->d_name, d->d_namelen);
		if (!name)
			return ERR_PTR(-ENOMEM);
		dir = VERITY_I(d->d_parent->d_inode)->lower;
	}
	if (strlen(name) > 255) {
		vl_free(name);
		return ERR_PTR(-ENAMETOOLONG);
	}
	m = lookup_one(dir, name, strlen(name));
	vl_free(name);
	return m;
}

int verity_parse_fsdesc(const uint8_t desc[MERKLE_DESCRIPTOR_SIZE], struct merkle_params *p,
			uint8_t *salt, uint64_t *data_size, uint8_t *root)
{
	uint8_t again[MERKLE_DESCRIPTOR_SIZE];
	size_t dlen;
	uint64_t size = 0;
	int i, err;

	/* version, hash_algorithm, log_blocksize, salt_size, sig_size, data_size, root... */
	if (desc[0] != 1 || desc[2] < 10 || desc[2] > 16 || desc[3] > MERKLE_MAX_SALT_SIZE)
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	p->hash_alg = desc[1];
	p->block_size = 1u << desc[2];
	p->salt_len = desc[3];
	p->threads = 1;
	memcpy(salt, desc + 88, p->salt_len);
	p->salt = p->salt_len ? salt : NULL;
	if (merkle_params_validate(p))
		return -EBADMSG;
	for (i = 7; i >= 0; i--)
		size = (size << 8) | desc[8 + i];
	dlen = merkle_digest_size(p->hash_alg);
	memcpy(root, desc + 16, dlen);
	/* Canonical: rebuilding it from what we parsed gives the same bytes. */
	err = merkle_descriptor(p, size, root, again);
	if (err || memcmp(again, desc, MERKLE_DESCRIPTOR_SIZE))
		return -EBADMSG;
	*data_size = size;
	return 0;
}

int verity_merkle_digest(struct verity_fs *fs, struct dentry *m, bool is_dir, uint16_t *alg,
			 uint16_t *len, uint8_t *digest)
{
	uint8_t desc[MERKLE_DESCRIPTOR_SIZE], salt[MERKLE_MAX_SALT_SIZE];
	uint8_t root[MERKLE_MAX_DIGEST_SIZE];
	struct merkle_params p;
	uint64_t size;
	uint8_t *buf;
	size_t n;
	int err;

	if (!m->d_inode || !S_ISREG(m->d_inode->i_mode))
		return -ENODATA;
	if (is_dir) {
		err = verity_lower_read_all(fs, m, VERITY_MAX_DIRDESC, &buf, &n);
		if (err)
			return err;
		err = verity_sha256(buf, n, digest);
		vl_free(buf);
		*alg = VERITY_DIR_HASH_ALG;
		*len = VERITY_DIR_DIGEST_SIZE;
		return err;
	}
	if (m->d_inode->i_size < MERKLE_DESCRIPTOR_SIZE)
		return -EBADMSG;
	err = verity_lower_read(fs, m, desc, sizeof(desc),
				(uint64_t)m->d_inode->i_size - MERKLE_DESCRIPTOR_SIZE);
	if (err)
		return err;
	err = verity_parse_fsdesc(desc, &p, salt, &size, root);
	if (err)
		return err;
	err = merkle_digest_from_root(&p, size, root, digest);
	if (err)
		return err;
	*alg = (uint16_t)p.hash_alg;
	*len = (uint16_t)merkle_digest_size(p.hash_alg);
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Directory descriptors */

static void put16(uint8_t **p, uint32_t v)
{
	(*p)[0] = (uint8_t)v;
	(*p)[1] = (uint8_t)(v >> 8);
	*p += 2;
}

static void put32(uint8_t **p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p, v >> 16);
}

static void put64(uint8_t **p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p, (uint32_t)(v >> 32));
}

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int dirent_cmp(const void *a, const void *b)
{
	const struct verity_dirent *x = a, *y = b;

	return name_cmp(x->name, x->namelen, y->name, y->namelen);
}

void verity_dirdesc_sort(struct verity_dirdesc *dd)
{
	if (dd->nr > 1)
		qsort(dd->ents, dd->nr, sizeof(*dd->ents), dirent_cmp);
}

int verity_dirdesc_encode(const struct verity_dirdesc *dd, uint8_t **out, size_t *len)
{
	size_t size = VERITY_DIR_HEADER, i;
	uint8_t *buf, *p;

	for (i = 0; i < dd->nr; i++)
		size += 2 + dd->ents[i].namelen + 24 + 4 + dd->ents[i].digest_len + 4 +
			dd->ents[i].target_len;
	buf = vl_malloc(size);
	if (!buf)
		return -ENOMEM;
	p = buf;
	memcpy(p, VERITY_DIR_MAGIC, 8);
	p += 8;
	put32(&p, VERITY_DIR_VERSION);
	put32(&p, dd->mode);
	put32(&p, dd->uid);
	put32(&p, dd->gid);
	put32(&p, dd->nr);
	for (i = 0; i < dd->nr; i++) {
		const struct verity_dirent *e = &dd->ents[i];

		put16(&p, e->namelen);
		memcpy(p, e->name, e->namelen);
		p += e->namelen;
		put32(&p, e->meta.mode);
		put32(&p, e->meta.uid);
		put32(&p, e->meta.gid);
		put32(&p, e->meta.rdev);
		put64(&p, e->meta.size);
		put16(&p, e->hash_alg);
		put16(&p, e->digest_len);
		memcpy(p, e->digest, e->digest_len);
		p += e->digest_len;
		put32(&p, e->target_len);
		if (e->target_len)
			memcpy(p, e->target, e->target_len);
		p += e->target_len;
	}
	*out = buf;
	*len = size;
	return 0;
}

struct reader {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *take(struct reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || r->left < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t get_le(struct reader *r, size_t n)
{
	const uint8_t *p = take(r, n);
	uint64_t v = 0;

	while (p && n--)
		v = (v << 8) | p[n];
	return v;
}

void verity_dirdesc_free(struct verity_dirdesc *dd)
{
	uint32_t i;

	if (!dd)
		return;
	for (i = 0; i < dd->nr; i++) {
		vl_free(dd->ents[i].name);
		vl_free(dd->ents[i].target);
	}
	vl_free(dd->ents);
	vl_free(dd);
}

static bool entry_valid(const struct verity_dirent *e)
{
	uint32_t type = e->meta.mode & S_IFMT;

	if (!e->namelen || e->namelen > 255 || memchr(e->name, '/', e->namelen) ||
	    memchr(e->name, '\0', e->namelen) || !strcmp(e->name, ".") || !strcmp(e->name, "..") ||
	    verity_reserved_name(e->name, e->namelen))
		return false;
	if (type == S_IFREG || type == S_IFDIR) {
		if (merkle_digest_size(e->hash_alg) != e->digest_len || !e->digest_len)
			return false;
		if (type == S_IFDIR && (e->hash_alg != VERITY_DIR_HASH_ALG || e->meta.size))
			return false;
	} else if (e->hash_alg || e->digest_len) {
		return false;
	}
	if (type == S_IFLNK ? e->meta.size != e->target_len : e->target_len != 0)
		return false;
	if (type != S_IFCHR && type != S_IFBLK && e->meta.rdev)
		return false;
	return type == S_IFREG || type == S_IFDIR || type == S_IFLNK || type == S_IFCHR ||
	       type == S_IFBLK || type == S_IFIFO || type == S_IFSOCK;
}

int verity_dirdesc_parse(const uint8_t *buf, size_t len, struct verity_dirdesc **out)
{
	struct reader r = { buf, len, false };
	struct verity_dirdesc *dd;
	const uint8_t *p;
	uint32_t nr, i;
	int err = -EBADMSG;

	p = take(&r, 8);
	if (!p || memcmp(p, VERITY_DIR_MAGIC, 8) || get_le(&r, 4) != VERITY_DIR_VERSION)
		return -EBADMSG;
	dd = vl_zalloc(sizeof(*dd));
	if (!dd)
		return -ENOMEM;
	dd->mode = (uint32_t)get_le(&r, 4);
	dd->uid = (uint32_t)get_le(&r, 4);
	dd->gid = (uint32_t)get_le(&r, 4);
	nr = (uint32_t)get_le(&r, 4);
	/* Each entry takes at least 35 bytes: a count beyond that is a lie. */
	if (r.bad || !S_ISDIR(dd->mode) || nr > r.left / 35)
		goto out_bad;
	dd->ents = vl_zalloc((nr ? nr : 1) * sizeof(*dd->ents));
	if (!dd->ents) {
		err = -ENOMEM;
		goto out_bad;
	}
	for (i = 0; i < nr; i++) {
		struct verity_dirent *e = &dd->ents[i];

		e->namelen = (uint16_t)get_le(&r, 2);
		p = take(&r, e->namelen);
		if (!p)
			goto out_bad;
		e->name = vl_strndup((const char *)p, e->namelen);
		dd->nr++;
		if (!e->name) {
			err = -ENOMEM;
			goto out_bad;
		}
		e->meta.mode = (uint32_t)get_le(&r, 4);
		e->meta.uid = (uint32_t)get_le(&r, 4);
		e->meta.gid = (uint32_t)get_le(&r, 4);
		e->meta.rdev = (uint32_t)get_le(&r, 4);
		e->meta.size = get_le(&r, 8);
		e->hash_alg = (uint16_t)get_le(&r, 2);
		e->digest_len = (uint16_t)get_le(&r, 2);
		if (e->digest_len > MERKLE_MAX_DIGEST_SIZE)
			goto out_bad;
		p = take(&r, e->digest_len);
		if (!p)
			goto out_bad;
		memcpy(e->digest, p, e->digest_len);
		e->target_len = (uint32_t)get_le(&r, 4);
		p = take(&r, e->target_len);
		if (!p)
			goto out_bad;
		if (e->target_len) {
			e->target = vl_strndup((const char *)p, e->target_len);
			if (!e->target) {
				err = -ENOMEM;
				goto out_bad;
			}
		}
		if (strlen(e->name) != e->namelen || !entry_valid(e) ||
		    (e->target && strlen(e->target) != e->target_len))
			goto out_bad;
		if (i && dirent_cmp(&dd->ents[i - 1], e) >= 0)
			goto out_bad; /* sorted, no duplicates */
	}
	if (r.bad || r.left)
		goto out_bad;
	*out = dd;
	return 0;

out_bad:
	verity_dirdesc_free(dd);
	return err;
}

const struct verity_dirent *verity_dirdesc_find(const struct verity_dirdesc *dd, const char *name,
						size_t len)
{
	size_t lo = 0, hi = dd->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct verity_dirent *e = &dd->ents[mid];
		int c = name_cmp(name, len, e->name, e->namelen);

		if (!c)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Lower directory listings */

struct list_ctx {
	struct dir_context ctx;
	struct verity_name *v;
	size_t n, cap;
	int err;
};

static bool list_actor(struct dir_context *ctx, const char *name, size_t namelen, int64_t next_pos,
		       uint64_t ino, unsigned dtype)
{
	struct list_ctx *lc = container_of(ctx, struct list_ctx, ctx);
	struct verity_name *e;

	(void)next_pos; /* the lower filesystem advances ctx->pos itself */
	if ((namelen == 1 && name[0] == '.') || (namelen == 2 && !memcmp(name, "..", 2)) ||
	    verity_reserved_name(name, namelen))
		return true;
	if (lc->n == lc->cap) {
		size_t cap = lc->cap ? lc->cap * 2 : 16;
		struct verity_name *v = vl_realloc(lc->v, cap * sizeof(*v));

		if (!v) {
			lc->err = -ENOMEM;
			return false;
		}
		lc->v = v;
		lc->cap = cap;
	}
	e = &lc->v[lc->n];
	e->name = vl_strndup(name, namelen);
	if (!e->name) {
		lc->err = -ENOMEM;
		return false;
	}
	e->len = (uint16_t)namelen;
	e->ino = ino;
	e->dtype = dtype;
	lc->n++;
	return true;
}

static int vname_cmp(const void *a, const void *b)
{
	const struct verity_name *x = a, *y = b;

	return name_cmp(x->name, x->len, y->name, y->len);
}

void verity_names_free(struct verity_name *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		vl_free(v[i].name);
	vl_free(v);
}

int verity_lower_list(struct verity_fs *fs, struct dentry *dir, struct verity_name **out, size_t *n)
{
	struct path p = { fs->lower.mnt, dir };
	struct list_ctx lc = { .ctx = { .actor = list_actor, .pos = 0 } };
	struct file *f;
	int err = 0;

	f = layer_open(&p, O_RDONLY | O_DIRECTORY, fs->cred);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	if (!f->f_op->iterate) {
		err = -ENOTDIR;
		goto out;
	}
	/* The actor never refuses an entry: one call reads the whole directory. */
	err = f->f_op->iterate(f, &lc.ctx);
	if (!err)
		err = lc.err;
out:
	file_put(f);
	if (err) {
		verity_names_free(lc.v, lc.n);
		return err;
	}
	if (lc.n > 1)
		qsort(lc.v, lc.n, sizeof(*lc.v), vname_cmp);
	*out = lc.v;
	*n = lc.n;
	return 0;
}
