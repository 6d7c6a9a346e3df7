/*
 * internal.h - the VFS core's private header: the vfs object, mounts and namespaces,
 * the path walk. Grouped by the file that implements each part.
 */
#ifndef VFSLAB_VFS_INTERNAL_H
#define VFSLAB_VFS_INTERNAL_H

#include <pthread.h>

#include "../base/ida.h"
#include "../kernel/internal.h"
#include "fs.h"

/* --- fstype.c: the registry -------------------------------------------------------- */

struct fs_registration {
	const struct fs_type *type;
	unsigned flags;			/* FS_USER_MOUNT | FS_USER_LIST | FS_REQUIRES_DEV */
	struct list_head link;
};

int vfs_register_fs_type(struct vfs *vfs, const struct fs_type *type, unsigned flags);
struct fs_registration *vfs_find_fs_type(struct vfs *vfs, const char *name);
void vfs_unregister_all(struct vfs *vfs);
/* /proc/filesystems: the listable types, "nodev\tname" lines (lock held). */
int filesystems_show(struct vfs *vfs, struct strbuf *out);

/* --- dentry.c / super.c ---------------------------------------------------------- */

void shrink_dcache_sb(struct super_block *sb);
void dcache_cursor_free(struct file *f);
void dcache_readdir_seeked(struct file *f);
/* A mount stops using sb (s_active reached 0): free everything. */
void deactivate_super(struct super_block *sb);
/* Remove the VFS's own words (ro, rw, sync, ...) from a mount option string. */
void fs_strip_sb_flags(char *data, uint32_t *sb_flags);
/* A synthetic directory inode owned by the VFS (mount points made in the mount tree). */
struct inode *synthetic_dir_inode(struct super_block *sb, uint32_t mode, uint32_t uid,
				  uint32_t gid);

/* --- the vfs object (mount.c) ------------------------------------------------------ */

#define MNT_HASH_BITS 10

/*
 * The VFS of one kernel.
 * Protected by: lock (everything reachable from here, including every dentry, inode,
 * superblock, mount and file of this VFS). The lock is recursive only in the sense that
 * nested internal calls never retake it: public entry points take it once.
 */
struct vfs {
	pthread_mutex_t lock;
	struct host *host;
	struct list_head fs_types;	/* of fs_registration */
	struct mount *mnt_hash[1u << MNT_HASH_BITS];
	struct ida mnt_ids;		/* mount IDs, lowest free first from 1 */
	struct ida anon_minors;		/* anonymous device minors (0:N), from 1 */
	struct list_head pipes;		/* open FIFOs' pipes (pipe.c) */
	struct list_head chrdevs;	/* character device drivers (chrdev.c) */
	struct task *current;		/* the task whose call holds the lock, or NULL */
	int next_group_id;
	struct dentry_dir *free_anon;	/* unused */
	struct donated_fd *donated;	/* host FDs the runtime handed over (mounter.c) */
	size_t ndonated;
};

struct vfs *vfs_create(struct host *host);
/* The task whose call holds the lock (proc's "self"), or NULL outside a call. */
struct task *vfs_current(struct vfs *vfs);
/* Wait on cond, releasing the VFS lock meanwhile; "current" is restored after. */
void vfs_cond_wait(struct vfs *vfs, pthread_cond_t *cond);
void vfs_destroy(struct vfs *vfs);
void vfs_log(struct vfs *vfs, enum host_log_level lvl, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* --- mount.c: mounts and namespaces ------------------------------------------------ */

/* Per-mount flags (mnt_flags). */
#define MNT_RDONLY_F (1u << 0)
#define MNT_NOSUID_F (1u << 1)
#define MNT_NODEV_F (1u << 2)
#define MNT_NOEXEC_F (1u << 3)
#define MNT_NOATIME_F (1u << 4)
#define MNT_NODIRATIME_F (1u << 5)
#define MNT_RELATIME_F (1u << 6)
#define MNT_STRICTATIME_F (1u << 7)
#define MNT_ATIME_MASK (MNT_NOATIME_F | MNT_RELATIME_F | MNT_STRICTATIME_F)

/* Propagation (mnt_prop). */
enum mnt_propagation { MNT_PROP_PRIVATE, MNT_PROP_SHARED, MNT_PROP_SLAVE, MNT_PROP_UNBINDABLE };

/*
 * A mount: a superblock's subtree (mnt_root) attached at a dentry of a parent mount.
 * A disconnected mount has no parent and no namespace.
 * Protected by: vfs->lock.
 */
struct mount {
	struct mount *mnt_parent;	/* self for a namespace root; NULL if disconnected */
	struct dentry *mnt_mountpoint;	/* in mnt_parent (a reference) */
	struct dentry *mnt_root;	/* a reference */
	struct super_block *mnt_sb;
	struct mnt_namespace *mnt_ns;	/* NULL when disconnected or detached */
	struct mount *mnt_hash_next;
	struct list_head mnt_mounts;	/* children */
	struct list_head mnt_child;	/* in parent's mnt_mounts */
	struct list_head mnt_list;	/* in the namespace, in mount order */
	int32_t mnt_count;		/* references: tree linkage, paths, files */
	int mnt_id;
	uint32_t mnt_flags;
	enum mnt_propagation mnt_prop;
	int mnt_group_id;		/* peer group when shared */
	int mnt_master_id;		/* peer group of the master when slave */
	char *mnt_devname;		/* mount source as given */
};

/* Protected by: vfs->lock. */
struct mnt_namespace {
	int32_t refcount;
	struct user_namespace *user_ns;	/* the owner: mount(2) needs CAP_SYS_ADMIN in it */
	struct mount *root;
	struct list_head mounts;	/* of mount.mnt_list, in mount order */
	int nr_mounts;
};

struct mount *mnt_get(struct mount *m);
void mnt_put(struct mount *m);
/* The mount attached at (parent, dentry), or NULL. No reference taken. */
struct mount *mnt_lookup(struct vfs *vfs, struct mount *parent, struct dentry *d);
/* A new disconnected mount of a new superblock built by type (fstype) from source and
 * data; returns a reference or ERR_PTR. Messages go to errmsg. */
struct mount *vfs_kern_mount(struct vfs *vfs, const struct cred *cred, const char *fstype,
			     const char *source, uint32_t mnt_flags, const char *data,
			     const void *internal, struct strbuf *errmsg);
/* The same for a task's mount(2): fc->task is set so path options resolve from it. */
struct mount *vfs_task_mount(struct task *t, const char *fstype, const char *source,
			     uint32_t mnt_flags, const char *data);
/* The same with a filesystem's in-process options (the container mounter). */
struct mount *vfs_task_mount_internal(struct task *t, const char *fstype, const char *source,
				      uint32_t mnt_flags, const char *data, const void *internal);
/* A new disconnected mount of the subtree at p (bind). */
struct mount *mnt_clone(struct vfs *vfs, const struct path *p);
/* Attach m (reference consumed) at mp in ns. */
void mnt_attach(struct mount *m, const struct path *mp, struct mnt_namespace *ns);
/* A namespace whose root mount is root (reference consumed). */
struct mnt_namespace *mnt_ns_new(struct mount *root);
struct mnt_namespace *mnt_ns_get(struct mnt_namespace *ns);
void mnt_ns_put(struct mnt_namespace *ns);
bool mnt_readonly(const struct mount *m);
/* The topmost mount stacked on p; p is updated in place (references moved). */
void follow_mounts(struct path *p);
/* The path of p relative to root, "/" based; "(unreachable)" style marking left to
 * callers: returns -ENOENT if p is not under root. */
int path_to_string(const struct path *p, const struct path *root, struct strbuf *out);
void mnt_hash_add(struct vfs *vfs, struct mount *m);
void mnt_hash_del(struct vfs *vfs, struct mount *m);
/* mount(2) MS_* flags to MNT_*_F (relatime unless noatime/strictatime). */
uint32_t mnt_flags_from_ms(unsigned long flags);
/* Attach the disconnected mount m at mp in t's namespace (m's reference is kept). */
int mnt_connect_at(struct task *t, struct mount *m, const struct path *mp);
int mnt_set_readonly(struct mount *m, bool ro);
/* A synthetic directory name in parent (in the dcache only): a mount point where the
 * filesystem below cannot or must not get a real one. Exists already: 0. */
int mkdir_synthetic(struct dentry *parent, const char *name, size_t len, uint32_t mode);
/* /proc/PID/mountinfo and /proc/PID/mounts for t, appended to out (lock held). */
int mountinfo_show(struct task *t, struct strbuf *out);
int mounts_show(struct task *t, struct strbuf *out);
/* The mountinfo line of one mount of t's namespace (lock held). */
int mountinfo_show_one(struct task *t, struct mount *m, struct strbuf *out);
/* Detach m and all mounts below it, dropping the tree's references. */
void umount_tree(struct mount *m);
/* unshare(CLONE_NEWNS) for t: a copy of its mount tree owned by owner, with t's root
 * and cwd moved to the copies (mntns.c). */
int mnt_ns_unshare(struct task *t, struct user_namespace *owner);
/* Unmount everything in ns (kernel teardown). */
void mnt_ns_umount_all(struct mnt_namespace *ns);

/* --- mounter.c: what the container mounter (src/boot) needs beyond mount(2) ---------- */

/* A host descriptor handed to the sandbox under a number, as runsc hands the sentry its
 * gofer FDs: trans=fd,rfdno=N of a 9p mount names N here, not a process descriptor. */
struct donated_fd {
	int number;
	int fd;
};

/* The host descriptor donated as number (lock held), -ENOENT if none, or -EBADF when
 * the VFS has no donated descriptors at all (the caller may then treat number as a
 * descriptor of the process: the REPL's own `mount -t 9p -o trans=fd`). */
int vfs_donated_fd(struct vfs *vfs, int number);
/* Close every donated descriptor (kernel teardown). */
void vfs_donated_close_all(struct vfs *vfs);

/* --- namei.c: the path walk -------------------------------------------------------- */

/* Lookup flags. */
#define LOOKUP_FOLLOW (1u << 0)		/* follow a trailing symlink */
#define LOOKUP_DIRECTORY (1u << 1)	/* the result must be a directory */
#define LOOKUP_EMPTY (1u << 2)		/* "" means the start directory (AT_EMPTY_PATH) */
#define LOOKUP_NO_AUTOMOUNT (1u << 3)
#define LOOKUP_PARENT (1u << 4)		/* internal */

enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

/* The result of a parent walk: the directory and the final component. */
struct nameparent {
	struct path dir;
	const char *last;	/* points into the caller's path string */
	size_t last_len;
	enum last_type type;
	bool trailing_slash;
	char *linkbuf;		/* a followed symlink's body that last points into */
};

/* Resolve path (relative to dirfd or cwd) for task t; on success *out holds references. */
int path_lookupat(struct task *t, int dirfd, const char *path, unsigned flags, struct path *out);
/* Resolve all but the last component. */
int path_parentat(struct task *t, int dirfd, const char *path, unsigned flags,
		  struct nameparent *np);
void nameparent_release(struct nameparent *np);
/* np's last component is the symlink link: replace np by the parent walk of its body
 * (open(O_CREAT) through a dangling symlink creates the target). */
int nameparent_follow(struct task *t, struct nameparent *np, struct dentry *link,
		      int *total_links);
/* The child dentry of dir for name, looked up in the dcache or the filesystem; returns
 * a reference (a negative dentry if absent) or ERR_PTR. */
struct dentry *lookup_one(struct dentry *dir, const char *name, size_t len);
/* The starting point for dirfd: cwd for AT_FDCWD, else the directory of the fd. */
int path_at_fd(struct task *t, int dirfd, struct path *out);

/* --- perm.c ------------------------------------------------------------------------ */

int inode_permission(struct inode *inode, int mask, const struct cred *cred);
/* May cred remove/rename victim in dir (sticky rule)? */
bool may_delete_sticky(struct inode *dir, struct inode *victim, const struct cred *cred);
bool inode_owner_or_capable(struct inode *inode, const struct cred *cred);

/* --- attr.c ------------------------------------------------------------------------ */

/* Apply validated attribute changes to d's inode through i_op->setattr (or
 * setattr_copy) and set ctime to now unless attr carries ATTR_CTIME. */
int notify_change(struct dentry *d, struct iattr *attr);
/* Truncate the file at p to len as truncate(2)/ftruncate(2)/O_TRUNC do (permission
 * checks done by the caller; filp is the open file for ftruncate, else NULL). */
int do_truncate(const struct path *p, int64_t len, struct file *filp);
/* Clear setuid (and setgid when group-exec) after a write by cred, as Linux's
 * file_remove_privs(): nothing for CAP_FSETID holders. */
int file_remove_privs(struct file *f, const struct cred *cred);
/* Stat p (through i_op->getattr or generic_fillattr), with st->dev and mnt_id filled. */
int vfs_getattr(const struct path *p, struct vfs_stat *st);

/* --- open.c / rw.c ----------------------------------------------------------------- */

/* Update atime after a read as the mount's atime policy says (relatime by default). */
void touch_atime(const struct path *p);
/* Create a non-directory (type in mode) at the negative dentry d in dir. */
int vfs_create_locked(struct task *t, struct inode *dir, struct dentry *d, uint32_t mode,
		      uint32_t dev);
/* chrdev.c: drivers for major:minor ranges. A driver's fops->open may replace
 * file->f_op or set private_data; file->f_inode->i_rdev says which minor. */
int vfs_register_chrdev(struct vfs *vfs, uint32_t major, uint32_t minor_first,
			uint32_t minor_count, const char *name, const struct file_operations *fops);
const struct file_operations *vfs_chrdev_fops(struct vfs *vfs, uint32_t rdev);
void vfs_unregister_chrdevs(struct vfs *vfs);
extern const struct file_operations nodev_fops;

/* pipe.c: the file operations of every FIFO, whatever its filesystem. */
extern const struct file_operations fifo_fops;
/* Open path as a file description (a reference returned). */
struct file *vfs_open_path(struct task *t, const struct path *p, int flags);
struct file *file_lookup(struct task *t, int fd);

#endif
