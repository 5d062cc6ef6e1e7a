#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-runner`: the tests of the test runner. A runner that passes
# what should fail makes every other test worthless, so each way a test
# program, the kernel or the guest can go wrong is staged here, and the
# run must fail, within its time limit:
#
# 1. On the host, tools/vm/jobs/lib.sh under busybox sh (the guest's
#    shell) runs fake test programs (fake-test.c): one that passes and one
#    that fails properly, one that skips whole, and ones that segfault,
#    exit 255, print fewer or more results than planned or no plan, hang
#    with a child in its own process group, leave such a child running,
#    or leave one outside their session holding the output open.
# 2. lib.sh's leak check against made-up module counters: counters that
#    stay up, that settle, that cannot be read.
# 3. Every line of kernel-reports.log (one per report the runner knows)
#    through the three readers of jobs/report-patterns: the guest's dmesg
#    check, the host's console scan (results.sh) and the fuzzer's
#    regcomp(); clean-boot.log through the same must pass.
# 4. results.sh on made-up guest runs: a clean one (and its summary), a
#    guest that hung or whose qemu failed after the job ended, a guest
#    that died during a test.
# 5. Unless --host-only: two boots of the stock guest kernel. The job
#    `runner` runs the fakes again in the guest, plus one that leaves a
#    ring open in a daemon and one stuck in the kernel where SIGKILL
#    cannot reach it; then a guest that hangs after its job.
#
# usage: check-runner.sh [--host-only]
# Prints one "ok"/"FAIL" line per check, then "check-runner: N checks, N
# failed"; the exit status is non-zero if any failed. Work files in
# build/check-runner/ ($XURING_RUNNER_OUT).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vm=$(cd "$here/.." && pwd)
root=$(cd "$vm/../.." && pwd)
work=${XURING_RUNNER_OUT:-$root/build/check-runner}
host_only=
case ${1:-} in
--host-only) host_only=1 ;;
'') ;;
*) echo "usage: $0 [--host-only]" >&2; exit 2 ;;
esac

die() {
	echo "check-runner: $*" >&2
	exit 1
}

command -v busybox > /dev/null || die "busybox not found; run 'make deps'"
command -v gcc > /dev/null || die "gcc not found; run 'make deps'"

rm -rf "$work"
mkdir -p "$work/fakes" "$work/bin" "$work/empty"

checks=0 failed=0
expect() {	# WHAT COMMAND...: a check that COMMAND succeeds
	checks=$((checks + 1))
	if "${@:2}"; then
		echo "ok - $1"
	else
		echo "FAIL - $1"
		failed=$((failed + 1))
	fi
}
has() { grep -qE -- "$2" <<< "$1"; }	# TEXT ERE
lacks() { ! grep -qE -- "$2" <<< "$1"; }
fails() { ! "$@"; }
within() { awk -v s="$1" -v max="$2" 'BEGIN { exit !(s <= max) }'; }

cflags=(-O2 -Wall -Wextra -I"$root/uapi")
gcc -static "${cflags[@]}" -o "$work/bin/xuring-runas" "$vm/runas.c"
gcc -static "${cflags[@]}" -o "$work/bin/fake-test" "$here/fake-test.c"
gcc "${cflags[@]}" -o "$work/bin/regex-match" "$here/regex-match.c"

# The misbehaving fakes of the host and the guest, and what the runner must
# say about each (an ERE on its output); a limit in seconds for the slow
# ones: the per-test limit they run under is 3 s.
host_fakes="fake_pass fake_fail fake_skip_all fake_segv fake_exit255
	fake_short_plan fake_extra_results fake_no_plan fake_group_hang
	fake_group_orphan fake_escape"
for f in $host_fakes fake_ring_leak fake_stuck; do
	cp "$work/bin/fake-test" "$work/fakes/$f"
done
verdict() {	# FAKE: the runner's line about it, as an ERE
	case $1 in
	fake_pass|fake_fail) echo '' ;;
	fake_skip_all) echo '^ok [0-9]+ selftests/fake_skip_all # SKIP nothing to test here$' ;;
	fake_segv) echo '^not ok [0-9]+ selftests/fake_segv # killed by signal 11 \(SIGSEGV\)$' ;;
	fake_exit255) echo '^not ok [0-9]+ selftests/fake_exit255 # exit status 255 but no test failed$' ;;
	fake_short_plan) echo '^not ok [0-9]+ selftests/fake_short_plan # only 3 of 5 results' ;;
	fake_extra_results) echo '^not ok [0-9]+ selftests/fake_extra_results # 3 results for a plan of 2' ;;
	fake_no_plan) echo '^not ok [0-9]+ selftests/fake_no_plan # exit status 0 without a TAP plan' ;;
	fake_group_hang) echo '^not ok [0-9]+ selftests/fake_group_hang # timed out after 3s$' ;;
	fake_group_orphan) echo '^not ok [0-9]+ selftests/fake_group_orphan # left processes running after it exited \(killed\)' ;;
	fake_escape) echo '^not ok [0-9]+ selftests/fake_escape # a process outside its session still held its output' ;;
	fake_ring_leak) echo '^not ok [0-9]+ leaks/fake_ring_leak # still rings=1 ' ;;
	fake_stuck) echo '^not ok [0-9]+ selftests/fake_stuck # did not end: timed out after 3s and still running 12 s later' ;;
	esac
}
# The time bounds have 3 s of slack for a busy host (other guests, other
# builds): they are there to catch a wait that never ends or takes several
# times its share, as the old runner's 15 s for a 3 s limit.
slack=3
slowest() {	# FAKE: seconds it may take the runner, limit and waits included
	case $1 in
	fake_group_hang) echo $((3 + 1 + slack)) ;;	# the limit, 1 s for the group's child
	fake_escape) echo $((5 + slack)) ;;	# 5 s for the output
	fake_stuck) echo $((3 + 2 + 10 + slack)) ;;	# the limit, SIGTERM, SIGKILL
	*) echo $((1 + slack)) ;;	# 1 s for children to go
	esac
}

# ---------------------------------------------------------------- 1, 2
mkdir -p "$work/stats-zero"
for c in rings requests workers pinned_pages; do
	echo 0 > "$work/stats-zero/$c"
done
libsh() {	# SCRIPT [ARG...]: busybox sh with lib.sh sourced, host paths
	local script=$1
	shift
	XURING_JOBS_DIR=$vm/jobs XURING_RUNAS=$work/bin/xuring-runas \
	XURING_RUN_DIR=$work/run XURING_STATS_DIR=${stats:-$work/stats-zero} \
		busybox sh -c ". \"\$XURING_JOBS_DIR/lib.sh\"; $script" sh "$@"
}
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

echo "check-runner: lib.sh on the host, fake test programs with a 3 s limit"
for f in $host_fakes; do
	t0=$(date +%s.%N)
	out=$(libsh 'settle_limit=1; run_selftest "$1" 3' "$work/fakes/$f" 2>&1)
	secs=$(seconds_since "$t0")
	re=$(verdict "$f")
	if [ -n "$re" ]; then
		expect "$f: $(sed 's/.* # //; s/[$\\]//g' <<< "$re")" has "$out" "$re"
		case $re in
		'^ok'*) expect "$f: no failure" lacks "$out" '^not ok' ;;
		esac
	fi
	expect "$f: over in ${secs}s, within $(slowest "$f") s" within "$secs" "$(slowest "$f")"
	expect "$f: end marker" has "$out" "^### xuring-selftest-end $f "
done
out=$(libsh 'settle_limit=1; run_selftest "$1" 3' "$work/fakes/fake_pass" 2>&1)
expect "fake_pass: its 2 passes and 1 skip, no runner line" \
	test "$(grep -cE '^ok [0-9]+ (first|third)$' <<< "$out"),$(grep -cE '^ok [0-9]+ second # SKIP' <<< "$out"),$(grep -c '^not ok' <<< "$out"),$(grep -c 'selftests/' <<< "$out")" = 2,1,0,0
out=$(libsh 'settle_limit=1; run_selftest "$1" 3' "$work/fakes/fake_fail" 2>&1)
expect "fake_fail: its own failure only" \
	test "$(grep '^not ok' <<< "$out")" = "not ok 2 second"
# Nothing the fakes started in their sessions is left (fake_escape's
# daemon left the session on purpose, and ends by itself).
expect "no fake left running in the runner's sessions" \
	test -z "$(pgrep -f "^$work/fakes/fake_group" || true)"

echo "check-runner: lib.sh's leak check"
mkdir -p "$work/stats-leak" "$work/stats-settle"
for c in rings requests workers pinned_pages; do
	echo 0 > "$work/stats-leak/$c"
	echo 0 > "$work/stats-settle/$c"
done
echo 2 > "$work/stats-leak/requests"
t0=$(date +%s.%N)
out=$(stats=$work/stats-leak libsh 'settle_limit=1; leak_check some_test')
secs=$(seconds_since "$t0")
expect "leaked requests: reported with the counters" has "$out" \
	'^not ok 1 leaks/some_test # still rings=0 requests=2 workers=0 pinned_pages=0 1s after some_test ended$'
expect "leaked requests: after the 1 s wait (${secs}s)" within "$secs" $((1 + slack))
echo 1 > "$work/stats-settle/workers"
( sleep 0.5; echo 0 > "$work/stats-settle/workers" ) &
out=$(stats=$work/stats-settle libsh 'settle_limit=3; leak_check some_test')
wait
expect "a worker that exits 0.5 s later: no failure" test -z "$out"
t0=$(date +%s.%N)
out=$(stats=$work/no-such-dir libsh 'settle_limit=3; leak_check some_test')
secs=$(seconds_since "$t0")
expect "no counters: a failure" has "$out" "^not ok 1 leaks/some_test # cannot read the module's counters"
expect "no counters: at once (${secs}s)" within "$secs" "$slack"
out=$(stats=$work/stats-leak libsh 'settle_limit=1; run_selftest "$1" 3' "$work/fakes/fake_pass")
expect "run_selftest checks for leaks after each program" has "$out" \
	'^not ok [0-9]+ leaks/fake_pass # still .*requests=2'

# ---------------------------------------------------------------- 3
echo "check-runner: kernel reports (jobs/report-patterns)"
patterns=$vm/jobs/report-patterns
re=$(sed -e '/^#/d' -e '/^$/d' "$patterns" | paste -sd '|')
reports=$here/kernel-reports.log clean=$here/clean-boot.log
while IFS= read -r p; do
	expect "kernel-reports.log has an example of /$p/" grep -qE -- "$p" "$reports"
done < <(sed -e '/^#/d' -e '/^$/d' "$patterns")

dmesg_check_of() {	# LOGFILE: lib.sh's dmesg check on that kernel log
	# a function: busybox sh runs its own applets whatever PATH says
	libsh 'log=$1; dmesg() { cat "$log"; }; dmesg_base=0; dmesg_check' "$1" 2>&1
}
regcomp_matches() {	# LOGFILE: the fuzzer's reading of a line in it
	"$work/bin/regex-match" "$re" < "$1" > /dev/null
}
clean_results() {	# DIR: a job that passed, up to its end
	mkdir -p "$1"
	cat > "$1/results.log" <<-'EOF'
	### xuring-job-begin check 6.1.0-57-cloud-amd64
	ok 1 guest_setup
	ok 1 module_load
	### xuring-selftest-begin xuring_nop_test
	1..2
	ok 1 global.nop
	ok 2 global.alloc_fails # SKIP no fault injection (CONFIG_FAULT_INJECTION debugfs)
	### xuring-selftest-end xuring_nop_test exit=0 time=0.4s
	### xuring-selftest-begin xuring_nop_test@uid65534
	1..2
	ok 1 global.nop
	ok 2 global.alloc_fails # SKIP no fault injection (CONFIG_FAULT_INJECTION debugfs)
	### xuring-selftest-end xuring_nop_test@uid65534 exit=0 time=0.4s
	ok 2 module_counters # rings=0 requests=0 workers=0 pinned_pages=0
	ok 3 module_unload
	ok 4 dmesg_clean
	### xuring-dmesg-begin
	### xuring-dmesg-end
	### xuring-job-end check rc=0
	EOF
	cp "$clean" "$1/console.log"
	: > "$1/qemu.log"
}
results_of() {	# DIR QEMU_STATUS: results.sh's output; $rc its status
	rc=0
	out=$("$vm/results.sh" "$1" "$2" 30 12 2>&1) || rc=$?
}
agrees() {	# the exit status says what the summary line says
	local last
	last=$(tail -n 1 <<< "$out")
	case $last in
	*" 0 failed,"*) [ "$rc" = 0 ] ;;
	*" failed,"*) [ "$rc" != 0 ] ;;
	*) false ;;
	esac
}

i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s\n' "$line" > "$work/report-$i.log"
	what="kernel report $i (${line:0:60})"
	expect "$what: the guest's dmesg check fails" has \
		"$(dmesg_check_of "$work/report-$i.log")" '^not ok [0-9]+ dmesg_clean'
	clean_results "$work/run-report-$i"
	cp "$work/report-$i.log" "$work/run-report-$i/console.log"
	results_of "$work/run-report-$i" 0
	expect "$what: the console scan fails the run" has "$out" 'FAIL: console_clean'
	expect "$what: exit status and summary agree" agrees
	expect "$what: the fuzzer's regcomp() matches" \
		regcomp_matches "$work/report-$i.log"
done < "$reports"
expect "clean boot: the guest's dmesg check passes" has \
	"$(dmesg_check_of "$clean")" '^ok [0-9]+ dmesg_clean$'
expect "clean boot: the fuzzer's regcomp() finds nothing" \
	fails regcomp_matches "$clean"

# ---------------------------------------------------------------- 4
echo "check-runner: results.sh on made-up runs"
clean_results "$work/run-clean"
results_of "$work/run-clean" 0
expect "a clean run (console: clean-boot.log) passes" test "$rc" = 0
expect "a clean run: the summary counts passes, skips, the unprivileged pass and the fault-injection skips" \
	test "$(tail -n 1 <<< "$out")" = "7 passed, 0 failed, 2 skipped (1 passed unprivileged, as uid 65534; 1 allocation-failure tests skipped: this kernel cannot inject faults, make check-debug runs them)"
results_of "$work/run-clean" 124
expect "guest killed after the job ended: fails" has "$out" 'FAIL: the job ended but the guest did not power off within 30s'
expect "guest killed after the job ended: 1 failed, and the exit status agrees" \
	bash -c '[[ $1 == "7 passed, 1 failed,"* ]] && [ "$2" != 0 ]' sh "$(tail -n 1 <<< "$out")" "$rc"
results_of "$work/run-clean" 1
expect "qemu failed after the job ended: fails" has "$out" 'FAIL: qemu exited with status 1 after 12s, after the job ended'
expect "qemu failed after the job ended: the exit status agrees" agrees
clean_results "$work/run-died"
sed -i '/^### xuring-selftest-end xuring_nop_test@/,$d' "$work/run-died/results.log"
results_of "$work/run-died" 124
expect "guest died in a test: that test fails" has "$out" 'FAIL: xuring_nop_test@uid65534: did not finish'
expect "guest died in a test: the exit status agrees" agrees
clean_results "$work/run-noend"
sed -i '/^### xuring-job-end/d' "$work/run-noend/results.log"
results_of "$work/run-noend" 0
expect "a job without its end marker fails" has "$out" 'FAIL: the guest did not finish the job'
expect "a job without its end marker: the exit status agrees" agrees

# ---------------------------------------------------------------- 5
if [ -n "$host_only" ]; then
	echo "check-runner: $checks checks, $failed failed (host only)"
	[ "$failed" = 0 ]
	exit
fi

kver=$("$vm/guest-kernel.sh")
[ -f "$root/xuring.ko" ] || die "no $root/xuring.ko; build it first (make module)"
echo "check-runner: the fakes in a $kver guest (about a minute)"
t0=$(date +%s.%N)
rc=0
XURING_VM_OUT=$work/vm-fakes "$vm/run-vm.sh" --job runner --kver "$kver" \
	--selftests "$work/fakes" --payload "$work/empty" --timeout 300 \
	> "$work/vm-fakes.out" 2>&1 || rc=$?
secs=$(seconds_since "$t0")
log=$(tr -d '\r' < "$work/vm-fakes/results.log")
expect "guest: the run fails ($(tail -n 1 "$work/vm-fakes.out"))" test "$rc" != 0
expect "guest: the job ended (a stuck test does not stop it)" has "$log" '^### xuring-job-end runner'
expect "guest: the module unloads after the stuck test" has "$log" '^ok [0-9]+ module_unload$'
expect "guest: the dmesg check ran" has "$log" '^(not )?ok [0-9]+ dmesg_clean'
for f in $host_fakes fake_ring_leak fake_stuck; do
	re=$(verdict "$f")
	[ -z "$re" ] || expect "guest: $f: $(sed 's/.* # //; s/[$\\]//g' <<< "$re")" has "$log" "$re"
	time=$(sed -n "s/^### xuring-selftest-end $f .* time=\([0-9.]*\)s$/\1/p" <<< "$log")
	expect "guest: $f: over in ${time:-?}s, within $(slowest "$f") s" within "${time:-999}" "$(slowest "$f")"
done
expect "guest: fake_pass and fake_fail: no runner failure" lacks "$log" 'selftests/fake_(pass|fail) '
out=$(cat "$work/vm-fakes.out")
expect "guest: exit status and summary agree" agrees

echo "check-runner: a guest that hangs after its job (30 s)"
rc=0
XURING_VM_OUT=$work/vm-hang "$vm/run-vm.sh" --job runner --kver "$kver" \
	--selftests "$work/empty" --payload "$work/empty" --timeout 30 \
	--append xuring.runner_hang=1 > "$work/vm-hang.out" 2>&1 || rc=$?
out=$(cat "$work/vm-hang.out")
expect "hang after the job: the job itself passed" has "$out" 'ok [0-9]+ guest_will_hang_after_the_job'
expect "hang after the job: counted as a failure" has "$out" 'FAIL: the job ended but the guest did not power off within 30s'
expect "hang after the job: 1 failed, and the exit status agrees" \
	bash -c '[[ $1 == *" passed, 1 failed,"* ]] && [ "$2" != 0 ]' sh "$(tail -n 1 <<< "$out")" "$rc"

# ---------------------------------------------------------------- 6
# The guest survives its kernel patching code the other vCPU runs: with
# a host thread per vCPU, a 6.12 guest died of it within seconds
# (run-vm.sh, where accel is set), so the default is one thread.
tcg=single
echo "check-runner: kernel text patching under load in the $kver guest (60 s)"
rc=0
XURING_VM_OUT=$work/vm-poke "$vm/run-vm.sh" --job text-poke --kver "$kver" \
	--selftests "$work/empty" --payload "$work/empty" --timeout 150 \
	> "$work/vm-poke.out" 2>&1 || rc=$?
out=$(cat "$work/vm-poke.out")
log=$(tr -d '\r' < "$work/vm-poke/results.log")
expect "text patching: the vCPUs run with thread=$tcg" \
	grep -qE "thread=$tcg( |$)" "$work/vm-poke/qemu.cmd"
expect "text patching: keys flipped under load ($(sed -n 's/^ok [0-9]* text_poke # //p' <<< "$log"))" \
	has "$log" '^ok [0-9]+ text_poke # '
expect "text patching: the run passes, console clean ($(tail -n 1 <<< "$out"))" test "$rc" = 0
expect "text patching: exit status and summary agree" agrees

echo "check-runner: $checks checks, $failed failed"
[ "$failed" = 0 ]
