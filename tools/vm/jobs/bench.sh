#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make bench`: load xuring.ko, run a benchmark plan
# (bench-lib.sh; xuring.bench_plan= on the kernel command line), unload,
# and check dmesg. The host (tools/bench/run-bench.sh) reads the
# bench-result lines this prints.

. /xuring/jobs/lib.sh
. /xuring/jobs/bench-lib.sh

job_start

if timeout 60 insmod /xuring/xuring.ko; then
	result ok module_load
	bench_run_plan "$bench_plan"
else
	result "not ok" module_load "insmod failed"
fi

module_unload
dmesg_check
