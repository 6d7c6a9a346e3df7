/*
 * sysfs.c - the sysfs superblock and its tree (see sysfs.h), built once per mount with
 * the kernfs helpers; the contents never change, so every file is static text.
 */
#include <errno.h>
#include <stdio.h>

#include "base/alloc.h"
#include "kernfs.h"
#include "vfs/internal.h"
#include "sysfs.h"

#define SYSFS_DIR_MODE 0755
#define SYSFS_FILE_MODE 0444

/* The strings the tree shows, made once per superblock (they depend on the CPU count). */
struct sysfs_sb_info {
	unsigned ncpus;
	char cpu_range[32];		/* "0-N\n" as gVisor's cpuFile */
	char full_mask[16];		/* every CPU, Linux's bitmap_print_to_pagebuf */
	char one_mask[SYSFS_MAX_CPUS][16]; /* CPU k alone */
};

static void sysfs_put_super(struct super_block *sb)
{
	vl_free(sb->s_fs_info);
	sb->s_fs_info = NULL;
}

static int sysfs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	(void)sb;
	st->type = SYSFS_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = VFS_NAME_MAX;
	return 0;
}

static const struct super_operations sysfs_sops = {
	.destroy_inode = kernfs_destroy_inode,
	.statfs = sysfs_statfs,
	.put_super = sysfs_put_super,
};

/* Hex masks of up to 32 CPUs (all the simulation needs), as gVisor's fullCPUMask and
 * oneCPUMask print them. */
static void sysfs_masks(struct sysfs_sb_info *si)
{
	unsigned n = si->ncpus, k;
	unsigned width = (n + 3) / 4;
	uint32_t full = n >= 32 ? 0xffffffffu : (1u << n) - 1;

	snprintf(si->cpu_range, sizeof(si->cpu_range), "0-%u\n", n - 1);
	snprintf(si->full_mask, sizeof(si->full_mask), "%x\n", full);
	for (k = 0; k < n; k++) {
		char hex[16];

		/* Zero-padded to the mask's width (at most 8 digits for 32 CPUs). */
		snprintf(hex, sizeof(hex), "%08x", 1u << k);
		snprintf(si->one_mask[k], sizeof(si->one_mask[k]), "%s\n", hex + 8 - width);
	}
}

static int sysfs_cpu_dir(struct dentry *system, struct sysfs_sb_info *si)
{
	static const char *const ranges[] = { "online", "possible", "present" };
	struct dentry *cpu = kernfs_mkdir(system, "cpu", SYSFS_DIR_MODE, NULL);
	unsigned k, i;
	int err = 0;

	if (IS_ERR(cpu))
		return (int)PTR_ERR(cpu);
	for (k = 0; k < si->ncpus && !err; k++) {
		struct dentry *c, *topo;
		char name[16];

		snprintf(name, sizeof(name), "cpu%u", k);
		c = kernfs_mkdir(cpu, name, SYSFS_DIR_MODE, NULL);
		if (IS_ERR(c))
			return (int)PTR_ERR(c);
		topo = kernfs_mkdir(c, "topology", SYSFS_DIR_MODE, NULL);
		if (IS_ERR(topo))
			return (int)PTR_ERR(topo);
		/* One socket, a core per CPU, as gVisor pretends for /proc/cpuinfo. */
		err = kernfs_static(topo, "core_cpus", SYSFS_FILE_MODE, si->one_mask[k]);
		if (!err)
			err = kernfs_static(topo, "core_siblings", SYSFS_FILE_MODE, si->full_mask);
		if (!err)
			err = kernfs_static(topo, "package_cpus", SYSFS_FILE_MODE, si->full_mask);
		if (!err)
			err = kernfs_static(topo, "thread_siblings", SYSFS_FILE_MODE,
					    si->one_mask[k]);
	}
	for (i = 0; i < ARRAY_SIZE(ranges) && !err; i++)
		err = kernfs_static(cpu, ranges[i], SYSFS_FILE_MODE, si->cpu_range);
	return err;
}

/* gVisor's tree (sys.go GetFilesystem), in name order. */
static int sysfs_fill(struct dentry *root, struct sysfs_sb_info *si)
{
	static const char *const plain[] = { "block", "bus", "class", "dev", "devices",
					     "firmware", "fs", "kernel", "module", "power" };
	struct dentry *d[ARRAY_SIZE(plain)], *x;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		d[i] = kernfs_mkdir(root, plain[i], SYSFS_DIR_MODE, NULL);
		if (IS_ERR(d[i]))
			return (int)PTR_ERR(d[i]);
	}
	x = kernfs_mkdir(d[2], "power_supply", SYSFS_DIR_MODE, NULL);		/* class */
	if (!IS_ERR(x))
		x = kernfs_mkdir(d[3], "block", SYSFS_DIR_MODE, NULL);		/* dev */
	if (!IS_ERR(x))
		x = kernfs_mkdir(d[3], "char", SYSFS_DIR_MODE, NULL);
	if (!IS_ERR(x))
		x = kernfs_mkdir(d[6], "cgroup", SYSFS_DIR_MODE, NULL);		/* fs */
	if (!IS_ERR(x))
		x = kernfs_mkdir(d[4], "system", SYSFS_DIR_MODE, NULL);		/* devices */
	if (IS_ERR(x))
		return (int)PTR_ERR(x);
	return sysfs_cpu_dir(x, si);
}

static int sysfs_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct sysfs_sb_info *si;
	struct super_block *sb;
	struct inode *root;
	int err = -ENOMEM;

	sb = sb_alloc(fc, &sysfs_sops, SYSFS_MAGIC);
	if (IS_ERR(sb))
		return (int)PTR_ERR(sb);
	si = vl_zalloc(sizeof(*si));
	if (!si)
		goto out_sb;
	sb->s_fs_info = si;
	{
		struct host *h = fc->vfs->host;
		unsigned n = h->ops->ncpus(h);

		si->ncpus = n < 1 ? 1 : (n > SYSFS_MAX_CPUS ? SYSFS_MAX_CPUS : n);
	}
	sysfs_masks(si);
	root = kernfs_root_inode(sb, SYSFS_DIR_MODE, NULL);
	if (!root)
		goto out_sb;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_sb;
	err = sysfs_fill(sb->s_root, si);
	if (err)
		goto out_sb;
	*out = sb;
	return 0;
out_sb:
	sb_free_unmounted(sb);
	return err;
}

const struct fs_type sysfs_fs_type = {
	.name = "sysfs",
	.get_tree = sysfs_get_tree,
};
