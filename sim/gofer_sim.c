/*
 * gofer_sim.c - the in-memory gofer of the simulated host (see gofer_sim.h): a kernel of
 * its own whose tmpfs root is exported by the p9 server, one socketpair per connection.
 * Other exports of the same kernel (a bind mount's source: a directory or a single file,
 * read-write or read-only) get servers of their own, made on first use and kept until
 * stop, one per (path, read-only) pair.
 *
 * The client ends are kept here and closed at quiesce or stop, so a mount (which
 * duplicates them) and the gofer never disagree about who closes what.
 *
 * Protected by: g->lock, the connection list and the servers (the served kernel has its
 * own locking).
 */
#include "vfslab/gofer_sim.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/p9.h"

/* Connections handed out at once; beyond this, -EMFILE (each holds two descriptors and a
 * server thread pool, so the process limits come first anyway). */
#define GOFER_SIM_MAXCONN 65536

struct gofer_export {
	char *path; /* as given to gofer_sim_serve */
	bool readonly;
	struct p9_server *srv;
};

struct gofer_sim {
	struct kernel *k;
	struct p9_server *srv; /* "/" read-write */
	pthread_mutex_t lock;
	int *fds; /* client ends handed out */
	unsigned nfds, fdcap;
	struct gofer_export *exports;
	unsigned nexports, expcap;
};

/* Vector v of n elements of size sz (room for *cap) with room for one more: v itself, a
 * larger copy (*cap updated), or NULL when out of memory (v is left as it was). */
static void *grow(void *v, unsigned n, unsigned *cap, size_t sz)
{
	unsigned ncap = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return v;
	v = vl_realloc(v, ncap * sz);
	if (v)
		*cap = ncap;
	return v;
}

struct gofer_sim *gofer_sim_start(uint64_t seed, int *rfd, int *wfd)
{
	struct gofer_sim *g = vl_zalloc(sizeof(*g));
	struct host *h;
	int err;

	if (!g)
		return ERR_PTR(-ENOMEM);
	pthread_mutex_init(&g->lock, NULL);
	h = host_sim_new(seed);
	if (!h) {
		err = -ENOMEM;
		goto out_g;
	}
	g->k = kernel_new(h); /* consumes h */
	if (IS_ERR(g->k)) {
		err = (int)PTR_ERR(g->k);
		goto out_g;
	}
	g->srv = p9_server_new(kernel_init_task(g->k), "/", NULL);
	if (IS_ERR(g->srv)) {
		err = (int)PTR_ERR(g->srv);
		goto out_k;
	}
	err = gofer_sim_connect(g, rfd, wfd);
	if (err)
		goto out_srv;
	return g;

out_srv:
	p9_server_destroy(g->srv);
out_k:
	kernel_destroy(g->k);
out_g:
	vl_free(g->fds);
	pthread_mutex_destroy(&g->lock);
	vl_free(g);
	return ERR_PTR(err);
}

/* A new connection to srv; its client end is kept in g->fds and given in *fd. g->lock
 * held. */
static int connect_locked(struct gofer_sim *g, struct p9_server *srv, int *fd)
{
	int sv[2], err, *fds;

	if (g->nfds == GOFER_SIM_MAXCONN)
		return -EMFILE;
	fds = grow(g->fds, g->nfds, &g->fdcap, sizeof(*g->fds));
	if (!fds)
		return -ENOMEM;
	g->fds = fds;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	err = p9_server_serve_fd(srv, sv[0], sv[0]); /* owns sv[0] even on failure */
	if (err) {
		close(sv[1]);
		return err;
	}
	g->fds[g->nfds++] = sv[1];
	*fd = sv[1];
	return 0;
}

int gofer_sim_connect(struct gofer_sim *g, int *rfd, int *wfd)
{
	int err, fd = -1;

	pthread_mutex_lock(&g->lock);
	err = connect_locked(g, g->srv, &fd);
	pthread_mutex_unlock(&g->lock);
	if (!err)
		*rfd = *wfd = fd;
	return err;
}

/* The server of (path, readonly), made on first use. g->lock held. */
static int export_get(struct gofer_sim *g, const char *path, bool readonly, struct p9_server **out)
{
	struct p9_server_opts opts = { .flags = readonly ? P9_SERVER_RO : 0 };
	struct gofer_export *e;
	struct p9_server *srv;
	unsigned i;

	for (i = 0; i < g->nexports; i++) {
		e = &g->exports[i];
		if (e->readonly == readonly && strcmp(e->path, path) == 0) {
			*out = e->srv;
			return 0;
		}
	}
	e = grow(g->exports, g->nexports, &g->expcap, sizeof(*g->exports));
	if (!e)
		return -ENOMEM;
	g->exports = e;
	e = &g->exports[g->nexports];
	e->path = vl_strdup(path);
	if (!e->path)
		return -ENOMEM;
	srv = p9_server_new(kernel_init_task(g->k), path, &opts);
	if (IS_ERR(srv)) {
		vl_free(e->path);
		e->path = NULL;
		return (int)PTR_ERR(srv);
	}
	e->readonly = readonly;
	e->srv = srv;
	g->nexports++;
	*out = srv;
	return 0;
}

int gofer_sim_serve(struct gofer_sim *g, const char *path, bool readonly, int *fd)
{
	struct p9_server *srv = NULL;
	int err;

	if (!g || !path || !fd)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	err = export_get(g, path, readonly, &srv);
	if (!err)
		err = connect_locked(g, srv, fd);
	pthread_mutex_unlock(&g->lock);
	return err;
}

/* Connections still open on every server. */
static unsigned nconns(struct gofer_sim *g)
{
	unsigned i, n;

	pthread_mutex_lock(&g->lock);
	n = p9_server_nconns(g->srv);
	for (i = 0; i < g->nexports; i++)
		n += p9_server_nconns(g->exports[i].srv);
	pthread_mutex_unlock(&g->lock);
	return n;
}

int gofer_sim_quiesce(struct gofer_sim *g)
{
	struct timespec pause = { 0, 1000000 };
	unsigned i, waited;

	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->nfds; i++)
		close(g->fds[i]);
	g->nfds = 0;
	pthread_mutex_unlock(&g->lock);
	/* A connection ends when its reader sees EOF and its workers are joined, so every
	 * request already received has been carried out once the count is zero. */
	for (waited = 0; nconns(g) > 0; waited++) {
		if (waited == 30000)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
	return 0;
}

struct task *gofer_sim_task(struct gofer_sim *g)
{
	return kernel_init_task(g->k);
}

void gofer_sim_stop(struct gofer_sim *g)
{
	unsigned i;

	if (IS_ERR_OR_NULL(g))
		return;
	for (i = 0; i < g->nfds; i++)
		close(g->fds[i]);
	for (i = 0; i < g->nexports; i++) {
		p9_server_destroy(g->exports[i].srv);
		vl_free(g->exports[i].path);
	}
	vl_free(g->exports);
	vl_free(g->fds);
	p9_server_destroy(g->srv);
	kernel_destroy(g->k);
	pthread_mutex_destroy(&g->lock);
	vl_free(g);
}
