/*
 * gofer_sim.h - the simulated gofer: a separate vfslab kernel (its own simulated host and
 * VFS lock) whose root tmpfs is served by our 9P server over socketpairs, for the
 * simulated kernel to mount with -t 9p -o trans=fd,rfdno=N,wfdno=N.
 *
 * Being a separate kernel is what lets a client block on a reply while holding its own
 * VFS lock (doc/locking.md). The served tree is populated and checked through the public
 * API as gofer_sim_task(g).
 */
#ifndef VFSLAB_GOFER_SIM_H
#define VFSLAB_GOFER_SIM_H

#include <stdint.h>

struct gofer_sim;
struct task;

/* A gofer over a new simulated kernel seeded with seed, serving its root "/" read-write;
 * *rfd and *wfd receive the client end of a first connection (one socket: both the same).
 * The descriptors stay the gofer's (a mount duplicates them); they are closed by
 * gofer_sim_stop. ERR_PTR(-errno) on failure. */
struct gofer_sim *gofer_sim_start(uint64_t seed, int *rfd, int *wfd);
/* Another connection to the same gofer (each mount wants its own). 0 or -errno. */
int gofer_sim_connect(struct gofer_sim *g, int *rfd, int *wfd);
/* Close the gofer's ends of every connection handed out and wait until the server has
 * finished with all of them (their requests carried out or dropped): after a client
 * unmounts, the served tree is then final. 0, or -ETIMEDOUT after 30 s (a client still
 * holds a connection open). */
int gofer_sim_quiesce(struct gofer_sim *g);
/* The served kernel's init task (root), to populate and inspect the served tree. */
struct task *gofer_sim_task(struct gofer_sim *g);
/* Ends every connection, then destroys the server and the served kernel. */
void gofer_sim_stop(struct gofer_sim *g);

#endif
