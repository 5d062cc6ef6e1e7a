#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# After `make fuzz`: keep the programs the guest found that reach new
# module code (tools/vm/jobs/fuzz.sh prints them between
# "### xuring-corpus-begin NAME" and "### xuring-corpus-end"), and, when
# the guest died before the fuzzer could report (an oops panics it), say
# which phase and seed it was running and which program, from the marks
# the fuzzer leaves in the kernel log.
#
# usage: after-run.sh RESULTS_LOG CORPUS_DIR
set -euo pipefail

results=${1:?usage: after-run.sh RESULTS_LOG CORPUS_DIR}
corpus=${2:?usage: after-run.sh RESULTS_LOG CORPUS_DIR}
console=$(dirname "$results")/console.log

if [ ! -f "$results" ]; then
	echo "after-run: no $results (did the guest start?)"
	exit 0
fi

mkdir -p "$corpus"
# A name is "MODE-HASH" of the program: the same program lands on the same
# file, so a rerun adds nothing twice.
added=$(tr -d '\r' < "$results" | awk -v dir="$corpus" '
	/^### xuring-corpus-begin / {
		name = $3
		if (name !~ /^[a-z]+-[0-9a-f]+$/) { name = ""; next }
		path = dir "/" name
		exists = (system("test -e " path) == 0)
		if (!exists) { printf "" > path; n++ }
		next
	}
	/^### xuring-corpus-end/ { if (name != "" && !exists) close(path); name = ""; next }
	name != "" && !exists { print >> path }
	END { print n + 0 }')
total=$(find "$corpus" -type f | wc -l)
echo "after-run: $added new corpus programs in $corpus ($total in all)"

# The job ended by itself: the fuzzer reported whatever it found.
if tr -d '\r' < "$results" | grep -q '^### xuring-job-end '; then
	exit 0
fi
phase=$(tr -d '\r' < "$results" | sed -n 's/^### xuring-show-begin fuzz_//p' | tail -n 1)
cmd=$(tr -d '\r' < "$results" | grep -A1 '^### xuring-show-begin fuzz_' | tail -n 1)
echo "after-run: the guest died during phase '${phase:-?}', which ran:"
echo "after-run:   $cmd"
if [ -f "$console" ]; then
	mark=$(tr -d '\r' < "$console" | grep -a 'xuring-fuzz\[[0-9]*\]: ' | tail -n 1 |
	       sed 's/^\[[^]]*\] //')
	[ -z "$mark" ] || echo "after-run: its last mark in the kernel log: $mark"
	report=$(tr -d '\r' < "$console" | grep -a -m 1 -E 'BUG:|Oops|general protection|KASAN|WARNING:|kernel BUG at' || true)
	[ -z "$report" ] || echo "after-run: the first report: $report"
fi
