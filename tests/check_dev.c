/*
 * check_dev.c - devices and the kernel-built filesystems: memdev semantics through
 * nodes made with mknod, the devtmpfs tree the kernel makes at boot (links, directories,
 * device numbers and modes), devpts pty numbering, line discipline, termios and blocking
 * reads, sysfs read-only contents and write refusals, cgroupfs controllers and control
 * files, and the registry's mount flags.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/devpts/devpts.h"
#include "helpers.h"

static void expect_node(const char *path, uint32_t mode, uint32_t major, uint32_t minor)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW));
	ck_assert_msg(st.mode == mode, "%s: mode 0%o, want 0%o", path, st.mode, mode);
	ck_assert_uint_eq(VFS_MAJOR(st.rdev), major);
	ck_assert_uint_eq(VFS_MINOR(st.rdev), minor);
}

static void expect_link(const char *path, const char *target)
{
	char buf[64];
	ssize_t n = vfs_readlinkat(tt, AT_FDCWD, path, buf, sizeof(buf));

	ck_assert_int_eq(n, (ssize_t)strlen(target));
	ck_assert(memcmp(buf, target, (size_t)n) == 0);
}

static void expect_content(const char *path, const char *want)
{
	char buf[256];

	ck_assert_int_eq(t_read_file(tt, path, buf, sizeof(buf)), (long)strlen(want));
	ck_assert_str_eq(buf, want);
}

START_TEST(dev_memdev_semantics)
{
	unsigned char buf[16], buf2[16];
	int fd;

	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/null", S_IFCHR | 0666, VFS_MKDEV(1, 3)));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/zero", S_IFCHR | 0666, VFS_MKDEV(1, 5)));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/full", S_IFCHR | 0666, VFS_MKDEV(1, 7)));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/urandom", S_IFCHR | 0666, VFS_MKDEV(1, 9)));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/tty", S_IFCHR | 0666, VFS_MKDEV(5, 0)));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/nodrv", S_IFCHR | 0666, VFS_MKDEV(1, 2)));

	fd = vfs_openat(tt, AT_FDCWD, "/null", O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(vfs_write(tt, fd, "abc", 3), 3);
	vfs_close(tt, fd);

	fd = vfs_openat(tt, AT_FDCWD, "/zero", O_RDWR, 0);
	memset(buf, 0xff, sizeof(buf));
	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), 16);
	ck_assert_int_eq(buf[0] | buf[15], 0);
	ck_assert_int_eq(vfs_write(tt, fd, "abc", 3), 3);
	vfs_close(tt, fd);

	fd = vfs_openat(tt, AT_FDCWD, "/full", O_RDWR, 0);
	ck_assert_int_eq(vfs_read(tt, fd, buf, 4), 4);
	ck_assert_err(vfs_write(tt, fd, "abc", 3), ENOSPC);
	vfs_close(tt, fd);

	fd = vfs_openat(tt, AT_FDCWD, "/urandom", O_RDONLY, 0);
	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), 16);
	ck_assert_int_eq(vfs_read(tt, fd, buf2, sizeof(buf2)), 16);
	ck_assert(memcmp(buf, buf2, sizeof(buf)) != 0);
	vfs_close(tt, fd);

	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/tty", O_RDWR, 0), ENXIO);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/nodrv", O_RDWR, 0), ENXIO);
}
END_TEST

START_TEST(dev_devtmpfs_boot_tree)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/dev", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/dev", "devtmpfs", 0, "mode=0700,size=1k"));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/dev", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755); /* the options are not the mounter's */
	expect_link("/dev/fd", "/proc/self/fd");
	expect_link("/dev/stdin", "/proc/self/fd/0");
	expect_link("/dev/stdout", "/proc/self/fd/1");
	expect_link("/dev/stderr", "/proc/self/fd/2");
	expect_link("/dev/ptmx", "pts/ptmx");
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/dev/pts", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/dev/shm", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
	expect_node("/dev/null", S_IFCHR | 0666, 1, 3);
	expect_node("/dev/zero", S_IFCHR | 0666, 1, 5);
	expect_node("/dev/full", S_IFCHR | 0666, 1, 7);
	expect_node("/dev/random", S_IFCHR | 0666, 1, 8);
	expect_node("/dev/urandom", S_IFCHR | 0666, 1, 9);
	expect_node("/dev/tty", S_IFCHR | 0666, 5, 0);
	expect_node("/dev/net/tun", S_IFCHR | 0666, 10, 200);
	expect_node("/dev/fuse", S_IFCHR | 0666, 10, 229);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/dev/net", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);

	/* Every mount shows the one instance. */
	ck_assert_ok(t_write_file(tt, "/dev/shm/x", "1", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/dev2", 0755));
	ck_assert_ok(vfs_mount(tt, "devtmpfs", "/dev2", "devtmpfs", 0, NULL));
	expect_content("/dev2/shm/x", "1");
	ck_assert_ok(vfs_umount2(tt, "/dev2", 0));
	ck_assert_ok(vfs_umount2(tt, "/dev", 0));
}
END_TEST

START_TEST(dev_devpts_ptmx_numbering)
{
	struct vfs_stat st;
	unsigned n = 99;
	int unlock = 0, m0, m1, s0;
	char buf[16];
	char *mi;
	size_t len;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/dev", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/dev", "devtmpfs", 0, NULL));
	ck_assert_ok(vfs_mount(tt, "devpts", "/dev/pts", "devpts", 0,
			       "newinstance,gid=5,mode=0620,ptmxmode=0666"));
	expect_node("/dev/pts/ptmx", S_IFCHR | 0666, 5, 2);
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_msg(strstr(mi, " - devpts devpts rw,gid=5,mode=620,ptmxmode=666\n"), "%s", mi);
	free(mi);

	m0 = vfs_openat(tt, AT_FDCWD, "/dev/ptmx", O_RDWR, 0); /* through the link */
	ck_assert_int_ge(m0, 0);
	m1 = vfs_openat(tt, AT_FDCWD, "/dev/pts/ptmx", O_RDWR, 0);
	ck_assert_int_ge(m1, 0);
	ck_assert_ok(vfs_ioctl(tt, m1, 0x80045430, &n));
	ck_assert_uint_eq(n, 1);
	expect_node("/dev/pts/0", S_IFCHR | 0620, 136, 0);
	expect_node("/dev/pts/1", S_IFCHR | 0620, 136, 1);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/dev/pts/0", &st, 0));
	ck_assert_uint_eq(st.gid, 5);

	/* Locked until unlockpt. */
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/dev/pts/0", O_RDWR, 0), EIO);
	ck_assert_ok(vfs_ioctl(tt, m0, 0x40045431, &unlock));
	s0 = vfs_openat(tt, AT_FDCWD, "/dev/pts/0", O_RDWR, 0);
	ck_assert_int_ge(s0, 0);
	ck_assert_ok(vfs_fcntl(tt, s0, F_SETFL, O_NONBLOCK));
	ck_assert_int_eq(vfs_write(tt, m0, "in\n", 3), 3);
	ck_assert_int_eq(vfs_read(tt, s0, buf, sizeof(buf)), 3);
	ck_assert_err(vfs_read(tt, s0, buf, sizeof(buf)), EAGAIN);
	ck_assert_int_eq(vfs_read(tt, m0, buf, sizeof(buf)), 4); /* the echo */
	ck_assert(memcmp(buf, "in\r\n", 4) == 0);
	ck_assert_int_eq(vfs_write(tt, s0, "out", 3), 3);
	ck_assert_int_eq(vfs_read(tt, m0, buf, sizeof(buf)), 3);
	ck_assert(memcmp(buf, "out", 3) == 0);

	/* Closing the master removes the name and frees the number. */
	ck_assert_ok(vfs_close(tt, m0));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/dev/pts/0", &st, 0), ENOENT);
	ck_assert_int_eq(vfs_read(tt, s0, buf, sizeof(buf)), 0);
	ck_assert_err(vfs_write(tt, s0, "x", 1), EIO);
	ck_assert_ok(vfs_close(tt, s0));
	m0 = vfs_openat(tt, AT_FDCWD, "/dev/ptmx", O_RDWR, 0);
	ck_assert_ok(vfs_ioctl(tt, m0, 0x80045430, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ok(vfs_close(tt, m0));
	ck_assert_ok(vfs_close(tt, m1));
	ck_assert_ok(vfs_umount2(tt, "/dev/pts", 0));
	ck_assert_ok(vfs_umount2(tt, "/dev", 0));
}
END_TEST

/* Read exactly want from fd (non-blocking), then EAGAIN. */
static void expect_read(int fd, const char *want, size_t len)
{
	char buf[64];

	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), (long)len);
	ck_assert_msg(memcmp(buf, want, len) == 0, "got '%.*s'", (int)len, buf);
	ck_assert_err(vfs_read(tt, fd, buf, sizeof(buf)), EAGAIN);
}

START_TEST(dev_devpts_line_discipline)
{
	struct devpts_termios t;
	struct devpts_winsize ws = { 24, 80, 0, 0 }, ws2;
	int unlock = 0, m, s;
	char buf[64];

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/dev", 0755));
	ck_assert_ok(vfs_mount(tt, "none", "/dev", "devtmpfs", 0, NULL));
	ck_assert_ok(vfs_mount(tt, "devpts", "/dev/pts", "devpts", 0, NULL));
	m = vfs_openat(tt, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NONBLOCK, 0);
	ck_assert_int_ge(m, 0);
	ck_assert_ok(vfs_ioctl(tt, m, DEVPTS_TIOCSPTLCK, &unlock));
	s = vfs_openat(tt, AT_FDCWD, "/dev/pts/0", O_RDWR | O_NONBLOCK, 0);
	ck_assert_int_ge(s, 0);

	/* Linux's tty_std_termios, from either side. */
	ck_assert_ok(vfs_ioctl(tt, s, DEVPTS_TCGETS, &t));
	ck_assert_uint_eq(t.c_iflag, 0x500);
	ck_assert_uint_eq(t.c_oflag, 0x5);
	ck_assert_uint_eq(t.c_cflag, 0xbf);
	ck_assert_uint_eq(t.c_lflag, 0x8a3b);
	ck_assert_uint_eq(t.c_cc[2], 0177);
	ck_assert_uint_eq(t.c_cc[4], 4);
	ck_assert_uint_eq(t.c_cc[6], 1);

	/* Canonical: nothing until the newline; \r becomes \n (ICRNL); echo with ONLCR;
	 * erase edits the line and echoes "\b \b". */
	ck_assert_int_eq(vfs_write(tt, m, "ab", 2), 2);
	ck_assert_err(vfs_read(tt, s, buf, sizeof(buf)), EAGAIN);
	ck_assert_int_eq(vfs_write(tt, m, "x\177c\r", 4), 4);
	expect_read(s, "abc\n", 4);
	expect_read(m, "abx\b \bc\r\n", 9);
	/* One line per read, partial reads resume; kill erases the whole line. */
	ck_assert_int_eq(vfs_write(tt, m, "1\n22\nzz\025\n", 9), 9);
	ck_assert_int_eq(vfs_read(tt, s, buf, sizeof(buf)), 2);
	ck_assert_int_eq(vfs_read(tt, s, buf, 1), 1);
	ck_assert_int_eq(vfs_read(tt, s, buf, sizeof(buf)), 2);
	ck_assert(memcmp(buf, "2\n", 2) == 0);
	expect_read(s, "\n", 1);
	expect_read(m, "1\r\n22\r\nzz\b \b\b \b\r\n", 17);
	/* EOF (^D) ends the line without being stored: an empty line reads 0. */
	ck_assert_int_eq(vfs_write(tt, m, "hi\004\004", 4), 4);
	ck_assert_int_eq(vfs_read(tt, s, buf, sizeof(buf)), 2);
	ck_assert_int_eq(vfs_read(tt, s, buf, sizeof(buf)), 0);
	ck_assert_err(vfs_read(tt, s, buf, sizeof(buf)), EAGAIN);
	expect_read(m, "hi", 2); /* EOF is not echoed, as n_tty */

	/* Output: \n to \r\n with OPOST|ONLCR, unchanged without. */
	ck_assert_int_eq(vfs_write(tt, s, "a\nb", 3), 3);
	expect_read(m, "a\r\nb", 4);
	t.c_oflag &= ~0x4u;
	ck_assert_ok(vfs_ioctl(tt, m, DEVPTS_TCSETSW, &t));
	ck_assert_int_eq(vfs_write(tt, s, "a\nb", 3), 3);
	expect_read(m, "a\nb", 3);

	/* Raw (no ICANON, no ECHO): bytes as they come, no echo; the pending line of
	 * canonical mode becomes readable. */
	ck_assert_int_eq(vfs_write(tt, m, "pend", 4), 4);
	expect_read(m, "pend", 4);
	t.c_lflag &= ~(0x2u | 0x8u);
	ck_assert_ok(vfs_ioctl(tt, s, DEVPTS_TCSETS, &t));
	expect_read(s, "pend", 4);
	ck_assert_int_eq(vfs_write(tt, m, "q\177", 2), 2);
	expect_read(s, "q\177", 2);
	ck_assert_err(vfs_read(tt, m, buf, sizeof(buf)), EAGAIN);
	/* TCSETSF flushes the input. */
	ck_assert_int_eq(vfs_write(tt, m, "gone", 4), 4);
	ck_assert_ok(vfs_ioctl(tt, s, DEVPTS_TCSETSF, &t));
	ck_assert_err(vfs_read(tt, s, buf, sizeof(buf)), EAGAIN);
	ck_assert_ok(vfs_ioctl(tt, m, DEVPTS_TCGETS, &t));
	ck_assert_uint_eq(t.c_lflag & 0xa, 0);

	/* Window size, shared by both sides; unknown requests are ENOTTY. */
	ck_assert_ok(vfs_ioctl(tt, s, DEVPTS_TIOCGWINSZ, &ws2));
	ck_assert_uint_eq(ws2.ws_row, 0);
	ck_assert_ok(vfs_ioctl(tt, m, DEVPTS_TIOCSWINSZ, &ws));
	ck_assert_ok(vfs_ioctl(tt, s, DEVPTS_TIOCGWINSZ, &ws2));
	ck_assert_uint_eq(ws2.ws_row, 24);
	ck_assert_uint_eq(ws2.ws_col, 80);
	ck_assert_err(vfs_ioctl(tt, s, 0x5499, &ws2), ENOTTY);

	/* Hang-up: the replica reads end-of-file once the master is gone. */
	ck_assert_ok(vfs_close(tt, m));
	ck_assert_int_eq(vfs_read(tt, s, buf, sizeof(buf)), 0);
	ck_assert_ok(vfs_close(tt, s));
	ck_assert_ok(vfs_umount2(tt, "/dev/pts", 0));
	ck_assert_ok(vfs_umount2(tt, "/dev", 0));
}
END_TEST

struct pty_reader {
	int fd;
	long n;
	char buf[16];
};

static void *pty_reader_fn(void *arg)
{
	struct pty_reader *r = arg;

	r->n = vfs_read(tt, r->fd, r->buf, sizeof(r->buf));
	return NULL;
}

/* Without O_NONBLOCK a read waits: for a completed line, or for the hang-up. */
START_TEST(dev_devpts_blocking_read)
{
	struct pty_reader r = { .n = -1 };
	int unlock = 0, m;
	pthread_t th;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/pts", 0755));
	ck_assert_ok(vfs_mount(tt, "devpts", "/pts", "devpts", 0, NULL));
	m = vfs_openat(tt, AT_FDCWD, "/pts/ptmx", O_RDWR, 0);
	ck_assert_int_ge(m, 0);
	ck_assert_ok(vfs_ioctl(tt, m, DEVPTS_TIOCSPTLCK, &unlock));
	r.fd = vfs_openat(tt, AT_FDCWD, "/pts/0", O_RDWR, 0);
	ck_assert_int_ge(r.fd, 0);

	ck_assert_int_eq(pthread_create(&th, NULL, pty_reader_fn, &r), 0);
	usleep(20000);
	ck_assert_int_eq(vfs_write(tt, m, "o", 1), 1); /* not a line yet */
	usleep(20000);
	ck_assert_int_eq(vfs_write(tt, m, "k\n", 2), 2);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(r.n, 3);
	ck_assert(memcmp(r.buf, "ok\n", 3) == 0);

	r.n = -1;
	ck_assert_int_eq(pthread_create(&th, NULL, pty_reader_fn, &r), 0);
	usleep(20000);
	ck_assert_ok(vfs_close(tt, m));
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_ok(vfs_close(tt, r.fd));
	ck_assert_ok(vfs_umount2(tt, "/pts", 0));
}
END_TEST

START_TEST(dev_devpts_options_and_user_mount)
{
	struct task *u;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/pts", 0777));
	ck_assert_err(vfs_mount(tt, "devpts", "/pts", "devpts", 0, "bogus=1"), EINVAL);
	ck_assert_str_eq(task_errmsg(tt), "devpts: unknown option 'bogus'");
	ck_assert_err(vfs_mount(tt, "devpts", "/pts", "devpts", 0, "mode=9"), EINVAL);

	u = task_fork(tt);
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	ck_assert_err(vfs_mount(u, "devpts", "/pts", "devpts", 0, NULL), EPERM);
	task_exit(u);
}
END_TEST

START_TEST(dev_sysfs_readonly_tree)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/sys", 0755));
	ck_assert_ok(vfs_mount(tt, "sysfs", "/sys", "sysfs", 0, NULL));
	expect_content("/sys/devices/system/cpu/online", "0-0\n");
	expect_content("/sys/devices/system/cpu/possible", "0-0\n");
	expect_content("/sys/devices/system/cpu/present", "0-0\n");
	expect_content("/sys/devices/system/cpu/cpu0/topology/core_cpus", "1\n");
	/* Read-only for everyone: no store (EACCES even for root, as kernfs_fop_open), and
	 * root's 0755 directories for a non-root task. */
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/sys/devices/system/cpu/online", O_WRONLY, 0),
		      EACCES);
	{
		struct task *u = task_fork(tt);

		ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
		ck_assert_err(vfs_openat(u, AT_FDCWD, "/sys/devices/system/cpu/online", O_RDWR, 0),
			      EACCES);
		ck_assert_err(vfs_openat(u, AT_FDCWD, "/sys/kernel/new", O_WRONLY | O_CREAT, 0644),
			      EACCES);
		ck_assert_err(vfs_mkdirat(u, AT_FDCWD, "/sys/fs/new", 0755), EACCES);
		ck_assert_err(vfs_fchmodat(u, AT_FDCWD, "/sys/kernel", 0777, 0), EPERM);
		task_exit(u);
	}
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/sys/devices/system/cpu/online", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFREG | 0444);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/sys/fs/cgroup", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/sys/kernel", &st, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/sys/class/power_supply", &st, 0));
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/sys/devices/system/cpu/online", O_WRONLY, 0),
		      EACCES);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/sys/x", 0755), EPERM);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/sys/new", O_CREAT | O_WRONLY, 0644), EPERM);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/sys/kernel", 0700, 0), EPERM);
	/* cgroupfs mounts on the mount point sysfs provides. */
	ck_assert_ok(vfs_mount(tt, "cgroup", "/sys/fs/cgroup", "cgroup", 0, "memory"));
	expect_content("/sys/fs/cgroup/memory.limit_in_bytes", "9223372036854775807\n");
	ck_assert_ok(vfs_umount2(tt, "/sys/fs/cgroup", 0));
	ck_assert_ok(vfs_umount2(tt, "/sys", 0));
}
END_TEST

START_TEST(dev_cgroupfs_options_and_files)
{
	struct vfs_stat st;
	char *mi;
	size_t len;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg", 0755));
	ck_assert_err(vfs_mount(tt, "cgroup", "/cg", "cgroup", 0, "cpu,blkio"), EINVAL);
	ck_assert(strstr(task_errmsg(tt), "unknown controller 'blkio'"));
	ck_assert_err(vfs_mount(tt, "cgroup", "/cg", "cgroup", 0, "all,cpu"), EINVAL);
	ck_assert_ok(vfs_mount(tt, "cgroup", "/cg", "cgroup", 0, "pids,cpu"));
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_msg(strstr(mi, " - cgroup cgroup rw,cpu,pids\n"), "%s", mi);
	free(mi);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/cg", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0555);
	expect_content("/cg/cpu.shares", "1024\n");
	expect_content("/cg/cpu.cfs_quota_us", "-1\n");
	expect_content("/cg/cgroup.procs", "1\n");
	expect_content("/cg/pids.current", "1\n");
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/cg/pids.max", &st, 0), ENOENT);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/cg/memory.limit_in_bytes", &st, 0), ENOENT);
	ck_assert_ok(t_write_file(tt, "/cg/cpu.shares", "512\n", 0644));
	expect_content("/cg/cpu.shares", "512\n");
	ck_assert_err(t_write_file(tt, "/cg/cpu.shares", "lots", 0644), EINVAL);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/cg/pids.current", O_WRONLY, 0), EACCES);

	/* A child cgroup inherits values, has pids.max, and goes with rmdir. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/a", 0755));
	expect_content("/cg/a/cpu.shares", "512\n");
	expect_content("/cg/a/pids.max", "max\n");
	expect_content("/cg/a/cgroup.procs", "");
	ck_assert_ok(t_write_file(tt, "/cg/a/pids.max", "10", 0644));
	expect_content("/cg/a/pids.max", "10\n");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/a/b", 0755));
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/cg/a", AT_REMOVEDIR), EBUSY);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/cg/a/b", AT_REMOVEDIR));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/cg/a", AT_REMOVEDIR));
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/cg/a", &st, 0), ENOENT);
	ck_assert_ok(vfs_umount2(tt, "/cg", 0));

	/* Nothing named: every controller; devices rules. */
	ck_assert_ok(vfs_mount(tt, "cgroup", "/cg", "cgroup", 0, NULL));
	expect_content("/cg/devices.list", "a *:* rwm\n");
	ck_assert_ok(t_write_file(tt, "/cg/devices.deny", "a", 0644));
	expect_content("/cg/devices.list", "");
	ck_assert_ok(t_write_file(tt, "/cg/devices.allow", "c 1:3 rwm", 0644));
	expect_content("/cg/devices.list", "c 1:3 rwm\n");
	ck_assert_err(t_write_file(tt, "/cg/devices.allow", "x 1:3 rwm", 0644), EINVAL);
	expect_content("/cg/cpuset.cpus", "0\n");
	expect_content("/cg/job.id", "0\n");
	ck_assert_ok(vfs_umount2(tt, "/cg", 0));
}
END_TEST

START_TEST(dev_registry_flags)
{
	char *fs;
	size_t len;
	struct task *u;

	ck_assert_ok(vfs_filesystems(tt, &fs, &len));
	ck_assert_msg(strstr(fs, "nodev\tcgroup\nnodev\tdevpts\nnodev\tdevtmpfs\n"), "%s", fs);
	ck_assert(strstr(fs, "nodev\tsysfs\nnodev\ttmpfs\n"));
	free(fs);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0777));
	u = task_fork(tt);
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	ck_assert_err(vfs_mount(u, "x", "/m", "9p", 0, NULL), EPERM);
	task_exit(u);
}
END_TEST

Suite *dev_suite(void)
{
	Suite *s = suite_create("dev");
	TCase *tc = t_case(s, "dev");

	tcase_add_test(tc, dev_memdev_semantics);
	tcase_add_test(tc, dev_devtmpfs_boot_tree);
	tcase_add_test(tc, dev_devpts_ptmx_numbering);
	tcase_add_test(tc, dev_devpts_line_discipline);
	tcase_add_test(tc, dev_devpts_blocking_read);
	tcase_add_test(tc, dev_devpts_options_and_user_mount);
	tcase_add_test(tc, dev_sysfs_readonly_tree);
	tcase_add_test(tc, dev_cgroupfs_options_and_files);
	tcase_add_test(tc, dev_registry_flags);
	return s;
}
