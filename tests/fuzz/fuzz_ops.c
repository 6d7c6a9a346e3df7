/*
 * fuzz_ops.c - libFuzzer target for random operation sequences through the op engine
 * (tui/op.c, op_vfs_backend) on a tmpfs (/s) and an overlay (/o: lower /lo, upper /up/u),
 * with invariant checks after every sequence:
 *
 *  - every name readdir returns stats (single-threaded: no racing unlink excuses it),
 *    and one directory never lists a name twice;
 *  - a directory's nlink is 2 + its subdirectories (a merged overlay directory may say
 *    1, as Linux's does);
 *  - the engine returns OP_OK or OP_USAGE, never OP_ERROR.
 *
 * Input: 4 bytes per op line (call, path, second path, mode/flags), at most 64 lines.
 * Each input boots its own simulated kernel, so a failure reproduces from the input alone.
 * Links tui/op.c and tui/op_vfs.c besides libvfslab.a. Seeds: tests/fuzz/corpus/ops/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "op.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

static const char *const paths[] = {
	"/s/a",	  "/s/b", "/s/d",  "/s/d/e",  "/s/d/e/f", "/o/a",  "/o/b", "/o/d",
	"/o/d/e", "/o/l", "/o/ld", "/o/ld/x", "/o/ld/y",  "/o/wh", "/s",   "/o",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static const char *const modes[] = { "0644", "0755", "04755", "0600", "01777", "0" };

static struct task *boot(struct kernel **kp)
{
	struct kernel *k = kernel_new(host_sim_new(1));
	struct task *t;

	if (IS_ERR_OR_NULL(k))
		abort();
	t = kernel_init_task(k);
	vfs_mkdirat(t, AT_FDCWD, "/s", 0755);
	vfs_mount(t, "tmpfs", "/s", "tmpfs", 0, "mode=0755");
	vfs_mkdirat(t, AT_FDCWD, "/lo", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/up", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/o", 0755);
	vfs_mount(t, "tmpfs", "/lo", "tmpfs", 0, "mode=0755");
	vfs_mount(t, "tmpfs", "/up", "tmpfs", 0, "mode=0755");
	vfs_mkdirat(t, AT_FDCWD, "/up/u", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/up/w", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/lo/ld", 0755);
	vfs_mkdirat(t, AT_FDCWD, "/lo/ld/x", 0755);
	vfs_close(t, vfs_openat(t, AT_FDCWD, "/lo/l", O_CREAT | O_WRONLY, 04755));
	vfs_close(t, vfs_openat(t, AT_FDCWD, "/lo/ld/y", O_CREAT | O_WRONLY, 0644));
	vfs_close(t, vfs_openat(t, AT_FDCWD, "/lo/wh", O_CREAT | O_WRONLY, 0644));
	if (vfs_mount(t, "overlay", "/o", "overlay", 0,
		      "lowerdir=/lo,upperdir=/up/u,workdir=/up/w"))
		abort();
	*kp = k;
	return t;
}

/* One op line from 4 bytes. */
static void make_line(const uint8_t *b, char *line, size_t size)
{
	const char *p = paths[b[1] % NPATHS], *q = paths[b[2] % NPATHS];
	const char *m = modes[b[3] % (sizeof(modes) / sizeof(modes[0]))];
	const char *who = b[3] & 0x80 ? "-u 1000 -g 1000 " : "";

	switch (b[0] % 18) {
	case 0: snprintf(line, size, "%screate %s %s", who, p, m); break;
	case 1: snprintf(line, size, "%smkdir %s %s", who, p, m); break;
	case 2: snprintf(line, size, "%sunlink %s", who, p); break;
	case 3: snprintf(line, size, "%srmdir %s", who, p); break;
	case 4: snprintf(line, size, "%srename %s %s", who, p, q); break;
	case 5: snprintf(line, size, "%slink %s %s", who, p, q); break;
	case 6: snprintf(line, size, "%ssymlink %s %s", who, q, p); break;
	case 7: snprintf(line, size, "%schmod %s %s", who, p, m); break;
	case 8: snprintf(line, size, "%struncate %s %u", who, p, b[3] * 37u); break;
	case 9:
		snprintf(line, size, "%sopen %s O_WRONLY,O_CREAT %s : write 0 data%u", who, p, m,
			 b[3]);
		break;
	case 10: snprintf(line, size, "%ssetxattr %s user.a v%u", who, p, b[3]); break;
	case 11: snprintf(line, size, "%sremovexattr %s user.a", who, p); break;
	case 12: snprintf(line, size, "%sreaddir %s", who, p); break;
	case 13:
		snprintf(line, size, "%schown %s %u %u", who, p, b[3] % 3 * 500, b[2] % 2 * 500);
		break;
	case 14: snprintf(line, size, "%sstat %s type,mode,nlink,uid,gid,size", who, p); break;
	case 15: snprintf(line, size, "%sopen %s O_RDWR : pread 0 16 0", who, p); break;
	case 16: snprintf(line, size, "%smknod %s fifo %s 0 0", who, p, m); break;
	default: snprintf(line, size, "%sreadlink %s", who, p); break;
	}
}

/* Walk dir: names stat, no duplicates, nlink = 2 + subdirs. */
static void check_tree(struct task *t, const char *dir, bool overlay, int depth)
{
	char buf[4096], names[64][256], path[512];
	int fd = vfs_openat(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0), n = 0, i, subdirs = 0;
	struct vfs_stat st;
	ssize_t len;

	if (fd < 0)
		abort(); /* a directory readdir listed cannot be opened by root */
	while ((len = vfs_getdents(t, fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < len) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			for (i = 0; i < n; i++)
				if (!strcmp(names[i], name))
					abort(); /* listed twice */
			if (n < 64)
				snprintf(names[n++], sizeof(names[0]), "%s", name);
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (vfs_fstatat(t, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW))
				abort(); /* listed but does not stat */
			if (S_ISDIR(st.mode)) {
				subdirs++;
				if (depth < 4)
					check_tree(t, path, overlay, depth + 1);
			}
		}
	}
	if (len < 0)
		abort();
	vfs_close(t, fd);
	if (vfs_fstatat(t, AT_FDCWD, dir, &st, 0))
		abort();
	if (st.nlink != (uint32_t)(2 + subdirs) && !(overlay && st.nlink == 1)) {
		fprintf(stderr, "%s: nlink %u, %d subdirectories\n", dir, st.nlink, subdirs);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out, err;
	struct kernel *k;
	struct task *t;
	size_t i;

	if (size < 4 || size > 4 * 64)
		return 0;
	t = boot(&k);
	sb_init(&out);
	sb_init(&err);
	for (i = 0; i + 4 <= size; i += 4) {
		char line[512], **argv;
		int argc, rc;

		make_line(data + i, line, sizeof(line));
		if (op_split_line(line, &argv, &argc))
			abort();
		rc = op_run(&op_vfs_backend, t, argc, argv, &out, &err);
		free(argv);
		if (rc == OP_ERROR)
			abort(); /* root could not take the credentials of uid 1000 */
		sb_reset(&out);
		sb_reset(&err);
	}
	check_tree(t, "/s", false, 0);
	check_tree(t, "/o", true, 0);
	sb_free(&out);
	sb_free(&err);
	kernel_destroy(k);
	return 0;
}
