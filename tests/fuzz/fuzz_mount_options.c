/*
 * fuzz_mount_options.c - libFuzzer target for mount-option parsing: vfs_mount() of a
 * filesystem type chosen by the input with the rest of the input as the option string.
 *
 * Input: byte 0 picks the type (tmpfs, overlay, 9p, proc, sysfs, devpts, devtmpfs,
 * cgroup), byte 1 the MS_* flags (a few safe ones), the rest is the data string. One
 * simulated kernel is kept for the whole run (a kernel per input would be slow); a mount
 * that succeeds is unmounted at once, so every input starts from the same tree. 9p inputs
 * naming descriptors (rfdno=/wfdno=) are skipped: they would reach the process's real
 * descriptors (the fuzzer's own), which is not what this target is about.
 *
 * Seeds: tests/fuzz/corpus/mount_options/. No main: libFuzzer (or OSS-Fuzz's engine)
 * provides it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "base/err.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

static const char *const types[] = { "tmpfs", "overlay", "9p",	     "proc",
				     "sysfs", "devpts",	 "devtmpfs", "cgroup" };
static const unsigned long flag_bits[] = { MS_RDONLY,  MS_NOSUID,   MS_NODEV,	MS_NOEXEC,
					   MS_NOATIME, MS_RELATIME, MS_REMOUNT, MS_BIND };

static struct kernel *k;
static struct task *t;

static void boot(void)
{
	k = kernel_new(host_sim_new(1));
	if (IS_ERR_OR_NULL(k))
		abort();
	t = kernel_init_task(k);
	vfs_mkdirat(t, AT_FDCWD, "/m", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/lo", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/lo2", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/up", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/up/u", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/up/w", 0755);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long flags = 0;
	const char *type;
	char *opts;
	size_t i;
	int r;

	if (size < 2 || size > 4096)
		return 0;
	if (!k)
		boot();
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	for (i = 0; i < 8; i++)
		if (data[1] & (1u << i))
			flags |= flag_bits[i];
	/* Remount and bind act on what is there, not on options: keep them rare. */
	if ((flags & (MS_REMOUNT | MS_BIND)) && (data[0] & 0x80) == 0)
		flags &= ~(MS_REMOUNT | MS_BIND);
	opts = malloc(size - 1);
	if (!opts)
		return 0;
	memcpy(opts, data + 2, size - 2);
	opts[size - 2] = '\0';
	if (!strcmp(type, "9p") && strstr(opts, "fdno")) {
		free(opts);
		return 0;
	}
	r = vfs_mount(t, flags & MS_BIND ? "/lo" : "src", "/m", type, flags, opts);
	if (r > 0 || r < -4095)
		abort(); /* not 0 and not an errno */
	/* Whatever got mounted (a remount may have changed /, a bind /m) goes away. */
	while (vfs_umount2(t, "/m", MNT_DETACH) == 0)
		;
	if (flags & MS_REMOUNT)
		vfs_mount(t, NULL, "/", NULL, MS_REMOUNT, NULL);
	free(opts);
	return 0;
}
