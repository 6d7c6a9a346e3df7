/*
 * err.h - pointer returns that carry a negative errno (Linux's ERR_PTR idiom).
 *
 * The top 4095 addresses are never valid pointers, so a pointer in that range is a
 * negated errno value.
 */
#ifndef VFSLAB_BASE_ERR_H
#define VFSLAB_BASE_ERR_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err)
{
	return (void *)(intptr_t)err;
}

static inline long PTR_ERR(const void *p)
{
	return (long)(intptr_t)p;
}

static inline bool IS_ERR(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *p)
{
	return !p || IS_ERR(p);
}

#endif
