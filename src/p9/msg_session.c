/*
 * msg_session.c - the session messages: Tversion/Rversion, Tauth/Rauth, Tattach/Rattach,
 * Tflush/Rflush, Rlerror, Twalk/Rwalk, and the fid-only bodies (Tclunk, Tremove, Tstatfs,
 * Treadlink).
 *
 *   Tversion, Rversion  msize[4] version[s]
 *   Tauth               afid[4] uname[s] aname[s] n_uname[4]
 *   Rauth               aqid[13]
 *   Tattach             fid[4] afid[4] uname[s] aname[s] n_uname[4]
 *   Rattach             qid[13]
 *   Tflush              oldtag[2]
 *   Rlerror             ecode[4]            (0 and >= 4096 are not errnos: rejected)
 *   Twalk               fid[4] newfid[4] nwname[2] nwname*(wname[s])   (nwname <= 16)
 *   Rwalk               nwqid[2] nwqid*(qid[13])                        (nwqid <= 16)
 *   Tclunk, Tremove, Tstatfs, Treadlink   fid[4]
 */
#include "p9/internal.h"

void p9_x_version(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.version.msize);
	p9_xstr(c, &m->u.version.version);
}

void p9_x_tauth(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tauth.afid);
	p9_xstr(c, &m->u.tauth.uname);
	p9_xstr(c, &m->u.tauth.aname);
	p9_x32(c, &m->u.tauth.n_uname);
}

void p9_x_rauth(struct p9_cur *c, struct p9_fcall *m)
{
	p9_xqid(c, &m->u.rauth.qid);
}

void p9_x_tattach(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tattach.fid);
	p9_x32(c, &m->u.tattach.afid);
	p9_xstr(c, &m->u.tattach.uname);
	p9_xstr(c, &m->u.tattach.aname);
	p9_x32(c, &m->u.tattach.n_uname);
}

void p9_x_rattach(struct p9_cur *c, struct p9_fcall *m)
{
	p9_xqid(c, &m->u.rattach.qid);
}

void p9_x_tflush(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x16(c, &m->u.tflush.oldtag);
}

void p9_x_rlerror(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.rlerror.ecode);
	if (!c->err && (m->u.rlerror.ecode == 0 || m->u.rlerror.ecode >= 4096))
		p9_cur_fail(c);
}

void p9_x_twalk(struct p9_cur *c, struct p9_fcall *m)
{
	unsigned i;

	p9_x32(c, &m->u.twalk.fid);
	p9_x32(c, &m->u.twalk.newfid);
	p9_x16(c, &m->u.twalk.nwname);
	if (c->err)
		return;
	if (m->u.twalk.nwname > P9_MAXWELEM) {
		p9_cur_fail(c);
		return;
	}
	for (i = 0; i < m->u.twalk.nwname; i++)
		p9_xstr(c, &m->u.twalk.wname[i]);
}

void p9_x_rwalk(struct p9_cur *c, struct p9_fcall *m)
{
	unsigned i;

	p9_x16(c, &m->u.rwalk.nwqid);
	if (c->err)
		return;
	if (m->u.rwalk.nwqid > P9_MAXWELEM) {
		p9_cur_fail(c);
		return;
	}
	for (i = 0; i < m->u.rwalk.nwqid; i++)
		p9_xqid(c, &m->u.rwalk.wqid[i]);
}

void p9_x_tfid(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tfid.fid);
}
