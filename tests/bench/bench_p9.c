/*
 * bench_p9.c - the 9P data path (issue 3): 256 MiB written and read through our client
 * (the "9p" filesystem) in 1 MiB vfs_write/vfs_read calls, against a raw copy of the
 * same bytes over the same kind of transport in the same run.
 *
 *   gofer: our client and our server (the simulated gofer, trans=fd) over a socketpair,
 *     against a raw socketpair copy (a writer thread sends 1 MiB chunks, the reader
 *     receives into one reused 1 MiB buffer) - target >= 0.7x;
 *   diod: our client against diod over loopback TCP (trans=tcp), against a raw loopback
 *     TCP copy - target >= 0.6x; skipped with a message when diod is not installed.
 *
 * Writes are measured twice: into a new file (the server's filesystem allocates and
 * clears its pages: a fixed cost the raw copy does not have) and into the existing file
 * (pages already there). Reads are of the file written before, never of holes.
 * Each figure is the best of its runs, the raw copy timed in alternation with ours. Beside
 * each time is the CPU time this process used meanwhile (all its threads: for the gofer,
 * client and server; for diod, the client only): when it equals the time, the threads ran
 * one after the other rather than side by side.
 *
 *   stat: round trips (p9_client_requests_total) per vfs_fstatat of a path the client
 *     has not seen (uncached) and of the same path again (cached); fewer is better.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "bench.h"
#include "vfslab/gofer_sim.h"
#include "vfslab/p9client.h"

#define CHUNK ((size_t)1 << 20)

/* A run's time and this process's CPU time meanwhile. */
struct timing {
	uint64_t ns, cpu;
};

struct p9_best {
	struct timing raw, w_new, w_old, rd;
};

static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Keep the fastest run started at t0 (clock) and c0 (CPU). */
static void keep_min(struct timing *best, uint64_t t0, uint64_t c0)
{
	uint64_t ns = bench_now_ns() - t0, cpu = cpu_now_ns() - c0;

	if (ns < best->ns)
		*best = (struct timing){ ns, cpu };
}

static double gibps(size_t bytes, uint64_t ns)
{
	return (double)bytes / (double)ns * 1e9 / (double)(1u << 30);
}

/* ------------------------------------------------------------------ raw copies */

struct sink {
	int fd;
	size_t total;
	int err;
};

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	char *buf = malloc(CHUNK);
	size_t got = 0;
	ssize_t n;

	if (!buf) {
		s->err = ENOMEM;
		return NULL;
	}
	while (got < s->total) {
		n = read(s->fd, buf, CHUNK);
		if (n <= 0) {
			s->err = n < 0 ? errno : EPIPE;
			break;
		}
		got += (size_t)n;
	}
	free(buf);
	return NULL;
}

/* total bytes from src (CHUNK bytes, sent again and again) over wfd to a reader of rfd. */
static int raw_copy(int wfd, int rfd, const char *src, size_t total, struct timing *best)
{
	struct sink s = { .fd = rfd, .total = total };
	uint64_t t0 = bench_now_ns(), c0 = cpu_now_ns();
	size_t off, done;
	pthread_t th;
	ssize_t n;

	if (pthread_create(&th, NULL, sink_main, &s)) {
		bench_fail("pthread_create", EAGAIN);
		return -1;
	}
	for (off = 0; off < total; off += CHUNK) {
		for (done = 0; done < CHUNK; done += (size_t)n) {
			n = write(wfd, src + done, CHUNK - done);
			if (n <= 0) {
				bench_fail("raw write", n < 0 ? errno : EPIPE);
				shutdown(wfd, SHUT_WR);
				pthread_join(th, NULL);
				return -1;
			}
		}
	}
	pthread_join(th, NULL);
	if (s.err) {
		bench_fail("raw read", s.err);
		return -1;
	}
	keep_min(best, t0, c0);
	return 0;
}

/* A connected loopback TCP pair. */
static int tcp_pair(int fds[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	fds[0] = fds[1] = -1;
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&sa, &len))
		goto fail;
	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (fds[1] < 0)
		goto fail;
	close(l);
	return 0;
fail:
	if (fds[0] >= 0)
		close(fds[0]);
	if (l >= 0)
		close(l);
	return -1;
}

/* ------------------------------------------------------------------ ours */

static int write_file(struct task *t, const char *path, int flags, const char *src, size_t total,
		      struct timing *best)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_WRONLY | flags, 0644);
	uint64_t t0, c0;
	size_t off;
	ssize_t n = 0;

	if (fd < 0) {
		bench_fail("vfs_openat (write)", fd);
		return -1;
	}
	t0 = bench_now_ns();
	c0 = cpu_now_ns();
	for (off = 0; off < total; off += CHUNK) {
		n = vfs_write(t, fd, src, CHUNK);
		if (n != (ssize_t)CHUNK)
			break;
	}
	if (off == total)
		keep_min(best, t0, c0);
	vfs_close(t, fd);
	if (off < total) {
		bench_fail("vfs_write (9p)", n < 0 ? n : EIO);
		return -1;
	}
	return 0;
}

static int read_file(struct task *t, const char *path, const char *src, char *rbuf, size_t total,
		     struct timing *best)
{
	int fd = vfs_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	uint64_t t0, c0;
	size_t off;
	ssize_t n = 0;

	if (fd < 0) {
		bench_fail("vfs_openat (read)", fd);
		return -1;
	}
	t0 = bench_now_ns();
	c0 = cpu_now_ns();
	for (off = 0; off < total; off += CHUNK) {
		n = vfs_read(t, fd, rbuf, CHUNK);
		if (n != (ssize_t)CHUNK)
			break;
	}
	if (off == total)
		keep_min(best, t0, c0);
	vfs_close(t, fd);
	if (off < total) {
		bench_fail("vfs_read (9p)", n < 0 ? n : EIO);
		return -1;
	}
	/* The last chunk read must be what was written. */
	if (memcmp(rbuf, src, CHUNK)) {
		bench_fail("vfs_read (9p) returned wrong bytes", EIO);
		return -1;
	}
	return 0;
}

/* runs of: raw copy, write new, raw copy, write existing, then reads and raw copies in
 * alternation. The file is left behind for the caller to remove. */
static int run_rw(struct task *t, const char *path, int raw[2], size_t total, int runs,
		  struct p9_best *b)
{
	char *src = malloc(CHUNK), *rbuf = malloc(CHUNK);
	int i, j, err = -1;

	if (!src || !rbuf) {
		bench_fail("malloc", ENOMEM);
		goto out;
	}
	for (i = 0; i < (int)CHUNK; i++)
		src[i] = (char)(i * 7 + 1);
	memset(rbuf, 0, CHUNK);
	b->raw.ns = b->w_new.ns = b->w_old.ns = b->rd.ns = UINT64_MAX;
	for (i = 0; i < runs; i++) {
		vfs_unlinkat(t, AT_FDCWD, path, 0);
		if (raw_copy(raw[0], raw[1], src, total, &b->raw) ||
		    write_file(t, path, O_CREAT | O_EXCL, src, total, &b->w_new) ||
		    raw_copy(raw[0], raw[1], src, total, &b->raw) ||
		    write_file(t, path, 0, src, total, &b->w_old))
			goto out;
		for (j = 0; j < 2; j++)
			if (raw_copy(raw[0], raw[1], src, total, &b->raw) ||
			    read_file(t, path, src, rbuf, total, &b->rd))
				goto out;
	}
	err = 0;
out:
	free(src);
	free(rbuf);
	return err;
}

static void report_one(const char *name, size_t total, const struct timing *t)
{
	printf("  %-40s %6.2f GiB/s  (%.1f ms, CPU %.1f ms)\n", name, gibps(total, t->ns),
	       t->ns / 1e6, t->cpu / 1e6);
}

static void report_rw(const char *bench, const char *raw_name, size_t total,
		      const struct p9_best *b, double target)
{
	report_one(raw_name, total, &b->raw);
	report_one("vfs_write, new file (ours)", total, &b->w_new);
	report_one("vfs_write, existing file (ours)", total, &b->w_old);
	report_one("vfs_read (ours)", total, &b->rd);
	bench_row(bench, "write new file / raw copy", (double)b->raw.ns / (double)b->w_new.ns, "x",
		  BENCH_GE, target);
	bench_row(bench, "write existing file / raw copy", (double)b->raw.ns / (double)b->w_old.ns,
		  "x", BENCH_GE, target);
	bench_row(bench, "read / raw copy", (double)b->raw.ns / (double)b->rd.ns, "x", BENCH_GE,
		  target);
}

/* ------------------------------------------------------------------ stat round trips */

#define NSTAT 64

static void bench_stat(struct task *t, struct task *st)
{
	struct vfs_stat sb;
	uint64_t r0, r1, r2;
	char path[64];
	int i;

	if (vfs_mkdirat(st, AT_FDCWD, "/s", 0755)) {
		bench_fail("mkdir /s (gofer)", EIO);
		return;
	}
	for (i = 0; i < NSTAT; i++) {
		snprintf(path, sizeof(path), "/s/f%d", i);
		int fd = vfs_openat(st, AT_FDCWD, path, O_CREAT | O_WRONLY, 0644);

		if (fd < 0) {
			bench_fail("create (gofer)", fd);
			return;
		}
		vfs_close(st, fd);
	}
	r0 = p9_client_requests_total();
	for (i = 0; i < NSTAT; i++) {
		snprintf(path, sizeof(path), "/mnt/s/f%d", i);
		if (vfs_fstatat(t, AT_FDCWD, path, &sb, 0)) {
			bench_fail("vfs_fstatat (9p)", EIO);
			return;
		}
	}
	r1 = p9_client_requests_total();
	for (i = 0; i < NSTAT; i++) {
		snprintf(path, sizeof(path), "/mnt/s/f%d", i);
		vfs_fstatat(t, AT_FDCWD, path, &sb, 0);
	}
	r2 = p9_client_requests_total();
	printf("  %d stats of uncached paths: %llu round trips; again (cached): %llu\n", NSTAT,
	       (unsigned long long)(r1 - r0), (unsigned long long)(r2 - r1));
	bench_row("9p stat round trips", "per stat, uncached path", (double)(r1 - r0) / NSTAT, "",
		  BENCH_INFO, 0);
	bench_row("9p stat round trips", "per stat, cached path", (double)(r2 - r1) / NSTAT, "",
		  BENCH_INFO, 0);
}

/* ------------------------------------------------------------------ the gofer */

static void bench_gofer(size_t total, int runs)
{
	struct gofer_sim *g;
	struct kernel *k;
	struct task *t;
	struct p9_best b;
	char opts[96];
	int rfd, wfd, sp[2];

	printf("\n[p9] %zu MiB through our 9P client and server (simulated gofer, trans=fd over"
	       " a socketpair), 1 MiB calls, best of %d runs\n",
	       total >> 20, runs);
	k = bench_kernel(&t);
	g = gofer_sim_start(1, &rfd, &wfd);
	if (IS_ERR_OR_NULL(g)) {
		bench_fail("gofer_sim_start", g ? PTR_ERR(g) : ENOMEM);
		kernel_destroy(k);
		return;
	}
	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d", rfd, wfd);
	if (vfs_mkdirat(t, AT_FDCWD, "/mnt", 0755) ||
	    vfs_mount(t, "gofer", "/mnt", "9p", 0, opts)) {
		bench_fail("mount 9p (gofer)", EIO);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		bench_fail("socketpair", errno);
		goto out;
	}
	if (!run_rw(t, "/mnt/data", sp, total, runs, &b))
		report_rw("9p gofer (socketpair)", "raw socketpair copy", total, &b, 0.7);
	close(sp[0]);
	close(sp[1]);
	vfs_unlinkat(t, AT_FDCWD, "/mnt/data", 0);
	bench_stat(t, gofer_sim_task(g));
out:
	vfs_umount2(t, "/mnt", 0);
	kernel_destroy(k);
	gofer_sim_stop(g);
}

/* ------------------------------------------------------------------ diod */

static const char *diod_path(void)
{
	static const char *const cand[] = { "/usr/sbin/diod", "/usr/bin/diod",
					    "/usr/local/sbin/diod" };
	size_t i;

	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (access(cand[i], X_OK) == 0)
			return cand[i];
	return NULL;
}

/* A loopback port nobody listens on now (diod binds it right after). */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(s, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

static bool port_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				  .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	if (s >= 0)
		close(s);
	return ok;
}

static void bench_diod(size_t total, int runs)
{
	const char *diod = diod_path();
	char dir[160], addr[32], opts[256], file[200];
	struct kernel *k = NULL;
	struct task *t;
	struct p9_best b;
	int port, i, tp[2];
	pid_t pid;

	printf("\n[p9] %zu MiB through our 9P client and diod over loopback TCP, 1 MiB calls, "
	       "best of %d runs\n",
	       total >> 20, runs);
	if (!diod) {
		printf("  SKIP: diod is not installed (Debian package diod; make deps)\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/diod.XXXXXX", bench_host.ok ? bench_host.dir : "/tmp");
	port = free_port();
	if (!mkdtemp(dir) || port < 0) {
		bench_fail("diod export directory / port", errno);
		return;
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(diod, "diod", "-f", "-n", "-N", "-l", addr, "-e", dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		bench_fail("fork", errno);
		rmdir(dir);
		return;
	}
	for (i = 0; i < 100 && !port_open(port); i++)
		usleep(20000);
	if (i == 100) {
		bench_fail("diod did not listen", ETIMEDOUT);
		goto out;
	}
	k = bench_kernel(&t);
	snprintf(opts, sizeof(opts), "trans=tcp,port=%d,aname=%s", port, dir);
	if (vfs_mkdirat(t, AT_FDCWD, "/mnt", 0755) ||
	    vfs_mount(t, "127.0.0.1", "/mnt", "9p", 0, opts)) {
		bench_fail("mount 9p (diod)", EIO);
		goto out;
	}
	if (tcp_pair(tp)) {
		bench_fail("loopback TCP pair", errno);
		goto out;
	}
	if (!run_rw(t, "/mnt/data", tp, total, runs, &b))
		report_rw("9p diod (loopback TCP)", "raw loopback TCP copy", total, &b, 0.6);
	close(tp[0]);
	close(tp[1]);
	vfs_unlinkat(t, AT_FDCWD, "/mnt/data", 0);
out:
	if (k) {
		vfs_umount2(t, "/mnt", 0);
		kernel_destroy(k);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(file, sizeof(file), "%s/data", dir);
	unlink(file);
	rmdir(dir);
}

int bench_p9(const struct bench_opts *o)
{
	size_t total = o->quick ? (size_t)32 << 20 : (size_t)256 << 20;
	int runs = o->quick ? 1 : 3;

	bench_gofer(total, runs);
	bench_diod(total, runs);
	return 0;
}
