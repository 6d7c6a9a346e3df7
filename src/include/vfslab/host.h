/*
 * host.h - the host boundary: the only route from the library to the outside world.
 *
 * Two implementations exist: the simulated host (sim/host_sim.c: a deterministic clock
 * and RNG, so the same input gives the same output byte for byte) and the real host
 * (src/host/host_real.c). The boundary is narrow and versioned, like NetBSD rump's
 * rumpuser.h: a host fills in a struct host_ops for HOST_ABI_VERSION, and the kernel
 * refuses a table of any other version.
 *
 * Every slot may be called from any thread; an implementation must be thread-safe.
 */
#ifndef VFSLAB_HOST_H
#define VFSLAB_HOST_H

#include <stddef.h>
#include <stdint.h>

#define HOST_ABI_VERSION 2

enum host_log_level { HOST_LOG_DEBUG, HOST_LOG_INFO, HOST_LOG_WARN, HOST_LOG_ERROR };

struct host;

struct host_ops {
	/* Must equal HOST_ABI_VERSION. */
	unsigned version;
	/* A short name for messages: "sim" or "real". */
	const char *name;
	/* Wall-clock time in nanoseconds since the Unix epoch (file timestamps). */
	int64_t (*clock_realtime_ns)(struct host *h);
	/* Monotonic time in nanoseconds (uptime, timeouts). */
	int64_t (*clock_monotonic_ns)(struct host *h);
	/* Fill buf with random bytes; 0 or -errno. */
	int (*getrandom)(struct host *h, void *buf, size_t len);
	/* The machine the sandbox sees: online CPUs (>= 1) and memory in bytes, for
	 * /proc/cpuinfo, /proc/meminfo and /sys/devices/system/cpu. */
	unsigned (*ncpus)(struct host *h);
	uint64_t (*mem_total)(struct host *h);
	/* A message from the library (never printed by the library itself). */
	void (*log)(struct host *h, enum host_log_level level, const char *msg);
	/* Release the host. */
	void (*destroy)(struct host *h);
};

struct host {
	const struct host_ops *ops;
};

/* The simulated host: time starts at 2020-01-01T00:00:00Z and advances 1 microsecond at
 * every reading; the RNG is seeded with seed; one CPU and 1 GiB of memory. Log lines are
 * kept (see host_sim_log). */
struct host *host_sim_new(uint64_t seed);
/* The log lines the simulated host received, one per line ("W: msg\n"); never NULL. */
const char *host_sim_log(struct host *h);
void host_sim_clear_log(struct host *h);

/* The real host: real clocks, getrandom(2), the machine's CPUs and memory, log lines to
 * stderr at or above min_level. */
struct host *host_real_new(enum host_log_level min_level);

#endif
