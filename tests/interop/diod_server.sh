#!/bin/bash
# diod_server.sh - diod's clients (diodls, diodcat; Debian package diod) against our 9P
# server: `vfslab gofer --root DIR --listen ...` serving a host directory through hostfs.
#
# The server listens on loopback TCP (port 0: it prints the port it bound) and on a unix
# socket; the clients attach with aname DIR, as they would to `diod -e DIR`. Checked
# against the directory itself: names (a large directory too, which takes several
# Treaddir rounds), sizes and types from `diodls -l`, file contents byte for byte from
# `diodcat` (small, empty, 3 MiB binary, nested, several files in one call, eight clients
# at once), the read-only export, and the confinement: a symlink planted to a file
# outside the export, a relative one through "..", and anames naming "..": none may
# print the secret next to the export. Then SIGTERM must stop the server with status 0
# and remove its unix socket.
#
# Prints "diod-server-interop: N passed, M failed" and exits 1 if anything failed (the
# work directory is kept then); "SKIP: ..." and exit 0 when the diod tools are missing or
# the vfslab binary has no gofer command yet. Loopback only.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
vfslab=${VFSLAB:-$top/${BUILD:-build}/vfslab}
PATH=$PATH:/usr/sbin:/sbin

for tool in diodls diodcat; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: diod-server-interop: $tool is not installed (Debian package diod; make deps)"
		exit 0
	fi
done
if [ ! -x "$vfslab" ]; then
	echo "diod-server-interop: $vfslab does not exist (run make)" >&2
	exit 1
fi
if ! "$vfslab" gofer --help >/dev/null 2>&1; then
	echo "SKIP: diod-server-interop: '$vfslab gofer' is not available in this build"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/diod-server-interop.XXXXXX")
dir=$work/export
outside=$work/outside
passed=0
failed=0
pids=()

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}

pass() {
	passed=$((passed + 1))
}

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT

# start_server NAME ARGS...: start the gofer in the background; sets $pid and $addr
# (the address it reported on stderr, in diod's -s syntax).
start_server() {
	local name=$1 log i
	shift
	log=$work/$name.log
	"$vfslab" gofer "$@" 2> "$log" &
	pid=$!
	pids+=("$pid")
	addr=
	for i in $(seq 100); do
		addr=$(sed -n 's/^vfslab gofer: serving .* on \(.*\)$/\1/p' "$log")
		[ -n "$addr" ] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	case $addr in
	tcp:*) addr=${addr#tcp:} ;;
	unix:*) addr=${addr#unix:} ;;
	*)
		fail "$name: the server did not start: $(cat "$log")"
		return 1
		;;
	esac
	return 0
}

# Run a diod client with a timeout so that a hung server fails instead of hanging CI.
dls() { timeout 20 diodls -s "$addr" -a "$dir" "$@"; }
dcat() { timeout 20 diodcat -s "$addr" -a "$dir" "$@"; }

# check NAME EXPECTED-FILE ACTUAL-FILE
check_same() {
	if cmp -s "$2" "$3"; then
		pass
	else
		fail "$1: differs: expected $(head -c 300 "$2" | tr '\n' ' '), got $(head -c 300 "$3" | tr '\n' ' ')"
	fi
}

# ------------------------------------------------------------------ the tree
mkdir -p "$dir/sub/deeper" "$dir/many" "$dir/emptydir" "$outside"
echo "SECRET-outside-the-export" > "$outside/secret"
printf 'hello\n' > "$dir/a.txt"
printf 'nested file\n' > "$dir/sub/deeper/b.txt"
printf 'with spaces\n' > "$dir/name with spaces"
: > "$dir/empty"
head -c 3145728 /dev/urandom > "$dir/big.bin"
for i in $(seq -w 1 300); do
	echo "$i" > "$dir/many/entry-$i"
done
ln -s ../outside/secret "$dir/rel-escape"
ln -s "$outside/secret" "$dir/abs-escape"
ln -s / "$dir/root-link"
ln -s a.txt "$dir/inner-link"

# ------------------------------------------------------------------ TCP, read-write
if start_server tcp --root "$dir" --listen tcp:127.0.0.1:0; then
	# Names of the root and of a large directory (several Treaddir rounds).
	for d in "" many sub sub/deeper emptydir; do
		(cd "$dir/$d" && ls -A | LC_ALL=C sort) > "$work/want"
		dls ${d:+"$d"} 2> "$work/err" | grep -vx '\.\|\.\.' | LC_ALL=C sort > "$work/got"
		check_same "diodls '${d:-/}'" "$work/want" "$work/got"
	done

	# Sizes and types from diodls -l: "MODE NLINK USER GROUP SIZE MON DAY TIME NAME".
	dls -l > "$work/long" 2> "$work/err"
	for f in a.txt empty big.bin sub "name with spaces"; do
		line=$(grep -E " $(printf '%s' "$f" | sed 's/[.]/[.]/g')\$" "$work/long" | head -1)
		size=$(echo "$line" | awk '{print $5}')
		want=$(stat -c %s "$dir/$f")
		if [ -d "$dir/$f" ]; then
			type=d
		else
			type=-
		fi
		if [ "$size" = "$want" ] && [ "${line:0:1}" = "$type" ]; then
			pass
		else
			fail "diodls -l '$f': got '$line', want size $want type $type"
		fi
	done

	# Contents, byte for byte.
	for f in a.txt empty big.bin sub/deeper/b.txt "name with spaces"; do
		dcat "$f" > "$work/got" 2> "$work/err"
		check_same "diodcat '$f'" "$dir/$f" "$work/got"
	done
	# The server never follows a symlink (a client resolves links itself, as Linux's
	# v9fs does with Treadlink); diodcat does not, so opening one is ELOOP.
	out=$(dcat inner-link 2>&1)
	if [ $? -ne 0 ] && grep -q "Too many levels of symbolic links" <<<"$out"; then
		pass
	else
		fail "diodcat of a symlink: $out"
	fi
	cat "$dir/a.txt" "$dir/sub/deeper/b.txt" "$dir/a.txt" > "$work/want"
	dcat a.txt sub/deeper/b.txt a.txt > "$work/got" 2> "$work/err"
	check_same "diodcat of three files" "$work/want" "$work/got"

	# Many clients at once, each its own connection.
	for i in $(seq 8); do
		dcat big.bin > "$work/par.$i" 2>&1 &
	done
	wait_ok=1
	for job in $(jobs -p); do
		case " ${pids[*]} " in *" $job "*) continue ;; esac
		wait "$job" || wait_ok=0
	done
	for i in $(seq 8); do
		cmp -s "$dir/big.bin" "$work/par.$i" || wait_ok=0
	done
	if [ $wait_ok = 1 ]; then pass; else fail "eight diodcat clients at once"; fi

	# Confinement: no client request may print the secret.
	for f in rel-escape abs-escape root-link/etc/passwd ../outside/secret \
		"rel-escape/" sub/../../outside/secret; do
		out=$(dcat "$f" 2>&1)
		if [ $? -ne 0 ] && ! grep -q SECRET <<<"$out"; then
			pass
		else
			fail "diodcat '$f' escaped or succeeded: $out"
		fi
	done
	for an in "$dir/.." "$dir/../outside" "$outside" "/.." "../outside"; do
		out=$(timeout 20 diodcat -s "$addr" -a "$an" secret 2>&1)
		if [ $? -ne 0 ] && ! grep -q SECRET <<<"$out"; then
			pass
		else
			fail "diodcat -a '$an' secret escaped or succeeded: $out"
		fi
	done
	# An aname inside the export is a subtree of it; "" is the root.
	out=$(timeout 20 diodcat -s "$addr" -a "$dir/sub/deeper" b.txt 2>&1)
	if [ "$out" = "nested file" ]; then pass; else fail "aname DIR/sub/deeper: '$out'"; fi
	out=$(timeout 20 diodcat -s "$addr" -a "" a.txt 2>&1)
	if [ "$out" = "hello" ]; then pass; else fail "empty aname: '$out'"; fi
	# The links themselves are still there, untouched, and nothing was made outside.
	if [ "$(ls -A "$outside")" = "secret" ] && [ -L "$dir/abs-escape" ]; then
		pass
	else
		fail "the outside directory or the planted links changed: $(ls -A "$outside")"
	fi

	# SIGTERM: a clean stop, status 0.
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	if [ $st -eq 0 ]; then pass; else fail "SIGTERM: exit status $st ($(cat "$work/tcp.log"))"; fi
fi

# ------------------------------------------------------------------ unix socket, read-only
if start_server unix --root "$dir" --listen "unix:$work/gofer.sock" --ro; then
	dcat a.txt > "$work/got" 2> "$work/err"
	check_same "diodcat over a unix socket, read-only export" "$dir/a.txt" "$work/got"
	(cd "$dir" && ls -A | LC_ALL=C sort) > "$work/want"
	dls 2> "$work/err" | grep -vx '\.\|\.\.' | LC_ALL=C sort > "$work/got"
	check_same "diodls over a unix socket" "$work/want" "$work/got"
	kill -INT "$pid"
	wait "$pid"
	st=$?
	if [ $st -eq 0 ] && [ ! -e "$work/gofer.sock" ]; then
		pass
	else
		fail "SIGINT: exit status $st, socket $(ls "$work/gofer.sock" 2>&1)"
	fi
fi

# ------------------------------------------------------------------ refusals
out=$("$vfslab" gofer --root "$dir" --listen tcp:0.0.0.0:0 2>&1)
st=$?
if [ $st -eq 2 ] && grep -q "not a loopback address" <<<"$out"; then
	pass
else
	fail "a non-loopback address was not refused (status $st): $out"
fi
out=$("$vfslab" gofer --root "$work/nope" --listen tcp:127.0.0.1:0 2>&1)
st=$?
if [ $st -eq 2 ] && [ "$out" = "vfslab gofer: --root: $work/nope: ENOENT (No such file or directory)" ]; then
	pass
else
	fail "a missing --root (status $st): $out"
fi

echo "diod-server-interop: $passed passed, $failed failed"
if [ $failed -ne 0 ]; then
	echo "diod-server-interop: work directory kept: $work" >&2
	exit 1
fi
rm -rf "$work"
exit 0
