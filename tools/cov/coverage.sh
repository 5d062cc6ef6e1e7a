#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Line and branch coverage of the module's sources from the selftests, from
# the fuzzer, and from both together (make coverage; tools/cov/README.md).
#
# usage: coverage.sh [--runs "check fuzz"] [--fuzz-seconds N] [--seed S]
#                    [--report-only]
#   --runs          which guest runs to do (default both)
#   --fuzz-seconds  the fuzzer's budget (default 120)
#   --seed          the fuzzer's seed (default random, printed)
#   --report-only   no guests: remake the report from the counters of the
#                   last runs (build/coverage/data/)
#
# It builds xuring.ko once with gcov profiling (XURING_GCOV=1) against the
# debug kernel, boots that kernel twice through tools/vm/debug-run.sh with
# the coverage job (tools/vm/jobs/coverage.sh), which runs the check job or
# the fuzz job and then sends the module's .gcda files back, and turns the
# counters into lcov tracefiles, an HTML report and gcov's annotated
# sources. Output in build/coverage/: table.txt (the table printed at the
# end), uncovered.txt (the lines no run reached, by file and function),
# html/{check,fuzz,both}/index.html, gcov/{check,fuzz,both}/*.gcov,
# info/*.info, and each guest's logs in vm-check/ and vm-fuzz/.
# The exit status is non-zero if a guest run failed; the report is made
# from whatever counters it sent.
set -euo pipefail

cov=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$cov/../.." && pwd)
vm=$root/tools/vm
out=$root/build/coverage
mod=$out/module

runs="check fuzz" fuzz_seconds=120 seed='' report_only=''

die() { echo "coverage: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--runs|--fuzz-seconds|--seed)
		[ $# -ge 2 ] || die "$1 needs an argument"
		case $1 in
		--runs) runs=$2 ;;
		--fuzz-seconds) fuzz_seconds=$2 ;;
		--seed) seed=$2 ;;
		esac
		shift 2 ;;
	--report-only) report_only=1; shift ;;
	*) die "unknown argument '$1' (see the usage at the top of $0)" ;;
	esac
done
for r in $runs; do
	[ "$r" = check ] || [ "$r" = fuzz ] || die "--runs takes check and/or fuzz, not '$r'"
done
[[ $fuzz_seconds =~ ^[1-9][0-9]*$ ]] || die "--fuzz-seconds wants a positive number"
[ -z "$seed" ] || [[ $seed =~ ^[0-9]+$ ]] || die "--seed wants a number"
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
for p in lcov genhtml gcov; do
	command -v $p > /dev/null || die "$p not found; run 'make deps' (it installs lcov)"
done

start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - ${1:-$start} ))s"; }

# The gcov that reads the counters must be the compiler's own version.
tree=$("$vm/debug-kernel.sh" | tail -n 1)
cc_major=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9]\{4\}$/\1/p' "$tree/.config")
gcov=gcov-$cc_major
command -v "$gcov" > /dev/null || die "$gcov not found: the debug kernel was built by gcc $cc_major; install gcc-$cc_major"

# One profiled module for all the runs: a .gcda only fits the .gcno files
# of the very build that made it.
if [ -z "$report_only" ]; then
	rm -rf "$out"
	mkdir -p "$mod"
	cp -a "$root/Kbuild" "$root/src" "$root/include" "$root/uapi" "$mod/"
	echo "coverage: building xuring.ko with gcov profiling against the debug kernel"
	make -s -C "$tree" M="$mod" XURING_GCOV=1 modules
	ls "$mod"/src/*.gcno > /dev/null 2>&1 ||
		die "the build left no .gcno files in $mod/src; is XURING_GCOV in Kbuild?"
fi
[ -f "$mod/xuring.ko" ] || die "no profiled module in $mod; run without --report-only first"

# One guest: RUN. Leaves the counters in $out/data/RUN/.
failed_runs=''
guest_run() {
	local run=$1 t0 args summary data=$out/data/$1
	t0=$(date +%s)
	case $run in
	check)	# as make check-debug, with more time: profiling and a busy
		# host took that job past check-debug's 2400 s in the middle
		# of fio's checks
		args=(--timeout 7200 --payload "$root/build/payload"
		      --append "xuring.cov_job=check xuring.selftest_timeout=900") ;;
	fuzz)	# as make fuzz
		echo "coverage: fuzz seed $seed, ${fuzz_seconds}s"
		args=(--timeout $((fuzz_seconds + 600)) --payload "$root/build/fuzz"
		      --append "xuring.cov_job=fuzz xuring.fuzz_seconds=$fuzz_seconds xuring.fuzz_seed=$seed") ;;
	esac
	echo "coverage: $run run in the debug kernel (log: $out/$run.log)"
	XURING_VM_OUT=$out/vm-$run XURING_DEBUG_KO=$mod/xuring.ko \
		"$vm/debug-run.sh" coverage "${args[@]}" 2>&1 | tee "$out/$run.log" || true
	summary=$(tail -n 1 "$out/$run.log")
	case $summary in
	*" 0 failed"*) ;;
	*) failed_runs+=" $run" ;;
	esac

	rm -rf "$data"
	mkdir -p "$data"
	tr -d '\r' < "$out/vm-$run/results.log" |
		sed -n '/^### xuring-gcov-begin/,/^### xuring-gcov-end/p' | sed '1d;$d' |
		base64 -d | tar -xz -C "$data" 2> /dev/null ||
		echo "coverage: $run: the guest sent no readable counters"
	echo "coverage: $run run done in $(elapsed "$t0"): $summary"
}

if [ -z "$report_only" ]; then
	for r in $runs; do
		guest_run "$r"
	done
fi

# The counters of RUN as lcov's tracefile $out/info/RUN.all.info: the
# .gcda files go next to their .gcno files, where the build put them, for
# the time of this.
lcov_opts=(--rc lcov_branch_coverage=1 --gcov-tool "$gcov" --quiet)
# Debian's lcov 1.16 defines some of geninfo's functions twice, and perl
# says so at every start: not ours to report.
run_lcov() {
	lcov "${lcov_opts[@]}" "$@" 2> >(grep -v '^Subroutine .* redefined at' >&2)
}
capture() {	# RUN
	local run=$1 gcda n
	rm -f "$mod"/src/*.gcda
	n=0
	while IFS= read -r gcda; do
		cp "$gcda" "$mod/src/" && n=$((n + 1))
	done < <(find "$out/data/$run" -path "*${mod}/src/*.gcda" 2> /dev/null)
	if [ "$n" = 0 ]; then
		echo "coverage: no counters from the $run run"
		return 1
	fi
	run_lcov --capture --directory "$mod/src" \
		--output-file "$out/info/$run.all.info"
	rm -f "$mod"/src/*.gcda
}

# Only our files: the kernel headers' inline functions are counted too.
rm -rf "$out/info" "$out/html" "$out/gcov"
mkdir -p "$out/info"
infos=() files=()
for r in check fuzz; do
	if capture "$r"; then
		run_lcov --extract "$out/info/$r.all.info" \
			"$mod/src/*" "$mod/include/*" --output-file "$out/info/$r.info"
		infos+=("$r")
	fi
done
[ ${#infos[@]} -gt 0 ] || die "no counters from any run; see $out/*.log"
if [ ${#infos[@]} = 2 ]; then
	run_lcov --add-tracefile "$out/info/check.info" \
		--add-tracefile "$out/info/fuzz.info" --output-file "$out/info/both.info"
	infos+=(both)
fi

# gcov's text annotation (count:line:source) of each file, per set:
# merged counters for "both", so that a .gcov file is one view.
annotate() {	# SET DATA-DIRS...
	local set=$1 dst=$out/gcov/$1 d
	shift
	rm -rf "$dst" "$mod"/src/*.gcda
	mkdir -p "$dst"
	if [ $# = 1 ]; then
		find "$1" -path "*${mod}/src/*.gcda" -exec cp {} "$mod/src/" \;
	else	# gcov-tool adds the counters of two runs up
		for d in "$@"; do
			mkdir -p "$dst/.in/${d##*/}"
			find "$d" -path "*${mod}/src/*.gcda" -exec cp {} "$dst/.in/${d##*/}/" \;
		done
		"gcov-tool-$cc_major" merge -o "$mod/src" "$dst/.in/${1##*/}" "$dst/.in/${2##*/}" ||
			echo "coverage: gcov-tool merge failed; no annotated sources for $set"
		rm -rf "$dst/.in"
	fi
	(cd "$dst" && "$gcov" -b -c -p -o "$mod/src" "$mod"/src/*.c > /dev/null 2>&1) || true
	# keep only our files (gcov -p mangles / to #)
	for f in "$dst"/*.gcov; do
		case ${f##*/} in
		"${mod//\//#}#src#"*|"${mod//\//#}#include#"*)
			mv "$f" "$dst/${f##*"#"}" 2> /dev/null || true ;;
		*) rm -f "$f" ;;
		esac
	done
	rm -f "$mod"/src/*.gcda
}

for set in "${infos[@]}"; do
	genhtml --quiet --branch-coverage --legend --prefix "$mod" \
		--title "xuring: $set" --output-directory "$out/html/$set" \
		"$out/info/$set.info" > /dev/null
	case $set in
	both) annotate both "$out/data/check" "$out/data/fuzz" ;;
	*) annotate "$set" "$out/data/$set" ;;
	esac
done

# The table (every set), and the lines no run reached (the widest set).
for set in "${infos[@]}"; do
	files+=("$out/info/$set.info")
done
awk -v prefix="$mod/" -v goal=90 -f "$cov/table.awk" "${files[@]}" > "$out/table.txt"
case ${infos[-1]} in
check) by="the check run" ;;
fuzz) by="the fuzz run" ;;
both) by="either run" ;;
esac
{
	echo "# Lines not reached by $by: range, count, function, first line"
	echo
	awk -v prefix="$mod/" -v reasons="$cov/reasons" \
		-f "$cov/uncovered.awk" "${files[-1]}"
} > "$out/uncovered.txt"

echo
cat "$out/table.txt"
echo "$(tail -n 1 "$out/uncovered.txt") (tools/cov/reasons; each stretch in $out/uncovered.txt)"
echo
echo "coverage: $out/html/${infos[-1]}/index.html, annotated sources in $out/gcov/, uncovered lines in $out/uncovered.txt"
echo "coverage: took $(elapsed)"
[ -z "$failed_runs" ] || die "the guest run(s)$failed_runs failed (see $out/<run>.log); the coverage above is what they reached"
