/*
 * p9client.h - a 9P2000.L client: one connection to a server over a transport (a pair of
 * host descriptors, a unix socket or loopback TCP), and one function per message the
 * gofer filesystem needs.
 *
 * Connection. p9_client_new() negotiates the version (exactly "9P2000.L"; msize the
 * smaller of ours and the server's, never below P9_MIN_MSIZE: any problem with Rversion
 * is -EREMOTEIO), then starts a reader thread that matches replies to requests by tag,
 * so any number of threads may have requests in flight at once. Every wait is bounded by
 * the connection's timeout: a request not answered in time gets -EIO, a Tflush is sent
 * for it (best effort) and the connection is marked broken.
 *
 * Trust. Nothing a server sends is trusted: a frame whose size field is below 7 or above
 * msize, a reply whose tag no request is waiting for (unknown, or already answered), a
 * transport error or end of stream, or a timeout breaks the connection: the requests in
 * flight and every later call fail with -EIO. A reply that is well framed but malformed
 * (p9_decode_r, p9_check_reply: counts beyond what was asked or what the frame holds,
 * more qids than names, an Rlerror of 0, bad Rreaddir entries) fails its own request
 * with -EIO. fault_check(FAULT_TRANSPORT) is consulted on every send and receive; an
 * injected fault breaks the connection as a real one would.
 *
 * Fids are allocated by the client, lowest free first from 1 (fid 0 is the attach);
 * each live fid is counted as OBJ_FID. A fid number is reused only after its Tclunk was
 * answered (or the connection broke), so a late reply can never name a new file.
 *
 * Errors: 0 or a count on success; the server's errno (from Rlerror) negated; -EIO as
 * above; -ENOMEM.
 *
 * Thread safety: every function may be called from any thread, concurrently, on the
 * same connection; p9_client_destroy() only once nothing else uses the client.
 */
#ifndef VFSLAB_P9CLIENT_H
#define VFSLAB_P9CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "p9.h"

/* What we offer: the server's limit decides (diod: 64 KiB, ours: P9_SERVER_MSIZE_DEFAULT). */
#define P9_CLIENT_MSIZE_DEFAULT ((4u << 20) + 4096)
#define P9_CLIENT_TIMEOUT_MS_DEFAULT 30000u

struct p9_client_opts {
	uint32_t msize;	     /* the most we offer; 0: P9_CLIENT_MSIZE_DEFAULT */
	unsigned timeout_ms; /* bound on every wait; 0: P9_CLIENT_TIMEOUT_MS_DEFAULT */
};

struct p9_client;

/* A connection over rfd/wfd (host descriptors; the same one for a socket). The client
 * takes ownership of both, even on failure, and closes them when destroyed. */
int p9_client_new(int rfd, int wfd, const struct p9_client_opts *opts, struct p9_client **out);
/* Connect to a unix socket at path, or to TCP host:port (a numeric IPv4 or IPv6 address,
 * or "localhost"), then as p9_client_new. */
int p9_client_dial_unix(const char *path, const struct p9_client_opts *opts,
			struct p9_client **out);
int p9_client_dial_tcp(const char *host, uint16_t port, const struct p9_client_opts *opts,
		       struct p9_client **out);
/* Ends the reader, fails anything still waiting, frees every fid number and closes the
 * transport. Outstanding fids are not clunked (the server drops them with the
 * connection). */
void p9_client_destroy(struct p9_client *c);

uint32_t p9_client_msize(const struct p9_client *c);
/* True once the connection is broken (see above). */
bool p9_client_broken(struct p9_client *c);
/* Requests sent so far (round trips, counting one-way clunks): for benchmarks. */
uint64_t p9_client_nrequests(struct p9_client *c);
/* The same, summed over every client of the process. */
uint64_t p9_client_requests_total(void);
/* Change the timeout (tests use a short one). */
void p9_client_set_timeout(struct p9_client *c, unsigned timeout_ms);

/* The largest read / write payload of one message. */
uint32_t p9_client_iounit_read(const struct p9_client *c);
uint32_t p9_client_iounit_write(const struct p9_client *c);

/* ------------------------------------------------------------------ messages */

/* Tattach: a new fid for the root of aname, as uname / n_uname (P9_NONUNAME for none). */
int p9_client_attach(struct p9_client *c, const char *uname, uint32_t n_uname, const char *aname,
		     uint32_t *fid, struct p9_qid *qid);
/* Twalk from fid through n names (0..P9_MAXWELEM; 0 clones) to a new fid. A walk that
 * stops early is -ENOENT (no fid made). qids may be NULL; else it gets n entries. */
int p9_client_walk(struct p9_client *c, uint32_t fid, unsigned n, const char *const *names,
		   uint32_t *newfid, struct p9_qid *qids);
/* Tclunk, waiting for the answer (its error, e.g. from committing an xattr). The fid is
 * gone either way. */
int p9_client_clunk(struct p9_client *c, uint32_t fid);
/* Tclunk without waiting: for contexts that must not block on the server. */
void p9_client_clunk_async(struct p9_client *c, uint32_t fid);
/* Tremove: the fid is gone either way. */
int p9_client_remove(struct p9_client *c, uint32_t fid);

int p9_client_getattr(struct p9_client *c, uint32_t fid, uint64_t mask, struct p9_getattr *out);
int p9_client_setattr(struct p9_client *c, uint32_t fid, const struct p9_setattr *attr);
int p9_client_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *out);

/* Tlopen fid with P9_DOTL_* flags. */
int p9_client_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid);
/* Tlcreate name in directory fid, which then stands for the new file, open. */
int p9_client_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
		      uint32_t mode, uint32_t gid, struct p9_qid *qid);
/* One Tread / Twrite of at most the iounit: the count moved (0 is end of file). */
ssize_t p9_client_read(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, size_t len);
ssize_t p9_client_write(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
			size_t len);
/* All of len from off (or up to end of file): up to `depth` messages in flight at once. */
ssize_t p9_client_pread_all(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, size_t len);
ssize_t p9_client_pwrite_all(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
			     size_t len);
/* One Treaddir: the raw entries (checked by the decoder) copied into buf; their length. */
ssize_t p9_client_readdir(struct p9_client *c, uint32_t fid, uint64_t cookie, void *buf,
			  size_t len);
int p9_client_fsync(struct p9_client *c, uint32_t fid, bool datasync);

int p9_client_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
		    uint32_t gid, struct p9_qid *qid);
int p9_client_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target,
		      uint32_t gid, struct p9_qid *qid);
int p9_client_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
		    uint32_t major, uint32_t minor, uint32_t gid, struct p9_qid *qid);
int p9_client_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name);
/* Trenameat; a server answering EOPNOTSUPP (diod) gets Trename of fid (the file's own fid,
 * or P9_NOFID when there is none) from then on. */
int p9_client_renameat(struct p9_client *c, uint32_t olddfid, const char *oldname, uint32_t newdfid,
		       const char *newname, uint32_t fid);
/* Tunlinkat; EOPNOTSUPP falls back to a walk and Tremove. */
int p9_client_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, uint32_t flags);
/* Treadlink into buf (no NUL): the target's length, which may exceed len (then only len
 * bytes were copied). */
ssize_t p9_client_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t len);

/* Extended attributes: get (size 0 asks the size), list (names NUL-separated), set (flags
 * XATTR_CREATE / XATTR_REPLACE) and remove, each on a clone of fid. */
ssize_t p9_client_getxattr(struct p9_client *c, uint32_t fid, const char *name, void *buf,
			   size_t size);
ssize_t p9_client_listxattr(struct p9_client *c, uint32_t fid, char *buf, size_t size);
int p9_client_setxattr(struct p9_client *c, uint32_t fid, const char *name, const void *value,
		       size_t size, int flags);
int p9_client_removexattr(struct p9_client *c, uint32_t fid, const char *name);

#endif
