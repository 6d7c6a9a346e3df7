/*
 * host_sim.c - the simulated host: a deterministic clock and RNG, and a kept log.
 *
 * Same seed, same calls, same results, byte for byte: golden files depend on it.
 *
 * Clock: realtime and monotonic share one reading counter n (the number of readings of
 * either clock before this one). A reading returns
 *     realtime  = 2020-01-01T00:00:00Z + n * 1000 ns
 *     monotonic =                        n * 1000 ns
 * then n advances by one. So time moves exactly 1 microsecond per reading, the two clocks
 * always differ by the same constant (the simulated machine booted at the epoch above),
 * and two readings never return the same value. Clocks never fail and do not consult the
 * fault injector.
 *
 * RNG: xoshiro256** seeded through splitmix64 from the seed; getrandom consumes 8 bytes of
 * state output per 8 (or fewer, for the tail) bytes asked for, little-endian. It consults
 * fault_check(FAULT_HOST) and returns -EIO when a fault is injected (the state does not
 * advance then).
 *
 * Log: each message is kept as one line "D: msg\n" (I, W, E for the other levels). The
 * buffer uses plain realloc, not vl_realloc: logging must not consume fault-injection
 * checks, or a sweep's failure points would shift with the log. If memory runs out the
 * line is dropped.
 *
 * Protected by: sim->lock guards ticks, rng and the log buffer. host_sim_log returns a
 * pointer into the buffer, valid until the next log line or host_sim_clear_log.
 */
#include "vfslab/host.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "base/fault.h"

#define SIM_EPOCH_NS (1577836800LL * 1000000000LL) /* 2020-01-01T00:00:00Z */
#define SIM_TICK_NS 1000LL

struct host_sim {
	struct host host; /* first: a struct host * is a struct host_sim * */
	pthread_mutex_t lock;
	uint64_t ticks;	 /* clock readings so far */
	uint64_t rng[4]; /* xoshiro256** state */
	char *log;	 /* NULL or NUL-terminated lines */
	size_t log_len;
	size_t log_cap;
};

static const struct host_ops sim_ops;

static struct host_sim *to_sim(struct host *h)
{
	return container_of(h, struct host_sim, host);
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna); caller holds the lock. */
static uint64_t rng_next(uint64_t s[4])
{
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

static int64_t sim_tick(struct host *h, int64_t base)
{
	struct host_sim *sim = to_sim(h);
	uint64_t n;

	pthread_mutex_lock(&sim->lock);
	n = sim->ticks++;
	pthread_mutex_unlock(&sim->lock);
	return base + (int64_t)n * SIM_TICK_NS;
}

static int64_t sim_clock_realtime_ns(struct host *h)
{
	return sim_tick(h, SIM_EPOCH_NS);
}

static int64_t sim_clock_monotonic_ns(struct host *h)
{
	return sim_tick(h, 0);
}

static int sim_getrandom(struct host *h, void *buf, size_t len)
{
	struct host_sim *sim = to_sim(h);
	unsigned char *p = buf;

	if (fault_check(FAULT_HOST))
		return -EIO;
	pthread_mutex_lock(&sim->lock);
	while (len > 0) {
		uint64_t v = rng_next(sim->rng);
		size_t i, n = MIN(len, sizeof(v));

		for (i = 0; i < n; i++)
			p[i] = (unsigned char)(v >> (8 * i));
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

static void sim_log(struct host *h, enum host_log_level level, const char *msg)
{
	static const char tags[] = { [HOST_LOG_DEBUG] = 'D',
				     [HOST_LOG_INFO] = 'I',
				     [HOST_LOG_WARN] = 'W',
				     [HOST_LOG_ERROR] = 'E' };
	struct host_sim *sim = to_sim(h);
	char tag = (unsigned)level < ARRAY_SIZE(tags) ? tags[level] : '?';
	size_t mlen = strlen(msg), need;

	pthread_mutex_lock(&sim->lock);
	need = sim->log_len + 3 + mlen + 2; /* "X: " msg "\n" NUL */
	if (need > sim->log_cap) {
		size_t cap = sim->log_cap ? sim->log_cap : 256;
		char *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(sim->log, cap);
		if (!nb)
			goto out_unlock; /* dropped: see the file comment */
		sim->log = nb;
		sim->log_cap = cap;
	}
	sim->log[sim->log_len++] = tag;
	sim->log[sim->log_len++] = ':';
	sim->log[sim->log_len++] = ' ';
	memcpy(sim->log + sim->log_len, msg, mlen);
	sim->log_len += mlen;
	sim->log[sim->log_len++] = '\n';
	sim->log[sim->log_len] = '\0';
out_unlock:
	pthread_mutex_unlock(&sim->lock);
}

static void sim_destroy(struct host *h)
{
	struct host_sim *sim;

	if (!h)
		return;
	sim = to_sim(h);
	pthread_mutex_destroy(&sim->lock);
	free(sim->log);
	vl_free(sim);
}

/* The simulated machine: one CPU, 1 GiB (tmpfs sizes its defaults from the same). */
static unsigned sim_ncpus(struct host *h)
{
	(void)h;
	return 1;
}

static uint64_t sim_mem_total(struct host *h)
{
	(void)h;
	return UINT64_C(1) << 30;
}

static const struct host_ops sim_ops = {
	.version = HOST_ABI_VERSION,
	.name = "sim",
	.clock_realtime_ns = sim_clock_realtime_ns,
	.clock_monotonic_ns = sim_clock_monotonic_ns,
	.getrandom = sim_getrandom,
	.ncpus = sim_ncpus,
	.mem_total = sim_mem_total,
	.log = sim_log,
	.destroy = sim_destroy,
};

struct host *host_sim_new(uint64_t seed)
{
	struct host_sim *sim = vl_zalloc(sizeof(*sim));
	uint64_t x = seed;
	int i;

	if (!sim)
		return NULL;
	if (pthread_mutex_init(&sim->lock, NULL) != 0) {
		vl_free(sim);
		return NULL;
	}
	sim->host.ops = &sim_ops;
	for (i = 0; i < 4; i++)
		sim->rng[i] = splitmix64(&x);
	return &sim->host;
}

const char *host_sim_log(struct host *h)
{
	struct host_sim *sim;
	const char *s;

	if (!h || h->ops != &sim_ops)
		return "";
	sim = to_sim(h);
	pthread_mutex_lock(&sim->lock);
	s = sim->log ? sim->log : "";
	pthread_mutex_unlock(&sim->lock);
	return s;
}

void host_sim_clear_log(struct host *h)
{
	struct host_sim *sim;

	if (!h || h->ops != &sim_ops)
		return;
	sim = to_sim(h);
	pthread_mutex_lock(&sim->lock);
	sim->log_len = 0;
	if (sim->log)
		sim->log[0] = '\0';
	pthread_mutex_unlock(&sim->lock);
}
