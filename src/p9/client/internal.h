/*
 * internal.h - private to the 9P client: the connection and its requests (conn.c), used
 * by the message functions (ops.c).
 *
 * A request (p9_creq) owns a tag while it is in the tag table, and two buffers of msize
 * bytes (the T frame it sends, the R frame the reader receives into). It is reference
 * counted under client->lock: one reference for the tag table (dropped when the reply
 * arrives or the connection breaks) and one for its owner (the caller waiting, or the
 * sender of a one-way clunk); the last one puts it back in the pool, and for a clunk
 * frees the fid number.
 *
 * Receiving: one thread at a time reads frames off the transport (receiving, under lock)
 * and hands each to its request. A caller waiting for an answer receives itself when
 * nobody else is (it usually finds its own reply, with no thread to wake); the reader
 * thread receives only while no caller waits, so that a reply nobody waits for (a
 * one-way clunk, a duplicate, the end of the stream) is still seen soon. The reader is
 * not woken when the last caller stops waiting: it naps (P9C_READER_NAP_MS) and looks
 * again, so that a stream of calls, each ending its wait, does not cost a wake-up of a
 * thread that finds nothing to do (on a 2-core machine that was a third of the client's
 * CPU time). A reply nobody waits for is therefore seen within a nap.
 *
 * Lock order: wlock (frames out) before lock (everything else). Receivers take only lock.
 */
#ifndef VFSLAB_P9_CLIENT_INTERNAL_H
#define VFSLAB_P9_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/ida.h"
#include "vfslab/p9client.h"

/* Requests in flight at once; tags are 0..P9C_MAXTAGS-1 (a reply naming any other tag is
 * an unknown tag). */
#define P9C_MAXTAGS 64

/* How long the reader thread sleeps before it looks again whether callers still wait. */
#define P9C_READER_NAP_MS 5

/* The staging buffer's size: reads smaller than this are served from it (conn.c). */
#define P9C_STAGE 8192

/* The longest one blocking call on a socket lasts (its SO_RCVTIMEO / SO_SNDTIMEO): how far
 * a deadline can be overshot. */
#define P9C_QUANTUM_MS 20

struct p9_creq {
	struct p9_creq *next_free;
	uint16_t tag;
	int refs;	    /* lock */
	bool done;	    /* lock: answered, or failed with err */
	int err;	    /* lock: -EIO when the connection broke first */
	uint32_t clunk_fid; /* a clunk's fid, freed when the request is; else P9_NOFID */
	pthread_cond_t cond;
	uint8_t *tx;
	uint8_t *rx;
	size_t rxlen;
	/* A Tread's destination: its Rread payload is received straight into dst (no copy
	 * through rx). The owner clears dst (p9c_wait) before it may reuse the memory, and
	 * waits while the reader has claimed it (dst_busy). */
	uint8_t *dst;	  /* lock */
	size_t dstlen;	  /* the count asked */
	bool dst_busy;	  /* lock: the reader is receiving into dst */
	bool direct;	  /* lock: answered by an Rread of rxcount bytes, now in dst */
	uint32_t rxcount; /* lock */
	bool waiting;	  /* lock: its owner is in p9c_wait */
};

/* Protected by: lock, except the constants (fds, msize) set before the reader starts. */
struct p9_client {
	int rfd, wfd;
	bool rsock, wsock; /* a blocking socket with a quantum (else non-blocking, polled) */
	int wake[2];	   /* a pipe: written to end the reader's wait */
	uint32_t msize;
	unsigned timeout_ms;
	pthread_t reader;
	bool reader_started;
	pthread_mutex_t wlock;
	pthread_mutex_t lock;
	pthread_cond_t tagfree;
	struct p9_creq *tags[P9C_MAXTAGS];
	unsigned next_tag; /* tags go round, so a late duplicate finds its slot empty */
	struct p9_creq *pool;
	bool receiving; /* a thread is reading frames off rfd */
	/* Bytes received past the frames handled so far, [stage_off, stage_len): only the
	 * thread that is receiving (or negotiate, before the reader starts) touches them. */
	uint8_t *stage;
	size_t stage_off, stage_len;
	unsigned nwaiting;     /* callers in p9c_wait */
	pthread_cond_t rcond;  /* receiving released, nwaiting dropped, broken or closing */
	pthread_cond_t rdcond; /* the reader's nap: broken or closing */
	bool stop; /* atomic: set with the wake pipe, so a reader busy with data stops too */
	struct ida fids;
	unsigned nfids;
	bool broken;
	bool closing;
	bool no_renameat;
	bool no_unlinkat;
	uint64_t nrequests;
};

/* conn.c */

/* A fid number, counted as OBJ_FID; P9_NOFID when out of memory. */
uint32_t p9c_fid_alloc(struct p9_client *c);
void p9c_fid_free(struct p9_client *c, uint32_t fid);
/*
 * Send t (its tag is set here) and wait for the answer, decoded into r and checked
 * against t. On return *reqp holds the request (r's strings and data point into it) for
 * p9c_put, whatever the result. Returns 0, -ecode from Rlerror, -EIO (transport, broken
 * connection, timeout, malformed reply), -ENOMEM, or the encoder's error.
 */
int p9c_rpc(struct p9_client *c, struct p9_fcall *t, struct p9_fcall *r, struct p9_creq **reqp);
/* p9c_rpc when the reply holds nothing to keep. */
int p9c_rpc_simple(struct p9_client *c, struct p9_fcall *t, struct p9_fcall *r);
/* Send t without waiting for (nor checking) the answer; only Tclunk of clunk_fid. */
void p9c_send_async(struct p9_client *c, struct p9_fcall *t, uint32_t clunk_fid);
void p9c_put(struct p9_client *c, struct p9_creq *req);
/* Pipelined: start t (tag set), returning the request to p9c_wait later. */
int p9c_start(struct p9_client *c, struct p9_fcall *t, struct p9_creq **reqp);
/* The same for a Tread whose payload should land in dst (t->u.tread.count bytes): the
 * decoded Rread's data then points at dst. */
int p9c_start_read(struct p9_client *c, struct p9_fcall *t, void *dst, struct p9_creq **reqp);
int p9c_wait(struct p9_client *c, struct p9_creq *req, const struct p9_fcall *t,
	     struct p9_fcall *r);

#endif
