#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack the test VM's initramfs: busybox, tools/vm/init as /init, the jobs
# and their report patterns, xuring-runas (runas.c), the guest kernel's
# modules we need, xuring.ko, the selftests, the tools and an optional
# payload, plus the shared libraries any of them link against (the guest
# has no other root filesystem).
#
# usage: mkinitramfs.sh --kver VER --ko PATH --out FILE [--moddir DIR]
#                       [--payload DIR] [--selftests DIR] [--tools DIR]
#   --moddir DIR   DIR/lib/modules/VER holds the modules (default: /)
#   --payload DIR  copied as-is under /xuring/ (fio, benchmark tools, ...)
set -euo pipefail

vm=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$vm/../.." && pwd)

# Guest kernel modules: null_blk (needs configfs), the virtio disks and
# NVMe; modprobe adds their dependencies. Built-in ones are skipped.
modules="configfs null_blk virtio_pci virtio_blk nvme ext4"

kver='' ko='' out='' moddir=/ payload=''
selftests=$root/build/selftests
tools=$root/build/tools

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--kver|--ko|--out|--moddir|--payload|--selftests|--tools)
		[ $# -ge 2 ] || die "$1 needs an argument"
		opt=${1#--}
		printf -v "$opt" '%s' "$2"
		shift 2 ;;
	*) die "unknown argument '$1' (see the usage at the top of $0)" ;;
	esac
done
[ -n "$kver" ] || die "--kver VER is required"
[ -n "$out" ] || die "--out FILE is required"
[ -f "$ko" ] || die "module '$ko' not found; build it with 'make module' (or pass --ko PATH)"
[ -d "$moddir/lib/modules/$kver" ] ||
	die "no $moddir/lib/modules/$kver; install linux-image-$kver or pass --moddir DIR"
[ -z "$payload" ] || [ -d "$payload" ] || die "payload '$payload' is not a directory"
PATH=$PATH:/sbin:/usr/sbin	# modprobe, modinfo
built_for=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
[ "$built_for" = "$kver" ] ||
	die "$ko is built for kernel '$built_for' but the guest boots '$kver'; rebuild it (make module KVER=$kver)"

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,mnt/ext4,root}
mkdir -p "$stage"/xuring/{jobs,modules,selftests,tools}

bb=$(command -v busybox) || die "busybox not found; install busybox-static ('make deps')"
cp -L "$bb" "$stage/bin/busybox"
install -m 0755 "$vm/init" "$stage/init"
install -m 0755 "$vm"/jobs/*.sh "$stage/xuring/jobs/"
install -m 0644 "$vm/jobs/report-patterns" "$stage/xuring/jobs/"
# How the jobs start test programs (a session each, and the unprivileged
# pass): small and static, built here so run-vm.sh needs no make.
gcc -static -O2 -Wall -o "$stage/bin/xuring-runas" "$vm/runas.c" ||
	die "could not build $vm/runas.c (is gcc installed? 'make deps')"
install -m 0644 "$ko" "$stage/xuring/xuring.ko"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	> "$stage/etc/passwd"
# disk: the test devices (init); xuring: /dev/xuring, as the packaged udev
# rule sets it up (jobs/lib.sh). The check job's unprivileged pass runs as
# nobody with both (the ids, not these names, are what it uses).
printf 'root:x:0:\ndisk:x:6:nobody\nxuring:x:990:nobody\nnogroup:x:65534:\n' \
	> "$stage/etc/group"

# Modules, in dependency order (modprobe lists each one's deps first), so
# /init can insmod them one by one from /xuring/modules/order.
: > "$stage/xuring/modules/order"
for m in $modules; do
	# -C /dev/null: the host's modprobe.d is not the guest's business.
	if ! deps=$(modprobe -C /dev/null -d "$moddir" -S "$kver" --show-depends "$m" 2>&1); then
		echo "mkinitramfs: warning: $m: $deps" >&2
		continue
	fi
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue	# "builtin NAME"
		name=${path##*/}
		name=${name%%.ko*}
		dst=$stage/xuring/modules/$name.ko
		[ -e "$dst" ] && continue
		case $path in	# busybox insmod wants plain .ko files
		*.ko.xz) xz -dc "$path" > "$dst" ;;
		*.ko.zst) zstd -qdc "$path" > "$dst" ;;
		*.ko.gz) gzip -dc "$path" > "$dst" ;;
		*) cp "$path" "$dst" ;;
		esac
		echo "$name" >> "$stage/xuring/modules/order"
	done <<< "$deps"
done

copy_execs() {	# SRCDIR DSTDIR: the executable files at the top of SRCDIR
	local f
	[ -d "$1" ] || return 0
	for f in "$1"/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp -L "$f" "$2/"
	done
	return 0
}
copy_execs "$selftests" "$stage/xuring/selftests"
copy_execs "$tools" "$stage/xuring/tools"
[ -z "$payload" ] || cp -a "$payload/." "$stage/xuring/"

# Shared libraries (and the loader) of every dynamically linked executable.
find "$stage/bin" "$stage/xuring" -type f -perm -u+x ! -name '*.ko' -print0 |
while IFS= read -r -d '' f; do
	libs=$(ldd "$f" 2>/dev/null) || continue	# static, or not ELF
	if grep -q 'not found' <<< "$libs"; then
		echo "mkinitramfs: warning: ${f#"$stage"}: $(grep 'not found' <<< "$libs" | tr -s ' \t\n' ' ')" >&2
	fi
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<< "$libs"
done | sort -u | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

(cd "$stage" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
