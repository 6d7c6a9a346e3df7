/*
 * msg_file.c - the file messages: Tlopen/Rlopen, Tlcreate/Rlcreate, Tread/Rread,
 * Twrite/Rwrite, Treaddir/Rreaddir (and its dirent records), Tfsync, Tlock/Rlock,
 * Tgetlock/Rgetlock, Rstatfs.
 *
 *   Tlopen              fid[4] flags[4]
 *   Rlopen, Rlcreate    qid[13] iounit[4]
 *   Tlcreate            fid[4] name[s] flags[4] mode[4] gid[4]
 *   Tread, Treaddir     fid[4] offset[8] count[4]
 *   Rread, Rreaddir     count[4] data[count]
 *   dirent              qid[13] offset[8] type[1] name[s]
 *   Twrite              fid[4] offset[8] count[4] data[count]
 *   Rwrite              count[4]
 *   Tfsync              fid[4] datasync[4]
 *   Tlock               fid[4] type[1] flags[4] start[8] length[8] proc_id[4] client_id[s]
 *   Rlock               status[1]
 *   Tgetlock            fid[4] type[1] start[8] length[8] proc_id[4] client_id[s]
 *   Rgetlock            type[1] start[8] length[8] proc_id[4] client_id[s]
 *   Rstatfs             type[4] bsize[4] blocks[8] bfree[8] bavail[8] files[8] ffree[8]
 *                       fsid[8] namelen[4]
 */
#include <errno.h>
#include <string.h>

#include "p9/internal.h"

void p9_x_tlopen(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tlopen.fid);
	p9_x32(c, &m->u.tlopen.flags);
}

void p9_x_ropen(struct p9_cur *c, struct p9_fcall *m)
{
	p9_xqid(c, &m->u.ropen.qid);
	p9_x32(c, &m->u.ropen.iounit);
}

void p9_x_tlcreate(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tlcreate.fid);
	p9_xstr(c, &m->u.tlcreate.name);
	p9_x32(c, &m->u.tlcreate.flags);
	p9_x32(c, &m->u.tlcreate.mode);
	p9_x32(c, &m->u.tlcreate.gid);
}

void p9_x_tread(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tread.fid);
	p9_x64(c, &m->u.tread.offset);
	p9_x32(c, &m->u.tread.count);
}

void p9_x_rread(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.rread.count);
	if (!c->err)
		p9_xdata(c, m->u.rread.count, &m->u.rread.data);
}

void p9_x_rreaddir(struct p9_cur *c, struct p9_fcall *m)
{
	struct p9_dirent e;
	size_t off = 0;
	int r;

	p9_x_rread(c, m);
	if (c->enc || c->err)
		return;
	/* No entry may be trusted: walk them all now, so a reader never meets a bad one. */
	while ((r = p9_dirent_next(m->u.rread.data, m->u.rread.count, &off, &e)) == 0)
		;
	if (r < 0)
		p9_cur_fail(c);
}

void p9_x_twrite(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.twrite.fid);
	p9_x64(c, &m->u.twrite.offset);
	p9_x32(c, &m->u.twrite.count);
	if (!c->err)
		p9_xdata(c, m->u.twrite.count, &m->u.twrite.data);
}

void p9_x_rwrite(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.rwrite.count);
}

void p9_x_tfsync(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tfsync.fid);
	p9_x32(c, &m->u.tfsync.datasync);
}

static void xlock(struct p9_cur *c, struct p9_flock *l, bool with_flags)
{
	p9_x8(c, &l->type);
	if (with_flags)
		p9_x32(c, &l->flags);
	p9_x64(c, &l->start);
	p9_x64(c, &l->length);
	p9_x32(c, &l->proc_id);
	p9_xstr(c, &l->client_id);
}

void p9_x_tlock(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tlock.fid);
	xlock(c, &m->u.tlock.lock, true);
}

void p9_x_rlock(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x8(c, &m->u.rlock.status);
}

void p9_x_tgetlock(struct p9_cur *c, struct p9_fcall *m)
{
	p9_x32(c, &m->u.tlock.fid);
	xlock(c, &m->u.tlock.lock, false);
}

void p9_x_rgetlock(struct p9_cur *c, struct p9_fcall *m)
{
	xlock(c, &m->u.tlock.lock, false);
}

void p9_x_rstatfs(struct p9_cur *c, struct p9_fcall *m)
{
	struct p9_statfs *s = &m->u.rstatfs.st;

	p9_x32(c, &s->type);
	p9_x32(c, &s->bsize);
	p9_x64(c, &s->blocks);
	p9_x64(c, &s->bfree);
	p9_x64(c, &s->bavail);
	p9_x64(c, &s->files);
	p9_x64(c, &s->ffree);
	p9_x64(c, &s->fsid);
	p9_x32(c, &s->namelen);
}

/* ------------------------------------------------------------------ dirents */

static void xdirent(struct p9_cur *c, struct p9_dirent *e)
{
	p9_xqid(c, &e->qid);
	p9_x64(c, &e->offset);
	p9_x8(c, &e->type);
	p9_xstr(c, &e->name);
}

size_t p9_dirent_size(const struct p9_dirent *e)
{
	return P9_QID_SIZE + 8 + 1 + 2 + e->name.len;
}

int p9_dirent_put(void *buf, size_t size, size_t *off, const struct p9_dirent *e)
{
	struct p9_cur c = { .wbuf = buf, .len = size, .off = *off, .enc = true };

	if (*off > size)
		return -ENOSPC;
	xdirent(&c, (struct p9_dirent *)e);
	if (c.err)
		return c.err == -EMSGSIZE ? -ENOSPC : c.err;
	*off = c.off;
	return 0;
}

int p9_dirent_next(const void *buf, size_t len, size_t *off, struct p9_dirent *e)
{
	struct p9_cur c = { .rbuf = buf, .len = len, .off = *off };

	if (*off >= len)
		return *off == len ? 1 : -EIO;
	memset(e, 0, sizeof(*e));
	xdirent(&c, e);
	if (c.err)
		return -EIO;
	/* A directory entry names one thing in one directory. */
	if (e->name.len == 0 || memchr(e->name.s, '/', e->name.len))
		return -EIO;
	*off = c.off;
	return 0;
}
