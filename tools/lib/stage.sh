#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DEST: put the drop-in liburing.so.2, a Debian program linked
# against liburing (plocate) and the check that runs it into the VM
# payload (the top-level `make
# payload` runs this; DEST becomes /xuring in the guest). The VM runner
# adds the shared libraries ldd lists: the system's liburing.so.2 and the
# rest of plocate's.
#
#   DEST/lib/dropin/liburing.so.2   $BUILD/lib/dropin/liburing.so.2
#   DEST/bin/xuring-no-io_uring     the seccomp wrapper
#   DEST/bin/plocate                Debian's plocate, without its setgid bit,
#   DEST/bin/updatedb.plocate       and its updatedb, to build a database
#   DEST/checks/plocate_dropin      TAP check, run by the VM's check job
#
# BUILD defaults to DEST's parent: the top level stages into $(BUILD)/payload.
set -euo pipefail

dest=${1:?usage: stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$(cd "$dest/.." && pwd)}
lib=$build/lib

die() {
	echo "lib/stage.sh: $*" >&2
	exit 1
}

for f in "$lib/dropin/liburing.so.2" "$lib/xuring-no-io_uring"; do
	[ -f "$f" ] || die "no $f; build it first (make -C tools/lib BUILD=$build)"
done
plocate=$(command -v plocate) || die "plocate is not installed (make deps)"
updatedb=/usr/sbin/updatedb.plocate
[ -x "$updatedb" ] || die "no $updatedb: is plocate installed? (make deps)"

mkdir -p "$dest/bin" "$dest/lib/dropin" "$dest/checks"
install -m 0755 "$lib/dropin/liburing.so.2" "$dest/lib/dropin/"
install -m 0755 "$lib/xuring-no-io_uring" "$dest/bin/"
# plain 0755: the guest has no plocate group, and the checks run as root
install -m 0755 "$plocate" "$dest/bin/plocate"
install -m 0755 "$updatedb" "$dest/bin/updatedb.plocate"

install -m 0755 "$here/checks/plocate_dropin.sh" "$dest/checks/plocate_dropin"
