/*
 * gofer_sim.c - the in-memory gofer of the simulated host (see gofer_sim.h): a kernel of
 * its own whose tmpfs root is exported by the p9 server, one socketpair per connection.
 *
 * The client ends are kept here and closed at stop, so a mount (which duplicates them)
 * and the gofer never disagree about who closes what.
 */
#include "vfslab/gofer_sim.h"

#include <errno.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "vfslab/host.h"
#include "vfslab/kernel.h"
#include "vfslab/p9.h"

#define GOFER_SIM_MAXCONN 256

struct gofer_sim {
	struct kernel *k;
	struct p9_server *srv;
	int fds[GOFER_SIM_MAXCONN]; /* client ends handed out */
	unsigned nfds;
};

struct gofer_sim *gofer_sim_start(uint64_t seed, int *rfd, int *wfd)
{
	struct gofer_sim *g = vl_zalloc(sizeof(*g));
	struct host *h;
	int err;

	if (!g)
		return ERR_PTR(-ENOMEM);
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
	vl_free(g);
	return ERR_PTR(err);
}

int gofer_sim_connect(struct gofer_sim *g, int *rfd, int *wfd)
{
	int sv[2], err;

	if (g->nfds == GOFER_SIM_MAXCONN)
		return -EMFILE;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	err = p9_server_serve_fd(g->srv, sv[0], sv[0]); /* owns sv[0] even on failure */
	if (err) {
		close(sv[1]);
		return err;
	}
	g->fds[g->nfds++] = sv[1];
	*rfd = *wfd = sv[1];
	return 0;
}

int gofer_sim_quiesce(struct gofer_sim *g)
{
	struct timespec pause = { 0, 1000000 };
	unsigned i, waited;

	for (i = 0; i < g->nfds; i++)
		close(g->fds[i]);
	g->nfds = 0;
	/* A connection ends when its reader sees EOF and its workers are joined, so every
	 * request already received has been carried out once the count is zero. */
	for (waited = 0; p9_server_nconns(g->srv) > 0; waited++) {
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
	p9_server_destroy(g->srv);
	kernel_destroy(g->k);
	vl_free(g);
}
