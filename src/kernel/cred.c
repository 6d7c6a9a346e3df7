/*
 * cred.c - task credentials: real/effective/saved/filesystem ids, supplementary groups
 * and the effective capability set.
 *
 * Invariants: a cred is immutable once shared (it is replaced, never changed, so an
 * open file keeps the credentials it was opened with); groups are sorted ascending and
 * free of nothing in particular (duplicates are harmless to the binary search); the
 * capability set is all bits when euid is 0 and empty otherwise, which is what Linux
 * leaves after a set*id() transition away from or back to root (no securebits, no
 * file capabilities). Capabilities are held in the cred's user namespace: capable()
 * asks about the initial one, ns_capable() about any (userns.c).
 *
 * The reference count is atomic, so a cred may be put without the VFS lock held (a
 * task exiting, a file released on another kernel's teardown path).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/alloc.h"
#include "../base/objcount.h"
#include "internal.h"

#define CAP_ALL_BITS (~(uint64_t)0)

static struct cred *cred_alloc(size_t ngroups)
{
	struct cred *c = vl_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	if (ngroups) {
		c->groups = vl_malloc(ngroups * sizeof(gid_t));
		if (!c->groups) {
			vl_free(c);
			return NULL;
		}
	}
	c->ngroups = ngroups;
	c->refcount = 1;
	obj_inc(OBJ_CRED);
	return c;
}

/* Returns a new reference, or NULL on ENOMEM (its only failure). */
struct cred *cred_new_root(void)
{
	struct cred *c = cred_alloc(0);

	if (!c)
		return NULL;
	/* ids are zero from vl_zalloc */
	c->cap_effective = CAP_ALL_BITS;
	c->user_ns = userns_get(&init_user_ns);
	return c;
}

/* Takes another reference; returns c for chaining (the result is writable only in the
 * sense of its count: the ids must not change once shared). */
struct cred *cred_get(const struct cred *c)
{
	struct cred *w = (struct cred *)c;

	__atomic_fetch_add(&w->refcount, 1, __ATOMIC_RELAXED);
	return w;
}

/* Drops a reference; NULL is allowed. */
void cred_put(const struct cred *c)
{
	struct cred *w = (struct cred *)c;

	if (!c)
		return;
	if (__atomic_sub_fetch(&w->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	userns_put(w->user_ns);
	vl_free(w->groups);
	vl_free(w);
	obj_dec(OBJ_CRED);
}

static int gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A copy of old with every uid set to uid, every gid to gid and the groups replaced;
 * old is not consumed and may be NULL (every field of a cred is replaced today; the
 * parameter is there so a field added later is inherited). Returns a new reference or
 * ERR_PTR(-EINVAL) (too many groups) / ERR_PTR(-ENOMEM).
 */
struct cred *cred_with_ids(const struct cred *old, uid_t uid, gid_t gid, size_t ngroups,
			   const gid_t *groups)
{
	struct cred *c;

	if (ngroups > KERNEL_NGROUPS_MAX || (ngroups && !groups))
		return ERR_PTR(-EINVAL);
	c = cred_alloc(ngroups);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	if (ngroups) {
		memcpy(c->groups, groups, ngroups * sizeof(gid_t));
		qsort(c->groups, ngroups, sizeof(gid_t), gid_cmp);
	}
	c->cap_effective = uid == 0 ? CAP_ALL_BITS : 0;
	c->user_ns = userns_get(old ? old->user_ns : &init_user_ns);
	return c;
}

struct cred *cred_in_new_userns(const struct cred *old)
{
	struct user_namespace *ns = userns_create(old->user_ns, old->euid);
	struct cred *c;

	if (IS_ERR(ns))
		return (struct cred *)ns;
	c = cred_alloc(old->ngroups);
	if (!c) {
		userns_put(ns);
		return ERR_PTR(-ENOMEM);
	}
	c->uid = old->uid;
	c->euid = old->euid;
	c->suid = old->suid;
	c->fsuid = old->fsuid;
	c->gid = old->gid;
	c->egid = old->egid;
	c->sgid = old->sgid;
	c->fsgid = old->fsgid;
	if (old->ngroups)
		memcpy(c->groups, old->groups, old->ngroups * sizeof(gid_t));
	/* unshare(CLONE_NEWUSER): every capability, in the new namespace only. */
	c->cap_effective = CAP_ALL_BITS;
	c->user_ns = ns;
	return c;
}

/* Linux's in_group_p(): the filesystem gid or a supplementary group. */
bool cred_in_group(const struct cred *c, gid_t gid)
{
	size_t lo = 0, hi = c->ngroups;

	if (c->fsgid == gid)
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->groups[mid] == gid)
			return true;
		if (c->groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool capable(const struct cred *c, int cap)
{
	return ns_capable(c, &init_user_ns, cap);
}

bool ns_capable(const struct cred *c, const struct user_namespace *ns, int cap)
{
	if (cap < 0 || cap >= 64)
		return false;
	for (; ns; ns = ns->parent) {
		if (ns == c->user_ns)
			return (c->cap_effective >> cap) & 1;
		/* The owner of a child of the cred's namespace has every capability in it. */
		if (ns->parent == c->user_ns && ns->owner == c->euid)
			return true;
	}
	return false;
}
