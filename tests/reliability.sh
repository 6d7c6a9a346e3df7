#!/bin/bash
# reliability.sh - `make reliability`: one summary of the reliability gates. Runs the
# faults, run (the mount-setup sweeps), security and stress suites of $BUILD/check_all, then each fuzz target in
# build-fuzz/ for FUZZ_SECONDS (default 10) on its seed corpus, and prints
#   cases tried, faults injected, fuzz executions, escapes attempted, failures
# It runs no sanitizer itself (they take minutes): it reads the summaries the last
# `make asan`, `make valgrind` and `make tsan` left (TREE/runs/NAME/summary), counts their
# checks, and adds their failed suites, failures and errors to the failures. A summary
# older than its tree's check_all is stale and, like a missing one, counts as not run.
# Exit status is non-zero when any failure count is not zero (or nothing ran).
set -u
BUILD=${BUILD:-build}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
TSAN_BUILD=${TSAN_BUILD:-build-tsan}
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

suite_fail=0
for s in faults run security stress; do
	if ! CK_RUN_SUITE=$s "./$BUILD/check_all" >"$log/$s.out" 2>&1; then
		suite_fail=$((suite_fail + 1))
		echo "reliability: suite $s FAILED:" >&2
		tail -n 20 "$log/$s.out" >&2
	fi
done
sum() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$log"/*.out | awk '{s+=$1} END {print s+0}'; }
cases=$(sum 'faults: cases')
injected=$(sum 'injected')
escapes_tried=$(sum 'escapes_attempted')
escapes=$(grep -ho 'escapes=[0-9]*' "$log"/*.out | sed 's/escapes=//' | awk '{s+=$1} END {print s+0}')
stress_ops=$(sum 'ops')

execs=0; fuzz_fail=0
for bin in "$FUZZ_BUILD"/fuzz_*; do
	[ -x "$bin" ] || continue
	t=$(basename "$bin"); n=${t#fuzz_}; seed=tests/fuzz/corpus/$n
	[ -d "$seed" ] || seed=tests/fuzz/corpus/${n%%_*}
	mkdir -p "$FUZZ_BUILD/corpus/$n"
	if ! "$bin" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix="$FUZZ_BUILD/" "$FUZZ_BUILD/corpus/$n" \
		$([ -d "$seed" ] && echo "$seed") >"$log/fuzz_$n.log" 2>&1; then
		fuzz_fail=$((fuzz_fail + 1))
		echo "reliability: fuzz target $t FAILED:" >&2
		grep -m5 -E 'ERROR|SUMMARY|artifact' "$log/fuzz_$n.log" >&2
	fi
	e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log/fuzz_$n.log")
	echo "  fuzz $t: ${e:-0} executions in $FUZZ_SECONDS s"
	execs=$((execs + ${e:-0}))
done

# tool NAME TREE: sets tool_checks and tool_bad from TREE/runs/NAME/summary
# ("suites=N checks=N failures=N errors=N failed_suites=N ...").
tool_fail=0
tool() {
	local f=$2/runs/$1/summary v
	tool_checks=0
	if [ ! -f "$f" ]; then
		echo "  $1: not run (make $1)"
		return
	fi
	if [ -f "$2/check_all" ] && [ "$2/check_all" -nt "$f" ]; then
		echo "  $1: stale ($2/check_all is newer than the last run: make $1)"
		return
	fi
	field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" "$f"; }
	tool_checks=$(field checks)
	v=$(($(field failures) + $(field errors) + $(field failed_suites)))
	echo "  $1: $(cat "$f")"
	tool_fail=$((tool_fail + v))
}
tool asan "$ASAN_BUILD"; asan_checks=$tool_checks
tool valgrind "$BUILD"; valgrind_checks=$tool_checks
tool tsan "$TSAN_BUILD"; tsan_checks=$tool_checks

failures=$((suite_fail + fuzz_fail + escapes + tool_fail))
echo "reliability: cases=$cases faults_injected=$injected stress_ops=$stress_ops" \
	"fuzz_executions=$execs escapes_attempted=$escapes_tried escapes=$escapes" \
	"asan_checks=$asan_checks valgrind_checks=$valgrind_checks tsan_checks=$tsan_checks" \
	"suite_failures=$suite_fail fuzz_failures=$fuzz_fail tool_failures=$tool_fail" \
	"failures=$failures"
[ "$failures" -eq 0 ] && [ "$cases" -gt 0 ] && [ "$escapes_tried" -gt 0 ]
