/*
 * objcount.c - live object counters; see objcount.h.
 */
#include "objcount.h"

#include <stdatomic.h>

static _Atomic int64_t live[OBJ_NR_KINDS];

static const char *const names[OBJ_NR_KINDS] = {
	[OBJ_DENTRY] = "dentry", [OBJ_INODE] = "inode", [OBJ_SUPER] = "superblock",
	[OBJ_MOUNT] = "mount",	 [OBJ_FILE] = "file",	[OBJ_TASK] = "task",
	[OBJ_CRED] = "cred",	 [OBJ_FID] = "fid",	[OBJ_KERNEL] = "kernel",
	[OBJ_LEAKED_DREF] = "dentry reference", [OBJ_LEAKED_PAGE] = "tmpfs page",
};

void obj_inc(enum obj_kind k)
{
	atomic_fetch_add_explicit(&live[k], 1, memory_order_relaxed);
}

void obj_dec(enum obj_kind k)
{
	atomic_fetch_sub_explicit(&live[k], 1, memory_order_relaxed);
}

int64_t obj_live(enum obj_kind k)
{
	return atomic_load(&live[k]);
}

const char *obj_kind_name(enum obj_kind k)
{
	return (unsigned)k < OBJ_NR_KINDS ? names[k] : "?";
}
