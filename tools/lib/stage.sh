#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DEST: put the drop-in liburing.so.2, a Debian program linked
# against liburing (plocate), liburing's own tests built on libxuring and
# the checks that run them into the VM payload (the top-level `make
# payload` runs this; DEST becomes /xuring in the guest). The VM runner
# adds the shared libraries ldd lists: the system's liburing.so.2 and the
# rest of plocate's.
#
#   DEST/lib/dropin/liburing.so.2   $BUILD/lib/dropin/liburing.so.2
#   DEST/bin/xuring-no-io_uring     the seccomp wrapper
#   DEST/bin/plocate                Debian's plocate, without its setgid bit,
#   DEST/bin/updatedb.plocate       and its updatedb, to build a database
#   DEST/compat-tests/              liburing's tests (stripped), TESTS,
#                                   liburing-tests and run-compat-tests.sh
#   DEST/compat-io_uring/           the same tests built on Debian's
#                                   liburing, for the kernel's own io_uring
#   DEST/checks/plocate_dropin      TAP checks, run by the VM's check job
#   DEST/checks/liburing_compat
#   DEST/checks/liburing_io_uring
#
# BUILD defaults to DEST's parent: the top level stages into $(BUILD)/payload.
set -euo pipefail

dest=${1:?usage: stage.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$(cd "$dest/.." && pwd)}
lib=$build/lib
compat=$lib/compat-tests

die() {
	echo "lib/stage.sh: $*" >&2
	exit 1
}

for f in "$lib/dropin/liburing.so.2" "$lib/xuring-no-io_uring"; do
	[ -f "$f" ] || die "no $f; build it first (make -C tools/lib BUILD=$build)"
done
[ -f "$compat/TESTS" ] ||
	die "no $compat/TESTS; build liburing's tests first (make -C tools/lib BUILD=$build compat-tests)"
plocate=$(command -v plocate) || die "plocate is not installed (make deps)"
updatedb=/usr/sbin/updatedb.plocate
[ -x "$updatedb" ] || die "no $updatedb: is plocate installed? (make deps)"

mkdir -p "$dest/bin" "$dest/lib/dropin" "$dest/checks" "$dest/compat-tests" \
	"$dest/compat-io_uring"
install -m 0755 "$lib/dropin/liburing.so.2" "$dest/lib/dropin/"
install -m 0755 "$lib/xuring-no-io_uring" "$dest/bin/"
# plain 0755: the guest has no plocate group, and the checks run as root
install -m 0755 "$plocate" "$dest/bin/plocate"
install -m 0755 "$updatedb" "$dest/bin/updatedb.plocate"

# Stripped: about 50 static programs, 45 MB with their debug information.
while read -r t; do
	[ -f "$compat/$t.t" ] || die "no $compat/$t.t; rebuild (make -C tools/lib BUILD=$build compat-tests)"
	install -m 0755 -s "$compat/$t.t" "$dest/compat-tests/"
	[ -f "$compat/io_uring/$t.t" ] || die "no $compat/io_uring/$t.t; rebuild (make -C tools/lib BUILD=$build compat-tests)"
	install -m 0755 -s "$compat/io_uring/$t.t" "$dest/compat-io_uring/"
done < "$compat/TESTS"
for d in compat-tests compat-io_uring; do
	install -m 0644 "$compat/TESTS" "$compat/liburing-tests" "$dest/$d/"
	install -m 0755 "$compat/run-compat-tests.sh" "$dest/$d/"
done

install -m 0755 "$here/checks/plocate_dropin.sh" "$dest/checks/plocate_dropin"
install -m 0755 "$here/checks/liburing_compat.sh" "$dest/checks/liburing_compat"
install -m 0755 "$here/checks/liburing_compat.sh" "$dest/checks/liburing_io_uring"
