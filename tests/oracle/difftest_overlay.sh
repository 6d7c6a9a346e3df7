#!/bin/bash
# difftest_overlay.sh - the overlay differential test: the same op lines on the Linux
# kernel's overlayfs (through build/oracle) and on vfslab's (through `vfslab repl`),
# outputs compared line by line.
#
#   tests/oracle/difftest_overlay.sh [--keep] [FILE.op...]   (default: corpus-overlay/*.op,
#                                        then 30 random seeds x 150 lines)
#   options: --seeds N, --lines N, --seed S (only random seed S), --no-random, --no-corpus
#
# Layout, the same on both sides, under a tmpfs root R that the op lines run in (the
# oracle chroots into it; vfslab cd's into /r): R/lo (a tmpfs, the lower layer),
# R/up (a tmpfs holding u = upperdir and w = workdir), R/t (the overlay mount point).
# A corpus file has two parts separated by a line "@mount": the first builds the lower
# tree (paths like lo/d/f), then the overlay is mounted with
# lowerdir=R/lo,upperdir=R/up/u,workdir=R/up/w,redirect_dir=off, and the second part
# runs (paths like t/f
# through the overlay, up/u/f to look at the upper layer). Inode numbers, times and
# readdir order must stay out of the op lines (readdir sorts its names).
#
# Random: `oracle --random S+100000 40` builds the lower tree (run inside R/lo), then
# `oracle --random S N` runs inside the overlay (the oracle chroots into R/t; vfslab cd's
# into /r/t). A failure prints the seed.
#
# After each run, the merged tree (t) and the upper layer (up/u) are compared: the
# kernel's `find` lists the paths, and op lines over them (readdir of each directory,
# stat of type,mode,nlink,uid,gid,size,major,minor - a whiteout is chr 0:0 -, readlink,
# the data of regular files, trusted.overlay.opaque of upper directories) run on both
# sides while the overlays are still mounted.
#
# Needs root and a kernel that can mount an overlay; otherwise prints "SKIP: ..." and
# exits 0. ORACLE and VFSLAB name the binaries (default build/oracle, build/vfslab).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ORACLE=${ORACLE:-$top/build/oracle}
VFSLAB=${VFSLAB:-$top/build/vfslab}
keep=0
files=()
seeds=30
lines=150
only_seed=
do_random=1
do_corpus=1
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) keep=1; shift ;;
	--seeds) seeds=$2; shift 2 ;;
	--lines) lines=$2; shift 2 ;;
	--seed) only_seed=$2; do_corpus=0; shift 2 ;;
	--no-random) do_random=0; shift ;;
	--no-corpus) do_corpus=0; shift ;;
	-h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "difftest_overlay: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); do_random=0; shift ;;
	esac
done
[ ${#files[@]} -eq 0 ] && files=("$here"/corpus-overlay/*.op)

for b in "$ORACLE" "$VFSLAB"; do
	if [ ! -x "$b" ]; then
		echo "difftest_overlay: $b is missing (run make first)" >&2
		exit 1
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: overlay difftest: needs root (to mount tmpfs and overlay)"
	exit 0
fi

work=$(mktemp -d /tmp/vfslab-ovdiff.XXXXXX)
r=$work/r
mkdir "$r"
umount_all() {
	for m in "$r/t" "$r/up" "$r/lo" "$r"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
}
cleanup() {
	umount_all
	if [ "$keep" = 1 ]; then
		echo "difftest_overlay: work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# The layers: R, lo, up/u, up/w (modes given, so no umask matters).
setup_kernel() {
	mount -t tmpfs -o mode=0755 tmpfs "$r" || return 1
	mkdir -m 0755 "$r/lo" "$r/up" "$r/t"
	mount -t tmpfs -o mode=0755 tmpfs "$r/lo" || return 1
	mount -t tmpfs -o mode=0755 tmpfs "$r/up" || return 1
	mkdir -m 0755 "$r/up/u" "$r/up/w"
}

# redirect_dir=off: Linux's rename of a merged directory (EXDEV), the kernel's default
# and our option for it (ours copies the subtree up by default, as gVisor).
opts="lowerdir=$r/lo,upperdir=$r/up/u,workdir=$r/up/w,redirect_dir=off"
setup_kernel || { echo "SKIP: overlay difftest: cannot mount a tmpfs"; exit 0; }
if ! mount -t overlay -o "$opts" overlay "$r/t" 2>"$work/mount.err"; then
	echo "SKIP: overlay difftest: the kernel cannot mount an overlay: $(cat "$work/mount.err")"
	exit 0
fi
umount_all

ours_ops() {
	sed -E '/^[[:space:]]*(#|$)/d; s/^[[:space:]]*(op[[:space:]]+)?/op /'
}

# ours_script FILE LODIR TDIR: the preamble, the lower part run in /r/LODIR, the mount,
# the upper part run in /r/TDIR, then the tree listing ($work/tree.op) run in /r.
ours_script() {
	local file=$1 lodir=$2 tdir=$3
	printf 'mkdir /r\nmount -t tmpfs -o mode=0755 tmpfs /r\n'
	printf 'op mkdir /r/lo 0755 : mkdir /r/up 0755 : mkdir /r/t 0755\n'
	printf 'mount -t tmpfs -o mode=0755 tmpfs /r/lo\nmount -t tmpfs -o mode=0755 tmpfs /r/up\n'
	printf 'op mkdir /r/up/u 0755 : mkdir /r/up/w 0755\ncd /r/%s\n' "$lodir"
	sed '/^@mount/,$d' "$file" | ours_ops
	printf 'mount -t overlay -o %s overlay /r/t\n' \
		"lowerdir=/r/lo,upperdir=/r/up/u,workdir=/r/up/w,redirect_dir=off"
	printf 'cd /r/%s\n' "$tdir"
	sed '1,/^@mount/d' "$file" | ours_ops
	printf 'cd /r\n'
	ours_ops <"$work/tree.op"
}

# tree_ops DIR: op lines describing the kernel's tree at R/DIR (see the top).
tree_ops() {
	local dir=$1 p
	(cd "$r" && find "$dir" | LC_ALL=C sort) | while IFS= read -r p; do
		if [ -c "$r/$p" ] && [ "$(stat -c %t:%T "$r/$p")" = 0:0 ]; then
			# A whiteout: Linux links them all to one inode (nlink differs).
			echo "fstatat AT_FDCWD $p AT_SYMLINK_NOFOLLOW type,mode,uid,gid,size,major,minor"
			continue
		fi
		echo "fstatat AT_FDCWD $p AT_SYMLINK_NOFOLLOW type,mode,nlink,uid,gid,size,major,minor"
		if [ -L "$r/$p" ]; then
			echo "readlink $p"
		elif [ -d "$r/$p" ]; then
			echo "readdir $p"
			[ "$dir" = up/u ] && echo "getxattr $p trusted.overlay.opaque"
		elif [ -f "$r/$p" ]; then
			echo "open $p O_RDONLY : pread 0 65536 0"
		fi
	done
}

# run_one NAME FILE LODIR TDIR: 0 when both sides print the same.
run_one() {
	local name=$1 file=$2 lodir=$3 tdir=$4 orc
	setup_kernel || { echo "FAIL: $name: cannot set up the layers"; return 1; }
	sed '/^@mount/,$d' "$file" | timeout 60 "$ORACLE" "$r/$lodir" >"$work/k.out" 2>"$work/k.err"
	if ! mount -t overlay -o "$opts" overlay "$r/t" 2>>"$work/k.err"; then
		echo "FAIL: $name: kernel overlay mount failed: $(cat "$work/k.err")"
		umount_all
		return 1
	fi
	sed '1,/^@mount/d' "$file" | timeout 60 "$ORACLE" "$r/$tdir" >>"$work/k.out" 2>>"$work/k.err"
	{ tree_ops t; tree_ops up/u; } >"$work/tree.op"
	timeout 60 "$ORACLE" "$r" <"$work/tree.op" >>"$work/k.out" 2>>"$work/k.err"
	umount_all
	ours_script "$file" "$lodir" "$tdir" >"$work/ours.vfs"
	# The preamble's op line prints three lines and the second one two: drop them.
	timeout 60 "$VFSLAB" repl <"$work/ours.vfs" 2>"$work/o.err" | tail -n +6 >"$work/o.out"
	orc=${PIPESTATUS[0]}
	if cmp -s "$work/k.out" "$work/o.out" && [ "$orc" -eq 0 ]; then
		return 0
	fi
	echo "FAIL: $name (vfslab exit $orc)"
	diff -u --label linux --label vfslab "$work/k.out" "$work/o.out" | head -30 | sed 's/^/  /'
	[ -s "$work/o.err" ] && sed 's/^/  stderr: /' "$work/o.err" | head -5
	return 1
}

fail=0
ran=0
if [ "$do_corpus" = 1 ]; then
	for f in "${files[@]}"; do
		ran=$((ran + 1))
		if run_one "${f#"$top"/}" "$f" "" ""; then
			echo "ok   ${f#"$top"/}"
		else
			fail=$((fail + 1))
		fi
	done
fi
if [ -n "$only_seed" ] || [ "$do_random" = 1 ]; then
	list=${only_seed:-$(seq 1 "$seeds")}
	nok=0
	for s in $list; do
		ran=$((ran + 1))
		{
			"$ORACLE" --random $((s + 100000)) 40
			echo "@mount"
			"$ORACLE" --random "$s" "$lines"
		} >"$work/random-$s.op"
		if run_one "random seed $s (--seed $s --lines $lines)" "$work/random-$s.op" lo t; then
			nok=$((nok + 1))
			rm -f "$work/random-$s.op"
		else
			fail=$((fail + 1))
		fi
	done
	echo "random: $nok of $(echo "$list" | wc -w) seeds x $lines lines agree"
fi
if [ $fail -ne 0 ]; then
	echo "difftest_overlay: $fail of $ran runs differ from Linux"
	exit 1
fi
echo "difftest_overlay: all $ran runs agree with Linux"
