/*
 * host_gofers.c - gofer processes for --host (host_gofers.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "host_gofers.h"

struct host_gofers {
	char *bundle;
};

int host_gofers_new(const char *bundle, struct host_gofers **out, struct boot_err *e)
{
	(void)bundle;
	(void)out;
	snprintf(e->msg, sizeof(e->msg), "--host: gofer processes are not in this build yet");
	return -ENOSYS;
}

void host_gofers_get(struct host_gofers *hg, struct boot_gofers *g)
{
	(void)hg;
	(void)g;
}

void host_gofers_free(struct host_gofers *hg)
{
	free(hg);
}
