/*
 * conn.c - the 9P client's connection: transports, version negotiation, receiving (by a
 * waiting caller, or the reader thread when none waits) that matches replies to requests by
 * tag, bounded waits, fid numbers. See p9client.h for the contract and internal.h for the
 * request life cycle and who receives.
 *
 * Data is not copied through our buffers: a Twrite goes out as its header and the caller's
 * buffer, an Rread's payload is received straight into the caller's buffer (the frame's
 * size checked against the request first, its count against the frame after).
 *
 * System calls are the cost to watch (about 3 us each in the VMs we run in, as much as
 * copying 32 KiB). Small reads are served from a staging buffer that one call fills with
 * whatever has arrived (a header, a whole small reply, often several), large ones go
 * straight to their destination with MSG_WAITALL; a socket is used in blocking mode, a
 * receive timeout of P9C_QUANTUM_MS bounding each call, so that deadlines and c->stop are
 * still seen, and stopping shuts the socket down for reading, which ends a blocked call at
 * once. Other descriptors (pipes) are non-blocking and polled when empty. TCP gets
 * TCP_NODELAY: a frame's tail shorter than a segment must not wait for an ACK.
 *
 * Invariants: bytes past the frame a size field announced are only ever read into the
 * staging buffer (the next frames), never into a request's buffer; a size field is checked
 * (7 <= size <= msize) before anything is read into a buffer of msize bytes; a reply is
 * handed to the request whose tag it names only if that request is in the tag table, so
 * an unknown or already-answered tag can never reach a buffer some other call owns. Once
 * broken, a connection stays broken: nothing sent or read after a desynchronising error
 * could be trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/compiler.h"
#include "base/fault.h"
#include "base/objcount.h"
#include "p9/client/internal.h"

/* ------------------------------------------------------------------ time */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The timeout may be changed by another thread (p9_client_set_timeout). */
static int64_t timeout_of(struct p9_client *c)
{
	return __atomic_load_n(&c->timeout_ms, __ATOMIC_RELAXED);
}

static struct timespec deadline_ts(int64_t deadline)
{
	struct timespec ts = { .tv_sec = deadline / 1000, .tv_nsec = (deadline % 1000) * 1000000 };

	return ts;
}

/* ------------------------------------------------------------------ transport */

/* Wait for fd to be ready for events, the wake pipe, or the deadline (-1: none).
 * 0, -EPIPE when woken, -ETIMEDOUT, or -errno. */
static int wait_fd(struct p9_client *c, int fd, short events, int64_t deadline)
{
	struct pollfd p[2] = { { .fd = fd, .events = events },
			       { .fd = c->wake[0], .events = POLLIN } };
	int timeout, n;

	for (;;) {
		timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		n = poll(p, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (p[1].revents)
			return -EPIPE;
		if (p[0].revents)
			return 0;
	}
}

/* Consume n bytes from the front of an iovec array, and any empty pieces there. */
static void iov_advance(struct iovec **iovp, int *cnt, size_t n)
{
	struct iovec *iov = *iovp;

	while (*cnt > 0 && (n > 0 || !iov->iov_len)) {
		size_t k = MIN(n, iov->iov_len);

		iov->iov_base = (char *)iov->iov_base + k;
		iov->iov_len -= k;
		n -= k;
		if (!iov->iov_len) {
			iov++;
			(*cnt)--;
		}
	}
	*iovp = iov;
}

/* Has the deadline (-1: none) passed? */
static bool past(int64_t deadline)
{
	return deadline >= 0 && now_ms() >= deadline;
}

/* Copy what the staging buffer holds into iov, up to what iov wants; the turn is held. */
static void stage_take(struct p9_client *c, struct iovec **iov, int *cnt)
{
	while (*cnt > 0 && c->stage_off < c->stage_len) {
		size_t k = MIN(c->stage_len - c->stage_off, (*iov)->iov_len);

		memcpy((*iov)->iov_base, c->stage + c->stage_off, k);
		c->stage_off += k;
		iov_advance(iov, cnt, k);
	}
}

/*
 * Read exactly the bytes iov describes (consumed), from the staging buffer first. The
 * caller holds the turn (or is negotiating, alone). 0, or -EPIPE (end of stream,
 * stopped), -ETIMEDOUT, -errno. A reader busy with data never polls the wake pipe, so it
 * checks c->stop.
 */
static int read_iov(struct p9_client *c, struct iovec *iov, int cnt, int64_t deadline)
{
	struct msghdr mh = { 0 };
	bool staging, again = false;
	struct iovec sv;
	size_t want;
	ssize_t n;
	int err, i;

	iov_advance(&iov, &cnt, 0);
	for (;; again = true) {
		stage_take(c, &iov, &cnt);
		if (cnt == 0)
			return 0;
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
			return -EPIPE;
		/* Not all of it yet: a quantum passed, or a peer trickles bytes. */
		if (again && past(deadline))
			return -ETIMEDOUT;
		if (fault_check(FAULT_TRANSPORT))
			return -EIO;
		/* The stage is empty. A small read fills it with what has come; a large one
		 * goes where it belongs. */
		for (want = 0, i = 0; i < cnt && want < P9C_STAGE; i++)
			want += iov[i].iov_len;
		staging = want < P9C_STAGE;
		if (staging) {
			sv = (struct iovec){ .iov_base = c->stage, .iov_len = P9C_STAGE };
			c->stage_off = c->stage_len = 0;
		}
		if (c->rsock) {
			mh.msg_iov = staging ? &sv : iov;
			mh.msg_iovlen = staging ? 1 : (size_t)cnt;
			n = recvmsg(c->rfd, &mh, staging ? 0 : MSG_WAITALL);
		} else {
			n = staging ? readv(c->rfd, &sv, 1) : readv(c->rfd, iov, cnt);
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* A socket's quantum passed with nothing; anything else is polled. */
			if (c->rsock)
				continue;
			err = wait_fd(c, c->rfd, POLLIN, deadline);
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
			iov_advance(&iov, &cnt, (size_t)n);
	}
}

static int read_full(struct p9_client *c, void *buf, size_t len, int64_t deadline)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return read_iov(c, &iov, 1, deadline);
}

/* Write a whole frame, given as cnt pieces (iov is consumed), within the deadline; the
 * caller holds wlock. Pieces let a Twrite go out as its header and the caller's buffer,
 * never copied. A socket blocks for at most a quantum per call and other descriptors are
 * non-blocking, so a server that stops reading cannot stall us past the deadline. */
static int write_full(struct p9_client *c, struct iovec *iov, int cnt, int64_t deadline)
{
	struct msghdr mh = { 0 };
	bool again = false;
	ssize_t n;
	int err;

	iov_advance(&iov, &cnt, 0);
	for (; cnt > 0; again = true) {
		/* Not all of it yet: a quantum passed, or the peer reads slowly. */
		if (again && past(deadline))
			return -ETIMEDOUT;
		if (fault_check(FAULT_TRANSPORT))
			return -EIO;
		if (c->wsock) {
			mh.msg_iov = iov;
			mh.msg_iovlen = (size_t)cnt;
			/* MSG_NOSIGNAL: a server gone away must not kill us with SIGPIPE. */
			n = sendmsg(c->wfd, &mh, MSG_NOSIGNAL);
		} else {
			n = writev(c->wfd, iov, cnt);
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (c->wsock)
				continue;
			err = wait_fd(c, c->wfd, POLLOUT, deadline);
			if (err)
				return err;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		iov_advance(&iov, &cnt, (size_t)n);
	}
	return 0;
}

static int write_buf(struct p9_client *c, const void *buf, size_t len, int64_t deadline)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return write_full(c, &iov, 1, deadline);
}

/* Stop every receiver: the reader thread's poll sees the pipe, a call blocked on a socket
 * returns at once (end of stream) once its read side is shut down, and a receiver between
 * calls sees c->stop. Only for a connection that is broken or closing: nothing is read
 * from it again. */
static void wake_reader(struct p9_client *c)
{
	char b = 1;
	ssize_t n;

	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	if (c->rsock)
		shutdown(c->rfd, SHUT_RD);
	n = write(c->wake[1], &b, 1);
	(void)n; /* a full pipe is a reader woken already */
}

/* The connection cannot be trusted any more; lock held. The reader thread fails the
 * requests in flight as it leaves. */
static void mark_broken_locked(struct p9_client *c)
{
	if (!c->broken) {
		c->broken = true;
		wake_reader(c);
	}
	pthread_cond_broadcast(&c->tagfree);
	pthread_cond_broadcast(&c->rcond);
	pthread_cond_broadcast(&c->rdcond);
}

static void mark_broken(struct p9_client *c)
{
	pthread_mutex_lock(&c->lock);
	mark_broken_locked(c);
	pthread_mutex_unlock(&c->lock);
}

/* Requests of every client in the process, for benchmarks that see only a mount. */
static uint64_t requests_total;

uint64_t p9_client_requests_total(void)
{
	return __atomic_load_n(&requests_total, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ fids */

uint32_t p9c_fid_alloc(struct p9_client *c)
{
	int id;

	pthread_mutex_lock(&c->lock);
	id = ida_alloc_min(&c->fids, 0);
	if (id >= 0)
		c->nfids++;
	pthread_mutex_unlock(&c->lock);
	if (id < 0)
		return P9_NOFID;
	obj_inc(OBJ_FID);
	return (uint32_t)id;
}

void p9c_fid_free(struct p9_client *c, uint32_t fid)
{
	if (fid == P9_NOFID)
		return;
	pthread_mutex_lock(&c->lock);
	ida_free(&c->fids, (int)fid);
	c->nfids--;
	pthread_mutex_unlock(&c->lock);
	obj_dec(OBJ_FID);
}

/* ------------------------------------------------------------------ requests */

static void req_destroy(struct p9_creq *r)
{
	pthread_cond_destroy(&r->cond);
	vl_free(r->tx);
	vl_free(r->rx);
	vl_free(r);
}

/* Drop a reference; lock held. Returns a fid to free (outside the lock) or P9_NOFID. */
static uint32_t req_unref_locked(struct p9_client *c, struct p9_creq *r)
{
	uint32_t fid = P9_NOFID;

	if (--r->refs > 0)
		return P9_NOFID;
	fid = r->clunk_fid;
	r->clunk_fid = P9_NOFID;
	r->next_free = c->pool;
	c->pool = r;
	return fid;
}

/* The request is answered (or failed): out of the tag table, waiter woken; lock held. */
static uint32_t req_complete_locked(struct p9_client *c, struct p9_creq *r, int err)
{
	r->done = true;
	r->err = err;
	c->tags[r->tag] = NULL;
	pthread_cond_broadcast(&c->tagfree);
	pthread_cond_signal(&r->cond);
	return req_unref_locked(c, r);
}

void p9c_put(struct p9_client *c, struct p9_creq *req)
{
	uint32_t fid;

	if (!req)
		return;
	pthread_mutex_lock(&c->lock);
	fid = req_unref_locked(c, req);
	pthread_mutex_unlock(&c->lock);
	p9c_fid_free(c, fid);
}

/* A request with a free tag and buffers, two references (owner, tag table), receiving an
 * Rread into dst (dstlen bytes asked) when dst is not NULL. Waits for a tag while all are
 * in use, within the timeout. */
static int req_get(struct p9_client *c, void *dst, size_t dstlen, struct p9_creq **out)
{
	int64_t deadline = now_ms() + timeout_of(c);
	struct timespec ts = deadline_ts(deadline);
	struct p9_creq *r;
	unsigned tag = 0, i;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		if (c->broken || c->closing) {
			pthread_mutex_unlock(&c->lock);
			return -EIO;
		}
		for (i = 0; i < P9C_MAXTAGS; i++) {
			tag = (c->next_tag + i) % P9C_MAXTAGS;
			if (!c->tags[tag])
				break;
		}
		if (i < P9C_MAXTAGS) {
			c->next_tag = tag + 1;
			break;
		}
		if (pthread_cond_timedwait(&c->tagfree, &c->lock, &ts) == ETIMEDOUT) {
			pthread_mutex_unlock(&c->lock);
			return -EIO;
		}
	}
	r = c->pool;
	if (r) {
		c->pool = r->next_free;
	} else {
		pthread_condattr_t ca;

		r = vl_zalloc(sizeof(*r));
		if (r) {
			r->tx = vl_malloc(c->msize);
			r->rx = vl_malloc(c->msize);
		}
		if (!r || !r->tx || !r->rx) {
			if (r) {
				vl_free(r->tx);
				vl_free(r->rx);
				vl_free(r);
			}
			pthread_mutex_unlock(&c->lock);
			return -ENOMEM;
		}
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&r->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	r->tag = (uint16_t)tag;
	r->refs = 2;
	r->done = false;
	r->err = 0;
	r->rxlen = 0;
	r->clunk_fid = P9_NOFID;
	r->dst = dst;
	r->dstlen = dstlen;
	r->dst_busy = false;
	r->direct = false;
	r->rxcount = 0;
	c->tags[tag] = r;
	c->nrequests++;
	__atomic_fetch_add(&requests_total, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->lock);
	*out = r;
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A Twrite's header alone into req->tx, sized for its payload, which goes out from the
 * caller's buffer (a copy into tx would cost as much as sending it). Its wire layout:
 * size[4] type[1] tag[2] fid[4] offset[8] count[4] data[count]. */
static long twrite_header(struct p9_client *c, struct p9_creq *req, const struct p9_fcall *t)
{
	struct p9_fcall h = *t;
	long n;

	h.u.twrite.count = 0;
	h.u.twrite.data = NULL;
	n = p9_encode(&h, req->tx, c->msize);
	if (n < 0)
		return n;
	if ((uint64_t)n + t->u.twrite.count > c->msize)
		return -EMSGSIZE;
	put_le32(req->tx, (uint32_t)n + t->u.twrite.count);
	put_le32(req->tx + n - 4, t->u.twrite.count);
	return n;
}

/* Encode t into req's buffer and send it. A failed send breaks the connection: part of a
 * frame may be out. */
static int req_send(struct p9_client *c, struct p9_creq *req, struct p9_fcall *t)
{
	struct iovec iov[2];
	int cnt = 1;
	long n;
	int err;

	t->tag = req->tag;
	if (t->type == P9_TWRITE && t->u.twrite.count) {
		n = twrite_header(c, req, t);
		iov[1].iov_base = (void *)t->u.twrite.data;
		iov[1].iov_len = t->u.twrite.count;
		cnt = 2;
	} else {
		n = p9_encode(t, req->tx, c->msize);
	}
	if (n < 0)
		return n == -EMSGSIZE ? -ENAMETOOLONG : (int)n;
	iov[0].iov_base = req->tx;
	iov[0].iov_len = (size_t)n;
	pthread_mutex_lock(&c->wlock);
	err = write_full(c, iov, cnt, now_ms() + timeout_of(c));
	pthread_mutex_unlock(&c->wlock);
	if (err) {
		mark_broken(c);
		return -EIO;
	}
	return 0;
}

/* The owner takes dst back: from now on the reader leaves it alone, and once a claim in
 * progress ends (the connection is broken or about to be: its reads stop at c->stop, or
 * the frame is complete) the memory is the owner's again. lock held. */
static void dst_release_locked(struct p9_client *c, struct p9_creq *req)
{
	req->dst = NULL;
	while (req->dst_busy)
		pthread_cond_wait(&req->cond, &c->lock);
}

/* Take an unsent request back out of the tag table. */
static void req_cancel(struct p9_client *c, struct p9_creq *req)
{
	uint32_t fid = P9_NOFID;

	pthread_mutex_lock(&c->lock);
	dst_release_locked(c, req);
	if (!req->done)
		fid = req_complete_locked(c, req, -EIO);
	pthread_mutex_unlock(&c->lock);
	p9c_fid_free(c, fid);
}

/* Best effort: tell the server we gave up on tag (no wait, no tag of its own kept). */
static void send_flush(struct p9_client *c, uint16_t oldtag)
{
	struct p9_fcall t = { .type = P9_TFLUSH, .tag = P9C_MAXTAGS };
	uint8_t buf[16];
	long n;

	t.u.tflush.oldtag = oldtag;
	n = p9_encode(&t, buf, sizeof(buf));
	if (n > 0 && pthread_mutex_trylock(&c->wlock) == 0) {
		(void)write_buf(c, buf, (size_t)n, now_ms() + 10);
		pthread_mutex_unlock(&c->wlock);
	}
}

static int start(struct p9_client *c, struct p9_fcall *t, void *dst, struct p9_creq **reqp)
{
	struct p9_creq *req;
	int err;

	*reqp = NULL;
	err = req_get(c, dst, dst ? t->u.tread.count : 0, &req);
	if (err)
		return err;
	err = req_send(c, req, t);
	if (err) {
		req_cancel(c, req);
		p9c_put(c, req);
		return err;
	}
	*reqp = req;
	return 0;
}

int p9c_start(struct p9_client *c, struct p9_fcall *t, struct p9_creq **reqp)
{
	return start(c, t, NULL, reqp);
}

int p9c_start_read(struct p9_client *c, struct p9_fcall *t, void *dst, struct p9_creq **reqp)
{
	return start(c, t, t->type == P9_TREAD ? dst : NULL, reqp);
}

static int recv_frame(struct p9_client *c, int64_t deadline);
static void fail_all(struct p9_client *c);

/* The receiver is done with the transport (lock held): let a waiting caller whose answer
 * has not come take over, and the reader thread (or fail_all) know. */
static void pass_turn_locked(struct p9_client *c)
{
	unsigned i;

	c->receiving = false;
	for (i = 0; i < P9C_MAXTAGS; i++) {
		struct p9_creq *r = c->tags[i];

		if (r && r->waiting && !r->done) {
			pthread_cond_signal(&r->cond);
			break;
		}
	}
	pthread_cond_broadcast(&c->rcond);
}

/* The end of a wait (lock held). */
static void wait_end_locked(struct p9_client *c, struct p9_creq *req)
{
	req->waiting = false;
	if (--c->nwaiting == 0)
		pthread_cond_broadcast(&c->rcond);
}

int p9c_wait(struct p9_client *c, struct p9_creq *req, const struct p9_fcall *t, struct p9_fcall *r)
{
	int64_t deadline = now_ms() + timeout_of(c);
	struct timespec ts = deadline_ts(deadline);
	uint8_t *dst;
	bool direct;
	int err;

	pthread_mutex_lock(&c->lock);
	dst = req->dst;
	req->waiting = true;
	c->nwaiting++;
	while (!req->done) {
		if (!c->receiving && !c->broken && !c->closing) {
			/* Nobody is receiving: do it here, rather than have a thread woken to
			 * hand the answer over. A frame the stream cannot survive, or the
			 * deadline passing mid-wait, breaks the connection as in the reader. */
			c->receiving = true;
			pthread_mutex_unlock(&c->lock);
			err = recv_frame(c, deadline);
			pthread_mutex_lock(&c->lock);
			if (err)
				mark_broken_locked(c);
			pass_turn_locked(c);
			if (err) {
				pthread_mutex_unlock(&c->lock);
				fail_all(c);
				pthread_mutex_lock(&c->lock);
			}
			continue;
		}
		if (pthread_cond_timedwait(&req->cond, &c->lock, &ts) == ETIMEDOUT && !req->done) {
			/* Give up: the reply may still come, and will be dropped with the
			 * connection; the request stays in the table until the reader leaves.
			 * The caller's buffer is its own again only once the receiver lets
			 * go. */
			mark_broken_locked(c);
			dst_release_locked(c, req);
			wait_end_locked(c, req);
			pthread_mutex_unlock(&c->lock);
			send_flush(c, req->tag);
			return -EIO;
		}
	}
	wait_end_locked(c, req);
	dst_release_locked(c, req);
	err = req->err;
	direct = req->direct;
	if (direct) {
		/* The reader checked the frame (size, count = what the frame holds, no more
		 * than asked); p9_check_reply below checks it against t again. */
		memset(r, 0, sizeof(*r));
		r->type = P9_RREAD;
		r->tag = req->tag;
		r->u.rread.count = req->rxcount;
		r->u.rread.data = dst;
	}
	pthread_mutex_unlock(&c->lock);
	if (err)
		return err;
	err = direct ? 0 : p9_decode_r(req->rx, req->rxlen, c->msize, r);
	if (err)
		return -EIO;
	if (p9_check_reply(t, r))
		return -EIO;
	if (r->type == P9_RLERROR)
		return -(int)r->u.rlerror.ecode;
	return 0;
}

int p9c_rpc(struct p9_client *c, struct p9_fcall *t, struct p9_fcall *r, struct p9_creq **reqp)
{
	int err = p9c_start(c, t, reqp);

	if (err)
		return err;
	return p9c_wait(c, *reqp, t, r);
}

int p9c_rpc_simple(struct p9_client *c, struct p9_fcall *t, struct p9_fcall *r)
{
	struct p9_creq *req;
	int err = p9c_rpc(c, t, r, &req);

	p9c_put(c, req);
	return err;
}

void p9c_send_async(struct p9_client *c, struct p9_fcall *t, uint32_t clunk_fid)
{
	struct p9_creq *req;

	if (req_get(c, NULL, 0, &req)) {
		p9c_fid_free(c, clunk_fid);
		return;
	}
	req->clunk_fid = clunk_fid; /* freed with the request: after Rclunk, or the break */
	if (req_send(c, req, t))
		req_cancel(c, req);
	p9c_put(c, req);
}

/* ------------------------------------------------------------------ the reader */

/* Fail every request in flight (the connection broke or is closing). */
static void fail_all(struct p9_client *c)
{
	uint32_t fids[P9C_MAXTAGS];
	unsigned i, n = 0;

	pthread_mutex_lock(&c->lock);
	if (!c->broken) {
		c->broken = true;
		wake_reader(c);
	}
	/* A receiver may be filling some request's buffer: it stops at c->stop. */
	while (c->receiving)
		pthread_cond_wait(&c->rcond, &c->lock);
	for (i = 0; i < P9C_MAXTAGS; i++) {
		if (c->tags[i]) {
			uint32_t fid = req_complete_locked(c, c->tags[i], -EIO);

			if (fid != P9_NOFID)
				fids[n++] = fid;
		}
	}
	pthread_cond_broadcast(&c->tagfree);
	pthread_cond_broadcast(&c->rcond);
	pthread_cond_broadcast(&c->rdcond);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n; i++)
		p9c_fid_free(c, fids[i]);
}

/*
 * The rest of req's reply, whose first P9_HDRSZ bytes are in req->rx and whose size field
 * said size (checked against msize). When dst is set (claimed for us by recv_frame: an
 * Rread whose frame holds no more than was asked), the count goes into rx and the rest of
 * the frame straight into dst, in one call; a count that does not fill the frame exactly
 * fails that request (-EIO; the stream stays in step). Anything else goes into rx, for the
 * decoder and p9_check_reply. Then the request is complete. 0, or the transport's error.
 */
static int recv_reply(struct p9_client *c, struct p9_creq *req, uint8_t *dst, size_t size,
		      int64_t deadline)
{
	bool direct = false;
	uint32_t count = 0, fid;
	int err;

	if (dst) {
		struct iovec iov[2] = {
			{ .iov_base = req->rx + P9_HDRSZ, .iov_len = 4 },
			{ .iov_base = dst, .iov_len = size - P9_READ_DATA_OFF },
		};
		const uint8_t *p = req->rx + P9_HDRSZ;

		err = read_iov(c, iov, 2, deadline);
		count = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			(uint32_t)p[3] << 24;
		direct = true;
		pthread_mutex_lock(&c->lock);
		req->dst_busy = false;
		pthread_cond_broadcast(&req->cond);
		pthread_mutex_unlock(&c->lock);
	} else {
		err = read_full(c, req->rx + P9_HDRSZ, size - P9_HDRSZ, deadline);
	}
	if (err)
		return err;
	pthread_mutex_lock(&c->lock);
	req->direct = direct;
	req->rxcount = count;
	req->rxlen = direct ? P9_READ_DATA_OFF : size;
	fid = req_complete_locked(c, req, direct && count != size - P9_READ_DATA_OFF ? -EIO : 0);
	pthread_mutex_unlock(&c->lock);
	p9c_fid_free(c, fid);
	return 0;
}

/* Receive one frame and complete its request; the caller holds the turn (receiving).
 * 0, or <0 when the connection is to be broken. */
static int recv_frame(struct p9_client *c, int64_t deadline)
{
	uint8_t hdr[P9_HDRSZ];
	struct p9_creq *req;
	uint8_t *dst = NULL;
	uint16_t tag;
	long size;
	int err;

	err = read_full(c, hdr, P9_HDRSZ, deadline);
	if (err)
		return err;
	size = p9_frame_size(hdr, c->msize);
	if (size < 0)
		return (int)size;
	tag = (uint16_t)(hdr[5] | hdr[6] << 8);
	pthread_mutex_lock(&c->lock);
	req = tag < P9C_MAXTAGS ? c->tags[tag] : NULL;
	/* An Rread for a read with a destination, whose frame holds no more than was asked:
	 * claim dst, so that its owner cannot take the memory back while we receive into it.
	 * A larger frame goes into rx, for the decoder to reject. */
	if (req && req->dst && hdr[4] == P9_RREAD && size >= P9_READ_DATA_OFF &&
	    (size_t)size - P9_READ_DATA_OFF <= req->dstlen) {
		dst = req->dst;
		req->dst_busy = true;
	}
	pthread_mutex_unlock(&c->lock);
	/* Unknown or already answered: the stream can no longer be trusted. */
	if (!req)
		return -EIO;
	/* req stays in the table (and alive) until completed by the receiver or in
	 * fail_all, which waits for the receiver to let go. */
	memcpy(req->rx, hdr, P9_HDRSZ);
	return recv_reply(c, req, dst, (size_t)size, deadline);
}

/* The reader thread: receives while no caller waits (see internal.h). */
static void *reader_main(void *arg)
{
	struct p9_client *c = arg;
	bool staged;
	int err;

	pthread_setname_np(pthread_self(), "p9c-reader"); /* for profilers and top */
	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (!c->broken && !c->closing && (c->receiving || c->nwaiting)) {
			struct timespec ts = deadline_ts(now_ms() + P9C_READER_NAP_MS);

			pthread_cond_timedwait(&c->rdcond, &c->lock, &ts);
		}
		if (c->broken || c->closing) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		/* Nobody has the turn, so the stage is still. Frames already staged need no
		 * wait; else wait for data without the turn, so that a caller may take it. */
		staged = c->stage_off < c->stage_len;
		pthread_mutex_unlock(&c->lock);
		if (!staged && wait_fd(c, c->rfd, POLLIN, -1))
			break;
		pthread_mutex_lock(&c->lock);
		if (c->broken || c->closing) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		if (c->receiving || c->nwaiting) {
			/* A caller receives it. */
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		c->receiving = true;
		pthread_mutex_unlock(&c->lock);
		err = recv_frame(c, -1);
		pthread_mutex_lock(&c->lock);
		pass_turn_locked(c);
		pthread_mutex_unlock(&c->lock);
		if (err)
			break;
	}
	fail_all(c);
	return NULL;
}

/* ------------------------------------------------------------------ version */

static int negotiate(struct p9_client *c, uint32_t msize)
{
	struct p9_fcall t = { .type = P9_TVERSION, .tag = P9_NOTAG }, r;
	int64_t deadline = now_ms() + timeout_of(c);
	uint8_t *buf = vl_malloc(msize);
	long n, size;
	int err;

	if (!buf)
		return -ENOMEM;
	t.u.version.msize = msize;
	t.u.version.version = p9_str_of(P9_VERSION_L);
	n = p9_encode(&t, buf, msize);
	err = n < 0 ? (int)n : write_buf(c, buf, (size_t)n, deadline);
	if (err)
		goto out;
	err = read_full(c, buf, 4, deadline);
	if (err)
		goto out;
	/* A size beyond what we offered is a version problem, not a transport one. */
	size = p9_frame_size(buf, msize);
	if (size < 0) {
		err = -EREMOTEIO;
		goto out;
	}
	err = read_full(c, buf + 4, (size_t)size - 4, deadline);
	if (err)
		goto out;
	if (p9_decode_r(buf, (size_t)size, msize, &r) || p9_check_rversion(&t, &r)) {
		err = -EREMOTEIO;
		goto out;
	}
	c->msize = r.u.version.msize;
out:
	vl_free(buf);
	if (err && err != -EREMOTEIO && err != -ENOMEM)
		err = -EIO;
	return err;
}

/* ------------------------------------------------------------------ life cycle */

/* Room in a socket for two whole frames, so that a large message goes out in one call
 * instead of a sleep and a wake-up on each side for every default-sized bufferful. Best
 * effort: the kernel caps it (wmem_max, rmem_max), and it fails on a pipe. */
static void sockbuf(int fd, int opt, uint32_t msize)
{
	int want = msize > INT32_MAX / 2 ? INT32_MAX : (int)(2 * msize), have = 0;
	socklen_t len = sizeof(have);

	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) == 0 && have < want)
		setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
}

/* A socket made blocking with a timeout of one quantum on opt (SO_RCVTIMEO/SO_SNDTIMEO);
 * false for anything else, or when the socket refuses (it is then used non-blocking). */
static bool sock_setup(int fd, int opt)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = P9C_QUANTUM_MS * 1000 };
	int type, fl, one = 1;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM)
		return false;
	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)))
		return false;
	/* Fails harmlessly on anything but TCP. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fl = fcntl(fd, F_GETFL);
	return fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0;
}

int p9_client_new(int rfd, int wfd, const struct p9_client_opts *opts, struct p9_client **out)
{
	uint32_t msize = opts && opts->msize ? opts->msize : P9_CLIENT_MSIZE_DEFAULT;
	struct p9_client *c;
	pthread_condattr_t ca;
	int err, fl;

	*out = NULL;
	if (msize < P9_MIN_MSIZE)
		msize = P9_MIN_MSIZE;
	c = vl_zalloc(sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out_fds;
	}
	c->rfd = rfd;
	c->wfd = wfd;
	c->timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : P9_CLIENT_TIMEOUT_MS_DEFAULT;
	c->msize = msize;
	c->stage = vl_malloc(P9C_STAGE);
	if (!c->stage) {
		vl_free(c);
		err = -ENOMEM;
		goto out_fds;
	}
	if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK)) {
		err = -errno;
		vl_free(c->stage);
		vl_free(c);
		goto out_fds;
	}
	/* No call may block past a deadline (see the file comment). */
	c->rsock = sock_setup(rfd, SO_RCVTIMEO);
	c->wsock = sock_setup(wfd, SO_SNDTIMEO);
	if (!c->wsock) {
		fl = fcntl(wfd, F_GETFL);
		if (fl >= 0)
			fcntl(wfd, F_SETFL, fl | O_NONBLOCK);
	}
	if (!c->rsock) {
		fl = fcntl(rfd, F_GETFL);
		if (fl >= 0)
			fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
	}
	sockbuf(wfd, SO_SNDBUF, msize);
	sockbuf(rfd, SO_RCVBUF, msize);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->tagfree, &ca);
	pthread_cond_init(&c->rdcond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&c->rcond, NULL);
	err = negotiate(c, msize);
	if (!err && pthread_create(&c->reader, NULL, reader_main, c))
		err = -EAGAIN;
	if (err) {
		p9_client_destroy(c);
		return err;
	}
	c->reader_started = true;
	*out = c;
	return 0;

out_fds:
	close(rfd);
	if (wfd != rfd)
		close(wfd);
	return err;
}

void p9_client_destroy(struct p9_client *c)
{
	struct p9_creq *r;

	if (!c)
		return;
	/* Let one-way clunks still in flight be answered (briefly), so that a server does
	 * not log our fids as leaked; then no new request may start. */
	pthread_mutex_lock(&c->lock);
	if (c->reader_started && !c->broken) {
		struct timespec ts = deadline_ts(now_ms() + MIN(timeout_of(c), 1000));
		unsigned i;

		for (;;) {
			for (i = 0; i < P9C_MAXTAGS && !c->tags[i]; i++)
				;
			if (i == P9C_MAXTAGS || c->broken ||
			    pthread_cond_timedwait(&c->tagfree, &c->lock, &ts) == ETIMEDOUT)
				break;
		}
	}
	c->closing = true;
	pthread_cond_broadcast(&c->rcond);
	pthread_cond_broadcast(&c->rdcond);
	pthread_mutex_unlock(&c->lock);
	wake_reader(c);
	if (c->reader_started)
		pthread_join(c->reader, NULL);
	else
		fail_all(c);
	while ((r = c->pool)) {
		c->pool = r->next_free;
		req_destroy(r);
	}
	/* Fids still held die with the connection. */
	while (c->nfids) {
		c->nfids--;
		obj_dec(OBJ_FID);
	}
	ida_destroy(&c->fids);
	close(c->rfd);
	if (c->wfd != c->rfd)
		close(c->wfd);
	close(c->wake[0]);
	close(c->wake[1]);
	vl_free(c->stage);
	pthread_cond_destroy(&c->tagfree);
	pthread_cond_destroy(&c->rcond);
	pthread_cond_destroy(&c->rdcond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->wlock);
	vl_free(c);
}

static int dial(int fd, const struct sockaddr *sa, socklen_t len, const struct p9_client_opts *o,
		struct p9_client **out)
{
	if (fd < 0)
		return -errno;
	if (fault_check(FAULT_TRANSPORT)) {
		close(fd);
		return -EIO;
	}
	if (connect(fd, sa, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return p9_client_new(fd, fd, o, out);
}

int p9_client_dial_unix(const char *path, const struct p9_client_opts *opts, struct p9_client **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	return dial(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), (struct sockaddr *)&sa,
		    sizeof(sa), opts, out);
}

int p9_client_dial_tcp(const char *host, uint16_t port, const struct p9_client_opts *opts,
		       struct p9_client **out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG };
	struct addrinfo *ai;
	char ps[8];
	int err;

	*out = NULL;
	/* Only literal addresses and localhost: no resolver traffic from a mount. */
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	else
		hints.ai_flags |= AI_NUMERICHOST;
	snprintf(ps, sizeof(ps), "%u", port);
	if (getaddrinfo(host, ps, &hints, &ai))
		return -EINVAL;
	err = dial(socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), ai->ai_addr,
		   ai->ai_addrlen, opts, out);
	freeaddrinfo(ai);
	return err;
}

uint32_t p9_client_msize(const struct p9_client *c)
{
	return c->msize;
}

bool p9_client_broken(struct p9_client *c)
{
	bool b;

	pthread_mutex_lock(&c->lock);
	b = c->broken;
	pthread_mutex_unlock(&c->lock);
	return b;
}

uint64_t p9_client_nrequests(struct p9_client *c)
{
	uint64_t n;

	pthread_mutex_lock(&c->lock);
	n = c->nrequests;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void p9_client_set_timeout(struct p9_client *c, unsigned timeout_ms)
{
	__atomic_store_n(&c->timeout_ms, timeout_ms ? timeout_ms : P9_CLIENT_TIMEOUT_MS_DEFAULT,
			 __ATOMIC_RELAXED);
}

/* msize less P9_IOHDRSZ, as Linux's client asks: diod refuses any count above it. */
uint32_t p9_client_iounit_read(const struct p9_client *c)
{
	return c->msize - P9_IOHDRSZ;
}

uint32_t p9_client_iounit_write(const struct p9_client *c)
{
	return c->msize - P9_IOHDRSZ;
}
