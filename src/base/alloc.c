/*
 * alloc.c - the library's allocator with the FAULT_ALLOC injection point.
 */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#include "fault.h"

void *vl_malloc(size_t size)
{
	if (fault_check(FAULT_ALLOC))
		return NULL;
	return malloc(size ? size : 1);
}

void *vl_zalloc(size_t size)
{
	if (fault_check(FAULT_ALLOC))
		return NULL;
	return calloc(1, size ? size : 1);
}

void *vl_realloc(void *p, size_t size)
{
	if (fault_check(FAULT_ALLOC))
		return NULL;
	return realloc(p, size ? size : 1);
}

char *vl_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = vl_malloc(len + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *vl_strdup(const char *s)
{
	return vl_strndup(s, strlen(s));
}

void vl_free(void *p)
{
	free(p);
}
