#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a VM job in the debug kernel (KASAN, lockdep, kmemleak, fault
# injection, DEBUG_VM; slub_debug on xuring's caches): build that kernel once
# (debug-kernel.sh caches it), build xuring.ko against it in
# build/debug-module/ (a copy of the module sources, so the stock build's
# objects stay as they are), then hand over to run-vm.sh with the given job
# and arguments.
#
# usage: debug-run.sh JOB [run-vm.sh arguments...]
# XURING_DEBUG_KO=PATH boots that module instead, which the caller built
# against this kernel (make coverage builds one with gcov profiling, once
# for all its runs, as the counters only fit the objects they came from).
set -euo pipefail

vm=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$vm/../.." && pwd)
job=${1:?usage: debug-run.sh JOB [run-vm.sh arguments...]}
shift

tree=$("$vm/debug-kernel.sh" | tail -n 1)
kver=$(make -s -C "$tree" kernelrelease)

ko=${XURING_DEBUG_KO:-}
if [ -z "$ko" ]; then
	mod=$root/build/debug-module
	rm -rf "$mod"
	mkdir -p "$mod"
	cp -a "$root/Kbuild" "$root/src" "$root/include" "$root/uapi" "$mod/"
	echo "debug-run: building xuring.ko against the debug kernel $kver"
	make -s -C "$tree" M="$mod" modules
	ko=$mod/xuring.ko
fi

# No 5-level paging in the debug guest: in 6.1, pgtable_l5_enabled() reads
# the boot CPU's feature bits until alternatives are patched, and
# identify_cpu() zeroes them for a moment; KASAN sizes its shadow with it,
# so an interrupt in that window (the guest's timer, now and then under
# TCG) made KASAN report a "wild-memory-access" in handle_edge_irq() at
# boot, long before xuring was loaded.
#
# slub_debug: run-vm.sh's, on xuring's caches. On every cache
# (slub_debug=FZPU) this KASAN and lockdep kernel did not get past
# "Running RCU-tasks wait API self tests" in 25 minutes under TCG.
#
# --tcg multi: a host thread per vCPU, so that the vCPUs run side by side
# while KASAN and lockdep watch (run-vm.sh says what that costs).
exec "$vm/run-vm.sh" --job "$job" --kver "$kver" --cpu max,la57=off \
	--tcg multi --kernel "$tree/arch/x86/boot/bzImage" --moddir "$tree/mods" \
	--ko "$ko" "$@"
