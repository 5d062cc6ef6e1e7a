#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make check`: load xuring.ko, run every selftest binary,
# unload, and look for kernel reports in dmesg. stdout goes to the host's
# results.log; runner checks are TAP lines like the selftests' own, and each
# binary's output sits between "### xuring-selftest-begin/end" markers.

. /xuring/jobs/lib.sh

job_start

if timeout 60 insmod /xuring/xuring.ko; then
	result ok module_load
else
	result "not ok" module_load "insmod failed"
fi

mode=$(stat -c %a /dev/xuring 2>/dev/null)
if [ -c /dev/xuring ] && [ "$mode" = 666 ]; then
	result ok dev_xuring
else
	result "not ok" dev_xuring "/dev/xuring missing or mode '${mode:-none}', want 0666"
fi

# Per-binary limit: xuring.selftest_timeout=SEC (the debug kernel is slow).
limit=120
for arg in $(cat /proc/cmdline); do
	case $arg in xuring.selftest_timeout=*) limit=${arg#*=} ;; esac
done

for t in /xuring/selftests/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_selftest "$t" "$limit"
done

# Checks the tools contribute (tools/*/stage.sh): the fio plugin's verify
# job, liburing's own tests on libxuring, ... Each prints TAP as a selftest,
# within 300 s or the selftests' limit if that is longer (debug kernels).
check_limit=$((limit > 300 ? limit : 300))
for t in /xuring/checks/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_selftest "$t" "$check_limit"
done

module_unload
dmesg_check
