/*
 * file.c - open files through verity: reads of verified files check every block against
 * the verified root hash on its way up, and directory listings are checked against the
 * verified descriptor.
 *
 * Each open file holds an open file of the lower layer and, when verified, of its Merkle
 * file, a block hasher and scratch blocks. Only the verified size is served: bytes
 * appended below are never read, and a lower file shorter than it is a violation.
 *
 * Reading a verified block (fs-verity's verify_data_block): the data block is hashed and
 * its hash must be at its slot in its level-0 tree block; a tree block is trusted when it
 * is in the mount's cache of verified blocks (cache.c), else it is read, hashed, and its
 * hash must be at its slot one level up, and so on, the top block's hash being the root.
 * Each block verified on the way is cached, so a sequential read hashes every data block
 * once and every tree block once (while it stays cached), not the whole path per block.
 *
 * A data block is verified where nobody else can write to it before it is cached: read
 * from the lower file into its cache entry, hashed there, then copied to the caller. When
 * the data is not to be cached, whole blocks are read into the caller's buffer and hashed
 * in place: one copy, and nothing of the caller's memory is kept. Data is not cached when
 * a block does not fit the bound, and when the file is being streamed: it is larger than
 * the cache and read sequentially (a read starting where the last read of the same open
 * file ended) or in one read larger than the cache. Least-recently-used eviction could
 * not keep such blocks until they are read again, and caching them would evict every
 * other block, tree blocks included, for nothing (LRU's sequential flooding). Their tree
 * blocks are cached as always.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

struct verity_file {
	struct file *real;   /* the lower file */
	struct file *merkle; /* its Merkle file (verified files only) */
	/* Verified files: */
	struct merkle_hasher *hasher;
	uint8_t *scratch; /* one block per tree level, then one data block */
	uint64_t next;	  /* where the last read ended: a read from there is sequential */
};

/* Read up to len bytes at off of a lower file: the bytes read (fewer only at its end). */
static ssize_t verity_read_upto(struct file *f, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	if (!f->f_op->read)
		return -EINVAL;
	while (done < len) {
		n = f->f_op->read(f, (char *)buf + done, len - done, (int64_t)(off + done));
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Read exactly len bytes at off of a lower file; -EIO when it is shorter. */
static int verity_read_exact(struct file *f, void *buf, size_t len, uint64_t off)
{
	ssize_t n = verity_read_upto(f, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int verity_file_open(struct inode *inode, struct file *file)
{
	struct verity_inode *vi = VERITY_I(inode);
	struct verity_fs *fs = VERITY_FS(inode->i_sb);
	struct path p = { fs->lower.mnt, vi->lower };
	struct verity_file *vf;
	int err;

	vf = vl_zalloc(sizeof(*vf));
	if (!vf)
		return -ENOMEM;
	vf->real = layer_open(&p, O_RDONLY, fs->cred);
	if (IS_ERR(vf->real)) {
		err = (int)PTR_ERR(vf->real);
		goto out_vf;
	}
	if (vi->verified && vi->merkle) {
		p.dentry = vi->merkle;
		vf->merkle = layer_open(&p, O_RDONLY, fs->cred);
		if (IS_ERR(vf->merkle)) {
			err = (int)PTR_ERR(vf->merkle);
			goto out_real;
		}
		err = merkle_hasher_new(&vi->params, &vf->hasher);
		if (err)
			goto out_merkle;
		vf->scratch = vl_malloc((size_t)(vi->geo.num_levels + 1) * vi->params.block_size);
		if (!vf->scratch) {
			err = -ENOMEM;
			goto out_hasher;
		}
	}
	file->private_data = vf;
	return 0;

out_hasher:
	merkle_hasher_free(vf->hasher);
out_merkle:
	file_put(vf->merkle);
out_real:
	file_put(vf->real);
out_vf:
	vl_free(vf);
	return err;
}

static void verity_file_release(struct inode *inode, struct file *file)
{
	struct verity_file *vf = file->private_data;

	(void)inode;
	vl_free(vf->scratch);
	merkle_hasher_free(vf->hasher);
	if (vf->merkle)
		file_put(vf->merkle);
	file_put(vf->real);
	vl_free(vf);
}

/* A mismatch (or a tree too short to hold the path) is a violation; other errors are
 * themselves (ENOMEM, the lower layer's). */
static int verity_bad(struct file *file, int err)
{
	if (err == -EBADMSG || err == -EIO)
		return verity_violation(file->f_inode->i_sb, "data block does not verify",
					file->f_path.dentry->d_name);
	return err;
}

/*
 * The verified tree block idx of level: from the cache, or read, hashed and checked one
 * level up (recursively), then cached. *out points to it until the next cache put; the
 * block read lives in the level's scratch block when it cannot be cached.
 */
static int verity_tree_block(struct verity_file *vf, struct verity_inode *vi, int level,
			     uint64_t idx, const uint8_t **out)
{
	struct verity_cache *c = &VERITY_FS(vi->vfs_inode.i_sb)->cache;
	const struct merkle_geometry *g = &vi->geo;
	uint8_t hash[MERKLE_MAX_DIGEST_SIZE], *block;
	const uint8_t *above, *cached;
	size_t len;
	int err;

	cached = verity_cache_get(c, vi, VERITY_KEY_TREE(level, idx), &len);
	if (cached) {
		c->stats.tree_hits++;
		*out = cached;
		return 0;
	}
	block = vf->scratch + (size_t)level * g->block_size;
	err = verity_read_exact(vf->merkle, block, g->block_size,
				(g->level_start[level] + idx) * g->block_size);
	if (err)
		return err; /* EIO: a Merkle file shorter than its tree, a violation */
	err = merkle_hash_block(vf->hasher, block, g->block_size, hash);
	if (err)
		return err;
	c->stats.tree_verified++;
	if (level == g->num_levels - 1) {
		if (memcmp(hash, vi->root, g->digest_size))
			return -EBADMSG;
	} else {
		err = verity_tree_block(vf, vi, level + 1, idx / g->hashes_per_block, &above);
		if (err)
			return err;
		if (memcmp(above + (idx % g->hashes_per_block) * g->digest_size, hash,
			   g->digest_size))
			return -EBADMSG;
	}
	cached = verity_cache_put(c, vi, VERITY_KEY_TREE(level, idx), block, g->block_size);
	*out = cached ? cached : block;
	return 0;
}

/* Data block idx (len bytes at data) against the tree: 0 or -EBADMSG (or an error). */
static int verity_check_data(struct verity_file *vf, struct verity_inode *vi, uint64_t idx,
			     const uint8_t *data, size_t len)
{
	const struct merkle_geometry *g = &vi->geo;
	uint8_t hash[MERKLE_MAX_DIGEST_SIZE];
	const uint8_t *leaf;
	int err;

	err = merkle_hash_block(vf->hasher, data, len, hash);
	if (err)
		return err;
	VERITY_FS(vi->vfs_inode.i_sb)->cache.stats.data_verified++;
	if (!g->num_levels)
		return memcmp(hash, vi->root, g->digest_size) ? -EBADMSG : 0;
	err = verity_tree_block(vf, vi, 0, idx / g->hashes_per_block, &leaf);
	if (err)
		return err;
	return memcmp(leaf + (idx % g->hashes_per_block) * g->digest_size, hash, g->digest_size)
		       ? -EBADMSG
		       : 0;
}

/* The end (exclusive byte offset) of data block idx. */
static uint64_t block_end(const struct verity_inode *vi, uint64_t idx)
{
	uint64_t end = (idx + 1) * vi->geo.block_size;

	return end < vi->geo.data_size ? end : vi->geo.data_size;
}

/*
 * Not cached: the run of whole blocks from idx that end at or before limit and are not
 * cached, read into out with one lower read and hashed in place. *verified gets the bytes
 * of the blocks that verified, from the first; 0 if they all did, else the first failing
 * block's error. The bytes after the verified ones are cleared, so no unverified byte is
 * left in the caller's buffer.
 */
static int verity_read_run(struct file *file, uint8_t *out, uint64_t idx, uint64_t limit,
			   size_t *verified)
{
	struct verity_inode *vi = VERITY_I(file->f_inode);
	struct verity_file *vf = file->private_data;
	struct verity_cache *c = &VERITY_FS(file->f_inode->i_sb)->cache;
	const uint64_t start = idx * vi->geo.block_size;
	uint64_t last = idx, end, k;
	size_t done = 0, len, clen;
	ssize_t got;
	int err = 0;

	*verified = 0;
	while (last + 1 < vi->geo.data_blocks && block_end(vi, last + 1) <= limit &&
	       !verity_cache_get(c, vi, VERITY_KEY_DATA(last + 1), &clen))
		last++;
	end = block_end(vi, last);
	got = verity_read_upto(vf->real, out, (size_t)(end - start), start);
	if (got < 0) {
		memset(out, 0, (size_t)(end - start)); /* what the failed read left there */
		return (int)got;
	}
	for (k = idx; k <= last; k++) {
		len = (size_t)(block_end(vi, k) - k * vi->geo.block_size);
		if ((size_t)got < done + len) {
			err = verity_violation(file->f_inode->i_sb, "file shorter than verified",
					       file->f_path.dentry->d_name);
			break;
		}
		err = verity_check_data(vf, vi, k, out + done, len);
		if (err) {
			err = verity_bad(file, err);
			break;
		}
		done += len;
	}
	memset(out + done, 0, (size_t)(end - start) - done);
	*verified = done;
	return err;
}

/* Block idx (blen bytes) verified, in a cache entry or else the data scratch block:
 * *out points to it until the next call into the cache. */
static int verity_get_block(struct file *file, uint64_t idx, size_t blen, const uint8_t **out)
{
	struct verity_inode *vi = VERITY_I(file->f_inode);
	struct verity_file *vf = file->private_data;
	struct verity_cache *c = &VERITY_FS(file->f_inode->i_sb)->cache;
	uint8_t *buf = verity_cache_reserve(c, blen);
	uint8_t *dst = buf ? buf : vf->scratch + (size_t)vi->geo.num_levels * vi->geo.block_size;
	int err;

	err = verity_read_exact(vf->real, dst, blen, idx * vi->geo.block_size);
	if (err == -EIO)
		err = verity_violation(file->f_inode->i_sb, "file shorter than verified",
				       file->f_path.dentry->d_name);
	if (!err)
		err = verity_bad(file, verity_check_data(vf, vi, idx, dst, blen));
	if (err) {
		if (buf)
			verity_cache_cancel(c, buf);
		return err;
	}
	if (buf)
		verity_cache_commit(c, vi, VERITY_KEY_DATA(idx), buf);
	*out = dst;
	return 0;
}

static ssize_t verity_file_read(struct file *file, void *ubuf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	struct verity_inode *vi = VERITY_I(inode);
	struct verity_file *vf = file->private_data;
	struct verity_cache *c = &VERITY_FS(inode->i_sb)->cache;
	uint64_t size = vi->meta.size, pos = (uint64_t)off, idx, boff;
	uint32_t bs = vi->params.block_size;
	size_t done = 0, blen, skip, n, clen, got;
	uint8_t *buf = ubuf;
	const uint8_t *block;
	bool stream;
	int err = 0;

	if (!vi->verified)
		return vf->real->f_op->read ? vf->real->f_op->read(vf->real, buf, len, off)
					    : -EINVAL;
	if (off < 0)
		return -EINVAL;
	if (pos >= size || !len)
		return 0;
	if (len > size - pos)
		len = (size_t)(size - pos);
	stream = size > c->max_bytes && ((pos && pos == vf->next) || len > c->max_bytes);
	while (done < len) {
		idx = (pos + done) / bs;
		boff = idx * bs;
		blen = (size_t)(size - boff < bs ? size - boff : bs);
		skip = (size_t)(pos + done - boff);
		n = blen - skip < len - done ? blen - skip : len - done;
		block = verity_cache_get(c, vi, VERITY_KEY_DATA(idx), &clen);
		if (block) {
			c->stats.data_hits++;
		} else if (!skip && n == blen && (stream || !verity_cache_keeps(c, blen))) {
			/* Whole blocks not to be cached: straight into the caller's buffer. */
			err = verity_read_run(file, buf + done, idx, pos + len, &got);
			done += got;
			if (err)
				break;
			continue;
		} else {
			err = verity_get_block(file, idx, blen, &block);
			if (err)
				break;
		}
		memcpy(buf + done, block + skip, n);
		done += n;
	}
	vf->next = pos + done;
	/* A block that fails after good ones: return the good ones; the next read fails. */
	return done ? (ssize_t)done : err;
}

const struct file_operations verity_file_fops = {
	.open = verity_file_open,
	.release = verity_file_release,
	.read = verity_file_read,
	.ioctl = verity_ioctl,
};

/* ---------------------------------------------------------------------------------- */
/* Directories */

struct verity_dir {
	struct verity_name *names; /* the listing, read on the first iterate from 0 */
	size_t n;
	bool loaded;
};

static int verity_dir_open(struct inode *inode, struct file *file)
{
	(void)inode;
	file->private_data = vl_zalloc(sizeof(struct verity_dir));
	return file->private_data ? 0 : -ENOMEM;
}

static void verity_dir_drop(struct verity_dir *vd)
{
	verity_names_free(vd->names, vd->n);
	vd->names = NULL;
	vd->n = 0;
	vd->loaded = false;
}

static void verity_dir_release(struct inode *inode, struct file *file)
{
	(void)inode;
	verity_dir_drop(file->private_data);
	vl_free(file->private_data);
}

static void verity_dir_seeked(struct file *file)
{
	if (file->f_pos == 0)
		verity_dir_drop(file->private_data);
}

/* The lower listing against the verified descriptor: the same names, no more, no less. */
static int verity_dir_check(struct super_block *sb, struct verity_inode *vi,
			    const struct verity_dir *vd, const char *name)
{
	size_t i;

	if (vd->n != vi->desc->nr)
		return verity_violation(sb, "directory listing changed", name);
	for (i = 0; i < vd->n; i++)
		if (vd->names[i].len != vi->desc->ents[i].namelen ||
		    memcmp(vd->names[i].name, vi->desc->ents[i].name, vd->names[i].len))
			return verity_violation(sb, "directory listing changed", name);
	return 0;
}

static int verity_iterate(struct file *file, struct dir_context *ctx)
{
	struct dentry *dir = file->f_path.dentry;
	struct verity_inode *vi = VERITY_I(dir->d_inode);
	struct verity_dir *vd = file->private_data;
	size_t i;
	int err;

	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, dir->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!dir_emit(ctx, "..", 2, dir->d_parent->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	if (!vd->loaded) {
		err = verity_lower_list(VERITY_FS(dir->d_sb), vi->lower, &vd->names, &vd->n);
		if (err)
			return err;
		vd->loaded = true;
		if (vi->verified) {
			err = verity_dir_check(dir->d_sb, vi, vd, dir->d_name);
			if (err) {
				verity_dir_drop(vd);
				return err;
			}
		}
	}
	for (i = (size_t)ctx->pos - 2; i < vd->n; i++) {
		if (!dir_emit(ctx, vd->names[i].name, vd->names[i].len, vd->names[i].ino,
			      vd->names[i].dtype))
			return 0;
		ctx->pos++;
	}
	return 0;
}

const struct file_operations verity_dir_fops = {
	.open = verity_dir_open,
	.release = verity_dir_release,
	.iterate = verity_iterate,
	.seeked = verity_dir_seeked,
	.ioctl = verity_ioctl,
};
