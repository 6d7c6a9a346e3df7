/*
 * file.c - tmpfs regular file data: a sparse radix tree of 4 KiB pages, positional
 * read/write, resize, SEEK_DATA/SEEK_HOLE, and the superblock's page budget.
 *
 * The tree (struct tmpfs_inode: pt_root, pt_height) is Linux's page cache reduced to
 * what tmpfs needs: height 0 holds page 0 directly (a small file costs one page and no
 * node), each level adds 512-way fan-out (a 4 KiB node), so a 256 MiB file is three
 * levels deep and a write at offset 2^62 costs six nodes, not a giant array. A NULL
 * slot anywhere is a hole that reads as zeros; pages are allocated only when written,
 * from the superblock's page pool (pages.c), which packs them into 2 MiB regions.
 *
 * copy_file_range between two tmpfs files moves pages' bytes directly (no buffer), the
 * fast path of an overlay copy-up.
 *
 * Invariants: nr_pages is the number of pages in the tree, all charged to the
 * superblock (used_pages); bytes of a page at or past i_size are zero. Interior nodes
 * are not charged (as Linux does not charge xarray nodes) and may linger empty after a
 * truncate until the file is freed.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "internal.h"

#define PT_SHIFT 9
#define PT_FANOUT (1u << PT_SHIFT)
#define PT_MASK (PT_FANOUT - 1)
#define PT_NODE_BYTES (PT_FANOUT * sizeof(void *))
/* Six levels reach the largest page index (INT64_MAX >> 12 < 2^54): no overflow. */
#define PT_NONE UINT64_MAX

/* The number of pages a subtree of height h covers. */
static inline uint64_t pt_span(unsigned h)
{
	return 1ull << (PT_SHIFT * h);
}

/* ---------------------------------------------------------------------------------- */
/* The page budget */

int tmpfs_charge_pages(struct super_block *sb, uint64_t n)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);

	if (sbi->max_pages &&
	    (sbi->used_pages > sbi->max_pages || n > sbi->max_pages - sbi->used_pages))
		return -ENOSPC;
	sbi->used_pages += n;
	return 0;
}

void tmpfs_uncharge_pages(struct super_block *sb, uint64_t n)
{
	TMPFS_SB(sb)->used_pages -= n;
}

/* ---------------------------------------------------------------------------------- */
/* The radix tree */

/* The page at idx, or NULL for a hole. */
static void *pt_lookup(const struct tmpfs_inode *ti, uint64_t idx)
{
	void *p = ti->pt_root;
	unsigned h = ti->pt_height;

	if (idx >= pt_span(h))
		return NULL;
	while (h > 0 && p) {
		h--;
		p = ((void **)p)[(idx >> (PT_SHIFT * h)) & PT_MASK];
	}
	return p;
}

/* The slot for idx if every node on the way exists, else NULL (idx is in a hole). */
static void **pt_peek_slot(struct tmpfs_inode *ti, uint64_t idx)
{
	void **slot = &ti->pt_root;
	unsigned h;

	if (idx >= pt_span(ti->pt_height))
		return NULL;
	for (h = ti->pt_height; h > 0; h--) {
		if (!*slot)
			return NULL;
		slot = &((void **)*slot)[(idx >> (PT_SHIFT * (h - 1))) & PT_MASK];
	}
	return slot;
}

/* The slot for idx, growing the tree and allocating nodes on the way; NULL on ENOMEM
 * (the tree stays valid: at worst taller, with empty nodes). */
static void **pt_slot(struct tmpfs_inode *ti, uint64_t idx)
{
	void **slot;
	unsigned h;

	while (idx >= pt_span(ti->pt_height)) {
		if (ti->pt_root) {
			void **node = vl_zalloc(PT_NODE_BYTES);

			if (!node)
				return NULL;
			node[0] = ti->pt_root;
			ti->pt_root = node;
		}
		ti->pt_height++;
	}
	slot = &ti->pt_root;
	for (h = ti->pt_height; h > 0; h--) {
		if (!*slot) {
			*slot = vl_zalloc(PT_NODE_BYTES);
			if (!*slot)
				return NULL;
		}
		slot = &((void **)*slot)[(idx >> (PT_SHIFT * (h - 1))) & PT_MASK];
	}
	return slot;
}

/* Free a whole subtree of height h (its pages uncharged). */
static void pt_free_subtree(struct tmpfs_inode *ti, void *p, unsigned h)
{
	unsigned i;

	if (!p)
		return;
	if (h == 0) {
		tmpfs_page_put(ti->vfs_inode.i_sb, p);
		ti->nr_pages--;
		tmpfs_uncharge_pages(ti->vfs_inode.i_sb, 1);
		return;
	}
	for (i = 0; i < PT_FANOUT; i++)
		pt_free_subtree(ti, ((void **)p)[i], h - 1);
	vl_free(p);
}

/* Free the pages of index >= first under node (height h >= 1, first page base). */
static void pt_trunc_node(struct tmpfs_inode *ti, void **node, unsigned h, uint64_t base,
			  uint64_t first)
{
	uint64_t span = pt_span(h - 1);
	unsigned i = first > base ? (unsigned)((first - base) / span) : 0;

	for (; i < PT_FANOUT; i++) {
		uint64_t cbase = base + i * span;

		if (!node[i])
			continue;
		if (cbase >= first) {
			pt_free_subtree(ti, node[i], h - 1);
			node[i] = NULL;
		} else {
			/* Straddles first (h - 1 >= 1 here: a page cannot straddle). */
			pt_trunc_node(ti, node[i], h - 1, cbase, first);
		}
	}
}

/* Keep pages [0, first), free the rest, and lower the tree when it can be. */
static void pt_truncate(struct tmpfs_inode *ti, uint64_t first)
{
	if (!ti->pt_root) {
		ti->pt_height = 0;
		return;
	}
	if (first == 0) {
		pt_free_subtree(ti, ti->pt_root, ti->pt_height);
		ti->pt_root = NULL;
		ti->pt_height = 0;
		return;
	}
	if (ti->pt_height > 0 && first < pt_span(ti->pt_height))
		pt_trunc_node(ti, ti->pt_root, ti->pt_height, 0, first);
	/* When everything kept fits under child 0, the other children are gone. */
	while (ti->pt_height > 0 && first <= pt_span(ti->pt_height - 1)) {
		void **node = ti->pt_root;

		ti->pt_root = node[0];
		vl_free(node);
		ti->pt_height--;
		if (!ti->pt_root) {
			ti->pt_height = 0;
			break;
		}
	}
}

/* The first index in [start, end) whose page is present (want) or absent (!want),
 * under p (height h, first page base); PT_NONE if there is none. */
static uint64_t pt_find_node(void *p, unsigned h, uint64_t base, uint64_t start, uint64_t end,
			     bool want)
{
	uint64_t lo = MAX(start, base), hi = MIN(end, base + pt_span(h));
	uint64_t span, r;
	unsigned i;

	if (lo >= hi)
		return PT_NONE;
	if (!p)
		return want ? PT_NONE : lo;
	if (h == 0)
		return want ? lo : PT_NONE;
	span = pt_span(h - 1);
	for (i = (unsigned)((lo - base) / span); i < PT_FANOUT; i++) {
		uint64_t cbase = base + i * span;

		if (cbase >= hi)
			break;
		r = pt_find_node(((void **)p)[i], h - 1, cbase, start, end, want);
		if (r != PT_NONE)
			return r;
	}
	return PT_NONE;
}

static uint64_t pt_find(const struct tmpfs_inode *ti, uint64_t start, uint64_t end, bool want)
{
	uint64_t r = pt_find_node(ti->pt_root, ti->pt_height, 0, start, end, want);

	/* Past the tree's reach everything is a hole. */
	if (r == PT_NONE && !want) {
		uint64_t lo = MAX(start, pt_span(ti->pt_height));

		if (lo < end)
			r = lo;
	}
	return r;
}

/* ---------------------------------------------------------------------------------- */
/* Data */

void tmpfs_file_free_data(struct tmpfs_inode *ti)
{
	pt_truncate(ti, 0);
}

void tmpfs_file_resize(struct tmpfs_inode *ti, int64_t size)
{
	struct inode *inode = &ti->vfs_inode;

	if (size < inode->i_size) {
		uint64_t keep = ((uint64_t)size + TMPFS_PAGE_SIZE - 1) >> TMPFS_PAGE_SHIFT;
		size_t tail = (size_t)size & (TMPFS_PAGE_SIZE - 1);

		pt_truncate(ti, keep);
		if (tail) {
			/* Keep the invariant: nothing but zeros past i_size. */
			char *page = pt_lookup(ti, keep - 1);

			if (page)
				memset(page + tail, 0, TMPFS_PAGE_SIZE - tail);
		}
	}
	inode->i_size = size;
}

static ssize_t tmpfs_file_read(struct file *file, void *buf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);
	char *out = buf;
	size_t done = 0;
	void **slot = NULL;
	uint64_t slot_idx = 0;
	/* A run of pages adjacent in memory (the pool hands out a region's pages in order)
	 * is copied with one memcpy, as a flat buffer would be. */
	const char *run = NULL;
	size_t run_len = 0;

	if (off < 0)
		return -EINVAL;
	if (off >= inode->i_size)
		return 0;
	if (len > (uint64_t)(inode->i_size - off))
		len = (size_t)(inode->i_size - off);
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	while (done < len) {
		uint64_t pos = (uint64_t)off + done;
		size_t poff = pos & (TMPFS_PAGE_SIZE - 1);
		size_t n = MIN(TMPFS_PAGE_SIZE - poff, len - done);
		uint64_t idx = pos >> TMPFS_PAGE_SHIFT;
		const char *page;

		/* As in write: the next page of the same leaf is the next slot. */
		if (slot && ti->pt_height > 0 && idx == slot_idx + 1 && (idx & PT_MASK) != 0)
			slot++;
		else
			slot = pt_peek_slot(ti, idx);
		slot_idx = idx;
		page = slot ? *slot : NULL;
		if (page && run && page + poff == run + run_len) {
			run_len += n;
		} else {
			if (run)
				memcpy(out + done - run_len, run, run_len);
			run = page ? page + poff : NULL;
			run_len = page ? n : 0;
			if (!page)
				memset(out + done, 0, n);
		}
		done += n;
	}
	if (run)
		memcpy(out + done - run_len, run, run_len);
	return (ssize_t)done;
}

/* A page for a write of [poff, poff + n): the parts the write leaves alone are zeroed
 * (nothing at all for a whole-page write or a page fresh from the OS). A recycled page
 * holds an old file's bytes, so this is what keeps holes and tails reading as zeros. */
static int tmpfs_page_alloc(struct tmpfs_inode *ti, void **slot, size_t poff, size_t n)
{
	struct super_block *sb = ti->vfs_inode.i_sb;
	bool zeroed;
	void *p;
	char *page;
	int err;

	if (unlikely(ti->nr_pages == UINT32_MAX))
		return -EFBIG;
	err = tmpfs_charge_pages(sb, 1);
	if (err)
		return err;
	err = tmpfs_page_get(sb, &p, &zeroed);
	if (err) {
		tmpfs_uncharge_pages(sb, 1);
		return err;
	}
	page = p;
	if (!zeroed && poff)
		memset(page, 0, poff);
	if (!zeroed && poff + n < TMPFS_PAGE_SIZE)
		memset(page + poff + n, 0, TMPFS_PAGE_SIZE - poff - n);
	*slot = page;
	ti->nr_pages++;
	return 0;
}

/*
 * Write len bytes at off. As Linux, a failure after some bytes were written (ENOSPC at
 * the size limit, ENOMEM) returns the count written so far; i_size covers exactly
 * what was written. The VFS has handled O_APPEND, permissions, times and suid.
 */
static ssize_t tmpfs_file_write(struct file *file, const void *buf, size_t len, int64_t off)
{
	struct inode *inode = file->f_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);
	const char *in = buf;
	size_t done = 0;
	void **slot = NULL;
	uint64_t slot_idx = 0;
	int err = 0;

	if (off < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	/* Linux's s_maxbytes for tmpfs is LLONG_MAX: clip, or EFBIG at the very end. */
	if ((uint64_t)off >= (uint64_t)INT64_MAX)
		return -EFBIG;
	if (len > (uint64_t)(INT64_MAX - off))
		len = (size_t)(INT64_MAX - off);
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	while (done < len) {
		uint64_t pos = (uint64_t)off + done;
		uint64_t idx = pos >> TMPFS_PAGE_SHIFT;
		size_t poff = pos & (TMPFS_PAGE_SIZE - 1);
		size_t n = MIN(TMPFS_PAGE_SIZE - poff, len - done);

		/* Consecutive pages share a leaf node: step the slot instead of walking. */
		if (slot && ti->pt_height > 0 && idx == slot_idx + 1 && (idx & PT_MASK) != 0)
			slot++;
		else
			slot = pt_slot(ti, idx);
		slot_idx = idx;
		if (!slot) {
			err = -ENOMEM;
			break;
		}
		if (!*slot) {
			err = tmpfs_page_alloc(ti, slot, poff, n);
			if (err)
				break;
		}
		memcpy((char *)*slot + poff, in + done, n);
		done += n;
	}
	if (done && (int64_t)((uint64_t)off + done) > inode->i_size)
		inode->i_size = (int64_t)((uint64_t)off + done);
	return done ? (ssize_t)done : err;
}

/*
 * copy_file_range between two tmpfs files, page to page: no bounce buffer, holes of the
 * source stay holes (nothing is allocated for them), and pages adjacent in both files'
 * memory (the pool hands out a region's pages in order) are copied by one memcpy. This
 * is the overlay's copy-up path (an upper tmpfs over a lower one). Page-aligned offsets
 * only (a copy-up's are 0); anything else is EOPNOTSUPP, and the caller copies through
 * read/write. A failure after some pages were copied returns the count copied so far,
 * as write does; i_size covers exactly what was copied.
 */
static ssize_t tmpfs_file_copy_range(struct file *in, int64_t in_off, struct file *out,
				     int64_t out_off, size_t len)
{
	struct tmpfs_inode *si = TMPFS_I(in->f_inode), *di = TMPFS_I(out->f_inode);
	struct inode *dst_inode = &di->vfs_inode;
	const size_t pmask = TMPFS_PAGE_SIZE - 1;
	void **sslot = NULL, **dslot = NULL;
	uint64_t sidx = 0, didx = 0;
	const char *run_src = NULL;
	char *run_dst = NULL;
	size_t run_len = 0, done = 0;
	int err = 0;

	if (in->f_op != &tmpfs_file_fops || si == di)
		return -EOPNOTSUPP;
	if (in_off < 0 || out_off < 0)
		return -EINVAL;
	if (((uint64_t)in_off & pmask) || ((uint64_t)out_off & pmask))
		return -EOPNOTSUPP;
	if (in_off >= si->vfs_inode.i_size || len == 0)
		return 0;
	if (len > (uint64_t)(si->vfs_inode.i_size - in_off))
		len = (size_t)(si->vfs_inode.i_size - in_off);
	if ((uint64_t)out_off >= (uint64_t)INT64_MAX)
		return -EFBIG;
	if (len > (uint64_t)(INT64_MAX - out_off))
		len = (size_t)(INT64_MAX - out_off);
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	while (done < len) {
		uint64_t s = ((uint64_t)in_off + done) >> TMPFS_PAGE_SHIFT;
		uint64_t d = ((uint64_t)out_off + done) >> TMPFS_PAGE_SHIFT;
		size_t n = MIN((size_t)TMPFS_PAGE_SIZE, len - done);
		const char *src;
		char *dst;

		/* Step the slots along their leaves, as read and write do. */
		if (sslot && si->pt_height > 0 && s == sidx + 1 && (s & PT_MASK) != 0)
			sslot++;
		else
			sslot = pt_peek_slot(si, s);
		sidx = s;
		src = sslot ? *sslot : NULL;
		if (!src) {
			/* A hole: nothing to allocate; an existing page gets zeros. */
			dst = pt_lookup(di, d);
			if (dst)
				memset(dst, 0, n);
			dslot = NULL;
			done += n;
			continue;
		}
		if (dslot && di->pt_height > 0 && d == didx + 1 && (d & PT_MASK) != 0)
			dslot++;
		else
			dslot = pt_slot(di, d);
		didx = d;
		if (!dslot) {
			err = -ENOMEM;
			break;
		}
		if (!*dslot) {
			err = tmpfs_page_alloc(di, dslot, 0, n);
			if (err)
				break;
		}
		dst = *dslot;
		if (run_len && src == run_src + run_len && dst == run_dst + run_len) {
			run_len += n;
		} else {
			if (run_len)
				memcpy(run_dst, run_src, run_len);
			run_src = src;
			run_dst = dst;
			run_len = n;
		}
		done += n;
	}
	if (run_len)
		memcpy(run_dst, run_src, run_len);
	if (done && (int64_t)((uint64_t)out_off + done) > dst_inode->i_size)
		dst_inode->i_size = (int64_t)((uint64_t)out_off + done);
	return done ? (ssize_t)done : err;
}

/* SEEK_DATA / SEEK_HOLE, as Linux's shmem_file_llseek: a present page is data (even
 * if it holds zeros), ENXIO at or past EOF, and EOF is the implicit hole at the end. */
static int64_t tmpfs_file_seek_data(struct file *file, int64_t off, int whence)
{
	struct inode *inode = file->f_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);
	uint64_t end, idx;
	int64_t res;

	if (off < 0 || off >= inode->i_size)
		return -ENXIO;
	end = ((uint64_t)inode->i_size + TMPFS_PAGE_SIZE - 1) >> TMPFS_PAGE_SHIFT;
	idx = pt_find(ti, (uint64_t)off >> TMPFS_PAGE_SHIFT, end, whence == SEEK_DATA);
	if (whence == SEEK_DATA) {
		if (idx == PT_NONE)
			return -ENXIO;
	} else if (whence == SEEK_HOLE) {
		if (idx == PT_NONE)
			return inode->i_size;
	} else {
		return -EINVAL;
	}
	res = MAX(off, (int64_t)(idx << TMPFS_PAGE_SHIFT));
	return MIN(res, inode->i_size);
}

const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_file_read,
	.write = tmpfs_file_write,
	.seek_data = tmpfs_file_seek_data,
	.copy_file_range = tmpfs_file_copy_range,
};
