/*
 * msg_name.c - the namespace messages: Tsymlink, Tmknod, Tmkdir (and their Rqid replies),
 * Trename, Treadlink's Rreadlink, Tlink, Trenameat, Tunlinkat.
 *
 *   Tsymlink            fid[4] name[s] symtgt[s] gid[4]
 *   Tmknod              dfid[4] name[s] mode[4] major[4] minor[4] gid[4]
 *   Tmkdir              dfid[4] name[s] mode[4] gid[4]
 *   Rsymlink, Rmknod, Rmkdir   qid[13]
 *   Trename             fid[4] dfid[4] name[s]
 *   Rreadlink           target[s]
 *   Tlink               dfid[4] fid[4] name[s]
 *   Trenameat           olddirfid[4] oldname[s] newdirfid[4] newname[s]
 *   Tunlinkat           dirfd[4] name[s] flags[4]
 */
#include "p9/internal.h"

void p9_x_tsymlink(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tsymlink.fid);
	p9_xstr(c, &m->u.tsymlink.name);
	p9_xstr(c, &m->u.tsymlink.target);
	p9_x32(c, &m->u.tsymlink.gid);
}

void p9_x_rqid(struct p9_cur *c, struct p9_fcall *m)
{
	p9_xqid(c, &m->u.rqid.qid);
}

void p9_x_tmknod(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tmknod.dfid);
	p9_xstr(c, &m->u.tmknod.name);
	p9_x32(c, &m->u.tmknod.mode);
	p9_x32(c, &m->u.tmknod.major);
	p9_x32(c, &m->u.tmknod.minor);
	p9_x32(c, &m->u.tmknod.gid);
}

void p9_x_trename(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.trename.fid);
	p9_x32(c, &m->u.trename.dfid);
	p9_xstr(c, &m->u.trename.name);
}

void p9_x_rreadlink(struct p9_cur *c, struct p9_fcall *m)
{
	p9_xstr(c, &m->u.rreadlink.target);
}

void p9_x_tlink(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tlink.dfid);
	p9_x32(c, &m->u.tlink.fid);
	p9_xstr(c, &m->u.tlink.name);
}

void p9_x_tmkdir(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tmkdir.dfid);
	p9_xstr(c, &m->u.tmkdir.name);
	p9_x32(c, &m->u.tmkdir.mode);
	p9_x32(c, &m->u.tmkdir.gid);
}

void p9_x_trenameat(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.trenameat.olddirfid);
	p9_xstr(c, &m->u.trenameat.oldname);
	p9_x32(c, &m->u.trenameat.newdirfid);
	p9_xstr(c, &m->u.trenameat.newname);
}

void p9_x_tunlinkat(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tunlinkat.dirfid);
	p9_xstr(c, &m->u.tunlinkat.name);
	p9_x32(c, &m->u.tunlinkat.flags);
}
