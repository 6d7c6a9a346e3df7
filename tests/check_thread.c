/*
 * check_thread.c - the library is thread-safe: several threads, each with its own task,
 * create, write, rename and remove files in a shared directory and in their own, and
 * mount and unmount, at once; afterwards the tree holds exactly what the model says and
 * nothing leaked (the fixture's teardown). The long randomized stress run under TSan is
 * a reliability gate of its own; this is the functional check.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "helpers.h"

#define NTHREADS 4
#define ROUNDS 400

struct worker {
	struct task *t;
	int id;
	int errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char own[32], a[64], b[64], mnt[48];
	int i, fd;

	snprintf(own, sizeof(own), "/own%d", w->id);
	snprintf(mnt, sizeof(mnt), "/own%d/m", w->id);
	if (vfs_mkdirat(w->t, AT_FDCWD, own, 0755) || vfs_mkdirat(w->t, AT_FDCWD, mnt, 0755)) {
		w->errors++;
		return NULL;
	}
	for (i = 0; i < ROUNDS; i++) {
		snprintf(a, sizeof(a), "/shared/t%d-%d", w->id, i);
		snprintf(b, sizeof(b), "%s/r%d", own, i);
		fd = vfs_openat(w->t, AT_FDCWD, a, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || vfs_write(w->t, fd, "data", 4) != 4 || vfs_close(w->t, fd)) {
			w->errors++;
			continue;
		}
		if (vfs_renameat2(w->t, AT_FDCWD, a, AT_FDCWD, b, 0))
			w->errors++;
		if (i % 3 == 0 && vfs_unlinkat(w->t, AT_FDCWD, b, 0))
			w->errors++;
		if (i % 50 == 0) {
			if (vfs_mount(w->t, "none", mnt, "tmpfs", 0, NULL) ||
			    vfs_umount2(w->t, mnt, 0))
				w->errors++;
		}
	}
	return NULL;
}

START_TEST(thread_concurrent_namespace_ops)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	struct vfs_stat st;
	char path[64];
	int i, j, expect;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/shared", 0777));
	for (i = 0; i < NTHREADS; i++) {
		w[i].t = task_fork(tt);
		w[i].id = i;
		w[i].errors = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(w[i].errors, 0);
		task_exit(w[i].t);
	}
	/* The model: files r<i> remain where i % 3 != 0; /shared is empty. */
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/shared", &st, 0));
	ck_assert_uint_eq(st.nlink, 2);
	for (i = 0; i < NTHREADS; i++) {
		expect = 0;
		for (j = 0; j < ROUNDS; j++) {
			snprintf(path, sizeof(path), "/own%d/r%d", i, j);
			if (j % 3 == 0) {
				ck_assert_err(vfs_fstatat(tt, AT_FDCWD, path, &st, 0), ENOENT);
			} else {
				ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, path, &st, 0));
				ck_assert_int_eq(st.size, 4);
				expect++;
			}
		}
		ck_assert_int_gt(expect, 0);
	}
}
END_TEST

Suite *thread_suite(void)
{
	Suite *s = suite_create("thread");
	TCase *tc = t_case(s, "threads");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, thread_concurrent_namespace_ops);
	return s;
}
