/*
 * super.c - superblocks: allocation with anonymous device numbers, teardown, and the
 * helpers filesystems use while building one (option splitting, error messages).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "internal.h"

struct super_block *sb_alloc(struct fs_context *fc, const struct super_operations *ops,
			     int64_t magic)
{
	struct super_block *sb = vl_zalloc(sizeof(*sb));
	int minor;

	if (!sb)
		return ERR_PTR(-ENOMEM);
	/* Anonymous devices are 0:N, the lowest free N from 1 (Linux's get_anon_bdev). */
	minor = ida_alloc_min(&fc->vfs->anon_minors, 1);
	if (minor < 0) {
		vl_free(sb);
		return ERR_PTR(minor);
	}
	if (fc->source) {
		sb->s_source = vl_strdup(fc->source);
		if (!sb->s_source) {
			ida_free(&fc->vfs->anon_minors, minor);
			vl_free(sb);
			return ERR_PTR(-ENOMEM);
		}
	}
	sb->s_op = ops;
	sb->s_type = fc->type;
	sb->s_vfs = fc->vfs;
	sb->s_magic = magic;
	sb->s_blocksize = 4096;
	sb->s_flags = fc->sb_flags & SB_RDONLY;
	sb->s_dev = VFS_MKDEV(0, (uint32_t)minor);
	obj_inc(OBJ_SUPER);
	return sb;
}

static void super_destroy(struct super_block *sb)
{
	if (sb->s_root)
		shrink_dcache_sb(sb);
	if (sb->s_op->put_super)
		sb->s_op->put_super(sb);
	vl_free(sb->s_source);
	ida_free(&sb->s_vfs->anon_minors, (int)VFS_MINOR(sb->s_dev));
	obj_dec(OBJ_SUPER);
	vl_free(sb);
}

void sb_free_unmounted(struct super_block *sb)
{
	super_destroy(sb);
}

void deactivate_super(struct super_block *sb)
{
	if (--sb->s_active > 0)
		return;
	super_destroy(sb);
}

int fc_error(struct fs_context *fc, int err, const char *fmt, ...)
{
	va_list ap;

	if (fc->errmsg) {
		sb_reset(fc->errmsg);
		va_start(ap, fmt);
		sb_vprintf(fc->errmsg, fmt, ap);
		va_end(ap);
	}
	return err;
}

bool fs_opt_next(char **cursor, char **key, char **value)
{
	char *s = *cursor, *comma, *eq;

	while (s && *s == ',')
		s++;
	if (!s || !*s)
		return false;
	comma = strchr(s, ',');
	if (comma) {
		*comma = '\0';
		*cursor = comma + 1;
	} else {
		*cursor = s + strlen(s);
	}
	eq = strchr(s, '=');
	if (eq) {
		*eq = '\0';
		*value = eq + 1;
	} else {
		*value = NULL;
	}
	*key = s;
	return true;
}

/*
 * Linux's vfs_parse_sb_flag(): words of the option string that are the VFS's, not the
 * filesystem's. They are removed from data in place; "ro"/"rw" set or clear SB_RDONLY,
 * the others are accepted and have no effect in memory.
 */
void fs_strip_sb_flags(char *data, uint32_t *sb_flags)
{
	static const char *const generic[] = { "sync",	   "async",   "dirsync", "lazytime",
					       "nolazytime", "mand",    "nomand",  "silent",
					       "ro",	   "rw" };
	char *out = data, *s = data;
	size_t i;

	while (s && *s) {
		size_t len = strcspn(s, ",");
		bool drop = false;

		for (i = 0; i < ARRAY_SIZE(generic); i++) {
			if (strlen(generic[i]) == len && strncmp(s, generic[i], len) == 0) {
				drop = true;
				if (strcmp(generic[i], "ro") == 0)
					*sb_flags |= SB_RDONLY;
				else if (strcmp(generic[i], "rw") == 0)
					*sb_flags &= ~(uint32_t)SB_RDONLY;
				break;
			}
		}
		if (!drop && len) {
			if (out != data)
				*out++ = ',';
			memmove(out, s, len);
			out += len;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	if (out)
		*out = '\0';
}
