/*
 * ida.h - small integer ID allocation, lowest free first (Linux's IDA): mount IDs,
 * anonymous device minors and peer group IDs are reused after release, as on Linux,
 * so a simulated mount table looks like a real one after unmounts.
 */
#ifndef VFSLAB_BASE_IDA_H
#define VFSLAB_BASE_IDA_H

#include <stdint.h>

struct ida {
	uint64_t *bits;
	uint32_t nwords;
};

#define IDA_INIT { NULL, 0 }

/* The lowest free ID >= min, marked used; -ENOMEM on allocation failure. */
int ida_alloc_min(struct ida *ida, int min);
void ida_free(struct ida *ida, int id);
void ida_destroy(struct ida *ida);

#endif
