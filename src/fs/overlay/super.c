/*
 * super.c - the overlay filesystem type: options, layer setup, the work directory,
 * statfs and show_options (Linux's fs/overlayfs/params.c and super.c).
 *
 * Options: lowerdir=A:B:C (topmost first), upperdir=U, workdir=W, paths resolved from
 * the mounting task. Errors, as Linux's (EINVAL, message in the fs_context): a missing
 * lowerdir; upperdir without workdir; fewer than two lowerdirs without upperdir; upper
 * and work on different mounts, or one inside the other. workdir without upperdir is
 * ignored, as Linux. redirect_dir=off selects Linux's rename of a merged directory
 * (EXDEV) over gVisor's (copy the subtree up, then move it), our default; index=off,
 * metacopy=off, xino=off, uuid=* are accepted (they name what we do); anything else is
 * refused.
 *
 * The work directory is W/work (mode 0, emptied at mount), where copy-up and whiteout
 * swaps build their temporaries; a mount without upper is read-only.
 *
 * The in-process form (struct ovl_internal_opts) copies the lower root's mode and owner
 * (and a regular-file root's data) to the upper root as the last step of get_tree; a
 * failure there, or of the VFS making the mount afterwards (put_super of a superblock
 * never mounted, SB_MOUNTED clear), puts the upper root back as it was: a failed mount
 * changes nothing in the upper layer.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

/* ---------------------------------------------------------------------------------- */
/* Superblock operations */

static int ovl_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct ovl_fs *ofs = OVL_FS(sb);
	struct dentry *real = ofs->upper.dentry ? ofs->upper.dentry : ofs->lower[0].dentry;
	struct super_block *rsb = real->d_sb;
	int err = 0;

	if (rsb->s_op->statfs)
		err = rsb->s_op->statfs(rsb, st);
	st->type = OVERLAYFS_SUPER_MAGIC;
	return err;
}

static void ovl_fs_free(struct ovl_fs *ofs)
{
	size_t i;

	if (ofs->upper.mnt)
		path_put(&ofs->upper);
	if (ofs->work.dentry)
		d_put(ofs->work.dentry);
	if (ofs->workbase.mnt)
		path_put(&ofs->workbase);
	for (i = 0; i < ofs->nr_lower; i++)
		path_put(&ofs->lower[i]);
	vl_free(ofs->lower);
	if (ofs->cred)
		cred_put(ofs->cred);
	vl_free(ofs->opt_lowerdir);
	vl_free(ofs->opt_upperdir);
	vl_free(ofs->opt_workdir);
	vl_free(ofs->ihash);
	vl_free(ofs);
}

static void ovl_put_super(struct super_block *sb)
{
	struct ovl_fs *ofs = sb->s_fs_info;

	if (!ofs)
		return;
	/* Never mounted: the mount failed after get_tree copied the root up. */
	if (ofs->root_copied && !(sb->s_flags & SB_MOUNTED))
		layer_setattr(ofs->upper.dentry, &ofs->root_undo);
	ovl_fs_free(ofs);
	sb->s_fs_info = NULL;
}

static void ovl_show_options(struct super_block *sb, struct strbuf *out)
{
	struct ovl_fs *ofs = OVL_FS(sb);

	if (ofs->opt_lowerdir)
		sb_printf(out, ",lowerdir=%s", ofs->opt_lowerdir);
	if (ofs->opt_upperdir)
		sb_printf(out, ",upperdir=%s", ofs->opt_upperdir);
	if (ofs->opt_workdir)
		sb_printf(out, ",workdir=%s", ofs->opt_workdir);
	if (ofs->linux_rename_dir)
		sb_printf(out, ",redirect_dir=off");
}

static const struct super_operations ovl_sops = {
	.destroy_inode = ovl_destroy_inode,
	.statfs = ovl_statfs,
	.put_super = ovl_put_super,
	.show_options = ovl_show_options,
};

/* ---------------------------------------------------------------------------------- */
/* Options */

static int ovl_resolve(struct fs_context *fc, const char *name, struct path *p)
{
	int err;

	if (!fc->task)
		return fc_error(fc, -EINVAL, "overlayfs: no task to resolve '%s'", name);
	if (!*name)
		return fc_error(fc, -EINVAL, "overlayfs: empty path");
	err = path_lookupat(fc->task, AT_FDCWD, name, LOOKUP_FOLLOW, p);
	if (err)
		return fc_error(fc, err, "overlayfs: failed to resolve '%s': %d", name, err);
	if (!d_is_dir(p->dentry)) {
		path_put(p);
		return fc_error(fc, -ENOTDIR, "overlayfs: '%s' is not a directory", name);
	}
	return 0;
}

static int ovl_parse_lowerdir(struct fs_context *fc, struct ovl_fs *ofs, char *value)
{
	size_t n = 1, i;
	char *s, *colon;
	int err;

	for (s = value; *s; s++)
		n += *s == ':';
	ofs->lower = vl_zalloc(n * sizeof(*ofs->lower));
	if (!ofs->lower)
		return -ENOMEM;
	for (s = value, i = 0; i < n; i++, s = colon + 1) {
		colon = strchr(s, ':');
		if (colon)
			*colon = '\0';
		err = ovl_resolve(fc, s, &ofs->lower[i]);
		if (colon)
			*colon = ':';
		if (err)
			return err;
		ofs->nr_lower++;
		if (!colon)
			break;
	}
	return 0;
}

static bool ovl_is_under(struct dentry *d, struct dentry *ancestor)
{
	for (;;) {
		if (d == ancestor)
			return true;
		if (d->d_parent == d)
			return false;
		d = d->d_parent;
	}
}

static int ovl_parse_options(struct fs_context *fc, struct ovl_fs *ofs)
{
	char *cursor = fc->data, *key, *value, **slot;
	struct path *p;
	int err;

	while (fs_opt_next(&cursor, &key, &value)) {
		if (!strcmp(key, "lowerdir")) {
			if (ofs->opt_lowerdir || !value)
				return fc_error(fc, -EINVAL, "overlayfs: bad 'lowerdir'");
			ofs->opt_lowerdir = vl_strdup(value);
			if (!ofs->opt_lowerdir)
				return -ENOMEM;
			if (!*value)
				return fc_error(fc, -EINVAL, "overlayfs: empty lowerdir");
			err = ovl_parse_lowerdir(fc, ofs, value);
			if (err)
				return err;
			continue;
		}
		if (!strcmp(key, "upperdir")) {
			slot = &ofs->opt_upperdir;
			p = &ofs->upper;
		} else if (!strcmp(key, "workdir")) {
			slot = &ofs->opt_workdir;
			p = &ofs->workbase;
		} else if (!strcmp(key, "redirect_dir") && value && !strcmp(value, "off")) {
			ofs->linux_rename_dir = true;
			continue;
		} else if ((!strcmp(key, "index") || !strcmp(key, "metacopy") ||
			    !strcmp(key, "xino")) &&
			   value && !strcmp(value, "off")) {
			continue;
		} else if (!strcmp(key, "uuid") && value) {
			continue;
		} else {
			return fc_error(fc, -EINVAL, "overlayfs: unrecognized mount option \"%s\"",
					key);
		}
		if (*slot || !value)
			return fc_error(fc, -EINVAL, "overlayfs: bad '%s'", key);
		*slot = vl_strdup(value);
		if (!*slot)
			return -ENOMEM;
		err = ovl_resolve(fc, value, p);
		if (err)
			return err;
	}
	if (!ofs->nr_lower)
		return fc_error(fc, -EINVAL, "overlayfs: missing 'lowerdir'");
	if (ofs->upper.mnt && !ofs->workbase.mnt)
		return fc_error(fc, -EINVAL, "overlayfs: missing 'workdir'");
	if (!ofs->upper.mnt && ofs->nr_lower < 2)
		return fc_error(fc, -EINVAL,
				"overlayfs: at least 2 lowerdir are needed while upperdir "
				"nonexistent");
	if (!ofs->upper.mnt && ofs->workbase.mnt) {
		/* Linux: "option workdir=... is useless in a non-upper mount, ignore". */
		path_put(&ofs->workbase);
		ofs->workbase = (struct path){ NULL, NULL };
		vl_free(ofs->opt_workdir);
		ofs->opt_workdir = NULL;
	}
	if (ofs->upper.mnt) {
		if (ofs->upper.mnt != ofs->workbase.mnt)
			return fc_error(fc, -EINVAL,
					"overlayfs: workdir and upperdir must "
					"reside under the same mount");
		if (ovl_is_under(ofs->workbase.dentry, ofs->upper.dentry) ||
		    ovl_is_under(ofs->upper.dentry, ofs->workbase.dentry))
			return fc_error(fc, -EINVAL,
					"overlayfs: workdir and upperdir must be "
					"separate subtrees");
	}
	return 0;
}

static int ovl_take_internal(struct fs_context *fc, struct ovl_fs *ofs)
{
	const struct ovl_internal_opts *io = fc->internal;
	size_t i;

	if (!io->nr_lower || !io->lower_roots)
		return fc_error(fc, -EINVAL, "overlayfs: missing 'lowerdir'");
	ofs->lower = vl_zalloc(io->nr_lower * sizeof(*ofs->lower));
	if (!ofs->lower)
		return -ENOMEM;
	for (i = 0; i < io->nr_lower; i++) {
		ofs->lower[i] = io->lower_roots[i];
		path_get(&ofs->lower[i]);
		ofs->nr_lower++;
	}
	if (io->upper_root.mnt) {
		ofs->upper = io->upper_root;
		path_get(&ofs->upper);
		if ((ofs->upper.dentry->d_inode->i_mode & S_IFMT) !=
		    (ofs->lower[0].dentry->d_inode->i_mode & S_IFMT))
			return fc_error(fc, -EINVAL,
					"overlayfs: upper and lower roots differ "
					"in type");
	}
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* The work directory */

/* Remove everything below the upper directory dir (a work directory left over). */
static int ovl_clean_dir(struct ovl_fs *ofs, struct dentry *dir, int depth)
{
	struct dentry *d;
	struct list_head *p;
	int err;

	if (depth > 64 || !dir->d_dir)
		return depth > 64 ? -ELOOP : 0;
	/* The upper layer is dcache-backed here (tmpfs): walk its children. */
	for (p = dir->d_dir->children.next; p != &dir->d_dir->children;) {
		d = list_entry(p, struct dentry, d_child);
		p = p->next;
		if ((d->d_flags & D_CURSOR) || !d->d_inode)
			continue;
		d_get(d);
		if (S_ISDIR(d->d_inode->i_mode)) {
			err = ovl_clean_dir(ofs, d, depth + 1);
			if (!err)
				err = layer_rmdir(dir, d);
		} else {
			err = layer_unlink(dir, d);
		}
		p = dir->d_dir->children.next; /* the list changed: start over */
		d_put(d);
		if (err)
			return err;
	}
	return 0;
}

static int ovl_make_workdir(struct fs_context *fc, struct ovl_fs *ofs)
{
	struct vfs_new_inode ni = { .mode = S_IFDIR,
				    .uid = ofs->cred->fsuid,
				    .gid = ofs->cred->fsgid };
	struct dentry *d;
	int err;

	d = lookup_one(ofs->workbase.dentry, OVL_WORKDIR_NAME, strlen(OVL_WORKDIR_NAME));
	if (IS_ERR(d))
		return fc_error(fc, (int)PTR_ERR(d), "overlayfs: cannot look up work dir");
	if (d->d_inode && !S_ISDIR(d->d_inode->i_mode)) {
		d_put(d);
		return fc_error(fc, -EEXIST, "overlayfs: workdir/work is not a directory");
	}
	err = d->d_inode ? ovl_clean_dir(ofs, d, 0) : layer_mkdir(ofs->workbase.dentry, d, &ni);
	if (err) {
		d_put(d);
		return fc_error(fc, err, "overlayfs: cannot set up work dir: %d", err);
	}
	ofs->work.mnt = ofs->upper.mnt;
	ofs->work.dentry = d;
	return 0;
}

/*
 * The in-process form: the lower root's mode and owner go to the upper root and, for a
 * regular-file root whose upper is still empty, its data (the mounter's copy-up of a file
 * root, as gVisor's configureOverlay). All or nothing: the upper root's attributes are
 * kept first, and a failure puts them (and an empty file) back. ofs->root_undo keeps them
 * for put_super, which applies them if the superblock never got its mount (the VFS
 * failed after get_tree): a failed mount leaves the upper layer as it was.
 */
static int ovl_copy_up_root(struct ovl_fs *ofs)
{
	struct inode *li = ofs->lower[0].dentry->d_inode;
	struct dentry *up = ofs->upper.dentry;
	struct inode *ui = up->d_inode;
	struct iattr ia = { .valid = ATTR_MODE | ATTR_UID | ATTR_GID,
			    .mode = li->i_mode,
			    .uid = li->i_uid,
			    .gid = li->i_gid };
	struct iattr undo = {
		.valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME | ATTR_CTIME,
		.mode = ui->i_mode,
		.uid = ui->i_uid,
		.gid = ui->i_gid,
		.atime_ns = ui->i_atime,
		.mtime_ns = ui->i_mtime,
		.ctime_ns = ui->i_ctime,
	};
	int err = 0;

	if (S_ISREG(li->i_mode) && ui->i_size == 0 && li->i_size > 0) {
		undo.valid |= ATTR_SIZE;
		undo.size = 0;
		err = ovl_copy_data(ofs, &ofs->lower[0], &ofs->upper);
	}
	if (!err)
		err = layer_setattr(up, &ia);
	if (err) {
		/* Truncating to 0 and setting attributes cannot fail on tmpfs. */
		layer_setattr(up, &undo);
		return err;
	}
	ofs->root_undo = undo;
	ofs->root_copied = true;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Mounting */

static int ovl_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct ovl_fs *ofs;
	struct super_block *sb;
	struct dentry **lower, *upper = NULL;
	uint32_t *layers, n = 0;
	struct inode *root;
	size_t i;
	int err;

	ofs = vl_zalloc(sizeof(*ofs));
	if (!ofs)
		return -ENOMEM;
	err = ovl_ihash_init(ofs);
	if (!err)
		err = fc->internal ? ovl_take_internal(fc, ofs) : ovl_parse_options(fc, ofs);
	if (err)
		goto out_ofs;
	err = -ENOMEM;
	ofs->cred = fc->cred ? cred_get(fc->cred) : (fc->task ? cred_get(fc->task->cred) : NULL);
	if (!ofs->cred) {
		err = fc_error(fc, -EINVAL, "overlayfs: no credentials");
		goto out_ofs;
	}
	if (ofs->workbase.mnt) {
		err = ovl_make_workdir(fc, ofs);
		if (err)
			goto out_ofs;
	}
	sb = sb_alloc(fc, &ovl_sops, OVERLAYFS_SUPER_MAGIC);
	if (IS_ERR(sb)) {
		err = (int)PTR_ERR(sb);
		goto out_ofs;
	}
	sb->s_fs_info = ofs;
	if (!ofs->upper.mnt)
		sb->s_flags |= SB_RDONLY;
	err = -ENOMEM;
	lower = vl_malloc(ofs->nr_lower * sizeof(*lower));
	layers = vl_malloc(ofs->nr_lower * sizeof(*layers));
	if (!lower || !layers) {
		vl_free(lower);
		vl_free(layers);
		goto out_sb;
	}
	for (i = 0; i < ofs->nr_lower; i++) {
		struct dentry *d = ofs->lower[i].dentry;

		/* A file root does not merge: only the topmost lower counts. */
		if (i > 0 && !S_ISDIR(d->d_inode->i_mode))
			break;
		lower[n] = d_get(d);
		layers[n++] = (uint32_t)i + 1;
		if (!S_ISDIR(d->d_inode->i_mode))
			break;
	}
	if (ofs->upper.mnt)
		upper = d_get(ofs->upper.dentry);
	root = ovl_new_inode(sb, upper, lower, layers, n, NULL);
	vl_free(lower);
	vl_free(layers);
	if (!root)
		goto out_sb;
	OVL_I(root)->opaque = false; /* the root always merges */
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_sb;
	/* Last: the one step that changes the upper layer (undone by put_super if the
	 * VFS fails to make the mount). */
	if (fc->internal && ofs->upper.mnt) {
		err = ovl_copy_up_root(ofs);
		if (err)
			goto out_sb;
		ovl_copyattr(root);
	}
	*out = sb;
	return 0;

out_sb:
	sb_free_unmounted(sb); /* put_super frees ofs */
	return err;
out_ofs:
	ovl_fs_free(ofs);
	return err;
}

const struct fs_type overlay_fs_type = {
	.name = "overlay",
	.get_tree = ovl_get_tree,
};
