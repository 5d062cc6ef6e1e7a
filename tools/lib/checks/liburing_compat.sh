#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# liburing_compat: liburing 2.3's own test programs, unchanged, built on
# libxuring (make -C tools/lib compat-tests), run in the test VM with the
# kernel's io_uring system calls fatal (xuring-no-io_uring --kill): a test
# that passes ran on xuring alone. Prints run-compat-tests.sh's TAP.
#
# Installed as liburing_io_uring too, it runs the same tests built on
# Debian's liburing on the guest kernel's own io_uring: the reference
# beside xuring's results on that kernel.
#
# payload: ../bin/xuring-no-io_uring, ../compat-tests/ (the tests, their
# list TESTS, liburing-tests and run-compat-tests.sh), ../compat-io_uring/
# (the same, built on liburing)

here=$(cd "$(dirname "$0")" && pwd)

# Each test gets 60 s; in a slow debug kernel (make check-debug raises
# xuring.selftest_timeout) 240 s.
for arg in $(cat /proc/cmdline); do
	case $arg in
	xuring.selftest_timeout=*)
		[ "${arg#*=}" -gt 120 ] && export TIMEOUT=${TIMEOUT:-240} ;;
	esac
done

# The scratch files go to ext4: tmpfs refuses the tests' O_DIRECT. The
# socket tests talk over loopback, which the VM's init leaves down.
export TMPDIR=${XURING_EXT4_DIR:-${TMPDIR:-/tmp}}
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null ||
	echo "# warning: cannot bring up lo; the socket tests will fail"

if [ "$(basename "$0")" = liburing_io_uring ]; then
	XURING_COMPAT_TARGET=io_uring exec "$here/../compat-io_uring/run-compat-tests.sh" "$@"
fi
exec "$here/../bin/xuring-no-io_uring" --kill \
	"$here/../compat-tests/run-compat-tests.sh" "$@"
