#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DEST: put what the benchmark's guest side needs besides the
# binaries (which the initramfs takes from build/tools) into the VM
# payload (the top-level `make payload` runs this):
#
#   DEST/bench/summarize.awk   medians and ratios, as on the host
#   DEST/checks/bench_smoke    TAP check of the tools, run by make check
set -euo pipefail

dest=${1:?usage: stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$dest/bench" "$dest/checks"
install -m 0644 "$here/summarize.awk" "$dest/bench/summarize.awk"
install -m 0755 "$here/checks/bench_smoke.sh" "$dest/checks/bench_smoke"
