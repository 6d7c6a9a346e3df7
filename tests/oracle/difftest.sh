#!/bin/bash
# difftest.sh - the differential test: the same op lines on the Linux kernel's tmpfs
# (through build/oracle) and on vfslab (through `vfslab repl`), output compared line by
# line; the first difference fails the test with the file, line, op line and both outputs.
#
#   tests/oracle/difftest.sh                 the corpus, then 50 random seeds x 200 lines
#   tests/oracle/difftest.sh FILE.op...      only these corpus files
#   tests/oracle/difftest.sh --seed S        only random seed S (reproduces a failure)
#   options: --seeds N (how many random seeds), --lines N (lines per seed),
#            --no-random, --no-corpus, --keep (leave the work directory for a look)
#
# Each corpus file and each seed starts from an empty filesystem on both sides: a fresh
# kernel tmpfs mounted on a temporary directory (the oracle chdirs into it), and a fresh
# `vfslab repl` process that mounts a fresh tmpfs on /t and cd's into it first. Paths in
# the op lines are relative, so both sides see a tmpfs root (mode 1777, owner root) as
# their working directory; a line must not climb above it with "..".
#
# Needs root (to mount, and for -u/-g) and mount -t tmpfs; where either is missing the test
# prints "SKIP: ..." and exits 0. Environment: ORACLE and VFSLAB name the binaries
# (default build/oracle and build/vfslab). Kept divergences: tests/oracle/divergences.md.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ORACLE=${ORACLE:-$top/build/oracle}
VFSLAB=${VFSLAB:-$top/build/vfslab}
seeds=50
lines=200
only_seed=
do_random=1
do_corpus=1
keep=0
files=()

while [ $# -gt 0 ]; do
	case "$1" in
	--seed) only_seed=$2; do_corpus=0; shift 2 ;;
	--seeds) seeds=$2; shift 2 ;;
	--lines) lines=$2; shift 2 ;;
	--no-random) do_random=0; shift ;;
	--no-corpus) do_corpus=0; shift ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "difftest: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); do_random=0; shift ;;
	esac
done

for b in "$ORACLE" "$VFSLAB"; do
	if [ ! -x "$b" ]; then
		echo "difftest: $b is missing (run make first)" >&2
		exit 1
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: oracle difftest: needs root (to mount a tmpfs and switch users)"
	exit 0
fi

work=$(mktemp -d /tmp/vfslab-difftest.XXXXXX)
mnt=$work/mnt
mkdir "$mnt"
cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
	if [ "$keep" = 1 ]; then
		echo "difftest: work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

if ! mount -t tmpfs tmpfs "$mnt" 2>"$work/mount.err"; then
	echo "SKIP: oracle difftest: cannot mount a tmpfs: $(cat "$work/mount.err")"
	exit 0
fi
umount "$mnt"

# Our side's script: the preamble, then each op line prefixed with "op" (comments and blank
# lines kept, so the script's line numbers stay meaningful).
ours_script() {
	printf 'mkdir /t\nmount -t tmpfs tmpfs /t\ncd /t\n'
	sed -E '/^[[:space:]]*(#|$)/!s/^[[:space:]]*(op[[:space:]]+)?/op /' "$1"
}

# Prints the report for the first difference between $work/k.out and $work/o.out.
report() {
	local name=$1 file=$2 idx lineno first count ncalls
	idx=$(awk 'NR == FNR { k[NR] = $0; nk = NR; next } { o[FNR] = $0; no = FNR }
		END { n = nk > no ? nk : no; for (i = 1; i <= n; i++)
			if (!(i in k) || !(i in o) || k[i] != o[i]) { print i; exit } }' \
		"$work/k.out" "$work/o.out")
	lineno=$(sed -n "${idx}p" "$work/k.num" | cut -f1)
	if [ -z "$lineno" ]; then
		# The kernel printed nothing more: the extra output on our side belongs to the
		# last op line the kernel ran, or to the preamble.
		lineno=$(tail -1 "$work/k.num" | cut -f1)
	fi
	echo "FAIL: $name: first difference at output line $idx"
	if [ -n "$lineno" ]; then
		first=$(awk -F'\t' -v l="$lineno" '$1 == l { print NR; exit }' "$work/k.num")
		count=$(awk -F'\t' -v l="$lineno" '$1 == l { n++ } END { print n + 0 }' "$work/k.num")
		ncalls=$(sed -n "${lineno}p" "$file" | awk '{ n = 1; for (i = 1; i <= NF; i++)
			if ($i == ":") n++; print n }')
		echo "  $file:$lineno: op $(sed -n "${lineno}p" "$file" | cut -c1-300)"
		echo "  linux:"
		awk -F'\t' -v l="$lineno" '$1 == l { print "    " substr($0, length($1) + 2) }' \
			"$work/k.num" | cut -c1-300
		echo "  vfslab:"
		# Our output for the line: from where the kernel's began, one line per call,
		# ending at an errno name, as op prints.
		awk -v a="${first:-$idx}" -v n="$ncalls" 'NR >= a && k < n { print "    " $0; k++;
			if ($0 ~ /^E[A-Z0-9]+$/) exit }' "$work/o.out" | cut -c1-300
	fi
	if [ -s "$work/o.err" ]; then
		echo "  vfslab stderr:"
		sed 's/^/    /' "$work/o.err" | head -5
	fi
}

# run_one NAME FILE: 0 when both sides print the same.
run_one() {
	local name=$1 file=$2 krc orc
	mount -t tmpfs tmpfs "$mnt" || { echo "FAIL: $name: cannot mount a tmpfs"; return 1; }
	timeout 120 "$ORACLE" -n "$mnt" <"$file" >"$work/k.num" 2>"$work/k.err"
	krc=$?
	umount "$mnt"
	if [ $krc -ne 0 ]; then
		echo "FAIL: $name: the oracle itself failed (exit $krc) - the corpus must run on Linux"
		sed 's/^/  /' "$work/k.err"
		return 1
	fi
	cut -f2- "$work/k.num" >"$work/k.out"
	ours_script "$file" >"$work/ours.vfs"
	timeout 120 "$VFSLAB" repl <"$work/ours.vfs" >"$work/o.out" 2>"$work/o.err"
	orc=$?
	if cmp -s "$work/k.out" "$work/o.out" && [ $orc -eq 0 ]; then
		return 0
	fi
	if cmp -s "$work/k.out" "$work/o.out"; then
		echo "FAIL: $name: same output, but vfslab exited with status $orc"
		sed 's/^/  /' "$work/o.err" | head -5
		return 1
	fi
	report "$name" "$file"
	[ $orc -ne 0 ] && echo "  (vfslab exited with status $orc)"
	return 1
}

fail=0
ran=0
if [ "$do_corpus" = 1 ]; then
	[ ${#files[@]} -eq 0 ] && files=("$here"/corpus/*.op)
	for f in "${files[@]}"; do
		ran=$((ran + 1))
		if run_one "${f#"$top"/}" "$f"; then
			echo "ok   ${f#"$top"/}"
		else
			fail=$((fail + 1))
		fi
	done
fi

if [ -n "$only_seed" ] || [ "$do_random" = 1 ]; then
	if [ -n "$only_seed" ]; then
		list=$only_seed
	else
		list=$(seq 1 "$seeds")
	fi
	nok=0
	for s in $list; do
		ran=$((ran + 1))
		"$ORACLE" --random "$s" "$lines" >"$work/random.op"
		cp "$work/random.op" "$work/random-$s.op"
		if run_one "random seed $s" "$work/random-$s.op"; then
			nok=$((nok + 1))
			rm -f "$work/random-$s.op"
		else
			echo "  reproduce: tests/oracle/difftest.sh --seed $s --lines $lines"
			fail=$((fail + 1))
		fi
	done
	echo "random: $nok of $(echo "$list" | wc -w) seeds x $lines lines agree"
fi

if [ $ran -eq 0 ]; then
	echo "difftest: nothing ran" >&2
	exit 1
fi
if [ $fail -ne 0 ]; then
	echo "difftest: $fail of $ran runs differ from Linux"
	exit 1
fi
echo "difftest: all $ran runs agree with Linux"
