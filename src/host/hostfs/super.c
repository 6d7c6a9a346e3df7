/*
 * super.c - the hostfs filesystem type: mount options, the root, statfs, show_options,
 * and registration in a kernel on the real host.
 *
 * The root is opened once with O_PATH|O_DIRECTORY (following symlinks in the given
 * path: that path is the administrator's, not the sandbox's) and every later access is
 * relative to it or to a descriptor opened beneath it (see sys.c). statfs reports the
 * host filesystem's numbers and type; s_magic is that type too.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/alloc.h"
#include "kernel/internal.h"
#include "internal.h"
#include "vfs/internal.h"

static int hostfs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct statfs hs;
	int saved = errno;

	if (fstatfs(hostfs_fd(sb->s_root->d_inode), &hs) < 0)
		return hostfs_errno(saved);
	st->type = hs.f_type;
	st->bsize = hs.f_bsize;
	st->frsize = hs.f_frsize;
	st->blocks = hs.f_blocks;
	st->bfree = hs.f_bfree;
	st->bavail = hs.f_bavail;
	st->files = hs.f_files;
	st->ffree = hs.f_ffree;
	st->namelen = hs.f_namelen;
	return 0;
}

static void hostfs_put_super(struct super_block *sb)
{
	struct hostfs_sb_info *sbi = sb->s_fs_info;

	if (sbi) {
		vl_free(sbi->root_path);
		vl_free(sbi);
	}
	sb->s_fs_info = NULL;
}

static void hostfs_show_options(struct super_block *sb, struct strbuf *out)
{
	struct hostfs_sb_info *sbi = sb->s_fs_info;

	if (sbi->root_opt)
		sb_printf(out, ",root=%s", sbi->root_path);
}

static const struct super_operations hostfs_sops = {
	.destroy_inode = hostfs_destroy_inode,
	.statfs = hostfs_statfs,
	.put_super = hostfs_put_super,
	.show_options = hostfs_show_options,
};

/* Options: root=HOSTDIR; "ro"/"rw" are normally taken by the VFS before this. */
static int hostfs_parse_options(struct fs_context *fc, const char **root, bool *root_opt)
{
	char *cursor = fc->data, *key, *value;

	while (fs_opt_next(&cursor, &key, &value)) {
		if (strcmp(key, "root") == 0) {
			if (!value || !*value)
				return fc_error(fc, -EINVAL, "hostfs: option 'root' needs a value");
			*root = value;
			*root_opt = true;
		} else if (strcmp(key, "ro") == 0 && !value) {
			fc->sb_flags |= SB_RDONLY;
		} else if (strcmp(key, "rw") == 0 && !value) {
			fc->sb_flags &= ~(uint32_t)SB_RDONLY;
		} else {
			return fc_error(fc, -EINVAL, "hostfs: unknown option '%s'", key);
		}
	}
	return 0;
}

static int hostfs_get_tree(struct fs_context *fc, struct super_block **out)
{
	const char *root = fc->source;
	bool root_opt = false;
	struct hostfs_sb_info *sbi;
	struct super_block *sb;
	struct inode *inode;
	struct statfs hs;
	struct stat st;
	int fd, err, saved = errno;

	err = hostfs_parse_options(fc, &root, &root_opt);
	if (err)
		return err;
	if (!root || !*root || strcmp(root, "none") == 0)
		return fc_error(fc, -EINVAL, "hostfs: no host directory (source or root=)");
	if (root[0] != '/')
		return fc_error(fc, -EINVAL, "hostfs: host directory '%s' is not absolute", root);
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = hostfs_errno(saved);
		return fc_error(fc, err, "hostfs: cannot open host directory '%s'", root);
	}
	err = hostfs_fstat(fd, &st);
	if (!err && fstatfs(fd, &hs) < 0)
		err = hostfs_errno(saved);
	if (err) {
		hostfs_close(fd);
		return err;
	}
	sb = sb_alloc(fc, &hostfs_sops, (int64_t)hs.f_type);
	if (IS_ERR(sb)) {
		hostfs_close(fd);
		return (int)PTR_ERR(sb);
	}
	/* Unused names go at once: host descriptors stay bounded by the names in use, and a
	 * new walk sees the host as it is now. */
	sb->s_flags |= SB_DROP_UNUSED;
	sb->s_blocksize = (uint32_t)st.st_blksize;
	err = -ENOMEM;
	sbi = vl_zalloc(sizeof(*sbi));
	if (!sbi)
		goto out_fd;
	sb->s_fs_info = sbi;
	sbi->root_opt = root_opt;
	sbi->root_path = vl_strdup(root);
	if (!sbi->root_path)
		goto out_fd;
	err = hostfs_new_inode(sb, fd, &st, &inode); /* consumes fd */
	if (err)
		goto out_sb;
	err = -ENOMEM;
	sb->s_root = d_make_root(inode); /* consumes inode, even on failure */
	if (!sb->s_root)
		goto out_sb;
	*out = sb;
	return 0;

out_fd:
	hostfs_close(fd);
out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type hostfs_fs_type = {
	.name = "hostfs",
	.get_tree = hostfs_get_tree,
};

int hostfs_register(struct kernel *k)
{
	struct task *init = kernel_init_task(k);
	int err;

	task_enter(init);
	err = vfs_register_fs_type(k->vfs, &hostfs_fs_type, 0);
	task_leave(init);
	return err;
}
