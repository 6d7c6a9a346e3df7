# vfslab - the build.
#
#   make deps       install the Debian 12 packages the build and the tests need (idempotent)
#   make            the library, the CLI, the test runner and the oracle (into $(BUILD)/)
#   make run        build, then start the REPL (ARGS='...' passes arguments)
#   make check      build and run every test: Check suites, golden transcripts, oracle difftest
#   make coverage   the same tests built with gcov in build-cov/, lcov + genhtml into
#                   coverage/html, then the gate against coverage/thresholds
#   make asan       all of `make check` built with ASan+UBSan in build-asan/; the first
#                   report ends the run
#   make valgrind   each Check suite under memcheck (no fork): no errors, no leaks
#   make tsan       each Check suite built with clang's ThreadSanitizer in build-tsan/
#   make run-suites each Check suite as its own process, -jN at a time (valgrind and tsan
#                   run their suites this way); logs and a summary in $(BUILD)/runs/
#   make bench      build and run the benchmarks (tests/bench/)
#   make reliability  one line of counts from the reliability gates (tests/reliability.sh)
#   make fuzz       build the libFuzzer targets (tests/fuzz/) with clang, run each FUZZ_SECONDS
#   make install    binary, static library, public headers, pkg-config file (PREFIX, DESTDIR)
#   make format     clang-format -i over the tree; make format-check only reports
#   make clean
#
# Knobs: BUILD=dir (build tree, default build), EXTRA_CFLAGS, EXTRA_LDFLAGS, V=1 (show the
# commands), ARGS (for run), PREFIX/DESTDIR (for install).
#
# Sources are found, never listed: every src/**/*.c and sim/*.c goes into libvfslab.a,
# tui/*.c makes the CLI, tests/check_*.c + tests/helpers.c the one Check runner (the list
# of suites, $(BUILD)/test-list.h, is generated from the file names; it links the tui
# objects but main.o too, for the front end's suites), tests/oracle/*.c + tui/op.c the
# oracle, tests/bench/*.c the benchmarks. src/ and sim/ are compiled without
# -Itui: the library cannot include the front end (DESIGN §2, arrows point down only).

VERSION := 0.1.0

BUILD ?= build
OBJ := $(BUILD)/obj

CC ?= cc
AR ?= ar
RANLIB ?= ranlib
PKG_CONFIG ?= pkg-config
CLANG_FORMAT ?= clang-format
VALGRIND ?= valgrind
APT_GET ?= apt-get

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

# The Debian packages `make deps` installs: the toolchain, the libraries we link, the
# tools the tests and CI use (lcov, valgrind, clang for sanitizers/fuzzing, clang-format),
# and the interop oracles (fuse3, diod, fsverity, findmnt from util-linux; tmux drives
# the TUI test).
DEPS_PKGS := build-essential pkg-config check lcov valgrind clang libclang-rt-14-dev \
	clang-format libjansson-dev libssl-dev libreadline-dev libncurses-dev libfuse3-dev \
	fuse3 diod fsverity util-linux mount tmux

# pkg-config packages: the library's (also written into vfslab.pc), the CLI's, the tests'.
LIB_PKGS := jansson libcrypto fuse3
CLI_PKGS := readline ncursesw
TEST_PKGS := check

ifeq ($(V),1)
Q :=
else
Q := @
endif

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DELETE_ON_ERROR:

# ---------------------------------------------------------------- flags

CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -pthread $(EXTRA_CFLAGS)
DEPFLAGS := -MMD -MP
LDFLAGS := -pthread -Wl,--as-needed $(EXTRA_LDFLAGS)

# fuse3's -D_XOPEN_SOURCE=600 is dropped: the tree is built with _GNU_SOURCE throughout.
pkg_cflags = $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE, \
	$(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null))
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# Goals that build need the libraries: say so plainly instead of failing in the compiler.
NO_LIB_GOALS := deps clean format format-check uninstall
ifneq ($(if $(MAKECMDGOALS),$(filter-out $(NO_LIB_GOALS),$(MAKECMDGOALS)),all),)
ALL_PKGS := $(LIB_PKGS) $(CLI_PKGS) $(TEST_PKGS)
ifneq ($(shell $(PKG_CONFIG) --exists $(ALL_PKGS) 2>/dev/null && echo ok),ok)
$(error missing build dependencies (pkg-config: $(ALL_PKGS)): run 'make deps' first)
endif
endif

LIB_CPPFLAGS := -Isrc/include -Isrc $(call pkg_cflags,$(LIB_PKGS))
LIB_LIBS := $(call pkg_libs,$(LIB_PKGS)) -lm
CLI_CPPFLAGS := $(LIB_CPPFLAGS) -Itui $(call pkg_cflags,$(CLI_PKGS)) -DVFSLAB_VERSION='"$(VERSION)"'
CLI_LIBS := $(call pkg_libs,$(CLI_PKGS)) $(LIB_LIBS)
TEST_CPPFLAGS := $(LIB_CPPFLAGS) -Itests -Itui -I$(BUILD) $(call pkg_cflags,$(TEST_PKGS))
TEST_LIBS := $(call pkg_libs,$(TEST_PKGS)) $(LIB_LIBS)

# ---------------------------------------------------------------- sources

LIB_SRCS := $(sort $(shell find src -name '*.c' 2>/dev/null) $(wildcard sim/*.c))
TUI_SRCS := $(sort $(wildcard tui/*.c))
TEST_SRCS := $(sort $(wildcard tests/check_*.c) $(wildcard tests/helpers.c))
ORACLE_SRCS := $(sort $(wildcard tests/oracle/*.c) $(wildcard tui/op.c))
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
SUITES := $(sort $(patsubst tests/check_%.c,%, \
	$(filter-out tests/check_main.c,$(wildcard tests/check_*.c))))

obj = $(patsubst %.c,$(OBJ)/%.o,$(1))
LIB_OBJS := $(call obj,$(LIB_SRCS))
TUI_OBJS := $(call obj,$(TUI_SRCS))
TEST_OBJS := $(call obj,$(TEST_SRCS))
ORACLE_OBJS := $(call obj,$(ORACLE_SRCS))
BENCH_OBJS := $(call obj,$(BENCH_SRCS))
ALL_OBJS := $(sort $(LIB_OBJS) $(TUI_OBJS) $(TEST_OBJS) $(ORACLE_OBJS) $(BENCH_OBJS))

LIB := $(BUILD)/libvfslab.a
CLI := $(BUILD)/vfslab
CHECK_ALL := $(BUILD)/check_all
ORACLE := $(BUILD)/oracle
BENCH := $(BUILD)/bench

# A program is built only once its sources exist, so the tree builds while parts of it are
# still being written.
PROGS := $(LIB)
ifneq ($(TUI_SRCS),)
PROGS += $(CLI)
endif
PROGS += $(CHECK_ALL)
ifneq ($(wildcard tests/oracle/*.c),)
PROGS += $(ORACLE)
endif

# ---------------------------------------------------------------- build

.PHONY: all
all: $(PROGS)

# Objects are rebuilt when the compiler or the flags change (build-cov, build-asan, and a
# build with other EXTRA_CFLAGS do not reuse stale objects).
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(CFLAGS) $(LDFLAGS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_NOW)' ]; then echo '$(FLAGS_NOW)' > $@; fi

# The suite registry, generated from the file names: one SUITE(name) line per
# tests/check_NAME.c. Rewritten only when the list changes.
$(BUILD)/test-list.h: FORCE
	@mkdir -p $(@D)
	@{ echo '/* Generated by the Makefile from tests/check_*.c: do not edit. */'; \
	  for s in $(SUITES); do echo "SUITE($$s)"; done; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@"; fi

$(OBJ)/src/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(LIB_CPPFLAGS) -c $< -o $@

$(OBJ)/sim/%.o: sim/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(LIB_CPPFLAGS) -c $< -o $@

$(OBJ)/tui/%.o: tui/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(CLI_CPPFLAGS) -c $< -o $@

$(OBJ)/tests/%.o: tests/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(TEST_CPPFLAGS) -c $< -o $@

$(OBJ)/tests/check_main.o: $(BUILD)/test-list.h

# ar r would replace a member with the same base name (src/vfs/super.o and
# src/fs/tmpfs/super.o): build the archive afresh with quick append.
$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) qc $@ $^ && $(RANLIB) $@

$(CLI): $(TUI_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TUI_OBJS) $(LIB) $(CLI_LIBS)

# The runner links the front end too (its objects but main.o, and readline), for the
# suites that test the REPL through its own functions (check_complete.c).
CHECK_TUI_OBJS = $(filter-out $(OBJ)/tui/main.o,$(TUI_OBJS))
$(CHECK_ALL): $(TEST_OBJS) $(CHECK_TUI_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(CHECK_TUI_OBJS) $(LIB) $(TEST_LIBS) \
		$(call pkg_libs,$(CLI_PKGS))

$(ORACLE): $(ORACLE_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(ORACLE_OBJS) $(LIB) $(CLI_LIBS)

$(BENCH): $(BENCH_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(BENCH_OBJS) $(LIB) $(LIB_LIBS)

-include $(ALL_OBJS:.o=.d)

.PHONY: FORCE
FORCE:

# ---------------------------------------------------------------- deps

# Installs only what is missing; when everything is there it touches nothing (no apt-get
# update), so running it again is fast. The package lists are refreshed first unless they
# are less than an hour old (.ci/run has just updated them). APT_GET=echo shows what would run.
.PHONY: deps
deps:
	@missing=""; \
	for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q 'ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "deps: all $(words $(DEPS_PKGS)) packages are installed"; exit 0; \
	fi; \
	sudo=""; if [ "$$(id -u)" -ne 0 ]; then sudo="sudo "; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	fresh=$$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null); \
	if [ -z "$$fresh" ]; then \
		echo "deps: $${sudo}$(APT_GET) update"; $${sudo}$(APT_GET) update || exit 1; \
	fi; \
	echo "deps: $${sudo}$(APT_GET) install -y --no-install-recommends$$missing"; \
	$${sudo}$(APT_GET) install -y --no-install-recommends $$missing

# ---------------------------------------------------------------- run and test

.PHONY: run
run: $(CLI)
	exec ./$(CLI) $(ARGS)

# The Linux oracle the tests run. The coverage run uses the plain build's: a gcov-built
# oracle would write its .gcda files inside the chroot it runs in (the tmpfs or overlay
# being compared), and the oracle is not part of src/ anyway.
ORACLE_RUN ?= $(CURDIR)/$(ORACLE)

# Check's timeouts are per test in fork mode; slow builds (sanitizers, gcov) scale them.
CK_TIMEOUT_MULTIPLIER ?= 1
# Check's own default (4 s) is short for the fault sweeps on a busy or instrumented build.
CK_DEFAULT_TIMEOUT ?= 30
TEST_ENV := CK_TIMEOUT_MULTIPLIER=$(CK_TIMEOUT_MULTIPLIER) CK_DEFAULT_TIMEOUT=$(CK_DEFAULT_TIMEOUT) \
	BUILD=$(BUILD) \
	VFSLAB=$(CURDIR)/$(CLI) ORACLE=$(ORACLE_RUN)

# The helper scripts are other people's and may not exist yet: a missing script is
# skipped with a message, a failing one fails the target.
run_script = if [ -f $(1) ]; then \
		echo "== $(2): $(1)"; $(TEST_ENV) bash $(1); \
	else \
		echo "== $(2): $(1) does not exist yet, skipped"; \
	fi

.PHONY: check
check: all
	@echo "== unit tests: $(CHECK_ALL)"
	$(Q)$(TEST_ENV) ./$(CHECK_ALL)
	$(Q)$(call run_script,tests/run_scripts.sh,golden transcripts)
	$(Q)$(call run_script,tests/run_specs.sh,spec fixtures)
	$(Q)$(call run_script,tests/oracle/difftest.sh,oracle difftest)
	$(Q)$(call run_script,tests/interop/verity_digest.sh,verity interop)
	$(Q)$(call run_script,tests/oracle/difftest_overlay.sh,overlay oracle difftest)
	$(Q)$(call run_script,tests/interop/findmnt.sh,findmnt interop)
	$(Q)$(call run_script,tests/interop/host_replay.sh,spec replay on the real host (--host))
	$(Q)$(call run_script,tests/interop/tui.sh,the TUI through tmux)
	$(Q)$(call run_script,tests/interop/proc_shapes.sh,proc shapes against the host kernel)
	$(Q)$(call run_script,tests/interop/diod_server.sh,diod clients against our gofer)
	$(Q)$(call run_script,tests/interop/diod_client.sh,our 9p client against diod)
	$(Q)$(call run_script,tests/interop/fuse.sh,host tools through vfslab fuse)
	$(Q)$(call run_script,tests/oracle/difftest_fuse.sh,oracle corpus through vfslab fuse)

# Instrumented builds (sanitizers, gcov) change GCC's flow analysis and give false
# maybe-uninitialized warnings; the default build keeps that warning an error.
INSTR_CFLAGS := -Wno-error=maybe-uninitialized

# ---------------------------------------------------------------- sanitizers and valgrind

# Each run leaves its logs and a one-line summary ("suites=N checks=N failures=N errors=N
# failed_suites=N ...") in $(BUILD)/runs/NAME/ of its own build tree, for `make reliability`
# (tests/reliability.sh); a run removes the old ones as it starts.

# Every Check suite as its own process, as many at a time as make's -j allows, the slow
# ones first (so the last to finish is a short one). RUN_PREFIX goes before check_all (a
# tool such as valgrind), RUN_SUITES picks suites, RUN_NAME names the log directory. A
# suite's output is printed whole when it ends; every suite runs even when one fails, and
# the last line sums them up (and fails the target if any suite failed or crashed).
SLOW_SUITES := merkle faults verity gofer
RUN_NAME ?= plain
RUN_SUITES ?= $(SUITES)
RUN_PREFIX ?=
RUN_LOGS = $(BUILD)/runs/$(RUN_NAME)
RUN_ORDER = $(filter $(SLOW_SUITES),$(RUN_SUITES)) $(filter-out $(SLOW_SUITES),$(RUN_SUITES))
RUN_SUITE_TARGETS := $(addprefix run-suite-,$(SUITES))

.PHONY: run-suites run-suites-start $(RUN_SUITE_TARGETS)
run-suites: $(addprefix run-suite-,$(RUN_ORDER))
	@n=0; checks=0; fails=0; errs=0; bad=; \
	for s in $(RUN_ORDER); do \
		n=$$((n + 1)); rc=$$(cat $(RUN_LOGS)/$$s.rc 2>/dev/null || echo none); \
		line=$$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' \
			$(RUN_LOGS)/$$s.log | tail -n 1); \
		if [ -n "$$line" ]; then \
			set -- $$(echo "$$line" | sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/'); \
			checks=$$((checks + $$1)); fails=$$((fails + $$2)); errs=$$((errs + $$3)); \
		fi; \
		if [ "$$rc" != 0 ] || [ -z "$$line" ]; then bad="$$bad $$s"; fi; \
	done; \
	nbad=$$(echo $$bad | wc -w); \
	echo "suites=$$n checks=$$checks failures=$$fails errors=$$errs failed_suites=$$nbad" \
		> $(RUN_LOGS)/summary; \
	echo "$(RUN_NAME): $$n suites, Checks: $$checks, Failures: $$fails, Errors: $$errs;" \
		"failed suites:$${bad:- none}"; \
	[ -z "$$bad" ]

run-suites-start:
	@rm -rf $(RUN_LOGS) && mkdir -p $(RUN_LOGS)

# The exit status is the tool's (valgrind's --error-exitcode, a sanitizer's) or Check's.
$(RUN_SUITE_TARGETS): run-suite-%: $(CHECK_ALL) | run-suites-start
	@$(TEST_ENV) CK_RUN_SUITE=$* $(RUN_PREFIX) ./$(CHECK_ALL) > $(RUN_LOGS)/$*.log 2>&1; \
	rc=$$?; echo $$rc > $(RUN_LOGS)/$*.rc; \
	flock $(RUN_LOGS)/.print sh -c 'echo "== $(RUN_NAME): $*"; cat "$$1"; \
		[ "$$2" = 0 ] || echo "== $(RUN_NAME): $* FAILED (exit $$2)"' sh $(RUN_LOGS)/$*.log $$rc

# ASan+UBSan over the whole of `make check`, the Check suites in one process (CK_FORK=no):
# the first report ends the run, and LeakSanitizer checks everything at exit (a forked
# test would cost a leak scan of its own and a copy of ASan's page tables, twice the time).
# The oracle runs Linux's own syscalls inside a chroot where LeakSanitizer cannot read
# /proc: the tests use the plain build's oracle, as the coverage run does.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_BUILD := build-asan
ASAN_LOGS := $(ASAN_BUILD)/runs/asan
ASAN_MAKE = $(MAKE) BUILD=$(ASAN_BUILD) EXTRA_CFLAGS='$(SAN_FLAGS) $(INSTR_CFLAGS) $(EXTRA_CFLAGS)' \
	EXTRA_LDFLAGS='$(SAN_FLAGS) $(EXTRA_LDFLAGS)' CK_TIMEOUT_MULTIPLIER=10 \
	ORACLE_RUN=$(CURDIR)/build/oracle \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
.PHONY: asan
asan:
	+$(MAKE) BUILD=build build/oracle
	+$(ASAN_MAKE) all
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	+@{ $(ASAN_MAKE) CK_FORK=no check; echo $$? > $(ASAN_LOGS)/rc; } 2>&1 | tee $(ASAN_LOGS)/log
	@rc=$$(cat $(ASAN_LOGS)/rc); \
	line=$$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' $(ASAN_LOGS)/log); \
	set -- $$(echo "$${line:-Checks: 0, Failures: 0, Errors: 0}" | \
		sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/'); \
	scripts=$$(grep '^== ' $(ASAN_LOGS)/log | grep -v -c -e '^== unit tests' -e 'skipped$$'); \
	echo "suites=$(words $(SUITES)) checks=$$1 failures=$$2 errors=$$3 failed_suites=$$([ $$rc = 0 ] && echo 0 || echo 1) scripts=$$scripts" \
		> $(ASAN_LOGS)/summary; \
	echo "asan: Checks: $$1, Failures: $$2, Errors: $$3; $$scripts test scripts; exit $$rc"; \
	exit $$rc

# ThreadSanitizer (clang's) over the Check suites (TSAN_SUITES, default all of them): the
# stress and thread suites are what it is for, and the 9P client, server and Merkle code
# start threads of their own. Fork mode: a report fails its test, the run goes on.
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
TSAN_SUITES ?= $(SUITES)
.PHONY: tsan
tsan:
	+$(MAKE) BUILD=build-tsan CC=clang EXTRA_CFLAGS='$(TSAN_FLAGS) $(EXTRA_CFLAGS)' \
		EXTRA_LDFLAGS='$(TSAN_FLAGS) $(EXTRA_LDFLAGS)' CK_TIMEOUT_MULTIPLIER=10 \
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		RUN_NAME=tsan RUN_SUITES='$(TSAN_SUITES)' run-suites

# Memcheck over the Check suites (VALGRIND_SUITES, default all), in-process (CK_FORK=no;
# Check's timeouts do not apply then). Any error, and any definite, indirect or possible
# leak, fails the suite; memory still reachable at exit (libcrypto's and Check's own) does
# not. The one test that forks on purpose (a verity panic-mode child that must abort) would
# have memcheck report the aborted child's copy of the heap: children are silent.
# Valgrind 3.19 does not know openat2 (437) and fchmodat2 (452): it warns once per
# process and returns ENOSYS, so hostfs takes its openat fallback under memcheck.
# VALGRIND_SUPP: --suppressions=FILE options for third-party libraries (none needed yet).
VALGRIND_SUITES ?= $(SUITES)
VALGRIND_SUPP ?=
VALGRIND_FLAGS := -q --error-exitcode=1 --leak-check=full \
	--show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
	--child-silent-after-fork=yes --num-callers=30 $(VALGRIND_SUPP)
.PHONY: valgrind
valgrind:
	+$(MAKE) CK_FORK=no RUN_NAME=valgrind RUN_SUITES='$(VALGRIND_SUITES)' \
		RUN_PREFIX='$(VALGRIND) $(VALGRIND_FLAGS)' run-suites

.PHONY: bench
ifeq ($(BENCH_SRCS),)
bench:
	@echo "bench: no benchmarks yet (tests/bench/ has no sources)"
else
bench: $(BENCH)
	$(abspath $(BENCH)) $(ARGS)
endif

# ---------------------------------------------------------------- fuzz

# Each tests/fuzz/fuzz_NAME.c is a libFuzzer target, built with clang (ASan+UBSan) in
# build-fuzz/ against a libvfslab.a built the same way. `make fuzz` builds them and runs
# each for FUZZ_SECONDS on its seed corpus: tests/fuzz/corpus/NAME, or else the corpus
# named by NAME's first word (fuzz_p9_decode -> corpus/p9). New inputs go to
# build-fuzz/corpus/NAME, crashes to build-fuzz/.
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: fuzz fuzz-build fuzz-targets
fuzz: fuzz-build
	@set -e; for src in $(FUZZ_SRCS); do \
		t=$$(basename $$src .c); n=$${t#fuzz_}; seed=tests/fuzz/corpus/$$n; \
		[ -d $$seed ] || seed=tests/fuzz/corpus/$${n%%_*}; \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "== fuzz: $$t for $(FUZZ_SECONDS) s (seeds: $$seed)"; \
		./$(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus/$$n \
			$$( [ -d $$seed ] && echo $$seed ); \
	done

fuzz-build:
	+$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang \
		EXTRA_CFLAGS='-O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(EXTRA_CFLAGS)' \
		EXTRA_LDFLAGS='$(FUZZ_SAN) $(EXTRA_LDFLAGS)' fuzz-targets

fuzz-targets: $(patsubst tests/fuzz/%.c,$(BUILD)/%,$(FUZZ_SRCS))

# Targets that drive the front end (command table, op engine) link its objects too; main.o
# is left out (libFuzzer brings main).
FUZZ_TUI_OBJS = $(filter-out $(OBJ)/tui/main.o,$(TUI_OBJS))
$(BUILD)/fuzz_cmdline $(BUILD)/fuzz_ops: $(FUZZ_TUI_OBJS)

# The engine and the linker are knobs for OSS-Fuzz / ClusterFuzzLite (.clusterfuzzlite/
# build.sh sets FUZZ_ENGINE=$$LIB_FUZZING_ENGINE FUZZ_LD=$$CXX).
FUZZ_ENGINE ?= -fsanitize=fuzzer
FUZZ_LD ?= $(CC)
$(BUILD)/fuzz_%: $(OBJ)/tests/fuzz/fuzz_%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_LD) $(CFLAGS) $(FUZZ_ENGINE) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) \
		$(if $(filter $(OBJ)/tui/%,$^),$(CLI_LIBS),$(LIB_LIBS))

# CI smoke: every target replays its seeds, then fuzzes briefly (new inputs go to build-fuzz/).
FUZZ_SMOKE_SECONDS ?= 10
.PHONY: fuzz-smoke
fuzz-smoke: fuzz-build
	@set -e; for src in $(FUZZ_SRCS); do \
		t=$$(basename $$src .c); n=$${t#fuzz_}; seed=tests/fuzz/corpus/$$n; \
		[ -d $$seed ] || seed=tests/fuzz/corpus/$${n%%_*}; \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n; echo "== fuzz smoke: $$t"; \
		./$(FUZZ_BUILD)/$$t -runs=0 $$seed; \
		./$(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SMOKE_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/ \
			$(FUZZ_BUILD)/corpus/$$n $$seed; \
	done

# One summary of the reliability gates; fails unless every failure count is zero.
RELIABILITY_FUZZ_SECONDS ?= 10
.PHONY: reliability
reliability: all fuzz-build
	$(TEST_ENV) FUZZ_SECONDS=$(RELIABILITY_FUZZ_SECONDS) bash tests/reliability.sh

# ---------------------------------------------------------------- coverage

COV_BUILD := build-cov
COV_FLAGS := --coverage -O0
LCOV := lcov --quiet --config-file coverage/lcovrc --rc lcov_branch_coverage=1
GENHTML := genhtml --quiet --config-file coverage/lcovrc --rc genhtml_branch_coverage=1
COV_MAKE := $(MAKE) BUILD=$(COV_BUILD) EXTRA_CFLAGS='$(COV_FLAGS) $(INSTR_CFLAGS) $(EXTRA_CFLAGS)' \
	EXTRA_LDFLAGS='--coverage $(EXTRA_LDFLAGS)' CK_TIMEOUT_MULTIPLIER=4

# Debian 12's geninfo defines some subroutines twice and perl warns about it on every
# capture; capture() drops those lines and keeps everything else and the exit status.
capture = $(LCOV) --capture $(1) --directory $(COV_BUILD)/obj --output-file $(2) \
	2> $(COV_BUILD)/geninfo.err; rc=$$?; \
	grep -v '^Subroutine .* redefined at .*geninfo' $(COV_BUILD)/geninfo.err >&2; exit $$rc

# The baseline (--initial) capture makes files no test reaches count as 0%, not vanish.
.PHONY: coverage
coverage:
	+$(COV_MAKE) all
	find $(COV_BUILD) -name '*.gcda' -delete
	@echo "lcov: baseline capture -> $(COV_BUILD)/base.info"
	@$(call capture,--initial,$(COV_BUILD)/base.info)
	+$(MAKE) BUILD=build build/oracle
	+$(COV_MAKE) ORACLE_RUN=$(CURDIR)/build/oracle check
	@echo "lcov: capture -> $(COV_BUILD)/test.info"
	@$(call capture,,$(COV_BUILD)/test.info)
	$(LCOV) --add-tracefile $(COV_BUILD)/base.info --add-tracefile $(COV_BUILD)/test.info \
		--output-file $(COV_BUILD)/total.info
	$(LCOV) --extract $(COV_BUILD)/total.info '$(CURDIR)/src/*' --output-file $(COV_BUILD)/src.info
	rm -rf coverage/html
	$(GENHTML) --title 'vfslab src/' --output-directory coverage/html $(COV_BUILD)/src.info
	@echo "coverage: report in coverage/html/index.html"
	bash coverage/gate.sh $(COV_BUILD)/src.info coverage/thresholds

# ---------------------------------------------------------------- install

# libdir and includedir are written relative to ${prefix} when they are under PREFIX, so
# pkg-config --define-prefix (or --define-variable=prefix=...) can relocate the install.
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
$(BUILD)/vfslab.pc: vfslab.pc.in Makefile FORCE
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|g' \
		-e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES@|$(LIB_PKGS)|g' $< > $@

.PHONY: install uninstall
install: $(CLI) $(LIB) $(BUILD)/vfslab.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/vfslab \
		$(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/vfslab
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libvfslab.a
	install -m 644 src/include/vfslab/*.h $(DESTDIR)$(INCLUDEDIR)/vfslab/
	install -m 644 $(BUILD)/vfslab.pc $(DESTDIR)$(PKGCONFIGDIR)/vfslab.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfslab $(DESTDIR)$(LIBDIR)/libvfslab.a \
		$(DESTDIR)$(PKGCONFIGDIR)/vfslab.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/vfslab

# ---------------------------------------------------------------- style

FORMAT_FILES = $(sort $(shell find src sim tui tests -name '*.[ch]' 2>/dev/null))

.PHONY: format format-check
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

# ---------------------------------------------------------------- clean

.PHONY: clean
clean:
	rm -rf build build-asan build-cov build-tsan build-fuzz coverage/html \
		$(filter build-% build/%,$(BUILD))
