#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a VM job in the debug kernel (KASAN, lockdep, kmemleak, fault
# injection): build that kernel once (debug-kernel.sh caches it), build
# xuring.ko against it in build/debug-module/ (a copy of the module
# sources, so the stock build's objects stay as they are), then hand over
# to run-vm.sh with the given job and arguments.
#
# usage: debug-run.sh JOB [run-vm.sh arguments...]
set -euo pipefail

vm=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$vm/../.." && pwd)
job=${1:?usage: debug-run.sh JOB [run-vm.sh arguments...]}
shift

tree=$("$vm/debug-kernel.sh" | tail -n 1)
kver=$(make -s -C "$tree" kernelrelease)

mod=$root/build/debug-module
rm -rf "$mod"
mkdir -p "$mod"
cp -a "$root/Kbuild" "$root/src" "$root/include" "$root/uapi" "$mod/"
echo "debug-run: building xuring.ko against the debug kernel $kver"
make -s -C "$tree" M="$mod" modules

exec "$vm/run-vm.sh" --job "$job" --kver "$kver" \
	--kernel "$tree/arch/x86/boot/bzImage" --moddir "$tree/mods" \
	--ko "$mod/xuring.ko" "$@"
