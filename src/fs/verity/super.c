/*
 * super.c - the verity filesystem type: options, the trusted root, violations, statfs and
 * show_options (gVisor's fsimpl/verity/verity.go GetFilesystem).
 *
 * Options: lowerdir=PATH (required; resolved from the mounting task), roothash=HEX (64 hex
 * digits: the SHA-256 of the root directory's descriptor), action=error|panic, root_name=N
 * (the root's Merkle file is ".merkleroot.verity.N" in the lower root; "root" by default),
 * cache_size=SIZE (the bound of the cache of verified blocks, cache.c: bytes, with an
 * optional k, m or g suffix; 0 caches nothing; 8m by default). The mount is always read-only. With a root hash the root directory is verified before
 * the mount exists: a mount that cannot be trusted is never made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

int verity_violation(struct super_block *sb, const char *what, const char *name)
{
	struct verity_fs *fs = VERITY_FS(sb);

	vfs_log(sb->s_vfs, HOST_LOG_ERROR, "verity: violation: %s: %s", name ? name : "?", what);
	if (fs->panic)
		abort(); /* action=panic: the sandbox must not go on with tampered data */
	return -EIO;
}

/* ---------------------------------------------------------------------------------- */
/* Superblock operations */

static int verity_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct verity_fs *fs = VERITY_FS(sb);
	struct super_block *lsb = fs->lower.dentry->d_sb;
	int err = 0;

	if (lsb->s_op->statfs)
		err = lsb->s_op->statfs(lsb, st);
	st->type = VERITY_SUPER_MAGIC;
	return err;
}

static void verity_fs_free(struct verity_fs *fs)
{
	if (fs->lower.mnt)
		path_put(&fs->lower);
	if (fs->cred)
		cred_put(fs->cred);
	vl_free(fs->root_name);
	vl_free(fs->opt_lowerdir);
	vl_free(fs->opt_roothash);
	verity_cache_fini(&fs->cache);
	vl_free(fs);
}

static void verity_put_super(struct super_block *sb)
{
	if (sb->s_fs_info)
		verity_fs_free(sb->s_fs_info);
	sb->s_fs_info = NULL;
}

static void verity_show_options(struct super_block *sb, struct strbuf *out)
{
	struct verity_fs *fs = VERITY_FS(sb);

	if (fs->opt_lowerdir)
		sb_printf(out, ",lowerdir=%s", fs->opt_lowerdir);
	if (fs->opt_roothash)
		sb_printf(out, ",roothash=%s", fs->opt_roothash);
	sb_printf(out, ",action=%s", fs->panic ? "panic" : "error");
	if (strcmp(fs->root_name, VERITY_DEFAULT_ROOT_NAME))
		sb_printf(out, ",root_name=%s", fs->root_name);
	if (fs->cache.max_bytes != VERITY_DEFAULT_CACHE_SIZE)
		sb_printf(out, ",cache_size=%llu", (unsigned long long)fs->cache.max_bytes);
}

static const struct super_operations verity_sops = {
	.destroy_inode = verity_destroy_inode,
	.statfs = verity_statfs,
	.put_super = verity_put_super,
	.show_options = verity_show_options,
};

/* ---------------------------------------------------------------------------------- */
/* Options */

static int verity_set_root_hash(struct fs_context *fc, struct verity_fs *fs, const char *hex)
{
	int n = merkle_parse_hex(hex, fs->root_hash, sizeof(fs->root_hash));

	if (n != VERITY_DIR_DIGEST_SIZE)
		return fc_error(fc, -EINVAL, "verity: bad roothash '%s' (64 hex digits)", hex);
	fs->opt_roothash = vl_strdup(hex);
	if (!fs->opt_roothash)
		return -ENOMEM;
	fs->verify = true;
	return 0;
}

static int verity_set_action(struct fs_context *fc, struct verity_fs *fs, const char *v)
{
	if (!strcmp(v, "error"))
		fs->panic = false;
	else if (!strcmp(v, "panic"))
		fs->panic = true;
	else
		return fc_error(fc, -EINVAL, "verity: bad action '%s' (error or panic)", v);
	return 0;
}

static int verity_set_root_name(struct fs_context *fc, struct verity_fs *fs, const char *v)
{
	if (!*v || strchr(v, '/') || strlen(v) + VERITY_ROOT_PREFIX_LEN > 255)
		return fc_error(fc, -EINVAL, "verity: bad root_name '%s'", v);
	vl_free(fs->root_name);
	fs->root_name = vl_strdup(v);
	return fs->root_name ? 0 : -ENOMEM;
}

/* cache_size=: decimal bytes with an optional k, m or g (binary) suffix, at most 1 TiB. */
static int verity_set_cache_size(struct fs_context *fc, struct verity_fs *fs, const char *v)
{
	uint64_t n = 0;
	const char *p = v;
	unsigned shift = 0;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_C(1) << 40))
			goto bad;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case 'k':
	case 'K':
		shift = 10;
		p++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		p++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		p++;
		break;
	default: break;
	}
	if (*p || n > (UINT64_C(1) << 40) >> shift)
		goto bad;
	fs->cache.max_bytes = n << shift;
	return 0;
bad:
	return fc_error(fc, -EINVAL,
			"verity: bad cache_size '%s' (bytes, k, m or g; at most 1024g)", v);
}

static int verity_parse_options(struct fs_context *fc, struct verity_fs *fs)
{
	char *cursor = fc->data, *key, *value;
	int err;

	while (fs_opt_next(&cursor, &key, &value)) {
		if (!value)
			return fc_error(fc, -EINVAL, "verity: option '%s' needs a value", key);
		if (!strcmp(key, "lowerdir")) {
			if (fs->lower.mnt || !fc->task || !*value)
				return fc_error(fc, -EINVAL, "verity: bad 'lowerdir'");
			fs->opt_lowerdir = vl_strdup(value);
			if (!fs->opt_lowerdir)
				return -ENOMEM;
			err = path_lookupat(fc->task, AT_FDCWD, value, LOOKUP_FOLLOW, &fs->lower);
			if (err) {
				fs->lower = (struct path){ NULL, NULL };
				return fc_error(fc, err, "verity: failed to resolve '%s'", value);
			}
		} else if (!strcmp(key, "roothash")) {
			err = verity_set_root_hash(fc, fs, value);
		} else if (!strcmp(key, "action")) {
			err = verity_set_action(fc, fs, value);
		} else if (!strcmp(key, "root_name")) {
			err = verity_set_root_name(fc, fs, value);
		} else if (!strcmp(key, "cache_size")) {
			err = verity_set_cache_size(fc, fs, value);
		} else {
			return fc_error(fc, -EINVAL, "verity: unrecognized mount option \"%s\"",
					key);
		}
		if (err)
			return err;
	}
	if (!fs->lower.mnt)
		return fc_error(fc, -EINVAL, "verity: missing 'lowerdir'");
	return 0;
}

static int verity_take_internal(struct fs_context *fc, struct verity_fs *fs)
{
	const struct verity_internal_opts *io = fc->internal;
	int err = 0;

	if (!io->lower_root.mnt || !io->lower_root.dentry)
		return fc_error(fc, -EINVAL, "verity: missing lower root");
	fs->lower = io->lower_root;
	path_get(&fs->lower);
	if (io->root_hash)
		err = verity_set_root_hash(fc, fs, io->root_hash);
	if (!err && io->action)
		err = verity_set_action(fc, fs, io->action);
	if (!err && io->root_name)
		err = verity_set_root_name(fc, fs, io->root_name);
	if (!err && io->cache_size)
		err = verity_set_cache_size(fc, fs, io->cache_size);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* Mounting */

static int verity_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct verity_fs *fs;
	struct super_block *sb;
	struct inode *root;
	struct dentry *m;
	int err;

	fs = vl_zalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	verity_cache_init(&fs->cache, VERITY_DEFAULT_CACHE_SIZE);
	fs->root_name = vl_strdup(VERITY_DEFAULT_ROOT_NAME);
	if (!fs->root_name) {
		err = -ENOMEM;
		goto out_fs;
	}
	err = fc->internal ? verity_take_internal(fc, fs) : verity_parse_options(fc, fs);
	if (err)
		goto out_fs;
	if (!d_is_dir(fs->lower.dentry)) {
		err = fc_error(fc, -ENOTDIR, "verity: the lower root is not a directory");
		goto out_fs;
	}
	fs->cred = fc->cred ? cred_get(fc->cred) : (fc->task ? cred_get(fc->task->cred) : NULL);
	if (!fs->cred) {
		err = fc_error(fc, -EINVAL, "verity: no credentials");
		goto out_fs;
	}
	sb = sb_alloc(fc, &verity_sops, VERITY_SUPER_MAGIC);
	if (IS_ERR(sb)) {
		err = (int)PTR_ERR(sb);
		goto out_fs;
	}
	sb->s_fs_info = fs;
	sb->s_flags |= SB_RDONLY;
	err = -ENOMEM;
	root = verity_new_inode(sb, d_get(fs->lower.dentry));
	if (!root)
		goto out_sb;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_sb;
	if (fs->verify) {
		m = verity_merkle_lookup(sb->s_root);
		if (IS_ERR(m)) {
			err = (int)PTR_ERR(m);
			goto out_sb;
		}
		err = verity_load_dir(sb, VERITY_I(root), m, fs->root_hash, "/");
		d_put(m);
		if (err) {
			fc_error(fc, err, "verity: the root does not match roothash");
			goto out_sb;
		}
	}
	*out = sb;
	return 0;

out_sb:
	sb_free_unmounted(sb); /* put_super frees fs */
	return err;
out_fs:
	verity_fs_free(fs);
	return err;
}

const struct fs_type verity_fs_type = {
	.name = "verity",
	.get_tree = verity_get_tree,
};
