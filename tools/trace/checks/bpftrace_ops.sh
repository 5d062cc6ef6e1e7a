#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bpftrace_ops: the io_uring one-liner that counts completions by opcode,
# with its prefix changed to xuring (completions-by-op.sh), counts
# exactly what three runs of xuring-bench reaped: NOPs, READs of a tmpfs
# file and READ_FIXEDs, at once. In the VM's check job (TAP).

trace=/xuring/trace/completions-by-op.sh
bench=/xuring/tools/xuring-bench
BPFTRACE=/xuring/bin/bpftrace
export BPFTRACE
file=${XURING_TMPDIR:-/tmp}/bpftrace_ops.dat
out=${XURING_TMPDIR:-/tmp}/bpftrace_ops
n=0 failed=0

# bpftrace needs the bpf() system call and BPF programs on tracepoints:
# the stock cloud kernels have both, the debug kernel of check-debug
# neither (a defconfig without CONFIG_BPF_SYSCALL or CONFIG_BPF_EVENTS).
if [ ! -e /proc/sys/kernel/unprivileged_bpf_disabled ]; then
	echo "1..0 # SKIP this kernel has no bpf() (CONFIG_BPF_SYSCALL)"
	exit 4
fi
if ! grep -q ' bpf_trace_run1$' /proc/kallsyms; then
	echo "1..0 # SKIP this kernel runs no BPF on tracepoints (CONFIG_BPF_EVENTS)"
	exit 4
fi

echo "1..4"
ok() { n=$((n + 1)); echo "ok $n $1${2:+ # $2}"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $1${2:+ # $2}"; }

for f in "$BPFTRACE" "$trace" "$bench"; do
	if [ ! -x "$f" ]; then
		while [ $n -lt 4 ]; do not_ok setup "no $f"; done
		exit 1
	fi
done
dd if=/dev/urandom of="$file" bs=1M count=4 2>/dev/null

# three runs at once: NOPs, reads and fixed-buffer reads of a tmpfs file
benches="$bench --engine xuring --mode nop --ops 50001 --depth 32 --batch 8 > $out.nop 2>&1 &
$bench --engine xuring --ops 3001 --depth 8 --batch 4 $file > $out.read 2>&1 &
$bench --engine xuring --fixed-bufs --ops 2001 --depth 8 --batch 4 $file > $out.fixed 2>&1 &
wait"

"$trace" xuring sh -c "$benches" > "$out.counts" 2> "$out.err"
rc=$?
sed 's/^/# /' "$out.counts" "$out.err"
if [ $rc = 0 ] && [ -s "$out.counts" ]; then
	ok bpftrace_ran
else
	not_ok bpftrace_ran "exit status $rc, no counts"
fi
# OP RUN: the count of OP must be what the run reaped
expect() {
	ops=$(sed -n 's/^xuring-bench: .* ops=\([0-9]*\) .*/\1/p' "$out.$2")
	got=$(sed -n "s/^@completions\[$1\]: \([0-9]*\)$/\1/p" "$out.counts")
	if [ -n "$ops" ] && [ "$got" = "$ops" ]; then
		ok "count_$1"
	else
		sed 's/^/# /' "$out.$2"
		not_ok "count_$1" "bpftrace counted '$got', xuring-bench reaped '$ops'"
	fi
}
expect NOP nop
expect READ read
expect READ_FIXED fixed
rm -f "$file" "$out".*
exit $failed
