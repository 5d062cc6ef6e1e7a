# SPDX-License-Identifier: GPL-2.0
#
# Helpers sourced by the guest jobs (not a job itself). Output is TAP-like so
# the host counts runner checks and selftest results the same way.
#
# Written for busybox sh, and careful to fork little: under TCG every
# process costs. `make check-runner` (tools/vm/selftest/) runs these same
# functions on the host against fake test programs, with these settings
# pointed elsewhere:
jobs_dir=${XURING_JOBS_DIR:-/xuring/jobs}
runas=${XURING_RUNAS:-/bin/xuring-runas}	# tools/vm/runas.c
rundir=${XURING_RUN_DIR:-/tmp/.xuring-run}	# a test program's output
stats=${XURING_STATS_DIR:-/sys/class/misc/xuring}	# the module's counters

# How long the module's counters may take to go back to zero once a test
# program is gone (rings are torn down by workqueues, io-wq workers exit on
# their own): 10 s by default, xuring.settle_timeout=SEC (slow debug
# kernels). A leak shows as a counter that never gets there.
settle_limit=10
for arg in $(cat /proc/cmdline); do
	case $arg in xuring.settle_timeout=*) settle_limit=${arg#*=} ;; esac
done

n=0
result() {	# "ok"|"not ok" NAME [COMMENT]
	n=$((n + 1))
	echo "$1 $n $2${3:+ # $3}"
}

kmemleak=/sys/kernel/debug/kmemleak	# debug kernels only

# Hold on two kernel switches the selftests would otherwise flip, so that
# the kernel does not patch hot code under them (run-vm.sh: with a vCPU
# per host thread, as debug-run.sh asks, a vCPU can run a patched
# function's stale INT3; jobs/text-poke.sh). Enabling an event in a
# tracefs instance starts recording comms, a probe on sched_switch in
# __schedule(), unless record-cmd is off at the top level (an instance
# takes its options from there when it is made); cpusets_enabled(), in
# the page allocator, stays on while a cpuset cgroup other than the root
# exists (init enables the controller below the root).
hold_hot_keys() {
	_tr=/sys/kernel/tracing
	[ -d $_tr/options ] || mount -t tracefs nodev $_tr 2>/dev/null
	[ ! -w $_tr/options/record-cmd ] || echo 0 > $_tr/options/record-cmd
	[ ! -f /sys/fs/cgroup/cgroup.subtree_control ] ||
		mkdir -p /sys/fs/cgroup/xuring-hold-keys
}

job_start() {
	dmesg_base=$(dmesg | wc -l)
	echo "# dmesg had $dmesg_base lines when the job started"
	# Forget what boot leaked: only the job's leaks are ours.
	[ -w "$kmemleak" ] && echo clear > "$kmemleak"
	return 0
}

# Kernel reports that mean a bug, wherever they come from: one ERE, joined
# from report-patterns (the host scans the console with the same list).
report_re=$(sed -e '/^#/d' -e '/^$/d' "$jobs_dir/report-patterns" | tr '\n' '|')
report_re=${report_re%|}

now_cs() {	# $now: centiseconds since boot, without forking
	read -r now _ < /proc/uptime
	now=$((${now%.*} * 100 + 1${now#*.} - 100))
}

# $pstate: the state letter of process $1 (R, S, D, Z, ...), empty if it is
# gone. $pcomm: its name.
proc_state() {
	pstate= pcomm=
	{ read -r _st < "/proc/$1/stat"; } 2>/dev/null || return 0
	pcomm=${_st#*(}
	pcomm=${pcomm%)*}
	_st=${_st##*) }
	pstate=${_st%% *}
}

# $sprocs: the processes of session $sprocs_sid that are still running
# (zombies have let go of everything but their pid and exit status).
session_procs() {
	sprocs=
	for _f in /proc/[0-9]*/stat; do
		{ read -r _st < "$_f"; } 2>/dev/null || continue
		_st=${_st##*) }
		# state ppid pgrp session ...
		set -- $_st
		[ "$4" = "$sprocs_sid" ] && [ "$1" != Z ] || continue
		_f=${_f#/proc/}
		sprocs="$sprocs ${_f%/stat}"
	done
}

kill_session() {	# SID SIGNAL
	sprocs_sid=$1
	session_procs
	[ -z "$sprocs" ] || kill "-$2" $sprocs 2>/dev/null
}

# Wait up to $2 centiseconds for session $1 to have no running process.
# Returns non-zero if some are left ($sprocs).
session_wait_empty() {
	sprocs_sid=$1
	now_cs
	_until=$((now + $2))
	while session_procs; [ -n "$sprocs" ]; do
		now_cs
		[ "$now" -lt "$_until" ] || return 1
		sleep 0.1
	done
}

describe_procs() {	# PID...: "PID (NAME) state S" each, and a D one's stack
	for _p; do
		proc_state "$_p"
		[ -n "$pstate" ] || continue
		echo "# pid $_p ($pcomm) state $pstate"
		[ "$pstate" != D ] || sed 's/^/#     /' "/proc/$_p/stack" 2>/dev/null
	done
}

# Run one test program and stream its output; add a failure if it did not
# finish well: timed out, killed by a signal, fewer or more results than
# its plan announced, an exit status that contradicts its results, or
# processes left running. Then check that it left no rings, requests,
# workers or pinned pages behind.
#
# The program is the leader of a session of its own (xuring-runas
# --setsid), and the runner kills the whole session, not a process group:
# the kselftest harness puts each test in a process group of its own, and
# such a test kept running (and kept the output pipe open) when the runner
# killed only the program's group. Every wait is bounded, including the
# one for the output: a process that left the session but holds the pipe
# cannot stall the job, and neither can one that SIGKILL cannot end (stuck
# in the kernel): it is reported, with its kernel stack, and the job goes
# on to the next program, rmmod and the dmesg check.
#
# The program runs as root, or as $runas_user (UID:GID:GROUPS, see
# runas.c) when that is set.
run_selftest() {	# PATH TIMEOUT [NAME]
	rs_name=${3:-${1##*/}} rs_limit=$2
	rs_out=$rundir/out rs_fifo=$rundir/fifo
	echo "### xuring-selftest-begin $rs_name"
	mkdir -p "$rundir"
	rm -f "$rs_out" "$rs_fifo"
	mkfifo "$rs_fifo"
	tee "$rs_out" < "$rs_fifo" &
	rs_tee=$!
	"$runas" --setsid ${runas_user:+--user "$runas_user"} -- "$1" \
		> "$rs_fifo" 2>&1 < /dev/null &
	rs_pid=$!

	# Poll, so that no wait can block: SIGTERM to the session at the
	# limit, SIGKILL 2 s later, and give up 10 s after that.
	now_cs
	rs_start=$now rs_deadline=$((now + rs_limit * 100)) rs_phase=run
	rs_timedout= rs_stuck= rs_why=
	while proc_state "$rs_pid"; [ -n "$pstate" ] && [ "$pstate" != Z ]; do
		now_cs
		if [ "$now" -ge "$rs_deadline" ]; then
			case $rs_phase in
			run)	rs_timedout=1 rs_phase=term
				rs_deadline=$((now + 200))
				kill_session "$rs_pid" TERM ;;
			term)	rs_phase=kill rs_deadline=$((now + 1000))
				kill_session "$rs_pid" KILL ;;
			kill)	rs_stuck=1
				break ;;
			esac
		fi
		sleep 0.1
	done
	if [ -n "$rs_stuck" ]; then
		rs_rc=stuck
		rs_why="did not end: timed out after ${rs_limit}s and still running 12 s later, after SIGKILL (stuck in the kernel?)"
		describe_procs "$rs_pid"
	else
		wait "$rs_pid"
		rs_rc=$?
	fi

	# What the program left running: its own business, not the next one's.
	if [ -z "$rs_stuck" ] && ! session_wait_empty "$rs_pid" 100; then
		rs_left=$sprocs
		describe_procs $rs_left
		kill_session "$rs_pid" KILL
		if session_wait_empty "$rs_pid" 500; then
			rs_why="left processes running after it exited (killed):$rs_left"
		else
			rs_why="left processes running that SIGKILL cannot end:$sprocs"
			describe_procs $sprocs
		fi
	fi

	# The output ends when the last writer is gone. One that is still
	# there 5 s later escaped the session (or is the stuck program):
	# stop reading rather than wait for it.
	if [ -n "$rs_stuck" ]; then
		kill "$rs_tee" 2>/dev/null
	fi
	now_cs
	rs_until=$((now + 500))
	while proc_state "$rs_tee"; [ -n "$pstate" ] && [ "$pstate" != Z ]; do
		now_cs
		if [ "$now" -ge "$rs_until" ]; then
			kill "$rs_tee" 2>/dev/null
			rs_why="${rs_why:+$rs_why; }a process outside its session still held its output 5 s after it ended"
			break
		fi
		sleep 0.1
	done
	wait "$rs_tee" 2>/dev/null
	# the runner's time on it, waits included
	now_cs
	rs_secs=$(((now - rs_start) / 100)).$(((now - rs_start) % 100 / 10))

	rs_plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$rs_out" | head -n 1)
	rs_done=$(grep -c -E '^(not )?ok ' "$rs_out")
	rs_fails=$(grep -c '^not ok ' "$rs_out")
	rs_status="exit=$rs_rc"
	if [ -n "$rs_stuck" ]; then
		rs_status=stuck
	elif [ -n "$rs_timedout" ]; then
		rs_status=timeout
		rs_why="timed out after ${rs_limit}s${rs_why:+; $rs_why}"
	elif [ "$rs_rc" -gt 128 ] && [ "$rs_rc" -le 192 ]; then
		rs_sig=$((rs_rc - 128))
		rs_status="signal=$rs_sig"
		rs_why="killed by signal $rs_sig (SIG$(kill -l "$rs_sig" 2>/dev/null))${rs_why:+; $rs_why}"
	elif [ -z "$rs_why" ]; then
		if [ -z "$rs_plan" ]; then
			rs_why="exit status $rs_rc without a TAP plan (1..N)"
		elif [ "$rs_done" -lt "$rs_plan" ]; then
			rs_why="only $rs_done of $rs_plan results, exit status $rs_rc"
		elif [ "$rs_done" -gt "$rs_plan" ]; then
			rs_why="$rs_done results for a plan of $rs_plan, exit status $rs_rc"
		elif [ "$rs_plan" = 0 ] && [ "$rs_rc" != 4 ] && [ "$rs_rc" != 0 ]; then
			rs_why="skipped whole (1..0) but exit status $rs_rc"
		elif [ "$rs_rc" != 0 ] && [ "$rs_rc" != 4 ] && [ "$rs_fails" = 0 ]; then
			rs_why="exit status $rs_rc but no test failed"
		fi
	fi
	echo "### xuring-selftest-end $rs_name $rs_status time=${rs_secs}s"
	if [ -n "$rs_why" ]; then
		result "not ok" "selftests/$rs_name" "$rs_why"
	elif [ "$rs_plan" = 0 ]; then	# "1..0 # SKIP reason": skipped whole
		result ok "selftests/$rs_name" \
			"SKIP $(sed -n 's/^1\.\.0.*# *SKIP *//p' "$rs_out" | head -n 1)"
	fi
	rm -f "$rs_out" "$rs_fifo"
	leak_check "$rs_name"
}

# $counters: "rings=N requests=N workers=N pinned_pages=N". Returns 0 if
# all are 0, 1 if some are not, 2 if a counter cannot be read (no module).
read_counters() {
	counters= _ret=0
	for _c in rings requests workers pinned_pages; do
		_v=
		{ read -r _v < "$stats/$_c"; } 2>/dev/null
		counters="$counters $_c=${_v:-unreadable}"
		[ -n "$_v" ] || _ret=2
		[ "$_v" = 0 ] || [ $_ret = 2 ] || _ret=1
	done
	counters=${counters# }
	return $_ret
}

# Wait up to $settle_limit seconds for the counters to reach zero.
counters_settle() {
	now_cs
	_until=$((now + settle_limit * 100))
	while :; do
		read_counters
		case $? in 0) return 0 ;; 2) return 1 ;; esac
		now_cs
		[ "$now" -lt "$_until" ] || return 1
		sleep 0.1
	done
}

# After each test program: everything it made must be gone once it is.
# Only a failure is a result line (one per leaking program); module_unload
# reports the final state either way.
leak_check() {	# NAME
	counters_settle && return 0
	result "not ok" "leaks/$1" "$(counters_problem "after $1 ended")"
}

counters_problem() {	# WHEN
	case $counters in
	*unreadable*) echo "cannot read the module's counters in $stats ($counters)" ;;
	*) echo "still $counters ${settle_limit}s $1" ;;
	esac
}

module_path=/xuring/xuring.ko
xuring_gid=990	# the group the packaged udev rule gives /dev/xuring

# Load xuring.ko; check that /dev/xuring has the module's default owner
# and mode (0660 root:root: no user gets the ring by loading the module),
# then do what the packaged udev rule does and give it to the xuring
# group, which the unprivileged test user is in; and, as an administrator
# who lets that group have SQ threads would, set the group parameter.
module_load() {
	if timeout 60 insmod "$module_path"; then
		result ok module_load
	else
		result "not ok" module_load "insmod failed"
	fi
	_got=$(stat -c '%a %u:%g' /dev/xuring 2>/dev/null)
	if [ -c /dev/xuring ] && [ "$_got" = "660 0:0" ]; then
		result ok dev_xuring
	else
		result "not ok" dev_xuring "/dev/xuring is '${_got:-missing}' (mode uid:gid), want the default 660 0:0"
	fi
	chgrp "$xuring_gid" /dev/xuring 2>/dev/null
	# and let that group set up SQPOLL rings (policy's sqpoll=1 default)
	echo "$xuring_gid" > /sys/module/xuring/parameters/group 2>/dev/null
	# what the policy test's "defaults" expects instead of the default
	export XURING_LOADED_PARAMS="group=$xuring_gid"
}

module_unload() {
	# io-wq workers may hold module references for a moment after the
	# last ring is gone: rmmod would fail with EBUSY.
	if counters_settle; then
		result ok module_counters "$counters"
	else
		result "not ok" module_counters "$(counters_problem "later, before rmmod")"
	fi
	now_cs
	_until=$((now + settle_limit * 100))
	while { read -r _r < /sys/module/xuring/refcnt; } 2>/dev/null &&
	      [ "$_r" != 0 ] && [ "$now" -lt "$_until" ]; do
		sleep 0.1
		now_cs
	done
	if timeout 60 rmmod xuring; then
		result ok module_unload
	else
		result "not ok" module_unload "rmmod xuring failed (refcnt ${_r:-?})"
	fi
}

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
