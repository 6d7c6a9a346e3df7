/*
 * alloc.h - the library's allocator: malloc with fault injection (FAULT_ALLOC).
 * All library allocations that can fail go through here, so a fault sweep reaches them.
 */
#ifndef VFSLAB_BASE_ALLOC_H
#define VFSLAB_BASE_ALLOC_H

#include <stddef.h>

void *vl_malloc(size_t size);
void *vl_zalloc(size_t size);
void *vl_realloc(void *p, size_t size);
char *vl_strdup(const char *s);
char *vl_strndup(const char *s, size_t n);
void vl_free(void *p);

#endif
