#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fio_verify: fio jobs through the xuring engine, each writing random
# blocks (4 KiB and 64 KiB) and reading them back with verify=crc32c, over
# the engine's options; plus jobs that must fail with a clear message.
# Prints TAP; exits non-zero if a job failed.
#
#   fio_verify              in the test VM (payload: ../bin/fio,
#                           ../bin/xuring.so; the XURING_* disks)
#   fio_verify --host SO    on a build host: the engine loads into fio and
#                           refuses what xuring cannot do; the I/O jobs
#                           run only where /dev/xuring exists
#
# POSIX sh: the guest has busybox, no bash.

here=$(cd "$(dirname "$0")" && pwd)
host=
if [ "${1:-}" = --host ]; then
	host=1
	engine=${2:?usage: fio_verify --host ENGINE.so}
	fio=${FIO:-fio}
else
	engine=${XURING_FIO_ENGINE:-$here/../bin/xuring.so}
	fio=${FIO:-$here/../bin/fio}
fi
work=${XURING_TMPDIR:-${TMPDIR:-/tmp}}/fio-xuring.$$
mkdir -p "$work" || exit 1
trap 'rm -rf "$work"' EXIT

mode=count n=0 failed=0

# What every verify job shares: random writes of two block sizes, then a
# read-back checked with crc32c, stopping at the first mismatch.
verify_opts="--rw=randwrite --bssplit=4k/50:64k/50 --size=16M
	--verify=crc32c --do_verify=1 --verify_fatal=1 --iodepth=16"

report_fail() {	# NAME REASON OUTPUT
	echo "not ok $n $1 # $2"
	sed 's/^/# /' "$3" | tail -n 40
	failed=$((failed + 1))
}

# job NAME NEED OPTION...: one fio job that must succeed. NEED names an
# environment variable (a disk) the job needs, or is "-".
job() {
	name=$1 need=$2
	shift 2
	n=$((n + 1))
	[ "$mode" = run ] || return 0
	if [ -n "$host" ] && [ ! -c /dev/xuring ]; then
		echo "ok $n $name # SKIP no /dev/xuring on this host"
		return 0
	fi
	if [ "$need" != - ] && eval "[ -z \"\${$need:-}\" ]"; then
		echo "ok $n $name # SKIP \$$need is not set"
		return 0
	fi
	out=$work/$name.out
	"$fio" --name="$name" --ioengine="external:$engine" "$@" > "$out" 2>&1
	rc=$?
	# fio's exit status, and any job's err= line, must both be clean
	if [ "$rc" != 0 ]; then
		report_fail "$name" "fio exited with status $rc" "$out"
	elif grep -q 'err= *[1-9]' "$out"; then
		report_fail "$name" "fio reported an error" "$out"
	else
		echo "ok $n $name"
		# what was moved: the verify pass shows up as READ
		grep -E '^ +(READ|WRITE):' "$out" | sed 's/^ */# /'
	fi
}

# refuse NAME MESSAGE OPTION...: a job the engine must refuse at init,
# saying MESSAGE. Needs no module: init fails before the ring is set up.
refuse() {
	name=$1 msg=$2
	shift 2
	n=$((n + 1))
	[ "$mode" = run ] || return 0
	out=$work/$name.out
	"$fio" --name="$name" --ioengine="external:$engine" \
		--filename="$work/refused.dat" --size=1M "$@" > "$out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		report_fail "$name" "fio accepted the job" "$out"
	elif ! grep -qF "$msg" "$out"; then
		report_fail "$name" "no message '$msg'" "$out"
	else
		echo "ok $n $name"
	fi
}

# loads: the engine's structures match this fio (no "bad ioops version")
loads() {
	n=$((n + 1))
	[ "$mode" = run ] || return 0
	out=$work/loads.out
	"$fio" --enghelp="$engine" > "$out" 2>&1
	if ! grep -q '^sqthread_poll ' "$out"; then
		report_fail engine_loads "fio --enghelp shows no xuring options" "$out"
	elif "$fio" --name=loads --ioengine="external:$engine" --uncached=1 \
		--filename="$work/refused.dat" --size=1M > "$out" 2>&1 ||
	     grep -qi 'version\|not loadable\|undefined symbol' "$out"; then
		report_fail engine_loads "fio could not load the engine" "$out"
	else
		echo "ok $n engine_loads"
	fi
}

checks() {
	loads
	refuse refuse_uncached "uncached is not supported" \
		--rw=randwrite --uncached=1
	refuse refuse_trim "trim (rw=trim/randtrim/trimwrite, trim_percentage) is not supported" \
		--rw=randtrim
	refuse refuse_hipri_buffered "hipri without direct=1 is not supported" \
		--rw=randread --hipri
	refuse refuse_cmd_type "cmd_type is not supported" \
		--rw=randread --cmd_type=nvme

	# buffered on ext4, with fsyncs (FSYNC) and fdatasyncs on the way
	job ext4_buffered XURING_EXT4_DIR $verify_opts \
		--filename="${XURING_EXT4_DIR:-}/fio-xuring.dat" \
		--iodepth_batch_submit=4 --fsync=32 --end_fsync=1
	# RWF_NOWAIT reads of what ext4_buffered left in the page cache
	job ext4_nowait_cached_read XURING_EXT4_DIR \
		--filename="${XURING_EXT4_DIR:-}/fio-xuring.dat" \
		--rw=randread --bs=4k --size=16M --io_size=8M --iodepth=8 \
		--invalidate=0 --nowait=1
	job ext4_fdatasync_vectored XURING_EXT4_DIR $verify_opts \
		--filename="${XURING_EXT4_DIR:-}/fio-xuring.dat" \
		--nonvectored=0 --fdatasync=16
	# O_DIRECT on the raw virtio disk, submitted and reaped in batches
	job blkdev_direct XURING_BLKDEV $verify_opts \
		--filename="${XURING_BLKDEV:-}" --direct=1 --iodepth=32 \
		--iodepth_batch_submit=8 --iodepth_batch_complete_min=4 \
		--iodepth_batch_complete_max=16
	# READ_FIXED/WRITE_FIXED on registered buffers, fixed files
	job blkdev_fixedbufs_registerfiles XURING_BLKDEV $verify_opts \
		--filename="${XURING_BLKDEV:-}" --direct=1 \
		--fixedbufs --registerfiles
	job tmpfs_nonvectored_0 - $verify_opts \
		--filename="$work/nv0.dat" --nonvectored=0
	job tmpfs_nonvectored_1_fixedbufs - $verify_opts \
		--filename="$work/nv1.dat" --nonvectored=1 --fixedbufs
	# every 3rd request straight to an io-wq worker
	job ext4_force_async XURING_EXT4_DIR $verify_opts \
		--filename="${XURING_EXT4_DIR:-}/fio-xuring-async.dat" \
		--force_async=3 --registerfiles
	# the SQ thread submits; it sleeps after 1 s idle (the think time)
	job ext4_sqthread_poll XURING_EXT4_DIR $verify_opts \
		--filename="${XURING_EXT4_DIR:-}/fio-xuring-sq.dat" \
		--sqthread_poll --sqthread_poll_cpu=0 \
		--thinktime=1200ms --thinktime_blocks=256
	# IOPOLL on NVMe poll queues, which store data: verify works
	job nvme_hipri XURING_NVME $verify_opts \
		--filename="${XURING_NVME:-}" --direct=1 --hipri \
		--iodepth_batch_submit=4
	job nvme_hipri_sqthread_poll XURING_NVME $verify_opts \
		--filename="${XURING_NVME:-}" --direct=1 --hipri --sqthread_poll \
		--fixedbufs
	# null_blk stores nothing: polled reads only, no verify
	job nullblk_hipri_randread XURING_NULLBLK \
		--filename="${XURING_NULLBLK:-}" --direct=1 --hipri \
		--rw=randread --bs=4k --iodepth=32 --iodepth_batch_submit=8 \
		--iodepth_batch_complete_min=8 --io_size=64M \
		--cmdprio_percentage=50 --cmdprio_class=2 --cmdprio=3
}

start=$(date +%s)
checks
echo "1..$n"
mode=run n=0
checks
echo "# $n jobs in $(($(date +%s) - start)) s, $failed failed"
[ "$failed" = 0 ]
