/*
 * fdtable.c - a task's file descriptor table: the lowest free number wins, as POSIX
 * requires; the table grows by doubling up to FDTABLE_MAX (then EMFILE).
 * Protected by: vfs->lock (callers hold it).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

int fdtable_init(struct fdtable *t)
{
	memset(t, 0, sizeof(*t));
	return 0;
}

static int fdtable_grow(struct fdtable *t, int need)
{
	int size = t->size ? t->size : 16;
	struct fd_slot *slots;

	while (size <= need)
		size *= 2;
	if (size > FDTABLE_MAX)
		size = FDTABLE_MAX;
	if (need >= size)
		return -EMFILE;
	slots = vl_realloc(t->slots, sizeof(*slots) * (size_t)size);
	if (!slots)
		return -ENOMEM;
	memset(slots + t->size, 0, sizeof(*slots) * (size_t)(size - t->size));
	t->slots = slots;
	t->size = size;
	return 0;
}

int fdtable_copy(struct fdtable *dst, const struct fdtable *src)
{
	int i;

	fdtable_init(dst);
	if (!src->size)
		return 0;
	dst->slots = vl_zalloc(sizeof(*dst->slots) * (size_t)src->size);
	if (!dst->slots)
		return -ENOMEM;
	dst->size = src->size;
	dst->next_free = src->next_free;
	for (i = 0; i < src->size; i++) {
		dst->slots[i] = src->slots[i];
		if (dst->slots[i].file)
			file_get(dst->slots[i].file);
	}
	return 0;
}

void fdtable_destroy(struct fdtable *t)
{
	int i;

	for (i = 0; i < t->size; i++)
		if (t->slots[i].file)
			file_put(t->slots[i].file);
	vl_free(t->slots);
	memset(t, 0, sizeof(*t));
}

int fdtable_install(struct fdtable *t, struct file *f, bool cloexec, int min)
{
	int fd = min > t->next_free ? min : t->next_free;
	int err;

	while (fd < t->size && t->slots[fd].file)
		fd++;
	if (fd >= t->size) {
		if (fd >= FDTABLE_MAX)
			return -EMFILE;
		err = fdtable_grow(t, fd);
		if (err)
			return err;
	}
	t->slots[fd].file = f;
	t->slots[fd].cloexec = cloexec;
	if (min <= t->next_free)
		t->next_free = fd + 1;
	return fd;
}

int fdtable_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	struct file *old;
	int err;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	if (fd >= t->size) {
		err = fdtable_grow(t, fd);
		if (err)
			return err;
	}
	old = t->slots[fd].file;
	t->slots[fd].file = f;
	t->slots[fd].cloexec = cloexec;
	if (old)
		file_put(old);
	return fd;
}

struct fd_slot *fdtable_slot(struct fdtable *t, int fd)
{
	if (fd < 0 || fd >= t->size || !t->slots[fd].file)
		return NULL;
	return &t->slots[fd];
}

struct file *fdtable_lookup(struct fdtable *t, int fd)
{
	struct fd_slot *s = fdtable_slot(t, fd);

	return s ? s->file : NULL;
}

struct file *fdtable_remove(struct fdtable *t, int fd)
{
	struct fd_slot *s = fdtable_slot(t, fd);
	struct file *f;

	if (!s)
		return NULL;
	f = s->file;
	s->file = NULL;
	s->cloexec = false;
	if (fd < t->next_free)
		t->next_free = fd;
	return f;
}
