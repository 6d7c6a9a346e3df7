/*
 * register.h - the kernel's filesystem types and devices, as the seed's
 * registerFilesystems sets them up at boot.
 */
#ifndef VFSLAB_KERNEL_REGISTER_H
#define VFSLAB_KERNEL_REGISTER_H

#include <stdbool.h>

struct kernel;

/* What the sandbox supports (gVisor: the network stack and the FUSE flag). */
struct kernel_config {
	bool net_tun;	/* the network stack supports /dev/net/tun (netstack does) */
	bool fuse;	/* FUSE is enabled: /dev/fuse exists */
};

/*
 * Register every filesystem type with the seed's user-mount/user-list flags, then the
 * devices (memdev, ttydev, devpts' ptmx and pty slaves, tundev if cfg->net_tun, fuse
 * if cfg->fuse), then run the devtmpfs user-space init and create the device files.
 * cfg NULL means neither tun nor fuse. Called once from kernel_new, before any task
 * exists, without the VFS lock (it takes it). 0 or -errno.
 */
int kernel_register_filesystems(struct kernel *k, const struct kernel_config *cfg);
/* Undo what registration holds beyond the registry (the devtmpfs instance). Called
 * from kernel_destroy with the VFS lock held, after the namespaces are gone. */
void kernel_unregister_filesystems(struct kernel *k);

#endif
