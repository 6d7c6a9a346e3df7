/*
 * cgroupfs.c - cgroup v1 hierarchies (see cgroupfs.h), built on the kernfs helpers: a
 * cgroup directory's node carries its controller values (struct cgroupfs_state), and
 * each control file points at the value it shows.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "fs/sys/kernfs.h"
#include "kernel/internal.h"
#include "vfs/internal.h"
#include "cgroupfs.h"

enum cgroupfs_ctl { CG_CPU, CG_CPUACCT, CG_CPUSET, CG_DEVICES, CG_JOB, CG_MEMORY, CG_PIDS, CG_NR };

static const char *const cgroupfs_ctl_names[CG_NR] = {
	"cpu", "cpuacct", "cpuset", "devices", "job", "memory", "pids",
};

#define CG_ALL ((1u << CG_NR) - 1)
#define CG_VALUE_MAX 64
#define CG_DEV_RULES_MAX 1024

struct cgroupfs_state;

/* A task moved out of the root cgroup of a hierarchy. */
struct cg_member {
	int pid;
	struct cgroupfs_state *cg;
};

/*
 * One hierarchy: one superblock, shared by every mount of its controller set.
 * Protected by: vfs->lock, except link, which cg_registry_lock protects.
 */
struct cgroupfs_sb_info {
	unsigned controllers;	/* bit per enum cgroupfs_ctl */
	struct kernel *k;	/* whose tasks the root holds, or NULL */
	struct vfs *vfs;
	struct super_block *sb;
	int id;			/* the hierarchy ID, from 1, lowest free in the vfs */
	int nr_cgroups;		/* /proc/cgroups' num_cgroups: the root and its descendants */
	struct cg_member *members; /* tasks not in the root, in no order */
	size_t nr_members, max_members;
	struct list_head link;	/* in cg_hierarchies, once registered */
};

/*
 * The hierarchies of every kernel of the process (each entry says its vfs). Separate
 * kernels run in parallel under separate VFS locks, so the list has a lock of its own;
 * it is taken with a VFS lock held, never the other way round, and guards the linkage
 * only: an entry's fields are its VFS's.
 */
static pthread_mutex_t cg_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head cg_hierarchies = LIST_HEAD_INIT(cg_hierarchies);

/* A cgroup's controller values. Protected by: vfs->lock. */
struct cgroupfs_state {
	bool is_root;
	struct cgroupfs_state *parent;	/* NULL for the root */
	struct dentry *dentry;		/* its directory (kept by the dcache until rmdir) */
	int64_t cfs_period_us, cfs_quota_us, shares;
	int64_t job_id;
	int64_t limit_bytes, soft_limit_bytes, move_charge;
	int64_t pids_max;	/* -1: "max" */
	char cpus[CG_VALUE_MAX], mems[CG_VALUE_MAX];
	bool dev_default_allow;
	char dev_rules[CG_DEV_RULES_MAX];	/* "c 1:3 rwm\n" lines */
};

static struct cgroupfs_sb_info *CG_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* The state of the cgroup a control file belongs to. */
static struct cgroupfs_state *cg_state(struct kernfs_node *kn)
{
	return kn->priv;
}

/* The text of one write without its trailing newline, as Linux's strstrip. */
static size_t cg_trim(const char *buf, size_t len)
{
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	return len;
}

static bool cg_parse_i64(const char *buf, size_t len, int64_t *out)
{
	char tmp[32], *end;
	long long v;

	len = cg_trim(buf, len);
	if (!len || len >= sizeof(tmp))
		return false;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	v = strtoll(tmp, &end, 10);
	if (*end || (tmp[0] != '-' && (tmp[0] < '0' || tmp[0] > '9')))
		return false;
	*out = v;
	return true;
}

/* ---------------------------------------------------------------------------------- */
/* Control files */

/* Integer files: priv points into the cgroup's state; kn->text is unused. */
static int cg_int_show(struct kernfs_node *kn, struct strbuf *out)
{
	sb_printf(out, "%" PRId64 "\n", *(int64_t *)kn->priv);
	return 0;
}

static ssize_t cg_int_store(struct kernfs_node *kn, const char *buf, size_t len)
{
	int64_t v;

	if (!cg_parse_i64(buf, len, &v))
		return -EINVAL;
	*(int64_t *)kn->priv = v;
	return (ssize_t)len;
}

static const struct kernfs_file_ops cg_int_ops = { .show = cg_int_show, .store = cg_int_store };

static int cg_pids_max_show(struct kernfs_node *kn, struct strbuf *out)
{
	int64_t v = *(int64_t *)kn->priv;

	if (v < 0)
		sb_adds(out, "max\n");
	else
		sb_printf(out, "%" PRId64 "\n", v);
	return 0;
}

static ssize_t cg_pids_max_store(struct kernfs_node *kn, const char *buf, size_t len)
{
	size_t n = cg_trim(buf, len);
	int64_t v;

	if (n == 3 && memcmp(buf, "max", 3) == 0)
		v = -1;
	else if (!cg_parse_i64(buf, len, &v) || v < 0)
		return -EINVAL;
	*(int64_t *)kn->priv = v;
	return (ssize_t)len;
}

static const struct kernfs_file_ops cg_pids_max_ops = {
	.show = cg_pids_max_show,
	.store = cg_pids_max_store,
};

/* cpuset.cpus / cpuset.mems: a CPU list ("0-3,5"); priv is the string. */
static int cg_list_show(struct kernfs_node *kn, struct strbuf *out)
{
	sb_printf(out, "%s\n", (char *)kn->priv);
	return 0;
}

static ssize_t cg_list_store(struct kernfs_node *kn, const char *buf, size_t len)
{
	size_t n = cg_trim(buf, len), i;

	if (n >= CG_VALUE_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789,-", buf[i]))
			return -EINVAL;
	memcpy(kn->priv, buf, n);
	((char *)kn->priv)[n] = '\0';
	return (ssize_t)len;
}

static const struct kernfs_file_ops cg_list_ops = { .show = cg_list_show, .store = cg_list_store };

/* Task membership. A task the member map does not name is in the root cgroup. */

static bool cg_task_alive(struct kernel *k, int pid)
{
	struct list_head *p;

	list_for_each(p, &k->tasks)
		if (list_entry(p, struct task, tasks)->pid == pid)
			return true;
	return false;
}

static struct cg_member *cg_member_find(struct cgroupfs_sb_info *si, int pid)
{
	size_t i;

	for (i = 0; i < si->nr_members; i++)
		if (si->members[i].pid == pid)
			return &si->members[i];
	return NULL;
}

static void cg_member_drop(struct cgroupfs_sb_info *si, struct cg_member *m)
{
	*m = si->members[--si->nr_members];
}

/* Forget the tasks that exited (PIDs are never reused, so an entry of a dead task only
 * wastes space and would pin a cgroup against rmdir). */
static void cg_members_prune(struct cgroupfs_sb_info *si)
{
	size_t i = 0;

	while (i < si->nr_members) {
		if (si->k && cg_task_alive(si->k, si->members[i].pid))
			i++;
		else
			cg_member_drop(si, &si->members[i]);
	}
}

static struct cgroupfs_state *cg_task_cgroup(struct cgroupfs_sb_info *si, int pid)
{
	struct cg_member *m = cg_member_find(si, pid);

	return m ? m->cg : KERNFS_N(si->sb->s_root->d_inode)->priv;
}

static bool cg_is_descendant(const struct cgroupfs_state *cg, const struct cgroupfs_state *of)
{
	for (; cg; cg = cg->parent)
		if (cg == of)
			return true;
	return false;
}

static int cg_pid_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* cgroup.procs and tasks: the member PIDs, sorted (every task leads its own group). */
static int cg_procs_show(struct kernfs_node *kn, struct strbuf *out)
{
	struct cgroupfs_sb_info *si = CG_SB(kn->vfs_inode.i_sb);
	struct cgroupfs_state *st = cg_state(kn);
	struct list_head *p;
	size_t n = 0, i;
	int *pids;

	if (!si->k)
		return 0;
	list_for_each(p, &si->k->tasks)
		n++;
	pids = vl_malloc((n ? n : 1) * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	n = 0;
	list_for_each(p, &si->k->tasks) {
		int pid = list_entry(p, struct task, tasks)->pid;

		if (cg_task_cgroup(si, pid) == st)
			pids[n++] = pid;
	}
	qsort(pids, n, sizeof(*pids), cg_pid_cmp);
	for (i = 0; i < n; i++)
		sb_printf(out, "%d\n", pids[i]);
	vl_free(pids);
	return 0;
}

/* Move a task (0: the writer, as Linux) into this cgroup. */
static ssize_t cg_procs_store(struct kernfs_node *kn, const char *buf, size_t len)
{
	struct cgroupfs_sb_info *si = CG_SB(kn->vfs_inode.i_sb);
	struct cgroupfs_state *st = cg_state(kn);
	struct cg_member *m;
	int64_t pid;

	if (!cg_parse_i64(buf, len, &pid) || pid < 0 || pid > INT32_MAX)
		return -EINVAL;
	if (!si->k)
		return -ESRCH;
	if (pid == 0) {
		struct task *cur = vfs_current(si->k->vfs);

		if (!cur)
			return -ESRCH;
		pid = cur->pid;
	}
	if (!cg_task_alive(si->k, (int)pid))
		return -ESRCH;
	cg_members_prune(si);
	m = cg_member_find(si, (int)pid);
	if (st->is_root) {
		if (m)
			cg_member_drop(si, m);
		return (ssize_t)len;
	}
	if (m) {
		m->cg = st;
		return (ssize_t)len;
	}
	if (si->nr_members == si->max_members) {
		size_t max = si->max_members ? 2 * si->max_members : 8;
		struct cg_member *nm = vl_realloc(si->members, max * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		si->members = nm;
		si->max_members = max;
	}
	si->members[si->nr_members++] = (struct cg_member){ (int)pid, st };
	return (ssize_t)len;
}

static const struct kernfs_file_ops cg_procs_ops = {
	.show = cg_procs_show,
	.store = cg_procs_store,
};

/* pids.current: the tasks in the cgroup and its descendants, as Linux charges them. */
static int cg_pids_current_show(struct kernfs_node *kn, struct strbuf *out)
{
	struct cgroupfs_sb_info *si = CG_SB(kn->vfs_inode.i_sb);
	struct list_head *p;
	int n = 0;

	if (si->k)
		list_for_each(p, &si->k->tasks) {
			int pid = list_entry(p, struct task, tasks)->pid;

			if (cg_is_descendant(cg_task_cgroup(si, pid), cg_state(kn)))
				n++;
		}
	sb_printf(out, "%d\n", n);
	return 0;
}

static const struct kernfs_file_ops cg_pids_current_ops = { .show = cg_pids_current_show };

/* devices: gVisor's devicesController, with rules kept as text lines. */
static int cg_devices_list_show(struct kernfs_node *kn, struct strbuf *out)
{
	struct cgroupfs_state *st = cg_state(kn);

	if (st->dev_rules[0])
		sb_adds(out, st->dev_rules);
	else if (st->dev_default_allow)
		sb_adds(out, "a *:* rwm\n");
	return 0;
}

static bool cg_dev_number_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 1 && s[0] == '*')
		return true;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* "TYPE MAJOR:MINOR PERMS" with TYPE a|b|c, numbers or "*", PERMS of r, w, m. */
static bool cg_dev_rule_ok(const char *r, size_t n)
{
	const char *colon, *sp;
	size_t i;

	if (n < 2 || !strchr("abc", r[0]) || r[1] != ' ')
		return false;
	colon = memchr(r + 2, ':', n - 2);
	sp = colon ? memchr(colon, ' ', (size_t)(r + n - colon)) : NULL;
	if (!colon || !sp || !cg_dev_number_ok(r + 2, (size_t)(colon - r - 2)) ||
	    !cg_dev_number_ok(colon + 1, (size_t)(sp - colon - 1)))
		return false;
	for (i = (size_t)(sp + 1 - r); i < n; i++)
		if (!strchr("rwm", r[i]))
			return false;
	return (size_t)(sp + 1 - r) < n;
}

static ssize_t cg_devices_write(struct kernfs_node *kn, const char *buf, size_t len, bool allow)
{
	struct cgroupfs_state *st = cg_state(kn);
	size_t n = cg_trim(buf, len), have = strlen(st->dev_rules);
	char line[128], *hit;

	if (n == 1 && buf[0] == 'a') {
		/* "a": every device, resetting the rules (allow-all or deny-all). */
		st->dev_default_allow = allow;
		st->dev_rules[0] = '\0';
		return (ssize_t)len;
	}
	if (!cg_dev_rule_ok(buf, n) || n + 2 > sizeof(line))
		return -EINVAL;
	memcpy(line, buf, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	hit = strstr(st->dev_rules, line);
	if (allow != st->dev_default_allow) {
		/* An exception: recorded once. */
		if (hit)
			return (ssize_t)len;
		if (have + n + 2 > sizeof(st->dev_rules))
			return -ENOSPC;
		memcpy(st->dev_rules + have, line, n + 2);
	} else if (hit) {
		/* The default again: the exception goes. */
		memmove(hit, hit + n + 1, strlen(hit + n + 1) + 1);
	}
	return (ssize_t)len;
}

static ssize_t cg_devices_allow(struct kernfs_node *kn, const char *buf, size_t len)
{
	return cg_devices_write(kn, buf, len, true);
}

static ssize_t cg_devices_deny(struct kernfs_node *kn, const char *buf, size_t len)
{
	return cg_devices_write(kn, buf, len, false);
}

static int cg_empty_show(struct kernfs_node *kn, struct strbuf *out)
{
	(void)kn, (void)out;
	return 0;
}

static const struct kernfs_file_ops cg_devices_allow_ops = {
	.show = cg_empty_show,
	.store = cg_devices_allow,
};
static const struct kernfs_file_ops cg_devices_deny_ops = {
	.show = cg_empty_show,
	.store = cg_devices_deny,
};
static const struct kernfs_file_ops cg_devices_list_ops = { .show = cg_devices_list_show };

/* ---------------------------------------------------------------------------------- */
/* Cgroup directories */

struct cg_file {
	const char *name;
	uint32_t mode;
	const struct kernfs_file_ops *ops;
	const char *text;	/* static files */
	size_t field;		/* offset of the value in cgroupfs_state, or SIZE_MAX: the state */
	bool not_root;
};

#define CG_F(n, m, o, f) { n, m, o, NULL, offsetof(struct cgroupfs_state, f), false }
#define CG_S(n, t) { n, 0444, NULL, t, SIZE_MAX, false }
#define CG_X(n, m, o) { n, m, o, NULL, SIZE_MAX, false }

static const struct cg_file cg_common_files[] = {
	CG_X("cgroup.procs", 0644, &cg_procs_ops),
	CG_X("tasks", 0644, &cg_procs_ops),
};

static const struct cg_file cg_cpu_files[] = {
	CG_F("cpu.cfs_period_us", 0644, &cg_int_ops, cfs_period_us),
	CG_F("cpu.cfs_quota_us", 0644, &cg_int_ops, cfs_quota_us),
	CG_F("cpu.shares", 0644, &cg_int_ops, shares),
};
static const struct cg_file cg_cpuacct_files[] = {
	CG_S("cpuacct.stat", "user 0\nsystem 0\n"),
	CG_S("cpuacct.usage", "0\n"),
	CG_S("cpuacct.usage_sys", "0\n"),
	CG_S("cpuacct.usage_user", "0\n"),
};
static const struct cg_file cg_cpuset_files[] = {
	CG_F("cpuset.cpus", 0644, &cg_list_ops, cpus),
	CG_F("cpuset.mems", 0644, &cg_list_ops, mems),
};
static const struct cg_file cg_devices_files[] = {
	CG_X("devices.allow", 0644, &cg_devices_allow_ops),
	CG_X("devices.deny", 0644, &cg_devices_deny_ops),
	CG_X("devices.list", 0444, &cg_devices_list_ops),
};
static const struct cg_file cg_job_files[] = {
	CG_F("job.id", 0644, &cg_int_ops, job_id),
};
static const struct cg_file cg_memory_files[] = {
	CG_F("memory.limit_in_bytes", 0644, &cg_int_ops, limit_bytes),
	CG_F("memory.move_charge_at_immigrate", 0644, &cg_int_ops, move_charge),
	CG_F("memory.soft_limit_in_bytes", 0644, &cg_int_ops, soft_limit_bytes),
	CG_S("memory.usage_in_bytes", "0\n"),
};
static const struct cg_file cg_pids_files[] = {
	CG_X("pids.current", 0444, &cg_pids_current_ops),
	{ "pids.max", 0644, &cg_pids_max_ops, NULL, offsetof(struct cgroupfs_state, pids_max),
	  true },
};

static const struct {
	const struct cg_file *files;
	size_t n;
} cg_ctl_files[CG_NR] = {
	[CG_CPU] = { cg_cpu_files, ARRAY_SIZE(cg_cpu_files) },
	[CG_CPUACCT] = { cg_cpuacct_files, ARRAY_SIZE(cg_cpuacct_files) },
	[CG_CPUSET] = { cg_cpuset_files, ARRAY_SIZE(cg_cpuset_files) },
	[CG_DEVICES] = { cg_devices_files, ARRAY_SIZE(cg_devices_files) },
	[CG_JOB] = { cg_job_files, ARRAY_SIZE(cg_job_files) },
	[CG_MEMORY] = { cg_memory_files, ARRAY_SIZE(cg_memory_files) },
	[CG_PIDS] = { cg_pids_files, ARRAY_SIZE(cg_pids_files) },
};

static int cg_add_files(struct dentry *dir, struct cgroupfs_state *st, const struct cg_file *f,
			size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct kernfs_node *kn;

		if (f[i].not_root && st->is_root)
			continue;
		if (f[i].text) {
			int err = kernfs_static(dir, f[i].name, f[i].mode, f[i].text);

			if (err)
				return err;
			continue;
		}
		kn = kernfs_file(dir, f[i].name, f[i].mode, f[i].ops,
				 f[i].field == SIZE_MAX ? (void *)st : (char *)st + f[i].field);
		if (IS_ERR(kn))
			return (int)PTR_ERR(kn);
	}
	return 0;
}

/* The control files of the cgroup at dir (whose node's priv is st). */
static int cg_populate(struct dentry *dir, struct cgroupfs_state *st, unsigned controllers)
{
	int err = cg_add_files(dir, st, cg_common_files, ARRAY_SIZE(cg_common_files));
	unsigned c;

	for (c = 0; c < CG_NR && !err; c++)
		if (controllers & (1u << c))
			err = cg_add_files(dir, st, cg_ctl_files[c].files, cg_ctl_files[c].n);
	return err;
}

static void cg_state_release(struct kernfs_node *kn)
{
	vl_free(kn->priv);
}

static const struct inode_operations cgroupfs_dir_iops;

/* A cgroup directory inode with state copied from parent (or the defaults). */
static struct inode *cg_new_dir(struct super_block *sb, uint32_t mode,
				struct cgroupfs_state *parent)
{
	struct inode *inode = kernfs_root_inode(sb, mode, &cgroupfs_dir_iops);
	struct cgroupfs_state *st;

	if (!inode)
		return NULL;
	st = vl_zalloc(sizeof(*st));
	if (!st) {
		iput(inode);
		return NULL;
	}
	if (parent) {
		*st = *parent;
		st->is_root = false;
		st->parent = parent;
		st->pids_max = -1;
		st->dev_rules[0] = '\0';
	} else {
		/* Linux's and gVisor's defaults. */
		st->is_root = true;
		st->cfs_period_us = 100000;
		st->cfs_quota_us = -1;
		st->shares = 1024;
		st->limit_bytes = INT64_MAX;
		st->soft_limit_bytes = INT64_MAX;
		st->pids_max = -1;
		strcpy(st->cpus, "0");
		strcpy(st->mems, "0");
		st->dev_default_allow = true;
	}
	KERNFS_N(inode)->priv = st;
	KERNFS_N(inode)->release = cg_state_release;
	return inode;
}

/* Names the dcache does not hold do not exist; having a lookup makes the VFS leave the
 * emptiness check of rmdir to us (control files do not count). */
static int cgroupfs_lookup(struct inode *dir, struct dentry *dentry)
{
	(void)dir, (void)dentry;
	return 0;
}

static int cgroupfs_mkdir(struct inode *dir, struct dentry *dentry, const struct vfs_new_inode *ni)
{
	struct super_block *sb = dir->i_sb;
	struct inode *inode = cg_new_dir(sb, 0755, KERNFS_N(dir)->priv);
	int err;

	if (!inode)
		return -ENOMEM;
	inode->i_uid = ni->uid;
	inode->i_gid = ni->gid;
	/* The files first: a failure leaves the name negative, as the VFS expects. */
	err = cg_populate(dentry, KERNFS_N(inode)->priv, CG_SB(sb)->controllers);
	if (err) {
		while (dentry->d_dir && !list_empty(&dentry->d_dir->children))
			kernfs_remove(list_entry(dentry->d_dir->children.next, struct dentry,
						 d_child));
		iput(inode);
		return err;
	}
	/* The directory's dentry stays cached until rmdir: /proc/PID/cgroup's path. */
	((struct cgroupfs_state *)KERNFS_N(inode)->priv)->dentry = dentry;
	d_instantiate(dentry, inode);
	CG_SB(sb)->nr_cgroups++;
	dir->i_nlink++;
	inode_touch_mc(dir);
	return 0;
}

static int cgroupfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct cgroupfs_sb_info *si = CG_SB(dir->i_sb);
	struct cgroupfs_state *st = KERNFS_N(dentry->d_inode)->priv;
	struct list_head *p;
	size_t i;

	/* Linux's cgroup_destroy_locked: a cgroup with tasks is busy. */
	cg_members_prune(si);
	for (i = 0; i < si->nr_members; i++)
		if (si->members[i].cg == st)
			return -EBUSY;
	if (dentry->d_dir) {
		list_for_each(p, &dentry->d_dir->children) {
			struct dentry *c = list_entry(p, struct dentry, d_child);

			if (c->d_inode && S_ISDIR(c->d_inode->i_mode))
				return -EBUSY; /* Linux's cgroup_rmdir with children */
		}
		while (!list_empty(&dentry->d_dir->children))
			kernfs_remove(list_entry(dentry->d_dir->children.next, struct dentry,
						 d_child));
	}
	si->nr_cgroups--;
	dir->i_nlink--;
	dentry->d_inode->i_nlink = 0;
	inode_touch_mc(dir);
	return 0;
}

static const struct inode_operations cgroupfs_dir_iops = {
	.lookup = cgroupfs_lookup,
	.mkdir = cgroupfs_mkdir,
	.rmdir = cgroupfs_rmdir,
	.setattr = kernfs_dir_setattr,
};

/* ---------------------------------------------------------------------------------- */
/* Superblock */

static void cgroupfs_show_options(struct super_block *sb, struct strbuf *out)
{
	unsigned c;

	for (c = 0; c < CG_NR; c++)
		if (CG_SB(sb)->controllers & (1u << c))
			sb_printf(out, ",%s", cgroupfs_ctl_names[c]);
}

static void cgroupfs_put_super(struct super_block *sb)
{
	struct cgroupfs_sb_info *si = CG_SB(sb);

	if (!si)
		return;
	if (si->id) {
		pthread_mutex_lock(&cg_registry_lock);
		list_del(&si->link);
		pthread_mutex_unlock(&cg_registry_lock);
	}
	vl_free(si->members);
	vl_free(si);
	sb->s_fs_info = NULL;
}

static int cgroupfs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	(void)sb;
	st->type = CGROUP_SUPER_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = VFS_NAME_MAX;
	return 0;
}

static const struct super_operations cgroupfs_sops = {
	.destroy_inode = kernfs_destroy_inode,
	.statfs = cgroupfs_statfs,
	.put_super = cgroupfs_put_super,
	.show_options = cgroupfs_show_options,
};

static int cgroupfs_parse_options(struct fs_context *fc, unsigned *out)
{
	char *cursor = fc->data, *key, *value;
	unsigned want = 0, c;
	bool all = false;

	while (fs_opt_next(&cursor, &key, &value)) {
		if (strcmp(key, "dentry_cache_limit") == 0) {
			int64_t v;

			if (!value || !cg_parse_i64(value, strlen(value), &v) || v < 0)
				return fc_error(fc, -EINVAL,
						"cgroup: bad value '%s' for dentry_cache_limit",
						value ? value : "");
			continue;
		}
		if (strcmp(key, "all") == 0 && !value) {
			all = true;
			continue;
		}
		for (c = 0; c < CG_NR; c++)
			if (strcmp(key, cgroupfs_ctl_names[c]) == 0 && !value)
				break;
		if (c == CG_NR)
			return fc_error(fc, -EINVAL,
					"cgroup: unknown controller '%s' (known: all, cpu, cpuacct, "
					"cpuset, devices, job, memory, pids)",
					key);
		want |= 1u << c;
	}
	if (all && want)
		return fc_error(fc, -EINVAL, "cgroup: 'all' cannot be combined with controllers");
	*out = want ? want : CG_ALL;
	return 0;
}

/* The hierarchy of vfs with exactly the controllers want, or NULL; -EBUSY in *err when
 * one of them is on another hierarchy ("It is not possible to mount the same controller
 * against multiple cgroup hierarchies", cgroups(7)). Registry lock held. */
static struct cgroupfs_sb_info *cg_find_hierarchy(struct vfs *vfs, unsigned want, int *err)
{
	struct list_head *p;

	*err = 0;
	list_for_each(p, &cg_hierarchies) {
		struct cgroupfs_sb_info *h = list_entry(p, struct cgroupfs_sb_info, link);

		if (h->vfs != vfs)
			continue;
		if (h->controllers == want)
			return h;
		if (h->controllers & want)
			*err = -EBUSY;
	}
	return NULL;
}

/* The lowest hierarchy ID from 1 that no hierarchy of vfs has. Registry lock held. */
static int cg_alloc_id(struct vfs *vfs)
{
	struct list_head *p;
	int id = 1;
	bool taken;

	do {
		taken = false;
		list_for_each(p, &cg_hierarchies) {
			struct cgroupfs_sb_info *h = list_entry(p, struct cgroupfs_sb_info, link);

			if (h->vfs == vfs && h->id == id) {
				taken = true;
				id++;
				break;
			}
		}
	} while (taken);
	return id;
}

static int cgroupfs_new_hierarchy(struct fs_context *fc, unsigned controllers,
				  struct super_block **out)
{
	struct cgroupfs_sb_info *si;
	struct cgroupfs_state *st;
	struct super_block *sb;
	struct inode *root;
	int err;

	sb = sb_alloc(fc, &cgroupfs_sops, CGROUP_SUPER_MAGIC);
	if (IS_ERR(sb))
		return (int)PTR_ERR(sb);
	err = -ENOMEM;
	si = vl_zalloc(sizeof(*si));
	if (!si)
		goto out_sb;
	si->controllers = controllers;
	si->k = fc->task ? fc->task->k : NULL;
	si->vfs = fc->vfs;
	si->sb = sb;
	si->nr_cgroups = 1;
	list_init(&si->link);
	sb->s_fs_info = si;
	root = cg_new_dir(sb, 0555, NULL);
	if (!root)
		goto out_sb;
	st = KERNFS_N(root)->priv;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_sb;
	st->dentry = sb->s_root;
	err = cg_populate(sb->s_root, st, controllers);
	if (err)
		goto out_sb;
	*out = sb;
	return 0;
out_sb:
	sb_free_unmounted(sb);
	return err;
}

/*
 * gVisor's GetFilesystem: a mount of a controller set that has a hierarchy is another
 * view of it (the same superblock); a set overlapping another hierarchy's is EBUSY;
 * otherwise a new hierarchy with the next free ID.
 */
static int cgroupfs_get_tree(struct fs_context *fc, struct super_block **out)
{
	struct cgroupfs_sb_info *h;
	unsigned controllers = 0;
	int err = cgroupfs_parse_options(fc, &controllers);

	if (err)
		return err;
	pthread_mutex_lock(&cg_registry_lock);
	h = cg_find_hierarchy(fc->vfs, controllers, &err);
	if (h) {
		if (!h->k && fc->task)
			h->k = fc->task->k;
		*out = h->sb;
		pthread_mutex_unlock(&cg_registry_lock);
		return 0;
	}
	if (err) {
		pthread_mutex_unlock(&cg_registry_lock);
		return fc_error(fc, err,
				"cgroup: a controller asked for is already in another hierarchy");
	}
	err = cgroupfs_new_hierarchy(fc, controllers, out);
	if (!err) {
		h = CG_SB(*out);
		h->id = cg_alloc_id(fc->vfs);
		list_add_tail(&h->link, &cg_hierarchies);
	}
	pthread_mutex_unlock(&cg_registry_lock);
	return err;
}

/* ---------------------------------------------------------------------------------- */
/* What proc shows */

/* The hierarchies of vfs by ID, descending when desc (Linux's /proc/PID/cgroup order).
 * Returns how many were stored in hs (at most max). Registry lock held. */
static size_t cg_hierarchies_of(struct vfs *vfs, struct cgroupfs_sb_info **hs, size_t max)
{
	struct list_head *p;
	size_t n = 0, i, j;

	list_for_each(p, &cg_hierarchies) {
		struct cgroupfs_sb_info *h = list_entry(p, struct cgroupfs_sb_info, link);

		if (h->vfs == vfs && n < max)
			hs[n++] = h;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && hs[j - 1]->id < hs[j]->id; j--) {
			struct cgroupfs_sb_info *t = hs[j];

			hs[j] = hs[j - 1];
			hs[j - 1] = t;
		}
	return n;
}

int cgroupfs_task_fork(struct vfs *vfs, int parent_pid, int child_pid)
{
	struct cgroupfs_sb_info *hs[CG_NR];
	size_t n, i;
	int err = 0;

	pthread_mutex_lock(&cg_registry_lock);
	n = cg_hierarchies_of(vfs, hs, CG_NR);
	for (i = 0; i < n && !err; i++) {
		struct cgroupfs_sb_info *si = hs[i];
		struct cg_member *m = cg_member_find(si, parent_pid);
		struct cgroupfs_state *cg;

		if (!m)
			continue; /* the parent is in the root: so is the child */
		cg = m->cg;
		if (si->nr_members == si->max_members) {
			size_t max = si->max_members ? 2 * si->max_members : 8;
			struct cg_member *nm = vl_realloc(si->members, max * sizeof(*nm));

			if (!nm) {
				err = -ENOMEM;
				break;
			}
			si->members = nm;
			si->max_members = max;
		}
		si->members[si->nr_members++] = (struct cg_member){ child_pid, cg };
	}
	pthread_mutex_unlock(&cg_registry_lock);
	return err;
}

int cgroupfs_show_task(struct vfs *vfs, int pid, struct strbuf *out)
{
	struct cgroupfs_sb_info *hs[CG_NR];
	size_t n, i;
	int err = 0;

	pthread_mutex_lock(&cg_registry_lock);
	n = cg_hierarchies_of(vfs, hs, CG_NR);
	for (i = 0; i < n && !err; i++) {
		const char *sep = "";
		unsigned c;

		sb_printf(out, "%d:", hs[i]->id);
		for (c = 0; c < CG_NR; c++)
			if (hs[i]->controllers & (1u << c)) {
				sb_printf(out, "%s%s", sep, cgroupfs_ctl_names[c]);
				sep = ",";
			}
		sb_addc(out, ':');
		err = d_path_in_sb(cg_task_cgroup(hs[i], pid)->dentry, out);
		sb_addc(out, '\n');
	}
	pthread_mutex_unlock(&cg_registry_lock);
	return err;
}

int cgroupfs_show_controllers(struct vfs *vfs, struct strbuf *out)
{
	struct cgroupfs_sb_info *hs[CG_NR];
	size_t n, i;
	unsigned c;

	pthread_mutex_lock(&cg_registry_lock);
	n = cg_hierarchies_of(vfs, hs, CG_NR);
	sb_adds(out, "#subsys_name\thierarchy\tnum_cgroups\tenabled\n");
	for (c = 0; c < CG_NR; c++)
		for (i = 0; i < n; i++)
			if (hs[i]->controllers & (1u << c))
				sb_printf(out, "%s\t%d\t%d\t1\n", cgroupfs_ctl_names[c], hs[i]->id,
					  hs[i]->nr_cgroups);
	pthread_mutex_unlock(&cg_registry_lock);
	return 0;
}

const struct fs_type cgroupfs_fs_type = {
	.name = "cgroup",
	.get_tree = cgroupfs_get_tree,
};
