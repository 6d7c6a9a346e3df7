/*
 * helpers.c - the fixture shared by the suites; see helpers.h.
 */
#include "helpers.h"

#include "base/objcount.h"

struct kernel *tk;
struct task *tt;

void t_setup(void)
{
	struct host *h = host_sim_new(1);

	ck_assert_ptr_nonnull(h);
	tk = kernel_new(h);
	ck_assert_msg((unsigned long)tk < (unsigned long)-4095L, "kernel_new failed");
	tt = kernel_init_task(tk);
}

void t_teardown(void)
{
	int k;

	kernel_destroy(tk);
	tk = NULL;
	tt = NULL;
	for (k = 0; k < OBJ_NR_KINDS; k++)
		ck_assert_msg(obj_live(k) == 0, "leaked %lld %s object(s)",
			      (long long)obj_live(k), obj_kind_name(k));
}

TCase *t_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	suite_add_tcase(s, tc);
	return tc;
}

int t_write_file(struct task *t, const char *path, const char *data, mode_t mode)
{
	size_t len = strlen(data);
	int fd = vfs_openat(t, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	long n;

	if (fd < 0)
		return fd;
	n = vfs_write(t, fd, data, len);
	vfs_close(t, fd);
	if (n < 0)
		return (int)n;
	return n == (long)len ? 0 : -EIO;
}

long t_read_file(struct task *t, const char *path, char *buf, size_t size)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	long n, total = 0;

	if (fd < 0)
		return fd;
	while ((size_t)total + 1 < size) {
		n = vfs_read(t, fd, buf + total, size - 1 - (size_t)total);
		if (n < 0) {
			vfs_close(t, fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	vfs_close(t, fd);
	return total;
}
