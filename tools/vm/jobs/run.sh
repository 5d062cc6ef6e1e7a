#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make run`: load xuring.ko, show the NOP demo at work, run
# the quick benchmark plan (bench-lib.sh; the host prints its table),
# unload, and check dmesg for kernel reports.

. /xuring/jobs/lib.sh
. /xuring/jobs/bench-lib.sh

job_start

if timeout 60 insmod /xuring/xuring.ko; then
	result ok module_load
else
	result "not ok" module_load "insmod failed"
fi

# The host prints what is between the show markers on the terminal.
demo=/xuring/tools/xuring-demo
if [ -x "$demo" ]; then
	echo "### xuring-show-begin xuring-demo"
	timeout -k 5 120 "$demo"
	rc=$?
	echo "### xuring-show-end xuring-demo rc=$rc"
	if [ $rc = 0 ]; then
		result ok xuring-demo
	else
		result "not ok" xuring-demo "exit status $rc"
	fi
else
	result "not ok" xuring-demo "$demo not built (make tools)"
fi

if [ -x "$fio" ] && [ -x "$bench_tool" ]; then
	bench_run_plan quick
else
	result ok bench "SKIP no fio or xuring-bench in the guest (make payload)"
fi

module_unload
dmesg_check
