/*
 * check_p9server.c - our 9P2000.L server (src/p9/server/) over the fixture's kernel,
 * driven through a socketpair by frames from our encoder: version negotiation, attach,
 * walks (partial, `..` clamped at the export root, names with '/' refused, symlinks not
 * followed), files and directories made, read, written, listed, renamed, linked and
 * removed, attributes and xattrs, read-only exports, per-attach credentials, requests
 * in flight together and Tflush. Results are checked on the kernel's tree itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/err.h"
#include "helpers.h"
#include "vfslab/p9.h"
#include "vfslab/p9client.h"

#define BUFSZ (1u << 20)

static struct p9_server *srv;
static int cfd = -1;
static uint8_t *obuf, *ibuf;
static struct p9_fcall rep;
static uint16_t next_tag;

/* ------------------------------------------------------------------ a tiny client */

static void send_msg(struct p9_fcall *t)
{
	long n = p9_encode(t, obuf, BUFSZ);
	ssize_t w;

	ck_assert_int_gt(n, 0);
	w = write(cfd, obuf, (size_t)n);
	ck_assert_int_eq(w, n);
}

static void read_full(void *b, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(cfd, (char *)b + got, len - got);

		ck_assert_msg(n > 0, "server closed or timed out");
		got += (size_t)n;
	}
}

/* Receive one reply into rep (strings point into ibuf). */
static void recv_msg(void)
{
	long size;

	read_full(ibuf, 4);
	size = p9_frame_size(ibuf, BUFSZ);
	ck_assert_int_gt(size, 0);
	read_full(ibuf + 4, (size_t)size - 4);
	ck_assert_int_eq(p9_decode_r(ibuf, (size_t)size, 0, &rep), 0);
}

/* One round trip; returns 0 or the Rlerror's -errno, with the reply in rep. */
static int rpc(struct p9_fcall *t)
{
	if (t->type != P9_TVERSION)
		t->tag = next_tag++ % 1000;
	send_msg(t);
	recv_msg();
	ck_assert_uint_eq(rep.tag, t->tag);
	if (rep.type == P9_RLERROR)
		return -(int)rep.u.rlerror.ecode;
	ck_assert_int_eq(p9_check_reply(t, &rep), 0);
	return 0;
}

static int version(uint32_t msize, const char *v)
{
	struct p9_fcall t = { .type = P9_TVERSION, .tag = P9_NOTAG };

	t.u.version.msize = msize;
	t.u.version.version = p9_str_of(v);
	return rpc(&t);
}

static int attach_as(uint32_t fid, uint32_t uid, const char *aname)
{
	struct p9_fcall t = { .type = P9_TATTACH };

	t.u.tattach.fid = fid;
	t.u.tattach.afid = P9_NOFID;
	t.u.tattach.uname = p9_str_of("");
	t.u.tattach.aname = p9_str_of(aname);
	t.u.tattach.n_uname = uid;
	return rpc(&t);
}

/* Walk a '/'-separated list of names ("" for none; names are not split further when
 * given with walk_names). */
static int walk_names(uint32_t fid, uint32_t newfid, unsigned n, const char *const *names)
{
	struct p9_fcall t = { .type = P9_TWALK };
	unsigned i;

	t.u.twalk.fid = fid;
	t.u.twalk.newfid = newfid;
	t.u.twalk.nwname = (uint16_t)n;
	for (i = 0; i < n; i++)
		t.u.twalk.wname[i] = p9_str_of(names[i]);
	return rpc(&t);
}

static int walk1(uint32_t fid, uint32_t newfid, const char *name)
{
	return walk_names(fid, newfid, name ? 1 : 0, &name);
}

static int clunk(uint32_t fid)
{
	struct p9_fcall t = { .type = P9_TCLUNK };

	t.u.tfid.fid = fid;
	return rpc(&t);
}

static int lopen(uint32_t fid, uint32_t flags)
{
	struct p9_fcall t = { .type = P9_TLOPEN };

	t.u.tlopen.fid = fid;
	t.u.tlopen.flags = flags;
	return rpc(&t);
}

static int lcreate(uint32_t fid, const char *name, uint32_t flags, uint32_t mode)
{
	struct p9_fcall t = { .type = P9_TLCREATE };

	t.u.tlcreate.fid = fid;
	t.u.tlcreate.name = p9_str_of(name);
	t.u.tlcreate.flags = flags;
	t.u.tlcreate.mode = mode;
	t.u.tlcreate.gid = (uint32_t)-1;
	return rpc(&t);
}

static int p9read(uint32_t fid, uint64_t off, uint32_t count)
{
	struct p9_fcall t = { .type = P9_TREAD };

	t.u.tread.fid = fid;
	t.u.tread.offset = off;
	t.u.tread.count = count;
	return rpc(&t);
}

static int p9write(uint32_t fid, uint64_t off, const void *data, uint32_t count)
{
	struct p9_fcall t = { .type = P9_TWRITE };

	t.u.twrite.fid = fid;
	t.u.twrite.offset = off;
	t.u.twrite.count = count;
	t.u.twrite.data = data;
	return rpc(&t);
}

static int mkdir9(uint32_t dfid, const char *name, uint32_t mode)
{
	struct p9_fcall t = { .type = P9_TMKDIR };

	t.u.tmkdir.dfid = dfid;
	t.u.tmkdir.name = p9_str_of(name);
	t.u.tmkdir.mode = mode;
	t.u.tmkdir.gid = (uint32_t)-1;
	return rpc(&t);
}

static int getattr(uint32_t fid)
{
	struct p9_fcall t = { .type = P9_TGETATTR };

	t.u.tgetattr.fid = fid;
	t.u.tgetattr.request_mask = P9_GETATTR_ALL;
	return rpc(&t);
}

/* All names of directory fid (opened here through a clone), read count bytes at a time. */
static void list_dir(uint32_t fid, uint32_t count, char *out, size_t size)
{
	struct p9_fcall t = { .type = P9_TREADDIR };
	uint64_t off = 0;
	unsigned rounds = 0;

	out[0] = '\0';
	ck_assert_int_eq(walk1(fid, 900, NULL), 0);
	ck_assert_int_eq(lopen(900, P9_DOTL_RDONLY), 0);
	for (;;) {
		struct p9_dirent e;
		size_t pos = 0;

		t.u.tread.fid = 900;
		t.u.tread.offset = off;
		t.u.tread.count = count;
		ck_assert_int_eq(rpc(&t), 0);
		if (rep.u.rread.count == 0)
			break;
		while (p9_dirent_next(rep.u.rread.data, rep.u.rread.count, &pos, &e) == 0) {
			size_t l = strlen(out);

			if (!p9_str_eq(e.name, ".") && !p9_str_eq(e.name, ".."))
				snprintf(out + l, size - l, "%s%.*s", l ? "," : "", e.name.len,
					 e.name.s);
			off = e.offset;
		}
		ck_assert_uint_lt(++rounds, 1000);
	}
	ck_assert_int_eq(clunk(900), 0);
}

/* ------------------------------------------------------------------ fixture */

static void make_tree(void)
{
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/export", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/export/sub", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/export/pub", 0777));
	ck_assert_ok(vfs_fchmodat(tt, AT_FDCWD, "/export/pub", 0777, 0));
	ck_assert_ok(t_write_file(tt, "/export/file.txt", "hello\n", 0644));
	ck_assert_ok(t_write_file(tt, "/export/sub/inner", "x", 0644));
	ck_assert_ok(t_write_file(tt, "/secret", "top secret", 0600));
	ck_assert_ok(vfs_symlinkat(tt, "/", AT_FDCWD, "/export/esc"));
	ck_assert_ok(vfs_symlinkat(tt, "../..", AT_FDCWD, "/export/up"));
}

/* A server exporting root of the fixture's tree, connected to cfd. */
static void serve_root(const char *root, unsigned flags)
{
	struct p9_server_opts o = { .flags = flags, .workers = 4 };
	struct timeval tv = { .tv_sec = 10 };
	int sv[2];

	obuf = malloc(BUFSZ);
	ibuf = malloc(BUFSZ);
	srv = p9_server_new(tt, root, &o);
	ck_assert_msg(!IS_ERR(srv), "p9_server_new: %ld", PTR_ERR(srv));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(p9_server_serve_fd(srv, sv[0], sv[0]), 0);
	cfd = sv[1];
}

static void start_at(const char *root, unsigned flags)
{
	make_tree();
	serve_root(root, flags);
}

static void start(unsigned flags)
{
	start_at("/export", flags);
}

static void start_session(unsigned flags)
{
	start(flags);
	ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
	ck_assert_int_eq(attach_as(1, 0, ""), 0);
}

static void stop(void)
{
	close(cfd);
	cfd = -1;
	p9_server_destroy(srv);
	srv = NULL;
	free(obuf);
	free(ibuf);
}

/* ------------------------------------------------------------------ tests */

START_TEST(p9server_version)
{
	start(0);
	/* Nothing before Tversion. */
	ck_assert_int_eq(attach_as(1, 0, ""), -EPROTO);
	ck_assert_int_eq(version(65536, "9P2000.u"), 0);
	ck_assert(p9_str_eq(rep.u.version.version, "unknown"));
	ck_assert_int_eq(version(1024, P9_VERSION_L), 0);
	ck_assert(p9_str_eq(rep.u.version.version, "unknown")); /* below 4096 */
	ck_assert_int_eq(version(64u << 20, P9_VERSION_L), 0);
	ck_assert(p9_str_eq(rep.u.version.version, "9P2000.L"));
	ck_assert_uint_eq(rep.u.version.msize, P9_SERVER_MSIZE_DEFAULT); /* clamped */
	ck_assert_int_eq(version(8192, P9_VERSION_L), 0);
	ck_assert_uint_eq(rep.u.version.msize, 8192);
	ck_assert_int_eq(attach_as(1, 0, ""), 0);
	ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTDIR);
	/* An attach fid in use. */
	ck_assert_int_eq(attach_as(1, 0, ""), -EEXIST);
	/* Tversion ends the session: fid 1 is gone. */
	ck_assert_int_eq(version(8192, P9_VERSION_L), 0);
	ck_assert_int_eq(clunk(1), -EBADF);
	/* Tauth: no authentication. */
	{
		struct p9_fcall t = { .type = P9_TAUTH };

		t.u.tauth.afid = 5;
		t.u.tauth.uname = p9_str_of("");
		t.u.tauth.aname = p9_str_of("");
		ck_assert_int_eq(rpc(&t), -ENOENT);
	}
	stop();
}
END_TEST

START_TEST(p9server_attach_aname)
{
	start(0);
	ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
	ck_assert_int_eq(attach_as(1, 0, "/export"), 0); /* diod's clients name the export */
	ck_assert_int_eq(attach_as(2, 0, "sub"), 0);
	ck_assert_int_eq(walk1(2, 3, "inner"), 0);
	ck_assert_int_eq(attach_as(4, 0, "/export/sub/inner"), 0);
	ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTFILE);
	ck_assert_int_eq(attach_as(5, 0, "nope"), -ENOENT);
	ck_assert_int_eq(attach_as(5, 0, "sub/../.."), -EINVAL);
	ck_assert_int_eq(attach_as(5, 0, "esc"), 0); /* the symlink itself, not followed */
	ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTSYMLINK);
	ck_assert_int_eq(walk1(5, 6, "secret"), -ENOTDIR);
	stop();
}
END_TEST

START_TEST(p9server_walk_confined)
{
	const char *up3[] = { "..", "..", ".." }, *upsecret[] = { "..", "secret" };
	const char *partial[] = { "sub", "nope", "x" }, *viaesc[] = { "esc", "secret" };
	const char *many[17];
	struct p9_qid root;
	unsigned i;

	start_session(0);
	ck_assert_int_eq(getattr(1), 0);
	root = rep.u.rgetattr.qid;
	/* `..` at the root stays there. */
	ck_assert_int_eq(walk_names(1, 2, 3, up3), 0);
	ck_assert_uint_eq(rep.u.rwalk.nwqid, 3);
	ck_assert_uint_eq(rep.u.rwalk.wqid[2].path, root.path);
	ck_assert_int_eq(walk_names(1, 3, 2, upsecret), 0);
	ck_assert_uint_eq(rep.u.rwalk.nwqid, 1); /* "secret" is not in the export */
	ck_assert_int_eq(clunk(3), -EBADF);	 /* a partial walk makes no fid */
	/* Through a symlink: never followed. */
	ck_assert_int_eq(walk_names(1, 3, 2, viaesc), 0);
	ck_assert_uint_eq(rep.u.rwalk.nwqid, 1);
	ck_assert_int_eq(walk1(1, 3, "up"), 0);
	ck_assert_uint_eq(rep.u.rwalk.wqid[0].type, P9_QTSYMLINK);
	ck_assert_int_eq(lopen(3, P9_DOTL_RDONLY), -ELOOP);
	ck_assert_int_eq(clunk(3), 0);
	/* Names with '/' and empty names. */
	ck_assert_int_eq(walk1(1, 3, "sub/inner"), -EINVAL);
	ck_assert_int_eq(walk1(1, 3, "../secret"), -EINVAL);
	ck_assert_int_eq(walk1(1, 3, ""), -EINVAL);
	/* Partial walks: the qids so far; an error on the first name is Rlerror. */
	ck_assert_int_eq(walk_names(1, 3, 3, partial), 0);
	ck_assert_uint_eq(rep.u.rwalk.nwqid, 1);
	ck_assert_int_eq(walk1(1, 3, "nope"), -ENOENT);
	ck_assert_int_eq(walk1(1, 3, "file.txt"), 0);
	ck_assert_int_eq(walk1(3, 4, "x"), -ENOTDIR);
	/* A newfid in use, an unknown fid. */
	ck_assert_int_eq(walk1(1, 3, "sub"), -EEXIST);
	ck_assert_int_eq(walk1(77, 78, "sub"), -EBADF);
	/* Walking a fid onto itself. */
	ck_assert_int_eq(walk1(1, 10, NULL), 0);
	ck_assert_int_eq(walk1(10, 10, "sub"), 0);
	ck_assert_int_eq(walk1(10, 10, "inner"), 0);
	ck_assert_int_eq(getattr(10), 0);
	ck_assert_uint_eq(rep.u.rgetattr.size, 1);
	/* 16 names per walk at most (the codec refuses to encode 17; send 16). */
	for (i = 0; i < 16; i++)
		many[i] = i % 2 ? ".." : "sub";
	ck_assert_int_eq(walk_names(1, 11, 16, many), 0);
	ck_assert_uint_eq(rep.u.rwalk.nwqid, 16);
	ck_assert_uint_eq(rep.u.rwalk.wqid[15].path, root.path);
	stop();
}
END_TEST

START_TEST(p9server_read_write_create)
{
	char buf[64];
	struct vfs_stat st;

	start_session(0);
	ck_assert_int_eq(walk1(1, 2, "file.txt"), 0);
	ck_assert_int_eq(p9read(2, 0, 10), -EBADF); /* not open */
	ck_assert_int_eq(lopen(2, P9_DOTL_RDONLY), 0);
	ck_assert_uint_eq(rep.u.ropen.qid.type, P9_QTFILE);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDONLY), -EBUSY);
	ck_assert_int_eq(p9read(2, 0, 100), 0);
	ck_assert_uint_eq(rep.u.rread.count, 6);
	ck_assert_mem_eq(rep.u.rread.data, "hello\n", 6);
	ck_assert_int_eq(p9read(2, 2, 2), 0);
	ck_assert_mem_eq(rep.u.rread.data, "ll", 2);
	ck_assert_int_eq(p9read(2, 6, 10), 0);
	ck_assert_uint_eq(rep.u.rread.count, 0);
	ck_assert_int_eq(p9write(2, 0, "x", 1), -EBADF); /* opened read-only */

	/* Tlcreate: the fid becomes the new file, open. */
	ck_assert_int_eq(walk1(1, 3, NULL), 0);
	ck_assert_int_eq(lcreate(3, "new.txt", P9_DOTL_RDWR, 0640), 0);
	ck_assert_int_eq(p9write(3, 0, "abcdef", 6), 0);
	ck_assert_uint_eq(rep.u.rwrite.count, 6);
	ck_assert_int_eq(p9write(3, 10, "Z", 1), 0);
	ck_assert_int_eq(p9read(3, 0, 100), 0);
	ck_assert_uint_eq(rep.u.rread.count, 11);
	ck_assert_int_eq(t_read_file(tt, "/export/new.txt", buf, sizeof(buf)), 11);
	ck_assert_mem_eq(buf, "abcdef\0\0\0\0Z", 11);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/new.txt", &st, 0));
	ck_assert_uint_eq(st.mode & 07777, 0640); /* no umask: the client applied its own */
	{
		struct p9_fcall t = { .type = P9_TFSYNC };

		t.u.tfsync.fid = 3;
		ck_assert_int_eq(rpc(&t), 0);
		t.u.tfsync.fid = 1;
		ck_assert_int_eq(rpc(&t), -EBADF);
	}
	/* Exclusive create of an existing name; bad names. */
	ck_assert_int_eq(walk1(1, 4, NULL), 0);
	ck_assert_int_eq(lcreate(4, "new.txt", P9_DOTL_RDWR | P9_DOTL_EXCL, 0644), -EEXIST);
	ck_assert_int_eq(lcreate(4, "..", P9_DOTL_RDWR, 0644), -EINVAL);
	ck_assert_int_eq(lcreate(4, "a/b", P9_DOTL_RDWR, 0644), -EINVAL);
	/* Creating through a dangling symlink would be following it: refused. */
	ck_assert_ok(vfs_symlinkat(tt, "/outside", AT_FDCWD, "/export/dangle"));
	ck_assert_int_eq(lcreate(4, "dangle", P9_DOTL_RDWR, 0644), -ELOOP);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/outside", &st, 0), ENOENT);
	ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/export/outside", &st, 0), ENOENT);
	stop();
}
END_TEST

START_TEST(p9server_msize_used_fully)
{
	static char big[200000];
	uint32_t total = 0;
	int fd;

	memset(big, 'q', sizeof(big));
	start(0);
	fd = vfs_openat(tt, AT_FDCWD, "/export/big", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(vfs_write(tt, fd, big, sizeof(big)), sizeof(big));
	vfs_close(tt, fd);
	ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
	ck_assert_int_eq(attach_as(1, 0, ""), 0);
	ck_assert_int_eq(walk1(1, 2, "big"), 0);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDWR), 0);
	ck_assert_int_eq(p9read(2, 0, 1u << 20), 0);
	ck_assert_uint_eq(rep.u.rread.count, 65536 - P9_READ_DATA_OFF);
	while (total < sizeof(big)) {
		ck_assert_int_eq(p9read(2, total, 65536 - P9_IOHDRSZ), 0);
		ck_assert_uint_gt(rep.u.rread.count, 0);
		total += rep.u.rread.count;
	}
	ck_assert_uint_eq(total, sizeof(big));
	/* A write of msize - P9_IOHDRSZ bytes fits a frame. */
	ck_assert_int_eq(p9write(2, 0, big, 65536 - P9_IOHDRSZ), 0);
	ck_assert_uint_eq(rep.u.rwrite.count, 65536 - P9_IOHDRSZ);
	stop();
}
END_TEST

START_TEST(p9server_readdir_cookies)
{
	char names[4096], expect[4096] = "";
	unsigned i;

	start_session(0);
	for (i = 0; i < 40; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/export/pub/entry-%02u", i);
		ck_assert_ok(t_write_file(tt, p, "", 0644));
		snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect), "%sentry-%02u",
			 i ? "," : "", i);
	}
	ck_assert_int_eq(walk1(1, 2, "pub"), 0);
	/* A big buffer, then one just large enough for an entry or two at a time. */
	list_dir(2, 8192, names, sizeof(names));
	ck_assert_str_eq(names, expect);
	list_dir(2, 40, names, sizeof(names));
	ck_assert_str_eq(names, expect);
	list_dir(2, 70, names, sizeof(names));
	ck_assert_str_eq(names, expect);
	/* Too small for any entry; a fid not open; not a directory. */
	ck_assert_int_eq(walk1(2, 3, NULL), 0);
	ck_assert_int_eq(lopen(3, P9_DOTL_RDONLY), 0);
	{
		struct p9_fcall t = { .type = P9_TREADDIR };

		t.u.tread.fid = 3;
		t.u.tread.count = 10;
		ck_assert_int_eq(rpc(&t), -EINVAL);
		t.u.tread.fid = 2;
		t.u.tread.count = 1000;
		ck_assert_int_eq(rpc(&t), -EBADF);
	}
	stop();
}
END_TEST

START_TEST(p9server_names)
{
	struct vfs_stat st;
	char buf[64];

	start_session(0);
	/* mkdir, symlink, mknod, readlink */
	ck_assert_int_eq(mkdir9(1, "d", 0750), 0);
	ck_assert_uint_eq(rep.u.rqid.qid.type, P9_QTDIR);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/d", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0750);
	ck_assert_int_eq(mkdir9(1, "d", 0750), -EEXIST);
	ck_assert_int_eq(mkdir9(1, ".", 0750), -EINVAL);
	{
		struct p9_fcall t = { .type = P9_TSYMLINK };

		t.u.tsymlink.fid = 1;
		t.u.tsymlink.name = p9_str_of("sl");
		t.u.tsymlink.target = p9_str_of("file.txt");
		t.u.tsymlink.gid = (uint32_t)-1;
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_uint_eq(rep.u.rqid.qid.type, P9_QTSYMLINK);
	}
	ck_assert_int_eq(walk1(1, 2, "sl"), 0);
	{
		struct p9_fcall t = { .type = P9_TREADLINK };

		t.u.tfid.fid = 2;
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert(p9_str_eq(rep.u.rreadlink.target, "file.txt"));
		t.u.tfid.fid = 1;
		ck_assert_int_eq(rpc(&t), -EINVAL);
	}
	{
		struct p9_fcall t = { .type = P9_TMKNOD };

		t.u.tmknod.dfid = 1;
		t.u.tmknod.name = p9_str_of("fifo");
		t.u.tmknod.mode = S_IFIFO | 0600;
		t.u.tmknod.gid = (uint32_t)-1;
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/fifo", &st, 0));
		ck_assert(S_ISFIFO(st.mode));
	}
	/* link, rename (by fid: the fid follows), renameat, unlinkat, remove */
	ck_assert_int_eq(walk1(1, 3, "file.txt"), 0);
	{
		struct p9_fcall t = { .type = P9_TLINK };

		t.u.tlink.dfid = 1;
		t.u.tlink.fid = 3;
		t.u.tlink.name = p9_str_of("hard");
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/hard", &st, 0));
		ck_assert_uint_eq(st.nlink, 2);
	}
	ck_assert_int_eq(walk1(1, 4, "d"), 0);
	{
		struct p9_fcall t = { .type = P9_TRENAME };

		t.u.trename.fid = 3;
		t.u.trename.dfid = 4;
		t.u.trename.name = p9_str_of("moved");
		ck_assert_int_eq(rpc(&t), 0);
	}
	ck_assert_ok(t_read_file(tt, "/export/d/moved", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "hello\n");
	ck_assert_int_eq(lopen(3, P9_DOTL_RDONLY), 0); /* reopened by its new name */
	ck_assert_int_eq(p9read(3, 0, 5), 0);
	ck_assert_mem_eq(rep.u.rread.data, "hello", 5);
	ck_assert_int_eq(walk1(4, 5, "moved"), 0);
	{
		struct p9_fcall t = { .type = P9_TRENAMEAT };

		t.u.trenameat.olddirfid = 4;
		t.u.trenameat.oldname = p9_str_of("moved");
		t.u.trenameat.newdirfid = 1;
		t.u.trenameat.newname = p9_str_of("back");
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/back", &st, 0));
		t.u.trenameat.oldname = p9_str_of("..");
		ck_assert_int_eq(rpc(&t), -EINVAL);
	}
	ck_assert_int_eq(lopen(5, P9_DOTL_RDONLY), 0); /* fid 5 followed the Trenameat */
	{
		struct p9_fcall t = { .type = P9_TUNLINKAT };

		t.u.tunlinkat.dirfid = 1;
		t.u.tunlinkat.name = p9_str_of("d");
		t.u.tunlinkat.flags = 0;
		ck_assert_int_eq(rpc(&t), -EISDIR);
		t.u.tunlinkat.flags = P9_DOTL_AT_REMOVEDIR;
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/export/d", &st, 0), ENOENT);
		t.u.tunlinkat.name = p9_str_of("hard");
		t.u.tunlinkat.flags = 0;
		ck_assert_int_eq(rpc(&t), 0);
	}
	ck_assert_int_eq(walk1(1, 6, "fifo"), 0);
	{
		struct p9_fcall t = { .type = P9_TREMOVE };

		t.u.tfid.fid = 6;
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/export/fifo", &st, 0), ENOENT);
		ck_assert_int_eq(clunk(6), -EBADF); /* removed fids are clunked */
		t.u.tfid.fid = 1;
		ck_assert_int_eq(walk1(1, 7, NULL), 0);
		t.u.tfid.fid = 7;
		ck_assert_int_eq(rpc(&t), -EBUSY); /* the export root */
	}
	stop();
}
END_TEST

START_TEST(p9server_attrs)
{
	struct vfs_stat st;
	struct p9_fcall t = { .type = P9_TSETATTR };

	start_session(0);
	ck_assert_int_eq(walk1(1, 2, "file.txt"), 0);
	ck_assert_int_eq(getattr(2), 0);
	ck_assert_uint_eq(rep.u.rgetattr.valid & P9_GETATTR_BASIC, P9_GETATTR_BASIC);
	ck_assert_uint_eq(rep.u.rgetattr.mode, S_IFREG | 0644);
	ck_assert_uint_eq(rep.u.rgetattr.size, 6);
	ck_assert_uint_eq(rep.u.rgetattr.nlink, 1);
	t.u.tsetattr.fid = 2;
	t.u.tsetattr.attr.valid = P9_SETATTR_MODE | P9_SETATTR_SIZE | P9_SETATTR_UID |
				  P9_SETATTR_GID | P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
	t.u.tsetattr.attr.mode = 0600;
	t.u.tsetattr.attr.size = 2;
	t.u.tsetattr.attr.uid = 7;
	t.u.tsetattr.attr.gid = 8;
	t.u.tsetattr.attr.mtime_sec = 1000;
	t.u.tsetattr.attr.mtime_nsec = 5;
	ck_assert_int_eq(rpc(&t), 0);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/file.txt", &st, 0));
	ck_assert_uint_eq(st.mode, S_IFREG | 0600);
	ck_assert_int_eq(st.size, 2);
	ck_assert_uint_eq(st.uid, 7);
	ck_assert_uint_eq(st.gid, 8);
	ck_assert_int_eq(st.mtime_ns, 1000000000005LL);
	ck_assert_int_eq(getattr(2), 0);
	ck_assert_uint_eq(rep.u.rgetattr.mtime_sec, 1000);
	ck_assert_uint_eq(rep.u.rgetattr.mtime_nsec, 5);
	/* statfs, lock, getlock */
	{
		struct p9_fcall s = { .type = P9_TSTATFS };

		s.u.tfid.fid = 1;
		ck_assert_int_eq(rpc(&s), 0);
		ck_assert_uint_eq(rep.u.rstatfs.st.namelen, 255);
		ck_assert_uint_gt(rep.u.rstatfs.st.bsize, 0);
	}
	{
		struct p9_fcall l = { .type = P9_TLOCK };

		l.u.tlock.fid = 2;
		l.u.tlock.lock.type = P9_LOCK_TYPE_WRLCK;
		l.u.tlock.lock.client_id = p9_str_of("me");
		ck_assert_int_eq(rpc(&l), 0);
		ck_assert_uint_eq(rep.u.rlock.status, P9_LOCK_SUCCESS);
		l.type = P9_TGETLOCK;
		l.u.tlock.lock.start = 3;
		ck_assert_int_eq(rpc(&l), 0);
		ck_assert_uint_eq(rep.u.tlock.lock.type, P9_LOCK_TYPE_UNLCK);
		ck_assert_uint_eq(rep.u.tlock.lock.start, 3);
	}
	stop();
}
END_TEST

START_TEST(p9server_xattrs)
{
	char v[32];
	struct p9_fcall t = { .type = P9_TXATTRCREATE };

	start_session(0);
	ck_assert_int_eq(walk1(1, 2, "file.txt"), 0);
	t.u.txattrcreate.fid = 2;
	t.u.txattrcreate.name = p9_str_of("user.color");
	t.u.txattrcreate.size = 4;
	t.u.txattrcreate.flags = 0;
	ck_assert_int_eq(rpc(&t), 0);
	ck_assert_int_eq(p9write(2, 0, "bl", 2), 0);
	ck_assert_int_eq(p9write(2, 2, "ue", 2), 0);
	ck_assert_int_eq(p9write(2, 4, "!", 1), -EINVAL); /* past the declared size */
	ck_assert_int_eq(clunk(2), 0);			  /* the clunk sets it */
	ck_assert_int_eq(
		vfs_getxattrat(tt, AT_FDCWD, "/export/file.txt", "user.color", v, sizeof(v), 0), 4);
	ck_assert_mem_eq(v, "blue", 4);
	/* Read it back, and the list. */
	{
		struct p9_fcall w = { .type = P9_TXATTRWALK };

		w.u.txattrwalk.fid = 1;
		w.u.txattrwalk.newfid = 3;
		w.u.txattrwalk.name = p9_str_of("user.nope");
		ck_assert_int_eq(walk1(1, 4, "file.txt"), 0);
		w.u.txattrwalk.fid = 4;
		ck_assert_int_eq(rpc(&w), -ENODATA);
		w.u.txattrwalk.name = p9_str_of("user.color");
		ck_assert_int_eq(rpc(&w), 0);
		ck_assert_uint_eq(rep.u.rxattrwalk.size, 4);
		ck_assert_int_eq(p9read(3, 0, 100), 0);
		ck_assert_uint_eq(rep.u.rread.count, 4);
		ck_assert_mem_eq(rep.u.rread.data, "blue", 4);
		ck_assert_int_eq(p9read(3, 4, 100), 0);
		ck_assert_uint_eq(rep.u.rread.count, 0);
		ck_assert_int_eq(clunk(3), 0);
		w.u.txattrwalk.name = p9_str_of("");
		ck_assert_int_eq(rpc(&w), 0);
		ck_assert_uint_eq(rep.u.rxattrwalk.size, sizeof("user.color"));
		ck_assert_int_eq(p9read(3, 0, 100), 0);
		ck_assert_mem_eq(rep.u.rread.data, "user.color", sizeof("user.color"));
		ck_assert_int_eq(clunk(3), 0);
	}
	/* A zero-sized create removes. */
	t.u.txattrcreate.fid = 4;
	t.u.txattrcreate.size = 0;
	ck_assert_int_eq(rpc(&t), 0);
	ck_assert_int_eq(clunk(4), 0);
	ck_assert_err(
		vfs_getxattrat(tt, AT_FDCWD, "/export/file.txt", "user.color", v, sizeof(v), 0),
		ENODATA);
	stop();
}
END_TEST

START_TEST(p9server_readonly)
{
	struct p9_fcall t = { .type = P9_TSETATTR };

	start_session(P9_SERVER_RO);
	ck_assert_int_eq(walk1(1, 2, "file.txt"), 0);
	ck_assert_int_eq(walk1(1, 3, NULL), 0);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDWR), -EROFS);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDONLY | P9_DOTL_TRUNC), -EROFS);
	ck_assert_int_eq(lcreate(3, "n", P9_DOTL_RDWR, 0644), -EROFS);
	ck_assert_int_eq(mkdir9(1, "n", 0755), -EROFS);
	t.u.tsetattr.fid = 2;
	t.u.tsetattr.attr.valid = P9_SETATTR_MODE;
	ck_assert_int_eq(rpc(&t), -EROFS);
	{
		struct p9_fcall u = { .type = P9_TUNLINKAT };

		u.u.tunlinkat.dirfid = 1;
		u.u.tunlinkat.name = p9_str_of("file.txt");
		ck_assert_int_eq(rpc(&u), -EROFS);
	}
	{
		struct p9_fcall r = { .type = P9_TREMOVE };

		r.u.tfid.fid = 3;
		ck_assert_int_eq(rpc(&r), -EROFS);
	}
	ck_assert_int_eq(lopen(2, P9_DOTL_RDONLY), 0);
	ck_assert_int_eq(p9read(2, 0, 100), 0);
	ck_assert_uint_eq(rep.u.rread.count, 6);
	ck_assert_int_eq(p9write(2, 0, "x", 1), -EROFS);
	stop();
}
END_TEST

START_TEST(p9server_credentials)
{
	struct vfs_stat st;

	start(0);
	ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
	ck_assert_int_eq(attach_as(1, 1000, ""), 0);
	ck_assert_int_eq(mkdir9(1, "mine", 0755), -EACCES); /* the root is root's 0755 */
	ck_assert_int_eq(walk1(1, 2, "pub"), 0);
	ck_assert_int_eq(mkdir9(2, "mine", 0755), 0);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/pub/mine", &st, 0));
	ck_assert_uint_eq(st.uid, 1000);
	ck_assert_uint_eq(st.gid, 1000);
	/* Another attach on the same connection, as root. */
	ck_assert_int_eq(attach_as(3, 0, ""), 0);
	ck_assert_int_eq(mkdir9(3, "rootdir", 0755), 0);
	/* A numeric uname with no n_uname. */
	{
		struct p9_fcall t = { .type = P9_TATTACH };

		t.u.tattach.fid = 4;
		t.u.tattach.afid = P9_NOFID;
		t.u.tattach.uname = p9_str_of("1001");
		t.u.tattach.aname = p9_str_of("pub");
		t.u.tattach.n_uname = P9_NONUNAME;
		ck_assert_int_eq(rpc(&t), 0);
		ck_assert_int_eq(mkdir9(4, "x1001", 0700), 0);
		ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/pub/x1001", &st, 0));
		ck_assert_uint_eq(st.uid, 1001);
		t.u.tattach.fid = 5;
		t.u.tattach.uname = p9_str_of("alice");
		ck_assert_int_eq(rpc(&t), -EINVAL);
		t.u.tattach.afid = 9;
		t.u.tattach.uname = p9_str_of("");
		ck_assert_int_eq(rpc(&t), -EINVAL);
	}
	/* uid 1001 may not enter 1000's... it is 0755: but cannot write in it. */
	ck_assert_int_eq(walk1(4, 6, "mine"), 0);
	ck_assert_int_eq(mkdir9(6, "no", 0755), -EACCES);
	stop();
}
END_TEST

/* Many requests in flight at once, answered by tag; Tflush. */
START_TEST(p9server_pipelined_and_flush)
{
	struct p9_fcall t = { .type = P9_TREAD };
	bool seen[64] = { false };
	unsigned i, got = 0;

	start_session(0);
	ck_assert_int_eq(walk1(1, 2, "file.txt"), 0);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDONLY), 0);
	for (i = 0; i < 64; i++) {
		t.tag = (uint16_t)(100 + i);
		t.u.tread.fid = 2;
		t.u.tread.offset = i % 6;
		t.u.tread.count = 1;
		send_msg(&t);
	}
	while (got < 64) {
		recv_msg();
		ck_assert_uint_eq(rep.type, P9_RREAD);
		ck_assert_uint_ge(rep.tag, 100);
		ck_assert_uint_lt(rep.tag, 164);
		ck_assert(!seen[rep.tag - 100]);
		seen[rep.tag - 100] = true;
		ck_assert_uint_eq(rep.u.rread.count, 1);
		ck_assert_uint_eq(rep.u.rread.data[0], (uint8_t) "hello\n"[(rep.tag - 100) % 6]);
		got++;
	}
	/* Flush of a tag not in flight: Rflush at once. */
	{
		struct p9_fcall f = { .type = P9_TFLUSH };

		f.u.tflush.oldtag = 999;
		ck_assert_int_eq(rpc(&f), 0);
		ck_assert_uint_eq(rep.type, P9_RFLUSH);
	}
	/* A request followed at once by its flush: either its reply then Rflush, or Rflush
	 * alone (it was dropped from the queue) - never Rflush first. */
	for (i = 0; i < 20; i++) {
		struct p9_fcall f = { .type = P9_TFLUSH, .tag = 501 };
		bool replied = false;

		t.tag = 500;
		send_msg(&t);
		f.u.tflush.oldtag = 500;
		send_msg(&f);
		for (;;) {
			recv_msg();
			if (rep.tag == 500) {
				ck_assert(!replied);
				replied = true;
				continue;
			}
			ck_assert_uint_eq(rep.tag, 501);
			ck_assert_uint_eq(rep.type, P9_RFLUSH);
			break;
		}
	}
	/* The connection still works. */
	ck_assert_int_eq(getattr(2), 0);
	stop();
}
END_TEST

/* Garbage in a well-framed message is answered; a bad size field ends the connection. */
START_TEST(p9server_bad_frames)
{
	uint8_t b[16] = { 9, 0, 0, 0, P9_TCLUNK, 7, 0, 1, 0 };
	ssize_t n;

	start_session(0);
	/* Tclunk with two bytes of its fid: Rlerror EIO for tag 7. */
	ck_assert_int_eq(write(cfd, b, 9), 9);
	recv_msg();
	ck_assert_uint_eq(rep.type, P9_RLERROR);
	ck_assert_uint_eq(rep.tag, 7);
	ck_assert_uint_eq(rep.u.rlerror.ecode, EIO);
	/* An unknown type: EOPNOTSUPP. */
	b[0] = 7;
	b[4] = 112; /* 9P2000's Topen */
	ck_assert_int_eq(write(cfd, b, 7), 7);
	recv_msg();
	ck_assert_uint_eq(rep.u.rlerror.ecode, EOPNOTSUPP);
	ck_assert_int_eq(getattr(1), 0);
	/* size 3: the server hangs up. */
	b[0] = 3;
	ck_assert_int_eq(write(cfd, b, 7), 7);
	n = read(cfd, b, sizeof(b));
	ck_assert_int_le(n, 0); /* EOF, or ECONNRESET: the server left bytes unread */
	for (n = 0; n < 100 && p9_server_nconns(srv); n++)
		usleep(10000);
	ck_assert_uint_eq(p9_server_nconns(srv), 0);
	stop();
}
END_TEST

/* Several connections, and a server destroyed with fids and requests still live. */
START_TEST(p9server_many_connections)
{
	int sv[3][2];
	unsigned i;

	start_session(0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
		ck_assert_int_eq(p9_server_serve_fd(srv, sv[i][0], sv[i][0]), 0);
	}
	ck_assert_uint_eq(p9_server_nconns(srv), 4);
	ck_assert_int_eq(walk1(1, 2, "sub"), 0);
	ck_assert_int_eq(walk1(2, 3, "inner"), 0);
	ck_assert_int_eq(lopen(3, P9_DOTL_RDONLY), 0);
	stop();
	for (i = 0; i < 3; i++)
		close(sv[i][1]);
}
END_TEST

/* ------------------------------------------------------------------ file exports */

/* A regular file exported alone: attach reaches it; walks, anames and every call that
 * names an entry fail, so nothing else of its directory can be reached. */
START_TEST(p9server_file_export_confined)
{
	const char *up[] = { ".." }, *sib[] = { "sub" }, *self[] = { "file.txt" };
	const char *dot[] = { "." }, *empty[] = { "" }, *deep[] = { "..", "secret" };
	const char *const *walks[] = { up, sib, self, dot, deep };
	struct vfs_stat st;
	char buf[64];
	unsigned i;

	start_at("/export/file.txt", 0);
	ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
	ck_assert_int_eq(attach_as(1, 0, ""), 0);
	ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTFILE);
	ck_assert_int_eq(getattr(1), 0);
	ck_assert(S_ISREG(rep.u.rgetattr.mode));
	ck_assert_uint_eq(rep.u.rgetattr.size, 6);
	ck_assert_int_eq(attach_as(2, 0, "/"), 0);
	ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTFILE);
	ck_assert_int_eq(attach_as(3, 0, "/export/file.txt"), 0); /* the export's own path */
	ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTFILE);
	ck_assert_int_eq(attach_as(3, 0, "/export/file.txt/."), -EEXIST); /* fid 3 in use */
	ck_assert_int_eq(clunk(3), 0);
	ck_assert_int_eq(clunk(2), 0);

	/* anames: a sibling, the file's own name, its directory, anything beyond. */
	ck_assert_int_eq(attach_as(4, 0, "sub"), -ENOTDIR);
	ck_assert_int_eq(attach_as(4, 0, "sub/inner"), -ENOTDIR);
	ck_assert_int_eq(attach_as(4, 0, "file.txt"), -ENOTDIR);
	ck_assert_int_eq(attach_as(4, 0, "/export"), -ENOTDIR);
	ck_assert_int_eq(attach_as(4, 0, "/export/sub"), -ENOTDIR);
	ck_assert_int_eq(attach_as(4, 0, "/secret"), -ENOTDIR);
	ck_assert_int_eq(attach_as(4, 0, ".."), -EINVAL);
	ck_assert_int_eq(attach_as(4, 0, "../secret"), -EINVAL);
	ck_assert_int_eq(clunk(4), -EBADF);

	/* Walks: none leaves the file; a walk of no names clones it. */
	for (i = 0; i < sizeof(walks) / sizeof(walks[0]); i++)
		ck_assert_int_eq(walk_names(1, 5, walks[i] == deep ? 2 : 1, walks[i]), -ENOTDIR);
	ck_assert_int_eq(walk_names(1, 5, 1, empty), -EINVAL);
	ck_assert_int_eq(clunk(5), -EBADF);
	ck_assert_int_eq(walk1(1, 5, NULL), 0);
	ck_assert_uint_eq(rep.u.rwalk.nwqid, 0);
	ck_assert_int_eq(walk1(5, 6, ".."), -ENOTDIR);

	/* Calls that name an entry of a directory fid: the file is not one. */
	ck_assert_int_eq(lcreate(5, "new", P9_DOTL_RDWR, 0644), -ENOTDIR);
	ck_assert_int_eq(mkdir9(1, "new", 0755), -ENOTDIR);
	{
		struct p9_fcall t = { .type = P9_TUNLINKAT };

		t.u.tunlinkat.dirfid = 1;
		t.u.tunlinkat.name = p9_str_of("sub");
		t.u.tunlinkat.flags = P9_DOTL_AT_REMOVEDIR;
		ck_assert_int_eq(rpc(&t), -ENOTDIR);
		t.u.tunlinkat.name = p9_str_of("file.txt");
		t.u.tunlinkat.flags = 0;
		ck_assert_int_eq(rpc(&t), -ENOTDIR);
	}
	{
		struct p9_fcall t = { .type = P9_TRENAMEAT };

		t.u.trenameat.olddirfid = 1;
		t.u.trenameat.oldname = p9_str_of("sub");
		t.u.trenameat.newdirfid = 1;
		t.u.trenameat.newname = p9_str_of("gone");
		ck_assert_int_eq(rpc(&t), -ENOTDIR);
	}
	{
		struct p9_fcall t = { .type = P9_TRENAME };

		t.u.trename.fid = 1;
		t.u.trename.dfid = 5;
		t.u.trename.name = p9_str_of("renamed");
		ck_assert_int_eq(rpc(&t), -ENOTDIR);
	}
	{
		struct p9_fcall t = { .type = P9_TLINK };

		t.u.tlink.dfid = 1;
		t.u.tlink.fid = 5;
		t.u.tlink.name = p9_str_of("hard");
		ck_assert_int_eq(rpc(&t), -ENOTDIR);
	}
	{
		struct p9_fcall t = { .type = P9_TREMOVE };

		t.u.tfid.fid = 5;
		ck_assert_int_eq(rpc(&t), -EBUSY);
		ck_assert_int_eq(clunk(5), -EBADF); /* clunked all the same */
	}
	ck_assert_int_eq(lopen(1, P9_DOTL_RDONLY | P9_DOTL_DIRECTORY), -ENOTDIR);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/file.txt", &st, 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/sub", &st, 0));

	/* The file itself is served in full: read, write, truncate, attributes. */
	ck_assert_int_eq(walk1(1, 7, NULL), 0);
	ck_assert_int_eq(lopen(7, P9_DOTL_RDWR), 0);
	ck_assert_int_eq(p9read(7, 0, 100), 0);
	ck_assert_uint_eq(rep.u.rread.count, 6);
	ck_assert_mem_eq(rep.u.rread.data, "hello\n", 6);
	ck_assert_int_eq(p9write(7, 0, "HELLO", 5), 0);
	ck_assert_int_eq(t_read_file(tt, "/export/file.txt", buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "HELLO\n");
	{
		struct p9_fcall t = { .type = P9_TSETATTR };

		t.u.tsetattr.fid = 1;
		t.u.tsetattr.attr.valid = P9_SETATTR_MODE | P9_SETATTR_SIZE;
		t.u.tsetattr.attr.mode = 0600;
		t.u.tsetattr.attr.size = 2;
		ck_assert_int_eq(rpc(&t), 0);
	}
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/file.txt", &st, 0));
	ck_assert_uint_eq(st.mode & 07777, 0600);
	ck_assert_int_eq(st.size, 2);
	{
		struct p9_fcall t = { .type = P9_TREADDIR };

		t.u.tread.fid = 7;
		t.u.tread.count = 4096;
		ck_assert_int_eq(rpc(&t), -ENOTDIR);
	}

	/* The name now something else: a new attach refuses it, an old fid cannot reopen. */
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/export/file.txt", 0));
	ck_assert_ok(vfs_symlinkat(tt, "sub", AT_FDCWD, "/export/file.txt"));
	ck_assert_int_eq(attach_as(8, 0, ""), -ESTALE);
	ck_assert_int_eq(lopen(1, P9_DOTL_RDONLY), -ELOOP);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/export/file.txt", 0));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/export/file.txt", 0755));
	ck_assert_int_eq(attach_as(8, 0, ""), -ESTALE);
	ck_assert_ok(vfs_unlinkat(tt, AT_FDCWD, "/export/file.txt", AT_REMOVEDIR));
	ck_assert_int_eq(attach_as(8, 0, ""), -ENOENT);
	stop();
}
END_TEST

START_TEST(p9server_file_export_readonly)
{
	start_at("/export/file.txt", P9_SERVER_RO);
	ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
	ck_assert_int_eq(attach_as(1, 0, ""), 0);
	ck_assert_int_eq(walk1(1, 2, NULL), 0);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDWR), -EROFS);
	ck_assert_int_eq(lopen(2, P9_DOTL_RDONLY), 0);
	ck_assert_int_eq(p9read(2, 0, 100), 0);
	ck_assert_mem_eq(rep.u.rread.data, "hello\n", 6);
	ck_assert_int_eq(p9write(2, 0, "x", 1), -EROFS);
	{
		struct p9_fcall t = { .type = P9_TREMOVE };

		t.u.tfid.fid = 1;
		ck_assert_int_eq(rpc(&t), -EROFS);
	}
	stop();
}
END_TEST

/* What p9_server_new takes as a root: directories (through symlinks too), regular files
 * by any path form; not a symlink to a file, nor a fifo, nor a missing path. */
START_TEST(p9server_file_export_roots)
{
	const char *ok[] = { "/top", "export/file.txt", "/export/../export/sub/inner",
			     "/export/esc" };
	struct p9_server *s;
	unsigned i;

	make_tree();
	ck_assert_ok(t_write_file(tt, "/top", "top", 0644));
	ck_assert_ok(vfs_symlinkat(tt, "file.txt", AT_FDCWD, "/export/flink"));
	ck_assert_ok(vfs_mknodat(tt, AT_FDCWD, "/export/fifo", S_IFIFO | 0600, 0));
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = p9_server_new(tt, ok[i], NULL);
		ck_assert_msg(!IS_ERR(s), "%s: %ld", ok[i], PTR_ERR(s));
		p9_server_destroy(s);
	}
	ck_assert_err(PTR_ERR(p9_server_new(tt, "/export/flink", NULL)), ELOOP);
	ck_assert_err(PTR_ERR(p9_server_new(tt, "/export/fifo", NULL)), EINVAL);
	ck_assert_err(PTR_ERR(p9_server_new(tt, "/export/nope", NULL)), ENOENT);
	ck_assert_err(PTR_ERR(p9_server_new(tt, "/export/file.txt/", NULL)), ENOTDIR);
	ck_assert_err(PTR_ERR(p9_server_new(tt, "", NULL)), ENOENT);
}
END_TEST

/* A file at the top of the tree and one named relatively are served, not their dirs. */
START_TEST(p9server_file_export_paths)
{
	const char *roots[] = { "/top", "export/file.txt" };
	unsigned i;

	make_tree();
	ck_assert_ok(t_write_file(tt, "/top", "top!", 0644));
	for (i = 0; i < 2; i++) {
		serve_root(roots[i], 0);
		ck_assert_int_eq(version(65536, P9_VERSION_L), 0);
		ck_assert_int_eq(attach_as(1, 0, ""), 0);
		ck_assert_uint_eq(rep.u.rattach.qid.type, P9_QTFILE);
		ck_assert_int_eq(attach_as(2, 0, "export"), -ENOTDIR);
		ck_assert_int_eq(attach_as(2, 0, "top"), -ENOTDIR);
		ck_assert_int_eq(attach_as(2, 0, "secret"), -ENOTDIR);
		ck_assert_int_eq(lopen(1, P9_DOTL_RDONLY), 0);
		ck_assert_int_eq(p9read(1, 0, 100), 0);
		ck_assert_uint_eq(rep.u.rread.count, i == 0 ? 4 : 6);
		stop();
	}
}
END_TEST

/*
 * Our client and our server over a pair of pipes (descriptors that are not sockets:
 * polled, non-blocking, on both sides), at a small msize so that data takes several
 * messages in flight and replies pile up behind each other.
 */
START_TEST(p9server_client_over_pipes)
{
	struct p9_client_opts o = { .msize = 8192 };
	size_t len = 5 * (8192 - P9_IOHDRSZ) + 77, i;
	uint8_t *a = malloc(len), *b = malloc(len + 10), dirbuf[512];
	const char *name = "piped";
	struct p9_client *c;
	struct vfs_stat st;
	uint32_t root, fid, dfid;
	int c2s[2], s2c[2];

	for (i = 0; i < len; i++)
		a[i] = (uint8_t)(i * 13 + 5);
	start(0);
	ck_assert_int_eq(pipe(c2s), 0);
	ck_assert_int_eq(pipe(s2c), 0);
	ck_assert_int_eq(p9_server_serve_fd(srv, c2s[0], s2c[1]), 0);
	ck_assert_ok(p9_client_new(s2c[0], c2s[1], &o, &c));
	ck_assert_uint_eq(p9_client_msize(c), 8192);
	ck_assert_ok(p9_client_attach(c, "", 0, "", &root, NULL));
	ck_assert_ok(p9_client_walk(c, root, 0, NULL, &fid, NULL));
	ck_assert_ok(p9_client_lcreate(c, fid, name, P9_DOTL_RDWR, 0644, 0, NULL));
	ck_assert_int_eq(p9_client_pwrite_all(c, fid, 0, a, len), (long)len);
	ck_assert_int_eq(p9_client_pread_all(c, fid, 0, b, len + 10), (long)len);
	ck_assert(memcmp(a, b, len) == 0);
	ck_assert_ok(p9_client_clunk(c, fid));
	ck_assert_ok(p9_client_walk(c, root, 0, NULL, &dfid, NULL));
	ck_assert_ok(p9_client_lopen(c, dfid, P9_DOTL_RDONLY | P9_DOTL_DIRECTORY, NULL));
	ck_assert_int_gt(p9_client_readdir(c, dfid, 0, dirbuf, sizeof(dirbuf)), 0);
	p9_client_clunk_async(c, dfid);
	ck_assert_ok(p9_client_clunk(c, root));
	ck_assert(!p9_client_broken(c));
	p9_client_destroy(c);
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/export/piped", &st, 0));
	ck_assert_int_eq(st.size, (long)len);
	stop();
	free(a);
	free(b);
}
END_TEST

Suite *p9server_suite(void)
{
	Suite *s = suite_create("p9server");
	TCase *tc = t_case(s, "server");

	tcase_add_test(tc, p9server_version);
	tcase_add_test(tc, p9server_attach_aname);
	tcase_add_test(tc, p9server_walk_confined);
	tcase_add_test(tc, p9server_read_write_create);
	tcase_add_test(tc, p9server_msize_used_fully);
	tcase_add_test(tc, p9server_readdir_cookies);
	tcase_add_test(tc, p9server_names);
	tcase_add_test(tc, p9server_attrs);
	tcase_add_test(tc, p9server_xattrs);
	tcase_add_test(tc, p9server_readonly);
	tcase_add_test(tc, p9server_credentials);
	tcase_add_test(tc, p9server_pipelined_and_flush);
	tcase_add_test(tc, p9server_bad_frames);
	tcase_add_test(tc, p9server_many_connections);
	tcase_add_test(tc, p9server_file_export_confined);
	tcase_add_test(tc, p9server_file_export_readonly);
	tcase_add_test(tc, p9server_file_export_roots);
	tcase_add_test(tc, p9server_file_export_paths);
	tcase_add_test(tc, p9server_client_over_pipes);
	return s;
}
