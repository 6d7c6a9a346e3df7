/*
 * sys.c - hostfs's host system calls: the one place that opens host files, and the
 * name check every host call with a name goes through.
 *
 * openat2(2) (Linux >= 5.6) confines the open beneath its directory descriptor even if
 * a name check were ever missed: RESOLVE_BENEATH refuses "..", absolute paths and
 * anything that would leave dirfd; RESOLVE_NO_MAGICLINKS refuses /proc/self/fd-style
 * jumps; RESOLVE_NO_SYMLINKS refuses every symlink but a trailing one opened with
 * O_PATH|O_NOFOLLOW (which gives the link itself). On a kernel without openat2 (ENOSYS)
 * plain openat(2) with O_NOFOLLOW is used: for the single checked component hostfs ever
 * passes, it resolves the same file.
 *
 * Every wrapper returns 0 or -errno and leaves the caller's errno as it found it.
 * fault_check(FAULT_HOST) is consulted before each open, so the fault sweeps of
 * issue 10 reach the host side too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fault.h"
#include "internal.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* Cleared the first time the kernel says ENOSYS. */
static atomic_bool hostfs_have_openat2 = true;
static atomic_bool hostfs_have_fchmodat2 = true;

int hostfs_errno(int saved)
{
	int err = -errno;

	errno = saved;
	return err ? err : -EIO;
}

int hostfs_check_name(const char *name, size_t len)
{
	if (len == 0)
		return -ENOENT;
	if (len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return 0;
}

int hostfs_openat(int dirfd, const char *name, int flags, int *out)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
	};
	int saved = errno, err;
	long fd;

	/* "." (a directory reopening itself) is the one name allowed past the check. */
	if (strcmp(name, ".") != 0) {
		err = hostfs_check_name(name, strlen(name));
		if (err)
			return err;
	}
	if (fault_check(FAULT_HOST))
		return -EIO;
	do {
		if (atomic_load(&hostfs_have_openat2)) {
			fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
			if (fd < 0 && errno == ENOSYS) {
				atomic_store(&hostfs_have_openat2, false);
				continue;
			}
		} else {
			fd = openat(dirfd, name, (int)how.flags);
		}
	} while (fd < 0 && (errno == EINTR || errno == ENOSYS));
	if (fd < 0)
		return hostfs_errno(saved);
	*out = (int)fd;
	return 0;
}

int hostfs_fstat(int fd, struct stat *st)
{
	int saved = errno;

	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return hostfs_errno(saved);
	return 0;
}

int hostfs_fchmod(int fd, uint32_t mode)
{
	char proc[32];
	int saved = errno;

	if (atomic_load(&hostfs_have_fchmodat2)) {
		if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
			return 0;
		if (errno != ENOSYS)
			return hostfs_errno(saved);
		atomic_store(&hostfs_have_fchmodat2, false);
	}
	/* Before Linux 6.6: the magic link lands on exactly the file fd holds. */
	hostfs_proc_path(fd, proc, sizeof(proc));
	if (chmod(proc, mode) < 0)
		return hostfs_errno(saved);
	errno = saved;
	return 0;
}

void hostfs_proc_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

void hostfs_close(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}
