/*
 * dev.h - the character devices the kernel provides (gVisor's pkg/sentry/devices) and
 * the files that show them in devtmpfs. Each driver has a *_register (its major:minor
 * range in the VFS's character device registry) and a *_create_devtmpfs_files (its
 * nodes in the kernel's devtmpfs instance), called in that order at boot as the seed's
 * registerFilesystems does. Numbers and modes are Linux's (Documentation/admin-guide/
 * devices.txt), all 0666 as gVisor creates them.
 *
 *   memdev   1:3 null   1:5 zero   1:7 full   1:8 random   1:9 urandom
 *   ttydev   5:0 tty (ENXIO on open: tasks have no controlling terminal)
 *   tundev   10:200 net/tun (only where the network stack supports it)
 *   fusedev  10:229 fuse (only where FUSE is enabled)
 *
 * Device operations run under the VFS lock and never block.
 */
#ifndef VFSLAB_DEV_H
#define VFSLAB_DEV_H

struct vfs;
struct devtmpfs_accessor;

#define MEM_MAJOR 1
#define TTYAUX_MAJOR 5
#define MISC_MAJOR 10
#define TUN_MINOR 200
#define FUSE_MINOR 229

int memdev_register(struct vfs *vfs);
int memdev_create_devtmpfs_files(struct devtmpfs_accessor *a);
int ttydev_register(struct vfs *vfs);
int ttydev_create_devtmpfs_files(struct devtmpfs_accessor *a);
int tundev_register(struct vfs *vfs);
int tundev_create_devtmpfs_files(struct devtmpfs_accessor *a);
int fusedev_register(struct vfs *vfs);
int fusedev_create_devtmpfs_file(struct devtmpfs_accessor *a);

#endif
