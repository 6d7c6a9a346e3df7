#!/bin/bash -eu
# build.sh - OSS-Fuzz / ClusterFuzzLite build of vfslab's fuzz targets (tests/fuzz/fuzz_*.c):
# the library and the front end's objects with the engine's compiler flags ($CFLAGS carries
# the sanitizer), each target linked with $LIB_FUZZING_ENGINE, and its seed corpus zipped
# beside it as NAME_seed_corpus.zip (tests/fuzz/corpus/NAME, or the corpus named by NAME's
# first word, as `make fuzz` picks it).
cd "$SRC/vfslab"
make -j"$(nproc)" BUILD=build-oss CC="$CC" FUZZ_LD="$CXX" FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
	EXTRA_CFLAGS="$CFLAGS -Wno-error" EXTRA_LDFLAGS="$CFLAGS" fuzz-targets
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	n=${t#fuzz_}
	seed=tests/fuzz/corpus/$n
	[ -d "$seed" ] || seed=tests/fuzz/corpus/${n%%_*}
	cp "build-oss/$t" "$OUT/"
	if [ -d "$seed" ]; then
		(cd "$seed" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
	fi
done
