#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# completions-by-op.sh SYSTEM COMMAND...: count CQEs by opcode with
# bpftrace while COMMAND runs, on xuring (SYSTEM xuring) or on the
# kernel's io_uring (SYSTEM io_uring), with the same one-liner:
#
#   bpftrace -e 'tracepoint:xuring:xuring_submit_req { @op[args->req] = str(args->op_str); }
#       tracepoint:xuring:xuring_complete { @completions[@op[args->req]] = count(); delete(@op[args->req]); }
#       END { clear(@op); }'
#
# xuring_complete has io_uring_complete's fields, which do not include the
# opcode: the one-liner takes it from the submission of the same request.
# For io_uring the prefix changes, and on Linux 6.1, whose event is still
# io_uring_submit_sqe (6.2 renamed it), the event name too. Prints
# bpftrace's map, "@completions[NOP]: 123456" lines, and exits with
# COMMAND's status (1 if bpftrace did not start).
set -u

system=${1:?usage: completions-by-op.sh xuring|io_uring COMMAND...}
shift
bpftrace=${BPFTRACE:-bpftrace}
log=${TMPDIR:-/tmp}/completions-by-op.$$

submit=${system}_submit_req
tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || tracefs=/sys/kernel/debug/tracing
if [ "$system" = io_uring ] && [ ! -d "$tracefs/events/io_uring/$submit" ]; then
	submit=io_uring_submit_sqe
fi
prog="tracepoint:$system:$submit { @op[args->req] = str(args->op_str); }
tracepoint:$system:${system}_complete { @completions[@op[args->req]] = count(); delete(@op[args->req]); }
END { clear(@op); }"

"$bpftrace" -e "$prog" > "$log" 2>&1 &
bt=$!
# LLVM compiles the program first: slow in an emulated guest
i=0
until grep -qs '^Attaching' "$log"; do
	if ! kill -0 $bt 2>/dev/null || [ $i -ge 1200 ]; then
		echo "completions-by-op: bpftrace did not start:" >&2
		sed 's/^/  /' "$log" >&2
		kill $bt 2>/dev/null
		rm -f "$log"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
# and attaches the probes once it has said so
sleep 1

"$@"
rc=$?
kill -INT $bt
wait $bt
grep '^@completions' "$log"
rm -f "$log"
exit $rc
