/*
 * msg_attr.c - the attribute messages: Tgetattr/Rgetattr, Tsetattr, Txattrwalk/Rxattrwalk,
 * Txattrcreate.
 *
 *   Tgetattr      fid[4] request_mask[8]
 *   Rgetattr      valid[8] qid[13] mode[4] uid[4] gid[4] nlink[8] rdev[8] size[8]
 *                 blksize[8] blocks[8] atime_sec[8] atime_nsec[8] mtime_sec[8]
 *                 mtime_nsec[8] ctime_sec[8] ctime_nsec[8] btime_sec[8] btime_nsec[8]
 *                 gen[8] data_version[8]
 *   Tsetattr      fid[4] valid[4] mode[4] uid[4] gid[4] size[8] atime_sec[8]
 *                 atime_nsec[8] mtime_sec[8] mtime_nsec[8]
 *   Txattrwalk    fid[4] newfid[4] name[s]
 *   Rxattrwalk    size[8]
 *   Txattrcreate  fid[4] name[s] attr_size[8] flags[4]
 */
#include "p9/internal.h"

void p9_x_tgetattr(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tgetattr.fid);
	p9_x64(c, &m->u.tgetattr.request_mask);
}

void p9_x_rgetattr(struct p9_cur *c, struct p9_fcall *m)
{
	struct p9_getattr *a = &m->u.rgetattr;

	p9_x64(c, &a->valid);
	p9_xqid(c, &a->qid);
	p9_x32(c, &a->mode);
	p9_x32(c, &a->uid);
	p9_x32(c, &a->gid);
	p9_x64(c, &a->nlink);
	p9_x64(c, &a->rdev);
	p9_x64(c, &a->size);
	p9_x64(c, &a->blksize);
	p9_x64(c, &a->blocks);
	p9_x64(c, &a->atime_sec);
	p9_x64(c, &a->atime_nsec);
	p9_x64(c, &a->mtime_sec);
	p9_x64(c, &a->mtime_nsec);
	p9_x64(c, &a->ctime_sec);
	p9_x64(c, &a->ctime_nsec);
	p9_x64(c, &a->btime_sec);
	p9_x64(c, &a->btime_nsec);
	p9_x64(c, &a->gen);
	p9_x64(c, &a->data_version);
}

void p9_x_tsetattr(struct p9_cur *c, struct p9_fcall *m)
{
	struct p9_setattr *a = &m->u.tsetattr.attr;

	p9_x32(c, &m->u.tsetattr.fid);
	p9_x32(c, &a->valid);
	p9_x32(c, &a->mode);
	p9_x32(c, &a->uid);
	p9_x32(c, &a->gid);
	p9_x64(c, &a->size);
	p9_x64(c, &a->atime_sec);
	p9_x64(c, &a->atime_nsec);
	p9_x64(c, &a->mtime_sec);
	p9_x64(c, &a->mtime_nsec);
}

void p9_x_txattrwalk(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.txattrwalk.fid);
	p9_x32(c, &m->u.txattrwalk.newfid);
	p9_xstr(c, &m->u.txattrwalk.name);
}

void p9_x_rxattrwalk(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x64(c, &m->u.rxattrwalk.size);
}

void p9_x_txattrcreate(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.txattrcreate.fid);
	p9_xstr(c, &m->u.txattrcreate.name);
	p9_x64(c, &m->u.txattrcreate.size);
	p9_x32(c, &m->u.txattrcreate.flags);
}
