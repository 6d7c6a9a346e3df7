/*
 * tree.c - building an fs-verity Merkle tree from a stream of data, level by level.
 *
 * One pass over the data, in order. Each level keeps one pending block: a hash produced
 * by the level below is appended to it, and when the block cannot take another hash it is
 * zero-padded, stored (when a tree is kept), hashed, and that hash goes up one level. The
 * hash that comes out of the top level is the root. At the end, partly filled blocks are
 * flushed bottom-up. This is the order and padding of fsverity-utils' compute_digest, so
 * memory is O(levels * block_size) when no tree is kept.
 *
 * Leaf hashing (the data blocks: all but about 1/128 of the work) can be spread over
 * threads: the data is taken in windows, each window split into one contiguous range of
 * blocks per thread; each thread reads its range through the callback and writes the leaf
 * hashes at their index; then the leaf hashes enter level 0 in order. The output does not
 * depend on the number of threads.
 *
 * Invariants: level L's pending block holds filled[L] bytes of hashes (a multiple of the
 * digest size, less than what would overflow the block); emitted[L] blocks of level L have
 * been stored at level_start[L] + 0..emitted[L]-1; a stored tree ends with
 * emitted[L] == level_blocks[L] for every level.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "internal.h"

/* Bytes of data one read asks for (a multiple of every block size). */
#define READ_CHUNK (1u << 20)
/* Bytes of data per thread per window, and the size below which one thread does it all
 * (thread start-up would cost more than it saves). */
#define THREAD_SPAN (8u << 20)
#define PARALLEL_MIN (4u << 20)
#define MAX_THREADS 64

struct builder {
	struct merkle_geometry geo;
	struct merkle_hasher hasher;
	uint8_t *pending[MERKLE_MAX_LEVELS];
	uint32_t filled[MERKLE_MAX_LEVELS];
	uint64_t emitted[MERKLE_MAX_LEVELS];
	uint8_t *tree; /* geo.tree_size bytes, or NULL when only the root is wanted */
	uint8_t root[MERKLE_MAX_DIGEST_SIZE];
	bool have_root;
};

int merkle_geometry_init(const struct merkle_params *p, uint64_t data_size,
			 struct merkle_geometry *geo)
{
	uint64_t blocks, start;
	int err = merkle_params_validate(p), level;

	if (err)
		return err;
	memset(geo, 0, sizeof(*geo));
	geo->data_size = data_size;
	geo->block_size = p->block_size;
	geo->digest_size = (uint32_t)merkle_digest_size(p->hash_alg);
	geo->hashes_per_block = geo->block_size / geo->digest_size;
	geo->data_blocks = data_size / p->block_size + (data_size % p->block_size != 0);
	for (blocks = geo->data_blocks; blocks > 1; geo->num_levels++) {
		/* Cannot happen for 64-bit sizes at arity >= 16; kept as a guard. */
		if (geo->num_levels >= MERKLE_MAX_LEVELS)
			return -EFBIG;
		blocks = blocks / geo->hashes_per_block + (blocks % geo->hashes_per_block != 0);
		geo->level_blocks[geo->num_levels] = blocks;
	}
	/* Stored top-down: the top level first, the leaves last. */
	start = 0;
	for (level = geo->num_levels - 1; level >= 0; level--) {
		geo->level_start[level] = start;
		start += geo->level_blocks[level];
	}
	geo->tree_size = start * geo->block_size;
	return 0;
}

static int feed_hash(struct builder *b, int level, const uint8_t *hash);

/* Pads, stores and hashes level's pending block, feeding its hash one level up. */
static int emit_block(struct builder *b, int level)
{
	const struct merkle_geometry *g = &b->geo;
	uint8_t hash[MERKLE_MAX_DIGEST_SIZE];
	uint8_t *block = b->pending[level];
	int err;

	memset(block + b->filled[level], 0, g->block_size - b->filled[level]);
	if (b->tree) {
		if (b->emitted[level] >= g->level_blocks[level])
			return -EIO; /* more data than the size said: the stream changed */
		memcpy(b->tree + (g->level_start[level] + b->emitted[level]) * g->block_size, block,
		       g->block_size);
	}
	b->emitted[level]++;
	b->filled[level] = 0;
	err = merkle_hash_block(&b->hasher, block, g->block_size, hash);
	if (err)
		return err;
	return feed_hash(b, level + 1, hash);
}

static int feed_hash(struct builder *b, int level, const uint8_t *hash)
{
	const struct merkle_geometry *g = &b->geo;

	if (level == g->num_levels) {
		if (b->have_root)
			return -EIO; /* a second top block: the stream changed */
		memcpy(b->root, hash, g->digest_size);
		b->have_root = true;
		return 0;
	}
	memcpy(b->pending[level] + b->filled[level], hash, g->digest_size);
	b->filled[level] += g->digest_size;
	if (b->filled[level] + g->digest_size > g->block_size)
		return emit_block(b, level);
	return 0;
}

/* ---------------------------------------------------------------- leaf hashing */

/* One thread's share of a window: blocks [first, first + count) of the data. */
struct leaf_job {
	const struct merkle_params *params;
	merkle_read_fn read;
	void *ctx;
	uint64_t size;
	uint64_t first;
	uint64_t count;
	uint8_t *hashes; /* count * digest_size bytes */
	uint8_t *buf;	 /* READ_CHUNK bytes */
	struct merkle_hasher hasher;
	pthread_t thread;
	bool started;
	int err;
};

static int hash_leaves(struct leaf_job *j)
{
	const uint32_t bs = j->params->block_size, ds = j->hasher.digest_size;
	uint64_t blk = j->first, end = j->first + j->count, off, n, i;
	int err;

	while (blk < end) {
		off = blk * bs;
		n = j->size - off;
		if (n > READ_CHUNK)
			n = READ_CHUNK;
		if (n > (end - blk) * bs)
			n = (end - blk) * bs;
		err = j->read(j->ctx, j->buf, (size_t)n, off);
		if (err)
			return err;
		for (i = 0; i < n; i += bs, blk++) {
			err = merkle_hash_block(&j->hasher, j->buf + i,
						(size_t)(n - i < bs ? n - i : bs),
						j->hashes + (blk - j->first) * ds);
			if (err)
				return err;
		}
	}
	return 0;
}

static void *leaf_thread(void *arg)
{
	struct leaf_job *j = arg;

	j->err = hash_leaves(j);
	return NULL;
}

static unsigned int pick_threads(const struct merkle_params *p, uint64_t size)
{
	long online;
	unsigned int n = p->threads;

	if (n == 0) {
		if (size < PARALLEL_MIN)
			return 1;
		online = sysconf(_SC_NPROCESSORS_ONLN);
		n = online > 0 ? (unsigned int)online : 1;
	}
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	/* No thread without at least one whole read's worth of blocks. */
	if ((uint64_t)n * READ_CHUNK > size)
		n = (unsigned int)(size / READ_CHUNK) + 1;
	return n;
}

/*
 * Hashes every data block into level 0, a window of nthreads * THREAD_SPAN bytes at a
 * time. Job 0 runs on the calling thread; a thread that cannot be started has its job run
 * there too, so a loaded system is slower but never wrong.
 */
static int hash_data(struct builder *b, const struct merkle_params *p, merkle_read_fn read,
		     void *ctx, uint64_t size)
{
	const uint32_t bs = p->block_size, ds = b->geo.digest_size;
	const unsigned int nthreads = pick_threads(p, size);
	const uint64_t span = nthreads > 1 ? THREAD_SPAN / bs : READ_CHUNK / bs;
	struct leaf_job jobs[MAX_THREADS];
	uint64_t first = 0, left, per, i;
	uint8_t *hashes;
	unsigned int t, njobs;
	int err = 0;

	memset(jobs, 0, sizeof(jobs));
	hashes = vl_malloc((size_t)(span * nthreads * ds));
	if (!hashes)
		return -ENOMEM;
	for (t = 0; t < nthreads; t++) {
		jobs[t] = (struct leaf_job){ .params = p, .read = read, .ctx = ctx, .size = size };
		jobs[t].buf = vl_malloc(READ_CHUNK);
		if (!jobs[t].buf) {
			err = -ENOMEM;
			goto out_jobs;
		}
		err = merkle_hasher_init(&jobs[t].hasher, p);
		if (err) {
			vl_free(jobs[t].buf);
			goto out_jobs;
		}
	}

	while (first < b->geo.data_blocks) {
		left = b->geo.data_blocks - first;
		if (left > span * nthreads)
			left = span * nthreads;
		per = left / nthreads + (left % nthreads != 0);
		njobs = 0;
		for (i = 0; i < left; i += per, njobs++) {
			jobs[njobs].first = first + i;
			jobs[njobs].count = left - i < per ? left - i : per;
			jobs[njobs].hashes = hashes + i * ds;
			jobs[njobs].err = 0;
			jobs[njobs].started =
				njobs > 0 && !pthread_create(&jobs[njobs].thread, NULL, leaf_thread,
							     &jobs[njobs]);
		}
		for (t = 0; t < njobs; t++) {
			if (jobs[t].started)
				pthread_join(jobs[t].thread, NULL);
			else
				jobs[t].err = hash_leaves(&jobs[t]);
		}
		/* The first failing range's error, whatever the timing. */
		for (t = 0; t < njobs && !err; t++)
			err = jobs[t].err;
		for (i = 0; i < left && !err; i++)
			err = feed_hash(b, 0, hashes + i * ds);
		if (err)
			break;
		first += left;
	}
	t = nthreads;
out_jobs:
	while (t-- > 0) {
		merkle_hasher_fini(&jobs[t].hasher);
		vl_free(jobs[t].buf);
	}
	vl_free(hashes);
	return err;
}

/* ---------------------------------------------------------------- the build */

static void builder_fini(struct builder *b)
{
	int level;

	for (level = 0; level < b->geo.num_levels; level++)
		vl_free(b->pending[level]);
	merkle_hasher_fini(&b->hasher);
}

/* Runs the whole pass; tree (geo.tree_size bytes) receives the stored levels if not NULL. */
static int build(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		 uint8_t *tree, const struct merkle_geometry *geo, uint8_t *root)
{
	struct builder b;
	int err, level;

	memset(&b, 0, sizeof(b));
	b.geo = *geo;
	b.tree = tree;
	if (size == 0) {
		/* fs-verity: the empty file's root hash is all zeros. */
		memset(root, 0, geo->digest_size);
		return 0;
	}
	err = merkle_hasher_init(&b.hasher, p);
	if (err)
		return err;
	for (level = 0; level < geo->num_levels; level++) {
		b.pending[level] = vl_malloc(geo->block_size);
		if (!b.pending[level]) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = hash_data(&b, p, read, ctx, size);
	/* Flush partly filled blocks bottom-up; each flush may fill the level above. */
	for (level = 0; !err && level < geo->num_levels; level++)
		if (b.filled[level])
			err = emit_block(&b, level);
	if (!err && !b.have_root)
		err = -EIO;
	if (!err)
		memcpy(root, b.root, geo->digest_size);
out:
	builder_fini(&b);
	return err;
}

int merkle_build(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		 struct merkle_tree **out)
{
	struct merkle_tree *t;
	int err;

	if (!read || !out)
		return -EINVAL;
	t = vl_zalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	err = merkle_geometry_init(p, size, &t->geo);
	if (err)
		goto fail;
	if ((uint64_t)(size_t)t->geo.tree_size != t->geo.tree_size) {
		err = -EFBIG;
		goto fail;
	}
	t->hash_alg = p->hash_alg;
	t->tree = vl_malloc((size_t)t->geo.tree_size);
	if (!t->tree) {
		err = -ENOMEM;
		goto fail;
	}
	err = build(p, read, ctx, size, t->tree, &t->geo, t->root_hash);
	if (err)
		goto fail;
	*out = t;
	return 0;
fail:
	merkle_tree_free(t);
	return err;
}

int merkle_root_hash(const struct merkle_params *p, merkle_read_fn read, void *ctx, uint64_t size,
		     uint8_t *root)
{
	struct merkle_geometry geo;
	int err;

	if (!read || !root)
		return -EINVAL;
	err = merkle_geometry_init(p, size, &geo);
	if (err)
		return err;
	return build(p, read, ctx, size, NULL, &geo, root);
}

struct buf_src {
	const uint8_t *data;
	uint64_t size;
};

static int buf_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct buf_src *s = ctx;

	if (off > s->size || len > s->size - off)
		return -EIO;
	memcpy(buf, s->data + off, len);
	return 0;
}

int merkle_build_buf(const struct merkle_params *p, const void *data, uint64_t size,
		     struct merkle_tree **out)
{
	struct buf_src s = { data, size };

	if (!data && size)
		return -EINVAL;
	return merkle_build(p, buf_read, &s, size, out);
}

void merkle_tree_free(struct merkle_tree *tree)
{
	if (!tree)
		return;
	vl_free(tree->tree);
	vl_free(tree);
}
