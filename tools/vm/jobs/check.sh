#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make check`: load xuring.ko, run every selftest binary
# and the tools' checks, unload, and look for kernel reports in dmesg.
# stdout goes to the host's results.log; runner checks are TAP lines like
# the selftests' own, and each binary's output sits between
# "### xuring-selftest-begin/end" markers.
# After every binary the module's counters must go back to zero (lib.sh's
# leak_check).

. /xuring/jobs/lib.sh

job_start
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

# Checks the tools contribute (tools/*/stage.sh): the fio plugin's verify
# job, liburing's own tests on libxuring, ... Each prints TAP as a selftest,
# within 300 s or the selftests' limit if that is longer (debug kernels).
check_limit=$((limit > 300 ? limit : 300))
for t in /xuring/checks/*; do
	[ -f "$t" ] && [ -x "$t" ] && run_selftest "$t" "$check_limit"
done

module_unload
dmesg_check
