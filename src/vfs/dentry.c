/*
 * dentry.c - the dentry cache: names, their children tables, and their lifetimes.
 *
 * Invariants (all under vfs->lock):
 * - A hashed dentry is in its parent's children table (by name) and children list.
 * - Every hashed child and every unhashed-but-referenced child holds one reference on its
 *   parent, so a directory's d_count is at least the number of its hashed children.
 * - A dentry with d_count 0 is freed at once unless it is hashed and positive (or hashed,
 *   negative and its superblock caches negatives): then it is the cache.
 * - Readdir cursors (D_CURSOR) sit in the children list only: no table slot, no name,
 *   no reference on the parent (the open directory file holds that).
 *
 * A table slot holds a dentry pointer in its low 48 bits and a 16-bit tag of the name's
 * hash in the top 16 (user-space pointers on x86-64 and arm64 Linux fit in 47 bits). A
 * lookup compares tags first, so in a large directory it touches one slot and only the
 * dentry that matches, instead of every dentry on the probe sequence.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

#define SLOT_PTR_BITS 48
#define SLOT_PTR_MASK ((UINT64_C(1) << SLOT_PTR_BITS) - 1)

_Static_assert(sizeof(uintptr_t) == 8, "tagged slots need 64-bit pointers");

static uintptr_t slot_tag(uint32_t hash)
{
	/* Bits independent of the low bits that pick the home slot. */
	return (uintptr_t)((hash * UINT64_C(0x9E3779B97F4A7C15)) >> 48);
}

static uintptr_t slot_make(struct dentry *d)
{
	return (uintptr_t)d | (slot_tag(d->d_hash) << SLOT_PTR_BITS);
}

static struct dentry *slot_dentry(uintptr_t v)
{
	return (struct dentry *)(v & SLOT_PTR_MASK);
}

static struct dentry_dir *d_dir_get(struct dentry *d)
{
	struct dentry_dir *dd = d->d_dir;

	if (dd)
		return dd;
	dd = vl_zalloc(sizeof(*dd));
	if (!dd)
		return NULL;
	list_init(&dd->children);
	d->d_dir = dd;
	return dd;
}

static int table_grow(struct dentry_dir *dd)
{
	uint32_t newsize = dd->mask ? (dd->mask + 1) * 2 : 8;
	uintptr_t *slots = vl_zalloc(sizeof(*slots) * newsize);
	uint32_t i, j;

	if (!slots)
		return -ENOMEM;
	if (dd->mask) {
		for (i = 0; i <= dd->mask; i++) {
			uintptr_t v = dd->slots[i];

			if (!v)
				continue;
			j = slot_dentry(v)->d_hash & (newsize - 1);
			while (slots[j])
				j = (j + 1) & (newsize - 1);
			slots[j] = v;
		}
	}
	vl_free(dd->slots);
	dd->slots = slots;
	dd->mask = newsize - 1;
	return 0;
}

/* Make room for one more entry (may fail with ENOMEM; nothing changes then). */
static int table_reserve(struct dentry_dir *dd)
{
	if (!dd->mask || (uint64_t)(dd->count + 1) * 4 > (uint64_t)(dd->mask + 1) * 3)
		return table_grow(dd);
	return 0;
}

static void table_insert(struct dentry_dir *dd, struct dentry *c)
{
	uint32_t j = c->d_hash & dd->mask;

	while (dd->slots[j])
		j = (j + 1) & dd->mask;
	dd->slots[j] = slot_make(c);
	dd->count++;
}

/* Linear probing deletion by backward shift: no tombstones, lookups stay short. */
static void table_remove(struct dentry_dir *dd, struct dentry *c)
{
	uint32_t i = c->d_hash & dd->mask, j, k;

	while (slot_dentry(dd->slots[i]) != c)
		i = (i + 1) & dd->mask;
	dd->slots[i] = 0;
	dd->count--;
	j = i;
	for (;;) {
		j = (j + 1) & dd->mask;
		if (!dd->slots[j])
			break;
		k = slot_dentry(dd->slots[j])->d_hash & dd->mask;
		/* Move slot j back to i unless its home k lies cyclically in (i, j]. */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			dd->slots[i] = dd->slots[j];
			dd->slots[j] = 0;
			i = j;
		}
	}
}

struct dentry *d_lookup(struct dentry *dir, const char *name, size_t len)
{
	struct dentry_dir *dd = dir->d_dir;
	uintptr_t v, tag;
	uint32_t h, j;

	if (!dd || !dd->mask)
		return NULL;
	h = name_hash(name, len);
	tag = slot_tag(h);
	for (j = h & dd->mask; (v = dd->slots[j]) != 0; j = (j + 1) & dd->mask) {
		struct dentry *c;

		if ((v >> SLOT_PTR_BITS) != tag)
			continue;
		c = slot_dentry(v);
		if (c->d_hash == h && c->d_namelen == len && memcmp(c->d_name, name, len) == 0)
			return c;
	}
	return NULL;
}

static struct dentry *d_new(struct super_block *sb, const char *name, size_t len)
{
	struct dentry *d = vl_malloc(sizeof(*d) + len + 1);

	if (!d)
		return NULL;
	if ((uintptr_t)d & ~SLOT_PTR_MASK) {
		/* A pointer above 2^48 cannot be tagged: refuse rather than corrupt. */
		vl_free(d);
		return NULL;
	}
	memset(d, 0, sizeof(*d));
	memcpy(d->d_iname, name, len);
	d->d_iname[len] = '\0';
	d->d_name = d->d_iname;
	d->d_namelen = (uint16_t)len;
	d->d_hash = name_hash(name, len);
	d->d_sb = sb;
	d->d_count = 1;
	list_init(&d->d_child);
	obj_inc(OBJ_DENTRY);
	return d;
}

static void d_free(struct dentry *d)
{
	if (d->d_dir) {
		vl_free(d->d_dir->slots);
		vl_free(d->d_dir);
	}
	if (d->d_name != d->d_iname)
		vl_free(d->d_name);
	obj_dec(OBJ_DENTRY);
	vl_free(d);
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry_dir *dd = d_dir_get(parent);
	struct dentry *d;

	if (!dd || table_reserve(dd))
		return ERR_PTR(-ENOMEM);
	d = d_new(parent->d_sb, name, len);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->d_parent = d_get(parent);
	d->d_flags = D_HASHED;
	table_insert(dd, d);
	list_add_tail(&d->d_child, &dd->children);
	return d;
}

struct dentry *d_make_root(struct inode *inode)
{
	struct dentry *d = d_new(inode->i_sb, "/", 1);

	if (!d) {
		iput(inode);
		return NULL;
	}
	d->d_parent = d;
	d->d_flags = D_ROOT;
	d->d_inode = inode;
	return d;
}

struct dentry *d_get(struct dentry *d)
{
	d->d_count++;
	return d;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	d->d_inode = inode;
	if ((d->d_flags & D_HASHED) && d->d_parent->d_dir)
		d->d_parent->d_dir->positive++;
}

bool d_is_dir(const struct dentry *d)
{
	return d->d_inode && S_ISDIR(d->d_inode->i_mode);
}

bool d_is_negative(const struct dentry *d)
{
	return d->d_inode == NULL;
}

void d_unhash(struct dentry *d)
{
	struct dentry_dir *dd;

	if (!(d->d_flags & D_HASHED))
		return;
	dd = d->d_parent->d_dir;
	table_remove(dd, d);
	if (d->d_inode)
		dd->positive--;
	list_del(&d->d_child);
	d->d_flags &= (uint16_t)~D_HASHED;
}

void d_delete(struct dentry *d)
{
	d_unhash(d);
}

static bool d_keep_unused(const struct dentry *d)
{
	if (!(d->d_flags & D_HASHED) || (d->d_sb->s_flags & SB_DROP_UNUSED))
		return false;
	if (d->d_inode)
		return true;
	return (d->d_sb->s_flags & SB_CACHE_NEGATIVE) != 0;
}

void d_put(struct dentry *d)
{
	while (d) {
		struct dentry *parent;

		if (--d->d_count > 0)
			return;
		if (d->d_flags & D_ROOT) {
			/* A root is freed by its superblock (shrink_dcache_sb). */
			return;
		}
		if (d_keep_unused(d))
			return;
		d_unhash(d);
		parent = d->d_parent;
		if (d->d_inode)
			iput(d->d_inode);
		d_free(d);
		d = parent;
	}
}

char *d_name_dup(const struct dentry *d)
{
	return vl_strndup(d->d_name, d->d_namelen);
}

static void d_take_name(struct dentry *d, char *name, size_t len, uint32_t hash)
{
	if (d->d_name != d->d_iname)
		vl_free(d->d_name);
	d->d_name = name;
	d->d_namelen = (uint16_t)len;
	d->d_hash = hash;
}

/* Link a (currently unhashed) dentry under parent. A slot is free: the caller just
 * unhashed the dentry whose place this one takes. */
static void d_hash_into(struct dentry *d, struct dentry *parent)
{
	struct dentry_dir *dd = parent->d_dir;

	table_insert(dd, d);
	list_add_tail(&d->d_child, &dd->children);
	if (d->d_inode)
		dd->positive++;
	d->d_flags |= D_HASHED;
}

void d_move(struct dentry *d, struct dentry *target, char *name)
{
	struct dentry *old_parent = d->d_parent;
	struct dentry *new_parent = target->d_parent;

	d_unhash(target);
	d_unhash(d);
	d_take_name(d, name, target->d_namelen, target->d_hash);
	if (old_parent != new_parent) {
		d->d_parent = d_get(new_parent);
		d_put(old_parent);
	}
	d_hash_into(d, new_parent);
}

void d_exchange(struct dentry *a, struct dentry *b, char *name_a, char *name_b)
{
	struct dentry *pa = a->d_parent, *pb = b->d_parent;
	uint16_t la = a->d_namelen, lb = b->d_namelen;
	uint32_t ha = a->d_hash, hb = b->d_hash;

	d_unhash(a);
	d_unhash(b);
	d_take_name(a, name_a, lb, hb);
	d_take_name(b, name_b, la, ha);
	a->d_parent = pb;
	b->d_parent = pa;
	d_hash_into(a, pb);
	d_hash_into(b, pa);
}

/*
 * Free every dentry of a superblock, children before parents, without recursion (trees
 * may be deeper than the C stack). Called when the superblock dies: nothing outside
 * holds a reference any more.
 */
void shrink_dcache_sb(struct super_block *sb)
{
	struct dentry *d = sb->s_root;

	while (d) {
		struct dentry *parent;

		if (d->d_dir && !list_empty(&d->d_dir->children)) {
			d = list_entry(d->d_dir->children.next, struct dentry, d_child);
			if (d->d_flags & D_CURSOR) {
				/* Cursors belong to open files, which cannot exist here. */
				list_del(&d->d_child);
				d = d->d_parent;
			}
			continue;
		}
		parent = d->d_parent;
		/* No lookups happen any more: leave the parent's table stale (it is freed with
		 * the parent) rather than shifting it once per child. */
		list_del(&d->d_child);
		d->d_flags &= (uint16_t)~D_HASHED;
		if (d->d_inode)
			iput(d->d_inode);
		/* All that may still point here is the superblock's hold on its root. */
		if (d->d_count != (parent == d ? 1 : 0))
			obj_inc(OBJ_LEAKED_DREF);
		if (parent == d) {
			d_free(d);
			break;
		}
		d_free(d);
		parent->d_count--;
		d = parent;
	}
	sb->s_root = NULL;
}

int d_path_in_sb(const struct dentry *d, struct strbuf *sb)
{
	const struct dentry *parts[VFS_PATH_MAX / 2];
	int n = 0, i;

	while (!(d->d_flags & D_ROOT) && d->d_parent != d) {
		if (n == (int)ARRAY_SIZE(parts))
			return -ENAMETOOLONG;
		parts[n++] = d;
		d = d->d_parent;
	}
	if (n == 0)
		sb_addc(sb, '/');
	for (i = n - 1; i >= 0; i--) {
		sb_addc(sb, '/');
		sb_add(sb, parts[i]->d_name, parts[i]->d_namelen);
	}
	return sb_error(sb);
}

/* ---------------------------------------------------------------------------------- */
/* Readdir over the children list, with a cursor dentry per open directory. */

static struct dentry *cursor_new(struct dentry *dir)
{
	struct dentry *c = d_new(dir->d_sb, "", 0);

	if (!c)
		return NULL;
	c->d_flags = D_CURSOR;
	c->d_parent = dir;
	c->d_count = 0;
	return c;
}

void dcache_cursor_free(struct file *f)
{
	struct dentry *c = f->f_cursor;

	if (!c)
		return;
	list_del(&c->d_child);
	obj_dec(OBJ_DENTRY);
	vl_free(c);
	f->f_cursor = NULL;
}

/* Put the cursor after the n-th positive child (n = pos - 2). */
static void cursor_seek(struct dentry *dir, struct dentry *cursor, int64_t pos)
{
	struct list_head *p, *head = &dir->d_dir->children;
	int64_t n = pos - 2;

	list_del(&cursor->d_child);
	for (p = head->next; p != head && n > 0; p = p->next) {
		struct dentry *c = list_entry(p, struct dentry, d_child);

		if (!(c->d_flags & D_CURSOR) && c->d_inode)
			n--;
	}
	list_add_tail(&cursor->d_child, p);
}

void dcache_readdir_seeked(struct file *f)
{
	if (f->f_cursor)
		cursor_seek(f->f_path.dentry, f->f_cursor, f->f_pos);
}

int dcache_readdir(struct file *file, struct dir_context *ctx)
{
	struct dentry *dir = file->f_path.dentry;
	struct dentry *cursor = file->f_cursor;
	struct list_head *p, *head;

	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, dir->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct dentry *parent = dir->d_parent;

		if (!dir_emit(ctx, "..", 2, parent->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	if (!d_dir_get(dir))
		return -ENOMEM;
	if (!cursor) {
		cursor = cursor_new(dir);
		if (!cursor)
			return -ENOMEM;
		file->f_cursor = cursor;
		cursor_seek(dir, cursor, ctx->pos);
	}
	head = &dir->d_dir->children;
	for (p = cursor->d_child.next; p != head; p = cursor->d_child.next) {
		struct dentry *c = list_entry(p, struct dentry, d_child);

		if (!(c->d_flags & D_CURSOR) && c->d_inode) {
			if (!dir_emit(ctx, c->d_name, c->d_namelen, c->d_inode->i_ino,
				      mode_to_dtype(c->d_inode->i_mode)))
				return 0;
			ctx->pos++;
		}
		/* Step the cursor over c. */
		list_move_after(&cursor->d_child, p);
	}
	return 0;
}
