/*
 * kernel.c - the kernel object: its VFS, the filesystem types it registers, its root
 * (an empty tmpfs, as Linux's initramfs root) and the init task.
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/objcount.h"
#include "register.h"
#include "../vfs/internal.h"

struct task *task_alloc_locked(struct kernel *k, const struct task *parent);
void task_free_locked(struct task *t);

/* The sandbox runsc sets up by default: netstack (tun supported), FUSE enabled. */
static const struct kernel_config kernel_default_config = { .net_tun = true, .fuse = true };

struct kernel *kernel_new(struct host *host)
{
	struct kernel_options o = { .net_tun = kernel_default_config.net_tun,
				    .fuse = kernel_default_config.fuse };

	return kernel_new_opts(host, &o);
}

struct kernel *kernel_new_opts(struct host *host, const struct kernel_options *opts)
{
	struct kernel_config cfg = { .net_tun = opts && opts->net_tun,
				     .fuse = opts && opts->fuse };
	struct kernel *k;
	struct mount *root;
	struct task *init;
	struct cred *cred;
	int err = -ENOMEM;

	if (!host || !host->ops || host->ops->version != HOST_ABI_VERSION)
		return ERR_PTR(-EINVAL);
	k = vl_zalloc(sizeof(*k));
	if (!k)
		goto err_host;
	k->host = host;
	list_init(&k->tasks);
	k->vfs = vfs_create(host);
	if (!k->vfs)
		goto err_k;
	err = kernel_register_filesystems(k, &cfg);
	if (err)
		goto err_vfs;
	cred = cred_new_root();
	if (!cred) {
		err = -ENOMEM;
		goto err_vfs;
	}
	root = vfs_kern_mount(k->vfs, cred, "tmpfs", "rootfs", MNT_RELATIME_F, "mode=0755", NULL, NULL);
	if (IS_ERR(root)) {
		err = (int)PTR_ERR(root);
		goto err_cred;
	}
	init = task_alloc_locked(k, NULL);
	if (!init) {
		err = -ENOMEM;
		goto err_root;
	}
	init->ns = mnt_ns_new(root);
	if (!init->ns) {
		task_free_locked(init);
		err = -ENOMEM;
		goto err_root;
	}
	init->cred = cred;
	init->umask = 022;
	init->root.mnt = mnt_get(root);
	init->root.dentry = d_get(root->mnt_root);
	init->cwd = init->root;
	path_get(&init->cwd);
	k->init = init;
	obj_inc(OBJ_KERNEL);
	return k;
err_root:
	mnt_put(root);
err_cred:
	cred_put(cred);
err_vfs:
	pthread_mutex_lock(&k->vfs->lock);
	kernel_unregister_filesystems(k); /* idempotent: nothing if registration failed early */
	pthread_mutex_unlock(&k->vfs->lock);
	vfs_destroy(k->vfs);
err_k:
	vl_free(k);
err_host:
	host->ops->destroy(host);
	return ERR_PTR(err);
}

void kernel_destroy(struct kernel *k)
{
	struct host *host;
	struct list_head *p, *tmp;
	struct mnt_namespace *ns;

	if (!k)
		return;
	host = k->host;
	pthread_mutex_lock(&k->vfs->lock);
	ns = mnt_ns_get(k->init->ns);
	list_for_each_safe(p, tmp, &k->tasks)
		task_free_locked(list_entry(p, struct task, tasks));
	/* Files are closed and paths dropped: now the mounts can go. */
	mnt_ns_put(ns);
	kernel_unregister_filesystems(k);
	pthread_mutex_unlock(&k->vfs->lock);
	vfs_destroy(k->vfs);
	vl_free(k);
	obj_dec(OBJ_KERNEL);
	host->ops->destroy(host);
}

struct host *kernel_host(struct kernel *k)
{
	return k->host;
}

struct task *kernel_init_task(struct kernel *k)
{
	return k->init;
}
