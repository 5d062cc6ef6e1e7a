#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-compat-tests.sh [TEST...]
#
# Run liburing 2.3's test programs, built on libxuring by
# `make -C tools/lib compat-tests`, against the loaded xuring module, and
# print TAP. With no arguments, run those listed in TESTS next to this
# script. liburing's convention: exit 0 passes, 77 skips, anything else
# fails; each test gets TIMEOUT seconds (default 60).
#
# The tests write scratch files into the current directory, so this runs
# them in a fresh one under ${TMPDIR:-/tmp}. Plain sh and coreutils only:
# it runs inside the test VM.

dir=$(cd "$(dirname "$0")" && pwd)
timeout=${TIMEOUT:-60}

if [ $# -eq 0 ]; then
	[ -f "$dir/TESTS" ] || { echo "run-compat-tests: no $dir/TESTS" >&2; exit 2; }
	set -- $(cat "$dir/TESTS")
fi
[ -c /dev/xuring ] || echo "# warning: /dev/xuring missing; is xuring.ko loaded?"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/xuring-compat.XXXXXX") || exit 2
cd "$scratch" || exit 2

echo "TAP version 13"
echo "1..$#"
n=0 pass=0 skip=0 fail=0
for t in "$@"; do
	n=$((n + 1))
	bin=$dir/$t.t
	if [ ! -x "$bin" ]; then
		echo "not ok $n $t # not built"
		fail=$((fail + 1))
		continue
	fi
	out=$(timeout -k 5 "$timeout" "$bin" 2>&1)
	rc=$?
	case $rc in
	0)	echo "ok $n $t"; pass=$((pass + 1)) ;;
	77)	echo "ok $n $t # SKIP"; skip=$((skip + 1)) ;;
	124)	echo "not ok $n $t # TIMEOUT after ${timeout}s"; fail=$((fail + 1)) ;;
	*)	echo "not ok $n $t # exit $rc"; fail=$((fail + 1)) ;;
	esac
	if [ $rc -ne 0 ] && [ -n "$out" ]; then
		printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
	fi
done

cd / && rm -rf "$scratch"
echo "# liburing compat: $pass passed, $skip skipped, $fail failed"
[ $fail -eq 0 ]
