/*
 * objcount.h - live object counters. Every constructor of a counted object calls
 * obj_inc(), every destructor obj_dec(); tests assert all counts are zero at teardown.
 * Counters are atomic and process-global (several kernels may live at once in a test,
 * so tests compare against the value they started with).
 */
#ifndef VFSLAB_BASE_OBJCOUNT_H
#define VFSLAB_BASE_OBJCOUNT_H

#include <stdint.h>

enum obj_kind {
	OBJ_DENTRY,
	OBJ_INODE,
	OBJ_SUPER,
	OBJ_MOUNT,
	OBJ_FILE,
	OBJ_TASK,
	OBJ_CRED,
	OBJ_FID,
	OBJ_KERNEL,
	OBJ_LEAKED_DREF, /* dentry references still held when their superblock died */
	OBJ_LEAKED_PAGE, /* tmpfs data pages still counted live when their superblock died */
	OBJ_NR_KINDS
};

void obj_inc(enum obj_kind k);
void obj_dec(enum obj_kind k);
int64_t obj_live(enum obj_kind k);
const char *obj_kind_name(enum obj_kind k);

#endif
