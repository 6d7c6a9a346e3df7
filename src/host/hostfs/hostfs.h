/*
 * hostfs.h - a filesystem over a real host directory (gVisor's gofer-side "directfs"
 * reduced to one process): what `vfslab gofer` exports over 9P on a real host.
 *
 * Mount: `mount -t hostfs [-o root=HOSTDIR,ro] HOSTDIR DEST`. The host directory is the
 * root= option if given, else the source string; it must be an absolute path naming a
 * directory (symlinks in that path are the administrator's choice and are followed once,
 * at mount time). Any other option is refused with EINVAL. "ro" makes the superblock
 * read-only (the VFS then answers EROFS).
 *
 * Confinement (the point of this filesystem): after the mount, every host access is a
 * single checked name relative to a descriptor hostfs already holds, opened with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS) and O_NOFOLLOW
 * (plain openat with O_NOFOLLOW where openat2 is missing: for one component it is
 * equivalent). Names holding '/' or NUL, "." and ".." are refused; `..` is the VFS's
 * business (it walks d_parent, so `..` at the export root stays at the root when the
 * exporting task is chrooted there, as the 9P server is). hostfs never follows a host
 * symlink: readlink returns its target as data and the VFS resolves it inside the
 * kernel's own namespace.
 *
 * Only a kernel on the real host registers hostfs (hostfs_register), and only a task
 * with CAP_SYS_ADMIN may mount it.
 */
#ifndef VFSLAB_HOST_HOSTFS_H
#define VFSLAB_HOST_HOSTFS_H

#include "vfs/fs.h"

struct kernel;

extern const struct fs_type hostfs_fs_type; /* name "hostfs" */

/* Register hostfs_fs_type in k (not user-mountable, not listed in /proc/filesystems).
 * Takes the VFS lock itself: call it from outside any VFS call. 0, -EEXIST or -ENOMEM. */
int hostfs_register(struct kernel *k);

#endif
