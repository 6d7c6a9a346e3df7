/*
 * fstype.c - the filesystem type registry, with gVisor's per-registration flags
 * (whether users may mount the type, whether it is listed in /proc/filesystems).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "internal.h"

int vfs_register_fs_type(struct vfs *vfs, const struct fs_type *type, unsigned flags)
{
	struct fs_registration *r;

	if (vfs_find_fs_type(vfs, type->name))
		return -EEXIST;
	r = vl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->type = type;
	r->flags = flags;
	list_add_tail(&r->link, &vfs->fs_types);
	return 0;
}

struct fs_registration *vfs_find_fs_type(struct vfs *vfs, const char *name)
{
	struct list_head *p;

	list_for_each(p, &vfs->fs_types) {
		struct fs_registration *r = list_entry(p, struct fs_registration, link);

		if (strcmp(r->type->name, name) == 0)
			return r;
	}
	return NULL;
}

void vfs_unregister_all(struct vfs *vfs)
{
	struct list_head *p, *tmp;

	list_for_each_safe(p, tmp, &vfs->fs_types) {
		list_del(p);
		vl_free(list_entry(p, struct fs_registration, link));
	}
}

int filesystems_show(struct vfs *vfs, struct strbuf *sb)
{
	struct list_head *p;

	list_for_each(p, &vfs->fs_types) {
		struct fs_registration *r = list_entry(p, struct fs_registration, link);

		if (!(r->flags & FS_USER_LIST))
			continue;
		sb_printf(sb, "%s\t%s\n", (r->flags & FS_REQUIRES_DEV) ? "" : "nodev",
			  r->type->name);
	}
	return sb_error(sb);
}

int vfs_filesystems(struct task *t, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	int err;

	task_enter(t);
	err = filesystems_show(t->k->vfs, &sb);
	task_leave(t);
	if (!err) {
		*out = sb_detach(&sb, len);
		if (!*out)
			err = -ENOMEM;
	}
	sb_free(&sb);
	return err;
}
