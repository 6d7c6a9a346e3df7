/*
 * bench_fuse.c - issue 9: `find` and `cat` over 10,000 small files through `vfslab fuse`,
 * against the same tree on the kernel's tmpfs (doc/bench.md, "fuse").
 *
 * `vfslab fuse MNT` (the vfslab beside this program, or $VFSLAB) runs as a child process on
 * a fresh directory; once statfs(MNT) says FUSE, a tree of 100 directories of 100 files of
 * 100 bytes is made through the mount under MNT/tree, and the same tree under the run's
 * kernel tmpfs (bench_host). Then, alternating ours and the kernel's run by run, best of
 * RUNS each:
 *   find: a walk of the tree - open each directory, readdir it, fstatat(AT_SYMLINK_NOFOLLOW)
 *         every entry, descend into directories (what nftw, `find -ls` or `du` do);
 *   cat:  open, read to the end and close every file, by its path relative to the top of
 *         the tree (`cd tree; cat d*\/f*`), the paths formatted before the clock starts.
 * The same code runs on both sides; each pass checks what it saw (entries, bytes).
 * Targets: FUSE time / kernel time <= 5 for each. For information: the creation of the tree
 * (open O_CREAT, write, close), once.
 *
 * Skipped with a message (not a failure) when not root, without /dev/fuse, without the
 * vfslab binary or without a kernel tmpfs. The server is always unmounted at the end
 * (fusermount3 -u, else umount2) and waited for; it also gets SIGTERM if we die first
 * (PR_SET_PDEATHSIG), on which it unmounts itself: no mount is left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int bench_fuse(const struct bench_opts *o);

extern char **environ;

#define FUSE_MAGIC 0x65735546
#define FILE_BYTES 100
#define RUNS 7

struct tree_shape {
	int ndirs, nfiles; /* per directory */
};

/* What a pass saw; compared with the shape so that a broken mount cannot look fast. */
struct seen {
	unsigned long dirs, files;
	unsigned long long bytes;
};

struct fuse_server {
	char work[64]; /* our temporary directory */
	char mnt[96];  /* work/mnt */
	char log[96];  /* work/server.log: the server's stdout and stderr */
	pid_t pid;
	bool mounted;
};

/* ------------------------------------------------------------------ the tree */

static int make_tree(const char *top, const struct tree_shape *sh)
{
	char path[PATH_MAX], data[FILE_BYTES];
	int d, f, fd;

	memset(data, 'x', sizeof(data));
	data[sizeof(data) - 1] = '\n';
	if (mkdir(top, 0755))
		return -errno;
	for (d = 0; d < sh->ndirs; d++) {
		snprintf(path, sizeof(path), "%s/d%03d", top, d);
		if (mkdir(path, 0755))
			return -errno;
		for (f = 0; f < sh->nfiles; f++) {
			snprintf(path, sizeof(path), "%s/d%03d/f%03d", top, d, f);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			if (fd < 0)
				return -errno;
			if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data)) {
				close(fd);
				return -EIO;
			}
			if (close(fd))
				return -errno;
		}
	}
	return 0;
}

static void remove_tree(const char *top, const struct tree_shape *sh)
{
	char path[PATH_MAX];
	int d, f;

	for (d = 0; d < sh->ndirs; d++) {
		for (f = 0; f < sh->nfiles; f++) {
			snprintf(path, sizeof(path), "%s/d%03d/f%03d", top, d, f);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/d%03d", top, d);
		rmdir(path);
	}
	rmdir(top);
}

static bool is_dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* find: walk the directory open on fd (consumed). 0 or -errno. */
static int walk(int fd, struct seen *s)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int err = 0;

	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			err = -errno;
			break;
		}
		if (is_dot(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			err = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			s->dirs++;
			if (sub < 0) {
				err = -errno;
				break;
			}
			err = walk(sub, s);
			if (err)
				break;
		} else {
			s->files++;
			s->bytes += (unsigned long long)st.st_size;
		}
	}
	closedir(d);
	return err;
}

/* cat: open, read to the end, close each of paths (relative to topfd). 0 or -errno. */
static int cat_all(int topfd, char (*paths)[16], int n, struct seen *s)
{
	char buf[4096];
	int i;

	for (i = 0; i < n; i++) {
		int fd = openat(topfd, paths[i], O_RDONLY | O_CLOEXEC);
		ssize_t r;

		if (fd < 0)
			return -errno;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			s->bytes += (unsigned long long)r;
		if (r < 0 || close(fd)) {
			int err = -errno;

			if (r >= 0)
				return err;
			close(fd);
			return err;
		}
		s->files++;
	}
	return 0;
}

/* Run one pass over top, timed; ns or 0 after bench_fail. */
static uint64_t timed_find(const char *top, const struct tree_shape *sh, const char *what)
{
	struct seen s = { 0 };
	uint64_t t0, t1;
	int fd, err;

	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		bench_fail(what, errno);
		return 0;
	}
	t0 = bench_now_ns();
	err = walk(fd, &s);
	t1 = bench_now_ns();
	if (err) {
		bench_fail(what, err);
		return 0;
	}
	if (s.dirs != (unsigned long)sh->ndirs ||
	    s.files != (unsigned long)sh->ndirs * (unsigned long)sh->nfiles ||
	    s.bytes != (unsigned long long)s.files * FILE_BYTES) {
		fprintf(stderr, "bench: %s saw %lu dirs, %lu files, %llu bytes\n", what, s.dirs,
			s.files, s.bytes);
		bench_fail(what, EIO);
		return 0;
	}
	return t1 - t0;
}

static uint64_t timed_cat(const char *top, char (*paths)[16], const struct tree_shape *sh,
			  const char *what)
{
	int n = sh->ndirs * sh->nfiles;
	struct seen s = { 0 };
	uint64_t t0, t1;
	int fd, err;

	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		bench_fail(what, errno);
		return 0;
	}
	t0 = bench_now_ns();
	err = cat_all(fd, paths, n, &s);
	t1 = bench_now_ns();
	close(fd);
	if (err) {
		bench_fail(what, err);
		return 0;
	}
	if (s.files != (unsigned long)n || s.bytes != (unsigned long long)n * FILE_BYTES) {
		fprintf(stderr, "bench: %s read %lu files, %llu bytes\n", what, s.files, s.bytes);
		bench_fail(what, EIO);
		return 0;
	}
	return t1 - t0;
}

/* ------------------------------------------------------------------ the server */

/* The vfslab to run: $VFSLAB, else the one beside this program; NULL if not there. */
static const char *vfslab_path(char *buf, size_t len)
{
	const char *env = getenv("VFSLAB");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return NULL;
		exe[n] = '\0';
		snprintf(buf, len, "%s/vfslab", dirname(exe));
	}
	return access(buf, X_OK) ? NULL : buf;
}

static bool is_fuse_mounted(const char *mnt)
{
	struct statfs sf;

	return statfs(mnt, &sf) == 0 && sf.f_type == FUSE_MAGIC;
}

static void print_log(const struct fuse_server *fs)
{
	char buf[2048];
	FILE *f = fopen(fs->log, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (n)
		fprintf(stderr, "bench: vfslab fuse said:\n%s", buf);
}

/* Start `vfslab fuse MNT` and wait (up to 10 s) for the mount. 0 or -errno. */
static int server_start(struct fuse_server *fs, const char *vfslab)
{
	int i, status;

	fs->pid = fork();
	if (fs->pid < 0)
		return -errno;
	if (fs->pid == 0) {
		int fd = open(fs->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		/* If the benchmark dies, the server unmounts on SIGTERM. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(vfslab, "vfslab", "fuse", fs->mnt, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if (is_fuse_mounted(fs->mnt)) {
			fs->mounted = true;
			return 0;
		}
		if (waitpid(fs->pid, &status, WNOHANG) == fs->pid) {
			fs->pid = 0;
			print_log(fs);
			return -ECHILD;
		}
		usleep(10000);
	}
	return -ETIMEDOUT;
}

/* Wait up to ms for the server to exit: its exit status (128 + signal if killed), or -1
 * if it is still running. */
static int server_wait(struct fuse_server *fs, int ms)
{
	int status = 0, i;

	for (i = 0; i < ms; i++) {
		pid_t r = waitpid(fs->pid, &status, WNOHANG);

		if (r == fs->pid) {
			fs->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (r < 0) {
			fs->pid = 0;
			return 128;
		}
		usleep(1000);
	}
	return -1;
}

/* Unmount (fusermount3 -u, else umount2) and reap the server, whatever state it is in. */
static void server_stop(struct fuse_server *fs)
{
	char *argv[] = { "fusermount3", "-u", fs->mnt, NULL };
	int rc = -1, status;
	pid_t p;

	if (fs->mounted) {
		if (posix_spawnp(&p, "fusermount3", NULL, NULL, argv, environ) == 0 &&
		    waitpid(p, &status, 0) == p && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			fs->mounted = false;
		else if (umount2(fs->mnt, 0) == 0 || umount2(fs->mnt, MNT_DETACH) == 0)
			fs->mounted = false;
		else
			bench_fail("unmount the FUSE mount", errno);
	}
	if (fs->pid > 0) {
		rc = server_wait(fs, 5000);
		if (rc < 0) {
			kill(fs->pid, SIGTERM);
			rc = server_wait(fs, 5000);
		}
		if (rc < 0) {
			kill(fs->pid, SIGKILL);
			waitpid(fs->pid, NULL, 0);
			fs->pid = 0;
		}
		if (rc != 0) {
			print_log(fs);
			bench_fail("vfslab fuse did not exit 0", rc < 0 ? ETIMEDOUT : EIO);
		}
	}
	/* A server that died leaves its mount behind ("transport endpoint is not
	 * connected"); a lazy unmount clears it. */
	if (fs->mounted || is_fuse_mounted(fs->mnt))
		umount2(fs->mnt, MNT_DETACH);
}

/* ------------------------------------------------------------------ the benchmark */

static void report(const char *measure, uint64_t ours, uint64_t base, int nfiles)
{
	printf("  %-5s best: FUSE %8.1f ms (%6.2f us/file), kernel tmpfs %7.1f ms "
	       "(%5.2f us/file): %.2fx\n",
	       measure, ours / 1e6, ours / 1e3 / nfiles, base / 1e6, base / 1e3 / nfiles,
	       (double)ours / (double)base);
}

static void run(const struct fuse_server *fs, const struct tree_shape *sh, int runs)
{
	int n = sh->ndirs * sh->nfiles, i, d, f;
	uint64_t find_ours = UINT64_MAX, find_base = UINT64_MAX;
	uint64_t cat_ours = UINT64_MAX, cat_base = UINT64_MAX;
	char ours_top[160], base_top[160];
	char(*paths)[16];
	uint64_t t0, t_ours, t_base;
	int err;

	snprintf(ours_top, sizeof(ours_top), "%s/tree", fs->mnt);
	snprintf(base_top, sizeof(base_top), "%s/fuse-tree", bench_host.dir);
	paths = calloc((size_t)n, sizeof(*paths));
	if (!paths) {
		bench_fail("calloc", ENOMEM);
		return;
	}
	for (d = 0; d < sh->ndirs; d++)
		for (f = 0; f < sh->nfiles; f++)
			snprintf(paths[d * sh->nfiles + f], sizeof(paths[0]), "d%03d/f%03d", d, f);

	t0 = bench_now_ns();
	err = make_tree(ours_top, sh);
	t_ours = bench_now_ns() - t0;
	if (err) {
		bench_fail("create the tree through FUSE", err);
		goto out;
	}
	t0 = bench_now_ns();
	err = make_tree(base_top, sh);
	t_base = bench_now_ns() - t0;
	if (err) {
		bench_fail("create the tree on the kernel tmpfs", err);
		goto out_base;
	}
	printf("  create: FUSE %.1f ms (%.1f us/file), kernel tmpfs %.1f ms (%.1f us/file)\n",
	       t_ours / 1e6, t_ours / 1e3 / n, t_base / 1e6, t_base / 1e3 / n);
	bench_row("fuse: 10k small files", "create / kernel tmpfs", (double)t_ours / t_base, "x",
		  BENCH_INFO, 0);

	for (i = 0; i < runs; i++) {
		uint64_t a, b, c, e;

		a = timed_find(ours_top, sh, "find through FUSE");
		b = timed_find(base_top, sh, "find on the kernel tmpfs");
		c = timed_cat(ours_top, paths, sh, "cat through FUSE");
		e = timed_cat(base_top, paths, sh, "cat on the kernel tmpfs");
		if (!a || !b || !c || !e)
			goto out_base;
		printf("  run %d: find %.1f / %.1f ms, cat %.1f / %.1f ms (FUSE / kernel)\n", i + 1,
		       a / 1e6, b / 1e6, c / 1e6, e / 1e6);
		find_ours = a < find_ours ? a : find_ours;
		find_base = b < find_base ? b : find_base;
		cat_ours = c < cat_ours ? c : cat_ours;
		cat_base = e < cat_base ? e : cat_base;
	}
	report("find", find_ours, find_base, n);
	report("cat", cat_ours, cat_base, n);
	bench_row("fuse: 10k small files", "find (walk+fstatat) FUSE / kernel tmpfs",
		  (double)find_ours / find_base, "x", BENCH_LE, 5);
	bench_row("fuse: 10k small files", "cat (open+read+close) FUSE / kernel tmpfs",
		  (double)cat_ours / cat_base, "x", BENCH_LE, 5);
out_base:
	remove_tree(base_top, sh);
out:
	free(paths);
}

int bench_fuse(const struct bench_opts *o)
{
	struct tree_shape sh = { o->quick ? 10 : 100, o->quick ? 100 : 100 };
	int runs = o->quick ? 2 : RUNS;
	struct fuse_server fs = { 0 };
	char vfslab[PATH_MAX];
	int err;

	printf("\n[fuse] find and cat over %d small files (%d dirs x %d files x %d bytes): "
	       "`vfslab fuse` against the kernel tmpfs, best of %d\n",
	       sh.ndirs * sh.nfiles, sh.ndirs, sh.nfiles, FILE_BYTES, runs);
	if (geteuid() != 0) {
		printf("  SKIP: needs root (mounting FUSE with allow_other)\n");
		return 0;
	}
	if (access("/dev/fuse", R_OK | W_OK)) {
		printf("  SKIP: /dev/fuse: %s (no fuse module, or not passed to the container)\n",
		       strerror(errno));
		return 0;
	}
	if (!vfslab_path(vfslab, sizeof(vfslab))) {
		printf("  SKIP: no vfslab binary (%s; make builds it, or set VFSLAB)\n",
		       getenv("VFSLAB") ? getenv("VFSLAB") : "beside build/bench");
		return 0;
	}
	if (!bench_host.ok) {
		printf("  SKIP: no kernel tmpfs for the baseline\n");
		return 0;
	}
	snprintf(fs.work, sizeof(fs.work), "/tmp/vfslab-bench-fuse.XXXXXX");
	if (!mkdtemp(fs.work)) {
		bench_fail("mkdtemp", errno);
		return 0;
	}
	snprintf(fs.mnt, sizeof(fs.mnt), "%s/mnt", fs.work);
	snprintf(fs.log, sizeof(fs.log), "%s/server.log", fs.work);
	if (mkdir(fs.mnt, 0755)) {
		bench_fail("mkdir the mount point", errno);
		goto out_work;
	}
	err = server_start(&fs, vfslab);
	if (err) {
		bench_fail("start vfslab fuse", err);
		goto out_stop;
	}
	printf("  server: %s fuse %s (pid %d)\n", vfslab, fs.mnt, (int)fs.pid);
	run(&fs, &sh, runs);
out_stop:
	server_stop(&fs);
	rmdir(fs.mnt);
	unlink(fs.log);
out_work:
	rmdir(fs.work);
	return 0;
}
