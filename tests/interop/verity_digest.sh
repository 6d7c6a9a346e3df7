#!/bin/bash
# verity_digest.sh - `vfslab verity digest` against the reference, `fsverity digest`
# (fsverity-utils, Debian package fsverity), on random files.
#
# Every case runs both tools with the same options and compares, byte for byte: the output
# line, the --compact output, the Merkle tree (--out-merkle-tree) and the descriptor
# (--out-descriptor). Sizes 0, 1, 4095, 4096, 4097 and 1 MiB + 1 under both hash algorithms
# and several block sizes and salts; a 16 MiB file with 1 KiB blocks (three levels with
# SHA-256, four with SHA-512); all files in one invocation; --for-builtin-sig; the exit
# status and output around a missing file and a directory; and the 20 known answers of
# xfstests generic/575 (fixtures/verity/xfstests-generic-575.vectors), which both tools
# must print.
#
# Prints "verity-interop: N passed, M failed" and exits 1 if anything differed (the work
# directory is then kept for a look); "SKIP: ..." and exit 0 when fsverity is missing or
# the vfslab binary has no verity command yet.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
vfslab=${VFSLAB:-$top/${BUILD:-build}/vfslab}
vectors=$top/fixtures/verity/xfstests-generic-575.vectors

if ! command -v fsverity >/dev/null 2>&1; then
	echo "SKIP: verity-interop: fsverity is not installed (Debian package fsverity; make deps)"
	exit 0
fi
if [ ! -x "$vfslab" ]; then
	echo "verity-interop: $vfslab does not exist (run make)" >&2
	exit 1
fi
if ! "$vfslab" verity --help >/dev/null 2>&1; then
	echo "SKIP: verity-interop: '$vfslab verity' is not available in this build"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-interop.XXXXXX")
passed=0
failed=0

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}

# run_both NAME ARGS...: both tools' stdout and status must match exactly.
run_both() {
	local name=$1 rf rv
	shift
	fsverity digest "$@" > "$work/ref.out" 2> "$work/ref.err"
	rf=$?
	"$vfslab" verity digest "$@" > "$work/our.out" 2> "$work/our.err"
	rv=$?
	if [ "$rf" != "$rv" ]; then
		fail "$name: exit status fsverity $rf, vfslab $rv ($(cat "$work/our.err"))"
		return 1
	fi
	if ! cmp -s "$work/ref.out" "$work/our.out"; then
		fail "$name: output differs: fsverity '$(cat "$work/ref.out")', vfslab '$(cat "$work/our.out")'"
		return 1
	fi
	return 0
}

# check_case FILE ALG BLOCK_SIZE SALT ('-' for none): line, compact, tree, descriptor.
check_case() {
	local f=$1 alg=$2 bs=$3 salt=$4 name opts
	opts=(--hash-alg="$alg" --block-size="$bs")
	[ "$salt" = - ] || opts+=(--salt="$salt")
	name="$(basename "$f") $alg bs=$bs salt=$salt"
	run_both "$name" "${opts[@]}" "$f" || return
	run_both "$name --compact" "${opts[@]}" --compact "$f" || return
	run_both "$name trees" "${opts[@]}" --out-merkle-tree="$work/ref.tree" \
		--out-descriptor="$work/ref.desc" "$f" || return
	"$vfslab" verity digest "${opts[@]}" --out-merkle-tree="$work/our.tree" \
		--out-descriptor="$work/our.desc" "$f" > /dev/null || { fail "$name: trees"; return; }
	cmp -s "$work/ref.tree" "$work/our.tree" || { fail "$name: Merkle tree differs"; return; }
	cmp -s "$work/ref.desc" "$work/our.desc" || { fail "$name: descriptor differs"; return; }
	passed=$((passed + 1))
}

sizes="0 1 4095 4096 4097 1048577"
for size in $sizes; do
	head -c "$size" /dev/urandom > "$work/r$size"
done
head -c $((16 << 20)) /dev/urandom > "$work/r16m"

salt32=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
configs="4096:- 1024:00 2048:f3c93fa6fb828c0e1587e5714ecf6f56 8192:a5 65536:$salt32"
for size in $sizes; do
	for alg in sha256 sha512; do
		for c in $configs; do
			check_case "$work/r$size" "$alg" "${c%%:*}" "${c#*:}"
		done
	done
done
for alg in sha256 sha512; do
	check_case "$work/r16m" "$alg" 1024 -
	check_case "$work/r16m" "$alg" 1024 "$salt32"
	check_case "$work/r16m" "$alg" 4096 0102030405
done

# Several files in one run; the signed-digest form; --salt= (empty: no salt).
all=()
for size in $sizes; do all+=("$work/r$size"); done
run_both "all files" "${all[@]}" && passed=$((passed + 1))
run_both "all files sha512 compact" --hash-alg=sha512 --compact "${all[@]}" &&
	passed=$((passed + 1))
run_both "for-builtin-sig" --for-builtin-sig "$work/r4097" && passed=$((passed + 1))
run_both "for-builtin-sig compact" --for-builtin-sig --compact --hash-alg=sha512 \
	"$work/r4097" && passed=$((passed + 1))
run_both "empty salt" --salt= "$work/r4097" && passed=$((passed + 1))
run_both "upper-case salt" --salt=ABCDEF "$work/r4097" && passed=$((passed + 1))

# Errors: the lines before a missing file are printed, then exit 1; a directory is 1.
run_both "missing file" "$work/r1" "$work/nonexistent" "$work/r0" && passed=$((passed + 1))
run_both "directory" "$work" && passed=$((passed + 1))
run_both "no file" && passed=$((passed + 1))
run_both "bad hash" --hash-alg=md5 "$work/r1" && passed=$((passed + 1))
run_both "bad salt" --salt=abc "$work/r1" && passed=$((passed + 1))

# xfstests generic/575: files of zeros; both tools must print the known answer.
if [ -f "$vectors" ]; then
	n575=0
	while read -r size alg bs salt want; do
		case $size in '#'* | '') continue ;; esac
		f=$work/zero$size
		# Sparse: the same zeros without writing 100 MB.
		[ -f "$f" ] || truncate -s "$size" "$f"
		opts=(--hash-alg="$alg" --block-size="$bs" --compact)
		case $salt in
		-) ;;
		=) opts+=(--salt=) ;;
		*) opts+=(--salt="$salt") ;;
		esac
		ref=$(fsverity digest "${opts[@]}" "$f")
		ours=$("$vfslab" verity digest "${opts[@]}" "$f")
		n575=$((n575 + 1))
		if [ "$ref" != "$want" ]; then
			fail "generic/575 #$n575 ($size $alg $bs $salt): fsverity itself prints $ref"
		elif [ "$ours" != "$want" ]; then
			fail "generic/575 #$n575 ($size $alg $bs $salt): vfslab prints $ours"
		else
			passed=$((passed + 1))
		fi
	done < "$vectors"
	[ "$n575" = 20 ] || fail "generic/575: $n575 vectors in $vectors, expected 20"
else
	fail "$vectors is missing"
fi

echo "verity-interop: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "verity-interop: files kept in $work" >&2
	exit 1
fi
rm -rf "$work"
exit 0
