/*
 * vfs.h - vfslab's syscall-like API.
 *
 * Each call acts as the task t: its credentials, umask, cwd, root, namespace and fd
 * table, as the Linux system call of the same name does, with the same flags and the
 * same constants (<fcntl.h>, <sys/mount.h>, <linux/fs.h> values). Each returns 0 (or a
 * count, a descriptor, an offset) on success and a negative errno on failure; none sets
 * the global errno, none prints. An explanation of an error, where there is more to say
 * than the errno, is left in task_errmsg(t).
 *
 * Thread safety: all calls may be made concurrently from any thread.
 */
#ifndef VFSLAB_VFS_H
#define VFSLAB_VFS_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "kernel.h"

/* Linux's values, for programs built without _GNU_SOURCE / POSIX 2008 declarations. */
#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif
#ifndef AT_SYMLINK_NOFOLLOW
#define AT_SYMLINK_NOFOLLOW 0x100
#endif
#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif
#ifndef AT_SYMLINK_FOLLOW
#define AT_SYMLINK_FOLLOW 0x400
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

/* Linux's limits, which the path walk enforces. */
#define VFS_NAME_MAX 255
#define VFS_PATH_MAX 4096
#define VFS_MAXSYMLINKS 40

/* Device numbers are Linux's: 12-bit major, 20-bit minor. */
#define VFS_MKDEV(ma, mi) ((((uint32_t)(ma)) << 20) | ((uint32_t)(mi) & 0xfffff))
#define VFS_MAJOR(d) ((uint32_t)(d) >> 20)
#define VFS_MINOR(d) ((uint32_t)(d) & 0xfffff)

/* statx-like attributes; times are nanoseconds since the epoch. */
struct vfs_stat {
	uint32_t mode;	 /* type and permission bits */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t ino;
	int64_t size;
	int64_t blocks;	 /* 512-byte units */
	uint32_t blksize;
	uint32_t dev;	 /* VFS_MKDEV of the filesystem */
	uint32_t rdev;	 /* VFS_MKDEV for device files */
	int64_t atime_ns;
	int64_t mtime_ns;
	int64_t ctime_ns;
	int mnt_id;	 /* the mount the file was reached through */
};

struct vfs_statfs {
	int64_t type;	/* magic number, as statfs(2) f_type */
	int64_t bsize;
	uint64_t blocks;
	uint64_t bfree;
	uint64_t bavail;
	uint64_t files;
	uint64_t ffree;
	uint32_t dev;
	int64_t namelen;
	int64_t frsize;
	uint64_t flags;	/* ST_RDONLY, ST_NOSUID, ... */
};

/* One entry from vfs_getdents(); the records are packed into the caller's buffer as
 * struct linux_dirent64 (d_ino, d_off, d_reclen, d_type, d_name). */

/* Files. */
int vfs_openat(struct task *t, int dirfd, const char *path, int flags, mode_t mode);
int vfs_close(struct task *t, int fd);
int vfs_dup(struct task *t, int fd);
int vfs_dup3(struct task *t, int oldfd, int newfd, int flags);
ssize_t vfs_read(struct task *t, int fd, void *buf, size_t len);
ssize_t vfs_pread(struct task *t, int fd, void *buf, size_t len, off_t off);
ssize_t vfs_write(struct task *t, int fd, const void *buf, size_t len);
ssize_t vfs_pwrite(struct task *t, int fd, const void *buf, size_t len, off_t off);
off_t vfs_lseek(struct task *t, int fd, off_t off, int whence);
ssize_t vfs_getdents(struct task *t, int fd, void *buf, size_t len);
int vfs_ftruncate(struct task *t, int fd, off_t len);
int vfs_fsync(struct task *t, int fd);
int vfs_ioctl(struct task *t, int fd, unsigned long req, void *arg);
/* fcntl F_GETFL / F_SETFL (O_APPEND only) / F_GETFD / F_SETFD. */
int vfs_fcntl(struct task *t, int fd, int cmd, long arg);

/* Names. */
int vfs_fstatat(struct task *t, int dirfd, const char *path, struct vfs_stat *st, int flags);
int vfs_fstat(struct task *t, int fd, struct vfs_stat *st);
int vfs_mkdirat(struct task *t, int dirfd, const char *path, mode_t mode);
int vfs_mknodat(struct task *t, int dirfd, const char *path, mode_t mode, uint32_t dev);
int vfs_symlinkat(struct task *t, const char *target, int dirfd, const char *path);
ssize_t vfs_readlinkat(struct task *t, int dirfd, const char *path, char *buf, size_t len);
int vfs_linkat(struct task *t, int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags);
int vfs_unlinkat(struct task *t, int dirfd, const char *path, int flags);
int vfs_renameat2(struct task *t, int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, unsigned flags);
int vfs_fchmodat(struct task *t, int dirfd, const char *path, mode_t mode, int flags);
int vfs_fchmod(struct task *t, int fd, mode_t mode);
int vfs_fchownat(struct task *t, int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
int vfs_fchown(struct task *t, int fd, uid_t uid, gid_t gid);
/* times may be NULL (now); tv_nsec may be UTIME_NOW or UTIME_OMIT. path NULL with
 * dirfd a descriptor is futimens. */
int vfs_utimensat(struct task *t, int dirfd, const char *path, const struct timespec times[2],
		  int flags);
int vfs_truncate(struct task *t, const char *path, off_t len);
int vfs_faccessat(struct task *t, int dirfd, const char *path, int mode, int flags);

/* Extended attributes; flags take AT_SYMLINK_NOFOLLOW (the l* calls) and AT_EMPTY_PATH
 * (the f* calls, with path ""). Sizes and results as getxattr(2) and friends. */
ssize_t vfs_getxattrat(struct task *t, int dirfd, const char *path, const char *name,
		       void *value, size_t size, int flags);
int vfs_setxattrat(struct task *t, int dirfd, const char *path, const char *name,
		   const void *value, size_t size, int xflags, int flags);
ssize_t vfs_listxattrat(struct task *t, int dirfd, const char *path, char *list, size_t size,
			int flags);
int vfs_removexattrat(struct task *t, int dirfd, const char *path, const char *name, int flags);

int vfs_statfs(struct task *t, const char *path, struct vfs_statfs *st);
int vfs_fstatfs(struct task *t, int fd, struct vfs_statfs *st);

/* The task's place. */
int vfs_chdir(struct task *t, const char *path);
int vfs_fchdir(struct task *t, int fd);
int vfs_chroot(struct task *t, const char *path);
/* The path of the cwd relative to the task's root, as getcwd(2). */
ssize_t vfs_getcwd(struct task *t, char *buf, size_t size);
mode_t vfs_umask(struct task *t, mode_t mask);

/* Mounts, as mount(2) and umount2(2): flags MS_RDONLY MS_NOSUID MS_NODEV MS_NOEXEC
 * MS_NOATIME MS_NODIRATIME MS_RELATIME MS_REMOUNT MS_BIND MS_REC MS_SHARED MS_PRIVATE
 * MS_SLAVE MS_UNBINDABLE MS_MOVE; umount flags MNT_DETACH MNT_FORCE UMOUNT_NOFOLLOW. */
int vfs_mount(struct task *t, const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data);
int vfs_umount2(struct task *t, const char *target, int flags);

/* A mount of the task's namespace, as /proc/self/mountinfo describes it. */
struct vfs_mount_info {
	int mnt_id;
	int parent_id;
	uint32_t dev;
	char *root;	  /* path of the mount's root within its filesystem */
	char *mount_point; /* relative to the task's root */
	char *mount_opts;  /* "rw,nosuid,relatime" */
	char *optional;	  /* "shared:1 master:2" or "" */
	char *fstype;
	char *source;
	char *super_opts; /* "rw,size=..." */
};

/* The mounts of the task's namespace visible from its root, in mountinfo order (parents
 * before children, then by mount order). The caller frees with vfs_mount_list_free. */
int vfs_mount_list(struct task *t, struct vfs_mount_info **out, size_t *n);
void vfs_mount_list_free(struct vfs_mount_info *list, size_t n);
/* The whole of /proc/self/mountinfo for the task, NUL-terminated; caller frees(). */
int vfs_mountinfo(struct task *t, char **out, size_t *len);
/* /proc/self/mounts (the fstab-like table). */
int vfs_mounts(struct task *t, char **out, size_t *len);

/* Registered filesystem types: each line "nodev\tname" or "\tname" as
 * /proc/filesystems, for the types the task may list; caller frees(). */
int vfs_filesystems(struct task *t, char **out, size_t *len);

#endif
