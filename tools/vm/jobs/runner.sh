#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make check-runner` (tools/vm/selftest/check-runner.sh):
# run the fake test programs it sends in as selftests through lib.sh, in
# the real guest with xuring.ko loaded, so that the host can check that
# each misbehaviour became a failure within its limit. Two of them need
# the guest: fake_ring_leak leaves a ring open (the module's counters must
# show it) and fake_stuck waits for I/O in the kernel, where SIGKILL cannot
# end it (the job must go on regardless).
#
# With xuring.runner_hang=1 the job instead ends at once and keeps the
# guest from powering off: the host must count that as a failure.

. /xuring/jobs/lib.sh

hang=
for arg in $(cat /proc/cmdline); do
	case $arg in xuring.runner_hang=*) hang=${arg#*=} ;; esac
done

job_start

if [ -n "$hang" ]; then
	# init powers off with sysrq 'o', then 'b', then poweroff -f
	if mount -o bind /dev/null /proc/sysrq-trigger &&
	   rm -f /sbin/poweroff /bin/poweroff &&
	   printf '#!/bin/sh\nexec sleep 3600\n' > /sbin/poweroff &&
	   chmod 0755 /sbin/poweroff; then
		result ok guest_will_hang_after_the_job
	else
		result "not ok" guest_will_hang_after_the_job "could not disarm power-off"
	fi
	exit 0
fi

if timeout 60 insmod "$module_path"; then
	result ok module_load
else
	result "not ok" module_load "insmod failed"
fi

# fake_ring_leak's daemon keeps its ring 6 s: longer than this wait after
# fake_ring_leak, shorter than that and the wait after the next program.
settle_limit=4
export XURING_RING_HOLD=6

# A null_blk device that completes each request 20 s after it was issued
# (configfs; the initial nullb0 keeps its parameters), for fake_stuck.
# Since 6.0 the disk takes the name of its configfs directory.
slow=/sys/kernel/config/nullb/nullb_slow
if mkdir "$slow" && echo 2 > "$slow/irqmode" &&
   echo 20000000000 > "$slow/completion_nsec" && echo 16 > "$slow/size" &&
   echo 1 > "$slow/power"; then
	XURING_SLOW_BLKDEV=/dev/nullb_slow
	export XURING_SLOW_BLKDEV
	wait_for() {	# up to 10 s for a device node
		i=0
		while [ ! -b "$1" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	}
	wait_for "$XURING_SLOW_BLKDEV"
	echo "# slow device: $XURING_SLOW_BLKDEV"
else
	echo "# cannot make a slow null_blk device: fake_stuck will fail to start"
fi

for t in /xuring/selftests/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_selftest "$t" 3
done

module_unload
dmesg_check
