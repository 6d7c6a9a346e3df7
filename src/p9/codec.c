/*
 * codec.c - 9P2000.L framing and the primitive transfers: little-endian integers,
 * counted strings, qids and data, all bounds-checked against the frame.
 *
 * Invariant: a cursor never reads or writes outside [0, len). Decoding trusts nothing:
 * the size field must equal the frame length and lie in [7, msize], every count is
 * checked against the bytes that remain, and a frame must be consumed exactly.
 */
#include <errno.h>
#include <string.h>

#include "p9/internal.h"

/* ------------------------------------------------------------------ primitives */

void p9_cur_fail(struct p9_cur *c)
{
	if (!c->err)
		c->err = c->enc ? -EINVAL : -EIO;
}

/* Room for n more bytes, or the error latched. */
static bool room(struct p9_cur *c, size_t n)
{
	if (c->err)
		return false;
	if (n > c->len - c->off) {
		c->err = c->enc ? -EMSGSIZE : -EIO;
		return false;
	}
	return true;
}

static void xint(struct p9_cur *c, uint64_t *v, unsigned n)
{
	unsigned i;

	if (!room(c, n))
		return;
	if (c->enc) {
		for (i = 0; i < n; i++)
			c->wbuf[c->off + i] = (uint8_t)(*v >> (8 * i));
	} else {
		*v = 0;
		for (i = 0; i < n; i++)
			*v |= (uint64_t)c->rbuf[c->off + i] << (8 * i);
	}
	c->off += n;
}

void p9_x8(struct p9_cur *c, uint8_t *v)
{
	uint64_t x = *v;

	xint(c, &x, 1);
	if (!c->enc && !c->err)
		*v = (uint8_t)x;
}

void p9_x16(struct p9_cur *c, uint16_t *v)
{
	uint64_t x = *v;

	xint(c, &x, 2);
	if (!c->enc && !c->err)
		*v = (uint16_t)x;
}

void p9_x32(struct p9_cur *c, uint32_t *v)
{
	uint64_t x = *v;

	xint(c, &x, 4);
	if (!c->enc && !c->err)
		*v = (uint32_t)x;
}

void p9_x64(struct p9_cur *c, uint64_t *v)
{
	xint(c, v, 8);
}

void p9_xdata(struct p9_cur *c, uint32_t count, const uint8_t **data)
{
	if (c->enc && count && !*data) {
		p9_cur_fail(c);
		return;
	}
	if (!room(c, count))
		return;
	if (c->enc) {
		/* memmove: a server may have read the data into the frame already. */
		if (count && *data != c->wbuf + c->off)
			memmove(c->wbuf + c->off, *data, count);
	} else {
		*data = c->rbuf + c->off;
	}
	c->off += count;
}

void p9_xstr(struct p9_cur *c, struct p9_str *s)
{
	const uint8_t *p = (const uint8_t *)s->s;

	p9_x16(c, &s->len);
	if (c->enc && s->len && !p) {
		p9_cur_fail(c);
		return;
	}
	p9_xdata(c, s->len, &p);
	if (c->enc || c->err)
		return;
	if (memchr(p, '\0', s->len)) {
		p9_cur_fail(c);
		return;
	}
	s->s = s->len ? (const char *)p : "";
}

void p9_xqid(struct p9_cur *c, struct p9_qid *q)
{
	p9_x8(c, &q->type);
	p9_x32(c, &q->version);
	p9_x64(c, &q->path);
}

void p9_x_empty(struct p9_cur *c, struct p9_fcall *m)
{
	(void)c;
	(void)m;
}

/* ------------------------------------------------------------------ strings */

struct p9_str p9_str_of(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	struct p9_str r = { .s = s ? s : "", .len = (uint16_t)n };

	if (n > UINT16_MAX)
		r.s = NULL; /* makes p9_encode fail with -EINVAL rather than truncate */
	return r;
}

bool p9_str_eq(struct p9_str a, const char *s)
{
	size_t n = strlen(s);

	return n == a.len && (n == 0 || memcmp(a.s, s, n) == 0);
}

/* ------------------------------------------------------------------ the message table */

struct p9_desc {
	const char *name;
	p9_xfer_fn xfer;
};

static const struct p9_desc descs[256] = {
	[P9_RLERROR] = { "Rlerror", p9_x_rlerror },
	[P9_TSTATFS] = { "Tstatfs", p9_x_tfid },
	[P9_RSTATFS] = { "Rstatfs", p9_x_rstatfs },
	[P9_TLOPEN] = { "Tlopen", p9_x_tlopen },
	[P9_RLOPEN] = { "Rlopen", p9_x_ropen },
	[P9_TLCREATE] = { "Tlcreate", p9_x_tlcreate },
	[P9_RLCREATE] = { "Rlcreate", p9_x_ropen },
	[P9_TSYMLINK] = { "Tsymlink", p9_x_tsymlink },
	[P9_RSYMLINK] = { "Rsymlink", p9_x_rqid },
	[P9_TMKNOD] = { "Tmknod", p9_x_tmknod },
	[P9_RMKNOD] = { "Rmknod", p9_x_rqid },
	[P9_TRENAME] = { "Trename", p9_x_trename },
	[P9_RRENAME] = { "Rrename", p9_x_empty },
	[P9_TREADLINK] = { "Treadlink", p9_x_tfid },
	[P9_RREADLINK] = { "Rreadlink", p9_x_rreadlink },
	[P9_TGETATTR] = { "Tgetattr", p9_x_tgetattr },
	[P9_RGETATTR] = { "Rgetattr", p9_x_rgetattr },
	[P9_TSETATTR] = { "Tsetattr", p9_x_tsetattr },
	[P9_RSETATTR] = { "Rsetattr", p9_x_empty },
	[P9_TXATTRWALK] = { "Txattrwalk", p9_x_txattrwalk },
	[P9_RXATTRWALK] = { "Rxattrwalk", p9_x_rxattrwalk },
	[P9_TXATTRCREATE] = { "Txattrcreate", p9_x_txattrcreate },
	[P9_RXATTRCREATE] = { "Rxattrcreate", p9_x_empty },
	[P9_TREADDIR] = { "Treaddir", p9_x_tread },
	[P9_RREADDIR] = { "Rreaddir", p9_x_rreaddir },
	[P9_TFSYNC] = { "Tfsync", p9_x_tfsync },
	[P9_RFSYNC] = { "Rfsync", p9_x_empty },
	[P9_TLOCK] = { "Tlock", p9_x_tlock },
	[P9_RLOCK] = { "Rlock", p9_x_rlock },
	[P9_TGETLOCK] = { "Tgetlock", p9_x_tgetlock },
	[P9_RGETLOCK] = { "Rgetlock", p9_x_rgetlock },
	[P9_TLINK] = { "Tlink", p9_x_tlink },
	[P9_RLINK] = { "Rlink", p9_x_empty },
	[P9_TMKDIR] = { "Tmkdir", p9_x_tmkdir },
	[P9_RMKDIR] = { "Rmkdir", p9_x_rqid },
	[P9_TRENAMEAT] = { "Trenameat", p9_x_trenameat },
	[P9_RRENAMEAT] = { "Rrenameat", p9_x_empty },
	[P9_TUNLINKAT] = { "Tunlinkat", p9_x_tunlinkat },
	[P9_RUNLINKAT] = { "Runlinkat", p9_x_empty },
	[P9_TVERSION] = { "Tversion", p9_x_version },
	[P9_RVERSION] = { "Rversion", p9_x_version },
	[P9_TAUTH] = { "Tauth", p9_x_tauth },
	[P9_RAUTH] = { "Rauth", p9_x_rauth },
	[P9_TATTACH] = { "Tattach", p9_x_tattach },
	[P9_RATTACH] = { "Rattach", p9_x_rattach },
	[P9_TFLUSH] = { "Tflush", p9_x_tflush },
	[P9_RFLUSH] = { "Rflush", p9_x_empty },
	[P9_TWALK] = { "Twalk", p9_x_twalk },
	[P9_RWALK] = { "Rwalk", p9_x_rwalk },
	[P9_TREAD] = { "Tread", p9_x_tread },
	[P9_RREAD] = { "Rread", p9_x_rread },
	[P9_TWRITE] = { "Twrite", p9_x_twrite },
	[P9_RWRITE] = { "Rwrite", p9_x_rwrite },
	[P9_TCLUNK] = { "Tclunk", p9_x_tfid },
	[P9_RCLUNK] = { "Rclunk", p9_x_empty },
	[P9_TREMOVE] = { "Tremove", p9_x_tfid },
	[P9_RREMOVE] = { "Rremove", p9_x_empty },
};

const char *p9_type_name(uint8_t type)
{
	return descs[type].name;
}

bool p9_type_known(uint8_t type)
{
	return descs[type].xfer != NULL;
}

/* T messages have even types, R messages odd ones (Tlerror, 6, is never sent). */
static bool is_reply(uint8_t type)
{
	return type & 1;
}

/* ------------------------------------------------------------------ framing */

long p9_encode(const struct p9_fcall *m, void *buf, size_t size)
{
	struct p9_cur c = { .wbuf = buf, .len = size, .enc = true };
	/* The transfer functions only read m when encoding. */
	struct p9_fcall *mm = (struct p9_fcall *)m;
	uint32_t sz = 0;

	if (!p9_type_known(m->type))
		return -EINVAL;
	if (c.len > UINT32_MAX)
		c.len = UINT32_MAX;
	p9_x32(&c, &sz);
	p9_x8(&c, &mm->type);
	p9_x16(&c, &mm->tag);
	descs[m->type].xfer(&c, mm);
	if (c.err)
		return c.err;
	sz = (uint32_t)c.off;
	c.off = 0;
	p9_x32(&c, &sz);
	return (long)sz;
}

long p9_frame_size(const void *hdr4, uint32_t msize)
{
	const uint8_t *p = hdr4;
	uint32_t sz =
		(uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	if (sz < P9_HDRSZ || (msize && sz > msize))
		return -EIO;
	return (long)sz;
}

static int decode(const void *buf, size_t len, uint32_t msize, struct p9_fcall *m, bool reply)
{
	struct p9_cur c = { .rbuf = buf, .len = len };
	uint32_t sz = 0;
	long fs;

	memset(m, 0, sizeof(*m));
	if (!buf || len < P9_HDRSZ)
		return -EIO;
	fs = p9_frame_size(buf, msize);
	if (fs < 0 || (size_t)fs != len)
		return -EIO;
	p9_x32(&c, &sz);
	p9_x8(&c, &m->type);
	p9_x16(&c, &m->tag);
	if (!p9_type_known(m->type) || is_reply(m->type) != reply)
		return -EOPNOTSUPP;
	descs[m->type].xfer(&c, m);
	if (c.err)
		return c.err;
	if (c.off != len)
		return -EIO; /* bytes left over: the counts lied */
	return 0;
}

int p9_decode_t(const void *buf, size_t len, uint32_t msize, struct p9_fcall *m)
{
	return decode(buf, len, msize, m, false);
}

int p9_decode_r(const void *buf, size_t len, uint32_t msize, struct p9_fcall *m)
{
	return decode(buf, len, msize, m, true);
}

/* ------------------------------------------------------------------ reply checks */

int p9_check_reply(const struct p9_fcall *t, const struct p9_fcall *r)
{
	if (r->tag != t->tag)
		return -EIO;
	if (r->type == P9_RLERROR)
		return t->type == P9_TVERSION ? -EIO : 0;
	if (r->type != t->type + 1)
		return -EIO;
	switch (t->type) {
	case P9_TWALK:
		if (r->u.rwalk.nwqid > t->u.twalk.nwname)
			return -EIO;
		/* A walk of n names either succeeds, or fails part way with fewer qids. */
		if (t->u.twalk.nwname && r->u.rwalk.nwqid == 0)
			return -EIO;
		break;
	case P9_TREAD:
	case P9_TREADDIR:
		if (r->u.rread.count > t->u.tread.count)
			return -EIO;
		break;
	case P9_TWRITE:
		if (r->u.rwrite.count > t->u.twrite.count)
			return -EIO;
		break;
	default: break;
	}
	return 0;
}

int p9_check_rversion(const struct p9_fcall *t, const struct p9_fcall *r)
{
	if (r->type != P9_RVERSION || r->tag != t->tag)
		return -EREMOTEIO;
	if (r->u.version.version.len != t->u.version.version.len ||
	    memcmp(r->u.version.version.s, t->u.version.version.s, r->u.version.version.len))
		return -EREMOTEIO;
	if (r->u.version.msize < P9_MIN_MSIZE || r->u.version.msize > t->u.version.msize)
		return -EREMOTEIO;
	return 0;
}
