/*
 * internal.h - private to src/p9: the codec's cursor and the per-message transfer
 * functions, grouped by the file that defines them.
 *
 * One function per message moves its body both ways: a cursor in encode mode reads the
 * fields of the struct p9_fcall and writes bytes, in decode mode it reads bytes and fills
 * the fields. Encoding and decoding therefore cannot disagree about a layout. A cursor
 * never touches a byte outside [0, len): the first failure is latched in err (-EMSGSIZE
 * when encoding, -EIO when decoding) and every later transfer is a no-op.
 */
#ifndef VFSLAB_P9_INTERNAL_H
#define VFSLAB_P9_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfslab/p9.h"

struct p9_cur {
	uint8_t *wbuf;	     /* encoding: the output */
	const uint8_t *rbuf; /* decoding: the input */
	size_t len;
	size_t off;
	bool enc;
	int err;
};

/* codec.c: primitives. On decode they store into *v; on encode they read *v. */
void p9_x8(struct p9_cur *c, uint8_t *v);
void p9_x16(struct p9_cur *c, uint16_t *v);
void p9_x32(struct p9_cur *c, uint32_t *v);
void p9_x64(struct p9_cur *c, uint64_t *v);
/* A string: decoding rejects a NUL byte inside it. */
void p9_xstr(struct p9_cur *c, struct p9_str *s);
void p9_xqid(struct p9_cur *c, struct p9_qid *q);
/* count bytes of data: decoding points *data into the frame. */
void p9_xdata(struct p9_cur *c, uint32_t count, const uint8_t **data);
/* Latch a decoding error (-EIO) or an encoding one (-EINVAL). */
void p9_cur_fail(struct p9_cur *c);

typedef void (*p9_xfer_fn)(struct p9_cur *c, struct p9_fcall *m);

/* msg_session.c: version auth attach flush lerror walk clunk remove. */
void p9_x_version(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tauth(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rauth(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tattach(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rattach(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tflush(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rlerror(struct p9_cur *c, struct p9_fcall *m);
void p9_x_twalk(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rwalk(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tfid(struct p9_cur *c, struct p9_fcall *m);
void p9_x_empty(struct p9_cur *c, struct p9_fcall *m);

/* msg_file.c: lopen lcreate read write readdir fsync lock getlock statfs. */
void p9_x_tlopen(struct p9_cur *c, struct p9_fcall *m);
void p9_x_ropen(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tlcreate(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tread(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rread(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rreaddir(struct p9_cur *c, struct p9_fcall *m);
void p9_x_twrite(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rwrite(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tfsync(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tlock(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rlock(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tgetlock(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rgetlock(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rstatfs(struct p9_cur *c, struct p9_fcall *m);

/* msg_attr.c: getattr setattr xattrwalk xattrcreate. */
void p9_x_tgetattr(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rgetattr(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tsetattr(struct p9_cur *c, struct p9_fcall *m);
void p9_x_txattrwalk(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rxattrwalk(struct p9_cur *c, struct p9_fcall *m);
void p9_x_txattrcreate(struct p9_cur *c, struct p9_fcall *m);

/* msg_name.c: symlink mknod rename readlink link mkdir renameat unlinkat. */
void p9_x_tsymlink(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rqid(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tmknod(struct p9_cur *c, struct p9_fcall *m);
void p9_x_trename(struct p9_cur *c, struct p9_fcall *m);
void p9_x_rreadlink(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tlink(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tmkdir(struct p9_cur *c, struct p9_fcall *m);
void p9_x_trenameat(struct p9_cur *c, struct p9_fcall *m);
void p9_x_tunlinkat(struct p9_cur *c, struct p9_fcall *m);

#endif
