#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for `make fuzz`: load xuring.ko, run the ring fuzzer
# (tools/fuzz/, sent in with --payload) for the requested time in phases,
# then check that the module's counters went back to zero, that kmemleak
# found nothing of ours, that the module unloads, and that dmesg is clean.
# The programs that reached new module code are printed at the end between
# "### xuring-corpus-begin NAME" and "### xuring-corpus-end" lines, for
# the host to keep (tools/fuzz/after-run.sh).
#
# Kernel command line (all optional):
#   xuring.fuzz_seconds=N   total fuzzing time (default 60; clamped to what
#                           xuring.timeout leaves after the checks)
#   xuring.fuzz_seed=S      the seed; phase k runs with S+k (default: random)
#   xuring.fuzz_threads=T   threads of the concurrent phase (default 4)
#   xuring.fuzz_phases=LIST comma-separated, of single,threads,user,faults
#                           (default: all that apply)
#   xuring.fuzz_ops=N       run exactly N ops in each phase (replay)
#   xuring.fuzz_program=P   run program P (SEED:FIRST+COUNT,...) in the
#                           single or faults phase (replay of a failure)
#   xuring.fuzz_no_shape=L  process shapes to leave out (xuring-fuzz --no-shape)
#   xuring.fuzz_verbose=1   print every op (replay of a crash)
#
# Phases: "single" runs programs of ops, one thread, starting from the
# corpus (/xuring/corpus) and keeping what reaches new module code;
# "threads" runs T workers on shared rings, the main thread gone
# (--leader-exits); "user" drops to uid 65534; "faults" injects allocation
# failures through /proc/thread-self/fail-nth (debug kernel), with a
# corpus of its own. Each phase installs the setuid-root helper of the
# exec shape.

. /xuring/jobs/lib.sh

job_start

seconds=60 seed= threads=4 phases= ops= verbose= jobtimeout=240 program=
noshape=
for arg in $(cat /proc/cmdline); do
	case $arg in
	xuring.fuzz_seconds=*) seconds=${arg#*=} ;;
	xuring.fuzz_seed=*) seed=${arg#*=} ;;
	xuring.fuzz_threads=*) threads=${arg#*=} ;;
	xuring.fuzz_phases=*) phases=$(echo "${arg#*=}" | tr , ' ') ;;
	xuring.fuzz_ops=*) ops=${arg#*=} ;;
	xuring.fuzz_program=*) program=${arg#*=} ;;
	xuring.fuzz_no_shape=*) noshape=${arg#*=} ;;
	xuring.fuzz_verbose=*) verbose=${arg#*=} ;;
	xuring.timeout=*) jobtimeout=${arg#*=} ;;
	esac
done
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')

module_load

fuzz=
for f in /xuring/xuring-fuzz /xuring/fuzz/xuring-fuzz /xuring/tools/xuring-fuzz; do
	[ -x "$f" ] && fuzz=$f && break
done

# What the checks after the fuzzing need (kmemleak scans are slow under
# KASAN), and a margin per phase for its teardown.
reserve=150
if [ $((seconds + reserve)) -gt "$jobtimeout" ]; then
	echo "# fuzz: $seconds s do not fit in the job's $jobtimeout s; running $((jobtimeout - reserve)) s (raise run-vm.sh --timeout)"
	seconds=$((jobtimeout - reserve))
	[ "$seconds" -ge 10 ] || seconds=10
fi

# the fuzzer watches /dev/kmsg for lib.sh's list (jobs/report-patterns)
fuzz_re=$report_re

debugfs=/sys/kernel/debug
faults=
if [ -e /proc/self/fail-nth ] && [ -d $debugfs/failslab ]; then
	# fail-nth only; no random failures, no stack dumps in the log
	for d in failslab fail_page_alloc; do
		[ -d $debugfs/$d ] || continue
		echo 0 > $debugfs/$d/probability
		echo 0 > $debugfs/$d/verbose
		echo N > $debugfs/$d/ignore-gfp-wait
	done
	faults=1
fi
kmemleak=
if [ -w $debugfs/kmemleak ]; then
	echo clear > $debugfs/kmemleak && kmemleak=1
fi

# Files on a tmpfs of their own, so fallocate and writes stay bounded.
mkdir -p /tmp/fuzz
mount -t tmpfs -o size=256m,mode=1777 fuzztmp /tmp/fuzz
export XURING_TMPDIR=/tmp/fuzz

# The corpus comes in with the payload; what the runs add goes out in the
# results (after the phases).
corpus=/xuring/corpus
[ -d "$corpus" ] || corpus=/xuring/fuzz/corpus
newcorpus=/tmp/fuzz-corpus
mkdir -p "$newcorpus"

if [ -z "$phases" ]; then
	phases="single threads user"
	[ -z "$faults" ] || phases="$phases faults"
fi
nphases=$(echo $phases | wc -w)

# share of the time, in percent
share() {
	case $1 in
	single) echo 40 ;;
	threads) echo 30 ;;
	user) echo 15 ;;
	faults) echo 15 ;;
	esac
}
total=0
for p in $phases; do total=$((total + $(share $p))); done

allowed_ops=/sys/module/xuring/parameters/allowed_ops
user_ops=nop,read,readv,write,writev,fsync,read_fixed

k=0
for p in $phases; do
	s=$((seed + k))
	k=$((k + 1))
	t=$((seconds * $(share $p) / total))
	[ "$t" -ge 5 ] || t=5
	case $p in
	single) args="--corpus-mode single" ;;
	threads) args="--threads $threads --leader-exits" ;;
	user) args="--uid 65534 --threads 2" ;;
	faults) args="--fail-nth 10 --corpus-mode faults" ;;
	*) echo "# fuzz: unknown phase '$p'"; continue ;;
	esac
	args="$args --suid-helper"
	[ -z "$noshape" ] || args="$args --no-shape $noshape"
	if [ -n "$program" ] && { [ "$p" = single ] || [ "$p" = faults ]; }; then
		run="--program $program"
		[ -z "$ops" ] || run="$run --ops $ops"
	elif [ -n "$ops" ]; then
		run="--ops $ops"
	else
		run="--seconds $t"
	fi
	# the programs that reach new code: from the corpus, into a new one
	case $p in
	single|faults)
		[ -n "$program" ] ||
			run="$run --corpus $corpus --corpus-out $newcorpus" ;;
	esac
	[ -z "$verbose" ] || args="$args --verbose"
	name=fuzz_$p
	if [ -z "$fuzz" ]; then
		result "not ok" "$name" "no xuring-fuzz binary (pass --payload build/fuzz)"
		continue
	fi
	# The user phase runs under an operator's allowed_ops list: the ops
	# left out must fail with -EACCES, and only they (the fuzzer reads
	# the list). NOP stays: the fuzzer's drain markers are NOPs.
	if [ "$p" = user ] && [ -w "$allowed_ops" ]; then
		echo "$user_ops" > "$allowed_ops"
		echo "# fuzz: allowed_ops=$(cat "$allowed_ops") for this phase"
	fi
	echo "### xuring-show-begin $name"
	echo "$fuzz --seed $s $run $args"
	# shellcheck disable=SC2086
	timeout -k 10 $((t + 300)) "$fuzz" --seed "$s" $run $args \
		--hang-timeout 120 --report-re "$fuzz_re" < /dev/null 2>&1
	rc=$?
	[ "$p" != user ] || [ ! -w "$allowed_ops" ] || echo all > "$allowed_ops"
	echo "### xuring-show-end $name rc=$rc"
	replay="replay: the FUZZ: replay line above"
	case $rc in
	0) result ok "$name" "seed $s" ;;
	1) result "not ok" "$name" "self-check failure, seed $s; $replay" ;;
	2) result "not ok" "$name" "kernel report, seed $s; $replay" ;;
	3) result "not ok" "$name" "hang, seed $s; $replay" ;;
	77) result ok "$name" "SKIP no /dev/xuring" ;;
	124|137) result "not ok" "$name" "timed out (hang?), seed $s" ;;
	*) result "not ok" "$name" "exit status $rc, seed $s" ;;
	esac
done

# The new corpus entries, for tools/fuzz/after-run.sh on the host.
nnew=0
for f in "$newcorpus"/*; do
	[ -f "$f" ] || continue
	echo "### xuring-corpus-begin ${f##*/}"
	cat "$f"
	echo "### xuring-corpus-end"
	nnew=$((nnew + 1))
done
echo "# fuzz: $nnew new corpus programs"

# io-wq workers linger 5 s after their last work, holding module references.
i=0
while [ "$(cat /sys/module/xuring/refcnt 2>/dev/null || echo 0)" != 0 ] && [ $i -lt 60 ]; do
	sleep 0.5
	i=$((i + 1))
done
bad=
for c in rings requests workers pinned_pages; do
	v=$(cat /sys/class/misc/xuring/$c 2>/dev/null)
	[ "${v:-0}" = 0 ] || bad="$bad $c=$v"
done
if [ -z "$bad" ]; then
	result ok module_counters
else
	result "not ok" module_counters "left after the fuzzer exited:$bad; refcnt $(cat /sys/module/xuring/refcnt 2>/dev/null)"
fi

if [ -n "$kmemleak" ]; then
	# objects must be older than 5 s to count; two scans, as kmemleak wants
	sleep 6
	timeout 300 sh -c "echo scan > $debugfs/kmemleak; echo scan > $debugfs/kmemleak"
	leaks=$(cat $debugfs/kmemleak)
	ours=$(echo "$leaks" | awk '/^unreferenced object/ { if (o ~ /xuring|xr_/) print o; o = $0; next } { o = o "\n" $0 } END { if (o ~ /xuring|xr_/) print o }')
	if [ -n "$ours" ]; then
		echo "$ours" | head -n 60 | sed 's/^/# /'
		result "not ok" kmemleak "unreferenced objects allocated by xuring"
	else
		nleak=$(echo "$leaks" | grep -c '^unreferenced object')
		result ok kmemleak "${nleak} unrelated suspects"
	fi
fi

umount /tmp/fuzz 2>/dev/null
module_unload
dmesg_check
