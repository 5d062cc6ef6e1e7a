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
# An exit status of 0 is not enough for a pass:
#   - the test must have set up a ring on xuring (the module's rings_setup
#     counter grew): a test that set up none tested nothing, and fails;
#   - what xuring holds (rings, requests, workers, pinned pages) must be
#     back where it was before the test within 15 s of its exit, or the
#     test fails as a leak: several tests only reproduce crashes and
#     leaks, and this is what they can assert;
#   - the parts of a test that skip themselves on xuring are listed in
#     liburing-tests ("skips: ..." after the test's name) and each is
#     reported as a SKIP of its own; a test that says it skipped something
#     not listed there (a line with "skip", "support" or "root") is
#     reported as skipped, not passed: how much of it ran is unknown.
#
# The tests write scratch files into the current directory, so this runs
# them in a fresh one under ${TMPDIR:-/tmp}: make that a disk file system,
# as several tests use O_DIRECT, which tmpfs refuses. Plain sh and
# coreutils only: it runs inside the test VM.
#
# XURING_COMPAT_TARGET says what the tests run on: xuring (the default,
# built on libxuring) or io_uring (built on Debian's liburing, the guest
# kernel's own io_uring). A test liburing-tests names for this kernel and
# target ("kernel" lines) is skipped with the reason given there. On
# io_uring, the checks of what xuring set up and holds do not apply.

dir=$(cd "$(dirname "$0")" && pwd)
list=$dir/liburing-tests
timeout=${TIMEOUT:-60}
sysfs=${XURING_SYSFS:-/sys/class/misc/xuring}
target=${XURING_COMPAT_TARGET:-xuring}
krel=$(uname -r)

# The reason liburing-tests gives for not running test $1 on this kernel
# and target; nothing if it runs.
not_here() {
	[ -f "$list" ] || return 0
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
		}' "$list"
}

if [ $# -eq 0 ]; then
	[ -f "$dir/TESTS" ] || { echo "run-compat-tests: no $dir/TESTS" >&2; exit 2; }
	set -- $(cat "$dir/TESTS")
fi
[ "$target" != xuring ] || [ -c /dev/xuring ] ||
	echo "# warning: /dev/xuring missing; is xuring.ko loaded?"
[ -f "$list" ] || echo "# warning: no $list: no test's skipped parts are known"

# file-register registers 8192 files; the VM's default limit is 1024
ulimit -n 16384 2>/dev/null

# on io_uring there is nothing of xuring's to count: always 0
counter() {
	[ "$target" = xuring ] || { echo 0; return; }
	cat "$sysfs/$1" 2>/dev/null || echo -1
}
held() {
	echo "rings $(counter rings) requests $(counter requests)" \
	     "workers $(counter workers) pinned_pages $(counter pinned_pages)"
}

# settle BEFORE: true once what xuring holds is BEFORE again (15 s at
# most: an SQ thread or io-wq worker may take a moment to go); sets now
settle() {
	end=$(($(date +%s) + 15))
	while now=$(held) && [ "$now" != "$1" ]; do
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 0.2
	done
}

# parts TEST: the parts of TEST that liburing-tests says skip themselves,
# one a line ("skips: PART; PART" on the test's line)
parts() {
	[ -f "$list" ] || return 0
	awk -v t="$1" '$1 == "run" && $2 == t {
		sub(/^[ \t]*run[ \t]+[^ \t]+[ \t]*/, "")
		if (sub(/^skips: */, "")) {
			n = split($0, p, /; */)
			for (i = 1; i <= n; i++)
				print p[i]
		}
		exit
	}' "$list"
}

# listed TEST LINE: true if LINE is a skip message liburing-tests lists
# for TEST (a part that starts with the message, in double quotes)
listed() {
	parts "$1" | sed -n 's/^"\([^"]*\)".*/\1/p' | {
		while IFS= read -r msg; do
			case $2 in *"$msg"*) exit 0 ;; esac
		done
		exit 1
	}
}

skipped_parts() {	# TEST: a SKIP for each part listed for it
	parts "$1" > "$scratch/.parts"
	while IFS= read -r part; do
		n=$((n + 1))
		echo "ok $n $1 (part) # SKIP $part"
		skip=$((skip + 1))
	done < "$scratch/.parts"
}

plan=0
for t in "$@"; do
	plan=$((plan + 1 + $(parts "$t" | grep -c .)))
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/xuring-compat.XXXXXX") || exit 2
cd "$scratch" || exit 2

echo "TAP version 13"
echo "1..$plan"
n=0 pass=0 skip=0 fail=0 start=$(date +%s)
for t in "$@"; do
	n=$((n + 1))
	bin=$dir/$t.t
	why=$(not_here "$t")
	if [ -n "$why" ]; then
		echo "ok $n $t # SKIP on $target $krel: $why"
		skip=$((skip + 1))
		skipped_parts "$t"
		continue
	fi
	if [ ! -x "$bin" ]; then
		echo "not ok $n $t # not built"
		fail=$((fail + 1))
		skipped_parts "$t"
		continue
	fi
	before=$(held) rings0=$(counter rings_setup) t0=$(date +%s)
	out=$(timeout -k 5 "$timeout" "$bin" 2>&1)
	rc=$?
	rings=$(($(counter rings_setup) - rings0))
	# coreutils' timeout exits 124, busybox's with the signal it sent
	if [ $rc -eq 124 ] || { [ $rc -gt 128 ] &&
	   [ $(($(date +%s) - t0)) -ge "$timeout" ]; }; then
		rc=124
	fi
	t1=$(date +%s) leak=
	settle "$before" || leak="xuring holds $now, before the test $before"
	# what it said about skipping that liburing-tests does not list
	unlisted=$(printf '%s\n' "$out" | grep -i 'skip\|support\|root' |
		sort -u | while IFS= read -r line; do
			listed "$t" "$line" || printf '%s\n' "$line"
		done)

	case $rc in
	0)	if [ -n "$leak" ]; then
			echo "not ok $n $t # passed, but leaked: $leak"
			fail=$((fail + 1))
		elif [ "$target" = xuring ] && [ "$rings" -le 0 ]; then
			echo "not ok $n $t # passed without setting up a ring on xuring ($sysfs/rings_setup did not grow): it tested nothing"
			fail=$((fail + 1))
		elif [ -n "$unlisted" ]; then
			echo "ok $n $t # SKIP in part (it said so; liburing-tests does not list that part, so it is not counted as passed)"
			printf '%s\n' "$unlisted" | head -n 5 | sed 's/^/#   said: /'
			skip=$((skip + 1))
		else
			echo "ok $n $t"
			pass=$((pass + 1))
		fi ;;
	77)	echo "ok $n $t # SKIP $(printf '%s\n' "$out" | grep . | head -n 1)"
		skip=$((skip + 1)) ;;
	124)	echo "not ok $n $t # TIMEOUT after ${timeout}s"; fail=$((fail + 1)) ;;
	# SIGSYS: what xuring-no-io_uring --kill does to an io_uring call
	159)	echo "not ok $n $t # killed by SIGSYS: it made an io_uring system call"
		fail=$((fail + 1)) ;;
	1[3-9][0-9]|2[0-9][0-9])
		echo "not ok $n $t # killed by signal $((rc - 128))"
		fail=$((fail + 1)) ;;
	*)	echo "not ok $n $t # exit $rc"; fail=$((fail + 1)) ;;
	esac
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$out" ]; then
		printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
	fi
	[ $rc -eq 0 ] || [ -z "$leak" ] || echo "# and it leaked: $leak"
	waited=$(($(date +%s) - t1))
	[ -z "$leak" ] && [ $waited -gt 1 ] || waited=
	if [ "$target" = xuring ]; then
		echo "#   $rings ring(s) set up on xuring, $((t1 - t0)) s${waited:+, then $waited s until xuring let go}"
	fi
	skipped_parts "$t"
	rm -rf ./* ./.[!.]* 2>/dev/null
done

cd / && rm -rf "$scratch"
echo "# liburing's tests on $target: $pass passed, $skip skipped, $fail failed in $(($(date +%s) - start)) s"
if [ -f "$list" ]; then
	grep -v '^#' "$list" | awk '$1 == "kernel" { next }
		NF { all++ } $1 != "run" && NF {
		n[$1]++ } END { for (s in n) { l = l sep n[s] " " s; sep = ", " }
		print "# not run here, of liburing'"'"'s " all " tests: " l \
			" (liburing-tests says why)" }'
fi
[ $fail -eq 0 ]
