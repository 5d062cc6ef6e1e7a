#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the guest kernel's time goes, per request, on xuring and on the
# kernel's io_uring: an exact instruction profile under QEMU's -icount.
#
# usage: profile.sh [--ops N] [--engines "xuring io_uring"] [-- BENCH-ARGS...]
#
# For each engine it boots the guest with the insn-profile.so QEMU plugin
# and runs xuring-bench for N requests with --profile-marks: the plugin
# counts the kernel instructions that ran between the start and the end
# of the measured loop (not boot, setup or teardown), which this
# attributes to kernel symbols and divides by N. BENCH-ARGS default to
# 4 KiB O_DIRECT reads at depth 1 on null_blk:
#	--mode read --direct --depth 1 --batch 1 /dev/nullb0
# Output: a table of instructions per request by function, the largest
# differences first, in build/prof/table.txt and on the terminal.
set -euo pipefail

prof=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$prof/../.." && pwd)
out=$root/build/prof
ops=20000 engines="xuring io_uring"
bench_args=(--mode read --direct --depth 1 --batch 1 /dev/nullb0)

die() { echo "profile: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--ops) ops=$2; shift 2 ;;
	--engines) engines=$2; shift 2 ;;
	--) shift; bench_args=("$@"); break ;;
	*) die "unknown argument '$1' (see the usage at the top of $0)" ;;
	esac
done
[[ $ops =~ ^[1-9][0-9]*$ ]] || die "--ops wants a positive count"
for a in "${bench_args[@]}"; do
	[[ $a != *[,\ ]* ]] || die "bench arguments may not contain commas or spaces: '$a'"
done
[ -x "$root/build/tools/xuring-bench" ] || die "no xuring-bench; run 'make tools' first (make profile does)"

mkdir -p "$out"
plugin=$out/insn-profile.so
cc -O2 -Wall -shared -fPIC -fvisibility=hidden -o "$plugin" "$prof/insn-profile.c" ||
	die "cannot build the QEMU plugin"

kver=$("$root/tools/vm/guest-kernel.sh")
joined=$(IFS=,; echo "${bench_args[*]}")

# One guest: ENGINE COUNT. Leaves $out/ENGINE-COUNT.{blocks,syms,result}.
profile_run() {
	local tag=$1-$2 vm=$out/vm-$1-$2
	XURING_VM_OUT=$vm XURING_QEMU_EXTRA="-plugin $plugin,arg=out=$out/$tag.blocks" \
		"$root/tools/vm/run-vm.sh" --job profile --kver "$kver" --icount \
		--timeout 900 --append "xuring.profile_args=--engine,$1,--ops,$2,--profile-marks,$joined" \
		> "$vm.log" 2>&1 || { tail -n 20 "$vm.log" >&2; return 1; }
	tr -d '\r' < "$vm/results.log" > "$vm/results.txt"
	awk '$1 == "profile-sym" { print $2, "S", $4 }' "$vm/results.txt" > "$out/$tag.syms"
	awk '$1 == "profile-result" { sub(/^profile-result /, ""); print }' \
		"$vm/results.txt" > "$out/$tag.result"
	if ! [ -s "$out/$tag.syms" ] || ! [ -s "$out/$tag.blocks" ]; then
		echo "profile: $tag left no profile (see $vm/)" >&2
		return 1
	fi
}

# Instructions by symbol: "NAME COUNT". A block belongs to the nearest
# symbol at or below its address (kallsyms and the plugin both print
# 16 hex digits, so a text sort orders addresses).
symbolize() {	# TAG
	{
		awk '!/^#/ { print $1, "B", $2 * $3 }' "$out/$1.blocks"
		cat "$out/$1.syms"
	} | sort -k1,1 -k2,2r |
		awk '$2 == "S" { sym = $3; next }
		     { total[sym == "" ? "?" : sym] += $3 }
		     END { for (s in total) print s, total[s] }'
}

read -r -a runs <<< "$engines"
echo "profile: ${#runs[@]} guest(s), two at a time: xuring-bench ${bench_args[*]}, $ops requests"
for ((i = 0; i < ${#runs[@]}; i += 2)); do
	profile_run "${runs[i]}" "$ops" &
	first=$!
	if [ $((i + 1)) -lt ${#runs[@]} ]; then
		profile_run "${runs[i + 1]}" "$ops" ||
			die "guest '${runs[i + 1]}' failed"
	fi
	wait "$first" || die "guest '${runs[i]}' failed"
done

for e in $engines; do
	read -r _ _ nr_marks < "$out/$e-$ops.blocks"
	[ "$nr_marks" = 2 ] ||
		die "the plugin saw $nr_marks marks in the $e guest, not 2 (an xuring-bench without --profile-marks?)"
	symbolize "$e-$ops" > "$out/$e.by-symbol"
done

{
	echo "kernel instructions per request, xuring-bench ${bench_args[*]}"
	echo "(counted between the start and the end of the loop, $ops requests; largest differences first)"
	for e in $engines; do
		printf '  %-9s %s\n' "$e:" "$(grep -o 'iops=[0-9]*' "$out/$e-$ops.result")"
	done
	args=()
	for e in $engines; do
		args+=("$out/$e.by-symbol")
	done
	awk -v n="$ops" -v engines="$engines" '
		FNR == 1 { f++ }
		{ c[f, $1] = $2; seen[$1] = 1 }
		END {
			ne = split(engines, name, " ")
			for (s in seen) {
				for (e = 1; e <= ne; e++) {
					v[s, e] = c[e, s] / n
					sum[e] += v[s, e]
				}
			}
			printf "%-36s", "function"
			for (e = 1; e <= ne; e++)
				printf " %10s", name[e]
			printf "\n%-36s", "all kernel code"
			for (e = 1; e <= ne; e++)
				printf " %10.1f", sum[e]
			printf "\n"
			for (s in seen) {
				d = ne > 1 ? v[s, 1] - v[s, 2] : v[s, 1]
				if (d < 0)
					d = -d
				if (d < 0.5)
					continue
				line = sprintf("%-36s", s)
				for (e = 1; e <= ne; e++)
					line = line sprintf(" %10.1f", v[s, e])
				printf "%012.1f %s\n", d, line | "sort -r | head -n 50 | cut -c 14-"
			}
		}' "${args[@]}"
} | tee "$out/table.txt"
