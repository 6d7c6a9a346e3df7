#!/bin/bash
# diod_client.sh - our 9P client (the "9p" filesystem) against diod as the server.
#
# Starts `diod -f -n -N -l 127.0.0.1:PORT -e DIR` on a free loopback port, then runs
# `vfslab repl -c '...'` sessions that mount DIR with trans=tcp and create, write, read,
# rename, link, list, stat, chmod, chown, truncate, set and remove xattrs through our VFS;
# each result is checked on the host directory itself (ls, stat, cat, readlink, and
# getfattr or Python's os.getxattr), and what the host made is checked through our client.
# diod answers Trenameat/Tunlinkat with EOPNOTSUPP: the fallbacks (Trename, Tremove) are
# exercised here.
#
# Prints "diod-client-interop: N passed, M failed" and exits 1 on any failure (the work
# directory is kept then); "SKIP: ..." and exit 0 when diod is missing.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
vfslab=${VFSLAB:-$top/${BUILD:-build}/vfslab}
diod=$(command -v diod || ls /usr/sbin/diod 2>/dev/null || true)

if [ -z "$diod" ]; then
	echo "SKIP: diod-client-interop: diod is not installed (Debian package diod; make deps)"
	exit 0
fi
if [ ! -x "$vfslab" ]; then
	echo "diod-client-interop: $vfslab does not exist (run make)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/diod-client.XXXXXX")
dir=$work/export
mkdir -p "$dir"
passed=0
failed=0
diod_pid=

cleanup() {
	if [ -n "$diod_pid" ]; then
		kill "$diod_pid" 2>/dev/null
		wait "$diod_pid" 2>/dev/null
	fi
}
trap cleanup EXIT

ok() {
	passed=$((passed + 1))
}

bad() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi
}

getx() {
	if command -v getfattr >/dev/null 2>&1; then
		getfattr --only-values -n "$2" "$1" 2>/dev/null
	else
		python3 -c 'import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())' \
			"$1" "$2" 2>/dev/null
	fi
}

setx() {
	if command -v setfattr >/dev/null 2>&1; then
		setfattr -n "$2" -v "$3" "$1"
	else
		python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' \
			"$1" "$2" "$3"
	fi
}

# A free loopback port: bind to 0 and read what the kernel chose.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$diod" -f -n -N -l "127.0.0.1:$port" -e "$dir" -L "$work/diod.log" &
diod_pid=$!
for _ in $(seq 50); do
	if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' \
		"$port" 2>/dev/null; then
		break
	fi
	sleep 0.1
done

mnt="mkdir /mnt; mount -t 9p -o trans=tcp,port=$port,aname=$dir 127.0.0.1 /mnt"

run() {
	timeout 60 "$vfslab" repl -c "$mnt; $1" >"$work/out" 2>"$work/err"
}

# --- session 1: make things through our client, check them on the host ------------
echo hostdata >"$dir/hostfile"
if run "write /mnt/file hello from vfslab; mkdir /mnt/dir; write /mnt/dir/a moved;
	mv /mnt/dir/a /mnt/dir/b; ln /mnt/file /mnt/hard; ln -s file /mnt/sym;
	chmod 640 /mnt/file; chown 1234:5678 /mnt/hard; write /mnt/trunc 0123456789;
	truncate -s 4 /mnt/trunc; setxattr /mnt/file user.color blue;
	setxattr /mnt/file user.gone x; removexattr /mnt/file user.gone;
	mkdir /mnt/emptydir; rmdir /mnt/emptydir; write /mnt/del x; rm /mnt/del;
	mv /mnt/hostfile /mnt/dir/hostfile2"; then
	ok
else
	bad "session 1: $(cat "$work/err")"
fi
check "file content" "hello from vfslab" "$(cat "$dir/file" 2>&1)"
check "file mode" "640" "$(stat -c %a "$dir/file" 2>&1)"
check "hard link count" "2" "$(stat -c %h "$dir/file" 2>&1)"
check "hard link inode" "$(stat -c %i "$dir/file" 2>&1)" "$(stat -c %i "$dir/hard" 2>&1)"
check "chown" "1234:5678" "$(stat -c %u:%g "$dir/hard" 2>&1)"
check "symlink" "file" "$(readlink "$dir/sym" 2>&1)"
check "mkdir" "directory" "$(stat -c %F "$dir/dir" 2>&1)"
check "rename into dir" "moved" "$(cat "$dir/dir/b" 2>&1)"
check "rename source gone" "no" "$([ -e "$dir/dir/a" ] && echo yes || echo no)"
check "rename of a host file" "hostdata" "$(cat "$dir/dir/hostfile2" 2>&1)"
check "truncate" "4 0123" "$(stat -c %s "$dir/trunc" 2>&1) $(cat "$dir/trunc" 2>&1)"
check "xattr set" "blue" "$(getx "$dir/file" user.color)"
check "xattr removed" "" "$(getx "$dir/file" user.gone)"
check "rmdir" "no" "$([ -e "$dir/emptydir" ] && echo yes || echo no)"
check "unlink" "no" "$([ -e "$dir/del" ] && echo yes || echo no)"
check "listing" "dir file hard sym trunc" "$(cd "$dir" && echo $(ls))"

# --- session 2: what the host made, read through our client -----------------------
printf 'made on the host\n' >"$dir/fromhost"
setx "$dir/fromhost" user.origin host
mkdir -p "$dir/deep/er"
printf 'x%.0s' $(seq 100000) >"$dir/deep/er/big"
if run "cat /mnt/fromhost; getxattr /mnt/fromhost user.origin; listxattr /mnt/file;
	ls /mnt; ls /mnt/dir; readlink /mnt/sym; cat /mnt/sym; stat /mnt/hard;
	stat /mnt/deep/er/big"; then
	ok
else
	bad "session 2: $(cat "$work/err")"
fi
out=$(cat "$work/out")
expect() {
	if grep -qxF -- "$2" <<<"$out"; then ok; else bad "$1: no line '$2' in output"; fi
}
expect "cat host file" "made on the host"
expect "getxattr" "host"
expect "listxattr" "user.color"
expect "ls lists sym" "sym"
expect "ls lists hostfile2" "hostfile2"
expect "readlink" "file"
# write adds no newline: the file's text runs into the next command's output.
if grep -qF "hello from vfslab" <<<"$out"; then ok; else bad "cat through symlink"; fi
if grep -q "Links: 2" <<<"$out" && grep -q "Uid: ( 1234/" <<<"$out"; then ok; else
	bad "stat of the hard link: $(grep -E 'Links|Uid' <<<"$out" | tr '\n' ' ')"; fi
if grep -q "Size: 100000 " <<<"$out"; then ok; else bad "stat of a deep file: size"; fi

# --- session 3: a large file both ways (several msize messages) ---------------------
head -c 3000000 /dev/urandom >"$work/blob"
if timeout 60 "$vfslab" repl -c "$mnt; cat /mnt/deep/er/big" >"$work/big.out" 2>"$work/err" &&
	cmp -s "$work/big.out" "$dir/deep/er/big"; then ok; else bad "large read"; fi
cp "$work/blob" "$dir/blob"
if timeout 60 "$vfslab" repl -c "$mnt; cat /mnt/blob" >"$work/blob.out" 2>"$work/err" &&
	cmp -s "$work/blob.out" "$work/blob"; then ok; else bad "3 MB read"; fi

echo "diod-client-interop: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "diod-client-interop: work directory kept: $work" >&2
	exit 1
fi
rm -rf "$work"
exit 0
