#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make trace-demo`: xuring seen from outside while
# xuring-bench runs. bpftrace counts completions by opcode with io_uring's
# one-liner, its prefix changed to xuring (the bpftrace_ops check, which
# compares the counts with what the benches reaped), then the unchanged
# one-liner on the kernel's own io_uring; xuring-top prints three frames
# of a live run (the xuring_top check). The host shows all of it.

. /xuring/jobs/lib.sh

job_start

module_load

for t in /xuring/checks/bpftrace_ops /xuring/checks/xuring_top; do
	echo "### xuring-show-begin ${t##*/}"
	run_selftest "$t" 600
	echo "### xuring-show-end ${t##*/}"
done

# The one-liner as written for io_uring, on io_uring, for comparison.
bench=/xuring/tools/xuring-bench
echo "### xuring-show-begin io_uring"
echo "# the same one-liner on the kernel's io_uring, while xuring-bench --engine io_uring runs NOPs:"
if BPFTRACE=/xuring/bin/bpftrace /xuring/trace/completions-by-op.sh io_uring \
	"$bench" --engine io_uring --mode nop --ops 50001 --depth 32 --batch 8; then
	result ok bpftrace_io_uring
else
	result "not ok" bpftrace_io_uring "the one-liner failed on io_uring"
fi
echo "### xuring-show-end io_uring"

module_unload
dmesg_check
