#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make coverage` (tools/cov/): run another job (check or
# fuzz) on a gcov-profiled xuring.ko in the debug kernel, then send the
# module's gcov counters to the host.
#
# Kernel command line: xuring.cov_job=check|fuzz (default check), and what
# that job reads.
#
# The counters are taken after the job's rmmod: gcov_persist=1 (the
# default) keeps an unloaded module's counters in /sys/kernel/debug/gcov, so
# they include the module's exit path. The .gcda files go out on the
# results port as a base64 tar.gz between "### xuring-gcov-begin" and
# "### xuring-gcov-end N", which tools/cov/coverage.sh unpacks.

. /xuring/jobs/lib.sh

inner=check jobtimeout=240
for arg in $(cat /proc/cmdline); do
	case $arg in
	xuring.cov_job=*) inner=${arg#*=} ;;
	xuring.timeout=*) jobtimeout=${arg#*=} ;;
	esac
done

# The inner job gets all but a minute, which the copy below needs.
timeout $((jobtimeout - 60)) sh "/xuring/jobs/$inner.sh"
rc=$?
[ $rc -lt 124 ] ||
	result "not ok" "${inner}_job" "killed after $((jobtimeout - 60))s (rc $rc)"

gcov=/sys/kernel/debug/gcov
copy=/tmp/.xuring-gcov
rm -rf "$copy"
files=0
# debugfs reports a size of 0 for these files, so tar would store them
# empty: cat them into a plain copy first.
for f in $(find "$gcov" -name '*.gcda' 2>/dev/null); do
	mkdir -p "$copy${f%/*}"
	cat "$f" > "$copy$f" && files=$((files + 1))
done
if [ "$files" = 0 ]; then
	result "not ok" gcov_data "no .gcda files under $gcov (kernel without CONFIG_GCOV_KERNEL, or the module not built with XURING_GCOV=1?)"
	exit 0
fi
echo "### xuring-gcov-begin"
tar -C "$copy$gcov" -c . | gzip | base64
echo "### xuring-gcov-end $files"
result ok gcov_data "$files files"
rm -rf "$copy"
