/*
 * check_cgroup.c - cgroupfs hierarchies: task membership through cgroup.procs and tasks,
 * rmdir of a busy cgroup, pids.current, one hierarchy per controller set shared by its
 * mounts and EBUSY for an overlapping set, /proc/PID/cgroup and /proc/cgroups, and what
 * a non-root task may write.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/fault.h"
#include "helpers.h"

static void expect_content(const char *path, const char *want)
{
	char buf[512];

	ck_assert_int_eq(t_read_file(tt, path, buf, sizeof(buf)), (long)strlen(want));
	ck_assert_str_eq(buf, want);
}

static void mount_cg(const char *dir, const char *opts)
{
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, dir, 0755));
	ck_assert_ok(vfs_mount(tt, "cgroup", dir, "cgroup", 0, opts));
}

START_TEST(cgroup_membership)
{
	struct task *a = task_fork(tt), *b = task_fork(tt);
	char want[64];
	int pa = task_pid(a), pb = task_pid(b);

	mount_cg("/cg", "pids");
	snprintf(want, sizeof(want), "1\n%d\n%d\n", pa, pb);
	expect_content("/cg/cgroup.procs", want);
	expect_content("/cg/pids.current", "3\n");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/x", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/x/y", 0755));

	/* Moving b then a: the listing is sorted whatever the order of the moves. */
	snprintf(want, sizeof(want), "%d\n", pb);
	ck_assert_ok(t_write_file(tt, "/cg/x/cgroup.procs", want, 0644));
	snprintf(want, sizeof(want), "%d", pa);
	ck_assert_ok(t_write_file(tt, "/cg/x/tasks", want, 0644));
	snprintf(want, sizeof(want), "%d\n%d\n", pa, pb);
	expect_content("/cg/x/cgroup.procs", want);
	expect_content("/cg/x/tasks", want);
	expect_content("/cg/cgroup.procs", "1\n");
	expect_content("/cg/x/pids.current", "2\n");
	expect_content("/cg/pids.current", "3\n");

	/* Deeper: pids.current counts descendants; the parent lists direct members. */
	snprintf(want, sizeof(want), "%d", pb);
	ck_assert_ok(t_write_file(tt, "/cg/x/y/cgroup.procs", want, 0644));
	snprintf(want, sizeof(want), "%d\n", pa);
	expect_content("/cg/x/cgroup.procs", want);
	expect_content("/cg/x/pids.current", "2\n");
	expect_content("/cg/x/y/pids.current", "1\n");

	/* A cgroup with tasks is busy; empty again, it goes. */
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/cg/x/y", AT_REMOVEDIR), EBUSY);
	snprintf(want, sizeof(want), "%d", pb);
	ck_assert_ok(t_write_file(tt, "/cg/cgroup.procs", want, 0644));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/cg/x/y", AT_REMOVEDIR));
	ck_assert_err(vfs_unlinkat(tt, AT_FDCWD, "/cg/x", AT_REMOVEDIR), EBUSY);

	/* A task that exits leaves its cgroup. */
	task_exit(a);
	expect_content("/cg/x/cgroup.procs", "");
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/cg/x", AT_REMOVEDIR));

	/* 0 is the writer; unknown PIDs and junk are refused. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/z", 0755));
	ck_assert_ok(t_write_file(tt, "/cg/z/cgroup.procs", "0", 0644));
	expect_content("/cg/z/cgroup.procs", "1\n");
	ck_assert_err(t_write_file(tt, "/cg/z/cgroup.procs", "9999", 0644), ESRCH);
	ck_assert_err(t_write_file(tt, "/cg/z/cgroup.procs", "-1", 0644), EINVAL);
	ck_assert_err(t_write_file(tt, "/cg/z/cgroup.procs", "one", 0644), EINVAL);
	ck_assert_ok(t_write_file(tt, "/cg/cgroup.procs", "1", 0644));
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/cg/z", AT_REMOVEDIR));
	task_exit(b);
	ck_assert_ok(vfs_umount2(tt, "/cg", 0));
}
END_TEST

START_TEST(cgroup_fork_inherits)
{
	struct task *a = task_fork(tt), *child;
	char want[64];

	mount_cg("/cg", "pids");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/x", 0755));
	snprintf(want, sizeof(want), "%d", task_pid(a));
	ck_assert_ok(t_write_file(tt, "/cg/x/cgroup.procs", want, 0644));
	/* A task forked from a member of /x starts in /x, as Linux's cgroup_fork. */
	child = task_fork(a);
	ck_assert_ptr_nonnull(child);
	snprintf(want, sizeof(want), "%d\n%d\n", task_pid(a), task_pid(child));
	expect_content("/cg/x/cgroup.procs", want);
	expect_content("/cg/x/pids.current", "2\n");
	task_exit(child);
	task_exit(a);
}
END_TEST

START_TEST(cgroup_hierarchies)
{
	struct vfs_stat s1, s2;
	char *mi;
	size_t len;

	mount_cg("/c1", "cpu,memory");
	/* The same set, in another order: another view of the same hierarchy. */
	mount_cg("/c2", "memory,cpu");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/c1/g", 0755));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/c1/g", &s1, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/c2/g", &s2, 0));
	ck_assert_uint_eq(s1.dev, s2.dev);
	ck_assert_uint_eq(s1.ino, s2.ino);
	ck_assert_ok(t_write_file(tt, "/c2/g/cpu.shares", "2", 0644));
	expect_content("/c1/g/cpu.shares", "2\n");

	/* Overlapping sets are busy; "all" overlaps everything; a disjoint set is new. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/c3", 0755));
	ck_assert_err(vfs_mount(tt, "cgroup", "/c3", "cgroup", 0, "cpu"), EBUSY);
	ck_assert(strstr(task_errmsg(tt), "another hierarchy"));
	ck_assert_err(vfs_mount(tt, "cgroup", "/c3", "cgroup", 0, "memory,pids"), EBUSY);
	ck_assert_err(vfs_mount(tt, "cgroup", "/c3", "cgroup", 0, NULL), EBUSY);
	ck_assert_ok(vfs_mount(tt, "cgroup", "/c3", "cgroup", 0, "pids"));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/c3", &s2, 0));
	ck_assert_uint_ne(s1.dev, s2.dev);
	ck_assert_ok(vfs_mountinfo(tt, &mi, &len));
	ck_assert_msg(strstr(mi, " /c2 rw,relatime - cgroup cgroup rw,cpu,memory\n"), "%s", mi);
	free(mi);

	/* /proc/cgroups and /proc/PID/cgroup show the hierarchy IDs. */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/proc", 0555));
	ck_assert_ok(vfs_mount(tt, "proc", "/proc", "proc", 0, NULL));
	expect_content("/proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
					"cpu\t1\t2\t1\n"
					"memory\t1\t2\t1\n"
					"pids\t2\t1\t1\n");
	expect_content("/proc/self/cgroup", "2:pids:/\n1:cpu,memory:/\n");
	ck_assert_ok(t_write_file(tt, "/c1/g/tasks", "1", 0644));
	expect_content("/proc/1/cgroup", "2:pids:/\n1:cpu,memory:/g\n");
	ck_assert_ok(t_write_file(tt, "/c1/tasks", "1", 0644));

	/* The hierarchy outlives one of its mounts, and its ID is freed with the last. */
	ck_assert_ok(vfs_umount2(tt, "/c1", 0));
	expect_content("/c2/g/cpu.shares", "2\n");
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/c2/g", AT_REMOVEDIR));
	ck_assert_ok(vfs_umount2(tt, "/c2", 0));
	expect_content("/proc/self/cgroup", "2:pids:/\n");
	ck_assert_ok(vfs_mount(tt, "cgroup", "/c1", "cgroup", 0, "cpu"));
	expect_content("/proc/self/cgroup", "2:pids:/\n1:cpu:/\n");
	ck_assert_ok(vfs_umount2(tt, "/c1", 0));
	ck_assert_ok(vfs_umount2(tt, "/c3", 0));
	ck_assert_ok(vfs_umount2(tt, "/proc", 0));
}
END_TEST

/* Separate kernels have separate hierarchies (and IDs): the registry is per VFS. */
START_TEST(cgroup_kernels_apart)
{
	struct kernel *k2 = kernel_new(host_sim_new(2));
	struct task *t2;

	ck_assert((unsigned long)k2 < (unsigned long)-4095L);
	t2 = kernel_init_task(k2);
	mount_cg("/c", "cpu");
	ck_assert_ok(vfs_mkdirat(t2, AT_FDCWD, "/c", 0755));
	ck_assert_ok(vfs_mount(t2, "cgroup", "/c", "cgroup", 0, "cpu,pids"));
	ck_assert_ok(vfs_umount2(t2, "/c", 0));
	kernel_destroy(k2);
	ck_assert_ok(vfs_umount2(tt, "/c", 0));
}
END_TEST

/* Allocation failures anywhere in mounting a second view of a hierarchy, or a new
 * hierarchy, end in ENOMEM with the first view intact and nothing leaked (the fixture
 * checks the counters). */
START_TEST(cgroup_mount_faults)
{
	uint64_t n;
	long r;

	mount_cg("/c1", "cpu");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/c2", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/c3", 0755));
	/* A failure after get_tree shared the hierarchy must leave it mounted at /c1. */
	for (n = 1; n < 2000; n++) {
		fault_arm(n, 1u << FAULT_ALLOC);
		r = vfs_mount(tt, "cgroup", "/c2", "cgroup", 0, "cpu");
		fault_disarm();
		if (!r)
			break;
		ck_assert_int_eq(r, -ENOMEM);
		expect_content("/c1/cpu.shares", "1024\n");
	}
	for (n = 1; n < 1000; n++) {
		fault_arm(n, 1u << FAULT_ALLOC);
		r = vfs_mount(tt, "cgroup", "/c3", "cgroup", 0, "pids");
		fault_disarm();
		if (!r)
			break;
		ck_assert_int_eq(r, -ENOMEM);
	}
	ck_assert_ok(vfs_umount2(tt, "/c3", 0));
	ck_assert_ok(vfs_umount2(tt, "/c2", 0));
	expect_content("/c1/cpu.shares", "1024\n");
	ck_assert_ok(vfs_umount2(tt, "/c1", 0));
}
END_TEST

START_TEST(cgroup_non_root)
{
	struct task *u = task_fork(tt);

	mount_cg("/cg", "cpu,pids");
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/cg/g", 0755));
	ck_assert_ok(task_setcreds(u, 1000, 1000, 0, NULL));
	/* Control files are root's 0644 and directories 0755 (0555 the root): EACCES. */
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/cg/cpu.shares", O_WRONLY, 0), EACCES);
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/cg/g/cgroup.procs", O_WRONLY, 0), EACCES);
	ck_assert_err(vfs_openat(u, AT_FDCWD, "/cg/tasks", O_WRONLY, 0), EACCES);
	ck_assert_err(vfs_mkdirat(u, AT_FDCWD, "/cg/h", 0755), EACCES);
	ck_assert_err(vfs_mkdirat(u, AT_FDCWD, "/cg/g/h", 0755), EACCES);
	ck_assert_err(vfs_unlinkat(u, AT_FDCWD, "/cg/g", AT_REMOVEDIR), EACCES);
	/* Reading is everyone's. */
	{
		char buf[64];

		ck_assert_int_eq(t_read_file(u, "/cg/g/cpu.shares", buf, sizeof(buf)), 5);
	}
	task_exit(u);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/cg/g", AT_REMOVEDIR));
	ck_assert_ok(vfs_umount2(tt, "/cg", 0));
}
END_TEST

Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = t_case(s, "cgroup");

	tcase_add_test(tc, cgroup_membership);
	tcase_add_test(tc, cgroup_fork_inherits);
	tcase_add_test(tc, cgroup_hierarchies);
	tcase_add_test(tc, cgroup_kernels_apart);
	tcase_add_test(tc, cgroup_non_root);
	tcase_add_test(tc, cgroup_mount_faults);
	return s;
}
