/*
 * super.c - the tmpfs filesystem type: mount options, superblock construction,
 * statfs, remount and show_options, following Linux's mm/shmem.c.
 *
 * Options (Linux's spelling and parsing): mode=OCTAL (the root's permission bits),
 * uid=N and gid=N (the root's owner; default the mounter's fsuid/fsgid), size=N with an
 * optional k/m/g/t/p/e suffix or a % of the simulated RAM (TMPFS_SIM_RAM_BYTES), the
 * same limit as nr_blocks=N (pages), and nr_inodes=N. A limit of 0 is unlimited; an
 * absent size or nr_inodes gets Linux's default (half of RAM, in pages and inodes).
 * Anything else is refused with EINVAL and a message naming the option.
 *
 * Remount changes only the limits (as shmem_reconfigure: mode, uid and gid are
 * accepted and ignored), refuses to limit an unlimited filesystem and to go below what
 * is in use.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "kernel/internal.h"
#include "internal.h"

/* Options seen in one option string (a remount changes only these). */
#define TMPFS_SEEN_PAGES (1u << 0)
#define TMPFS_SEEN_INODES (1u << 1)

struct tmpfs_opts {
	uint64_t max_pages;
	uint64_t max_inodes;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	unsigned seen;
};

/* Linux caps nr_inodes so that nr_inodes * BOGO_INODE_SIZE (1024) fits. */
#define TMPFS_MAX_INODES_OPT (UINT64_MAX / 1024)

/* ---------------------------------------------------------------------------------- */
/* Option values */

/*
 * An unsigned number as the kernel's simple_strtoull reads it: base 0 means C's
 * prefixes (0x hex, 0 octal, else decimal). *rest is left after the digits. False if
 * there are no digits or the value overflows. Hand-written so no errno is touched.
 */
static bool tmpfs_parse_u64(const char *s, unsigned base, uint64_t *out, const char **rest)
{
	const char *p = s;
	uint64_t v = 0;
	bool any = false;

	if (base == 0) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && p[2] &&
		    strchr("0123456789abcdefABCDEF", p[2])) {
			base = 16;
			p += 2;
		} else {
			base = p[0] == '0' ? 8 : 10;
		}
	}
	for (;; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a') + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A') + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		any = true;
	}
	if (!any)
		return false;
	*out = v;
	*rest = p;
	return true;
}

/* Linux's memparse: a number and an optional binary suffix, K M G T P E (any case). */
static bool tmpfs_memparse(const char *s, uint64_t *out, const char **rest)
{
	const char *p;
	unsigned shift = 0;
	uint64_t v;

	if (!tmpfs_parse_u64(s, 0, &v, &p))
		return false;
	switch (*p) {
	case 'E':
	case 'e': shift = 60; break;
	case 'P':
	case 'p': shift = 50; break;
	case 'T':
	case 't': shift = 40; break;
	case 'G':
	case 'g': shift = 30; break;
	case 'M':
	case 'm': shift = 20; break;
	case 'K':
	case 'k': shift = 10; break;
	default: break;
	}
	if (shift) {
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
		p++;
	}
	*out = v;
	*rest = p;
	return true;
}

/* size=: bytes (rounded up to pages) or a percentage of the simulated RAM. */
static bool tmpfs_parse_size(const char *s, uint64_t *pages)
{
	const char *rest;
	uint64_t bytes;

	if (!tmpfs_memparse(s, &bytes, &rest))
		return false;
	if (*rest == '%') {
		if (bytes > UINT64_MAX / TMPFS_SIM_RAM_BYTES)
			return false;
		bytes = bytes * TMPFS_SIM_RAM_BYTES / 100;
		rest++;
	}
	if (*rest)
		return false;
	*pages = bytes / TMPFS_PAGE_SIZE + (bytes % TMPFS_PAGE_SIZE != 0);
	return true;
}

static bool tmpfs_parse_u32(const char *s, unsigned base, uint32_t *out)
{
	const char *rest;
	uint64_t v;

	if (!tmpfs_parse_u64(s, base, &v, &rest) || *rest || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Parse fc->data into o (which holds the defaults or the current values). */
static int tmpfs_parse_options(struct fs_context *fc, struct tmpfs_opts *o)
{
	char *cursor = fc->data, *key, *value;
	const char *rest;
	bool ok;

	while (fs_opt_next(&cursor, &key, &value)) {
		if (strcmp(key, "mode") == 0) {
			ok = value && tmpfs_parse_u32(value, 8, &o->mode);
			o->mode &= 07777;
		} else if (strcmp(key, "uid") == 0) {
			/* (uid_t)-1 is no user, as make_kuid refuses it. */
			ok = value && tmpfs_parse_u32(value, 0, &o->uid) && o->uid != UINT32_MAX;
		} else if (strcmp(key, "gid") == 0) {
			ok = value && tmpfs_parse_u32(value, 0, &o->gid) && o->gid != UINT32_MAX;
		} else if (strcmp(key, "size") == 0) {
			ok = value && tmpfs_parse_size(value, &o->max_pages);
			o->seen |= TMPFS_SEEN_PAGES;
		} else if (strcmp(key, "nr_blocks") == 0) {
			ok = value && tmpfs_memparse(value, &o->max_pages, &rest) && !*rest &&
			     o->max_pages <= INT64_MAX;
			o->seen |= TMPFS_SEEN_PAGES;
		} else if (strcmp(key, "nr_inodes") == 0) {
			ok = value && tmpfs_memparse(value, &o->max_inodes, &rest) && !*rest &&
			     o->max_inodes <= TMPFS_MAX_INODES_OPT;
			o->seen |= TMPFS_SEEN_INODES;
		} else {
			return fc_error(fc, -EINVAL, "tmpfs: unknown option '%s'", key);
		}
		if (!ok)
			return fc_error(fc, -EINVAL, "tmpfs: bad value '%s' for option '%s'",
					value ? value : "", key);
	}
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Superblock operations */

static int tmpfs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);

	st->type = TMPFS_MAGIC;
	st->bsize = TMPFS_PAGE_SIZE;
	st->frsize = TMPFS_PAGE_SIZE;
	st->namelen = VFS_NAME_MAX;
	/* Unlimited: the counts stay 0, as Linux's shmem_statfs (and simple_statfs). */
	if (sbi->max_pages) {
		st->blocks = sbi->max_pages;
		st->bfree = sbi->max_pages > sbi->used_pages ? sbi->max_pages - sbi->used_pages : 0;
		st->bavail = st->bfree;
	}
	if (sbi->max_inodes) {
		st->files = sbi->max_inodes;
		st->ffree =
			sbi->max_inodes > sbi->used_inodes ? sbi->max_inodes - sbi->used_inodes : 0;
	}
	return 0;
}

static void tmpfs_put_super(struct super_block *sb)
{
	/* Every page must have gone back with its inode; any left is a leak to report. A
	 * superblock whose mount failed early has no private part yet. */
	uint64_t leaked = sb->s_fs_info ? tmpfs_pages_fini(TMPFS_SB(sb)) : 0;

	while (leaked--)
		obj_inc(OBJ_LEAKED_PAGE);
	vl_free(sb->s_fs_info);
	sb->s_fs_info = NULL;
}

static int tmpfs_remount(struct super_block *sb, struct fs_context *fc)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);
	struct tmpfs_opts o = {
		.max_pages = sbi->max_pages,
		.max_inodes = sbi->max_inodes,
		.mode = sbi->mode,
		.uid = sbi->uid,
		.gid = sbi->gid,
	};
	int err = tmpfs_parse_options(fc, &o);

	if (err)
		return err;
	/* Without a limit nothing was counted against one: refuse to start counting. */
	if ((o.seen & TMPFS_SEEN_PAGES) && o.max_pages) {
		if (!sbi->max_pages)
			return fc_error(fc, -EINVAL, "tmpfs: Cannot retroactively limit size");
		if (sbi->used_pages > o.max_pages)
			return fc_error(fc, -EINVAL, "tmpfs: Too small a size for current use");
	}
	if ((o.seen & TMPFS_SEEN_INODES) && o.max_inodes) {
		if (!sbi->max_inodes)
			return fc_error(fc, -EINVAL, "tmpfs: Cannot retroactively limit inodes");
		if (sbi->used_inodes > o.max_inodes)
			return fc_error(fc, -EINVAL, "tmpfs: Too few inodes for current use");
	}
	if (o.seen & TMPFS_SEEN_PAGES)
		sbi->max_pages = o.max_pages;
	if (o.seen & TMPFS_SEEN_INODES)
		sbi->max_inodes = o.max_inodes;
	return 0;
}

/* What Linux's shmem_show_options prints: what differs from the defaults. */
static void tmpfs_show_options(struct super_block *sb, struct strbuf *out)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);

	if (sbi->max_pages != TMPFS_DEFAULT_MAX_PAGES)
		sb_printf(out, ",size=%lluk",
			  (unsigned long long)sbi->max_pages << (TMPFS_PAGE_SHIFT - 10));
	if (sbi->max_inodes != TMPFS_DEFAULT_MAX_INODES)
		sb_printf(out, ",nr_inodes=%llu", (unsigned long long)sbi->max_inodes);
	if (sbi->mode != TMPFS_DEFAULT_DIR_MODE)
		sb_printf(out, ",mode=%03o", sbi->mode);
	if (sbi->uid != 0)
		sb_printf(out, ",uid=%u", sbi->uid);
	if (sbi->gid != 0)
		sb_printf(out, ",gid=%u", sbi->gid);
}

static const struct super_operations tmpfs_sops = {
	.destroy_inode = tmpfs_destroy_inode,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
	.remount = tmpfs_remount,
	.show_options = tmpfs_show_options,
};

/* ---------------------------------------------------------------------------------- */
/* Mounting */

static int tmpfs_get_tree(struct fs_context *fc, struct super_block **out)
{
	const struct tmpfs_internal_opts *iopts = fc->internal;
	uint32_t root_type = S_IFDIR;
	struct tmpfs_opts o = {
		.max_pages = TMPFS_DEFAULT_MAX_PAGES,
		.max_inodes = TMPFS_DEFAULT_MAX_INODES,
	};
	struct vfs_new_inode ni;
	struct tmpfs_sb_info *sbi;
	struct super_block *sb;
	struct inode *root;
	int err;

	if (iopts && iopts->root_type)
		root_type = iopts->root_type;
	if (root_type != S_IFDIR && root_type != S_IFREG)
		return fc_error(fc, -EINVAL, "tmpfs: unsupported root type 0%o", root_type);
	o.mode = root_type == S_IFDIR ? TMPFS_DEFAULT_DIR_MODE : TMPFS_DEFAULT_REG_MODE;
	/* Linux: the root belongs to the mounter's filesystem ids unless uid=/gid=. */
	if (fc->cred) {
		o.uid = fc->cred->fsuid;
		o.gid = fc->cred->fsgid;
	}
	err = tmpfs_parse_options(fc, &o);
	if (err)
		return err;

	sb = sb_alloc(fc, &tmpfs_sops, TMPFS_MAGIC);
	if (IS_ERR(sb))
		return (int)PTR_ERR(sb);
	sb->s_blocksize = TMPFS_PAGE_SIZE;
	err = -ENOMEM;
	sbi = vl_zalloc(sizeof(*sbi));
	if (!sbi)
		goto out_sb;
	sb->s_fs_info = sbi;
	sbi->max_pages = o.max_pages;
	sbi->max_inodes = o.max_inodes;
	sbi->mode = o.mode;
	sbi->uid = o.uid;
	sbi->gid = o.gid;

	ni = (struct vfs_new_inode){ .mode = root_type | o.mode, .uid = o.uid, .gid = o.gid };
	err = tmpfs_new_inode(sb, &ni, &root);
	if (err)
		goto out_sb;
	err = -ENOMEM;
	sb->s_root = d_make_root(root); /* consumes root, even on failure */
	if (!sb->s_root)
		goto out_sb;
	*out = sb;
	return 0;

out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type tmpfs_fs_type = {
	.name = "tmpfs",
	.get_tree = tmpfs_get_tree,
};
