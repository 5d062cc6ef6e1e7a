#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once per machine) the debug kernel that `make check-debug` boots:
# Debian's linux-source-6.1 with KASAN, lockdep, kmemleak and fault injection.
# The tree is cached under ~/.cache/xuring, keyed on the source package
# version and on debug-kernel.config, so a rebuild happens only when either
# changes. Prints the path of the built tree on its last line.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${XURING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xuring}
tarball=/usr/src/linux-source-6.1.tar.xz

if [ ! -f "$tarball" ]; then
	echo "debug-kernel: $tarball is missing; run tools/vm/deps.sh (or apt-get install linux-source-6.1)" >&2
	exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
cfghash=$(sha256sum "$here/debug-kernel.config" | cut -c1-12)
tree="$cache/debug-kernel-$srcver-$cfghash"
stamp="$tree/.xuring-built"

if [ -f "$stamp" ]; then
	echo "$tree"
	exit 0
fi

# One build at a time: a second caller (another worktree, a parallel
# check-debug) waits for the first instead of deleting its tree.
mkdir -p "$cache"
exec 9> "$cache/.debug-kernel.lock"
if ! flock -n 9; then
	echo "debug-kernel: another build is running; waiting for it" >&2
	flock 9
fi
if [ -f "$stamp" ]; then
	echo "$tree"
	exit 0
fi

rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
echo "debug-kernel: unpacking linux-source $srcver (one time, about a minute)" >&2
tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
mv "$tree.tmp" "$tree"
cd "$tree"

echo "debug-kernel: configuring (defconfig + kvm_guest.config + debug options)" >&2
make -s defconfig >&2
make -s kvm_guest.config >&2
grep -v '^#' "$here/debug-kernel.config" | grep -v '^$' | xargs scripts/config
make -s olddefconfig >&2

# Fail early if an option did not stick (a dependency was missing).
for opt in KASAN PROVE_LOCKING DEBUG_KMEMLEAK FAILSLAB FAIL_PAGE_ALLOC DEBUG_VM \
	   MEMCG CGROUP_PIDS GCOV_KERNEL KCOV EVENT_TRACING DEBUG_OBJECTS_WORK \
	   FAULT_INJECTION_DEBUG_FS DEBUG_ATOMIC_SLEEP DETECT_HUNG_TASK; do
	if ! grep -q "^CONFIG_$opt=y" .config; then
		echo "debug-kernel: CONFIG_$opt did not survive olddefconfig" >&2
		exit 1
	fi
done

jobs=$(nproc)
echo "debug-kernel: building bzImage and modules with -j$jobs (about 20 minutes on 2 cores; cached afterwards)" >&2
start=$(date +%s)
# Module.symvers for out-of-tree modules needs the modules step too.
make -j"$jobs" bzImage modules > build.log 2>&1 || {
	tail -40 build.log >&2
	echo "debug-kernel: build failed; full log in $tree/build.log" >&2
	exit 1
}
echo "debug-kernel: built in $(( $(date +%s) - start ))s" >&2
rm -rf mods
make -s INSTALL_MOD_PATH="$tree/mods" modules_install >&2
touch "$stamp"
echo "$tree"
