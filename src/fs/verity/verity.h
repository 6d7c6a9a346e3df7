/*
 * verity.h - the verity filesystem (gVisor's fsimpl/verity over Linux fs-verity's format):
 * a read-only stacking filesystem over one lower directory that checks every byte and
 * every name it serves against a trusted root hash. Format: doc/verity.md.
 *
 * Mounting: by options
 * "lowerdir=PATH[,roothash=HEX][,action=error|panic][,root_name=N][,cache_size=SIZE]"
 * (PATH resolved from the mounting task), or in process through fs_context.internal =
 * struct verity_internal_opts. With a root hash every lookup and read is verified and
 * FS_IOC_ENABLE_VERITY is EPERM; without one nothing is verified and enabling is allowed
 * (the preparation mode: no protection at all).
 */
#ifndef VFSLAB_FS_VERITY_H
#define VFSLAB_FS_VERITY_H

#include <stdbool.h>

#include "vfs/fs.h"

/* statfs(2) f_type: ours ("VRTY"); Linux has no verity filesystem type of its own. */
#define VERITY_SUPER_MAGIC 0x56525459

extern const struct fs_type verity_fs_type; /* name "verity" */

/* In-process options (gVisor's verity.InternalFilesystemOptions). The filesystem takes its
 * own reference on lower_root. root_hash is hex (NULL: runtime enabling, no protection);
 * action is "error" (NULL) or "panic"; root_name NULL means "root"; cache_size is the
 * option's text (NULL: the default bound). */
struct verity_internal_opts {
	struct path lower_root;
	const char *root_hash;
	const char *action;
	const char *root_name;
	const char *cache_size;
};

#endif
