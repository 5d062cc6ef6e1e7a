# SPDX-License-Identifier: GPL-2.0
#
# xuring: an io_uring-style asynchronous I/O module.
#
#   make run      install what is missing, build, boot a VM, show xuring at work
#   make check    install what is missing, build, run the tools' checks on
#                 the host, then every selftest and check in a VM
#   make bench    xuring against io_uring, libaio and psync in a VM
#                 (QUICK=1, WALLCLOCK=1, REPS=N, RUNTIME=SEC, STATS=1)
#   make trace-demo   bpftrace and xuring-top on a live benchmark in a VM
#
#   make check-runner     the tests of the VM test runner itself
#   make check-debug      the selftests in a KASAN/lockdep/kmemleak kernel
#   make fuzz SECONDS=N   the ring fuzzer in that kernel (SEED=S to replay)
#   make coverage         line and branch coverage of src/ in that kernel
#
# Kbuild (not this file) describes the module; this file drives kbuild, the
# user-space tools, the selftests and the VM runner in tools/vm/.

SHELL := /bin/bash
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
VM := $(ROOT)/tools/vm

# The guest kernel: KVER, a version or a series (6.1, 6.12, 7), resolved
# to an installed kernel by guest-kernel.sh; by default the newest Debian
# cloud kernel installed with its headers. Never hard-code Debian's ABI
# number. A kernel that needs a newer compiler than the host's (7.x on
# bookworm) is built in a trixie chroot (tools/vm/kernel-chroot.sh): make
# deps KVER=7 sets it up. KDIR=/path/to/kernel/build builds against any
# tree on the host instead.
KVER_ASKED := $(KVER)
override KVER := $(shell KVER='$(KVER_ASKED)' $(VM)/guest-kernel.sh 2>/dev/null)
KROOT := $(if $(KVER),$(shell KVER='$(KVER)' $(VM)/guest-kernel.sh --root))
ifeq ($(origin KDIR),undefined)
ifneq ($(filter-out /,$(KROOT)),)
KMAKE := $(VM)/kernel-chroot.sh run $(ROOT) make -C /lib/modules/$(KVER)/build
endif
KDIR := $(patsubst //%,/%,$(KROOT)/lib/modules/$(KVER)/build)
endif
KMAKE ?= $(MAKE) -C $(KDIR)

# Pass C=1 (sparse) and W=1 through to kbuild.
KBUILD_ARGS := $(if $(C),C=$(C)) $(if $(W),W=$(W))

# the fuzzer's budget and seed (a random one, printed, by default)
SECONDS ?= 300
# Drawn once (:=): a recursive ?= variable ran od again at every use, and
# the seed printed for replay was not the one the guest got.
ifeq ($(origin SEED),undefined)
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif

.PHONY: all module tools selftests deps check run bench clean help \
	checkpatch sparse check-debug check-runner fuzz coverage payload \
	profile deb trace-demo

all: module tools selftests

help:
	@echo "make run          build, boot a VM, demonstrate xuring"
	@echo "make check        build and run every selftest in a VM"
	@echo "make bench        benchmark xuring against io_uring, libaio, psync in a VM"
	@echo "                  (QUICK=1: a few rows; WALLCLOCK=1: real time, not icount;"
	@echo "                  REPS=N runs per contender, RUNTIME=SEC per run;"
	@echo "                  STATS=1: xuring with its statistics on, too)"
	@echo "make trace-demo   bpftrace counts completions by opcode, xuring-top"
	@echo "                  shows frames, while xuring-bench runs in a VM"
	@echo "make profile      kernel instructions per request by function, xuring vs"
	@echo "                  io_uring (PROFILE=\"xuring-bench args\", OPS=N)"
	@echo "make check-runner test the VM test runner: fake tests and kernel reports"
	@echo "make check-debug  the selftests in a KASAN/lockdep/kmemleak kernel"
	@echo "make fuzz SECONDS=N [SEED=S]  fuzz the ring in that kernel"
	@echo "                  (NO_SHAPE=exec,compat,...: leave shapes out;"
	@echo "                  PROGRAM=P [PHASE=faults]: replay one program of a"
	@echo "                  failure)"
	@echo "make coverage     line and branch coverage of src/ from the selftests"
	@echo "                  and the fuzzer in that kernel (FUZZ_SECONDS=N, SEED=S)"
	@echo "make module       build xuring.ko (KDIR=<kernel build tree>)"
	@echo "make tools        build the user-space tools"
	@echo "make selftests    build the selftests"
	@echo "make deps         install the Debian packages the above need"
	@echo "                  (KVER=6.12 or KVER=7: that guest kernel too)"
	@echo "make deb          the xuring-dkms and libxuring Debian packages, in build/deb"
	@echo "make checkpatch   checkpatch.pl --strict over the module sources"
	@echo "make sparse       build the module under sparse (C=1)"

module:
	@if [ -z "$(KVER)" ] && [ "$(origin KDIR)" = file ]; then \
		KVER='$(KVER_ASKED)' $(VM)/guest-kernel.sh; exit 1; \
	fi
	@if [ ! -d "$(KDIR)" ]; then \
		echo "xuring: no kernel build tree at '$(KDIR)'."; \
		echo "        Run 'make deps' to install the guest kernel's headers," \
		     "or pass KDIR=/path/to/kernel/build."; \
		exit 1; \
	fi
	$(KMAKE) M=$(ROOT) $(KBUILD_ARGS) modules

tools:
	$(MAKE) -C tools BUILD=$(BUILD)

selftests:
	$(MAKE) -C selftests OUTPUT=$(BUILD)/selftests

deps:
	KVER='$(KVER_ASKED)' $(VM)/deps.sh

# What the guest gets besides the module and the selftests: each tool's
# stage.sh copies its programs to payload/bin and its checks, TAP-speaking
# scripts that the check job runs like selftests, to payload/checks.
# liburing's own tests are among them (fetched and built once).
payload: tools
	$(MAKE) -C tools BUILD=$(BUILD) compat-tests
	rm -rf $(BUILD)/payload
	mkdir -p $(BUILD)/payload/bin $(BUILD)/payload/checks
	@for s in tools/*/stage.sh; do \
		[ -x "$$s" ] || continue; \
		echo "  STAGE $$s"; \
		"$$s" $(BUILD)/payload || exit 1; \
	done

# First the tools' own checks, on the host (no module needed: libxuring's
# symbols, API and unit tests, the fio engine's loading and refusals): a
# failure there stops make check before the guest boots. Then the guest's
# job: the selftests as root and as an unprivileged user, fio's verify
# jobs, liburing's own tests on xuring and on the kernel's io_uring,
# plocate on the drop-in. With the unprivileged pass it takes 8 to 12
# minutes of guest time under TCG on a quiet two-core host; on a busy one
# (CI beside other guests) 6.1's took past 12, so the job gets 24 minutes
# (4/5 of the guest's 30).
check: deps
	$(MAKE) all payload
	@echo "=== check: the tools' host-side checks (make -C tools check)"
	$(MAKE) -C tools BUILD=$(BUILD) check
	@echo "=== check: the guest"
	$(VM)/run-vm.sh --job check --kver '$(KVER_ASKED)' \
		--timeout 1800 --payload $(BUILD)/payload

# The runner's own tests (tools/vm/selftest/check-runner.sh): fake test
# programs that crash, hang or lie about their results, every kernel
# report the runner knows, guests that hang. Five minutes with the host's
# load average at 11, most of it two short guest boots.
check-runner: deps
	$(MAKE) module
	$(VM)/selftest/check-runner.sh

# The demo (xuring-demo), then a short benchmark, in one icount guest.
run: deps
	$(MAKE) all payload
	KVER='$(KVER_ASKED)' tools/bench/run-bench.sh --demo

# Results in build/bench/: results.csv, table.txt, iops-vs-qd.png.
BENCH_ARGS := $(if $(QUICK),--quick) $(if $(WALLCLOCK),--wallclock) \
	$(if $(REPS),--reps $(REPS)) $(if $(RUNTIME),--runtime $(RUNTIME)) \
	$(if $(STATS),--stats)
bench: deps
	$(MAKE) all payload
	KVER='$(KVER_ASKED)' tools/bench/run-bench.sh $(BENCH_ARGS)

# bpftrace's io_uring one-liner with the xuring prefix and xuring-top, on
# live xuring-bench runs (tools/vm/jobs/trace-demo.sh): about a minute on
# an idle host; the timeout leaves room for a busy one.
trace-demo: deps
	$(MAKE) all payload
	$(VM)/run-vm.sh --job trace-demo --kver '$(KVER_ASKED)' \
		--timeout 1200 --payload $(BUILD)/payload

# Where each request's kernel instructions go, by function, on xuring and
# io_uring (tools/prof/profile.sh): for example
#   make profile PROFILE="--mode nop --depth 32 --batch 32" OPS=200000
# Results in build/prof/table.txt.
PROFILE_ARGS := $(if $(OPS),--ops $(OPS)) $(if $(PROFILE),-- $(PROFILE))
profile: deps
	$(MAKE) all
	KVER='$(KVER_ASKED)' tools/prof/profile.sh $(PROFILE_ARGS)

# The debug kernel is built once per machine (about 16 minutes on two
# cores) and cached under ~/.cache/xuring; KASAN makes the guest slow:
# with the unprivileged pass the job took past its 32 minutes on a host
# busy with two other guests (fio's checks alone 10), so it gets 48.
check-debug: deps
	$(MAKE) tools selftests payload
	$(VM)/debug-run.sh check --timeout 3600 --payload $(BUILD)/payload \
		--append "xuring.selftest_timeout=900 xuring.settle_timeout=60"

# The module is built with XURING_KCOV=1 (Kbuild): the fuzzer follows its
# kcov coverage. tools/fuzz/corpus/ goes in with the fuzzer; the programs
# that reach new module code come back into it (tools/fuzz/after-run.sh).
# NO_SHAPE=LIST leaves process shapes out, PROGRAM=P replays one program
# (in the single phase, or PHASE=faults for a failure of that phase).
FUZZ_APPEND := xuring.fuzz_seconds=$(SECONDS) xuring.fuzz_seed=$(SEED) \
	$(if $(NO_SHAPE),xuring.fuzz_no_shape=$(NO_SHAPE)) \
	$(if $(PROGRAM),xuring.fuzz_program=$(PROGRAM) \
		xuring.fuzz_phases=$(or $(PHASE),single))
fuzz: deps
	$(MAKE) tools
	@echo "fuzz: seed $(SEED), $(SECONDS) s (replay with make fuzz SEED=$(SEED))"
	@rc=0; XURING_KCOV=1 $(VM)/debug-run.sh fuzz \
		--timeout $$(($(SECONDS) + 600)) --payload $(BUILD)/fuzz \
		--append "$(strip $(FUZZ_APPEND))" || rc=$$?; \
	tools/fuzz/after-run.sh "$${XURING_VM_OUT:-$(BUILD)/vm}/results.log" \
		tools/fuzz/corpus; \
	exit $$rc

# gcov counters of a profiled module from the check-debug selftests and
# from a short fuzz run, as tables, HTML and annotated sources in
# build/coverage/ (tools/cov/README.md).
FUZZ_SECONDS ?= 120
coverage: deps
	$(MAKE) tools selftests payload
	tools/cov/coverage.sh --fuzz-seconds $(FUZZ_SECONDS) --seed $(SEED)

# The uapi header may use neither BIT() nor __packed (user space has
# neither, which is why the kernel's own uapi headers spell them out);
# checkpatch only knows that for files under include/uapi/.
CHECKPATCH := perl $(BUILD)/ksrc/scripts/checkpatch.pl --no-tree --strict \
	--terse
# include/compat.h is where kernel versions are told apart, the one place
# LINUX_VERSION_CODE belongs.
checkpatch: deps
	$(CHECKPATCH) -f src/*.c $(filter-out include/compat.h,$(wildcard include/*.h)) \
		include/trace/events/*.h
	$(CHECKPATCH) --ignore LINUX_VERSION_CODE -f include/compat.h
	$(CHECKPATCH) --ignore BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO -f uapi/linux/*.h

# Fails on any sparse (or compiler) warning, not just on errors; W=1 adds
# the compiler's extra warnings.
sparse:
	@mkdir -p $(BUILD); set -o pipefail; \
	$(MAKE) --no-print-directory module C=2 W=1 2>&1 | \
		tee $(BUILD)/sparse.log
	@if grep -E 'warning:|error:' $(BUILD)/sparse.log; then \
		echo "sparse: the warnings above must go"; exit 1; \
	fi

# xuring-dkms (the module for every installed kernel, through DKMS, with
# the udev rule and the xuring group) and libxuring (the library, headers,
# pkg-config file and drop-in liburing.so.2): tools/pkg/build-debs.sh.
deb:
	tools/pkg/build-debs.sh $(BUILD)/deb

clean:
	@if [ -d "$(KDIR)" ]; then $(KMAKE) M=$(ROOT) clean; fi
	rm -rf $(BUILD)
