/*
 * host_real.c - the real host: clock_gettime(2), getrandom(2), log lines on stderr.
 *
 * The one place in the library that talks to the outside world directly (DESIGN §2), and
 * it leaves the caller's errno as it found it. Every slot is thread-safe: the system calls
 * are, and each log line is written with a single stdio call on the locked stream.
 * getrandom consults fault_check(FAULT_HOST) and returns -EIO when a fault is injected;
 * the clocks never fail and never consult the injector.
 */
#include "vfslab/host.h"

#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "base/fault.h"

struct host_real {
	struct host host;	       /* first: a struct host * is a struct host_real * */
	enum host_log_level min_level; /* immutable after creation */
};

static struct host_real *to_real(struct host *h)
{
	return container_of(h, struct host_real, host);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	int saved = errno;

	/* Cannot fail for these clocks with a valid pointer. */
	clock_gettime(id, &ts);
	errno = saved;
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t real_clock_realtime_ns(struct host *h)
{
	(void)h;
	return clock_ns(CLOCK_REALTIME);
}

static int64_t real_clock_monotonic_ns(struct host *h)
{
	(void)h;
	return clock_ns(CLOCK_MONOTONIC);
}

static int real_getrandom(struct host *h, void *buf, size_t len)
{
	unsigned char *p = buf;
	int saved = errno, err = 0;

	(void)h;
	if (fault_check(FAULT_HOST))
		return -EIO;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	errno = saved;
	return err;
}

static void real_log(struct host *h, enum host_log_level level, const char *msg)
{
	static const char *const names[] = { [HOST_LOG_DEBUG] = "debug",
					     [HOST_LOG_INFO] = "info",
					     [HOST_LOG_WARN] = "warning",
					     [HOST_LOG_ERROR] = "error" };
	const char *name = (unsigned)level < ARRAY_SIZE(names) ? names[level] : "?";
	int saved = errno;

	if (level < to_real(h)->min_level)
		return;
	fprintf(stderr, "vfslab: %s: %s\n", name, msg);
	errno = saved;
}

static void real_destroy(struct host *h)
{
	if (h)
		vl_free(to_real(h));
}

static unsigned real_ncpus(struct host *h)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)h;
	return n > 0 ? (unsigned)n : 1;
}

static uint64_t real_mem_total(struct host *h)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	(void)h;
	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : UINT64_C(1) << 30;
}

static const struct host_ops real_ops = {
	.version = HOST_ABI_VERSION,
	.name = "real",
	.clock_realtime_ns = real_clock_realtime_ns,
	.clock_monotonic_ns = real_clock_monotonic_ns,
	.getrandom = real_getrandom,
	.ncpus = real_ncpus,
	.mem_total = real_mem_total,
	.log = real_log,
	.destroy = real_destroy,
};

struct host *host_real_new(enum host_log_level min_level)
{
	struct host_real *r = vl_zalloc(sizeof(*r));

	if (!r)
		return NULL;
	r->host.ops = &real_ops;
	r->min_level = min_level;
	return &r->host;
}
