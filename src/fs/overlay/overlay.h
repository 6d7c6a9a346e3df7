/*
 * overlay.h - the overlay filesystem (Linux's overlayfs, gVisor's fsimpl/overlay): a
 * writable upper layer over read-only lower layers, with copy-up, whiteouts (char 0:0)
 * and opaque directories (trusted.overlay.opaque=y), in Linux's on-disk format.
 *
 * Mounting: by options, "lowerdir=A:B:C,upperdir=U,workdir=W" (paths resolved from the
 * mounting task; without upperdir at least two lowerdirs, and the mount is read-only;
 * "redirect_dir=off" for Linux's EXDEV on renaming a merged directory instead of
 * gVisor's copy of the subtree, the default; see doc/overlay.md),
 * or in process through fs_context.internal = struct ovl_internal_opts (gVisor's
 * overlay.FilesystemOptions): the layers' roots handed in, no work directory (copy-up
 * then builds in place and removes what it built on failure, as gVisor does).
 */
#ifndef VFSLAB_FS_OVERLAY_H
#define VFSLAB_FS_OVERLAY_H

#include <stddef.h>

#include "vfs/fs.h"

/* statfs(2) f_type, as Linux's. */
#define OVERLAYFS_SUPER_MAGIC 0x794c7630

extern const struct fs_type overlay_fs_type; /* name "overlay" */

/* In-process options. The overlay takes its own references on the paths. upper_root
 * may be {NULL, NULL} for a read-only overlay. The root's type is the lower root's: a
 * regular-file lower root needs a regular-file upper root (its data is copied up at
 * mount when the upper root is an empty file). The lower root's mode and owner go to the
 * upper root at mount; a mount that fails leaves the upper root as it was. */
struct ovl_internal_opts {
	struct path upper_root;
	struct path *lower_roots; /* topmost first */
	size_t nr_lower;
};

#endif
