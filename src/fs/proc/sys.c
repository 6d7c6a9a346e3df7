/*
 * sys.c - /proc/sys: the sysctls a program starting in a sandbox reads (gVisor's
 * tasks_sys.go list, Linux's values where gVisor has none), all read-only.
 *
 * Linux lets root write several of these (hostname through the UTS namespace, nr_open,
 * file-max); vfslab has no UTS namespace or limits to change yet, so every file is 0444
 * and a write is EACCES, root included, as for Linux's read-only sysctls.
 */
#include <errno.h>
#include <stdint.h>

#include "internal.h"

int proc_text_show(const struct proc_ctx *c, struct strbuf *out)
{
	sb_adds(out, c->pe->text);
	return sb_error(out);
}

/* A new version 4 UUID from the host's randomness (seeded in the simulation), as
 * Linux's random/uuid gives one per read. */
static int proc_uuid_show(const struct proc_ctx *c, struct strbuf *out)
{
	struct host *h = c->k->host;
	uint8_t b[16];
	int err, i;

	err = h->ops->getrandom(h, b, sizeof(b));
	if (err)
		return err;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			sb_addc(out, '-');
		sb_printf(out, "%02x", b[i]);
	}
	sb_addc(out, '\n');
	return sb_error(out);
}

#define PROC_SYS_TEXT(nm, ident, txt)                                                    \
	{                                                                                \
		.name = nm, .mode = S_IFREG | 0444, .id = ident, .show = proc_text_show, \
		.text = txt                                                              \
	}
#define PROC_STR(x) #x
#define PROC_XSTR(x) PROC_STR(x)

/* Inode ids 0x40..0xff. */
static const struct proc_entry proc_sys_kernel_random[] = {
	{ .name = "uuid", .mode = S_IFREG | 0444, .id = 0x41, .show = proc_uuid_show },
};

static const struct proc_entry proc_sys_kernel[] = {
	PROC_SYS_TEXT("cap_last_cap", 0x50, PROC_XSTR(PROC_CAP_LAST_CAP) "\n"),
	PROC_SYS_TEXT("domainname", 0x51, PROC_DOMAINNAME "\n"),
	PROC_SYS_TEXT("hostname", 0x52, PROC_HOSTNAME "\n"),
	PROC_SYS_TEXT("msgmax", 0x53, "8192\n"),
	PROC_SYS_TEXT("msgmnb", 0x54, "16384\n"),
	PROC_SYS_TEXT("msgmni", 0x55, "32000\n"),
	PROC_SYS_TEXT("ngroups_max", 0x56, PROC_XSTR(KERNEL_NGROUPS_MAX) "\n"),
	PROC_SYS_TEXT("osrelease", 0x57, PROC_RELEASE "\n"),
	PROC_SYS_TEXT("ostype", 0x58, PROC_SYSNAME "\n"),
	PROC_SYS_TEXT("overflowgid", 0x59, "65534\n"),
	PROC_SYS_TEXT("overflowuid", 0x5a, "65534\n"),
	PROC_SYS_TEXT("pid_max", 0x5b, PROC_XSTR(PROC_PID_MAX) "\n"),
	{ .name = "random",
	  .mode = S_IFDIR | 0555,
	  .id = 0x5c,
	  .children = proc_sys_kernel_random,
	  .nr_children = ARRAY_SIZE(proc_sys_kernel_random) },
	PROC_SYS_TEXT("sem", 0x5d, "32000\t1024000000\t500\t32000\n"),
	PROC_SYS_TEXT("shmall", 0x5e, "18446744073692774399\n"),
	PROC_SYS_TEXT("shmmax", 0x5f, "18446744073692774399\n"),
	PROC_SYS_TEXT("shmmni", 0x60, "4096\n"),
	PROC_SYS_TEXT("version", 0x61, PROC_VERSION "\n"),
};

static const struct proc_entry proc_sys_fs[] = {
	PROC_SYS_TEXT("file-max", 0x70, PROC_XSTR(PROC_FILE_MAX) "\n"),
	PROC_SYS_TEXT("nr_open", 0x71, PROC_XSTR(PROC_NR_OPEN) "\n"),
	PROC_SYS_TEXT("pipe-max-size", 0x72, "1048576\n"),
};

static const struct proc_entry proc_sys_vm[] = {
	PROC_SYS_TEXT("max_map_count", 0x80, "2147483647\n"),
	PROC_SYS_TEXT("mmap_min_addr", 0x81, "65536\n"),
	PROC_SYS_TEXT("overcommit_memory", 0x82, "0\n"),
};

const struct proc_entry proc_sys_children[PROC_SYS_NR_CHILDREN] = {
	{ .name = "fs",
	  .mode = S_IFDIR | 0555,
	  .id = 0x42,
	  .children = proc_sys_fs,
	  .nr_children = ARRAY_SIZE(proc_sys_fs) },
	{ .name = "kernel",
	  .mode = S_IFDIR | 0555,
	  .id = 0x43,
	  .children = proc_sys_kernel,
	  .nr_children = ARRAY_SIZE(proc_sys_kernel) },
	{ .name = "vm",
	  .mode = S_IFDIR | 0555,
	  .id = 0x44,
	  .children = proc_sys_vm,
	  .nr_children = ARRAY_SIZE(proc_sys_vm) },
};
