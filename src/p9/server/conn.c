/*
 * conn.c - the 9P2000.L server's machinery: the export, connections and their threads,
 * the transport, tags and Tflush, the fid table and the sessions. The handlers for each
 * message are in ops.c.
 *
 * A connection has one reader thread and a pool of workers. The reader takes frames off
 * the transport, decodes them and queues them; it answers Tversion itself once nothing
 * is in flight, and Tflush itself: a flushed request still queued is dropped and Rflush
 * sent at once, one already running gets its Rflush sent by its worker right after its
 * own reply (the order 9P requires), and an unknown tag is answered at once. Workers
 * handle requests concurrently, so replies can go out in any order.
 *
 * The transport is a pair of host descriptors. System calls cost about 3 us each in the
 * VMs we run in, so the reader makes few: one call fills a staging buffer with whatever
 * has come (a small request whole, often several), and the rest of a large frame is one
 * blocking call with MSG_WAITALL however it trickles in (a non-blocking read, a poll and
 * a read again per piece had tripled the calls). Ending the connection shuts a socket
 * down, which ends a blocked call at once; other descriptors are polled together with a
 * wake pipe, so p9_server_destroy can end a connection whatever kind of descriptor it is.
 * fault_check(FAULT_TRANSPORT) is consulted on every read and write; an injected fault
 * ends the connection as a transport error would.
 *
 * A Tread or Twrite of a regular file that arrives while nothing else is in flight is
 * handled by the reader itself (handle_inline): handing it to a worker costs a thread
 * wake-up, which on a streaming client was most of the round trip.
 *
 * Frames are received into the buffers of pooled requests, and replies built in each
 * worker's (and the reader's) own buffer, all allocated once per connection: a fresh
 * buffer of up to msize for every frame cost more in page faults and clearing than moving
 * the data did. Connections that have ended are reaped when the next one is served.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "p9/server/server.h"
#include "vfslab/kernel.h"
#include "vfslab/vfs.h"

enum req_state { REQ_QUEUED, REQ_RUNNING };

struct p9_req {
	struct p9_req *qnext;	/* the work queue */
	struct p9_req *inext;	/* conn->inflight */
	struct p9_req *flushes; /* Tflush requests answered after this one (via qnext) */
	enum req_state state;
	uint8_t *frame;
	size_t cap; /* of frame */
	size_t len;
	struct p9_fcall t;
};

/* The reader's staging buffer: reads smaller than this are served from it. */
#define P9S_STAGE 8192u

/* A frame up to this size gets a buffer of this size; a larger one a buffer of the whole
 * limit (msize). Either stays with its request in the pool for the frames that follow. */
#define P9S_SMALL_FRAME 8192u

/* ------------------------------------------------------------------ fids */

struct p9_fid *p9_fid_alloc(struct p9_session *sess, uint32_t num)
{
	struct p9_fid *f = vl_zalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->num = num;
	f->refs = 1;
	f->sess = sess;
	f->pathfd = f->parentfd = f->openfd = -1;
	pthread_mutex_init(&f->lock, NULL);
	obj_inc(OBJ_FID);
	return f;
}

static void fid_free(struct p9_fid *f)
{
	struct task *t = f->sess->t;

	if (f->openfd >= 0)
		vfs_close(t, f->openfd);
	if (f->pathfd >= 0)
		vfs_close(t, f->pathfd);
	if (f->parentfd >= 0)
		vfs_close(t, f->parentfd);
	vl_free(f->name);
	vl_free(f->xbuf);
	vl_free(f->xname);
	pthread_mutex_destroy(&f->lock);
	obj_dec(OBJ_FID);
	vl_free(f);
}

struct p9_fid *p9_fid_get(struct p9_conn *c, uint32_t num)
{
	struct p9_fid *f;

	pthread_mutex_lock(&c->lock);
	for (f = c->fids[num % P9_FID_BUCKETS]; f; f = f->hnext)
		if (f->num == num)
			break;
	if (f)
		f->refs++;
	pthread_mutex_unlock(&c->lock);
	return f;
}

void p9_fid_put(struct p9_conn *c, struct p9_fid *f)
{
	bool last;

	if (!f)
		return;
	pthread_mutex_lock(&c->lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (last)
		fid_free(f);
}

int p9_fid_insert(struct p9_conn *c, struct p9_fid *f)
{
	struct p9_fid **b = &c->fids[f->num % P9_FID_BUCKETS], *g;

	pthread_mutex_lock(&c->lock);
	for (g = *b; g; g = g->hnext) {
		if (g->num == f->num) {
			pthread_mutex_unlock(&c->lock);
			return -EEXIST;
		}
	}
	f->hnext = *b;
	*b = f;
	f->in_table = true;
	f->refs++;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

struct p9_fid *p9_fid_remove(struct p9_conn *c, uint32_t num)
{
	struct p9_fid **pp, *f = NULL;

	pthread_mutex_lock(&c->lock);
	for (pp = &c->fids[num % P9_FID_BUCKETS]; *pp; pp = &(*pp)->hnext) {
		if ((*pp)->num == num) {
			f = *pp;
			*pp = f->hnext;
			f->in_table = false;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return f;
}

int p9_fid_snapshot(struct p9_conn *c, struct p9_fid ***out, size_t *n)
{
	struct p9_fid **v, *f;
	size_t cnt = 0, i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < P9_FID_BUCKETS; i++)
		for (f = c->fids[i]; f; f = f->hnext)
			cnt++;
	v = vl_malloc((cnt ? cnt : 1) * sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&c->lock);
		return -ENOMEM;
	}
	cnt = 0;
	for (i = 0; i < P9_FID_BUCKETS; i++) {
		for (f = c->fids[i]; f; f = f->hnext) {
			f->refs++;
			v[cnt++] = f;
		}
	}
	pthread_mutex_unlock(&c->lock);
	*out = v;
	*n = cnt;
	return 0;
}

/* ------------------------------------------------------------------ sessions */

int p9_session_get(struct p9_conn *c, uint32_t uid, struct p9_session **out)
{
	struct p9_session *s;
	struct task *t;
	int err;

	pthread_mutex_lock(&c->lock);
	for (s = c->sessions; s; s = s->next)
		if (s->uid == uid)
			break;
	pthread_mutex_unlock(&c->lock);
	if (s) {
		*out = s;
		return 0;
	}
	/* Serving another uid is a privilege: only a root server may (as diod needs root). */
	if (uid != task_uid(c->s->task) && task_uid(c->s->task) != 0)
		return -EPERM;
	s = vl_zalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	t = task_fork(c->s->task);
	if (IS_ERR_OR_NULL(t)) {
		vl_free(s);
		return t ? (int)PTR_ERR(t) : -ENOMEM;
	}
	/* gid = uid, no groups: diod -N's rule without a user database. */
	err = task_setcreds(t, uid, uid, 0, NULL);
	if (err) {
		task_exit(t);
		vl_free(s);
		return err;
	}
	/* The client has applied its umask already. */
	vfs_umask(t, 0);
	s->uid = uid;
	s->t = t;
	pthread_mutex_lock(&c->lock);
	s->next = c->sessions;
	c->sessions = s;
	pthread_mutex_unlock(&c->lock);
	*out = s;
	return 0;
}

/* ------------------------------------------------------------------ transport */

/* Wait until fd is readable or the connection is woken; 0, or -EPIPE when woken. */
static int wait_readable(struct p9_conn *c)
{
	struct pollfd p[2] = { { .fd = c->rfd, .events = POLLIN },
			       { .fd = c->wake[0], .events = POLLIN } };

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents)
			return -EPIPE;
		if (p[0].revents)
			return 0;
	}
}

/*
 * Read exactly len bytes: 0, or -EPIPE at end of stream or when woken, or -errno. Small
 * reads are served from the staging buffer, which one call fills with whatever has come
 * (a size field and often the whole request after it, or several requests); large ones
 * go straight into buf, a socket blocking until all of it is there (one someone made
 * non-blocking is polled when empty). Anything else is polled first, with the wake pipe.
 * Only the reader calls this.
 */
static int read_full(struct p9_conn *c, void *buf, size_t len)
{
	size_t got = 0, k;
	bool staging;
	ssize_t n;
	int err;

	for (;;) {
		k = MIN(len - got, c->stage_len - c->stage_off);
		memcpy((char *)buf + got, c->stage + c->stage_off, k);
		c->stage_off += k;
		got += k;
		if (got == len)
			return 0;
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
			return -EPIPE;
		if (!c->sock) {
			err = wait_readable(c);
			if (err)
				return err;
		}
		if (fault_check(FAULT_TRANSPORT))
			return -EIO;
		staging = len - got < P9S_STAGE;
		if (staging)
			c->stage_off = c->stage_len = 0;
		if (c->sock && staging)
			n = recv(c->rfd, c->stage, P9S_STAGE, 0);
		else if (c->sock)
			n = recv(c->rfd, (char *)buf + got, len - got, MSG_WAITALL);
		else if (staging)
			n = read(c->rfd, c->stage, P9S_STAGE);
		else
			n = read(c->rfd, (char *)buf + got, len - got);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			err = wait_readable(c);
			if (err)
				return err;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (staging)
			c->stage_len = (size_t)n;
		else
			got += (size_t)n;
	}
}

/* End the connection's transport: the reader stops wherever it waits (a blocked call on
 * a socket returns once the socket is shut down), and a reply blocked on a client that
 * does not read fails. */
static void conn_wake(struct p9_conn *c)
{
	char b = 1;
	ssize_t n;

	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	/* Not once the reader has closed them: the numbers may be someone else's now. */
	pthread_mutex_lock(&c->lock);
	if (!c->fds_closed && c->sock)
		shutdown(c->rfd, SHUT_RDWR);
	if (!c->fds_closed && c->wsock && c->wfd != c->rfd)
		shutdown(c->wfd, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
	n = write(c->wake[1], &b, 1);
	(void)n; /* the pipe being full means it is woken already */
}

/* Send one frame; a failure ends the connection. */
static int send_frame(struct p9_conn *c, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int err = 0;

	pthread_mutex_lock(&c->wlock);
	while (done < len) {
		if (fault_check(FAULT_TRANSPORT)) {
			err = -EIO;
			break;
		}
		/* MSG_NOSIGNAL: a peer gone away must not kill the process with SIGPIPE. */
		n = send(c->wfd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(c->wfd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EPIPE;
			break;
		}
		done += (size_t)n;
	}
	pthread_mutex_unlock(&c->wlock);
	if (err)
		conn_wake(c);
	return err;
}

static void send_error(struct p9_conn *c, uint16_t tag, int err)
{
	uint8_t buf[16];
	long n = p9_srv_error(tag, err, buf, sizeof(buf));

	if (n > 0)
		send_frame(c, buf, (size_t)n);
}

static void send_rflush(struct p9_conn *c, uint16_t tag)
{
	struct p9_fcall r = { .type = P9_RFLUSH, .tag = tag };
	uint8_t buf[16];
	long n = p9_encode(&r, buf, sizeof(buf));

	if (n > 0)
		send_frame(c, buf, (size_t)n);
}

/* ------------------------------------------------------------------ requests */

static void req_destroy(struct p9_req *r)
{
	vl_free(r->frame);
	vl_free(r);
}

/* A request with a frame buffer of at least size bytes (limit: the most a frame may be
 * now), from the pool when it has one. NULL when out of memory. */
static struct p9_req *req_get(struct p9_conn *c, size_t size, size_t limit)
{
	struct p9_req *r;
	size_t cap;

	pthread_mutex_lock(&c->lock);
	r = c->pool;
	if (r) {
		c->pool = r->qnext;
		c->npool--;
	}
	pthread_mutex_unlock(&c->lock);
	if (!r) {
		r = vl_zalloc(sizeof(*r));
		if (!r)
			return NULL;
	}
	if (r->cap < size) {
		cap = size <= P9S_SMALL_FRAME ? P9S_SMALL_FRAME : MAX(size, limit);
		vl_free(r->frame);
		r->cap = 0;
		r->frame = vl_malloc(cap);
		if (!r->frame) {
			vl_free(r);
			return NULL;
		}
		r->cap = cap;
	}
	r->qnext = r->inext = r->flushes = NULL;
	r->len = size;
	return r;
}

/* Done with r: back to the pool, which keeps enough for every worker and the reader to
 * hold one with some queued; beyond that it is freed. */
static void req_free(struct p9_conn *c, struct p9_req *r)
{
	pthread_mutex_lock(&c->lock);
	if (c->npool < c->nworkers + 4) {
		r->qnext = c->pool;
		c->pool = r;
		c->npool++;
		r = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	if (r)
		req_destroy(r);
}

/* Unlink r from conn->inflight; conn->lock held. */
static void inflight_del(struct p9_conn *c, struct p9_req *r)
{
	struct p9_req **pp;

	for (pp = &c->inflight; *pp; pp = &(*pp)->inext) {
		if (*pp == r) {
			*pp = r->inext;
			break;
		}
	}
	if (--c->ninflight == 0)
		pthread_cond_broadcast(&c->idle);
}

static void *worker_main(void *arg)
{
	struct p9_conn *c = arg;
	uint8_t *buf = vl_malloc(c->s->max_msize);
	struct p9_req *r, *fl;
	long n = 0;

	pthread_setname_np(pthread_self(), "p9s-worker"); /* for profilers and top */
	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (!c->qhead && !c->closing)
			pthread_cond_wait(&c->qcond, &c->lock);
		if (c->closing) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		r = c->qhead;
		c->qhead = r->qnext;
		if (!c->qhead)
			c->qtail = NULL;
		r->state = REQ_RUNNING;
		pthread_mutex_unlock(&c->lock);

		if (buf)
			n = p9_srv_handle(c, &r->t, buf, c->s->max_msize);
		if (buf && n > 0) {
			send_frame(c, buf, (size_t)n);
		} else {
			send_error(c, r->t.tag, ENOMEM);
		}

		pthread_mutex_lock(&c->lock);
		inflight_del(c, r);
		fl = r->flushes;
		pthread_mutex_unlock(&c->lock);
		while (fl) {
			struct p9_req *next = fl->qnext;

			send_rflush(c, fl->t.tag);
			req_free(c, fl);
			fl = next;
		}
		req_free(c, r);
	}
	vl_free(buf);
	return NULL;
}

/* Tflush, in the reader (see the file comment). Consumes fr. */
static void handle_flush(struct p9_conn *c, struct p9_req *fr)
{
	uint16_t old = fr->t.u.tflush.oldtag;
	struct p9_req *r, **pp;

	pthread_mutex_lock(&c->lock);
	for (r = c->inflight; r; r = r->inext)
		if (r->t.tag == old)
			break;
	if (r && r->state == REQ_RUNNING) {
		fr->qnext = r->flushes;
		r->flushes = fr;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (r) {
		for (pp = &c->qhead; *pp; pp = &(*pp)->qnext) {
			if (*pp == r) {
				*pp = r->qnext;
				break;
			}
		}
		c->qtail = NULL;
		for (pp = &c->qhead; *pp; pp = &(*pp)->qnext)
			c->qtail = *pp;
		inflight_del(c, r);
	}
	pthread_mutex_unlock(&c->lock);
	if (r)
		req_free(c, r);
	send_rflush(c, fr->t.tag);
	req_free(c, fr);
}

/* Tversion, in the reader, once nothing is in flight: it ends the previous session. */
static void handle_version(struct p9_conn *c, struct p9_req *vr)
{
	struct p9_fcall r = { .type = P9_RVERSION, .tag = vr->t.tag };
	uint32_t msize = vr->t.u.version.msize;
	uint8_t buf[64];
	long n;
	bool ok;

	pthread_mutex_lock(&c->lock);
	while (c->ninflight)
		pthread_cond_wait(&c->idle, &c->lock);
	pthread_mutex_unlock(&c->lock);
	p9_srv_clunk_all(c);

	if (msize > c->s->max_msize)
		msize = c->s->max_msize;
	/* "9P2000.L" and any ".suffix" of it the client may add are ours; else "unknown". */
	ok = vr->t.u.version.version.len >= 8 &&
	     memcmp(vr->t.u.version.version.s, P9_VERSION_L, 8) == 0 &&
	     (vr->t.u.version.version.len == 8 || vr->t.u.version.version.s[8] == '.') &&
	     msize >= P9_MIN_MSIZE;
	r.u.version.msize = msize;
	r.u.version.version = p9_str_of(ok ? P9_VERSION_L : "unknown");
	pthread_mutex_lock(&c->lock);
	c->versioned = ok;
	c->msize = ok ? msize : 0;
	pthread_mutex_unlock(&c->lock);
	n = p9_encode(&r, buf, sizeof(buf));
	if (n > 0)
		send_frame(c, buf, (size_t)n);
}

/*
 * Data of a regular file when nothing else is in flight: handled here in the reader, as
 * handing it to a worker costs a thread wake-up each way, which is most of a round trip
 * (a Tflush for it finds it answered). Anything that might block, or that would wait
 * behind other work, goes to the workers. True when r was handled (and is consumed).
 */
static bool handle_inline(struct p9_conn *c, struct p9_req *r)
{
	bool idle;
	long n;

	pthread_mutex_lock(&c->lock);
	idle = c->ninflight == 0;
	pthread_mutex_unlock(&c->lock);
	if (!idle || !p9_srv_inline_ok(c, &r->t))
		return false;
	if (!c->rbuf) {
		c->rbuf = vl_malloc(c->s->max_msize);
		if (!c->rbuf)
			return false;
	}
	n = p9_srv_handle(c, &r->t, c->rbuf, c->s->max_msize);
	if (n > 0)
		send_frame(c, c->rbuf, (size_t)n);
	else
		send_error(c, r->t.tag, ENOMEM);
	req_free(c, r);
	return true;
}

/* Read one frame and act on it; 0 to go on, <0 to end the connection. */
static int reader_step(struct p9_conn *c)
{
	struct p9_req *r;
	uint8_t hdr[4];
	uint32_t limit;
	long size;
	int err;

	err = read_full(c, hdr, sizeof(hdr));
	if (err)
		return err;
	pthread_mutex_lock(&c->lock);
	limit = c->versioned ? c->msize : c->s->max_msize;
	pthread_mutex_unlock(&c->lock);
	/* A bad size field leaves no way to find the next frame: end the connection. */
	size = p9_frame_size(hdr, limit);
	if (size < 0)
		return (int)size;
	r = req_get(c, (size_t)size, limit);
	if (!r)
		return -ENOMEM;
	memcpy(r->frame, hdr, 4);
	err = read_full(c, r->frame + 4, r->len - 4);
	if (err) {
		req_free(c, r);
		return err;
	}
	err = p9_decode_t(r->frame, r->len, limit, &r->t);
	if (err) {
		/* The frame is sound, so its tag can be answered. */
		send_error(c, (uint16_t)(r->frame[5] | r->frame[6] << 8), -err);
		req_free(c, r);
		return 0;
	}
	if (r->t.type == P9_TVERSION) {
		handle_version(c, r);
		req_free(c, r);
		return 0;
	}
	if (!c->versioned) {
		send_error(c, r->t.tag, EPROTO);
		req_free(c, r);
		return 0;
	}
	if (r->t.type == P9_TFLUSH) {
		handle_flush(c, r);
		return 0;
	}
	if (handle_inline(c, r))
		return 0;
	pthread_mutex_lock(&c->lock);
	r->state = REQ_QUEUED;
	r->inext = c->inflight;
	c->inflight = r;
	c->ninflight++;
	if (c->qtail)
		c->qtail->qnext = r;
	else
		c->qhead = r;
	c->qtail = r;
	pthread_cond_signal(&c->qcond);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static void *reader_main(void *arg)
{
	struct p9_conn *c = arg;
	struct p9_session *s;
	struct p9_req *r, *fl;
	unsigned i;

	pthread_setname_np(pthread_self(), "p9s-reader");
	while (reader_step(c) == 0)
		;
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	pthread_cond_broadcast(&c->qcond);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < c->nworkers; i++)
		pthread_join(c->workers[i], NULL);
	/* What the workers left: queued requests and the flushes waiting on them. */
	while ((r = c->inflight)) {
		c->inflight = r->inext;
		while ((fl = r->flushes)) {
			r->flushes = fl->qnext;
			req_free(c, fl);
		}
		req_free(c, r);
	}
	c->qhead = c->qtail = NULL;
	c->ninflight = 0;
	while ((r = c->pool)) {
		c->pool = r->qnext;
		req_destroy(r);
	}
	c->npool = 0;
	vl_free(c->rbuf);
	c->rbuf = NULL;
	p9_srv_clunk_all(c);
	while ((s = c->sessions)) {
		c->sessions = s->next;
		task_exit(s->t);
		vl_free(s);
	}
	pthread_mutex_lock(&c->lock);
	c->fds_closed = true;
	pthread_mutex_unlock(&c->lock);
	close(c->rfd);
	if (c->wfd != c->rfd)
		close(c->wfd);
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* ------------------------------------------------------------------ the server */

/*
 * The export root as a directory for the chroot, and for a file export the file's name in
 * it. A directory root may be reached through symlinks (it is the caller's path). A file
 * root must be a regular file itself, its last component never a symlink: a file export
 * is confined to that one file, so the entry named is what is served (-ELOOP for a
 * symlink, -EINVAL for anything else that is neither a directory nor a regular file).
 * Sets *dir (vl_malloc'd) and *file (vl_malloc'd, NULL for a directory).
 */
static int export_root(struct task *t, const char *root, char **dir, char **file)
{
	struct vfs_stat st;
	const char *slash;
	size_t dlen;
	int err;

	*dir = *file = NULL;
	err = vfs_fstatat(t, AT_FDCWD, root, &st, 0);
	if (!err && !S_ISDIR(st.mode)) {
		err = vfs_fstatat(t, AT_FDCWD, root, &st, AT_SYMLINK_NOFOLLOW);
		if (!err && S_ISLNK(st.mode))
			err = -ELOOP;
		else if (!err && !S_ISREG(st.mode))
			err = -EINVAL;
	}
	if (err)
		return err;
	if (S_ISDIR(st.mode)) {
		*dir = vl_strdup(root);
		return *dir ? 0 : -ENOMEM;
	}
	/* A regular file's path never ends in '/' (that would have been ENOTDIR). */
	slash = strrchr(root, '/');
	dlen = !slash ? 0 : slash == root ? 1 : (size_t)(slash - root);
	*dir = dlen ? vl_strndup(root, dlen) : vl_strdup(".");
	*file = vl_strdup(slash ? slash + 1 : root);
	if (!*dir || !*file) {
		vl_free(*dir);
		vl_free(*file);
		*dir = *file = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct p9_server *p9_server_new(struct task *parent, const char *root,
				const struct p9_server_opts *opts)
{
	struct p9_server *s;
	struct vfs_stat st;
	char *dir = NULL;
	int err;

	if (!parent || !root)
		return ERR_PTR(-EINVAL);
	s = vl_zalloc(sizeof(*s));
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->flags = opts ? opts->flags : 0;
	s->max_msize = opts && opts->max_msize ? opts->max_msize : P9_SERVER_MSIZE_DEFAULT;
	if (s->max_msize < P9_MIN_MSIZE)
		s->max_msize = P9_MIN_MSIZE;
	s->nworkers = opts && opts->workers ? opts->workers : P9_SERVER_WORKERS_DEFAULT;
	pthread_mutex_init(&s->lock, NULL);
	s->root = vl_strdup(root);
	if (!s->root) {
		err = -ENOMEM;
		goto out_free;
	}
	s->task = task_fork(parent);
	if (IS_ERR_OR_NULL(s->task)) {
		err = s->task ? (int)PTR_ERR(s->task) : -ENOMEM;
		goto out_root;
	}
	err = export_root(s->task, root, &dir, &s->file);
	if (!err)
		err = vfs_chroot(s->task, dir);
	if (!err)
		err = vfs_chdir(s->task, "/");
	/* What the server sees from inside, once confined: a directory, or the file itself. */
	if (!err)
		err = vfs_fstatat(s->task, AT_FDCWD, s->file ? s->file : "/", &st,
				  AT_SYMLINK_NOFOLLOW);
	if (!err && s->file && !S_ISREG(st.mode))
		err = -ESTALE; /* replaced while we looked */
	vl_free(dir);
	if (err)
		goto out_task;
	s->root_dev = st.dev;
	return s;

out_task:
	task_exit(s->task);
	vl_free(s->file);
out_root:
	vl_free(s->root);
out_free:
	pthread_mutex_destroy(&s->lock);
	vl_free(s);
	return ERR_PTR(err);
}

/* Room in a socket for two whole frames, so that a large reply goes out in one call
 * instead of a sleep and a wake-up on each side for every default-sized bufferful. Best
 * effort: the kernel caps it (wmem_max, rmem_max), and it fails on a pipe. */
static void sockbuf(int fd, int opt, uint32_t msize)
{
	int want = msize > INT32_MAX / 2 ? INT32_MAX : (int)(2 * msize), have = 0;
	socklen_t len = sizeof(have);

	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) == 0 && have < want)
		setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
}

/* A stream socket, made blocking (see the file comment). */
static bool is_stream_socket(int fd)
{
	int type, fl;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM)
		return false;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return true;
}

/* Free a connection whose reader has ended or is ending (it joins the reader). */
static void conn_destroy(struct p9_conn *c)
{
	conn_wake(c);
	pthread_join(c->reader, NULL);
	pthread_cond_destroy(&c->idle);
	pthread_cond_destroy(&c->qcond);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->lock);
	close(c->wake[0]);
	close(c->wake[1]);
	vl_free(c->workers);
	vl_free(c->stage);
	vl_free(c);
}

/* Free the connections that have ended, so that a long-running server's list does not
 * grow with every client it ever had. */
static void reap_done(struct p9_server *s)
{
	struct p9_conn **pp, *c, *dead = NULL;
	bool done;

	pthread_mutex_lock(&s->lock);
	for (pp = &s->conns; (c = *pp);) {
		pthread_mutex_lock(&c->lock);
		done = c->done;
		pthread_mutex_unlock(&c->lock);
		if (done) {
			*pp = c->next;
			c->next = dead;
			dead = c;
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&s->lock);
	while ((c = dead)) {
		dead = c->next;
		conn_destroy(c);
	}
}

int p9_server_serve_fd(struct p9_server *s, int rfd, int wfd)
{
	struct p9_conn *c;
	unsigned i;
	int err;

	reap_done(s);
	c = vl_zalloc(sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out_fds;
	}
	c->s = s;
	c->rfd = rfd;
	c->wfd = wfd;
	c->sock = is_stream_socket(rfd);
	c->wsock = is_stream_socket(wfd);
	sockbuf(wfd, SO_SNDBUF, s->max_msize);
	sockbuf(rfd, SO_RCVBUF, s->max_msize);
	c->workers = vl_zalloc(s->nworkers * sizeof(*c->workers));
	c->stage = vl_malloc(P9S_STAGE);
	if (!c->workers || !c->stage) {
		err = -ENOMEM;
		goto out_workers; /* frees whichever of the two was allocated */
	}
	if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		err = -errno;
		goto out_workers;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_cond_init(&c->qcond, NULL);
	pthread_cond_init(&c->idle, NULL);
	for (i = 0; i < s->nworkers; i++) {
		err = -pthread_create(&c->workers[i], NULL, worker_main, c);
		if (err)
			goto out_threads;
		c->nworkers++;
	}
	err = -pthread_create(&c->reader, NULL, reader_main, c);
	if (err)
		goto out_threads;
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	return 0;

out_threads:
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	pthread_cond_broadcast(&c->qcond);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < c->nworkers; i++)
		pthread_join(c->workers[i], NULL);
	pthread_cond_destroy(&c->idle);
	pthread_cond_destroy(&c->qcond);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->lock);
	close(c->wake[0]);
	close(c->wake[1]);
out_workers:
	vl_free(c->workers);
	vl_free(c->stage);
	vl_free(c);
out_fds:
	close(rfd);
	if (wfd != rfd)
		close(wfd);
	return err;
}

unsigned p9_server_nconns(struct p9_server *s)
{
	struct p9_conn *c;
	unsigned n = 0;

	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		n += !c->done;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

void p9_server_destroy(struct p9_server *s)
{
	struct p9_conn *c;

	if (IS_ERR_OR_NULL(s))
		return;
	pthread_mutex_lock(&s->lock);
	while ((c = s->conns)) {
		s->conns = c->next;
		pthread_mutex_unlock(&s->lock);
		conn_destroy(c);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	task_exit(s->task);
	vl_free(s->file);
	vl_free(s->root);
	pthread_mutex_destroy(&s->lock);
	vl_free(s);
}
