/*
 * server.h - private to the 9P server (conn.c: connections, threads, the fid table;
 * ops.c: the message handlers). Kept out of src/p9/ itself so that the codec builds
 * alone (the fuzz target links src/p9/ without the VFS).
 *
 * Objects and their lifetimes:
 *   p9_server   the export: a task chrooted to the export root (to the parent directory
 *               of an exported file), the list of connections.
 *   p9_conn     one transport: a reader thread, worker threads, the fid table, the
 *               sessions; freed by p9_server_destroy after its threads are joined.
 *   p9_session  one attach identity (uid) of a connection: a task forked from the server's
 *               task with that uid; every fid of the session has its descriptors in that
 *               task's fd table. Lives as long as the connection.
 *   p9_fid      refcounted (refs under conn->lock); the table holds one reference, each
 *               request using the fid another. Its descriptors and state are protected by
 *               fid->lock; a request touching two fids locks them in address order.
 *
 * Lock order: fid->lock before conn->lock; conn->wlock (reply writes) is a leaf.
 */
#ifndef VFSLAB_P9_SERVER_H
#define VFSLAB_P9_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vfslab/p9.h"

struct task;

struct p9_server {
	struct task *task; /* chrooted to the export root */
	char *root;	   /* the export root as given (an aname naming it means "/") */
	char *file;	   /* a file export: its name in the chroot's "/"; NULL for a directory */
	unsigned flags;	   /* P9_SERVER_* */
	uint32_t max_msize;
	unsigned nworkers;
	uint32_t root_dev;    /* qid paths of other filesystems get the device mixed in */
	pthread_mutex_t lock; /* Protected by: conns */
	struct p9_conn *conns;
};

struct p9_session {
	struct p9_session *next;
	uint32_t uid;
	struct task *t;
};

enum p9_xattr_kind { P9_XATTR_NONE, P9_XATTR_READ, P9_XATTR_WRITE };

struct p9_fid {
	struct p9_fid *hnext; /* hash chain, conn->lock */
	uint32_t num;
	int refs;      /* conn->lock */
	bool in_table; /* conn->lock */
	pthread_mutex_t lock;
	/* Protected by: lock. */
	struct p9_session *sess;
	int pathfd;    /* O_PATH descriptor of the file (in sess->t) */
	int parentfd;  /* O_PATH descriptor of the directory it was reached from, or -1 */
	char *name;    /* its name there (NULL with parentfd -1) */
	uint64_t pino; /* the parent's inode and device, to follow Trenameat */
	uint32_t pdev;
	uint64_t root_ino; /* the attach point (Tattach's aname): `..` stops there */
	uint32_t root_dev;
	int openfd; /* after Tlopen/Tlcreate, else -1 */
	bool isdir;
	bool isreg; /* openfd is a regular file: its I/O cannot wait for a peer */
	enum p9_xattr_kind xkind;
	uint8_t *xbuf;
	size_t xlen;
	size_t xcopied;
	char *xname;
	int xflags;
};

#define P9_FID_BUCKETS 64

struct p9_req;

struct p9_conn {
	struct p9_conn *next; /* server->lock */
	struct p9_server *s;
	int rfd, wfd;
	int wake[2]; /* a pipe: written to end the reader's wait */
	pthread_t reader;
	pthread_t *workers;
	unsigned nworkers;
	pthread_mutex_t wlock; /* serializes reply frames */
	pthread_mutex_t lock;
	pthread_cond_t qcond; /* a request was queued, or closing */
	pthread_cond_t idle;  /* ninflight dropped to 0 */
	/* Protected by: lock. */
	struct p9_req *qhead, *qtail;
	struct p9_req *inflight; /* queued or running requests, for Tflush */
	unsigned ninflight;
	bool closing;
	bool fds_closed; /* by the reader, as it ends: conn_wake leaves them alone */
	bool done;
	bool versioned;
	uint32_t msize;
	struct p9_fid *fids[P9_FID_BUCKETS];
	struct p9_session *sessions;
	uint8_t *rbuf; /* the reader's reply buffer (max_msize), for requests it handles */
	/* The reader's: bytes received past the frames taken so far, [stage_off, stage_len). */
	uint8_t *stage;
	size_t stage_off, stage_len;
	struct p9_req *pool; /* requests done with, their frame buffers kept for the next */
	unsigned npool;
	/* Constant once the threads run. */
	bool sock;  /* rfd is a stream socket, blocking: receive with MSG_WAITALL */
	bool wsock; /* wfd is a stream socket */
	/* Atomic: set with the wake pipe, so a reader busy with data stops too. */
	bool stop;
};

/* conn.c: the fid table. get returns a new reference or NULL. */
struct p9_fid *p9_fid_get(struct p9_conn *c, uint32_t num);
void p9_fid_put(struct p9_conn *c, struct p9_fid *f);
/* A new fid of sess, not yet in the table (one reference, the caller's). */
struct p9_fid *p9_fid_alloc(struct p9_session *sess, uint32_t num);
/* Insert f (taking a new reference for the table): 0 or -EEXIST. */
int p9_fid_insert(struct p9_conn *c, struct p9_fid *f);
/* Take num out of the table, handing the table's reference to the caller; NULL if none. */
struct p9_fid *p9_fid_remove(struct p9_conn *c, uint32_t num);
/* New references to every fid in the table; *out is vl_malloc'd. 0 or -ENOMEM. */
int p9_fid_snapshot(struct p9_conn *c, struct p9_fid ***out, size_t *n);
/* The session for uid, made on first use. */
int p9_session_get(struct p9_conn *c, uint32_t uid, struct p9_session **out);

/* ops.c: handle request t, writing the reply frame into buf (size >= msize);
 * returns the frame's length. Never fails: errors become Rlerror. */
long p9_srv_handle(struct p9_conn *c, const struct p9_fcall *t, uint8_t *buf, size_t size);
/* True when t is a Tread or Twrite of a regular file open on its fid: one the reader may
 * handle itself, as it cannot block for long (a fifo or a device could wait forever). */
bool p9_srv_inline_ok(struct p9_conn *c, const struct p9_fcall *t);
/* Encode an Rlerror for tag into buf. */
long p9_srv_error(uint16_t tag, int err, uint8_t *buf, size_t size);
/* Drop every fid of the connection (Tversion, or the connection's end). */
void p9_srv_clunk_all(struct p9_conn *c);

#endif
