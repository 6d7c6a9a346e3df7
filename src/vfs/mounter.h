/*
 * mounter.h - VFS operations for the container mounter (src/boot/run.c): gVisor's
 * MountDisconnected, NewMountNamespace, ConnectMountAt, SetMountReadOnly and
 * MakeSyntheticMountpoint. Each takes the VFS lock itself; failures explain themselves
 * in the task's error message (task_errmsg). Destinations are absolute and resolve from
 * the task's root, following symlinks, whatever the task's working directory.
 */
#ifndef VFSLAB_VFS_MOUNTER_H
#define VFSLAB_VFS_MOUNTER_H

#include <stdbool.h>

struct mount;
struct mnt_namespace;
struct path;
struct task;
struct vfs_stat;

/* A new mount with no parent and no namespace, as task t (MS_RDONLY, MS_NOSUID,
 * MS_NOEXEC, MS_NOATIME, ... in ms_flags); internal is the filesystem's in-process
 * options or NULL. Returns a reference or ERR_PTR. */
struct mount *mounter_mount_disconnected(struct task *t, const char *fstype, const char *source,
					 unsigned long ms_flags, const char *data,
					 const void *internal);
/* Drop a reference returned above (NULL and ERR_PTR are ignored). */
void mounter_put(struct task *t, struct mount *m);
/* The root of m as a path (references taken), for in-process options; release it
 * with mounter_path_put. */
void mounter_root(struct task *t, struct mount *m, struct path *out);
void mounter_path_put(struct task *t, struct path *p);
int mounter_mnt_id(const struct mount *m);
/* A new namespace whose root mount is root (reference consumed, also on failure); t —
 * and with all, every task of t's namespace — moves into it, root and working directory
 * at its root. *old gets
 * a reference to the namespace they left (kept, its mounts keep their IDs, as Linux's
 * rootfs stays mounted under the real root); drop it with mounter_ns_put. */
int mounter_new_namespace(struct task *t, struct mount *root, bool all,
			  struct mnt_namespace **old);
void mounter_ns_put(struct task *t, struct mnt_namespace *ns);
/* Attach the disconnected m at target; the caller keeps its reference. */
int mounter_connect_at(struct task *t, struct mount *m, const char *target);
/* Make the mount whose root is target read-only or writable (-EINVAL: target is not a
 * mount's root). */
int mounter_set_readonly(struct task *t, const char *target, bool ro);
/* The seed's makeMountPoint: nothing when dest exists (not following a final symlink);
 * else every missing directory down to it is made, mode 0777 less the task's umask, and
 * where the gofer refuses one (read-only), a synthetic directory stands in for it. As
 * gVisor's MkdirAllAt, an existing ancestor that is a symlink is ENOTDIR.
 * *created counts the directories made, *synthetic those of them that are synthetic.
 * 0, -ENOTDIR (a component is not a directory), or the error of the mkdir. */
int mounter_make_mount_point(struct task *t, const char *dest, unsigned *created,
			     unsigned *synthetic);

/* A new disconnected mount of m's root (a bind), with exactly the MS_* flags given. */
struct mount *mounter_bind(struct task *t, struct mount *m, unsigned long ms_flags);
/* m's line of the task's mountinfo, without the newline (vl_free it). */
int mounter_describe(struct task *t, struct mount *m, char **line);
/* The same for the topmost mount at target, and its ID. */
int mounter_describe_at(struct task *t, const char *target, char **line, int *mnt_id);
/* Stat rel (components below m's root; no symlink followed, no mount crossed) inside
 * the mount m, connected or not; a symlink's target goes to link when link is given. */
int mounter_stat_in(struct task *t, struct mount *m, const char *rel, struct vfs_stat *st,
		    char *link, size_t linklen);

#endif
