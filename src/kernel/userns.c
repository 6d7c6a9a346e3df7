/*
 * userns.c - user namespaces, as far as capabilities need them: a tree of namespaces,
 * each owned by the euid that created it. There are no id maps: ids read the same in
 * every namespace, and only capabilities are relative (a task that unshares a user
 * namespace holds every capability there and none outside, so it may mount the types
 * the registry lets users mount, in a mount namespace it owns, and nothing else).
 */
#include <errno.h>

#include "../base/alloc.h"
#include "internal.h"

struct user_namespace init_user_ns = { .refcount = 1, .parent = NULL, .owner = 0, .level = 0 };

struct user_namespace *userns_get(struct user_namespace *ns)
{
	if (ns != &init_user_ns)
		__atomic_fetch_add(&ns->refcount, 1, __ATOMIC_RELAXED);
	return ns;
}

void userns_put(struct user_namespace *ns)
{
	while (ns && ns != &init_user_ns) {
		struct user_namespace *parent = ns->parent;

		if (__atomic_sub_fetch(&ns->refcount, 1, __ATOMIC_ACQ_REL) != 0)
			return;
		vl_free(ns);
		ns = parent;
	}
}

struct user_namespace *userns_create(struct user_namespace *parent, uid_t owner)
{
	struct user_namespace *ns;

	if (parent->level + 1 > USERNS_MAX_LEVEL)
		return ERR_PTR(-EUSERS); /* Linux's limit on nesting */
	ns = vl_zalloc(sizeof(*ns));
	if (!ns)
		return ERR_PTR(-ENOMEM);
	ns->refcount = 1;
	ns->parent = userns_get(parent);
	ns->owner = owner;
	ns->level = parent->level + 1;
	return ns;
}
