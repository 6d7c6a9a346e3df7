/*
 * devpts.h - the pseudo-terminal filesystem (Linux's fs/devpts, gVisor's fsimpl/devpts).
 *
 * Each mount is a new instance (Linux's newinstance, the default since 4.7) whose root
 * (0755) holds ptmx (char 5:2, mode ptmxmode). Opening ptmx allocates the lowest free
 * pty number N and shows the replica as N (char 136+N/256:N%256, mode `mode`, owned by
 * the opener and the `gid` option's group if given) until the master is closed. The
 * replica starts locked, as Linux's: unlock it with ioctl TIOCSPTLCK before opening it
 * (EIO while locked); TIOCGPTN gives N.
 *
 * Line discipline (minimal): bytes written to the master are read from the replica and
 * the other way round, through 4 KiB buffers, with no echo, no canonical mode, no
 * ONLCR and no termios ioctls; reads never block (EAGAIN when empty; the replica reads
 * end-of-file, the master EIO, once the other side is gone).
 *
 * Options: mode=OCT (replicas, default 0600), ptmxmode=OCT (default 0666, as gVisor's
 * ptmx), gid=N, uid=N, max=N, newinstance; anything else is EINVAL. The kernel registers
 * devpts_fs_type (name "devpts", FS_USER_LIST only: a task without CAP_SYS_ADMIN may not
 * mount it, as the seed says) and devpts_register's device numbers.
 */
#ifndef VFSLAB_FS_DEVPTS_H
#define VFSLAB_FS_DEVPTS_H

#include "vfs/fs.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1
#define DEVPTS_PTMX_MAJOR 5
#define DEVPTS_PTMX_MINOR 2
#define UNIX98_PTY_SLAVE_MAJOR 136
#define DEVPTS_PTY_MAJORS 8		/* 136..143, 256 replicas each, as Linux */
#define DEVPTS_PTY_MAX (DEVPTS_PTY_MAJORS * 256)

/* ioctl requests (Linux's numbers, x86-64). */
#define DEVPTS_TIOCGPTN 0x80045430
#define DEVPTS_TIOCSPTLCK 0x40045431
#define DEVPTS_TIOCGPTLCK 0x80045439

extern const struct fs_type devpts_fs_type;

/* Register ptmx (5:2) and the replica numbers in vfs's character device registry. */
int devpts_register(struct vfs *vfs);

#endif
