/*
 * path.c - verity_enable_path and verity_measure_path (vfslab/verity.h): the REPL's
 * `verity enable` and `verity measure`, on the public syscall-like API only (they run
 * outside any filesystem operation, so they take the VFS lock call by call).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fsverity.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "vfslab/merkle.h"
#include "vfslab/verity.h"
#include "vfslab/vfs.h"

/* Recursion depth bound: a verity tree deeper than this is refused (ELOOP). */
#define VERITY_MAX_DEPTH 64

static int verity_enable_fd(struct task *t, int fd)
{
	return vfs_ioctl(t, fd, FS_IOC_ENABLE_VERITY, NULL);
}

static int verity_enable_at(struct task *t, const char *path, unsigned dtype, int depth);

/* Enable each child of the open directory fd (at path), then nothing else. */
static int verity_enable_children(struct task *t, int fd, const char *path, int depth)
{
	char buf[4096];
	ssize_t len, off;
	int err = 0;

	while (!err && (len = vfs_getdents(t, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; !err && off < len;) {
			unsigned short reclen;
			const char *name = buf + off + 19;
			unsigned dtype = (unsigned char)buf[off + 18];
			size_t plen;
			char *child;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			if (dtype != DT_DIR && dtype != DT_REG)
				continue; /* bound by the parent's descriptor alone */
			plen = strlen(path) + 1 + strlen(name) + 1;
			child = vl_malloc(plen);
			if (!child)
				return -ENOMEM;
			strcpy(child, path);
			if (path[strlen(path) - 1] != '/')
				strcat(child, "/");
			strcat(child, name);
			err = verity_enable_at(t, child, dtype, depth + 1);
			vl_free(child);
		}
	}
	if (!err && len < 0)
		err = (int)len;
	return err;
}

static int verity_enable_at(struct task *t, const char *path, unsigned dtype, int depth)
{
	int fd, err;

	if (depth > VERITY_MAX_DEPTH)
		return -ELOOP;
	fd = vfs_openat(t, AT_FDCWD, path,
			O_RDONLY | O_NOFOLLOW | (dtype == DT_DIR ? O_DIRECTORY : 0), 0);
	if (fd < 0)
		return fd;
	err = dtype == DT_DIR ? verity_enable_children(t, fd, path, depth) : 0;
	if (!err) {
		err = verity_enable_fd(t, fd);
		if (err == -EEXIST && dtype != DT_DIR)
			err = 0; /* a file keeps its tree: enabling twice is harmless here */
	}
	vfs_close(t, fd);
	return err;
}

int verity_enable_path(struct task *t, const char *path)
{
	struct vfs_stat st;
	int err;

	err = vfs_fstatat(t, AT_FDCWD, path, &st, 0);
	if (err)
		return err;
	if (S_ISDIR(st.mode))
		return verity_enable_at(t, path, DT_DIR, 0);
	if (S_ISREG(st.mode))
		return verity_enable_at(t, path, DT_REG, 0);
	return -EINVAL;
}

int verity_measure_path(struct task *t, const char *path, char *hex, size_t len)
{
	union {
		struct fsverity_digest d;
		uint8_t space[sizeof(struct fsverity_digest) + MERKLE_MAX_DIGEST_SIZE];
	} u;
	int fd, err;

	fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	u.d.digest_size = MERKLE_MAX_DIGEST_SIZE;
	err = vfs_ioctl(t, fd, FS_IOC_MEASURE_VERITY, &u.d);
	vfs_close(t, fd);
	if (err)
		return err;
	if (len < 2u * u.d.digest_size + 1)
		return -ERANGE;
	merkle_to_hex(u.d.digest, u.d.digest_size, hex);
	return 0;
}
