#!/bin/bash
# findmnt.sh - our /proc/self/mountinfo and /proc/self/mounts against util-linux's parser,
# `findmnt -F FILE` (libmount), which must read them as Linux's.
#
# A batch of REPL commands mounts proc and tmpfs mounts whose sources and targets need
# mountinfo's octal escapes (space, tab, backslash), with mount flags and tmpfs options,
# then prints /proc/self/mountinfo and /proc/self/mounts into files. findmnt must see the
# same number of mounts, decode every target and source, and print exactly the expected
# TARGET,SOURCE,FSTYPE,OPTIONS table (raw output, where findmnt escapes again with \x).
#
# Prints "findmnt-interop: N passed, M failed" and exits 1 if anything differed (the work
# directory is then kept for a look); "SKIP: ..." and exit 0 when findmnt is missing.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
vfslab=${VFSLAB:-$build/vfslab}

if ! command -v findmnt >/dev/null 2>&1; then
	echo "SKIP: findmnt-interop: findmnt is not installed (Debian package util-linux; make deps)"
	exit 0
fi
if [ ! -x "$vfslab" ]; then
	echo "findmnt-interop: $vfslab does not exist (run make)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/findmnt-interop.XXXXXX")
passed=0
failed=0

fail() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

pass() {
	passed=$((passed + 1))
}

# Compare two files; name the case.
same() {
	if cmp -s "$2" "$3"; then
		pass
	else
		fail "$1"
		diff -u "$2" "$3" >&2
	fi
}

# The REPL splits its -c argument at ';' and honours double quotes; "\\" is a backslash.
script='mkdir /proc; mount -t proc proc /proc;
mkdir /mnt; mkdir "/mnt/a b"; mkdir "/mnt/tab	dir"; mkdir "/mnt/back\\slash";
mount -t tmpfs -o size=1m "a b" "/mnt/a b";
mount -t tmpfs -o ro,nosuid,nodev,noexec,mode=700,uid=5,gid=6 "tab	src" "/mnt/tab	dir";
mount -t tmpfs -o noatime "x\\y" "/mnt/back\\slash";
mkdir "/mnt/a b/inner"; mount -t tmpfs none "/mnt/a b/inner"'

if ! "$vfslab" repl -c "$script; cat /proc/self/mountinfo" >"$work/mountinfo" 2>"$work/err"; then
	fail "REPL run (mountinfo): $(cat "$work/err")"
fi
if ! "$vfslab" repl -c "$script; cat /proc/self/mounts" >"$work/mounts" 2>"$work/err"; then
	fail "REPL run (mounts): $(cat "$work/err")"
fi

# 1. Our own bytes, as Linux would print them (the format is fixed; IDs deterministic).
cat >"$work/mountinfo.want" <<'EOF'
1 1 0:2 / / rw,relatime - tmpfs rootfs rw,mode=755
2 1 0:3 / /proc rw,relatime - proc proc rw
3 1 0:4 / /mnt/a\040b rw,relatime - tmpfs a\040b rw,size=1024k
4 1 0:5 / /mnt/tab\011dir ro,nosuid,nodev,noexec,relatime - tmpfs tab\011src ro,mode=700,uid=5,gid=6
5 1 0:6 / /mnt/back\134slash rw,noatime - tmpfs x\134y rw
6 3 0:7 / /mnt/a\040b/inner rw,relatime - tmpfs none rw
EOF
same "mountinfo bytes" "$work/mountinfo.want" "$work/mountinfo"

# 2. findmnt parses every line of both files.
lines=$(wc -l <"$work/mountinfo")
n=$(findmnt -F "$work/mountinfo" -n -r -o TARGET | wc -l)
if [ "$n" -eq "$lines" ] && [ "$lines" -eq 6 ]; then pass; else
	fail "mountinfo: findmnt saw $n mounts of $lines"
fi
n=$(findmnt -F "$work/mounts" -n -r -o TARGET | wc -l)
if [ "$n" -eq 6 ]; then pass; else fail "mounts: findmnt saw $n mounts of 6"; fi

# 3. Targets and sources decoded (list output, one value a line, no escaping).
printf '%s\n' / /proc "/mnt/a b" "/mnt/tab	dir" '/mnt/back\slash' "/mnt/a b/inner" \
	>"$work/targets.want"
# Raw output escapes with \xHH: decode it back.
decode() { while IFS= read -r l; do printf '%b\n' "$l"; done; }
for f in mountinfo mounts; do
	findmnt -F "$work/$f" -n -r -o TARGET | decode >"$work/targets.$f"
	same "$f: targets" "$work/targets.want" "$work/targets.$f"
	findmnt -F "$work/$f" -n -r -o SOURCE | decode >"$work/sources.$f"
	printf '%s\n' rootfs proc "a b" "tab	src" 'x\y' none >"$work/sources.want"
	same "$f: sources" "$work/sources.want" "$work/sources.$f"
done

# 4. The whole table, raw.
findmnt -F "$work/mountinfo" -o TARGET,SOURCE,FSTYPE,OPTIONS -r >"$work/table"
cat >"$work/table.want" <<'EOF'
TARGET SOURCE FSTYPE OPTIONS
/ rootfs tmpfs rw,relatime,mode=755
/proc proc proc rw,relatime
/mnt/a\x20b a\x20b tmpfs rw,relatime,size=1024k
/mnt/tab\x09dir tab\x09src tmpfs ro,nosuid,nodev,noexec,relatime,mode=700,uid=5,gid=6
/mnt/back\x5cslash x\x5cy tmpfs rw,noatime
/mnt/a\x20b/inner none tmpfs rw,relatime
EOF
same "findmnt table (mountinfo)" "$work/table.want" "$work/table"

# 5. The tree findmnt builds from the parent IDs: inner under "a b".
parent=$(findmnt -F "$work/mountinfo" -n -r -o TARGET --target "/mnt/a b/inner" 2>/dev/null)
if [ "$(printf '%b' "$parent")" = "/mnt/a b/inner" ]; then pass; else
	fail "findmnt --target '/mnt/a b/inner' gave '$parent'"
fi

echo "findmnt-interop: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "findmnt-interop: work directory kept: $work" >&2
	exit 1
fi
rm -rf "$work"
exit 0
