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
 * Line discipline (a minimal n_tty): bytes written to the master are the replica's
 * input, bytes written to the replica its output, through 4 KiB buffers. Input: ICRNL,
 * INLCR, IGNCR; in canonical mode (ICANON) a read returns at most one completed line
 * (ended by \n, VEOL, VEOL2 or VEOF, which is not stored: an empty line reads 0), VERASE
 * and VKILL edit the line (ECHOE echoes "\b \b"); ECHO echoes input to the master (ECHOCTL
 * as ^X), ECHONL the newline alone. Output: OPOST|ONLCR turns \n into \r\n. Not modelled:
 * signals (ISIG characters are data), flow control, VWERASE/VLNEXT/VREPRINT, VMIN/VTIME.
 * A new pty has Linux's replica termios. TCGETS/TCSETS/TCSETSW/TCSETSF (flushing input)
 * and TIOCGWINSZ/TIOCSWINSZ work on either side and act on the one termios of the pair,
 * as Linux's. A read waits for data (EAGAIN with O_NONBLOCK); the replica reads
 * end-of-file, the master EIO, once the other side is gone.
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
#define DEVPTS_TCGETS 0x5401
#define DEVPTS_TCSETS 0x5402
#define DEVPTS_TCSETSW 0x5403
#define DEVPTS_TCSETSF 0x5404
#define DEVPTS_TIOCGWINSZ 0x5413
#define DEVPTS_TIOCSWINSZ 0x5414

/* The kernel's struct termios of TCGETS/TCSETS (not glibc's, which is larger). */
#define DEVPTS_NCCS 19
struct devpts_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[DEVPTS_NCCS];
};

struct devpts_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

extern const struct fs_type devpts_fs_type;

/* Register ptmx (5:2) and the replica numbers in vfs's character device registry. */
int devpts_register(struct vfs *vfs);

#endif
