/*
 * helpers.h - shared fixture and assertions for the Check suites.
 *
 * Each suite file tests/check_NAME.c defines `Suite *NAME_suite(void);` and the build
 * collects every such file into the one runner (tests/check_main.c). A fixture boots a
 * fresh simulated kernel (seed 1) whose init task is root in an empty tmpfs root;
 * teardown destroys it and fails the test if any counted object (dentry, inode, mount,
 * file, ...) is still alive.
 */
#ifndef VFSLAB_TESTS_HELPERS_H
#define VFSLAB_TESTS_HELPERS_H

#include <check.h>
#include <errno.h>
#include <string.h>

#include "base/errname.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

extern struct kernel *tk;	/* the fixture's kernel */
extern struct task *tt;		/* its init task (root) */

void t_setup(void);
void t_teardown(void);
/* Add a test case named name with the fixture to s. */
TCase *t_case(Suite *s, const char *name);

/* Assert that expr (an API call) returns exactly the negative errno err, printing names. */
#define ck_assert_err(expr, err)                                                          \
	do {                                                                              \
		long _r = (long)(expr);                                                   \
		ck_assert_msg(_r == -(long)(err), "%s: got %ld (%s), want -%s", #expr, _r, \
			      _r < 0 ? errno_name((int)-_r) : "ok", errno_name(err));     \
	} while (0)

/* Assert that expr succeeds (>= 0) and yield nothing. */
#define ck_assert_ok(expr)                                                          \
	do {                                                                        \
		long _r = (long)(expr);                                             \
		ck_assert_msg(_r >= 0, "%s: failed with %s", #expr,                \
			      errno_name((int)-_r));                               \
	} while (0)

/* Write a whole file (created with mode) and read one back; helpers for brevity. */
int t_write_file(struct task *t, const char *path, const char *data, mode_t mode);
/* Read the file into buf (NUL-terminated); returns the length or -errno. */
long t_read_file(struct task *t, const char *path, char *buf, size_t size);

#endif
