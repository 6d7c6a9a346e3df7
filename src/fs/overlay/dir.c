/*
 * dir.c - directories through the overlay: lookup through the layers, the namespace
 * operations (create, link, remove, rename) with copy-up of the parents and whiteouts,
 * and the merged readdir.
 *
 * Lookup (Linux's ovl_lookup): an upper whiteout (char 0:0) ends the search; a
 * non-directory hides everything below it; directories merge down the lower stack
 * until an opaque one (trusted.overlay.opaque=y); a directory never merges with a
 * non-directory below it.
 *
 * Removal leaves a whiteout only where a lower layer still holds the name; an upper
 * entry is swapped for a whiteout built in the work directory (RENAME_EXCHANGE) so the
 * name never uncovers the lower entry, even on failure. A directory created where a
 * whiteout was is made opaque before it replaces the whiteout. Renaming a directory
 * that merges with a lower layer copies its whole subtree up and moves it as an opaque
 * directory (gVisor's RenameAt); with redirect_dir=off it fails with EXDEV (Linux
 * without redirect_dir, the kernel's default).
 *
 * Readdir: one merged list per open directory, built on the first read (and again on a
 * read from offset 0 after the directory changed, as Linux's ovl_dir_reset): upper
 * entries first, then each lower layer's not yet seen (a hash set of the names above),
 * whiteouts hiding the names below and left out; "." and ".." synthesised; offset n >= 2
 * is entry n - 2 of the list, so offsets are stable across seeks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

/* Deeper trees are refused a directory rename (the copy recurses). */
#define OVL_MAX_TREE_DEPTH 256

/* ---------------------------------------------------------------------------------- */
/* Lookup */

int ovl_lookup(struct inode *dir, struct dentry *dentry)
{
	struct ovl_inode *dp = OVL_I(dir);
	const char *name = dentry->d_name;
	size_t len = dentry->d_namelen;
	struct dentry *upper = NULL, **stack = NULL, *d;
	uint32_t *layers = NULL, n = 0, i;
	struct ovl_origin origin = { 0, 0 };
	struct inode *inode;
	bool stop = false;
	int err = 0;

	if (dp->nr_lower) {
		stack = vl_malloc(dp->nr_lower * sizeof(*stack));
		layers = vl_malloc(dp->nr_lower * sizeof(*layers));
		if (!stack || !layers) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (dp->upper) {
		d = lookup_one(dp->upper, name, len);
		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			goto out;
		}
		if (!d->d_inode) {
			d_put(d);
		} else if (ovl_is_whiteout(d)) {
			d_put(d);
			goto out; /* negative */
		} else {
			upper = d;
			stop = !S_ISDIR(d->d_inode->i_mode) || ovl_is_opaque(d);
		}
	}
	for (i = 0; !stop && !dp->opaque && i < dp->nr_lower; i++) {
		d = lookup_one(dp->lower[i], name, len);
		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			goto out_put;
		}
		if (!d->d_inode) {
			d_put(d);
			continue;
		}
		if (ovl_is_whiteout(d) || ((upper || n) && !S_ISDIR(d->d_inode->i_mode))) {
			d_put(d);
			break;
		}
		stack[n] = d;
		layers[n++] = dp->lower_layer[i];
		stop = !S_ISDIR(d->d_inode->i_mode) || ovl_is_opaque(d);
	}
	if (!upper && !n)
		goto out;
	if (upper && !n) {
		/* A copy-up keeps its origin's st_ino, across remounts too. */
		err = ovl_get_origin(OVL_FS(dir->i_sb), upper, &origin);
		if (err)
			goto out_put;
	}
	inode = ovl_new_inode(dir->i_sb, upper, stack, layers, n, &origin); /* consumes them */
	if (!inode) {
		err = -ENOMEM;
		goto out;
	}
	d_instantiate(dentry, inode);
	goto out;

out_put:
	if (upper)
		d_put(upper);
	for (i = 0; i < n; i++)
		d_put(stack[i]);
out:
	vl_free(stack);
	vl_free(layers);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Creation */

/* What to create: a node (mknod/mkdir/symlink) or a hard link to an upper dentry. */
struct ovl_cattr {
	const struct vfs_new_inode *ni;
	const char *target;	  /* symlink */
	struct dentry *link;	  /* link: the upper dentry of the source */
	struct inode *link_inode; /* link: the source overlay inode (for its origin) */
};

static int ovl_create_real(struct dentry *dir, struct dentry *d, const struct ovl_cattr *ca)
{
	if (ca->link)
		return layer_link(ca->link, dir, d);
	if (S_ISDIR(ca->ni->mode))
		return layer_mkdir(dir, d, ca->ni);
	if (S_ISLNK(ca->ni->mode))
		return layer_symlink(dir, d, ca->target, ca->ni);
	return layer_mknod(dir, d, ca->ni);
}

static void ovl_dir_changed(struct inode *dir)
{
	OVL_I(dir)->version++;
	ovl_copyattr(dir);
}

static int ovl_create_object(struct dentry *dentry, const struct ovl_cattr *ca)
{
	struct dentry *parent = dentry->d_parent;
	struct ovl_fs *ofs = OVL_FS(dentry->d_sb);
	struct dentry *updir, *u, *tmp = NULL, *created;
	struct ovl_origin origin = { 0, 0 };
	bool is_dir = !ca->link && S_ISDIR(ca->ni->mode);
	struct inode *inode;
	int err;

	err = ovl_copy_up(parent);
	if (err)
		return err;
	updir = OVL_I(parent->d_inode)->upper;
	u = lookup_one(updir, dentry->d_name, dentry->d_namelen);
	if (IS_ERR(u))
		return (int)PTR_ERR(u);
	if (!u->d_inode) {
		err = ovl_create_real(updir, u, ca);
		if (err)
			goto out_u;
		created = d_get(u);
	} else if (!ovl_is_whiteout(u)) {
		err = -EEXIST; /* the layers changed under the overlay */
		goto out_u;
	} else if (!ofs->work.dentry) {
		/* In place (no work directory): replace the whiteout, restore it on failure. */
		err = layer_unlink(updir, u);
		if (err)
			goto out_u;
		d_put(u);
		u = lookup_one(updir, dentry->d_name, dentry->d_namelen);
		if (IS_ERR(u))
			return (int)PTR_ERR(u);
		err = ovl_create_real(updir, u, ca);
		if (!err && is_dir)
			err = layer_setxattr(u, OVL_XATTR_OPAQUE, "y", 1, 0);
		if (err) {
			if (u->d_inode)
				layer_rmdir(updir, u);
			ovl_make_whiteout(ofs, updir, u);
			goto out_u;
		}
		created = d_get(u);
	} else {
		/* Build it in the work directory, then swap it with the whiteout. */
		tmp = ovl_work_temp(ofs);
		if (IS_ERR(tmp)) {
			err = (int)PTR_ERR(tmp);
			goto out_u;
		}
		err = ovl_create_real(ofs->work.dentry, tmp, ca);
		if (err)
			goto out_tmp;
		if (is_dir) {
			err = layer_setxattr(tmp, OVL_XATTR_OPAQUE, "y", 1, 0);
			if (err)
				goto out_tmp_rm;
		}
		err = layer_rename(ofs->work.dentry, tmp, updir, u, RENAME_EXCHANGE);
		if (err)
			goto out_tmp_rm;
		layer_unlink(ofs->work.dentry, u); /* the whiteout, now in work */
		created = tmp;
		tmp = NULL;
	}
	if (ca->link_inode) {
		/* A new name of a copied-up file shares its origin, hence its st_ino (and
		 * is the same overlay inode: the hard-link table finds it). */
		origin.layer = OVL_I(ca->link_inode)->origin_layer;
		origin.ino = OVL_I(ca->link_inode)->origin_ino;
	}
	inode = ovl_new_inode(dentry->d_sb, created, NULL, NULL, 0, &origin);
	if (!inode) {
		err = -ENOMEM; /* the upper entry stays: visible on the next lookup */
		goto out_u;
	}
	d_instantiate(dentry, inode);
	ovl_dir_changed(parent->d_inode);
	if (ca->link_inode)
		ovl_copyattr(ca->link_inode);
	goto out_u;

out_tmp_rm:
	if (S_ISDIR(tmp->d_inode->i_mode))
		layer_rmdir(ofs->work.dentry, tmp);
	else
		layer_unlink(ofs->work.dentry, tmp);
out_tmp:
	d_put(tmp);
out_u:
	d_put(u);
	return err;
}

int ovl_mknod(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	struct vfs_new_inode n = *ni;
	struct ovl_cattr ca = { .ni = &n };

	(void)dir;
	if (!(n.mode & S_IFMT))
		n.mode |= S_IFREG;
	/* A user's whiteout would be indistinguishable from the overlay's own (Linux). */
	if (S_ISCHR(n.mode) && n.rdev == 0)
		return -EPERM;
	return ovl_create_object(dentry, &ca);
}

int ovl_mkdir(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	struct vfs_new_inode n = *ni;
	struct ovl_cattr ca = { .ni = &n };

	(void)dir;
	n.mode = S_IFDIR | (n.mode & 07777);
	return ovl_create_object(dentry, &ca);
}

int ovl_symlink(struct inode *dir, struct dentry *dentry, const char *target,
		const struct vfs_new_inode *ni)
{
	struct vfs_new_inode n = *ni;
	struct ovl_cattr ca = { .ni = &n, .target = target };

	(void)dir;
	n.mode = S_IFLNK | (n.mode & 07777);
	return ovl_create_object(dentry, &ca);
}

int ovl_link(struct dentry *old, struct inode *dir, struct dentry *new_dentry)
{
	struct ovl_cattr ca = { .link_inode = old->d_inode };
	int err;

	(void)dir;
	err = ovl_copy_up(old);
	if (err)
		return err;
	ca.link = OVL_I(old->d_inode)->upper;
	return ovl_create_object(new_dentry, &ca);
}

/* ---------------------------------------------------------------------------------- */
/* Merged directory listing */

struct ovl_dirent {
	char *name;
	uint64_t ino;
	uint16_t len;
	uint8_t type;
	bool whiteout;
};

/*
 * The entries of the layers read so far, and a set of their names (open addressing,
 * slot = entry index + 1, 0 free, at most half full) over the layers above the one being
 * read, so deduplication is O(1) per entry (Linux's rb-tree is O(log n)).
 */
/* Names are packed in chunks: one allocation per OVL_NAMEBUF bytes, not per name. */
#define OVL_NAMEBUF 4096

struct ovl_namebuf {
	struct ovl_namebuf *next;
	size_t used, cap;
	char data[];
};

struct ovl_dirlist {
	struct ovl_namebuf *names;
	struct ovl_dirent *ents;
	size_t n, cap;
	size_t *slots;
	size_t nslots;	 /* a power of two, or 0 */
	size_t nindexed; /* entries [0, nindexed) are in the set */
};

static void ovl_dirlist_free(struct ovl_dirlist *l)
{
	struct ovl_namebuf *b, *next;

	for (b = l->names; b; b = next) {
		next = b->next;
		vl_free(b);
	}
	vl_free(l->ents);
	vl_free(l->slots);
	*l = (struct ovl_dirlist){ 0 };
}

/* A copy of name (NUL-terminated) in the list's chunks, or NULL. */
static char *ovl_dirlist_name(struct ovl_dirlist *l, const char *name, size_t len)
{
	struct ovl_namebuf *b = l->names;
	char *p;

	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > OVL_NAMEBUF ? len + 1 : OVL_NAMEBUF;

		b = vl_malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = l->names;
		b->used = 0;
		b->cap = cap;
		l->names = b;
	}
	p = b->data + b->used;
	memcpy(p, name, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

static size_t ovl_name_hash(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 32));
}

/* Was name seen in a layer above the current one? */
static bool ovl_dirlist_seen(const struct ovl_dirlist *l, const char *name, size_t len)
{
	size_t mask = l->nslots - 1, i;

	if (!l->nslots)
		return false;
	for (i = ovl_name_hash(name, len) & mask; l->slots[i]; i = (i + 1) & mask) {
		const struct ovl_dirent *e = &l->ents[l->slots[i] - 1];

		if (e->len == len && !memcmp(e->name, name, len))
			return true;
	}
	return false;
}

static void ovl_dirlist_insert(size_t *slots, size_t nslots, const struct ovl_dirent *e, size_t idx)
{
	size_t mask = nslots - 1, i;

	for (i = ovl_name_hash(e->name, e->len) & mask; slots[i]; i = (i + 1) & mask)
		;
	slots[i] = idx + 1;
}

/* Add the entries of the layer just read to the set (the next layer deduplicates). */
static int ovl_dirlist_index(struct ovl_dirlist *l)
{
	size_t i;

	if (2 * l->n > l->nslots) {
		size_t nslots = l->nslots ? l->nslots : 64, *slots;

		while (2 * l->n > nslots)
			nslots *= 2;
		slots = vl_zalloc(nslots * sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		vl_free(l->slots);
		l->slots = slots;
		l->nslots = nslots;
		l->nindexed = 0;
	}
	for (i = l->nindexed; i < l->n; i++)
		ovl_dirlist_insert(l->slots, l->nslots, &l->ents[i], i);
	l->nindexed = l->n;
	return 0;
}

struct ovl_readdir_ctx {
	struct dir_context ctx;
	struct ovl_dirlist *list;
	int err;
};

static bool ovl_fill(struct dir_context *ctx, const char *name, size_t len, int64_t next,
		     uint64_t ino, unsigned dtype)
{
	struct ovl_readdir_ctx *rc = container_of(ctx, struct ovl_readdir_ctx, ctx);
	struct ovl_dirlist *l = rc->list;
	struct ovl_dirent *e;

	(void)next;
	ctx->pos++;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (ovl_dirlist_seen(l, name, len))
		return true;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct ovl_dirent *ents = vl_realloc(l->ents, cap * sizeof(*ents));

		if (!ents) {
			rc->err = -ENOMEM;
			return false;
		}
		l->ents = ents;
		l->cap = cap;
	}
	e = &l->ents[l->n];
	e->name = ovl_dirlist_name(l, name, len);
	if (!e->name) {
		rc->err = -ENOMEM;
		return false;
	}
	e->len = (uint16_t)len;
	e->ino = ino;
	e->type = (uint8_t)dtype;
	e->whiteout = false;
	l->n++;
	return true;
}

/* Append the entries of one real directory not seen above it. */
static int ovl_read_layer(struct ovl_fs *ofs, const struct path *p, struct ovl_dirlist *l)
{
	struct ovl_readdir_ctx rc = { .ctx = { .actor = ovl_fill }, .list = l };
	size_t i, start = l->n;
	struct file *f;
	int err;

	f = layer_open(p, O_RDONLY | O_DIRECTORY, ofs->cred);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	err = f->f_op->iterate ? f->f_op->iterate(f, &rc.ctx) : -ENOTDIR;
	file_put(f);
	if (!err)
		err = rc.err;
	/* Whiteouts are known by their device number: look the char devices up. */
	for (i = start; !err && i < l->n; i++) {
		struct dentry *d;

		if (l->ents[i].type != DT_CHR)
			continue;
		d = lookup_one(p->dentry, l->ents[i].name, l->ents[i].len);
		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			break;
		}
		l->ents[i].whiteout = ovl_is_whiteout(d);
		d_put(d);
	}
	return err ? err : ovl_dirlist_index(l);
}

/* The merged entries of the overlay directory dentry, whiteouts included (flagged). */
static int ovl_dir_read_merged(struct dentry *dentry, struct ovl_dirlist *l)
{
	struct inode *inode = dentry->d_inode;
	struct ovl_inode *oi = OVL_I(inode);
	struct ovl_fs *ofs = OVL_FS(inode->i_sb);
	uint32_t i;
	int err = 0;

	if (oi->upper) {
		struct path p = { ofs->upper.mnt, oi->upper };

		err = ovl_read_layer(ofs, &p, l);
	}
	for (i = 0; !err && !oi->opaque && i < oi->nr_lower; i++) {
		struct path p = { ofs->lower[oi->lower_layer[i] - 1].mnt, oi->lower[i] };

		err = ovl_read_layer(ofs, &p, l);
	}
	if (err)
		ovl_dirlist_free(l);
	return err;
}

int ovl_check_empty_dir(struct dentry *dentry)
{
	struct ovl_dirlist l = { 0 };
	size_t i;
	int err = ovl_dir_read_merged(dentry, &l);

	if (err)
		return err;
	for (i = 0; i < l.n; i++)
		if (!l.ents[i].whiteout)
			err = -ENOTEMPTY;
	ovl_dirlist_free(&l);
	return err;
}

int ovl_clear_whiteouts(struct ovl_fs *ofs, struct dentry *dir)
{
	struct ovl_dirlist l = { 0 };
	struct path p = { ofs->upper.mnt, dir };
	size_t i;
	int err = ovl_read_layer(ofs, &p, &l);

	for (i = 0; !err && i < l.n; i++) {
		struct dentry *d;

		if (!l.ents[i].whiteout)
			continue;
		d = lookup_one(dir, l.ents[i].name, l.ents[i].len);
		if (IS_ERR(d)) {
			err = (int)PTR_ERR(d);
			break;
		}
		err = layer_unlink(dir, d);
		d_put(d);
	}
	ovl_dirlist_free(&l);
	return err;
}

/* An open overlay directory: its merged list, and the directory version it reflects. */
struct ovl_dir_file {
	struct ovl_dirlist list; /* whiteouts dropped */
	uint64_t version;
	bool cached;
};

static int ovl_dir_open(struct inode *inode, struct file *file)
{
	(void)inode;
	file->private_data = vl_zalloc(sizeof(struct ovl_dir_file));
	return file->private_data ? 0 : -ENOMEM;
}

static void ovl_dir_release(struct inode *inode, struct file *file)
{
	struct ovl_dir_file *od = file->private_data;

	(void)inode;
	ovl_dirlist_free(&od->list);
	vl_free(od);
}

static int ovl_dir_fill_cache(struct file *file, struct ovl_dir_file *od)
{
	struct ovl_dirlist l = { 0 };
	size_t i, k = 0;
	int err = ovl_dir_read_merged(file->f_path.dentry, &l);

	if (err)
		return err;
	for (i = 0; i < l.n; i++)
		if (!l.ents[i].whiteout)
			l.ents[k++] = l.ents[i];
	l.n = k;
	vl_free(l.slots); /* indexes of the entries before compaction */
	l.slots = NULL;
	l.nslots = l.nindexed = 0;
	ovl_dirlist_free(&od->list);
	od->list = l;
	od->version = OVL_I(file->f_inode)->version;
	od->cached = true;
	return 0;
}

static int ovl_iterate(struct file *file, struct dir_context *ctx)
{
	struct ovl_dir_file *od = file->private_data;
	struct dentry *dentry = file->f_path.dentry;
	int err;

	if (!od->cached || (ctx->pos == 0 && od->version != OVL_I(file->f_inode)->version)) {
		err = ovl_dir_fill_cache(file, od);
		if (err)
			return err;
	}
	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, file->f_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!dir_emit(ctx, "..", 2, dentry->d_parent->d_inode->i_ino, DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	while (ctx->pos >= 2 && (size_t)(ctx->pos - 2) < od->list.n) {
		struct ovl_dirent *e = &od->list.ents[ctx->pos - 2];

		if (!dir_emit(ctx, e->name, e->len, e->ino, e->type))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static ssize_t ovl_dir_read(struct file *file, void *buf, size_t len, int64_t off)
{
	(void)file, (void)buf, (void)len, (void)off;
	return -EISDIR;
}

const struct file_operations ovl_dir_fops = {
	.open = ovl_dir_open,
	.release = ovl_dir_release,
	.read = ovl_dir_read,
	.iterate = ovl_iterate,
};

/* ---------------------------------------------------------------------------------- */
/* Removal */

static int ovl_remove(struct dentry *dentry, bool is_dir)
{
	struct dentry *parent = dentry->d_parent;
	struct inode *inode = dentry->d_inode;
	struct ovl_fs *ofs = OVL_FS(dentry->d_sb);
	struct dentry *updir, *u, *tmp;
	int lower, err;

	if (is_dir) {
		err = ovl_check_empty_dir(dentry);
		if (err)
			return err;
	}
	err = ovl_copy_up(parent);
	if (err)
		return err;
	updir = OVL_I(parent->d_inode)->upper;
	lower = ovl_lower_positive(parent, dentry->d_name, dentry->d_namelen);
	if (lower < 0)
		return lower;
	u = lookup_one(updir, dentry->d_name, dentry->d_namelen);
	if (IS_ERR(u))
		return (int)PTR_ERR(u);
	if (!u->d_inode) {
		/* Only below: one whiteout hides it. */
		err = lower ? ovl_make_whiteout(ofs, updir, u) : -ENOENT;
	} else if (!lower || !ofs->work.dentry) {
		if (is_dir)
			err = ovl_clear_whiteouts(ofs, u);
		if (!err)
			err = is_dir ? layer_rmdir(updir, u) : layer_unlink(updir, u);
		if (!err && lower) {
			d_put(u);
			u = lookup_one(updir, dentry->d_name, dentry->d_namelen);
			err = IS_ERR(u) ? (int)PTR_ERR(u) : ovl_make_whiteout(ofs, updir, u);
			if (IS_ERR(u))
				u = NULL;
		}
	} else {
		/* Swap in a whiteout built in work, then remove the old entry there. */
		tmp = ovl_work_temp(ofs);
		if (IS_ERR(tmp)) {
			err = (int)PTR_ERR(tmp);
			goto out_u;
		}
		err = ovl_make_whiteout(ofs, ofs->work.dentry, tmp);
		if (!err) {
			err = layer_rename(ofs->work.dentry, tmp, updir, u, RENAME_EXCHANGE);
			if (err)
				layer_unlink(ofs->work.dentry, tmp);
		}
		d_put(tmp);
		if (!err) {
			/* u is in work now: whatever fails there is invisible. */
			if (is_dir && !ovl_clear_whiteouts(ofs, u))
				layer_rmdir(ofs->work.dentry, u);
			else if (!is_dir)
				layer_unlink(ofs->work.dentry, u);
		}
	}
	if (!err) {
		struct ovl_inode *oi = OVL_I(inode);

		if (is_dir || !oi->upper || oi->upper->d_inode->i_nlink == 0)
			oi->dead = true;
		ovl_copyattr(inode);
		ovl_dir_changed(parent->d_inode);
	}
out_u:
	if (u)
		d_put(u);
	return err;
}

int ovl_unlink(struct inode *dir, struct dentry *dentry)
{
	(void)dir;
	return ovl_remove(dentry, false);
}

int ovl_rmdir(struct inode *dir, struct dentry *dentry)
{
	(void)dir;
	return ovl_remove(dentry, true);
}

/* ---------------------------------------------------------------------------------- */
/* Rename */

/* Mark the overlay directory inode's upper opaque: no lower layer below it any more. */
static int ovl_set_opaque(struct inode *inode, struct dentry *upper)
{
	int err = 0;

	if (!ovl_is_opaque(upper))
		err = layer_setxattr(upper, OVL_XATTR_OPAQUE, "y", 1, 0);
	if (!err) {
		OVL_I(inode)->opaque = true;
		OVL_I(inode)->version++;
		ovl_copyattr(inode);
	}
	return err;
}

/* Does the overlay directory still merge with a lower layer? */
static bool ovl_dir_has_lower(struct inode *inode)
{
	return OVL_I(inode)->nr_lower && !OVL_I(inode)->opaque;
}

/*
 * Copy up dentry and everything below it (gVisor's copyUpDescendantsLocked), so that
 * the upper directory holds every visible entry and can stand alone. A failure leaves
 * what was copied so far: copy-ups are invisible.
 */
static int ovl_copy_up_tree(struct dentry *dentry, int depth)
{
	struct ovl_dirlist l = { 0 };
	size_t i;
	int err;

	if (depth > OVL_MAX_TREE_DEPTH)
		return -ELOOP;
	err = ovl_copy_up(dentry);
	if (err || !S_ISDIR(dentry->d_inode->i_mode) || !ovl_dir_has_lower(dentry->d_inode))
		return err;
	err = ovl_dir_read_merged(dentry, &l);
	if (err)
		return err;
	for (i = 0; !err && i < l.n; i++) {
		struct dentry *c;

		if (l.ents[i].whiteout)
			continue;
		c = lookup_one(dentry, l.ents[i].name, l.ents[i].len);
		if (IS_ERR(c)) {
			err = (int)PTR_ERR(c);
			break;
		}
		if (c->d_inode)
			err = ovl_copy_up_tree(c, depth + 1);
		d_put(c);
	}
	ovl_dirlist_free(&l);
	return err;
}

/*
 * Move ou (in oupdir) to nu (in nupdir) leaving a whiteout at ou's name, all or nothing
 * (Linux's RENAME_WHITEOUT): the whiteout is built under a temporary name (in the work
 * directory, else in oupdir itself: never seen, all of this runs under the VFS lock),
 * exchanged with ou, and ou moved on from there; a failure of that last step exchanges
 * back. Only allocations can fail here, and the names are allocated before anything
 * changes (layer_rename), so the undo step is the one that may not fail in practice.
 */
static int ovl_rename_whiteout(struct ovl_fs *ofs, struct dentry *oupdir, struct dentry *ou,
			       struct dentry *nupdir, struct dentry *nu)
{
	struct dentry *tdir = ofs->work.dentry ? ofs->work.dentry : oupdir;
	struct dentry *w;
	int err;

	w = ovl_temp_in(ofs, tdir);
	if (IS_ERR(w))
		return (int)PTR_ERR(w);
	err = ovl_make_whiteout(ofs, tdir, w);
	if (err)
		goto out;
	err = layer_rename(tdir, w, oupdir, ou, RENAME_EXCHANGE);
	if (err)
		goto out_unlink;
	/* Now w (the whiteout) has ou's name and ou the temporary one, in tdir. */
	err = layer_rename(tdir, ou, nupdir, nu, 0);
	if (!err)
		goto out;
	if (layer_rename(oupdir, w, tdir, ou, RENAME_EXCHANGE))
		goto out; /* cannot undo: the whiteout stays, hiding nothing new */
out_unlink:
	layer_unlink(tdir, w);
out:
	d_put(w);
	return err;
}

/*
 * Move ou over the upper directory nu, empty through the overlay but maybe holding
 * whiteouts. The layer refuses to rename over a non-empty directory, and removing the
 * whiteouts first would uncover the lower entries they hide if the move then failed. So,
 * as Linux's ovl_clear_empty, an empty directory made in work is exchanged with nu, ou
 * moved over it (leaving a whiteout when old_lower), and nu emptied and removed in work
 * where nothing is visible; a failure of the move exchanges nu back.
 */
static int ovl_rename_over_dir(struct ovl_fs *ofs, struct dentry *oupdir, struct dentry *ou,
			       struct dentry *nupdir, struct dentry *nu, bool old_lower)
{
	struct vfs_new_inode ni = { .mode = S_IFDIR,
				    .uid = ofs->cred->fsuid,
				    .gid = ofs->cred->fsgid };
	struct dentry *work = ofs->work.dentry, *e;
	int err;

	e = ovl_work_temp(ofs);
	if (IS_ERR(e))
		return (int)PTR_ERR(e);
	err = layer_mkdir(work, e, &ni);
	if (err)
		goto out;
	err = layer_rename(work, e, nupdir, nu, RENAME_EXCHANGE);
	if (err)
		goto out_rmdir;
	/* e has the target's name now, and nu e's name in work. */
	err = old_lower ? ovl_rename_whiteout(ofs, oupdir, ou, nupdir, e)
			: layer_rename(oupdir, ou, nupdir, e, 0);
	if (!err) {
		if (!ovl_clear_whiteouts(ofs, nu))
			layer_rmdir(work, nu); /* else left in work, emptied at the next mount */
		goto out;
	}
	if (layer_rename(work, nu, nupdir, e, RENAME_EXCHANGE))
		goto out; /* cannot undo: the target is the empty directory */
out_rmdir:
	layer_rmdir(work, e);
out:
	d_put(e);
	return err;
}

int ovl_rename(struct inode *old_dir, struct dentry *od, struct inode *new_dir, struct dentry *nd,
	       unsigned flags)
{
	struct ovl_fs *ofs = OVL_FS(od->d_sb);
	struct inode *target = nd->d_inode;
	bool exchange = flags & RENAME_EXCHANGE;
	bool is_dir = S_ISDIR(od->d_inode->i_mode);
	bool new_is_dir = target && S_ISDIR(target->i_mode);
	struct dentry *oupdir, *nupdir, *ou = NULL, *nu = NULL;
	bool old_merged, new_merged;
	int old_lower, new_lower, err;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	old_merged = is_dir && ovl_dir_has_lower(od->d_inode);
	new_merged = exchange && new_is_dir && ovl_dir_has_lower(target);
	/* Linux without redirect_dir: a directory from a lower layer cannot move. */
	if ((old_merged || new_merged) && ofs->linux_rename_dir)
		return -EXDEV;
	if (new_is_dir && !exchange) {
		err = ovl_check_empty_dir(nd);
		if (err)
			return err;
	}
	/* gVisor: the whole subtree goes up first, then moves as an opaque directory. */
	err = old_merged ? ovl_copy_up_tree(od, 0) : 0;
	if (!err && new_merged)
		err = ovl_copy_up_tree(nd, 0);
	if (!err)
		err = ovl_copy_up(od);
	if (!err)
		err = ovl_copy_up(nd->d_parent);
	if (!err && exchange)
		err = ovl_copy_up(nd);
	if (err)
		return err;
	oupdir = OVL_I(od->d_parent->d_inode)->upper;
	nupdir = OVL_I(nd->d_parent->d_inode)->upper;
	old_lower = ovl_lower_positive(od->d_parent, od->d_name, od->d_namelen);
	if (old_lower < 0)
		return old_lower;
	new_lower = ovl_lower_positive(nd->d_parent, nd->d_name, nd->d_namelen);
	if (new_lower < 0)
		return new_lower;
	ou = lookup_one(oupdir, od->d_name, od->d_namelen);
	if (IS_ERR(ou))
		return (int)PTR_ERR(ou);
	nu = lookup_one(nupdir, nd->d_name, nd->d_namelen);
	if (IS_ERR(nu)) {
		err = (int)PTR_ERR(nu);
		nu = NULL;
		goto out;
	}
	/* A directory moving over a lower name must not merge with it, nor one that was
	 * merged where it was (it is all in the upper layer now); and, as Linux, one moving
	 * into a merged directory is marked opaque anyway (a lower directory of that name
	 * may appear there later). Opaque before the move is invisible: every visible entry
	 * is in the upper directory already. */
	if (is_dir && (new_lower || old_merged || ovl_dir_has_lower(new_dir))) {
		err = ovl_set_opaque(od->d_inode, ou);
		if (err)
			goto out;
	}
	if (exchange) {
		if (new_is_dir && (old_lower || new_merged || ovl_dir_has_lower(old_dir))) {
			err = ovl_set_opaque(target, nu);
			if (err)
				goto out;
		}
		err = layer_rename(oupdir, ou, nupdir, nu, RENAME_EXCHANGE);
	} else if (nu->d_inode && ovl_is_whiteout(nu) && is_dir) {
		/* A directory cannot replace the whiteout (a non-directory): swap them. */
		err = layer_rename(oupdir, ou, nupdir, nu, RENAME_EXCHANGE);
		if (!err && !old_lower)
			layer_unlink(oupdir, nu); /* a stray whiteout would hide nothing */
	} else if (new_is_dir && nu->d_inode && ofs->work.dentry) {
		err = ovl_rename_over_dir(ofs, oupdir, ou, nupdir, nu, old_lower);
	} else {
		/* In place (no work directory): the whiteouts go first, as gVisor. */
		if (new_is_dir && nu->d_inode)
			err = ovl_clear_whiteouts(ofs, nu);
		if (!err)
			err = old_lower ? ovl_rename_whiteout(ofs, oupdir, ou, nupdir, nu)
					: layer_rename(oupdir, ou, nupdir, nu, 0);
	}
	if (err)
		goto out;
	if (target && !exchange) {
		struct ovl_inode *ti = OVL_I(target);

		/* Another hard link may keep the replaced file alive. */
		if (new_is_dir || !ti->upper || ti->upper->d_inode->i_nlink == 0)
			ti->dead = true;
		ovl_copyattr(target);
	}
	ovl_copyattr(od->d_inode);
	ovl_dir_changed(old_dir);
	if (new_dir != old_dir)
		ovl_dir_changed(new_dir);
out:
	if (nu)
		d_put(nu);
	d_put(ou);
	return err;
}
