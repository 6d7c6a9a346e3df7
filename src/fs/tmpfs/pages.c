/*
 * pages.c - tmpfs's data page pool: 4 KiB pages carved from 2 MiB regions.
 *
 * Why not malloc: a 4 KiB malloc costs a page fault per page (about 10 us in our VM,
 * which made a 256 MiB write run at 0.27 GiB/s) and hands out 4112-byte chunks, so each
 * page straddles two OS pages. A region is 2 MiB of anonymous memory aligned to 2 MiB and
 * advised MADV_HUGEPAGE: one fault maps it all (a transparent huge page where the kernel
 * has one), and every page in it is aligned.
 *
 * Layout: page 0 of a region holds its header (struct tmpfs_region); pages 1..511 are
 * data. A page finds its region by clearing the low 21 bits of its address. Pages below
 * the bump index have been handed out at least once (in use, or on the region's free
 * list, linked through their first word); pages at or past it are untouched since mmap
 * and so read as zeros, which lets a write into a fresh page skip clearing it.
 *
 * Invariants: a region is on its pool's partial list iff it has a page to hand out
 * (free list non-empty or bump < TMPFS_REGION_PAGES); used counts its pages handed out;
 * a region whose used falls to 0 leaves its pool at once, so a pool owns only regions
 * with live pages, and small files are packed into the regions of their superblock
 * (allocation always takes from the head of the partial list) rather than each taking
 * a region. pool->nr_pages is the sum of used over the pool's regions.
 *
 * The spare: an emptied region goes to the OS, except that the most recently emptied
 * one is parked in a process-wide slot (an atomic pointer, swapped in and out, so no
 * lock) and is taken by the next pool that needs a region, whatever its superblock.
 * Without it a file of one page created and deleted in a loop on an otherwise empty
 * tmpfs would mmap, fault in (clear 2 MiB of) and munmap a region each time. At most one
 * region (2 MiB) stays mapped beyond what is in use; tmpfs_pages_trim releases it.
 *
 * Locking: a pool is its superblock's and is protected by vfs->lock, as every tmpfs
 * operation is. The spare slot and the mapped-region counter are atomics.
 *
 * Sanitizers: under ASan, and under valgrind's memcheck, pages not handed out are made
 * inaccessible, so a use after tmpfs_page_put is caught as it would be with free().
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "base/fault.h"
#include "internal.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define TMPFS_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define TMPFS_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#elif defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TMPFS_POISON(p, n) VALGRIND_MAKE_MEM_NOACCESS(p, n)
#define TMPFS_UNPOISON(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#endif
#endif
#ifndef TMPFS_POISON
#define TMPFS_POISON(p, n) ((void)(p), (void)(n))
#define TMPFS_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define TMPFS_REGION_SHIFT 21
#define TMPFS_REGION_SIZE ((size_t)1 << TMPFS_REGION_SHIFT)
#define TMPFS_REGION_PAGES (1u << (TMPFS_REGION_SHIFT - TMPFS_PAGE_SHIFT))

/* Page 0 of a region. Protected by: its pool's vfs->lock while owned; by the spare
 * slot's exchange while parked (only the taker touches it). */
struct tmpfs_region {
	struct tmpfs_pool *pool;	  /* NULL while parked as the spare */
	struct tmpfs_region *prev, *next; /* on pool->partial, NULL-terminated */
	void *free;			  /* pages put back, linked through their first word */
	uint32_t used;			  /* pages handed out */
	uint32_t bump;			  /* first page never handed out */
	bool on_partial;
};

_Static_assert(sizeof(struct tmpfs_region) <= TMPFS_PAGE_SIZE, "header fits page 0");

static _Atomic(struct tmpfs_region *) tmpfs_spare;
static atomic_long tmpfs_nr_mapped;

static inline struct tmpfs_region *tmpfs_region_of(const void *page)
{
	return (struct tmpfs_region *)((uintptr_t)page & ~(uintptr_t)(TMPFS_REGION_SIZE - 1));
}

static inline bool tmpfs_region_has_room(const struct tmpfs_region *r)
{
	return r->free || r->bump < TMPFS_REGION_PAGES;
}

/* ---------------------------------------------------------------------------------- */
/* Regions and the OS */

/* 2 MiB of fresh memory aligned to 2 MiB, or NULL. */
static void *tmpfs_region_map(void)
{
	const int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t over = 2 * TMPFS_REGION_SIZE;
	char *p, *aligned;

	/* Recent kernels align a 2 MiB anonymous mapping themselves: try that first. */
	p = mmap(NULL, TMPFS_REGION_SIZE, prot, flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (((uintptr_t)p & (TMPFS_REGION_SIZE - 1)) == 0)
		return p;
	munmap(p, TMPFS_REGION_SIZE);
	p = mmap(NULL, over, prot, flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	aligned = (char *)(((uintptr_t)p + TMPFS_REGION_SIZE - 1) &
			   ~(uintptr_t)(TMPFS_REGION_SIZE - 1));
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	if (aligned + TMPFS_REGION_SIZE < p + over)
		munmap(aligned + TMPFS_REGION_SIZE,
		       (size_t)(p + over - aligned - TMPFS_REGION_SIZE));
	return aligned;
}

static struct tmpfs_region *tmpfs_region_new(void)
{
	struct tmpfs_region *r = tmpfs_region_map();

	if (!r)
		return NULL;
	/* Only a hint: without THP (or under valgrind) the region still works at 4 KiB. */
	madvise(r, TMPFS_REGION_SIZE, MADV_HUGEPAGE);
	atomic_fetch_add_explicit(&tmpfs_nr_mapped, 1, memory_order_relaxed);
	/* The header's fields are all zero already (fresh memory) but for bump. */
	r->bump = 1;
	TMPFS_POISON((char *)r + TMPFS_PAGE_SIZE, TMPFS_REGION_SIZE - TMPFS_PAGE_SIZE);
	return r;
}

static void tmpfs_region_unmap(struct tmpfs_region *r)
{
	/* The pages were poisoned for ASan; the next mapping here must start clean. */
	TMPFS_UNPOISON(r, TMPFS_REGION_SIZE);
	munmap(r, TMPFS_REGION_SIZE);
	atomic_fetch_sub_explicit(&tmpfs_nr_mapped, 1, memory_order_relaxed);
}

/* An empty region leaves its pool: parked as the spare, the previous spare unmapped. */
static void tmpfs_region_release(struct tmpfs_region *r)
{
	struct tmpfs_region *old;

	r->pool = NULL;
	old = atomic_exchange(&tmpfs_spare, r);
	if (old)
		tmpfs_region_unmap(old);
}

long tmpfs_regions_mapped(void)
{
	return atomic_load_explicit(&tmpfs_nr_mapped, memory_order_relaxed);
}

void tmpfs_pages_trim(void)
{
	struct tmpfs_region *r = atomic_exchange(&tmpfs_spare, NULL);

	if (r)
		tmpfs_region_unmap(r);
}

/* ---------------------------------------------------------------------------------- */
/* The partial list */

static void tmpfs_partial_add(struct tmpfs_pool *pool, struct tmpfs_region *r)
{
	r->prev = NULL;
	r->next = pool->partial;
	if (pool->partial)
		pool->partial->prev = r;
	pool->partial = r;
	r->on_partial = true;
}

/* A region with room again goes second: the head is the one being filled, and packing
 * it first keeps the number of regions in use low. */
static void tmpfs_partial_add_second(struct tmpfs_pool *pool, struct tmpfs_region *r)
{
	struct tmpfs_region *head = pool->partial;

	if (!head) {
		tmpfs_partial_add(pool, r);
		return;
	}
	r->prev = head;
	r->next = head->next;
	if (head->next)
		head->next->prev = r;
	head->next = r;
	r->on_partial = true;
}

static void tmpfs_partial_del(struct tmpfs_pool *pool, struct tmpfs_region *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		pool->partial = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	r->on_partial = false;
}

/* ---------------------------------------------------------------------------------- */
/* Pages */

int tmpfs_page_get(struct super_block *sb, void **page, bool *zeroed)
{
	struct tmpfs_pool *pool = &TMPFS_SB(sb)->pool;
	struct tmpfs_region *r;
	char *p;

	/* As vl_malloc would: fault sweeps reach every page allocation. */
	if (fault_check(FAULT_ALLOC))
		return -ENOMEM;
	r = pool->partial;
	if (unlikely(!r)) {
		r = atomic_exchange(&tmpfs_spare, NULL);
		if (!r)
			r = tmpfs_region_new();
		if (!r)
			return -ENOMEM;
		r->pool = pool;
		pool->nr_regions++;
		tmpfs_partial_add(pool, r);
	}
	if (r->free) {
		p = r->free;
		TMPFS_UNPOISON(p, TMPFS_PAGE_SIZE);
		memcpy(&r->free, p, sizeof(void *));
		*zeroed = false;
	} else {
		p = (char *)r + ((size_t)r->bump++ << TMPFS_PAGE_SHIFT);
		TMPFS_UNPOISON(p, TMPFS_PAGE_SIZE);
		*zeroed = true;
	}
	r->used++;
	if (!tmpfs_region_has_room(r))
		tmpfs_partial_del(pool, r);
	pool->nr_pages++;
	*page = p;
	return 0;
}

void tmpfs_page_put(struct super_block *sb, void *page)
{
	struct tmpfs_pool *pool = &TMPFS_SB(sb)->pool;
	struct tmpfs_region *r = tmpfs_region_of(page);

	memcpy(page, &r->free, sizeof(void *));
	r->free = page;
	TMPFS_POISON(page, TMPFS_PAGE_SIZE);
	r->used--;
	pool->nr_pages--;
	if (r->used == 0) {
		if (r->on_partial)
			tmpfs_partial_del(pool, r);
		pool->nr_regions--;
		tmpfs_region_release(r);
	} else if (!r->on_partial) {
		tmpfs_partial_add_second(pool, r);
	}
}

uint64_t tmpfs_pages_live(struct super_block *sb)
{
	return TMPFS_SB(sb)->pool.nr_pages;
}

uint64_t tmpfs_pages_fini(struct tmpfs_sb_info *sbi)
{
	/* Regions with live pages are left mapped: their pages may still be referenced,
	 * and a leak is better than a use after unmap. */
	return sbi->pool.nr_pages;
}
