#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make profile` (tools/prof/profile.sh): load xuring.ko,
# run xuring-bench once with the arguments on the kernel command line,
# and print the kernel's text symbols, which the host needs to attribute
# the instruction counts of the QEMU plugin (addresses move with KASLR).
#
# Kernel command line:
#   xuring.profile_args=ARG,ARG,...   xuring-bench's arguments, comma-separated

. /xuring/jobs/lib.sh

job_start
args=
for arg in $(cat /proc/cmdline); do
	case $arg in
	xuring.profile_args=*) args=$(echo "${arg#*=}" | tr ',' ' ') ;;
	esac
done

if timeout 60 insmod /xuring/xuring.ko; then
	result ok module_load
	# shellcheck disable=SC2086 # one word per argument
	if out=$(/xuring/tools/xuring-bench $args 2>&1); then
		result ok xuring-bench
	else
		result "not ok" xuring-bench "exit status $?"
	fi
	echo "$out" | sed 's/^/# /'
	echo "$out" | tail -n 1 | sed 's/^/profile-result /'
	# while the module is in: its symbols are the interesting ones
	grep -i '^[0-9a-f]* t ' /proc/kallsyms | sed 's/^/profile-sym /'
else
	result "not ok" module_load "insmod failed"
fi

module_unload
dmesg_check
