# SPDX-License-Identifier: GPL-2.0
#
# xuring: an io_uring-style asynchronous I/O module.
#
#   make run      install what is missing, build, boot a VM, show xuring at work
#   make check    install what is missing, build, run every selftest in a VM
#
# Kbuild (not this file) describes the module; this file drives kbuild, the
# user-space tools, the selftests and the VM runner in tools/vm/.

SHELL := /bin/bash
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
VM := $(ROOT)/tools/vm

# The guest kernel: the newest installed Debian cloud kernel with headers,
# unless KVER (or KDIR) says otherwise. Never hard-code Debian's ABI number.
KVER ?= $(shell $(VM)/guest-kernel.sh 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build

# Pass C=1 (sparse) and W=1 through to kbuild.
KBUILD_ARGS := $(if $(C),C=$(C)) $(if $(W),W=$(W))

.PHONY: all module tools selftests deps check run clean help \
	checkpatch sparse

all: module tools selftests

help:
	@echo "make run          build, boot a VM, demonstrate xuring"
	@echo "make check        build and run every selftest in a VM"
	@echo "make module       build xuring.ko (KDIR=<kernel build tree>)"
	@echo "make tools        build the user-space tools"
	@echo "make selftests    build the selftests"
	@echo "make deps         install the Debian packages the above need"
	@echo "make checkpatch   checkpatch.pl --strict over the module sources"
	@echo "make sparse       build the module under sparse (C=1)"

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "xuring: no kernel build tree at '$(KDIR)'."; \
		echo "        Run 'make deps' to install the guest kernel's headers," \
		     "or pass KDIR=/path/to/kernel/build."; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(ROOT) $(KBUILD_ARGS) modules

tools:
	$(MAKE) -C tools BUILD=$(BUILD)

selftests:
	$(MAKE) -C selftests OUTPUT=$(BUILD)/selftests

deps:
	$(VM)/deps.sh

check: deps
	$(MAKE) all
	$(VM)/run-vm.sh --job check --kver "$$($(VM)/guest-kernel.sh)"

run: deps
	$(MAKE) all
	$(VM)/run-vm.sh --job run --kver "$$($(VM)/guest-kernel.sh)"

checkpatch: deps
	perl $(BUILD)/ksrc/scripts/checkpatch.pl --no-tree --strict --terse \
		-f src/*.c include/*.h uapi/linux/*.h

sparse:
	$(MAKE) module C=2

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(ROOT) clean; fi
	rm -rf $(BUILD)
