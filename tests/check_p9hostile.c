/*
 * check_p9hostile.c - the 9P client against a scripted hostile server on a socketpair.
 *
 * The fake server answers like a small well-behaved 9P2000.L server (a root directory
 * holding one file "f" of 5 bytes) except for one misbehaviour per test, written as raw
 * bytes since our encoder cannot produce malformed frames: oversized or overrunning
 * Rread and Rreaddir counts, names running past the buffer or holding NUL, bad Rversion,
 * size fields out of range, unknown and duplicated tags, truncated or zero Rlerror, Rwalk
 * with more qids than asked, a close in mid-frame, silence. The client must answer EIO
 * (EREMOTEIO for version problems), never read out of bounds (run under ASan), never wait
 * past its timeout, and a mount over it must not stop another mount from working.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/objcount.h"
#include "helpers.h"
#include "vfslab/gofer_sim.h"
#include "vfslab/p9client.h"

enum evil {
	EV_NONE,
	EV_VERSION_NAME,    /* Rversion "9P2000.u" */
	EV_VERSION_SMALL,   /* Rversion msize 1024 */
	EV_VERSION_BIG,	    /* Rversion msize larger than offered */
	EV_READ_OVER_ASKED, /* Rread count > asked (frame consistent) */
	EV_READ_OVER_FRAME, /* Rread count > bytes in the frame */
	EV_DIR_NAME_PAST,   /* Rreaddir entry name runs past count */
	EV_DIR_NAME_NUL,    /* Rreaddir entry name holds NUL */
	EV_DIR_COUNT_SHORT, /* Rreaddir count smaller than the entries' bytes */
	EV_SIZE_SMALL,	    /* size field 5 */
	EV_SIZE_BIG,	    /* size field beyond msize */
	EV_TAG_UNKNOWN,	    /* reply tag nobody asked for */
	EV_TAG_TWICE,	    /* the same reply twice */
	EV_LERROR_SHORT,    /* Rlerror without all of its ecode */
	EV_LERROR_ZERO,	    /* Rlerror ecode 0 */
	EV_WALK_MORE_QIDS,  /* Rwalk with 2 qids for 1 name */
	EV_CLOSE_MID_FRAME, /* half a reply then close */
	EV_SILENT,	    /* never answers */
};

#define FAKE_MSIZE 65536

struct fake {
	int fd;
	enum evil evil;
	uint8_t victim; /* the T type that gets the misbehaviour */
	pthread_t th;
	bool isfile[64];
};

/* ------------------------------------------------------------------ frame writing */

struct out {
	uint8_t b[FAKE_MSIZE * 2];
	size_t n;
};

static void p8(struct out *o, uint8_t v)
{
	o->b[o->n++] = v;
}

static void p16(struct out *o, uint16_t v)
{
	p8(o, (uint8_t)v);
	p8(o, (uint8_t)(v >> 8));
}

static void p32(struct out *o, uint32_t v)
{
	p16(o, (uint16_t)v);
	p16(o, (uint16_t)(v >> 16));
}

static void p64(struct out *o, uint64_t v)
{
	p32(o, (uint32_t)v);
	p32(o, (uint32_t)(v >> 32));
}

static void pstr(struct out *o, const char *s, size_t len)
{
	p16(o, (uint16_t)len);
	memcpy(o->b + o->n, s, len);
	o->n += len;
}

static void pqid(struct out *o, uint8_t type, uint64_t path)
{
	p8(o, type);
	p32(o, 0);
	p64(o, path);
}

/* Start a frame: room for size, then type and tag. */
static size_t begin(struct out *o, uint8_t type, uint16_t tag)
{
	size_t at = o->n;

	p32(o, 0);
	p8(o, type);
	p16(o, tag);
	return at;
}

static void end(struct out *o, size_t at)
{
	uint32_t sz = (uint32_t)(o->n - at);

	memcpy(o->b + at, &sz, 4); /* little-endian host */
}

static void send_out(struct fake *f, struct out *o)
{
	size_t done = 0;

	while (done < o->n) {
		ssize_t n = send(f->fd, o->b + done, o->n - done, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

/* ------------------------------------------------------------------ the fake server */

static bool recv_full(int fd, void *b, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (char *)b + got, len - got, 0);

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static void dirent(struct out *o, uint64_t path, uint64_t off, const char *name, size_t len)
{
	pqid(o, P9_QTFILE, path);
	p64(o, off);
	p8(o, DT_REG);
	pstr(o, name, len);
}

/* The well-behaved answer to t, or the misbehaviour when t is the victim. */
static void answer(struct fake *f, const struct p9_fcall *t, struct out *o)
{
	bool evil = t->type == f->victim;
	uint16_t tag = t->tag;
	size_t at, cnt;

	if (evil) {
		switch (f->evil) {
		case EV_SILENT: return;
		case EV_SIZE_SMALL:
			p32(o, 5);
			p8(o, t->type + 1);
			p16(o, tag);
			return;
		case EV_SIZE_BIG:
			p32(o, FAKE_MSIZE + 100);
			p8(o, t->type + 1);
			p16(o, tag);
			return;
		case EV_TAG_UNKNOWN: tag = 999; break;
		case EV_LERROR_SHORT:
			at = begin(o, P9_RLERROR, tag);
			p16(o, 2);
			end(o, at);
			return;
		case EV_LERROR_ZERO:
			at = begin(o, P9_RLERROR, tag);
			p32(o, 0);
			end(o, at);
			return;
		case EV_CLOSE_MID_FRAME:
			p32(o, 40);
			p8(o, t->type + 1);
			p16(o, tag);
			p32(o, 1);
			return;
		default: break;
		}
	}
	switch (t->type) {
	case P9_TVERSION: {
		uint32_t msize = t->u.version.msize < FAKE_MSIZE ? t->u.version.msize : FAKE_MSIZE;
		const char *v = "9P2000.L";

		if (evil && f->evil == EV_VERSION_NAME)
			v = "9P2000.u";
		if (evil && f->evil == EV_VERSION_SMALL)
			msize = 1024;
		if (evil && f->evil == EV_VERSION_BIG)
			msize = t->u.version.msize + 1;
		at = begin(o, P9_RVERSION, tag);
		p32(o, msize);
		pstr(o, v, strlen(v));
		end(o, at);
		return;
	}
	case P9_TATTACH:
		at = begin(o, P9_RATTACH, tag);
		pqid(o, P9_QTDIR, 1);
		end(o, at);
		return;
	case P9_TWALK: {
		unsigned i, n = t->u.twalk.nwname;
		bool file = t->u.twalk.fid < 64 && f->isfile[t->u.twalk.fid];

		if (n && p9_str_eq(t->u.twalk.wname[n - 1], "none")) {
			at = begin(o, P9_RLERROR, tag);
			p32(o, ENOENT);
			end(o, at);
			return;
		}
		if (n)
			file = p9_str_eq(t->u.twalk.wname[n - 1], "f");
		if (t->u.twalk.newfid < 64)
			f->isfile[t->u.twalk.newfid] = file;
		if (evil && f->evil == EV_WALK_MORE_QIDS)
			n++;
		at = begin(o, P9_RWALK, tag);
		p16(o, (uint16_t)n);
		for (i = 0; i < n; i++)
			pqid(o, file ? P9_QTFILE : P9_QTDIR, 2 + i);
		end(o, at);
		return;
	}
	case P9_TGETATTR: {
		bool file = t->u.tgetattr.fid < 64 && f->isfile[t->u.tgetattr.fid];

		at = begin(o, P9_RGETATTR, tag);
		p64(o, P9_GETATTR_BASIC);
		pqid(o, file ? P9_QTFILE : P9_QTDIR, file ? 2 : 1);
		p32(o, file ? S_IFREG | 0644 : S_IFDIR | 0755);
		p32(o, 0);
		p32(o, 0);
		p64(o, 1); /* nlink */
		p64(o, 0); /* rdev */
		p64(o, file ? 5 : 0);
		p64(o, 4096);
		p64(o, 0);
		for (cnt = 0; cnt < 10; cnt++)
			p64(o, 0); /* times, btime, gen, data_version */
		end(o, at);
		return;
	}
	case P9_TLOPEN:
		at = begin(o, P9_RLOPEN, tag);
		pqid(o, P9_QTFILE, 2);
		p32(o, 0);
		end(o, at);
		return;
	case P9_TREAD: {
		uint32_t n = t->u.tread.count < 5 ? t->u.tread.count : 5;
		uint32_t claim = n;

		if (t->u.tread.offset >= 5)
			n = claim = 0;
		if (evil && f->evil == EV_READ_OVER_ASKED)
			n = claim = t->u.tread.count + 10;
		if (evil && f->evil == EV_READ_OVER_FRAME)
			claim = n + 100;
		at = begin(o, P9_RREAD, tag);
		p32(o, claim);
		memset(o->b + o->n, 'h', n);
		o->n += n;
		end(o, at);
		return;
	}
	case P9_TREADDIR: {
		size_t cpos;

		at = begin(o, P9_RREADDIR, tag);
		cpos = o->n;
		p32(o, 0);
		if (t->u.tread.offset == 0) {
			dirent(o, 1, 1, ".", 1);
			if (evil && f->evil == EV_DIR_NAME_NUL) {
				dirent(o, 2, 2, "a\0b", 3);
			} else if (evil && f->evil == EV_DIR_NAME_PAST) {
				pqid(o, P9_QTFILE, 2);
				p64(o, 2);
				p8(o, DT_REG);
				p16(o, 200); /* the name claims 200 bytes; 1 follow */
				p8(o, 'x');
			} else {
				dirent(o, 2, 2, "f", 1);
			}
		}
		cnt = o->n - cpos - 4;
		if (evil && f->evil == EV_DIR_COUNT_SHORT)
			cnt -= 3;
		memcpy(o->b + cpos, &(uint32_t){ (uint32_t)cnt }, 4);
		end(o, at);
		return;
	}
	case P9_TCLUNK:
		at = begin(o, P9_RCLUNK, tag);
		end(o, at);
		return;
	default:
		at = begin(o, P9_RLERROR, tag);
		p32(o, EOPNOTSUPP);
		end(o, at);
		return;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	static __thread uint8_t in[FAKE_MSIZE * 2];
	struct out *o = malloc(sizeof(*o));

	for (;;) {
		struct p9_fcall t;
		long size;

		if (!recv_full(f->fd, in, 4))
			break;
		size = p9_frame_size(in, FAKE_MSIZE * 2);
		if (size < 0 || !recv_full(f->fd, in + 4, (size_t)size - 4))
			break;
		if (p9_decode_t(in, (size_t)size, 0, &t))
			continue;
		if (t.type == P9_TFLUSH)
			continue; /* the client gave up: nothing to say */
		o->n = 0;
		answer(f, &t, o);
		if (t.type == f->victim && f->evil == EV_TAG_TWICE) {
			size_t half = o->n;

			memcpy(o->b + half, o->b, half);
			o->n = 2 * half;
		}
		send_out(f, o);
		if (t.type == f->victim && f->evil == EV_CLOSE_MID_FRAME) {
			shutdown(f->fd, SHUT_RDWR);
			break;
		}
	}
	free(o);
	return NULL;
}

/* A fake server misbehaving with evil on victim; *cfd gets the client end. */
static struct fake *fake_start(enum evil evil, uint8_t victim, int *cfd)
{
	struct fake *f = calloc(1, sizeof(*f));
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	f->fd = sv[0];
	f->evil = evil;
	f->victim = victim;
	ck_assert_int_eq(pthread_create(&f->th, NULL, fake_main, f), 0);
	*cfd = sv[1];
	return f;
}

static void fake_stop(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->fd);
	free(f);
}

/* ------------------------------------------------------------------ client-level */

static struct fake *fk;
static struct p9_client *cl;
static uint32_t root;

/*
 * The client's timeout: short where the test is that a silent server cannot hang us
 * (the tests bound the wait at 2 s), generous elsewhere so that a loaded machine (an
 * instrumented build, a busy CI host) cannot turn a slow answer into a false EIO.
 */
static int timeout_for(enum evil evil)
{
	return evil == EV_SILENT ? 500 : 10000;
}

/* Connect (the version must go well) and attach. */
static void connect_to(enum evil evil, uint8_t victim)
{
	struct p9_client_opts o = { .msize = FAKE_MSIZE, .timeout_ms = timeout_for(evil) };
	int cfd;

	fk = fake_start(evil, victim, &cfd);
	ck_assert_ok(p9_client_new(cfd, cfd, &o, &cl));
	ck_assert_ok(p9_client_attach(cl, "", 0, "", &root, NULL));
}

static void disconnect(void)
{
	p9_client_destroy(cl);
	cl = NULL;
	fake_stop(fk);
	fk = NULL;
	ck_assert_int_eq(obj_live(OBJ_FID), 0);
}

/* Open "f" for reading: its fid. */
static uint32_t open_f(void)
{
	const char *name = "f";
	uint32_t fid;

	ck_assert_ok(p9_client_walk(cl, root, 1, &name, &fid, NULL));
	ck_assert_ok(p9_client_lopen(cl, fid, P9_DOTL_RDONLY, NULL));
	return fid;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int version_with(enum evil evil)
{
	struct p9_client_opts o = { .msize = FAKE_MSIZE, .timeout_ms = timeout_for(evil) };
	struct p9_client *c = NULL;
	int cfd, err;
	struct fake *f = fake_start(evil, P9_TVERSION, &cfd);

	err = p9_client_new(cfd, cfd, &o, &c);
	ck_assert_ptr_null(c);
	fake_stop(f);
	return err;
}

START_TEST(hostile_good_server_works)
{
	uint8_t b[512];
	uint32_t fid;

	connect_to(EV_NONE, 0);
	fid = open_f();
	ck_assert_int_eq(p9_client_read(cl, fid, 0, b, sizeof(b)), 5);
	ck_assert_int_eq(p9_client_readdir(cl, fid, 0, b, sizeof(b)) > 0, 1);
	ck_assert_ok(p9_client_clunk(cl, fid));
	disconnect();
}
END_TEST

START_TEST(hostile_rversion_unknown_version)
{
	ck_assert_err(version_with(EV_VERSION_NAME), EREMOTEIO);
}
END_TEST

START_TEST(hostile_rversion_msize_too_small)
{
	ck_assert_err(version_with(EV_VERSION_SMALL), EREMOTEIO);
}
END_TEST

START_TEST(hostile_rversion_msize_above_ours)
{
	ck_assert_err(version_with(EV_VERSION_BIG), EREMOTEIO);
}
END_TEST

START_TEST(hostile_rversion_bad_size)
{
	ck_assert_err(version_with(EV_SIZE_BIG), EREMOTEIO);
}
END_TEST

START_TEST(hostile_rversion_silent_times_out)
{
	int64_t t0 = mono_ms();

	ck_assert_err(version_with(EV_SILENT), EIO);
	ck_assert_int_lt(mono_ms() - t0, 2000);
}
END_TEST

/* Malformed but well-framed: that request fails, the connection goes on. */
static void expect_read_eio(enum evil evil)
{
	uint8_t b[8];
	uint32_t fid;

	connect_to(evil, P9_TREAD);
	fid = open_f();
	ck_assert_err(p9_client_read(cl, fid, 0, b, 3), EIO);
	ck_assert(!p9_client_broken(cl));
	ck_assert_ok(p9_client_clunk(cl, fid));
	disconnect();
}

START_TEST(hostile_rread_count_over_asked)
{
	expect_read_eio(EV_READ_OVER_ASKED);
}
END_TEST

START_TEST(hostile_rread_count_over_frame)
{
	expect_read_eio(EV_READ_OVER_FRAME);
}
END_TEST

static void expect_readdir_eio(enum evil evil)
{
	uint8_t b[512];
	uint32_t fid;

	connect_to(evil, P9_TREADDIR);
	ck_assert_ok(p9_client_walk(cl, root, 0, NULL, &fid, NULL));
	ck_assert_ok(p9_client_lopen(cl, fid, P9_DOTL_RDONLY, NULL));
	ck_assert_err(p9_client_readdir(cl, fid, 0, b, sizeof(b)), EIO);
	ck_assert_ok(p9_client_clunk(cl, fid));
	disconnect();
}

START_TEST(hostile_rreaddir_name_past_buffer)
{
	expect_readdir_eio(EV_DIR_NAME_PAST);
}
END_TEST

START_TEST(hostile_rreaddir_name_with_nul)
{
	expect_readdir_eio(EV_DIR_NAME_NUL);
}
END_TEST

START_TEST(hostile_rreaddir_count_mismatch)
{
	expect_readdir_eio(EV_DIR_COUNT_SHORT);
}
END_TEST

START_TEST(hostile_rlerror_truncated)
{
	struct p9_getattr ga;

	connect_to(EV_LERROR_SHORT, P9_TGETATTR);
	ck_assert_err(p9_client_getattr(cl, root, P9_GETATTR_BASIC, &ga), EIO);
	disconnect();
}
END_TEST

START_TEST(hostile_rlerror_zero)
{
	struct p9_getattr ga;

	connect_to(EV_LERROR_ZERO, P9_TGETATTR);
	ck_assert_err(p9_client_getattr(cl, root, P9_GETATTR_BASIC, &ga), EIO);
	disconnect();
}
END_TEST

START_TEST(hostile_rwalk_more_qids)
{
	const char *name = "f";
	uint32_t fid;

	connect_to(EV_WALK_MORE_QIDS, P9_TWALK);
	ck_assert_err(p9_client_walk(cl, root, 1, &name, &fid, NULL), EIO);
	ck_assert_int_eq(obj_live(OBJ_FID), 1); /* the root only: the new fid was freed */
	disconnect();
}
END_TEST

/* Desynchronising: the request fails and so does everything after it. */
static void expect_broken(enum evil evil, uint8_t victim)
{
	struct p9_getattr ga;
	int64_t t0;

	connect_to(evil, victim);
	t0 = mono_ms();
	ck_assert_err(p9_client_getattr(cl, root, P9_GETATTR_BASIC, &ga), EIO);
	ck_assert_int_lt(mono_ms() - t0, 2000);
	ck_assert(p9_client_broken(cl));
	ck_assert_err(p9_client_getattr(cl, root, P9_GETATTR_BASIC, &ga), EIO);
	disconnect();
}

START_TEST(hostile_size_field_too_small)
{
	expect_broken(EV_SIZE_SMALL, P9_TGETATTR);
}
END_TEST

START_TEST(hostile_size_field_above_msize)
{
	expect_broken(EV_SIZE_BIG, P9_TGETATTR);
}
END_TEST

START_TEST(hostile_unknown_tag)
{
	expect_broken(EV_TAG_UNKNOWN, P9_TGETATTR);
}
END_TEST

START_TEST(hostile_close_mid_message)
{
	expect_broken(EV_CLOSE_MID_FRAME, P9_TGETATTR);
}
END_TEST

START_TEST(hostile_never_answers)
{
	expect_broken(EV_SILENT, P9_TGETATTR);
}
END_TEST

/* The duplicate is seen after the first answer: that call succeeded, the connection is
 * then broken. Who reads the duplicate first (the reader thread, between calls, or the next
 * call) depends on timing; either way the next call fails with EIO and the connection
 * stays broken. */
START_TEST(hostile_tag_answered_twice)
{
	struct p9_getattr ga;
	int i, err = 0;

	connect_to(EV_TAG_TWICE, P9_TGETATTR);
	ck_assert_ok(p9_client_getattr(cl, root, P9_GETATTR_BASIC, &ga));
	for (i = 0; i < 200 && !p9_client_broken(cl); i++)
		usleep(1000);
	err = p9_client_getattr(cl, root, P9_GETATTR_BASIC, &ga);
	ck_assert_err(err, EIO);
	ck_assert(p9_client_broken(cl));
	disconnect();
}
END_TEST

/* ------------------------------------------------------------------ through the VFS */

/* A mount over a hostile server fails its calls with EIO within the timeout, and a mount
 * of a good gofer beside it keeps working, before and after. */
static void vfs_isolation(enum evil evil, uint8_t victim)
{
	struct gofer_sim *g;
	struct fake *f;
	struct vfs_stat s;
	char opts[128], buf[16];
	int grfd, gwfd, cfd, k;
	int64_t t0;

	t_setup();
	g = gofer_sim_start(3, &grfd, &gwfd);
	ck_assert(!IS_ERR(g));
	f = fake_start(evil, victim, &cfd);
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/ok", 0755));
	ck_assert_ok(vfs_mkdirat(tt, AT_FDCWD, "/bad", 0755));
	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d", grfd, gwfd);
	ck_assert_ok(vfs_mount(tt, "ok", "/ok", "9p", 0, opts));
	snprintf(opts, sizeof(opts), "trans=fd,rfdno=%d,wfdno=%d,timeout_ms=%d,msize=%u", cfd, cfd,
		 timeout_for(evil), FAKE_MSIZE);
	ck_assert_ok(vfs_mount(tt, "bad", "/bad", "9p", 0, opts));
	close(cfd); /* the mount has its own copy */
	ck_assert_ok(t_write_file(tt, "/ok/a", "fine", 0644));
	t0 = mono_ms();
	if (victim == P9_TREAD)
		ck_assert_err(t_read_file(tt, "/bad/f", buf, sizeof(buf)), EIO);
	else
		ck_assert_err(vfs_fstatat(tt, AT_FDCWD, "/bad/f", &s, 0), EIO);
	ck_assert_int_lt(mono_ms() - t0, 2000);
	ck_assert_int_eq(t_read_file(tt, "/ok/a", buf, sizeof(buf)), 4);
	ck_assert_ok(vfs_umount2(tt, "/bad", 0));
	ck_assert_ok(vfs_fstatat(tt, AT_FDCWD, "/ok/a", &s, 0));
	kernel_destroy(tk);
	tk = NULL;
	tt = NULL;
	gofer_sim_stop(g);
	fake_stop(f);
	for (k = 0; k < OBJ_NR_KINDS; k++)
		ck_assert_msg(obj_live(k) == 0, "leaked %lld %s object(s)", (long long)obj_live(k),
			      obj_kind_name(k));
}

START_TEST(hostile_vfs_bad_read_other_mount_works)
{
	vfs_isolation(EV_READ_OVER_FRAME, P9_TREAD);
}
END_TEST

START_TEST(hostile_vfs_silent_other_mount_works)
{
	vfs_isolation(EV_SILENT, P9_TWALK);
}
END_TEST

START_TEST(hostile_vfs_unknown_tag_other_mount_works)
{
	vfs_isolation(EV_TAG_UNKNOWN, P9_TWALK);
}
END_TEST

Suite *p9hostile_suite(void)
{
	Suite *s = suite_create("p9hostile");
	TCase *tc = tcase_create("client");
	TCase *tv = tcase_create("vfs");

	tcase_add_test(tc, hostile_good_server_works);
	tcase_add_test(tc, hostile_rversion_unknown_version);
	tcase_add_test(tc, hostile_rversion_msize_too_small);
	tcase_add_test(tc, hostile_rversion_msize_above_ours);
	tcase_add_test(tc, hostile_rversion_bad_size);
	tcase_add_test(tc, hostile_rversion_silent_times_out);
	tcase_add_test(tc, hostile_rread_count_over_asked);
	tcase_add_test(tc, hostile_rread_count_over_frame);
	tcase_add_test(tc, hostile_rreaddir_name_past_buffer);
	tcase_add_test(tc, hostile_rreaddir_name_with_nul);
	tcase_add_test(tc, hostile_rreaddir_count_mismatch);
	tcase_add_test(tc, hostile_rlerror_truncated);
	tcase_add_test(tc, hostile_rlerror_zero);
	tcase_add_test(tc, hostile_rwalk_more_qids);
	tcase_add_test(tc, hostile_size_field_too_small);
	tcase_add_test(tc, hostile_size_field_above_msize);
	tcase_add_test(tc, hostile_unknown_tag);
	tcase_add_test(tc, hostile_close_mid_message);
	tcase_add_test(tc, hostile_never_answers);
	tcase_add_test(tc, hostile_tag_answered_twice);
	tcase_add_test(tv, hostile_vfs_bad_read_other_mount_works);
	tcase_add_test(tv, hostile_vfs_silent_other_mount_works);
	tcase_add_test(tv, hostile_vfs_unknown_tag_other_mount_works);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tv);
	return s;
}
