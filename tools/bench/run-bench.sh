#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host side of `make bench` and of `make run`'s short benchmark: boot
# the VM with the bench job (tools/vm/jobs/bench.sh, bench-lib.sh), show
# each run as it finishes, then write every repetition to a CSV, print a
# table of medians with the ratios xuring/io_uring and xuring/libaio, and
# plot IOPS against queue depth.
#
# usage: run-bench.sh [--quick] [--wallclock] [--reps N] [--runtime SEC]
#                     [--no-sqpoll] [--stats] [--demo] [--out DIR]
#   --quick       a few rows, one run each (a few minutes)
#   --wallclock   the guest on multi-threaded TCG with real time: faster,
#                 but rates vary by up to 30% from run to run. The default
#                 is icount, where guest time counts executed instructions
#                 and the same run in the same boot gives the same rate.
#   --stats       each xuring contender runs a second time with the
#                 module's statistics on ("xuring+stats"), to show their cost
#   --reps N      runs of each contender per row (default 3). Under icount
#                 each run is in a guest of its own: reruns in one boot
#                 differ by up to 0.1%, and boots by up to 0.15% more, for
#                 every engine alike (blk-mq's tag allocation hints, for
#                 one, are random at boot), so a median over one boot
#                 would hide what varies between boots.
#   --demo        make run: the run job (xuring-demo, then the quick plan)
#
# Outputs in DIR (default build/bench; build/run with --demo): results.csv (one line per run),
# table.txt (what is printed at the end), iops-vs-qd.png (with gnuplot),
# and the VM logs of each session in DIR/vm-PLAN/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=
plan=full reps=3 runtime=2 clock=icount sqpoll=1 job=bench stats=

die() {
	echo "bench: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) plan=quick reps=1 sqpoll= ; shift ;;
	--demo) plan=quick reps=1 sqpoll= job=run; shift ;;
	--wallclock) clock=wallclock; shift ;;
	--no-sqpoll) sqpoll=; shift ;;
	--stats) stats=1; shift ;;
	--reps|--runtime|--out)
		[ $# -ge 2 ] || die "$1 needs an argument"
		printf -v "${1#--}" '%s' "$2"
		shift 2 ;;
	*) die "unknown argument '$1' (see the usage at the top of $0)" ;;
	esac
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps wants a positive whole number, not '$reps'"
[[ $runtime =~ ^[1-9][0-9]*$ ]] || die "--runtime wants whole seconds, not '$runtime'"
[ -n "$out" ] || out=$root/build/$([ "$job" = run ] && echo run || echo bench)
payload=$root/build/payload
[ -x "$payload/bin/fio" ] && [ -f "$payload/bench/summarize.awk" ] ||
	die "no benchmark payload in $payload; run 'make payload' first (make bench does)"

kver=$("$root/tools/vm/guest-kernel.sh")
fio_version=$("$payload/bin/fio" --version 2>/dev/null || echo "fio ?")
mkdir -p "$out"
raw=$out/raw.log
: > "$raw"

# One guest session: PLAN SMP CLOCK RUNS [BOOT]. Runs of BOOT (1 to N)
# are numbered BOOT in results.csv. Each run takes about three times its
# guest run time on the host, plus fio's start.
session() {
	local p=$1 smp=$2 clock=$3 runs=$4 boot=${5:-} runs_estimate timeout
	case $p in
	full) runs_estimate=$((29 * runs)) ;;
	quick) runs_estimate=$((10 * runs)) ;;
	sqpoll) runs_estimate=$((4 * runs)) ;;
	esac
	# one more contender in most rows
	[ -z "$stats" ] || runs_estimate=$((runs_estimate * 3 / 2))
	timeout=$((300 + runs_estimate * (runtime * 8 + 20)))
	echo "bench: plan '$p' on $smp vCPU(s), $clock clock, $runs run(s) of each contender per row${boot:+ (guest $boot of $reps)}"
	local vmargs=(--job "$job" --kver "$kver" --smp "$smp"
		      --timeout "$timeout" --payload "$payload"
		      --append "xuring.bench_plan=$p xuring.bench_reps=$runs xuring.bench_runtime=$runtime${stats:+ xuring.bench_stats=1}")
	# Wall clock: a host thread per vCPU (run-vm.sh's default is one
	# for all), so that the SQ thread has a CPU of its own beside fio's.
	if [ "$clock" = wallclock ]; then
		vmargs+=(--tcg multi)
	else
		vmargs+=(--icount)
	fi
	local rc=0 vm=$out/vm-$p${boot:+-$boot}
	XURING_VM_OUT=$vm "$root/tools/vm/run-vm.sh" "${vmargs[@]}" || rc=$?
	tr -d '\r' < "$vm/results.log" |
		awk -F, -v OFS=, -v clock="$clock" -v smp="$smp" -v boot="$boot" \
			'$1 == "bench-result" { if (boot != "") $5 = boot; print $0, clock, smp }' >> "$raw"
	return $rc
}

status=0
start=$(date +%s)
if [ "$clock" = icount ]; then
	for ((boot = 1; boot <= reps; boot++)); do
		session "$plan" 1 "$clock" 1 "$boot" || status=1
	done
else
	session "$plan" 1 "$clock" "$reps" || status=1
fi
# SQPOLL's kernel thread needs a CPU of its own, and this guest kernel does
# not boot with two vCPUs under icount (the second CPU never comes up):
# these rows run on the wall clock, two vCPUs on two host threads, and
# vary from run to run like any wall-clock figure. Compare them with each
# other, not with the icount rows.
[ -z "$sqpoll" ] || session sqpoll 2 wallclock "$reps" || status=1

{
	echo "row,qd,engine,rep,iops,clock,vcpus"
	cut -d, -f2- "$raw"
} > "$out/results.csv"

{
	echo "xuring benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), guest $kver, $fio_version, $clock clock"
	echo "4 KiB random reads (null_blk: fio, one job; tmpfs: xuring-bench), NOPs (xuring-bench)"
	echo "medians of $reps run(s) of ${runtime} s guest time each, IOPS$([ "$clock" = icount ] && echo ", each run in a guest of its own")"
	[ -z "$sqpoll" ] || echo "nullb-sqpoll: wall clock, 2 vCPUs (icount cannot boot two here)"
	echo
	awk -f "$here/summarize.awk" "$raw"
} > "$out/table.txt"

# IOPS against queue depth: one line per engine and null_blk mode
plot_data=$out/plot.dat
awk -f "$here/summarize.awk" -v csv=1 "$raw" | awk -F, '
	$1 ~ /^nullb/ && $1 != "nullb-sqpoll" {	# icount rows only
		mode = $1; sub(/^nullb-?/, "", mode)
		name = $3 (mode == "" ? "" : " " mode)
		if (!(name in seen)) { seen[name] = ++n; names[n] = name }
		pts[name] = pts[name] $2 " " $4 "\n"
	}
	END {
		for (i = 1; i <= n; i++)
			printf "\"%s\"\n%s\n\n", names[i], pts[names[i]]
	}' > "$plot_data"
png=
if ! command -v gnuplot > /dev/null; then
	echo "bench: no gnuplot (make deps installs gnuplot-nox); no plot"
elif [ -s "$plot_data" ]; then
	gnuplot <<-EOF && png=$out/iops-vs-qd.png
		set terminal pngcairo size 900,600 noenhanced
		set output "$out/iops-vs-qd.png"
		set title "4 KiB random reads on null_blk ($clock clock)"
		set xlabel "queue depth"
		set ylabel "IOPS"
		set logscale x 2
		set key outside right
		set grid
		set yrange [0:*]
		plot for [i=0:*] "$plot_data" index i using 1:2 with linespoints title columnheader(1)
	EOF
fi

echo
cat "$out/table.txt"
echo
echo "bench: $(($(date +%s) - start)) s; every run in $out/results.csv${png:+, plot in $png}"
[ "$status" = 0 ] || echo "bench: some runs or checks FAILED (see above and $out/vm-*/)"
exit $status
