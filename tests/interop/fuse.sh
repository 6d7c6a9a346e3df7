#!/bin/bash
# fuse.sh - `vfslab fuse` seen through the host's own tools.
#
# Starts `vfslab fuse MNT` in the background, waits for the mount (findmnt), then works in
# MNT with coreutils, dd, cmp, cp -a, diff -r and python3 (xattrs: setfattr/getfattr are
# used when the attr package is there): create, write, read, rename, link, symlink,
# chmod, chown, xattrs, a deep tree, a 64 MiB file, a tree copied in and out; other users
# (setpriv --reuid=65534 --regid=65534 --clear-groups) get EACCES where our VFS says so.
# Then a second server with --readonly gives EROFS. Each server is ended with
# `fusermount3 -u` (the first) or SIGTERM (the second) and must exit 0.
#
# Prints "fuse-interop: N passed, M failed" and exits 1 if anything failed (the work
# directory is kept then); "SKIP: ..." and exit 0 without root, /dev/fuse or fuse3's tools.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
vfslab=${VFSLAB:-$build/vfslab}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: fuse-interop: needs root (allow_other, chown, switching users)"
	exit 0
fi
if [ ! -c /dev/fuse ]; then
	echo "SKIP: fuse-interop: /dev/fuse is missing (no fuse module, or not passed to the container)"
	exit 0
fi
for tool in fusermount3 findmnt setpriv python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: fuse-interop: $tool is not installed (fuse3, util-linux, python3; make deps)"
		exit 0
	fi
done
if [ ! -x "$vfslab" ]; then
	echo "fuse-interop: $vfslab does not exist (run make)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fuse-interop.XXXXXX")
chmod 755 "$work"
mnt=$work/mnt
mkdir "$mnt"
passed=0
failed=0
pid=

fail() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

pass() {
	passed=$((passed + 1))
}

# check NAME CMD...: the command must succeed.
check() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		pass
	else
		fail "$name: $* ($(head -c 300 "$work/out"))"
	fi
}

# expect NAME WANT CMD...: the command's output must be WANT.
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then
		pass
	else
		fail "$name: $*: want '$want', got '$got'"
	fi
}

# denied NAME CMD...: as uid/gid 65534, the command must fail with "Permission denied".
denied() {
	local name=$1
	shift
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$@" >"$work/out" 2>&1; then
		fail "$name: $* succeeded as 65534"
	elif grep -q "Permission denied" "$work/out"; then
		pass
	else
		fail "$name: $*: not EACCES: $(head -c 300 "$work/out")"
	fi
}

# nobody NAME CMD...: as uid/gid 65534, the command must succeed.
nobody() {
	local name=$1
	shift
	check "$name" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

cleanup() {
	if findmnt "$mnt" >/dev/null 2>&1; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	if [ "$failed" -eq 0 ]; then
		rm -rf "$work"
	else
		echo "fuse-interop: work directory kept: $work"
	fi
}
trap cleanup EXIT

# start [OPTIONS]: a server on $mnt, in the background; 0 once the mount is there.
start() {
	"$vfslab" fuse "$mnt" "$@" >"$work/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		findmnt "$mnt" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "the server did not mount $mnt: $(head -c 500 "$work/server.log")"
	return 1
}

# stop HOW: end the server (fusermount3 or a signal); it must exit 0 and leave no mount.
stop() {
	local rc
	if [ "$1" = unmount ]; then
		check "fusermount3 -u" fusermount3 -u "$mnt"
	else
		kill -TERM "$pid"
	fi
	wait "$pid"
	rc=$?
	pid=
	if [ $rc -eq 0 ]; then pass; else fail "server exited $rc ($1): $(cat "$work/server.log")"; fi
	if findmnt "$mnt" >/dev/null 2>&1; then fail "still mounted after $1"; else pass; fi
}

# Errors the command line must refuse before mounting.
expect "usage" 2 sh -c "'$vfslab' fuse >/dev/null 2>&1; echo \$?"
expect "--spec" "vfslab: fuse: /nonexistent: No such file or directory" \
	sh -c "'$vfslab' fuse '$mnt' --spec /nonexistent 2>&1"
expect "bad mount point" 1 sh -c "'$vfslab' fuse '$work/nonexistent' 2>/dev/null; echo \$?"

start || exit 1
m=$mnt

# The basics.
check "chmod root" chmod 1777 "$m"
check "create" sh -c "echo hello >'$m/a'"
expect "read" hello cat "$m/a"
check "append" sh -c "echo world >>'$m/a'"
expect "read after append" "hello
world" cat "$m/a"
check "rename" mv "$m/a" "$m/b"
expect "old name gone" 1 sh -c "test -e '$m/a'; echo \$?"
check "link" ln "$m/b" "$m/c"
expect "nlink" "2 2" sh -c "echo \$(stat -c %h '$m/b') \$(stat -c %h '$m/c')"
expect "hard link inode" "$(stat -c %i "$m/b")" stat -c %i "$m/c"
check "symlink" ln -s b "$m/s"
expect "readlink" b readlink "$m/s"
expect "through symlink" "hello
world" cat "$m/s"
check "chmod" chmod 0640 "$m/b"
expect "mode" 640 stat -c %a "$m/c"
check "chown" chown 65534:65534 "$m/b"
expect "owner" "65534:65534" stat -c %u:%g "$m/c"
check "truncate" truncate -s 3 "$m/b"
expect "size" 3 stat -c %s "$m/b"
check "touch -d" touch -d "2001-02-03 04:05:06" "$m/b"
expect "mtime" "2001-02-03 04:05:06" date -r "$m/b" "+%Y-%m-%d %H:%M:%S"
check "unlink" rm "$m/b"
expect "nlink after unlink" 1 stat -c %h "$m/c"
check "mkdir" mkdir "$m/dir"
check "rmdir" rmdir "$m/dir"
check "mknod fifo" mkfifo "$m/fifo"
expect "fifo type" "fifo" stat -c %F "$m/fifo"
check "rename over" sh -c "echo x >'$m/r1' && echo y >'$m/r2' && mv '$m/r1' '$m/r2'"
expect "renamed content" x cat "$m/r2"
expect "statfs" "fuse.vfslab" findmnt -n -o FSTYPE "$m"
check "df" df "$m"
expect "rmdir non-empty" "Directory not empty" sh -c "mkdir -p '$m/ne/x'; rmdir '$m/ne' 2>&1 | sed 's/.*: //'"

# Extended attributes.
if command -v setfattr >/dev/null 2>&1; then
	check "setfattr" setfattr -n user.k -v val "$m/c"
	expect "getfattr" "val" getfattr --only-values -n user.k "$m/c"
else
	check "setxattr" python3 -c "import os; os.setxattr('$m/c', 'user.k', b'val')"
	expect "getxattr" "b'val'" python3 -c "import os; print(os.getxattr('$m/c', 'user.k'))"
fi
expect "listxattr" "['user.k']" python3 -c "import os; print(os.listxattr('$m/c'))"
check "removexattr" python3 -c "import os; os.removexattr('$m/c', 'user.k')"
expect "xattr gone" "ENODATA" python3 -c "
import errno, os
try: os.getxattr('$m/c', 'user.k')
except OSError as e: print(errno.errorcode[e.errno])"

# A deep tree, and a tree copied in and out, compared with diff -r.
deep=$m/deep
for i in $(seq 1 40); do deep=$deep/d$i; done
check "mkdir -p deep" mkdir -p "$deep"
check "deep file" sh -c "echo bottom >'$deep/f'"
expect "deep read" bottom cat "$deep/f"
expect "find deep" 41 sh -c "find '$m/deep' -type d | wc -l"

src=$work/src
mkdir -p "$src/a/b/c" "$src/e"
for i in $(seq 1 50); do echo "file $i" >"$src/a/f$i"; done
printf 'x%.0s' $(seq 1 10000) >"$src/a/b/c/ten-k"
ln -s ../a/f1 "$src/e/link"
ln "$src/a/f2" "$src/e/hard"
chmod 0750 "$src/a/b"
chown -h 1234:5678 "$src/e/link" "$src/a/f3"
touch -h -d "1999-12-31 23:59:59" "$src/e/link" "$src/a/f4"
check "cp -a in" cp -a "$src" "$m/tree"
check "diff -r in" diff -r "$src" "$m/tree"
expect "cp -a kept owners" "1234:5678 1234:5678" sh -c \
	"echo \$(stat -c %u:%g '$m/tree/a/f3') \$(stat -c %u:%g '$m/tree/e/link')"
expect "cp -a kept times" "$(stat -c %Y "$src/a/f4")" stat -c %Y "$m/tree/a/f4"
expect "cp -a kept hard links" "$(stat -c %i "$m/tree/a/f2")" stat -c %i "$m/tree/e/hard"
check "cp -a out" cp -a "$m/tree" "$work/back"
check "diff -r out" diff -r "$src" "$work/back"
expect "ls -lR same" "$(cd "$src" && ls -lR --time-style=+%s . | sed 's/^total.*//')" \
	sh -c "cd '$work/back' && ls -lR --time-style=+%s . | sed 's/^total.*//'"

# A large file.
check "dd 64 MiB" dd if=/dev/urandom of="$work/big" bs=1M count=64 status=none
check "dd into the mount" dd if="$work/big" of="$m/big" bs=1M status=none
check "cmp 64 MiB" cmp "$work/big" "$m/big"
expect "size 64 MiB" 67108864 stat -c %s "$m/big"
check "random access" bash -c "dd if='$m/big' bs=4096 skip=1000 count=3 status=none |
	cmp - <(dd if='$work/big' bs=4096 skip=1000 count=3 status=none)"
check "rm big" rm "$m/big"

# Another user: our VFS decides.
check "private dir" sh -c "mkdir '$m/priv' && echo secret >'$m/priv/f' && chmod 700 '$m/priv'"
denied "ls private dir" ls "$m/priv"
denied "cat through private dir" cat "$m/priv/f"
denied "stat through private dir" stat "$m/priv/f"
check "root-only file" sh -c "echo r >'$m/ro' && chmod 600 '$m/ro'"
denied "read 0600 file" cat "$m/ro"
denied "write 0600 file" sh -c "echo x >>'$m/ro'"
expect "chmod others' file" "Operation not permitted" sh -c \
	"setpriv --reuid=65534 --regid=65534 --clear-groups chmod 777 '$m/ro' 2>&1 | sed 's/.*: //'"
check "private owned dir" sh -c "mkdir '$m/own' && chmod 755 '$m/own'"
denied "create in others' dir" touch "$m/own/x"
denied "mkdir in others' dir" mkdir "$m/own/y"
nobody "create in 1777 root" sh -c "echo mine >'$m/nb'"
expect "nobody owns it" "65534:65534" stat -c %u:%g "$m/nb"
check "root's file in sticky root" sh -c "echo r >'$m/sticky' && chmod 666 '$m/sticky'"
expect "sticky: others cannot delete" "Operation not permitted" sh -c \
	"setpriv --reuid=65534 --regid=65534 --clear-groups rm -f '$m/sticky' 2>&1 | sed 's/.*: //'"
nobody "write 0666 file" sh -c "echo w >>'$m/sticky'"
check "group access" sh -c "mkdir '$m/grp' && chown 0:4321 '$m/grp' && chmod 770 '$m/grp'"
denied "not in the group" ls "$m/grp"
check "in the group" setpriv --reuid=65534 --regid=65534 --groups=4321 ls "$m/grp"
check "setuid bit" sh -c "echo x >'$m/suid' && chmod 4777 '$m/suid'"
nobody "write clears setuid" sh -c "echo y >>'$m/suid'"
expect "setuid cleared" 777 stat -c %a "$m/suid"

# What the host caches (tui/fuse_main.c, "Caching"): a name cached while everyone could
# search its directory must not outlive that permission, a node must stay reachable by
# its other names when the one it was last seen by goes, and a read must set atime where
# relatime says so even if the host still holds the file's pages.
check "cache: tree" sh -c "mkdir -p '$m/wc/sub' '$m/mvdst' && echo w >'$m/wc/sub/f' &&
	chmod 755 '$m/wc' '$m/wc/sub' && chmod 700 '$m/mvdst'"
nobody "cache: others walk an a+x dir" cat "$m/wc/sub/f"
check "cache: chmod 700" chmod 700 "$m/wc"
denied "cache: chmod 700 ends others' cached walk" cat "$m/wc/sub/f"
denied "cache: and their stat" stat "$m/wc/sub/f"
check "cache: chmod 755 again" chmod 755 "$m/wc"
nobody "cache: others walk it again" cat "$m/wc/sub/f"
check "cache: move into a 0700 dir" mv "$m/wc/sub" "$m/mvdst/sub"
denied "cache: moved entry is not walked by others" cat "$m/mvdst/sub/f"
check "cache: hard links" sh -c "echo ln >'$m/ln1' && ln '$m/ln1' '$m/ln2' && cat '$m/ln1' && rm '$m/ln2'"
expect "cache: open by the other name after rm" ln cat "$m/ln1"
check "cache: rename over a link" sh -c "echo rv >'$m/rv1' && ln '$m/rv1' '$m/rv2' &&
	cat '$m/rv1' && echo other >'$m/rv3' && mv '$m/rv3' '$m/rv2' && rm '$m/rv2'"
expect "cache: open by the other name after mv over" rv cat "$m/rv1"
expect "cache: relatime read after chmod sets atime" "yes yes" python3 -c "
import os
p = '$m/at'
with open(p, 'w') as f: f.write('a')
for _ in range(2):
    with open(p) as f: f.read()
st = os.stat(p)
a = st.st_atime_ns > st.st_mtime_ns
os.chmod(p, 0o600)
with open(p) as f: f.read()
st = os.stat(p)
print('yes' if a else 'no', 'yes' if st.st_atime_ns > st.st_ctime_ns else 'no')"

stop unmount

# Read-only, ended by SIGTERM.
start --readonly || exit 1
expect "readonly create" "Read-only file system" sh -c "touch '$m/x' 2>&1 | sed 's/.*: //'"
expect "readonly mkdir" "Read-only file system" sh -c "mkdir '$m/x' 2>&1 | sed 's/.*: //'"
check "readonly ls" ls -la "$m"
# A directory still open when the server ends: its handle must be freed at exit (the
# ASan build's leak check fails the server otherwise).
exec 3<"$m"
stop signal
exec 3<&-

# A spec's mount setup, served whole: the verity fixture (a verified tree over a 9p bind,
# proc, devtmpfs, the internal /tmp), browsed with the host's tools.
start --spec "$top/fixtures/specs/verity" || exit 1
expect "spec: verified file" "verified by vfslab" cat "$m/verified/etc/motd"
expect "spec: verified symlink" "etc/motd" readlink "$m/verified/link"
expect "spec: verity refuses writes" "Read-only file system" \
	sh -c "touch '$m/verified/new' 2>&1 | sed 's/.*: //'"
expect "spec: devtmpfs" "character special file" stat -c %F "$m/dev/null"
expect "spec: proc mounted" "1" sh -c "ls '$m/proc' | grep -cx 1"
expect "spec: rootfs" "vfslab" cat "$m/etc/hostname"
check "spec: tmp writable" sh -c "echo x > '$m/tmp/f'"
stop unmount

echo "fuse-interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
