#!/bin/bash
# tui.sh - `vfslab tui` driven through tmux: keys are sent to a detached 80x24 session
# (TERM=xterm-256color) and the screen is read back with capture-pane.
#
# What it checks: the plan is shown with the next step marked; s, n and c step the setup
# and the mount-tree pane (read from the screen region right of the plan, between its
# header and the file browser's) shows the new mounts marked '+'; ? shows the help and a
# key closes it; the command line runs a command of the table and its output lands in
# the messages; the file browser opens a directory found with /; b sets a breakpoint on
# the selected plan step and c stops there, b again deletes it; a resize redraws the
# layout at the new size; NO_COLOR leaves no colour escape on the screen (while the
# default run has some); q exits with status 0 and gives the terminal back (primary
# screen, cursor visible, the tty modes of before); so do SIGTERM, SIGSEGV, SIGABRT and
# ^C, with the signal's exit status (128+N).
#
# Prints "tui: N passed, M failed"; exit 1 when anything failed (the screen at that
# point is printed, and the work directory kept); "SKIP: ..." and exit 0 without tmux.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
vfslab=${VFSLAB:-$build/vfslab}

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tui: tmux is not installed (Debian package tmux)"
	exit 0
fi
if [ ! -x "$vfslab" ]; then
	echo "tui: $vfslab does not exist (run make)" >&2
	exit 1
fi

unset TMUX # a private server (-L), also when make check runs inside tmux
work=$(mktemp -d "${TMPDIR:-/tmp}/tui-test.XXXXXX")
sock=vfslab-tui-test-$$
passed=0
failed=0
lang=C
locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && lang=C.UTF-8

# The TUI under a non-interactive shell that reports its exit status and pid: an
# interactive one would drop the rest of its line after a child killed by SIGINT.
cat >"$work/run.sh" <<EOF
(echo \$BASHPID >tui.pid; exec "$vfslab" tui)
echo TUI-EXIT=\$?
EOF

cat >"$work/tmux.conf" <<'EOF'
set -g default-terminal xterm-256color
set -g status off
set -g history-limit 100
EOF

T() {
	tmux -L "$sock" -f "$work/tmux.conf" "$@"
}

cleanup() {
	T kill-server >/dev/null 2>&1
	if [ "$failed" = 0 ]; then
		rm -rf "$work"
	else
		echo "tui: work directory kept: $work" >&2
	fi
}
trap cleanup EXIT

screen() {
	T capture-pane -p -t tui
}

pass() {
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $*" >&2
	screen | sed 's/^/  | /' >&2
	failed=$((failed + 1))
}

# Wait up to 10 s for text to appear on (or, with !, leave) the screen.
wait_for() {
	local i
	for i in $(seq 100); do
		if [ "$1" = '!' ]; then
			screen | grep -qF -- "$2" || return 0
		else
			screen | grep -qF -- "$1" && return 0
		fi
		sleep 0.1
	done
	return 1
}

expect() { # DESCRIPTION TEXT: wait for TEXT on the screen
	if wait_for "$2"; then pass; else fail "$1: '$2' not on the screen"; fi
}

expect_gone() {
	if wait_for ! "$2"; then pass; else fail "$1: '$2' still on the screen"; fi
}

# The mount-tree pane: the right-hand column (after the first '│', the rule beside the
# plan) of the rows between its header and the file browser's.
tree_pane() {
	screen | awk '/Mount tree/ { on = 1; next } /Files / { on = 0 }
		on { i = index($0, "│"); if (i) print substr($0, i + length("│")) }'
}

tree_has() { # DESCRIPTION REGEX
	if tree_pane | grep -qE -- "$2"; then pass; else fail "$1: tree has no line matching /$2/"; fi
}

tree_lacks() {
	if tree_pane | grep -qE -- "$2"; then fail "$1: tree has a line matching /$2/"; else pass; fi
}

flag() {
	T display -p -t tui "#{$1}"
}

keys() {
	T send-keys -t tui "$@"
}

# The shell's tty modes, as stty -g prints them, into FILE (run inside the pane).
shell_stty() {
	rm -f "$1"
	keys "stty -g >'$1'" Enter
	for _ in $(seq 50); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# The terminal was given back: primary screen, cursor shown, tty modes as before, the
# shell in the foreground again.
expect_clean() { # DESCRIPTION
	local alt cur
	alt=$(flag alternate_on)
	cur=$(flag cursor_flag)
	if [ "$alt" = 0 ]; then pass; else fail "$1: the alternate screen is still on"; fi
	if [ "$cur" = 1 ]; then pass; else fail "$1: the cursor is still hidden"; fi
	if shell_stty "$work/stty.after" && cmp -s "$work/stty.before" "$work/stty.after"; then
		pass
	else
		fail "$1: the tty modes differ from before ($(cat "$work/stty.before") -> $(cat "$work/stty.after" 2>/dev/null))"
	fi
	if [ "$(flag pane_current_command)" = bash ]; then pass; else fail "$1: the TUI is still running"; fi
}

# SGR colour parameters (30-38, 40-48, 90-97, 100-107) in a capture with escapes; 39
# and 49 (default colours) are tmux's own resets and mean no colour.
colour_escapes() {
	T capture-pane -p -e -t tui | grep -oE $'\e\\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n' |
		grep -cE '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'
}

# ------------------------------------------------------------------ the session

T new-session -d -s tui -x 80 -y 24 \
	"env -i HOME='$work' PATH='$PATH' TERM=xterm-256color LANG=$lang PS1='tui-test\$ ' bash --norc --noprofile" ||
	{ echo "tui: cannot start tmux" >&2; exit 1; }
wait_for 'tui-test$' || { fail "the shell did not start"; exit 1; }
keys "ulimit -c 0; cd '$work'" Enter
shell_stty "$work/stty.before" || { fail "stty -g did not run"; exit 1; }
keys "clear; echo BEFORE-TUI" Enter
wait_for BEFORE-TUI

# ------------------------------------------------------------------ stepping

keys "'$vfslab' tui; echo TUI-EXIT=\$?" Enter
expect "the plan" "Plan 0/57"
expect "the next step marked" "=> 01 register-fs cgroup"
expect "the prompt on the command line" "vfslab [0/57 cgroup]>"
if [ "$(flag alternate_on)" = 1 ]; then pass; else fail "the TUI is not on the alternate screen"; fi
if [ "$(screen | wc -l)" = 24 ] && [ "$(screen | tail -1 | cut -c1-13)" = "vfslab [0/57 " ]; then
	pass
else
	fail "80x24: the prompt is not on line 24"
fi
tree_has "step 0: the empty root" '^ +/ +tmpfs'
tree_lacks "step 0: no /proc yet" '/proc'

keys n
expect "n: up to the root mount" "Plan 24/57"
tree_has "n: the root over the gofer, marked" '^\+ +/ +9p +ro'
if [ "$(colour_escapes)" -gt 0 ]; then pass; else fail "no colour without NO_COLOR"; fi
keys n
expect "n again: /dev" "Plan 27/57"
tree_has "n: /dev mounted, marked" '^\+ .*/dev +devtmpfs'
tree_has "n: the root made writable, marked ~" '^~ +/ +9p +rw'
keys s
expect "s: one step" "vfslab [28/57 /sys]>"
keys c
expect "c: to the end" "Plan 57/57"
expect "c: the messages" "The setup is complete: 57 steps"
tree_has "c: /proc" '/proc +proc'
tree_has "c: /dev/pts" '/dev/pts +devpts'
tree_has "c: /tmp" '/tmp +tmpfs'

# ------------------------------------------------------------------ help, commands, files

keys '?'
expect "?: help" "vfslab tui - keys"
keys x
expect_gone "a key closes the help" "vfslab tui - keys"

keys : 'mkdir /tmp/made-by-tui; ls /tmp; nosuchcommand' Enter
expect "the command line: output" "made-by-tui"
expect "the command line: errors" "vfslab: nosuchcommand: unknown command"
keys Tab Tab / tmp/ Enter Enter
expect "files: / and Enter open /tmp" "Files /tmp (tmpfs)"
expect "files: the new directory" "made-by-tui/"
keys BTab BTab

# ------------------------------------------------------------------ breakpoints

keys : reset Enter
expect "reset" "Plan 0/57"
tree_lacks "reset: no /proc" '/proc'
keys / 'mount /dev/pts' Enter b
expect "b: a breakpoint" "Breakpoint 1: /dev/pts (first at step 33)"
expect "b: marked in the plan" " B33 mkdir /dev/pts"
expect_gone "b: stops once per mount (at its first step), not at each" "B34 mount /dev/pts"
keys c
expect "c stops at the breakpoint" "Breakpoint 1, before step 33: mkdir /dev/pts"
tree_has "at the breakpoint: /proc" '/proc +proc'
tree_lacks "at the breakpoint: no /dev/pts" '/dev/pts'
keys b
expect "b again: deleted" "delete 1"
keys c
expect "c: to the end without the breakpoint" "Plan 57/57"

# ------------------------------------------------------------------ resize

T resize-window -t tui -x 100 -y 30
if wait_for "Plan 57/57" && sleep 0.3 && [ "$(screen | wc -l)" = 30 ] &&
	[ "$(screen | tail -1 | cut -c1-20)" = "vfslab [57/57 done]>" ]; then
	pass
else
	fail "resize to 100x30: the prompt is not on line 30"
fi
if [ "$lang" != C ]; then
	width=$(screen | grep -F ' Messages ' | LC_ALL=$lang wc -m)
	if [ "$width" = 101 ]; then pass; else fail "resize to 100x30: the messages rule is $((width - 1)) columns"; fi
fi
T resize-window -t tui -x 30 -y 8
expect "a tiny terminal" "too small: 30x8"
T resize-window -t tui -x 80 -y 24
expect "back to 80x24" "Plan 57/57"
if [ "$(screen | tail -1 | cut -c1-20)" = "vfslab [57/57 done]>" ]; then pass; else fail "80x24 again: no prompt on line 24"; fi

# ------------------------------------------------------------------ quit

keys q
expect "q exits with status 0" "TUI-EXIT=0"
expect "the screen of before is back" "BEFORE-TUI"
expect_clean "q"

# ------------------------------------------------------------------ NO_COLOR

keys "clear; NO_COLOR=1 '$vfslab' tui; echo TUI-EXIT=\$?" Enter
expect "NO_COLOR: the plan" "Plan 0/57"
keys n
expect "NO_COLOR: a step" "Plan 24/57"
n=$(colour_escapes)
if [ "$n" = 0 ]; then pass; else fail "NO_COLOR: $n colour escapes on the screen"; fi
keys q
expect "NO_COLOR: q" "TUI-EXIT=0"

# ------------------------------------------------------------------ signals

for sig in TERM SEGV ABRT INT ^C; do
	num=$(kill -l "${sig#^}" 2>/dev/null)
	keys "clear; bash run.sh" Enter
	if ! wait_for "Plan 0/57"; then
		fail "SIG$sig: the TUI did not start"
		continue
	fi
	if [ "$sig" = ^C ]; then
		# cbreak mode: the terminal's interrupt character signals the foreground
		# group, the shell included, which then drops the rest of the line.
		keys C-c
		expect "^C: the shell prompt" "tui-test$"
	else
		kill -"$sig" "$(cat "$work/tui.pid")"
		expect "SIG$sig: the signal's exit status" "TUI-EXIT=$((128 + num))"
	fi
	expect_clean "SIG$sig"
done

echo "tui: $passed passed, $failed failed"
[ "$failed" = 0 ]
