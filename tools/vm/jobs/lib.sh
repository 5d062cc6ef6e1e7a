# SPDX-License-Identifier: GPL-2.0
#
# Helpers sourced by the guest jobs (not a job itself). Output is TAP-like so
# the host counts runner checks and selftest results the same way.

n=0
result() {	# "ok"|"not ok" NAME [COMMENT]
	n=$((n + 1))
	echo "$1 $n $2${3:+ # $3}"
}

kmemleak=/sys/kernel/debug/kmemleak	# debug kernels only

job_start() {
	dmesg_base=$(dmesg | wc -l)
	echo "# dmesg had $dmesg_base lines when the job started"
	# Forget what boot leaked: only the job's leaks are ours.
	[ -w "$kmemleak" ] && echo clear > "$kmemleak"
	return 0
}

# Run one selftest binary in its own session (so a timeout kills all of its
# processes), stream its output, and add a failure if it did not finish:
# timed out, killed by a signal, or fewer results than its plan announced.
run_selftest() {	# PATH TIMEOUT
	name=${1##*/} out=/tmp/.xuring-out fifo=/tmp/.xuring-fifo
	echo "### xuring-selftest-begin $name"
	rm -f "$out" "$fifo" /tmp/.xuring-timedout
	mkfifo "$fifo"
	tee "$out" < "$fifo" &
	tee_pid=$!
	setsid "$1" > "$fifo" 2>&1 < /dev/null &
	pid=$!
	(
		sleep "$2"
		touch /tmp/.xuring-timedout
		kill -TERM -"$pid"
		sleep 5
		kill -KILL -"$pid"
	) 2>/dev/null &
	watchdog=$!
	wait "$pid"
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$tee_pid"

	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	done=$(grep -c -E '^(not )?ok ' "$out")
	fails=$(grep -c '^not ok ' "$out")
	status="exit=$rc" why=
	if [ -e /tmp/.xuring-timedout ]; then
		status=timeout why="timed out after ${2}s"
	elif [ "$rc" -gt 128 ]; then
		status="signal=$((rc - 128))" why="killed by signal $((rc - 128))"
	elif [ -z "$plan" ]; then
		why="exit status $rc without a TAP plan (1..N)"
	elif [ "$done" -lt "$plan" ]; then
		why="only $done of $plan results, exit status $rc"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$fails" = 0 ]; then
		why="exit status $rc but no test failed"
	fi
	echo "### xuring-selftest-end $name $status"
	if [ -n "$why" ]; then
		result "not ok" "selftests/$name" "$why"
	elif [ "$plan" = 0 ]; then	# "1..0 # SKIP reason": skipped whole
		result ok "selftests/$name" \
			"SKIP $(sed -n 's/^1\.\.0.*# *SKIP *//p' "$out" | head -n 1)"
	fi
	rm -f "$out" "$fifo"
}

module_unload() {
	if timeout 60 rmmod xuring; then
		result ok module_unload
	else
		result "not ok" module_unload "rmmod xuring failed"
	fi
}

# Kernel reports that mean a bug, wherever they come from. The host scans the
# console with the same list (tools/vm/run-vm.sh) in case the guest died.
report_re='WARNING:|BUG:|Oops|Kernel panic|general protection fault|blocked for more than|circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|KASAN|UBSAN|unreferenced object|soft lockup|hard LOCKUP|rcu.*stall|sleeping function called from invalid context|list_add corruption|list_del corruption|refcount_t:|Slab cache still has objects'

dmesg_check() {
	# kmemleak puts its reports ("unreferenced object") in debugfs, not dmesg.
	# It ignores objects younger than 5 s; a second scan drops stale refs.
	if [ -w "$kmemleak" ]; then
		sleep 5
		timeout 120 sh -c "echo scan > $kmemleak; echo scan > $kmemleak"
		leaks=$(cat "$kmemleak")
	fi
	reports=$({ dmesg; echo "${leaks:-}"; } | grep -E "$report_re")
	if [ -z "$reports" ]; then
		result ok dmesg_clean
	else
		echo "$reports" | head -n 20 | sed 's/^/# /'
		result "not ok" dmesg_clean "kernel reports in dmesg${leaks:+ or kmemleak}"
	fi
	echo "### xuring-dmesg-begin"
	dmesg | tail -n +"$((dmesg_base + 1))" | tail -n 80
	if [ -n "${leaks:-}" ]; then
		echo "--- $kmemleak:"
		echo "$leaks" | head -n 60
	fi
	echo "### xuring-dmesg-end"
}
