#!/bin/bash
# proc_shapes.sh - the field shapes (not the values) of our /proc files against the real
# kernel's on this machine: a program parsing Linux's files must parse ours.
#
# (Validators are POSIX awk without interval expressions: mawk has none.)
# Each check runs one validator over the host's file (which must pass: it proves the
# validator describes Linux) and over ours, printed by `vfslab repl -c 'mount -t proc
# ...; cat FILE'`:
#   mountinfo    per line: IDs, MAJ:MIN, two absolute paths, options, optional fields
#                (shared:N master:N propagate_from:N unbindable), "-", then exactly three
#                fields; ours includes shared, slave and unbindable mounts
#   mounts       six fields, the last two numbers
#   filesystems  "nodev\tNAME" or "\tNAME"
#   status       "Key:\tvalue"; each of our keys is one of Linux's, in Linux's order;
#                Uid/Gid four numbers, Cap* sixteen hex digits
#   meminfo      "Key:  N kB" (or "Key:  N" where Linux has no unit); each key Linux's
#   uptime       two numbers with two decimals
#   stat         as many fields as Linux's (52 since 5.x), comm in parentheses
#   cpuinfo      "key\t: value" lines (tabs padding the key), "power management:";
#                on x86-64 each key is one of Linux's
#
# Prints "proc-shapes: N passed, M failed" and exits 1 if anything failed (the work
# directory is then kept); "SKIP: ..." and exit 0 without a Linux /proc.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
vfslab=${VFSLAB:-$build/vfslab}

if [ ! -r /proc/self/mountinfo ] || [ ! -r /proc/self/stat ]; then
	echo "SKIP: proc-shapes: no Linux /proc on this machine"
	exit 0
fi
if [ ! -x "$vfslab" ]; then
	echo "proc-shapes: $vfslab does not exist (run make)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/proc-shapes.XXXXXX")
passed=0
failed=0

fail() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

pass() {
	passed=$((passed + 1))
}

# ours FILE OUT: our FILE, from a kernel with a few mounts of each propagation type.
ours() {
	"$vfslab" repl -c "mkdir /proc; mount -t proc proc /proc; mkdir /a; mkdir /b; mkdir /c;
		mount -t tmpfs -o size=1m,mode=700 t /a; mount --make-shared /a;
		mount --bind /a /b; mount --make-slave /b;
		mount -t tmpfs c /c; mount --make-unbindable /c; cat $1" >"$2" 2>"$2.err" ||
		fail "ours: cat $1: $(cat "$2.err")"
	[ -s "$2" ] || fail "ours: $1 is empty"
}

# Linux's own copies, taken once (self is this script's cat).
host() {
	cat "$1" >"$2" 2>/dev/null || fail "host: cannot read $1"
}

# check NAME VALIDATOR: run the awk validator VALIDATOR on work/host.NAME and
# work/ours.NAME; it prints a complaint per bad line and nothing when the shape holds.
check() {
	local name=$1 prog=$2 who out
	for who in host ours; do
		out=$(awk "$prog" "$work/$who.$name" 2>&1)
		if [ -n "$out" ]; then
			fail "$name ($who): $(echo "$out" | head -5)"
		else
			pass
		fi
	done
}

for f in self/mountinfo self/mounts filesystems self/status meminfo uptime self/stat cpuinfo; do
	n=${f#self/}
	host "/proc/$f" "$work/host.$n"
	ours "/proc/$f" "$work/ours.$n"
done

# --- mountinfo -------------------------------------------------------------------------
check mountinfo '
{
	sep = 0
	for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
	if (!sep) { print "no separator: " $0; next }
	if (NF - sep != 3) { print "want 3 fields after -: " $0; next }
	if ($1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/) print "ids: " $0
	if ($3 !~ /^[0-9]+:[0-9]+$/) print "dev: " $0
	if ($4 !~ /^\// || $5 !~ /^\//) print "paths: " $0
	if ($6 !~ /^(rw|ro)(,[^ ,]+)*$/) print "mount options: " $0
	if ($(sep + 3) !~ /^(rw|ro)(,[^ ,]+)*$/) print "super options: " $0
	for (i = 7; i < sep; i++)
		if ($i !~ /^(shared|master|propagate_from):[0-9]+$/ && $i != "unbindable")
			print "optional field " $i ": " $0
}'
for want in ' shared:[0-9]+ - ' ' master:[0-9]+ - ' ' unbindable - '; do
	if grep -Eq "$want" "$work/ours.mountinfo"; then
		pass
	else
		fail "mountinfo (ours): no line with '$want'"
	fi
done

# --- mounts ----------------------------------------------------------------------------
check mounts '
NF != 6 { print "want 6 fields: " $0; next }
$5 !~ /^[0-9]+$/ || $6 !~ /^[0-9]+$/ { print "dump/pass: " $0 }
$4 !~ /^(rw|ro)(,[^ ,]+)*$/ { print "options: " $0 }'

# --- filesystems -----------------------------------------------------------------------
check filesystems '!/^(nodev)?\t[a-z0-9_.]+$/ { print "shape: " $0 }'

# --- status ----------------------------------------------------------------------------
check status '
!/^[A-Za-z_0-9]+:\t/ && !/^[A-Za-z_0-9]+:$/ { print "shape: " $0 }
/^(Uid|Gid):/ && !/^[UG]id:\t[0-9]+\t[0-9]+\t[0-9]+\t[0-9]+$/ { print "ids: " $0 }
/^Cap/ { split($0, v, "\t"); if (v[2] !~ /^[0-9a-f]+$/ || length(v[2]) != 16) print "caps: " $0 }'
# Our keys in Linux's order: the position of each of ours in Linux's list must rise.
out=$(awk -F: 'NR == FNR { pos[$1] = FNR; next }
	!($1 in pos) { print "key " $1 " is not Linux'"'"'s"; next }
	pos[$1] <= last { print "key " $1 " out of Linux'"'"'s order" }
	{ last = pos[$1] }' "$work/host.status" "$work/ours.status")
if [ -n "$out" ]; then fail "status keys: $out"; else pass; fi

# --- meminfo ---------------------------------------------------------------------------
check meminfo '!/^[A-Za-z0-9_()]+: +[0-9]+( kB)?$/ { print "shape: " $0 }'
out=$(awk 'NR == FNR { unit[$1] = ($3 == "kB"); next }
	!($1 in unit) { print "key " $1 " is not Linux'"'"'s"; next }
	unit[$1] != ($3 == "kB") { print "unit of " $1 }' "$work/host.meminfo" "$work/ours.meminfo")
if [ -n "$out" ]; then fail "meminfo keys: $out"; else pass; fi

# --- uptime ----------------------------------------------------------------------------
check uptime 'NR > 1 || !/^[0-9]+\.[0-9][0-9] [0-9]+\.[0-9][0-9]$/ { print "shape: " $0 }'

# --- stat ------------------------------------------------------------------------------
# comm may hold spaces and parentheses: count the fields after its last ')'.
nstat() {
	sed 's/^[0-9]* (.*) //' "$1" | awk '{ print NF + 2 }'
}
hn=$(nstat "$work/host.stat")
on=$(nstat "$work/ours.stat")
if [ "$hn" = "$on" ] && grep -Eq '^[0-9]+ \(.*\) [RSDZTtXIW] ' "$work/ours.stat"; then
	pass
else
	fail "stat: ours has $on fields, Linux $hn: $(cat "$work/ours.stat")"
fi

# --- cpuinfo ---------------------------------------------------------------------------
check cpuinfo '
/^$/ { next }
/^power management:/ { next }
!/^[A-Za-z0-9 _]*[A-Za-z0-9_]\t+: / && !/^[A-Za-z0-9 _]*[A-Za-z0-9_]\t+:$/ { print "shape: " $0 }'
if [ "$(uname -m)" = x86_64 ]; then
	out=$(awk -F'\t*:' 'NR == FNR { k[$1] = 1; next }
		/^$/ { next }
		!($1 in k) { print "key " $1 " is not Linux'"'"'s" }' \
		"$work/host.cpuinfo" "$work/ours.cpuinfo")
	if [ -n "$out" ]; then fail "cpuinfo keys: $out"; else pass; fi
fi

echo "proc-shapes: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "proc-shapes: the files are in $work" >&2
	exit 1
fi
rm -rf "$work"
exit 0
