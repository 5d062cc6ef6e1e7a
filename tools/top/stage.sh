#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DEST: put xuring-top and its check into the VM payload (the
# top-level `make payload` runs this; DEST becomes /xuring in the guest).
#
#   DEST/bin/xuring-top       the tool (POSIX sh and awk: busybox runs it)
#   DEST/checks/xuring_top    TAP check, run by the VM's check job
set -euo pipefail

dest=${1:?usage: stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$dest/bin" "$dest/checks"
install -m 0755 "$here/xuring-top" "$dest/bin/xuring-top"
install -m 0755 "$here/checks/xuring_top.sh" "$dest/checks/xuring_top"
