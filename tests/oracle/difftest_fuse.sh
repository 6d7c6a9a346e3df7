#!/bin/bash
# difftest_fuse.sh - the oracle's op corpus through `vfslab fuse`, against the kernel's tmpfs.
#
#   tests/oracle/difftest_fuse.sh [--keep] [FILE.op...]     (default: tests/oracle/corpus/*.op)
#
# Each corpus file runs twice through build/oracle (real system calls): once in a fresh
# kernel tmpfs, once in the root of a fresh `vfslab fuse` mount (its root chmod'ed to 1777
# first, as a tmpfs root is). Ours, seen through the host's FUSE, must print what the
# kernel's tmpfs prints. Output is compared line by line as in difftest.sh.
#
# Kept divergences. FUSE itself, not our VFS, makes these lines differ; each is skipped by
# its exact text (FILE<TAB>LINE in the SKIP list below): a skipped line is replaced by a
# comment on both sides, so line numbers stay put and nothing else is dropped. Add a line
# here only with its reason:
#
#   - (none needed so far: see the list below, kept empty deliberately when empty)
#
# Known differences by construction (not skipped, because the corpus does not print them,
# as for difftest.sh; see divergences.md): inode numbers, unset times, st_blocks, st_dev.
# st_blocks is ours; st_dev is the FUSE mount's.
#
# Prints "difftest-fuse: N of M files agree (S lines skipped)" and exits 1 on any
# difference; "SKIP: ..." and exit 0 without root, /dev/fuse or fusermount3.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ORACLE=${ORACLE:-$top/build/oracle}
VFSLAB=${VFSLAB:-$top/build/vfslab}
keep=0
files=()

# FILE<TAB>exact op line: skipped on both sides (see the comment block above).
SKIP=(
)

while [ $# -gt 0 ]; do
	case "$1" in
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "difftest-fuse: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: difftest-fuse: needs root (mounts, allow_other, switching users)"
	exit 0
fi
if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
	echo "SKIP: difftest-fuse: /dev/fuse or fusermount3 is missing (fuse3; make deps)"
	exit 0
fi
for b in "$ORACLE" "$VFSLAB"; do
	if [ ! -x "$b" ]; then
		echo "difftest-fuse: $b is missing (run make first)" >&2
		exit 1
	fi
done

work=$(mktemp -d /tmp/vfslab-difftest-fuse.XXXXXX)
chmod 755 "$work"
kmnt=$work/tmpfs
fmnt=$work/fuse
mkdir "$kmnt" "$fmnt"
pid=
cleanup() {
	mountpoint -q "$kmnt" 2>/dev/null && umount "$kmnt"
	if findmnt "$fmnt" >/dev/null 2>&1; then
		fusermount3 -u "$fmnt" 2>/dev/null || umount -l "$fmnt"
	fi
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	if [ "$keep" = 1 ]; then
		echo "difftest-fuse: work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# filtered FILE: the file with its SKIP lines turned into comments; counts them in $nskip.
nskip=0
filtered() {
	local base=${1##*/} entry
	cp "$1" "$work/in.op"
	for entry in "${SKIP[@]+"${SKIP[@]}"}"; do
		[ "${entry%%	*}" = "$base" ] || continue
		ENTRY=${entry#*	} awk '$0 == ENVIRON["ENTRY"] { print "# skipped (fuse)"; n++; next }
			{ print } END { exit n == 0 }' "$work/in.op" >"$work/in.tmp" ||
			echo "difftest-fuse: warning: skip entry not found in $base: ${entry#*	}" >&2
		mv "$work/in.tmp" "$work/in.op"
		nskip=$((nskip + 1))
	done
}

start_fuse() {
	"$VFSLAB" fuse "$fmnt" >"$work/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		findmnt "$fmnt" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL: vfslab fuse did not mount: $(head -c 500 "$work/server.log")"
	return 1
}

stop_fuse() {
	local rc
	fusermount3 -u "$fmnt"
	wait "$pid"
	rc=$?
	pid=
	if [ $rc -ne 0 ]; then
		echo "FAIL: vfslab fuse exited $rc: $(head -c 500 "$work/server.log")"
		return 1
	fi
}

run_one() {
	local name=$1 file=$2 krc frc idx lineno
	filtered "$file"
	mount -t tmpfs tmpfs "$kmnt" || { echo "FAIL: $name: cannot mount a tmpfs"; return 1; }
	timeout 120 "$ORACLE" -n "$kmnt" <"$work/in.op" >"$work/k.num" 2>"$work/k.err"
	krc=$?
	umount "$kmnt"
	if [ $krc -ne 0 ]; then
		echo "FAIL: $name: the oracle failed on the kernel's tmpfs (exit $krc)"
		return 1
	fi
	start_fuse || return 1
	chmod 1777 "$fmnt"
	timeout 120 "$ORACLE" -n "$fmnt" <"$work/in.op" >"$work/f.num" 2>"$work/f.err"
	frc=$?
	stop_fuse || return 1
	if [ $frc -ne 0 ]; then
		echo "FAIL: $name: the oracle failed on the FUSE mount (exit $frc)"
		sed 's/^/  /' "$work/f.err" | head -5
		return 1
	fi
	if cmp -s "$work/k.num" "$work/f.num"; then
		return 0
	fi
	# Numbered lines: the first difference names the op line.
	idx=$(diff "$work/k.num" "$work/f.num" | grep -m1 '^[<>]' | cut -c3- | cut -f1)
	echo "FAIL: $name: differs from Linux"
	for lineno in $(diff "$work/k.num" "$work/f.num" | grep '^[<>]' | cut -c3- | cut -f1 |
		uniq | head -10); do
		echo "  $file:$lineno: op $(sed -n "${lineno}p" "$file" | cut -c1-200)"
		echo "    linux: $(awk -F'\t' -v l="$lineno" '$1 == l { printf "%s ", $2 }' "$work/k.num")"
		echo "    fuse:  $(awk -F'\t' -v l="$lineno" '$1 == l { printf "%s ", $2 }' "$work/f.num")"
	done
	: "$idx"
	return 1
}

[ ${#files[@]} -eq 0 ] && files=("$here"/corpus/*.op)
ok=0
fail=0
for f in "${files[@]}"; do
	if run_one "${f#"$top"/}" "$f"; then
		echo "ok   ${f#"$top"/}"
		ok=$((ok + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "difftest-fuse: $ok of $((ok + fail)) files agree ($nskip lines skipped)"
[ $fail -eq 0 ]
