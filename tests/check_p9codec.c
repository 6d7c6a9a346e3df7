/*
 * check_p9codec.c - the 9P2000.L codec (src/p9/codec.c, msg_*.c): the byte-exact vectors
 * of fixtures/p9/ (written by an independent encoder, several carrying diod's trace
 * values) decode and re-encode to the same bytes; every truncation and extension of
 * every vector is refused; the hostile frames the issue lists give -EIO (-EREMOTEIO for
 * version problems), never a read past the frame.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"
#include "vfslab/p9.h"

#define VEC_DIR "fixtures/p9"
#define MAXF 4096

struct vec {
	char name[64];
	bool reply;
	uint8_t b[MAXF];
	size_t len;
};

/* Parse fixtures/p9/NAME.hex: "# dir: T|R" and hex bytes; comments start with '#'. */
static bool load_vec(const char *name, struct vec *v)
{
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), VEC_DIR "/%s.hex", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (line[0] == '#') {
			if (strncmp(line, "# dir: R", 8) == 0)
				v->reply = true;
			continue;
		}
		for (;;) {
			unsigned long x = strtoul(p, &end, 16);

			if (end == p)
				break;
			ck_assert_uint_lt(v->len, MAXF);
			v->b[v->len++] = (uint8_t)x;
			p = end;
		}
	}
	fclose(f);
	return true;
}

static struct vec *must_load(const char *name)
{
	static struct vec v;

	ck_assert_msg(load_vec(name, &v), "no vector %s", name);
	return &v;
}

static int decode(const struct vec *v, const uint8_t *b, size_t len, struct p9_fcall *m)
{
	return v->reply ? p9_decode_r(b, len, 0, m) : p9_decode_t(b, len, 0, m);
}

static void put32(uint8_t *b, uint32_t x)
{
	b[0] = (uint8_t)x;
	b[1] = (uint8_t)(x >> 8);
	b[2] = (uint8_t)(x >> 16);
	b[3] = (uint8_t)(x >> 24);
}

/* ------------------------------------------------------------------ vectors */

START_TEST(p9codec_vectors_roundtrip)
{
	DIR *d = opendir(VEC_DIR);
	struct dirent *de;
	unsigned n = 0, types = 0;
	bool seen[256] = { false };

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char name[64];
		struct vec v;
		struct p9_fcall m, other;
		uint8_t out[MAXF];
		long len;

		if (l < 5 || strcmp(de->d_name + l - 4, ".hex") || l - 4 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, l - 4);
		name[l - 4] = '\0';
		ck_assert(load_vec(name, &v));
		ck_assert_msg(decode(&v, v.b, v.len, &m) == 0, "%s does not decode", name);
		ck_assert_msg(p9_type_name(m.type) != NULL, "%s", name);
		len = p9_encode(&m, out, sizeof(out));
		ck_assert_msg(len == (long)v.len && memcmp(out, v.b, v.len) == 0,
			      "%s re-encodes differently (%ld bytes)", name, len);
		/* A T frame is not an R frame. */
		ck_assert_int_eq(v.reply ? p9_decode_t(v.b, v.len, 0, &other)
					 : p9_decode_r(v.b, v.len, 0, &other),
				 -EOPNOTSUPP);
		/* One byte too few for its buffer, or too small an encode buffer. */
		ck_assert_int_eq(decode(&v, v.b, v.len - 1, &other), -EIO);
		ck_assert_int_eq(p9_encode(&m, out, v.len - 1), -EMSGSIZE);
		if (!seen[m.type])
			types++;
		seen[m.type] = true;
		n++;
	}
	closedir(d);
	/* Every message kind of 9P2000.L, both ways: 29 T + 29 R, Tlerror never sent. */
	ck_assert_uint_eq(types, 57);
	ck_assert_uint_ge(n, 57);
}
END_TEST

/* Field values of the vectors taken from diod's trace. */
START_TEST(p9codec_diod_fields)
{
	struct p9_fcall m;
	struct p9_dirent e;
	size_t off = 0;
	const char *names[] = { ".", "file.txt", "link", "sub", ".." };
	unsigned i;
	struct vec *v;

	v = must_load("tversion");
	ck_assert_int_eq(p9_decode_t(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.tag, P9_NOTAG);
	ck_assert_uint_eq(m.u.version.msize, 65536);
	ck_assert(p9_str_eq(m.u.version.version, "9P2000.L"));

	v = must_load("tattach");
	ck_assert_int_eq(p9_decode_t(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.u.tattach.fid, 0);
	ck_assert_uint_eq(m.u.tattach.afid, P9_NOFID);
	ck_assert(p9_str_eq(m.u.tattach.uname, ""));
	ck_assert(p9_str_eq(m.u.tattach.aname, "/tmp/p9cap/exp"));
	ck_assert_uint_eq(m.u.tattach.n_uname, 0);

	v = must_load("rgetattr");
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.u.rgetattr.valid, P9_GETATTR_BASIC);
	ck_assert_uint_eq(m.u.rgetattr.qid.path, 0xa72400);
	ck_assert_uint_eq(m.u.rgetattr.mode, 0100644);
	ck_assert_uint_eq(m.u.rgetattr.nlink, 1);
	ck_assert_uint_eq(m.u.rgetattr.size, 6);
	ck_assert_uint_eq(m.u.rgetattr.blksize, 4096);
	ck_assert_uint_eq(m.u.rgetattr.blocks, 8);
	ck_assert_uint_eq(m.u.rgetattr.mtime_sec, 1795943207);

	v = must_load("rread");
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.u.rread.count, 6);
	ck_assert_mem_eq(m.u.rread.data, "hello\n", 6);

	v = must_load("rwalk");
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.u.rwalk.nwqid, 1);
	ck_assert_uint_eq(m.u.rwalk.wqid[0].type, P9_QTFILE);
	ck_assert_uint_eq(m.u.rwalk.wqid[0].path, 0xa72400);

	v = must_load("rreaddir");
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.u.rread.count, 138);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(p9_dirent_next(m.u.rread.data, m.u.rread.count, &off, &e), 0);
		ck_assert(p9_str_eq(e.name, names[i]));
	}
	ck_assert_int_eq(p9_dirent_next(m.u.rread.data, m.u.rread.count, &off, &e), 1);

	v = must_load("rlerror");
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	ck_assert_uint_eq(m.u.rlerror.ecode, ENOENT);
}
END_TEST

/* Every prefix of every vector, its size field made to agree, is refused; so is every
 * vector with a byte more. No message of 9P2000.L has optional trailing fields. */
START_TEST(p9codec_truncations_refused)
{
	DIR *d = opendir(VEC_DIR);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), cut;
		char name[64];
		struct vec v;
		struct p9_fcall m;
		uint8_t b[MAXF + 1];

		if (l < 5 || strcmp(de->d_name + l - 4, ".hex") || l - 4 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, l - 4);
		name[l - 4] = '\0';
		ck_assert(load_vec(name, &v));
		for (cut = P9_HDRSZ; cut < v.len; cut++) {
			/* A heap copy of exactly cut bytes: ASan sees any read past it. */
			uint8_t *h = malloc(cut);

			memcpy(h, v.b, cut);
			put32(h, (uint32_t)cut);
			ck_assert_msg(decode(&v, h, cut, &m) == -EIO, "%s cut at %zu", name, cut);
			free(h);
		}
		memcpy(b, v.b, v.len);
		b[v.len] = 0;
		put32(b, (uint32_t)v.len + 1);
		ck_assert_msg(decode(&v, b, v.len + 1, &m) == -EIO, "%s extended", name);
	}
	closedir(d);
}
END_TEST

/* ------------------------------------------------------------------ hostile frames */

START_TEST(p9codec_size_field)
{
	uint8_t b[16] = { 0 };
	struct p9_fcall m;

	/* size < 7 */
	put32(b, 6);
	b[4] = P9_RCLUNK;
	ck_assert_int_eq(p9_decode_r(b, 7, 0, &m), -EIO);
	ck_assert_int_eq(p9_frame_size(b, 0), -EIO);
	/* size > msize */
	put32(b, 8192);
	ck_assert_int_eq(p9_frame_size(b, 4096), -EIO);
	ck_assert_int_eq(p9_frame_size(b, 8192), 8192);
	put32(b, 7);
	ck_assert_int_eq(p9_decode_r(b, 7, 0, &m), 0);
	ck_assert_int_eq(p9_decode_r(b, 7, 6, &m), -EIO);
	/* size unlike the buffer */
	ck_assert_int_eq(p9_decode_r(b, 8, 0, &m), -EIO);
	ck_assert_int_eq(p9_decode_r(b, 3, 0, &m), -EIO);
	ck_assert_int_eq(p9_decode_r(NULL, 0, 0, &m), -EIO);
	/* unknown type, well framed */
	b[4] = 200;
	b[5] = 0x34;
	b[6] = 0x12;
	ck_assert_int_eq(p9_decode_t(b, 7, 0, &m), -EOPNOTSUPP);
	ck_assert_uint_eq(m.type, 200);
	ck_assert_uint_eq(m.tag, 0x1234);
}
END_TEST

START_TEST(p9codec_strings_strict)
{
	struct vec *v = must_load("twalk");
	struct p9_fcall m;
	uint8_t b[64];

	/* 'file.txt' holding a NUL */
	memcpy(b, v->b, v->len);
	b[7 + 10 + 2 + 4] = '\0';
	ck_assert_int_eq(p9_decode_t(b, v->len, 0, &m), -EIO);
	/* its length running past the frame */
	memcpy(b, v->b, v->len);
	b[7 + 10] = 9;
	ck_assert_int_eq(p9_decode_t(b, v->len, 0, &m), -EIO);
	b[7 + 10] = 0xff;
	b[7 + 11] = 0xff;
	ck_assert_int_eq(p9_decode_t(b, v->len, 0, &m), -EIO);
}
END_TEST

START_TEST(p9codec_walk_limits)
{
	struct p9_fcall t = { .type = P9_TWALK, .tag = 1 }, r = { .type = P9_RWALK, .tag = 1 };
	struct p9_fcall m;
	uint8_t b[512];
	long n;
	int i;

	t.u.twalk.nwname = 17;
	for (i = 0; i < 17; i++)
		t.u.twalk.wname[i % 16] = p9_str_of("x");
	ck_assert_int_eq(p9_encode(&t, b, sizeof(b)), -EINVAL);
	/* Rwalk with 17 qids: made by hand. */
	r.u.rwalk.nwqid = 16;
	n = p9_encode(&r, b, sizeof(b));
	ck_assert_int_eq(n, 7 + 2 + 16 * 13);
	memset(b + n, 0, 13);
	put32(b, (uint32_t)n + 13);
	b[7] = 17;
	ck_assert_int_eq(p9_decode_r(b, (size_t)n + 13, 0, &m), -EIO);
	/* More qids than names asked. */
	t.u.twalk.nwname = 2;
	r.u.rwalk.nwqid = 3;
	ck_assert_int_eq(p9_check_reply(&t, &r), -EIO);
	r.u.rwalk.nwqid = 2;
	ck_assert_int_eq(p9_check_reply(&t, &r), 0);
	r.u.rwalk.nwqid = 1;
	ck_assert_int_eq(p9_check_reply(&t, &r), 0);
	r.u.rwalk.nwqid = 0; /* a failure on the first name must be Rlerror */
	ck_assert_int_eq(p9_check_reply(&t, &r), -EIO);
	r.tag = 2;
	r.u.rwalk.nwqid = 1;
	ck_assert_int_eq(p9_check_reply(&t, &r), -EIO);
}
END_TEST

START_TEST(p9codec_read_counts)
{
	struct vec *v = must_load("rread");
	struct p9_fcall t = { .type = P9_TREAD, .tag = 0 }, m;
	uint8_t b[64];

	/* count larger than the frame holds */
	memcpy(b, v->b, v->len);
	b[7] = 7;
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	b[7] = 0xff;
	b[10] = 0xff;
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* count smaller than the bytes */
	b[7] = 5;
	b[10] = 0;
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* larger than asked */
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	t.u.tread.count = 5;
	ck_assert_int_eq(p9_check_reply(&t, &m), -EIO);
	t.u.tread.count = 6;
	ck_assert_int_eq(p9_check_reply(&t, &m), 0);
	/* a reply of the wrong type */
	t.type = P9_TWRITE;
	ck_assert_int_eq(p9_check_reply(&t, &m), -EIO);
}
END_TEST

START_TEST(p9codec_readdir_strict)
{
	struct vec *v = must_load("rreaddir");
	struct p9_fcall m;
	uint8_t b[256];
	size_t first = 13 + 8 + 1 + 2 + 1;	/* the "." entry */
	size_t name2 = 11 + first + 13 + 8 + 1; /* the length of "file.txt" */

	ck_assert_uint_le(v->len, sizeof(b));
	/* a name holding NUL */
	memcpy(b, v->b, v->len);
	b[name2 + 2 + 3] = '\0';
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* a name holding '/' */
	b[name2 + 2 + 3] = '/';
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* a name running past the buffer */
	memcpy(b, v->b, v->len);
	b[name2] = 200;
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* an empty name */
	memcpy(b, v->b, v->len);
	b[11 + 13 + 8 + 1] = 0;
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* count not matching its bytes: one entry cut short */
	memcpy(b, v->b, v->len);
	put32(b + 7, 138 - 1);
	put32(b, (uint32_t)v->len - 1);
	ck_assert_int_eq(p9_decode_r(b, v->len - 1, 0, &m), -EIO);
	/* p9_dirent_next on a partial entry */
	{
		struct p9_dirent e;
		size_t off = 0;

		ck_assert_int_eq(p9_dirent_next(v->b + 11, first - 1, &off, &e), -EIO);
		off = 0;
		ck_assert_int_eq(p9_dirent_next(v->b + 11, first, &off, &e), 0);
		ck_assert_uint_eq(off, first);
		ck_assert_int_eq(p9_dirent_next(v->b + 11, first, &off, &e), 1);
		off = first + 1;
		ck_assert_int_eq(p9_dirent_next(v->b + 11, first, &off, &e), -EIO);
	}
}
END_TEST

START_TEST(p9codec_dirent_put)
{
	uint8_t b[64];
	struct p9_dirent e = { .qid = { P9_QTDIR, 0, 5 }, .offset = 9, .type = 4 }, g;
	size_t off = 0;

	e.name = p9_str_of("abc");
	ck_assert_uint_eq(p9_dirent_size(&e), 27);
	ck_assert_int_eq(p9_dirent_put(b, 27, &off, &e), 0);
	ck_assert_uint_eq(off, 27);
	ck_assert_int_eq(p9_dirent_put(b, 40, &off, &e), -ENOSPC);
	ck_assert_uint_eq(off, 27);
	off = 0;
	ck_assert_int_eq(p9_dirent_next(b, 27, &off, &g), 0);
	ck_assert(p9_str_eq(g.name, "abc"));
	ck_assert_uint_eq(g.offset, 9);
	ck_assert_uint_eq(g.qid.path, 5);
}
END_TEST

START_TEST(p9codec_lerror_and_version)
{
	struct p9_fcall m, t = { .type = P9_TVERSION, .tag = P9_NOTAG };
	struct vec *v = must_load("rlerror");
	uint8_t b[64];

	memcpy(b, v->b, v->len);
	put32(b + 7, 0);
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	put32(b + 7, 4096);
	ck_assert_int_eq(p9_decode_r(b, v->len, 0, &m), -EIO);
	/* truncated Rlerror */
	put32(b, 9);
	ck_assert_int_eq(p9_decode_r(b, 9, 0, &m), -EIO);

	t.u.version.msize = 65536;
	t.u.version.version = p9_str_of(P9_VERSION_L);
	v = must_load("rversion");
	ck_assert_int_eq(p9_decode_r(v->b, v->len, 0, &m), 0);
	ck_assert_int_eq(p9_check_rversion(&t, &m), 0);
	m.u.version.version = p9_str_of("unknown");
	ck_assert_int_eq(p9_check_rversion(&t, &m), -EREMOTEIO);
	m.u.version.version = p9_str_of("9P2000.L");
	m.u.version.msize = 4095;
	ck_assert_int_eq(p9_check_rversion(&t, &m), -EREMOTEIO);
	m.u.version.msize = 65537;
	ck_assert_int_eq(p9_check_rversion(&t, &m), -EREMOTEIO);
	m.u.version.msize = 8192;
	m.tag = 1;
	ck_assert_int_eq(p9_check_rversion(&t, &m), -EREMOTEIO);
}
END_TEST

/* Encoding with the data already in place (a server reading into its reply frame). */
START_TEST(p9codec_encode_in_place)
{
	uint8_t b[64];
	struct p9_fcall r = { .type = P9_RREAD, .tag = 3 }, m;
	long n;

	memcpy(b + P9_READ_DATA_OFF, "payload", 7);
	r.u.rread.count = 7;
	r.u.rread.data = b + P9_READ_DATA_OFF;
	n = p9_encode(&r, b, sizeof(b));
	ck_assert_int_eq(n, 18);
	ck_assert_int_eq(p9_decode_r(b, (size_t)n, 0, &m), 0);
	ck_assert_mem_eq(m.u.rread.data, "payload", 7);
	/* data NULL with a count is a caller bug, refused */
	r.u.rread.data = NULL;
	ck_assert_int_eq(p9_encode(&r, b, sizeof(b)), -EINVAL);
	r.type = 250;
	ck_assert_int_eq(p9_encode(&r, b, sizeof(b)), -EINVAL);
}
END_TEST

/* A short random sweep in the test itself (the libFuzzer target goes much further). */
START_TEST(p9codec_random_frames)
{
	unsigned seed = 12345, i, j;
	struct p9_fcall m;

	for (i = 0; i < 20000; i++) {
		size_t len = 7 + (rand_r(&seed) % 80);
		uint8_t *b = malloc(len);

		for (j = 0; j < len; j++)
			b[j] = (uint8_t)rand_r(&seed);
		put32(b, (uint32_t)len);
		/* Types 0..127 so most frames reach a decoder. */
		b[4] &= 0x7f;
		(void)p9_decode_t(b, len, 0, &m);
		(void)p9_decode_r(b, len, 0, &m);
		free(b);
	}
}
END_TEST

Suite *p9codec_suite(void)
{
	Suite *s = suite_create("p9codec");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, p9codec_vectors_roundtrip);
	tcase_add_test(tc, p9codec_diod_fields);
	tcase_add_test(tc, p9codec_truncations_refused);
	tcase_add_test(tc, p9codec_size_field);
	tcase_add_test(tc, p9codec_strings_strict);
	tcase_add_test(tc, p9codec_walk_limits);
	tcase_add_test(tc, p9codec_read_counts);
	tcase_add_test(tc, p9codec_readdir_strict);
	tcase_add_test(tc, p9codec_dirent_put);
	tcase_add_test(tc, p9codec_lerror_and_version);
	tcase_add_test(tc, p9codec_encode_in_place);
	tcase_add_test(tc, p9codec_random_frames);
	suite_add_tcase(s, tc);
	return s;
}
