/*
 * gofer_sim.h - the simulated gofer: a separate vfslab kernel (its own simulated host and
 * VFS lock) whose root tmpfs is served by our 9P server over socketpairs, for the
 * simulated kernel to mount with -t 9p -o trans=fd,rfdno=N,wfdno=N.
 *
 * Being a separate kernel is what lets a client block on a reply while holding its own
 * VFS lock (doc/locking.md). The served tree is populated and checked through the public
 * API as gofer_sim_task(g). Besides its root, the gofer serves any path of its tree, a
 * directory or a single regular file (a bind mount's source, as runsc's gofer serves
 * each mount over its own connection): gofer_sim_serve. Thread-safe.
 */
#ifndef VFSLAB_GOFER_SIM_H
#define VFSLAB_GOFER_SIM_H

#include <stdbool.h>
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
/* A new connection to a server exporting path of the gofer's tree (as gofer_sim_task
 * sees it: a directory, or a regular file served alone, see p9.h), read-only
 * (P9_SERVER_RO: modifying calls fail with EROFS) when readonly. Servers are made on
 * first use and reused for the same (path, readonly), path compared as given. *fd
 * receives the client end of the connection (one socket, for both rfdno and wfdno); it
 * stays the gofer's, closed by gofer_sim_quiesce or gofer_sim_stop like the others.
 * 0 or -errno: p9_server_new's (-ENOENT, -ELOOP, -EINVAL, ...), -EMFILE, -ENOMEM. */
int gofer_sim_serve(struct gofer_sim *g, const char *path, bool readonly, int *fd);
/* Close the gofer's ends of every connection handed out and wait until the server has
 * finished with all of them (their requests carried out or dropped): after a client
 * unmounts, the served tree is then final. 0, or -ETIMEDOUT after 30 s (a client still
 * holds a connection open). */
int gofer_sim_quiesce(struct gofer_sim *g);
/* The served kernel's init task (root), to populate and inspect the served tree. */
struct task *gofer_sim_task(struct gofer_sim *g);
/* Ends every connection, then destroys the servers and the served kernel. */
void gofer_sim_stop(struct gofer_sim *g);

#endif
