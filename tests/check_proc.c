/*
 * check_proc.c - the proc filesystem: the root listing, /proc/self for each task,
 * /proc/PID entries (status, stat, mountinfo, mounts, fd/, cwd, root) with exact
 * contents, ownership and modes as Linux's, the global files and /proc/sys, read-only
 * behaviour, non-root permissions, /proc/filesystems and the registry's list flag, and
 * PID directories that vanish with their task.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "helpers.h"
#include "vfs/internal.h"

/* The fixture kernel's VFS (tests may use the registry directly). */
static struct vfs *tk_vfs(void)
{
	return tk->vfs;
}

static void mount_proc(void)
{
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/proc", 0555));
	ck_assert_ok(vfs_mount(tt, "proc", "/proc", "proc", 0, NULL));
}

/* The names of a directory in getdents order, comma-joined, read with a buffer of bufsz
 * bytes (small sizes exercise resuming). */
static void t_list(struct task *t, const char *path, size_t bufsz, char *out, size_t outsz)
{
	char buf[4096];
	int fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	long n;

	ck_assert_msg(fd >= 0, "open %s: %s", path, errno_name(-fd));
	ck_assert(bufsz <= sizeof(buf));
	out[0] = '\0';
	while ((n = vfs_getdents(t, fd, buf, bufsz)) > 0) {
		long off = 0;

		while (off < n) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (out[0])
				strncat(out, ",", outsz - strlen(out) - 1);
			strncat(out, name, outsz - strlen(out) - 1);
			off += reclen;
		}
	}
	ck_assert_int_eq(n, 0);
	vfs_close(t, fd);
}

static void assert_file(struct task *t, const char *path, const char *want)
{
	char buf[8192];
	long n = t_read_file(t, path, buf, sizeof(buf));

	ck_assert_msg(n >= 0, "read %s: %s", path, errno_name((int)-n));
	ck_assert_str_eq(buf, want);
}

static void assert_link(struct task *t, const char *path, const char *want)
{
	char buf[4096];
	long n = vfs_readlinkat(t, AT_FDCWD, path, buf, sizeof(buf) - 1);

	ck_assert_msg(n >= 0, "readlink %s: %s", path, errno_name((int)-n));
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

static void assert_mode(struct task *t, const char *path, unsigned mode, unsigned uid, unsigned gid)
{
	struct vfs_stat st;

	ck_assert_ok(vfs_fstatat(t, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW));
	ck_assert_msg(st.mode == mode, "%s: mode 0%o, want 0%o", path, st.mode, mode);
	ck_assert_uint_eq(st.uid, uid);
	ck_assert_uint_eq(st.gid, gid);
	ck_assert_int_eq(st.size, 0);
}

#define ROOT_STATIC                                                                \
	".,..,self,thread-self,mounts,filesystems,cpuinfo,meminfo,uptime,version," \
	"loadavg,stat,cgroups,sys"

START_TEST(proc_root_listing)
{
	char list[1024];
	struct task *c;
	size_t sz;

	mount_proc();
	t_list(tt, "/proc", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ROOT_STATIC ",1");
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	/* One record per getdents call at the smallest sizes: resuming is exact. */
	for (sz = 32; sz <= 4096; sz *= 4) {
		t_list(tt, "/proc", sz, list, sizeof(list));
		ck_assert_str_eq(list, ROOT_STATIC ",1,2");
	}
	t_list(tt, "/proc/sys", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,fs,kernel,vm");
	t_list(tt, "/proc/sys/fs", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,file-max,nr_open,pipe-max-size");
	t_list(tt, "/proc/2", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,task,fd,environ,status,comm,cmdline,stat,cwd,root,mounts,"
			       "mountinfo,cgroup");
	t_list(tt, "/proc/2/task", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,2");
	t_list(tt, "/proc/2/task/2", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,fd,environ,status,comm,cmdline,stat,cwd,root,mounts,"
			       "mountinfo,cgroup");
	task_exit(c);
}
END_TEST

START_TEST(proc_self_is_the_looking_task)
{
	struct task *c;
	struct vfs_stat st;
	char buf[64];

	mount_proc();
	assert_link(tt, "/proc/self", "1");
	assert_link(tt, "/proc/thread-self", "1/task/1");
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	assert_link(c, "/proc/self", "2");
	assert_link(c, "/proc/thread-self", "2/task/2");
	assert_link(tt, "/proc/self", "1");
	/* Through the link: the reader's own directory. */
	ck_assert_ok(vfs_fstatat(c, AT_FDCWD, "/proc/self", &st, 0));
	ck_assert_uint_eq(st.ino, (2ull << 32) | 0x100);
	ck_assert_ok(vfs_fstatat(c, AT_FDCWD, "/proc/thread-self/status", &st, 0));
	ck_assert_int_gt(t_read_file(c, "/proc/self/stat", buf, sizeof(buf)), 0);
	ck_assert(strncmp(buf, "2 (vfslab) R 1 2 2 ", 19) == 0);
	ck_assert_int_gt(t_read_file(tt, "/proc/2/stat", buf, sizeof(buf)), 0);
	ck_assert(strncmp(buf, "2 (vfslab) S 1 2 2 ", 19) == 0);
	task_exit(c);
}
END_TEST

START_TEST(proc_mountinfo_and_mounts_exact)
{
	char *mi, *mt;
	size_t len;

	mount_proc();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/mnt/a b", 0755));
	ck_assert_ok(vfs_mount(tt, "a b", "/mnt/a b", "tmpfs", 0, "size=1m"));
	ck_assert_ok(vfs_mount(tt, "x\\y", "/mnt", "tmpfs", MS_RDONLY | MS_NOSUID, NULL));
	assert_file(tt, "/proc/self/mountinfo",
		    "1 1 0:2 / / rw,relatime - tmpfs rootfs rw,mode=755\n"
		    "2 1 0:3 / /proc rw,relatime - proc proc rw\n"
		    "3 1 0:4 / /mnt/a\\040b rw,relatime - tmpfs a\\040b rw,size=1024k\n"
		    "4 1 0:5 / /mnt ro,nosuid,relatime - tmpfs x\\134y ro\n");
	assert_file(tt, "/proc/1/mounts",
		    "rootfs / tmpfs rw,relatime,mode=755 0 0\n"
		    "proc /proc proc rw,relatime 0 0\n"
		    "a\\040b /mnt/a\\040b tmpfs rw,relatime,size=1024k 0 0\n"
		    "x\\134y /mnt tmpfs ro,nosuid,relatime 0 0\n");
	/* The same bytes as the API's, and /proc/mounts is self/mounts. */
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	assert_file(tt, "/proc/1/mountinfo", mi);
	ck_assert_ok(vfs_mounts(tt, &mt, &len));
	assert_file(tt, "/proc/mounts", mt);
	assert_link(tt, "/proc/mounts", "self/mounts");
	free(mi);
	free(mt);
	ck_assert_ok(vfs_umount2(tt, "/mnt", 0));
	ck_assert_ok(vfs_umount2(tt, "/mnt/a b", 0));
}
END_TEST

START_TEST(proc_status_exact)
{
	static const gid_t groups[] = { 10, 20 };
	struct task *c;

	mount_proc();
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	ck_assert_ok(task_setcreds(c, 1000, 100, 2, groups));
	vfs_umask(c, 027);
	assert_file(tt, "/proc/2/status",
		    "Name:\tvfslab\n"
		    "Umask:\t0027\n"
		    "State:\tS (sleeping)\n"
		    "Tgid:\t2\n"
		    "Ngid:\t0\n"
		    "Pid:\t2\n"
		    "PPid:\t1\n"
		    "TracerPid:\t0\n"
		    "Uid:\t1000\t1000\t1000\t1000\n"
		    "Gid:\t100\t100\t100\t100\n"
		    "FDSize:\t64\n"
		    "Groups:\t10 20 \n"
		    "NStgid:\t2\n"
		    "NSpid:\t2\n"
		    "NSpgid:\t2\n"
		    "NSsid:\t2\n"
		    "Threads:\t1\n"
		    "CapInh:\t0000000000000000\n"
		    "CapPrm:\t0000000000000000\n"
		    "CapEff:\t0000000000000000\n"
		    "CapBnd:\t000001ffffffffff\n"
		    "CapAmb:\t0000000000000000\n"
		    "NoNewPrivs:\t0\n"
		    "Seccomp:\t0\n"
		    "Cpus_allowed:\t1\n"
		    "Cpus_allowed_list:\t0\n"
		    "voluntary_ctxt_switches:\t0\n"
		    "nonvoluntary_ctxt_switches:\t0\n");
	assert_file(c, "/proc/1/status",
		    "Name:\tvfslab\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nNgid:\t0\n"
		    "Pid:\t1\nPPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
		    "FDSize:\t64\nGroups:\t\nNStgid:\t1\nNSpid:\t1\nNSpgid:\t1\nNSsid:\t1\n"
		    "Threads:\t1\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
		    "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
		    "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		    "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"
		    "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	assert_file(c, "/proc/self/comm", "vfslab\n");
	assert_file(c, "/proc/self/cmdline", "");
	assert_file(c, "/proc/self/environ", "");
	assert_file(
		tt, "/proc/1/stat",
		"1 (vfslab) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0 "
		"18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	task_exit(c);
}
END_TEST

START_TEST(proc_modes_and_owners)
{
	struct task *c;
	struct vfs_stat st;

	mount_proc();
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	ck_assert_ok(task_setcreds(c, 1000, 100, 0, NULL));
	assert_mode(tt, "/proc", S_IFDIR | 0555, 0, 0);
	assert_mode(tt, "/proc/self", S_IFLNK | 0777, 0, 0);
	assert_mode(tt, "/proc/version", S_IFREG | 0444, 0, 0);
	assert_mode(tt, "/proc/sys/kernel/hostname", S_IFREG | 0444, 0, 0);
	assert_mode(tt, "/proc/2", S_IFDIR | 0555, 1000, 100);
	assert_mode(tt, "/proc/2/fd", S_IFDIR | 0500, 1000, 100);
	assert_mode(tt, "/proc/2/status", S_IFREG | 0444, 1000, 100);
	assert_mode(tt, "/proc/2/environ", S_IFREG | 0400, 1000, 100);
	assert_mode(tt, "/proc/2/cwd", S_IFLNK | 0777, 1000, 100);
	assert_mode(tt, "/proc/2/mountinfo", S_IFREG | 0444, 1000, 100);
	/* Ownership follows the task's credentials while its entries are in use. */
	ck_assert_ok(task_setcreds(c, 2000, 200, 0, NULL));
	assert_mode(tt, "/proc/2/status", S_IFREG | 0444, 2000, 200);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/proc/version", &st, 0));
	ck_assert_uint_eq(st.blksize, 1024);
	ck_assert_uint_eq(st.ino, 9);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/proc", &st, 0));
	ck_assert_uint_eq(st.ino, 1);
	ck_assert_uint_eq(st.nlink, 3); /* sys */
	task_exit(c);
}
END_TEST

START_TEST(proc_fd_links)
{
	char list[256], path[64];
	int r, w, rw, d;

	mount_proc();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/tmp", 01777));
	ck_assert_ok(t_write_file(tt, "/tmp/a b", "x", 0644));
	r = vfs_openat(tt, AT_FDCWD, "/tmp/a b", O_RDONLY, 0);
	w = vfs_openat(tt, AT_FDCWD, "/tmp/a b", O_WRONLY, 0);
	rw = vfs_openat(tt, AT_FDCWD, "/tmp/gone", O_RDWR | O_CREAT, 0644);
	d = vfs_openat(tt, AT_FDCWD, "/tmp", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(d, 3);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/tmp/gone", 0));
	t_list(tt, "/proc/self/fd", 4096, list, sizeof(list));
	/* The listing's own descriptor is 4. */
	ck_assert_str_eq(list, ".,..,0,1,2,3,4");
	t_list(tt, "/proc/self/fd", 24, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,0,1,2,3,4");
	assert_link(tt, "/proc/self/fd/0", "/tmp/a b");
	assert_link(tt, "/proc/1/fd/1", "/tmp/a b");
	assert_link(tt, "/proc/1/fd/2", "/tmp/gone (deleted)");
	assert_link(tt, "/proc/1/fd/3", "/tmp");
	assert_mode(tt, "/proc/1/fd/0", S_IFLNK | 0500, 0, 0);
	assert_mode(tt, "/proc/1/fd/1", S_IFLNK | 0300, 0, 0);
	assert_mode(tt, "/proc/1/fd/2", S_IFLNK | 0700, 0, 0);
	/* Following fd/0 reaches the file. */
	assert_file(tt, "/proc/self/fd/0", "x");
	vfs_close(tt, w);
	ck_assert_err(vfs_readlinkat(tt, AT_FDCWD, "/proc/1/fd/1", path, sizeof(path)), ENOENT);
	ck_assert_err(vfs_readlinkat(tt, AT_FDCWD, "/proc/1/fd/01", path, sizeof(path)), ENOENT);
	ck_assert_err(vfs_readlinkat(tt, AT_FDCWD, "/proc/1/fd/99", path, sizeof(path)), ENOENT);
	vfs_close(tt, r);
	vfs_close(tt, rw);
	vfs_close(tt, d);
}
END_TEST

START_TEST(proc_cwd_root_links)
{
	struct task *c;

	mount_proc();
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail/in", 0755));
	assert_link(tt, "/proc/1/cwd", "/");
	assert_link(tt, "/proc/1/root", "/");
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	ck_assert_ok(vfs_chdir(c, "/jail/in"));
	assert_link(tt, "/proc/2/cwd", "/jail/in");
	ck_assert_ok(vfs_chroot(c, "/jail"));
	assert_link(tt, "/proc/2/root", "/jail");
	/* The reader's root decides: the jailed task sees its cwd from its own root. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/jail/proc", 0555));
	ck_assert_ok(vfs_mount(tt, "proc", "/jail/proc", "proc", 0, NULL));
	assert_link(c, "/proc/self/cwd", "/in");
	assert_link(c, "/proc/self/root", "/");
	assert_link(c, "/proc/1/cwd", "/"); /* outside its root: from the namespace root */
	task_exit(c);
	ck_assert_ok(vfs_umount2(tt, "/jail/proc", 0));
}
END_TEST

START_TEST(proc_global_files)
{
	char buf[4096], *fs;
	size_t len;

	mount_proc();
	assert_file(tt, "/proc/version",
		    "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n");
	/* The simulated clock has run a few hundred microseconds since boot. */
	assert_file(tt, "/proc/uptime", "0.00 0.00\n");
	assert_file(tt, "/proc/loadavg", "0.00 0.00 0.00 1/1 1\n");
	ck_assert_ok(vfs_filesystems(tt, &fs, &len));
	assert_file(tt, "/proc/filesystems", fs);
	ck_assert_ptr_nonnull(strstr(fs, "nodev\tproc\n"));
	ck_assert_ptr_nonnull(strstr(fs, "nodev\ttmpfs\n"));
	free(fs);
	ck_assert_int_gt(t_read_file(tt, "/proc/meminfo", buf, sizeof(buf)), 0);
	ck_assert(strncmp(buf, "MemTotal:        1048576 kB\nMemFree:         1048576 kB\n", 56) ==
		  0);
	ck_assert_int_gt(t_read_file(tt, "/proc/cpuinfo", buf, sizeof(buf)), 0);
	ck_assert(strncmp(buf, "processor\t: 0\nvendor_id\t: GenuineIntel\n", 38) == 0);
	ck_assert_ptr_nonnull(strstr(buf, "power management:\n\n"));
	ck_assert_ptr_null(strstr(buf, "processor\t: 1"));
	ck_assert_int_gt(t_read_file(tt, "/proc/stat", buf, sizeof(buf)), 0);
	ck_assert(strncmp(buf,
			  "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\n"
			  "ctxt 0\nbtime 1577836800\nprocesses 1\n",
			  87) == 0);
	assert_file(tt, "/proc/sys/kernel/hostname", "localhost\n");
	assert_file(tt, "/proc/sys/kernel/ngroups_max", "65536\n");
	assert_file(tt, "/proc/sys/kernel/cap_last_cap", "40\n");
	assert_file(tt, "/proc/sys/kernel/osrelease", "4.4.0\n");
	assert_file(tt, "/proc/sys/kernel/ostype", "Linux\n");
	assert_file(tt, "/proc/sys/kernel/pid_max", "4194304\n");
	assert_file(tt, "/proc/sys/fs/nr_open", "1048576\n");
	assert_file(tt, "/proc/sys/fs/file-max", "9223372036854775807\n");
	assert_file(tt, "/proc/sys/vm/overcommit_memory", "0\n");
	ck_assert_int_eq(t_read_file(tt, "/proc/sys/kernel/random/uuid", buf, sizeof(buf)), 37);
	ck_assert_int_eq(buf[14], '4');
}
END_TEST

/* Reads are served from the snapshot taken at open, at any offset and size. */
START_TEST(proc_snapshot_reads)
{
	char buf[64];
	int fd;

	mount_proc();
	fd = vfs_openat(tt, AT_FDCWD, "/proc/sys/kernel/hostname", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_read(tt, fd, buf, 3), 3);
	ck_assert(memcmp(buf, "loc", 3) == 0);
	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), 7);
	ck_assert(memcmp(buf, "alhost\n", 7) == 0);
	ck_assert_int_eq(vfs_read(tt, fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 4, 5), 4);
	ck_assert(memcmp(buf, "host", 4) == 0);
	ck_assert_int_eq(vfs_pread(tt, fd, buf, 4, 100), 0);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(proc_read_only)
{
	char buf[16];
	int fd;

	mount_proc();
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/sys/kernel/hostname", O_WRONLY, 0), EACCES);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/version", O_RDWR, 0), EACCES);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/1/status", O_WRONLY, 0), EACCES);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/proc/x", 0755), EPERM);
	ck_assert_err(vfs_mkdirat(tt, AT_FDCWD, "/proc/1/x", 0755), EPERM);
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/proc/version", 0), EPERM);
	ck_assert_err(vfs_fchmodat(tt, AT_FDCWD, "/proc/version", 0666, 0), EPERM);
	ck_assert_err(vfs_fchownat(tt, AT_FDCWD, "/proc/1/status", 5, 5, 0), EPERM);
	ck_assert_err(vfs_symlinkat(tt, "x", AT_FDCWD, "/proc/l"), EPERM);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/nope", O_RDONLY, 0), ENOENT);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/01", O_RDONLY, 0), ENOENT);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/99", O_RDONLY, 0), ENOENT);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/1/task/2", O_RDONLY, 0), ENOENT);
	ck_assert_err(vfs_mount(tt, "proc", "/proc", "proc", 0, "hidepid=2"), EINVAL);
	ck_assert_str_eq(task_errmsg(tt), "proc: unknown option 'hidepid'");
	fd = vfs_openat(tt, AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_err(vfs_read(tt, fd, buf, sizeof(buf)), EISDIR);
	vfs_close(tt, fd);
}
END_TEST

START_TEST(proc_non_root_access)
{
	char buf[256], list[256];
	struct task *c;

	mount_proc();
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	ck_assert_ok(task_setcreds(c, 1000, 1000, 0, NULL));
	/* Another user's private entries. */
	ck_assert_err(vfs_readlinkat(c, AT_FDCWD, "/proc/1/cwd", buf, sizeof(buf)), EACCES);
	ck_assert_err(vfs_readlinkat(c, AT_FDCWD, "/proc/1/root", buf, sizeof(buf)), EACCES);
	ck_assert_err(vfs_openat(c, AT_FDCWD, "/proc/1/environ", O_RDONLY, 0), EACCES);
	ck_assert_err(vfs_openat(c, AT_FDCWD, "/proc/1/fd", O_RDONLY | O_DIRECTORY, 0), EACCES);
	ck_assert_err(vfs_openat(c, AT_FDCWD, "/proc/1/fd/0", O_RDONLY, 0), EACCES);
	/* Public ones, and its own. */
	ck_assert_int_gt(t_read_file(c, "/proc/1/status", buf, sizeof(buf)), 0);
	ck_assert_int_gt(t_read_file(c, "/proc/1/mountinfo", buf, sizeof(buf)), 0);
	assert_link(c, "/proc/self/cwd", "/");
	assert_file(c, "/proc/self/environ", "");
	t_list(c, "/proc/self/fd", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ".,..,0");
	/* Root may look at anyone's. */
	assert_link(tt, "/proc/2/cwd", "/");
	/* Another task of the same user may read its environ; a third user may not. */
	{
		struct task *d = task_fork(c), *e = task_fork(c);
		char path[32];

		ck_assert_ok(task_setcreds(e, 1001, 1000, 0, NULL));
		snprintf(path, sizeof(path), "/proc/%d/environ", task_pid(c));
		assert_file(d, path, "");
		ck_assert_err(vfs_openat(e, AT_FDCWD, path, O_RDONLY, 0), EACCES);
		snprintf(path, sizeof(path), "/proc/%d/fd", task_pid(c));
		ck_assert_err(vfs_openat(e, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0), EACCES);
		task_exit(d);
		task_exit(e);
	}
	task_exit(c);
}
END_TEST

/* A filesystem type only for the registry (never mounted here). */
static int proc_dummy_get_tree(struct fs_context *fc, struct super_block **out)
{
	(void)fc, (void)out;
	return -ENODEV;
}

static const struct fs_type proc_hidden_type = { "hiddenfs", proc_dummy_get_tree };
static const struct fs_type proc_block_type = { "blockfs", proc_dummy_get_tree };

/* /proc/filesystems lists the FS_USER_LIST types, to root and non-root tasks alike (the
 * seed marks every type it registers listable), with "nodev" unless FS_REQUIRES_DEV. */
START_TEST(proc_filesystems_user_list)
{
	char root_list[1024], user_list[1024], *line;
	struct task *c;
	long n;

	ck_assert_ok(vfs_register_fs_type(tk_vfs(), &proc_hidden_type, FS_USER_MOUNT));
	ck_assert_ok(vfs_register_fs_type(tk_vfs(), &proc_block_type,
					  FS_USER_LIST | FS_REQUIRES_DEV));
	mount_proc();
	c = task_fork(tt);
	ck_assert_ok(task_setcreds(c, 1000, 1000, 0, NULL));
	n = t_read_file(tt, "/proc/filesystems", root_list, sizeof(root_list));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(t_read_file(c, "/proc/filesystems", user_list, sizeof(user_list)), n);
	ck_assert_str_eq(user_list, root_list);
	ck_assert_msg(strstr(user_list, "nodev\tcgroup\nnodev\tdevpts\nnodev\tdevtmpfs\n"),
		      "%s", user_list);
	ck_assert(strstr(user_list, "nodev\t9p\n"));
	ck_assert(strstr(user_list, "nodev\tproc\n"));
	ck_assert(strstr(user_list, "\tblockfs\n") && !strstr(user_list, "nodev\tblockfs"));
	ck_assert(!strstr(user_list, "hiddenfs"));
	for (line = user_list; *line; line = strchr(line, '\n') + 1)
		ck_assert_msg(strncmp(line, "nodev\t", 6) == 0 || line[0] == '\t', "%s", line);
	task_exit(c);
}
END_TEST

START_TEST(proc_pid_dir_vanishes_with_task)
{
	char buf[1024], list[256];
	struct vfs_stat st;
	struct task *c;
	int fd, dfd;

	mount_proc();
	c = task_fork(tt);
	ck_assert_ptr_nonnull(c);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/proc/2", &st, 0));
	fd = vfs_openat(tt, AT_FDCWD, "/proc/2/status", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	dfd = vfs_openat(tt, AT_FDCWD, "/proc/2", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(dfd, 0);
	task_exit(c);
	/* The open file keeps its snapshot; the names are gone. */
	ck_assert_int_gt(vfs_read(tt, fd, buf, sizeof(buf)), 0);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/proc/2/mounts", &st, 0), ENOENT);
	ck_assert_err(vfs_openat(tt, AT_FDCWD, "/proc/2/status", O_RDONLY, 0), ENOENT);
	ck_assert_err(vfs_getdents(tt, dfd, buf, sizeof(buf)), ENOENT);
	t_list(tt, "/proc", 4096, list, sizeof(list));
	ck_assert_str_eq(list, ROOT_STATIC ",1");
	/* Busy while a file is open, then unmountable with nothing left behind. */
	ck_assert_err(vfs_umount2(tt, "/proc", 0), EBUSY);
	vfs_close(tt, fd);
	vfs_close(tt, dfd);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/proc/2", &st, 0), ENOENT);
	ck_assert_ok(vfs_umount2(tt, "/proc", 0));
}
END_TEST

Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = t_case(s, "proc");

	tcase_add_test(tc, proc_root_listing);
	tcase_add_test(tc, proc_self_is_the_looking_task);
	tcase_add_test(tc, proc_mountinfo_and_mounts_exact);
	tcase_add_test(tc, proc_status_exact);
	tcase_add_test(tc, proc_modes_and_owners);
	tcase_add_test(tc, proc_fd_links);
	tcase_add_test(tc, proc_cwd_root_links);
	tcase_add_test(tc, proc_global_files);
	tcase_add_test(tc, proc_snapshot_reads);
	tcase_add_test(tc, proc_read_only);
	tcase_add_test(tc, proc_non_root_access);
	tcase_add_test(tc, proc_filesystems_user_list);
	tcase_add_test(tc, proc_pid_dir_vanishes_with_task);
	return s;
}
