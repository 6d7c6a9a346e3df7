/*
 * fuzz_p9_decode.c - libFuzzer target for the 9P2000.L decoders, both directions.
 *
 * The input is one frame; its first byte picks the msize limit to decode under (0: none,
 * else a power of two from 4 KiB), the rest is decoded as a T and as an R message. What
 * decodes must re-encode to the same bytes, and a reply's dirents must walk cleanly.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address -Isrc/include -Isrc \
 *       tests/fuzz/fuzz_p9_decode.c src/p9/[*].c src/base/[*].c -o fuzz_p9_decode
 *   (the brackets only keep this comment a comment: a shell glob src/p9/STAR.c)
 *   ./fuzz_p9_decode tests/fuzz/corpus/p9
 *
 * The seed corpus (tests/fuzz/corpus/p9/, written by fixtures/p9/gen_vectors.py) holds
 * the frames of fixtures/p9/, each after a selector byte 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfslab/p9.h"

static void roundtrip(const uint8_t *buf, size_t len, const struct p9_fcall *m)
{
	static uint8_t out[1 << 17];
	long n = p9_encode(m, out, sizeof(out));

	if (len <= sizeof(out) && (n != (long)len || memcmp(out, buf, len) != 0))
		abort(); /* the codec disagrees with itself */
	if (m->type == P9_RREADDIR) {
		struct p9_dirent e;
		size_t off = 0;
		int r;

		while ((r = p9_dirent_next(m->u.rread.data, m->u.rread.count, &off, &e)) == 0)
			;
		if (r < 0)
			abort(); /* the decoder let a bad entry through */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p9_fcall m;
	uint32_t msize;
	uint8_t *buf;

	if (size < 1)
		return 0;
	msize = data[0] & 0x0f ? 2048u << (data[0] & 0x0f) : 0;
	size--;
	/* An exact-size heap copy, so ASan catches a read one byte past the frame. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size);
	if (p9_decode_t(buf, size, msize, &m) == 0)
		roundtrip(buf, size, &m);
	if (p9_decode_r(buf, size, msize, &m) == 0)
		roundtrip(buf, size, &m);
	if (size >= 4)
		(void)p9_frame_size(buf, msize);
	free(buf);
	return 0;
}
