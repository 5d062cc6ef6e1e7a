# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's guest side, sourced by the bench and run jobs (not a job
# itself). A plan is a list of rows; a row is one workload at one queue
# depth, run by several contenders in turn, A B C A B C ..., so that any
# drift hits them alike. Each run prints
#
#	bench-result,ROW,QD,ENGINE,REP,IOPS
#
# for the host (tools/bench/run-bench.sh turns them into the CSV, the
# table and the plot), and a progress line between show markers, which
# run-vm.sh puts on the terminal. When a row is done its medians are shown
# (tools/bench/summarize.awk) and it counts as one TAP result: "not ok" if
# any of its runs failed.
#
# Kernel command line (all optional):
#   xuring.bench_plan=full|quick|sqpoll   (default full)
#   xuring.bench_reps=N      runs of each contender per row (default 3)
#   xuring.bench_runtime=S   seconds per run, guest time (default 2)
#   xuring.bench_stats=1     every row with xuring gets "xuring+stats" too:
#                            xuring with its statistics on (the stats
#                            parameter), right after xuring without

bench_dir=/xuring/bench
bench_tool=/xuring/tools/xuring-bench
fio=/xuring/bin/fio
fio_xuring=/xuring/bin/xuring.so
nullb=${XURING_NULLBLK:-/dev/nullb0}
tmpfs_file=/tmp/bench/data

bench_plan=full bench_reps=3 bench_runtime=2 bench_stats=
stats_param=/sys/module/xuring/parameters/stats
for arg in $(cat /proc/cmdline); do
	case $arg in
	xuring.bench_plan=*) bench_plan=${arg#*=} ;;
	xuring.bench_stats=*) bench_stats=${arg#*=} ;;
	xuring.bench_reps=*) bench_reps=${arg#*=} ;;
	xuring.bench_runtime=*) bench_runtime=${arg#*=} ;;
	esac
done

bench_show() {	# LINE...: on the host's terminal
	echo "### xuring-show-begin bench"
	for l in "$@"; do echo "$l"; done
	echo "### xuring-show-end bench"
}

# fio on null_blk, 4 KiB random reads, O_DIRECT, one job. Batches are a
# quarter of the depth, for submission and completion alike, for every
# engine (psync ignores them). Prints the read IOPS.
fio_nullb() {	# ENGINE QD [fio options...]
	eng=$1 qd=$2
	shift 2
	batch=$((qd / 4))
	[ "$batch" -ge 1 ] || batch=1
	case $eng in
	xuring) ioengine=external:$fio_xuring ;;
	*) ioengine=$eng ;;
	esac
	# engine options must follow --ioengine
	out=$(timeout -k 5 $((bench_runtime + 120)) "$fio" --name=bench \
		--filename="$nullb" --direct=1 --rw=randread --bs=4k \
		--norandommap --time_based --runtime="$bench_runtime" \
		--iodepth="$qd" --iodepth_batch_submit="$batch" \
		--iodepth_batch_complete_min="$batch" \
		--output-format=terse --terse-version=3 \
		--ioengine="$ioengine" "$@" 2>&1)
	# terse v3: field 5 is the error, field 8 the read IOPS
	echo "$out" | awk -F';' 'NF > 100 && $5 == 0 { print $8; found = 1 }
		END { exit !found }' && return 0
	echo "$out" | tail -n 5 | sed 's/^/# fio: /' >&2
	return 1
}

# xuring-bench: prints the iops= of its result line
tool_run() {	# ENGINE [xuring-bench options...]
	eng=$1
	shift
	out=$(timeout -k 5 $((bench_runtime + 120)) "$bench_tool" \
		--engine "$eng" --time "$bench_runtime" "$@" 2>&1)
	echo "$out" | sed -n 's/^xuring-bench: .* iops=\([0-9]*\) .*/\1/p' |
		grep . && return 0
	echo "$out" | tail -n 5 | sed 's/^/# xuring-bench: /' >&2
	return 1
}

# One run of ENGINE in ROW at depth QD; prints its IOPS. xuring+stats is
# xuring with its statistics switched on for the run.
bench_one() {	# ROW QD ENGINE
	qd=$2 eng=$3
	batch=$((qd / 4))
	[ "$batch" -ge 1 ] || batch=1
	if [ "$eng" = xuring+stats ]; then
		echo Y > "$stats_param" || return 1
		eng=xuring
	fi
	case $1 in
	nop) tool_run "$eng" --mode nop --depth 128 --batch "$qd" ;;
	tmpfs) tool_run "$eng" --depth "$qd" --batch "$batch" "$tmpfs_file" ;;
	nullb) fio_nullb "$eng" "$qd" ;;
	nullb-fixed) fio_nullb "$eng" "$qd" --fixedbufs --registerfiles ;;
	nullb-poll) fio_nullb "$eng" "$qd" --hipri ;;
	nullb-sqpoll) fio_nullb "$eng" "$qd" --sqthread_poll ;;
	*) echo "# bench: no row kind '$1'" >&2; false ;;
	esac
	rc=$?
	[ "$3" != xuring+stats ] || echo N > "$stats_param"
	return $rc
}

bench_total=0 bench_done=0 bench_counting=
bench_row() {	# ROW QD ENGINE...
	row=$1 qd=$2
	shift 2
	if [ -n "$bench_stats" ]; then
		engines=
		for eng in "$@"; do
			engines="$engines $eng"
			[ "$eng" != xuring ] || engines="$engines xuring+stats"
		done
		# shellcheck disable=SC2086 # engine names have no spaces
		set -- $engines
	fi
	if [ -n "$bench_counting" ]; then
		bench_total=$((bench_total + bench_reps * $#))
		return 0
	fi
	rowlog=/tmp/bench/row.log
	: > "$rowlog"
	failed=
	rep=1
	while [ "$rep" -le "$bench_reps" ]; do
		for eng in "$@"; do
			bench_done=$((bench_done + 1))
			if iops=$(bench_one "$row" "$qd" "$eng"); then
				echo "bench-result,$row,$qd,$eng,$rep,$iops" |
					tee -a "$rowlog" "$bench_raw"
				what="$iops IOPS"
			else
				failed="$failed $eng"
				what=FAILED
			fi
			bench_show "$(printf '[%3d/%d] %-12s qd%-3s %-8s run %d: %s' \
				"$bench_done" "$bench_total" "$row" "$qd" \
				"$eng" "$rep" "$what")"
		done
		rep=$((rep + 1))
	done
	bench_show "$(awk -f "$bench_dir/summarize.awk" "$rowlog")"
	if [ -z "$failed" ]; then
		result ok "bench $row qd$qd"
	else
		result "not ok" "bench $row qd$qd" "failed runs:$failed"
	fi
}

# The plans. Keep "full" well under 30 minutes of host time (make bench).
plan_full() {
	bench_row nop 32 xuring io_uring	# batches of 32, as deep
	for qd in 1 8 32 128; do
		if [ "$qd" = 1 ]; then
			bench_row nullb 1 xuring io_uring libaio psync
		else
			bench_row nullb "$qd" xuring io_uring libaio
		fi
	done
	for qd in 1 8 32 128; do
		bench_row nullb-fixed "$qd" xuring io_uring
	done
	for qd in 1 32; do
		bench_row nullb-poll "$qd" xuring io_uring
	done
	bench_row tmpfs 32 xuring io_uring
}

# What make run shows: a taste, in a couple of minutes.
plan_quick() {
	bench_row nop 32 xuring io_uring
	bench_row nullb 1 xuring io_uring libaio
	bench_row nullb 32 xuring io_uring libaio
	bench_row nullb-fixed 32 xuring io_uring
}

# SQPOLL needs a second CPU for the SQ thread (run-vm.sh --smp 2)
plan_sqpoll() {
	for qd in 1 32; do
		bench_row nullb-sqpoll "$qd" xuring io_uring
	done
}

bench_prepare() {
	mkdir -p /tmp/bench
	bench_raw=/tmp/bench/raw.log
	: > "$bench_raw"
	# a page-cached file on tmpfs for the tmpfs rows: 64 MiB, read once
	dd if=/dev/zero of="$tmpfs_file" bs=1M count=64 2>/dev/null
	cat "$tmpfs_file" > /dev/null
}

bench_run_plan() {	# PLAN
	case $1 in
	full|quick|sqpoll) ;;
	*) result "not ok" bench_plan "no plan '$1' (full, quick, sqpoll)"
	   return 1 ;;
	esac
	bench_prepare
	bench_counting=1
	"plan_$1"
	bench_counting=
	bench_show "benchmark plan '$1': $bench_total runs of ${bench_runtime} s (guest time), $bench_reps of each contender per row, alternating"
	"plan_$1"
}
