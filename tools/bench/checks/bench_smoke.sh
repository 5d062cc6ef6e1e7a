#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench_smoke: xuring-bench and xuring-demo against the loaded module, in
# the VM's check job (TAP). The tools check every CQE themselves (user_data
# of a request in flight, the full read size); here each run must exit 0
# and report exactly the requests asked for, and a run that must fail
# (misaligned O_DIRECT reads) must be caught as failing.

tools=/xuring/tools
bench=$tools/xuring-bench
nullb=${XURING_NULLBLK:-/dev/nullb0}
file=${XURING_TMPDIR:-/tmp}/bench_smoke.dat
n=0 failed=0

echo "1..9"
ok() { n=$((n + 1)); echo "ok $n $1${2:+ # $2}"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $1${2:+ # $2}"; }

# NAME OPS ARGS...: must succeed and reap exactly OPS CQEs
expect_ops() {
	name=$1 ops=$2
	shift 2
	if [ ! -x "$bench" ]; then
		not_ok "$name" "no $bench"
		return
	fi
	out=$("$bench" --ops "$ops" "$@" 2>&1)
	rc=$?
	got=$(echo "$out" | sed -n 's/^xuring-bench: .* ops=\([0-9]*\) .*/\1/p')
	if [ $rc = 0 ] && [ "$got" = "$ops" ]; then
		ok "$name"
	else
		echo "$out" | sed 's/^/# /'
		not_ok "$name" "exit status $rc, ops '${got}', want $ops"
	fi
}

if out=$(timeout 120 "$tools/xuring-demo" 20000 2>&1) &&
   echo "$out" | grep -q 'NOPs per second through xuring'; then
	ok demo
else
	echo "$out" | sed 's/^/# /'
	not_ok demo "xuring-demo failed"
fi

dd if=/dev/urandom of="$file" bs=1M count=8 2>/dev/null
expect_ops nop_xuring 10000 --engine xuring --mode nop --depth 64 --batch 16
expect_ops nop_io_uring 10000 --engine io_uring --mode nop --depth 64 --batch 16
expect_ops read_file 3000 --engine xuring --depth 16 --batch 4 "$file"
expect_ops read_nullb_direct 3000 --engine xuring --direct --depth 32 \
	--submit-batch 8 --complete-batch 4 "$nullb"
expect_ops read_nullb_fixed 3000 --engine xuring --direct --fixed-files \
	--fixed-bufs --depth 8 --batch 2 "$nullb"
expect_ops read_nullb_poll 3000 --engine xuring --direct --poll --depth 4 \
	--batch 1 "$nullb"
expect_ops sqpoll_nop 3000 --engine xuring --sqpoll --mode nop --depth 32 \
	--batch 8

# O_DIRECT reads of 1000 bytes are not aligned to null_blk's 512-byte
# blocks: each CQE is -EINVAL, which the tool must catch and fail on
out=$("$bench" --ops 100 --direct --bs 1000 --depth 4 --batch 1 "$nullb" 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q 'completed with -22'; then
	ok catches_failed_cqe
else
	echo "$out" | sed 's/^/# /'
	not_ok catches_failed_cqe "exit status $rc, want 1 and a CQE of -EINVAL"
fi
rm -f "$file"
exit $failed
