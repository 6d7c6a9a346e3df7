/*
 * cache.c - the bounded cache of verified blocks of one verity mount.
 *
 * Linux fs-verity trusts a page once it has been verified for as long as it stays in the
 * page cache, and verifies it again after it has been evicted; this cache is that for
 * verity, which has no page cache of its own: a block (a Merkle tree block or a data
 * block) enters it only after it matched its hash one level up, and is served from it
 * without reading or hashing again. A tree block found here ends the walk to the root
 * (as fs-verity's "hash block verified" bit does), so a sequential read hashes each data
 * block and, per tree block, the path once, not the whole path per data block.
 *
 * Invariants: every entry holds a copy of bytes that were verified against the inode's
 * root hash; bytes (each entry's block plus its header) <= max_bytes after every put; an
 * entry is on its owner inode's list and on the LRU list, and in exactly one chain; an
 * owner id is never given twice, so an entry can never be mistaken for another inode's
 * (and inodes drop theirs when they are destroyed). A block larger than the bound is
 * never cached (cache_size=0 caches nothing). Entries are taken from the tail of the LRU
 * list when room is needed; one of the evicted entries with the right size is kept as a
 * spare for the insert that evicted it, so a streaming read does not free and allocate a
 * block per block.
 *
 * Locking: the VFS lock (all of verity runs under it).
 */
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

struct verity_cache_entry {
	struct verity_cache_entry *next; /* hash chain */
	struct list_head lru;
	struct list_head owned; /* the owner's list */
	uint64_t owner;
	uint64_t key;
	uint32_t len; /* bytes of data held */
	uint32_t cap; /* bytes of data allocated */
	uint8_t data[];
};

#define ENTRY_COST(cap) (sizeof(struct verity_cache_entry) + (cap))
#define MIN_BUCKETS 64

/* The chain of (owner, key) in a table of nbuckets (a power of 2) chains. */
static size_t bucket(size_t nbuckets, uint64_t owner, uint64_t key)
{
	uint64_t h = (owner * 0x9e3779b97f4a7c15ull) ^ key;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (size_t)h & (nbuckets - 1);
}

void verity_cache_init(struct verity_cache *c, uint64_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->max_bytes = max_bytes;
	list_init(&c->lru);
}

void verity_cache_inode_init(struct verity_cache *c, struct verity_inode *vi)
{
	vi->cache_id = ++c->next_id;
	list_init(&vi->cached);
}

static void unlink_entry(struct verity_cache *c, struct verity_cache_entry *e)
{
	struct verity_cache_entry **pp = &c->table[bucket(c->nbuckets, e->owner, e->key)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	list_del(&e->lru);
	list_del(&e->owned);
	c->nr--;
	c->bytes -= ENTRY_COST(e->cap);
}

void verity_cache_fini(struct verity_cache *c)
{
	struct verity_cache_entry *e;

	while (!list_empty(&c->lru)) {
		e = container_of(c->lru.next, struct verity_cache_entry, lru);
		unlink_entry(c, e);
		vl_free(e);
	}
	vl_free(c->spare);
	vl_free(c->table);
	c->table = NULL;
	c->spare = NULL;
	c->nbuckets = 0;
}

static struct verity_cache_entry *find(struct verity_cache *c, uint64_t owner, uint64_t key)
{
	struct verity_cache_entry *e;

	if (!c->nr)
		return NULL;
	for (e = c->table[bucket(c->nbuckets, owner, key)]; e; e = e->next)
		if (e->owner == owner && e->key == key)
			return e;
	return NULL;
}

const uint8_t *verity_cache_get(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
				size_t *len)
{
	struct verity_cache_entry *e = find(c, vi->cache_id, key);

	if (!e)
		return NULL;
	if (c->lru.next != &e->lru)
		list_move_after(&e->lru, &c->lru);
	*len = e->len;
	return e->data;
}

/* Evict from the LRU tail until `need` more bytes fit; an evicted entry of capacity cap
 * becomes the spare when there is none (one is enough), the others are freed. */
static void make_room(struct verity_cache *c, uint64_t need, uint32_t cap)
{
	struct verity_cache_entry *e;

	while (c->bytes + need > c->max_bytes && !list_empty(&c->lru)) {
		e = container_of(c->lru.prev, struct verity_cache_entry, lru);
		unlink_entry(c, e);
		c->stats.evictions++;
		if (e->cap == cap && !c->spare)
			c->spare = e;
		else
			vl_free(e);
	}
}

/* Double the table (or make the first one) when the chains would grow past 1 on average.
 * Failing to grow only makes the chains longer. */
static void maybe_grow(struct verity_cache *c)
{
	struct verity_cache_entry **table, *e, *next;
	size_t n, i, b;

	if (c->nr < c->nbuckets)
		return;
	n = c->nbuckets ? c->nbuckets * 2 : MIN_BUCKETS;
	table = vl_zalloc(n * sizeof(*table));
	if (!table)
		return;
	for (i = 0; i < c->nbuckets; i++) {
		for (e = c->table[i]; e; e = next) {
			next = e->next;
			b = bucket(n, e->owner, e->key);
			e->next = table[b];
			table[b] = e;
		}
	}
	vl_free(c->table);
	c->table = table;
	c->nbuckets = n;
}

/* Link e (filled: len, data) under (vi, key), making room first. */
static const uint8_t *link_entry(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
				 struct verity_cache_entry *e)
{
	struct verity_cache_entry **slot;

	make_room(c, ENTRY_COST(e->cap), e->cap);
	maybe_grow(c);
	if (!c->nbuckets) {
		/* No table (no memory): not cached; e's data stays readable as the spare. */
		if (c->spare)
			vl_free(c->spare);
		c->spare = e;
		return NULL;
	}
	e->owner = vi->cache_id;
	e->key = key;
	slot = &c->table[bucket(c->nbuckets, e->owner, key)];
	e->next = *slot;
	*slot = e;
	list_add(&e->lru, &c->lru);
	list_add(&e->owned, &vi->cached);
	c->nr++;
	c->bytes += ENTRY_COST(e->cap);
	return e->data;
}

bool verity_cache_keeps(const struct verity_cache *c, size_t len)
{
	return len <= MERKLE_MAX_BLOCK_SIZE && ENTRY_COST(len) <= c->max_bytes;
}

/* An unlinked entry for a block of len bytes: the spare, or a new one; NULL when such a
 * block is not cached or there is no memory. */
static struct verity_cache_entry *new_entry(struct verity_cache *c, size_t len)
{
	struct verity_cache_entry *e;
	uint32_t cap = (uint32_t)len;

	if (!verity_cache_keeps(c, len))
		return NULL;
	/* A full cache evicts the entry that will be reused for this one. */
	if (!c->spare)
		make_room(c, ENTRY_COST(cap), cap);
	if (c->spare && c->spare->cap == cap) {
		e = c->spare;
		c->spare = NULL;
	} else {
		e = vl_malloc(sizeof(*e) + cap);
		if (!e)
			return NULL;
	}
	e->len = cap;
	e->cap = cap;
	return e;
}

const uint8_t *verity_cache_put(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
				const void *data, size_t len)
{
	struct verity_cache_entry *e = new_entry(c, len);

	if (!e)
		return NULL;
	memcpy(e->data, data, len);
	return link_entry(c, vi, key, e);
}

uint8_t *verity_cache_reserve(struct verity_cache *c, size_t len)
{
	struct verity_cache_entry *e = new_entry(c, len);

	return e ? e->data : NULL;
}

void verity_cache_commit(struct verity_cache *c, struct verity_inode *vi, uint64_t key,
			 uint8_t *buf)
{
	link_entry(c, vi, key, container_of(buf, struct verity_cache_entry, data));
}

void verity_cache_cancel(struct verity_cache *c, uint8_t *buf)
{
	struct verity_cache_entry *e = container_of(buf, struct verity_cache_entry, data);

	if (c->spare)
		vl_free(e);
	else
		c->spare = e;
}

void verity_cache_drop_inode(struct verity_cache *c, struct verity_inode *vi)
{
	struct verity_cache_entry *e;

	while (!list_empty(&vi->cached)) {
		e = container_of(vi->cached.next, struct verity_cache_entry, owned);
		unlink_entry(c, e);
		vl_free(e);
	}
}
