/*
 * list.h - intrusive circular doubly linked lists.
 */
#ifndef VFSLAB_BASE_LIST_H
#define VFSLAB_BASE_LIST_H

#include <stdbool.h>
#include "compiler.h"

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list__insert(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert n right after h. */
static inline void list_add(struct list_head *n, struct list_head *h)
{
	list__insert(n, h, h->next);
}

/* Insert n right before h (at the tail when h is the head). */
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	list__insert(n, h->prev, h);
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

static inline void list_move_after(struct list_head *n, struct list_head *h)
{
	list_del(n);
	list_add(n, h);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)

#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)

#endif
