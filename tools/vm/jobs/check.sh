#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make check`: load xuring.ko, run every selftest binary as
# root and again as an unprivileged user, run the tools' checks, unload,
# and look for kernel reports in dmesg. stdout goes to the host's
# results.log; runner checks are TAP lines like the selftests' own, and each
# binary's output sits between "### xuring-selftest-begin/end" markers.
# After every binary the module's counters must go back to zero (lib.sh's
# leak_check), and the kernel runs with slub_debug (run-vm.sh).

. /xuring/jobs/lib.sh

job_start
hold_hot_keys
module_load

# Per-binary limit: xuring.selftest_timeout=SEC (the debug kernel is slow).
limit=120
for arg in $(cat /proc/cmdline); do
	case $arg in
	xuring.selftest_timeout=*) limit=${arg#*=} ;;
	esac
done

for t in /xuring/selftests/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_selftest "$t" "$limit"
done

# The unprivileged pass: uid and gid 65534 (nobody), in the groups an
# administrator would grant: xuring, which owns /dev/xuring, and disk,
# which owns the test devices (init). The binaries run whole; a test that
# needs root skips itself and says why. Programs that need root for
# everything they do are not run, and count as one skip each:
root_only() {	# NAME: why NAME needs root, or nothing
	case $1 in
	xuring_faultinject_test) echo "it sets the fault-injection knobs in debugfs" ;;
	xuring_policy_test) echo "it sets the module's parameters (its tests become uid 65534 themselves)" ;;
	xuring_trace_test) echo "it enables xuring's events in tracefs" ;;
	xuring_stats_test) echo "it reads debugfs and switches the stats parameter" ;;
	esac
}
test_uid=65534
runas_user=$test_uid:$test_uid:$xuring_gid,6
# Registered buffers count against RLIMIT_MEMLOCK, whose default (8 MiB)
# is less than the I/O tests register (16 MiB a ring): raise it as an
# administrator would for users of io_uring-class rings (limits.conf,
# systemd's LimitMEMLOCK=). Root, with CAP_IPC_LOCK, has no such limit.
root_memlock=$(ulimit -l)
ulimit -l $((64 * 1024))
# Directories of its own, so that nothing the root pass left is in its way.
root_ext4_dir=$XURING_EXT4_DIR root_tmpdir=$XURING_TMPDIR
XURING_EXT4_DIR=$root_ext4_dir/uid$test_uid XURING_TMPDIR=$root_tmpdir/uid$test_uid
mkdir -p "$XURING_EXT4_DIR" "$XURING_TMPDIR"
chown "$test_uid:$test_uid" "$XURING_EXT4_DIR" "$XURING_TMPDIR"
for t in /xuring/selftests/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=${t##*/}@uid$test_uid
	why=$(root_only "${t##*/}")
	if [ -n "$why" ]; then
		result ok "selftests/$name" "SKIP needs root: $why"
	else
		run_selftest "$t" "$limit" "$name"
	fi
done
runas_user=
ulimit -l "$root_memlock"
XURING_EXT4_DIR=$root_ext4_dir XURING_TMPDIR=$root_tmpdir

# Checks the tools contribute (tools/*/stage.sh): the fio plugin's verify
# job, liburing's own tests on libxuring, ... Each prints TAP as a selftest,
# within 300 s or the selftests' limit if that is longer (debug kernels).
# They run as root.
check_limit=$((limit > 300 ? limit : 300))
for t in /xuring/checks/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_selftest "$t" "$check_limit"
done

module_unload
dmesg_check
