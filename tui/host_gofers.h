/*
 * host_gofers.h - the gofers of a run on the real host (--host): one `vfslab gofer`
 * process per mount, serving the spec's root directory or a bind source over a
 * socketpair, as runsc starts its gofer. Paths relative to the bundle (the spec's
 * directory) are resolved against it, as runc resolves root.path.
 */
#ifndef VFSLAB_TUI_HOST_GOFERS_H
#define VFSLAB_TUI_HOST_GOFERS_H

#include "vfslab/boot.h"

struct host_gofers;

/* 0, or -errno with a message. bundle: the directory relative paths start from. */
int host_gofers_new(const char *bundle, struct host_gofers **out, struct boot_err *e);
void host_gofers_get(struct host_gofers *hg, struct boot_gofers *g);
/* Stops every gofer process (after the kernel using them is gone). NULL is ignored. */
void host_gofers_free(struct host_gofers *hg);

#endif
