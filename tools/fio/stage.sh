#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DEST: put fio, the xuring engine and the fio_verify check into
# the VM payload (the top-level `make payload` runs this). The VM runner
# adds the shared libraries ldd lists for the payload's executables,
# fio's and the engine's alike.
#
#   DEST/bin/fio             the installed fio (the engine is built for it)
#   DEST/bin/xuring.so       the engine, $BUILD/fio/xuring.so
#   DEST/checks/fio_verify   TAP check, run by the VM's check job
#
# BUILD defaults to DEST's parent: the top level stages into $(BUILD)/payload.
set -euo pipefail

dest=${1:?usage: stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$(cd "$dest/.." && pwd)}
engine=$build/fio/xuring.so

die() {
	echo "fio/stage.sh: $*" >&2
	exit 1
}

fio=$(command -v fio) || die "fio is not installed (make deps)"
[ -f "$engine" ] || die "no $engine; build it first (make -C tools/fio BUILD=$build)"

mkdir -p "$dest/bin" "$dest/checks"
cp -L "$fio" "$dest/bin/fio"
install -m 0755 "$engine" "$dest/bin/xuring.so"
install -m 0755 "$here/checks/fio_verify.sh" "$dest/checks/fio_verify"
