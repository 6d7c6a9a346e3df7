#!/usr/bin/env bash
# verity-host-manifest.sh - make a host manifest (DESIGN §7 format) holding a directory
# prepared for verity, and print its root hash on stderr: the tree is built in a
# simulated kernel, `verity enable`d through a verity mount whose root_name is NAME (the
# basename of the mount's destination, as the mounter passes it), and every file of the
# lower directory, Merkle files included, is dumped C-escaped.
#
#   tools/verity-host-manifest.sh HOSTDIR NAME > host.manifest
#
# The content is fixed here (a small /etc-like tree); edit the REPL lines to change it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
vfslab=${VFSLAB:-$top/build/vfslab}
dir=${1:?HOSTDIR}
name=${2:?NAME}
setup="mkdir -p $dir; mount -t tmpfs lower $dir; mkdir $dir/etc;
write $dir/etc/motd 'verified by vfslab\n'; write $dir/data 'payload\n';
ln -s etc/motd $dir/link; mkdir /v;
mount -t verity -o lowerdir=$dir,root_name=$name none /v; verity enable /v"
hash=$("$vfslab" -c "$setup; verity measure /v" | tail -n 1)
echo "root hash: $hash" >&2
python3 - "$vfslab" "$setup" "$dir" "$hash" "$name" <<'PY'
import subprocess, sys
vfslab, setup, top, rh, name = sys.argv[1:]
def run(cmds):
    return subprocess.run([vfslab, "-c", setup + "; umount /v; " + cmds],
                          check=True, capture_output=True).stdout
def esc(b):
    out = []
    for c in b:
        ch = chr(c)
        if ch == "\\": out.append("\\\\")
        elif 32 <= c < 127 and ch != " ": out.append(ch)
        else: out.append("\\%03o" % c)
    return "".join(out)
print("# host tree for a verity mount (tools/verity-host-manifest.sh %s %s)" % (top, name))
print("# root hash (sha256): %s" % rh)
parts = top.strip("/").split("/")
for i in range(1, len(parts)):
    print("d /%s 0755 0 0" % "/".join(parts[:i]))
def walk(d):
    listing = run("ls -a -l %s" % d).decode().splitlines()
    for line in listing[1:]:
        f = line.split()
        fname = f[-1] if "->" not in line else line.split(" -> ")[0].split()[-1]
        if fname in (".", ".."): continue
        p = d.rstrip("/") + "/" + fname
        mode = f[0]
        bits = bits_of(mode)
        if mode[0] == "d":
            print("d %s %04o 0 0" % (p, bits)); walk(p)
        elif mode[0] == "l":
            print("l %s 0777 0 0 %s" % (p, line.split(" -> ")[1]))
        else:
            print("f %s %04o 0 0 %s" % (p, bits, esc(run("cat %s" % p))))
def bits_of(mode):
    bits = 0
    for i, c in enumerate(mode[1:10]):
        if c != "-": bits |= 1 << (8 - i)
    if mode[9] in "tT": bits |= 0o1000
    if mode[6] in "sS": bits |= 0o2000
    if mode[3] in "sS": bits |= 0o4000
    return bits
root = run("ls -l -d %s" % top).decode().split()[0]
print("d %s %04o 0 0" % (top, bits_of(root)))
walk(top)
PY
