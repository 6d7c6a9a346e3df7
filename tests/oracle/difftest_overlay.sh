#!/bin/bash
# difftest_overlay.sh - the overlay differential test: the same op lines on the Linux
# kernel's overlayfs (through build/oracle) and on vfslab's (through `vfslab repl`),
# outputs compared line by line.
#
#   tests/oracle/difftest_overlay.sh [--keep] [FILE.op...]   (default: corpus-overlay/*.op)
#
# Layout, the same on both sides, under a tmpfs root R that the op lines run in (the
# oracle chroots into it; vfslab cd's into /r): R/lo (a tmpfs, the lower layer),
# R/up (a tmpfs holding u = upperdir and w = workdir), R/t (the overlay mount point).
# A corpus file has two parts separated by a line "@mount": the first builds the lower
# tree (paths like lo/d/f), then the overlay is mounted with
# lowerdir=R/lo,upperdir=R/up/u,workdir=R/up/w, and the second part runs (paths like t/f
# through the overlay, up/u/f to look at the upper layer). Inode numbers, times and
# readdir order must stay out of the op lines (readdir sorts its names).
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
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "difftest_overlay: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
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

opts="lowerdir=$r/lo,upperdir=$r/up/u,workdir=$r/up/w"
setup_kernel || { echo "SKIP: overlay difftest: cannot mount a tmpfs"; exit 0; }
if ! mount -t overlay -o "$opts" overlay "$r/t" 2>"$work/mount.err"; then
	echo "SKIP: overlay difftest: the kernel cannot mount an overlay: $(cat "$work/mount.err")"
	exit 0
fi
umount_all

ours_ops() {
	sed -E '/^[[:space:]]*(#|$)/d; s/^[[:space:]]*(op[[:space:]]+)?/op /'
}

ours_script() {
	local file=$1
	printf 'mkdir /r\nmount -t tmpfs -o mode=0755 tmpfs /r\n'
	printf 'op mkdir /r/lo 0755 : mkdir /r/up 0755 : mkdir /r/t 0755\n'
	printf 'mount -t tmpfs -o mode=0755 tmpfs /r/lo\nmount -t tmpfs -o mode=0755 tmpfs /r/up\n'
	printf 'op mkdir /r/up/u 0755 : mkdir /r/up/w 0755\ncd /r\n'
	sed '/^@mount/,$d' "$file" | ours_ops
	printf 'mount -t overlay -o lowerdir=/r/lo,upperdir=/r/up/u,workdir=/r/up/w overlay /r/t\n'
	sed '1,/^@mount/d' "$file" | ours_ops
}

run_one() {
	local file=$1 orc
	setup_kernel || { echo "FAIL: $file: cannot set up the layers"; return 1; }
	sed '/^@mount/,$d' "$file" | timeout 60 "$ORACLE" "$r" >"$work/k.out" 2>"$work/k.err"
	if ! mount -t overlay -o "$opts" overlay "$r/t" 2>>"$work/k.err"; then
		echo "FAIL: $file: kernel overlay mount failed: $(cat "$work/k.err")"
		umount_all
		return 1
	fi
	sed '1,/^@mount/d' "$file" | timeout 60 "$ORACLE" "$r" >>"$work/k.out" 2>>"$work/k.err"
	umount_all
	ours_script "$file" >"$work/ours.vfs"
	# The preamble's op line prints three lines and the second one two: drop them.
	timeout 60 "$VFSLAB" repl <"$work/ours.vfs" 2>"$work/o.err" | tail -n +6 >"$work/o.out"
	orc=${PIPESTATUS[0]}
	if cmp -s "$work/k.out" "$work/o.out" && [ "$orc" -eq 0 ]; then
		return 0
	fi
	echo "FAIL: $file (vfslab exit $orc)"
	diff -u --label linux --label vfslab "$work/k.out" "$work/o.out" | head -30 | sed 's/^/  /'
	[ -s "$work/o.err" ] && sed 's/^/  stderr: /' "$work/o.err" | head -5
	return 1
}

fail=0
ran=0
for f in "${files[@]}"; do
	ran=$((ran + 1))
	if run_one "$f"; then
		echo "ok   ${f#"$top"/}"
	else
		fail=$((fail + 1))
	fi
done
if [ $fail -ne 0 ]; then
	echo "difftest_overlay: $fail of $ran files differ from Linux"
	exit 1
fi
echo "difftest_overlay: all $ran files agree with Linux"
