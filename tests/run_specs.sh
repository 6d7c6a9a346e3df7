#!/usr/bin/env bash
# run_specs.sh - the golden test of the spec fixtures: every fixtures/specs/NAME/ is replayed
# with `vfslab replay NAME --format steps` and linted with `vfslab lint NAME`, and each
# result is compared with expected.steps and expected.lint beside the spec. Where the spec
# ordering policy plans differently, expected.steps-spec holds `--order spec`'s plan. The
# mount table the setup leaves (`--format mountinfo`) goes to expected.mountinfo (and
# expected.mountinfo-spec where the orders differ), and `findmnt -F` must parse it. A
# folder app/ beside a spec is a later container of its pod (expected.mountinfo-app).
#
# A result is the command's standard output, then its standard error, then "exit N" when
# the exit status is not 0. Paths are relative to the top of the tree, where this runs.
#
#   tests/run_specs.sh            compare; prints "specs: N passed, M failed"
#   tests/run_specs.sh --update   rewrite the expected files from what the commands print
#
# VFSLAB names the binary (default build/vfslab). Exit status 0 only if all passed.
set -u
cd "$(dirname "$0")/.." || exit 2
VFSLAB=${VFSLAB:-build/vfslab}
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
elif [ $# -gt 0 ]; then
	echo "usage: tests/run_specs.sh [--update]" >&2
	exit 2
fi
if [ ! -x "$VFSLAB" ]; then
	echo "run_specs: $VFSLAB: not built" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME CMD...: the command's result into $tmp/NAME.
run() {
	local out=$tmp/$1 rc
	shift
	"$@" >"$out" 2>"$tmp/stderr"
	rc=$?
	cat "$tmp/stderr" >>"$out"
	if [ $rc -ne 0 ]; then
		echo "exit $rc" >>"$out"
	fi
}

pass=0
fail=0
check() { # check RESULT EXPECTED-FILE LABEL
	if [ $update -eq 1 ]; then
		cp "$1" "$2"
		pass=$((pass + 1))
	elif [ -f "$2" ] && diff -u "$2" "$1" >"$tmp/diff"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $3"
		if [ -f "$2" ]; then
			head -40 "$tmp/diff"
		else
			echo "  (no $2)"
		fi
	fi
}

n=0
for dir in fixtures/specs/*/; do
	dir=${dir%/}
	[ -f "$dir/config.json" ] || continue
	n=$((n + 1))
	run steps "$VFSLAB" replay "$dir" --format steps
	check "$tmp/steps" "$dir/expected.steps" "$dir: replay --format steps"
	run steps-spec "$VFSLAB" replay "$dir" --order spec --format steps
	if ! cmp -s "$tmp/steps" "$tmp/steps-spec"; then
		check "$tmp/steps-spec" "$dir/expected.steps-spec" "$dir: replay --order spec"
	elif [ $update -eq 1 ]; then
		rm -f "$dir/expected.steps-spec"
	elif [ -f "$dir/expected.steps-spec" ]; then
		fail=$((fail + 1))
		echo "FAIL $dir: expected.steps-spec exists but both policies plan the same"
	fi
	run lint "$VFSLAB" lint "$dir"
	check "$tmp/lint" "$dir/expected.lint" "$dir: lint"
	# The mount table the setup leaves, under both orders; findmnt must parse it.
	run mountinfo "$VFSLAB" replay "$dir" --format mountinfo
	check "$tmp/mountinfo" "$dir/expected.mountinfo" "$dir: replay --format mountinfo"
	run mountinfo-spec "$VFSLAB" replay "$dir" --order spec --format mountinfo
	if ! cmp -s "$tmp/mountinfo" "$tmp/mountinfo-spec"; then
		check "$tmp/mountinfo-spec" "$dir/expected.mountinfo-spec" "$dir: replay --order spec --format mountinfo"
	elif [ $update -eq 1 ]; then
		rm -f "$dir/expected.mountinfo-spec"
	elif [ -f "$dir/expected.mountinfo-spec" ]; then
		fail=$((fail + 1))
		echo "FAIL $dir: expected.mountinfo-spec exists but both orders mount the same"
	fi
	# A pod: the folder app/ holds a later container of the sandbox the spec sets up;
	# expected.mountinfo-app is that container's table.
	if [ -f "$dir/app/config.json" ]; then
		run mountinfo-app "$VFSLAB" replay "$dir" --container "$dir/app" --format mountinfo
		check "$tmp/mountinfo-app" "$dir/expected.mountinfo-app" "$dir: replay --container app"
	fi
	if command -v findmnt >/dev/null 2>&1; then
		"$VFSLAB" replay "$dir" --format mountinfo >"$tmp/mi" 2>/dev/null
		lines=$(grep -c . "$tmp/mi")
		if [ "$lines" -gt 0 ]; then
			parsed=$(findmnt -F "$tmp/mi" -n -r -o TARGET 2>"$tmp/ferr" | grep -c .)
			if [ "$parsed" -eq "$lines" ] && [ ! -s "$tmp/ferr" ]; then
				pass=$((pass + 1))
			else
				fail=$((fail + 1))
				echo "FAIL $dir: findmnt -F read $parsed of $lines mountinfo lines"
				cat "$tmp/ferr"
			fi
		fi
	fi
done
if [ $n -eq 0 ]; then
	echo "run_specs: no specs in fixtures/specs" >&2
	exit 1
fi
echo "specs: $pass passed, $fail failed ($n specs)"
[ $fail -eq 0 ]
