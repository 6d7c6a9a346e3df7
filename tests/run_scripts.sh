#!/bin/sh
# run_scripts.sh - golden REPL transcripts: runs every fixtures/scripts/NAME.vfs through
# build/vfslab and compares the result with NAME.out.
#
# Format of NAME.out: everything vfslab wrote, standard output and standard error
# interleaved as they were written (2>&1; vfslab flushes stdout before each error), then
# one last line "exit N" with the exit status. The run happens inside fixtures/scripts,
# so FILE:LINE prefixes name the script as "NAME.vfs".
#
# How a script runs: `vfslab repl -f NAME.vfs` with /dev/null as standard input, unless
# NAME.cmdline exists: then its contents (sh words, one line) are vfslab's arguments and
# NAME.vfs, if there is one, its standard input - for testing -c, standard input and the
# command line itself.
#
# Usage: tests/run_scripts.sh [--update] [NAME...]
#   --update   rewrite the .out files from the current build (read every diff before
#              committing it: a golden file that records a bug is worse than none)
# Environment: VFSLAB (default build/vfslab). Exit status 1 when any script differs.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
vfslab=${VFSLAB:-$top/build/vfslab}
case $vfslab in /*) ;; *) vfslab=$(pwd)/$vfslab ;; esac
dir=$top/fixtures/scripts
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
if [ ! -x "$vfslab" ]; then
	echo "run_scripts.sh: $vfslab is not built (make all)" >&2
	exit 1
fi

if [ $# -gt 0 ]; then
	names=$*
else
	names=$(cd "$dir" && for f in ./*.vfs ./*.cmdline; do [ -e "$f" ] && echo "${f#./}"; done | sed 's/\.[a-z]*$//' | sort -u)
fi

passed=0
failed=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM
cd "$dir" || exit 1
for name in $names; do
	if [ ! -f "$name.vfs" ] && [ ! -f "$name.cmdline" ]; then
		echo "run_scripts.sh: no script $name.vfs or $name.cmdline" >&2
		failed=$((failed + 1))
		continue
	fi
	if [ -f "$name.cmdline" ]; then
		input=/dev/null
		[ -f "$name.vfs" ] && input=$name.vfs
		eval "set -- $(cat "$name.cmdline")"
		"$vfslab" "$@" <"$input" >"$tmp" 2>&1
	else
		"$vfslab" repl -f "$name.vfs" </dev/null >"$tmp" 2>&1
	fi
	echo "exit $?" >>"$tmp"
	if [ $update = 1 ]; then
		if ! cmp -s "$tmp" "$name.out"; then
			cp "$tmp" "$name.out"
			echo "updated $name.out"
		fi
		passed=$((passed + 1))
	elif [ -f "$name.out" ] && cmp -s "$tmp" "$name.out"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $name" >&2
		if [ -f "$name.out" ]; then
			diff -u "$name.out" "$tmp" | head -40 >&2
		else
			echo "  (no $name.out; run with --update to create it)" >&2
		fi
		failed=$((failed + 1))
	fi
done

echo "scripts: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
