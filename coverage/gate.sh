#!/usr/bin/env bash
# gate.sh TRACEFILE THRESHOLDS - fail when the line or branch coverage recorded in an lcov
# tracefile is below the thresholds file's `lines=N` and `branches=N` (percent, may have
# decimals; `#` starts a comment). Totals are summed over every file in the tracefile
# (make coverage passes the src/ extract).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 TRACEFILE THRESHOLDS" >&2
	exit 2
fi
info=$1
thresholds=$2
[ -r "$info" ] || { echo "coverage gate: no tracefile $info" >&2; exit 2; }
[ -r "$thresholds" ] || { echo "coverage gate: no thresholds file $thresholds" >&2; exit 2; }

awk -v tfile="$thresholds" '
BEGIN {
	while ((getline line < tfile) > 0) {
		sub(/#.*/, "", line)
		gsub(/[ \t]/, "", line)
		if (line == "")
			continue
		if (split(line, kv, "=") != 2 || kv[2] !~ /^[0-9]+(\.[0-9]+)?$/ ||
		    (kv[1] != "lines" && kv[1] != "branches")) {
			printf "coverage gate: bad line in %s: %s\n", tfile, line > "/dev/stderr"
			bad = 1
			exit 2
		}
		want[kv[1]] = kv[2] + 0
	}
	if (!("lines" in want) || !("branches" in want)) {
		printf "coverage gate: %s must set lines= and branches=\n", tfile > "/dev/stderr"
		bad = 1
		exit 2
	}
}
/^LF:/ { lf += substr($0, 4) }
/^LH:/ { lh += substr($0, 4) }
/^BRF:/ { brf += substr($0, 5) }
/^BRH:/ { brh += substr($0, 5) }
/^SF:/ { files++ }
END {
	if (bad)
		exit 2
	if (lf == 0) {
		print "coverage gate: FAILED: the tracefile has no lines (were the tests run?)"
		exit 1
	}
	lp = 100 * lh / lf
	bp = brf ? 100 * brh / brf : 0
	printf "coverage gate: %d files; lines %.1f%% (%d of %d), threshold %g%%; " \
	       "branches %.1f%% (%d of %d), threshold %g%%\n",
	       files, lp, lh, lf, want["lines"], bp, brh, brf, want["branches"]
	fail = 0
	if (lp + 1e-9 < want["lines"]) {
		printf "coverage gate: FAILED: line coverage %.1f%% is below %g%%\n", lp, want["lines"]
		fail = 1
	}
	if (bp + 1e-9 < want["branches"]) {
		printf "coverage gate: FAILED: branch coverage %.1f%% is below %g%%\n", bp, want["branches"]
		fail = 1
	}
	if (!fail)
		print "coverage gate: passed"
	exit fail
}' "$info"
