#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job: does the guest survive the kernel patching its own code while
# the other vCPU runs it? No xuring here; this checks the emulator and the
# way run-vm.sh runs it (--tcg).
#
# Tracepoints and static keys are jumps the kernel rewrites at run time
# (text_poke_bp(): an INT3 on the first byte, the rest, then the new first
# byte, with every CPU serialized between the steps). Under QEMU's
# multi-threaded TCG a vCPU can still run a translation holding the INT3
# after the patch is over, and the 6.12 guest dies with "Oops: int3" in the
# patched function. The selftests flip two such keys in hot code: enabling
# an event in a tracefs instance turns on comm recording, a probe on
# sched_switch (in __schedule()); a cpuset cgroup's creation and removal
# turn cpusets_enabled() on and off (in the page allocator). This job does
# both, over and over, while two loops fork, exec and fault pages in.
#
# xuring.text_poke_secs=SEC (default 60): how long.

. /xuring/jobs/lib.sh

job_start

secs=60
for arg in $(cat /proc/cmdline); do
	case $arg in xuring.text_poke_secs=*) secs=${arg#*=} ;; esac
done

tracing=/sys/kernel/tracing
[ -d $tracing/events ] || mount -t tracefs nodev $tracing 2>/dev/null
event=$tracing/events/sched/sched_switch/enable
group=/sys/fs/cgroup/text-poke
if [ -w "$event" ]; then
	result ok tracefs
else
	result "not ok" tracefs "no $event"
fi

load() {	# exec, fault pages in, context-switch: run the patched code
	while :; do
		/bin/true
		cat /proc/uptime > /dev/null
	done
}
load &
load1=$!
load &
load2=$!

echo "# flipping sched_switch and cpusets for $secs s"
now_cs
end=$((now + secs * 100))
flips=0 failed=
while [ $now -lt $end ] && [ -z "$failed" ]; do
	{ echo 1 > $event && echo 0 > $event; } 2>/dev/null ||
		failed="cannot enable sched:sched_switch"
	{ mkdir $group && rmdir $group; } 2>/dev/null ||
		failed=${failed:-"cannot create and remove $group"}
	flips=$((flips + 1))
	[ $((flips % 100)) != 0 ] || echo "# $flips"
	now_cs
done
kill $load1 $load2
wait 2>/dev/null

if [ -z "$failed" ]; then
	result ok text_poke "$flips times each in $secs s"
else
	result "not ok" text_poke "$failed"
fi
dmesg_check
