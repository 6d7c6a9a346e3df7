/*
 * check_faults.c - fault-injection sweeps (DESIGN §3 rule 9): for each operation, fail the
 * n-th consultation of the injector for n = 1, 2, ... until the operation succeeds with no
 * fault fired. Every run must end in success or a plain negative errno (no crash), leak
 * nothing (the object counters come back to the value they had before the run, once the
 * objects the run made are released), and leave no half-applied state behind: a failed
 * create leaves no name or a complete file, a failed copy-up leaves the upper layer as it
 * was, a failed 9P request leaves the served tree in the old or the new state, never a mix.
 *
 * Operations: mounting tmpfs with options; overlay copy-up by an open for write; each 9P
 * operation family (create, write, read, rename, readdir, setattr, xattr) through a 9p
 * mount of the simulated gofer, with FAULT_TRANSPORT and with FAULT_ALLOC; verity enable
 * (the REPL's `verity enable` path and FS_IOC_ENABLE_VERITY), with FAULT_ALLOC and with
 * FAULT_HOST, in the last block of the file.
 *
 * Each test ends by printing "faults: cases=N injected=M failures=0" to stderr (Check runs
 * each test in its own process, so the totals are summed by tests/reliability.sh).
 */
#include <linux/fsverity.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "fs/overlay/overlay.h"
#include "helpers.h"
#include "vfslab/gofer_sim.h"
#include "vfs/internal.h"
#include "vfslab/verity.h"

#define MAX_N 5000

static unsigned long cases, injected;
static struct gofer_sim *gs;
static struct task *st; /* the served kernel's init task */

static void counts(int64_t *c)
{
	int k;

	for (k = 0; k < OBJ_NR_KINDS; k++)
		c[k] = obj_live(k);
}

/* The counters of the kinds in the kinds mask equal base; the gofer's threads release
 * fids as they see a connection close, so wait a little before calling it a leak. */
static void assert_counts_mask(const int64_t *base, const char *what, uint64_t n, unsigned kinds)
{
	int64_t now[OBJ_NR_KINDS];
	int k, tries;
	bool same = false;

	for (tries = 0; tries < 200 && !same; tries++) {
		counts(now);
		same = true;
		for (k = 0; k < OBJ_NR_KINDS; k++)
			if ((kinds >> k & 1) && now[k] != base[k])
				same = false;
		if (!same)
			usleep(5000);
	}
	for (k = 0; k < OBJ_NR_KINDS; k++)
		ck_assert_msg(!(kinds >> k & 1) || now[k] == base[k],
			      "%s n=%llu: %s count %lld, was %lld", what, (unsigned long long)n,
			      obj_kind_name(k), (long long)now[k], (long long)base[k]);
}

static void assert_errno(long r, const char *what, uint64_t n)
{
	ck_assert_msg(r < 0 && r > -4096, "%s n=%llu: result %ld is not an errno", what,
		      (unsigned long long)n, r);
}

static void report(void)
{
	fprintf(stderr, "faults: cases=%lu injected=%lu failures=0\n", cases, injected);
	cases = injected = 0; /* per test, also when CK_FORK=no runs them in one process */
}

static void file_is(struct task *t, const char *path, const char *want)
{
	char buf[256];
	long n = t_read_file(t, path, buf, sizeof(buf));

	ck_assert_msg(n >= 0, "read %s: %ld", path, n);
	ck_assert_str_eq(buf, want);
}

static int stat_of(struct task *t, const char *path, struct vfs_stat *s)
{
	return vfs_fstatat(t, AT_FDCWD, path, s, AT_SYMLINK_NOFOLLOW);
}

static void assert_counts(const int64_t *base, const char *what, uint64_t n)
{
	assert_counts_mask(base, what, n, ~0u);
}

/* ------------------------------------------------------------------ tmpfs mount */

START_TEST(faults_tmpfs_mount_options)
{
	int64_t base[OBJ_NR_KINDS];
	struct vfs_stat root, m;
	bool done = false;
	uint64_t n;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755));
	ck_assert_ok(stat_of(tt, "/", &root));
	for (n = 1; !done && n < MAX_N; n++) {
		int r;
		bool fired;

		counts(base);
		fault_arm(n, (1u << FAULT_ALLOC) | (1u << FAULT_HOST));
		r = vfs_mount(tt, "tmpfs", "/m", "tmpfs", MS_NOSUID,
			      "size=1m,nr_inodes=64,mode=0700,uid=5,gid=6");
		fired = fault_fired();
		fault_disarm();
		cases++;
		injected += fired;
		if (r == 0) {
			ck_assert_ok(stat_of(tt, "/m", &m));
			ck_assert_uint_eq(m.mode, S_IFDIR | 0700);
			ck_assert_uint_eq(m.uid, 5);
			ck_assert_ok(vfs_umount2(tt, "/m", 0));
			done = !fired;
		} else {
			assert_errno(r, "mount", n);
			ck_assert_msg(fired, "mount failed with %d and no fault", r);
			/* Nothing mounted: /m is still the root filesystem's directory. */
			ck_assert_ok(stat_of(tt, "/m", &m));
			ck_assert_uint_eq(m.dev, root.dev);
		}
		assert_counts(base, "tmpfs mount", n);
	}
	ck_assert(done);
	report();
}
END_TEST

/* ------------------------------------------------------------------ overlay copy-up */

static void names_of(struct task *t, const char *dir, char *out, size_t size)
{
	char buf[4096];
	int fd = vfs_openat(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);
	size_t used = 0;
	ssize_t len;

	ck_assert_int_ge(fd, 0);
	out[0] = '\0';
	while ((len = vfs_getdents(t, fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < len) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			if (strcmp(name, ".") && strcmp(name, ".."))
				used += (size_t)snprintf(out + used, size - used, "%s,", name);
		}
	}
	vfs_close(t, fd);
}

START_TEST(faults_overlay_copy_up_open_write)
{
	const char *opts = "lowerdir=/lo,upperdir=/up/u,workdir=/up/w";
	int64_t base[OBJ_NR_KINDS];
	char before[256], after[256], work[256];
	bool done = false;
	uint64_t n;

	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/t", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lo", "tmpfs", 0, "mode=0755"));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/up", "tmpfs", 0, "mode=0755"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/w", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo/d", 0755));
	ck_assert_ok(t_write_file(tt, "/lo/d/f", "lower data", 04755));
	ck_assert_ok(vfs_setxattrat(tt, AT_FDCWD, "/lo/d/f", "user.k", "v", 1, 0, 0));
	ck_assert_ok(t_write_file(tt, "/up/u/other", "", 0644));
	/* The parent is already in the upper layer, so a failed run must leave the upper
	 * layer exactly as it was (the parent's own copy-up is check_overlay's). */
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u/d", 0755));
	names_of(tt, "/up/u", before, sizeof(before));
	/* One look through the overlay first: the lookups cache negative dentries in the
	 * upper layer (/up/u/d/f), which are not a leak of the runs that follow. */
	ck_assert_ok(vfs_mount(tt, "overlay", "/t", "overlay", 0, opts));
	ck_assert_ok(stat_of(tt, "/t/d/f", &(struct vfs_stat){ 0 }));
	ck_assert_ok(vfs_umount2(tt, "/t", 0));
	ck_assert_err(stat_of(tt, "/up/u/d/f", &(struct vfs_stat){ 0 }), ENOENT);
	for (n = 1; !done && n < MAX_N; n++) {
		bool fired;
		int fd;

		/* A fresh mount each time, so what a run leaves cached is released by the
		 * unmount and the counters can be compared with the value before it. */
		counts(base);
		ck_assert_ok(vfs_mount(tt, "overlay", "/t", "overlay", 0, opts));
		fault_arm(n, (1u << FAULT_ALLOC) | (1u << FAULT_HOST));
		fd = vfs_openat(tt, AT_FDCWD, "/t/d/f", O_WRONLY, 0);
		fired = fault_fired();
		fault_disarm();
		cases++;
		injected += fired;
		if (fd >= 0) {
			ck_assert_ok(vfs_close(tt, fd));
			done = !fired;
			if (!done) {
				/* Succeeded after a fault elsewhere: undo the copy-up for the
				 * next run (a complete copy is the allowed outcome). */
				file_is(tt, "/up/u/d/f", "lower data");
			}
		} else {
			assert_errno(fd, "copy-up", n);
			ck_assert_msg(fired, "copy-up failed with %d and no fault", fd);
		}
		ck_assert_ok(vfs_umount2(tt, "/t", 0));
		if (fd < 0) {
			/* The upper layer is as it was: no f, and the work directory holds
			 * nothing. */
			names_of(tt, "/up/u", after, sizeof(after));
			ck_assert_msg(!strcmp(after, before), "n=%llu: upper is %s",
				      (unsigned long long)n, after);
			names_of(tt, "/up/u/d", after, sizeof(after));
			if (!strcmp(after, "f,")) {
				/* The copy-up completed and the open after it failed: the copy
				 * must be whole (data, mode, xattrs); it is removed for the
				 * next run. */
				struct vfs_stat s;
				char v[8];

				ck_assert_ok(stat_of(tt, "/up/u/d/f", &s));
				ck_assert_uint_eq(s.mode, S_IFREG | 04755);
				file_is(tt, "/up/u/d/f", "lower data");
				ck_assert_int_eq(vfs_getxattrat(tt, AT_FDCWD, "/up/u/d/f", "user.k",
								v, sizeof(v), 0),
						 1);
				ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/up/u/d/f", 0));
				after[0] = '\0';
			}
			ck_assert_msg(!strcmp(after, ""), "n=%llu: upper d holds %s",
				      (unsigned long long)n, after);
			names_of(tt, "/up/w", work, sizeof(work));
			ck_assert_msg(!strcmp(work, "") || !strcmp(work, "work,"), "work: %s",
				      work);
			if (!strcmp(work, "work,")) {
				names_of(tt, "/up/w/work", work, sizeof(work));
				ck_assert_msg(!strcmp(work, ""), "n=%llu: work/ holds %s",
					      (unsigned long long)n, work);
			}
			assert_counts(base, "copy-up", n);
		} else if (!done) {
			ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/up/u/d/f", 0));
		}
	}
	ck_assert(done);
	/* Copy-up kept the mode bits (suid included, as Linux's ovl_copy_up keeps them). */
	{
		struct vfs_stat s;

		ck_assert_ok(stat_of(tt, "/up/u/d/f", &s));
		ck_assert_uint_eq(s.mode, S_IFREG | 04755);
		file_is(tt, "/up/u/d/f", "lower data");
	}
	report();
}
END_TEST

/* ------------------------------------------------------------------ 9P */

static void g_setup(void)
{
	int rfd, wfd;

	t_setup();
	gs = gofer_sim_start(3, &rfd, &wfd);
	ck_assert_msg(!IS_ERR(gs), "gofer_sim_start: %ld", PTR_ERR(gs));
	st = gofer_sim_task(gs);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/m", 0755));
}

static void g_teardown(void)
{
	int k;

	fault_disarm();
	kernel_destroy(tk);
	tk = NULL;
	tt = NULL;
	gofer_sim_stop(gs);
	gs = NULL;
	for (k = 0; k < OBJ_NR_KINDS; k++)
		ck_assert_msg(obj_live(k) == 0, "leaked %lld %s object(s)", (long long)obj_live(k),
			      obj_kind_name(k));
}

enum p9_family { F_CREATE, F_WRITE, F_READ, F_RENAME, F_READDIR, F_SETATTR, F_XATTR, F_NR };

static const char *const family_name[F_NR] = { "create",  "write",   "read", "rename",
					       "readdir", "setattr", "xattr" };

/* The served tree before each run: /old (content "old", mode 0644), /d/ with one file. */
static void served_reset(void)
{
	vfs_unlinkat(st, AT_FDCWD, "/new", 0);
	vfs_unlinkat(st, AT_FDCWD, "/old", 0);
	ck_assert_ok(t_write_file(st, "/old", "old", 0644));
	ck_assert_ok(vfs_fchmodat(st, AT_FDCWD, "/old", 0644, 0));
	vfs_mkdirat(st, AT_FDCWD, "/d", 0755);
	ck_assert_ok(t_write_file(st, "/d/x", "x", 0644));
}

/* Run one family's operation through the mount; 0 or -errno. */
static long p9_op(enum p9_family f)
{
	char buf[64];
	long r;
	int fd;

	switch (f) {
	case F_CREATE: return t_write_file(tt, "/m/new", "created", 0640);
	case F_WRITE:
		fd = vfs_openat(tt, AT_FDCWD, "/m/old", O_WRONLY | O_TRUNC, 0);
		if (fd < 0)
			return fd;
		r = vfs_write(tt, fd, "new", 3);
		vfs_close(tt, fd);
		return r < 0 ? r : r == 3 ? 0 : -EIO;
	case F_READ:
		r = t_read_file(tt, "/m/old", buf, sizeof(buf));
		if (r >= 0 && strcmp(buf, "old"))
			ck_abort_msg("read returned '%s'", buf);
		return r < 0 ? r : 0;
	case F_RENAME: return vfs_renameat2(tt, AT_FDCWD, "/m/old", AT_FDCWD, "/m/new", 0);
	case F_READDIR: {
		char names[256];

		fd = vfs_openat(tt, AT_FDCWD, "/m/d", O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0)
			return fd;
		r = vfs_getdents(tt, fd, names, sizeof(names));
		vfs_close(tt, fd);
		return r < 0 ? r : 0;
	}
	case F_SETATTR:
		r = vfs_fchmodat(tt, AT_FDCWD, "/m/old", 0600, 0);
		return r ? r : vfs_truncate(tt, "/m/old", 1);
	case F_XATTR: return vfs_setxattrat(tt, AT_FDCWD, "/m/old", "user.k", "value", 5, 0, 0);
	default: return -EINVAL;
	}
}

/* The served tree holds the old state or the new one, never a mix. */
static void served_check(enum p9_family f, bool ok, uint64_t n)
{
	char buf[64];
	struct vfs_stat s;
	long r;

	switch (f) {
	case F_CREATE:
		r = stat_of(st, "/new", &s);
		if (ok)
			file_is(st, "/new", "created");
		else
			ck_assert_msg(r == -ENOENT || (r == 0 && S_ISREG(s.mode)),
				      "create n=%llu: /new is %ld", (unsigned long long)n, r);
		break;
	case F_WRITE:
		r = t_read_file(st, "/old", buf, sizeof(buf));
		ck_assert_int_ge(r, 0);
		/* O_TRUNC then one write: "", or the whole of either. */
		ck_assert_msg(ok ? !strcmp(buf, "new")
				 : !strcmp(buf, "old") || !strcmp(buf, "") || !strcmp(buf, "new"),
			      "write n=%llu: /old holds '%s'", (unsigned long long)n, buf);
		break;
	case F_READ:
	case F_READDIR:
		file_is(st, "/old", "old");
		file_is(st, "/d/x", "x");
		break;
	case F_RENAME: {
		bool o = stat_of(st, "/old", &s) == 0, nw = stat_of(st, "/new", &s) == 0;

		ck_assert_msg(o != nw, "rename n=%llu: old %d new %d", (unsigned long long)n, o,
			      nw);
		ck_assert(!ok || nw);
		file_is(st, o ? "/old" : "/new", "old");
		break;
	}
	case F_SETATTR:
		ck_assert_ok(stat_of(st, "/old", &s));
		ck_assert_msg((s.mode & 07777) == 0644 || (s.mode & 07777) == 0600,
			      "setattr n=%llu: mode %o", (unsigned long long)n, s.mode);
		ck_assert_msg(s.size == 3 || s.size == 1, "setattr n=%llu: size %lld",
			      (unsigned long long)n, (long long)s.size);
		ck_assert(!ok || ((s.mode & 07777) == 0600 && s.size == 1));
		break;
	case F_XATTR:
		r = vfs_getxattrat(st, AT_FDCWD, "/old", "user.k", buf, sizeof(buf), 0);
		ck_assert_msg(r == -ENODATA || (r == 5 && !memcmp(buf, "value", 5)),
			      "xattr n=%llu: %ld", (unsigned long long)n, r);
		ck_assert(!ok || r == 5);
		vfs_removexattrat(st, AT_FDCWD, "/old", "user.k", 0);
		break;
	default: break;
	}
}

static void sweep_9p(enum p9_family f, unsigned mask)
{
	int64_t base[OBJ_NR_KINDS];
	bool done = false;
	uint64_t n;

	for (n = 1; !done && n < MAX_N; n++) {
		char opts[128];
		int rfd, wfd;
		bool fired;
		long r;

		served_reset();
		counts(base);
		ck_assert_ok(gofer_sim_connect(gs, &rfd, &wfd));
		snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d", rfd, wfd);
		ck_assert_ok(vfs_mount(tt, "gofer", "/m", "9p", 0, opts));
		fault_arm(n, mask);
		r = p9_op(f);
		fired = fault_fired();
		fault_disarm();
		cases++;
		injected += fired;
		if (r)
			assert_errno(r, family_name[f], n);
		ck_assert_msg(!r || fired, "%s failed with %ld and no fault", family_name[f], r);
		/* A broken connection must still unmount. */
		ck_assert_ok(vfs_umount2(tt, "/m", 0));
		/* A request whose reply was lost may still be running on the server: wait for
		 * it, or the next run would see its effect. */
		ck_assert_ok(gofer_sim_quiesce(gs));
		served_check(f, r == 0, n);
		done = r == 0 && !fired;
		/* Put the served tree back the way the baseline saw it (same number of files,
		 * the old contents), so any difference in the counters is a leak. */
		served_reset();
		/* The gofer keeps each connection's session (a task, its files) until
		 * gofer_sim_stop, so per run only the client's mounts and superblocks are
		 * compared; everything else is checked at zero by g_teardown, after the
		 * whole sweep. */
		assert_counts_mask(base, family_name[f], n,
				   (1u << OBJ_MOUNT) | (1u << OBJ_SUPER) | (1u << OBJ_LEAKED_DREF));
	}
	ck_assert_msg(done, "%s: no clean run below n=%d", family_name[f], MAX_N);
}

START_TEST(faults_9p_transport)
{
	sweep_9p((enum p9_family)_i, 1u << FAULT_TRANSPORT);
	report();
}
END_TEST

START_TEST(faults_9p_alloc)
{
	sweep_9p((enum p9_family)_i, 1u << FAULT_ALLOC);
	report();
}
END_TEST

/* ------------------------------------------------------------------ verity enable */

/*
 * Enabling verity (issue 10): verity_enable_path (what the REPL's `verity enable` runs) on a
 * tree, and FS_IOC_ENABLE_VERITY with an argument on one file, each with the n-th
 * allocation or host check failing. Every run ends in success or a plain errno, leaks
 * nothing, and leaves every Merkle file whole or absent: each one present is byte for byte
 * the one a clean run writes, and no temporary file is left in the lower directories.
 * Each run starts with no Merkle file at all, so every n fails the same sequence of steps.
 */

/* The lower tree, and every Merkle file a clean enable writes in it. */
static const char *const vt_merkle[] = {
	"/lower/.merkle.verity.a",	  "/lower/.merkle.verity.big",
	"/lower/.merkle.verity.sub",	  "/lower/sub/.merkle.verity.f",
	"/lower/sub/.merkle.verity.deep", "/lower/sub/deep/.merkle.verity.h",
	"/lower/.merkleroot.verity.root",
};
#define VT_NR (sizeof(vt_merkle) / sizeof(vt_merkle[0]))
#define VT_BIG_SIZE (600u << 10) /* 150 blocks of 4 KiB: a tree of two levels */

static const char *const vt_dirs[] = { "/lower", "/lower/sub", "/lower/sub/deep" };

struct vt_ref {
	uint8_t *data;
	long len; /* -ENOENT when the file does not exist */
};

/* The whole of path in a new buffer; its length, or -errno. */
static long vt_slurp(const char *path, uint8_t **out)
{
	struct vfs_stat s;
	uint8_t *buf;
	long n;
	int fd;

	*out = NULL;
	if (stat_of(tt, path, &s))
		return -ENOENT;
	fd = vfs_openat(tt, AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	buf = malloc((size_t)s.size + 1);
	ck_assert_ptr_nonnull(buf);
	n = vfs_pread(tt, fd, buf, (size_t)s.size + 1, 0);
	vfs_close(tt, fd);
	ck_assert_int_eq(n, s.size);
	*out = buf;
	return n;
}

static void vt_tree(void)
{
	uint8_t *big = malloc(VT_BIG_SIZE);
	uint32_t i;
	int fd;

	for (i = 0; i < VT_BIG_SIZE; i++)
		big[i] = (uint8_t)(i * 2654435761u >> 24);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/v", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lower", "tmpfs", 0, "mode=0755"));
	ck_assert_ok(t_write_file(tt, "/lower/a", "a\n", 0644));
	fd = vfs_openat(tt, AT_FDCWD, "/lower/big", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(tt, fd, big, VT_BIG_SIZE), VT_BIG_SIZE);
	vfs_close(tt, fd);
	free(big);
	ck_assert_ok(vfs_symlinkat(tt, "a", AT_FDCWD, "/lower/link"));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower/sub", 0750));
	ck_assert_ok(t_write_file(tt, "/lower/sub/f", "f\n", 0644));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lower/sub/deep", 0700));
	ck_assert_ok(t_write_file(tt, "/lower/sub/deep/h", "h\n", 0600));
}

/* Remove every Merkle file (a run starts from none). */
static void vt_reset(void)
{
	size_t i;

	for (i = 0; i < VT_NR; i++) {
		int r = vfs_unlinkat(tt, AT_FDCWD, vt_merkle[i], 0);

		ck_assert_msg(r == 0 || r == -ENOENT, "unlink %s: %d", vt_merkle[i], r);
	}
}

/* Each Merkle file (of those in mask) absent or equal to its reference, no temporary
 * file anywhere, and (all) every one of mask present. */
static void vt_check(const struct vt_ref *ref, unsigned mask, bool all, uint64_t n)
{
	char names[512];
	uint8_t *data;
	size_t i;
	long len;

	for (i = 0; i < VT_NR; i++) {
		if (!(mask >> i & 1))
			continue;
		len = vt_slurp(vt_merkle[i], &data);
		ck_assert_msg(len == -ENOENT || (len == ref[i].len &&
						 !memcmp(data, ref[i].data, (size_t)len)),
			      "n=%llu: %s is %ld bytes, not the %ld of a clean run",
			      (unsigned long long)n, vt_merkle[i], len, ref[i].len);
		ck_assert_msg(!all || len >= 0, "n=%llu: %s missing after success",
			      (unsigned long long)n, vt_merkle[i]);
		free(data);
	}
	for (i = 0; i < sizeof(vt_dirs) / sizeof(vt_dirs[0]); i++) {
		names_of(tt, vt_dirs[i], names, sizeof(names));
		ck_assert_msg(!strstr(names, ".merkle.verity.tmp"), "n=%llu: %s holds %s",
			      (unsigned long long)n, vt_dirs[i], names);
	}
}

static void vt_ref_free(struct vt_ref *ref)
{
	size_t i;

	for (i = 0; i < VT_NR; i++)
		free(ref[i].data);
}

static const unsigned vt_masks[] = { 1u << FAULT_ALLOC, 1u << FAULT_HOST };
static const char *const vt_mask_names[] = { "alloc", "host" };

/* verity_enable_path("/v") over the whole tree: the REPL's `verity enable /v`. */
START_TEST(faults_verity_enable_path)
{
	struct vt_ref ref[VT_NR];
	int64_t base[OBJ_NR_KINDS];
	char hex[129], want[129];
	bool done = false;
	uint64_t n;
	size_t i;

	vt_tree();
	/* The clean run: the reference files and root hash (and the lower's dentries for
	 * every name a run looks up, so that counts compare like with like). */
	ck_assert_ok(vfs_mount(tt, "none", "/v", "verity", 0, "lowerdir=/lower"));
	ck_assert_ok(verity_enable_path(tt, "/v"));
	ck_assert_ok(verity_measure_path(tt, "/v", want, sizeof(want)));
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	for (i = 0; i < VT_NR; i++) {
		ref[i].len = vt_slurp(vt_merkle[i], &ref[i].data);
		ck_assert_int_gt(ref[i].len, 0);
	}
	vt_reset();
	for (n = 1; !done && n < MAX_N; n++) {
		bool fired;
		int r;

		counts(base);
		ck_assert_ok(vfs_mount(tt, "none", "/v", "verity", 0, "lowerdir=/lower"));
		fault_arm(n, vt_masks[_i]);
		r = verity_enable_path(tt, "/v");
		fired = fault_fired();
		fault_disarm();
		cases++;
		injected += fired;
		if (r) {
			assert_errno(r, "verity enable", n);
			ck_assert_msg(fired, "verity enable failed with %d and no fault", r);
		} else {
			ck_assert_ok(verity_measure_path(tt, "/v", hex, sizeof(hex)));
			ck_assert_str_eq(hex, want);
			done = !fired;
		}
		ck_assert_ok(vfs_umount2(tt, "/v", 0));
		vt_check(ref, (1u << VT_NR) - 1, r == 0, n);
		vt_reset();
		assert_counts(base, "verity enable", n);
	}
	ck_assert_msg(done, "verity enable (%s): no clean run below n=%d", vt_mask_names[_i],
		      MAX_N);
	vt_ref_free(ref);
	report();
}
END_TEST

/* FS_IOC_ENABLE_VERITY with an argument (SHA-512, 1 KiB blocks, a salt) on one file. */
START_TEST(faults_verity_enable_ioctl)
{
	static const uint8_t salt[] = { 0x5a, 0x17, 0x00, 0x42 };
	struct fsverity_enable_arg arg = { .version = 1,
					   .hash_algorithm = FS_VERITY_HASH_ALG_SHA512,
					   .block_size = 1024,
					   .salt_size = sizeof(salt),
					   .salt_ptr = (uintptr_t)salt };
	struct vt_ref ref[VT_NR] = { 0 };
	int64_t base[OBJ_NR_KINDS];
	bool done = false;
	uint64_t n;
	int fd;

	vt_tree();
	ck_assert_ok(vfs_mount(tt, "none", "/v", "verity", 0, "lowerdir=/lower"));
	fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ok(vfs_ioctl(tt, fd, FS_IOC_ENABLE_VERITY, &arg));
	vfs_close(tt, fd);
	ck_assert_ok(vfs_umount2(tt, "/v", 0));
	ref[1].len = vt_slurp(vt_merkle[1], &ref[1].data);
	/* SHA-512 in 1 KiB blocks: 600 leaves' hashes in 38 blocks, then 3, then 1. */
	ck_assert_int_eq(ref[1].len, (38 + 3 + 1) * 1024 + 256);
	vt_reset();
	for (n = 1; !done && n < MAX_N; n++) {
		bool fired;
		int r;

		counts(base);
		ck_assert_ok(vfs_mount(tt, "none", "/v", "verity", 0, "lowerdir=/lower"));
		fd = vfs_openat(tt, AT_FDCWD, "/v/big", O_RDONLY, 0);
		ck_assert_int_ge(fd, 0);
		fault_arm(n, vt_masks[_i]);
		r = vfs_ioctl(tt, fd, FS_IOC_ENABLE_VERITY, &arg);
		fired = fault_fired();
		fault_disarm();
		cases++;
		injected += fired;
		vfs_close(tt, fd);
		ck_assert_ok(vfs_umount2(tt, "/v", 0));
		if (r) {
			assert_errno(r, "FS_IOC_ENABLE_VERITY", n);
			ck_assert_msg(fired, "FS_IOC_ENABLE_VERITY failed with %d and no fault", r);
		} else {
			done = !fired;
		}
		vt_check(ref, 1u << 1, r == 0, n);
		vt_reset();
		assert_counts(base, "FS_IOC_ENABLE_VERITY", n);
	}
	ck_assert_msg(done, "FS_IOC_ENABLE_VERITY (%s): no clean run below n=%d", vt_mask_names[_i],
		      MAX_N);
	vt_ref_free(ref);
	report();
}
END_TEST

/* ================================================================== overlay, in-process form
 *
 * The container mounter's form of the overlay (fs_context.internal = struct
 * ovl_internal_opts: the layers' roots handed in, no work directory), swept over the whole
 * mount: vfs_kern_mount (options, layer references, the superblock, the root inode, the
 * copy of the lower root's attributes to the upper root and, for a regular-file root, its
 * data; then the mount itself) and the attach. Every failure returns a plain errno, leaks
 * nothing, and leaves the upper layer as it was: for a file root its size, data, blocks,
 * mode, owner and times; for a directory root its attributes and its names.
 */

enum ovl_root_kind { OI_DIR_ROOT, OI_FILE_ROOT, OI_NR };

static const char *const oi_name[OI_NR] = { "directory root", "file root" };

/* What must not change in the upper layer: the upper root's attributes and, for a
 * directory, the names in it; for a file, its bytes. */
struct oi_upper {
	struct vfs_stat st;
	char names[256];
	char data[64];
};

static void oi_upper_state(enum ovl_root_kind kind, struct oi_upper *u)
{
	memset(u, 0, sizeof(*u));
	if (kind == OI_DIR_ROOT) {
		ck_assert_ok(stat_of(tt, "/up/u", &u->st));
		names_of(tt, "/up/u", u->names, sizeof(u->names));
	} else {
		ck_assert_ok(stat_of(tt, "/up/f", &u->st));
		ck_assert_int_ge(t_read_file(tt, "/up/f", u->data, sizeof(u->data)), 0);
	}
}

static void oi_assert_same(const struct oi_upper *a, const struct oi_upper *b, uint64_t n)
{
	ck_assert_msg(a->st.mode == b->st.mode && a->st.uid == b->st.uid &&
			      a->st.gid == b->st.gid && a->st.size == b->st.size &&
			      a->st.blocks == b->st.blocks && a->st.mtime_ns == b->st.mtime_ns &&
			      a->st.ctime_ns == b->st.ctime_ns && a->st.nlink == b->st.nlink,
		      "n=%llu: upper root changed: mode 0%o/0%o uid %u/%u size %lld/%lld",
		      (unsigned long long)n, a->st.mode, b->st.mode, a->st.uid, b->st.uid,
		      (long long)a->st.size, (long long)b->st.size);
	ck_assert_msg(!strcmp(a->names, b->names), "n=%llu: upper holds %s, held %s",
		      (unsigned long long)n, b->names, a->names);
	ck_assert_msg(!strcmp(a->data, b->data), "n=%llu: upper file holds '%s', held '%s'",
		      (unsigned long long)n, b->data, a->data);
}

/* Mount the overlay in the in-process form at mp_path and attach it: 0 or -errno. */
static int oi_mount(enum ovl_root_kind kind, const char *mp_path, uint64_t arm, bool *fired)
{
	const char *lo = kind == OI_DIR_ROOT ? "/lo" : "/lo/f",
		   *up = kind == OI_DIR_ROOT ? "/up/u" : "/up/f";
	struct path lower, mp;
	struct ovl_internal_opts io = { .lower_roots = &lower, .nr_lower = 1 };
	struct mount *m;
	int err;

	task_enter(tt);
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, lo, 0, &lower));
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, up, 0, &io.upper_root));
	ck_assert_ok(path_lookupat(tt, AT_FDCWD, mp_path, 0, &mp));
	fault_arm(arm, (1u << FAULT_ALLOC) | (1u << FAULT_HOST));
	m = vfs_kern_mount(tk->vfs, tt->cred, "overlay", "none", 0, NULL, &io, NULL);
	err = IS_ERR(m) ? (int)PTR_ERR(m) : mnt_connect_at(tt, m, &mp);
	*fired = fault_fired();
	fault_disarm();
	if (!IS_ERR(m))
		mnt_put(m); /* the attached mount keeps its own reference */
	path_put(&mp);
	path_put(&io.upper_root);
	path_put(&lower);
	task_leave(tt);
	return err;
}

static void oi_layout(enum ovl_root_kind kind)
{
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/lo", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up", 0755));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/lo", "tmpfs", 0, "mode=0750,uid=3,gid=4"));
	ck_assert_ok(vfs_mount(tt, "tmpfs", "/up", "tmpfs", 0, "mode=0755"));
	if (kind == OI_DIR_ROOT) {
		ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/t", 0755));
		ck_assert_ok(t_write_file(tt, "/lo/a", "lower a", 0644));
		ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/up/u", 0711));
		ck_assert_ok(t_write_file(tt, "/up/u/b", "upper b", 0644));
	} else {
		ck_assert_ok(t_write_file(tt, "/t", "", 0644));
		/* Two pages and a bit: more than one page allocation to fail. */
		ck_assert_ok(t_write_file(tt, "/lo/f", "lower root file", 04755));
		ck_assert_ok(vfs_truncate(tt, "/lo/f", 9000));
		ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/lo/f", 5, 6, 0));
		ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/lo/f", 04755, 0)); /* chown cleared it */
	}
}

/* Reset the upper root for the next run after a success (a new, empty file; or the
 * directory's attributes back, by hand). */
static void oi_reset(enum ovl_root_kind kind)
{
	if (kind == OI_DIR_ROOT) {
		ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/up/u", 0711, 0));
		ck_assert_ok(vfs_fchownat(tt, AT_FDCWD, "/up/u", 0, 0, 0));
	} else {
		ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/up/f", 0));
		ck_assert_ok(t_write_file(tt, "/up/f", "", 0644));
	}
}

START_TEST(faults_overlay_internal_mount)
{
	enum ovl_root_kind kind = (enum ovl_root_kind)_i;
	int64_t base[OBJ_NR_KINDS];
	struct oi_upper before, after;
	bool done = false, fired;
	uint64_t n;
	char buf[32];

	oi_layout(kind);
	if (kind == OI_FILE_ROOT)
		ck_assert_ok(t_write_file(tt, "/up/f", "", 0644));
	for (n = 1; !done && n < MAX_N; n++) {
		int err;

		oi_upper_state(kind, &before);
		counts(base);
		err = oi_mount(kind, "/t", n, &fired);
		cases++;
		injected += fired;
		if (err) {
			assert_errno(err, oi_name[kind], n);
			ck_assert_msg(fired, "%s: mount failed with %d and no fault", oi_name[kind],
				      err);
			oi_upper_state(kind, &after);
			oi_assert_same(&before, &after, n);
			assert_counts(base, oi_name[kind], n);
			continue;
		}
		/* Mounted: the lower root's attributes (and data) show through it. */
		if (kind == OI_DIR_ROOT) {
			struct vfs_stat s;

			file_is(tt, "/t/a", "lower a");
			file_is(tt, "/t/b", "upper b");
			ck_assert_ok(stat_of(tt, "/t", &s));
			ck_assert_uint_eq(s.mode, S_IFDIR | 0750);
			ck_assert_uint_eq(s.uid, 3);
		} else {
			struct vfs_stat s;

			ck_assert_int_ge(t_read_file(tt, "/t", buf, sizeof(buf)), 15);
			ck_assert_str_eq(buf, "lower root file");
			ck_assert_ok(stat_of(tt, "/t", &s));
			ck_assert_uint_eq(s.mode, S_IFREG | 04755);
			ck_assert_uint_eq(s.uid, 5);
			ck_assert_int_eq(s.size, 9000);
		}
		ck_assert_ok(vfs_umount2(tt, "/t", 0));
		done = !fired;
		if (kind == OI_FILE_ROOT) {
			/* The copy stays in the upper layer after the unmount. */
			ck_assert_ok(stat_of(tt, "/up/f", &after.st));
			ck_assert_int_eq(after.st.size, 9000);
		}
		oi_reset(kind);
	}
	ck_assert_msg(done, "%s: no clean run below n=%d", oi_name[kind], MAX_N);
	report();
}
END_TEST


Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = t_case(s, "local");
	TCase *g = tcase_create("9p");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, faults_tmpfs_mount_options);
	tcase_add_test(tc, faults_overlay_copy_up_open_write);
	tcase_add_loop_test(tc, faults_overlay_internal_mount, 0, OI_NR);
	tcase_add_checked_fixture(g, g_setup, g_teardown);
	tcase_set_timeout(g, 60);
	tcase_add_loop_test(g, faults_9p_transport, 0, F_NR);
	tcase_add_loop_test(g, faults_9p_alloc, 0, F_NR);
	suite_add_tcase(s, g);
	tc = t_case(s, "verity");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, faults_verity_enable_path, 0, 2);
	tcase_add_loop_test(tc, faults_verity_enable_ioctl, 0, 2);
	return s;
}
