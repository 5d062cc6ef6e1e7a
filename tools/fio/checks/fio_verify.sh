#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fio_verify: fio jobs through the xuring engine over the engine's options,
# each checked by a second engine, fio's psync (pread/pwrite), so that data
# xuring puts in the wrong place fails even when xuring would read it back
# from that same wrong place:
#
#   NAME_xuring_writes  xuring writes random blocks (4 KiB and 64 KiB; each
#                       4 KiB carries a header with its own offset and a
#                       crc32c of its data) into a cleared region; then,
#                       after a sync and dropping the page cache, psync
#                       reads them all and verifies each 4 KiB
#   NAME_xuring_reads   the reverse: psync writes, the cache goes, xuring
#                       reads and verifies
#
# Both are one fio run of two jobs, the reader after the writer. Every
# result must verify what it was asked to: fio's summary must show all the
# bytes written read back. Also: RWF_NOWAIT reads through xuring of blocks
# psync left in the page cache, each verified; jobs the engine must
# refuse, with its message. Prints TAP; exits non-zero if a job failed.
#
#   fio_verify              in the test VM (payload: ../bin/fio,
#                           ../bin/xuring.so; the XURING_* disks)
#   fio_verify --host SO    on a build host: the engine loads into fio and
#                           refuses what xuring cannot do; the I/O jobs
#                           run only where /dev/xuring exists (as root, or
#                           the page cache is not dropped)
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
case $engine in /*) ;; *) engine=$PWD/$engine ;; esac
work=${XURING_TMPDIR:-${TMPDIR:-/tmp}}/fio-xuring.$$
mkdir -p "$work" || exit 1
# fio writes its state files into the current directory
cd "$work" || exit 1

# A null_blk that stores what is written (configfs; the guest's nullb0,
# set up by module parameters, stores nothing), with poll queues for hipri.
nullb_cfg=/sys/kernel/config/nullb/xuring-fio-$$
nullb_error=
nullb_create() {
	[ -n "${XURING_NULLBLK:-}" ] || return 0
	if [ ! -d /sys/kernel/config/nullb ]; then
		nullb_error="no /sys/kernel/config/nullb (configfs, null_blk)"
		return 1
	fi
	mkdir "$nullb_cfg" || { nullb_error="mkdir $nullb_cfg failed"; return 1; }
	for attr in size=64 memory_backed=1 queue_mode=2 irqmode=0 \
		    completion_nsec=0 submit_queues=2 poll_queues=2 power=1; do
		if ! echo "${attr#*=}" > "$nullb_cfg/${attr%%=*}"; then
			nullb_error="cannot set null_blk's ${attr%%=*} to ${attr#*=}"
			return 1
		fi
	done
	# the disk is named after the configfs directory (Linux 6.0 on)
	dev=/dev/${nullb_cfg##*/}
	i=0
	while [ ! -b "$dev" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b "$dev" ] || { nullb_error="no $dev after power=1"; return 1; }
	XURING_NULLB_MEM=$dev
}
nullb_remove() {
	[ -d "$nullb_cfg" ] || return 0
	echo 0 > "$nullb_cfg/power" 2>/dev/null
	rmdir "$nullb_cfg"
}
trap 'cd /; nullb_remove; rm -rf "$work"' EXIT

mode=count n=0 failed=0

# Options are split into words on purpose, never globbed.
set -f

# What both engines do in each cross-checked job: one writes random blocks
# of 4 KiB and 64 KiB over the region, every 4 KiB with a verify header;
# after it (stonewall) the other reads them at random, in blocks of both
# sizes too, and checks every 4 KiB by its header: the offset it was
# written for and the crc32c of its data. fio's random map has each block
# written, and read, exactly once.
size_kb=4096
write_job="--rw=randwrite --bssplit=4k/50:64k/50 --size=${size_kb}k
	--verify=crc32c --do_verify=0 --verify_state_save=0"
read_job="--rw=randread --bssplit=4k/50:64k/50 --size=${size_kb}k
	--verify=crc32c --verify_interval=4k --verify_fatal=1 --stonewall"

# Run by the reading job before it starts (fio's exec_prerun), so that its
# reads come from the disk, not from pages the writer filled. As root.
if [ -w /proc/sys/vm/drop_caches ]; then
	drop_caches="sh -c 'sync && echo 3 > /proc/sys/vm/drop_caches'"
else
	drop_caches=sync
fi

report_fail() {	# NAME REASON OUTPUT
	echo "not ok $n $1 # $2"
	failed=$((failed + 1))
	[ -f "$3" ] || return 0
	# fio's and the engine's complaints, else the end of the output
	if grep -q '^verify:\|^fio:\|err= *[1-9]' "$3"; then
		grep '^verify:\|^fio:\|err= *[1-9]' "$3" | head -n 20
	else
		tail -n 40 "$3"
	fi | sed 's/^/# /'
}

# pair OUT WRITER READER: the writing and the reading job of the fio run
# whose output is OUT and exit status rc (named WRITER and READER in
# messages) had no error, the writer wrote size_kb KiB and the reader read
# and verified as much. Empty if so, else why not.
pair() {
	# terse version 3: job error is field 5, KiB read 6, KiB written 47
	set -- "$@" $(awk -F';' '$1 == 3 { print $5, $6, $47 }' "$1")
	if [ $# != 9 ]; then
		echo "fio exited with status $rc, and not with a summary of two jobs"
	elif [ "$4" != 0 ]; then
		echo "$2 write: fio error $4 (exit status $rc)"
	elif [ "$7" != 0 ]; then
		echo "$3 read and verify: fio error $7 (exit status $rc)"
	elif [ "$rc" != 0 ]; then
		echo "fio exited with status $rc"
	elif [ "$5/$6" != 0/$size_kb ]; then
		echo "$2 read $5 KiB and wrote $6, want 0 and $size_kb"
	elif [ "$8/$9" != $size_kb/0 ]; then
		echo "$3 read and verified $8 KiB and wrote $9, want $size_kb and 0"
	fi
}

# What xuring writes goes to a region without old data in it, so a write
# that never happened cannot pass for one that did.
clear_region() {	# FILE
	if [ -b "$1" ]; then
		dd if=/dev/zero of="$1" bs=64k count=$((size_kb / 64)) \
			conv=fsync 2>/dev/null
	else
		rm -f "$1"
	fi
}

# skipped NAME NEED: prints a SKIP and is true if NAME cannot run here
skipped() {
	if [ -n "$host" ] && [ ! -c /dev/xuring ]; then
		echo "ok $n $1 # SKIP no /dev/xuring on this host"
	elif [ "$2" != - ] && eval "[ -z \"\${$2:-}\" ]"; then
		echo "ok $n $1 # SKIP \$$2 is not set"
	else
		return 1
	fi
}

# cross NAME NEED FILE SHARED XURING: the two results above for one target.
# NEED names an environment variable (a disk) the job needs, or is "-";
# SHARED are options both engines take (direct=1), XURING the engine's.
cross() {
	name=$1 need=$2 file=$3 shared=$4 xopts=$5
	for dir in writes reads; do
		n=$((n + 1))
		[ "$mode" = run ] || continue
		if [ "$need" = XURING_NULLB_MEM ] && [ -n "$nullb_error" ]; then
			report_fail "${name}_xuring_$dir" "$nullb_error"
			continue
		fi
		skipped "${name}_xuring_$dir" "$need" && continue
		cross_one "$dir"
	done
}

cross_one() {	# writes|reads
	out=$work/$name.$1.out t0=$(date +%s)
	if [ "$1" = writes ]; then
		writer=xuring wengine=external:$engine wopts=$xopts
		reader=psync rengine=psync ropts=
		if ! clear_region "$file"; then
			report_fail "${name}_xuring_$1" "cannot clear $file"
			return
		fi
	else
		writer=psync wengine=psync wopts=
		reader=xuring rengine=external:$engine ropts=$xopts
	fi
	# shellcheck disable=SC2086 # words on purpose
	"$fio" --output-format=normal,terse \
		--name="${name}_$writer" --ioengine="$wengine" \
		--filename="$file" $write_job $shared $wopts \
		--name="${name}_$reader" --ioengine="$rengine" \
		--filename="$file" $read_job $shared $ropts \
		--exec_prerun="$drop_caches" > "$out" 2>&1
	rc=$?
	why=$(pair "$out" "$writer" "$reader")
	if [ -n "$why" ]; then
		report_fail "${name}_xuring_$1" "$why" "$out"
		return
	fi
	echo "ok $n ${name}_xuring_$1"
	echo "# $writer wrote $size_kb KiB, $reader read and verified it ($(($(date +%s) - t0)) s)"
}

# nowait NAME NEED FILE: RWF_NOWAIT reads through xuring of 4 KiB blocks
# psync wrote and left in the page cache (no invalidation between), each
# verified as it arrives.
nowait() {
	name=$1 need=$2 file=$3 out=$work/$1.out
	n=$((n + 1))
	[ "$mode" = run ] || return 0
	skipped "$name" "$need" && return 0
	rm -f "$file"
	"$fio" --output-format=normal,terse \
		--name="${name}_psync" --ioengine=psync --filename="$file" \
		--rw=randwrite --bs=4k --size=${size_kb}k --verify=crc32c \
		--do_verify=0 --verify_state_save=0 \
		--name="${name}_xuring" --ioengine="external:$engine" \
		--filename="$file" --rw=randread --bs=4k --size=${size_kb}k \
		--verify=crc32c --verify_fatal=1 --stonewall --invalidate=0 \
		--iodepth=8 --nowait=1 > "$out" 2>&1
	rc=$?
	why=$(pair "$out" psync xuring)
	if [ -n "$why" ]; then
		report_fail "$name" "$why" "$out"
		return
	fi
	echo "ok $n $name"
	echo "# psync wrote $size_kb KiB, xuring read and verified it from the page cache"
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
	ext4=${XURING_EXT4_DIR:-}

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
	cross ext4_buffered XURING_EXT4_DIR "$ext4/fio-xuring.dat" "" \
		"--iodepth=16 --iodepth_batch_submit=4 --fsync=32 --end_fsync=1"
	nowait ext4_nowait_cached_read XURING_EXT4_DIR "$ext4/fio-nowait.dat"
	cross ext4_fdatasync_vectored XURING_EXT4_DIR "$ext4/fio-xuring.dat" "" \
		"--iodepth=16 --nonvectored=0 --fdatasync=16"
	# O_DIRECT on the raw virtio disk, submitted and reaped in batches
	cross blkdev_direct XURING_BLKDEV "${XURING_BLKDEV:-}" --direct=1 \
		"--iodepth=32 --iodepth_batch_submit=8
		 --iodepth_batch_complete_min=4 --iodepth_batch_complete_max=16"
	# READ_FIXED/WRITE_FIXED on registered buffers, fixed files
	cross blkdev_fixedbufs_registerfiles XURING_BLKDEV "${XURING_BLKDEV:-}" \
		--direct=1 "--iodepth=16 --fixedbufs --registerfiles"
	cross tmpfs_nonvectored_0 - "$work/nv0.dat" "" \
		"--iodepth=16 --nonvectored=0"
	cross tmpfs_nonvectored_1_fixedbufs - "$work/nv1.dat" "" \
		"--iodepth=16 --nonvectored=1 --fixedbufs"
	# every 3rd request straight to an io-wq worker
	cross ext4_force_async XURING_EXT4_DIR "$ext4/fio-xuring-async.dat" "" \
		"--iodepth=16 --force_async=3 --registerfiles"
	# the SQ thread submits; it sleeps after 1 s idle (the think time)
	cross ext4_sqthread_poll XURING_EXT4_DIR "$ext4/fio-xuring-sq.dat" "" \
		"--iodepth=16 --sqthread_poll --sqthread_poll_cpu=0
		 --thinktime=1200ms --thinktime_blocks=64"
	# IOPOLL on NVMe poll queues
	cross nvme_hipri XURING_NVME "${XURING_NVME:-}" --direct=1 \
		"--iodepth=16 --hipri --iodepth_batch_submit=4"
	cross nvme_hipri_sqthread_poll XURING_NVME "${XURING_NVME:-}" \
		--direct=1 "--iodepth=16 --hipri --sqthread_poll --fixedbufs"
	# IOPOLL on null_blk's poll queues, with per-request priorities
	cross nullblk_hipri_cmdprio XURING_NULLB_MEM "${XURING_NULLB_MEM:-}" \
		--direct=1 "--hipri --iodepth=32 --iodepth_batch_submit=8
		 --iodepth_batch_complete_min=8 --cmdprio_percentage=50
		 --cmdprio_class=2 --cmdprio=3"
}

start=$(date +%s)
checks
echo "1..$n"
mode=run n=0
[ -n "$host" ] || nullb_create
checks
echo "# $n checks in $(($(date +%s) - start)) s, $failed failed"
[ "$failed" = 0 ]
