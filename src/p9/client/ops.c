/*
 * ops.c - the 9P client's messages: one function per operation the gofer filesystem
 * needs, each a request built here, sent and checked by conn.c (p9c_rpc), and its reply
 * copied out. Reply strings and data point into the request's buffer, so everything kept
 * is copied before the request is put back.
 *
 * Fallbacks where servers lack a message (diod answers Trenameat and Tunlinkat with
 * EOPNOTSUPP): Trename of the file's own fid, and a walk plus Tremove; the fallback is
 * remembered for the connection.
 */
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include "base/compiler.h"
#include "p9/client/internal.h"

/* Requests of a pipelined read or write in flight at once. */
#define P9C_DEPTH 4

/* ------------------------------------------------------------------ session */

int p9_client_attach(struct p9_client *c, const char *uname, uint32_t n_uname, const char *aname,
		     uint32_t *fid, struct p9_qid *qid)
{
	struct p9_fcall t = { .type = P9_TATTACH }, r;
	uint32_t f = p9c_fid_alloc(c);
	int err;

	if (f == P9_NOFID)
		return -ENOMEM;
	t.u.tattach.fid = f;
	t.u.tattach.afid = P9_NOFID;
	t.u.tattach.uname = p9_str_of(uname ? uname : "");
	t.u.tattach.aname = p9_str_of(aname ? aname : "");
	t.u.tattach.n_uname = n_uname;
	err = p9c_rpc_simple(c, &t, &r);
	if (err) {
		p9c_fid_free(c, f);
		return err;
	}
	if (qid)
		*qid = r.u.rattach.qid;
	*fid = f;
	return 0;
}

int p9_client_walk(struct p9_client *c, uint32_t fid, unsigned n, const char *const *names,
		   uint32_t *newfid, struct p9_qid *qids)
{
	struct p9_fcall t = { .type = P9_TWALK }, r;
	uint32_t nf;
	unsigned i;
	int err;

	if (n > P9_MAXWELEM)
		return -EINVAL;
	nf = p9c_fid_alloc(c);
	if (nf == P9_NOFID)
		return -ENOMEM;
	t.u.twalk.fid = fid;
	t.u.twalk.newfid = nf;
	t.u.twalk.nwname = (uint16_t)n;
	for (i = 0; i < n; i++)
		t.u.twalk.wname[i] = p9_str_of(names[i]);
	err = p9c_rpc_simple(c, &t, &r);
	if (!err && r.u.rwalk.nwqid != n) {
		/* Stopped part way: no fid was made (9P's rule for a short walk). */
		err = -ENOENT;
	}
	if (err) {
		p9c_fid_free(c, nf);
		return err;
	}
	if (qids)
		memcpy(qids, r.u.rwalk.wqid, n * sizeof(*qids));
	*newfid = nf;
	return 0;
}

int p9_client_clunk(struct p9_client *c, uint32_t fid)
{
	struct p9_fcall t = { .type = P9_TCLUNK }, r;
	int err;

	t.u.tfid.fid = fid;
	err = p9c_rpc_simple(c, &t, &r);
	/* The fid is gone whatever the answer; a broken connection drops it too. The
	 * number is reused only now that the server has answered (or cannot any more). */
	p9c_fid_free(c, fid);
	return err;
}

void p9_client_clunk_async(struct p9_client *c, uint32_t fid)
{
	struct p9_fcall t = { .type = P9_TCLUNK };

	t.u.tfid.fid = fid;
	p9c_send_async(c, &t, fid);
}

int p9_client_remove(struct p9_client *c, uint32_t fid)
{
	struct p9_fcall t = { .type = P9_TREMOVE }, r;
	int err;

	t.u.tfid.fid = fid;
	err = p9c_rpc_simple(c, &t, &r);
	p9c_fid_free(c, fid);
	return err;
}

/* ------------------------------------------------------------------ attributes */

int p9_client_getattr(struct p9_client *c, uint32_t fid, uint64_t mask, struct p9_getattr *out)
{
	struct p9_fcall t = { .type = P9_TGETATTR }, r;
	int err;

	t.u.tgetattr.fid = fid;
	t.u.tgetattr.request_mask = mask;
	err = p9c_rpc_simple(c, &t, &r);
	if (!err)
		*out = r.u.rgetattr;
	return err;
}

int p9_client_setattr(struct p9_client *c, uint32_t fid, const struct p9_setattr *attr)
{
	struct p9_fcall t = { .type = P9_TSETATTR }, r;

	t.u.tsetattr.fid = fid;
	t.u.tsetattr.attr = *attr;
	return p9c_rpc_simple(c, &t, &r);
}

int p9_client_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *out)
{
	struct p9_fcall t = { .type = P9_TSTATFS }, r;
	int err;

	t.u.tfid.fid = fid;
	err = p9c_rpc_simple(c, &t, &r);
	if (!err)
		*out = r.u.rstatfs.st;
	return err;
}

/* ------------------------------------------------------------------ files */

int p9_client_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid)
{
	struct p9_fcall t = { .type = P9_TLOPEN }, r;
	int err;

	t.u.tlopen.fid = fid;
	t.u.tlopen.flags = flags;
	err = p9c_rpc_simple(c, &t, &r);
	if (!err && qid)
		*qid = r.u.ropen.qid;
	return err;
}

int p9_client_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
		      uint32_t mode, uint32_t gid, struct p9_qid *qid)
{
	struct p9_fcall t = { .type = P9_TLCREATE }, r;
	int err;

	t.u.tlcreate.fid = fid;
	t.u.tlcreate.name = p9_str_of(name);
	t.u.tlcreate.flags = flags;
	t.u.tlcreate.mode = mode;
	t.u.tlcreate.gid = gid;
	err = p9c_rpc_simple(c, &t, &r);
	if (!err && qid)
		*qid = r.u.ropen.qid;
	return err;
}

static void tread_init(struct p9_fcall *t, uint8_t type, uint32_t fid, uint64_t off, uint32_t count)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->u.tread.fid = fid;
	t->u.tread.offset = off;
	t->u.tread.count = count;
}

/* Copy an Rread / Rreaddir payload out; the decoder and p9_check_reply have bounded
 * count by the frame and by what was asked, which is at most len. An Rread received
 * straight into buf (p9c_start_read) is there already. */
static ssize_t rread_copy(const struct p9_fcall *r, void *buf, size_t len)
{
	size_t n = r->u.rread.count;

	if (n > len)
		return -EIO;
	if (n && r->u.rread.data != buf)
		memcpy(buf, r->u.rread.data, n);
	return (ssize_t)n;
}

ssize_t p9_client_read(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, size_t len)
{
	struct p9_fcall t, r;
	struct p9_creq *req;
	ssize_t n;
	int err;

	tread_init(&t, P9_TREAD, fid, off, (uint32_t)MIN(len, (size_t)p9_client_iounit_read(c)));
	err = p9c_start_read(c, &t, buf, &req);
	if (!err)
		err = p9c_wait(c, req, &t, &r);
	n = err ? err : rread_copy(&r, buf, t.u.tread.count);
	p9c_put(c, req);
	return n;
}

ssize_t p9_client_write(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
			size_t len)
{
	struct p9_fcall t = { .type = P9_TWRITE }, r;
	int err;

	t.u.twrite.fid = fid;
	t.u.twrite.offset = off;
	t.u.twrite.count = (uint32_t)MIN(len, (size_t)p9_client_iounit_write(c));
	t.u.twrite.data = buf;
	err = p9c_rpc_simple(c, &t, &r);
	if (err)
		return err;
	return r.u.rwrite.count;
}

/*
 * Pipelined transfers: messages of the whole iounit (the negotiated msize used fully; the
 * last one what remains), up to P9C_DEPTH in flight, answered in order of issue. A short
 * reply ends the transfer there (what follows is not counted, even if it came); an error
 * after some bytes returns the bytes, as read(2) does.
 */
struct p9c_slot {
	struct p9_fcall t;
	struct p9_creq *req;
	size_t at; /* offset into the caller's buffer */
};

static ssize_t transfer(struct p9_client *c, uint32_t fid, uint64_t off, void *rbuf,
			const void *wbuf, size_t len)
{
	size_t unit = rbuf ? p9_client_iounit_read(c) : p9_client_iounit_write(c);
	struct p9c_slot s[P9C_DEPTH];
	size_t issued = 0, done = 0;
	unsigned head = 0, nin = 0;
	bool stop = false;
	int err = 0;

	while ((issued < len && !stop && !err) || nin) {
		while (issued < len && nin < P9C_DEPTH && !stop && !err) {
			struct p9c_slot *sl = &s[(head + nin) % P9C_DEPTH];
			size_t n = MIN(len - issued, (size_t)unit);

			if (rbuf) {
				tread_init(&sl->t, P9_TREAD, fid, off + issued, (uint32_t)n);
			} else {
				memset(&sl->t, 0, sizeof(sl->t));
				sl->t.type = P9_TWRITE;
				sl->t.u.twrite.fid = fid;
				sl->t.u.twrite.offset = off + issued;
				sl->t.u.twrite.count = (uint32_t)n;
				sl->t.u.twrite.data = (const uint8_t *)wbuf + issued;
			}
			sl->at = issued;
			err = rbuf ? p9c_start_read(c, &sl->t, (uint8_t *)rbuf + issued, &sl->req)
				   : p9c_start(c, &sl->t, &sl->req);
			if (err)
				break;
			issued += n;
			nin++;
		}
		if (!nin)
			break;
		{
			struct p9c_slot *sl = &s[head];
			struct p9_fcall r;
			uint32_t asked = rbuf ? sl->t.u.tread.count : sl->t.u.twrite.count;
			int e = p9c_wait(c, sl->req, &sl->t, &r);
			ssize_t n = 0;

			if (!e && !stop && !err) {
				n = rbuf ? rread_copy(&r, (uint8_t *)rbuf + sl->at, asked)
					 : (ssize_t)r.u.rwrite.count;
				if (n < 0)
					e = (int)n;
			}
			p9c_put(c, sl->req);
			head = (head + 1) % P9C_DEPTH;
			nin--;
			if (stop || err)
				continue;
			if (e) {
				err = e;
				continue;
			}
			done += (size_t)n;
			if ((uint32_t)n < asked)
				stop = true;
		}
	}
	if (done)
		return (ssize_t)done;
	return err;
}

ssize_t p9_client_pread_all(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, size_t len)
{
	return transfer(c, fid, off, buf, NULL, len);
}

ssize_t p9_client_pwrite_all(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
			     size_t len)
{
	return transfer(c, fid, off, NULL, buf, len);
}

ssize_t p9_client_readdir(struct p9_client *c, uint32_t fid, uint64_t cookie, void *buf, size_t len)
{
	struct p9_fcall t, r;
	struct p9_creq *req;
	ssize_t n;
	int err;

	tread_init(&t, P9_TREADDIR, fid, cookie,
		   (uint32_t)MIN(len, (size_t)p9_client_iounit_read(c)));
	err = p9c_rpc(c, &t, &r, &req);
	n = err ? err : rread_copy(&r, buf, t.u.tread.count);
	p9c_put(c, req);
	return n;
}

int p9_client_fsync(struct p9_client *c, uint32_t fid, bool datasync)
{
	struct p9_fcall t = { .type = P9_TFSYNC }, r;

	t.u.tfsync.fid = fid;
	t.u.tfsync.datasync = datasync;
	return p9c_rpc_simple(c, &t, &r);
}

/* ------------------------------------------------------------------ names */

static int make_qid(struct p9_client *c, struct p9_fcall *t, struct p9_qid *qid)
{
	struct p9_fcall r;
	int err = p9c_rpc_simple(c, t, &r);

	if (!err && qid)
		*qid = r.u.rqid.qid;
	return err;
}

int p9_client_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
		    uint32_t gid, struct p9_qid *qid)
{
	struct p9_fcall t = { .type = P9_TMKDIR };

	t.u.tmkdir.dfid = dfid;
	t.u.tmkdir.name = p9_str_of(name);
	t.u.tmkdir.mode = mode;
	t.u.tmkdir.gid = gid;
	return make_qid(c, &t, qid);
}

int p9_client_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target,
		      uint32_t gid, struct p9_qid *qid)
{
	struct p9_fcall t = { .type = P9_TSYMLINK };

	t.u.tsymlink.fid = dfid;
	t.u.tsymlink.name = p9_str_of(name);
	t.u.tsymlink.target = p9_str_of(target);
	t.u.tsymlink.gid = gid;
	return make_qid(c, &t, qid);
}

int p9_client_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
		    uint32_t major, uint32_t minor, uint32_t gid, struct p9_qid *qid)
{
	struct p9_fcall t = { .type = P9_TMKNOD };

	t.u.tmknod.dfid = dfid;
	t.u.tmknod.name = p9_str_of(name);
	t.u.tmknod.mode = mode;
	t.u.tmknod.major = major;
	t.u.tmknod.minor = minor;
	t.u.tmknod.gid = gid;
	return make_qid(c, &t, qid);
}

int p9_client_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name)
{
	struct p9_fcall t = { .type = P9_TLINK }, r;

	t.u.tlink.dfid = dfid;
	t.u.tlink.fid = fid;
	t.u.tlink.name = p9_str_of(name);
	return p9c_rpc_simple(c, &t, &r);
}

static bool flag_get(struct p9_client *c, bool *flag)
{
	bool v;

	pthread_mutex_lock(&c->lock);
	v = *flag;
	pthread_mutex_unlock(&c->lock);
	return v;
}

static void flag_set(struct p9_client *c, bool *flag)
{
	pthread_mutex_lock(&c->lock);
	*flag = true;
	pthread_mutex_unlock(&c->lock);
}

int p9_client_renameat(struct p9_client *c, uint32_t olddfid, const char *oldname, uint32_t newdfid,
		       const char *newname, uint32_t fid)
{
	struct p9_fcall t = { .type = P9_TRENAMEAT }, r;
	uint32_t tmp = P9_NOFID;
	int err;

	if (!flag_get(c, &c->no_renameat)) {
		t.u.trenameat.olddirfid = olddfid;
		t.u.trenameat.oldname = p9_str_of(oldname);
		t.u.trenameat.newdirfid = newdfid;
		t.u.trenameat.newname = p9_str_of(newname);
		err = p9c_rpc_simple(c, &t, &r);
		if (err != -EOPNOTSUPP)
			return err;
		flag_set(c, &c->no_renameat);
	}
	if (fid == P9_NOFID) {
		err = p9_client_walk(c, olddfid, 1, &oldname, &tmp, NULL);
		if (err)
			return err;
		fid = tmp;
	}
	memset(&t, 0, sizeof(t));
	t.type = P9_TRENAME;
	t.u.trename.fid = fid;
	t.u.trename.dfid = newdfid;
	t.u.trename.name = p9_str_of(newname);
	err = p9c_rpc_simple(c, &t, &r);
	if (tmp != P9_NOFID)
		p9_client_clunk_async(c, tmp);
	return err;
}

int p9_client_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, uint32_t flags)
{
	struct p9_fcall t = { .type = P9_TUNLINKAT }, r;
	uint32_t tmp;
	int err;

	if (!flag_get(c, &c->no_unlinkat)) {
		t.u.tunlinkat.dirfid = dfid;
		t.u.tunlinkat.name = p9_str_of(name);
		t.u.tunlinkat.flags = flags;
		err = p9c_rpc_simple(c, &t, &r);
		if (err != -EOPNOTSUPP)
			return err;
		flag_set(c, &c->no_unlinkat);
	}
	err = p9_client_walk(c, dfid, 1, &name, &tmp, NULL);
	if (err)
		return err;
	return p9_client_remove(c, tmp);
}

ssize_t p9_client_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t len)
{
	struct p9_fcall t = { .type = P9_TREADLINK }, r;
	struct p9_creq *req;
	ssize_t n;
	int err;

	t.u.tfid.fid = fid;
	err = p9c_rpc(c, &t, &r, &req);
	if (err) {
		n = err;
	} else {
		n = r.u.rreadlink.target.len;
		memcpy(buf, r.u.rreadlink.target.s, MIN((size_t)n, len));
	}
	p9c_put(c, req);
	return n;
}

/* ------------------------------------------------------------------ xattrs */

/* Txattrwalk name ("" lists) on a clone of fid, then read the value into buf. */
static ssize_t xattr_read(struct p9_client *c, uint32_t fid, const char *name, void *buf,
			  size_t size)
{
	struct p9_fcall t = { .type = P9_TXATTRWALK }, r;
	uint32_t nf = p9c_fid_alloc(c);
	uint64_t total, got = 0;
	ssize_t n;
	int err;

	if (nf == P9_NOFID)
		return -ENOMEM;
	t.u.txattrwalk.fid = fid;
	t.u.txattrwalk.newfid = nf;
	t.u.txattrwalk.name = p9_str_of(name);
	err = p9c_rpc_simple(c, &t, &r);
	if (err) {
		p9c_fid_free(c, nf);
		return err;
	}
	total = r.u.rxattrwalk.size;
	if (total > 65536 * 16) {
		err = -EIO; /* more than any xattr can hold: a lying server */
	} else if (size == 0) {
		n = (ssize_t)total;
	} else if (total > size) {
		err = -ERANGE;
	} else {
		while (got < total) {
			n = p9_client_read(c, nf, got, (uint8_t *)buf + got, (size_t)(total - got));
			if (n <= 0) {
				err = n < 0 ? (int)n : -EIO;
				break;
			}
			got += (uint64_t)n;
		}
		n = (ssize_t)got;
	}
	p9_client_clunk_async(c, nf);
	return err ? err : n;
}

ssize_t p9_client_getxattr(struct p9_client *c, uint32_t fid, const char *name, void *buf,
			   size_t size)
{
	if (!name[0])
		return -EINVAL;
	return xattr_read(c, fid, name, buf, size);
}

ssize_t p9_client_listxattr(struct p9_client *c, uint32_t fid, char *buf, size_t size)
{
	return xattr_read(c, fid, "", buf, size);
}

/* Txattrcreate on a clone, the value written, then Tclunk commits (its error counts). */
static int xattr_write(struct p9_client *c, uint32_t fid, const char *name, const void *value,
		       size_t size, int flags)
{
	struct p9_fcall t = { .type = P9_TXATTRCREATE }, r;
	uint32_t nf;
	size_t done = 0;
	ssize_t n;
	int err;

	err = p9_client_walk(c, fid, 0, NULL, &nf, NULL);
	if (err)
		return err;
	t.u.txattrcreate.fid = nf;
	t.u.txattrcreate.name = p9_str_of(name);
	t.u.txattrcreate.size = size;
	t.u.txattrcreate.flags = (uint32_t)flags;
	err = p9c_rpc_simple(c, &t, &r);
	while (!err && done < size) {
		n = p9_client_write(c, nf, done, (const uint8_t *)value + done, size - done);
		if (n <= 0)
			err = n < 0 ? (int)n : -EIO;
		else
			done += (size_t)n;
	}
	if (err) {
		p9_client_clunk_async(c, nf);
		return err;
	}
	return p9_client_clunk(c, nf);
}

int p9_client_setxattr(struct p9_client *c, uint32_t fid, const char *name, const void *value,
		       size_t size, int flags)
{
	return xattr_write(c, fid, name, value, size, flags);
}

int p9_client_removexattr(struct p9_client *c, uint32_t fid, const char *name)
{
	/* What Linux's client sends: a zero-sized create with XATTR_REPLACE (so a missing
	 * attribute is ENODATA). */
	return xattr_write(c, fid, name, NULL, 0, XATTR_REPLACE);
}
