#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a TCG guest that runs one job (tools/vm/jobs/JOB.sh) against xuring.ko
# and report the results. The host cannot load modules, so every kernel-side
# test happens in here.
#
# usage: run-vm.sh --job JOB [--kver VER] [--kernel PATH] [--moddir DIR]
#                  [--ko PATH] [--timeout SEC] [--smp N] [--mem SIZE]
#                  [--cpu MODEL] [--icount] [--payload DIR] [--append STR]...
#                  [--selftests DIR]   (default build/selftests)
#                  [--tcg single|multi]
# --append adds words to the guest's kernel command line (each --append
# adds to the last); the jobs read their xuring.* settings there.
# --icount gives the guest a deterministic clock (for benchmarks) and one
# vCPU unless --smp says otherwise (the 6.1 cloud kernel does not bring a
# second vCPU up under icount, though: it hangs at "Booting SMP").
# --tcg says whether the vCPUs run on one host thread (the default) or a
# thread each (see where accel is set).
#
# Files in build/vm/ (or $XURING_VM_OUT, so that runs can go side by side):
# console.log (ttyS0, kernel console), results.log
# (ttyS1, the job's output), initramfs.gz, the disk images, qemu.cmd.
# The last line printed is "N passed, N failed, N skipped" (results.sh says
# what counts); the exit status is non-zero exactly when something failed.
set -euo pipefail

vm=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$vm/../.." && pwd)
out=${XURING_VM_OUT:-$root/build/vm}

job='' kver='' kernel='' moddir='' ko=$root/xuring.ko timeout=300 smp='' mem=2G cpu=max
icount='' payload='' append='' selftests=$root/build/selftests tcg=''

die() {	# keeps the promise about the last line
	echo "run-vm: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--icount) icount=1; shift ;;
	--append)	# words for the kernel command line; may be repeated
		[ $# -ge 2 ] || die "$1 needs an argument"
		append+=${append:+ }$2
		shift 2 ;;
	--job|--kver|--kernel|--moddir|--ko|--timeout|--smp|--mem|--cpu|--payload|--selftests|--tcg)
		[ $# -ge 2 ] || die "$1 needs an argument"
		printf -v "${1#--}" '%s' "$2"
		shift 2 ;;
	*) die "unknown argument '$1' (see the usage at the top of $0)" ;;
	esac
done
[ -n "$job" ] || die "--job JOB is required (check, run: tools/vm/jobs/JOB.sh)"
[ -f "$vm/jobs/$job.sh" ] || die "no job '$job' (tools/vm/jobs/$job.sh)"
case $tcg in ''|single|multi) ;; *) die "--tcg wants single or multi, not '$tcg'" ;; esac
if ! [[ $timeout =~ ^[0-9]+$ ]] || [ "$timeout" -lt 30 ]; then
	die "--timeout wants whole seconds, at least 30"
fi
# --kver may name a series (6.12); a kernel of the trixie chroot
# (kernel-chroot.sh) boots with that chroot's modules.
if [ -z "$kernel" ]; then
	kver=$(KVER=$kver "$vm/guest-kernel.sh") || die "no kernel to boot (see above)"
	kroot=$(KVER=$kver "$vm/guest-kernel.sh" --root)
	kernel=$kroot/boot/vmlinuz-$kver
	[ -n "$moddir" ] || [ "$kroot" = / ] || moddir=$kroot
fi
[ -n "$kver" ] || die "--kver VER is required with --kernel"
[ -r "$kernel" ] || die "cannot read kernel image $kernel; install linux-image-$kver ('make deps') or pass --kernel PATH"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; run 'make deps'"
PATH=$PATH:/sbin:/usr/sbin	# mkfs.ext4

mkdir -p "$out"
"$vm/mkinitramfs.sh" --kver "$kver" --ko "$ko" --out "$out/initramfs.gz" \
	--selftests "$selftests" \
	${moddir:+--moddir "$moddir"} ${payload:+--payload "$payload"} ||
	die "could not build the initramfs (see above)"

# Fresh disks every run: an ext4 filesystem, a raw scratch disk and an NVMe
# namespace. The guest finds the virtio ones by serial number.
rm -f "$out"/{ext4,scratch,nvme}.img
truncate -s 256M "$out/ext4.img"
mkfs.ext4 -q -F "$out/ext4.img" || die "mkfs.ext4 failed (see above); is e2fsprogs installed?"
truncate -s 64M "$out/scratch.img"
truncate -s 64M "$out/nvme.img"

if [ -n "$icount" ]; then
	# One instruction = one nanosecond of guest time: rates are repeatable.
	accel=(-accel tcg -icount "shift=0,sleep=off" -smp "${smp:-1}")
else
	# One host thread runs all the vCPUs, in turns, unless --tcg multi
	# asks for one each. A thread per vCPU runs the guest's CPUs truly
	# side by side, which gives races a chance, but then a vCPU can run
	# kernel code that another vCPU has finished patching:
	# text_poke_bp()'s INT3 outlives the patch in a stale translation,
	# and the guest dies ("Oops: int3", or a stall) in whatever function
	# a tracepoint or static key was flipped in. jobs/text-poke.sh does
	# it with no xuring loaded: 6.12 died within 2 to 35 s of its
	# flipping (131 s once under QEMU 10.0 instead of 7.2), 6.1 within
	# 40 s, and make check on 6.12 lost two runs to its trace and cgroup
	# tests. One
	# thread: make check on 6.12 in 451 s instead of 398 s. debug-run.sh
	# asks for multi, for KASAN and lockdep to watch real parallelism,
	# and check.sh holds the keys those tests would flip (lib.sh).
	tcg=${tcg:-single}
	accel=(-accel "tcg,thread=$tcg" -smp "${smp:-2}")
fi
# Leave the guest's job time to report (dmesg) before the host gives up.
# An oops or a soft lockup ends the run at once (panic=-1 powers off):
# after one the guest only spins until the timeout, which in the debug
# kernel is most of an hour.
cmdline="console=ttyS0 panic=-1 oops=panic softlockup_panic=1 nvme.poll_queues=2 xuring.job=$job xuring.timeout=$((timeout * 4 / 5))"
# SLUB's debugging for the jobs that test (an --append with its own
# slub_debug= replaces this): red zones (Z) and poison (P) around and in
# every object of xuring's request cache and of the kmalloc caches that
# hold everything else xuring allocates (rings, workers, SQ data, file and
# buffer tables), checked at every allocation and free (F), with who
# allocated and freed each (U). A write past an object, a write after a
# free or a double free then fails the run with a "BUG <cache> (...): ..."
# report (jobs/report-patterns), which nothing else in the stock kernel
# would notice: a planted one-byte write after kmem_cache_free() of a
# request passed make check without this and fails it with it.
# Cost, measured in guest time under -icount (deterministic but for I/O
# timing, +-5% between runs) for the selftests as root and unprivileged:
# no slub_debug 92.7 s, these caches 94.6 s, all caches 94.3 s: lost in
# the noise; booting to insmod took 2.5 s, 2.8 s and 3.6 s. All caches
# would also check the block layer's and the filesystems' objects on
# every I/O of the tools' checks, for bugs that are not xuring's; and the
# KASAN debug kernel (debug-run.sh, which keeps this setting) did not get
# through its boot in 25 minutes with them.
case $job in
check|fuzz|runner)
	[[ $append == *slub_debug=* ]] ||
		cmdline+=" slub_debug=FZPU,xuring_req,kmalloc-*" ;;
esac
cmdline+=" $append"
# q35, not the default i440fx machine: the latter's ACPI _PRT loop takes the
# KASAN debug kernel 30 s per evaluation (AE_AML_LOOP_TIMEOUT) under TCG.
qemu=(qemu-system-x86_64 "${accel[@]}" -machine q35 -cpu "$cpu" -m "$mem"
      -nographic -nodefaults -no-reboot
      -kernel "$kernel" -initrd "$out/initramfs.gz" -append "$cmdline"
      -serial "file:$out/console.log" -serial "file:$out/results.log")
# shellcheck disable=SC2206 # words on purpose: extra QEMU options
[ -z "${XURING_QEMU_EXTRA:-}" ] || qemu+=($XURING_QEMU_EXTRA)
disk() {	# FILE SERIAL DEVICE
	qemu+=(-drive "if=none,id=$2,file=$out/$1,format=raw,cache=unsafe"
	       -device "$3,drive=$2,serial=$2")
}
disk ext4.img xuring-ext4 virtio-blk-pci
disk scratch.img xuring-scratch virtio-blk-pci
disk nvme.img xuring0 nvme
printf '%q ' "${qemu[@]}" > "$out/qemu.cmd"
echo >> "$out/qemu.cmd"

# A guest that never reaches its job: twice in a row, on a host busy with
# three other guests, the debug kernel stopped for good at "Running
# RCU-tasks wait API self tests", long before xuring was loaded. Such a boot is
# killed after $XURING_BOOT_LIMIT seconds (default 900) without a line
# from the job, said so, and tried once more; a guest that hangs after
# its job began is never retried. Runs with a shorter timeout than the
# limit are not watched.
boot_limit=${XURING_BOOT_LIMIT:-900}
[ "$boot_limit" -lt "$timeout" ] || boot_limit=0
boot_guest() {
	: > "$out/console.log"
	: > "$out/results.log"
	echo "run-vm: booting $kver for job '$job' (${icount:+icount, }timeout ${timeout}s; logs in $out/)"
	start=$(date +%s)
	timeout -k 5 "$timeout" "${qemu[@]}" < /dev/null 2> "$out/qemu.log" &
	qpid=$!
	trap 'kill "$qpid" 2>/dev/null || true' EXIT

	# Live progress: the result lines and the selftest names as they
	# arrive, and whatever the job puts between show markers (the
	# demo's output).
	tail -n +1 -s 0.2 -F --pid="$qpid" "$out/results.log" 2>/dev/null |
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		'### xuring-show-begin '*) show=1 ;;
		'### xuring-show-end '*) show= ;;
		'### xuring-selftest-begin '*) echo "  ${line##* }:" ;;
		'ok '*|'not ok '*|'# init:'*) echo "    $line" ;;
		*) [ -z "${show:-}" ] || echo "    | $line" ;;
		esac
	done &
	tailpid=$!

	boot_hung=
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -s "$out/results.log" ]; then
			break
		fi
		if [ "$boot_limit" -gt 0 ] &&
		   [ $(( $(date +%s) - start )) -ge "$boot_limit" ]; then
			boot_hung=1
			kill "$qpid" 2>/dev/null || true
			break
		fi
		sleep 2
	done
	qrc=0
	wait "$qpid" || qrc=$?
	wait "$tailpid" || true
}

boot_guest
if [ -n "$boot_hung" ]; then
	echo "run-vm: the guest did not reach its job in ${boot_limit}s; its console ends with:"
	tail -n 3 "$out/console.log" | sed 's/^/    /'
	cp "$out/console.log" "$out/console-hung-boot.log"
	echo "run-vm: booting it again (once)"
	boot_guest
fi
trap - EXIT
elapsed=$(( $(date +%s) - start ))

exec "$vm/results.sh" "$out" "$qrc" "$timeout" "$elapsed"
