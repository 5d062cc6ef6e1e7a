#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xuring_top: xuring-top against the loaded module, in the VM's check job
# (TAP). Its NOP total grows by exactly the NOPs a run of xuring-bench
# reaped; its frames during a live run show the bench's ring (pid, name,
# state, rate) and the NOPs' rate and latencies; with statistics off it
# says so and still shows the rings; without the files it says why.

top=/xuring/bin/xuring-top
bench=/xuring/tools/xuring-bench
param=/sys/module/xuring/parameters/stats
out=${XURING_TMPDIR:-/tmp}/xuring_top.out
n=0 failed=0

echo "1..6"
ok() { n=$((n + 1)); echo "ok $n $1${2:+ # $2}"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $1${2:+ # $2}"; }
show() { sed 's/^/# /' "$out"; }

for f in "$top" "$bench" "$param"; do
	if [ ! -e "$f" ]; then
		echo "# no $f"
		while [ $n -lt 6 ]; do not_ok setup "no $f"; done
		exit 1
	fi
done
was=$(cat "$param")
echo Y > "$param"

# the NOP row's TOTAL in one frame, 0 if there is no row yet
nop_total() {
	"$top" -b -n 1 -d 0.1 > "$out" 2>&1 || return 1
	awk '$1 == "NOP" { t = $5 } END { print t + 0 }' "$out"
}

before=$(nop_total)
run=$("$bench" --engine xuring --mode nop --ops 123457 --depth 64 --batch 16 2>&1)
ops=$(echo "$run" | sed -n 's/^xuring-bench: .* ops=\([0-9]*\) .*/\1/p')
after=$(nop_total)
if [ -n "$ops" ] && [ -n "$before" ] && [ -n "$after" ] &&
   [ $((after - before)) = "$ops" ]; then
	ok nop_total_exact
else
	echo "$run" | sed 's/^/# /'
	show
	not_ok nop_total_exact "total $before -> $after, the bench reaped '$ops'"
fi

# Three frames a second apart while a bench runs (it is stopped after:
# in an emulated guest the frames take longer than their interval).
"$bench" --engine xuring --mode nop --time 60 --depth 64 --batch 16 > /dev/null 2>&1 &
pid=$!
sleep 1
"$top" -b -n 3 -d 1 > "$out" 2>&1
rc=$?
kill $pid
wait $pid
echo "# xuring-top -b -n 3 -d 1, while xuring-bench ran NOPs:"
show
frames=$(grep -c '^xuring-top ' "$out")
if [ $rc = 0 ] && [ "$frames" = 3 ]; then
	ok three_frames
else
	not_ok three_frames "exit status $rc, $frames frames"
fi
# the bench's ring: its pid, name and state, completing NOPs, in each frame
rings=$(awk -v pid=$pid '$2 == pid && $3 == "xuring-bench" && $4 == "live" &&
	$12 != "0" { n++ } END { print n + 0 }' "$out")
if [ "$rings" = 3 ]; then
	ok ring_row_live
else
	not_ok ring_row_live "$rings of 3 frames show ring of pid $pid completing NOPs"
fi
# NOPs per second in each frame, with a median latency
nops=$(awk '$1 == "NOP" && $2 != "0" && $6 ~ /[0-9](ns|us|ms|s)$/ { n++ }
	END { print n + 0 }' "$out")
if [ "$nops" = 3 ]; then
	ok nop_rate_and_latency
else
	not_ok nop_rate_and_latency "$nops of 3 frames show a NOP rate and p50"
fi

# Off: the frame says so, and the rings are still there.
echo N > "$param"
"$bench" --engine xuring --mode nop --time 60 --depth 8 --batch 8 > /dev/null 2>&1 &
pid=$!
sleep 1
"$top" -b -n 1 -d 0.5 > "$out" 2>&1
kill $pid
wait $pid
if grep -q 'statistics are off' "$out" &&
   awk -v pid=$pid '$2 == pid { f = 1 } END { exit !f }' "$out"; then
	ok stats_off_said
else
	show
	not_ok stats_off_said "no 'statistics are off' or no ring of pid $pid"
fi
echo "$was" > "$param"

# Without the files it fails, and says what to do.
if ! "$top" -b -n 1 -D /nonexistent > "$out" 2>&1 &&
   grep -q 'xuring-top: ' "$out"; then
	ok missing_dir_explained
else
	show
	not_ok missing_dir_explained "no failure or no explanation"
fi
rm -f "$out"
exit $failed
