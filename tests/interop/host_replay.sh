#!/bin/bash
# host_replay.sh - a spec's mount setup on the real host (--host): `vfslab gofer`
# processes serve a temporary rootfs directory and bind sources (a directory read-only,
# a file, a directory read-write) over socketpairs, as runsc's gofers do.
#
# Checks: the mount table (9p root read-only again at the end, each bind over its own
# gofer), findmnt -F parses it, files read through the sandbox are the host's, a write
# through the read-write bind lands in the host directory, the read-only ones refuse
# writes (EROFS), nothing outside the bundle is reachable through '..', a missing bind
# source is a clear error naming it, and no gofer process is left behind.
#
# Prints "host-replay: N passed, M failed"; exit 1 if anything failed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
vfslab=${VFSLAB:-$build/vfslab}
[ -x "$vfslab" ] || { echo "host-replay: $vfslab does not exist (run make)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/host-replay.XXXXXX")
passed=0
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
pass() { passed=$((passed + 1)); }
expect() { # expect NAME PATTERN FILE
	if grep -qE -- "$2" "$3"; then pass; else fail "$1: no /$2/ in:"; tail -5 "$3" >&2; fi
}

b=$work/bundle
mkdir -p "$b/rootfs/bin" "$b/rootfs/etc" "$b/rootfs/tmp" "$work/ro" "$work/rw" "$work/secret"
printf '#!/bin/sh\n' >"$b/rootfs/bin/sh"
chmod 755 "$b/rootfs/bin/sh"
echo host-rootfs >"$b/rootfs/etc/hostname"
: >"$b/rootfs/etc/hosts" # a file mount point for the file bind
echo read-only-data >"$work/ro/f"
echo file-bind >"$work/hosts"
echo secret >"$work/secret/s"
cat >"$b/config.json" <<JSON
{"ociVersion":"1.0.2",
 "process":{"args":["sh"],"env":["PATH=/bin"],"cwd":"/","user":{"uid":0,"gid":0}},
 "root":{"path":"rootfs","readonly":true},
 "mounts":[
  {"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/data","type":"bind","source":"$work/ro","options":["rbind","ro"]},
  {"destination":"/out","type":"bind","source":"$work/rw","options":["rbind","rw"]},
  {"destination":"/etc/hosts","type":"bind","source":"$work/hosts","options":["rbind","ro"]}]}
JSON

"$vfslab" replay "$b" --host >"$work/mi" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] && pass || { fail "replay --host exited $rc"; cat "$work/err" >&2; }
expect "root" '^[0-9]+ [0-9]+ [0-9:]+ / / ro,relatime - 9p rootfs rw,trans=fd,rfdno=3,wfdno=3' "$work/mi"
expect "ro bind" " /data ro,relatime - 9p $work/ro rw,trans=fd,rfdno=" "$work/mi"
expect "rw bind" " /out rw,relatime - 9p $work/rw " "$work/mi"
expect "file bind" " /etc/hosts ro,relatime - 9p $work/hosts " "$work/mi"
expect "proc" " /proc rw,relatime - proc proc " "$work/mi"
if command -v findmnt >/dev/null; then
	n=$(findmnt -F "$work/mi" -n -r -o TARGET | grep -c .)
	[ "$n" -eq "$(grep -c . "$work/mi")" ] && pass || fail "findmnt -F read $n lines"
fi

"$vfslab" repl --host --spec "$b" -c 'continue; cat /etc/hostname; cat /data/f; cat /etc/hosts;
write /out/new made-in-sandbox; -write /data/g x; -mkdir /x; cat /../../secret/s' \
	>"$work/out" 2>"$work/err"
expect "rootfs file" '^host-rootfs$' "$work/out"
expect "ro bind file" '^read-only-data$' "$work/out"
expect "file bind" '^file-bind$' "$work/out"
expect "write to ro bind" 'write: /data/g: EROFS' "$work/err"
expect "mkdir on ro root" 'mkdir: /x: EROFS' "$work/err"
expect "no escape" 'cat: /../../secret/s: ENOENT' "$work/err"
if [ "$(cat "$work/rw/new" 2>/dev/null)" = made-in-sandbox ]; then pass; else fail "rw bind write not on the host"; fi
[ ! -e "$work/ro/g" ] && pass || fail "ro bind written"

# A file bind onto a missing mount point under a read-only root: the mount point made is
# a synthetic directory, and a file cannot be mounted on it (as in runsc).
rm "$b/rootfs/etc/hosts"
"$vfslab" replay "$b" --host >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && pass || fail "file on synthetic dir: exit $rc"
expect "file on synthetic dir" 'mount submount "/etc/hosts": the mount point and the mount.s root differ in type' "$work/err"

# A bind source missing on the host is an error naming it; nothing is made up.
sed -i "s|$work/hosts|$work/missing|" "$b/config.json"
"$vfslab" replay "$b" --host >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 1 ] && pass || fail "missing source: exit $rc"
expect "missing source" "bind source $work/missing: No such file or directory" "$work/err"
[ ! -e "$work/missing" ] && pass || fail "missing source was created"

sleep 0.2
left=$(pgrep -f "gofer --root $work" | wc -l)
[ "$left" -eq 0 ] && pass || fail "$left gofer processes left"

echo "host-replay: $passed passed, $failed failed"
if [ $failed -ne 0 ]; then
	echo "host-replay: work directory kept: $work" >&2
	exit 1
fi
rm -rf "$work"
