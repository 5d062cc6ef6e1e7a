#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plocate_dropin: Debian's plocate, unmodified (it is linked against
# liburing.so.2 and reads its database through io_uring when it can set a
# ring up, synchronously otherwise), run with the kernel's io_uring blocked
# by xuring-no-io_uring:
#
#   control    plainly: io_uring_setup fails with ENOSYS, plocate falls
#              back to pread(); its answers are right and xuring saw nothing
#   kill       the same with --kill: plocate dies of SIGSYS, so it does call
#              io_uring_setup, and the filter catches it
#   dropin     with LD_LIBRARY_PATH at the drop-in liburing.so.2, under
#              --kill: plocate runs to the end (never made an io_uring
#              system call), its answers are the same and right, and
#              xuring's counters of rings set up and SQEs submitted grew
#
# The database comes from plocate's own updatedb over a tree made here;
# the right answers come from find(1) over the same tree. Prints TAP.
# POSIX sh: the guest has busybox, no bash.
#
#   plocate_dropin          in the test VM (payload: ../bin/plocate,
#                           ../bin/updatedb.plocate, ../bin/xuring-no-io_uring,
#                           ../lib/dropin/liburing.so.2)
#   env PLOCATE=... UPDATEDB=... NO_IO_URING=... DROPIN=... plocate_dropin
#                           elsewhere; /dev/xuring must exist

here=$(cd "$(dirname "$0")" && pwd)
plocate=${PLOCATE:-$here/../bin/plocate}
updatedb=${UPDATEDB:-$here/../bin/updatedb.plocate}
no_io_uring=${NO_IO_URING:-$here/../bin/xuring-no-io_uring}
dropin=${DROPIN:-$here/../lib/dropin}
stats=/sys/class/misc/xuring

work=$(mktemp -d "${XURING_EXT4_DIR:-${TMPDIR:-/tmp}}/plocate-dropin.XXXXXX") ||
	exit 1
trap 'rm -rf "$work"' EXIT
tree=$work/tree db=$work/plocate.db

n=0 failed=0 start=$(date +%s)
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {	# NAME REASON [FILE...]: the files' heads go to the TAP output
	n=$((n + 1))
	echo "not ok $n $1 # $2"
	shift 2
	for f in "$@"; do
		[ -s "$f" ] && sed 's/^/# /' "$f" | head -n 15
	done
	failed=$((failed + 1))
}

# the queries: "NAME|plocate arguments|a filter over find's list"
# (mktemp's random letters can hold neither "-" nor a whole query word)
queries='needle|needle|grep -F needle
two_terms|-- needle -1|grep -F needle | grep -F -e -1
ignore_case|-i mixedcase|grep -i mixedcase
count|-c beta|grep -F beta | wc -l'

echo "1..$((3 + 3 * 4))"

for f in "$plocate" "$updatedb" "$no_io_uring" "$dropin/liburing.so.2"; do
	[ -e "$f" ] && continue
	not_ok setup "missing $f: is the payload staged (tools/lib/stage.sh)?"
	exit 1
done
[ -c /dev/xuring ] || { not_ok setup "no /dev/xuring: load xuring.ko"; exit 1; }
dropin=$(cd "$dropin" && pwd)

# ~1000 names in 40 directories: a few posting lists and filename blocks
# for plocate to read. Redirections, not touch: no fork per file.
i=0
while [ $i -lt 40 ]; do
	mkdir -p "$tree/dir$i/sub"
	j=0
	while [ $j -lt 12 ]; do
		: > "$tree/dir$i/alpha-$j.txt"
		: > "$tree/dir$i/sub/beta-$i-$j.log"
		j=$((j + 1))
	done
	: > "$tree/dir$i/needle-$i.dat"
	: > "$tree/dir$i/sub/MixedCase-$i"
	i=$((i + 1))
done
find "$tree" > "$work/all" || exit 1

# plocate's updatedb, told to skip nothing (its defaults prune /tmp, tmpfs)
if "$updatedb" -U "$tree" -o "$db" -l no --prunefs "" --prunepaths "" \
	--prunenames "" > "$work/updatedb.out" 2>&1 && [ -s "$db" ]; then
	ok updatedb_plocate
else
	not_ok updatedb_plocate "updatedb.plocate failed" "$work/updatedb.out"
fi

# The loader must pick the drop-in over the system's liburing.so.2. (The
# wrapper is static, and its no_new_privs keeps a set-group-ID plocate
# from ignoring LD_* variables.)
LD_LIBRARY_PATH=$dropin LD_TRACE_LOADED_OBJECTS=1 "$no_io_uring" "$plocate" \
	> "$work/ldd.out" 2>&1
if grep -q "liburing.so.2 => $dropin/liburing.so.2" "$work/ldd.out"; then
	ok dropin_is_loaded
else
	not_ok dropin_is_loaded "plocate does not load $dropin/liburing.so.2" \
		"$work/ldd.out"
fi

# SIGSYS is signal 31 on x86 and arm64: exit status 128 + 31
"$no_io_uring" --kill "$plocate" -d "$db" needle > "$work/kill.out" 2>&1
rc=$?
if [ $rc = 159 ]; then
	ok kill_control_dies_of_sigsys
else
	not_ok kill_control_dies_of_sigsys \
		"want death by SIGSYS (status 159), got status $rc" "$work/kill.out"
fi

counter() { cat "$stats/$1" 2>/dev/null || echo -1; }

# run MODE NAME ARGS...: plocate with ARGS, output in $work/MODE.NAME.out,
# debug output in .err; sets rc, and grew_rings and grew_sqes from
# xuring's counters.
run() {
	mode=$1 name=$2
	shift 2
	rings0=$(counter rings_setup) sqes0=$(counter sqes_submitted)
	if [ "$mode" = dropin ]; then
		LD_LIBRARY_PATH=$dropin "$no_io_uring" --kill "$plocate" -D \
			-d "$db" "$@" > "$work/$mode.$name.out" 2> "$work/$mode.$name.err"
	else
		"$no_io_uring" "$plocate" -D -d "$db" "$@" \
			> "$work/$mode.$name.out" 2> "$work/$mode.$name.err"
	fi
	rc=$?
	grew_rings=$(($(counter rings_setup) - rings0))
	grew_sqes=$(($(counter sqes_submitted) - sqes0))
}

# check MODE NAME: the answer is right and the ring was (not) xuring's
check() {
	mode=$1 name=$2 out=$work/$1.$2.out err=$work/$1.$2.err
	sort "$out" > "$out.sorted"
	if [ $rc != 0 ]; then
		not_ok "${mode}_$name" "plocate exited with status $rc" "$err"
	elif ! cmp -s "$out.sorted" "$work/want.$name"; then
		diff "$work/want.$name" "$out.sorted" > "$out.diff"
		not_ok "${mode}_$name" "wrong answer (diff: want, got)" "$out.diff"
	elif [ "$mode" = control ] && ! grep -q 'not using io_uring' "$err"; then
		not_ok "${mode}_$name" "plocate did not fall back from io_uring" "$err"
	elif [ "$mode" = control ] && [ $grew_rings$grew_sqes != 00 ]; then
		not_ok "${mode}_$name" "xuring's counters moved ($grew_rings rings, $grew_sqes SQEs) without the drop-in"
	elif [ "$mode" = dropin ] && grep -q 'not using io_uring' "$err"; then
		not_ok "${mode}_$name" "plocate found no ring on xuring" "$err"
	elif [ "$mode" = dropin ] && [ $grew_rings -lt 1 ]; then
		not_ok "${mode}_$name" "no ring was set up on xuring" "$err"
	elif [ "$mode" = dropin ] && [ $grew_sqes -lt 1 ]; then
		not_ok "${mode}_$name" "plocate submitted no SQE to xuring" "$err"
	else
		ok "${mode}_$name"
		[ "$mode" = control ] ||
			echo "# $grew_rings ring(s) set up and $grew_sqes SQEs submitted on xuring"
	fi
}

while IFS='|' read -r name args filter; do
	# shellcheck disable=SC2086 # the filter is a pipeline
	eval "$filter" < "$work/all" | sort > "$work/want.$name"
	if [ ! -s "$work/want.$name" ] || [ "$(cat "$work/want.$name")" = 0 ]; then
		echo "Bail out! find(1) found nothing for $name: the tree is wrong"
		exit 1
	fi
	# shellcheck disable=SC2086 # the arguments are words
	run control "$name" $args
	check control "$name"
	# shellcheck disable=SC2086
	run dropin "$name" $args
	check dropin "$name"
	if cmp -s "$work/control.$name.out" "$work/dropin.$name.out"; then
		ok "same_output_$name"
	else
		not_ok "same_output_$name" "the drop-in's output differs from the control's"
	fi
done <<EOF
$queries
EOF
echo "# plocate_dropin: $n checks in $(($(date +%s) - start)) s, $failed failed"
[ $failed = 0 ]
