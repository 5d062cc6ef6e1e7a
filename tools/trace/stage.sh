#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DEST: put Debian's bpftrace and what runs it into the VM
# payload (the top-level `make payload` runs this; DEST becomes /xuring
# in the guest). The VM runner adds the shared libraries ldd lists (LLVM
# and clang among them: about 200 MB).
#
#   DEST/bin/bpftrace                 /usr/bin/bpftrace
#   DEST/trace/completions-by-op.sh   the one-liner, on xuring or io_uring
#   DEST/checks/bpftrace_ops          TAP check, run by the VM's check job
set -euo pipefail

dest=${1:?usage: stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)

bpftrace=$(command -v bpftrace) || {
	echo "trace/stage.sh: bpftrace is not installed (make deps)" >&2
	exit 1
}
mkdir -p "$dest/bin" "$dest/trace" "$dest/checks"
cp -L "$bpftrace" "$dest/bin/bpftrace"
install -m 0755 "$here/completions-by-op.sh" "$dest/trace/"
install -m 0755 "$here/checks/bpftrace_ops.sh" "$dest/checks/bpftrace_ops"
