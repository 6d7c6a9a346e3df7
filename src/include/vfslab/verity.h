/*
 * verity.h - preparing and measuring a verity tree through a mounted verity filesystem
 * (one without a root hash, where runtime enabling is allowed). Format: doc/verity.md.
 * Public API: each call takes the VFS lock through the syscall-like API (vfs.h).
 */
#ifndef VFSLAB_VERITY_H
#define VFSLAB_VERITY_H

#include <stddef.h>

struct task;

/* Enable verity on path and, for a directory, on everything below it, children before
 * parents (gVisor's prepare tool): regular files get their Merkle tree (one already
 * enabled is kept), directories their descriptor. Symlinks and special files are bound by
 * their parent's descriptor only. 0 or a negative errno (EPERM on a mount with a root
 * hash). */
int verity_enable_path(struct task *t, const char *path);

/* The digest of path (FS_IOC_MEASURE_VERITY) as lowercase hex with a NUL into hex
 * (len bytes; -ERANGE if too small). For the mount's root directory this is the root hash
 * to mount with (roothash=HEX). -ENODATA before it is enabled. */
int verity_measure_path(struct task *t, const char *path, char *hex, size_t len);

#endif
