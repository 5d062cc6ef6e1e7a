#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count what a guest run produced and say whether it passed: the second
# half of run-vm.sh, on its own so that `make check-runner` can feed it
# made-up runs (tools/vm/selftest/).
#
# usage: results.sh OUTDIR QEMU_STATUS TIMEOUT ELAPSED
#   OUTDIR       holds results.log (the job's TAP), console.log (the kernel
#                console) and qemu.log (qemu's stderr)
#   QEMU_STATUS  qemu's exit status under timeout(1): 124 or 137 when the
#                host had to kill it
#
# Every "not ok" line counts as a failure, and so does each of these:
# - a test program without its end marker, or a job without one (the
#   guest died or hung in the middle);
# - a qemu that had to be killed, or that failed, after the job ended
#   (the guest hung or crashed on its way out: nothing it printed after
#   the job can be trusted);
# - a kernel report on the console (tools/vm/jobs/report-patterns) that
#   the guest's own dmesg check did not already count.
# The last line is the summary: "N passed, N failed, N skipped", and in
# brackets how many passes ran unprivileged and how many allocation-failure
# tests this kernel could not run. The exit status is 0 exactly when that
# line says "0 failed".
set -euo pipefail

vm=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: results.sh OUTDIR QEMU_STATUS TIMEOUT ELAPSED}
qrc=${2:?} timeout=${3:?} elapsed=${4:?}

# A qemu that had to be killed or failed is one failure, unless the job did
# not end: then the job's own failure (counted below) covers it.
job_ended=$(tr -d '\r' < "$out/results.log" | grep -m1 '^### xuring-job-end ' || true)
qemu_failed=0
case $qrc in
0) echo "run-vm: guest stopped after ${elapsed}s" ;;
124|137)
	if [ -n "$job_ended" ]; then
		qemu_failed=1
		echo "run-vm: FAIL: the job ended but the guest did not power off within ${timeout}s (hung on the way out?); killed it"
	else
		echo "run-vm: FAIL: the guest did not finish within ${timeout}s (hung?); killed it"
	fi ;;
*)
	if [ -n "$job_ended" ]; then
		qemu_failed=1
		echo "run-vm: FAIL: qemu exited with status $qrc after ${elapsed}s, after the job ended:"
	else
		echo "run-vm: qemu exited with status $qrc after ${elapsed}s:"
	fi
	sed 's/^/    /' "$out/qemu.log" 2>/dev/null || true ;;
esac

# Results of an unprivileged pass are marked "@uid<N>" in the test
# program's name. A test that skips because the kernel has no fault
# injection says "no fault injection" (selftests/xuring_faultinject_test.c).
counts=$out/counts
tr -d '\r' < "$out/results.log" | awk -v counts="$counts" '
	/^### xuring-dmesg-begin/ { indmesg = 1; next }
	/^### xuring-dmesg-end/ { indmesg = 0; next }
	indmesg { next }
	/^### xuring-job-killed / { cur = "" }
	/^### xuring-job-end / { ended = 1 }
	/^### xuring-selftest-begin / { cur = $3; running[cur] = 1 }
	/^### xuring-selftest-end / { delete running[$3]; cur = "" }
	/^(not )?ok / {
		user = ""
		if (match(cur " " $0, /@uid[0-9]+/))
			user = substr(cur " " $0, RSTART + 4, RLENGTH - 4)
	}
	/^ok / {
		if (/#[ \t]*[Ss][Kk][Ii][Pp]/) {
			skip++
			if (user == "" && /no fault injection/)
				fault_only++
		} else {
			pass++
			if (user != "") {
				user_pass++
				uid = user
			}
		}
	}
	/^not ok / {
		fail++
		if ($4 == "dmesg_clean")
			dmesg = 1
		sub(/^not ok [0-9]* */, "")
		print "run-vm: FAIL: " (cur != "" ? cur ": " : "") $0
	}
	END {
		for (t in running) {
			if (ended) {	# init killed the job: counted there
				print "run-vm: " t " was running when the job was killed"
				continue
			}
			fail++
			print "run-vm: FAIL: " t ": did not finish (the guest died or hung)"
			died = 1
		}
		if (!ended && !died) {	# one failure for one hang
			fail++
			print "run-vm: FAIL: the guest did not finish the job (crashed, panicked or powered off early?)"
		}
		print pass + 0, fail + 0, skip + 0, ended + 0, dmesg + 0, \
			user_pass + 0, uid + 0, fault_only + 0 > counts
	}'
read -r passed failed skipped ended dmesg_failed user_passed uid fault_only \
	< "$counts"
rm -f "$counts"
failed=$((failed + qemu_failed))

# The guest scans its own dmesg; the console also catches what happened after
# that scan or when the guest died before it.
report_re=$(sed -e '/^#/d' -e '/^$/d' "$vm/jobs/report-patterns" | paste -sd '|')
if [ "$dmesg_failed" = 0 ] && grep -qE "$report_re" "$out/console.log"; then
	failed=$((failed + 1))
	echo "run-vm: FAIL: console_clean: kernel reports on the console:"
	grep -E "$report_re" "$out/console.log" | head -n 20 | sed 's/^/    /'
fi

if [ "$failed" -gt 0 ]; then
	if [ "$ended" = 1 ] && grep -q '^### xuring-dmesg-begin' "$out/results.log"; then
		echo "run-vm: guest dmesg (tail):"
		tr -d '\r' < "$out/results.log" |
			sed -n '/^### xuring-dmesg-begin/,/^### xuring-dmesg-end/p' |
			sed '1d;$d;s/^/    /'
	else
		echo "run-vm: console ($out/console.log) tail:"
		tr -d '\r' < "$out/console.log" | tail -n 60 | sed 's/^/    /'
	fi
	echo "run-vm: full output in $out/results.log and $out/console.log"
fi

notes=()
[ "$user_passed" = 0 ] || notes+=("$user_passed passed unprivileged, as uid $uid")
[ "$fault_only" = 0 ] ||
	notes+=("$fault_only allocation-failure tests skipped: this kernel cannot inject faults, make check-debug runs them")
summary="$passed passed, $failed failed, $skipped skipped"
if [ ${#notes[@]} -gt 0 ]; then
	summary+=" ($(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g'))"
fi
echo "$summary"
[ "$failed" = 0 ]
