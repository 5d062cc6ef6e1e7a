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
# them in a fresh one under ${TMPDIR:-/tmp}: make that a disk file system,
# as several tests use O_DIRECT, which tmpfs refuses. Plain sh and
# coreutils only: it runs inside the test VM.
#
# A passing test that printed something about skipping or a missing
# feature has those lines shown as TAP comments; the tests make check does
# not run, and why, are in liburing-tests next to this script.
#
# XURING_COMPAT_TARGET says what the tests run on: xuring (the default,
# built on libxuring) or io_uring (built on Debian's liburing, the guest
# kernel's own io_uring). A test liburing-tests names for this kernel and
# target ("kernel" lines) is skipped with the reason given there.

dir=$(cd "$(dirname "$0")" && pwd)
timeout=${TIMEOUT:-60}
target=${XURING_COMPAT_TARGET:-xuring}
krel=$(uname -r)

# The reason liburing-tests gives for not running test $1 on this kernel
# and target; nothing if it runs.
not_here() {
	[ -f "$dir/liburing-tests" ] || return 0
	awk -v t="$1" -v target="$target" -v krel="$krel" '
		function ver(s, a) { split(s, a, /[.+-]/); return a[1] * 1000 + a[2] }
		$1 == "kernel" && $4 == t && ($3 == target || $3 == "both") {
			r = $2
			if (r ~ /^>=/) hit = ver(krel) >= ver(substr(r, 3))
			else if (r ~ /^</) hit = ver(krel) < ver(substr(r, 2))
			else hit = ver(krel) == ver(r)
			if (hit) {
				$1 = $2 = $3 = $4 = ""
				sub(/^ +/, "")
				print
				exit
			}
		}' "$dir/liburing-tests"
}

if [ $# -eq 0 ]; then
	[ -f "$dir/TESTS" ] || { echo "run-compat-tests: no $dir/TESTS" >&2; exit 2; }
	set -- $(cat "$dir/TESTS")
fi
[ "$target" != xuring ] || [ -c /dev/xuring ] ||
	echo "# warning: /dev/xuring missing; is xuring.ko loaded?"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/xuring-compat.XXXXXX") || exit 2
cd "$scratch" || exit 2

echo "TAP version 13"
echo "1..$#"
n=0 pass=0 skip=0 fail=0 start=$(date +%s)
for t in "$@"; do
	n=$((n + 1))
	bin=$dir/$t.t
	why=$(not_here "$t")
	if [ -n "$why" ]; then
		echo "ok $n $t # SKIP on $target $krel: $why"
		skip=$((skip + 1))
		continue
	fi
	if [ ! -x "$bin" ]; then
		echo "not ok $n $t # not built"
		fail=$((fail + 1))
		continue
	fi
	t0=$(date +%s)
	out=$(timeout -k 5 "$timeout" "$bin" 2>&1)
	rc=$?
	# coreutils' timeout exits 124, busybox's with the signal it sent
	if [ $rc -eq 124 ] || { [ $rc -gt 128 ] &&
	   [ $(($(date +%s) - t0)) -ge "$timeout" ]; }; then
		rc=124
	fi
	case $rc in
	0)	echo "ok $n $t"; pass=$((pass + 1)) ;;
	77)	echo "ok $n $t # SKIP"; skip=$((skip + 1)) ;;
	124)	echo "not ok $n $t # TIMEOUT after ${timeout}s"; fail=$((fail + 1)) ;;
	# SIGSYS: what xuring-no-io_uring --kill does to an io_uring call
	159)	echo "not ok $n $t # killed by SIGSYS: it made an io_uring system call"
		fail=$((fail + 1)) ;;
	1[3-9][0-9]|2[0-9][0-9])
		echo "not ok $n $t # killed by signal $((rc - 128))"
		fail=$((fail + 1)) ;;
	*)	echo "not ok $n $t # exit $rc"; fail=$((fail + 1)) ;;
	esac
	if [ $rc -ne 0 ] && [ -n "$out" ]; then
		printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
	elif [ -n "$out" ]; then
		printf '%s\n' "$out" | grep -i 'skip\|not supported' | sort -u |
			head -n 5 | sed 's/^/#   said: /'
	fi
	rm -rf ./* 2>/dev/null
done

cd / && rm -rf "$scratch"
echo "# liburing's tests on $target: $pass passed, $skip skipped, $fail failed in $(($(date +%s) - start)) s"
if [ -f "$dir/liburing-tests" ]; then
	grep -v '^#' "$dir/liburing-tests" | awk '$1 == "kernel" { next }
		NF { all++ } $1 != "run" && NF {
		n[$1]++ } END { for (s in n) { l = l sep n[s] " " s; sep = ", " }
		print "# not run here, of liburing'"'"'s " all " tests: " l \
			" (liburing-tests says why)" }'
fi
[ $fail -eq 0 ]
